//! Trivy's JSON report (`trivy image|fs|repo ... --format json`, `SchemaVersion` 2).
//!
//! Each `Results[].Vulnerabilities[]` entry is one statement: `VulnerabilityID`, the package
//! (`PkgIdentifier.PURL`, else `PkgName`, else `PkgID`), `InstalledVersion`, `FixedVersion`,
//! `Severity`, CVSS vectors (`CVSS.<source>.V3Vector` and `V40Vector`; sources `nvd`, then
//! `ghsa`, then the one `SeveritySource` names, then the rest by name) and `PublishedDate`.
//! The report's `CreatedAt` is when the document was produced.
//!
//! Trivy's per-vulnerability `Status` describes the *vendor's fix* (`fixed` means a fixed
//! version exists, not that this product is fixed), so only the values that say something
//! about the product become a statement status: `not_affected` and `under_investigation`.
//! Findings a VEX document suppressed (`ExperimentalModifiedFindings`, written with
//! `--show-suppressed`) are read with the VEX status Trivy applied and its statement as the
//! justification; findings suppressed by an ignore file are read as plain findings.

use serde_json::Value;

use super::json_util::{self, Notes, pointer_segment};
use super::{Confidence, DetectInput, Evidence, EvidenceFormat, EvidenceKind, ParseInput, Parsed};
use crate::finding::FindingCode;
use crate::vulns::{Band, SourceKind, VulnDocument, VulnStatement, VulnStatus};

/// Scanner reports are parsed whole into memory; larger ones are classified, not parsed.
pub const MAX_SCAN_SIZE: u64 = 256 * 1024 * 1024;

/// Trivy's JSON report.
#[derive(Debug, Clone, Copy, Default)]
pub struct TrivyFormat;

impl EvidenceFormat for TrivyFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::TrivyScan
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let Some(text) = input.text.as_deref() else {
            return Confidence::No;
        };
        // `SchemaVersion` is the first key Trivy writes, the artifact's name and type follow.
        let head = json_util::head(text, 4096);
        let by_content = json_util::looks_like_object(text)
            && head.contains("\"SchemaVersion\"")
            && (head.contains("\"ArtifactName\"") || head.contains("\"ArtifactType\""));
        Confidence::of(by_content, false)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        let value = match json_util::parse(input.path, input.bytes, "Trivy report") {
            Ok(v) => v,
            Err(parsed) => return *parsed,
        };
        let mut notes = Notes::new(input.path);
        if !notes.is_object(&value, "", "a Trivy report") {
            return Parsed {
                evidence: None,
                findings: notes.findings,
            };
        }
        if let Some(version) = value.get("SchemaVersion")
            && version.as_u64() != Some(2)
        {
            notes.add(
                FindingCode::InvalidValue,
                "/SchemaVersion",
                format!("SchemaVersion {version} is not 2; read as version 2"),
                "vouch reads Trivy's report schema version 2 (Trivy 0.20 and later)",
            );
        }
        let produced_at = notes.instant(&value, "CreatedAt", "");
        let mut statements = Vec::new();
        for (r, result) in notes.list(&value, "Results", "").iter().enumerate() {
            let at = format!("/Results/{r}");
            if !notes.is_object(result, &at, "a result") {
                continue;
            }
            let vulns = notes.list(result, "Vulnerabilities", &at);
            for (v, vuln) in vulns.iter().enumerate() {
                let at = format!("{at}/Vulnerabilities/{v}");
                statements.extend(statement(vuln, &at, &mut notes));
            }
            let modified = notes.list(result, "ExperimentalModifiedFindings", &at);
            for (m, entry) in modified.iter().enumerate() {
                let at = format!("{at}/ExperimentalModifiedFindings/{m}");
                statements.extend(suppressed(entry, &at, &mut notes));
            }
        }
        Parsed {
            evidence: Some(Evidence::Vulnerabilities(VulnDocument {
                kind: SourceKind::Scan,
                format: "trivy",
                produced_at,
                statements,
            })),
            findings: notes.findings,
        }
    }

    fn max_parse_size(&self) -> u64 {
        MAX_SCAN_SIZE
    }
}

