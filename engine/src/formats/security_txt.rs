//! security.txt (RFC 9116): how to report a vulnerability, and until when that holds.
//!
//! ```text
//! Contact: mailto:security@example.com
//! Expires: 2027-04-30T00:00:00Z
//! Encryption: https://example.com/pgp-key.txt
//! Policy: https://example.com/security-policy
//! Preferred-Languages: en, de
//! ```
//!
//! One `Field: value` per line, `#` comments, field names case-insensitive. `Contact` is
//! required (one or more) and so is `Expires` (exactly once, RFC 3339); web URIs must be
//! `https://`. A file that is OpenPGP cleartext-signed is read from its signed text (armor
//! stripped, dash-escapes undone); the signature itself is verified elsewhere. Whether the
//! file has expired, or expires too far ahead, is a policy's judgement at `as_of`: only a
//! missing, repeated or unreadable `Expires` is a finding here.

use std::sync::Arc;

use jiff::Timestamp;
use serde::Serialize;

use super::checksums::lines::{any_signed_header, body_lines, body_lines_known};
use super::json_util::{When, when};
use super::{Confidence, DetectInput, Evidence, EvidenceFormat, EvidenceKind, ParseInput, Parsed};
use crate::finding::{Finding, FindingCode, saturate_u32};

/// The fields RFC 9116 defines, as written there.
pub const FIELDS: &[&str] = &[
    "Acknowledgments",
    "Canonical",
    "Contact",
    "CSAF",
    "Encryption",
    "Expires",
    "Hiring",
    "Policy",
    "Preferred-Languages",
];

/// The parse cap: RFC 9116 sets none; real files are a few hundred bytes.
pub const MAX_SIZE: u64 = 32 * 1024;

/// Malformed lines reported one by one; past this, one finding counts the rest.
const MAX_LINE_FINDINGS: usize = 10;

/// A parsed security.txt.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SecurityTxt {
    /// `Contact` values, in file order, as written.
    pub contacts: Vec<String>,
    /// `Expires`, when present and readable (the first, when repeated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<Timestamp>,
    /// `Encryption` URIs.
    pub encryption: Vec<String>,
    /// `Acknowledgments` URIs.
    pub acknowledgments: Vec<String>,
    /// `Preferred-Languages`, split at commas.
    pub preferred_languages: Vec<String>,
    /// `Canonical` URIs.
    pub canonical: Vec<String>,
    /// `Policy` URIs.
    pub policy: Vec<String>,
    /// `Hiring` URIs.
    pub hiring: Vec<String>,
    /// `CSAF` provider-metadata URIs.
    pub csaf: Vec<String>,
    /// Whether the file is an OpenPGP cleartext-signed message.
    pub signed: bool,
    /// 1-based line of the first field.
    #[serde(skip)]
    pub line: u32,
}

/// The security.txt format.
#[derive(Debug, Clone, Copy, Default)]
pub struct SecurityTxtFormat;

impl EvidenceFormat for SecurityTxtFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::SecurityTxt
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let by_name = input.file_name().eq_ignore_ascii_case("security.txt");
        let by_content = input
            .text
            .as_deref()
            .is_some_and(|text| looks_like(text, input.head_is_whole_file()));
        Confidence::of(by_content, by_name)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        parse(input.path, input.bytes)
    }

    fn max_parse_size(&self) -> u64 {
        MAX_SIZE
    }
}

/// Whether every (complete, unless `whole`) line of `text` that is not blank or a comment is
/// a `Field: value` line, and one of them is a field RFC 9116 defines other than `Expires`.
fn looks_like(text: &str, whole: bool) -> bool {
    let lines = super::complete_lines(text, whole);
    let signed = any_signed_header(text, lines.clone());
    let mut known = 0usize;
    for line in body_lines_known(lines, signed) {
        let text = line.text.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let Some((name, _)) = split_field(text) else {
            return false;
        };
        // `Expires:` alone does not count: HTTP header dumps have it too.
        if canonical_name(name).is_some_and(|f| f != "Expires") {
            known = known.saturating_add(1);
        }
    }
    known > 0
}

/// `Name: value` with a field-name token before the colon.
fn split_field(line: &str) -> Option<(&str, &str)> {
    let (name, value) = line.split_once(':')?;
    let token = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    token.then(|| (name, value.trim()))
}

/// The RFC's spelling of a field name, matched case-insensitively.
fn canonical_name(name: &str) -> Option<&'static str> {
    FIELDS
        .iter()
        .copied()
        .find(|f| f.eq_ignore_ascii_case(name))
}

