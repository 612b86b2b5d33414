//! Sigstore bundles and DSSE envelopes, end to end through `ingest`: the real corpus
//! (`../shared/corpus/sigstore`, `../shared/corpus/intoto`; skipped with a printed reason
//! when absent), the openssl-made fixtures of `fixtures/signatures/dsse` (see its
//! `make.sh`), and broken input. Every bundle is a copy in a temporary directory.
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
use vouch_engine::graph::SignatureNode;
use vouch_engine::signatures::{Outcome, SignatureFormat};
use vouch_engine::{
    EvidenceGraph, FindingCode, IngestOptions, KeyStore, NoProgress, Severity,
    formats::EvidenceKind,
};

/// The openssl-made fixtures.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/signatures/dsse")
}

fn key(name: &str) -> PathBuf {
    fixtures().join("keys").join(name)
}

/// Copies the regular files of `from` into `to`.
fn copy_files(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// A temporary copy of the fixture bundle.
fn fixture_bundle() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_files(&fixtures().join("bundle"), dir.path());
    dir
}

/// Ingests `dir` with one thread, trusting `keys`, at a fixed instant.
fn ingest_trusting(dir: &Path, keys: &[PathBuf]) -> EvidenceGraph {
    let options = IngestOptions {
        threads: Some(1),
        trust: Arc::new(KeyStore::load(keys).unwrap()),
        as_of: Some("2026-10-01T00:00:00Z".parse().unwrap()),
    };
    vouch_engine::ingest(dir, &options, &NoProgress).unwrap()
}

/// The signatures whose signature file is `path`.
fn signatures_in<'g>(graph: &'g EvidenceGraph, path: &str) -> Vec<&'g SignatureNode> {
    graph
        .signatures()
        .filter(|(_, s)| s.source.path == path)
        .map(|(_, s)| s)
        .collect()
}

/// The one signature in `path`.
fn only<'g>(graph: &'g EvidenceGraph, path: &str) -> &'g SignatureNode {
    let found = signatures_in(graph, path);
    assert_eq!(found.len(), 1, "{path}: {found:#?}");
    found[0]
}

fn reason(s: &SignatureNode) -> &str {
    s.verification.reason.as_deref().unwrap_or("")
}

fn errors(graph: &EvidenceGraph) -> Vec<String> {
    graph
        .findings()
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{:?}: {} ({})", f.path, f.message, f.code))
        .collect()
}

fn corpus_dir(test: &str, sub: &str) -> Option<PathBuf> {
    match corpus() {
        Some(c) => Some(c.join(sub)),
        None => {
            eprintln!("skipping {test}: ../shared/corpus is not present");
            None
        }
    }
}

