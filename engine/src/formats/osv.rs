//! OSV: single advisories in the OSV schema (GHSA, RUSTSEC, PYSEC, GO, distribution
//! records), and OSV-Scanner's JSON output, whose packages carry the same records.
//!
//! An OSV record gives the id, aliases, `published` (disclosure), CVSS vectors
//! (`severity[]`), a severity word (`database_specific.severity`) and fixed versions
//! (`affected[].ranges[].events[].fixed`).

use serde_json::Value;

use super::json_util::{self, Notes, array_of, str_of, strings_of};
use super::{Confidence, DetectInput, Evidence, EvidenceFormat, EvidenceKind, ParseInput, Parsed};
use crate::vulns::ranges::{AffectedPackage, AffectedRange, RangeEvent, RangeKind};
use crate::vulns::{
    AdvisoryDoc, AdvisoryInfo, Band, SourceKind, StatedCvss, VulnDocument, VulnStatement,
};

/// OSV advisories (one record per file).
#[derive(Debug, Clone, Copy, Default)]
pub struct OsvAdvisoryFormat;

/// OSV-Scanner's JSON output (`osv-scanner --format json`).
#[derive(Debug, Clone, Copy, Default)]
pub struct OsvScannerFormat;

impl EvidenceFormat for OsvAdvisoryFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::OsvAdvisory
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let Some(text) = input.text.as_deref() else {
            return Confidence::No;
        };
        // An object with an "id" and a "modified" date (which OSV requires), and none of the
        // keys that mark other JSON evidence.
        let by_content = json_util::looks_like_object(text)
            && text.contains("\"id\"")
            && text.contains("\"modified\"")
            && ![
                "\"results\"",
                "\"bomFormat\"",
                "\"spdxVersion\"",
                "\"csaf_version\"",
            ]
            .iter()
            .any(|marker| text.contains(marker));
        Confidence::of(by_content, false)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        let value = match json_util::parse(input.path, input.bytes, "OSV advisory") {
            Ok(v) => v,
            Err(parsed) => return *parsed,
        };
        let mut notes = Notes::new(input.path);
        let Some(statement) = statement(&value, "", &mut notes) else {
            return Parsed {
                evidence: None,
                findings: notes.findings,
            };
        };
        let updated = notes.instant(&value, "modified", "");
        let mut affected_versions = Vec::new();
        let mut fixed_versions = Vec::new();
        for affected in array_of(&value, "affected") {
            affected_versions.extend(strings_of(affected, "versions"));
            for range in array_of(affected, "ranges") {
                // GIT ranges name commits, not versions: they stay in the statement's ranges.
                if str_of(range, "type") == Some("GIT") {
                    continue;
                }
                let mut introduced = None;
                for event in array_of(range, "events") {
                    if let Some(v) = str_of(event, "introduced") {
                        introduced = Some(v);
                    }
                    if let Some(v) = str_of(event, "fixed") {
                        fixed_versions.push(v.to_owned());
                        affected_versions.push(format!(">={} <{v}", introduced.unwrap_or("0")));
                        introduced = None;
                    }
                }
                if let Some(v) = introduced {
                    affected_versions.push(format!(">={v}"));
                }
            }
        }
        affected_versions.sort();
        affected_versions.dedup();
        fixed_versions.sort();
        fixed_versions.dedup();
        let mut vulnerabilities: Vec<String> =
            statement.ids().iter().map(|id| (*id).to_owned()).collect();
        vulnerabilities.sort();
        let advisory = AdvisoryInfo {
            id: statement.id.clone(),
            format: "osv",
            title: str_of(&value, "summary").map(str::to_owned),
            published: statement.disclosed,
            updated,
            vulnerabilities,
            affected_versions,
            fixed_versions,
            mitigations: Vec::new(),
        };
        Parsed {
            evidence: Some(Evidence::Advisory(AdvisoryDoc {
                advisory,
                statements: VulnDocument {
                    kind: SourceKind::Advisory,
                    format: "osv",
                    produced_at: updated,
                    statements: vec![statement],
                },
            })),
            findings: notes.findings,
        }
    }
}

impl EvidenceFormat for OsvScannerFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::OsvScannerScan
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let Some(text) = input.text.as_deref() else {
            return Confidence::No;
        };
        let head = text.get(..text.len().min(4096)).unwrap_or(text);
        let by_content = json_util::looks_like_object(text)
            && head.contains("\"results\"")
            && (head.contains("\"packages\"") || head.contains("\"source\""));
        Confidence::of(by_content, false)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        let value = match json_util::parse(input.path, input.bytes, "OSV-Scanner output") {
            Ok(v) => v,
            Err(parsed) => return *parsed,
        };
        let mut notes = Notes::new(input.path);
        let mut statements = Vec::new();
        for (r, result) in array_of(&value, "results").iter().enumerate() {
            for (p, package) in array_of(result, "packages").iter().enumerate() {
                let info = package.get("package").unwrap_or(&Value::Null);
                for (v, record) in array_of(package, "vulnerabilities").iter().enumerate() {
                    let at = format!("/results/{r}/packages/{p}/vulnerabilities/{v}");
                    if let Some(mut s) = statement(record, &at, &mut notes) {
                        s.package = str_of(info, "name").map(str::to_owned).or(s.package);
                        s.installed = str_of(info, "version").map(str::to_owned);
                        statements.push(s);
                    }
                }
            }
        }
        Parsed {
            evidence: Some(Evidence::Vulnerabilities(VulnDocument {
                kind: SourceKind::Scan,
                format: "osv-scanner",
                produced_at: None,
                statements,
            })),
            findings: notes.findings,
        }
    }
}

