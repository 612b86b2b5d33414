//! Cleartext-signed messages (RFC 9580 §7): text between a `-----BEGIN PGP SIGNED
//! MESSAGE-----` header and the signature armor that signs it.
//!
//! ```text
//! -----BEGIN PGP SIGNED MESSAGE-----
//! Hash: SHA256
//!
//! the signed text, with lines starting with `-` written as `- -...`
//! -----BEGIN PGP SIGNATURE-----
//!
//! iHUEARYIAB0WIQ...
//! -----END PGP SIGNATURE-----
//! ```
//!
//! The signed text is canonicalised as RFC 9580 says and GnuPG does: dash escapes removed,
//! spaces and tabs at the ends of lines removed, lines joined with CR LF, and the line break
//! before the signature armor not part of it. Text before the header or after the signature
//! armor is not signed, so a file with any is rejected as malformed: a reader of the file
//! could not tell the signed part from the rest (a checksum line placed there would look
//! signed and is not).

use std::sync::Arc;

use super::{Entry, packets};
use crate::formats::Parsed;
use crate::signatures::Subject;

/// The first line of a cleartext-signed message.
pub const HEADER: &str = "-----BEGIN PGP SIGNED MESSAGE-----";

const SIGNATURE_BEGIN: &str = "-----BEGIN PGP SIGNATURE-----";
const SIGNATURE_END: &str = "-----END PGP SIGNATURE-----";

/// Parses a cleartext-signed file at bundle path `path` into a signature of itself; a
/// broken one still yields a signature (verifying as `malformed`) and a finding.
pub fn parse(path: &str, bytes: &[u8]) -> Parsed {
    match read(bytes) {
        Ok((text, entries)) => super::evidence(path, entries, Some(text), Subject::Itself),
        Err(reason) => super::malformed(path, reason, Subject::Itself),
    }
}

/// The canonical signed text and the signatures of a cleartext-signed message.
fn read(bytes: &[u8]) -> Result<(Arc<[u8]>, Vec<Entry>), String> {
    let data = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut lines = data
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .enumerate()
        .skip_while(|(_, l)| l.trim_ascii().is_empty());
    match lines.next() {
        Some((_, first)) if first.trim_ascii_end() == HEADER.as_bytes() => {}
        Some((n, _))
            if lines
                .clone()
                .any(|(_, l)| l.trim_ascii() == HEADER.as_bytes()) =>
        {
            return Err(format!(
                "line {}: text before `{HEADER}` is not signed",
                n + 1
            ));
        }
        _ => return Err(format!("the file does not start with `{HEADER}`")),
    }
    // Armor headers: only `Hash:` is allowed (GnuPG's `NotDashEscaped:` changes what the
    // text means and is refused, as RFC 9580 asks), then a blank line.
    let mut hashes: Vec<String> = Vec::new();
    loop {
        let Some((n, line)) = lines.next() else {
            return Err("truncated: the file ends in the cleartext header".to_owned());
        };
        let line = line.trim_ascii_end();
        if line.is_empty() {
            break;
        }
        let text = String::from_utf8_lossy(line);
        let Some(values) = text.strip_prefix("Hash:") else {
            let name = text.split(':').next().unwrap_or_default();
            return Err(format!(
                "line {}: armor header `{name}` is not allowed in a cleartext-signed message",
                n + 1
            ));
        };
        for value in values.split(',').map(str::trim).filter(|v| !v.is_empty()) {
            if hash_name(value).is_none() {
                return Err(format!(
                    "line {}: unknown hash algorithm `{value}` in the Hash header",
                    n + 1
                ));
            }
            hashes.push(value.to_ascii_uppercase());
        }
    }
    // The signed text, up to the signature armor.
    let mut text: Vec<u8> = Vec::new();
    let mut first = true;
    let mut armor_start = None;
    for (n, line) in lines.by_ref() {
        if line.trim_ascii_end() == SIGNATURE_BEGIN.as_bytes() {
            armor_start = Some(n);
            break;
        }
        if !first {
            text.extend_from_slice(b"\r\n");
        }
        first = false;
        let line = line.strip_prefix(b"- ").unwrap_or(line);
        let end = line
            .iter()
            .rposition(|b| *b != b' ' && *b != b'\t')
            .map_or(0, |i| i + 1);
        text.extend_from_slice(line.get(..end).unwrap_or_default());
    }
    let Some(armor_start) = armor_start else {
        return Err(format!(
            "truncated: no `{SIGNATURE_BEGIN}` line after the signed text"
        ));
    };
    // The signature armor, and nothing but blank lines after it.
    let mut armor = String::from(SIGNATURE_BEGIN);
    armor.push('\n');
    let mut closed = false;
    for (n, line) in lines {
        if closed {
            if !line.trim_ascii().is_empty() {
                return Err(format!(
                    "line {}: text after the signature is not signed",
                    n + 1
                ));
            }
            continue;
        }
        let line = std::str::from_utf8(line)
            .map_err(|_| format!("line {} of the signature armor is not text", n + 1))?;
        armor.push_str(line);
        armor.push('\n');
        closed = line.trim_end() == SIGNATURE_END;
    }
    if !closed {
        return Err(format!(
            "the signature armor from line {} is truncated: `{SIGNATURE_END}` is missing",
            armor_start + 1
        ));
    }
    let blocks = packets::armor_blocks(&armor)?;
    let [block] = blocks.as_slice() else {
        return Err("the signature armor holds more than one block".to_owned());
    };
    let mut entries = super::entries(&packets::split_packets(&block.data)?)?;
    if !hashes.is_empty() {
        for (n, entry) in entries.iter_mut().enumerate() {
            if let Entry::Signature(sig) = entry {
                let used = sig
                    .config()
                    .map(|c| c.hash_alg.to_string().to_ascii_uppercase());
                if used.as_ref().is_some_and(|u| !hashes.contains(u)) {
                    *entry = Entry::Malformed(format!(
                        "the Hash header names {}, but signature {} uses {}",
                        hashes.join(", "),
                        n + 1,
                        used.unwrap_or_default()
                    ));
                }
            }
        }
    }
    Ok((Arc::from(text), entries))
}

