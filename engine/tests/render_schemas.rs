//! Validation of rendered reports against the formats' published schemas, vendored under
//! `tests/schemas/` (see its README for where each comes from):
//! - SARIF against the OASIS SARIF 2.1.0 JSON schema (errata 01);
//! - OSCAL against NIST's assessment-results JSON schema (release 1.2.3), and, when the PyPI
//!   `oscal` package is installed (`.ci/run` installs it in a venv and sets
//!   `VOUCH_OSCAL_PYTHON`), against the NIST OSCAL 1.1.3 metaschema the document declares;
//! - JUnit XML against Jenkins' `junit-10.xsd` with `xmllint` when it is installed, and
//!   always structurally (parsed with an XML parser, counts checked).
//!
//! - the JSON report against its own schema, `engine/schema/vouch-report-1.schema.json`, so
//!   the hand-built fixture the other tests use is a report the evaluator could write.
//!
//! Each schema is also shown to reject a broken document, so a pass means something.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use crate::render_common;

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use vouch_engine::report::Report;
use vouch_engine::report::render::{Format, render};

fn schema_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/schemas")
        .join(name)
}

fn validator(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(schema_path(name)).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{name} compiles: {e}"))
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(20)
        .collect()
}

fn reports() -> Vec<(&'static str, Report)> {
    vec![
        ("fixture", render_common::fixture()),
        ("empty", render_common::empty()),
        ("large", render_common::large(2_000)),
    ]
}

#[test]
fn json_fixture_validates_against_the_report_schema() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema/vouch-report-1.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let v = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    for (name, report) in reports() {
        let doc: Value = serde_json::from_str(&render(&report, Format::Json)).unwrap();
        let errs = errors(&v, &doc);
        assert!(errs.is_empty(), "{name}: {errs:#?}");
    }
    let mut broken: Value =
        serde_json::from_str(&render(&render_common::fixture(), Format::Json)).unwrap();
    broken["controls"][0]["status"] = "maybe".into();
    assert!(!v.is_valid(&broken), "the schema rejects an unknown status");
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let v = validator("sarif-schema-2.1.0.json");
    for (name, report) in reports() {
        let doc: Value = serde_json::from_str(&render(&report, Format::Sarif)).unwrap();
        let errs = errors(&v, &doc);
        assert!(errs.is_empty(), "{name}: {errs:#?}");
    }
    let mut broken: Value =
        serde_json::from_str(&render(&render_common::fixture(), Format::Sarif)).unwrap();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!v.is_valid(&broken), "the schema rejects an unknown level");
}