/// Reads one OSV record at JSON pointer `at`; `None` (with a finding) when it has no id.
pub(crate) fn statement(record: &Value, at: &str, notes: &mut Notes<'_>) -> Option<VulnStatement> {
    let Some(id) = str_of(record, "id") else {
        notes.add(
            crate::finding::FindingCode::InvalidValue,
            if at.is_empty() { "/" } else { at },
            "an OSV record without an `id`".to_owned(),
            "every OSV record has an id (e.g. GHSA-xxxx-xxxx-xxxx)",
        );
        return None;
    };
    let mut s = VulnStatement::new(id);
    s.aliases = strings_of(record, "aliases");
    s.disclosed = notes.instant(record, "published", at);
    for sev in array_of(record, "severity") {
        if let Some(vector) = str_of(sev, "score").filter(|v| v.starts_with("CVSS:")) {
            s.cvss.push(StatedCvss {
                vector: vector.to_owned(),
                score: None,
            });
        }
    }
    s.severity = record
        .get("database_specific")
        .and_then(|d| str_of(d, "severity"))
        .and_then(Band::parse);
    for affected in array_of(record, "affected") {
        if s.package.is_none() {
            s.package = affected
                .get("package")
                .and_then(|p| str_of(p, "purl").or_else(|| str_of(p, "name")))
                .map(str::to_owned);
        }
        // A GIT range's `fixed` is a commit, never a fixing version.
        let fixed = array_of(affected, "ranges")
            .iter()
            .filter(|r| str_of(r, "type") != Some("GIT"))
            .flat_map(|r| array_of(r, "events"))
            .find_map(|e| str_of(e, "fixed"));
        if s.fixed_in.is_none() {
            s.fixed_in = fixed.map(str::to_owned);
        }
        s.affected.push(affected_package(affected));
    }
    Some(s)
}

/// One `affected[]` entry: its package, ranges (of the types OSV defines) and versions.
fn affected_package(affected: &Value) -> AffectedPackage {
    let package = affected.get("package").unwrap_or(&Value::Null);
    let ranges = array_of(affected, "ranges")
        .iter()
        .filter_map(|r| {
            let kind = RangeKind::parse(str_of(r, "type")?)?;
            let events = array_of(r, "events")
                .iter()
                .filter_map(|e| {
                    let at = |key| str_of(e, key).map(str::to_owned);
                    at("introduced")
                        .map(RangeEvent::Introduced)
                        .or_else(|| at("fixed").map(RangeEvent::Fixed))
                        .or_else(|| at("last_affected").map(RangeEvent::LastAffected))
                        .or_else(|| at("limit").map(RangeEvent::Limit))
                })
                .collect();
            Some(AffectedRange { kind, events })
        })
        .collect();
    AffectedPackage {
        ecosystem: str_of(package, "ecosystem").map(str::to_owned),
        name: str_of(package, "name").map(str::to_owned),
        purl: str_of(package, "purl").map(str::to_owned),
        ranges,
        versions: strings_of(affected, "versions"),
        ..AffectedPackage::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: &str = r#"{"id": "GHSA-qc84-gqf4-9926", "modified": "2022-08-11T21:55:33Z",
        "published": "2022-02-16T22:36:21Z", "aliases": ["CVE-2022-23639"],
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
        "affected": [{"package": {"ecosystem": "crates.io", "name": "crossbeam-utils"},
          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "0.8.7"}]}]}],
        "database_specific": {"severity": "HIGH"}}"#;

    #[test]
    fn reads_an_osv_record() {
        let parsed = OsvAdvisoryFormat.parse(&ParseInput {
            path: "a.json",
            bytes: RECORD.as_bytes(),
        });
        assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
        let Some(Evidence::Advisory(doc)) = parsed.evidence else {
            panic!("no document");
        };
        assert_eq!(doc.advisory.affected_versions, [">=0 <0.8.7"]);
        assert_eq!(doc.advisory.fixed_versions, ["0.8.7"]);
        let s = &doc.statements.statements[0];
        assert_eq!(s.aliases, ["CVE-2022-23639"]);
        assert_eq!(s.severity, Some(Band::High));
        assert_eq!(s.fixed_in.as_deref(), Some("0.8.7"));
        assert_eq!(s.package.as_deref(), Some("crossbeam-utils"));
        assert_eq!(s.cvss.len(), 1);
    }

    #[test]
    fn broken_json_is_one_located_finding() {
        let parsed = OsvAdvisoryFormat.parse(&ParseInput {
            path: "a.json",
            bytes: b"{\"id\": \"X\",\n \"modified\": ",
        });
        assert!(parsed.evidence.is_none());
        assert_eq!(parsed.findings.len(), 1);
        assert_eq!(parsed.findings[0].line, Some(2));
    }
}
