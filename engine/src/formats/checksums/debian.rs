//! Debian archive metadata as checksum sources: a `Release` file (or `InRelease`, its
//! cleartext-signed form) lists the SHA-256 (and SHA-512) and size of every index of its
//! suite, relative to its own directory (`dists/SUITE/`); a `Packages` index (plain, `.gz` or
//! `.xz`) lists the `Filename`, `Size` and `SHA256` (and `SHA512`) of every package, relative
//! to the archive root (the directory holding `dists/`). Both are deb822 paragraphs
//! ("Field: value", continuation lines start with a space). Parsing is bounded: at most
//! [`MAX_ENTRIES`] entries, a decompressed index of at most [`MAX_DECOMPRESSED`] bytes, and
//! at most [`super::MAX_LINE_FINDINGS`] findings about lines (then one that counts the rest).

use std::io::{Read, Write};

use jiff::Timestamp;

use super::lines::{self, BodyLine, body_lines};
use super::{Algorithm, ChecksumEntry, ChecksumList, ChecksumSyntax, LineFindings};
use crate::digest::parse_hex;
use crate::finding::{Finding, FindingCode};
use crate::formats::{Evidence, Parsed};

/// The most entries one Release or Packages file may give (Debian's largest `Packages`
/// index lists about 65,000 packages).
pub const MAX_ENTRIES: usize = 1_000_000;

/// The most bytes a compressed `Packages.gz` / `Packages.xz` may decompress to.
pub const MAX_DECOMPRESSED: u64 = 256 * 1024 * 1024;

/// Which Debian file a text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DebianKind {
    /// `Release` / `InRelease`.
    Release,
    /// `Packages`.
    Packages,
}

/// The name-given kind: `InRelease`, `Release`, `Packages`, `Packages.gz`, `Packages.xz`.
pub(crate) fn kind_by_name(file_name: &str) -> Option<DebianKind> {
    match file_name {
        "InRelease" | "Release" => Some(DebianKind::Release),
        "Packages" | "Packages.gz" | "Packages.xz" => Some(DebianKind::Packages),
        _ => None,
    }
}

/// Whether `text` names a field [`kind_by_content`] needs one of before it can say yes (a
/// `Suite:`, `Codename:` or `Origin:` for a Release file, a `Filename:` for a Packages
/// index): a few fast searches that spare most files the line-by-line reading.
pub(crate) fn may_name_kind(text: &str) -> bool {
    ["Suite:", "Codename:", "Origin:", "Filename:"]
        .iter()
        .any(|field| text.contains(field))
}

/// The kind the content shows: a Release paragraph has a `SHA256:` (or `SHA512:`,
/// `MD5Sum:`) field with an empty first line and a `Suite:`, `Codename:` or `Origin:`
/// field; a Packages index has `Package:` and `Filename:` fields.
pub(crate) fn kind_by_content<'a>(lines: impl Iterator<Item = &'a str>) -> Option<DebianKind> {
    let (mut digests, mut suite, mut package, mut filename) = (false, false, false, false);
    for line in lines.take(4096) {
        let line = line.trim_end_matches('\r');
        if line.starts_with(' ') || line.starts_with('\t') {
            continue;
        }
        let Some((field, value)) = line.split_once(':') else {
            continue;
        };
        match field {
            "SHA256" | "SHA512" | "MD5Sum" | "SHA1" if value.trim().is_empty() => digests = true,
            "Suite" | "Codename" | "Origin" => suite = true,
            "Package" => package = true,
            "Filename" => filename = true,
            _ => {}
        }
        if digests && suite {
            return Some(DebianKind::Release);
        }
        if package && filename {
            return Some(DebianKind::Packages);
        }
    }
    None
}

