//! A quadratic control over 2,000 files: every file has the same content, so "no two files
//! have the same content" fails once per file and each finding reads all 2,000 files (4
//! million comparisons, then each finding's citations collected again). Target: well under
//! a second, with a report that grows linearly (each finding cites the first 16 files and
//! counts the rest).
//!
//! `cargo bench -p vouch-engine --bench quadratic` measures the quadratic control
//! (`quadratic`) and, as the same-run baseline, a linear control with the same 2,000
//! findings over the same graph (`linear`), and prints the size of each JSON report.
//! It also prints how long two runaway controls take to stop under the default budget.
//! `VOUCH_BENCH_FILES` sets the number of files. Under `cargo test --benches` it runs once on
//! 200 files, without the runaways.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benchmark code"
)]

#[path = "../tests/quadratic_support/mod.rs"]
mod quadratic_support;

use std::time::{Duration, Instant};

use criterion::Criterion;
use vouch_engine::report::render::{Format, render};
use vouch_engine::{EvaluationOptions, IngestOptions, NoProgress};

/// Whether this is a real run (`cargo bench`), not `cargo test --benches`.
fn full() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn files() -> usize {
    std::env::var("VOUCH_BENCH_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full() { 2000 } else { 200 })
}

fn benches(c: &mut Criterion) {
    let n = files();
    let dir = tempfile::tempdir().unwrap();
    quadratic_support::write_bundle(dir.path(), n);
    let graph = vouch_engine::ingest(dir.path(), &IngestOptions::default(), &NoProgress).unwrap();
    let options = EvaluationOptions::at("2026-10-01T00:00:00Z".parse().unwrap());
    let quadratic = quadratic_support::policy(quadratic_support::QUADRATIC);
    let linear = quadratic_support::policy(quadratic_support::LINEAR);

    for (name, policy) in [("quadratic", &quadratic), ("linear", &linear)] {
        let start = Instant::now();
        let report = vouch_engine::evaluate(policy, &graph, &options);
        let took = start.elapsed();
        let control = &report.controls[0];
        let findings = control.findings.len() + control.findings_omitted;
        assert_eq!(findings, n, "{name}: {:?}", control.reason);
        println!(
            "quadratic bench: {name} control over {n} files: {findings} findings ({} listed) in {took:?}, JSON report {} bytes",
            control.findings.len(),
            render(&report, Format::Json).len()
        );
    }

    // Runaway controls under the default budget: how long until they stop (in a real run only:
    // a debug build takes minutes).
    let runaways = if full() {
        vec![
            (
                "three nested loops over 1,000 elements",
                quadratic_support::cubic(),
            ),
            ("a string doubled 40 times", quadratic_support::doubling()),
        ]
    } else {
        Vec::new()
    };
    for (name, policy) in runaways {
        let start = Instant::now();
        let report = vouch_engine::evaluate(&policy, &graph, &options);
        let control = &report.controls[0];
        println!(
            "quadratic bench: runaway control ({name}) stopped in {:?}: {} ({})",
            start.elapsed(),
            control.status.as_str(),
            control.reason.as_deref().unwrap_or_default()
        );
    }

    let mut group = c.benchmark_group("quadratic");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("quadratic", |b| {
        b.iter(|| vouch_engine::evaluate(&quadratic, &graph, &options))
    });
    group.bench_function("linear", |b| {
        b.iter(|| vouch_engine::evaluate(&linear, &graph, &options))
    });
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
}
