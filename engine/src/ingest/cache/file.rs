//! The cache file: reading it (a regular file, its header and fingerprint checked, its body
//! digest verified, its entries' evidence left encoded) and writing it (atomically).

use std::collections::HashMap;
use std::fs;
use std::io::{self, Write as _};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use super::codec::{self, Codec, Reader, Writer};
use super::{CACHE_FORMAT, Digests, Loaded, MAGIC, Stat};
use crate::digest::{Sha256Digest, Sha512Digest};

/// The largest cache file read (about four million entries); a larger one is ignored.
const MAX_CACHE_FILE: u64 = 1 << 30;

/// Reads the cache file: a regular file (not followed through a symlink, not a FIFO) of at
/// most [`MAX_CACHE_FILE`] bytes.
pub(super) fn read_cache_file(path: &Path) -> io::Result<Vec<u8>> {
    use std::io::Read as _;
    let file = crate::ingest::hash::open(path)?;
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

/// Reads a cache file; the error says why it is not used. The entries' evidence is left
/// encoded: its ranges are into `bytes`.
pub(super) fn parse(
    bytes: &[u8],
    fingerprint: &str,
) -> Result<HashMap<String, Loaded>, &'static str> {
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
    let base = bytes.len() - body.len();
    let mut r = Reader::new(body);
    let read = |r: &mut Reader<'_>| -> Result<(String, Loaded), codec::Malformed> {
        let key = String::dec(r)?;
        let stat = Stat::dec(r)?;
        let sha256 = Sha256Digest::dec(r)?;
        let sha512 = Option::<Sha512Digest>::dec(r)?;
        let evidence = match bool::dec(r)? {
            false => None,
            true => {
                let len = r.count()?;
                let start = base + body.len() - r.remaining();
                r.take(len)?;
                Some(start..start + len)
            }
        };
        let entry = Loaded {
            stat,
            sha256,
            sha512,
            evidence,
        };
        Ok((key, entry))
    };
    let count = r.count().map_err(|_| CORRUPT)?;
    let mut loaded = HashMap::with_capacity(count);
    for _ in 0..count {
        let (key, entry) = read(&mut r).map_err(|_| CORRUPT)?;
        if loaded.insert(key, entry).is_some() {
            return Err(CORRUPT);
        }
    }
    if !r.is_empty() {
        return Err(CORRUPT);
    }
    Ok(loaded)
}

/// The body of a cache file: its entries, each its key, stat, digests and encoded evidence.
fn encode_body(entries: &[(String, Digests)]) -> Vec<u8> {
    let mut w = Writer::default();
    w.uint(entries.len() as u64);
    for (key, digests) in entries {
        key.enc(&mut w);
        digests.stat.enc(&mut w);
        digests.sha256.enc(&mut w);
        digests.sha512.enc(&mut w);
        match &digests.evidence {
            None => false.enc(&mut w),
            Some(bytes) => {
                true.enc(&mut w);
                w.blob(bytes);
            }
        }
    }
    w.bytes
}

/// Writes the cache file: a temporary file beside it, renamed over it, so that a reader
/// (another evaluation) sees the old file or the new one, never a part.
pub(super) fn write(
    file: &Path,
    fingerprint: &str,
    entries: &[(String, Digests)],
) -> io::Result<()> {
    static SERIAL: AtomicU64 = AtomicU64::new(0);
    let body = encode_body(entries);
    // Written in two parts: the body of a large bundle's cache is tens of MB, not copied.
    let header = format!(
        "{MAGIC} {CACHE_FORMAT}\nfingerprint {fingerprint}\nbody-sha256 {}\n",
        Sha256Digest::of(&body).to_hex()
    );
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
        .and_then(|mut f| {
            f.write_all(header.as_bytes())?;
            f.write_all(&body)
        })
        .and_then(|()| fs::rename(&temp, file));
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}
