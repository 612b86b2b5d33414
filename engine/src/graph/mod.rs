//! The evidence graph: files and the entities parsed out of them, joined by typed edges.
//!
//! petgraph sits behind [`EvidenceGraph`]; callers use domain lookups (a release's
//! artifacts, an artifact's checksums, an entity's source file) and [`NodeId`]s, never raw
//! petgraph indices. Node ids are assigned in a fixed order (files by path, then entities by
//! source path and line), so the same bundle always gives the same ids.

pub(crate) mod build;
mod nodes;
pub mod render;
pub mod stated_digest;
pub mod unreadable;

use std::collections::BTreeMap;

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use serde::Serialize;

pub use nodes::{
    AdvisoryNode, ArtifactNode, AttestationNode, ChangelogNode, ChecksumEntryNode, ChecksumStatus,
    DistributionNode, Edge, FeedNode, FileNode, MissingFileNode, Node, NodeKind, ProvenanceNode,
    ProvenanceSubject, ReleaseNode, SbomLink, SbomNode, SecurityTxtNode, SignatureNode, Source,
    SupportCycleNode, SymlinkNode, SymlinkTarget, TlsScanNode, Unclassified, VulnScanNode,
    VulnStatementNode, VulnerabilityNode,
};
pub use stated_digest::{DigestEvidence, DigestMismatch};

/// How security.txt files rank when a bundle has several (lowest first): the one at
/// `.well-known/security.txt`, then the shortest path, then by path.
pub(crate) fn security_txt_rank(path: &str) -> (bool, usize, &str) {
    let well_known =
        path == ".well-known/security.txt" || path.ends_with("/.well-known/security.txt");
    (!well_known, path.len(), path)
}

use crate::digest::Sha256Digest;
use crate::finding::Finding;
use crate::formats::EvidenceKind;

/// A node of one [`EvidenceGraph`]; stable for a given bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct NodeId(u32);

impl NodeId {
    /// The number, as shown in JSON, dot and Mermaid output.
    pub fn index(self) -> u32 {
        self.0
    }

    fn of(index: NodeIndex) -> Self {
        NodeId(u32::try_from(index.index()).unwrap_or(u32::MAX))
    }

    fn ix(self) -> NodeIndex {
        NodeIndex::new(self.0 as usize)
    }
}

/// The petgraph graph behind [`EvidenceGraph`]. Each node's weight is a slot an evaluation that
/// owns the graph may empty ([`EvidenceGraph::take`]) once the evidence values built from it
/// exist, so that the two are not both held; its methods of the same names as petgraph's see
/// only the nodes still there.
#[derive(Debug, Clone, Default)]
pub(crate) struct Slots(DiGraph<Option<Node>, Edge>);

impl std::ops::Deref for Slots {
    type Target = DiGraph<Option<Node>, Edge>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Slots {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Slots {
    /// Adds a node.
    pub(crate) fn add_node(&mut self, node: Node) -> NodeIndex {
        self.0.add_node(Some(node))
    }

    /// The node at `ix`, unless absent or taken.
    pub(crate) fn node_weight(&self, ix: NodeIndex) -> Option<&Node> {
        self.0.node_weight(ix)?.as_ref()
    }

    /// The node at `ix`, mutably, unless absent or taken.
    pub(crate) fn node_weight_mut(&mut self, ix: NodeIndex) -> Option<&mut Node> {
        self.0.node_weight_mut(ix)?.as_mut()
    }

    /// Every node not taken, in index order.
    pub(crate) fn node_weights(&self) -> impl Iterator<Item = &Node> {
        self.0.node_weights().flatten()
    }
}

/// The evidence of one bundle.
#[derive(Debug, Clone)]
pub struct EvidenceGraph {
    graph: Slots,
    /// Files, symlinks and missing files by bundle path.
    by_path: BTreeMap<String, NodeIndex>,
    /// Every non-path node, by kind, in id order.
    by_kind: BTreeMap<NodeKind, Vec<NodeIndex>>,
    /// Files by evidence kind, in path order.
    by_evidence: BTreeMap<EvidenceKind, Vec<NodeIndex>>,
    findings: Vec<Finding>,
    unclassified: Vec<Unclassified>,
    unreadable: Vec<unreadable::UnreadableFile>,
    digest: Sha256Digest,
    /// Documents refused for an artifact because the digest they state is not its own, by
    /// artifact path, then document.
    digest_mismatches: Vec<DigestMismatch>,
    /// The dates checksum files state about themselves, by file.
    index_dates: BTreeMap<NodeId, IndexDates>,
}

/// The dates a checksum file states about itself (a Debian `Release` file's `Date` and
/// `Valid-Until`), judged against `as_of` when it covers artifacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IndexDates {
    /// When it says it was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<jiff::Timestamp>,
    /// Until when it may be relied on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<jiff::Timestamp>,
    /// Its `Date` is there but cannot be read: the index is stale whatever `as_of` is.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub date_unreadable: bool,
    /// Its `Valid-Until` is there but cannot be read: stale whatever `as_of` is.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub valid_until_unreadable: bool,
}

impl EvidenceGraph {
    /// The bundle digest: sha256 over the sorted `path NUL sha256hex LF` lines of every
    /// regular file (see the book, "Evidence bundles").
    pub fn bundle_digest(&self) -> Sha256Digest {
        self.digest
    }

