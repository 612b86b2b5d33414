//! Bounded resources inside a bundle: hard links out of the bundle are not read, findings
//! per file are capped with a count, and text output escapes control characters in names.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use crate::common;

use common::*;
use vouch_engine::FindingCode;
use vouch_engine::finding::MAX_FINDINGS_PER_FILE;
use vouch_engine::graph::render;

#[test]
fn hard_link_to_a_file_outside_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    // A file outside the bundle, in checksum-file shape, so that reading it would quote its
    // lines into the graph.
    let secret = write(
        outside.path(),
        "secret",
        format!("{}  private-key.pem\n", "ab".repeat(32)).as_bytes(),
    );
    std::fs::hard_link(&secret, dir.path().join("dist.sha256")).unwrap();
    write(dir.path(), "good.txt", b"good\n");
    let graph = ingest(dir.path());
    assert_eq!(
        findings_at(&graph, "dist.sha256"),
        [(FindingCode::HardLinkEscape, None)]
    );
    assert_eq!(
        unclassified_reason(&graph, "dist.sha256").as_deref(),
        Some("hard link out of the bundle")
    );
    assert!(graph.file("dist.sha256").is_none(), "not a file node");
    assert!(
        !render::json(&graph).contains("private-key.pem"),
        "nothing of the outside file reaches the graph"
    );
    assert!(graph.file("good.txt").is_some());
}

#[test]
fn hard_links_inside_the_bundle_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.txt", b"same\n");
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::hard_link(&a, dir.path().join("sub/b.txt")).unwrap();
    let graph = ingest(dir.path());
    assert!(!has_code(&graph, FindingCode::HardLinkEscape));
    assert!(graph.file("a.txt").is_some());
    assert!(graph.file("sub/b.txt").is_some());
}

#[test]
fn findings_per_file_are_capped_with_a_count() {
    let dir = tempfile::tempdir().unwrap();
    // One good checksum line (so the file is a checksum file) and 1,000 malformed lines.
    let mut text = format!("{}  good.txt\n", "ab".repeat(32));
    for i in 0..1000 {
        text.push_str(&format!("this is not a checksum line {i}\n"));
    }
    write(dir.path(), "SHA256SUMS", text.as_bytes());
    write(dir.path(), "good.txt", b"good\n");
    let graph = ingest(dir.path());
    let here: Vec<_> = graph
        .findings()
        .iter()
        .filter(|f| f.path.as_deref() == Some("SHA256SUMS"))
        .collect();
    assert!(
        here.len() <= MAX_FINDINGS_PER_FILE + 2,
        "{} findings for one file",
        here.len()
    );
    let summary = here
        .iter()
        .find(|f| f.message.starts_with("and "))
        .expect("a finding counts the ones left out");
    assert_eq!(summary.code, FindingCode::ChecksumMalformedLine);
    let listed = here
        .iter()
        .filter(|f| f.code == FindingCode::ChecksumMalformedLine)
        .count()
        - 1;
    assert!(
        summary
            .message
            .contains(&format!("and {} more", 1000 - listed)),
        "{}",
        summary.message
    );
}

#[test]
fn graph_text_output_escapes_control_characters_in_names() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "evil\u{1b}]8;;http://x\u{7}\u{1b}[2J.txt",
        b"x\n",
    );
    write(dir.path(), "two\nlines.txt", b"x\n");
    let graph = ingest(dir.path());
    for (name, text) in [
        ("dot", render::dot(&graph)),
        ("mermaid", render::mermaid(&graph)),
    ] {
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{name} output holds raw control characters:\n{text}"
        );
        assert!(text.contains("\\x1b"), "{name}:\n{text}");
        assert!(!text.contains("two\nlines"), "{name}:\n{text}");
    }
}

