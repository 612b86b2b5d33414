//! vouch-lang: the vouch policy language.
//!
//! Source text goes through [`parse`] into an [`ast::Module`], through the checker into a
//! checked policy, and through [`format`] back into canonical text. This crate knows nothing of
//! files on disk: callers hand it source text and a loader for imports.

pub mod ast;
mod diagnostic;
pub mod dump;
mod parse;
mod scan;
mod source;
mod span;

pub use diagnostic::{Code, Diagnostic, Label, Severity, sort_diagnostics};
pub use parse::parse;
pub use source::{MAX_SOURCE_BYTES, Source};
pub use span::Span;
