//! vouch's evaluation history: a ledger of reports in an SQLite file, each entry chained to
//! the one before by a sha256 hash, so that an edited, inserted, reordered or deleted entry is
//! detected ([`verify`]). The CLI appends with [`Ledger::record`] (`vouch evaluate --record`),
//! checks with [`verify`] (`vouch ledger verify`) and reads with [`history`] (`vouch history`).
//!
//! The schema is created and upgraded by the versioned SQL files in `ledger/migrations/`,
//! tracked in SQLite's `user_version`. Writes run in `BEGIN IMMEDIATE` transactions with a busy
//! timeout, so several local processes may record into one file at once. Nothing here reads
//! the clock: the recording time is passed in.

mod chain;
pub mod debt;
mod error;
pub mod head;
pub mod history;
pub mod html;
pub mod snapshot;
mod verify;

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior, params};

pub use chain::{GENESIS, evidence_manifest_sha256, sha256_hex};
pub use error::LedgerError;
pub use history::{History, HistoryQuery, history, table};
pub use verify::{Verdict, verify};

pub use debt::{WaiverDebt, debt_table, waiver_debt};
pub use head::{ChainHead, chain_head, entry_hash_at};
pub use html::page as html_page;
pub use snapshot::{StoredEntry, snapshot, stored_entries};

/// `PRAGMA application_id` of a vouch ledger (`vLdg`), so another SQLite file is refused.
pub const APPLICATION_ID: i64 = 0x764c_6467;

/// The schema migrations, in order: version `n` is `MIGRATIONS[n - 1]`.
pub const MIGRATIONS: &[&str] = &[include_str!("../migrations/0001_entries.sql")];

/// How long a writer waits for another to finish before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// What one evaluation adds to the ledger. The CLI fills it from the report model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    /// The canonical JSON report, as `vouch evaluate --format json` writes it.
    pub report: String,
    /// The release's product, when the bundle names one.
    pub product: Option<String>,
    /// The release's version, when the bundle names one.
    pub version: Option<String>,
    /// The report's `as_of`.
    pub as_of: String,
    /// The policy's sha256 (the report's `policy.sha256`).
    pub policy_sha256: String,
    /// The bundle's digest (the report's `bundle.digest`).
    pub bundle_digest: String,
    /// The sha256 of each trust input (sorted on recording).
    pub trust_sha256: Vec<String>,
    /// The sha256 of each waivers file (sorted on recording).
    pub waiver_sha256: Vec<String>,
    /// Whether the evaluation passed the gate of `vouch evaluate`.
    pub passed: bool,
    /// When it was recorded (RFC 3339); the caller reads the clock.
    pub recorded_at: String,
    /// The evidence snapshot: the bundle's files.
    pub evidence: Vec<EvidenceFile>,
}

/// One file of an entry's evidence snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceFile {
    /// Bundle-relative path.
    pub path: String,
    /// Its bytes; stored once per distinct sha256.
    pub content: Vec<u8>,
}

/// A recorded entry's place in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// Its sequence number (1 for the first entry).
    pub seq: i64,
    /// Its hash, which the next entry covers.
    pub entry_hash: String,
}

/// An open ledger file.
#[derive(Debug)]
pub struct Ledger {
    conn: Connection,
    path: String,
}

impl Ledger {
    /// Opens the ledger at `path` for recording, creating it (and its schema) if absent.
    pub fn create_or_open(path: &Path) -> Result<Ledger, LedgerError> {
        let ledger = Ledger::open_with(path, OpenFlags::default())?;
        ledger.migrate()?;
        Ok(ledger)
    }

    /// Opens an existing ledger for reading; never creates or migrates one.
    pub fn open_existing(path: &Path) -> Result<Ledger, LedgerError> {
        let name = path.display().to_string();
        if !path.is_file() {
            return Err(LedgerError::Missing { path: name });
        }
        let ledger = Ledger::open_with(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
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

    fn open_with(path: &Path, flags: OpenFlags) -> Result<Ledger, LedgerError> {
        let name = path.display().to_string();
        let conn = Connection::open_with_flags(path, flags).map_err(|e| LedgerError::Open {
            path: name.clone(),
            reason: e.to_string(),
        })?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| sqlite_error(&name, e))?;
        Ok(Ledger { conn, path: name })
    }

    /// The path the ledger was opened from, for messages.
    pub fn path(&self) -> &str {
        &self.path
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

    /// Appends `entry` after the current last entry, in one `BEGIN IMMEDIATE` transaction:
    /// the entry, its evidence files (each distinct content once) and the head move together
    /// or not at all.
    pub fn record(&self, entry: &NewEntry) -> Result<Recorded, LedgerError> {
        let mut trust = entry.trust_sha256.clone();
        trust.sort();
        let mut waivers = entry.waiver_sha256.clone();
        waivers.sort();
        let trust = json_list(&trust);
        let waivers = json_list(&waivers);
        let mut manifest: Vec<(String, String)> = entry
            .evidence
            .iter()
            .map(|f| (f.path.clone(), sha256_hex(&f.content)))
            .collect();
        manifest.sort();
        manifest.dedup();
        let evidence_sha256 = evidence_manifest_sha256(&manifest);
        let report_sha256 = sha256_hex(entry.report.as_bytes());
        let gate = if entry.passed { "pass" } else { "fail" };

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
        let fields = chain::EntryFields {
            seq,
            recorded_at: &entry.recorded_at,
            product: entry.product.as_deref(),
            version: entry.version.as_deref(),
            as_of: &entry.as_of,
            policy_sha256: &entry.policy_sha256,
            bundle_digest: &entry.bundle_digest,
            trust_sha256: &trust,
            waiver_sha256: &waivers,
            gate,
            report_sha256: &report_sha256,
            evidence_sha256: &evidence_sha256,
            prev_hash: &prev_hash,
        };
        let hash = chain::entry_hash(&fields);
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
                trust,
                waivers,
                gate,
                entry.report,
                report_sha256,
                evidence_sha256,
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
            for (file, (_, sha)) in entry.evidence.iter().zip(entry_manifest(&entry.evidence)) {
                blob.execute(params![sha, file.content])
                    .map_err(|e| self.sqlite(e))?;
                link.execute(params![seq, file.path, sha])
                    .map_err(|e| self.sqlite(e))?;
            }
        }
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
}

/// Each evidence file's (path, sha256), in the files' order.
fn entry_manifest(files: &[EvidenceFile]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|f| (f.path.clone(), sha256_hex(&f.content)))
        .collect()
}

fn json_list(items: &[String]) -> String {
    serde_json::Value::Array(
        items
            .iter()
            .cloned()
            .map(serde_json::Value::String)
            .collect(),
    )
    .to_string()
}

fn sqlite_error(path: &str, e: rusqlite::Error) -> LedgerError {
    LedgerError::Sqlite {
        path: path.to_owned(),
        reason: e.to_string(),
    }
}
