//! `release.toml`: the release a bundle is evidence for (product, version, date, artifacts,
//! distribution URLs).
//!
//! ```toml
//! [release]
//! product = "widget"
//! version = "2.4.1"
//! date = 2026-10-01T12:00:00Z
//! previous = "2.4.0"
//! artifacts = ["dist/*.tar.gz", "dist/widget-2.4.1.zip"]
//!
//! [[distribution]]
//! url = "https://downloads.example.com/widget/2.4.1/widget-2.4.1.tar.gz"
//! ```

use std::fmt;

use serde::Serialize;

use super::toml_util::{self, DateOrTimestamp, TomlCtx};
use super::{Confidence, DetectInput, Evidence, EvidenceFormat, EvidenceKind, ParseInput, Parsed};

/// The keys of `[release]`.
pub const RELEASE_KEYS: &[&str] = &["product", "version", "date", "previous", "artifacts"];
/// The keys of each `[[distribution]]`.
pub const DISTRIBUTION_KEYS: &[&str] = &["url"];
/// The top-level tables.
pub const TOP_KEYS: &[&str] = &["release", "distribution"];

/// When a release happened: a date, or an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleaseDate {
    /// A calendar date (`2026-10-01`).
    Date(jiff::civil::Date),
    /// An instant (`2026-10-01T12:00:00Z`).
    Timestamp(jiff::Timestamp),
}

impl ReleaseDate {
    /// The instant: a date means its start, 00:00 UTC.
    pub fn timestamp(&self) -> jiff::Timestamp {
        match self {
            ReleaseDate::Timestamp(t) => *t,
            ReleaseDate::Date(d) => jiff::tz::Offset::UTC
                .to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
                .unwrap_or(jiff::Timestamp::UNIX_EPOCH),
        }
    }

    /// The calendar date (in UTC for an instant).
    pub fn date(&self) -> jiff::civil::Date {
        match self {
            ReleaseDate::Date(d) => *d,
            ReleaseDate::Timestamp(t) => jiff::tz::Offset::UTC.to_datetime(*t).date(),
        }
    }
}

impl fmt::Display for ReleaseDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReleaseDate::Date(d) => write!(f, "{d}"),
            ReleaseDate::Timestamp(t) => write!(f, "{t}"),
        }
    }
}

impl Serialize for ReleaseDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// An artifact pattern as written in `artifacts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactPattern {
    /// A path or a glob, relative to the manifest's directory.
    pub pattern: String,
    /// 1-based line.
    pub line: u32,
}

/// One `[[distribution]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistributionEntry {
    /// The URL customers download from.
    pub url: String,
    /// 1-based line of the `url` key.
    pub line: u32,
}

/// A parsed `release.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseManifest {
    /// The product name.
    pub product: String,
    /// The version released.
    pub version: String,
    /// When it was released.
    pub date: ReleaseDate,
    /// The version this one follows, if given.
    pub previous: Option<String>,
    /// The artifacts, as paths or globs.
    pub artifacts: Vec<ArtifactPattern>,
    /// Where it is distributed.
    pub distributions: Vec<DistributionEntry>,
    /// 1-based line of the `[release]` header.
    pub line: u32,
}

/// The `release.toml` format.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReleaseTomlFormat;

impl EvidenceFormat for ReleaseTomlFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::ReleaseManifest
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let by_name = input.file_name().eq_ignore_ascii_case("release.toml");
        let by_content = input.has_toml_table("release", false);
        Confidence::of(by_content, by_name)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        parse(input.path, input.bytes)
    }
}

/// Parses a `release.toml` at bundle path `path`. Never panics.
pub fn parse(path: &str, bytes: &[u8]) -> Parsed {
    toml_util::parse_manifest(path, bytes, read, Evidence::Release)
}

