//! SBOM ingestion speed and memory. Target: a 50 MB CycloneDX SBOM with 100,000 components
//! ingests in under 1 s.
//!
//! `cargo bench -p vouch-engine --bench sbom` generates, in a temporary directory, a bundle
//! of a release, one artifact and a 50 MB CycloneDX 1.6 SBOM of 100,000 components (each
//! with a bom-ref, purl, SHA-256, licence, properties and a description, as generators write
//! them), and a baseline bundle where the SBOM is replaced by a file of the same size that is
//! not evidence (so it is only hashed). It measures, in the same run:
//! - ingesting the baseline bundle (hashing only);
//! - ingesting the SBOM bundle (hashing, parsing, linking);
//! - for comparison, parsing the same SBOM into a `serde_json::Value` (what vouch does not
//!   do);
//! - building the policy values (`release.sboms` with its 100,000 component records);
//! - peak resident memory (VmHWM) of a fresh process ingesting each bundle.
//!
//! Sizes: `VOUCH_BENCH_SBOM_COMPONENTS`, `VOUCH_BENCH_SBOM_BYTES`. Under `cargo test
//! --benches` (no `--bench` argument) it runs once on a small SBOM, so CI stays fast.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benchmark code"
)]

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::Criterion;
use vouch_engine::evidence::EvidenceValues;
use vouch_engine::formats::sbom::cyclonedx::CycloneDxFormat;
use vouch_engine::formats::{EvidenceFormat, ParseInput};
use vouch_engine::{IngestOptions, NoProgress, Sha256Digest};

struct Sizes {
    components: usize,
    bytes: usize,
    full: bool,
}

fn sizes() -> Sizes {
    let full = std::env::args().any(|a| a == "--bench");
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    if full {
        Sizes {
            components: env("VOUCH_BENCH_SBOM_COMPONENTS", 100_000),
            bytes: env("VOUCH_BENCH_SBOM_BYTES", 50_000_000),
            full,
        }
    } else {
        Sizes {
            components: env("VOUCH_BENCH_SBOM_COMPONENTS", 2_000),
            bytes: env("VOUCH_BENCH_SBOM_BYTES", 1_000_000),
            full,
        }
    }
}

const RELEASE: &str = "[release]\nproduct = \"app\"\nversion = \"1.0.0\"\ndate = 2026-01-01\n\
    artifacts = [\"dist/app-1.0.0.tar.gz\"]\n";

/// One component as generators write it, its description `pad` bytes long.
fn component(out: &mut String, i: usize, pad: usize) {
    let digest = Sha256Digest::of(i.to_string().as_bytes()).to_hex();
    let eco = ["npm", "pypi", "cargo", "maven", "golang"][i % 5];
    let _ = write!(
        out,
        "    {{\n      \"type\": \"library\",\n      \"bom-ref\": \"pkg:{eco}/pkg-{i:06}@1.{}.{}\",\n      \
         \"name\": \"pkg-{i:06}\",\n      \"version\": \"1.{}.{}\",\n      \
         \"purl\": \"pkg:{eco}/pkg-{i:06}@1.{}.{}\",\n      \
         \"hashes\": [{{\"alg\": \"SHA-256\", \"content\": \"{digest}\"}}],\n      \
         \"licenses\": [{{\"license\": {{\"id\": \"MIT\"}}}}],\n      \
         \"properties\": [{{\"name\": \"aquasecurity:trivy:PkgType\", \"value\": \"{eco}\"}}],\n      \
         \"description\": \"",
        i % 37,
        i % 11,
        i % 37,
        i % 11,
        i % 37,
        i % 11
    );
    for k in 0..pad {
        out.push(char::from(b'a' + (k % 26) as u8));
    }
    out.push_str("\"\n    }");
}

/// A CycloneDX 1.6 SBOM of `n` components, about `bytes` long (never shorter than the
/// components need).
fn sbom(n: usize, bytes: usize) -> String {
    let head = "{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.6\",\n  \
        \"serialNumber\": \"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79\",\n  \"version\": 1,\n  \
        \"metadata\": {\n    \"timestamp\": \"2026-01-01T00:00:00Z\",\n    \
        \"component\": {\"type\": \"application\", \"name\": \"app\", \"version\": \"1.0.0\"}\n  },\n  \
        \"components\": [\n";
    let mut probe = String::new();
    component(&mut probe, n / 2, 0);
    let bare = head.len() + n * (probe.len() + 2) + 8;
    let pad = bytes.saturating_sub(bare) / n.max(1);
    let mut out = String::with_capacity(bytes + 1024);
    out.push_str(head);
    for i in 0..n {
        if i > 0 {
            out.push_str(",\n");
        }
        component(&mut out, i, pad);
    }
    out.push_str("\n  ]\n}\n");
    out
}

/// xorshift64*: bytes that are not evidence of any kind.
fn noise(len: usize) -> Vec<u8> {
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut out = vec![0u8; len];
    for chunk in out.chunks_mut(8) {
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        let v = seed.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }
    out
}

fn bundle(dir: &Path, name: &str, content: &[u8]) {
    std::fs::create_dir_all(dir.join("dist")).unwrap();
    std::fs::write(dir.join("release.toml"), RELEASE).unwrap();
    std::fs::write(dir.join("dist/app-1.0.0.tar.gz"), b"app 1.0.0\n").unwrap();
    std::fs::write(dir.join(name), content).unwrap();
}