#[test]
fn corpus_sigstore_bundles_parse_and_the_keyed_one_verifies() {
    let Some(src) = corpus_dir("corpus_sigstore_bundles", "sigstore") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    copy_files(&src, dir.path());
    let graph = ingest_trusting(dir.path(), &[src.join("managed-key.pub")]);
    assert_eq!(errors(&graph), Vec::<String>::new());
    let bundles: Vec<_> = graph.files_of_kind(EvidenceKind::SigstoreBundle).collect();
    assert_eq!(bundles.len(), 7);

    let keyed = only(&graph, "bundle-v0.3-managed-key.sigstore.json");
    assert_eq!(keyed.format, SignatureFormat::Sigstore);
    assert_eq!(keyed.verification.outcome, Outcome::Verified, "{keyed:#?}");
    assert!(keyed.verification.trusted);
    assert_eq!(keyed.signed.as_deref(), Some("a.txt"));
    assert_eq!(
        keyed.verification.key_id.as_deref(),
        Some("4cb32c4837c6dda8cfb1681efb3fef5f94ffce5b979e6bdb9139302c857af139")
    );

    // Keyless: verified against the embedded public-good root (see signatures_keyless.rs),
    // never trusted; the Rekor v2 one is of the staging instance, not in that root.
    for keyless in [
        "bundle-v0.1.sigstore.json",
        "bundle-v0.2.sigstore.json",
        "bundle-v0.3.sigstore.json",
        "bundle-v0.3-new-mediatype.sigstore.json",
        "bundle-v0.3-rekor2-tsa.sigstore.json",
        "bundle-v0.3-dsse-intoto.sigstore.json",
    ] {
        let s = only(&graph, keyless);
        let staging = keyless.contains("rekor2");
        let expected = if staging {
            Outcome::UntrustedKey
        } else {
            Outcome::Keyless
        };
        assert_eq!(s.verification.outcome, expected, "{keyless}: {s:#?}");
        assert!(!s.verification.trusted, "{keyless}");
        assert_eq!(s.verification.verified, !staging, "{keyless}");
        // The certificate's identity, reported (unverified) as the signer.
        let signer = s.verification.signer.as_deref().unwrap_or("");
        assert!(
            signer.starts_with("https://github.com/"),
            "{keyless}: {signer}"
        );
    }
    // Message signatures pair with a.txt by digest; the DSSE bundle signs itself.
    assert_eq!(
        only(&graph, "bundle-v0.1.sigstore.json").signed.as_deref(),
        Some("a.txt")
    );
    assert_eq!(
        only(&graph, "bundle-v0.3-dsse-intoto.sigstore.json")
            .signed
            .as_deref(),
        Some("bundle-v0.3-dsse-intoto.sigstore.json")
    );
}

#[test]
fn corpus_key_in_the_bundle_shows_valid_never_trusted() {
    let Some(src) = corpus_dir("corpus_key_in_the_bundle", "sigstore") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    copy_files(&src, dir.path());
    let graph = ingest_trusting(dir.path(), &[]);
    let s = only(&graph, "bundle-v0.3-managed-key.sigstore.json");
    assert_eq!(s.verification.outcome, Outcome::UntrustedKey);
    assert!(s.verification.verified && !s.verification.trusted);
    assert!(reason(s).contains("only in the bundle"), "{}", reason(s));
}

