//! signify (OpenBSD) signatures and public keys made by the real `signify-openbsd` at test
//! time, verified end to end through ingestion: detached `.sig` files, an embedded
//! `SHA256.sig` (a BSD-format checksum file signed with `signify -S -e`, as OpenBSD ships
//! them), public keys given as trust, tampering, wrong and untrusted keys, and broken files.
//! Skipped, with a printed reason, when `signify-openbsd` is not installed (`.ci/run` installs
//! it).
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

use base64::Engine as _;
use common::write;
use vouch_engine::formats::EvidenceKind;
use vouch_engine::graph::{Node, SignatureNode};
use vouch_engine::signatures::{Outcome, SignatureFormat};
use vouch_engine::{EvidenceGraph, FindingCode, IngestOptions, KeyStore, NoProgress};

const SIGNIFY: &str = "signify-openbsd";

fn signify(args: &[&str], dir: &Path) {
    let out = Command::new(SIGNIFY)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{SIGNIFY} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `dir/name.pub` and `dir/name.sec`, no passphrase.
fn keypair(dir: &Path, name: &str) -> PathBuf {
    let public = format!("{name}.pub");
    let secret = format!("{name}.sec");
    signify(&["-G", "-n", "-p", &public, "-s", &secret], dir);
    dir.join(public)
}

fn have_signify() -> bool {
    let ok = Command::new(SIGNIFY).arg("-V").output().is_ok();
    if !ok {
        eprintln!("skipping signify tests: `{SIGNIFY}` is not installed (.ci/run installs it)");
    }
    ok
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
        .unwrap_or_else(|| {
            panic!(
                "no signature from {path}: {:?}",
                graph
                    .signatures()
                    .map(|(_, s)| (&s.source.path, s.format))
                    .collect::<Vec<_>>()
            )
        })
}

fn kind_of(graph: &EvidenceGraph, path: &str) -> Option<EvidenceKind> {
    graph.nodes().find_map(|(_, n)| match n {
        Node::File(f) if f.path == path => f.kind,
        _ => None,
    })
}

/// Replaces the signature line of `sig` with `edit` of its decoded bytes.
fn edit_signature(sig: &Path, edit: impl Fn(&mut Vec<u8>)) {
    let text = std::fs::read_to_string(sig).unwrap();
    let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    let engine = base64::engine::general_purpose::STANDARD;
    let mut raw = engine.decode(&lines[1]).unwrap();
    edit(&mut raw);
    lines[1] = engine.encode(raw);
    std::fs::write(sig, lines.join("\n")).unwrap();
}

struct Setup {
    _tmp: tempfile::TempDir,
    bundle: PathBuf,
    trusted: PathBuf,
}

fn setup() -> Option<Setup> {
    if !have_signify() {
        return None;
    }
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let trusted = keypair(&keys, "trusted");
    let other = keypair(&keys, "other");
    keypair(&keys, "unknown");
    let bundle = tmp.path().join("bundle");
    let names = [
        "good",
        "stranger",
        "known-stranger",
        "tampered",
        "badsig",
        "forged",
    ];
    for name in names {
        write(
            &bundle,
            &format!("{name}.tgz"),
            format!("{name}\n").as_bytes(),
        );
        let secret = match name {
            "stranger" | "forged" => "unknown.sec",
            "known-stranger" => "other.sec",
            _ => "trusted.sec",
        };
        let file = bundle.join(format!("{name}.tgz"));
        let sig = bundle.join(format!("{name}.tgz.sig"));
        signify(
            &[
                "-S",
                "-s",
                secret,
                "-m",
                file.to_str().unwrap(),
                "-x",
                sig.to_str().unwrap(),
            ],
            &keys,
        );
    }
    std::fs::copy(&other, bundle.join("other-signify.pub")).unwrap();
    write(&bundle, "tampered.tgz", b"tampeRed\n");
    // One bit of the Ed25519 signature flipped.
    edit_signature(&bundle.join("badsig.tgz.sig"), |raw| raw[40] ^= 1);
    // Another key's signature that claims the trusted key's number.
    let trusted_text = std::fs::read_to_string(&trusted).unwrap();
    let trusted_raw = base64::engine::general_purpose::STANDARD
        .decode(trusted_text.lines().nth(1).unwrap())
        .unwrap();
    edit_signature(&bundle.join("forged.tgz.sig"), |raw| {
        raw[2..10].copy_from_slice(&trusted_raw[2..10]);
    });
    // A detached signature with a blank line after it is still detached.
    let good_sig = std::fs::read(bundle.join("good.tgz.sig")).unwrap();
    write(&bundle, "blank-line.tgz", b"good\n");
    write(
        &bundle,
        "blank-line.tgz.sig",
        &[good_sig.as_slice(), b"\n"].concat(),
    );
    // Broken files.
    write(&bundle, "truncated.tgz", b"x\n");
    write(
        &bundle,
        "truncated.tgz.sig",
        &good_sig[..good_sig.len() - 30],
    );
    write(&bundle, "comment-only.tgz", b"x\n");
    write(
        &bundle,
        "comment-only.tgz.sig",
        b"untrusted comment: verify with trusted.pub\n",
    );
    // An embedded signature over a BSD checksum file (`sha256sum --tag`), as OpenBSD's
    // SHA256.sig.
    write(&bundle, "dist/base.tgz", b"the base set\n");
    write(&bundle, "dist/comp.tgz", b"the compiler set\n");
    let sums = Command::new("sha256sum")
        .args(["--tag", "base.tgz", "comp.tgz"])
        .current_dir(bundle.join("dist"))
        .output()
        .unwrap();
    assert!(sums.status.success());
    let message = keys.join("SHA256");
    std::fs::write(&message, &sums.stdout).unwrap();
    let embedded = bundle.join("dist/SHA256.sig");
    signify(
        &[
            "-S",
            "-e",
            "-s",
            "trusted.sec",
            "-m",
            message.to_str().unwrap(),
            "-x",
            embedded.to_str().unwrap(),
        ],
        &keys,
    );
    Some(Setup {
        _tmp: tmp,
        bundle,
        trusted,
    })
}

#[test]
fn signify_public_keys_are_trust_inputs() {
    let Some(s) = setup() else { return };
    let store = KeyStore::load(std::slice::from_ref(&s.trusted)).unwrap();
    let described = store.describe();
    assert_eq!(described.len(), 1);
    assert_eq!(described[0].format, "signify");
    assert_eq!(described[0].key_id.len(), 16);
    // A truncated key file is refused, not half-read.
    let text = std::fs::read_to_string(&s.trusted).unwrap();
    let broken = s.bundle.with_file_name("broken.pub");
    std::fs::write(&broken, &text[..text.len() - 20]).unwrap();
    assert!(KeyStore::load(&[broken]).is_err());
}

#[test]
fn detached_signify_signatures_verify_and_fail_as_they_should() {
    let Some(s) = setup() else { return };
    let graph = ingest(&s.bundle, std::slice::from_ref(&s.trusted));
    let cases: &[(&str, Outcome, bool)] = &[
        ("good.tgz.sig", Outcome::Verified, true),
        ("blank-line.tgz.sig", Outcome::Verified, true),
        ("stranger.tgz.sig", Outcome::UntrustedKey, false),
        ("known-stranger.tgz.sig", Outcome::UntrustedKey, true),
        ("tampered.tgz.sig", Outcome::BadSignature, false),
        ("badsig.tgz.sig", Outcome::BadSignature, false),
        ("forged.tgz.sig", Outcome::BadSignature, false),
        ("truncated.tgz.sig", Outcome::Malformed, false),
        ("comment-only.tgz.sig", Outcome::Malformed, false),
    ];
    for (path, outcome, verified) in cases {
        let sig = signature(&graph, path);
        assert_eq!(sig.format, SignatureFormat::Signify, "{path}");
        assert_eq!(sig.verification.outcome, *outcome, "{path}: {sig:?}");
        assert_eq!(sig.verification.verified, *verified, "{path}");
        assert_eq!(
            sig.verification.trusted,
            *outcome == Outcome::Verified,
            "{path}"
        );
        assert_eq!(sig.signed.as_deref(), path.strip_suffix(".sig"), "{path}");
    }
    assert!(
        signature(&graph, "known-stranger.tgz.sig")
            .verification
            .reason
            .as_deref()
            .unwrap()
            .contains("only in the bundle")
    );
    for path in ["truncated.tgz.sig", "comment-only.tgz.sig"] {
        assert!(
            graph
                .findings()
                .iter()
                .any(|f| f.code == FindingCode::SignatureMalformed
                    && f.path.as_deref() == Some(path)
                    && f.message.contains("not a valid signify signature")),
            "{path}: {:?}",
            graph.findings()
        );
    }
    // Without the key in the trust set, the good signature is not trusted.
    let graph = ingest(&s.bundle, &[]);
    let good = signature(&graph, "good.tgz.sig");
    assert_eq!(good.verification.outcome, Outcome::UntrustedKey);
    assert!(!good.verification.trusted);
}

#[test]
fn an_embedded_signature_signs_its_bsd_checksum_file() {
    let Some(s) = setup() else { return };
    let graph = ingest(&s.bundle, std::slice::from_ref(&s.trusted));
    assert_eq!(
        kind_of(&graph, "dist/SHA256.sig"),
        Some(EvidenceKind::Checksums)
    );
    let sig = signature(&graph, "dist/SHA256.sig");
    assert_eq!(sig.format, SignatureFormat::Signify);
    assert_eq!(sig.verification.outcome, Outcome::Verified, "{sig:?}");
    assert_eq!(sig.signed.as_deref(), Some("dist/SHA256.sig"));
    let entries: Vec<_> = graph
        .checksum_entries()
        .filter(|(_, e)| e.source.path == "dist/SHA256.sig")
        .map(|(_, e)| (e.name.clone(), e.status))
        .collect();
    assert_eq!(entries.len(), 2, "{entries:?}: {:?}", graph.findings());
    assert!(
        entries
            .iter()
            .all(|(_, st)| *st == vouch_engine::graph::ChecksumStatus::Match),
        "{entries:?}"
    );
    assert!(
        !graph
            .findings()
            .iter()
            .any(|f| f.path.as_deref() == Some("dist/SHA256.sig")),
        "{:?}",
        graph.findings()
    );

    // The signed message changed after signing: the signature fails.
    let path = s.bundle.join("dist/SHA256.sig");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("comp.tgz", "comp.tar")).unwrap();
    let graph = ingest(&s.bundle, std::slice::from_ref(&s.trusted));
    let sig = signature(&graph, "dist/SHA256.sig");
    assert_eq!(sig.verification.outcome, Outcome::BadSignature, "{sig:?}");
}
