//! `Artifact.coverage`: how an artifact is signed. Directly, by a signature over its file;
//! or through a chain of checksum files: the artifact's digest matches an entry of a checksum
//! file (or index) that is itself signed, or that is listed with a matching digest in another
//! checksum file that is signed, and so on, at most [`MAX_CHAIN`] links.
//!
//! Each record is one way to the artifact from one signature: its links (checksum file,
//! line, algorithm, expected digest, status) from the artifact outward, and the signature at
//! the end, judged as the authority judges it (a key must be permitted to sign `checksums`
//! for a chain, `artifact` for a direct signature). A chain counts only when every digest
//! along it matches (`verified`), and the signature is trusted, not made after `as_of`, and
//! no signed index on the way is stale at `as_of` (`trusted`): a Debian `Release` whose
//! `Valid-Until` is before `as_of`, or whose `Date` is after it, or either of which cannot be
//! read as a date. A checksum file with no
//! signature gives no record; one listed further than the bound gives one `too-deep` record.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::Timestamp;

use super::strings::Strings;
use super::{empty, record};
use crate::authority::signing::SigningDecisions;
use crate::eval::value::Value;
use crate::graph::{ChecksumEntryNode, ChecksumStatus, Edge, EvidenceGraph, Node, NodeId};
use crate::signatures::Outcome;

/// The most links a chain may have: artifact <- Packages <- Release is two.
pub const MAX_CHAIN: usize = 4;

/// The most coverage records one artifact gets (the rest are left out).
pub const MAX_RECORDS: usize = 64;

/// For each checksum file: the signatures over it and the checksum entries naming it, found
/// once for the whole graph (a checksum file may have many thousand entries, whose
/// `defined-in` edges all arrive at it).
#[derive(Debug, Default)]
pub(super) struct ChainIndex {
    signatures: HashMap<NodeId, Vec<NodeId>>,
    listed_in: HashMap<NodeId, Vec<NodeId>>,
}

impl ChainIndex {
    /// Indexes every signature over, and every entry naming, a checksum file.
    pub fn build(graph: &EvidenceGraph) -> Self {
        let is_checksums = |id: NodeId| {
            matches!(graph.node(id), Some(Node::File(f))
                if f.kind == Some(crate::formats::EvidenceKind::Checksums))
        };
        let mut index = ChainIndex::default();
        for (sid, _) in graph.signatures() {
            for (to, edge) in graph.edges_from(sid) {
                if matches!(edge, Edge::Signs) && is_checksums(to) {
                    index.signatures.entry(to).or_default().push(sid);
                }
            }
        }
        for (eid, _) in graph.checksum_entries() {
            for (to, edge) in graph.edges_from(eid) {
                if matches!(edge, Edge::ChecksumOf { .. }) && is_checksums(to) {
                    index.listed_in.entry(to).or_default().push(eid);
                }
            }
        }
        index
    }
}

/// One link of a chain: the entry, and the checksum file it is in.
#[derive(Clone, Copy)]
struct Link<'g> {
    entry: &'g ChecksumEntryNode,
    file: NodeId,
}

/// What one artifact's coverage is built from.
pub(super) struct Judge<'a> {
    pub graph: &'a EvidenceGraph,
    pub index: &'a ChainIndex,
    pub signing: &'a SigningDecisions,
    pub as_of: Option<Timestamp>,
}

/// The coverage records of the artifact whose file is `file` (none when it is absent).
pub(super) fn coverage(judge: &Judge<'_>, file: Option<NodeId>, strings: &mut Strings) -> Value {
    let Some(file) = file else {
        return empty();
    };
    let mut out = Vec::new();
    for (sid, _) in judge.graph.signatures_of(file) {
        out.push(judge.record(sid, &[], strings));
    }
    let mut path = Vec::new();
    let mut too_deep = false;
    for (eid, entry) in judge.graph.checksums_of(file) {
        judge.walk(eid, entry, &mut path, &mut out, &mut too_deep, strings);
    }
    if out.is_empty() {
        return empty();
    }
    Value::list(out)
}

