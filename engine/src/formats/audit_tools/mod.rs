//! Dependency audit reports: `npm audit --json` (report version 2, npm 7 and later; and the
//! version 1 report of npm 6), `pip-audit -f json` and `cargo audit --json`.
//!
//! Each is recognised by its real structure (the head for detection, the whole document for
//! parsing) and read as a scan: one statement per vulnerability found in a dependency, with
//! the package, the installed version where the report gives it, the severity and CVSS
//! vector where it gives them, the fixing versions and the advisory ids (aliases). None of
//! the three records when it ran: a scan has a `scanned_at` only when the release job adds a
//! top-level `"scanned_at"` to the report (see [`scan`]). An entry that cannot
//! be read is an `invalid-value` finding located by its JSON pointer (the file is then partly
//! unreadable); a dependency the tool did not audit is an `audit-skipped` warning.

use serde_json::Value;

use super::json_util::{self, Notes};
use super::{Confidence, DetectInput, Evidence, EvidenceFormat, EvidenceKind, ParseInput, Parsed};
use crate::finding::{Finding, FindingCode};
use crate::vulns::{SourceKind, VulnDocument, VulnStatement};

mod npm;

pub use npm::NpmAuditFormat;

/// How much of the head detection looks at.
const HEAD: usize = 4096;

/// `pip-audit -f json`.
#[derive(Debug, Clone, Copy, Default)]
pub struct PipAuditFormat;

/// `cargo audit --json`.
#[derive(Debug, Clone, Copy, Default)]
pub struct CargoAuditFormat;

/// The top-level keys in the first [`HEAD`] bytes, at most 16, worked out once per file
/// ([`DetectInput::json_head_keys`]).
fn head_keys<'a>(input: &'a DetectInput<'_>) -> Vec<&'a str> {
    input.json_head_keys()
}

/// A scan document of `format` from `statements`. None of the tools records when it ran; a
/// top-level `scanned_at` (RFC 3339) that the release job adds when it runs the tool
/// (`jq --arg t "$(date -u +%Y-%m-%dT%H:%M:%SZ)" '. + {scanned_at: $t}'`) is the scan time.
fn scan(
    format: &'static str,
    value: &Value,
    statements: Vec<VulnStatement>,
    mut notes: Notes<'_>,
) -> Parsed {
    let produced_at = notes.instant(value, "scanned_at", "");
    Parsed {
        evidence: Some(Evidence::Vulnerabilities(VulnDocument {
            kind: SourceKind::Scan,
            format,
            produced_at,
            statements,
        })),
        findings: notes.findings,
    }
}

/// The JSON document, or the finding that it is not one (or not an object).
fn document(input: &ParseInput<'_>, what: &str) -> Result<Value, Box<Parsed>> {
    let value = json_util::parse(input.path, input.bytes, what)?;
    if value.is_object() {
        return Ok(value);
    }
    let finding = Finding::new(
        FindingCode::InvalidValue,
        Some(input.path),
        format!(
            "/: expected {what} (an object), found {}",
            json_util::type_name(&value)
        ),
    )
    .with_help("write the report again with the tool's JSON output");
    Err(Box::new(Parsed {
        evidence: None,
        findings: vec![finding],
    }))
}

