//! cosign key-pair signatures: `cosign sign-blob --key cosign.key FILE` prints the base64
//! of a signature over FILE, saved as `FILE.sig`; checked with PEM public keys
//! ([`crate::trust::pem`]).
//!
//! ```text
//! MEUCIQD...==      (one base64 line, no armor)
//! ```
//!
//! What the bytes are depends on the key: an ASN.1 DER ECDSA signature over the file's
//! SHA-256 (P-256, cosign's default; P-384 keys the same way), a 64-byte pure Ed25519
//! signature over the whole file, or an RSA PKCS#1 v1.5 signature over its SHA-256.
//! `openssl dgst -sha256 -sign key.pem FILE | base64 -w0` and
//! `openssl pkeyutl -sign -rawin -inkey ed25519.pem -in FILE | base64 -w0` write the same.
//!
//! ECDSA and RSA reuse the sha256 ingestion computed; the file is never read again. Pure
//! Ed25519 needs the whole message, so the file is read into memory, up to [`ED25519_CAP`]
//! bytes (a larger file is reported `unsupported`). The signature does not name its key,
//! so every trusted key of a fitting algorithm is tried, then the bundle's keys.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::{
    Keys, Outcome, SignatureBody, SignatureFormat, Signed, Subject, Verification, Verifier,
};
use crate::formats::{Confidence, DetectInput, EvidenceFormat, EvidenceKind, ParseInput, Parsed};
use crate::trust::KeyStore;
use crate::trust::pem::{KeyError, PemKey};

/// The largest file an Ed25519 signature is checked against (it is read whole).
pub const ED25519_CAP: u64 = 256 * 1024 * 1024;

/// A parsed cosign signature.
#[derive(Debug, Clone)]
pub struct CosignSignature {
    bytes: Vec<u8>,
    shape: Shape,
}

/// What the decoded bytes can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// ASN.1 DER ECDSA (P-256 or P-384).
    Der,
    /// 64 bytes: Ed25519, or ECDSA P-256 as `r||s`.
    Raw64,
    /// An RSA signature (as long as the modulus).
    Rsa,
}

impl Shape {
    /// Whether a key of this algorithm can check a signature of this shape.
    fn fits(self, key: &PemKey) -> bool {
        matches!(
            (self, key.algorithm()),
            (Shape::Der, "ecdsa-p256" | "ecdsa-p384")
                | (Shape::Raw64, "ed25519" | "ecdsa-p256")
                | (Shape::Rsa, "rsa")
        )
    }

    /// The keys it needs, for reasons.
    fn needs(self) -> &'static str {
        match self {
            Shape::Der => "ECDSA P-256 or P-384",
            Shape::Raw64 => "Ed25519 or ECDSA P-256",
            Shape::Rsa => "RSA",
        }
    }
}

/// The cosign signature format: a `.sig` file of one base64 line.
#[derive(Debug, Clone, Copy, Default)]
pub struct CosignFormat;

impl EvidenceFormat for CosignFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::CosignSignature
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        if !input.file_name().ends_with(".sig") {
            return Confidence::No;
        }
        // Binary `.sig` files are OpenPGP; armored ones are SSH or OpenPGP.
        let Some(text) = input.text.as_deref() else {
            return Confidence::No;
        };
        let text = text.trim();
        if text.starts_with("-----BEGIN") {
            return Confidence::No;
        }
        let by_content = input.head_is_whole_file() && decode(text).is_ok();
        Confidence::of(by_content, true)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        parse(input.path, input.bytes)
    }

    fn max_parse_size(&self) -> u64 {
        64 * 1024
    }
}

/// Parses a cosign `.sig` file at bundle path `path`. A malformed file still yields a
/// signature (whose verification says `malformed`) and a finding.
pub fn parse(path: &str, bytes: &[u8]) -> Parsed {
    let decoded = std::str::from_utf8(bytes)
        .map_err(|_| "not UTF-8 text".to_owned())
        .and_then(|text| decode(text.trim_start_matches('\u{feff}').trim()));
    super::signature_evidence(
        path,
        SignatureFormat::Cosign,
        Subject::Detached,
        decoded.map(SignatureBody::Cosign),
        "sign again with `cosign sign-blob --key cosign.key FILE > FILE.sig`; the file is one \
         base64 line",
    )
}

/// Decodes the base64 line and tells what the bytes can be.
fn decode(text: &str) -> Result<CosignSignature, String> {
    if text.is_empty() {
        return Err("the file is empty".to_owned());
    }
    if text.contains('\n') {
        return Err("more than one line; cosign writes one base64 line".to_owned());
    }
    let bytes = STANDARD
        .decode(text)
        .map_err(|e| format!("not base64 ({e})"))?;
    let der = p256::ecdsa::Signature::from_der(&bytes).is_ok()
        || p384::ecdsa::Signature::from_der(&bytes).is_ok();
    let shape = if der {
        Shape::Der
    } else if bytes.len() == 64 {
        Shape::Raw64
    } else if [256, 384, 512].contains(&bytes.len()) {
        Shape::Rsa
    } else {
        return Err(format!(
            "{} bytes are neither a DER ECDSA signature, a 64-byte Ed25519 signature nor an \
             RSA signature",
            bytes.len()
        ));
    };
    Ok(CosignSignature { bytes, shape })
}

/// What trying one key gave.
enum Attempt {
    Valid,
    Invalid,
    /// The key could not be tried (the file could not be read whole).
    NotTried(String),
}

