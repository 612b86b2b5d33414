//! A quadratic control over a bundle of 2,000 files: each of its 2,000 findings reads every
//! file, yet cites only the first few (in the report's order) with a count of the rest, so the
//! report grows linearly with the bundle. (Its speed is `benches/quadratic.rs`.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

mod common;
mod quadratic_support;

use std::sync::LazyLock;

use vouch_engine::report::render::{Format, render};
use vouch_engine::report::{MAX_CONTROL_FINDINGS, MAX_FINDING_EVIDENCE, Report, Status};
use vouch_engine::{EvaluationOptions, IngestOptions, NoProgress};

/// The report of `body` over a bundle of `n` files of the same content.
fn report(n: usize, body: &str) -> Report {
    let dir = tempfile::tempdir().unwrap();
    quadratic_support::write_bundle(dir.path(), n);
    let graph = vouch_engine::ingest(dir.path(), &IngestOptions::default(), &NoProgress).unwrap();
    let options = EvaluationOptions::at("2026-10-01T00:00:00Z".parse().unwrap());
    vouch_engine::evaluate(&quadratic_support::policy(body), &graph, &options)
}

/// The quadratic control over 2,000 files (evaluated once for both tests: a debug build takes a
/// while).
static QUADRATIC: LazyLock<Report> = LazyLock::new(|| report(2000, quadratic_support::QUADRATIC));

#[test]
fn findings_cite_the_first_records_and_count_the_rest() {
    let r = &*QUADRATIC;
    assert_eq!(r.controls[0].reason, None);
    let c = &r.controls[0];
    assert_eq!(c.status, Status::Fail);
    // The first 1,000 findings are listed, the other 1,000 counted.
    assert_eq!(c.findings.len(), MAX_CONTROL_FINDINGS);
    assert_eq!(c.findings_omitted, 2000 - MAX_CONTROL_FINDINGS);
    // The first 16 paths in order, whichever file the finding is about.
    let first: Vec<String> = (0..MAX_FINDING_EVIDENCE)
        .map(|i| format!("data/part-00/file-{i:05}.txt"))
        .collect();
    for f in &c.findings {
        let cited: Vec<&str> = f.evidence.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(cited, first, "{}", f.message);
        assert_eq!(f.evidence_omitted, 2000 - MAX_FINDING_EVIDENCE);
    }
    // A finding about a file past the cap still rests on it: it is counted, not cited.
    assert_eq!(
        c.findings[999].message,
        "data/part-09/file-00999.txt has the same content as another file"
    );
}

#[test]
fn the_report_grows_linearly_with_the_bundle() {
    // Without the cap the 2,000-file report was 2,000 findings x 2,000 citations (~600 MB).
    let quadratic = render(&QUADRATIC, Format::Json).len();
    let linear = render(&report(2000, quadratic_support::LINEAR), Format::Json).len();
    // A finding cites at most 16 records: under 4 KiB per file, whatever the control.
    assert!(quadratic < 2000 * 4096, "{quadratic} bytes");
    assert!(
        quadratic < linear * 6,
        "{quadratic} bytes, {linear} for the linear control"
    );
}
