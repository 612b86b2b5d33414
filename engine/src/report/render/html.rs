//! The HTML report: one self-contained page an auditor can open offline and print.
//!
//! No scripts, no external style sheets, fonts or images: the style is inline, and a
//! Content-Security-Policy `<meta>` forbids every fetch, so even text that slipped past
//! escaping could not load anything. The only URL is a plain link to the framework's source
//! text. Sections: header (policy, framework, bundle digest, as-of, tool), summary counts,
//! principles with status badges, every control with its findings (evidence paths and
//! sha256, values), waivers, attestations, bundle problems and the evidence file list.

use std::collections::HashMap;
use std::fmt::Write;

use super::common::{self, plural, status_words};
use super::escape;
use super::html_parts;
use crate::report::model::{ControlResult, Finding, Report, Status, WaiverResult};

/// Renders the HTML report.
pub(crate) fn render(report: &Report) -> String {
    let findings: usize = report.controls.iter().map(|c| c.findings.len()).sum();
    let mut out = String::with_capacity(16 * 1024 + findings * 512 + report.evidence.len() * 160);
    let waivers = common::waivers_by_id(report);
    head(&mut out, report);
    header(&mut out, report);
    html_parts::nav(&mut out, report);
    out.push_str("<main>\n");
    summary(&mut out, report);
    principles(&mut out, report);
    controls(&mut out, report, &waivers);
    html_parts::waivers(&mut out, report);
    html_parts::attestations(&mut out, report);
    html_parts::signatures(&mut out, report);
    html_parts::bundle_problems(&mut out, report);
    html_parts::evidence(&mut out, report);
    out.push_str("</main>\n");
    html_parts::footer(&mut out, report);
    out.push_str("</body>\n</html>\n");
    out
}

/// Escaped text.
pub(super) fn t(out: &mut String, text: &str) {
    escape::html(out, text);
}

/// A `<code>` element with escaped text.
pub(super) fn code(out: &mut String, text: &str) {
    out.push_str("<code>");
    t(out, text);
    out.push_str("</code>");
}

/// A status badge: the class names come from a fixed set, the label is a fixed word.
pub(super) fn badge(out: &mut String, status: Status) {
    let _ = write!(
        out,
        "<span class=\"badge s-{}\">{}</span>",
        status.as_str(),
        status_words(status)
    );
}

/// The fragment id of a control's section: `control-` and the id with every character
/// outside `[A-Za-z0-9_-]` written as `.XX` (hex of its UTF-8 bytes), so distinct ids give
/// distinct anchors.
pub(super) fn anchor(out: &mut String, id: &str) {
    out.push_str("control-");
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
            out.push(char::from(b));
        } else {
            let _ = write!(out, ".{b:02X}");
        }
    }
}

fn head(out: &mut String, report: &Report) {
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n",
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<meta name=\"generator\" content=\"");
    t(out, &report.tool.name);
    out.push(' ');
    t(out, &report.tool.version);
    out.push_str("\">\n<title>Compliance report: ");
    t(out, &report.policy.title);
    out.push_str("</title>\n<style>\n");
    out.push_str(html_parts::CSS);
    out.push_str("</style>\n</head>\n<body>\n");
}

