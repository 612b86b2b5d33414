//! OpenPGP signatures (RFC 9580), verified with `pgp` (rpgp, pure Rust).
//!
//! * Detached signatures: armored (`-----BEGIN PGP SIGNATURE-----`, usually `X.asc`) or
//!   binary (`X.sig`, `X.gpg`, recognised by their packet header), one or more signature
//!   packets each. `X.asc` signs `X`.
//! * Cleartext-signed files (`-----BEGIN PGP SIGNED MESSAGE-----`, a signed `SHA256SUMS.asc`
//!   or `security.txt`) sign themselves; see [`cleartext`].
//! * Public keys for the trust set and the bundle: armored key blocks and binary keyrings;
//!   see [`keys`].
//!
//! The signed file is streamed once through one hasher per signature (the hash algorithm
//! the signature names, then its hashed subpackets and trailer); a file is never read whole.

pub mod cleartext;
mod hashing;
pub mod keys;
mod packets;
mod verify;

use pgp::packet::{Packet, PacketParser, Signature};

use super::{
    Keys, SignatureBody, SignatureFile, SignatureFormat, Signed, Subject, Verification, Verifier,
};
use crate::finding::{Finding, FindingCode};
use crate::formats::{
    Confidence, DetectInput, Evidence, EvidenceFormat, EvidenceKind, ParseInput, Parsed,
};

pub use keys::{OpenPgpIndex, OpenPgpKey, Slot, parse_public_keys};

/// The largest signature file vouch parses: signatures are a few hundred bytes each.
pub const MAX_SIGNATURE_FILE: u64 = 1024 * 1024;

/// One signature of a file, as parsed.
#[derive(Debug, Clone)]
enum Entry {
    /// A signature packet vouch can check.
    Signature(Box<Signature>),
    /// A signature vouch does not verify (why).
    Unsupported(String),
    /// A signature packet that cannot be read (why).
    Malformed(String),
}

/// The signatures of one OpenPGP signature file (detached), or of a cleartext-signed file
/// with the canonical text they sign.
#[derive(Debug, Clone)]
pub struct OpenPgpSignature {
    entries: Vec<Entry>,
    /// The canonical signed text, for a cleartext-signed file.
    text: Option<std::sync::Arc<[u8]>>,
}

impl OpenPgpSignature {
    /// How many signatures the file holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds none (never, once parsed).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The canonical text a cleartext signature signs (dash-unescaped, trailing whitespace
    /// removed, CR LF line ends); `None` for a detached signature.
    pub fn signed_text(&self) -> Option<&[u8]> {
        self.text.as_deref()
    }
}

impl Verifier for OpenPgpSignature {
    fn verify(&self, signed: &Signed<'_>, keys: &Keys<'_>) -> Vec<Verification> {
        let data = match &self.text {
            Some(text) => hashing::Data::Text(text),
            None => hashing::Data::File(signed),
        };
        verify::verify_all(&self.entries, data, keys)
    }
}

/// The OpenPGP detached-signature format.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenPgpFormat;

const ARMOR_SIGNATURE: &str = "-----BEGIN PGP SIGNATURE-----";

impl EvidenceFormat for OpenPgpFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::OpenPgpSignature
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let name = input.file_name();
        let signature_name = [".asc", ".sig", ".gpg"].iter().any(|s| name.ends_with(s));
        let text = input
            .text
            .as_deref()
            .map(|t| t.trim_start_matches('\u{feff}').trim_start());
        if let Some(text) = text {
            if text.starts_with(ARMOR_SIGNATURE) {
                return Confidence::of(true, signature_name);
            }
            // Other armor (keys, messages, cleartext-signed files) belongs to other readers.
            if text.starts_with("-----BEGIN PGP ") {
                return Confidence::No;
            }
        }
        if packets::looks_like_signature(input.head) {
            // Content needs a first packet that parses; a packet header alone is a few
            // bytes random data can hold, and then only the name says "signature".
            return Confidence::of(first_packet_is_signature(input.head), signature_name);
        }
        // A `.asc` that is not OpenPGP at all (an HTML error page saved in its place) is
        // still reported as a broken signature; `.sig` and `.gpg` are shared with others.
        Confidence::of(false, name.ends_with(".asc") && input.text.is_some())
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        parse(input.path, input.bytes)
    }

    fn max_parse_size(&self) -> u64 {
        MAX_SIGNATURE_FILE
    }
}

/// Whether the first packet of `head` is whole and parses as a signature: a packet header
/// alone is two bytes random data can hold.
fn first_packet_is_signature(head: &[u8]) -> bool {
    packets::first_packet(head).is_some_and(|packet| {
        matches!(
            PacketParser::new(packet).next(),
            Some(Ok(Packet::Signature(_)))
        )
    })
}

/// Parses a detached OpenPGP signature file at bundle path `path`. A malformed file still
/// yields a signature (whose verification says `malformed`) and a finding.
pub fn parse(path: &str, bytes: &[u8]) -> Parsed {
    match read_detached(bytes) {
        Ok(entries) => evidence(path, entries, None, Subject::Detached),
        Err(reason) => malformed(path, reason, Subject::Detached),
    }
}

