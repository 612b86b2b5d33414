//! The PostgreSQL ledger: a database named by a `postgres://` or `postgresql://` URL (rust-
//! postgres, synchronous). The ledger's tables live in the connection's `search_path` (the
//! `public` schema unless the URL's `options` say otherwise); the schema version is the row
//! of the table `vouch_ledger`, made with the first migration. A writer's transaction locks
//! the `head` table (`EXCLUSIVE`: readers go on) before reading the last entry and holds it
//! until it commits, so concurrent writers append one after another; a transaction that
//! fails with a serialization failure, a deadlock or a duplicate key is retried. Reads run in
//! one `REPEATABLE READ READ ONLY` transaction: one snapshot.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator as _;
use postgres::{Client, Config, IsolationLevel, NoTls, Row};

use crate::chain::{GENESIS, sha256_hex};
use crate::{
    APPLICATION_ID, BUSY_TIMEOUT, BadRow, EvidenceFile, LedgerError, POSTGRES_MIGRATIONS, Prepared,
    Reader, Recorded, Stored, pause_here,
};

/// The `application` value of the `vouch_ledger` row.
const APPLICATION: &str = "vouch-ledger";

/// The ledger's own tables: their presence without `vouch_ledger` means another program's.
const TABLES: [&str; 4] = ["entries", "evidence_blobs", "entry_evidence", "head"];

/// How many times a write is retried after a serialization failure or deadlock.
const RETRIES: u32 = 8;

/// An open PostgreSQL ledger.
pub(crate) struct Postgres {
    client: Mutex<Client>,
    /// The URL without its password.
    pub path: String,
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres")
            .field("path", &self.path)
            .finish()
    }
}

impl Postgres {
    pub fn create_or_open(url: &str) -> Result<Postgres, LedgerError> {
        let ledger = Postgres::connect(url)?;
        ledger.migrate()?;
        Ok(ledger)
    }

    pub fn open_existing(url: &str) -> Result<Postgres, LedgerError> {
        let ledger = Postgres::connect(url)?;
        let mut client = ledger.lock()?;
        // In a transaction, as every statement vouch prepares: a pooler in transaction mode
        // keeps a transaction's statements on one server connection.
        let mut tx = client.transaction().map_err(|e| ledger.pg(e))?;
        let version = identity(&mut tx, &ledger.path).map_err(|e| ledger.pg(e))??;
        tx.commit().map_err(|e| ledger.pg(e))?;
        drop(client);
        match version {
            Some(_) => Ok(ledger),
            None => Err(LedgerError::Missing {
                path: ledger.path.clone(),
            }),
        }
    }

