//! `--cache-dir` of `vouch evaluate`, `vouch explain` and `vouch graph`: the re-evaluation
//! cache's clock and executable fingerprint are read here, and its warnings printed.

use std::path::Path;

use vouch_engine::terminal::escape_line;
use vouch_engine::{EvidenceGraph, IngestOptions};

use crate::render::ErrorFormat;

/// Ingests the bundle with the cache in `dir` (`--cache-dir`): its warnings (a cache that
/// could not be read or written is ignored and rebuilt) and, for people, what it reused go to
/// stderr.
pub fn ingest_cached(
    bundle: &Path,
    options: &IngestOptions,
    dir: &Path,
    progress: &dyn vouch_engine::Progress,
    format: ErrorFormat,
) -> Result<EvidenceGraph, vouch_engine::IngestError> {
    let cache = vouch_engine::ingest::cache::CacheOptions {
        dir: dir.to_owned(),
        // The racy-entry check's "now": the clock, read here in the CLI.
        now: std::time::SystemTime::now(),
        tool: tool_fingerprint(),
    };
    let (graph, stats) = vouch_engine::ingest::ingest_cached(bundle, options, &cache, progress)?;
    for warning in &stats.warnings {
        eprintln!("warning: cache: {}", escape_line(warning));
    }
    if format == ErrorFormat::Human {
        eprintln!(
            "cache: {} file digests reused, {} parsed evidence files reused, {} files read, {} \
             entries kept",
            stats.hits, stats.evidence_hits, stats.misses, stats.stored
        );
    }
    Ok(graph)
}

/// The running executable's size and modification time: a rebuilt vouch (even of the same
/// version) has another cache key. When they cannot be read, a key no cache has.
fn tool_fingerprint() -> String {
    let meta = std::env::current_exe().and_then(std::fs::metadata);
    let since_epoch = |t: std::time::SystemTime| {
        t.duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    };
    match meta.as_ref().map(|m| (m.len(), m.modified())) {
        Ok((len, Ok(modified))) => format!("exe {len} {}", since_epoch(modified)),
        _ => format!("unidentified {}", since_epoch(std::time::SystemTime::now())),
    }
}
