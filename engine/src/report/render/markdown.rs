//! The Markdown report: a header, a summary table by principle, then every failing control
//! with its findings and remediation, controls with errors, a table of all controls, waivers
//! (with the approver's key and the authority's decisions), attestations (with the signing
//! key and the authority's decision), signatures and bundle problems. GitHub-flavoured Markdown (tables), fit for a pull-request comment or
//! a CI job summary. All report text goes through [`escape::markdown`], so it cannot open a
//! link, an HTML tag or a table cell.

use std::collections::HashMap;
use std::fmt::Write;

use super::common::{self, plural, status_words};
use super::escape;
use crate::report::model::{ControlResult, Report, Status, WaiverResult};

/// Renders the Markdown report.
pub(crate) fn render(report: &Report) -> String {
    let mut out = String::with_capacity(4096 + report.controls.len() * 256);
    let waivers = common::waivers_by_id(report);
    header(&mut out, report);
    principles(&mut out, report);
    failing(&mut out, report, &waivers);
    errors(&mut out, report);
    all_controls(&mut out, report);
    passes(&mut out, report);
    waiver_table(&mut out, report);
    attestation_table(&mut out, report);
    signature_table(&mut out, report);
    bundle_problems(&mut out, report);
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// Escaped inline text.
fn t(out: &mut String, text: &str) {
    escape::markdown(out, text);
}

/// Text that is safe inside a code span (digests, simple paths and ids) as code; anything
/// else as escaped text, since code spans do not honour backslash escapes.
fn code(out: &mut String, text: &str) {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '.' | '_' | '/' | '@'));
    if plain {
        out.push('`');
        out.push_str(text);
        out.push('`');
    } else {
        t(out, text);
    }
}

fn header(out: &mut String, report: &Report) {
    let p = &report.policy;
    out.push_str("# vouch report: ");
    t(out, &p.title);
    out.push_str("\n\n");
    let verdict = common::verdict(report);
    let s = &report.summary;
    let _ = writeln!(
        out,
        "**Result: {}**. {} control{}: {} pass, {} fail, {} waived, {} manual review, {} not applicable, {} error.\n",
        status_words(verdict).to_uppercase(),
        s.total,
        plural(s.total),
        s.pass,
        s.fail,
        s.waived,
        s.manual,
        s.not_applicable,
        s.error
    );
    out.push_str("| | |\n| --- | --- |\n");
    if let Some(r) = &report.release {
        out.push_str("| Release | ");
        super::common::release_line(out, r, t);
        out.push_str(" |\n");
    }
    out.push_str("| Policy | ");
    t(out, &p.name);
    if let Some(v) = &p.version {
        out.push_str(" version ");
        t(out, v);
    }
    out.push_str(", sha256 ");
    code(out, &p.sha256);
    if !p.params.is_empty() {
        out.push_str(" |\n| Params | ");
        for (i, (name, value)) in p.params.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            code(out, &format!("{name} = {value}"));
        }
    }
    out.push_str(" |\n| Framework | ");
    t(out, &p.framework_title);
    out.push_str(" (");
    code(out, &p.framework);
    if let Some(v) = &p.framework_version {
        out.push_str(" version ");
        t(out, v);
    }
    out.push(')');
    if let Some(src) = &p.framework_source {
        out.push_str(", ");
        t(out, src);
    }
    out.push_str(" |\n| Bundle | ");
    code(out, &report.bundle.digest);
    let files = report.bundle.files;
    let _ = write!(out, ", {files} file{}", plural(files));
    out.push_str(" |\n| As of | ");
    t(out, &report.as_of);
    out.push_str(" |\n| Tool | ");
    t(out, &report.tool.name);
    out.push(' ');
    t(out, &report.tool.version);
    out.push_str(" |\n\n");
}

