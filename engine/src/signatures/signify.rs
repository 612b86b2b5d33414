//! signify (OpenBSD's Ed25519 signing tool, `signify-openbsd` on Debian): detached
//! signatures (`.sig`), embedded signatures (`signify -S -e`, as OpenBSD's `SHA256.sig`: the
//! signature block followed by the signed message) and public keys (`.pub`), verified with
//! `ed25519-dalek`.
//!
//! ```text
//! untrusted comment: verify with openbsd-76-base.pub
//! RWQ...   (base64: `Ed`, the 8-byte key number, the 64-byte Ed25519 signature)
//! SHA256 (base.tgz) = 3c0f...          (embedded only: the signed message)
//! ```
//!
//! A public key is the same two lines with `Ed`, the key number and the 32-byte key. The
//! signature is pure Ed25519 over the whole message (no pre-hash), so a detached signature's
//! file is read whole, up to [`DETACHED_CAP`] bytes. The key number names the key: a
//! signature whose key number is not in the trust set is `untrusted-key`; one that does not
//! verify with the key its number names is `bad-signature`. The comment line is not signed
//! and is never shown as the signer.
//!
//! minisign uses the same public key layout and a 74-byte signature line that also starts
//! with `Ed`, but its signature files go on with a `trusted comment:` line, and its key files'
//! comment says `minisign public key`: those are left to [`super::minisign`].

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, VerifyingKey};

use super::{
    Keys, Outcome, SignatureBody, SignatureFormat, Signed, Subject, Verification, Verifier,
};
use crate::formats::{Confidence, DetectInput, EvidenceFormat, EvidenceKind, ParseInput, Parsed};
use crate::trust::{KeyStore, PublicKey, StoredKey};

/// The largest file a detached signature is checked against (it is read whole).
pub const DETACHED_CAP: u64 = 256 * 1024 * 1024;

/// The first line's prefix, as signify writes and requires it.
const COMMENT: &str = "untrusted comment:";

/// The decoded length of a signature line: `Ed`, key number, signature.
const SIG_LEN: usize = 2 + 8 + 64;

/// The decoded length of a public key line: `Ed`, key number, key.
const KEY_LEN: usize = 2 + 8 + 32;

/// A parsed signify signature.
#[derive(Clone)]
pub struct SignifySignature {
    keynum: [u8; 8],
    signature: Signature,
    /// The signed message of an embedded signature (`None`: detached, signs another file).
    message: Option<Arc<[u8]>>,
}

impl std::fmt::Debug for SignifySignature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignifySignature")
            .field("key_number", &key_number_text(&self.keynum))
            .field("embedded", &self.message.is_some())
            .finish()
    }
}

/// A signify public key.
#[derive(Debug, Clone)]
pub struct SignifyKey {
    key: VerifyingKey,
    keynum: [u8; 8],
}

impl SignifyKey {
    /// The key number as 16 uppercase hex digits, in the order of its bytes.
    pub fn key_id(&self) -> String {
        key_number_text(&self.keynum)
    }
}

fn key_number_text(keynum: &[u8; 8]) -> String {
    keynum.iter().map(|b| format!("{b:02X}")).collect()
}

/// The first two lines of `text` and what follows them (the embedded message), when the
/// first line is a signify comment line. Lines end with `\n` exactly, as signify writes them.
fn split(bytes: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let first_end = bytes.iter().position(|b| *b == b'\n')?;
    let first = bytes.get(..first_end)?;
    if !first.starts_with(COMMENT.as_bytes()) {
        return None;
    }
    let rest = bytes.get(first_end + 1..)?;
    let (second, message) = match rest.iter().position(|b| *b == b'\n') {
        Some(end) => (rest.get(..end)?, rest.get(end + 1..)?),
        None => (rest, &b""[..]),
    };
    Some((first, second, message))
}

fn decode_line(line: &[u8]) -> Result<Vec<u8>, String> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    STANDARD
        .decode(line.trim_ascii())
        .map_err(|e| format!("the second line is not base64 ({e})"))
}

