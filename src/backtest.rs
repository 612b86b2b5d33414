//! `vouch backtest`: re-evaluates the evidence snapshots a ledger holds with another policy,
//! each at its entry's own `as_of`, and compares every control's status with the stored
//! report's. An entry that cannot be re-evaluated faithfully is *not comparable*, with the
//! reason; never a silent pass.
//!
//! Each distinct (evidence snapshot, `as_of`) is evaluated once: identical snapshots are
//! stored once in the ledger, and a release judged twice on the same day needs one run. The
//! snapshots are evaluated in parallel, each by a worker with its own read-only connection,
//! written to a private temporary directory and ingested from there (the engine ingests
//! directories); the evaluator itself reads no file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;
use vouch_engine::digest::Sha256Digest;
use vouch_engine::eval::Budget;
use vouch_engine::eval::value::Timestamp;
use vouch_engine::waivers::WaiverFile;
use vouch_engine::waivers::approval::approve;
use vouch_engine::{EvaluationOptions, IngestOptions, KeyStore, NoProgress};
use vouch_lang::CheckedPolicy;
use vouch_ledger::{EvidenceFile, HistoryQuery, Ledger, LedgerError, StoredEntry, Verdict};

/// Each control's status, by control id.
type Statuses = BTreeMap<String, String>;

pub use crate::evaluation::WaiverInput;

/// What every re-evaluation shares.
#[derive(Debug)]
pub struct Inputs {
    /// The new policy.
    pub policy: CheckedPolicy,
    /// The trust set (`--trust`).
    pub trust: Arc<KeyStore>,
    /// The waivers files (`--waivers`).
    pub waivers: Vec<WaiverInput>,
    /// Each control's budget.
    pub budget: Budget,
    /// The new policy's framework digest, for the reports.
    pub framework_sha256: Option<String>,
    /// The wall-clock time the CLI read: an entry whose `as_of` is later is not comparable.
    pub now: Timestamp,
    /// The authority policy (`--authority`, `--authority-entities`): an entry is compared
    /// only when its report records the same files (by sha256), or none when this is
    /// [`vouch_engine::authority::EveryTrustedKey`].
    pub authority: Arc<dyn vouch_engine::authority::Authority>,
}

/// Why a backtest could not run at all (exit 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BacktestError {
    /// The ledger could not be read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Ledger(#[from] LedgerError),
    /// The ledger's chain does not hold: its snapshots cannot be trusted.
    #[error("the ledger is broken at entry {seq}: {reason}; nothing was backtested")]
    #[diagnostic(
        code(vouch::backtest::broken_ledger),
        help("`vouch ledger verify LEDGER` names the first broken entry")
    )]
    Broken {
        /// The first broken entry.
        seq: i64,
        /// Why.
        reason: String,
    },
}

/// One control whose status differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlChange {
    /// The control id.
    pub id: String,
    /// Its status in the stored report (`absent` when the old policy had no such control).
    pub old: String,
    /// Its status under the new policy (`absent` when the new policy has none).
    pub new: String,
}

/// What became of one entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Release {
    /// Its sequence number.
    pub seq: i64,
    /// The release's product.
    pub product: Option<String>,
    /// The release's version.
    pub version: Option<String>,
    /// Its `as_of`.
    pub as_of: String,
    /// `changed`, `unchanged` or `not_comparable`.
    pub outcome: &'static str,
    /// Why it is not comparable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The release's status from the stored report: `pass` or `fail` under the default gate
    /// (a control failing, erroring or manual, or nothing judged, fails it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_status: Option<&'static str>,
    /// The same under the new policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_status: Option<&'static str>,
    /// The controls whose status differs, sorted by id.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<ControlChange>,
}

/// The outcome of [`backtest`]; serialized as `vouch backtest --format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Backtest {
    /// The new policy's name.
    pub policy: String,
    /// How many entries were selected.
    pub entries: usize,
    /// How many releases change status, or have a control that does.
    pub changed: usize,
    /// How many could not be re-evaluated faithfully.
    pub not_comparable: usize,
    /// How many distinct (snapshot, `as_of`) pairs were evaluated.
    pub evaluations: usize,
    /// Every selected entry, in sequence order.
    pub releases: Vec<Release>,
}

/// `pass` or `fail` under the default gate of `vouch evaluate`, from control statuses.
pub fn release_status<'a>(statuses: impl IntoIterator<Item = &'a str>) -> &'static str {
    let mut any = false;
    let mut judged = false;
    for s in statuses {
        any = true;
        if matches!(s, "fail" | "error" | "manual") {
            return "fail";
        }
        judged |= s != "not_applicable";
    }
    if any && judged { "pass" } else { "fail" }
}

