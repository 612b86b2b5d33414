//! `vouch test --coverage`: for each policy the tests evaluate, which statuses each of its
//! controls was seen with. A control only ever seen passing is untested (no test shows it can
//! fail); one never seen passing has no test showing it can pass.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use vouch_engine::report::Status;
use vouch_engine::terminal::escape_line;

use super::TestResult;

/// The statuses each control of each policy was seen with, by policy name then control id.
pub type Seen = BTreeMap<String, BTreeMap<String, BTreeSet<Status>>>;

/// Gathers what the tests saw.
pub fn seen(results: &[TestResult]) -> Seen {
    let mut out = Seen::new();
    for r in results {
        let policy = out.entry(r.policy.clone()).or_default();
        for (id, status) in &r.statuses {
            policy.entry(id.clone()).or_default().insert(*status);
        }
    }
    out
}

/// The coverage report as text: per policy, a line per control with the statuses seen and,
/// when it was not seen both passing and not passing, what is untested.
pub fn render(results: &[TestResult]) -> String {
    let mut out = String::new();
    for (policy, controls) in seen(results) {
        let tests = results.iter().filter(|r| r.policy == policy).count();
        let _ = writeln!(
            out,
            "\ncoverage of {} ({tests} test{}):",
            escape_line(&policy),
            if tests == 1 { "" } else { "s" }
        );
        let width = controls.keys().map(String::len).max().unwrap_or(0);
        let mut both = 0;
        for (id, statuses) in &controls {
            let passed = statuses.contains(&Status::Pass);
            let other = statuses.iter().any(|s| *s != Status::Pass);
            let words: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
            let flag = match (passed, other) {
                (true, true) => {
                    both += 1;
                    ""
                }
                (true, false) => "  UNTESTED: never seen failing",
                _ => "  UNTESTED: never seen passing",
            };
            let _ = writeln!(
                out,
                "  {:width$}  {}{flag}",
                escape_line(id),
                words.join(" ")
            );
        }
        let _ = writeln!(
            out,
            "  {both} of {} controls seen both passing and not passing",
            controls.len()
        );
    }
    out
}

/// Per policy, each `expect` of each control (`CONTROL at SOURCE:LINE`) never evaluated or
/// never seen false by the tests, and a vacuity warning for each control that passed in a test
/// without evaluating any `expect` (every loop empty or filtered out), from the evaluation trace of each control in each test
/// (`vouch explain`'s). Needs the tests' prepared evaluations.
pub fn expects(results: &[TestResult]) -> String {
    let mut policies: Vec<&str> = results.iter().map(|r| r.policy.as_str()).collect();
    policies.sort_unstable();
    policies.dedup();
    let mut out = String::new();
    for name in policies {
        let group: Vec<&TestResult> = results.iter().filter(|r| r.policy == name).collect();
        let Some(policy) = group
            .iter()
            .find_map(|r| r.prepared.as_ref().map(|p| &p.policy))
        else {
            continue;
        };
        let mut never_run = Vec::new();
        let mut never_false = Vec::new();
        let mut vacuous = Vec::new();
        let mut total = 0;
        for control in &policy.controls {
            let Some(module) = policy.modules.get(control.module) else {
                continue;
            };
            let Some(vouch_lang::ast::Item::Control(decl)) = module.ast.items.get(control.item)
            else {
                continue;
            };
            let mut sites = Vec::new();
            super::mutants::collect(&decl.body, &mut sites);
            let lines: BTreeSet<usize> = sites
                .into_iter()
                .filter(|(k, _)| *k == super::mutants::Kind::NegateExpect)
                .map(|(_, span)| super::mutants::line_of(module.source.text(), span))
                .collect();
            let places: Vec<String> = lines
                .into_iter()
                .map(|line| format!("{}:{line}", module.source.name()))
                .collect();
            if places.is_empty() {
                continue;
            }
            let mut traces: Vec<String> = Vec::new();
            for r in &group {
                let Some(p) = r.prepared.as_ref() else {
                    continue;
                };
                let Some(t) = vouch_engine::explain(&p.policy, &p.graph, &p.options, &control.id)
                else {
                    continue;
                };
                let text = t
                    .lines
                    .iter()
                    .map(|l| l.text.as_str())
                    .collect::<Vec<_>>()
                    .join("\n");
                let passed = r
                    .statuses
                    .iter()
                    .any(|(id, s)| id == &control.id && *s == Status::Pass);
                if passed && !text.contains("]: holds") {
                    vacuous.push(format!("{} in {}", control.id, r.spec.source.name()));
                }
                traces.push(text);
            }
            for place in places {
                total += 1;
                let holds = format!("[{place}]: holds");
                let fails = format!("[{place}]: fails");
                let seen_false = traces.iter().any(|t| t.contains(&fails));
                let seen = seen_false || traces.iter().any(|t| t.contains(&holds));
                let at = format!("{} at {place}", control.id);
                if !seen {
                    never_run.push(at);
                } else if !seen_false {
                    never_false.push(at);
                }
            }
        }
        let _ = writeln!(
            out,
            "\nexpects of {}: {total}, {} never evaluated, {} never seen false",
            escape_line(name),
            never_run.len(),
            never_false.len()
        );
        for at in never_run {
            let _ = writeln!(out, "  never evaluated: {}", escape_line(&at));
        }
        for at in never_false {
            let _ = writeln!(out, "  never seen false: {}", escape_line(&at));
        }
        for at in vacuous {
            let _ = writeln!(
                out,
                "  warning: {} passed without evaluating any `expect` (vacuously: no evidence was checked)",
                escape_line(&at)
            );
        }
    }
    out
}
