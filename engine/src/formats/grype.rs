//! Grype's JSON output (`grype -o json`).
//!
//! Each `matches[]` entry is one statement: `vulnerability.id`, the ids of
//! `relatedVulnerabilities[]` as aliases, `vulnerability.severity` (else the first related
//! one's), CVSS v3/v4 vectors with their `metrics.baseScore` (the vulnerability's, then the
//! related ones'), the fixed versions (`fix.versions`, joined with `, `), and the package
//! (`artifact.purl`, else `artifact.name`) at `artifact.version`. `descriptor.timestamp` is
//! when the document was produced.
//!
//! `fix.state` (`fixed`, `not-fixed`, `wont-fix`, `unknown`) is about the upstream fix, not
//! about this product, so it gives no status. Matches an ignore rule removed
//! (`ignoredMatches[]`) are read too: with the rule's `vex-status` (and `vex-justification`)
//! when the rule came from a VEX document, else as plain matches.

use serde_json::Value;

use super::json_util::{self, Notes};
use super::trivy::MAX_SCAN_SIZE;
use super::{Confidence, DetectInput, Evidence, EvidenceFormat, EvidenceKind, ParseInput, Parsed};
use crate::finding::FindingCode;
use crate::vulns::{Band, SourceKind, VulnDocument, VulnStatement, VulnStatus};

/// Grype's JSON output.
#[derive(Debug, Clone, Copy, Default)]
pub struct GrypeFormat;

