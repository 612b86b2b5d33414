//! Evaluating expressions: names in the checker's order (local bindings, the module's
//! params, evidence roots, constants), three-valued logic, quantifiers, interpolation, and
//! the citations of every record read.
//!
//! Fail closed: an unknown (`none`) value never makes a condition true. `a == b` and `a != b`
//! are unknown when either operand is `none`, unless one of them is written `none` (`x ==
//! none`, `x != none` test presence and are always known). A string template with a `none`
//! in it is `none` as a value (messages still show the text `none`). A quantifier's element
//! whose `where` or condition is unknown is unknown: `all`, `any` and `none` are unknown
//! unless a known element decides them, and `count` is unknown.

mod in_place;
mod predicate;
mod quantifier;
mod template;

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::Timestamp;
use vouch_lang::ast::{BinaryOp, Expr, ExprKind, UnaryOp};
use vouch_lang::{Source, Span, Type};

use super::budget::{self, Budget, Exceeded, Meter};
use super::cite::{CitationIndex, Cited};
use super::duration::Duration;
use super::ops::{self, Globs};
use super::value::{EnumValue, Value};
use crate::evidence::EvidenceValues;

/// Why evaluating a control stopped: the message and where in the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    /// What went wrong.
    pub message: String,
    /// The expression it went wrong in.
    pub span: Span,
}

/// What every expression of one module can read.
#[derive(Clone, Copy)]
pub(crate) struct Env<'a> {
    pub evidence: &'a EvidenceValues,
    pub as_of: Timestamp,
    pub params: &'a BTreeMap<String, Value>,
    pub source: &'a Source,
    /// The limits of each evaluation run with this environment.
    pub budget: Budget,
}

/// A binding in scope: a value, or the element of a collection that a loop or quantifier is
/// at (bound once per loop and moved along, so no element is copied to be bound).
pub(crate) enum Bound {
    /// A `let` value.
    Value(Value),
    /// Element `.1` of the collection `.0`.
    Element(Arc<[Value]>, usize),
}

/// What an out-of-range element reads as (never the case: loops stay in range).
static NO_VALUE: Value = Value::None;

impl Bound {
    /// The bound value.
    pub fn value(&self) -> &Value {
        match self {
            Bound::Value(v) => v,
            Bound::Element(items, i) => items.get(*i).unwrap_or(&NO_VALUE),
        }
    }
}

/// An interpreter for one control: its bindings in scope and, while an expectation is
/// examined, the citations of the records it reads.
pub(crate) struct Interp<'a> {
    pub env: Env<'a>,
    pub scope: Vec<(&'a str, Bound)>,
    pub cite: Option<Cited>,
    /// Every citation the control's findings read, numbered once.
    pub citations: CitationIndex,
    /// What is left of the budget.
    pub meter: Meter,
    /// Expressions whose values are kept as they are evaluated (by address), with the value
    /// once it is: the operands of a failing expectation while it is examined again.
    captured: Vec<(usize, Option<Value>)>,
    globs: Globs,
    /// Plain string literals already made, by the address of their template (a control has a
    /// few: a short list beats hashing on every use).
    literals: Vec<(usize, Value)>,
}

impl<'a> Interp<'a> {
    pub fn new(env: Env<'a>) -> Self {
        Interp {
            env,
            scope: Vec::new(),
            cite: None,
            citations: CitationIndex::new(Arc::clone(&env.evidence.citations)),
            meter: Meter::new(env.budget),
            captured: Vec::new(),
            globs: Globs::default(),
            literals: Vec::new(),
        }
    }

