//! The line grammar of checksum files: one line at a time, and the body of an OpenPGP
//! cleartext-signed message.

use super::{Algorithm, ChecksumSyntax};
use crate::digest::parse_hex;

pub(crate) const PGP_BEGIN: &str = "-----BEGIN PGP SIGNED MESSAGE-----";
const PGP_SIG_BEGIN: &str = "-----BEGIN PGP SIGNATURE-----";
const PGP_SIG_END: &str = "-----END PGP SIGNATURE-----";
/// The first line of a signify signature (an embedded one signs the lines after its second).
const SIGNIFY_COMMENT: &str = "untrusted comment:";

/// A line of the checksum body, with its 0-based index in the file.
pub(crate) struct BodyLine<'a> {
    pub index: usize,
    pub text: &'a str,
}

/// Whether `line` (one line, without its line break) is the header of a cleartext-signed
/// message, allowing a byte-order mark and surrounding whitespace.
fn is_signed_header(line: &str) -> bool {
    line.trim_start_matches('\u{feff}').trim() == PGP_BEGIN
}

/// Whether any line of `text` starts a cleartext-signed message: the file is then signed,
/// and only the signed text of its first message carries content ([`body_lines`]).
pub(crate) fn has_signed_message(text: &str) -> bool {
    text.split('\n').any(is_signed_header)
}

/// The lines that carry checksums: all lines, or, when any line starts an OpenPGP
/// cleartext-signed message, only the signed text of the first one (armour headers and
/// signature skipped, dash-escaping undone). Lines before or after the signed part are never
/// content: they are not signed, and the signature reports them as malformed. The two lines
/// of a signify embedded signature that starts the file are skipped too.
pub(crate) fn body_lines<'a>(
    lines: impl Iterator<Item = &'a str> + Clone,
) -> impl Iterator<Item = BodyLine<'a>> {
    let signed = lines.clone().any(is_signed_header);
    body_lines_known(lines, signed)
}

/// Whether any of `lines`, all of them lines of `text`, starts a cleartext-signed message.
/// Without the header anywhere in `text` none does: one substring search then, instead of
/// trimming every line.
pub(crate) fn any_signed_header<'a>(text: &str, mut lines: impl Iterator<Item = &'a str>) -> bool {
    text.contains(PGP_BEGIN) && lines.any(is_signed_header)
}

/// [`body_lines`] when it is already known whether one of `lines` starts a signed message
/// (`signed`, as [`any_signed_header`] tells).
pub(crate) fn body_lines_known<'a>(
    lines: impl Iterator<Item = &'a str> + Clone,
    signed: bool,
) -> impl Iterator<Item = BodyLine<'a>> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Plain,
        Before,
        Headers,
        Body,
        Signature,
        After,
    }
    let mut state = if signed { State::Before } else { State::Plain };
    // A signify embedded signature (`signify -S -e`, OpenBSD's `SHA256.sig`): its comment
    // line and signature line come first, and the signature verifies what follows.
    let signify = !signed
        && lines.clone().next().is_some_and(|l| {
            l.trim_start_matches('\u{feff}')
                .starts_with(SIGNIFY_COMMENT)
        });
    lines.enumerate().filter_map(move |(index, raw)| {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if signify && index < 2 {
            return None;
        }
        match state {
            State::Plain => Some(BodyLine { index, text: line }),
            State::Before => {
                if is_signed_header(line) {
                    state = State::Headers;
                }
                None
            }
            State::Headers => {
                if line.trim().is_empty() {
                    state = State::Body;
                }
                None
            }
            State::Body if line.trim_end() == PGP_SIG_BEGIN => {
                state = State::Signature;
                None
            }
            State::Body => Some(BodyLine {
                index,
                text: line.strip_prefix("- ").unwrap_or(line),
            }),
            State::Signature => {
                if line.trim_end() == PGP_SIG_END {
                    state = State::After;
                }
                None
            }
            State::After => None,
        }
    })
}

/// What one line is.
#[derive(Debug, PartialEq)]
pub(super) enum Line<'a> {
    Blank,
    Comment,
    /// `TIMESTAMP = N` (distinfo metadata).
    Timestamp,
    Entry {
        algorithm: Algorithm,
        digest: Vec<u8>,
        name: String,
        syntax: ChecksumSyntax,
    },
    Size {
        name: String,
        size: u64,
    },
    Unsupported {
        algorithm: String,
    },
    BareWithoutName,
    Malformed(Malformed<'a>),
}

