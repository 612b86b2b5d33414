//! OpenPGP signatures end to end: fixtures made by GnuPG (`fixtures/signatures/openpgp`,
//! see its `make.sh`), ingested with a trust set and verified. The real corpus, keys made
//! by `pgp` itself and big keyrings are in `signatures_openpgp_more.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use crate::common;
use crate::openpgp_common;

use common::{has_code, write};
use openpgp_common::*;
use vouch_engine::FindingCode;
use vouch_engine::signatures::Outcome;
use vouch_engine::trust::KeyStore;

#[test]
fn every_key_type_verifies_when_trusted() {
    for kind in KINDS {
        let dir = bundle(&signed_by(kind));
        let graph = ingest_trusting(dir.path(), trust(&[&format!("{kind}.pub.asc")]), at(LATER));
        let (fp, _) = fingerprints(&format!("{kind}.pub.asc"));
        let sigs = openpgp(&graph);
        let files: Vec<(&str, Option<&str>)> = sigs
            .iter()
            .map(|(p, s, _)| (p.as_str(), s.as_deref()))
            .collect();
        assert_eq!(
            files,
            [
                ("security.txt", Some("security.txt")),
                ("widget.txt.asc", Some("widget.txt")),
                ("widget.txt.sig", Some("widget.txt")),
            ],
            "{kind}"
        );
        for (path, _, v) in &sigs {
            assert_eq!(v.outcome, Outcome::Verified, "{kind} {path}: {v:?}");
            assert!(v.verified && v.trusted, "{kind} {path}");
            assert_eq!(v.key_id.as_deref(), Some(fp.as_str()), "{kind} {path}");
            assert_eq!(
                v.signer.as_deref(),
                Some(format!("vouch test {kind} <{kind}@example.org>").as_str())
            );
            assert_eq!(v.signed_at, at("2020-06-01T00:00:00Z"), "{kind} {path}");
        }
        assert!(!has_code(&graph, FindingCode::SignatureMalformed), "{kind}");
        // The signature files are OpenPGP evidence; security.txt is not a signature file.
        let kinds: Vec<_> = graph
            .files_of_kind(vouch_engine::formats::EvidenceKind::OpenPgpSignature)
            .map(|(_, f)| f.path.clone())
            .collect();
        assert_eq!(kinds, ["widget.txt.asc", "widget.txt.sig"], "{kind}");
    }
}

#[test]
fn a_binary_keyring_trusts_every_key_in_it() {
    for kind in KINDS {
        let dir = bundle(&signed_by(kind));
        let graph = ingest_trusting(dir.path(), trust(&["keyring.gpg"]), at(LATER));
        assert!(
            openpgp(&graph)
                .iter()
                .all(|(_, _, v)| v.outcome == Outcome::Verified),
            "{kind}: {:?}",
            outcomes(&graph)
        );
    }
}

#[test]
fn a_key_outside_the_trust_set_is_untrusted() {
    for (kind, other) in [
        ("ed25519", "rsa3072"),
        ("rsa3072", "nistp256"),
        ("nistp256", "ed25519"),
    ] {
        let dir = bundle(&signed_by(kind));
        let graph = ingest_trusting(dir.path(), trust(&[&format!("{other}.pub.asc")]), at(LATER));
        let (fp, _) = fingerprints(&format!("{kind}.pub.asc"));
        for (path, _, v) in openpgp(&graph) {
            assert_eq!(v.outcome, Outcome::UntrustedKey, "{kind} {path}");
            assert!(!v.verified && !v.trusted, "{kind} {path}");
            // gpg names the issuer by fingerprint.
            let reason = v.reason.unwrap();
            assert!(reason.contains(&fp), "{reason}");
            assert_eq!(v.key_id.as_deref(), Some(fp.as_str()));
        }
    }
}

#[test]
fn a_key_in_the_bundle_shows_a_signature_valid_never_trusted() {
    for kind in KINDS {
        let mut files = signed_by(kind);
        files.push(("keys/signer.asc", read(&format!("{kind}.pub.asc"))));
        let dir = bundle(&files);
        let graph = ingest_trusting(dir.path(), KeyStore::new(), at(LATER));
        for (path, _, v) in openpgp(&graph) {
            assert_eq!(v.outcome, Outcome::UntrustedKey, "{kind} {path}");
            assert!(v.verified && !v.trusted, "{kind} {path}");
            assert!(
                v.reason
                    .unwrap()
                    .contains("only in the bundle (keys/signer.asc)")
            );
        }
    }
}

