//! The re-evaluation cache (`vouch evaluate --cache-dir DIR`): the digests of the bundle's
//! files from an earlier ingestion, and the parsed evidence of pure-data evidence files,
//! reused when a file's path, size, modification and change times, inode and device are all
//! unchanged (as git's index does).
//!
//! Fail closed: a file that read cleanly and is not evidence (no format claimed it, no
//! embedded signature, no finding) is stored with its digests; a pure-data evidence file
//! ([`evidence::cached_kind`]: advisories, scans, SBOMs, ...; never keys, signatures,
//! attestations, envelopes or the release manifest, and never a file carrying a signature)
//! that read cleanly is stored with its parse, in an encoding the compiler checks field by
//! field ([`codec`]); everything else is parsed and verified on every run. A file whose times
//! are within [`RACY_MARGIN`] of the moment ingestion started is not stored ("racily clean");
//! the cache is keyed by a fingerprint of this vouch (crate version, [`CACHE_FORMAT`], the
//! readers, the encoding's field lists, the running program); a cache file that cannot be
//! read, is corrupt (its body digest does not match) or of another fingerprint is ignored with
//! a warning and rebuilt, and an entry whose evidence does not decode is a miss (the file is
//! read and parsed) with a warning. Writes go to a temporary file renamed over the cache file.

pub(crate) mod codec;
pub(crate) mod evidence;
mod file;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fs;
use std::io;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use self::codec::record;
use self::evidence::CachedEvidence;
use super::IngestError;
use crate::digest::{Sha256Digest, Sha512Digest};

/// The version of the cache file's layout and of what it means; bump it whenever what an
/// entry stands for changes (classification, which outcomes are stored). 2: a binary body,
/// and parsed evidence.
pub const CACHE_FORMAT: u32 = 2;

/// A file whose modification or change time is this close to (or after) the start of
/// ingestion is not stored: a change made later in the same timestamp granule would leave its
/// stat as it was. Two seconds covers the coarsest local file systems (FAT).
pub const RACY_MARGIN: Duration = Duration::from_secs(2);

/// The first line of a cache file, before the format version.
const MAGIC: &str = "vouch-ingest-cache";

/// Where the cache lives and the moment ingestion started.
#[derive(Debug, Clone)]
pub struct CacheOptions {
    /// The cache directory (created if missing); must not be inside the bundle.
    pub dir: PathBuf,
    /// When ingestion started (the caller reads the clock): a file changed less than
    /// [`RACY_MARGIN`] before it is not stored.
    pub now: SystemTime,
    /// A fingerprint of the running program (the CLI passes its executable's size and
    /// modification time), part of the cache's key: a rebuilt vouch never reads an old cache.
    pub tool: String,
}

/// What the cache did during one ingestion.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// The cache file of this bundle.
    pub file: PathBuf,
    /// Files that are not evidence whose digest came from the cache (not read).
    pub hits: u64,
    /// Evidence files whose digest and parsed evidence came from the cache (neither read
    /// nor parsed).
    pub evidence_hits: u64,
    /// Files read (not in the cache, changed, not cacheable, or an entry that did not
    /// decode).
    pub misses: u64,
    /// Files whose sha512 (for a sha512 checksum entry) came from the cache.
    pub sha512_hits: u64,
    /// Entries the cache holds after this ingestion.
    pub stored: u64,
    /// Of those, entries with parsed evidence.
    pub evidence_stored: u64,
    /// Problems with the cache (ignored, rebuilt), for the caller to print.
    pub warnings: Vec<String>,
}

/// A file's size, times and identity as `fstat` gives them: an entry is used only when all
/// are equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stat {
    size: u64,
    /// Modification time: seconds and nanoseconds since the epoch.
    mtime: (i64, i64),
    /// Change time (set by the kernel on every change, including `touch -d`).
    ctime: (i64, i64),
    ino: u64,
    dev: u64,
}

impl Stat {
    /// The stat of an opened file; `None` where the platform does not give all of it.
    #[cfg(unix)]
    pub(crate) fn of(meta: &fs::Metadata) -> Option<Stat> {
        use std::os::unix::fs::MetadataExt;
        Some(Stat {
            size: meta.len(),
            mtime: (meta.mtime(), meta.mtime_nsec()),
            ctime: (meta.ctime(), meta.ctime_nsec()),
            ino: meta.ino(),
            dev: meta.dev(),
        })
    }

