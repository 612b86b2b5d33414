//! Vulnerability statements and their merge: one node per statement (cited to its file and
//! line), one node per vulnerability, `describes` edges between them, and a finding where
//! equally authoritative sources contradict each other.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::graph::NodeIndex;

use super::Builder;
use crate::cvss;
use crate::finding::{Finding, FindingCode};
use crate::graph::nodes::{
    AdvisoryNode, Edge, Node, Source, VulnScanNode, VulnStatementNode, VulnerabilityNode,
};
use crate::graph::stated_digest::{Verdict, judge};
use crate::graph::unreadable::UnreadableFile;
use crate::vulns::ranges::{self, Verdict as RangeVerdict};
use crate::vulns::{self, AdvisoryInfo, Band, VulnDocument, VulnStatement, VulnStatus};

/// An advisory's node, made as its file is read (its statements are pending separately).
pub(crate) struct PendingAdvisory {
    pub file: NodeIndex,
    pub node: Box<AdvisoryNode>,
}

impl PendingAdvisory {
    /// The advisory's node (its lists shrunk: the node lives through evaluation).
    pub fn new(file: NodeIndex, mut advisory: AdvisoryInfo, source: Source) -> Self {
        advisory.shrink_to_fit();
        Self {
            file,
            node: Box::new(AdvisoryNode { advisory, source }),
        }
    }
}

/// The statements of one document, with where they were read.
pub(crate) struct PendingVulns {
    pub file: NodeIndex,
    pub source: Source,
    pub document: VulnDocument,
}

