//! Checksum files made by the real tools (`sha256sum`, `sha512sum`, `shasum --tag`,
//! `openssl dgst`), verified against the files they name: match, one-byte tamper, missing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use crate::common;

use std::path::Path;

use common::*;
use vouch_engine::FindingCode;
use vouch_engine::formats::EvidenceKind;
use vouch_engine::graph::ChecksumStatus::{self, Error, Match, Mismatch, Missing};

/// A bundle with three files, one in a subdirectory.
fn bundle() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "widget-1.0.tar.gz", &vec![b'a'; 10_000]);
    write(dir.path(), "widget-1.0.zip", b"zip bytes\n");
    write(dir.path(), "sub/notes.bin", b"\x00\x01\x02binary");
    dir
}

const FILES: [&str; 3] = ["widget-1.0.tar.gz", "widget-1.0.zip", "sub/notes.bin"];

fn tamper(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[0] ^= 0x01;
    std::fs::write(path, bytes).unwrap();
}

fn expect(graph: &vouch_engine::EvidenceGraph, sums: &str, want: &[(&str, ChecksumStatus)]) {
    let got = statuses(graph, sums);
    let want: Vec<_> = want.iter().map(|(n, s)| (n.to_string(), *s)).collect();
    assert_eq!(got, want, "statuses of {sums}");
    assert_eq!(
        graph.file(sums).unwrap().1.kind,
        Some(EvidenceKind::Checksums),
        "{sums} is classified as checksums"
    );
}

/// Generates SUMS with `program args FILES`, then checks match, tamper and missing.
fn match_tamper_missing(program: &str, args: &[&str], sums: &str, names: [&str; 3]) {
    let dir = bundle();
    let mut argv: Vec<&str> = args.to_vec();
    argv.extend(FILES);
    let out = run(dir.path(), program, &argv);
    write(dir.path(), sums, &out);

    let graph = ingest(dir.path());
    expect(
        &graph,
        sums,
        &[(names[0], Match), (names[1], Match), (names[2], Match)],
    );
    assert!(graph.findings().is_empty(), "{:?}", graph.findings());

    tamper(&dir.path().join("widget-1.0.zip"));
    std::fs::remove_file(dir.path().join("sub/notes.bin")).unwrap();
    let graph = ingest(dir.path());
    expect(
        &graph,
        sums,
        &[(names[0], Match), (names[1], Mismatch), (names[2], Missing)],
    );
    assert!(is_missing_node(&graph, "sub/notes.bin"));
    // The lookups the evaluator uses agree with the entry statuses.
    let (zip, _) = graph.file("widget-1.0.zip").unwrap();
    let on_zip = graph.checksums_of(zip);
    assert_eq!(on_zip.len(), 1);
    assert_eq!(on_zip[0].1.status, Mismatch);
}

#[test]
fn sha256sum_text_mode() {
    if have("sha256sum", "sha256sum_text_mode") {
        match_tamper_missing("sha256sum", &[], "SHA256SUMS", FILES);
    }
}

#[test]
fn sha256sum_binary_mode() {
    if have("sha256sum", "sha256sum_binary_mode") {
        match_tamper_missing("sha256sum", &["-b"], "SHA256SUMS", FILES);
    }
}

#[test]
fn sha256sum_tag() {
    if have("sha256sum", "sha256sum_tag") {
        match_tamper_missing("sha256sum", &["--tag"], "SHA256SUMS", FILES);
    }
}

#[test]
fn shasum_bsd_tag() {
    if have("shasum", "shasum_bsd_tag") {
        let out = run(
            Path::new("."),
            "shasum",
            &["-a", "256", "--tag", "/dev/null"],
        );
        assert!(String::from_utf8_lossy(&out).starts_with("SHA256 (/dev/null) = "));
        match_tamper_missing("shasum", &["-a", "256", "--tag"], "CHECKSUMS.txt", FILES);
    }
}

#[test]
fn openssl_dgst_bsd() {
    if have("openssl", "openssl_dgst_bsd") {
        match_tamper_missing("openssl", &["dgst", "-sha256"], "checksums.txt", FILES);
    }
}

#[test]
fn openssl_dgst_reverse() {
    if have("openssl", "openssl_dgst_reverse") {
        match_tamper_missing("openssl", &["dgst", "-sha256", "-r"], "SHA256SUMS", FILES);
    }
}

#[test]
fn sha512sum_and_openssl_sha512() {
    if have("sha512sum", "sha512sum") {
        match_tamper_missing("sha512sum", &[], "SHA512SUMS", FILES);
    }
    if have("openssl", "openssl_sha512") {
        match_tamper_missing("openssl", &["dgst", "-sha512"], "SHA512SUMS", FILES);
    }
}

