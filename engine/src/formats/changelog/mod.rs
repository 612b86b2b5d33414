//! Changelogs: `CHANGELOG.md`, `HISTORY.md`, `CHANGES.rst` and their kin, read for their
//! versions, dates, sections and the security ids each version mentions.
//!
//! ```markdown
//! ## [1.2.3] - 2026-01-02
//! ### Security
//! - Fixed CVE-2026-0001 in the parser.
//! ```
//!
//! Headings are found in the styles of [`headings`]: Markdown ATX and setext headings,
//! reStructuredText section titles (files named `*.rst` or `*.txt`), and bold
//! pseudo-headings (`**Security**`) as section titles. A version heading is one whose text
//! starts with a version (optionally in `[...]`, optionally after `v`, `Version` or
//! `Release`): `## [1.2.3] - 2026-01-02`, `## 1.2.3 (2026-01-02)`, `# Version 0.8.7`,
//! `## [1.2.3](https://...) - 2026-01-02`, `2.31.0 (2023-05-22)` over `----`, `Version 3.0.0`
//! over `-----`. A date on the heading dates the version; otherwise a first line under it
//! such as `Released 2023-09-30` does. The level of the first version heading is the version
//! level (a version heading one level deeper is a version too, as release tools mix
//! `# [1.6.0]` and `## [1.5.1]`); a heading at that level that is not a version (`## [Unreleased]`, `## Older`)
//! ends the current version and is not listed, except Keep a Changelog's own section titles
//! (`## Added` under a version is read as its section). Deeper headings and bold
//! pseudo-headings are sections; a section whose title starts with `Security` marks the
//! version. Headings inside Markdown fenced code blocks are ignored. Security ids are found
//! by [`super::security_ids`] in every line that belongs to the version.

mod headings;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;

use self::headings::Markup;
use super::{Confidence, DetectInput, Evidence, EvidenceFormat, EvidenceKind, ParseInput, Parsed};
use crate::finding::{Finding, FindingCode, saturate_u32};

/// File names (case-insensitive) that mark a changelog.
pub const NAMES: &[&str] = &[
    "CHANGELOG.md",
    "CHANGES.md",
    "HISTORY.md",
    "NEWS.md",
    "CHANGELOG.rst",
    "CHANGES.rst",
    "HISTORY.rst",
    "NEWS.rst",
    "CHANGELOG",
    "CHANGES",
    "HISTORY",
    "NEWS",
];

/// Keep a Changelog's section titles.
const SECTIONS: &[&str] = &[
    "Added",
    "Changed",
    "Deprecated",
    "Removed",
    "Fixed",
    "Security",
];

/// The parse cap: the largest real changelogs are a few hundred KiB.
pub const MAX_SIZE: u64 = 2 * 1024 * 1024;

/// One version of a changelog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangelogVersion {
    /// The version as written, without brackets or a leading `v`.
    pub version: String,
    /// The release date on the heading, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<jiff::civil::Date>,
    /// The section titles under the version (`Added`, `Fixed`, `Security`, ...).
    pub sections: Vec<String>,
    /// Whether it has a `Security` section.
    pub security: bool,
    /// Security ids mentioned under it (upper case, sorted).
    pub ids: BTreeSet<String>,
    /// 1-based line of the heading.
    pub line: u32,
}

/// A parsed changelog.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Changelog {
    /// The versions, in file order.
    pub versions: Vec<ChangelogVersion>,
}

/// The changelog format.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChangelogFormat;

impl EvidenceFormat for ChangelogFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::Changelog
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let name = input.file_name();
        let by_name = NAMES.iter().any(|n| n.eq_ignore_ascii_case(name));
        let lower = name.to_ascii_lowercase();
        let markup_file = [".md", ".markdown", ".rst"]
            .iter()
            .any(|e| lower.ends_with(e))
            || by_name;
        let by_content = markup_file
            && input.text.as_deref().is_some_and(|text| {
                // endoflife.date product pages are Markdown with versions too: not ours.
                let titles: Vec<&str> = headings::scan(text, Markup::of(name, text))
                    .into_iter()
                    .filter(|l| !l.fenced)
                    .filter_map(|l| l.heading.filter(|h| !h.pseudo).map(|h| h.text))
                    .collect();
                let versions = Versions::of(titles.iter().copied());
                !text.trim_start().starts_with("---")
                    && titles
                        .iter()
                        .filter(|t| versions.read(t).is_some())
                        .nth(1)
                        .is_some()
            });
        Confidence::of(by_content, by_name)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        parse(input.path, input.bytes)
    }

    fn max_parse_size(&self) -> u64 {
        MAX_SIZE
    }
}

/// The version and date a heading's text names, when it starts with a version.
fn version_heading(text: &str) -> Option<(String, Option<jiff::civil::Date>)> {
    leading_version(text).map(|(version, rest)| (version, first_date(rest)))
}

