//! Vulnerability reports vouch recognises but does not read yet: `npm audit --json`
//! (`auditReportVersion` 2), `pip-audit -f json` and `cargo audit --json`.
//!
//! Each is recognised by its real structure (the head for detection, the whole document for
//! parsing) and always parses to no evidence, with a finding that says so: the file is then
//! unreadable vulnerability evidence, and every control that reads vulnerabilities fails on
//! it instead of passing as if the report were not there.

use serde_json::Value;

use super::json_util;
use super::{Confidence, DetectInput, EvidenceFormat, EvidenceKind, ParseInput, Parsed};
use crate::finding::{Finding, FindingCode};

/// How much of the head detection looks at.
const HEAD: usize = 4096;

/// `npm audit --json` (npm 7 and later: `auditReportVersion` 2).
#[derive(Debug, Clone, Copy, Default)]
pub struct NpmAuditFormat;

/// `pip-audit -f json`.
#[derive(Debug, Clone, Copy, Default)]
pub struct PipAuditFormat;

/// `cargo audit --json`.
#[derive(Debug, Clone, Copy, Default)]
pub struct CargoAuditFormat;

fn head_keys<'a>(input: &'a DetectInput<'_>) -> Vec<&'a str> {
    input
        .text
        .as_deref()
        .map(|text| json_util::top_level_keys(json_util::head(text, HEAD), 16))
        .unwrap_or_default()
}

impl EvidenceFormat for NpmAuditFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::NpmAudit
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        // npm writes `auditReportVersion` first, then `vulnerabilities`.
        let keys = head_keys(input);
        let by_content = keys.first() == Some(&"auditReportVersion")
            && (keys.contains(&"vulnerabilities") || keys.len() == 1);
        Confidence::of(by_content, false)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        read(input, "npm audit JSON", |v| {
            let version = v.get("auditReportVersion").and_then(Value::as_u64);
            if version != Some(2) {
                return Err("`auditReportVersion` is not 2".to_owned());
            }
            if !v.get("vulnerabilities").is_some_and(Value::is_object) {
                return Err("it has no `vulnerabilities` object".to_owned());
            }
            let total = v
                .pointer("/metadata/vulnerabilities/total")
                .and_then(Value::as_u64)
                .ok_or_else(|| "it has no `metadata.vulnerabilities.total`".to_owned())?;
            Ok(total)
        })
    }
}

impl EvidenceFormat for PipAuditFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::PipAudit
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        // `{"dependencies": [{"name": ..., "version": ..., "vulns": [...]}, ...], "fixes": [...]}`;
        // a dependency pip-audit could not audit has a `skip_reason` instead.
        let keys = head_keys(input);
        let text = input
            .text
            .as_deref()
            .map_or("", |t| json_util::head(t, HEAD));
        let by_content = keys.first() == Some(&"dependencies")
            && keys.iter().all(|k| *k == "dependencies" || *k == "fixes")
            && (text.contains("\"vulns\"") || text.contains("\"skip_reason\""));
        Confidence::of(by_content, false)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        read(input, "pip-audit JSON", |v| {
            let dependencies = v
                .get("dependencies")
                .and_then(Value::as_array)
                .ok_or_else(|| "it has no `dependencies` list".to_owned())?;
            if !v.get("fixes").is_some_and(Value::is_array) {
                return Err("it has no `fixes` list".to_owned());
            }
            let mut total = 0u64;
            for (i, d) in dependencies.iter().enumerate() {
                if d.get("name").and_then(Value::as_str).is_none() {
                    return Err(format!("dependency {} has no `name`", i.saturating_add(1)));
                }
                let vulns = d.get("vulns").and_then(Value::as_array).map_or(0, Vec::len);
                total = total.saturating_add(vulns as u64);
            }
            Ok(total)
        })
    }
}