#[test]
fn sarif_has_what_github_code_scanning_reads() {
    let report = render_common::fixture();
    let doc: Value = serde_json::from_str(&render(&report, Format::Sarif)).unwrap();
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "vouch");
    assert!(
        driver["informationUri"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), report.controls.len());
    let sign = rules.iter().find(|r| r["id"] == "ACME-SIGN-1").unwrap();
    assert_eq!(sign["defaultConfiguration"]["level"], "error");
    assert_eq!(
        sign["properties"]["provisions"],
        serde_json::json!(["3.1", "3.5"])
    );
    assert!(sign["help"]["text"].as_str().unwrap().contains("minisign"));
    let results = run["results"].as_array().unwrap();
    for r in results {
        // Code scanning rejects results without a location.
        assert!(!r["locations"].as_array().unwrap().is_empty(), "{r}");
        assert_eq!(
            r["partialFingerprints"]["vouch/v1"].as_str().unwrap().len(),
            64
        );
        let rule = &rules[r["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], r["ruleId"]);
    }
    // Line locations become regions; paths are percent-encoded and relative to the bundle.
    let line = results
        .iter()
        .flat_map(|r| r["locations"].as_array().unwrap())
        .find(|l| l["physicalLocation"]["region"]["startLine"] == 3)
        .unwrap();
    assert_eq!(
        line["physicalLocation"]["artifactLocation"]["uri"],
        "dist/SHA256SUMS"
    );
    assert_eq!(
        line["physicalLocation"]["artifactLocation"]["uriBaseId"],
        "BUNDLE"
    );
    assert!(
        doc.to_string()
            .contains("dist/acme%202.4.0%20%28windows%29.zip")
    );
    // The waived finding is suppressed, with the waiver's justification.
    let waived = results
        .iter()
        .find(|r| r["ruleId"] == "ACME-PATCH-SLA")
        .unwrap();
    assert_eq!(waived["suppressions"][0]["kind"], "external");
    assert!(
        waived["suppressions"][0]["justification"]
            .as_str()
            .unwrap()
            .contains("W-1")
    );
    // Passing, manual and not-applicable controls give no result.
    for id in ["ACME-SBOM-1", "ACME-TRAINING", "ACME-EOL-NOTICE"] {
        assert!(results.iter().all(|r| r["ruleId"] != id), "{id}");
    }
}

#[test]
fn sarif_keeps_under_github_result_limit() {
    let report = render_common::large(30_000);
    let doc: Value = serde_json::from_str(&render(&report, Format::Sarif)).unwrap();
    let run = &doc["runs"][0];
    assert_eq!(run["results"].as_array().unwrap().len(), 25_000);
    assert_eq!(run["properties"]["omittedResults"], 5_000);
}

#[test]
fn oscal_validates_against_the_assessment_results_schema() {
    let v = validator("oscal_assessment-results_schema.json");
    for (name, report) in reports() {
        let doc: Value = serde_json::from_str(&render(&report, Format::Oscal)).unwrap();
        let errs = errors(&v, &doc);
        assert!(errs.is_empty(), "{name}: {errs:#?}");
    }
    let mut broken: Value =
        serde_json::from_str(&render(&render_common::fixture(), Format::Oscal)).unwrap();
    broken["assessment-results"]["results"][0]["findings"][0]["target"]["status"]["state"] =
        "MET".into();
    assert!(
        !v.is_valid(&broken),
        "the schema rejects an unknown finding state"
    );
}

/// Every UUID is unique and every internal reference resolves.
#[test]
fn oscal_uuids_are_unique_and_references_resolve() {
    let doc: Value =
        serde_json::from_str(&render(&render_common::fixture(), Format::Oscal)).unwrap();
    let ar = &doc["assessment-results"];
    let mut uuids = Vec::new();
    collect(&doc, "uuid", &mut uuids);
    let unique: HashSet<&String> = uuids.iter().collect();
    assert_eq!(unique.len(), uuids.len(), "duplicate uuid");

    let resources: HashSet<String> = ar["back-matter"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("#{}", r["uuid"].as_str().unwrap()))
        .collect();
    let mut hrefs = Vec::new();
    collect(&doc, "href", &mut hrefs);
    for h in hrefs.iter().filter(|h| h.starts_with('#')) {
        assert!(resources.contains(h), "dangling {h}");
    }
    let result = &ar["results"][0];
    let observations: HashSet<&str> = result["observations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["uuid"].as_str().unwrap())
        .collect();
    let risks: HashSet<&str> = result["risks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["uuid"].as_str().unwrap())
        .collect();
    for f in result["findings"].as_array().unwrap() {
        for o in f["related-observations"].as_array().unwrap() {
            assert!(observations.contains(o["observation-uuid"].as_str().unwrap()));
        }
        for r in f["related-risks"].as_array().into_iter().flatten() {
            assert!(risks.contains(r["risk-uuid"].as_str().unwrap()));
        }
    }
    assert_eq!(result["start"], "2026-10-01T00:00:00Z");
    assert_eq!(result["end"], "2026-10-01T00:00:00Z");
}

fn collect(v: &Value, key: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == key
                    && let Some(s) = x.as_str()
                {
                    out.push(s.to_owned());
                }
                collect(x, key, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect(x, key, out)),
        _ => {}
    }
}

#[test]
fn oscal_uuids_differ_between_bundles() {
    let a = render_common::fixture();
    let mut b = a.clone();
    b.bundle.digest = render_common::digest("other");
    let uuid = |r: &Report| -> String {
        let doc: Value = serde_json::from_str(&render(r, Format::Oscal)).unwrap();
        doc["assessment-results"]["uuid"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_ne!(uuid(&a), uuid(&b));
    assert_eq!(uuid(&a), uuid(&a.clone()));
}

#[test]
fn junit_parses_and_counts_agree() {
    for (name, report) in reports() {
        let text = render(&report, Format::Junit);
        let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        let attr =
            |n: roxmltree::Node, a: &str| -> usize { n.attribute(a).unwrap().parse().unwrap() };
        let (mut tests, mut failures, mut errors) = (0, 0, 0);
        let suites: Vec<_> = root.children().filter(|n| n.is_element()).collect();
        for s in &suites {
            assert_eq!(s.tag_name().name(), "testsuite");
            let cases: Vec<_> = s
                .children()
                .filter(|n| n.has_tag_name("testcase"))
                .collect();
            let count = |child: &str| {
                cases
                    .iter()
                    .filter(|c| c.children().any(|x| x.has_tag_name(child)))
                    .count()
            };
            assert_eq!(attr(*s, "tests"), cases.len(), "{name}");
            assert_eq!(attr(*s, "failures"), count("failure"), "{name}");
            assert_eq!(attr(*s, "errors"), count("error"), "{name}");
            assert_eq!(attr(*s, "skipped"), count("skipped"), "{name}");
            tests += cases.len();
            failures += count("failure");
            errors += count("error");
        }
        assert_eq!(attr(root, "tests"), tests, "{name}");
        assert_eq!(attr(root, "failures"), failures, "{name}");
        assert_eq!(attr(root, "errors"), errors, "{name}");
        if name == "fixture" {
            // One suite, one testcase per control; its principles are properties.
            assert_eq!(suites.len(), 1);
            assert_eq!(tests, report.controls.len());
            let sign = doc
                .descendants()
                .filter(|n| {
                    n.attribute("name")
                        .is_some_and(|a| a.starts_with("ACME-SIGN-1:"))
                })
                .map(|n| n.attribute("classname").unwrap())
                .collect::<Vec<_>>();
            assert_eq!(sign, [format!("uk-sscop.{}", report.policy.name)]);
            let principles = doc
                .descendants()
                .find(|n| n.attribute("name") == Some("principles.ACME-SIGN-1"))
                .unwrap();
            assert_eq!(principles.attribute("value"), Some("3.1 3.5"));
            // Hostile text survives as text; the control characters are replaced.
            let failure = doc
                .descendants()
                .find(|n| {
                    n.has_tag_name("failure")
                        && n.attribute("message").unwrap().contains("<script>")
                })
                .unwrap();
            assert!(
                failure
                    .attribute("message")
                    .unwrap()
                    .contains("]]> \u{FFFD}\u{FFFD} end")
            );
            let skipped: Vec<&str> = doc
                .descendants()
                .filter(|n| n.has_tag_name("skipped"))
                .map(|n| n.attribute("message").unwrap())
                .collect();
            assert!(skipped.iter().any(|m| m.starts_with("waived")));
            assert!(skipped.iter().any(|m| m.starts_with("manual review")));
            assert!(skipped.iter().any(|m| m.starts_with("not applicable")));
        }
    }
}

#[test]
fn junit_validates_against_jenkins_junit_10_xsd() {
    let ok = Command::new("xmllint").arg("--version").output().is_ok();
    if !ok {
        eprintln!(
            "skipping junit_validates_against_jenkins_junit_10_xsd: `xmllint` is not installed"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, report) in reports() {
        let file = dir.path().join(format!("{name}.xml"));
        std::fs::write(&file, render(&report, Format::Junit)).unwrap();
        let out = Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(schema_path("junit-10.xsd"))
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let broken = dir.path().join("broken.xml");
    std::fs::write(&broken, "<testsuites><testsuite name=\"x\"/></testsuites>").unwrap();
    let out = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(schema_path("junit-10.xsd"))
        .arg(&broken)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "the XSD rejects a suite without counts"
    );
}

/// Validates with the PyPI `oscal` package: structure, data types, allowed values,
/// cardinality and choices of the OSCAL version the document declares (1.1.3), from NIST's
/// metaschema. Prints its errors and exits 1 when a document is invalid.
const OSCAL_CHECK: &str = r#"
import sys
from oscal import OSCAL
bad = 0
for path in sys.argv[1:]:
    doc = OSCAL.load(path)
    ok = bool(doc) and doc.validate()
    print(path, doc.oscal_version if doc else None, ok, getattr(doc, "validation_errors", None))
    bad += not ok
sys.exit(1 if bad else 0)
"#;

#[test]
fn oscal_validates_as_oscal_1_1_3_against_nist_metaschema() {
    let test = "oscal_validates_as_oscal_1_1_3_against_nist_metaschema";
    let Some(python) = std::env::var_os("VOUCH_OSCAL_PYTHON") else {
        eprintln!("skipping {test}: VOUCH_OSCAL_PYTHON is not set (.ci/run sets it)");
        return;
    };
    // The `oscal` package writes a support database into its working directory: keep it out
    // of the source tree.
    let scratch = tempfile::tempdir().unwrap();
    let usable = Command::new(&python)
        .current_dir(scratch.path())
        .args(["-c", "import oscal"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !usable {
        eprintln!("skipping {test}: the `oscal` Python package is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, report) in reports() {
        let file = dir.path().join(format!("{name}.json"));
        std::fs::write(&file, render(&report, Format::Oscal)).unwrap();
        files.push(file);
    }
    let out = Command::new(&python)
        .current_dir(scratch.path())
        .arg("-c")
        .arg(OSCAL_CHECK)
        .args(&files)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout.matches(" v1.1.3 True ").count(),
        files.len(),
        "{stdout}"
    );

    let mut broken: Value =
        serde_json::from_str(&render(&render_common::fixture(), Format::Oscal)).unwrap();
    broken["assessment-results"]["results"][0]["findings"][0]["target"]["status"]["state"] =
        "MET".into();
    let file = dir.path().join("broken.json");
    std::fs::write(&file, broken.to_string()).unwrap();
    let out = Command::new(&python)
        .current_dir(scratch.path())
        .arg("-c")
        .arg(OSCAL_CHECK)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "the metaschema rejects an unknown finding state"
    );
}
