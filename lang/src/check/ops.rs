//! Typing rules of the binary operators.
//!
//! Operators are lifted over `none`: if an operand may be `none`, so may the result (and at
//! run time `none` propagates; a condition that ends up `none` does not hold). `==`, `!=`
//! and `??` look at `none` itself and are not lifted.

use super::expr::Typer;
use crate::ast::{BinaryOp, Expr};
use crate::diagnostic::Code;
use crate::schema;
use crate::span::Span;
use crate::types::Type;

/// The type of `lhs op rhs`.
pub(super) fn binary(t: &mut Typer<'_>, op: BinaryOp, lhs: &Expr, rhs: &Expr, span: Span) -> Type {
    let a = t.infer(lhs);
    let b = t.infer(rhs);
    if a == Type::Error || b == Type::Error {
        return Type::Error;
    }
    let lifted = a.is_optional() || b.is_optional();
    let (pa, pb) = (a.unwrap_optional().clone(), b.unwrap_optional().clone());
    let result = match op {
        BinaryOp::And | BinaryOp::Or => {
            (pa.fits(&Type::Bool) || a == Type::NoneLit)
                && (pb.fits(&Type::Bool) || b == Type::NoneLit)
        }
        .then_some(Type::Bool),
        BinaryOp::Eq | BinaryOp::Ne => {
            let ok = a == Type::NoneLit
                || b == Type::NoneLit
                || pa.fits(&pb)
                || pb.fits(&pa)
                || numeric(&pa, &pb);
            return if ok {
                Type::Bool
            } else {
                mismatch(t, op, lhs, &a, rhs, &b, span, "cannot compare")
            };
        }
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            ordered(&pa, &pb).then_some(Type::Bool)
        }
        BinaryOp::In | BinaryOp::NotIn => match &pb {
            Type::List(elem) | Type::Set(elem) => {
                (pa.fits(elem) || elem.fits(&pa)).then_some(Type::Bool)
            }
            Type::Table(key, _) => (pa.fits(key) || key.fits(&pa)).then_some(Type::Bool),
            Type::String => pa.fits(&Type::String).then_some(Type::Bool),
            Type::Unknown => Some(Type::Bool),
            _ => None,
        },
        BinaryOp::Coalesce => {
            if !(pb.fits(&pa) || pa.fits(&pb)) && a != Type::NoneLit {
                return mismatch(
                    t,
                    op,
                    lhs,
                    &a,
                    rhs,
                    &b,
                    span,
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
        BinaryOp::Mul => match (&pa, &pb) {
            (Type::Int, Type::Int) => Some(Type::Int),
            (x, y) if numeric(x, y) => Some(Type::Number),
            (Type::Duration, Type::Int) | (Type::Int, Type::Duration) => Some(Type::Duration),
            _ => None,
        },
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
            mismatch(t, op, lhs, &a, rhs, &b, span, what)
        }
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

#[allow(clippy::too_many_arguments)]
fn mismatch(
    t: &mut Typer<'_>,
    op: BinaryOp,
    lhs: &Expr,
    a: &Type,
    rhs: &Expr,
    b: &Type,
    span: Span,
    what: &str,
) -> Type {
    let mut d = t
        .make(
            Code::TypeMismatch,
            span,
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
    t.push(d);
    Type::Error
}
