//! Digests decide links: a document that names an artifact but states another SHA-256 for
//! it does not count for it, whatever its format (SBOM, provenance); a digest only in an
//! algorithm vouch does not compute neither refuses nor makes a digest link.
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
use vouch_engine::EvidenceGraph;
use vouch_engine::graph::{DigestEvidence, SbomLink};

const ARTIFACT: &[u8] = b"the released tarball\n";
const OTHER: &str = "3333333333333333333333333333333333333333333333333333333333333333";

fn sha256(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn bundle() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "dist/widget-2.4.1.tar.gz", ARTIFACT);
    write(
        dir.path(),
        "release.toml",
        b"[release]\nproduct = \"widget\"\nversion = \"2.4.1\"\ndate = 2026-10-01T12:00:00Z\n\
          artifacts = [\"dist/widget-2.4.1.tar.gz\"]\n",
    );
    dir
}

fn cdx(name: &str, hashes: &[(&str, &str)]) -> Vec<u8> {
    let hashes: Vec<String> = hashes
        .iter()
        .map(|(alg, content)| format!(r#"{{"alg": "{alg}", "content": "{content}"}}"#))
        .collect();
    format!(
        r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6",
            "metadata": {{"component": {{"type": "application", "name": "{name}", "version": "2.4.1",
              "hashes": [{}]}}}},
            "components": [{{"type": "library", "name": "requests", "version": "2.32.3"}}]}}"#,
        hashes.join(", ")
    )
    .into_bytes()
}

fn artifact_sboms(graph: &EvidenceGraph) -> Vec<SbomLink> {
    let (id, _) = graph.artifacts()[0];
    graph
        .sboms_of(id)
        .into_iter()
        .map(|(_, _, by)| by)
        .collect()
}

fn codes(graph: &EvidenceGraph, path: &str) -> Vec<&'static str> {
    graph
        .findings()
        .iter()
        .filter(|f| f.path.as_deref() == Some(path))
        .map(|f| f.code.as_str())
        .collect()
}

#[test]
fn a_contradicting_sbom_digest_refuses_the_name_version_link() {
    let dir = bundle();
    write(
        dir.path(),
        "sbom/widget.json",
        &cdx("widget", &[("SHA-256", OTHER)]),
    );
    let graph = ingest(dir.path());
    assert!(artifact_sboms(&graph).is_empty(), "the SBOM must not count");
    let (id, _) = graph.artifacts()[0];
    let mismatches = graph.digest_mismatches_of(id);
    assert_eq!(mismatches.len(), 1);
    let m = mismatches[0];
    assert_eq!(m.evidence, DigestEvidence::Sbom);
    assert_eq!(m.source.path, "sbom/widget.json");
    assert_eq!(m.stated.to_hex(), OTHER);
    assert_eq!(m.actual.to_hex(), sha256(ARTIFACT));
    assert_eq!(m.linked_by, "name-version");
    let finding = graph
        .findings()
        .iter()
        .find(|f| f.code.as_str() == "vouch::evidence::digest-mismatch")
        .unwrap();
    assert_eq!(finding.path.as_deref(), Some("sbom/widget.json"));
    assert!(finding.message.contains(OTHER), "{}", finding.message);
    assert!(
        finding.message.contains(&sha256(ARTIFACT)),
        "{}",
        finding.message
    );
    assert!(finding.message.contains("dist/widget-2.4.1.tar.gz"));
    // Said once, as an error; not also "describes no artifact".
    assert_eq!(
        codes(&graph, "sbom/widget.json"),
        ["vouch::evidence::digest-mismatch"]
    );
}

#[test]
fn a_contradicting_sbom_digest_refuses_the_file_name_link() {
    let dir = bundle();
    write(
        dir.path(),
        "dist/widget-2.4.1.tar.gz.cdx.json",
        &cdx("something-else", &[("SHA-256", OTHER)]),
    );
    let graph = ingest(dir.path());
    assert!(artifact_sboms(&graph).is_empty());
    let (id, _) = graph.artifacts()[0];
    assert_eq!(graph.digest_mismatches_of(id)[0].linked_by, "file-name");
}

