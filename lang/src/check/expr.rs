//! Types expressions against the schema, params and local bindings (statements: `stmt.rs`).

use std::collections::{BTreeMap, BTreeSet};

use super::builtins::{self, BUILTINS};
use super::suggest;
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::schema;
use crate::source::Source;
use crate::span::Span;
use crate::types::Type;

/// A `let` or loop variable in scope.
pub(super) struct Binding {
    pub(super) name: String,
    pub(super) ty: Type,
    pub(super) span: Span,
    pub(super) used: bool,
    pub(super) is_let: bool,
}

/// The typing context of one module: its params, the bindings in scope, and the diagnostics.
pub(super) struct Typer<'a> {
    pub(super) src: &'a Source,
    pub(super) params: &'a BTreeMap<String, (Type, Span)>,
    pub(super) used_params: BTreeSet<String>,
    pub(super) diags: &'a mut Vec<Diagnostic>,
    pub(super) bindings: Vec<Binding>,
    /// Paths known not to be `none` where the checker is (see `narrow.rs`).
    pub(super) narrowed: Vec<String>,
    /// Optional operands already reported in the current statement (each is reported once).
    pub(super) reported_none: BTreeSet<String>,
    /// The keys each table param's default gives, by param name.
    pub(super) param_keys: BTreeMap<String, BTreeSet<String>>,
    /// Whether a missing value should make the condition being checked hold (in a `where`,
    /// to keep the element; flipped by `not`): says which guard fails closed.
    pub(super) none_holds: bool,
    /// The comparison whose operands are being checked, to guard as a whole.
    pub(super) comparison: Option<Span>,
}

impl<'a> Typer<'a> {
    pub(super) fn new(
        src: &'a Source,
        params: &'a BTreeMap<String, (Type, Span)>,
        diags: &'a mut Vec<Diagnostic>,
    ) -> Self {
        Typer {
            src,
            params,
            used_params: BTreeSet::new(),
            diags,
            bindings: Vec::new(),
            narrowed: Vec::new(),
            reported_none: BTreeSet::new(),
            param_keys: BTreeMap::new(),
            none_holds: false,
            comparison: None,
        }
    }

    /// Records a diagnostic.
    pub(super) fn report(&mut self, diag: Diagnostic) {
        self.diags.push(diag);
    }

    /// An error in this module's source.
    pub(super) fn diag(&self, code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(code, self.src.clone(), span, message)
    }

    // ---- expressions -----------------------------------------------------------------------

    /// Checks that `expr` has a type that fits `expected` (lists fit where sets are expected,
    /// table keys that are names are read as constants of the key type). Returns the type
    /// found (the expected one for a table or list literal checked element by element).
    pub(super) fn expect_type(&mut self, expr: &Expr, expected: &Type) -> Type {
        let actual = match (&expr.kind, expected.unwrap_optional()) {
            (ExprKind::Table(entries), Type::Table(key, value)) => {
                self.table_against(entries, key, value);
                return expected.clone();
            }
            (ExprKind::List(items), Type::List(elem) | Type::Set(elem)) => {
                for item in items {
                    self.expect_type(item, elem);
                }
                return expected.clone();
            }
            _ => self.infer(expr),
        };
        if !actual.fits(expected) {
            let d = self
                .diag(
                    Code::TypeMismatch,
                    expr.span,
                    format!("expected `{expected}`, found `{actual}`"),
                )
                .with_label(expr.span, format!("this is `{actual}`"));
            self.report(d);
        }
        actual
    }

    fn table_against(&mut self, entries: &[TableEntry], key: &Type, value: &Type) {
        self.table_keys(entries, key);
        for entry in entries {
            self.expect_type(&entry.value, value);
        }
    }

