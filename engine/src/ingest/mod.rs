//! Ingestion: walk a bundle, hash and classify every file in parallel, parse evidence, and
//! build the [`EvidenceGraph`].
//!
//! Data flows one way: walk -> hash/classify/parse -> graph. Nothing here knows about
//! policies, reads the clock or prints; progress goes through [`Progress`].

pub mod cache;
mod hash;
pub mod progress;
mod walk;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use miette::Diagnostic;
use rayon::prelude::*;
use thiserror::Error;

pub use progress::{NoProgress, Progress, TerminalProgress};

use crate::graph::EvidenceGraph;
use crate::graph::Unclassified;
use crate::graph::build::{self, BuildInput, FileRecord, LinkRecord, VerifyJob};
use crate::graph::unreadable::ParseFailure;
use crate::signatures::{Keys, Verification};
use crate::trust::KeyStore;
use jiff::Timestamp;

/// How to ingest.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Worker threads for reading a large bundle and verifying many signatures, each step in
    /// a pool of its own; `None` is one per processor
    /// ([`default_threads`](crate::input_file::default_threads)).
    pub threads: Option<usize>,
    /// The trust set signatures are verified against (`--trust`); never from the bundle.
    pub trust: Arc<KeyStore>,
    /// The instant keys must be valid at (expiry, revocation), and that signatures must be
    /// made by (a later one is `signed-after-as-of`); `None` judges each key at the time of
    /// the signature it made.
    pub as_of: Option<Timestamp>,
}

impl IngestOptions {
    /// Options with `threads` and no trust set.
    pub fn with_threads(threads: Option<usize>) -> Self {
        IngestOptions {
            threads,
            ..IngestOptions::default()
        }
    }
}

pub(crate) use hash::open as open_no_follow;

/// Why a bundle could not be ingested at all. Problems with single files are findings in
/// the graph instead.
#[derive(Debug, Error, Diagnostic)]
pub enum IngestError {
    /// The bundle directory does not exist.
    #[error("bundle directory `{}` does not exist", path.display())]
    #[diagnostic(
        code("vouch::ingest::no-bundle"),
        help("pass the directory that holds the release's evidence")
    )]
    NotFound {
        /// The path given.
        path: PathBuf,
    },
    /// The bundle path is not a directory.
    #[error("bundle `{}` is not a directory", path.display())]
    #[diagnostic(
        code("vouch::ingest::not-a-directory"),
        help("a bundle is a directory of evidence files")
    )]
    NotADirectory {
        /// The path given.
        path: PathBuf,
    },
    /// The bundle directory cannot be read.
    #[error("cannot read bundle `{}`: {source}", path.display())]
    #[diagnostic(code("vouch::ingest::unreadable-bundle"))]
    Unreadable {
        /// The path given.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The cache directory is inside the bundle (writing it would change the evidence).
    #[error("cache directory `{}` is inside the bundle `{}`", cache.display(), bundle.display())]
    #[diagnostic(
        code("vouch::ingest::cache-in-bundle"),
        help(
            "put the cache outside the bundle (e.g. `--cache-dir .vouch-cache` beside it): a bundle holds the release's evidence only"
        )
    )]
    CacheInBundle {
        /// The cache directory given.
        cache: PathBuf,
        /// The bundle directory.
        bundle: PathBuf,
    },
    /// The worker threads could not be started.
    #[error("cannot start {threads} hashing threads: {message}")]
    #[diagnostic(code("vouch::ingest::threads"))]
    Threads {
        /// How many were asked for.
        threads: usize,
        /// Why it failed.
        message: String,
    },
}

