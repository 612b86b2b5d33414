//! The evidence schema's values, built from an [`EvidenceGraph`]: one record per entity,
//! with every field `vouch_lang::schema` declares and the citation it rests on.
//!
//! Built once per evaluation and shared by every control. Without exactly one `release.toml`, `release` is `none`: every field read from it is
//! `none` too, so controls over it fail closed.

mod attestations;
mod chains;
mod coverage;
mod dates;
mod disclosure;
mod files;
mod json;
mod sboms;
mod signed;
mod strings;
pub mod unreadable;
mod vulns;

use std::sync::Arc;

use jiff::Timestamp;
use rayon::prelude::*;

use crate::authority::signing::SigningDecisions;
use crate::eval::cite::CitationTable;
use crate::eval::duration::Duration;
use crate::eval::value::{Citation, Record, Value, date_instant};
use crate::graph::{
    ArtifactNode, AttestationNode, ChecksumEntryNode, DistributionNode, EvidenceGraph, NodeId,
    ReleaseNode, Source, SupportCycleNode,
};
use attestations::attestation_signatures;
pub use attestations::{AttestationFact, AttestationSignature};
use files::Files;
use signed::{permitted_signature, signatures};
use strings::Strings;

/// The values of the schema's roots (all but `as_of`, which the evaluation supplies).
#[derive(Debug, Clone)]
pub struct EvidenceValues {
    /// `bundle`: a `Bundle` record (the unreadable files).
    pub bundle: Value,
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
    /// `security_txt`: a `SecurityTxt` record, or `none`.
    pub security_txt: Value,
    /// `changelog`: a `Changelog` record, or `none`.
    pub changelog: Value,
    /// `feeds`.
    pub feeds: Value,
    /// `tls_scans`.
    pub tls_scans: Value,
    /// `scans`: vulnerability scans.
    pub scans: Value,
    /// `attestations`.
    pub attestations: Value,
    /// The attestations, typed, in path order.
    pub attestation_facts: Vec<AttestationFact>,
    /// The unreadable files, with what each feeds, in path order.
    pub unreadable: Vec<unreadable::UnreadableFact>,
    /// The authority's `sign` decisions the values were built with.
    pub signing: SigningDecisions,
    /// Every record's citation, in the report's order (each record knows its rank).
    pub(crate) citations: Arc<CitationTable>,
}

impl EvidenceValues {
    /// Builds every root from the graph, with no `as_of` (so `open_for` is `none`).
    pub fn build(graph: &EvidenceGraph) -> Self {
        Self::build_at(graph, None)
    }

    /// Builds every root from the graph; durations that run until now (`open_for`) end at
    /// `as_of`.
    pub fn build_at(graph: &EvidenceGraph, as_of: Option<Timestamp>) -> Self {
        Self::build_for(graph, as_of, &SigningDecisions::default())
    }

    /// [`EvidenceValues::build_at`] with the authority's `sign` decisions: a signature the
    /// authority does not permit is not `trusted` (outcome `not-permitted`), and provenance
    /// or a security.txt whose only trusted signatures are not permitted is not `verified`.
    pub fn build_for(
        graph: &EvidenceGraph,
        as_of: Option<Timestamp>,
        signing: &SigningDecisions,
    ) -> Self {
        Self::build_from(&mut GraphRef::Shared(graph), as_of, signing)
    }

    /// [`EvidenceValues::build_for`] from a graph the caller gives up: each vulnerability's
    /// nodes (it and its statements) are taken out of the graph as its record is built, and
    /// each advisory's as its record is, so the graph's copy of the vulnerability evidence and
    /// the values are never both held. The graph keeps everything else (the report is
    /// assembled from its files, signatures and release).
    pub(crate) fn build_taking(
        graph: &mut EvidenceGraph,
        as_of: Option<Timestamp>,
        signing: &SigningDecisions,
    ) -> Self {
        Self::build_from(&mut GraphRef::Owned(graph), as_of, signing)
    }

