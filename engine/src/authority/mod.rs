//! Authority: who may attest which control, waive which findings, and sign what.
//!
//! vouch's own language judges evidence; the authority judges people and keys. A request names
//! the key that signed something (its key id as the report gives it, for OpenPGP the 40-hex
//! fingerprint), the action, and what it acts on; the answer says whether it is permitted and
//! which policies decided. Without an authority policy every trusted key may do everything
//! ([`EveryTrustedKey`], documented as such); a Cedar policy (`--authority FILE.cedar`)
//! narrows that.
//!
//! The evaluator asks the authority and never reads a file: the caller builds it.

use std::fmt;

pub mod cedar;
pub mod diagnostic;
pub mod gate;
pub mod schema;
pub mod signing;

pub use cedar::{CedarAuthority, SourceDigest, SourceText};
pub use diagnostic::{AuthorityDiagnostic, DiagnosticKind};

/// What a key asks to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Attest a manual control.
    Attest,
    /// Waive findings of a control.
    Waive,
    /// Sign a kind of evidence.
    Sign(SignedKind),
}

impl Action {
    /// The action's name, as the authority policy spells it (`attest`, `waive`, `sign`).
    pub fn name(self) -> &'static str {
        match self {
            Action::Attest => "attest",
            Action::Waive => "waive",
            Action::Sign(_) => "sign",
        }
    }
}

/// What a signature covers, for the `sign` action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SignedKind {
    /// A release artifact.
    Artifact,
    /// A checksum file (or an index listing digests).
    Checksums,
    /// Build provenance.
    Provenance,
    /// security.txt.
    SecurityTxt,
}

impl SignedKind {
    /// The kind's name, as the authority policy's context spells it.
    pub fn name(self) -> &'static str {
        match self {
            SignedKind::Artifact => "artifact",
            SignedKind::Checksums => "checksums",
            SignedKind::Provenance => "provenance",
            SignedKind::SecurityTxt => "security.txt",
        }
    }
}

/// The control an `attest` or `waive` request is about, as the report describes it.
#[derive(Debug, Clone, Copy)]
pub struct ControlFacts<'a> {
    /// The control's id.
    pub id: &'a str,
    /// Its severity, lower case as in the report.
    pub severity: &'a str,
    /// The framework provisions it maps to.
    pub provisions: &'a [String],
    /// Its tags.
    pub tags: &'a [String],
}

/// One question to the authority.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The key id of the signer (the report's `key_id`).
    pub key_id: &'a str,
    /// What it asks to do.
    pub action: Action,
    /// The control, for `attest` and `waive`.
    pub control: Option<ControlFacts<'a>>,
    /// For `waive`: whether the findings waived say evidence is missing or unreadable (never
    /// waivable unless the authority explicitly permits it).
    pub missing_evidence: bool,
    /// Whether the signature records when it was made (OpenPGP, minisign, Sigstore do; SSH
    /// signatures do not), so that it could be checked against `as_of`. The authority policy
    /// sees it as `context.dated` and may forbid undated signatures.
    pub dated: bool,
}

/// The authority's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request is permitted.
    pub allowed: bool,
    /// The ids of the policies that determined it (empty when no policy did: a default).
    pub policies: Vec<String>,
    /// Why, in one line, for reports and `vouch explain`.
    pub reason: String,
}

/// Who decides requests.
pub trait Authority: Send + Sync + fmt::Debug {
    /// Decides one request.
    fn decide(&self, request: &Request<'_>) -> Decision;

    /// The files the authority was read from (policy, then entities), each with its sha256,
    /// for the report; none for an authority that reads no file.
    fn sources(&self) -> Vec<SourceDigest> {
        Vec::new()
    }
}

/// No authority policy: every trusted key may attest, waive and sign everything, except
/// waiving missing or unreadable evidence, which only an authority policy can permit.
#[derive(Debug, Clone, Copy, Default)]
pub struct EveryTrustedKey;

impl Authority for EveryTrustedKey {
    fn decide(&self, request: &Request<'_>) -> Decision {
        if request.action == Action::Waive && request.missing_evidence {
            return Decision {
                allowed: false,
                policies: Vec::new(),
                reason: "missing or unreadable evidence can be waived only where an authority \
                         policy (--authority) permits it"
                    .to_owned(),
            };
        }
        Decision {
            allowed: true,
            policies: Vec::new(),
            reason: "no authority policy: every trusted key may attest, waive and sign".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_policy_trusted_keys_may_do_all_but_waive_missing_evidence() {
        let control = ControlFacts {
            id: "TRAINING",
            severity: "medium",
            provisions: &[],
            tags: &[],
        };
        let request = |action, missing_evidence| Request {
            key_id: "ABCD",
            action,
            control: Some(control),
            missing_evidence,
            dated: true,
        };
        let a = EveryTrustedKey;
        assert!(a.decide(&request(Action::Attest, false)).allowed);
        assert!(a.decide(&request(Action::Waive, false)).allowed);
        assert!(
            a.decide(&request(Action::Sign(SignedKind::Artifact), false))
                .allowed
        );
        let missing = a.decide(&request(Action::Waive, true));
        assert!(!missing.allowed);
        assert!(missing.reason.contains("--authority"), "{}", missing.reason);
    }
}
