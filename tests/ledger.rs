//! `vouch evaluate --record`, `vouch ledger verify` and `vouch history` end to end on the
//! example bundles, on both back ends (an SQLite file and a PostgreSQL database, see
//! `ledger/tests/support/`): recording, the evidence snapshot, tampering with the database
//! directly, usage errors, several `vouch` processes recording into one ledger at once, and a
//! writer killed (SIGKILL) inside its transaction.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::both_backends;
use crate::common;
use crate::support::{Db, Kind, hex};

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::copy_dir;
use common::{EXAMPLE_TRUST, root, temp_dir, vouch};

fn evaluate_cmd(bundle: &str, ledger: &str, output: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vouch"));
    cmd.current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("VOUCH_TEST_LEDGER_PAUSE")
        .args([
            "evaluate",
            "--policy",
            "examples/policies/acme.vouch",
            "--bundle",
            // An example bundle's name, or a path.
            &if bundle.contains('/') {
                bundle.to_owned()
            } else {
                format!("examples/bundles/{bundle}")
            },
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

/// Evaluates `bundle` into `db`, the report written beside the scratch files in `dir`.
fn evaluate(bundle: &str, db: &Db, dir: &Path) -> Output {
    evaluate_cmd(bundle, db.arg(), &dir.join(format!("{bundle}.json")))
        .output()
        .unwrap()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The ledger holding the compliant then the failing evaluation of widget 2.4.1.
fn two(db: &Db, dir: &Path) {
    let out = evaluate("compliant", db, dir);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("recorded as entry 1"),
        "{}",
        text(&out.stderr)
    );
    let out = evaluate("failing", db, dir);
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("recorded as entry 2"),
        "{}",
        text(&out.stderr)
    );
}

fn scratch(db: &Db, name: &str) -> std::path::PathBuf {
    temp_dir(&format!("{name}-{:?}", db.kind))
}

both_backends!(record_verify_and_history, |db: &Db| {
    let dir = scratch(db, "ledger-record");
    two(db, &dir);
    let ledger = db.arg();
    let out = vouch(&["ledger", "verify", ledger]);
    assert_eq!(code(&out), 0, "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        text(&out.stdout).contains("intact: 2 entries"),
        "{}",
        text(&out.stdout)
    );

    // The stored report is the one written, byte for byte, and its digests are the report's.
    let written = std::fs::read_to_string(dir.join("failing.json")).unwrap();
    let row = &db
        .rows("SELECT report, policy_sha256, bundle_digest, product FROM entries WHERE seq = 2")[0];
    let [stored, policy, bundle, product] = [0, 1, 2, 3].map(|i| row[i].clone().unwrap());
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
        let content = db.one(&format!(
            "SELECT b.content FROM entry_evidence e JOIN evidence_blobs b ON b.sha256 = e.sha256
             WHERE e.seq = 2 AND e.path = '{}' AND e.sha256 = '{sha}'",
            path.replace('\'', "''")
        ));
        assert_eq!(
            content,
            hex(&std::fs::read(root().join("examples/bundles/failing").join(path)).unwrap())
        );
    }
    let links: i64 = db
        .one("SELECT count(*) FROM entry_evidence")
        .parse()
        .unwrap();
    let blobs: i64 = db
        .one("SELECT count(*) FROM evidence_blobs")
        .parse()
        .unwrap();
    assert!(
        blobs < links,
        "shared files stored once: {blobs} blobs for {links} links"
    );

    let out = vouch(&["history", ledger, "--format", "json"]);
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
        let mut all = vec!["history", ledger, "--format", "json"];
        all.extend(args);
        let out = vouch(&all);
        assert_eq!(code(&out), 0, "{}", text(&out.stderr));
        let h: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(h["evaluations"].as_array().unwrap().len(), 0, "{args:?}");
    }
    let out = vouch(&["history", ledger, "--product", "widget"]);
    assert_eq!(code(&out), 0);
    let table = text(&out.stdout);
    assert!(table.contains("CHECKSUMS: #1 pass, #2 fail"), "{table}");
    assert!(
        table.contains("failed releases:\n  #2 widget 2.4.1"),
        "{table}"
    );
});

