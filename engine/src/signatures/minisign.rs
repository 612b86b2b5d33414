//! minisign signatures (`.minisig`) and public keys, verified with `ed25519-dalek`.
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
//!
//! The four lines are read here, as `minisign-verify` reads them (the tests compare the two),
//! and both Ed25519 signatures are checked with `ed25519-dalek`'s strict verification: its
//! vectorised arithmetic verifies in a fraction of the time of `minisign-verify`'s portable
//! one, which exposes neither the signature's nor the key's bytes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use blake2::{Blake2b512, Digest as _};
use ed25519_dalek::{Signature, VerifyingKey};

use super::{
    Keys, Outcome, SignatureBody, SignatureFormat, Signed, Subject, Verification, Verifier,
};
use crate::formats::{Confidence, DetectInput, EvidenceFormat, EvidenceKind, ParseInput, Parsed};
use crate::trust::{PublicKey, StoredKey};

/// The largest file a legacy (not pre-hashed) signature is checked against.
pub const LEGACY_CAP: u64 = 256 * 1024 * 1024;

/// What starts a signature file's third line; the trusted comment follows it.
const TRUSTED_PREFIX: &str = "trusted comment: ";

/// A parsed minisign signature.
#[derive(Clone)]
pub struct MinisignSignature {
    key_id: [u8; 8],
    prehashed: bool,
    /// The signature of the file (pre-hashed: of its BLAKE2b-512).
    signature: Signature,
    /// The trusted comment, without its `trusted comment: ` prefix.
    trusted_comment: String,
    /// The signature of `signature`'s bytes followed by the trusted comment.
    global_signature: Signature,
}

impl std::fmt::Debug for MinisignSignature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MinisignSignature")
            .field("key_id", &key_id_text(&self.key_id))
            .field("trusted_comment", &self.trusted_comment)
            .finish()
    }
}

