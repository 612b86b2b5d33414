//! The checksum file reader (GNU and BSD lines, `distinfo`, Debian `Release`/`Packages`, signed
//! and compressed ones, chains of sums files) on any bytes and names. It must not panic, must read
//! the same bytes the same way twice, and must find at most one entry per line of the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vouch_engine::formats::{Evidence, EvidenceKind, ParseInput, format_of};
use vouch_fuzz::{ingest_as, named, read_as};

fuzz_target!(|data: &[u8]| {
    let (path, bytes) = named(data, "SHA256SUMS");
    read_as(EvidenceKind::Checksums, &path, bytes);
    ingest_as(&path, bytes);
    let Some(format) = format_of(EvidenceKind::Checksums) else {
        return;
    };
    let parsed = format.parse(&ParseInput { path: &path, bytes });
    let compressed = [".gz", ".xz", ".lz4", ".bz2"]
        .iter()
        .any(|s| path.ends_with(s));
    if let Some(Evidence::Checksums(list)) = &parsed.evidence
        && !compressed
    {
        let lines = bytes.split(|b| *b == b'\n').count();
        assert!(
            list.entries.len() <= lines,
            "{} entries from {lines} lines",
            list.entries.len()
        );
    }
});
