//! The evaluator's run-time backstop of the fail-closed rule: an unknown (`none`) value never
//! makes a control pass. Each pattern here passed on a bundle with no evidence (or on a
//! vulnerability without a severity) before the rule; each must now fail, naming what is
//! missing. The policies are checked with every lint allowed, as a user who turns off the
//! checker's static rule would have them.
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

const AS_OF: &str = "2026-10-01T00:00:00Z";

/// A bundle directory with nothing in it.
static EMPTY: LazyLock<EvidenceGraph> = LazyLock::new(|| {
    let dir = tempfile::tempdir().unwrap();
    common::ingest(dir.path())
});

/// A release with one vulnerability that has no severity, under investigation.
static NO_SEVERITY: LazyLock<EvidenceGraph> = LazyLock::new(|| {
    let dir = tempfile::tempdir().unwrap();
    common::write(
        dir.path(),
        "release.toml",
        b"[release]\nproduct = \"widget\"\nversion = \"2.4.1\"\n\
          date = 2026-09-01\nartifacts = []\n",
    );
    common::write(
        dir.path(),
        "vulnerabilities.toml",
        b"[[vulnerability]]\nid = \"CVE-2026-0001\"\nstatus = \"under_investigation\"\n\
          discovered = 2026-09-20T00:00:00Z\n",
    );
    common::ingest(dir.path())
});

/// Checks a one-control policy (`params` above a control whose body is `body`) with every
/// lint allowed, so the run-time rule is what decides. The lead adds the allow of
/// `vouch::check::unhandled-none` here when the checker's static rule is merged.
fn check_allowing_unhandled_none(params: &str, body: &str) -> vouch_lang::CheckedPolicy {
    let text = format!(
        "policy \"t\" {{ title = \"T\" framework = \"uk-sscop\" }}\n{params}\n\
         control \"T\" {{\n  title = \"t\"\n  provision = [\"3.1\"]\n  severity = high\n{body}\n}}\n"
    );
    let mut lints = vouch_lang::LintLevels::default();
    lints.levels.insert(
        vouch_lang::Code::UnhandledNone,
        vouch_lang::LintLevel::Allow,
    );
    let out = vouch_lang::check_with(
        vouch_lang::Source::new("t.vouch", text),
        &vouch_lang::NoImports,
        &common::frameworks(),
        &lints,
    );
    out.policy
        .unwrap_or_else(|| panic!("policy does not check: {:#?}", out.diagnostics))
}

fn run_on(graph: &EvidenceGraph, params: &str, body: &str) -> ControlResult {
    let policy = check_allowing_unhandled_none(params, body);
    let options = vouch_engine::EvaluationOptions::at(AS_OF.parse().unwrap());
    vouch_engine::evaluate(&policy, graph, &options)
        .controls
        .remove(0)
}

fn on_empty(body: &str) -> ControlResult {
    run_on(&EMPTY, "", body)
}

fn messages(r: &ControlResult) -> Vec<&str> {
    r.findings.iter().map(|f| f.message.as_str()).collect()
}

/// Asserts the control fails with one finding whose message contains each of `names`.
fn fails_naming(r: &ControlResult, names: &[&str]) {
    assert_eq!(r.status, Status::Fail, "{r:#?}");
    assert_eq!(r.findings.len(), 1, "{r:#?}");
    for name in names {
        assert!(
            r.findings[0].message.contains(name),
            "`{}` does not name {name}",
            r.findings[0].message
        );
    }
}

#[test]
fn a_comparison_with_a_missing_value_is_unknown() {
    let cases = [
        ("release.version != \"x\"", "release.version"),
        ("\"x\" != release.version", "release.version"),
        ("security_txt.verified != false", "security_txt.verified"),
        (
            "not (security_txt.verified == false)",
            "security_txt.verified",
        ),
        ("len(release.artifacts) != 0", "len(release.artifacts)"),
        (
            "len(release.sboms) == len(release.artifacts)",
            "len(release.sboms)",
        ),
        (
            "count(a in release.artifacts) == count(s in release.sboms)",
            "count(a in release.artifacts)",
        ),
        ("release.date != as_of", "release.date"),
        // A list holding a none: the comparison as a whole is what is none.
        ("[release.version] != [\"x\"]", "it"),
        ("\"x\" not in [release.version]", "it"),
    ];
    for (cond, named) in cases {
        let r = on_empty(&format!("expect {cond}"));
        fails_naming(&r, &[&format!("expected {cond}, but {named} is none")]);
        assert!(
            r.findings[0].values.values().any(|v| v.contains("none")),
            "{cond}: {r:#?}"
        );
    }
}

