//! The ledger on both back ends (SQLite and PostgreSQL, see `support/`): recording, the hash
//! chain, tamper detection (editing the database directly), history, and several writers at
//! once. Every case runs as `NAME::sqlite` and `NAME::postgres`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod support;

use std::path::Path;

use support::{Db, Kind, entry, report, several_writers};
use vouch_ledger::{HistoryQuery, Ledger, Verdict, history, verify};

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

both_backends!(records_a_chain_that_verifies, |db: &Db| {
    let path = &db.location;
    let l = Ledger::create_or_open(path).unwrap();
    let first = l
        .record(&entry("app", "1.0", "2026-01-01T00:00:00Z", "pass", "pass"))
        .unwrap();
    let second = l
        .record(&entry("app", "1.1", "2026-02-01T00:00:00Z", "pass", "fail"))
        .unwrap();
    assert_eq!((first.seq, second.seq), (1, 2));
    assert_ne!(first.entry_hash, second.entry_hash);
    assert_eq!(
        db.one("SELECT prev_hash FROM entries WHERE seq = 2"),
        first.entry_hash
    );
    // Identical evidence content is stored once.
    assert_eq!(db.one("SELECT count(*) FROM evidence_blobs"), "2");
    assert_eq!(db.one("SELECT count(*) FROM entry_evidence"), "4");
    assert_eq!(db.schema_version(), vouch_ledger::MIGRATIONS.len() as i64);
    drop(l);
    assert_eq!(
        verdict(path),
        Verdict::Intact {
            entries: 2,
            head: second.entry_hash
        }
    );
    // Reopening for recording keeps the chain.
    let third = Ledger::create_or_open(path)
        .unwrap()
        .record(&entry("app", "1.2", "2026-03-01T00:00:00Z", "pass", "pass"))
        .unwrap();
    assert_eq!(third.seq, 3);
    assert!(matches!(verdict(path), Verdict::Intact { entries: 3, .. }));
});

both_backends!(an_entrys_evidence_snapshot_reads_back, |db: &Db| {
    three(&db.location);
    let l = Ledger::open_existing(&db.location).unwrap();
    let files = l.evidence(2).unwrap();
    let mut expected = entry("app", "1.1", "2026-02-01T00:00:00Z", "pass", "fail").evidence;
    expected.sort_by(|a, b| a.path.cmp(&b.path));
    assert_eq!(files, expected);
    assert_eq!(l.evidence(9).unwrap(), []);
});

/// The same entries give the same hashes on both back ends, and the two schemas have the same
/// tables and columns at the same version.
#[test]
fn both_backends_reach_the_same_schema_and_chain() {
    let dir = support::scratch("same_schema", Kind::Sqlite);
    let sqlite = Db::new(Kind::Sqlite, &dir, "same_schema").unwrap();
    let Some(pg) = Db::new(Kind::Postgres, &dir, "same_schema") else {
        return;
    };
    assert_eq!(
        vouch_ledger::MIGRATIONS.len(),
        vouch_ledger::POSTGRES_MIGRATIONS.len()
    );
    let mut heads = Vec::new();
    for db in [&sqlite, &pg] {
        three(&db.location);
        assert_eq!(db.schema_version(), vouch_ledger::MIGRATIONS.len() as i64);
        heads.push(verdict(&db.location));
    }
    assert_eq!(heads[0], heads[1]);
    assert!(matches!(heads[0], Verdict::Intact { entries: 3, .. }));
    assert_eq!(sqlite.columns(), pg.columns());
    assert_eq!(sqlite.columns().len(), 23, "{:?}", sqlite.columns());
    let l = [
        Ledger::open_existing(&sqlite.location).unwrap(),
        Ledger::open_existing(&pg.location).unwrap(),
    ];
    assert_eq!(l[0].backend(), vouch_ledger::Backend::Sqlite);
    assert_eq!(l[1].backend(), vouch_ledger::Backend::Postgres);
    assert_eq!(
        history(&l[0], &HistoryQuery::default()).unwrap(),
        history(&l[1], &HistoryQuery::default()).unwrap()
    );
}

