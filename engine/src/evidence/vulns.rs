//! The `vulnerabilities` root: one `Vulnerability` record per merged vulnerability, with the
//! durations policies judge SLAs by (`time_to_fix`, `open_for` at `as_of`).

use std::sync::Arc;

use jiff::Timestamp;

use super::{Files, GraphRef, Strings, dates, record};
use crate::eval::duration::Duration;
use crate::eval::value::Value;
use crate::graph::{
    AdvisoryNode, Edge, EvidenceGraph, Node, NodeId, VulnStatementNode, VulnerabilityNode,
};
use crate::vulns::{SourceKind, VulnStatus, cycles};

/// Every merged vulnerability, in id order. From an owned graph, each vulnerability's node and
/// its statements' are taken out once its record is built.
pub(super) fn vulnerabilities(
    source: &mut GraphRef<'_>,
    as_of: Option<Timestamp>,
    files: &Files,
) -> Value {
    let mut strings = Strings::default();
    let graph = source.get();
    let cycles: Vec<String> = graph
        .support_cycles()
        .map(|(_, c)| c.cycle.clone())
        .collect();
    let cycles: Vec<&str> = cycles.iter().map(String::as_str).collect();
    let ids: Vec<NodeId> = graph.vulnerabilities().map(|(id, _)| id).collect();
    let mut values = Vec::with_capacity(ids.len());
    for id in ids {
        let graph = source.get();
        let Some(Node::Vulnerability(v)) = graph.node(id) else {
            continue;
        };
        values.push(vulnerability(
            graph,
            id,
            v,
            as_of,
            &cycles,
            files,
            &mut strings,
        ));
        if let Some(graph) = source.owned() {
            take_vulnerability(graph, id);
        }
    }
    Value::list(values)
}

/// Takes a vulnerability's node out of the graph, and those of the statements that describe
/// only it.
fn take_vulnerability(graph: &mut EvidenceGraph, id: NodeId) {
    let statements: Vec<NodeId> = graph
        .statements_of(id)
        .into_iter()
        .map(|(s, _)| s)
        .filter(|s| {
            graph
                .edges_from(*s)
                .iter()
                .filter(|(_, e)| matches!(e, Edge::Describes))
                .count()
                == 1
        })
        .collect();
    graph.take(id);
    for s in statements {
        graph.take(s);
    }
}

/// When a vulnerability's fix was released, and where that date comes from (the record's
/// `fixed_at` and `fixed_from`).
struct FixDate {
    /// The date.
    at: Option<Timestamp>,
    /// `register`, `advisory` or `release`.
    from: Option<&'static str>,
    /// For a date from the release: where it is stated, and why it is the fix's (for the
    /// date conflicts it can be part of).
    release: Option<String>,
}

/// The fix date of a vulnerability: the earliest one its evidence states (`register` when a
/// register or VEX statement states it, `advisory` when an advisory, scan or SBOM does);
/// else, for a vulnerability `fixed` because the release's version is a fixing version its
/// advisory's ranges name (not merely past one), the release's own date (`release`): the fix
/// was released with it. A release past the fixing version gives no date: when that fix was
/// released is not known.
fn fix_date(
    v: &VulnerabilityNode,
    statements: &[(NodeId, &VulnStatementNode)],
    release: Option<&crate::graph::ReleaseNode>,
) -> FixDate {
    if let Some(at) = v.fixed_at {
        let from = statements
            .iter()
            .filter(|(_, s)| s.statement.fixed_at == Some(at))
            .map(|(_, s)| s.kind)
            .max()
            .map(|k| match k {
                SourceKind::Register | SourceKind::Vex => "register",
                SourceKind::Scan | SourceKind::Sbom | SourceKind::Advisory => "advisory",
            });
        return FixDate {
            at: Some(at),
            from,
            release: None,
        };
    }
    let by_release = statements
        .iter()
        .filter(|(_, s)| s.kind == SourceKind::Advisory && s.statement.fixed_by_release)
        .find_map(|(_, s)| s.statement.fixed_in.as_deref());
    match (release, by_release) {
        (Some(r), Some(fixed_in)) if v.status == VulnStatus::Fixed => FixDate {
            at: Some(r.date.timestamp()),
            from: Some("release"),
            release: Some(format!(
                "the release's date in {}: {} {} is the fixing version {fixed_in}",
                r.source.path, r.product, r.version
            )),
        },
        _ => FixDate {
            at: None,
            from: None,
            release: None,
        },
    }
}

