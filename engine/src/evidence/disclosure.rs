//! The disclosure and lifecycle roots: `security_txt`, `changelog`, `feeds` and `tls_scans`.

use std::sync::Arc;

use super::{Strings, cite, record};
use crate::authority::signing::SigningDecisions;
use crate::eval::duration::Duration;
use crate::eval::value::{Citation, Value};
use crate::graph::{ChangelogNode, EvidenceGraph, FeedNode, SecurityTxtNode, Source, TlsScanNode};

fn string_list(items: &[String]) -> Value {
    Value::list(items.iter().map(Value::str).collect())
}

fn set<'a>(items: impl IntoIterator<Item = &'a String>) -> Value {
    Value::set(items.into_iter().map(Value::str).collect())
}

fn datetime(t: Option<jiff::Timestamp>) -> Value {
    t.map_or(Value::None, Value::DateTime)
}

/// `security_txt`: the one at `.well-known/security.txt`, else the shortest path; `none`
/// without one.
pub(super) fn security_txt(graph: &EvidenceGraph, signing: &SigningDecisions) -> Value {
    let Some((id, t)) = graph.security_txt() else {
        return Value::None;
    };
    // The signature nodes sign the file the security.txt was read from.
    let verified = super::signed::permitted_signature(graph, id, signing);
    security_txt_record(t, verified)
}

fn security_txt_record(t: &SecurityTxtNode, verified: bool) -> Value {
    let c = &t.content;
    let path: Arc<str> = Arc::from(t.source.path.as_str());
    record(
        "SecurityTxt",
        Arc::clone(&path),
        Some(cite(&t.source)),
        [
            ("path", Value::Str(path)),
            ("contacts", string_list(&c.contacts)),
            ("expires", datetime(c.expires)),
            ("encryption", string_list(&c.encryption)),
            ("policies", string_list(&c.policy)),
            ("canonical", string_list(&c.canonical)),
            ("preferred_languages", string_list(&c.preferred_languages)),
            ("signed", Value::Bool(c.signed)),
            ("verified", Value::Bool(verified)),
        ],
    )
}

/// `changelog`: the one with the shortest path (the top-level one), then by path.
pub(super) fn changelog(graph: &EvidenceGraph) -> Value {
    graph
        .changelogs()
        .min_by(|(_, a), (_, b)| {
            (a.source.path.len(), &a.source.path).cmp(&(b.source.path.len(), &b.source.path))
        })
        .map_or(Value::None, |(_, c)| changelog_record(c))
}

fn at_line(source: &Source, line: u32) -> Citation {
    Citation {
        line: Some(line),
        ..cite(source)
    }
}

fn changelog_record(c: &ChangelogNode) -> Value {
    let path: Arc<str> = Arc::from(c.source.path.as_str());
    let versions = c
        .versions
        .iter()
        .map(|v| {
            record(
                "ChangelogVersion",
                Arc::from(format!("{} {}", c.source.path, v.version)),
                Some(at_line(&c.source, v.line)),
                [
                    ("version", Value::str(&v.version)),
                    ("date", v.date.map_or(Value::None, Value::Date)),
                    ("security", Value::Bool(v.security)),
                    ("ids", set(&v.ids)),
                ],
            )
        })
        .collect();
    record(
        "Changelog",
        Arc::clone(&path),
        Some(cite(&c.source)),
        [
            ("path", Value::Str(path)),
            ("versions", Value::list(versions)),
        ],
    )
}

/// `feeds`: every feed, in path order.
pub(super) fn feeds(graph: &EvidenceGraph) -> Value {
    let mut strings = Strings::default();
    Value::list(
        graph
            .feeds()
            .map(|(_, f)| feed_record(f, &mut strings))
            .collect(),
    )
}

fn feed_record(f: &FeedNode, strings: &mut Strings) -> Value {
    let citation = strings.cite(&f.source);
    let items = f
        .feed
        .items
        .iter()
        .map(|item| {
            let label = item
                .title
                .clone()
                .or_else(|| item.link.clone())
                .unwrap_or_else(|| f.source.path.clone());
            let item_citation = match item.line {
                Some(line) => Citation {
                    line: Some(line),
                    ..citation.clone()
                },
                None => citation.clone(),
            };
            record(
                "FeedItem",
                Arc::from(label),
                Some(item_citation),
                [
                    ("title", Value::opt_str(item.title.as_ref())),
                    ("link", Value::opt_str(item.link.as_ref())),
                    ("published", datetime(item.published)),
                    ("ids", set(&item.ids)),
                ],
            )
        })
        .collect();
    record(
        "Feed",
        Arc::clone(&citation.path),
        Some(citation.clone()),
        [
            ("path", Value::Str(Arc::clone(&citation.path))),
            ("format", strings.value(f.feed.format.as_str())),
            ("title", Value::opt_str(f.feed.title.as_ref())),
            ("items", Value::list(items)),
        ],
    )
}

/// `tls_scans`: every scanned host, in path order then file order.
pub(super) fn tls_scans(graph: &EvidenceGraph) -> Value {
    let mut strings = Strings::default();
    Value::list(
        graph
            .tls_scans()
            .map(|(_, t)| tls_scan_record(t, &mut strings))
            .collect(),
    )
}

fn tls_scan_record(t: &TlsScanNode, strings: &mut Strings) -> Value {
    let s = &t.scan;
    let citation = strings.cite(&t.source);
    record(
        "TlsScan",
        Arc::from(format!("{} ({})", s.host, t.source.path)),
        Some(citation.clone()),
        [
            ("path", Value::Str(Arc::clone(&citation.path))),
            ("tool", strings.value(s.tool.as_str())),
            ("host", Value::str(&s.host)),
            ("protocols", set(&s.protocols)),
            ("hsts", s.hsts.map_or(Value::None, Value::Bool)),
            (
                "hsts_max_age",
                s.hsts_max_age
                    .map_or(Value::None, |secs| Value::duration(Duration::seconds(secs))),
            ),
            ("weak_ciphers", string_list(&s.weak_ciphers)),
            ("scanned_at", datetime(s.scanned_at)),
        ],
    )
}
