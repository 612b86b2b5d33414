//! Checksum files: GNU coreutils (`sha256sum`), BSD / `--tag` (`SHA256 (name) = HEX`),
//! `openssl dgst` (`SHA2-256(name)= HEX`, `-r`: `HEX *name`), FreeBSD `distinfo` (with
//! `SIZE (name) = N`), single-file `NAME.sha256` / `NAME.sha512` holding a bare digest,
//! `NAME.integrity` holding Subresource Integrity strings (`sha512-BASE64`), Debian archive
//! metadata (`Release`, `InRelease`, `Packages[.gz|.xz]`: see [`debian`]), npm package
//! version documents (`npm view PKG@VERSION --json`: see [`npm`]), and any of these
//! inside an OpenPGP cleartext-signed message (the armour is skipped here; the signature is
//! checked elsewhere). Text may be UTF-8 or UTF-16.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

pub(crate) mod debian;
pub(crate) mod lines;
pub(crate) mod npm;
mod sri;

use lines::{Line, body_lines, body_lines_known, classify_line};

use super::text;
use super::{Confidence, DetectInput, Evidence, EvidenceFormat, EvidenceKind, ParseInput, Parsed};
use crate::digest::hex;
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
    /// A Subresource Integrity string (`sha512-BASE64`) in `NAME.integrity`.
    Sri,
    /// ` HEX SIZE PATH` under a `SHA256:` field of a Debian `Release` file.
    DebianRelease,
    /// The `Filename` and `SHA256` fields of a package in a Debian `Packages` index.
    DebianPackages,
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
    /// The bundle directory names are relative to, when it is not the checksum file's own
    /// (a Debian `Packages` index names files from the archive root).
    pub base: Option<String>,
    /// When the file says it was made (a Debian `Release` file's `Date`).
    pub date: Option<jiff::Timestamp>,
    /// Until when the file says it may be relied on (a Debian `Release` file's
    /// `Valid-Until`): after that it is stale and covers nothing.
    pub valid_until: Option<jiff::Timestamp>,
    /// Date fields the file has but that cannot be read (`Date`, `Valid-Until`): the file is
    /// then stale whatever `as_of` is (fail closed).
    pub unreadable_dates: Vec<String>,
}

/// The most findings about individual lines one checksum file gives; one more finding
/// counts the rest.
pub const MAX_LINE_FINDINGS: usize = 20;

/// The checksum file format.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChecksumsFormat;

impl EvidenceFormat for ChecksumsFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::Checksums
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let by_name = name_suggests_checksums(input.file_name());
        let whole = input.head_is_whole_file();
        let Some(text) = input.text.as_deref() else {
            return Confidence::of(false, by_name);
        };
        if npm::looks_like(text, whole) {
            return Confidence::of(true, by_name);
        }
        let lines = super::complete_lines(text, whole);
        let signed = lines::any_signed_header(text, lines.clone());
        let body = body_lines_known(lines.clone(), signed).map(|l| l.text);
        if debian::may_name_kind(text) && debian::kind_by_content(body).is_some() {
            return Confidence::of(true, by_name);
        }
        let by_content = {
            let bare_name = bare_target(input.file_name()).is_some();
            let mut entries = 0usize;
            let mut other = 0usize;
            // At most this many lines follow any line (an over-count only stops later).
            let lines_in_text = text
                .bytes()
                .filter(|&b| b == b'\n')
                .count()
                .saturating_add(1);
            for line in body_lines_known(lines, signed) {
                match classify_line(line.text, bare_name) {
                    Line::Blank | Line::Comment => {}
                    Line::Entry { .. } | Line::Size { .. } | Line::Timestamp => entries += 1,
                    Line::Unsupported { .. } => entries += 1,
                    Line::Malformed(_) | Line::BareWithoutName => other += 1,
                }
                // Decided once even every line left being an entry would not be enough (most
                // text files: JSON, TOML, prose).
                let left = lines_in_text.saturating_sub(line.index.saturating_add(1));
                if entries.saturating_add(left) < other.saturating_mul(2) {
                    break;
                }
            }
            entries > 0 && entries >= other.saturating_mul(2)
        };
        Confidence::of(by_content, by_name)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        parse(input.path, input.bytes)
    }

    /// Debian `Packages` indexes are large (tens of MB for a full suite).
    fn max_parse_size(&self) -> u64 {
        MAX_PARSE_SIZE
    }
}

/// The parse size cap of checksum files: 256 MiB (a Debian `Packages` index of a whole
/// suite is about 50 MB).
pub const MAX_PARSE_SIZE: u64 = 256 * 1024 * 1024;

