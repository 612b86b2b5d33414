//! Policy source texts: validation of raw bytes and the named text diagnostics point into.

use std::sync::Arc;

use miette::{MietteError, MietteSpanContents, SourceCode, SpanContents};

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// The largest policy file vouch reads (4 MiB); a larger one is an input error.
pub const MAX_SOURCE_BYTES: usize = 4 * 1024 * 1024;

/// The text of one policy file and the name it is shown under (a path, or `std.NAME`).
///
/// Cloning is cheap: both parts are shared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    name: Arc<str>,
    text: Arc<str>,
}

impl Source {
    /// A source from text already known to be valid UTF-8.
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> Self {
        Source {
            name: name.into(),
            text: text.into(),
        }
    }

    /// A source from raw bytes: rejects files that are too large, binary or not UTF-8, with a
    /// located diagnostic.
    pub fn from_bytes(name: impl Into<Arc<str>>, bytes: &[u8]) -> Result<Self, Box<Diagnostic>> {
        let name = name.into();
        if bytes.len() > MAX_SOURCE_BYTES {
            let shown = Source::new(name, "");
            return Err(Box::new(
                Diagnostic::error(
                    Code::TooLarge,
                    shown,
                    Span::point(0),
                    format!(
                        "policy file is too large ({} bytes, the limit is {} bytes)",
                        bytes.len(),
                        MAX_SOURCE_BYTES
                    ),
                )
                .with_help("split the policy into several files joined with `import`"),
            ));
        }
        let lossy = String::from_utf8_lossy(bytes);
        if let Some(nul) = bytes.iter().position(|&b| b == 0) {
            let shown = Source::new(name, lossy.replace('\0', " "));
            let at = char_boundary_offset(bytes, nul);
            return Err(Box::new(
                Diagnostic::error(
                    Code::Binary,
                    shown,
                    Span::new(at, at + 1),
                    "file is binary, not a policy",
                )
                .with_label(Span::new(at, at + 1), "NUL byte here")
                .with_help("vouch policies are UTF-8 text files, usually named `*.vouch`"),
            ));
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(Source::new(name, text)),
            Err(err) => {
                let at = err.valid_up_to();
                let shown = Source::new(name, lossy.into_owned());
                Err(Box::new(
                    Diagnostic::error(
                        Code::NotUtf8,
                        shown,
                        Span::new(at, at + 1),
                        format!("file is not valid UTF-8 (invalid byte at offset {at})"),
                    )
                    .with_label(Span::new(at, at + 1), "invalid UTF-8 here")
                    .with_help("save the policy as UTF-8"),
                ))
            }
        }
    }

    /// The name the source is shown under.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The full text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text a span covers (empty if the span is out of range).
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let before = self.text.get(..offset.min(self.text.len())).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        (line, col)
    }
}

/// Maps an offset in the raw bytes to the offset of the same place in the lossy text.
fn char_boundary_offset(bytes: &[u8], raw: usize) -> usize {
    String::from_utf8_lossy(bytes.get(..raw).unwrap_or(&[])).len()
}

impl SourceCode for Source {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}