both_backends!(an_edited_report_is_named, |db: &Db| {
    three(&db.location);
    db.exec("UPDATE entries SET report = replace(report, '\"fail\"', '\"pass\"') WHERE seq = 2");
    let (seq, reason) = broken_at(&db.location);
    assert_eq!(seq, 2);
    assert!(reason.contains("report"), "{reason}");
});

both_backends!(
    an_edited_report_with_a_matching_sha256_is_named,
    |db: &Db| {
        three(&db.location);
        let forged = report("app", "1.1", "2026-02-01T00:00:00Z", "pass", "pass");
        let sha = vouch_ledger::sha256_hex(forged.as_bytes());
        db.exec(&format!(
            "UPDATE entries SET report = '{forged}', report_sha256 = '{sha}' WHERE seq = 2"
        ));
        assert_eq!(broken_at(&db.location).0, 2);
    }
);

both_backends!(an_edited_field_is_named, |db: &Db| {
    three(&db.location);
    db.exec("UPDATE entries SET gate = 'pass' WHERE seq = 2");
    let (seq, reason) = broken_at(&db.location);
    assert_eq!(seq, 2);
    assert!(reason.contains("edited"), "{reason}");
});

both_backends!(a_deleted_middle_entry_is_named, |db: &Db| {
    three(&db.location);
    db.exec("DELETE FROM entry_evidence WHERE seq = 2; DELETE FROM entries WHERE seq = 2");
    let (seq, reason) = broken_at(&db.location);
    assert_eq!(seq, 2);
    assert!(reason.contains("missing"), "{reason}");
});

