//! SBOM nodes, and `sbom-of` edges to the artifacts each SBOM describes.
//!
//! An SBOM is linked to the release's artifact files by the first rule that links it to
//! any:
//! 1. **digest**: a SHA-256 it states for what it describes (its subject, SPDX's described
//!    packages and files) or for a listed file (SPDX `files[]`) is an artifact's; else a
//!    SHA-512 it states for what it describes is an artifact's;
//! 2. **name and version**: an artifact's file name holds the subject's name, a separator
//!    (`-`, `_`, `.`, space), an optional `v` and its version (`widget-2.4.1-linux.tar.gz`
//!    for widget 2.4.1); else, when the subject is the release (product and version), every
//!    artifact of the release. The subject's purl counts as a name and version too
//!    (`npm sbom` names its root component `package`, its purl `pkg:npm/widget@2.4.1`);
//! 3. **file name**: the SBOM is `X.cdx.json`, `X.spdx.json`, `X.sbom.json` (and the
//!    other SBOM suffixes) beside the artifact `X`.
//!
//! A link by name (rules 2 and 3) is refused for an artifact whose SHA-256 the subject's
//! stated SHA-256 contradicts (the digest rule of [`crate::graph::stated_digest`]: the error
//! `vouch::evidence::digest-mismatch`). A SHA-512 stated for the subject must be the
//! artifact's, however it is linked (a contradicting one refuses the link with the same
//! mismatch record, in SHA-512). An SBOM linked to nothing otherwise gets the warning
//! `vouch::sbom::no-artifact`.

use std::collections::BTreeSet;

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;

use super::Builder;
use crate::digest::{Sha256Digest, Sha512Digest};
use crate::finding::{Finding, FindingCode};
use crate::formats::sbom::{Component, Sbom};
use crate::graph::NodeKind;
use crate::graph::nodes::{Edge, Node, SbomLink, SbomNode, Source};
use crate::graph::stated_digest::{
    DigestEvidence, DigestMismatch, StatedDigest, Verdict, judge, unverifiable,
};

/// File name suffixes that name the file an SBOM describes (`X.cdx.json` describes `X`),
/// longest first.
const SUFFIXES: &[&str] = &[
    ".cyclonedx.json",
    ".spdx.jsonld",
    ".spdx3.json",
    ".spdx.json",
    ".sbom.json",
    ".cdx.json",
    ".bom.json",
];

const NO_ARTIFACT_HELP: &str = "vouch links an SBOM to an artifact by the SHA-256 of its \
     subject, by the subject's name and version (in the artifact's file name, or as the \
     release's product and version), or by name (`X.cdx.json` beside `X`); see the book, \
     \"SBOMs\"";

/// An SBOM read during the build.
pub(crate) struct PendingSbom {
    /// The file it was read from.
    pub file: NodeIndex,
    /// Where.
    pub source: Source,
    /// The SBOM (its statements already taken).
    pub sbom: Sbom,
}

/// An artifact file of a release, as linking sees it.
pub(super) struct ArtifactFile {
    pub(super) file: NodeIndex,
    pub(super) path: String,
    pub(super) sha256: Sha256Digest,
    /// Its SHA-512, when an SBOM states one for its subject (`None` otherwise, or when it
    /// cannot be read).
    pub(super) sha512: Option<Sha512Digest>,
    /// The release's product and version.
    release: (String, String),
}