    fn connect(url: &str) -> Result<Postgres, LedgerError> {
        let path = redact(url);
        let open = |reason: String| LedgerError::Open {
            path: path.clone(),
            reason,
        };
        let tls_error = |reason: String| LedgerError::Tls {
            path: path.clone(),
            reason,
        };
        let crate::tls::Connection { mut config, tls } =
            crate::tls::connection(url).map_err(|r| match r {
                crate::tls::Refused::Url(reason) => open(reason),
                crate::tls::Refused::Tls(reason) => tls_error(reason),
            })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(30));
        }
        if config.get_application_name().is_none() {
            config.application_name("vouch");
        }
        let client = match tls {
            Some(tls) => config.connect(tls).map_err(|e| {
                match crate::tls::handshake_failure(&e, &host_names(&config)) {
                    Some(why) => tls_error(why),
                    None => open(reason(&e)),
                }
            })?,
            None => config.connect(NoTls).map_err(|e| open(reason(&e)))?,
        };
        Ok(Postgres {
            client: Mutex::new(client),
            path,
        })
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Client>, LedgerError> {
        self.client.lock().map_err(|_| LedgerError::Postgres {
            path: self.path.clone(),
            reason: "the connection was poisoned by a panic".to_owned(),
        })
    }

    fn pg(&self, e: postgres::Error) -> LedgerError {
        LedgerError::Postgres {
            path: self.path.clone(),
            reason: reason(&e),
        }
    }

    /// Creates the schema or applies the migrations it lacks, in one transaction under an
    /// advisory lock, so two processes creating the same ledger at once do not both apply them.
    ///
    /// A transaction that waited for the lock may still look tables up in the catalog as it
    /// was before the wait (PostgreSQL refreshes its catalog snapshot on relation locks, not
    /// advisory ones), and then finds the tables the other process just made by colliding with
    /// them; that attempt is rolled back and made again, seeing them.
    fn migrate(&self) -> Result<(), LedgerError> {
        let mut attempt = 0;
        loop {
            match self.migrate_once(attempt == RETRIES)? {
                Migrated::Done => return Ok(()),
                Migrated::Collided if attempt < RETRIES => attempt += 1,
                Migrated::Collided => {
                    return Err(LedgerError::Postgres {
                        path: self.path.clone(),
                        reason:
                            "another process kept creating the ledger's tables at the same time"
                                .to_owned(),
                    });
                }
            }
        }
    }

    /// One attempt; `last`: a database that looks foreign is then an error, not a collision.
    fn migrate_once(&self, last: bool) -> Result<Migrated, LedgerError> {
        let mut client = self.lock()?;
        let mut tx = client.transaction().map_err(|e| self.pg(e))?;
        tx.batch_execute(&format!(
            "SET LOCAL lock_timeout = {}",
            BUSY_TIMEOUT.as_millis()
        ))
        .map_err(|e| self.pg(e))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&APPLICATION_ID])
            .map_err(|e| self.pg(e))?;
        let version = match identity(&mut tx, &self.path).map_err(|e| self.pg(e))? {
            // The same stale catalog can show some of the tables another process has just
            // made but not `vouch_ledger`: look again in a new transaction before calling
            // the database foreign.
            Err(LedgerError::Foreign { .. }) if !last => return Ok(Migrated::Collided),
            Err(e) => return Err(e),
            Ok(Some(v)) => v,
            Ok(None) => {
                match tx.batch_execute(
                    "CREATE TABLE vouch_ledger (
                        id             INTEGER PRIMARY KEY CHECK (id = 1),
                        application    TEXT NOT NULL,
                        schema_version INTEGER NOT NULL
                    )",
                ) {
                    Ok(()) => {}
                    Err(e) if e.code() == Some(&SqlState::DUPLICATE_TABLE) => {
                        return Ok(Migrated::Collided);
                    }
                    Err(e) => return Err(self.pg(e)),
                }
                tx.execute(
                    "INSERT INTO vouch_ledger (id, application, schema_version) VALUES (1, $1, 0)",
                    &[&APPLICATION],
                )
                .map_err(|e| self.pg(e))?;
                0
            }
        };
        for (n, sql) in POSTGRES_MIGRATIONS
            .iter()
            .enumerate()
            .skip(version.max(0) as usize)
        {
            tx.batch_execute(sql).map_err(|e| self.pg(e))?;
            let v = i32::try_from(n + 1).unwrap_or(i32::MAX);
            tx.execute("UPDATE vouch_ledger SET schema_version = $1", &[&v])
                .map_err(|e| self.pg(e))?;
        }
        tx.commit().map_err(|e| self.pg(e))?;
        Ok(Migrated::Done)
    }

    pub fn record(&self, p: &Prepared<'_>, pause: Option<&Path>) -> Result<Recorded, LedgerError> {
        let mut client = self.lock()?;
        let mut attempt = 0;
        loop {
            match record_once(&mut client, p, pause) {
                Ok(r) => return Ok(r),
                Err(e) if attempt < RETRIES && retryable(&e) => {
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(20 << attempt.min(6)));
                }
                Err(e) => return Err(self.pg(e)),
            }
        }
    }

    pub fn read<T>(
        &self,
        f: impl FnOnce(&mut dyn Reader) -> Result<T, LedgerError>,
    ) -> Result<T, LedgerError> {
        let mut client = self.lock()?;
        let mut tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(|e| self.pg(e))?;
        let out = f(&mut PgReader {
            tx: &mut tx,
            path: &self.path,
        })?;
        tx.commit().map_err(|e| self.pg(e))?;
        Ok(out)
    }
}

/// How one attempt at creating or upgrading the schema ended.
enum Migrated {
    /// Committed: the schema is current.
    Done,
    /// Rolled back: another process created the tables after this transaction's catalog
    /// snapshot was taken; try again.
    Collided,
}

