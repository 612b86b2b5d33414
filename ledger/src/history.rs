//! `vouch history`: the recorded evaluations, each control's and principle's status over
//! time, and the releases that failed, read from the stored reports.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use crate::{Ledger, LedgerError, PAGE, Reader};

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
    ledger.read(|r| read(r, ledger.path(), query))
}

fn read(r: &mut dyn Reader, path: &str, query: &HistoryQuery) -> Result<History, LedgerError> {
    let mut out = History {
        evaluations: Vec::new(),
        controls: Vec::new(),
        principles: Vec::new(),
        failed: Vec::new(),
    };
    let mut controls: BTreeMap<String, Vec<Point>> = BTreeMap::new();
    let mut principles: BTreeMap<String, Vec<Point>> = BTreeMap::new();
    let mut after = i64::MIN;
    loop {
        let page = r.entries_after(after, PAGE)?;
        if page.is_empty() {
            break;
        }
        for row in page {
            let e = row.map_err(|(seq, reason)| LedgerError::Corrupt {
                path: path.to_owned(),
                seq: seq.unwrap_or(after),
                reason: format!("a stored value has the wrong type: {reason}"),
            })?;
            after = e.seq;
            if query.product.is_some() && e.product != query.product {
                continue;
            }
            let seq = e.seq;
            let corrupt = |reason: String| LedgerError::Corrupt {
                path: path.to_owned(),
                seq,
                reason,
            };
            let as_of = e.as_of;
            if let Some(since) = query.since {
                let at: Timestamp = as_of.parse().map_err(|err| {
                    corrupt(format!("its as_of `{as_of}` is not a timestamp: {err}"))
                })?;
                if at < since {
                    continue;
                }
            }
            let report: serde_json::Value = serde_json::from_str(&e.report)
                .map_err(|err| corrupt(format!("its report is not JSON: {err}")))?;
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
                recorded_at: e.recorded_at,
                product: e.product,
                version: e.version,
                as_of,
                policy_sha256: e.policy_sha256,
                bundle_digest: e.bundle_digest,
                gate: e.gate,
                summary,
                report_sha256: e.report_sha256,
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
