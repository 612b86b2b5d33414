//! Param declarations' bounds (`where >= 12 months`) and importers' overrides: the default and
//! every override must meet the bounds, and a table override that leaves keys to the default
//! is worth a warning.

use super::ParamBinding;
use super::constant;
use super::expr::Typer;
use super::module::is_constant;
use crate::ast::{Expr, ExprKind, ParamBound, ParamDecl};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Source;
use crate::span::Span;
use crate::types::Type;

/// Whether values of `ty` can be bounded: the ordered scalar types.
fn is_ordered(ty: &Type) -> bool {
    match ty {
        Type::Int | Type::Number | Type::Duration | Type::Date | Type::DateTime => true,
        Type::Enum(name) => crate::schema::enum_def(name).is_some_and(|e| e.ordered),
        _ => false,
    }
}

/// Checks a declaration's bounds (an ordered type, constants of that type) and that its
/// default meets them.
pub(super) fn check_decl(t: &mut Typer<'_>, p: &ParamDecl, ty: &Type) {
    let Some(first) = p.bounds.first() else {
        return;
    };
    if *ty == Type::Error {
        return;
    }
    if !is_ordered(ty) {
        let d = t
            .diag(
                Code::TypeMismatch,
                first.span,
                format!("a `{ty}` param cannot have bounds"),
            )
            .with_label(p.ty.span, format!("this is `{ty}`"))
            .with_help("bounds compare ordered values: int, number, duration, date, datetime, severity; remove the `where` clause");
        t.report(d);
        return;
    }
    let mut sound = true;
    for bound in &p.bounds {
        if !is_constant(&bound.value) {
            let d = t
                .diag(
                    Code::NonConstant,
                    bound.value.span,
                    "a bound must be a constant",
                )
                .with_help("write a literal value, e.g. `where >= 12 months`");
            t.report(d);
            sound = false;
            continue;
        }
        let before = t.diags.len();
        t.expect_type(&bound.value, ty);
        sound &= t.diags.len() == before;
    }
    if !sound {
        return;
    }
    let value = constant::fold(&p.default);
    for bound in &p.bounds {
        let Err(shortfall) = meets(value.as_ref(), bound) else {
            continue;
        };
        let d = t
            .diag(
                Code::ParamOutOfBounds,
                p.default.span,
                format!(
                    "the default of `{}` must be {}; `{}` {}",
                    p.name.name,
                    bound_text(t.src, bound),
                    span_text(t.src, p.default.span),
                    shortfall
                ),
            )
            .with_label(bound.span, "the bound is declared here")
            .with_help("change the default or the bound so the default meets it");
        t.report(d);
    }
}

/// Checks an importer's override of `name` (already of the right type): the value it gives
/// the param must meet the declared bounds, and a table override that gives only some keys is
/// reported (`vouch::lint::partial-override`).
pub(super) fn check_override(t: &mut Typer<'_>, name: &str, binding: &ParamBinding, value: &Expr) {
    if let (ExprKind::Table(given), ExprKind::Table(default)) = (&value.kind, &binding.value.kind) {
        let kept: Vec<&crate::ast::TableEntry> = default
            .iter()
            .filter(|d| !given.iter().any(|g| g.key.text() == d.key.text()))
            .collect();
        if !kept.is_empty() && !given.is_empty() {
            let names = |keys: &mut dyn Iterator<Item = &str>| {
                keys.map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let given_names = names(&mut given.iter().map(|g| g.key.text()));
            let kept_names = names(&mut kept.iter().map(|k| k.key.text()));
            let kept_values: Vec<String> = kept
                .iter()
                .map(|k| span_text(&binding.value_source, k.value.span))
                .collect();
            let only = if given.len() == 1 { " only" } else { "" };
            let d = Diagnostic::warning(
                Code::PartialOverride,
                t.src.clone(),
                value.span,
                format!(
                    "the override of `{name}` gives {given_names}{only}; {kept_names} keep{} the module's default{} ({})",
                    if kept.len() == 1 { "s" } else { "" },
                    if kept.len() == 1 { "" } else { "s" },
                    kept_values.join(", ")
                ),
            )
            .with_help(format!(
                "a table override replaces only the keys it gives; to set every key, write them all: `{name} = {{ {} }}`",
                all_entries(given, &kept, t.src, &binding.value_source)
            ));
            t.report(d);
        }
    }
    if binding.bounds.is_empty() {
        return;
    }
    let effective = constant::fold(value);
    for bound in &binding.bounds {
        let Err(shortfall) = meets(effective.as_ref(), bound) else {
            continue;
        };
        let (line, _) = binding.value_source.line_col(bound.span.start);
        let d = t
            .diag(
                Code::ParamOutOfBounds,
                value.span,
                format!(
                    "`{name}` must be {} (declared at {}:{line}); `{}` {}",
                    bound_text(&binding.value_source, bound),
                    binding.value_source.name(),
                    span_text(t.src, value.span),
                    shortfall
                ),
            )
            .with_help(format!(
                "the module's author bounds this param; give `{name}` a value that is {}, or drop the override to keep the default `{}`",
                bound_text(&binding.value_source, bound),
                span_text(&binding.value_source, binding.value.span)
            ));
        t.report(d);
    }
}

/// Whether a param's folded value meets `bound`, or how it falls short. A value or limit that
/// cannot be computed at check time does not meet it: a bound is never skipped.
fn meets(value: Option<&constant::Const>, bound: &ParamBound) -> Result<(), &'static str> {
    let (Some(value), Some(limit)) = (value, constant::fold(&bound.value)) else {
        return Err("cannot be computed at check time, so it cannot be shown to meet the bound");
    };
    match constant::holds(value, bound.op, &limit) {
        Some(true) => Ok(()),
        _ => Err(constant::shortfall(value, bound.op, &limit)),
    }
}

/// `>= 12 months`, as declared.
fn bound_text(src: &Source, bound: &ParamBound) -> String {
    format!("{} {}", bound.op.as_str(), span_text(src, bound.value.span))
}

/// The text of a span, on one line.
fn span_text(src: &Source, span: Span) -> String {
    let text = src.text().get(span.start..span.end).unwrap_or("");
    crate::format::one_line(text).into_owned()
}

/// Every entry of an override that keeps `kept` from the default, for the help line.
fn all_entries(
    given: &[crate::ast::TableEntry],
    kept: &[&crate::ast::TableEntry],
    src: &Source,
    default_src: &Source,
) -> String {
    let given = given.iter().map(|g| {
        format!(
            "{}: {}",
            span_text(src, g.key.span()),
            span_text(src, g.value.span)
        )
    });
    let kept = kept.iter().map(|k| {
        format!(
            "{}: {}",
            span_text(default_src, k.key.span()),
            span_text(default_src, k.value.span)
        )
    });
    given.chain(kept).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::meets;
    use crate::ast::Item;
    use crate::check::constant::Const;
    use crate::source::Source;

    #[test]
    fn a_value_that_cannot_be_folded_does_not_meet_a_bound() {
        let src = Source::new(
            "p.vouch",
            "policy \"p\" { title = \"P\" framework = \"uk-sscop\" }\nparam a: int = 1 where >= 0\n",
        );
        let module = crate::parse::parse(&src).unwrap();
        let Some(Item::Param(p)) = module.items.get(1) else {
            panic!("the second item is the param");
        };
        let bound = &p.bounds[0];
        assert_eq!(meets(Some(&Const::Int(1)), bound), Ok(()));
        assert_eq!(meets(Some(&Const::Int(-1)), bound), Err("is less"));
        assert!(meets(None, bound).is_err());
    }
}
