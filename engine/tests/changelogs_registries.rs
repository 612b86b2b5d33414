//! Changelogs of real projects as they publish them, fetched at test time from the package
//! registries (`pip download` of an sdist, `npm pack`): requests' `HISTORY.md` (setext
//! headings, `**Security**` pseudo-headings), Flask's `CHANGES.rst` (reStructuredText
//! `Version X` titles with `Released` lines), semver's `CHANGELOG.md` (release-please ATX
//! headings), pyparsing's extension-less `CHANGES`. Each test skips with a printed reason
//! when the registry or tool is not reachable; nothing fetched is kept.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use vouch_engine::EvidenceGraph;
use vouch_engine::formats::EvidenceKind;
use vouch_engine::formats::changelog::ChangelogVersion;
use vouch_engine::report::Status;

/// Runs a fetching command; `None` (with the reason printed) when it cannot be run or fails.
fn fetch(test: &str, dir: &Path, program: &str, args: &[&str]) -> Option<()> {
    match Command::new(program).args(args).current_dir(dir).output() {
        Ok(out) if out.status.success() => Some(()),
        Ok(out) => {
            eprintln!(
                "skipping {test}: `{program} {}` failed (registry unreachable?): {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            );
            None
        }
        Err(e) => {
            eprintln!("skipping {test}: cannot run `{program}`: {e}");
            None
        }
    }
}

/// Unpacks the one `.tar.gz` in `dir` there and returns the path of `member` in it.
fn unpack(dir: &Path, member: &str) -> PathBuf {
    let archive = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".tar.gz") || p.to_string_lossy().ends_with(".tgz"))
        .unwrap();
    common::run(dir, "tar", &["xzf", archive.to_str().unwrap()]);
    let path = dir.join(member);
    assert!(path.is_file(), "{} is not in {}", member, archive.display());
    path
}

/// A bundle holding `file` as `name`, ingested.
fn bundle(file: &Path, name: &str) -> (tempfile::TempDir, EvidenceGraph) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(file, tmp.path().join(name)).unwrap();
    let graph = common::ingest(tmp.path());
    (tmp, graph)
}

fn versions_of(graph: &EvidenceGraph, name: &str) -> Vec<ChangelogVersion> {
    let (_, file) = graph.file(name).unwrap();
    assert_eq!(file.kind, Some(EvidenceKind::Changelog), "{name}");
    assert!(
        common::findings_at(graph, name).is_empty(),
        "{:#?}",
        graph.findings()
    );
    graph
        .changelogs()
        .find(|(_, c)| c.source.path == name)
        .map(|(_, c)| c.versions.clone())
        .unwrap()
}

/// The first `n` versions, each with its date (`none` when it has none).
fn newest(versions: &[ChangelogVersion], n: usize) -> Vec<(&str, String)> {
    versions
        .iter()
        .take(n)
        .map(|v| {
            (
                v.version.as_str(),
                v.date.map_or("none".to_owned(), |d| d.to_string()),
            )
        })
        .collect()
}

fn find<'a>(versions: &'a [ChangelogVersion], version: &str) -> &'a ChangelogVersion {
    versions.iter().find(|v| v.version == version).unwrap()
}

fn pip_sdist(test: &str, spec: &str) -> Option<tempfile::TempDir> {
    let tmp = tempfile::tempdir().unwrap();
    fetch(
        test,
        tmp.path(),
        "python3",
        &[
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            ":all:",
            "--timeout",
            "30",
            "--retries",
            "1",
            "-d",
            ".",
            spec,
        ],
    )?;
    Some(tmp)
}

