//! Provenance nodes: one per in-toto statement (bare, in a DSSE envelope or in a Sigstore
//! bundle), with an `attests` edge to every file whose sha256 is a subject's digest, or, for
//! a subject with only a sha512 (npm provenance), to every artifact whose sha512 it is. A
//! sha512 stated beside a matching sha256 must hold too, or the link is refused.
//!
//! Added after the signatures are verified: a statement is `verified` when a signature
//! over it (its envelope's or bundle's) verified with a trusted key, or keyless against a
//! Sigstore trusted root (then its `identity` and `issuer` say whose it is).

use std::collections::BTreeMap;

use petgraph::graph::NodeIndex;

use super::Builder;
use crate::digest::Sha256Digest;
use crate::finding::{Finding, FindingCode};
use crate::graph::nodes::{Edge, Node, ProvenanceNode, ProvenanceSubject, Source};
use crate::graph::stated_digest::{DigestEvidence, DigestMismatch, StatedDigest, Verdict, judge};
use crate::signatures::intoto::Statement;

/// Subjects reported one by one per statement when they match no file; the rest are
/// counted in one finding.
const MAX_MISSING_REPORTED: usize = 10;

const NOT_IN_BUNDLE_HELP: &str = "put the files the statement names in the bundle (a changed \
     file has another digest), or leave out a statement about something else";

const NO_SHA256_HELP: &str = "give the subject a sha256 (or sha512) digest; vouch pairs \
     subjects with files by digest";

/// A statement found during the build.
pub(crate) struct PendingStatement {
    /// The file it was read from.
    pub file: NodeIndex,
    /// Where (path, line).
    pub source: Source,
    /// The statement.
    pub statement: Statement,
    /// Whether a signature over it verified with a trusted key, or keyless.
    pub verified: bool,
    /// When only a keyless signature verified it: the certificate identity and issuer.
    pub keyless: Option<(Option<String>, Option<String>)>,
}

