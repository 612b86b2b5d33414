//! Speed of the evaluation ledger (issue "Evaluation history"): recording 1,000 evaluations,
//! and `vouch backtest` of 1,000 stored evaluations.
//!
//! Baselines in the same run: `evaluate_once` is one evaluation of the compliant example
//! bundle with the acme policy (what every `vouch evaluate --record` pays anyway), and
//! `backtest_one` is a backtest of a one-entry ledger (one snapshot written out, ingested and
//! evaluated). `record_1000` records 1,000 evaluations of that bundle into a fresh ledger,
//! each a transaction of its own with the bundle's files read again and hashed, as `vouch
//! evaluate --record` does. `backtest_1000_distinct` re-evaluates 1,000 entries with 1,000
//! distinct `as_of` (no evaluation shared: the worst case); `backtest_1000_shared` 1,000
//! entries recorded at 10 instants, so 20 distinct (snapshot, `as_of`) evaluations.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use vouch::backtest::{Inputs, backtest};
use vouch::evaluation::{check_policy, load_trust, name_sources_from_root};
use vouch::render::ErrorFormat;
use vouch_engine::eval::Budget;
use vouch_engine::eval::value::Timestamp;
use vouch_engine::report::Report;
use vouch_engine::{EvaluationOptions, IngestOptions, KeyStore, NoProgress};
use vouch_lang::CheckedPolicy;
use vouch_ledger::HistoryQuery;

const TRUST: [&str; 5] = [
    "examples/keys/TEST-ONLY-widget-release.pub.asc",
    "examples/keys/TEST-ONLY-widget-release.minisign.pub",
    "examples/keys/TEST-ONLY-widget-build.pub.pem",
    "examples/keys/TEST-ONLY-priya-shah.pub.asc",
    "examples/keys/TEST-ONLY-jo-bloggs.pub.asc",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Setup {
    policy: CheckedPolicy,
    trust: Arc<KeyStore>,
}

impl Setup {
    fn new() -> Setup {
        let paths: Vec<PathBuf> = TRUST.iter().map(|t| root().join(t)).collect();
        let trust = load_trust(&paths, ErrorFormat::Human).unwrap();
        let mut policy = check_policy(
            &root().join("examples/policies/acme.vouch"),
            &[],
            &vouch_lang::LintLevels::default(),
            ErrorFormat::Human,
        )
        .unwrap();
        name_sources_from_root(&mut policy);
        Setup {
            policy,
            trust: Arc::new(trust),
        }
    }

    /// The report of `bundle` as of `as_of`, as `vouch evaluate` makes it.
    fn report(&self, bundle: &Path, as_of: Timestamp) -> Report {
        let ingest = IngestOptions {
            threads: None,
            trust: Arc::clone(&self.trust),
            as_of: Some(as_of),
        };
        let graph = vouch_engine::ingest(bundle, &ingest, &NoProgress).unwrap();
        let mut options = EvaluationOptions::at(as_of);
        options.trust = self.trust.describe();
        vouch_engine::evaluate(&self.policy, &graph, &options)
    }

    fn inputs(&self) -> Inputs {
        let paths: Vec<PathBuf> = TRUST.iter().map(|t| root().join(t)).collect();
        Inputs {
            policy: self.policy.clone(),
            trust: Arc::new(load_trust(&paths, ErrorFormat::Human).unwrap()),
            waivers: Vec::new(),
            budget: Budget::default(),
            framework_sha256: None,
            now: Timestamp::now(),
            authority: Arc::new(vouch_engine::authority::EveryTrustedKey),
        }
    }
}

fn bundle(name: &str) -> PathBuf {
    root().join("examples/bundles").join(name)
}

fn instant(hours_before: i64) -> Timestamp {
    let base: Timestamp = "2026-10-02T00:00:00Z".parse().unwrap();
    base.checked_sub(jiff::SignedDuration::from_hours(hours_before))
        .unwrap()
}

/// A ledger of `n` entries alternating the compliant and failing bundles, each bundle at
/// `instants` distinct instants (entry i at instant i % (2 * instants)).
fn ledger(setup: &Setup, dir: &Path, label: &str, n: usize, instants: usize) -> PathBuf {
    // Named, not numbered: with 20 entries (`cargo test`), `distinct` and `shared` have the
    // same size and number of instants.
    let path = dir.join(format!("ledger-{label}.db"));
    let mut reports = std::collections::BTreeMap::new();
    for i in 0..n {
        let name = if i % 2 == 0 { "compliant" } else { "failing" };
        let at = (i % (2 * instants)) as i64;
        let report = reports
            .entry((name, at))
            .or_insert_with(|| setup.report(&bundle(name), instant(at)));
        vouch::record::record(&path, report, &bundle(name), i % 2 == 0, Timestamp::now()).unwrap();
    }
    path
}

/// Whether `cargo bench` runs this (criterion gets `--bench`); `cargo test --benches` runs
/// each benchmark once on a debug build, where 1,000 entries would take minutes: 20 there.
fn entries() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        1000
    } else {
        20
    }
}

fn benches(c: &mut Criterion) {
    let n = entries();
    let setup = Setup::new();
    let dir = tempfile::tempdir().unwrap();
    let compliant = bundle("compliant");
    let report = setup.report(&compliant, instant(0));

    let mut group = c.benchmark_group("record");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    let graph = vouch_engine::ingest(
        &compliant,
        &IngestOptions {
            threads: None,
            trust: Arc::clone(&setup.trust),
            as_of: Some(instant(0)),
        },
        &NoProgress,
    )
    .unwrap();
    let mut options = EvaluationOptions::at(instant(0));
    options.trust = setup.trust.describe();
    group.bench_function("evaluate_once", |b| {
        b.iter(|| black_box(vouch_engine::evaluate(&setup.policy, &graph, &options)))
    });
    let mut round = 0;
    group.bench_function("record_1000", |b| {
        b.iter(|| {
            round += 1;
            let path = dir.path().join(format!("record-{round}.db"));
            for _ in 0..n {
                black_box(
                    vouch::record::record(&path, &report, &compliant, true, Timestamp::now())
                        .unwrap(),
                );
            }
        })
    });
    group.finish();

    let one = ledger(&setup, dir.path(), "one", 1, 1);
    let distinct = ledger(&setup, dir.path(), "distinct", n, n / 2);
    let shared = ledger(&setup, dir.path(), "shared", n, 10);
    let inputs = setup.inputs();
    let all = HistoryQuery::default();
    let mut group = c.benchmark_group("backtest");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    group.bench_function("backtest_one", |b| {
        b.iter(|| {
            let out = backtest(&one, &inputs, &all).unwrap();
            assert_eq!(out.changed + out.not_comparable, 0);
            black_box(out)
        })
    });
    group.bench_function("backtest_1000_distinct", |b| {
        b.iter(|| {
            let out = backtest(&distinct, &inputs, &all).unwrap();
            assert_eq!((out.entries, out.evaluations), (n, n));
            assert_eq!(out.changed + out.not_comparable, 0);
            black_box(out)
        })
    });
    group.bench_function("backtest_1000_shared", |b| {
        b.iter(|| {
            let out = backtest(&shared, &inputs, &all).unwrap();
            assert_eq!((out.entries, out.evaluations), (n, 20));
            assert_eq!(out.changed + out.not_comparable, 0);
            black_box(out)
        })
    });
    group.finish();
}

criterion_group!(ledger_benches, benches);
criterion_main!(ledger_benches);
