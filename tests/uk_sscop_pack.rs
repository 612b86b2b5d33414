//! Controls of the standard uk-sscop pack on evidence shapes the example bundles
//! (`tests/examples.rs`) do not cover.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use crate::common::copy_dir;
use common::{EXAMPLE_TRUST, temp_dir, transcript, vouch};
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

/// A release with no changelog entry gets one finding for it, not a second about the
/// entry's missing Security section.
#[test]
fn changelog_security_without_an_entry_says_so_once() {
    let missing = changelog_security(
        "# Changelog\n\n## [2.4.0] - 2026-04-01\n\n### Security\n\n- CVE-2026-0001.\n",
    );
    assert_eq!(missing["status"], "fail", "{missing:#}");
    let messages: Vec<&str> = missing["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages, ["the changelog has no entry for 2.4.1"]);
}

/// Evaluates a copy of the compliant example, changed by `edit`, with the pack alone, and
/// returns each named control's status and finding messages.
fn compliant_with(
    name: &str,
    edit: impl FnOnce(&std::path::Path),
    ids: &[&str],
) -> Vec<(String, String, Vec<String>)> {
    let dir = temp_dir(&format!("pack-{name}"));
    let bundle = dir.join("bundle");
    copy_dir(&common::root().join("examples/bundles/compliant"), &bundle);
    edit(&bundle);
    std::fs::write(dir.join("p.vouch"), POLICY).unwrap();
    let policy = dir.join("p.vouch");
    let mut args = vec![
        "evaluate",
        "--policy",
        policy.to_str().unwrap(),
        "--bundle",
        bundle.to_str().unwrap(),
        "--as-of",
        "2026-10-02",
    ];
    args.extend(EXAMPLE_TRUST);
    let out = vouch(&args);
    let report: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", transcript(&out)));
    ids.iter()
        .map(|id| {
            let c = report["controls"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"] == *id)
                .unwrap_or_else(|| panic!("no {id}"));
            let messages = c["findings"]
                .as_array()
                .map(|f| {
                    f.iter()
                        .map(|x| x["message"].as_str().unwrap().to_owned())
                        .collect()
                })
                .unwrap_or_default();
            (
                (*id).to_owned(),
                c["status"].as_str().unwrap().to_owned(),
                messages,
            )
        })
        .collect()
}

fn edit_file(bundle: &std::path::Path, path: &str, from: &str, to: &str) {
    let file = bundle.join(path);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(from), "{path} has no {from:?}");
    std::fs::write(&file, text.replacen(from, to, 1)).unwrap();
}

const VULN_CONTROLS: [&str; 4] = ["PATCH-SLA", "VULN-TRIAGE", "ADVISORIES", "CVE-REPORTED"];

const NO_EVIDENCE: &str = "no vulnerability evidence for widget 2.4.1: the bundle has no \
    vulnerability scan that ran, no vulnerability register with entries, and no VEX document \
    naming widget 2.4.1";

/// Without a register, scans, VEX or advisories, the vulnerability controls have nothing to
/// judge: they fail instead of passing on an empty list.
#[test]
fn no_vulnerability_evidence_fails_the_vulnerability_controls() {
    let outcome = compliant_with(
        "no-vuln-evidence",
        |b| {
            std::fs::remove_file(b.join("vulnerabilities.toml")).unwrap();
            std::fs::remove_file(b.join("scans/trivy-widget-2.4.1.json")).unwrap();
            std::fs::remove_dir_all(b.join("vex")).unwrap();
            std::fs::remove_dir_all(b.join("advisories")).unwrap();
        },
        &VULN_CONTROLS,
    );
    for (id, status, messages) in outcome {
        assert_eq!(status, "fail", "{id}");
        assert_eq!(messages, [NO_EVIDENCE], "{id}");
    }
}

/// A clean scan that ran is evidence: with only it, there is nothing to fix and the
/// vulnerability controls pass.
#[test]
fn a_clean_scan_alone_is_vulnerability_evidence() {
    let outcome = compliant_with(
        "clean-scan",
        |b| {
            std::fs::remove_file(b.join("vulnerabilities.toml")).unwrap();
            std::fs::remove_dir_all(b.join("vex")).unwrap();
            std::fs::remove_dir_all(b.join("advisories")).unwrap();
            std::fs::write(
                b.join("scans/trivy-widget-2.4.1.json"),
                r#"{"SchemaVersion": 2, "CreatedAt": "2026-09-29T06:14:03Z",
                  "ArtifactName": "widget-2.4.1", "ArtifactType": "filesystem", "Results": []}"#,
            )
            .unwrap();
        },
        &VULN_CONTROLS,
    );
    for (id, status, messages) in outcome {
        assert_eq!(status, "pass", "{id}: {messages:?}");
    }
}