#[test]
fn a_presence_test_stays_known() {
    for cond in [
        "release == none",
        "release.version == none",
        "none == security_txt",
        "not (security_txt != none)",
        "release.version == (none)",
    ] {
        assert_eq!(
            on_empty(&format!("expect {cond}")).status,
            Status::Pass,
            "{cond}"
        );
    }
    assert_eq!(
        on_empty("expect security_txt.verified != none").status,
        Status::Fail
    );
    // `??` gives a known value to compare.
    assert_eq!(
        on_empty("expect (release.version ?? \"x\") == \"x\"").status,
        Status::Pass
    );
}

#[test]
fn equality_in_a_loop_over_a_missing_field_is_unknown() {
    // The in-place comparisons of a bound field agree with the general path.
    let body = |cond: &str| format!("  for v in vulnerabilities {{\n    expect {cond}\n  }}");
    for cond in [
        "v.fixed_in != \"2.4.1\"",
        "\"2.4.1\" != v.fixed_in",
        "v.fixed_in != release.version",
        "v.justification != \"\"",
        "v.severity != info",
        "not (v.severity == info)",
        "(v.fixed_in + \"\") != \"2.4.1\"",
    ] {
        let r = run_on(&NO_SEVERITY, "", &body(cond));
        assert_eq!(r.status, Status::Fail, "{cond}: {r:#?}");
        assert!(messages(&r)[0].contains("is none"), "{cond}: {r:#?}");
    }
    let r = run_on(
        &NO_SEVERITY,
        "",
        &body("v.fixed_in == none and v.id != \"\""),
    );
    assert_eq!(r.status, Status::Pass, "{r:#?}");
}

#[test]
fn a_template_that_interpolates_a_missing_value_is_unknown() {
    let r = on_empty("expect \"{release.previous}\" != \"\"");
    fails_naming(&r, &["but \"{release.previous}\" is none"]);
    let r = on_empty("let p = \"{security_txt.path}\"\nexpect len(p) > 0");
    fails_naming(&r, &["but len(p) is none"]);
    let r = on_empty("expect (\"v{release.version}\" ?? \"unknown\") == \"unknown\"");
    assert_eq!(r.status, Status::Pass, "{r:#?}");
    // Known parts still make text, and messages still show `none`.
    let r = run_on(
        &NO_SEVERITY,
        "",
        "expect \"v{release.version}\" == \"v2.4.1\"\n\
         expect release.previous != none else \"no previous version: {release.previous}\"",
    );
    assert_eq!(messages(&r), ["no previous version: none"], "{r:#?}");
}