/// Reads the bundle at `root` into an evidence graph, reusing (and refreshing) the digests
/// of unchanged files from the cache in `cache.dir`. The graph is the one [`ingest`] gives;
/// a cache that cannot be used is a warning in the stats, never an error, except a cache
/// directory inside the bundle ([`IngestError::CacheInBundle`]).
pub fn ingest_cached(
    root: &Path,
    options: &IngestOptions,
    cache: &cache::CacheOptions,
    progress: &dyn Progress,
) -> Result<(EvidenceGraph, cache::CacheStats), IngestError> {
    let canonical = bundle_root(root)?;
    let session = cache::open(&canonical, cache)?;
    let (graph, entries) = run(&canonical, options, progress, Some(&session))?;
    Ok((graph, session.finish(entries)))
}

/// Reads the bundle at `root` into an evidence graph.
pub fn ingest(
    root: &Path,
    options: &IngestOptions,
    progress: &dyn Progress,
) -> Result<EvidenceGraph, IngestError> {
    let canonical = bundle_root(root)?;
    Ok(run(&canonical, options, progress, None)?.0)
}

/// The canonical path of the bundle directory at `root`.
fn bundle_root(root: &Path) -> Result<PathBuf, IngestError> {
    let meta = std::fs::metadata(root).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            IngestError::NotFound {
                path: root.to_owned(),
            }
        } else {
            IngestError::Unreadable {
                path: root.to_owned(),
                source,
            }
        }
    })?;
    if !meta.is_dir() {
        return Err(IngestError::NotADirectory {
            path: root.to_owned(),
        });
    }
    std::fs::canonicalize(root).map_err(|source| IngestError::Unreadable {
        path: root.to_owned(),
        source,
    })
}

/// The pool `options` ask for.
fn pool_for(options: &IngestOptions) -> Result<rayon::ThreadPool, IngestError> {
    let threads = threads_of(options.threads);
    thread_pool(threads).map_err(|e| IngestError::Threads {
        threads,
        message: e.to_string(),
    })
}

/// The threads asked for, or one per processor.
fn threads_of(threads: Option<usize>) -> usize {
    threads.unwrap_or_else(crate::input_file::default_threads)
}

/// A pool of `threads` (capped) worker threads.
fn thread_pool(threads: usize) -> Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(crate::input_file::cap_threads(threads))
        .build()
}

/// Runs `f` in `pool` (the global rayon pool when `None`). Only the parallel steps run in a
/// pool: the graph is built on the calling thread, which keeps it.
///
/// Why: a pool's threads exit when it is dropped, and the allocator (mimalloc) abandons the
/// heap of a thread that exits; a page of it that still holds one long-lived block keeps its
/// freed blocks from being reused or returned. The parse results the graph keeps are copied
/// on the calling thread after the parsing pool is gone, so the pool's pages all come free
/// (at 100,000 OSV files, the graph built on a pool thread stranded ~100 MiB).
fn on_pool<R: Send>(pool: Option<&rayon::ThreadPool>, f: impl FnOnce() -> R + Send) -> R {
    match pool {
        Some(pool) => pool.install(f),
        None => f(),
    }
}

/// Runs `f` in a new pool of `threads` (one per processor when `None`; rayon's global pool
/// when the threads cannot be started).
fn on_new_pool<R: Send>(threads: Option<usize>, f: impl FnOnce() -> R + Send) -> R {
    let pool = thread_pool(threads_of(threads)).ok();
    on_pool(pool.as_ref(), f)
}

/// Bundles of fewer files are read on the calling thread.
const PARALLEL_MIN_FILES: usize = 64;

/// Fewer sha512 passes or signature verifications than this run on the calling thread: an
/// Ed25519 verification takes tens of microseconds, a new pool thread about as long to start
/// plus the zeroing of its allocator's first pages.
const PARALLEL_MIN_JOBS: usize = 32;

/// `f` over `files`, in `pool` when `parallel`, else on this thread.
fn map_files<R: Send>(
    files: &[walk::FileEntry],
    pool: Option<&rayon::ThreadPool>,
    parallel: bool,
    f: impl Fn(&walk::FileEntry) -> R + Sync + Send,
) -> Vec<R> {
    if !parallel {
        return files.iter().map(f).collect();
    }
    on_pool(pool, || files.par_iter().with_min_len(8).map(f).collect())
}

