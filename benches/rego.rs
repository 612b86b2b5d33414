//! vouch against a general policy engine: the standard pack's release-integrity controls
//! (SIGNED-ARTIFACTS, CHECKSUMS, TLS-ONLY, taken verbatim from
//! `stdlib-policies/uk-sscop/uk_sscop.vouch`) evaluated by vouch, and the same controls in Rego
//! (`benches/data/core.rego`) evaluated by regorus over the same evidence: the bundle's evidence
//! graph as `vouch graph --format json` prints it, as the Rego input.
//!
//! Target (issue #20): vouch at least 10x faster at 10, 1,000 and 100,000 artifacts.
//!
//! Each size generates a bundle in a scratch directory: `n` artifacts under `dist/`, all listed
//! in `SHA256SUMS`, which is signed with an SSH key made by `ssh-keygen` for the run (trusted),
//! two https download URLs and the compliant example's testssl.sh scan of their host. Ingestion
//! and the JSON round trip are outside the timings on both sides: vouch is timed from the
//! ingested graph (building the evidence values, the signature coverage among them, evaluating
//! on one thread, assembling the report), regorus from the parsed input (evaluating
//! `data.vouch.core.deny`, every rule of the policy). Both must agree: the same findings, with
//! the same messages, on the bundle as made and on a copy with one artifact altered after it was
//! listed (checked at every size before timing).
//!
//! Then the whole example policy (`examples/policies/acme.vouch`: the pack's twenty controls and
//! ACME's own) against its Rego translation (`benches/data/acme.rego`) on the compliant example:
//! vouch from the ingested graph as above, regorus from the evidence values as its input
//! (`EvidenceValues::to_json`: vouch's verified, linked and merged records, so regorus is spared
//! building them). Both must give every control the same status (tests/rego_policy.rs checks
//! the findings on every example bundle).
//!
//! `cargo bench --bench rego` runs 10, 1,000 and 100,000 artifacts and prints a table of
//! medians and ratios at the end (criterion's ten samples up to 1,000 artifacts; three plain
//! timed runs of each side at 100,000, where one regorus evaluation takes minutes);
//! `VOUCH_BENCH_SIZES=10,1000` picks sizes. Under `cargo test --benches` it runs 10 and 200
//! artifacts once each.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benchmark code"
)]

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::Criterion;
use vouch_engine::graph::render;
use vouch_engine::{EvaluationOptions, IngestOptions, KeyStore, NoProgress, Sha256Digest};
use vouch_lang::{CheckedPolicy, NoImports, Source};

/// The allocator the `vouch` binary ships with, for both engines alike.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The controls compared: the pack's controls over artifacts, checksums and distribution.
const CONTROLS: [&str; 3] = ["SIGNED-ARTIFACTS", "CHECKSUMS", "TLS-ONLY"];

const AS_OF: &str = "2026-10-02T00:00:00Z";

/// From this many artifacts on, each side is timed in [`LARGE_RUNS`] plain runs, not by
/// criterion (whose ten samples of a 200 s regorus evaluation would take over half an hour).
const LARGE: usize = 50_000;

/// Timed runs of each side at [`LARGE`] artifacts or more; the median is reported.
const LARGE_RUNS: usize = 3;

fn full() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn sizes() -> Vec<usize> {
    if let Ok(list) = std::env::var("VOUCH_BENCH_SIZES") {
        return list
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect();
    }
    if full() {
        vec![10, 1_000, 100_000]
    } else {
        vec![10, 200]
    }
}

/// The pack's header and params, and the controls named in [`CONTROLS`], verbatim.
fn pack_controls() -> String {
    let pack = include_str!("../stdlib-policies/uk-sscop/uk_sscop.vouch");
    let first = pack.find("\ncontrol \"").unwrap();
    let head_end = pack[..first].rfind("\n\n").unwrap();
    let mut out = pack[..head_end].to_string();
    out.push('\n');
    for id in CONTROLS {
        let at = pack.find(&format!("\ncontrol \"{id}\" {{")).unwrap();
        // The doc comment above the control starts after the blank line before it.
        let start = pack[..at].rfind("\n\n").unwrap();
        let end = pack[at..].find("\n}\n").map(|e| at + e + 3).unwrap();
        out.push_str(&pack[start..end]);
    }
    out
}

