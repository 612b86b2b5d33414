//! Verifying OpenPGP signatures: hashing the signed data once for all signatures of a file
//! (streamed, never held whole), checking each against the keys its issuer names, and
//! judging the key (trusted, bundle-only, expired, revoked).

use pgp::crypto::hash::HashAlgorithm;
use pgp::crypto::public_key::PublicKeyAlgorithm;
use pgp::packet::{Signature, SignatureConfig, SignatureType};
use pgp::types::{KeyDetails, KeyVersion, PublicParams, VerifyingKey};

use super::Entry;
use super::hashing::{self, Data};
use super::keys::{self, OpenPgpKey, Slot, Standing, When, hex};
use crate::signatures::{Keys, Outcome, Verification};
use crate::trust::KeyStore;

/// A key that may have made a signature: where it is and which of its keys.
#[derive(Debug, Clone, Copy)]
struct Candidate<'a> {
    origin: &'a str,
    key: &'a OpenPgpKey,
    slot: Slot,
}

/// A signature that can be checked, with the keys that may have made it.
struct Check<'a> {
    sig: &'a Signature,
    config: &'a SignatureConfig,
    trusted: Vec<Candidate<'a>>,
    bundle: Vec<Candidate<'a>>,
}

enum Plan<'a> {
    Done(Verification),
    Check(Box<Check<'a>>),
}

/// One verification per entry, in order.
pub(super) fn verify_all(entries: &[Entry], data: Data<'_>, keys: &Keys<'_>) -> Vec<Verification> {
    let plans: Vec<Plan<'_>> = entries.iter().map(|e| plan(e, data, keys)).collect();
    let configs: Vec<&SignatureConfig> = plans
        .iter()
        .filter_map(|p| match p {
            Plan::Check(c) => Some(c.config),
            Plan::Done(_) => None,
        })
        .collect();
    let mut digests = hashing::digests(&configs, data).into_iter();
    plans
        .into_iter()
        .map(|plan| match plan {
            Plan::Done(v) => v,
            Plan::Check(check) => {
                let digest = digests
                    .next()
                    .unwrap_or_else(|| Err(fail(Outcome::Malformed, "no digest was computed")));
                conclude(&check, digest, data, keys)
            }
        })
        .collect()
}

pub(super) fn fail(outcome: Outcome, reason: impl Into<String>) -> Verification {
    Verification::failed(outcome, false, reason)
}

/// The issuer as the signature names it: its fingerprint, else its key id.
fn issuer_text(sig: &Signature) -> String {
    if let Some(fp) = sig.issuer_fingerprint().first() {
        return hex(fp);
    }
    sig.issuer_key_id()
        .first()
        .map(|id| id.as_ref().iter().map(|b| format!("{b:02X}")).collect())
        .unwrap_or_else(|| "(none named)".to_owned())
}

fn signed_at(sig: &Signature) -> Option<jiff::Timestamp> {
    jiff::Timestamp::from_second(i64::from(sig.created()?.as_secs())).ok()
}

fn plan<'a>(entry: &'a Entry, data: Data<'_>, keys: &'a Keys<'a>) -> Plan<'a> {
    let sig = match entry {
        Entry::Malformed(reason) => return Plan::Done(fail(Outcome::Malformed, reason.clone())),
        Entry::Unsupported(reason) => {
            return Plan::Done(fail(Outcome::Unsupported, reason.clone()));
        }
        Entry::Signature(sig) => sig.as_ref(),
    };
    let issuer = issuer_text(sig);
    let done =
        |v: Verification| Plan::Done(v.with_key_id(issuer.clone()).with_signed_at(signed_at(sig)));
    let Some(config) = sig.config() else {
        return done(fail(
            Outcome::Unsupported,
            format!(
                "signature version {} is not supported",
                u8::from(sig.version())
            ),
        ));
    };
    if let Err(reason) = supported(config, data) {
        return done(fail(Outcome::Unsupported, reason));
    }
    let trusted = candidates(sig, keys.trusted);
    let bundle = candidates(sig, keys.bundle);
    if trusted.is_empty() && bundle.is_empty() {
        return done(fail(
            Outcome::UntrustedKey,
            format!("no openpgp key {issuer} in the trust set"),
        ));
    }
    Plan::Check(Box::new(Check {
        sig,
        config,
        trusted,
        bundle,
    }))
}

