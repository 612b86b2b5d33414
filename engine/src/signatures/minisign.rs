//! minisign signatures (`.minisig`) and public keys, verified with `minisign-verify`.
//!
//! ```text
//! untrusted comment: signature from minisign secret key
//! RUQ...   (algorithm, key id, Ed25519 signature of the file's BLAKE2b-512)
//! trusted comment: timestamp:1700000000<TAB>file:widget.tar.gz<TAB>hashed
//! ...      (Ed25519 signature of the signature and the trusted comment)
//! ```
//!
//! Pre-hashed signatures (`ED`, the default since minisign 0.8) are streamed; legacy ones
//! (`Ed`) sign the whole file and are verified on files up to [`LEGACY_CAP`] bytes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use minisign_verify::{Error as MsError, PublicKey as MsPublicKey, Signature as MsSignature};

use super::{
    Keys, Outcome, SignatureBody, SignatureFormat, Signed, Subject, Verification, Verifier,
};
use crate::formats::{Confidence, DetectInput, EvidenceFormat, EvidenceKind, ParseInput, Parsed};
use crate::trust::{PublicKey, StoredKey};

/// The largest file a legacy (not pre-hashed) signature is checked against.
pub const LEGACY_CAP: u64 = 256 * 1024 * 1024;

/// A parsed minisign signature.
#[derive(Clone)]
pub struct MinisignSignature {
    signature: MsSignature,
    key_id: [u8; 8],
    prehashed: bool,
}

impl std::fmt::Debug for MinisignSignature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MinisignSignature")
            .field("key_id", &key_id_text(&self.key_id))
            .field("trusted_comment", &self.signature.trusted_comment())
            .finish()
    }
}

/// A minisign public key.
#[derive(Debug, Clone)]
pub struct MinisignKey {
    key: MsPublicKey,
    key_id: [u8; 8],
}

impl MinisignKey {
    /// The key id as minisign prints it (16 uppercase hex digits).
    pub fn key_id(&self) -> String {
        key_id_text(&self.key_id)
    }
}

/// The minisign signature format.
#[derive(Debug, Clone, Copy, Default)]
pub struct MinisignFormat;

impl EvidenceFormat for MinisignFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::MinisignSignature
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let by_name = input.file_name().ends_with(".minisig");
        let by_content = input.text.as_deref().is_some_and(|text| {
            let mut lines = text.lines();
            lines
                .next()
                .is_some_and(|l| l.starts_with("untrusted comment:"))
                && lines
                    .nth(1)
                    .is_some_and(|l| l.starts_with("trusted comment:"))
        });
        Confidence::of(by_content, by_name)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        parse(input.path, input.bytes)
    }

    fn max_parse_size(&self) -> u64 {
        64 * 1024
    }
}

/// Parses a `.minisig` file at bundle path `path`. A malformed file still yields a
/// signature (whose verification says `malformed`) and a finding.
pub fn parse(path: &str, bytes: &[u8]) -> Parsed {
    super::signature_evidence(
        path,
        SignatureFormat::Minisign,
        Subject::Detached,
        decode_signature(bytes).map(SignatureBody::Minisign),
        "sign again with `minisign -S -m FILE`; the .minisig file has four lines",
    )
}

fn decode_signature(bytes: &[u8]) -> Result<MinisignSignature, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned())?;
    let second = text
        .lines()
        .nth(1)
        .ok_or_else(|| "the signature line is missing".to_owned())?;
    let raw = STANDARD
        .decode(second.trim())
        .map_err(|e| format!("the signature line is not base64 ({e})"))?;
    let (algorithm, key_id) = match (raw.get(..2), raw.get(2..10)) {
        (Some(a), Some(k)) if raw.len() == 74 => (a, k),
        _ => {
            return Err(format!(
                "the signature line holds {} bytes, not 74",
                raw.len()
            ));
        }
    };
    let prehashed = match algorithm {
        b"ED" => true,
        b"Ed" => false,
        other => {
            return Err(format!(
                "unknown signature algorithm {:?}",
                String::from_utf8_lossy(other)
            ));
        }
    };
    let signature = MsSignature::decode(text).map_err(|e| describe(&e))?;
    let mut id = [0u8; 8];
    id.copy_from_slice(key_id);
    Ok(MinisignSignature {
        signature,
        key_id: id,
        prehashed,
    })
}

/// Reads a minisign public key file (`untrusted comment:` line, then the base64 key), or a
/// bare base64 key line.
pub fn parse_public_keys(origin: &str, bytes: &[u8]) -> Option<Result<Vec<StoredKey>, String>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next()?;
    let key_line = if let Some(comment) = first.strip_prefix("untrusted comment:") {
        if !comment.contains("minisign public key") {
            return None;
        }
        lines.next()
    } else if first.starts_with("RW") && first.len() == 56 && lines.next().is_none() {
        Some(first)
    } else {
        return None;
    };
    let Some(key_line) = key_line else {
        return Some(Err("minisign public key file has no key line".to_owned()));
    };
    Some(decode_key(key_line).map(|key| {
        vec![StoredKey {
            origin: origin.to_owned(),
            key: PublicKey::Minisign(key),
        }]
    }))
}

