//! vouch-lang: the vouch policy language.
//!
//! Source text goes through [`parse`] into an [`ast::Module`], through the checker into a
//! checked policy, and through [`mod@format`] back into canonical text. This crate knows nothing of
//! files on disk: callers hand it source text and a loader for imports.

pub mod ast;
mod check;
mod diagnostic;
pub mod dump;
pub mod format;
mod framework;
mod glob;
mod lint;
mod parse;
pub mod prechecked;
pub mod preparsed;
mod scan;
pub mod schema;
mod source;
mod span;
mod types;

pub use check::{
    BUILTINS, Builtin, CheckOutput, CheckedControl, CheckedModule, CheckedPolicy, ControlKind,
    ImportTarget, Loader, MAX_IMPORT_DEPTH, NoImports, ParamBinding, ParamOverride, PolicyInfo,
    SeverityLevel, WAIVER_MAX_LIFETIME_PARAM, check, check_with,
};
pub use diagnostic::{Code, Diagnostic, Label, Severity, sort_diagnostics};
pub use format::{format_module, format_source, one_line};
pub use framework::{Framework, Frameworks, Principle, Theme};
pub use glob::compile_glob;
pub use lint::{LintLevel, LintLevels, lint_by_name, lints};
pub use parse::parse;
pub use source::{MAX_SOURCE_BYTES, Source};
pub use span::Span;
pub use types::Type;
