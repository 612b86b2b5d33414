//! Vulnerability scans and alerts end to end: Trivy and Grype reports, Dependabot alerts and
//! GitHub advisories from `../shared/corpus` (copied into a temporary bundle at test time;
//! skipped, with a printed reason, when the corpus is absent), merging across formats, and
//! bad input.
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
use vouch_engine::formats::{
    self, Confidence, DetectInput, Evidence, EvidenceKind, HEAD_LEN, ParseInput,
};
use vouch_engine::graph::{Node, VulnStatementNode};
use vouch_engine::report::Status;
use vouch_engine::vulns::{Band, SourceKind, VulnDocument, VulnStatus};
use vouch_engine::{EvidenceGraph, FindingCode};

/// The corpus files this test reads, with the kind each must be classified as.
const CORPUS: &[(&str, EvidenceKind)] = &[
    (
        "scans/grype-chainguard-ruby-test.json",
        EvidenceKind::GrypeScan,
    ),
    ("scans/grype-ghsa-test.json", EvidenceKind::GrypeScan),
    (
        "scans/osv-scanner-cargo-multiple-packages-with-vulns.json",
        EvidenceKind::OsvScannerScan,
    ),
    (
        "scans/osv-scanner-go-test-vuln-results-b.json",
        EvidenceKind::OsvScannerScan,
    ),
    ("scans/trivy-alpine-310.json", EvidenceKind::TrivyScan),
    ("scans/trivy-gomod-vex.json", EvidenceKind::TrivyScan),
    (
        "dependabot/webhook-dependabot_alert-created.payload.json",
        EvidenceKind::DependabotAlerts,
    ),
    (
        "dependabot/webhook-dependabot_alert-fixed.payload.json",
        EvidenceKind::DependabotAlerts,
    ),
    (
        "dependabot/webhook-repository_vulnerability_alert-dismiss.payload.json",
        EvidenceKind::DependabotAlerts,
    ),
    (
        "dependabot/webhook-security_advisory-published.payload.json",
        EvidenceKind::GithubAdvisory,
    ),
];

const NEW_KINDS: [EvidenceKind; 4] = [
    EvidenceKind::TrivyScan,
    EvidenceKind::GrypeScan,
    EvidenceKind::DependabotAlerts,
    EvidenceKind::GithubAdvisory,
];

fn corpus(test: &str) -> Option<std::path::PathBuf> {
    let dir = common::corpus();
    if dir.is_none() {
        eprintln!("skipping {test}: ../shared/corpus is not present");
    }
    dir
}

/// Copies the corpus files into a fresh bundle and ingests it.
fn corpus_bundle(corpus: &Path) -> (tempfile::TempDir, EvidenceGraph) {
    let dir = tempfile::tempdir().unwrap();
    for (rel, _) in CORPUS {
        write(dir.path(), rel, &std::fs::read(corpus.join(rel)).unwrap());
    }
    let graph = common::ingest(dir.path());
    (dir, graph)
}

fn statements<'g>(graph: &'g EvidenceGraph, path: &str) -> Vec<&'g VulnStatementNode> {
    graph
        .nodes()
        .filter_map(|(_, n)| match n {
            Node::VulnStatement(s) if s.source.path == path => Some(&**s),
            _ => None,
        })
        .collect()
}

fn document(corpus: &Path, rel: &str, kind: EvidenceKind) -> VulnDocument {
    let bytes = std::fs::read(corpus.join(rel)).unwrap();
    let parsed = formats::format_of(kind).unwrap().parse(&ParseInput {
        path: rel,
        bytes: &bytes,
    });
    assert!(parsed.findings.is_empty(), "{rel}: {:?}", parsed.findings);
    match parsed.evidence {
        Some(Evidence::Vulnerabilities(doc)) => doc,
        other => panic!("{rel}: {other:?}"),
    }
}

fn time(text: &str) -> jiff::Timestamp {
    text.parse().unwrap()
}

