//! Comparisons read in place: `x.field OP value`, `a.x == b.y` and `x.field == "text"` on
//! names bound in scope compare the bound values where they are, without copying them.
//!
//! These are the evaluator's hottest paths (a loop body compares fields of its variable), so
//! they also serve while an expectation is examined again for its citations: each record read
//! in place is cited as [`Interp::eval`] would cite it, and a finding's evidence is the same
//! either way.

use std::sync::Arc;

use vouch_lang::ast::{Expr, ExprKind, TemplatePart};

use super::{Bound, EvalError, Interp, same_name};
use crate::eval::cite::{CitationIndex, Cited};
use crate::eval::value::{Record, Value};

/// A value bound in scope, or a field of a record bound in scope, with that record.
struct InPlace<'v> {
    value: &'v Value,
    record: Option<&'v Arc<Record>>,
}

/// The value `expr` names in `scope` when it is a bound name or a field of a bound record.
fn read<'v>(scope: &'v [(&str, Bound)], expr: &Expr) -> Option<InPlace<'v>> {
    let bound = |name: &str| {
        scope
            .iter()
            .rev()
            .find(|(n, _)| same_name(n, name))
            .map(|(_, v)| v.value())
    };
    match &expr.kind {
        ExprKind::Name(id) => Some(InPlace {
            value: bound(&id.name)?,
            record: None,
        }),
        ExprKind::Member { base, field } => match &base.kind {
            ExprKind::Name(id) => match bound(&id.name)? {
                Value::Record(r) => Some(InPlace {
                    value: r.field(&field.name)?,
                    record: Some(r),
                }),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// Cites the record a value was read from, when citations are being collected.
#[inline]
fn cite(cite: &mut Option<Cited>, citations: &mut CitationIndex, read: &InPlace<'_>) {
    if let (Some(cite), Some(r)) = (cite.as_mut(), read.record) {
        cite.record(r, citations);
    }
}

impl<'a> Interp<'a> {
    /// Applies `f` to the operands, reading in place each that is a bound name or a field of a
    /// bound record (the common `x.field OP value` in loops). `None` when neither operand is
    /// such.
    pub(super) fn compare_in_place(
        &mut self,
        lhs: &'a Expr,
        rhs: &'a Expr,
        f: impl Fn(&Value, &Value) -> Result<Value, String>,
    ) -> Result<Option<Result<Value, String>>, EvalError> {
        let (left, right) = {
            let Interp {
                scope,
                cite: citing,
                citations,
                ..
            } = &mut *self;
            match (read(scope, lhs), read(scope, rhs)) {
                // Both read in place (`a.x == b.y`): the commonest comparison in a nested loop.
                (Some(a), Some(b)) => {
                    cite(citing, citations, &a);
                    cite(citing, citations, &b);
                    return Ok(Some(f(a.value, b.value)));
                }
                (a, b) => (a.is_some(), b.is_some()),
            }
        };
        // The other operand, when it is not read in place: a literal needs no interpreter.
        let other = match (left, right) {
            (true, false) => match scalar_literal(rhs) {
                Some(v) => v,
                None => self.eval(rhs)?,
            },
            (false, true) => match scalar_literal(lhs) {
                Some(v) => v,
                None => self.eval(lhs)?,
            },
            _ => return Ok(None),
        };
        let Interp {
            scope,
            cite: citing,
            citations,
            ..
        } = self;
        let (a, b) = (read(scope, lhs), read(scope, rhs));
        for r in [&a, &b].into_iter().flatten() {
            cite(citing, citations, r);
        }
        Ok(match (a, b) {
            (Some(a), None) => Some(f(a.value, &other)),
            (None, Some(b)) => Some(f(&other, b.value)),
            _ => None,
        })
    }

    /// `x.field == "text"` (either way round) without making either value: whether a bound
    /// string equals a plain string literal, `Some(None)` when the bound value is `none`
    /// (unknown). `None` when the operands are not of that shape.
    pub(super) fn equals_text_in_place(&mut self, lhs: &Expr, rhs: &Expr) -> Option<Option<bool>> {
        let (bound, text) = match (plain_text(lhs), plain_text(rhs)) {
            (None, Some(text)) => (lhs, text),
            (Some(text), None) => (rhs, text),
            _ => return None,
        };
        let Interp {
            scope,
            cite: citing,
            citations,
            ..
        } = self;
        let read = read(scope, bound)?;
        let same = match read.value {
            Value::Str(s) => Some(s.as_ref() == text),
            Value::None => None,
            _ => return None,
        };
        cite(citing, citations, &read);
        Some(same)
    }
}

/// The value of a scalar literal (`0`, `true`, `none`, a date), made as [`Interp::eval`]
/// makes it; `None` for any other expression.
pub(super) fn scalar_literal(expr: &Expr) -> Option<Value> {
    Some(match &expr.kind {
        ExprKind::Bool(b) => Value::Bool(*b),
        ExprKind::Int(i) => Value::Int(*i),
        ExprKind::Number(n) => Value::Number(*n),
        ExprKind::Date(d) => Value::Date(*d),
        ExprKind::DateTime(t) => Value::DateTime(*t),
        ExprKind::None => Value::None,
        _ => return None,
    })
}

/// The text of a string literal without interpolation, borrowed.
pub(super) fn plain_text(expr: &Expr) -> Option<&str> {
    match &expr.kind {
        ExprKind::Str(t) => match t.parts.as_slice() {
            [] => Some(""),
            [TemplatePart::Text(text)] => Some(text),
            _ => None,
        },
        _ => None,
    }
}
