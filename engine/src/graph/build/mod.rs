//! Building the graph from what ingestion read: file nodes, entity nodes, and the edges that
//! link them (checksum verification, artifact globs, distribution and cycle matching).

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use sha2::Digest as _;

mod disclosure;
mod listed;
mod provenance;
mod release;
mod sboms;
mod signatures;
mod vulns;

use provenance::PendingStatement;
use sboms::PendingSbom;
use signatures::PendingSignature;
pub(crate) use signatures::{VerifyFn, VerifyJob};
use vulns::{PendingAdvisory, PendingVulns};

use super::nodes::*;
use super::unreadable::{ParseFailure, UnreadableFile};
use super::{EvidenceGraph, NodeId, NodeKind};
use crate::bundle_path;
use crate::digest::{Sha256Digest, Sha512Digest, hex};
use crate::finding::{Finding, FindingCode};
use crate::formats::Evidence;
use crate::formats::EvidenceKind;
use crate::formats::checksums::{Algorithm, ChecksumList, normalize_name};
use crate::signatures::intoto::Content;

/// Why a readable file is unclassified when no format claims it.
const NO_FORMAT: &str = "no evidence format recognised";

/// Why a release artifact is unclassified.
const ARTIFACT: &str = "release artifact (not itself evidence)";

/// One regular file as ingestion read it.
#[derive(Debug)]
pub(crate) struct FileRecord {
    pub path: String,
    pub raw: Vec<u8>,
    pub abs: PathBuf,
    pub size: u64,
    pub sha256: Sha256Digest,
    pub kind: Option<EvidenceKind>,
    /// Boxed: most files are not evidence, and ingestion holds one record per file.
    pub evidence: Option<Box<Evidence>>,
    /// Why a file of a recognised kind gave no evidence.
    pub failure: Option<ParseFailure>,
    /// A signature embedded in the file (an OpenPGP cleartext-signed file).
    pub embedded: Option<Box<crate::signatures::SignatureFile>>,
    /// What reading it as evidence found (dropped when the release lists it as an artifact).
    pub parse_findings: Vec<Finding>,
}

/// A symlink inside the bundle.
#[derive(Debug)]
pub(crate) struct LinkRecord {
    pub path: String,
    pub target: String,
    pub target_kind: SymlinkTarget,
}

/// Everything ingestion hands to the graph builder.
#[derive(Debug, Default)]
pub(crate) struct BuildInput {
    pub files: Vec<FileRecord>,
    pub links: Vec<LinkRecord>,
    pub unclassified: Vec<Unclassified>,
    pub findings: Vec<Finding>,
}

/// Computes (sha256, sha512, bytes) of files (reading at most the given number of bytes
/// plus one), for sha512 checksum entries.
pub(crate) type Sha512Fn<'a> =
    &'a dyn Fn(&[(&Path, u64)]) -> Vec<io::Result<(Sha256Digest, Sha512Digest, u64)>>;

/// What a bundle path resolves to.
enum Target {
    /// A regular file node (through symlinks).
    File(NodeIndex),
    /// Something that is not a regular file (a symlink to a directory).
    NotFile(NodeIndex),
    /// Nothing readable there.
    Absent,
}

struct Builder {
    graph: super::Slots,
    by_path: BTreeMap<String, NodeIndex>,
    by_kind: BTreeMap<NodeKind, Vec<NodeIndex>>,
    by_evidence: BTreeMap<EvidenceKind, Vec<NodeIndex>>,
    findings: Vec<Finding>,
    /// Paths that exist but could not be read, with the reason.
    unreadable: BTreeMap<String, String>,
    sha512: BTreeMap<NodeIndex, Result<Sha512Digest, ChecksumStatus>>,
    /// Where each file node is on disk.
    abs: BTreeMap<NodeIndex, PathBuf>,
    /// Documents refused for an artifact: their stated digest is not its own.
    digest_mismatches: Vec<super::DigestMismatch>,
    /// The dates signed indexes state about themselves (Debian `Date`, `Valid-Until`).
    index_dates: BTreeMap<NodeIndex, super::IndexDates>,
}

