//! The report model: everything an evaluation concluded, in the shape of the JSON report
//! (`vouch-report/1`). Every renderer (JSON, Markdown, HTML, SARIF, JUnit, OSCAL) reads only
//! this; the evaluator only writes it.
//!
//! Determinism: every list is sorted as documented on its field, and nothing here reads a
//! clock or a path outside the bundle, so the same inputs give byte-identical reports.

use std::collections::BTreeMap;

use serde::Serialize;

pub use super::finding_model::{EvidenceRef, Finding, FindingValues};
pub use super::waiver_model::{WaiverFileResult, WaiverResult, WaiverSignatureResult};

/// The schema name of this report format.
pub const REPORT_SCHEMA: &str = "vouch-report/1";

/// A finding cites at most this many evidence records ([`Finding::evidence`]); how many more
/// it rests on is [`Finding::evidence_omitted`]. A finding that reads every file of a large
/// bundle stays small, so a report grows linearly with the bundle.
pub const MAX_FINDING_EVIDENCE: usize = 16;

/// A control lists at most this many findings ([`ControlResult::findings`]); how many more it
/// has is [`ControlResult::findings_omitted`].
pub const MAX_CONTROL_FINDINGS: usize = 1000;

/// A complete evaluation report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Always [`REPORT_SCHEMA`].
    pub schema: String,
    /// The tool that wrote it.
    pub tool: Tool,
    /// The policy evaluated.
    pub policy: PolicyRef,
    /// The evidence bundle evaluated.
    pub bundle: BundleRef,
    /// The release assessed, from the bundle's `release.toml`; absent when it has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<super::inputs::ReleaseRef>,
    /// The instant the evaluation judged at (RFC 3339, UTC, e.g. `2026-10-01T00:00:00Z`).
    pub as_of: String,
    /// Counts of controls by status.
    pub summary: Summary,
    /// One result per control, sorted by control id.
    pub controls: Vec<ControlResult>,
    /// One entry per principle of the policy's framework, in the framework's order; principles
    /// no control assesses are listed as [`Status::Unassessed`].
    pub provisions: Vec<ProvisionResult>,
    /// Every waiver given, applied or not, sorted by control id then waiver id.
    pub waivers: Vec<WaiverResult>,
    /// Every waivers file given (`--waivers`), with its signature check, sorted by path.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub waiver_files: Vec<WaiverFileResult>,
    /// Every attestation used by a `manual` control, sorted by control id then path.
    pub attestations: Vec<AttestationUse>,
    /// Every file of the bundle, sorted by path.
    pub evidence: Vec<EvidenceFile>,
    /// Every signature in the bundle and how it verified, sorted by path then position.
    pub signatures: Vec<SignatureResult>,
    /// The keys signatures were verified against (`--trust`), in load order, each with the
    /// name and sha256 of the file it was read from.
    pub trust: Vec<TrustedKeyRef>,
    /// The authority policy (`--authority`) and its entities file, each with its sha256;
    /// absent without one (every trusted key may attest, waive and sign).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authority: Option<AuthorityRef>,
}

/// The files of an authority policy, as the report records them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthorityRef {
    /// The policy file (`--authority`).
    pub policy: FileDigestRef,
    /// The entities file (`--authority-entities`), when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entities: Option<FileDigestRef>,
}

/// A file outside the bundle with its sha256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileDigestRef {
    /// Its file name ([`super::inputs::input_name`]): the report does not depend on the
    /// directory it was read from.
    pub path: String,
    /// The hex sha256 of its content.
    pub sha256: String,
}

/// An authority's decision, as the report records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthorityDecision {
    /// The action asked about (`attest`, `waive`, `sign`).
    pub action: String,
    /// For `sign`: the kind of evidence signed (`artifact`, `checksums`, `provenance`,
    /// `security.txt`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Whether it was permitted.
    pub allowed: bool,
    /// The ids of the policies that determined it, sorted (empty for a default).
    pub policies: Vec<String>,
    /// Why, in one line.
    pub reason: String,
}

impl AuthorityDecision {
    /// The decision in one line, as the Markdown, HTML and OSCAL reports show it:
    /// `attest allowed (policies: p0, p1): REASON`, or `(default)` when no policy decided.
    pub fn describe(&self) -> String {
        let mut out = self.action.clone();
        if let Some(kind) = &self.kind {
            out.push(' ');
            out.push_str(kind);
        }
        out.push_str(if self.allowed { " allowed" } else { " denied" });
        if self.policies.is_empty() {
            out.push_str(" (default)");
        } else {
            out.push_str(" (policies: ");
            out.push_str(&self.policies.join(", "));
            out.push(')');
        }
        out.push_str(": ");
        out.push_str(&self.reason);
        out
    }
}

