//! Partly bad evidence files: a file with some good and some bad entries is read for its good
//! entries, which are still shown, and is also an unreadable record of its kind (`partly
//! unreadable: ...`, naming the first bad part), so every control that reads that kind fails
//! on it rather than judging what is left. One case per kind of damage: a register entry with
//! a value of the wrong type, an OSV-Scanner result with a broken record (from the real
//! output in `../shared/corpus/scans`), a malformed SHA256SUMS line.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use crate::common;

use std::path::Path;

use vouch_engine::EvidenceGraph;
use vouch_engine::formats::EvidenceKind;
use vouch_engine::report::Status;

const AS_OF: &str = "2026-10-02T00:00:00Z";

fn compliant(rel: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../examples/bundles/compliant")
            .join(rel),
    )
    .unwrap()
}

fn graph_of(files: &[(&str, &str)]) -> (tempfile::TempDir, EvidenceGraph) {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in files {
        common::write(dir.path(), rel, text.as_bytes());
    }
    let graph = common::ingest(dir.path());
    (dir, graph)
}

/// The one unreadable record of the graph: (path, kind, error).
fn unreadable(graph: &EvidenceGraph) -> (String, EvidenceKind, String) {
    let u = graph.unreadable();
    assert_eq!(u.len(), 1, "{u:#?}");
    (u[0].path.clone(), u[0].kind, u[0].failure.error.clone())
}

/// Runs a control whose body is `body`; asserts it fails with a finding naming `path`.
fn fails_naming(graph: &EvidenceGraph, body: &str, path: &str) {
    let r = common::run_control(graph, AS_OF, "", body);
    assert_eq!(r.status, Status::Fail, "{r:#?}");
    assert!(
        r.findings
            .iter()
            .any(|f| f.message.contains(path) && f.message.contains("partly unreadable")),
        "{r:#?}"
    );
}

const SHOW_VULNS: &str = "  for v in vulnerabilities {\n\
    expect v.status != affected else \"{v.id} is affected\"\n  } when empty: pass";

#[test]
fn a_register_with_one_bad_entry_keeps_the_good_ones_and_fails_closed() {
    let register = compliant("vulnerabilities.toml").replacen(
        "discovered = 2026-09-27T09:00:00Z",
        "discovered = \"last tuesday\"",
        1,
    );
    let (_dir, graph) = graph_of(&[("vulnerabilities.toml", &register)]);
    let (path, kind, error) = unreadable(&graph);
    assert_eq!(
        (path.as_str(), kind),
        ("vulnerabilities.toml", EvidenceKind::VulnRegister)
    );
    assert!(
        error.starts_with("partly unreadable: `discovered` must be a date"),
        "{error}"
    );
    // The good entries are still there.
    let ids: Vec<&str> = graph
        .vuln_statements()
        .map(|(_, s)| s.statement.id.as_str())
        .collect();
    assert!(ids.contains(&"CVE-2026-41234"), "{ids:?}");
    fails_naming(&graph, SHOW_VULNS, "vulnerabilities.toml");
}

#[test]
fn an_osv_scanner_result_with_one_broken_record_fails_closed() {
    let Some(corpus) = common::corpus() else {
        eprintln!("skipping: ../shared/corpus is not present");
        return;
    };
    let text = std::fs::read_to_string(
        corpus.join("scans/osv-scanner-cargo-multiple-packages-with-vulns.json"),
    )
    .unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["results"][0]["packages"][0]["vulnerabilities"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({ "id": 5, "modified": "2024-01-01T00:00:00Z" }));
    let broken = serde_json::to_string_pretty(&doc).unwrap();
    let (_dir, good) = graph_of(&[("scans/osv.json", &text)]);
    let (_dir2, graph) = graph_of(&[("scans/osv.json", &broken)]);
    assert!(good.unreadable().is_empty());
    let (path, _, error) = unreadable(&graph);
    assert_eq!(path, "scans/osv.json");
    assert!(
        error.contains("/results/0/packages/0/vulnerabilities/2"),
        "{error}"
    );
    // Every good record is still read.
    assert_eq!(
        graph.vuln_statements().count(),
        good.vuln_statements().count()
    );
    fails_naming(&graph, SHOW_VULNS, "scans/osv.json");
}

#[test]
fn a_checksum_file_with_a_malformed_line_keeps_its_good_lines_and_fails_closed() {
    let sums = format!("{}zzzz not a checksum line\n", compliant("dist/SHA256SUMS"));
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/bundles/compliant");
    for rel in [
        "release.toml",
        "dist/widget-2.4.1.tar.gz",
        "dist/widget-2.4.1.zip",
    ] {
        common::write(dir.path(), rel, &std::fs::read(example.join(rel)).unwrap());
    }
    common::write(dir.path(), "dist/SHA256SUMS", sums.as_bytes());
    let graph = common::ingest(dir.path());
    let (path, kind, error) = unreadable(&graph);
    assert_eq!(
        (path.as_str(), kind),
        ("dist/SHA256SUMS", EvidenceKind::Checksums)
    );
    assert!(
        error.starts_with("partly unreadable: line is not a checksum"),
        "{error}"
    );
    let entries = graph
        .nodes()
        .filter(|(_, n)| matches!(n, vouch_engine::graph::Node::ChecksumEntry(_)))
        .count();
    assert_eq!(entries, 2, "the two good lines are still read");
    fails_naming(
        &graph,
        "  for a in release.artifacts {\n    expect len(a.checksums) > 0\n  }",
        "dist/SHA256SUMS",
    );
}
