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
