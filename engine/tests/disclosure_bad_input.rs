//! Bad disclosure and lifecycle evidence: broken and hostile XML, dates without zones,
//! security.txt files missing what RFC 9116 requires, junk, truncations at every length.
//! Each is a located finding; nothing panics.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use crate::common;

use std::path::Path;

use common::write;
use vouch_engine::formats::{changelog, eol, feed, security_txt, tls_scan};
use vouch_engine::{EvidenceGraph, FindingCode};

fn findings(graph: &EvidenceGraph, path: &str) -> Vec<(FindingCode, Option<u32>)> {
    graph
        .findings()
        .iter()
        .filter(|f| f.path.as_deref() == Some(path))
        .map(|f| (f.code, f.line))
        .collect()
}

fn one(path: &str, content: &[u8]) -> (tempfile::TempDir, EvidenceGraph) {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), path, content);
    let graph = common::ingest(tmp.path());
    (tmp, graph)
}

#[test]
fn security_txt_problems_are_located() {
    let (_tmp, graph) = one(
        "security.txt",
        b"# no contact here\nExpires: 2027-01-01T00:00:00Z\nPolicy: http://example.com/policy\n\
          Expires: 2028-01-01T00:00:00Z\nExpires: 2029-01-01T00:00:00\n",
    );
    assert_eq!(
        findings(&graph, "security.txt"),
        [
            (FindingCode::SecurityTxtMissingField, Some(1)),
            (FindingCode::SecurityTxtInvalidValue, Some(3)),
            (FindingCode::SecurityTxtDuplicateField, Some(4)),
            (FindingCode::SecurityTxtDuplicateField, Some(5)),
        ]
    );
    let (_, t) = graph.security_txt().unwrap();
    assert_eq!(
        t.content.expires.unwrap().to_string(),
        "2027-01-01T00:00:00Z"
    );
    assert!(t.content.contacts.is_empty());
}

#[test]
fn a_date_without_zone_is_a_warning_read_as_utc() {
    let (_tmp, graph) = one(
        ".well-known/security.txt",
        b"Contact: mailto:security@example.com\nExpires: 2027-01-01T00:00:00\n",
    );
    assert_eq!(
        findings(&graph, ".well-known/security.txt"),
        [(FindingCode::DateWithoutZone, Some(2))]
    );
    let (_, t) = graph.security_txt().unwrap();
    assert_eq!(
        t.content.expires.unwrap().to_string(),
        "2027-01-01T00:00:00Z"
    );
}

#[test]
fn a_megabyte_of_junk_is_not_parsed() {
    let junk = "Contact: junk\n".repeat(80_000);
    let (_tmp, graph) = one("security.txt", junk.as_bytes());
    assert_eq!(
        findings(&graph, "security.txt"),
        [(FindingCode::TooLargeToParse, None)]
    );
    assert!(graph.security_txt().is_none());
    // Junk under the limit: bounded findings, no panic.
    let junk: Vec<u8> = (0..30_000u32).map(|i| (i % 251) as u8).collect();
    let parsed = security_txt::parse("security.txt", &junk);
    assert!(parsed.findings.len() <= 16, "{}", parsed.findings.len());
}

#[test]
fn broken_and_hostile_xml() {
    let (_tmp, graph) = one(
        "advisories.rss.xml",
        b"<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>\n<item><title>cut here",
    );
    assert_eq!(
        findings(&graph, "advisories.rss.xml"),
        [(FindingCode::XmlSyntax, Some(3))]
    );
    assert_eq!(graph.feeds().count(), 0);
    // Billion laughs: the DTD is refused before any entity is expanded.
    let mut laughs =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
    let mut previous = "lol".to_owned();
    for i in 1..10 {
        let name = format!("lol{i}");
        laughs.push_str(&format!(
            " <!ENTITY {name} \"{}\">\n",
            format!("&{previous};").repeat(10)
        ));
        previous = name;
    }
    laughs.push_str(&format!(
        "]>\n<rss><channel><title>&{previous};</title></channel></rss>\n"
    ));
    let started = std::time::Instant::now();
    let (_tmp, graph) = one("laughs.rss", laughs.as_bytes());
    assert!(started.elapsed().as_secs() < 5);
    let got = findings(&graph, "laughs.rss");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, FindingCode::XmlSyntax);
    // Dates without zones in an Atom feed: warnings at their lines.
    let (_tmp, graph) = one(
        "feed.atom",
        b"<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<entry><title>t</title>\n\
          <updated>2026-01-02T03:04:05</updated>\n</entry>\n</feed>\n",
    );
    assert_eq!(
        findings(&graph, "feed.atom"),
        [(FindingCode::DateWithoutZone, Some(3))]
    );
    assert!(
        graph.feeds().next().unwrap().1.feed.items[0]
            .published
            .is_some()
    );
}

#[test]
fn broken_json_scans_and_release_data() {
    let (_tmp, graph) = one(
        "scan.json",
        b"{\"server_scan_results\": [\n{\"scan_result\": ",
    );
    assert_eq!(
        findings(&graph, "scan.json"),
        [(FindingCode::JsonSyntax, Some(2))]
    );
    let (_tmp, graph) = one(
        "python.json",
        b"{\"releases\": {\"3.9\": {\"releaseDate\": \"2020-10-05\", \"eol\": \"someday\"}},\n\"versions\": {}}",
    );
    let got = findings(&graph, "python.json");
    assert_eq!(got, [(FindingCode::InvalidValue, None)]);
    assert_eq!(graph.support_cycles().count(), 0);
}

/// Every prefix of every fixture and corpus file of these kinds parses without panicking.
#[test]
fn truncations_never_panic() {
    let mut samples: Vec<(String, Vec<u8>)> = Vec::new();
    let tls = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls");
    for name in ["testssl-flat.json", "testssl-pretty.json", "sslyze.json"] {
        samples.push((name.to_owned(), std::fs::read(tls.join(name)).unwrap()));
    }
    if let Some(corpus) = common::corpus() {
        for dir in ["securitytxt", "changelog", "feeds", "eol"] {
            for entry in std::fs::read_dir(corpus.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_str().unwrap().to_owned();
                samples.push((name, std::fs::read(&path).unwrap()));
            }
        }
    } else {
        eprintln!("../shared/corpus is not present: only the TLS fixtures are truncated");
    }
    let parsers: [fn(&str, &[u8]) -> vouch_engine::formats::Parsed; 5] = [
        security_txt::parse,
        changelog::parse,
        feed::parse,
        eol::parse,
        tls_scan::parse,
    ];
    for (name, bytes) in &samples {
        let step = (bytes.len() / 97).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            for parse in parsers {
                let _ = parse(name, &bytes[..cut]);
            }
        }
    }
}
