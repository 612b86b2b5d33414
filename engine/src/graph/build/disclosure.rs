//! Disclosure and lifecycle evidence: security.txt, changelogs, advisory feeds and TLS
//! scans, one node each (one per host for TLS scans), defined in their file. More than one
//! security.txt is a finding on each one not used.

use petgraph::graph::NodeIndex;

use super::Builder;
use crate::finding::{Finding, FindingCode};
use crate::formats::changelog::Changelog;
use crate::formats::feed::Feed;
use crate::formats::security_txt::SecurityTxt;
use crate::formats::tls_scan::TlsScan;
use crate::graph::NodeKind;
use crate::graph::nodes::{
    ChangelogNode, Edge, FeedNode, Node, SecurityTxtNode, Source, TlsScanNode,
};

impl Builder {
    pub(super) fn security_txt(
        &mut self,
        file_ix: NodeIndex,
        content: SecurityTxt,
        source: &dyn Fn(Option<u32>) -> Source,
    ) {
        let line = (content.line > 0).then_some(content.line);
        let ix = self.add(Node::SecurityTxt(Box::new(SecurityTxtNode {
            content,
            source: source(line),
        })));
        self.graph.add_edge(ix, file_ix, Edge::DefinedIn);
    }

    pub(super) fn changelog(
        &mut self,
        file_ix: NodeIndex,
        changelog: Changelog,
        source: &dyn Fn(Option<u32>) -> Source,
    ) {
        let ix = self.add(Node::Changelog(Box::new(ChangelogNode {
            versions: changelog.versions,
            source: source(None),
        })));
        self.graph.add_edge(ix, file_ix, Edge::DefinedIn);
    }

    pub(super) fn feed(
        &mut self,
        file_ix: NodeIndex,
        feed: Feed,
        source: &dyn Fn(Option<u32>) -> Source,
    ) {
        let ix = self.add(Node::Feed(Box::new(FeedNode {
            feed,
            source: source(None),
        })));
        self.graph.add_edge(ix, file_ix, Edge::DefinedIn);
    }

    pub(super) fn tls_scans(
        &mut self,
        file_ix: NodeIndex,
        scans: Vec<TlsScan>,
        source: &dyn Fn(Option<u32>) -> Source,
    ) {
        for scan in scans {
            let ix = self.add(Node::TlsScan(Box::new(TlsScanNode {
                scan,
                source: source(None),
            })));
            self.graph.add_edge(ix, file_ix, Edge::DefinedIn);
        }
    }

    /// A finding on every security.txt but the one policies see (see
    /// [`crate::graph::EvidenceGraph::security_txt`]).
    pub(super) fn check_security_txts(&mut self) {
        let mut paths: Vec<String> = self
            .by_kind
            .get(&NodeKind::SecurityTxt)
            .into_iter()
            .flatten()
            .filter_map(|ix| {
                self.graph
                    .node_weight(*ix)?
                    .source()
                    .map(|s| s.path.clone())
            })
            .collect();
        if paths.len() < 2 {
            return;
        }
        paths.sort_by(|a, b| {
            crate::graph::security_txt_rank(a).cmp(&crate::graph::security_txt_rank(b))
        });
        let Some(used) = paths.first().cloned() else {
            return;
        };
        for other in paths.iter().skip(1) {
            self.findings.push(
                Finding::new(
                    FindingCode::SecurityTxtMultiple,
                    Some(other),
                    format!(
                        "the bundle has {} security.txt files; `{used}` is the one used",
                        paths.len()
                    ),
                )
                .with_help("keep one security.txt, at .well-known/security.txt"),
            );
        }
    }
}
