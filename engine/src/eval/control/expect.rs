//! Examining an `expect`: without citations first, and again citing every record it reads
//! when it fails; the operands a finding shows, and the default message.
//!
//! An expectation that has failed once in a control is examined citing from the start, once
//! instead of twice: a loop's expectation tends to fail for many elements (each pair of
//! duplicate files, each unsigned artifact), and examining each twice doubled the cost of the
//! controls that fail most.

use vouch_lang::ast::{ExpectStmt, Expr, ExprKind};

use super::Runner;
use crate::eval::cite::Cited;
use crate::eval::interp::{EvalError, is_none_literal};
use crate::eval::value::Value;

impl<'a> Runner<'a> {
    pub(super) fn expect(&mut self, e: &'a ExpectStmt) -> Result<(), EvalError> {
        if !self.tracing() {
            // Examined without citations first; again, citing what it reads, only when it
            // fails (and, once it has failed, citing from the start).
            if !self.failed.contains(&address(e)) {
                if self.held_collecting(e)? == Some(true) {
                    return Ok(());
                }
                self.failed.push(address(e));
            }
            return self.expect_citing(e);
        }
        let holds = self.held_collecting(e)?;
        let cond_text = vouch_lang::one_line(self.interp.text(e.cond.span));
        // Traced, the operands are shown before the condition is examined again.
        let operands = self.operand_values(&e.cond);
        let place = self.place(e.span);
        let verdict = match holds {
            Some(true) => "holds",
            Some(false) => "fails",
            None => "fails (the condition is none)",
        };
        self.note_step(
            || {
                Some(crate::eval::trace::Step::Expect {
                    at: place.clone(),
                    held: holds,
                })
            },
            || format!("expect {cond_text}  [{place}]: {verdict}"),
        );
        self.depth += 1;
        for o in &operands {
            self.note(|| format!("{} = {}", o.text, o.value));
        }
        self.depth -= 1;
        if holds == Some(true) {
            let lines = self.step_reads(e);
            if let Some(trace) = &mut self.trace {
                trace.extend(lines);
            }
            return Ok(());
        }
        self.interp.cite = Some(Cited::start(&mut self.interp.citations));
        let replay = self.interp.condition(&e.cond);
        self.conclude(e, holds, replay, operands, cond_text, place)
    }

    /// Examines an expectation while citing every record it reads, and records its finding
    /// when it does not hold. An expectation that failed once in this control is examined
    /// this way from then on, once instead of twice (a loop's expectation tends to fail for
    /// many elements); for one that has not, this is the replay that collects the citations.
    fn expect_citing(&mut self, e: &'a ExpectStmt) -> Result<(), EvalError> {
        self.interp.cite = Some(Cited::start(&mut self.interp.citations));
        let mut exprs = Vec::new();
        self::operands(&e.cond, &mut exprs);
        let exprs: Vec<&Expr> = exprs.into_iter().map(|(e, _)| e).collect();
        self.interp.capture(&exprs);
        let replay = self.interp.condition(&e.cond);
        let holds = match &replay {
            Ok(Some(true)) => {
                self.interp.cite = None;
                self.interp.capture(&[]);
                return Ok(());
            }
            Ok(h) => *h,
            Err(_) => None,
        };
        // Operands the replay did not reach are evaluated without citing what they read.
        let cite = self.interp.cite.take();
        let operands = self.operand_values(&e.cond);
        self.interp.cite = cite;
        let cond_text = vouch_lang::one_line(self.interp.text(e.cond.span));
        let place = self.place(e.span);
        self.conclude(e, holds, replay, operands, cond_text, place)
    }

    /// Records the finding of an expectation that does not hold (`holds` is `Some(false)` or
    /// unknown), once `replay` has examined it again citing what it read.
    fn conclude(
        &mut self,
        e: &'a ExpectStmt,
        holds: Option<bool>,
        replay: Result<Option<bool>, EvalError>,
        operands: Vec<Operand>,
        cond_text: std::borrow::Cow<'a, str>,
        place: String,
    ) -> Result<(), EvalError> {
        let message = match &e.message {
            // Unknown: the author's message, and what is missing.
            Some(t) if holds.is_none() => self.interp.interpolate(t).map(|m| {
                let missing = missing(&operands).unwrap_or_else(|| "the condition is none".into());
                format!("{m} (cannot tell: {missing})")
            }),
            Some(t) => self.interp.interpolate(t),
            None => Ok(default_message(&cond_text, holds, &operands)),
        };
        let read = self.interp.cite.take();
        replay?;
        let message = message?;
        self.depth += 1;
        self.note(|| format!("message: {message}"));
        self.depth -= 1;
        // Missing evidence: the condition is unknown (a value it needs is none), or, outside
        // any loop, it only tests that evidence exists (`expect len(X) > 0`: "no
        // vulnerability evidence"). Inside a loop such a test is a property of the element
        // ("the artifact is not listed in a checksum file"), judged like any other.
        let missing_evidence =
            holds.is_none() || (self.subject().is_none() && tests_existence(&e.cond));
        self.push_finding(message, read, operands, place, missing_evidence);
        Ok(())
    }

