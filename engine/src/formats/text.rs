//! Decoding evidence text: UTF-8 (with or without a byte order mark) or UTF-16.

/// Decodes `bytes` as text: UTF-8 (a leading BOM dropped), or UTF-16 LE/BE when the bytes
/// start with a UTF-16 BOM or look like BOM-less UTF-16 ASCII (every other byte zero, as
/// Windows tools write). `Err` says why the bytes are not text.
pub(crate) fn decode(bytes: &[u8]) -> Result<String, String> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(rest);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, false);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, true);
    }
    match looks_like_utf16(bytes) {
        Some(big_endian) => utf16(bytes, big_endian),
        None => utf8(bytes),
    }
}

/// Like [`decode`], but for a prefix of a file: a UTF-8 sequence or UTF-16 unit cut at the
/// end is dropped rather than an error.
pub(crate) fn decode_head(bytes: &[u8]) -> Option<String> {
    match decode(bytes) {
        Ok(text) => Some(text),
        Err(_) => {
            // Try again without the last few bytes (a character cut in half).
            (1..4).find_map(|cut| {
                let shorter = bytes.get(..bytes.len().checked_sub(cut)?)?;
                decode(shorter).ok()
            })
        }
    }
}

fn utf8(bytes: &[u8]) -> Result<String, String> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => Err(format!(
            "not valid UTF-8 text (invalid byte at offset {})",
            e.valid_up_to()
        )),
    }
}

fn utf16(bytes: &[u8], big_endian: bool) -> Result<String, String> {
    if !bytes.len().is_multiple_of(2) {
        return Err("UTF-16 text with an odd number of bytes".to_owned());
    }
    let units = bytes.chunks_exact(2).map(|pair| match pair {
        [a, b] if big_endian => u16::from_be_bytes([*a, *b]),
        [a, b] => u16::from_le_bytes([*a, *b]),
        _ => 0,
    });
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|_| "not valid UTF-16 text".to_owned())
}

/// `Some(big_endian)` when `bytes` looks like BOM-less UTF-16 ASCII: even length, at least
/// two units, and every unit has one zero byte on the same side and one non-zero byte.
fn looks_like_utf16(bytes: &[u8]) -> Option<bool> {
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let mut le = true;
    let mut be = true;
    for pair in bytes.chunks_exact(2) {
        if let [a, b] = pair {
            le &= *a != 0 && *b == 0;
            be &= *a == 0 && *b != 0;
        }
    }
    match (le, be) {
        (true, false) => Some(false),
        (false, true) => Some(true),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_each_encoding() {
        assert_eq!(decode(b"abc").unwrap(), "abc");
        assert_eq!(decode(b"\xEF\xBB\xBFabc").unwrap(), "abc");
        assert_eq!(decode(b"a\0b\0c\0d\0").unwrap(), "abcd");
        assert_eq!(decode(b"\0a\0b\0c\0d").unwrap(), "abcd");
        assert_eq!(decode(b"\xFF\xFEa\0b\0").unwrap(), "ab");
        assert!(decode(b"\xFF\xFF\xFF").is_err());
    }

    #[test]
    fn head_tolerates_a_cut_character() {
        let text = "é".repeat(10);
        let bytes = text.as_bytes();
        let cut = bytes.get(..bytes.len() - 1).unwrap();
        assert_eq!(decode_head(cut).unwrap(), "é".repeat(9));
    }
}
