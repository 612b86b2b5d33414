//! GitHub security advisories (GHSA): the `security_advisory` webhook payload, one advisory
//! from the REST API (`GET /advisories/{ghsa_id}`), or a list of them (`GET /advisories`,
//! also in pages as `gh api --paginate` writes them).
//!
//! An advisory gives the id (`ghsa_id`), aliases (`cve_id`, `identifiers[].value`), the
//! severity word, CVSS vectors (`cvss_severities.cvss_v3`, `.cvss_v4`, then `cvss`),
//! `published_at` (disclosure), the package of its first `vulnerabilities[]` entry and the
//! fixing version when all entries agree on one (`first_patched_version`). A withdrawn
//! advisory (`withdrawn_at`) gives no statement. The same reading serves the
//! `security_advisory` of Dependabot alerts ([`super::dependabot`]).

use serde_json::Value;

use super::json_util::{self, Notes};
use super::{Confidence, DetectInput, Evidence, EvidenceFormat, EvidenceKind, ParseInput, Parsed};
use crate::finding::FindingCode;
use crate::vulns::{Band, SourceKind, VulnDocument, VulnStatement, ranges};

/// Lists of advisories can be long; they are parsed whole into memory.
pub const MAX_LIST_SIZE: u64 = 64 * 1024 * 1024;

/// How much of a file the GitHub formats look at to recognise it.
pub(crate) const DETECT_LEN: usize = 16 * 1024;

/// GitHub security advisories.
#[derive(Debug, Clone, Copy, Default)]
pub struct GithubAdvisoryFormat;

impl EvidenceFormat for GithubAdvisoryFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::GithubAdvisory
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let Some(text) = input.text.as_deref() else {
            return Confidence::No;
        };
        let head = json_util::head(text, DETECT_LEN);
        let by_content = (json_util::looks_like_object(text) || json_util::looks_like_array(text))
            && head.contains("\"ghsa_id\"")
            && (head.contains("\"identifiers\"")
                || head.contains("\"vulnerabilities\"")
                || head.contains("\"cve_id\""))
            && !super::dependabot::looks_like_alerts(head);
        Confidence::of(by_content, false)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        let values = match json_util::parse_many(input.path, input.bytes, "GitHub advisory") {
            Ok(v) => v,
            Err(parsed) => return *parsed,
        };
        let mut notes = Notes::new(input.path);
        // Pages as `gh api --paginate` writes them, like Dependabot alerts.
        let value = json_util::one_value(values);
        let advisories: Vec<(String, &Value)> = match &value {
            Value::Array(items) => json_util::paged_items(items),
            Value::Object(o) => match o.get("security_advisory") {
                Some(a) => vec![("/security_advisory".to_owned(), a)],
                None => vec![(String::new(), &value)],
            },
            other => {
                notes.is_object(other, "", "a GitHub advisory");
                return Parsed {
                    evidence: None,
                    findings: notes.findings,
                };
            }
        };
        let mut statements = Vec::new();
        for (at, advisory) in advisories {
            if !notes.is_object(advisory, &at, "a GitHub advisory") {
                continue;
            }
            if notes.text(advisory, "withdrawn_at", &at).is_some() {
                continue;
            }
            if let Some(mut s) = statement(advisory, &at, &mut notes) {
                affected(&mut s, advisory, &at, &mut notes);
                statements.push(s);
            }
        }
        Parsed {
            evidence: Some(Evidence::Vulnerabilities(VulnDocument {
                kind: SourceKind::Advisory,
                format: "github-advisory",
                produced_at: None,
                statements,
            })),
            findings: notes.findings,
        }
    }

    fn max_parse_size(&self) -> u64 {
        MAX_LIST_SIZE
    }
}

/// Reads the ids, severity, CVSS vectors and publication date of the advisory object at
/// JSON pointer `at`; `None` (with a finding) when it names no id.
pub(crate) fn statement(
    advisory: &Value,
    at: &str,
    notes: &mut Notes<'_>,
) -> Option<VulnStatement> {
    let ghsa = notes.text(advisory, "ghsa_id", at);
    let cve = notes.text(advisory, "cve_id", at);
    let mut identifiers = Vec::new();
    for (i, ident) in notes.list(advisory, "identifiers", at).iter().enumerate() {
        let at = format!("{at}/identifiers/{i}");
        if notes.is_object(ident, &at, "an identifier")
            && let Some(value) = notes.text(ident, "value", &at)
        {
            identifiers.push(value);
        }
    }
    let Some(id) = ghsa.or(cve).or(identifiers.first().copied()) else {
        notes.add(
            FindingCode::InvalidValue,
            if at.is_empty() { "/" } else { at },
            "an advisory without an id (`ghsa_id`, `cve_id` or `identifiers`)".to_owned(),
            "every GitHub advisory has a GHSA id",
        );
        return None;
    };
    let mut s = VulnStatement::new(id);
    for alias in cve.into_iter().chain(identifiers) {
        s.add_alias(alias);
    }
    s.severity = notes.text(advisory, "severity", at).and_then(Band::parse);
    if let Some(severities) = notes.object(advisory, "cvss_severities", at) {
        let at = format!("{at}/cvss_severities");
        for key in ["cvss_v3", "cvss_v4"] {
            if let Some(cvss) = notes.object(severities, key, &at) {
                add_cvss(&mut s, cvss, &format!("{at}/{key}"), notes);
            }
        }
    }
    if let Some(cvss) = notes.object(advisory, "cvss", at) {
        add_cvss(&mut s, cvss, &format!("{at}/cvss"), notes);
    }
    s.disclosed = notes.instant(advisory, "published_at", at);
    Some(s)
}