impl Judge<'_> {
    /// Follows entry `eid` (naming the last file reached) to its checksum file, records a
    /// chain for every signature over that file, and goes on to the entries naming it.
    fn walk<'g>(
        &'g self,
        eid: NodeId,
        entry: &'g ChecksumEntryNode,
        path: &mut Vec<Link<'g>>,
        out: &mut Vec<Value>,
        too_deep: &mut bool,
        strings: &mut Strings,
    ) {
        let Some((file, _)) = self.graph.source_file(eid) else {
            return;
        };
        // A loop (a checksum file listing itself, or one listing another that lists it).
        if path.iter().any(|l| l.file == file) || out.len() >= MAX_RECORDS {
            return;
        }
        if path.len() >= MAX_CHAIN {
            if !*too_deep {
                *too_deep = true;
                out.push(self.too_deep(path, file, strings));
            }
            return;
        }
        path.push(Link { entry, file });
        for sid in self.index.signatures.get(&file).into_iter().flatten() {
            if out.len() >= MAX_RECORDS {
                break;
            }
            out.push(self.record(*sid, path, strings));
        }
        for next in self.index.listed_in.get(&file).into_iter().flatten() {
            if let Some(Node::ChecksumEntry(e)) = self.graph.node(*next) {
                self.walk(*next, e, path, out, too_deep, strings);
            }
        }
        path.pop();
    }

    /// The record of signature `sid` at the end of `chain` (empty: a direct signature).
    fn record(&self, sid: NodeId, chain: &[Link<'_>], strings: &mut Strings) -> Value {
        let Some(Node::Signature(s)) = self.graph.node(sid) else {
            return Value::None;
        };
        let v = self.signing.judged(sid, s);
        let broken = chain
            .iter()
            .find(|l| l.entry.status != ChecksumStatus::Match);
        let stale = chain.iter().find_map(|l| self.stale(l.file));
        let (outcome, reason) = match (broken, &stale) {
            (Some(l), _) => (
                "digest-mismatch",
                Some(format!(
                    "{}:{} lists `{}` with a {} digest that {}",
                    l.entry.source.path,
                    l.entry.source.line.unwrap_or(0),
                    l.entry.path.as_deref().unwrap_or(&l.entry.name),
                    l.entry.algorithm.as_str(),
                    match l.entry.status {
                        ChecksumStatus::Error => "could not be checked (the file is unreadable)",
                        _ => "does not match the file",
                    }
                )),
            ),
            (None, _) if v.outcome != Outcome::Verified => (v.outcome.as_str(), v.reason.clone()),
            (None, Some(why)) => ("stale", Some(why.clone())),
            (None, None) => ("verified", None),
        };
        let citation = strings.cite(&s.source);
        record(
            "Coverage",
            Arc::clone(&citation.path),
            Some(citation.clone()),
            [
                (
                    "kind",
                    strings.value(if chain.is_empty() {
                        "signature"
                    } else if s.format == crate::signatures::SignatureFormat::NpmRegistry {
                        "registry"
                    } else {
                        "checksums"
                    }),
                ),
                ("path", Value::Str(citation.path)),
                ("format", strings.value(s.format.as_str())),
                ("verified", Value::Bool(v.verified && broken.is_none())),
                ("trusted", Value::Bool(v.trusted && stale.is_none())),
                ("outcome", strings.value(outcome)),
                ("reason", Value::opt_str(reason.as_ref())),
                ("signer", Value::opt_str(v.signer.as_ref())),
                ("key_id", Value::opt_str(v.key_id.as_ref())),
                ("chain", links(chain, strings)),
            ],
        )
    }

    /// The record for a chain that goes on past [`MAX_CHAIN`] links at `file`.
    fn too_deep(&self, chain: &[Link<'_>], file: NodeId, strings: &mut Strings) -> Value {
        let path = match self.graph.node(file) {
            Some(Node::File(f)) => f.path.as_str(),
            _ => "",
        };
        let path = strings.get(path);
        record(
            "Coverage",
            Arc::clone(&path),
            None,
            [
                ("kind", strings.value("checksums")),
                ("path", Value::Str(Arc::clone(&path))),
                ("format", Value::None),
                ("verified", Value::Bool(false)),
                ("trusted", Value::Bool(false)),
                ("outcome", strings.value("too-deep")),
                (
                    "reason",
                    Value::str(format!(
                        "the chain of checksum files goes on to {path}, past the {MAX_CHAIN} links vouch follows"
                    )),
                ),
                ("signer", Value::None),
                ("key_id", Value::None),
                ("chain", links(chain, strings)),
            ],
        )
    }

    /// Why checksum file `file` is stale at `as_of`, if it is.
    fn stale(&self, file: NodeId) -> Option<String> {
        let dates = self.graph.index_dates(file)?;
        let path = match self.graph.node(file) {
            Some(Node::File(f)) => f.path.as_str(),
            _ => "",
        };
        let unreadable = match (dates.valid_until_unreadable, dates.date_unreadable) {
            (true, true) => Some("`Valid-Until` and `Date`"),
            (true, false) => Some("`Valid-Until`"),
            (false, true) => Some("`Date`"),
            (false, false) => None,
        };
        if let Some(fields) = unreadable {
            return Some(format!(
                "{path}: its {fields} cannot be read as a date, so whether it is current cannot \
                 be judged: stale metadata covers nothing"
            ));
        }
        let as_of = self.as_of?;
        if let Some(until) = dates.valid_until
            && until < as_of
        {
            return Some(format!(
                "{path} is valid until {until}, before as_of {as_of}: stale metadata covers nothing"
            ));
        }
        if let Some(date) = dates.date
            && date > as_of
        {
            return Some(format!(
                "{path} is dated {date}, after as_of {as_of}: evidence from the future never counts"
            ));
        }
        None
    }
}

/// The `CoverageLink` records of a chain, from the artifact outward.
fn links(chain: &[Link<'_>], strings: &mut Strings) -> Value {
    if chain.is_empty() {
        return empty();
    }
    Value::list(
        chain
            .iter()
            .map(|l| {
                let e = l.entry;
                let citation = strings.cite(&e.source);
                let line = e.source.line.unwrap_or(0);
                record(
                    "CoverageLink",
                    strings.path_line(&e.source.path, line),
                    Some(citation.clone()),
                    [
                        ("path", Value::Str(citation.path)),
                        ("line", Value::Int(i64::from(line))),
                        (
                            "names",
                            Value::str(e.path.as_deref().unwrap_or(e.name.as_str())),
                        ),
                        ("algorithm", strings.value(e.algorithm.as_str())),
                        ("expected", Value::str(&e.digest)),
                        ("status", strings.value(e.status.as_str())),
                    ],
                )
            })
            .collect(),
    )
}
