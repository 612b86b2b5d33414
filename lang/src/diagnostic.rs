//! Diagnostics: one located message with a stable code, rendered by miette.
//!
//! Every problem vouch-lang reports has a [`Code`] from one catalogue, so tools and tests can key
//! on it and the book can document each one.

use std::fmt;

use crate::source::Source;
use crate::span::Span;

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident => $code:literal, )*) => {
        /// The stable code of a diagnostic, shown as `vouch::PHASE::NAME`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The code as shown to users, e.g. `vouch::check::unknown-field`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( Code::$variant => $code, )*
                }
            }
        }
    };
}

codes! {
    /// A file or directory named on the command line cannot be read.
    Unreadable => "vouch::input::unreadable",
    /// The file is larger than vouch reads.
    TooLarge => "vouch::input::too-large",
    /// The path is a device, FIFO or socket: vouch reads only regular files.
    NotRegularFile => "vouch::input::not-a-regular-file",
    /// The file holds NUL bytes.
    Binary => "vouch::input::binary",
    /// The file is not UTF-8.
    NotUtf8 => "vouch::input::not-utf8",
    /// The text does not follow the grammar.
    Syntax => "vouch::parse::syntax",
    /// Brackets or operators nest deeper than the parser allows.
    TooDeep => "vouch::parse::too-deep",
    /// A literal is malformed (an impossible date, an integer out of range, a bad escape).
    InvalidLiteral => "vouch::parse::invalid-literal",
    /// A file has no `policy` header.
    MissingHeader => "vouch::check::missing-header",
    /// A file has more than one `policy` header.
    DuplicateHeader => "vouch::check::duplicate-header",
    /// A metadata key that the header or a control does not have.
    UnknownMetadata => "vouch::check::unknown-metadata",
    /// A required metadata key is missing.
    MissingMetadata => "vouch::check::missing-metadata",
    /// The same metadata key is given twice.
    DuplicateMetadata => "vouch::check::duplicate-metadata",
    /// Metadata, param defaults and overrides must be constants, not computed expressions.
    NonConstant => "vouch::check::non-constant",
    /// A framework definition file is malformed.
    InvalidFramework => "vouch::framework::invalid",
    /// An imported module is written for another framework than the policy that imports it.
    FrameworkMismatch => "vouch::check::framework-mismatch",
    /// The framework named in the header is not known.
    UnknownFramework => "vouch::check::unknown-framework",
    /// A provision id that the policy's framework does not have.
    UnknownProvision => "vouch::check::unknown-provision",
    /// Two controls with the same id.
    DuplicateControl => "vouch::check::duplicate-control",
    /// Two params with the same name.
    DuplicateParam => "vouch::check::duplicate-param",
    /// A name that is not a binding, a param, an evidence root or a constant.
    UnknownName => "vouch::check::unknown-name",
    /// A field that the value's type does not have.
    UnknownField => "vouch::check::unknown-field",
    /// A function that does not exist.
    UnknownFunction => "vouch::check::unknown-function",
    /// A function called with the wrong number of arguments.
    WrongArity => "vouch::check::wrong-arity",
    /// A type name that does not exist, or a type with the wrong number of arguments.
    UnknownType => "vouch::check::unknown-type",
    /// A value of one type where another is needed.
    TypeMismatch => "vouch::check::type-mismatch",
    /// A control that checks nothing, or mixes `manual` with automated checks.
    InvalidControl => "vouch::check::invalid-control",
    /// A `let` or loop variable that hides another binding.
    Shadowed => "vouch::check::shadowed",
    /// An optional value (`T?`) used, without `??`, a presence test or a guard, where `none`
    /// would silently decide the outcome (a lint, denied by default).
    UnhandledNone => "vouch::check::unhandled-none",
    /// A module named by `use` or `import` could not be found or loaded.
    UnresolvedImport => "vouch::check::unresolved-import",
    /// Modules import each other in a cycle.
    ImportCycle => "vouch::check::import-cycle",
    /// One module imported twice with different overrides.
    ConflictingImport => "vouch::check::conflicting-import",
    /// A `with { ... }` override names a param the module does not declare.
    UnknownOverride => "vouch::check::unknown-override",
    /// A param's default or an importer's override does not meet the param's bounds.
    ParamOutOfBounds => "vouch::check::param-out-of-bounds",
    /// A param that no control uses (a warning).
    UnusedParam => "vouch::check::unused-param",
    /// A `let` binding that is never used (a warning).
    UnusedBinding => "vouch::check::unused-binding",
    /// A table override that gives some keys and leaves the others to the module's default.
    PartialOverride => "vouch::lint::partial-override",
    /// A string compared with a field whose values are a closed set the string is not in.
    ImpossibleComparison => "vouch::lint::impossible-comparison",
    /// An `expect` or `where` whose condition is a constant: it never depends on the evidence.
    ConstantCondition => "vouch::lint::constant-condition",
    /// `within` a duration that is zero or negative: no attestation is ever recent enough.
    NonPositiveWithin => "vouch::lint::non-positive-within",
    /// A glob literal that is not a valid glob.
    InvalidGlob => "vouch::lint::invalid-glob",
    /// `{...}` inside a glob literal, read as interpolation rather than a glob alternative.
    GlobInterpolation => "vouch::lint::glob-interpolation",
    /// A `date` compared with `==` or `!=` to a `datetime` (compares midnight UTC).
    DateDatetimeEquality => "vouch::lint::date-datetime-equality",
    /// A file that `vouch fmt --check` would change.
    Unformatted => "vouch::fmt::unformatted",
    /// A `*.test.toml` file of `vouch test` is malformed: bad TOML, an unknown key, a bad
    /// date or status, or a file it names that does not exist.
    InvalidTest => "vouch::test::invalid",
    /// A `*.test.toml` file expects a status of a control the policy does not have.
    UnknownControl => "vouch::test::unknown-control",
}

