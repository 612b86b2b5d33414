//! Expressions, literals and types.
//!
//! Every expression is printed as parsed: the same tokens in the same order, so the output
//! re-parses to the same tree. `Paren` nodes are kept and no parentheses are added: the parser
//! is left-associative and keeps the author's parentheses, so the tree never needs new ones.
//!
//! Layout, when a construct does not fit in the line:
//! - lists, tables and call arguments break one element per line with a trailing comma;
//! - a chain of operators of one precedence (`a and b and c`) breaks after each operator, the
//!   operands indented one level;
//! - a quantifier breaks inside its parentheses, its condition indented one level more;
//! - string interpolations never break.
//!
//! A comment inside an expression stays where it was, between the same two tokens; the
//! expression breaks around it (a list, table or call one element per line), and after a
//! comment the next token starts a new line.

use super::Formatter;
use super::doc::Doc;
use crate::ast::*;

impl Formatter<'_> {
    /// An expression.
    pub(super) fn expr(&mut self, e: &Expr) -> Doc {
        match &e.kind {
            ExprKind::Bool(b) => Doc::str(if *b { "true" } else { "false" }),
            ExprKind::Int(n) => Doc::string(n.to_string()),
            ExprKind::Number(n) => Doc::string(number(*n)),
            ExprKind::Str(t) => self.template(t),
            ExprKind::Duration(d) => Doc::string(d.to_string()),
            ExprKind::Date(d) => Doc::string(d.to_string()),
            ExprKind::DateTime(t) => {
                let canonical = t.to_string();
                // A time zone offset can move a year written with four digits outside them; the
                // grammar has no other form, so such a literal keeps its written form.
                let shown = if canonical.starts_with(|c: char| c.is_ascii_digit()) {
                    canonical
                } else {
                    self.text
                        .get(e.span.range())
                        .map_or(canonical, str::to_string)
                };
                Doc::string(shown)
            }
            ExprKind::None => Doc::str("none"),
            ExprKind::List(items) => self.list(items, e.span.end),
            ExprKind::Table(entries) => self.table(entries, e.span.end),
            ExprKind::Name(name) => Doc::string(name.name.clone()),
            ExprKind::Member { base, field } => {
                let base = self.expr(base);
                let gap = self.gap(field.span.start);
                let field = Doc::string(field.name.clone());
                Doc::concat(vec![
                    base,
                    Doc::indent(Doc::concat(vec![gap, Doc::str("."), field])),
                ])
            }
            ExprKind::Index { base, index } => {
                let base = self.expr(base);
                let before = self.gap(index.span.start);
                let index = self.expr(index);
                let after = self.gap(e.span.end);
                let index = Doc::indent(Doc::concat(vec![before, index, after]));
                Doc::concat(vec![base, Doc::str("["), index, Doc::str("]")])
            }
            ExprKind::Call { func, args, method } => self.call(func, args, *method, e.span.end),
            ExprKind::Unary { op, operand } => {
                let gap = self.gap(operand.span.start);
                let space = if *op == UnaryOp::Not {
                    Doc::Space
                } else {
                    Doc::Nil
                };
                let operand = Doc::indent(Doc::concat(vec![gap, space, self.expr(operand)]));
                Doc::concat(vec![Doc::str(op.as_str()), operand])
            }
            ExprKind::Binary { .. } => self.chain(e),
            ExprKind::Quantifier(q) => self.quantifier(q, e.span.end),
            ExprKind::Paren(inner) => {
                let before = self.gap(inner.span.start);
                let inner = self.expr(inner);
                let after = self.gap(e.span.end);
                let inner = Doc::indent(Doc::concat(vec![before, inner, after]));
                Doc::concat(vec![Doc::str("("), inner, Doc::str(")")])
            }
        }
    }

    /// `a OP b OP c`: the left-nested operators of one precedence, as one group that breaks
    /// after every operator.
    fn chain(&mut self, e: &Expr) -> Doc {
        let mut spine = Vec::new();
        let mut first = e;
        let precedence = match &e.kind {
            ExprKind::Binary { op, .. } => op.precedence(),
            _ => 0,
        };
        while let ExprKind::Binary { op, lhs, rhs } = &first.kind {
            if op.precedence() != precedence {
                break;
            }
            spine.push((*op, rhs.as_ref()));
            first = lhs;
        }
        let first = self.expr(first);
        let mut rest = Vec::new();
        for (op, rhs) in spine.into_iter().rev() {
            rest.extend([
                Doc::Space,
                Doc::str(op.as_str()),
                self.gap(rhs.span.start),
                Doc::Line,
            ]);
            rest.push(self.expr(rhs));
        }
        Doc::group(Doc::concat(vec![first, Doc::indent(Doc::concat(rest))]))
    }

    fn call(&mut self, func: &Ident, args: &[Expr], method: bool, end: usize) -> Doc {
        let name = Doc::string(func.name.clone());
        match args.split_first() {
            Some((receiver, rest)) if method => {
                let receiver = self.expr(receiver);
                let gap = self.gap(func.span.start);
                let args = self.delimited(("(", ")"), rest, end, Sep::Comma, Edge::Tight);
                if gap.is_nil() {
                    Doc::concat(vec![receiver, Doc::str("."), name, args])
                } else {
                    Doc::concat(vec![
                        receiver,
                        Doc::indent(Doc::concat(vec![gap, Doc::str("."), name, args])),
                    ])
                }
            }
            _ => {
                // `all(x in xs,)` is a call; without its comma it would read as a quantifier.
                let sep = if looks_like_quantifier(func, args) {
                    Sep::CommaAlways
                } else {
                    Sep::Comma
                };
                Doc::concat(vec![
                    name,
                    self.delimited(("(", ")"), args, end, sep, Edge::Tight),
                ])
            }
        }
    }

    fn list(&mut self, items: &[Expr], end: usize) -> Doc {
        self.delimited(("[", "]"), items, end, Sep::Comma, Edge::Tight)
    }

    fn table(&mut self, entries: &[TableEntry], end: usize) -> Doc {
        self.delimited(("{", "}"), entries, end, Sep::Comma, Edge::Spaced)
    }

    /// `open elem, elem close`, one element per line if it does not fit.
    pub(super) fn delimited<T: Element>(
        &mut self,
        (open, close): (&'static str, &'static str),
        elems: &[T],
        end: usize,
        sep: Sep,
        edge: Edge,
    ) -> Doc {
        let mut inner = Vec::new();
        for (i, elem) in elems.iter().enumerate() {
            if i > 0 {
                inner.push(match sep {
                    Sep::Comma | Sep::CommaAlways => Doc::str(","),
                    Sep::CommaIfFlat => Doc::IfFlat(","),
                });
            }
            inner.push(self.gap(elem.start()));
            inner.push(match (i, edge) {
                (0, Edge::Tight) => Doc::SoftLine,
                _ => Doc::Line,
            });
            inner.push(elem.doc(self));
        }
        if !elems.is_empty() {
            inner.push(match sep {
                Sep::Comma => Doc::IfBreak(","),
                Sep::CommaAlways => Doc::str(","),
                Sep::CommaIfFlat => Doc::Nil,
            });
        }
        let trailing = self.gap(end);
        let empty = elems.is_empty() && trailing.is_nil();
        inner.push(trailing);
        if empty {
            return Doc::string(format!("{open}{close}"));
        }
        let last = match edge {
            Edge::Spaced if !elems.is_empty() => Doc::Line,
            _ => Doc::SoftLine,
        };
        Doc::group(Doc::concat(vec![
            Doc::str(open),
            Doc::indent(Doc::concat(inner)),
            last,
            Doc::str(close),
        ]))
    }

    fn quantifier(&mut self, q: &Quantifier, end: usize) -> Doc {
        let mut inner = vec![
            self.gap(q.var.span.start),
            Doc::SoftLine,
            Doc::string(q.var.name.clone()),
            Doc::Space,
        ];
        inner.extend([Doc::str("in"), self.gap(q.iter.span.start), Doc::Space]);
        inner.push(self.expr(&q.iter));
        if let Some(filter) = &q.filter {
            inner.extend([
                self.gap(filter.span.start),
                Doc::Space,
                Doc::str("where"),
                Doc::Space,
            ]);
            inner.push(self.expr(filter));
        }
        if let Some(body) = &q.body {
            inner.extend([Doc::str(":"), self.gap(body.span.start)]);
            let body = self.expr(body);
            inner.push(Doc::indent(Doc::concat(vec![Doc::Line, body])));
        }
        inner.push(self.gap(end));
        Doc::group(Doc::concat(vec![
            Doc::str(q.kind.as_str()),
            Doc::str("("),
            Doc::indent(Doc::concat(inner)),
            Doc::SoftLine,
            Doc::str(")"),
        ]))
    }

    /// A string that may interpolate: `"text {expr} text"`.
    pub(super) fn template(&mut self, t: &Template) -> Doc {
        let mut parts = Vec::new();
        let mut buf = String::from("\"");
        for part in &t.parts {
            match part {
                TemplatePart::Text(text) => escape_into(&mut buf, text),
                TemplatePart::Expr(e) => {
                    buf.push('{');
                    parts.push(Doc::string(std::mem::take(&mut buf)));
                    parts.push(self.gap(e.span.start));
                    parts.push(Doc::flat(self.expr(e)));
                    let close = self.comments.skip_trivia(e.span.end);
                    parts.push(self.gap(close));
                    buf.push('}');
                }
            }
        }
        buf.push('"');
        parts.push(Doc::string(buf));
        Doc::concat(parts)
    }

    /// A type: `duration`, `table<severity, duration>`, `date?`.
    pub(super) fn type_expr(&mut self, t: &TypeExpr) -> Doc {
        let mut parts = vec![Doc::string(t.name.name.clone())];
        if !t.args.is_empty() {
            let mut args = Vec::new();
            for (i, arg) in t.args.iter().enumerate() {
                if i > 0 {
                    args.extend([Doc::str(","), Doc::Space]);
                }
                args.push(self.gap(arg.span.start));
                args.push(self.type_expr(arg));
            }
            parts.extend([Doc::str("<"), Doc::indent(Doc::concat(args)), Doc::str(">")]);
        }
        if t.optional {
            parts.push(Doc::str("?"));
        }
        Doc::concat(parts)
    }
}