/// A fix dated before the discovery is an impossible date, not a fix in negative time.
#[test]
fn a_fix_before_its_discovery_fails_the_patch_sla() {
    let outcome = compliant_with(
        "fix-before-discovery",
        |b| {
            edit_file(
                b,
                "vulnerabilities.toml",
                "discovered = 2026-09-08T11:00:00Z",
                "discovered = 2026-10-01T13:00:00Z",
            );
        },
        &["PATCH-SLA"],
    );
    assert_eq!(outcome[0].1, "fail");
    assert_eq!(
        outcome[0].2,
        [
            "SEC-2026-007 has impossible dates, so its fix time cannot be judged: fixed_at \
          2026-10-01T12:00:00Z is before discovered 2026-10-01T13:00:00Z (vulnerabilities.toml:32)"
        ]
    );
}

/// An investigation of unknown age is not a short one.
#[test]
fn an_investigation_without_a_discovery_date_fails_triage() {
    let outcome = compliant_with(
        "triage-no-date",
        |b| {
            let register = b.join("vulnerabilities.toml");
            let mut text = std::fs::read_to_string(&register).unwrap();
            text.push_str(
                "\n[[vulnerability]]\nid = \"SEC-2026-011\"\npackage = \"widget\"\n\
                 severity = \"low\"\nstatus = \"under_investigation\"\n",
            );
            std::fs::write(&register, text).unwrap();
        },
        &["VULN-TRIAGE"],
    );
    assert_eq!(outcome[0].1, "fail");
    assert_eq!(
        outcome[0].2,
        [
            "SEC-2026-011 is under investigation with no discovery date, so how long it has been \
          cannot be judged"
        ]
    );
}

/// A cycle without a published end of life cannot show that the release is still supported.
#[test]
fn a_release_cycle_without_an_end_of_life_fails_supported_release() {
    let outcome = compliant_with(
        "cycle-no-eol",
        |b| edit_file(b, "support.toml", "eol = 2027-10-01\n", ""),
        &["SUPPORTED-RELEASE"],
    );
    assert_eq!(outcome[0].1, "fail");
    assert_eq!(
        outcome[0].2,
        [
            "release 2.4.1 ships from cycle 2.4, which has no published end-of-life date, so \
          whether it is still supported cannot be judged"
        ]
    );
}

/// An end of life before the cycle's first release is impossible, and every control reading
/// the cycle says so.
#[test]
fn a_cycle_ending_before_it_begins_fails_the_lifecycle_controls() {
    let outcome = compliant_with(
        "cycle-backwards",
        |b| edit_file(b, "support.toml", "eol = 2027-10-01", "eol = 2026-03-01"),
        &["SUPPORT-PERIODS", "SUPPORTED-RELEASE", "EOL-NOTICE"],
    );
    for (id, status, messages) in &outcome {
        assert_eq!(status, "fail", "{id}");
        assert!(
            messages.iter().any(
                |m| m.contains("eol 2026-03-01 is before released 2026-04-01 (support.toml:5)")
            ),
            "{id}: {messages:?}"
        );
    }
}

/// An advisory dated after `as_of` is not published yet.
#[test]
fn an_advisory_published_after_as_of_does_not_count() {
    let outcome = compliant_with(
        "advisory-future",
        |b| {
            let path = b.join("advisories/acme-sa-2026-003.json");
            let text = std::fs::read_to_string(&path).unwrap();
            let future = text.replace("\"2026-10-01T12:00:00Z\"", "\"2026-10-20T12:00:00Z\"");
            assert_ne!(text, future);
            std::fs::write(&path, future).unwrap();
        },
        &["ADVISORIES"],
    );
    assert_eq!(outcome[0].1, "fail");
    assert!(
        outcome[0].2.iter().any(|m| m.contains(
            "advisory ACME-SA-2026-003 has impossible dates: published 2026-10-20T12:00:00Z is \
             after as_of 2026-10-02T00:00:00Z: not yet published"
        )),
        "{:?}",
        outcome[0].2
    );
}

