//! The evidence the patch-management controls read beyond the SLA: vulnerability scans (the
//! `scans` root, with when each ran) and which support cycles a vulnerability affects and
//! is fixed in (backports), from advisories' and registers' product versions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use crate::common;

use common::write;
use vouch_engine::report::Status;

const RELEASE: &str = "[release]\nproduct = \"widget\"\nversion = \"2.4.1\"\n\
    date = 2026-10-01\nartifacts = []\n";

const SUPPORT: &str = "[[cycle]]\ncycle = \"2.4\"\nreleased = 2026-06-01\n\n\
    [[cycle]]\ncycle = \"2.3\"\nreleased = 2026-01-01\neol = 2027-12-31\n\
    eol_announced = 2026-06-01\n\n[[cycle]]\ncycle = \"2.2\"\nreleased = 2025-06-01\n\
    eol = 2026-08-01\neol_announced = 2025-06-01\n";

/// A CSAF advisory saying `CVE-2026-1111` affects 2.2.9, 2.3.4 and 2.4.0, fixed in `fixed`.
fn csaf(fixed: &[&str]) -> String {
    let product = |v: &str| format!(r#"{{"product_id": "W-{v}", "name": "Widget {v}"}}"#);
    let all: Vec<&str> = ["2.2.9", "2.3.4", "2.4.0"]
        .into_iter()
        .chain(fixed.iter().copied())
        .collect();
    let names: Vec<String> = all.iter().map(|v| product(v)).collect();
    let ids = |vs: &[&str]| {
        vs.iter()
            .map(|v| format!("\"W-{v}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        r#"{{"document": {{"category": "csaf_security_advisory", "csaf_version": "2.0",
  "title": "Widget advisory", "publisher": {{"category": "vendor", "name": "ACME", "namespace": "https://acme.example"}},
  "tracking": {{"id": "ACME-SA-2026-001", "status": "final", "version": "1",
    "initial_release_date": "2026-09-05T00:00:00Z", "current_release_date": "2026-09-05T00:00:00Z",
    "revision_history": [{{"number": "1", "date": "2026-09-05T00:00:00Z", "summary": "First"}}]}}}},
 "product_tree": {{"full_product_names": [{names}]}},
 "vulnerabilities": [{{"cve": "CVE-2026-1111",
   "product_status": {{"known_affected": [{affected}], "fixed": [{fixed}]}}}}]}}"#,
        names = names.join(", "),
        affected = ids(&["2.2.9", "2.3.4", "2.4.0"]),
        fixed = ids(fixed),
    )
}

/// Every fixed vulnerability affecting a cycle still supported at `as_of` is fixed in it.
const BACKPORTS: &str = "  for c in support.cycles where c.eol == none or c.eol > as_of {\n\
    for v in vulnerabilities where v.status == fixed and c.cycle in v.affected_cycles {\n\
      expect c.cycle in v.fixed_cycles else \"{v.id} is not fixed in {c.cycle}\"\n\
    } when empty: pass\n  }";

fn backports(fixed: &[&str]) -> Status {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "release.toml", RELEASE.as_bytes());
    write(tmp.path(), "support.toml", SUPPORT.as_bytes());
    write(
        tmp.path(),
        "advisories/acme-sa-2026-001.json",
        csaf(fixed).as_bytes(),
    );
    write(
        tmp.path(),
        "vulnerabilities.toml",
        b"[[vulnerability]]\nid = \"CVE-2026-1111\"\nstatus = \"fixed\"\n\
          discovered = 2026-09-01T00:00:00Z\nfixed_at = 2026-09-03T00:00:00Z\n",
    );
    let graph = common::ingest(tmp.path());
    common::run_control(&graph, "2026-10-02T00:00:00Z", "", BACKPORTS).status
}

#[test]
fn a_fix_in_every_supported_cycle_passes_and_a_missing_backport_fails() {
    // 2.2 reached end of life before as_of, so it needs no fix.
    assert_eq!(backports(&["2.3.5", "2.4.1"]), Status::Pass);
    assert_eq!(backports(&["2.4.1"]), Status::Fail);
}

#[test]
fn cycles_are_read_from_osv_ranges_too() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "release.toml", RELEASE.as_bytes());
    write(tmp.path(), "support.toml", SUPPORT.as_bytes());
    write(
        tmp.path(),
        "advisories/GHSA-aaaa-bbbb-cccc.json",
        br#"{"schema_version": "1.6.0", "id": "GHSA-aaaa-bbbb-cccc", "modified": "2026-09-05T00:00:00Z",
            "published": "2026-09-05T00:00:00Z", "aliases": ["CVE-2026-2222"],
            "affected": [{"package": {"ecosystem": "crates.io", "name": "widget"},
              "ranges": [{"type": "SEMVER", "events": [{"introduced": "2.3.0"}, {"fixed": "2.3.5"},
                {"introduced": "2.4.0"}, {"fixed": "2.4.1"}]}]}]}"#,
    );
    let graph = common::ingest(tmp.path());
    let body = "  for v in vulnerabilities {\n\
      expect v.affected_cycles == [\"2.3\", \"2.4\"] and v.fixed_cycles == [\"2.3\", \"2.4\"]\n\
        else \"{v.id}: {v.affected_cycles} / {v.fixed_cycles}\"\n  }";
    let result = common::run_control(&graph, "2026-10-02T00:00:00Z", "", body);
    assert_eq!(result.status, Status::Pass, "{result:?}");
}

