//! Reading JSON evidence: parse with a clear finding, then walk `serde_json::Value`s with
//! small helpers that never panic and name what they did not find by JSON pointer.

use jiff::Timestamp;
use serde_json::Value;

use super::Parsed;
use super::json_strict::{self, StrictValue};
use crate::finding::{Finding, FindingCode};

/// Parses `bytes` as one JSON document; a finding (with line and column) when it is not.
pub(crate) fn parse(path: &str, bytes: &[u8], what: &str) -> Result<Value, Box<Parsed>> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let read = |bytes: &[u8]| serde_json::from_slice::<StrictValue>(bytes).map(|v| v.0);
    let plain = |bytes: &[u8]| serde_json::from_slice::<Value>(bytes).err();
    json_strict::parse_value(path, bytes, what, read, plain, |e| syntax(path, what, e))
}

/// Parses `bytes` as one or more JSON documents one after another (concatenated, or one per
/// line); a finding (with line and column) when they are not.
pub(crate) fn parse_many(path: &str, bytes: &[u8], what: &str) -> Result<Vec<Value>, Box<Parsed>> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let read = |bytes: &[u8]| {
        serde_json::Deserializer::from_slice(bytes)
            .into_iter::<StrictValue>()
            .map(|v| v.map(|v| v.0))
            .collect::<Result<Vec<Value>, _>>()
    };
    let plain = |bytes: &[u8]| {
        serde_json::Deserializer::from_slice(bytes)
            .into_iter::<Value>()
            .find_map(Result::err)
    };
    json_strict::parse_value(path, bytes, what, read, plain, |e| syntax(path, what, e))
}

/// The one finding for a file that is not JSON.
fn syntax(path: &str, what: &str, e: &serde_json::Error) -> Box<Parsed> {
    let finding = Finding::new(
        FindingCode::JsonSyntax,
        Some(path),
        format!("{what} is not valid JSON: {e}"),
    )
    .with_help("check that the tool finished writing the file; vouch reads it as JSON")
    .at_line(u32::try_from(e.line()).unwrap_or(0));
    let finding = Finding {
        column: u32::try_from(e.column()).ok().filter(|c| *c > 0),
        ..finding
    };
    Box::new(Parsed {
        evidence: None,
        findings: vec![finding],
    })
}

/// Several documents read by [`parse_many`] as one: the only one, or an array of them.
pub(crate) fn one_value(mut values: Vec<Value>) -> Value {
    if values.len() == 1
        && let Some(one) = values.pop()
    {
        return one;
    }
    Value::Array(values)
}

/// The items of a list that may come in pages, with their JSON pointers: the elements of an
/// array, an array element itself being a page whose elements are items (`/page/item`).
pub(crate) fn paged_items(list: &[Value]) -> Vec<(String, &Value)> {
    let mut items = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        match item {
            Value::Array(page) => {
                items.extend(
                    page.iter()
                        .enumerate()
                        .map(|(j, v)| (format!("/{i}/{j}"), v)),
                );
            }
            _ => items.push((format!("/{i}"), item)),
        }
    }
    items
}

/// Whether the start of `text` (after whitespace) opens a JSON object.
pub(crate) fn looks_like_object(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
}

/// Whether the start of `text` (after whitespace) opens a JSON array.
pub(crate) fn looks_like_array(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('[')
}

/// The first `len` bytes of `text` (fewer, to end on a character boundary).
pub(crate) fn head(text: &str, len: usize) -> &str {
    let mut end = text.len().min(len);
    while !text.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    text.get(..end).unwrap_or_default()
}