/// What reading a Debian file found, besides its entries.
#[derive(Debug, Default)]
pub(crate) struct DebianRead {
    pub entries: Vec<ChecksumEntry>,
    /// `Date:` of a Release file.
    pub date: Option<Timestamp>,
    /// `Valid-Until:` of a Release file.
    pub valid_until: Option<Timestamp>,
    /// The date fields (`Date`, `Valid-Until`) present but not readable as dates.
    pub unreadable_dates: Vec<String>,
    /// Problems, each with its 1-based line: (line, message).
    pub problems: Vec<(u32, String)>,
    /// Lines naming only algorithms vouch does not verify (MD5Sum, SHA1): (line, algorithm).
    pub unsupported: Vec<(u32, String)>,
}

/// Reads a Release file's fields from its body lines.
pub(crate) fn read_release<'a>(lines: impl Iterator<Item = BodyLine<'a>>) -> DebianRead {
    let mut out = DebianRead::default();
    let mut current: Option<Algorithm> = None;
    let mut supported_seen = false;
    let mut unsupported_seen: Option<(u32, String)> = None;
    for line in lines {
        let no = line_no(line.index);
        let text = line.text.trim_end_matches('\r');
        if text.starts_with(' ') || text.starts_with('\t') {
            let Some(algorithm) = current else { continue };
            if out.entries.len() >= MAX_ENTRIES {
                out.problems.push((
                    no,
                    format!("more than {MAX_ENTRIES} entries; the rest are not read"),
                ));
                break;
            }
            match release_entry(text.trim(), algorithm) {
                Ok((digest, size, name)) => out.entries.push(ChecksumEntry {
                    line: no,
                    algorithm,
                    digest,
                    name,
                    syntax: ChecksumSyntax::DebianRelease,
                    size: Some(size),
                }),
                Err(why) => out.problems.push((no, why)),
            }
            continue;
        }
        current = None;
        if text.trim().is_empty() {
            continue;
        }
        let Some((field, value)) = text.split_once(':') else {
            out.problems.push((
                no,
                format!("`{}` is not a `Field: value` line", shorten(text)),
            ));
            continue;
        };
        let value = value.trim();
        match field {
            "SHA256" => {
                current = Some(Algorithm::Sha256);
                supported_seen = true;
            }
            "SHA512" => {
                current = Some(Algorithm::Sha512);
                supported_seen = true;
            }
            "MD5Sum" | "SHA1" => {
                unsupported_seen.get_or_insert((no, field.to_owned()));
            }
            "Date" => match parse_date(value) {
                Some(t) => out.date = Some(t),
                None => {
                    out.unreadable_dates.push("Date".to_owned());
                    out.problems.push((
                        no,
                        format!(
                            "`Date: {}` is not an RFC 2822 date; the index is stale (its date \
                             cannot be judged)",
                            shorten(value)
                        ),
                    ));
                }
            },
            "Valid-Until" => match parse_date(value) {
                Some(t) => out.valid_until = Some(t),
                None => {
                    out.unreadable_dates.push("Valid-Until".to_owned());
                    out.problems.push((
                        no,
                        format!(
                            "`Valid-Until: {}` is not an RFC 2822 date; the index is stale (its \
                             validity cannot be judged)",
                            shorten(value)
                        ),
                    ));
                }
            },
            _ => {}
        }
    }
    if !supported_seen && let Some(u) = unsupported_seen {
        out.unsupported.push(u);
    }
    out
}

/// ` HEX SIZE PATH` of a Release digest field.
fn release_entry(text: &str, algorithm: Algorithm) -> Result<(Vec<u8>, u64, String), String> {
    let mut parts = text.split_whitespace();
    let (Some(hex), Some(size), Some(name), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(format!("`{}` is not `DIGEST SIZE PATH`", shorten(text)));
    };
    let digest = digest_of(hex, algorithm)?;
    let size = size
        .parse::<u64>()
        .map_err(|_| format!("size `{}` is not a number", shorten(size)))?;
    Ok((digest, size, name.to_owned()))
}