/// A heading that names the product before the version, with at most a date after it
/// (`Flask 3.0.0`, `requests 2.31.0 (2023-05-22)`, `Twisted 23.8.0 (2023-08-28)`; not
/// `Python 3.8 support`): the name (lower case), the version and the date.
fn named_version(text: &str) -> Option<(String, String, Option<jiff::civil::Date>)> {
    let (name, after) = text.trim().split_once(char::is_whitespace)?;
    let name_like = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    let (version, rest) = leading_version(after).filter(|_| name_like)?;
    let rest = rest.trim();
    let date = first_date(rest);
    let only_a_date = rest.is_empty()
        || (date.is_some()
            && (rest.starts_with(['(', '-', '\u{2013}', '\u{2014}', '/', '['])
                || rest.starts_with(|c: char| c.is_ascii_digit())));
    only_a_date.then(|| (name.to_ascii_lowercase(), version, date))
}

/// Reads version headings: as [`version_heading`], and as [`named_version`] when the name is
/// the one at least two headings of the changelog put before a version (a changelog that
/// prefixes its versions with the product's name does so for each; `Versioning 1.2` alone is
/// not a version).
struct Versions {
    /// The name that prefixes versions, when one does twice or more.
    name: Option<String>,
}

impl Versions {
    fn of<'a>(headings: impl Iterator<Item = &'a str>) -> Versions {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for text in headings {
            if version_heading(text).is_none()
                && let Some((name, _, _)) = named_version(text)
            {
                let n = counts.entry(name).or_default();
                *n = n.saturating_add(1);
            }
        }
        let name = counts
            .into_iter()
            .filter(|(_, n)| *n >= 2)
            .max_by_key(|(_, n)| *n)
            .map(|(name, _)| name);
        Versions { name }
    }

    fn read(&self, text: &str) -> Option<(String, Option<jiff::civil::Date>)> {
        version_heading(text).or_else(|| {
            let (name, version, date) = named_version(text)?;
            (Some(&name) == self.name.as_ref()).then_some((version, date))
        })
    }
}

