//! What `vouch backtest` reads: each selected entry's recorded inputs and stored report, and
//! its evidence snapshot, checked against the digests the entry's hash covers before it is
//! handed out.

use jiff::Timestamp;

use crate::chain::{evidence_manifest_sha256, sha256_hex};
use crate::{EvidenceFile, HistoryQuery, Ledger, LedgerError};

/// One recorded entry, as a backtest needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    /// Its sequence number.
    pub seq: i64,
    /// The release's product, when known.
    pub product: Option<String>,
    /// The release's version, when known.
    pub version: Option<String>,
    /// Its `as_of` (RFC 3339).
    pub as_of: String,
    /// The bundle's digest (the report's `bundle.digest`).
    pub bundle_digest: String,
    /// The sha256 of each trust input, sorted.
    pub trust_sha256: Vec<String>,
    /// The sha256 of each waivers file, sorted.
    pub waiver_sha256: Vec<String>,
    /// `pass` or `fail`.
    pub gate: String,
    /// The stored JSON report.
    pub report: String,
    /// The digest of its evidence manifest (which files, by path and sha256).
    pub evidence_sha256: String,
}

/// The entries `query` selects, in sequence order. A stored list that is not a JSON array
/// of strings, or an `as_of` that is not a timestamp when `--since` is given, is
/// [`LedgerError::Corrupt`].
pub fn stored_entries(
    ledger: &Ledger,
    query: &HistoryQuery,
) -> Result<Vec<StoredEntry>, LedgerError> {
    let sq = |e| ledger.sqlite(e);
    let mut stmt = ledger
        .conn
        .prepare(
            "SELECT seq, product, version, as_of, bundle_digest, trust_sha256, waiver_sha256,
                gate, report, evidence_sha256
             FROM entries WHERE (?1 IS NULL OR product = ?1) ORDER BY seq",
        )
        .map_err(sq)?;
    let mut rows = stmt.query([query.product.as_deref()]).map_err(sq)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(sq)? {
        let seq: i64 = r.get(0).map_err(sq)?;
        let corrupt = |reason: String| LedgerError::Corrupt {
            path: ledger.path.clone(),
            seq,
            reason,
        };
        let as_of: String = r.get(3).map_err(sq)?;
        if let Some(since) = query.since {
            let at: Timestamp = as_of
                .parse()
                .map_err(|e| corrupt(format!("its as_of `{as_of}` is not a timestamp: {e}")))?;
            if at < since {
                continue;
            }
        }
        let list = |text: String, name: &str| {
            serde_json::from_str::<Vec<String>>(&text)
                .map_err(|e| corrupt(format!("its {name} is not a JSON list of digests: {e}")))
        };
        out.push(StoredEntry {
            seq,
            product: r.get(1).map_err(sq)?,
            version: r.get(2).map_err(sq)?,
            as_of,
            bundle_digest: r.get(4).map_err(sq)?,
            trust_sha256: list(r.get(5).map_err(sq)?, "trust_sha256")?,
            waiver_sha256: list(r.get(6).map_err(sq)?, "waiver_sha256")?,
            gate: r.get(7).map_err(sq)?,
            report: r.get(8).map_err(sq)?,
            evidence_sha256: r.get(9).map_err(sq)?,
        });
    }
    Ok(out)
}

/// The evidence snapshot of entry `seq`, sorted by path. Every file's bytes must match the
/// sha256 it is stored under, and the list of (path, sha256) must match `evidence_sha256`
/// (the digest the entry's hash covers): `Ok(Err(why))` otherwise, so that the caller
/// refuses to re-evaluate a snapshot that is not the one recorded.
pub fn snapshot(
    ledger: &Ledger,
    seq: i64,
    evidence_sha256: &str,
) -> Result<Result<Vec<EvidenceFile>, String>, LedgerError> {
    let sq = |e| ledger.sqlite(e);
    let mut stmt = ledger
        .conn
        .prepare_cached(
            "SELECT e.path, e.sha256, b.content FROM entry_evidence e
             LEFT JOIN evidence_blobs b ON b.sha256 = e.sha256
             WHERE e.seq = ?1 ORDER BY e.path, e.sha256",
        )
        .map_err(sq)?;
    let mut rows = stmt.query([seq]).map_err(sq)?;
    let mut manifest = Vec::new();
    let mut files = Vec::new();
    while let Some(r) = rows.next().map_err(sq)? {
        let path: String = r.get(0).map_err(sq)?;
        let sha: String = r.get(1).map_err(sq)?;
        let content: Option<Vec<u8>> = r.get(2).map_err(sq)?;
        let Some(content) = content else {
            return Ok(Err(format!(
                "its evidence file `{path}` ({sha}) is missing from the store"
            )));
        };
        if sha256_hex(&content) != sha {
            return Ok(Err(format!(
                "its evidence file `{path}` does not match its sha256 {sha} (edited)"
            )));
        }
        manifest.push((path.clone(), sha));
        files.push(EvidenceFile { path, content });
    }
    if evidence_manifest_sha256(&manifest) != evidence_sha256 {
        return Ok(Err(
            "its evidence files are not the ones recorded (a file added, removed or renamed)"
                .to_owned(),
        ));
    }
    Ok(Ok(files))
}
