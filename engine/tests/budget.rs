//! The evaluation budget: a control that takes too many steps or creates too many bytes
//! stops with status `error` and says which limit it passed; other controls, and ordinary
//! controls under the default budget, are not affected; params and manual `within`
//! expressions are bounded too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use crate::common;

use std::fmt::Write as _;
use std::sync::LazyLock;

use vouch_engine::eval::Budget;
use vouch_engine::report::{Report, Status};
use vouch_engine::{EvaluationOptions, EvidenceGraph};

static GRAPH: LazyLock<EvidenceGraph> = LazyLock::new(|| common::ingest(&common::example_bundle()));

/// A policy of one control per body, `A`, `B`, ..., with `params` above them.
fn policy(params: &str, bodies: &[&str]) -> vouch_lang::CheckedPolicy {
    let mut text = format!("policy \"t\" {{ title = \"T\" framework = \"uk-sscop\" }}\n{params}\n");
    for (i, body) in bodies.iter().enumerate() {
        let id = char::from(b'A' + u8::try_from(i).unwrap());
        write!(
            text,
            "control \"{id}\" {{\n  title = \"t\"\n  provision = [\"3.1\"]\n  severity = high\n{body}\n}}\n"
        )
        .unwrap();
    }
    let out = vouch_lang::check(
        vouch_lang::Source::new("t.vouch", text),
        &vouch_lang::NoImports,
        &common::frameworks(),
    );
    out.policy
        .unwrap_or_else(|| panic!("policy does not check: {:#?}", out.diagnostics))
}

fn options(budget: Budget) -> EvaluationOptions {
    let mut options = EvaluationOptions::at("2026-10-01T00:00:00Z".parse().unwrap());
    options.budget = budget;
    options
}

fn evaluate(params: &str, bodies: &[&str], budget: Budget) -> Report {
    vouch_engine::evaluate(&policy(params, bodies), &GRAPH, &options(budget))
}

fn steps(max_steps: u64) -> Budget {
    Budget {
        max_steps,
        ..Budget::default()
    }
}

fn bytes(max_bytes: u64) -> Budget {
    Budget {
        max_bytes,
        ..Budget::default()
    }
}

/// `param xs: list<int> = [0, 1, ..., n - 1]`.
fn int_list(n: usize) -> String {
    let items: Vec<String> = (0..n).map(|i| i.to_string()).collect();
    format!("param xs: list<int> = [{}]", items.join(", "))
}

/// Three nested loops over 1,000 elements: 10^9 iterations if nothing stops them.
const CUBIC: &str = "  for a in xs {\n    for b in xs {\n      for c in xs {\n        expect a + b + c >= 0\n      }\n    }\n  }";

/// A control doubling a string forty times (2^43 bytes if nothing stops it).
fn doubling() -> String {
    let mut body = String::from("  let s0 = \"xxxxxxxx\"\n");
    for i in 1..=40 {
        writeln!(body, "  let s{i} = s{} + s{}", i - 1, i - 1).unwrap();
    }
    body.push_str("  expect len(s40) > 0");
    body
}

#[test]
fn too_many_steps_is_an_error_that_names_the_limit() {
    let report = evaluate(&int_list(1000), &[CUBIC, "expect true"], steps(1_000_000));
    let stopped = &report.controls[0];
    assert_eq!(stopped.status, Status::Error);
    assert_eq!(
        stopped.reason.as_deref(),
        Some(
            "evaluation stopped at t.vouch:10: the control took more than 1,000,000 steps (raise it with --max-steps)"
        ),
        "{stopped:#?}"
    );
    // The other control has its own budget.
    assert_eq!(report.controls[1].status, Status::Pass);
}

/// Only in release builds (`cargo test --release`): a debug build takes a minute to use up
/// the default budget. How long it takes is measured by `benches/quadratic.rs`, not here.
#[test]
#[cfg_attr(debug_assertions, ignore = "slow in a debug build: run with --release")]
fn the_default_budget_stops_a_runaway_control() {
    let report = evaluate(&int_list(1000), &[CUBIC], Budget::default());
    assert_eq!(report.controls[0].status, Status::Error);
    let reason = report.controls[0].reason.as_deref().unwrap();
    assert!(reason.ends_with("more than 100,000,000 steps (raise it with --max-steps)"));
}

#[test]
fn a_string_doubled_forty_times_is_refused_before_it_is_made() {
    let report = evaluate("", &[&doubling()], Budget::default());
    let c = &report.controls[0];
    assert_eq!(c.status, Status::Error);
    assert_eq!(
        c.reason.as_deref(),
        Some(
            "evaluation stopped at t.vouch:32: the control created more than 256 MiB of strings and collections (raise it with --max-bytes)"
        ),
        "s25 (256 MiB) does not fit after s0..s24 took 256 MiB less 8 bytes"
    );
}

