//! Reading JSON evidence: parse with a clear finding, then walk `serde_json::Value`s with
//! small helpers that never panic and name what they did not find by JSON pointer.

use jiff::Timestamp;
use serde_json::Value;

use super::Parsed;
use crate::finding::{Finding, FindingCode};

/// Parses `bytes` as one JSON document; a finding (with line and column) when it is not.
pub(crate) fn parse(path: &str, bytes: &[u8], what: &str) -> Result<Value, Box<Parsed>> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    serde_json::from_slice(bytes).map_err(|e| {
        let finding = Finding::new(
            FindingCode::JsonSyntax,
            Some(path),
            format!("{what} is not valid JSON: {e}"),
        )
        .with_help("check that the tool finished writing the file; vouch reads it as JSON")
        .at_line(u32::try_from(e.line()).unwrap_or(0));
        Box::new(Parsed {
            evidence: None,
            findings: vec![finding],
        })
    })
}

/// Whether the start of `text` (after whitespace) opens a JSON object.
pub(crate) fn looks_like_object(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
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
                let mut j = start;
                loop {
                    match bytes.get(j) {
                        None => return keys,
                        Some(b'\\') => j = j.saturating_add(2),
                        Some(b'"') => break,
                        Some(_) => j = j.saturating_add(1),
                    }
                }
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

    /// Reads the date-time at `key` of `value` (at pointer `at`): a finding when it is not a
    /// date, or when it has no time zone (read as UTC).
    pub fn instant(&mut self, value: &Value, key: &str, at: &str) -> Option<Timestamp> {
        let text = str_of(value, key)?;
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
mod tests {
    use super::*;

    #[test]
    fn dates_with_and_without_zones() {
        assert!(matches!(when("2026-10-01T12:00:00Z"), Some(When::Exact(_))));
        assert!(matches!(
            when("2026-10-01T12:00:00+01:00"),
            Some(When::Exact(_))
        ));
        assert!(matches!(
            when("2026-10-01T12:00:00"),
            Some(When::AssumedUtc(_))
        ));
        assert!(matches!(when("2026-10-01"), Some(When::AssumedUtc(_))));
        assert_eq!(when("yesterday"), None);
    }

    #[test]
    fn top_level_keys_skip_nested_ones_and_strings() {
        let text = r#" {"a": {"b": 1, "c": [{"d": 2}]}, "e\"x": "f: \"g\"", "h" : [1, "i"], "j"#;
        assert_eq!(top_level_keys(text, 10), ["a", r#"e\"x"#, "h"]);
        assert_eq!(top_level_keys(text, 1), ["a"]);
        assert!(top_level_keys("[1]", 10).is_empty());
        assert_eq!(top_level_keys("{\"a\": 1} {\"b\": 2}", 10), ["a"]);
    }

    #[test]
    fn deep_nesting_is_a_finding_not_a_crash() {
        let deep = "[".repeat(100_000);
        let parsed = parse("x.json", deep.as_bytes(), "scan").unwrap_err();
        assert_eq!(parsed.findings.len(), 1);
    }
}
