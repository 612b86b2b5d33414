//! The re-evaluation cache: ingesting and evaluating an unchanged bundle of many files with a
//! warm cache (`--cache-dir`), against the same without a cache (the baseline), in one run.
//!
//! `cargo bench -p vouch-engine --bench cache` generates 2,000 artifacts of 32 KiB (64 MiB,
//! page cache warm), each listed in `SHA256SUMS`, with a release manifest, then measures:
//! - `cold`: ingestion without a cache and evaluation (today's `vouch evaluate`);
//! - `cold-cache`: the same with an empty cache directory (what filling the cache costs);
//! - `warm-cache`: the same with the cache filled (the second `vouch evaluate`);
//!
//! and prints the warm/cold ratio. Every run checks that the warm run reused every artifact's
//! digest and that the reports are the same. `VOUCH_BENCH_ARTIFACTS` and
//! `VOUCH_BENCH_ARTIFACT_BYTES` set the sizes.
//!
//! The `cache-evidence` group does the same over an evidence-heavy bundle: 10,000 OSV
//! advisories (`VOUCH_BENCH_ADVISORIES`), each a small JSON file as `osv-scanner` or an
//! advisory database export writes them, and a policy over their vulnerabilities: `cold`,
//! `cold-cache` and `warm-cache` (every advisory's parse reused, checked), with the warm/cold
//! ratio printed. Under `cargo test --benches` both run once on small bundles.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benchmark code"
)]

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use criterion::{BatchSize, Criterion};
use vouch_engine::ingest::cache::{CacheOptions, RACY_MARGIN};
use vouch_engine::ingest::ingest_cached;
use vouch_engine::{EvaluationOptions, IngestOptions, NoProgress, Sha256Digest};
use vouch_lang::{CheckedPolicy, Frameworks, NoImports, Source};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `n` artifacts of `bytes` bytes under `dist/`, all in `SHA256SUMS`, and a release manifest.
fn generate(dir: &Path, n: usize, bytes: usize) {
    let mut sums = String::with_capacity(n * 100);
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut content = vec![0u8; bytes];
    for i in 0..n {
        let rel = format!("dist/part-{:02}/widget-{i:05}.tar.gz", i % 20);
        let path = dir.join(&rel);
        if i < 20 {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        }
        for chunk in content.chunks_mut(8) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let v = seed.to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        std::fs::write(&path, &content).unwrap();
        let _ = writeln!(sums, "{}  {rel}", Sha256Digest::of(&content).to_hex());
    }
    std::fs::write(dir.join("SHA256SUMS"), sums).unwrap();
    std::fs::write(
        dir.join("release.toml"),
        "[release]\nproduct = \"widget\"\nversion = \"1.0.0\"\ndate = 2026-09-01\n\
         artifacts = [\"dist/**/*.tar.gz\"]\n",
    )
    .unwrap();
}

/// One control: every artifact has a matching checksum.
fn policy() -> CheckedPolicy {
    let mut frameworks = Frameworks::new();
    let uk_sscop = include_str!("../../stdlib-policies/frameworks/uk-sscop.toml");
    let source = Source::new("uk-sscop.toml", uk_sscop);
    frameworks.insert(vouch_lang::Framework::from_toml(&source).unwrap());
    let text = "policy \"bench\" {\n  title = \"Benchmark\"\n  framework = \"uk-sscop\"\n}\n\n\
        control \"CHECKSUMS\" {\n  title = \"Checksums\"\n  provision = [\"3.1\"]\n  severity = high\n  \
        for a in release.artifacts {\n    expect len(a.checksums) > 0 else \"{a.path} has no checksum\"\n    \
        for c in a.checksums {\n      expect c.status == \"match\" else \"{c.path}:{c.line} is {c.status}\"\n    }\n  }\n}\n";
    let checked = vouch_lang::check(Source::new("bench.vouch", text), &NoImports, &frameworks);
    checked
        .policy
        .unwrap_or_else(|| panic!("{:?}", checked.diagnostics))
}

