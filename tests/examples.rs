//! The shipped example: README's main command evaluates ACME's policy against the widget
//! 2.4.1 bundle, trusting the example release key. Every control passes; without the trusted
//! key the signature control fails, since a key in the bundle (or none) is never trusted.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{transcript, vouch};

const MAIN_JOB: &[&str] = &[
    "evaluate",
    "--policy",
    "examples/policies/acme.vouch",
    "--bundle",
    "examples/bundles/widget-2.4.1",
    "--as-of",
    "2026-10-02",
    "--trust",
    "examples/keys/widget-release.pub",
];

fn statuses(stdout: &[u8]) -> Vec<(String, String)> {
    let report: serde_json::Value = serde_json::from_slice(stdout).unwrap();
    report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn readme_main_job_runs_on_the_shipped_example() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("cargo run --release -- {}", MAIN_JOB.join(" "))),
        "README's main command is the one tested here"
    );
    let mut args = MAIN_JOB.to_vec();
    args.extend(["--format", "json"]);
    let out = vouch(&args);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let statuses = statuses(&out.stdout);
    assert!(statuses.iter().all(|(_, s)| s == "pass"), "{statuses:?}");
    assert_eq!(statuses.len(), 6);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let outcomes: Vec<&str> = report["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["verified", "verified"]);
}

#[test]
fn without_the_trusted_key_the_signature_control_fails() {
    let args: Vec<&str> = MAIN_JOB
        .iter()
        .copied()
        .filter(|a| !a.starts_with("--trust") && !a.ends_with(".pub"))
        .chain(["--format", "json"])
        .collect();
    let out = vouch(&args);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    for (id, status) in statuses(&out.stdout) {
        let want = if id == "ACME-SIGN" { "fail" } else { "pass" };
        assert_eq!(status, want, "{id}");
    }
}

#[test]
fn markdown_report_of_the_example() {
    let mut args = MAIN_JOB.to_vec();
    args.extend(["--format", "markdown"]);
    let out = vouch(&args);
    insta::assert_snapshot!(
        "example_widget_markdown",
        String::from_utf8_lossy(&out.stdout)
    );
}
