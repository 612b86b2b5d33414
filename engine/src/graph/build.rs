//! Building the graph from what ingestion read: file nodes, entity nodes, and the edges that
//! link them (checksum verification, artifact globs, distribution and cycle matching).

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};

use globset::GlobBuilder;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use sha2::Digest as _;

use super::nodes::*;
use super::{EvidenceGraph, NodeKind};
use crate::bundle_path;
use crate::digest::{Sha256Digest, Sha512Digest, hex};
use crate::finding::{Finding, FindingCode};
use crate::formats::Evidence;
use crate::formats::EvidenceKind;
use crate::formats::checksums::{Algorithm, ChecksumList, normalize_name};
use crate::formats::release_toml::{ReleaseManifest, split_url};
use crate::formats::support_toml::SupportManifest;

/// Why a readable file is unclassified when no format claims it.
const NO_FORMAT: &str = "no evidence format recognised";

/// One regular file as ingestion read it.
#[derive(Debug)]
pub(crate) struct FileRecord {
    pub path: String,
    pub raw: Vec<u8>,
    pub abs: PathBuf,
    pub size: u64,
    pub sha256: Sha256Digest,
    pub kind: Option<EvidenceKind>,
    pub evidence: Option<Evidence>,
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
    graph: DiGraph<Node, Edge>,
    by_path: BTreeMap<String, NodeIndex>,
    by_kind: BTreeMap<NodeKind, Vec<NodeIndex>>,
    by_evidence: BTreeMap<EvidenceKind, Vec<NodeIndex>>,
    findings: Vec<Finding>,
    /// Paths that exist but could not be read, with the reason.
    unreadable: BTreeMap<String, String>,
    sha512: BTreeMap<NodeIndex, Result<Sha512Digest, ChecksumStatus>>,
    /// Where each file node is on disk.
    abs: BTreeMap<NodeIndex, PathBuf>,
}

/// Builds the graph. `sha512_of` is called once, with the files sha512 entries name.
pub(crate) fn build(mut input: BuildInput, sha512_of: Sha512Fn<'_>) -> EvidenceGraph {
    input.files.sort_by(|a, b| a.path.cmp(&b.path));
    input.links.sort_by(|a, b| a.path.cmp(&b.path));
    let mut b = Builder {
        graph: DiGraph::new(),
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
    };
    let digest = bundle_digest(&input.files);
    let mut unclassified = input.unclassified;
    let mut evidence = Vec::new();
    for file in input.files {
        let node = Node::File(FileNode {
            path: file.path.clone(),
            size: file.size,
            sha256: file.sha256,
            kind: file.kind,
        });
        let ix = b.add(node);
        b.abs.insert(ix, file.abs);
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
        if let Some(e) = file.evidence {
            evidence.push((ix, file.path, file.sha256, e));
        }
    }
    for link in input.links {
        let target = b.by_path.get(&link.target).copied();
        let ix = b.add(Node::Symlink(SymlinkNode {
            path: link.path,
            target: link.target,
            target_kind: link.target_kind,
        }));
        if let Some(target) = target {
            b.graph.add_edge(ix, target, Edge::LinksTo);
        }
    }
    b.compute_sha512(&evidence, sha512_of);
    let mut releases = Vec::new();
    for (file_ix, path, sha256, e) in evidence {
        let source = |line: Option<u32>| Source {
            path: path.clone(),
            sha256,
            line,
        };
        match e {
            Evidence::Checksums(list) => b.checksums(file_ix, &path, &list, &source),
            Evidence::Release(m) => releases.push(b.release(file_ix, &path, &m, &source)),
            Evidence::Support(m) => b.support(file_ix, &m, &source),
        }
    }
    b.link_releases(&releases);
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
            u.reason = "release artifact (not itself evidence)".to_owned();
        }
    }
    drop(artifact_files);
    let mut findings = b.findings;
    findings.sort_by(|x, y| x.sort_key().cmp(&y.sort_key()));
    findings.dedup();
    unclassified.sort();
    unclassified.dedup();
    EvidenceGraph {
        graph: b.graph,
        by_path: b.by_path,
        by_kind: b.by_kind,
        by_evidence: b.by_evidence,
        findings,
        unclassified,
        digest,
    }
}