/// Evidence for parsed entries, with a finding per malformed signature; a file whose every
/// signature is malformed is malformed as a whole.
fn evidence(
    path: &str,
    entries: Vec<Entry>,
    text: Option<std::sync::Arc<[u8]>>,
    subject: Subject,
) -> Parsed {
    let all_malformed = entries.iter().all(|e| matches!(e, Entry::Malformed(_)));
    if let (true, Some(Entry::Malformed(reason))) = (all_malformed, entries.first()) {
        return malformed(path, reason.clone(), subject);
    }
    let findings = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Malformed(reason) => Some(malformed_finding(path, reason)),
            _ => None,
        })
        .collect();
    Parsed {
        evidence: Some(Evidence::Signature(SignatureFile {
            format: SignatureFormat::OpenPgp,
            subject,
            body: SignatureBody::OpenPgp(OpenPgpSignature { entries, text }),
        })),
        findings,
    }
}

/// Evidence for a file that cannot be read as OpenPGP signatures at all.
fn malformed(path: &str, reason: String, subject: Subject) -> Parsed {
    super::signature_evidence(path, SignatureFormat::OpenPgp, subject, Err(reason), HELP)
}

/// How to make a good OpenPGP signature.
const HELP: &str = "sign again with `gpg --armor --detach-sign FILE` (or `gpg --clearsign \
                    FILE`); the file may be truncated or not a signature at all";

/// The finding for one unreadable signature among others in a file.
fn malformed_finding(path: &str, reason: &str) -> Finding {
    Finding::new(
        FindingCode::SignatureMalformed,
        Some(path),
        format!("not a valid openpgp signature: {reason}"),
    )
    .with_help(HELP)
}

/// The signatures of a detached signature file, armored or binary.
fn read_detached(bytes: &[u8]) -> Result<Vec<Entry>, String> {
    let data = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = data.trim_ascii_start();
    if start.is_empty() {
        return Err("the file is empty".to_owned());
    }
    if start.first().is_some_and(|b| b & 0x80 != 0) {
        return entries(&packets::split_packets(data)?);
    }
    let text = std::str::from_utf8(data).map_err(|_| "neither armored text nor binary openpgp")?;
    let blocks = packets::armor_blocks(text)?;
    if blocks.is_empty() {
        return Err(format!("no `{ARMOR_SIGNATURE}` armor in the file"));
    }
    let mut all = Vec::new();
    for block in blocks {
        if block.label != "SIGNATURE" {
            return Err(format!(
                "holds an armored `PGP {}` block, not a signature",
                block.label
            ));
        }
        all.extend(entries(&packets::split_packets(&block.data)?)?);
    }
    Ok(all)
}

