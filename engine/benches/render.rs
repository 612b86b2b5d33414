//! Report rendering time against the number of findings, in every format.
//!
//! `cargo bench -p vouch-engine --bench render` builds reports with 10,000 and 100,000
//! findings (100 controls, two evidence files per finding), renders each in every format
//! under criterion, then prints a summary: the median time per format and size, the time per
//! finding, and the 100k/10k ratio (about 10 when rendering is linear in findings; SARIF stops
//! at GitHub's 25,000 results, so its ratio is lower). Sizes: `VOUCH_BENCH_FINDINGS` (comma
//! separated). Under `cargo test --benches` (no `--bench` argument) it renders 1,000 findings
//! once, so CI stays fast.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benchmark code"
)]

#[path = "../tests/render_common/mod.rs"]
mod render_common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use vouch_engine::report::render::{Format, render};

fn sizes() -> (Vec<usize>, bool) {
    let full = std::env::args().any(|a| a == "--bench");
    let default = if full {
        vec![10_000, 100_000]
    } else {
        vec![1_000]
    };
    let sizes = std::env::var("VOUCH_BENCH_FINDINGS")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or(default);
    (sizes, full)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn benches(c: &mut Criterion) {
    let (sizes, full) = sizes();
    let reports: Vec<_> = sizes
        .iter()
        .map(|n| (*n, render_common::large(*n)))
        .collect();

    let mut group = c.benchmark_group("render");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(if full { 500 } else { 50 }));
    group.measurement_time(Duration::from_secs(if full { 3 } else { 1 }));
    for (n, report) in &reports {
        for f in Format::ALL {
            group.bench_function(format!("{}-{n}", f.name()), |b| {
                b.iter(|| render(black_box(report), *f))
            });
        }
    }
    group.finish();

    // The summary: medians of a few runs of each, with the output size.
    let rounds = if full { 5 } else { 1 };
    println!();
    println!("vouch render summary (median of {rounds} runs)");
    println!(
        "  {:<9} {:>9} {:>11} {:>12} {:>11}",
        "format", "findings", "time", "per finding", "output"
    );
    let mut times = Vec::new();
    for f in Format::ALL {
        for (n, report) in &reports {
            let mut runs = Vec::new();
            let mut bytes = 0;
            for _ in 0..rounds {
                let start = Instant::now();
                let text = render(report, *f);
                runs.push(start.elapsed());
                bytes = text.len();
            }
            let t = median(runs);
            println!(
                "  {:<9} {:>9} {:>9.1} ms {:>9.0} ns {:>8.1} MB",
                f.name(),
                n,
                t.as_secs_f64() * 1e3,
                t.as_nanos() as f64 / *n as f64,
                bytes as f64 / 1e6
            );
            times.push((*f, *n, t));
        }
    }
    if let (Some(small), Some(big)) = (sizes.first(), sizes.last())
        && big > small
    {
        println!(
            "  ratio {big}/{small} findings = {:.1}:",
            *big as f64 / *small as f64
        );
        for f in Format::ALL {
            let at = |n: usize| times.iter().find(|(g, m, _)| g == f && *m == n).unwrap().2;
            println!(
                "    {:<9} {:>6.2}",
                f.name(),
                at(*big).as_secs_f64() / at(*small).as_secs_f64()
            );
        }
    }
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
}
