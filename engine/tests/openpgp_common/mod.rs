//! Helpers shared by the OpenPGP signature tests: the GnuPG fixtures
//! (`fixtures/signatures/openpgp`, made by its `make.sh`), bundles and trust sets.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers; not every test uses every helper"
)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use vouch_engine::signatures::{Outcome, SignatureFormat, Verification};
use vouch_engine::trust::KeyStore;
use vouch_engine::{EvidenceGraph, IngestOptions, NoProgress};

/// The key types every case is run with.
pub const KINDS: [&str; 3] = ["ed25519", "rsa3072", "nistp256"];

/// A fixture path.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/signatures/openpgp")
        .join(rel)
}

/// A fixture's bytes.
pub fn read(rel: &str) -> Vec<u8> {
    std::fs::read(fixture(rel)).unwrap()
}

/// A bundle of (bundle path, content) files.
pub fn bundle(files: &[(&str, Vec<u8>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, content) in files {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}

/// The trust set of these fixture key files.
pub fn trust(keys: &[&str]) -> KeyStore {
    let paths: Vec<PathBuf> = keys.iter().map(|k| fixture(k)).collect();
    KeyStore::load(&paths).unwrap()
}

/// `Some` parsed timestamp.
pub fn at(time: &str) -> Option<jiff::Timestamp> {
    Some(time.parse().unwrap())
}

/// A time after every fixture signature; the keys that expire have expired by then.
pub const LATER: &str = "2025-01-01T00:00:00Z";

/// Ingests `dir` with this trust set, judging keys at `as_of`.
pub fn ingest_trusting(
    dir: &Path,
    trust: KeyStore,
    as_of: Option<jiff::Timestamp>,
) -> EvidenceGraph {
    let options = IngestOptions {
        threads: Some(2),
        trust: Arc::new(trust),
        as_of,
    };
    vouch_engine::ingest(dir, &options, &NoProgress).unwrap()
}

/// The OpenPGP signature nodes: (signature file, signed file, verification), in graph
/// order (signature files by path, signatures in file order).
pub fn openpgp(graph: &EvidenceGraph) -> Vec<(String, Option<String>, Verification)> {
    graph
        .signatures()
        .filter(|(_, s)| s.format == SignatureFormat::OpenPgp)
        .map(|(_, s)| {
            (
                s.source.path.clone(),
                s.signed.clone(),
                s.verification.clone(),
            )
        })
        .collect()
}

pub fn outcomes(graph: &EvidenceGraph) -> Vec<(String, Outcome)> {
    openpgp(graph)
        .into_iter()
        .map(|(path, _, v)| (path, v.outcome))
        .collect()
}

/// The primary fingerprint and first subkey fingerprint of a fixture key.
pub fn fingerprints(key: &str) -> (String, Vec<String>) {
    let store = trust(&[key]);
    let (_, k) = store.openpgp().next().unwrap();
    (k.fingerprint(), k.subkey_fingerprints())
}

/// widget.txt with its armored and binary signatures and cleartext-signed security.txt
/// made by `kind`.
pub fn signed_by(kind: &str) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("widget.txt", read("widget.txt")),
        ("widget.txt.asc", read(&format!("{kind}/widget.txt.asc"))),
        ("widget.txt.sig", read(&format!("{kind}/widget.txt.sig"))),
        ("security.txt", read(&format!("{kind}/security.txt"))),
    ]
}

/// A trust set of (file name, content) key files, in a temporary directory kept alive
/// with it.
pub fn trust_bytes(files: &[(&str, Vec<u8>)]) -> (tempfile::TempDir, KeyStore) {
    let dir = bundle(files);
    let store = KeyStore::load(&[dir.path().to_path_buf()]).unwrap();
    (dir, store)
}