#[test]
fn corpus_files_are_classified_as_their_kind_and_parse_cleanly() {
    let Some(corpus) = corpus("corpus_files_are_classified_as_their_kind_and_parse_cleanly") else {
        return;
    };
    let (_dir, graph) = corpus_bundle(&corpus);
    for (rel, kind) in CORPUS {
        let (_, file) = graph.file(rel).expect(rel);
        assert_eq!(file.kind, Some(*kind), "{rel}");
        assert!(
            !statements(&graph, rel).is_empty(),
            "{rel} gives statements"
        );
    }
    assert!(graph.findings().is_empty(), "{:#?}", graph.findings());
}

#[test]
fn no_other_corpus_file_is_taken_for_a_scan_or_an_alert() {
    let Some(corpus) = corpus("no_other_corpus_file_is_taken_for_a_scan_or_an_alert") else {
        return;
    };
    let mut checked = 0;
    for dir in std::fs::read_dir(&corpus).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            let rel = path
                .strip_prefix(&corpus)
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            let bytes = std::fs::read(&path).unwrap();
            let head = &bytes[..bytes.len().min(HEAD_LEN)];
            let input = DetectInput::new(&rel, head, bytes.len() as u64);
            let kind = formats::classify(&input).map(|f| f.kind());
            // Each new format on its own, so a format registered before it cannot hide a
            // false positive.
            let claimed: Vec<EvidenceKind> = NEW_KINDS
                .into_iter()
                .filter(|k| formats::format_of(*k).unwrap().detect(&input) != Confidence::No)
                .collect();
            let expected = CORPUS.iter().find(|(r, _)| *r == rel).map(|(_, k)| *k);
            assert_eq!(kind, expected.or(kind), "{rel}");
            let mine = expected.filter(|k| NEW_KINDS.contains(k));
            assert_eq!(claimed, mine.into_iter().collect::<Vec<_>>(), "{rel}");
            checked += 1;
        }
    }
    assert!(checked > CORPUS.len());
}

#[test]
fn trivy_reports_read_as_statements() {
    let Some(corpus) = corpus("trivy_reports_read_as_statements") else {
        return;
    };
    let alpine = document(
        &corpus,
        "scans/trivy-alpine-310.json",
        EvidenceKind::TrivyScan,
    );
    assert_eq!((alpine.kind, alpine.format), (SourceKind::Scan, "trivy"));
    assert_eq!(
        alpine.produced_at,
        Some(time("2021-08-25T12:20:30.000000005Z"))
    );
    let ids: Vec<&str> = alpine.statements.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "CVE-2019-1549",
            "CVE-2019-1551",
            "CVE-2019-1549",
            "CVE-2019-1551"
        ]
    );
    let s = &alpine.statements[0];
    assert_eq!(
        s.package.as_deref(),
        Some("pkg:apk/alpine/libcrypto1.1@1.1.1c-r0?arch=x86_64&distro=3.10.2")
    );
    assert_eq!(s.installed.as_deref(), Some("1.1.1c-r0"));
    assert_eq!(s.fixed_in.as_deref(), Some("1.1.1d-r0"));
    assert_eq!(s.severity, Some(Band::Medium));
    // `Status: fixed` means a fixed version exists, not that the product is fixed.
    assert_eq!(s.status, None);
    assert_eq!(s.disclosed, Some(time("2019-09-10T17:15:00Z")));
    // nvd first, then the other sources; the v2 vector is not read.
    let cvss: Vec<(&str, Option<f64>)> = s
        .cvss
        .iter()
        .map(|c| (c.vector.as_str(), c.score))
        .collect();
    assert_eq!(
        cvss,
        [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", Some(5.3)),
            ("CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N", Some(4.8)),
        ]
    );
    assert_eq!(alpine.statements[3].fixed_in.as_deref(), Some("1.1.1d-r2"));

    let gomod = document(
        &corpus,
        "scans/trivy-gomod-vex.json",
        EvidenceKind::TrivyScan,
    );
    let ids: Vec<&str> = gomod.statements.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "GMS-2022-20",
            "CVE-2021-38561",
            "GMS-2022-20",
            "GMS-2022-20"
        ]
    );
    let s = &gomod.statements[1];
    assert_eq!(
        s.package.as_deref(),
        Some("pkg:golang/golang.org/x/text@v0.3.6")
    );
    assert_eq!(s.installed.as_deref(), Some("v0.3.6"));
    assert_eq!(s.fixed_in.as_deref(), Some("0.3.7"));
    assert_eq!(s.severity, None, "UNKNOWN is no band");
    assert!(s.cvss.is_empty());
}