impl Builder {
    /// Adds one node per SBOM, with `defined-in` and `sbom-of` edges and linking findings.
    pub(super) fn sboms(&mut self, mut pending: Vec<PendingSbom>, sha512_of: super::Sha512Fn<'_>) {
        pending.sort_by(|a, b| a.source.path.cmp(&b.source.path));
        let mut artifacts = self.artifact_files();
        // An SBOM stating a SHA-512 for its subject: the artifacts are hashed with SHA-512
        // too, once.
        if pending.iter().any(|p| !p.sbom.subject_sha512.is_empty()) {
            self.hash_sha512(artifacts.iter().map(|a| a.file).collect(), sha512_of);
            for a in &mut artifacts {
                a.sha512 = self.sha512.get(&a.file).and_then(|r| r.ok());
            }
        }
        for p in pending {
            let (by, targets) = link(&p.sbom, &p.source.path, &artifacts);
            let refused = self.digest_mismatches.len();
            let (by, targets) = self.judge_digests(&p, by, targets, &artifacts);
            if targets.is_empty() && self.digest_mismatches.len() == refused {
                let what = p
                    .sbom
                    .subject()
                    .map_or_else(|| "nothing it names".to_owned(), describe);
                self.findings.push(
                    Finding::new(
                        FindingCode::SbomNoArtifact,
                        Some(&p.source.path),
                        format!(
                            "the SBOM describes no artifact of the release (its subject: {what})"
                        ),
                    )
                    .with_help(NO_ARTIFACT_HELP),
                );
            }
            let Sbom {
                format,
                spec_version,
                created,
                described,
                components,
                files,
                subject_algorithms: _,
                subject_malformed: _,
                subject_sha512: _,
                statements: _,
            } = p.sbom;
            let ix = self.add(Node::Sbom(Box::new(SbomNode {
                format,
                spec_version,
                created,
                described,
                components,
                files,
                source: p.source,
            })));
            self.graph.add_edge(ix, p.file, Edge::DefinedIn);
            if let Some(by) = by {
                for target in targets {
                    if let Some(a) = artifacts.get(target) {
                        self.graph.add_edge(ix, a.file, Edge::SbomOf { by });
                    }
                }
            }
        }
    }

    /// Applies the digest rule ([`crate::graph::stated_digest`]) to a link by name: an
    /// artifact whose digest the SBOM's subject contradicts is refused (a mismatch is
    /// recorded); one it states only digests vouch does not compute for is kept, with a
    /// warning.
    fn judge_digests(
        &mut self,
        p: &PendingSbom,
        by: Option<SbomLink>,
        targets: Vec<usize>,
        artifacts: &[ArtifactFile],
    ) -> (Option<SbomLink>, Vec<usize>) {
        let Some(link) = by else {
            return (by, targets);
        };
        let subject = p
            .sbom
            .subject()
            .map_or_else(|| "its subject".to_owned(), describe);
        let stated = || p.sbom.described.iter().filter_map(|c| c.sha256);
        let mut kept = Vec::new();
        for i in targets {
            let Some(a) = artifacts.get(i) else { continue };
            // A stated SHA-512 must be the artifact's, however the SBOM is linked to it.
            let sha512_matches = match (p.sbom.subject_sha512.first(), a.sha512) {
                (None, _) => false,
                (Some(_), Some(actual)) if p.sbom.subject_sha512.contains(&actual) => true,
                (Some(first), Some(actual)) => {
                    self.digest_mismatches.push(DigestMismatch {
                        artifact: a.path.clone(),
                        evidence: DigestEvidence::Sbom,
                        source: p.source.clone(),
                        subject: subject.clone(),
                        linked_by: match link {
                            SbomLink::Digest => "sha256",
                            other => other.as_str(),
                        },
                        stated: StatedDigest::Sha512(*first),
                        actual: StatedDigest::Sha512(actual),
                    });
                    continue;
                }
                // Its SHA-512 could not be read (a finding says why): not linked.
                (Some(_), None) => continue,
            };
            if link == SbomLink::Digest {
                kept.push(i);
                continue;
            }
            let verdict = match judge(stated(), &p.sbom.subject_algorithms, a.sha256) {
                Verdict::Unverifiable | Verdict::Unstated if sha512_matches => Verdict::Match,
                verdict => verdict,
            };
            // A SHA-256 that is not a digest says nothing the artifact can be checked
            // against: the link by name is refused, as for a digest that contradicts it.
            if verdict != Verdict::Match && !p.sbom.subject_malformed.is_empty() {
                self.findings.push(malformed_digest(
                    &p.source.path,
                    &subject,
                    &p.sbom.subject_malformed,
                    &a.path,
                ));
                continue;
            }
            match verdict {
                Verdict::Contradicts(digest) => self.digest_mismatches.push(DigestMismatch {
                    artifact: a.path.clone(),
                    evidence: DigestEvidence::Sbom,
                    source: p.source.clone(),
                    subject: subject.clone(),
                    linked_by: link.as_str(),
                    stated: digest.into(),
                    actual: a.sha256.into(),
                }),
                Verdict::Unverifiable => {
                    self.findings.push(unverifiable(
                        &p.source.path,
                        None,
                        DigestEvidence::Sbom,
                        &subject,
                        &p.sbom.subject_algorithms,
                        &a.path,
                    ));
                    kept.push(i);
                }
                Verdict::Match | Verdict::Unstated => kept.push(i),
            }
        }
        if kept.is_empty() {
            (None, kept)
        } else {
            (by, kept)
        }
    }

