//! Every report format on the generated evaluation bundles (`common::bundle`), through the
//! real `vouch evaluate --output-dir`: snapshots of each file, SARIF and OSCAL checked against
//! the schemas vendored in `engine/tests/schemas/`, the JSON report against its own schema,
//! and byte-identical output in every format whatever the thread count or directory order.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::path::{Path, PathBuf};

use common::bundle::{ATTESTER_KEY, Variant, write_bundle};
use common::{root, temp_dir, transcript, vouch};
use serde_json::Value;

const POLICY: &str = "tests/data/eval/policy";
const AS_OF: &str = "2026-10-01";
/// `report.SUFFIX` for each format, as `Format::extension` names them.
const FILES: &[(&str, &str)] = &[
    ("json", "report.json"),
    ("markdown", "report.md"),
    ("html", "report.html"),
    ("sarif", "report.sarif"),
    ("junit", "report.xml"),
    ("oscal", "report.oscal.json"),
];

/// Evaluates `bundle` into `out` in every format; returns the exit code.
fn evaluate_all(bundle: &Path, out: &Path, extra: &[&str]) -> i32 {
    let (b, o) = (bundle.to_str().unwrap(), out.to_str().unwrap());
    let mut args = vec![
        "evaluate",
        "--policy",
        POLICY,
        "--bundle",
        b,
        "--as-of",
        AS_OF,
        "--trust",
        ATTESTER_KEY,
        "--output-dir",
        o,
    ];
    for (name, _) in FILES {
        args.extend_from_slice(&["--format", name]);
    }
    args.extend_from_slice(extra);
    let run = vouch(&args);
    assert!(run.stdout.is_empty(), "{}", transcript(&run));
    run.status.code().unwrap()
}

fn validator(path: PathBuf) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn assert_valid(v: &jsonschema::Validator, text: &str, what: &str) {
    let doc: Value = serde_json::from_str(text).unwrap();
    let errors: Vec<String> = v
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(20)
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

fn snapshot_all(name: &str, variant: Variant, code: i32) {
    let bundle = temp_dir(&format!("render-{name}"));
    write_bundle(&bundle, variant, false);
    let out = temp_dir(&format!("render-{name}-out"));
    assert_eq!(evaluate_all(&bundle, &out, &[]), code);

    let schemas = root().join("engine/tests/schemas");
    let sarif = validator(schemas.join("sarif-schema-2.1.0.json"));
    let oscal = validator(schemas.join("oscal_assessment-results_schema.json"));
    let json = validator(root().join("engine/schema/vouch-report-1.schema.json"));

    let mut settings = insta::Settings::clone_current();
    settings.add_filter(&regex_escape(env!("CARGO_PKG_VERSION")), "[version]");
    settings.set_prepend_module_to_snapshot(true);
    for (format, file) in FILES {
        let text = std::fs::read_to_string(out.join(file)).unwrap();
        match *format {
            "json" => assert_valid(&json, &text, file),
            "sarif" => assert_valid(&sarif, &text, file),
            "oscal" => assert_valid(&oscal, &text, file),
            _ => {}
        }
        settings.bind(|| insta::assert_snapshot!(format!("{name}_{format}"), text));
    }
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_ascii_alphanumeric() {
                vec![c]
            } else {
                vec!['\\', c]
            }
        })
        .collect()
}

#[test]
fn good_bundle_in_every_format() {
    snapshot_all("good", Variant::Good, 0);
}

#[test]
fn bad_bundle_in_every_format() {
    snapshot_all("bad", Variant::Bad, 1);
}

#[test]
fn every_format_is_byte_identical_across_threads_and_directory_order() {
    let a = temp_dir("render-det-a");
    let b = temp_dir("render-det-b");
    write_bundle(&a, Variant::Bad, false);
    write_bundle(&b, Variant::Bad, true);
    let (out_a, out_b) = (temp_dir("render-det-a-out"), temp_dir("render-det-b-out"));
    assert_eq!(evaluate_all(&a, &out_a, &["--jobs", "1"]), 1);
    assert_eq!(evaluate_all(&b, &out_b, &["--jobs", "2"]), 1);
    for (format, file) in FILES {
        let x = std::fs::read(out_a.join(file)).unwrap();
        let y = std::fs::read(out_b.join(file)).unwrap();
        assert!(
            x == y,
            "{format} differs between thread counts or directory orders"
        );
    }
}

/// Each attestation's signing key and the authority's decision are in the Markdown, HTML and
/// OSCAL reports, as they are in the JSON report.
#[test]
fn attestation_keys_and_decisions_in_every_format() {
    let bundle = temp_dir("render-attest");
    write_bundle(&bundle, Variant::Good, false);
    let out = temp_dir("render-attest-out");
    assert_eq!(evaluate_all(&bundle, &out, &[]), 0);
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let attestations = json["attestations"].as_array().unwrap();
    assert!(!attestations.is_empty());
    let read = |file: &str| std::fs::read_to_string(out.join(file)).unwrap();
    let (markdown, html, oscal) = (
        read("report.md"),
        read("report.html"),
        read("report.oscal.json"),
    );
    for a in attestations {
        let key = a["key_id"].as_str().unwrap();
        let decision = &a["decision"];
        assert_eq!(decision["allowed"], true);
        for (name, text) in [("markdown", &markdown), ("html", &html), ("oscal", &oscal)] {
            assert!(text.contains(key), "{name} lacks key {key}");
            assert!(text.contains("attest allowed"), "{name} lacks the decision");
            let reason = decision["reason"].as_str().unwrap();
            assert!(
                text.contains(&reason.replace('`', "\\`")) || text.contains(reason),
                "{name} lacks the reason {reason}"
            );
        }
    }
    assert!(oscal.contains("\"authority-decision\""));
}

/// Every finding's fingerprint (the name a waiver gives it) is in the HTML, JUnit and SARIF
/// reports (SARIF: `partialFingerprints["vouchFinding/v1"]`).
#[test]
fn finding_fingerprints_in_every_format() {
    let bundle = temp_dir("render-fp");
    write_bundle(&bundle, Variant::Bad, false);
    let out = temp_dir("render-fp-out");
    assert_eq!(evaluate_all(&bundle, &out, &[]), 1);
    let read = |file: &str| std::fs::read_to_string(out.join(file)).unwrap();
    let json: Value = serde_json::from_str(&read("report.json")).unwrap();
    let sarif: Value = serde_json::from_str(&read("report.sarif")).unwrap();
    let in_sarif: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["partialFingerprints"]["vouchFinding/v1"].as_str())
        .collect();
    let (html, junit, markdown) = (read("report.html"), read("report.xml"), read("report.md"));
    let mut n = 0;
    for c in json["controls"].as_array().unwrap() {
        for f in c["findings"].as_array().unwrap() {
            let fp = f["fingerprint"].as_str().unwrap();
            assert!(fp.starts_with("vf1:"));
            n += 1;
            assert!(html.contains(fp), "html lacks {fp}");
            assert!(junit.contains(fp), "junit lacks {fp}");
            assert!(markdown.contains(fp), "markdown lacks {fp}");
            assert!(in_sarif.contains(&fp), "sarif lacks {fp}");
        }
    }
    assert!(n > 0);
}
