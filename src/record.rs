//! `vouch evaluate --record LEDGER`: appends the evaluation to a ledger (crate
//! `vouch-ledger`), with the bundle's files as its evidence snapshot.

use std::path::{Component, Path};

use vouch_engine::digest::Sha256Digest;
use vouch_engine::eval::value::Timestamp;
use vouch_engine::input_file::read_input_file;
use vouch_engine::report::Report;
use vouch_engine::report::render::{Format, render};
use vouch_ledger::{EvidenceFile, Ledger, NewEntry, Recorded};

use crate::policy_files::display_path;

/// Records `report` into the ledger at `ledger` (created on first use). `passed` is the
/// gate's verdict; `recorded_at` the wall-clock time the CLI read. The evidence snapshot is
/// read again from `bundle`: a file whose sha256 is no longer the one the report records
/// (changed during the evaluation) is refused, so the snapshot is exactly what was judged.
pub fn record(
    ledger: &Path,
    report: &Report,
    bundle: &Path,
    passed: bool,
    recorded_at: Timestamp,
) -> Result<Recorded, String> {
    let mut evidence = Vec::with_capacity(report.evidence.len());
    for file in &report.evidence {
        let relative = Path::new(&file.path);
        if !relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
        {
            return Err(format!(
                "cannot snapshot the evidence file `{}`: not a path inside the bundle",
                file.path
            ));
        }
        let path = bundle.join(relative);
        let content = read_input_file(&path, u64::MAX).map_err(|e| {
            format!(
                "cannot snapshot the evidence file `{}`: {}",
                display_path(&path),
                e.reason()
            )
        })?;
        if Sha256Digest::of(&content).to_hex() != file.sha256 {
            return Err(format!(
                "the evidence file `{}` changed during the evaluation: its sha256 is no longer the one the report records",
                display_path(&path)
            ));
        }
        evidence.push(EvidenceFile {
            path: file.path.clone(),
            content,
        });
    }
    let entry = NewEntry {
        report: render(report, Format::Json),
        product: report.release.as_ref().map(|r| r.product.clone()),
        version: report.release.as_ref().map(|r| r.version.clone()),
        as_of: report.as_of.clone(),
        policy_sha256: report.policy.sha256.clone(),
        bundle_digest: report.bundle.digest.clone(),
        trust_sha256: report.trust.iter().map(|t| t.sha256.clone()).collect(),
        waiver_sha256: report
            .waiver_files
            .iter()
            .map(|w| w.sha256.clone())
            .collect(),
        passed,
        recorded_at: recorded_at.to_string(),
        evidence,
    };
    let mut ledger = Ledger::create_or_open(ledger).map_err(|e| e.to_string())?;
    // Fault tests (tests/ledger.rs) kill the process while it waits inside the transaction.
    if let Some(marker) = std::env::var_os("VOUCH_TEST_LEDGER_PAUSE") {
        ledger.pause_inside_record(marker.into());
    }
    ledger.record(&entry).map_err(|e| e.to_string())
}
