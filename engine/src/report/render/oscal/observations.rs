//! The OSCAL observations and findings of one control: an observation per finding (or one
//! for its outcome, with a pass's evidence), and the control's finding, its objective, props
//! and links to its observations and risks.

use serde_json::{Map, Value, json};

use super::{Ids, evidence, md, md_line, prop, token};
use crate::report::model::{ControlResult, Report, Status};
use crate::report::render::common::{self, status_words};
use crate::report::render::escape;

pub(super) fn control_observations(
    ids: &Ids,
    report: &Report,
    c: &ControlResult,
    out: &mut Vec<Value>,
) {
    if c.findings.is_empty() {
        let description = match &c.reason {
            Some(r) => format!("{}: {r}", status_words(c.status)),
            None => match &c.pass_evidence {
                Some(p) => format!(
                    "{}: every expectation held; {}",
                    status_words(c.status),
                    common::pass_summary(p)
                ),
                None => format!("{}: every expectation held", status_words(c.status)),
            },
        };
        let mut o = json!({
            "uuid": ids.uuid("observation", &format!("{}#0", c.id)),
            "title": md_line(&format!("{}: outcome", c.id)),
            "description": md(&description),
            "props": [prop("control", &c.id), prop("status", c.status.as_str())],
            "methods": ["TEST"],
            "collected": report.as_of,
        });
        // A pass's evidence: the records its expectations read.
        if let (Some(p), Some(obj)) = (&c.pass_evidence, o.as_object_mut()) {
            if !p.evidence.is_empty() {
                let ev: Vec<Value> = p
                    .evidence
                    .iter()
                    .map(|r| {
                        let mut e =
                            evidence(ids, &r.at.path, r.at.location.as_deref(), &r.at.sha256);
                        // What the record says, after where it is.
                        if let Some(Value::String(d)) = e.get_mut("description") {
                            d.push_str(": ");
                            escape::markdown(d, &r.checked);
                        }
                        e
                    })
                    .collect();
                obj.insert("relevant-evidence".into(), Value::Array(ev));
            }
            if p.evidence_omitted > 0
                && let Some(Value::Array(props)) = obj.get_mut("props")
            {
                props.push(prop("evidence-omitted", &p.evidence_omitted.to_string()));
            }
        }
        out.push(o);
        return;
    }
    for (i, f) in c.findings.iter().enumerate() {
        let mut o = Map::new();
        o.insert(
            "uuid".into(),
            json!(ids.uuid("observation", &format!("{}#{}", c.id, i + 1))),
        );
        o.insert(
            "title".into(),
            json!(md_line(&format!("{}: finding {}", c.id, i + 1))),
        );
        o.insert("description".into(), json!(md(&f.message)));
        let mut props = vec![
            prop("control", &c.id),
            prop("expect", &f.expect),
            prop("fingerprint", &f.fingerprint),
        ];
        if let Some(w) = &f.waived_by {
            props.push(prop("waived-by", w));
        }
        if f.evidence_omitted > 0 {
            props.push(prop("evidence-omitted", &f.evidence_omitted.to_string()));
        }
        o.insert("props".into(), Value::Array(props));
        o.insert("methods".into(), json!(["TEST"]));
        if !f.evidence.is_empty() {
            let ev: Vec<Value> = f
                .evidence
                .iter()
                .map(|e| evidence(ids, &e.path, e.location.as_deref(), &e.sha256))
                .collect();
            o.insert("relevant-evidence".into(), Value::Array(ev));
        }
        o.insert("collected".into(), json!(report.as_of));
        if !f.values.is_empty() {
            let mut remarks = String::from("Values:\n\n");
            for (k, v) in &f.values {
                remarks.push_str("- ");
                escape::markdown(&mut remarks, k);
                remarks.push_str(" = ");
                escape::markdown(&mut remarks, v);
                remarks.push('\n');
            }
            o.insert("remarks".into(), json!(remarks));
        }
        out.push(Value::Object(o));
    }
}

pub(super) fn finding(ids: &Ids, report: &Report, c: &ControlResult, related: Vec<Value>) -> Value {
    let (state, reason) = match c.status {
        Status::Pass => ("satisfied", "pass"),
        Status::NotApplicable => ("satisfied", "other"),
        Status::Fail => ("not-satisfied", "fail"),
        Status::Waived | Status::Manual | Status::Error | Status::Unassessed => {
            ("not-satisfied", "other")
        }
    };
    let mut description = format!("Status: {}.", status_words(c.status));
    if let Some(r) = &c.reason {
        description.push(' ');
        description.push_str(r);
    }
    if !c.findings.is_empty() {
        let open = common::open_findings(c);
        description.push_str(&format!(
            " {open} open finding(s), {} waived.",
            c.findings.len() - open
        ));
    }
    if let Some(more) = common::more_findings(c.findings_omitted) {
        description.push(' ');
        description.push_str(&more);
        description.push('.');
    }
    let mut text = md(&description);
    if let Some(r) = &c.remediation {
        text.push_str("\n\nRemediation: ");
        escape::markdown(&mut text, r);
    }
    let mut props = vec![
        prop("status", c.status.as_str()),
        prop("severity", &c.severity),
        prop("source", &c.source),
    ];
    for p in &c.provisions {
        props.push(prop("principle", p));
    }
    if c.findings_omitted > 0 {
        props.push(prop("findings-omitted", &c.findings_omitted.to_string()));
    }
    let mut f = Map::new();
    f.insert("uuid".into(), json!(ids.uuid("finding", &c.id)));
    f.insert(
        "title".into(),
        json!(md_line(&format!("{}: {}", c.id, c.title))),
    );
    f.insert("description".into(), json!(text));
    f.insert("props".into(), Value::Array(props));
    f.insert(
        "target".into(),
        json!({
            "type": "objective-id",
            "target-id": token(&c.id),
            "title": md_line(&c.title),
            "status": { "state": state, "reason": reason },
        }),
    );
    if !related.is_empty() {
        f.insert("related-observations".into(), Value::Array(related));
    }
    let risks: Vec<Value> = report
        .waivers
        .iter()
        .filter(|w| w.control == c.id && w.state == "applied")
        .map(|w| json!({ "risk-uuid": ids.uuid("risk", &w.id) }))
        .collect();
    if !risks.is_empty() {
        f.insert("related-risks".into(), Value::Array(risks));
    }
    Value::Object(f)
}
