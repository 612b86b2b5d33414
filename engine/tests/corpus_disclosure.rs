//! The real security.txt files, changelogs, feeds and endoflife.date data in
//! `../shared/corpus` are classified and parse, each problem a precise finding. Skipped, with
//! a printed reason, when the corpus is absent. Files are copied into temporary bundles at
//! test time, never into the repository.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use crate::common;

use std::path::Path;

use vouch_engine::formats::EvidenceKind;
use vouch_engine::report::Status;
use vouch_engine::{EvidenceGraph, FindingCode, Severity};

/// Copies the corpus files of `dir` named in `names` (all when empty) into a temporary
/// bundle, under `rename(name)`, and ingests it.
fn bundle(
    dir: &str,
    names: &[&str],
    rename: impl Fn(&str) -> String,
) -> Option<(tempfile::TempDir, EvidenceGraph)> {
    let Some(corpus) = common::corpus() else {
        eprintln!("skipping: ../shared/corpus is not present");
        return None;
    };
    let tmp = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(corpus.join(dir)).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if names.is_empty() || names.contains(&name.as_str()) {
            let target = tmp.path().join(rename(&name));
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(&path, target).unwrap();
        }
    }
    let graph = common::ingest(tmp.path());
    Some((tmp, graph))
}

fn codes(graph: &EvidenceGraph, path: &str) -> Vec<(FindingCode, Option<u32>)> {
    graph
        .findings()
        .iter()
        .filter(|f| f.path.as_deref() == Some(path))
        .map(|f| (f.code, f.line))
        .collect()
}

fn errors(graph: &EvidenceGraph) -> Vec<String> {
    graph
        .findings()
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{:?}:{:?} {}: {}", f.path, f.line, f.code, f.message))
        .collect()
}

/// Evaluates a one-control policy whose body is `body` over `graph` at `as_of`.
pub fn status(graph: &EvidenceGraph, as_of: &str, body: &str) -> Status {
    common::run_control(graph, as_of, "", body).status
}

/// One security.txt alone, at `.well-known/security.txt`.
fn security_txt(name: &str) -> Option<(tempfile::TempDir, EvidenceGraph)> {
    bundle("securitytxt", &[name], |_| {
        ".well-known/security.txt".to_owned()
    })
}

/// A finding's code and line.
type Located = (FindingCode, Option<u32>);

const WELL_KNOWN: &str = ".well-known/security.txt";

#[test]
fn every_security_txt_parses_with_precise_findings() {
    use FindingCode::*;
    let expected: &[(&str, &[Located])] = &[
        // `Contact: security@almalinux.org` has no URI scheme.
        (
            "almalinux.org.security.txt",
            &[(SecurityTxtInvalidValue, Some(9))],
        ),
        ("divd.nl.security.txt", &[]),
        (
            "edjopato.de.security.txt",
            &[(SecurityTxtMissingField, Some(1))],
        ),
        // A draft-era `Signature:` field, and an RFC 2822 `Expires` (read all the same).
        (
            "ffrn.de.security.txt",
            &[
                (SecurityTxtUnknownField, Some(22)),
                (SecurityTxtInvalidValue, Some(26)),
            ],
        ),
        // Only a relative CSAF URL: no Contact, no Expires.
        (
            "gocsaf-testdata-csaf-only.security.txt",
            &[
                (SecurityTxtMissingField, Some(1)),
                (SecurityTxtMissingField, Some(1)),
                (SecurityTxtInvalidValue, Some(1)),
            ],
        ),
        ("grapheneos.org.security.txt", &[]),
    ];
    for (name, findings) in expected {
        let Some((_tmp, graph)) = security_txt(name) else {
            return;
        };
        let (_, file) = graph.file(WELL_KNOWN).unwrap();
        assert_eq!(file.kind, Some(EvidenceKind::SecurityTxt), "{name}");
        assert!(graph.security_txt().is_some(), "{name}");
        let mut got = codes(&graph, WELL_KNOWN);
        got.sort();
        let mut want = findings.to_vec();
        want.sort();
        assert_eq!(got, want, "{name}: {:#?}", graph.findings());
    }
}

