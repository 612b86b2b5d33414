//! The reporters on a real evaluation (the waived example): JUnit has one testcase per
//! control, SARIF points at the project and at each standard control's page of the book,
//! Markdown lists waived findings under their waiver; and every `--error-format json`
//! diagnostic has a code.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::path::PathBuf;

use common::{EXAMPLE_TRUST, root, temp_dir, vouch};
use serde_json::Value;

/// Writes every report format of the waived example into a scratch directory.
fn reports(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    let d = dir.to_str().unwrap();
    let mut args = vec![
        "evaluate",
        "--policy",
        "examples/policies/acme.vouch",
        "--bundle",
        "examples/bundles/waived",
        "--waivers",
        "examples/waivers/waived.toml",
        "--as-of",
        "2026-10-02",
        "--output-dir",
        d,
    ];
    for f in ["json", "junit", "sarif", "markdown"] {
        args.extend(["--format", f]);
    }
    args.extend(EXAMPLE_TRUST);
    let out = vouch(&args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

#[test]
fn junit_has_one_testcase_per_control() {
    let dir = reports("reporters-junit");
    let report: Value =
        serde_json::from_slice(&std::fs::read(dir.join("report.json")).unwrap()).unwrap();
    let controls = report["controls"].as_array().unwrap().len();
    let text = std::fs::read_to_string(dir.join("report.xml")).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), controls);
    assert_eq!(
        doc.root_element().attribute("tests").unwrap(),
        controls.to_string()
    );
    let mut names: Vec<&str> = cases.iter().map(|c| c.attribute("name").unwrap()).collect();
    names.dedup();
    assert_eq!(names.len(), controls, "a control is listed twice");
    // Its principles are properties of the suite.
    let prop = doc
        .descendants()
        .find(|n| n.attribute("name") == Some("principles.SIGNED-ARTIFACTS"))
        .unwrap();
    assert!(!prop.attribute("value").unwrap().is_empty());
}

#[test]
fn sarif_points_at_the_project_and_the_book() {
    let dir = reports("reporters-sarif");
    let doc: Value =
        serde_json::from_slice(&std::fs::read(dir.join("report.sarif")).unwrap()).unwrap();
    let driver = &doc["runs"][0]["tool"]["driver"];
    assert_eq!(
        driver["informationUri"],
        "https://github.com/vouch-policy/vouch"
    );
    let cargo = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    assert!(cargo.contains("repository = \"https://github.com/vouch-policy/vouch\""));
    let rules = driver["rules"].as_array().unwrap();
    let prefix = "https://vouch-policy.github.io/vouch/stdlib/";
    let mut pages = 0;
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        let uri = rule["helpUri"].as_str().unwrap();
        if let Some(page) = uri.strip_prefix(prefix) {
            // The page the URL names is a page of the book.
            let md = page.strip_suffix(".html").unwrap();
            assert_eq!(md, id.to_ascii_lowercase());
            assert!(
                root().join(format!("book/src/stdlib/{md}.md")).is_file(),
                "{id}: no book page {md}.md"
            );
            pages += 1;
        } else {
            // Only the organisation's own controls have no page.
            assert!(id.starts_with("ACME-"), "{id}: {uri}");
        }
    }
    assert!(pages >= 20, "{pages} rules point at the book");
}

#[test]
fn markdown_lists_waived_findings_under_their_waiver() {
    let dir = reports("reporters-markdown");
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    let report: Value =
        serde_json::from_slice(&std::fs::read(dir.join("report.json")).unwrap()).unwrap();
    let at = md
        .find("### Findings covered by each waiver")
        .expect("a section of waived findings");
    let section = &md[at..];
    for c in report["controls"].as_array().unwrap() {
        for f in c["findings"].as_array().unwrap() {
            let Some(w) = f["waived_by"].as_str() else {
                continue;
            };
            let fp = f["fingerprint"].as_str().unwrap();
            let under = section.find(&format!("**{w}**")).unwrap();
            let next = section[under + 2..]
                .find("\n**")
                .map_or(section.len(), |n| under + 2 + n);
            assert!(
                section[under..next].contains(fp),
                "{fp} is not listed under {w}"
            );
        }
    }
}

#[test]
fn json_diagnostics_have_codes() {
    let scratch = temp_dir("reporters-codes");
    let not_a_key = scratch.join("not-a-key.txt");
    std::fs::write(&not_a_key, "hello\n").unwrap();
    let missing = scratch.join("no-such-bundle");
    let cases: Vec<Vec<String>> = vec![
        // A trust input that is not a key.
        vec![
            "--bundle".into(),
            "examples/bundles/compliant".into(),
            "--trust".into(),
            not_a_key.display().to_string(),
        ],
        // A bundle that does not exist (an ingestion error).
        vec!["--bundle".into(), missing.display().to_string()],
        // A usage error.
        vec![
            "--bundle".into(),
            "examples/bundles/compliant".into(),
            "--as-of".into(),
            "yesterday".into(),
        ],
    ];
    for extra in cases {
        let mut args = vec![
            "evaluate",
            "--policy",
            "examples/policies/acme.vouch",
            "--error-format",
            "json",
        ];
        args.extend(extra.iter().map(String::as_str));
        let out = vouch(&args);
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(!stderr.trim().is_empty(), "{extra:?}");
        for line in stderr.lines() {
            let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
            let code = v["code"]
                .as_str()
                .unwrap_or_else(|| panic!("no code: {line}"));
            assert!(code.starts_with("vouch::"), "{line}");
        }
    }
}