    /// The stat of an opened file; `None` where the platform does not give all of it.
    #[cfg(not(unix))]
    pub(crate) fn of(_: &fs::Metadata) -> Option<Stat> {
        None
    }

    /// The file's size.
    pub(crate) fn size(&self) -> u64 {
        self.size
    }

    /// Whether either time is not safely before `now` (nanoseconds since the epoch).
    fn racy(&self, now: i128) -> bool {
        let ns = |(s, n): (i64, i64)| i128::from(s) * 1_000_000_000 + i128::from(n);
        let limit = now - RACY_MARGIN.as_nanos() as i128;
        ns(self.mtime) >= limit || ns(self.ctime) >= limit
    }
}

record! { STAT_SHAPE: Stat { size, mtime, ctime, ino, dev } }

/// A file's digests (and parsed evidence), as stored for the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Digests {
    /// The file's stat when it was read.
    pub stat: Stat,
    /// Its sha256.
    pub sha256: Sha256Digest,
    /// Its sha512, when one was needed.
    pub sha512: Option<Sha512Digest>,
    /// Its parsed evidence, encoded ([`evidence::encode`]), for an evidence file.
    pub evidence: Option<Box<[u8]>>,
}

/// A file's entry as read from the cache file: its evidence stays encoded in the file's
/// bytes until the file is looked up (then it is decoded on the thread that asked).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Loaded {
    stat: Stat,
    sha256: Sha256Digest,
    sha512: Option<Sha512Digest>,
    /// Where its encoded evidence is in [`Session::bytes`].
    evidence: Option<Range<usize>>,
}

/// What the cache holds for a file whose stat is the one stored.
#[derive(Debug)]
pub(crate) enum Hit {
    /// A file that is not evidence: its digest.
    Digest(Sha256Digest),
    /// An evidence file: its digest, its kind and parse, and the entry's bytes (kept).
    Evidence(Sha256Digest, Box<CachedEvidence>, Box<[u8]>),
}

/// The most entries that did not decode named in the warnings; the rest are counted.
const MAX_DECODE_WARNINGS: usize = 5;

/// The cache of one ingestion: what was loaded, and the counters.
#[derive(Debug)]
pub(crate) struct Session {
    file: PathBuf,
    fingerprint: String,
    now: i128,
    /// Whether the cache directory exists and the cache file may be written.
    usable: bool,
    loaded: HashMap<String, Loaded>,
    /// The cache file's body, which the entries' evidence ranges point into.
    bytes: Vec<u8>,
    /// Whether the cache file was read whole (otherwise it is rewritten).
    clean: bool,
    hits: AtomicU64,
    evidence_hits: AtomicU64,
    misses: AtomicU64,
    sha512_hits: AtomicU64,
    warnings: Vec<String>,
    /// The keys of entries whose evidence did not decode.
    undecoded: Mutex<Vec<String>>,
}

/// The cache key of a bundle-relative path (raw bytes: two names shown alike stay apart).
pub(crate) fn key(raw: &[u8]) -> String {
    match std::str::from_utf8(raw) {
        Ok(text) => format!("u:{text}"),
        Err(_) => format!(
            "x:{}",
            raw.iter().map(|b| format!("{b:02x}")).collect::<String>()
        ),
    }
}

/// What this vouch stores and how it reads: a cache with another fingerprint is not read.
fn fingerprint(tool: &str) -> String {
    let mut text = format!(
        "{MAGIC} {CACHE_FORMAT}\nvouch-engine {}\nhead {}\nparse {}\n{STAT_SHAPE}\n{}\n",
        env!("CARGO_PKG_VERSION"),
        crate::formats::HEAD_LEN,
        crate::formats::DEFAULT_MAX_PARSE_SIZE,
        evidence::shape()
    );
    for format in crate::formats::REGISTRY {
        text.push_str(&format!(
            "format {} {}\n",
            format.kind().as_str(),
            format.max_parse_size()
        ));
    }
    text.push_str(&format!("tool {tool}\n"));
    Sha256Digest::of(text.as_bytes()).to_hex()
}