#[test]
fn almalinux_is_signed_and_expired_in_2026() {
    let Some((_tmp, graph)) = security_txt("almalinux.org.security.txt") else {
        return;
    };
    let (_, t) = graph.security_txt().unwrap();
    assert!(t.content.signed);
    assert_eq!(
        t.content.contacts,
        ["security@almalinux.org", "https://bugs.almalinux.org"]
    );
    assert_eq!(t.content.preferred_languages, ["en"]);
    assert_eq!(
        t.content.expires.unwrap().to_string(),
        "2025-05-03T12:00:00Z"
    );
    // The cleartext signature signs the file itself; without the key it is not verified.
    let (file, _) = graph.file(WELL_KNOWN).unwrap();
    let signatures = graph.signatures_of(file);
    assert_eq!(signatures.len(), 1);
    assert!(!signatures[0].1.verification.trusted);
    let as_of = "2026-06-01T00:00:00Z";
    assert_eq!(
        status(&graph, as_of, "  expect security_txt.signed"),
        Status::Pass
    );
    assert_eq!(
        status(&graph, as_of, "  expect security_txt.verified"),
        Status::Fail
    );
    assert_eq!(
        status(
            &graph,
            as_of,
            "  expect security_txt.expires != none and security_txt.expires > as_of"
        ),
        Status::Fail
    );
    assert_eq!(
        status(
            &graph,
            "2025-01-01T00:00:00Z",
            "  expect security_txt.expires != none and security_txt.expires > as_of"
        ),
        Status::Pass
    );
    assert_eq!(
        status(
            &graph,
            as_of,
            "  expect any(c in security_txt.contacts: starts_with(c, \"https://\"))"
        ),
        Status::Pass
    );
    assert_eq!(
        status(
            &graph,
            as_of,
            "  expect all(c in security_txt.contacts: starts_with(c, \"mailto:\") or starts_with(c, \"https://\"))"
        ),
        Status::Fail
    );
}

#[test]
fn grapheneos_expires_in_2027_and_a_missing_expires_is_none() {
    let Some((_tmp, graph)) = security_txt("grapheneos.org.security.txt") else {
        return;
    };
    let as_of = "2026-10-01T00:00:00Z";
    assert_eq!(
        status(
            &graph,
            as_of,
            "  expect security_txt.expires != none and security_txt.expires > as_of"
        ),
        Status::Pass
    );
    // Under a year ahead: a policy's judgement.
    assert_eq!(
        status(
            &graph,
            as_of,
            "  expect security_txt.expires != none and security_txt.expires <= as_of + 1 year"
        ),
        Status::Pass
    );
    assert_eq!(
        status(
            &graph,
            "2026-01-01T00:00:00Z",
            "  expect security_txt.expires != none and security_txt.expires <= as_of + 1 year"
        ),
        Status::Fail
    );
    let Some((_tmp, graph)) = security_txt("edjopato.de.security.txt") else {
        return;
    };
    assert_eq!(
        status(
            &graph,
            as_of,
            "  expect security_txt.expires != none and security_txt.expires > as_of"
        ),
        Status::Fail
    );
    assert_eq!(
        status(&graph, as_of, "  expect security_txt.expires == none"),
        Status::Pass
    );
}

#[test]
fn several_security_txts_use_the_well_known_one() {
    let Some((_tmp, graph)) = bundle("securitytxt", &[], |name| match name {
        "divd.nl.security.txt" => WELL_KNOWN.to_owned(),
        other => format!("others/{other}"),
    }) else {
        return;
    };
    assert_eq!(graph.security_txts().count(), 6);
    assert_eq!(graph.security_txt().unwrap().1.source.path, WELL_KNOWN);
    let multiple = graph
        .findings()
        .iter()
        .filter(|f| f.code == FindingCode::SecurityTxtMultiple)
        .count();
    assert_eq!(multiple, 5);
    assert_eq!(
        status(
            &graph,
            "2025-06-01T00:00:00Z",
            "  expect contains(security_txt.policies, \"https://www.divd.nl/security/\")"
        ),
        Status::Pass
    );
}