fn digest_of(hex: &str, algorithm: Algorithm) -> Result<Vec<u8>, String> {
    let want = match algorithm {
        Algorithm::Sha256 => 64,
        Algorithm::Sha512 => 128,
    };
    match parse_hex(hex) {
        Some(d) if hex.len() == want => Ok(d),
        _ => Err(format!(
            "`{}` is not a {want}-digit hex {} digest",
            shorten(hex),
            algorithm.as_str()
        )),
    }
}

/// Reads a Packages index: one entry per digest field of each paragraph with a `Filename`.
pub(crate) fn read_packages(text: &str) -> DebianRead {
    let mut out = DebianRead::default();
    let mut paragraph = Paragraph::default();
    for (index, raw) in text.split('\n').enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            paragraph.finish(&mut out);
            if out.entries.len() >= MAX_ENTRIES {
                out.problems.push((
                    line_no(index),
                    format!("more than {MAX_ENTRIES} entries; the rest are not read"),
                ));
                return out;
            }
            continue;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            continue;
        }
        let no = line_no(index);
        let Some((field, value)) = line.split_once(':') else {
            out.problems.push((
                no,
                format!("`{}` is not a `Field: value` line", shorten(line)),
            ));
            continue;
        };
        let value = value.trim();
        match field {
            "Package" => paragraph.package = Some(value.to_owned()),
            "Filename" => paragraph.filename = Some((no, value.to_owned())),
            "Size" => paragraph.size = value.parse().ok(),
            "SHA256" => paragraph
                .digests
                .push((no, Algorithm::Sha256, value.to_owned())),
            "SHA512" => paragraph
                .digests
                .push((no, Algorithm::Sha512, value.to_owned())),
            "MD5sum" | "SHA1" => paragraph.weak = true,
            _ => {}
        }
    }
    paragraph.finish(&mut out);
    out
}

#[derive(Default)]
struct Paragraph {
    package: Option<String>,
    filename: Option<(u32, String)>,
    size: Option<u64>,
    digests: Vec<(u32, Algorithm, String)>,
    weak: bool,
}

impl Paragraph {
    fn finish(&mut self, out: &mut DebianRead) {
        let p = std::mem::take(self);
        let Some((name_line, name)) = p.filename else {
            if let Some(package) = p.package {
                out.problems.push((
                    0,
                    format!("package `{}` has no `Filename`", shorten(&package)),
                ));
            }
            return;
        };
        if p.digests.is_empty() {
            let what = if p.weak {
                "only MD5 or SHA-1 digests, which vouch does not verify"
            } else {
                "no `SHA256` field"
            };
            out.problems
                .push((name_line, format!("`{}` has {what}", shorten(&name))));
            return;
        }
        for (line, algorithm, hex) in p.digests {
            match digest_of(&hex, algorithm) {
                Ok(digest) => out.entries.push(ChecksumEntry {
                    line,
                    algorithm,
                    digest,
                    name: name.clone(),
                    syntax: ChecksumSyntax::DebianPackages,
                    size: p.size,
                }),
                Err(why) => out.problems.push((line, why)),
            }
        }
    }
}

/// The archive root a Packages index at `path` names files from: the directory holding its
/// `dists/` component (`dists/SUITE/main/binary-amd64/Packages` -> the bundle root), or its
/// own directory for a flat repository.
pub(crate) fn archive_root(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    match parts.iter().rposition(|p| *p == "dists") {
        Some(i) => parts.get(..i).unwrap_or_default().join("/"),
        None => crate::bundle_path::parent(path).to_owned(),
    }
}