/// Re-evaluates every entry `query` selects in the ledger at `path` with `inputs`. The
/// chain is verified first; each snapshot's files are checked against the digests the
/// entry's hash covers before it is used.
pub fn backtest(
    path: &Path,
    inputs: &Inputs,
    query: &HistoryQuery,
) -> Result<Backtest, BacktestError> {
    let ledger = Ledger::open_existing(path)?;
    if let Verdict::Broken { seq, reason } = vouch_ledger::verify(&ledger)? {
        return Err(BacktestError::Broken { seq, reason });
    }
    let entries = vouch_ledger::stored_entries(&ledger, query)?;
    let trust_sha256 = sorted(inputs.trust.describe().into_iter().map(|k| k.sha256));
    let waiver_sha256 = sorted(
        inputs
            .waivers
            .iter()
            .map(|w| Sha256Digest::of(&w.bytes).to_hex()),
    );

    // Entries that can be re-evaluated, grouped by what they need: (snapshot, as_of).
    let mut releases: Vec<Release> = Vec::with_capacity(entries.len());
    let mut old: BTreeMap<i64, BTreeMap<String, String>> = BTreeMap::new();
    let mut groups: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        let mut release = Release {
            seq: e.seq,
            product: e.product.clone(),
            version: e.version.clone(),
            as_of: e.as_of.clone(),
            outcome: "not_comparable",
            reason: None,
            old_status: None,
            new_status: None,
            controls: Vec::new(),
        };
        match comparable(e, inputs, &trust_sha256, &waiver_sha256) {
            Ok(statuses) => {
                release.old_status = Some(release_status(statuses.values().map(String::as_str)));
                old.insert(e.seq, statuses);
                groups
                    .entry((e.evidence_sha256.clone(), e.as_of.clone()))
                    .or_default()
                    .push(i);
            }
            Err(reason) => release.reason = Some(reason),
        }
        releases.push(release);
    }
    let evaluations = groups.len();
    // By snapshot, then by as_of: each snapshot is read, checked and written out once, and
    // ingested at each of its instants.
    let mut by_snapshot: BTreeMap<String, Vec<(&StoredEntry, Vec<usize>)>> = BTreeMap::new();
    for ((snapshot, _), idx) in groups {
        if let Some(entry) = idx.first().and_then(|i| entries.get(*i)) {
            by_snapshot.entry(snapshot).or_default().push((entry, idx));
        }
    }
    let results: Vec<(Vec<usize>, Result<Statuses, String>)> = by_snapshot
        .into_values()
        .collect::<Vec<_>>()
        .into_par_iter()
        .map_init(
            || Ledger::open_existing(path),
            |ledger, work| {
                let dir = match (ledger, work.first()) {
                    (Ok(ledger), Some((entry, _))) => written_snapshot(ledger, entry),
                    (Ok(_), None) => Err("no entry names this snapshot".to_owned()),
                    (Err(e), _) => Err(format!("cannot read the ledger: {e}")),
                };
                work.into_par_iter()
                    .map(|(entry, idx)| {
                        let result = match &dir {
                            Ok(dir) => reevaluate(dir.path(), entry, inputs),
                            Err(why) => Err(why.clone()),
                        };
                        (idx, result)
                    })
                    .collect::<Vec<_>>()
            },
        )
        .flatten()
        .collect();
    for (idx, result) in results {
        for i in idx {
            let Some(release) = releases.get_mut(i) else {
                continue;
            };
            match &result {
                Err(reason) => release.reason = Some(reason.clone()),
                Ok(new) => {
                    let before = old.get(&release.seq).cloned().unwrap_or_default();
                    let new_status = release_status(new.values().map(String::as_str));
                    release.new_status = Some(new_status);
                    release.controls = changes(&before, new);
                    release.outcome =
                        if release.controls.is_empty() && release.old_status == Some(new_status) {
                            "unchanged"
                        } else {
                            "changed"
                        };
                }
            }
        }
    }
    for r in &mut releases {
        if r.outcome == "not_comparable" {
            r.old_status = None;
        }
    }
    Ok(Backtest {
        policy: inputs.policy.info.name.clone(),
        entries: releases.len(),
        changed: releases.iter().filter(|r| r.outcome == "changed").count(),
        not_comparable: releases
            .iter()
            .filter(|r| r.outcome == "not_comparable")
            .count(),
        evaluations,
        releases,
    })
}

fn sorted(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = items.collect();
    v.sort();
    v
}

