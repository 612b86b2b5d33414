//! Linking a release manifest and support cycles: artifacts (paths and globs),
//! distribution URLs, the release's support cycle.

use std::collections::{BTreeMap, BTreeSet};

use globset::GlobBuilder;
use petgraph::graph::NodeIndex;

use super::{Builder, Target};
use crate::bundle_path;
use crate::finding::{Finding, FindingCode};
use crate::formats::Evidence;
use crate::formats::release_toml::{ReleaseManifest, split_url};
use crate::formats::support_toml::SupportManifest;
use crate::graph::nodes::*;
use crate::graph::{NodeKind, Unclassified};

impl Builder {
    pub(super) fn release(
        &mut self,
        file_ix: NodeIndex,
        path: &str,
        m: &ReleaseManifest,
        source: &dyn Fn(Option<u32>) -> Source,
    ) -> NodeIndex {
        let release = self.add(Node::Release(Box::new(ReleaseNode {
            product: m.product.clone(),
            version: m.version.clone(),
            date: m.date,
            previous: m.previous.clone(),
            source: source(Some(m.line)),
        })));
        self.graph.add_edge(release, file_ix, Edge::DefinedIn);
        let artifacts = self.expand_artifacts(path, m);
        let mut artifact_nodes = Vec::new();
        for (artifact_path, (pattern, line)) in artifacts {
            let target = self.resolve(&artifact_path);
            let present = matches!(target, Target::File(_));
            let ix = self.add(Node::Artifact(Box::new(ArtifactNode {
                path: artifact_path.clone(),
                pattern,
                present,
                source: source(Some(line)),
            })));
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
            let ix = self.add(Node::Distribution(Box::new(DistributionNode {
                url: d.url.clone(),
                scheme: parts.as_ref().map(|p| p.scheme.clone()).unwrap_or_default(),
                host: parts.as_ref().and_then(|p| p.host.clone()),
                file_name: file_name.clone(),
                source: source(Some(d.line)),
            })));
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

    /// The files the releases among `evidence` list as artifacts (through symlinks), other
    /// than release manifests themselves. Findings about the patterns are left to
    /// [`Builder::release`].
    pub(super) fn listed_artifact_files(
        &mut self,
        evidence: &[(
            NodeIndex,
            String,
            crate::digest::Sha256Digest,
            Box<Evidence>,
        )],
    ) -> BTreeSet<NodeIndex> {
        let kept = self.findings.len();
        let mut listed = BTreeSet::new();
        for (_, path, _, e) in evidence {
            let Evidence::Release(m) = &**e else {
                continue;
            };
            for artifact in self.expand_artifacts(path, m).into_keys() {
                if let Target::File(ix) = self.resolve(&artifact) {
                    listed.insert(ix);
                }
            }
        }
        self.findings.truncate(kept);
        for (ix, _, _, e) in evidence {
            if matches!(**e, Evidence::Release(_)) {
                listed.remove(ix);
            }
        }
        listed
    }

    /// Makes the artifact file `ix` unclassified, if it was classified as evidence: its
    /// unclassified entry, and an info finding saying it was not read as evidence.
    pub(super) fn not_evidence(
        &mut self,
        ix: NodeIndex,
        had_findings: bool,
    ) -> Option<Unclassified> {
        let Some(Node::File(file)) = self.graph.node_weight_mut(ix) else {
            return None;
        };
        let kind = file.kind.take()?;
        let path = file.path.clone();
        if let Some(list) = self.by_evidence.get_mut(&kind) {
            list.retain(|i| *i != ix);
        }
        let also = if had_findings {
            " (what reading it as such found is left out)"
        } else {
            ""
        };
        self.findings.push(
            Finding::new(
                FindingCode::ArtifactNotEvidence,
                Some(&path),
                format!(
                    "release.toml lists this file as an artifact, so it is not read as {} \
                     evidence{also}",
                    kind.as_str()
                ),
            )
            .with_help(
                "keep evidence out of the artifact list (list the artifacts by name, or narrow \
                 the glob) when it is to be read as evidence",
            ),
        );
        Some(Unclassified {
            path,
            reason: super::ARTIFACT.to_owned(),
        })
    }

    pub(super) fn support(
        &mut self,
        file_ix: NodeIndex,
        m: &SupportManifest,
        source: &dyn Fn(Option<u32>) -> Source,
    ) {
        for c in &m.cycles {
            let ix = self.add(Node::SupportCycle(Box::new(SupportCycleNode {
                cycle: c.cycle.clone(),
                released: c.released,
                support_until: c.support_until,
                eol: c.eol,
                eol_announced: c.eol_announced,
                lts: c.lts,
                // endoflife.date release data has no lines (0).
                source: source((c.line > 0).then_some(c.line)),
            })));
            self.graph.add_edge(ix, file_ix, Edge::DefinedIn);
        }
    }

    pub(super) fn attestation(
        &mut self,
        file_ix: NodeIndex,
        a: crate::formats::attestation::Attestation,
        source: &dyn Fn(Option<u32>) -> Source,
    ) {
        let ix = self.add(Node::Attestation(Box::new(AttestationNode {
            control: a.control,
            statement: a.statement,
            statement_sha256: a.statement_sha256,
            attested_by: a.attested_by,
            date: a.date,
            evidence: a.evidence,
            source: source(Some(a.line)),
        })));
        self.graph.add_edge(ix, file_ix, Edge::DefinedIn);
    }

    /// Links each release to its support cycle; more than one release is a finding.
    pub(super) fn link_releases(&mut self, releases: &[NodeIndex]) {
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
