//! The static rule for optional values: an unknown (`none`) value can never make a control
//! pass, so an operand of type `T?` that `none` would silently decide is reported
//! (`vouch::check::unhandled-none`) unless the policy handles it.
//!
//! Handling is `??`, a presence test (`P == none`, `P != none`) or a guard that *narrows* a
//! path (a name, or fields read from a name: `v.severity`, `release.cycle.eol`): names never
//! shadow, so a path's text identifies one value within a control.
//! - `P != none and REST` narrows `P` in `REST`; `P == none or REST` narrows `P` in `REST`;
//! - a `where` narrows what it guarantees in the loop or quantifier body;
//! - `expect P != none` narrows `P` in the following statements of its block (if `P` is none,
//!   that expect fails, and so does any later one the unknown reaches).
//!
//! Narrowing a path narrows that path only: `release.cycle != none` leaves
//! `release.cycle.eol` a `date?`.

use std::collections::{BTreeMap, BTreeSet};

use super::expr::Typer;
use crate::ast::{BinaryOp, Expr, ExprKind, Item, Module, Template, TemplatePart, UnaryOp};
use crate::diagnostic::Code;
use crate::schema;
use crate::span::Span;
use crate::types::Type;

/// The path an expression names: `v`, `v.severity`, `release.cycle.eol` (parentheses
/// ignored); `None` for anything else (calls, indexes, operators).
pub(super) fn path_of(expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::Name(id) => Some(id.name.clone()),
        ExprKind::Member { base, field } => {
            let mut path = path_of(base)?;
            path.push('.');
            path.push_str(&field.name);
            Some(path)
        }
        ExprKind::Paren(inner) => path_of(inner),
        _ => None,
    }
}

/// Whether `expr` is the literal `none` (in parentheses or not).
fn is_none_literal(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::None => true,
        ExprKind::Paren(inner) => is_none_literal(inner),
        _ => false,
    }
}

/// The path `expr` tests against `none` with `op` (`P == none`, `none != P`), if it is such a
/// presence test.
fn presence_test(expr: &Expr, want: BinaryOp) -> Option<String> {
    let ExprKind::Binary { op, lhs, rhs } = &expr.kind else {
        return None;
    };
    if *op != want {
        return None;
    }
    if is_none_literal(rhs) {
        path_of(lhs)
    } else if is_none_literal(lhs) {
        path_of(rhs)
    } else {
        None
    }
}

/// Pushes onto `out` the paths that are not `none` whenever `expr` holds.
pub(super) fn when_true(expr: &Expr, out: &mut Vec<String>) {
    match &expr.kind {
        ExprKind::Paren(inner) => when_true(inner, out),
        ExprKind::Unary {
            op: UnaryOp::Not,
            operand,
        } => when_false(operand, out),
        ExprKind::Binary {
            op: BinaryOp::And,
            lhs,
            rhs,
        } => {
            when_true(lhs, out);
            when_true(rhs, out);
        }
        _ => out.extend(presence_test(expr, BinaryOp::Ne)),
    }
}

/// Pushes onto `out` the paths that are not `none` whenever `expr` is `false`.
pub(super) fn when_false(expr: &Expr, out: &mut Vec<String>) {
    match &expr.kind {
        ExprKind::Paren(inner) => when_false(inner, out),
        ExprKind::Unary {
            op: UnaryOp::Not,
            operand,
        } => when_true(operand, out),
        ExprKind::Binary {
            op: BinaryOp::Or,
            lhs,
            rhs,
        } => {
            when_false(lhs, out);
            when_false(rhs, out);
        }
        _ => out.extend(presence_test(expr, BinaryOp::Eq)),
    }
}

