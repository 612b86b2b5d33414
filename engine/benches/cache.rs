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
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use criterion::{BatchSize, Criterion};
use vouch_engine::ingest::cache::{CacheOptions, CacheStats, RACY_MARGIN};
use vouch_engine::ingest::ingest_cached;
use vouch_engine::report::Report;
use vouch_engine::{EvaluationOptions, IngestOptions, NoProgress, Sha256Digest};
use vouch_lang::{CheckedPolicy, Frameworks, NoImports, Source};

#[path = "support/osv_bundle.rs"]
mod osv_bundle;

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

/// `n` OSV advisories (as the memory benchmark writes them) and a release manifest.
fn generate_advisories(dir: &Path, n: usize) {
    osv_bundle::write_advisories(dir, n, true);
    std::fs::write(
        dir.join("release.toml"),
        "[release]\nproduct = \"widget\"\nversion = \"2.4.1\"\ndate = 2026-09-01\n",
    )
    .unwrap();
}

/// A policy of the uk-sscop framework with one control, `control` (its text).
fn policy(control: &str) -> CheckedPolicy {
    let mut frameworks = Frameworks::new();
    let uk_sscop = include_str!("../../stdlib-policies/frameworks/uk-sscop.toml");
    let source = Source::new("uk-sscop.toml", uk_sscop);
    frameworks.insert(vouch_lang::Framework::from_toml(&source).unwrap());
    let text = format!(
        "policy \"bench\" {{\n  title = \"Benchmark\"\n  framework = \"uk-sscop\"\n}}\n\n{control}"
    );
    let checked = vouch_lang::check(Source::new("bench.vouch", text), &NoImports, &frameworks);
    checked
        .policy
        .unwrap_or_else(|| panic!("{:?}", checked.diagnostics))
}

/// Every artifact has a matching checksum.
const CHECKSUMS: &str = "control \"CHECKSUMS\" {\n  title = \"Checksums\"\n  provision = [\"3.1\"]\n  \
    severity = high\n  for a in release.artifacts {\n    expect len(a.checksums) > 0 else \
    \"{a.path} has no checksum\"\n    for c in a.checksums {\n      expect c.status == \"match\" \
    else \"{c.path}:{c.line} is {c.status}\"\n    }\n  }\n}\n";

/// Every vulnerability the advisories state is fixed in this release.
const FIXED: &str = "control \"FIXED\" {\n  title = \"Fixed\"\n  provision = [\"3.1\"]\n  \
    severity = high\n  for v in vulnerabilities {\n    expect v.status != affected else \
    \"{v.id} affects the release\"\n  }\n}\n";

fn cache_options(dir: &Path) -> CacheOptions {
    CacheOptions {
        dir: dir.to_owned(),
        now: SystemTime::now(),
        tool: "bench".to_owned(),
    }
}

/// A generated bundle, its policy, and the three ways of evaluating it.
struct Setup {
    tmp: tempfile::TempDir,
    bundle: PathBuf,
    policy: CheckedPolicy,
    /// Why every report passes (the assertion's message).
    passes: &'static str,
}

impl Setup {
    /// A bundle written by `generate` into a new temporary directory, old enough (past the
    /// racy margin) for the cache to store its files.
    fn new(generate: impl FnOnce(&Path), control: &str, passes: &'static str) -> Setup {
        let tmp = tempfile::tempdir().unwrap();
        let bundle = tmp.path().join("bundle");
        generate(&bundle);
        std::thread::sleep(RACY_MARGIN + Duration::from_millis(200));
        Setup {
            tmp,
            bundle,
            policy: policy(control),
            passes,
        }
    }

    fn report(&self, graph: &vouch_engine::EvidenceGraph) -> Report {
        let options = EvaluationOptions::at("2026-10-01T00:00:00Z".parse().unwrap());
        let report = vouch_engine::evaluate(&self.policy, graph, &options);
        assert_eq!(report.summary.fail, 0, "{}", self.passes);
        report
    }

    /// Without a cache (today's `vouch evaluate`).
    fn cold(&self) -> Report {
        let graph =
            vouch_engine::ingest(&self.bundle, &IngestOptions::default(), &NoProgress).unwrap();
        self.report(&graph)
    }

    /// With the cache in `dir`.
    fn cached(&self, dir: &Path) -> (Report, CacheStats) {
        let (graph, stats) = ingest_cached(
            &self.bundle,
            &IngestOptions::default(),
            &cache_options(dir),
            &NoProgress,
        )
        .unwrap();
        assert!(stats.warnings.is_empty(), "{stats:?}");
        (self.report(&graph), stats)
    }

