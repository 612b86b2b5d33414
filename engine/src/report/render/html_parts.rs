//! The HTML report's style sheet and its later sections: navigation, waivers, attestations,
//! signatures, bundle problems, the evidence file list and the footer.

use std::fmt::Write;

use super::common::plural;
use super::html::{anchor, code, t};
use crate::report::model::{AuthorityDecision, Report};

/// The inline style sheet: plain system fonts, status colours that keep a text label (so a
/// grey print still reads), and print rules (no navigation, controls not split across pages).
pub(super) const CSS: &str = r#":root { color-scheme: light; --fg: #1b1f24; --muted: #59636e; --line: #d1d9e0;
  --pass: #1a7f37; --fail: #cf222e; --waived: #9a6700; --manual: #8250df; --na: #59636e;
  --error: #bc4c00; --unassessed: #818b98; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--fg); margin: 0 auto; max-width: 72rem; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid var(--line); padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin: 0 0 .4rem; }
h4 { font-size: .95rem; margin: .8rem 0 .3rem; }
code { font: .85em/1.3 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; }
th, td { border: 1px solid var(--line); padding: .25rem .45rem; text-align: left; vertical-align: top; }
thead th { background: #f6f8fa; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
dl.facts { display: flex; flex-wrap: wrap; gap: .2rem 1.2rem; margin: .2rem 0 .5rem; color: var(--muted); }
dl.facts dt { font-weight: 600; }
dl.facts dt::after { content: ":"; }
dl.facts dd { margin: 0 0 0 -.9rem; }
ul.plain { list-style: none; margin: 0; padding: 0; }
nav ul { display: flex; flex-wrap: wrap; gap: .3rem 1rem; list-style: none; padding: 0; }
.muted { color: var(--muted); }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 1rem; font-size: .8rem; font-weight: 600;
  color: #fff; background: var(--unassessed); white-space: nowrap; }
.s-pass.badge { background: var(--pass); } .s-fail.badge { background: var(--fail); }
.s-waived.badge { background: var(--waived); } .s-manual.badge { background: var(--manual); }
.s-not_applicable.badge { background: var(--na); } .s-error.badge { background: var(--error); }
.verdict { font-size: 1.1rem; }
ul.counts { display: flex; flex-wrap: wrap; gap: .6rem; list-style: none; padding: 0; }
.count { border: 1px solid var(--line); border-left: 6px solid var(--unassessed); padding: .4rem .8rem; min-width: 8rem; }
.count .n { display: block; font-size: 1.5rem; font-weight: 700; }
.count.s-pass { border-left-color: var(--pass); } .count.s-fail { border-left-color: var(--fail); }
.count.s-waived { border-left-color: var(--waived); } .count.s-manual { border-left-color: var(--manual); }
.count.s-not_applicable { border-left-color: var(--na); } .count.s-error { border-left-color: var(--error); }
.count.s-total { border-left-color: var(--fg); }
article.control { border: 1px solid var(--line); border-left: 6px solid var(--unassessed); padding: .7rem 1rem; margin: .8rem 0; }
article.s-pass { border-left-color: var(--pass); } article.s-fail { border-left-color: var(--fail); }
article.s-waived { border-left-color: var(--waived); } article.s-manual { border-left-color: var(--manual); }
article.s-not_applicable { border-left-color: var(--na); } article.s-error { border-left-color: var(--error); }
p { margin: .3rem 0; }
ol.findings { padding-left: 1.4rem; }
li.finding { margin-bottom: .6rem; }
li.finding .message { font-weight: 600; }
li.waived .message { text-decoration: line-through; color: var(--muted); }
.waiver { color: var(--waived); }
.expect { color: var(--muted); font-size: .85rem; }
td.digest code { font-size: .75em; }
details > summary { cursor: pointer; font-weight: 600; }
footer { margin-top: 2rem; border-top: 1px solid var(--line); padding-top: .5rem; color: var(--muted); font-size: .85rem; }
@media print {
  body { font-size: 10.5pt; max-width: none; padding: 0; }
  nav { display: none; }
  a { color: inherit; text-decoration: none; }
  article.control, tr, li.finding { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  .badge, .count, article.control { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  thead { display: table-header-group; }
}
"#;

/// In-page links to each section.
pub(super) fn nav(out: &mut String, report: &Report) {
    out.push_str("<nav aria-label=\"Sections\"><ul>");
    out.push_str("<li><a href=\"#summary\">Summary</a></li>");
    out.push_str("<li><a href=\"#principles\">Principles</a></li>");
    out.push_str("<li><a href=\"#controls\">Controls</a></li>");
    out.push_str("<li><a href=\"#waivers\">Waivers</a></li>");
    out.push_str("<li><a href=\"#attestations\">Attestations</a></li>");
    out.push_str("<li><a href=\"#signatures\">Signatures</a></li>");
    if !report.bundle.findings.is_empty() {
        out.push_str("<li><a href=\"#bundle-problems\">Bundle problems</a></li>");
    }
    out.push_str("<li><a href=\"#evidence\">Evidence files</a></li>");
    out.push_str("</ul></nav>\n");
}

/// Every waiver, applied or not.
pub(super) fn waivers(out: &mut String, report: &Report) {
    out.push_str("<section id=\"waivers\">\n<h2>Waivers</h2>\n");
    if report.waivers.is_empty() {
        out.push_str("<p>No waivers were given.</p>\n</section>\n");
        return;
    }
    out.push_str("<table>\n<thead><tr><th>Waiver</th><th>Control</th><th>State</th>");
    out.push_str("<th>Findings covered</th><th>Names</th><th>Approver</th><th>Effective</th>");
    out.push_str("<th>Expires</th><th>Justification</th><th>Risk</th></tr></thead>\n<tbody>\n");
    for w in &report.waivers {
        out.push_str("<tr><td>");
        t(out, &w.id);
        out.push_str("</td><td><a href=\"#");
        anchor(out, &w.control);
        out.push_str("\">");
        t(out, &w.control);
        out.push_str("</a></td><td>");
        t(out, &w.state);
        let _ = write!(out, "</td><td>{}</td><td>", w.matched);
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
        out.push_str("</td><td>");
        t(out, &w.approver);
        if let Some(key) = &w.approver_key_id {
            out.push_str("<br>key ");
            code(out, key);
        }
        for d in [&w.decision, &w.missing_evidence_decision]
            .into_iter()
            .flatten()
        {
            out.push_str("<br>");
            t(out, &d.describe());
        }
        for cell in [&w.effective, &w.expires, &w.justification] {
            out.push_str("</td><td>");
            t(out, cell);
        }
        if let Some(reason) = &w.reason {
            out.push_str(" <em>(");
            t(out, reason);
            out.push_str(")</em>");
        }
        out.push_str("</td><td>");
        if let Some(risk) = &w.risk {
            t(out, risk);
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

/// Every attestation a manual control relied on.
pub(super) fn attestations(out: &mut String, report: &Report) {
    out.push_str("<section id=\"attestations\">\n<h2>Attestations</h2>\n");
    if report.attestations.is_empty() {
        out.push_str("<p>No attestations were used.</p>\n</section>\n");
        return;
    }
    out.push_str("<table>\n<thead><tr><th>Control</th><th>Statement</th><th>Attested by</th>");
    out.push_str("<th>Date</th><th>Accepted</th><th>Signing key and authority</th>");
    out.push_str("<th>File</th></tr></thead>\n<tbody>\n");
    for a in &report.attestations {
        out.push_str("<tr><td><a href=\"#");
        anchor(out, &a.control);
        out.push_str("\">");
        t(out, &a.control);
        out.push_str("</a></td><td>");
        t(out, &a.statement);
        out.push_str("</td><td>");
        t(out, &a.attested_by);
        out.push_str("</td><td>");
        t(out, &a.date);
        out.push_str("</td><td>");
        if a.accepted {
            out.push_str("yes");
        } else {
            out.push_str("no");
            if let Some(r) = &a.reason {
                out.push_str(": ");
                t(out, r);
            }
        }
        out.push_str("</td><td>");
        key_and_decision(out, a.key_id.as_deref(), a.decision.as_ref());
        if a.undated {
            out.push_str("<br>undated signature: only the attestation's date was judged");
        }
        out.push_str("</td><td>");
        code(out, &a.path);
        if let Some(sig) = &a.signature {
            out.push_str("<br>signature ");
            code(out, sig);
        }
        out.push_str("<br>sha256 ");
        code(out, &a.sha256);
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

/// A signing key (or "unsigned") and the authority's decision on it, with its policies.
fn key_and_decision(out: &mut String, key: Option<&str>, decision: Option<&AuthorityDecision>) {
    match key {
        Some(key) => {
            out.push_str("key ");
            code(out, key);
        }
        None => out.push_str("no trusted signature"),
    }
    if let Some(d) = decision {
        out.push_str("<br>");
        t(out, &d.describe());
    }
}

/// Every signature and how it verified, and the trusted keys.
pub(super) fn signatures(out: &mut String, report: &Report) {
    out.push_str("<section id=\"signatures\">\n<h2>Signatures</h2>\n");
    if report.signatures.is_empty() {
        out.push_str("<p>The bundle holds no signatures.</p>\n");
    } else {
        out.push_str("<table>\n<thead><tr><th>Signature</th><th>Format</th><th>Signs</th>");
        out.push_str("<th>Outcome</th><th>Key</th><th>Signer</th><th>Reason</th></tr></thead>\n");
        out.push_str("<tbody>\n");
        for s in &report.signatures {
            out.push_str("<tr><td>");
            code(out, &s.path);
            out.push_str("</td><td>");
            t(out, &s.format);
            out.push_str("</td><td>");
            if let Some(signed) = &s.signed {
                code(out, signed);
            }
            out.push_str("</td><td>");
            t(out, &s.outcome);
            out.push_str("</td><td>");
            if let Some(key) = &s.key_id {
                code(out, key);
            }
            for cell in [&s.signer, &s.reason] {
                out.push_str("</td><td>");
                if let Some(text) = cell {
                    t(out, text);
                }
            }
            out.push_str("</td></tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
    }
    if report.trust.is_empty() {
        out.push_str("<p>No trusted keys were given (<code>--trust</code>).</p>\n");
    } else {
        out.push_str("<h3>Trusted keys</h3>\n<ul class=\"plain\">\n");
        for k in &report.trust {
            out.push_str("<li>");
            t(out, &k.format);
            out.push(' ');
            code(out, &k.key_id);
            out.push_str(" from ");
            code(out, &k.path);
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

/// Problems found while reading the bundle, when there are any.
pub(super) fn bundle_problems(out: &mut String, report: &Report) {
    if report.bundle.findings.is_empty() {
        return;
    }
    out.push_str("<section id=\"bundle-problems\">\n<h2>Bundle problems</h2>\n<table>\n");
    out.push_str("<thead><tr><th>Severity</th><th>Path</th><th>Problem</th><th>Code</th></tr>");
    out.push_str("</thead>\n<tbody>\n");
    for f in &report.bundle.findings {
        out.push_str("<tr><td>");
        t(out, &f.severity);
        out.push_str("</td><td>");
        if let Some(p) = &f.path {
            code(out, p);
            if let Some(line) = f.line {
                let _ = write!(out, " line {line}");
            }
        }
        out.push_str("</td><td>");
        t(out, &f.message);
        out.push_str("</td><td>");
        code(out, &f.code);
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

/// Every file of the bundle, in a (printed-open) `<details>` block.
pub(super) fn evidence(out: &mut String, report: &Report) {
    let n = report.evidence.len();
    out.push_str("<section id=\"evidence\">\n<h2>Evidence files</h2>\n");
    let _ = write!(
        out,
        "<details open>\n<summary>{n} file{} in the bundle</summary>\n",
        plural(n)
    );
    out.push_str("<table>\n<thead><tr><th>Path</th><th>Kind</th><th>sha256</th></tr></thead>");
    out.push_str("\n<tbody>\n");
    for e in &report.evidence {
        out.push_str("<tr><td>");
        code(out, &e.path);
        out.push_str("</td><td>");
        t(out, &e.kind);
        out.push_str("</td><td class=\"digest\">");
        code(out, &e.sha256);
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</details>\n</section>\n");
}

/// How the page was made.
pub(super) fn footer(out: &mut String, report: &Report) {
    out.push_str("<footer>Written by ");
    t(out, &report.tool.name);
    out.push(' ');
    t(out, &report.tool.version);
    out.push_str(" for bundle ");
    code(out, &report.bundle.digest);
    out.push_str(" as of ");
    t(out, &report.as_of);
    out.push_str(". The same inputs and as-of date give this page byte for byte; ");
    out.push_str("the JSON report is the authoritative record.</footer>\n");
}