impl Builder {
    /// Adds a provenance node per statement, with `defined-in` and `attests` edges, and a
    /// finding for each subject that names no file of the bundle.
    pub(super) fn provenance(
        &mut self,
        mut pending: Vec<PendingStatement>,
        sha512_of: super::Sha512Fn<'_>,
    ) {
        pending.sort_by(|x, y| {
            (x.source.path.as_str(), x.source.line).cmp(&(y.source.path.as_str(), y.source.line))
        });
        let by_digest = self.all_files_by_digest();
        let artifacts = self.artifact_files();
        // A subject named by sha512 (npm provenance): the artifacts are hashed with sha512
        // too, once, and the bundle's other files named by a sha512 entry already are.
        let by_sha512 = if pending
            .iter()
            .any(|p| p.statement.subjects.iter().any(|s| s.sha512.is_some()))
        {
            self.hash_sha512(artifacts.iter().map(|a| a.file).collect(), sha512_of);
            let mut map: BTreeMap<crate::digest::Sha512Digest, Vec<NodeIndex>> = BTreeMap::new();
            for (ix, d) in &self.sha512 {
                if let Ok(d) = d {
                    map.entry(*d).or_default().push(*ix);
                }
            }
            map
        } else {
            BTreeMap::new()
        };
        for p in pending {
            let mut targets: Vec<NodeIndex> = Vec::new();
            let mut missing: Vec<(String, &str)> = Vec::new();
            for s in &p.statement.subjects {
                // A stated sha512 must hold for every file the subject links to: one that
                // contradicts it refuses the link, as a contradicting sha256 does.
                let sha512_holds = |ix: &NodeIndex| match (s.sha512, self.sha512.get(ix)) {
                    (Some(stated), Some(Ok(actual))) => stated == *actual,
                    (Some(_), Some(Err(_))) => false,
                    _ => true,
                };
                match s.sha256.map(|d| (d, by_digest.get(&d))) {
                    Some((digest, Some(files))) => {
                        let (kept, refused): (Vec<NodeIndex>, Vec<NodeIndex>) =
                            files.iter().copied().partition(|ix| sha512_holds(ix));
                        targets.extend(kept);
                        // Each refused file: the same mismatch record as a contradicting
                        // sha256, in sha512 (one whose sha512 could not be read has a
                        // finding saying why).
                        let mut recorded = false;
                        for ix in &refused {
                            if let (Some(stated), Some(Ok(actual)), Some(file)) =
                                (s.sha512, self.sha512.get(ix), self.file(*ix))
                            {
                                self.digest_mismatches.push(DigestMismatch {
                                    artifact: file.path.clone(),
                                    evidence: DigestEvidence::Provenance,
                                    source: p.source.clone(),
                                    subject: format!("subject `{}`", s.name),
                                    linked_by: "sha256",
                                    stated: StatedDigest::Sha512(stated),
                                    actual: StatedDigest::Sha512(*actual),
                                });
                                recorded = true;
                            }
                        }
                        if !refused.is_empty() && !recorded {
                            missing.push((
                                format!(
                                    "subject `{}` (sha256 {}) states a sha512 that cannot be checked against its file; not linked",
                                    s.name,
                                    digest.to_hex()
                                ),
                                NOT_IN_BUNDLE_HELP,
                            ));
                        }
                    }
                    None if s.sha512.is_some_and(|d| by_sha512.contains_key(&d)) => {
                        if let Some(files) = s.sha512.and_then(|d| by_sha512.get(&d)) {
                            targets.extend(files.iter().copied());
                        }
                    }
                    // A subject named only by sha512, named like an artifact whose sha512
                    // is another: refused for it, as a contradicting sha256 is.
                    None if s.sha512.is_some()
                        && artifacts.iter().any(|a| {
                            same_file_name(&s.name, &a.path)
                                && matches!(self.sha512.get(&a.file), Some(Ok(_)))
                        }) =>
                    {
                        for a in artifacts.iter().filter(|a| same_file_name(&s.name, &a.path)) {
                            if let (Some(stated), Some(Ok(actual))) =
                                (s.sha512, self.sha512.get(&a.file))
                            {
                                self.digest_mismatches.push(DigestMismatch {
                                    artifact: a.path.clone(),
                                    evidence: DigestEvidence::Provenance,
                                    source: p.source.clone(),
                                    subject: format!("subject `{}`", s.name),
                                    linked_by: "file-name",
                                    stated: StatedDigest::Sha512(stated),
                                    actual: StatedDigest::Sha512(*actual),
                                });
                            }
                        }
                    }
                    None if s.sha512.is_some() => missing.push((
                        format!(
                            "subject `{}` (sha512 {}) matches no artifact of the bundle",
                            s.name,
                            s.sha512.map(|d| d.to_hex()).unwrap_or_default()
                        ),
                        NOT_IN_BUNDLE_HELP,
                    )),
                    // A subject named like an artifact whose digest is not the artifact's:
                    // the digest rule refuses it for that artifact, and says why.
                    Some((digest, None))
                        if artifacts.iter().any(|a| same_file_name(&s.name, &a.path)) =>
                    {
                        for a in artifacts.iter().filter(|a| same_file_name(&s.name, &a.path)) {
                            if let Verdict::Contradicts(stated) = judge([digest], &[], a.sha256) {
                                self.digest_mismatches.push(DigestMismatch {
                                    artifact: a.path.clone(),
                                    evidence: DigestEvidence::Provenance,
                                    source: p.source.clone(),
                                    subject: format!("subject `{}`", s.name),
                                    linked_by: "file-name",
                                    stated: stated.into(),
                                    actual: a.sha256.into(),
                                });
                            }
                        }
                    }
                    Some((digest, None)) => missing.push((
                        format!(
                            "subject `{}` (sha256 {}) matches no file of the bundle",
                            s.name,
                            digest.to_hex()
                        ),
                        NOT_IN_BUNDLE_HELP,
                    )),
                    None => missing.push((
                        format!(
                            "subject `{}` has no sha256 or sha512 digest ({}); vouch links subjects by those",
                            s.name,
                            s.algorithms.join(", ")
                        ),
                        NO_SHA256_HELP,
                    )),
                }
            }
            targets.sort();
            targets.dedup();
            let ix = self.add(Node::Provenance(Box::new(ProvenanceNode {
                predicate_type: p.statement.predicate_type.clone(),
                builder: p.statement.builder.clone(),
                subjects: p
                    .statement
                    .subjects
                    .iter()
                    .map(|s| ProvenanceSubject {
                        name: s.name.clone(),
                        sha256: s.sha256,
                        sha512: s.sha512,
                    })
                    .collect(),
                verified: p.verified,
                identity: p.keyless.as_ref().and_then(|k| k.0.clone()),
                issuer: p.keyless.as_ref().and_then(|k| k.1.clone()),
                source: p.source.clone(),
            })));
            self.graph.add_edge(ix, p.file, Edge::DefinedIn);
            for target in targets {
                self.graph.add_edge(ix, target, Edge::Attests);
            }
            self.missing_subjects(&p.source, missing);
        }
    }

    fn missing_subjects(&mut self, source: &Source, missing: Vec<(String, &str)>) {
        let extra = missing.len().saturating_sub(MAX_MISSING_REPORTED);
        for (message, help) in missing.into_iter().take(MAX_MISSING_REPORTED) {
            self.findings.push(at(
                Finding::new(
                    FindingCode::ProvenanceSubjectMissing,
                    Some(&source.path),
                    message,
                )
                .with_help(help),
                source.line,
            ));
        }
        if extra > 0 {
            self.findings.push(at(
                Finding::new(
                    FindingCode::ProvenanceSubjectMissing,
                    Some(&source.path),
                    format!("{extra} more subjects match no file of the bundle"),
                ),
                source.line,
            ));
        }
    }

    /// Every file (in path order) by sha256.
    fn all_files_by_digest(&self) -> BTreeMap<Sha256Digest, Vec<NodeIndex>> {
        let mut out: BTreeMap<Sha256Digest, Vec<NodeIndex>> = BTreeMap::new();
        for ix in self.by_path.values() {
            if let Some(Node::File(f)) = self.graph.node_weight(*ix) {
                out.entry(f.sha256).or_default().push(*ix);
            }
        }
        out
    }
}

/// Whether a subject name (`widget-2.4.1.tar.gz`, `dist/widget-2.4.1.tar.gz`) names the
/// file at bundle path `path` by its file name.
fn same_file_name(subject: &str, path: &str) -> bool {
    let name = crate::formats::file_name(subject.trim());
    !name.is_empty() && name == crate::formats::file_name(path)
}

fn at(finding: Finding, line: Option<u32>) -> Finding {
    match line {
        Some(line) => finding.at_line(line),
        None => finding,
    }
}