#[test]
fn scans_say_which_tool_ran_when_and_what_it_found() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "release.toml", RELEASE.as_bytes());
    write(
        tmp.path(),
        "scans/trivy.json",
        br#"{"SchemaVersion": 2, "CreatedAt": "2026-09-28T10:00:00Z", "ArtifactName": "widget-2.4.1.tar.gz",
            "ArtifactType": "filesystem", "Results": [{"Target": "Cargo.lock", "Class": "lang-pkgs", "Type": "cargo",
              "Vulnerabilities": [{"VulnerabilityID": "CVE-2026-3333", "PkgName": "serde",
                "InstalledVersion": "1.0.0", "FixedVersion": "1.0.1", "Severity": "LOW"}]}]}"#,
    );
    let graph = common::ingest(tmp.path());
    let fresh = "  for s in scans {\n\
      expect s.tool == \"trivy\" and s.findings == 1 and release.date != none and \
        s.scanned_at != none and release.date - s.scanned_at <= 7d\n\
        else \"{s.path} ran at {s.scanned_at}\"\n  }";
    assert_eq!(
        common::run_control(&graph, "2026-10-02T00:00:00Z", "", fresh).status,
        Status::Pass
    );
    let stale = fresh.replace("7d", "2d");
    assert_eq!(
        common::run_control(&graph, "2026-10-02T00:00:00Z", "", &stale).status,
        Status::Fail
    );
}

/// GitHub writes a GHSA's letters in lower case; vulnerability ids are upper case, and so are
/// the ids an advisory covers, so a policy can match the two with `in`.
#[test]
fn an_advisory_covers_a_ghsa_it_writes_in_lower_case() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "release.toml", RELEASE.as_bytes());
    write(
        tmp.path(),
        "advisories/acme-sa-2026-006.json",
        br#"{"document": {"category": "csaf_security_advisory", "csaf_version": "2.0",
  "title": "Widget advisory", "publisher": {"category": "vendor", "name": "ACME", "namespace": "https://acme.example"},
  "tracking": {"id": "ACME-SA-2026-006", "status": "final", "version": "1",
    "initial_release_date": "2026-10-01T12:00:00Z", "current_release_date": "2026-10-01T12:00:00Z",
    "revision_history": [{"number": "1", "date": "2026-10-01T12:00:00Z", "summary": "First"}]}},
 "product_tree": {"full_product_names": [{"product_id": "W-2.4.0", "name": "Widget 2.4.0"},
   {"product_id": "W-2.4.1", "name": "Widget 2.4.1"}]},
 "vulnerabilities": [{"ids": [{"system_name": "GitHub Security Advisory", "text": "GHSA-4m8r-q9wx-7v2c"}],
   "product_status": {"known_affected": ["W-2.4.0"], "fixed": ["W-2.4.1"]}}]}"#,
    );
    let graph = common::ingest(tmp.path());
    let body = "  for v in vulnerabilities {\n\
      expect v.id == \"GHSA-4M8R-Q9WX-7V2C\" and any(a in advisories: v.id in a.vulnerabilities)\n\
        else \"{v.id} is covered by no advisory\"\n  }";
    let result = common::run_control(&graph, "2026-10-02T00:00:00Z", "", body);
    assert_eq!(result.status, Status::Pass, "{result:?}");
}