    /// The ingestion findings, sorted by path, line, column and code.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Paths that are not evidence of a known kind, or could not be read, with the reason.
    pub fn unclassified(&self) -> &[Unclassified] {
        &self.unclassified
    }

    /// Files recognised as an evidence kind that could not be read as it, in path order.
    pub fn unreadable(&self) -> &[unreadable::UnreadableFile] {
        &self.unreadable
    }

    /// The number of nodes.
    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    /// The node with this id.
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.graph.node_weight(id.ix())
    }

    /// Takes the node with this id out of the graph (its id and edges stay; the graph no
    /// longer gives the node). For an evaluation that owns the graph: it frees each
    /// vulnerability's nodes once the value built from them exists.
    pub(crate) fn take(&mut self, id: NodeId) -> Option<Node> {
        self.graph.0.node_weight_mut(id.ix())?.take()
    }

    /// Every node, in id order.
    pub fn nodes(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        self.graph
            .node_indices()
            .filter_map(|ix| Some((NodeId::of(ix), self.graph.node_weight(ix)?)))
    }

    /// Every edge as (from, to, edge), sorted by from, to and edge.
    pub fn edges(&self) -> Vec<(NodeId, NodeId, &Edge)> {
        let mut edges: Vec<_> = self
            .graph
            .edge_references()
            .map(|e| (NodeId::of(e.source()), NodeId::of(e.target()), e.weight()))
            .collect();
        edges.sort();
        edges
    }

    /// The edges leaving `id`, sorted.
    pub fn edges_from(&self, id: NodeId) -> Vec<(NodeId, &Edge)> {
        self.adjacent(id, Direction::Outgoing)
    }

    /// The edges arriving at `id`, sorted.
    pub fn edges_to(&self, id: NodeId) -> Vec<(NodeId, &Edge)> {
        self.adjacent(id, Direction::Incoming)
    }

    fn adjacent(&self, id: NodeId, direction: Direction) -> Vec<(NodeId, &Edge)> {
        let mut out: Vec<_> = self
            .graph
            .edges_directed(id.ix(), direction)
            .map(|e| {
                let other = match direction {
                    Direction::Outgoing => e.target(),
                    Direction::Incoming => e.source(),
                };
                (NodeId::of(other), e.weight())
            })
            .collect();
        out.sort();
        out
    }

    /// The file, symlink or missing-file node at a bundle path (O(log n)).
    pub fn node_at(&self, path: &str) -> Option<(NodeId, &Node)> {
        let ix = *self.by_path.get(path)?;
        Some((NodeId::of(ix), self.graph.node_weight(ix)?))
    }

    /// The regular file at a bundle path (O(log n)).
    pub fn file(&self, path: &str) -> Option<(NodeId, &FileNode)> {
        match self.node_at(path)? {
            (id, Node::File(f)) => Some((id, f)),
            _ => None,
        }
    }

