//! The attestations, typed, for deciding `manual` controls: each with the detached
//! signatures beside it that can make it count.

use jiff::Timestamp;

use crate::graph::{EvidenceGraph, NodeId};
use crate::signatures::{SignatureFormat, Verification};

/// An attestation, typed, for deciding `manual` controls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationFact {
    /// The control id it names.
    pub control: Option<String>,
    /// What was attested: the control's statement, quoted (empty when only
    /// `statement_sha256` is given).
    pub statement: String,
    /// The sha256 (hex) of the control's statement, when given.
    pub statement_sha256: Option<String>,
    /// Who attested it.
    pub attested_by: String,
    /// When.
    pub date: Timestamp,
    /// Bundle path of the attestation file.
    pub path: String,
    /// sha256 of that file.
    pub sha256: String,
    /// The detached signatures beside it that can make it count (`NAME.toml.asc`, `.sig`,
    /// `.minisig`: OpenPGP, SSH or minisign), as the graph linked and verified them, in id
    /// order.
    pub signatures: Vec<AttestationSignature>,
}

/// A detached signature over an attestation file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationSignature {
    /// Bundle path of the signature file.
    pub path: String,
    /// Its format.
    pub format: SignatureFormat,
    /// How it verified (against `--trust`, judged at `as_of`).
    pub verification: Verification,
}

/// The suffixes of the signature files beside an attestation that can make it count.
const ATTESTATION_SIGNATURE_SUFFIXES: &[&str] = &[".asc", ".sig", ".minisig"];

/// The OpenPGP, SSH and minisign signatures beside the attestation `id` (at its path plus
/// `.asc`, `.sig` or `.minisig`) that the graph links to its file.
pub(super) fn attestation_signatures(
    graph: &EvidenceGraph,
    id: NodeId,
    path: &str,
) -> Vec<AttestationSignature> {
    let Some((file, _)) = graph.source_file(id) else {
        return Vec::new();
    };
    graph
        .signatures_of(file)
        .into_iter()
        .filter(|(_, s)| {
            matches!(
                s.format,
                SignatureFormat::OpenPgp | SignatureFormat::Ssh | SignatureFormat::Minisign
            ) && s.signed.as_deref() == Some(path)
                && ATTESTATION_SIGNATURE_SUFFIXES
                    .iter()
                    .any(|suffix| s.source.path.strip_suffix(suffix) == Some(path))
        })
        .map(|(_, s)| AttestationSignature {
            path: s.source.path.clone(),
            format: s.format,
            verification: s.verification.clone(),
        })
        .collect()
}
