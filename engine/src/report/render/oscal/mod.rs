//! OSCAL assessment-results JSON (`oscal-version` 1.1.3).
//!
//! Mapping:
//! - `metadata`: the policy title, `last-modified` = `as_of`, the policy version; props with
//!   the tool, the bundle digest, the policy digest and the overall result.
//! - `import-ap`: vouch has no separate assessment plan, so it points at the back-matter
//!   resource of the policy, whose sources are listed with their SHA-256.
//! - One `result`, `start` = `end` = `as_of` (never the wall clock). `reviewed-controls`
//!   selects the framework principles the policy assesses (control ids `FRAMEWORK-ID`, e.g.
//!   `uk-sscop-3.1`, since OSCAL tokens cannot start with a digit) and, as objectives, the
//!   policy's controls.
//! - `observations`: one per finding (method `TEST`, the message, relevant evidence linking
//!   to back-matter resources that carry each file's SHA-256), one per control without
//!   findings (its outcome), one per attestation (method `EXAMINE`) and one per bundle problem.
//! - `findings`: one per control, targeting the control as an objective
//!   (`objective-id`), `satisfied` for pass and not applicable and `not-satisfied` otherwise,
//!   with props for severity, status, principles and `findings-omitted` (findings past the
//!   report's per-control cap, when there are any), linked to its observations and risks.
//!   A finding's observation carries its `fingerprint`; an attestation's, its `signing-key`,
//!   the `authority-decision` and each determining `authority-policy`.
//! - `risks`: one per waiver: `deviation-approved` when applied, `open` when expired,
//!   `deviation-requested` when not yet effective, `closed` when unused.
//! - `back-matter`: the policy and every bundle file, each with its SHA-256.
//!
//! UUIDs are name-based (RFC 9562 version 5, SHA-1) under a fixed vouch namespace, from the
//! bundle digest, the policy digest, the kind of object and its key (control id, finding
//! number, waiver id, path), so the same report always gets the same UUIDs and different
//! bundles or policies never share them. Text fields are Markdown in OSCAL, so report text is
//! Markdown-escaped; string props are trimmed to one line.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::common;
use super::escape::{self, uri_path_string};
use crate::report::model::Report;

mod observations;

use observations::{control_observations, finding};

/// The OSCAL version the document declares.
pub(crate) const OSCAL_VERSION: &str = "1.1.3";
/// The namespace of vouch's own props.
const NS: &str = "urn:vouch:report";