both_backends!(tampering_is_named_by_verify_and_history, |db: &Db| {
    let dir = scratch(db, "ledger-tamper");
    two(db, &dir);
    db.exec(
        "UPDATE entries SET report = replace(report, '\"status\": \"fail\"', '\"status\": \"pass\"') WHERE seq = 2",
    );
    let out = vouch(&["ledger", "verify", db.arg()]);
    assert_eq!(code(&out), 1);
    assert!(
        text(&out.stdout).contains("broken at entry 2"),
        "{}",
        text(&out.stdout)
    );
    let out = vouch(&["history", db.arg()]);
    assert_eq!(code(&out), 1);
    assert!(
        text(&out.stderr).contains("broken at entry 2"),
        "{}",
        text(&out.stderr)
    );
});

both_backends!(an_edited_evidence_store_is_named, |db: &Db| {
    let dir = scratch(db, "ledger-tamper-evidence");
    two(db, &dir);
    let forged = match db.kind {
        Kind::Sqlite => "CAST('forged' AS BLOB)",
        Kind::Postgres => "convert_to('forged', 'UTF8')",
    };
    db.exec(&format!(
        "UPDATE evidence_blobs SET content = {forged}
         WHERE sha256 = (SELECT sha256 FROM entry_evidence WHERE seq = 2 AND path = 'release.toml')"
    ));
    let out = vouch(&["ledger", "verify", db.arg()]);
    assert_eq!(code(&out), 1);
    assert!(
        text(&out.stdout).contains("evidence file `release.toml`"),
        "{}",
        text(&out.stdout)
    );
});

