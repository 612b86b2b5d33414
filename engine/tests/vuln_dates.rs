//! Impossible dates and vulnerability evidence for the release: a fix before its discovery, a
//! discovery or a fix after `as_of`, an advisory published after `as_of`, a support cycle
//! that ends before it begins; and which scans, registers and VEX documents cover the release.
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
use vouch_engine::report::{ControlResult, Status};

const RELEASE: &str = "[release]\nproduct = \"widget\"\nversion = \"2.4.1\"\n\
    date = 2026-10-01\nartifacts = []\n";

const AS_OF: &str = "2026-10-02T00:00:00Z";

fn run(graph: &EvidenceGraph, body: &str) -> ControlResult {
    common::run_control(graph, AS_OF, "", body)
}

/// Every finding's message, in order.
fn messages(result: &ControlResult) -> Vec<String> {
    result.findings.iter().map(|f| f.message.clone()).collect()
}

fn bundle(dir: &Path, files: &[(&str, &str)]) -> EvidenceGraph {
    write(dir, "release.toml", RELEASE.as_bytes());
    for (path, text) in files {
        write(dir, path, text.as_bytes());
    }
    common::ingest(dir)
}

/// Reports each vulnerability's derived durations and date conflicts as findings.
const SHOW_VULNS: &str = "  for v in vulnerabilities {\n\
    expect false else \"{v.id}: ttf={v.time_to_fix} open={v.open_for} conflicts={v.date_conflicts}\"\n\
  }";

#[test]
fn a_fix_before_its_discovery_has_no_time_to_fix_and_fails_the_sla() {
    let tmp = tempfile::tempdir().unwrap();
    let graph = bundle(
        tmp.path(),
        &[(
            "vulnerabilities.toml",
            "[[vulnerability]]\nid = \"CVE-2026-0001\"\nseverity = \"critical\"\n\
             discovered = 2026-09-20T00:00:00Z\nfixed_at = 2026-09-10T00:00:00Z\n",
        )],
    );
    assert_eq!(
        messages(&run(&graph, SHOW_VULNS)),
        [
            "CVE-2026-0001: ttf=none open=none conflicts=[\"fixed_at 2026-09-10T00:00:00Z is before \
          discovered 2026-09-20T00:00:00Z (vulnerabilities.toml:1)\"]"
        ]
    );
    // A fail-closed SLA check fails it: the negative duration no longer meets the SLA.
    let sla = "  for v in vulnerabilities {\n\
        expect v.time_to_fix != none and v.time_to_fix <= 48h else \"{v.id}\"\n  }";
    assert_eq!(run(&graph, sla).status, Status::Fail);
}

#[test]
fn an_early_fix_in_one_file_and_a_late_discovery_in_another_conflict() {
    let tmp = tempfile::tempdir().unwrap();
    let graph = bundle(
        tmp.path(),
        &[
            (
                "vulnerabilities.toml",
                "[[vulnerability]]\nid = \"CVE-2026-0002\"\ndiscovered = 2026-09-20T00:00:00Z\n",
            ),
            (
                "fixes.vulns.toml",
                "# fixes\n[[vulnerability]]\nid = \"CVE-2026-0002\"\nfixed_at = 2026-09-01T00:00:00Z\n",
            ),
        ],
    );
    assert_eq!(
        messages(&run(&graph, SHOW_VULNS)),
        [
            "CVE-2026-0002: ttf=none open=none conflicts=[\"fixed_at 2026-09-01T00:00:00Z \
          (fixes.vulns.toml:2) is before discovered 2026-09-20T00:00:00Z (vulnerabilities.toml:1)\"]"
        ]
    );
}

#[test]
fn a_discovery_or_a_fix_after_as_of_is_a_conflict() {
    let tmp = tempfile::tempdir().unwrap();
    let graph = bundle(
        tmp.path(),
        &[(
            "vulnerabilities.toml",
            "[[vulnerability]]\nid = \"CVE-2026-0003\"\nstatus = \"under_investigation\"\n\
             discovered = 2026-10-05T00:00:00Z\n\n\
             [[vulnerability]]\nid = \"CVE-2026-0004\"\nstatus = \"fixed\"\n\
             discovered = 2026-09-30T00:00:00Z\nfixed_at = 2026-11-01T00:00:00Z\n",
        )],
    );
    assert_eq!(
        messages(&run(&graph, SHOW_VULNS)),
        [
            "CVE-2026-0003: ttf=none open=none conflicts=[\"discovered 2026-10-05T00:00:00Z \
             (vulnerabilities.toml:1) is after as_of 2026-10-02T00:00:00Z\"]",
            "CVE-2026-0004: ttf=none open=none conflicts=[\"fixed_at 2026-11-01T00:00:00Z \
             (vulnerabilities.toml:6) is after as_of 2026-10-02T00:00:00Z: the fix is not released yet\"]",
        ]
    );
}