/// Builds the graph. `sha512_of` is called once, with the files sha512 entries name;
/// `verify` once, with every signature paired with the file it signs.
pub(crate) fn build(
    mut input: BuildInput,
    sha512_of: Sha512Fn<'_>,
    verify: VerifyFn<'_>,
) -> EvidenceGraph {
    input.files.sort_by(|a, b| a.path.cmp(&b.path));
    input.links.sort_by(|a, b| a.path.cmp(&b.path));
    let mut b = Builder {
        graph: super::Slots::default(),
        by_path: BTreeMap::new(),
        by_kind: BTreeMap::new(),
        by_evidence: BTreeMap::new(),
        findings: input.findings,
        unreadable: input
            .unclassified
            .iter()
            .map(|u| (u.path.clone(), u.reason.clone()))
            .collect(),
        sha512: BTreeMap::new(),
        abs: BTreeMap::new(),
        digest_mismatches: Vec::new(),
        index_dates: BTreeMap::new(),
    };
    let digest = bundle_digest(&input.files);
    let mut unclassified = input.unclassified;
    // Each parsed record stays boxed, freed as its nodes are made.
    let mut evidence = Vec::new();
    let mut embedded = Vec::new();
    let mut parse_findings: BTreeMap<NodeIndex, Vec<Finding>> = BTreeMap::new();
    let mut unreadable = Vec::new();
    for file in input.files {
        let node = Node::File(Box::new(FileNode {
            path: file.path.clone(),
            size: file.size,
            sha256: file.sha256,
            kind: file.kind,
        }));
        let ix = b.add(node);
        b.abs.insert(ix, file.abs);
        if !file.parse_findings.is_empty() {
            parse_findings.insert(ix, file.parse_findings);
        }
        match file.kind {
            Some(kind) => b.by_evidence.entry(kind).or_default().push(ix),
            None => unclassified.push(Unclassified {
                path: file.path.clone(),
                reason: if file.size == 0 {
                    "empty file".to_owned()
                } else {
                    NO_FORMAT.to_owned()
                },
            }),
        }
        if let (Some(kind), Some(failure)) = (file.kind, file.failure) {
            unreadable.push((
                ix,
                UnreadableFile {
                    path: file.path.clone(),
                    sha256: file.sha256,
                    kind,
                    failure,
                },
            ));
        }
        if let Some(signature) = file.embedded {
            embedded.push((ix, file.path.clone(), file.sha256, *signature));
        }
        if let Some(e) = file.evidence {
            evidence.push((ix, file.path, file.sha256, e));
        }
    }
    for link in input.links {
        let target = b.by_path.get(&link.target).copied();
        let ix = b.add(Node::Symlink(Box::new(SymlinkNode {
            path: link.path,
            target: link.target,
            target_kind: link.target_kind,
        })));
        if let Some(target) = target {
            b.graph.add_edge(ix, target, Edge::LinksTo);
        }
    }
    // A file the release lists as an artifact is an artifact: never read as evidence.
    let listed = b.listed_artifact_files(&evidence);
    evidence.retain(|(ix, ..)| !listed.contains(ix));
    embedded.retain(|(ix, ..)| !listed.contains(ix));
    // Nor is it unreadable evidence when it does not parse as the evidence it resembles.
    let mut unreadable: Vec<UnreadableFile> = unreadable
        .into_iter()
        .filter(|(ix, _)| !listed.contains(ix))
        .map(|(_, u)| u)
        .collect();
    for ix in &listed {
        let findings = parse_findings.remove(ix);
        if let Some(u) = b.not_evidence(*ix, findings.is_some_and(|f| !f.is_empty())) {
            unclassified.push(u);
        }
    }
    b.findings.extend(parse_findings.into_values().flatten());
    b.compute_sha512(&evidence, sha512_of);
    let mut releases = Vec::new();
    let mut pending = Vec::new();
    let mut pending_vulns = Vec::new();
    let mut pending_advisories = Vec::new();
    let mut pending_sboms = Vec::new();
    let mut bundle_keys = crate::trust::KeyStore::new();
    let mut statements = Vec::new();
    for (file, path, sha256, signature) in embedded {
        let source = Source {
            path,
            sha256,
            line: None,
        };
        pending.push(PendingSignature {
            file,
            source,
            signature,
        });
    }
    for (file_ix, path, sha256, e) in evidence {
        let source = |line: Option<u32>| Source {
            path: path.clone(),
            sha256,
            line,
        };
        match *e {
            Evidence::Checksums(list) => b.checksums(file_ix, &path, &list, &source),
            Evidence::Release(m) => releases.push(b.release(file_ix, &path, &m, &source)),
            Evidence::Support(m) => b.support(file_ix, &m, &source),
            Evidence::Attestation(a) => b.attestation(file_ix, a, &source),
            Evidence::PublicKeys(keys) => bundle_keys.add(keys),
            Evidence::Signature(signature) => pending.push(PendingSignature {
                file: file_ix,
                source: source(None),
                signature,
            }),
            Evidence::Vulnerabilities(document) => pending_vulns.push(PendingVulns {
                file: file_ix,
                source: source(None),
                document,
            }),
            Evidence::Advisory(doc) => {
                pending_vulns.push(PendingVulns {
                    file: file_ix,
                    source: source(None),
                    document: doc.statements,
                });
                pending_advisories.push(PendingAdvisory::new(file_ix, doc.advisory, source(None)));
            }
            Evidence::SecurityTxt(txt) => b.security_txt(file_ix, txt, &source),
            Evidence::Changelog(changelog) => b.changelog(file_ix, changelog, &source),
            Evidence::Feed(feed) => b.feed(file_ix, feed, &source),
            Evidence::TlsScans(scans) => b.tls_scans(file_ix, scans, &source),
            Evidence::Sbom(mut sbom) => {
                if let Some(document) = sbom.statements.take() {
                    pending_vulns.push(PendingVulns {
                        file: file_ix,
                        source: source(None),
                        document,
                    });
                }
                pending_sboms.push(PendingSbom {
                    file: file_ix,
                    source: source(None),
                    sbom: *sbom,
                });
            }
            Evidence::Envelopes(documents) => {
                for document in documents {
                    match document.content {
                        Content::Signed(signature) => pending.push(PendingSignature {
                            file: file_ix,
                            source: source(document.line),
                            signature: *signature,
                        }),
                        Content::Statement(statement) => statements.push(PendingStatement {
                            file: file_ix,
                            source: source(document.line),
                            statement,
                            verified: false,
                            keyless: None,
                        }),
                    }
                }
            }
        }
    }
    b.link_releases(&releases);
    b.check_security_txts();
    b.sboms(pending_sboms, sha512_of);
    pending.sort_by(|x, y| x.source.path.cmp(&y.source.path));
    let signed = b.signatures(pending, &bundle_keys, verify);
    statements.extend(signed);
    b.provenance(statements, sha512_of);
    for u in b.vulnerabilities(pending_vulns, pending_advisories) {
        if !unreadable.iter().any(|known| known.path == u.path) {
            unreadable.push(u);
        }
    }
    unreadable.sort_by(|x, y| x.path.cmp(&y.path));
    // Artifacts are not evidence themselves; say so instead of "no format recognised".
    let artifact_files: BTreeSet<&str> = b
        .graph
        .edge_references()
        .filter(|e| matches!(e.weight(), Edge::ArtifactFile))
        .filter_map(|e| match b.graph.node_weight(e.target()) {
            Some(Node::File(f)) => Some(f.path.as_str()),
            _ => None,
        })
        .collect();
    for u in &mut unclassified {
        if artifact_files.contains(u.path.as_str()) && u.reason == NO_FORMAT {
            u.reason = ARTIFACT.to_owned();
        }
    }
    drop(artifact_files);
    let mut digest_mismatches = b.digest_mismatches;
    digest_mismatches.sort();
    digest_mismatches.dedup();
    let mut findings = b.findings;
    findings.extend(digest_mismatches.iter().map(super::DigestMismatch::finding));
    findings.sort_by(|x, y| x.sort_key().cmp(&y.sort_key()));
    findings.dedup();
    let findings = crate::finding::cap_per_file(findings, crate::finding::MAX_FINDINGS_PER_FILE);
    unclassified.sort();
    unclassified.dedup();
    // The node and edge vectors grew by doubling; the graph lives through evaluation.
    b.graph.shrink_to_fit();
    EvidenceGraph {
        graph: b.graph,
        by_path: b.by_path,
        by_kind: b.by_kind,
        by_evidence: b.by_evidence,
        findings,
        unclassified,
        unreadable,
        digest,
        digest_mismatches,
        index_dates: b
            .index_dates
            .into_iter()
            .map(|(ix, d)| (NodeId::of(ix), d))
            .collect(),
    }
}