/// Parses a security.txt at bundle path `path`. Never panics.
pub fn parse(path: &str, bytes: &[u8]) -> Parsed {
    let text = match super::text::decode(bytes) {
        Ok(t) => Arc::<str>::from(t),
        Err(why) => {
            return Parsed {
                evidence: None,
                findings: vec![
                    Finding::new(
                        FindingCode::NotText,
                        Some(path),
                        format!("security.txt is {why}"),
                    )
                    .with_help("security.txt is UTF-8 text (RFC 9116)"),
                ],
            };
        }
    };
    let mut reader = Reader {
        path,
        src: Arc::clone(&text),
        findings: Vec::new(),
        malformed: 0,
    };
    let mut txt = SecurityTxt {
        signed: super::checksums::lines::has_signed_message(&text),
        ..SecurityTxt::default()
    };
    let mut expires_line: Option<u32> = None;
    let mut languages_line: Option<u32> = None;
    let line_starts = line_starts(&text);
    for line in body_lines(text.split('\n')) {
        let start = line_starts.get(line.index).copied().unwrap_or(0);
        let number = saturate_u32(line.index.saturating_add(1));
        let trimmed = line.text.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let span = start..start.saturating_add(line.text.len());
        let Some((name, value)) = split_field(trimmed) else {
            reader.malformed_line(span, trimmed);
            continue;
        };
        if txt.line == 0 {
            txt.line = number;
        }
        let value = value.to_owned();
        match canonical_name(name) {
            Some("Contact") => {
                reader.check_contact(&value, span);
                txt.contacts.push(value);
            }
            Some("Expires") => {
                if let Some(first) = expires_line {
                    reader.report(
                        FindingCode::SecurityTxtDuplicateField,
                        span,
                        format!("`Expires` appears again (first on line {first})"),
                        "RFC 9116 allows `Expires` exactly once",
                    );
                    continue;
                }
                expires_line = Some(number);
                txt.expires = reader.expires(&value, span);
            }
            Some("Preferred-Languages") => {
                if let Some(first) = languages_line {
                    reader.report(
                        FindingCode::SecurityTxtDuplicateField,
                        span,
                        format!("`Preferred-Languages` appears again (first on line {first})"),
                        "RFC 9116 allows `Preferred-Languages` at most once",
                    );
                    continue;
                }
                languages_line = Some(number);
                txt.preferred_languages = value
                    .split(',')
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
            Some(field) => {
                reader.check_uri(field, &value, span);
                let list = match field {
                    "Acknowledgments" => &mut txt.acknowledgments,
                    "Canonical" => &mut txt.canonical,
                    "CSAF" => &mut txt.csaf,
                    "Encryption" => &mut txt.encryption,
                    "Hiring" => &mut txt.hiring,
                    _ => &mut txt.policy,
                };
                list.push(value);
            }
            None => reader.report(
                FindingCode::SecurityTxtUnknownField,
                span,
                format!("`{name}` is not a field of RFC 9116; ignored"),
                "the fields are Contact, Expires, Encryption, Acknowledgments, \
                 Preferred-Languages, Canonical, Policy, Hiring and CSAF",
            ),
        }
    }
    reader.finish_malformed();
    let whole = 0..text.len().min(1);
    if txt.contacts.is_empty() {
        reader.report(
            FindingCode::SecurityTxtMissingField,
            whole.clone(),
            "no `Contact` field".to_owned(),
            "RFC 9116 requires at least one `Contact:` (mailto:, tel: or https:// URI)",
        );
    }
    if expires_line.is_none() {
        reader.report(
            FindingCode::SecurityTxtMissingField,
            whole,
            "no `Expires` field".to_owned(),
            "RFC 9116 requires `Expires:` once, e.g. `Expires: 2027-01-01T00:00:00Z`",
        );
    }
    Parsed {
        evidence: Some(Evidence::SecurityTxt(txt)),
        findings: reader.findings,
    }
}

/// The byte offset each line of `text` starts at.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i.saturating_add(1)))
        .collect()
}

struct Reader<'p> {
    path: &'p str,
    src: Arc<str>,
    findings: Vec<Finding>,
    malformed: usize,
}