impl Builder {
    /// Adds every statement, merges them, adds the merged vulnerabilities, then the
    /// advisories with `covers` edges to the vulnerabilities they name.
    /// Returns the files that are unreadable evidence for the release (a CSAF range of its
    /// product that cannot be judged, [`Builder::judge_listed`]).
    pub(super) fn vulnerabilities(
        &mut self,
        mut pending: Vec<PendingVulns>,
        mut advisories: Vec<PendingAdvisory>,
    ) -> Vec<UnreadableFile> {
        pending.sort_by(|a, b| a.source.path.cmp(&b.source.path));
        self.refuse_foreign_vex(&mut pending);
        self.judge_ranges(&mut pending);
        let unreadable = self.judge_listed(&mut pending);
        // The affected ranges have decided the statuses: nothing reads them again, and the
        // statement nodes live through evaluation (a package and its ranges are ~300 bytes
        // an OSV record).
        for doc in &mut pending {
            for s in &mut doc.document.statements {
                s.affected = Vec::new();
                s.listed = Vec::new();
            }
        }
        // Merged on references first, so each statement then moves into its node rather
        // than being cloned (the node order is the same: each document's scan node and
        // statements, then the vulnerabilities).
        let (merged, discoveries, conflicts) = {
            let input: Vec<(vulns::SourceKind, &VulnStatement, &str)> = pending
                .iter()
                .flat_map(|doc| {
                    let (kind, format) = (doc.document.kind, doc.document.format);
                    doc.document
                        .statements
                        .iter()
                        .map(move |s| (kind, s, format))
                })
                .collect();
            let pairs: Vec<_> = input.iter().map(|(k, s, _)| (*k, *s)).collect();
            let (merged, conflicts) = vulns::merge(&pairs);
            let discoveries: Vec<_> = merged
                .iter()
                .map(|v| {
                    let kinds: Vec<(vulns::SourceKind, &VulnStatement, &str)> = v
                        .statements
                        .iter()
                        .filter_map(|i| input.get(*i).copied())
                        .collect();
                    discovery(v, &kinds)
                })
                .collect();
            (merged, discoveries, conflicts)
        };
        let mut statements: Vec<NodeIndex> = Vec::new();
        for doc in pending {
            let PendingVulns {
                file,
                source,
                document,
            } = doc;
            if document.kind == vulns::SourceKind::Scan {
                let ix = self.add(Node::VulnScan(Box::new(VulnScanNode {
                    format: document.format,
                    scanned_at: document.produced_at,
                    findings: document.statements.len(),
                    source: source.clone(),
                })));
                self.graph.add_edge(ix, file, Edge::DefinedIn);
            }
            for statement in document.statements {
                self.check_cvss(&statement, &source);
                self.check_dates(&statement, &source);
                let at = Source {
                    line: statement.line.or(source.line),
                    ..source.clone()
                };
                let ix = self.add(Node::VulnStatement(Box::new(VulnStatementNode {
                    kind: document.kind,
                    format: document.format,
                    statement,
                    source: at,
                })));
                self.graph.add_edge(ix, file, Edge::DefinedIn);
                statements.push(ix);
            }
        }
        let mut by_id: BTreeMap<String, NodeIndex> = BTreeMap::new();
        for (v, (discovered, discovered_from)) in merged.into_iter().zip(discoveries) {
            let ids: Vec<String> = std::iter::once(v.id.clone())
                .chain(v.aliases.iter().cloned())
                .collect();
            // The score is computed from the vector; a stated score stands in only where
            // the vector cannot be read. The band is the stated one, else the score's.
            let computed = v
                .cvss
                .as_ref()
                .and_then(|c| cvss::parse(&c.vector).ok())
                .map(|c| c.base_score());
            let cvss_score = computed.or_else(|| v.cvss.as_ref().and_then(|c| c.score));
            let ix = self.add(Node::Vulnerability(Box::new(VulnerabilityNode {
                discovered,
                discovered_from,
                id: v.id,
                aliases: v.aliases,
                severity: v.severity.or(cvss_score.map(Band::of_score)),
                cvss_score,
                cvss: v.cvss,
                status: v.status,
                justification: v.justification,
                disclosed: v.disclosed,
                fixed_at: v.fixed_at,
                fixed_in: v.fixed_in,
            })));
            for i in v.statements {
                if let Some(statement) = statements.get(i) {
                    self.graph.add_edge(*statement, ix, Edge::Describes);
                }
            }
            for id in ids {
                by_id.insert(id, ix);
            }
        }
        advisories.sort_by(|a, b| a.node.source.path.cmp(&b.node.source.path));
        for a in advisories {
            let covered: BTreeSet<NodeIndex> = a
                .node
                .advisory
                .vulnerabilities
                .iter()
                .filter_map(|id| by_id.get(&id.to_ascii_uppercase()).copied())
                .collect();
            let ix = self.add(Node::Advisory(a.node));
            self.graph.add_edge(ix, a.file, Edge::DefinedIn);
            for v in covered {
                self.graph.add_edge(ix, v, Edge::Covers);
            }
        }
        for c in conflicts {
            let first = c
                .statements
                .first()
                .and_then(|i| statements.get(*i))
                .and_then(|ix| self.graph.node_weight(*ix))
                .and_then(Node::source)
                .cloned();
            let mut finding = Finding::new(
                FindingCode::VulnConflict,
                first.as_ref().map(|s| s.path.as_str()),
                format!("{}: {}", c.id, c.message),
            )
            .with_help("correct the outdated statement, or remove it from the bundle");
            if let Some(line) = first.and_then(|s| s.line) {
                finding = finding.at_line(line);
            }
            self.findings.push(finding);
        }
        unreadable
    }

    /// The status an advisory's ranges give the release's version ([`ranges::judge`]), for
    /// each advisory statement that states none and names the product among its affected
    /// packages: `fixed` at or past a fixing version of the range it is in, `affected` inside
    /// a range, `not_affected` (with a justification saying why) below every `introduced`
    /// version. What cannot be judged leaves the statement as it was (so the vulnerability
    /// stays `affected`), with a `vouch::vuln::range-unjudged` finding.
    fn judge_ranges(&mut self, pending: &mut [PendingVulns]) {
        let Some((product, version)) = self.graph.node_weights().find_map(|n| match n {
            Node::Release(r) => Some((r.product.clone(), r.version.clone())),
            _ => None,
        }) else {
            return;
        };
        for doc in pending.iter_mut() {
            if doc.document.kind != vulns::SourceKind::Advisory {
                continue;
            }
            for s in &mut doc.document.statements {
                if s.status.is_some() || s.affected.is_empty() {
                    continue;
                }
                let ours: Vec<&ranges::AffectedPackage> = s
                    .affected
                    .iter()
                    .filter(|p| names_product(p, &product))
                    .collect();
                let verdict = if ours.is_empty() {
                    Some(RangeVerdict::Unknown(format!(
                        "none of its affected packages is named `{product}`"
                    )))
                } else {
                    ranges::judge(&ours, &version)
                };
                let why = match verdict {
                    None => continue,
                    Some(RangeVerdict::Affected) => {
                        s.status = Some(VulnStatus::Affected);
                        continue;
                    }
                    Some(RangeVerdict::Fixed { fixed_in, at_fix }) => {
                        s.status = Some(VulnStatus::Fixed);
                        s.fixed_in = Some(fixed_in);
                        s.fixed_by_release = at_fix;
                        continue;
                    }
                    Some(RangeVerdict::Unaffected) => {
                        s.status = Some(VulnStatus::NotAffected);
                        s.justification = Some(format!(
                            "{product} {version} is outside every affected range of {}",
                            doc.source.path
                        ));
                        continue;
                    }
                    Some(RangeVerdict::Unknown(why)) => why,
                };
                let mut finding = Finding::new(
                    FindingCode::VulnRangeUnjudged,
                    Some(&doc.source.path),
                    format!(
                        "{}: its affected ranges cannot be judged for {product} {version} \
                         ({why}); it stays affected",
                        s.id
                    ),
                )
                .with_help(
                    "name the product as an affected package of the advisory, with ranges in its \
                     ecosystem's versions, or state the status in a VEX document or the register",
                );
                if let Some(line) = s.line.or(doc.source.line) {
                    finding = finding.at_line(line);
                }
                self.findings.push(finding);
            }
        }
    }

