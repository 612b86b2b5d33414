//! What detection sees of a file, and what several detectors ask of it, worked out once per
//! file: every registered format looks at every file of a bundle.

use std::cell::OnceCell;
use std::ops::Range;

use super::{file_name, json_util, text};
use crate::signatures::intoto::{self, Shape};

/// The most top-level JSON keys [`DetectInput::json_keys`] gives.
const JSON_KEYS_MAX: usize = 64;

/// How much of the text [`DetectInput::json_head_keys`] reads, and the most keys it gives.
const JSON_HEAD: usize = 4096;
const JSON_HEAD_KEYS_MAX: usize = 16;

/// What detection sees of a file: its path and first bytes.
#[derive(Debug, Clone)]
pub struct DetectInput<'a> {
    /// Bundle-relative, `/`-separated path.
    pub path: &'a str,
    /// The first bytes of the file (up to [`HEAD_LEN`](super::HEAD_LEN)).
    pub head: &'a [u8],
    /// `head` decoded as text (UTF-8 or UTF-16), once for all formats; `None` when binary.
    pub text: Option<String>,
    /// The size of the whole file.
    pub size: u64,
    /// Where in `text` the outermost JSON object's keys are, once asked.
    json_keys: OnceCell<Vec<Range<usize>>>,
    /// The same in the text's first [`JSON_HEAD`] bytes, once asked.
    json_head_keys: OnceCell<Vec<Range<usize>>>,
    /// The TOML table headers of `text`'s lines, once asked.
    toml_headers: OnceCell<Vec<TomlHeader>>,
    /// The Sigstore, DSSE or in-toto shape of the first document, once asked (three formats
    /// ask).
    intoto_shape: OnceCell<Option<Shape>>,
}

/// A line that may be a TOML table header: what is inside `[...]` and inside `[[...]]`
/// (trimmed, a trailing comment cut), either possibly absent.
#[derive(Debug, Clone)]
struct TomlHeader {
    table: Option<Range<usize>>,
    array: Option<Range<usize>>,
}

impl<'a> DetectInput<'a> {
    /// The input for a file at `path` of `size` bytes starting with `head`.
    pub fn new(path: &'a str, head: &'a [u8], size: u64) -> Self {
        DetectInput {
            path,
            head,
            text: text::decode_head(head),
            size,
            json_keys: OnceCell::new(),
            json_head_keys: OnceCell::new(),
            toml_headers: OnceCell::new(),
            intoto_shape: OnceCell::new(),
        }
    }

    /// The last path component.
    pub fn file_name(&self) -> &'a str {
        file_name(self.path)
    }

    /// Whether `head` is the whole file.
    pub fn head_is_whole_file(&self) -> bool {
        self.head.len() as u64 >= self.size
    }

    /// The keys of the outermost JSON object the text opens, as written, in order, at most
    /// 64 ([`json_util::top_level_keys`]); empty for binary or non-object text.
    pub fn json_keys(&self) -> Vec<&str> {
        let Some(text) = self.text.as_deref() else {
            return Vec::new();
        };
        let spans = self
            .json_keys
            .get_or_init(|| key_spans(text, text, JSON_KEYS_MAX));
        spans
            .iter()
            .filter_map(|span| text.get(span.clone()))
            .collect()
    }

    /// [`json_keys`](Self::json_keys) of the text's first 4 KiB, at most 16: a document cut
    /// there ends the keys at the cut.
    pub fn json_head_keys(&self) -> Vec<&str> {
        let Some(text) = self.text.as_deref() else {
            return Vec::new();
        };
        let spans = self
            .json_head_keys
            .get_or_init(|| key_spans(text, json_util::head(text, JSON_HEAD), JSON_HEAD_KEYS_MAX));
        spans
            .iter()
            .filter_map(|span| text.get(span.clone()))
            .collect()
    }

    /// The shape of the first document ([`intoto::detect_shape`]): Sigstore bundle, DSSE
    /// envelope or in-toto statement.
    pub(crate) fn intoto_shape(&self) -> Option<Shape> {
        *self.intoto_shape.get_or_init(|| intoto::detect_shape(self))
    }

    /// Whether a line of the text is the TOML table header `[name]` (with `array`,
    /// `[[name]]`), spaces and a trailing comment allowed.
    pub fn has_toml_table(&self, name: &str, array: bool) -> bool {
        let Some(text) = self.text.as_deref() else {
            return false;
        };
        let headers = self.toml_headers.get_or_init(|| toml_headers(text));
        headers.iter().any(|header| {
            let span = if array { &header.array } else { &header.table };
            span.as_ref()
                .and_then(|span| text.get(span.clone()))
                .is_some_and(|inside| inside == name)
        })
    }
}

/// Where in `text` the top-level keys of `part` (a prefix of `text`) are, at most `max`.
fn key_spans(text: &str, part: &str, max: usize) -> Vec<Range<usize>> {
    json_util::top_level_keys(part, max)
        .into_iter()
        .filter_map(|key| span_in(text, key))
        .collect()
}

