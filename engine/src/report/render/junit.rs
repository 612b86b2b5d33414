//! JUnit XML, as GitLab (`artifacts:reports:junit`) and Jenkins (`junit` step) read it, valid
//! against Jenkins' `junit-10.xsd`.
//!
//! `<testsuites>` holds one `<testsuite>`, the policy (`vouch: TITLE`, package the
//! framework id), and in it one `<testcase>` per control, in control-id order, so `tests` is
//! the number of controls. The suite's `<properties>` say what was judged (framework, policy
//! and its sha256, bundle digest, release, as-of) and which principles each control assesses
//! (`principles.CONTROL-ID` = `3.1 3.5`, or `none`): Jenkins' `junit-10.xsd` allows
//! properties on suites only. Each control is a
//! `<testcase classname="FRAMEWORK.POLICY" name="CONTROL-ID: TITLE">`:
//! - pass: empty;
//! - fail: `<failure message="N open findings: FIRST" type="SEVERITY">`, the body listing
//!   every finding with its evidence and values (waived findings marked);
//! - error: `<error message="REASON" type="error">`;
//! - waived, manual, not applicable: `<skipped message="waived: ...">` (the message says which).
//!
//! Counts are those of the elements written: `tests`, `failures`, `errors` and `skipped` on
//! the suite; `tests`, `failures` and `errors` again on `<testsuites>` (the schema has no
//! `skipped` there). Times are `0`: evaluation time is not part of a deterministic
//! report.

use std::collections::HashMap;
use std::fmt::Write;

use super::common::{self, plural, status_words};
use super::escape::{xml_attr, xml_text};
use crate::report::model::{ControlResult, Report, Status, WaiverResult};

/// Renders the JUnit XML document.
pub(crate) fn render(report: &Report) -> String {
    let waivers = common::waivers_by_id(report);
    let members: Vec<&ControlResult> = report.controls.iter().collect();
    let n = Counts::of(&members);
    let findings: usize = report.controls.iter().map(|c| c.findings.len()).sum();
    let mut out = String::with_capacity(1024 + members.len() * 512 + findings * 256);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"");
    xml_attr(&mut out, &format!("vouch: {}", report.policy.title));
    let _ = writeln!(
        out,
        "\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"0\">",
        n.tests, n.failures, n.errors
    );
    suite(&mut out, report, &members, &waivers);
    out.push_str("</testsuites>\n");
    out
}

struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn of(members: &[&ControlResult]) -> Counts {
        let mut n = Counts {
            tests: members.len(),
            failures: 0,
            errors: 0,
            skipped: 0,
        };
        for c in members {
            match c.status {
                Status::Fail => n.failures += 1,
                Status::Error | Status::Unassessed => n.errors += 1,
                Status::Waived | Status::Manual | Status::NotApplicable => n.skipped += 1,
                Status::Pass => {}
            }
        }
        n
    }
}

fn suite(
    out: &mut String,
    report: &Report,
    members: &[&ControlResult],
    waivers: &HashMap<&str, &WaiverResult>,
) {
    let n = Counts::of(members);
    out.push_str("  <testsuite name=\"");
    xml_attr(out, &format!("vouch: {}", report.policy.title));
    let _ = write!(
        out,
        "\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"0\" package=\"",
        n.tests, n.failures, n.errors, n.skipped
    );
    xml_attr(out, &report.policy.framework);
    out.push_str("\">\n    <properties>\n");
    property(out, "framework", &report.policy.framework);
    property(out, "policy", &report.policy.name);
    property(out, "policy.sha256", &report.policy.sha256);
    property(out, "bundle.digest", &report.bundle.digest);
    if let Some(r) = &report.release {
        property(out, "release", &format!("{} {}", r.product, r.version));
    }
    property(out, "as_of", &report.as_of);
    for c in members {
        let principles = if c.provisions.is_empty() {
            "none".to_owned()
        } else {
            c.provisions.join(" ")
        };
        property(out, &format!("principles.{}", c.id), &principles);
    }
    out.push_str("    </properties>\n");
    let classname = format!("{}.{}", report.policy.framework, report.policy.name);
    for c in members {
        case(out, &classname, c, waivers);
    }
    out.push_str("  </testsuite>\n");
}

fn property(out: &mut String, name: &str, value: &str) {
    out.push_str("      <property name=\"");
    xml_attr(out, name);
    out.push_str("\" value=\"");
    xml_attr(out, value);
    out.push_str("\"/>\n");
}