#[test]
fn usage_errors_exit_2() {
    let dir = temp_dir("ledger-usage");
    let missing = dir.join("missing.db");
    let out = vouch(&["ledger", "verify", missing.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    assert!(
        text(&out.stderr).contains("vouch::ledger::missing"),
        "{}",
        text(&out.stderr)
    );
    assert!(!missing.exists(), "verify must not create a ledger");
    assert_eq!(code(&vouch(&["ledger", "verify"])), 2);
    assert_eq!(code(&vouch(&["history"])), 2);

    let foreign = Db::new(Kind::Sqlite, &dir, "foreign").unwrap();
    foreign.exec("CREATE TABLE t (x)");
    let out = vouch(&["ledger", "verify", foreign.arg()]);
    assert_eq!(code(&out), 2);
    assert!(
        text(&out.stderr).contains("vouch::ledger::foreign"),
        "{}",
        text(&out.stderr)
    );
    // Recording into it is refused, and the evaluation says it was not recorded.
    let out = evaluate("compliant", &foreign, &dir);
    assert_eq!(code(&out), 2);
    assert!(
        text(&out.stderr).contains("not recorded"),
        "{}",
        text(&out.stderr)
    );

    let plain = dir.join("plain.txt");
    std::fs::write(&plain, "not a database\n").unwrap();
    assert_eq!(
        code(&vouch(&["ledger", "verify", plain.to_str().unwrap()])),
        2
    );

    let ledger = Db::new(Kind::Sqlite, &dir, "since").unwrap();
    two(&ledger, &dir);
    let out = vouch(&["history", ledger.arg(), "--since", "last tuesday"]);
    assert_eq!(code(&out), 2);
    assert!(
        text(&out.stderr).contains("--since"),
        "{}",
        text(&out.stderr)
    );

    // A PostgreSQL server that does not answer: exit 2, and its password is never printed.
    let url = "postgresql://ci:hunter2@%2Fnonexistent%2Fvouch/ledger?connect_timeout=2";
    for args in [
        vec!["ledger", "verify", url],
        vec!["history", url],
        vec!["ledger", "init", url],
    ] {
        let out = vouch(&args);
        assert_eq!(code(&out), 2, "{args:?}");
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(all.contains("vouch::ledger::open"), "{all}");
        assert!(!all.contains("hunter2"), "{all}");
    }
}

both_backends!(init_then_verify_an_empty_ledger, |db: &Db| {
    // Nothing there yet: verify says so (exit 2) and creates nothing.
    let out = vouch(&["ledger", "verify", db.arg()]);
    assert_eq!(code(&out), 2, "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("vouch::ledger::missing"),
        "{}",
        text(&out.stderr)
    );
    let out = vouch(&["ledger", "init", db.arg()]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("schema version 1"),
        "{}",
        text(&out.stdout)
    );
    let out = vouch(&["ledger", "verify", db.arg()]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("intact: 0 entries"));
});

both_backends!(several_processes_record_at_once, |db: &Db| {
    let dir = scratch(db, "ledger-concurrent");
    let mut children = Vec::new();
    for _ in 0..3 {
        for bundle in ["compliant", "failing"] {
            // Each process writes its own report file.
            let output = dir.join(format!("{bundle}-{}.json", children.len()));
            let mut cmd = evaluate_cmd(bundle, db.arg(), &output);
            children.push(cmd.stderr(Stdio::piped()).spawn().unwrap());
        }
    }
    let mut seqs = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(matches!(code(&out), 0 | 1), "{}", text(&out.stderr));
        let stderr = text(&out.stderr);
        let seq: i64 = stderr
            .split("recorded as entry ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .unwrap_or_else(|| panic!("{stderr}"))
            .parse()
            .unwrap();
        seqs.push(seq);
    }
    seqs.sort();
    assert_eq!(seqs, [1, 2, 3, 4, 5, 6]);
    let out = vouch(&["ledger", "verify", db.arg()]);
    assert_eq!(code(&out), 0, "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("intact: 6 entries"),
        "{}",
        text(&out.stdout)
    );
});

/// Waits until `marker` exists (the child paused inside its transaction).
fn wait_for(marker: &Path, child: &mut Child) {
    let start = Instant::now();
    while !marker.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the writer exited ({status}) before pausing");
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the writer did not pause"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

both_backends!(a_writer_killed_inside_its_transaction, |db: &Db| {
    let dir = scratch(db, "ledger-killed");
    two(db, &dir);
    let marker = dir.join("paused");
    let mut paused = evaluate_cmd("compliant", db.arg(), &dir.join("paused.json"))
        .env("VOUCH_TEST_LEDGER_PAUSE", &marker)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for(&marker, &mut paused);
    // Its entry and evidence are written but not committed. A second writer waits for it.
    let mut waiting = evaluate_cmd("failing", db.arg(), &dir.join("waiting.json"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        waiting.try_wait().unwrap().is_none(),
        "the second writer did not wait for the first's lock"
    );
    if db.kind == Kind::Postgres {
        // Readers are not blocked by a writer, and see only committed entries.
        let out = vouch(&["ledger", "verify", db.arg()]);
        assert_eq!(code(&out), 0, "{}", text(&out.stdout));
        assert!(text(&out.stdout).contains("intact: 2 entries"));
    }
    // kill -9 mid-transaction: nothing of its entry remains, and the waiting writer goes on.
    paused.kill().unwrap();
    paused.wait().unwrap();
    let out = waiting.wait_with_output().unwrap();
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("recorded as entry 3"),
        "{}",
        text(&out.stderr)
    );
    let out = vouch(&["ledger", "verify", db.arg()]);
    assert_eq!(code(&out), 0, "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("intact: 3 entries"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(db.one("SELECT count(*) FROM entries"), "3");

    // Killed with no other writer, after inserting a 24 MiB evidence file (more than SQLite's
    // page cache holds, so the file itself was written and the journal is hot): the next
    // reader finds the ledger as it was.
    let big = dir.join("big");
    copy_dir(&root().join("examples/bundles/compliant"), &big);
    let bytes: Vec<u8> = (0..24u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(big.join("big.bin"), bytes).unwrap();
    let marker = dir.join("paused-again");
    let mut paused = evaluate_cmd(big.to_str().unwrap(), db.arg(), &dir.join("again.json"))
        .env("VOUCH_TEST_LEDGER_PAUSE", &marker)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for(&marker, &mut paused);
    paused.kill().unwrap();
    paused.wait().unwrap();
    let out = vouch(&["ledger", "verify", db.arg()]);
    assert_eq!(code(&out), 0, "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("intact: 3 entries"),
        "{}",
        text(&out.stdout)
    );
    let out = evaluate("compliant", db, &dir);
    assert!(
        text(&out.stderr).contains("recorded as entry 4"),
        "{}",
        text(&out.stderr)
    );
});
