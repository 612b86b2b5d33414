//! `npm audit --json`: report version 2 (npm 7 and later), npm 6's version 1 report, and the
//! error document npm writes instead of a report when the audit cannot run.

use serde_json::Value;

use super::super::json_util::{self, Notes};
use super::super::{Confidence, DetectInput, EvidenceFormat, EvidenceKind, ParseInput, Parsed};
use super::{HEAD, document, head_keys, missing, scan};
use crate::finding::FindingCode;
use crate::vulns::{Band, VulnStatement};

/// `npm audit --json` (`auditReportVersion` 2, and npm 6's version 1 report).
#[derive(Debug, Clone, Copy, Default)]
pub struct NpmAuditFormat;

/// The GHSA id an advisory URL ends in (`https://github.com/advisories/GHSA-...`).
fn ghsa_of(url: &str) -> Option<&str> {
    url.rsplit('/')
        .next()
        .filter(|id| id.to_ascii_uppercase().starts_with("GHSA-"))
}

/// The fixing version a vulnerable range (as npm writes an advisory's `vulnerable_versions`,
/// from GitHub's `vulnerable_version_range`) ends before: `<2.0.1`, `< 7.5.2` and `>=1.0.0
/// <1.2.6` give `2.0.1`, `7.5.2` and `1.2.6`. A range with alternatives (`||`), an inclusive
/// end (`<=2.0.0`) or no end (`*`) names none.
fn range_fix(range: &str) -> Option<String> {
    if range.contains("||") {
        return None;
    }
    // Comparators, with an operator written apart from its version (`< 7.5.2`) joined to it.
    let mut comparators: Vec<String> = Vec::new();
    let mut pending = String::new();
    for token in range.split_whitespace() {
        pending.push_str(token);
        if !token.chars().all(|c| matches!(c, '<' | '>' | '=')) {
            comparators.push(std::mem::take(&mut pending));
        }
    }
    let mut ends = comparators.iter().filter(|c| c.starts_with('<'));
    let end = ends.next()?;
    if ends.next().is_some() || end.starts_with("<=") {
        return None;
    }
    let version = end.trim_start_matches('<');
    version
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit())
        .then(|| version.to_owned())
}

/// `>=1.2.3` (as npm 6 writes a patched range) gives `1.2.3`; anything else (`>=1.2.3
/// <2.0.0 || >=2.1.0`) stays as written.
fn fixing_version(range: &str) -> String {
    let range = range.trim();
    match range.strip_prefix(">=").map(str::trim) {
        Some(v) if !v.is_empty() && !v.contains(char::is_whitespace) && !v.contains('|') => {
            v.to_owned()
        }
        _ => range.to_owned(),
    }
}

impl EvidenceFormat for NpmAuditFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::NpmAudit
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        // npm 7+ writes `auditReportVersion` first, then `vulnerabilities`; npm 6 writes
        // `actions`, `advisories`, `muted`, `metadata`.
        let keys = head_keys(input);
        let v2 = keys.first() == Some(&"auditReportVersion")
            && (keys.contains(&"vulnerabilities") || keys.len() == 1);
        let v1 = keys.first() == Some(&"actions") && keys.contains(&"advisories");
        let text = input
            .text
            .as_deref()
            .map_or("", |t| json_util::head(t, HEAD));
        Confidence::of(v2 || v1 || is_npm_error(&keys, text), false)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        let value = match document(input, "npm audit JSON") {
            Ok(v) => v,
            Err(parsed) => return *parsed,
        };
        let mut notes = Notes::new(input.path);
        let keys: Vec<&str> = value
            .as_object()
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        if is_npm_error(&keys, &String::from_utf8_lossy(input.bytes)) {
            return npm_error(&value, notes);
        }
        let statements = match value.get("auditReportVersion") {
            None if value.get("advisories").is_some() => npm_v1(&value, &mut notes),
            Some(v) if v.as_u64() == Some(2) => npm_v2(&value, &mut notes),
            other => {
                notes.add(
                    FindingCode::InvalidValue,
                    "/auditReportVersion",
                    format!(
                        "npm audit report version {} is not one vouch reads (2, or npm 6's \
                         report without a version)",
                        other.map_or_else(|| "none".to_owned(), Value::to_string)
                    ),
                    "run `npm audit --json` with npm 7 or later",
                );
                return Parsed {
                    evidence: None,
                    findings: notes.findings,
                };
            }
        };
        scan("npm-audit", &value, statements, notes)
    }
}