/// sha256 over `path NUL sha256hex LF` for every file, sorted by the path's bytes.
fn bundle_digest(files: &[FileRecord]) -> Sha256Digest {
    // Sorted by path, then digest: the digests' bytes sort as their lowercase hex does, so
    // the hex is written only as each line is hashed.
    let mut lines: Vec<(&[u8], &Sha256Digest)> = files
        .iter()
        .map(|f| (f.raw.as_slice(), &f.sha256))
        .collect();
    lines.sort();
    let mut hasher = sha2::Sha256::new();
    let mut hex = [0; 64];
    for (raw, sha256) in lines {
        hasher.update(raw);
        hasher.update(b"\0");
        hasher.update(sha256.hex_in(&mut hex).as_bytes());
        hasher.update(b"\n");
    }
    Sha256Digest(hasher.finalize().into())
}

impl Builder {
    fn add(&mut self, node: Node) -> NodeIndex {
        let kind = node.kind();
        let path = match &node {
            Node::File(n) => Some(n.path.clone()),
            Node::Symlink(n) => Some(n.path.clone()),
            Node::MissingFile(n) => Some(n.path.clone()),
            _ => None,
        };
        let ix = self.graph.add_node(node);
        if let Some(path) = path {
            self.by_path.insert(path, ix);
        }
        self.by_kind.entry(kind).or_default().push(ix);
        ix
    }

