//! Located problems with an authority (or gate) policy file or its entities file: each one
//! names the file, points at the span, and has a stable code.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

/// What kind of problem a [`AuthorityDiagnostic`] is; each kind has a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiagnosticKind {
    /// The policy file is not Cedar (a syntax error).
    ParseError,
    /// A policy does not validate against vouch's generated schema.
    InvalidPolicy,
    /// The entities file is not Cedar JSON entities of the schema's key and group types.
    InvalidEntities,
    /// vouch's own schema did not load (a bug in vouch).
    Internal,
}

impl DiagnosticKind {
    /// The stable code, e.g. `vouch::authority::invalid-policy`.
    pub const fn code(self) -> &'static str {
        match self {
            DiagnosticKind::ParseError => "vouch::authority::parse-error",
            DiagnosticKind::InvalidPolicy => "vouch::authority::invalid-policy",
            DiagnosticKind::InvalidEntities => "vouch::authority::invalid-entities",
            DiagnosticKind::Internal => "vouch::authority::internal",
        }
    }
}

/// One problem, located in its file.
#[derive(Debug, Clone)]
pub struct AuthorityDiagnostic {
    /// Its kind (and so its code).
    pub kind: DiagnosticKind,
    /// What is wrong, in one line.
    pub message: String,
    /// How to fix it, where there is something to say.
    pub help: Option<String>,
    /// The file, named as the user gave it, with its text.
    source: NamedSource<String>,
    /// The spans it points at (byte offsets into the text).
    labels: Vec<LabeledSpan>,
}

impl AuthorityDiagnostic {
    /// A problem in file `name` (whose text is `text`).
    pub(crate) fn new(kind: DiagnosticKind, name: &str, text: &str, message: String) -> Self {
        AuthorityDiagnostic {
            kind,
            message,
            help: None,
            source: NamedSource::new(name, text.to_owned()),
            labels: Vec::new(),
        }
    }

    /// The same, with a help text.
    pub(crate) fn with_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// The same, pointing at `offset..offset+len` with `label`; spans outside the text are
    /// moved to its end.
    pub(crate) fn with_label(mut self, label: Option<String>, offset: usize, len: usize) -> Self {
        let size = self.source.inner().len();
        let offset = offset.min(size);
        let len = len.min(size - offset);
        self.labels.push(LabeledSpan::new(label, offset, len));
        self
    }

    /// The same, with the labels of another diagnostic about the same text (Cedar's).
    pub(crate) fn with_labels_of(mut self, other: &dyn Diagnostic) -> Self {
        if let Some(labels) = other.labels() {
            for label in labels {
                let (offset, len) = (label.offset(), label.len());
                self = self.with_label(label.label().map(str::to_owned), offset, len);
            }
        }
        self
    }

    /// The spans it points at, as (offset, length).
    pub fn spans(&self) -> Vec<(usize, usize)> {
        self.labels.iter().map(|l| (l.offset(), l.len())).collect()
    }

    /// The file's name as the user gave it.
    pub fn file(&self) -> &str {
        self.source.name()
    }

    /// The file's text.
    pub fn text(&self) -> &str {
        self.source.inner()
    }
}

impl fmt::Display for AuthorityDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AuthorityDiagnostic {}

impl Diagnostic for AuthorityDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.kind.code()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// The byte offset of 1-based `line` and `column` (as serde_json counts them) in `text`.
pub(crate) fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col = column.saturating_sub(1);
            return offset + l.char_indices().nth(col).map_or(l.len(), |(byte, _)| byte);
        }
        offset += l.len();
    }
    text.len()
}
