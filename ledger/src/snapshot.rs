//! What `vouch backtest` reads: each selected entry's recorded inputs and stored report, and
//! its evidence snapshot, checked against the digests the entry's hash covers before it is
//! handed out.

use jiff::Timestamp;

use crate::chain::{evidence_manifest_sha256, sha256_hex};
use crate::{EvidenceFile, HistoryQuery, Ledger, LedgerError, PAGE, Stored};

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
    ledger.read(|r| {
        let mut out = Vec::new();
        let mut after = 0;
        loop {
            let page = r.entries_after(after, PAGE)?;
            if page.is_empty() {
                return Ok(out);
            }
            for row in page {
                let stored = row.map_err(|(seq, reason)| LedgerError::Corrupt {
                    path: ledger.path().to_owned(),
                    seq: seq.unwrap_or(after + 1),
                    reason,
                })?;
                after = stored.seq;
                if let Some(entry) = select(ledger, query, stored)? {
                    out.push(entry);
                }
            }
        }
    })
}

/// `stored` as a [`StoredEntry`] when `query` selects it.
fn select(
    ledger: &Ledger,
    query: &HistoryQuery,
    stored: Stored,
) -> Result<Option<StoredEntry>, LedgerError> {
    let seq = stored.seq;
    let corrupt = |reason: String| LedgerError::Corrupt {
        path: ledger.path().to_owned(),
        seq,
        reason,
    };
    if query
        .product
        .as_deref()
        .is_some_and(|p| stored.product.as_deref() != Some(p))
    {
        return Ok(None);
    }
    if let Some(since) = query.since {
        let at: Timestamp = stored.as_of.parse().map_err(|e| {
            corrupt(format!(
                "its as_of `{}` is not a timestamp: {e}",
                stored.as_of
            ))
        })?;
        if at < since {
            return Ok(None);
        }
    }
    let list = |text: &str, name: &str| {
        serde_json::from_str::<Vec<String>>(text)
            .map_err(|e| corrupt(format!("its {name} is not a JSON list of digests: {e}")))
    };
    Ok(Some(StoredEntry {
        seq,
        trust_sha256: list(&stored.trust_sha256, "trust_sha256")?,
        waiver_sha256: list(&stored.waiver_sha256, "waiver_sha256")?,
        product: stored.product,
        version: stored.version,
        as_of: stored.as_of,
        bundle_digest: stored.bundle_digest,
        gate: stored.gate,
        report: stored.report,
        evidence_sha256: stored.evidence_sha256,
    }))
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
    let (links, mut stored) = ledger.read(|r| Ok((r.manifest(seq)?, r.evidence(seq)?)))?;
    // `evidence` leaves out the files whose blob is missing; the rest come in `links`' order.
    stored.reverse();
    let mut manifest = Vec::new();
    let mut files = Vec::new();
    for (path, sha, present) in links {
        let file = if present { stored.pop() } else { None };
        let Some(file) = file.filter(|f| f.path == path) else {
            return Ok(Err(format!(
                "its evidence file `{path}` ({sha}) is missing from the store"
            )));
        };
        if sha256_hex(&file.content) != sha {
            return Ok(Err(format!(
                "its evidence file `{path}` does not match its sha256 {sha} (edited)"
            )));
        }
        manifest.push((path, sha));
        files.push(file);
    }
    if evidence_manifest_sha256(&manifest) != evidence_sha256 {
        return Ok(Err(
            "its evidence files are not the ones recorded (a file added, removed or renamed)"
                .to_owned(),
        ));
    }
    Ok(Ok(files))
}
