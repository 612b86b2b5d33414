//! The re-evaluation cache (`vouch evaluate --cache-dir DIR`): the digests of the bundle's
//! files from an earlier ingestion, reused when a file's path, size, times, inode and device
//! are unchanged.

use std::path::PathBuf;
use std::time::SystemTime;

/// Where the cache lives and the moment ingestion started.
#[derive(Debug, Clone)]
pub struct CacheOptions {
    /// The cache directory (created if missing); must not be inside the bundle.
    pub dir: PathBuf,
    /// When ingestion started (the caller reads the clock): a file changed less than
    /// [`RACY_MARGIN`] before it is not stored, so a later change in the same timestamp
    /// granule cannot hide behind an unchanged stat.
    pub now: SystemTime,
    /// A fingerprint of the running program (the CLI passes its executable's size and
    /// modification time), added to the cache's key: a rebuilt vouch never reads an old cache.
    pub tool: String,
}

/// A file stat this close to (or after) `now` is not trusted from the cache.
pub const RACY_MARGIN: std::time::Duration = std::time::Duration::from_secs(2);

/// What the cache did during one ingestion.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// The cache file of this bundle.
    pub file: PathBuf,
    /// Files whose digest came from the cache (not read).
    pub hits: u64,
    /// Files read (not in the cache, changed, or not cacheable).
    pub misses: u64,
    /// Entries the cache holds after this ingestion.
    pub stored: u64,
    /// Problems with the cache (ignored, rebuilt), for the caller to print.
    pub warnings: Vec<String>,
}