/// Renders the OSCAL assessment-results document.
pub(crate) fn render(report: &Report) -> String {
    let ids = Ids::new(report);
    let policy_resource = ids.uuid("resource", "policy");

    // Every bundle file, plus any cited file the list lacks: path -> (sha256, kind).
    let mut files: BTreeMap<&str, (&str, Option<&str>)> = report
        .evidence
        .iter()
        .map(|e| (e.path.as_str(), (e.sha256.as_str(), Some(e.kind.as_str()))))
        .collect();
    for c in &report.controls {
        for f in &c.findings {
            for e in &f.evidence {
                files
                    .entry(e.path.as_str())
                    .or_insert((e.sha256.as_str(), None));
            }
        }
    }
    for a in &report.attestations {
        files
            .entry(a.path.as_str())
            .or_insert((a.sha256.as_str(), None));
    }

    let mut observations = Vec::new();
    let mut findings = Vec::new();
    for c in &report.controls {
        let first = observations.len();
        control_observations(&ids, report, c, &mut observations);
        for (i, a) in report.attestations.iter().enumerate() {
            if a.control != c.id {
                continue;
            }
            let verdict = if a.accepted {
                "accepted"
            } else {
                "not accepted"
            };
            let mut description = format!(
                "{} attested by {} on {} ({verdict}",
                a.statement, a.attested_by, a.date
            );
            if let Some(r) = &a.reason {
                description.push_str(": ");
                description.push_str(r);
            }
            description.push(')');
            let mut props = vec![prop("control", &c.id)];
            match &a.key_id {
                Some(key) => {
                    description.push_str(&format!("; signed with key {key}"));
                    props.push(prop("signing-key", key));
                }
                None => description.push_str("; no signature by a trusted key"),
            }
            if let Some(d) = &a.decision {
                description.push_str("; authority: ");
                description.push_str(&d.describe());
                props.push(prop(
                    "authority-decision",
                    if d.allowed { "allowed" } else { "denied" },
                ));
                props.extend(d.policies.iter().map(|p| prop("authority-policy", p)));
            }
            observations.push(json!({
                "uuid": ids.uuid("attestation", &i.to_string()),
                "title": md_line(&format!("{}: attestation", c.id)),
                "description": md(&description),
                "props": props,
                "methods": ["EXAMINE"],
                "relevant-evidence": [evidence(&ids, &a.path, None, a.sha256.as_str())],
                "collected": report.as_of,
            }));
        }
        let related: Vec<Value> = observations
            .get(first..)
            .unwrap_or_default()
            .iter()
            .filter_map(|o| o.get("uuid").cloned())
            .map(|u| json!({ "observation-uuid": u }))
            .collect();
        findings.push(finding(&ids, report, c, related));
    }
    for (i, b) in report.bundle.findings.iter().enumerate() {
        let mut o = Map::new();
        o.insert(
            "uuid".into(),
            json!(ids.uuid("bundle-finding", &i.to_string())),
        );
        o.insert(
            "title".into(),
            json!(md_line(&format!("bundle: {}", b.code))),
        );
        o.insert(
            "description".into(),
            json!(md(&format!("{}: {}", b.severity, b.message))),
        );
        o.insert("methods".into(), json!(["TEST"]));
        if let Some(path) = &b.path
            && let Some((sha, _)) = files.get(path.as_str())
        {
            let loc = b.line.map(|l| format!("line {l}"));
            o.insert(
                "relevant-evidence".into(),
                json!([evidence(&ids, path, loc.as_deref(), sha)]),
            );
        }
        o.insert("collected".into(), json!(report.as_of));
        observations.push(Value::Object(o));
    }

    let risks: Vec<Value> = report
        .waivers
        .iter()
        .map(|w| {
            let status = match w.state.as_str() {
                "applied" => "deviation-approved",
                "expired" => "open",
                "not_yet_effective" => "deviation-requested",
                _ => "closed",
            };
            json!({
                "uuid": ids.uuid("risk", &w.id),
                "title": md_line(&format!("waiver {} for {}", w.id, w.control)),
                "description": md(&w.justification),
                "statement": md(w.risk.as_deref().unwrap_or(&w.justification)),
                "props": [
                    prop("waiver-state", &w.state),
                    prop("approver", &w.approver),
                    prop("effective", &w.effective),
                    prop("expires", &w.expires),
                    prop("findings-covered", &w.matched.to_string()),
                ],
                "status": status,
            })
        })
        .collect();

    let mut result = Map::new();
    result.insert("uuid".into(), json!(ids.uuid("result", "")));
    result.insert(
        "title".into(),
        json!(md_line(&format!(
            "vouch evaluation of {}",
            report.policy.title
        ))),
    );
    let s = &report.summary;
    result.insert(
        "description".into(),
        json!(format!(
            "{} controls evaluated against bundle {} as of {}: {} pass, {} fail, {} waived, \
             {} manual, {} not applicable, {} error.",
            s.total,
            report.bundle.digest,
            report.as_of,
            s.pass,
            s.fail,
            s.waived,
            s.manual,
            s.not_applicable,
            s.error
        )),
    );
    result.insert("start".into(), json!(report.as_of));
    result.insert("end".into(), json!(report.as_of));
    result.insert(
        "props".into(),
        json!([prop("result", common::verdict(report).as_str())]),
    );
    result.insert("reviewed-controls".into(), reviewed_controls(report));
    if !observations.is_empty() {
        result.insert("observations".into(), Value::Array(observations));
    }
    if !risks.is_empty() {
        result.insert("risks".into(), Value::Array(risks));
    }
    if !findings.is_empty() {
        result.insert("findings".into(), Value::Array(findings));
    }

    let mut resources = vec![policy(report, &policy_resource)];
    for (path, (sha, kind)) in &files {
        let mut r = Map::new();
        r.insert(
            "uuid".into(),
            json!(ids.uuid("resource", &format!("evidence:{path}"))),
        );
        r.insert("title".into(), json!(md_line(path)));
        if let Some(kind) = kind {
            r.insert("props".into(), json!([prop("evidence-kind", kind)]));
        }
        r.insert("rlinks".into(), json!([rlink(&uri_path_string(path), sha)]));
        resources.push(Value::Object(r));
    }

    let mut meta_props = vec![
        prop("tool", &report.tool.name),
        prop("tool-version", &report.tool.version),
        prop("report-schema", &report.schema),
        prop("bundle-digest", &report.bundle.digest),
        prop("policy", &report.policy.name),
        prop("policy-sha256", &report.policy.sha256),
        prop("framework", &report.policy.framework),
    ];
    if let Some(src) = &report.policy.framework_source {
        meta_props.push(prop("framework-source", src));
    }
    let doc = json!({
        "assessment-results": {
            "uuid": ids.uuid("document", ""),
            "metadata": {
                "title": md_line(&format!("Assessment results: {}", report.policy.title)),
                "last-modified": report.as_of,
                "version": string(report.policy.version.as_deref().unwrap_or("unversioned")),
                "oscal-version": OSCAL_VERSION,
                "props": meta_props,
            },
            "import-ap": {
                "href": format!("#{policy_resource}"),
                "remarks": "vouch has no separate assessment plan: the policy, listed in back-matter with the SHA-256 of each source, is the plan.",
            },
            "results": [Value::Object(result)],
            "back-matter": { "resources": resources },
        }
    });
    super::pretty_json(&doc)
}

