//! Memory per evidence record: peak resident memory of a whole evaluation (ingest, the
//! uk-sscop pack, the JSON report written out) over 100,000 tiny OSV advisories, against the
//! same run over 100,000 files of the same size that are not evidence (the same-run
//! baseline: walking, hashing and listing files). Target: under 300 MiB.
//!
//! `cargo bench -p vouch-engine --bench memory` generates both bundles in a temporary
//! directory (nothing is committed), runs each evaluation in a fresh process of this binary
//! (so each peak is its own), and prints peak RSS, time, report size and the bytes each
//! record costs over the baseline. `VOUCH_BENCH_RECORDS` sets the count. Under
//! `cargo test --benches` it runs once on 500 records.
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

/// The `vouch` binary's allocator (src/main.rs): the benchmark measures what the binary does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CHILD_DIR: &str = "VOUCH_BENCH_MEMORY_CHILD_DIR";
const TARGET_MIB: f64 = 300.0;

fn records() -> usize {
    let full = std::env::args().any(|a| a == "--bench");
    std::env::var("VOUCH_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 100_000 } else { 500 })
}

/// `n` files of about 280 bytes under 1,000-file directories: OSV advisories when `osv`,
/// otherwise plain text of the same length; and the example release manifest.
fn generate(dir: &Path, n: usize, osv: bool) {
    std::fs::write(
        dir.join("release.toml"),
        include_str!("../../examples/bundles/compliant/release.toml"),
    )
    .unwrap();
    for i in 0..n {
        let sub = dir.join(format!("osv/{:03}", i / 1000));
        if i % 1000 == 0 {
            std::fs::create_dir_all(&sub).unwrap();
        }
        let text = format!(
            "{{\"id\":\"GHSA-{i:06}\",\"modified\":\"2026-01-01T00:00:00Z\",\
             \"published\":\"2026-01-01T00:00:00Z\",\"aliases\":[\"CVE-2026-{i:06}\"],\
             \"affected\":[{{\"package\":{{\"ecosystem\":\"npm\",\"name\":\"widget\"}},\
             \"ranges\":[{{\"type\":\"SEMVER\",\"events\":[{{\"introduced\":\"0\"}},\
             {{\"fixed\":\"2.4.1\"}}]}}]}}]}}\n"
        );
        let text = if osv {
            text
        } else {
            "x".repeat(text.len() - 1) + "\n"
        };
        std::fs::write(sub.join(format!("GHSA-{i:06}.json")), text).unwrap();
    }
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
/// print `peak-KiB seconds report-bytes`.
fn child(dir: &Path) {
    let start = Instant::now();
    let graph =
        vouch_engine::ingest(dir, &IngestOptions::with_threads(Some(2)), &NoProgress).unwrap();
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

/// Runs the child on `dir`: (peak MiB, seconds, report bytes).
fn measure(dir: &Path) -> (f64, f64, u64) {
    let out = Command::new(std::env::current_exe().unwrap())
        .env(CHILD_DIR, dir)
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

fn main() {
    if let Ok(dir) = std::env::var(CHILD_DIR) {
        child(Path::new(&dir));
        return;
    }
    let n = records();
    let plain = tempfile::tempdir().unwrap();
    let osv = tempfile::tempdir().unwrap();
    generate(plain.path(), n, false);
    generate(osv.path(), n, true);
    let (base_mib, base_s, base_report) = measure(plain.path());
    let (mib, s, report) = measure(osv.path());
    println!("memory per evidence record, {n} files, uk-sscop pack, JSON report written:");
    println!(
        "  baseline, plain files: peak RSS {base_mib:.1} MiB, {base_s:.2} s, report {:.1} MB",
        base_report as f64 / 1e6
    );
    println!(
        "  OSV advisories:        peak RSS {mib:.1} MiB, {s:.2} s, report {:.1} MB",
        report as f64 / 1e6
    );
    println!(
        "  per record over the baseline: {:.0} bytes of peak memory, {:.0} bytes of report",
        (mib - base_mib) * 1024.0 * 1024.0 / n as f64,
        (report as f64 - base_report as f64) / n as f64
    );
    if n >= 100_000 {
        println!(
            "  target: under {TARGET_MIB} MiB at 100,000 records: {}",
            if mib < TARGET_MIB { "met" } else { "NOT met" }
        );
    }
}