fn header(out: &mut String, report: &Report) {
    let p = &report.policy;
    out.push_str("<header id=\"report-header\">\n<h1>Compliance report: ");
    t(out, &p.title);
    out.push_str("</h1>\n<p class=\"verdict\">Result: ");
    badge(out, common::verdict(report));
    out.push_str("</p>\n<dl class=\"meta\">\n<dt>Policy</dt><dd>");
    t(out, &p.name);
    if let Some(v) = &p.version {
        out.push_str(" version ");
        t(out, v);
    }
    out.push_str(", sha256 ");
    code(out, &p.sha256);
    out.push_str("</dd>\n<dt>Policy sources</dt><dd><ul class=\"plain\">");
    for s in &p.sources {
        out.push_str("<li>");
        t(out, &s.name);
        out.push(' ');
        code(out, &s.sha256);
        out.push_str("</li>");
    }
    out.push_str("</ul></dd>\n");
    if !p.params.is_empty() {
        out.push_str("<dt>Params</dt><dd><ul class=\"plain\">");
        for (name, value) in &p.params {
            out.push_str("<li>");
            code(out, name);
            out.push_str(" = ");
            code(out, value);
            out.push_str("</li>");
        }
        out.push_str("</ul></dd>\n");
    }
    out.push_str("<dt>Framework</dt><dd>");
    t(out, &p.framework_title);
    out.push_str(" (");
    code(out, &p.framework);
    if let Some(v) = &p.framework_version {
        out.push_str(" version ");
        t(out, v);
    }
    out.push(')');
    if let Some(sha) = &p.framework_sha256 {
        out.push_str(", sha256 ");
        code(out, sha);
    }
    if let Some(src) = &p.framework_source {
        out.push_str(", source ");
        if src.starts_with("https://") || src.starts_with("http://") {
            out.push_str("<a href=\"");
            t(out, src);
            out.push_str("\">");
            t(out, src);
            out.push_str("</a>");
        } else {
            t(out, src);
        }
    }
    if let Some(r) = &report.release {
        out.push_str("</dd>\n<dt>Release</dt><dd>");
        super::common::release_line(out, r, t);
    }
    out.push_str("</dd>\n<dt>Bundle digest</dt><dd>");
    code(out, &report.bundle.digest);
    let n = report.bundle.files;
    let _ = write!(out, " ({n} file{})", plural(n));
    out.push_str("</dd>\n<dt>As of</dt><dd>");
    t(out, &report.as_of);
    out.push_str("</dd>\n<dt>Tool</dt><dd>");
    t(out, &report.tool.name);
    out.push(' ');
    t(out, &report.tool.version);
    out.push_str(", report schema ");
    t(out, &report.schema);
    out.push_str("</dd>\n</dl>\n</header>\n");
}

fn summary(out: &mut String, report: &Report) {
    let s = &report.summary;
    out.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n<ul class=\"counts\">\n");
    let cells = [
        ("total", "controls", s.total),
        ("pass", "pass", s.pass),
        ("fail", "fail", s.fail),
        ("waived", "waived", s.waived),
        ("manual", "manual review", s.manual),
        ("not_applicable", "not applicable", s.not_applicable),
        ("error", "error", s.error),
    ];
    for (class, label, n) in cells {
        let _ = writeln!(
            out,
            "<li class=\"count s-{class}\"><span class=\"n\">{n}</span> {label}</li>"
        );
    }
    out.push_str("</ul>\n</section>\n");
}