/// One signature and its verification, as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatureResult {
    /// Bundle path of the signature file.
    pub path: String,
    /// `openpgp`, `ssh`, `minisign`, `cosign`, `sigstore` or `dsse`.
    pub format: String,
    /// Bundle path of the signed file, when it is in the bundle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed: Option<String>,
    /// The outcome (`verified`, `bad-signature`, ...).
    pub outcome: String,
    /// Cryptographically valid.
    pub verified: bool,
    /// Valid with a trusted key.
    pub trusted: bool,
    /// Key id or fingerprint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// The signer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// Keyless Sigstore: the certificate identity (SAN).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// Keyless Sigstore: the certificate's OIDC issuer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Why it did not verify (for `keyless`: whose signature it is).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The authority's `sign` decision, for a signature by a trusted key under an authority
    /// policy (`--authority`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<AuthorityDecision>,
}

/// One trusted key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustedKeyRef {
    /// The name of the trust file it was read from ([`super::inputs::input_name`] in a
    /// report).
    pub path: String,
    /// The sha256 of that file (lowercase hex).
    pub sha256: String,
    /// The key's format (`openpgp`, `minisign`, `ssh`, `pem`).
    pub format: String,
    /// Its id or fingerprint.
    pub key_id: String,
}

/// The tool that wrote a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tool {
    /// `vouch`.
    pub name: String,
    /// The tool's version (`CARGO_PKG_VERSION`).
    pub version: String,
}

/// Which policy was evaluated, and digests that pin its exact text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyRef {
    /// The policy name from its header.
    pub name: String,
    /// Its title.
    pub title: String,
    /// Its version, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The framework id its controls map to.
    pub framework: String,
    /// The framework's title.
    pub framework_title: String,
    /// Where the framework's authoritative text is, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub framework_source: Option<String>,
    /// The framework's edition or version, if it gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub framework_version: Option<String>,
    /// The sha256 of the framework's definition (its TOML file), when the caller knows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub framework_sha256: Option<String>,
    /// sha256 over the sorted `name\0sha256\n` lines of `sources` (lowercase hex).
    pub sha256: String,
    /// Every policy source evaluated (the root file, imports, standard modules), sorted by name.
    pub sources: Vec<PolicySource>,
    /// The effective value of every param (its default, or the importer's override), keyed
    /// `MODULE::NAME` with the module's source name, as the language writes the value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
}

/// One policy source file and its digest.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PolicySource {
    /// Its name: a path relative to the root file's directory (the root file is its file
    /// name), or `std.NAME` for a standard module.
    pub name: String,
    /// sha256 of its bytes (lowercase hex).
    pub sha256: String,
}

/// Which bundle was evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleRef {
    /// The bundle digest (see the book: sha256 over the sorted `path\0sha256\n` lines).
    pub digest: String,
    /// How many files it holds.
    pub files: usize,
    /// Problems found while reading it (unreadable files, symlinks leaving it, malformed
    /// checksum lines, ...), sorted by path, line and code.
    pub findings: Vec<BundleFinding>,
}

/// A problem found while ingesting the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleFinding {
    /// Stable code, e.g. `vouch::ingest::symlink-escape`.
    pub code: String,
    /// `error`, `warning` or `info`.
    pub severity: String,
    /// The bundle path it is about, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// 1-based line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// What is wrong.
    pub message: String,
}

/// Control counts by status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Summary {
    /// All controls.
    pub total: usize,
    /// Controls that passed.
    pub pass: usize,
    /// Controls that failed.
    pub fail: usize,
    /// Controls whose every failure is covered by a valid waiver.
    pub waived: usize,
    /// Manual controls without a valid attestation.
    pub manual: usize,
    /// Controls that said they do not apply.
    pub not_applicable: usize,
    /// Controls whose evaluation hit a problem.
    pub error: usize,
}

