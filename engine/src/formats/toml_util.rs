//! Reading vouch's TOML manifests with spans: syntax errors with line and column, unknown
//! keys with a suggestion, typed getters that report wrong types where they are.

use std::ops::Range;
use std::sync::Arc;

use toml::Spanned;
use toml::de::{DeTable, DeValue};
use toml::value::{Datetime, Offset};

use crate::finding::{Finding, FindingCode};

/// A manifest being read: its path, source and the findings so far.
pub(crate) struct TomlCtx {
    pub path: String,
    pub src: Arc<str>,
    pub findings: Vec<Finding>,
}

/// A date as a manifest may write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateOrTimestamp {
    Date(jiff::civil::Date),
    Timestamp(jiff::Timestamp),
}

impl TomlCtx {
    /// Decodes `bytes` as UTF-8; on failure the finding explains why.
    pub fn new(path: &str, bytes: &[u8]) -> Result<Self, Box<Finding>> {
        let text = super::text::decode(bytes).map_err(|why| {
            Finding::new(
                FindingCode::NotText,
                Some(path),
                format!("manifest is {why}"),
            )
            .with_help("TOML manifests are UTF-8 text")
        })?;
        Ok(TomlCtx {
            path: path.to_owned(),
            src: Arc::from(text),
            findings: Vec::new(),
        })
    }

    /// Records a finding at `span`.
    pub fn report(&mut self, code: FindingCode, span: Range<usize>, message: String, help: &str) {
        let mut finding = Finding::new(code, Some(&self.path), message).with_span(&self.src, span);
        if !help.is_empty() {
            finding = finding.with_help(help);
        }
        self.findings.push(finding);
    }

    /// Records a TOML syntax error.
    pub fn syntax_error(&mut self, error: &toml::de::Error) {
        let span = error.span().unwrap_or(0..0);
        let message = error.message().trim().replace('\n', "; ");
        let message = format!("invalid TOML: {}", lowercase_first(&message));
        self.report(
            FindingCode::ManifestSyntax,
            span,
            message,
            "see https://toml.io for the syntax",
        );
    }