#[test]
fn grype_outputs_read_as_statements() {
    let Some(corpus) = corpus("grype_outputs_read_as_statements") else {
        return;
    };
    let ruby = document(
        &corpus,
        "scans/grype-chainguard-ruby-test.json",
        EvidenceKind::GrypeScan,
    );
    assert_eq!((ruby.kind, ruby.format), (SourceKind::Scan, "grype"));
    assert_eq!(
        ruby.produced_at,
        Some(time("2023-05-18T01:00:56.783213Z")),
        "-04:00 read with its offset"
    );
    let s = &ruby.statements;
    assert_eq!(s.len(), 3);
    assert_eq!(
        (s[0].id.as_str(), s[0].installed.as_deref()),
        ("CVE-2023-28755", Some("3.0.4-r1"))
    );
    assert!(s[0].aliases.is_empty(), "the related id is its own id");
    assert_eq!(s[0].fixed_in.as_deref(), Some("3.0.6-r0"));
    assert_eq!(s[0].severity, Some(Band::High));
    // The match's own record has no CVSS; the related NVD record's is read.
    assert_eq!(
        s[0].cvss[0].vector,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"
    );
    assert_eq!(s[0].cvss[0].score, Some(7.5));
    assert_eq!(s[1].fixed_in, None, "fix state unknown");
    assert_eq!(s[2].id, "GHSA-hv5j-3h9f-99c2");
    assert_eq!(s[2].aliases, ["CVE-2023-28755"]);
    assert_eq!(s[2].package.as_deref(), Some("pkg:gem/uri@0.10.1"));
    assert_eq!(s[2].fixed_in.as_deref(), Some("0.10.2"));

    let ghsa = document(
        &corpus,
        "scans/grype-ghsa-test.json",
        EvidenceKind::GrypeScan,
    );
    let s = &ghsa.statements[0];
    assert_eq!(s.id, "GHSA-cfh5-3ghh-wfjx");
    assert_eq!(s.aliases, ["CVE-2014-3577"]);
    assert_eq!(s.severity, Some(Band::Medium));
    assert_eq!(s.fixed_in.as_deref(), Some("4.3.5"));
    assert!(s.cvss.is_empty(), "only a CVSS v2 vector is given");
}

#[test]
fn scans_merge_by_related_ids() {
    let Some(corpus) = corpus("scans_merge_by_related_ids") else {
        return;
    };
    let (_dir, graph) = corpus_bundle(&corpus);
    let find = |id: &str| {
        graph
            .vulnerabilities()
            .find(|(_, v)| v.id == id)
            .unwrap_or_else(|| panic!("{id}"))
    };
    // Three Grype matches (two packages, a CVE and its GHSA) are one vulnerability.
    let (uri, v) = find("CVE-2023-28755");
    assert_eq!(v.aliases, ["GHSA-HV5J-3H9F-99C2"]);
    assert_eq!(v.severity, Some(Band::High));
    assert_eq!(v.status, VulnStatus::Affected);
    assert_eq!(graph.statements_of(uri).len(), 3);
    let (_, v) = find("CVE-2014-3577");
    assert_eq!(v.aliases, ["GHSA-CFH5-3GHH-WFJX"]);
    // One alpine CVE in two packages.
    let (openssl, _) = find("CVE-2019-1549");
    assert_eq!(graph.statements_of(openssl).len(), 2);
}

