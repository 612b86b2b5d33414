//! Whether one attestation may satisfy a manual control, apart from its dates: it names the
//! control, quotes the control's statement (or gives its sha256), and a detached signature
//! beside it verifies with a trusted key, made no later than `as_of`, that the authority
//! permits to attest the control.
//!
//! Fail closed: an attestation with no signature, or with signatures that are bad, by an
//! untrusted, expired or revoked key, made after `as_of`, or by a key the authority does not
//! permit, does not count; every rule it breaks is said, naming the signature and the key.

use vouch_lang::CheckedControl;

use crate::authority::{Action, Authority, ControlFacts, Decision, Request};
use crate::digest::Sha256Digest;
use crate::evidence::{AttestationFact, AttestationSignature};
use crate::report::AuthorityDecision;
use crate::signatures::Outcome;

/// What an accepted attestation with an undated signature says about it.
pub(crate) const UNDATED: &str = "undated signature (SSH signatures record no time): only the \
     attestation's own date was judged against as_of";

/// What judging one attestation found.
#[derive(Debug, Default)]
pub(super) struct Judged {
    /// Every rule it breaks (empty: it counts, dates aside).
    pub reasons: Vec<String>,
    /// The signature that counted, or else the first that verified with a trusted key.
    pub signature: Option<String>,
    /// That signature's key id.
    pub key_id: Option<String>,
    /// The authority's decision on that key.
    pub decision: Option<AuthorityDecision>,
    /// That signature records no time (SSH): only the attestation's own date could be judged
    /// against `as_of`.
    pub undated: bool,
    /// One line per signature, for `vouch explain`.
    pub trace: Vec<String>,
}

/// Whether the control considers the attestation: it names the control, or it quotes (or
/// hashes) the control's statement while naming another control or none.
pub(super) fn concerns(fact: &AttestationFact, control: &str, statement: &str) -> bool {
    fact.control.as_deref() == Some(control)
        || (!fact.statement.is_empty() && fact.statement == statement)
        || fact
            .statement_sha256
            .as_deref()
            .is_some_and(|h| h.eq_ignore_ascii_case(&statement_sha256(statement)))
}

/// The sha256 (lowercase hex) of a statement's text, as `statement_sha256` gives it.
pub(crate) fn statement_sha256(statement: &str) -> String {
    Sha256Digest::of(statement.as_bytes()).to_hex()
}

/// Judges `fact` for `control`, whose statement is `statement`.
pub(super) fn judge(
    fact: &AttestationFact,
    control: &CheckedControl,
    statement: &str,
    authority: &dyn Authority,
) -> Judged {
    let mut judged = Judged::default();
    match fact.control.as_deref() {
        Some(id) if id == control.id => {}
        Some(other) => judged
            .reasons
            .push(format!("names another control ({other})")),
        None => judged
            .reasons
            .push("names no control (it needs `control = \"ID\"`)".to_owned()),
    }
    if let Some(why) = statement_mismatch(fact, statement) {
        judged
            .reasons
            .push(format!("statement does not match: {why}"));
    }
    signatures(fact, control, authority, &mut judged);
    judged
}

/// Why the attestation's statement is not the control's, if it is not.
fn statement_mismatch(fact: &AttestationFact, statement: &str) -> Option<String> {
    let quoted = (!fact.statement.is_empty()).then_some(fact.statement.as_str());
    let hash = fact.statement_sha256.as_deref();
    let expected = statement_sha256(statement);
    let mut why = Vec::new();
    if let Some(q) = quoted
        && q != statement
    {
        why.push(format!(
            "it quotes \"{q}\", the control's statement is \"{statement}\""
        ));
    }
    if let Some(h) = hash
        && !h.eq_ignore_ascii_case(&expected)
    {
        why.push(format!(
            "its statement_sha256 {h} is not the control's statement's ({expected})"
        ));
    }
    if quoted.is_none() && hash.is_none() {
        why.push("it quotes no statement".to_owned());
    }
    (!why.is_empty()).then(|| why.join(", and "))
}