    /// The source text of a span of this module.
    pub fn text(&self, span: Span) -> &'a str {
        let source: &'a Source = self.env.source;
        source.slice(span)
    }

    fn fail(&self, span: Span, message: impl Into<String>) -> EvalError {
        EvalError {
            message: message.into(),
            span,
        }
    }

    /// Takes one step of the budget (`span` is where, should it run out).
    #[inline]
    pub fn step(&mut self, span: Span) -> Result<(), EvalError> {
        self.meter.step().map_err(|e| self.stopped(span, e))
    }

    /// Takes `bytes` about to be allocated from the budget.
    #[inline]
    pub fn take_bytes(&mut self, bytes: usize, span: Span) -> Result<(), EvalError> {
        self.meter
            .take_bytes(bytes)
            .map_err(|e| self.stopped(span, e))
    }

    fn stopped(&self, span: Span, why: Exceeded) -> EvalError {
        self.fail(span, format!("evaluation stopped: {}", why.reason()))
    }

    /// Why the evaluation stopped, when it ran out of budget: `evaluation stopped at
    /// SOURCE:LINE: ...`, naming where it was when it did.
    pub fn stop_reason(&self, at: Span) -> Option<String> {
        let why = self.meter.exceeded()?;
        let source = self.env.source;
        Some(format!(
            "evaluation stopped at {}:{}: {}",
            source.name(),
            source.line_col(at.start).0,
            why.reason()
        ))
    }

    /// Keeps the values of `exprs` when they are next evaluated (and forgets those kept
    /// before).
    pub fn capture(&mut self, exprs: &[&Expr]) {
        self.captured = exprs.iter().map(|e| (address(e), None)).collect();
    }

    /// The value kept for `expr`, if it was evaluated since [`Interp::capture`].
    pub fn captured(&self, expr: &Expr) -> Option<Value> {
        let key = address(expr);
        self.captured
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, v)| v.clone())
    }

    /// Evaluates an expression.
    pub fn eval(&mut self, expr: &'a Expr) -> Result<Value, EvalError> {
        self.step(expr.span)?;
        let value = self.eval_kind(expr)?;
        if !self.captured.is_empty() {
            self.keep(expr, &value);
        }
        Ok(value)
    }

    /// Keeps `value` as the value of `expr` if it is captured and not yet kept.
    #[inline(never)]
    fn keep(&mut self, expr: &Expr, value: &Value) {
        let key = address(expr);
        if let Some((_, slot @ None)) = self.captured.iter_mut().find(|(k, _)| *k == key) {
            *slot = Some(value.clone());
        }
    }

    /// [`Interp::eval`] without the budget and the capture (inlined into it: one call per
    /// expression, not two).
    #[inline(always)]
    fn eval_kind(&mut self, expr: &'a Expr) -> Result<Value, EvalError> {
        Ok(match &expr.kind {
            ExprKind::Bool(b) => Value::Bool(*b),
            ExprKind::Int(i) => Value::Int(*i),
            ExprKind::Number(n) => Value::Number(*n),
            ExprKind::Str(t) => self.string(t)?,
            ExprKind::Duration(d) => Value::duration(
                Duration::literal(*d).ok_or_else(|| self.fail(expr.span, "duration overflows"))?,
            ),
            ExprKind::Date(d) => Value::Date(*d),
            ExprKind::DateTime(t) => Value::DateTime(*t),
            ExprKind::None => Value::None,
            ExprKind::List(items) => {
                self.take_bytes(items.len().saturating_mul(size_of::<Value>()), expr.span)?;
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.eval(item)?);
                }
                Value::list(out)
            }
            ExprKind::Table(entries) => {
                let mut map = BTreeMap::new();
                for entry in entries {
                    let key = entry.key.text().len() + size_of::<(String, Value)>();
                    self.take_bytes(key, expr.span)?;
                    let value = self.eval(&entry.value)?;
                    map.insert(entry.key.text().to_owned(), value);
                }
                Value::Table(std::sync::Arc::new(map))
            }
            ExprKind::Name(id) => self.name(&id.name, expr.span)?,
            ExprKind::Member { base, field } => {
                // The common `x.field` on a loop variable: read the field without copying `x`.
                if let ExprKind::Name(id) = &base.kind
                    && let Some((_, bound)) = self
                        .scope
                        .iter()
                        .rev()
                        .find(|(n, _)| same_name(n, &id.name))
                {
                    match bound.value() {
                        Value::Record(r) => {
                            if let Some(cite) = &mut self.cite {
                                cite.record(r, &mut self.citations);
                            }
                            return Ok(r.get(&field.name));
                        }
                        Value::None => return Ok(Value::None),
                        _ => {}
                    }
                }
                let base = self.eval(base)?;
                self.member(&base, &field.name, expr.span)?
            }
            ExprKind::Index { base, index } => {
                let base = self.eval(base)?;
                let index = self.eval(index)?;
                match (&base, &index) {
                    (Value::None, _) | (_, Value::None) => Value::None,
                    (Value::Table(t), key) => key
                        .key_text()
                        .and_then(|k| t.get(k))
                        .cloned()
                        .unwrap_or(Value::None),
                    (Value::List(items), Value::Int(i)) => usize::try_from(*i)
                        .ok()
                        .and_then(|i| items.get(i))
                        .cloned()
                        .unwrap_or(Value::None),
                    _ => {
                        return Err(
                            self.fail(expr.span, format!("cannot index a `{}`", base.type_name()))
                        );
                    }
                }
            }
            ExprKind::Call { func, args, .. } => {
                // Builtins take one or two arguments: no allocation for them.
                let result = match args.as_slice() {
                    [a] => {
                        let a = self.eval(a)?;
                        self.take_bytes(budget::created_by_call(&func.name, &a), expr.span)?;
                        ops::call(&func.name, &[&a], &mut self.globs)
                    }
                    [a, b] => {
                        let (a, b) = (self.eval(a)?, self.eval(b)?);
                        ops::call(&func.name, &[&a, &b], &mut self.globs)
                    }
                    more => {
                        let mut values = Vec::with_capacity(more.len());
                        for arg in more {
                            values.push(self.eval(arg)?);
                        }
                        let refs: Vec<&Value> = values.iter().collect();
                        ops::call(&func.name, &refs, &mut self.globs)
                    }
                };
                result.map_err(|m| self.fail(expr.span, m))?
            }
            ExprKind::Unary { op, operand } => {
                let v = self.eval(operand)?;
                match op {
                    UnaryOp::Not => match v {
                        Value::Bool(b) => Value::Bool(!b),
                        Value::None => Value::None,
                        other => {
                            return Err(self.fail(
                                expr.span,
                                format!("`not` needs a bool, found `{}`", other.type_name()),
                            ));
                        }
                    },
                    UnaryOp::Neg => ops::negate(&v).map_err(|m| self.fail(expr.span, m))?,
                }
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, expr.span)?,
            ExprKind::Quantifier(q) => self.quantifier(q)?,
            ExprKind::Paren(inner) => self.eval(inner)?,
        })
    }

    fn name(&mut self, name: &str, span: Span) -> Result<Value, EvalError> {
        if let Some((_, v)) = self.scope.iter().rev().find(|(n, _)| same_name(n, name)) {
            return Ok(v.value().clone());
        }
        if let Some(v) = self.env.params.get(name) {
            return Ok(v.clone());
        }
        if name == "as_of" {
            return Ok(Value::DateTime(self.env.as_of));
        }
        if let Some(v) = self.env.evidence.root(name) {
            return Ok(v.clone());
        }
        if let Some(e) =
            vouch_lang::schema::enum_of_variant(name).and_then(|def| EnumValue::of(def, name))
        {
            return Ok(Value::Enum(e));
        }
        Err(self.fail(span, format!("unknown name `{name}`")))
    }

    fn member(&mut self, base: &Value, field: &str, span: Span) -> Result<Value, EvalError> {
        match base {
            Value::None => Ok(Value::None),
            Value::Record(r) => {
                if let Some(cite) = &mut self.cite {
                    cite.record(r, &mut self.citations);
                }
                Ok(r.get(field))
            }
            other => Err(self.fail(
                span,
                format!("a `{}` has no field `{field}`", other.type_name()),
            )),
        }
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        lhs: &'a Expr,
        rhs: &'a Expr,
        span: Span,
    ) -> Result<Value, EvalError> {
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let stop = op == BinaryOp::Or;
                let a = self.condition(lhs)?;
                if a == Some(stop) {
                    return Ok(Value::Bool(stop));
                }
                let b = self.condition(rhs)?;
                Ok(match (a, b) {
                    (_, Some(x)) if x == stop => Value::Bool(stop),
                    (Some(_), Some(_)) => Value::Bool(!stop),
                    _ => Value::None,
                })
            }
            BinaryOp::Eq | BinaryOp::Ne => {
                let eq = op == BinaryOp::Eq;
                let presence = is_none_literal(lhs) || is_none_literal(rhs);
                if let Some(same) = self.equals_text_in_place(lhs, rhs) {
                    return Ok(same.map_or(Value::None, |same| Value::Bool(same == eq)));
                }
                if let Some(result) =
                    self.compare_in_place(lhs, rhs, |a, b| Ok(ops::equality(a, b, eq, presence)))?
                {
                    return result_or_fail(self, result, span);
                }
                let a = self.eval(lhs)?;
                let b = self.eval(rhs)?;
                Ok(ops::equality(&a, &b, eq, presence))
            }
            BinaryOp::Coalesce => match self.eval(lhs)? {
                Value::None => self.eval(rhs),
                v => Ok(v),
            },
            // `+` may make a string: its size is taken from the budget before it is made.
            BinaryOp::Add => {
                let a = self.eval(lhs)?;
                let b = self.eval(rhs)?;
                self.take_bytes(budget::created_by_add(&a, &b), span)?;
                ops::binary(op, &a, &b).map_err(|m| self.fail(span, m))
            }
            _ => {
                if let Some(result) =
                    self.compare_in_place(lhs, rhs, |a, b| ops::binary(op, a, b))?
                {
                    return result_or_fail(self, result, span);
                }
                let a = self.eval(lhs)?;
                let b = self.eval(rhs)?;
                ops::binary(op, &a, &b).map_err(|m| self.fail(span, m))
            }
        }
    }

    /// Moves the element binding at `slot` to element `index` of its collection.
    pub fn move_to(&mut self, slot: usize, index: usize) {
        if let Some((_, Bound::Element(_, at))) = self.scope.get_mut(slot) {
            *at = index;
        }
    }

    /// A condition: `Some(bool)`, or `None` when it is `none`.
    pub fn condition(&mut self, expr: &'a Expr) -> Result<Option<bool>, EvalError> {
        match self.eval(expr)? {
            Value::Bool(b) => Ok(Some(b)),
            Value::None => Ok(None),
            other => Err(self.fail(
                expr.span,
                format!("a condition must be a bool, found `{}`", other.type_name()),
            )),
        }
    }

    /// The elements of a collection (`none` is `None`), shared, not copied.
    pub fn collection(&mut self, expr: &'a Expr) -> Result<Option<Arc<[Value]>>, EvalError> {
        match self.eval(expr)? {
            Value::None => Ok(None),
            Value::List(items) | Value::Set(items) => Ok(Some(items)),
            v => match v.elements() {
                Some(items) => Ok(Some(Arc::from(items))),
                None => Err(self.fail(
                    expr.span,
                    format!("cannot iterate over a `{}`", v.type_name()),
                )),
            },
        }
    }
}

