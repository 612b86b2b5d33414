//! OpenPGP public keys: reading key files and keyrings, finding a key by key id, and whether
//! a key may be relied on at a given time (bound, not expired, not revoked).
//!
//! Loading only parses and indexes (a keyring of thousands of keys loads fast); the
//! self-signatures of a key are checked when a signature made with it is verified, each once
//! per key (a key that signs many files has its certifications checked once).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use pgp::composed::{Deserializable, SignedPublicKey};
use pgp::packet::{RevocationCode, Signature, SignatureType};
use pgp::types::{Fingerprint, KeyDetails, KeyVersion, Tag};

use super::packets;
use crate::trust::{PublicKey, StoredKey};

/// An OpenPGP certificate: a primary key with its user ids, subkeys and self-signatures.
#[derive(Clone)]
pub struct OpenPgpKey {
    cert: Arc<SignedPublicKey>,
    /// Which of the certificate's self-signatures verified (shared by clones, as `cert` is).
    checked: Arc<Mutex<HashMap<SelfSignature, bool>>>,
}

/// One self-signature of a certificate, by position: what [`OpenPgpKey::verifies`] remembers.
/// Whether a signature verifies depends only on the certificate's bytes, never on a time; the
/// times are judged on every use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum SelfSignature {
    /// A revocation of the primary key.
    Revocation(usize),
    /// A direct-key signature.
    Direct(usize),
    /// A certification of a user id: (user, signature).
    UserId(usize, usize),
    /// A binding or revocation signature of a subkey: (subkey, signature).
    Subkey(usize, usize),
    /// The back-signature embedded in a subkey's binding signature: (subkey, signature).
    BackSignature(usize, usize),
}

impl std::fmt::Debug for OpenPgpKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenPgpKey")
            .field("fingerprint", &self.fingerprint())
            .field("user_ids", &self.user_ids())
            .finish()
    }
}

impl OpenPgpKey {
    /// The primary key's fingerprint, in uppercase hex as `gpg` prints it.
    pub fn fingerprint(&self) -> String {
        hex(&self.cert.primary_key.fingerprint())
    }

    /// The fingerprints of the subkeys, in key order.
    pub fn subkey_fingerprints(&self) -> Vec<String> {
        self.cert
            .public_subkeys
            .iter()
            .map(|s| hex(&s.key.fingerprint()))
            .collect()
    }

    /// The user ids, as text, in key order.
    pub fn user_ids(&self) -> Vec<String> {
        self.cert
            .details
            .users
            .iter()
            .map(|u| String::from_utf8_lossy(u.id.id()).into_owned())
            .collect()
    }

    pub(super) fn cert(&self) -> &SignedPublicKey {
        &self.cert
    }

    /// Whether a self-signature verifies: `verify` runs the first time it is asked.
    fn verifies(&self, which: SelfSignature, verify: impl FnOnce() -> bool) -> bool {
        if let Some(known) = self
            .checked
            .lock()
            .ok()
            .and_then(|m| m.get(&which).copied())
        {
            return known;
        }
        let ok = verify();
        if let Ok(mut checked) = self.checked.lock() {
            checked.insert(which, ok);
        }
        ok
    }
}

/// A fingerprint in uppercase hex.
pub(super) fn hex(fp: &Fingerprint) -> String {
    fp.as_bytes().iter().map(|b| format!("{b:02X}")).collect()
}

/// The 8-byte key id a fingerprint implies: its last 8 bytes (v4) or its first 8 (v6).
pub(super) fn key_id_of(fp: &Fingerprint) -> Option<[u8; 8]> {
    let bytes = fp.as_bytes();
    let id = match fp.version() {
        Some(KeyVersion::V4) => bytes.get(bytes.len().checked_sub(8)?..)?,
        _ => bytes.get(..8)?,
    };
    id.try_into().ok()
}

/// Which key of a certificate: the primary key or a subkey (by position).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Slot {
    /// The primary key.
    Primary,
    /// The subkey at this position.
    Subkey(usize),
}

/// Where the OpenPGP keys and subkeys of a key store are, by 8-byte key id.
#[derive(Debug, Clone, Default)]
pub struct OpenPgpIndex {
    by_id: HashMap<[u8; 8], Vec<(usize, Slot)>>,
}

