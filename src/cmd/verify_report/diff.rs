//! Naming the differences between a signed report and its re-evaluation: which input file
//! changed (by the digests the attestation records), which bundle file, which control's
//! status or findings.

use std::collections::BTreeMap;

use serde_json::Value;
use vouch_engine::report::Report;
use vouch_engine::report::attest::at;

/// At most this many files or findings are named per difference; the rest are counted.
const SHOWN: usize = 10;

/// The differences between the recorded predicate `old` and the re-evaluation's `new`.
pub(super) fn inputs(old: &Value, new: &Value, out: &mut Vec<String>) {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => "none".to_owned(),
        other => other.to_string(),
    };
    let mut field = |what: &str, pointer: &str| {
        let (a, b) = (
            old.pointer(pointer).unwrap_or(&Value::Null),
            new.pointer(pointer).unwrap_or(&Value::Null),
        );
        if a != b {
            out.push(format!("{what} changed: {} -> {}", text(a), text(b)));
        }
    };
    field("the tool version", "/tool/version");
    field("the framework's sha256", "/policy/framework_sha256");
    field("the policy's sha256", "/policy/sha256");
    field("the bundle's digest", "/bundle/digest");
    field("the bundle's file count", "/bundle/files");
    field("the release", "/release");
    field("the authority policy's sha256", "/authority/policy/sha256");
    field(
        "the authority entities' sha256",
        "/authority/entities/sha256",
    );
    files(
        "policy source",
        at(at(old, "policy"), "sources"),
        at(at(new, "policy"), "sources"),
        "name",
        out,
    );
    files(
        "trust file",
        at(old, "trust"),
        at(new, "trust"),
        "path",
        out,
    );
    files(
        "waivers file",
        at(old, "waivers"),
        at(new, "waivers"),
        "path",
        out,
    );
    if at(old, "summary") != at(new, "summary") {
        out.push(format!(
            "the summary changed: {} -> {}",
            at(old, "summary"),
            at(new, "summary")
        ));
    }
}

/// Files of one kind recorded as `[{KEY: name, sha256}]`: which changed, appeared or went.
pub(super) fn files(kind: &str, old: &Value, new: &Value, key: &str, out: &mut Vec<String>) {
    let map = |v: &Value| -> BTreeMap<String, String> {
        v.as_array()
            .into_iter()
            .flatten()
            .map(|f| {
                (
                    at(f, key).as_str().unwrap_or_default().to_owned(),
                    at(f, "sha256").as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    };
    changes(kind, &map(old), &map(new), out);
}

/// Names each key whose value changed, and each that appeared or went.
fn changes(
    kind: &str,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
    out: &mut Vec<String>,
) {
    let mut lines = Vec::new();
    for (name, sha) in old {
        match new.get(name) {
            Some(now) if now != sha => {
                lines.push(format!("{kind} `{name}` changed: sha256 {sha} -> {now}"));
            }
            Some(_) => {}
            None => lines.push(format!("{kind} `{name}` (sha256 {sha}) is not given now")),
        }
    }
    for (name, sha) in new {
        if !old.contains_key(name) {
            lines.push(format!(
                "{kind} `{name}` (sha256 {sha}) was not in the signed report"
            ));
        }
    }
    let more = lines.len().saturating_sub(SHOWN);
    out.extend(lines.into_iter().take(SHOWN));
    if more > 0 {
        out.push(format!("... and {more} more {kind} difference(s)"));
    }
}

/// From a signed JSON report: the bundle files and every control's status and findings.
pub(super) fn controls(old: &Value, new: &Report, out: &mut Vec<String>) {
    let old_files: BTreeMap<String, String> = at(old, "evidence")
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                at(f, "path").as_str().unwrap_or_default().to_owned(),
                at(f, "sha256").as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let new_files: BTreeMap<String, String> = new
        .evidence
        .iter()
        .map(|f| (f.path.clone(), f.sha256.clone()))
        .collect();
    changes("bundle file", &old_files, &new_files, out);
    let old_controls: BTreeMap<&str, &Value> = at(old, "controls")
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| (at(c, "id").as_str().unwrap_or_default(), c))
        .collect();
    for c in &new.controls {
        let Some(before) = old_controls.get(c.id.as_str()) else {
            out.push(format!("control {} was not in the signed report", c.id));
            continue;
        };
        let status = at(before, "status").as_str().unwrap_or_default();
        if status != c.status.as_str() {
            out.push(format!(
                "control {}: status {status} -> {}",
                c.id,
                c.status.as_str()
            ));
        }
        let old_findings: BTreeMap<&str, &str> = at(before, "findings")
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| {
                (
                    at(f, "fingerprint").as_str().unwrap_or_default(),
                    at(f, "message").as_str().unwrap_or_default(),
                )
            })
            .collect();
        let new_findings: BTreeMap<&str, &str> = c
            .findings
            .iter()
            .map(|f| (f.fingerprint.as_str(), f.message.as_str()))
            .collect();
        let mut lines = Vec::new();
        for (fp, message) in &old_findings {
            if !new_findings.contains_key(fp) {
                lines.push(format!("control {}: finding {fp} is gone: {message}", c.id));
            }
        }
        for (fp, message) in &new_findings {
            if !old_findings.contains_key(fp) {
                lines.push(format!("control {}: new finding {fp}: {message}", c.id));
            }
        }
        let more = lines.len().saturating_sub(SHOWN);
        out.extend(lines.into_iter().take(SHOWN));
        if more > 0 {
            out.push(format!(
                "control {}: ... and {more} more finding difference(s)",
                c.id
            ));
        }
    }
    for id in old_controls.keys() {
        if !new.controls.iter().any(|c| c.id == *id) {
            out.push(format!("control {id} is gone"));
        }
    }
}