/// Evaluates one control over `graph` with `waivers` (TOML).
fn evaluate_with_waivers(
    graph: &vouch_engine::EvidenceGraph,
    body: &str,
    waivers: &str,
) -> vouch_engine::report::Report {
    let text = format!(
        "policy \"t\" {{ title = \"T\" framework = \"uk-sscop\" }}\n\
         control \"T\" {{\n  title = \"t\"\n  provision = [\"3.1\"]\n  severity = high\n{body}\n}}\n"
    );
    let out = vouch_lang::check_with(
        vouch_lang::Source::new("t.vouch", text),
        &vouch_lang::NoImports,
        &frameworks(),
        &vouch_lang::LintLevels::default(),
    );
    let policy = out
        .policy
        .unwrap_or_else(|| panic!("policy does not check: {:#?}", out.diagnostics));
    let mut options = vouch_engine::EvaluationOptions::at("2026-10-01T00:00:00Z".parse().unwrap());
    // Approved as if signed by a trusted key (signatures are tested in tests/cli_waivers.rs).
    options.waivers = vec![vouch_engine::waivers::WaiverFile {
        approval: vouch_engine::waivers::Approval {
            file: "w.toml".to_owned(),
            sha256: String::new(),
            signatures: Vec::new(),
            approver: Some(vouch_engine::waivers::Approver {
                key_id: "C025C99C77B7650CC792B404F7AA08F7CED3225A".to_owned(),
                signer: None,
                dated: true,
            }),
            refused: None,
        },
        waivers: vouch_engine::waivers::parse_waivers("w.toml", waivers)
            .unwrap()
            .0,
    }];
    vouch_engine::evaluate(&policy, graph, &options)
}

#[test]
fn findings_per_control_are_capped_and_counted() {
    use vouch_engine::report::{MAX_CONTROL_FINDINGS, Status};
    let dir = tempfile::tempdir().unwrap();
    for i in 0..1200 {
        write(dir.path(), &format!("a/{i:04}.txt"), b"x\n");
    }
    write(dir.path(), "b/last.txt", b"x\n");
    let graph = ingest(dir.path());
    let body = "  for f in files {\n    expect f.size > 100 else \"{f.path} is small\"\n  }";
    let report = evaluate_with_waivers(&graph, body, "");
    let c = &report.controls[0];
    assert_eq!(c.status, Status::Fail);
    assert_eq!(c.findings.len(), MAX_CONTROL_FINDINGS);
    assert_eq!(c.findings_omitted, 1201 - MAX_CONTROL_FINDINGS);
    let json =
        vouch_engine::report::render::render(&report, vouch_engine::report::render::Format::Json);
    assert!(
        json.contains("\"findings_omitted\": 201"),
        "{}",
        &json[..2000.min(json.len())]
    );
    // SARIF and OSCAL say so too.
    use vouch_engine::report::render::{Format, render};
    let sarif: serde_json::Value = serde_json::from_str(&render(&report, Format::Sarif)).unwrap();
    assert_eq!(
        sarif["runs"][0]["properties"]["findingsOmitted"]["T"],
        serde_json::json!(201)
    );
    let oscal: serde_json::Value = serde_json::from_str(&render(&report, Format::Oscal)).unwrap();
    let finding = &oscal["assessment-results"]["results"][0]["findings"][0];
    assert!(
        finding["props"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "findings-omitted" && p["value"] == "201"),
        "{finding}"
    );

    // A waiver naming every finding but the last file's: the control still fails, and the
    // waiver's count includes the findings that are not listed (named by their fingerprints,
    // made here as vouch makes them: the listed finding of a/0000.txt is the template).
    let template = &c.findings[0];
    let fingerprints: Vec<String> = (0..1200)
        .map(|i| {
            let path = format!("a/{i:04}.txt");
            let mut evidence = template.evidence.clone();
            evidence[0].path = path.clone();
            vouch_engine::waivers::fingerprint(&vouch_engine::waivers::FindingKey {
                control: "T",
                expect: &template.expect,
                message: &format!("{path} is small"),
                subject: Some(&path),
                evidence: &evidence,
                evidence_omitted: 0,
            })
        })
        .collect();
    assert_eq!(fingerprints[0], template.fingerprint);
    let waivers = format!(
        "[[waiver]]\nid = \"W-A\"\ncontrol = \"T\"\nfindings = [\"{}\"]\n\
         justification = \"j\"\neffective = 2026-09-01\nexpires = 2026-12-31\n",
        fingerprints.join("\", \"")
    );
    let waivers = waivers.as_str();
    let report = evaluate_with_waivers(&graph, body, waivers);
    assert_eq!(
        report.controls[0].status,
        Status::Fail,
        "b/last.txt is not waived"
    );
    assert_eq!(report.waivers[0].matched, 1200);

    // Remove the unwaived file: now every finding, listed or not, is waived.
    std::fs::remove_file(dir.path().join("b/last.txt")).unwrap();
    let graph = ingest(dir.path());
    let report = evaluate_with_waivers(&graph, body, waivers);
    assert_eq!(report.controls[0].status, Status::Waived);
}