#[test]
fn a_tampered_artifact_is_a_bad_signature() {
    for kind in KINDS {
        let mut files = signed_by(kind);
        let widget = &mut files[0].1;
        widget[3] ^= 0x01;
        let dir = bundle(&files);
        let graph = ingest_trusting(dir.path(), trust(&[&format!("{kind}.pub.asc")]), at(LATER));
        assert_eq!(
            outcomes(&graph),
            [
                ("security.txt".to_owned(), Outcome::Verified),
                ("widget.txt.asc".to_owned(), Outcome::BadSignature),
                ("widget.txt.sig".to_owned(), Outcome::BadSignature),
            ],
            "{kind}"
        );
        let (_, _, v) = &openpgp(&graph)[1];
        assert!(!v.verified && !v.trusted);
        let reason = v.reason.as_deref().unwrap();
        assert!(
            reason.contains("does not match `widget.txt`"),
            "{kind}: {reason}"
        );
    }
}

#[test]
fn a_tampered_signature_is_a_bad_signature() {
    for kind in KINDS {
        let mut sig = read(&format!("{kind}/widget.txt.sig"));
        let last = sig.len() - 1;
        sig[last] ^= 0x01;
        // In the armor, change a character of the last base64 line (the signature value).
        let armored = String::from_utf8(read(&format!("{kind}/widget.txt.asc"))).unwrap();
        let mut lines: Vec<String> = armored.lines().map(str::to_owned).collect();
        let value_line = lines.iter().rposition(|l| l.starts_with('=')).unwrap() - 1;
        let first = lines[value_line].remove(0);
        lines[value_line].insert(0, if first == 'A' { 'B' } else { 'A' });
        let dir = bundle(&[
            ("widget.txt", read("widget.txt")),
            ("widget.txt.sig", sig),
            ("widget.txt.asc", (lines.join("\n") + "\n").into_bytes()),
        ]);
        let graph = ingest_trusting(dir.path(), trust(&[&format!("{kind}.pub.asc")]), at(LATER));
        for (path, _, v) in openpgp(&graph) {
            assert_eq!(v.outcome, Outcome::BadSignature, "{kind} {path}: {v:?}");
            assert!(!v.verified, "{kind} {path}");
        }
    }
}

#[test]
fn an_expired_key_is_judged_at_as_of() {
    let files = signed_by("expired");
    let dir = bundle(&files);
    // After the key expired: valid, but not trusted.
    let graph = ingest_trusting(dir.path(), trust(&["expired.pub.asc"]), at(LATER));
    let (fp, _) = fingerprints("expired.pub.asc");
    for (path, _, v) in openpgp(&graph) {
        assert_eq!(v.outcome, Outcome::ExpiredKey, "{path}: {v:?}");
        assert!(v.verified && !v.trusted, "{path}");
        let reason = v.reason.unwrap();
        assert!(
            reason.contains(&format!("key {fp} expired on 2020-12-31")),
            "{reason}"
        );
    }
    // While it was valid, and with no as_of (judged when it signed): verified.
    for as_of in [at("2020-07-01T00:00:00Z"), None] {
        let graph = ingest_trusting(dir.path(), trust(&["expired.pub.asc"]), as_of);
        assert!(
            openpgp(&graph)
                .iter()
                .all(|(_, _, v)| v.outcome == Outcome::Verified),
            "{as_of:?}: {:?}",
            outcomes(&graph)
        );
    }
}

#[test]
fn a_signature_made_after_the_key_expired_is_not_trusted() {
    let dir = bundle(&signed_by("late"));
    for as_of in [None, at(LATER)] {
        let graph = ingest_trusting(dir.path(), trust(&["late.pub.asc"]), as_of);
        for (path, _, v) in openpgp(&graph) {
            assert_eq!(v.outcome, Outcome::ExpiredKey, "{path}: {v:?}");
            assert!(v.verified && !v.trusted);
            let reason = v.reason.unwrap();
            assert!(reason.contains("expired on 2021-06-01"), "{reason}");
        }
    }
    let graph = ingest_trusting(dir.path(), trust(&["late.pub.asc"]), None);
    let reason = openpgp(&graph)[0].2.reason.clone().unwrap();
    assert!(
        reason.starts_with("the signature was made on 2022-01-01T00:00:00Z, after key"),
        "{reason}"
    );
}

#[test]
fn a_revoked_key_is_not_trusted() {
    let dir = bundle(&signed_by("revoked"));
    for as_of in [None, at(LATER)] {
        let graph = ingest_trusting(dir.path(), trust(&["revoked.pub.asc"]), as_of);
        for (path, _, v) in openpgp(&graph) {
            assert_eq!(v.outcome, Outcome::ExpiredKey, "{path}: {v:?}");
            assert!(v.verified && !v.trusted);
            let reason = v.reason.unwrap();
            assert!(reason.contains("was revoked on 2020-01-01"), "{reason}");
            assert!(reason.contains("no reason given"), "{reason}");
        }
    }
}

