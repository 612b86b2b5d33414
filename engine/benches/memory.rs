//! Memory per evidence record: peak resident memory of a whole evaluation (ingest, the
//! uk-sscop pack, the JSON report written out) over 100,000 tiny OSV advisories, against the
//! same run over 100,000 files of the same size that are not evidence (the same-run
//! baseline: walking, hashing and listing files). Target: under 300 MiB.
//!
//! `cargo bench -p vouch-engine --bench memory` generates the bundles in a temporary
//! directory (nothing is committed) at 10,000 and 100,000 files, runs each step in a fresh
//! process of this binary (so each peak is its own): ingest alone, and the whole evaluation;
//! and prints peak RSS, time, report size, the bytes each record costs over the baseline, and
//! the peak per 1,000 files (the slope between the two sizes). `VOUCH_BENCH_RECORDS` sets one
//! count instead. Under `cargo test --benches` it runs once on 500 records.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benchmark code"
)]

use std::io::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use vouch_engine::report::render::{Format, render_to};
use vouch_engine::{EvaluationOptions, IngestOptions, NoProgress};
use vouch_lang::{Frameworks, NoImports, Source};

#[path = "support/osv_bundle.rs"]
mod osv_bundle;

/// The `vouch` binary's allocator (src/main.rs): the benchmark measures what the binary does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CHILD_DIR: &str = "VOUCH_BENCH_MEMORY_CHILD_DIR";
/// `ingest` for ingestion alone; otherwise the whole evaluation.
const CHILD_MODE: &str = "VOUCH_BENCH_MEMORY_MODE";
const TARGET_MIB: f64 = 300.0;
/// Targets per 1,000 files (the slope between the two sizes), MiB: ingest alone, and the
/// whole evaluation, of the OSV bundle.
const TARGET_INGEST_PER_1000: f64 = 2.0;
const TARGET_EVALUATE_PER_1000: f64 = 2.8;

/// The bundle sizes to measure.
fn sizes() -> Vec<usize> {
    let full = std::env::args().any(|a| a == "--bench");
    match std::env::var("VOUCH_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(n) => vec![n],
        None if full => vec![10_000, 100_000],
        None => vec![500],
    }
}

/// `n` files of about 280 bytes under 1,000-file directories: OSV advisories when `osv`,
/// otherwise plain text of the same length; and the example release manifest.
fn generate(dir: &Path, n: usize, osv: bool) {
    std::fs::write(
        dir.join("release.toml"),
        include_str!("../../examples/bundles/compliant/release.toml"),
    )
    .unwrap();
    osv_bundle::write_advisories(dir, n, osv);
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

/// The child: ingest `dir`, evaluate the uk-sscop pack, write the JSON report to a file;
/// print `peak-KiB seconds report-bytes`. With `ingest_only`, only ingest (report 0 bytes).
fn child(dir: &Path, ingest_only: bool) {
    let start = Instant::now();
    let graph =
        vouch_engine::ingest(dir, &IngestOptions::with_threads(Some(2)), &NoProgress).unwrap();
    if ingest_only {
        let nodes = graph.node_count();
        drop(graph);
        assert!(nodes > 0, "ingest gave no nodes");
        println!("{} {:.3} 0", peak_rss_kib(), start.elapsed().as_secs_f64());
        return;
    }
    let mut frameworks = Frameworks::new();
    frameworks.insert(
        vouch_lang::Framework::from_toml(&Source::new(
            "uk-sscop.toml",
            include_str!("../../stdlib-policies/frameworks/uk-sscop.toml"),
        ))
        .unwrap(),
    );
    let policy = vouch_lang::check_with(
        Source::new(
            "uk_sscop.vouch",
            include_str!("../../stdlib-policies/uk-sscop/uk_sscop.vouch"),
        ),
        &NoImports,
        &frameworks,
        &vouch_lang::LintLevels::default(),
    )
    .policy
    .expect("the uk-sscop pack checks");
    let mut options = EvaluationOptions::at("2026-10-02T00:00:00Z".parse().unwrap());
    options.threads = Some(2);
    // As `vouch evaluate` does: the evaluation takes the graph.
    let report = vouch_engine::evaluate_owned(&policy, graph, &options);
    let out_path = dir.join("report.json");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&out_path).unwrap());
    render_to(&report, Format::Json, &mut out).unwrap();
    out.flush().unwrap();
    let size = std::fs::metadata(&out_path).unwrap().len();
    std::fs::remove_file(&out_path).unwrap();
    println!(
        "{} {:.3} {size}",
        peak_rss_kib(),
        start.elapsed().as_secs_f64()
    );
}

