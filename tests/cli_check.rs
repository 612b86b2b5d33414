//! `vouch check` end to end: exit codes, human and JSON diagnostics.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{temp_dir, transcript, vouch, vouch_in};

#[test]
fn clean_policy_exits_0() {
    let out = vouch(&["check", "examples/policies/acme.vouch"]);
    insta::assert_snapshot!("check_clean", transcript(&out));
}

#[test]
fn warnings_alone_exit_0() {
    let out = vouch(&["check", "tests/data/lang/check/unused-param.vouch"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
}

#[test]
fn errors_exit_2_with_every_error_of_every_file() {
    let out = vouch(&[
        "check",
        "tests/data/lang/check/unknown-field.vouch",
        "tests/data/lang/check/unknown-name.vouch",
    ]);
    insta::assert_snapshot!("check_two_files", transcript(&out));
}

#[test]
fn json_error_format() {
    let out = vouch(&[
        "check",
        "--error-format",
        "json",
        "tests/data/lang/check/unknown-field.vouch",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "one JSON object per diagnostic, nothing else: {stderr}"
    );
    insta::assert_json_snapshot!("check_json", lines[0]);
}

#[test]
fn missing_path_is_exit_2() {
    let dir = temp_dir("cli-check-missing");
    let out = vouch_in(&dir, &["check", "nope.vouch"]);
    insta::assert_snapshot!("check_missing_path", transcript(&out));
}

#[test]
fn directory_is_searched_recursively() {
    let out = vouch(&["check", "tests/data/lang/ok"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let expected = walk_count(&common::root().join("tests/data/lang/ok"));
    assert!(
        stderr.contains(&format!("checked {expected} files")),
        "{stderr}"
    );
}

fn walk_count(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            if p.is_dir() {
                walk_count(&p)
            } else {
                usize::from(p.extension().is_some_and(|e| e == "vouch"))
            }
        })
        .sum()
}
