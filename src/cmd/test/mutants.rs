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
    /// A number in a param's value (default or override) one higher: `48h` becomes `49h`.
    ShiftUp,
    /// A number in a param's value one lower (when it stays above zero).
    ShiftDown,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::NegateExpect => "negate the `expect`",
            Kind::DropWhere => "drop the `where`",
            Kind::FlipWhenEmpty => "flip the `when empty`",
            Kind::ShiftUp => "shift the number up by one",
            Kind::ShiftDown => "shift the number down by one",
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
    /// For a param mutant: the module, the param, and which of its values (0 the default,
    /// then each override in order).
    pub param: Option<(usize, String, usize)>,
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
                param: None,
            });
            *nth += 1;
        }
    }
    all.extend(param_mutants(policy));
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

/// The 1-based line of `span` in `text`.
pub(crate) fn line_of(text: &str, span: Span) -> usize {
    text.get(..span.start)
        .map_or(0, |before| before.bytes().filter(|b| *b == b'\n').count())
        + 1
}

/// The mutation sites of a control body, in source order.
pub(crate) fn collect(body: &[Stmt], out: &mut Vec<(Kind, Span)>) {
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

/// A mutant per number in every param's default and overrides, up and (above 1) down.
fn param_mutants(policy: &CheckedPolicy) -> Vec<Mutant> {
    let mut out = Vec::new();
    for (index, module) in policy.modules.iter().enumerate() {
        for (name, binding) in &module.params {
            let values = std::iter::once((&binding.value, &binding.value_source))
                .chain(binding.overrides.iter().map(|o| (&o.value, &o.source)));
            for (which, (value, source)) in values.enumerate() {
                let mut numbers = Vec::new();
                numbers_in(value, &mut numbers);
                for (nth, (amount, span)) in numbers.into_iter().enumerate() {
                    let line = line_of(source.text(), span);
                    let mut kinds = vec![Kind::ShiftUp];
                    if amount > 1 {
                        kinds.push(Kind::ShiftDown);
                    }
                    for kind in kinds {
                        out.push(Mutant {
                            control: format!("param {name} of {}", module.source.name()),
                            kind,
                            nth,
                            place: format!(
                                "{}:{line} (`{}`)",
                                source.name(),
                                source.text().get(span.start..span.end).unwrap_or("?")
                            ),
                            line,
                            killed: false,
                            param: Some((index, name.clone(), which)),
                        });
                    }
                }
            }
        }
    }
    out
}

/// The integer and duration literals in `expr`, in source order (a number's amount, rounded
/// down for a non-integer).
fn numbers_in(expr: &Expr, out: &mut Vec<(i64, Span)>) {
    match &expr.kind {
        ExprKind::Int(n) => out.push((*n, expr.span)),
        ExprKind::Duration(d) => out.push((d.amount, expr.span)),
        ExprKind::List(items) => items.iter().for_each(|e| numbers_in(e, out)),
        ExprKind::Table(entries) => entries.iter().for_each(|e| numbers_in(&e.value, out)),
        ExprKind::Paren(e) | ExprKind::Unary { operand: e, .. } => numbers_in(e, out),
        _ => {}
    }
}

/// Shifts the `left`-th number of `expr` by `by`; whether it was found.
fn shift(expr: &mut Expr, by: i64, left: &mut usize) -> bool {
    match &mut expr.kind {
        ExprKind::Int(n) => {
            if *left == 0 {
                *n = n.saturating_add(by);
                return true;
            }
            *left -= 1;
            false
        }
        ExprKind::Duration(d) => {
            if *left == 0 {
                d.amount = d.amount.saturating_add(by);
                return true;
            }
            *left -= 1;
            false
        }
        ExprKind::List(items) => items.iter_mut().any(|e| shift(e, by, left)),
        ExprKind::Table(entries) => entries.iter_mut().any(|e| shift(&mut e.value, by, left)),
        ExprKind::Paren(e) | ExprKind::Unary { operand: e, .. } => shift(e, by, left),
        _ => false,
    }
}

/// A copy of `policy` with the mutant's change; `None` when its control cannot be found.
fn mutate(policy: &CheckedPolicy, m: &Mutant) -> Option<CheckedPolicy> {
    let mut copy = policy.clone();
    if let Some((module, name, which)) = &m.param {
        let binding = copy.modules.get_mut(*module)?.params.get_mut(name)?;
        let value = match which.checked_sub(1) {
            None => &mut binding.value,
            Some(i) => &mut binding.overrides.get_mut(i)?.value,
        };
        let by = if m.kind == Kind::ShiftUp { 1 } else { -1 };
        let mut left = m.nth;
        return shift(value, by, &mut left).then_some(copy);
    }
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
