//! Helpers shared by the signature tests whose fixtures live in
//! `tests/fixtures/signatures/<format>/` beside a `widget.tar.gz`.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers; not every test uses every helper"
)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use vouch_engine::graph::SignatureNode;
use vouch_engine::signatures::{Outcome, SignatureFormat};
use vouch_engine::{EvidenceGraph, IngestOptions, KeyStore, NoProgress};

/// One format's fixtures.
pub struct Fixtures {
    /// The directory under `tests/fixtures/signatures/`.
    pub subdir: &'static str,
    /// The format its signatures are.
    pub format: SignatureFormat,
}

impl Fixtures {
    /// The fixture directory.
    pub fn dir(&self) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/signatures")
            .join(self.subdir)
    }

    /// A fixture's bytes.
    pub fn fixture(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.dir().join(name)).unwrap()
    }

    /// A bundle with `widget.tar.gz` and `files` (path, bytes).
    pub fn bundle(&self, files: &[(&str, Vec<u8>)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        crate::common::write(dir.path(), "widget.tar.gz", &self.fixture("widget.tar.gz"));
        for (path, bytes) in files {
            crate::common::write(dir.path(), path, bytes);
        }
        dir
    }

    /// Ingests `dir` on one thread, trusting the named fixtures, as of 2026-06-01.
    pub fn ingest(&self, dir: &Path, trust: &[&str]) -> EvidenceGraph {
        let paths: Vec<PathBuf> = trust.iter().map(|t| self.dir().join(t)).collect();
        let options = IngestOptions {
            threads: Some(1),
            trust: Arc::new(KeyStore::load(&paths).unwrap()),
            as_of: Some("2026-06-01T00:00:00Z".parse().unwrap()),
        };
        vouch_engine::ingest(dir, &options, &NoProgress).unwrap()
    }

    /// The one signature of a bundle holding `widget.tar.gz.sig` = `sig`.
    pub fn verify(&self, sig: Vec<u8>, trust: &[&str]) -> SignatureNode {
        let dir = self.bundle(&[("widget.tar.gz.sig", sig)]);
        self.only_signature(&self.ingest(dir.path(), trust))
    }

    /// The graph's only signature, which must be of this format.
    pub fn only_signature(&self, graph: &EvidenceGraph) -> SignatureNode {
        let all: Vec<SignatureNode> = graph.signatures().map(|(_, s)| s.clone()).collect();
        assert_eq!(all.len(), 1, "{all:#?}");
        let s = all.into_iter().next().unwrap();
        assert_eq!(s.format, self.format);
        s
    }
}

/// (outcome, verified, trusted).
pub fn outcome(s: &SignatureNode) -> (Outcome, bool, bool) {
    (
        s.verification.outcome,
        s.verification.verified,
        s.verification.trusted,
    )
}

/// The reason, or empty.
pub fn reason(s: &SignatureNode) -> String {
    s.verification.reason.clone().unwrap_or_default()
}

/// Writes a 50 MiB file at `path` (after `header`): larger than any signature format reads.
pub fn write_huge(path: &Path, header: &[u8]) {
    use std::io::Write as _;
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    file.write_all(header).unwrap();
    let chunk = [b'A'; 1024 * 1024];
    for _ in 0..50 {
        file.write_all(&chunk).unwrap();
    }
    file.flush().unwrap();
}

/// The graph holds no signature, and a `too-large-to-parse` finding for `path`.
pub fn assert_refused_as_too_large(graph: &EvidenceGraph, path: &str) {
    assert_eq!(graph.signatures().count(), 0);
    assert!(
        graph
            .findings()
            .iter()
            .any(|f| f.code == vouch_engine::FindingCode::TooLargeToParse
                && f.path.as_deref() == Some(path)),
        "{:#?}",
        graph.findings()
    );
}