impl EvidenceFormat for CargoAuditFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::CargoAudit
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        // `{"database": {...}, "lockfile": {...}, "settings": {...}, "vulnerabilities":
        // {"found", "count", "list"}, "warnings": {...}}`.
        let keys = head_keys(input);
        let by_content = keys.first() == Some(&"database")
            && keys.contains(&"lockfile")
            && (keys.contains(&"settings") || keys.contains(&"vulnerabilities"));
        Confidence::of(by_content, false)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        read(input, "cargo audit JSON", |v| {
            for key in ["database", "lockfile", "vulnerabilities"] {
                if !v.get(key).is_some_and(Value::is_object) {
                    return Err(format!("it has no `{key}` object"));
                }
            }
            let list = v
                .pointer("/vulnerabilities/list")
                .and_then(Value::as_array)
                .ok_or_else(|| "it has no `vulnerabilities.list`".to_owned())?;
            Ok(list.len() as u64)
        })
    }
}

/// Parses the whole document, checks its structure with `shape` (which counts the
/// vulnerabilities it lists), and says it is not read: never any evidence.
fn read(
    input: &ParseInput<'_>,
    what: &str,
    shape: impl FnOnce(&Value) -> Result<u64, String>,
) -> Parsed {
    let value = match json_util::parse(input.path, input.bytes, what) {
        Ok(v) => v,
        Err(parsed) => return *parsed,
    };
    let finding = match shape(&value) {
        Ok(count) => Finding::new(
            FindingCode::NotReadYet,
            Some(input.path),
            format!(
                "{what} is not read by vouch yet ({count} vulnerabilit{} listed); it counts as \
                 unreadable vulnerability evidence",
                if count == 1 { "y" } else { "ies" }
            ),
        )
        .with_help(
            "give vouch a report it reads (OSV-Scanner, Trivy or Grype JSON, OpenVEX, or \
             `vulnerabilities.toml`) for the same dependencies, and remove this file or keep it \
             only beside that report",
        ),
        Err(why) => Finding::new(
            FindingCode::InvalidValue,
            Some(input.path),
            format!("{what} cannot be read: {why}"),
        )
        .with_help("write the report again with the tool's JSON output"),
    };
    Parsed {
        evidence: None,
        findings: vec![finding],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::classify;

    fn kind_of(path: &str, text: &str) -> Option<EvidenceKind> {
        classify(&DetectInput::new(path, text.as_bytes(), text.len() as u64)).map(|f| f.kind())
    }

    #[test]
    fn reports_are_recognised_by_their_structure_not_their_name() {
        let npm =
            "{\n  \"auditReportVersion\": 2,\n  \"vulnerabilities\": {},\n  \"metadata\": {}\n}";
        assert_eq!(kind_of("x.json", npm), Some(EvidenceKind::NpmAudit));
        let pip = r#"{"dependencies": [{"name": "a", "version": "1", "vulns": []}], "fixes": []}"#;
        assert_eq!(kind_of("x.json", pip), Some(EvidenceKind::PipAudit));
        let cargo = r#"{"database": {}, "lockfile": {"dependency-count": 1}, "settings": {}, "vulnerabilities": {"found": false, "count": 0, "list": []}, "warnings": {}}"#;
        assert_eq!(kind_of("x.json", cargo), Some(EvidenceKind::CargoAudit));
        // Look-alikes are not: an npm lock file, a list of dependencies without vulns.
        let lock = r#"{"name": "a", "lockfileVersion": 3, "packages": {}}"#;
        assert_eq!(kind_of("package-lock.json", lock), None);
        let deps = r#"{"dependencies": [{"name": "a"}], "fixes": []}"#;
        assert_eq!(kind_of("x.json", deps), None);
    }

    #[test]
    fn a_report_is_never_evidence_and_says_why() {
        let pip = br#"{"dependencies": [{"name": "a", "version": "1", "vulns": [{"id": "PYSEC-1"}]}], "fixes": []}"#;
        let parsed = PipAuditFormat.parse(&ParseInput {
            path: "pip.json",
            bytes: pip,
        });
        assert!(parsed.evidence.is_none());
        assert_eq!(parsed.findings.len(), 1);
        assert_eq!(parsed.findings[0].code, FindingCode::NotReadYet);
        assert!(
            parsed.findings[0]
                .message
                .contains("(1 vulnerability listed)")
        );
        // A document that only looked like one is unreadable for what it lacks.
        let broken = NpmAuditFormat.parse(&ParseInput {
            path: "npm.json",
            bytes: br#"{"auditReportVersion": 1, "vulnerabilities": {}}"#,
        });
        assert!(broken.evidence.is_none());
        assert_eq!(broken.findings[0].code, FindingCode::InvalidValue);
    }
}