impl OpenPgpIndex {
    /// Indexes the key at `position` of its store: the primary key and every subkey whose
    /// algorithm can sign.
    pub fn insert(&mut self, position: usize, key: &OpenPgpKey) {
        let cert = key.cert();
        let mut add = |id: [u8; 8], slot: Slot| {
            self.by_id.entry(id).or_default().push((position, slot));
        };
        if let Some(id) = key_id_of(&cert.primary_key.fingerprint()) {
            add(id, Slot::Primary);
        }
        for (i, sub) in cert.public_subkeys.iter().enumerate() {
            if can_sign(sub.key.algorithm())
                && let Some(id) = key_id_of(&sub.key.fingerprint())
            {
                add(id, Slot::Subkey(i));
            }
        }
    }

    /// The keys with this key id: (store position, slot).
    pub fn get(&self, id: &[u8; 8]) -> &[(usize, Slot)] {
        self.by_id.get(id).map_or(&[], Vec::as_slice)
    }
}

fn can_sign(alg: pgp::crypto::public_key::PublicKeyAlgorithm) -> bool {
    use pgp::crypto::public_key::PublicKeyAlgorithm as A;
    matches!(
        alg,
        A::RSA | A::RSASign | A::DSA | A::ECDSA | A::EdDSALegacy | A::Ed25519 | A::Ed448
    )
}

const ARMOR_HEADER: &str = "-----BEGIN PGP PUBLIC KEY BLOCK-----";

/// Reads OpenPGP public keys: an armored `PUBLIC KEY BLOCK` (several blocks may follow one
/// another; a `KEYS` file may have text before the first) or a binary keyring (`gpg
/// --export`). `None`, cheaply, when the file is neither.
pub fn parse_public_keys(origin: &str, bytes: &[u8]) -> Option<Result<Vec<StoredKey>, String>> {
    let data = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let certs = if packets::looks_like_public_key(data) && first_packet_is_public_key(data) {
        read_binary(data)
    } else {
        let trimmed = data.trim_ascii_start();
        let keys_file = crate::formats::file_name(origin).starts_with("KEYS");
        let armored = trimmed.starts_with(ARMOR_HEADER.as_bytes())
            || (keys_file && contains(data, ARMOR_HEADER.as_bytes()));
        if !armored {
            return None;
        }
        read_armored(data)
    };
    Some(certs.map(|certs| {
        certs
            .into_iter()
            .map(|cert| StoredKey {
                origin: origin.to_owned(),
                key: PublicKey::OpenPgp(OpenPgpKey {
                    cert: Arc::new(cert),
                    checked: Arc::default(),
                }),
            })
            .collect()
    }))
}

