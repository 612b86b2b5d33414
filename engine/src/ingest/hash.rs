//! Hashing one file: streamed sha256 through a reusable buffer, classification on the first
//! bytes, and (for evidence files small enough) parsing of exactly the bytes hashed.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

use sha2::Digest as _;

use super::cache::{Hit, Session, Stat, evidence, key};
use super::progress::Progress;
use super::walk::{FileEntry, mtime};
use crate::digest::{Sha256Digest, Sha512Digest};
use crate::finding::{Finding, FindingCode};
use crate::formats::{self, DetectInput, EvidenceKind, HEAD_LEN, ParseInput, Parsed};

/// The read buffer each worker reuses.
pub(crate) const BUF_LEN: usize = 256 * 1024;

/// The smallest read buffer.
const MIN_BUF_LEN: usize = 4 * 1024;

thread_local! {
    /// Each worker thread's read buffer, allocated once per thread.
    static READ_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `f` with this thread's read buffer, grown (never shrunk) to at least `size` bytes,
/// rounded up to a power of two from 4 KiB, and at most [`BUF_LEN`]: a file of up to
/// [`BUF_LEN`] bytes is read in one call, its head whole. One buffer per thread, not one per
/// rayon split: a split can be eight files, and allocators that keep freed memory for a while
/// (mimalloc) held hundreds of MiB of short-lived 256 KiB buffers at 100,000 files.
///
/// Why not [`BUF_LEN`] at once: a small bundle's files are a few KiB, and a buffer zeroed to
/// 256 KiB cost the zeroing and, with mimalloc, a span of its own that pushed the run's heap
/// over a second 2 MiB transparent huge page, which the kernel zeroes whole.
pub(crate) fn with_read_buffer<T>(size: u64, f: impl FnOnce(&mut [u8]) -> T) -> T {
    let want = buffer_len(size);
    READ_BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            if buf.len() < want {
                buf.resize(want, 0);
            }
            f(&mut buf)
        }
        // Only if hashing ever re-entered itself on one thread: a buffer of its own.
        Err(_) => f(&mut vec![0u8; want]),
    })
}

/// The read buffer's length for a file of `size` bytes: the next power of two, from 4 KiB up
/// to [`BUF_LEN`].
fn buffer_len(size: u64) -> usize {
    usize::try_from(size)
        .unwrap_or(BUF_LEN)
        .clamp(MIN_BUF_LEN, BUF_LEN)
        .checked_next_power_of_two()
        .unwrap_or(BUF_LEN)
        .min(BUF_LEN)
}

/// A file hashed (and maybe parsed).
#[derive(Debug)]
pub(crate) struct Hashed {
    pub sha256: Sha256Digest,
    pub size: u64,
    /// The file had more bytes than its size at open (it grew while read).
    pub grew: bool,
    pub kind: Option<EvidenceKind>,
    /// Boxed, as `embedded`: every file of the bundle has one `Hashed` until the graph is
    /// built, most are not evidence, and an [`Evidence`](crate::formats::Evidence) inline is
    /// hundreds of bytes.
    pub parsed: Option<Box<Parsed>>,
    /// A signature embedded in the file (OpenPGP cleartext signing), parsed.
    pub embedded: Option<Box<Parsed>>,
    /// The file carries (or may carry) a signature inside it: its parse is never cached.
    pub signed: bool,
    pub findings: Vec<Finding>,
}

/// What to store in the cache for a file: its stat when read, and its parse encoded
/// ([`evidence::encode`]) for an evidence file.
pub(crate) type Store = (Stat, Option<Box<[u8]>>);

/// The result for one file.
#[derive(Debug)]
pub(crate) enum Outcome {
    Hashed(Box<Hashed>),
    /// Not hashed: the reason for the unclassified list, and the finding (boxed: the
    /// outcomes of every file are held together, and few are skipped).
    Skipped(Box<(String, Finding)>),
}

/// Opens a file for reading without following a symlink swapped in since the walk and
/// without blocking on a FIFO swapped in.
pub(crate) fn open(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    options.open(path)
}

/// The link count of an opened file (1 where the platform has no hard links).
#[cfg(unix)]
fn links_of(meta: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.nlink()
}

#[cfg(not(unix))]
fn links_of(_: &std::fs::Metadata) -> u64 {
    1
}

