//! cosign key-pair signatures end to end: fixtures made by openssl exactly as
//! `cosign sign-blob --key` writes them (`tests/fixtures/signatures/cosign/make.sh`) are put
//! in a bundle, ingested with a trust set of PEM public keys, and the signature nodes are
//! checked.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use crate::common;
use crate::signature_common;

use signature_common::{Fixtures, outcome, reason};

use std::path::Path;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use vouch_engine::signatures::{Outcome, SignatureFormat};
use vouch_engine::{FindingCode, IngestOptions, KeyStore, NoProgress};

/// Every key type: signature and public key fixture names.
const KINDS: &[&str] = &["p256", "p384", "ed25519", "rsa"];

const FX: Fixtures = Fixtures {
    subdir: "cosign",
    format: SignatureFormat::Cosign,
};

/// The key id of a PEM fixture: sha256 of its DER, as `openssl pkey -pubin -outform DER`.
fn key_id(pubkey: &str) -> String {
    let store = KeyStore::load(&[FX.dir().join(pubkey)]).unwrap();
    store.pem().next().unwrap().1.key_id()
}

#[test]
fn every_key_type_verifies_with_its_pem_key() {
    for kind in KINDS {
        let s = FX.verify(
            FX.fixture(&format!("{kind}.sig")),
            &["other-p256.pub", &format!("{kind}.pub")],
        );
        assert_eq!(
            outcome(&s),
            (Outcome::Verified, true, true),
            "{kind}: {s:#?}"
        );
        assert_eq!(
            s.verification.key_id,
            Some(key_id(&format!("{kind}.pub"))),
            "{kind}"
        );
        assert_eq!(s.signed.as_deref(), Some("widget.tar.gz"));
    }
}

#[test]
fn key_ids_are_the_sha256_of_the_der_key() {
    if !common::have("openssl", "key_ids_are_the_sha256_of_the_der_key") {
        return;
    }
    let der = common::run(
        &FX.dir(),
        "openssl",
        &["pkey", "-pubin", "-in", "p256.pub", "-outform", "DER"],
    );
    assert_eq!(
        key_id("p256.pub"),
        vouch_engine::Sha256Digest::of(&der).to_hex()
    );
}

#[test]
fn valid_but_not_trusted() {
    // The key is in the bundle: valid, never trusted.
    for kind in KINDS {
        let dir = FX.bundle(&[
            ("widget.tar.gz.sig", FX.fixture(&format!("{kind}.sig"))),
            ("cosign.pub", FX.fixture(&format!("{kind}.pub"))),
        ]);
        let s = FX.only_signature(&FX.ingest(dir.path(), &["other-p256.pub"]));
        assert_eq!(outcome(&s), (Outcome::UntrustedKey, true, false), "{kind}");
        assert!(
            reason(&s).contains("only in the bundle (cosign.pub)"),
            "{}",
            reason(&s)
        );
        assert_eq!(s.verification.key_id, Some(key_id(&format!("{kind}.pub"))));
    }
    // No key of the trust set fits and none is in the bundle.
    let s = FX.verify(FX.fixture("ed25519.sig"), &["rsa.pub"]);
    assert_eq!(outcome(&s), (Outcome::UntrustedKey, false, false));
    assert_eq!(
        reason(&s),
        "no Ed25519 or ECDSA P-256 key in the trust set to check it with (it has rsa)"
    );
}

#[test]
fn another_key_of_the_same_algorithm_is_a_bad_signature() {
    // cosign signatures do not name their key: a P-256 signature that no trusted P-256 key
    // verifies is reported against the trust set.
    let s = FX.verify(FX.fixture("p256.sig"), &["other-p256.pub"]);
    assert_eq!(outcome(&s), (Outcome::BadSignature, false, false));
    assert!(reason(&s).contains("another key made it"), "{}", reason(&s));
    assert_eq!(s.verification.key_id, Some(key_id("other-p256.pub")));
}

#[test]
fn a_tampered_artifact_is_a_bad_signature() {
    let mut artifact = FX.fixture("widget.tar.gz");
    artifact[0] ^= 0x01;
    for kind in KINDS {
        let dir = FX.bundle(&[("widget.tar.gz.sig", FX.fixture(&format!("{kind}.sig")))]);
        common::write(dir.path(), "widget.tar.gz", &artifact);
        let s = FX.only_signature(&FX.ingest(dir.path(), &[&format!("{kind}.pub")]));
        assert_eq!(outcome(&s), (Outcome::BadSignature, false, false), "{kind}");
        assert!(
            reason(&s).contains("`widget.tar.gz` or the signature was altered"),
            "{}",
            reason(&s)
        );
    }
}

#[test]
fn a_tampered_signature_is_a_bad_signature_or_malformed() {
    for kind in KINDS {
        let text = String::from_utf8(FX.fixture(&format!("{kind}.sig"))).unwrap();
        let mut bytes = STANDARD.decode(text.trim()).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x01;
        let s = FX.verify(
            STANDARD.encode(bytes).into_bytes(),
            &[&format!("{kind}.pub")],
        );
        assert_eq!(outcome(&s), (Outcome::BadSignature, false, false), "{kind}");
    }
    // A DER signature cut short is no signature at all.
    let text = String::from_utf8(FX.fixture("p256.sig")).unwrap();
    let bytes = STANDARD.decode(text.trim()).unwrap();
    let cut = STANDARD.encode(&bytes[..bytes.len() - 5]).into_bytes();
    let dir = FX.bundle(&[("widget.tar.gz.sig", cut)]);
    let graph = FX.ingest(dir.path(), &["p256.pub"]);
    assert!(
        graph.signatures().all(|(_, s)| !s.verification.verified),
        "{:#?}",
        graph.signatures().collect::<Vec<_>>()
    );
}

