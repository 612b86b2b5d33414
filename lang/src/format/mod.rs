//! The formatter behind `vouch fmt`: one canonical layout for policy files, comments kept.
//!
//! [`format_module`] prints a parsed module; [`format_source`] parses and prints. The output
//! parses back to the same tree (compare [`crate::dump::module`]), keeps every comment once and
//! in order, and formatting it again changes nothing.
//!
//! # Layout
//!
//! - Two spaces of indentation, lines of at most 100 columns where the code allows it (long
//!   strings and names are never split), LF line ends, no trailing whitespace, exactly one
//!   newline at the end of the file (an empty file stays empty).
//! - Items in source order, one blank line between them. A run of `use`/`import` declarations,
//!   or of `param` declarations, keeps the source's choice of no blank line or one.
//! - `policy "name" {` and `control "ID" {` hold one `key = value` field per line, then (in a
//!   control) one statement per line; a block with nothing in it is written `{}`. Inside a
//!   block, blank lines between lines are kept as in the source, at most one, never right after
//!   `{` or right before `}`.
//! - `for x in xs where cond {` ... `} when empty: pass`; `let name = value`;
//!   `manual "statement" within 12 months`; `expect cond`, and its `else "message"` on the next
//!   line, indented one level.
//! - `use std.name with { a = 1, b = 2 }` on one line if it fits, else one override per line
//!   (without commas) between `with {` and `}`.
//! - `param name: type = default`, and its bounds `where >= low and <= high` on the same line.
//! - Expressions and literals: see the `expr` module.
//!
//! # Comments
//!
//! Every comment is printed once, in source order, between the same two tokens as in the
//! source, its text unchanged but for trailing whitespace.
//! - A comment that follows code on its line stays at the end of the line after that code
//!   (`key = value // why`); one on its own line stays on its own line, indented like the code
//!   around it.
//! - Between items and between the lines of a block, a blank line before a comment is kept (at
//!   most one); a comment at the end of a block stays inside it, before the `}`.
//! - `///` doc comments stay directly above their item, with no blank line between.
//! - A comment inside an expression stays inside it; the lists, tables, calls or operator chains
//!   around it break one element per line, and the code after it starts a new line.

mod comments;
mod doc;
mod expr;
mod one_line;

use comments::Comments;
use doc::Doc;
use expr::{Edge, Sep};
pub use one_line::one_line;

use crate::ast::*;
use crate::diagnostic::Diagnostic;
use crate::source::Source;

/// The widest a line may be when the code allows breaking it.
const WIDTH: usize = 100;

/// Formats a parsed module into canonical text (comments kept).
///
/// `source` must be the text `module` was parsed from: comments are placed by their offsets in
/// it. A module that was not parsed from text may have no comments; its items' doc texts are
/// then written as `///` comments.
pub fn format_module(module: &Module, source: &Source) -> String {
    let mut f = Formatter {
        comments: Comments::new(source.text(), &module.comments),
        text: source.text(),
    };
    let doc = f.module(module);
    doc::print(&doc, WIDTH)
}

/// Parses and formats source text; returns the parse diagnostics on a syntax error.
pub fn format_source(source: &Source) -> Result<String, Vec<Diagnostic>> {
    crate::parse(source).map(|module| format_module(&module, source))
}

/// Walks the AST in source order, building the document and placing comments.
struct Formatter<'a> {
    comments: Comments<'a>,
    text: &'a str,
}

/// A line-level node inside a block.
#[derive(Clone, Copy)]
enum Node<'a> {
    Field(&'a Field),
    Stmt(&'a Stmt),
}

impl Node<'_> {
    fn span(self) -> crate::span::Span {
        match self {
            Node::Field(f) => f.span,
            Node::Stmt(s) => s.span(),
        }
    }
}

/// What the last line of a sequence of lines was, for the blank-line rules.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// No line yet (the start of the file, or just after `{`).
    Start,
    /// A node (or a comment trailing it) ending at this offset.
    Node(usize),
    /// A comment line ending at this offset.
    Comment(usize),
    /// A `///` comment line ending at this offset.
    Doc(usize),
}

/// The lines of the file or of one block.
struct Lines {
    parts: Vec<Doc>,
    prev: Prev,
    /// Whether these are the file's top-level lines (no line break before the first).
    top: bool,
    /// Whether no line has been printed since the last item (top level only).
    after_item: bool,
}

