//! `vouch test --coverage`: for each policy the tests evaluate, which statuses each of its
//! controls was seen with. A control only ever seen passing is untested (no test shows it can
//! fail); one never seen passing has no test showing it can pass.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use vouch_engine::Step;
use vouch_engine::report::Status;
use vouch_engine::terminal::escape_line;
use vouch_lang::ast::Stmt;

use super::TestResult;
use super::mutants::Kind;

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

/// What the tests saw of one kind of site (`expect` or `where`) of a policy.
#[derive(Default)]
struct Sites {
    total: usize,
    /// `CONTROL at SOURCE:LINE` of each site no test reached.
    never_run: Vec<String>,
    /// Of each site never seen false (an `expect` that always held, a `where` that never left
    /// an element out).
    never_false: Vec<String>,
}

impl Sites {
    /// Counts a site, given whether a test reached it and whether one saw it false.
    fn add(&mut self, at: String, seen: bool, seen_false: bool) {
        self.total += 1;
        if !seen {
            self.never_run.push(at);
        } else if !seen_false {
            self.never_false.push(at);
        }
    }

    fn render(&self, out: &mut String, what: &str, policy: &str) {
        let _ = writeln!(
            out,
            "\n{what} of {}: {}, {} never evaluated, {} never seen false",
            escape_line(policy),
            self.total,
            self.never_run.len(),
            self.never_false.len()
        );
        for at in &self.never_run {
            let _ = writeln!(out, "  never evaluated: {}", escape_line(at));
        }
        for at in &self.never_false {
            let _ = writeln!(out, "  never seen false: {}", escape_line(at));
        }
    }
}

/// `SOURCE:LINE` of each site of `kind` in the control's body, without repeats.
fn places(module: &vouch_lang::CheckedModule, body: &[Stmt], kind: Kind) -> Vec<String> {
    let mut sites = Vec::new();
    super::mutants::collect(body, &mut sites);
    let lines: BTreeSet<usize> = sites
        .into_iter()
        .filter(|(k, _)| *k == kind)
        .map(|(_, span)| super::mutants::line_of(module.source.text(), span))
        .collect();
    lines
        .into_iter()
        .map(|line| format!("{}:{line}", module.source.name()))
        .collect()
}

/// Per policy, each `expect` of each control (`CONTROL at SOURCE:LINE`) never evaluated or
/// never seen false by the tests, a vacuity warning for each control that passed in a test
/// without evaluating any `expect` (every loop empty or filtered out), and each loop's `where`
/// never evaluated (its loop never had an element) or never seen false (it never left an
/// element out). Read from the structured steps of each control's evaluation trace in each test
/// ([`vouch_engine::Step`], `vouch explain --format json`'s). Needs the tests' prepared
/// evaluations.
pub fn sites(results: &[TestResult]) -> String {
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
        let mut expects = Sites::default();
        let mut wheres = Sites::default();
        let mut vacuous = Vec::new();
        for control in &policy.controls {
            let Some(module) = policy.modules.get(control.module) else {
                continue;
            };
            let Some(vouch_lang::ast::Item::Control(decl)) = module.ast.items.get(control.item)
            else {
                continue;
            };
            let expect_places = places(module, &decl.body, Kind::NegateExpect);
            let where_places = places(module, &decl.body, Kind::DropWhere);
            if expect_places.is_empty() && where_places.is_empty() {
                continue;
            }
            // Every step of every test's evaluation of the control.
            let mut steps: Vec<Step> = Vec::new();
            for r in &group {
                let Some(p) = r.prepared.as_ref() else {
                    continue;
                };
                let Some(t) = vouch_engine::explain(&p.policy, &p.graph, &p.options, &control.id)
                else {
                    continue;
                };
                let before = steps.len();
                steps.extend(t.lines.into_iter().filter_map(|l| l.step));
                let passed = r
                    .statuses
                    .iter()
                    .any(|(id, s)| id == &control.id && *s == Status::Pass);
                let held = steps.get(before..).unwrap_or_default().iter().any(|s| {
                    matches!(
                        s,
                        Step::Expect {
                            held: Some(true),
                            ..
                        }
                    )
                });
                if passed && !expect_places.is_empty() && !held {
                    vacuous.push(format!("{} in {}", control.id, r.spec.source.name()));
                }
            }
            for place in expect_places {
                let outcomes = steps.iter().filter_map(|s| match s {
                    Step::Expect { at, held } if *at == place => Some(*held),
                    _ => None,
                });
                // An unknown condition fails: it counts as false.
                let (seen, seen_false) = fold(outcomes, |held| held != Some(true));
                expects.add(format!("{} at {place}", control.id), seen, seen_false);
            }
            for place in where_places {
                let outcomes = steps.iter().filter_map(|s| match s {
                    Step::Where { at, kept } if *at == place => Some(*kept),
                    _ => None,
                });
                // An unknown `where` fails the element rather than leaving it out.
                let (seen, seen_false) = fold(outcomes, |kept| kept == Some(false));
                wheres.add(format!("{} at {place}", control.id), seen, seen_false);
            }
        }
        expects.render(&mut out, "expects", name);
        for at in vacuous {
            let _ = writeln!(
                out,
                "  warning: {} passed without evaluating any `expect` (vacuously: no evidence was checked)",
                escape_line(&at)
            );
        }
        if wheres.total > 0 {
            wheres.render(&mut out, "`where` filters", name);
        }
    }
    out
}

/// Whether any outcome was seen, and whether any was `is_false`.
fn fold(
    outcomes: impl Iterator<Item = Option<bool>>,
    is_false: fn(Option<bool>) -> bool,
) -> (bool, bool) {
    outcomes.fold((false, false), |(_, seen_false), o| {
        (true, seen_false || is_false(o))
    })
}