#[test]
fn corpus_intoto_files_parse_and_the_vsa_verifies() {
    let Some(src) = corpus_dir("corpus_intoto_files", "intoto") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    copy_files(&src, dir.path());
    let graph = ingest_trusting(dir.path(), &[src.join("vsa_signing_public_key.pem")]);
    assert_eq!(errors(&graph), Vec::<String>::new());
    let kinds: Vec<_> = graph
        .files()
        .map(|(_, f)| (f.path.as_str(), f.kind.map(|k| k.as_str())))
        .collect();
    assert_eq!(
        kinds,
        [
            ("annotated-tag.intoto.jsonl", Some("dsse-envelope")),
            ("bcr-MODULE.bazel.intoto.jsonl", Some("sigstore-bundle")),
            ("gke-gce-pre.bcid-vsa.jsonl", Some("dsse-envelope")),
            (
                "npm-sigstore-2.3.1.attestations.json",
                Some("sigstore-bundle")
            ),
            (
                "statement-v1-slsa-provenance-v1.json",
                Some("in-toto-statement")
            ),
            (
                "trivy-centos-7-cyclonedx.intoto.jsonl",
                Some("dsse-envelope")
            ),
            ("vsa_signing_public_key.pem", Some("public-key")),
        ]
    );

    let vsa = only(&graph, "gke-gce-pre.bcid-vsa.jsonl");
    assert_eq!(vsa.format, SignatureFormat::Dsse);
    assert_eq!(vsa.verification.outcome, Outcome::Verified, "{vsa:#?}");
    assert_eq!(vsa.signed.as_deref(), Some("gke-gce-pre.bcid-vsa.jsonl"));

    // A bare envelope whose signature carries a Fulcio certificate: keyless.
    let tag = only(&graph, "annotated-tag.intoto.jsonl");
    assert_eq!(tag.verification.outcome, Outcome::UntrustedKey);
    assert!(!tag.verification.verified);
    assert!(reason(tag).contains("certificate"), "{}", reason(tag));
    assert!(tag.verification.signer.is_some());

    let bcr = only(&graph, "bcr-MODULE.bazel.intoto.jsonl");
    assert_eq!(bcr.format, SignatureFormat::Sigstore);
    assert_eq!(bcr.verification.outcome, Outcome::Keyless);

    // npm: two bundles, a keyed one (npm's registry key, not trusted here) and a keyless one
    // (verified: its certificate, SCT and intoto Rekor entry check out).
    let npm = signatures_in(&graph, "npm-sigstore-2.3.1.attestations.json");
    let outcomes: Vec<_> = npm.iter().map(|s| s.verification.outcome).collect();
    assert_eq!(outcomes, [Outcome::UntrustedKey, Outcome::Keyless]);

    let trivy = only(&graph, "trivy-centos-7-cyclonedx.intoto.jsonl");
    assert_eq!(trivy.verification.outcome, Outcome::UntrustedKey);

    // Statements: one per envelope or bundle, and the bare one.
    let provenance: Vec<_> = graph
        .provenance()
        .map(|(_, p)| {
            (
                p.source.path.as_str(),
                p.predicate_type.as_str(),
                p.builder.is_some(),
                p.verified,
            )
        })
        .collect();
    assert_eq!(
        provenance,
        [
            (
                "annotated-tag.intoto.jsonl",
                "https://slsa.dev/provenance/v0.2",
                true,
                false
            ),
            (
                "bcr-MODULE.bazel.intoto.jsonl",
                "https://slsa.dev/provenance/v1",
                true,
                true
            ),
            (
                "gke-gce-pre.bcid-vsa.jsonl",
                "https://slsa.dev/verification_summary/v1",
                false,
                true
            ),
            (
                "npm-sigstore-2.3.1.attestations.json",
                "https://github.com/npm/attestation/tree/main/specs/publish/v0.1",
                false,
                false
            ),
            (
                "npm-sigstore-2.3.1.attestations.json",
                "https://slsa.dev/provenance/v1",
                true,
                true
            ),
            (
                "statement-v1-slsa-provenance-v1.json",
                "https://slsa.dev/provenance/v1",
                true,
                false
            ),
            (
                "trivy-centos-7-cyclonedx.intoto.jsonl",
                "https://cyclonedx.org/bom",
                false,
                false
            ),
        ]
    );
    // Their subjects are not in this directory: warnings, not errors.
    assert!(has_code(&graph, FindingCode::ProvenanceSubjectMissing));
}

#[test]
fn fixtures_verify_when_trusted() {
    let dir = fixture_bundle();
    let graph = ingest_trusting(dir.path(), &[key("p256.pub.pem"), key("ed25519.pub.pem")]);
    assert_eq!(graph.findings(), &[]);
    for path in [
        "widget-1.0.tar.gz.sigstore.json",
        "widget-1.0.tar.gz.ed25519.sigstore.json",
        "widget-1.0.intoto.jsonl",
        "widget-1.0.ed25519.intoto.jsonl",
        "widget-1.0.provenance.sigstore.json",
    ] {
        let s = only(&graph, path);
        assert_eq!(s.verification.outcome, Outcome::Verified, "{path}: {s:#?}");
        assert!(s.verification.verified && s.verification.trusted);
    }
    let (artifact, _) = graph.artifacts()[0];
    let on_artifact: Vec<_> = graph
        .signatures_of(artifact)
        .into_iter()
        .map(|(_, s)| s.source.path.as_str())
        .collect();
    assert_eq!(
        on_artifact,
        [
            "widget-1.0.tar.gz.ed25519.sigstore.json",
            "widget-1.0.tar.gz.sigstore.json"
        ]
    );
}