/// The version a heading's text starts with (optionally in `[...]`, after `v`, `Version` or
/// `Release`), and the text after it.
fn leading_version(text: &str) -> Option<(String, &str)> {
    let text = text.trim();
    // `Version 3.0.0`, `Release 1.2.3`: the word before the version.
    let text = ["version", "release"]
        .iter()
        .find_map(|word| {
            let head = text.get(..word.len())?;
            let rest = text.get(word.len()..)?;
            (head.eq_ignore_ascii_case(word) && rest.starts_with([' ', '\t']))
                .then(|| rest.trim_start())
        })
        .unwrap_or(text);
    let (inner, rest) = match text.strip_prefix('[') {
        Some(after) => {
            let close = after.find(']')?;
            (after.get(..close)?, after.get(close.saturating_add(1)..)?)
        }
        None => {
            let end = text.find(char::is_whitespace).unwrap_or(text.len());
            (text.get(..end)?, text.get(end..)?)
        }
    };
    // `Twisted 23.8.0. (2023-08-28)`: a full stop after a version ends the sentence.
    let inner = inner.trim().trim_end_matches('.');
    let version = inner
        .strip_prefix(['v', 'V'])
        .filter(|v| v.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(inner);
    let well_formed = version.starts_with(|c: char| c.is_ascii_digit())
        && version.contains('.')
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_'));
    if !well_formed {
        return None;
    }
    Some((version.to_owned(), rest))
}

/// The first `YYYY-MM-DD` in `text` that is a real date.
fn first_date(text: &str) -> Option<jiff::civil::Date> {
    let bytes = text.as_bytes();
    (0..bytes.len()).find_map(|i| {
        let candidate = text.get(i..i.saturating_add(10))?;
        let shaped = candidate.bytes().enumerate().all(|(j, b)| match j {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
        let bounded = !bytes
            .get(i.saturating_add(10))
            .is_some_and(u8::is_ascii_digit)
            && (i == 0 || !bytes.get(i.wrapping_sub(1)).is_some_and(u8::is_ascii_digit));
        if shaped && bounded {
            candidate.parse().ok()
        } else {
            None
        }
    })
}

/// The date of a `Released 2023-09-30` (or `Release date: ...`, `Date: ...`, or a
/// reStructuredText field `:Released: 2023-09-30`) line.
fn release_line_date(line: &str) -> Option<jiff::civil::Date> {
    let lower = line.trim().to_ascii_lowercase();
    // `:Released: 2023-09-30` is a reStructuredText field list.
    let lower = lower.trim_start_matches(['*', '_', '-', ' ', ':']);
    ["released", "release date", "date:"]
        .iter()
        .any(|p| lower.starts_with(p))
        .then(|| first_date(line).or_else(|| dotted_date(line)))
        .flatten()
}

/// A date written day first with full stops (`:Released: 28.09.2025`, sphinx-needs), as the
/// first word after the field's name: `D.M.YYYY` or `DD.MM.YYYY`, and a real date. Read only
/// on a release line, where the word can be nothing but a date.
fn dotted_date(line: &str) -> Option<jiff::civil::Date> {
    let (_, value) = line.trim().trim_start_matches(':').split_once([':', ' '])?;
    let word = value
        .trim_start_matches([':', ' ', '\t'])
        .split_whitespace()
        .next()?;
    let mut parts = word.split('.');
    let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |p: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    if parts.next().is_some()
        || !digits(day, 1..=2)
        || !digits(month, 1..=2)
        || !digits(year, 4..=4)
    {
        return None;
    }
    jiff::civil::Date::new(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?).ok()
}

/// Parses a changelog at bundle path `path`. Never panics.
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
                        format!("changelog is {why}"),
                    )
                    .with_help("changelogs are UTF-8 Markdown"),
                ],
            };
        }
    };
    let mut findings = Vec::new();
    let mut changelog = Changelog::default();
    let mut level: Option<usize> = None;
    let mut current: Option<ChangelogVersion> = None;
    // Whether the current version's date may still come from a `Released 2023-09-30` line.
    let mut awaiting_date = false;
    let mut seen: BTreeMap<String, u32> = BTreeMap::new();
    let markup = Markup::of(super::file_name(path), &text);
    let lines = headings::scan(&text, markup);
    let versions = Versions::of(
        lines
            .iter()
            .filter(|l| !l.fenced)
            .filter_map(|l| l.heading.as_ref().filter(|h| !h.pseudo).map(|h| h.text)),
    );
    for line in lines {
        let number = saturate_u32(line.index.saturating_add(1));
        if let Some(h) = line.heading.as_ref().filter(|_| !line.fenced) {
            let (lvl, title) = (h.level, h.text);
            let version = if h.pseudo { None } else { versions.read(title) };
            // `## Added` right under a version is a section written one level too high.
            let misplaced_section = version.is_none()
                && current.is_some()
                && SECTIONS.iter().any(|s| title.eq_ignore_ascii_case(s));
            let is_version_level = match (level, &version) {
                _ if h.pseudo => false,
                (Some(l), None) => lvl == l && !misplaced_section,
                // A version heading one level deeper is a version too: changelogs made by
                // release tools mix `# [1.6.0]` and `## [1.5.1]` (axios).
                (Some(l), Some(_)) => lvl == l || lvl == l.saturating_add(1),
                (None, Some(_)) => {
                    level = Some(lvl);
                    true
                }
                (None, None) => false,
            };
            if is_version_level || (!h.pseudo && level.is_some_and(|l| lvl < l)) {
                changelog.versions.extend(current.take());
                awaiting_date = false;
                if let (true, Some((version, date))) = (is_version_level, version) {
                    if let Some(first) = seen.get(&version) {
                        findings.push(
                            Finding::new(
                                FindingCode::ChangelogDuplicateVersion,
                                Some(path),
                                format!("version `{version}` has a second heading (first on line {first})"),
                            )
                            .with_help("give each version one heading")
                            .with_span(&text, line.start..line.start.saturating_add(line.text.len())),
                        );
                    } else {
                        seen.insert(version.clone(), number);
                    }
                    awaiting_date = date.is_none();
                    current = Some(ChangelogVersion {
                        version,
                        date,
                        sections: Vec::new(),
                        security: false,
                        ids: BTreeSet::new(),
                        line: number,
                    });
                }
                continue;
            }
            if let Some(v) = current.as_mut() {
                if title.to_ascii_lowercase().starts_with("security") {
                    v.security = true;
                }
                v.sections.push(title.to_owned());
            }
            awaiting_date = false;
        } else if awaiting_date && !line.text.trim().is_empty() {
            // The first line under a version heading may date it (`Released 2023-09-30`,
            // the Pallets style); any other line ends the chance.
            let date = release_line_date(line.text);
            // A field list (`:Version: 3.0.0` over `:Released: 2023-09-30`) is read to its end.
            awaiting_date = date.is_none() && line.text.trim_start().starts_with(':');
            if let Some(v) = current.as_mut() {
                v.date = date;
            }
        }
        if let Some(v) = current.as_mut() {
            super::security_ids::find_into(line.text, &mut v.ids);
        }
    }
    changelog.versions.extend(current);
    if changelog.versions.is_empty() {
        findings.push(
            Finding::new(
                FindingCode::ChangelogNoVersions,
                Some(path),
                "no heading names a version (e.g. `## [1.2.3] - 2026-01-02`)",
            )
            .with_help(
                "vouch reads versions from headings that start with a version (Markdown ATX or \
                 setext, reStructuredText titles; `Version 1.2.3` too)",
            ),
        );
    }
    Parsed {
        evidence: Some(Evidence::Changelog(changelog)),
        findings,
    }
}
