//! minisign signatures made by the real `minisign` at test time, verified end to end through
//! ingestion. Skipped, with a printed reason, when `minisign` is not installed (`.ci/run`
//! installs it).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use common::write;
use vouch_engine::graph::SignatureNode;
use vouch_engine::signatures::Outcome;
use vouch_engine::{EvidenceGraph, FindingCode, IngestOptions, KeyStore, NoProgress};

/// Makes a password-less key pair `name.pub` / `name.key` in `dir`.
fn keypair(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let public = dir.join(format!("{name}.pub"));
    let secret = dir.join(format!("{name}.key"));
    let out = Command::new("minisign")
        .args(["-G", "-W", "-f", "-p"])
        .arg(&public)
        .arg("-s")
        .arg(&secret)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (public, secret)
}

/// Signs `file` with `secret` into `sig` (legacy format when `legacy`), with a trusted comment
/// shaped like minisign's default (`timestamp:...<TAB>file:...`) but dated 2026-09-21, before
/// the tests' as_of: minisign's own would carry today's time, and a signature made after
/// as_of does not count.
fn sign(secret: &Path, file: &Path, sig: &Path, legacy: bool) {
    let mut cmd = Command::new("minisign");
    cmd.arg("-S");
    if legacy {
        cmd.arg("-l");
    }
    let name = file.file_name().unwrap().to_string_lossy();
    cmd.arg("-t")
        .arg(format!("timestamp:1790000000\tfile:{name}\thashed"));
    let out = cmd
        .arg("-s")
        .arg(secret)
        .arg("-x")
        .arg(sig)
        .arg("-m")
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn ingest(bundle: &Path, trust: &[PathBuf]) -> EvidenceGraph {
    let options = IngestOptions {
        threads: Some(2),
        trust: Arc::new(KeyStore::load(trust).unwrap()),
        as_of: Some("2026-10-01T00:00:00Z".parse().unwrap()),
    };
    vouch_engine::ingest(bundle, &options, &NoProgress).unwrap()
}

fn signature<'g>(graph: &'g EvidenceGraph, path: &str) -> &'g SignatureNode {
    graph
        .signatures()
        .map(|(_, s)| s)
        .find(|s| s.source.path == path)
        .unwrap_or_else(|| panic!("no signature from {path}"))
}

struct Setup {
    _tmp: tempfile::TempDir,
    bundle: PathBuf,
    trusted_pub: PathBuf,
}

