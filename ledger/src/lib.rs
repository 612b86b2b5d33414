//! vouch's evaluation history: a ledger of reports, each entry chained to the one before by a
//! sha256 hash, so that an edited, inserted, reordered or deleted entry is detected
//! ([`verify`]). The CLI appends with [`Ledger::record`] (`vouch evaluate --record`), checks
//! with [`verify`] (`vouch ledger verify`) and reads with [`history`] (`vouch history`).
//!
//! A ledger is an SQLite file (embedded, the default: `sqlite.rs`) or a PostgreSQL database
//! named by a `postgres://` or `postgresql://` URL (`postgres.rs`), with the same schema and
//! the same behaviour. The schema is created and upgraded by the versioned SQL files in
//! `ledger/migrations/` (SQLite) and `ledger/migrations/postgres/` (the same versions in
//! PostgreSQL's dialect). Every write is one transaction that holds the ledger's write lock
//! from reading the last entry to committing the new one, so several processes may record
//! into one ledger at once and keep one chain; every read runs in one snapshot. Nothing here
//! reads the clock: the recording time is passed in.

mod chain;
pub mod debt;
mod error;
pub mod head;
pub mod history;
pub mod html;
mod postgres;
pub mod snapshot;
mod sqlite;
mod tls;
mod verify;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use chain::{GENESIS, evidence_manifest_sha256, sha256_hex};
pub use error::LedgerError;
pub use history::{History, HistoryQuery, history, table};
pub use verify::{Verdict, verify};

pub use debt::{WaiverDebt, debt_table, waiver_debt};
pub use head::{ChainHead, chain_head, entry_hash_at};
pub use html::page as html_page;
pub use snapshot::{StoredEntry, snapshot, stored_entries};

/// `PRAGMA application_id` of a vouch ledger (`vLdg`), so another SQLite file is refused;
/// also the key of the PostgreSQL advisory lock taken while migrating.
pub const APPLICATION_ID: i64 = 0x764c_6467;

/// The SQLite schema migrations, in order: version `n` is `MIGRATIONS[n - 1]`.
pub const MIGRATIONS: &[&str] = &[include_str!("../migrations/0001_entries.sql")];

/// The PostgreSQL schema migrations: the same versions as [`MIGRATIONS`], in PostgreSQL's
/// dialect (`BYTEA` for `BLOB`, `BIGINT` sequence numbers). Version `n` is
/// `POSTGRES_MIGRATIONS[n - 1]`.
pub const POSTGRES_MIGRATIONS: &[&str] = &[include_str!("../migrations/postgres/0001_entries.sql")];

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

/// Which database holds a ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file.
    Sqlite,
    /// A PostgreSQL database.
    Postgres,
}

/// An open ledger.
#[derive(Debug)]
pub struct Ledger {
    store: Store,
    path: String,
    pause: Option<PathBuf>,
}

#[derive(Debug)]
enum Store {
    Sqlite(sqlite::Sqlite),
    Postgres(postgres::Postgres),
}

/// The PostgreSQL URL `path` spells, if it is one (`postgres://` or `postgresql://`).
pub fn postgres_url(path: &Path) -> Option<&str> {
    path.to_str()
        .filter(|s| s.starts_with("postgres://") || s.starts_with("postgresql://"))
}

/// `url` without its password (in the user part or a `password=` parameter), for messages.
pub fn redact_url(url: &str) -> String {
    postgres::redact(url)
}

impl Ledger {
    /// Opens the ledger at `path` for recording, creating it (and its schema) if absent.
    /// `path` is an SQLite file or a `postgres://` URL (whose database must exist; its
    /// ledger tables are created on first use).
    pub fn create_or_open(path: &Path) -> Result<Ledger, LedgerError> {
        let store = match postgres_url(path) {
            Some(url) => Store::Postgres(postgres::Postgres::create_or_open(url)?),
            None => Store::Sqlite(sqlite::Sqlite::create_or_open(path)?),
        };
        Ok(Ledger::with(store))
    }

    /// Opens an existing ledger for reading; never creates or migrates one.
    pub fn open_existing(path: &Path) -> Result<Ledger, LedgerError> {
        let store = match postgres_url(path) {
            Some(url) => Store::Postgres(postgres::Postgres::open_existing(url)?),
            None => Store::Sqlite(sqlite::Sqlite::open_existing(path)?),
        };
        Ok(Ledger::with(store))
    }

    fn with(store: Store) -> Ledger {
        let path = match &store {
            Store::Sqlite(s) => s.path.clone(),
            Store::Postgres(p) => p.path.clone(),
        };
        Ledger {
            store,
            path,
            pause: None,
        }
    }

    /// The path the ledger was opened from, for messages (a URL without its password).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Which database holds the ledger.
    pub fn backend(&self) -> Backend {
        match self.store {
            Store::Sqlite(_) => Backend::Sqlite,
            Store::Postgres(_) => Backend::Postgres,
        }
    }

    /// For fault tests only: [`Ledger::record`] creates the file `marker` once the entry and
    /// its evidence are written, then waits inside the open transaction forever, so that a
    /// test can kill the process mid-write. The CLI sets it from `VOUCH_TEST_LEDGER_PAUSE`.
    #[doc(hidden)]
    pub fn pause_inside_record(&mut self, marker: PathBuf) {
        self.pause = Some(marker);
    }

