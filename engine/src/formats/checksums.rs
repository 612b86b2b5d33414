//! Checksum files: GNU coreutils (`sha256sum`), BSD / `--tag` (`SHA256 (name) = HEX`),
//! `openssl dgst` (`SHA2-256(name)= HEX`, `-r`: `HEX *name`), FreeBSD `distinfo` (with
//! `SIZE (name) = N`), single-file `NAME.sha256` / `NAME.sha512` holding a bare digest, and
//! any of these inside an OpenPGP cleartext-signed message (the armour is skipped here; the
//! signature is checked elsewhere). Text may be UTF-8 or UTF-16.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use super::text;
use super::{Confidence, DetectInput, Evidence, EvidenceFormat, EvidenceKind, ParseInput, Parsed};
use crate::digest::{hex, parse_hex};
use crate::finding::{Finding, FindingCode, saturate_u32};

/// A digest algorithm vouch verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    /// SHA-256.
    Sha256,
    /// SHA-512.
    Sha512,
}

impl Algorithm {
    /// `sha256` or `sha512`.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }
}

/// How a checksum line was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChecksumSyntax {
    /// `HEX  name` or `HEX *name` (GNU coreutils, `openssl dgst -r`).
    Gnu,
    /// `SHA256 (name) = HEX` (BSD, `--tag`, `distinfo`, `openssl dgst`).
    Bsd,
    /// A bare `HEX` in `NAME.sha256`: the name is the checksum file's name less its extension.
    Bare,
}

/// One checksum line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecksumEntry {
    /// 1-based line in the checksum file.
    pub line: u32,
    /// The algorithm.
    pub algorithm: Algorithm,
    /// The expected digest.
    pub digest: Vec<u8>,
    /// The file name as written (GNU escapes undone), relative to the checksum file's directory.
    pub name: String,
    /// How the line was written.
    pub syntax: ChecksumSyntax,
    /// The expected size, from a `SIZE (name) = N` line (`distinfo`).
    pub size: Option<u64>,
}

impl ChecksumEntry {
    /// The expected digest in lowercase hex.
    pub fn digest_hex(&self) -> String {
        hex(&self.digest)
    }
}

/// The entries of one checksum file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChecksumList {
    /// Entries in line order.
    pub entries: Vec<ChecksumEntry>,
    /// Whether the entries sit inside an OpenPGP cleartext-signed message.
    pub pgp_cleartext: bool,
}

/// The checksum file format.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChecksumsFormat;

impl EvidenceFormat for ChecksumsFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::Checksums
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let by_name = name_suggests_checksums(input.file_name());
        let by_content = text::decode_head(input.head).is_some_and(|text| {
            let bare_name = bare_target(input.file_name()).is_some();
            let mut entries = 0usize;
            let mut other = 0usize;
            let whole = input.head_is_whole_file();
            for line in body_lines(super::complete_lines(&text, whole)) {
                match classify_line(line.text, bare_name) {
                    Line::Blank | Line::Comment => {}
                    Line::Entry { .. } | Line::Size { .. } | Line::Timestamp => entries += 1,
                    Line::Unsupported { .. } => entries += 1,
                    Line::Malformed(_) | Line::BareWithoutName => other += 1,
                }
            }
            entries > 0 && entries >= other.saturating_mul(2)
        });
        match (by_content, by_name) {
            (true, true) => Confidence::ContentAndName,
            (true, false) => Confidence::Content,
            (false, true) => Confidence::Name,
            (false, false) => Confidence::No,
        }
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        parse(input.path, input.bytes)
    }
}