#[test]
fn valid_but_key_not_in_the_trust_set() {
    let dir = fixture_bundle();
    let graph = ingest_trusting(dir.path(), &[key("other.pub.pem")]);
    for path in [
        "widget-1.0.tar.gz.sigstore.json",
        "widget-1.0.intoto.jsonl",
        "widget-1.0.provenance.sigstore.json",
    ] {
        let s = only(&graph, path);
        assert_eq!(s.verification.outcome, Outcome::UntrustedKey, "{path}");
        assert!(!s.verification.verified, "{path}");
        assert!(
            reason(s).contains("in the trust set"),
            "{path}: {}",
            reason(s)
        );
    }
    // With the key in the bundle, the signature shows valid, still not trusted.
    std::fs::copy(key("p256.pub.pem"), dir.path().join("p256.pub.pem")).unwrap();
    let graph = ingest_trusting(dir.path(), &[key("other.pub.pem")]);
    let s = only(&graph, "widget-1.0.intoto.jsonl");
    assert_eq!(s.verification.outcome, Outcome::UntrustedKey);
    assert!(s.verification.verified && !s.verification.trusted);
}

#[test]
fn a_tampered_artifact_is_a_digest_mismatch() {
    let dir = fixture_bundle();
    let artifact = dir.path().join("widget-1.0.tar.gz");
    let mut bytes = std::fs::read(&artifact).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&artifact, bytes).unwrap();
    let graph = ingest_trusting(dir.path(), &[key("p256.pub.pem"), key("ed25519.pub.pem")]);
    // Paired by name: the file is there, its digest is not the one signed.
    let s = only(&graph, "widget-1.0.tar.gz.sigstore.json");
    assert_eq!(s.verification.outcome, Outcome::BadSignature);
    assert!(
        reason(s).contains("digest in bundle differs from file"),
        "{}",
        reason(s)
    );
    assert_eq!(s.signed.as_deref(), Some("widget-1.0.tar.gz"));
    // Paired by digest only: no file has the signed digest any more.
    let s = only(&graph, "widget-1.0.tar.gz.ed25519.sigstore.json");
    assert_eq!(s.verification.outcome, Outcome::MissingFile);
    assert!(
        reason(s).contains("no file of the bundle has sha256"),
        "{}",
        reason(s)
    );
    assert!(has_code(&graph, FindingCode::SignatureNoSignedFile));
    // The envelopes are intact: they still verify, but their statement names the artifact
    // with its old digest: a digest mismatch.
    assert_eq!(
        only(&graph, "widget-1.0.intoto.jsonl").verification.outcome,
        Outcome::Verified
    );
    assert!(has_code(&graph, FindingCode::DigestMismatch));
}