fn principles(out: &mut String, report: &Report) {
    out.push_str("## Summary by principle\n\n");
    if report.provisions.is_empty() {
        out.push_str("The framework lists no principles.\n\n");
        return;
    }
    let controls = common::controls_by_id(report);
    out.push_str("| Principle | Title | Status | Controls |\n| --- | --- | --- | --- |\n");
    for p in &report.provisions {
        out.push_str("| ");
        t(out, &p.id);
        out.push_str(" | ");
        t(out, &p.title);
        out.push_str(" | ");
        status_cell(out, p.status);
        out.push_str(" | ");
        if p.controls.is_empty() {
            out.push_str("none");
        }
        for (i, id) in p.controls.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            t(out, id);
            if let Some(c) = controls.get(id.as_str()) {
                let _ = write!(out, " ({})", status_words(c.status));
            }
        }
        out.push_str(" |\n");
    }
    out.push('\n');
}

fn status_cell(out: &mut String, status: Status) {
    match status {
        Status::Fail | Status::Error => {
            let _ = write!(out, "**{}**", status_words(status));
        }
        _ => out.push_str(status_words(status)),
    }
}

fn failing(out: &mut String, report: &Report, waivers: &HashMap<&str, &WaiverResult>) {
    out.push_str("## Failing controls\n\n");
    let mut any = false;
    for c in report.controls.iter().filter(|c| c.status == Status::Fail) {
        any = true;
        control_heading(out, c);
        findings(out, c, waivers);
        if let Some(r) = &c.remediation {
            out.push_str("**Remediation:** ");
            escape::markdown_prose(out, r);
            out.push_str("\n\n");
        }
    }
    if !any {
        out.push_str("No control failed.\n\n");
    }
}

fn control_heading(out: &mut String, c: &ControlResult) {
    out.push_str("### ");
    t(out, &c.id);
    out.push_str(": ");
    t(out, &c.title);
    out.push_str("\n\nSeverity ");
    t(out, &c.severity);
    out.push_str(", principle");
    out.push_str(plural(c.provisions.len()));
    out.push(' ');
    if c.provisions.is_empty() {
        out.push_str("none");
    }
    for (i, p) in c.provisions.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        t(out, p);
    }
    out.push_str(", declared at ");
    code(out, &c.source);
    out.push_str(".\n\n");
    if let Some(reason) = &c.reason {
        t(out, reason);
        out.push_str("\n\n");
    }
}

fn findings(out: &mut String, c: &ControlResult, waivers: &HashMap<&str, &WaiverResult>) {
    if c.findings.is_empty() {
        return;
    }
    let open = common::open_findings(c);
    let waived = c.findings.len() - open;
    let _ = write!(out, "{open} open finding{}", plural(open));
    if waived > 0 {
        let _ = write!(out, ", {waived} waived");
    }
    out.push_str(":\n\n");
    for (i, f) in c.findings.iter().enumerate() {
        let _ = write!(out, "{}. ", i + 1);
        t(out, &f.message);
        out.push_str(" [");
        code(out, &f.fingerprint);
        out.push(']');
        if f.missing_evidence {
            out.push_str(" (missing evidence)");
        }
        if let Some(w) = &f.waived_by {
            out.push_str(" (");
            t(out, &common::waiver_note(w, waivers));
            out.push(')');
        }
        out.push('\n');
        for e in &f.evidence {
            out.push_str("   - evidence ");
            code(out, &e.path);
            if let Some(loc) = &e.location {
                out.push_str(" at ");
                t(out, loc);
            }
            out.push_str(", sha256 ");
            code(out, &e.sha256);
            out.push('\n');
        }
        if let Some(more) = common::more_evidence(f.evidence_omitted) {
            out.push_str("   - ");
            t(out, &more);
            out.push('\n');
        }
        if !f.values.is_empty() {
            out.push_str("   - values: ");
            for (j, (k, v)) in f.values.iter().enumerate() {
                if j > 0 {
                    out.push_str("; ");
                }
                t(out, k);
                out.push_str(" = ");
                t(out, v);
            }
            out.push('\n');
        }
    }
    if let Some(more) = common::more_findings(c.findings_omitted) {
        out.push('\n');
        t(out, &more);
        out.push('\n');
    }
    out.push('\n');
}

fn errors(out: &mut String, report: &Report) {
    let mut errs = report
        .controls
        .iter()
        .filter(|c| c.status == Status::Error)
        .peekable();
    if errs.peek().is_none() {
        return;
    }
    out.push_str("## Controls with errors\n\n");
    for c in errs {
        control_heading(out, c);
    }
}