impl Lines {
    fn new(top: bool) -> Self {
        Lines {
            parts: Vec::new(),
            prev: Prev::Start,
            top,
            after_item: false,
        }
    }

    /// Where the last line ended in the source.
    fn end(&self) -> Option<usize> {
        match self.prev {
            Prev::Start => None,
            Prev::Node(end) | Prev::Comment(end) | Prev::Doc(end) => Some(end),
        }
    }

    /// Starts a new line (after a blank one if `blank`) holding `doc`.
    fn push(&mut self, blank: bool, doc: Doc) {
        if !(self.top && self.parts.is_empty()) {
            self.parts.push(Doc::HardLine);
            if blank {
                self.parts.push(Doc::HardLine);
            }
        }
        self.parts.push(doc);
    }
}

impl<'a> Formatter<'a> {
    fn gap(&mut self, pos: usize) -> Doc {
        self.comments.gap(pos)
    }

    fn module(&mut self, module: &Module) -> Doc {
        let mut lines = Lines::new(true);
        for (i, item) in module.items.iter().enumerate() {
            let span = item.span();
            // One blank line between items, except within a run of imports or of params.
            let prev_item = i.checked_sub(1).and_then(|prev| module.items.get(prev));
            let forced = prev_item.is_some_and(|prev| !same_run(prev, item));
            let leading = self.comments.take_before(span.start);
            for comment in leading {
                self.comment_line(&mut lines, comment, forced);
            }
            let mut blank = self.blank_before(&lines, span.start, forced);
            if let (Some(doc), true) = (item_doc(item), leading.is_empty()) {
                for line in doc.lines() {
                    let sep = if line.is_empty() { "" } else { " " };
                    lines.push(blank, Doc::string(format!("///{sep}{line}")));
                    blank = false;
                }
            }
            lines.push(blank, self.item(item));
            lines.prev = Prev::Node(span.end);
            lines.after_item = true;
            // Comments left inside the item (in a `with {}` that is not printed) go after it,
            // as if they were between it and the next item.
            let next_item = module.items.get(i + 1);
            let forced = next_item.is_some_and(|next| !same_run(item, next));
            for comment in self.comments.take_before(span.end) {
                self.comment_line(&mut lines, comment, forced);
            }
        }
        for comment in self.comments.take_rest() {
            self.comment_line(&mut lines, comment, false);
        }
        if !lines.parts.is_empty() {
            lines.parts.push(Doc::HardLine);
        }
        Doc::concat(lines.parts)
    }

    /// Whether a blank line goes before a line starting at `start`: never at the start or just
    /// after a doc comment; always if `forced` and this is the first line after an item;
    /// otherwise if the source has one.
    fn blank_before(&self, lines: &Lines, start: usize, forced: bool) -> bool {
        match (lines.prev, lines.end()) {
            (Prev::Start | Prev::Doc(_), _) | (_, None) => false,
            (_, Some(end)) => {
                (forced && lines.after_item) || self.comments.blank_between(end, start)
            }
        }
    }

    /// Adds a comment taken between lines: at the end of the current line if it followed code
    /// on its line, else on a line of its own.
    fn comment_line(&self, lines: &mut Lines, comment: &Comment, forced: bool) {
        let doc = self.comments.doc(comment);
        let end = comment.span.end;
        if self.comments.is_trailing(comment) && lines.prev != Prev::Start {
            lines.parts.push(doc);
            lines.prev = match lines.prev {
                Prev::Doc(_) => Prev::Doc(end),
                Prev::Comment(_) => Prev::Comment(end),
                _ => Prev::Node(end),
            };
            return;
        }
        if self.comments.is_trailing(comment) {
            // Just after `{`: it stays on the brace's line, which is not a line of the block.
            lines.parts.push(doc);
            return;
        }
        let blank = self.blank_before(lines, comment.span.start, forced);
        lines.push(blank, doc);
        lines.prev = if comment.is_doc() {
            Prev::Doc(end)
        } else {
            Prev::Comment(end)
        };
        lines.after_item = false;
    }