/// The signed file's bytes, read once, when an Ed25519 key needs them.
struct Message<'a> {
    signed: &'a Signed<'a>,
    bytes: Option<Result<Vec<u8>, String>>,
}

impl Message<'_> {
    fn get(&mut self) -> Result<&[u8], String> {
        let signed = self.signed;
        let read = self.bytes.get_or_insert_with(|| {
            signed.read_all(ED25519_CAP).map_err(|e| {
                format!(
                    "ed25519 signs the whole file and `{}` cannot be read whole: {e}",
                    signed.path
                )
            })
        });
        match read {
            Ok(bytes) => Ok(bytes.as_slice()),
            Err(reason) => Err(reason.clone()),
        }
    }
}

impl CosignSignature {
    fn attempt(&self, key: &PemKey, signed: &Signed<'_>, message: &mut Message<'_>) -> Attempt {
        let result = if key.is_ed25519() {
            match message.get() {
                Ok(bytes) => key.verify_message(bytes, &self.bytes),
                Err(reason) => return Attempt::NotTried(reason),
            }
        } else {
            key.verify_sha256_digest(&signed.sha256.0, &self.bytes)
        };
        match result {
            Ok(()) => Attempt::Valid,
            Err(KeyError::BadSignature(_)) => Attempt::Invalid,
            Err(KeyError::Unsupported(reason)) => Attempt::NotTried(reason),
        }
    }

    /// The keys of `store` that fit this signature, in load order.
    fn candidates<'s>(&self, store: &'s KeyStore) -> Vec<(&'s str, &'s PemKey)> {
        store.pem().filter(|(_, k)| self.shape.fits(k)).collect()
    }
}

impl Verifier for CosignSignature {
    fn verify(&self, signed: &Signed<'_>, keys: &Keys<'_>) -> Vec<Verification> {
        let mut message = Message {
            signed,
            bytes: None,
        };
        let trusted = self.candidates(keys.trusted);
        let mut not_tried = None;
        let mut tried = 0usize;
        for (_, key) in &trusted {
            match self.attempt(key, signed, &mut message) {
                Attempt::Valid => return vec![Verification::verified().with_key_id(key.key_id())],
                Attempt::Invalid => tried += 1,
                Attempt::NotTried(reason) => not_tried = not_tried.or(Some(reason)),
            }
        }
        for (origin, key) in self.candidates(keys.bundle) {
            if let Attempt::Valid = self.attempt(key, signed, &mut message) {
                let id = key.key_id();
                let reason = format!(
                    "valid, but key {} is only in the bundle ({origin}), not trusted",
                    short(&id)
                );
                return vec![
                    Verification::failed(Outcome::UntrustedKey, true, reason).with_key_id(id),
                ];
            }
        }
        let failed = match (tried, not_tried) {
            (0, Some(reason)) => Verification::failed(Outcome::Unsupported, false, reason),
            (0, None) => {
                let have = algorithms(keys.trusted);
                let reason = if have.is_empty() {
                    format!(
                        "no public key in the trust set; it needs an {} key",
                        self.shape.needs()
                    )
                } else {
                    format!(
                        "no {} key in the trust set to check it with (it has {})",
                        self.shape.needs(),
                        have.join(", ")
                    )
                };
                Verification::failed(Outcome::UntrustedKey, false, reason)
            }
            (n, _) => {
                let listed = trusted
                    .iter()
                    .map(|(origin, key)| format!("{} from {origin}", short(&key.key_id())))
                    .collect::<Vec<_>>()
                    .join(", ");
                let keys_word = if n == 1 { "key" } else { "keys" };
                let reason = format!(
                    "does not verify with the trusted {keys_word} ({listed}): `{}` or the \
                     signature was altered, or another key made it",
                    signed.path
                );
                let v = Verification::failed(Outcome::BadSignature, false, reason);
                match trusted.as_slice() {
                    [(_, only)] => v.with_key_id(only.key_id()),
                    _ => v,
                }
            }
        };
        vec![failed]
    }
}

/// The first 16 hex digits of a key id, for reasons.
fn short(id: &str) -> &str {
    id.get(..16).unwrap_or(id)
}

/// The algorithms of the PEM keys in `store`, sorted, once each.
fn algorithms(store: &KeyStore) -> Vec<&'static str> {
    let mut algs: Vec<&'static str> = store.pem().map(|(_, k)| k.algorithm()).collect();
    algs.sort_unstable();
    algs.dedup();
    algs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_told_apart() {
        let b64 = |bytes: &[u8]| STANDARD.encode(bytes);
        assert!(matches!(decode(&b64(&[7u8; 64])), Ok(s) if s.shape == Shape::Raw64));
        assert!(matches!(decode(&b64(&[7u8; 256])), Ok(s) if s.shape == Shape::Rsa));
        assert!(decode(&b64(&[7u8; 10])).is_err());
        assert!(decode("!!!!").is_err());
        assert!(decode("").is_err());
        assert!(decode("AAAA AAAA").is_err());
        assert!(decode("AAAA\nAAAA").is_err());
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        for bytes in [&b""[..], b"not base64 at all", b"\xff\xfe\x00", b"QUJD\n"] {
            let parsed = parse("x.sig", bytes);
            assert_eq!(parsed.findings.len(), 1, "{bytes:?}");
        }
    }
}