    /// 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> u32 {
        crate::finding::line_column(&self.src, offset).0
    }

    /// Reports every key of `table` not in `allowed`, suggesting the nearest allowed one.
    pub fn unknown_keys(&mut self, table: &DeTable<'_>, allowed: &[&str], context: &str) {
        for (key, _) in table.iter() {
            let name: &str = key.get_ref();
            if allowed.contains(&name) {
                continue;
            }
            let help = format!("known keys in {context}: {}", quoted_list(allowed));
            let message = match suggest(name, allowed) {
                Some(best) => format!("unknown key `{name}` in {context}, did you mean `{best}`?"),
                None => format!("unknown key `{name}` in {context}"),
            };
            self.report(FindingCode::ManifestUnknownKey, key.span(), message, &help);
        }
    }

    /// Reports a missing required key of the table at `span`.
    pub fn missing(&mut self, key: &str, context: &str, span: Range<usize>, example: &str) {
        self.report(
            FindingCode::ManifestMissingKey,
            span,
            format!("missing key `{key}` in {context}"),
            &format!("add `{key} = {example}`"),
        );
    }

    /// Reports a value of the wrong type or an invalid value.
    pub fn invalid(&mut self, span: Range<usize>, message: String, help: &str) {
        self.report(FindingCode::ManifestInvalidValue, span, message, help);
    }

    /// A string value, reporting a wrong type.
    pub fn string(&mut self, value: &Spanned<DeValue<'_>>, key: &str) -> Option<String> {
        match value.get_ref().as_str() {
            Some(s) => Some(s.to_owned()),
            None => {
                self.wrong_type(value, key, "a string", "\"...\"");
                None
            }
        }
    }

    /// A non-empty string value.
    pub fn nonempty_string(&mut self, value: &Spanned<DeValue<'_>>, key: &str) -> Option<String> {
        let s = self.string(value, key)?;
        if s.trim().is_empty() {
            self.invalid(
                value.span(),
                format!("`{key}` is empty"),
                "give a non-empty value",
            );
            return None;
        }
        Some(s)
    }

    /// A boolean value.
    pub fn boolean(&mut self, value: &Spanned<DeValue<'_>>, key: &str) -> Option<bool> {
        match value.get_ref().as_bool() {
            Some(b) => Some(b),
            None => {
                self.wrong_type(value, key, "a boolean", "true");
                None
            }
        }
    }

    /// An array of strings, each with its span.
    pub fn strings(
        &mut self,
        value: &Spanned<DeValue<'_>>,
        key: &str,
    ) -> Option<Vec<(String, Range<usize>)>> {
        let Some(array) = value.get_ref().as_array() else {
            self.wrong_type(value, key, "an array of strings", "[\"...\"]");
            return None;
        };
        let mut out = Vec::new();
        for item in array.iter() {
            match item.get_ref().as_str() {
                Some(s) => out.push((s.to_owned(), item.span())),
                None => self.wrong_type(item, key, "a string", "\"...\""),
            }
        }
        Some(out)
    }

    /// A TOML local date (`2027-04-01`).
    pub fn date(&mut self, value: &Spanned<DeValue<'_>>, key: &str) -> Option<jiff::civil::Date> {
        match self.date_or_timestamp(value, key, false)? {
            DateOrTimestamp::Date(d) => Some(d),
            DateOrTimestamp::Timestamp(_) => None,
        }
    }

    /// A TOML date or an offset date-time; a local date-time is read as UTC with a warning.
    pub fn date_or_timestamp(
        &mut self,
        value: &Spanned<DeValue<'_>>,
        key: &str,
        allow_time: bool,
    ) -> Option<DateOrTimestamp> {
        let expected = if allow_time {
            "a date (2026-10-01) or a date-time with offset (2026-10-01T12:00:00Z)"
        } else {
            "a date (2026-10-01)"
        };
        let Some(dt) = value.get_ref().as_datetime() else {
            let help = format!("write `{key} = 2026-10-01` (no quotes)");
            self.invalid(
                value.span(),
                format!(
                    "`{key}` must be {expected}, found {}",
                    type_name(value.get_ref())
                ),
                &help,
            );
            return None;
        };
        match convert(dt, allow_time) {
            Ok((converted, ambiguous)) => {
                if ambiguous {
                    self.report(
                        FindingCode::ManifestAmbiguousDatetime,
                        value.span(),
                        format!("`{key}` has no UTC offset; read as UTC"),
                        "add `Z` or an offset such as `+01:00`",
                    );
                }
                Some(converted)
            }
            Err(why) => {
                self.invalid(
                    value.span(),
                    format!("`{key}` must be {expected}: {why}"),
                    "",
                );
                None
            }
        }
    }

    fn wrong_type(&mut self, value: &Spanned<DeValue<'_>>, key: &str, expected: &str, ex: &str) {
        let found = type_name(value.get_ref());
        self.invalid(
            value.span(),
            format!("`{key}` must be {expected}, found {found}"),
            &format!("write `{key} = {ex}`"),
        );
    }
}

