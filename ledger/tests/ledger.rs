//! The ledger: recording, the hash chain, tamper detection (editing the SQLite file directly
//! with rusqlite), history, and two writers at once.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::path::Path;

use rusqlite::Connection;
use vouch_ledger::{EvidenceFile, HistoryQuery, Ledger, NewEntry, Verdict, history, verify};

fn report(product: &str, version: &str, as_of: &str, c1: &str, c2: &str) -> String {
    let pass = [c1, c2].iter().filter(|s| **s == "pass").count();
    let fail = [c1, c2].iter().filter(|s| **s == "fail").count();
    let principle = if pass == 2 { "pass" } else { "fail" };
    serde_json::json!({
        "schema": "vouch-report/1",
        "as_of": as_of,
        "release": {"product": product, "version": version},
        "summary": {"total": 2, "pass": pass, "fail": fail},
        "controls": [{"id": "a.one", "status": c1}, {"id": "b.two", "status": c2}],
        "provisions": [{"id": "1.1", "status": principle}],
    })
    .to_string()
}

fn entry(product: &str, version: &str, as_of: &str, c1: &str, c2: &str) -> NewEntry {
    NewEntry {
        report: report(product, version, as_of, c1, c2),
        product: Some(product.to_owned()),
        version: Some(version.to_owned()),
        as_of: as_of.to_owned(),
        policy_sha256: "aa".repeat(32),
        bundle_digest: format!("sha256:{}", "bb".repeat(32)),
        trust_sha256: vec!["dd".repeat(32), "cc".repeat(32)],
        waiver_sha256: vec![],
        passed: c1 == "pass" && c2 == "pass",
        recorded_at: "2026-12-07T03:00:00Z".to_owned(),
        evidence: vec![
            EvidenceFile {
                path: "release.toml".into(),
                content: b"product = 1\n".to_vec(),
            },
            EvidenceFile {
                path: format!("sbom-{version}.json"),
                content: b"{}\n".to_vec(),
            },
        ],
    }
}

/// A ledger with three entries.
fn three(path: &Path) {
    let l = Ledger::create_or_open(path).unwrap();
    l.record(&entry("app", "1.0", "2026-01-01T00:00:00Z", "pass", "pass"))
        .unwrap();
    l.record(&entry("app", "1.1", "2026-02-01T00:00:00Z", "pass", "fail"))
        .unwrap();
    l.record(&entry("lib", "2.0", "2026-03-01T00:00:00Z", "pass", "pass"))
        .unwrap();
}

fn verdict(path: &Path) -> Verdict {
    verify(&Ledger::open_existing(path).unwrap()).unwrap()
}

fn broken_at(path: &Path) -> (i64, String) {
    match verdict(path) {
        Verdict::Broken { seq, reason } => (seq, reason),
        v => panic!("expected a broken ledger, got {v:?}"),
    }
}

/// Edits the file as a tamperer would, foreign keys off.
fn sql(path: &Path, statements: &str) {
    let c = Connection::open(path).unwrap();
    c.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    c.execute_batch(statements).unwrap();
}

#[test]
fn records_a_chain_that_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.db");
    let l = Ledger::create_or_open(&path).unwrap();
    let first = l
        .record(&entry("app", "1.0", "2026-01-01T00:00:00Z", "pass", "pass"))
        .unwrap();
    let second = l
        .record(&entry("app", "1.1", "2026-02-01T00:00:00Z", "pass", "fail"))
        .unwrap();
    assert_eq!((first.seq, second.seq), (1, 2));
    assert_ne!(first.entry_hash, second.entry_hash);
    let c = Connection::open(&path).unwrap();
    let prev: String = c
        .query_row("SELECT prev_hash FROM entries WHERE seq = 2", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(prev, first.entry_hash);
    // Identical evidence content is stored once.
    let blobs: i64 = c
        .query_row("SELECT count(*) FROM evidence_blobs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(blobs, 2);
    let links: i64 = c
        .query_row("SELECT count(*) FROM entry_evidence", [], |r| r.get(0))
        .unwrap();
    assert_eq!(links, 4);
    let version: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, vouch_ledger::MIGRATIONS.len() as i64);
    drop(l);
    assert_eq!(
        verdict(&path),
        Verdict::Intact {
            entries: 2,
            head: second.entry_hash
        }
    );
    // Reopening for recording keeps the chain.
    let third = Ledger::create_or_open(&path)
        .unwrap()
        .record(&entry("app", "1.2", "2026-03-01T00:00:00Z", "pass", "pass"))
        .unwrap();
    assert_eq!(third.seq, 3);
    assert!(matches!(verdict(&path), Verdict::Intact { entries: 3, .. }));
}

