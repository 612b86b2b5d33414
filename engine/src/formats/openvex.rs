//! OpenVEX documents (v0.0.1 to v0.2.0): per vulnerability and product, whether the product
//! is affected.
//!
//! Each statement gives a vulnerability (a name and aliases in v0.2.0, a bare id before), the
//! products it is about, a status (`not_affected`, `affected`, `fixed`,
//! `under_investigation`) and, for `not_affected`, a justification or an impact statement —
//! the specification requires one of them, so a statement with neither is a finding.

use serde_json::Value;

use super::json_util::{self, Notes, array_of, str_of, strings_of};
use super::{Confidence, DetectInput, Evidence, EvidenceFormat, EvidenceKind, ParseInput, Parsed};
use crate::digest::Sha256Digest;
use crate::finding::FindingCode;
use crate::vulns::{SourceKind, VulnDocument, VulnStatement, VulnStatus};

/// The OpenVEX format.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenVexFormat;

impl EvidenceFormat for OpenVexFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::OpenVex
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let Some(text) = input.text.as_deref() else {
            return Confidence::No;
        };
        let head = text.get(..text.len().min(4096)).unwrap_or(text);
        let by_content = json_util::looks_like_object(text)
            && head.contains("openvex.dev/ns")
            && head.contains("\"statements\"");
        let name = input.file_name().to_ascii_lowercase();
        let by_name = name.ends_with(".openvex.json") || name.ends_with(".vex.json");
        // A `.vex.json` name alone could be CycloneDX VEX: only content decides.
        Confidence::of(by_content, by_content && by_name)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        let value = match json_util::parse(input.path, input.bytes, "OpenVEX document") {
            Ok(v) => v,
            Err(parsed) => return *parsed,
        };
        let mut notes = Notes::new(input.path);
        let statements = array_of(&value, "statements")
            .iter()
            .enumerate()
            .filter_map(|(i, s)| statement(s, &format!("/statements/{i}"), &mut notes))
            .collect();
        let produced_at = notes.instant(&value, "timestamp", "");
        Parsed {
            evidence: Some(Evidence::Vulnerabilities(VulnDocument {
                kind: SourceKind::Vex,
                format: "openvex",
                produced_at,
                statements,
            })),
            findings: notes.findings,
        }
    }
}

fn statement(s: &Value, at: &str, notes: &mut Notes<'_>) -> Option<VulnStatement> {
    let vulnerability = s.get("vulnerability").unwrap_or(&Value::Null);
    let (id, aliases) = match vulnerability {
        Value::String(id) => (Some(id.trim().to_owned()), Vec::new()),
        Value::Object(_) => (
            str_of(vulnerability, "name").map(str::to_owned),
            strings_of(vulnerability, "aliases"),
        ),
        _ => (None, Vec::new()),
    };
    let Some(id) = id.filter(|id| !id.is_empty()) else {
        notes.add(
            FindingCode::InvalidValue,
            &format!("{at}/vulnerability"),
            "a statement without a vulnerability name".to_owned(),
            "give the vulnerability's id, e.g. \"vulnerability\": {\"name\": \"CVE-2026-1234\"}",
        );
        return None;
    };
    let mut out = VulnStatement::new(id);
    out.aliases = aliases;
    let word = str_of(s, "status").unwrap_or_default();
    out.status = VulnStatus::parse(word);
    if out.status.is_none() {
        notes.add(
            FindingCode::InvalidValue,
            &format!("{at}/status"),
            format!(
                "status `{word}` is not one of not_affected, affected, fixed, under_investigation"
            ),
            "",
        );
    }
    out.justification = str_of(s, "justification")
        .or_else(|| str_of(s, "impact_statement"))
        .map(str::to_owned);
    if out.status == Some(VulnStatus::NotAffected) && out.justification.is_none() {
        notes.add(
            FindingCode::VexWithoutJustification,
            at,
            format!(
                "{} is `not_affected` without a justification or an impact statement",
                out.id
            ),
            "OpenVEX requires one of them for not_affected: say why the product is not affected",
        );
    }
    out.package = array_of(s, "products").iter().find_map(|p| match p {
        Value::String(id) => Some(id.trim().to_owned()),
        other => str_of(other, "@id").map(str::to_owned),
    });
    out.product_sha256 = product_sha256(s);
    Some(out)
}

/// The SHA-256 digests a statement's products state (`"hashes": {"sha-256": "..."}`),
/// sorted, when every product states one; empty otherwise (a product without a digest may
/// be the released one).
fn product_sha256(s: &Value) -> Vec<Sha256Digest> {
    let mut out = Vec::new();
    for p in array_of(s, "products") {
        let digests: Vec<Sha256Digest> = p
            .get("hashes")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|hashes| hashes.iter())
            .filter(|(alg, _)| {
                let alg = alg.to_ascii_lowercase();
                alg == "sha-256" || alg == "sha256"
            })
            .filter_map(|(_, v)| Sha256Digest::from_hex(v.as_str()?.trim()))
            .collect();
        if digests.is_empty() {
            return Vec::new();
        }
        out.extend(digests);
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Parsed {
        OpenVexFormat.parse(&ParseInput {
            path: "x.openvex.json",
            bytes: text.as_bytes(),
        })
    }

    #[test]
    fn reads_v0_2_and_v0_0_1_statements() {
        let parsed = parse(
            r#"{"@context": "https://openvex.dev/ns/v0.2.0", "timestamp": "2024-07-09T11:38:00+04:00",
               "statements": [
                 {"vulnerability": {"name": "GO-2024-2575", "aliases": ["CVE-2024-26147"]},
                  "products": [{"@id": "pkg:golang/github.com/aquasecurity/trivy"}],
                  "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"},
                 {"vulnerability": "CVE-2023-12345", "products": ["pkg:apk/wolfi/git@2.39.0-r1"],
                  "status": "fixed"}]}"#,
        );
        assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
        let Some(Evidence::Vulnerabilities(doc)) = parsed.evidence else {
            panic!("no document")
        };
        assert_eq!(doc.statements.len(), 2);
        assert_eq!(doc.statements[0].aliases, ["CVE-2024-26147"]);
        assert_eq!(doc.statements[0].status, Some(VulnStatus::NotAffected));
        assert_eq!(doc.statements[1].status, Some(VulnStatus::Fixed));
        assert_eq!(
            doc.statements[1].package.as_deref(),
            Some("pkg:apk/wolfi/git@2.39.0-r1")
        );
        assert!(doc.produced_at.is_some());
    }

    #[test]
    fn not_affected_without_a_reason_is_a_finding() {
        let parsed = parse(
            r#"{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
                 {"vulnerability": {"name": "CVE-1"}, "products": [], "status": "not_affected"},
                 {"vulnerability": {}, "status": "fixed"},
                 {"vulnerability": {"name": "CVE-2"}, "status": "maybe"}]}"#,
        );
        let codes: Vec<_> = parsed.findings.iter().map(|f| f.code).collect();
        assert_eq!(
            codes,
            [
                FindingCode::VexWithoutJustification,
                FindingCode::InvalidValue,
                FindingCode::InvalidValue
            ]
        );
        assert!(
            parsed.findings[0]
                .message
                .starts_with("/statements/0: CVE-1")
        );
    }
}