    /// The operands a condition compares, by source text, with their values (expressions that
    /// cannot be evaluated again, and those whose value reads as their text, are left out).
    pub(super) fn operand_values(&mut self, cond: &'a Expr) -> Vec<Operand> {
        let mut exprs = Vec::new();
        operands(cond, &mut exprs);
        let mut out: Vec<Operand> = Vec::new();
        for (e, presence_only) in exprs {
            let text = vouch_lang::one_line(self.interp.text(e.span)).into_owned();
            if let Some(seen) = out.iter_mut().find(|o| o.text == text) {
                seen.presence_only &= presence_only;
                continue;
            }
            let value = match self.interp.captured(e) {
                Some(v) => Ok(v),
                None => self.interp.eval(e),
            };
            if let Ok(value) = value {
                // A constant name (`not_affected`, `critical`) says nothing about the evidence.
                if value.to_string() != text {
                    out.push(Operand {
                        text,
                        value,
                        presence_only,
                    });
                }
            }
        }
        self.interp.capture(&[]);
        out
    }
}

/// An operand of a condition, as findings show it.
pub(super) struct Operand {
    /// Its source text.
    text: String,
    /// Its value.
    value: Value,
    /// Only compared with `none` (`x == none`): its being `none` cannot make the condition
    /// unknown.
    presence_only: bool,
}

impl Operand {
    /// Whether it is `none` where that makes the condition unknown.
    fn is_missing(&self) -> bool {
        self.value.is_none() && !self.presence_only
    }
}

/// Operands as a finding's values: source text to the value as shown.
pub(super) fn shown(operands: Vec<Operand>) -> impl Iterator<Item = (String, String)> {
    operands.into_iter().map(|o| (o.text, o.value.to_string()))
}

/// "`a` is none", "`a` and `b` are none", ...: the operands whose `none` makes the condition
/// unknown; `None` when no operand is such.
pub(super) fn missing(operands: &[Operand]) -> Option<String> {
    let names: Vec<String> = operands
        .iter()
        .filter(|o| o.is_missing())
        .map(|o| format!("`{}`", o.text))
        .collect();
    match names.as_slice() {
        [] => None,
        [one] => Some(format!("{one} is none")),
        [init @ .., last] => Some(format!("{} and {last} are none", init.join(", "))),
    }
}

/// The sub-expressions worth showing for a condition: the operands of its comparisons and
/// arithmetic, through `and`, `or`, `not` and parentheses; literals are left out. Each comes
/// with whether it is only tested for presence (`x == none`, `x != none`).
fn operands<'a>(e: &'a Expr, out: &mut Vec<(&'a Expr, bool)>) {
    match &e.kind {
        ExprKind::Paren(inner) => operands(inner, out),
        ExprKind::Unary { operand, .. } => operands(operand, out),
        ExprKind::Binary { op, lhs, rhs } => {
            use vouch_lang::ast::BinaryOp::{And, Eq, Ne, Or};
            if matches!(op, And | Or) {
                operands(lhs, out);
                operands(rhs, out);
            } else {
                let presence =
                    matches!(op, Eq | Ne) && (is_none_literal(lhs) || is_none_literal(rhs));
                for side in [lhs, rhs] {
                    if !side.is_literal() {
                        out.push((side, presence));
                    }
                }
            }
        }
        ExprKind::Quantifier(q) => {
            out.push((e, false));
            out.push((&q.iter, false));
        }
        _ if !e.is_literal() => out.push((e, false)),
        _ => {}
    }
}

fn default_message(cond: &str, holds: Option<bool>, operands: &[Operand]) -> String {
    if holds.is_some() {
        return format!("expected {cond}");
    }
    match operands.iter().find(|o| o.is_missing()) {
        Some(o) => format!("expected {cond}, but {} is none", o.text),
        None => format!("expected {cond}, but it is none"),
    }
}

/// The address of an expectation, which identifies it while the policy is alive.
pub(super) fn address(e: &ExpectStmt) -> usize {
    std::ptr::from_ref(e) as usize
}
/// Whether a condition only tests that evidence exists (at the top of a control): `len(X) > 0` (or `>= 1`, `!= 0`,
/// either way round), `count(...) > 0`, `X != none`, or a conjunction with such a test. Its
/// finding says evidence is missing ("no vulnerability evidence"), which a waiver may accept
/// only where the authority permits waiving missing evidence; erring towards "missing" only
/// makes a waiver need that permission.
fn tests_existence(cond: &Expr) -> bool {
    use vouch_lang::ast::{BinaryOp, QuantKind};
    let size = |e: &Expr| match &e.kind {
        ExprKind::Call { func, .. } => func.name == "len",
        ExprKind::Quantifier(q) => q.kind == QuantKind::Count,
        _ => false,
    };
    let int = |e: &Expr| match e.kind {
        ExprKind::Int(n) => Some(n),
        _ => None,
    };
    match &cond.kind {
        ExprKind::Paren(inner) => tests_existence(inner),
        ExprKind::Binary { op, lhs, rhs } => match op {
            BinaryOp::And => tests_existence(lhs) || tests_existence(rhs),
            BinaryOp::Ne if is_none_literal(lhs) || is_none_literal(rhs) => true,
            BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Ne if size(lhs) => {
                matches!(
                    (op, int(rhs)),
                    (BinaryOp::Gt | BinaryOp::Ne, Some(0)) | (BinaryOp::Ge, Some(1))
                )
            }
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Ne if size(rhs) => {
                matches!(
                    (op, int(lhs)),
                    (BinaryOp::Lt | BinaryOp::Ne, Some(0)) | (BinaryOp::Le, Some(1))
                )
            }
            _ => false,
        },
        _ => false,
    }
}
