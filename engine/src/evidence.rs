//! The evidence schema's values, built from an [`EvidenceGraph`]: one record per entity,
//! with every field `vouch_lang::schema` declares and the citation it rests on.
//!
//! Built once per evaluation and shared by every control. Lists that later evidence formats
//! fill (signatures, SBOMs, provenance, vulnerabilities, advisories) are empty today, and
//! `security_txt` is `none`. Without exactly one `release.toml`, `release` is `none`: every
//! field read from it is `none` too, so controls over it fail closed.

use std::sync::Arc;

use jiff::Timestamp;

use crate::eval::duration::Duration;
use crate::eval::value::{Record, Value, date_instant};
use crate::graph::{
    ArtifactNode, AttestationNode, ChecksumEntryNode, DistributionNode, EvidenceGraph, FileNode,
    NodeId, ReleaseNode, Source, SupportCycleNode,
};
use crate::report::EvidenceRef;

/// An attestation, typed, for deciding `manual` controls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationFact {
    /// The control id it names.
    pub control: Option<String>,
    /// What was attested.
    pub statement: String,
    /// Who attested it.
    pub attested_by: String,
    /// When.
    pub date: Timestamp,
    /// Bundle path of the attestation file.
    pub path: String,
    /// sha256 of that file.
    pub sha256: String,
}

/// The values of the schema's roots (all but `as_of`, which the evaluation supplies).
#[derive(Debug, Clone)]
pub struct EvidenceValues {
    /// `release`: a `Release` record, or `none`.
    pub release: Value,
    /// `files`: every regular file.
    pub files: Value,
    /// `vulnerabilities` (empty until vulnerability evidence is read).
    pub vulnerabilities: Value,
    /// `advisories` (empty until advisories are read).
    pub advisories: Value,
    /// `support`: the support cycles.
    pub support: Value,
    /// `security_txt` (`none` until security.txt is read).
    pub security_txt: Value,
    /// `attestations`.
    pub attestations: Value,
    /// The attestations, typed, in path order.
    pub attestation_facts: Vec<AttestationFact>,
}

impl EvidenceValues {
    /// Builds every root from the graph.
    pub fn build(graph: &EvidenceGraph) -> Self {
        let facts: Vec<AttestationFact> = graph
            .attestations()
            .map(|(_, a)| AttestationFact {
                control: a.control.clone(),
                statement: a.statement.clone(),
                attested_by: a.attested_by.clone(),
                date: a.date,
                path: a.source.path.clone(),
                sha256: a.source.sha256.to_hex(),
            })
            .collect();
        EvidenceValues {
            release: graph
                .release()
                .map_or(Value::None, |(id, r)| release(graph, id, r)),
            files: Value::list(graph.files().map(|(_, f)| file(f)).collect()),
            vulnerabilities: Value::list(Vec::new()),
            advisories: Value::list(Vec::new()),
            support: support(graph),
            security_txt: Value::None,
            attestations: Value::list(graph.attestations().map(|(_, a)| attestation(a)).collect()),
            attestation_facts: facts,
        }
    }

    /// The value of a root, other than `as_of`.
    pub fn root(&self, name: &str) -> Option<&Value> {
        Some(match name {
            "release" => &self.release,
            "files" => &self.files,
            "vulnerabilities" => &self.vulnerabilities,
            "advisories" => &self.advisories,
            "support" => &self.support,
            "security_txt" => &self.security_txt,
            "attestations" => &self.attestations,
            _ => return None,
        })
    }
}

/// The citation of an entity's source: file, sha256 and `line N`.
pub fn cite(source: &Source) -> EvidenceRef {
    EvidenceRef {
        path: source.path.clone(),
        sha256: source.sha256.to_hex(),
        location: source.line.map(|l| format!("line {l}")),
    }
}

fn cite_file(f: &FileNode) -> EvidenceRef {
    EvidenceRef {
        path: f.path.clone(),
        sha256: f.sha256.to_hex(),
        location: None,
    }
}