#[test]
fn changelogs_parse_with_versions_and_ids() {
    let Some((_tmp, graph)) = bundle("changelog", &[], |n| n.to_owned()) else {
        return;
    };
    assert_eq!(errors(&graph), Vec::<String>::new());
    for (_, file) in graph.files() {
        assert_eq!(file.kind, Some(EvidenceKind::Changelog), "{}", file.path);
    }
    let log = |path: &str| {
        graph
            .changelogs()
            .find(|(_, c)| c.source.path == path)
            .map(|(_, c)| c.versions.clone())
            .unwrap()
    };
    let rustsec = log("rustsec-crate-CHANGELOG.md");
    let with_cve: Vec<&str> = rustsec
        .iter()
        .filter(|v| v.ids.contains("CVE-2023-22742"))
        .map(|v| v.version.as_str())
        .collect();
    assert_eq!(with_cve, ["0.26.5"]);
    assert!(rustsec.iter().any(|v| v.ids.contains("RUSTSEC-2024-0335")));
    assert_eq!(rustsec.last().unwrap().version, "0.1.0");
    // 0.28.4 has two headings in the real file: a warning, both kept.
    assert_eq!(
        codes(&graph, "rustsec-crate-CHANGELOG.md"),
        [(FindingCode::ChangelogDuplicateVersion, Some(92))]
    );
    let regorus = log("regorus-CHANGELOG.md");
    assert_eq!(regorus[0].version, "0.11.0");
    assert_eq!(regorus[0].date.unwrap().to_string(), "2026-07-21");
    assert!(regorus[0].security);
    assert!(regorus.iter().filter(|v| v.security).count() >= 1);
    assert!(regorus.iter().any(|v| v.version == "0.1.0-alpha.1"));
    let openssl = log("rust-openssl-CHANGELOG.md");
    assert_eq!(openssl[0].version, "0.10.73");
    assert_eq!(openssl[0].date.unwrap().to_string(), "2025-05-28");
    assert_eq!(openssl.last().unwrap().version, "0.10.0");
    // `## Added` right under `## [v0.10.56]` is read as its section.
    let v56 = openssl.iter().find(|v| v.version == "0.10.56").unwrap();
    assert_eq!(v56.sections, ["Added"]);
    assert!(codes(&graph, "rust-openssl-CHANGELOG.md").is_empty());
}

#[test]
fn the_changelog_root_through_evaluation() {
    let Some((_tmp, graph)) = bundle("changelog", &["rustsec-crate-CHANGELOG.md"], |_| {
        "CHANGELOG.md".to_owned()
    }) else {
        return;
    };
    let as_of = "2026-10-01T00:00:00Z";
    assert_eq!(
        status(
            &graph,
            as_of,
            "  expect any(v in changelog.versions: \"CVE-2023-22742\" in v.ids)"
        ),
        Status::Pass
    );
    assert_eq!(
        status(
            &graph,
            as_of,
            "  expect any(v in changelog.versions: v.version == \"0.30.2\" and v.date != none and v.date == 2025-02-28)"
        ),
        Status::Pass
    );
    assert_eq!(
        status(
            &graph,
            as_of,
            "  expect all(v in changelog.versions: not v.security)"
        ),
        Status::Pass
    );
    assert_eq!(
        status(
            &graph,
            as_of,
            "  expect any(v in changelog.versions: \"CVE-2099-0001\" in v.ids)"
        ),
        Status::Fail
    );
}

