//! `vouch test --mutants`: mutation testing of a policy. Each control is changed in one place
//! at a time — each `expect` negated, each `where` dropped, each `for`'s `when empty` flipped
//! (an absent one is `fail`: it becomes `pass`; `pass` and `not_applicable` become `fail`) —
//! and the tests of its policy are evaluated against the mutant. A mutant is killed when some
//! expectation of some test no longer holds; one that survives is a change to the policy no
//! test would notice. The mutation score is killed / all.
//!
//! The policy is parsed and checked once and each test's bundle ingested once (by the run);
//! mutants are changed copies of the checked policy's syntax tree, evaluated in parallel.

use std::fmt::Write as _;

use rayon::prelude::*;
use vouch_engine::report::Report;
use vouch_lang::CheckedPolicy;
use vouch_lang::Span;
use vouch_lang::ast::{EmptyOutcome, Expr, ExprKind, Item, Stmt, UnaryOp, WhenEmpty};

use super::spec::TestSpec;

/// How a mutant changes its control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// `expect C` becomes `expect not (C)`.
    NegateExpect,
    /// `for x in xs where F` becomes `for x in xs`.
    DropWhere,
    /// `when empty` flipped between failing and passing.
    FlipWhenEmpty,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::NegateExpect => "negate the `expect`",
            Kind::DropWhere => "drop the `where`",
            Kind::FlipWhenEmpty => "flip the `when empty`",
        }
    }
}

/// One mutant: which control, what change, where, and whether a test killed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mutant {
    /// The control changed.
    pub control: String,
    /// The change.
    pub kind: Kind,
    /// Which site of that kind in the control (in source order).
    pub nth: usize,
    /// `SOURCE:LINE` of the site.
    pub place: String,
    /// The line of the site.
    pub line: usize,
    /// Whether some test's expectation no longer held.
    pub killed: bool,
}

/// A test ready to re-evaluate: its file, and what its evaluation needs besides the policy.
pub struct Prepared<'a> {
    /// The test file.
    pub spec: &'a TestSpec,
    /// Its bundle's evidence graph.
    pub graph: &'a vouch_engine::EvidenceGraph,
    /// Its options.
    pub options: &'a vouch_engine::EvaluationOptions,
}

/// Every mutant of `policy`, evaluated against `tests` (each of which passes on the policy
/// unchanged), in control then source order.
pub fn run(policy: &CheckedPolicy, tests: &[Prepared<'_>]) -> Vec<Mutant> {
    let mut all = Vec::new();
    for control in &policy.controls {
        let Some(module) = policy.modules.get(control.module) else {
            continue;
        };
        let Some(Item::Control(decl)) = module.ast.items.get(control.item) else {
            continue;
        };
        let mut sites = Vec::new();
        collect(&decl.body, &mut sites);
        let mut counts: std::collections::BTreeMap<Kind, usize> = Default::default();
        for (kind, span) in sites {
            let nth = counts.entry(kind).or_default();
            let line = line_of(module.source.text(), span);
            all.push(Mutant {
                control: control.id.clone(),
                kind,
                nth: *nth,
                place: format!("{}:{line}", module.source.name()),
                line,
                killed: false,
            });
            *nth += 1;
        }
    }
    all.sort_by(|a, b| {
        (&a.control, a.line, a.kind, a.nth).cmp(&(&b.control, b.line, b.kind, b.nth))
    });
    all.par_iter_mut().for_each(|m| {
        let Some(mutated) = mutate(policy, m) else {
            return;
        };
        m.killed = tests.iter().any(|t| killed(&mutated, t));
    });
    all
}

fn killed(policy: &CheckedPolicy, test: &Prepared<'_>) -> bool {
    let report: Report = vouch_engine::evaluate(policy, test.graph, test.options);
    super::compare::compare(test.spec, &report)
        .iter()
        .any(|o| o.failure.is_some())
}

fn line_of(text: &str, span: Span) -> usize {
    text.get(..span.start)
        .map_or(0, |before| before.bytes().filter(|b| *b == b'\n').count())
        + 1
}

fn collect(body: &[Stmt], out: &mut Vec<(Kind, Span)>) {
    for stmt in body {
        match stmt {
            Stmt::Expect(e) => out.push((Kind::NegateExpect, e.span)),
            Stmt::For(f) => {
                if let Some(filter) = &f.filter {
                    out.push((Kind::DropWhere, filter.span));
                }
                out.push((Kind::FlipWhenEmpty, f.when_empty.map_or(f.span, |w| w.span)));
                collect(&f.body, out);
            }
            Stmt::Let(_) | Stmt::Manual(_) => {}
        }
    }
}

/// A copy of `policy` with the mutant's change; `None` when its control cannot be found.
fn mutate(policy: &CheckedPolicy, m: &Mutant) -> Option<CheckedPolicy> {
    let mut copy = policy.clone();
    let control = copy.controls.iter().find(|c| c.id == m.control)?.clone();
    let module = copy.modules.get_mut(control.module)?;
    let Some(Item::Control(decl)) = module.ast.items.get_mut(control.item) else {
        return None;
    };
    let mut left = m.nth;
    apply(&mut decl.body, m.kind, &mut left).then_some(copy)
}

fn apply(body: &mut [Stmt], kind: Kind, left: &mut usize) -> bool {
    for stmt in body {
        match stmt {
            Stmt::Expect(e) if kind == Kind::NegateExpect => {
                if *left == 0 {
                    let span = e.cond.span;
                    let cond = std::mem::replace(
                        &mut e.cond,
                        Expr {
                            kind: ExprKind::Bool(true),
                            span,
                        },
                    );
                    e.cond = Expr {
                        kind: ExprKind::Unary {
                            op: UnaryOp::Not,
                            operand: Box::new(Expr {
                                kind: ExprKind::Paren(Box::new(cond)),
                                span,
                            }),
                        },
                        span,
                    };
                    return true;
                }
                *left -= 1;
            }
            Stmt::For(f) => {
                match kind {
                    Kind::DropWhere if f.filter.is_some() => {
                        if *left == 0 {
                            f.filter = None;
                            return true;
                        }
                        *left -= 1;
                    }
                    Kind::FlipWhenEmpty => {
                        if *left == 0 {
                            let flipped = match f.when_empty.map(|w| w.outcome) {
                                None | Some(EmptyOutcome::Fail) => EmptyOutcome::Pass,
                                Some(EmptyOutcome::Pass | EmptyOutcome::NotApplicable) => {
                                    EmptyOutcome::Fail
                                }
                            };
                            f.when_empty = Some(WhenEmpty {
                                outcome: flipped,
                                span: f.when_empty.map_or(f.span, |w| w.span),
                            });
                            return true;
                        }
                        *left -= 1;
                    }
                    _ => {}
                }
                if apply(&mut f.body, kind, left) {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// The mutation report: per policy, the score and each surviving mutant.
pub fn render(policy: &str, mutants: &[Mutant]) -> String {
    let mut out = String::new();
    let killed = mutants.iter().filter(|m| m.killed).count();
    let score = if mutants.is_empty() {
        0
    } else {
        killed * 100 / mutants.len()
    };
    let _ = writeln!(
        out,
        "\nmutants of {}: {killed} of {} killed (mutation score {score}%)",
        vouch_engine::terminal::escape_line(policy),
        mutants.len()
    );
    for m in mutants.iter().filter(|m| !m.killed) {
        let _ = writeln!(
            out,
            "  survived: {}: {} at {}",
            vouch_engine::terminal::escape_line(&m.control),
            m.kind.describe(),
            vouch_engine::terminal::escape_line(&m.place)
        );
    }
    out
}
