//! Detection that cannot misfire: random bytes are never evidence, and a file `release.toml`
//! names as an artifact is an artifact, never sniffed as evidence.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use crate::common;

use common::*;
use rand::{Rng, SeedableRng};
use vouch_engine::EvidenceGraph;

/// `count` files of 1 to 1024 random bytes from a fixed seed, under `dir/name(i)`.
fn random_files(dir: &std::path::Path, seed: u64, count: usize, name: impl Fn(usize) -> String) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    for i in 0..count {
        let len = rng.gen_range(1..=1024);
        let mut bytes = vec![0u8; len];
        rng.fill(bytes.as_mut_slice());
        write(dir, &name(i), &bytes);
    }
}

/// Every file under `prefix` is unclassified and no finding names it.
fn none_is_evidence(graph: &EvidenceGraph, prefix: &str) {
    let classified: Vec<(&str, &str)> = graph
        .files()
        .filter(|(_, f)| f.path.starts_with(prefix))
        .filter_map(|(_, f)| Some((f.path.as_str(), f.kind?.as_str())))
        .collect();
    assert!(
        classified.is_empty(),
        "random files classified as evidence: {classified:?}"
    );
    let named: Vec<String> = graph
        .findings()
        .iter()
        .filter(|f| f.path.as_deref().is_some_and(|p| p.starts_with(prefix)))
        .map(|f| format!("{} {:?}: {}", f.code.as_str(), f.path, f.message))
        .collect();
    assert!(named.is_empty(), "findings name random files: {named:#?}");
}

#[test]
fn random_bytes_are_never_evidence() {
    let dir = tempfile::tempdir().unwrap();
    random_files(dir.path(), 0x5eed_0013, 6000, |i| format!("blobs/b{i:05}"));
    let graph = ingest(dir.path());
    assert_eq!(graph.files().count(), 6000);
    none_is_evidence(&graph, "blobs/");
}

#[test]
fn random_artifacts_are_artifacts() {
    let dir = tempfile::tempdir().unwrap();
    random_files(dir.path(), 0x5eed_0014, 5000, |i| {
        format!("dist/a{i:05}.bin")
    });
    write(
        dir.path(),
        "release.toml",
        b"[release]\nproduct = \"x\"\nversion = \"1.0\"\ndate = 2026-10-01T12:00:00Z\n\
          artifacts = [\"dist/*.bin\"]\n",
    );
    let graph = ingest(dir.path());
    assert_eq!(graph.artifacts().len(), 5000);
    none_is_evidence(&graph, "dist/");
}

/// A file release.toml names as an artifact is not read as evidence, whatever it holds.
#[test]
fn a_listed_artifact_is_never_evidence() {
    let dir = tempfile::tempdir().unwrap();
    // An artifact that happens to be a valid in-toto statement and a valid CycloneDX SBOM.
    write(
        dir.path(),
        "dist/statement.json",
        br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{}}"#,
    );
    write(
        dir.path(),
        "dist/bom.json",
        br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"name":"a","version":"1"}]}"#,
    );
    write(
        dir.path(),
        "release.toml",
        b"[release]\nproduct = \"x\"\nversion = \"1.0\"\ndate = 2026-10-01T12:00:00Z\n\
          artifacts = [\"dist/statement.json\", \"dist/bom.json\"]\n",
    );
    let graph = ingest(dir.path());
    for path in ["dist/statement.json", "dist/bom.json"] {
        let (_, file) = graph.file(path).unwrap();
        assert_eq!(file.kind, None, "{path} is an artifact, not evidence");
    }
    assert_eq!(graph.sboms().count(), 0);
    assert_eq!(graph.provenance().count(), 0);
    // Said once, as information, so nobody wonders why the file was not read.
    let said: Vec<_> = graph
        .findings()
        .iter()
        .filter(|f| f.path.as_deref() == Some("dist/bom.json"))
        .collect();
    assert!(
        said.iter()
            .all(|f| f.code.as_str() == "vouch::manifest::artifact-not-evidence"),
        "{said:?}"
    );
}

/// Random bytes under names that evidence uses are not evidence either: no keys, no
/// signatures, no SBOMs, no statements (a finding may say the file cannot be read).
#[test]
fn random_bytes_under_evidence_names_are_not_evidence() {
    const NAMES: &[&str] = &[
        "KEYS",
        "key.asc",
        "key.pub",
        "cosign.pub",
        "minisign.pub",
        "x.sig",
        "x.asc",
        "x.gpg",
        "x.minisig",
        "x.sigstore.json",
        "x.intoto.jsonl",
        "x.cdx.json",
        "x.spdx.json",
        "SHA256SUMS",
        "x.sha256",
        "openvex.json",
        "x.csaf.json",
        "security.txt",
        "vulnerabilities.toml",
    ];
    let dir = tempfile::tempdir().unwrap();
    random_files(dir.path(), 0x5eed_0015, NAMES.len() * 100, |i| {
        format!("d{:03}/{}", i / NAMES.len(), NAMES[i % NAMES.len()])
    });
    let graph = ingest(dir.path());
    assert_eq!(graph.sboms().count(), 0);
    assert_eq!(graph.provenance().count(), 0);
    // A signature file that cannot be read is listed as such; none verifies.
    assert_eq!(
        graph
            .signatures()
            .filter(|(_, s)| s.verification.verified)
            .count(),
        0
    );
    assert_eq!(graph.checksum_entries().count(), 0);
    assert_eq!(graph.vulnerabilities().count(), 0);
    assert!(graph.security_txt().is_none());
    let keys = graph
        .findings()
        .iter()
        .filter(|f| f.code.as_str() == "vouch::signature::invalid-public-key")
        .filter(|f| {
            !f.path
                .as_deref()
                .is_some_and(|p| p.ends_with("KEYS") || p.ends_with(".pub") || p.ends_with(".asc"))
        })
        .map(|f| format!("{:?}: {}", f.path, f.message))
        .collect::<Vec<_>>();
    assert!(
        keys.is_empty(),
        "random bytes taken for public keys by content: {keys:#?}"
    );
}
