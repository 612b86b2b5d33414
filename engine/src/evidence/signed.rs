//! Signature records, judged by the authority's `sign` decisions.

use std::sync::Arc;

use super::strings::Strings;
use super::{empty, record};
use crate::authority::signing::SigningDecisions;
use crate::eval::value::Value;
use crate::graph::{EvidenceGraph, NodeId, SignatureNode};
use crate::signatures::Verification;

/// The signatures over a file or an artifact's file (the shared empty list when there are
/// none).
pub(super) fn signatures(
    graph: &EvidenceGraph,
    signed: NodeId,
    signing: &SigningDecisions,
    strings: &mut Strings,
) -> Value {
    let found = graph.signatures_of(signed);
    if found.is_empty() {
        return empty();
    }
    Value::list(
        found
            .into_iter()
            .map(|(id, s)| signature(s, &signing.judged(id, s), strings))
            .collect(),
    )
}

fn signature(s: &SignatureNode, v: &Verification, strings: &mut Strings) -> Value {
    let citation = strings.cite(&s.source);
    record(
        "Signature",
        Arc::clone(&citation.path),
        Some(citation.clone()),
        [
            ("path", Value::Str(citation.path)),
            ("format", strings.value(s.format.as_str())),
            ("verified", Value::Bool(v.verified)),
            ("trusted", Value::Bool(v.trusted)),
            ("outcome", strings.value(v.outcome.as_str())),
            ("reason", Value::opt_str(v.reason.as_ref())),
            ("signer", Value::opt_str(v.signer.as_ref())),
            ("key_id", Value::opt_str(v.key_id.as_ref())),
            (
                "signed_at",
                v.signed_at.map_or(Value::None, Value::DateTime),
            ),
            ("identity", v.identity().map_or(Value::None, Value::str)),
            ("issuer", v.issuer().map_or(Value::None, Value::str)),
        ],
    )
}

/// Whether a signature over the file entity `id` was read from verifies with a trusted key,
/// or keyless against a Sigstore trusted root, and the authority permits it (every
/// signature counts when it was not asked).
pub(super) fn permitted_signature(
    graph: &EvidenceGraph,
    id: NodeId,
    signing: &SigningDecisions,
) -> bool {
    graph.source_file(id).is_some_and(|(file, _)| {
        graph
            .signatures_of(file)
            .iter()
            .any(|(sid, s)| s.verification.counts_as_verified() && signing.counts(*sid, s))
    })
}
