//! `vouch ledger verify`: walks the chain from the first entry and names the first that does
//! not hold.

use std::collections::BTreeMap;

use rusqlite::Row;

use crate::chain::{EntryFields, GENESIS, entry_hash, evidence_manifest_sha256, sha256_hex};
use crate::{Ledger, LedgerError};

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every entry holds and the head names the last.
    Intact {
        /// How many entries.
        entries: i64,
        /// The last entry's hash (the genesis hash for an empty ledger).
        head: String,
    },
    /// The first entry that does not hold.
    Broken {
        /// Its sequence number (for a deleted last entry: the one the head names).
        seq: i64,
        /// Why.
        reason: String,
    },
}

struct Stored {
    seq: i64,
    recorded_at: String,
    product: Option<String>,
    version: Option<String>,
    as_of: String,
    policy_sha256: String,
    bundle_digest: String,
    trust_sha256: String,
    waiver_sha256: String,
    gate: String,
    report: String,
    report_sha256: String,
    evidence_sha256: String,
    prev_hash: String,
    entry_hash: String,
}

fn stored(r: &Row<'_>) -> rusqlite::Result<Stored> {
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

/// Checks the whole ledger: sequence numbers run 1, 2, 3... without gaps; each report's
/// sha256 matches its text; each entry's evidence manifest matches its recorded digest and
/// every stored evidence file matches its sha256; each entry's `prev_hash` is the previous
/// entry's hash and its own hash is recomputed from its fields; the head names the last
/// entry. Returns the first entry that fails, in sequence order.
///
/// A reader that can rewrite every later entry and the head can forge a consistent chain:
/// only a signed chain head (not yet implemented) defends against that.
pub fn verify(ledger: &Ledger) -> Result<Verdict, LedgerError> {
    let conn = &ledger.conn;
    let sq = |e| ledger.sqlite(e);
    // The evidence store first: a blob whose bytes do not match its name.
    let mut bad_blobs: BTreeMap<String, ()> = BTreeMap::new();
    {
        let mut stmt = conn
            .prepare("SELECT sha256, content FROM evidence_blobs ORDER BY sha256")
            .map_err(sq)?;
        let mut rows = stmt.query([]).map_err(sq)?;
        while let Some(r) = rows.next().map_err(sq)? {
            let name: String = r.get(0).map_err(sq)?;
            let content: Vec<u8> = r.get(1).map_err(sq)?;
            if sha256_hex(&content) != name {
                bad_blobs.insert(name, ());
            }
        }
    }
    let mut manifest_stmt = conn
        .prepare(
            "SELECT e.path, e.sha256, b.sha256 IS NOT NULL FROM entry_evidence e
             LEFT JOIN evidence_blobs b ON b.sha256 = e.sha256
             WHERE e.seq = ?1 ORDER BY e.path, e.sha256",
        )
        .map_err(sq)?;
    let mut stmt = conn
        .prepare(
            "SELECT seq, recorded_at, product, version, as_of, policy_sha256, bundle_digest,
                trust_sha256, waiver_sha256, gate, report, report_sha256, evidence_sha256,
                prev_hash, entry_hash
             FROM entries ORDER BY seq",
        )
        .map_err(sq)?;
    let mut rows = stmt.query([]).map_err(sq)?;
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_owned();
    while let Some(row) = rows.next().map_err(sq)? {
        let broken = |seq: i64, reason: String| Ok(Verdict::Broken { seq, reason });
        let e = match stored(row) {
            Ok(e) => e,
            Err(err) => {
                let seq = row.get::<_, i64>(0).unwrap_or(expected_seq);
                return broken(seq, format!("a stored value has the wrong type: {err}"));
            }
        };
        if e.seq != expected_seq {
            return broken(
                expected_seq.min(e.seq),
                if e.seq > expected_seq {
                    format!(
                        "entry {expected_seq} is missing (deleted): the next stored entry is {}",
                        e.seq
                    )
                } else {
                    format!(
                        "entry {} is out of sequence (expected {expected_seq})",
                        e.seq
                    )
                },
            );
        }
        if sha256_hex(e.report.as_bytes()) != e.report_sha256 {
            return broken(
                e.seq,
                "its report does not match its sha256 (edited)".to_owned(),
            );
        }
        let mut manifest: Vec<(String, String)> = Vec::new();
        let mut links = manifest_stmt.query([e.seq]).map_err(sq)?;
        while let Some(l) = links.next().map_err(sq)? {
            let path: String = l.get(0).map_err(sq)?;
            let sha: String = l.get(1).map_err(sq)?;
            let present: bool = l.get(2).map_err(sq)?;
            if !present {
                return broken(
                    e.seq,
                    format!("its evidence file `{path}` ({sha}) is missing from the store"),
                );
            }
            if bad_blobs.contains_key(&sha) {
                return broken(
                    e.seq,
                    format!("its evidence file `{path}` does not match its sha256 {sha} (edited)"),
                );
            }
            manifest.push((path, sha));
        }
        if evidence_manifest_sha256(&manifest) != e.evidence_sha256 {
            return broken(
                e.seq,
                "its evidence files are not the ones recorded (a file added, removed or renamed)"
                    .to_owned(),
            );
        }
        if e.prev_hash != prev {
            return broken(
                e.seq,
                "its prev_hash is not the previous entry's hash (an entry before it was inserted, removed or reordered)"
                    .to_owned(),
            );
        }
        let fields = EntryFields {
            seq: e.seq,
            recorded_at: &e.recorded_at,
            product: e.product.as_deref(),
            version: e.version.as_deref(),
            as_of: &e.as_of,
            policy_sha256: &e.policy_sha256,
            bundle_digest: &e.bundle_digest,
            trust_sha256: &e.trust_sha256,
            waiver_sha256: &e.waiver_sha256,
            gate: &e.gate,
            report_sha256: &e.report_sha256,
            evidence_sha256: &e.evidence_sha256,
            prev_hash: &e.prev_hash,
        };
        if entry_hash(&fields) != e.entry_hash {
            return broken(
                e.seq,
                "its fields do not match its entry hash (edited)".to_owned(),
            );
        }
        prev = e.entry_hash;
        expected_seq += 1;
    }
    let entries = expected_seq - 1;
    let head: Option<(i64, String)> =
        match conn.query_row("SELECT seq, entry_hash FROM head WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        }) {
            Ok(h) => Some(h),
            Err(rusqlite::Error::QueryReturnedNoRows) => None,
            Err(e) => return Err(sq(e)),
        };
    match head {
        None if entries == 0 => Ok(Verdict::Intact {
            entries,
            head: prev,
        }),
        None => Ok(Verdict::Broken {
            seq: entries,
            reason: "the ledger's head record is missing".to_owned(),
        }),
        Some((seq, hash)) if seq == entries && hash == prev => Ok(Verdict::Intact {
            entries,
            head: prev,
        }),
        Some((seq, _)) if seq > entries => Ok(Verdict::Broken {
            seq: entries + 1,
            reason: format!(
                "entry {} is missing (deleted): the head records {seq} entries",
                entries + 1
            ),
        }),
        Some((seq, _)) if seq < entries => Ok(Verdict::Broken {
            seq: seq + 1,
            reason: format!(
                "entry {} was appended outside vouch: the head records {seq} entries",
                seq + 1
            ),
        }),
        Some(_) => Ok(Verdict::Broken {
            seq: entries,
            reason: format!(
                "the head records another hash for entry {entries}: the chain was rewritten outside vouch"
            ),
        }),
    }
}