/// Why vouch does not verify a signature of this kind, if it does not.
fn supported(config: &SignatureConfig, data: Data<'_>) -> Result<(), String> {
    match config.typ {
        SignatureType::Binary | SignatureType::Text => {}
        other => {
            return Err(format!(
                "signature type 0x{:02x} is not a signature over a document",
                u8::from(other)
            ));
        }
    }
    if matches!(data, Data::Text(_)) && config.typ != SignatureType::Text {
        return Err("a cleartext signature must be a text signature (type 0x01)".to_owned());
    }
    match config.hash_alg {
        HashAlgorithm::Sha256
        | HashAlgorithm::Sha384
        | HashAlgorithm::Sha512
        | HashAlgorithm::Sha224
        | HashAlgorithm::Sha3_256
        | HashAlgorithm::Sha3_512 => {}
        weak @ (HashAlgorithm::Md5 | HashAlgorithm::Sha1 | HashAlgorithm::Ripemd160) => {
            return Err(format!(
                "{} signatures are not accepted: the hash is broken",
                weak.to_string().to_lowercase()
            ));
        }
        other => {
            return Err(format!(
                "hash algorithm {} is not supported",
                u8::from(other)
            ));
        }
    }
    match config.pub_alg {
        PublicKeyAlgorithm::RSA
        | PublicKeyAlgorithm::RSASign
        | PublicKeyAlgorithm::DSA
        | PublicKeyAlgorithm::ECDSA
        | PublicKeyAlgorithm::EdDSALegacy
        | PublicKeyAlgorithm::Ed25519
        | PublicKeyAlgorithm::Ed448 => Ok(()),
        other => Err(format!(
            "public-key algorithm {} is not supported for signatures",
            u8::from(other)
        )),
    }
}

/// The keys of `store` the signature's issuer fingerprints and key ids name, in store order.
fn candidates<'a>(sig: &Signature, store: &'a KeyStore) -> Vec<Candidate<'a>> {
    let fingerprints = sig.issuer_fingerprint();
    let mut ids: Vec<[u8; 8]> = fingerprints
        .iter()
        .filter_map(|fp| keys::key_id_of(fp))
        .collect();
    ids.extend(sig.issuer_key_id().iter().filter_map(|id| {
        let bytes: Option<[u8; 8]> = id.as_ref().try_into().ok();
        bytes
    }));
    ids.sort_unstable();
    ids.dedup();
    let mut found: Vec<(usize, Candidate<'a>)> = Vec::new();
    for id in &ids {
        for (position, origin, key, slot) in store.openpgp_by_key_id(id) {
            let fp = match slot {
                Slot::Primary => Some(key.cert().primary_key.fingerprint()),
                Slot::Subkey(i) => key
                    .cert()
                    .public_subkeys
                    .get(i)
                    .map(|s| s.key.fingerprint()),
            };
            // A fingerprint, when the signature names one, must match exactly.
            let matches = fingerprints.is_empty()
                || fp.is_some_and(|fp| fingerprints.iter().any(|f| **f == fp));
            if matches && !found.iter().any(|(p, c)| *p == position && c.slot == slot) {
                found.push((position, Candidate { origin, key, slot }));
            }
        }
    }
    found.sort_by_key(|(p, c)| (*p, c.slot));
    found
        .into_iter()
        .take(MAX_CANDIDATES)
        .map(|(_, c)| c)
        .collect()
}

/// The most keys one signature is checked against per store: key ids collide rarely, and a
/// bundle keyring of thousands of keys sharing one id must not make verification slow.
const MAX_CANDIDATES: usize = 16;

