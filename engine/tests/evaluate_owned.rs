//! `evaluate_owned` (which takes the graph's vulnerability evidence apart as it builds the
//! values) gives exactly the report `evaluate` gives, on the example bundles and on a bundle
//! whose vulnerabilities merge several statements, advisories and a VEX statement.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use crate::common;

use std::path::Path;

use vouch_engine::EvaluationOptions;
use vouch_engine::report::render::{Format, render};

fn pack() -> vouch_lang::CheckedPolicy {
    let text = include_str!("../../stdlib-policies/uk-sscop/uk_sscop.vouch");
    vouch_lang::check_with(
        vouch_lang::Source::new("uk_sscop.vouch", text),
        &vouch_lang::NoImports,
        &common::frameworks(),
        &vouch_lang::LintLevels::default(),
    )
    .policy
    .expect("the uk-sscop pack checks")
}

/// Both evaluations of the bundle at `dir`, as JSON.
fn both(dir: &Path) -> (String, String) {
    let graph = common::ingest(dir);
    let policy = pack();
    let options = EvaluationOptions::at("2026-10-02T00:00:00Z".parse().unwrap());
    let shared = render(
        &vouch_engine::evaluate(&policy, &graph, &options),
        Format::Json,
    );
    let owned = render(
        &vouch_engine::evaluate_owned(&policy, graph, &options),
        Format::Json,
    );
    (shared, owned)
}

#[test]
fn the_example_bundles_give_the_same_report() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/bundles");
    for name in ["compliant", "failing", "waived", "signed-sums"] {
        let (shared, owned) = both(&root.join(name));
        assert!(shared.contains("\"controls\""), "{name}");
        assert_eq!(shared, owned, "{name}");
    }
}

/// OSV advisories naming the same vulnerability by alias (one merged vulnerability of
/// several statements), an advisory covering two vulnerabilities, and a VEX statement.
#[test]
fn merged_vulnerabilities_give_the_same_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    common::write(
        d,
        "release.toml",
        b"[release]\nproduct = \"widget\"\nversion = \"2.4.1\"\ndate = 2026-10-01\nartifacts = []\n",
    );
    let osv = |id: &str, aliases: &str, fixed: &str| {
        format!(
            "{{\"id\":\"{id}\",\"modified\":\"2026-01-01T00:00:00Z\",\
             \"published\":\"2026-01-01T00:00:00Z\",\"aliases\":[{aliases}],\
             \"affected\":[{{\"package\":{{\"ecosystem\":\"npm\",\"name\":\"widget\"}},\
             \"ranges\":[{{\"type\":\"SEMVER\",\"events\":[{{\"introduced\":\"0\"}},\
             {{\"fixed\":\"{fixed}\"}}]}}]}}]}}\n"
        )
    };
    let files = [
        (
            "osv/GHSA-0001.json",
            osv("GHSA-0001", "\"CVE-2026-0001\"", "2.4.1"),
        ),
        (
            "osv/GHSA-0002.json",
            osv("GHSA-0002", "\"CVE-2026-0001\"", "2.5.0"),
        ),
        (
            "osv/GHSA-0003.json",
            osv("GHSA-0003", "\"CVE-2026-0003\",\"CVE-2026-0004\"", "3.0.0"),
        ),
        ("osv/GHSA-0004.json", osv("GHSA-0004", "", "2.0.0")),
    ];
    for (path, text) in &files {
        common::write(d, path, text.as_bytes());
    }
    common::write(
        d,
        "vex/widget.openvex.json",
        br#"{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1",
  "author": "Widget team", "timestamp": "2026-09-01T00:00:00Z", "version": 1,
  "statements": [{"vulnerability": {"name": "CVE-2026-0003"}, "products": [{"@id": "pkg:npm/widget@2.4.1"}],
    "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}"#,
    );
    let graph = common::ingest(d);
    // CVE-2026-0001 (two advisories), CVE-2026-0003 (an advisory and the VEX), GHSA-0004.
    assert_eq!(graph.vulnerabilities().count(), 3);
    assert_eq!(graph.advisories().count(), 4);
    let (shared, owned) = both(d);
    assert_eq!(shared, owned);
}