fn policy() -> CheckedPolicy {
    let frameworks = vouch::policy_files::frameworks(&[]).unwrap();
    let checked = vouch_lang::check(
        Source::new("core.vouch", pack_controls()),
        &NoImports,
        &frameworks,
    );
    let policy = checked
        .policy
        .unwrap_or_else(|| panic!("{:?}", checked.diagnostics));
    assert_eq!(policy.controls.len(), CONTROLS.len());
    policy
}

/// A bundle of `n` artifacts in `dir`, with `SHA256SUMS` signed by `key` (an SSH private key).
fn generate(dir: &Path, key: &Path, n: usize) {
    std::fs::create_dir_all(dir.join("dist")).unwrap();
    std::fs::create_dir_all(dir.join("scans")).unwrap();
    let mut sums = String::with_capacity(n * 100);
    for i in 0..n {
        let rel = format!("dist/widget-{i:06}.tar.gz");
        let content = format!("artifact {i}\n");
        std::fs::write(dir.join(&rel), &content).unwrap();
        let _ = writeln!(
            sums,
            "{}  {rel}",
            Sha256Digest::of(content.as_bytes()).to_hex()
        );
    }
    std::fs::write(dir.join("SHA256SUMS"), sums).unwrap();
    let signed = Command::new("ssh-keygen")
        .args(["-q", "-Y", "sign", "-n", "file", "-f"])
        .arg(key)
        .arg(dir.join("SHA256SUMS"))
        .output()
        .unwrap();
    assert!(
        signed.status.success(),
        "{}",
        String::from_utf8_lossy(&signed.stderr)
    );
    std::fs::write(
        dir.join("release.toml"),
        "[release]\nproduct = \"widget\"\nversion = \"2.4.1\"\ndate = 2026-10-01T12:00:00Z\n\
         artifacts = [\"dist/*.tar.gz\"]\n\n\
         [[distribution]]\nurl = \"https://downloads.acme.example/widget/widget-000000.tar.gz\"\n\n\
         [[distribution]]\nurl = \"https://downloads.acme.example/widget/widget-000001.tar.gz\"\n",
    )
    .unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/bundles/compliant/scans/testssl-downloads.acme.example.json"),
        dir.join("scans/testssl.json"),
    )
    .unwrap();
}

/// vouch's findings of the compared controls, as (control, message).
fn vouch_findings(report: &vouch_engine::report::Report) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for control in &report.controls {
        assert_eq!(
            control.findings_omitted, 0,
            "{} left findings out",
            control.id
        );
        for f in &control.findings {
            out.insert((control.id.clone(), f.message.clone()));
        }
    }
    out
}

/// regorus's `deny` set, as (control, message).
fn rego_findings(value: &regorus::Value) -> BTreeSet<(String, String)> {
    let set = value.as_set().unwrap();
    set.iter()
        .map(|v| {
            let o = v.as_object().unwrap();
            let field = |k: &str| {
                o.get(&regorus::Value::from(k))
                    .and_then(|s| s.as_string().ok())
                    .map(|s| s.to_string())
                    .unwrap()
            };
            (field("control"), field("message"))
        })
        .collect()
}

struct Prepared {
    graph: vouch_engine::EvidenceGraph,
    engine: regorus::Engine,
    input_bytes: usize,
    parse: Duration,
}

/// Ingests `dir`, and loads its graph's JSON into a regorus engine holding the Rego policy.
fn prepare(dir: &Path, trust: &Arc<KeyStore>) -> Prepared {
    let options = IngestOptions {
        threads: None,
        trust: Arc::clone(trust),
        as_of: Some(AS_OF.parse().unwrap()),
    };
    let graph = vouch_engine::ingest(dir, &options, &NoProgress).unwrap();
    let json = render::json(&graph);
    let mut engine = regorus::Engine::new();
    engine
        .add_policy(
            "core.rego".into(),
            include_str!("data/core.rego").to_string(),
        )
        .unwrap();
    let start = Instant::now();
    let input = regorus::Value::from_json_str(&json).unwrap();
    let parse = start.elapsed();
    engine.set_input(input);
    Prepared {
        graph,
        engine,
        input_bytes: json.len(),
        parse,
    }
}

