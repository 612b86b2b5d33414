//! More OpenPGP signature tests: the real corpus (`../shared/corpus`, copied into
//! temporary bundles; skipped with a printed reason when absent), keys made by `pgp` itself
//! (v6 and Ed448, which GnuPG 2.2 does not make) and a keyring of thousands of keys.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use crate::common;
use crate::openpgp_common;

use common::{corpus, has_code, write};
use openpgp_common::*;
use vouch_engine::FindingCode;
use vouch_engine::signatures::Outcome;
use vouch_engine::trust::KeyStore;

/// A keyring of thousands of distinct keys: the fixture key packets with other creation
/// times (so other fingerprints), then the real keys.
fn big_keyring(copies: u32) -> Vec<u8> {
    let keyring = read("keyring.gpg");
    // The first packet is a public key: old-format header (tag 6, 2-byte length) or new.
    let (header_len, body_len) = match keyring[0] {
        0x99 => (3, usize::from(u16::from_be_bytes([keyring[1], keyring[2]]))),
        0x98 => (2, usize::from(keyring[1])),
        other => panic!("unexpected first byte {other:#x}"),
    };
    let packet = &keyring[..header_len + body_len];
    let mut out = Vec::with_capacity(packet.len() * copies as usize + keyring.len());
    for i in 0..copies {
        let mut p = packet.to_vec();
        // Body: version (1 byte), then the 4-byte creation time.
        p[header_len + 1..header_len + 5].copy_from_slice(&(1_000_000 + i).to_be_bytes());
        out.extend_from_slice(&p);
    }
    out.extend_from_slice(&keyring);
    out
}

#[test]
fn a_keyring_of_thousands_of_keys_loads_and_looks_up_fast() {
    let dir = tempfile::tempdir().unwrap();
    let ring = write(dir.path(), "big.gpg", &big_keyring(5000));
    let started = std::time::Instant::now();
    let store = KeyStore::load(&[ring]).unwrap();
    let loaded = started.elapsed();
    assert_eq!(store.openpgp().count(), 5000 + 7);
    let files = bundle(&signed_by("rsa3072"));
    let started = std::time::Instant::now();
    let graph = ingest_trusting(files.path(), store, at(LATER));
    let verified = started.elapsed();
    eprintln!("5007 keys: loaded in {loaded:?}, verified in {verified:?}");
    assert!(
        openpgp(&graph)
            .iter()
            .all(|(_, _, v)| v.outcome == Outcome::Verified)
    );
    // Generous bounds: a linear scan with parsing per signature would not meet them.
    assert!(loaded.as_secs() < 60, "{loaded:?}");
    assert!(verified.as_secs() < 30, "{verified:?}");
}

// --- The real corpus (../shared/corpus), copied into temporary bundles. -------------------

fn corpus_file(rel: &str, test: &str) -> Option<Vec<u8>> {
    let Some(corpus) = corpus() else {
        eprintln!("skipping {test}: ../shared/corpus is not present");
        return None;
    };
    Some(std::fs::read(corpus.join(rel)).unwrap())
}

