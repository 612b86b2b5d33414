//! Open waiver debt: the waivers in force in each product's latest recorded evaluation, with
//! the days left before each expires, read from the stored reports' `waivers`.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

use crate::snapshot::stored_entries;
use crate::{HistoryQuery, Ledger, LedgerError};

/// The waiver states that are debt: signed and valid waivers (`applied`, `unused`: in force
/// but matching nothing) and those that ran out (`expired`, flagged).
pub const DEBT_STATES: &[&str] = &["applied", "unused", "expired"];

/// One waiver of a product's latest evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaiverDebt {
    /// The product (null for evaluations of bundles without a release).
    pub product: Option<String>,
    /// The release's version in that evaluation.
    pub version: Option<String>,
    /// The evaluation's sequence number.
    pub seq: i64,
    /// Its `as_of`, the instant the days are counted from.
    pub as_of: String,
    /// The waiver's id.
    pub id: String,
    /// The control it waives.
    pub control: String,
    /// Its state in that report: `applied`, `unused` or `expired`.
    pub state: String,
    /// The last day it applies.
    pub expires: String,
    /// Days from the `as_of` date (UTC) to `expires`: 0 on its last day, negative once past.
    pub days_to_expiry: i64,
    /// Whether it had expired at `as_of`.
    pub expired: bool,
    /// Who approved it.
    pub approver: String,
}

/// The open waiver debt of the entries `query` selects: for each product, the waivers of its
/// latest entry (by sequence) whose state is one of [`DEBT_STATES`]; sorted by product,
/// then days to expiry, then id. A report whose waivers lack an id, control, state or a
/// readable `expires` date is [`LedgerError::Corrupt`].
pub fn waiver_debt(ledger: &Ledger, query: &HistoryQuery) -> Result<Vec<WaiverDebt>, LedgerError> {
    let mut latest = BTreeMap::new();
    for entry in stored_entries(ledger, query)? {
        latest.insert(entry.product.clone(), entry);
    }
    let mut out = Vec::new();
    for (product, entry) in latest {
        let corrupt = |reason: String| LedgerError::Corrupt {
            path: ledger.path().to_owned(),
            seq: entry.seq,
            reason,
        };
        let as_of: Timestamp = entry.as_of.parse().map_err(|e| {
            corrupt(format!(
                "its as_of `{}` is not a timestamp: {e}",
                entry.as_of
            ))
        })?;
        let as_of_date = jiff::tz::Offset::UTC.to_datetime(as_of).date();
        let report: serde_json::Value = serde_json::from_str(&entry.report)
            .map_err(|e| corrupt(format!("its report is not JSON: {e}")))?;
        let waivers = report.get("waivers").and_then(|w| w.as_array());
        for w in waivers.into_iter().flatten() {
            let field = |name: &str| w.get(name).and_then(|v| v.as_str());
            let (Some(id), Some(control), Some(state), Some(expires)) = (
                field("id"),
                field("control"),
                field("state"),
                field("expires"),
            ) else {
                return Err(corrupt(
                    "a waiver of its report lacks an id, control, state or expires".to_owned(),
                ));
            };
            if !DEBT_STATES.contains(&state) {
                continue;
            }
            let until: Date = expires.parse().map_err(|e| {
                corrupt(format!(
                    "waiver `{id}` expires on `{expires}`, not a date: {e}"
                ))
            })?;
            let days = as_of_date
                .until(until)
                .map_err(|e| corrupt(format!("waiver `{id}`: {e}")))?
                .get_days();
            out.push(WaiverDebt {
                product: product.clone(),
                version: entry.version.clone(),
                seq: entry.seq,
                as_of: entry.as_of.clone(),
                id: id.to_owned(),
                control: control.to_owned(),
                state: state.to_owned(),
                expires: expires.to_owned(),
                days_to_expiry: i64::from(days),
                expired: state == "expired" || days < 0,
                approver: field("approver").unwrap_or_default().to_owned(),
            });
        }
    }
    out.sort_by(|a, b| {
        (&a.product, a.days_to_expiry, &a.id).cmp(&(&b.product, b.days_to_expiry, &b.id))
    });
    Ok(out)
}

/// The plain-text lines of `vouch history`'s waiver debt section.
pub fn debt_table(debt: &[WaiverDebt]) -> String {
    let mut out = String::from("open waiver debt (latest evaluation of each product):\n");
    if debt.is_empty() {
        out.push_str("  (none)\n");
    }
    for d in debt {
        let when = if d.expired {
            format!("EXPIRED {} days ago", -d.days_to_expiry.min(0))
        } else {
            format!("{} days to expiry", d.days_to_expiry)
        };
        out.push_str(&format!(
            "  {} {} (#{}): waiver {} of {} ({}), expires {}: {}\n",
            d.product.as_deref().unwrap_or("-"),
            d.version.as_deref().unwrap_or("-"),
            d.seq,
            d.id,
            d.control,
            d.state,
            d.expires,
            when
        ));
    }
    out
}