/// The bytes of a `Packages.gz` / `Packages.xz` decompressed (at most
/// [`MAX_DECOMPRESSED`]); plain bytes as they are.
pub(crate) fn decompress(file_name: &str, bytes: &[u8]) -> Result<Vec<u8>, String> {
    if file_name.ends_with(".gz") {
        let mut out = Vec::new();
        let reader = flate2::read::MultiGzDecoder::new(bytes);
        reader
            .take(MAX_DECOMPRESSED.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|e| format!("is not valid gzip data: {e}"))?;
        if out.len() as u64 > MAX_DECOMPRESSED {
            return Err(format!(
                "decompresses to more than {MAX_DECOMPRESSED} bytes"
            ));
        }
        Ok(out)
    } else if file_name.ends_with(".xz") {
        let mut sink = Capped {
            out: Vec::new(),
            cap: MAX_DECOMPRESSED,
        };
        let mut input = bytes;
        match lzma_rs::xz_decompress(&mut input, &mut sink) {
            Ok(()) => Ok(sink.out),
            Err(_) if sink.out.len() as u64 >= MAX_DECOMPRESSED => Err(format!(
                "decompresses to more than {MAX_DECOMPRESSED} bytes"
            )),
            Err(e) => Err(format!("is not valid xz data: {e}")),
        }
    } else {
        Ok(bytes.to_vec())
    }
}

