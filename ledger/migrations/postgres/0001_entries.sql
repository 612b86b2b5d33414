-- vouch ledger schema, version 1, in PostgreSQL's dialect: the same tables, columns and
-- constraints as ../0001_entries.sql (SQLite), with BIGINT sequence numbers and BYTEA blobs.
-- The schema version is kept in the table `vouch_ledger` (made by ledger/src/postgres.rs).
CREATE TABLE entries (
    seq             BIGINT PRIMARY KEY,    -- 1, 2, 3, ... with no gaps
    recorded_at     TEXT NOT NULL,         -- RFC 3339, when `vouch evaluate --record` ran
    product         TEXT,                  -- from the report's `release`, when it has one
    version         TEXT,
    as_of           TEXT NOT NULL,         -- the report's `as_of`
    policy_sha256   TEXT NOT NULL,         -- the report's `policy.sha256`
    bundle_digest   TEXT NOT NULL,         -- the report's `bundle.digest`
    trust_sha256    TEXT NOT NULL,         -- JSON array: the report's `trust[].sha256`, sorted
    waiver_sha256   TEXT NOT NULL,         -- JSON array: `waiver_files[].sha256`, sorted
    gate            TEXT NOT NULL CHECK (gate IN ('pass', 'fail')),
    report          TEXT NOT NULL,         -- the canonical JSON report
    report_sha256   TEXT NOT NULL,
    evidence_sha256 TEXT NOT NULL,         -- sha256 of the evidence manifest (entry_evidence)
    prev_hash       TEXT NOT NULL,         -- the previous entry's entry_hash (64 zeros first)
    entry_hash      TEXT NOT NULL UNIQUE
);

CREATE INDEX entries_product ON entries (product, as_of);

-- The evidence snapshot: each file's bytes stored once, by sha256.
CREATE TABLE evidence_blobs (
    sha256  TEXT PRIMARY KEY,
    content BYTEA NOT NULL
);

-- Which files (bundle path, sha256) each entry's bundle held.
CREATE TABLE entry_evidence (
    seq    BIGINT NOT NULL REFERENCES entries (seq),
    path   TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES evidence_blobs (sha256),
    PRIMARY KEY (seq, path)
);

-- The last entry, written in the same transaction as it: deleting or appending rows by hand
-- without updating it is detected. Writers lock this table (EXCLUSIVE) for the whole
-- transaction, so entries are appended one at a time.
CREATE TABLE head (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    seq        BIGINT NOT NULL,
    entry_hash TEXT NOT NULL
);
