//! Real advisories judged for the release's version (OSV ranges per ecosystem, GIT ranges
//! kept as commits, RustSec `patched` requirements), the SLA clock of third-party findings
//! (`discovered_from`); real dependency-audit output is read in `audits_real`. Corpus files are read from
//! `../shared/corpus` (skipped, with a printed reason, when it is absent).
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
use vouch_engine::formats::EvidenceKind;
use vouch_engine::report::{ControlResult, Status};

const AS_OF: &str = "2026-10-02T00:00:00Z";

fn release(product: &str, version: &str) -> String {
    format!(
        "[release]\nproduct = \"{product}\"\nversion = \"{version}\"\n\
         date = 2026-10-01\nartifacts = []\n"
    )
}

/// A bundle with a release of `product` `version` and the corpus file `corpus_file` (as
/// `name`), plus `files`.
fn bundle(
    dir: &Path,
    product: &str,
    version: &str,
    corpus_file: Option<(&str, &str)>,
    files: &[(&str, &str)],
) -> Option<EvidenceGraph> {
    write(dir, "release.toml", release(product, version).as_bytes());
    if let Some((from, name)) = corpus_file {
        let Some(corpus) = common::corpus() else {
            eprintln!("skipping: ../shared/corpus is not present");
            return None;
        };
        let bytes = std::fs::read(corpus.join(from)).unwrap();
        write(dir, name, &bytes);
    }
    for (path, text) in files {
        write(dir, path, text.as_bytes());
    }
    Some(common::ingest(dir))
}

fn run(graph: &EvidenceGraph, body: &str) -> ControlResult {
    common::run_control(graph, AS_OF, "", body)
}

fn messages(result: &ControlResult) -> Vec<String> {
    result.findings.iter().map(|f| f.message.clone()).collect()
}

/// Each vulnerability's status, fixing versions and clock, as findings.
const SHOW: &str = "  for v in vulnerabilities {\n\
    expect false else \"{v.id} {v.status} fixed_in={v.fixed_in} fixed={v.fixed_versions} \
    discovered={v.discovered} from={v.discovered_from} open={v.open_for}\"\n\
  }";

/// PYSEC-2023-74 (requests, CVE-2023-32681): `introduced 2.3.0, fixed 2.31.0` (ECOSYSTEM,
/// PEP 440) and a GIT range whose fix is a commit.
#[test]
fn an_osv_fix_is_fixed_in_the_fixing_release_itself() {
    for (version, status) in [
        ("2.31.0", "fixed"),
        ("2.32.3", "fixed"),
        ("2.30.0", "affected"),
        ("2.31.0rc1", "affected"),
        ("2.2.1", "not_affected"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let Some(graph) = bundle(
            tmp.path(),
            "requests",
            version,
            Some(("osv/PYSEC-2023-74.json", "advisories/PYSEC-2023-74.json")),
            &[],
        ) else {
            return;
        };
        let shown = messages(&run(&graph, SHOW));
        assert_eq!(shown.len(), 1, "{shown:?}");
        assert!(
            shown[0].starts_with(&format!("CVE-2023-32681 {status} ")),
            "{version}: {shown:?}"
        );
        // The GIT range's commit is never a fixing version.
        assert!(!shown[0].contains("74ea7cf7"), "{shown:?}");
        assert!(shown[0].contains("fixed=[\"2.31.0\"]"), "{shown:?}");
        assert!(!common::has_code(&graph, FindingCode::VulnRangeUnjudged));
    }
}

#[test]
fn an_advisory_about_another_package_or_an_unreadable_version_stays_affected() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(graph) = bundle(
        tmp.path(),
        "widget",
        "2.31.0",
        Some(("osv/PYSEC-2023-74.json", "advisories/PYSEC-2023-74.json")),
        &[],
    ) else {
        return;
    };
    assert!(messages(&run(&graph, SHOW))[0].starts_with("CVE-2023-32681 affected "));
    assert!(common::has_code(&graph, FindingCode::VulnRangeUnjudged));
    let tmp = tempfile::tempdir().unwrap();
    let graph = bundle(
        tmp.path(),
        "requests",
        "two-point-thirty-one",
        Some(("osv/PYSEC-2023-74.json", "advisories/PYSEC-2023-74.json")),
        &[],
    )
    .unwrap();
    assert!(messages(&run(&graph, SHOW))[0].starts_with("CVE-2023-32681 affected "));
    let finding = graph
        .findings()
        .iter()
        .find(|f| f.code == FindingCode::VulnRangeUnjudged)
        .expect("a finding says why");
    assert!(
        finding.message.contains("is not a PEP 440 version"),
        "{finding:?}"
    );
}