    fn build_from(
        source: &mut GraphRef<'_>,
        as_of: Option<Timestamp>,
        signing: &SigningDecisions,
    ) -> Self {
        let graph = source.get();
        let facts: Vec<AttestationFact> = graph
            .attestations()
            .map(|(id, a)| AttestationFact {
                control: a.control.clone(),
                statement: a.statement.clone(),
                statement_sha256: a.statement_sha256.clone(),
                attested_by: a.attested_by.clone(),
                date: a.date,
                path: a.source.path.clone(),
                sha256: a.source.sha256.to_hex(),
                signatures: attestation_signatures(graph, id, &a.source.path),
            })
            .collect();
        // The two big lists (every file; every artifact with its checksums and signatures)
        // are each built across the rayon pool; files first, for the artifacts to share their
        // text.
        let sboms = sboms::Sboms::build(graph);
        let files = Files::build(graph);
        let chain_index = chains::ChainIndex::build(graph);
        let judge = chains::Judge {
            graph,
            index: &chain_index,
            signing,
            as_of,
        };
        let release = graph.release().map_or(Value::None, |(id, r)| {
            release(graph, id, r, &sboms, &files, &judge)
        });
        let bundle = unreadable::bundle(graph);
        let support = support(graph, as_of);
        let security_txt = disclosure::security_txt(graph, signing);
        let changelog = disclosure::changelog(graph);
        let feeds = disclosure::feeds(graph);
        let tls_scans = disclosure::tls_scans(graph);
        let scans = vulns::scans(graph);
        let attestations = Value::list(graph.attestations().map(|(_, a)| attestation(a)).collect());
        let unreadable = unreadable::facts(graph);
        // Last: these two may take their nodes out of the graph as they go.
        let vulnerabilities = vulns::vulnerabilities(source, as_of, &files);
        let advisories = vulns::advisories(source, as_of, &files);
        let mut values = EvidenceValues {
            bundle,
            release,
            files: Value::list(files.values),
            vulnerabilities,
            advisories,
            support,
            security_txt,
            changelog,
            feeds,
            tls_scans,
            scans,
            attestations,
            attestation_facts: facts,
            unreadable,
            signing: signing.clone(),
            citations: Arc::default(),
        };
        values.citations = Arc::new(CitationTable::rank(values.roots()));
        values
    }

    /// The values of the roots.
    fn roots(&self) -> impl Iterator<Item = &Value> {
        ROOTS.iter().filter_map(|name| self.root(name))
    }

    /// Drops the values, the two big lists (files, and the release's artifacts) side by side
    /// and each across the rayon pool (see [`Value::drop_parallel`]).
    pub fn drop_parallel(self) {
        let EvidenceValues { release, files, .. } = self;
        if drop_in_parallel(&files) {
            rayon::join(|| release.drop_parallel(), || files.drop_parallel());
        }
    }

    /// The `sign` decisions, the values dropped as by [`EvidenceValues::drop_parallel`].
    pub(crate) fn into_signing(self) -> SigningDecisions {
        let EvidenceValues {
            release,
            files,
            signing,
            ..
        } = self;
        if drop_in_parallel(&files) {
            rayon::join(|| release.drop_parallel(), || files.drop_parallel());
        }
        signing
    }

    /// The value of a root, other than `as_of`: one of [`ROOTS`].
    pub fn root(&self, name: &str) -> Option<&Value> {
        Some(match name {
            "bundle" => &self.bundle,
            "release" => &self.release,
            "files" => &self.files,
            "vulnerabilities" => &self.vulnerabilities,
            "advisories" => &self.advisories,
            "support" => &self.support,
            "security_txt" => &self.security_txt,
            "changelog" => &self.changelog,
            "feeds" => &self.feeds,
            "tls_scans" => &self.tls_scans,
            "scans" => &self.scans,
            "attestations" => &self.attestations,
            _ => return None,
        })
    }
}

/// The roots [`EvidenceValues::root`] gives.
const ROOTS: [&str; 12] = [
    "bundle",
    "release",
    "files",
    "vulnerabilities",
    "advisories",
    "support",
    "security_txt",
    "changelog",
    "feeds",
    "tls_scans",
    "scans",
    "attestations",
];