#[test]
fn an_edited_report_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.db");
    three(&path);
    sql(
        &path,
        "UPDATE entries SET report = replace(report, '\"fail\"', '\"pass\"') WHERE seq = 2",
    );
    let (seq, reason) = broken_at(&path);
    assert_eq!(seq, 2);
    assert!(reason.contains("report"), "{reason}");
}

#[test]
fn an_edited_report_with_a_matching_sha256_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.db");
    three(&path);
    let c = Connection::open(&path).unwrap();
    let forged = report("app", "1.1", "2026-02-01T00:00:00Z", "pass", "pass");
    let sha = vouch_ledger::sha256_hex(forged.as_bytes());
    c.execute(
        "UPDATE entries SET report = ?1, report_sha256 = ?2 WHERE seq = 2",
        [forged, sha],
    )
    .unwrap();
    assert_eq!(broken_at(&path).0, 2);
}

#[test]
fn an_edited_field_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.db");
    three(&path);
    sql(&path, "UPDATE entries SET gate = 'pass' WHERE seq = 2");
    let (seq, reason) = broken_at(&path);
    assert_eq!(seq, 2);
    assert!(reason.contains("edited"), "{reason}");
}

#[test]
fn a_deleted_middle_entry_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.db");
    three(&path);
    sql(
        &path,
        "DELETE FROM entry_evidence WHERE seq = 2; DELETE FROM entries WHERE seq = 2",
    );
    let (seq, reason) = broken_at(&path);
    assert_eq!(seq, 2);
    assert!(reason.contains("missing"), "{reason}");
}

#[test]
fn a_deleted_middle_entry_renumbered_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.db");
    three(&path);
    sql(&path, "DELETE FROM entry_evidence WHERE seq = 2; DELETE FROM entries WHERE seq = 2;
                UPDATE entry_evidence SET seq = 2 WHERE seq = 3; UPDATE entries SET seq = 2 WHERE seq = 3;
                UPDATE head SET seq = 2");
    assert_eq!(broken_at(&path).0, 2);
}

#[test]
fn a_deleted_last_entry_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.db");
    three(&path);
    sql(
        &path,
        "DELETE FROM entry_evidence WHERE seq = 3; DELETE FROM entries WHERE seq = 3",
    );
    let (seq, reason) = broken_at(&path);
    assert_eq!(seq, 3);
    assert!(reason.contains("deleted"), "{reason}");
}

#[test]
fn reordered_entries_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.db");
    three(&path);
    // Swap entries 1 and 2 (and their evidence links).
    sql(&path, "UPDATE entries SET seq = -1 WHERE seq = 1; UPDATE entries SET seq = 1 WHERE seq = 2;
                UPDATE entries SET seq = 2 WHERE seq = -1;
                UPDATE entry_evidence SET seq = -1 WHERE seq = 1; UPDATE entry_evidence SET seq = 1 WHERE seq = 2;
                UPDATE entry_evidence SET seq = 2 WHERE seq = -1;");
    assert_eq!(broken_at(&path).0, 1);
}