#[test]
fn content_classifies_without_a_sums_name() {
    if !have("sha256sum", "content_classifies") {
        return;
    }
    let dir = bundle();
    let out = run(dir.path(), "sha256sum", &FILES);
    write(dir.path(), "digests.txt", &out);
    let graph = ingest(dir.path());
    expect(
        &graph,
        "digests.txt",
        &[(FILES[0], Match), (FILES[1], Match), (FILES[2], Match)],
    );
}

#[test]
fn checksum_file_in_a_subdirectory_names_files_beside_it() {
    if !have("sha256sum", "subdirectory") {
        return;
    }
    let dir = bundle();
    let out = run(&dir.path().join("sub"), "sha256sum", &["./notes.bin"]);
    write(dir.path(), "sub/SHA256SUMS", &out);
    let graph = ingest(dir.path());
    expect(&graph, "sub/SHA256SUMS", &[("./notes.bin", Match)]);
    let entry = graph.checksum_entries().next().unwrap().1;
    assert_eq!(entry.path.as_deref(), Some("sub/notes.bin"));
}

#[test]
fn single_file_sha256_and_sha512() {
    if !have("sha256sum", "single_file") || !have("sha512sum", "single_file") {
        return;
    }
    let dir = bundle();
    // `NAME.sha256` holding `HEX  NAME`, as sha256sum writes it.
    let out = run(dir.path(), "sha256sum", &["widget-1.0.tar.gz"]);
    write(dir.path(), "widget-1.0.tar.gz.sha256", &out);
    // `NAME.sha512` holding a bare digest.
    let out = run(dir.path(), "sha512sum", &["widget-1.0.zip"]);
    let bare = String::from_utf8(out).unwrap();
    let bare = bare.split_whitespace().next().unwrap().to_owned();
    write(dir.path(), "widget-1.0.zip.sha512", bare.as_bytes());
    let graph = ingest(dir.path());
    expect(
        &graph,
        "widget-1.0.tar.gz.sha256",
        &[("widget-1.0.tar.gz", Match)],
    );
    expect(
        &graph,
        "widget-1.0.zip.sha512",
        &[("widget-1.0.zip", Match)],
    );

    tamper(&dir.path().join("widget-1.0.zip"));
    let graph = ingest(dir.path());
    expect(
        &graph,
        "widget-1.0.zip.sha512",
        &[("widget-1.0.zip", Mismatch)],
    );
}

#[test]
fn escaped_names_from_sha256sum() {
    if !have("sha256sum", "escaped_names") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "back\\slash.bin", b"x");
    let out = run(dir.path(), "sha256sum", &["back\\slash.bin"]);
    assert!(out.starts_with(b"\\"), "sha256sum escapes the name");
    write(dir.path(), "SHA256SUMS", &out);
    let graph = ingest(dir.path());
    expect(&graph, "SHA256SUMS", &[("back\\slash.bin", Match)]);
}

#[test]
fn malformed_lines_and_duplicates_are_findings_with_lines() {
    if !have("sha256sum", "malformed") {
        return;
    }
    let dir = bundle();
    let good = String::from_utf8(run(dir.path(), "sha256sum", &FILES)).unwrap();
    let other = format!("{}  widget-1.0.zip\n", "0".repeat(64));
    let text = format!(
        "{good}this line is junk\n{other}{}  ../outside.tar.gz\n",
        "1".repeat(64)
    );
    write(dir.path(), "SHA256SUMS", text.as_bytes());
    let graph = ingest(dir.path());
    let at = findings_at(&graph, "SHA256SUMS");
    assert!(
        at.contains(&(FindingCode::ChecksumMalformedLine, Some(4))),
        "{at:?}"
    );
    assert!(
        at.contains(&(FindingCode::ChecksumDuplicateName, Some(5))),
        "{at:?}"
    );
    assert!(
        at.contains(&(FindingCode::ChecksumNameOutsideBundle, Some(6))),
        "{at:?}"
    );
    let malformed = graph
        .findings()
        .iter()
        .find(|f| f.code == FindingCode::ChecksumMalformedLine)
        .unwrap();
    assert_eq!(malformed.column, Some(1));
    assert!(malformed.message.contains("this line is junk"));
    // Both digests of the duplicate name are kept and verified: one matches, one does not.
    let zip: Vec<_> = statuses(&graph, "SHA256SUMS")
        .into_iter()
        .filter(|(n, _)| n == "widget-1.0.zip")
        .map(|(_, s)| s)
        .collect();
    assert_eq!(zip, [Match, Mismatch]);
}

#[test]
fn unreadable_target_is_an_error_status() {
    if !have("mkfifo", "unreadable_target") || !have("sha256sum", "unreadable_target") {
        return;
    }
    let dir = bundle();
    run(dir.path(), "mkfifo", &["pipe"]);
    let text = format!("{}  pipe\n", "2".repeat(64));
    write(dir.path(), "SHA256SUMS", text.as_bytes());
    let graph = ingest(dir.path());
    expect(&graph, "SHA256SUMS", &[("pipe", Error)]);
    assert!(is_missing_node(&graph, "pipe"));
}