#[test]
fn a_signing_subkey_verifies_for_its_primary_key() {
    let dir = bundle(&signed_by("subkey"));
    let graph = ingest_trusting(dir.path(), trust(&["subkey.pub.asc"]), at(LATER));
    let (primary, subkeys) = fingerprints("subkey.pub.asc");
    assert_eq!(subkeys.len(), 1);
    for (path, _, v) in openpgp(&graph) {
        assert_eq!(v.outcome, Outcome::Verified, "{path}: {v:?}");
        assert_eq!(v.key_id.as_deref(), Some(subkeys[0].as_str()));
        assert_ne!(v.key_id.as_deref(), Some(primary.as_str()));
        assert_eq!(
            v.signer.as_deref(),
            Some("vouch test subkey <subkey@example.org>")
        );
    }
}

#[test]
fn one_file_may_hold_several_signatures() {
    let files = [
        ("widget.txt", read("widget.txt")),
        ("widget.txt.asc", read("two/widget.txt.asc")),
    ];
    let dir = bundle(&files);
    let graph = ingest_trusting(dir.path(), trust(&["ed25519.pub.asc"]), at(LATER));
    let sigs = openpgp(&graph);
    assert_eq!(sigs.len(), 2);
    assert_eq!(sigs[0].2.outcome, Outcome::Verified);
    assert_eq!(sigs[1].2.outcome, Outcome::UntrustedKey);
    assert!(!sigs[1].2.verified);
    let graph = ingest_trusting(
        dir.path(),
        trust(&["ed25519.pub.asc", "rsa3072.pub.asc"]),
        at(LATER),
    );
    assert!(
        openpgp(&graph)
            .iter()
            .all(|(_, _, v)| v.outcome == Outcome::Verified)
    );
}

#[test]
fn concatenated_armor_blocks_are_all_read() {
    let mut both = read("ed25519/widget.txt.asc");
    both.extend(read("nistp256/widget.txt.asc"));
    let dir = bundle(&[("widget.txt", read("widget.txt")), ("widget.txt.asc", both)]);
    let graph = ingest_trusting(dir.path(), trust(&["keyring.gpg"]), at(LATER));
    assert_eq!(
        outcomes(&graph),
        [
            ("widget.txt.asc".to_owned(), Outcome::Verified),
            ("widget.txt.asc".to_owned(), Outcome::Verified),
        ]
    );
}

#[test]
fn a_text_mode_signature_ignores_line_endings() {
    let crlf = String::from_utf8(read("widget.txt"))
        .unwrap()
        .replace('\n', "\r\n")
        .into_bytes();
    for (content, expected) in [
        (read("widget.txt"), Outcome::Verified),
        (crlf, Outcome::Verified),
        (b"widget 2.4.2\n".to_vec(), Outcome::BadSignature),
    ] {
        let dir = bundle(&[
            ("widget.txt", content),
            ("widget.txt.asc", read("ed25519/widget.txt.text.asc")),
        ]);
        let graph = ingest_trusting(dir.path(), trust(&["ed25519.pub.asc"]), at(LATER));
        assert_eq!(outcomes(&graph), [("widget.txt.asc".to_owned(), expected)]);
    }
}

#[test]
fn a_cleartext_signed_file_verifies_itself() {
    for kind in KINDS {
        let signed = String::from_utf8(read(&format!("{kind}/security.txt"))).unwrap();
        // Trailing whitespace and line endings are not signed; the text is.
        let reformatted = signed.replace("Preferred-Languages: en   ", "Preferred-Languages: en");
        let reformatted = reformatted.replace('\n', "\r\n");
        let tampered = signed.replace("security@", "security-team@");
        let unsigned_tail = format!("{signed}Contact: mailto:attacker@example.net\n");
        for (content, expected) in [
            (signed.clone(), Outcome::Verified),
            (reformatted, Outcome::Verified),
            (tampered, Outcome::BadSignature),
            (unsigned_tail, Outcome::Malformed),
        ] {
            let dir = bundle(&[("security.txt", content.into_bytes())]);
            let graph =
                ingest_trusting(dir.path(), trust(&[&format!("{kind}.pub.asc")]), at(LATER));
            assert_eq!(
                outcomes(&graph),
                [("security.txt".to_owned(), expected)],
                "{kind}"
            );
            assert_eq!(
                has_code(&graph, FindingCode::SignatureMalformed),
                expected == Outcome::Malformed
            );
        }
    }
}

