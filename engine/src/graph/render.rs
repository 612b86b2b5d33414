//! The graph as data (JSON) and as a picture (Graphviz dot, Mermaid). Every output is
//! deterministic: nodes in id order, edges sorted.
//!
//! Digest mismatches are shown in every form: a checksum entry that does not match its
//! artifact is a red `checksum-of: mismatch` edge, and a document (SBOM, provenance) whose
//! stated subject digest contradicts the artifact it names, which therefore does not count
//! for it, is listed in the JSON's `digest_mismatches` and drawn as a red dashed
//! `digest mismatch` edge from the document's file to the artifact's, naming both digests.
//! Every label is escaped like the rest of the output.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Edge, EvidenceGraph, Node, NodeId};
use crate::finding::Finding;
use crate::graph::unreadable::UnreadableFile;
use crate::graph::{ChecksumStatus, Unclassified};

/// The `schema` value of the JSON form.
pub const JSON_SCHEMA: &str = "vouch-evidence-graph/2";

#[derive(Serialize)]
struct JsonGraph<'a> {
    schema: &'static str,
    bundle: JsonBundle,
    nodes: Vec<JsonNode<'a>>,
    edges: Vec<JsonEdge<'a>>,
    unclassified: &'a [Unclassified],
    unreadable: &'a [UnreadableFile],
    digest_mismatches: &'a [super::DigestMismatch],
    findings: &'a [Finding],
}

#[derive(Serialize)]
struct JsonBundle {
    digest: String,
    files: usize,
}

#[derive(Serialize)]
struct JsonNode<'a> {
    id: NodeId,
    #[serde(flatten)]
    node: &'a Node,
}

#[derive(Serialize)]
struct JsonEdge<'a> {
    from: NodeId,
    to: NodeId,
    #[serde(flatten)]
    edge: &'a Edge,
}

/// The graph as pretty JSON (schema `vouch-evidence-graph/2`), ending in a newline.
pub fn json(graph: &EvidenceGraph) -> String {
    let doc = JsonGraph {
        schema: JSON_SCHEMA,
        bundle: JsonBundle {
            digest: graph.bundle_digest().to_hex(),
            files: graph.files().count(),
        },
        nodes: graph
            .nodes()
            .map(|(id, node)| JsonNode { id, node })
            .collect(),
        edges: graph
            .edges()
            .into_iter()
            .map(|(from, to, edge)| JsonEdge { from, to, edge })
            .collect(),
        unclassified: graph.unclassified(),
        unreadable: graph.unreadable(),
        digest_mismatches: graph.digest_mismatches(),
        findings: graph.findings(),
    };
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_else(|e| {
        // Serializing plain structs to a string cannot fail; keep the output valid JSON anyway.
        format!("{{\"error\": \"{e}\"}}")
    });
    out.push('\n');
    out
}

/// A one-line label for a node.
pub fn label(node: &Node) -> String {
    match node {
        Node::File(f) => match f.kind {
            Some(kind) => format!("{} [{}]", f.path, kind.as_str()),
            None => f.path.clone(),
        },
        Node::Symlink(s) => format!("{} -> {}", s.path, s.target),
        Node::MissingFile(m) => format!("{} (missing)", m.path),
        Node::Release(r) => format!("release {} {}", r.product, r.version),
        Node::Artifact(a) => format!("artifact {}", a.path),
        Node::ChecksumEntry(c) => format!(
            "{} {}:{}",
            c.algorithm.as_str(),
            c.name,
            c.source.line.unwrap_or(0)
        ),
        Node::Distribution(d) => d.url.clone(),
        Node::SupportCycle(c) => match c.eol {
            Some(eol) => format!("cycle {} (eol {eol})", c.cycle),
            None => format!("cycle {}", c.cycle),
        },
        Node::Attestation(a) => match &a.control {
            Some(control) => format!("attestation {control} ({})", a.source.path),
            None => format!("attestation {}", a.source.path),
        },
        Node::Signature(s) => format!(
            "{} signature {}: {}",
            s.format.as_str(),
            s.source.path,
            s.verification.outcome.as_str()
        ),
        Node::Provenance(p) => format!("provenance {} ({})", p.source.path, p.predicate_type),
        Node::VulnStatement(v) => format!("{} {} ({})", v.format, v.statement.id, v.source.path),
        Node::Vulnerability(v) => format!("{} ({})", v.id, v.status.as_str()),
        Node::Advisory(a) => format!("advisory {} ({})", a.advisory.id, a.source.path),
        Node::SecurityTxt(t) => match t.content.expires {
            Some(expires) => format!("security.txt (expires {expires})"),
            None => "security.txt".to_owned(),
        },
        Node::Changelog(c) => format!(
            "changelog {} ({} versions)",
            c.source.path,
            c.versions.len()
        ),
        Node::Feed(f) => format!(
            "{} feed {} ({} items)",
            f.feed.format.as_str(),
            f.source.path,
            f.feed.items.len()
        ),
        Node::TlsScan(t) => format!("{} scan of {}", t.scan.tool.as_str(), t.scan.host),
        Node::VulnScan(s) => format!(
            "{} scan {} ({} findings)",
            s.format, s.source.path, s.findings
        ),
        Node::Sbom(s) => format!(
            "{} sbom {} ({} components)",
            s.format.as_str(),
            s.source.path,
            s.components.len()
        ),
    }
}

