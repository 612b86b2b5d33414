//! Lints over a control's syntax: constant conditions, `within` a duration that accepts
//! nothing, invalid glob literals and globs that interpolate by accident. The lints that need
//! types (closed string sets, `date == datetime`) are in [`typed`], called from the operator
//! rules.
//!
//! `expect false` inside a `for` loop is an idiom (every element the loop selects is a
//! failure) and is not reported; outside a loop it fails every evaluation and is.

pub(super) mod typed;

use super::constant::{self, Const};
use super::expr::Typer;
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// Reports the syntactic lints of one control.
pub(super) fn control(t: &mut Typer<'_>, c: &ControlDecl) {
    stmts(t, &c.body, false);
}

fn stmts(t: &mut Typer<'_>, body: &[Stmt], in_loop: bool) {
    for s in body {
        match s {
            Stmt::For(f) => {
                expr(t, &f.iter);
                if let Some(filter) = &f.filter {
                    constant_where(t, filter);
                    expr(t, filter);
                }
                stmts(t, &f.body, true);
            }
            Stmt::Let(l) => expr(t, &l.value),
            Stmt::Expect(e) => {
                match constant_bool(&e.cond) {
                    Some(true) => warn(
                        t,
                        Code::ConstantCondition,
                        e.cond.span,
                        "this `expect` always holds: the check can never fail",
                        "compare a value read from the evidence, e.g. `expect len(release.artifacts) > 0`",
                    ),
                    Some(false) if !in_loop => warn(
                        t,
                        Code::ConstantCondition,
                        e.cond.span,
                        "this `expect` always fails, whatever the evidence",
                        "to fail on each element a loop selects, put `expect false else \"...\"` inside the `for`; otherwise test the evidence",
                    ),
                    _ => {}
                }
                expr(t, &e.cond);
            }
            Stmt::Manual(m) => {
                if let Some(within) = &m.within {
                    non_positive_within(t, within);
                }
            }
        }
    }
}

fn warn(t: &mut Typer<'_>, code: Code, span: Span, message: &str, help: &str) {
    let d = Diagnostic::warning(code, t.src.clone(), span, message).with_help(help);
    t.report(d);
}

fn constant_where(t: &mut Typer<'_>, filter: &Expr) {
    if let Some(value) = constant_bool(filter) {
        let (message, help) = if value {
            (
                "this `where` always holds: it selects every element",
                "remove the `where` clause, or test the element",
            )
        } else {
            (
                "this `where` never holds: it selects nothing",
                "test the element, e.g. `where a.size > 0`",
            )
        };
        warn(t, Code::ConstantCondition, filter.span, message, help);
    }
}

fn non_positive_within(t: &mut Typer<'_>, within: &Expr) {
    let Some(Const::Duration(d)) = constant::fold(within) else {
        return;
    };
    let zero = Const::Duration(constant::ConstDuration {
        seconds: 0,
        months: 0,
    });
    if constant::holds(&Const::Duration(d), BinaryOp::Le, &zero) == Some(true) {
        warn(
            t,
            Code::NonPositiveWithin,
            within.span,
            "`within` a duration that is not positive: no attestation is ever recent enough",
            "give the longest age an attestation may have, e.g. `within 12 months`",
        );
    }
}