/// Parses a checksum file at bundle path `path`. Never panics.
pub fn parse(path: &str, bytes: &[u8]) -> Parsed {
    let text = match text::decode(bytes) {
        Ok(t) => Arc::<str>::from(t),
        Err(why) => {
            return Parsed {
                evidence: None,
                findings: vec![
                    Finding::new(
                        FindingCode::NotText,
                        Some(path),
                        format!("checksum file is {why}"),
                    )
                    .with_help("checksum files are UTF-8 (or UTF-16) text"),
                ],
            };
        }
    };
    let name = super::file_name(path);
    let bare = bare_target(name);
    let mut list = ChecksumList::default();
    let mut findings = Vec::new();
    let mut sizes: BTreeMap<String, u64> = BTreeMap::new();
    let lines = body_lines(text.lines());
    list.pgp_cleartext = text.trim_start().starts_with(PGP_BEGIN);
    // Byte offsets of line starts, for spans.
    let offsets: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i.saturating_add(1)))
        .collect();
    let span_of = |line_no: usize, len: usize| {
        let start = offsets.get(line_no).copied().unwrap_or(0);
        start..start.saturating_add(len)
    };
    for line in lines {
        let line_no = saturate_u32(line.index.saturating_add(1));
        let here = span_of(line.index, line.text.len());
        match classify_line(line.text, bare.is_some()) {
            Line::Blank | Line::Comment | Line::Timestamp => {}
            Line::Entry {
                algorithm,
                digest,
                name,
                syntax,
            } => list.entries.push(ChecksumEntry {
                line: line_no,
                algorithm,
                digest,
                name,
                syntax,
                size: None,
            }),
            Line::Size { name, size } => {
                sizes.insert(name, size);
            }
            Line::BareWithoutName if bare.is_none() => {
                findings.push(
                    Finding::new(
                        FindingCode::ChecksumMalformedLine,
                        Some(path),
                        "digest without a file name",
                    )
                    .with_span(&text, here)
                    .with_help(
                        "a bare digest is only understood in a file named `NAME.sha256` or \
                         `NAME.sha512`; elsewhere write `HEX  NAME`",
                    ),
                );
            }
            Line::BareWithoutName => {}
            Line::Unsupported { algorithm } => findings.push(
                Finding::new(
                    FindingCode::ChecksumUnsupportedAlgorithm,
                    Some(path),
                    format!("checksum with unsupported algorithm `{algorithm}` is not verified"),
                )
                .with_span(&text, here)
                .with_help("vouch verifies sha256 and sha512 checksums; publish one of those"),
            ),
            Line::Malformed(why) => findings.push(
                Finding::new(
                    FindingCode::ChecksumMalformedLine,
                    Some(path),
                    format!("line is not a checksum: {why}"),
                )
                .with_span(&text, here)
                .with_help(
                    "expected `HEX  NAME` (sha256sum), `SHA256 (NAME) = HEX` (BSD, --tag) or \
                     `SHA2-256(NAME)= HEX` (openssl dgst)",
                ),
            ),
        }
    }
    if let Some(target) = bare {
        for entry in &mut list.entries {
            if entry.syntax == ChecksumSyntax::Bare {
                entry.name = target.to_owned();
            }
        }
    }
    for entry in &mut list.entries {
        entry.size = sizes.get(&entry.name).copied();
    }
    dedupe(path, &text, &offsets, &mut list, &mut findings);
    if list.entries.is_empty() && findings.is_empty() {
        findings.push(
            Finding::new(
                FindingCode::ChecksumNoEntries,
                Some(path),
                "checksum file lists no checksum",
            )
            .with_help("list each released file as `HEX  NAME`"),
        );
    }
    Parsed {
        evidence: Some(Evidence::Checksums(list)),
        findings,
    }
}

/// Drops exact repeats; a name listed twice with two digests is a finding (both kept).
fn dedupe(
    path: &str,
    text: &Arc<str>,
    offsets: &[usize],
    list: &mut ChecksumList,
    findings: &mut Vec<Finding>,
) {
    let mut first: BTreeMap<(String, Algorithm), (Vec<u8>, u32)> = BTreeMap::new();
    let mut kept = Vec::with_capacity(list.entries.len());
    for entry in std::mem::take(&mut list.entries) {
        let key = (normalize_name(&entry.name).to_owned(), entry.algorithm);
        match first.get(&key) {
            Some((digest, _)) if *digest == entry.digest => continue,
            Some((_, first_line)) => {
                let index = usize::try_from(entry.line.saturating_sub(1)).unwrap_or(usize::MAX);
                let start = offsets.get(index).copied().unwrap_or(0);
                let end = text
                    .get(start..)
                    .and_then(|rest| rest.find('\n'))
                    .map_or(text.len(), |n| start.saturating_add(n));
                findings.push(
                    Finding::new(
                        FindingCode::ChecksumDuplicateName,
                        Some(path),
                        format!(
                            "`{}` is listed again with a different {} digest (first on line {first_line})",
                            entry.name,
                            entry.algorithm.as_str()
                        ),
                    )
                    .with_span(text, start..end)
                    .with_help("a file has one digest; remove the stale line"),
                );
            }
            None => {
                first.insert(key, (entry.digest.clone(), entry.line));
            }
        }
        kept.push(entry);
    }
    list.entries = kept;
}