    /// A finding for a statement whose fix is dated before its discovery (the merged
    /// vulnerability lists it in `date_conflicts` too, and its durations are `none`).
    fn check_dates(&mut self, statement: &VulnStatement, source: &Source) {
        let (Some(found), Some(fixed)) = (statement.discovered, statement.fixed_at) else {
            return;
        };
        if fixed >= found {
            return;
        }
        let mut finding = Finding::new(
            FindingCode::VulnImpossibleDates,
            Some(&source.path),
            format!(
                "{}: fixed_at {fixed} is before discovered {found}",
                statement.id
            ),
        )
        .with_help("correct the dates: a vulnerability is fixed after it is discovered");
        if let Some(line) = statement.line.or(source.line) {
            finding = finding.at_line(line);
        }
        self.findings.push(finding);
    }

    /// The digest rule ([`crate::graph::stated_digest`]) for VEX and advisories (OpenVEX,
    /// CSAF): a statement whose products all state SHA-256 digests, none of them an
    /// artifact's, is about another build.
    /// Its `not_affected` or `fixed` does not count (it is dropped, with the error
    /// `vouch::evidence::digest-mismatch`); an `affected` or `under_investigation` one is kept,
    /// as it can only make a control fail.
    fn refuse_foreign_vex(&mut self, pending: &mut [PendingVulns]) {
        let artifacts = self.artifact_files();
        if artifacts.is_empty() {
            return;
        }
        for doc in pending.iter_mut() {
            if !matches!(
                doc.document.kind,
                vulns::SourceKind::Vex | vulns::SourceKind::Advisory
            ) {
                continue;
            }
            let source = &doc.source;
            let findings = &mut self.findings;
            doc.document.statements.retain(|s| {
                let exonerating =
                    matches!(s.status, Some(VulnStatus::NotAffected | VulnStatus::Fixed));
                let contradicted = !s.product_sha256.is_empty()
                    && artifacts.iter().all(|a| {
                        matches!(
                            judge(s.product_sha256.iter().copied(), &[], a.sha256),
                            Verdict::Contradicts(_)
                        )
                    });
                if !(exonerating && contradicted) {
                    return true;
                }
                let stated: Vec<String> = s.product_sha256.iter().map(|d| d.to_hex()).collect();
                let actual: Vec<String> = artifacts
                    .iter()
                    .map(|a| format!("`{}` has {}", a.path, a.sha256.to_hex()))
                    .collect();
                let mut finding = Finding::new(
                    FindingCode::DigestMismatch,
                    Some(&source.path),
                    format!(
                        "the {} statement that {} is {} states sha256 {} for its products, which \
                         is no artifact's ({}): it does not count",
                        doc.document.format,
                        s.id,
                        s.status.map_or("", VulnStatus::as_str),
                        stated.join(", "),
                        actual.join("; "),
                    ),
                )
                .with_help(
                    "state the released artifacts' digests in the VEX products, or remove a VEX \
                     document about another build",
                );
                if let Some(line) = s.line.or(source.line) {
                    finding = finding.at_line(line);
                }
                findings.push(finding);
                false
            });
        }
    }

