//! The re-evaluation cache's parsed evidence: a second ingestion of an unchanged bundle reuses
//! the parse of every pure-data evidence file (advisories, scans, SBOMs, VEX, TLS scans,
//! security.txt, ...), never of a key, signature, attestation, envelope or release manifest,
//! nor of a file with a signature inside; a change to a file, or an entry that does not
//! decode, means the file is read and parsed again. The graph (every field of every node,
//! its `Debug` text) is always the one an uncached ingestion gives.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use vouch_engine::graph::render;
use vouch_engine::ingest::cache::{CacheOptions, CacheStats, RACY_MARGIN};
use vouch_engine::ingest::ingest_cached;
use vouch_engine::{EvidenceGraph, IngestOptions, NoProgress, Sha256Digest, ingest};

/// The files of the compliant example that are never served from the cache: the release
/// manifest, keys, signatures, attestations, the in-toto envelope, and the security.txt,
/// which is cleartext-signed.
const NEVER_CACHED: &[&str] = &[
    "release.toml",
    "KEYS",
    ".well-known/security.txt",
    "attestations/incident-plan.toml",
    "attestations/incident-plan.toml.asc",
    "attestations/rollback.toml",
    "attestations/rollback.toml.asc",
    "attestations/training.toml",
    "attestations/training.toml.asc",
    "dist/widget-2.4.1.tar.gz.asc",
    "dist/widget-2.4.1.tar.gz.minisig",
    "dist/widget-2.4.1.zip.asc",
    "dist/widget-2.4.1.zip.minisig",
    "provenance/widget-2.4.1.intoto.jsonl",
];

/// The files that are not evidence (their digests are cached, as before).
const ARTIFACTS: &[&str] = &["dist/widget-2.4.1.tar.gz", "dist/widget-2.4.1.zip"];

/// An OSV advisory of `id`, fixed in 2.4.1.
fn osv(id: &str) -> String {
    format!(
        "{{\"id\":\"{id}\",\"modified\":\"2026-01-01T00:00:00Z\",\"published\":\
         \"2026-01-01T00:00:00Z\",\"aliases\":[\"CVE-2026-{}\"],\"affected\":[{{\"package\":\
         {{\"ecosystem\":\"npm\",\"name\":\"widget\"}},\"ranges\":[{{\"type\":\"SEMVER\",\
         \"events\":[{{\"introduced\":\"0\"}},{{\"fixed\":\"2.4.1\"}}]}}]}}]}}\n",
        &id[5..]
    )
}

/// A copy of the compliant example bundle (CSAF advisories, CycloneDX SBOMs, an OpenVEX
/// document, a testssl.sh scan, a Trivy scan, a changelog, a feed, a register, a support
/// manifest, checksums, signatures, attestations), with OSV advisories, one of them broken
/// (its parse gives findings), and an unsigned security.txt added; old enough to be cached.
fn bundle() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bundle");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/bundles/compliant");
    crate::common::copy_dir(&examples, &dir);
    std::fs::create_dir_all(dir.join("osv")).unwrap();
    for id in ["GHSA-000001", "GHSA-000002", "GHSA-000003"] {
        std::fs::write(dir.join(format!("osv/{id}.json")), osv(id)).unwrap();
    }
    // Recognised as OSV by its head, but not JSON: a parse finding, no evidence.
    std::fs::write(
        dir.join("osv/GHSA-000004.json"),
        "{\"id\":\"GHSA-000004\",\"modified\":\"2026-01-01T00:00:00Z\",\"affected\":[",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("contact")).unwrap();
    std::fs::write(
        dir.join("contact/security.txt"),
        "Contact: mailto:security@acme.example\nExpires: 2027-01-01T00:00:00Z\n\
         Preferred-Languages: en\nBogus: field\n",
    )
    .unwrap();
    std::thread::sleep(RACY_MARGIN + Duration::from_millis(200));
    let cache = tmp.path().join("cache");
    (tmp, dir, cache)
}

/// Every file of the bundle.
fn file_count(dir: &Path) -> u64 {
    walkdir(dir)
}

fn walkdir(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                walkdir(&e.path())
            } else {
                1
            }
        })
        .sum()
}