/// The byte range of `part` (a slice of `text`) in `text`.
fn span_in(text: &str, part: &str) -> Option<Range<usize>> {
    let start = (part.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    let end = start.checked_add(part.len())?;
    (end <= text.len()).then_some(start..end)
}

/// Each line of `text` whose trimmed start is `[`, read as a table header and as an array of
/// tables header. Found from the `[`s (JSON, prose and most TOML lines hold none at their
/// start), not line by line.
fn toml_headers(text: &str) -> Vec<TomlHeader> {
    let inside = |line: &str, open: &str, close: &str| -> Option<Range<usize>> {
        let header = line
            .trim()
            .strip_prefix(open)
            .and_then(|l| l.split('#').next())
            .and_then(|l| l.trim_end().strip_suffix(close))?
            .trim();
        span_in(text, header)
    };
    let mut headers = Vec::new();
    let mut from = 0;
    while let Some(bracket) = text.get(from..).and_then(|rest| rest.find('[')) {
        let at = from + bracket;
        let start = text
            .get(..at)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |n| n + 1);
        let end = text
            .get(at..)
            .and_then(|t| t.find('\n'))
            .map_or(text.len(), |n| at + n);
        let line = text.get(start..end).unwrap_or("");
        // The line's first `[`: a header when only white space comes before it.
        if text
            .get(start..at)
            .is_some_and(|lead| lead.trim_start().is_empty())
        {
            headers.push(TomlHeader {
                table: inside(line, "[", "]"),
                array: inside(line, "[[", "]]"),
            });
        }
        from = end.saturating_add(1);
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(text: &str) -> DetectInput<'_> {
        DetectInput::new("f", text.as_bytes(), text.len() as u64)
    }

    #[test]
    fn json_keys_are_the_outermost_objects() {
        let i = input("{\"a\": {\"b\": 1}, \"c\": [\"d\"]}");
        assert_eq!(i.json_keys(), ["a", "c"]);
        // Asked twice, the same.
        assert_eq!(i.json_keys(), ["a", "c"]);
        assert!(input("[1, 2]").json_keys().is_empty());
    }

    #[test]
    fn json_head_keys_end_at_the_cut() {
        let long = format!("{{\"a\": \"{}\", \"b\": 1}}", "x".repeat(5000));
        let i = input(&long);
        assert_eq!(i.json_keys(), ["a", "b"]);
        assert_eq!(i.json_head_keys(), ["a"]);
    }

    #[test]
    fn toml_tables_as_a_line_of_their_own() {
        let i = input("a = 1\n  [ release ] # note\n[[cycle]]\nx = \"[vulnerability]\"\n");
        assert!(i.has_toml_table("release", false));
        assert!(!i.has_toml_table("release", true));
        assert!(i.has_toml_table("cycle", true));
        // `[[cycle]]` read as a table is `[cycle]`, not `cycle`.
        assert!(!i.has_toml_table("cycle", false));
        assert!(!i.has_toml_table("vulnerability", false));
    }

    /// The headers found from the `[`s are the lines whose trimmed start is `[`, read line by
    /// line: on the files of the examples and of `../shared/corpus`, and on edge cases.
    #[test]
    fn headers_from_brackets_are_the_lines_that_start_with_one() {
        let found = |text: &str| -> Vec<String> {
            toml_headers(text)
                .iter()
                .map(|h| format!("{:?}/{:?}", h.table, h.array))
                .collect()
        };
        let expected = |text: &str| -> Vec<String> {
            text.lines()
                .map(str::trim)
                .filter(|line| line.starts_with('['))
                .map(|line| {
                    let at = |open: &str, close: &str| {
                        let header = line
                            .strip_prefix(open)
                            .and_then(|l| l.split('#').next())
                            .and_then(|l| l.trim_end().strip_suffix(close))?
                            .trim();
                        span_in(text, header)
                    };
                    format!("{:?}/{:?}", at("[", "]"), at("[[", "]]"))
                })
                .collect()
        };
        let mut texts: Vec<String> = [
            "[a]\n  [b]\r\nx = [1]\n[[c]] # d\n\t[ e ]",
            "no brackets at all\n",
            "[",
            "\n\n[x]",
            "x [y]\n[z] [w]\n",
            "\u{a0}[nbsp]\n",
        ]
        .iter()
        .map(|t| (*t).to_owned())
        .collect();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for dir in [root.join("examples"), root.join("../shared/corpus")] {
            for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
                if let Ok(text) = std::fs::read_to_string(entry.path()) {
                    texts.push(text);
                }
            }
        }
        for text in &texts {
            assert_eq!(found(text), expected(text), "{text:?}");
        }
        assert!(texts.len() > 50);
    }

    #[test]
    fn toml_tables_read_as_the_manifests_write_them() {
        // (text, is `[release]`, is `[[release]]`)
        let cases = [
            ("[release]\n", true, false),
            ("[ release ]\n", true, false),
            ("[release] # c\n", true, false),
            ("[release # c\n", false, false),
            ("[[release]]\n", false, true),
            ("  [[ release ]]  \n", false, true),
            ("[release]]\n", false, false),
            ("[[release]\n", false, false),
            // The byte-order mark is gone from the decoded text.
            ("\u{feff}[release]\n", true, false),
            ("x = 1", false, false),
        ];
        for (text, table, array) in cases {
            let input = input(text);
            assert_eq!(input.has_toml_table("release", false), table, "{text:?}");
            assert_eq!(input.has_toml_table("release", true), array, "{text:?}");
        }
    }
}
