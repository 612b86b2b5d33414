//! Typing rules of the binary operators.
//!
//! Operators are lifted over `none`: if an operand may be `none`, so may the result. At run
//! time arithmetic and ordering on `none` give `none`; `and`, `or` and `not` follow three-valued
//! logic (`false and none` is `false`, `true or none` is `true`, otherwise `none`). `==`, `!=`
//! and `??` look at `none` itself and are not lifted. Statically, an optional operand of a
//! comparison, `in` or arithmetic must be handled first (`narrow.rs`).

use super::expr::Typer;
use crate::ast::{BinaryOp, Expr};
use crate::diagnostic::Code;
use crate::schema;
use crate::span::Span;
use crate::types::Type;

/// The type of `lhs op rhs`.
pub(super) fn binary(t: &mut Typer<'_>, op: BinaryOp, lhs: &Expr, rhs: &Expr) -> Type {
    if is_comparison(op) && [lhs, rhs].iter().any(|e| is_bare_comparison(e)) {
        t.infer(lhs);
        t.infer(rhs);
        let d = t
            .diag(
                Code::TypeMismatch,
                operator_span(t, lhs, rhs),
                "comparisons do not chain",
            )
            .with_label(
                operator_span(t, lhs, rhs),
                "this compares the result of another comparison",
            )
            .with_help(
                "write `a < b and b < c`, or add parentheses if you mean to compare a `bool`",
            );
        t.report(d);
        return Type::Error;
    }
    let enclosing = t.comparison;
    if is_comparison(op) || matches!(op, BinaryOp::In | BinaryOp::NotIn) {
        t.comparison = Some(lhs.span.to(rhs.span));
    }
    let a = t.infer(lhs);
    // `P != none and REST` and `P == none or REST` narrow `P` in `REST`.
    let mark = match op {
        BinaryOp::And => t.narrow_when_true(lhs),
        BinaryOp::Or => t.narrow_when_false(lhs),
        _ => t.narrowed.len(),
    };
    let b = t.infer(rhs);
    t.unnarrow(mark);
    t.comparison = enclosing;
    if a == Type::Error || b == Type::Error {
        return Type::Error;
    }
    if compatible(op, &a, &b) {
        // An optional operand that `none` would silently decide is reported once, then read
        // as its plain type.
        let (a, b) = t.binary_operands(op, lhs, a, rhs, b);
        return typed(t, op, lhs, a, rhs, b);
    }
    typed(t, op, lhs, a, rhs, b)
}

/// Whether `a op b` type-checks (a mismatch is reported as that alone).
fn compatible(op: BinaryOp, a: &Type, b: &Type) -> bool {
    let (pa, pb) = (a.unwrap_optional(), b.unwrap_optional());
    match op {
        BinaryOp::Eq | BinaryOp::Ne => eq_compatible(a, b),
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => ordered(pa, pb),
        BinaryOp::In | BinaryOp::NotIn => in_compatible(pa, pb),
        BinaryOp::Add => add(pa, pb).is_some(),
        BinaryOp::Sub => sub(pa, pb).is_some(),
        BinaryOp::Mul => mul(pa, pb).is_some(),
        BinaryOp::And | BinaryOp::Or | BinaryOp::Coalesce => true,
    }
}

fn eq_compatible(a: &Type, b: &Type) -> bool {
    let (pa, pb) = (a.unwrap_optional(), b.unwrap_optional());
    *a == Type::NoneLit
        || *b == Type::NoneLit
        || pa.fits(pb)
        || pb.fits(pa)
        || numeric(pa, pb)
        || matches!(
            (pa, pb),
            (Type::Date | Type::DateTime, Type::Date | Type::DateTime)
        )
}

fn in_compatible(pa: &Type, pb: &Type) -> bool {
    match pb {
        Type::List(elem) | Type::Set(elem) => pa.fits(elem) || elem.fits(pa),
        Type::Table(key, _) => pa.fits(key) || key.fits(pa),
        Type::String => pa.fits(&Type::String),
        Type::Unknown => true,
        _ => false,
    }
}

/// The type of `lhs op rhs` from its operands' types, reporting a mismatch.
fn typed(t: &mut Typer<'_>, op: BinaryOp, lhs: &Expr, a: Type, rhs: &Expr, b: Type) -> Type {
    super::lints::typed::binary(t, op, lhs, &a, rhs, &b);
    let lifted = a.is_optional() || b.is_optional();
    let (pa, pb) = (a.unwrap_optional().clone(), b.unwrap_optional().clone());
    let result = match op {
        BinaryOp::And | BinaryOp::Or => {
            (pa.fits(&Type::Bool) || a == Type::NoneLit)
                && (pb.fits(&Type::Bool) || b == Type::NoneLit)
        }
        .then_some(Type::Bool),
        BinaryOp::Eq | BinaryOp::Ne => {
            return if eq_compatible(&a, &b) {
                Type::Bool
            } else {
                mismatch(t, op, lhs, &a, rhs, &b, "cannot compare")
            };
        }
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            ordered(&pa, &pb).then_some(Type::Bool)
        }
        BinaryOp::In | BinaryOp::NotIn => in_compatible(&pa, &pb).then_some(Type::Bool),
        BinaryOp::Coalesce => {
            if !(pb.fits(&pa) || pa.fits(&pb)) && a != Type::NoneLit {
                return mismatch(
                    t,
                    op,
                    lhs,
                    &a,
                    rhs,
                    &b,
                    "`??` needs a default of the same type",
                );
            }
            let base = if pa.fits(&pb) && !pb.is_wildcard() {
                pb.clone()
            } else {
                pa.clone()
            };
            return if b.is_optional() {
                base.optional()
            } else {
                base
            };
        }
        BinaryOp::Add => add(&pa, &pb),
        BinaryOp::Sub => sub(&pa, &pb),
        BinaryOp::Mul => mul(&pa, &pb),
    };
    let result = if pa.is_wildcard() || pb.is_wildcard() {
        result.or(Some(Type::Error))
    } else {
        result
    };
    match result {
        Some(ty) if lifted => ty.optional(),
        Some(ty) => ty,
        None => {
            let what = match op {
                BinaryOp::And | BinaryOp::Or => "needs two conditions (`bool`)",
                BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => "cannot order",
                BinaryOp::In | BinaryOp::NotIn => "cannot look for",
                _ => "cannot combine",
            };
            mismatch(t, op, lhs, &a, rhs, &b, what)
        }
    }
}

