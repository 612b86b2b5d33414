//! The report renderers (JSON, Markdown, HTML, SARIF, JUnit, OSCAL) on a report model whose text
//! is fuzzed: the engine tests' hand-built report (a control of every status, findings, waivers,
//! attestations, bundle problems), with the input's NUL-separated pieces written into its
//! titles, messages, paths, values, waiver and attestation texts. Every renderer must not panic
//! and must give the same bytes twice; the JSON, SARIF and OSCAL documents must parse as JSON
//! (the JSON report equal to the model serialized), the JUnit report as XML, and no text
//! written into the model may reach the HTML page or the JUnit XML unescaped.
#![no_main]

#[allow(dead_code, reason = "the engine tests' fixtures; this target uses one")]
#[path = "../../engine/tests/render_common/mod.rs"]
mod render_common;

use libfuzzer_sys::fuzz_target;
use vouch_engine::report::Report;
use vouch_engine::report::render::{Format, render};

/// Every piece written into the model starts with this, so an unescaped one can be found.
const MARK: &str = "<fz\"'&";

struct Pieces<'a> {
    all: Vec<&'a str>,
    next: usize,
}

impl Pieces<'_> {
    fn take(&mut self) -> String {
        let piece = self
            .all
            .get(self.next % self.all.len().max(1))
            .copied()
            .unwrap_or("");
        self.next += 1;
        format!("{MARK}{piece}")
    }
}

fn fuzzed(text: &str) -> Report {
    let mut report = render_common::fixture();
    let mut p = Pieces {
        all: text.split('\0').collect(),
        next: 0,
    };
    report.policy.title = p.take();
    report.policy.name = p.take();
    for c in &mut report.controls {
        c.title = p.take();
        c.id = format!("{}{}", c.id, p.take());
        c.reason = c.reason.as_ref().map(|_| p.take());
        c.description = Some(p.take());
        c.remediation = Some(p.take());
        c.tags.push(p.take());
        c.source = p.take();
        for f in &mut c.findings {
            f.message = p.take();
            f.subject = Some(p.take());
            f.values = vec![(p.take(), p.take())].into_iter().collect();
            for e in &mut f.evidence {
                e.path = p.take();
                e.location = Some(p.take());
            }
        }
    }
    for pr in &mut report.provisions {
        pr.title = p.take();
    }
    for w in &mut report.waivers {
        w.justification = p.take();
        w.approver = p.take();
        w.reason = Some(p.take());
        w.file = p.take();
    }
    for a in &mut report.attestations {
        a.statement = p.take();
        a.attested_by = p.take();
        a.path = p.take();
    }
    for e in &mut report.evidence {
        e.path = p.take();
        e.kind = p.take();
    }
    for b in &mut report.bundle.findings {
        b.message = p.take();
        b.path = Some(p.take());
    }
    report
}

fuzz_target!(|text: &str| {
    let report = fuzzed(text);
    for format in Format::ALL {
        let out = render(&report, *format);
        assert_eq!(
            out,
            render(&report, *format),
            "{} differs between runs",
            format.name()
        );
        match format {
            Format::Json => {
                let parsed: serde_json::Value = match serde_json::from_str(&out) {
                    Ok(v) => v,
                    Err(e) => panic!("the JSON report does not parse: {e}"),
                };
                let model = serde_json::to_value(&report).ok();
                assert_eq!(Some(parsed), model, "the JSON report is not the model");
            }
            Format::Sarif | Format::Oscal => {
                if let Err(e) = serde_json::from_str::<serde_json::Value>(&out) {
                    panic!("the {} report does not parse: {e}", format.name());
                }
            }
            Format::Junit => {
                if let Err(e) = roxmltree::Document::parse(&out) {
                    panic!("the JUnit report is not XML: {e}");
                }
                assert!(!out.contains(MARK), "text reached the JUnit XML unescaped");
            }
            Format::Html => {
                assert!(!out.contains(MARK), "text reached the HTML page unescaped");
            }
            Format::Markdown => {}
        }
    }
});