impl Reader<'_> {
    fn report(
        &mut self,
        code: FindingCode,
        span: std::ops::Range<usize>,
        message: String,
        help: &str,
    ) {
        self.findings.push(
            Finding::new(code, Some(self.path), message)
                .with_help(help)
                .with_span(&self.src, span),
        );
    }

    fn malformed_line(&mut self, span: std::ops::Range<usize>, line: &str) {
        self.malformed = self.malformed.saturating_add(1);
        if self.malformed > MAX_LINE_FINDINGS {
            return;
        }
        let shown: String = line.chars().take(60).collect();
        self.report(
            FindingCode::SecurityTxtMalformedLine,
            span,
            format!("`{shown}` is not a `Field: value` line"),
            "each line is a field (`Contact: mailto:...`), a `#` comment, or blank",
        );
    }

    fn finish_malformed(&mut self) {
        if self.malformed > MAX_LINE_FINDINGS {
            let more = self.malformed.saturating_sub(MAX_LINE_FINDINGS);
            self.findings.push(
                Finding::new(
                    FindingCode::SecurityTxtMalformedLine,
                    Some(self.path),
                    format!("{more} more lines are not `Field: value` lines"),
                )
                .with_help("check that this file is a security.txt"),
            );
        }
    }

    /// `Contact` must be a `mailto:`, `tel:` or `https://` URI.
    fn check_contact(&mut self, value: &str, span: std::ops::Range<usize>) {
        let lower = value.to_ascii_lowercase();
        if ["mailto:", "tel:", "https://"]
            .iter()
            .any(|p| lower.starts_with(p))
        {
            return;
        }
        let why = if lower.starts_with("http://") {
            "is an `http://` URI; web URIs must be `https://`".to_owned()
        } else if scheme(value).is_none() {
            "is not a URI".to_owned()
        } else {
            "is not a `mailto:`, `tel:` or `https://` URI".to_owned()
        };
        self.report(
            FindingCode::SecurityTxtInvalidValue,
            span,
            format!("Contact `{value}` {why}"),
            "write e.g. `Contact: mailto:security@example.com` or `Contact: https://example.com/report`",
        );
    }

    /// Other fields hold URIs; web URIs must be `https://`, and `CSAF` must be one.
    fn check_uri(&mut self, field: &str, value: &str, span: std::ops::Range<usize>) {
        let lower = value.to_ascii_lowercase();
        let why = if lower.starts_with("http://") {
            Some("is an `http://` URI; web URIs must be `https://`")
        } else if scheme(value).is_none() {
            Some("is not a URI (no scheme)")
        } else if field == "CSAF" && !lower.starts_with("https://") {
            Some("is not an `https://` URI")
        } else {
            None
        };
        if let Some(why) = why {
            self.report(
                FindingCode::SecurityTxtInvalidValue,
                span,
                format!("{field} `{value}` {why}"),
                "write an absolute URI, e.g. `https://example.com/...`",
            );
        }
    }

    /// `Expires` as RFC 3339; without an offset it is read as UTC (a warning); an RFC 2822
    /// date (older drafts) is read but is an error; anything else is an error and `None`.
    fn expires(&mut self, value: &str, span: std::ops::Range<usize>) -> Option<Timestamp> {
        const HELP: &str = "write `Expires:` as RFC 3339, e.g. `Expires: 2027-01-01T00:00:00Z`";
        let iso_like = value.len() >= 10 && value.as_bytes().get(4) == Some(&b'-');
        match when(value) {
            Some(When::Exact(t)) => Some(t),
            Some(When::AssumedUtc(t)) if iso_like => {
                self.report(
                    FindingCode::DateWithoutZone,
                    span,
                    format!("Expires `{value}` has no time zone; read as UTC"),
                    HELP,
                );
                Some(t)
            }
            _ => {
                let rfc2822 = jiff::fmt::rfc2822::parse(value).ok().map(|z| z.timestamp());
                let message = match rfc2822 {
                    Some(_) => format!(
                        "Expires `{value}` is an RFC 2822 date, not RFC 3339; read all the same"
                    ),
                    None => format!("Expires `{value}` is not an RFC 3339 date-time"),
                };
                self.report(FindingCode::SecurityTxtInvalidValue, span, message, HELP);
                rfc2822
            }
        }
    }
}