/// Replaces the first base64 signature value after `key` in a JSON file.
fn tamper_signature(path: &Path, key: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let at = text.find(key).unwrap() + key.len();
    let mut bytes = text.into_bytes();
    // Flip a character well inside the base64: the signature's bytes change, not its shape.
    let i = at + 20;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn tampered_signatures_are_bad() {
    let dir = fixture_bundle();
    tamper_signature(
        &dir.path().join("widget-1.0.tar.gz.sigstore.json"),
        "\"signature\":\"",
    );
    tamper_signature(&dir.path().join("widget-1.0.intoto.jsonl"), "\"sig\":\"");
    tamper_signature(
        &dir.path().join("widget-1.0.ed25519.intoto.jsonl"),
        "\"sig\":\"",
    );
    tamper_signature(
        &dir.path().join("widget-1.0.provenance.sigstore.json"),
        "\"sig\":\"",
    );
    let graph = ingest_trusting(dir.path(), &[key("p256.pub.pem"), key("ed25519.pub.pem")]);
    for path in [
        "widget-1.0.tar.gz.sigstore.json",
        "widget-1.0.intoto.jsonl",
        "widget-1.0.ed25519.intoto.jsonl",
        "widget-1.0.provenance.sigstore.json",
    ] {
        let s = only(&graph, path);
        assert_eq!(
            s.verification.outcome,
            Outcome::BadSignature,
            "{path}: {s:#?}"
        );
        assert!(!s.verification.verified);
        assert!(
            reason(s).contains("does not verify with trusted"),
            "{}",
            reason(s)
        );
    }
    // A tampered payload is as bad as a tampered signature.
    let dir = fixture_bundle();
    let path = dir.path().join("widget-1.0.intoto.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replacen("\"payload\":\"eyJ", "\"payload\":\"eyB", 1);
    std::fs::write(&path, text).unwrap();
    let graph = ingest_trusting(dir.path(), &[key("p256.pub.pem")]);
    let s = only(&graph, "widget-1.0.intoto.jsonl");
    assert_eq!(s.verification.outcome, Outcome::BadSignature);
}

#[test]
fn an_ed25519_key_against_an_ecdsa_signature_is_bad_not_a_panic() {
    let dir = fixture_bundle();
    // Point the P-256 envelope's key id at the Ed25519 key, and trust only that key.
    let ed = std::fs::read_to_string(dir.path().join("widget-1.0.ed25519.intoto.jsonl")).unwrap();
    let ed_id = ed
        .split("\"keyid\":\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let path = dir.path().join("widget-1.0.intoto.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let p_id = text
        .split("\"keyid\":\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    std::fs::write(&path, text.replace(p_id, ed_id)).unwrap();
    let graph = ingest_trusting(dir.path(), &[key("ed25519.pub.pem")]);
    let s = only(&graph, "widget-1.0.intoto.jsonl");
    assert_eq!(s.verification.outcome, Outcome::BadSignature, "{s:#?}");
    assert!(reason(s).contains("ed25519"), "{}", reason(s));
    // The ECDSA message bundle against the Ed25519 key: never verified.
    let s = only(&graph, "widget-1.0.tar.gz.sigstore.json");
    assert!(!s.verification.verified);
}

#[test]
fn garbage_base64_and_truncated_json_are_malformed() {
    let dir = tempfile::tempdir().unwrap();
    let bundle =
        std::fs::read_to_string(fixtures().join("bundle/widget-1.0.tar.gz.sigstore.json")).unwrap();
    write(dir.path(), "x", b"x");
    write(dir.path(), "y", b"y");
    write(
        dir.path(),
        "x.sigstore.json",
        bundle
            .replacen("\"signature\":\"", "\"signature\":\"!!!", 1)
            .as_bytes(),
    );
    write(
        dir.path(),
        "y.sigstore.json",
        &bundle.as_bytes()[..bundle.len() / 2],
    );
    write(
        dir.path(),
        "z.intoto.jsonl",
        b"{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"%%%\",\"signatures\":[{\"sig\":\"AAAA\"}]}\n",
    );
    write(dir.path(), "w.sigstore.json", b"");
    let graph = ingest_trusting(dir.path(), &[key("p256.pub.pem")]);
    for (path, why) in [
        ("x.sigstore.json", "signature"),
        ("y.sigstore.json", "invalid JSON"),
        ("z.intoto.jsonl", "`payload` is not base64"),
    ] {
        let s = only(&graph, path);
        assert_eq!(s.verification.outcome, Outcome::Malformed, "{path}");
        assert!(reason(s).contains(why), "{path}: {}", reason(s));
        assert!(
            findings_at(&graph, path)
                .iter()
                .any(|(c, _)| *c == FindingCode::SignatureMalformed),
            "{path}"
        );
    }
}

#[test]
fn an_oversized_bundle_is_not_parsed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.sigstore.json");
    {
        use std::io::Write as _;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        f.write_all(b"{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"pad\":\"")
            .unwrap();
        let chunk = vec![b'A'; 1024 * 1024];
        for _ in 0..50 {
            f.write_all(&chunk).unwrap();
        }
        f.write_all(b"\"}").unwrap();
    }
    let graph = ingest_trusting(dir.path(), &[]);
    assert_eq!(
        findings_at(&graph, "big.sigstore.json"),
        [(FindingCode::TooLargeToParse, None)]
    );
    assert_eq!(graph.signatures().count(), 0);
    drop(dir);
}

#[test]
fn json_lines_are_read_line_by_line() {
    let dir = fixture_bundle();
    let p256 = std::fs::read_to_string(dir.path().join("widget-1.0.intoto.jsonl")).unwrap();
    let ed = std::fs::read_to_string(dir.path().join("widget-1.0.ed25519.intoto.jsonl")).unwrap();
    let bundle =
        std::fs::read_to_string(dir.path().join("widget-1.0.provenance.sigstore.json")).unwrap();
    let text = format!(
        "{}\n\n{}\nnot json\n{}",
        p256.trim(),
        ed.trim(),
        bundle.trim()
    );
    write(dir.path(), "all.intoto.jsonl", text.as_bytes());
    let graph = ingest_trusting(dir.path(), &[key("p256.pub.pem")]);
    let lines: Vec<_> = signatures_in(&graph, "all.intoto.jsonl")
        .into_iter()
        .map(|s| (s.source.line, s.format, s.verification.outcome))
        .collect();
    assert_eq!(
        lines,
        [
            (Some(1), SignatureFormat::Dsse, Outcome::Verified),
            (Some(3), SignatureFormat::Dsse, Outcome::UntrustedKey),
            (Some(4), SignatureFormat::Dsse, Outcome::Malformed),
            (Some(5), SignatureFormat::Sigstore, Outcome::Verified),
        ]
    );
    assert_eq!(
        findings_at(&graph, "all.intoto.jsonl"),
        [(FindingCode::SignatureMalformed, Some(4))]
    );
    // One provenance node per signed statement, each with its line; the verified ones.
    let provenance: Vec<_> = graph
        .provenance()
        .filter(|(_, p)| p.source.path == "all.intoto.jsonl")
        .map(|(_, p)| (p.source.line, p.verified))
        .collect();
    assert_eq!(
        provenance,
        [(Some(1), true), (Some(3), false), (Some(5), true)]
    );
}

#[test]
fn unknown_bundle_versions_and_digests_are_unsupported() {
    let dir = tempfile::tempdir().unwrap();
    copy_files(&fixtures().join("bundle"), dir.path());
    let bundle =
        std::fs::read_to_string(dir.path().join("widget-1.0.tar.gz.sigstore.json")).unwrap();
    write(
        dir.path(),
        "v9.sigstore.json",
        bundle
            .replace("bundle.v0.3+json", "bundle.v0.9+json")
            .as_bytes(),
    );
    // Not a sha256: paired by name only (a copy of the artifact in its own directory).
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::copy(
        dir.path().join("widget-1.0.tar.gz"),
        dir.path().join("sub/widget-1.0.tar.gz"),
    )
    .unwrap();
    write(
        dir.path(),
        "sub/widget-1.0.tar.gz.sigstore.json",
        bundle.replace("SHA2_256", "SHA2_512").as_bytes(),
    );
    let graph = ingest_trusting(dir.path(), &[key("p256.pub.pem")]);
    let v9 = only(&graph, "v9.sigstore.json");
    assert_eq!(v9.verification.outcome, Outcome::Unsupported);
    assert!(reason(v9).contains("version 0.9"), "{}", reason(v9));
    let sha512 = only(&graph, "sub/widget-1.0.tar.gz.sigstore.json");
    assert_eq!(sha512.verification.outcome, Outcome::Unsupported);
    assert!(reason(sha512).contains("SHA2_512"), "{}", reason(sha512));
}