/// requests 2.31.0: setext headings over `---`, the fix under a `**Security**` line.
#[test]
fn requests_history_md() {
    let test = "requests_history_md";
    let Some(tmp) = pip_sdist(test, "requests==2.31.0") else {
        return;
    };
    let history = unpack(tmp.path(), "requests-2.31.0/HISTORY.md");
    let (_bundle, graph) = bundle(&history, "HISTORY.md");
    let versions = versions_of(&graph, "HISTORY.md");
    assert_eq!(versions[0].version, "2.31.0");
    let fix = find(&versions, "2.31.0");
    assert_eq!(fix.date.unwrap().to_string(), "2023-05-22");
    assert!(fix.security);
    assert_eq!(fix.sections, ["Security"]);
    assert_eq!(
        fix.ids.iter().collect::<Vec<_>>(),
        ["CVE-2023-32681", "GHSA-J8R2-6X86-Q33Q"]
    );
    let before = find(&versions, "2.30.0");
    assert_eq!(before.date.unwrap().to_string(), "2023-05-03");
    assert!(!before.security);
    assert!(versions.len() > 150, "{}", versions.len());
    assert_eq!(versions.last().unwrap().version, "0.0.1");
    let control = common::run_control(
        &graph,
        "2023-06-01T00:00:00Z",
        "",
        "  expect any(v in changelog.versions: v.version == \"2.31.0\" and v.security and \"CVE-2023-32681\" in v.ids)",
    );
    assert_eq!(control.status, Status::Pass);
}

/// Flask 3.0.0: reStructuredText `Version X` titles over `---`, dated by `Released` lines.
#[test]
fn flask_changes_rst() {
    let test = "flask_changes_rst";
    let Some(tmp) = pip_sdist(test, "flask==3.0.0") else {
        return;
    };
    let changes = unpack(tmp.path(), "flask-3.0.0/CHANGES.rst");
    let (_bundle, graph) = bundle(&changes, "CHANGES.rst");
    let versions = versions_of(&graph, "CHANGES.rst");
    let dated = newest(&versions, 3);
    assert_eq!(
        dated,
        [
            ("3.0.0", "2023-09-30".to_owned()),
            ("2.3.3", "2023-08-21".to_owned()),
            ("2.3.2", "2023-05-01".to_owned())
        ]
    );
    assert!(versions.len() > 50, "{}", versions.len());
    assert!(versions.iter().all(|v| !v.security));
}

/// express 4.19.2 and axios 1.6.0 from npm: express's `History.md` has `4.19.2 / 2024-03-25`
/// over `===`; axios's `CHANGELOG.md` has release-please headings, `# [1.6.0](...)
/// (2023-10-26)` and `## [1.5.1](...) (2023-09-26)` mixed.
#[test]
fn npm_changelogs() {
    let test = "npm_changelogs";
    let tmp = tempfile::tempdir().unwrap();
    let express = tmp.path().join("express");
    std::fs::create_dir(&express).unwrap();
    if fetch(
        test,
        &express,
        "npm",
        &["pack", "--silent", "express@4.19.2"],
    )
    .is_none()
    {
        return;
    }
    let history = unpack(&express, "package/History.md");
    let (_bundle, graph) = bundle(&history, "History.md");
    let versions = versions_of(&graph, "History.md");
    let first: Vec<(&str, String)> = versions
        .iter()
        .take(2)
        .map(|v| (v.version.as_str(), v.date.unwrap().to_string()))
        .collect();
    assert_eq!(
        first,
        [
            ("4.19.2", "2024-03-25".to_owned()),
            ("4.19.1", "2024-03-20".to_owned())
        ]
    );
    assert_eq!(versions.last().unwrap().version, "0.0.1");
    assert!(versions.len() > 250, "{}", versions.len());

    let axios = tmp.path().join("axios");
    std::fs::create_dir(&axios).unwrap();
    if fetch(test, &axios, "npm", &["pack", "--silent", "axios@1.6.0"]).is_none() {
        return;
    }
    let changelog = unpack(&axios, "package/CHANGELOG.md");
    let (_bundle, graph) = bundle(&changelog, "CHANGELOG.md");
    let versions = versions_of(&graph, "CHANGELOG.md");
    let fix = find(&versions, "1.6.0");
    assert_eq!(fix.date.unwrap().to_string(), "2023-10-26");
    assert!(fix.ids.contains("CVE-2023-45857"));
    // Named under `Bug Fixes`: no Security section.
    assert!(!fix.security);
    assert_eq!(versions[1].version, "1.5.1");
    assert_eq!(versions[1].date.unwrap().to_string(), "2023-09-26");
    assert!(!versions[1].ids.contains("CVE-2023-45857"));
}