/// The scheme of an absolute URI (`mailto`, `https`, ...), if it has one.
fn scheme(value: &str) -> Option<&str> {
    let (scheme, _) = value.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Option<SecurityTxt>, Vec<(FindingCode, Option<u32>)>) {
        let parsed = parse("security.txt", text.as_bytes());
        let codes = parsed.findings.iter().map(|f| (f.code, f.line)).collect();
        let txt = match parsed.evidence {
            Some(Evidence::SecurityTxt(t)) => Some(t),
            _ => None,
        };
        (txt, codes)
    }

    #[test]
    fn reads_a_plain_file() {
        let (txt, codes) = read(
            "# hi\nContact: mailto:a@example.com\ncontact: https://example.com/r\n\
             Expires: 2027-04-30T00:00:00Z\nPreferred-Languages: en, de\nPolicy: https://e/p\n",
        );
        assert!(codes.is_empty(), "{codes:?}");
        let txt = txt.unwrap();
        assert_eq!(txt.contacts.len(), 2);
        assert_eq!(txt.preferred_languages, ["en", "de"]);
        assert_eq!(txt.expires.unwrap().to_string(), "2027-04-30T00:00:00Z");
        assert!(!txt.signed);
        assert_eq!(txt.line, 2);
    }

    #[test]
    fn problems_are_located_findings() {
        let (txt, codes) = read(
            "Contact: security@example.com\nExpires: 2027-01-01T00:00:00Z\n\
             Expires: 2028-01-01T00:00:00Z\nPolicy: http://example.com/p\nnot a field\n",
        );
        assert_eq!(
            codes,
            [
                (FindingCode::SecurityTxtInvalidValue, Some(1)),
                (FindingCode::SecurityTxtDuplicateField, Some(3)),
                (FindingCode::SecurityTxtInvalidValue, Some(4)),
                (FindingCode::SecurityTxtMalformedLine, Some(5)),
            ]
        );
        assert_eq!(
            txt.unwrap().expires.unwrap().to_string(),
            "2027-01-01T00:00:00Z"
        );
        let (_, codes) = read("Encryption: https://e/k\n");
        assert_eq!(
            codes
                .iter()
                .filter(|(c, _)| *c == FindingCode::SecurityTxtMissingField)
                .count(),
            2
        );
    }

    #[test]
    fn dates_without_zone_and_rfc2822() {
        let (txt, codes) = read("Contact: tel:+1\nExpires: 2027-01-01T00:00:00\n");
        assert_eq!(codes, [(FindingCode::DateWithoutZone, Some(2))]);
        assert!(txt.unwrap().expires.is_some());
        let (txt, codes) = read("Contact: tel:+1\nExpires: Thu, 17 Mar 2022 12:00 +0100\n");
        assert_eq!(codes, [(FindingCode::SecurityTxtInvalidValue, Some(2))]);
        assert_eq!(
            txt.unwrap().expires.unwrap().to_string(),
            "2022-03-17T11:00:00Z"
        );
        let (txt, codes) = read("Contact: tel:+1\nExpires: soon\n");
        assert_eq!(codes, [(FindingCode::SecurityTxtInvalidValue, Some(2))]);
        assert_eq!(txt.unwrap().expires, None);
    }

    #[test]
    fn reads_the_signed_text() {
        let text = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n\
            Contact: mailto:s@example.com\n- Expires: 2027-04-30T00:00:00Z\n\
            -----BEGIN PGP SIGNATURE-----\n\niQIz\n=dWjZ\n-----END PGP SIGNATURE-----\n";
        let (txt, codes) = read(text);
        assert!(codes.is_empty(), "{codes:?}");
        let txt = txt.unwrap();
        assert!(txt.signed);
        assert_eq!(txt.line, 4);
        assert!(txt.expires.is_some());
    }

    #[test]
    fn fields_outside_the_signed_text_are_not_read() {
        let text = "Contact: mailto:unsigned@example.com\n\
            -----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n\
            Contact: mailto:s@example.com\nExpires: 2027-04-30T00:00:00Z\n\
            -----BEGIN PGP SIGNATURE-----\n\niQIz\n=dWjZ\n-----END PGP SIGNATURE-----\n\
            Contact: mailto:after@example.com\n";
        let (txt, _) = read(text);
        let txt = txt.unwrap();
        assert!(txt.signed);
        assert_eq!(txt.contacts, ["mailto:s@example.com"]);
    }

    #[test]
    fn detection() {
        let detect = |path: &str, text: &str| {
            SecurityTxtFormat.detect(&DetectInput::new(path, text.as_bytes(), text.len() as u64))
        };
        assert_eq!(
            detect("x.txt", "# c\nContact: mailto:a@b\n"),
            Confidence::Content
        );
        assert_eq!(
            detect("x.txt", "Contact: mailto:a@b\nhello world\n"),
            Confidence::No
        );
        assert_eq!(detect("security.txt", "junk"), Confidence::Name);
        assert_eq!(detect("notes.md", "Title: x\nAuthor: y\n"), Confidence::No);
        assert_eq!(
            detect("headers.txt", "Content-Type: text/html\nExpires: 0\n"),
            Confidence::No
        );
    }

    #[test]
    fn junk_is_bounded() {
        let junk = "junk line\n".repeat(3000);
        let (_, codes) = read(&junk);
        let malformed = codes
            .iter()
            .filter(|(c, _)| *c == FindingCode::SecurityTxtMalformedLine)
            .count();
        assert_eq!(malformed, MAX_LINE_FINDINGS + 1);
    }
}