/// The value of a condition that does not depend on the evidence: literals, `not`, `and`,
/// `or` and comparisons of constants.
fn constant_bool(e: &Expr) -> Option<bool> {
    match &e.kind {
        ExprKind::Bool(b) => Some(*b),
        ExprKind::Paren(inner) => constant_bool(inner),
        ExprKind::Unary {
            op: UnaryOp::Not,
            operand,
        } => constant_bool(operand).map(|b| !b),
        ExprKind::Binary { op, lhs, rhs } => match op {
            BinaryOp::And => Some(constant_bool(lhs)? && constant_bool(rhs)?),
            BinaryOp::Or => Some(constant_bool(lhs)? || constant_bool(rhs)?),
            BinaryOp::Eq | BinaryOp::Ne => {
                let (a, b) = (constant::fold(lhs)?, constant::fold(rhs)?);
                let equal = match (&a, &b) {
                    (Const::Duration(_), Const::Duration(_)) => {
                        if constant::holds(&a, BinaryOp::Eq, &b)? {
                            true
                        } else if constant::holds(&a, BinaryOp::Ne, &b)? {
                            false
                        } else {
                            return None;
                        }
                    }
                    _ if std::mem::discriminant(&a) == std::mem::discriminant(&b) => a == b,
                    _ => return None,
                };
                Some(equal == (*op == BinaryOp::Eq))
            }
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let (a, b) = (constant::fold(lhs)?, constant::fold(rhs)?);
                let holds = constant::holds(&a, *op, &b)?;
                // A calendar comparison that holds from some dates only is not constant.
                if holds || constant::holds(&a, negate(*op), &b)? {
                    Some(holds)
                } else {
                    None
                }
            }
            _ => None,
        },
        _ => None,
    }
}

fn negate(op: BinaryOp) -> BinaryOp {
    match op {
        BinaryOp::Lt => BinaryOp::Ge,
        BinaryOp::Le => BinaryOp::Gt,
        BinaryOp::Gt => BinaryOp::Le,
        _ => BinaryOp::Lt,
    }
}

/// Walks an expression for quantifier filters and glob arguments.
fn expr(t: &mut Typer<'_>, e: &Expr) {
    match &e.kind {
        ExprKind::Call { func, args, .. } => {
            if func.name == "matches"
                && let Some(glob) = args.get(1)
            {
                glob_literal(t, glob);
            }
            for a in args {
                expr(t, a);
            }
        }
        ExprKind::Quantifier(q) => {
            expr(t, &q.iter);
            if let Some(filter) = &q.filter {
                constant_where(t, filter);
                expr(t, filter);
            }
            if let Some(body) = &q.body {
                expr(t, body);
            }
        }
        ExprKind::List(items) => items.iter().for_each(|i| expr(t, i)),
        ExprKind::Table(entries) => entries.iter().for_each(|en| expr(t, &en.value)),
        ExprKind::Member { base, .. } => expr(t, base),
        ExprKind::Index { base, index } => {
            expr(t, base);
            expr(t, index);
        }
        ExprKind::Unary { operand, .. } | ExprKind::Paren(operand) => expr(t, operand),
        ExprKind::Binary { lhs, rhs, .. } => {
            expr(t, lhs);
            expr(t, rhs);
        }
        ExprKind::Str(template) => {
            for part in &template.parts {
                if let TemplatePart::Expr(inner) = part {
                    expr(t, inner);
                }
            }
        }
        _ => {}
    }
}

/// A glob written as a literal: valid for the engine's glob syntax, and not interpolating by
/// accident.
fn glob_literal(t: &mut Typer<'_>, glob: &Expr) {
    let ExprKind::Str(template) = &glob.kind else {
        return;
    };
    match template.as_plain() {
        Some(pattern) => {
            if let Err(why) = crate::glob::compile_glob(&pattern) {
                let d = Diagnostic::error(
                    Code::InvalidGlob,
                    t.src.clone(),
                    glob.span,
                    format!("`{pattern}` is not a valid glob: {why}"),
                )
                .with_help("`*` matches within a path segment, `**` across segments, `?` one character, `[abc]` a class, `{a,b}` alternatives (written `\\{a,b\\}`); `\\` escapes");
                t.report(d);
            }
        }
        None => {
            for part in &template.parts {
                if let TemplatePart::Expr(inner) = part {
                    let text = t
                        .src
                        .text()
                        .get(inner.span.start..inner.span.end)
                        .unwrap_or("")
                        .to_string();
                    let d = Diagnostic::warning(
                        Code::GlobInterpolation,
                        t.src.clone(),
                        inner.span,
                        format!("`{{{text}}}` in this glob interpolates `{text}`; it is not a glob alternative"),
                    )
                    .with_help(format!("write `\\{{{text}\\}}` for the braces of glob alternatives; to build the glob from a value on purpose, allow `glob-interpolation`"));
                    t.report(d);
                }
            }
        }
    }
}