/// `key` escaped as one JSON pointer segment (RFC 6901: `~` as `~0`, `/` as `~1`).
pub(crate) fn pointer_segment(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The name of a JSON value's type, for messages.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The keys of the outermost object that `text` (the head of a JSON file, possibly cut
/// short) opens, as written (escapes kept), in order; at most `max`. Nested keys are not
/// keys of the outermost object, so a document embedded in another (an SBOM as an in-toto
/// predicate) does not look like a document of its own.
pub(crate) fn top_level_keys(text: &str, max: usize) -> Vec<&str> {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let bytes = text.as_bytes();
    let mut keys = Vec::new();
    if bytes.first() != Some(&b'{') {
        return keys;
    }
    let mut depth = 0usize;
    let mut i = 0usize;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                let start = i.saturating_add(1);
                let Some(j) = string_end(bytes, start) else {
                    return keys;
                };
                if depth == 1 {
                    let after = bytes.get(j.saturating_add(1)..).unwrap_or_default();
                    let is_key = after
                        .iter()
                        .find(|c| !c.is_ascii_whitespace())
                        .is_some_and(|c| *c == b':');
                    if is_key && let Some(key) = text.get(start..j) {
                        keys.push(key);
                        if keys.len() >= max {
                            return keys;
                        }
                    }
                }
                i = j.saturating_add(1);
                continue;
            }
            b'{' | b'[' => depth = depth.saturating_add(1),
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return keys;
                }
            }
            _ => {}
        }
        i = i.saturating_add(1);
    }
    keys
}

/// The index of the `"` that closes the JSON string whose text starts at `start` (escapes
/// skipped: a backslash and the byte after it), or `None` when the text ends first. Skips to the
/// next quote or backslash with memchr: most of a JSON document is the text of strings.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut j = start;
    loop {
        let found = j.checked_add(memchr::memchr2(b'"', b'\\', bytes.get(j..)?)?)?;
        match bytes.get(found) {
            Some(b'"') => return Some(found),
            _ => j = found.checked_add(2)?,
        }
    }
}

/// The string at `key` of an object, trimmed, when non-empty.
pub(crate) fn str_of<'v>(value: &'v Value, key: &str) -> Option<&'v str> {
    value
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The array at `key` of an object (empty when absent or not an array).
pub(crate) fn array_of<'v>(value: &'v Value, key: &str) -> &'v [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The strings of the array at `key`, trimmed, non-empty ones only.
pub(crate) fn strings_of(value: &Value, key: &str) -> Vec<String> {
    array_of(value, key)
        .iter()
        .filter_map(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// How a date-time text was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum When {
    /// An RFC 3339 date-time with an offset.
    Exact(Timestamp),
    /// A date or a date-time without offset, read as UTC.
    AssumedUtc(Timestamp),
}

/// Reads an RFC 3339 date-time; a date alone or a date-time without offset is read as UTC
/// (and says so); `None` when it is not a date at all.
pub(crate) fn when(text: &str) -> Option<When> {
    let text = text.trim();
    if let Ok(t) = text.parse::<Timestamp>() {
        return Some(When::Exact(t));
    }
    if let Ok(dt) = text.parse::<jiff::civil::DateTime>() {
        return jiff::tz::Offset::UTC
            .to_timestamp(dt)
            .ok()
            .map(When::AssumedUtc);
    }
    if let Ok(d) = text.parse::<jiff::civil::Date>() {
        return jiff::tz::Offset::UTC
            .to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .ok()
            .map(When::AssumedUtc);
    }
    None
}

/// Collects the findings a JSON evidence reader raises, all for one file.
#[derive(Debug)]
pub(crate) struct Notes<'p> {
    path: &'p str,
    /// The findings so far.
    pub findings: Vec<Finding>,
}

impl<'p> Notes<'p> {
    /// Notes for the file at `path`.
    pub fn new(path: &'p str) -> Self {
        Notes {
            path,
            findings: Vec::new(),
        }
    }

    /// Records a finding at JSON pointer `at`.
    pub fn add(&mut self, code: FindingCode, at: &str, message: String, help: &str) {
        let mut finding = Finding::new(code, Some(self.path), format!("{at}: {message}"));
        if !help.is_empty() {
            finding = finding.with_help(help);
        }
        self.findings.push(finding);
    }