/// The members of the JSON npm writes instead of a report when a command given `--json`
/// fails: `error` (`code`, `summary`, `detail`) and, when the audit endpoint could not be
/// reached or refused (`405 Method Not Allowed`), `message` and the HTTP exchange.
const NPM_ERROR_KEYS: [&str; 7] = [
    "message",
    "method",
    "uri",
    "headers",
    "statusCode",
    "body",
    "error",
];

/// Whether a document whose top-level members are `keys` and whose text (or head) is `text`
/// is npm's error document: only the members npm writes, and either its `error` object
/// (`summary`, `detail`) or a message about the audit endpoint.
fn is_npm_error(keys: &[&str], text: &str) -> bool {
    !keys.is_empty()
        && keys.iter().all(|k| NPM_ERROR_KEYS.contains(k))
        && ((keys.contains(&"error")
            && text.contains("\"summary\"")
            && text.contains("\"detail\""))
            || text.contains("/-/npm/v1/security/"))
}

/// npm's error document where a report should be: the audit did not run, so nothing was
/// audited. Never a clean scan: an `audit-skipped` finding with npm's reason, and no scan.
fn npm_error(value: &Value, mut notes: Notes<'_>) -> Parsed {
    let error = value.get("error");
    fn text<'v>(v: Option<&'v Value>, key: &str) -> Option<&'v str> {
        v.and_then(|v| v.get(key))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
    }
    let reason = text(Some(value), "message")
        .or_else(|| text(error, "summary"))
        .or_else(|| text(error, "code"))
        .unwrap_or("npm gives no reason");
    let code = text(error, "code").map_or_else(String::new, |c| format!(" ({c})"));
    notes.add(
        FindingCode::AuditSkipped,
        "/",
        format!("npm audit did not run: {reason}{code}; the file is npm's error, not a report"),
        "run `npm audit --json` again where the registry answers its audit endpoint, with a \
         package-lock.json, and add the report it writes",
    );
    Parsed {
        evidence: None,
        findings: notes.findings,
    }
}

/// npm 7+: `vulnerabilities` maps each vulnerable package to its advisories (`via` objects;
/// a `via` string names another vulnerable package it depends on, whose own entry lists that
/// advisory).
fn npm_v2(value: &Value, notes: &mut Notes<'_>) -> Vec<VulnStatement> {
    let Some(map) = value.get("vulnerabilities").and_then(Value::as_object) else {
        missing(notes, "npm audit JSON", "vulnerabilities");
        return Vec::new();
    };
    let mut statements = Vec::new();
    for (name, entry) in map {
        let at = format!("/vulnerabilities/{}", json_util::pointer_segment(name));
        if !notes.is_object(entry, &at, "a vulnerable package") {
            continue;
        }
        // `fixAvailable` is `true`, `false`, or the package and version `npm audit fix`
        // would install: whether npm can fix it in this tree, not whether a fix exists. The
        // advisory's own range says that (below); a version of this package that npm names
        // is the fix where the range does not.
        let fix = entry.get("fixAvailable").and_then(|f| {
            (f.get("name").and_then(Value::as_str) == Some(name.as_str()))
                .then(|| f.get("version").and_then(Value::as_str))
                .flatten()
        });
        for (i, via) in notes.list(entry, "via", &at).iter().enumerate() {
            let at = format!("{at}/via/{i}");
            if via.is_string() {
                continue;
            }
            if !notes.is_object(via, &at, "an advisory") {
                continue;
            }
            let url = notes.text(via, "url", &at);
            let id = url.and_then(ghsa_of).map(str::to_owned).or_else(|| {
                via.get("source")
                    .and_then(Value::as_u64)
                    .map(|n| format!("NPM-{n}"))
            });
            let Some(id) = id else {
                notes.add(
                    FindingCode::InvalidValue,
                    &at,
                    "an advisory with neither a GitHub advisory `url` nor a `source` id".to_owned(),
                    "npm names each advisory by its GitHub advisory URL",
                );
                continue;
            };
            let mut s = VulnStatement::new(id);
            s.package = Some(notes.text(via, "name", &at).unwrap_or(name).to_owned());
            s.severity = notes.text(via, "severity", &at).and_then(Band::parse);
            if let Some(cvss) = notes.object(via, "cvss", &at) {
                let cat = format!("{at}/cvss");
                let score = notes.number(cvss, "score", &cat);
                if let Some(vector) = notes.text(cvss, "vectorString", &cat) {
                    s.add_cvss(vector, score);
                }
            }
            s.fixed_in = notes
                .text(via, "range", &at)
                .and_then(range_fix)
                .or_else(|| fix.map(str::to_owned));
            statements.push(s);
        }
    }
    statements
}

