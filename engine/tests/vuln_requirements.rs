//! GitHub advisories' `vulnerable_version_range`s judged for the release's version, in the
//! ecosystem's scheme: the real `security_advisory` webhook payload for Django
//! (GHSA-rf4j-j272-fj86: `>= 2.0.0, < 2.0.2` and `>= 1.11.8, < 1.11.10`, PyPI), read from
//! `../shared/corpus` (skipped, with a printed reason, when absent), and small ones made here.
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

const AS_OF: &str = "2026-10-02T00:00:00Z";

const SHOW: &str = "  for v in vulnerabilities {\n\
    expect false else \"{v.id} {v.status} fixed_in={v.fixed_in} from={v.fixed_from}\"\n\
  }";

fn graph(dir: &Path, product: &str, version: &str, advisory: &str) -> EvidenceGraph {
    write(
        dir,
        "release.toml",
        format!(
            "[release]\nproduct = \"{product}\"\nversion = \"{version}\"\n\
             date = 2026-10-01\nartifacts = []\n"
        )
        .as_bytes(),
    );
    write(dir, "advisories/ghsa.json", advisory.as_bytes());
    common::ingest(dir)
}

fn shown(graph: &EvidenceGraph) -> Vec<String> {
    common::run_control(graph, AS_OF, "", SHOW)
        .findings
        .iter()
        .map(|f| f.message.clone())
        .collect()
}

#[test]
fn a_real_github_advisory_is_judged_for_the_release() {
    let Some(corpus) = common::corpus() else {
        eprintln!("skipping: ../shared/corpus is not present");
        return;
    };
    let text = std::fs::read_to_string(
        corpus.join("dependabot/webhook-security_advisory-published.payload.json"),
    )
    .unwrap();
    for (version, expected) in [
        ("2.0.1", "affected fixed_in=none from=none"),
        ("2.0.2", "fixed fixed_in=2.0.2 from=release"),
        ("2.1", "fixed fixed_in=2.0.2 from=none"),
        ("1.11.9", "affected fixed_in=none from=none"),
        ("1.11.10", "fixed fixed_in=1.11.10 from=release"),
        ("1.11.12", "fixed fixed_in=1.11.10 from=none"),
        ("1.11.7", "not_affected fixed_in=none from=none"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let graph = graph(tmp.path(), "Django", version, &text);
        assert_eq!(
            shown(&graph),
            [format!("CVE-2018-6188 {expected}")],
            "django {version}"
        );
        assert!(!common::has_code(&graph, FindingCode::VulnRangeUnjudged));
    }
}

/// What cannot be judged (an ecosystem vouch has no ordering for, an unreadable range, a
/// package that is not the product) stays affected, with `vouch::vuln::range-unjudged`.
#[test]
fn an_unjudgeable_github_range_stays_affected() {
    let advisory = |ecosystem: &str, name: &str, range: &str| {
        format!(
            r#"{{"ghsa_id": "GHSA-aaaa-bbbb-cccc", "cve_id": "CVE-2026-1",
              "identifiers": [{{"type": "GHSA", "value": "GHSA-aaaa-bbbb-cccc"}}],
              "severity": "high", "published_at": "2026-08-01T00:00:00Z",
              "vulnerabilities": [{{"package": {{"ecosystem": "{ecosystem}", "name": "{name}"}},
                "vulnerable_version_range": "{range}", "first_patched_version": "1.3.0"}}]}}"#
        )
    };
    let tmp = tempfile::tempdir().unwrap();
    let g = graph(
        tmp.path(),
        "widget",
        "1.3.0",
        &advisory("npm", "widget", "< 1.3.0"),
    );
    assert_eq!(shown(&g), ["CVE-2026-1 fixed fixed_in=1.3.0 from=release"]);
    for (ecosystem, name, range, why) in [
        ("rubygems", "widget", "< 1.3.0", "rubygems"),
        ("npm", "widget", "<< 1.3.0", "is not a SemVer version"),
        (
            "npm",
            "gadget",
            "< 1.3.0",
            "none of its affected packages is named `widget`",
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let g = graph(
            tmp.path(),
            "widget",
            "1.3.0",
            &advisory(ecosystem, name, range),
        );
        assert_eq!(shown(&g), ["CVE-2026-1 affected fixed_in=1.3.0 from=none"]);
        let finding = g
            .findings()
            .iter()
            .find(|f| f.code == FindingCode::VulnRangeUnjudged)
            .expect("a finding says why");
        assert!(finding.message.contains(why), "{finding:?}");
    }
}
