//! `vouch evaluate --record`, `vouch ledger verify` and `vouch history` end to end on the
//! example bundles: recording, the evidence snapshot, tampering with the SQLite file
//! directly, usage errors, and two `vouch` processes recording into one ledger at once.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{EXAMPLE_TRUST, root, temp_dir, vouch};

fn evaluate_cmd(bundle: &str, ledger: &Path, output: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vouch"));
    cmd.current_dir(root())
        .env("NO_COLOR", "1")
        .args([
            "evaluate",
            "--policy",
            "examples/policies/acme.vouch",
            "--bundle",
            &format!("examples/bundles/{bundle}"),
            "--as-of",
            "2026-10-02",
            "--output",
        ])
        .arg(output)
        .args(EXAMPLE_TRUST)
        .arg("--record")
        .arg(ledger);
    cmd
}

fn evaluate(bundle: &str, ledger: &Path) -> Output {
    evaluate_cmd(
        bundle,
        ledger,
        &ledger.with_extension(format!("{bundle}.json")),
    )
    .output()
    .unwrap()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path_arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A ledger holding the compliant then the failing evaluation of widget 2.4.1.
fn two(dir: &Path) -> PathBuf {
    let ledger = dir.join("ledger.db");
    let out = evaluate("compliant", &ledger);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("recorded as entry 1"),
        "{}",
        text(&out.stderr)
    );
    let out = evaluate("failing", &ledger);
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("recorded as entry 2"),
        "{}",
        text(&out.stderr)
    );
    ledger
}

