//! RustSec advisories in their native format (the files of the `rustsec/advisory-db`
//! repository, `crates/<crate>/RUSTSEC-YYYY-NNNN.md`): TOML front matter in a ```` ```toml ````
//! fence (`[advisory]` with `id`, `package`, `date`, `aliases`, `cvss`, ...; `[versions]` with
//! `patched` and `unaffected` SemVer requirements), then the Markdown description whose first
//! `# ` heading is the title. The older all-TOML form (`RUSTSEC-YYYY-NNNN.toml`, the same
//! tables) is read too.
//!
//! cargo-audit's JSON (`cargo audit --json`) carries the same `advisory` and `versions`
//! objects for each vulnerability it finds: [`advisory_statement`] reads both.

use serde_json::Value;

use super::json_util::{self, Notes};
use super::{Confidence, DetectInput, Evidence, EvidenceFormat, EvidenceKind, ParseInput, Parsed};
use crate::finding::{Finding, FindingCode};
use crate::vulns::ranges::{AffectedPackage, fixed_version};
use crate::vulns::{AdvisoryDoc, AdvisoryInfo, Band, SourceKind, VulnDocument, VulnStatement};

/// A RustSec advisory (Markdown with TOML front matter, or TOML).
#[derive(Debug, Clone, Copy, Default)]
pub struct RustsecFormat;

const FENCE: &str = "```toml";

/// The TOML of the file and the byte offset it starts at, and the Markdown after it.
fn split(text: &str) -> Option<(&str, usize, &str)> {
    let trimmed = text.trim_start_matches('\u{feff}');
    let skipped = text.len() - trimmed.len();
    if let Some(rest) = trimmed.strip_prefix(FENCE) {
        let body_start = rest.find('\n')? + 1;
        let body = rest.get(body_start..)?;
        let end = body.find("\n```")?;
        let toml = body.get(..=end)?;
        let after = body.get(end + 4..).unwrap_or("");
        return Some((toml, skipped + FENCE.len() + body_start, after));
    }
    Some((trimmed, skipped, ""))
}

impl EvidenceFormat for RustsecFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::RustsecAdvisory
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let Some(text) = input.text.as_deref() else {
            return Confidence::No;
        };
        let head = text.trim_start_matches('\u{feff}');
        let fenced = head.starts_with(FENCE);
        let toml = head.starts_with("[advisory]");
        let by_content =
            (fenced || toml) && head.contains("[advisory]") && head.contains("id = \"RUSTSEC-");
        Confidence::of(by_content, false)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        let path = input.path;
        let fail = |finding: Finding| Parsed {
            evidence: None,
            findings: vec![finding],
        };
        let text = match super::text::decode(input.bytes) {
            Ok(t) => t,
            Err(why) => {
                return fail(Finding::new(
                    FindingCode::NotText,
                    Some(path),
                    format!("RustSec advisory is {why}"),
                ));
            }
        };
        let Some((front, offset, markdown)) = split(&text) else {
            return fail(
                Finding::new(
                    FindingCode::InvalidValue,
                    Some(path),
                    "RustSec advisory: its ```toml front matter is not closed".to_owned(),
                )
                .with_help("end the front matter with a line of three backticks"),
            );
        };
        let table: toml::Table = match toml::from_str(front) {
            Ok(t) => t,
            Err(e) => {
                let at = e.span().map_or(0, |s| s.start) + offset;
                let line = text.get(..at).map_or(1, |t| t.matches('\n').count() + 1);
                let mut finding = Finding::new(
                    FindingCode::ManifestSyntax,
                    Some(path),
                    format!(
                        "RustSec advisory front matter is not TOML: {}",
                        e.message().trim().replace('\n', "; ")
                    ),
                )
                .with_help("the front matter is TOML, as in the rustsec/advisory-db repository");
                finding = finding.at_line(u32::try_from(line).unwrap_or(u32::MAX));
                return fail(finding);
            }
        };
        let value = serde_json::to_value(&table).unwrap_or(Value::Null);
        let mut notes = Notes::new(path);
        let Some(advisory) = notes.object(&value, "advisory", "") else {
            notes.add(
                FindingCode::InvalidValue,
                "/",
                "a RustSec advisory without an `[advisory]` table".to_owned(),
                "the front matter starts with `[advisory]`",
            );
            return Parsed {
                evidence: None,
                findings: notes.findings,
            };
        };
        let versions = notes.object(&value, "versions", "");
        let Some(mut statement) = advisory_statement(advisory, versions, "/advisory", &mut notes)
        else {
            return Parsed {
                evidence: None,
                findings: notes.findings,
            };
        };
        // An informational advisory (`unmaintained`, `unsound`, `notice`) is still read: it
        // names a problem of the crate the policy may judge.
        let title = markdown
            .lines()
            .find_map(|l| l.strip_prefix("# "))
            .map(|t| t.trim().to_owned())
            .or_else(|| {
                notes
                    .text(advisory, "title", "/advisory")
                    .map(str::to_owned)
            });
        let package = statement.affected.first().cloned().unwrap_or_default();
        let mut ids: Vec<String> = statement.ids().iter().map(|i| (*i).to_owned()).collect();
        ids.sort();
        statement.line = Some(1);
        let advisory = AdvisoryInfo {
            id: statement.id.clone(),
            format: "rustsec",
            title,
            published: statement.disclosed,
            updated: None,
            vulnerabilities: ids,
            affected_versions: affected_versions(&package),
            fixed_versions: {
                let mut v: Vec<String> = package.patched.iter().map(|r| fixed_version(r)).collect();
                v.sort();
                v.dedup();
                v
            },
            mitigations: Vec::new(),
        };
        Parsed {
            evidence: Some(Evidence::Advisory(AdvisoryDoc {
                advisory,
                statements: VulnDocument {
                    kind: SourceKind::Advisory,
                    format: "rustsec",
                    produced_at: None,
                    statements: vec![statement],
                },
            })),
            findings: notes.findings,
        }
    }
}

