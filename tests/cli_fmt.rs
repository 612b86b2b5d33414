//! `vouch fmt` end to end: rewriting, `--check`, and errors.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use common::{temp_dir, transcript, vouch_in};

const MESSY: &str = "policy \"x\" {title=\"t\"\n framework = \"uk-sscop\"}\ncontrol \"A\" { title = \"a\" provision=[\"3.1\"] severity=high\n expect   release.product!=\"\" else \"no\"   // why\n}\n";

#[test]
fn check_reports_then_fmt_rewrites_then_check_passes() {
    let dir = temp_dir("cli-fmt");
    std::fs::write(dir.join("policy.vouch"), MESSY).unwrap();
    let before = vouch_in(&dir, &["fmt", "--check", "policy.vouch"]);
    insta::assert_snapshot!("fmt_check_unformatted", transcript(&before));
    assert_eq!(
        std::fs::read_to_string(dir.join("policy.vouch")).unwrap(),
        MESSY,
        "--check writes nothing"
    );

    let write = vouch_in(&dir, &["fmt", "policy.vouch"]);
    assert_eq!(write.status.code(), Some(0), "{}", transcript(&write));
    let formatted = std::fs::read_to_string(dir.join("policy.vouch")).unwrap();
    insta::assert_snapshot!("fmt_rewritten", formatted);

    let after = vouch_in(&dir, &["fmt", "--check", "policy.vouch"]);
    assert_eq!(after.status.code(), Some(0), "{}", transcript(&after));
    let check = vouch_in(&dir, &["check", "policy.vouch"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "formatting keeps the policy valid: {}",
        transcript(&check)
    );
}

#[test]
fn syntax_error_is_exit_2_and_the_file_is_untouched() {
    let dir = temp_dir("cli-fmt-broken");
    let broken = "policy \"x\" {\n  title = \n}\n";
    std::fs::write(dir.join("broken.vouch"), broken).unwrap();
    let out = vouch_in(&dir, &["fmt", "broken.vouch"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("vouch::parse::syntax"));
    assert_eq!(
        std::fs::read_to_string(dir.join("broken.vouch")).unwrap(),
        broken
    );
}

#[test]
fn formats_every_file_of_a_directory() {
    let dir = temp_dir("cli-fmt-dir");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("a.vouch"), MESSY).unwrap();
    std::fs::write(dir.join("sub/b.vouch"), MESSY).unwrap();
    std::fs::write(dir.join("sub/notes.txt"), "not a policy").unwrap();
    let out = vouch_in(&dir, &["fmt", "--check", "."]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("a.vouch") && stderr.contains("sub/b.vouch") && !stderr.contains("notes"),
        "{stderr}"
    );
    assert_eq!(vouch_in(&dir, &["fmt", "."]).status.code(), Some(0));
    assert_eq!(
        vouch_in(&dir, &["fmt", "--check", "."]).status.code(),
        Some(0)
    );
}
