//! Lints that need the operands' types, called from the operator rules once both operands are
//! typed: a string compared with a field whose values are a closed set it is not in, and a
//! `date` compared for equality with a `datetime`.

use super::super::expr::Typer;
use super::super::suggest;
use crate::ast::{BinaryOp, Expr, ExprKind};
use crate::diagnostic::{Code, Diagnostic};
use crate::schema;
use crate::types::Type;

/// Reports the typed lints of `lhs op rhs`, whose operands have types `a` and `b`.
pub(in crate::check) fn binary(
    t: &mut Typer<'_>,
    op: BinaryOp,
    lhs: &Expr,
    a: &Type,
    rhs: &Expr,
    b: &Type,
) {
    match op {
        BinaryOp::Eq | BinaryOp::Ne => {
            let (pa, pb) = (a.unwrap_optional(), b.unwrap_optional());
            if matches!(
                (pa, pb),
                (Type::Date, Type::DateTime) | (Type::DateTime, Type::Date)
            ) {
                let span = lhs.span.to(rhs.span);
                let d = Diagnostic::warning(
                    Code::DateDatetimeEquality,
                    t.src.clone(),
                    span,
                    format!(
                        "`{}` compares a `date` with a `datetime`: it holds only at midnight UTC",
                        op.as_str()
                    ),
                )
                .with_help("compare with `<=`/`>=` (a date orders as its midnight UTC), or compare two dates");
                t.report(d);
            }
            closed_set(t, lhs, std::slice::from_ref(rhs));
            closed_set(t, rhs, std::slice::from_ref(lhs));
        }
        BinaryOp::In | BinaryOp::NotIn => {
            if let ExprKind::List(items) = &rhs.kind {
                closed_set(t, lhs, items);
            }
        }
        _ => {}
    }
}

/// `field` read from a record whose schema closes its values, compared with `literals`: each
/// string literal outside the set is reported.
fn closed_set(t: &mut Typer<'_>, field: &Expr, literals: &[Expr]) {
    let ExprKind::Member { base, field: name } = &field.kind else {
        return;
    };
    if !literals
        .iter()
        .any(|l| matches!(&l.kind, ExprKind::Str(s) if s.as_plain().is_some()))
    {
        return;
    }
    // The base was typed already; typing it again reports nothing new.
    let mark = t.diags.len();
    let base_ty = t.infer(base);
    t.diags.truncate(mark);
    let Type::Record(record) = base_ty.unwrap_optional() else {
        return;
    };
    let values = schema::field_values(record, &name.name);
    if values.is_empty() {
        return;
    }
    for literal in literals {
        let ExprKind::Str(s) = &literal.kind else {
            continue;
        };
        let Some(text) = s.as_plain() else { continue };
        if values.contains(&text.as_str()) {
            continue;
        }
        let listed: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
        let help = match suggest::closest(&text, values.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("`{record}.{}` is one of {}", name.name, listed.join(", ")),
        };
        let d = Diagnostic::warning(
            Code::ImpossibleComparison,
            t.src.clone(),
            literal.span,
            format!(
                "`{}` is never \"{text}\": it is one of {}",
                name.name,
                listed.join(", ")
            ),
        )
        .with_help(help);
        t.report(d);
    }
}
