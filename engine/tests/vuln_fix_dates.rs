//! When a fix was released (`fixed_at`, `fixed_from`): the release at a fixing version its
//! advisory's ranges name dates the fix, one past it does not, and a release dated after
//! `as_of` dates nothing; the standard pack's PATCH-SLA says which date is missing. And the
//! SLA clock of Dependabot alerts (third-party findings, though register entries). Corpus
//! files are read from `../shared/corpus` (skipped, with a printed reason, when absent).
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

const AS_OF: &str = "2026-10-02T00:00:00Z";

/// requests `version`, released 2026-10-01, with PYSEC-2023-74 (CVE-2023-32681, `introduced
/// 2.3.0, fixed 2.31.0`) and a register entry recording when the vendor learnt of it (no
/// status, no fix date: the advisory's range decides those).
fn requests(dir: &Path, version: &str) -> Option<EvidenceGraph> {
    let Some(corpus) = common::corpus() else {
        eprintln!("skipping: ../shared/corpus is not present");
        return None;
    };
    write(
        dir,
        "release.toml",
        format!(
            "[release]\nproduct = \"requests\"\nversion = \"{version}\"\n\
             date = 2026-10-01\nartifacts = []\n"
        )
        .as_bytes(),
    );
    write(
        dir,
        "advisories/PYSEC-2023-74.json",
        &std::fs::read(corpus.join("osv/PYSEC-2023-74.json")).unwrap(),
    );
    write(
        dir,
        "vulnerabilities.toml",
        b"[[vulnerability]]\nid = \"CVE-2023-32681\"\nseverity = \"medium\"\n\
          discovered = 2026-09-25T00:00:00Z\n",
    );
    Some(common::ingest(dir))
}

fn messages(result: &ControlResult) -> Vec<String> {
    result.findings.iter().map(|f| f.message.clone()).collect()
}

const SHOW: &str = "  for v in vulnerabilities {\n\
    expect false else \"{v.id} {v.status} fixed_in={v.fixed_in} fixed_at={v.fixed_at} \
    from={v.fixed_from} time_to_fix={v.time_to_fix} conflicts={v.date_conflicts}\"\n\
  }";

/// The body of the standard pack's control `name` (what follows its `tags`).
fn pack_control(name: &str) -> String {
    let pack = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../stdlib-policies/uk-sscop/uk_sscop.vouch"),
    )
    .unwrap();
    let start = pack.find(&format!("control \"{name}\"")).unwrap();
    let body_start = start + pack[start..].find("tags = ").unwrap();
    let body_start = body_start + pack[body_start..].find('\n').unwrap() + 1;
    let end = start + pack[start..].find("\n}\n").unwrap();
    pack[body_start..end].to_owned()
}

/// The body of the standard pack's PATCH-SLA, with its `patch_sla` parameter.
fn patch_sla() -> (String, &'static str) {
    (
        pack_control("PATCH-SLA"),
        "param patch_sla: table<severity, duration> = \
         { critical: 48h, high: 10d, medium: 30d, low: 90d }",
    )
}

#[test]
fn the_release_at_the_fixing_version_dates_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(graph) = requests(tmp.path(), "2.31.0") else {
        return;
    };
    assert_eq!(
        messages(&common::run_control(&graph, AS_OF, "", SHOW)),
        [
            "CVE-2023-32681 fixed fixed_in=2.31.0 fixed_at=2026-10-01T00:00:00Z from=release \
             time_to_fix=6d conflicts=[]"
        ]
    );
    let (body, params) = patch_sla();
    let result = common::run_control(&graph, AS_OF, params, &body);
    assert_eq!(result.status, Status::Pass, "{result:#?}");
}