fn run_rego(engine: &mut regorus::Engine) -> regorus::Value {
    engine.eval_rule("data.vouch.core.deny".into()).unwrap()
}

fn evaluation_options() -> EvaluationOptions {
    let mut options = EvaluationOptions::at(AS_OF.parse().unwrap());
    options.threads = Some(1);
    options
}

/// Both engines agree on `dir`; returns how many findings they report.
fn agree(policy: &CheckedPolicy, prepared: &mut Prepared) -> usize {
    let report = vouch_engine::evaluate(policy, &prepared.graph, &evaluation_options());
    let ours = vouch_findings(&report);
    let theirs = rego_findings(&run_rego(&mut prepared.engine));
    assert_eq!(ours, theirs, "vouch and the Rego policy disagree");
    ours.len()
}

/// Runs `run` `iters` times; notes the time of one run in `samples` and returns the total.
fn timed(samples: &RefCell<Vec<f64>>, iters: u64, mut run: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        run();
    }
    let took = start.elapsed();
    samples.borrow_mut().push(took.as_secs_f64() / iters as f64);
    took
}

fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() {
    if Command::new("ssh-keygen").arg("-?").output().is_err() {
        println!("rego bench: skipped, ssh-keygen is not installed (it signs the bundle)");
        return;
    }
    let mut criterion = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    let policy = policy();
    let scratch = tempfile::tempdir().unwrap();
    let key = scratch.path().join("release");
    let made = Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "release@widget.example",
            "-f",
        ])
        .arg(&key)
        .output()
        .unwrap();
    assert!(made.status.success());
    let trust = Arc::new(KeyStore::load(&[key.with_extension("pub")]).unwrap());
    let options = evaluation_options();

    let mut table = Vec::new();
    for n in sizes() {
        let dir = scratch.path().join(format!("bundle-{n}"));
        generate(&dir, &key, n);
        // One artifact altered after it was listed and signed: both must report it the same.
        let altered = scratch.path().join(format!("altered-{n}"));
        generate(&altered, &key, n);
        std::fs::write(altered.join("dist/widget-000000.tar.gz"), "altered\n").unwrap();
        let mut bad = prepare(&altered, &trust);
        let bad_findings = agree(&policy, &mut bad);
        assert!(bad_findings >= 3, "the altered artifact is reported");
        drop(bad);
        let mut prepared = prepare(&dir, &trust);
        assert_eq!(agree(&policy, &mut prepared), 0, "the bundle passes");
        println!(
            "rego bench: {n} artifacts, {} graph nodes, {} bytes of Rego input (parsed by regorus in {:?}); altered copy: {bad_findings} findings on both sides",
            prepared.graph.node_count(),
            prepared.input_bytes,
            prepared.parse,
        );

        if n >= LARGE {
            // Criterion's ten samples would take regorus over half an hour here: three timed
            // runs of each, alternating, after the agreement runs above.
            let mut v = Vec::new();
            let mut r = Vec::new();
            for _ in 0..LARGE_RUNS {
                let start = Instant::now();
                std::hint::black_box(vouch_engine::evaluate(&policy, &prepared.graph, &options));
                v.push(start.elapsed().as_secs_f64());
                let start = Instant::now();
                std::hint::black_box(run_rego(&mut prepared.engine));
                r.push(start.elapsed().as_secs_f64());
            }
            println!(
                "rego bench: {n} artifacts, {LARGE_RUNS} runs each: vouch {v:.3?} s, regorus {r:.3?} s"
            );
            table.push((n, median(&mut v), median(&mut r)));
            continue;
        }
        let vouch_samples = RefCell::new(Vec::new());
        let rego_samples = RefCell::new(Vec::new());
        let mut group = criterion.benchmark_group(format!("rego/{n}"));
        group.bench_function("vouch", |b| {
            b.iter_custom(|iters| {
                timed(&vouch_samples, iters, || {
                    std::hint::black_box(vouch_engine::evaluate(
                        &policy,
                        &prepared.graph,
                        &options,
                    ));
                })
            })
        });
        group.bench_function("regorus", |b| {
            b.iter_custom(|iters| {
                timed(&rego_samples, iters, || {
                    std::hint::black_box(run_rego(&mut prepared.engine));
                })
            })
        });
        group.finish();
        let v = median(&mut vouch_samples.into_inner());
        let r = median(&mut rego_samples.into_inner());
        table.push((n, v, r));
    }
    println!(
        "\nrego bench: medians per evaluation (criterion's samples, warm-up included; {LARGE_RUNS} timed runs from {LARGE} artifacts on)"
    );
    println!("| artifacts | vouch | regorus | regorus / vouch |");
    println!("| ---: | ---: | ---: | ---: |");
    for (n, v, r) in table {
        println!(
            "| {n} | {:.3} ms | {:.3} ms | {:.1}x |",
            v * 1e3,
            r * 1e3,
            r / v
        );
    }
    whole_policy(&mut criterion);
    criterion.final_summary();
}

