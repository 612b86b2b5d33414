//! Changelogs: `CHANGELOG.md` and its kin (Keep a Changelog, release-plz, and the plain
//! `## 1.2.3 (2026-01-02)` style), read for their versions, dates, sections and the security
//! ids each version mentions.
//!
//! ```markdown
//! ## [1.2.3] - 2026-01-02
//! ### Security
//! - Fixed CVE-2026-0001 in the parser.
//! ```
//!
//! A version heading is a Markdown heading whose text starts with a version (optionally in
//! `[...]`, optionally after `v`): `## [1.2.3] - 2026-01-02`, `## 1.2.3 (2026-01-02)`,
//! `## v1.2.3`, `## [1.2.3](https://...) - 2026-01-02`, `## 1.2.3 [YANKED]`. The level of the
//! first such heading is the version level; a heading at that level that is not a version
//! (`## [Unreleased]`, `## Older`) ends the current version and is not listed, except Keep
//! a Changelog's own section titles (`## Added` under a version is read as its section). Deeper
//! headings are sections; a section whose title starts with `Security` marks the version.
//! Headings inside fenced code blocks are ignored. Security ids are found by
//! [`super::security_ids`] in every line that belongs to the version.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;

use super::{Confidence, DetectInput, Evidence, EvidenceFormat, EvidenceKind, ParseInput, Parsed};
use crate::finding::{Finding, FindingCode, saturate_u32};

