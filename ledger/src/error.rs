//! The ledger's errors: each variant one stable code with help.

/// Why a ledger could not be opened, written or read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LedgerError {
    /// The ledger file does not exist, or the PostgreSQL database holds no ledger (only
    /// `--record` and `vouch ledger init` create one).
    #[error("the ledger `{path}` does not exist")]
    #[diagnostic(
        code(vouch::ledger::missing),
        help("`vouch evaluate ... --record FILE` creates a ledger on first use")
    )]
    Missing {
        /// The path given.
        path: String,
    },
    /// The file could not be opened as an SQLite database, or the PostgreSQL server could
    /// not be reached.
    #[error("cannot open the ledger `{path}`: {reason}")]
    #[diagnostic(
        code(vouch::ledger::open),
        help(
            "give the path of a ledger file vouch created, in a writable directory, or the URL of a reachable PostgreSQL database"
        )
    )]
    Open {
        /// The path given.
        path: String,
        /// SQLite's reason.
        reason: String,
    },
    /// The PostgreSQL URL requires TLS (`sslmode=require`, `verify-ca` or `verify-full`) and
    /// the server's TLS cannot be verified, or the server offers none.
    #[error("cannot open the ledger `{path}`: {reason}")]
    #[diagnostic(
        code(vouch::ledger::tls),
        help(
            "with sslmode require, verify-ca or verify-full, vouch verifies the server's certificate (its CA and its host name) and never falls back to plaintext: name the CA that signed it with `sslrootcert=PATH` in the URL, and connect by a host name its certificate names"
        )
    )]
    Tls {
        /// The URL given, without its password.
        path: String,
        /// Why.
        reason: String,
    },
    /// The file is an SQLite database, but not a vouch ledger.
    #[error("`{path}` is not a vouch ledger: {reason}")]
    #[diagnostic(
        code(vouch::ledger::foreign),
        help("vouch records only into a ledger it created; give a new file name")
    )]
    Foreign {
        /// The path given.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The ledger's schema is newer than this vouch knows.
    #[error("the ledger `{path}` has schema version {found}; this vouch knows up to {known}")]
    #[diagnostic(
        code(vouch::ledger::too_new),
        help("read it with the vouch release that wrote it, or a newer one")
    )]
    TooNew {
        /// The path given.
        path: String,
        /// Its schema version.
        found: i64,
        /// The newest version this build has migrations for.
        known: i64,
    },
    /// An SQLite statement failed.
    #[error("ledger `{path}`: {reason}")]
    #[diagnostic(
        code(vouch::ledger::sqlite),
        help(
            "another process may hold the ledger locked longer than the busy timeout, or the file is damaged: run `vouch ledger verify`"
        )
    )]
    Sqlite {
        /// The path given.
        path: String,
        /// SQLite's reason.
        reason: String,
    },
    /// A PostgreSQL statement failed.
    #[error("ledger `{path}`: {reason}")]
    #[diagnostic(
        code(vouch::ledger::postgres),
        help(
            "check that the server is reachable and the role may read (and, to record, write) the ledger's tables; another writer may have held the ledger locked longer than the lock timeout"
        )
    )]
    Postgres {
        /// The URL given, without its password.
        path: String,
        /// The server's message and SQLSTATE, or the client's reason.
        reason: String,
    },
    /// A stored value is not what the schema requires.
    #[error("ledger `{path}`, entry {seq}: {reason}")]
    #[diagnostic(
        code(vouch::ledger::corrupt),
        help("run `vouch ledger verify` to find the first broken entry")
    )]
    Corrupt {
        /// The path given.
        path: String,
        /// The entry.
        seq: i64,
        /// What is wrong.
        reason: String,
    },
}