/// The verification of one signature, given the digest of the data.
fn conclude(
    check: &Check<'_>,
    digest: Result<Vec<u8>, Verification>,
    data: Data<'_>,
    keys: &Keys<'_>,
) -> Verification {
    let sig = check.sig;
    let finish =
        |v: Verification, key_id: String| v.with_key_id(key_id).with_signed_at(signed_at(sig));
    let digest = match digest {
        Ok(d) => d,
        Err(v) => return finish(v, issuer_text(sig)),
    };
    let signed_secs = sig.created().map_or(0, |t| i64::from(t.as_secs()));
    for (trusted, candidates) in [(true, &check.trusted), (false, &check.bundle)] {
        let Some(first) = candidates.first() else {
            continue;
        };
        let mut failure = None;
        for candidate in candidates.iter() {
            let fp = component_fingerprint(candidate);
            match crypto(check, &digest, candidate) {
                Ok(()) => {
                    let signer = keys::primary_user_id(candidate.key);
                    let v = if trusted {
                        judge(check, candidate, signed_secs, keys.as_of)
                    } else {
                        Verification::failed(
                            Outcome::UntrustedKey,
                            true,
                            format!(
                                "valid, but key {fp} is only in the bundle ({}), not trusted",
                                candidate.origin
                            ),
                        )
                    };
                    let v = if v.verified { v.with_signer(signer) } else { v };
                    return finish(v, fp);
                }
                Err(failed) => {
                    failure.get_or_insert((failed, fp, candidate.origin));
                }
            }
        }
        let (failed, fp, origin) = failure.unwrap_or((
            Failure::Mismatch,
            component_fingerprint(first),
            first.origin,
        ));
        let (outcome, reason) = match failed {
            Failure::Mismatch => (
                Outcome::BadSignature,
                format!("the signature does not match {}", data.name()),
            ),
            Failure::Bad(reason) => (Outcome::BadSignature, reason),
            Failure::Unsupported(reason) => (Outcome::Unsupported, reason),
        };
        return finish(
            fail(outcome, format!("{reason} (key {fp} from {origin})")),
            fp,
        );
    }
    finish(
        fail(Outcome::UntrustedKey, "no openpgp key to check it with"),
        issuer_text(sig),
    )
}

/// Why a signature did not verify with a key.
#[derive(Debug)]
enum Failure {
    /// The signature does not match the data.
    Mismatch,
    /// It cannot have been made with this key (why).
    Bad(String),
    /// vouch cannot check it with this key (why).
    Unsupported(String),
}

fn component_fingerprint(c: &Candidate<'_>) -> String {
    match c.slot {
        Slot::Primary => hex(&c.key.cert().primary_key.fingerprint()),
        Slot::Subkey(i) => c
            .key
            .cert()
            .public_subkeys
            .get(i)
            .map(|s| hex(&s.key.fingerprint()))
            .unwrap_or_default(),
    }
}

/// Checks the signature against one key: algorithm, version, digest prefix, then the
/// signature itself.
fn crypto(check: &Check<'_>, digest: &[u8], candidate: &Candidate<'_>) -> Result<(), Failure> {
    let cert = candidate.key.cert();
    match candidate.slot {
        Slot::Primary => crypto_with(check, digest, &cert.primary_key),
        Slot::Subkey(i) => match cert.public_subkeys.get(i) {
            Some(sub) => crypto_with(check, digest, &sub.key),
            None => Err(Failure::Bad("the subkey is missing".to_owned())),
        },
    }
}

fn crypto_with(check: &Check<'_>, digest: &[u8], key: &impl VerifyingKey) -> Result<(), Failure> {
    let config = check.config;
    let sig_alg = normalize_alg(config.pub_alg);
    let key_alg = normalize_alg(key.algorithm());
    if sig_alg != key_alg {
        return Err(Failure::Bad(format!(
            "the signature is {} but the key is {}",
            alg_name(config.pub_alg),
            alg_name(key.algorithm())
        )));
    }
    let v6_sig = config.version() == pgp::packet::SignatureVersion::V6;
    if v6_sig != (key.version() == KeyVersion::V6) {
        return Err(Failure::Bad(if v6_sig {
            "a v6 signature needs a v6 key".to_owned()
        } else {
            "a v6 key makes only v6 signatures".to_owned()
        }));
    }
    if let Some(reason) = unsupported_key(key.public_params()) {
        return Err(Failure::Unsupported(reason));
    }
    let (Some(prefix), Some(bytes)) = (check.sig.signed_hash_value(), check.sig.signature()) else {
        return Err(Failure::Bad(
            "the signature holds no signature value".to_owned(),
        ));
    };
    if digest.get(..2) != Some(&prefix[..]) {
        return Err(Failure::Mismatch);
    }
    key.verify(config.hash_alg, digest, bytes)
        .map_err(|_| Failure::Mismatch)
}

fn normalize_alg(alg: PublicKeyAlgorithm) -> PublicKeyAlgorithm {
    match alg {
        PublicKeyAlgorithm::RSASign => PublicKeyAlgorithm::RSA,
        other => other,
    }
}

