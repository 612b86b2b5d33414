//! Dependabot alerts: the REST API's list (`GET /repos/{owner}/{repo}/dependabot/alerts`, a
//! JSON array of alerts; several pages as `gh api --paginate` writes them, one after another
//! or in one array with `--slurp`), a single alert (or one per line), or a `dependabot_alert`
//! webhook payload (`{"action": ..., "alert": {...}}`). The legacy
//! `repository_vulnerability_alert` webhook's alert is read too.
//!
//! An alert is a register entry: the repository's record of one vulnerability in one
//! dependency. Its advisory gives the ids, severity, CVSS and disclosure date (read as
//! [`super::github_advisory`] reads advisories); `created_at` is when it was discovered,
//! `fixed_at` when it was fixed, `security_vulnerability` the package and fixing version.
//!
//! | `state` | status |
//! | --- | --- |
//! | `open` | `affected` |
//! | `fixed` | `fixed` |
//! | `dismissed`, reason `inaccurate` or `not_used` | `not_affected`, justified by the reason and comment |
//! | `dismissed`, other reasons; `auto_dismissed` | none (a decision not to act, not a finding about the product) |

use serde_json::Value;

use super::github_advisory::{self, DETECT_LEN, MAX_LIST_SIZE};
use super::json_util::{self, Notes};
use super::{Confidence, DetectInput, Evidence, EvidenceFormat, EvidenceKind, ParseInput, Parsed};
use crate::finding::FindingCode;
use crate::vulns::{Band, SourceKind, VulnDocument, VulnStatement, VulnStatus};

/// Dependabot alerts.
#[derive(Debug, Clone, Copy, Default)]
pub struct DependabotFormat;

/// Whether the start of a JSON text holds Dependabot alerts (current or legacy shape).
pub(crate) fn looks_like_alerts(head: &str) -> bool {
    let current = head.contains("\"security_advisory\"")
        && (head.contains("\"dependency\"") || head.contains("\"security_vulnerability\""));
    let legacy = head.contains("\"alert\"")
        && (head.contains("\"affected_package_name\"") || head.contains("\"external_identifier\""));
    current || legacy
}

