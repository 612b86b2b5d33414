//! `vouch explain CONTROL --format json`: the control's result (with the evidence a pass
//! rests on) and every step of the trace, each `expect` that held followed by the records it
//! read; the text trace lists the same reads.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use common::{EXAMPLE_TRUST, root, vouch};

fn explain(control: &str, format: &str) -> std::process::Output {
    let r = root();
    let policy = r.join("examples/policies/acme.vouch");
    let bundle = r.join("examples/bundles/compliant");
    let mut args: Vec<String> = vec![
        "explain".into(),
        control.into(),
        "--policy".into(),
        policy.display().to_string(),
        "--bundle".into(),
        bundle.display().to_string(),
        "--as-of".into(),
        "2026-10-02".into(),
        "--format".into(),
        format.into(),
    ];
    for pair in EXAMPLE_TRUST.chunks(2) {
        args.push(pair[0].into());
        args.push(r.join(pair[1]).display().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    vouch(&args)
}

#[test]
fn a_passing_control_traces_what_each_expect_read() {
    let out = explain("CHECKSUMS", "json");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["schema"], "vouch-explain/1");
    assert_eq!(json["result"]["id"], "CHECKSUMS");
    assert_eq!(json["result"]["status"], "pass");
    let pass = &json["result"]["pass_evidence"];
    assert!(!pass["checks"].as_array().unwrap().is_empty(), "{pass}");
    let evidence = pass["evidence"].as_array().unwrap();
    assert!(
        evidence
            .iter()
            .any(|e| e["path"] == "dist/SHA256SUMS" && e["location"] == "line 1"),
        "{pass}"
    );
    let steps = json["steps"].as_array().unwrap();
    // Each `expect` that held is followed, one level deeper, by what it read.
    let holds = steps
        .iter()
        .position(|s| {
            let t = s["text"].as_str().unwrap();
            t.starts_with("expect c.status == \"match\"") && t.ends_with("holds")
        })
        .expect("an expect that held");
    let depth = steps[holds]["depth"].as_u64().unwrap();
    let reads: Vec<&str> = steps[holds + 1..]
        .iter()
        .take_while(|s| s["depth"].as_u64().unwrap() > depth)
        .filter_map(|s| s["text"].as_str())
        .filter(|t| t.starts_with("read "))
        .collect();
    assert!(
        reads
            .iter()
            .any(|t| t.starts_with("read dist/SHA256SUMS (line ")),
        "{reads:?}"
    );
    // The text trace says the same.
    let text = explain("CHECKSUMS", "text");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("read dist/SHA256SUMS (line 1) sha256 "),
        "{text}"
    );
    assert!(
        text.contains("evidence dist/SHA256SUMS (line 1) sha256 "),
        "{text}"
    );
}

/// Each `expect` and each `where` examined is a structured step (what `vouch test --coverage`
/// reads): `{"kind": "expect", "at", "held"}` and `{"kind": "where", "at", "kept"}`, on the
/// line of the trace that shows it. The fixture's first `where` keeps the https mirror and
/// leaves the http one out.
#[test]
fn steps_record_each_expect_and_where_examined() {
    let dir = root().join("tests/data/vouch-test/where");
    let out = vouch(&[
        "explain",
        "MIRRORS",
        "--policy",
        dir.join("where.vouch").to_str().unwrap(),
        "--bundle",
        dir.join("mirrors").to_str().unwrap(),
        "--as-of",
        "2026-10-02",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", common::transcript(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let steps: Vec<(&str, &serde_json::Value)> = json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| !s["step"].is_null())
        .map(|s| (s["text"].as_str().unwrap(), &s["step"]))
        .collect();
    let https = "d = https://downloads.acme.example/widget/0.0.1/widget-0.0.1.tar.gz";
    let http = "d = http://mirror.acme.example/widget/0.0.1/widget-0.0.1.tar.gz";
    let want = [
        (
            https.to_owned(),
            serde_json::json!({"kind": "where", "at": "where.vouch:18", "kept": true}),
        ),
        (
            "expect d.host != \"\"  [where.vouch:19]: holds".to_owned(),
            serde_json::json!({"kind": "expect", "at": "where.vouch:19", "held": true}),
        ),
        (
            format!("{http}: left out (`where` is false)"),
            serde_json::json!({"kind": "where", "at": "where.vouch:18", "kept": false}),
        ),
        (
            https.to_owned(),
            serde_json::json!({"kind": "where", "at": "where.vouch:22", "kept": true}),
        ),
        (
            "expect d.scheme in [\"https\", \"http\"]  [where.vouch:23]: holds".to_owned(),
            serde_json::json!({"kind": "expect", "at": "where.vouch:23", "held": true}),
        ),
        (
            http.to_owned(),
            serde_json::json!({"kind": "where", "at": "where.vouch:22", "kept": true}),
        ),
        (
            "expect d.scheme in [\"https\", \"http\"]  [where.vouch:23]: holds".to_owned(),
            serde_json::json!({"kind": "expect", "at": "where.vouch:23", "held": true}),
        ),
    ];
    let got: Vec<(String, serde_json::Value)> = steps
        .into_iter()
        .map(|(t, s)| (t.to_owned(), s.clone()))
        .collect();
    assert_eq!(got, want);
}