    /// Every present artifact file of every release, in release and path order, once each.
    pub(super) fn artifact_files(&self) -> Vec<ArtifactFile> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        for release in self.by_kind.get(&NodeKind::Release).into_iter().flatten() {
            let Some(Node::Release(r)) = self.graph.node_weight(*release) else {
                continue;
            };
            let mut listed: Vec<NodeIndex> = self
                .graph
                .edges(*release)
                .filter(|e| matches!(e.weight(), Edge::ListsArtifact))
                .flat_map(|e| self.graph.edges(e.target()))
                .filter(|e| matches!(e.weight(), Edge::ArtifactFile))
                .map(|e| e.target())
                .collect();
            listed.sort();
            for file in listed {
                if let Some(f) = self.file(file)
                    && seen.insert(file)
                {
                    out.push(ArtifactFile {
                        file,
                        path: f.path.clone(),
                        sha256: f.sha256,
                        sha512: None,
                        release: (r.product.clone(), r.version.clone()),
                    });
                }
            }
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }
}

/// How an SBOM links, and the indexes (into `artifacts`) of what it links to.
fn link(sbom: &Sbom, path: &str, artifacts: &[ArtifactFile]) -> (Option<SbomLink>, Vec<usize>) {
    let digests: BTreeSet<Sha256Digest> = sbom
        .described
        .iter()
        .filter_map(|c| c.sha256)
        .chain(sbom.files.iter().map(|f| f.sha256))
        .collect();
    let by_digest = matching(artifacts, |a| digests.contains(&a.sha256));
    if !by_digest.is_empty() {
        return (Some(SbomLink::Digest), by_digest);
    }
    let by_sha512 = matching(artifacts, |a| {
        a.sha512
            .is_some_and(|d| sbom.subject_sha512.binary_search(&d).is_ok())
    });
    if !by_sha512.is_empty() {
        return (Some(SbomLink::Digest), by_sha512);
    }
    for c in &sbom.described {
        let ids = identities(c);
        if ids.is_empty() {
            continue;
        }
        let by_file_name = matching(artifacts, |a| {
            let file = crate::formats::file_name(&a.path);
            ids.iter().any(|(n, v)| name_version_in(file, n, v))
        });
        if !by_file_name.is_empty() {
            return (Some(SbomLink::NameVersion), by_file_name);
        }
        let by_release = matching(artifacts, |a| {
            ids.iter()
                .any(|(n, v)| n.eq_ignore_ascii_case(&a.release.0) && same_version(v, &a.release.1))
        });
        if !by_release.is_empty() {
            return (Some(SbomLink::NameVersion), by_release);
        }
    }
    let described = SUFFIXES.iter().find_map(|s| path.strip_suffix(s));
    if let Some(described) = described {
        let by_name = matching(artifacts, |a| a.path == described);
        if !by_name.is_empty() {
            return (Some(SbomLink::FileName), by_name);
        }
    }
    (None, Vec::new())
}

fn matching(artifacts: &[ArtifactFile], pred: impl Fn(&ArtifactFile) -> bool) -> Vec<usize> {
    artifacts
        .iter()
        .enumerate()
        .filter(|(_, a)| pred(a))
        .map(|(i, _)| i)
        .collect()
}

/// The names a component goes by: its name, and the last segment of a name with `/` or
/// `:` (`@scope/pkg`, `com.example:app`).
fn names(c: &Component) -> impl Iterator<Item = &str> {
    let name = c.name.trim();
    let last = name.rsplit(['/', ':']).next().filter(|l| *l != name);
    std::iter::once(name).chain(last).filter(|n| !n.is_empty())
}

