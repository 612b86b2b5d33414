//! SSH signatures (`ssh-keygen -Y sign`) end to end: fixtures made by ssh-keygen
//! (`tests/fixtures/signatures/ssh/make.sh`) are put in a bundle, ingested with a trust set
//! of `allowed_signers` files, and the signature nodes are checked.
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

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use vouch_engine::signatures::{Outcome, SignatureFormat};
use vouch_engine::{FindingCode, IngestOptions, KeyStore, NoProgress};

const KINDS: &[&str] = &["ed25519", "ecdsa", "rsa"];

const FX: Fixtures = Fixtures {
    subdir: "ssh",
    format: SignatureFormat::Ssh,
};

/// `SHA256:...` of a `.pub` fixture as ssh-keygen prints it, when ssh-keygen is here.
fn keygen_fingerprint(pubkey: &str) -> Option<String> {
    if !common::have("ssh-keygen", "fingerprint comparison") {
        return None;
    }
    let out = std::process::Command::new("ssh-keygen")
        .arg("-l")
        .arg("-E")
        .arg("sha256")
        .arg("-f")
        .arg(FX.dir().join(pubkey))
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    text.split_whitespace().nth(1).map(str::to_owned)
}

/// The armored signature with one byte of its blob changed (`from_end` bytes before the
/// end: 1 is the last byte of the signature itself).
fn tamper_signature(armored: &[u8], from_end: usize) -> Vec<u8> {
    let text = std::str::from_utf8(armored).unwrap();
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    let mut blob = STANDARD.decode(body).unwrap();
    let at = blob.len() - from_end;
    blob[at] ^= 0x01;
    let encoded = STANDARD.encode(blob);
    let mut out = String::from("-----BEGIN SSH SIGNATURE-----\n");
    for chunk in encoded.as_bytes().chunks(70) {
        out.push_str(std::str::from_utf8(chunk).unwrap());
        out.push('\n');
    }
    out.push_str("-----END SSH SIGNATURE-----\n");
    out.into_bytes()
}

#[test]
fn every_key_type_verifies_with_allowed_signers() {
    for (sig, principal, pubkey) in [
        ("ed25519.sig", "release@widget.example", "ed25519.pub"),
        (
            "ed25519-sha256.sig",
            "release@widget.example",
            "ed25519.pub",
        ),
        ("ecdsa.sig", "ecdsa@widget.example", "ecdsa.pub"),
        (
            "rsa.sig",
            "rsa@widget.example,ops@widget.example",
            "rsa.pub",
        ),
    ] {
        let s = FX.verify(FX.fixture(sig), &["allowed_signers"]);
        assert_eq!(
            outcome(&s),
            (Outcome::Verified, true, true),
            "{sig}: {s:#?}"
        );
        assert_eq!(s.verification.signer.as_deref(), Some(principal), "{sig}");
        assert_eq!(s.signed.as_deref(), Some("widget.tar.gz"));
        let key_id = s.verification.key_id.clone().unwrap();
        assert!(key_id.starts_with("SHA256:"), "{key_id}");
        if let Some(expected) = keygen_fingerprint(pubkey) {
            assert_eq!(key_id, expected, "{sig}");
        }
    }
}

#[test]
fn a_bare_public_key_is_trusted_too() {
    let s = FX.verify(FX.fixture("ed25519.sig"), &["ed25519.pub"]);
    assert_eq!(outcome(&s), (Outcome::Verified, true, true), "{s:#?}");
    assert_eq!(
        s.verification.signer.as_deref(),
        Some("release@widget.example")
    );
}