#[test]
fn interpolation_messages_literals_and_case_mapping_count_bytes() {
    let budget = bytes(100);
    let status = |body: &str| evaluate("", &[body], budget).controls[0].status;
    let long = "x".repeat(60);
    // One 60-byte string fits; two do not.
    assert_eq!(
        status(&format!("  let a = \"{long}\"\n  expect len(a) == 60")),
        Status::Pass
    );
    for made_twice in [
        format!("  let a = \"{long}\"\n  let b = \"{{a}}\"\n  expect len(b) == 60"),
        format!("  let a = \"{long}\"\n  let b = lower(a)\n  expect len(b) == 60"),
        format!("  let a = \"{long}\"\n  expect false else \"{{a}}\""),
        "  let l = [1, 2, 3, 4, 5]\n  expect len(l) == 5".to_owned(),
        "  let t = { \"a\": 1, \"b\": 2, \"c\": 3 }\n  expect len(t) == 3".to_owned(),
    ] {
        let c = &evaluate("", &[&made_twice], budget).controls[0];
        assert_eq!(c.status, Status::Error, "{made_twice}");
        assert!(
            c.reason.as_deref().unwrap().contains("more than 100 bytes"),
            "{c:#?}"
        );
    }
    // Evidence values that exist already are free to read, however large.
    assert_eq!(
        status("  for f in files {\n    expect f.path != \"\" and f.sha256 != \"\"\n  }"),
        Status::Pass
    );
}

#[test]
fn ordinary_controls_are_unaffected_and_the_budget_can_be_raised() {
    let body = "  for a in release.artifacts {\n    for c in a.checksums {\n      expect c.status == \"match\" else \"{c.path}:{c.line} is {c.status}\"\n    }\n  }";
    let default = evaluate("", &[body], Budget::default());
    assert_eq!(default.controls[0].status, Status::Pass);
    // Lowered below what it needs, it stops; raised above, it passes again.
    assert_eq!(
        evaluate("", &[body], steps(10)).controls[0].status,
        Status::Error
    );
    assert_eq!(
        evaluate("", &[body], steps(1000)).controls[0].status,
        Status::Pass
    );
}

#[test]
fn params_and_manual_controls_are_bounded() {
    let report = evaluate(
        &int_list(20),
        &["  expect len(xs) == 20", "  manual \"checked\" within 30d"],
        steps(5),
    );
    let reason = report.controls[0].reason.as_deref().unwrap();
    assert_eq!(report.controls[0].status, Status::Error);
    assert_eq!(
        reason,
        "param `xs` of `t.vouch` cannot be evaluated: evaluation stopped: the control took more than 5 steps (raise it with --max-steps)"
    );
    let report = evaluate("", &["  manual \"checked\" within 30d"], steps(0));
    assert_eq!(report.controls[0].status, Status::Error);
    assert!(
        report.controls[0]
            .reason
            .as_deref()
            .unwrap()
            .starts_with("evaluation stopped at t.vouch:7: the control took more than 0 steps")
    );
    assert_eq!(
        evaluate("", &["  manual \"checked\" within 30d"], steps(1)).controls[0].status,
        Status::Manual
    );
}

#[test]
fn the_same_control_stops_the_same_way_whatever_the_threads() {
    let bodies = [CUBIC, CUBIC, "expect true", CUBIC];
    let policy = policy(&int_list(1000), &bodies);
    let mut one = options(steps(200_000));
    one.threads = Some(1);
    let mut two = one.clone();
    two.threads = Some(2);
    let a = vouch_engine::evaluate(&policy, &GRAPH, &one);
    let b = vouch_engine::evaluate(&policy, &GRAPH, &two);
    assert_eq!(a, b);
    assert_eq!(a.summary.error, 3);
}

#[test]
fn explain_traces_are_bounded_by_the_byte_budget() {
    let policy = policy(&int_list(1000), &[CUBIC]);
    let trace = vouch_engine::explain(&policy, &GRAPH, &options(bytes(1 << 20)), "A").unwrap();
    assert_eq!(trace.result.status, Status::Error);
    assert!(
        trace
            .result
            .reason
            .as_deref()
            .unwrap()
            .contains("more than 1 MiB of strings and collections")
    );
    let shown: usize = trace.lines.iter().map(|l| l.text.len()).sum();
    assert!(shown < 1 << 20, "{shown}");
}