/// GHSA-qc84-gqf4-9926 (crates.io, ECOSYSTEM `fixed 0.8.7`) and RUSTSEC-2022-0041 (its
/// RustSec form: `patched = [">= 0.8.7"]`) are one vulnerability, fixed in 0.8.7.
#[test]
fn a_rustsec_advisory_is_read_and_judged_like_its_osv_form() {
    for (version, status) in [("0.8.7", "fixed"), ("0.8.6", "affected")] {
        let tmp = tempfile::tempdir().unwrap();
        let Some(corpus) = common::corpus() else {
            eprintln!("skipping: ../shared/corpus is not present");
            return;
        };
        let osv = std::fs::read_to_string(corpus.join("osv/GHSA-qc84-gqf4-9926.json")).unwrap();
        let graph = bundle(
            tmp.path(),
            "crossbeam-utils",
            version,
            Some((
                "rustsec/RUSTSEC-2022-0041.md",
                "advisories/RUSTSEC-2022-0041.md",
            )),
            &[("advisories/GHSA-qc84-gqf4-9926.json", &osv)],
        )
        .unwrap();
        let file = graph
            .files()
            .find(|(_, f)| f.path.ends_with("RUSTSEC-2022-0041.md"))
            .unwrap()
            .1;
        assert_eq!(file.kind, Some(EvidenceKind::RustsecAdvisory));
        let shown = messages(&run(&graph, SHOW));
        assert_eq!(shown.len(), 1, "{shown:?}");
        assert!(
            shown[0].starts_with(&format!("CVE-2022-23639 {status} fixed_in=0.8.7")),
            "{version}: {shown:?}"
        );
        let advisories = messages(&run(
            &graph,
            "  for a in advisories where a.format == \"rustsec\" {\n\
             expect false else \"{a.id} {a.title} {a.published} {a.affected_versions} {a.fixed_versions} {a.vulnerabilities}\"\n  }",
        ));
        assert_eq!(
            advisories,
            [
                "RUSTSEC-2022-0041 Unsoundness of AtomicCell<*64> arithmetics on 32-bit targets \
              that support Atomic*64 2022-02-05T00:00:00Z [\"<0.8.7\"] [\"0.8.7\"] \
              [\"CVE-2022-23639\", \"GHSA-QC84-GQF4-9926\", \"RUSTSEC-2022-0041\"]"
            ]
        );
    }
}

/// An OSV-Scanner finding for a dependency: open, published, never recorded as discovered.
const SCAN: &str = r#"{"results": [{"source": {"path": "Cargo.lock", "type": "lockfile"},
  "packages": [{"package": {"name": "demo", "version": "1.0.0", "ecosystem": "crates.io"},
  "vulnerabilities": [{"id": "GHSA-aaaa-bbbb-cccc", "modified": "2026-09-25T00:00:00Z",
    "published": "2026-09-20T00:00:00Z", "aliases": ["CVE-2026-1111"],
    "database_specific": {"severity": "HIGH"}}]}]}]}"#;

#[test]
fn an_open_third_party_finding_is_timed_from_its_publication() {
    let tmp = tempfile::tempdir().unwrap();
    let graph = bundle(
        tmp.path(),
        "widget",
        "2.4.1",
        None,
        &[("scans/osv.json", SCAN)],
    )
    .unwrap();
    assert_eq!(
        messages(&run(&graph, SHOW)),
        [
            "CVE-2026-1111 affected fixed_in=none fixed=[] discovered=2026-09-20T00:00:00Z \
          from=publication open=12d"
        ]
    );
    // The vendor's own register entry for the same vulnerability needs its own discovery date.
    let register = "[[vulnerability]]\nid = \"CVE-2026-1111\"\nseverity = \"high\"\n";
    let tmp = tempfile::tempdir().unwrap();
    let graph = bundle(
        tmp.path(),
        "widget",
        "2.4.1",
        None,
        &[("scans/osv.json", SCAN), ("vulnerabilities.toml", register)],
    )
    .unwrap();
    assert_eq!(
        messages(&run(&graph, SHOW)),
        ["CVE-2026-1111 affected fixed_in=none fixed=[] discovered=none from=none open=none"]
    );
    let dated = "[[vulnerability]]\nid = \"CVE-2026-1111\"\nseverity = \"high\"\n\
                 discovered = 2026-09-01T00:00:00Z\n";
    let tmp = tempfile::tempdir().unwrap();
    let graph = bundle(
        tmp.path(),
        "widget",
        "2.4.1",
        None,
        &[("scans/osv.json", SCAN), ("vulnerabilities.toml", dated)],
    )
    .unwrap();
    assert!(messages(&run(&graph, SHOW))[0].contains("from=register open=31d"));
}

/// The standard pack's PATCH-SLA times a third-party finding from its publication and says so.
#[test]
fn patch_sla_says_the_clock_started_at_publication() {
    let pack = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../stdlib-policies/uk-sscop/uk_sscop.vouch"),
    )
    .unwrap();
    let start = pack.find("control \"PATCH-SLA\"").unwrap();
    let body_start = start + pack[start..].find("tags = ").unwrap();
    let body_start = body_start + pack[body_start..].find('\n').unwrap() + 1;
    let end = start + pack[start..].find("\n}\n").unwrap();
    let body = &pack[body_start..end];
    let params = "param patch_sla: table<severity, duration> = \
                  { critical: 48h, high: 10d, medium: 30d, low: 90d }";
    let tmp = tempfile::tempdir().unwrap();
    let graph = bundle(
        tmp.path(),
        "widget",
        "2.4.1",
        None,
        &[("scans/osv.json", SCAN)],
    )
    .unwrap();
    let result = common::run_control(&graph, AS_OF, params, body);
    assert_eq!(result.status, Status::Fail, "{result:#?}");
    assert_eq!(
        messages(&result),
        [
            "CVE-2026-1111 (high) has been open for 12d since its advisory was published on \
          2026-09-20T00:00:00Z (no discovery date is recorded, so the SLA clock starts at \
          publication), past its 10d SLA"
        ]
    );
    let result = common::run_control(&graph, "2026-09-25T00:00:00Z", params, body);
    assert_eq!(result.status, Status::Pass, "{result:#?}");
}
