//! SARIF 2.1.0, shaped for GitHub code scanning.
//!
//! - One run; `tool.driver` is vouch with one rule per control (id, name, short and full
//!   description, help = remediation and rationale, properties: provisions, severity, tags,
//!   `security-severity`; `defaultConfiguration.level` from the severity: critical and high
//!   are `error`, medium `warning`, low and info `note`).
//! - One result per finding of a failing or waived control, one per control that fails
//!   without findings (`reason`) and one per control in error (level `error`). Passing,
//!   manual and not-applicable controls appear only as rules.
//! - Locations are evidence paths relative to the bundle (`uriBaseId` `BUNDLE`), with
//!   `region.startLine` for `line N` locations; a result with no evidence points at the
//!   policy source (`uriBaseId` `POLICY`), because code scanning needs a location.
//!   `run.artifacts` lists each cited file once with its sha-256.
//! - `partialFingerprints["vouch/v1"]` is the sha256 of the control id, the message and the
//!   evidence paths and locations: stable across releases while the same problem persists.
//!   `partialFingerprints["vouchFinding/v1"]` is the finding's own fingerprint (`vf1:...`),
//!   the name a waiver gives it.
//! - Waived findings carry a `suppressions` entry (kind `external`, status `accepted`, the
//!   waiver's justification, approver and expiry).
//! - GitHub's limits are kept: at most 25,000 results (most severe first when cut; the cut
//!   is recorded in `run.properties`), 100 locations per result and 20 tags per rule.
//! - `run.properties.findingsOmitted` maps each control that has more findings than the
//!   report lists (`findings_omitted` in the JSON report) to how many more.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::common::{self, split_source};
use super::escape::{hex, uri_path_string};
use crate::report::model::{ControlResult, EvidenceRef, Finding, Report, Status, WaiverResult};

/// The schema URI written in `$schema`.
const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// GitHub code scanning keeps at most this many results per run.
const MAX_RESULTS: usize = 25_000;
/// GitHub code scanning shows at most this many locations per result.
const MAX_LOCATIONS: usize = 100;
/// GitHub code scanning accepts at most this many tags per rule.
const MAX_TAGS: usize = 20;
/// Where the tool is documented.
const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

/// Where the book is published: a control of the standard pack `std.uk_sscop` has its page
/// at `BOOK_URI/stdlib/ID.html`, the id in lower case (the file `book/src/stdlib/ID.md`).
pub(crate) const BOOK_URI: &str = "https://vouch-policy.github.io/vouch";

/// The book page of a control declared in the standard pack (its `source` starts with
/// `std.uk_sscop:`), if it is one.
pub(crate) fn control_page(c: &ControlResult) -> Option<String> {
    let id = c.id.to_ascii_lowercase();
    let plain = !id.is_empty()
        && id
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_');
    (c.source.starts_with("std.uk_sscop:") && plain).then(|| format!("{BOOK_URI}/stdlib/{id}.html"))
}

/// Renders the SARIF log.
pub(crate) fn render(report: &Report) -> String {
    let waivers = common::waivers_by_id(report);
    let rule_index: HashMap<&str, usize> = report
        .controls
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();

    let mut items = items(report);
    let dropped = items.len().saturating_sub(MAX_RESULTS);
    if dropped > 0 {
        // Keep the most severe, then restore report order.
        items.sort_by_key(|it| (level_rank(it.level), it.order));
        items.truncate(MAX_RESULTS);
        items.sort_by_key(|it| it.order);
    }

    // Every cited evidence file once, sorted by path, with its digest.
    let mut artifacts: BTreeMap<&str, &str> = BTreeMap::new();
    for it in &items {
        if let Item {
            what: What::Finding(f),
            ..
        } = it
        {
            for e in f.evidence.iter().take(MAX_LOCATIONS) {
                artifacts
                    .entry(e.path.as_str())
                    .or_insert(e.sha256.as_str());
            }
        }
    }
    let artifact_index: HashMap<&str, usize> =
        artifacts.keys().enumerate().map(|(i, p)| (*p, i)).collect();

    let results: Vec<Value> = items
        .iter()
        .map(|it| result(it, &rule_index, &artifact_index, &waivers))
        .collect();

    let mut properties = Map::new();
    properties.insert("asOf".into(), json!(report.as_of));
    properties.insert("bundleDigest".into(), json!(report.bundle.digest));
    properties.insert("policy".into(), json!(report.policy.name));
    properties.insert("policySha256".into(), json!(report.policy.sha256));
    properties.insert("framework".into(), json!(report.policy.framework));
    if dropped > 0 {
        properties.insert("omittedResults".into(), json!(dropped));
    }
    // Findings past a control's cap, which the report itself does not list.
    let omitted: Map<String, Value> = report
        .controls
        .iter()
        .filter(|c| c.findings_omitted > 0)
        .map(|c| (c.id.clone(), json!(c.findings_omitted)))
        .collect();
    if !omitted.is_empty() {
        properties.insert("findingsOmitted".into(), Value::Object(omitted));
    }

    let mut driver = Map::new();
    driver.insert("name".into(), json!(report.tool.name));
    driver.insert("version".into(), json!(report.tool.version));
    driver.insert("semanticVersion".into(), json!(report.tool.version));
    if !INFORMATION_URI.is_empty() {
        driver.insert("informationUri".into(), json!(INFORMATION_URI));
    }
    let rules: Vec<Value> = report.controls.iter().map(|c| rule(report, c)).collect();
    driver.insert("rules".into(), Value::Array(rules));

    let artifacts: Vec<Value> = artifacts
        .iter()
        .map(|(path, sha)| {
            json!({
                "location": { "uri": uri_path_string(path), "uriBaseId": "BUNDLE" },
                "hashes": { "sha-256": sha },
            })
        })
        .collect();

    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "automationDetails": { "id": format!("vouch/{}/", report.policy.name) },
            "originalUriBaseIds": {
                "BUNDLE": { "description": { "text": "The root of the evidence bundle evaluated." } },
                "POLICY": { "description": { "text": "The directory vouch ran in; policy sources are named relative to it." } },
            },
            "artifacts": artifacts,
            "results": results,
            "properties": properties,
        }],
    });
    super::pretty_json(&log)
}