impl EvidenceFormat for DependabotFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::DependabotAlerts
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let name = input.file_name().to_ascii_lowercase();
        let by_name = name.contains("dependabot") && name.ends_with(".json");
        let Some(text) = input.text.as_deref() else {
            return Confidence::of(false, by_name);
        };
        let by_content = (json_util::looks_like_object(text) || json_util::looks_like_array(text))
            && looks_like_alerts(json_util::head(text, DETECT_LEN));
        Confidence::of(by_content, by_name)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        let values = match json_util::parse_many(input.path, input.bytes, "Dependabot alerts") {
            Ok(v) => v,
            Err(parsed) => return *parsed,
        };
        let mut notes = Notes::new(input.path);
        // Several documents (pages `gh api --paginate` wrote one after another, or one alert
        // per line) are read as one list of pages, pointers starting with the document index.
        let value = json_util::one_value(values);
        let alerts: Vec<(String, &Value)> = match &value {
            Value::Array(items) => json_util::paged_items(items),
            // A webhook payload holds its alert, and is read as the alert below.
            Value::Object(_) => vec![(String::new(), &value)],
            other => {
                notes.is_object(other, "", "a Dependabot alert or a list of them");
                return Parsed {
                    evidence: None,
                    findings: notes.findings,
                };
            }
        };
        let mut statements = Vec::new();
        for (at, item) in alerts {
            // A webhook payload (alone, or one per line) holds its alert.
            let (at, alert) = match item.get("alert") {
                Some(alert) => (format!("{at}/alert"), alert),
                None => (at, item),
            };
            if !notes.is_object(alert, &at, "a Dependabot alert") {
                continue;
            }
            let s = if alert.get("security_advisory").is_none()
                && (alert.get("affected_package_name").is_some()
                    || alert.get("external_identifier").is_some())
            {
                legacy(alert, &at, &mut notes)
            } else {
                statement(alert, &at, &mut notes)
            };
            statements.extend(s);
        }
        Parsed {
            evidence: Some(Evidence::Vulnerabilities(VulnDocument {
                kind: SourceKind::Register,
                format: "dependabot",
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

/// Reads one alert at JSON pointer `at`; `None` (with a finding) when its advisory names no
/// id.
fn statement(alert: &Value, at: &str, notes: &mut Notes<'_>) -> Option<VulnStatement> {
    let Some(advisory) = notes.object(alert, "security_advisory", at) else {
        notes.add(
            FindingCode::InvalidValue,
            if at.is_empty() { "/" } else { at },
            "an alert without a `security_advisory`".to_owned(),
            "every Dependabot alert names the advisory it is about",
        );
        return None;
    };
    let mut s = github_advisory::statement(advisory, &format!("{at}/security_advisory"), notes)?;
    if let Some(vuln) = notes.object(alert, "security_vulnerability", at) {
        let vuln_at = format!("{at}/security_vulnerability");
        let (package, fix) = github_advisory::package_and_fix(vuln, &vuln_at, notes);
        s.package = package.map(str::to_owned);
        s.fixed_in = fix.map(str::to_owned);
        if s.severity.is_none() {
            s.severity = notes.text(vuln, "severity", &vuln_at).and_then(Band::parse);
        }
    }
    if s.package.is_none()
        && let Some(dependency) = notes.object(alert, "dependency", at)
    {
        let (package, _) =
            github_advisory::package_and_fix(dependency, &format!("{at}/dependency"), notes);
        s.package = package.map(str::to_owned);
    }
    s.discovered = notes.instant(alert, "created_at", at);
    s.fixed_at = notes.instant(alert, "fixed_at", at);
    let state = notes.text(alert, "state", at);
    s.status = match state {
        Some("open") => Some(VulnStatus::Affected),
        Some("fixed") => Some(VulnStatus::Fixed),
        Some("dismissed") => {
            let reason = notes.text(alert, "dismissed_reason", at);
            let comment = notes.text(alert, "dismissed_comment", at);
            match reason {
                Some(r @ ("inaccurate" | "not_used")) => {
                    s.justification = Some(match comment {
                        Some(c) => format!("{r}: {c}"),
                        None => r.to_owned(),
                    });
                    Some(VulnStatus::NotAffected)
                }
                _ => None,
            }
        }
        Some("auto_dismissed") | None => None,
        Some(other) => {
            unknown_state(other, at, notes, "open, fixed, dismissed or auto_dismissed");
            None
        }
    };
    Some(s)
}

/// Reads a legacy `repository_vulnerability_alert` alert at JSON pointer `at`: `ghsa_id` and
/// `external_identifier` (the CVE), `affected_package_name`, `fixed_in`, `severity`,
/// `created_at` and `fixed_at`; `open` is `affected`, `fixed` is `fixed`, and a dismissal (a
/// free-text `dismiss_reason`) gives no status.
fn legacy(alert: &Value, at: &str, notes: &mut Notes<'_>) -> Option<VulnStatement> {
    let ghsa = notes.text(alert, "ghsa_id", at);
    let external = notes.text(alert, "external_identifier", at);
    let Some(id) = ghsa.or(external) else {
        notes.add(
            FindingCode::InvalidValue,
            if at.is_empty() { "/" } else { at },
            "an alert without an id (`ghsa_id` or `external_identifier`)".to_owned(),
            "every Dependabot alert names the advisory it is about",
        );
        return None;
    };
    let mut s = VulnStatement::new(id);
    if let Some(external) = external {
        s.add_alias(external);
    }
    s.package = notes
        .text(alert, "affected_package_name", at)
        .map(str::to_owned);
    s.fixed_in = notes.text(alert, "fixed_in", at).map(str::to_owned);
    s.severity = notes.text(alert, "severity", at).and_then(Band::parse);
    s.discovered = notes.instant(alert, "created_at", at);
    s.fixed_at = notes.instant(alert, "fixed_at", at);
    s.status = match notes.text(alert, "state", at) {
        Some("open") => Some(VulnStatus::Affected),
        Some("fixed") => Some(VulnStatus::Fixed),
        Some("dismissed") | None => None,
        Some(other) => {
            unknown_state(other, at, notes, "open, fixed or dismissed");
            None
        }
    };
    Some(s)
}

fn unknown_state(state: &str, at: &str, notes: &mut Notes<'_>, known: &str) {
    notes.add(
        FindingCode::InvalidValue,
        &format!("{at}/state"),
        format!("`{state}` is not an alert state vouch knows ({known}); no status is read"),
        "",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(state: &str, extra: &str) -> String {
        format!(
            r#"{{"number": 1, "state": "{state}", {extra}
              "dependency": {{"package": {{"ecosystem": "npm", "name": "semver"}}}},
              "security_advisory": {{"ghsa_id": "GHSA-c2qf-rxjj-qqgw", "cve_id": "CVE-2022-25883",
                "severity": "medium", "published_at": "2023-06-21T06:30:28Z",
                "identifiers": [{{"value": "GHSA-c2qf-rxjj-qqgw", "type": "GHSA"}}],
                "cvss": {{"vector_string": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", "score": 5.3}}}},
              "security_vulnerability": {{"package": {{"ecosystem": "npm", "name": "semver"}},
                "severity": "medium", "first_patched_version": {{"identifier": "7.5.2"}}}},
              "created_at": "2023-06-24T13:57:12Z"}}"#
        )
    }

    fn parse(text: &str) -> Parsed {
        DependabotFormat.parse(&ParseInput {
            path: "dependabot-alerts.json",
            bytes: text.as_bytes(),
        })
    }

    fn statements(parsed: &Parsed) -> Vec<VulnStatement> {
        match &parsed.evidence {
            Some(Evidence::Vulnerabilities(doc)) => doc.statements.clone(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn states_map_to_statuses() {
        let list = format!(
            "[{}, {}, {}, {}, {}]",
            alert("open", ""),
            alert("fixed", r#""fixed_at": "2023-06-25T00:00:00Z","#),
            alert(
                "dismissed",
                r#""dismissed_reason": "not_used", "dismissed_comment": "dev only","#
            ),
            alert("dismissed", r#""dismissed_reason": "tolerable_risk","#),
            alert("auto_dismissed", ""),
        );
        let parsed = parse(&list);
        assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
        let s = statements(&parsed);
        let statuses: Vec<_> = s.iter().map(|s| s.status).collect();
        assert_eq!(
            statuses,
            [
                Some(VulnStatus::Affected),
                Some(VulnStatus::Fixed),
                Some(VulnStatus::NotAffected),
                None,
                None
            ]
        );
        assert_eq!(s[2].justification.as_deref(), Some("not_used: dev only"));
        assert_eq!(s[0].id, "GHSA-c2qf-rxjj-qqgw");
        assert_eq!(s[0].aliases, ["CVE-2022-25883"]);
        assert_eq!(s[0].fixed_in.as_deref(), Some("7.5.2"));
        assert_eq!(s[0].package.as_deref(), Some("semver"));
        assert_eq!(s[0].severity, Some(Band::Medium));
        assert!(s[0].discovered.is_some() && s[0].disclosed.is_some());
        assert!(s[1].fixed_at.is_some());
    }

    #[test]
    fn one_bad_alert_does_not_hide_the_others() {
        let list = format!(
            r#"[{}, {{"number": 2, "state": "open", "security_advisory": {{"summary": "x"}}}},
               {{"number": 3, "state": "open"}}, "alert", {}]"#,
            alert("open", r#""fixed_at": 12,"#),
            alert("weird", r#""created_at": "2023-06-24","#).replace(
                r#""created_at": "2023-06-24T13:57:12Z""#,
                r#""updated_at": null"#
            ),
        );
        let parsed = parse(&list);
        assert_eq!(statements(&parsed).len(), 2);
        let messages: Vec<&str> = parsed.findings.iter().map(|f| &f.message[..]).collect();
        assert_eq!(
            messages,
            [
                "/0/fixed_at: expected a string, found a number",
                "/1/security_advisory: an advisory without an id (`ghsa_id`, `cve_id` or `identifiers`)",
                "/2: an alert without a `security_advisory`",
                "/3: expected a Dependabot alert (an object), found a string",
                "/4/created_at: `2023-06-24` has no time zone; read as UTC",
                "/4/state: `weird` is not an alert state vouch knows (open, fixed, dismissed or auto_dismissed); no status is read",
            ]
        );
    }

    #[test]
    fn pages_one_after_another_or_slurped_are_one_list() {
        let open = alert("open", "");
        for text in [
            format!("[{open}, {open}]\n[{open}]\n"),
            format!("[[{open}, {open}], [{open}]]"),
            format!("{open}\n{open}\n{{\"action\": \"created\", \"alert\": {open}}}\n"),
        ] {
            let parsed = parse(&text);
            assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
            assert_eq!(statements(&parsed).len(), 3, "{text}");
        }
        let parsed = parse(&format!("[{open}]\n[{open}, 7]"));
        let messages: Vec<&str> = parsed.findings.iter().map(|f| &f.message[..]).collect();
        assert_eq!(
            messages,
            ["/1/1: expected a Dependabot alert (an object), found a number"]
        );
        assert_eq!(statements(&parse("")).len(), 0);
    }

    #[test]
    fn detection_tells_alerts_from_advisories() {
        let detect = |name: &str, text: &str| {
            DependabotFormat.detect(&DetectInput::new(name, text.as_bytes(), text.len() as u64))
        };
        assert_eq!(detect("a.json", &alert("open", "")), Confidence::Content);
        assert_eq!(detect("dependabot-alerts.json", "[]"), Confidence::Name);
        assert_eq!(
            detect(
                "a.json",
                r#"{"action": "published", "security_advisory": {"ghsa_id": "x"}}"#
            ),
            Confidence::No
        );
    }
}
