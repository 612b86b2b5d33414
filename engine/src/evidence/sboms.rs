//! `release.sboms` and `artifact.sboms`: one `Sbom` record per SBOM, with its `subject` and
//! `components`. Each SBOM's components are built once and shared by every list that holds
//! the SBOM (a container image's SBOM has 100,000 of them).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Strings, empty, record};
use crate::eval::value::{Citation, Value};
use crate::formats::sbom::Component;
use crate::graph::{EvidenceGraph, NodeId, SbomLink, SbomNode};

/// The parts of every SBOM's record that do not depend on the artifact it is listed under.
pub(super) struct Sboms {
    built: BTreeMap<NodeId, Built>,
}

struct Built {
    citation: Citation,
    format: Value,
    spec_version: Value,
    subject: Value,
    created: Value,
    components: Value,
}

impl Sboms {
    /// Builds the shared parts of every SBOM of the graph.
    pub(super) fn build(graph: &EvidenceGraph) -> Sboms {
        let mut strings = Strings::default();
        let built = graph
            .sboms()
            .map(|(id, s)| (id, built(s, &mut strings)))
            .collect();
        Sboms { built }
    }

    /// Every SBOM of the bundle, by path, each with its strongest link (`release.sboms`).
    pub(super) fn all(&self, graph: &EvidenceGraph) -> Value {
        if self.built.is_empty() {
            return empty();
        }
        Value::list(
            self.built
                .iter()
                .map(|(id, b)| b.record(graph.sbom_link(*id)))
                .collect(),
        )
    }

    /// The SBOMs describing an artifact, each with how it was linked (`artifact.sboms`).
    pub(super) fn of_artifact(&self, graph: &EvidenceGraph, artifact: NodeId) -> Value {
        if self.built.is_empty() {
            return empty();
        }
        let found = graph.sboms_of(artifact);
        if found.is_empty() {
            return empty();
        }
        Value::list(
            found
                .into_iter()
                .filter_map(|(id, _, by)| Some(self.built.get(&id)?.record(Some(by))))
                .collect(),
        )
    }
}

impl Built {
    fn record(&self, linked_by: Option<SbomLink>) -> Value {
        let path = Arc::clone(&self.citation.path);
        record(
            "Sbom",
            Arc::clone(&path),
            Some(self.citation.clone()),
            [
                ("path", Value::Str(path)),
                ("format", self.format.clone()),
                ("spec_version", self.spec_version.clone()),
                ("subject", self.subject.clone()),
                ("created", self.created.clone()),
                ("components", self.components.clone()),
                (
                    "linked_by",
                    linked_by.map_or(Value::None, |l| Value::str(l.as_str())),
                ),
            ],
        )
    }
}

fn built(s: &SbomNode, strings: &mut Strings) -> Built {
    let citation = strings.cite(&s.source);
    let components = s
        .components
        .iter()
        .map(|c| component(c, &citation))
        .collect();
    Built {
        format: strings.value(s.format.as_str()),
        spec_version: Value::str(&s.spec_version),
        subject: s
            .described
            .first()
            .map_or(Value::None, |c| component(c, &citation)),
        created: s.created.map_or(Value::None, Value::DateTime),
        components: Value::list(components),
        citation,
    }
}

fn component(c: &Component, citation: &Citation) -> Value {
    let label = match &c.version {
        Some(v) => format!("{}@{v}", c.name),
        None => c.name.clone(),
    };
    record(
        "Component",
        Arc::from(label),
        Some(citation.clone()),
        [
            ("name", Value::str(&c.name)),
            ("version", Value::opt_str(c.version.as_ref())),
            ("purl", Value::opt_str(c.purl.as_ref())),
            (
                "sha256",
                c.sha256.map_or(Value::None, |d| Value::str(d.to_hex())),
            ),
        ],
    )
}