/// `name` without leading `./` (and `*` already stripped by the syntax).
pub(crate) fn normalize_name(name: &str) -> &str {
    let mut name = name;
    while let Some(rest) = name.strip_prefix("./") {
        name = rest;
    }
    name
}

const PGP_BEGIN: &str = "-----BEGIN PGP SIGNED MESSAGE-----";
const PGP_SIG_BEGIN: &str = "-----BEGIN PGP SIGNATURE-----";
const PGP_SIG_END: &str = "-----END PGP SIGNATURE-----";

/// A line of the checksum body, with its 0-based index in the file.
struct BodyLine<'a> {
    index: usize,
    text: &'a str,
}

/// The lines that carry checksums: all lines, or the signed text of a cleartext-signed
/// message (armour headers and signature skipped, dash-escaping undone).
fn body_lines<'a>(lines: impl Iterator<Item = &'a str>) -> impl Iterator<Item = BodyLine<'a>> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Start,
        Plain,
        Headers,
        Body,
        Signature,
    }
    let mut state = State::Start;
    lines.enumerate().filter_map(move |(index, raw)| {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        match state {
            State::Start if line.trim().is_empty() => None,
            State::Start if line.trim_end() == PGP_BEGIN => {
                state = State::Headers;
                None
            }
            State::Start | State::Plain => {
                state = State::Plain;
                Some(BodyLine { index, text: line })
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
                    state = State::Plain;
                }
                None
            }
        }
    })
}

/// What one line is.
#[derive(Debug, PartialEq)]
enum Line {
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
    Malformed(String),
}