/// The stored report's control statuses, when the entry can be re-evaluated faithfully with
/// `inputs`; otherwise why not.
fn comparable(
    e: &StoredEntry,
    inputs: &Inputs,
    trust_sha256: &[String],
    waiver_sha256: &[String],
) -> Result<BTreeMap<String, String>, String> {
    let as_of: Timestamp = e
        .as_of
        .parse()
        .map_err(|err| format!("its as_of `{}` is not a timestamp: {err}", e.as_of))?;
    if as_of > inputs.now {
        return Err(format!(
            "its as_of {} is in the future (now {}): evidence cannot be judged at an instant that has not come",
            e.as_of, inputs.now
        ));
    }
    if e.trust_sha256 != trust_sha256 {
        return Err(differ(
            "trust inputs",
            "--trust",
            &e.trust_sha256,
            trust_sha256,
        ));
    }
    if e.waiver_sha256 != waiver_sha256 {
        return Err(differ(
            "waivers files",
            "--waivers",
            &e.waiver_sha256,
            waiver_sha256,
        ));
    }
    // Only the fields compared are built; the rest of the report is skipped as it is read.
    let report: StoredReport = serde_json::from_str(&e.report)
        .map_err(|err| format!("its stored report cannot be read: {err}"))?;
    same_authority(report.authority.as_ref(), inputs)?;
    let mut statuses = BTreeMap::new();
    for c in report
        .controls
        .ok_or("its stored report has no `controls` list")?
    {
        let (Some(id), Some(status)) = (c.id, c.status) else {
            return Err("a control of its stored report has no id or status".to_owned());
        };
        statuses.insert(id, status);
    }
    Ok(statuses)
}

/// What backtest reads of a stored report.
#[derive(serde::Deserialize)]
struct StoredReport {
    /// The authority files it was evaluated under (`null` or absent: none).
    #[serde(default)]
    authority: Option<serde_json::Value>,
    /// Its controls.
    #[serde(default)]
    controls: Option<Vec<StoredControl>>,
}

/// A control of a stored report: its id and status.
#[derive(serde::Deserialize)]
struct StoredControl {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

/// Whether the stored report was evaluated under the authority policy `inputs` has (the same
/// policy and entities files, by sha256, or none on both sides); otherwise why not.
fn same_authority(authority: Option<&serde_json::Value>, inputs: &Inputs) -> Result<(), String> {
    let file = |v: Option<&serde_json::Value>| -> Option<(String, String)> {
        let v = v?;
        Some((
            v.get("path")?.as_str()?.to_owned(),
            v.get("sha256")?.as_str()?.to_owned(),
        ))
    };
    let recorded = match authority {
        None | Some(serde_json::Value::Null) => None,
        Some(a) => {
            let policy = file(a.get("policy"))
                .ok_or("its stored report names an authority policy without a path and sha256")?;
            let entities = match a.get("entities") {
                None | Some(serde_json::Value::Null) => None,
                e => Some(file(e).ok_or(
                    "its stored report names authority entities without a path and sha256",
                )?),
            };
            Some((policy, entities))
        }
    };
    let mut sources = inputs.authority.sources().into_iter();
    let given = sources.next().map(|policy| {
        (
            policy.sha256,
            sources.next().map(|entities| entities.sha256),
        )
    });
    let describe = |(name, sha): &(String, String)| format!("`{name}` (sha256 {sha})");
    match (recorded, given) {
        (None, None) => Ok(()),
        (Some((policy, entities)), None) => Err(format!(
            "it was evaluated under the authority policy {}{}; give the same `--authority`{} to compare",
            describe(&policy),
            entities
                .as_ref()
                .map(|e| format!(" with the entities {}", describe(e)))
                .unwrap_or_default(),
            if entities.is_some() {
                " and `--authority-entities`"
            } else {
                ""
            }
        )),
        (None, Some(_)) => Err(
            "it was evaluated without an authority policy, and `--authority` gives one; backtest it without `--authority` to compare"
                .to_owned(),
        ),
        (Some((policy, entities)), Some((policy_sha, entities_sha))) => {
            if policy.1 != policy_sha {
                return Err(format!(
                    "it was evaluated under the authority policy {}, and `--authority` gives one with sha256 {policy_sha}; give the same file to compare",
                    describe(&policy)
                ));
            }
            match (entities, entities_sha) {
                (None, None) => Ok(()),
                (Some(e), Some(sha)) if e.1 == sha => Ok(()),
                (Some(e), Some(sha)) => Err(format!(
                    "its authority entities were {}, and `--authority-entities` gives a file with sha256 {sha}; give the same file to compare",
                    describe(&e)
                )),
                (Some(e), None) => Err(format!(
                    "its authority policy came with the entities {}, and no `--authority-entities` is given; give the same file to compare",
                    describe(&e)
                )),
                (None, Some(_)) => Err(
                    "its authority policy came without entities, and `--authority-entities` gives some; backtest without them to compare"
                        .to_owned(),
                ),
            }
        }
    }
}

/// Why the recorded digests of some input and the ones given differ.
fn differ(what: &str, flag: &str, recorded: &[String], given: &[String]) -> String {
    let recorded_set: BTreeSet<&String> = recorded.iter().collect();
    let given_set: BTreeSet<&String> = given.iter().collect();
    let missing: Vec<&str> = recorded_set
        .difference(&given_set)
        .map(|s| s.as_str())
        .collect();
    let extra: Vec<&str> = given_set
        .difference(&recorded_set)
        .map(|s| s.as_str())
        .collect();
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!(
            "recorded but not given: sha256 {}",
            missing.join(", ")
        ));
    }
    if !extra.is_empty() {
        parts.push(format!(
            "given but not recorded: sha256 {}",
            extra.join(", ")
        ));
    }
    if parts.is_empty() {
        parts.push(format!(
            "recorded {} file(s), given {}",
            recorded.len(),
            given.len()
        ));
    }
    format!(
        "its {what} are not the ones `{flag}` gives ({}); give the same files to compare",
        parts.join("; ")
    )
}

