//! The SQLite ledger: one file, created on first use. The schema version is the file's
//! `user_version` and the file is marked with [`APPLICATION_ID`]. Writes run in `BEGIN
//! IMMEDIATE` transactions (the file's write lock from reading the last entry to committing)
//! with a busy timeout; reads in one deferred transaction, so they see one snapshot.

use std::collections::BTreeSet;
use std::path::Path;

use rusqlite::{Connection, OpenFlags, TransactionBehavior, params};

use crate::chain::{GENESIS, sha256_hex};
use crate::{
    APPLICATION_ID, BUSY_TIMEOUT, BadRow, EvidenceFile, LedgerError, MIGRATIONS, Prepared, Reader,
    Recorded, Stored, pause_here,
};

/// An open SQLite ledger.
#[derive(Debug)]
pub(crate) struct Sqlite {
    conn: Connection,
    pub path: String,
}

impl Sqlite {
    pub fn create_or_open(path: &Path) -> Result<Sqlite, LedgerError> {
        let ledger = Sqlite::open_with(path, OpenFlags::default())?;
        ledger.migrate()?;
        Ok(ledger)
    }

    pub fn open_existing(path: &Path) -> Result<Sqlite, LedgerError> {
        let name = path.display().to_string();
        if !path.is_file() {
            return Err(LedgerError::Missing { path: name });
        }
        // Read-write without create: a writer killed mid-transaction leaves a hot journal,
        // which only a connection that may write can roll back.
        let ledger = Sqlite::open_with(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .or_else(|_| {
            Sqlite::open_with(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
        })?;
        let version = ledger.schema_version()?;
        ledger.check_identity(version)?;
        if version == 0 {
            return Err(LedgerError::Foreign {
                path: ledger.path.clone(),
                reason: "it has no ledger schema".to_owned(),
            });
        }
        Ok(ledger)
    }

    fn open_with(path: &Path, flags: OpenFlags) -> Result<Sqlite, LedgerError> {
        let name = path.display().to_string();
        let conn = Connection::open_with_flags(path, flags).map_err(|e| LedgerError::Open {
            path: name.clone(),
            reason: e.to_string(),
        })?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| sqlite_error(&name, e))?;
        Ok(Sqlite { conn, path: name })
    }

    fn schema_version(&self) -> Result<i64, LedgerError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.sqlite(e))
    }

    /// Refuses an SQLite file that another program made.
    fn check_identity(&self, version: i64) -> Result<(), LedgerError> {
        let app: i64 = self
            .conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|e| self.sqlite(e))?;
        let tables: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(|e| self.sqlite(e))?;
        let fresh = app == 0 && version == 0 && tables == 0;
        if app != APPLICATION_ID && !fresh {
            return Err(LedgerError::Foreign {
                path: self.path.clone(),
                reason: format!("its SQLite application_id is {app:#x}, not a ledger's"),
            });
        }
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(LedgerError::TooNew {
                path: self.path.clone(),
                found: version,
                known,
            });
        }
        Ok(())
    }

    /// Applies the migrations the file lacks, in one immediate transaction (so two processes
    /// creating the same ledger at once do not both apply them).
    fn migrate(&self) -> Result<(), LedgerError> {
        let tx = self.immediate()?;
        let version: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.sqlite(e))?;
        self.check_identity(version)?;
        for (n, sql) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
            tx.execute_batch(sql).map_err(|e| self.sqlite(e))?;
            tx.execute_batch(&format!(
                "PRAGMA user_version = {}; PRAGMA application_id = {APPLICATION_ID};",
                n + 1
            ))
            .map_err(|e| self.sqlite(e))?;
        }
        tx.commit().map_err(|e| self.sqlite(e))
    }

    fn immediate(&self) -> Result<rusqlite::Transaction<'_>, LedgerError> {
        rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(|e| self.sqlite(e))
    }

    fn sqlite(&self, e: rusqlite::Error) -> LedgerError {
        sqlite_error(&self.path, e)
    }

    pub fn record(&self, p: &Prepared<'_>, pause: Option<&Path>) -> Result<Recorded, LedgerError> {
        let entry = p.entry;
        let tx = self.immediate()?;
        let last: Option<(i64, String)> = tx
            .query_row(
                "SELECT seq, entry_hash FROM entries ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })
            .map_err(|e| self.sqlite(e))?;
        let (seq, prev_hash) = match last {
            Some((seq, hash)) => (seq + 1, hash),
            None => (1, GENESIS.to_owned()),
        };
        let hash = p.hash(seq, &prev_hash);
        tx.execute(
            "INSERT INTO entries (seq, recorded_at, product, version, as_of, policy_sha256,
                bundle_digest, trust_sha256, waiver_sha256, gate, report, report_sha256,
                evidence_sha256, prev_hash, entry_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            params![
                seq,
                entry.recorded_at,
                entry.product,
                entry.version,
                entry.as_of,
                entry.policy_sha256,
                entry.bundle_digest,
                p.trust,
                p.waivers,
                p.gate,
                entry.report,
                p.report_sha256,
                p.evidence_sha256,
                prev_hash,
                hash
            ],
        )
        .map_err(|e| self.sqlite(e))?;
        {
            let mut blob = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO evidence_blobs (sha256, content) VALUES (?1, ?2)",
                )
                .map_err(|e| self.sqlite(e))?;
            let mut link = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO entry_evidence (seq, path, sha256) VALUES (?1, ?2, ?3)",
                )
                .map_err(|e| self.sqlite(e))?;
            for (file, (_, sha)) in entry.evidence.iter().zip(&p.files) {
                blob.execute(params![sha, file.content])
                    .map_err(|e| self.sqlite(e))?;
                link.execute(params![seq, file.path, sha])
                    .map_err(|e| self.sqlite(e))?;
            }
        }
        pause_here(pause);
        tx.execute(
            "INSERT INTO head (id, seq, entry_hash) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, entry_hash = excluded.entry_hash",
            params![seq, hash],
        )
        .map_err(|e| self.sqlite(e))?;
        tx.commit().map_err(|e| self.sqlite(e))?;
        Ok(Recorded {
            seq,
            entry_hash: hash,
        })
    }

    pub fn read<T>(
        &self,
        f: impl FnOnce(&mut dyn Reader) -> Result<T, LedgerError>,
    ) -> Result<T, LedgerError> {
        // A deferred transaction: every statement of `f` reads the same snapshot.
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Deferred)
            .map_err(|e| self.sqlite(e))?;
        let out = f(&mut SqliteReader {
            conn: &tx,
            path: &self.path,
        })?;
        tx.commit().map_err(|e| self.sqlite(e))?;
        Ok(out)
    }
}