impl EvidenceFormat for GrypeFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::GrypeScan
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let Some(text) = input.text.as_deref() else {
            return Confidence::No;
        };
        // `matches` is the first key Grype writes; with no matches, the descriptor names it.
        let head = json_util::head(text, 4096);
        let by_content = json_util::looks_like_object(text)
            && head.contains("\"matches\"")
            && (head.contains("\"matchDetails\"")
                || head.contains("\"relatedVulnerabilities\"")
                || (text.contains("\"descriptor\"") && text.contains("\"grype\"")));
        Confidence::of(by_content, false)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        let value = match json_util::parse(input.path, input.bytes, "Grype output") {
            Ok(v) => v,
            Err(parsed) => return *parsed,
        };
        let mut notes = Notes::new(input.path);
        if !notes.is_object(&value, "", "Grype output") {
            return Parsed {
                evidence: None,
                findings: notes.findings,
            };
        }
        let produced_at = notes
            .object(&value, "descriptor", "")
            .and_then(|d| notes.instant(d, "timestamp", "/descriptor"));
        let mut statements = Vec::new();
        for (i, m) in notes.list(&value, "matches", "").iter().enumerate() {
            statements.extend(statement(m, &format!("/matches/{i}"), &mut notes));
        }
        for (i, m) in notes.list(&value, "ignoredMatches", "").iter().enumerate() {
            let at = format!("/ignoredMatches/{i}");
            if let Some(mut s) = statement(m, &at, &mut notes) {
                // The first rule that carries a VEX status decides.
                for (r, rule) in notes.list(m, "appliedIgnoreRules", &at).iter().enumerate() {
                    let at = format!("{at}/appliedIgnoreRules/{r}");
                    let status = notes
                        .text(rule, "vex-status", &at)
                        .and_then(VulnStatus::parse);
                    if status.is_some() {
                        s.status = status;
                        s.justification = notes
                            .text(rule, "vex-justification", &at)
                            .map(str::to_owned);
                        break;
                    }
                }
                statements.push(s);
            }
        }
        Parsed {
            evidence: Some(Evidence::Vulnerabilities(VulnDocument {
                kind: SourceKind::Scan,
                format: "grype",
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

/// Reads one match at JSON pointer `at`; `None` (with a finding) when it is not an object or
/// its vulnerability has no id.
fn statement(m: &Value, at: &str, notes: &mut Notes<'_>) -> Option<VulnStatement> {
    if !notes.is_object(m, at, "a match") {
        return None;
    }
    let vuln = notes.object(m, "vulnerability", at);
    let vuln_at = format!("{at}/vulnerability");
    let Some(id) = vuln.and_then(|v| notes.text(v, "id", &vuln_at)) else {
        notes.add(
            FindingCode::InvalidValue,
            at,
            "a match without a `vulnerability.id`".to_owned(),
            "every Grype match names its vulnerability (e.g. GHSA-xxxx-xxxx-xxxx)",
        );
        return None;
    };
    let vuln = vuln.unwrap_or(&Value::Null);
    let mut s = VulnStatement::new(id);
    s.severity = notes.text(vuln, "severity", &vuln_at).and_then(Band::parse);
    add_cvss(&mut s, vuln, &vuln_at, notes);
    if let Some(fix) = notes.object(vuln, "fix", &vuln_at) {
        let fix_at = format!("{vuln_at}/fix");
        let versions: Vec<&str> = notes
            .list(fix, "versions", &fix_at)
            .iter()
            .filter_map(Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        if !versions.is_empty() {
            s.fixed_in = Some(versions.join(", "));
        }
    }
    for (r, related) in notes
        .list(m, "relatedVulnerabilities", at)
        .iter()
        .enumerate()
    {
        let at = format!("{at}/relatedVulnerabilities/{r}");
        if !notes.is_object(related, &at, "a related vulnerability") {
            continue;
        }
        if let Some(alias) = notes.text(related, "id", &at) {
            s.add_alias(alias);
        }
        if s.severity.is_none() {
            s.severity = notes.text(related, "severity", &at).and_then(Band::parse);
        }
        add_cvss(&mut s, related, &at, notes);
    }
    if let Some(artifact) = notes.object(m, "artifact", at) {
        let at = format!("{at}/artifact");
        let purl = notes.text(artifact, "purl", &at);
        let name = notes.text(artifact, "name", &at);
        s.package = purl.or(name).map(str::to_owned);
        s.installed = notes.text(artifact, "version", &at).map(str::to_owned);
    }
    Some(s)
}

/// Adds the v3/v4 vectors of `record.cvss[]` (at pointer `at`) with their base scores.
fn add_cvss(s: &mut VulnStatement, record: &Value, at: &str, notes: &mut Notes<'_>) {
    for (c, cvss) in notes.list(record, "cvss", at).iter().enumerate() {
        let at = format!("{at}/cvss/{c}");
        if !notes.is_object(cvss, &at, "a CVSS entry") {
            continue;
        }
        if let Some(vector) = notes.text(cvss, "vector", &at) {
            let score = notes
                .object(cvss, "metrics", &at)
                .and_then(|m| notes.number(m, "baseScore", &format!("{at}/metrics")));
            s.add_cvss(vector, score);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Parsed {
        GrypeFormat.parse(&ParseInput {
            path: "grype.json",
            bytes: text.as_bytes(),
        })
    }

    fn statements(parsed: &Parsed) -> &[VulnStatement] {
        match &parsed.evidence {
            Some(Evidence::Vulnerabilities(doc)) => &doc.statements,
            _ => &[],
        }
    }

    const OUTPUT: &str = r#"{"matches": [
      {"vulnerability": {"id": "GHSA-aaaa-bbbb-cccc", "severity": "Unknown",
         "cvss": [{"version": "2.0", "vector": "AV:N/AC:M/Au:N/C:P/I:P/A:N", "metrics": {"baseScore": 5.8}}],
         "fix": {"versions": ["1.2.3", "1.1.9"], "state": "fixed"}},
       "relatedVulnerabilities": [{"id": "CVE-2026-7", "severity": "High",
         "cvss": [{"version": "3.1", "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
                   "metrics": {"baseScore": 7.5}}]}],
       "matchDetails": [],
       "artifact": {"name": "uri", "version": "1.0.0", "purl": "pkg:gem/uri@1.0.0"}}],
      "ignoredMatches": [
      {"vulnerability": {"id": "CVE-2026-8"}, "artifact": {"name": "zlib"},
       "appliedIgnoreRules": [{"vulnerability": "CVE-2026-8", "vex-status": "not_affected",
          "vex-justification": "vulnerable_code_not_present"}]},
      {"vulnerability": {"id": "CVE-2026-9"}, "appliedIgnoreRules": [{"fix-state": "wont-fix"}]}],
      "descriptor": {"name": "grype", "timestamp": "2026-09-01T15:13:32.377177-04:00"}}"#;

    #[test]
    fn reads_matches_and_vex_ignored_matches() {
        let parsed = parse(OUTPUT);
        assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
        let Some(Evidence::Vulnerabilities(doc)) = &parsed.evidence else {
            panic!("no document");
        };
        assert_eq!(
            doc.produced_at.map(|t| t.to_string()).as_deref(),
            Some("2026-09-01T19:13:32.377177Z")
        );
        let s = &doc.statements;
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].aliases, ["CVE-2026-7"]);
        assert_eq!(s[0].severity, Some(Band::High));
        assert_eq!(s[0].cvss.len(), 1);
        assert_eq!(s[0].cvss[0].score, Some(7.5));
        assert_eq!(s[0].fixed_in.as_deref(), Some("1.2.3, 1.1.9"));
        assert_eq!(s[0].package.as_deref(), Some("pkg:gem/uri@1.0.0"));
        assert_eq!(s[0].installed.as_deref(), Some("1.0.0"));
        assert_eq!(s[0].status, None);
        assert_eq!(s[1].status, Some(VulnStatus::NotAffected));
        assert_eq!(
            s[1].justification.as_deref(),
            Some("vulnerable_code_not_present")
        );
        assert_eq!(s[2].status, None);
    }

    #[test]
    fn bad_matches_are_located_and_do_not_hide_others() {
        let parsed = parse(
            r#"{"matches": [{"vulnerability": {}}, {"vulnerability": {"id": "CVE-1",
              "cvss": [{"vector": "CVSS:3.1/AV:N", "metrics": {"baseScore": "high"}}]},
              "relatedVulnerabilities": "CVE-2"}, null],
              "descriptor": {"timestamp": "2026-13-01T00:00:00Z"}}"#,
        );
        assert_eq!(statements(&parsed).len(), 1);
        let messages: Vec<&str> = parsed.findings.iter().map(|f| &f.message[..]).collect();
        assert_eq!(
            messages,
            [
                "/descriptor/timestamp: `2026-13-01T00:00:00Z` is not a date-time",
                "/matches/0: a match without a `vulnerability.id`",
                "/matches/1/vulnerability/cvss/0/metrics/baseScore: expected a number, found a string",
                "/matches/1/relatedVulnerabilities: expected an array, found a string",
                "/matches/2: expected a match (an object), found null",
            ]
        );
    }
}
