//! Tests of the read buffer: its length, and that what a file is read as never depends on it.

use super::*;
use crate::ingest::NoProgress;

#[test]
fn the_buffer_fits_the_file_from_4_kib_to_256_kib() {
    for (size, len) in [
        (0, 4096),
        (1, 4096),
        (4096, 4096),
        (4097, 8192),
        (7192, 8192),
        (65_536, 65_536),
        (200_000, BUF_LEN),
        (BUF_LEN as u64, BUF_LEN),
        (BUF_LEN as u64 + 1, BUF_LEN),
        (u64::MAX, BUF_LEN),
    ] {
        assert_eq!(buffer_len(size), len, "size {size}");
    }
}

#[test]
fn a_buffer_grows_and_never_shrinks() {
    assert!(with_read_buffer(100_000, |buf| buf.len()) >= 131_072);
    assert!(with_read_buffer(10, |buf| buf.len()) >= 131_072);
}

/// Reads `path` through a buffer of `len` bytes, as if the walk had seen `size` bytes.
fn read_with(path: &Path, len: usize) -> (String, String, bool) {
    let mut file = File::open(path).unwrap();
    let size = file.metadata().unwrap().len();
    let mut buf = vec![0u8; len];
    let hashed = read_and_hash(&mut file, "x.json", size, &mut buf, &NoProgress, false).unwrap();
    (
        hashed.sha256.to_hex(),
        format!("{:?}", hashed.kind),
        hashed.parsed.is_some_and(|p| p.evidence.is_some()),
    )
}

#[test]
fn a_file_larger_than_the_buffer_is_detected_and_parsed_as_with_a_large_one() {
    // A CycloneDX SBOM of 90 KB, more than the 64 KiB head: through a buffer of 16 bytes (a
    // file that grew after the walk sized the buffer) it is read exactly as through 256 KiB.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sbom.cdx.json");
    let components: Vec<String> = (0..900)
        .map(|i| {
            format!(
                r#"{{"type": "library", "name": "component-number-{i:04}", "version": "1.0.{i}", "purl": "pkg:cargo/component-number-{i:04}@1.0.{i}"}}"#
            )
        })
        .collect();
    let text = format!(
        r#"{{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": [{}]}}"#,
        components.join(",")
    );
    assert!(text.len() > HEAD_LEN);
    std::fs::write(&path, &text).unwrap();
    let large = read_with(&path, BUF_LEN);
    assert!(large.1.contains("Sbom"), "{large:?}");
    assert!(large.2, "{large:?}");
    assert_eq!(read_with(&path, 16), large);
    assert_eq!(read_with(&path, buffer_len(100)), large);
}
