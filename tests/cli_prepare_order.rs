//! `vouch evaluate` checks the policy on a second thread while it reads the trust set and the
//! bundle (`src/policy_check.rs`). What it prints, and when it stops, is what a run that does
//! one after the other prints: the trust set's errors first, then the policy's diagnostics,
//! then the warnings and errors of reading the bundle; a policy that does not check is
//! reported alone, whatever the bundle holds.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::process::Output;

use common::{EXAMPLE_TRUST, temp_dir, transcript, vouch};

/// A policy that does not check (an unknown name), and one that checks with a warning.
const BROKEN: &str = "tests/data/lang/check/unknown-name.vouch";
const WARNS: &str = "tests/data/lang/check/unused-param.vouch";

fn evaluate(policy: &str, bundle: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "evaluate",
        "--policy",
        policy,
        "--bundle",
        bundle,
        "--as-of",
        "2026-10-02",
    ];
    args.extend_from_slice(extra);
    vouch(&args)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_broken_policy_is_reported_alone_whatever_the_bundle() {
    let missing = evaluate(BROKEN, "no/such/bundle", &EXAMPLE_TRUST);
    let text = transcript(&missing);
    assert_eq!(missing.status.code(), Some(2), "{text}");
    assert!(stderr(&missing).contains("unknown-name"), "{text}");
    assert!(!stderr(&missing).contains("bundle directory"), "{text}");
    // The same diagnostics for a bundle that exists, small or large.
    let small = evaluate(BROKEN, "examples/bundles/compliant", &EXAMPLE_TRUST);
    assert_eq!(small.status.code(), Some(2), "{}", transcript(&small));
    assert_eq!(stderr(&small), stderr(&missing));
    let large = temp_dir("prepare-order-large");
    for i in 0..300 {
        std::fs::write(large.join(format!("f{i:03}.txt")), format!("{i}\n")).unwrap();
    }
    let out = evaluate(BROKEN, large.to_str().unwrap(), &EXAMPLE_TRUST);
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    assert_eq!(stderr(&out), stderr(&missing));
    // A policy that checks has the large bundle read, once it is known to check.
    let read = evaluate(WARNS, large.to_str().unwrap(), &["--format", "json"]);
    let text = transcript(&read);
    assert_eq!(read.status.code(), Some(1), "{text}");
    assert!(stderr(&read).contains("unused-param"), "{text}");
}

#[test]
fn the_trust_sets_errors_come_before_the_policys() {
    let out = evaluate(
        BROKEN,
        "examples/bundles/compliant",
        &["--trust", "no/such/key.asc"],
    );
    let text = transcript(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        stderr(&out).contains("trust input `no/such/key.asc` does not exist"),
        "{text}"
    );
    assert!(!stderr(&out).contains("unknown-name"), "{text}");
}

#[test]
fn an_unknown_lint_comes_before_the_policys_diagnostics() {
    let out = evaluate(
        BROKEN,
        "examples/bundles/compliant",
        &["--deny", "no-such-lint"],
    );
    let text = transcript(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(stderr(&out).contains("no such lint"), "{text}");
    assert!(!stderr(&out).contains("unknown-name"), "{text}");
}

#[test]
fn the_policys_warnings_come_before_the_bundles() {
    for bundle in ["examples/bundles/compliant", "no/such/bundle"] {
        let out = evaluate(WARNS, bundle, &["-j", "100000"]);
        let text = stderr(&out);
        let policy = text.find("unused-param").expect(&text);
        let jobs = text.find("`-j 100000`").expect(&text);
        assert!(policy < jobs, "{text}");
        if bundle.starts_with("no/") {
            let missing = text.find("does not exist").expect(&text);
            assert!(jobs < missing, "{text}");
        }
    }
}

#[test]
fn a_deeply_nested_policy_checks_as_vouch_check_finds() {
    // Brackets nested to the parser's limit, checked on the second thread's stack.
    let dir = temp_dir("prepare-order-deep");
    let depth = 64;
    let expr = format!("{}1{}", "(".repeat(depth - 1), ")".repeat(depth - 1));
    let policy = format!(
        "policy \"t\" {{\n  title = \"t\"\n  framework = \"uk-sscop\"\n}}\n\n\
         control \"C-1\" {{\n  title = \"Deep\"\n  provision = [\"3.1\"]\n  severity = high\n  \
         expect {expr} == 1\n}}\n"
    );
    let path = dir.join("deep.vouch");
    std::fs::write(&path, policy).unwrap();
    let path = path.to_str().unwrap();
    let check = vouch(&["check", path]);
    let out = evaluate(path, "examples/bundles/compliant", &EXAMPLE_TRUST);
    assert_eq!(check.status.code(), Some(0), "{}", transcript(&check));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
}