/// Why a line is not a checksum; formatted only when a finding is made (detection classifies
/// every line of every text file in a bundle and keeps none of the reasons).
#[derive(Debug, PartialEq)]
pub(super) enum Malformed<'a> {
    /// Not of any checksum line's shape: the line itself.
    Shape(&'a str),
    /// A digest of a length no algorithm has.
    DigestLength(usize),
    /// A BSD-style line whose value is not a digest of its algorithm's length.
    BsdDigest {
        value: &'a str,
        digits: usize,
        algorithm: Algorithm,
    },
    /// A `SIZE (name) = N` line whose value is not a number.
    Size(&'a str),
    /// A digest that is not hex.
    NotHex,
    /// An empty file name.
    EmptyName,
    /// An invalid `\` escape in a GNU-escaped name.
    Escape,
}

impl std::fmt::Display for Malformed<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Malformed::Shape(line) => write!(f, "`{}`", shorten(line)),
            Malformed::DigestLength(len) => {
                write!(f, "digest has {len} hex digits; sha256 has 64, sha512 128")
            }
            Malformed::BsdDigest {
                value,
                digits,
                algorithm,
            } => write!(
                f,
                "`{}` is not a {digits}-digit hex {} digest",
                shorten(value),
                algorithm.as_str()
            ),
            Malformed::Size(value) => write!(f, "size `{}` is not a number", shorten(value)),
            Malformed::NotHex => f.write_str("digest is not hex"),
            Malformed::EmptyName => f.write_str("empty file name"),
            Malformed::Escape => f.write_str("invalid `\\` escape in file name"),
        }
    }
}

pub(super) fn classify_line(line: &str, bare_allowed: bool) -> Line<'_> {
    let trimmed = line.trim();
    if trimmed.is_empty() {
        return Line::Blank;
    }
    if trimmed.starts_with('#') {
        return Line::Comment;
    }
    if let Some(n) = trimmed.strip_prefix("TIMESTAMP") {
        let n = n.trim_start();
        if let Some(n) = n.strip_prefix('=')
            && n.trim().bytes().all(|b| b.is_ascii_digit())
            && !n.trim().is_empty()
        {
            return Line::Timestamp;
        }
    }
    if trimmed.bytes().all(|b| b.is_ascii_hexdigit()) {
        return match algorithm_of_len(trimmed.len()) {
            Some(Ok(algorithm)) if bare_allowed => match parse_hex(trimmed) {
                Some(digest) => Line::Entry {
                    algorithm,
                    digest,
                    name: String::new(),
                    syntax: ChecksumSyntax::Bare,
                },
                None => Line::Malformed(Malformed::NotHex),
            },
            Some(Ok(_)) => Line::BareWithoutName,
            Some(Err(algorithm)) => Line::Unsupported {
                algorithm: algorithm.to_owned(),
            },
            None => Line::Malformed(Malformed::Shape(trimmed)),
        };
    }
    // A leading backslash marks GNU-escaped names.
    let (escaped, body) = match line.strip_prefix('\\') {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    if body.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && let Some(parsed) = parse_bsd(body, escaped)
    {
        return parsed;
    }
    parse_gnu(body, escaped).unwrap_or_else(|| Line::Malformed(Malformed::Shape(line.trim_end())))
}

/// `Some(Ok(alg))` for a supported digest length in hex digits, `Some(Err(name))` for a
/// known unsupported one.
fn algorithm_of_len(len: usize) -> Option<Result<Algorithm, &'static str>> {
    match len {
        64 => Some(Ok(Algorithm::Sha256)),
        128 => Some(Ok(Algorithm::Sha512)),
        32 => Some(Err("md5")),
        40 => Some(Err("sha1")),
        56 => Some(Err("sha224")),
        96 => Some(Err("sha384")),
        _ => None,
    }
}

