//! Provenance: in-toto statements (bare, in DSSE envelopes, in Sigstore bundles) become
//! provenance nodes linked to the files their subjects name by sha256, `verified` when a
//! trusted signature covers them; policies see them as `artifact.provenance`. Uses the
//! openssl-made fixtures of `fixtures/signatures/dsse` and the shared corpus (skipped,
//! with a printed reason, when absent).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::*;
use vouch_engine::report::Status;
use vouch_engine::{EvidenceGraph, FindingCode, IngestOptions, KeyStore, NoProgress};

const BUILDER: &str = "https://ci.example.com/builders/widget@v1";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/signatures/dsse")
}

fn p256() -> PathBuf {
    fixtures().join("keys/p256.pub.pem")
}

/// A bundle with the release manifest, the artifact and the given files of the fixture
/// bundle.
fn bundle_with(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in ["release.toml", "widget-1.0.tar.gz"].iter().chain(files) {
        std::fs::copy(fixtures().join("bundle").join(file), dir.path().join(file)).unwrap();
    }
    dir
}

fn ingest_trusting(dir: &Path, keys: &[PathBuf]) -> EvidenceGraph {
    let options = IngestOptions {
        threads: Some(1),
        trust: Arc::new(KeyStore::load(keys).unwrap()),
        as_of: Some("2026-10-01T00:00:00Z".parse().unwrap()),
    };
    vouch_engine::ingest(dir, &options, &NoProgress).unwrap()
}

/// (source path, builder, verified) of the provenance naming the one artifact.
fn artifact_provenance(graph: &EvidenceGraph) -> Vec<(String, Option<String>, bool)> {
    let artifacts = graph.artifacts();
    assert_eq!(artifacts.len(), 1);
    graph
        .provenance_of(artifacts[0].0)
        .into_iter()
        .map(|(_, p)| (p.source.path.clone(), p.builder.clone(), p.verified))
        .collect()
}

#[test]
fn slsa_provenance_links_to_the_artifact_by_digest() {
    let dir = bundle_with(&[
        "widget-1.0.intoto.jsonl",
        "widget-1.0.provenance.sigstore.json",
    ]);
    let graph = ingest_trusting(dir.path(), &[p256()]);
    assert_eq!(graph.findings(), &[]);
    assert_eq!(
        artifact_provenance(&graph),
        [
            (
                "widget-1.0.intoto.jsonl".to_owned(),
                Some(BUILDER.to_owned()),
                true
            ),
            (
                "widget-1.0.provenance.sigstore.json".to_owned(),
                Some(BUILDER.to_owned()),
                true
            ),
        ]
    );
    // The node records the statement: predicate type and subjects with their digests.
    let (id, p) = graph.provenance().next().unwrap();
    assert_eq!(p.predicate_type, "https://slsa.dev/provenance/v1");
    assert_eq!(p.subjects.len(), 1);
    assert_eq!(p.subjects[0].name, "widget-1.0.tar.gz");
    let file = graph.file("widget-1.0.tar.gz").unwrap().1;
    assert_eq!(p.subjects[0].sha256, Some(file.sha256));
    // defined-in its envelope file; the file node sees it too.
    assert_eq!(
        graph.source_file(id).map(|(_, f)| f.path.as_str()),
        Some("widget-1.0.intoto.jsonl")
    );
    let (file_id, _) = graph.file("widget-1.0.tar.gz").unwrap();
    assert_eq!(graph.provenance_of(file_id).len(), 2);
}

#[test]
fn untrusted_or_unsigned_provenance_is_not_verified() {
    let dir = bundle_with(&["widget-1.0.intoto.jsonl"]);
    std::fs::copy(
        fixtures().join("statement.json"),
        dir.path().join("statement.json"),
    )
    .unwrap();
    let graph = ingest_trusting(dir.path(), &[fixtures().join("keys/other.pub.pem")]);
    assert_eq!(
        artifact_provenance(&graph),
        [
            ("statement.json".to_owned(), Some(BUILDER.to_owned()), false),
            (
                "widget-1.0.intoto.jsonl".to_owned(),
                Some(BUILDER.to_owned()),
                false
            ),
        ]
    );
}

