//! endoflife.date API responses, saved into a bundle:
//!
//! - v0 (`/api/<product>.json`): an array of cycles,
//!   `[{"cycle": "3.12", "releaseDate": "2023-10-02", "support": "2025-04-02", "eol":
//!   "2028-10-31", "lts": false, "latestReleaseDate": "2024-12-03"}]`;
//! - v1 (`/api/v1/products/<product>/`): `{"schema_version": "1.x", "result": {"name":
//!   "python", "releases": [{"name": "3.12", "releaseDate": "2023-10-02", "isLts": false,
//!   "isEoas": true, "eoasFrom": "2025-04-02", "isEol": false, "eolFrom": "2028-10-31",
//!   "latest": {"date": "2024-12-03"}}]}}`.
//!
//! Both map onto the same cycle fields as release data; in v1, `eolFrom: null` with
//! `isEol: true` means "ended, date not published" (the `true` of v0).

use serde_json::Value;

use super::{CycleFields, EolValue};
use crate::finding::FindingCode;
use crate::formats::json_util::{self, Notes, array_of, str_of};
use crate::formats::support_toml::SupportManifest;
use crate::formats::{Evidence, Parsed};

/// Whether `head` (the start of a JSON file) looks like a v0 or v1 API response.
pub(super) fn looks_like(head: &str) -> bool {
    let v0 =
        json_util::looks_like_array(head) && head.contains("\"cycle\"") && head.contains("\"eol\"");
    let v1 = json_util::looks_like_object(head)
        && head.contains("\"result\"")
        && head.contains("\"releases\"")
        && (head.contains("\"eolFrom\"") || head.contains("\"isEol\""));
    v0 || v1
}

/// Parses a v0 or v1 response. Never panics.
pub(super) fn parse(path: &str, bytes: &[u8]) -> Parsed {
    let value = match json_util::parse(path, bytes, "endoflife.date API response") {
        Ok(v) => v,
        Err(parsed) => return *parsed,
    };
    let mut notes = Notes::new(path);
    let mut manifest = SupportManifest::default();
    let (releases, v1, base): (&[Value], bool, &str) = match &value {
        Value::Array(items) => (items.as_slice(), false, ""),
        other => (
            other
                .get("result")
                .map(|r| array_of(r, "releases"))
                .unwrap_or_default(),
            true,
            "/result/releases",
        ),
    };
    for (i, release) in releases.iter().enumerate() {
        let fields = if v1 {
            v1_fields(release)
        } else {
            v0_fields(release)
        };
        match fields.into_cycle() {
            Ok(cycle) => manifest.cycles.push(cycle),
            Err(why) => notes.add(
                FindingCode::InvalidValue,
                &format!("{base}/{i}"),
                why,
                "each cycle has a releaseDate (YYYY-MM-DD) and an eol date or true/false",
            ),
        }
    }
    if manifest.cycles.is_empty() && notes.findings.is_empty() {
        notes.add(
            FindingCode::EolNoCycles,
            if v1 { "/result/releases" } else { "/" },
            "no release cycles".to_owned(),
            "",
        );
    }
    manifest.cycles.sort_by(|a, b| a.cycle.cmp(&b.cycle));
    Parsed {
        evidence: Some(Evidence::Support(manifest)),
        findings: notes.findings,
    }
}

fn v0_fields(release: &Value) -> CycleFields {
    CycleFields {
        cycle: str_of(release, "cycle").map(str::to_owned).or_else(|| {
            // Some products give numeric cycles (`"cycle": 20`).
            release
                .get("cycle")
                .and_then(Value::as_number)
                .map(ToString::to_string)
        }),
        release_date: field(release, "releaseDate"),
        support: field(release, "support"),
        eol: field(release, "eol"),
        lts: field(release, "lts"),
        latest_release_date: field(release, "latestReleaseDate"),
        line: 0,
    }
}

fn v1_fields(release: &Value) -> CycleFields {
    // `xFrom` is the date; without one, `isX` says whether it has happened.
    let dated = |from: &str, is: &str| match field(release, from) {
        Some(value) => Some(value),
        None => release.get(is).and_then(Value::as_bool).map(EolValue::Bool),
    };
    CycleFields {
        cycle: str_of(release, "name").map(str::to_owned),
        release_date: field(release, "releaseDate"),
        support: dated("eoasFrom", "isEoas"),
        eol: dated("eolFrom", "isEol"),
        lts: release
            .get("isLts")
            .and_then(Value::as_bool)
            .map(EolValue::Bool),
        latest_release_date: release.get("latest").and_then(|l| field(l, "date")),
        line: 0,
    }
}

fn field(value: &Value, key: &str) -> Option<EolValue> {
    match value.get(key)? {
        Value::Bool(b) => Some(EolValue::Bool(*b)),
        Value::String(s) => Some(EolValue::of_text(s)),
        Value::Null => None,
        other => Some(EolValue::Text(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cycles(text: &str) -> Vec<crate::formats::support_toml::SupportCycle> {
        let parsed = parse("eol.json", text.as_bytes());
        assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
        match parsed.evidence {
            Some(Evidence::Support(m)) => m.cycles,
            _ => Vec::new(),
        }
    }

    #[test]
    fn reads_the_v0_shape() {
        let text = r#"[{"cycle": "3.12", "releaseDate": "2023-10-02", "support": "2025-04-02",
            "eol": "2028-10-31", "lts": false, "latestReleaseDate": "2024-12-03"},
            {"cycle": "2.7", "releaseDate": "2010-07-03", "eol": true, "lts": false,
             "latestReleaseDate": "2020-04-20"}]"#;
        assert!(looks_like(text));
        let c = cycles(text);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].cycle, "2.7");
        assert_eq!(
            c[0].eol.map(|d| d.to_string()).as_deref(),
            Some("2020-04-20")
        );
        assert_eq!(
            c[1].eol.map(|d| d.to_string()).as_deref(),
            Some("2028-10-31")
        );
        assert_eq!(
            c[1].support_until.map(|d| d.to_string()).as_deref(),
            Some("2025-04-02")
        );
    }

    #[test]
    fn reads_the_v1_shape() {
        let text = r#"{"schema_version": "1.2.0", "result": {"name": "python", "releases": [
            {"name": "3.12", "releaseDate": "2023-10-02", "isLts": false, "isEoas": true,
             "eoasFrom": "2025-04-02", "isEol": false, "eolFrom": "2028-10-31",
             "latest": {"name": "3.12.8", "date": "2024-12-03"}},
            {"name": "2.7", "releaseDate": "2010-07-03", "isLts": true, "isEol": true,
             "eolFrom": null, "latest": {"name": "2.7.18", "date": "2020-04-20"}}]}}"#;
        assert!(looks_like(text));
        let c = cycles(text);
        assert_eq!(c[0].cycle, "2.7");
        assert!(c[0].lts);
        assert_eq!(
            c[0].eol.map(|d| d.to_string()).as_deref(),
            Some("2020-04-20")
        );
        assert_eq!(
            c[1].eol.map(|d| d.to_string()).as_deref(),
            Some("2028-10-31")
        );
    }

    #[test]
    fn a_cycle_without_a_release_date_is_a_located_finding() {
        let parsed = parse("eol.json", br#"[{"cycle": "1", "eol": false}]"#);
        assert_eq!(parsed.findings.len(), 1);
        assert!(
            parsed.findings[0].message.starts_with("/0:"),
            "{:?}",
            parsed.findings
        );
    }
}
