//! Evaluation semantics, control by control, on the committed widget-2.4.1 fixture bundle:
//! `none` and three-valued logic, quantifiers over empty collections, fail-closed loops,
//! calendar durations, indexing, citations and values of findings.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use crate::common;

use std::sync::LazyLock;

use vouch_engine::EvidenceGraph;
use vouch_engine::report::{ControlResult, Status};

static GRAPH: LazyLock<EvidenceGraph> = LazyLock::new(|| common::ingest(&common::example_bundle()));

/// Evaluates a one-control policy whose body is `body`, with `params` above it.
fn run_with(params: &str, body: &str) -> ControlResult {
    common::run_control(&GRAPH, "2026-10-01T00:00:00Z", params, body)
}

fn run(body: &str) -> ControlResult {
    run_with("", body)
}

fn status(body: &str) -> Status {
    run(body).status
}

#[test]
fn three_valued_logic() {
    // security_txt is none: its fields are none.
    assert_eq!(status("expect false and security_txt.signed"), Status::Fail);
    assert_eq!(status("expect true or security_txt.signed"), Status::Pass);
    assert_eq!(
        status("expect not (false and security_txt.signed)"),
        Status::Pass
    );
    assert_eq!(status("expect true and security_txt.signed"), Status::Fail);
    assert_eq!(status("expect security_txt == none"), Status::Pass);
    assert_eq!(status("expect security_txt.signed ?? true"), Status::Pass);
    // The checker rejects an unhandled `int?` operand; a policy that allows the lint still
    // fails closed at run time.
    let allow = vouch_lang::LintLevels {
        levels: [(
            vouch_lang::Code::UnhandledNone,
            vouch_lang::LintLevel::Allow,
        )]
        .into(),
        deny_warnings: false,
    };
    let contacts = common::run_control_with(
        &GRAPH,
        "2026-10-01T00:00:00Z",
        "",
        "expect len(security_txt.contacts) >= 0",
        &allow,
    );
    assert_eq!(contacts.status, Status::Fail);
}

#[test]
fn quantifiers_over_empty_collections() {
    assert_eq!(
        status("expect all(v in vulnerabilities: v.status == fixed)"),
        Status::Pass
    );
    assert_eq!(
        status("expect any(v in vulnerabilities: v.status == fixed)"),
        Status::Fail
    );
    assert_eq!(
        status("expect none(v in vulnerabilities: v.status == fixed)"),
        Status::Pass
    );
    assert_eq!(
        status("expect count(v in vulnerabilities) == 0"),
        Status::Pass
    );
    assert_eq!(
        status("expect count(a in release.artifacts where a.name.ends_with(\".zip\")) == 1"),
        Status::Pass
    );
    // `all` is none, so the expectation fails, when an element's condition is none.
    assert_eq!(
        status("expect all(a in release.artifacts: a.size > 0 and security_txt.signed)"),
        Status::Fail
    );
}

#[test]
fn loops_fail_closed_unless_told() {
    let r = run("for v in vulnerabilities {\n expect v.fixed_in != none\n }");
    assert_eq!(r.status, Status::Fail);
    assert_eq!(r.findings[0].message, "no evidence of vulnerabilities");
    assert_eq!(r.reason.as_deref(), Some("no evidence of vulnerabilities"));
    let r = run("for a in release.artifacts where a.name == \"nope\" {\n expect a.size > 0\n }");
    assert_eq!(
        r.findings[0].message,
        "no evidence of release.artifacts where a.name == \"nope\""
    );
    // It cites what the collection was read from.
    assert_eq!(r.findings[0].evidence[0].path, "release.toml");
    assert_eq!(
        status("for v in vulnerabilities {\n expect v.fixed_in != none\n } when empty: pass"),
        Status::Pass
    );
    assert_eq!(
        status(
            "for v in vulnerabilities {\n expect v.fixed_in != none\n } when empty: not_applicable"
        ),
        Status::NotApplicable
    );
}

