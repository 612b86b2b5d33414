//! The chain head a signature covers: the ledger's id (its first entry's hash), how many
//! entries it had and the last one's hash; and, to check a signed head against a ledger
//! that has grown since, the hash of any entry by number.

use serde::{Deserialize, Serialize};

use crate::{Ledger, LedgerError};

/// A ledger's chain head, as `vouch ledger sign` signs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    /// The ledger's id: its first entry's hash, which names one chain for its whole life.
    pub ledger_id: String,
    /// How many entries the chain had.
    pub entries: i64,
    /// The last entry's hash.
    pub head: String,
}

/// The hash of entry `seq`, if the ledger has it.
pub fn entry_hash_at(ledger: &Ledger, seq: i64) -> Result<Option<String>, LedgerError> {
    let rows = ledger.read(|r| r.entries_after(seq - 1, 1))?;
    match rows.into_iter().next() {
        Some(Ok(stored)) if stored.seq == seq => Ok(Some(stored.entry_hash)),
        Some(Ok(_)) | None => Ok(None),
        Some(Err((_, reason))) => Err(LedgerError::Corrupt {
            path: ledger.path().to_owned(),
            seq,
            reason,
        }),
    }
}

/// The chain head of a ledger with `entries` entries whose last hash is `head` (as
/// [`crate::verify`] returns them); `None` for an empty ledger, which has nothing to sign.
pub fn chain_head(
    ledger: &Ledger,
    entries: i64,
    head: &str,
) -> Result<Option<ChainHead>, LedgerError> {
    if entries < 1 {
        return Ok(None);
    }
    let Some(ledger_id) = entry_hash_at(ledger, 1)? else {
        return Ok(None);
    };
    Ok(Some(ChainHead {
        ledger_id,
        entries,
        head: head.to_owned(),
    }))
}