/// One result to write, before it becomes JSON.
struct Item<'a> {
    control: &'a ControlResult,
    what: What<'a>,
    level: &'static str,
    /// Position in report order.
    order: usize,
}

enum What<'a> {
    Finding(&'a Finding),
    /// A failing or erroring control without findings: its reason.
    Control,
}

fn items(report: &Report) -> Vec<Item<'_>> {
    let mut items = Vec::new();
    for c in &report.controls {
        let level = level(&c.severity);
        match c.status {
            Status::Fail | Status::Waived => {
                for f in &c.findings {
                    let order = items.len();
                    items.push(Item {
                        control: c,
                        what: What::Finding(f),
                        level,
                        order,
                    });
                }
                if c.findings.is_empty() && c.status == Status::Fail {
                    let order = items.len();
                    items.push(Item {
                        control: c,
                        what: What::Control,
                        level,
                        order,
                    });
                }
            }
            Status::Error => {
                let order = items.len();
                items.push(Item {
                    control: c,
                    what: What::Control,
                    level: "error",
                    order,
                });
            }
            Status::Pass | Status::Manual | Status::NotApplicable | Status::Unassessed => {}
        }
    }
    items
}

/// SARIF level for a control severity.
fn level(severity: &str) -> &'static str {
    match severity {
        "critical" | "high" => "error",
        "medium" => "warning",
        _ => "note",
    }
}

fn level_rank(level: &str) -> u8 {
    match level {
        "error" => 0,
        "warning" => 1,
        _ => 2,
    }
}

/// GitHub's `security-severity` score for a control severity.
fn security_severity(severity: &str) -> &'static str {
    match severity {
        "critical" => "9.5",
        "high" => "8.0",
        "medium" => "5.5",
        "low" => "3.0",
        _ => "0.0",
    }
}

fn rule(report: &Report, c: &ControlResult) -> Value {
    let mut tags: Vec<String> = vec!["security".into(), "compliance".into()];
    tags.push(report.policy.framework.clone());
    for p in &c.provisions {
        tags.push(format!("{}/{p}", report.policy.framework));
    }
    tags.extend(c.tags.iter().cloned());
    tags.truncate(MAX_TAGS);

    let full = c
        .description
        .as_deref()
        .or(c.rationale.as_deref())
        .unwrap_or(&c.title);
    let mut rule = Map::new();
    rule.insert("id".into(), json!(c.id));
    rule.insert("name".into(), json!(c.title));
    rule.insert("shortDescription".into(), json!({ "text": c.title }));
    rule.insert("fullDescription".into(), json!({ "text": full }));
    let mut help = Vec::new();
    if let Some(r) = &c.remediation {
        help.push(format!("Remediation: {r}"));
    }
    if let Some(r) = &c.rationale {
        help.push(format!("Rationale: {r}"));
    }
    if !help.is_empty() {
        rule.insert("help".into(), json!({ "text": help.join("\n\n") }));
    }
    // The control's page of the book; a control of the organisation's own policy has none,
    // and points at the framework's text instead.
    if let Some(page) = control_page(c) {
        rule.insert("helpUri".into(), json!(page));
    } else if let Some(src) = &report.policy.framework_source
        && (src.starts_with("https://") || src.starts_with("http://"))
    {
        rule.insert("helpUri".into(), json!(src));
    }
    rule.insert(
        "defaultConfiguration".into(),
        json!({ "level": level(&c.severity) }),
    );
    rule.insert(
        "properties".into(),
        json!({
            "provisions": c.provisions,
            "severity": c.severity,
            "tags": tags,
            "security-severity": security_severity(&c.severity),
            "source": c.source,
        }),
    );
    Value::Object(rule)
}