fn read(ctx: &mut TomlCtx, root: &toml::de::DeTable<'_>) -> Option<ReleaseManifest> {
    ctx.unknown_keys(root, TOP_KEYS, "release.toml");
    let mut distributions = Vec::new();
    if let Some(value) = root.get("distribution") {
        for (table, span) in toml_util::tables(ctx, value, "distribution") {
            ctx.unknown_keys(table, DISTRIBUTION_KEYS, "[[distribution]]");
            match table.get("url") {
                Some(url) => {
                    if let Some(text) = ctx.nonempty_string(url, "url") {
                        if split_url(&text).is_none() {
                            ctx.invalid(
                                url.span(),
                                format!("`{text}` is not an absolute URL"),
                                "write the full URL, e.g. `https://downloads.example.com/...`",
                            );
                            continue;
                        }
                        let line = ctx.line_of(url.span().start);
                        distributions.push(DistributionEntry { url: text, line });
                    }
                }
                None => ctx.missing("url", "[[distribution]]", span, "\"https://...\""),
            }
        }
    }
    let Some((key, value)) = root.get_key_value("release") else {
        ctx.missing(
            "release",
            "release.toml",
            0..0,
            "{ ... }` (a `[release]` table",
        );
        return None;
    };
    let header = key.span();
    let Some(table) = value.get_ref().as_table() else {
        ctx.invalid(
            value.span(),
            "`release` must be a table".to_owned(),
            "write it as a `[release]` table",
        );
        return None;
    };
    ctx.unknown_keys(table, RELEASE_KEYS, "[release]");
    let required = |ctx: &mut TomlCtx, key: &str, example: &str| match table.get(key) {
        Some(v) => ctx.nonempty_string(v, key),
        None => {
            ctx.missing(key, "[release]", header.clone(), example);
            None
        }
    };
    let product = required(ctx, "product", "\"widget\"");
    let version = required(ctx, "version", "\"2.4.1\"");
    let date = match table.get("date") {
        Some(v) => ctx.date_or_timestamp(v, "date", true),
        None => {
            ctx.missing("date", "[release]", header.clone(), "2026-10-01T12:00:00Z");
            None
        }
    };
    let previous = table
        .get("previous")
        .and_then(|v| ctx.nonempty_string(v, "previous"));
    let mut artifacts = Vec::new();
    if let Some(value) = table.get("artifacts") {
        for (pattern, span) in ctx.strings(value, "artifacts").unwrap_or_default() {
            if pattern.trim().is_empty() {
                ctx.invalid(span, "artifact pattern is empty".to_owned(), "");
                continue;
            }
            let line = ctx.line_of(span.start);
            artifacts.push(ArtifactPattern { pattern, line });
        }
    }
    let date = match date? {
        DateOrTimestamp::Date(d) => ReleaseDate::Date(d),
        DateOrTimestamp::Timestamp(t) => ReleaseDate::Timestamp(t),
    };
    Some(ReleaseManifest {
        product: product?,
        version: version?,
        date,
        previous,
        artifacts,
        distributions,
        line: ctx.line_of(header.start),
    })
}

/// The parts of an absolute URL vouch uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlParts {
    /// The scheme, lowercase.
    pub scheme: String,
    /// The host (without user info or port); `None` when empty.
    pub host: Option<String>,
    /// The last non-empty path segment.
    pub file_name: Option<String>,
}