/// A writer that refuses to grow past `cap` bytes.
struct Capped {
    out: Vec<u8>,
    cap: u64,
}

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if (self.out.len() as u64).saturating_add(buf.len() as u64) > self.cap {
            return Err(std::io::Error::other("decompressed data too large"));
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// An RFC 2822 date as Debian writes it (`Sat, 05 Dec 2026 02:11:04 UTC`; `UTC` and `Z` are
/// taken as `+0000`).
pub(crate) fn parse_date(value: &str) -> Option<Timestamp> {
    let value = value.trim();
    let normal = value
        .strip_suffix(" UTC")
        .or_else(|| value.strip_suffix(" Z"))
        .map_or_else(|| value.to_owned(), |rest| format!("{rest} +0000"));
    jiff::fmt::rfc2822::parse(&normal)
        .ok()
        .map(|z| z.timestamp())
}

/// A Debian `Release`/`InRelease` or `Packages` file as a checksum list.
pub(super) fn list(path: &str, text: &str, kind: DebianKind) -> Parsed {
    let read = match kind {
        DebianKind::Release => read_release(body_lines(text.lines())),
        DebianKind::Packages => read_packages(text),
    };
    let mut findings = Vec::new();
    let mut capped = LineFindings::default();
    for (line, why) in read.problems {
        let mut f = Finding::new(FindingCode::ChecksumMalformedLine, Some(path), why).with_help(
            "Debian archive metadata is deb822: `Field: value`, digests as `HEX SIZE PATH`",
        );
        if line > 0 {
            f = f.at_line(line);
        }
        capped.push(f);
    }
    for (line, algorithm) in read.unsupported {
        capped.push(
            Finding::new(
                FindingCode::ChecksumUnsupportedAlgorithm,
                Some(path),
                format!("only `{algorithm}` digests, which vouch does not verify"),
            )
            .at_line(line)
            .with_help("vouch verifies SHA256 and SHA512 fields"),
        );
    }
    capped.finish(path, &mut findings);
    let base = match kind {
        DebianKind::Packages => Some(archive_root(path)),
        DebianKind::Release => None,
    };
    if read.entries.is_empty() && findings.is_empty() {
        findings.push(
            Finding::new(
                FindingCode::ChecksumNoEntries,
                Some(path),
                "Debian archive metadata lists no SHA256 or SHA512 digest",
            )
            .with_help("a Release file lists its indexes under `SHA256:`; a Packages index gives each package's `SHA256`"),
        );
    }
    Parsed {
        evidence: Some(Evidence::Checksums(ChecksumList {
            entries: read.entries,
            pgp_cleartext: lines::has_signed_message(text),
            base,
            date: read.date,
            valid_until: read.valid_until,
            unreadable_dates: read.unreadable_dates,
        })),
        findings,
    }
}

fn line_no(index: usize) -> u32 {
    crate::finding::saturate_u32(index.saturating_add(1))
}

fn shorten(text: &str) -> String {
    let mut chars = text.chars();
    let short: String = chars.by_ref().take(80).collect();
    if chars.next().is_some() {
        format!("{short}...")
    } else {
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn body(text: &str) -> impl Iterator<Item = BodyLine<'_>> {
        super::super::lines::body_lines(text.lines())
    }

    /// The pre-check never says no where the reading says yes: on the two kinds, on files of
    /// every other kind, and on a field only ever seen past a first line.
    #[test]
    fn the_pre_check_never_hides_a_kind() {
        let release = "Origin: Debian\nSHA256:\n";
        let packages = "Package: a\nFilename: a.deb\n";
        for text in [release, packages] {
            assert!(kind_by_content(text.lines()).is_some() && may_name_kind(text));
        }
        assert!(!may_name_kind("{\"name\": \"x\"}\n[release]\nsuite = 1\n"));
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for dir in [root.join("examples"), root.join("../shared/corpus")] {
            for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
                let Ok(text) = std::fs::read_to_string(entry.path()) else {
                    continue;
                };
                if kind_by_content(text.lines()).is_some() {
                    assert!(may_name_kind(&text), "{}", entry.path().display());
                }
            }
        }
    }

    #[test]
    fn release_fields_and_entries() {
        let text = format!(
            "Origin: Debian\nSuite: stable\nDate: Sat, 05 Dec 2026 02:11:04 UTC\n\
             Valid-Until: Sat, 12 Dec 2026 02:11:04 UTC\nMD5Sum:\n 00 0 x\nSHA256:\n {H}        0 main/binary-amd64/Packages\n {H} bad\n"
        );
        assert_eq!(kind_by_content(text.lines()), Some(DebianKind::Release));
        let read = read_release(body(&text));
        assert_eq!(read.entries.len(), 1);
        assert_eq!(read.entries[0].name, "main/binary-amd64/Packages");
        assert_eq!(read.entries[0].size, Some(0));
        assert_eq!(read.entries[0].line, 8);
        assert_eq!(read.date.unwrap().to_string(), "2026-12-05T02:11:04Z");
        assert_eq!(
            read.valid_until.unwrap().to_string(),
            "2026-12-12T02:11:04Z"
        );
        assert_eq!(read.problems.len(), 1, "{:?}", read.problems);
        assert!(read.unsupported.is_empty());
    }

    #[test]
    fn packages_paragraphs() {
        let text = format!(
            "Package: a\nFilename: pool/main/a/a.deb\nSize: 3\nSHA256: {H}\nDescription: x\n continued\n\n\
             Package: b\nFilename: pool/main/b/b.deb\nMD5sum: 00\n\nPackage: c\nSHA256: {H}\n"
        );
        assert_eq!(kind_by_content(text.lines()), Some(DebianKind::Packages));
        let read = read_packages(&text);
        assert_eq!(read.entries.len(), 1);
        assert_eq!(read.entries[0].name, "pool/main/a/a.deb");
        assert_eq!(read.entries[0].size, Some(3));
        assert_eq!(read.entries[0].line, 4);
        assert_eq!(read.problems.len(), 2, "{:?}", read.problems);
    }

    #[test]
    fn archive_roots() {
        assert_eq!(
            archive_root("dists/bookworm/main/binary-amd64/Packages"),
            ""
        );
        assert_eq!(
            archive_root("debian/dists/bookworm/main/binary-amd64/Packages.xz"),
            "debian"
        );
        assert_eq!(archive_root("flat/Packages"), "flat");
    }

    #[test]
    fn decompression_is_bounded_and_checked() {
        assert!(decompress("Packages.gz", b"not gzip").is_err());
        assert!(decompress("Packages.xz", b"not xz").is_err());
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"Package: a\n").unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(decompress("Packages.gz", &gz).unwrap(), b"Package: a\n");
        let mut xz = Vec::new();
        lzma_rs::xz_compress(&mut &b"Package: b\n"[..], &mut xz).unwrap();
        assert_eq!(decompress("Packages.xz", &xz).unwrap(), b"Package: b\n");
    }
}
