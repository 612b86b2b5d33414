//! endoflife.date data, read as support cycles (merged into `support.cycles` with
//! `support.toml`'s):
//!
//! - release data (`releases/<product>.json` of the release-data repository):
//!   `{"releases": {"3.9": {"name": "3.9", "releaseDate": "2020-10-05", "eol": "2025-10-31"}},
//!   "versions": {...}}`; only `releases` has cycles (`versions` holds single versions'
//!   dates, which vouch does not use). The older shape, a flat map of version to date, has
//!   no cycles either.
//! - product pages (`products/<product>.md` of the website repository): YAML front matter
//!   whose `releases:` list has `releaseCycle`, `releaseDate`, `eoas` (or `support`), `eol`,
//!   `lts`, `latestReleaseDate`.
//!
//! - API responses, v0 (an array of cycles) and v1 (`result.releases`): see the `api` module.
//!
//! How the values map (see `CycleFields::into_cycle`): `releaseDate` is `released`
//! (required); `eoas`/`support` is `support_until`; `eol` is `eol`. A date is that date;
//! `false` is "not ended" (`None`); `true` ("ended, date not published") is read as the
//! cycle's `latestReleaseDate`, else its `releaseDate`: the earliest date consistent with
//! the data, so a policy sees the cycle as ended. `lts` is true when it is `true` or a date
//! (the date it became LTS). endoflife.date does not say when an end of life was announced:
//! `eol_announced` is always `None`.

mod api;
mod product_page;
mod release_data;

use jiff::civil::Date;

use super::support_toml::SupportCycle;
use super::{Confidence, DetectInput, EvidenceFormat, EvidenceKind, ParseInput, Parsed, json_util};

/// The parse cap: release-data files are tens of KiB.
pub const MAX_SIZE: u64 = 4 * 1024 * 1024;

/// A value of an endoflife.date field: a date, a boolean, or other text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EolValue {
    /// A `YYYY-MM-DD` date.
    Date(Date),
    /// `true` or `false`.
    Bool(bool),
    /// Anything else, as written.
    Text(String),
}

impl EolValue {
    /// Reads a scalar's text: a date, `true`/`false`, else text.
    pub(crate) fn of_text(text: &str) -> EolValue {
        let text = text.trim();
        match text {
            "true" | "True" | "TRUE" => EolValue::Bool(true),
            "false" | "False" | "FALSE" => EolValue::Bool(false),
            _ => text
                .parse::<Date>()
                .map_or_else(|_| EolValue::Text(text.to_owned()), EolValue::Date),
        }
    }
}

/// The fields of one cycle, as read, before mapping.
#[derive(Debug, Clone, Default)]
pub(crate) struct CycleFields {
    pub cycle: Option<String>,
    pub release_date: Option<EolValue>,
    pub support: Option<EolValue>,
    pub eol: Option<EolValue>,
    pub lts: Option<EolValue>,
    pub latest_release_date: Option<EolValue>,
    pub line: u32,
}

impl CycleFields {
    /// The support cycle, or why it cannot be one (a message naming the field).
    pub(crate) fn into_cycle(self) -> Result<SupportCycle, String> {
        let cycle = self
            .cycle
            .ok_or("a release without `releaseCycle` (or `name`)")?;
        let released = match &self.release_date {
            Some(EolValue::Date(d)) => *d,
            Some(other) => {
                return Err(format!(
                    "cycle `{cycle}`: releaseDate `{}` is not a date",
                    show(other)
                ));
            }
            None => return Err(format!("cycle `{cycle}` has no `releaseDate`")),
        };
        let ended_on = match &self.latest_release_date {
            Some(EolValue::Date(d)) => *d,
            _ => released,
        };
        let end = |field: &str, value: &Option<EolValue>| -> Result<Option<Date>, String> {
            match value {
                None | Some(EolValue::Bool(false)) => Ok(None),
                Some(EolValue::Bool(true)) => Ok(Some(ended_on)),
                Some(EolValue::Date(d)) => Ok(Some(*d)),
                Some(EolValue::Text(t)) => Err(format!(
                    "cycle `{cycle}`: {field} `{t}` is neither a date nor true/false"
                )),
            }
        };
        let support_until = end("eoas", &self.support)?;
        let eol = end("eol", &self.eol)?;
        let lts = matches!(self.lts, Some(EolValue::Bool(true) | EolValue::Date(_)));
        Ok(SupportCycle {
            cycle,
            released,
            support_until,
            eol,
            eol_announced: None,
            lts,
            line: self.line,
        })
    }
}

fn show(value: &EolValue) -> String {
    match value {
        EolValue::Date(d) => d.to_string(),
        EolValue::Bool(b) => b.to_string(),
        EolValue::Text(t) => t.clone(),
    }
}

/// The endoflife.date format (release data and product pages).
#[derive(Debug, Clone, Copy, Default)]
pub struct EndOfLifeFormat;

impl EvidenceFormat for EndOfLifeFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::EndOfLifeData
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let Some(text) = input.text.as_deref() else {
            return Confidence::No;
        };
        let head = text.get(..text.len().min(8192)).unwrap_or(text);
        let release_data = json_util::looks_like_object(head)
            && head.contains("\"releases\"")
            && text.contains("\"versions\"");
        Confidence::of(
            release_data || api::looks_like(head) || product_page::looks_like(text),
            false,
        )
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        parse(input.path, input.bytes)
    }

    fn max_parse_size(&self) -> u64 {
        MAX_SIZE
    }
}

/// Parses endoflife.date data at bundle path `path`: release data when it is JSON, a product
/// page otherwise. Never panics.
pub fn parse(path: &str, bytes: &[u8]) -> Parsed {
    let start = bytes
        .strip_prefix(b"\xef\xbb\xbf")
        .unwrap_or(bytes)
        .trim_ascii_start();
    let head = String::from_utf8_lossy(start.get(..start.len().min(8192)).unwrap_or(start));
    if start.starts_with(b"[") || (start.starts_with(b"{") && api::looks_like(&head)) {
        api::parse(path, bytes)
    } else if start.starts_with(b"{") {
        release_data::parse(path, bytes)
    } else {
        product_page::parse(path, bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(release: &str, eol: Option<EolValue>) -> CycleFields {
        CycleFields {
            cycle: Some("3.5".to_owned()),
            release_date: Some(EolValue::of_text(release)),
            eol,
            latest_release_date: Some(EolValue::of_text("2020-09-05")),
            ..CycleFields::default()
        }
    }

    #[test]
    fn eol_dates_and_booleans() {
        let c = fields("2015-09-13", Some(EolValue::of_text("2020-09-30")))
            .into_cycle()
            .unwrap();
        assert_eq!(c.eol.unwrap().to_string(), "2020-09-30");
        assert_eq!(c.eol_announced, None);
        let c = fields("2015-09-13", Some(EolValue::Bool(true)))
            .into_cycle()
            .unwrap();
        assert_eq!(c.eol.unwrap().to_string(), "2020-09-05");
        let c = fields("2015-09-13", Some(EolValue::Bool(false)))
            .into_cycle()
            .unwrap();
        assert_eq!(c.eol, None);
        assert!(fields("soon", None).into_cycle().is_err());
        assert!(
            fields("2015-09-13", Some(EolValue::of_text("later")))
                .into_cycle()
                .is_err()
        );
    }
}
