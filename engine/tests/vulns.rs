//! Vulnerability evidence end to end: statements from registers merged by id and alias, the
//! durations policies judge SLAs by, the SLA boundary to the minute, and conflicts.
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
use vouch_engine::report::Status;
use vouch_engine::vulns::VulnStatus;
use vouch_engine::{EvidenceGraph, FindingCode};

const RELEASE: &str = "[release]\nproduct = \"widget\"\nversion = \"2.4.1\"\n\
    date = 2026-10-01\nartifacts = []\n";

/// Evaluates `body` as the one control of a policy with a 48-hour critical SLA.
fn status(graph: &EvidenceGraph, as_of: &str, body: &str) -> Status {
    let sla = "param sla: table<severity, duration> = \
               { critical: 48h, high: 5d, medium: 30d, low: 90d, info: 365d }";
    common::run_control(graph, as_of, sla, body).status
}

const SLA: &str = "  for v in vulnerabilities where v.status != not_affected {\n\
    let took = v.time_to_fix ?? v.open_for\n\
    expect took != none and took <= sla[v.severity ?? critical]\n\
    else \"{v.id} took {took}\"\n  } when empty: pass";

fn bundle(dir: &Path, register: &str) -> EvidenceGraph {
    write(dir, "release.toml", RELEASE.as_bytes());
    write(dir, "vulnerabilities.toml", register.as_bytes());
    common::ingest(dir)
}

#[test]
fn the_sla_holds_to_the_minute() {
    let fixed_in = |minutes: &str| {
        format!(
            "[[vulnerability]]\nid = \"CVE-2026-0001\"\nseverity = \"critical\"\n\
             discovered = 2026-09-01T10:00:00Z\nfixed_at = {minutes}\n"
        )
    };
    let tmp = tempfile::tempdir().unwrap();
    // 47h59m: inside the 48h SLA.
    let graph = bundle(tmp.path(), &fixed_in("2026-09-03T09:59:00Z"));
    assert_eq!(status(&graph, "2026-10-01T00:00:00Z", SLA), Status::Pass);
    // 48h exactly: still inside (the SLA is "within").
    let graph = bundle(tmp.path(), &fixed_in("2026-09-03T10:00:00Z"));
    assert_eq!(status(&graph, "2026-10-01T00:00:00Z", SLA), Status::Pass);
    // 48h01m: breached.
    let graph = bundle(tmp.path(), &fixed_in("2026-09-03T10:01:00Z"));
    assert_eq!(status(&graph, "2026-10-01T00:00:00Z", SLA), Status::Fail);
}

#[test]
fn an_open_vulnerability_is_judged_at_as_of() {
    let tmp = tempfile::tempdir().unwrap();
    let graph = bundle(
        tmp.path(),
        "[[vulnerability]]\nid = \"CVE-2026-0002\"\nseverity = \"critical\"\n\
         discovered = 2026-09-01T10:00:00Z\n",
    );
    assert_eq!(status(&graph, "2026-09-03T09:59:00Z", SLA), Status::Pass);
    assert_eq!(status(&graph, "2026-09-03T10:01:00Z", SLA), Status::Fail);
}

#[test]
fn a_cve_and_its_ghsa_alias_in_two_files_are_one_vulnerability() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "internal.vulns.toml",
        b"[[vulnerability]]\nid = \"GHSA-abcd-efgh-ijkl\"\ndiscovered = 2026-09-01T00:00:00Z\n",
    );
    let graph = bundle(
        tmp.path(),
        "[[vulnerability]]\nid = \"CVE-2026-0003\"\naliases = [\"GHSA-abcd-efgh-ijkl\"]\n\
         severity = \"high\"\nfixed_at = 2026-09-04T00:00:00Z\nfixed_in = \"2.4.1\"\n",
    );
    let vulns: Vec<_> = graph.vulnerabilities().collect();
    assert_eq!(vulns.len(), 1, "{vulns:?}");
    let (id, v) = vulns[0];
    assert_eq!(v.id, "CVE-2026-0003");
    assert_eq!(v.aliases, ["GHSA-ABCD-EFGH-IJKL"]);
    assert_eq!(v.status, VulnStatus::Fixed);
    assert_eq!(graph.statements_of(id).len(), 2);
    // Discovered in one file, fixed in the other: 3 days, within the 5-day high SLA.
    assert_eq!(status(&graph, "2026-10-01T00:00:00Z", SLA), Status::Pass);
    assert_eq!(
        status(
            &graph,
            "2026-10-01T00:00:00Z",
            "  expect all(v in vulnerabilities: v.time_to_fix != none and v.time_to_fix == 3d and len(v.sources) == 2)"
        ),
        Status::Pass
    );
}

#[test]
fn contradicting_registers_are_a_finding() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "old.vulns.toml",
        b"[[vulnerability]]\nid = \"CVE-2026-0004\"\nstatus = \"affected\"\n",
    );
    let graph = bundle(
        tmp.path(),
        "[[vulnerability]]\nid = \"CVE-2026-0004\"\nstatus = \"not_affected\"\n\
         justification = \"vulnerable_code_not_in_execute_path\"\n",
    );
    let conflict = graph
        .findings()
        .iter()
        .find(|f| f.code == FindingCode::VulnConflict)
        .expect("a conflict finding");
    assert!(conflict.message.contains("CVE-2026-0004"), "{conflict:?}");
    assert_eq!(conflict.line, Some(1));
}

#[test]
fn the_score_and_band_come_from_the_vector_and_a_wrong_stated_score_is_a_finding() {
    let tmp = tempfile::tempdir().unwrap();
    let graph = bundle(
        tmp.path(),
        "[[vulnerability]]\nid = \"CVE-2014-0160\"\n\
         cvss = \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N\"\ncvss_score = 7.5\n\n\
         [[vulnerability]]\nid = \"CVE-2026-0009\"\n\
         cvss = \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"\ncvss_score = 5.0\n\n\
         [[vulnerability]]\nid = \"CVE-2026-0010\"\ncvss = \"CVSS:3.1/AV:Q\"\n",
    );
    let vulns: Vec<_> = graph.vulnerabilities().map(|(_, v)| v).collect();
    // Heartbleed: 7.5, high (no severity stated: the band comes from the score).
    assert_eq!(vulns[0].cvss_score, Some(7.5));
    assert_eq!(vulns[0].severity, Some(vouch_engine::vulns::Band::High));
    // The vector scores 9.8 whatever the file says.
    assert_eq!(vulns[1].cvss_score, Some(9.8));
    let codes: Vec<_> = graph.findings().iter().map(|f| (f.code, f.line)).collect();
    assert!(
        codes.contains(&(FindingCode::CvssScoreMismatch, Some(6))),
        "{codes:?}"
    );
    assert!(
        codes.contains(&(FindingCode::CvssInvalidVector, Some(11))),
        "{codes:?}"
    );
    assert_eq!(
        status(
            &graph,
            "2026-10-01T00:00:00Z",
            "  expect any(v in vulnerabilities: v.severity != none and v.severity == critical and v.cvss_score != none and v.cvss_score > 9.0)"
        ),
        Status::Pass
    );
}