/// pyparsing 3.1.1: an extension-less `CHANGES` file, plain-text titles `Version 3.1.1 -
/// July, 2023` over `---` (no ISO date, so undated), pre-releases among them.
#[test]
fn pyparsing_extensionless_changes() {
    let test = "pyparsing_extensionless_changes";
    let Some(tmp) = pip_sdist(test, "pyparsing==3.1.1") else {
        return;
    };
    let changes = unpack(tmp.path(), "pyparsing-3.1.1/CHANGES");
    let (_bundle, graph) = bundle(&changes, "CHANGES");
    let versions = versions_of(&graph, "CHANGES");
    let first: Vec<&str> = versions
        .iter()
        .take(3)
        .map(|v| v.version.as_str())
        .collect();
    assert_eq!(first, ["3.1.1", "3.1.0", "3.1.0b2"]);
    assert!(versions.len() > 90, "{}", versions.len());
    assert!(find(&versions, "3.1.1").date.is_none());
}

/// Twisted 23.8.0: towncrier's `NEWS.rst`, titles that name the product before the version
/// (`Twisted 22.10.0 (2022-10-30)` over `===`), the newest written `Twisted 23.8.0.
/// (2023-08-28)` with a stray full stop after the version; the CVE fixed in 22.10.0 is in a
/// `Bugfixes` list under a `Web` section.
#[test]
fn twisted_news_rst_names_the_product() {
    let test = "twisted_news_rst_names_the_product";
    let Some(tmp) = pip_sdist(test, "twisted==23.8.0") else {
        return;
    };
    let news = unpack(tmp.path(), "twisted-23.8.0/NEWS.rst");
    let (_bundle, graph) = bundle(&news, "NEWS.rst");
    let versions = versions_of(&graph, "NEWS.rst");
    let dated = newest(&versions, 3);
    assert_eq!(
        dated,
        [
            ("23.8.0", "2023-08-28".to_owned()),
            ("22.10.0", "2022-10-30".to_owned()),
            ("22.8.0", "2022-09-06".to_owned())
        ]
    );
    let fix = find(&versions, "22.10.0");
    assert_eq!(
        fix.ids.iter().collect::<Vec<_>>(),
        ["CVE-2022-39348", "GHSA-VG46-2RRJ-3647"]
    );
    // Release-candidate notes inside an entry are not versions; before 17.5.0, releases are
    // titled by sub-project (`Twisted Core 17.1.0 (2017-02-04)`, `Twisted Conch 17.1.0`):
    // another product's name, so not versions of this one, and nothing under them is read
    // into 17.5.0.
    assert_eq!(versions.len(), 17);
    assert_eq!(versions.last().unwrap().version, "17.5.0");
    assert!(versions.iter().all(|v| !v.version.contains("rc")));
}

/// sphinx-needs 6.0.0: `docs/changelog.rst`, plain version titles (`6.0.0` over `---`) dated
/// by a reStructuredText field list (`:Released: 28.09.2025` over `:Full Changelog: ...`),
/// dates written day first with full stops.
#[test]
fn sphinx_needs_released_field_lists() {
    let test = "sphinx_needs_released_field_lists";
    let Some(tmp) = pip_sdist(test, "sphinx-needs==6.0.0") else {
        return;
    };
    let changelog = unpack(tmp.path(), "sphinx_needs-6.0.0/docs/changelog.rst");
    let (_bundle, graph) = bundle(&changelog, "changelog.rst");
    let versions = versions_of(&graph, "changelog.rst");
    let dated = newest(&versions, 4);
    assert_eq!(
        dated,
        [
            ("6.0.0", "2025-09-28".to_owned()),
            ("5.1.0", "2025-03-06".to_owned()),
            ("5.0.0", "2025-02-18".to_owned()),
            ("4.2.0", "2025-01-07".to_owned())
        ]
    );
    assert!(versions.len() > 30, "{}", versions.len());
}