#[test]
fn durations_are_calendar_aware_from_an_anchor() {
    // Cycle 2.3: announced 2025-10-01, eol 2027-04-01: 18 months of notice exactly.
    let notice = |d: &str| {
        status(&format!(
            "for c in support.cycles where c.cycle == \"2.3\" and c.eol != none and c.eol_announced != none {{\n expect c.eol - c.eol_announced >= {d}\n }}"
        ))
    };
    assert_eq!(notice("18 months"), Status::Pass);
    assert_eq!(notice("19 months"), Status::Fail);
    assert_eq!(notice("1 year"), Status::Pass);
    assert_eq!(notice("547d"), Status::Pass);
    assert_eq!(notice("548d"), Status::Fail);
    // Unanchored: a month is 30 days, a year 365.
    assert_eq!(
        status("expect 12 months < 1 year and 1 month == 30d"),
        Status::Pass
    );
    assert_eq!(
        status("expect 2026-01-31 + 1 month == 2026-02-28"),
        Status::Pass
    );
    assert_eq!(
        status("expect days(as_of - 2026-09-01) == 30"),
        Status::Pass
    );
    assert_eq!(
        status(
            "expect release.date != none and release.date < 2026-10-02 and release.date > 2026-10-01"
        ),
        Status::Pass
    );
}

#[test]
fn indexing_and_params() {
    let params = "param sla: table<severity, duration> = { critical: 48h }\n\
                  param schemes: set<string> = [\"https\", \"https\"]";
    let r = run_with(
        params,
        "expect sla[critical] == 2d and sla[low] == none and len(schemes) == 1\n\
         expect release.artifacts[0] != none and release.artifacts[7] == none",
    );
    assert_eq!(r.status, Status::Pass, "{r:#?}");
}

#[test]
fn findings_cite_evidence_and_record_values() {
    let r = run(
        "for a in release.artifacts {\n  for c in a.checksums {\n    expect c.algorithm == \"sha512\"\n      else \"{c.path}:{c.line}: {a.name} uses {c.algorithm}\"\n  }\n}",
    );
    assert_eq!(r.status, Status::Fail);
    let f = &r.findings[0];
    assert_eq!(
        f.message,
        "SHA256SUMS:3: widget-2.4.1-linux-x86_64.tar.gz uses sha256"
    );
    let cited: Vec<(&str, Option<&str>)> = f
        .evidence
        .iter()
        .map(|e| (e.path.as_str(), e.location.as_deref()))
        .collect();
    assert_eq!(
        cited,
        [
            ("SHA256SUMS", Some("line 3")),
            ("dist/widget-2.4.1-linux-x86_64.tar.gz", None)
        ]
    );
    assert_eq!(f.values.get("c.algorithm").unwrap(), "sha256");
    assert_eq!(
        f.values.get("a").unwrap(),
        "dist/widget-2.4.1-linux-x86_64.tar.gz"
    );
    assert_eq!(f.expect, "t.vouch:9");
}

#[test]
fn runtime_errors_are_statuses() {
    let r = run("expect -9223372036854775807 - 2 < 0");
    assert_eq!(r.status, Status::Error);
    assert!(r.reason.unwrap().contains("overflows"));
    // A glob literal is checked (`vouch::lint::invalid-glob`); one from a binding is not.
    let r = run("let glob = \"[\"\n  expect \"a\".matches(glob)");
    assert_eq!(r.status, Status::Error);
}

#[test]
fn manual_control_without_attestations() {
    let r = run("manual \"A person checked it\" within 30d");
    assert_eq!(r.status, Status::Manual);
    assert_eq!(
        r.reason.as_deref(),
        Some("needs an attestation: A person checked it")
    );
}

#[test]
fn comparisons_on_bound_values_agree_with_the_general_path() {
    // Loop variables and their fields are compared in place; values made by expressions go
    // the general way. Both must agree, either way round, for equal and unequal strings and
    // for none.
    let cases = [
        (
            "a.name == \"widget-2.4.1.tar.gz\"",
            "(a.name + \"\") == \"widget-2.4.1.tar.gz\"",
        ),
        (
            "\"widget-2.4.1.tar.gz\" != a.name",
            "\"widget-2.4.1.tar.gz\" != (a.name + \"\")",
        ),
        ("a.name == \"\"", "(a.name + \"\") == \"\""),
        ("a.size > 100", "(a.size + 0) > 100"),
        ("a.sha256 != a.path", "(a.sha256 + \"\") != (a.path + \"\")"),
    ];
    for (in_place, general) in cases {
        let fast = status(&format!(
            "  for a in release.artifacts {{\n    expect {in_place}\n  }}"
        ));
        let slow = status(&format!(
            "  for a in release.artifacts {{\n    expect {general}\n  }}"
        ));
        assert_eq!(fast, slow, "`{in_place}` and `{general}`");
    }
    // A field that is none equals no string, and differs from every string.
    assert_eq!(
        status("  for c in support.cycles {\n    expect c.eol == none or c.cycle != \"\"\n  }"),
        Status::Pass
    );
    assert_eq!(
        status("  for a in release.artifacts {\n    expect a.name == \"nope\"\n  }"),
        Status::Fail
    );
}