    fn resolve(&self, path: &str) -> Target {
        match self.by_path.get(path) {
            Some(ix) => match self.graph.node_weight(*ix) {
                Some(Node::File(_)) => Target::File(*ix),
                Some(Node::Symlink(s)) => match self.by_path.get(&s.target) {
                    Some(t) if matches!(self.graph.node_weight(*t), Some(Node::File(_))) => {
                        Target::File(*t)
                    }
                    _ => Target::NotFile(*ix),
                },
                _ => Target::Absent,
            },
            None => Target::Absent,
        }
    }

    /// The node standing for an absent path: an existing missing-file node, or a new one.
    fn missing(&mut self, path: &str) -> NodeIndex {
        if let Some(ix) = self.by_path.get(path) {
            return *ix;
        }
        let reason = self
            .unreadable
            .get(path)
            .cloned()
            .unwrap_or_else(|| "not in the bundle".to_owned());
        self.add(Node::MissingFile(Box::new(MissingFileNode {
            path: path.to_owned(),
            reason,
        })))
    }

    /// The status for an absent path: `missing`, or `error` when it exists unreadable.
    fn absent_status(&self, path: &str) -> ChecksumStatus {
        if self.unreadable.contains_key(path) {
            ChecksumStatus::Error
        } else {
            ChecksumStatus::Missing
        }
    }

    fn file(&self, ix: NodeIndex) -> Option<&FileNode> {
        match self.graph.node_weight(ix) {
            Some(Node::File(f)) => Some(f),
            _ => None,
        }
    }

    /// Computes the sha512 of every file a sha512 entry names, in one parallel batch.
    fn compute_sha512(
        &mut self,
        evidence: &[(NodeIndex, String, Sha256Digest, Box<Evidence>)],
        sha512_of: Sha512Fn<'_>,
    ) {
        let mut wanted: BTreeSet<NodeIndex> = BTreeSet::new();
        for (_, path, _, e) in evidence {
            let Evidence::Checksums(list) = &**e else {
                continue;
            };
            let dir = list.base.as_deref().unwrap_or(bundle_path::parent(path));
            for entry in list
                .entries
                .iter()
                .filter(|e| e.algorithm == Algorithm::Sha512)
            {
                if let Some(target) = bundle_path::join(dir, normalize_name(&entry.name))
                    && let Target::File(ix) = self.resolve(&target)
                {
                    wanted.insert(ix);
                }
            }
        }
        self.hash_sha512(wanted, sha512_of);
    }