both_backends!(a_deleted_middle_entry_renumbered_is_named, |db: &Db| {
    three(&db.location);
    db.exec("DELETE FROM entry_evidence WHERE seq = 2; DELETE FROM entries WHERE seq = 2;
             UPDATE entry_evidence SET seq = 2 WHERE seq = 3; UPDATE entries SET seq = 2 WHERE seq = 3;
             UPDATE head SET seq = 2");
    assert_eq!(broken_at(&db.location).0, 2);
});

both_backends!(a_deleted_last_entry_is_named, |db: &Db| {
    three(&db.location);
    db.exec("DELETE FROM entry_evidence WHERE seq = 3; DELETE FROM entries WHERE seq = 3");
    let (seq, reason) = broken_at(&db.location);
    assert_eq!(seq, 3);
    assert!(reason.contains("deleted"), "{reason}");
});

both_backends!(reordered_entries_are_named, |db: &Db| {
    three(&db.location);
    // Swap entries 1 and 2 (and their evidence links).
    db.exec("UPDATE entries SET seq = -1 WHERE seq = 1; UPDATE entries SET seq = 1 WHERE seq = 2;
             UPDATE entries SET seq = 2 WHERE seq = -1;
             UPDATE entry_evidence SET seq = -1 WHERE seq = 1; UPDATE entry_evidence SET seq = 1 WHERE seq = 2;
             UPDATE entry_evidence SET seq = 2 WHERE seq = -1;");
    assert_eq!(broken_at(&db.location).0, 1);
});

both_backends!(an_inserted_entry_is_named, |db: &Db| {
    three(&db.location);
    // A copy of entry 2 appended as entry 4, with the head left alone.
    db.exec(
        "INSERT INTO entries SELECT 4, recorded_at, product, version, as_of, policy_sha256,
               bundle_digest, trust_sha256, waiver_sha256, gate, report, report_sha256,
               evidence_sha256, prev_hash, 'x' || entry_hash FROM entries WHERE seq = 2;
             INSERT INTO entry_evidence SELECT 4, path, sha256 FROM entry_evidence WHERE seq = 2;",
    );
    assert_eq!(broken_at(&db.location).0, 4);
});

both_backends!(an_entry_slid_into_the_middle_is_named, |db: &Db| {
    three(&db.location);
    // A copy of entry 2 slid in as entry 2, the later ones renumbered and the head moved.
    db.exec("UPDATE entries SET seq = seq + 10 WHERE seq >= 2; UPDATE entry_evidence SET seq = seq + 10 WHERE seq >= 2;
             INSERT INTO entries SELECT 2, recorded_at, product, version, as_of, policy_sha256,
               bundle_digest, trust_sha256, waiver_sha256, gate, report, report_sha256,
               evidence_sha256, prev_hash, 'y' || entry_hash FROM entries WHERE seq = 13;
             INSERT INTO entry_evidence SELECT 2, path, sha256 FROM entry_evidence WHERE seq = 13;
             UPDATE entries SET seq = seq - 9 WHERE seq >= 12; UPDATE entry_evidence SET seq = seq - 9 WHERE seq >= 12;
             UPDATE head SET seq = 4");
    assert_eq!(broken_at(&db.location).0, 2);
});

both_backends!(an_edited_evidence_store_is_named, |db: &Db| {
    three(&db.location);
    let sha = vouch_ledger::sha256_hex(b"{}\n");
    let zero = match db.kind {
        Kind::Sqlite => "X'00'",
        Kind::Postgres => "'\\x00'::bytea",
    };
    db.exec(&format!(
        "UPDATE evidence_blobs SET content = {zero} WHERE sha256 = '{sha}'"
    ));
    let (seq, reason) = broken_at(&db.location);
    assert_eq!(seq, 1);
    assert!(reason.contains("evidence"), "{reason}");
});

both_backends!(a_file_removed_from_a_manifest_is_named, |db: &Db| {
    three(&db.location);
    db.exec("DELETE FROM entry_evidence WHERE seq = 3 AND path = 'release.toml'");
    assert_eq!(broken_at(&db.location).0, 3);
});

both_backends!(a_deleted_evidence_blob_is_named, |db: &Db| {
    three(&db.location);
    let sha = vouch_ledger::sha256_hex(b"product = 1\n");
    db.exec(&format!(
        "DELETE FROM evidence_blobs WHERE sha256 = '{sha}'"
    ));
    let (seq, reason) = broken_at(&db.location);
    assert_eq!(seq, 1);
    assert!(reason.contains("missing from the store"), "{reason}");
});

both_backends!(
    an_empty_ledger_verifies_and_a_newer_schema_is_refused,
    |db: &Db| {
        drop(Ledger::create_or_open(&db.location).unwrap());
        assert!(matches!(
            verdict(&db.location),
            Verdict::Intact { entries: 0, .. }
        ));
        db.exec(match db.kind {
            Kind::Sqlite => "PRAGMA user_version = 99",
            Kind::Postgres => "UPDATE vouch_ledger SET schema_version = 99",
        });
        assert!(matches!(
            Ledger::open_existing(&db.location),
            Err(vouch_ledger::LedgerError::TooNew { .. })
        ));
        assert!(matches!(
            Ledger::create_or_open(&db.location),
            Err(vouch_ledger::LedgerError::TooNew { .. })
        ));
    }
);

both_backends!(a_foreign_database_is_refused, |db: &Db| {
    // Nothing there yet: reading says so, and does not create a ledger.
    assert!(matches!(
        Ledger::open_existing(&db.location),
        Err(vouch_ledger::LedgerError::Missing { .. })
    ));
    if db.kind == Kind::Sqlite {
        assert!(!db.location.exists());
    }
    // Another program's table named like a ledger's.
    db.exec("CREATE TABLE entries (x INTEGER)");
    for result in [
        Ledger::create_or_open(&db.location),
        Ledger::open_existing(&db.location),
    ] {
        assert!(
            matches!(result, Err(vouch_ledger::LedgerError::Foreign { .. })),
            "{result:?}"
        );
    }
});

#[test]
fn a_postgres_url_that_does_not_answer_is_an_open_error_without_its_password() {
    let url = "postgresql://vouch:s3cret@%2Fnonexistent%2Fvouch-socket/ledger?connect_timeout=2";
    let err = Ledger::create_or_open(Path::new(url)).unwrap_err();
    assert!(
        matches!(err, vouch_ledger::LedgerError::Open { .. }),
        "{err:?}"
    );
    let text = format!("{err} {err:?}");
    assert!(!text.contains("s3cret"), "{text}");
    assert!(text.contains("vouch:***@"), "{text}");
}

both_backends!(history_lists_trends_and_failures, |db: &Db| {
    three(&db.location);
    let l = Ledger::open_existing(&db.location).unwrap();
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
});

both_backends!(several_writers_at_once_keep_one_chain, |db: &Db| {
    several_writers(db, &db.location);
});

/// The roles of the book's page "A shared ledger in PostgreSQL", with its SQL run as written:
/// the owner creates the schema, the recorder appends but cannot rewrite, the auditor reads.
#[test]
fn the_books_roles_record_and_read() {
    let Some(admin) = support::admin("the_books_roles_record_and_read") else {
        return;
    };
    let page = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../book/src/guide/history-postgres.md"),
    )
    .unwrap();
    let blocks: Vec<&str> = page
        .split("```sql\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect();
    assert_eq!(blocks.len(), 2, "the page's two SQL blocks");
    let [owner, recorder, auditor, db] =
        ["owner", "recorder", "auditor", "db"].map(|r| support::unique(&format!("vouch_{r}")));
    let rename = |sql: &str| {
        sql.replace("vouch_owner", &owner)
            .replace("vouch_recorder", &recorder)
            .replace("vouch_auditor", &auditor)
            .replace("DATABASE vouch_ledger", &format!("DATABASE {db}"))
    };
    let mut a = support::pg_connect(&admin);
    // One statement at a time, as psql runs them (CREATE DATABASE cannot share a transaction).
    for statement in rename(blocks[0])
        .split(';')
        .filter(|s| !s.trim().is_empty())
    {
        a.batch_execute(statement).unwrap();
    }
    let url = support::with_database(&admin, &db);
    let as_role = |role: &str| std::path::PathBuf::from(support::with_user(&url, role));

    drop(Ledger::create_or_open(&as_role(&owner)).unwrap());
    support::pg_connect(as_role(&owner).to_str().unwrap())
        .batch_execute(&rename(blocks[1]))
        .unwrap();

    let l = Ledger::create_or_open(&as_role(&recorder)).unwrap();
    l.record(&entry("app", "1.0", "2026-01-01T00:00:00Z", "pass", "pass"))
        .unwrap();
    l.record(&entry("app", "1.1", "2026-02-01T00:00:00Z", "pass", "fail"))
        .unwrap();
    let mut rec = support::pg_connect(as_role(&recorder).to_str().unwrap());
    for sql in [
        "UPDATE entries SET gate = 'pass' WHERE seq = 2",
        "DELETE FROM entries WHERE seq = 2",
        "UPDATE evidence_blobs SET content = '\\x00'::bytea",
        "DELETE FROM entry_evidence",
        "CREATE TABLE t (x INTEGER)",
    ] {
        let err = rec.batch_execute(sql).unwrap_err();
        assert!(
            err.as_db_error()
                .unwrap()
                .message()
                .contains("permission denied"),
            "{sql}: {err:?}"
        );
    }

    let l = Ledger::open_existing(&as_role(&auditor)).unwrap();
    assert!(matches!(
        verify(&l).unwrap(),
        Verdict::Intact { entries: 2, .. }
    ));
    assert_eq!(
        history(&l, &HistoryQuery::default())
            .unwrap()
            .evaluations
            .len(),
        2
    );
    let err = Ledger::create_or_open(&as_role(&auditor))
        .unwrap()
        .record(&entry("app", "1.2", "2026-03-01T00:00:00Z", "pass", "pass"))
        .unwrap_err();
    assert!(
        matches!(&err, vouch_ledger::LedgerError::Postgres { reason, .. } if reason.contains("permission denied")),
        "{err:?}"
    );

    drop(rec);
    a.batch_execute(&format!("DROP DATABASE {db} WITH (FORCE)"))
        .unwrap();
    a.batch_execute(&format!("DROP ROLE {owner}, {recorder}, {auditor}"))
        .unwrap();
}

#[test]
fn passwords_are_redacted_from_urls() {
    assert_eq!(
        vouch_ledger::redact_url(
            "postgresql://ci:pa:ss@db.example:5432/ledger?password=x&sslmode=disable"
        ),
        "postgresql://ci:***@db.example:5432/ledger?password=***&sslmode=disable"
    );
    assert_eq!(
        vouch_ledger::redact_url("postgres://ci@db/ledger"),
        "postgres://ci@db/ledger"
    );
}
