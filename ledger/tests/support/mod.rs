//! The two ledger back ends for tests: a fresh SQLite file or a fresh PostgreSQL database,
//! with raw SQL access to tamper with them. Shared by `ledger/tests/ledger.rs` and the e2e
//! tests (`tests/ledger.rs`, through `#[path]`).
//!
//! The PostgreSQL server is the one `VOUCH_TEST_POSTGRES_URL` names (`.ci/run` starts one
//! with `.ci/postgres.sh`); without it, the first test that needs one starts its own with
//! `.ci/postgres.sh start --watch PID`, stopped once this test process exits. Tests skip
//! with a printed reason only when neither works; a URL that is set but does not answer
//! fails them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code,
    missing_docs
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use vouch_ledger::{EvidenceFile, Ledger, NewEntry, Verdict, verify};

/// The environment variable naming the PostgreSQL server for tests (a superuser's URL).
pub const URL_VAR: &str = "VOUCH_TEST_POSTGRES_URL";

/// Which back end a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// A fresh, empty ledger location of one back end.
pub struct Db {
    pub kind: Kind,
    /// What `--record` and `Ledger::create_or_open` are given.
    pub location: PathBuf,
    /// For PostgreSQL: the admin URL and the database's name, dropped at the end.
    pg: Option<(String, String)>,
}

/// The repository's root (the directory holding `.ci/`).
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|d| d.join(".ci/postgres.sh").is_file())
        .expect(".ci/postgres.sh above the crate")
        .to_path_buf()
}

/// The variables `.ci/postgres.sh start` prints (from the environment when `URL_VAR` is set
/// there, as `.ci/run` exports them all), or why there is no server.
fn server() -> &'static Result<std::collections::BTreeMap<String, String>, String> {
    static SERVER: OnceLock<Result<std::collections::BTreeMap<String, String>, String>> =
        OnceLock::new();
    SERVER.get_or_init(|| {
        if let Ok(url) = std::env::var(URL_VAR)
            && !url.is_empty()
        {
            return Ok(std::env::vars()
                .filter(|(k, v)| k.starts_with("VOUCH_TEST_P") && !v.is_empty())
                .collect());
        }
        let out = Command::new("bash")
            .arg(repo_root().join(".ci/postgres.sh"))
            .args(["start", "--watch", &std::process::id().to_string()])
            .output()
            .map_err(|e| format!("cannot run .ci/postgres.sh: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "{URL_VAR} is not set and .ci/postgres.sh could not start a server: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let vars: std::collections::BTreeMap<String, String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        if !vars.contains_key(URL_VAR) {
            return Err(".ci/postgres.sh printed no URL".to_owned());
        }
        Ok(vars)
    })
}

/// The admin URL of the test server, or why there is none.
fn admin_url() -> Result<String, String> {
    match server() {
        Ok(vars) => Ok(vars[URL_VAR].clone()),
        Err(e) => Err(e.clone()),
    }
}

/// The value of another variable of the test server's (`VOUCH_TEST_POSTGRES_TLS_URL`,
/// `VOUCH_TEST_PGBOUNCER_URL`); `None`, with the reason printed, when it has none.
pub fn server_var(name: &str, tag: &str) -> Option<String> {
    match server() {
        Ok(vars) => match vars.get(name) {
            Some(v) => Some(v.clone()),
            None => {
                eprintln!(
                    "skipping `{tag}`: the test server has no {name} (an older .ci/postgres.sh, or, for PgBouncer, no `pgbouncer` installed)"
                );
                None
            }
        },
        Err(reason) => {
            eprintln!("skipping `{tag}`: {reason}");
            None
        }
    }
}

/// `url` with its database name replaced by `db`.
pub fn with_database(url: &str, db: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let query = tail.find('?').map(|q| &tail[q..]).unwrap_or("");
    format!("{scheme}://{authority}/{db}{query}")
}

/// `url` with its user replaced by `user` (and no password).
pub fn with_user(url: &str, user: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let host = match rest[..end].rsplit_once('@') {
        Some((_, host)) => host,
        None => &rest[..end],
    };
    format!("{scheme}://{user}@{host}{}", &rest[end..])
}

/// The test server's admin URL; `None`, with the reason printed, when there is none.
pub fn admin(tag: &str) -> Option<String> {
    match admin_url() {
        Ok(url) => Some(url),
        Err(reason) => {
            eprintln!("skipping the PostgreSQL case of `{tag}`: {reason}");
            None
        }
    }
}

/// A name no other test of this run uses, starting with `prefix`.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A connection to `url` (tests only).
pub fn pg_connect(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("cannot connect to the test server {url}: {e}"))
}

impl Db {
    /// A fresh ledger location of `kind` named after `tag`, in `dir` for SQLite; `None` (with
    /// the reason printed) when no PostgreSQL server can be had.
    pub fn new(kind: Kind, dir: &Path, tag: &str) -> Option<Db> {
        match kind {
            Kind::Sqlite => Some(Db {
                kind,
                location: dir.join(format!("{tag}.db")),
                pg: None,
            }),
            Kind::Postgres => {
                let admin = admin(tag)?;
                let name = unique(&format!(
                    "vouch_{}",
                    tag.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
                ));
                pg_connect(&admin)
                    .batch_execute(&format!("CREATE DATABASE \"{name}\""))
                    .unwrap();
                Some(Db {
                    kind,
                    location: PathBuf::from(with_database(&admin, &name)),
                    pg: Some((admin, name)),
                })
            }
        }
    }

    /// The location as text (a path or a URL).
    pub fn arg(&self) -> &str {
        self.location.to_str().unwrap()
    }