fn all_controls(out: &mut String, report: &Report) {
    out.push_str("## All controls\n\n");
    if report.controls.is_empty() {
        out.push_str("The policy has no controls.\n\n");
        return;
    }
    out.push_str("| Control | Title | Severity | Principles | Status | Findings |\n");
    out.push_str("| --- | --- | --- | --- | --- | --- |\n");
    for c in &report.controls {
        out.push_str("| ");
        t(out, &c.id);
        out.push_str(" | ");
        t(out, &c.title);
        out.push_str(" | ");
        t(out, &c.severity);
        out.push_str(" | ");
        t(out, &c.provisions.join(", "));
        out.push_str(" | ");
        status_cell(out, c.status);
        let _ = writeln!(out, " | {} |", c.findings.len());
    }
    out.push('\n');
}

/// What each passing control rests on: a count, the first few records, or why none.
fn passes(out: &mut String, report: &Report) {
    let mut passed = report
        .controls
        .iter()
        .filter_map(|c| Some((c, c.pass_evidence.as_ref()?)))
        .peekable();
    if passed.peek().is_none() {
        return;
    }
    out.push_str(
        "## Evidence for passing controls

",
    );
    for (c, p) in passed {
        out.push_str("- ");
        t(out, &c.id);
        out.push_str(": ");
        t(out, &common::pass_summary(p));
        out.push('\n');
        for r in p.evidence.iter().take(common::SHOWN_PASS_EVIDENCE) {
            out.push_str("  - ");
            code(out, &r.at.path);
            if let Some(loc) = &r.at.location {
                out.push_str(" at ");
                t(out, loc);
            }
            out.push_str(", sha256 ");
            code(out, &r.at.sha256);
            out.push_str(": ");
            t(out, &r.checked);
            out.push('\n');
        }
        let more = (p.evidence.len() + p.evidence_omitted)
            .saturating_sub(common::SHOWN_PASS_EVIDENCE.min(p.evidence.len()));
        if let Some(more) = common::more_evidence(more) {
            out.push_str("  - ");
            t(out, &more);
            out.push_str(" (the JSON report lists more)\n");
        }
    }
    out.push('\n');
}

fn waiver_table(out: &mut String, report: &Report) {
    if report.waivers.is_empty() {
        return;
    }
    out.push_str("## Waivers\n\n");
    out.push_str("| Waiver | Control | State | Findings covered | Approver | Effective | Expires | Justification |\n");
    out.push_str("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for w in &report.waivers {
        for (i, cell) in [&w.id, &w.control, &w.state].into_iter().enumerate() {
            out.push_str(if i == 0 { "| " } else { " | " });
            t(out, cell);
        }
        let _ = write!(out, " | {} | ", w.matched);
        t(out, &w.approver);
        if let Some(key) = &w.approver_key_id {
            out.push_str(", key ");
            code(out, key);
        }
        for d in [&w.decision, &w.missing_evidence_decision]
            .into_iter()
            .flatten()
        {
            out.push_str("; ");
            t(out, &d.describe());
        }
        out.push_str(" | ");
        t(out, &w.effective);
        out.push_str(" | ");
        t(out, &w.expires);
        out.push_str(" | ");
        t(out, &w.justification);
        if !w.findings.is_empty() || w.subject.is_some() {
            out.push_str(" (names ");
            for (i, f) in w.findings.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                code(out, f);
            }
            if let Some(subject) = &w.subject {
                if !w.findings.is_empty() {
                    out.push_str(", ");
                }
                out.push_str("subject ");
                code(out, subject);
            }
            out.push(')');
        }
        if let Some(reason) = &w.reason {
            out.push_str(" (");
            t(out, reason);
            out.push(')');
        }
        out.push_str(" |\n");
    }
    out.push('\n');
    waived_findings(out, report);
}