/// `path` made absolute and resolved through its longest existing ancestor (the rest does
/// not exist yet, so holds no symlink).
fn resolve(path: &Path) -> io::Result<PathBuf> {
    let absolute = if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir()?.join(path)
    };
    let mut rest: Vec<Component<'_>> = Vec::new();
    let mut base = absolute.as_path();
    loop {
        match fs::canonicalize(base) {
            Ok(mut resolved) => {
                for component in rest.iter().rev() {
                    match component {
                        // After a directory that does not exist, `..` cannot be resolved
                        // without creating it first (and a name after it may be a symlink).
                        Component::ParentDir => {
                            return Err(io::Error::other(
                                "`..` after a directory that does not exist",
                            ));
                        }
                        Component::CurDir => {}
                        other => resolved.push(other),
                    }
                }
                return Ok(resolved);
            }
            Err(error) => {
                let (Some(parent), Some(last)) = (base.parent(), base.components().next_back())
                else {
                    return Err(error);
                };
                rest.push(last);
                base = parent;
            }
        }
    }
}

/// Opens the cache of the bundle at `root` (canonical): refuses a cache directory inside
/// it, creates the directory, reads the cache file. Every problem but the first is a warning.
pub(crate) fn open(root: &Path, options: &CacheOptions) -> Result<Session, IngestError> {
    let refuse = || IngestError::CacheInBundle {
        cache: options.dir.clone(),
        bundle: root.to_owned(),
    };
    let now = options
        .now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut session = Session {
        file: PathBuf::new(),
        fingerprint: fingerprint(&options.tool),
        now: i128::try_from(now).unwrap_or(i128::MAX),
        usable: false,
        loaded: HashMap::new(),
        bytes: Vec::new(),
        clean: false,
        hits: AtomicU64::new(0),
        evidence_hits: AtomicU64::new(0),
        misses: AtomicU64::new(0),
        sha512_hits: AtomicU64::new(0),
        warnings: Vec::new(),
        undecoded: Mutex::new(Vec::new()),
    };
    let dir = match resolve(&options.dir) {
        Ok(dir) if dir.starts_with(root) => return Err(refuse()),
        Ok(dir) => dir,
        Err(error) => {
            session.warnings.push(format!(
                "cannot resolve the cache directory `{}`: {error}; not using the cache",
                options.dir.display()
            ));
            return Ok(session);
        }
    };
    let name = Sha256Digest::of(root.as_os_str().as_encoded_bytes()).to_hex();
    session.file = dir.join(format!("{name}.vouch-cache"));
    if let Err(error) = fs::create_dir_all(&dir) {
        session.warnings.push(format!(
            "cannot create the cache directory `{}`: {error}; not using the cache",
            dir.display()
        ));
        return Ok(session);
    }
    // Created: resolved again, in case a symlink appeared on the way meanwhile.
    match fs::canonicalize(&dir) {
        Ok(created) if created.starts_with(root) => return Err(refuse()),
        Ok(_) => {}
        Err(error) => {
            session.warnings.push(format!(
                "cannot resolve the cache directory `{}`: {error}; not using the cache",
                dir.display()
            ));
            return Ok(session);
        }
    }
    session.usable = true;
    match file::read_cache_file(&session.file) {
        Ok(bytes) => match file::parse(&bytes, &session.fingerprint) {
            Ok(loaded) => {
                session.loaded = loaded;
                session.bytes = bytes;
                session.clean = true;
            }
            Err(why) => session.warnings.push(format!(
                "cache file `{}` {why}; ignored, rebuilding it",
                session.file.display()
            )),
        },
        Err(error) if error.kind() == io::ErrorKind::NotFound => session.clean = true,
        Err(error) => session.warnings.push(format!(
            "cannot read the cache file `{}`: {error}; ignored, rebuilding it",
            session.file.display()
        )),
    }
    Ok(session)
}