/// Each digest mismatch as (document file node, artifact file node, label), in the graph's
/// order (by artifact path), for those whose two files are nodes.
fn mismatch_edges(graph: &EvidenceGraph) -> Vec<(NodeId, NodeId, String)> {
    graph
        .digest_mismatches()
        .iter()
        .filter_map(|m| {
            let (from, _) = graph.node_at(&m.source.path)?;
            let (to, _) = graph.node_at(&m.artifact)?;
            let stated = m.stated.to_hex();
            let actual = m.actual.to_hex();
            Some((
                from,
                to,
                format!(
                    "digest mismatch: {} {} states {} {}…, is {}…",
                    m.evidence.as_str(),
                    m.subject,
                    m.stated.algorithm(),
                    stated.get(..12).unwrap_or(&stated),
                    actual.get(..12).unwrap_or(&actual),
                ),
            ))
        })
        .collect()
}

fn edge_label(edge: &Edge) -> String {
    match edge {
        Edge::ChecksumOf { status } => format!("checksum-of: {}", status.as_str()),
        Edge::SbomOf { by } => format!("sbom-of: {}", by.as_str()),
        other => other.as_str().to_owned(),
    }
}

fn dot_shape(node: &Node) -> &'static str {
    match node {
        Node::File(_) => "note",
        Node::Symlink(_) => "cds",
        Node::MissingFile(_) => "octagon",
        Node::Release(_) => "doubleoctagon",
        Node::Artifact(_) => "box3d",
        Node::ChecksumEntry(_) => "box",
        Node::Distribution(_) => "component",
        Node::SupportCycle(_) => "ellipse",
        Node::Attestation(_) => "signature",
        Node::Signature(_) => "hexagon",
        Node::Provenance(_) => "house",
        Node::VulnStatement(_) => "rect",
        Node::Vulnerability(_) => "diamond",
        Node::Advisory(_) => "tab",
        Node::SecurityTxt(_) => "tab",
        Node::Changelog(_) => "folder",
        Node::Feed(_) => "cylinder",
        Node::TlsScan(_) => "trapezium",
        Node::VulnScan(_) => "invtrapezium",
        Node::Sbom(_) => "folder",
    }
}

fn dot_escape(text: &str) -> String {
    let text = crate::terminal::escape_line(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// The graph in Graphviz dot.
pub fn dot(graph: &EvidenceGraph) -> String {
    let mut out = String::new();
    out.push_str(
        "digraph evidence {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n",
    );
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    for (id, node) in graph.nodes() {
        let style = if matches!(node, Node::MissingFile(_)) {
            ", color=red"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  n{} [label=\"{}\", shape={}{style}];",
            id.index(),
            dot_escape(&label(node)),
            dot_shape(node)
        );
    }
    for (from, to, edge) in graph.edges() {
        let color = match edge {
            Edge::ChecksumOf {
                status: ChecksumStatus::Match,
            } => ", color=darkgreen",
            Edge::ChecksumOf { .. } => ", color=red",
            Edge::DefinedIn => ", style=dashed, color=gray50",
            _ => "",
        };
        let _ = writeln!(
            out,
            "  n{} -> n{} [label=\"{}\"{color}];",
            from.index(),
            to.index(),
            dot_escape(&edge_label(edge))
        );
    }
    for (from, to, text) in mismatch_edges(graph) {
        let _ = writeln!(
            out,
            "  n{} -> n{} [label=\"{}\", color=red, fontcolor=red, style=dashed];",
            from.index(),
            to.index(),
            dot_escape(&text)
        );
    }
    out.push_str("}\n");
    out
}

fn mermaid_escape(text: &str) -> String {
    let text = crate::terminal::escape_line(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '|' => out.push_str("#124;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The graph as a Mermaid flowchart.
pub fn mermaid(graph: &EvidenceGraph) -> String {
    let mut out = String::from("flowchart LR\n");
    for (id, node) in graph.nodes() {
        let text = mermaid_escape(&label(node));
        let (open, close) = match node {
            Node::File(_) => ("[\"", "\"]"),
            Node::Symlink(_) => ("[/\"", "\"/]"),
            Node::MissingFile(_) => ("{{\"", "\"}}"),
            Node::Release(_) => ("[[\"", "\"]]"),
            Node::Artifact(_) => ("[(\"", "\")]"),
            Node::ChecksumEntry(_) => ("(\"", "\")"),
            Node::Distribution(_) => (">\"", "\"]"),
            Node::SupportCycle(_) => ("([\"", "\"])"),
            Node::Attestation(_) => ("[\\\"", "\"/]"),
            Node::Signature(_) => ("{{\"", "\"}}"),
            Node::Provenance(_) => ("[/\"", "\"\\]"),
            Node::VulnStatement(_) => ("[\"", "\"]"),
            Node::Vulnerability(_) => ("{\"", "\"}"),
            Node::Advisory(_) => ("[[\"", "\"]]"),
            Node::SecurityTxt(_) => ("[\"", "\"]"),
            Node::Changelog(_) => ("[\"", "\"]"),
            Node::Feed(_) => ("[(\"", "\")]"),
            Node::TlsScan(_) => ("[/\"", "\"\\]"),
            Node::VulnScan(_) => ("[\\\"", "\"/]"),
            Node::Sbom(_) => ("[\\\"", "\"\\]"),
        };
        let _ = writeln!(out, "  n{}{open}{text}{close}", id.index());
    }
    for (from, to, edge) in graph.edges() {
        let arrow = if matches!(edge, Edge::DefinedIn) {
            "-.->"
        } else {
            "-->"
        };
        let _ = writeln!(
            out,
            "  n{} {arrow}|{}| n{}",
            from.index(),
            mermaid_escape(&edge_label(edge)),
            to.index()
        );
    }
    for (from, to, text) in mismatch_edges(graph) {
        let _ = writeln!(
            out,
            "  n{} -.->|{}| n{}",
            from.index(),
            mermaid_escape(&text),
            to.index()
        );
    }
    out
}