    /// Every regular file, in path order.
    pub fn files(&self) -> impl Iterator<Item = (NodeId, &FileNode)> {
        self.by_path
            .values()
            .filter_map(|ix| match self.graph.node_weight(*ix) {
                Some(Node::File(f)) => Some((NodeId::of(*ix), &**f)),
                _ => None,
            })
    }

    /// The files classified as `kind`, in path order.
    pub fn files_of_kind(&self, kind: EvidenceKind) -> impl Iterator<Item = (NodeId, &FileNode)> {
        self.by_evidence
            .get(&kind)
            .into_iter()
            .flatten()
            .filter_map(|ix| match self.graph.node_weight(*ix) {
                Some(Node::File(f)) => Some((NodeId::of(*ix), &**f)),
                _ => None,
            })
    }

    /// Every symlink inside the bundle, in path order.
    pub fn symlinks(&self) -> impl Iterator<Item = (NodeId, &SymlinkNode)> {
        self.by_path
            .values()
            .filter_map(|ix| match self.graph.node_weight(*ix) {
                Some(Node::Symlink(s)) => Some((NodeId::of(*ix), &**s)),
                _ => None,
            })
    }

    fn of_kind(&self, kind: NodeKind) -> impl Iterator<Item = (NodeId, &Node)> {
        self.by_kind
            .get(&kind)
            .into_iter()
            .flatten()
            .filter_map(|ix| Some((NodeId::of(*ix), self.graph.node_weight(*ix)?)))
    }

    /// The release, when the bundle has exactly one (more than one is a finding).
    pub fn release(&self) -> Option<(NodeId, &ReleaseNode)> {
        let mut releases = self.releases();
        let first = releases.next()?;
        releases.next().is_none().then_some(first)
    }

    /// The artifacts a release lists, in path order.
    pub fn artifacts_of(&self, release: NodeId) -> Vec<(NodeId, &ArtifactNode)> {
        self.targets(release, |e| matches!(e, Edge::ListsArtifact))
            .filter_map(|(id, n)| match n {
                Node::Artifact(a) => Some((id, &**a)),
                _ => None,
            })
            .collect()
    }

    /// The artifacts of [`EvidenceGraph::release`]; empty without a single release.
    pub fn artifacts(&self) -> Vec<(NodeId, &ArtifactNode)> {
        self.release()
            .map(|(id, _)| self.artifacts_of(id))
            .unwrap_or_default()
    }

    /// The file an artifact is, when present in the bundle.
    pub fn artifact_file(&self, artifact: NodeId) -> Option<(NodeId, &FileNode)> {
        self.targets(artifact, |e| matches!(e, Edge::ArtifactFile))
            .find_map(|(id, n)| match n {
                Node::File(f) => Some((id, &**f)),
                _ => None,
            })
    }

    /// The checksum entries naming a file, a missing file or an artifact's file, with their
    /// status, in id order.
    pub fn checksums_of(&self, id: NodeId) -> Vec<(NodeId, &ChecksumEntryNode)> {
        self.sources_into(
            id,
            |e| matches!(e, Edge::ChecksumOf { .. }),
            |n| match n {
                Node::ChecksumEntry(c) => Some(&**c),
                _ => None,
            },
        )
    }

    /// The signatures over a file, a missing file or an artifact's file, in id order.
    pub fn signatures_of(&self, id: NodeId) -> Vec<(NodeId, &SignatureNode)> {
        self.sources_into(
            id,
            |e| matches!(e, Edge::Signs),
            |n| match n {
                Node::Signature(s) => Some(&**s),
                _ => None,
            },
        )
    }

    /// The provenance statements naming a file (or an artifact's file) by digest, in id
    /// order.
    pub fn provenance_of(&self, id: NodeId) -> Vec<(NodeId, &ProvenanceNode)> {
        self.sources_into(
            id,
            |e| matches!(e, Edge::Attests),
            |n| match n {
                Node::Provenance(p) => Some(&**p),
                _ => None,
            },
        )
    }

    /// The statements a merged vulnerability was built from, in id order.
    pub fn statements_of(&self, vulnerability: NodeId) -> Vec<(NodeId, &VulnStatementNode)> {
        self.sources_into(
            vulnerability,
            |e| matches!(e, Edge::Describes),
            |n| match n {
                Node::VulnStatement(s) => Some(&**s),
                _ => None,
            },
        )
    }