/// The compliant example's trusted keys, as its `compliant.test.toml` lists them.
const EXAMPLE_KEYS: [&str; 5] = [
    "TEST-ONLY-widget-release.pub.asc",
    "TEST-ONLY-widget-release.minisign.pub",
    "TEST-ONLY-widget-build.pub.pem",
    "TEST-ONLY-priya-shah.pub.asc",
    "TEST-ONLY-jo-bloggs.pub.asc",
];

/// The whole example policy and its Rego translation on the compliant example.
fn whole_policy(criterion: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let policy = vouch::evaluation::check_policy(
        &root.join("examples/policies/acme.vouch"),
        &[],
        &vouch_lang::LintLevels::default(),
        vouch::render::ErrorFormat::Human,
    )
    .unwrap();
    let keys: Vec<_> = EXAMPLE_KEYS
        .iter()
        .map(|k| root.join("examples/keys").join(k))
        .collect();
    let as_of: jiff::Timestamp = AS_OF.parse().unwrap();
    let ingest = IngestOptions {
        threads: None,
        trust: Arc::new(KeyStore::load(&keys).unwrap()),
        as_of: Some(as_of),
    };
    let graph = vouch_engine::ingest(
        &root.join("examples/bundles/compliant"),
        &ingest,
        &NoProgress,
    )
    .unwrap();
    let input = vouch_engine::evidence::EvidenceValues::build_at(&graph, Some(as_of))
        .to_json(as_of)
        .to_string();
    let mut engine = regorus::Engine::new();
    engine
        .add_policy(
            "acme.rego".into(),
            include_str!("data/acme.rego").to_string(),
        )
        .unwrap();
    engine.set_input(regorus::Value::from_json_str(&input).unwrap());
    let options = evaluation_options();
    let report = vouch_engine::evaluate(&policy, &graph, &options);
    let theirs = engine.eval_rule("data.vouch.acme.report".into()).unwrap();
    let status = theirs
        .as_object()
        .unwrap()
        .get(&regorus::Value::from("status"))
        .unwrap();
    for control in &report.controls {
        let theirs = status
            .as_object()
            .unwrap()
            .get(&regorus::Value::from(control.id.as_str()))
            .and_then(|s| s.as_string().ok())
            .map(|s| s.to_string());
        assert_eq!(
            theirs.as_deref(),
            Some(control.status.as_str()),
            "{}: vouch and acme.rego disagree",
            control.id
        );
    }
    assert_eq!(report.controls.len(), 21);
    let vouch_samples = RefCell::new(Vec::new());
    let rego_samples = RefCell::new(Vec::new());
    let mut group = criterion.benchmark_group("rego/acme-compliant");
    group.bench_function("vouch", |b| {
        b.iter_custom(|iters| {
            timed(&vouch_samples, iters, || {
                std::hint::black_box(vouch_engine::evaluate(&policy, &graph, &options));
            })
        })
    });
    group.bench_function("regorus", |b| {
        b.iter_custom(|iters| {
            timed(&rego_samples, iters, || {
                std::hint::black_box(engine.eval_rule("data.vouch.acme.report".into()).unwrap());
            })
        })
    });
    group.finish();
    let v = median(&mut vouch_samples.into_inner());
    let r = median(&mut rego_samples.into_inner());
    println!(
        "rego bench: the whole example policy (21 controls) on the compliant example, medians per evaluation: vouch {:.3} ms, regorus {:.3} ms, regorus / vouch {:.1}x",
        v * 1e3,
        r * 1e3,
        r / v
    );
}