/// Adds the vector of a `{vector_string, score}` object (at pointer `at`), if it has one.
fn add_cvss(s: &mut VulnStatement, cvss: &Value, at: &str, notes: &mut Notes<'_>) {
    if let Some(vector) = notes.text(cvss, "vector_string", at) {
        let score = notes.number(cvss, "score", at);
        s.add_cvss(vector, score);
    }
}

/// The package and fixing version of one `vulnerabilities[]` entry (at pointer `at`):
/// `package.name` and `first_patched_version` (an object with an `identifier` in webhooks and
/// alerts, a string in the REST advisories API).
pub(crate) fn package_and_fix<'v>(
    vuln: &'v Value,
    at: &str,
    notes: &mut Notes<'_>,
) -> (Option<&'v str>, Option<&'v str>) {
    let package = notes
        .object(vuln, "package", at)
        .and_then(|p| notes.text(p, "name", &format!("{at}/package")));
    let fix = match vuln.get("first_patched_version") {
        Some(Value::Object(_)) => vuln
            .get("first_patched_version")
            .and_then(|f| notes.text(f, "identifier", &format!("{at}/first_patched_version"))),
        _ => notes.text(vuln, "first_patched_version", at),
    };
    (package, fix)
}

/// Sets the package of the first `vulnerabilities[]` entry, the fixing version when all
/// entries that give one give the same, and each entry's affected package with its
/// `vulnerable_version_range` and fix (judged for the release's version when the advisory is
/// about the product: [`crate::vulns::ranges`]).
fn affected(s: &mut VulnStatement, advisory: &Value, at: &str, notes: &mut Notes<'_>) {
    let mut fixes: Vec<&str> = Vec::new();
    for (i, vuln) in notes
        .list(advisory, "vulnerabilities", at)
        .iter()
        .enumerate()
    {
        let at = format!("{at}/vulnerabilities/{i}");
        if !notes.is_object(vuln, &at, "a vulnerable package") {
            continue;
        }
        let (package, fix) = package_and_fix(vuln, &at, notes);
        if s.package.is_none() {
            s.package = package.map(str::to_owned);
        }
        if let Some(range) = notes.text(vuln, "vulnerable_version_range", &at) {
            let ecosystem = vuln
                .get("package")
                .and_then(|p| p.get("ecosystem"))
                .and_then(Value::as_str)
                .map(ranges::osv_ecosystem);
            s.affected.push(ranges::AffectedPackage {
                ecosystem,
                name: package.map(str::to_owned),
                requirements: vec![ranges::Requirement {
                    text: range.to_owned(),
                    first_patched: fix.map(str::to_owned),
                }],
                ..ranges::AffectedPackage::default()
            });
        }
        fixes.extend(fix);
    }
    fixes.sort_unstable();
    fixes.dedup();
    if let [only] = fixes.as_slice() {
        s.fixed_in = Some((*only).to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_advisory_list_and_skips_withdrawn_ones() {
        let text = r#"[{"ghsa_id": "GHSA-aaaa-bbbb-cccc", "cve_id": "CVE-2026-1",
            "identifiers": [{"type": "GHSA", "value": "GHSA-aaaa-bbbb-cccc"}, {"type": "CVE", "value": "CVE-2026-1"}],
            "severity": "high", "published_at": "2026-08-01T00:00:00Z",
            "cvss_severities": {"cvss_v3": {"vector_string": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "score": 9.8},
                                "cvss_v4": {"vector_string": null, "score": 0.0}},
            "cvss": {"vector_string": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "score": 9.8},
            "vulnerabilities": [{"package": {"ecosystem": "npm", "name": "left-pad"},
               "vulnerable_version_range": "< 1.3.0", "first_patched_version": "1.3.0"},
              {"package": {"ecosystem": "npm", "name": "left-pad"}, "first_patched_version": "1.3.0"}]},
          {"ghsa_id": "GHSA-dddd-eeee-ffff", "withdrawn_at": "2026-08-02T00:00:00Z"},
          {"summary": "no id"}]"#;
        let parsed = GithubAdvisoryFormat.parse(&ParseInput {
            path: "advisories.json",
            bytes: text.as_bytes(),
        });
        let messages: Vec<&str> = parsed.findings.iter().map(|f| &f.message[..]).collect();
        assert_eq!(
            messages,
            ["/2: an advisory without an id (`ghsa_id`, `cve_id` or `identifiers`)"]
        );
        let Some(Evidence::Vulnerabilities(doc)) = parsed.evidence else {
            panic!("no document");
        };
        assert_eq!(doc.kind, SourceKind::Advisory);
        let s = &doc.statements;
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].aliases, ["CVE-2026-1"]);
        assert_eq!(s[0].cvss.len(), 1);
        assert_eq!(s[0].severity, Some(Band::High));
        assert_eq!(s[0].package.as_deref(), Some("left-pad"));
        assert_eq!(s[0].fixed_in.as_deref(), Some("1.3.0"));
    }
}