/// Decodes and parses a manifest at bundle path `path`, then reads it with `read`; every
/// problem found on the way is a finding. Never panics.
pub(crate) fn parse_manifest<T>(
    path: &str,
    bytes: &[u8],
    read: impl FnOnce(&mut TomlCtx, &DeTable<'_>) -> Option<T>,
    wrap: impl FnOnce(T) -> super::Evidence,
) -> super::Parsed {
    let mut ctx = match TomlCtx::new(path, bytes) {
        Ok(ctx) => ctx,
        Err(finding) => {
            return super::Parsed {
                evidence: None,
                findings: vec![*finding],
            };
        }
    };
    let src = Arc::clone(&ctx.src);
    let manifest = parse(&mut ctx, &src).and_then(|root| read(&mut ctx, root.get_ref()));
    super::Parsed {
        evidence: manifest.map(wrap),
        findings: ctx.findings,
    }
}

/// Parses TOML, recording syntax errors; `None` when the document is unusable.
pub(crate) fn parse<'s>(ctx: &mut TomlCtx, src: &'s str) -> Option<Spanned<DeTable<'s>>> {
    match DeTable::parse(src) {
        Ok(table) => Some(table),
        Err(error) => {
            ctx.syntax_error(&error);
            None
        }
    }
}

/// The tables of an array of tables (`[[cycle]]`), each with its span; reports other shapes.
pub(crate) fn tables<'a, 'i>(
    ctx: &mut TomlCtx,
    value: &'a Spanned<DeValue<'i>>,
    key: &str,
) -> Vec<(&'a DeTable<'i>, Range<usize>)> {
    let Some(array) = value.get_ref().as_array() else {
        ctx.invalid(
            value.span(),
            format!("`{key}` must be an array of tables"),
            &format!("write each entry as a `[[{key}]]` table"),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in array.iter() {
        match item.get_ref().as_table() {
            Some(table) => out.push((table, item.span())),
            None => ctx.invalid(
                item.span(),
                format!("each `{key}` entry must be a table"),
                &format!("write each entry as a `[[{key}]]` table"),
            ),
        }
    }
    out
}

/// The nearest allowed name, when close enough to be a typo.
pub(crate) fn suggest<'a>(name: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|candidate| (strsim::jaro_winkler(name, candidate), *candidate))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

fn quoted_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// Converts a TOML date-time; the flag says a local date-time was read as UTC.
fn convert(dt: &Datetime, allow_time: bool) -> Result<(DateOrTimestamp, bool), String> {
    let Some(d) = dt.date else {
        return Err("a time of day without a date".to_owned());
    };
    let date = jiff::civil::Date::new(
        i16::try_from(d.year).map_err(|_| "year out of range".to_owned())?,
        i8::try_from(d.month).map_err(|_| "month out of range".to_owned())?,
        i8::try_from(d.day).map_err(|_| "day out of range".to_owned())?,
    )
    .map_err(|e| e.to_string())?;
    let Some(t) = dt.time else {
        return Ok((DateOrTimestamp::Date(date), false));
    };
    if !allow_time {
        return Err("a date-time where only a date is allowed".to_owned());
    }
    let time = jiff::civil::Time::new(
        i8::try_from(t.hour).map_err(|_| "hour out of range".to_owned())?,
        i8::try_from(t.minute).map_err(|_| "minute out of range".to_owned())?,
        i8::try_from(t.second.unwrap_or(0)).map_err(|_| "second out of range".to_owned())?,
        i32::try_from(t.nanosecond.unwrap_or(0))
            .map_err(|_| "nanosecond out of range".to_owned())?,
    )
    .map_err(|e| e.to_string())?;
    let (offset_seconds, ambiguous) = match dt.offset {
        Some(Offset::Z) => (0, false),
        Some(Offset::Custom { minutes }) => (i32::from(minutes).saturating_mul(60), false),
        None => (0, true),
    };
    let offset = jiff::tz::Offset::from_seconds(offset_seconds).map_err(|e| e.to_string())?;
    let timestamp = offset
        .to_timestamp(date.to_datetime(time))
        .map_err(|e| e.to_string())?;
    Ok((DateOrTimestamp::Timestamp(timestamp), ambiguous))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_typos_only() {
        let allowed = ["product", "version", "date"];
        assert_eq!(suggest("prodcut", &allowed), Some("product"));
        assert_eq!(suggest("verison", &allowed), Some("version"));
        assert_eq!(suggest("zzz", &allowed), None);
    }
}