/// A required member that is missing: the file is not the report it looked like.
fn missing(notes: &mut Notes<'_>, what: &str, key: &str) {
    notes.add(
        FindingCode::InvalidValue,
        "/",
        format!("{what} without `{key}`"),
        "the report is cut short or is not the tool's JSON output; write it again",
    );
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
            && keys
                .iter()
                .all(|k| matches!(*k, "dependencies" | "fixes" | "scanned_at"))
            && (text.contains("\"vulns\"") || text.contains("\"skip_reason\""));
        Confidence::of(by_content, false)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        let value = match document(input, "pip-audit JSON") {
            Ok(v) => v,
            Err(parsed) => return *parsed,
        };
        let mut notes = Notes::new(input.path);
        if !value.get("dependencies").is_some_and(Value::is_array) {
            missing(&mut notes, "pip-audit JSON", "dependencies");
            return Parsed {
                evidence: None,
                findings: notes.findings,
            };
        }
        let mut statements = Vec::new();
        for (d, dep) in notes.list(&value, "dependencies", "").iter().enumerate() {
            let at = format!("/dependencies/{d}");
            if !notes.is_object(dep, &at, "a dependency") {
                continue;
            }
            let Some(name) = notes.text(dep, "name", &at) else {
                notes.add(
                    FindingCode::InvalidValue,
                    &at,
                    "a dependency without a `name`".to_owned(),
                    "pip-audit names every dependency",
                );
                continue;
            };
            if let Some(reason) = notes.text(dep, "skip_reason", &at) {
                notes.add(
                    FindingCode::AuditSkipped,
                    &at,
                    format!("pip-audit did not audit `{name}`: {reason}"),
                    "audit it another way (e.g. its own advisories) if it ships in the release",
                );
                continue;
            }
            let version = notes.text(dep, "version", &at);
            for (v, vuln) in notes.list(dep, "vulns", &at).iter().enumerate() {
                let at = format!("{at}/vulns/{v}");
                if !notes.is_object(vuln, &at, "a vulnerability") {
                    continue;
                }
                let Some(id) = notes.text(vuln, "id", &at) else {
                    notes.add(
                        FindingCode::InvalidValue,
                        &at,
                        "a vulnerability without an `id`".to_owned(),
                        "pip-audit names every vulnerability (PYSEC-..., GHSA-...)",
                    );
                    continue;
                };
                let mut s = VulnStatement::new(id);
                for alias in notes.list(vuln, "aliases", &at) {
                    if let Some(a) = alias.as_str() {
                        s.add_alias(a);
                    }
                }
                s.package = Some(name.to_owned());
                s.installed = version.map(str::to_owned);
                let fixes: Vec<&str> = notes
                    .list(vuln, "fix_versions", &at)
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                if !fixes.is_empty() {
                    s.fixed_in = Some(fixes.join(", "));
                }
                statements.push(s);
            }
        }
        scan("pip-audit", &value, statements, notes)
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
        let value = match document(input, "cargo audit JSON") {
            Ok(v) => v,
            Err(parsed) => return *parsed,
        };
        let mut notes = Notes::new(input.path);
        let Some(list) = value
            .pointer("/vulnerabilities/list")
            .and_then(Value::as_array)
        else {
            missing(&mut notes, "cargo audit JSON", "vulnerabilities.list");
            return Parsed {
                evidence: None,
                findings: notes.findings,
            };
        };
        let mut statements: Vec<VulnStatement> = list
            .iter()
            .enumerate()
            .filter_map(|(i, entry)| {
                cargo_entry(entry, &format!("/vulnerabilities/list/{i}"), &mut notes)
            })
            .collect();
        // An unsound crate (RustSec `informational = "unsound"`: memory-safety bugs, often
        // with a CVE) is listed under `warnings.unsound`, not `vulnerabilities`; it is a
        // vulnerability all the same. Unmaintained, notice and yanked warnings are not.
        let unsound = value
            .get("warnings")
            .and_then(|w| w.get("unsound"))
            .filter(|u| !u.is_null());
        if let Some(list) = unsound {
            match list.as_array() {
                Some(list) => {
                    statements.extend(list.iter().enumerate().filter_map(|(i, entry)| {
                        cargo_entry(entry, &format!("/warnings/unsound/{i}"), &mut notes)
                    }))
                }
                None => notes.add(
                    FindingCode::InvalidValue,
                    "/warnings/unsound",
                    format!("expected a list, found {}", json_util::type_name(list)),
                    "cargo audit lists the warnings of each kind",
                ),
            }
        }
        scan("cargo-audit", &value, statements, notes)
    }
}

