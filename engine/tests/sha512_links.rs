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

use crate::common;

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
    // The same mismatch record a contradicting sha256 gives, in sha512.
    let mismatches = graph.digest_mismatches();
    assert_eq!(mismatches.len(), 1, "{:?}", graph.findings());
    assert_eq!(mismatches[0].stated.algorithm(), "sha512");
    assert_eq!(mismatches[0].stated.to_hex(), other);
    assert_eq!(
        mismatches[0].actual.to_hex(),
        hex(&sha2::Sha512::digest(ARTIFACT))
    );
    assert_eq!(mismatches[0].linked_by, "sha256");
    assert!(
        graph
            .findings()
            .iter()
            .any(|f| f.code == vouch_engine::FindingCode::DigestMismatch
                && f.message.contains("states sha512")),
        "{:?}",
        graph.findings()
    );
}

#[test]
fn a_sha512_only_subject_named_like_an_artifact_with_another_sha512_is_a_mismatch() {
    let dir = bundle();
    let other = hex(&sha2::Sha512::digest(b"another package"));
    write(
        dir.path(),
        "provenance/widget.intoto.json",
        format!(
            r#"{{"_type": "https://in-toto.io/Statement/v1",
                "subject": [{{"name": "widget-2.4.1.tgz", "digest": {{"sha512": "{other}"}}}}],
                "predicateType": "https://slsa.dev/provenance/v1", "predicate": {{}}}}"#
        )
        .as_bytes(),
    );
    let graph = ingest(dir.path());
    let mismatches = graph.digest_mismatches();
    assert_eq!(mismatches.len(), 1, "{:?}", graph.findings());
    assert_eq!(mismatches[0].stated.algorithm(), "sha512");
    assert_eq!(mismatches[0].linked_by, "file-name");
    assert_eq!(mismatches[0].artifact, "dist/widget-2.4.1.tgz");
}

fn cyclonedx(name: &str, version: &str, hashes: &str) -> Vec<u8> {
    format!(
        r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "metadata": {{"timestamp": "2026-09-30T00:00:00Z",
              "component": {{"type": "application", "name": "{name}", "version": "{version}",
                             "hashes": [{hashes}]}}}},
            "components": []}}"#
    )
    .into_bytes()
}

#[test]
fn an_sbom_names_its_artifact_by_sha512() {
    let dir = bundle();
    let sha512 = hex(&sha2::Sha512::digest(ARTIFACT));
    // A subject whose name and version are not the artifact's: only the digest links it.
    write(
        dir.path(),
        "sbom/core.cdx.json",
        &cyclonedx(
            "libwidget-core",
            "9.9",
            &format!(r#"{{"alg": "SHA-512", "content": "{sha512}"}}"#),
        ),
    );
    let graph = ingest(dir.path());
    let (id, _) = graph.artifacts()[0];
    let sboms = graph.sboms_of(id);
    assert_eq!(sboms.len(), 1, "{:?}", graph.findings());
    assert_eq!(sboms[0].2, vouch_engine::graph::SbomLink::Digest);
    // No warning that the digest is unverifiable: it was verified.
    assert!(
        !graph
            .findings()
            .iter()
            .any(|f| f.code == vouch_engine::FindingCode::DigestUnverifiable),
        "{:?}",
        graph.findings()
    );

    // SPDX 2.3: a described package's SHA512 checksum.
    let dir = bundle();
    write(
        dir.path(),
        "sbom/core.spdx.json",
        format!(
            r#"{{"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
                "name": "core", "documentNamespace": "https://example.com/core",
                "creationInfo": {{"created": "2026-09-30T00:00:00Z", "creators": ["Tool: test"]}},
                "documentDescribes": ["SPDXRef-core"],
                "packages": [{{"SPDXID": "SPDXRef-core", "name": "libwidget-core",
                  "versionInfo": "9.9", "downloadLocation": "NOASSERTION",
                  "checksums": [{{"algorithm": "SHA512", "checksumValue": "{sha512}"}}]}}]}}"#
        )
        .as_bytes(),
    );
    let graph = ingest(dir.path());
    let (id, _) = graph.artifacts()[0];
    let sboms = graph.sboms_of(id);
    assert_eq!(sboms.len(), 1, "{:?}", graph.findings());
    assert_eq!(sboms[0].2, vouch_engine::graph::SbomLink::Digest);
}

#[test]
fn an_sbom_whose_sha512_contradicts_the_artifact_it_names_is_refused() {
    let dir = bundle();
    let other = hex(&sha2::Sha512::digest(b"another build"));
    // Named by name and version, but its SHA-512 is another build's.
    write(
        dir.path(),
        "sbom/widget.cdx.json",
        &cyclonedx(
            "widget",
            "2.4.1",
            &format!(r#"{{"alg": "SHA-512", "content": "{other}"}}"#),
        ),
    );
    let graph = ingest(dir.path());
    let (id, _) = graph.artifacts()[0];
    assert!(graph.sboms_of(id).is_empty(), "{:?}", graph.findings());
    let mismatches = graph.digest_mismatches();
    assert_eq!(mismatches.len(), 1, "{:?}", graph.findings());
    assert_eq!(mismatches[0].stated.algorithm(), "sha512");
    assert_eq!(mismatches[0].stated.to_hex(), other);
    assert_eq!(mismatches[0].linked_by, "name-version");

    // A matching sha256 does not excuse a contradicting sha512.
    let sha256 = hex(&sha2::Sha256::digest(ARTIFACT));
    write(
        dir.path(),
        "sbom/widget.cdx.json",
        &cyclonedx(
            "widget",
            "2.4.1",
            &format!(
                r#"{{"alg": "SHA-256", "content": "{sha256}"}}, {{"alg": "SHA-512", "content": "{other}"}}"#
            ),
        ),
    );
    let graph = ingest(dir.path());
    let (id, _) = graph.artifacts()[0];
    assert!(graph.sboms_of(id).is_empty(), "{:?}", graph.findings());
    assert_eq!(graph.digest_mismatches()[0].linked_by, "sha256");
}

#[test]
fn a_checksum_file_listing_another_sha512_is_a_mismatch_as_for_sha256() {
    let dir = bundle();
    let other256 = hex(&sha2::Sha256::digest(b"another package"));
    let other512 = hex(&sha2::Sha512::digest(b"another package"));
    write(
        dir.path(),
        "dist/SHA256SUMS",
        format!("{other256}  widget-2.4.1.tgz\n").as_bytes(),
    );
    write(
        dir.path(),
        "dist/SHA512SUMS",
        format!("{other512}  widget-2.4.1.tgz\n").as_bytes(),
    );
    let graph = ingest(dir.path());
    for sums in ["dist/SHA256SUMS", "dist/SHA512SUMS"] {
        assert_eq!(
            statuses(&graph, sums),
            [("widget-2.4.1.tgz".to_owned(), ChecksumStatus::Mismatch)],
            "{sums}"
        );
    }
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
