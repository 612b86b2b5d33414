//! Inputs the fuzz targets (`fuzz/`) found crashing or breaking a property, kept as regression
//! tests that run without nightly or cargo-fuzz: every file under `fixtures/fuzz/TARGET/` is
//! read as the fuzz target read it (its first line the file's bundle path when short, see
//! `vouch_fuzz::named`) by every registered evidence reader, by ingestion's detection and by
//! the embedded-signature reader, twice each. Nothing may panic and both reads must agree.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use std::path::Path;

use vouch_engine::formats::{
    DetectInput, Evidence, HEAD_LEN, ParseInput, Parsed, REGISTRY, classify,
};
use vouch_engine::signatures::parse_embedded;

/// The fuzz targets' reading of an input: a short first line names the file.
fn named<'a>(data: &'a [u8], default: &str) -> (String, &'a [u8]) {
    match data.iter().take(201).position(|b| *b == b'\n') {
        Some(end) if end > 0 => {
            let name = String::from_utf8_lossy(&data[..end]);
            let name = name.trim_matches('/').replace('\0', "");
            if name.is_empty() {
                (default.to_owned(), &data[end + 1..])
            } else {
                (name, &data[end + 1..])
            }
        }
        _ => (default.to_owned(), data),
    }
}

/// Debug text of a parse, with public keys by their description (OpenPGP keys hold a map).
fn describe(parsed: &Parsed) -> String {
    let evidence = match &parsed.evidence {
        Some(Evidence::PublicKeys(keys)) => keys
            .iter()
            .map(|k| format!("{} {:?}\n", k.origin, k.key.describe()))
            .collect(),
        other => format!("{other:?}"),
    };
    format!("{evidence}\n{:?}", parsed.findings)
}

/// Whether `text` has the word of a Rust backtrace that the input (`path`, `bytes`) did not
/// have: a reader may quote what it read (a field name, the file name), never a backtrace.
fn added_backtrace(text: &str, path: &str, bytes: &[u8]) -> bool {
    let has = |b: &[u8]| b.windows(8).any(|w| w.eq_ignore_ascii_case(b"acktrace"));
    has(text.as_bytes()) && !has(path.as_bytes()) && !has(bytes)
}

fn read_everywhere(path: &str, bytes: &[u8]) {
    let head = &bytes[..HEAD_LEN.min(bytes.len())];
    let detect = DetectInput::new(path, head, bytes.len() as u64);
    for format in REGISTRY {
        let _ = format.detect(&detect);
        let input = ParseInput { path, bytes };
        // Two calls from two places: a result that depends on where it is asked from (a
        // backtrace in a finding) differs.
        let a = describe(&format.parse(&input));
        let b = describe(&format.parse(&input));
        assert_eq!(
            a,
            b,
            "{} read {path} differently twice",
            format.kind().as_str()
        );
        assert!(
            !added_backtrace(&a, path, bytes),
            "{}: a backtrace in {a}",
            format.kind().as_str()
        );
    }
    let kind = classify(&detect).map(|f| f.kind());
    let a = parse_embedded(path, kind, bytes).map(|p| describe(&p));
    let b = parse_embedded(path, kind, bytes).map(|p| describe(&p));
    assert_eq!(
        a, b,
        "the embedded signature of {path} read differently twice"
    );
    assert!(
        !added_backtrace(&a.unwrap_or_default(), path, bytes),
        "a backtrace in the embedded signature of {path}"
    );
}

#[test]
fn every_kept_fuzz_input_reads_without_panic_and_the_same_twice() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut seen = 0;
    for target in std::fs::read_dir(&root).unwrap() {
        let target = target.unwrap().path();
        for file in std::fs::read_dir(&target).unwrap() {
            let file = file.unwrap().path();
            let data = std::fs::read(&file).unwrap();
            let (path, bytes) = named(&data, "evidence");
            read_everywhere(&path, bytes);
            seen += 1;
        }
    }
    assert!(seen > 0, "no kept fuzz inputs under {}", root.display());
}