#[test]
fn the_artifact_digest_links_and_is_no_mismatch() {
    let dir = bundle();
    let digest = sha256(ARTIFACT);
    write(
        dir.path(),
        "sbom/widget.json",
        &cdx("widget", &[("SHA-1", "abc"), ("SHA-256", &digest)]),
    );
    let graph = ingest(dir.path());
    assert_eq!(artifact_sboms(&graph), [SbomLink::Digest]);
    assert!(graph.digest_mismatches().is_empty());
}

#[test]
fn a_digest_vouch_does_not_compute_neither_refuses_nor_matches() {
    let dir = bundle();
    write(
        dir.path(),
        "sbom/widget.json",
        &cdx(
            "widget",
            &[("SHA-1", "0123456789abcdef0123456789abcdef01234567")],
        ),
    );
    let graph = ingest(dir.path());
    assert_eq!(artifact_sboms(&graph), [SbomLink::NameVersion]);
    assert!(graph.digest_mismatches().is_empty());
    let finding = graph
        .findings()
        .iter()
        .find(|f| f.code.as_str() == "vouch::evidence::digest-unverifiable")
        .expect("a warning says the link is by name only");
    assert!(finding.message.contains("SHA-1"), "{}", finding.message);
    assert!(finding.message.contains("dist/widget-2.4.1.tar.gz"));
}

#[test]
fn a_statement_subject_named_like_an_artifact_with_another_digest_is_a_mismatch() {
    let dir = bundle();
    let statement = format!(
        r#"{{"_type": "https://in-toto.io/Statement/v1",
            "subject": [{{"name": "widget-2.4.1.tar.gz", "digest": {{"sha256": "{OTHER}"}}}}],
            "predicateType": "https://slsa.dev/provenance/v1", "predicate": {{}}}}"#
    );
    write(
        dir.path(),
        "provenance/widget.intoto.json",
        statement.as_bytes(),
    );
    let graph = ingest(dir.path());
    let (id, _) = graph.artifacts()[0];
    assert!(graph.provenance_of(id).is_empty());
    let mismatches = graph.digest_mismatches_of(id);
    assert_eq!(mismatches.len(), 1, "{:?}", graph.findings());
    assert_eq!(mismatches[0].evidence, DigestEvidence::Provenance);
    assert_eq!(mismatches[0].stated.to_hex(), OTHER);
    assert_eq!(
        codes(&graph, "provenance/widget.intoto.json"),
        ["vouch::evidence::digest-mismatch"]
    );
}

fn openvex(status: &str, digest: &str) -> Vec<u8> {
    format!(
        r#"{{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "x", "author": "a",
            "timestamp": "2026-09-29T09:30:00Z", "version": 1,
            "statements": [{{"vulnerability": {{"name": "CVE-2024-47081"}},
              "products": [{{"@id": "pkg:generic/acme/widget@2.4.1", "hashes": {{"sha-256": "{digest}"}}}}],
              "status": "{status}", "justification": "vulnerable_code_not_present"}}]}}"#
    )
    .into_bytes()
}

#[test]
fn a_vex_statement_about_another_build_does_not_clear_a_vulnerability() {
    let dir = bundle();
    write(
        dir.path(),
        "vex/other.openvex.json",
        &openvex("not_affected", OTHER),
    );
    let graph = ingest(dir.path());
    assert_eq!(
        graph.vulnerabilities().count(),
        0,
        "the statement is dropped"
    );
    assert_eq!(
        codes(&graph, "vex/other.openvex.json"),
        ["vouch::evidence::digest-mismatch"]
    );
    // The same statement about the released artifact counts.
    write(
        dir.path(),
        "vex/other.openvex.json",
        &openvex("not_affected", &sha256(ARTIFACT)),
    );
    let graph = ingest(dir.path());
    assert_eq!(graph.vulnerabilities().count(), 1);
    assert!(codes(&graph, "vex/other.openvex.json").is_empty());
    // An `affected` statement about another build is kept: it can only make things fail.
    write(
        dir.path(),
        "vex/other.openvex.json",
        &openvex("affected", OTHER),
    );
    let graph = ingest(dir.path());
    assert_eq!(graph.vulnerabilities().count(), 1);
}

