//! CSAF products named by `product_version_range`, judged for the release's version: the
//! OASIS example VEX `sec-vex-2022-0001.json` (Secvisogram `<=1.14.0`, a vers-like range,
//! `known_not_affected`) and CISA's `va-24-262-01.json` (Planet Fitness Workouts `0 < 9.8.12`,
//! which is neither a vers nor a vers-like range, `known_affected`, beside `fixed` 9.8.12),
//! read from `../shared/corpus` (skipped, with a printed reason, when absent), and `vers:`
//! ranges in a document made here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use crate::common;

use std::path::Path;

use common::write;
use vouch_engine::EvidenceGraph;
use vouch_engine::finding::FindingCode;
use vouch_engine::report::Status;

const AS_OF: &str = "2026-10-02T00:00:00Z";

const SHOW: &str = "  for v in vulnerabilities {\n\
    expect false else \"{v.id} {v.status}\"\n\
  }";

fn graph(dir: &Path, product: &str, version: &str, csaf: &str) -> EvidenceGraph {
    write(
        dir,
        "release.toml",
        format!(
            "[release]\nproduct = \"{product}\"\nversion = \"{version}\"\n\
             date = 2026-10-01\nartifacts = []\n"
        )
        .as_bytes(),
    );
    write(dir, "advisories/csaf.json", csaf.as_bytes());
    common::ingest(dir)
}

/// Each vulnerability's status, and whether the control saw the advisory as unreadable.
fn shown(graph: &EvidenceGraph) -> (Vec<String>, Vec<String>) {
    let control = common::run_control(graph, AS_OF, "", SHOW);
    control
        .findings
        .iter()
        .map(|f| f.message.clone())
        .partition(|m| !m.contains("unreadable"))
}

fn corpus_file(name: &str) -> Option<String> {
    let Some(corpus) = common::corpus() else {
        eprintln!("skipping: ../shared/corpus is not present");
        return None;
    };
    Some(std::fs::read_to_string(corpus.join("csaf").join(name)).unwrap())
}