/// The product versions (or ranges) a vulnerability's product-level evidence names as
/// affected and as fixing it: the advisories that cover it, and the registers' and VEX
/// statements' fix versions. Scanner and SBOM statements are left out: their versions are
/// a dependency's, not the product's.
fn product_versions<'g>(
    graph: &'g EvidenceGraph,
    id: NodeId,
    statements: &[(NodeId, &'g VulnStatementNode)],
) -> (Vec<&'g str>, Vec<&'g str>) {
    let mut affected = Vec::new();
    let mut fixed = Vec::new();
    for (_, a) in graph.advisories_of(id) {
        affected.extend(a.advisory.affected_versions.iter().map(String::as_str));
        fixed.extend(a.advisory.fixed_versions.iter().map(String::as_str));
    }
    for (_, s) in statements {
        if matches!(
            s.kind,
            SourceKind::Register | SourceKind::Vex | SourceKind::Advisory
        ) {
            fixed.extend(s.statement.fixed_in.as_deref());
        }
    }
    for list in [&mut affected, &mut fixed] {
        list.sort_unstable();
        list.dedup();
    }
    (affected, fixed)
}

fn vulnerability(
    graph: &EvidenceGraph,
    id: NodeId,
    v: &VulnerabilityNode,
    as_of: Option<Timestamp>,
    cycles: &[&str],
    files: &Files,
    strings: &mut Strings,
) -> Value {
    let sources = graph.statements_of(id);
    let fix = fix_date(v, &sources, graph.release().map(|(_, r)| r));
    let (affected, fixed) = product_versions(graph, id, &sources);
    let mut paths: Vec<&str> = sources
        .iter()
        .map(|(_, s)| s.source.path.as_str())
        .collect();
    paths.sort_unstable();
    paths.dedup();
    let citation = sources.first().map(|(_, s)| files.cite(graph, &s.source));
    // Durations from conflicting dates would be negative or judged from the future: none.
    let release_fix = fix.release.as_deref().zip(fix.at);
    let conflicts = dates::vulnerability(v, &sources, as_of, release_fix);
    let sound = conflicts.is_empty();
    // A fix date the release gives is never one after `as_of` (the conflict says why).
    let fixed_at = fix
        .at
        .filter(|t| fix.release.is_none() || as_of.is_none_or(|now| *t <= now));
    let fixed_from = fixed_at.and(fix.from);
    let time_to_fix = match (v.discovered, fixed_at) {
        (Some(found), Some(fixed)) if sound => Value::duration(Duration::between(found, fixed)),
        _ => Value::None,
    };
    let open = !matches!(v.status, VulnStatus::Fixed | VulnStatus::NotAffected);
    let open_for = match (v.discovered, as_of) {
        (Some(found), Some(now)) if open && sound => Value::duration(Duration::between(found, now)),
        _ => Value::None,
    };
    let date = |t: Option<Timestamp>| t.map_or(Value::None, Value::DateTime);
    let label: Arc<str> = Arc::from(v.id.as_str());
    let sources: Vec<Value> = paths
        .into_iter()
        .map(|p| {
            files
                .path(graph, p)
                .map_or_else(|| strings.value(p), Value::Str)
        })
        .collect();
    record(
        "Vulnerability",
        Arc::clone(&label),
        citation,
        [
            ("id", Value::Str(label)),
            (
                "aliases",
                Value::set(v.aliases.iter().map(Value::str).collect()),
            ),
            (
                "severity",
                v.severity
                    .map_or(Value::None, |b| Value::enumerated("severity", b.as_str())),
            ),
            (
                "cvss_score",
                v.cvss_score.map_or(Value::None, Value::Number),
            ),
            (
                "cvss_vector",
                Value::opt_str(v.cvss.as_ref().map(|c| c.vector.as_str())),
            ),
            (
                "status",
                Value::enumerated("vuln_status", v.status.as_str()),
            ),
            ("justification", Value::opt_str(v.justification.as_ref())),
            ("discovered", date(v.discovered)),
            ("discovered_from", Value::opt_str(v.discovered_from)),
            ("disclosed", date(v.disclosed)),
            ("fixed_at", date(fixed_at)),
            ("fixed_from", Value::opt_str(fixed_from)),
            ("fixed_in", Value::opt_str(v.fixed_in.as_ref())),
            ("affected_versions", Value::set(shared(strings, &affected))),
            ("fixed_versions", Value::set(shared(strings, &fixed))),
            (
                "affected_cycles",
                Value::set(shared(strings, &cycles::cycles_touched(&affected, cycles))),
            ),
            (
                "fixed_cycles",
                Value::set(shared(strings, &cycles::cycles_touched(&fixed, cycles))),
            ),
            ("time_to_fix", time_to_fix),
            ("open_for", open_for),
            (
                "date_conflicts",
                Value::list(conflicts.into_iter().map(Value::str).collect()),
            ),
            ("sources", Value::list(sources)),
        ],
    )
}

/// The texts of `items` (versions, cycles: they repeat across records), shared.
fn shared(strings: &mut Strings, items: &[impl AsRef<str>]) -> Vec<Value> {
    items.iter().map(|t| strings.value(t.as_ref())).collect()
}

/// Every advisory, in file order; its dates as they count at `as_of` (see
/// [`dates::advisory`]).
pub(super) fn advisories(
    source: &mut GraphRef<'_>,
    as_of: Option<Timestamp>,
    files: &Files,
) -> Value {
    let mut strings = Strings::default();
    let ids: Vec<NodeId> = source.get().advisories().map(|(id, _)| id).collect();
    let mut values = Vec::with_capacity(ids.len());
    for id in ids {
        let graph = source.get();
        let Some(Node::Advisory(a)) = graph.node(id) else {
            continue;
        };
        values.push(advisory(graph, a, as_of, files, &mut strings));
        if let Some(graph) = source.owned() {
            graph.take(id);
        }
    }
    Value::list(values)
}

/// An advisory's record.
fn advisory(
    graph: &EvidenceGraph,
    a: &AdvisoryNode,
    as_of: Option<Timestamp>,
    files: &Files,
    strings: &mut Strings,
) -> Value {
    let info = &a.advisory;
    let citation = files.cite(graph, &a.source);
    let (published, updated, conflicts) = dates::advisory(a, as_of);
    let label: Arc<str> = Arc::from(info.id.as_str());
    record(
        "Advisory",
        Arc::clone(&label),
        Some(citation.clone()),
        [
            ("id", Value::Str(label)),
            ("path", Value::Str(citation.path)),
            ("format", strings.value(info.format)),
            ("title", Value::opt_str(info.title.as_ref())),
            ("published", published.map_or(Value::None, Value::DateTime)),
            ("updated", updated.map_or(Value::None, Value::DateTime)),
            (
                "vulnerabilities",
                // Upper case, as vulnerability ids and aliases are, so
                // `v.id in a.vulnerabilities` holds for a GHSA an advisory
                // writes in lower case (`GHSA-4m8r-q9wx-7v2c`).
                Value::set(
                    info.vulnerabilities
                        .iter()
                        .map(|id| Value::str(id.to_ascii_uppercase()))
                        .collect(),
                ),
            ),
            (
                "affected_versions",
                Value::list(shared(strings, &info.affected_versions)),
            ),
            (
                "fixed_versions",
                Value::list(shared(strings, &info.fixed_versions)),
            ),
            (
                "mitigations",
                Value::list(shared(strings, &info.mitigations)),
            ),
            (
                "date_conflicts",
                Value::list(conflicts.into_iter().map(Value::str).collect()),
            ),
        ],
    )
}

/// Every vulnerability scan, in path order.
pub(super) fn scans(graph: &EvidenceGraph) -> Value {
    let mut strings = Strings::default();
    Value::list(
        graph
            .vuln_scans()
            .map(|(_, s)| {
                let citation = strings.cite(&s.source);
                record(
                    "VulnScan",
                    citation.path.clone(),
                    Some(citation.clone()),
                    [
                        ("path", Value::Str(citation.path)),
                        ("tool", strings.value(s.format)),
                        (
                            "scanned_at",
                            s.scanned_at.map_or(Value::None, Value::DateTime),
                        ),
                        (
                            "findings",
                            Value::Int(i64::try_from(s.findings).unwrap_or(i64::MAX)),
                        ),
                    ],
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use crate::eval::value::EnumValue;
    use crate::vulns::{Band, VulnStatus};

    /// Every band and status is a variant of its schema enum (so none reads as `none`).
    #[test]
    fn bands_and_statuses_are_schema_variants() {
        let bands = [
            Band::Info,
            Band::Low,
            Band::Medium,
            Band::High,
            Band::Critical,
        ];
        for (i, band) in bands.into_iter().enumerate() {
            let value = EnumValue::new("severity", band.as_str()).unwrap();
            assert_eq!(value.position() as usize, i, "{band:?} in order");
        }
        for status in [
            VulnStatus::UnderInvestigation,
            VulnStatus::Affected,
            VulnStatus::Fixed,
            VulnStatus::NotAffected,
        ] {
            assert!(EnumValue::new("vuln_status", status.as_str()).is_some());
        }
    }
}