/// A file's cache entry: its key and its digests.
type CacheEntry = (String, cache::Digests);

fn run(
    root: &Path,
    options: &IngestOptions,
    progress: &dyn Progress,
    cache: Option<&cache::Session>,
) -> Result<(EvidenceGraph, Vec<CacheEntry>), IngestError> {
    let walked = walk::walk(root);
    let total: u64 = walked.files.iter().map(|f| f.size).sum();
    progress.start(walked.files.len() as u64, total);
    // A small bundle is read on this thread: starting threads costs more than it saves, so
    // the pool is made only for a large one.
    let parallel = walked.files.len() >= PARALLEL_MIN_FILES;
    let pool = if parallel {
        Some(pool_for(options)?)
    } else {
        None
    };
    // Without a cache, no stats are held (one per file).
    let (outcomes, stats): (Vec<hash::Outcome>, Vec<Option<hash::Store>>) = match cache {
        None => (
            map_files(&walked.files, pool.as_ref(), parallel, |entry| {
                hash::with_read_buffer(entry.size, |buf| hash::hash_file(entry, buf, progress))
            }),
            Vec::new(),
        ),
        Some(cache) => map_files(&walked.files, pool.as_ref(), parallel, |entry| {
            hash::with_read_buffer(entry.size, |buf| {
                hash::hash_file_cached(entry, buf, progress, cache)
            })
        })
        .into_iter()
        .unzip(),
    };
    // The parsing threads exit: what they allocated and the graph keeps is copied below. A
    // small bundle was parsed on this thread, which keeps it: nothing to copy then.
    let copy = pool.is_some();
    drop(pool);
    let keep = |e: crate::formats::Evidence| if copy { e.clone() } else { e };
    progress.finish();
    let mut entries: Vec<CacheEntry> = Vec::new();
    // The cacheable files by absolute path (what the sha512 pass is given), with cache only.
    let mut by_abs: HashMap<PathBuf, usize> = HashMap::new();
    for ((entry, outcome), store) in walked.files.iter().zip(&outcomes).zip(stats) {
        if let (hash::Outcome::Hashed(h), Some((stat, evidence))) = (outcome, store) {
            let digests = cache::Digests {
                stat,
                sha256: h.sha256,
                sha512: None,
                evidence,
            };
            by_abs.insert(entry.abs.clone(), entries.len());
            entries.push((cache::key(&entry.path.raw), digests));
        }
    }
    let mut input = BuildInput {
        findings: walked.findings,
        unclassified: walked.skipped,
        ..BuildInput::default()
    };
    // One record per file: grown by doubling, the vector would peak at twice the bundle.
    input.files.reserve_exact(walked.files.len());
    for (entry, outcome) in walked.files.into_iter().zip(outcomes) {
        match outcome {
            hash::Outcome::Hashed(h) => {
                let h = *h;
                // What reading the file as evidence found is kept with it: a file the
                // release lists as an artifact is not evidence, and says nothing as such.
                let (as_evidence, about_file): (Vec<_>, Vec<_>) = h
                    .findings
                    .into_iter()
                    .partition(|f| f.code == crate::FindingCode::TooLargeToParse);
                input.findings.extend(about_file);
                let mut parse_findings = as_evidence;
                let mut evidence = None;
                let mut embedded = None;
                if let Some(parsed) = h.embedded {
                    let parsed = *parsed;
                    parse_findings.extend(parsed.findings);
                    embedded = parsed.evidence.and_then(|e| match e {
                        crate::formats::Evidence::Signature(s) => {
                            Some(Box::new(if copy { s.clone() } else { s }))
                        }
                        _ => None,
                    });
                }
                // A file of a recognised kind that gave no evidence (it did not parse, or
                // was too large to parse) is unreadable evidence of that kind.
                let mut failure = None;
                match (h.kind, h.parsed) {
                    (Some(kind), Some(parsed)) => {
                        let parsed = *parsed;
                        failure = if parsed.evidence.is_none() {
                            Some(ParseFailure::from_findings(kind, &parsed.findings))
                        } else {
                            // Read, but not every part of it: unreadable too.
                            ParseFailure::partial(&parsed.findings)
                        };
                        parse_findings.extend(parsed.findings);
                        // Copied on this thread, which keeps it, when it was parsed in a
                        // pool of its own (see [`on_pool`]).
                        evidence = parsed.evidence.map(|e| Box::new(keep(e)));
                    }
                    (Some(kind), None) => {
                        failure = Some(ParseFailure::from_findings(kind, &parse_findings));
                    }
                    (None, Some(parsed)) => parse_findings.extend(parsed.findings),
                    (None, None) => {}
                }
                input.files.push(FileRecord {
                    path: entry.path.display,
                    raw: entry.path.raw,
                    abs: entry.abs,
                    size: h.size,
                    sha256: h.sha256,
                    kind: h.kind,
                    evidence,
                    failure,
                    embedded,
                    parse_findings,
                });
            }
            hash::Outcome::Skipped(skipped) => {
                let (reason, finding) = *skipped;
                input.unclassified.push(Unclassified {
                    path: entry.path.display,
                    reason,
                });
                input.findings.push(finding);
            }
        }
    }
    input.links = walked
        .links
        .into_iter()
        .map(|l| LinkRecord {
            path: l.path.display,
            target: l.target,
            target_kind: l.target_kind,
        })
        .collect();
    // The sha512s computed for cacheable files, by index into `entries`.
    let sha512s: Mutex<Vec<(usize, crate::digest::Sha512Digest)>> = Mutex::new(Vec::new());
    let sha512 = |paths: &[(&Path, u64)]| {
        let one = |(path, limit): &(&Path, u64)| {
            let cached = by_abs
                .get(*path)
                .and_then(|ix| Some((*ix, entries.get(*ix)?)));
            if let (Some(cache), Some((_, (key, digests)))) = (cache, cached)
                && let Some((sha256, sha512)) = cache.lookup_sha512(key, &digests.stat)
            {
                return Ok((sha256, sha512, digests.stat.size()));
            }
            let result =
                hash::with_read_buffer(*limit, |buf| hash::sha256_and_sha512(path, *limit, buf));
            if let (Ok((sha256, sha512, _)), Some((ix, (_, digests)))) = (&result, cached) {
                // Stored only when it is the content whose sha256 is stored.
                if *sha256 == digests.sha256
                    && let Ok(mut list) = sha512s.lock()
                {
                    list.push((ix, *sha512));
                }
            }
            result
        };
        if paths.len() < PARALLEL_MIN_JOBS {
            return paths.iter().map(one).collect();
        }
        on_new_pool(options.threads, || paths.par_iter().map(one).collect())
    };
    let verify = |jobs: &[VerifyJob<'_>], bundle: &KeyStore| -> Vec<Vec<Verification>> {
        let keys = Keys {
            trusted: &options.trust,
            bundle,
            as_of: options.as_of,
        };
        let one = |job: &VerifyJob<'_>| job.signature.body.verify(&job.signed, &keys);
        if jobs.len() < PARALLEL_MIN_JOBS {
            return jobs.iter().map(one).collect();
        }
        on_new_pool(options.threads, || jobs.par_iter().map(one).collect())
    };
    let graph = build::build(input, &sha512, &verify);
    for (ix, sha512) in sha512s.into_inner().unwrap_or_default() {
        if let Some((_, digests)) = entries.get_mut(ix) {
            digests.sha512 = Some(sha512);
        }
    }
    Ok((graph, entries))
}
