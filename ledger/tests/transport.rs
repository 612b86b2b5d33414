//! The PostgreSQL ledger's transport: TLS (the test server's listener on 127.0.0.1 with a
//! certificate for `ledger-db.test` from a test CA, both made by `.ci/postgres.sh` with
//! openssl), and PgBouncer in transaction pooling mode in front of the same server.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod support;

use std::path::{Path, PathBuf};

use support::{Db, Kind, entry};
use vouch_ledger::{HistoryQuery, Ledger, LedgerError, Verdict, history, verify};

const TLS: &str = "VOUCH_TEST_POSTGRES_TLS_URL";

/// A fresh database on the test server and its TLS URL; `None` (reason printed) without one.
fn tls_db(tag: &str) -> Option<(Db, String)> {
    let tls = support::server_var(TLS, tag)?;
    let dir = support::scratch(tag, Kind::Postgres);
    let db = Db::new(Kind::Postgres, &dir, tag)?;
    let name = db.one("SELECT current_database()");
    Some((db, support::with_database(&tls, &name)))
}

/// Whether the open connection of `application_name` vouch to `db`'s database uses TLS.
fn connections_use_tls(db: &Db) -> Vec<bool> {
    db.rows(
        "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
         WHERE a.application_name = 'vouch' AND a.datname = current_database()",
    )
    .into_iter()
    .map(|r| r[0].as_deref() == Some("t"))
    .collect()
}

/// Why opening `url` failed, which must be a TLS refusal.
fn tls_refusal(url: &str) -> String {
    match Ledger::create_or_open(Path::new(url)) {
        Err(LedgerError::Tls { reason, .. }) => reason,
        Err(e) => panic!("expected a TLS refusal of {url}, got {e:?}"),
        Ok(_) => panic!("{url} was opened"),
    }
}

#[test]
fn records_verifies_and_reads_history_over_verified_tls() {
    let Some((db, url)) = tls_db("tls_round_trip") else {
        return;
    };
    let l = Ledger::create_or_open(Path::new(&url)).unwrap();
    assert_eq!(connections_use_tls(&db), [true]);
    l.record(&entry("app", "1.0", "2026-01-01T00:00:00Z", "pass", "pass"))
        .unwrap();
    l.record(&entry("app", "1.1", "2026-02-01T00:00:00Z", "pass", "fail"))
        .unwrap();
    drop(l);
    // libpq's stricter spellings are the same thing here.
    for mode in ["verify-full", "verify-ca"] {
        let url = url.replace("sslmode=require", &format!("sslmode={mode}"));
        let l = Ledger::open_existing(Path::new(&url)).unwrap();
        assert!(matches!(
            verify(&l).unwrap(),
            Verdict::Intact { entries: 2, .. }
        ));
        let h = history(&l, &HistoryQuery::default()).unwrap();
        assert_eq!(h.failed.len(), 1);
        assert_eq!(connections_use_tls(&db), [true]);
    }
}

#[test]
fn a_server_certificate_from_another_ca_is_refused() {
    let Some((_db, url)) = tls_db("tls_wrong_ca") else {
        return;
    };
    let reason = tls_refusal(&url.replace("/tls/ca.crt", "/tls/other-ca.crt"));
    assert!(
        reason.contains("not signed by a CA vouch trusts"),
        "{reason}"
    );
    // Without `sslrootcert`, the system's CAs, which did not sign the test CA either.
    let system = url
        .split('&')
        .filter(|kv| !kv.starts_with("sslrootcert="))
        .collect::<Vec<_>>()
        .join("&");
    let reason = tls_refusal(&system);
    assert!(
        reason.contains("not signed by a CA vouch trusts") || reason.contains("no CA certificates"),
        "{reason}"
    );
}