#[test]
fn feeds_parse_with_items_dates_and_ids() {
    let Some((_tmp, graph)) = bundle("feeds", &[], |n| n.to_owned()) else {
        return;
    };
    assert_eq!(errors(&graph), Vec::<String>::new());
    assert!(graph.findings().is_empty(), "{:#?}", graph.findings());
    for (_, file) in graph.files() {
        assert_eq!(file.kind, Some(EvidenceKind::Feed), "{}", file.path);
    }
    let feed = |path: &str| {
        graph
            .feeds()
            .find(|(_, f)| f.source.path == path)
            .unwrap()
            .1
            .feed
            .clone()
    };
    let rss = feed("bugalert-contributors.rss.xml");
    assert_eq!(rss.format.as_str(), "rss");
    assert_eq!(
        rss.title.as_deref(),
        Some("Bug Alert - Bug Alert Contributors")
    );
    let first = &rss.items[0];
    assert_eq!(first.published.unwrap().to_string(), "2023-10-31T14:45:00Z");
    assert!(first.ids.contains("CVE-2023-22518"), "{:?}", first.ids);
    assert_eq!(
        first.link.as_deref(),
        Some("https://bugalert.org/content/notices/2023-10-31-confluence.html")
    );
    assert!(rss.items.iter().all(|i| i.published.is_some()));
    let atom = feed("bugalert-critical-severity.atom.xml");
    assert_eq!(atom.format.as_str(), "atom");
    let spring = &atom.items[0];
    assert_eq!(
        spring.published.unwrap().to_string(),
        "2022-03-30T15:00:00Z"
    );
    assert!(spring.ids.contains("CVE-2022-22965"));
    assert!(spring.ids.contains("CVE-2010-1622"));
    let rolie = feed("oasis-csaf-rolie-example-01-feed-tlp-white.json");
    assert_eq!(rolie.format.as_str(), "rolie");
    assert_eq!(rolie.items.len(), 1);
    assert!(rolie.items[0].ids.contains("2020-ESA-001"));
    assert_eq!(
        rolie.items[0].published.unwrap().to_string(),
        "2021-01-01T11:00:00Z"
    );
    let as_of = "2026-10-01T00:00:00Z";
    assert_eq!(
        status(
            &graph,
            as_of,
            "  expect any(f in feeds: any(i in f.items: \"CVE-2022-22965\" in i.ids))"
        ),
        Status::Pass
    );
    assert_eq!(
        status(
            &graph,
            as_of,
            "  expect all(f in feeds: all(i in f.items: i.published != none and i.published < as_of))"
        ),
        Status::Pass
    );
    assert_eq!(
        status(
            &graph,
            as_of,
            "  expect any(f in feeds: f.format == \"rolie\" and len(f.items) == 1)"
        ),
        Status::Pass
    );
}

#[test]
fn endoflife_data_becomes_support_cycles() {
    let Some((_tmp, graph)) = bundle("eol", &[], |n| n.to_owned()) else {
        return;
    };
    assert_eq!(errors(&graph), Vec::<String>::new());
    for (_, file) in graph.files() {
        assert_eq!(
            file.kind,
            Some(EvidenceKind::EndOfLifeData),
            "{}",
            file.path
        );
    }
    // Release data with only versions' dates: an info finding each.
    for path in [
        "release-data-nodejs.json",
        "release-data-rust.json",
        "release-data-ubuntu.json",
    ] {
        assert_eq!(
            codes(&graph, path),
            [(FindingCode::EolNoCycles, None)],
            "{path}"
        );
    }
    let cycles = |path: &str| -> Vec<_> {
        graph
            .support_cycles()
            .filter(|(_, c)| c.source.path == path)
            .map(|(_, c)| c.clone())
            .collect()
    };
    let data = cycles("release-data-python.json");
    assert_eq!(data.len(), 17);
    let py39 = data.iter().find(|c| c.cycle == "3.9").unwrap();
    assert_eq!(py39.released.to_string(), "2020-10-05");
    assert_eq!(py39.eol.unwrap().to_string(), "2025-10-31");
    assert_eq!(py39.eol_announced, None);
    let page = cycles("products-python.md");
    let py314 = page.iter().find(|c| c.cycle == "3.14").unwrap();
    assert_eq!(py314.support_until.unwrap().to_string(), "2027-10-01");
    assert_eq!(py314.eol.unwrap().to_string(), "2030-10-31");
    assert!(py314.source.line.is_some());
    // `eoas: true`: ended, read as the cycle's latest release date.
    let py35 = page.iter().find(|c| c.cycle == "3.5").unwrap();
    assert_eq!(py35.support_until.unwrap().to_string(), "2020-09-05");
    let ubuntu = cycles("products-ubuntu.md");
    assert!(ubuntu.iter().find(|c| c.cycle == "24.04").unwrap().lts);
    assert!(!ubuntu.iter().find(|c| c.cycle == "25.10").unwrap().lts);
    let as_of = "2026-10-01T00:00:00Z";
    assert_eq!(
        status(
            &graph,
            as_of,
            "  expect any(c in support.cycles: c.cycle == \"3.14\" and c.eol != none and c.eol > as_of)"
        ),
        Status::Pass
    );
    assert_eq!(
        status(
            &graph,
            as_of,
            "  expect all(c in support.cycles: c.notice == none)"
        ),
        Status::Pass
    );
}