/// The canonical name of a Hash header value, when it is a known hash.
fn hash_name(value: &str) -> Option<&'static str> {
    let upper = value.to_ascii_uppercase();
    [
        "MD5",
        "SHA1",
        "RIPEMD160",
        "SHA256",
        "SHA384",
        "SHA512",
        "SHA224",
        "SHA3-256",
        "SHA3-512",
    ]
    .into_iter()
    .find(|name| *name == upper)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const SIG: &str = "-----BEGIN PGP SIGNATURE-----\n\n\
        iHUEARYIAB0WIQSHC1BlbgK6Xv05wQJBDm5NO8rLyQUCXtRFAAAKCRBBDm5NO8rL\n\
        yTIgAP4vghr4tbOJn/hYFxQi6CzfkebS3y+MC32kyYUe7A1obgEA5HvKLgewP1cr\n\
        CJA/qbRI57x8aiNTDr1mlolbwpw9TwU=\n=+ewW\n-----END PGP SIGNATURE-----\n";

    fn message(header: &str, body: &str, after: &str) -> Vec<u8> {
        format!("{HEADER}\n{header}\n{body}\n{SIG}{after}").into_bytes()
    }

    #[test]
    fn text_is_canonicalised() {
        let bytes = message(
            "Hash: SHA256\n",
            "a  \r\n- - dashed\n- plain\n\ttabbed\t \nlast",
            "",
        );
        let (text, entries) = read(&bytes).unwrap();
        assert_eq!(&text[..], b"a\r\n- dashed\r\nplain\r\n\ttabbed\r\nlast");
        assert_eq!(entries.len(), 1);
    }

    #[test]
    fn a_trailing_newline_is_an_empty_last_line() {
        let (text, _) = read(&message("", "x\n", "")).unwrap();
        assert_eq!(&text[..], b"x\r\n");
        let (text, _) = read(&message("", "", "\n\n")).unwrap();
        assert_eq!(&text[..], b"");
    }

    #[test]
    fn misleading_or_broken_messages_are_errors() {
        let cases: [(Vec<u8>, &str); 7] = [
            (message("NotDashEscaped: yes\n", "x", ""), "not allowed"),
            (message("Hash: WHIRLPOOL\n", "x", ""), "unknown hash"),
            (message("", "x", "unsigned\n"), "not signed"),
            (
                [b"abc  unsigned.tar.gz\n".as_slice(), &message("", "x", "")].concat(),
                "line 1: text before",
            ),
            (
                format!("{HEADER}\nHash: SHA256\n").into_bytes(),
                "truncated",
            ),
            (
                format!("{HEADER}\n\nbody\n").into_bytes(),
                "no `-----BEGIN PGP SIGNATURE-----`",
            ),
            (
                format!("{HEADER}\n\nbody\n{SIGNATURE_BEGIN}\n\niHUE\n").into_bytes(),
                "truncated",
            ),
        ];
        for (bytes, expected) in cases {
            let err = read(&bytes).unwrap_err();
            assert!(err.contains(expected), "{err}");
        }
    }

    #[test]
    fn a_hash_header_must_name_the_signature_hash() {
        let (_, entries) = read(&message("Hash: SHA512\n", "x", "")).unwrap();
        assert!(matches!(entries.as_slice(), [Entry::Malformed(m)] if m.contains("SHA256")));
    }
}
