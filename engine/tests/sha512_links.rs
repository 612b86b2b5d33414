//! sha512 wherever digests are: in-toto subjects named only by sha512 (as npm provenance
//! names packages) link to the artifact whose sha512 it is, a sha512 that contradicts the
//! file a matching sha256 names refuses the link, `*.sha512` / `SHA512SUMS` files (the
//! corpus's real one) and SRI `*.integrity` strings (from `openssl dgst -sha512 -binary |
//! base64`) verify.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

mod common;

use common::*;
use sha2::Digest as _;
use vouch_engine::graph::ChecksumStatus;

const ARTIFACT: &[u8] = b"the released package\n";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn bundle() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "dist/widget-2.4.1.tgz", ARTIFACT);
    write(
        dir.path(),
        "release.toml",
        b"[release]\nproduct = \"widget\"\nversion = \"2.4.1\"\ndate = 2026-10-01T12:00:00Z\n\
          artifacts = [\"dist/widget-2.4.1.tgz\"]\n",
    );
    dir
}

fn statement(digests: &str) -> Vec<u8> {
    format!(
        r#"{{"_type": "https://in-toto.io/Statement/v1",
            "subject": [{{"name": "pkg:npm/widget@2.4.1", "digest": {{{digests}}}}}],
            "predicateType": "https://slsa.dev/provenance/v1", "predicate": {{}}}}"#
    )
    .into_bytes()
}

#[test]
fn a_subject_named_only_by_sha512_links_to_its_artifact() {
    let dir = bundle();
    let sha512 = hex(&sha2::Sha512::digest(ARTIFACT));
    write(
        dir.path(),
        "provenance/widget.intoto.json",
        &statement(&format!(r#""sha512": "{sha512}""#)),
    );
    let graph = ingest(dir.path());
    let (id, _) = graph.artifacts()[0];
    assert_eq!(graph.provenance_of(id).len(), 1, "{:?}", graph.findings());

    // Another package's sha512: no link, and a finding says so.
    let other = hex(&sha2::Sha512::digest(b"another package"));
    write(
        dir.path(),
        "provenance/widget.intoto.json",
        &statement(&format!(r#""sha512": "{other}""#)),
    );
    let graph = ingest(dir.path());
    let (id, _) = graph.artifacts()[0];
    assert!(graph.provenance_of(id).is_empty());
    assert!(
        graph
            .findings()
            .iter()
            .any(|f| f.message.contains("(sha512 ") && f.message.contains("matches no artifact")),
        "{:?}",
        graph.findings()
    );
}

#[test]
fn a_sha512_contradicting_the_file_a_sha256_names_refuses_the_link() {
    let dir = bundle();
    let sha256 = hex(&sha2::Sha256::digest(ARTIFACT));
    let other = hex(&sha2::Sha512::digest(b"another package"));
    write(
        dir.path(),
        "provenance/widget.intoto.json",
        &statement(&format!(r#""sha256": "{sha256}", "sha512": "{other}""#)),
    );
    let graph = ingest(dir.path());
    let (id, _) = graph.artifacts()[0];
    assert!(graph.provenance_of(id).is_empty(), "{:?}", graph.findings());
    assert!(
        graph
            .findings()
            .iter()
            .any(|f| f.message.contains("states a sha512 that is not its file's")),
        "{:?}",
        graph.findings()
    );
}

#[test]
fn sri_integrity_and_sha512_files_verify() {
    if !have("openssl", "sri_integrity_and_sha512_files_verify") {
        return;
    }
    let dir = bundle();
    let digest = run(
        &dir.path().join("dist"),
        "openssl",
        &["dgst", "-sha512", "-binary", "widget-2.4.1.tgz"],
    );
    let b64 = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(digest)
    };
    write(
        dir.path(),
        "dist/widget-2.4.1.tgz.integrity",
        format!("sha512-{b64}\n").as_bytes(),
    );
    let graph = ingest(dir.path());
    assert_eq!(
        statuses(&graph, "dist/widget-2.4.1.tgz.integrity"),
        [("widget-2.4.1.tgz".to_owned(), ChecksumStatus::Match)]
    );
    // Tampered: the integrity string no longer holds.
    write(dir.path(), "dist/widget-2.4.1.tgz", b"changed\n");
    let graph = ingest(dir.path());
    assert_eq!(
        statuses(&graph, "dist/widget-2.4.1.tgz.integrity"),
        [("widget-2.4.1.tgz".to_owned(), ChecksumStatus::Mismatch)]
    );

    // The corpus's real NAME.sha512 beside its file.
    let Some(corpus) = corpus() else { return };
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "avendor-advisory-0004.json",
        "avendor-advisory-0004.json.sha512",
    ] {
        std::fs::copy(corpus.join("checksums").join(name), dir.path().join(name)).unwrap();
    }
    let graph = ingest(dir.path());
    assert_eq!(
        statuses(&graph, "avendor-advisory-0004.json.sha512"),
        [(
            "avendor-advisory-0004.json".to_owned(),
            ChecksumStatus::Match
        )]
    );
}