fn record(
    kind: &'static str,
    label: impl AsRef<str>,
    citation: Option<EvidenceRef>,
    fields: Vec<(&'static str, Value)>,
) -> Value {
    Value::Record(Arc::new(Record::new(
        kind,
        Arc::from(label.as_ref()),
        citation,
        fields,
    )))
}

fn empty() -> Value {
    Value::list(Vec::new())
}

fn size(n: u64) -> Value {
    i64::try_from(n).map_or(Value::None, Value::Int)
}

fn file(f: &FileNode) -> Value {
    let kind = f.kind.map_or("unclassified", |k| k.as_str());
    record(
        "File",
        &f.path,
        Some(cite_file(f)),
        vec![
            ("path", Value::str(&f.path)),
            ("size", size(f.size)),
            ("sha256", Value::str(f.sha256.to_hex())),
            ("kind", Value::str(kind)),
        ],
    )
}

fn release(graph: &EvidenceGraph, id: NodeId, r: &ReleaseNode) -> Value {
    let artifacts = graph
        .artifacts_of(id)
        .into_iter()
        .map(|(aid, a)| artifact(graph, aid, a))
        .collect();
    let distribution = graph
        .distributions()
        .map(|(_, d)| distribution(d))
        .collect();
    record(
        "Release",
        format!("{} {}", r.product, r.version),
        Some(cite(&r.source)),
        vec![
            ("product", Value::str(&r.product)),
            ("version", Value::str(&r.version)),
            ("date", Value::DateTime(r.date.timestamp())),
            ("previous", Value::opt_str(r.previous.as_ref())),
            ("artifacts", Value::list(artifacts)),
            ("distribution", Value::list(distribution)),
            ("sboms", empty()),
            ("path", Value::str(&r.source.path)),
        ],
    )
}

fn artifact(graph: &EvidenceGraph, id: NodeId, a: &ArtifactNode) -> Value {
    let file = graph.artifact_file(id).map(|(_, f)| f);
    let checksums = graph
        .checksums_of(id)
        .into_iter()
        .map(|(_, c)| checksum(c))
        .collect();
    let name = crate::formats::file_name(&a.path);
    record(
        "Artifact",
        &a.path,
        Some(file.map_or_else(|| cite(&a.source), cite_file)),
        vec![
            ("path", Value::str(&a.path)),
            ("name", Value::str(name)),
            ("size", file.map_or(Value::None, |f| size(f.size))),
            (
                "sha256",
                file.map_or(Value::None, |f| Value::str(f.sha256.to_hex())),
            ),
            ("signatures", empty()),
            ("checksums", Value::list(checksums)),
            ("sboms", empty()),
            ("provenance", empty()),
        ],
    )
}

fn checksum(c: &ChecksumEntryNode) -> Value {
    let line = c.source.line.unwrap_or(0);
    record(
        "Checksum",
        format!("{}:{line}", c.source.path),
        Some(cite(&c.source)),
        vec![
            ("path", Value::str(&c.source.path)),
            ("line", Value::Int(i64::from(line))),
            ("algorithm", Value::str(c.algorithm.as_str())),
            ("expected", Value::str(&c.digest)),
            ("status", Value::str(c.status.as_str())),
        ],
    )
}

fn distribution(d: &DistributionNode) -> Value {
    record(
        "Distribution",
        &d.url,
        Some(cite(&d.source)),
        vec![
            ("url", Value::str(&d.url)),
            ("scheme", Value::str(&d.scheme)),
            ("host", Value::opt_str(d.host.as_ref())),
        ],
    )
}

fn support(graph: &EvidenceGraph) -> Value {
    let cycles = graph.support_cycles().map(|(_, c)| cycle(c)).collect();
    record(
        "Support",
        "support",
        None,
        vec![("cycles", Value::list(cycles))],
    )
}

fn cycle(c: &SupportCycleNode) -> Value {
    let date = |d: Option<jiff::civil::Date>| d.map_or(Value::None, Value::Date);
    let notice = match (
        c.eol.and_then(date_instant),
        c.eol_announced.and_then(date_instant),
    ) {
        (Some(eol), Some(announced)) => Value::Duration(Duration::between(announced, eol)),
        _ => Value::None,
    };
    record(
        "SupportCycle",
        &c.cycle,
        Some(cite(&c.source)),
        vec![
            ("cycle", Value::str(&c.cycle)),
            ("released", Value::Date(c.released)),
            ("support_until", date(c.support_until)),
            ("eol", date(c.eol)),
            ("eol_announced", date(c.eol_announced)),
            ("lts", Value::Bool(c.lts)),
            ("notice", notice),
        ],
    )
}

fn attestation(a: &AttestationNode) -> Value {
    record(
        "Attestation",
        &a.source.path,
        Some(cite(&a.source)),
        vec![
            ("path", Value::str(&a.source.path)),
            ("control", Value::opt_str(a.control.as_ref())),
            ("statement", Value::str(&a.statement)),
            ("attested_by", Value::str(&a.attested_by)),
            ("date", Value::DateTime(a.date)),
            (
                "evidence",
                Value::list(a.evidence.iter().map(Value::str).collect()),
            ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record built has exactly the fields the schema declares, in order.
    fn assert_schema(value: &Value) {
        if let Value::Record(r) = value {
            let def = vouch_lang::schema::record(r.kind).unwrap();
            let names: Vec<&str> = r.fields().map(|(n, _)| n).collect();
            let want: Vec<&str> = def.fields.iter().map(|f| f.name).collect();
            assert_eq!(names, want, "{}", r.kind);
            for (_, v) in r.fields() {
                assert_schema(v);
            }
        }
        if let Some(items) = value.elements() {
            items.iter().for_each(assert_schema);
        }
    }

    #[test]
    fn records_follow_the_schema() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/widget-2.4.1");
        let graph =
            crate::ingest(&dir, &crate::IngestOptions::default(), &crate::NoProgress).unwrap();
        let values = EvidenceValues::build(&graph);
        for root in vouch_lang::schema::ROOTS {
            if root.name == "as_of" {
                continue;
            }
            assert_schema(values.root(root.name).unwrap());
        }
        let Value::Record(release) = &values.release else {
            panic!("no release")
        };
        let artifacts = release.get("artifacts");
        assert_eq!(artifacts.elements().unwrap().len(), 3);
    }
}
