//! PEM public keys (`-----BEGIN PUBLIC KEY-----`, SubjectPublicKeyInfo): ECDSA P-256 and
//! P-384, Ed25519 and RSA, as cosign, Sigstore and openssl write them.
//!
//! The key id is the lowercase hex sha256 of the key's DER encoding, as Sigstore computes
//! it for a public key hint.

use ed25519_dalek::pkcs8::DecodePublicKey as _;
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
use p256::pkcs8::der::{Decode as _, pem::PemLabel as _};

use super::{PublicKey, StoredKey};
use crate::digest::Sha256Digest;

/// A PEM public key.
#[derive(Debug, Clone)]
pub struct PemKey {
    key: KeyKind,
    /// The sha256 of the DER SubjectPublicKeyInfo.
    id: Sha256Digest,
    /// The DER SubjectPublicKeyInfo.
    der: Vec<u8>,
}

#[derive(Debug, Clone)]
enum KeyKind {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
    Rsa(rsa::RsaPublicKey),
}

/// Why a signature does not verify with a [`PemKey`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// The signature does not match.
    BadSignature(String),
    /// The key cannot check this kind of signature (e.g. Ed25519 over a digest).
    Unsupported(String),
}

impl PemKey {
    /// The DER SubjectPublicKeyInfo it was read from.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// Reads one DER SubjectPublicKeyInfo.
    pub fn from_der(der: &[u8]) -> Result<PemKey, String> {
        let id = Sha256Digest::of(der);
        let key = if let Ok(k) = p256::ecdsa::VerifyingKey::from_public_key_der(der) {
            KeyKind::P256(k)
        } else if let Ok(k) = p384::ecdsa::VerifyingKey::from_public_key_der(der) {
            KeyKind::P384(k)
        } else if let Ok(k) = ed25519_dalek::VerifyingKey::from_public_key_der(der) {
            KeyKind::Ed25519(k)
        } else if let Ok(k) = rsa::RsaPublicKey::from_public_key_der(der) {
            KeyKind::Rsa(k)
        } else {
            let spki = p256::pkcs8::spki::SubjectPublicKeyInfoRef::from_der(der)
                .map_err(|e| format!("not a SubjectPublicKeyInfo: {e}"))?;
            return Err(format!(
                "unsupported public key algorithm {} (vouch reads ECDSA P-256/P-384, Ed25519 and RSA)",
                spki.algorithm.oid
            ));
        };
        Ok(PemKey {
            key,
            id,
            der: der.to_vec(),
        })
    }

    /// The algorithm, as reports name it: `ecdsa-p256`, `ecdsa-p384`, `ed25519` or `rsa`.
    pub fn algorithm(&self) -> &'static str {
        match self.key {
            KeyKind::P256(_) => "ecdsa-p256",
            KeyKind::P384(_) => "ecdsa-p384",
            KeyKind::Ed25519(_) => "ed25519",
            KeyKind::Rsa(_) => "rsa",
        }
    }

    /// The key id: lowercase hex sha256 of the DER public key.
    pub fn key_id(&self) -> String {
        self.id.to_hex()
    }

    /// Verifies `signature` over a message whose sha256 is `digest`: ECDSA (DER or fixed
    /// `r||s`) and RSA PKCS#1 v1.5 with SHA-256. Ed25519 signs messages, not digests.
    pub fn verify_sha256_digest(
        &self,
        digest: &[u8; 32],
        signature: &[u8],
    ) -> Result<(), KeyError> {
        let bad = |e: &dyn std::fmt::Display| KeyError::BadSignature(e.to_string());
        match &self.key {
            KeyKind::P256(k) => {
                let sig = p256_signature(signature)?;
                k.verify_prehash(digest, &sig).map_err(|e| bad(&e))
            }
            KeyKind::P384(k) => {
                let sig = p384_signature(signature)?;
                k.verify_prehash(digest, &sig).map_err(|e| bad(&e))
            }
            KeyKind::Rsa(k) => k
                .verify(
                    rsa::Pkcs1v15Sign::new::<rsa::sha2::Sha256>(),
                    digest,
                    signature,
                )
                .map_err(|e| bad(&e)),
            KeyKind::Ed25519(_) => Err(KeyError::Unsupported(
                "an Ed25519 key signs whole messages, not sha256 digests".to_owned(),
            )),
        }
    }

    /// Verifies `signature` over `message`: ECDSA P-256 with SHA-256, P-384 with SHA-384,
    /// Ed25519 (pure), RSA PKCS#1 v1.5 with SHA-256.
    pub fn verify_message(&self, message: &[u8], signature: &[u8]) -> Result<(), KeyError> {
        let bad = |e: &dyn std::fmt::Display| KeyError::BadSignature(e.to_string());
        match &self.key {
            KeyKind::P256(k) => k
                .verify(message, &p256_signature(signature)?)
                .map_err(|e| bad(&e)),
            KeyKind::P384(k) => k
                .verify(message, &p384_signature(signature)?)
                .map_err(|e| bad(&e)),
            KeyKind::Ed25519(k) => {
                let sig = ed25519_dalek::Signature::from_slice(signature).map_err(|e| bad(&e))?;
                k.verify_strict(message, &sig).map_err(|e| bad(&e))
            }
            KeyKind::Rsa(_) => {
                let digest = Sha256Digest::of(message);
                self.verify_sha256_digest(&digest.0, signature)
            }
        }
    }

    /// Whether this is an Ed25519 key (which must see the whole message).
    pub fn is_ed25519(&self) -> bool {
        matches!(self.key, KeyKind::Ed25519(_))
    }
}

