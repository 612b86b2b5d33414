//! Impossible dates: date orders no record can have (a fix before the discovery, an end of
//! life before the first release) and dates after `as_of` (a discovery, a fix or a
//! publication that has not happened yet at the instant judged).
//!
//! Each conflict is one line naming the dates and the file (and line) that states each. The
//! record lists them in `date_conflicts`, and the durations derived from conflicting dates are
//! `none`, so a control judging them fails closed instead of meeting an SLA with a negative
//! duration.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::eval::value::date_instant;
use crate::graph::{
    AdvisoryNode, NodeId, Source, SupportCycleNode, VulnStatementNode, VulnerabilityNode,
};

/// `path:line`, or `path` when the line is not known.
fn at(source: &Source) -> String {
    match source.line {
        Some(line) => format!("{}:{line}", source.path),
        None => source.path.clone(),
    }
}

/// Sorted, each once.
fn settled(mut conflicts: Vec<String>) -> Vec<String> {
    conflicts.sort();
    conflicts.dedup();
    conflicts
}

/// The date conflicts of a merged vulnerability: in each statement, a fix before the
/// discovery; across statements, the earliest fix before the earliest discovery; a
/// discovery or a fix after `as_of`. `release_fix` is the fix date the release gives when no
/// evidence states one (with where it is stated and why it counts), judged like a stated one.
pub(super) fn vulnerability(
    v: &VulnerabilityNode,
    statements: &[(NodeId, &VulnStatementNode)],
    as_of: Option<Timestamp>,
    release_fix: Option<(&str, Timestamp)>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (_, s) in statements {
        if let (Some(found), Some(fixed)) = (s.statement.discovered, s.statement.fixed_at)
            && fixed < found
        {
            out.push(format!(
                "fixed_at {fixed} is before discovered {found} ({})",
                at(&s.source)
            ));
        }
    }
    // Where the merged (earliest) dates come from.
    let stating = |f: &dyn Fn(&VulnStatementNode) -> Option<Timestamp>, t: Timestamp| {
        statements
            .iter()
            .find(|(_, s)| f(s) == Some(t))
            .map_or_else(String::new, |(_, s)| at(&s.source))
    };
    // A discovery taken from the publication (`discovered_from = publication`) is stated as
    // a publication date.
    let discovered_at = |t| {
        let by_discovery = stating(&|s| s.statement.discovered, t);
        if by_discovery.is_empty() {
            stating(&|s| s.statement.disclosed, t)
        } else {
            by_discovery
        }
    };
    let node_fixed = v.fixed_at.or(release_fix.map(|(_, t)| t));
    let fixed_at = |t| match release_fix {
        Some((why, _)) if v.fixed_at.is_none() => why.to_owned(),
        _ => stating(&|s| s.statement.fixed_at, t),
    };
    if let (Some(found), Some(fixed)) = (v.discovered, node_fixed)
        && fixed < found
        && out.is_empty()
    {
        out.push(format!(
            "fixed_at {fixed} ({}) is before discovered {found} ({})",
            fixed_at(fixed),
            discovered_at(found)
        ));
    }
    if let Some(now) = as_of {
        if let Some(found) = v.discovered.filter(|t| *t > now) {
            out.push(format!(
                "discovered {found} ({}) is after as_of {now}",
                discovered_at(found)
            ));
        }
        if let Some(fixed) = node_fixed.filter(|t| *t > now) {
            out.push(format!(
                "fixed_at {fixed} ({}) is after as_of {now}: the fix is not released yet",
                fixed_at(fixed)
            ));
        }
    }
    settled(out)
}

/// An advisory's dates as they count at `as_of` (`published`, `updated`), and its conflicts:
/// a publication or an update after `as_of` does not count (not published yet), nor does an
/// update before the publication.
pub(super) fn advisory(
    a: &AdvisoryNode,
    as_of: Option<Timestamp>,
) -> (Option<Timestamp>, Option<Timestamp>, Vec<String>) {
    let path = &a.source.path;
    let mut out = Vec::new();
    let future = |t: Timestamp| as_of.filter(|now| t > *now);
    let mut published = a.advisory.published;
    if let Some(p) = published
        && let Some(now) = future(p)
    {
        out.push(format!(
            "published {p} is after as_of {now}: not yet published ({path})"
        ));
        published = None;
    }
    let mut updated = a.advisory.updated;
    if let Some(u) = updated {
        if let Some(now) = future(u) {
            out.push(format!("updated {u} is after as_of {now} ({path})"));
            updated = None;
        } else if let Some(p) = a.advisory.published
            && u < p
        {
            out.push(format!("updated {u} is before published {p} ({path})"));
            updated = None;
        }
    }
    (published, updated, settled(out))
}

/// A support cycle's date conflicts: support or end of life before the first release, end
/// of life before the end of active support, an end-of-life announcement dated after `as_of`
/// (not announced yet).
pub(super) fn cycle(c: &SupportCycleNode, as_of: Option<Timestamp>) -> Vec<String> {
    let place = at(&c.source);
    let mut out = Vec::new();
    let mut before = |later: (&str, Option<Date>), earlier: (&str, Date)| {
        if let Some(date) = later.1
            && date < earlier.1
        {
            out.push(format!(
                "{} {date} is before {} {} ({place})",
                later.0, earlier.0, earlier.1
            ));
        }
    };
    before(("support_until", c.support_until), ("released", c.released));
    before(("eol", c.eol), ("released", c.released));
    if let Some(until) = c.support_until {
        before(("eol", c.eol), ("support_until", until));
    }
    if let (Some(announced), Some(now)) = (c.eol_announced, as_of)
        && date_instant(announced).is_some_and(|t| t > now)
    {
        out.push(format!(
            "eol_announced {announced} is after as_of {now}: not announced yet ({place})"
        ));
    }
    settled(out)
}