#[test]
fn an_unknown_where_in_a_loop_is_a_failure_not_a_skip() {
    let body = "  for v in vulnerabilities where v.severity >= medium {\n\
                \x20   expect v.status != under_investigation\n  } when empty: pass";
    let r = run_on(&NO_SEVERITY, "", body);
    fails_naming(
        &r,
        &[
            "cannot tell whether `v.severity >= medium` holds for v = CVE-2026-0001: `v.severity` is none",
        ],
    );
    let f = &r.findings[0];
    assert_eq!(f.evidence[0].path, "vulnerabilities.toml");
    assert_eq!(f.values.get("v.severity").unwrap(), "none");
    assert_eq!(f.values.get("v").unwrap(), "CVE-2026-0001");
    assert_eq!(f.expect, "t.vouch:7");
    // The body is not run for it (its own expectation would fail too), and the loop is not
    // empty.
    for when_empty in ["pass", "not_applicable", "fail"] {
        let body = format!(
            "  for v in vulnerabilities where v.severity >= medium {{\n\
             \x20   expect false else \"ran\"\n  }} when empty: {when_empty}"
        );
        let r = run_on(&NO_SEVERITY, "", &body);
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert_eq!(r.findings.len(), 1, "{r:#?}");
        assert!(messages(&r)[0].starts_with("cannot tell whether"), "{r:#?}");
    }
    // Two missing operands are both named.
    let r = run_on(
        &NO_SEVERITY,
        "",
        "  for v in vulnerabilities where v.fixed_in == release.previous {\n\
         \x20   expect true\n  }",
    );
    fails_naming(&r, &["`v.fixed_in` and `release.previous` are none"]);
    // An operand only tested for presence is not what is missing.
    let r = run_on(
        &NO_SEVERITY,
        "",
        "  for v in vulnerabilities where v.severity != info and \
         (v.status != not_affected or v.justification == none) {\n\
         \x20   expect true\n  }",
    );
    fails_naming(&r, &[": `v.severity` is none"]);
    assert_eq!(r.findings[0].values.get("v.justification").unwrap(), "none");
    let r = run_on(
        &NO_SEVERITY,
        "",
        "expect all(v in vulnerabilities: v.justification != none or v.severity > low)",
    );
    assert_eq!(r.status, Status::Fail);
    let r = run_on(
        &NO_SEVERITY,
        "",
        "  for v in vulnerabilities {\n    expect v.justification != none or v.severity > low\n  }",
    );
    assert_eq!(
        messages(&r),
        ["expected v.justification != none or v.severity > low, but v.severity is none"]
    );
    // A known `where` still leaves elements out.
    let r = run_on(
        &NO_SEVERITY,
        "",
        "  for v in vulnerabilities where (v.severity ?? low) >= medium {\n\
         \x20   expect false\n  } when empty: pass",
    );
    assert_eq!(r.status, Status::Pass, "{r:#?}");
}

#[test]
fn an_unknown_where_or_condition_makes_a_quantifier_unknown() {
    for cond in [
        "none(v in vulnerabilities: v.severity >= medium)",
        "not any(v in vulnerabilities: v.severity >= medium)",
        "all(v in vulnerabilities where v.severity >= medium: v.status != under_investigation)",
        "not any(v in vulnerabilities where v.severity >= medium: true)",
        "none(v in vulnerabilities where v.severity >= medium: true)",
        "count(v in vulnerabilities where v.severity >= medium) == 0",
        "count(v in vulnerabilities: v.severity >= medium) == 0",
        "count(v in vulnerabilities: v.severity >= medium) < 1",
    ] {
        let r = run_on(&NO_SEVERITY, "", &format!("expect {cond}"));
        assert_eq!(r.status, Status::Fail, "{cond}: {r:#?}");
        assert!(messages(&r)[0].ends_with("is none"), "{cond}: {r:#?}");
    }
    // A known element still decides.
    for cond in [
        "any(v in vulnerabilities: v.severity >= medium or v.id != \"\")",
        "not all(v in vulnerabilities where v.severity >= medium or true: false)",
        "count(v in vulnerabilities where v.id != \"\") == 1",
    ] {
        let r = run_on(&NO_SEVERITY, "", &format!("expect {cond}"));
        assert_eq!(r.status, Status::Pass, "{cond}: {r:#?}");
    }
}

#[test]
fn an_unknown_expect_with_a_message_says_what_is_missing() {
    let r = on_empty("expect release.version != \"x\" else \"the version is {release.version}\"");
    assert_eq!(
        messages(&r),
        ["the version is none (cannot tell: `release.version` is none)"]
    );
    let r = run_on(
        &NO_SEVERITY,
        "",
        "  for v in vulnerabilities {\n\
         \x20   expect v.severity >= medium and v.fixed_in != release.previous\n\
         \x20     else \"{v.id} is minor\"\n  }",
    );
    assert_eq!(
        messages(&r),
        [
            "CVE-2026-0001 is minor (cannot tell: `v.severity`, `v.fixed_in` and \
             `release.previous` are none)"
        ]
    );
    // A known failure keeps the author's message as written.
    let r = run_on(
        &NO_SEVERITY,
        "",
        "expect release.version == \"x\" else \"wrong version\"",
    );
    assert_eq!(messages(&r), ["wrong version"]);
}

