//! Evaluation speed: a 50-control policy over a graph of about 100,000 nodes, after
//! ingestion and checking. Target: under 200 ms.
//!
//! `cargo bench -p vouch-engine --bench evaluate` generates a bundle of 33,000 artifacts, each
//! listed in `SHA256SUMS` (a file, an artifact and a checksum entry per artifact: ~100,000
//! nodes), ingests it, checks a generated 50-control policy, prints the node count, then
//! measures evaluation with the evidence values prebuilt (`evaluate-values`) and from the
//! graph (`evaluate`: building the values, evaluating, dropping them). `VOUCH_BENCH_ARTIFACTS`
//! sets the size and `VOUCH_BENCH_THREADS` the threads controls run on. Under
//! `cargo test --benches` it runs once on a small bundle.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benchmark code"
)]

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::Criterion;
use vouch_engine::eval::evaluate_values;
use vouch_engine::evidence::EvidenceValues;
use vouch_engine::{EvaluationOptions, IngestOptions, NoProgress, Sha256Digest};
use vouch_lang::{Frameworks, NoImports, Source};

fn artifacts() -> usize {
    let full = std::env::args().any(|a| a == "--bench");
    std::env::var("VOUCH_BENCH_ARTIFACTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 33_000 } else { 300 })
}

/// `n` small artifacts under `dist/`, all in `SHA256SUMS`, a release and a support file.
fn generate(dir: &Path, n: usize) {
    let mut sums = String::with_capacity(n * 100);
    for i in 0..n {
        let rel = format!("dist/part-{:02}/widget-{i:05}.tar.gz", i % 50);
        let path = dir.join(&rel);
        if i < 50 {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        }
        let content = format!("artifact {i}\n");
        std::fs::write(&path, &content).unwrap();
        let _ = writeln!(
            sums,
            "{}  {rel}",
            Sha256Digest::of(content.as_bytes()).to_hex()
        );
    }
    std::fs::write(dir.join("SHA256SUMS"), sums).unwrap();
    std::fs::write(
        dir.join("release.toml"),
        "[release]\nproduct = \"widget\"\nversion = \"1.0.0\"\ndate = 2026-09-01\n\
         artifacts = [\"dist/**/*.tar.gz\"]\n\n[[distribution]]\n\
         url = \"https://downloads.example.com/widget-00000.tar.gz\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("support.toml"),
        "[[cycle]]\ncycle = \"1.0\"\nreleased = 2026-09-01\neol = 2028-01-01\n\
         eol_announced = 2026-09-01\n",
    )
    .unwrap();
}

/// Five control shapes, ten of each.
fn policy() -> String {
    let mut p = String::from(
        "policy \"bench\" {\n  title = \"Benchmark\"\n  framework = \"uk-sscop\"\n}\n\n\
         param schemes: set<string> = [\"https\"]\n\n",
    );
    let bodies = [
        "for a in release.artifacts {\n    expect len(a.checksums) > 0 else \"{a.path} has no checksum\"\n    for c in a.checksums {\n      expect c.status == \"match\" else \"{c.path}:{c.line} is {c.status}\"\n    }\n  }",
        "expect all(a in release.artifacts: a.size > 0 and a.sha256 != \"\")",
        "expect count(f in files: f.path.matches(\"dist/**/*.tar.gz\")) >= 1",
        "for f in files where f.kind == \"unclassified\" {\n    expect f.size >= 0 and f.path.starts_with(\"dist/\")\n  } when empty: pass",
        "for d in release.distribution {\n    expect d.scheme in schemes\n  }\n  for c in support.cycles where c.eol != none and c.eol_announced != none {\n    expect c.eol - c.eol_announced >= 12 months\n  }",
    ];
    for i in 0..50 {
        let _ = write!(
            p,
            "control \"BENCH-{i:02}\" {{\n  title = \"Benchmark control {i}\"\n  provision = [\"3.1\"]\n  severity = high\n  {}\n}}\n\n",
            bodies[i % bodies.len()]
        );
    }
    p
}

fn benches(c: &mut Criterion) {
    let n = artifacts();
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), n);
    let graph = vouch_engine::ingest(dir.path(), &IngestOptions::default(), &NoProgress).unwrap();
    let mut frameworks = Frameworks::new();
    let uk_sscop = include_str!("../../stdlib-policies/frameworks/uk-sscop.toml");
    let source = Source::new("uk-sscop.toml", uk_sscop);
    frameworks.insert(vouch_lang::Framework::from_toml(&source).unwrap());
    let checked = vouch_lang::check(
        Source::new("bench.vouch", policy()),
        &NoImports,
        &frameworks,
    );
    let policy = checked
        .policy
        .unwrap_or_else(|| panic!("{:?}", checked.diagnostics));
    let mut options = EvaluationOptions::at("2026-10-01T00:00:00Z".parse().unwrap());
    options.threads = std::env::var("VOUCH_BENCH_THREADS")
        .ok()
        .and_then(|v| v.parse().ok());
    println!(
        "evaluate bench: {} nodes, {} controls, {n} artifacts",
        graph.node_count(),
        policy.controls.len()
    );

    let start = Instant::now();
    let evidence = EvidenceValues::build(&graph);
    let build = start.elapsed();
    let start = Instant::now();
    let report = evaluate_values(&policy, &graph, &evidence, &options);
    let once = start.elapsed();
    assert_eq!(report.summary.fail, 0, "the generated bundle passes");
    println!(
        "evaluate bench: evidence values built in {build:?}; 50 controls evaluated in {once:?} (target < 200 ms)"
    );

    let mut group = c.benchmark_group("evaluate");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("evaluate-values", |b| {
        b.iter(|| evaluate_values(&policy, &graph, &evidence, &options))
    });
    group.bench_function("evaluate", |b| {
        b.iter(|| vouch_engine::evaluate(&policy, &graph, &options))
    });
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
}