fn options(cache: &Path) -> CacheOptions {
    CacheOptions {
        dir: cache.to_owned(),
        now: SystemTime::now(),
        tool: "test".to_owned(),
    }
}

/// Ingests with the cache and checks the graph is the uncached one, every field of it (and
/// its JSON); returns it and the stats.
fn run(dir: &Path, cache: &Path) -> (EvidenceGraph, CacheStats) {
    let (graph, stats) =
        ingest_cached(dir, &IngestOptions::default(), &options(cache), &NoProgress).unwrap();
    let uncached = ingest(dir, &IngestOptions::default(), &NoProgress).unwrap();
    assert_eq!(render::json(&graph), render::json(&uncached));
    assert!(
        format!("{graph:?}") == format!("{uncached:?}"),
        "the graph with the cache differs from the graph without"
    );
    (graph, stats)
}

/// A cold run that stores every cacheable parse, then a warm one that reuses them.
fn warm(dir: &Path, cache: &Path) -> CacheStats {
    let files = file_count(dir);
    let evidence = files - NEVER_CACHED.len() as u64 - ARTIFACTS.len() as u64;
    let (_, cold) = run(dir, cache);
    assert!(cold.warnings.is_empty(), "{cold:?}");
    assert_eq!(cold.evidence_hits, 0, "{cold:?}");
    assert_eq!(cold.evidence_stored, evidence, "{cold:?}");
    assert_eq!(cold.stored, evidence + ARTIFACTS.len() as u64, "{cold:?}");
    let (_, warm) = run(dir, cache);
    assert!(warm.warnings.is_empty(), "{warm:?}");
    assert_eq!(warm.hits, ARTIFACTS.len() as u64, "{warm:?}");
    assert_eq!(warm.evidence_hits, evidence, "{warm:?}");
    // Keys, signatures, attestations, the envelope, the release manifest and the signed
    // security.txt are read and parsed (and verified) every time.
    assert_eq!(warm.misses, NEVER_CACHED.len() as u64, "{warm:?}");
    warm
}

#[test]
fn second_run_reuses_the_parsed_evidence() {
    let (_tmp, dir, cache) = bundle();
    warm(&dir, &cache);
}

#[test]
fn a_broken_evidence_file_keeps_its_findings() {
    let (_tmp, dir, cache) = bundle();
    warm(&dir, &cache);
    let (graph, _) = run(&dir, &cache);
    let at = |path: &str| {
        graph
            .findings()
            .iter()
            .filter(|f| f.path.as_deref() == Some(path))
            .map(|f| format!("{f:?}"))
            .collect::<Vec<_>>()
    };
    assert!(!at("osv/GHSA-000004.json").is_empty());
    assert!(!at("contact/security.txt").is_empty());
}

/// Replaces `old` by `new` (the same length) in `file` and puts its modification time back.
fn edit_keeping_mtime(file: &Path, old: &str, new: &str) {
    assert_eq!(old.len(), new.len());
    let mtime = std::fs::metadata(file).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(file).unwrap();
    assert!(text.contains(old));
    std::fs::write(file, text.replace(old, new)).unwrap();
    std::fs::File::options()
        .write(true)
        .open(file)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    assert_eq!(std::fs::metadata(file).unwrap().modified().unwrap(), mtime);
}

#[test]
fn an_evidence_file_changed_with_its_mtime_put_back_is_parsed_again() {
    let (_tmp, dir, cache) = bundle();
    let before = warm(&dir, &cache);
    edit_keeping_mtime(
        &dir.join("osv/GHSA-000002.json"),
        "CVE-2026-000002",
        "CVE-2026-999999",
    );
    let (graph, stats) = run(&dir, &cache);
    assert_eq!(stats.evidence_hits, before.evidence_hits - 1, "{stats:?}");
    let json = render::json(&graph);
    assert!(json.contains("CVE-2026-999999") && !json.contains("CVE-2026-000002"));
    // Stored again once its change is older than the racy margin.
    std::thread::sleep(RACY_MARGIN + Duration::from_millis(200));
    run(&dir, &cache);
    let (_, stats) = run(&dir, &cache);
    assert_eq!(stats.evidence_hits, before.evidence_hits, "{stats:?}");
    // The VEX document, which verdicts hang on, likewise.
    let vex = dir.join("vex/widget-2.4.1.openvex.json");
    edit_keeping_mtime(
        &vex,
        "\"name\": \"CVE-2024-47081\"",
        "\"name\": \"CVE-2024-47089\"",
    );
    let (graph, stats) = run(&dir, &cache);
    assert_eq!(stats.evidence_hits, before.evidence_hits - 1, "{stats:?}");
    assert!(render::json(&graph).contains("CVE-2024-47089"));
}