/// A minisign public key.
#[derive(Debug, Clone)]
pub struct MinisignKey {
    key: VerifyingKey,
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
    let mut lines = text.lines().skip(1);
    let second = lines
        .next()
        .ok_or_else(|| "the signature line is missing".to_owned())?;
    let raw = STANDARD
        .decode(second.trim())
        .map_err(|e| format!("the signature line is not base64 ({e})"))?;
    let (Some(algorithm), Some(key_id), Some(signature), 74) =
        (raw.get(..2), raw.get(2..10), raw.get(10..), raw.len())
    else {
        return Err(format!(
            "the signature line holds {} bytes, not 74",
            raw.len()
        ));
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
    if second.trim() != second {
        return Err("the signature line has white space around it".to_owned());
    }
    let trusted_comment = lines
        .next()
        .and_then(|line| line.strip_prefix(TRUSTED_PREFIX))
        .ok_or_else(|| format!("the third line does not start with `{TRUSTED_PREFIX}`"))?;
    let global = lines
        .next()
        .ok_or_else(|| "the global signature line is missing".to_owned())?;
    let global = STANDARD
        .decode(global)
        .map_err(|e| format!("the global signature line is not base64 ({e})"))?;
    let global_signature = Signature::from_slice(&global).map_err(|_| {
        format!(
            "the global signature line holds {} bytes, not 64",
            global.len()
        )
    })?;
    let signature = Signature::from_slice(signature).map_err(|e| e.to_string())?;
    let mut id = [0u8; 8];
    id.copy_from_slice(key_id);
    Ok(MinisignSignature {
        key_id: id,
        prehashed,
        signature,
        trusted_comment: trusted_comment.to_owned(),
        global_signature,
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
    let (Some(algorithm), Some(key_id), Some(key), 42) =
        (raw.get(..2), raw.get(2..10), raw.get(10..), raw.len())
    else {
        return Err(format!(
            "minisign public key holds {} bytes, not 42",
            raw.len()
        ));
    };
    if algorithm != b"Ed" && algorithm != b"ED" {
        return Err(format!(
            "minisign public key has unknown algorithm {:?}",
            String::from_utf8_lossy(algorithm)
        ));
    }
    let key = <[u8; 32]>::try_from(key).map_err(|e| e.to_string())?;
    let key = VerifyingKey::from_bytes(&key)
        .map_err(|e| format!("minisign public key is not an Ed25519 point: {e}"))?;
    let mut id = [0u8; 8];
    id.copy_from_slice(key_id);
    Ok(MinisignKey { key, key_id: id })
}

/// minisign's key id text: the 8 bytes as a little-endian number, in uppercase hex.
fn key_id_text(id: &[u8; 8]) -> String {
    format!("{:016X}", u64::from_le_bytes(*id))
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
        &self.trusted_comment
    }

    /// Both signatures checked against `key` over the signed file.
    fn check(&self, key: &MinisignKey, signed: &Signed<'_>) -> Result<(), String> {
        if key.key_id != self.key_id {
            return Err("signed by another key".to_owned());
        }
        if self.prehashed {
            let mut hasher = Blake2b512::new();
            signed
                .stream(|chunk| hasher.update(chunk))
                .map_err(|e| format!("cannot read `{}`: {e}", signed.path))?;
            self.verify_message(key, &hasher.finalize())
        } else {
            let bytes = signed
                .read_all(LEGACY_CAP)
                .map_err(|e| format!("cannot read `{}`: {e}", signed.path))?;
            self.verify_message(key, &bytes)
        }
    }

    /// The signature over `message` (a pre-hashed signature's is the file's BLAKE2b-512),
    /// then the global one, over the signature and the trusted comment.
    fn verify_message(&self, key: &MinisignKey, message: &[u8]) -> Result<(), String> {
        key.key
            .verify_strict(message, &self.signature)
            .map_err(|_| "the signature does not match the file".to_owned())?;
        let mut global = self.signature.to_bytes().to_vec();
        global.extend_from_slice(self.trusted_comment.as_bytes());
        key.key
            .verify_strict(&global, &self.global_signature)
            .map_err(|_| "the trusted comment's signature does not match it".to_owned())
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

    /// A key whose 32 bytes are not an Ed25519 point is refused when it is read, with why.
    #[test]
    fn a_key_that_is_not_a_point_is_refused_when_read() {
        let mut refused = 0;
        for first in 0..=255u8 {
            let mut raw = b"Ed\x01\x02\x03\x04\x05\x06\x07\x08".to_vec();
            raw.push(first);
            raw.extend([0u8; 31]);
            let file = format!(
                "untrusted comment: minisign public key 0807060504030201\n{}\n",
                STANDARD.encode(&raw)
            );
            let read = parse_public_keys("k.pub", file.as_bytes());
            let is_point =
                ed25519_dalek::VerifyingKey::from_bytes(&raw[10..].try_into().unwrap()).is_ok();
            match read {
                Some(Ok(keys)) => assert!(is_point && keys.len() == 1),
                Some(Err(why)) => {
                    assert!(!is_point && why.contains("not an Ed25519 point"), "{why}");
                    refused += 1;
                }
                None => panic!("not read as a minisign key"),
            }
        }
        assert!(refused > 0, "no candidate was off the curve");
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

    /// Ours and `minisign-verify`'s judgment of `sig` by `key` over `file`: both `None` when
    /// either reader refuses the signature, else whether each verifies it.
    fn judgments(key: &str, sig: &str, file: &[u8]) -> (Option<bool>, Option<bool>) {
        let ours = decode_signature(sig.as_bytes()).ok().map(|signature| {
            let Some(Ok(keys)) = parse_public_keys("k", key.as_bytes()) else {
                return false;
            };
            let Some(PublicKey::Minisign(key)) = keys.first().map(|k| &k.key) else {
                return false;
            };
            let message = if signature.prehashed {
                Blake2b512::digest(file).to_vec()
            } else {
                file.to_vec()
            };
            key.key_id == signature.key_id && signature.verify_message(key, &message).is_ok()
        });
        let theirs = minisign_verify::Signature::decode(sig)
            .ok()
            .map(|signature| {
                minisign_verify::PublicKey::decode(key)
                    .is_ok_and(|key| key.verify(file, &signature, true).is_ok())
            });
        (ours, theirs)
    }

    /// The published signatures of DNSCrypt's resolver lists (one legacy, one pre-hashed)
    /// verify with their published key, as `minisign-verify` says; one-character changes all
    /// over each signature, and one-bit changes spread over each file, are judged as it
    /// judges them.
    #[test]
    fn published_signatures_are_judged_as_minisign_verify_judges_them() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/checksums");
        let read = |name: &str| std::fs::read(dir.join(name));
        let Ok(key) = read("dnscrypt-resolvers-minisign.pub") else {
            eprintln!("skipping: ../shared/corpus is not present");
            return;
        };
        let key = String::from_utf8(key).unwrap();
        let mut legacy_seen = false;
        for name in ["onion-services.md", "opennic.md"] {
            let file = read(name).unwrap();
            let sig = String::from_utf8(read(&format!("{name}.minisig")).unwrap()).unwrap();
            legacy_seen |= !decode_signature(sig.as_bytes()).unwrap().prehashed;
            assert_eq!(
                judgments(&key, &sig, &file),
                (Some(true), Some(true)),
                "{name}"
            );
            // Every third character: each line, and each base64 quantum, gets several.
            for (at, c) in sig.char_indices().step_by(3) {
                let changed = if c == 'A' { 'B' } else { 'A' };
                let mut bad = sig.clone();
                bad.replace_range(at..at + c.len_utf8(), changed.encode_utf8(&mut [0; 4]));
                let (ours, theirs) = judgments(&key, &bad, &file);
                // Where minisign-verify reads the signature, so do we, and we agree.
                if let Some(theirs) = theirs {
                    assert_eq!(ours, Some(theirs), "{name} with {changed:?} at {at}");
                }
            }
            for at in (0..file.len()).step_by(file.len() / 64 + 1) {
                let mut bad = file.clone();
                bad[at] ^= 1;
                assert_eq!(
                    judgments(&key, &sig, &bad),
                    (Some(false), Some(false)),
                    "{name} with byte {at} changed"
                );
            }
        }
        assert!(
            legacy_seen,
            "one of the published signatures is legacy (Ed)"
        );
    }
}