/// `n` OSV advisories under `osv/NNN/` (1,000 a directory), as `/work/notes/gen.py` writes
/// them, and a release manifest.
fn generate_advisories(dir: &Path, n: usize) {
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
        std::fs::write(sub.join(format!("GHSA-{i:06}.json")), text).unwrap();
    }
    std::fs::write(
        dir.join("release.toml"),
        "[release]\nproduct = \"widget\"\nversion = \"2.4.1\"\ndate = 2026-09-01\n",
    )
    .unwrap();
}

/// One control over the advisories' vulnerabilities: each is fixed in this release.
fn vulnerability_policy() -> CheckedPolicy {
    let mut frameworks = Frameworks::new();
    let uk_sscop = include_str!("../../stdlib-policies/frameworks/uk-sscop.toml");
    let source = Source::new("uk-sscop.toml", uk_sscop);
    frameworks.insert(vouch_lang::Framework::from_toml(&source).unwrap());
    let text = "policy \"bench\" {\n  title = \"Benchmark\"\n  framework = \"uk-sscop\"\n}\n\n\
        control \"FIXED\" {\n  title = \"Fixed\"\n  provision = [\"3.1\"]\n  severity = high\n  \
        for v in vulnerabilities {\n    expect v.status != affected else \"{v.id} affects the release\"\n  }\n}\n";
    let checked = vouch_lang::check(Source::new("bench.vouch", text), &NoImports, &frameworks);
    checked
        .policy
        .unwrap_or_else(|| panic!("{:?}", checked.diagnostics))
}

fn cache_options(dir: &Path) -> CacheOptions {
    CacheOptions {
        dir: dir.to_owned(),
        now: SystemTime::now(),
        tool: "bench".to_owned(),
    }
}

fn benches(c: &mut Criterion) {
    let full = std::env::args().any(|a| a == "--bench");
    let n = env("VOUCH_BENCH_ARTIFACTS", if full { 2_000 } else { 200 });
    let bytes = env(
        "VOUCH_BENCH_ARTIFACT_BYTES",
        if full { 32 << 10 } else { 4 << 10 },
    );
    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("bundle");
    generate(&bundle, n, bytes);
    // Files changed within the racy margin of a run are not stored.
    std::thread::sleep(RACY_MARGIN + Duration::from_millis(200));
    let policy = policy();
    let options = EvaluationOptions::at("2026-10-01T00:00:00Z".parse().unwrap());
    let ingest_options = IngestOptions::default();
    let report = |graph: &vouch_engine::EvidenceGraph| {
        let report = vouch_engine::evaluate(&policy, graph, &options);
        assert_eq!(report.summary.fail, 0, "the generated bundle passes");
        report
    };
    let cold = || {
        let graph = vouch_engine::ingest(&bundle, &ingest_options, &NoProgress).unwrap();
        report(&graph)
    };
    let cached = |dir: &Path| {
        let (graph, stats) =
            ingest_cached(&bundle, &ingest_options, &cache_options(dir), &NoProgress).unwrap();
        assert!(stats.warnings.is_empty(), "{stats:?}");
        (report(&graph), stats)
    };
    let warm_dir = tmp.path().join("warm");
    let (first, stats) = cached(&warm_dir);
    assert_eq!(stats.hits, 0);
    let (second, stats) = cached(&warm_dir);
    assert_eq!(
        stats.hits, n as u64,
        "the warm run reused every artifact's digest"
    );
    let baseline = cold();
    let json = |r: &vouch_engine::report::Report| {
        vouch_engine::report::render::render(r, vouch_engine::report::render::Format::Json)
    };
    assert_eq!(json(&first), json(&baseline));
    assert_eq!(json(&second), json(&baseline));

    // The summary: the mean of a few runs of each, in this one sitting.
    let rounds = if full { 5 } else { 1 };
    let time = |f: &dyn Fn()| {
        let start = Instant::now();
        for _ in 0..rounds {
            f();
        }
        start.elapsed() / rounds
    };
    let cold_time = time(&|| {
        cold();
    });
    let warm_time = time(&|| {
        cached(&warm_dir);
    });
    println!(
        "cache bench: {n} artifacts of {bytes} bytes: cold {cold_time:?}, warm cache \
         {warm_time:?} ({:.2}x of cold)",
        warm_time.as_secs_f64() / cold_time.as_secs_f64()
    );

    let mut group = c.benchmark_group("cache");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("cold", |b| b.iter(cold));
    let mut serial = 0u64;
    group.bench_function("cold-cache", |b| {
        b.iter_batched(
            || {
                serial += 1;
                tmp.path().join(format!("empty-{serial}"))
            },
            |dir| cached(&dir),
            BatchSize::PerIteration,
        )
    });
    group.bench_function("warm-cache", |b| b.iter(|| cached(&warm_dir)));
    group.finish();
}