fn case(
    out: &mut String,
    classname: &str,
    c: &ControlResult,
    waivers: &HashMap<&str, &WaiverResult>,
) {
    out.push_str("    <testcase classname=\"");
    xml_attr(out, classname);
    out.push_str("\" name=\"");
    xml_attr(out, &format!("{}: {}", c.id, c.title));
    out.push_str("\" time=\"0\"");
    match c.status {
        Status::Pass => match &c.pass_evidence {
            Some(p) => {
                // What it rests on, compactly: the summary and the first few records.
                let mut text = format!("{}: {}\n", c.id, common::pass_summary(p));
                for r in p.evidence.iter().take(common::SHOWN_PASS_EVIDENCE) {
                    let _ = writeln!(text, "evidence: {}", common::pass_record_line(r));
                }
                let more = (p.evidence.len() + p.evidence_omitted)
                    .saturating_sub(common::SHOWN_PASS_EVIDENCE.min(p.evidence.len()));
                if let Some(more) = common::more_evidence(more) {
                    let _ = writeln!(text, "evidence: {more}");
                }
                out.push_str(">\n      <system-out>");
                xml_text(out, &text);
                out.push_str("</system-out>\n    </testcase>\n");
            }
            None => out.push_str("/>\n"),
        },
        Status::Fail => {
            let open = common::open_findings(c);
            let message = match c.findings.iter().find(|f| f.waived_by.is_none()) {
                Some(first) if open > 1 => {
                    format!("{open} open findings, the first: {}", first.message)
                }
                Some(first) => first.message.clone(),
                None => c
                    .reason
                    .clone()
                    .unwrap_or_else(|| "the control failed".into()),
            };
            out.push_str(">\n      <failure message=\"");
            xml_attr(out, &message);
            out.push_str("\" type=\"");
            xml_attr(out, &c.severity);
            out.push_str("\">");
            body(out, c, waivers);
            out.push_str("</failure>\n    </testcase>\n");
        }
        Status::Error | Status::Unassessed => {
            out.push_str(">\n      <error message=\"");
            xml_attr(out, c.reason.as_deref().unwrap_or("evaluation error"));
            out.push_str("\" type=\"error\">");
            body(out, c, waivers);
            out.push_str("</error>\n    </testcase>\n");
        }
        Status::Waived | Status::Manual | Status::NotApplicable => {
            let mut message = status_words(c.status).to_owned();
            if let Some(r) = &c.reason {
                message.push_str(": ");
                message.push_str(r);
            } else if c.status == Status::Waived {
                let n = c.findings.len();
                let _ = write!(message, ": {n} finding{} covered by waivers", plural(n));
            }
            out.push_str(">\n      <skipped message=\"");
            xml_attr(out, &message);
            out.push_str("\">");
            body(out, c, waivers);
            out.push_str("</skipped>\n    </testcase>\n");
        }
    }
}

/// The element body: the control's facts, then every finding with evidence and values.
fn body(out: &mut String, c: &ControlResult, waivers: &HashMap<&str, &WaiverResult>) {
    let mut text = String::new();
    let _ = writeln!(text, "{}: {}", c.id, c.title);
    let _ = writeln!(
        text,
        "status {}, severity {}, principles {}, declared at {}",
        c.status.as_str(),
        c.severity,
        c.provisions.join(", "),
        c.source
    );
    if let Some(r) = &c.reason {
        let _ = writeln!(text, "reason: {r}");
    }
    for (i, f) in c.findings.iter().enumerate() {
        let _ = write!(text, "{}. {}", i + 1, f.message);
        if let Some(w) = &f.waived_by {
            let _ = write!(text, " [{}]", common::waiver_note(w, waivers));
        }
        text.push('\n');
        let _ = write!(text, "   fingerprint: {}", f.fingerprint);
        if let Some(subject) = &f.subject {
            let _ = write!(text, ", subject: {subject}");
        }
        if f.missing_evidence {
            text.push_str(" (missing evidence)");
        }
        text.push('\n');
        for e in &f.evidence {
            let _ = write!(text, "   evidence: {}", e.path);
            if let Some(loc) = &e.location {
                let _ = write!(text, " ({loc})");
            }
            let _ = writeln!(text, " sha256:{}", e.sha256);
        }
        if let Some(more) = common::more_evidence(f.evidence_omitted) {
            let _ = writeln!(text, "   evidence: {more}");
        }
        for (k, v) in &f.values {
            let _ = writeln!(text, "   {k} = {v}");
        }
    }
    if let Some(more) = common::more_findings(c.findings_omitted) {
        let _ = writeln!(text, "{more}");
    }
    if let Some(r) = &c.remediation {
        let _ = writeln!(text, "remediation: {r}");
    }
    out.push('\n');
    xml_text(out, &text);
    out.push_str("      ");
}