struct SqliteReader<'a> {
    conn: &'a Connection,
    path: &'a str,
}

impl SqliteReader<'_> {
    fn sq(&self) -> impl Fn(rusqlite::Error) -> LedgerError + '_ {
        |e| sqlite_error(self.path, e)
    }
}

fn stored(r: &rusqlite::Row<'_>) -> rusqlite::Result<Stored> {
    Ok(Stored {
        seq: r.get(0)?,
        recorded_at: r.get(1)?,
        product: r.get(2)?,
        version: r.get(3)?,
        as_of: r.get(4)?,
        policy_sha256: r.get(5)?,
        bundle_digest: r.get(6)?,
        trust_sha256: r.get(7)?,
        waiver_sha256: r.get(8)?,
        gate: r.get(9)?,
        report: r.get(10)?,
        report_sha256: r.get(11)?,
        evidence_sha256: r.get(12)?,
        prev_hash: r.get(13)?,
        entry_hash: r.get(14)?,
    })
}

impl Reader for SqliteReader<'_> {
    fn bad_blobs(&mut self) -> Result<BTreeSet<String>, LedgerError> {
        let sq = self.sq();
        let mut bad = BTreeSet::new();
        let mut stmt = self
            .conn
            .prepare("SELECT sha256, content FROM evidence_blobs ORDER BY sha256")
            .map_err(&sq)?;
        let mut rows = stmt.query([]).map_err(&sq)?;
        while let Some(r) = rows.next().map_err(&sq)? {
            let name: String = r.get(0).map_err(&sq)?;
            // A blob stored with another type (a tamperer's TEXT) is read as its bytes.
            let content: Vec<u8> = match r.get_ref(1).map_err(&sq)? {
                rusqlite::types::ValueRef::Blob(b) | rusqlite::types::ValueRef::Text(b) => {
                    b.to_vec()
                }
                _ => Vec::new(),
            };
            if sha256_hex(&content) != name {
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
        let sq = self.sq();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT seq, recorded_at, product, version, as_of, policy_sha256, bundle_digest,
                    trust_sha256, waiver_sha256, gate, report, report_sha256, evidence_sha256,
                    prev_hash, entry_hash
                 FROM entries WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )
            .map_err(&sq)?;
        let mut rows = stmt.query(params![after, limit]).map_err(&sq)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(&sq)? {
            out.push(stored(r).map_err(|e| (r.get::<_, i64>(0).ok(), e.to_string())));
        }
        Ok(out)
    }

    fn manifest(&mut self, seq: i64) -> Result<Vec<(String, String, bool)>, LedgerError> {
        let sq = self.sq();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT e.path, e.sha256, b.sha256 IS NOT NULL FROM entry_evidence e
                 LEFT JOIN evidence_blobs b ON b.sha256 = e.sha256
                 WHERE e.seq = ?1 ORDER BY e.path, e.sha256",
            )
            .map_err(&sq)?;
        let mut rows = stmt.query([seq]).map_err(&sq)?;
        let mut out = Vec::new();
        while let Some(l) = rows.next().map_err(&sq)? {
            out.push((
                l.get(0).map_err(&sq)?,
                l.get(1).map_err(&sq)?,
                l.get(2).map_err(&sq)?,
            ));
        }
        Ok(out)
    }

    fn evidence(&mut self, seq: i64) -> Result<Vec<EvidenceFile>, LedgerError> {
        let sq = self.sq();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT e.path, b.content FROM entry_evidence e
                 JOIN evidence_blobs b ON b.sha256 = e.sha256
                 WHERE e.seq = ?1 ORDER BY e.path",
            )
            .map_err(&sq)?;
        let mut rows = stmt.query([seq]).map_err(&sq)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(&sq)? {
            out.push(EvidenceFile {
                path: r.get(0).map_err(&sq)?,
                content: r.get(1).map_err(&sq)?,
            });
        }
        Ok(out)
    }

    fn head(&mut self) -> Result<Option<(i64, String)>, LedgerError> {
        match self
            .conn
            .query_row("SELECT seq, entry_hash FROM head WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            }) {
            Ok(h) => Ok(Some(h)),
            Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
            Err(e) => Err(sqlite_error(self.path, e)),
        }
    }
}

fn sqlite_error(path: &str, e: rusqlite::Error) -> LedgerError {
    LedgerError::Sqlite {
        path: path.to_owned(),
        reason: e.to_string(),
    }
}