fn is_comparison(op: BinaryOp) -> bool {
    matches!(
        op,
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
    )
}

/// A comparison written without parentheses around it.
fn is_bare_comparison(e: &Expr) -> bool {
    matches!(&e.kind, crate::ast::ExprKind::Binary { op, .. } if is_comparison(*op))
}

/// The span of the operator between two operands (the text between them, trimmed).
fn operator_span(t: &Typer<'_>, lhs: &Expr, rhs: &Expr) -> Span {
    let between = t.src.slice(Span::new(lhs.span.end, rhs.span.start));
    let start = lhs.span.end + (between.len() - between.trim_start().len());
    let end = rhs.span.start - (between.len() - between.trim_end().len());
    if start < end {
        Span::new(start, end)
    } else {
        lhs.span.to(rhs.span)
    }
}

fn numeric(a: &Type, b: &Type) -> bool {
    matches!(a, Type::Int | Type::Number) && matches!(b, Type::Int | Type::Number)
}

fn ordered(a: &Type, b: &Type) -> bool {
    match (a, b) {
        (Type::Duration, Type::Duration) | (Type::String, Type::String) => true,
        (Type::Date | Type::DateTime, Type::Date | Type::DateTime) => true,
        (Type::Enum(x), Type::Enum(y)) => x == y && schema::enum_def(x).is_some_and(|e| e.ordered),
        (x, y) => numeric(x, y) || x.is_wildcard() || y.is_wildcard(),
    }
}

fn add(a: &Type, b: &Type) -> Option<Type> {
    match (a, b) {
        (Type::Int, Type::Int) => Some(Type::Int),
        (x, y) if numeric(x, y) => Some(Type::Number),
        (Type::Duration, Type::Duration) => Some(Type::Duration),
        (Type::Date, Type::Duration) | (Type::Duration, Type::Date) => Some(Type::Date),
        (Type::DateTime, Type::Duration) | (Type::Duration, Type::DateTime) => Some(Type::DateTime),
        (Type::String, Type::String) => Some(Type::String),
        _ => None,
    }
}

fn mul(a: &Type, b: &Type) -> Option<Type> {
    match (a, b) {
        (Type::Int, Type::Int) => Some(Type::Int),
        (x, y) if numeric(x, y) => Some(Type::Number),
        (Type::Duration, Type::Int) | (Type::Int, Type::Duration) => Some(Type::Duration),
        _ => None,
    }
}

fn sub(a: &Type, b: &Type) -> Option<Type> {
    match (a, b) {
        (Type::Int, Type::Int) => Some(Type::Int),
        (x, y) if numeric(x, y) => Some(Type::Number),
        (Type::Duration, Type::Duration) => Some(Type::Duration),
        (Type::Date, Type::Duration) => Some(Type::Date),
        (Type::DateTime, Type::Duration) => Some(Type::DateTime),
        (Type::Date | Type::DateTime, Type::Date | Type::DateTime) => Some(Type::Duration),
        _ => None,
    }
}

fn mismatch(
    t: &mut Typer<'_>,
    op: BinaryOp,
    lhs: &Expr,
    a: &Type,
    rhs: &Expr,
    b: &Type,
    what: &str,
) -> Type {
    let op_span = operator_span(t, lhs, rhs);
    let mut d = t
        .diag(
            Code::TypeMismatch,
            op_span,
            format!("`{}` {what}: `{a}` and `{b}`", op.as_str()),
        )
        .with_label(lhs.span, format!("this is `{a}`"))
        .with_label(rhs.span, format!("this is `{b}`"));
    if let (Type::Enum(x), Type::Enum(y)) = (a.unwrap_optional(), b.unwrap_optional())
        && x == y
        && matches!(
            op,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        )
    {
        d = d.with_help(format!(
            "`{x}` names have no order; compare with `==` or `in`"
        ));
    }
    if matches!(
        (a.unwrap_optional(), b.unwrap_optional()),
        (Type::Bool, _) | (_, Type::Bool)
    ) && matches!(
        op,
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
    ) {
        d = d.with_help("comparisons do not chain: write `a < b and b < c`");
    }
    t.report(d);
    Type::Error
}