    /// Findings for a statement's CVSS vectors that cannot be read, or whose stated score
    /// contradicts the vector.
    fn check_cvss(&mut self, statement: &VulnStatement, source: &Source) {
        for stated in &statement.cvss {
            let located = |finding: Finding| match statement.line.or(source.line) {
                Some(line) => finding.at_line(line),
                None => finding,
            };
            match cvss::parse(&stated.vector) {
                Err(e) => self.findings.push(located(
                    Finding::new(
                        FindingCode::CvssInvalidVector,
                        Some(&source.path),
                        format!("{}: CVSS vector `{}` cannot be read: {e}", statement.id, stated.vector),
                    )
                    .with_help("write the vector as the CVSS specification does, e.g. CVSS:3.1/AV:N/AC:L/..."),
                )),
                Ok(vector) => {
                    let Some(score) = stated.score else { continue };
                    if !cvss::score_matches(score, vector.base_score())
                        && !cvss::score_matches(score, vector.score())
                    {
                        self.findings.push(located(
                            Finding::new(
                                FindingCode::CvssScoreMismatch,
                                Some(&source.path),
                                format!(
                                    "{}: stated CVSS score {score} contradicts its vector `{}`, which scores {:.1}",
                                    statement.id,
                                    stated.vector,
                                    vector.base_score()
                                ),
                            )
                            .with_help("the score is computed from the vector; correct the stated score or the vector"),
                        ));
                    }
                }
            }
        }
    }
}

/// Whether an affected package is the product: its name (or the part after the last `:` or
/// `/`, as Maven and Go name packages) or its purl's name, compared as package registries do
/// (case-insensitive, `-`, `_` and `.` alike).
pub(super) fn names_product(p: &ranges::AffectedPackage, product: &str) -> bool {
    let norm = |s: &str| s.trim().to_ascii_lowercase().replace(['_', '.'], "-");
    let wanted = norm(product);
    let purl_name = p.purl.as_deref().and_then(|purl| {
        let path = purl.split(['@', '?', '#']).next()?;
        path.rsplit('/').next()
    });
    let name_tail = p.name.as_deref().and_then(|n| n.rsplit([':', '/']).next());
    [p.name.as_deref(), name_tail, purl_name]
        .into_iter()
        .flatten()
        .any(|n| norm(n) == wanted)
}

/// When the SLA clock of a merged vulnerability starts, and where that date comes from.
///
/// A recorded discovery date counts first: `register` when a register, Dependabot alert or
/// VEX statement records it, `advisory` when an advisory or a scan states it. An open
/// third-party finding (a scanner's or dependency audit's, with no register entry) with no
/// recorded discovery starts at its advisory's publication (`publication`): the vendor cannot
/// have learnt of it before it was published. A Dependabot alert is such a finding too (a
/// dependency's vulnerability, found by GitHub), though a register entry. The vendor's own
/// vulnerabilities (any other register statement) still need a recorded discovery date.
fn discovery(
    v: &vulns::MergedVuln,
    statements: &[(vulns::SourceKind, &VulnStatement, &str)],
) -> (Option<jiff::Timestamp>, Option<&'static str>) {
    use vulns::SourceKind;
    if let Some(found) = v.discovered {
        let from = statements
            .iter()
            .filter(|(_, s, _)| s.discovered == Some(found))
            .map(|(k, _, _)| *k)
            .max()
            .map_or("advisory", |k| match k {
                SourceKind::Register | SourceKind::Vex => "register",
                SourceKind::Scan | SourceKind::Sbom | SourceKind::Advisory => "advisory",
            });
        return (Some(found), Some(from));
    }
    let open = matches!(
        v.status,
        VulnStatus::Affected | VulnStatus::UnderInvestigation
    );
    let dependabot =
        |k: &SourceKind, format: &str| *k == SourceKind::Register && format == "dependabot";
    let third_party = statements
        .iter()
        .any(|(k, _, f)| matches!(k, SourceKind::Scan | SourceKind::Sbom) || dependabot(k, f))
        && !statements
            .iter()
            .any(|(k, _, f)| *k == SourceKind::Register && !dependabot(k, f));
    match v.disclosed {
        Some(published) if open && third_party => (Some(published), Some("publication")),
        _ => (None, None),
    }
}
