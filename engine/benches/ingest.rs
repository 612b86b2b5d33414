//! Ingestion speed and memory against the floor: `openssl dgst -sha256` over the same files.
//!
//! `cargo bench -p vouch-engine --bench ingest` generates a bundle of 2,000 files totalling
//! 1 GiB (page cache warm) and 100,000 small files, then measures, in the same run:
//! - `openssl dgst -sha256` over all files, one process per batch (one core);
//! - ingestion with a pool of 1 thread and of 2 threads;
//! - ingestion of the 100,000 small files;
//! - peak resident memory (VmHWM) of a fresh process ingesting each bundle.
//!
//! It prints a summary with the ratios against the targets (<= 1.1x openssl on one core,
//! <= 0.6x with two, < 64 MiB, 100,000 files < 2 s). Sizes: `VOUCH_BENCH_BYTES`,
//! `VOUCH_BENCH_FILES`, `VOUCH_BENCH_SMALL_FILES`. Under `cargo test --benches` (no
//! `--bench` argument) it runs once on a small bundle, so CI stays fast.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benchmark code"
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::Criterion;
use vouch_engine::{IngestOptions, NoProgress};

struct Sizes {
    bytes: u64,
    files: usize,
    small_files: usize,
    full: bool,
}

fn sizes() -> Sizes {
    let full = std::env::args().any(|a| a == "--bench");
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(default)
    };
    if full {
        Sizes {
            bytes: env("VOUCH_BENCH_BYTES", 1 << 30),
            files: env("VOUCH_BENCH_FILES", 2000) as usize,
            small_files: env("VOUCH_BENCH_SMALL_FILES", 100_000) as usize,
            full,
        }
    } else {
        Sizes {
            bytes: env("VOUCH_BENCH_BYTES", 4 << 20),
            files: env("VOUCH_BENCH_FILES", 50) as usize,
            small_files: env("VOUCH_BENCH_SMALL_FILES", 500) as usize,
            full,
        }
    }
}

/// xorshift64*: fast deterministic bytes that do not compress.
fn fill(seed: &mut u64, buf: &mut [u8]) {
    for chunk in buf.chunks_mut(8) {
        *seed ^= *seed >> 12;
        *seed ^= *seed << 25;
        *seed ^= *seed >> 27;
        let v = seed.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }
}