/// Whether `bytes` start like a signify signature (comment line, then a line that is not a
/// signify public key) and not like a minisign signature (whose third line is a `trusted
/// comment:`). The signature may still be broken: parsing says how.
pub fn looks_like_signature(bytes: &[u8]) -> bool {
    let Some((_, second, message)) = split(bytes) else {
        return false;
    };
    if message.starts_with(b"trusted comment:") {
        return false;
    }
    !matches!(decode_line(second), Ok(raw) if raw.len() == KEY_LEN && raw.starts_with(b"Ed"))
}

/// Whether `bytes` hold an embedded signature: a signify signature block followed by a
/// message.
pub fn looks_embedded(bytes: &[u8]) -> bool {
    looks_like_signature(bytes) && split(bytes).is_some_and(|(_, _, m)| !m.trim_ascii().is_empty())
}

/// The signify signature format.
#[derive(Debug, Clone, Copy, Default)]
pub struct SignifyFormat;

impl EvidenceFormat for SignifyFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::SignifySignature
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        if !looks_like_signature(input.head) {
            return Confidence::No;
        }
        // An embedded signature over a checksum file (OpenBSD's `SHA256.sig`) is a checksum
        // file first: the content alone speaks, so the checksum format (registered first)
        // wins the tie and the signature is read as embedded in it.
        let detached = split(input.head).is_some_and(|(_, _, m)| m.trim_ascii().is_empty());
        Confidence::of(true, detached && input.file_name().ends_with(".sig"))
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        parse(input.path, input.bytes)
    }

    /// Embedded signatures carry their message; OpenBSD's `SHA256.sig` is a few kB.
    fn max_parse_size(&self) -> u64 {
        16 * 1024 * 1024
    }
}

/// Parses a signify signature file at bundle path `path`: detached when nothing follows the
/// signature line, embedded (signing the rest of the file) otherwise. A malformed file still
/// yields a signature (whose verification says `malformed`) and a finding.
pub fn parse(path: &str, bytes: &[u8]) -> Parsed {
    let decoded = decode_signature(bytes);
    let subject = match &decoded {
        Ok(s) if s.message.is_some() => Subject::Itself,
        Ok(_) => Subject::Detached,
        Err(_) if looks_embedded(bytes) => Subject::Itself,
        Err(_) => Subject::Detached,
    };
    super::signature_evidence(
        path,
        SignatureFormat::Signify,
        subject,
        decoded.map(SignatureBody::Signify),
        "sign again with `signify-openbsd -S -s KEY.sec -m FILE` (detached, FILE.sig) or \
         `signify-openbsd -S -e -s KEY.sec -m FILE -x FILE.sig` (embedded); the signature is \
         a comment line and one base64 line",
    )
}

fn decode_signature(bytes: &[u8]) -> Result<SignifySignature, String> {
    let Some((_, second, message)) = split(bytes) else {
        return Err(format!("the file does not start with `{COMMENT}`"));
    };
    if second.trim_ascii().is_empty() {
        return Err("truncated: the signature line is missing".to_owned());
    }
    let raw = decode_line(second)?;
    if raw.len() != SIG_LEN {
        return Err(format!(
            "the signature line holds {} bytes, not {SIG_LEN}",
            raw.len()
        ));
    }
    let (algorithm, keynum, signature) = match (raw.get(..2), raw.get(2..10), raw.get(10..)) {
        (Some(a), Some(k), Some(s)) => (a, k, s),
        _ => return Err("the signature line is too short".to_owned()),
    };
    if algorithm != b"Ed" {
        return Err(format!(
            "unknown signature algorithm {:?} (signify signs with `Ed`)",
            String::from_utf8_lossy(algorithm)
        ));
    }
    let mut id = [0u8; 8];
    id.copy_from_slice(keynum);
    let signature = Signature::from_slice(signature).map_err(|e| e.to_string())?;
    // Nothing but line breaks after the signature line: a detached signature (as detection
    // judges it), not one embedded over an empty message.
    let message = (!message.trim_ascii().is_empty()).then(|| Arc::<[u8]>::from(message));
    Ok(SignifySignature {
        keynum: id,
        signature,
        message,
    })
}

