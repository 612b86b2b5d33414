//! Keyless Sigstore verification, offline, on real published material: the Sigstore
//! conformance bundles v0.1–v0.3 (`../shared/corpus/sigstore`), npm's attestations document
//! for sigstore@2.3.1 (`intoto` 0.0.2 Rekor entry) and a PEP 740 attestation
//! (`../shared/corpus/pep740`); skipped with a printed reason when the corpus is absent.
//! Each tampering case changes one thing in a temporary copy.
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

use serde_json::Value;
use vouch_engine::graph::SignatureNode;
use vouch_engine::signatures::Outcome;
use vouch_engine::{EvidenceGraph, IngestOptions, KeyStore, NoProgress};

const BEACON: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";

fn corpus_file(test: &str, rel: &str) -> Option<PathBuf> {
    match common::corpus() {
        Some(c) => Some(c.join(rel)),
        None => {
            eprintln!("skipping {test}: ../shared/corpus is not present");
            None
        }
    }
}

/// A temporary bundle holding the named corpus files (under their own names).
fn bundle_of(files: &[PathBuf]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in files {
        std::fs::copy(f, dir.path().join(f.file_name().unwrap())).unwrap();
    }
    dir
}

fn ingest_at(dir: &Path, trust: &[PathBuf], as_of: &str) -> EvidenceGraph {
    let options = IngestOptions {
        threads: Some(1),
        trust: Arc::new(KeyStore::load(trust).unwrap()),
        as_of: Some(as_of.parse().unwrap()),
    };
    vouch_engine::ingest(dir, &options, &NoProgress).unwrap()
}

fn ingest(dir: &Path) -> EvidenceGraph {
    ingest_at(dir, &[], "2026-10-01T00:00:00Z")
}

fn signatures_in<'g>(graph: &'g EvidenceGraph, path: &str) -> Vec<&'g SignatureNode> {
    graph
        .signatures()
        .filter(|(_, s)| s.source.path == path)
        .map(|(_, s)| s)
        .collect()
}

fn only<'g>(graph: &'g EvidenceGraph, path: &str) -> &'g SignatureNode {
    let found = signatures_in(graph, path);
    assert_eq!(found.len(), 1, "{path}: {found:#?}");
    found[0]
}

fn reason(s: &SignatureNode) -> &str {
    s.verification.reason.as_deref().unwrap_or("")
}

/// Rewrites the JSON file `path` with `change`.
fn edit_json(path: &Path, change: impl FnOnce(&mut Value)) {
    let mut value: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    change(&mut value);
    std::fs::write(path, serde_json::to_vec(&value).unwrap()).unwrap();
}

/// The Sigstore staging trusted root (which `sigstore-trust-root` embeds), written to `dir`.
fn staging_root(dir: &Path) -> PathBuf {
    let path = dir.join("staging-trusted-root.json");
    std::fs::write(&path, sigstore_trust_root::SIGSTORE_STAGING_TRUSTED_ROOT).unwrap();
    path
}

fn assert_keyless(s: &SignatureNode, identity: &str, issuer: &str) {
    let v = &s.verification;
    assert_eq!(v.outcome, Outcome::Keyless, "{s:#?}");
    assert!(v.verified && !v.trusted, "{s:#?}");
    assert_eq!(v.identity(), Some(identity));
    assert_eq!(v.issuer(), Some(issuer));
    assert!(v.signed_at.is_some(), "a verified signing time: {s:#?}");
}

#[test]
fn conformance_bundles_v01_to_v03_verify_keyless() {
    let Some(dir) = corpus_file("conformance_bundles", "sigstore") else {
        return;
    };
    let names = [
        "a.txt",
        "bundle-v0.1.sigstore.json",
        "bundle-v0.2.sigstore.json",
        "bundle-v0.3.sigstore.json",
        "bundle-v0.3-new-mediatype.sigstore.json",
        "bundle-v0.3-dsse-intoto.sigstore.json",
    ];
    let bundle = bundle_of(&names.map(|n| dir.join(n)));
    let graph = ingest(bundle.path());
    for name in &names[1..] {
        let s = only(&graph, name);
        assert_keyless(s, BEACON, GITHUB_ISSUER);
    }
    // The verified Rekor time of the v0.1 bundle (its SET covers integratedTime).
    let v01 = only(&graph, "bundle-v0.1.sigstore.json");
    assert_eq!(
        v01.verification.signed_at.unwrap().to_string(),
        "2023-07-12T15:56:36Z"
    );
    assert_eq!(v01.signed.as_deref(), Some("a.txt"));
    // The DSSE statement names a.txt: keyless provenance, with its identity.
    let provenance: Vec<_> = graph
        .provenance()
        .map(|(_, p)| (p.verified, p.identity.as_deref(), p.issuer.as_deref()))
        .collect();
    assert_eq!(provenance, [(true, Some(BEACON), Some(GITHUB_ISSUER))]);
}