/// `files` files totalling `bytes`: sizes vary from 1/8 to ~2x the mean, plus a few
/// checksum files and a release manifest so classification and parsing are exercised.
fn generate_large(dir: &Path, bytes: u64, files: usize) -> Vec<PathBuf> {
    let mean = bytes / files as u64;
    let mut seed = 0x1234_5678_9abc_def1_u64;
    let mut sizes: Vec<u64> = (0..files as u64)
        .map(|i| mean / 8 + (mean * 15 / 8) * (i % 16) / 15)
        .collect();
    let total: u64 = sizes.iter().sum();
    // Scale so the total is exactly `bytes`.
    let mut scaled: Vec<u64> = sizes.iter().map(|s| s * bytes / total.max(1)).collect();
    let short = bytes - scaled.iter().sum::<u64>();
    scaled[0] += short;
    sizes = scaled;
    let mut buf = vec![0u8; 1 << 20];
    let mut paths = Vec::with_capacity(files);
    for (i, size) in sizes.iter().enumerate() {
        let rel = format!("dist/part-{:02}/artifact-{i:05}.bin", i % 20);
        let path = dir.join(&rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let mut left = *size;
        while left > 0 {
            let n = left.min(buf.len() as u64) as usize;
            fill(&mut seed, &mut buf[..n]);
            f.write_all(&buf[..n]).unwrap();
            left -= n as u64;
        }
        f.flush().unwrap();
        paths.push(path);
    }
    std::fs::write(
        dir.join("release.toml"),
        "[release]\nproduct = \"bench\"\nversion = \"1.0.0\"\ndate = 2026-01-01\n\
         artifacts = [\"dist/**/*.bin\"]\n",
    )
    .unwrap();
    paths
}

fn generate_small(dir: &Path, files: usize) {
    for i in 0..files {
        let sub = dir.join(format!("d{:03}", i % 500));
        if i < 500 {
            std::fs::create_dir_all(&sub).unwrap();
        }
        std::fs::write(
            sub.join(format!("f{i:06}.txt")),
            format!("small file {i}\n"),
        )
        .unwrap();
    }
}

/// `openssl dgst -sha256` over all paths, in batches of 256 arguments, one process at a time.
fn openssl(paths: &[PathBuf]) -> Duration {
    let start = Instant::now();
    for batch in paths.chunks(256) {
        let out = Command::new("openssl")
            .arg("dgst")
            .arg("-sha256")
            .args(batch)
            .output()
            .expect("openssl runs");
        assert!(out.status.success());
        std::hint::black_box(out.stdout);
    }
    start.elapsed()
}

fn ingest(dir: &Path, threads: usize) -> Duration {
    let start = Instant::now();
    let graph = vouch_engine::ingest(
        dir,
        &IngestOptions::with_threads(Some(threads)),
        &NoProgress,
    )
    .unwrap();
    let elapsed = start.elapsed();
    std::hint::black_box(graph.bundle_digest());
    elapsed
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn have_openssl() -> bool {
    Command::new("openssl").arg("version").output().is_ok()
}

fn benches(c: &mut Criterion) {
    let sizes = sizes();
    let large = tempfile::tempdir().unwrap();
    let small = tempfile::tempdir().unwrap();
    let paths = generate_large(large.path(), sizes.bytes, sizes.files);
    generate_small(small.path(), sizes.small_files);
    let openssl_ok = have_openssl();
    if openssl_ok {
        openssl(&paths); // warms the page cache
    } else {
        eprintln!("openssl is not installed: no baseline, ratios not computed");
        ingest(large.path(), 2);
    }

    let mut group = c.benchmark_group("ingest");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(if sizes.full { 8 } else { 1 }));
    if openssl_ok {
        group.bench_function("openssl-dgst-sha256", |b| b.iter(|| openssl(&paths)));
    }
    group.bench_function("large-1-thread", |b| b.iter(|| ingest(large.path(), 1)));
    group.bench_function("large-2-threads", |b| b.iter(|| ingest(large.path(), 2)));
    group.bench_function("small-files-2-threads", |b| {
        b.iter(|| ingest(small.path(), 2))
    });
    group.finish();

    // The summary: medians of 5 alternating runs, so both sides see the same machine load.
    let rounds = if sizes.full { 5 } else { 1 };
    let (mut base, mut one, mut two, mut many) = (vec![], vec![], vec![], vec![]);
    for _ in 0..rounds {
        if openssl_ok {
            base.push(openssl(&paths));
        }
        one.push(ingest(large.path(), 1));
        two.push(ingest(large.path(), 2));
        many.push(ingest(small.path(), 2));
    }
    // Peak memory in a fresh process (this one's heap holds earlier runs' allocations).
    let peak_large = child_peak_rss_kib(large.path(), 2);
    let peak_small = child_peak_rss_kib(small.path(), 2);
    let (one, two, many) = (median(one), median(two), median(many));
    let gib = sizes.bytes as f64 / (1u64 << 30) as f64;
    println!();
    println!(
        "vouch ingest summary ({gib:.3} GiB in {} files, page cache warm)",
        sizes.files
    );
    println!(
        "  vouch, 1 thread    {:>8.3} s  {:>6.2} GB/s",
        one.as_secs_f64(),
        sizes.bytes as f64 / one.as_secs_f64() / 1e9
    );
    println!(
        "  vouch, 2 threads   {:>8.3} s  {:>6.2} GB/s",
        two.as_secs_f64(),
        sizes.bytes as f64 / two.as_secs_f64() / 1e9
    );
    if openssl_ok {
        let base = median(base);
        println!(
            "  openssl dgst       {:>8.3} s  {:>6.2} GB/s",
            base.as_secs_f64(),
            sizes.bytes as f64 / base.as_secs_f64() / 1e9
        );
        println!(
            "  ratio 1 thread / openssl:  {:.3} (target <= 1.1)",
            one.as_secs_f64() / base.as_secs_f64()
        );
        println!(
            "  ratio 2 threads / openssl: {:.3} (target <= 0.6)",
            two.as_secs_f64() / base.as_secs_f64()
        );
    }
    println!(
        "  {} small files, 2 threads: {:.3} s (target < 2 s)",
        sizes.small_files,
        many.as_secs_f64()
    );
    match peak_large {
        Some(kib) => println!(
            "  peak RSS, 1 GiB bundle (fresh process): {:.1} MiB (target < 64 MiB)",
            kib as f64 / 1024.0
        ),
        None => println!("  peak RSS: not measurable here (no /proc/self/status)"),
    }
    if let Some(kib) = peak_small {
        println!(
            "  peak RSS, {} small files (fresh process): {:.1} MiB",
            sizes.small_files,
            kib as f64 / 1024.0
        );
    }
}

/// Runs this benchmark binary again to ingest `dir` alone and report its VmHWM.
fn child_peak_rss_kib(dir: &Path, threads: usize) -> Option<u64> {
    let out = Command::new(std::env::current_exe().ok()?)
        .env(RSS_CHILD_DIR, dir)
        .env(RSS_CHILD_THREADS, threads.to_string())
        .output()
        .ok()?;
    String::from_utf8(out.stdout).ok()?.trim().parse().ok()
}

const RSS_CHILD_DIR: &str = "VOUCH_BENCH_RSS_CHILD_DIR";
const RSS_CHILD_THREADS: &str = "VOUCH_BENCH_RSS_CHILD_THREADS";

/// The child side of [`child_peak_rss_kib`]: ingest, print VmHWM in KiB.
fn rss_child(dir: &str) {
    let threads = std::env::var(RSS_CHILD_THREADS)
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(2);
    ingest(Path::new(dir), threads);
    println!("{}", peak_rss_kib().unwrap_or(0));
}

fn main() {
    if let Ok(dir) = std::env::var(RSS_CHILD_DIR) {
        rss_child(&dir);
        return;
    }
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
}
