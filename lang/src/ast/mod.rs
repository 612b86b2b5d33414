//! The abstract syntax tree of a policy file. Every node carries its [`Span`].
//!
//! Built only by [`crate::parse`]; pest types never appear here. Items and statements are
//! here; expressions, literals and operators in [`expr`].

mod expr;

pub use expr::*;

use crate::span::Span;
use serde::{Deserialize, Serialize};

/// One parsed policy file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Module {
    /// The items, in source order.
    pub items: Vec<Item>,
    /// Every `//` and `///` comment, in source order (kept for the formatter).
    pub comments: Vec<Comment>,
}

/// A comment in the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// The comment text including its `//` or `///`, without the line end.
    pub text: String,
    /// Where it is.
    pub span: Span,
}

impl Comment {
    /// Whether this is a `///` doc comment.
    pub fn is_doc(&self) -> bool {
        self.text.starts_with("///") && !self.text.starts_with("////")
    }
}

/// A name as written, with its span.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// A top-level declaration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Item {
    /// `policy "name" { ... }`
    Policy(PolicyHeader),
    /// `use std.uk_sscop [with { ... }]`
    Use(UseDecl),
    /// `import "file.vouch" [with { ... }]`
    Import(ImportDecl),
    /// `param name: type = default [where BOUNDS]`
    Param(ParamDecl),
    /// `control "ID" { ... }`
    Control(ControlDecl),
}

impl Item {
    /// The span of the whole item.
    pub fn span(&self) -> Span {
        match self {
            Item::Policy(p) => p.span,
            Item::Use(u) => u.span,
            Item::Import(i) => i.span,
            Item::Param(p) => p.span,
            Item::Control(c) => c.span,
        }
    }
}

/// The policy header: its name and metadata fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyHeader {
    /// The policy name.
    pub name: StrLit,
    /// `key = value` metadata (title, version, framework, owner).
    pub fields: Vec<Field>,
    /// The text of the `///` comments right above it.
    pub doc: Option<String>,
    /// The whole header.
    pub span: Span,
}

/// A `key = value` pair: policy and control metadata, and `with { ... }` overrides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// The key.
    pub key: Ident,
    /// The value.
    pub value: Expr,
    /// The whole field.
    pub span: Span,
}

/// `use std.NAME [with { overrides }]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UseDecl {
    /// The dotted module path, e.g. `std.uk_sscop`.
    pub path: Vec<Ident>,
    /// Param overrides.
    pub overrides: Vec<Field>,
    /// The whole declaration.
    pub span: Span,
}

/// `import "path.vouch" [with { overrides }]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportDecl {
    /// The path, relative to the importing file.
    pub path: StrLit,
    /// Param overrides.
    pub overrides: Vec<Field>,
    /// The whole declaration.
    pub span: Span,
}

/// `param NAME: TYPE = DEFAULT [where OP VALUE and OP VALUE ...]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamDecl {
    /// The param name.
    pub name: Ident,
    /// Its declared type.
    pub ty: TypeExpr,
    /// The default value.
    pub default: Expr,
    /// `where >= 12 months and <= 5 years`: what the default and every override must meet.
    pub bounds: Vec<ParamBound>,
    /// The text of the `///` comments right above it.
    pub doc: Option<String>,
    /// The whole declaration.
    pub span: Span,
}

/// One comparison of a param's `where` clause: `>= 12 months`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamBound {
    /// The comparison: `<`, `<=`, `>` or `>=`.
    pub op: BinaryOp,
    /// The constant the value is compared with.
    pub value: Expr,
    /// The whole comparison, operator included.
    pub span: Span,
}

/// A type as written: `duration`, `set<string>`, `table<severity, duration>`, `date?`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeExpr {
    /// The type name.
    pub name: Ident,
    /// Type arguments.
    pub args: Vec<TypeExpr>,
    /// Whether `?` follows (the value may be `none`).
    pub optional: bool,
    /// Where it is written.
    pub span: Span,
}

/// `control "ID" { metadata... statements... }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlDecl {
    /// The control id.
    pub id: StrLit,
    /// The text of the `///` comments right above it: the control's description.
    pub doc: Option<String>,
    /// Metadata: title, provision, severity, rationale, remediation, tags.
    pub fields: Vec<Field>,
    /// The body.
    pub body: Vec<Stmt>,
    /// The whole control.
    pub span: Span,
}

/// A statement in a control body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Stmt {
    /// `for x in xs [where cond] { ... } [when empty: outcome]`
    For(ForStmt),
    /// `let name = value`
    Let(LetStmt),
    /// `expect cond [else "message"]`
    Expect(ExpectStmt),
    /// `manual "statement" [within duration]`
    Manual(ManualStmt),
}

impl Stmt {
    /// The span of the whole statement.
    pub fn span(&self) -> Span {
        match self {
            Stmt::For(s) => s.span,
            Stmt::Let(s) => s.span,
            Stmt::Expect(s) => s.span,
            Stmt::Manual(s) => s.span,
        }
    }
}

/// `for VAR in ITER [where FILTER] { BODY } [when empty: OUTCOME]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForStmt {
    /// The loop variable.
    pub var: Ident,
    /// The collection.
    pub iter: Expr,
    /// Only elements for which this holds.
    pub filter: Option<Expr>,
    /// The statements run for each element.
    pub body: Vec<Stmt>,
    /// What an empty collection means; absent: fail with "no evidence".
    pub when_empty: Option<WhenEmpty>,
    /// The whole statement.
    pub span: Span,
}

/// `when empty: OUTCOME`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhenEmpty {
    /// The outcome.
    pub outcome: EmptyOutcome,
    /// Where it is written.
    pub span: Span,
}

/// The outcome of a `for` over an empty collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EmptyOutcome {
    /// Empty is a valid state: the loop passes.
    Pass,
    /// Empty fails with "no evidence" (the default, written out).
    Fail,
    /// Empty means the control does not apply.
    NotApplicable,
}

impl EmptyOutcome {
    /// The keyword.
    pub const fn as_str(self) -> &'static str {
        match self {
            EmptyOutcome::Pass => "pass",
            EmptyOutcome::Fail => "fail",
            EmptyOutcome::NotApplicable => "not_applicable",
        }
    }
}

/// `let NAME = VALUE`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LetStmt {
    /// The name bound.
    pub name: Ident,
    /// The value.
    pub value: Expr,
    /// The whole statement.
    pub span: Span,
}

/// `expect COND [else "message"]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectStmt {
    /// What must hold.
    pub cond: Expr,
    /// The failure message, with `{interpolation}`.
    pub message: Option<Template>,
    /// The whole statement.
    pub span: Span,
}

/// `manual "what a person must attest" [within MAX_AGE]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManualStmt {
    /// What the attestation must state.
    pub statement: StrLit,
    /// How recent the attestation must be.
    pub within: Option<Expr>,
    /// The whole statement.
    pub span: Span,
}