/// The signature entries of a packet sequence.
fn entries(raw: &[packets::RawPacket<'_>]) -> Result<Vec<Entry>, String> {
    let mut out = Vec::new();
    for (n, packet) in raw.iter().enumerate() {
        match packet.tag {
            packets::TAG_SIGNATURE => out.push(signature_entry(n + 1, packet.bytes)),
            // Marker and padding packets carry nothing.
            10 | 21 => {}
            // One-pass signature, compressed or literal data: `gpg --sign` output.
            4 | 8 | 11 => {
                return Ok(vec![Entry::Unsupported(
                    "an inline-signed openpgp message (`gpg --sign`), not a detached \
                     signature; vouch verifies detached and cleartext signatures"
                        .to_owned(),
                )]);
            }
            tag => {
                return Err(format!(
                    "packet {} is of type {tag}, where a signature packet was expected",
                    n + 1
                ));
            }
        }
    }
    if out.is_empty() {
        return Err("holds no signature packet".to_owned());
    }
    Ok(out)
}

/// One signature packet (header and body), parsed by `pgp`.
fn signature_entry(n: usize, bytes: &[u8]) -> Entry {
    match PacketParser::new(bytes).next() {
        Some(Ok(Packet::Signature(sig))) => {
            if sig.config().is_none() {
                return Entry::Unsupported(format!(
                    "signature version {} is not supported",
                    u8::from(sig.version())
                ));
            }
            if sig.created().is_none() {
                return Entry::Malformed(format!(
                    "signature {n} has no creation time in its hashed data"
                ));
            }
            Entry::Signature(Box::new(sig))
        }
        Some(Ok(_)) | None => Entry::Malformed(format!("signature {n} cannot be read")),
        Some(Err(pgp::errors::Error::Unsupported { message, .. })) => Entry::Unsupported(format!(
            "signature {n} is not supported: {}",
            keys::one_line(&message)
        )),
        Some(Err(e)) => Entry::Malformed(format!(
            "signature {n} cannot be read ({})",
            keys::pgp_error_text(&e)
        )),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn detect(path: &str, content: &[u8]) -> Confidence {
        OpenPgpFormat.detect(&DetectInput::new(path, content, content.len() as u64))
    }

    #[test]
    fn detection_is_by_content_first() {
        let armored = b"-----BEGIN PGP SIGNATURE-----\n\n-----END PGP SIGNATURE-----\n";
        assert_eq!(detect("x.asc", armored), Confidence::ContentAndName);
        assert_eq!(detect("x.txt", armored), Confidence::Content);
        let binary =
            include_bytes!("../../../tests/fixtures/signatures/openpgp/ed25519/widget.txt.sig");
        assert_eq!(detect("x.sig", binary), Confidence::ContentAndName);
        assert_eq!(detect("x.bin", binary), Confidence::Content);
        // A signature packet header whose packet does not parse is a signature by name
        // only: not by content.
        let truncated = [0x88, 0x75, 4, 0, 22, 8, 0, 0, 0, 0];
        assert_eq!(detect("x.sig", &truncated), Confidence::Name);
        assert_eq!(detect("x.bin", &truncated), Confidence::No);
        // Keys, messages and cleartext-signed files are not detached signatures.
        for other in [
            &b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n"[..],
            b"-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n",
            b"-----BEGIN PGP MESSAGE-----\n",
        ] {
            assert_eq!(detect("x.asc", other), Confidence::No);
        }
        // A cosign `.sig` is base64 text: not claimed.
        assert_eq!(detect("x.sig", b"MEUCIQDxyz=="), Confidence::No);
        assert_eq!(detect("x.gpg", b"\x00\x01"), Confidence::No);
        // A `.asc` holding something else is claimed by name, to be reported.
        assert_eq!(detect("x.asc", b"<html>404</html>"), Confidence::Name);
    }

    #[test]
    fn broken_files_are_malformed_not_panics() {
        for bytes in [
            &b""[..],
            b"   \n",
            b"<html>not found</html>",
            b"-----BEGIN PGP SIGNATURE-----\n\niHUEABYKAB0WIQSokUyi8RE5xqaa\n",
            b"-----BEGIN PGP SIGNATURE-----\n\n!!!!\n-----END PGP SIGNATURE-----\n",
            b"-----BEGIN PGP SIGNATURE-----\n\n-----END PGP SIGNATURE-----\n",
            b"-----BEGIN PGP MESSAGE-----\n\nAAAA\n-----END PGP MESSAGE-----\n",
            b"\x88\x05\x04\x00\x16",
            b"\xc2\x00",
            b"\xc6\x03\x04\x00\x00",
            b"\xff\xfe\xfd",
        ] {
            let parsed = parse("x.asc", bytes);
            assert_eq!(parsed.findings.len(), 1, "{bytes:?}");
            let Some(Evidence::Signature(sig)) = parsed.evidence else {
                panic!("no evidence for {bytes:?}");
            };
            assert!(
                matches!(sig.body, SignatureBody::Malformed(_)),
                "{bytes:?}: {:?}",
                sig.body
            );
        }
    }

    /// Found by `fuzz/` (targets `signatures`, `keys`, `checksums`, `security_txt`): a
    /// signature whose subpacket length overruns its data made `pgp` return an error whose
    /// text held the inner error's `Debug` and, with `RUST_BACKTRACE` set, a backtrace, so the
    /// finding carried build paths and differed between two reads of the same file.
    #[test]
    fn a_broken_subpacket_is_reported_in_one_plain_line() {
        let input = include_bytes!("../../../tests/fixtures/fuzz/keys/openpgp-error-backtrace");
        let bytes = input.splitn(2, |b| *b == b'\n').nth(1).unwrap();
        let parsed = parse("widget.txt.asc", bytes);
        let Some(Evidence::Signature(sig)) = parsed.evidence else {
            panic!("no evidence: {:?}", parsed.findings);
        };
        let SignatureBody::Malformed(why) = &sig.body else {
            panic!("not malformed: {:?}", sig.body);
        };
        let why = format!("{why:?}");
        for dump in ["backtrace", "Backtrace", "Message {"] {
            assert!(!why.contains(dump), "{dump:?} in {why}");
        }
        assert!(why.contains("Inconsistent subpacket length"), "{why}");
        assert_eq!(parsed.findings.len(), 1);
        assert!(
            !parsed.findings[0].message.contains("backtrace"),
            "{:?}",
            parsed.findings
        );
    }

    #[test]
    fn version_5_signatures_are_unsupported() {
        let v5 = [0xc2, 0x06, 5, 0, 22, 8, 0, 0];
        let entries = read_detached(&v5).unwrap();
        assert!(
            matches!(&entries[..], [Entry::Unsupported(r)] if r.contains("version 5")),
            "{entries:?}"
        );
    }

    #[test]
    fn inline_signed_messages_are_unsupported() {
        // A one-pass signature packet header, then a literal data packet.
        let message = [0xc4, 0x01, 0x03, 0xcb, 0x01, 0x62];
        let entries = read_detached(&message).unwrap();
        assert!(matches!(entries[..], [Entry::Unsupported(_)]));
    }
}