#[test]
fn corpus_csaf_advisory_verifies_with_its_ed25519_key() {
    let test = "corpus_csaf_advisory_verifies_with_its_ed25519_key";
    let (Some(doc), Some(sig), Some(key)) = (
        corpus_file("checksums/avendor-advisory-0004.json", test),
        corpus_file("checksums/avendor-advisory-0004.json.asc", test),
        corpus_file("checksums/gocsaf-testdata-pubkey.asc", test),
    ) else {
        return;
    };
    let dir = bundle(&[
        ("avendor-advisory-0004.json", doc.clone()),
        ("avendor-advisory-0004.json.asc", sig.clone()),
    ]);
    let (_keys, store) = trust_bytes(&[("gocsaf.asc", key)]);
    let graph = ingest_trusting(dir.path(), store, None);
    let sigs = openpgp(&graph);
    assert_eq!(sigs.len(), 1);
    let v = &sigs[0].2;
    assert_eq!(v.outcome, Outcome::Verified, "{v:?}");
    assert_eq!(v.key_id.as_ref().map(String::len), Some(40));
    assert!(v.signer.is_some());
    // Tampered by one byte.
    let mut doc = doc;
    doc[10] ^= 0x20;
    let dir = bundle(&[
        ("avendor-advisory-0004.json", doc),
        ("avendor-advisory-0004.json.asc", sig),
    ]);
    let (_keys, store) = trust_bytes(&[(
        "gocsaf.asc",
        corpus_file("checksums/gocsaf-testdata-pubkey.asc", test).unwrap(),
    )]);
    let graph = ingest_trusting(dir.path(), store, None);
    assert_eq!(openpgp(&graph)[0].2.outcome, Outcome::BadSignature);
}

#[test]
fn corpus_bitcoin_builder_signatures_verify() {
    let test = "corpus_bitcoin_builder_signatures_verify";
    let Some(sums) = corpus_file("checksums/bitcoin-31.1-all.SHA256SUMS", test) else {
        return;
    };
    let name = "bitcoin-31.1-all.SHA256SUMS";
    let hebasto = corpus_file("checksums/bitcoin-31.1-all.SHA256SUMS.hebasto.asc", test).unwrap();
    let marcofleon =
        corpus_file("checksums/bitcoin-31.1-all.SHA256SUMS.marcofleon.asc", test).unwrap();
    let hebasto_key = corpus_file("checksums/guix-builder-key-hebasto.gpg", test).unwrap();
    let marcofleon_key = corpus_file("checksums/guix-builder-key-marcofleon.gpg", test).unwrap();
    // Each signature alone, named by convention, with its builder's key (RSA, EdDSA).
    for (sig, key) in [(&hebasto, &hebasto_key), (&marcofleon, &marcofleon_key)] {
        let dir = bundle(&[(name, sums.clone()), (&format!("{name}.asc"), sig.clone())]);
        let (_keys, store) = trust_bytes(&[("builder.gpg", key.clone())]);
        let graph = ingest_trusting(dir.path(), store, None);
        let sigs = openpgp(&graph);
        assert_eq!(sigs.len(), 1);
        assert_eq!(sigs[0].1.as_deref(), Some(name));
        assert_eq!(sigs[0].2.outcome, Outcome::Verified, "{:?}", sigs[0].2);
    }
    // Both in one file, both keys trusted; then only one.
    let mut both = hebasto.clone();
    both.extend_from_slice(&marcofleon);
    let dir = bundle(&[(name, sums.clone()), (&format!("{name}.asc"), both)]);
    let (_keys, store) = trust_bytes(&[
        ("hebasto.gpg", hebasto_key.clone()),
        ("marcofleon.gpg", marcofleon_key),
    ]);
    let graph = ingest_trusting(dir.path(), store, None);
    let found: Vec<Outcome> = openpgp(&graph).iter().map(|s| s.2.outcome).collect();
    assert_eq!(found, [Outcome::Verified, Outcome::Verified]);
    let (_keys, store) = trust_bytes(&[("hebasto.gpg", hebasto_key)]);
    let graph = ingest_trusting(dir.path(), store, None);
    let found: Vec<(Outcome, bool)> = openpgp(&graph)
        .iter()
        .map(|s| (s.2.outcome, s.2.verified))
        .collect();
    assert_eq!(
        found,
        [(Outcome::Verified, true), (Outcome::UntrustedKey, false)]
    );
}