    /// The advisories that cover a merged vulnerability, in id order.
    pub fn advisories_of(&self, vulnerability: NodeId) -> Vec<(NodeId, &AdvisoryNode)> {
        self.sources_into(
            vulnerability,
            |e| matches!(e, Edge::Covers),
            |n| match n {
                Node::Advisory(a) => Some(&**a),
                _ => None,
            },
        )
    }

    /// The SBOMs describing a file (or an artifact's file), with how each was linked, in id
    /// order.
    pub fn sboms_of(&self, id: NodeId) -> Vec<(NodeId, &SbomNode, SbomLink)> {
        let Some(target) = self.evidence_target(id) else {
            return Vec::new();
        };
        let mut out: Vec<_> = self
            .graph
            .edges_directed(target.ix(), Direction::Incoming)
            .filter_map(|e| match (e.weight(), self.graph.node_weight(e.source())) {
                (Edge::SbomOf { by }, Some(Node::Sbom(s))) => {
                    Some((NodeId::of(e.source()), &**s, *by))
                }
                _ => None,
            })
            .collect();
        out.sort_by_key(|(id, _, by)| (*id, *by));
        out.dedup_by_key(|(id, _, _)| *id);
        out
    }

    /// Every document refused for an artifact because the digest it states is not the
    /// artifact's, by artifact path.
    pub fn digest_mismatches(&self) -> &[DigestMismatch] {
        &self.digest_mismatches
    }

    /// The documents refused for an artifact (or its file) because the digest they state is
    /// not its own.
    pub fn digest_mismatches_of(&self, id: NodeId) -> Vec<&DigestMismatch> {
        let Some(Node::File(file)) = self.evidence_target(id).and_then(|t| self.node(t)) else {
            return Vec::new();
        };
        // Sorted by artifact path first: the artifact's are one run.
        let start = self
            .digest_mismatches
            .partition_point(|m| m.artifact < file.path);
        self.digest_mismatches
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|m| m.artifact == file.path)
            .collect()
    }

    /// The dates the checksum file `file` states about itself, if any.
    pub fn index_dates(&self, file: NodeId) -> Option<&IndexDates> {
        self.index_dates.get(&file)
    }

    /// The strongest link of an SBOM to any artifact, if it describes one.
    pub fn sbom_link(&self, sbom: NodeId) -> Option<SbomLink> {
        self.edges_from(sbom)
            .into_iter()
            .filter_map(|(_, e)| match e {
                Edge::SbomOf { by } => Some(*by),
                _ => None,
            })
            .min()
    }

    /// Where evidence about `id` points: an artifact's file for an artifact (signatures,
    /// provenance and SBOMs name files), `id` itself otherwise; `None` for an unknown id.
    fn evidence_target(&self, id: NodeId) -> Option<NodeId> {
        match self.node(id) {
            Some(Node::Artifact(_)) => self
                .targets(id, |e| matches!(e, Edge::ArtifactFile))
                .map(|(t, _)| t)
                .next(),
            Some(_) => Some(id),
            None => None,
        }
    }

    /// The nodes with a `wanted` edge into `id` (into an artifact's file, for an artifact),
    /// narrowed by `pick`, in id order.
    fn sources_into<'g, T>(
        &'g self,
        id: NodeId,
        wanted: impl Fn(&Edge) -> bool,
        pick: impl Fn(&'g Node) -> Option<&'g T>,
    ) -> Vec<(NodeId, &'g T)> {
        let Some(target) = self.evidence_target(id) else {
            return Vec::new();
        };
        let mut out: Vec<_> = self
            .graph
            .edges_directed(target.ix(), Direction::Incoming)
            .filter(|e| wanted(e.weight()))
            .filter_map(|e| {
                Some((
                    NodeId::of(e.source()),
                    pick(self.graph.node_weight(e.source())?)?,
                ))
            })
            .collect();
        out.sort_by_key(|(id, _)| *id);
        out.dedup_by_key(|(id, _)| *id);
        out
    }

    /// The security.txt policies see: the one at `.well-known/security.txt`, else the one
    /// with the shortest path (more than one is a finding).
    pub fn security_txt(&self) -> Option<(NodeId, &SecurityTxtNode)> {
        self.security_txts().min_by(|(_, a), (_, b)| {
            security_txt_rank(&a.source.path).cmp(&security_txt_rank(&b.source.path))
        })
    }

    /// The support cycle the release belongs to (its version is the cycle or starts with
    /// `cycle.`; the longest such cycle).
    pub fn release_cycle(&self) -> Option<(NodeId, &SupportCycleNode)> {
        let (release, _) = self.release()?;
        self.targets(release, |e| matches!(e, Edge::InCycle))
            .find_map(|(id, n)| match n {
                Node::SupportCycle(c) => Some((id, &**c)),
                _ => None,
            })
    }

    /// The file an entity was parsed from.
    pub fn source_file(&self, entity: NodeId) -> Option<(NodeId, &FileNode)> {
        self.targets(entity, |e| matches!(e, Edge::DefinedIn))
            .find_map(|(id, n)| match n {
                Node::File(f) => Some((id, &**f)),
                _ => None,
            })
    }

    fn targets(
        &self,
        from: NodeId,
        wanted: impl Fn(&Edge) -> bool,
    ) -> impl Iterator<Item = (NodeId, &Node)> {
        let mut targets: Vec<_> = self
            .graph
            .edges_directed(from.ix(), Direction::Outgoing)
            .filter(|e| wanted(e.weight()))
            .map(|e| e.target())
            .collect();
        targets.sort();
        targets
            .into_iter()
            .filter_map(|ix| Some((NodeId::of(ix), self.graph.node_weight(ix)?)))
    }
}

