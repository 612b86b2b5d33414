//! Types control statements: loops, `let` bindings and `expect`, and keeps the scope of
//! local bindings (no shadowing; unused `let`s are warned about).

use super::expr::{Binding, Typer};
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::schema;
use crate::span::Span;
use crate::types::Type;

impl Typer<'_> {
    /// Checks a block of statements in a new scope.
    /// An `expect` narrows what it guarantees in the statements after it: if it does not
    /// hold, the control already fails.
    pub(super) fn stmts(&mut self, stmts: &[Stmt]) {
        let mark = self.bindings.len();
        let narrowed = self.narrowed.len();
        for stmt in stmts {
            self.reported_none.clear();
            self.stmt(stmt);
            if let Stmt::Expect(e) = stmt {
                self.narrow_when_true(&e.cond);
            }
        }
        self.unnarrow(narrowed);
        self.pop_to(mark);
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::For(f) => {
                let elem = self.iterable(&f.iter, "`for`");
                let mark = self.bindings.len();
                let narrowed = self.narrowed.len();
                self.bind(&f.var, elem, false);
                if let Some(filter) = &f.filter {
                    self.where_condition(filter);
                    self.narrow_when_true(filter);
                }
                self.stmts(&f.body);
                self.unnarrow(narrowed);
                self.pop_to(mark);
            }
            Stmt::Let(l) => {
                let ty = self.infer(&l.value);
                self.bind(&l.name, ty, true);
            }
            Stmt::Expect(e) => {
                self.condition(&e.cond, "`expect`");
                if let Some(message) = &e.message {
                    self.template(message);
                }
            }
            Stmt::Manual(m) => {
                let d = self
                    .diag(
                        Code::InvalidControl,
                        m.span,
                        "`manual` must be the only statement of its control",
                    )
                    .with_help("put the human check in a control of its own");
                self.report(d);
            }
        }
    }

    /// Checks that `expr` is a condition (`bool`, or `bool?`: three-valued logic, and an
    /// unknown `expect` fails); returns its type.
    pub(super) fn condition(&mut self, expr: &Expr, what: &str) -> Type {
        let ty = self.infer(expr);
        if !ty.unwrap_optional().fits(&Type::Bool) || ty == Type::NoneLit {
            let d = self
                .diag(
                    Code::TypeMismatch,
                    expr.span,
                    format!("{what} needs a condition, found `{ty}`"),
                )
                .with_label(expr.span, format!("this is `{ty}`, not `bool`"));
            self.report(d);
        }
        ty
    }

    /// The element type of a collection to iterate, or `Error` after reporting why it is not one.
    pub(super) fn iterable(&mut self, expr: &Expr, what: &str) -> Type {
        let ty = self.infer(expr);
        if ty.is_wildcard() {
            return Type::Error;
        }
        match ty.element() {
            Some(elem) => elem.clone(),
            None => {
                let mut d = self
                    .diag(
                        Code::TypeMismatch,
                        expr.span,
                        format!("{what} needs a list or set, found `{ty}`"),
                    )
                    .with_label(expr.span, format!("this is `{ty}`"));
                if let Type::Table(..) = ty.unwrap_optional() {
                    d = d.with_help("tables are read by key: `table[key]`");
                }
                self.report(d);
                Type::Error
            }
        }
    }

    pub(super) fn bind(&mut self, name: &Ident, ty: Type, is_let: bool) {
        let previous = self
            .bindings
            .iter()
            .rev()
            .find(|b| b.name == name.name)
            .map(|b| (b.span, "a local binding"))
            .or_else(|| {
                self.params
                    .get(&name.name)
                    .map(|(_, span)| (*span, "a param"))
            })
            .or_else(|| {
                schema::root_type(&name.name).map(|_| (Span::default(), "an evidence root"))
            })
            .or_else(|| {
                schema::enum_of_variant(&name.name).map(|_| (Span::default(), "a constant"))
            });
        if let Some((span, what)) = previous {
            let mut d = self
                .diag(
                    Code::Shadowed,
                    name.span,
                    format!("`{}` already names {what}", name.name),
                )
                .with_label(name.span, "bound again here")
                .with_help("choose another name, so every name in a control means one thing");
            if span != Span::default() {
                d = d.with_label(span, "first bound here");
            }
            self.report(d);
        }
        self.bindings.push(Binding {
            name: name.name.clone(),
            ty,
            span: name.span,
            used: false,
            is_let,
        });
    }

    pub(super) fn pop_to(&mut self, mark: usize) {
        while self.bindings.len() > mark {
            let Some(b) = self.bindings.pop() else { break };
            if b.is_let && !b.used && !b.name.starts_with('_') {
                let d = Diagnostic::warning(
                    Code::UnusedBinding,
                    self.src.clone(),
                    b.span,
                    format!("`{}` is never used", b.name),
                )
                .with_help(format!(
                    "remove the `let`, or name it `_{}` to keep it",
                    b.name
                ));
                self.report(d);
            }
        }
    }
}
