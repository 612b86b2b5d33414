//! The framing of OpenPGP data: ASCII armor (RFC 9580 §6) and packet headers (§4.2).
//!
//! vouch frames packets itself, so that a truncated or trailing-garbage file is reported
//! precisely and detection can look at a packet header without parsing anything; the packet
//! bodies are then parsed by `pgp`.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Base64 as armor writes it; padding is optional, as some tools leave it out.
const ARMOR_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The signature packet tag.
pub(super) const TAG_SIGNATURE: u8 = 2;
/// The public key packet tag.
pub(super) const TAG_PUBLIC_KEY: u8 = 6;

/// One armored block: its label (`SIGNATURE` in `-----BEGIN PGP SIGNATURE-----`) and its
/// decoded bytes.
#[derive(Debug)]
pub(super) struct ArmorBlock {
    /// The label after `BEGIN PGP `.
    pub label: String,
    /// The decoded data.
    pub data: Vec<u8>,
}

/// The label of a `-----BEGIN PGP LABEL-----` line.
pub(super) fn begin_label(line: &str) -> Option<&str> {
    line.trim_end()
        .strip_prefix("-----BEGIN PGP ")?
        .strip_suffix("-----")
}

/// Every armored block of `text`, in order; text outside the blocks is ignored. Fails on
/// the first block that is truncated or not base64.
pub(super) fn armor_blocks(text: &str) -> Result<Vec<ArmorBlock>, String> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((_, line)) = lines.next() {
        let Some(label) = begin_label(line) else {
            continue;
        };
        let end = format!("-----END PGP {label}-----");
        let mut headers_done = false;
        let mut base64 = String::new();
        let mut closed = false;
        let mut crc_seen = false;
        for (n, line) in lines.by_ref() {
            let line = line.trim();
            if line == end {
                closed = true;
                break;
            }
            if !headers_done {
                if line.is_empty() {
                    headers_done = true;
                    continue;
                }
                if is_header(line) {
                    continue;
                }
                // No blank line after the headers: some tools write none.
                headers_done = true;
            }
            if line.is_empty() {
                continue;
            }
            if crc_seen {
                return Err(format!(
                    "line {} of the armor follows its checksum line",
                    n + 1
                ));
            }
            if let Some(crc) = line.strip_prefix('=') {
                // The CRC24 footer: checked for form only, as RFC 9580 asks.
                if crc.len() != 4 || !crc.bytes().all(is_base64_byte) {
                    return Err(format!("line {} is not an armor checksum", n + 1));
                }
                crc_seen = true;
                continue;
            }
            if let Some(bad) = line.bytes().find(|b| !is_base64_byte(*b) && *b != b'=') {
                return Err(format!(
                    "line {} of the armor is not base64 (byte {:?})",
                    n + 1,
                    char::from(bad)
                ));
            }
            base64.push_str(line);
        }
        if !closed {
            return Err(format!("the armor is truncated: `{end}` is missing"));
        }
        let data = ARMOR_BASE64
            .decode(base64.as_bytes())
            .map_err(|e| format!("the armor is not valid base64 ({e})"))?;
        blocks.push(ArmorBlock {
            label: label.to_owned(),
            data,
        });
    }
    Ok(blocks)
}

/// Whether an armor line is a `Key: value` header.
fn is_header(line: &str) -> bool {
    line.split_once(": ").is_some_and(|(key, _)| {
        !key.is_empty()
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

fn is_base64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

/// A packet header: its tag, where its body starts and how long the body is (`None`: to the
/// end of the data, an old-format indeterminate length).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Header {
    /// The packet tag.
    pub tag: u8,
    /// The header's length in bytes.
    pub header_len: usize,
    /// The body length.
    pub body_len: Option<usize>,
}

/// Reads the packet header at the start of `data`.
pub(super) fn header(data: &[u8]) -> Result<Header, String> {
    let mut bytes = data.iter().copied();
    let first = bytes.next().ok_or("no packet header")?;
    if first & 0x80 == 0 {
        return Err(format!(
            "byte 0x{first:02x} does not start an openpgp packet"
        ));
    }
    let truncated = || "the packet header is truncated".to_owned();
    let mut next = || bytes.next().ok_or_else(truncated);
    if first & 0x40 != 0 {
        let tag = first & 0x3f;
        let o1 = next()?;
        let (header_len, body_len) = match o1 {
            0..=191 => (2, usize::from(o1)),
            192..=223 => {
                let o2 = next()?;
                (3, ((usize::from(o1) - 192) << 8) + usize::from(o2) + 192)
            }
            255 => {
                let n = u32::from_be_bytes([next()?, next()?, next()?, next()?]);
                (
                    6,
                    usize::try_from(n).map_err(|_| "packet too large".to_owned())?,
                )
            }
            _ => {
                return Err(format!(
                    "packet of type {tag} has partial body lengths, which no signature or key \
                     packet may have"
                ));
            }
        };
        Ok(Header {
            tag,
            header_len,
            body_len: Some(body_len),
        })
    } else {
        let tag = (first >> 2) & 0x0f;
        let (header_len, body_len) = match first & 0x03 {
            0 => (2, Some(usize::from(next()?))),
            1 => (3, Some(usize::from(u16::from_be_bytes([next()?, next()?])))),
            2 => {
                let n = u32::from_be_bytes([next()?, next()?, next()?, next()?]);
                (
                    5,
                    Some(usize::try_from(n).map_err(|_| "packet too large".to_owned())?),
                )
            }
            _ => (1, None),
        };
        Ok(Header {
            tag,
            header_len,
            body_len,
        })
    }
}

/// One packet of a packet sequence: its tag and its bytes, header included.
#[derive(Debug, Clone, Copy)]
pub(super) struct RawPacket<'a> {
    /// The packet tag.
    pub tag: u8,
    /// Header and body.
    pub bytes: &'a [u8],
}

/// Splits `data` into whole packets; fails on a truncated packet or trailing garbage.
pub(super) fn split_packets(data: &[u8]) -> Result<Vec<RawPacket<'_>>, String> {
    let mut packets = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let offset = data.len() - rest.len();
        let h = header(rest).map_err(|e| format!("at byte {offset}: {e}"))?;
        let total = match h.body_len {
            Some(len) => h.header_len.saturating_add(len),
            None => rest.len(),
        };
        let Some(bytes) = rest.get(..total) else {
            return Err(format!(
                "truncated: the packet at byte {offset} needs {total} bytes, only {} remain",
                rest.len()
            ));
        };
        packets.push(RawPacket { tag: h.tag, bytes });
        rest = rest.get(total..).unwrap_or_default();
    }
    Ok(packets)
}

