//! A parsed module kept as bytes: how the standard modules embedded in vouch are parsed once,
//! when vouch is built, and read back at run time instead of being parsed again.
//!
//! A blob is the [`Module`] in postcard's encoding behind a header that ties it to one exact
//! source text and to this build of the AST types:
//!
//! | bytes | what |
//! | --- | --- |
//! | 8 | [`MAGIC`] |
//! | 8 | [`SCHEMA`]: a fingerprint of the AST type definitions and of this crate's version |
//! | 8 | the length of the source text it was parsed from (little-endian) |
//! | 4 | the CRC-32 of that text |
//! | 4 | the CRC-32 of the payload |
//! | rest | the payload: the module, postcard-encoded |
//!
//! [`decode`] fails closed: a blob of another schema, for another text, damaged, truncated or
//! with bytes left over decodes to `None`, and the caller parses the source instead
//! ([`parse_or_decode`]). It never returns a module that is not the parse of the text it is
//! given (short of a damage that keeps both CRC-32s, which accidental damage does not).

use crate::ast::Module;
use crate::diagnostic::Diagnostic;
use crate::source::Source;

/// The first bytes of every blob.
pub const MAGIC: &[u8; 8] = b"vouchast";

/// A fingerprint of what the payload's encoding depends on: the text of the modules that
/// define the AST types (and so their serde encoding) and this crate's version. A blob written
/// by a build with different AST types never decodes in this one.
pub const SCHEMA: u64 = fnv1a(
    concat!(
        env!("CARGO_PKG_VERSION"),
        "\0",
        include_str!("ast/mod.rs"),
        "\0",
        include_str!("ast/expr.rs"),
        "\0",
        include_str!("span.rs"),
    )
    .as_bytes(),
);

/// The header's length: magic, schema, text length, text CRC, payload CRC.
const HEADER: usize = 8 + 8 + 8 + 4 + 4;

/// 64-bit FNV-1a, evaluated by the compiler for [`SCHEMA`] (a fingerprint, not a checksum of
/// anything read at run time).
pub(crate) const fn fnv1a(mut bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    while let [first, rest @ ..] = bytes {
        hash ^= *first as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        bytes = rest;
    }
    hash
}

/// The blob of `module`, the parse of `text`; `None` if it cannot be encoded (then store no
/// blob: the text is parsed at run time).
pub fn encode(module: &Module, text: &str) -> Option<Vec<u8>> {
    seal(MAGIC, SCHEMA, text, &postcard::to_allocvec(module).ok()?)
}

/// The module in `blob` if the blob was made by [`encode`] from exactly `text` by a build
/// with this one's AST types and is intact; `None` otherwise (parse `text` then).
pub fn decode(blob: &[u8], text: &str) -> Option<Module> {
    match postcard::take_from_bytes::<Module>(open(MAGIC, SCHEMA, blob, text)?) {
        Ok((module, [])) => Some(module),
        _ => None,
    }
}

/// `payload` behind a header of `magic`, `schema` and `text`'s length and CRC-32, and the
/// payload's CRC-32 (the layout in the module documentation).
pub(crate) fn seal(magic: &[u8; 8], schema: u64, text: &str, payload: &[u8]) -> Option<Vec<u8>> {
    let mut blob = Vec::with_capacity(HEADER + payload.len());
    blob.extend_from_slice(magic);
    blob.extend_from_slice(&schema.to_le_bytes());
    blob.extend_from_slice(&u64::try_from(text.len()).ok()?.to_le_bytes());
    blob.extend_from_slice(&crc32fast::hash(text.as_bytes()).to_le_bytes());
    blob.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    blob.extend_from_slice(payload);
    Some(blob)
}

/// The payload of a blob [`seal`]ed with `magic` and `schema` for exactly `text`, if intact.
pub(crate) fn open<'b>(
    magic: &[u8; 8],
    schema: u64,
    blob: &'b [u8],
    text: &str,
) -> Option<&'b [u8]> {
    let rest = blob.strip_prefix(magic.as_slice())?;
    let (blob_schema, rest) = take::<8>(rest)?;
    let (text_len, rest) = take::<8>(rest)?;
    let (text_crc, rest) = take::<4>(rest)?;
    let (payload_crc, payload) = take::<4>(rest)?;
    let same_text = u64::from_le_bytes(text_len) == u64::try_from(text.len()).ok()?
        && u32::from_le_bytes(text_crc) == crc32fast::hash(text.as_bytes());
    (u64::from_le_bytes(blob_schema) == schema
        && same_text
        && u32::from_le_bytes(payload_crc) == crc32fast::hash(payload))
    .then_some(payload)
}

/// The module `blob` holds for `source`'s text, or else `source` parsed: the same result
/// either way, as [`crate::parse`] gives it.
pub fn parse_or_decode(source: &Source, blob: &[u8]) -> Result<Module, Vec<Diagnostic>> {
    match decode(blob, source.text()) {
        Some(module) => Ok(module),
        None => crate::parse(source),
    }
}