/// The keys each table param's default gives, by param name. Overrides merge over the
/// default key by key, so a key the default gives is always there.
pub(super) fn param_table_keys(module: &Module) -> BTreeMap<String, BTreeSet<String>> {
    module
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Param(p) => match &p.default.kind {
                ExprKind::Table(entries) => Some((
                    p.name.name.clone(),
                    entries.iter().map(|e| e.key.text().to_string()).collect(),
                )),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// A default to suggest in `P ?? DEFAULT` for an operand of type `ty`: only the highest name
/// of an ordered enum (an unknown severity is held to the strictest rule). Other defaults
/// (`0d`, `""`, `[]`, `false`) make some comparisons pass on a missing value, so the guard is
/// the rewrite suggested for them.
fn default_for(ty: &Type) -> Option<String> {
    let Type::Enum(e) = ty else { return None };
    let def = schema::enum_def(e)?;
    if !def.ordered {
        return None;
    }
    Some((*def.variants.last()?).to_string())
}

/// A default to suggest for an interpolated value: text reads naturally empty.
fn text_default_for(ty: &Type) -> Option<String> {
    match ty {
        Type::String => Some("\"\"".into()),
        other => default_for(other),
    }
}

/// Source text on one line (runs of whitespace become one space), for help lines.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Typer<'_> {
    /// `ty`, without its `?` when `expr` is a path narrowed here.
    pub(super) fn narrowed_type(&self, expr: &Expr, ty: Type) -> Type {
        if self.narrowed.is_empty() || !matches!(ty, Type::Optional(_)) {
            return ty;
        }
        match path_of(expr) {
            Some(path) if self.narrowed.contains(&path) => ty.unwrap_optional().clone(),
            _ => ty,
        }
    }

    /// Narrows, for what is checked next, the paths `expr` guarantees when it holds; returns
    /// the mark to restore with [`Typer::unnarrow`].
    pub(super) fn narrow_when_true(&mut self, expr: &Expr) -> usize {
        let mark = self.narrowed.len();
        when_true(expr, &mut self.narrowed);
        mark
    }

    /// Narrows the paths `expr` guarantees when it is `false` (the right side of `or`).
    pub(super) fn narrow_when_false(&mut self, expr: &Expr) -> usize {
        let mark = self.narrowed.len();
        when_false(expr, &mut self.narrowed);
        mark
    }

    /// Runs `f` with [`Typer::none_holds`] set to `holds`.
    pub(super) fn with_none_holds<T>(&mut self, holds: bool, f: impl FnOnce(&mut Self) -> T) -> T {
        let outer = std::mem::replace(&mut self.none_holds, holds);
        let out = f(self);
        self.none_holds = outer;
        out
    }

    /// Ends the narrowings made since `mark`.
    pub(super) fn unnarrow(&mut self, mark: usize) {
        self.narrowed.truncate(mark);
    }

    /// Whether `index` of the param table `base` always finds a value: the key is not
    /// optional and is a constant the default gives, or the default gives every name of the
    /// key's enum.
    pub(super) fn total_param_index(&self, base: &Expr, index: &Expr, index_ty: &Type) -> bool {
        let ExprKind::Name(table) = &base.kind else {
            return false;
        };
        if index_ty.is_optional() || index_ty.is_wildcard() || self.is_binding(&table.name) {
            return false;
        }
        let Some(keys) = self.param_keys.get(&table.name) else {
            return false;
        };
        let constant = match &index.kind {
            ExprKind::Name(key)
                if !self.is_binding(&key.name) && !self.params.contains_key(&key.name) =>
            {
                Some(key.name.clone())
            }
            ExprKind::Str(t) => t.as_plain(),
            _ => None,
        };
        if let Some(key) = constant {
            return keys.contains(&key);
        }
        match index_ty {
            Type::Enum(e) => {
                schema::enum_def(e).is_some_and(|d| d.variants.iter().all(|v| keys.contains(*v)))
            }
            _ => false,
        }
    }

    fn is_param_table_index(&self, expr: &Expr) -> bool {
        match &expr.kind {
            ExprKind::Index { base, .. } => {
                matches!(&base.kind, ExprKind::Name(n) if self.param_keys.contains_key(&n.name) && !self.is_binding(&n.name))
            }
            ExprKind::Paren(inner) => self.is_param_table_index(inner),
            _ => false,
        }
    }

    fn is_binding(&self, name: &str) -> bool {
        self.bindings.iter().any(|b| b.name == name)
    }

    /// Reports `operand` of type `ty` if it is optional, as an operand of `op` in `whole`;
    /// returns the type to go on with (plain after a report: one mistake is reported once).
    pub(super) fn operand(&mut self, operand: &Expr, ty: Type, op: &str, whole: Span) -> Type {
        let Type::Optional(plain) = ty else {
            return ty;
        };
        let text = one_line(self.src.slice(operand.span));
        if !self.reported_none.insert(text.clone()) {
            return *plain;
        }
        let bare = match &operand.kind {
            ExprKind::Paren(inner) => one_line(self.src.slice(inner.span)),
            _ => text.clone(),
        };
        let before = self.src.slice(Span::new(whole.start, operand.span.start));
        let after = self.src.slice(Span::new(operand.span.end, whole.end));
        let mut fixes = Vec::new();
        if let Some(default) = default_for(&plain) {
            fixes.push(format!(
                "handle the missing case: `{}`",
                one_line(&format!("{before}({bare} ?? {default}){after}"))
            ));
        }
        if path_of(operand).is_some() {
            // Guard the whole comparison, so that a missing value fails the way the context
            // needs: an `expect` does not hold, a `where` keeps the element.
            let arithmetic = matches!(op, "+" | "-" | "*");
            let guarded = match self.comparison {
                Some(span) => one_line(self.src.slice(span)),
                None if arithmetic => "...".to_string(),
                None => one_line(self.src.slice(whole)),
            };
            fixes.push(if self.none_holds {
                format!("guard it: `{text} == none or {guarded}`")
            } else {
                format!("guard it: `{text} != none and {guarded}`")
            });
        }
        let help = if !fixes.is_empty() {
            fixes.join(", or ")
        } else if self.is_param_table_index(operand) {
            format!(
                "a key the param's default does not give reads none: give it in the default, read it with a key that is not optional, or handle the missing case: `({bare} ?? DEFAULT)`"
            )
        } else {
            format!(
                "handle the missing case: `({bare} ?? DEFAULT)`, DEFAULT being what a missing value counts as, or guard the comparison with a `!= none` test of what it is computed from"
            )
        };
        let ty = Type::Optional(plain.clone());
        let d = self
            .diag(
                Code::UnhandledNone,
                operand.span,
                format!("`{text}` may be none here, and `{op}` would not know what to do with it"),
            )
            .with_label(operand.span, format!("this is `{ty}`"))
            .with_help(help);
        self.report(d);
        *plain
    }

    /// Checks the operands of `lhs op rhs` against the rule; returns their types to go on with.
    pub(super) fn binary_operands(
        &mut self,
        op: BinaryOp,
        lhs: &Expr,
        a: Type,
        rhs: &Expr,
        b: Type,
    ) -> (Type, Type) {
        let checked = match op {
            BinaryOp::Eq | BinaryOp::Ne => !is_none_literal(lhs) && !is_none_literal(rhs),
            BinaryOp::And | BinaryOp::Or | BinaryOp::Coalesce => false,
            _ => true,
        };
        if !checked {
            return (a, b);
        }
        let whole = lhs.span.to(rhs.span);
        let a = self.operand(lhs, a, op.as_str(), whole);
        let b = self.operand(rhs, b, op.as_str(), whole);
        (a, b)
    }

    /// Checks a string used as a value: interpolating `none` would write the text `none`
    /// into it. (An `else` message may interpolate `none`: it is shown to people.)
    pub(super) fn value_template(&mut self, t: &Template) {
        for part in &t.parts {
            let TemplatePart::Expr(e) = part else {
                continue;
            };
            let ty = self.infer(e);
            let Type::Optional(plain) = &ty else {
                continue;
            };
            let text = one_line(self.src.slice(e.span));
            if !self.reported_none.insert(text.clone()) {
                continue;
            }
            let mut help = match text_default_for(plain) {
                Some(default) => format!("handle the missing case: `{{{text} ?? {default}}}`"),
                None => format!("handle the missing case: `{{{text} ?? DEFAULT}}`"),
            };
            if path_of(e).is_some() {
                help.push_str(&format!(", or test `{text} != none` first"));
            }
            let d = self
                .diag(
                    Code::UnhandledNone,
                    e.span,
                    format!("`{text}` may be none here, and the text would read `none`"),
                )
                .with_label(e.span, format!("this is `{ty}`"))
                .with_help(help);
            self.report(d);
        }
    }

    /// Checks the condition of a `where`: an unknown condition keeps the element as a
    /// failure at run time, so a `bool?` condition must say what a missing value means.
    pub(super) fn where_condition(&mut self, expr: &Expr) {
        let ty = self.with_none_holds(true, |t| t.condition(expr, "`where`"));
        if !matches!(ty, Type::Optional(_)) {
            return;
        }
        let text = one_line(self.src.slice(expr.span));
        let cond = if path_of(expr).is_some() || matches!(expr.kind, ExprKind::Paren(_)) {
            text.clone()
        } else {
            format!("({text})")
        };
        let d = self
            .diag(
                Code::UnhandledNone,
                expr.span,
                "this `where` condition may be none, and the element would be kept as a failure at run time",
            )
            .with_label(expr.span, format!("this is `{ty}`"))
            .with_help(format!(
                "say what a missing value means: `where {cond} ?? false` skips the element, `where {cond} ?? true` checks it"
            ));
        self.report(d);
    }
}