    fn table_keys(&mut self, entries: &[TableEntry], key: &Type) {
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for entry in entries {
            if let Some(first) = seen.insert(entry.key.text(), entry.key.span()) {
                let d = self
                    .diag(
                        Code::TypeMismatch,
                        entry.key.span(),
                        format!("key `{}` is given twice", entry.key.text()),
                    )
                    .with_label(first, "first given here");
                self.report(d);
            }
            match (&entry.key, key) {
                (TableKey::Name(name), Type::Enum(e)) => {
                    let variants = schema::enum_def(e).map(|d| d.variants).unwrap_or(&[]);
                    if !variants.contains(&name.name.as_str()) {
                        let help = suggest::help_for(
                            &name.name,
                            &format!("`{e}` names"),
                            variants.iter().copied(),
                        );
                        let d = self
                            .diag(
                                Code::TypeMismatch,
                                name.span,
                                format!("`{}` is not a `{e}`", name.name),
                            )
                            .with_help(help);
                        self.report(d);
                    }
                }
                (TableKey::Str(_), Type::String) | (_, Type::Error | Type::Unknown) => {}
                (TableKey::Name(name), Type::String) => {
                    let d = self.diag(
                        Code::TypeMismatch,
                        name.span,
                        format!("keys of this table are strings: write `\"{}\"`", name.name),
                    );
                    self.report(d);
                }
                (k, other) => {
                    let d = self.diag(
                        Code::TypeMismatch,
                        k.span(),
                        format!("expected a key of type `{other}`"),
                    );
                    self.report(d);
                }
            }
        }
    }

    /// Infers the type of an expression, reporting every problem once.
    pub(super) fn infer(&mut self, expr: &Expr) -> Type {
        match &expr.kind {
            ExprKind::Bool(_) => Type::Bool,
            ExprKind::Int(_) => Type::Int,
            ExprKind::Number(_) => Type::Number,
            ExprKind::Str(t) => {
                self.value_template(t);
                Type::String
            }
            ExprKind::Duration(_) => Type::Duration,
            ExprKind::Date(_) => Type::Date,
            ExprKind::DateTime(_) => Type::DateTime,
            ExprKind::None => Type::NoneLit,
            ExprKind::List(items) => {
                let mut elem = Type::Unknown;
                for item in items {
                    let ty = self.infer(item);
                    elem = self.unify(elem, ty, item.span, "list elements");
                }
                Type::List(Box::new(elem))
            }
            ExprKind::Table(entries) => self.infer_table(entries),
            ExprKind::Name(id) => {
                let ty = self.name(id);
                self.narrowed_type(expr, ty)
            }
            ExprKind::Member { base, field } => {
                let base_ty = self.infer(base);
                let ty = self.member(&base_ty, base.span, field);
                self.narrowed_type(expr, ty)
            }
            ExprKind::Index { base, index } => self.index(base, index),
            ExprKind::Call { func, args, .. } => self.call(func, args),
            ExprKind::Unary { op, operand } => self.unary(*op, operand, expr.span),
            ExprKind::Binary { op, lhs, rhs } => super::ops::binary(self, *op, lhs, rhs),
            ExprKind::Quantifier(q) => self.quantifier(q),
            ExprKind::Paren(inner) => self.infer(inner),
        }
    }

    /// Checks the interpolations of an `else` message (they may be `none`: it reads `none`).
    pub(super) fn template(&mut self, t: &Template) {
        for part in &t.parts {
            if let TemplatePart::Expr(e) = part {
                self.infer(e);
            }
        }
    }

    fn unify(&mut self, a: Type, b: Type, span: Span, what: &str) -> Type {
        if b.fits(&a) {
            return if a == Type::Unknown { b } else { a };
        }
        if a.fits(&b) {
            return b;
        }
        let d = self
            .diag(
                Code::TypeMismatch,
                span,
                format!("{what} must have one type: `{a}` and `{b}` differ"),
            )
            .with_label(span, format!("this is `{b}`"));
        self.report(d);
        Type::Error
    }

