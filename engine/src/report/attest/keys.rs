//! The keys that sign and verify report attestations: Ed25519 and ECDSA P-256, read from a
//! PKCS#8 PEM private key (as `openssl genpkey` writes it) or an unencrypted OpenSSH private
//! key (as `ssh-keygen -N ''` writes it); the public side from a PEM SubjectPublicKeyInfo or
//! an OpenSSH public key line.
//!
//! A key's id is the lowercase hex sha256 of its DER SubjectPublicKeyInfo, the id PEM trust
//! keys have in reports.

use ed25519_dalek::pkcs8::{DecodePrivateKey as _, EncodePublicKey as _};
use p256::ecdsa::signature::Signer as _;

use super::AttestError;
use crate::digest::Sha256Digest;
use crate::trust::pem::PemKey;

/// A private key that signs attestations.
pub struct SigningKey {
    kind: SigningKind,
    /// The DER SubjectPublicKeyInfo of its public key.
    spki: Vec<u8>,
}

enum SigningKind {
    Ed25519(ed25519_dalek::SigningKey),
    P256(p256::ecdsa::SigningKey),
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("algorithm", &self.algorithm())
            .field("key_id", &self.key_id())
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Reads a private key: PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`, Ed25519 or P-256) or
    /// an OpenSSH private key (`-----BEGIN OPENSSH PRIVATE KEY-----`, Ed25519 or
    /// ecdsa-sha2-nistp256, not encrypted).
    pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<SigningKey, AttestError> {
        let bad = |reason: String| AttestError::BadSigningKey {
            path: name.to_owned(),
            reason,
        };
        let text = std::str::from_utf8(bytes)
            .map_err(|_| bad("it is not a PEM or OpenSSH text file".to_owned()))?;
        let kind = if text.contains("-----BEGIN OPENSSH PRIVATE KEY-----") {
            let key = ssh_key::PrivateKey::from_openssh(text)
                .map_err(|e| bad(format!("not a readable OpenSSH private key: {e}")))?;
            if key.is_encrypted() {
                return Err(bad(
                    "the OpenSSH key is encrypted: give an unencrypted key (a CI secret), e.g. \
                     `ssh-keygen -p -N ''` on a copy"
                        .to_owned(),
                ));
            }
            match key.key_data() {
                ssh_key::private::KeypairData::Ed25519(k) => SigningKind::Ed25519(
                    ed25519_dalek::SigningKey::from_bytes(&k.private.to_bytes()),
                ),
                ssh_key::private::KeypairData::Ecdsa(
                    ssh_key::private::EcdsaKeypair::NistP256 { private, .. },
                ) => SigningKind::P256(
                    p256::ecdsa::SigningKey::from_slice(private.as_slice())
                        .map_err(|e| bad(format!("the P-256 private key is invalid: {e}")))?,
                ),
                other => {
                    return Err(bad(format!(
                        "an OpenSSH {} key: vouch signs with Ed25519 or ECDSA P-256",
                        other
                            .algorithm()
                            .map_or_else(|_| "unknown".to_owned(), |a| a.to_string())
                    )));
                }
            }
        } else if text.contains("-----BEGIN PRIVATE KEY-----") {
            if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_pem(text) {
                SigningKind::Ed25519(k)
            } else if let Ok(k) = p256::ecdsa::SigningKey::from_pkcs8_pem(text) {
                SigningKind::P256(k)
            } else {
                return Err(bad(
                    "a PKCS#8 key that is neither Ed25519 nor ECDSA P-256".to_owned()
                ));
            }
        } else if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            return Err(bad(
                "the PKCS#8 key is encrypted: give an unencrypted key (a CI secret)".to_owned(),
            ));
        } else {
            return Err(bad(
                "not a PKCS#8 PEM private key (`openssl genpkey`) or an OpenSSH private key \
                 (`ssh-keygen`)"
                    .to_owned(),
            ));
        };
        let spki = match &kind {
            SigningKind::Ed25519(k) => k.verifying_key().to_public_key_der(),
            SigningKind::P256(k) => k.verifying_key().to_public_key_der(),
        }
        .map_err(|e| bad(format!("cannot encode its public key: {e}")))?
        .into_vec();
        Ok(SigningKey { kind, spki })
    }

    /// `ed25519` or `ecdsa-p256`.
    pub fn algorithm(&self) -> &'static str {
        match self.kind {
            SigningKind::Ed25519(_) => "ed25519",
            SigningKind::P256(_) => "ecdsa-p256",
        }
    }

    /// The key id: lowercase hex sha256 of the DER public key.
    pub fn key_id(&self) -> String {
        Sha256Digest::of(&self.spki).to_hex()
    }

    /// Signs `message`: Ed25519 (pure, 64 bytes) or ECDSA P-256 with SHA-256 (ASN.1 DER),
    /// as DSSE and cosign write them. Both are deterministic.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        match &self.kind {
            SigningKind::Ed25519(k) => k.sign(message).to_bytes().to_vec(),
            SigningKind::P256(k) => {
                let sig: p256::ecdsa::Signature = k.sign(message);
                sig.to_der().as_bytes().to_vec()
            }
        }
    }
}

/// Reads the public key that must have signed an attestation: a PEM SubjectPublicKeyInfo
/// (`openssl pkey -pubout`) or an OpenSSH public key line (`KEY.pub`, Ed25519 or
/// ecdsa-sha2-nistp256).
pub fn verifying_key(name: &str, bytes: &[u8]) -> Result<PemKey, AttestError> {
    let bad = |reason: String| AttestError::BadSigner {
        path: name.to_owned(),
        reason,
    };
    let text =
        std::str::from_utf8(bytes).map_err(|_| bad("it is not a text key file".to_owned()))?;
    if text.contains("-----BEGIN PUBLIC KEY-----") {
        use p256::pkcs8::der::pem::PemLabel as _;
        let (label, der) = p256::pkcs8::der::pem::decode_vec(text.trim().as_bytes())
            .map_err(|e| bad(format!("not a PEM public key: {e}")))?;
        if label != p256::pkcs8::SubjectPublicKeyInfoRef::PEM_LABEL {
            return Err(bad(format!("a PEM `{label}`, not a `PUBLIC KEY`")));
        }
        return PemKey::from_der(&der).map_err(bad);
    }
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .ok_or_else(|| bad("the file is empty".to_owned()))?;
    let key = ssh_key::PublicKey::from_openssh(line)
        .map_err(|e| bad(format!("not a PEM or OpenSSH public key: {e}")))?;
    let der = match key.key_data() {
        ssh_key::public::KeyData::Ed25519(k) => ed25519_dalek::VerifyingKey::from_bytes(&k.0)
            .map_err(|e| bad(format!("invalid Ed25519 key: {e}")))?
            .to_public_key_der(),
        ssh_key::public::KeyData::Ecdsa(ssh_key::public::EcdsaPublicKey::NistP256(point)) => {
            p256::ecdsa::VerifyingKey::from_sec1_bytes(point.as_bytes())
                .map_err(|e| bad(format!("invalid P-256 key: {e}")))?
                .to_public_key_der()
        }
        other => {
            return Err(bad(format!(
                "an OpenSSH {} key: report attestations are signed with Ed25519 or ECDSA P-256",
                other.algorithm()
            )));
        }
    }
    .map_err(|e| bad(format!("cannot encode the public key: {e}")))?;
    PemKey::from_der(der.as_bytes()).map_err(bad)
}
