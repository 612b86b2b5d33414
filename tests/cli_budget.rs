//! `--max-steps` and `--max-bytes` of `vouch evaluate` and `vouch explain`: they lower and
//! raise the budget each control runs under, and 0 or a malformed size is a usage error.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::bundle::{Variant, write_bundle};
use common::{temp_dir, transcript, vouch_in};
use serde_json::Value;

/// A policy of two controls: one that loops over the bundle's files, one that makes a
/// 40-byte string.
const POLICY: &str = r#"policy "budget" {
  title = "Budget"
  framework = "uk-sscop"
}

control "LOOP" {
  title = "Every file has a digest"
  provision = ["3.1"]
  severity = high
  for f in files {
    expect f.sha256 != ""
  }
}

control "TEXT" {
  title = "A made string"
  provision = ["3.1"]
  severity = low
  let s = "0123456789012345678901234567890123456789"
  expect len(s) == 40
}
"#;

/// A fresh directory with a bundle (`bundle/`) and the policy above (`budget.vouch`).
fn setup(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    let bundle = dir.join("bundle");
    std::fs::create_dir_all(&bundle).unwrap();
    write_bundle(&bundle, Variant::Good, false);
    std::fs::write(dir.join("budget.vouch"), POLICY).unwrap();
    dir
}

/// `vouch COMMAND --policy budget.vouch --bundle bundle --as-of 2026-10-01 EXTRA...` in `dir`.
fn run(dir: &Path, command: &[&str], extra: &[&str]) -> Output {
    let mut args = command.to_vec();
    args.extend([
        "--policy",
        "budget.vouch",
        "--bundle",
        "bundle",
        "--as-of",
        "2026-10-01",
    ]);
    args.extend_from_slice(extra);
    vouch_in(dir, &args)
}

fn evaluate(dir: &Path, extra: &[&str]) -> Output {
    run(dir, &["evaluate"], extra)
}

/// `(status, reason)` of control `id` in the JSON report of `out`.
fn control(out: &Output, id: &str) -> (String, Option<String>) {
    let report: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", transcript(out)));
    let c = report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap();
    (
        c["status"].as_str().unwrap().to_owned(),
        c["reason"].as_str().map(str::to_owned),
    )
}

#[test]
fn the_defaults_pass_ordinary_controls() {
    let dir = setup("budget-defaults");
    let out = evaluate(&dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    assert_eq!(control(&out, "LOOP").0, "pass");
    assert_eq!(control(&out, "TEXT").0, "pass");
}

#[test]
fn max_steps_lowers_and_raises_the_budget() {
    let dir = setup("budget-steps");
    let out = evaluate(&dir, &["--max-steps", "5"]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    let (status, reason) = control(&out, "LOOP");
    assert_eq!(status, "error");
    assert_eq!(
        reason.as_deref(),
        Some(
            "evaluation stopped at budget.vouch:10: the control took more than 5 steps (raise it with --max-steps)"
        )
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("error LOOP (high): evaluation stopped"),
        "{}",
        transcript(&out)
    );
    let out = evaluate(&dir, &["--max-steps", "10_000"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
}

#[test]
fn max_bytes_takes_sizes_with_units() {
    let dir = setup("budget-bytes");
    let out = evaluate(&dir, &["--max-bytes", "39"]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    let (status, reason) = control(&out, "TEXT");
    assert_eq!(status, "error");
    assert_eq!(
        reason.as_deref(),
        Some(
            "evaluation stopped at budget.vouch:19: the control created more than 39 bytes of strings and collections (raise it with --max-bytes)"
        )
    );
    assert_eq!(control(&out, "LOOP").0, "pass");
    for enough in ["40", "1KiB", "1 MiB", "1kb"] {
        let out = evaluate(&dir, &["--max-bytes", enough]);
        assert_eq!(out.status.code(), Some(0), "{enough}: {}", transcript(&out));
    }
}

#[test]
fn zero_and_malformed_limits_are_usage_errors() {
    let dir = setup("budget-usage");
    for (flag, value) in [
        ("--max-steps", "0"),
        ("--max-steps", "many"),
        ("--max-bytes", "0"),
        ("--max-bytes", "0MiB"),
        ("--max-bytes", "64M"),
        ("--max-bytes", "1.5GiB"),
    ] {
        let out = evaluate(&dir, &[flag, value]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{flag} {value}: {}",
            transcript(&out)
        );
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("`{flag} {value}` is not")),
            "{stderr}"
        );
    }
    let out = evaluate(&dir, &["--max-bytes", "0", "--error-format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let line: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert!(
        line["message"]
            .as_str()
            .unwrap()
            .starts_with("`--max-bytes 0` is not a size of at least 1 byte"),
        "{line}"
    );
}

#[test]
fn explain_runs_under_the_same_budget() {
    let dir = setup("budget-explain");
    let out = run(&dir, &["explain", "LOOP"], &["--max-steps", "5"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("the control took more than 5 steps"),
        "{text}"
    );
    let out = run(&dir, &["explain", "LOOP"], &["--max-steps", "0"]);
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
}