#[test]
fn an_inserted_entry_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.db");
    three(&path);
    // A copy of entry 2 appended as entry 4, with the head left alone.
    sql(&path, "INSERT INTO entries SELECT 4, recorded_at, product, version, as_of, policy_sha256,
                  bundle_digest, trust_sha256, waiver_sha256, gate, report, report_sha256,
                  evidence_sha256, prev_hash, 'x' || entry_hash FROM entries WHERE seq = 2;
                INSERT INTO entry_evidence SELECT 4, path, sha256 FROM entry_evidence WHERE seq = 2;");
    assert_eq!(broken_at(&path).0, 4);
    // The same row slid in as entry 2, the later ones renumbered.
    let path = dir.path().join("m.db");
    three(&path);
    sql(&path, "UPDATE entries SET seq = seq + 10 WHERE seq >= 2; UPDATE entry_evidence SET seq = seq + 10 WHERE seq >= 2;
                INSERT INTO entries SELECT 2, recorded_at, product, version, as_of, policy_sha256,
                  bundle_digest, trust_sha256, waiver_sha256, gate, report, report_sha256,
                  evidence_sha256, prev_hash, 'y' || entry_hash FROM entries WHERE seq = 13;
                INSERT INTO entry_evidence SELECT 2, path, sha256 FROM entry_evidence WHERE seq = 13;
                UPDATE entries SET seq = seq - 9 WHERE seq >= 12; UPDATE entry_evidence SET seq = seq - 9 WHERE seq >= 12;
                UPDATE head SET seq = 4");
    assert_eq!(broken_at(&path).0, 2);
}

#[test]
fn an_edited_evidence_store_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.db");
    three(&path);
    sql(
        &path,
        "UPDATE evidence_blobs SET content = X'00' WHERE content = CAST('{}' || char(10) AS BLOB)",
    );
    let (seq, reason) = broken_at(&path);
    assert_eq!(seq, 1);
    assert!(reason.contains("evidence"), "{reason}");
    // A file removed from an entry's manifest.
    let path = dir.path().join("m.db");
    three(&path);
    sql(
        &path,
        "DELETE FROM entry_evidence WHERE seq = 3 AND path = 'release.toml'",
    );
    assert_eq!(broken_at(&path).0, 3);
}

#[test]
fn an_empty_ledger_verifies_and_a_foreign_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.db");
    drop(Ledger::create_or_open(&path).unwrap());
    assert!(matches!(verdict(&path), Verdict::Intact { entries: 0, .. }));
    let other = dir.path().join("other.db");
    sql(&other, "CREATE TABLE t (x)");
    assert!(matches!(
        Ledger::create_or_open(&other),
        Err(vouch_ledger::LedgerError::Foreign { .. })
    ));
    assert!(matches!(
        Ledger::open_existing(&other),
        Err(vouch_ledger::LedgerError::Foreign { .. })
    ));
    assert!(matches!(
        Ledger::open_existing(&dir.path().join("absent.db")),
        Err(vouch_ledger::LedgerError::Missing { .. })
    ));
    let newer = dir.path().join("newer.db");
    drop(Ledger::create_or_open(&newer).unwrap());
    sql(&newer, "PRAGMA user_version = 99");
    assert!(matches!(
        Ledger::open_existing(&newer),
        Err(vouch_ledger::LedgerError::TooNew { .. })
    ));
}

#[test]
fn history_lists_trends_and_failures() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.db");
    three(&path);
    let l = Ledger::open_existing(&path).unwrap();
    let h = history(&l, &HistoryQuery::default()).unwrap();
    assert_eq!(h.evaluations.len(), 3);
    let b = h.controls.iter().find(|t| t.id == "b.two").unwrap();
    let statuses: Vec<&str> = b.points.iter().map(|p| p.status.as_str()).collect();
    assert_eq!(statuses, ["pass", "fail", "pass"]);
    assert_eq!(h.principles.len(), 1);
    assert_eq!(h.failed.len(), 1);
    assert_eq!(h.failed[0].version.as_deref(), Some("1.1"));
    assert_eq!(h.failed[0].controls, ["b.two (fail)"]);
    let app = history(
        &l,
        &HistoryQuery {
            product: Some("app".into()),
            since: None,
        },
    )
    .unwrap();
    assert_eq!(app.evaluations.len(), 2);
    let since = history(
        &l,
        &HistoryQuery {
            product: None,
            since: Some("2026-01-15T00:00:00Z".parse().unwrap()),
        },
    )
    .unwrap();
    let seqs: Vec<i64> = since.evaluations.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [2, 3]);
}

#[test]
fn two_writers_at_once_keep_one_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.db");
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let path = path.clone();
            std::thread::spawn(move || {
                for i in 0..25 {
                    // Each write opens its own connection, as separate `vouch` runs do.
                    let l = Ledger::create_or_open(&path).unwrap();
                    l.record(&entry(
                        &format!("p{t}"),
                        &format!("1.{i}"),
                        "2026-01-01T00:00:00Z",
                        "pass",
                        "pass",
                    ))
                    .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert!(
        matches!(verdict(&path), Verdict::Intact { entries: 50, .. }),
        "{:?}",
        verdict(&path)
    );
}
