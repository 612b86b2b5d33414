//! Linking signatures to the files they sign, verifying them, and adding their nodes.
//!
//! A signature signs a file by convention (`X.asc` signs `X`), by digest (a Sigstore
//! message signature names the sha256 of its file) or itself (a cleartext-signed file, a
//! DSSE envelope). Verification itself is done by the caller's [`VerifyFn`], which runs the
//! format verifiers in parallel; this module only pairs, records and links.

use std::collections::BTreeMap;
use std::path::PathBuf;

use petgraph::graph::NodeIndex;

use super::provenance::PendingStatement;
use super::{Builder, Target};
use crate::digest::Sha256Digest;
use crate::finding::{Finding, FindingCode};
use crate::graph::nodes::{Edge, Node, SignatureNode, Source};
use crate::signatures::{
    Outcome, SignatureFile, Signed, Subject, Verification, signed_path_by_convention,
};
use crate::trust::KeyStore;

/// A signature paired with the file it signs, ready to verify.
#[derive(Debug)]
pub(crate) struct VerifyJob<'a> {
    /// The parsed signature file.
    pub signature: &'a SignatureFile,
    /// The file it signs.
    pub signed: Signed<'a>,
}

/// Verifies each job with the bundle's own public keys at hand; one list per job.
pub(crate) type VerifyFn<'a> = &'a dyn Fn(&[VerifyJob<'_>], &KeyStore) -> Vec<Vec<Verification>>;

/// A signature file found during the build.
pub(crate) struct PendingSignature {
    pub file: NodeIndex,
    pub source: Source,
    pub signature: SignatureFile,
}

/// The file a signature signs, or why there is none (and the path it should have been).
enum Pairing {
    File(NodeIndex),
    None {
        path: Option<String>,
        reason: String,
    },
}

impl Builder {
    /// Pairs every signature with its file, verifies them through `verify` and adds a
    /// signature node per signature, with `defined-in` and `signs` edges. Returns the
    /// in-toto statements the signatures sign, each `verified` when one of its signatures
    /// is.
    pub(super) fn signatures(
        &mut self,
        pending: Vec<PendingSignature>,
        bundle_keys: &KeyStore,
        verify: VerifyFn<'_>,
    ) -> Vec<PendingStatement> {
        let by_digest = self.files_by_digest();
        let pairings: Vec<Pairing> = pending.iter().map(|p| self.pair(p, &by_digest)).collect();
        let mut jobs = Vec::new();
        let mut job_of = Vec::with_capacity(pending.len());
        for (p, pairing) in pending.iter().zip(&pairings) {
            job_of.push(match pairing {
                Pairing::File(ix) => self.signed(*ix).map(|signed| {
                    jobs.push(VerifyJob {
                        signature: &p.signature,
                        signed,
                    });
                    jobs.len() - 1
                }),
                Pairing::None { .. } => None,
            });
        }
        let mut results = verify(&jobs, bundle_keys).into_iter();
        let mut outcomes: Vec<Vec<Verification>> = Vec::with_capacity(pending.len());
        for (job, pairing) in job_of.iter().zip(&pairings) {
            outcomes.push(match job {
                Some(_) => results.next().unwrap_or_default(),
                None => vec![missing(pairing)],
            });
        }
        drop(jobs);
        let mut statements = Vec::new();
        for ((p, pairing), verifications) in pending.into_iter().zip(pairings).zip(outcomes) {
            if let Some(statement) = p.signature.statement() {
                statements.push(PendingStatement {
                    file: p.file,
                    source: p.source.clone(),
                    statement: statement.clone(),
                    verified: verifications.iter().any(Verification::counts_as_verified),
                    keyless: keyless_signer(&verifications),
                });
            }
            let (target, signed_path) = match pairing {
                Pairing::File(ix) => (Some(ix), self.path_of(ix)),
                Pairing::None { path, reason } => {
                    self.findings.push(
                        Finding::new(
                            FindingCode::SignatureNoSignedFile,
                            Some(&p.source.path),
                            format!("signature names no file of the bundle: {reason}"),
                        )
                        .with_help(
                            "put the signed file next to its signature, named as the \
                             signature without its suffix (`X.asc` signs `X`)",
                        ),
                    );
                    (path.as_deref().map(|path| self.missing(path)), path)
                }
            };
            for verification in verifications {
                let ix = self.add(Node::Signature(Box::new(SignatureNode {
                    format: p.signature.format,
                    signed: signed_path.clone(),
                    verification,
                    source: p.source.clone(),
                })));
                self.graph.add_edge(ix, p.file, Edge::DefinedIn);
                if let Some(target) = target {
                    self.graph.add_edge(ix, target, Edge::Signs);
                }
            }
        }
        statements
    }

    fn pair(&self, p: &PendingSignature, by_digest: &BTreeMap<Sha256Digest, NodeIndex>) -> Pairing {
        let conventional = signed_path_by_convention(&p.source.path);
        let by_name = conventional.and_then(|path| match self.resolve(path) {
            Target::File(ix) => Some(ix),
            Target::NotFile(_) | Target::Absent => None,
        });
        match &p.signature.subject {
            Subject::Itself => Pairing::File(p.file),
            Subject::Detached => match (by_name, conventional) {
                (Some(ix), _) => Pairing::File(ix),
                (None, Some(path)) => Pairing::None {
                    path: Some(path.to_owned()),
                    reason: format!("`{path}` is not in the bundle"),
                },
                (None, None) => Pairing::None {
                    path: None,
                    reason: "its name does not end in a signature suffix (`.asc`, `.sig`, \
                             `.minisig`, ...) after the signed file's name"
                        .to_owned(),
                },
            },
            Subject::Digest(digest) => match (by_name, by_digest.get(digest)) {
                (Some(ix), _) => Pairing::File(ix),
                (None, Some(ix)) => Pairing::File(*ix),
                (None, None) => Pairing::None {
                    path: conventional.map(str::to_owned),
                    reason: format!("no file of the bundle has sha256 {}", digest.to_hex()),
                },
            },
        }
    }

    /// The first file (in path order) with each sha256.
    fn files_by_digest(&self) -> BTreeMap<Sha256Digest, NodeIndex> {
        let mut out = BTreeMap::new();
        for ix in self.by_path.values() {
            if let Some(Node::File(f)) = self.graph.node_weight(*ix) {
                out.entry(f.sha256).or_insert(*ix);
            }
        }
        out
    }

    fn signed(&self, ix: NodeIndex) -> Option<Signed<'_>> {
        let abs: &PathBuf = self.abs.get(&ix)?;
        match self.graph.node_weight(ix)? {
            Node::File(f) => Some(Signed {
                path: &f.path,
                abs,
                sha256: f.sha256,
                size: f.size,
                content: None,
            }),
            _ => None,
        }
    }

    fn path_of(&self, ix: NodeIndex) -> Option<String> {
        match self.graph.node_weight(ix)? {
            Node::File(f) => Some(f.path.clone()),
            _ => None,
        }
    }
}

fn missing(pairing: &Pairing) -> Verification {
    let reason = match pairing {
        Pairing::None { reason, .. } => reason.clone(),
        Pairing::File(_) => "the signed file cannot be read".to_owned(),
    };
    Verification::failed(Outcome::MissingFile, false, reason)
}

/// The identity and issuer of the keyless signature that verifies a statement, when no
/// signature by a trusted key does.
fn keyless_signer(verifications: &[Verification]) -> Option<(Option<String>, Option<String>)> {
    if verifications.iter().any(|v| v.outcome == Outcome::Verified) {
        return None;
    }
    verifications
        .iter()
        .find(|v| v.outcome == Outcome::Keyless)
        .map(|v| {
            (
                v.identity().map(str::to_owned),
                v.issuer().map(str::to_owned),
            )
        })
}