/// What separates the elements of a [`Formatter::delimited`] list.
#[derive(Clone, Copy)]
pub(super) enum Sep {
    /// Commas, and a trailing comma when broken.
    Comma,
    /// Commas, and a trailing comma always.
    CommaAlways,
    /// Commas when flat, nothing when broken (`with { ... }` overrides: one per line).
    CommaIfFlat,
}

/// Whether a flat [`Formatter::delimited`] list has spaces inside its brackets.
#[derive(Clone, Copy)]
pub(super) enum Edge {
    /// `[a, b]`
    Tight,
    /// `{ a: 1 }`
    Spaced,
}

/// An element of a bracketed list.
pub(super) trait Element {
    /// Where it starts in the source.
    fn start(&self) -> usize;
    /// Its document.
    fn doc(&self, f: &mut Formatter<'_>) -> Doc;
}

impl Element for Expr {
    fn start(&self) -> usize {
        self.span.start
    }

    fn doc(&self, f: &mut Formatter<'_>) -> Doc {
        f.expr(self)
    }
}

impl Element for TableEntry {
    fn start(&self) -> usize {
        self.key.span().start
    }

    fn doc(&self, f: &mut Formatter<'_>) -> Doc {
        let key = match &self.key {
            TableKey::Name(name) => Doc::string(name.name.clone()),
            TableKey::Str(s) => str_lit(&s.value),
        };
        let gap = f.gap(self.value.span.start);
        Doc::concat(vec![
            key,
            Doc::str(":"),
            gap,
            Doc::Space,
            f.expr(&self.value),
        ])
    }
}

impl Element for Field {
    fn start(&self) -> usize {
        self.span.start
    }