/// Whether `head` starts with what looks like a detached signature packet: a signature
/// header, a known version, and (v4, v6) a document signature type with a known public-key
/// and hash algorithm. Cheap; for detection.
pub(super) fn looks_like_signature(head: &[u8]) -> bool {
    let Ok(h) = header(head) else {
        return false;
    };
    if h.tag != TAG_SIGNATURE || h.body_len.is_some_and(|len| !(8..=65_536).contains(&len)) {
        return false;
    }
    let body = head.get(h.header_len..).unwrap_or_default();
    match body {
        // v3: hashed length 5, document type, 4 bytes time, 8 bytes key id, algorithms.
        [3, 5, 0x00 | 0x01, ..] => true,
        [4..=6, 0x00 | 0x01, pub_alg, hash_alg, ..] => {
            matches!(pub_alg, 1 | 3 | 17 | 19 | 22 | 27 | 28) && matches!(hash_alg, 1..=14)
        }
        _ => false,
    }
}

/// Whether `data` is framed as a binary keyring: it starts with a public key packet of a
/// known version and splits into whole packets to its last byte. (The caller then parses
/// the first packet: random bytes never get that far.)
pub(super) fn looks_like_public_key(data: &[u8]) -> bool {
    let Ok(h) = header(data) else {
        return false;
    };
    h.tag == TAG_PUBLIC_KEY
        && h.body_len.is_some_and(|len| len >= 6)
        && data.get(h.header_len).is_some_and(|v| matches!(v, 2..=6))
        && split_packets(data).is_ok()
}

/// The first packet of `data` (header and body) when it is whole and of definite length.
pub(super) fn first_packet(data: &[u8]) -> Option<&[u8]> {
    let h = header(data).ok()?;
    data.get(..h.header_len.checked_add(h.body_len?)?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn header_lengths() {
        // New format, one-octet length.
        assert_eq!(
            header(&[0xc2, 10]).unwrap(),
            Header {
                tag: 2,
                header_len: 2,
                body_len: Some(10)
            }
        );
        // New format, two-octet length: (192 - 192) << 8 + 0 + 192.
        assert_eq!(header(&[0xc2, 192, 0]).unwrap().body_len, Some(192));
        // New format, five-octet length.
        assert_eq!(
            header(&[0xc6, 255, 0, 0, 1, 0]).unwrap().body_len,
            Some(256)
        );
        // Old format, tag 2, two-octet length.
        assert_eq!(
            header(&[0x89, 1, 2]).unwrap(),
            Header {
                tag: 2,
                header_len: 3,
                body_len: Some(258)
            }
        );
        // Old format, indeterminate length.
        assert_eq!(header(&[0x8b]).unwrap().body_len, None);
        assert!(header(&[0x41]).is_err());
        assert!(header(&[0xc2]).is_err());
        assert!(header(&[0xc2, 230]).unwrap_err().contains("partial"));
    }

    #[test]
    fn split_reports_truncation_and_garbage() {
        assert_eq!(split_packets(&[0xc2, 1, 0, 0xc2, 0]).unwrap().len(), 2);
        assert!(
            split_packets(&[0xc2, 5, 0])
                .unwrap_err()
                .contains("truncated")
        );
        assert!(
            split_packets(&[0xc2, 0, b'x'])
                .unwrap_err()
                .contains("byte 2")
        );
    }

    #[test]
    fn png_is_not_a_signature() {
        assert!(!looks_like_signature(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
        assert!(!looks_like_signature(b"MEUCIQDx"));
        assert!(!looks_like_signature(b""));
        assert!(looks_like_signature(&[0x88, 0x75, 4, 0, 22, 8, 0, 0]));
    }

    #[test]
    fn armor_blocks_are_decoded() {
        let text = "junk\n-----BEGIN PGP SIGNATURE-----\nComment: x\n\naGVs\nbG8=\n=abcd\n\
                    -----END PGP SIGNATURE-----\n";
        let blocks = armor_blocks(text).unwrap();
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].label, "SIGNATURE");
        assert_eq!(blocks[0].data, b"hello");
    }

    #[test]
    fn broken_armor_is_an_error() {
        let truncated = "-----BEGIN PGP SIGNATURE-----\n\naGVs\n";
        assert!(armor_blocks(truncated).unwrap_err().contains("truncated"));
        let garbage = "-----BEGIN PGP SIGNATURE-----\n\naGV*s!\n-----END PGP SIGNATURE-----\n";
        assert!(armor_blocks(garbage).unwrap_err().contains("not base64"));
        let bad_len = "-----BEGIN PGP SIGNATURE-----\n\naGVsb\n-----END PGP SIGNATURE-----\n";
        assert!(
            armor_blocks(bad_len)
                .unwrap_err()
                .contains("not valid base64")
        );
    }
}