/// Splits `scheme://authority/path?query#fragment`; `None` when `url` is not of that form.
pub fn split_url(url: &str) -> Option<UrlParts> {
    let (scheme, rest) = url.split_once("://")?;
    let mut scheme_chars = scheme.chars();
    let valid_scheme = scheme_chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme_chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !valid_scheme || url.chars().any(char::is_whitespace) {
        return None;
    }
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let (authority, path) = match rest.find('/') {
        Some(i) => (rest.get(..i).unwrap_or(""), rest.get(i..).unwrap_or("")),
        None => (rest, ""),
    };
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host = if host_port.starts_with('[') {
        host_port.split_inclusive(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    let file_name = path.rsplit('/').find(|s| !s.is_empty());
    Some(UrlParts {
        scheme: scheme.to_ascii_lowercase(),
        host: (!host.is_empty()).then(|| host.to_ascii_lowercase()),
        file_name: file_name.map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn splits_urls() {
        let parts =
            split_url("HTTPS://user@Downloads.example.com:8443/w/2.4.1/w.tar.gz?x=1#f").unwrap();
        assert_eq!(parts.scheme, "https");
        assert_eq!(parts.host.as_deref(), Some("downloads.example.com"));
        assert_eq!(parts.file_name.as_deref(), Some("w.tar.gz"));
        assert_eq!(split_url("downloads.example.com/w.tar.gz"), None);
        assert_eq!(
            split_url("https://[::1]/").unwrap().host.as_deref(),
            Some("[::1]")
        );
        assert_eq!(split_url("https://example.com").unwrap().file_name, None);
    }

    use super::*;
    use crate::finding::FindingCode;

    const EXAMPLE: &str = r#"[release]
product = "widget"
version = "2.4.1"
date = 2026-10-01T12:00:00Z
previous = "2.4.0"
artifacts = ["dist/*.tar.gz", "dist/widget-2.4.1.zip"]

[[distribution]]
url = "https://downloads.example.com/widget/2.4.1/widget-2.4.1.tar.gz"
"#;

    #[test]
    fn reads_the_example() {
        let parsed = parse("release.toml", EXAMPLE.as_bytes());
        assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
        let Some(Evidence::Release(m)) = parsed.evidence else {
            panic!()
        };
        assert_eq!(m.product, "widget");
        assert_eq!(m.date.to_string(), "2026-10-01T12:00:00Z");
        assert_eq!(m.artifacts.len(), 2);
        assert_eq!(m.artifacts[1].line, 6);
        assert_eq!(m.distributions[0].line, 9);
        assert_eq!(m.previous.as_deref(), Some("2.4.0"));
    }

    #[test]
    fn unknown_key_suggests_and_points() {
        let text = EXAMPLE.replace("product =", "prodcut =");
        let parsed = parse("release.toml", text.as_bytes());
        assert!(parsed.evidence.is_none());
        let f = &parsed.findings[0];
        assert_eq!(f.code, FindingCode::ManifestUnknownKey);
        assert_eq!(
            f.message,
            "unknown key `prodcut` in [release], did you mean `product`?"
        );
        assert_eq!((f.line, f.column), (Some(2), Some(1)));
        assert_eq!(parsed.findings[1].code, FindingCode::ManifestMissingKey);
    }

    #[test]
    fn dates_local_and_wrong() {
        let text = EXAMPLE.replace("2026-10-01T12:00:00Z", "2026-10-01T12:00:00");
        let parsed = parse("release.toml", text.as_bytes());
        assert!(parsed.evidence.is_some());
        assert_eq!(
            parsed.findings[0].code,
            FindingCode::ManifestAmbiguousDatetime
        );
        let text = EXAMPLE.replace("2026-10-01T12:00:00Z", "\"yesterday\"");
        let parsed = parse("release.toml", text.as_bytes());
        assert!(parsed.evidence.is_none());
        assert_eq!(parsed.findings[0].code, FindingCode::ManifestInvalidValue);
        assert_eq!(parsed.findings[0].line, Some(4));
        let text = EXAMPLE.replace("2026-10-01T12:00:00Z", "2026-10-01");
        let parsed = parse("release.toml", text.as_bytes());
        let Some(Evidence::Release(m)) = parsed.evidence else {
            panic!()
        };
        assert_eq!(m.date.timestamp().to_string(), "2026-10-01T00:00:00Z");
    }

    #[test]
    fn never_panics_on_truncated_or_mangled_input() {
        let support = crate::formats::support_toml::tests::EXAMPLE.as_bytes();
        for text in [EXAMPLE.as_bytes(), support] {
            for cut in 0..=text.len() {
                let prefix = &text[..cut];
                let _ = parse("release.toml", prefix);
                let _ = crate::formats::support_toml::parse("support.toml", prefix);
                let mut mangled = text.to_vec();
                mangled[cut % text.len()] ^= 0x5a;
                let _ = parse("release.toml", &mangled);
                let _ = crate::formats::support_toml::parse("support.toml", &mangled);
            }
        }
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let parsed = parse(
            "release.toml",
            b"[release]\nproduct = \"widget\nversion = 1\n",
        );
        let f = &parsed.findings[0];
        assert_eq!(f.code, FindingCode::ManifestSyntax);
        assert_eq!(f.line, Some(2));
        assert!(f.column.is_some());
    }
}