/// Deterministic UUIDs for one report.
struct Ids {
    namespace: Uuid,
    prefix: String,
}

impl Ids {
    fn new(report: &Report) -> Ids {
        Ids {
            namespace: Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:vouch:oscal"),
            prefix: format!("{}\0{}\0", report.bundle.digest, report.policy.sha256),
        }
    }

    /// The UUID of the object of `kind` named `key`.
    fn uuid(&self, kind: &str, key: &str) -> String {
        let name = format!("{}{kind}\0{key}", self.prefix);
        Uuid::new_v5(&self.namespace, name.as_bytes()).to_string()
    }
}

fn reviewed_controls(report: &Report) -> Value {
    let principles: Vec<Value> = report
        .provisions
        .iter()
        .filter(|p| !p.controls.is_empty())
        .map(|p| json!({ "control-id": token(&format!("{}-{}", report.policy.framework, p.id)) }))
        .collect();
    let selection = if principles.is_empty() {
        json!({ "description": "The policy assesses no principle of its framework." , "include-all": {} })
    } else {
        json!({ "include-controls": principles })
    };
    let mut rc = Map::new();
    rc.insert("control-selections".into(), json!([selection]));
    if !report.controls.is_empty() {
        let objectives: Vec<Value> = report
            .controls
            .iter()
            .map(|c| json!({ "objective-id": token(&c.id) }))
            .collect();
        rc.insert(
            "control-objective-selections".into(),
            json!([{ "description": "The policy's controls.", "include-objectives": objectives }]),
        );
    }
    Value::Object(rc)
}

fn policy(report: &Report, uuid: &str) -> Value {
    let p = &report.policy;
    let rlinks: Vec<Value> = p
        .sources
        .iter()
        .map(|s| rlink(&uri_path_string(&s.name), &s.sha256))
        .collect();
    let mut r = Map::new();
    r.insert("uuid".into(), json!(uuid));
    r.insert(
        "title".into(),
        json!(md_line(&format!("Policy {}: {}", p.name, p.title))),
    );
    let mut props = vec![prop("policy-sha256", &p.sha256)];
    if let Some(v) = &p.version {
        props.push(prop("policy-version", v));
    }
    r.insert("props".into(), Value::Array(props));
    if !rlinks.is_empty() {
        r.insert("rlinks".into(), Value::Array(rlinks));
    }
    Value::Object(r)
}

fn rlink(href: &str, sha256: &str) -> Value {
    json!({ "href": href, "hashes": [{ "algorithm": "SHA-256", "value": string(sha256) }] })
}

/// A relevant-evidence entry pointing at the file's back-matter resource.
fn evidence(ids: &Ids, path: &str, location: Option<&str>, sha256: &str) -> Value {
    let mut d = String::new();
    escape::markdown(&mut d, path);
    if let Some(loc) = location {
        d.push_str(" at ");
        escape::markdown(&mut d, loc);
    }
    d.push_str(", SHA-256 ");
    escape::markdown(&mut d, sha256);
    json!({
        "href": format!("#{}", ids.uuid("resource", &format!("evidence:{path}"))),
        "description": d,
    })
}

/// A vouch prop: a token name in vouch's namespace and a one-line value.
fn prop(name: &str, value: &str) -> Value {
    json!({ "name": name, "ns": NS, "value": string(value) })
}

/// OSCAL `string`: one line, no surrounding whitespace, not empty.
fn string(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let trimmed = one_line.trim();
    if trimmed.is_empty() {
        "-".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// OSCAL `markup-line`: escaped Markdown on one line, not empty.
fn md_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape::markdown(&mut out, text);
    if out.trim().is_empty() {
        "-".to_owned()
    } else {
        out
    }
}

/// OSCAL `markup-multiline` from plain text: escaped Markdown.
fn md(text: &str) -> String {
    md_line(text)
}

/// An OSCAL token (XML NCName) from an id: characters outside `[\p{L}\p{N}._-]` become `_`,
/// and a leading character that is not a letter or `_` gets a `_` before it.
fn token(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 1);
    if !id
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
    {
        out.push('_');
    }
    for c in id.chars() {
        out.push(if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
            c
        } else {
            '_'
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_ncnames() {
        assert_eq!(token("ACME-SIGN-1"), "ACME-SIGN-1");
        assert_eq!(token("3.1"), "_3.1");
        assert_eq!(token("a b:c"), "a_b_c");
        assert_eq!(token(""), "_");
    }

    #[test]
    fn strings_are_one_trimmed_line() {
        assert_eq!(string("  a\nb "), "a b");
        assert_eq!(string(" \n"), "-");
    }
}