/// Whether the first packet of `data` parses as a public key (binary detection: the magic
/// of a packet header is not enough).
fn first_packet_is_public_key(data: &[u8]) -> bool {
    packets::first_packet(data).is_some_and(|packet| {
        matches!(
            pgp::packet::PacketParser::new(packet).next(),
            Some(Ok(pgp::packet::Packet::PublicKey(_)))
        )
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

fn read_armored(data: &[u8]) -> Result<Vec<SignedPublicKey>, String> {
    let text = std::str::from_utf8(data).map_err(|_| "armored openpgp key is not text")?;
    let mut certs = Vec::new();
    for block in packets::armor_blocks(text)? {
        if block.label != "PUBLIC KEY BLOCK" {
            return Err(format!(
                "holds an armored `PGP {}` block where public keys were expected",
                block.label
            ));
        }
        certs.extend(read_binary(&block.data)?);
    }
    Ok(certs)
}

fn read_binary(data: &[u8]) -> Result<Vec<SignedPublicKey>, String> {
    let parsed = SignedPublicKey::from_bytes_many(data)
        .map_err(|e| format!("not openpgp keys ({})", pgp_error_text(&e)))?;
    let mut certs = Vec::new();
    for (n, cert) in parsed.enumerate() {
        certs.push(cert.map_err(|e| {
            format!(
                "openpgp key {} cannot be read ({})",
                n + 1,
                pgp_error_text(&e)
            )
        })?);
    }
    if certs.is_empty() {
        return Err("holds no openpgp public key".to_owned());
    }
    Ok(certs)
}

/// An error message on one line.
pub(super) fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A `pgp` error as one line of text, without the `Debug` dumps and backtraces `pgp` nests:
/// the `Display` of some of its errors (an invalid packet's content, a key that cannot be
/// composed) shows the inner error's `Debug`, with a backtrace when `RUST_BACKTRACE` is set,
/// which put build paths and call sites into findings and made the same file read differently
/// from two places (found by `fuzz/`). The error and its sources are written in turn, leaving
/// out each one whose text is such a dump.
pub(super) fn pgp_error_text(error: &pgp::errors::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = current {
        let text = one_line(&e.to_string());
        if !text.contains("backtrace:") && !parts.contains(&text) {
            parts.push(text);
        }
        current = e.source();
    }
    if parts.is_empty() {
        "the openpgp data cannot be parsed".to_owned()
    } else {
        parts.join(": ")
    }
}

/// Whether a key may be relied on for a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Standing {
    /// Bound, not expired, not revoked.
    Usable,
    /// Expired or revoked at a time that matters (why).
    Expired(String),
    /// Not usable at all for this signature: an unbound or non-signing subkey (why).
    Unusable(String),
    /// The signature is dated before the key existed (why).
    Predates(String),
}

/// A time that matters for a key's standing, in seconds since the epoch, with how to name it.
#[derive(Debug, Clone, Copy)]
pub(super) struct When {
    /// When the signature was made.
    pub signed: i64,
    /// The instant the key must be valid at, when given.
    pub as_of: Option<i64>,
}

impl When {
    fn times(self) -> impl Iterator<Item = (i64, bool)> {
        std::iter::once((self.signed, true)).chain(self.as_of.map(|t| (t, false)))
    }
}

fn date(secs: i64) -> String {
    jiff::Timestamp::from_second(secs).map_or_else(|_| secs.to_string(), |t| t.to_string())
}

fn secs(sig: &Signature) -> Option<i64> {
    sig.created().map(|t| i64::from(t.as_secs()))
}

/// The standing of a key of `key` (`slot`) for a signature, judged at `when`.
pub(super) fn standing(key: &OpenPgpKey, slot: Slot, when: When) -> Standing {
    let cert = key.cert();
    let primary = &cert.primary_key;
    let primary_fp = hex(&primary.fingerprint());
    let primary_created = i64::from(primary.created_at().as_secs());
    if when.signed < primary_created {
        return Standing::Predates(format!(
            "the signature is dated {}, before key {primary_fp} was created ({})",
            date(when.signed),
            date(primary_created)
        ));
    }
    // Revocations of the primary key, checked against the key itself.
    let revocations = cert
        .details
        .revocation_signatures
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            key.verifies(SelfSignature::Revocation(*i), || {
                s.verify_key(primary).is_ok()
            })
        })
        .map(|(_, s)| s);
    if let Some(why) = revoked(revocations, when, &format!("key {primary_fp}")) {
        return Standing::Expired(why);
    }
    // The primary key's expiry, from its self-signatures.
    let direct = cert
        .details
        .direct_signatures
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            s.typ() == Some(SignatureType::Key)
                && key.verifies(SelfSignature::Direct(*i), || s.verify_key(primary).is_ok())
        })
        .map(|(_, s)| s);
    let self_sigs: Vec<&Signature> = direct.chain(user_certifications(key)).collect();
    let legacy = primary
        .legacy_v3_expiration_days()
        .map(|days| i64::from(days) * 86_400);
    if let Some(why) = expired(
        &self_sigs,
        legacy,
        primary_created,
        when,
        &format!("key {primary_fp}"),
    ) {
        return Standing::Expired(why);
    }
    let Slot::Subkey(i) = slot else {
        return Standing::Usable;
    };
    let Some(sub) = cert.public_subkeys.get(i) else {
        return Standing::Unusable(format!("key {primary_fp} has no subkey {i}"));
    };
    let sub_fp = hex(&sub.key.fingerprint());
    let sub_created = i64::from(sub.key.created_at().as_secs());
    if when.signed < sub_created {
        return Standing::Predates(format!(
            "the signature is dated {}, before subkey {sub_fp} was created ({})",
            date(when.signed),
            date(sub_created)
        ));
    }
    let bound = |(j, s): &(usize, &Signature)| {
        key.verifies(SelfSignature::Subkey(i, *j), || {
            s.verify_subkey_binding(primary, &sub.key).is_ok()
        })
    };
    let revocations = sub
        .signatures
        .iter()
        .enumerate()
        .filter(|(_, s)| s.typ() == Some(SignatureType::SubkeyRevocation))
        .filter(bound)
        .map(|(_, s)| s);
    if let Some(why) = revoked(revocations, when, &format!("subkey {sub_fp}")) {
        return Standing::Expired(why);
    }
    let bindings: Vec<(usize, &Signature)> = sub
        .signatures
        .iter()
        .enumerate()
        .filter(|(_, s)| s.typ() == Some(SignatureType::SubkeyBinding))
        .filter(bound)
        .collect();
    let binding_sigs: Vec<&Signature> = bindings.iter().map(|(_, s)| *s).collect();
    let Some(binding) = newest_at(&binding_sigs, when.signed) else {
        return Standing::Unusable(format!(
            "subkey {sub_fp} has no valid binding signature from key {primary_fp}"
        ));
    };
    if !binding.key_flags().sign() {
        return Standing::Unusable(format!("subkey {sub_fp} is not marked for signing"));
    }
    let back_signature_verifies = || {
        binding
            .embedded_signature()
            .is_some_and(|back| back.verify_primary_key_binding(&sub.key, primary).is_ok())
    };
    let back_signed = match bindings.iter().find(|(_, s)| std::ptr::eq(*s, binding)) {
        Some((j, _)) => key.verifies(SelfSignature::BackSignature(i, *j), back_signature_verifies),
        None => back_signature_verifies(),
    };
    if !back_signed {
        return Standing::Unusable(format!(
            "signing subkey {sub_fp} has no valid back-signature to key {primary_fp}"
        ));
    }
    match expired(
        &binding_sigs,
        None,
        sub_created,
        when,
        &format!("subkey {sub_fp}"),
    ) {
        Some(why) => Standing::Expired(why),
        None => Standing::Usable,
    }
}

