//! `vouch history`: the recorded evaluations, each control's and principle's status over
//! time, and the releases that failed, read from the stored reports.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use crate::{Ledger, LedgerError};

/// Which entries [`history`] reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryQuery {
    /// Only this product's evaluations.
    pub product: Option<String>,
    /// Only evaluations whose `as_of` is at or after this instant.
    pub since: Option<Timestamp>,
}

/// What [`history`] returns; serialized as `vouch history --format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct History {
    /// The evaluations, in the order they were recorded.
    pub evaluations: Vec<Evaluation>,
    /// Each control's status in each evaluation, sorted by control id.
    pub controls: Vec<Trend>,
    /// Each principle's status in each evaluation, sorted by principle id.
    pub principles: Vec<Trend>,
    /// The evaluations that failed the gate, with their failing controls.
    pub failed: Vec<Failed>,
}

/// One recorded evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    /// Its sequence number in the ledger.
    pub seq: i64,
    /// When it was recorded.
    pub recorded_at: String,
    /// The release's product, when known.
    pub product: Option<String>,
    /// The release's version, when known.
    pub version: Option<String>,
    /// The report's `as_of`.
    pub as_of: String,
    /// The policy's sha256.
    pub policy_sha256: String,
    /// The bundle's digest.
    pub bundle_digest: String,
    /// `pass` or `fail`: the gate of `vouch evaluate`.
    pub gate: String,
    /// The report's summary counts (`total`, `pass`, `fail`, ...).
    pub summary: BTreeMap<String, u64>,
    /// The report's sha256.
    pub report_sha256: String,
}

/// One control's or principle's status over time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trend {
    /// The control or principle id.
    pub id: String,
    /// Its status in each evaluation that assessed it, in recording order.
    pub points: Vec<Point>,
}

/// A status in one evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Point {
    /// The evaluation's sequence number.
    pub seq: i64,
    /// Its `as_of`.
    pub as_of: String,
    /// The status.
    pub status: String,
}

/// An evaluation that failed the gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failed {
    /// Its sequence number.
    pub seq: i64,
    /// The release's product, when known.
    pub product: Option<String>,
    /// The release's version, when known.
    pub version: Option<String>,
    /// Its `as_of`.
    pub as_of: String,
    /// The controls whose status was fail, error or manual, as `ID (status)`, sorted.
    pub controls: Vec<String>,
}

/// Reads the evaluations `query` selects. The caller verifies the chain first: history is
/// only as good as the ledger.
pub fn history(ledger: &Ledger, query: &HistoryQuery) -> Result<History, LedgerError> {
    let sq = |e| ledger.sqlite(e);
    let mut stmt = ledger
        .conn
        .prepare(
            "SELECT seq, recorded_at, product, version, as_of, policy_sha256, bundle_digest,
                gate, report, report_sha256
             FROM entries WHERE (?1 IS NULL OR product = ?1) ORDER BY seq",
        )
        .map_err(sq)?;
    let mut rows = stmt.query([query.product.as_deref()]).map_err(sq)?;
    let mut out = History {
        evaluations: Vec::new(),
        controls: Vec::new(),
        principles: Vec::new(),
        failed: Vec::new(),
    };
    let mut controls: BTreeMap<String, Vec<Point>> = BTreeMap::new();
    let mut principles: BTreeMap<String, Vec<Point>> = BTreeMap::new();
    while let Some(r) = rows.next().map_err(sq)? {
        let seq: i64 = r.get(0).map_err(sq)?;
        let as_of: String = r.get(4).map_err(sq)?;
        let corrupt = |reason: String| LedgerError::Corrupt {
            path: ledger.path.clone(),
            seq,
            reason,
        };
        if let Some(since) = query.since {
            let at: Timestamp = as_of
                .parse()
                .map_err(|e| corrupt(format!("its as_of `{as_of}` is not a timestamp: {e}")))?;
            if at < since {
                continue;
            }
        }
        let text: String = r.get(8).map_err(sq)?;
        let report: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| corrupt(format!("its report is not JSON: {e}")))?;
        let summary = report
            .get("summary")
            .and_then(|s| s.as_object())
            .map(|s| {
                s.iter()
                    .filter_map(|(k, v)| v.as_u64().map(|n| (k.clone(), n)))
                    .collect()
            })
            .unwrap_or_default();
        let mut failing = Vec::new();
        for (list, into) in [("controls", &mut controls), ("provisions", &mut principles)] {
            for item in report
                .get(list)
                .and_then(|c| c.as_array())
                .into_iter()
                .flatten()
            {
                let (Some(id), Some(status)) = (
                    item.get("id").and_then(|v| v.as_str()),
                    item.get("status").and_then(|v| v.as_str()),
                ) else {
                    return Err(corrupt(format!(
                        "an item of its `{list}` has no id or status"
                    )));
                };
                if list == "controls" && matches!(status, "fail" | "error" | "manual") {
                    failing.push(format!("{id} ({status})"));
                }
                into.entry(id.to_owned()).or_default().push(Point {
                    seq,
                    as_of: as_of.clone(),
                    status: status.to_owned(),
                });
            }
        }
        failing.sort();
        let evaluation = Evaluation {
            seq,
            recorded_at: r.get(1).map_err(sq)?,
            product: r.get(2).map_err(sq)?,
            version: r.get(3).map_err(sq)?,
            as_of,
            policy_sha256: r.get(5).map_err(sq)?,
            bundle_digest: r.get(6).map_err(sq)?,
            gate: r.get(7).map_err(sq)?,
            summary,
            report_sha256: r.get(9).map_err(sq)?,
        };
        if evaluation.gate != "pass" {
            out.failed.push(Failed {
                seq,
                product: evaluation.product.clone(),
                version: evaluation.version.clone(),
                as_of: evaluation.as_of.clone(),
                controls: failing,
            });
        }
        out.evaluations.push(evaluation);
    }
    out.controls = controls
        .into_iter()
        .map(|(id, points)| Trend { id, points })
        .collect();
    out.principles = principles
        .into_iter()
        .map(|(id, points)| Trend { id, points })
        .collect();
    Ok(out)
}

/// The plain-text table of `vouch history --format table`.
pub fn table(h: &History) -> String {
    let mut out = String::from("evaluations:\n");
    if h.evaluations.is_empty() {
        out.push_str("  (none)\n");
    }
    for e in &h.evaluations {
        let count = |k: &str| e.summary.get(k).copied().unwrap_or(0);
        out.push_str(&format!(
            "  #{} {} {} {} as of {}: {} ({} pass, {} fail, {} waived, {} manual, {} error)\n",
            e.seq,
            e.recorded_at,
            e.product.as_deref().unwrap_or("-"),
            e.version.as_deref().unwrap_or("-"),
            e.as_of,
            e.gate,
            count("pass"),
            count("fail"),
            count("waived"),
            count("manual"),
            count("error"),
        ));
    }
    out.push_str("controls (status per evaluation, oldest first):\n");
    for t in &h.controls {
        let points: Vec<String> = t
            .points
            .iter()
            .map(|p| format!("#{} {}", p.seq, p.status))
            .collect();
        out.push_str(&format!("  {}: {}\n", t.id, points.join(", ")));
    }
    out.push_str("failed releases:\n");
    if h.failed.is_empty() {
        out.push_str("  (none)\n");
    }
    for f in &h.failed {
        out.push_str(&format!(
            "  #{} {} {} as of {}: {}\n",
            f.seq,
            f.product.as_deref().unwrap_or("-"),
            f.version.as_deref().unwrap_or("-"),
            f.as_of,
            f.controls.join(", ")
        ));
    }
    out
}