/// File names (case-insensitive) that mark a changelog.
pub const NAMES: &[&str] = &["CHANGELOG.md", "CHANGES.md", "HISTORY.md", "NEWS.md"];

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
        let markdown = name.to_ascii_lowercase().ends_with(".md") || by_name;
        let by_content = markdown
            && input.text.as_deref().is_some_and(|text| {
                // endoflife.date product pages are Markdown with versions too: not ours.
                !text.trim_start().starts_with("---")
                    && text
                        .lines()
                        .filter(|l| heading(l).is_some_and(|(_, t)| version_heading(t).is_some()))
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

/// The level and text of an ATX heading (`## text`), when `line` is one.
fn heading(line: &str) -> Option<(usize, &str)> {
    let trimmed = line.strip_prefix("   ").or_else(|| line.strip_prefix("  "));
    let line = trimmed.or_else(|| line.strip_prefix(' ')).unwrap_or(line);
    let level = line.bytes().take_while(|b| *b == b'#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let rest = line.get(level..)?;
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    Some((level, rest.trim().trim_end_matches('#').trim_end()))
}

/// The version and date a heading's text names, when it starts with a version.
fn version_heading(text: &str) -> Option<(String, Option<jiff::civil::Date>)> {
    let text = text.trim();
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
    let inner = inner.trim();
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
    Some((version.to_owned(), first_date(rest)))
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
    let mut fence: Option<&str> = None;
    let mut seen: BTreeMap<String, u32> = BTreeMap::new();
    let mut offset = 0usize;
    for (index, raw) in text.split('\n').enumerate() {
        let start = offset;
        offset = offset.saturating_add(raw.len()).saturating_add(1);
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let number = saturate_u32(index.saturating_add(1));
        let stripped = line.trim_start();
        if let Some(marker) = fence {
            if stripped.starts_with(marker) {
                fence = None;
            }
        } else if stripped.starts_with("```") || stripped.starts_with("~~~") {
            fence = stripped.get(..3);
        } else if let Some((lvl, title)) = heading(line) {
            let version = version_heading(title);
            // `## Added` right under a version is a section written one level too high.
            let misplaced_section = version.is_none()
                && current.is_some()
                && SECTIONS.iter().any(|s| title.eq_ignore_ascii_case(s));
            let is_version_level = match (level, &version) {
                (Some(l), _) => lvl == l && !misplaced_section,
                (None, Some(_)) => {
                    level = Some(lvl);
                    true
                }
                (None, None) => false,
            };
            if is_version_level || level.is_some_and(|l| lvl < l) {
                changelog.versions.extend(current.take());
                if let (true, Some((version, date))) = (is_version_level, version) {
                    if let Some(first) = seen.get(&version) {
                        findings.push(
                            Finding::new(
                                FindingCode::ChangelogDuplicateVersion,
                                Some(path),
                                format!("version `{version}` has a second heading (first on line {first})"),
                            )
                            .with_help("give each version one heading")
                            .with_span(&text, start..start.saturating_add(line.len())),
                        );
                    } else {
                        seen.insert(version.clone(), number);
                    }
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
        }
        if let Some(v) = current.as_mut() {
            super::security_ids::find_into(line, &mut v.ids);
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
            .with_help("vouch reads versions from Markdown headings that start with a version"),
        );
    }
    Parsed {
        evidence: Some(Evidence::Changelog(changelog)),
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Vec<ChangelogVersion>, Vec<(FindingCode, Option<u32>)>) {
        let parsed = parse("CHANGELOG.md", text.as_bytes());
        let codes = parsed.findings.iter().map(|f| (f.code, f.line)).collect();
        match parsed.evidence {
            Some(Evidence::Changelog(c)) => (c.versions, codes),
            _ => panic!("no changelog"),
        }
    }

    #[test]
    fn heading_styles() {
        for (heading, version, date) in [
            ("[1.2.3] - 2026-01-02", "1.2.3", Some("2026-01-02")),
            ("1.2.3 (2026-01-02)", "1.2.3", Some("2026-01-02")),
            ("v1.2.3", "1.2.3", None),
            (
                "[v0.10.73] - 2025-05-28",
                "0.10.73",
                None.or(Some("2025-05-28")),
            ),
            (
                "[0.11.0](https://x/compare/a...b) - 2026-07-21",
                "0.11.0",
                Some("2026-07-21"),
            ),
            ("0.28.4 (2024-02-03) [YANKED]", "0.28.4", Some("2024-02-03")),
            (
                "[0.1.0-alpha.1](https://x) - 2024-01-15",
                "0.1.0-alpha.1",
                Some("2024-01-15"),
            ),
        ] {
            let (v, d) = version_heading(heading).unwrap();
            assert_eq!(v, version, "{heading}");
            assert_eq!(d.map(|d| d.to_string()).as_deref(), date, "{heading}");
        }
        for not in ["[Unreleased]", "Older", "Added", "2026 plans", "v", "1"] {
            assert_eq!(version_heading(not), None, "{not}");
        }
    }

    #[test]
    fn sections_ids_and_boundaries() {
        let (versions, codes) = read(
            "# Changelog\n\n## [Unreleased]\n- CVE-2099-0001 pending\n\n## [1.1.0] - 2026-02-01\n\
             ### Security\n- fix GHSA-aaaa-bbbb-cccc\n```\n## 9.9.9\n```\n### Fixed\n- x\n\n\
             ## 1.0.0 (2026-01-01)\n### Added\n- CVE-2026-1234 mentioned\n## Older\n- CVE-2001-0001\n",
        );
        assert!(codes.is_empty(), "{codes:?}");
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[0].version, "1.1.0");
        assert!(versions[0].security);
        assert_eq!(versions[0].sections, ["Security", "Fixed"]);
        assert_eq!(
            versions[0].ids.iter().collect::<Vec<_>>(),
            ["GHSA-AAAA-BBBB-CCCC"]
        );
        assert_eq!(versions[0].line, 6);
        assert!(!versions[1].security);
        assert_eq!(
            versions[1].ids.iter().collect::<Vec<_>>(),
            ["CVE-2026-1234"]
        );
    }

    #[test]
    fn duplicates_and_empty() {
        let (versions, codes) = read("## 1.0.0\n## 1.0.0\n");
        assert_eq!(versions.len(), 2);
        assert_eq!(codes, [(FindingCode::ChangelogDuplicateVersion, Some(2))]);
        let (versions, codes) = read("# Notes\nnothing here\n");
        assert!(versions.is_empty());
        assert_eq!(codes, [(FindingCode::ChangelogNoVersions, None)]);
    }

    #[test]
    fn detection() {
        let detect = |path: &str, text: &str| {
            ChangelogFormat.detect(&DetectInput::new(path, text.as_bytes(), text.len() as u64))
        };
        let text = "# Changes\n## 1.1.0\n## 1.0.0\n";
        assert_eq!(detect("CHANGELOG.md", text), Confidence::ContentAndName);
        assert_eq!(detect("notes.md", text), Confidence::Content);
        assert_eq!(detect("notes.txt", text), Confidence::No);
        assert_eq!(detect("README.md", "# hello\n## 1.0.0\n"), Confidence::No);
        assert_eq!(detect("NEWS.md", ""), Confidence::Name);
    }
}
