//! A compact, span-free S-expression rendering of the AST, for snapshot tests and for comparing
//! two parses (`parse(format(x))` against `parse(x)`).

use std::fmt::Write as _;

use crate::ast::*;

/// Renders a module, one item per line group, without spans or comments.
pub fn module(m: &Module) -> String {
    let mut out = String::new();
    for item in &m.items {
        out.push_str(&self::item(item));
        out.push('\n');
    }
    out
}

/// Renders one item.
pub fn item(item: &Item) -> String {
    match item {
        Item::Policy(p) => {
            format!(
                "(policy {:?}{}{})",
                p.name.value,
                doc(&p.doc),
                fields(&p.fields, 1)
            )
        }
        Item::Use(u) => {
            let path: Vec<&str> = u.path.iter().map(|i| i.name.as_str()).collect();
            format!("(use {}{})", path.join("."), overrides(&u.overrides))
        }
        Item::Import(i) => format!("(import {:?}{})", i.path.value, overrides(&i.overrides)),
        Item::Param(p) => {
            let bounds: String = p
                .bounds
                .iter()
                .map(|b| format!(" (where {} {})", b.op.as_str(), expr(&b.value)))
                .collect();
            format!(
                "(param {} {}{} {}{bounds})",
                p.name.name,
                ty(&p.ty),
                doc(&p.doc),
                expr(&p.default)
            )
        }
        Item::Control(c) => {
            let mut out = format!(
                "(control {:?}{}{}",
                c.id.value,
                doc(&c.doc),
                fields(&c.fields, 1)
            );
            for s in &c.body {
                out.push_str(&stmt(s, 1));
            }
            out.push(')');
            out
        }
    }
}

fn doc(doc: &Option<String>) -> String {
    doc.as_ref()
        .map(|d| format!(" (doc {d:?})"))
        .unwrap_or_default()
}

fn indent(level: usize) -> String {
    format!("\n{}", "  ".repeat(level))
}

fn fields(fields: &[Field], level: usize) -> String {
    fields
        .iter()
        .map(|f| format!("{}({} {})", indent(level), f.key.name, expr(&f.value)))
        .collect()
}

fn overrides(fields: &[Field]) -> String {
    if fields.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = fields
        .iter()
        .map(|f| format!("({} {})", f.key.name, expr(&f.value)))
        .collect();
    format!(" (with {})", parts.join(" "))
}

/// Renders a type.
pub fn ty(t: &TypeExpr) -> String {
    let mut out = t.name.name.clone();
    if !t.args.is_empty() {
        let args: Vec<String> = t.args.iter().map(ty).collect();
        let _ = write!(out, "<{}>", args.join(", "));
    }
    if t.optional {
        out.push('?');
    }
    out
}

fn stmt(s: &Stmt, level: usize) -> String {
    let pad = indent(level);
    match s {
        Stmt::For(f) => {
            let mut out = format!("{pad}(for {} {}", f.var.name, expr(&f.iter));
            if let Some(w) = &f.filter {
                let _ = write!(out, " (where {})", expr(w));
            }
            if let Some(w) = &f.when_empty {
                let _ = write!(out, " (when-empty {})", w.outcome.as_str());
            }
            for s in &f.body {
                out.push_str(&stmt(s, level + 1));
            }
            out.push(')');
            out
        }
        Stmt::Let(l) => format!("{pad}(let {} {})", l.name.name, expr(&l.value)),
        Stmt::Expect(e) => match &e.message {
            Some(m) => format!("{pad}(expect {} (else {}))", expr(&e.cond), template(m)),
            None => format!("{pad}(expect {})", expr(&e.cond)),
        },
        Stmt::Manual(m) => match &m.within {
            Some(w) => format!("{pad}(manual {:?} (within {}))", m.statement.value, expr(w)),
            None => format!("{pad}(manual {:?})", m.statement.value),
        },
    }
}

fn template(t: &Template) -> String {
    let parts: Vec<String> = t
        .parts
        .iter()
        .map(|p| match p {
            TemplatePart::Text(s) => format!("{s:?}"),
            TemplatePart::Expr(e) => expr(e),
        })
        .collect();
    format!("(str {})", parts.join(" "))
}

/// Renders an expression.
pub fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Int(n) => n.to_string(),
        ExprKind::Number(n) => format!("{n:?}"),
        ExprKind::Str(t) => match t.as_plain() {
            Some(s) => format!("{s:?}"),
            None => template(t),
        },
        ExprKind::Duration(d) => format!("(duration {} {:?})", d.amount, d.unit),
        ExprKind::Date(d) => format!("(date {d})"),
        ExprKind::DateTime(t) => format!("(datetime {t})"),
        ExprKind::None => "none".to_string(),
        ExprKind::List(items) => {
            let items: Vec<String> = items.iter().map(expr).collect();
            format!("[{}]", items.join(" "))
        }
        ExprKind::Table(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|en| format!("{:?}: {}", en.key.text(), expr(&en.value)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        ExprKind::Name(i) => i.name.clone(),
        ExprKind::Member { base, field } => format!("(. {} {})", expr(base), field.name),
        ExprKind::Index { base, index } => format!("(index {} {})", expr(base), expr(index)),
        ExprKind::Call { func, args, method } => {
            let args: Vec<String> = args.iter().map(expr).collect();
            let head = if *method { "method" } else { "call" };
            format!("({head} {} {})", func.name, args.join(" "))
        }
        ExprKind::Unary { op, operand } => format!("({} {})", op.as_str(), expr(operand)),
        ExprKind::Binary { op, lhs, rhs } => {
            format!("({} {} {})", op.as_str(), expr(lhs), expr(rhs))
        }
        ExprKind::Quantifier(q) => {
            let mut out = format!("({} {} {}", q.kind.as_str(), q.var.name, expr(&q.iter));
            if let Some(f) = &q.filter {
                let _ = write!(out, " (where {})", expr(f));
            }
            if let Some(b) = &q.body {
                let _ = write!(out, " {}", expr(b));
            }
            out.push(')');
            out
        }
        ExprKind::Paren(inner) => format!("(paren {})", expr(inner)),
    }
}
