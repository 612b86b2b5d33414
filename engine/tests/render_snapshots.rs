//! Snapshots of every renderer on the hand-built fixture report (`render_common`), plus the
//! format table. Review a changed `.snap` as you would code.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use crate::render_common;

use vouch_engine::report::render::{Format, render};

#[test]
fn formats_have_names_and_distinct_suffixes() {
    let table: Vec<(&str, &str)> = Format::ALL
        .iter()
        .map(|f| (f.name(), f.extension()))
        .collect();
    assert_eq!(
        table,
        [
            ("json", "json"),
            ("markdown", "md"),
            ("html", "html"),
            ("sarif", "sarif"),
            ("junit", "xml"),
            ("oscal", "oscal.json"),
        ]
    );
    for f in Format::ALL {
        assert_eq!(Format::from_name(f.name()), Some(*f));
    }
    assert_eq!(Format::from_name("pdf"), None);
}

#[test]
fn fixture_json() {
    insta::assert_snapshot!(render(&render_common::fixture(), Format::Json));
}

#[test]
fn fixture_markdown() {
    insta::assert_snapshot!(render(&render_common::fixture(), Format::Markdown));
}

#[test]
fn fixture_html() {
    insta::assert_snapshot!(render(&render_common::fixture(), Format::Html));
}

#[test]
fn fixture_sarif() {
    insta::assert_snapshot!(render(&render_common::fixture(), Format::Sarif));
}

#[test]
fn fixture_junit() {
    insta::assert_snapshot!(render(&render_common::fixture(), Format::Junit));
}

#[test]
fn fixture_oscal() {
    insta::assert_snapshot!(render(&render_common::fixture(), Format::Oscal));
}

#[test]
fn empty_report_markdown() {
    insta::assert_snapshot!(render(&render_common::empty(), Format::Markdown));
}

#[test]
fn empty_report_junit() {
    insta::assert_snapshot!(render(&render_common::empty(), Format::Junit));
}
