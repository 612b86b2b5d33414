//! The real OSV advisories, OSV-Scanner outputs and OpenVEX documents in
//! `../shared/corpus` are classified, parse without errors, and merge. Skipped, with a
//! printed reason, when the corpus is absent.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use crate::common;

use vouch_engine::formats::EvidenceKind;
use vouch_engine::vulns::VulnStatus;
use vouch_engine::{EvidenceGraph, Severity};

/// Copies the corpus files of `dir` whose names pass `keep` into a temporary bundle and
/// ingests it.
fn ingest_corpus(
    dir: &str,
    keep: impl Fn(&str) -> bool,
) -> Option<(tempfile::TempDir, EvidenceGraph)> {
    let Some(corpus) = common::corpus() else {
        eprintln!("skipping: ../shared/corpus is not present");
        return None;
    };
    let tmp = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(corpus.join(dir)).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if keep(&name) {
            std::fs::copy(&path, tmp.path().join(&name)).unwrap();
        }
    }
    let graph = common::ingest(tmp.path());
    Some((tmp, graph))
}

fn kinds(graph: &EvidenceGraph) -> Vec<(String, Option<EvidenceKind>)> {
    graph
        .files()
        .map(|(_, f)| (f.path.clone(), f.kind))
        .collect()
}

fn errors(graph: &EvidenceGraph) -> Vec<String> {
    graph
        .findings()
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{:?} {}: {}", f.path, f.code, f.message))
        .collect()
}

fn statement_count(graph: &EvidenceGraph, path: &str) -> usize {
    graph
        .vulnerabilities()
        .flat_map(|(id, _)| graph.statements_of(id))
        .filter(|(_, s)| s.source.path == path)
        .count()
}

#[test]
fn osv_advisories_parse_and_merge_with_their_aliases() {
    let Some((_tmp, graph)) = ingest_corpus("osv", |_| true) else {
        return;
    };
    for (path, kind) in kinds(&graph) {
        assert_eq!(kind, Some(EvidenceKind::OsvAdvisory), "{path}");
        assert_eq!(statement_count(&graph, &path), 1, "{path}");
    }
    assert_eq!(errors(&graph), Vec::<String>::new());
    // GHSA-qc84-gqf4-9926 names CVE-2022-23639: one vulnerability under the CVE.
    let v = graph
        .vulnerabilities()
        .map(|(_, v)| v)
        .find(|v| v.id == "CVE-2022-23639")
        .expect("merged under the CVE");
    assert!(v.aliases.contains(&"GHSA-QC84-GQF4-9926".to_owned()));
    assert_eq!(v.fixed_in.as_deref(), Some("0.8.7"));
    assert_eq!(v.cvss_score, Some(8.1));
}

#[test]
fn osv_scanner_outputs_parse() {
    let Some((_tmp, graph)) = ingest_corpus("scans", |n| n.starts_with("osv-scanner")) else {
        return;
    };
    for (path, kind) in kinds(&graph) {
        assert_eq!(kind, Some(EvidenceKind::OsvScannerScan), "{path}");
        assert!(statement_count(&graph, &path) > 0, "{path}");
    }
    assert_eq!(errors(&graph), Vec::<String>::new());
    // crossbeam-utils 0.6.6 is affected by GHSA-qc84-gqf4-9926 (CVE-2022-23639).
    let statement = graph
        .vulnerabilities()
        .flat_map(|(id, _)| graph.statements_of(id))
        .map(|(_, s)| s)
        .find(|s| s.statement.id == "GHSA-qc84-gqf4-9926")
        .expect("the crossbeam advisory");
    assert_eq!(statement.statement.installed.as_deref(), Some("0.6.6"));
    assert_eq!(
        statement.statement.package.as_deref(),
        Some("crossbeam-utils")
    );
}

#[test]
fn openvex_documents_parse() {
    let Some((_tmp, graph)) = ingest_corpus("openvex", |_| true) else {
        return;
    };
    for (path, kind) in kinds(&graph) {
        assert_eq!(kind, Some(EvidenceKind::OpenVex), "{path}");
        assert!(statement_count(&graph, &path) > 0, "{path}");
    }
    assert_eq!(errors(&graph), Vec::<String>::new());
    // Aqua's trivy VEX says GO-2024-2575 (CVE-2024-26147) does not affect trivy.
    let v = graph
        .vulnerabilities()
        .map(|(_, v)| v)
        .find(|v| v.id == "CVE-2024-26147")
        .expect("merged under the CVE");
    assert_eq!(v.status, VulnStatus::NotAffected);
    assert!(v.justification.is_some());
}

#[test]
fn no_corpus_file_of_these_kinds_is_left_unclassified() {
    for dir in ["osv", "openvex"] {
        let Some((_tmp, graph)) = ingest_corpus(dir, |_| true) else {
            return;
        };
        assert!(
            graph.unclassified().is_empty(),
            "{dir}: {:?}",
            graph.unclassified()
        );
    }
}

#[test]
fn csaf_documents_parse_into_advisories() {
    let Some((_tmp, graph)) = ingest_corpus("csaf", |_| true) else {
        return;
    };
    for (path, kind) in kinds(&graph) {
        assert_eq!(kind, Some(EvidenceKind::CsafAdvisory), "{path}");
    }
    assert_eq!(errors(&graph), Vec::<String>::new());
    assert_eq!(graph.advisories().count(), 10);
    // Red Hat's RHSA-2024:4546 fixes CVE-2023-45288, discovered 2024-03-06.
    let rhsa = graph
        .advisories()
        .map(|(_, a)| a)
        .find(|a| a.advisory.id == "RHSA-2024:4546")
        .expect("the Red Hat advisory");
    assert!(
        rhsa.advisory
            .vulnerabilities
            .contains(&"CVE-2023-45288".to_owned())
    );
    let v = graph
        .vulnerabilities()
        .map(|(_, v)| v)
        .find(|v| v.id == "CVE-2023-45288")
        .expect("the vulnerability");
    assert_eq!(v.status, VulnStatus::Fixed);
    assert_eq!(
        v.discovered.map(|t| t.to_string()).as_deref(),
        Some("2024-03-06T00:00:00Z")
    );
    // The CSAF VEX documents say Log4Shell (CVE-2021-44228) both affects one product and
    // not another: two VEX sources disagreeing is a conflict finding, not silence.
    assert!(
        graph
            .findings()
            .iter()
            .any(|f| f.code == vouch_engine::FindingCode::VulnConflict
                && f.message.contains("CVE-2021-44228")),
        "{:?}",
        graph.findings()
    );
}