#[test]
fn a_server_certificate_for_another_host_name_is_refused() {
    let Some((_db, url)) = tls_db("tls_wrong_host") else {
        return;
    };
    // The same server (hostaddr), reached by a name its certificate does not carry.
    let reason = tls_refusal(&url.replace("@ledger-db.test:", "@ledger.example:"));
    assert!(
        reason.contains("does not name the host `ledger.example`"),
        "{reason}"
    );
    // And by its address, which the certificate does not name either.
    let by_address = url
        .replace("@ledger-db.test:", "@127.0.0.1:")
        .replace("hostaddr=127.0.0.1&", "");
    let reason = tls_refusal(&by_address);
    assert!(
        reason.contains("does not name the host `127.0.0.1`"),
        "{reason}"
    );
}

#[test]
fn a_server_without_tls_is_refused_not_downgraded() {
    let Some((db, url)) = tls_db("tls_plaintext_server") else {
        return;
    };
    // The unix socket: PostgreSQL offers no TLS there.
    let socket = format!("{}?sslmode=require", db.arg());
    let reason = tls_refusal(&socket);
    assert!(reason.contains("does not offer it"), "{reason}");
    // A plaintext-only server on TCP: PgBouncer without TLS in front of the same cluster.
    let Some(bouncer) = support::server_var("VOUCH_TEST_PGBOUNCER_URL", "tls_plaintext_server")
    else {
        return;
    };
    let ca = url.split("sslrootcert=").nth(1).unwrap();
    let name = db.one("SELECT current_database()");
    let plain = format!(
        "{}?sslmode=require&sslrootcert={ca}",
        support::with_database(&bouncer, &name)
    );
    let reason = tls_refusal(&plain);
    assert!(reason.contains("does not offer it"), "{reason}");
}

#[test]
fn prefer_and_disable_stay_plaintext_and_a_bad_ca_file_is_named() {
    let Some((db, url)) = tls_db("tls_modes") else {
        return;
    };
    let no_ca: String = url
        .split('&')
        .filter(|kv| !kv.starts_with("sslrootcert="))
        .collect::<Vec<_>>()
        .join("&");
    for mode in ["prefer", "disable"] {
        let l = Ledger::create_or_open(Path::new(&no_ca.replace("require", mode))).unwrap();
        assert_eq!(connections_use_tls(&db), [false], "{mode}");
        drop(l);
    }
    // A CA file with prefer would suggest a protection that is not there.
    let reason = tls_refusal(&url.replace("sslmode=require", "sslmode=prefer"));
    assert!(reason.contains("would not use TLS"), "{reason}");
    let dir = support::scratch("tls_modes_files", Kind::Postgres);
    let missing = dir.join("missing.crt");
    let reason = tls_refusal(&url_with_ca(&url, &missing));
    assert!(
        reason.contains(&format!("the CA file `{}`", missing.display()))
            && reason.contains("cannot be read"),
        "{reason}"
    );
    let empty = dir.join("empty.crt");
    std::fs::write(&empty, "not a certificate\n").unwrap();
    let reason = tls_refusal(&url_with_ca(&url, &empty));
    assert!(reason.contains("holds no certificate"), "{reason}");
}

fn url_with_ca(url: &str, ca: &Path) -> String {
    let (base, _) = url.split_once("sslrootcert=").unwrap();
    format!("{base}sslrootcert={}", ca.display())
}

/// The concurrent writers of `ledger.rs`, through PgBouncer in transaction pooling mode.
#[test]
fn several_writers_through_pgbouncer_in_transaction_mode_keep_one_chain() {
    let tag = "pgbouncer_writers";
    let Some(bouncer) = support::server_var("VOUCH_TEST_PGBOUNCER_URL", tag) else {
        return;
    };
    let dir = support::scratch(tag, Kind::Postgres);
    let Some(db) = Db::new(Kind::Postgres, &dir, tag) else {
        return;
    };
    let name = db.one("SELECT current_database()");
    let through = PathBuf::from(support::with_database(&bouncer, &name));
    support::several_writers(&db, &through);
    // And a reader through it sees the same chain.
    let l = Ledger::open_existing(&through).unwrap();
    assert!(matches!(
        verify(&l).unwrap(),
        Verdict::Intact { entries: 80, .. }
    ));
}