impl Code {
    /// The level a lint is enforced at unless the caller says otherwise; `None` for codes
    /// that are not lints (errors and warnings that no option changes).
    pub const fn default_lint_level(self) -> Option<crate::lint::LintLevel> {
        use crate::lint::LintLevel;
        match self {
            Code::UnusedParam
            | Code::UnusedBinding
            | Code::PartialOverride
            | Code::ImpossibleComparison
            | Code::ConstantCondition
            | Code::NonPositiveWithin
            | Code::GlobInterpolation
            | Code::DateDatetimeEquality => Some(LintLevel::Warn),
            Code::InvalidGlob | Code::UnhandledNone => Some(LintLevel::Deny),
            _ => None,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The policy cannot be used: `vouch check` exits 2.
    Error,
    /// Worth fixing, but the policy can be used.
    Warning,
}

/// A labelled span inside the diagnostic's source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What to say there (may be empty).
    pub text: String,
}

/// One located problem in a policy source.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Diagnostic {
    /// The stable code.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// One line, lowercase, no final period; user input in backticks.
    pub message: String,
    /// The primary span first, then secondary ones.
    pub labels: Vec<Label>,
    /// What to do about it.
    pub help: Option<String>,
    /// The source the spans point into.
    pub src: Source,
}

impl Diagnostic {
    /// An error at `span` with an unlabelled primary span.
    pub fn error(code: Code, source: Source, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            labels: vec![Label {
                span,
                text: String::new(),
            }],
            help: None,
            src: source,
        }
    }

    /// An error about a whole input that has no place to point at (a file that cannot be read).
    pub fn unlocated(code: Code, source: Source, message: impl Into<String>) -> Self {
        Diagnostic {
            labels: Vec::new(),
            ..Diagnostic::error(code, source, Span::point(0), message)
        }
    }

    /// A warning at `span`.
    pub fn warning(code: Code, source: Source, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, source, span, message)
        }
    }

    /// Sets the text of the primary label, or adds a secondary label at another span.
    pub fn with_label(mut self, span: Span, text: impl Into<String>) -> Self {
        let text = text.into();
        match self
            .labels
            .iter_mut()
            .find(|l| l.span == span && l.text.is_empty())
        {
            Some(label) => label.text = text,
            None => self.labels.push(Label { span, text }),
        }
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The primary span.
    pub fn span(&self) -> Span {
        self.labels.first().map_or(Span::default(), |l| l.span)
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// A machine-readable form: code, severity, message, help, file, line and column, labels.
    pub fn to_json(&self) -> serde_json::Value {
        let (line, column) = self.src.line_col(self.span().start);
        let labels: Vec<serde_json::Value> = self
            .labels
            .iter()
            .map(|l| {
                let (line, column) = self.src.line_col(l.span.start);
                serde_json::json!({
                    "text": l.text,
                    "offset": l.span.start,
                    "length": l.span.len(),
                    "line": line,
                    "column": column,
                })
            })
            .collect();
        serde_json::json!({
            "code": self.code.as_str(),
            "severity": match self.severity { Severity::Error => "error", Severity::Warning => "warning" },
            "message": self.message,
            "help": self.help,
            "file": self.src.name(),
            "line": line,
            "column": column,
            "labels": labels,
        })
    }
}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().enumerate().map(|(i, l)| {
            let text = (!l.text.is_empty()).then(|| l.text.clone());
            if i == 0 {
                miette::LabeledSpan::new_primary_with_span(text, l.span)
            } else {
                miette::LabeledSpan::new_with_span(text, l.span)
            }
        })))
    }
}

/// Sorts diagnostics by file, position and code, so output is deterministic.
pub fn sort_diagnostics(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (a.src.name(), a.span().start, a.code, &a.message).cmp(&(
            b.src.name(),
            b.span().start,
            b.code,
            &b.message,
        ))
    });
}