#[test]
fn valid_but_not_trusted() {
    for kind in KINDS {
        let s = FX.verify(
            FX.fixture(&format!("{kind}.sig")),
            &["allowed_signers.other"],
        );
        assert_eq!(outcome(&s), (Outcome::UntrustedKey, true, false), "{kind}");
        assert!(
            reason(&s).contains("not in the trust set"),
            "{}",
            reason(&s)
        );
    }
    // The key in the bundle shows the signature valid, never trusted.
    let dir = FX.bundle(&[
        ("widget.tar.gz.sig", FX.fixture("ed25519.sig")),
        ("keys/allowed_signers", FX.fixture("allowed_signers")),
    ]);
    let s = FX.only_signature(&FX.ingest(dir.path(), &["allowed_signers.other"]));
    assert_eq!(outcome(&s), (Outcome::UntrustedKey, true, false));
    assert!(
        reason(&s).contains("only in the bundle (keys/allowed_signers:2)"),
        "{}",
        reason(&s)
    );
    assert_eq!(
        s.verification.signer.as_deref(),
        Some("release@widget.example")
    );
}

#[test]
fn a_tampered_artifact_is_a_bad_signature() {
    let mut artifact = FX.fixture("widget.tar.gz");
    artifact[3] ^= 0x20;
    for sig in ["ed25519.sig", "ed25519-sha256.sig", "ecdsa.sig", "rsa.sig"] {
        let dir = FX.bundle(&[("widget.tar.gz.sig", FX.fixture(sig))]);
        common::write(dir.path(), "widget.tar.gz", &artifact);
        let s = FX.only_signature(&FX.ingest(dir.path(), &["allowed_signers"]));
        assert_eq!(outcome(&s), (Outcome::BadSignature, false, false), "{sig}");
        assert!(
            reason(&s).contains("does not match `widget.tar.gz`"),
            "{}",
            reason(&s)
        );
    }
}

#[test]
fn a_tampered_signature_is_a_bad_signature_or_malformed() {
    for kind in KINDS {
        let tampered = tamper_signature(&FX.fixture(&format!("{kind}.sig")), 1);
        let s = FX.verify(tampered, &["allowed_signers"]);
        assert!(
            matches!(
                s.verification.outcome,
                Outcome::BadSignature | Outcome::Malformed
            ),
            "{kind}: {s:#?}"
        );
        assert!(!s.verification.verified && !s.verification.trusted);
    }
    // A byte of the Ed25519 signature value: decodes fine, verifies not.
    let s = FX.verify(
        tamper_signature(&FX.fixture("ed25519.sig"), 10),
        &["allowed_signers"],
    );
    assert_eq!(outcome(&s), (Outcome::BadSignature, false, false), "{s:#?}");
}

#[test]
fn expired_and_not_yet_valid_keys() {
    let s = FX.verify(FX.fixture("ed25519.sig"), &["allowed_signers.expired"]);
    assert_eq!(outcome(&s), (Outcome::ExpiredKey, true, false), "{s:#?}");
    assert!(
        reason(&s).contains("expired at 2020-01-01T00:00:00Z"),
        "{}",
        reason(&s)
    );
    let s = FX.verify(FX.fixture("ed25519.sig"), &["allowed_signers.not-yet"]);
    assert_eq!(outcome(&s), (Outcome::ExpiredKey, true, false), "{s:#?}");
    assert!(
        reason(&s).contains("not valid until 2099-01-01T00:00:00Z"),
        "{}",
        reason(&s)
    );
    // A trust set that also has the key without a window trusts it.
    let s = FX.verify(
        FX.fixture("ed25519.sig"),
        &["allowed_signers.expired", "allowed_signers"],
    );
    assert_eq!(outcome(&s), (Outcome::Verified, true, true));
}

#[test]
fn namespaces_are_checked() {
    let s = FX.verify(FX.fixture("ed25519-git.sig"), &["allowed_signers"]);
    assert_eq!(outcome(&s), (Outcome::BadSignature, false, false));
    assert_eq!(reason(&s), "namespace `git`, expected `file`");
    // The key may sign only in `git`: a `file` signature is valid but not trusted.
    let s = FX.verify(FX.fixture("ed25519.sig"), &["allowed_signers.git-only"]);
    assert_eq!(outcome(&s), (Outcome::UntrustedKey, true, false), "{s:#?}");
    assert!(reason(&s).contains("namespaces `git`"), "{}", reason(&s));
}