    /// Runs `sql` directly, as a tamperer with write access would: foreign keys off.
    pub fn exec(&self, sql: &str) {
        match self.kind {
            Kind::Sqlite => {
                let c = rusqlite::Connection::open(&self.location).unwrap();
                c.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
                c.execute_batch(sql).unwrap();
            }
            Kind::Postgres => {
                let mut c = pg_connect(self.arg());
                c.batch_execute("SET session_replication_role = replica")
                    .unwrap();
                c.batch_execute(sql).unwrap();
            }
        }
    }

    /// The rows of `sql`, every value as text (`None` for NULL; blobs as lowercase hex).
    pub fn rows(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        match self.kind {
            Kind::Sqlite => {
                use rusqlite::types::ValueRef;
                let c = rusqlite::Connection::open(&self.location).unwrap();
                let mut stmt = c.prepare(sql).unwrap();
                let n = stmt.column_count();
                let mut rows = stmt.query([]).unwrap();
                let mut out = Vec::new();
                while let Some(r) = rows.next().unwrap() {
                    out.push(
                        (0..n)
                            .map(|i| match r.get_ref(i).unwrap() {
                                ValueRef::Null => None,
                                ValueRef::Integer(v) => Some(v.to_string()),
                                ValueRef::Real(v) => Some(v.to_string()),
                                ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
                                ValueRef::Blob(b) => Some(hex(b)),
                            })
                            .collect(),
                    );
                }
                out
            }
            Kind::Postgres => {
                let mut c = pg_connect(self.arg());
                c.simple_query(sql)
                    .unwrap()
                    .into_iter()
                    .filter_map(|m| match m {
                        postgres::SimpleQueryMessage::Row(r) => Some(
                            (0..r.len())
                                .map(|i| {
                                    r.get(i).map(|v| {
                                        // bytea's text form is `\x` and hex.
                                        v.strip_prefix("\\x").unwrap_or(v).to_owned()
                                    })
                                })
                                .collect(),
                        ),
                        _ => None,
                    })
                    .collect()
            }
        }
    }

    /// The first column of the first row of `sql`, as text.
    pub fn one(&self, sql: &str) -> String {
        self.rows(sql)
            .into_iter()
            .next()
            .and_then(|r| r.into_iter().next().flatten())
            .unwrap_or_else(|| panic!("no value from {sql}"))
    }

    /// The ledger's schema version.
    pub fn schema_version(&self) -> i64 {
        let sql = match self.kind {
            Kind::Sqlite => "PRAGMA user_version",
            Kind::Postgres => "SELECT schema_version FROM vouch_ledger",
        };
        self.one(sql).parse().unwrap()
    }

    /// The ledger's tables and their columns, sorted (without PostgreSQL's `vouch_ledger`,
    /// which stands for SQLite's `user_version`).
    pub fn columns(&self) -> Vec<(String, String)> {
        let sql = match self.kind {
            Kind::Sqlite => {
                "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
                 WHERE m.type = 'table'"
            }
            Kind::Postgres => {
                "SELECT table_name, column_name FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name <> 'vouch_ledger'"
            }
        };
        let mut out: Vec<(String, String)> = self
            .rows(sql)
            .into_iter()
            .map(|r| (r[0].clone().unwrap(), r[1].clone().unwrap()))
            .collect();
        out.sort();
        out
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.pg
            && let Ok(mut c) = postgres::Client::connect(admin, postgres::NoTls)
        {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
        }
    }
}

/// An empty scratch directory for test `name` on back end `kind`.
pub fn scratch(name: &str, kind: Kind) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("ledger-{name}-{kind:?}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs `$body` (a function of `&Db`) once per back end: `NAME::sqlite` and `NAME::postgres`.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            fn run(kind: $crate::support::Kind) {
                let dir = $crate::support::scratch(stringify!($name), kind);
                if let Some(db) = $crate::support::Db::new(kind, &dir, stringify!($name)) {
                    ($body)(&db);
                }
            }
            #[test]
            fn sqlite() {
                run($crate::support::Kind::Sqlite);
            }
            #[test]
            fn postgres() {
                run($crate::support::Kind::Postgres);
            }
        }
    };
}

/// A report with two controls of the given statuses.
pub fn report(product: &str, version: &str, as_of: &str, c1: &str, c2: &str) -> String {
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

/// A new entry with that report and two evidence files.
pub fn entry(product: &str, version: &str, as_of: &str, c1: &str, c2: &str) -> NewEntry {
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

/// Four writers recording 20 entries each at once into the ledger at `location` (each write
/// on its own connection, as separate `vouch` runs), with a reader verifying meanwhile; then
/// checks, through `db`, one intact chain of all 80 entries.
pub fn several_writers(db: &Db, location: &Path) {
    let writers = 4;
    let each = 20;
    let threads: Vec<_> = (0..writers)
        .map(|t| {
            let path = location.to_path_buf();
            std::thread::spawn(move || {
                for i in 0..each {
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
    // A reader verifying while they write sees a consistent snapshot every time.
    let path = location.to_path_buf();
    let reader = std::thread::spawn(move || {
        for _ in 0..40 {
            if let Ok(l) = Ledger::open_existing(&path) {
                let v = verify(&l).unwrap();
                assert!(matches!(v, Verdict::Intact { .. }), "{v:?}");
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    });
    for t in threads {
        t.join().unwrap();
    }
    reader.join().unwrap();
    let v = verify(&Ledger::open_existing(&db.location).unwrap()).unwrap();
    assert!(
        matches!(v, Verdict::Intact { entries, .. } if entries == writers * each),
        "{v:?}"
    );
    // Every writer's entries are all there, each once.
    assert_eq!(
        db.one("SELECT count(DISTINCT product || '/' || version) FROM entries"),
        (writers * each).to_string()
    );
}