/// Rewrites the cache file's body with `damage` and a matching body digest: the file is
/// well-formed, but an entry's evidence is not what any vouch wrote.
fn damage_body(file: &Path, damage: impl Fn(&mut Vec<u8>)) {
    let bytes = std::fs::read(file).unwrap();
    let mut lines = bytes.splitn(4, |b| *b == b'\n');
    let (first, second, _, body) = (
        lines.next().unwrap(),
        lines.next().unwrap(),
        lines.next().unwrap(),
        lines.next().unwrap(),
    );
    let mut body = body.to_vec();
    damage(&mut body);
    let mut out = Vec::new();
    out.extend_from_slice(first);
    out.push(b'\n');
    out.extend_from_slice(second);
    out.extend_from_slice(
        format!("\nbody-sha256 {}\n", Sha256Digest::of(&body).to_hex()).as_bytes(),
    );
    out.extend_from_slice(&body);
    std::fs::write(file, out).unwrap();
}

/// Where `needle` is in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap()
}

#[test]
fn an_entry_that_does_not_decode_is_parsed_again() {
    let (_tmp, dir, cache) = bundle();
    let before = warm(&dir, &cache);
    // Each OSV entry starts with its kind's name; the first is GHSA-000001's (sorted).
    let kind = b"\x0cosv-advisory";
    // The kind of the first OSV advisory's entry, made a kind vouch does not know.
    damage_body(&before.file, |body| {
        let at = find(body, kind);
        body[at + 12] = b'z';
    });
    let (_, after) = run(&dir, &cache);
    assert_eq!(after.evidence_hits, before.evidence_hits - 1, "{after:?}");
    assert!(
        after
            .warnings
            .iter()
            .any(|w| w.contains("osv/GHSA-000001.json") && w.contains("does not decode")),
        "{after:?}"
    );
    let (_, again) = run(&dir, &cache);
    assert!(again.warnings.is_empty(), "{again:?}");
    assert_eq!(again.evidence_hits, before.evidence_hits, "{again:?}");
    // The second's evidence made a variant vouch does not know (after the kind: `Some`,
    // then the variant's tag).
    damage_body(&again.file, |body| {
        let first = find(body, kind);
        let at = first + 1 + find(&body[first + 1..], kind);
        assert_eq!(body[at + 13], 1);
        body[at + 14] = 99;
    });
    let (_, after) = run(&dir, &cache);
    assert_eq!(after.evidence_hits, before.evidence_hits - 1, "{after:?}");
    assert!(
        after
            .warnings
            .iter()
            .any(|w| w.contains("osv/GHSA-000002.json")),
        "{after:?}"
    );
    let (_, rebuilt) = run(&dir, &cache);
    assert!(rebuilt.warnings.is_empty(), "{rebuilt:?}");
    assert_eq!(rebuilt.evidence_hits, before.evidence_hits, "{rebuilt:?}");
}

#[test]
fn a_signature_file_is_never_served_from_the_cache() {
    let (_tmp, dir, cache) = bundle();
    let before = warm(&dir, &cache);
    // No entry of a signature, key, attestation, envelope or release manifest was stored.
    let body = std::fs::read(&before.file).unwrap();
    for path in NEVER_CACHED {
        let key = format!("u:{path}");
        let stored = body
            .windows(key.len() + 1)
            .any(|w| w[0] as usize == key.len() && &w[1..] == key.as_bytes());
        assert!(!stored, "{path} is in the cache");
    }
    // The other evidence files are.
    for path in ["u:osv/GHSA-000001.json", "u:sbom/widget-2.4.1.zip.cdx.json"] {
        assert!(find(&body, path.as_bytes()) > 0);
    }
}