fn p256_signature(bytes: &[u8]) -> Result<p256::ecdsa::Signature, KeyError> {
    p256::ecdsa::Signature::from_der(bytes)
        .or_else(|_| p256::ecdsa::Signature::from_slice(bytes))
        .map_err(|_| {
            KeyError::BadSignature(format!(
                "not an ECDSA P-256 signature ({} bytes, neither DER nor r||s)",
                bytes.len()
            ))
        })
}

fn p384_signature(bytes: &[u8]) -> Result<p384::ecdsa::Signature, KeyError> {
    p384::ecdsa::Signature::from_der(bytes)
        .or_else(|_| p384::ecdsa::Signature::from_slice(bytes))
        .map_err(|_| {
            KeyError::BadSignature(format!(
                "not an ECDSA P-384 signature ({} bytes, neither DER nor r||s)",
                bytes.len()
            ))
        })
}

/// The PEM label of a SubjectPublicKeyInfo.
const LABEL: &str = p256::pkcs8::SubjectPublicKeyInfoRef::PEM_LABEL;

/// Reads every `PUBLIC KEY` block of a PEM file; `None` when the file does not start with
/// one.
pub fn parse_public_keys(origin: &str, bytes: &[u8]) -> Option<Result<Vec<StoredKey>, String>> {
    let begin = format!("-----BEGIN {LABEL}-----");
    if !bytes.trim_ascii_start().starts_with(begin.as_bytes()) {
        return None;
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(_) => return Some(Err("PEM file is not UTF-8 text".to_owned())),
    };
    let end = format!("-----END {LABEL}-----");
    let mut keys = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&begin) {
        let after = rest.get(start..).unwrap_or_default();
        let Some(stop) = after.find(&end) else {
            return Some(Err(format!("PEM block {} has no END line", keys.len() + 1)));
        };
        let block = after.get(..stop + end.len()).unwrap_or_default();
        let der = match p256::pkcs8::der::pem::decode_vec(block.as_bytes()) {
            Ok((_, der)) => der,
            Err(e) => return Some(Err(format!("PEM block {}: {e}", keys.len() + 1))),
        };
        match PemKey::from_der(&der) {
            Ok(key) => keys.push(StoredKey {
                origin: origin.to_owned(),
                key: PublicKey::Pem(key),
            }),
            Err(e) => return Some(Err(format!("PEM block {}: {e}", keys.len() + 1))),
        }
        rest = after.get(stop + end.len()..).unwrap_or_default();
    }
    Some(Ok(keys))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_pem_is_an_error_not_a_panic() {
        for text in [
            "-----BEGIN PUBLIC KEY-----\n",
            "-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----\n",
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        ] {
            assert!(
                matches!(parse_public_keys("k", text.as_bytes()), Some(Err(_))),
                "{text}"
            );
        }
        assert!(parse_public_keys("k", b"hello").is_none());
    }
}