#[test]
fn a_vers_like_range_in_a_real_vex_is_judged_for_the_release() {
    let Some(text) = corpus_file("sec-vex-2022-0001.json") else {
        return;
    };
    let ids = ["CVE-2021-44228", "CVE-2021-45046", "CVE-2021-45105"];
    for (version, status) in [
        ("1.13.0", "not_affected"),
        ("1.14.0", "not_affected"),
        ("1.9.2", "not_affected"),
        // Outside the range: the VEX says nothing about it (no other evidence: affected).
        ("1.15.0", "affected"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let g = graph(tmp.path(), "Secvisogram", version, &text);
        let (statuses, unreadable) = shown(&g);
        assert_eq!(
            statuses,
            ids.map(|id| format!("{id} {status}")),
            "Secvisogram {version}"
        );
        assert!(unreadable.is_empty(), "{unreadable:?}");
        assert_eq!(
            common::has_code(&g, FindingCode::VulnRangeUnjudged),
            status == "affected",
            "{version}: {:#?}",
            g.findings()
        );
        // A VEX statement whose range holds the release covers it.
        let covered = common::run_control(
            &g,
            AS_OF,
            "",
            "  expect any(e in release.vulnerability_evidence: e.kind == \"vex\")",
        );
        assert_eq!(
            covered.status == Status::Pass,
            status == "not_affected",
            "{version}"
        );
    }
    // `1.14` is `1.14.0` in PEP 440 and Maven, not in Debian's ordering, and the range names
    // no scheme: not judged, and every control reading vulnerabilities fails, saying why.
    let tmp = tempfile::tempdir().unwrap();
    let g = graph(tmp.path(), "Secvisogram", "1.14", &text);
    let (statuses, unreadable) = shown(&g);
    assert_eq!(statuses, ids.map(|id| format!("{id} under_investigation")));
    assert_eq!(unreadable.len(), 1, "{unreadable:?}");
    assert!(
        unreadable[0].contains("`<=1.14.0`")
            && unreadable[0].contains("one version in some schemes"),
        "{unreadable:?}"
    );
}

#[test]
fn an_unreadable_range_in_a_real_advisory_never_makes_the_release_fixed() {
    let Some(text) = corpus_file("va-24-262-01.json") else {
        return;
    };
    for version in ["9.8.12", "9.8.11", "10.0.0"] {
        let tmp = tempfile::tempdir().unwrap();
        let g = graph(tmp.path(), "Planet Fitness Workouts", version, &text);
        let (statuses, unreadable) = shown(&g);
        assert_eq!(
            statuses,
            ["CVE-2024-43201 under_investigation"],
            "{version}"
        );
        assert_eq!(unreadable.len(), 1, "{version}: {unreadable:?}");
        assert!(
            unreadable[0].contains("known_affected range `0 < 9.8.12`")
                && unreadable[0].contains("/product_tree/branches/0/branches/0/branches/0/name")
                && unreadable[0].contains("is not a plain dotted-number version"),
            "{unreadable:?}"
        );
        let finding = g
            .findings()
            .iter()
            .find(|f| f.code == FindingCode::VulnRangeUnjudged)
            .expect("a finding says why");
        assert_eq!(finding.path.as_deref(), Some("advisories/csaf.json"));
    }
    // A release of another product: the document's own status stands.
    let tmp = tempfile::tempdir().unwrap();
    let g = graph(tmp.path(), "widget", "9.8.12", &text);
    assert_eq!(shown(&g), (vec!["CVE-2024-43201 fixed".to_owned()], vec![]));
}

/// `vers:` ranges under each status, in a document made here: the listing that holds the
/// release's version decides; a scheme vouch cannot compare decides nothing.
#[test]
fn vers_ranges_decide_by_the_list_they_are_in() {
    let doc = |scheme: &str| {
        format!(
            r#"{{"document": {{"category": "csaf_security_advisory", "csaf_version": "2.0",
              "title": "t", "tracking": {{"id": "ACME-SA-1", "initial_release_date": "2026-08-01T00:00:00Z",
                "current_release_date": "2026-08-01T00:00:00Z"}}}},
              "product_tree": {{"branches": [{{"category": "vendor", "name": "ACME", "branches": [
                {{"category": "product_name", "name": "widget", "branches": [
                  {{"category": "product_version_range", "name": "vers:{scheme}/>=2.0.0|<2.4.1",
                    "product": {{"name": "ACME widget 2.x before 2.4.1", "product_id": "A"}}}},
                  {{"category": "product_version_range", "name": "vers:{scheme}/>=2.4.1|<3.0.0",
                    "product": {{"name": "ACME widget 2.4.1 and later 2.x", "product_id": "F"}}}},
                  {{"category": "product_version_range", "name": "vers:{scheme}/<2.0.0",
                    "product": {{"name": "ACME widget 1.x", "product_id": "N"}}}}]}}]}}]}},
              "vulnerabilities": [{{"cve": "CVE-2026-1",
                "product_status": {{"known_affected": ["A"], "fixed": ["F"], "known_not_affected": ["N"]}}}}]}}"#
        )
    };
    for (version, status) in [
        ("2.3.9", "affected"),
        ("2.4.1", "fixed"),
        ("2.9.0", "fixed"),
        ("1.2.0", "not_affected"),
        ("3.0.0", "affected"),
        ("2.4.1-rc.1", "affected"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let g = graph(tmp.path(), "widget", version, &doc("npm"));
        assert_eq!(
            shown(&g),
            (vec![format!("CVE-2026-1 {status}")], vec![]),
            "widget {version}"
        );
    }
    let tmp = tempfile::tempdir().unwrap();
    let g = graph(tmp.path(), "widget", "2.9.0", &doc("gem"));
    let (statuses, unreadable) = shown(&g);
    assert_eq!(statuses, ["CVE-2026-1 under_investigation"]);
    assert!(
        unreadable[0].contains("`gem` versioning scheme"),
        "{unreadable:?}"
    );
}
