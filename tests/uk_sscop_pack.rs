//! Controls of the standard uk-sscop pack on evidence shapes the example bundles
//! (`tests/examples.rs`) do not cover.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{temp_dir, transcript, vouch};
use serde_json::Value;

const POLICY: &str =
    "policy \"p\" {\n  title = \"P\"\n  framework = \"uk-sscop\"\n}\n\nuse std.uk_sscop\n";

/// A CSAF advisory that alone says CVE-2026-1111 is fixed in widget 2.4.1: CSAF names the
/// fixed product by its full name, `ACME Widget 2.4.1`.
const CSAF: &str = r#"{"document": {"category": "csaf_security_advisory", "csaf_version": "2.0",
  "title": "Widget advisory", "publisher": {"category": "vendor", "name": "ACME", "namespace": "https://acme.example"},
  "tracking": {"id": "ACME-SA-2026-001", "status": "final", "version": "1",
    "initial_release_date": "2026-10-01T12:00:00Z", "current_release_date": "2026-10-01T12:00:00Z",
    "revision_history": [{"number": "1", "date": "2026-10-01T12:00:00Z", "summary": "First"}]}},
 "product_tree": {"branches": [{"category": "vendor", "name": "ACME", "branches": [
   {"category": "product_name", "name": "Widget", "branches": [
     {"category": "product_version", "name": "2.4.0", "product": {"name": "ACME Widget 2.4.0", "product_id": "W-2.4.0"}},
     {"category": "product_version", "name": "2.4.1", "product": {"name": "ACME Widget 2.4.1", "product_id": "W-2.4.1"}}]}]}]},
 "vulnerabilities": [{"cve": "CVE-2026-1111", "discovery_date": "2026-09-30T00:00:00Z",
   "product_status": {"known_affected": ["W-2.4.0"], "fixed": ["W-2.4.1"]},
   "remediations": [{"category": "vendor_fix", "details": "Upgrade to 2.4.1", "date": "2026-10-01T12:00:00Z", "product_ids": ["W-2.4.0"]}]}]}"#;

fn changelog_security(changelog: &str) -> Value {
    let dir = temp_dir(&format!("pack-changelog-{}", changelog.len()));
    let bundle = dir.join("bundle");
    std::fs::create_dir_all(bundle.join("advisories")).unwrap();
    std::fs::write(dir.join("p.vouch"), POLICY).unwrap();
    std::fs::write(
        bundle.join("release.toml"),
        "[release]\nproduct = \"widget\"\nversion = \"2.4.1\"\ndate = 2026-10-01T12:00:00Z\n",
    )
    .unwrap();
    std::fs::write(bundle.join("advisories/acme-sa-2026-001.json"), CSAF).unwrap();
    std::fs::write(bundle.join("CHANGELOG.md"), changelog).unwrap();
    let out = vouch(&[
        "evaluate",
        "--policy",
        dir.join("p.vouch").to_str().unwrap(),
        "--bundle",
        bundle.to_str().unwrap(),
        "--as-of",
        "2026-10-02",
    ]);
    let report: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", transcript(&out)));
    report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "CHANGELOG-SECURITY")
        .unwrap()
        .clone()
}

/// The release's fix known only from a CSAF advisory still has to be in its release notes.
#[test]
fn changelog_security_checks_fixes_only_a_csaf_advisory_records() {
    let silent = changelog_security(
        "# Changelog\n\n## [2.4.1] - 2026-10-01\n\n### Fixed\n\n- Path handling.\n\n## [2.4.0] - 2026-04-01\n",
    );
    assert_eq!(silent["status"], "fail", "{silent:#}");
    let messages: Vec<&str> = silent["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "the changelog entry for 2.4.1 has no Security section, yet the release fixes CVE-2026-1111",
            "the changelog entry for 2.4.1 does not name CVE-2026-1111, which the release fixes"
        ]
    );
    let named = changelog_security(
        "# Changelog\n\n## [2.4.1] - 2026-10-01\n\n### Security\n\n- Path handling (CVE-2026-1111).\n\n## [2.4.0] - 2026-04-01\n",
    );
    assert_eq!(named["status"], "pass", "{named:#}");
}
