//! The re-evaluation cache (`vouch evaluate --cache-dir DIR`): the digests of the bundle's
//! files from an earlier ingestion, reused when a file's path, size, modification and change
//! times, inode and device are all unchanged (as git's index does).
//!
//! Fail closed: only a file that read cleanly and is not evidence (no format claimed it, no
//! embedded signature, no finding) is stored, so evidence is parsed and signatures verified
//! on every run; a file whose times are within [`RACY_MARGIN`] of the moment ingestion started
//! is not stored ("racily clean"); the cache is keyed by a fingerprint of this vouch (crate
//! version, [`CACHE_FORMAT`], the readers, the running program); and a cache file that cannot
//! be read, is corrupt (its body digest does not match) or of another fingerprint is ignored
//! with a warning and rebuilt. Writes go to a temporary file renamed over the cache file.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{self, Write as _};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::IngestError;
use crate::digest::{Sha256Digest, Sha512Digest};

/// The version of the cache file's layout and of what it means; bump it whenever what an
/// entry stands for changes (classification, which outcomes are stored).
pub const CACHE_FORMAT: u32 = 1;

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
    /// Files whose digest came from the cache (not read).
    pub hits: u64,
    /// Files read (not in the cache, changed, or not cacheable).
    pub misses: u64,
    /// Files whose sha512 (for a sha512 checksum entry) came from the cache.
    pub sha512_hits: u64,
    /// Entries the cache holds after this ingestion.
    pub stored: u64,
    /// Problems with the cache (ignored, rebuilt), for the caller to print.
    pub warnings: Vec<String>,
}

/// A file's size, times and identity as `fstat` gives them: an entry is used only when all
/// are equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

/// One file's entry in the cache file.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    stat: Stat,
    sha256: String,
    /// Computed only for files a sha512 checksum entry names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sha512: Option<String>,
}

/// A file's digests, as stored for (and read from) the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Digests {
    /// The file's stat when it was read.
    pub stat: Stat,
    /// Its sha256.
    pub sha256: Sha256Digest,
    /// Its sha512, when one was needed.
    pub sha512: Option<Sha512Digest>,
}

/// The body of a cache file.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Body {
    entries: BTreeMap<String, Entry>,
}