/// Parses a checksum file at bundle path `path`. Never panics.
pub fn parse(path: &str, bytes: &[u8]) -> Parsed {
    let name = super::file_name(path);
    let inflated;
    let bytes = if name.ends_with(".gz") || name.ends_with(".xz") {
        match debian::decompress(name, bytes) {
            Ok(b) => {
                inflated = b;
                inflated.as_slice()
            }
            Err(why) => {
                return Parsed {
                    evidence: None,
                    findings: vec![
                        Finding::new(
                            FindingCode::ChecksumBadIndex,
                            Some(path),
                            format!("compressed index {why}"),
                        )
                        .with_help("publish the index as the archive tool wrote it"),
                    ],
                };
            }
        }
    } else {
        bytes
    };
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
    if npm::looks_like(&text, true) {
        return npm::parse(path, text.as_bytes());
    }
    let debian_kind = debian::kind_by_content(body_lines(text.lines()).map(|l| l.text))
        .or_else(|| debian::kind_by_name(name));
    if let Some(kind) = debian_kind {
        return debian::list(path, &text, kind);
    }
    if sri::is_integrity_file(name) {
        return sri::parse(path, &text);
    }
    let bare = bare_target(name);
    let mut list = ChecksumList::default();
    let mut findings = Vec::new();
    let mut sizes: BTreeMap<String, u64> = BTreeMap::new();
    let lines = body_lines(text.lines());
    list.pgp_cleartext = lines::has_signed_message(&text);
    // Byte offsets of line starts, for spans.
    let offsets: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i.saturating_add(1)))
        .collect();
    let span_of = |line_no: usize, len: usize| {
        let start = offsets.get(line_no).copied().unwrap_or(0);
        start..start.saturating_add(len)
    };
    let mut capped = LineFindings::default();
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
                capped.push(
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
            Line::Unsupported { algorithm } => capped.push(
                Finding::new(
                    FindingCode::ChecksumUnsupportedAlgorithm,
                    Some(path),
                    format!("checksum with unsupported algorithm `{algorithm}` is not verified"),
                )
                .with_span(&text, here)
                .with_help("vouch verifies sha256 and sha512 checksums; publish one of those"),
            ),
            Line::Malformed(why) => capped.push(
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
    capped.finish(path, &mut findings);
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

/// Findings about lines, at most [`MAX_LINE_FINDINGS`]; the rest only counted.
#[derive(Default)]
pub(crate) struct LineFindings {
    kept: Vec<Finding>,
    more: usize,
    first_more: Option<u32>,
}

impl LineFindings {
    pub(crate) fn push(&mut self, finding: Finding) {
        if self.kept.len() < MAX_LINE_FINDINGS {
            self.kept.push(finding);
        } else {
            self.more = self.more.saturating_add(1);
            self.first_more.get_or_insert(finding.line.unwrap_or(0));
        }
    }

    /// Moves the kept findings into `findings`, and one that counts the others.
    pub(crate) fn finish(self, path: &str, findings: &mut Vec<Finding>) {
        findings.extend(self.kept);
        if self.more > 0 {
            let mut f = Finding::new(
                FindingCode::ChecksumMalformedLine,
                Some(path),
                format!(
                    "and {} more line(s) are not checksums either (only the first {MAX_LINE_FINDINGS} are shown)",
                    self.more
                ),
            )
            .with_help("is this a checksum file at all? vouch reads sha256sum, BSD, openssl, distinfo, SRI and Debian Release/Packages files");
            if let Some(line) = self.first_more.filter(|l| *l > 0) {
                f = f.at_line(line);
            }
            findings.push(f);
        }
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

/// The file a single-file checksum file names by its own name (`a.tar.gz.sha256` names
/// `a.tar.gz`), if its name has that form.
pub(crate) fn bare_target(file_name: &str) -> Option<&str> {
    const SUFFIXES: &[&str] = &[
        ".sha256",
        ".sha512",
        ".sha256sum",
        ".sha512sum",
        ".integrity",
    ];
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
        || debian::kind_by_name(file_name).is_some()
        || lower.contains("sums")
        || lower.contains("checksum")
        || lower == "distinfo"
        || lower.ends_with(".distinfo")
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
    fn detection_counts_lines_to_the_end_unless_the_rest_cannot_win() {
        let detect = |text: &str| {
            ChecksumsFormat.detect(&DetectInput::new(
                "notes.txt",
                text.as_bytes(),
                text.len() as u64,
            ))
        };
        let line = format!("{H}  a.tar.gz\n");
        // Junk first, then twice as many entries: checksums.
        let late = format!("junk\njunk\n{}", line.repeat(4));
        assert_eq!(detect(&late), Confidence::Content);
        // One entry short of twice the junk: not.
        let short = format!("junk\njunk\n{}", line.repeat(3));
        assert_eq!(detect(&short), Confidence::No);
        // Blank lines between count for nothing either way.
        let blanks = format!("junk\n\n\n\n{}", line.repeat(2));
        assert_eq!(detect(&blanks), Confidence::Content);
        // A long text file is decided early, and is not checksums.
        let prose = "a line of prose\n".repeat(5000) + &line;
        assert_eq!(detect(&prose), Confidence::No);
    }

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
            ChecksumsFormat.detect(&DetectInput::new(path, sig.as_bytes(), sig.len() as u64))
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
    fn lines_outside_the_signed_message_are_never_entries() {
        let signed = format!(
            "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n{H}  a\n\
             -----BEGIN PGP SIGNATURE-----\n\nAAAA\n=abcd\n-----END PGP SIGNATURE-----\n"
        );
        for text in [
            format!("{H}  before\n{signed}"),
            format!("{signed}{H}  after\n"),
            format!("{H}  before\n{signed}{H}  after\n{signed}"),
        ] {
            let (entries, _) = entries("SHA256SUMS", &text);
            let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
            assert_eq!(names, ["a"], "{text}");
            let Some(Evidence::Checksums(list)) = parse("SHA256SUMS", text.as_bytes()).evidence
            else {
                panic!()
            };
            assert!(list.pgp_cleartext, "{text}");
        }
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
            let _ =
                ChecksumsFormat.detect(&DetectInput::new("SUMS", &bytes, bytes.len() as u64 + 1));
        }
    }
}