#[test]
fn mismatched_algorithms_are_a_bad_signature() {
    // An RSA signature rewritten to name the Ed25519 key as its issuer.
    let (rsa, _) = fingerprints("rsa3072.pub.asc");
    let (ed, _) = fingerprints("ed25519.pub.asc");
    let hex = |s: &str| -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    };
    let (rsa, ed) = (hex(&rsa), hex(&ed));
    let mut sig = read("rsa3072/widget.txt.sig");
    for (from, to) in [(&rsa[..], &ed[..]), (&rsa[12..], &ed[12..])] {
        let at = sig.windows(from.len()).position(|w| w == from).unwrap();
        sig[at..at + from.len()].copy_from_slice(to);
    }
    let dir = bundle(&[("widget.txt", read("widget.txt")), ("widget.txt.sig", sig)]);
    let graph = ingest_trusting(dir.path(), trust(&["ed25519.pub.asc"]), at(LATER));
    let (_, _, v) = &openpgp(&graph)[0];
    assert_eq!(v.outcome, Outcome::BadSignature, "{v:?}");
    let reason = v.reason.as_deref().unwrap();
    assert!(
        reason.contains("the signature is rsa but the key is eddsa"),
        "{reason}"
    );
}

#[test]
fn broken_signature_files_are_findings_not_panics() {
    let asc = String::from_utf8(read("ed25519/widget.txt.asc")).unwrap();
    let truncated = asc.lines().take(3).collect::<Vec<_>>().join("\n");
    let garbage = asc.replacen("iHUE", "i*U!", 1);
    let sig = read("ed25519/widget.txt.sig");
    let dir = bundle(&[
        ("a.txt", b"a".to_vec()),
        ("a.txt.asc", truncated.into_bytes()),
        ("b.txt", b"b".to_vec()),
        ("b.txt.asc", garbage.into_bytes()),
        ("c.txt", b"c".to_vec()),
        ("c.txt.sig", sig[..sig.len() - 10].to_vec()),
        ("d.txt", b"d".to_vec()),
        (
            "d.txt.asc",
            b"<html><body>404 Not Found</body></html>\n".to_vec(),
        ),
    ]);
    let graph = ingest_trusting(dir.path(), trust(&["ed25519.pub.asc"]), at(LATER));
    let sigs = openpgp(&graph);
    assert_eq!(sigs.len(), 4);
    for (path, _, v) in &sigs {
        assert_eq!(v.outcome, Outcome::Malformed, "{path}: {v:?}");
    }
    let reasons: Vec<&str> = sigs
        .iter()
        .map(|(_, _, v)| v.reason.as_deref().unwrap())
        .collect();
    assert!(reasons[0].contains("truncated"), "{}", reasons[0]);
    assert!(reasons[1].contains("not base64"), "{}", reasons[1]);
    assert!(reasons[2].contains("truncated"), "{}", reasons[2]);
    assert!(reasons[3].contains("no `-----BEGIN PGP SIGNATURE-----`"));
    let malformed = graph
        .findings()
        .iter()
        .filter(|f| f.code == FindingCode::SignatureMalformed)
        .count();
    assert_eq!(malformed, 4);
}

#[test]
fn a_huge_signature_file_is_not_parsed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "big.bin", b"x");
    let path = write(
        dir.path(),
        "big.bin.asc",
        b"-----BEGIN PGP SIGNATURE-----\n\n",
    );
    // 50 MB, sparse where the file system allows it; deleted with the directory.
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(50 * 1024 * 1024)
        .unwrap();
    let graph = ingest_trusting(dir.path(), KeyStore::new(), at(LATER));
    let too_large: Vec<_> = graph
        .findings()
        .iter()
        .filter(|f| f.code == FindingCode::TooLargeToParse)
        .collect();
    assert_eq!(too_large.len(), 1, "{:?}", graph.findings());
    assert!(too_large[0].message.contains("openpgp-signature"));
    assert!(openpgp(&graph).is_empty());
}

#[test]
fn bad_trust_inputs_stop_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let broken = write(
        dir.path(),
        "broken.asc",
        b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZtsQ\n",
    );
    let err = KeyStore::load(&[broken]).unwrap_err().to_string();
    assert!(err.contains("truncated"), "{err}");
    let signature = write(dir.path(), "sig.asc", &read("ed25519/widget.txt.asc"));
    assert!(KeyStore::load(&[signature]).is_err());
}
