//! endoflife.date release data (`releases/<product>.json`).

use serde_json::Value;

use super::{CycleFields, EolValue};
use crate::finding::FindingCode;
use crate::formats::json_util::{self, Notes, str_of};
use crate::formats::support_toml::SupportManifest;
use crate::formats::{Evidence, Parsed};

/// Parses release data. Never panics.
pub(super) fn parse(path: &str, bytes: &[u8]) -> Parsed {
    let value = match json_util::parse(path, bytes, "endoflife.date release data") {
        Ok(v) => v,
        Err(parsed) => return *parsed,
    };
    let mut notes = Notes::new(path);
    let mut manifest = SupportManifest::default();
    match value.get("releases") {
        Some(Value::Object(releases)) => {
            for (key, release) in releases {
                let at = format!("/releases/{}", key.replace('~', "~0").replace('/', "~1"));
                let fields = CycleFields {
                    cycle: str_of(release, "name")
                        .map(str::to_owned)
                        .or_else(|| Some(key.clone())),
                    release_date: field(release, "releaseDate"),
                    support: field(release, "eoas").or_else(|| field(release, "support")),
                    eol: field(release, "eol"),
                    lts: field(release, "lts"),
                    latest_release_date: field(release, "latestReleaseDate"),
                    line: 0,
                };
                match fields.into_cycle() {
                    Ok(cycle) => manifest.cycles.push(cycle),
                    Err(why) => notes.add(
                        FindingCode::InvalidValue,
                        &at,
                        why,
                        "each release has a releaseDate (YYYY-MM-DD) and an eol date or true/false",
                    ),
                }
            }
        }
        Some(_) => notes.add(
            FindingCode::InvalidValue,
            "/releases",
            "`releases` is not an object".to_owned(),
            "release data maps each cycle name to its dates",
        ),
        None => {}
    }
    if manifest.cycles.is_empty() && notes.findings.is_empty() {
        notes.add(
            FindingCode::EolNoCycles,
            "/releases",
            "no release cycles (only versions' dates, which vouch does not use)".to_owned(),
            "",
        );
    }
    // Newest data first in the file, but cycles are listed in name order for determinism.
    manifest.cycles.sort_by(|a, b| a.cycle.cmp(&b.cycle));
    Parsed {
        evidence: Some(Evidence::Support(manifest)),
        findings: notes.findings,
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

    #[test]
    fn reads_cycles() {
        let text = r#"{"releases": {"3.9": {"name": "3.9", "releaseDate": "2020-10-05", "eol": "2025-10-31"},
            "2.7": {"name": "2.7", "releaseDate": "2010-07-03", "eol": true},
            "bad": {"name": "bad", "eol": false}}, "versions": {}}"#;
        let parsed = parse("python.json", text.as_bytes());
        let Some(Evidence::Support(m)) = parsed.evidence else {
            panic!()
        };
        assert_eq!(m.cycles.len(), 2);
        assert_eq!(m.cycles[0].cycle, "2.7");
        assert_eq!(m.cycles[0].eol.unwrap().to_string(), "2010-07-03");
        assert_eq!(parsed.findings.len(), 1);
        assert!(parsed.findings[0].message.starts_with("/releases/bad"));
        let parsed = parse(
            "node.json",
            br#"{"releases": {}, "versions": {"1.0.0": {"date": "2020-01-01"}}}"#,
        );
        assert_eq!(parsed.findings[0].code, FindingCode::EolNoCycles);
    }
}