#[test]
fn dependabot_alerts_and_advisories_read_as_statements() {
    let Some(corpus) = corpus("dependabot_alerts_and_advisories_read_as_statements") else {
        return;
    };
    let kind = EvidenceKind::DependabotAlerts;
    let created = document(
        &corpus,
        "dependabot/webhook-dependabot_alert-created.payload.json",
        kind,
    );
    assert_eq!(
        (created.kind, created.format),
        (SourceKind::Register, "dependabot")
    );
    let s = &created.statements[0];
    assert_eq!(s.id, "GHSA-c2qf-rxjj-qqgw");
    assert_eq!(s.aliases, ["CVE-2022-25883"]);
    assert_eq!(s.package.as_deref(), Some("semver"));
    assert_eq!(s.fixed_in.as_deref(), Some("7.5.2"));
    assert_eq!(s.severity, Some(Band::Medium));
    assert_eq!(s.status, Some(VulnStatus::Affected));
    assert_eq!(s.discovered, Some(time("2023-06-24T13:57:12Z")));
    assert_eq!(s.disclosed, Some(time("2023-06-21T06:30:28Z")));
    assert_eq!(
        s.cvss[0].vector,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"
    );
    assert_eq!(s.cvss[0].score, Some(5.3));

    let fixed = document(
        &corpus,
        "dependabot/webhook-dependabot_alert-fixed.payload.json",
        kind,
    );
    let s = &fixed.statements[0];
    assert_eq!(
        (s.id.as_str(), s.aliases.as_slice()),
        ("GHSA-8f4m-hccc-8qph", &["CVE-2021-20191".to_owned()][..])
    );
    assert_eq!(s.status, Some(VulnStatus::Fixed));
    assert_eq!(s.fixed_at, Some(time("2022-06-15T13:55:40Z")));
    assert_eq!(s.discovered, Some(time("2022-06-14T15:21:52Z")));
    assert_eq!(
        s.fixed_in.as_deref(),
        Some("2.8.19"),
        "the alert's own range"
    );
    assert_eq!(s.package.as_deref(), Some("ansible"));

    let legacy = document(
        &corpus,
        "dependabot/webhook-repository_vulnerability_alert-dismiss.payload.json",
        kind,
    );
    let s = &legacy.statements[0];
    assert_eq!(s.id, "GHSA-qqgx-2p2h-9c37");
    assert_eq!(s.aliases, ["CVE-2018-3728"]);
    assert_eq!(s.package.as_deref(), Some("many_versioned_gem"));
    assert_eq!(s.fixed_in.as_deref(), Some("0.2.5"));
    assert_eq!(s.severity, Some(Band::Medium));
    assert_eq!(s.status, None, "dismissed for no bandwidth: a decision");
    assert_eq!(s.discovered, Some(time("2017-10-25T00:00:00Z")));

    let advisory = document(
        &corpus,
        "dependabot/webhook-security_advisory-published.payload.json",
        EvidenceKind::GithubAdvisory,
    );
    assert_eq!(
        (advisory.kind, advisory.format),
        (SourceKind::Advisory, "github-advisory")
    );
    let s = &advisory.statements[0];
    assert_eq!(s.id, "GHSA-rf4j-j272-fj86");
    assert_eq!(s.aliases, ["CVE-2018-6188"]);
    assert_eq!(s.severity, Some(Band::Medium));
    assert_eq!(s.disclosed, Some(time("2018-10-03T21:13:54Z")));
    assert_eq!(s.package.as_deref(), Some("django"));
    assert_eq!(s.fixed_in, None, "2.0.2 and 1.11.10 fix different branches");
    assert!(s.cvss.is_empty(), "an empty vector string is no vector");
}

/// Evaluates `body` as the one control of a policy.
fn status(graph: &EvidenceGraph, body: &str) -> Status {
    common::run_control(graph, "2026-10-01T00:00:00Z", "", body).status
}

const GRYPE: &str = r#"{"matches": [{"vulnerability": {"id": "GHSA-abcd-efgh-ijkl",
    "severity": "High", "fix": {"versions": ["2.4.1"], "state": "fixed"}},
  "relatedVulnerabilities": [{"id": "CVE-2026-1111", "severity": "High"}],
  "matchDetails": [], "artifact": {"name": "widget-core", "version": "2.4.0"}}],
  "descriptor": {"name": "grype", "timestamp": "2026-09-01T09:00:00Z"}}"#;

const TRIVY: &str = r#"{"SchemaVersion": 2, "CreatedAt": "2026-09-01T09:00:00Z",
  "ArtifactName": "widget", "ArtifactType": "filesystem",
  "Results": [{"Target": "Cargo.lock", "Vulnerabilities": [{"VulnerabilityID": "CVE-2026-1111",
    "PkgName": "widget-core", "InstalledVersion": "2.4.0", "FixedVersion": "2.4.1",
    "Status": "fixed", "Severity": "CRITICAL"}]}]}"#;

