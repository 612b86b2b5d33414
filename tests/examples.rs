//! The shipped example: README's main command evaluates ACME's policy against the widget
//! 2.4.1 bundle. Every control passes except the signature control, which fails until
//! signature verification lands (the bundle carries no signature vouch can verify yet).

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
];

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
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let statuses: Vec<(String, String)> = report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (id, status) in &statuses {
        let want = if id == "ACME-SIGN" { "fail" } else { "pass" };
        assert_eq!(status, want, "{id}: {statuses:?}");
    }
    assert_eq!(statuses.len(), 6);
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