    fn doc(&self, f: &mut Formatter<'_>) -> Doc {
        f.field(self)
    }
}

/// Whether `func(args)` without a trailing comma would parse as a quantifier: the function is
/// named like one and its only argument starts with `name in`.
fn looks_like_quantifier(func: &Ident, args: &[Expr]) -> bool {
    let [arg] = args else { return false };
    if !matches!(func.name.as_str(), "all" | "any" | "none" | "count") {
        return false;
    }
    let mut e = arg;
    while let ExprKind::Binary { op, lhs, .. } = &e.kind {
        if matches!(lhs.kind, ExprKind::Name(_)) {
            return *op == BinaryOp::In;
        }
        e = lhs;
    }
    false
}

/// A number that reads back as the same `f64` and always has a decimal point: `7.5`, `10.0`.
pub(super) fn number(n: f64) -> String {
    // `Display` for `f64` is the shortest text that reads back exactly, and never uses exponents.
    let mut s = n.to_string();
    if !s.contains('.') {
        s.push_str(".0");
    }
    s
}

/// A quoted string without interpolation.
pub(super) fn str_lit(value: &str) -> Doc {
    let mut buf = String::from("\"");
    escape_into(&mut buf, value);
    buf.push('"');
    Doc::string(buf)
}

/// Appends `text` escaped for a string literal: quotes, backslashes, `{` and control
/// characters are escaped; everything else is written as is.
fn escape_into(buf: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '"' => buf.push_str("\\\""),
            '\\' => buf.push_str("\\\\"),
            '{' => buf.push_str("\\{"),
            '\n' => buf.push_str("\\n"),
            '\t' => buf.push_str("\\t"),
            '\r' => buf.push_str("\\r"),
            c if c.is_control() => buf.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => buf.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_value_and_a_decimal_point() {
        for (n, text) in [
            (7.5, "7.5"),
            (10.0, "10.0"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e21, "1000000000000000000000.0"),
        ] {
            assert_eq!(number(n), text);
            assert_eq!(number(n).parse::<f64>().ok(), Some(n));
        }
        let tiny = number(1e-7);
        assert_eq!(tiny, "0.0000001");
    }

    #[test]
    fn strings_are_escaped() {
        let mut buf = String::new();
        escape_into(&mut buf, "a\"b\\c{d}e\nf\tg\rh\u{1}i\u{7f}é");
        assert_eq!(buf, r#"a\"b\\c\{d}e\nf\tg\rh\u{1}i\u{7f}é"#);
    }
}
