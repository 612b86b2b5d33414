//! CSAF products listed by version range, judged for the release's version
//! ([`crate::vulns::listed`]).

use super::Builder;
use super::vulns::{PendingVulns, names_product};
use crate::finding::{Finding, FindingCode};
use crate::formats::EvidenceKind;
use crate::graph::nodes::Node;
use crate::graph::unreadable::{ParseFailure, UnreadableFile};
use crate::vulns::listed::{self, ListedProduct};
use crate::vulns::ranges::AffectedPackage;
use crate::vulns::{VulnStatement, VulnStatus};

impl Builder {
    /// For each statement that lists the release's product by a version range, its status
    /// for the release's version: that of the listings holding it ([`listed::judge`]). When a
    /// range of the product cannot be judged (and no listing finds the release affected), the
    /// status is unknown: `under_investigation`, with a `vouch::vuln::range-unjudged` finding,
    /// and the file is unreadable evidence for the release (returned), so every control
    /// reading vulnerabilities fails, saying why. When no listing holds the version, the
    /// statement states no status (nor fix) for the release, with the same warning: other
    /// evidence decides, else the vulnerability is `affected`.
    pub(super) fn judge_listed(&mut self, pending: &mut [PendingVulns]) -> Vec<UnreadableFile> {
        let Some((product, version)) = self.graph.node_weights().find_map(|n| match n {
            Node::Release(r) => Some((r.product.clone(), r.version.clone())),
            _ => None,
        }) else {
            return Vec::new();
        };
        let names = |p: &ListedProduct| {
            let vendor_and_name = match (&p.vendor, &p.name) {
                (Some(v), Some(n)) => Some(format!("{v} {n}")),
                _ => None,
            };
            [p.name.clone(), vendor_and_name]
                .into_iter()
                .flatten()
                .any(|name| {
                    names_product(
                        &AffectedPackage {
                            name: Some(name),
                            purl: p.purl.clone(),
                            ..AffectedPackage::default()
                        },
                        &product,
                    )
                })
                || (p.name.is_none()
                    && names_product(
                        &AffectedPackage {
                            purl: p.purl.clone(),
                            ..AffectedPackage::default()
                        },
                        &product,
                    ))
        };
        let mut unreadable = Vec::new();
        for doc in pending.iter_mut() {
            for s in &mut doc.document.statements {
                let Some(judged) = listed::judge(&s.listed, &names, &version) else {
                    continue;
                };
                let line = s.line.or(doc.source.line);
                for u in &judged.unjudged {
                    let message = format!(
                        "{}: the {} range `{}` of {product} (at {}) cannot be judged for \
                         {product} {version} ({}), so its status for the release is not known",
                        s.id, u.list, u.range, u.pointer, u.why
                    );
                    if judged.status.is_none()
                        && !unreadable
                            .iter()
                            .any(|f: &UnreadableFile| f.path == doc.source.path)
                    {
                        unreadable.push(UnreadableFile {
                            path: doc.source.path.clone(),
                            sha256: doc.source.sha256,
                            kind: EvidenceKind::CsafAdvisory,
                            failure: ParseFailure {
                                error: format!("partly unreadable: {message}"),
                                line,
                                column: None,
                            },
                        });
                    }
                    let mut finding = Finding::new(
                        FindingCode::VulnRangeUnjudged,
                        Some(&doc.source.path),
                        message,
                    )
                    .with_help(
                        "write the range as a `vers:` range in a versioning scheme vouch \
                                 compares (npm, cargo, golang, semver, pypi, deb, maven), or list \
                                 the product's versions as `product_version` branches",
                    );
                    if let Some(line) = line {
                        finding = finding.at_line(line);
                    }
                    self.findings.push(finding);
                }
                if judged.status.is_none() && judged.unjudged.is_empty() {
                    let mut finding = Finding::new(
                        FindingCode::VulnRangeUnjudged,
                        Some(&doc.source.path),
                        format!(
                            "{}: the document lists {product} by version and range, but none of \
                             them holds {product} {version}, so it says nothing about the \
                             release's status",
                            s.id
                        ),
                    )
                    .with_help(
                        "list the release's version (or a range holding it) under the status \
                         that applies to it",
                    );
                    if let Some(line) = line {
                        finding = finding.at_line(line);
                    }
                    self.findings.push(finding);
                }
                apply(s, judged, &product, &version, &doc.source.path);
            }
        }
        unreadable
    }
}

/// Sets the statement's status for the release from what its listings say.
fn apply(s: &mut VulnStatement, judged: listed::Judged, product: &str, version: &str, path: &str) {
    if judged.status.is_none() && judged.unjudged.is_empty() {
        // No listing holds the release's version: the statement says nothing about its status
        // (and must not override what other evidence says), nor about a fix of it.
        s.status = None;
        s.justification = None;
        s.fixed_in = None;
        s.fixed_at = None;
        s.fixed_by_release = false;
        return;
    }
    let status = judged.status.unwrap_or(VulnStatus::UnderInvestigation);
    if s.status != Some(status) {
        s.justification = None;
        s.fixed_in = None;
        s.fixed_by_release = false;
    }
    if status == VulnStatus::NotAffected && s.justification.is_none() {
        s.justification = Some(format!(
            "{product} {version} is listed known_not_affected in {path} ({})",
            judged.matched.join("; ")
        ));
    }
    s.status = Some(status);
    // The statement names the release when a listing holds its version (a VEX document then
    // covers it).
    if judged.status.is_some() && !judged.matched.is_empty() {
        s.products.push(format!("{product} {version}"));
        s.products.sort();
        s.products.dedup();
    }
}