    /// Appends `entry` after the current last entry, in one transaction that holds the
    /// ledger's write lock throughout: the entry, its evidence files (each distinct content
    /// once) and the head move together or not at all.
    pub fn record(&self, entry: &NewEntry) -> Result<Recorded, LedgerError> {
        let prepared = Prepared::new(entry);
        let pause = self.pause.as_deref();
        match &self.store {
            Store::Sqlite(s) => s.record(&prepared, pause),
            Store::Postgres(p) => p.record(&prepared, pause),
        }
    }

    /// Entry `seq`'s evidence snapshot, the files sorted by path, read in one snapshot: what a
    /// re-evaluation of that entry reads. Verify the ledger first.
    pub fn evidence(&self, seq: i64) -> Result<Vec<EvidenceFile>, LedgerError> {
        self.read(|r| r.evidence(seq))
    }

    /// Runs `f` over one consistent snapshot of the ledger.
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&mut dyn Reader) -> Result<T, LedgerError>,
    ) -> Result<T, LedgerError> {
        match &self.store {
            Store::Sqlite(s) => s.read(f),
            Store::Postgres(p) => p.read(f),
        }
    }
}

/// An entry as stored, every column.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub seq: i64,
    pub recorded_at: String,
    pub product: Option<String>,
    pub version: Option<String>,
    pub as_of: String,
    pub policy_sha256: String,
    pub bundle_digest: String,
    pub trust_sha256: String,
    pub waiver_sha256: String,
    pub gate: String,
    pub report: String,
    pub report_sha256: String,
    pub evidence_sha256: String,
    pub prev_hash: String,
    pub entry_hash: String,
}

/// A stored row that could not be read: its sequence number (when readable) and why.
pub(crate) type BadRow = (Option<i64>, String);

/// One consistent snapshot of a ledger, whichever the database.
pub(crate) trait Reader {
    /// The names of the evidence blobs whose bytes do not match their sha256.
    fn bad_blobs(&mut self) -> Result<std::collections::BTreeSet<String>, LedgerError>;
    /// Up to `limit` entries with `seq > after`, in sequence order.
    fn entries_after(
        &mut self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<Result<Stored, BadRow>>, LedgerError>;
    /// Entry `seq`'s evidence links `(path, sha256, blob present)`, sorted.
    fn manifest(&mut self, seq: i64) -> Result<Vec<(String, String, bool)>, LedgerError>;
    /// The head row.
    fn head(&mut self) -> Result<Option<(i64, String)>, LedgerError>;
    /// Entry `seq`'s evidence snapshot: each file's path and bytes, sorted by path (a file
    /// whose blob is missing is left out: [`verify`] names that entry broken).
    fn evidence(&mut self, seq: i64) -> Result<Vec<EvidenceFile>, LedgerError>;
}

/// How many entries a reader fetches at a time.
pub(crate) const PAGE: i64 = 256;

/// An entry ready to be chained: everything but its sequence number and `prev_hash`.
pub(crate) struct Prepared<'a> {
    pub entry: &'a NewEntry,
    pub trust: String,
    pub waivers: String,
    pub report_sha256: String,
    pub evidence_sha256: String,
    pub gate: &'static str,
    /// Each evidence file's (path, sha256), in the files' order.
    pub files: Vec<(String, String)>,
}

impl<'a> Prepared<'a> {
    fn new(entry: &'a NewEntry) -> Prepared<'a> {
        let mut trust = entry.trust_sha256.clone();
        trust.sort();
        let mut waivers = entry.waiver_sha256.clone();
        waivers.sort();
        let files: Vec<(String, String)> = entry
            .evidence
            .iter()
            .map(|f| (f.path.clone(), sha256_hex(&f.content)))
            .collect();
        let mut manifest = files.clone();
        manifest.sort();
        manifest.dedup();
        Prepared {
            entry,
            trust: json_list(&trust),
            waivers: json_list(&waivers),
            report_sha256: sha256_hex(entry.report.as_bytes()),
            evidence_sha256: evidence_manifest_sha256(&manifest),
            gate: if entry.passed { "pass" } else { "fail" },
            files,
        }
    }

    /// The entry's hash as entry `seq` after `prev_hash`.
    pub fn hash(&self, seq: i64, prev_hash: &str) -> String {
        chain::entry_hash(&chain::EntryFields {
            seq,
            recorded_at: &self.entry.recorded_at,
            product: self.entry.product.as_deref(),
            version: self.entry.version.as_deref(),
            as_of: &self.entry.as_of,
            policy_sha256: &self.entry.policy_sha256,
            bundle_digest: &self.entry.bundle_digest,
            trust_sha256: &self.trust,
            waiver_sha256: &self.waivers,
            gate: self.gate,
            report_sha256: &self.report_sha256,
            evidence_sha256: &self.evidence_sha256,
            prev_hash,
        })
    }
}

/// The test hook of [`Ledger::pause_inside_record`]: announce, then wait to be killed.
pub(crate) fn pause_here(marker: Option<&Path>) {
    if let Some(marker) = marker {
        // A marker that cannot be written leaves the test waiting; it fails by its timeout.
        let _ = std::fs::write(marker, b"paused inside the ledger transaction\n");
        loop {
            std::thread::sleep(Duration::from_secs(1));
        }
    }
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