/// npm 6: `advisories` maps advisory ids to advisories, each with the installed versions it
/// was found in (`findings[].version`).
fn npm_v1(value: &Value, notes: &mut Notes<'_>) -> Vec<VulnStatement> {
    let Some(map) = value.get("advisories").and_then(Value::as_object) else {
        missing(notes, "npm audit JSON", "advisories");
        return Vec::new();
    };
    let mut statements = Vec::new();
    for (key, advisory) in map {
        let at = format!("/advisories/{}", json_util::pointer_segment(key));
        if !notes.is_object(advisory, &at, "an advisory") {
            continue;
        }
        let id = notes
            .text(advisory, "github_advisory_id", &at)
            .or_else(|| notes.text(advisory, "url", &at).and_then(ghsa_of))
            .map_or_else(|| format!("NPM-{key}"), str::to_owned);
        let mut base = VulnStatement::new(id);
        for cve in notes.list(advisory, "cves", &at) {
            if let Some(c) = cve.as_str() {
                base.add_alias(c);
            }
        }
        base.package = notes.text(advisory, "module_name", &at).map(str::to_owned);
        base.severity = notes.text(advisory, "severity", &at).and_then(Band::parse);
        base.disclosed = notes.instant(advisory, "created", &at);
        base.fixed_in = notes
            .text(advisory, "patched_versions", &at)
            .filter(|p| *p != "<0.0.0")
            .map(fixing_version);
        if let Some(cvss) = notes.object(advisory, "cvss", &at) {
            let cat = format!("{at}/cvss");
            let score = notes.number(cvss, "score", &cat);
            if let Some(vector) = notes.text(cvss, "vectorString", &cat) {
                base.add_cvss(vector, score);
            }
        }
        let findings = notes.list(advisory, "findings", &at);
        if findings.is_empty() {
            statements.push(base);
            continue;
        }
        for (i, f) in findings.iter().enumerate() {
            let mut s = base.clone();
            s.installed = notes
                .text(f, "version", &format!("{at}/findings/{i}"))
                .map(str::to_owned);
            statements.push(s);
        }
    }
    statements
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::classify;

    fn kind_of(text: &str) -> Option<EvidenceKind> {
        classify(&DetectInput::new(
            "x.json",
            text.as_bytes(),
            text.len() as u64,
        ))
        .map(|f| f.kind())
    }

    #[test]
    fn the_fixing_version_is_where_the_vulnerable_range_ends() {
        assert_eq!(range_fix("<2.0.1").as_deref(), Some("2.0.1"));
        assert_eq!(range_fix(">=1.0.0 <1.2.6").as_deref(), Some("1.2.6"));
        assert_eq!(range_fix("< 7.5.2").as_deref(), Some("7.5.2"));
        for none in ["<=2.0.0", "*", "<1.2.3 || >=2.0.0 <2.1.0", ">=1.0.0", "<x"] {
            assert_eq!(range_fix(none), None, "{none}");
        }
    }

    #[test]
    fn npm_error_documents_are_audits_that_did_not_run() {
        // As npm 11 writes them: no lock file; the audit endpoint unreachable.
        let no_lock = r#"{"error": {"code": "ENOLOCK", "summary": "This command requires an existing lockfile.", "detail": "Try creating one first with: npm i --package-lock-only"}}"#;
        let refused = r#"{"message": "request to http://127.0.0.1:9/-/npm/v1/security/advisories/bulk failed, reason: connect ECONNREFUSED 127.0.0.1:9", "error": {"summary": "", "detail": ""}}"#;
        for (text, reason) in [
            (
                no_lock,
                "npm audit did not run: This command requires an existing lockfile. (ENOLOCK)",
            ),
            (
                refused,
                "npm audit did not run: request to http://127.0.0.1:9/",
            ),
        ] {
            assert_eq!(kind_of(text), Some(EvidenceKind::NpmAudit), "{text}");
            let parsed = NpmAuditFormat.parse(&ParseInput {
                path: "scans/npm-audit.json",
                bytes: text.as_bytes(),
            });
            assert!(parsed.evidence.is_none());
            assert_eq!(parsed.findings[0].code, FindingCode::AuditSkipped);
            assert!(parsed.findings[0].message.contains(reason), "{parsed:?}");
        }
        // Other JSON with an `error` member is not npm's.
        assert_eq!(kind_of(r#"{"error": "not found"}"#), None);
        assert_eq!(kind_of(r#"{"error": {"code": 1}, "data": []}"#), None);
    }
}