/// A bundle with one artifact signed in every way the tests need.
fn setup() -> Option<Setup> {
    if !common::have("minisign", "minisign signature tests") {
        return None;
    }
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let (trusted_pub, trusted_key) = keypair(&keys, "trusted");
    let (other_pub, other_key) = keypair(&keys, "other");
    let (_, unknown_key) = keypair(&keys, "unknown");
    let bundle = tmp.path().join("bundle");
    for name in [
        "good",
        "legacy",
        "stranger",
        "known-stranger",
        "tampered",
        "badsig",
    ] {
        let file = write(
            &bundle,
            &format!("{name}.tar.gz"),
            format!("{name}\n").as_bytes(),
        );
        let secret = match name {
            "stranger" => &unknown_key,
            "known-stranger" => &other_key,
            _ => &trusted_key,
        };
        sign(
            secret,
            &file,
            &bundle.join(format!("{name}.tar.gz.minisig")),
            name == "legacy",
        );
    }
    // The other key's public key in the bundle: it shows `known-stranger` valid, not trusted.
    std::fs::copy(&other_pub, bundle.join("other-minisign.pub")).unwrap();
    // One byte of the artifact changed after signing.
    write(&bundle, "tampered.tar.gz", b"tampeRed\n");
    // One character of the signature line changed.
    let sig_path = bundle.join("badsig.tar.gz.minisig");
    let text = std::fs::read_to_string(&sig_path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let line = &mut lines[1];
    let pos = line.len() - 10;
    let c = if &line[pos..=pos] == "A" { "B" } else { "A" };
    line.replace_range(pos..=pos, c);
    std::fs::write(&sig_path, lines.join("\n") + "\n").unwrap();
    // A signature whose file is not in the bundle.
    std::fs::copy(
        bundle.join("good.tar.gz.minisig"),
        bundle.join("gone.tar.gz.minisig"),
    )
    .unwrap();
    Some(Setup {
        _tmp: tmp,
        bundle,
        trusted_pub,
    })
}

#[test]
fn every_outcome_of_a_minisign_signature() {
    let Some(s) = setup() else { return };
    let graph = ingest(&s.bundle, std::slice::from_ref(&s.trusted_pub));

    let good = signature(&graph, "good.tar.gz.minisig");
    assert_eq!(good.verification.outcome, Outcome::Verified);
    assert!(good.verification.verified && good.verification.trusted);
    assert_eq!(good.signed.as_deref(), Some("good.tar.gz"));
    assert!(good.verification.signed_at.is_some());
    assert_eq!(good.verification.key_id.as_ref().map(String::len), Some(16));

    let legacy = signature(&graph, "legacy.tar.gz.minisig");
    assert_eq!(legacy.verification.outcome, Outcome::Verified, "{legacy:?}");

    let stranger = signature(&graph, "stranger.tar.gz.minisig");
    assert_eq!(stranger.verification.outcome, Outcome::UntrustedKey);
    assert!(!stranger.verification.verified);

    let known = signature(&graph, "known-stranger.tar.gz.minisig");
    assert_eq!(known.verification.outcome, Outcome::UntrustedKey);
    assert!(known.verification.verified && !known.verification.trusted);

    let tampered = signature(&graph, "tampered.tar.gz.minisig");
    assert_eq!(tampered.verification.outcome, Outcome::BadSignature);
    assert!(!tampered.verification.verified);

    let badsig = signature(&graph, "badsig.tar.gz.minisig");
    assert!(
        matches!(
            badsig.verification.outcome,
            Outcome::BadSignature | Outcome::Malformed
        ),
        "{badsig:?}"
    );
    assert!(!badsig.verification.verified);

    let gone = signature(&graph, "gone.tar.gz.minisig");
    assert_eq!(gone.verification.outcome, Outcome::MissingFile);
    assert!(
        graph
            .findings()
            .iter()
            .any(|f| f.code == FindingCode::SignatureNoSignedFile
                && f.path.as_deref() == Some("gone.tar.gz.minisig"))
    );
}

#[test]
fn without_a_trust_set_nothing_is_trusted() {
    let Some(s) = setup() else { return };
    let graph = ingest(&s.bundle, &[]);
    assert!(graph.signatures().all(|(_, s)| !s.verification.trusted));
    // The bundle's own key still shows its signature valid.
    let known = signature(&graph, "known-stranger.tar.gz.minisig");
    assert!(known.verification.verified);
}

#[test]
fn a_public_key_in_the_bundle_is_never_trusted() {
    let Some(s) = setup() else { return };
    // Even the trusted key, when it sits in the bundle, only shows validity.
    std::fs::copy(&s.trusted_pub, s.bundle.join("minisign.pub")).unwrap();
    let graph = ingest(&s.bundle, &[]);
    let good = signature(&graph, "good.tar.gz.minisig");
    assert_eq!(good.verification.outcome, Outcome::UntrustedKey);
    assert!(good.verification.verified && !good.verification.trusted);
}

#[test]
fn a_trust_input_that_is_not_a_key_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let bogus = write(tmp.path(), "notes.txt", b"hello\n");
    let err = KeyStore::load(&[bogus]).unwrap_err();
    assert!(err.to_string().contains("not a public key file"), "{err}");
    let broken = write(
        tmp.path(),
        "broken.pub",
        b"untrusted comment: minisign public key 0000\nRWQ!!!\n",
    );
    let err = KeyStore::load(&[broken]).unwrap_err();
    assert!(err.to_string().contains("not base64"), "{err}");
}