#[test]
fn a_tampered_artifact_leaves_provenance_attesting_nothing() {
    let dir = bundle_with(&["widget-1.0.intoto.jsonl"]);
    let artifact = dir.path().join("widget-1.0.tar.gz");
    let mut bytes = std::fs::read(&artifact).unwrap();
    bytes[3] ^= 0x20;
    std::fs::write(&artifact, bytes).unwrap();
    let graph = ingest_trusting(dir.path(), &[p256()]);
    assert_eq!(artifact_provenance(&graph), []);
    // The statement is still there, verified, but names a file the bundle no longer has.
    let (id, p) = graph.provenance().next().unwrap();
    assert!(p.verified);
    assert!(
        graph
            .edges_from(id)
            .iter()
            .all(|(_, e)| e.as_str() == "defined-in")
    );
    // The subject names the artifact, whose digest is no longer the stated one: the digest
    // rule says so, with both digests.
    assert_eq!(
        findings_at(&graph, "widget-1.0.intoto.jsonl"),
        [(FindingCode::DigestMismatch, None)]
    );
    let finding = &graph.findings()[0];
    assert_eq!(finding.code.as_str(), "vouch::evidence::digest-mismatch");
    assert!(
        finding.message.contains("`widget-1.0.tar.gz`"),
        "{}",
        finding.message
    );
    let (artifact, _) = graph.artifacts()[0];
    let mismatches = graph.digest_mismatches_of(artifact);
    assert_eq!(mismatches.len(), 1);
    assert!(finding.message.contains(&mismatches[0].stated.to_hex()));
    assert!(finding.message.contains(&mismatches[0].actual.to_hex()));
}

#[test]
fn one_subject_may_name_several_copies() {
    let dir = bundle_with(&["widget-1.0.intoto.jsonl"]);
    std::fs::create_dir(dir.path().join("mirror")).unwrap();
    std::fs::copy(
        dir.path().join("widget-1.0.tar.gz"),
        dir.path().join("mirror/widget-1.0.tar.gz"),
    )
    .unwrap();
    let graph = ingest_trusting(dir.path(), &[p256()]);
    let (id, _) = graph.provenance().next().unwrap();
    let attested: Vec<_> = graph
        .edges_from(id)
        .into_iter()
        .filter(|(_, e)| e.as_str() == "attests")
        .filter_map(|(to, _)| match graph.node(to) {
            Some(vouch_engine::graph::Node::File(f)) => Some(f.path.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(attested, ["mirror/widget-1.0.tar.gz", "widget-1.0.tar.gz"]);
}

/// Evaluates a one-control policy with `body` against `graph`.
fn status(graph: &EvidenceGraph, body: &str) -> Status {
    common::run_control(graph, "2026-10-01T00:00:00Z", "", body).status
}

#[test]
fn policies_see_verified_provenance_and_its_builder() {
    let verified = "for artifact in release.artifacts {\n\
        expect any(p in artifact.provenance: p.verified)\n\
          else \"{artifact.path} has no verified provenance\"\n}";
    let builder = format!(
        "for artifact in release.artifacts {{\n\
         expect any(p in artifact.provenance: p.verified and p.builder != none and p.builder == \"{BUILDER}\" \
         and p.predicate_type == \"https://slsa.dev/provenance/v1\")\n}}"
    );

    let dir = bundle_with(&["widget-1.0.intoto.jsonl"]);
    let trusted = ingest_trusting(dir.path(), &[p256()]);
    assert_eq!(status(&trusted, verified), Status::Pass);
    assert_eq!(status(&trusted, &builder), Status::Pass);
    let other_builder = builder.replace(BUILDER, "https://ci.example.com/other");
    assert_eq!(status(&trusted, &other_builder), Status::Fail);

    // Without the key in the trust set, the same statement is not verified provenance.
    let untrusted = ingest_trusting(dir.path(), &[]);
    assert_eq!(status(&untrusted, verified), Status::Fail);

    // A tampered artifact has no provenance at all.
    let artifact = dir.path().join("widget-1.0.tar.gz");
    std::fs::write(&artifact, b"something else\n").unwrap();
    let tampered = ingest_trusting(dir.path(), &[p256()]);
    assert_eq!(status(&tampered, verified), Status::Fail);
}

#[test]
fn corpus_statements_link_to_the_signed_file() {
    let Some(corpus) = corpus() else {
        eprintln!(
            "skipping corpus_statements_link_to_the_signed_file: ../shared/corpus is not present"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for (sub, file) in [
        ("sigstore", "a.txt"),
        ("sigstore", "bundle-v0.3-dsse-intoto.sigstore.json"),
        ("intoto", "statement-v1-slsa-provenance-v1.json"),
    ] {
        std::fs::copy(corpus.join(sub).join(file), dir.path().join(file)).unwrap();
    }
    let graph = ingest_trusting(dir.path(), &[]);
    assert_eq!(graph.findings(), &[]);
    let (a, _) = graph.file("a.txt").unwrap();
    let found: Vec<_> = graph
        .provenance_of(a)
        .into_iter()
        .map(|(_, p)| (p.source.path.as_str(), p.builder.as_deref(), p.verified))
        .collect();
    let builder = Some(
        "https://github.com/loosebazooka/aa-test/.github/workflows/provenance.yaml@refs/heads/main",
    );
    // Keyless (the bundle: verified against the embedded Sigstore root, with its identity)
    // and unsigned (the bare statement: never verified).
    assert_eq!(
        found,
        [
            ("bundle-v0.3-dsse-intoto.sigstore.json", builder, true),
            ("statement-v1-slsa-provenance-v1.json", builder, false),
        ]
    );
}
