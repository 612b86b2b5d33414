//! The waivers part of the report model: each waiver and what became of it, the authority's
//! decisions, and each waivers file with its signature checks.

use serde::Serialize;

use super::model::AuthorityDecision;

/// A waiver and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaiverResult {
    /// The waiver's id (given in the file, or `CONTROL#N` by position).
    pub id: String,
    /// The control it waives.
    pub control: String,
    /// The waivers file it is in.
    pub file: String,
    /// The fingerprints of the findings it names, sorted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
    /// The subject whose findings it names, exactly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Why the risk is accepted.
    pub justification: String,
    /// Who approved it: the signer of its file (user id, else key id); empty when the file is
    /// refused.
    pub approver: String,
    /// The approver's key id (OpenPGP: the 40-hex fingerprint), when the file is approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approver_key_id: Option<String>,
    /// The `approver` the file states, when it states one (it must name the signer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claimed_approver: Option<String>,
    /// When it takes effect (date).
    pub effective: String,
    /// When it stops applying (date; the waiver applies up to and including this day).
    pub expires: String,
    /// The accepted risk, if stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<String>,
    /// `applied`, `expired`, `not_yet_effective`, `unused` (valid, but matched nothing),
    /// `refused` (its file has no valid signature by a trusted key), `invalid` (longer than
    /// the maximum lifetime, or an `approver` that is not the signer) or `not_permitted`
    /// (the authority denied it).
    pub state: String,
    /// Why it is not applied, for `refused`, `invalid` and `not_permitted`, and which findings
    /// it names were not waived (missing evidence the authority does not let it waive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The authority's answer to its approver waiving findings of its control (asked for a
    /// waiver that is signed, valid and in force).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<AuthorityDecision>,
    /// The authority's answer to waiving missing or unreadable evidence (asked when the
    /// waiver names such a finding).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_evidence_decision: Option<AuthorityDecision>,
    /// How many findings it covered.
    pub matched: usize,
    /// How many findings it names that stay failing: missing evidence it may not waive.
    #[serde(skip_serializing_if = "is_zero")]
    pub denied: usize,
}

/// A waivers file and its signature check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaiverFileResult {
    /// The file, as given on the command line.
    pub path: String,
    /// sha256 of its bytes (lowercase hex).
    pub sha256: String,
    /// Whether a signature by a trusted key approves it.
    pub approved: bool,
    /// The approver's key id, when approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// The approver's user id, when approved and known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// Why it is refused (unsigned, bad signature, untrusted key, signed after `as_of`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The approving signature records no time (SSH): it could not be checked against
    /// `as_of`, only the waivers' own dates were (written only when true). The authority
    /// sees this as `context.dated == false`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub undated: bool,
    /// Every signature found beside it and how it verified, in `.asc`, `.sig`, `.minisig`
    /// order.
    pub signatures: Vec<WaiverSignatureResult>,
}

/// A signature beside a waivers file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaiverSignatureResult {
    /// The signature file.
    pub path: String,
    /// `openpgp`, `ssh` or `minisign`.
    pub format: String,
    /// `verified`, `bad-signature`, `untrusted-key`, ...
    pub outcome: String,
    /// The key id that made it, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// The signer, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// When it was made (RFC 3339), where the format records it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<String>,
    /// Why it does not count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}