/// Under each waiver that covers findings, the findings it covers (message, subject and
/// fingerprint), in control order then the control's order.
fn waived_findings(out: &mut String, report: &Report) {
    let mut by_waiver: HashMap<&str, Vec<(&str, &crate::report::model::Finding)>> = HashMap::new();
    for c in &report.controls {
        for f in &c.findings {
            if let Some(w) = &f.waived_by {
                by_waiver.entry(w.as_str()).or_default().push((&c.id, f));
            }
        }
    }
    if by_waiver.is_empty() {
        return;
    }
    out.push_str("### Findings covered by each waiver\n\n");
    for w in &report.waivers {
        let Some(findings) = by_waiver.get(w.id.as_str()) else {
            continue;
        };
        out.push_str("**");
        t(out, &w.id);
        out.push_str("** (");
        t(out, &w.control);
        out.push_str(", ");
        t(out, &w.state);
        out.push_str("):\n\n");
        for (control, f) in findings {
            out.push_str("- ");
            t(out, control);
            out.push_str(": ");
            t(out, &f.message);
            out.push(' ');
            code(out, &f.fingerprint);
            out.push('\n');
        }
        out.push('\n');
    }
}

fn attestation_table(out: &mut String, report: &Report) {
    if report.attestations.is_empty() {
        return;
    }
    out.push_str("## Attestations\n\n");
    out.push_str("| Control | Statement | Attested by | Date | Accepted | Signing key | Authority | File |\n");
    out.push_str("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for a in &report.attestations {
        for (i, cell) in [&a.control, &a.statement, &a.attested_by, &a.date]
            .into_iter()
            .enumerate()
        {
            out.push_str(if i == 0 { "| " } else { " | " });
            t(out, cell);
        }
        out.push_str(if a.accepted { " | yes" } else { " | no" });
        if let Some(r) = &a.reason {
            out.push_str(": ");
            t(out, r);
        }
        out.push_str(" | ");
        code(out, a.key_id.as_deref().unwrap_or("-"));
        if a.undated {
            out.push_str(" (undated signature)");
        }
        out.push_str(" | ");
        match &a.decision {
            Some(d) => t(out, &d.describe()),
            None => out.push('-'),
        }
        out.push_str(" | ");
        code(out, &a.path);
        if let Some(sig) = &a.signature {
            out.push_str(", signature ");
            code(out, sig);
        }
        out.push_str(" |\n");
    }
    out.push('\n');
}

fn signature_table(out: &mut String, report: &Report) {
    if report.signatures.is_empty() && report.trust.is_empty() {
        return;
    }
    out.push_str("## Signatures\n\n");
    if !report.signatures.is_empty() {
        out.push_str("| Signature | Format | Signs | Outcome | Key | Reason |\n");
        out.push_str("| --- | --- | --- | --- | --- | --- |\n");
        for s in &report.signatures {
            out.push_str("| ");
            code(out, &s.path);
            out.push_str(" | ");
            t(out, &s.format);
            out.push_str(" | ");
            code(out, s.signed.as_deref().unwrap_or("-"));
            out.push_str(" | ");
            t(out, &s.outcome);
            out.push_str(" | ");
            code(out, s.key_id.as_deref().unwrap_or("-"));
            out.push_str(" | ");
            t(out, s.reason.as_deref().unwrap_or(""));
            out.push_str(" |\n");
        }
        out.push('\n');
    }
    if report.trust.is_empty() {
        out.push_str("No trusted keys were given (`--trust`).\n\n");
    } else {
        out.push_str("Trusted keys (`--trust`):\n\n");
        for k in &report.trust {
            out.push_str("- ");
            t(out, &k.format);
            out.push(' ');
            code(out, &k.key_id);
            out.push_str(" from ");
            code(out, &k.path);
            out.push('\n');
        }
        out.push('\n');
    }
}

fn bundle_problems(out: &mut String, report: &Report) {
    if report.bundle.findings.is_empty() {
        return;
    }
    out.push_str("## Bundle problems\n\n");
    for f in &report.bundle.findings {
        out.push_str("- ");
        t(out, &f.severity);
        out.push_str(": ");
        t(out, &f.message);
        if let Some(path) = &f.path {
            out.push_str(" (");
            code(out, path);
            if let Some(line) = f.line {
                let _ = write!(out, " line {line}");
            }
            out.push(')');
        }
        out.push_str(", ");
        code(out, &f.code);
        out.push('\n');
    }
    out.push('\n');
}