/// Judges the signatures beside the attestation; the first one that counts decides.
fn signatures(
    fact: &AttestationFact,
    control: &CheckedControl,
    authority: &dyn Authority,
    judged: &mut Judged,
) {
    if fact.signatures.is_empty() {
        judged.reasons.push(format!(
            "unsigned: no signature beside it (`{}.asc`, `.sig` or `.minisig`)",
            fact.path
        ));
        return;
    }
    let facts = ControlFacts {
        id: &control.id,
        severity: control.severity.as_str(),
        provisions: &control.provisions,
        tags: &control.tags,
    };
    let mut rejected = Vec::new();
    for s in &fact.signatures {
        let (why, decision) = signature(s, facts, authority);
        judged.trace.push(format!(
            "signature {} ({}): {}",
            s.path,
            s.format.as_str(),
            match (&why, &decision) {
                (None, Some(d)) => format!(
                    "verified, key {}{}; {}",
                    s.verification.key_id.as_deref().unwrap_or("-"),
                    if s.verification.signed_at.is_none() {
                        format!(", {UNDATED}")
                    } else {
                        String::new()
                    },
                    decision_text(d.allowed, &d.reason, &d.policies)
                ),
                (Some(why), _) => why.clone(),
                (None, None) => "verified".to_owned(),
            }
        ));
        let counted = why.is_none();
        if let Some(d) = decision
            && (counted || judged.decision.is_none())
        {
            judged.signature = Some(s.path.clone());
            judged.key_id = s.verification.key_id.clone();
            judged.undated = s.verification.signed_at.is_none();
            judged.decision = Some(AuthorityDecision {
                action: "attest".to_owned(),
                kind: None,
                allowed: d.allowed,
                policies: d.policies,
                reason: d.reason,
            });
        }
        match why {
            None => return,
            Some(why) => rejected.push(why),
        }
    }
    judged.reasons.push(rejected.join("; "));
}

/// Why one signature does not count (`None`: it counts), and the authority's decision when
/// it was asked (for a signature that verified with a trusted key).
fn signature(
    s: &AttestationSignature,
    control: ControlFacts<'_>,
    authority: &dyn Authority,
) -> (Option<String>, Option<Decision>) {
    let v = &s.verification;
    let key = v.key_id.as_deref();
    let detail = v
        .reason
        .as_deref()
        .map_or_else(String::new, |r| format!(": {r}"));
    let why = match v.outcome {
        Outcome::Verified => {
            let Some(key_id) = key.filter(|k| !k.is_empty()) else {
                return (
                    Some(format!(
                        "bad signature ({}: verified, but names no key id)",
                        s.path
                    )),
                    None,
                );
            };
            let decision = authority.decide(&Request {
                key_id,
                action: Action::Attest,
                control: Some(control),
                missing_evidence: false,
                dated: v.signed_at.is_some(),
            });
            let why = (!decision.allowed).then(|| {
                format!(
                    "not permitted: key {key_id} may not attest {} ({}): {}",
                    control.id,
                    s.path,
                    decision_text(decision.allowed, &decision.reason, &decision.policies)
                )
            });
            return (why, Some(decision));
        }
        Outcome::UntrustedKey => {
            format!(
                "untrusted key {} ({}{detail})",
                key.unwrap_or("(unknown)"),
                s.path
            )
        }
        Outcome::ExpiredKey => format!(
            "untrusted key {}: expired or revoked at as_of ({}{detail})",
            key.unwrap_or("(unknown)"),
            s.path
        ),
        Outcome::SignedAfterAsOf => format!("signed after as_of ({}{detail})", s.path),
        // A keyless signature is no key of the trust set: it never attests.
        Outcome::Keyless => format!(
            "keyless signature by {} counts for no attestation ({}); sign it with a trusted key",
            v.identity().unwrap_or("(no identity)"),
            s.path
        ),
        // The authority's `sign` decisions leave attestations to `attest`; should one be
        // judged so, it does not count either.
        Outcome::NotPermitted => format!(
            "not permitted: key {} ({}{detail})",
            key.unwrap_or("(unknown)"),
            s.path
        ),
        Outcome::BadSignature
        | Outcome::Malformed
        | Outcome::Unsupported
        | Outcome::MissingFile => {
            format!("bad signature ({}: {}{detail})", s.path, v.outcome.as_str())
        }
    };
    (Some(why), None)
}

/// A decision in one line: allowed or denied, why, and the policies that decided.
pub(crate) fn decision_text(allowed: bool, reason: &str, policies: &[String]) -> String {
    format!(
        "{} by the authority: {reason} ({})",
        if allowed { "allowed" } else { "denied" },
        if policies.is_empty() {
            "no policy decided: the default".to_owned()
        } else {
            format!("policies: {}", policies.join(", "))
        }
    )
}
