//! A quantifier's `where` and condition, prepared once per run over the collection: each
//! name resolved, each value that stays the same for the whole run read once, and each field
//! of the element found by position, so an element costs a few comparisons rather than a
//! walk of the expression tree.
//!
//! Only conditions built from `and`, `or`, `not`, parentheses and comparisons (`==`, `!=`,
//! `<`, `<=`, `>`, `>=`, `in`, `not in`) of names, fields of names and literals are prepared;
//! any other condition, and any element that is neither a record nor `none`, is evaluated
//! as before. Prepared or not, a condition gives the same value, the same error, the same
//! citations and takes a step for each node it visits (the budget stays a bound on work).

use std::cell::Cell;
use std::sync::Arc;

use vouch_lang::Span;
use vouch_lang::ast::{BinaryOp, Expr, ExprKind, QuantKind, Quantifier, UnaryOp};

use super::in_place::{plain_text, scalar_literal};
use super::{EvalError, Interp, NO_VALUE, address, is_none_literal, same_name};
use crate::eval::ops;
use crate::eval::value::{Record, Value};

/// A quantifier's `where` and condition, prepared for one run.
pub(super) struct Prepared<'a> {
    filter: Option<Cond<'a>>,
    body: Option<Cond<'a>>,
    /// Whether the conditions read fields of the element (which must then be a record, or
    /// `none`).
    reads_fields: bool,
}