impl Session {
    /// What the cache holds for the file at `key` when its stat is exactly the one stored:
    /// its digest, or for an evidence file its digest and parse. An entry whose evidence does
    /// not decode is a miss (and a warning).
    pub(crate) fn lookup(&self, key: &str, stat: &Stat) -> Option<Hit> {
        let stored = self.loaded.get(key).filter(|s| s.stat == *stat)?;
        let Some(range) = &stored.evidence else {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Some(Hit::Digest(stored.sha256));
        };
        let decoded = self
            .bytes
            .get(range.clone())
            .map(|bytes| (bytes, evidence::decode(bytes)));
        match decoded {
            Some((bytes, Ok(cached))) => {
                self.evidence_hits.fetch_add(1, Ordering::Relaxed);
                Some(Hit::Evidence(stored.sha256, Box::new(cached), bytes.into()))
            }
            _ => {
                if let Ok(mut undecoded) = self.undecoded.lock() {
                    undecoded.push(key.to_owned());
                }
                None
            }
        }
    }

    /// The cached sha256 and sha512 of the file at `key` when its stat is exactly the one
    /// stored and a sha512 was stored.
    pub(crate) fn lookup_sha512(
        &self,
        key: &str,
        stat: &Stat,
    ) -> Option<(Sha256Digest, Sha512Digest)> {
        match self.loaded.get(key) {
            Some(stored) if stored.stat == *stat => {
                let sha512 = stored.sha512?;
                self.sha512_hits.fetch_add(1, Ordering::Relaxed);
                Some((stored.sha256, sha512))
            }
            _ => None,
        }
    }

    /// Counts a file read (not from the cache).
    pub(crate) fn missed(&self) {
        self.misses.fetch_add(1, Ordering::Relaxed);
    }

    /// Writes the cache file with `entries` (the files of this ingestion that may be cached;
    /// those changed too recently are left out) unless it already holds exactly them; returns
    /// the stats.
    pub(crate) fn finish(self, entries: Vec<(String, Digests)>) -> CacheStats {
        let mut warnings = self.warnings;
        let mut undecoded = self.undecoded.into_inner().unwrap_or_default();
        if !undecoded.is_empty() {
            undecoded.sort();
            let more = undecoded.len().saturating_sub(MAX_DECODE_WARNINGS);
            let named: Vec<String> = undecoded
                .iter()
                .take(MAX_DECODE_WARNINGS)
                .map(|key| format!("`{}`", shown(key)))
                .collect();
            warnings.push(format!(
                "cache file `{}`: the parsed evidence of {}{} does not decode; read and parsed \
                 again",
                self.file.display(),
                named.join(", "),
                if more > 0 {
                    format!(" and {more} more files")
                } else {
                    String::new()
                }
            ));
        }
        let mut kept: Vec<(String, Digests)> = entries
            .into_iter()
            .filter(|(_, digests)| !digests.stat.racy(self.now))
            .collect();
        let stored = kept.len() as u64;
        let evidence_stored = kept.iter().filter(|(_, d)| d.evidence.is_some()).count() as u64;
        let same = |key: &String, digests: &Digests| {
            self.loaded.get(key).is_some_and(|loaded| {
                loaded.stat == digests.stat
                    && loaded.sha256 == digests.sha256
                    && loaded.sha512 == digests.sha512
                    && loaded.evidence.as_ref().map(|r| self.bytes.get(r.clone()))
                        == digests.evidence.as_ref().map(|e| Some(&e[..]))
            })
        };
        let unchanged = self.clean
            && self.loaded.len() == kept.len()
            && kept.iter().all(|(key, digests)| same(key, digests));
        if self.usable && !unchanged {
            // Sorted: the same entries give the same file.
            kept.sort_by(|a, b| a.0.cmp(&b.0));
            if let Err(error) = file::write(&self.file, &self.fingerprint, &kept) {
                warnings.push(format!(
                    "cannot write the cache file `{}`: {error}",
                    self.file.display()
                ));
            }
        }
        CacheStats {
            file: self.file,
            hits: self.hits.into_inner(),
            evidence_hits: self.evidence_hits.into_inner(),
            misses: self.misses.into_inner(),
            sha512_hits: self.sha512_hits.into_inner(),
            stored: if self.usable { stored } else { 0 },
            evidence_stored: if self.usable { evidence_stored } else { 0 },
            warnings,
        }
    }
}

/// A cache key as a path, for a warning.
fn shown(key: &str) -> String {
    let text = key.strip_prefix("u:").unwrap_or(key);
    crate::terminal::escape_line(text).into_owned()
}