/// An SPDX 2.3 document describing widget 2.4.1, whose package states one checksum.
fn spdx(algorithm: &str, value: &str) -> Vec<u8> {
    format!(
        r#"{{"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "name": "widget",
            "documentNamespace": "https://acme.example/spdx/widget-2.4.1",
            "creationInfo": {{"created": "2026-10-01T00:00:00Z", "creators": ["Tool: x"]}},
            "documentDescribes": ["SPDXRef-widget"],
            "packages": [
              {{"SPDXID": "SPDXRef-widget", "name": "widget", "versionInfo": "2.4.1",
               "checksums": [{{"algorithm": "{algorithm}", "checksumValue": "{value}"}}]}},
              {{"SPDXID": "SPDXRef-req", "name": "requests", "versionInfo": "2.32.3"}}]}}"#
    )
    .into_bytes()
}

#[test]
fn an_spdx_subject_with_only_sha1_is_linked_by_name_and_said_so() {
    let dir = bundle();
    write(
        dir.path(),
        "sbom/widget.spdx.json",
        &spdx("SHA1", "0123456789abcdef0123456789abcdef01234567"),
    );
    let graph = ingest(dir.path());
    assert_eq!(artifact_sboms(&graph), [SbomLink::NameVersion]);
    assert_eq!(
        codes(&graph, "sbom/widget.spdx.json"),
        ["vouch::evidence::digest-unverifiable"]
    );
}

fn csaf_vex(digest: &str) -> Vec<u8> {
    format!(
        r#"{{"document": {{"category": "csaf_vex", "csaf_version": "2.0", "title": "t",
            "publisher": {{"category": "vendor", "name": "ACME", "namespace": "https://acme.example"}},
            "tracking": {{"id": "ACME-VEX-1", "initial_release_date": "2026-09-29T00:00:00Z",
              "current_release_date": "2026-09-29T00:00:00Z", "status": "final", "version": "1",
              "revision_history": []}}}},
          "product_tree": {{"full_product_names": [{{"product_id": "P1", "name": "widget 2.4.1",
            "product_identification_helper": {{"hashes": [{{"filename": "widget-2.4.1.tar.gz",
              "file_hashes": [{{"algorithm": "sha256", "value": "{digest}"}}]}}]}}}}]}},
          "vulnerabilities": [{{"cve": "CVE-2024-47081",
            "product_status": {{"known_not_affected": ["P1"]}},
            "flags": [{{"label": "vulnerable_code_not_present", "product_ids": ["P1"]}}]}}]}}"#
    )
    .into_bytes()
}

#[test]
fn a_csaf_vex_about_another_build_does_not_clear_a_vulnerability() {
    let dir = bundle();
    write(dir.path(), "vex/acme.csaf.json", &csaf_vex(OTHER));
    let graph = ingest(dir.path());
    assert_eq!(graph.vulnerabilities().count(), 0, "{:?}", graph.findings());
    assert!(codes(&graph, "vex/acme.csaf.json").contains(&"vouch::evidence::digest-mismatch"));
    write(
        dir.path(),
        "vex/acme.csaf.json",
        &csaf_vex(&sha256(ARTIFACT)),
    );
    let graph = ingest(dir.path());
    assert_eq!(graph.vulnerabilities().count(), 1);
    assert!(!codes(&graph, "vex/acme.csaf.json").contains(&"vouch::evidence::digest-mismatch"));
}

