//! A pure-Rust cryptography provider for the Sigstore verifier (`sigstore-crypto`).
//!
//! `sigstore-crypto` uses aws-lc-rs by default, a C library whose build needs cmake. vouch
//! builds it without that feature and installs this provider instead: verification only,
//! on the RustCrypto crates the other signature formats already use (p256, p384,
//! ed25519-dalek, rsa, sha2). Schemes it does not implement (ML-DSA) fail as unsupported,
//! never as valid.

use sha2::Digest as _;
use sigstore_crypto::{CryptoProvider, Error, HashContext, Result, SigningScheme};
use sigstore_types::HashAlgorithm;

/// The RustCrypto provider (verification only).
#[derive(Debug)]
pub struct RustCryptoProvider;

/// The one instance, installed process-wide by [`install`].
static PROVIDER: RustCryptoProvider = RustCryptoProvider;

/// Installs the provider as `sigstore-crypto`'s default, once per process; later calls
/// (and a provider installed before) leave it as it is.
pub fn install() {
    // Err means one is installed already: this one, from an earlier call.
    let _ = sigstore_crypto::install_default_provider(&PROVIDER);
}

enum Hasher {
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl HashContext for Hasher {
    fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha384(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
        }
    }

    fn finalize(self: Box<Self>) -> Vec<u8> {
        match *self {
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha384(h) => h.finalize().to_vec(),
            Hasher::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

fn invalid(scheme: SigningScheme) -> Error {
    Error::Verification(format!("{} signature invalid", scheme.name()))
}

fn digest_of(algorithm: HashAlgorithm, data: &[u8]) -> Result<Vec<u8>> {
    Ok(match algorithm {
        HashAlgorithm::Sha2256 => sha2::Sha256::digest(data).to_vec(),
        HashAlgorithm::Sha2384 => sha2::Sha384::digest(data).to_vec(),
        HashAlgorithm::Sha2512 => sha2::Sha512::digest(data).to_vec(),
        other => return Err(Error::UnsupportedAlgorithm(format!("{other:?}"))),
    })
}

fn verify_ecdsa_prehash(
    scheme: SigningScheme,
    point: &[u8],
    digest: &[u8],
    signature: &[u8],
) -> Result<()> {
    use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
    match scheme {
        SigningScheme::EcdsaP256Sha256 | SigningScheme::EcdsaP256Sha384 => {
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
                .map_err(|e| Error::InvalidKey(e.to_string()))?;
            let sig = p256::ecdsa::Signature::from_der(signature).map_err(|_| invalid(scheme))?;
            key.verify_prehash(digest, &sig)
                .map_err(|_| invalid(scheme))
        }
        SigningScheme::EcdsaP384Sha256 | SigningScheme::EcdsaP384Sha384 => {
            let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(point)
                .map_err(|e| Error::InvalidKey(e.to_string()))?;
            let sig = p384::ecdsa::Signature::from_der(signature).map_err(|_| invalid(scheme))?;
            key.verify_prehash(digest, &sig)
                .map_err(|_| invalid(scheme))
        }
        _ => Err(Error::UnsupportedAlgorithm(scheme.name().to_owned())),
    }
}

fn verify_rsa_prehash(
    scheme: SigningScheme,
    pkcs1: &[u8],
    digest: &[u8],
    signature: &[u8],
) -> Result<()> {
    use rsa::pkcs1::DecodeRsaPublicKey as _;
    use rsa::sha2::{Sha256, Sha384, Sha512};
    let key =
        rsa::RsaPublicKey::from_pkcs1_der(pkcs1).map_err(|e| Error::InvalidKey(e.to_string()))?;
    let outcome = match scheme {
        SigningScheme::RsaPkcs1Sha256 => {
            key.verify(rsa::Pkcs1v15Sign::new::<Sha256>(), digest, signature)
        }
        SigningScheme::RsaPkcs1Sha384 => {
            key.verify(rsa::Pkcs1v15Sign::new::<Sha384>(), digest, signature)
        }
        SigningScheme::RsaPkcs1Sha512 => {
            key.verify(rsa::Pkcs1v15Sign::new::<Sha512>(), digest, signature)
        }
        SigningScheme::RsaPssSha256 => key.verify(rsa::Pss::new::<Sha256>(), digest, signature),
        SigningScheme::RsaPssSha384 => key.verify(rsa::Pss::new::<Sha384>(), digest, signature),
        SigningScheme::RsaPssSha512 => key.verify(rsa::Pss::new::<Sha512>(), digest, signature),
        _ => return Err(Error::UnsupportedAlgorithm(scheme.name().to_owned())),
    };
    outcome.map_err(|_| invalid(scheme))
}

impl CryptoProvider for RustCryptoProvider {
    fn hash(&self, algorithm: HashAlgorithm) -> Result<Box<dyn HashContext>> {
        Ok(Box::new(match algorithm {
            HashAlgorithm::Sha2256 => Hasher::Sha256(sha2::Sha256::new()),
            HashAlgorithm::Sha2384 => Hasher::Sha384(sha2::Sha384::new()),
            HashAlgorithm::Sha2512 => Hasher::Sha512(sha2::Sha512::new()),
            other => return Err(Error::UnsupportedAlgorithm(format!("{other:?}"))),
        }))
    }

    fn verify_raw(
        &self,
        scheme: SigningScheme,
        spki_pubkey_bytes: &[u8],
        data: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        if scheme == SigningScheme::Ed25519 {
            let bytes: [u8; 32] = spki_pubkey_bytes
                .try_into()
                .map_err(|_| Error::InvalidKey("Ed25519 keys are 32 bytes".to_owned()))?;
            let key = ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                .map_err(|e| Error::InvalidKey(e.to_string()))?;
            let sig =
                ed25519_dalek::Signature::from_slice(signature).map_err(|_| invalid(scheme))?;
            return key.verify_strict(data, &sig).map_err(|_| invalid(scheme));
        }
        let Some(algorithm) = scheme.hash_algorithm() else {
            return Err(Error::UnsupportedAlgorithm(format!(
                "{} is not verified by vouch's Sigstore provider",
                scheme.name()
            )));
        };
        self.verify_prehashed(
            scheme,
            spki_pubkey_bytes,
            &digest_of(algorithm, data)?,
            signature,
        )
    }

    fn verify_prehashed(
        &self,
        scheme: SigningScheme,
        spki_pubkey_bytes: &[u8],
        digest: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        let expected = scheme.hash_algorithm().map(|a| a.digest_size());
        if expected != Some(digest.len()) {
            return Err(Error::Verification(format!(
                "{}: a {}-byte digest does not fit the scheme",
                scheme.name(),
                digest.len()
            )));
        }
        match scheme {
            SigningScheme::EcdsaP256Sha256
            | SigningScheme::EcdsaP256Sha384
            | SigningScheme::EcdsaP384Sha256
            | SigningScheme::EcdsaP384Sha384 => {
                verify_ecdsa_prehash(scheme, spki_pubkey_bytes, digest, signature)
            }
            _ => verify_rsa_prehash(scheme, spki_pubkey_bytes, digest, signature),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Signer as _;

    #[test]
    fn verifies_ecdsa_and_refuses_a_changed_message() {
        let secret = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]);
        assert!(secret.is_ok(), "a fixed scalar makes a key");
        let Ok(secret) = secret else {
            return;
        };
        let point = secret.verifying_key().to_encoded_point(false);
        let sig: p256::ecdsa::Signature = secret.sign(b"hello");
        let der = sig.to_der();
        let p = RustCryptoProvider;
        let scheme = SigningScheme::EcdsaP256Sha256;
        assert!(
            p.verify_raw(scheme, point.as_bytes(), b"hello", der.as_bytes())
                .is_ok()
        );
        assert!(
            p.verify_raw(scheme, point.as_bytes(), b"hellO", der.as_bytes())
                .is_err()
        );
        assert!(
            p.verify_raw(SigningScheme::MlDsa44, point.as_bytes(), b"hello", &[])
                .is_err()
        );
    }
}