/// A finding Trivy suppressed (`ExperimentalModifiedFindings[]`): its vulnerability, with the
/// VEX status applied. Misconfigurations, secrets and licences are skipped.
fn suppressed(entry: &Value, at: &str, notes: &mut Notes<'_>) -> Option<VulnStatement> {
    if !notes.is_object(entry, at, "a modified finding") {
        return None;
    }
    let kind = notes.text(entry, "Type", at);
    if kind.is_some_and(|k| !k.eq_ignore_ascii_case("vulnerability")) {
        return None;
    }
    let finding = notes.object(entry, "Finding", at)?;
    if kind.is_none() && finding.get("VulnerabilityID").is_none() {
        return None;
    }
    let mut s = statement(finding, &format!("{at}/Finding"), notes)?;
    // `ignored` (an ignore file) and `unknown` are no statement about the product.
    s.status = notes.text(entry, "Status", at).and_then(VulnStatus::parse);
    if s.status.is_some() {
        s.justification = notes.text(entry, "Statement", at).map(str::to_owned);
    }
    Some(s)
}

/// Reads one `Vulnerabilities[]` entry at JSON pointer `at`; `None` (with a finding) when it
/// is not an object or has no `VulnerabilityID`.
fn statement(vuln: &Value, at: &str, notes: &mut Notes<'_>) -> Option<VulnStatement> {
    if !notes.is_object(vuln, at, "a vulnerability") {
        return None;
    }
    let Some(id) = notes.text(vuln, "VulnerabilityID", at) else {
        notes.add(
            FindingCode::InvalidValue,
            at,
            "a vulnerability without a `VulnerabilityID`".to_owned(),
            "every Trivy vulnerability has an id (e.g. CVE-2024-1234)",
        );
        return None;
    };
    let mut s = VulnStatement::new(id);
    let purl = notes
        .object(vuln, "PkgIdentifier", at)
        .and_then(|p| notes.text(p, "PURL", &format!("{at}/PkgIdentifier")));
    let name = notes.text(vuln, "PkgName", at);
    let pkg_id = notes.text(vuln, "PkgID", at);
    s.package = purl.or(name).or(pkg_id).map(str::to_owned);
    s.installed = notes.text(vuln, "InstalledVersion", at).map(str::to_owned);
    s.fixed_in = notes.text(vuln, "FixedVersion", at).map(str::to_owned);
    s.severity = notes.text(vuln, "Severity", at).and_then(Band::parse);
    s.disclosed = notes.instant(vuln, "PublishedDate", at);
    s.status =
        notes
            .text(vuln, "Status", at)
            .and_then(|word| match word.to_ascii_lowercase().as_str() {
                "not_affected" => Some(VulnStatus::NotAffected),
                "under_investigation" => Some(VulnStatus::UnderInvestigation),
                // `fixed`, `affected`, `will_not_fix`, `fix_deferred`, `end_of_life`, `unknown`:
                // the installed version was found vulnerable; the word is about the vendor's fix.
                _ => None,
            });
    let source = notes.text(vuln, "SeveritySource", at);
    if let Some(cvss) = notes.object(vuln, "CVSS", at)
        && let Some(by_source) = cvss.as_object()
    {
        let mut names: Vec<&str> = by_source.keys().map(String::as_str).collect();
        let rank = |name: &str| match name {
            "nvd" => 0,
            "ghsa" => 1,
            n if Some(n) == source => 2,
            _ => 3,
        };
        names.sort_by(|a, b| (rank(a), a).cmp(&(rank(b), b)));
        for name in names {
            let Some(entry) = by_source.get(name) else {
                continue;
            };
            let at = format!("{at}/CVSS/{}", pointer_segment(name));
            if !notes.is_object(entry, &at, "a CVSS entry") {
                continue;
            }
            for (vector, score) in [("V3Vector", "V3Score"), ("V40Vector", "V40Score")] {
                if let Some(v) = notes.text(entry, vector, &at) {
                    let score = notes.number(entry, score, &at);
                    s.add_cvss(v, score);
                }
            }
        }
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Parsed {
        TrivyFormat.parse(&ParseInput {
            path: "trivy.json",
            bytes: text.as_bytes(),
        })
    }

    fn statements(parsed: &Parsed) -> &[VulnStatement] {
        match &parsed.evidence {
            Some(Evidence::Vulnerabilities(doc)) => &doc.statements,
            _ => &[],
        }
    }

    const REPORT: &str = r#"{"SchemaVersion": 2, "CreatedAt": "2026-09-01T10:00:00Z",
      "ArtifactName": "app", "ArtifactType": "container_image",
      "Results": [{"Target": "app", "Vulnerabilities": [
        {"VulnerabilityID": "CVE-2026-1", "PkgName": "openssl", "InstalledVersion": "3.0.1",
         "FixedVersion": "3.0.2", "Status": "fixed", "Severity": "HIGH",
         "SeveritySource": "redhat", "PublishedDate": "2026-08-01T00:00:00Z",
         "CVSS": {"redhat": {"V3Vector": "CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", "V3Score": 6.2},
                  "ghsa": {"V40Vector": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N", "V40Score": 8.7},
                  "nvd": {"V2Vector": "AV:N/AC:L/Au:N/C:P/I:N/A:N", "V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", "V3Score": 7.5}}}],
        "ExperimentalModifiedFindings": [
          {"Type": "vulnerability", "Status": "not_affected", "Statement": "vulnerable_code_not_in_execute_path",
           "Source": "vex.json", "Finding": {"VulnerabilityID": "CVE-2026-2", "PkgName": "zlib"}},
          {"Type": "vulnerability", "Status": "ignored", "Source": ".trivyignore",
           "Finding": {"VulnerabilityID": "CVE-2026-3", "PkgName": "zlib"}},
          {"Type": "secret", "Status": "ignored", "Finding": {"RuleID": "aws"}}]}]}"#;

    #[test]
    fn reads_vulnerabilities_and_suppressed_findings() {
        let parsed = parse(REPORT);
        assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
        let s = statements(&parsed);
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].id, "CVE-2026-1");
        assert_eq!(
            s[0].status, None,
            "a fix exists; the installed version is affected"
        );
        assert_eq!(s[0].severity, Some(Band::High));
        let vectors: Vec<&str> = s[0].cvss.iter().map(|c| &c.vector[..8]).collect();
        assert_eq!(vectors, ["CVSS:3.1", "CVSS:4.0", "CVSS:3.1"]);
        assert_eq!(s[0].cvss[0].score, Some(7.5));
        assert_eq!(s[0].cvss[2].score, Some(6.2));
        assert_eq!(s[1].status, Some(VulnStatus::NotAffected));
        assert_eq!(
            s[1].justification.as_deref(),
            Some("vulnerable_code_not_in_execute_path")
        );
        assert_eq!((s[2].status, s[2].justification.as_deref()), (None, None));
    }

    #[test]
    fn bad_entries_are_located_and_skipped() {
        let parsed = parse(
            r#"{"SchemaVersion": 2, "CreatedAt": "2026-09-01 10:00:00", "Results": [
              {"Vulnerabilities": [{"PkgName": "a"}, 7, {"VulnerabilityID": 5},
                {"VulnerabilityID": "CVE-2026-9", "InstalledVersion": 1}]}, "x"]}"#,
        );
        assert_eq!(statements(&parsed).len(), 1);
        let messages: Vec<&str> = parsed.findings.iter().map(|f| &f.message[..]).collect();
        assert_eq!(
            messages,
            [
                "/CreatedAt: `2026-09-01 10:00:00` has no time zone; read as UTC",
                "/Results/0/Vulnerabilities/0: a vulnerability without a `VulnerabilityID`",
                "/Results/0/Vulnerabilities/1: expected a vulnerability (an object), found a number",
                "/Results/0/Vulnerabilities/2/VulnerabilityID: expected a string, found a number",
                "/Results/0/Vulnerabilities/2: a vulnerability without a `VulnerabilityID`",
                "/Results/0/Vulnerabilities/3/InstalledVersion: expected a string, found a number",
                "/Results/1: expected a result (an object), found a string",
            ]
        );
    }

    #[test]
    fn detection_needs_the_schema_version_and_artifact() {
        let detect = |text: &str| {
            TrivyFormat.detect(&DetectInput::new(
                "x.json",
                text.as_bytes(),
                text.len() as u64,
            ))
        };
        assert_eq!(detect(REPORT), Confidence::Content);
        assert_eq!(detect(r#"{"SchemaVersion": 2}"#), Confidence::No);
        assert_eq!(
            detect(r#"[{"SchemaVersion": 2, "ArtifactName": "x"}]"#),
            Confidence::No
        );
    }
}