fn decode_key(line: &str) -> Result<MinisignKey, String> {
    let raw = STANDARD
        .decode(line.trim())
        .map_err(|e| format!("minisign public key is not base64 ({e})"))?;
    let key_id = raw
        .get(2..10)
        .filter(|_| raw.len() == 42)
        .ok_or_else(|| format!("minisign public key holds {} bytes, not 42", raw.len()))?;
    let mut id = [0u8; 8];
    id.copy_from_slice(key_id);
    let key = MsPublicKey::from_base64(line.trim()).map_err(|e| describe(&e))?;
    Ok(MinisignKey { key, key_id: id })
}

/// minisign's key id text: the 8 bytes as a little-endian number, in uppercase hex.
fn key_id_text(id: &[u8; 8]) -> String {
    format!("{:016X}", u64::from_le_bytes(*id))
}

fn describe(e: &MsError) -> String {
    match e {
        MsError::InvalidEncoding => "invalid encoding".to_owned(),
        MsError::InvalidSignature => "the signature does not match the file".to_owned(),
        MsError::UnexpectedAlgorithm | MsError::UnsupportedAlgorithm => {
            "unsupported signature algorithm".to_owned()
        }
        MsError::UnexpectedKeyId => "signed by another key".to_owned(),
        MsError::UnsupportedLegacyMode => "legacy signature cannot be streamed".to_owned(),
        MsError::IoError(e) => format!("cannot read the signed file: {e}"),
    }
}

/// The `timestamp:` of a trusted comment, as minisign writes it (`timestamp:SECONDS<TAB>
/// file:NAME<TAB>hashed`). The trusted comment is covered by the global signature, so the time
/// is the signer's own signed claim. A comment that names several times gives the latest, so
/// a signature is never dated earlier than any time it claims.
fn signed_at(trusted_comment: &str) -> Option<jiff::Timestamp> {
    trusted_comment
        .split('\t')
        .filter_map(|field| field.trim().strip_prefix("timestamp:"))
        .filter_map(|value| jiff::Timestamp::from_second(value.trim().parse().ok()?).ok())
        .max()
}

impl MinisignSignature {
    /// The trusted (signed) comment.
    pub fn trusted_comment(&self) -> &str {
        self.signature.trusted_comment()
    }

    fn check(&self, key: &MinisignKey, signed: &Signed<'_>) -> Result<(), String> {
        if self.prehashed {
            let mut stream = key
                .key
                .verify_stream(&self.signature)
                .map_err(|e| describe(&e))?;
            signed
                .stream(|chunk| stream.update(chunk))
                .map_err(|e| format!("cannot read `{}`: {e}", signed.path))?;
            stream.finalize().map_err(|e| describe(&e))
        } else {
            let bytes = signed
                .read_all(LEGACY_CAP)
                .map_err(|e| format!("cannot read `{}`: {e}", signed.path))?;
            key.key
                .verify(&bytes, &self.signature, true)
                .map_err(|e| describe(&e))
        }
    }
}

impl Verifier for MinisignSignature {
    fn verify(&self, signed: &Signed<'_>, keys: &Keys<'_>) -> Vec<Verification> {
        let id = key_id_text(&self.key_id);
        let comment = Some(self.trusted_comment().to_owned());
        let done = |v: Verification| {
            v.with_key_id(id.clone())
                .with_signer(comment.clone())
                .with_signed_at(signed_at(self.trusted_comment()))
        };
        let find = |store: &'_ crate::trust::KeyStore| {
            store
                .minisign()
                .find(|(_, k)| k.key_id == self.key_id)
                .map(|(origin, k)| (origin.to_owned(), k.clone()))
        };
        if let Some((origin, key)) = find(keys.trusted) {
            return vec![done(match self.check(&key, signed) {
                Ok(()) => Verification::verified(),
                Err(reason) => Verification::failed(
                    Outcome::BadSignature,
                    false,
                    format!("{reason} (key {id} from {origin})"),
                ),
            })];
        }
        if let Some((origin, key)) = find(keys.bundle) {
            return vec![done(match self.check(&key, signed) {
                Ok(()) => Verification::failed(
                    Outcome::UntrustedKey,
                    true,
                    format!("valid, but key {id} is only in the bundle ({origin}), not trusted"),
                ),
                Err(reason) => Verification::failed(Outcome::BadSignature, false, reason),
            })];
        }
        vec![done(Verification::failed(
            Outcome::UntrustedKey,
            false,
            format!("no minisign key {id} in the trust set"),
        ))]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_id_is_printed_as_minisign_does() {
        assert_eq!(
            key_id_text(&[0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08]),
            "0807060504030201"
        );
    }

    #[test]
    fn timestamp_comes_from_the_trusted_comment() {
        assert_eq!(
            signed_at("timestamp:1700000000\tfile:x\thashed").map(|t| t.as_second()),
            Some(1_700_000_000)
        );
        assert_eq!(signed_at("no time here"), None);
        assert_eq!(
            signed_at("timestamp:1700000000\tfile:x\ttimestamp:1800000000").map(|t| t.as_second()),
            Some(1_800_000_000)
        );
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        for bytes in [
            &b""[..],
            b"untrusted comment: x\n",
            b"untrusted comment: x\n!!!!\ntrusted comment: y\nAAAA\n",
            b"\xff\xfe",
        ] {
            let parsed = parse("x.minisig", bytes);
            assert_eq!(parsed.findings.len(), 1, "{bytes:?}");
        }
    }
}
