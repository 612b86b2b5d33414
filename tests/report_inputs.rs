//! What a report records about its inputs (the release, the framework, the digests of every
//! trust, waivers and authority file), and that it records them so that the same policy and
//! bundle give byte-identical reports from any working directory, however the paths were
//! written.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::path::Path;

use common::{EXAMPLE_TRUST, root, temp_dir, vouch_in};
use serde_json::Value;

/// The waived example with its waivers, every trust key and the example authority, the
/// paths made relative to `base` (`""`: as written from the workspace root) or absolute.
fn args(base: &str) -> Vec<String> {
    let p = |rel: &str| format!("{base}{rel}");
    let mut args: Vec<String> = vec![
        "evaluate".into(),
        "--policy".into(),
        p("examples/policies/acme.vouch"),
        "--bundle".into(),
        p("examples/bundles/waived"),
        "--waivers".into(),
        p("examples/waivers/waived.toml"),
        "--authority".into(),
        p("examples/authority/acme.cedar"),
        "--authority-entities".into(),
        p("examples/authority/people.json"),
        "--as-of".into(),
        "2026-10-02".into(),
    ];
    for pair in EXAMPLE_TRUST.chunks(2) {
        args.push(pair[0].into());
        args.push(p(pair[1]));
    }
    args
}

fn run(dir: &Path, args: &[String], out: &Path) -> Vec<u8> {
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    let out_s = out.to_str().unwrap();
    all.extend(["--output", out_s]);
    let result = vouch_in(dir, &all);
    assert!(
        result.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    std::fs::read(out).unwrap()
}

#[test]
fn byte_identical_from_any_directory_and_path_spelling() {
    let scratch = temp_dir("report-inputs-cwd");
    let root = root();
    let abs = format!("{}/", root.display());
    // From the workspace root with relative paths; from a scratch directory with absolute
    // paths; from `examples/` with `../` paths; from the root with `./` and a detour.
    let a = run(&root, &args(""), &scratch.join("a.json"));
    let b = run(&scratch, &args(&abs), &scratch.join("b.json"));
    let c = run(
        &root.join("examples"),
        &args("../"),
        &scratch.join("c.json"),
    );
    let d = run(&root, &args("./examples/../"), &scratch.join("d.json"));
    assert!(a == b, "relative and absolute paths give different reports");
    assert!(a == c, "another working directory gives a different report");
    assert!(
        a == d,
        "another spelling of the paths gives a different report"
    );
    // And nothing in it names the directories the inputs were read from.
    let text = String::from_utf8(a).unwrap();
    assert!(
        !text.contains("examples/"),
        "a path outside the bundle leaks into the report"
    );
    assert!(!text.contains(&root.display().to_string()));
}

#[test]
fn imports_are_named_relative_to_the_root_file() {
    let scratch = temp_dir("report-inputs-imports");
    let root = root();
    let bundle = root.join("examples/bundles/compliant");
    let base = |policy: String| -> Vec<String> {
        let mut v: Vec<String> = vec![
            "evaluate".into(),
            "--policy".into(),
            policy,
            "--bundle".into(),
            bundle.display().to_string(),
            "--as-of".into(),
            "2026-10-01".into(),
        ];
        v.extend(["--allow-manual".into()]);
        v
    };
    let a = run(
        &root,
        &base("tests/data/eval/policy".into()),
        &scratch.join("a.json"),
    );
    let b = run(
        &scratch,
        &base(
            root.join("tests/data/eval/policy/release.vouch")
                .display()
                .to_string(),
        ),
        &scratch.join("b.json"),
    );
    assert!(a == b, "the policy's sources are named by the path given");
    let report: Value = serde_json::from_slice(&a).unwrap();
    let names: Vec<&str> = report["policy"]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["release.vouch", "shared.vouch"]);
}

#[test]
fn the_report_records_release_framework_and_input_digests() {
    let scratch = temp_dir("report-inputs-digests");
    let root = root();
    let bytes = run(&root, &args(""), &scratch.join("r.json"));
    let report: Value = serde_json::from_slice(&bytes).unwrap();
    valid(&report);
    let sha = |rel: &str| {
        vouch_engine::digest::Sha256Digest::of(&std::fs::read(root.join(rel)).unwrap()).to_hex()
    };
    let release = &report["release"];
    assert_eq!(release["product"], "widget");
    assert_eq!(release["version"], "2.3.5");
    assert_eq!(release["date"], "2026-10-01T10:00:00Z");
    assert_eq!(release["cycle"], "2.3");
    assert_eq!(release["path"], "release.toml");
    assert_eq!(
        release["sha256"],
        sha("examples/bundles/waived/release.toml")
    );
    let policy = &report["policy"];
    assert_eq!(policy["framework_version"], "2025-05");
    assert_eq!(
        policy["framework_sha256"],
        sha("stdlib-policies/frameworks/uk-sscop.toml")
    );
    // The effective params: the importer's override, not the pack's default.
    assert_eq!(
        policy["params"]["std.uk_sscop::patch_sla"],
        "{ critical: 1d, high: 5d, low: 90d, medium: 30d }"
    );
    for pair in EXAMPLE_TRUST.chunks(2) {
        let name = Path::new(pair[1]).file_name().unwrap().to_str().unwrap();
        let keys: Vec<&Value> = report["trust"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|k| k["path"] == name)
            .collect();
        assert!(!keys.is_empty(), "no key from {name}");
        for k in keys {
            assert_eq!(k["sha256"], sha(pair[1]), "{name}");
            assert!(!k["key_id"].as_str().unwrap().is_empty());
        }
    }
    assert_eq!(report["waiver_files"][0]["path"], "waived.toml");
    assert_eq!(
        report["waiver_files"][0]["sha256"],
        sha("examples/waivers/waived.toml")
    );
    assert_eq!(report["authority"]["policy"]["path"], "acme.cedar");
    assert_eq!(
        report["authority"]["policy"]["sha256"],
        sha("examples/authority/acme.cedar")
    );
    assert_eq!(
        report["authority"]["entities"]["sha256"],
        sha("examples/authority/people.json")
    );
}

/// The report validates against the committed JSON Schema.
fn valid(report: &Value) {
    let text =
        std::fs::read_to_string(root().join("engine/schema/vouch-report-1.schema.json")).unwrap();
    let schema = jsonschema::draft202012::new(&serde_json::from_str(&text).unwrap()).unwrap();
    let errors: Vec<String> = schema
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "the report breaks its schema: {errors:#?}"
    );
}