/// A prepared condition.
enum Cond<'a> {
    /// `a and b`, `a or b`.
    Logic {
        or: bool,
        lhs: Box<Cond<'a>>,
        rhs: Box<Cond<'a>>,
        span: Span,
    },
    /// `not a`.
    Not { operand: Box<Cond<'a>>, span: Span },
    /// `(a)`.
    Paren(Box<Cond<'a>>, Span),
    /// A comparison.
    Compare {
        op: BinaryOp,
        /// One side is the literal `none`: `==` and `!=` test presence.
        presence: bool,
        lhs: Operand<'a>,
        rhs: Operand<'a>,
        span: Span,
    },
    /// An operand used as a condition (`s.verified`).
    Value { operand: Operand<'a>, span: Span },
}

/// An operand of a prepared comparison.
enum Operand<'a> {
    /// The element.
    Element,
    /// A field of the element, with the position it was last found at.
    Field { name: &'a str, hint: Cell<usize> },
    /// A value that stays the same for the whole run: a literal, a param, a name bound
    /// outside the quantifier or a field of one (with the record it was read from, cited when
    /// it is compared), and the steps evaluating it would take.
    Fixed {
        value: Value,
        record: Option<Arc<Record>>,
        steps: u8,
        span: Span,
        /// Whether its record was cited in this run (a run is part of one expectation, so
        /// once is enough).
        cited: Cell<bool>,
    },
}

/// Whether the element being judged was cited yet.
type ElementCited = bool;

impl<'a> Interp<'a> {
    /// `q`'s `where` and condition prepared for a run in the current scope (before its
    /// variable is bound); `None` when either cannot be.
    pub(super) fn prepare(&mut self, q: &'a Quantifier) -> Option<Prepared<'a>> {
        let var = q.var.name.as_str();
        let mut reads_fields = false;
        let mut prepare = |interp: &mut Self, e: &'a Option<Expr>| match e {
            Some(e) => interp.cond(var, e, &mut reads_fields).map(Some),
            None => Some(None),
        };
        let filter = prepare(self, &q.filter)?;
        let body = prepare(self, &q.body)?;
        Some(Prepared {
            filter,
            body,
            reads_fields,
        })
    }

    fn cond(&mut self, var: &str, e: &'a Expr, fields: &mut bool) -> Option<Cond<'a>> {
        if self.is_captured(e) {
            return None;
        }
        Some(match &e.kind {
            ExprKind::Paren(inner) => Cond::Paren(Box::new(self.cond(var, inner, fields)?), e.span),
            // `not x` of a value says "`not` needs a bool" where `x` is not one: evaluated as
            // written.
            ExprKind::Unary {
                op: UnaryOp::Not,
                operand,
            } if !is_value(operand) => Cond::Not {
                operand: Box::new(self.cond(var, operand, fields)?),
                span: e.span,
            },
            ExprKind::Binary { op, lhs, rhs } => match op {
                BinaryOp::And | BinaryOp::Or => Cond::Logic {
                    or: *op == BinaryOp::Or,
                    lhs: Box::new(self.cond(var, lhs, fields)?),
                    rhs: Box::new(self.cond(var, rhs, fields)?),
                    span: e.span,
                },
                BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge
                | BinaryOp::In
                | BinaryOp::NotIn => Cond::Compare {
                    op: *op,
                    presence: matches!(op, BinaryOp::Eq | BinaryOp::Ne)
                        && (is_none_literal(lhs) || is_none_literal(rhs)),
                    lhs: self.operand(var, lhs, fields)?,
                    rhs: self.operand(var, rhs, fields)?,
                    span: e.span,
                },
                _ => return None,
            },
            ExprKind::Name(_) | ExprKind::Member { .. } | ExprKind::Bool(_) => Cond::Value {
                operand: self.operand(var, e, fields)?,
                span: e.span,
            },
            _ => return None,
        })
    }

    fn operand(&mut self, var: &str, e: &'a Expr, fields: &mut bool) -> Option<Operand<'a>> {
        if self.is_captured(e) {
            return None;
        }
        let fixed = |value: Value, record: Option<Arc<Record>>, steps: u8| Operand::Fixed {
            value,
            record,
            steps,
            span: e.span,
            cited: Cell::new(false),
        };
        if let Some(value) = scalar_literal(e) {
            return Some(fixed(value, None, 0));
        }
        if let Some(text) = plain_text(e) {
            return Some(fixed(Value::str(text), None, 0));
        }
        match &e.kind {
            ExprKind::Name(id) if same_name(&id.name, var) => Some(Operand::Element),
            ExprKind::Name(id) => match self.bound(&id.name) {
                Some(value) => Some(fixed(value.clone(), None, 0)),
                None => Some(fixed(self.name(&id.name, e.span).ok()?, None, 1)),
            },
            ExprKind::Member { base, field } => {
                let ExprKind::Name(id) = &base.kind else {
                    return None;
                };
                if same_name(&id.name, var) {
                    *fields = true;
                    return Some(Operand::Field {
                        name: &field.name,
                        hint: Cell::new(0),
                    });
                }
                let (base, steps) = match self.bound(&id.name) {
                    Some(value) => (value.clone(), 0),
                    None => (self.name(&id.name, base.span).ok()?, 2),
                };
                match base {
                    Value::Record(r) => {
                        let value = r.field(&field.name).cloned().unwrap_or(Value::None);
                        Some(fixed(value, Some(r), steps))
                    }
                    Value::None => Some(fixed(Value::None, None, steps.max(1))),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The value `name` is bound to in scope.
    fn bound(&self, name: &str) -> Option<&Value> {
        self.scope
            .iter()
            .rev()
            .find(|(n, _)| same_name(n, name))
            .map(|(_, b)| b.value())
    }

    /// Whether `expr`'s value is being kept (then it is evaluated as it is written).
    fn is_captured(&self, expr: &Expr) -> bool {
        let key = address(expr);
        self.captured.iter().any(|(k, _)| *k == key)
    }
}

impl<'a> Prepared<'a> {
    /// Whether `item` can be judged by the prepared conditions (an element that is neither
    /// a record nor `none`, whose fields are read, is evaluated as written, for its error).
    pub fn accepts(&self, item: &Value) -> bool {
        !self.reads_fields || matches!(item, Value::Record(_) | Value::None)
    }

    /// One element, as [`Interp::quantified`] judges it.
    pub fn quantified(
        &self,
        interp: &mut Interp<'a>,
        kind: QuantKind,
        item: &Value,
    ) -> Result<Option<bool>, EvalError> {
        let cited = &mut false;
        if let Some(filter) = &self.filter {
            match filter.test(interp, item, cited)? {
                Some(true) => {}
                Some(false) => return Ok(Some(kind == QuantKind::All)),
                None => return Ok(None),
            }
        }
        match &self.body {
            Some(body) => body.test(interp, item, cited),
            None => Ok(Some(true)),
        }
    }
}

impl<'a> Cond<'a> {
    /// The condition's value for `item`: as [`Interp::condition`] gives it.
    fn test(
        &self,
        interp: &mut Interp<'a>,
        item: &Value,
        cited: &mut ElementCited,
    ) -> Result<Option<bool>, EvalError> {
        match self {
            Cond::Logic { or, lhs, rhs, span } => {
                interp.step(*span)?;
                let stop = *or;
                let a = lhs.test(interp, item, cited)?;
                if a == Some(stop) {
                    return Ok(Some(stop));
                }
                Ok(match (a, rhs.test(interp, item, cited)?) {
                    (_, Some(x)) if x == stop => Some(stop),
                    (Some(_), Some(_)) => Some(!stop),
                    _ => None,
                })
            }
            Cond::Not { operand, span } => {
                interp.step(*span)?;
                Ok(operand.test(interp, item, cited)?.map(|b| !b))
            }
            Cond::Paren(inner, span) => {
                interp.step(*span)?;
                inner.test(interp, item, cited)
            }
            Cond::Compare {
                op,
                presence,
                lhs,
                rhs,
                span,
            } => {
                interp.step(*span)?;
                let a = lhs.read(interp, item, cited)?;
                let b = rhs.read(interp, item, cited)?;
                if let BinaryOp::Eq | BinaryOp::Ne = op {
                    // As `ops::equality`, without making the value.
                    let same = if *presence {
                        Some(a.equals(b))
                    } else {
                        a.known_equals(b)
                    };
                    return Ok(same.map(|same| same == (*op == BinaryOp::Eq)));
                }
                let value = ops::binary(*op, a, b).map_err(|m| interp.fail(*span, m))?;
                as_condition(interp, value, *span)
            }
            Cond::Value { operand, span } => {
                interp.step(*span)?;
                let value = operand.read(interp, item, cited)?.clone();
                as_condition(interp, value, *span)
            }
        }
    }
}

impl Operand<'_> {
    /// The operand's value for `item`, citing the record it is read from.
    #[inline]
    fn read<'v>(
        &'v self,
        interp: &mut Interp<'_>,
        item: &'v Value,
        element_cited: &mut ElementCited,
    ) -> Result<&'v Value, EvalError> {
        match self {
            Operand::Element => Ok(item),
            Operand::Field { name, hint } => match item {
                Value::Record(r) => {
                    if !*element_cited && let Some(cite) = &mut interp.cite {
                        cite.record(r, &mut interp.citations);
                        *element_cited = true;
                    }
                    Ok(r.field_hinted(name, hint).unwrap_or(&NO_VALUE))
                }
                _ => Ok(&NO_VALUE),
            },
            Operand::Fixed {
                value,
                record,
                steps,
                span,
                cited,
            } => {
                for _ in 0..*steps {
                    interp.step(*span)?;
                }
                if !cited.get()
                    && let (Some(cite), Some(r)) = (&mut interp.cite, record)
                {
                    cite.record(r, &mut interp.citations);
                    cited.set(true);
                }
                Ok(value)
            }
        }
    }
}

/// Whether `e` is a value rather than a condition (through parentheses).
fn is_value(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Paren(inner) => is_value(inner),
        ExprKind::Name(_) | ExprKind::Member { .. } | ExprKind::Bool(_) => true,
        _ => false,
    }
}

/// A comparison's or an operand's value as a condition.
fn as_condition(interp: &Interp<'_>, value: Value, span: Span) -> Result<Option<bool>, EvalError> {
    match value {
        Value::Bool(b) => Ok(Some(b)),
        Value::None => Ok(None),
        other => Err(interp.fail(
            span,
            format!("a condition must be a bool, found `{}`", other.type_name()),
        )),
    }
}
