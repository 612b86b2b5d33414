//! `vouch explain CONTROL --all-findings`: the report lists at most 1,000 findings of a
//! control; explain lists every one with its fingerprint, so that a finding past the cap can
//! be named in a waiver, and such a waiver (signed with GnuPG here, with the examples'
//! TEST-ONLY key) covers it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::path::Path;

use common::{have_gpg, sign, temp_dir, transcript, vouch};

const POLICY: &str = "policy \"t\" {\n  title = \"T\"\n  framework = \"uk-sscop\"\n}\n\n\
control \"SMALL\" {\n  title = \"Files are not small\"\n  provision = [\"3.1\"]\n  severity = low\n\
  for f in files {\n    expect f.size > 100 else \"{f.path} is small\"\n  }\n}\n";

/// 1,003 small files (three past the cap), the policy, and `waivers.toml`.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = temp_dir(name);
    let bundle = dir.join("bundle");
    std::fs::create_dir_all(&bundle).unwrap();
    for i in 0..1003 {
        std::fs::write(bundle.join(format!("f{i:04}.txt")), b"x\n").unwrap();
    }
    std::fs::write(dir.join("t.vouch"), POLICY).unwrap();
    dir
}

fn args<'a>(dir: &'a Path, extra: &[&'a str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "--policy",
        &dir.join("t.vouch").to_string_lossy(),
        "--bundle",
        &dir.join("bundle").to_string_lossy(),
        "--as-of",
        "2026-10-02",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

fn run(cmd: &[&str], dir: &Path, extra: &[&str]) -> std::process::Output {
    let mut all: Vec<String> = cmd.iter().map(|s| (*s).to_owned()).collect();
    all.extend(args(dir, extra));
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    vouch(&all)
}

/// The fingerprint lines of a trace, in order.
fn fingerprints(trace: &str) -> Vec<String> {
    trace
        .lines()
        .filter_map(|l| l.trim().strip_prefix("fingerprint "))
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect()
}

#[test]
fn all_findings_lists_every_fingerprint_and_a_waiver_covers_one_past_the_cap() {
    let dir = scratch("explain-all-findings");
    let capped = run(&["explain", "SMALL"], &dir, &[]);
    assert_eq!(capped.status.code(), Some(0), "{}", transcript(&capped));
    let capped = String::from_utf8(capped.stdout).unwrap();
    assert_eq!(fingerprints(&capped).len(), 1000);
    assert!(
        capped.contains("and 3 more finding(s), not listed: `vouch explain SMALL --all-findings`"),
        "{}",
        &capped[capped.len().saturating_sub(400)..]
    );

    let all = run(&["explain", "SMALL", "--all-findings"], &dir, &[]);
    assert_eq!(all.status.code(), Some(0), "{}", transcript(&all));
    let all = String::from_utf8(all.stdout).unwrap();
    let fps = fingerprints(&all);
    assert_eq!(fps.len(), 1003);
    assert!(!all.contains("more finding(s), not listed"));
    // The last one names the last file, and the report does not list it.
    assert!(all.contains(&format!("fingerprint {}, subject f1002.txt", fps[1002])));
    let report = run(&["evaluate"], &dir, &["--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    let listed = report["controls"][0]["findings"].as_array().unwrap();
    assert_eq!(report["controls"][0]["findings_omitted"], 3);
    assert!(
        listed
            .iter()
            .all(|f| f["fingerprint"] != fps[1002].as_str())
    );

    // A signed waiver naming it by that fingerprint covers it.
    if !have_gpg() {
        return;
    }
    let waivers = dir.join("waivers.toml");
    std::fs::write(
        &waivers,
        format!(
            "[[waiver]]\nid = \"W-LAST\"\ncontrol = \"SMALL\"\nfindings = [\"{}\"]\n\
             justification = \"the last file is small on purpose\"\n\
             effective = 2026-09-01\nexpires = 2026-12-31\n",
            fps[1002]
        ),
    )
    .unwrap();
    sign("TEST-ONLY-priya-shah.sec.asc", "20260920T100000", &waivers);
    let waived = run(
        &["evaluate"],
        &dir,
        &[
            "--format",
            "json",
            "--waivers",
            &waivers.to_string_lossy(),
            "--trust",
            "examples/keys/TEST-ONLY-priya-shah.pub.asc",
        ],
    );
    let waived: serde_json::Value = serde_json::from_slice(&waived.stdout).unwrap();
    let w = &waived["waivers"][0];
    assert_eq!(w["state"], "applied", "{w}");
    assert_eq!(w["matched"], 1, "{w}");
}