#[test]
fn corpus_cleartext_signed_files_parse() {
    let test = "corpus_cleartext_signed_files_parse";
    let Some(bwt) = corpus_file("checksums/bwt-0.2.4-SHA256SUMS.asc", test) else {
        return;
    };
    let alma = corpus_file("securitytxt/almalinux.org.security.txt", test).unwrap();
    let graphene = corpus_file("securitytxt/grapheneos.org.security.txt", test).unwrap();
    let dir = bundle(&[
        ("bwt-0.2.4-SHA256SUMS.asc", bwt),
        ("almalinux/security.txt", alma),
        ("grapheneos/security.txt", graphene),
    ]);
    let graph = ingest_trusting(dir.path(), KeyStore::new(), None);
    assert!(
        !has_code(&graph, FindingCode::SignatureMalformed),
        "{:?}",
        graph.findings()
    );
    let sigs = openpgp(&graph);
    let paths: Vec<(&str, Option<&str>)> = sigs
        .iter()
        .map(|(p, s, _)| (p.as_str(), s.as_deref()))
        .collect();
    assert_eq!(
        paths,
        [
            ("almalinux/security.txt", Some("almalinux/security.txt")),
            ("bwt-0.2.4-SHA256SUMS.asc", Some("bwt-0.2.4-SHA256SUMS.asc")),
            ("grapheneos/security.txt", Some("grapheneos/security.txt")),
        ]
    );
    for (path, _, v) in &sigs {
        assert_eq!(v.outcome, Outcome::UntrustedKey, "{path}: {v:?}");
        assert!(!v.verified, "{path}");
        let id = v.key_id.as_deref().unwrap();
        assert!(id.len() == 16 || id.len() == 40, "{path}: {id}");
        assert!(v.signed_at.is_some(), "{path}");
    }
    // The bwt sums are still checksum evidence.
    assert_eq!(
        graph
            .files_of_kind(vouch_engine::formats::EvidenceKind::Checksums)
            .count(),
        1
    );
}

#[test]
fn corpus_signature_without_its_key_is_untrusted() {
    let test = "corpus_signature_without_its_key_is_untrusted";
    let (Some(doc), Some(sig)) = (
        corpus_file("csaf/va-24-262-01.json", test),
        corpus_file("checksums/va-24-262-01.json.asc", test),
    ) else {
        return;
    };
    let dir = bundle(&[("va-24-262-01.json", doc), ("va-24-262-01.json.asc", sig)]);
    let graph = ingest_trusting(dir.path(), KeyStore::new(), None);
    let sigs = openpgp(&graph);
    assert_eq!(sigs.len(), 1);
    assert_eq!(sigs[0].2.outcome, Outcome::UntrustedKey);
    assert!(
        sigs[0]
            .2
            .reason
            .as_deref()
            .unwrap()
            .starts_with("no openpgp key ")
    );
}

/// A key made with `pgp` itself: GnuPG 2.2 makes no v6 keys.
fn rpgp_key(
    version: pgp::types::KeyVersion,
    key_type: pgp::composed::KeyType,
) -> pgp::composed::SignedSecretKey {
    use rand::SeedableRng;
    let mut params = pgp::composed::SecretKeyParamsBuilder::default();
    params
        .version(version)
        .key_type(key_type)
        .can_certify(true)
        .can_sign(true)
        .primary_user_id("vouch test v6 <v6@example.org>".into());
    params
        .build()
        .unwrap()
        .generate(rand::rngs::StdRng::seed_from_u64(7))
        .unwrap()
}