    fn infer_table(&mut self, entries: &[TableEntry]) -> Type {
        let enum_key = entries
            .iter()
            .try_fold(None::<&'static str>, |acc, e| match &e.key {
                TableKey::Name(n) => {
                    let e = schema::enum_of_variant(&n.name)?;
                    match acc {
                        Some(prev) if prev != e.name => None,
                        _ => Some(Some(e.name)),
                    }
                }
                TableKey::Str(_) => None,
            });
        let key = match enum_key {
            Some(Some(e)) => Type::Enum(e),
            _ => Type::String,
        };
        let mut value = Type::Unknown;
        for entry in entries {
            let ty = self.infer(&entry.value);
            value = self.unify(value, ty, entry.value.span, "table values");
        }
        self.table_keys(entries, &key);
        Type::Table(Box::new(key), Box::new(value))
    }

    fn name(&mut self, id: &Ident) -> Type {
        if let Some(b) = self.bindings.iter_mut().rev().find(|b| b.name == id.name) {
            b.used = true;
            return b.ty.clone();
        }
        if let Some((ty, _)) = self.params.get(&id.name) {
            self.used_params.insert(id.name.clone());
            return ty.clone();
        }
        if let Some(ty) = schema::root_type(&id.name) {
            return ty.clone();
        }
        if let Some(e) = schema::enum_of_variant(&id.name) {
            return Type::Enum(e.name);
        }
        let locals: Vec<&str> = self.bindings.iter().map(|b| b.name.as_str()).collect();
        let candidates = locals
            .into_iter()
            .chain(self.params.keys().map(String::as_str))
            .chain(schema::ROOTS.iter().map(|r| r.name))
            .chain(
                schema::ENUMS
                    .iter()
                    .flat_map(|e| e.variants.iter().copied()),
            );
        let help = suggest::help_for(&id.name, "names in scope", candidates);
        let d = self
            .diag(
                Code::UnknownName,
                id.span,
                format!("unknown name `{}`", id.name),
            )
            .with_label(id.span, "not a binding, param, evidence root or constant")
            .with_help(help);
        self.report(d);
        Type::Error
    }

    fn member(&mut self, base: &Type, base_span: Span, field: &Ident) -> Type {
        match base {
            Type::Error | Type::Unknown => Type::Error,
            Type::Optional(inner) => self.member(inner, base_span, field).optional(),
            Type::Record(record) => match schema::field_type(record, &field.name) {
                Some(ty) => ty.clone(),
                None => {
                    let fields = schema::record(record).map(|r| r.fields).unwrap_or(&[]);
                    let help = suggest::help_for(
                        &field.name,
                        &format!("fields of `{record}`"),
                        fields.iter().map(|f| f.name),
                    );
                    let d = self
                        .diag(
                            Code::UnknownField,
                            field.span,
                            format!("`{record}` has no field `{}`", field.name),
                        )
                        .with_label(field.span, "unknown field")
                        .with_help(help);
                    self.report(d);
                    Type::Error
                }
            },
            Type::List(_) | Type::Set(_) => {
                let d = self
                    .diag(
                        Code::TypeMismatch,
                        field.span,
                        format!("`{base}` has no field `{}`", field.name),
                    )
                    .with_label(base_span, format!("this is `{base}`, a collection"))
                    .with_help(format!(
                        "read it from each element: `all(x in ...: x.{})` or a `for` loop",
                        field.name
                    ));
                self.report(d);
                Type::Error
            }
            other => {
                let d = self
                    .diag(
                        Code::TypeMismatch,
                        field.span,
                        format!("`{other}` has no field `{}`", field.name),
                    )
                    .with_label(base_span, format!("this is `{other}`"));
                self.report(d);
                Type::Error
            }
        }
    }

    fn index(&mut self, base: &Expr, index: &Expr) -> Type {
        let base_ty = self.infer(base);
        let result = match base_ty.unwrap_optional() {
            Type::Error | Type::Unknown => {
                self.infer(index);
                return Type::Error;
            }
            Type::Table(key, value) => {
                let index_ty = self.expect_type(index, &key.as_ref().clone().optional());
                if self.total_param_index(base, index, &index_ty) {
                    // A key the param's default gives is always there.
                    return value.as_ref().clone();
                }
                value.as_ref().clone()
            }
            Type::List(elem) => {
                self.expect_type(index, &Type::Int);
                elem.as_ref().clone()
            }
            other => {
                let d = self
                    .diag(
                        Code::TypeMismatch,
                        base.span,
                        format!("`{other}` cannot be indexed"),
                    )
                    .with_label(base.span, format!("this is `{other}`"))
                    .with_help("only tables (by key) and lists (by position) can be indexed");
                self.report(d);
                self.infer(index);
                return Type::Error;
            }
        };
        // A missing key or position gives `none`.
        result.optional()
    }

    fn call(&mut self, func: &Ident, args: &[Expr]) -> Type {
        let types: Vec<Type> = args.iter().map(|a| self.infer(a)).collect();
        let Some(f) = builtins::builtin(&func.name) else {
            let mut help =
                suggest::help_for(&func.name, "functions", BUILTINS.iter().map(|b| b.name));
            if matches!(func.name.as_str(), "all" | "any" | "count") {
                help = format!(
                    "`{}` is a quantifier: `{}(x in collection: condition)`",
                    func.name, func.name
                );
            }
            let d = self
                .diag(
                    Code::UnknownFunction,
                    func.span,
                    format!("unknown function `{}`", func.name),
                )
                .with_help(help);
            self.report(d);
            return Type::Error;
        };
        if args.len() != f.arity {
            let d = self
                .diag(
                    Code::WrongArity,
                    func.span,
                    format!(
                        "`{}` takes {} argument{}, found {}",
                        f.name,
                        f.arity,
                        if f.arity == 1 { "" } else { "s" },
                        args.len()
                    ),
                )
                .with_help(f.signature.to_string());
            self.report(d);
            return Type::Error;
        }
        if types.contains(&Type::Error) {
            return Type::Error;
        }
        match builtins::result_type(f, &types) {
            Ok(ty) => ty,
            Err(err) => {
                let span = args.get(err.index).map_or(func.span, |a| a.span);
                let found = types.get(err.index).cloned().unwrap_or(Type::Error);
                let d = self
                    .diag(
                        Code::TypeMismatch,
                        span,
                        format!("`{}` needs {} here, found `{found}`", f.name, err.expected),
                    )
                    .with_label(span, format!("this is `{found}`"))
                    .with_help(f.signature.to_string());
                self.report(d);
                Type::Error
            }
        }
    }

    fn unary(&mut self, op: UnaryOp, operand: &Expr, span: Span) -> Type {
        let ty = if op == UnaryOp::Not {
            let holds = !self.none_holds;
            self.with_none_holds(holds, |t| t.infer(operand))
        } else {
            self.infer(operand)
        };
        let plain = ty.unwrap_optional().clone();
        let ok = match op {
            UnaryOp::Not => plain.fits(&Type::Bool),
            UnaryOp::Neg => {
                matches!(plain, Type::Int | Type::Number | Type::Duration) || plain.is_wildcard()
            }
        };
        if !ok {
            let need = if op == UnaryOp::Not {
                "a `bool`"
            } else {
                "a number or a duration"
            };
            let d = self
                .diag(
                    Code::TypeMismatch,
                    span,
                    format!("`{}` needs {need}, found `{ty}`", op.as_str()),
                )
                .with_label(operand.span, format!("this is `{ty}`"));
            self.report(d);
            return Type::Error;
        }
        if op == UnaryOp::Neg {
            self.operand(operand, ty, op.as_str(), span);
            return plain;
        }
        if ty.is_optional() {
            plain.optional()
        } else {
            plain
        }
    }

    fn quantifier(&mut self, q: &Quantifier) -> Type {
        let what = format!("`{}`", q.kind.as_str());
        let elem = self.iterable(&q.iter, &what);
        let mark = self.bindings.len();
        self.bind(&q.var, elem, false);
        let narrowed = self.narrowed.len();
        if let Some(filter) = &q.filter {
            self.where_condition(filter);
            self.narrow_when_true(filter);
        }
        match &q.body {
            Some(body) => {
                // `none(x in xs: c)` holds when `c` does not.
                let holds = self.none_holds != (q.kind == QuantKind::None);
                self.with_none_holds(holds, |t| t.condition(body, &what));
            }
            None if q.kind != QuantKind::Count => {
                let d = self
                    .diag(
                        Code::TypeMismatch,
                        q.var.span,
                        format!("{what} needs a condition after `:`"),
                    )
                    .with_help(format!(
                        "write `{}({} in ...: condition)`",
                        q.kind.as_str(),
                        q.var.name
                    ));
                self.report(d);
            }
            None => {}
        }
        self.unnarrow(narrowed);
        self.pop_to(mark);
        if q.kind == QuantKind::Count {
            Type::Int
        } else {
            Type::Bool
        }
    }
}