fn result(
    it: &Item<'_>,
    rule_index: &HashMap<&str, usize>,
    artifact_index: &HashMap<&str, usize>,
    waivers: &HashMap<&str, &WaiverResult>,
) -> Value {
    let c = it.control;
    let mut r = Map::new();
    r.insert("ruleId".into(), json!(c.id));
    if let Some(i) = rule_index.get(c.id.as_str()) {
        r.insert("ruleIndex".into(), json!(i));
    }
    r.insert("level".into(), json!(it.level));
    match it.what {
        What::Finding(f) => {
            r.insert("message".into(), json!({ "text": f.message }));
            let locations: Vec<Value> = if f.evidence.is_empty() {
                vec![policy_location(&f.expect)]
            } else {
                f.evidence
                    .iter()
                    .take(MAX_LOCATIONS)
                    .map(|e| evidence_location(e, artifact_index))
                    .collect()
            };
            r.insert("locations".into(), Value::Array(locations));
            r.insert(
                "partialFingerprints".into(),
                json!({
                    "vouch/v1": fingerprint(&c.id, &f.message, &f.evidence),
                    "vouchFinding/v1": f.fingerprint,
                }),
            );
            if let Some(w) = &f.waived_by {
                r.insert("suppressions".into(), json!([suppression(w, waivers)]));
            }
            let mut props = Map::new();
            props.insert("expect".into(), json!(f.expect));
            if !f.values.is_empty() {
                props.insert("values".into(), json!(f.values));
            }
            // Evidence beyond the locations listed: past MAX_LOCATIONS here, and what the
            // finding itself leaves out.
            let omitted = f.evidence.len().saturating_sub(MAX_LOCATIONS) + f.evidence_omitted;
            if omitted > 0 {
                props.insert("omittedLocations".into(), json!(omitted));
            }
            r.insert("properties".into(), Value::Object(props));
        }
        What::Control => {
            let reason = c.reason.as_deref().unwrap_or("the control failed");
            let text = if c.status == Status::Error {
                format!("evaluation error: {reason}")
            } else {
                reason.to_owned()
            };
            r.insert("message".into(), json!({ "text": text }));
            r.insert("locations".into(), json!([policy_location(&c.source)]));
            r.insert(
                "partialFingerprints".into(),
                json!({ "vouch/v1": fingerprint(&c.id, &text, &[]) }),
            );
        }
    }
    Value::Object(r)
}

fn evidence_location(e: &EvidenceRef, artifact_index: &HashMap<&str, usize>) -> Value {
    let mut artifact = Map::new();
    artifact.insert("uri".into(), json!(uri_path_string(&e.path)));
    artifact.insert("uriBaseId".into(), json!("BUNDLE"));
    if let Some(i) = artifact_index.get(e.path.as_str()) {
        artifact.insert("index".into(), json!(i));
    }
    let mut physical = Map::new();
    physical.insert("artifactLocation".into(), Value::Object(artifact));
    if let Some(line) = common::location_line(e.location.as_deref()) {
        physical.insert("region".into(), json!({ "startLine": line }));
    }
    let mut location = Map::new();
    location.insert("physicalLocation".into(), Value::Object(physical));
    if let Some(loc) = &e.location
        && common::location_line(Some(loc)).is_none()
    {
        location.insert("message".into(), json!({ "text": format!("at {loc}") }));
    }
    Value::Object(location)
}

/// A location in a policy source, from `SOURCE:LINE`.
fn policy_location(source: &str) -> Value {
    let (file, line) = split_source(source);
    let mut physical = Map::new();
    physical.insert(
        "artifactLocation".into(),
        json!({ "uri": uri_path_string(file), "uriBaseId": "POLICY" }),
    );
    if let Some(line) = line {
        physical.insert("region".into(), json!({ "startLine": line }));
    }
    json!({ "physicalLocation": physical })
}

fn suppression(id: &str, waivers: &HashMap<&str, &WaiverResult>) -> Value {
    let justification = match waivers.get(id) {
        Some(w) => format!(
            "{} (waiver {id}, approved by {}, effective {} to {})",
            w.justification, w.approver, w.effective, w.expires
        ),
        None => format!("waiver {id}"),
    };
    json!({ "kind": "external", "status": "accepted", "justification": justification })
}

/// sha256 over the control id, the message and each evidence path and location.
fn fingerprint(control: &str, message: &str, evidence: &[EvidenceRef]) -> String {
    let mut h = Sha256::new();
    h.update(control.as_bytes());
    h.update([0]);
    h.update(message.as_bytes());
    for e in evidence {
        h.update([0]);
        h.update(e.path.as_bytes());
        h.update([0]);
        h.update(e.location.as_deref().unwrap_or("").as_bytes());
    }
    hex(&h.finalize())
}