/// The affected versions as ranges (`<0.8.7`, `>=1.0.0 <1.2.3`): below each `patched`
/// requirement's first version, from the previous requirement's upper bound. `unaffected`
/// requirements are not subtracted (the ranges are wider, never narrower, than the truth).
fn affected_versions(p: &AffectedPackage) -> Vec<String> {
    let mut patched: Vec<(String, Option<String>)> = p
        .patched
        .iter()
        .map(|req| {
            let upper = req
                .split(',')
                .filter_map(|part| part.trim().strip_prefix('<'))
                .map(|v| v.trim_start_matches('=').trim().to_owned())
                .next();
            (fixed_version(req), upper)
        })
        .collect();
    if patched.is_empty() {
        return vec![">=0".to_owned()];
    }
    patched.sort_by(
        |a, b| match (semver::Version::parse(&a.0), semver::Version::parse(&b.0)) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            _ => a.0.cmp(&b.0),
        },
    );
    let mut out = Vec::new();
    let mut from: Option<String> = None;
    for (fixed, upper) in patched {
        out.push(match &from {
            None => format!("<{fixed}"),
            Some(low) => format!(">={low} <{fixed}"),
        });
        from = upper;
        if from.is_none() {
            break;
        }
    }
    if let Some(low) = from {
        out.push(format!(">={low}"));
    }
    out
}