/// The outcome of a control (and, as the worst of its controls, of a principle).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every expectation held.
    Pass,
    /// At least one expectation failed and is not waived, or evidence is missing.
    Fail,
    /// Every failure is covered by a valid waiver.
    Waived,
    /// A manual control without a valid attestation: a person must look.
    Manual,
    /// The control said it does not apply (e.g. `when empty: not_applicable`).
    NotApplicable,
    /// Evaluating the control hit a problem; `reason` says which.
    Error,
    /// Principles only: no control assesses it.
    Unassessed,
}

impl Status {
    /// The status as written in reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Waived => "waived",
            Status::Manual => "manual",
            Status::NotApplicable => "not_applicable",
            Status::Error => "error",
            Status::Unassessed => "unassessed",
        }
    }

    /// How bad a status is when principles take the worst of their controls:
    /// fail > error > manual > waived > pass > not_applicable > unassessed.
    pub const fn badness(self) -> u8 {
        match self {
            Status::Fail => 6,
            Status::Error => 5,
            Status::Manual => 4,
            Status::Waived => 3,
            Status::Pass => 2,
            Status::NotApplicable => 1,
            Status::Unassessed => 0,
        }
    }
}

/// The result of one control.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlResult {
    /// The control id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The principle ids it assesses, as written.
    pub provisions: Vec<String>,
    /// `critical`, `high`, `medium`, `low` or `info`.
    pub severity: String,
    /// The outcome.
    pub status: Status,
    /// Why, for statuses that are not explained by findings: `no evidence of ...` for an empty
    /// collection, the error for `error`, what must be attested for `manual`, the empty
    /// collection for `not_applicable`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The `///` description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Why the control matters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    /// How to fix a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    /// Free tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Where the control is declared: `SOURCE:LINE`.
    pub source: String,
    /// One per failing `expect` evaluation (waived ones included, marked), in evaluation
    /// order: the first [`MAX_CONTROL_FINDINGS`].
    pub findings: Vec<Finding>,
    /// How many more findings the control has than `findings` lists (written only when some
    /// are left out; the status and the waivers' counts include them).
    #[serde(skip_serializing_if = "is_zero")]
    pub findings_omitted: usize,
    /// For a `pass`: the expectations that held and the evidence they read (or why there was
    /// none); absent for every other status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pass_evidence: Option<super::PassEvidence>,
}

/// A principle of the framework and how its controls came out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProvisionResult {
    /// Principle id, e.g. `3.1`.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its theme's id.
    pub theme: String,
    /// The worst status of its controls ([`Status::badness`]), or `unassessed`.
    pub status: Status,
    /// The ids of the controls that assess it, sorted.
    pub controls: Vec<String>,
}

/// An attestation a manual control relied on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttestationUse {
    /// The control it satisfied (or tried to).
    pub control: String,
    /// Bundle path of the attestation file.
    pub path: String,
    /// sha256 of the attestation file.
    pub sha256: String,
    /// What was attested.
    pub statement: String,
    /// Who attested it.
    pub attested_by: String,
    /// When (RFC 3339).
    pub date: String,
    /// Whether it satisfied the control: it names the control, quotes its statement (or
    /// its sha256), is not too old nor dated after `as_of`, and a signature beside it verifies
    /// with a trusted key that the authority permits to attest the control.
    pub accepted: bool,
    /// Why it was not accepted: every rule it breaks, `; `-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Bundle path of the signature that counted (or, when none did, of the first that
    /// verified with a trusted key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// The key id of that signature, as `signatures[].key_id` gives it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// The authority's decision on that key attesting the control.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<AuthorityDecision>,
    /// That signature records no time (SSH): it could not be checked against `as_of`, only
    /// the attestation's own `date` was (written only when true). The authority sees this as
    /// `context.dated == false`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub undated: bool,
}

/// One file of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceFile {
    /// Bundle-relative path.
    pub path: String,
    /// sha256 (lowercase hex).
    pub sha256: String,
    /// The evidence kind it was classified as, or `unclassified`.
    pub kind: String,
}

impl Summary {
    /// Counts the statuses of `controls`.
    pub fn of(controls: &[ControlResult]) -> Summary {
        let mut s = Summary {
            total: controls.len(),
            ..Summary::default()
        };
        for c in controls {
            match c.status {
                Status::Pass => s.pass += 1,
                Status::Fail => s.fail += 1,
                Status::Waived => s.waived += 1,
                Status::Manual => s.manual += 1,
                Status::NotApplicable => s.not_applicable += 1,
                Status::Error | Status::Unassessed => s.error += 1,
            }
        }
        s
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}
