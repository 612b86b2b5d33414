//! The `sign` decisions of one evaluation: a signature that verifies with a trusted key
//! counts (`trusted`) only when the authority permits that key to sign the kind of evidence
//! it signs. Asked once per signature (each distinct key and kind once), before the
//! evidence values and the report are built from the graph, which both read the judged
//! verification.

use std::borrow::Cow;
use std::collections::HashMap;

use super::{Action, Authority, Decision, Request, SignedKind};
use crate::formats::EvidenceKind;
use crate::graph::{Edge, Node, SignatureNode};
use crate::graph::{EvidenceGraph, NodeId};
use crate::signatures::{Outcome, Verification};

/// The `sign` decision about one signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignDecision {
    /// What the signature signs.
    pub kind: SignedKind,
    /// The authority's answer.
    pub decision: Decision,
}

/// The `sign` decisions of every signature that verified with a trusted key and signs a kind
/// of evidence the authority judges (an attestation's signature is judged by `attest`
/// instead, and a signature that does not verify as trusted is asked nothing).
#[derive(Debug, Clone, Default)]
pub struct SigningDecisions {
    by_signature: HashMap<NodeId, SignDecision>,
}

impl SigningDecisions {
    /// Asks `authority` about every trusted signature of `graph`.
    pub fn decide(graph: &EvidenceGraph, authority: &dyn Authority) -> Self {
        let mut asked: HashMap<(String, SignedKind, bool), Decision> = HashMap::new();
        let mut by_signature = HashMap::new();
        for (id, s) in graph.signatures() {
            // Trusted keys, and keyless signers (their principal id is the identity).
            if !s.verification.trusted && s.verification.outcome != Outcome::Keyless {
                continue;
            }
            let Some(kind) = signed_kind(graph, id) else {
                continue;
            };
            let dated = s.verification.signed_at.is_some();
            let decision = match &s.verification.key_id {
                Some(key_id) => asked
                    .entry((key_id.clone(), kind, dated))
                    .or_insert_with(|| {
                        authority.decide(&Request {
                            key_id,
                            action: Action::Sign(kind),
                            control: None,
                            missing_evidence: false,
                            dated,
                        })
                    })
                    .clone(),
                None => Decision {
                    allowed: false,
                    policies: Vec::new(),
                    reason: "the signature names no key id to ask the authority about".to_owned(),
                },
            };
            by_signature.insert(id, SignDecision { kind, decision });
        }
        SigningDecisions { by_signature }
    }

    /// The decision about signature `id`, when the authority was asked.
    pub fn get(&self, id: NodeId) -> Option<&SignDecision> {
        self.by_signature.get(&id)
    }

    /// Signature `id`'s verification as it counts: a trusted signature the authority does not
    /// permit is not trusted, its outcome `not-permitted`, and its reason says why.
    pub fn judged<'a>(&self, id: NodeId, s: &'a SignatureNode) -> Cow<'a, Verification> {
        match self.get(id) {
            Some(d) if !d.decision.allowed => Cow::Owned(Verification {
                outcome: Outcome::NotPermitted,
                trusted: false,
                reason: Some(format!(
                    "not permitted by the authority policy: {}",
                    d.decision.reason
                )),
                ..s.verification.clone()
            }),
            _ => Cow::Borrowed(&s.verification),
        }
    }

    /// Whether signature `id` counts: it verified with a trusted key (or keyless) and,
    /// where the authority was asked, it permits it.
    pub fn counts(&self, id: NodeId, s: &SignatureNode) -> bool {
        (s.verification.trusted || s.verification.outcome == Outcome::Keyless)
            && self.get(id).is_none_or(|d| d.decision.allowed)
    }
}

/// What signature `id` signs, as the authority's `sign` action names it; `None` for a
/// signature over an attestation (judged by `attest`) or over no file.
pub fn signed_kind(graph: &EvidenceGraph, id: NodeId) -> Option<SignedKind> {
    let target = graph
        .edges_from(id)
        .into_iter()
        .find_map(|(to, edge)| matches!(edge, Edge::Signs).then_some(to))?;
    let Some(Node::File(file)) = graph.node(target) else {
        return None;
    };
    Some(match file.kind {
        Some(EvidenceKind::Attestation) => return None,
        Some(EvidenceKind::Checksums) => SignedKind::Checksums,
        Some(EvidenceKind::DsseEnvelope | EvidenceKind::InTotoStatement) => SignedKind::Provenance,
        // A Sigstore bundle that signs itself carries a DSSE envelope: a statement.
        Some(EvidenceKind::SigstoreBundle)
            if graph.source_file(id).map(|(f, _)| f) == Some(target) =>
        {
            SignedKind::Provenance
        }
        Some(EvidenceKind::SecurityTxt) => SignedKind::SecurityTxt,
        // Everything else a key signs (artifacts, SBOMs, manifests) is judged as an artifact.
        _ => SignedKind::Artifact,
    })
}
