//! Tests of the changelog reader.
use super::*;

fn read(text: &str) -> (Vec<ChangelogVersion>, Vec<(FindingCode, Option<u32>)>) {
    read_as("CHANGELOG.md", text)
}

fn read_as(path: &str, text: &str) -> (Vec<ChangelogVersion>, Vec<(FindingCode, Option<u32>)>) {
    let parsed = parse(path, text.as_bytes());
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
        ("Version 0.8.7", "0.8.7", None),
        ("version v1.2.3 (2026-01-02)", "1.2.3", Some("2026-01-02")),
        ("Release 3.0.0", "3.0.0", None),
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
    for not in [
        "[Unreleased]",
        "Older",
        "Added",
        "2026 plans",
        "v",
        "1",
        "Version",
        "Versioning 1.2",
        "Release notes",
    ] {
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

/// What summary of a version the tests compare: version, date, sections, ids, line.
fn summary(v: &ChangelogVersion) -> (String, Option<String>, bool, Vec<String>, u32) {
    (
        v.version.clone(),
        v.date.map(|d| d.to_string()),
        v.security,
        v.ids.iter().cloned().collect(),
        v.line,
    )
}

/// Setext headings over `---`, with `**Security**` as a bold pseudo-heading (the style of
/// requests' HISTORY.md).
#[test]
fn setext_headings_and_bold_sections() {
    let (versions, codes) = read_as(
        "HISTORY.md",
        "Release History\n===============\n\ndev\n---\n\n- next\n\n2.31.0 (2023-05-22)\n\
         -------------------\n\n**Security**\n- fixes CVE-2023-32681\n\n2.30.0 (2023-05-03)\n\
         -------------------\n\n**Dependencies**\n- urllib3\n",
    );
    assert!(codes.is_empty(), "{codes:?}");
    let got: Vec<_> = versions.iter().map(summary).collect();
    assert_eq!(
        got,
        [
            (
                "2.31.0".to_owned(),
                Some("2023-05-22".to_owned()),
                true,
                vec!["CVE-2023-32681".to_owned()],
                9
            ),
            (
                "2.30.0".to_owned(),
                Some("2023-05-03".to_owned()),
                false,
                vec![],
                15
            ),
        ]
    );
    assert_eq!(versions[0].sections, ["Security"]);
}

/// `# Version 0.8.7` headings, sections under them.
#[test]
fn version_word_headings() {
    let (versions, codes) =
        read("# Version 0.8.8\n\n## Security\n- GHSA-aaaa-bbbb-cccc\n\n# Version 0.8.7\n\n- fix\n");
    assert!(codes.is_empty(), "{codes:?}");
    let got: Vec<_> = versions
        .iter()
        .map(|v| (v.version.as_str(), v.security))
        .collect();
    assert_eq!(got, [("0.8.8", true), ("0.8.7", false)]);
}

/// reStructuredText (the Pallets `CHANGES.rst` style): `Version X` titles, a `Released`
/// line for the date, a deeper `Security` title marks the version.
#[test]
fn restructured_text() {
    let text = "Version 3.0.1\n-------------\n\nUnreleased\n\n-   Fix.\n\n\
                Version 3.0.0\n-------------\n\nReleased 2023-09-30\n\nSecurity\n~~~~~~~~\n\n\
                -   Fix CVE-2023-30861. :pr:`5223`\n\n\
                Version 2.3.3\n-------------\n\nReleased 2023-08-21, codename X\n";
    let (versions, codes) = read_as("CHANGES.rst", text);
    assert!(codes.is_empty(), "{codes:?}");
    let got: Vec<_> = versions.iter().map(summary).collect();
    assert_eq!(
        got,
        [
            ("3.0.1".to_owned(), None, false, vec![], 1),
            (
                "3.0.0".to_owned(),
                Some("2023-09-30".to_owned()),
                true,
                vec!["CVE-2023-30861".to_owned()],
                8
            ),
            (
                "2.3.3".to_owned(),
                Some("2023-08-21".to_owned()),
                false,
                vec![],
                18
            ),
        ]
    );
    // The same text read as Markdown has `---` setext headings but `~~~` opens a fence.
    let (versions, _) = read_as("CHANGES.md", text);
    assert_eq!(versions.len(), 2);
    // A date line only dates the version it directly follows.
    let (versions, _) = read_as(
        "CHANGES.rst",
        "Version 1.0.0\n-------------\n\n- x\n\nReleased 2023-01-01\n",
    );
    assert_eq!(versions[0].date, None);
}

/// A bold pseudo-heading never opens a version nor ends one.
#[test]
fn bold_versions_are_not_headings() {
    let (versions, _) = read("## 1.1.0\n**1.0.9**\n- x\n**Security**\n- y\n## 1.0.0\n");
    let got: Vec<_> = versions
        .iter()
        .map(|v| (v.version.as_str(), v.security))
        .collect();
    assert_eq!(got, [("1.1.0", true), ("1.0.0", false)]);
}

#[test]
fn rst_detection() {
    let detect = |path: &str, text: &str| {
        ChangelogFormat.detect(&DetectInput::new(path, text.as_bytes(), text.len() as u64))
    };
    let text = "Version 1.1.0\n-------------\n\nVersion 1.0.0\n-------------\n";
    assert_eq!(detect("CHANGES.rst", text), Confidence::ContentAndName);
    assert_eq!(detect("docs/release-notes.rst", text), Confidence::Content);
    assert_eq!(
        detect("HISTORY.md", "1.1.0\n---\n\n1.0.0\n---\n"),
        Confidence::ContentAndName
    );
}

/// Headings that name the product before the version (`Flask 3.0.0`, `## requests 2.31.0`,
/// Twisted's `Twisted 23.8.0 (2023-08-28)`), when the same name prefixes two versions or
/// more; a heading naming something else with a version and more words is not a version
/// (`Python 3.8 support`), nor is a name before one version only (`Versioning 1.2`).
#[test]
fn headings_prefixed_with_the_product_name() {
    let (versions, _) = read(
        "# Changes\n\n## requests 2.31.0 (2023-05-22)\n\n### Python 3.8 support\n- x\n\n\
         ## requests 2.30.0\n\nReleased 2023-05-03\n\n## Versioning 1.2\n- y\n",
    );
    let seen: Vec<(&str, Option<String>, &[String])> = versions
        .iter()
        .map(|v| {
            (
                v.version.as_str(),
                v.date.map(|d| d.to_string()),
                v.sections.as_slice(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "2.31.0",
                Some("2023-05-22".to_owned()),
                ["Python 3.8 support".to_owned()].as_slice()
            ),
            ("2.30.0", Some("2023-05-03".to_owned()), [].as_slice()),
        ]
    );
    // A name before one version only is not a product's name (`Versioning 1.2` above).
    let (versions, _) = read("## Flask 3.0.0\n- a\n\n## Flask 2.3.3 (2023-08-21)\n- b\n");
    assert_eq!(
        versions
            .iter()
            .map(|v| (v.version.as_str(), v.date.map(|d| d.to_string())))
            .collect::<Vec<_>>(),
        [("3.0.0", None), ("2.3.3", Some("2023-08-21".to_owned()))]
    );
}

/// A reStructuredText field list under the title dates the version (`:Released:`), read to
/// its end.
#[test]
fn rst_field_lists_date_a_version() {
    let (versions, _) = read_as(
        "CHANGES.rst",
        "Version 3.0.0\n=============\n\n:Version: 3.0.0\n:Released: 2023-09-30\n\n- x\n\n\
         Version 2.3.3\n=============\n\n:Released: 2023-08-21\n",
    );
    let dates: Vec<_> = versions
        .iter()
        .map(|v| (v.version.as_str(), v.date.map(|d| d.to_string())))
        .collect();
    assert_eq!(
        dates,
        [
            ("3.0.0", Some("2023-09-30".to_owned())),
            ("2.3.3", Some("2023-08-21".to_owned()))
        ]
    );
}

/// `NEWS` and `CHANGES` without an extension are changelogs: plain text titles underlined
/// with `=` or `~` (read as reStructuredText), or Markdown when they use `#` headings.
#[test]
fn extensionless_news_and_changes() {
    let plain = "widget 2.4.1 (2026-10-01)\n~~~~~~~~~~~~~~~~~~~~~~~~~\n\n- fix CVE-2026-12345\n\n\
                 widget 2.4.0 (2026-09-01)\n~~~~~~~~~~~~~~~~~~~~~~~~~\n";
    let (versions, _) = read_as("NEWS", plain);
    assert_eq!(
        versions
            .iter()
            .map(|v| v.version.as_str())
            .collect::<Vec<_>>(),
        ["2.4.1", "2.4.0"]
    );
    assert!(versions[0].ids.contains("CVE-2026-12345"));
    let (versions, _) = read_as("CHANGES", "# 1.1.0\n- a\n# 1.0.0\n- b\n");
    assert_eq!(versions.len(), 2);
    for name in ["NEWS", "CHANGES", "CHANGELOG", "HISTORY"] {
        let input = DetectInput::new(name, plain.as_bytes(), plain.len() as u64);
        assert_eq!(
            ChangelogFormat.detect(&input),
            Confidence::of(true, true),
            "{name}"
        );
    }
}

/// Real changelogs' quirks: a full stop after the version in a title (Twisted's `NEWS.rst`),
/// and a field list dated day first with full stops (sphinx-needs); a dotted date that is no
/// real date dates nothing.
#[test]
fn a_stray_full_stop_and_day_first_dotted_dates() {
    let (versions, _) = read_as(
        "NEWS.rst",
        "Twisted 23.8.0. (2023-08-28)\n============================\n\n- a\n\n\
         Twisted 22.10.0 (2022-10-30)\n============================\n\n- b\n",
    );
    assert_eq!(versions[0].version, "23.8.0");
    assert_eq!(
        versions[0].date.map(|d| d.to_string()).as_deref(),
        Some("2023-08-28")
    );
    let (versions, _) = read_as(
        "changelog.rst",
        "6.0.0\n-----\n\n:Released: 28.09.2025\n:Full Changelog: x\n\n- a\n\n\
         5.1.0\n-----\n\n:Released: 6.3.2025\n\n5.0.0\n-----\n\n:Released: 31.02.2025\n",
    );
    let dates: Vec<_> = versions
        .iter()
        .map(|v| (v.version.as_str(), v.date.map(|d| d.to_string())))
        .collect();
    assert_eq!(
        dates,
        [
            ("6.0.0", Some("2025-09-28".to_owned())),
            ("5.1.0", Some("2025-03-06".to_owned())),
            ("5.0.0", None)
        ]
    );
}
