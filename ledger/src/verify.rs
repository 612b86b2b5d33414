//! `vouch ledger verify`: walks the chain from the first entry and names the first that does
//! not hold.

use std::collections::BTreeSet;

use crate::chain::{EntryFields, GENESIS, entry_hash, evidence_manifest_sha256, sha256_hex};
use crate::{Ledger, LedgerError, PAGE, Reader};

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

/// Checks the whole ledger: sequence numbers run 1, 2, 3... without gaps; each report's
/// sha256 matches its text; each entry's evidence manifest matches its recorded digest and
/// every stored evidence file matches its sha256; each entry's `prev_hash` is the previous
/// entry's hash and its own hash is recomputed from its fields; the head names the last
/// entry. Returns the first entry that fails, in sequence order.
///
/// A reader that can rewrite every later entry and the head can forge a consistent chain:
/// only a signed chain head (not yet implemented) defends against that.
pub fn verify(ledger: &Ledger) -> Result<Verdict, LedgerError> {
    ledger.read(check)
}

fn check(r: &mut dyn Reader) -> Result<Verdict, LedgerError> {
    // The evidence store first: a blob whose bytes do not match its name.
    let bad_blobs: BTreeSet<String> = r.bad_blobs()?;
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_owned();
    let mut after = i64::MIN;
    loop {
        let page = r.entries_after(after, PAGE)?;
        let Some(last) = page.last() else { break };
        after = match last {
            Ok(e) => e.seq,
            Err((Some(seq), _)) => *seq,
            Err((None, reason)) => {
                return Ok(Verdict::Broken {
                    seq: expected_seq,
                    reason: format!("a stored value has the wrong type: {reason}"),
                });
            }
        };
        for row in page {
            if let Some(broken) = check_entry(r, row, &bad_blobs, &mut expected_seq, &mut prev)? {
                return Ok(broken);
            }
        }
    }
    let entries = expected_seq - 1;
    check_head(r.head()?, entries, prev)
}

/// Checks one entry after those before it: `Some` names it broken.
fn check_entry(
    r: &mut dyn Reader,
    row: Result<crate::Stored, crate::BadRow>,
    bad_blobs: &BTreeSet<String>,
    expected_seq: &mut i64,
    prev: &mut String,
) -> Result<Option<Verdict>, LedgerError> {
    let broken = |seq: i64, reason: String| Ok(Some(Verdict::Broken { seq, reason }));
    let e = match row {
        Ok(e) => e,
        Err((seq, reason)) => {
            return broken(
                seq.unwrap_or(*expected_seq),
                format!("a stored value has the wrong type: {reason}"),
            );
        }
    };
    if e.seq != *expected_seq {
        return broken(
            (*expected_seq).min(e.seq),
            if e.seq > *expected_seq {
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
    for (path, sha, present) in r.manifest(e.seq)? {
        if !present {
            return broken(
                e.seq,
                format!("its evidence file `{path}` ({sha}) is missing from the store"),
            );
        }
        if bad_blobs.contains(&sha) {
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
    if e.prev_hash != *prev {
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
    *prev = e.entry_hash;
    *expected_seq += 1;
    Ok(None)
}

/// The head must name the last entry.
fn check_head(
    head: Option<(i64, String)>,
    entries: i64,
    prev: String,
) -> Result<Verdict, LedgerError> {
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