/// One entry of cargo audit's `vulnerabilities.list` or `warnings.unsound` (at pointer `at`):
/// the advisory, found in `package` at its version.
fn cargo_entry(entry: &Value, at: &str, notes: &mut Notes<'_>) -> Option<VulnStatement> {
    if !notes.is_object(entry, at, "a vulnerability") {
        return None;
    }
    let Some(advisory) = notes.object(entry, "advisory", at) else {
        notes.add(
            FindingCode::InvalidValue,
            at,
            "a vulnerability without an `advisory`".to_owned(),
            "cargo audit gives the advisory of every vulnerability",
        );
        return None;
    };
    let versions = notes.object(entry, "versions", at);
    let mut s =
        super::rustsec::advisory_statement(advisory, versions, &format!("{at}/advisory"), notes)?;
    // The ranges are the dependency's, not the product's: a scan's statement keeps only what
    // was found.
    s.affected.clear();
    if let Some(package) = notes.object(entry, "package", at) {
        let pat = format!("{at}/package");
        if let Some(name) = notes.text(package, "name", &pat) {
            s.package = Some(name.to_owned());
        }
        s.installed = notes.text(package, "version", &pat).map(str::to_owned);
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::classify;
    use crate::vulns::Band;

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

    fn statements(parsed: &Parsed) -> &[VulnStatement] {
        match &parsed.evidence {
            Some(Evidence::Vulnerabilities(doc)) => &doc.statements,
            _ => &[],
        }
    }

    fn parse(format: &dyn EvidenceFormat, text: &str) -> Parsed {
        format.parse(&ParseInput {
            path: "audit.json",
            bytes: text.as_bytes(),
        })
    }

    #[test]
    fn npm_reports_version_2_and_1() {
        let v2 = r#"{"auditReportVersion": 2, "vulnerabilities": {
          "minimist": {"name": "minimist", "severity": "critical", "via": [
            {"source": 1097677, "name": "minimist", "url": "https://github.com/advisories/GHSA-xvch-5gv4-984h",
             "severity": "critical", "cvss": {"score": 9.8, "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
             "range": ">=1.0.0 <1.2.6"}],
            "fixAvailable": {"name": "minimist", "version": "1.2.8", "isSemVerMajor": false}},
          "mkdirp": {"name": "mkdirp", "severity": "critical", "via": ["minimist"], "fixAvailable": true}},
          "metadata": {"vulnerabilities": {"total": 2}}}"#;
        let parsed = parse(&NpmAuditFormat, v2);
        assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
        let s = statements(&parsed);
        assert_eq!(s.len(), 1, "a `via` string is another package's advisory");
        assert_eq!(s[0].id, "GHSA-xvch-5gv4-984h");
        assert_eq!(s[0].package.as_deref(), Some("minimist"));
        assert_eq!(s[0].severity, Some(Band::Critical));
        assert_eq!(s[0].cvss[0].score, Some(9.8));
        assert_eq!(
            s[0].fixed_in.as_deref(),
            Some("1.2.6"),
            "the advisory's range ends at its fix; 1.2.8 is what `npm audit fix` installs"
        );
        let v1 = r#"{"actions": [], "advisories": {"1179": {"id": 1179, "module_name": "minimist",
          "severity": "low", "cves": ["CVE-2020-7598"], "github_advisory_id": "GHSA-vh95-rmgr-6w4m",
          "patched_versions": ">=1.2.3", "created": "2020-03-11T22:25:40.000Z",
          "findings": [{"version": "0.0.8", "paths": ["minimist"]}, {"version": "1.2.0", "paths": ["x>minimist"]}]}},
          "muted": [], "metadata": {}}"#;
        let parsed = parse(&NpmAuditFormat, v1);
        assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
        let s = statements(&parsed);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].aliases, ["CVE-2020-7598"]);
        assert_eq!(s[1].installed.as_deref(), Some("1.2.0"));
        assert_eq!(s[0].fixed_in.as_deref(), Some("1.2.3"));
        assert!(s[0].disclosed.is_some());
    }

    #[test]
    fn pip_and_cargo_reports() {
        let pip = r#"{"dependencies": [{"name": "jinja2", "version": "2.11.2", "vulns": [
          {"id": "PYSEC-2021-66", "fix_versions": ["2.11.3"], "aliases": ["CVE-2020-28493"]}]},
          {"name": "markupsafe", "version": "2.1.5", "vulns": []}], "fixes": []}"#;
        let parsed = parse(&PipAuditFormat, pip);
        assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
        let s = statements(&parsed);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].installed.as_deref(), Some("2.11.2"));
        assert_eq!(s[0].fixed_in.as_deref(), Some("2.11.3"));
        let Some(Evidence::Vulnerabilities(doc)) = &parsed.evidence else {
            panic!("no scan");
        };
        assert_eq!(doc.produced_at, None, "pip-audit records no scan time");
        let stamped = pip.replacen(
            "\"fixes\": []",
            "\"fixes\": [], \"scanned_at\": \"2026-10-01T12:00:00Z\"",
            1,
        );
        let Some(Evidence::Vulnerabilities(doc)) = parse(&PipAuditFormat, &stamped).evidence else {
            panic!("no scan");
        };
        assert!(
            doc.produced_at.is_some(),
            "a wrapper's scanned_at is the scan time"
        );
        let cargo = r#"{"database": {}, "lockfile": {}, "settings": {}, "vulnerabilities": {"found": true,
          "count": 1, "list": [{"advisory": {"id": "RUSTSEC-2020-0071", "package": "time", "date": "2020-11-18",
          "aliases": ["CVE-2020-26235"], "cvss": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H"},
          "versions": {"patched": [">=0.2.23"], "unaffected": ["=0.2.0"]},
          "package": {"name": "time", "version": "0.1.45"}}]}, "warnings": {}}"#;
        let parsed = parse(&CargoAuditFormat, cargo);
        assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
        let s = statements(&parsed);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].installed.as_deref(), Some("0.1.45"));
        assert_eq!(s[0].fixed_in.as_deref(), Some("0.2.23"));
        assert_eq!(s[0].aliases, ["CVE-2020-26235"]);
        assert!(s[0].disclosed.is_some());
        // An unsound crate is a warning in cargo audit's report and a vulnerability here;
        // an unmaintained one is neither.
        let warned = cargo.replacen(
            "\"warnings\": {}",
            r#""warnings": {"unsound": [{"kind": "unsound", "advisory": {"id": "RUSTSEC-2022-0041",
              "package": "crossbeam-utils", "aliases": ["CVE-2022-23639"], "informational": "unsound"},
              "versions": {"patched": [">=0.8.7"], "unaffected": []},
              "package": {"name": "crossbeam-utils", "version": "0.8.6"}}],
              "unmaintained": [{"kind": "unmaintained", "advisory": {"id": "RUSTSEC-2020-0016",
              "package": "net2", "informational": "unmaintained"}, "versions": {"patched": []},
              "package": {"name": "net2", "version": "0.2.37"}}]}"#,
            1,
        );
        let parsed = parse(&CargoAuditFormat, &warned);
        assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
        let ids: Vec<&str> = statements(&parsed).iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["RUSTSEC-2020-0071", "RUSTSEC-2022-0041"]);
    }

    #[test]
    fn what_a_report_leaves_out_is_a_finding() {
        let skipped = parse(
            &PipAuditFormat,
            r#"{"dependencies": [{"name": "jinja2", "skip_reason": "Dependency not found on PyPI"}], "fixes": []}"#,
        );
        assert_eq!(skipped.findings[0].code, FindingCode::AuditSkipped);
        let broken = parse(
            &NpmAuditFormat,
            r#"{"auditReportVersion": 3, "vulnerabilities": {}}"#,
        );
        assert!(broken.evidence.is_none());
        assert_eq!(broken.findings[0].code, FindingCode::InvalidValue);
        let cut = parse(&CargoAuditFormat, r#"{"database": {}, "lockfile": {}}"#);
        assert!(cut.evidence.is_none());
        let bad_entry = parse(
            &NpmAuditFormat,
            r#"{"auditReportVersion": 2, "vulnerabilities": {"a": {"via": [{"name": "a"}]}}}"#,
        );
        assert_eq!(bad_entry.findings[0].code, FindingCode::InvalidValue);
        assert!(
            bad_entry.findings[0]
                .message
                .starts_with("/vulnerabilities/a/via/0")
        );
    }
}