/// One RustSec advisory object (at JSON pointer `at`) as a statement: `id`, `aliases`,
/// `package`, `date` (disclosure), `cvss` (a vector), and the `versions` requirements as its
/// affected package (`fixed_in`: the first `patched` requirement's version). `None`, with a
/// finding, without an id.
pub(crate) fn advisory_statement(
    advisory: &Value,
    versions: Option<&Value>,
    at: &str,
    notes: &mut Notes<'_>,
) -> Option<VulnStatement> {
    let Some(id) = notes.text(advisory, "id", at) else {
        notes.add(
            FindingCode::InvalidValue,
            at,
            "a RustSec advisory without an `id`".to_owned(),
            "every RustSec advisory has an id (RUSTSEC-YYYY-NNNN)",
        );
        return None;
    };
    let mut s = VulnStatement::new(id);
    for (i, alias) in notes.list(advisory, "aliases", at).iter().enumerate() {
        match alias.as_str() {
            Some(a) => s.add_alias(a),
            None => notes.add(
                FindingCode::InvalidValue,
                &format!("{at}/aliases/{i}"),
                format!("expected a string, found {}", json_util::type_name(alias)),
                "aliases are ids such as CVE-2022-23639",
            ),
        }
    }
    let package = notes.text(advisory, "package", at).map(str::to_owned);
    s.package.clone_from(&package);
    if let Some(date) = notes.text(advisory, "date", at) {
        match json_util::when(date) {
            Some(json_util::When::Exact(t) | json_util::When::AssumedUtc(t)) => {
                s.disclosed = Some(t);
            }
            None => notes.add(
                FindingCode::InvalidValue,
                &format!("{at}/date"),
                format!("`{date}` is not a date"),
                "RustSec dates are YYYY-MM-DD",
            ),
        }
    }
    if let Some(vector) = notes.text(advisory, "cvss", at) {
        s.add_cvss(vector, None);
    }
    if let Some(word) = notes.text(advisory, "severity", at) {
        s.severity = Band::parse(word);
    }
    let mut affected = AffectedPackage {
        ecosystem: Some("crates.io".to_owned()),
        name: package,
        ..AffectedPackage::default()
    };
    if let Some(versions) = versions {
        let vat = at.rsplit_once('/').map_or("", |(head, _)| head);
        let vat = format!("{vat}/versions");
        for (key, list) in [
            ("patched", &mut affected.patched),
            ("unaffected", &mut affected.unaffected),
        ] {
            for (i, req) in notes.list(versions, key, &vat).iter().enumerate() {
                match req.as_str() {
                    Some(r) if semver::VersionReq::parse(r).is_ok() => list.push(r.to_owned()),
                    _ => notes.add(
                        FindingCode::InvalidValue,
                        &format!("{vat}/{key}/{i}"),
                        format!("`{req}` is not a SemVer requirement"),
                        "RustSec versions are SemVer requirements such as \">= 0.8.7\"",
                    ),
                }
            }
        }
    }
    s.fixed_in = affected.patched.first().map(|r| fixed_version(r));
    s.affected.push(affected);
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Parsed {
        RustsecFormat.parse(&ParseInput {
            path: "RUSTSEC-2099-0001.md",
            bytes: text.as_bytes(),
        })
    }

    #[test]
    fn reads_front_matter_and_title() {
        let text = "```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\npackage = \"demo\"\n\
                    date = \"2099-01-02\"\naliases = [\"CVE-2099-1\"]\n\
                    cvss = \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"\n\n\
                    [versions]\npatched = [\">= 1.2.3, < 2.0.0\", \">= 2.0.1\"]\n```\n\n# Demo is broken\n\nText.\n";
        let parsed = parse(text);
        assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
        let Some(Evidence::Advisory(doc)) = parsed.evidence else {
            panic!("no advisory");
        };
        assert_eq!(doc.advisory.title.as_deref(), Some("Demo is broken"));
        assert_eq!(doc.advisory.fixed_versions, ["1.2.3", "2.0.1"]);
        assert_eq!(doc.advisory.affected_versions, ["<1.2.3", ">=2.0.0 <2.0.1"]);
        let s = &doc.statements.statements[0];
        assert_eq!(s.aliases, ["CVE-2099-1"]);
        assert_eq!(s.package.as_deref(), Some("demo"));
        assert_eq!(s.fixed_in.as_deref(), Some("1.2.3"));
        assert_eq!(s.cvss.len(), 1);
        assert!(s.disclosed.is_some());
    }

    #[test]
    fn broken_front_matter_is_a_located_finding() {
        let parsed =
            parse("```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\ndate = 2099-01-02 x\n```\n");
        assert!(parsed.evidence.is_none());
        assert_eq!(parsed.findings[0].line, Some(4));
        let unclosed = parse("```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\n");
        assert!(unclosed.evidence.is_none());
        assert!(unclosed.findings[0].message.contains("not closed"));
        let bad = parse(
            "```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\n[versions]\npatched = [\"newest\"]\n```\n",
        );
        assert_eq!(bad.findings.len(), 1);
        assert_eq!(bad.findings[0].code, FindingCode::InvalidValue);
    }
}