    /// Computes the sha512 of the files `wanted` whose sha512 is not known yet, in one
    /// parallel batch; a file that changed or cannot be read gets a finding and `Err`.
    fn hash_sha512(&mut self, wanted: BTreeSet<NodeIndex>, sha512_of: Sha512Fn<'_>) {
        let wanted: Vec<NodeIndex> = wanted
            .into_iter()
            .filter(|ix| !self.sha512.contains_key(ix))
            .collect();
        if wanted.is_empty() {
            return;
        }
        let refs: Vec<(&Path, u64)> = wanted
            .iter()
            .map(|ix| {
                let abs = self.abs.get(ix).map_or(Path::new(""), PathBuf::as_path);
                let size = self.file(*ix).map_or(0, |f| f.size);
                (abs, size.saturating_add(1))
            })
            .collect();
        let results = sha512_of(&refs);
        for (ix, result) in wanted.into_iter().zip(results) {
            let Some(file) = self.file(ix) else { continue };
            let path = file.path.clone();
            let expected = file.sha256;
            let status = match result {
                Ok((sha256, sha512, _)) if sha256 == expected => Ok(sha512),
                Ok(_) => {
                    self.findings.push(Finding::new(
                        FindingCode::ChangedWhileHashing,
                        Some(&path),
                        "file changed between two reads (its sha256 differs)",
                    ));
                    Err(ChecksumStatus::Error)
                }
                Err(e) => {
                    self.findings.push(Finding::new(
                        FindingCode::Unreadable,
                        Some(&path),
                        format!("cannot read to compute its sha512: {e}"),
                    ));
                    Err(ChecksumStatus::Error)
                }
            };
            self.sha512.insert(ix, status);
        }
    }

    fn checksums(
        &mut self,
        file_ix: NodeIndex,
        path: &str,
        list: &ChecksumList,
        source: &dyn Fn(Option<u32>) -> Source,
    ) {
        let dir = list.base.as_deref().unwrap_or(bundle_path::parent(path));
        if list.date.is_some() || list.valid_until.is_some() || !list.unreadable_dates.is_empty() {
            self.index_dates.insert(
                file_ix,
                super::IndexDates {
                    date: list.date,
                    valid_until: list.valid_until,
                    date_unreadable: list.unreadable_dates.iter().any(|f| f == "Date"),
                    valid_until_unreadable: list
                        .unreadable_dates
                        .iter()
                        .any(|f| f == "Valid-Until"),
                },
            );
        }
        for entry in &list.entries {
            let resolved = bundle_path::join(dir, normalize_name(&entry.name));
            let (status, target) = match &resolved {
                None => {
                    self.findings.push(
                        Finding::new(
                            FindingCode::ChecksumNameOutsideBundle,
                            Some(path),
                            format!("`{}` is outside the bundle; not verified", entry.name),
                        )
                        .at_line(entry.line)
                        .with_help("checksum files name files relative to their own directory"),
                    );
                    (ChecksumStatus::Missing, None)
                }
                Some(target) => match self.resolve(target) {
                    Target::File(ix) => (self.verify(ix, entry), Some(ix)),
                    Target::NotFile(ix) => (ChecksumStatus::Missing, Some(ix)),
                    Target::Absent => {
                        let status = self.absent_status(target);
                        (status, Some(self.missing(target)))
                    }
                },
            };
            let ix = self.add(Node::ChecksumEntry(Box::new(ChecksumEntryNode {
                algorithm: entry.algorithm,
                digest: hex(&entry.digest),
                name: entry.name.clone(),
                path: resolved,
                syntax: entry.syntax,
                size: entry.size,
                signed_cleartext: list.pgp_cleartext,
                status,
                source: source(Some(entry.line)),
            })));
            self.graph.add_edge(ix, file_ix, Edge::DefinedIn);
            if let Some(target) = target {
                self.graph.add_edge(ix, target, Edge::ChecksumOf { status });
            }
        }
    }

    fn verify(
        &self,
        ix: NodeIndex,
        entry: &crate::formats::checksums::ChecksumEntry,
    ) -> ChecksumStatus {
        let Some(file) = self.file(ix) else {
            return ChecksumStatus::Missing;
        };
        if entry.size.is_some_and(|size| size != file.size) {
            return ChecksumStatus::Mismatch;
        }
        let matches = match entry.algorithm {
            Algorithm::Sha256 => file.sha256.0.as_slice() == entry.digest.as_slice(),
            Algorithm::Sha512 => match self.sha512.get(&ix) {
                Some(Ok(d)) => d.0.as_slice() == entry.digest.as_slice(),
                Some(Err(status)) => return *status,
                None => return ChecksumStatus::Error,
            },
        };
        if matches {
            ChecksumStatus::Match
        } else {
            ChecksumStatus::Mismatch
        }
    }
}