    /// Records that the value at `key` of the object at `at` is of the wrong type.
    fn wrong_type(&mut self, at: &str, key: &str, found: &Value, expected: &str) {
        self.add(
            FindingCode::InvalidValue,
            &format!("{at}/{}", pointer_segment(key)),
            format!("expected {expected}, found {}", type_name(found)),
            "the file does not have the shape its tool writes; regenerate it",
        );
    }

    /// The string at `key` of `value` (the object at pointer `at`), trimmed, when non-empty;
    /// a finding when it is there but not a string (`null` counts as absent).
    pub fn text<'v>(&mut self, value: &'v Value, key: &str, at: &str) -> Option<&'v str> {
        match value.get(key)? {
            Value::Null => None,
            Value::String(s) => Some(s.trim()).filter(|s| !s.is_empty()),
            other => {
                self.wrong_type(at, key, other, "a string");
                None
            }
        }
    }

    /// The number at `key` of `value` (at pointer `at`); a finding when it is there but not a
    /// number (`null` counts as absent).
    pub fn number(&mut self, value: &Value, key: &str, at: &str) -> Option<f64> {
        match value.get(key)? {
            Value::Null => None,
            Value::Number(n) => n.as_f64(),
            other => {
                self.wrong_type(at, key, other, "a number");
                None
            }
        }
    }

    /// The array at `key` of `value` (at pointer `at`); empty, with a finding, when it is
    /// there but not an array (`null` counts as absent).
    pub fn list<'v>(&mut self, value: &'v Value, key: &str, at: &str) -> &'v [Value] {
        match value.get(key) {
            None | Some(Value::Null) => &[],
            Some(Value::Array(items)) => items,
            Some(other) => {
                self.wrong_type(at, key, other, "an array");
                &[]
            }
        }
    }

    /// The object at `key` of `value` (at pointer `at`); `None`, with a finding, when it is
    /// there but not an object (`null` counts as absent).
    pub fn object<'v>(&mut self, value: &'v Value, key: &str, at: &str) -> Option<&'v Value> {
        match value.get(key)? {
            Value::Null => None,
            object @ Value::Object(_) => Some(object),
            other => {
                self.wrong_type(at, key, other, "an object");
                None
            }
        }
    }

    /// Whether `value`, found at pointer `at`, is an object; a finding when it is not.
    pub fn is_object(&mut self, value: &Value, at: &str, what: &str) -> bool {
        if value.is_object() {
            return true;
        }
        self.add(
            FindingCode::InvalidValue,
            if at.is_empty() { "/" } else { at },
            format!("expected {what} (an object), found {}", type_name(value)),
            "the file does not have the shape its tool writes; regenerate it",
        );
        false
    }

    /// Reads the date-time at `key` of `value` (at pointer `at`): a finding when it is not a
    /// date, or when it has no time zone (read as UTC).
    pub fn instant(&mut self, value: &Value, key: &str, at: &str) -> Option<Timestamp> {
        let text = self.text(value, key, at)?;
        match when(text) {
            Some(When::Exact(t)) => Some(t),
            Some(When::AssumedUtc(t)) => {
                self.add(
                    FindingCode::DateWithoutZone,
                    &format!("{at}/{key}"),
                    format!("`{text}` has no time zone; read as UTC"),
                    "write dates as RFC 3339 with an offset, e.g. 2026-10-01T12:00:00Z",
                );
                Some(t)
            }
            None => {
                self.add(
                    FindingCode::InvalidValue,
                    &format!("{at}/{key}"),
                    format!("`{text}` is not a date-time"),
                    "write dates as RFC 3339, e.g. 2026-10-01T12:00:00Z",
                );
                None
            }
        }
    }
}

#[cfg(test)]
#[path = "json_util_tests.rs"]
mod tests;