#[test]
fn certificates_are_recognised_not_verified() {
    let s = FX.verify(FX.fixture("ed25519-cert.sig"), &["allowed_signers.ca"]);
    assert_eq!(outcome(&s), (Outcome::Unsupported, false, false), "{s:#?}");
    assert!(reason(&s).contains("certificate"), "{}", reason(&s));
    // A cert-authority entry does not trust the same key signing directly (as OpenSSH).
    let dir = tempfile::tempdir().unwrap();
    let pubkey = String::from_utf8(FX.fixture("ed25519.pub")).unwrap();
    let ca = common::write(
        dir.path(),
        "allowed_signers",
        format!("*@widget.example cert-authority {pubkey}").as_bytes(),
    );
    let bundle = FX.bundle(&[("widget.tar.gz.sig", FX.fixture("ed25519.sig"))]);
    let options = IngestOptions {
        threads: Some(1),
        trust: Arc::new(KeyStore::load(&[ca]).unwrap()),
        as_of: None,
    };
    let graph = vouch_engine::ingest(bundle.path(), &options, &NoProgress).unwrap();
    let s = FX.only_signature(&graph);
    assert_eq!(outcome(&s), (Outcome::UntrustedKey, true, false), "{s:#?}");
}

#[test]
fn garbage_is_malformed_with_a_finding() {
    for bytes in [
        &b"-----BEGIN SSH SIGNATURE-----\nnot base64!\n-----END SSH SIGNATURE-----\n"[..],
        b"-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n",
        b"-----BEGIN SSH SIGNATURE-----\n",
    ] {
        let dir = FX.bundle(&[("widget.tar.gz.sig", bytes.to_vec())]);
        let graph = FX.ingest(dir.path(), &["allowed_signers"]);
        let s = FX.only_signature(&graph);
        assert_eq!(outcome(&s), (Outcome::Malformed, false, false));
        assert!(
            reason(&s).starts_with("not a valid ssh signature"),
            "{}",
            reason(&s)
        );
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
    signature_common::write_huge(
        &dir.path().join("widget.tar.gz.sig"),
        b"-----BEGIN SSH SIGNATURE-----\n",
    );
    let graph = FX.ingest(dir.path(), &["allowed_signers"]);
    signature_common::assert_refused_as_too_large(&graph, "widget.tar.gz.sig");
}

#[test]
fn a_signature_without_its_file_is_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    common::write(dir.path(), "gone.tar.gz.sig", &FX.fixture("ed25519.sig"));
    let s = FX.only_signature(&FX.ingest(dir.path(), &["allowed_signers"]));
    assert_eq!(outcome(&s), (Outcome::MissingFile, false, false));
}

#[test]
fn allowed_signers_load_into_the_trust_set() {
    let store = KeyStore::load(&[FX.dir().join("allowed_signers")]).unwrap();
    let entries: Vec<(String, Option<String>)> = store
        .ssh()
        .map(|(origin, s)| {
            (
                origin.rsplit('/').next().unwrap().to_owned(),
                s.principals().map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            (
                "allowed_signers:2".to_owned(),
                Some("release@widget.example".to_owned())
            ),
            (
                "allowed_signers:3".to_owned(),
                Some("ecdsa@widget.example".to_owned())
            ),
            (
                "allowed_signers:4".to_owned(),
                Some("rsa@widget.example,ops@widget.example".to_owned())
            ),
        ]
    );
    // A broken allowed_signers file stops the run rather than trusting less.
    let dir = tempfile::tempdir().unwrap();
    let bad = common::write(
        dir.path(),
        "allowed_signers",
        b"a@x valid-before=\"someday\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOKxeeQxgNNXijRTGqKoSYP1hKAUTkDYZTcHzML1kO6e\n",
    );
    let err = KeyStore::load(&[bad]).unwrap_err().to_string();
    assert!(err.contains("line 1"), "{err}");
}
