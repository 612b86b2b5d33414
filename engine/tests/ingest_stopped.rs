//! `Progress::proceed`: a caller that no longer needs the graph stops the ingestion after the
//! walk, before any file is read; one that lets it proceed gets the graph it always got.

#![allow(clippy::unwrap_used)]

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use vouch_engine::graph::render;
use vouch_engine::ingest::IngestError;
use vouch_engine::{IngestOptions, NoProgress, Progress, ingest};

/// Answers `proceed` with `answer`, and records what it was asked and told.
struct Recorder {
    answer: bool,
    asked: Mutex<Vec<(u64, u64)>>,
    started: AtomicU64,
    advanced: AtomicU64,
}

impl Recorder {
    fn new(answer: bool) -> Self {
        Recorder {
            answer,
            asked: Mutex::new(Vec::new()),
            started: AtomicU64::new(0),
            advanced: AtomicU64::new(0),
        }
    }
}

impl Progress for Recorder {
    fn proceed(&self, files: u64, bytes: u64) -> bool {
        self.asked.lock().unwrap().push((files, bytes));
        self.answer
    }

    fn start(&self, _files: u64, _bytes: u64) {
        self.started.fetch_add(1, Ordering::SeqCst);
    }

    fn advance(&self, bytes: u64) {
        self.advanced.fetch_add(bytes, Ordering::SeqCst);
    }
}

/// A bundle of two files (12 and 5 bytes).
fn bundle() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("dist")).unwrap();
    std::fs::write(tmp.path().join("dist/a.tar.gz"), "hello world\n").unwrap();
    std::fs::write(tmp.path().join("notes"), "note\n").unwrap();
    tmp
}

#[test]
fn a_caller_that_does_not_proceed_stops_before_any_file_is_read() {
    let tmp = bundle();
    let stop = Recorder::new(false);
    let result = ingest(tmp.path(), &IngestOptions::default(), &stop);
    assert!(matches!(result, Err(IngestError::Stopped)), "{result:?}");
    // Asked once, with what the walk found; nothing started, nothing hashed.
    assert_eq!(*stop.asked.lock().unwrap(), vec![(2, 17)]);
    assert_eq!(stop.started.load(Ordering::SeqCst), 0);
    assert_eq!(stop.advanced.load(Ordering::SeqCst), 0);
    let error = IngestError::Stopped;
    assert_eq!(
        miette::Diagnostic::code(&error).unwrap().to_string(),
        "vouch::ingest::stopped"
    );
}

#[test]
fn a_caller_that_proceeds_gets_the_same_graph() {
    let tmp = bundle();
    let go = Recorder::new(true);
    let graph = ingest(tmp.path(), &IngestOptions::default(), &go).unwrap();
    let plain = ingest(tmp.path(), &IngestOptions::default(), &NoProgress).unwrap();
    assert_eq!(render::json(&graph), render::json(&plain));
    assert_eq!(go.started.load(Ordering::SeqCst), 1);
    assert_eq!(go.advanced.load(Ordering::SeqCst), 17);
}

#[test]
fn a_bundle_read_first_and_built_later_is_the_graph_ingest_gives() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let keys: Vec<_> = [
        "TEST-ONLY-widget-release.pub.asc",
        "TEST-ONLY-widget-release.minisign.pub",
        "TEST-ONLY-widget-build.pub.pem",
        "TEST-ONLY-priya-shah.pub.asc",
    ]
    .iter()
    .map(|k| root.join("examples/keys").join(k))
    .collect();
    let options = IngestOptions {
        threads: None,
        trust: std::sync::Arc::new(vouch_engine::KeyStore::load(&keys).unwrap()),
        as_of: Some("2026-10-02T00:00:00Z".parse().unwrap()),
    };
    let bundle = root.join("examples/bundles/compliant");
    let whole = ingest(&bundle, &options, &NoProgress).unwrap();
    let read = vouch_engine::ingest::read_bundle(&bundle, None, &NoProgress).unwrap();
    let built = read.build(&options);
    assert_eq!(render::json(&built), render::json(&whole));
    // The signatures were verified when it was built: some verify, with the trust set given.
    assert!(render::json(&built).contains("\"verified\": true"));
    // Reading stops as ingesting does.
    let stop = Recorder::new(false);
    let result = vouch_engine::ingest::read_bundle(&bundle, None, &stop);
    assert!(matches!(result, Err(IngestError::Stopped)));
}