/// Reads a signify public key file (`untrusted comment:` line, then the base64 key); `None`
/// when the file is not one (minisign public keys, whose comment says so, are minisign's).
pub fn parse_public_keys(origin: &str, bytes: &[u8]) -> Option<Result<Vec<StoredKey>, String>> {
    let (first, second, rest) = split(bytes)?;
    if String::from_utf8_lossy(first).contains("minisign public key") {
        return None;
    }
    let raw = decode_line(second).ok()?;
    if raw.len() != KEY_LEN || !raw.starts_with(b"Ed") {
        return None;
    }
    if !rest.trim_ascii().is_empty() {
        return Some(Err(
            "signify public key file has text after the key line".to_owned()
        ));
    }
    let (Some(keynum), Some(key)) = (raw.get(2..10), raw.get(10..)) else {
        return None;
    };
    let mut id = [0u8; 8];
    id.copy_from_slice(keynum);
    let key = <[u8; 32]>::try_from(key).ok()?;
    Some(
        VerifyingKey::from_bytes(&key)
            .map_err(|e| format!("signify public key is not an Ed25519 point: {e}"))
            .map(|key| {
                vec![StoredKey {
                    origin: origin.to_owned(),
                    key: PublicKey::Signify(SignifyKey { key, keynum: id }),
                }]
            }),
    )
}

impl SignifySignature {
    fn check(&self, key: &SignifyKey, signed: &Signed<'_>) -> Result<(), String> {
        let read;
        let message: &[u8] = match &self.message {
            Some(m) => m,
            None => {
                read = signed
                    .read_all(DETACHED_CAP)
                    .map_err(|e| format!("cannot read `{}`: {e}", signed.path))?;
                &read
            }
        };
        key.key
            .verify_strict(message, &self.signature)
            .map_err(|_| "the signature does not match the signed data".to_owned())
    }
}

fn find(store: &KeyStore, keynum: &[u8; 8]) -> Option<(String, SignifyKey)> {
    store
        .signify()
        .find(|(_, k)| k.keynum == *keynum)
        .map(|(origin, k)| (origin.to_owned(), k.clone()))
}

impl Verifier for SignifySignature {
    fn verify(&self, signed: &Signed<'_>, keys: &Keys<'_>) -> Vec<Verification> {
        let id = key_number_text(&self.keynum);
        if let Some((origin, key)) = find(keys.trusted, &self.keynum) {
            let v = match self.check(&key, signed) {
                Ok(()) => Verification::verified(),
                Err(reason) => Verification::failed(
                    Outcome::BadSignature,
                    false,
                    format!("{reason} (key {id} from {origin})"),
                ),
            };
            return vec![v.with_key_id(id)];
        }
        if let Some((origin, key)) = find(keys.bundle, &self.keynum) {
            let v = match self.check(&key, signed) {
                Ok(()) => Verification::failed(
                    Outcome::UntrustedKey,
                    true,
                    format!("valid, but key {id} is only in the bundle ({origin}), not trusted"),
                ),
                Err(reason) => Verification::failed(Outcome::BadSignature, false, reason),
            };
            return vec![v.with_key_id(id)];
        }
        vec![
            Verification::failed(
                Outcome::UntrustedKey,
                false,
                format!("no signify key {id} in the trust set"),
            )
            .with_key_id(id),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        for bytes in [
            &b"untrusted comment: x\n"[..],
            b"untrusted comment: x\n!!!!\n",
            b"untrusted comment: x\nRWQA\n",
            b"untrusted comment: x\nRWRoZWxsbw==",
            b"untrusted comment: x",
        ] {
            let parsed = parse("x.sig", bytes);
            assert_eq!(parsed.findings.len(), 1, "{bytes:?}");
        }
    }

    #[test]
    fn minisign_files_are_not_signify() {
        let line = STANDARD.encode([b"Ed".as_slice(), &[0u8; 72]].concat());
        let minisign = format!("untrusted comment: x\n{line}\ntrusted comment: t\n{line}\n");
        assert!(!looks_like_signature(minisign.as_bytes()));
        let signify = format!("untrusted comment: x\n{line}\n");
        assert!(looks_like_signature(signify.as_bytes()));
        assert!(!looks_embedded(signify.as_bytes()));
        let key = STANDARD.encode([b"Ed".as_slice(), &[1u8; 40]].concat());
        let minisign_key = format!("untrusted comment: minisign public key 01\n{key}\n");
        assert!(parse_public_keys("k", minisign_key.as_bytes()).is_none());
        assert!(!looks_like_signature(minisign_key.as_bytes()));
    }
}