fn principles(out: &mut String, report: &Report) {
    out.push_str("<section id=\"principles\">\n<h2>Principles</h2>\n");
    if report.provisions.is_empty() {
        out.push_str("<p>The framework lists no principles.</p>\n</section>\n");
        return;
    }
    let controls = common::controls_by_id(report);
    out.push_str("<table>\n<thead><tr><th>Principle</th><th>Title</th><th>Theme</th>");
    out.push_str("<th>Status</th><th>Controls</th></tr></thead>\n<tbody>\n");
    for p in &report.provisions {
        out.push_str("<tr><td>");
        t(out, &p.id);
        out.push_str("</td><td>");
        t(out, &p.title);
        out.push_str("</td><td>");
        t(out, &p.theme);
        out.push_str("</td><td>");
        badge(out, p.status);
        out.push_str("</td><td>");
        if p.controls.is_empty() {
            out.push_str("<span class=\"muted\">no control assesses it</span>");
        }
        for (i, id) in p.controls.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str("<a href=\"#");
            anchor(out, id);
            out.push_str("\">");
            t(out, id);
            out.push_str("</a>");
            if let Some(c) = controls.get(id.as_str()) {
                let _ = write!(out, " <small>({})</small>", status_words(c.status));
            }
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn controls(out: &mut String, report: &Report, waivers: &HashMap<&str, &WaiverResult>) {
    out.push_str("<section id=\"controls\">\n<h2>Controls</h2>\n");
    if report.controls.is_empty() {
        out.push_str("<p>The policy has no controls.</p>\n");
    }
    for c in &report.controls {
        control(out, c, waivers);
    }
    out.push_str("</section>\n");
}

fn control(out: &mut String, c: &ControlResult, waivers: &HashMap<&str, &WaiverResult>) {
    let _ = write!(
        out,
        "<article class=\"control s-{}\" id=\"",
        c.status.as_str()
    );
    anchor(out, &c.id);
    out.push_str("\">\n<h3>");
    badge(out, c.status);
    out.push(' ');
    t(out, &c.id);
    out.push_str(": ");
    t(out, &c.title);
    out.push_str("</h3>\n<dl class=\"facts\"><dt>Severity</dt><dd>");
    t(out, &c.severity);
    out.push_str("</dd><dt>Principles</dt><dd>");
    t(out, &c.provisions.join(", "));
    out.push_str("</dd><dt>Declared at</dt><dd>");
    code(out, &c.source);
    out.push_str("</dd>");
    if !c.tags.is_empty() {
        out.push_str("<dt>Tags</dt><dd>");
        t(out, &c.tags.join(", "));
        out.push_str("</dd>");
    }
    out.push_str("</dl>\n");
    for (class, label, text) in [
        ("reason", "Why", &c.reason),
        ("description", "Description", &c.description),
        ("rationale", "Rationale", &c.rationale),
        ("remediation", "Remediation", &c.remediation),
    ] {
        if let Some(text) = text {
            let _ = write!(out, "<p class=\"{class}\"><strong>{label}:</strong> ");
            escape::html_prose(out, text);
            out.push_str("</p>\n");
        }
    }
    if !c.findings.is_empty() {
        let open = common::open_findings(c);
        let _ = write!(
            out,
            "<h4>Findings: {open} open, {} waived</h4>\n<ol class=\"findings\">\n",
            c.findings.len() - open
        );
        for f in &c.findings {
            finding(out, f, waivers);
        }
        out.push_str("</ol>\n");
        if let Some(more) = common::more_findings(c.findings_omitted) {
            out.push_str("<p>");
            escape::html(out, &more);
            out.push_str("</p>\n");
        }
    }
    if let Some(p) = &c.pass_evidence {
        pass_evidence(out, p);
    }
    out.push_str("</article>\n");
}

/// What a passing control rests on: a count and the first few records, or why none.
fn pass_evidence(out: &mut String, p: &crate::report::PassEvidence) {
    out.push_str("<p class=\"pass-evidence\"><strong>Evidence:</strong> ");
    t(out, &common::pass_summary(p));
    out.push_str("</p>\n");
    if p.evidence.is_empty() {
        return;
    }
    out.push_str("<ul class=\"evidence\">\n");
    for r in p.evidence.iter().take(common::SHOWN_PASS_EVIDENCE) {
        out.push_str("<li>");
        t(out, &common::pass_record_line(r));
        out.push_str("</li>\n");
    }
    let more = (p.evidence.len() + p.evidence_omitted)
        .saturating_sub(common::SHOWN_PASS_EVIDENCE.min(p.evidence.len()));
    if let Some(more) = common::more_evidence(more) {
        out.push_str("<li>");
        t(out, &more);
        out.push_str("</li>\n");
    }
    out.push_str("</ul>\n");
}

fn finding(out: &mut String, f: &Finding, waivers: &HashMap<&str, &WaiverResult>) {
    out.push_str(if f.waived_by.is_some() {
        "<li class=\"finding waived\">"
    } else {
        "<li class=\"finding\">"
    });
    out.push_str("<p class=\"message\">");
    t(out, &f.message);
    out.push_str("</p>\n");
    if let Some(w) = &f.waived_by {
        out.push_str("<p class=\"waiver\">");
        t(out, &common::waiver_note(w, waivers));
        out.push_str("</p>\n");
    }
    if !f.evidence.is_empty() {
        out.push_str("<table class=\"evidence\"><thead><tr><th>Evidence</th><th>Location</th>");
        out.push_str("<th>sha256</th></tr></thead><tbody>\n");
        for e in &f.evidence {
            out.push_str("<tr><td>");
            code(out, &e.path);
            out.push_str("</td><td>");
            if let Some(loc) = &e.location {
                t(out, loc);
            }
            out.push_str("</td><td class=\"digest\">");
            code(out, &e.sha256);
            out.push_str("</td></tr>\n");
        }
        if let Some(more) = common::more_evidence(f.evidence_omitted) {
            out.push_str("<tr><td colspan=\"3\" class=\"omitted\">");
            t(out, &more);
            out.push_str("</td></tr>\n");
        }
        out.push_str("</tbody></table>\n");
    }
    if !f.values.is_empty() {
        out.push_str("<table class=\"values\"><thead><tr><th>Value</th><th>Was</th></tr></thead>");
        out.push_str("<tbody>\n");
        for (k, v) in &f.values {
            out.push_str("<tr><td>");
            code(out, k);
            out.push_str("</td><td>");
            t(out, v);
            out.push_str("</td></tr>\n");
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("<p class=\"expect\">Expectation at ");
    code(out, &f.expect);
    out.push_str("; fingerprint ");
    code(out, &f.fingerprint);
    if let Some(subject) = &f.subject {
        out.push_str("; subject ");
        code(out, subject);
    }
    if f.missing_evidence {
        out.push_str(" (missing evidence)");
    }
    out.push_str("</p></li>\n");
}