#[test]
fn v6_ed25519_and_ed448_signatures_verify() {
    use pgp::composed::{ArmorOptions, DetachedSignature, KeyType, SignedPublicKey};
    use pgp::crypto::hash::HashAlgorithm;
    use pgp::types::{KeyVersion, Password};
    use rand::SeedableRng;
    for (version, key_type) in [
        (KeyVersion::V6, KeyType::Ed25519),
        (KeyVersion::V4, KeyType::Ed25519),
        (KeyVersion::V6, KeyType::Ed448),
    ] {
        let secret = rpgp_key(version, key_type.clone());
        let public = SignedPublicKey::from(secret.clone())
            .to_armored_bytes(ArmorOptions::default())
            .unwrap();
        let data = read("widget.txt");
        let sig = DetachedSignature::sign_binary_data(
            rand::rngs::StdRng::seed_from_u64(8),
            &secret.primary_key,
            &Password::empty(),
            HashAlgorithm::Sha512,
            &data[..],
        )
        .unwrap()
        .to_armored_bytes(ArmorOptions::default())
        .unwrap();
        let mut tampered = data.clone();
        tampered[0] ^= 1;
        for (content, expected) in [(data, Outcome::Verified), (tampered, Outcome::BadSignature)] {
            let dir = bundle(&[("widget.txt", content), ("widget.txt.asc", sig.clone())]);
            let (_keys, store) = trust_bytes(&[("v6.asc", public.clone())]);
            let graph = ingest_trusting(dir.path(), store, None);
            let sigs = openpgp(&graph);
            assert_eq!(sigs.len(), 1);
            assert_eq!(
                sigs[0].2.outcome, expected,
                "{version:?} {key_type:?}: {:?}",
                sigs[0].2
            );
        }
    }
}

/// A tiny deterministic generator, so the mutations are the same on every run.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// `bytes` with one to three random changes: a bit flipped, a byte inserted or removed, or
/// the tail cut off.
fn mutate(bytes: &[u8], rng: &mut XorShift) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for _ in 0..=rng.below(3) {
        let at = rng.below(out.len());
        match rng.below(4) {
            0 if !out.is_empty() => out[at] ^= 1 << rng.below(8),
            1 => out.insert(at, rng.next() as u8),
            2 if !out.is_empty() => {
                out.remove(at);
            }
            _ => out.truncate(at),
        }
    }
    out
}

#[test]
fn mutated_signatures_and_keys_never_panic() {
    use vouch_engine::formats::Evidence;
    use vouch_engine::signatures::{Keys, Signed, openpgp};
    let store = trust(&["keyring.gpg"]);
    let empty = KeyStore::new();
    let keys = Keys {
        trusted: &store,
        bundle: &empty,
        as_of: at(LATER),
    };
    let dir = bundle(&[("widget.txt", read("widget.txt"))]);
    let abs = dir.path().join("widget.txt");
    let signed = Signed {
        path: "widget.txt",
        abs: &abs,
        sha256: vouch_engine::Sha256Digest([0; 32]),
        size: read("widget.txt").len() as u64,
        content: None,
    };
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut outcomes = std::collections::BTreeMap::new();
    for kind in ["ed25519", "rsa3072", "nistp256", "subkey"] {
        for file in ["widget.txt.asc", "widget.txt.sig", "security.txt"] {
            let original = read(&format!("{kind}/{file}"));
            for _ in 0..150 {
                let bytes = mutate(&original, &mut rng);
                let parsed = if file == "security.txt" {
                    openpgp::cleartext::parse(file, &bytes)
                } else {
                    openpgp::parse(file, &bytes)
                };
                if let Some(Evidence::Signature(sig)) = parsed.evidence {
                    for v in sig.body.verifier().verify(&signed, &keys) {
                        // A change to a signature never makes it verify as something else.
                        assert!(
                            v.outcome != Outcome::Verified
                                || v.key_id.is_some() && v.signer.is_some(),
                            "{v:?}"
                        );
                        *outcomes.entry(v.outcome).or_insert(0) += 1;
                    }
                }
            }
        }
    }
    for key in ["ed25519.pub.asc", "subkey.pub.asc", "keyring.gpg"] {
        let original = read(key);
        for _ in 0..100 {
            let bytes = mutate(&original, &mut rng);
            let _ = vouch_engine::trust::parse_key_file(key, &bytes);
        }
    }
    eprintln!("outcomes of mutated signatures: {outcomes:?}");
    assert!(outcomes.contains_key(&Outcome::Malformed));
    assert!(outcomes.contains_key(&Outcome::BadSignature));
}