/// An https host whose TLS configuration nothing in the bundle shows is not judged current.
#[test]
fn an_https_host_without_a_tls_scan_fails_tls_only() {
    let outcome = compliant_with(
        "no-tls-scan",
        |b| std::fs::remove_file(b.join("scans/testssl-downloads.acme.example.json")).unwrap(),
        &["TLS-ONLY"],
    );
    assert_eq!(outcome[0].1, "fail");
    assert_eq!(
        outcome[0].2,
        [
            "no TLS scan of downloads.acme.example is in the bundle, so the protocols and ciphers serving https://downloads.acme.example/widget/2.4.1/widget-2.4.1.tar.gz cannot be judged",
            "no TLS scan of downloads.acme.example is in the bundle, so the protocols and ciphers serving https://downloads.acme.example/widget/2.4.1/widget-2.4.1.zip cannot be judged"
        ]
    );
}

/// Every cycle has ended: no supported cycle needs a backport, so BACKPORTS does not apply
/// (SUPPORTED-RELEASE fails the release shipped from an ended cycle); without any support
/// data it fails, saying so.
#[test]
fn backports_when_every_cycle_has_ended() {
    let ended = "[[cycle]]\ncycle = \"2.4\"\nreleased = 2026-04-01\nsupport_until = 2026-06-01\n\
                 eol = 2026-09-01\neol_announced = 2025-04-01\n";
    let outcome = compliant_with(
        "backports-ended",
        |b| std::fs::write(b.join("support.toml"), ended).unwrap(),
        &["BACKPORTS", "SUPPORTED-RELEASE"],
    );
    assert_eq!(outcome[0].1, "not_applicable", "{outcome:?}");
    assert!(outcome[0].2.is_empty(), "{outcome:?}");
    assert_eq!(outcome[1].1, "fail", "{outcome:?}");
    let outcome = compliant_with(
        "backports-no-support",
        |b| std::fs::remove_file(b.join("support.toml")).unwrap(),
        &["BACKPORTS"],
    );
    assert_eq!(outcome[0].1, "fail", "{outcome:?}");
    assert_eq!(
        outcome[0].2,
        [
            "no support periods are published (support.toml or endoflife.date data), so which cycles need backports cannot be judged"
        ]
    );
}

/// A cycle without an announcement date gets one finding saying so, not a second one
/// claiming it was "announced on none".
#[test]
fn eol_notice_without_an_announcement_says_what_is_missing() {
    let outcome = compliant_with(
        "eol-unannounced",
        |b| edit_file(b, "support.toml", "eol_announced = 2025-10-01\n", ""),
        &["EOL-NOTICE"],
    );
    assert_eq!(
        outcome,
        [(
            "EOL-NOTICE".to_owned(),
            "fail".to_owned(),
            vec!["cycle 2.3: no announcement date for its end of life on 2027-04-01".to_owned()]
        )]
    );
}

/// The compliant example's SBOMs as generators write them, without the artifact's digest
/// and under names that are not the artifacts': they link by name and version and SBOM
/// passes. A stated SHA-256 that is not the artifact's refuses that link: SBOM fails,
/// naming the mismatch.
#[test]
fn sbom_accepts_name_version_links_unless_a_digest_contradicts_them() {
    let strip = |b: &std::path::Path, stated: Option<&str>| {
        for (from, to) in [
            ("widget-2.4.1.tar.gz.cdx.json", "tarball.json"),
            ("widget-2.4.1.zip.cdx.json", "zip.json"),
        ] {
            let path = b.join("sbom").join(from);
            let mut doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            let component = doc["metadata"]["component"].as_object_mut().unwrap();
            match stated {
                Some(d) if from.contains("tar.gz") => {
                    component.insert(
                        "hashes".to_owned(),
                        serde_json::json!([{"alg": "SHA-256", "content": d}]),
                    );
                }
                _ => {
                    component.remove("hashes");
                }
            }
            std::fs::remove_file(&path).unwrap();
            std::fs::write(b.join("sbom").join(to), serde_json::to_vec(&doc).unwrap()).unwrap();
        }
    };
    let outcome = compliant_with("sbom-name-version", |b| strip(b, None), &["SBOM"]);
    assert_eq!(outcome[0].1, "pass", "{outcome:?}");
    let other = "ab".repeat(32);
    let outcome = compliant_with(
        "sbom-contradicted",
        |b| strip(b, Some(other.as_str())),
        &["SBOM"],
    );
    assert_eq!(outcome[0].1, "fail", "{outcome:?}");
    assert!(
        outcome[0].2.iter().any(|m| m.starts_with(
            "dist/widget-2.4.1.tar.gz: SBOM sbom/tarball.json names it by name-version but states sha256 abab"
        )),
        "{outcome:?}"
    );
}