const ALERTS: &str = r#"[{"number": 7, "state": "fixed",
  "dependency": {"package": {"ecosystem": "rust", "name": "widget-core"}},
  "security_advisory": {"ghsa_id": "GHSA-zzzz-yyyy-xxxx", "cve_id": "CVE-2026-1111",
    "severity": "high", "published_at": "2026-09-02T00:00:00Z",
    "identifiers": [{"type": "CVE", "value": "CVE-2026-1111"}]},
  "security_vulnerability": {"package": {"ecosystem": "rust", "name": "widget-core"},
    "severity": "high", "first_patched_version": {"identifier": "2.4.1"}},
  "created_at": "2026-09-01T10:00:00Z", "fixed_at": "2026-09-04T10:00:00Z"}]"#;

#[test]
fn a_scan_and_a_dependabot_alert_are_one_vulnerability() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "scans/grype.json", GRYPE.as_bytes());
    write(dir.path(), "scans/trivy.json", TRIVY.as_bytes());
    write(dir.path(), "alerts.json", ALERTS.as_bytes());
    let graph = common::ingest(dir.path());
    assert!(graph.findings().is_empty(), "{:#?}", graph.findings());
    for (path, kind) in [
        ("scans/grype.json", EvidenceKind::GrypeScan),
        ("scans/trivy.json", EvidenceKind::TrivyScan),
        ("alerts.json", EvidenceKind::DependabotAlerts),
    ] {
        assert_eq!(graph.file(path).unwrap().1.kind, Some(kind), "{path}");
    }
    let vulns: Vec<_> = graph.vulnerabilities().collect();
    assert_eq!(vulns.len(), 1, "{vulns:#?}");
    let (id, v) = vulns[0];
    assert_eq!(v.id, "CVE-2026-1111");
    assert_eq!(v.aliases, ["GHSA-ABCD-EFGH-IJKL", "GHSA-ZZZZ-YYYY-XXXX"]);
    assert_eq!(graph.statements_of(id).len(), 3);
    // The register (Dependabot) is more authoritative than the scans.
    assert_eq!(v.status, VulnStatus::Fixed);
    assert_eq!(v.severity, Some(Band::High));
    assert_eq!(v.discovered, Some(time("2026-09-01T10:00:00Z")));
    assert_eq!(v.fixed_at, Some(time("2026-09-04T10:00:00Z")));
    assert_eq!(v.fixed_in.as_deref(), Some("2.4.1"));
    assert_eq!(
        status(
            &graph,
            "  expect all(v in vulnerabilities: v.time_to_fix != none and v.time_to_fix == 3d and len(v.sources) == 3)"
        ),
        Status::Pass
    );
    assert_eq!(
        status(
            &graph,
            "  expect all(v in vulnerabilities: v.time_to_fix != none and v.time_to_fix <= 48h)"
        ),
        Status::Fail
    );
}

/// Writes `content` as `name` into a bundle beside a good alert list and ingests it.
fn bad_bundle(name: &str, content: &[u8]) -> EvidenceGraph {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "good/alerts.json", ALERTS.as_bytes());
    write(dir.path(), name, content);
    let graph = common::ingest(dir.path());
    assert_eq!(
        statements(&graph, "good/alerts.json").len(),
        1,
        "the good file is still read"
    );
    graph
}

fn messages(graph: &EvidenceGraph, path: &str) -> Vec<(FindingCode, String)> {
    graph
        .findings()
        .iter()
        .filter(|f| f.path.as_deref() == Some(path))
        .map(|f| (f.code, f.message.clone()))
        .collect()
}

#[test]
fn truncated_and_deeply_nested_json_are_located_findings() {
    for (name, text) in [
        ("trivy.json", TRIVY),
        ("grype.json", GRYPE),
        ("alerts.json", ALERTS),
    ] {
        let cut = &text[..text.len() * 2 / 3];
        let graph = bad_bundle(name, cut.as_bytes());
        let found = common::findings_at(&graph, name);
        assert_eq!(found.len(), 1, "{name}: {found:?}");
        assert_eq!(found[0].0, FindingCode::JsonSyntax);
        assert!(found[0].1.is_some_and(|line| line > 1), "{name}: {found:?}");
    }
    let deep = format!(
        "{{\"SchemaVersion\": 2, \"ArtifactName\": \"x\", \"Results\": {}",
        "[".repeat(200_000)
    );
    let graph = bad_bundle("deep.json", deep.as_bytes());
    assert_eq!(
        graph.file("deep.json").unwrap().1.kind,
        Some(EvidenceKind::TrivyScan)
    );
    let found = messages(&graph, "deep.json");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, FindingCode::JsonSyntax);
    assert!(found[0].1.contains("recursion limit"), "{found:?}");
}