/// Typed iterators over every node of one kind, in id order: each accessor filters the
/// kind's index and unwraps its variant (boxed or not).
macro_rules! kind_accessors {
    ($( $(#[$doc:meta])* $name:ident => $variant:ident($ty:ty); )*) => {
        impl EvidenceGraph {
            $(
                $(#[$doc])*
                pub fn $name(&self) -> impl Iterator<Item = (NodeId, &$ty)> {
                    self.of_kind(NodeKind::$variant).filter_map(|(id, n)| match n {
                        Node::$variant(x) => {
                            let x: &$ty = x;
                            Some((id, x))
                        }
                        _ => None,
                    })
                }
            )*
        }
    };
}

kind_accessors! {
    /// Every release node (a valid bundle has exactly one).
    releases => Release(ReleaseNode);
    /// Every signature, in id order (by signature file path).
    signatures => Signature(SignatureNode);
    /// Every provenance statement, in id order (by file path).
    provenance => Provenance(ProvenanceNode);
    /// Every merged vulnerability, in id order (sorted by vulnerability id).
    vulnerabilities => Vulnerability(VulnerabilityNode);
    /// Every advisory, in id order (by file path).
    advisories => Advisory(AdvisoryNode);
    /// Every SBOM, in id order (by file path).
    sboms => Sbom(SbomNode);
    /// Every checksum entry, in id order (by checksum file path, then line).
    checksum_entries => ChecksumEntry(ChecksumEntryNode);
    /// Every distribution URL, in id order.
    distributions => Distribution(DistributionNode);
    /// Every support cycle, in id order.
    support_cycles => SupportCycle(SupportCycleNode);
    /// Every security.txt, in id order (by file path).
    security_txts => SecurityTxt(SecurityTxtNode);
    /// Every changelog, in id order (by file path).
    changelogs => Changelog(ChangelogNode);
    /// Every advisory feed, in id order (by file path).
    feeds => Feed(FeedNode);
    /// Every scanned host of every TLS scan, in id order (by file path, then host).
    tls_scans => TlsScan(TlsScanNode);
    /// Every vulnerability scan, in id order (by file path).
    vuln_scans => VulnScan(VulnScanNode);
    /// Every vulnerability statement, in id order (by file path, then document order).
    vuln_statements => VulnStatement(VulnStatementNode);
    /// Every attestation, in id order (by file path).
    attestations => Attestation(AttestationNode);
}