#[test]
fn sound_dates_have_no_conflicts() {
    let tmp = tempfile::tempdir().unwrap();
    let graph = bundle(
        tmp.path(),
        &[(
            "vulnerabilities.toml",
            "[[vulnerability]]\nid = \"CVE-2026-0005\"\n\
             discovered = 2026-09-20T00:00:00Z\nfixed_at = 2026-09-21T00:00:00Z\n",
        )],
    );
    assert_eq!(
        messages(&run(&graph, SHOW_VULNS)),
        ["CVE-2026-0005: ttf=1d open=none conflicts=[]"]
    );
}

const OSV_ADVISORY: &str = r#"{"schema_version": "1.6.0", "id": "ACME-SA-2026-009",
  "published": "2026-10-20T00:00:00Z", "modified": "2026-10-01T00:00:00Z",
  "aliases": ["CVE-2026-0009"], "summary": "x",
  "affected": [{"package": {"ecosystem": "PyPI", "name": "widget"},
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.4.1"}]}]}]}"#;

#[test]
fn an_advisory_published_after_as_of_is_not_published() {
    let tmp = tempfile::tempdir().unwrap();
    let graph = bundle(
        tmp.path(),
        &[("advisories/acme-sa-2026-009.json", OSV_ADVISORY)],
    );
    let show = "  for a in advisories {\n\
        expect false else \"{a.id}: published={a.published} updated={a.updated} {a.date_conflicts}\"\n  }";
    assert_eq!(
        messages(&run(&graph, show)),
        [
            "ACME-SA-2026-009: published=none updated=none [\"published 2026-10-20T00:00:00Z is \
          after as_of 2026-10-02T00:00:00Z: not yet published (advisories/acme-sa-2026-009.json)\", \
          \"updated 2026-10-01T00:00:00Z is before published 2026-10-20T00:00:00Z \
          (advisories/acme-sa-2026-009.json)\"]"
        ]
    );
}

#[test]
fn a_cycle_that_ends_before_it_begins_is_a_conflict() {
    let tmp = tempfile::tempdir().unwrap();
    let graph = bundle(
        tmp.path(),
        &[(
            "support.toml",
            "[[cycle]]\ncycle = \"2.4\"\nreleased = 2026-04-01\nsupport_until = 2026-01-01\n\
             eol = 2025-12-01\neol_announced = 2026-12-01\n\n\
             [[cycle]]\ncycle = \"2.3\"\nreleased = 2025-04-01\nsupport_until = 2026-01-01\n\
             eol = 2027-01-01\neol_announced = 2025-04-01\n",
        )],
    );
    let show = "  for c in support.cycles {\n\
        expect false else \"{c.cycle}: notice={c.notice} {c.date_conflicts}\"\n  }";
    assert_eq!(
        messages(&run(&graph, show)),
        [
            "2.4: notice=none [\"eol 2025-12-01 is before released 2026-04-01 (support.toml:1)\", \
             \"eol 2025-12-01 is before support_until 2026-01-01 (support.toml:1)\", \
             \"eol_announced 2026-12-01 is after as_of 2026-10-02T00:00:00Z: not announced yet \
             (support.toml:1)\", \"support_until 2026-01-01 is before released 2026-04-01 \
             (support.toml:1)\"]",
            "2.3: notice=640d []",
        ]
    );
}

/// Reports each piece of the release's vulnerability evidence as a finding.
const SHOW_EVIDENCE: &str = "  for e in release.vulnerability_evidence {\n\
    expect false else \"{e.path} {e.kind} {e.format}\"\n  } when empty: pass";

fn evidence(files: &[(&str, &str)]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let graph = bundle(tmp.path(), files);
    messages(&run(&graph, SHOW_EVIDENCE)).join("\n")
}

const OPENVEX: &str = r#"{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "x",
  "author": "a", "timestamp": "2026-09-29T00:00:00Z", "version": 1,
  "statements": [{"vulnerability": {"name": "CVE-2024-1"},
    "products": [{"@id": "PRODUCT"}], "status": "not_affected",
    "justification": "vulnerable_code_not_present"}]}"#;

const TRIVY: &str = r#"{"SchemaVersion": 2, "CreatedAt": "CREATED", "ArtifactName": "widget",
  "ArtifactType": "filesystem", "Results": []}"#;

