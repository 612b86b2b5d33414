//! Bounded resources inside a bundle: hard links out of the bundle are not read, findings
//! per file are capped with a count, and text output escapes control characters in names.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

mod common;

use common::*;
use vouch_engine::FindingCode;
use vouch_engine::finding::MAX_FINDINGS_PER_FILE;
use vouch_engine::graph::render;

#[test]
fn hard_link_to_a_file_outside_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    // A file outside the bundle, in checksum-file shape, so that reading it would quote its
    // lines into the graph.
    let secret = write(
        outside.path(),
        "secret",
        format!("{}  private-key.pem\n", "ab".repeat(32)).as_bytes(),
    );
    std::fs::hard_link(&secret, dir.path().join("dist.sha256")).unwrap();
    write(dir.path(), "good.txt", b"good\n");
    let graph = ingest(dir.path());
    assert_eq!(
        findings_at(&graph, "dist.sha256"),
        [(FindingCode::HardLinkEscape, None)]
    );
    assert_eq!(
        unclassified_reason(&graph, "dist.sha256").as_deref(),
        Some("hard link out of the bundle")
    );
    assert!(graph.file("dist.sha256").is_none(), "not a file node");
    assert!(
        !render::json(&graph).contains("private-key.pem"),
        "nothing of the outside file reaches the graph"
    );
    assert!(graph.file("good.txt").is_some());
}

#[test]
fn hard_links_inside_the_bundle_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.txt", b"same\n");
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::hard_link(&a, dir.path().join("sub/b.txt")).unwrap();
    let graph = ingest(dir.path());
    assert!(!has_code(&graph, FindingCode::HardLinkEscape));
    assert!(graph.file("a.txt").is_some());
    assert!(graph.file("sub/b.txt").is_some());
}

#[test]
fn findings_per_file_are_capped_with_a_count() {
    let dir = tempfile::tempdir().unwrap();
    // One good checksum line (so the file is a checksum file) and 1,000 malformed lines.
    let mut text = format!("{}  good.txt\n", "ab".repeat(32));
    for i in 0..1000 {
        text.push_str(&format!("this is not a checksum line {i}\n"));
    }
    write(dir.path(), "SHA256SUMS", text.as_bytes());
    write(dir.path(), "good.txt", b"good\n");
    let graph = ingest(dir.path());
    let here: Vec<_> = graph
        .findings()
        .iter()
        .filter(|f| f.path.as_deref() == Some("SHA256SUMS"))
        .collect();
    assert!(
        here.len() <= MAX_FINDINGS_PER_FILE + 2,
        "{} findings for one file",
        here.len()
    );
    let summary = here
        .iter()
        .find(|f| f.message.starts_with("and "))
        .expect("a finding counts the ones left out");
    assert_eq!(summary.code, FindingCode::ChecksumMalformedLine);
    let listed = here
        .iter()
        .filter(|f| f.code == FindingCode::ChecksumMalformedLine)
        .count()
        - 1;
    assert!(
        summary
            .message
            .contains(&format!("and {} more", 1000 - listed)),
        "{}",
        summary.message
    );
}

#[test]
fn graph_text_output_escapes_control_characters_in_names() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "evil\u{1b}]8;;http://x\u{7}\u{1b}[2J.txt", b"x\n");
    write(dir.path(), "two\nlines.txt", b"x\n");
    let graph = ingest(dir.path());
    for (name, text) in [
        ("dot", render::dot(&graph)),
        ("mermaid", render::mermaid(&graph)),
    ] {
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{name} output holds raw control characters:\n{text}"
        );
        assert!(text.contains("\\x1b"), "{name}:\n{text}");
        assert!(!text.contains("two\nlines"), "{name}:\n{text}");
    }
}