/// The ledger's schema version (`None`: no ledger here yet), or why the database is not a
/// ledger this vouch can use.
fn identity(
    c: &mut impl postgres::GenericClient,
    path: &str,
) -> Result<Result<Option<i64>, LedgerError>, postgres::Error> {
    let row = c.query_one(
        "SELECT to_regclass('vouch_ledger') IS NOT NULL,
            (SELECT count(*) FROM unnest($1::text[]) t WHERE to_regclass(t) IS NOT NULL)",
        &[&TABLES.as_slice()],
    )?;
    let (meta, tables): (bool, i64) = (row.try_get(0)?, row.try_get(1)?);
    let foreign = |reason: String| {
        Ok(Err(LedgerError::Foreign {
            path: path.to_owned(),
            reason,
        }))
    };
    if !meta {
        if tables > 0 {
            return foreign(
                "it has tables named like a ledger's but no `vouch_ledger` table".to_owned(),
            );
        }
        return Ok(Ok(None));
    }
    let row = c.query_opt(
        "SELECT application, schema_version::bigint FROM vouch_ledger WHERE id = 1",
        &[],
    )?;
    let Some(row) = row else {
        return foreign("its `vouch_ledger` table is empty".to_owned());
    };
    let (app, version): (String, i64) = (row.try_get(0)?, row.try_get(1)?);
    if app != APPLICATION {
        return foreign(format!("its `vouch_ledger` row names `{app}`"));
    }
    let known = POSTGRES_MIGRATIONS.len() as i64;
    if version > known {
        return Ok(Err(LedgerError::TooNew {
            path: path.to_owned(),
            found: version,
            known,
        }));
    }
    Ok(Ok(Some(version)))
}

fn record_once(
    client: &mut Client,
    p: &Prepared<'_>,
    pause: Option<&Path>,
) -> Result<Recorded, postgres::Error> {
    let entry = p.entry;
    let mut tx = client.transaction()?;
    // The ledger's write lock, held until commit; readers (ACCESS SHARE) are not blocked.
    // `SET LOCAL`: the setting ends with the transaction (a pooler may reuse the session).
    tx.batch_execute(&format!(
        "SET LOCAL lock_timeout = {}; LOCK TABLE head IN EXCLUSIVE MODE",
        BUSY_TIMEOUT.as_millis()
    ))?;
    let last = tx.query_opt(
        "SELECT seq, entry_hash FROM entries ORDER BY seq DESC LIMIT 1",
        &[],
    )?;
    let (seq, prev_hash): (i64, String) = match last {
        Some(row) => (row.try_get::<_, i64>(0)? + 1, row.try_get(1)?),
        None => (1, GENESIS.to_owned()),
    };
    let hash = p.hash(seq, &prev_hash);
    tx.execute(
        "INSERT INTO entries (seq, recorded_at, product, version, as_of, policy_sha256,
            bundle_digest, trust_sha256, waiver_sha256, gate, report, report_sha256,
            evidence_sha256, prev_hash, entry_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        &[
            &seq,
            &entry.recorded_at,
            &entry.product,
            &entry.version,
            &entry.as_of,
            &entry.policy_sha256,
            &entry.bundle_digest,
            &p.trust,
            &p.waivers,
            &p.gate,
            &entry.report,
            &p.report_sha256,
            &p.evidence_sha256,
            &prev_hash,
            &hash,
        ],
    )?;
    let blob = tx.prepare(
        "INSERT INTO evidence_blobs (sha256, content) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )?;
    let link = tx.prepare(
        "INSERT INTO entry_evidence (seq, path, sha256) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )?;
    for (file, (_, sha)) in entry.evidence.iter().zip(&p.files) {
        tx.execute(&blob, &[sha, &file.content])?;
        tx.execute(&link, &[&seq, &file.path, sha])?;
    }
    // Closed before the commit, on the server connection that prepared them (a pooler in
    // transaction mode may hand the next statement another one).
    drop((blob, link));
    pause_here(pause);
    tx.execute(
        "INSERT INTO head (id, seq, entry_hash) VALUES (1, $1, $2)
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, entry_hash = excluded.entry_hash",
        &[&seq, &hash],
    )?;
    tx.commit()?;
    Ok(Recorded {
        seq,
        entry_hash: hash,
    })
}

/// The hosts of `config`, for messages.
fn host_names(config: &Config) -> String {
    let names: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            postgres::config::Host::Unix(dir) => dir.display().to_string(),
        })
        .collect();
    names.join(",")
}

/// Errors after which the whole transaction is tried again.
fn retryable(e: &postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE
            || *c == SqlState::T_R_DEADLOCK_DETECTED
            || *c == SqlState::UNIQUE_VIOLATION
    )
}

/// A message for an error: the server's message and SQLSTATE, or the client's reason.
fn reason(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                text.push_str(&format!(": {s}"));
                source = s.source();
            }
            text
        }
    }
}