/// The evidence-heavy bundle: OSV advisories, whose parse the warm cache reuses.
fn evidence_benches(c: &mut Criterion) {
    let full = std::env::args().any(|a| a == "--bench");
    let n = env("VOUCH_BENCH_ADVISORIES", if full { 10_000 } else { 100 });
    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("bundle");
    generate_advisories(&bundle, n);
    std::thread::sleep(RACY_MARGIN + Duration::from_millis(200));
    let policy = vulnerability_policy();
    let options = EvaluationOptions::at("2026-10-01T00:00:00Z".parse().unwrap());
    let ingest_options = IngestOptions::default();
    let report = |graph: &vouch_engine::EvidenceGraph| {
        let report = vouch_engine::evaluate(&policy, graph, &options);
        assert_eq!(report.summary.fail, 0, "every advisory is fixed in 2.4.1");
        report
    };
    let cold = || {
        let graph = vouch_engine::ingest(&bundle, &ingest_options, &NoProgress).unwrap();
        report(&graph)
    };
    let cached = |dir: &Path| {
        let (graph, stats) =
            ingest_cached(&bundle, &ingest_options, &cache_options(dir), &NoProgress).unwrap();
        assert!(stats.warnings.is_empty(), "{stats:?}");
        (report(&graph), stats)
    };
    let warm_dir = tmp.path().join("warm");
    let (first, stats) = cached(&warm_dir);
    assert_eq!(stats.evidence_hits, 0);
    assert_eq!(stats.evidence_stored, n as u64, "{stats:?}");
    let (second, stats) = cached(&warm_dir);
    assert_eq!(
        stats.evidence_hits, n as u64,
        "the warm run reused every advisory's parse: {stats:?}"
    );
    // The release manifest is read and parsed every time.
    assert_eq!(stats.misses, 1, "{stats:?}");
    let baseline = cold();
    let json = |r: &vouch_engine::report::Report| {
        vouch_engine::report::render::render(r, vouch_engine::report::render::Format::Json)
    };
    assert_eq!(json(&first), json(&baseline));
    assert_eq!(json(&second), json(&baseline));

    let rounds = if full { 3 } else { 1 };
    let time = |f: &dyn Fn()| {
        let start = Instant::now();
        for _ in 0..rounds {
            f();
        }
        start.elapsed() / rounds
    };
    let cold_time = time(&|| {
        cold();
    });
    let warm_time = time(&|| {
        cached(&warm_dir);
    });
    println!(
        "cache bench: {n} OSV advisories: cold {cold_time:?}, warm cache {warm_time:?} \
         ({:.2}x of cold)",
        warm_time.as_secs_f64() / cold_time.as_secs_f64()
    );

    let mut group = c.benchmark_group("cache-evidence");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("cold", |b| b.iter(cold));
    let mut serial = 0u64;
    group.bench_function("cold-cache", |b| {
        b.iter_batched(
            || {
                serial += 1;
                tmp.path().join(format!("empty-{serial}"))
            },
            |dir| cached(&dir),
            BatchSize::PerIteration,
        )
    });
    group.bench_function("warm-cache", |b| b.iter(|| cached(&warm_dir)));
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    evidence_benches(&mut criterion);
    criterion.final_summary();
}