#[test]
fn vulnerability_evidence_is_a_scan_a_register_or_vex_naming_the_release() {
    assert_eq!(evidence(&[]), "");
    // A register with entries counts; an empty one says nothing was looked at.
    let entry = "[[vulnerability]]\nid = \"CVE-2026-1\"\n";
    assert_eq!(
        evidence(&[("vulnerabilities.toml", entry)]),
        "vulnerabilities.toml register vouch-register"
    );
    assert_eq!(evidence(&[("vulnerabilities.toml", "# nothing yet\n")]), "");
    // A scan that ran before as_of counts, even with no findings; one dated later does not.
    let ran = TRIVY.replace("CREATED", "2026-09-29T06:00:00Z");
    assert_eq!(
        evidence(&[("scans/trivy.json", &ran)]),
        "scans/trivy.json scan trivy"
    );
    let future = TRIVY.replace("CREATED", "2026-10-09T06:00:00Z");
    assert_eq!(evidence(&[("scans/trivy.json", &future)]), "");
    // VEX counts only when a statement names the product at this version.
    let ours = OPENVEX.replace("PRODUCT", "pkg:generic/acme/widget@2.4.1");
    assert_eq!(
        evidence(&[("vex/w.openvex.json", &ours)]),
        "vex/w.openvex.json vex openvex"
    );
    let older = OPENVEX.replace("PRODUCT", "pkg:generic/acme/widget@2.4.0");
    assert_eq!(evidence(&[("vex/w.openvex.json", &older)]), "");
}

/// The impossible order is also an ingestion finding, located at the statement.
#[test]
fn a_fix_before_its_discovery_is_an_ingestion_finding() {
    let tmp = tempfile::tempdir().unwrap();
    let graph = bundle(
        tmp.path(),
        &[(
            "vulnerabilities.toml",
            "# register\n[[vulnerability]]\nid = \"CVE-2026-0001\"\n\
             discovered = 2026-09-20T00:00:00Z\nfixed_at = 2026-09-10T00:00:00Z\n",
        )],
    );
    let found: Vec<_> = graph
        .findings()
        .iter()
        .filter(|f| f.code == vouch_engine::FindingCode::VulnImpossibleDates)
        .map(|f| (f.path.clone(), f.line, f.message.clone()))
        .collect();
    assert_eq!(
        found,
        [(
            Some("vulnerabilities.toml".to_owned()),
            Some(2),
            "CVE-2026-0001: fixed_at 2026-09-10T00:00:00Z is before discovered 2026-09-20T00:00:00Z"
                .to_owned()
        )]
    );
}

/// The release's vulnerability evidence with `release` for release.toml.
fn evidence_for(release: &str, files: &[(&str, &str)]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "release.toml", release.as_bytes());
    for (path, text) in files {
        write(tmp.path(), path, text.as_bytes());
    }
    let graph = common::ingest(tmp.path());
    messages(&run(&graph, SHOW_EVIDENCE)).join("\n")
}

/// Real CSAF VEX documents (`../shared/corpus/csaf`): one counts for the release whose
/// product and version its product tree names (by full product name, purl or CPE) in the
/// status list that decided the statement, and not for another product or version.
#[test]
fn csaf_vex_covers_the_release_its_product_tree_names() {
    let Some(corpus) = common::corpus() else {
        eprintln!("skipping: ../shared/corpus is not present");
        return;
    };
    let read = |name: &str| std::fs::read_to_string(corpus.join("csaf").join(name)).unwrap();
    let release = |product: &str, version: &str| {
        format!(
            "[release]\nproduct = \"{product}\"\nversion = \"{version}\"\n\
             date = 2026-10-01\nartifacts = []\n"
        )
    };
    // "Example Company DEF 1.0", known_affected by CVE-2021-44228.
    let def = read("2022-evd-uc-01-a-001.json");
    let files = [("vex/def.json", def.as_str())];
    assert_eq!(
        evidence_for(&release("DEF", "1.0"), &files),
        "vex/def.json vex csaf"
    );
    assert_eq!(evidence_for(&release("DEF", "2.0"), &files), "");
    assert_eq!(evidence_for(&release("GHI", "1.0"), &files), "");
    // Fixed in "Planet Fitness Workouts 9.8.12"; earlier versions are a range, `0 < 9.8.12`,
    // which is no range vouch can read: the document names 9.8.12, but is unreadable
    // evidence for either release (its range could hold it), never a silent pass.
    let pf = read("va-24-262-01.json");
    let files = [("vex/pf.json", pf.as_str())];
    let unreadable = "`vex/pf.json` is unreadable csaf-advisory evidence, so nothing it says \
        can count (partly unreadable: CVE-2024-43201: the known_affected range `0 < 9.8.12`";
    let at_fix = evidence_for(&release("Planet Fitness Workouts", "9.8.12"), &files);
    assert!(
        at_fix.starts_with("vex/pf.json vex csaf\n") && at_fix.contains(unreadable),
        "{at_fix}"
    );
    let before = evidence_for(&release("Planet Fitness Workouts", "9.8.11"), &files);
    assert!(before.starts_with(unreadable), "{before}");
    // A CSAF security advisory (not VEX) names products too, but says what was fixed, not
    // that the release was checked: it never counts.
    let rhsa = read("rhsa-2024_4546.json");
    assert_eq!(
        evidence_for(
            &release("git-lfs", "2.13.3-3.el8_6.1"),
            &[("advisories/rhsa.json", rhsa.as_str())]
        ),
        ""
    );
}