/// The TLS fixtures (modelled on the tools' documented output: see their README).
fn tls_bundle() -> (tempfile::TempDir, EvidenceGraph) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls");
    let tmp = tempfile::tempdir().unwrap();
    for name in ["testssl-flat.json", "testssl-pretty.json", "sslyze.json"] {
        std::fs::copy(fixtures.join(name), tmp.path().join(name)).unwrap();
    }
    let graph = common::ingest(tmp.path());
    (tmp, graph)
}

#[test]
fn tls_scans_from_testssl_and_sslyze() {
    let (_tmp, graph) = tls_bundle();
    assert_eq!(errors(&graph), Vec::<String>::new());
    assert_eq!(
        codes(&graph, "sslyze.json"),
        [(FindingCode::TlsScanNoResults, None)]
    );
    let scans: Vec<_> = graph.tls_scans().map(|(_, t)| t.scan.clone()).collect();
    let hosts: Vec<&str> = scans.iter().map(|s| s.host.as_str()).collect();
    assert_eq!(
        hosts,
        [
            "releases.example.com",
            "downloads.example.org",
            "mirror.example.net"
        ]
    );
    let sslyze = &scans[0];
    assert_eq!(
        sslyze.protocols.iter().collect::<Vec<_>>(),
        ["tls1.2", "tls1.3"]
    );
    assert_eq!(sslyze.weak_ciphers, ["TLS_RSA_WITH_RC4_128_SHA"]);
    assert_eq!(sslyze.hsts_max_age, Some(63_072_000));
    let flat = &scans[1];
    assert_eq!(
        flat.protocols.iter().collect::<Vec<_>>(),
        ["tls1.0", "tls1.2", "tls1.3"]
    );
    assert_eq!(
        flat.weak_ciphers,
        ["TLS_RSA_WITH_3DES_EDE_CBC_SHA", "cipherlist_3DES_IDEA"]
    );
    assert_eq!(flat.scanned_at, None);
    let pretty = &scans[2];
    assert_eq!(pretty.hsts, Some(false));
    assert!(pretty.weak_ciphers.is_empty());
    assert_eq!(
        pretty.scanned_at.unwrap().to_string(),
        "2026-09-30T08:00:00Z"
    );
    let as_of = "2026-10-01T00:00:00Z";
    let pass = |body: &str| status(&graph, as_of, body);
    assert_eq!(
        pass("  expect any(s in tls_scans: s.tool == \"testssl\")"),
        Status::Pass
    );
    assert_eq!(
        pass("  for s in tls_scans {\n    expect not (\"tls1.0\" in s.protocols)\n  }"),
        Status::Fail
    );
    assert_eq!(
        pass(
            "  for s in tls_scans where s.host == \"mirror.example.net\" {\n    expect len(s.weak_ciphers) == 0 and \"tls1.3\" in s.protocols\n  }"
        ),
        Status::Pass
    );
    assert_eq!(
        pass(
            "  for s in tls_scans where s.tool == \"sslyze\" {\n    expect s.hsts and s.hsts_max_age != none and s.hsts_max_age >= 365d\n  }"
        ),
        Status::Pass
    );
    // No HSTS on the mirror: the fleet-wide check fails.
    assert_eq!(
        pass("  expect all(s in tls_scans: s.hsts ?? false)"),
        Status::Fail
    );
    assert_eq!(
        pass("  expect all(s in tls_scans: s.scanned_at == none or s.scanned_at > as_of - 30d)"),
        Status::Pass
    );
}