fn alg_name(alg: PublicKeyAlgorithm) -> String {
    match alg {
        PublicKeyAlgorithm::RSA | PublicKeyAlgorithm::RSASign => "rsa".to_owned(),
        PublicKeyAlgorithm::DSA => "dsa".to_owned(),
        PublicKeyAlgorithm::ECDSA => "ecdsa".to_owned(),
        PublicKeyAlgorithm::EdDSALegacy => "eddsa".to_owned(),
        PublicKeyAlgorithm::Ed25519 => "ed25519".to_owned(),
        PublicKeyAlgorithm::Ed448 => "ed448".to_owned(),
        PublicKeyAlgorithm::ECDH => "ecdh (encryption only)".to_owned(),
        PublicKeyAlgorithm::X25519 => "x25519 (encryption only)".to_owned(),
        other => format!("algorithm {}", u8::from(other)),
    }
}

/// Why vouch cannot verify with this key, when the key's parameters are of a curve or kind
/// `pgp` does not verify.
fn unsupported_key(params: &PublicParams) -> Option<String> {
    use pgp::types::{EcdsaPublicParams, EddsaLegacyPublicParams};
    match params {
        PublicParams::ECDSA(EcdsaPublicParams::Unsupported { curve, .. }) => {
            Some(format!("ecdsa curve {curve} is not supported"))
        }
        PublicParams::EdDSALegacy(EddsaLegacyPublicParams::Unsupported { curve, .. }) => {
            Some(format!("eddsa curve {curve} is not supported"))
        }
        PublicParams::Unknown { .. } => Some("the key's algorithm is not supported".to_owned()),
        _ => None,
    }
}

/// The outcome for a valid signature by a trusted key: its standing at the signature's time
/// and at `as_of`, and the signature's own expiry.
fn judge(
    check: &Check<'_>,
    candidate: &Candidate<'_>,
    signed: i64,
    as_of: Option<jiff::Timestamp>,
) -> Verification {
    let as_of = as_of.map(|t| t.as_second());
    let standing = keys::standing(candidate.key, candidate.slot, When { signed, as_of });
    match standing {
        Standing::Usable => {}
        Standing::Expired(why) => return Verification::failed(Outcome::ExpiredKey, true, why),
        Standing::Unusable(why) => {
            return Verification::failed(Outcome::UntrustedKey, true, why);
        }
        Standing::Predates(why) => return fail(Outcome::BadSignature, why),
    }
    let lifetime = check
        .sig
        .signature_expiration_time()
        .map(|d| i64::from(d.as_secs()))
        .filter(|s| *s > 0);
    if let (Some(lifetime), Some(t)) = (lifetime, as_of) {
        let expiry = signed.saturating_add(lifetime);
        if t >= expiry {
            let shown = jiff::Timestamp::from_second(expiry)
                .map_or_else(|_| expiry.to_string(), |t| t.to_string());
            return Verification::failed(
                Outcome::ExpiredKey,
                true,
                format!("the signature expired on {shown}"),
            );
        }
    }
    Verification::verified()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_hashes_and_other_types_are_unsupported() {
        let text = Data::Text(b"x");
        let config = |typ, hash| SignatureConfig::v4(typ, PublicKeyAlgorithm::EdDSALegacy, hash);
        let ok = config(SignatureType::Text, HashAlgorithm::Sha256);
        assert!(supported(&ok, text).is_ok());
        for (typ, hash, expected) in [
            (SignatureType::Text, HashAlgorithm::Sha1, "sha1 signatures"),
            (SignatureType::Text, HashAlgorithm::Md5, "md5 signatures"),
            (
                SignatureType::CertPositive,
                HashAlgorithm::Sha256,
                "type 0x13",
            ),
            (
                SignatureType::Binary,
                HashAlgorithm::Sha256,
                "text signature",
            ),
        ] {
            let err = supported(&config(typ, hash), text).unwrap_err();
            assert!(err.contains(expected), "{err}");
        }
        let elgamal = SignatureConfig::v4(
            SignatureType::Text,
            PublicKeyAlgorithm::Elgamal,
            HashAlgorithm::Sha256,
        );
        assert!(
            supported(&elgamal, text)
                .unwrap_err()
                .contains("algorithm 20")
        );
    }
}
