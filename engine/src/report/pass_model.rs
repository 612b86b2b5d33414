//! What a passing control rests on ([`PassEvidence`]): the `expect`s that held and the
//! evidence records they read, bounded like a finding's evidence.

use serde::Serialize;

use super::model::EvidenceRef;

/// A passing control lists at most this many evidence records ([`PassEvidence::evidence`]),
/// the same cap as a finding's; how many more it read is [`PassEvidence::evidence_omitted`].
pub const MAX_PASS_EVIDENCE: usize = super::model::MAX_FINDING_EVIDENCE;

/// Why a control passed: each `expect` that held, and the evidence records they read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct PassEvidence {
    /// Each `expect` that held, in the order of its first evaluation.
    pub checks: Vec<PassCheck>,
    /// The evidence records the expectations that held read (with the loop elements they were
    /// about), the first [`MAX_PASS_EVIDENCE`] in the report's order (path, digest, location).
    pub evidence: Vec<PassRecord>,
    /// How many more distinct records they read than `evidence` lists (written only when
    /// some are left out).
    #[serde(skip_serializing_if = "is_zero")]
    pub evidence_omitted: usize,
    /// Set when the control passed without reading any evidence record: why (no `expect` was
    /// evaluated, e.g. a loop over an empty list with `when empty: pass`; or the expectations
    /// read no evidence). Such a pass proves nothing about the release. Also set, as `partly
    /// vacuous: ...`, when expectations read evidence but a `when empty: pass` loop beside
    /// them ran for no element: which loop (its collection and `SOURCE:LINE`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vacuous: Option<String>,
}

/// One `expect` that held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PassCheck {
    /// Where it is: `SOURCE:LINE`.
    pub expect: String,
    /// Its condition, on one line.
    pub condition: String,
    /// How many times it held (once per loop element it ran for).
    pub held: usize,
}

/// An evidence record a passing control read, and what was checked on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PassRecord {
    /// The record's file, digest and location.
    #[serde(flatten)]
    pub at: EvidenceRef,
    /// The schema kind of the record read there (`Signature`, `Checksum`, `Vulnerability`,
    /// ...); where records of several kinds cite one place, the one that says most.
    pub kind: String,
    /// What the record says, in one sentence built from its own fields, e.g. `signature
    /// dist/x.tar.gz.asc verified by OpenPGP key 2116…046F (trusted, valid at as_of), signed
    /// 2026-09-01T00:00:00Z`; a field the evidence does not give is named as not recorded.
    pub checked: String,
    /// The first `expect` that read it: `SOURCE:LINE`, as in [`PassCheck::expect`].
    pub expect: String,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &usize) -> bool {
    *n == 0
}