/// The cache of one ingestion: what was loaded, and the counters.
#[derive(Debug)]
pub(crate) struct Session {
    file: PathBuf,
    fingerprint: String,
    now: i128,
    /// Whether the cache directory exists and the cache file may be written.
    usable: bool,
    loaded: HashMap<String, Digests>,
    /// Whether the cache file was read whole (otherwise it is rewritten).
    clean: bool,
    hits: AtomicU64,
    misses: AtomicU64,
    sha512_hits: AtomicU64,
    warnings: Vec<String>,
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
        "{MAGIC} {CACHE_FORMAT}\nvouch-engine {}\nhead {}\nparse {}\n",
        env!("CARGO_PKG_VERSION"),
        crate::formats::HEAD_LEN,
        crate::formats::DEFAULT_MAX_PARSE_SIZE
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
        clean: false,
        hits: AtomicU64::new(0),
        misses: AtomicU64::new(0),
        sha512_hits: AtomicU64::new(0),
        warnings: Vec::new(),
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
    match read_cache_file(&session.file) {
        Ok(bytes) => match parse(&bytes, &session.fingerprint) {
            Ok(loaded) => {
                session.loaded = loaded;
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

/// The largest cache file read (about four million entries); a larger one is ignored.
const MAX_CACHE_FILE: u64 = 1 << 30;

/// Reads the cache file: a regular file (not followed through a symlink, not a FIFO) of at
/// most [`MAX_CACHE_FILE`] bytes.
fn read_cache_file(path: &Path) -> io::Result<Vec<u8>> {
    use std::io::Read as _;
    let file = super::hash::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    if meta.len() > MAX_CACHE_FILE {
        return Err(io::Error::other(format!(
            "larger than {MAX_CACHE_FILE} bytes"
        )));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(MAX_CACHE_FILE).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Reads a cache file; the error says why it is not used.
fn parse(bytes: &[u8], fingerprint: &str) -> Result<HashMap<String, Digests>, &'static str> {
    const CORRUPT: &str = "is corrupt (truncated or changed since written)";
    let mut parts = bytes.splitn(4, |b| *b == b'\n');
    let mut line = || parts.next().and_then(|l| std::str::from_utf8(l).ok());
    let first = line().ok_or(CORRUPT)?;
    let Some(version) = first.strip_prefix(MAGIC).and_then(|v| v.strip_prefix(' ')) else {
        return Err(CORRUPT);
    };
    const OTHER: &str = "was written by another version of vouch";
    if version != CACHE_FORMAT.to_string() {
        return Err(OTHER);
    }
    if line().and_then(|l| l.strip_prefix("fingerprint ")) != Some(fingerprint) {
        return Err(OTHER);
    }
    let digest = line()
        .and_then(|l| l.strip_prefix("body-sha256 "))
        .and_then(Sha256Digest::from_hex)
        .ok_or(CORRUPT)?;
    let body = parts.next().ok_or(CORRUPT)?;
    if Sha256Digest::of(body) != digest {
        return Err(CORRUPT);
    }
    let body: Body = serde_json::from_slice(body).map_err(|_| CORRUPT)?;
    body.entries
        .into_iter()
        .map(|(path, entry)| {
            let sha256 = Sha256Digest::from_hex(&entry.sha256).ok_or(CORRUPT)?;
            let sha512 = match &entry.sha512 {
                Some(hex) => Some(Sha512Digest::from_hex(hex).ok_or(CORRUPT)?),
                None => None,
            };
            let stat = entry.stat;
            Ok((
                path,
                Digests {
                    stat,
                    sha256,
                    sha512,
                },
            ))
        })
        .collect()
}

impl Session {
    /// The cached sha256 of the file at `key` when its stat is exactly the one stored.
    pub(crate) fn lookup(&self, key: &str, stat: &Stat) -> Option<Sha256Digest> {
        match self.loaded.get(key) {
            Some(stored) if stored.stat == *stat => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                Some(stored.sha256)
            }
            _ => None,
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
        let kept: Vec<(String, Digests)> = entries
            .into_iter()
            .filter(|(_, digests)| !digests.stat.racy(self.now))
            .collect();
        let stored = kept.len() as u64;
        let unchanged = self.clean
            && self.loaded.len() == kept.len()
            && kept
                .iter()
                .all(|(key, digests)| self.loaded.get(key) == Some(digests));
        if self.usable && !unchanged {
            let entries = kept
                .into_iter()
                .map(|(key, d)| {
                    let entry = Entry {
                        stat: d.stat,
                        sha256: d.sha256.to_hex(),
                        sha512: d.sha512.map(|s| s.to_hex()),
                    };
                    (key, entry)
                })
                .collect();
            if let Err(error) = write(&self.file, &self.fingerprint, &Body { entries }) {
                warnings.push(format!(
                    "cannot write the cache file `{}`: {error}",
                    self.file.display()
                ));
            }
        }
        CacheStats {
            file: self.file,
            hits: self.hits.into_inner(),
            misses: self.misses.into_inner(),
            sha512_hits: self.sha512_hits.into_inner(),
            stored: if self.usable { stored } else { 0 },
            warnings,
        }
    }
}

/// Writes the cache file: a temporary file beside it, renamed over it, so that a reader
/// (another evaluation) sees the old file or the new one, never a part.
fn write(file: &Path, fingerprint: &str, body: &Body) -> io::Result<()> {
    static SERIAL: AtomicU64 = AtomicU64::new(0);
    let json = serde_json::to_vec(body).map_err(io::Error::other)?;
    let mut text = format!(
        "{MAGIC} {CACHE_FORMAT}\nfingerprint {fingerprint}\nbody-sha256 {}\n",
        Sha256Digest::of(&json).to_hex()
    )
    .into_bytes();
    text.extend_from_slice(&json);
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = file.with_file_name(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        SERIAL.fetch_add(1, Ordering::Relaxed)
    ));
    let result = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .and_then(|mut f| f.write_all(&text))
        .and_then(|()| fs::rename(&temp, file));
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}