/// The graph the values are built from: borrowed, or given up to have its vulnerability
/// evidence taken out as the values are built (see [`EvidenceValues::build_taking`]).
pub(crate) enum GraphRef<'g> {
    /// Read only.
    Shared(&'g EvidenceGraph),
    /// Nodes are taken once their values are built.
    Owned(&'g mut EvidenceGraph),
}

impl GraphRef<'_> {
    /// The graph, to read.
    fn get(&self) -> &EvidenceGraph {
        match self {
            GraphRef::Shared(g) => g,
            GraphRef::Owned(g) => g,
        }
    }

    /// The graph, to take nodes from; `None` when it is only borrowed.
    fn owned(&mut self) -> Option<&mut EvidenceGraph> {
        match self {
            GraphRef::Shared(_) => None,
            GraphRef::Owned(g) => Some(g),
        }
    }
}

/// The citation of an entity's source: file, sha256 and line.
pub fn cite(source: &Source) -> Citation {
    Citation {
        path: Arc::from(source.path.as_str()),
        sha256: Arc::from(source.sha256.hex_in(&mut [0; 64])),
        line: source.line,
    }
}

/// A record value. Its label is usually its path: pass the same `Arc` as the path field's
/// value and citation, so one string serves all three.
fn record<const N: usize>(
    kind: &'static str,
    label: Arc<str>,
    citation: Option<Citation>,
    fields: [(&'static str, Value); N],
) -> Value {
    Value::Record(Record::new(kind, label, citation, fields))
}

/// The empty list, shared: most artifacts have several empty lists (signatures, SBOMs,
/// provenance), and each would otherwise be an allocation of its own.
fn empty() -> Value {
    static EMPTY: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| Value::list(Vec::new()));
    EMPTY.clone()
}

fn size(n: u64) -> Value {
    i64::try_from(n).map_or(Value::None, Value::Int)
}

/// The text of a string field of a record.
fn text_field(record: &Record, field: &str) -> Option<Arc<str>> {
    match record.field(field)? {
        Value::Str(text) => Some(Arc::clone(text)),
        _ => None,
    }
}

/// Files or artifacts per parallel task (each with its own [`Strings`]).
const CHUNK: usize = 2048;

/// `f` over `items` a [`CHUNK`] at a time across the rayon pool, in order; one chunk or less
/// runs on this thread (a small bundle starts no pool).
fn map_chunks<T: Sync, R: Send>(items: &[T], f: impl Fn(&[T]) -> Vec<R> + Sync + Send) -> Vec<R> {
    if items.len() <= CHUNK {
        return f(items);
    }
    items
        .par_chunks(CHUNK)
        .map(f)
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect()
}

/// Whether dropping `files` (the list of every file: at least as long as the release's
/// artifacts) is worth the rayon pool.
fn drop_in_parallel(files: &Value) -> bool {
    matches!(files, Value::List(items) | Value::Set(items) if items.len() >= 4096)
}

fn release(
    graph: &EvidenceGraph,
    id: NodeId,
    r: &ReleaseNode,
    sboms: &sboms::Sboms,
    files: &Files,
    judge: &chains::Judge<'_>,
) -> Value {
    let as_of = judge.as_of;
    let listed = graph.artifacts_of(id);
    let artifacts = map_chunks(&listed, |chunk| {
        let mut strings = Strings::default();
        chunk
            .iter()
            .map(|(aid, a)| artifact(graph, *aid, a, sboms, files, judge, &mut strings))
            .collect::<Vec<_>>()
    });
    let distribution = graph
        .distributions()
        .map(|(_, d)| distribution(d))
        .collect();
    record(
        "Release",
        Arc::from(format!("{} {}", r.product, r.version)),
        Some(cite(&r.source)),
        [
            ("product", Value::str(&r.product)),
            ("version", Value::str(&r.version)),
            ("date", Value::DateTime(r.date.timestamp())),
            ("previous", Value::opt_str(r.previous.as_ref())),
            (
                "cycle",
                graph
                    .release_cycle()
                    .map_or(Value::None, |(_, c)| cycle(c, as_of)),
            ),
            ("artifacts", Value::list(artifacts)),
            ("distribution", Value::list(distribution)),
            ("sboms", sboms.all(graph)),
            (
                "vulnerability_evidence",
                coverage::vulnerability_evidence(graph, r, as_of),
            ),
            ("path", Value::str(&r.source.path)),
            ("unreadable", unreadable::records(graph, Some("release"))),
        ],
    )
}

fn artifact(
    graph: &EvidenceGraph,
    id: NodeId,
    a: &ArtifactNode,
    sboms: &sboms::Sboms,
    files: &Files,
    judge: &chains::Judge<'_>,
    strings: &mut Strings,
) -> Value {
    let signing = judge.signing;
    let file = graph.artifact_file(id);
    // The artifact's file's record has its path and digest text already: share it.
    let shared = file.and_then(|(fid, _)| files.record(fid));
    let path = match shared.and_then(|r| text_field(r, "path")) {
        Some(path) if *path == *a.path => path,
        _ => Arc::from(a.path.as_str()),
    };
    let sha256: Option<Arc<str>> = file.map(|(_, f)| {
        shared
            .and_then(|r| text_field(r, "sha256"))
            .unwrap_or_else(|| Arc::from(f.sha256.hex_in(&mut [0; 64])))
    });
    let checksums = graph
        .checksums_of(id)
        .into_iter()
        .map(|(cid, c)| checksum(graph, cid, c, sha256.as_ref(), signing, strings))
        .collect();
    let name = crate::formats::file_name(&a.path);
    // An artifact present in the bundle cites its file; a missing one, its manifest line.
    let citation = match &sha256 {
        Some(sha256) => Citation {
            path: Arc::clone(&path),
            sha256: Arc::clone(sha256),
            line: None,
        },
        None => cite(&a.source),
    };
    record(
        "Artifact",
        Arc::clone(&path),
        Some(citation),
        [
            ("path", Value::Str(path)),
            ("name", Value::str(name)),
            ("size", file.map_or(Value::None, |(_, f)| size(f.size))),
            ("sha256", sha256.map_or(Value::None, Value::Str)),
            ("signatures", signatures(graph, id, signing, strings)),
            ("checksums", Value::List(checksums)),
            ("sboms", sboms.of_artifact(graph, id)),
            ("provenance", provenance(graph, id, signing, strings)),
            ("digest_mismatches", digest_mismatches(graph, id, strings)),
            (
                "coverage",
                chains::coverage(judge, file.map(|(fid, _)| fid), strings),
            ),
        ],
    )
}

/// The documents refused for an artifact because the digest they state is not its own.
fn digest_mismatches(graph: &EvidenceGraph, artifact: NodeId, strings: &mut Strings) -> Value {
    let found = graph.digest_mismatches_of(artifact);
    if found.is_empty() {
        return empty();
    }
    Value::list(
        found
            .into_iter()
            .map(|m| {
                let citation = strings.cite(&m.source);
                record(
                    "DigestMismatch",
                    Arc::clone(&citation.path),
                    Some(citation.clone()),
                    [
                        ("path", Value::Str(citation.path)),
                        (
                            "line",
                            m.source
                                .line
                                .map_or(Value::None, |l| Value::Int(i64::from(l))),
                        ),
                        ("evidence", strings.value(m.evidence.as_str())),
                        ("subject", Value::str(&m.subject)),
                        ("linked_by", strings.value(m.linked_by)),
                        ("algorithm", strings.value(m.stated.algorithm())),
                        ("stated", Value::str(m.stated.to_hex())),
                        ("actual", Value::str(m.actual.to_hex())),
                    ],
                )
            })
            .collect(),
    )
}

/// The provenance statements naming an artifact's file by digest.
fn provenance(
    graph: &EvidenceGraph,
    artifact: NodeId,
    signing: &SigningDecisions,
    strings: &mut Strings,
) -> Value {
    let found = graph.provenance_of(artifact);
    if found.is_empty() {
        return empty();
    }
    Value::list(
        found
            .into_iter()
            .map(|(pid, p)| {
                let citation = strings.cite(&p.source);
                // Verified by a trusted key (or keyless) the authority permits to sign
                // provenance.
                let verified = p.verified && permitted_signature(graph, pid, signing);
                record(
                    "Provenance",
                    Arc::clone(&citation.path),
                    Some(citation.clone()),
                    [
                        ("path", Value::Str(citation.path)),
                        ("predicate_type", strings.value(&p.predicate_type)),
                        ("builder", Value::opt_str(p.builder.as_ref())),
                        ("verified", Value::Bool(verified)),
                        ("identity", Value::opt_str(p.identity.as_ref())),
                        ("issuer", Value::opt_str(p.issuer.as_ref())),
                    ],
                )
            })
            .collect(),
    )
}

/// A checksum entry, with every signature over its checksum file; `sha256` is the hex digest
/// of the file it names, when present, shared as the expected digest when that is the same
/// text.
fn checksum(
    graph: &EvidenceGraph,
    id: NodeId,
    c: &ChecksumEntryNode,
    sha256: Option<&Arc<str>>,
    signing: &SigningDecisions,
    strings: &mut Strings,
) -> Value {
    let signed_by = graph.source_file(id).map_or_else(empty, |(file, _)| {
        strings.signatures_of_file(file, |strings| signatures(graph, file, signing, strings))
    });
    let line = c.source.line.unwrap_or(0);
    let citation = strings.cite(&c.source);
    let expected = match sha256 {
        Some(hex) if **hex == *c.digest => Arc::clone(hex),
        _ => Arc::from(c.digest.as_str()),
    };
    record(
        "Checksum",
        strings.path_line(&c.source.path, line),
        Some(citation.clone()),
        [
            ("path", Value::Str(citation.path)),
            ("line", Value::Int(i64::from(line))),
            ("algorithm", strings.value(c.algorithm.as_str())),
            ("expected", Value::Str(expected)),
            ("status", strings.value(c.status.as_str())),
            ("signatures", signed_by),
        ],
    )
}

fn distribution(d: &DistributionNode) -> Value {
    record(
        "Distribution",
        Arc::from(d.url.as_str()),
        Some(cite(&d.source)),
        [
            ("url", Value::str(&d.url)),
            ("scheme", Value::str(&d.scheme)),
            ("host", Value::opt_str(d.host.as_ref())),
        ],
    )
}

fn support(graph: &EvidenceGraph, as_of: Option<Timestamp>) -> Value {
    let cycles = graph
        .support_cycles()
        .map(|(_, c)| cycle(c, as_of))
        .collect();
    record(
        "Support",
        Arc::from("support"),
        None,
        [
            ("cycles", Value::list(cycles)),
            ("unreadable", unreadable::records(graph, Some("support"))),
        ],
    )
}

/// A support cycle; its date conflicts at `as_of` (see [`dates::cycle`]) leave `notice`
/// `none`.
fn cycle(c: &SupportCycleNode, as_of: Option<Timestamp>) -> Value {
    let date = |d: Option<jiff::civil::Date>| d.map_or(Value::None, Value::Date);
    let conflicts = dates::cycle(c, as_of);
    let notice = match (
        c.eol.and_then(date_instant),
        c.eol_announced.and_then(date_instant),
    ) {
        (Some(eol), Some(announced)) if conflicts.is_empty() => {
            Value::duration(Duration::between(announced, eol))
        }
        _ => Value::None,
    };
    record(
        "SupportCycle",
        Arc::from(c.cycle.as_str()),
        Some(cite(&c.source)),
        [
            ("cycle", Value::str(&c.cycle)),
            ("released", Value::Date(c.released)),
            ("support_until", date(c.support_until)),
            ("eol", date(c.eol)),
            ("eol_announced", date(c.eol_announced)),
            ("lts", Value::Bool(c.lts)),
            ("notice", notice),
            (
                "date_conflicts",
                Value::list(conflicts.into_iter().map(Value::str).collect()),
            ),
        ],
    )
}

fn attestation(a: &AttestationNode) -> Value {
    record(
        "Attestation",
        Arc::from(a.source.path.as_str()),
        Some(cite(&a.source)),
        [
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
