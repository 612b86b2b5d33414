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

use crate::quadratic_support;

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

/// Each finding's message and the paths it cites.
type Cited = Vec<(String, Vec<String>)>;

/// The paths each finding of `body` (over 3 files) cites, and its message, evaluated
/// normally and traced (`vouch explain`).
fn citations(body: &str) -> (Cited, Cited) {
    let dir = tempfile::tempdir().unwrap();
    quadratic_support::write_bundle(dir.path(), 3);
    let graph = vouch_engine::ingest(dir.path(), &IngestOptions::default(), &NoProgress).unwrap();
    let options = EvaluationOptions::at("2026-10-01T00:00:00Z".parse().unwrap());
    let policy = quadratic_support::policy(body);
    let cited = |findings: &[vouch_engine::report::Finding]| -> Cited {
        findings
            .iter()
            .map(|f| {
                let paths = f.evidence.iter().map(|e| e.path.clone()).collect();
                (f.message.clone(), paths)
            })
            .collect()
    };
    let report = vouch_engine::evaluate(&policy, &graph, &options);
    let traced = vouch_engine::explain(&policy, &graph, &options, "DUP-1").unwrap();
    (
        cited(&report.controls[0].findings),
        cited(&traced.result.findings),
    )
}

#[test]
fn an_expectation_failing_again_cites_what_it_read_in_place() {
    // Both operands are fields of bound records, read in place: each finding after the first
    // is examined once, citing as it goes, and cites the same records as the first.
    let (report, traced) = citations(
        "  for a in files {\n    for b in files where b.path != a.path {\n      expect a.sha256 != b.sha256 else \"{a.path} = {b.path}\"\n    }\n  }",
    );
    let file = |i: usize| format!("data/part-00/file-{i:05}.txt");
    assert_eq!(report.len(), 6);
    for (message, paths) in &report {
        let (a, b) = message.split_once(" = ").unwrap();
        let mut want = vec![a.to_string(), b.to_string()];
        want.sort();
        assert_eq!(paths, &want, "{message}");
    }
    assert_eq!(report[0].0, format!("{} = {}", file(0), file(1)));
    assert_eq!(report, traced);
}

#[test]
fn a_text_comparison_in_place_cites_its_record() {
    let (report, traced) =
        citations("  for a in files {\n    expect a.path == \"elsewhere\" else \"{a.path}\"\n  }");
    assert_eq!(report.len(), 3);
    for (message, paths) in &report {
        assert_eq!(paths, &vec![message.clone()]);
    }
    assert_eq!(report, traced);
}