/// `ALG (name) = HEX`, `ALG(name)= HEX`, `SIZE (name) = N`; `None` when not of this shape.
fn parse_bsd(line: &str, escaped: bool) -> Option<Line<'_>> {
    let open = line.find('(')?;
    let algorithm = line.get(..open)?.trim_end();
    if algorithm.is_empty()
        || !algorithm
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'/')
    {
        return None;
    }
    let eq = line.rfind('=')?;
    let value = line.get(eq.saturating_add(1)..)?.trim();
    let before = line.get(..eq)?.trim_end();
    let close = before.strip_suffix(')')?;
    let name = close.get(open.saturating_add(1)..)?;
    let name = if escaped {
        unescape(name)?
    } else {
        name.to_owned()
    };
    if name.is_empty() {
        return Some(Line::Malformed(Malformed::EmptyName));
    }
    let upper = algorithm.to_ascii_uppercase();
    if upper == "SIZE" {
        return Some(match value.parse::<u64>() {
            Ok(size) => Line::Size { name, size },
            Err(_) => Line::Malformed(Malformed::Size(value)),
        });
    }
    let supported = match upper.as_str() {
        "SHA256" | "SHA2-256" | "SHA-256" | "SHA2_256" => Some(Algorithm::Sha256),
        "SHA512" | "SHA2-512" | "SHA-512" | "SHA2_512" => Some(Algorithm::Sha512),
        _ => None,
    };
    let Some(algorithm_kind) = supported else {
        return Some(Line::Unsupported {
            algorithm: algorithm.to_owned(),
        });
    };
    let expected_len = match algorithm_kind {
        Algorithm::Sha256 => 64,
        Algorithm::Sha512 => 128,
    };
    match parse_hex(value) {
        Some(digest) if value.len() == expected_len => Some(Line::Entry {
            algorithm: algorithm_kind,
            digest,
            name,
            syntax: ChecksumSyntax::Bsd,
        }),
        _ => Some(Line::Malformed(Malformed::BsdDigest {
            value,
            digits: expected_len,
            algorithm: algorithm_kind,
        })),
    }
}

/// `HEX  name`, `HEX *name` (and leniently `HEX name`); `None` when not of this shape.
fn parse_gnu(line: &str, escaped: bool) -> Option<Line<'_>> {
    let hex_len = line.bytes().take_while(u8::is_ascii_hexdigit).count();
    let digest_text = line.get(..hex_len)?;
    let rest = line.get(hex_len..)?.strip_prefix(' ')?;
    let name = rest
        .strip_prefix(' ')
        .or_else(|| rest.strip_prefix('*'))
        .unwrap_or(rest);
    if hex_len == 0 {
        return None;
    }
    let algorithm = match algorithm_of_len(hex_len) {
        Some(Ok(a)) => a,
        Some(Err(name)) => {
            return Some(Line::Unsupported {
                algorithm: name.to_owned(),
            });
        }
        None => {
            return Some(Line::Malformed(Malformed::DigestLength(hex_len)));
        }
    };
    let name = if escaped {
        match unescape(name) {
            Some(n) => n,
            None => {
                return Some(Line::Malformed(Malformed::Escape));
            }
        }
    } else {
        name.to_owned()
    };
    if name.is_empty() {
        return Some(Line::Malformed(Malformed::EmptyName));
    }
    Some(Line::Entry {
        algorithm,
        digest: parse_hex(digest_text)?,
        name,
        syntax: ChecksumSyntax::Gnu,
    })
}

/// Undoes GNU coreutils escaping: `\\`, `\n`, `\r`.
fn unescape(name: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next()? {
                '\\' => out.push('\\'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// At most 80 characters of `text`, for messages.
fn shorten(text: &str) -> String {
    let mut chars = text.chars();
    let short: String = chars.by_ref().take(80).collect();
    if chars.next().is_some() {
        format!("{short}...")
    } else {
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_substring_search_agrees_with_reading_each_line() {
        let texts = [
            "abc  x\n",
            "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nabc  x\n",
            "\u{feff}  -----BEGIN PGP SIGNED MESSAGE-----  \r\nx\n",
            "note: -----BEGIN PGP SIGNED MESSAGE----- inside a line\n",
            "-----BEGIN PGP SIGNED MESSAGE",
            "",
        ];
        for text in texts {
            assert_eq!(
                any_signed_header(text, text.lines()),
                text.lines().any(is_signed_header),
                "{text:?}"
            );
        }
    }
}
