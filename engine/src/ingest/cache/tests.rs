//! The evidence encoding round-trips: every evidence file of the test fixtures, the example
//! bundles and the shared corpus (when present) whose kind is cached is parsed, encoded and
//! decoded, and the decoded parse must be the parsed one, field for field (its `Debug` text,
//! which shows every field, and the source texts of the findings, which `Debug` leaves out).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::evidence::{cached_kind, decode, encode};
use crate::formats::{self, DetectInput, EvidenceFormat as _, HEAD_LEN, ParseInput, Parsed};

/// Every regular file under `root`, sorted.
fn files(root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    out.sort();
    out
}

/// The source texts the findings point into, which `Debug` does not show.
fn sources(parsed: &Parsed) -> Vec<Option<String>> {
    parsed
        .findings
        .iter()
        .map(|f| f.loc.as_ref().map(|l| l.src.to_string()))
        .collect()
}

/// Round-trips every cached-kind evidence file under `root`; returns how many of each kind.
fn round_trip_tree(root: &Path) -> BTreeMap<&'static str, usize> {
    let mut seen = BTreeMap::new();
    for path in files(root) {
        let rel = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(&path).unwrap();
        let head = &bytes[..bytes.len().min(HEAD_LEN)];
        let Some(format) = formats::classify(&DetectInput::new(&rel, head, bytes.len() as u64))
        else {
            continue;
        };
        let kind = format.kind();
        if !cached_kind(kind) || bytes.len() as u64 > format.max_parse_size() {
            continue;
        }
        let mut parsed = format.parse(&ParseInput {
            path: &rel,
            bytes: &bytes,
        });
        if let Some(evidence) = &mut parsed.evidence {
            evidence.shrink_to_fit();
        }
        let Some(encoded) = encode(kind, &parsed) else {
            panic!(
                "{}: a {} file that cannot be encoded",
                path.display(),
                kind.as_str()
            );
        };
        let decoded = decode(&encoded)
            .unwrap_or_else(|_| panic!("{}: its encoding does not decode", path.display()));
        assert_eq!(decoded.kind, kind, "{}", path.display());
        assert_eq!(
            format!("{:#?}", decoded.parsed),
            format!("{parsed:#?}"),
            "{}: the decoded parse differs",
            path.display()
        );
        assert_eq!(
            sources(&decoded.parsed),
            sources(&parsed),
            "{}",
            path.display()
        );
        *seen.entry(kind.as_str()).or_insert(0) += 1;
    }
    seen
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

#[test]
fn fixture_and_example_evidence_round_trips() {
    let fixtures = round_trip_tree(&workspace().join("engine/tests/fixtures"));
    let examples = round_trip_tree(&workspace().join("examples/bundles"));
    eprintln!("fixtures: {fixtures:?}\nexamples: {examples:?}");
    let mut all = fixtures;
    for (kind, n) in examples {
        *all.entry(kind).or_insert(0) += n;
    }
    // The kinds the cache's tests rely on are all among them.
    for kind in [
        "openvex",
        "csaf-advisory",
        "cyclonedx-sbom",
        "security-txt",
        "checksums",
        "support-manifest",
    ] {
        assert!(
            all.contains_key(kind),
            "no {kind} file round-tripped: {all:?}"
        );
    }
}

#[test]
fn corpus_evidence_round_trips() {
    let corpus = workspace().join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("skipping corpus_evidence_round_trips: ../shared/corpus is not present");
        return;
    }
    let seen = round_trip_tree(&corpus);
    eprintln!("corpus: {seen:?}");
    for kind in [
        "osv-advisory",
        "spdx-sbom",
        "endoflife-data",
        "dependabot-alerts",
    ] {
        assert!(
            seen.contains_key(kind),
            "no {kind} file round-tripped: {seen:?}"
        );
    }
}

#[test]
fn never_cached_kinds_are_not_encoded() {
    let parsed = Parsed::default();
    for format in formats::REGISTRY {
        let kind = format.kind();
        assert_eq!(
            encode(kind, &parsed).is_some(),
            cached_kind(kind),
            "{kind:?}"
        );
    }
}

#[test]
fn a_damaged_entry_does_not_decode() {
    let parsed = formats::osv::OsvAdvisoryFormat.parse(&ParseInput {
        path: "a.json",
        bytes: br#"{"id":"GHSA-1","modified":"2026-01-01T00:00:00Z","aliases":["CVE-1"]}"#,
    });
    let encoded = encode(formats::EvidenceKind::OsvAdvisory, &parsed).unwrap();
    assert!(decode(&encoded).is_ok());
    assert!(decode(&encoded[..encoded.len() - 1]).is_err());
    let mut longer = encoded.to_vec();
    longer.push(0);
    assert!(decode(&longer).is_err());
    // Another kind's name where the kind is.
    let mut other = encoded.to_vec();
    other[1] = b'X';
    assert!(decode(&other).is_err());
}