#[test]
fn calendar_arithmetic_keeps_its_anchor() {
    // 2026-04-01 to 2027-03-30 is two days short of 12 calendar months (but longer than 12
    // unanchored 30-day months).
    let short = "(2027-03-30 - 2026-04-01)";
    let full = "(2027-04-01 - 2026-04-01)";
    for shape in [
        "{}",
        "{} + 0d",
        "0d + {}",
        "{} - 0d",
        "{} * 1",
        "1 * {}",
        "-(-{})",
        "({} + 1d) - 1d",
    ] {
        let short = shape.replace("{}", short);
        let full = shape.replace("{}", full);
        assert_eq!(
            on_empty(&format!("expect {short} >= 12 months")).status,
            Status::Fail,
            "{short}"
        );
        assert_eq!(
            on_empty(&format!("expect {full} >= 12 months")).status,
            Status::Pass,
            "{full}"
        );
        assert_eq!(
            on_empty(&format!("expect {full} == 1 year")).status,
            Status::Pass,
            "{full}"
        );
    }
    // `let` keeps it, and so does a sum of lets.
    assert_eq!(
        on_empty(&format!("let d = {short}\nexpect d >= 12 months")).status,
        Status::Fail
    );
    assert_eq!(
        on_empty(&format!(
            "let d = {short} + 0d\nlet e = d * 1\nexpect e >= 12 months"
        ))
        .status,
        Status::Fail
    );
    // Negated, the interval runs back from its end: -(12 months) from 2027-03-30 is
    // 2026-03-30, before 2026-04-01.
    assert_eq!(
        on_empty(&format!("expect -{short} > -(12 months)")).status,
        Status::Pass
    );
    // `days` counts calendar parts from the anchor: February 2026 has 28 days.
    assert_eq!(
        on_empty("expect days((2026-02-01 - 2026-02-01) + 1 month) == 28").status,
        Status::Pass
    );
    // 12 months, a year and 365 days across a leap day.
    let leap = "(2028-02-29 - 2027-03-01)";
    assert_eq!(
        on_empty(&format!(
            "expect {leap} < 12 months and {leap} < 1 year and {leap} == 365d"
        ))
        .status,
        Status::Pass
    );
}

#[test]
fn a_loop_over_a_missing_collection_is_not_empty() {
    // `release` is none: `release.artifacts` is unknown, not an empty list.
    for when_empty in ["pass", "not_applicable"] {
        let r = on_empty(&format!(
            "  for a in release.artifacts {{\n    expect a.size > 0\n  }} when empty: {when_empty}"
        ));
        fails_naming(
            &r,
            &[&format!(
                "no evidence of release.artifacts: `release.artifacts` is none, so \
                 `when empty: {when_empty}` does not apply"
            )],
        );
    }
    // A known empty list is empty.
    let r = on_empty("  for f in files {\n    expect f.size > 0\n  } when empty: pass");
    assert_eq!(r.status, Status::Pass, "{r:#?}");
    let r = on_empty("  for a in release.artifacts {\n    expect a.size > 0\n  }");
    assert_eq!(messages(&r), ["no evidence of release.artifacts"]);
}

#[test]
fn a_missing_table_key_or_index_is_unknown() {
    let sla = "param sla: table<severity, duration> = { critical: 48h, high: 5d }";
    for cond in [
        "v.open_for <= sla[v.severity]",
        "v.open_for <= sla[medium]",
        "sla[v.severity] != 1d",
        "v.severity in sla",
        "(sla[v.severity] ?? 1d) > release.artifacts[0].size * 1s",
    ] {
        let r = run_on(
            &NO_SEVERITY,
            sla,
            &format!("  for v in vulnerabilities {{\n    expect {cond}\n  }}"),
        );
        assert_eq!(r.status, Status::Fail, "{cond}: {r:#?}");
    }
}

#[test]
fn a_manual_control_whose_age_limit_is_unknown_is_an_error() {
    // The checker sees a duration; at run time the param is none (as an override that
    // cannot be represented was before the checker rejected it).
    let mut policy = check_allowing_unhandled_none(
        "param max_age: duration = 30d",
        "manual \"A person checked it\" within max_age",
    );
    let binding = policy.modules[0].params.get_mut("max_age").unwrap();
    binding.value.kind = vouch_lang::ast::ExprKind::None;
    let options = vouch_engine::EvaluationOptions::at(AS_OF.parse().unwrap());
    let r = vouch_engine::evaluate(&policy, &EMPTY, &options)
        .controls
        .remove(0);
    assert_eq!(r.status, Status::Error, "{r:#?}");
    assert_eq!(
        r.reason.as_deref(),
        Some("cannot tell how recent an attestation must be: `within max_age` is none")
    );
}