#[test]
fn a_modified_artifact_is_a_bad_signature() {
    let Some(dir) = corpus_file("modified_artifact", "sigstore") else {
        return;
    };
    let bundle = bundle_of(&[dir.join("bundle-v0.1.sigstore.json")]);
    // Same name, other content: the digest pairing finds no file, so pair it by name.
    std::fs::write(bundle.path().join("a.txt"), b"not what was signed\n").unwrap();
    std::fs::rename(
        bundle.path().join("bundle-v0.1.sigstore.json"),
        bundle.path().join("a.txt.sigstore.json"),
    )
    .unwrap();
    let graph = ingest(bundle.path());
    let s = only(&graph, "a.txt.sigstore.json");
    assert_eq!(s.verification.outcome, Outcome::BadSignature, "{s:#?}");
    assert!(!s.verification.verified);
}

#[test]
fn a_modified_dsse_payload_is_a_bad_signature() {
    let Some(dir) = corpus_file("modified_payload", "sigstore") else {
        return;
    };
    let bundle = bundle_of(&[dir.join("bundle-v0.3-dsse-intoto.sigstore.json")]);
    let path = bundle.path().join("bundle-v0.3-dsse-intoto.sigstore.json");
    edit_json(&path, |v| {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        let payload = v["dsseEnvelope"]["payload"].as_str().unwrap();
        let text = String::from_utf8(b64.decode(payload).unwrap()).unwrap();
        let changed = text.replacen("\"a.txt\"", "\"b.txt\"", 1);
        assert_ne!(text, changed);
        v["dsseEnvelope"]["payload"] = Value::from(b64.encode(changed));
    });
    let graph = ingest(bundle.path());
    let s = only(&graph, "bundle-v0.3-dsse-intoto.sigstore.json");
    assert_eq!(s.verification.outcome, Outcome::BadSignature, "{s:#?}");
    assert!(graph.provenance().all(|(_, p)| !p.verified));
}

#[test]
fn a_rekor_entry_of_another_signature_does_not_match() {
    let Some(dir) = corpus_file("rekor_mismatch", "sigstore") else {
        return;
    };
    let bundle = bundle_of(&[
        dir.join("a.txt"),
        dir.join("bundle-v0.3-dsse-intoto.sigstore.json"),
    ]);
    let other: Value =
        serde_json::from_slice(&std::fs::read(dir.join("bundle-v0.1.sigstore.json")).unwrap())
            .unwrap();
    let path = bundle.path().join("bundle-v0.3-dsse-intoto.sigstore.json");
    edit_json(&path, |v| {
        v["verificationMaterial"]["tlogEntries"] =
            other["verificationMaterial"]["tlogEntries"].clone();
    });
    let graph = ingest(bundle.path());
    let s = only(&graph, "bundle-v0.3-dsse-intoto.sigstore.json");
    assert_ne!(s.verification.outcome, Outcome::Keyless, "{s:#?}");
    assert!(!s.verification.verified, "{s:#?}");
    // A stated integratedTime that does not verify is no signing time.
    assert_eq!(s.verification.signed_at, None);
}

#[test]
fn signed_after_as_of_does_not_count() {
    let Some(dir) = corpus_file("signed_after_as_of", "sigstore") else {
        return;
    };
    let bundle = bundle_of(&[dir.join("a.txt"), dir.join("bundle-v0.3.sigstore.json")]);
    let graph = ingest_at(bundle.path(), &[], "2024-01-01T00:00:00Z");
    let s = only(&graph, "bundle-v0.3.sigstore.json");
    assert_eq!(s.verification.outcome, Outcome::SignedAfterAsOf, "{s:#?}");
    assert!(
        reason(s).contains("after as_of 2024-01-01"),
        "{}",
        reason(s)
    );
}

#[test]
fn a_trusted_root_without_the_issuing_ca_refuses_it() {
    let Some(dir) = corpus_file("other_trusted_root", "sigstore") else {
        return;
    };
    let bundle = bundle_of(&[dir.join("a.txt"), dir.join("bundle-v0.3.sigstore.json")]);
    let roots = tempfile::tempdir().unwrap();
    let staging = staging_root(roots.path());
    let graph = ingest_at(bundle.path(), &[staging], "2026-10-01T00:00:00Z");
    let s = only(&graph, "bundle-v0.3.sigstore.json");
    assert_eq!(s.verification.outcome, Outcome::UntrustedKey, "{s:#?}");
    assert!(!s.verification.verified && !s.verification.trusted);
    assert!(
        reason(s).contains("staging-trusted-root.json"),
        "{}",
        reason(s)
    );
    // The identity it claims is still shown.
    assert_eq!(s.verification.identity(), Some(BEACON));
}

#[test]
fn another_instance_verifies_with_its_trusted_root() {
    let Some(dir) = corpus_file("staging_root", "sigstore") else {
        return;
    };
    // Rekor v2 (hashedrekord 0.0.2) with an RFC 3161 timestamp, on Sigstore's staging
    // instance: refused by the public-good root, verified with the staging one.
    let bundle = bundle_of(&[
        dir.join("a.txt"),
        dir.join("bundle-v0.3-rekor2-tsa.sigstore.json"),
    ]);
    let graph = ingest(bundle.path());
    let s = only(&graph, "bundle-v0.3-rekor2-tsa.sigstore.json");
    assert!(!s.verification.verified, "{s:#?}");
    let roots = tempfile::tempdir().unwrap();
    let staging = staging_root(roots.path());
    let graph = ingest_at(bundle.path(), &[staging], "2026-10-01T00:00:00Z");
    let s = only(&graph, "bundle-v0.3-rekor2-tsa.sigstore.json");
    assert_keyless(s, BEACON, GITHUB_ISSUER);
}