fn classify_line(line: &str, bare_allowed: bool) -> Line {
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
                None => Line::Malformed("digest is not hex".to_owned()),
            },
            Some(Ok(_)) => Line::BareWithoutName,
            Some(Err(algorithm)) => Line::Unsupported {
                algorithm: algorithm.to_owned(),
            },
            None => Line::Malformed(format!("`{}`", shorten(trimmed))),
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
    parse_gnu(body, escaped)
        .unwrap_or_else(|| Line::Malformed(format!("`{}`", shorten(line.trim_end()))))
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
fn parse_bsd(line: &str, escaped: bool) -> Option<Line> {
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
        return Some(Line::Malformed("empty file name".to_owned()));
    }
    let upper = algorithm.to_ascii_uppercase();
    if upper == "SIZE" {
        return Some(match value.parse::<u64>() {
            Ok(size) => Line::Size { name, size },
            Err(_) => Line::Malformed(format!("size `{}` is not a number", shorten(value))),
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
        _ => Some(Line::Malformed(format!(
            "`{}` is not a {}-digit hex {} digest",
            shorten(value),
            expected_len,
            algorithm_kind.as_str()
        ))),
    }
}

/// `HEX  name`, `HEX *name` (and leniently `HEX name`); `None` when not of this shape.
fn parse_gnu(line: &str, escaped: bool) -> Option<Line> {
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
            return Some(Line::Malformed(format!(
                "digest has {hex_len} hex digits; sha256 has 64, sha512 128"
            )));
        }
    };
    let name = if escaped {
        match unescape(name) {
            Some(n) => n,
            None => {
                return Some(Line::Malformed(
                    "invalid `\\` escape in file name".to_owned(),
                ));
            }
        }
    } else {
        name.to_owned()
    };
    if name.is_empty() {
        return Some(Line::Malformed("empty file name".to_owned()));
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

/// The file a single-file checksum file names by its own name (`a.tar.gz.sha256` names
/// `a.tar.gz`), if its name has that form.
pub(crate) fn bare_target(file_name: &str) -> Option<&str> {
    const SUFFIXES: &[&str] = &[".sha256", ".sha512", ".sha256sum", ".sha512sum"];
    let lower = file_name.to_ascii_lowercase();
    SUFFIXES.iter().find_map(|suffix| {
        if lower.ends_with(suffix) && file_name.len() > suffix.len() {
            file_name.get(..file_name.len().saturating_sub(suffix.len()))
        } else {
            None
        }
    })
}

fn name_suggests_checksums(file_name: &str) -> bool {
    let lower = file_name.to_ascii_lowercase();
    // `SHA256SUMS.asc` may be a detached signature *of* the sums: only content decides.
    const SIGNATURES: &[&str] = &[".asc", ".sig", ".gpg", ".minisig", ".sigstore", ".pem"];
    if SIGNATURES.iter().any(|ext| lower.ends_with(ext)) {
        return false;
    }
    bare_target(file_name).is_some()
        || lower.contains("sums")
        || lower.contains("checksum")
        || lower == "distinfo"
        || lower.ends_with(".distinfo")
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

    fn entries(path: &str, text: &str) -> (Vec<ChecksumEntry>, Vec<Finding>) {
        let parsed = parse(path, text.as_bytes());
        match parsed.evidence {
            Some(Evidence::Checksums(list)) => (list.entries, parsed.findings),
            other => panic!("unexpected {other:?}"),
        }
    }

    const H: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn each_syntax() {
        let text = format!(
            "{H}  a.tar.gz\n{H} *b.zip\nSHA256 (c d.txt) = {H}\nSHA2-256(e(1).bin)= {H}\n\
             \\{H}  f\\nnewline\n# comment\n\nTIMESTAMP = 5\nSIZE (c d.txt) = 0\n"
        );
        let (entries, findings) = entries("SHA256SUMS", &text);
        assert!(findings.is_empty(), "{findings:?}");
        let names: Vec<_> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            ["a.tar.gz", "b.zip", "c d.txt", "e(1).bin", "f\nnewline"]
        );
        assert_eq!(entries[2].size, Some(0));
        assert_eq!(entries[2].syntax, ChecksumSyntax::Bsd);
        assert_eq!(entries[4].line, 5);
    }

    #[test]
    fn detached_signature_of_sums_is_not_checksums() {
        let sig = "-----BEGIN PGP SIGNATURE-----\n\niHUEABYIAB0WIQRb\n=NVwl\n-----END PGP SIGNATURE-----\n";
        let detect = |path| {
            ChecksumsFormat.detect(&DetectInput {
                path,
                head: sig.as_bytes(),
                size: sig.len() as u64,
            })
        };
        assert_eq!(detect("SHA256SUMS.asc"), Confidence::No);
        assert_eq!(detect("SHA256SUMS"), Confidence::Name);
    }

    #[test]
    fn bare_digest_names_its_stem() {
        let (entries, findings) = entries("dist/a.tar.gz.sha256", H);
        assert!(findings.is_empty());
        assert_eq!(entries[0].name, "a.tar.gz");
        let (entries, findings) = super::tests::entries("SHA256SUMS", H);
        assert!(entries.is_empty());
        assert_eq!(findings[0].code, FindingCode::ChecksumMalformedLine);
    }

    #[test]
    fn malformed_and_duplicates_have_lines() {
        let other = H.replace('e', "f");
        let text = format!("{H}  a\nnot a checksum\n{other}  ./a\n{H}  a\nMD5 (x) = 00\n");
        let (entries, findings) = entries("SUMS", &text);
        assert_eq!(entries.len(), 2);
        let codes: Vec<_> = findings.iter().map(|f| (f.code, f.line)).collect();
        assert!(codes.contains(&(FindingCode::ChecksumMalformedLine, Some(2))));
        assert!(codes.contains(&(FindingCode::ChecksumDuplicateName, Some(3))));
        assert!(codes.contains(&(FindingCode::ChecksumUnsupportedAlgorithm, Some(5))));
    }

    #[test]
    fn cleartext_signed() {
        let text = format!(
            "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n{H}  a\n- {H}  b\n\
             -----BEGIN PGP SIGNATURE-----\n\nAAAA\n=abcd\n-----END PGP SIGNATURE-----\n"
        );
        let parsed = parse("SHA256SUMS.asc", text.as_bytes());
        assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
        let Some(Evidence::Checksums(list)) = parsed.evidence else {
            panic!()
        };
        assert!(list.pgp_cleartext);
        assert_eq!(list.entries.len(), 2);
        assert_eq!(list.entries[0].line, 4);
    }

    #[test]
    fn never_panics_on_noise() {
        const ALPHABET: &[u8] = b"0123456789abcdef ()=*\\\n\r-SHA25 #./\xff\x00";
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for round in 0..2000 {
            let len = (round % 97) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    ALPHABET[(seed % ALPHABET.len() as u64) as usize]
                })
                .collect();
            let _ = parse("x.sha256", &bytes);
            let _ = ChecksumsFormat.detect(&DetectInput {
                path: "SUMS",
                head: &bytes,
                size: bytes.len() as u64 + 1,
            });
        }
    }
}