/// Why a key is revoked at `when`, given its (valid) revocation signatures: a hard
/// revocation (compromised, or no reason) revokes at all times, a soft one (superseded,
/// retired) from its date.
fn revoked<'a>(
    revocations: impl Iterator<Item = &'a Signature>,
    when: When,
    what: &str,
) -> Option<String> {
    let mut found: Vec<(i64, String)> = Vec::new();
    for sig in revocations {
        let at = secs(sig).unwrap_or(0);
        let code = sig.revocation_reason_code();
        let (hard, reason) = match code {
            Some(RevocationCode::KeySuperseded) => (false, "superseded"),
            Some(RevocationCode::KeyRetired) => (false, "retired"),
            Some(RevocationCode::KeyCompromised) => (true, "compromised"),
            Some(RevocationCode::NoReason) | None => (true, "no reason given"),
            Some(_) => (true, "other reason"),
        };
        if hard || when.times().any(|(t, _)| t >= at) {
            found.push((at, format!("{what} was revoked on {} ({reason})", date(at))));
        }
    }
    found.sort();
    found.into_iter().next().map(|(_, why)| why)
}

/// The newest signature made at or before `t`, or else the oldest one.
fn newest_at<'a>(sigs: &[&'a Signature], t: i64) -> Option<&'a Signature> {
    let before = sigs
        .iter()
        .filter(|s| secs(s).is_some_and(|c| c <= t))
        .max_by_key(|s| secs(s));
    before
        .or_else(|| sigs.iter().min_by_key(|s| secs(s)))
        .copied()
}

/// Why a key created at `created` is expired at `when`, given its (valid) self-signatures:
/// the one in force at each time sets the expiry.
fn expired(
    self_sigs: &[&Signature],
    legacy: Option<i64>,
    created: i64,
    when: When,
    what: &str,
) -> Option<String> {
    for (t, is_signing_time) in when.times() {
        let lifetime = match newest_at(self_sigs, t) {
            Some(sig) => sig
                .key_expiration_time()
                .map(|d| i64::from(d.as_secs()))
                .filter(|s| *s > 0),
            None => legacy.filter(|s| *s > 0),
        };
        let Some(lifetime) = lifetime else {
            continue;
        };
        let expiry = created.saturating_add(lifetime);
        if t >= expiry {
            return Some(if is_signing_time {
                format!(
                    "the signature was made on {}, after {what} expired on {}",
                    date(t),
                    date(expiry)
                )
            } else {
                format!("{what} expired on {}", date(expiry))
            });
        }
    }
    None
}