/// The address of an expression, which identifies it while the policy is alive.
fn address(expr: &Expr) -> usize {
    std::ptr::from_ref(expr) as usize
}

/// A param's value shaped by its declared type: list literals become sets where a set is
/// declared.
pub fn coerce(value: Value, ty: &Type) -> Value {
    match (value, ty.unwrap_optional()) {
        (Value::List(items), Type::Set(elem)) => {
            Value::set(items.iter().map(|v| coerce(v.clone(), elem)).collect())
        }
        (Value::List(items), Type::List(elem)) => {
            Value::list(items.iter().map(|v| coerce(v.clone(), elem)).collect())
        }
        (Value::Table(map), Type::Table(_, v)) => Value::Table(std::sync::Arc::new(
            map.iter()
                .map(|(k, x)| (k.clone(), coerce(x.clone(), v)))
                .collect(),
        )),
        (other, _) => other,
    }
}

/// Whether two names are equal. Names are short: comparing lengths and then bytes inline is
/// much cheaper here than a call to `memcmp`.
#[inline]
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

/// Whether `expr` is the literal `none` (in parentheses or not): `x == none` is a presence
/// test.
pub(crate) fn is_none_literal(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::None => true,
        ExprKind::Paren(inner) => is_none_literal(inner),
        _ => false,
    }
}

/// The value of an in-place comparison, or the located error it gave.
fn result_or_fail(
    interp: &Interp<'_>,
    result: Result<Value, String>,
    span: Span,
) -> Result<Value, EvalError> {
    result.map_err(|m| interp.fail(span, m))
}