/// Reads until `buf` is full or the end of the file.
fn fill(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while let Some(rest) = buf.get_mut(filled..) {
        if rest.is_empty() {
            break;
        }
        match file.read(rest) {
            Ok(0) => break,
            Ok(n) => filled = filled.saturating_add(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

fn skipped(
    path: &str,
    code: FindingCode,
    reason: &str,
    message: String,
) -> (Outcome, Option<Store>) {
    let outcome = Outcome::Skipped(Box::new((
        reason.to_owned(),
        Finding::new(code, Some(path), message)
            .with_help("make every file of the bundle a readable regular file"),
    )));
    (outcome, None)
}

/// Hashes one file, reading it through `buf` (of any length).
pub(crate) fn hash_file(entry: &FileEntry, buf: &mut [u8], progress: &dyn Progress) -> Outcome {
    hash_file_with(entry, buf, progress, None).0
}

/// Hashes one file, or takes its digest (and, for an evidence file, its parse) from `cache`
/// when its stat is the one stored there. With the outcome comes what to store: only for a
/// file that may be cached (read cleanly, no finding, its stat the same after reading as
/// before, and either not evidence or pure-data evidence without a signature inside).
pub(crate) fn hash_file_cached(
    entry: &FileEntry,
    buf: &mut [u8],
    progress: &dyn Progress,
    cache: &Session,
) -> (Outcome, Option<Store>) {
    hash_file_with(entry, buf, progress, Some(cache))
}

/// Whether a hashed file's outcome is nothing but its digest (what the cache can stand for).
fn cacheable(hashed: &Hashed) -> bool {
    hashed.kind.is_none()
        && hashed.parsed.is_none()
        && hashed.embedded.is_none()
        && !hashed.signed
        && hashed.findings.is_empty()
        && !hashed.grew
}

/// The cache entry of a hashed evidence file whose parse may be cached: of a kind that is
/// pure data ([`evidence::cached_kind`]), parsed whole, no signature in or on it, no finding
/// about the file itself (its parse's findings are kept with it).
fn cacheable_evidence(hashed: &Hashed) -> Option<Box<[u8]>> {
    let kind = hashed.kind?;
    let parsed = hashed.parsed.as_deref()?;
    if hashed.embedded.is_some() || hashed.signed || !hashed.findings.is_empty() || hashed.grew {
        return None;
    }
    evidence::encode(kind, parsed)
}

fn hash_file_with(
    entry: &FileEntry,
    buf: &mut [u8],
    progress: &dyn Progress,
    cache: Option<&Session>,
) -> (Outcome, Option<Store>) {
    let path = entry.path.display.as_str();
    let mut file = match open(&entry.abs) {
        Ok(f) => f,
        Err(e) => {
            return skipped(
                path,
                FindingCode::Unreadable,
                "unreadable",
                format!("cannot open: {e}"),
            );
        }
    };
    let before = match file.metadata() {
        Ok(m) => m,
        Err(e) => {
            return skipped(
                path,
                FindingCode::Unreadable,
                "unreadable",
                format!("cannot stat: {e}"),
            );
        }
    };
    if links_of(&before) != entry.links {
        return skipped(
            path,
            FindingCode::ChangedWhileHashing,
            "replaced while reading",
            format!(
                "file's hard link count changed while the bundle was read ({} when walked, {} \
                 when opened); not read",
                entry.links,
                links_of(&before)
            ),
        );
    }
    if !before.is_file() {
        return skipped(
            path,
            FindingCode::ChangedWhileHashing,
            "replaced while reading",
            "file was replaced by something that is not a regular file while the bundle was read"
                .to_owned(),
        );
    }
    // The file is opened (it must still be a readable regular file) before the cache is
    // asked, and the cache is asked with the stat of what was opened.
    let stat = cache.and_then(|_| Stat::of(&before));
    if let (Some(cache), Some(stat)) = (cache, &stat) {
        if let Some(hit) = cache.lookup(&key(&entry.path.raw), stat) {
            progress.advance(stat.size());
            let (sha256, kind, parsed, stored) = match hit {
                Hit::Digest(sha256) => (sha256, None, None, None),
                Hit::Evidence(sha256, cached, bytes) => {
                    let cached = *cached;
                    (
                        sha256,
                        Some(cached.kind),
                        Some(Box::new(cached.parsed)),
                        Some(bytes),
                    )
                }
            };
            let hashed = Hashed {
                sha256,
                size: stat.size(),
                grew: false,
                kind,
                parsed,
                embedded: None,
                signed: false,
                findings: Vec::new(),
            };
            return (Outcome::Hashed(Box::new(hashed)), Some((*stat, stored)));
        }
        cache.missed();
    }
    match read_and_hash(
        &mut file,
        path,
        before.len(),
        buf,
        progress,
        cache.is_some(),
    ) {
        Ok(mut hashed) => {
            let after = file.metadata();
            let changed = match &after {
                Ok(after) => {
                    hashed.grew
                        || after.len() != hashed.size
                        || before.len() != hashed.size
                        || mtime(after) != mtime(&before)
                }
                Err(_) => true,
            };
            if changed {
                hashed.findings.push(
                    Finding::new(
                        FindingCode::ChangedWhileHashing,
                        Some(path),
                        format!(
                            "file changed while it was read (size {} at open, {} after; {} \
                             bytes hashed)",
                            before.len(),
                            after.as_ref().map_or(0, std::fs::Metadata::len),
                            hashed.size
                        ),
                    )
                    .with_help(
                        "build the bundle first, then run vouch on a bundle nothing writes to",
                    ),
                );
            }
            if hashed.size == 0 {
                hashed.findings.push(Finding::new(
                    FindingCode::EmptyFile,
                    Some(path),
                    "file is empty",
                ));
            }
            let unchanged = stat.is_some() && after.ok().as_ref().and_then(Stat::of) == stat;
            let store = match stat {
                Some(stat) if unchanged && cacheable(&hashed) => Some((stat, None)),
                Some(stat) if unchanged => cacheable_evidence(&hashed).map(|e| (stat, Some(e))),
                _ => None,
            };
            (Outcome::Hashed(Box::new(hashed)), store)
        }
        Err(e) => skipped(
            path,
            FindingCode::Unreadable,
            "unreadable",
            format!("cannot read: {e}"),
        ),
    }
}

/// Reads, hashes, classifies and (when evidence) parses one file. With `for_cache`, whether
/// it carries a signature anywhere inside is worked out too (an extra pass over checksum
/// files and security.txt, needed only to decide whether its parse may be cached).
fn read_and_hash(
    file: &mut File,
    path: &str,
    size: u64,
    buf: &mut [u8],
    progress: &dyn Progress,
    for_cache: bool,
) -> io::Result<Hashed> {
    let mut findings = Vec::new();
    // Ask for no more than the size seen at open: a small file is then read in one call.
    let head_len = HEAD_LEN.min(usize::try_from(size).unwrap_or(usize::MAX));
    // The buffer is sized from the walk's size; a file that grew since gets a head of its
    // own, so what detection sees never depends on the buffer.
    let mut own_head = Vec::new();
    let head_buf = match buf.get_mut(..head_len) {
        Some(head_buf) => head_buf,
        None => {
            own_head.resize(head_len, 0);
            own_head.as_mut_slice()
        }
    };
    let n = fill(file, head_buf)?;
    let head = head_buf.get(..n).unwrap_or_default();
    let format = formats::classify(&DetectInput::new(path, head, size));
    let embeds = crate::signatures::may_embed_signature(head);
    let cap = format.map_or(formats::DEFAULT_MAX_PARSE_SIZE, |f| f.max_parse_size());
    let mut keep: Option<Vec<u8>> = None;
    if format.is_some() || embeds {
        if size <= cap {
            let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            bytes.extend_from_slice(head);
            keep = Some(bytes);
        } else if let Some(format) = format {
            findings.push(too_large(path, format.kind(), size, cap));
        }
    }
    let mut hasher = sha2::Sha256::new();
    hasher.update(head);
    let mut total = n as u64;
    progress.advance(n as u64);
    // Read no more than the size seen at open, so a file that keeps growing cannot keep
    // ingestion busy forever; growth is then seen by one extra read.
    let mut grew = false;
    loop {
        let remaining = size.saturating_sub(total);
        let want = usize::try_from(remaining)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let window = if want == 0 {
            buf.get_mut(..1).unwrap_or_default()
        } else {
            buf.get_mut(..want).unwrap_or_default()
        };
        let n = match file.read(window) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if want == 0 {
            grew = true;
            break;
        }
        let chunk = buf.get(..n).unwrap_or_default();
        hasher.update(chunk);
        total = total.saturating_add(n as u64);
        progress.advance(n as u64);
        if let Some(bytes) = &mut keep {
            if total > cap {
                keep = None;
                if let Some(format) = format {
                    findings.push(too_large(path, format.kind(), total, cap));
                }
            } else {
                bytes.extend_from_slice(chunk);
            }
        }
    }
    let parsed = match (&keep, format) {
        (Some(bytes), Some(format)) => {
            let mut parsed = format.parse(&ParseInput { path, bytes });
            if let Some(evidence) = &mut parsed.evidence {
                evidence.shrink_to_fit();
            }
            Some(Box::new(parsed))
        }
        _ => None,
    };
    let embedded = match &keep {
        Some(bytes) => {
            crate::signatures::parse_embedded(path, format.map(|f| f.kind()), bytes).map(Box::new)
        }
        _ => None,
    };
    // Without a cache nothing reads it: `true` keeps any use fail-closed.
    let signed = !for_cache
        || embeds
        || embedded.is_some()
        || keep.as_deref().is_some_and(|bytes| {
            crate::signatures::embeds_signature(format.map(|f| f.kind()), bytes)
        });
    Ok(Hashed {
        sha256: Sha256Digest(hasher.finalize().into()),
        size: total,
        grew,
        kind: format.map(|f| f.kind()),
        parsed,
        embedded,
        signed,
        findings,
    })
}

fn too_large(path: &str, kind: EvidenceKind, size: u64, cap: u64) -> Finding {
    Finding::new(
        FindingCode::TooLargeToParse,
        Some(path),
        format!(
            "{} file is {size} bytes, more than the {cap} bytes vouch parses; not parsed",
            kind.as_str()
        ),
    )
    .with_help("evidence files of this kind are small; check that this is the intended file")
}

/// The sha256 and sha512 of a file, streamed, with its size; reads at most `limit` bytes
/// (a file that grew past it then has another sha256, which the caller reports).
pub(crate) fn sha256_and_sha512(
    path: &Path,
    limit: u64,
    buf: &mut [u8],
) -> io::Result<(Sha256Digest, Sha512Digest, u64)> {
    let file = open(path)?;
    crate::digest::sha256_and_sha512(&mut file.take(limit), buf)
}

#[cfg(test)]
#[path = "hash_tests.rs"]
mod tests;
