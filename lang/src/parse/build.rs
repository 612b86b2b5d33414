//! Converts pest pairs of items and statements into the AST. Expressions are in [`super::expr`].

use std::cell::RefCell;

use pest::iterators::{Pair, Pairs};

use super::Rule;
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Source;
use crate::span::Span;

/// Builds AST nodes from pairs, collecting diagnostics for problems the grammar cannot see
/// (malformed literals, expressions nested too deeply).
pub(super) struct Builder<'s> {
    pub(super) source: &'s Source,
    comments: &'s [Comment],
    /// Where the parsed text starts in the source (non-zero for a chunk of a large file).
    offset: usize,
    diags: RefCell<Vec<Diagnostic>>,
}

/// The children of one pair, consumed in grammar order.
pub(super) struct Children<'i> {
    pairs: std::iter::Peekable<Pairs<'i, Rule>>,
    span: Span,
}

impl<'i> Children<'i> {
    pub(super) fn of(pair: Pair<'i, Rule>) -> Self {
        let span = pair.as_span().into();
        Children {
            pairs: pair.into_inner().peekable(),
            span,
        }
    }

    /// The next child if it is of `rule`.
    pub(super) fn next_if(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        self.pairs.next_if(|p| p.as_rule() == rule)
    }

    /// The next child, which the grammar guarantees is of `rule`.
    pub(super) fn expect(&mut self, b: &Builder<'_>, rule: Rule) -> Option<Pair<'i, Rule>> {
        let next = self.next_if(rule);
        if next.is_none() {
            b.internal(self.span.shifted(b.offset), &format!("expected {rule:?}"));
        }
        next
    }

    /// Every remaining child.
    pub(super) fn rest(self) -> impl Iterator<Item = Pair<'i, Rule>> {
        self.pairs
    }
}

impl<'s> Builder<'s> {
    /// A builder for pairs parsed from the source text starting at byte `offset`.
    pub(super) fn new(source: &'s Source, comments: &'s [Comment], offset: usize) -> Self {
        Builder {
            source,
            comments,
            offset,
            diags: RefCell::new(Vec::new()),
        }
    }

    /// A name; a keyword written where a name goes is reported (the grammar does not exclude
    /// keywords from names, for speed).
    pub(super) fn ident(&self, pair: &Pair<'_, Rule>) -> Ident {
        let ident = Ident {
            name: pair.as_str().to_string(),
            span: self.raw_span(pair),
        };
        if KEYWORDS.binary_search(&ident.name.as_str()).is_ok() {
            self.report(
                self.error(
                    Code::Syntax,
                    ident.span,
                    format!("expected a name, found `{}`", ident.name),
                )
                .with_label(ident.span, "a keyword, not a name")
                .with_help("choose another name; keywords cannot name params, bindings or fields"),
            );
        }
        ident
    }