#[test]
fn wrong_types_and_bad_dates_are_located_and_other_alerts_survive() {
    let alerts = r#"[
  {"number": 1, "state": "open", "dependency": {"package": {"name": "a"}},
   "security_advisory": {"ghsa_id": "GHSA-1111-2222-3333", "severity": 3,
     "published_at": "2026-09-01T00:00:00"},
   "created_at": "2026-09-02"},
  {"number": 2, "state": "open", "dependency": {"package": {"name": "b"}},
   "security_advisory": {"summary": "an advisory with no id"}},
  {"number": 3, "state": "dismissed", "dismissed_reason": "inaccurate",
   "dependency": {"package": {"name": "c"}},
   "security_advisory": {"ghsa_id": "GHSA-4444-5555-6666", "cve_id": ["CVE-2026-2"]},
   "security_vulnerability": {"first_patched_version": {"identifier": 2}}}
]"#;
    let graph = bad_bundle("dependabot.json", alerts.as_bytes());
    let found = messages(&graph, "dependabot.json");
    let expected = [
        (
            FindingCode::InvalidValue,
            "/0/security_advisory/severity: expected a string, found a number",
        ),
        (
            FindingCode::DateWithoutZone,
            "/0/security_advisory/published_at: `2026-09-01T00:00:00` has no time zone; read as UTC",
        ),
        (
            FindingCode::DateWithoutZone,
            "/0/created_at: `2026-09-02` has no time zone; read as UTC",
        ),
        (
            FindingCode::InvalidValue,
            "/1/security_advisory: an advisory without an id (`ghsa_id`, `cve_id` or `identifiers`)",
        ),
        (
            FindingCode::InvalidValue,
            "/2/security_advisory/cve_id: expected a string, found an array",
        ),
        (
            FindingCode::InvalidValue,
            "/2/security_vulnerability/first_patched_version/identifier: expected a string, found a number",
        ),
    ];
    // The graph orders findings its own way; compare as sets.
    let mut found: Vec<(FindingCode, &str)> = found.iter().map(|(c, m)| (*c, m.as_str())).collect();
    let mut expected = expected.to_vec();
    found.sort();
    expected.sort();
    assert_eq!(found, expected);
    let read = statements(&graph, "dependabot.json");
    let ids: Vec<&str> = read.iter().map(|s| s.statement.id.as_str()).collect();
    assert_eq!(ids, ["GHSA-1111-2222-3333", "GHSA-4444-5555-6666"]);
    assert_eq!(
        read[0].statement.discovered,
        Some(time("2026-09-02T00:00:00Z"))
    );
    assert_eq!(read[1].statement.status, Some(VulnStatus::NotAffected));
    assert_eq!(
        read[1].statement.justification.as_deref(),
        Some("inaccurate")
    );
}

#[test]
fn a_file_of_the_wrong_shape_is_a_finding_not_a_crash() {
    for (name, kind, text) in [
        ("a.json", EvidenceKind::TrivyScan, "[1, 2]"),
        ("b.json", EvidenceKind::GrypeScan, "\"matches\""),
        ("c.json", EvidenceKind::DependabotAlerts, "42"),
        ("d.json", EvidenceKind::GithubAdvisory, "null"),
        ("e.json", EvidenceKind::DependabotAlerts, "{}"),
    ] {
        let parsed = formats::format_of(kind).unwrap().parse(&ParseInput {
            path: name,
            bytes: text.as_bytes(),
        });
        assert!(!parsed.findings.is_empty(), "{name}: {parsed:?}");
        assert!(
            parsed.findings[0].message.starts_with('/'),
            "{name}: {parsed:?}"
        );
    }
}