#[test]
fn a_release_past_the_fixing_version_has_no_fix_date_and_patch_sla_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(graph) = requests(tmp.path(), "2.32.3") else {
        return;
    };
    assert_eq!(
        messages(&common::run_control(&graph, AS_OF, "", SHOW)),
        [
            "CVE-2023-32681 fixed fixed_in=2.31.0 fixed_at=none from=none time_to_fix=none \
             conflicts=[]"
        ]
    );
    let (body, params) = patch_sla();
    let result = common::run_control(&graph, AS_OF, params, &body);
    assert_eq!(result.status, Status::Fail, "{result:#?}");
    assert_eq!(
        messages(&result),
        [
            "CVE-2023-32681 is fixed in 2.31.0, but no evidence dates that fix and requests \
             2.32.3 is not the fixing version, so its fix time cannot be judged: record \
             fixed_at in the vulnerability register"
        ]
    );
}

/// A release dated after `as_of` has not happened at the instant judged: its date is no fix
/// date, and the conflict says why.
#[test]
fn a_release_after_as_of_dates_no_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(graph) = requests(tmp.path(), "2.31.0") else {
        return;
    };
    let as_of = "2026-09-30T00:00:00Z";
    let shown = messages(&common::run_control(&graph, as_of, "", SHOW));
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(
        shown[0].starts_with(
            "CVE-2023-32681 fixed fixed_in=2.31.0 fixed_at=none from=none time_to_fix=none \
             conflicts=[\"fixed_at 2026-10-01T00:00:00Z (the release's date in release.toml: \
             requests 2.31.0 is the fixing version 2.31.0) is after as_of \
             2026-09-30T00:00:00Z: the fix is not released yet\"]"
        ),
        "{shown:?}"
    );
    let (body, params) = patch_sla();
    let result = common::run_control(&graph, as_of, params, &body);
    assert_eq!(result.status, Status::Fail, "{result:#?}");
    assert!(
        messages(&result)[0].starts_with("CVE-2023-32681 has impossible dates"),
        "{result:#?}"
    );
}

/// A fix date evidence states wins over the release's, and says where it comes from.
#[test]
fn a_stated_fix_date_wins_over_the_release() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(graph) = requests(tmp.path(), "2.31.0") else {
        return;
    };
    write(
        tmp.path(),
        "vulnerabilities.toml",
        b"[[vulnerability]]\nid = \"CVE-2023-32681\"\nseverity = \"medium\"\n\
          discovered = 2026-09-25T00:00:00Z\nfixed_at = 2026-09-28T00:00:00Z\n",
    );
    let graph = {
        drop(graph);
        common::ingest(tmp.path())
    };
    assert_eq!(
        messages(&common::run_control(&graph, AS_OF, "", SHOW)),
        [
            "CVE-2023-32681 fixed fixed_in=2.31.0 fixed_at=2026-09-28T00:00:00Z from=register \
             time_to_fix=3d conflicts=[]"
        ]
    );
}

/// The real `dependabot_alert` webhook payload (an open alert) with its `created_at` removed:
/// a Dependabot alert is a third-party finding, so with no recorded discovery its clock
/// starts at the advisory's publication, as a scanner finding's does. With `created_at`,
/// that is the discovery (`register`).
#[test]
fn a_dependabot_alert_without_a_discovery_is_timed_from_publication() {
    let Some(corpus) = common::corpus() else {
        eprintln!("skipping: ../shared/corpus is not present");
        return;
    };
    let text = std::fs::read_to_string(
        corpus.join("dependabot/webhook-dependabot_alert-created.payload.json"),
    )
    .unwrap();
    let show = "  for v in vulnerabilities {\n\
        expect false else \"{v.id} {v.status} discovered={v.discovered} from={v.discovered_from}\"\n\
      }";
    let release = b"[release]\nproduct = \"widget\"\nversion = \"1.0.0\"\n\
                    date = 2026-10-01\nartifacts = []\n";
    let mut payload: serde_json::Value = serde_json::from_str(&text).unwrap();
    let recorded = payload["alert"]["created_at"].as_str().unwrap().to_owned();
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "release.toml", release);
    write(tmp.path(), "dependabot/alerts.json", text.as_bytes());
    let graph = common::ingest(tmp.path());
    let shown = messages(&common::run_control(&graph, AS_OF, "", show));
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(
        shown[0].ends_with(&format!(" affected discovered={recorded} from=register")),
        "{shown:?}"
    );
    let published = payload["alert"]["security_advisory"]["published_at"]
        .as_str()
        .unwrap()
        .to_owned();
    payload["alert"]
        .as_object_mut()
        .unwrap()
        .remove("created_at");
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "release.toml", release);
    write(
        tmp.path(),
        "dependabot/alerts.json",
        serde_json::to_string(&payload).unwrap().as_bytes(),
    );
    let graph = common::ingest(tmp.path());
    let shown = messages(&common::run_control(&graph, AS_OF, "", show));
    assert!(
        shown[0].ends_with(&format!(
            " affected discovered={published} from=publication"
        )),
        "{shown:?}"
    );
}