/// Controls whose status differs between `old` and `new`.
fn changes(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> Vec<ControlChange> {
    let ids: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    ids.into_iter()
        .filter_map(|id| {
            let o = old.get(id).map_or("absent", String::as_str);
            let n = new.get(id).map_or("absent", String::as_str);
            (o != n).then(|| ControlChange {
                id: id.clone(),
                old: o.to_owned(),
                new: n.to_owned(),
            })
        })
        .collect()
}

/// `entry`'s evidence snapshot, read, checked against the digests its hash covers and
/// written to a private temporary directory; or why it cannot be used. Entries with the same
/// `evidence_sha256` have the same snapshot.
fn written_snapshot(ledger: &Ledger, entry: &StoredEntry) -> Result<tempfile::TempDir, String> {
    let files = vouch_ledger::snapshot(ledger, entry.seq, &entry.evidence_sha256)
        .map_err(|e| format!("cannot read its evidence snapshot: {e}"))?
        .map_err(|why| format!("its evidence snapshot does not hold: {why}"))?;
    let dir = tempfile::Builder::new()
        .prefix("vouch-backtest-")
        .tempdir()
        .map_err(|e| format!("cannot make a temporary directory for its snapshot: {e}"))?;
    materialise(dir.path(), &files)?;
    Ok(dir)
}

/// Re-evaluates `entry`'s snapshot, written out in `dir`, at its `as_of`: each control's new
/// status, or why the snapshot cannot be used.
fn reevaluate(
    dir: &Path,
    entry: &StoredEntry,
    inputs: &Inputs,
) -> Result<BTreeMap<String, String>, String> {
    let as_of: Timestamp = entry
        .as_of
        .parse()
        .map_err(|e| format!("its as_of is not a timestamp: {e}"))?;
    let options = IngestOptions {
        threads: None,
        trust: Arc::clone(&inputs.trust),
        as_of: Some(as_of),
    };
    let graph = vouch_engine::ingest(dir, &options, &NoProgress)
        .map_err(|e| format!("cannot ingest its evidence snapshot: {e}"))?;
    let waivers = inputs
        .waivers
        .iter()
        .map(|w| WaiverFile {
            approval: approve(&w.name, &w.bytes, &w.signatures, &inputs.trust, as_of),
            waivers: w.waivers.clone(),
        })
        .collect();
    let options = EvaluationOptions {
        as_of,
        waivers,
        trust: inputs.trust.describe(),
        threads: None,
        budget: inputs.budget,
        authority: Arc::clone(&inputs.authority),
        framework_sha256: inputs.framework_sha256.clone(),
    };
    let report = vouch_engine::evaluate(&inputs.policy, &graph, &options);
    if report.bundle.digest != entry.bundle_digest {
        return Err(format!(
            "its evidence snapshot does not reproduce the recorded bundle digest ({} recorded, {} rebuilt): the bundle held files the snapshot lacks",
            entry.bundle_digest, report.bundle.digest
        ));
    }
    Ok(report
        .controls
        .iter()
        .map(|c| (c.id.clone(), c.status.as_str().to_owned()))
        .collect())
}

/// Writes the snapshot's files under `dir`; a path that is not plainly inside the bundle is
/// refused.
fn materialise(dir: &Path, files: &[EvidenceFile]) -> Result<(), String> {
    for f in files {
        let relative = Path::new(&f.path);
        if f.path.is_empty()
            || !relative
                .components()
                .all(|c| matches!(c, Component::Normal(_)))
        {
            return Err(format!(
                "its evidence snapshot names `{}`, not a path inside a bundle",
                f.path
            ));
        }
        let target = dir.join(relative);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot write its evidence snapshot: {e}"))?;
        }
        std::fs::write(&target, &f.content)
            .map_err(|e| format!("cannot write its evidence snapshot: {e}"))?;
    }
    Ok(())
}
