//! Digests: the sha256 every file carries, the sha512 some checksum files ask for, hex text.

use std::fmt;
use std::io::Read;

use serde::Serialize;
use sha2::Digest as _;

/// A SHA-256 digest.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sha256Digest(pub [u8; 32]);

/// A SHA-512 digest.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sha512Digest(pub [u8; 64]);

impl Sha256Digest {
    /// The SHA-256 of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Sha256Digest(sha2::Sha256::digest(bytes).into())
    }

    /// Lowercase hex, 64 characters.
    pub fn to_hex(&self) -> String {
        self.hex_in(&mut [0; 64]).to_owned()
    }

    /// Lowercase hex, 64 characters, written into `buf` (no allocation).
    pub fn hex_in<'b>(&self, buf: &'b mut [u8; 64]) -> &'b str {
        for (pair, byte) in buf.chunks_exact_mut(2).zip(self.0) {
            if let [high, low] = pair {
                *high = hex_digit(byte >> 4);
                *low = hex_digit(byte & 0x0f);
            }
        }
        std::str::from_utf8(buf).unwrap_or_default()
    }

    /// Parses 64 hex digits (either case).
    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes = parse_hex(text)?;
        bytes.try_into().ok().map(Sha256Digest)
    }
}

/// A writer that hashes what it passes on: the SHA-256 of a report written straight to its
/// file, without holding the whole report in memory.
#[derive(Debug)]
pub struct Sha256Writer<W> {
    inner: W,
    hasher: sha2::Sha256,
}

impl<W: std::io::Write> Sha256Writer<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        Sha256Writer {
            inner,
            hasher: sha2::Sha256::new(),
        }
    }

    /// The digest of everything written, and the inner writer (not flushed).
    pub fn finish(self) -> (Sha256Digest, W) {
        (Sha256Digest(self.hasher.finalize().into()), self.inner)
    }
}

impl<W: std::io::Write> std::io::Write for Sha256Writer<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(buf.get(..n).unwrap_or(buf));
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl Sha512Digest {
    /// Lowercase hex, 128 characters.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// Parses 128 hex digits (either case).
    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes = parse_hex(text)?;
        let bytes: [u8; 64] = bytes.try_into().ok()?;
        Some(Sha512Digest(bytes))
    }
}

impl Serialize for Sha512Digest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl fmt::Display for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.to_hex())
    }
}

impl fmt::Display for Sha512Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Sha512Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha512:{}", self.to_hex())
    }
}

impl Serialize for Sha256Digest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().saturating_mul(2));
    for &b in bytes {
        out.push(char::from(hex_digit(b >> 4)));
        out.push(char::from(hex_digit(b & 0x0f)));
    }
    out
}

/// The lowercase hex digit of a nibble (the low four bits of `nibble`).
fn hex_digit(nibble: u8) -> u8 {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    DIGITS
        .get(usize::from(nibble & 0x0f))
        .copied()
        .unwrap_or(b'0')
}

/// Parses hex digits (either case) into bytes; `None` when odd-length or not hex.
pub fn parse_hex(text: &str) -> Option<Vec<u8>> {
    let text = text.as_bytes();
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.chunks_exact(2)
        .map(|pair| match pair {
            [hi, lo] => Some((hex_value(*hi)? << 4) | hex_value(*lo)?),
            _ => None,
        })
        .collect()
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// The sha256 and sha512 of everything `reader` yields, streamed through `buf`, with the
/// number of bytes read.
pub(crate) fn sha256_and_sha512(
    reader: &mut impl Read,
    buf: &mut [u8],
) -> std::io::Result<(Sha256Digest, Sha512Digest, u64)> {
    let mut sha256 = sha2::Sha256::new();
    let mut sha512 = sha2::Sha512::new();
    let mut total: u64 = 0;
    loop {
        let n = match reader.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = buf.get(..n).unwrap_or_default();
        sha256.update(chunk);
        sha512.update(chunk);
        total = total.saturating_add(n as u64);
    }
    Ok((
        Sha256Digest(sha256.finalize().into()),
        Sha512Digest(sha512.finalize().into()),
        total,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        let d = Sha256Digest::of(b"abc");
        assert_eq!(
            d.to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(Sha256Digest::from_hex(&d.to_hex().to_uppercase()), Some(d));
        assert_eq!(parse_hex("0g"), None);
        assert_eq!(parse_hex("abc"), None);
    }

    #[test]
    fn streaming_matches_one_shot() {
        let data = vec![7u8; 100_000];
        let mut buf = vec![0u8; 4096];
        let (s256, s512, n) = sha256_and_sha512(&mut data.as_slice(), &mut buf).unwrap();
        assert_eq!(n, 100_000);
        assert_eq!(s256, Sha256Digest::of(&data));
        let one_shot: [u8; 64] = sha2::Sha512::digest(&data).into();
        assert_eq!(s512.0, one_shot);
    }

    #[test]
    fn a_writer_hashes_what_it_passes_on() {
        use std::io::Write as _;
        let mut writer = Sha256Writer::new(Vec::new());
        writer.write_all(b"ab").unwrap();
        writer.write_all(b"c").unwrap();
        let (digest, bytes) = writer.finish();
        assert_eq!(bytes, b"abc");
        assert_eq!(digest, Sha256Digest::of(b"abc"));
    }
}