/// VULN-SCAN says what the scans in the bundle lack, without "0 without a scan time".
#[test]
fn vuln_scan_says_what_the_scans_lack() {
    let params = "param scan_max_age: duration = 7d";
    let body = pack_control("VULN-SCAN");
    let release = b"[release]\nproduct = \"widget\"\nversion = \"2.4.1\"\n\
                    date = 2026-10-01T12:00:00Z\nartifacts = []\n";
    let old_trivy = br#"{"SchemaVersion": 2, "CreatedAt": "2026-01-01T00:00:00Z",
        "ArtifactName": ".", "ArtifactType": "filesystem", "Results": []}"#;
    let untimed =
        br#"{"results": [{"source": {"path": "Cargo.lock", "type": "lockfile"}, "packages": []}]}"#;
    for (files, expected) in [
        (
            vec![],
            "no vulnerability scan ran in the 7d before the release at 2026-10-01T12:00:00Z: the \
             bundle has no vulnerability scan",
        ),
        (
            vec![("scans/trivy.json", &old_trivy[..])],
            "no vulnerability scan ran in the 7d before the release at 2026-10-01T12:00:00Z (1 \
             scan(s) in the bundle, each with a scan time outside that period)",
        ),
        (
            vec![
                ("scans/trivy.json", &old_trivy[..]),
                ("scans/osv-scanner.json", &untimed[..]),
            ],
            "no vulnerability scan ran in the 7d before the release at 2026-10-01T12:00:00Z (2 \
             scan(s) in the bundle, 1 without a scan time: OSV-Scanner, npm audit, pip-audit \
             and cargo audit record none)",
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), "release.toml", release);
        for (path, bytes) in &files {
            write(tmp.path(), path, bytes);
        }
        let graph = common::ingest(tmp.path());
        let result = common::run_control(&graph, AS_OF, params, &body);
        assert_eq!(messages(&result), [expected], "{files:?}");
    }
}

/// With release.toml unreadable, the vulnerability controls say the release is unknown, not
/// "no vulnerability evidence for none none".
#[test]
fn an_unknown_release_is_named_unknown() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "release.toml",
        b"[release]\nproduct = \"widget\"\nversion = \n",
    );
    let graph = common::ingest(tmp.path());
    let body = pack_control("ADVISORIES");
    let result = common::run_control(
        &graph,
        AS_OF,
        "param advisory_min_severity: severity = high",
        &body,
    );
    assert_eq!(result.status, Status::Fail, "{result:#?}");
    let shown = messages(&result);
    assert!(!shown.iter().any(|m| m.contains("none none")), "{shown:?}");
    assert!(
        shown.iter().any(|m| m.starts_with(
            "no vulnerability evidence for an unknown release (release.toml cannot be read): \
             the bundle has no vulnerability scan that ran, no vulnerability register with \
             entries, and no VEX document naming the release (unknown)"
        )),
        "{shown:?}"
    );
}