    /// `{`, the nodes one per line with the comments between them, `}`; `close` is the offset
    /// of the `}` (comments before it are inside the block).
    fn block(&mut self, nodes: &[Node<'_>], close: usize) -> Doc {
        let mut lines = Lines::new(false);
        for &node in nodes {
            let span = node.span();
            for comment in self.comments.take_before(span.start) {
                self.comment_line(&mut lines, comment, false);
            }
            let blank = self.blank_before(&lines, span.start, false);
            let doc = match node {
                Node::Field(field) => self.field(field),
                Node::Stmt(stmt) => self.stmt(stmt),
            };
            lines.push(blank, doc);
            lines.prev = Prev::Node(span.end);
            for comment in self.comments.take_before(span.end) {
                self.comment_line(&mut lines, comment, false);
            }
        }
        for comment in self.comments.take_before(close) {
            self.comment_line(&mut lines, comment, false);
        }
        if lines.parts.is_empty() {
            return Doc::str("{}");
        }
        Doc::concat(vec![
            Doc::str("{"),
            Doc::indent(Doc::concat(lines.parts)),
            Doc::HardLine,
            Doc::str("}"),
        ])
    }

    fn item(&mut self, item: &Item) -> Doc {
        let mut parts = Vec::new();
        match item {
            Item::Policy(p) => {
                let gap = self.gap(p.name.span.start);
                parts.extend([
                    Doc::str("policy"),
                    hang(gap, expr::str_lit(&p.name.value)),
                    Doc::Space,
                ]);
                let nodes: Vec<Node<'_>> = p.fields.iter().map(Node::Field).collect();
                parts.push(self.block(&nodes, p.span.end));
            }
            Item::Use(u) => {
                let gap = u
                    .path
                    .first()
                    .map_or(Doc::Nil, |first| self.gap(first.span.start));
                let path: Vec<&str> = u.path.iter().map(|i| i.name.as_str()).collect();
                parts.extend([Doc::str("use"), hang(gap, Doc::string(path.join(".")))]);
                parts.push(self.with_clause(&u.overrides, u.span.end));
            }
            Item::Import(i) => {
                let gap = self.gap(i.path.span.start);
                parts.extend([Doc::str("import"), hang(gap, expr::str_lit(&i.path.value))]);
                parts.push(self.with_clause(&i.overrides, i.span.end));
            }
            Item::Param(p) => {
                let gap = self.gap(p.name.span.start);
                parts.extend([
                    Doc::str("param"),
                    hang(gap, Doc::string(p.name.name.clone())),
                    Doc::str(":"),
                ]);
                let gap = self.gap(p.ty.span.start);
                parts.extend([hang(gap, self.type_expr(&p.ty)), Doc::Space, Doc::str("=")]);
                let gap = self.gap(p.default.span.start);
                parts.push(hang(gap, self.expr(&p.default)));
                for (i, bound) in p.bounds.iter().enumerate() {
                    let gap = self.gap(bound.span.start);
                    let keyword = if i == 0 { "where" } else { "and" };
                    parts.push(hang(gap, Doc::str(keyword)));
                    parts.extend([Doc::Space, Doc::str(bound.op.as_str())]);
                    let gap = self.gap(bound.value.span.start);
                    parts.push(hang(gap, self.expr(&bound.value)));
                }
            }
            Item::Control(c) => {
                let gap = self.gap(c.id.span.start);
                parts.extend([
                    Doc::str("control"),
                    hang(gap, expr::str_lit(&c.id.value)),
                    Doc::Space,
                ]);
                let fields = c.fields.iter().map(Node::Field);
                let nodes: Vec<Node<'_>> = fields.chain(c.body.iter().map(Node::Stmt)).collect();
                parts.push(self.block(&nodes, c.span.end));
            }
        }
        Doc::concat(parts)
    }

    /// ` with { a = 1, b = 2 }`, or nothing without overrides. An empty `with {}` that holds
    /// comments is kept: moved after the item, a `///` one would become the next item's doc.
    fn with_clause(&mut self, overrides: &[Field], end: usize) -> Doc {
        if overrides.is_empty() && !self.comments.any_before(end) {
            return Doc::Nil;
        }
        let fields = self.delimited(("{", "}"), overrides, end, Sep::CommaIfFlat, Edge::Spaced);
        Doc::concat(vec![Doc::Space, Doc::str("with"), Doc::Space, fields])
    }

    /// `key = value`.
    fn field(&mut self, field: &Field) -> Doc {
        let key = Doc::string(field.key.name.clone());
        let gap = self.gap(field.value.span.start);
        let value = self.expr(&field.value);
        Doc::concat(vec![key, Doc::Space, Doc::str("="), hang(gap, value)])
    }

    fn stmt(&mut self, stmt: &Stmt) -> Doc {
        let mut parts = Vec::new();
        match stmt {
            Stmt::For(f) => self.for_stmt(f, &mut parts),
            Stmt::Let(l) => {
                let gap = self.gap(l.name.span.start);
                parts.extend([Doc::str("let"), hang(gap, Doc::string(l.name.name.clone()))]);
                let gap = self.gap(l.value.span.start);
                parts.extend([Doc::Space, Doc::str("="), hang(gap, self.expr(&l.value))]);
            }
            Stmt::Expect(e) => {
                let gap = self.gap(e.cond.span.start);
                parts.extend([Doc::str("expect"), hang(gap, self.expr(&e.cond))]);
                if let Some(message) = &e.message {
                    let gap = self.gap(message.span.start);
                    let message = self.template(message);
                    let line = vec![gap, Doc::HardLine, Doc::str("else"), Doc::Space, message];
                    parts.push(Doc::indent(Doc::concat(line)));
                }
            }
            Stmt::Manual(m) => {
                let gap = self.gap(m.statement.span.start);
                parts.extend([
                    Doc::str("manual"),
                    hang(gap, expr::str_lit(&m.statement.value)),
                ]);
                if let Some(within) = &m.within {
                    let gap = self.gap(within.span.start);
                    let within =
                        Doc::concat(vec![Doc::str("within"), Doc::Space, self.expr(within)]);
                    parts.push(hang(gap, within));
                }
            }
        }
        Doc::concat(parts)
    }

    fn for_stmt(&mut self, f: &ForStmt, parts: &mut Vec<Doc>) {
        // The header's continuation lines are indented one level more than the body.
        let mut header = vec![self.gap(f.var.span.start), Doc::Space];
        header.extend([Doc::string(f.var.name.clone()), Doc::Space, Doc::str("in")]);
        header.extend([self.gap(f.iter.span.start), Doc::Space, self.expr(&f.iter)]);
        if let Some(filter) = &f.filter {
            header.extend([
                self.gap(filter.span.start),
                Doc::Space,
                Doc::str("where"),
                Doc::Space,
            ]);
            header.push(self.expr(filter));
        }
        parts.extend([Doc::str("for"), Doc::indent(Doc::concat(header))]);
        let close = match &f.when_empty {
            Some(when) => self.closing_brace(f).unwrap_or(when.span.start),
            None => f.span.end,
        };
        let nodes: Vec<Node<'_>> = f.body.iter().map(Node::Stmt).collect();
        parts.extend([Doc::Space, self.block(&nodes, close)]);
        if let Some(when) = &f.when_empty {
            parts.extend([self.gap(when.span.start), Doc::Space]);
            parts.push(Doc::string(format!(
                "when empty: {}",
                when.outcome.as_str()
            )));
        }
    }

    /// The offset of the `}` that closes a `for` body.
    fn closing_brace(&self, f: &ForStmt) -> Option<usize> {
        let after = match f.body.last() {
            Some(last) => last.span().end,
            None => {
                let header_end = f.filter.as_ref().unwrap_or(&f.iter).span.end;
                let open = self.comments.skip_trivia(header_end);
                self.comments.is_at(open, '{').then_some(open + 1)?
            }
        };
        let close = self.comments.skip_trivia(after);
        self.comments.is_at(close, '}').then_some(close)
    }
}

/// A space and `doc`, after the comments in `gap`. If there are comments, `doc` starts a new
/// line, so it is indented one level.
fn hang(gap: Doc, doc: Doc) -> Doc {
    if gap.is_nil() {
        Doc::concat(vec![Doc::Space, doc])
    } else {
        Doc::indent(Doc::concat(vec![gap, Doc::Space, doc]))
    }
}

/// Whether two items belong to one run that need not be separated by a blank line.
fn same_run(a: &Item, b: &Item) -> bool {
    let run = |item: &Item| match item {
        Item::Use(_) | Item::Import(_) => 1,
        Item::Param(_) => 2,
        Item::Policy(_) | Item::Control(_) => 0,
    };
    run(a) != 0 && run(a) == run(b)
}

fn item_doc(item: &Item) -> Option<&str> {
    match item {
        Item::Policy(p) => p.doc.as_deref(),
        Item::Param(p) => p.doc.as_deref(),
        Item::Control(c) => c.doc.as_deref(),
        Item::Use(_) | Item::Import(_) => None,
    }
}