#[test]
fn npm_provenance_with_an_intoto_rekor_entry_verifies() {
    let Some(file) = corpus_file(
        "npm_provenance",
        "intoto/npm-sigstore-2.3.1.attestations.json",
    ) else {
        return;
    };
    let bundle = bundle_of(std::slice::from_ref(&file));
    let graph = ingest(bundle.path());
    let found = signatures_in(&graph, "npm-sigstore-2.3.1.attestations.json");
    let keyless: Vec<_> = found
        .iter()
        .filter(|s| s.verification.outcome == Outcome::Keyless)
        .collect();
    assert_eq!(keyless.len(), 1, "{found:#?}");
    assert_keyless(
        keyless[0],
        "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main",
        GITHUB_ISSUER,
    );

    // The same document with the provenance statement changed: the intoto entry no longer
    // matches the envelope, and the signature no longer covers it.
    let path = bundle.path().join("npm-sigstore-2.3.1.attestations.json");
    edit_json(&path, |v| {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        for a in v["attestations"].as_array_mut().unwrap() {
            if a["predicateType"] == "https://slsa.dev/provenance/v1" {
                let env = &mut a["bundle"]["dsseEnvelope"];
                let text = String::from_utf8(b64.decode(env["payload"].as_str().unwrap()).unwrap())
                    .unwrap();
                env["payload"] = Value::from(b64.encode(text.replacen("2.3.1", "2.3.2", 1)));
            }
        }
    });
    let graph = ingest(bundle.path());
    let found = signatures_in(&graph, "npm-sigstore-2.3.1.attestations.json");
    assert!(
        found
            .iter()
            .all(|s| s.verification.outcome != Outcome::Keyless),
        "{found:#?}"
    );
}

#[test]
fn pep740_attestation_verifies_keyless_with_its_timestamp() {
    let name = "pypi_attestations-0.0.19.tar.gz.publish.attestation.with_timestamp";
    let Some(file) = corpus_file("pep740", &format!("pep740/{name}")) else {
        return;
    };
    let bundle = bundle_of(std::slice::from_ref(&file));
    let graph = ingest(bundle.path());
    let s = only(&graph, name);
    assert_keyless(s, "jku@goto.fi", "https://github.com/login/oauth");
    let p: Vec<_> = graph
        .provenance()
        .map(|(_, p)| (p.predicate_type.as_str(), p.verified))
        .collect();
    assert_eq!(p, [("https://docs.pypi.org/attestations/publish/v1", true)]);

    // Its signature over another statement does not verify.
    edit_json(&bundle.path().join(name), |v| {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        let text = String::from_utf8(
            b64.decode(v["envelope"]["statement"].as_str().unwrap())
                .unwrap(),
        )
        .unwrap();
        v["envelope"]["statement"] = Value::from(b64.encode(text.replacen("0.0.19", "0.0.20", 1)));
    });
    let graph = ingest(bundle.path());
    let s = only(&graph, name);
    assert_eq!(s.verification.outcome, Outcome::BadSignature, "{s:#?}");
}

#[test]
fn managed_key_bundles_take_their_time_only_from_a_verified_log_entry() {
    let Some(dir) = corpus_file("managed_key_time", "sigstore") else {
        return;
    };
    let name = "bundle-v0.3-managed-key.sigstore.json";
    let bundle = bundle_of(&[dir.join("a.txt"), dir.join(name)]);
    let key = dir.join("managed-key.pub");
    let graph = ingest_at(
        bundle.path(),
        std::slice::from_ref(&key),
        "2026-10-01T00:00:00Z",
    );
    let s = only(&graph, name);
    assert_eq!(s.verification.outcome, Outcome::Verified, "{s:#?}");
    let logged = s.verification.signed_at.expect("a verified time");

    // A stated integratedTime moved back a year: the SET no longer covers it, so it is no
    // signing time (before, it was taken as it stood).
    edit_json(&bundle.path().join(name), |v| {
        let entry = &mut v["verificationMaterial"]["tlogEntries"][0];
        let t: i64 = entry["integratedTime"].as_str().unwrap().parse().unwrap();
        entry["integratedTime"] = Value::from((t - 365 * 86_400).to_string());
    });
    let graph = ingest_at(bundle.path(), &[key], "2026-10-01T00:00:00Z");
    let s = only(&graph, name);
    assert_eq!(s.verification.outcome, Outcome::Verified, "{s:#?}");
    assert_eq!(s.verification.signed_at, None, "{logged}");
    assert!(reason(s).contains("signing time unknown"), "{}", reason(s));
}