#[test]
fn mismatched_algorithms_are_reasons_not_panics() {
    // A P-256 (DER) signature against an Ed25519 trust set, and the reverse.
    let s = FX.verify(FX.fixture("p256.sig"), &["ed25519.pub"]);
    assert_eq!(outcome(&s), (Outcome::UntrustedKey, false, false));
    assert_eq!(
        reason(&s),
        "no ECDSA P-256 or P-384 key in the trust set to check it with (it has ed25519)"
    );
    // 64 bytes fit Ed25519 and P-256 r||s: the P-256 key is tried and fails.
    let s = FX.verify(FX.fixture("ed25519.sig"), &["p256.pub"]);
    assert_eq!(outcome(&s), (Outcome::BadSignature, false, false));
    // An RSA signature against every other key type.
    let s = FX.verify(
        FX.fixture("rsa.sig"),
        &["p256.pub", "p384.pub", "ed25519.pub"],
    );
    assert_eq!(outcome(&s), (Outcome::UntrustedKey, false, false));
    // An empty trust set.
    let s = FX.verify(FX.fixture("p256.sig"), &[]);
    assert_eq!(outcome(&s), (Outcome::UntrustedKey, false, false));
    assert_eq!(
        reason(&s),
        "no public key in the trust set; it needs an ECDSA P-256 or P-384 key"
    );
}

#[test]
fn garbage_is_malformed_with_a_finding() {
    for (bytes, why) in [
        (&b"this is not base64 !!\n"[..], "not base64"),
        (b"QUJD\n", "3 bytes are neither"),
        (b"", "the file is empty"),
        (b"MEUC\nMEUC\n", "more than one line"),
    ] {
        let dir = FX.bundle(&[("widget.tar.gz.sig", bytes.to_vec())]);
        let graph = FX.ingest(dir.path(), &["p256.pub"]);
        let s = FX.only_signature(&graph);
        assert_eq!(outcome(&s), (Outcome::Malformed, false, false));
        assert!(reason(&s).contains(why), "{why}: {}", reason(&s));
        assert!(
            graph
                .findings()
                .iter()
                .any(|f| f.code == FindingCode::SignatureMalformed),
            "{:#?}",
            graph.findings()
        );
    }
}

#[test]
fn a_huge_signature_file_is_not_parsed() {
    let dir = FX.bundle(&[]);
    signature_common::write_huge(&dir.path().join("widget.tar.gz.sig"), b"");
    let graph = FX.ingest(dir.path(), &["p256.pub"]);
    signature_common::assert_refused_as_too_large(&graph, "widget.tar.gz.sig");
}

#[test]
fn ssh_and_cosign_signatures_are_told_apart() {
    let ssh = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/signatures/ssh");
    let dir = FX.bundle(&[
        ("widget.tar.gz.sig", FX.fixture("p256.sig")),
        ("copy.tar.gz", FX.fixture("widget.tar.gz")),
        (
            "copy.tar.gz.sig",
            std::fs::read(ssh.join("ed25519.sig")).unwrap(),
        ),
    ]);
    let graph = FX.ingest(dir.path(), &["p256.pub"]);
    let formats: Vec<(String, SignatureFormat)> = graph
        .signatures()
        .map(|(_, s)| (s.source.path.clone(), s.format))
        .collect();
    assert_eq!(
        formats,
        [
            ("copy.tar.gz.sig".to_owned(), SignatureFormat::Ssh),
            ("widget.tar.gz.sig".to_owned(), SignatureFormat::Cosign),
        ]
    );
}

#[test]
fn an_ed25519_signature_over_a_large_file_is_streamed_into_memory_once() {
    // A 3 MiB file (more than one read buffer), signed in the test with openssl.
    if !common::have("openssl", "an_ed25519_signature_over_a_large_file") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let data: Vec<u8> = (0..3 * 1024 * 1024)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect();
    common::write(dir.path(), "big.bin", &data);
    let keys = tempfile::tempdir().unwrap();
    common::run(
        keys.path(),
        "openssl",
        &["genpkey", "-algorithm", "ed25519", "-out", "k.pem"],
    );
    common::run(
        keys.path(),
        "openssl",
        &["pkey", "-in", "k.pem", "-pubout", "-out", "k.pub"],
    );
    let big = dir.path().join("big.bin");
    let sig = common::run(
        keys.path(),
        "openssl",
        &[
            "pkeyutl",
            "-sign",
            "-rawin",
            "-inkey",
            "k.pem",
            "-in",
            big.to_str().unwrap(),
        ],
    );
    common::write(dir.path(), "big.bin.sig", STANDARD.encode(sig).as_bytes());
    let options = IngestOptions {
        threads: Some(1),
        trust: Arc::new(KeyStore::load(&[keys.path().join("k.pub")]).unwrap()),
        as_of: None,
    };
    let graph = vouch_engine::ingest(dir.path(), &options, &NoProgress).unwrap();
    let s = FX.only_signature(&graph);
    assert_eq!(outcome(&s), (Outcome::Verified, true, true), "{s:#?}");
}