fn ingest(dir: &Path) -> (Duration, vouch_engine::EvidenceGraph) {
    let start = Instant::now();
    let graph =
        vouch_engine::ingest(dir, &IngestOptions::with_threads(Some(2)), &NoProgress).unwrap();
    (start.elapsed(), graph)
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

const RSS_CHILD_DIR: &str = "VOUCH_BENCH_SBOM_RSS_CHILD_DIR";

/// Runs this binary again to ingest `dir` alone and report its VmHWM.
fn child_peak_rss_kib(dir: &Path) -> Option<u64> {
    let out = Command::new(std::env::current_exe().ok()?)
        .env(RSS_CHILD_DIR, dir)
        .output()
        .ok()?;
    String::from_utf8(out.stdout).ok()?.trim().parse().ok()
}

fn benches(c: &mut Criterion) {
    let sizes = sizes();
    let text = sbom(sizes.components, sizes.bytes);
    let len = text.len();
    let with_sbom = tempfile::tempdir().unwrap();
    let baseline = tempfile::tempdir().unwrap();
    bundle(with_sbom.path(), "app-1.0.0.cdx.json", text.as_bytes());
    bundle(baseline.path(), "blob.bin", &noise(len));
    drop(text);

    // Check what is measured before measuring it.
    let (_, graph) = ingest(with_sbom.path());
    let (_, s) = graph.sboms().next().expect("the SBOM is read");
    assert_eq!(s.components.len(), sizes.components);
    assert_eq!(graph.artifacts().len(), 1);
    let (artifact, _) = graph.artifacts()[0];
    assert_eq!(graph.sboms_of(artifact).len(), 1, "{:#?}", graph.findings());
    assert!(graph.findings().is_empty(), "{:#?}", graph.findings());
    let (_, base_graph) = ingest(baseline.path());
    assert_eq!(base_graph.sboms().count(), 0);

    let mut group = c.benchmark_group("sbom");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(if sizes.full { 10 } else { 1 }));
    group.bench_function("baseline-hash-only", |b| {
        b.iter(|| ingest(baseline.path()).0)
    });
    group.bench_function("cyclonedx-ingest", |b| {
        b.iter(|| ingest(with_sbom.path()).0)
    });
    group.finish();

    // The summary: medians of alternating runs, so both sides see the same machine load.
    let rounds = if sizes.full { 7 } else { 1 };
    let bytes = std::fs::read(with_sbom.path().join("app-1.0.0.cdx.json")).unwrap();
    let (mut base, mut ours, mut value, mut values) = (vec![], vec![], vec![], vec![]);
    let (mut parse, mut floor) = (vec![], vec![]);
    for _ in 0..rounds {
        let start = Instant::now();
        let parsed = CycloneDxFormat.parse(&ParseInput {
            path: "app-1.0.0.cdx.json",
            bytes: &bytes,
        });
        parse.push(start.elapsed());
        std::hint::black_box(parsed);
        let start = Instant::now();
        serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).unwrap();
        floor.push(start.elapsed());
        base.push(ingest(baseline.path()).0);
        ours.push(ingest(with_sbom.path()).0);
        let start = Instant::now();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        value.push(start.elapsed());
        drop(v);
        let start = Instant::now();
        let built = EvidenceValues::build(&graph);
        values.push(start.elapsed());
        std::hint::black_box(built);
    }
    let peak_sbom = child_peak_rss_kib(with_sbom.path());
    let peak_base = child_peak_rss_kib(baseline.path());
    let (base, ours, value, values) = (median(base), median(ours), median(value), median(values));
    let (parse, floor) = (median(parse), median(floor));
    let mb = len as f64 / 1e6;
    println!();
    println!(
        "vouch SBOM summary ({mb:.1} MB CycloneDX JSON, {} components, 2 threads, page cache warm)",
        sizes.components
    );
    println!(
        "  baseline: same-size non-evidence file, hashed only  {:>8.3} s",
        base.as_secs_f64()
    );
    println!(
        "  CycloneDX SBOM ingested (hash, parse, link)         {:>8.3} s  {:>6.0} MB/s  (target < 1 s)",
        ours.as_secs_f64(),
        mb / ours.as_secs_f64()
    );
    println!(
        "  parsing on top of hashing                           {:>8.3} s",
        ours.saturating_sub(base).as_secs_f64()
    );
    println!(
        "    of which the CycloneDX reader alone (one thread)  {:>8.3} s",
        parse.as_secs_f64()
    );
    println!(
        "  for comparison: serde_json::Value of the same file  {:>8.3} s",
        value.as_secs_f64()
    );
    println!(
        "  for comparison: serde_json skipping it (IgnoredAny) {:>8.3} s",
        floor.as_secs_f64()
    );
    println!(
        "  policy values (release.sboms, components)           {:>8.3} s",
        values.as_secs_f64()
    );
    if let (Some(s), Some(b)) = (peak_sbom, peak_base) {
        println!(
            "  peak RSS, fresh process: SBOM bundle {:.1} MiB, baseline {:.1} MiB",
            s as f64 / 1024.0,
            b as f64 / 1024.0
        );
    }
}

fn main() {
    if let Ok(dir) = std::env::var(RSS_CHILD_DIR) {
        std::hint::black_box(ingest(Path::new(&dir)));
        println!("{}", peak_rss_kib().unwrap_or(0));
        return;
    }
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
}
