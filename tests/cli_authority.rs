//! Authority policies end to end: `vouch authority schema`, `vouch check --authority` (located
//! Cedar diagnostics, snapshotted), `vouch evaluate --authority` (sign decisions in the report,
//! a key not permitted to sign provenance failing PROVENANCE) and `vouch gate`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::sync::LazyLock;

use crate::common::copy_dir;
use common::{EXAMPLE_TRUST, root, temp_dir, transcript, vouch};

static SCHEMA: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let text =
        std::fs::read_to_string(root().join("engine/schema/vouch-report-1.schema.json")).unwrap();
    jsonschema::draft202012::new(&serde_json::from_str(&text).unwrap()).unwrap()
});

/// The compliant example, judged at its as-of; with [`EXAMPLE_TRUST`] after it.
const COMPLIANT: [&str; 6] = [
    "--policy",
    "examples/policies/acme.vouch",
    "--bundle",
    "examples/bundles/compliant",
    "--as-of",
    "2026-10-02",
];

const BUILD_KEY: &str = "3062c2e5bc7310e55cffd2e16b8ae5d62e00ae17111cb0122d224e0d6c4e9fda";
const JO: &str = "12E3870E608AAEAD7BB1F007FE9305CD6E6C0D0D";

/// `vouch evaluate` of the compliant bundle with `extra` arguments: the exit code and the
/// JSON report (validated against the report schema).
fn evaluate(extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let mut args = vec!["evaluate"];
    args.extend(COMPLIANT);
    args.extend(EXAMPLE_TRUST);
    args.extend(extra);
    let out = vouch(&args);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("a JSON report: {}", transcript(&out)));
    let errors: Vec<String> = SCHEMA.iter_errors(&report).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "the report breaks its schema: {errors:#?}"
    );
    (out.status.code(), report)
}

fn status<'a>(report: &'a serde_json::Value, control: &str) -> &'a str {
    report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == control)
        .unwrap()["status"]
        .as_str()
        .unwrap()
}

fn signature<'a>(report: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    report["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["path"] == path)
        .unwrap()
}