    /// A field name after `.`: any word, keywords included, since fields are named by the
    /// evidence schema (`attestation.control`), and after a dot a word cannot be anything else.
    pub(super) fn field_name(&self, pair: &Pair<'_, Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.raw_span(pair),
        }
    }

    pub(super) fn finish(self) -> Vec<Diagnostic> {
        self.diags.into_inner()
    }

    /// The span of a pair in the whole source (pairs of a chunk count from the chunk's start).
    pub(super) fn raw_span(&self, pair: &Pair<'_, Rule>) -> Span {
        let span = pair.as_span();
        Span::new(span.start() + self.offset, span.end() + self.offset)
    }

    /// The span of a pair without the whitespace and comments pest counts into its end.
    pub(super) fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let span = self.raw_span(pair);
        // Fast path: a span that ends on a token has nothing to trim (a comment always ends
        // before a line break, which pest counts as white space).
        if !pair.as_str().ends_with(|c: char| c.is_ascii_whitespace()) {
            return span;
        }
        let text = self.source.text();
        let mut end = span.end;
        loop {
            let trimmed = text.get(span.start..end).map_or(0, |t| t.trim_end().len());
            end = span.start + trimmed;
            let idx = self.comments.partition_point(|c| c.span.end < end);
            match self.comments.get(idx) {
                Some(c) if c.span.end == end && c.span.start >= span.start => end = c.span.start,
                _ => break,
            }
        }
        Span::new(span.start, end)
    }

    pub(super) fn report(&self, diag: Diagnostic) {
        self.diags.borrow_mut().push(diag);
    }

    pub(super) fn error(&self, code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(code, self.source.clone(), span, message)
    }

    pub(super) fn internal(&self, span: Span, what: &str) {
        self.report(
            self.error(Code::Syntax, span, format!("internal parser error: {what}"))
                .with_help(
                    "this is a bug in vouch; please report it with the policy that caused it",
                ),
        );
    }

    /// The items of a parsed `file` pair.
    pub(super) fn items(&self, file: Pair<'_, Rule>) -> Vec<Item> {
        let mut items = Vec::new();
        for pair in file.into_inner() {
            let item = match pair.as_rule() {
                Rule::policy_decl => self.policy(pair).map(Item::Policy),
                Rule::use_decl => self.use_decl(pair).map(Item::Use),
                Rule::import_decl => self.import(pair).map(Item::Import),
                Rule::param_decl => self.param(pair).map(Item::Param),
                Rule::control_decl => self.control(pair).map(Item::Control),
                Rule::EOI => continue,
                other => {
                    self.internal(self.raw_span(&pair), &format!("unexpected {other:?}"));
                    None
                }
            };
            items.extend(item);
        }
        items
    }

    fn policy(&self, pair: Pair<'_, Rule>) -> Option<PolicyHeader> {
        let span = self.span(&pair);
        let mut c = Children::of(pair);
        c.next_if(Rule::kw_policy);
        let name = self.str_lit(c.expect(self, Rule::string)?)?;
        let fields = c.rest().filter_map(|p| self.field(p)).collect();
        Some(PolicyHeader {
            name,
            fields,
            doc: self.doc_before(span),
            span,
        })
    }

    fn use_decl(&self, pair: Pair<'_, Rule>) -> Option<UseDecl> {
        let span = self.span(&pair);
        let mut c = Children::of(pair);
        c.next_if(Rule::kw_use);
        let path = c
            .expect(self, Rule::module_path)?
            .into_inner()
            .map(|p| self.ident(&p))
            .collect();
        let overrides = self.with_clause(c.next_if(Rule::with_clause));
        Some(UseDecl {
            path,
            overrides,
            span,
        })
    }

    fn import(&self, pair: Pair<'_, Rule>) -> Option<ImportDecl> {
        let span = self.span(&pair);
        let mut c = Children::of(pair);
        c.next_if(Rule::kw_import);
        let path = self.str_lit(c.expect(self, Rule::string)?)?;
        let overrides = self.with_clause(c.next_if(Rule::with_clause));
        Some(ImportDecl {
            path,
            overrides,
            span,
        })
    }

    fn with_clause(&self, pair: Option<Pair<'_, Rule>>) -> Vec<Field> {
        pair.map(|p| {
            p.into_inner()
                .filter(|f| f.as_rule() == Rule::field)
                .filter_map(|f| self.field(f))
                .collect()
        })
        .unwrap_or_default()
    }

    fn param(&self, pair: Pair<'_, Rule>) -> Option<ParamDecl> {
        let span = self.span(&pair);
        let mut c = Children::of(pair);
        c.next_if(Rule::kw_param);
        let name = self.ident(&c.expect(self, Rule::ident)?);
        let ty = self.type_expr(c.expect(self, Rule::type_expr)?)?;
        let default = self.expr(c.expect(self, Rule::expr)?, 0)?;
        let bounds = match c.next_if(Rule::param_bounds) {
            Some(clause) => self.param_bounds(clause)?,
            None => Vec::new(),
        };
        Some(ParamDecl {
            name,
            ty,
            default,
            bounds,
            doc: self.doc_before(span),
            span,
        })
    }

    /// The comparisons of a param's `where` clause.
    fn param_bounds(&self, clause: Pair<'_, Rule>) -> Option<Vec<ParamBound>> {
        let mut bounds = Vec::new();
        for bound in clause.into_inner() {
            if bound.as_rule() != Rule::param_bound {
                continue;
            }
            let span = self.span(&bound);
            let mut parts = bound.into_inner();
            let op = match parts.next().map(|p| p.as_rule()) {
                Some(Rule::op_le) => BinaryOp::Le,
                Some(Rule::op_ge) => BinaryOp::Ge,
                Some(Rule::op_lt) => BinaryOp::Lt,
                Some(Rule::op_gt) => BinaryOp::Gt,
                _ => {
                    self.internal(span, "expected a comparison");
                    return None;
                }
            };
            let Some(value) = parts.next() else {
                self.internal(span, "expected a bound");
                return None;
            };
            let value = self.expr(value, 0)?;
            bounds.push(ParamBound { op, value, span });
        }
        Some(bounds)
    }

    fn type_expr(&self, pair: Pair<'_, Rule>) -> Option<TypeExpr> {
        let span = self.span(&pair);
        let mut c = Children::of(pair);
        let name = self.ident(&c.expect(self, Rule::ident)?);
        let args = match c.next_if(Rule::type_args) {
            Some(args) => args
                .into_inner()
                .filter_map(|a| self.type_expr(a))
                .collect(),
            None => Vec::new(),
        };
        let optional = c.next_if(Rule::optional_mark).is_some();
        Some(TypeExpr {
            name,
            args,
            optional,
            span,
        })
    }

    fn control(&self, pair: Pair<'_, Rule>) -> Option<ControlDecl> {
        let span = self.span(&pair);
        let mut c = Children::of(pair);
        c.next_if(Rule::kw_control);
        let id = self.str_lit(c.expect(self, Rule::string)?)?;
        let mut fields = Vec::new();
        let mut body = Vec::new();
        for child in c.rest() {
            if child.as_rule() == Rule::field {
                fields.extend(self.field(child));
            } else {
                body.extend(self.stmt(child, 0));
            }
        }
        Some(ControlDecl {
            id,
            doc: self.doc_before(span),
            fields,
            body,
            span,
        })
    }

    fn field(&self, pair: Pair<'_, Rule>) -> Option<Field> {
        let span = self.span(&pair);
        let mut c = Children::of(pair);
        let key = self.ident(&c.expect(self, Rule::ident)?);
        let value = self.expr(c.expect(self, Rule::expr)?, 0)?;
        Some(Field { key, value, span })
    }

    pub(super) fn stmt(&self, pair: Pair<'_, Rule>, depth: usize) -> Option<Stmt> {
        let span = self.span(&pair);
        if depth > super::expr::MAX_DEPTH {
            self.report(
                self.error(Code::TooDeep, span, "statements nest too deeply")
                    .with_help("split the control into several controls"),
            );
            return None;
        }
        let rule = pair.as_rule();
        let mut c = Children::of(pair);
        match rule {
            Rule::for_stmt => {
                c.next_if(Rule::kw_for);
                let var = self.ident(&c.expect(self, Rule::ident)?);
                c.next_if(Rule::kw_in);
                let iter = self.expr(c.expect(self, Rule::expr)?, depth + 1)?;
                let filter = match c.next_if(Rule::where_clause) {
                    Some(w) => Some(self.where_clause(w, depth + 1)?),
                    None => None,
                };
                let block = c.expect(self, Rule::block)?;
                let body = block
                    .into_inner()
                    .filter_map(|s| self.stmt(s, depth + 1))
                    .collect();
                let when_empty = c.next_if(Rule::when_empty).and_then(|w| self.when_empty(w));
                Some(Stmt::For(ForStmt {
                    var,
                    iter,
                    filter,
                    body,
                    when_empty,
                    span,
                }))
            }
            Rule::let_stmt => {
                c.next_if(Rule::kw_let);
                let name = self.ident(&c.expect(self, Rule::ident)?);
                let value = self.expr(c.expect(self, Rule::expr)?, depth + 1)?;
                Some(Stmt::Let(LetStmt { name, value, span }))
            }
            Rule::expect_stmt => {
                c.next_if(Rule::kw_expect);
                let cond = self.expr(c.expect(self, Rule::expr)?, depth + 1)?;
                let message = match c.next_if(Rule::else_clause) {
                    Some(e) => {
                        let mut e = Children::of(e);
                        e.next_if(Rule::kw_else);
                        Some(self.template(e.expect(self, Rule::string)?, depth + 1)?)
                    }
                    None => None,
                };
                Some(Stmt::Expect(ExpectStmt {
                    cond,
                    message,
                    span,
                }))
            }
            Rule::manual_stmt => {
                c.next_if(Rule::kw_manual);
                let statement = self.str_lit(c.expect(self, Rule::string)?)?;
                let within = match c.next_if(Rule::within_clause) {
                    Some(w) => {
                        let mut w = Children::of(w);
                        w.next_if(Rule::kw_within);
                        Some(self.expr(w.expect(self, Rule::expr)?, depth + 1)?)
                    }
                    None => None,
                };
                Some(Stmt::Manual(ManualStmt {
                    statement,
                    within,
                    span,
                }))
            }
            other => {
                self.internal(span, &format!("unexpected statement {other:?}"));
                None
            }
        }
    }

    pub(super) fn where_clause(&self, pair: Pair<'_, Rule>, depth: usize) -> Option<Expr> {
        let mut c = Children::of(pair);
        c.next_if(Rule::kw_where);
        self.expr(c.expect(self, Rule::expr)?, depth)
    }

    fn when_empty(&self, pair: Pair<'_, Rule>) -> Option<WhenEmpty> {
        let span = self.span(&pair);
        let mut c = Children::of(pair);
        c.next_if(Rule::kw_when);
        c.next_if(Rule::kw_empty);
        let outcome = match c.expect(self, Rule::empty_outcome)?.as_str() {
            "pass" => EmptyOutcome::Pass,
            "fail" => EmptyOutcome::Fail,
            _ => EmptyOutcome::NotApplicable,
        };
        Some(WhenEmpty { outcome, span })
    }

    /// A string that must not interpolate (ids, paths, attestation statements).
    pub(super) fn str_lit(&self, pair: Pair<'_, Rule>) -> Option<StrLit> {
        let template = self.template(pair, 0)?;
        match template.as_plain() {
            Some(value) => Some(StrLit {
                value,
                span: template.span,
            }),
            None => {
                self.report(
                    self.error(
                        Code::InvalidLiteral,
                        template.span,
                        "this string cannot interpolate values",
                    )
                    .with_help("write `\\{` for a literal brace"),
                );
                None
            }
        }
    }

    /// The `///` comment lines directly above `span`, without their markers.
    fn doc_before(&self, span: Span) -> Option<String> {
        let text = self.source.text();
        let mut cursor = span.start;
        let mut lines = Vec::new();
        let before = self.comments.partition_point(|c| c.span.end <= span.start);
        for comment in self.comments.get(..before).unwrap_or(&[]).iter().rev() {
            let between = text.get(comment.span.end..cursor).unwrap_or("x");
            if !comment.is_doc() || !between.trim().is_empty() {
                break;
            }
            let line = comment.text.trim_start_matches("///");
            lines.push(
                line.strip_prefix(' ')
                    .unwrap_or(line)
                    .trim_end()
                    .to_string(),
            );
            cursor = comment.span.start;
        }
        if lines.is_empty() {
            return None;
        }
        lines.reverse();
        Some(lines.join("\n"))
    }
}

/// The reserved words: no name may be one of them.
pub(crate) const KEYWORDS: &[&str] = &[
    "and", "control", "else", "expect", "false", "for", "import", "in", "let", "manual", "none",
    "not", "or", "param", "policy", "true", "use", "when", "where", "with", "within",
];

#[cfg(test)]
mod tests {
    #[test]
    fn keywords_are_sorted_for_binary_search() {
        let mut sorted = super::KEYWORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, super::KEYWORDS);
    }
}