/// sha256 over `path NUL sha256hex LF` for every file, sorted by the path's bytes.
fn bundle_digest(files: &[FileRecord]) -> Sha256Digest {
    let mut lines: Vec<(&[u8], String)> = files
        .iter()
        .map(|f| (f.raw.as_slice(), f.sha256.to_hex()))
        .collect();
    lines.sort();
    let mut hasher = sha2::Sha256::new();
    for (raw, hex) in lines {
        hasher.update(raw);
        hasher.update(b"\0");
        hasher.update(hex.as_bytes());
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
        self.add(Node::MissingFile(MissingFileNode {
            path: path.to_owned(),
            reason,
        }))
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
        evidence: &[(NodeIndex, String, Sha256Digest, Evidence)],
        sha512_of: Sha512Fn<'_>,
    ) {
        let mut wanted: BTreeSet<NodeIndex> = BTreeSet::new();
        for (_, path, _, e) in evidence {
            let Evidence::Checksums(list) = e else {
                continue;
            };
            let dir = bundle_path::parent(path);
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
        if wanted.is_empty() {
            return;
        }
        let wanted: Vec<NodeIndex> = wanted.into_iter().collect();
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
        let dir = bundle_path::parent(path);
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
            let ix = self.add(Node::ChecksumEntry(ChecksumEntryNode {
                algorithm: entry.algorithm,
                digest: hex(&entry.digest),
                name: entry.name.clone(),
                path: resolved,
                syntax: entry.syntax,
                size: entry.size,
                signed_cleartext: list.pgp_cleartext,
                status,
                source: source(Some(entry.line)),
            }));
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

    fn release(
        &mut self,
        file_ix: NodeIndex,
        path: &str,
        m: &ReleaseManifest,
        source: &dyn Fn(Option<u32>) -> Source,
    ) -> NodeIndex {
        let release = self.add(Node::Release(ReleaseNode {
            product: m.product.clone(),
            version: m.version.clone(),
            date: m.date,
            previous: m.previous.clone(),
            source: source(Some(m.line)),
        }));
        self.graph.add_edge(release, file_ix, Edge::DefinedIn);
        let artifacts = self.expand_artifacts(path, m);
        let mut artifact_nodes = Vec::new();
        for (artifact_path, (pattern, line)) in artifacts {
            let target = self.resolve(&artifact_path);
            let present = matches!(target, Target::File(_));
            let ix = self.add(Node::Artifact(ArtifactNode {
                path: artifact_path.clone(),
                pattern,
                present,
                source: source(Some(line)),
            }));
            self.graph.add_edge(release, ix, Edge::ListsArtifact);
            self.graph.add_edge(ix, file_ix, Edge::DefinedIn);
            let file = match target {
                Target::File(t) => t,
                Target::NotFile(t) => t,
                Target::Absent => self.missing(&artifact_path),
            };
            self.graph.add_edge(ix, file, Edge::ArtifactFile);
            artifact_nodes.push((ix, artifact_path));
        }
        for d in &m.distributions {
            let parts = split_url(&d.url);
            let file_name = parts.as_ref().and_then(|p| p.file_name.clone());
            let ix = self.add(Node::Distribution(DistributionNode {
                url: d.url.clone(),
                scheme: parts.as_ref().map(|p| p.scheme.clone()).unwrap_or_default(),
                host: parts.as_ref().and_then(|p| p.host.clone()),
                file_name: file_name.clone(),
                source: source(Some(d.line)),
            }));
            self.graph.add_edge(release, ix, Edge::DistributedAt);
            self.graph.add_edge(ix, file_ix, Edge::DefinedIn);
            for (artifact, artifact_path) in &artifact_nodes {
                if file_name.as_deref() == Some(crate::formats::file_name(artifact_path)) {
                    self.graph.add_edge(ix, *artifact, Edge::Distributes);
                }
            }
        }
        release
    }

    /// The artifact paths a manifest lists, sorted, each with the first pattern and line
    /// that named it; findings for patterns that match nothing.
    fn expand_artifacts(
        &mut self,
        path: &str,
        m: &ReleaseManifest,
    ) -> BTreeMap<String, (String, u32)> {
        let dir = bundle_path::parent(path);
        let mut out: BTreeMap<String, (String, u32)> = BTreeMap::new();
        for a in &m.artifacts {
            let is_glob = a.pattern.contains(['*', '?', '[', '{']);
            let invalid = |why: &str| {
                Finding::new(
                    FindingCode::ArtifactInvalidPattern,
                    Some(path),
                    format!("artifact pattern `{}` {why}", a.pattern),
                )
                .at_line(a.line)
                .with_help("artifacts are paths or globs relative to release.toml's directory")
            };
            if !is_glob {
                match bundle_path::join(dir, &a.pattern) {
                    Some(p) => {
                        if matches!(self.resolve(&p), Target::Absent) {
                            self.findings.push(
                                Finding::new(
                                    FindingCode::ArtifactMissing,
                                    Some(path),
                                    format!("artifact `{}` is not in the bundle", a.pattern),
                                )
                                .at_line(a.line)
                                .with_help("add the file to the bundle or fix the path"),
                            );
                        }
                        out.entry(p).or_insert_with(|| (a.pattern.clone(), a.line));
                    }
                    None => self.findings.push(invalid("leaves the bundle")),
                }
                continue;
            }
            let relative = a.pattern.trim_start_matches("./");
            if relative.starts_with('/') || relative.split('/').any(|c| c == "..") {
                self.findings.push(invalid("leaves the bundle"));
                continue;
            }
            let full = if dir.is_empty() {
                relative.to_owned()
            } else {
                format!("{dir}/{relative}")
            };
            let matcher = match GlobBuilder::new(&full).literal_separator(true).build() {
                Ok(glob) => glob.compile_matcher(),
                Err(e) => {
                    self.findings
                        .push(invalid(&format!("is not a valid glob: {}", e.kind())));
                    continue;
                }
            };
            let matched: Vec<String> = self
                .by_path
                .iter()
                .filter(|(p, ix)| {
                    matcher.is_match(p.as_str())
                        && match self.graph.node_weight(**ix) {
                            Some(Node::File(_)) => true,
                            Some(Node::Symlink(_)) => matches!(self.resolve(p), Target::File(_)),
                            _ => false,
                        }
                })
                .map(|(p, _)| p.clone())
                .collect();
            if matched.is_empty() {
                self.findings.push(
                    Finding::new(
                        FindingCode::ArtifactNoMatch,
                        Some(path),
                        format!("artifact glob `{}` matches no file", a.pattern),
                    )
                    .at_line(a.line)
                    .with_help("add the artifacts to the bundle or fix the glob"),
                );
            }
            for p in matched {
                out.entry(p).or_insert_with(|| (a.pattern.clone(), a.line));
            }
        }
        out
    }

    fn support(
        &mut self,
        file_ix: NodeIndex,
        m: &SupportManifest,
        source: &dyn Fn(Option<u32>) -> Source,
    ) {
        for c in &m.cycles {
            let ix = self.add(Node::SupportCycle(SupportCycleNode {
                cycle: c.cycle.clone(),
                released: c.released,
                support_until: c.support_until,
                eol: c.eol,
                eol_announced: c.eol_announced,
                lts: c.lts,
                source: source(Some(c.line)),
            }));
            self.graph.add_edge(ix, file_ix, Edge::DefinedIn);
        }
    }

    /// Links each release to its support cycle; more than one release is a finding.
    fn link_releases(&mut self, releases: &[NodeIndex]) {
        if releases.len() > 1 {
            let paths: Vec<String> = releases
                .iter()
                .filter_map(|ix| {
                    self.graph
                        .node_weight(*ix)?
                        .source()
                        .map(|s| s.path.clone())
                })
                .collect();
            for p in paths.iter().skip(1) {
                self.findings.push(
                    Finding::new(
                        FindingCode::MultipleReleases,
                        Some(p),
                        format!(
                            "the bundle has {} release manifests ({}); a bundle is one release",
                            paths.len(),
                            paths.join(", ")
                        ),
                    )
                    .with_help("keep one release.toml per bundle"),
                );
            }
        }
        let cycles: Vec<(NodeIndex, String)> = self
            .by_kind
            .get(&NodeKind::SupportCycle)
            .into_iter()
            .flatten()
            .filter_map(|ix| match self.graph.node_weight(*ix) {
                Some(Node::SupportCycle(c)) => Some((*ix, c.cycle.clone())),
                _ => None,
            })
            .collect();
        for release in releases {
            let Some(Node::Release(r)) = self.graph.node_weight(*release) else {
                continue;
            };
            let version = r.version.clone();
            let best = cycles
                .iter()
                .filter(|(_, c)| {
                    version == *c
                        || version
                            .strip_prefix(c.as_str())
                            .is_some_and(|rest| rest.starts_with('.'))
                })
                .max_by_key(|(_, c)| c.len());
            if let Some((cycle, _)) = best {
                self.graph.add_edge(*release, *cycle, Edge::InCycle);
            }
        }
    }
}