#[test]
fn schema_printing() {
    let out = vouch(&["authority", "schema"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("authority_schema", String::from_utf8_lossy(&out.stdout));
    let gate = vouch(&["authority", "schema", "--gate"]);
    assert_eq!(gate.status.code(), Some(0));
    insta::assert_snapshot!(
        "authority_schema_gate",
        String::from_utf8_lossy(&gate.stdout)
    );
}

#[test]
fn the_examples_validate() {
    let out = vouch(&[
        "check",
        "--authority",
        "examples/authority/acme.cedar",
        "--authority-entities",
        "examples/authority/people.json",
        "--gate",
        "examples/authority/gate.cedar",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
}

/// `vouch check --authority` of `policy` (and `entities`) written to a scratch directory.
fn check(name: &str, policy: &str, entities: Option<&str>, json: bool) -> String {
    let dir = temp_dir(&format!("authority-{name}"));
    std::fs::write(dir.join("policy.cedar"), policy).unwrap();
    let policy_path = dir.join("policy.cedar").to_string_lossy().into_owned();
    let mut args = vec!["check".to_owned(), "--authority".to_owned(), policy_path];
    if let Some(entities) = entities {
        std::fs::write(dir.join("people.json"), entities).unwrap();
        args.push("--authority-entities".to_owned());
        args.push(dir.join("people.json").to_string_lossy().into_owned());
    }
    if json {
        args.push("--error-format".to_owned());
        args.push("json".to_owned());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = vouch(&args);
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    transcript(&out).replace(&dir.to_string_lossy().into_owned(), "[DIR]")
}

#[test]
fn a_syntax_error_is_a_located_diagnostic() {
    let out = check(
        "syntax",
        "// who may attest\npermit (principal, action == Vouch::Action::\"attest\", resource)\n",
        None,
        false,
    );
    assert!(out.contains("vouch::authority::parse-error"), "{out}");
    insta::assert_snapshot!("authority_check_syntax", out);
}

#[test]
fn a_policy_against_the_schema_is_a_located_diagnostic() {
    let policy = "@id(\"leads\")\npermit (\n  principal in Vouch::Group::\"security-leads\",\n  action == Vouch::Action::\"attest\",\n  resource\n)\nwhen { resource.owner == \"priya\" };\n";
    let out = check("schema", policy, None, false);
    assert!(out.contains("vouch::authority::invalid-policy"), "{out}");
    insta::assert_snapshot!("authority_check_invalid", out);
    let json = check("schema-json", policy, None, true);
    insta::assert_snapshot!("authority_check_invalid_json", json);
}

#[test]
fn an_unknown_action_is_a_located_diagnostic() {
    let policy = "permit (principal, action == Vouch::Action::\"approve\", resource);\n";
    let out = check("action", policy, None, false);
    insta::assert_snapshot!("authority_check_unknown_action", out);
}

#[test]
fn bad_entities_are_located_diagnostics() {
    let policy = "permit (principal, action == Vouch::Action::\"attest\", resource);\n";
    let syntax = check(
        "entities-json",
        policy,
        Some("[\n  { \"uid\": { \"type\": \"Vouch::Key\", \"id\": \"K\" }\n"),
        false,
    );
    insta::assert_snapshot!("authority_check_entities_syntax", syntax);
    let control = "[\n  { \"uid\": { \"type\": \"Vouch::Control\", \"id\": \"TRAINING\" },\n    \"attrs\": { \"severity\": \"low\", \"provisions\": [], \"tags\": [] }, \"parents\": [] }\n]\n";
    insta::assert_snapshot!(
        "authority_check_entities_control",
        check("entities-control", policy, Some(control), false)
    );
}

#[test]
fn check_validates_gate_entities_with_the_gate_policy() {
    // The example's entities pass with the example gate.
    let ok = vouch(&[
        "check",
        "--gate",
        "examples/authority/gate.cedar",
        "--gate-entities",
        "examples/authority/people.json",
    ]);
    assert_eq!(ok.status.code(), Some(0), "{}", transcript(&ok));
    // A key whose group is not a group: a located diagnostic against the gate schema.
    let dir = temp_dir("authority-gate-entities");
    std::fs::write(
        dir.join("people.json"),
        "[\n  { \"uid\": { \"type\": \"Vouch::Key\", \"id\": \"K\" }, \"attrs\": { \"name\": 7 },\n    \"parents\": [] }\n]\n",
    )
    .unwrap();
    let entities = dir.join("people.json").to_string_lossy().into_owned();
    let out = vouch(&[
        "check",
        "--gate",
        "examples/authority/gate.cedar",
        "--gate-entities",
        &entities,
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    let text = transcript(&out).replace(&dir.to_string_lossy().into_owned(), "[DIR]");
    assert!(text.contains("people.json:2:"), "{text}");
    insta::assert_snapshot!("check_gate_entities", text);
}

#[test]
fn evaluate_records_sign_decisions_and_the_files() {
    let (code, report) = evaluate(&[
        "--authority",
        "examples/authority/acme.cedar",
        "--authority-entities",
        "examples/authority/people.json",
    ]);
    assert_eq!(code, Some(0));
    assert_eq!(status(&report, "PROVENANCE"), "pass");
    let prov = signature(&report, "provenance/widget-2.4.1.intoto.jsonl");
    assert_eq!(prov["key_id"], BUILD_KEY);
    assert_eq!(prov["decision"]["kind"], "provenance");
    assert_eq!(
        prov["decision"]["policies"],
        serde_json::json!(["build-platform-signs-provenance"])
    );
    let authority = &report["authority"];
    // Named by file name: the report does not depend on the working directory.
    assert_eq!(authority["policy"]["path"], "acme.cedar");
    assert_eq!(authority["policy"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(authority["entities"]["path"], "people.json");
    // Without --authority: no decisions, no authority files.
    let (_, plain) = evaluate(&[]);
    assert!(plain.get("authority").is_none());
    assert!(
        signature(&plain, "provenance/widget-2.4.1.intoto.jsonl")
            .get("decision")
            .is_none()
    );
}

#[test]
fn a_key_not_permitted_to_sign_provenance_fails_provenance() {
    let dir = temp_dir("authority-no-provenance");
    let text = std::fs::read_to_string(root().join("examples/authority/acme.cedar")).unwrap();
    // The build platform may sign artifacts instead of provenance.
    let changed = text.replace(
        "resource == Vouch::Evidence::\"provenance\"",
        "resource == Vouch::Evidence::\"artifact\"",
    );
    assert_ne!(text, changed);
    std::fs::write(dir.join("acme.cedar"), changed).unwrap();
    let policy = dir.join("acme.cedar").to_string_lossy().into_owned();
    let (code, report) = evaluate(&[
        "--authority",
        &policy,
        "--authority-entities",
        "examples/authority/people.json",
    ]);
    assert_eq!(code, Some(1));
    assert_eq!(status(&report, "PROVENANCE"), "fail");
    let prov = signature(&report, "provenance/widget-2.4.1.intoto.jsonl");
    assert_eq!(prov["outcome"], "not-permitted");
    assert_eq!(prov["trusted"], false);
    assert_eq!(prov["verified"], true);
    let reason = prov["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("not permitted by the authority policy: no policy permits key"),
        "{reason}"
    );
    // The release keys' signatures still count.
    assert_eq!(status(&report, "SIGNED-ARTIFACTS"), "pass");
}

#[test]
fn an_invalid_authority_stops_evaluate_with_exit_2() {
    let mut args = vec!["evaluate"];
    args.extend(COMPLIANT);
    args.extend(EXAMPLE_TRUST);
    args.extend(["--authority", "examples/authority/gate.cedar"]);
    let out = vouch(&args);
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("vouch::authority::invalid-policy"));
}

fn gate(report: &str, principal: &str, context: &[&str]) -> std::process::Output {
    let mut args = vec![
        "gate",
        "--report",
        report,
        "--authority",
        "examples/authority/gate.cedar",
        "--authority-entities",
        "examples/authority/people.json",
        "--principal",
        principal,
        "--action",
        "release",
    ];
    for c in context {
        args.push("--context");
        args.push(c);
    }
    vouch(&args)
}

#[test]
fn gate_allows_denies_and_errs() {
    let dir = temp_dir("authority-gate");
    let (_, report) = evaluate(&[]);
    let path = dir.join("report.json");
    std::fs::write(&path, serde_json::to_string(&report).unwrap()).unwrap();
    let path = path.to_string_lossy().into_owned();
    let allow = gate(&path, JO, &["branch=main"]);
    assert_eq!(allow.status.code(), Some(0), "{}", transcript(&allow));
    let digest = report["bundle"]["digest"].as_str().unwrap();
    insta::assert_snapshot!("gate_allow", transcript(&allow).replace(digest, "[DIGEST]"));
    // Not from main: no policy permits a release manager.
    let other = gate(&path, JO, &["branch=feature"]);
    assert_eq!(other.status.code(), Some(1), "{}", transcript(&other));
    insta::assert_snapshot!(
        "gate_deny_default",
        transcript(&other).replace(digest, "[DIGEST]")
    );
    // A manual control: forbidden, whoever asks.
    let mut manual = report.clone();
    for c in manual["controls"].as_array_mut().unwrap() {
        if c["id"] == "TRAINING" {
            c["status"] = "manual".into();
        }
    }
    let manual_path = dir.join("manual.json");
    std::fs::write(&manual_path, serde_json::to_string(&manual).unwrap()).unwrap();
    let denied = gate(&manual_path.to_string_lossy(), JO, &["branch=main"]);
    assert_eq!(denied.status.code(), Some(1));
    let out = String::from_utf8_lossy(&denied.stdout);
    assert!(
        out.contains("determining policies: no-unattested-manual-controls"),
        "{out}"
    );
    // Errors: not a report, a bad --context, an unknown action.
    let not_report = dir.join("not.json");
    std::fs::write(&not_report, "{\"schema\": \"other\"}").unwrap();
    assert_eq!(
        gate(&not_report.to_string_lossy(), JO, &[]).status.code(),
        Some(2)
    );
    assert_eq!(gate(&path, JO, &["branch"]).status.code(), Some(2));
    let deploy = vouch(&[
        "gate",
        "--report",
        &path,
        "--authority",
        "examples/authority/gate.cedar",
        "--principal",
        JO,
        "--action",
        "deploy",
    ]);
    assert_eq!(deploy.status.code(), Some(2), "{}", transcript(&deploy));
}

/// Every ```` ```cedar ```` block of the Authority page validates against the authority
/// schema (```` ```cedar,gate ````: the gate schema), and the two example files' policies are
/// on the page as they are in the files.
#[test]
fn the_book_page_validates_and_quotes_the_examples() {
    use vouch_engine::authority::SourceText;
    use vouch_engine::authority::gate::Gate;
    let page = std::fs::read_to_string(root().join("book/src/guide/authority.md")).unwrap();
    let mut blocks = Vec::new();
    let mut lines = page.lines();
    while let Some(line) = lines.next() {
        if let Some(info) = line.strip_prefix("```cedar") {
            let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            blocks.push((info == ",gate", body.join("\n") + "\n"));
        }
    }
    assert_eq!(blocks.len(), 2, "an authority and a gate block");
    for (gate, text) in &blocks {
        let source = SourceText { name: "book", text };
        if *gate {
            Gate::new(source, None).unwrap();
        } else {
            vouch_engine::authority::CedarAuthority::new(source, None).unwrap();
        }
    }
    for (file, (_, text)) in ["acme.cedar", "gate.cedar"].iter().zip(&blocks) {
        let example =
            std::fs::read_to_string(root().join("examples/authority").join(file)).unwrap();
        assert!(
            example.contains(text.as_str()),
            "the book's {file} is not the example's"
        );
    }
}

#[test]
fn a_checksum_file_signature_is_judged_as_checksums() {
    if std::process::Command::new("minisign")
        .arg("-v")
        .output()
        .is_err()
    {
        eprintln!("skipped: minisign is not installed (.ci/run installs it)");
        return;
    }
    let dir = temp_dir("authority-checksums");
    let bundle = dir.join("bundle");
    copy_dir(&root().join("examples/bundles/compliant"), &bundle);
    // The release's minisign key signs SHA256SUMS, as release tooling does.
    let sums = bundle.join("dist/SHA256SUMS");
    assert!(sums.is_file());
    let signed = std::process::Command::new("minisign")
        .args(["-S", "-s"])
        .arg(root().join("examples/keys/TEST-ONLY-widget-release.minisign.key"))
        .args(["-t", "timestamp:1790000000\tfile:SHA256SUMS\thashed", "-m"])
        .arg(&sums)
        .output()
        .unwrap();
    assert!(
        signed.status.success(),
        "{}",
        String::from_utf8_lossy(&signed.stderr)
    );
    // An authority under which release keys sign artifacts only.
    let text = std::fs::read_to_string(root().join("examples/authority/acme.cedar")).unwrap();
    let changed = text.replace(
        "[\"artifact\", \"checksums\", \"security.txt\"]",
        "[\"artifact\", \"security.txt\"]",
    );
    assert_ne!(text, changed);
    std::fs::write(dir.join("acme.cedar"), changed).unwrap();
    let bundle_arg = bundle.to_string_lossy().into_owned();
    let policy_arg = dir.join("acme.cedar").to_string_lossy().into_owned();
    let mut args: Vec<&str> = vec!["evaluate"];
    args.extend(COMPLIANT);
    args.extend(EXAMPLE_TRUST);
    args[4] = &bundle_arg;
    args.extend([
        "--authority",
        &policy_arg,
        "--authority-entities",
        "examples/authority/people.json",
    ]);
    let out = vouch(&args);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("a JSON report: {}", transcript(&out)));
    let sig = signature(&report, "dist/SHA256SUMS.minisig");
    assert_eq!(sig["decision"]["kind"], "checksums", "{sig}");
    assert_eq!(sig["decision"]["allowed"], false);
    assert_eq!(sig["outcome"], "not-permitted");
    assert_eq!(sig["trusted"], false);
    // The same key's artifact signatures still count.
    let artifact = signature(&report, "dist/widget-2.4.1.tar.gz.minisig");
    assert_eq!(artifact["decision"]["kind"], "artifact");
    assert_eq!(artifact["trusted"], true);
}

#[test]
fn markdown_html_and_oscal_show_attestation_keys_and_determining_policies() {
    let authority = [
        "--authority",
        "examples/authority/acme.cedar",
        "--authority-entities",
        "examples/authority/people.json",
    ];
    let (_, report) = evaluate(&authority);
    let dir = temp_dir("authority-render");
    let mut args = vec!["evaluate"];
    args.extend(COMPLIANT);
    args.extend(EXAMPLE_TRUST);
    args.extend(authority);
    let out_dir = dir.to_string_lossy().into_owned();
    args.extend([
        "--output-dir",
        &out_dir,
        "--format",
        "markdown",
        "--format",
        "html",
        "--format",
        "oscal",
    ]);
    let out = vouch(&args);
    assert!(out.status.code().is_some(), "{}", transcript(&out));
    let texts: Vec<(&str, String)> = ["report.md", "report.html", "report.oscal.json"]
        .into_iter()
        .map(|f| (f, std::fs::read_to_string(dir.join(f)).unwrap()))
        .collect();
    let attestations = report["attestations"].as_array().unwrap();
    assert!(!attestations.is_empty());
    for a in attestations {
        let key = a["key_id"].as_str().unwrap();
        let policies = a["decision"]["policies"].as_array().unwrap();
        assert!(!policies.is_empty(), "{a}");
        for (file, text) in &texts {
            assert!(text.contains(key), "{file} lacks {key}");
            for p in policies {
                let p = p.as_str().unwrap();
                assert!(text.contains(p), "{file} lacks policy {p}");
            }
        }
    }
    assert!(texts[0].1.contains("attest allowed (policies: "));
}