/// The certifications of every user id of `key` that verify (revocations apart).
fn user_certifications(key: &OpenPgpKey) -> impl Iterator<Item = &Signature> {
    (0..key.cert().details.users.len()).flat_map(move |i| user_certifications_of(key, i))
}

/// The certifications of user id `i` of `key` that verify (revocations apart).
fn user_certifications_of(key: &OpenPgpKey, i: usize) -> impl Iterator<Item = &Signature> {
    let cert = key.cert();
    let primary = &cert.primary_key;
    cert.details.users.get(i).into_iter().flat_map(move |user| {
        user.signatures
            .iter()
            .enumerate()
            .filter_map(move |(j, s)| {
                let valid = s.is_certification()
                    && s.typ() != Some(SignatureType::CertRevocation)
                    && key.verifies(SelfSignature::UserId(i, j), || {
                        s.verify_certification(primary, Tag::UserId, &user.id)
                            .is_ok()
                    });
                valid.then_some(s)
            })
    })
}

/// The user id to show for a key: the one its self-signatures mark primary, else the first
/// with a valid self-signature, else the first.
pub(super) fn primary_user_id(key: &OpenPgpKey) -> Option<String> {
    let cert = key.cert();
    let mut best: Option<(bool, usize)> = None;
    for (i, _) in cert.details.users.iter().enumerate() {
        let valid: Vec<&Signature> = user_certifications_of(key, i).collect();
        if valid.is_empty() {
            continue;
        }
        let marked = valid.iter().any(|s| s.is_primary());
        if best.is_none_or(|(was_marked, _)| marked && !was_marked) {
            best = Some((marked, i));
        }
    }
    let index = best.map_or(0, |(_, i)| i);
    cert.details
        .users
        .get(index)
        .map(|u| String::from_utf8_lossy(u.id.id()).into_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn other_files_are_not_keys() {
        for bytes in [
            &b""[..],
            b"hello",
            b"-----BEGIN PGP SIGNATURE-----\n",
            b"\x89PNG\r\n\x1a\n",
            b"\xc2\x05\x04\x00\x16\x08\x00",
        ] {
            assert!(parse_public_keys("x", bytes).is_none(), "{bytes:?}");
        }
    }

    #[test]
    fn broken_keys_are_errors() {
        let truncated = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZtsQNxYJKwYB\n";
        let err = parse_public_keys("k.asc", truncated.as_bytes())
            .unwrap()
            .unwrap_err();
        assert!(err.contains("truncated"), "{err}");
        let empty = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n-----END PGP PUBLIC KEY BLOCK-----\n";
        assert!(
            parse_public_keys("k.asc", empty.as_bytes())
                .unwrap()
                .is_err()
        );
        // A public key packet header with a garbage body is not a key at all: binary
        // detection needs a first packet that parses.
        let garbage = [0x99, 0x00, 0x08, 4, 0, 0, 0, 0, 1, 0xff, 0xff];
        assert!(parse_public_keys("k.gpg", &garbage).is_none());
        // A keyring is a key; one that ends in a truncated packet is not framed as one.
        let keyring = include_bytes!("../../../tests/fixtures/signatures/openpgp/keyring.gpg");
        assert!(parse_public_keys("k.gpg", keyring).unwrap().is_ok());
        let truncated = &keyring[..keyring.len() - 1];
        assert!(parse_public_keys("k.gpg", truncated).is_none());
    }

    #[test]
    fn a_keys_file_may_start_with_text() {
        let text = "pub   rsa4096 2020-01-01\n-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n\
                    -----END PGP PUBLIC KEY BLOCK-----\n";
        assert!(parse_public_keys("dist/KEYS", text.as_bytes()).is_some());
        assert!(parse_public_keys("dist/README", text.as_bytes()).is_none());
    }
}