/// Runs the child on `dir` (ingest alone when `ingest_only`): (peak MiB, seconds, report
/// bytes).
fn measure(dir: &Path, ingest_only: bool) -> (f64, f64, u64) {
    let out = Command::new(std::env::current_exe().unwrap())
        .env(CHILD_DIR, dir)
        .env(CHILD_MODE, if ingest_only { "ingest" } else { "evaluate" })
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let parts: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(parts.len(), 3, "child output: {text:?} {:?}", out.stderr);
    let kib: f64 = parts[0].parse().unwrap();
    (
        kib / 1024.0,
        parts[1].parse().unwrap(),
        parts[2].parse().unwrap(),
    )
}

/// One size's peaks (MiB): plain ingest, OSV ingest, plain evaluation, OSV evaluation.
struct Peaks {
    n: usize,
    ingest: (f64, f64),
    evaluate: (f64, f64),
}

/// Measures one size: both bundles, ingest alone and the whole evaluation.
fn measure_size(n: usize) -> Peaks {
    let plain = tempfile::tempdir().unwrap();
    let osv = tempfile::tempdir().unwrap();
    generate(plain.path(), n, false);
    generate(osv.path(), n, true);
    let (base_ingest, base_ingest_s, _) = measure(plain.path(), true);
    let (osv_ingest, osv_ingest_s, _) = measure(osv.path(), true);
    let (base_mib, base_s, base_report) = measure(plain.path(), false);
    let (mib, s, report) = measure(osv.path(), false);
    println!("memory per evidence record, {n} files:");
    println!(
        "  ingest alone:  plain files peak RSS {base_ingest:.1} MiB ({base_ingest_s:.2} s), \
         OSV advisories {osv_ingest:.1} MiB ({osv_ingest_s:.2} s)"
    );
    println!("  whole evaluation (uk-sscop pack, JSON report written):");
    println!(
        "    baseline, plain files: peak RSS {base_mib:.1} MiB, {base_s:.2} s, report {:.1} MB",
        base_report as f64 / 1e6
    );
    println!(
        "    OSV advisories:        peak RSS {mib:.1} MiB, {s:.2} s, report {:.1} MB",
        report as f64 / 1e6
    );
    println!(
        "    per record over the baseline: {:.0} bytes of peak memory, {:.0} bytes of report",
        (mib - base_mib) * 1024.0 * 1024.0 / n as f64,
        (report as f64 - base_report as f64) / n as f64
    );
    if n >= 100_000 {
        println!(
            "    target: under {TARGET_MIB} MiB at 100,000 records: {}",
            if mib < TARGET_MIB { "met" } else { "NOT met" }
        );
    }
    Peaks {
        n,
        ingest: (base_ingest, osv_ingest),
        evaluate: (base_mib, mib),
    }
}

fn main() {
    if let Ok(dir) = std::env::var(CHILD_DIR) {
        let ingest_only = std::env::var(CHILD_MODE).is_ok_and(|m| m == "ingest");
        child(Path::new(&dir), ingest_only);
        return;
    }
    let peaks: Vec<Peaks> = sizes().into_iter().map(measure_size).collect();
    if let [small, large, ..] = peaks.as_slice() {
        let per_1000 = |a: f64, b: f64| (b - a) * 1000.0 / (large.n - small.n) as f64;
        let line = |what: &str, a: (f64, f64), b: (f64, f64), target: f64| {
            let osv = per_1000(a.1, b.1);
            println!(
                "  {what}: {osv:.2} MiB per 1,000 OSV advisories (plain files {:.2}); \
                 target under {target} MiB: {}",
                per_1000(a.0, b.0),
                if osv < target { "met" } else { "NOT met" }
            );
        };
        println!(
            "peak RSS per 1,000 files, between {} and {} files:",
            small.n, large.n
        );
        line(
            "ingest alone",
            small.ingest,
            large.ingest,
            TARGET_INGEST_PER_1000,
        );
        line(
            "whole evaluation",
            small.evaluate,
            large.evaluate,
            TARGET_EVALUATE_PER_1000,
        );
    }
}