/// The first `N` bytes and the rest.
fn take<const N: usize>(bytes: &[u8]) -> Option<([u8; N], &[u8])> {
    let (head, rest) = bytes.split_first_chunk::<N>()?;
    Some((*head, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = r#"/// A policy.
policy "p" {
  title = "P"
  framework = "uk-sscop"
}

// A comment.
param max_age: duration = 12 months where >= 1 month and <= 5 years
param levels: table<severity, duration> = { critical: 48h, high: 7d }

/// Signed.
control "C-1" {
  title = "T é"
  provision = ["3.1"]
  severity = high
  for a in release.artifacts where a.size > 0 and not (a.path in ["x"]) {
    let n = count(s in a.signatures where s.verified)
    expect n >= 1 and a.published ?? 2026-01-31 < 2026-02-01T12:00:00Z
      else "{a.path} is unsigned ({n}, {-1 * 2.5})"
  } when empty: pass
  manual "a person checked it" within 90d
}
"#;

    fn parsed(text: &str) -> Module {
        crate::parse(&Source::new("p.vouch", text)).unwrap()
    }

    #[test]
    fn a_blob_decodes_to_the_parse_it_was_made_from() {
        let module = parsed(POLICY);
        let blob = encode(&module, POLICY).unwrap();
        assert_eq!(decode(&blob, POLICY), Some(module));
    }

    #[test]
    fn a_blob_of_another_text_is_refused() {
        let blob = encode(&parsed(POLICY), POLICY).unwrap();
        // Same length, one byte different: the text's CRC-32 differs.
        let other = POLICY.replacen("\"T é\"", "\"U é\"", 1);
        assert_eq!(other.len(), POLICY.len());
        assert_eq!(decode(&blob, &other), None);
        assert_eq!(decode(&blob, &format!("{POLICY}\n")), None);
        assert_eq!(decode(&blob, ""), None);
    }

    #[test]
    fn every_damaged_or_truncated_blob_is_refused() {
        let blob = encode(&parsed(POLICY), POLICY).unwrap();
        for at in 0..blob.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut damaged = blob.clone();
                damaged[at] ^= flip;
                assert_eq!(decode(&damaged, POLICY), None, "byte {at} ^ {flip:#x}");
            }
            assert_eq!(decode(&blob[..at], POLICY), None, "cut at {at}");
        }
        let mut longer = blob.clone();
        longer.push(0);
        assert_eq!(decode(&longer, POLICY), None, "a byte left over");
    }

    #[test]
    fn a_payload_left_unread_is_refused_even_with_good_checksums() {
        // A well-formed header over a payload with a trailing byte: take_from_bytes leaves it.
        let module = parsed(POLICY);
        let mut payload = postcard::to_allocvec(&module).unwrap();
        payload.push(0);
        let mut blob = Vec::new();
        blob.extend_from_slice(MAGIC);
        blob.extend_from_slice(&SCHEMA.to_le_bytes());
        blob.extend_from_slice(&(POLICY.len() as u64).to_le_bytes());
        blob.extend_from_slice(&crc32fast::hash(POLICY.as_bytes()).to_le_bytes());
        blob.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        blob.extend_from_slice(&payload);
        assert_eq!(decode(&blob, POLICY), None);
        // The same with the byte removed decodes: the test above is about the byte.
        blob.pop();
        let crc_at = HEADER - 4;
        let crc = crc32fast::hash(&blob[HEADER..]);
        blob[crc_at..HEADER].copy_from_slice(&crc.to_le_bytes());
        assert_eq!(decode(&blob, POLICY), Some(module));
    }

    #[test]
    fn a_blob_of_another_schema_is_refused() {
        let mut blob = encode(&parsed(POLICY), POLICY).unwrap();
        blob[8..16].copy_from_slice(&(SCHEMA ^ 1).to_le_bytes());
        assert_eq!(decode(&blob, POLICY), None);
    }

    #[test]
    fn parse_or_decode_falls_back_to_parsing() {
        let source = Source::new("p.vouch", POLICY);
        let module = parsed(POLICY);
        let blob = encode(&module, POLICY).unwrap();
        assert_eq!(parse_or_decode(&source, &blob), Ok(module.clone()));
        assert_eq!(parse_or_decode(&source, &[]), Ok(module.clone()));
        assert_eq!(parse_or_decode(&source, b"vouchast garbage"), Ok(module));
        // A broken text with another text's blob: the parse's diagnostics, not that module.
        let broken = Source::new("p.vouch", "control \"X\" {\n  title = \n}\n");
        let expected = crate::parse(&broken).unwrap_err();
        assert_eq!(parse_or_decode(&broken, &blob).unwrap_err(), expected);
    }
}