    /// Checks the cached runs' reports (`first` filled `warm_dir`, `second` read it) against
    /// the cold one, prints the warm/cold ratio (means of `rounds` runs of each) after
    /// `label`, and measures the three ways in criterion's group `group`.
    fn measure(&self, c: &mut Criterion, m: Measure<'_>, first: &Report, second: &Report) {
        let json = |r: &Report| {
            vouch_engine::report::render::render(r, vouch_engine::report::render::Format::Json)
        };
        let baseline = self.cold();
        assert_eq!(json(first), json(&baseline));
        assert_eq!(json(second), json(&baseline));

        let time = |f: &dyn Fn()| {
            let start = Instant::now();
            for _ in 0..m.rounds {
                f();
            }
            start.elapsed() / m.rounds
        };
        let cold_time = time(&|| {
            self.cold();
        });
        let warm_time = time(&|| {
            self.cached(m.warm_dir);
        });
        println!(
            "cache bench: {}: cold {cold_time:?}, warm cache {warm_time:?} ({:.2}x of cold)",
            m.label,
            warm_time.as_secs_f64() / cold_time.as_secs_f64()
        );

        let mut group = c.benchmark_group(m.group);
        group.sample_size(10);
        group.warm_up_time(Duration::from_secs(1));
        group.measurement_time(m.time);
        group.bench_function("cold", |b| b.iter(|| self.cold()));
        let mut serial = 0u64;
        group.bench_function("cold-cache", |b| {
            b.iter_batched(
                || {
                    serial += 1;
                    self.tmp.path().join(format!("empty-{serial}"))
                },
                |dir| self.cached(&dir),
                BatchSize::PerIteration,
            )
        });
        group.bench_function("warm-cache", |b| b.iter(|| self.cached(m.warm_dir)));
        group.finish();
    }
}

/// How [`Setup::measure`] measures.
struct Measure<'a> {
    group: &'static str,
    label: String,
    warm_dir: &'a Path,
    rounds: u32,
    time: Duration,
}

/// Artifacts listed in `SHA256SUMS`: the warm cache reuses their digests.
fn digest_benches(c: &mut Criterion) {
    let full = std::env::args().any(|a| a == "--bench");
    let n = env("VOUCH_BENCH_ARTIFACTS", if full { 2_000 } else { 200 });
    let bytes = env(
        "VOUCH_BENCH_ARTIFACT_BYTES",
        if full { 32 << 10 } else { 4 << 10 },
    );
    let setup = Setup::new(
        |dir| generate(dir, n, bytes),
        CHECKSUMS,
        "the generated bundle passes",
    );
    let warm_dir = setup.tmp.path().join("warm");
    let (first, stats) = setup.cached(&warm_dir);
    assert_eq!(stats.hits, 0);
    let (second, stats) = setup.cached(&warm_dir);
    assert_eq!(
        stats.hits, n as u64,
        "the warm run reused every artifact's digest"
    );
    let measure = Measure {
        group: "cache",
        label: format!("{n} artifacts of {bytes} bytes"),
        warm_dir: &warm_dir,
        rounds: if full { 5 } else { 1 },
        time: Duration::from_secs(5),
    };
    setup.measure(c, measure, &first, &second);
}

/// The evidence-heavy bundle: OSV advisories, whose parse the warm cache reuses.
fn evidence_benches(c: &mut Criterion) {
    let full = std::env::args().any(|a| a == "--bench");
    let n = env("VOUCH_BENCH_ADVISORIES", if full { 10_000 } else { 100 });
    let setup = Setup::new(
        |dir| generate_advisories(dir, n),
        FIXED,
        "every advisory is fixed in 2.4.1",
    );
    let warm_dir = setup.tmp.path().join("warm");
    let (first, stats) = setup.cached(&warm_dir);
    assert_eq!(stats.evidence_hits, 0);
    assert_eq!(stats.evidence_stored, n as u64, "{stats:?}");
    let (second, stats) = setup.cached(&warm_dir);
    assert_eq!(
        stats.evidence_hits, n as u64,
        "the warm run reused every advisory's parse: {stats:?}"
    );
    // The release manifest is read and parsed every time.
    assert_eq!(stats.misses, 1, "{stats:?}");
    let measure = Measure {
        group: "cache-evidence",
        label: format!("{n} OSV advisories"),
        warm_dir: &warm_dir,
        rounds: if full { 3 } else { 1 },
        time: Duration::from_secs(10),
    };
    setup.measure(c, measure, &first, &second);
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    digest_benches(&mut criterion);
    evidence_benches(&mut criterion);
    criterion.final_summary();
}