/// The (name, version) pairs a described component goes by: each of its [`names`] with its
/// version, and its purl's name with the purl's version (or the component's). `npm sbom`
/// names its root component after the directory it ran in (`package` for an unpacked
/// tarball), while its purl (`pkg:npm/widget@2.4.1`) names the package.
fn identities(c: &Component) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    if let Some(version) = c.version.as_deref() {
        out.extend(names(c).map(|n| (n.to_owned(), version.to_owned())));
    }
    let purl = c
        .purl
        .as_deref()
        .and_then(|p| p.trim().parse::<packageurl::PackageUrl<'_>>().ok());
    if let Some(purl) = purl {
        let version = purl.version().or(c.version.as_deref());
        if let Some(version) = version
            && !purl.name().trim().is_empty()
        {
            out.push((purl.name().to_owned(), version.to_owned()));
        }
    }
    out.sort();
    out.dedup();
    out
}

fn same_version(a: &str, b: &str) -> bool {
    let strip = |v: &str| v.trim().trim_start_matches(['v', 'V']).to_owned();
    strip(a) == strip(b)
}

/// Whether `file_name` holds `name`, a separator, an optional `v` and `version`, as whole
/// words (case-insensitively): `widget-2.4.1.tar.gz` for widget 2.4.1, not
/// `widget-2.4.10.tar.gz` nor `widget-cli-2.4.1.tar.gz`.
pub(super) fn name_version_in(file_name: &str, name: &str, version: &str) -> bool {
    let file = file_name.to_ascii_lowercase();
    let name = name.to_ascii_lowercase();
    let version = version
        .trim()
        .trim_start_matches(['v', 'V'])
        .to_ascii_lowercase();
    if name.is_empty() || version.is_empty() {
        return false;
    }
    let is_word = |c: char| c.is_ascii_alphanumeric();
    for (at, _) in file.match_indices(&name) {
        let before = file.get(..at).and_then(|s| s.chars().next_back());
        if before.is_some_and(is_word) {
            continue;
        }
        let rest = file.get(at.saturating_add(name.len())..).unwrap_or("");
        let Some(rest) = rest.strip_prefix(['-', '_', '.', ' ']) else {
            continue;
        };
        let rest = rest.strip_prefix('v').unwrap_or(rest);
        let Some(after) = rest.strip_prefix(version.as_str()) else {
            continue;
        };
        let mut next = after.chars();
        let continues = match next.next() {
            None => false,
            Some('.') => next.next().is_some_and(|c| c.is_ascii_digit()),
            Some(c) => is_word(c),
        };
        if !continues {
            return true;
        }
    }
    false
}

fn describe(c: &Component) -> String {
    match &c.version {
        Some(v) => format!("`{}` {v}", c.name),
        None => format!("`{}`", c.name),
    }
}

/// The error for an SBOM whose subject's stated SHA-256 is not a digest, refused for
/// `artifact`.
fn malformed_digest(sbom: &str, subject: &str, values: &[String], artifact: &str) -> Finding {
    let values: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    Finding::new(
        FindingCode::DigestMismatch,
        Some(sbom),
        format!(
            "the SBOM states SHA-256 {} for {subject}, which is not a digest: it does not count \
             for `{artifact}`",
            values.join(", ")
        ),
    )
    .with_help("state the artifact's SHA-256 (64 hex digits) for the SBOM's subject")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_and_version_in_file_names() {
        assert!(name_version_in("widget-2.4.1.tar.gz", "widget", "2.4.1"));
        assert!(name_version_in(
            "Widget_v2.4.1-linux-amd64.zip",
            "widget",
            "v2.4.1"
        ));
        assert!(name_version_in("widget-2.4.1", "widget", "2.4.1"));
        assert!(!name_version_in("widget-2.4.10.tar.gz", "widget", "2.4.1"));
        assert!(!name_version_in("widget-2.4.1.5.tar.gz", "widget", "2.4.1"));
        assert!(!name_version_in(
            "widget-2.4.1rc1.tar.gz",
            "widget",
            "2.4.1"
        ));
        assert!(!name_version_in(
            "widget-cli-2.4.1.tar.gz",
            "widget",
            "2.4.1"
        ));
        assert!(!name_version_in(
            "superwidget-2.4.1.tar.gz",
            "widget",
            "2.4.1"
        ));
        assert!(name_version_in("x-widget-2.4.1.tar.gz", "widget", "2.4.1"));
        assert!(!name_version_in("widget.tar.gz", "widget", ""));
    }
}
