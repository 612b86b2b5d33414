//! `vouch check` end to end: exit codes, human and JSON diagnostics.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

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

#[test]
fn deny_warnings_turns_a_warning_into_exit_2() {
    let path = "tests/data/lang/check/partial-override.vouch";
    let out = vouch(&["check", path]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let out = vouch(&["check", "--deny", "warnings", path]);
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    let out = vouch(&["check", "--deny", "partial-override", path]);
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 error, 0 warnings"));
}

#[test]
fn allow_and_warn_change_a_lints_level() {
    let path = "tests/data/lang/check/partial-override.vouch";
    let out = vouch(&["check", "--allow", "partial-override", path]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("0 errors, 0 warnings"));
    // invalid-glob is denied by default; `--warn` lets the policy through with a warning.
    let glob = "tests/data/lang/check/invalid-glob.vouch";
    let out = vouch(&["check", "--warn", "vouch::lint::invalid-glob", glob]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 error, 2 warnings"), "{stderr}");
}

#[test]
fn an_unknown_lint_is_a_usage_error_with_a_suggestion() {
    let out = vouch(&[
        "check",
        "--deny",
        "constant-conditon",
        "examples/policies/acme.vouch",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("did you mean `constant-condition`?"),
        "{stderr}"
    );
    let out = vouch(&[
        "check",
        "--deny",
        "warnigns",
        "examples/policies/acme.vouch",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `warnings`?"));
}

#[test]
fn help_lists_the_lints_with_their_defaults() {
    let out = vouch(&["check", "--help"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("invalid-glob                 deny"),
        "{stdout}"
    );
    assert!(
        stdout.contains("partial-override             warn"),
        "{stdout}"
    );
}

#[test]
fn evaluate_takes_the_lint_flags() {
    let args = [
        "evaluate",
        "--policy",
        "tests/data/lang/check/partial-override.vouch",
        "--bundle",
        "examples/bundles/compliant",
        "--as-of",
        "2026-10-01",
    ];
    let out = vouch(&args);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let out = vouch(&[&args[..], &["--deny", "warnings"]].concat());
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
}