/// `url` without its password (in the user part or a `password=` parameter), for messages.
pub(crate) fn redact(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (authority_end, _) = rest
        .char_indices()
        .find(|(_, c)| *c == '/' || *c == '?')
        .unwrap_or((rest.len(), ' '));
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _)) => format!("{name}:***@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|kv| {
                    if kv.to_ascii_lowercase().starts_with("password=") {
                        "password=***".to_owned()
                    } else {
                        kv.to_owned()
                    }
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

struct PgReader<'a, 'b> {
    tx: &'a mut postgres::Transaction<'b>,
    path: &'a str,
}

impl PgReader<'_, '_> {
    fn pg(&self, e: postgres::Error) -> LedgerError {
        LedgerError::Postgres {
            path: self.path.to_owned(),
            reason: reason(&e),
        }
    }
}

fn stored(r: &Row) -> Result<Stored, postgres::Error> {
    Ok(Stored {
        seq: r.try_get(0)?,
        recorded_at: r.try_get(1)?,
        product: r.try_get(2)?,
        version: r.try_get(3)?,
        as_of: r.try_get(4)?,
        policy_sha256: r.try_get(5)?,
        bundle_digest: r.try_get(6)?,
        trust_sha256: r.try_get(7)?,
        waiver_sha256: r.try_get(8)?,
        gate: r.try_get(9)?,
        report: r.try_get(10)?,
        report_sha256: r.try_get(11)?,
        evidence_sha256: r.try_get(12)?,
        prev_hash: r.try_get(13)?,
        entry_hash: r.try_get(14)?,
    })
}

impl Reader for PgReader<'_, '_> {
    fn bad_blobs(&mut self) -> Result<BTreeSet<String>, LedgerError> {
        let mut bad = BTreeSet::new();
        let rows = self.tx.query_raw(
            "SELECT sha256, content FROM evidence_blobs ORDER BY sha256",
            std::iter::empty::<i32>(),
        );
        let mut rows = match rows {
            Ok(rows) => rows,
            Err(e) => return Err(self_pg(self.path, e)),
        };
        while let Some(r) = rows.next().map_err(|e| self_pg(self.path, e))? {
            let name: String = r.try_get(0).map_err(|e| self_pg(self.path, e))?;
            let content: &[u8] = r.try_get(1).map_err(|e| self_pg(self.path, e))?;
            if sha256_hex(content) != name {
                bad.insert(name);
            }
        }
        Ok(bad)
    }

    fn entries_after(
        &mut self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<Result<Stored, BadRow>>, LedgerError> {
        let rows = self
            .tx
            .query(
                "SELECT seq, recorded_at, product, version, as_of, policy_sha256, bundle_digest,
                    trust_sha256, waiver_sha256, gate, report, report_sha256, evidence_sha256,
                    prev_hash, entry_hash
                 FROM entries WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[&after, &limit],
            )
            .map_err(|e| self.pg(e))?;
        Ok(rows
            .iter()
            .map(|r| stored(r).map_err(|e| (r.try_get::<_, i64>(0).ok(), e.to_string())))
            .collect())
    }

    fn manifest(&mut self, seq: i64) -> Result<Vec<(String, String, bool)>, LedgerError> {
        let rows = self
            .tx
            .query(
                "SELECT e.path, e.sha256, b.sha256 IS NOT NULL FROM entry_evidence e
                 LEFT JOIN evidence_blobs b ON b.sha256 = e.sha256
                 WHERE e.seq = $1 ORDER BY e.path COLLATE \"C\", e.sha256 COLLATE \"C\"",
                &[&seq],
            )
            .map_err(|e| self.pg(e))?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push((
                r.try_get(0).map_err(|e| self.pg(e))?,
                r.try_get(1).map_err(|e| self.pg(e))?,
                r.try_get(2).map_err(|e| self.pg(e))?,
            ));
        }
        Ok(out)
    }

    fn evidence(&mut self, seq: i64) -> Result<Vec<EvidenceFile>, LedgerError> {
        let rows = self
            .tx
            .query(
                "SELECT e.path, b.content FROM entry_evidence e
                 JOIN evidence_blobs b ON b.sha256 = e.sha256
                 WHERE e.seq = $1 ORDER BY e.path COLLATE \"C\"",
                &[&seq],
            )
            .map_err(|e| self.pg(e))?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(EvidenceFile {
                path: r.try_get(0).map_err(|e| self.pg(e))?,
                content: r.try_get(1).map_err(|e| self.pg(e))?,
            });
        }
        Ok(out)
    }

    fn head(&mut self) -> Result<Option<(i64, String)>, LedgerError> {
        let row = self
            .tx
            .query_opt("SELECT seq, entry_hash FROM head WHERE id = 1", &[])
            .map_err(|e| self.pg(e))?;
        match row {
            Some(r) => Ok(Some((
                r.try_get(0).map_err(|e| self.pg(e))?,
                r.try_get(1).map_err(|e| self.pg(e))?,
            ))),
            None => Ok(None),
        }
    }
}

fn self_pg(path: &str, e: postgres::Error) -> LedgerError {
    LedgerError::Postgres {
        path: path.to_owned(),
        reason: reason(&e),
    }
}