/// The refusal an SBOM at `path` gets for a subject SHA-256 that is not a digest.
fn malformed_refusal(graph: &EvidenceGraph, path: &str) -> String {
    graph
        .findings()
        .iter()
        .find(|f| f.path.as_deref() == Some(path) && f.message.contains("which is not a digest"))
        .map(|f| format!("{}: {}", f.code.as_str(), f.message))
        .expect("the refusal is said")
}

#[test]
fn a_cyclonedx_subject_sha256_that_is_not_a_digest_refuses_the_name_link() {
    let dir = bundle();
    write(
        dir.path(),
        "sbom/widget.json",
        &cdx("widget", &[("SHA-256", "not-a-digest")]),
    );
    let graph = ingest(dir.path());
    assert!(artifact_sboms(&graph).is_empty());
    let refusal = malformed_refusal(&graph, "sbom/widget.json");
    assert!(
        refusal.starts_with("vouch::evidence::digest-mismatch: ")
            && refusal.contains("`not-a-digest`")
            && refusal.contains("dist/widget-2.4.1.tar.gz"),
        "{refusal}"
    );
}

#[test]
fn an_spdx_subject_sha256_that_is_not_a_digest_refuses_the_name_link() {
    let dir = bundle();
    write(dir.path(), "sbom/widget.spdx.json", &spdx("SHA256", "0123"));
    let graph = ingest(dir.path());
    assert!(artifact_sboms(&graph).is_empty());
    assert!(malformed_refusal(&graph, "sbom/widget.spdx.json").contains("`0123`"));
}

/// `vouch graph` shows a contradicting digest in every form, escaped like the rest: the JSON's
/// `digest_mismatches`, and a red dashed edge from the document to the artifact in dot and
/// Mermaid, naming both digests. A checksum entry that does not match is a red
/// `checksum-of: mismatch` edge.
#[test]
fn the_graph_shows_digest_mismatches_escaped() {
    use vouch_engine::graph::render;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "dist/widget-2.4.1.tar.gz", ARTIFACT);
    // A product name with an escape character: the SBOM names it, with another digest.
    write(
        dir.path(),
        "release.toml",
        b"[release]\nproduct = \"wid\\u001b[31mget\"\nversion = \"2.4.1\"\n\
          date = 2026-10-01T12:00:00Z\nartifacts = [\"dist/widget-2.4.1.tar.gz\"]\n",
    );
    write(
        dir.path(),
        "sbom/widget.json",
        &cdx("wid\\u001b[31mget", &[("SHA-256", OTHER)]),
    );
    write(
        dir.path(),
        "SHA256SUMS",
        format!("{OTHER}  dist/widget-2.4.1.tar.gz\n").as_bytes(),
    );
    let graph = ingest(dir.path());
    assert_eq!(graph.digest_mismatches().len(), 1);

    let json: serde_json::Value = serde_json::from_str(&render::json(&graph)).unwrap();
    let m = &json["digest_mismatches"][0];
    assert_eq!(m["artifact"], "dist/widget-2.4.1.tar.gz");
    assert_eq!(m["evidence"], "sbom");
    assert_eq!(m["stated"], OTHER);
    assert_eq!(m["actual"], sha256(ARTIFACT));

    let short_other = &OTHER[..12];
    let short_actual = &sha256(ARTIFACT)[..12];
    for (form, text) in [
        ("dot", render::dot(&graph)),
        ("mermaid", render::mermaid(&graph)),
    ] {
        assert!(
            !text.contains('\u{1b}'),
            "{form} prints a raw escape:\n{text}"
        );
        let line = text
            .lines()
            .find(|l| l.contains("digest mismatch"))
            .unwrap_or_else(|| panic!("{form} shows no digest mismatch:\n{text}"));
        assert!(
            line.contains(short_other) && line.contains(short_actual),
            "{line}"
        );
        assert!(line.contains("sbom `wid"), "{line}");
        assert!(
            text.contains("checksum-of: mismatch"),
            "{form} shows no checksum mismatch:\n{text}"
        );
    }
    assert!(render::dot(&graph).contains("color=red, fontcolor=red, style=dashed"));
}
