//! Policy source texts: validation of raw bytes and the named text diagnostics point into.

use std::fmt;
use std::sync::{Arc, OnceLock};

use miette::{MietteError, MietteSpanContents, SourceCode, SpanContents};

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// The largest policy file vouch reads (4 MiB); a larger one is an input error.
pub const MAX_SOURCE_BYTES: usize = 4 * 1024 * 1024;

/// The text of one policy file and the name it is shown under (a path, or `std.NAME`).
///
/// Cloning is cheap: every part is shared, including the index of line starts that
/// [`Source::line_col`] builds on its first call. Two sources are equal when their names and
/// texts are.
#[derive(Clone)]
pub struct Source {
    name: Arc<str>,
    text: Arc<str>,
    /// The byte offset of the start of every line, built once, on first use.
    line_starts: Arc<OnceLock<Vec<u32>>>,
}

impl PartialEq for Source {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.text == other.text
    }
}

impl Eq for Source {}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Source")
            .field("name", &self.name)
            .field("text", &self.text)
            .finish_non_exhaustive()
    }
}

impl Source {
    /// A source from text already known to be valid UTF-8.
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> Self {
        Source {
            name: name.into(),
            text: text.into(),
            line_starts: Arc::new(OnceLock::new()),
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

    /// The 1-based line and column (in characters) of a byte offset. An offset past the end
    /// is the end; one inside a character is that character. The line is found by binary
    /// search in an index of line starts built on the first call, so asking for every span of
    /// a large file costs `O(log lines)` each, not a scan from the start.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let Some(starts) = self.line_starts() else {
            return line_col_by_scan(&self.text, offset);
        };
        // `starts[0]` is 0, so at least one start is at or before `offset`.
        let line = starts.partition_point(|&s| s as usize <= offset);
        let line_start = line
            .checked_sub(1)
            .and_then(|i| starts.get(i))
            .map_or(0, |&s| s as usize);
        let col = self
            .text
            .get(line_start..offset)
            .map_or(0, |s| s.chars().count());
        (line.max(1), col + 1)
    }

    /// The index of line starts (`None` for a text too large for 32-bit offsets, which
    /// [`MAX_SOURCE_BYTES`] keeps out of files).
    fn line_starts(&self) -> Option<&[u32]> {
        let text = &self.text;
        u32::try_from(text.len()).ok()?;
        let starts = self.line_starts.get_or_init(|| {
            // `match_indices` of one ASCII byte searches a word at a time.
            std::iter::once(0)
                .chain(
                    text.match_indices('\n')
                        .filter_map(|(i, _)| u32::try_from(i + 1).ok()),
                )
                .collect()
        });
        Some(starts)
    }
}

/// [`Source::line_col`] without an index: a scan from the start of the text (the index's
/// fallback, and the reference its tests compare with). `offset` is a character boundary.
fn line_col_by_scan(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, col)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts with CRLF and bare CR line ends, multibyte characters at line ends and starts,
    /// empty lines, no final newline, a final newline, and nothing at all.
    const TRICKY: &[&str] = &[
        "",
        "\n",
        "a",
        "a\n",
        "\n\n\n",
        "policy \"p\" {\r\n  title = \"T\"\r\n}\r\n",
        "é\nàß\n€😀x\n\n𝄞",
        "line\rwith a bare CR\n\u{2028}next\n",
        "😀\r\n😀\r\n",
    ];

    #[test]
    fn line_col_agrees_with_a_scan_at_every_offset() {
        for text in TRICKY {
            let source = Source::new("t.vouch", *text);
            for offset in 0..=text.len() + 2 {
                let at = offset.min(text.len());
                if !text.is_char_boundary(at) {
                    continue;
                }
                assert_eq!(
                    source.line_col(offset),
                    line_col_by_scan(text, at),
                    "offset {offset} of {text:?}"
                );
            }
        }
    }

    #[test]
    fn line_col_of_known_places() {
        let source = Source::new("t.vouch", "ab\r\né€\n\nx");
        assert_eq!(source.line_col(0), (1, 1));
        assert_eq!(source.line_col(3), (1, 4), "the \\n after \\r");
        assert_eq!(source.line_col(4), (2, 1));
        assert_eq!(source.line_col(6), (2, 2), "after the two-byte é");
        assert_eq!(source.line_col(9), (2, 3), "the \\n after the three-byte €");
        assert_eq!(source.line_col(10), (3, 1));
        assert_eq!(source.line_col(11), (4, 1));
        assert_eq!(source.line_col(12), (4, 2), "the end");
        assert_eq!(source.line_col(1000), (4, 2), "past the end");
        // Inside a character: that character.
        assert_eq!(source.line_col(5), (2, 1));
        assert_eq!(source.line_col(7), (2, 2));
    }

    #[test]
    fn clones_share_the_index_and_equality_ignores_it() {
        let a = Source::new("t.vouch", "x\ny\n");
        let b = a.clone();
        assert_eq!(a.line_col(2), (2, 1));
        assert!(Arc::ptr_eq(&a.line_starts, &b.line_starts));
        assert!(b.line_starts.get().is_some(), "built once, for every clone");
        let fresh = Source::new("t.vouch", "x\ny\n");
        assert_eq!(a, fresh);
        assert_ne!(a, Source::new("u.vouch", "x\ny\n"));
        assert_ne!(a, Source::new("t.vouch", "x\n"));
    }
}