#[test]
fn record_verify_and_history() {
    let dir = temp_dir("ledger-record");
    let ledger = two(&dir);
    let out = vouch(&["ledger", "verify", path_arg(&ledger)]);
    assert_eq!(code(&out), 0, "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        text(&out.stdout).contains("intact: 2 entries"),
        "{}",
        text(&out.stdout)
    );

    // The stored report is the one written, byte for byte, and its digests are the report's.
    let written = std::fs::read_to_string(ledger.with_extension("failing.json")).unwrap();
    let db = rusqlite::Connection::open(&ledger).unwrap();
    let (stored, policy, bundle, product): (String, String, String, String) = db
        .query_row(
            "SELECT report, policy_sha256, bundle_digest, product FROM entries WHERE seq = 2",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(stored, written);
    let report: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(report["policy"]["sha256"], policy.as_str());
    assert_eq!(report["bundle"]["digest"], bundle.as_str());
    assert_eq!(report["release"]["product"], product.as_str());

    // The evidence snapshot: every evidence file of the report, its bytes stored by sha256;
    // files the two bundles share are stored once.
    let files = report["evidence"].as_array().unwrap();
    assert!(!files.is_empty());
    for f in files {
        let path = f["path"].as_str().unwrap();
        let sha = f["sha256"].as_str().unwrap();
        let content: Vec<u8> = db
            .query_row(
                "SELECT b.content FROM entry_evidence e JOIN evidence_blobs b ON b.sha256 = e.sha256
                 WHERE e.seq = 2 AND e.path = ?1 AND e.sha256 = ?2",
                [path, sha],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            content,
            std::fs::read(root().join("examples/bundles/failing").join(path)).unwrap()
        );
    }
    let (links, blobs): (i64, i64) = db
        .query_row(
            "SELECT (SELECT count(*) FROM entry_evidence), (SELECT count(*) FROM evidence_blobs)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(
        blobs < links,
        "shared files stored once: {blobs} blobs for {links} links"
    );

    let out = vouch(&["history", path_arg(&ledger), "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let h: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let evaluations = h["evaluations"].as_array().unwrap();
    assert_eq!(evaluations.len(), 2);
    assert_eq!(evaluations[0]["gate"], "pass");
    assert_eq!(evaluations[1]["gate"], "fail");
    assert_eq!(evaluations[1]["version"], "2.4.1");
    let checksums = h["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "CHECKSUMS")
        .unwrap();
    let statuses: Vec<&str> = checksums["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["pass", "fail"]);
    let failed = h["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["seq"], 2);
    assert!(
        failed[0]["controls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "CHECKSUMS (fail)")
    );

    // Filters: another product, and a date after both evaluations, select nothing.
    for args in [["--product", "gadget"], ["--since", "2026-10-03"]] {
        let mut all = vec!["history", path_arg(&ledger), "--format", "json"];
        all.extend(args);
        let out = vouch(&all);
        assert_eq!(code(&out), 0, "{}", text(&out.stderr));
        let h: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(h["evaluations"].as_array().unwrap().len(), 0, "{args:?}");
    }
    let out = vouch(&["history", path_arg(&ledger), "--product", "widget"]);
    assert_eq!(code(&out), 0);
    let table = text(&out.stdout);
    assert!(table.contains("CHECKSUMS: #1 pass, #2 fail"), "{table}");
    assert!(
        table.contains("failed releases:\n  #2 widget 2.4.1"),
        "{table}"
    );
}

#[test]
fn tampering_is_named_by_verify_and_history() {
    let dir = temp_dir("ledger-tamper");
    let ledger = two(&dir);
    let db = rusqlite::Connection::open(&ledger).unwrap();
    db.execute_batch(
        "UPDATE entries SET report = replace(report, '\"status\": \"fail\"', '\"status\": \"pass\"') WHERE seq = 2",
    )
    .unwrap();
    drop(db);
    let out = vouch(&["ledger", "verify", path_arg(&ledger)]);
    assert_eq!(code(&out), 1);
    assert!(
        text(&out.stdout).contains("broken at entry 2"),
        "{}",
        text(&out.stdout)
    );
    let out = vouch(&["history", path_arg(&ledger)]);
    assert_eq!(code(&out), 1);
    assert!(
        text(&out.stderr).contains("broken at entry 2"),
        "{}",
        text(&out.stderr)
    );

    // An edited evidence file in the store.
    let ledger = two(&temp_dir("ledger-tamper-evidence"));
    let db = rusqlite::Connection::open(&ledger).unwrap();
    db.execute_batch(
        "UPDATE evidence_blobs SET content = CAST('forged' AS BLOB)
         WHERE sha256 = (SELECT sha256 FROM entry_evidence WHERE seq = 2 AND path = 'release.toml')",
    )
    .unwrap();
    drop(db);
    let out = vouch(&["ledger", "verify", path_arg(&ledger)]);
    assert_eq!(code(&out), 1);
    assert!(
        text(&out.stdout).contains("evidence file `release.toml`"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = temp_dir("ledger-usage");
    let missing = dir.join("missing.db");
    let out = vouch(&["ledger", "verify", path_arg(&missing)]);
    assert_eq!(code(&out), 2);
    assert!(
        text(&out.stderr).contains("vouch::ledger::missing"),
        "{}",
        text(&out.stderr)
    );
    assert!(!missing.exists(), "verify must not create a ledger");
    assert_eq!(code(&vouch(&["ledger", "verify"])), 2);
    assert_eq!(code(&vouch(&["history"])), 2);

    let foreign = dir.join("foreign.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    let out = vouch(&["ledger", "verify", path_arg(&foreign)]);
    assert_eq!(code(&out), 2);
    assert!(
        text(&out.stderr).contains("vouch::ledger::foreign"),
        "{}",
        text(&out.stderr)
    );
    // Recording into it is refused, and the evaluation says it was not recorded.
    let out = evaluate("compliant", &foreign);
    assert_eq!(code(&out), 2);
    assert!(
        text(&out.stderr).contains("not recorded"),
        "{}",
        text(&out.stderr)
    );

    let plain = dir.join("plain.txt");
    std::fs::write(&plain, "not a database\n").unwrap();
    assert_eq!(code(&vouch(&["ledger", "verify", path_arg(&plain)])), 2);

    let ledger = two(&temp_dir("ledger-usage-since"));
    let out = vouch(&["history", path_arg(&ledger), "--since", "last tuesday"]);
    assert_eq!(code(&out), 2);
    assert!(
        text(&out.stderr).contains("--since"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn two_processes_record_at_once() {
    let dir = temp_dir("ledger-concurrent");
    let ledger = dir.join("ledger.db");
    let mut children = Vec::new();
    for _ in 0..3 {
        for bundle in ["compliant", "failing"] {
            // Each process writes its own report file.
            let output = dir.join(format!("{bundle}-{}.json", children.len()));
            let mut cmd = evaluate_cmd(bundle, &ledger, &output);
            children.push(cmd.stderr(std::process::Stdio::piped()).spawn().unwrap());
        }
    }
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(matches!(code(&out), 0 | 1), "{}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("recorded as entry"),
            "{}",
            text(&out.stderr)
        );
    }
    let out = vouch(&["ledger", "verify", path_arg(&ledger)]);
    assert_eq!(code(&out), 0, "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("intact: 6 entries"),
        "{}",
        text(&out.stdout)
    );
}
