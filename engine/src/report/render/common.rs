//! Lookups and wording shared by the renderers.

use std::collections::HashMap;

use crate::report::model::{ControlResult, Report, Status, WaiverResult};

/// The report's overall outcome: the worst status of its controls ([`Status::badness`]), or
/// `unassessed` when it has none.
pub(crate) fn verdict(report: &Report) -> Status {
    report
        .controls
        .iter()
        .map(|c| c.status)
        .max_by_key(|s| s.badness())
        .unwrap_or(Status::Unassessed)
}

/// Words for a status in prose and badges.
pub(crate) const fn status_words(status: Status) -> &'static str {
    match status {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::Waived => "waived",
        Status::Manual => "manual review",
        Status::NotApplicable => "not applicable",
        Status::Error => "error",
        Status::Unassessed => "unassessed",
    }
}

/// Controls by id.
pub(crate) fn controls_by_id(report: &Report) -> HashMap<&str, &ControlResult> {
    report.controls.iter().map(|c| (c.id.as_str(), c)).collect()
}

/// Waivers by id.
pub(crate) fn waivers_by_id(report: &Report) -> HashMap<&str, &WaiverResult> {
    report.waivers.iter().map(|w| (w.id.as_str(), w)).collect()
}

/// `and N more evidence records`: what a finding's evidence list leaves out
/// ([`crate::report::Finding::evidence_omitted`]); `None` when it leaves out none.
pub(crate) fn more_evidence(omitted: usize) -> Option<String> {
    match omitted {
        0 => None,
        1 => Some("and 1 more evidence record".to_owned()),
        n => Some(format!("and {n} more evidence records")),
    }
}

/// `and N more findings, not listed`: what a control's findings list leaves out
/// ([`crate::report::ControlResult::findings_omitted`]); `None` when it leaves out none.
pub(crate) fn more_findings(omitted: usize) -> Option<String> {
    match omitted {
        0 => None,
        1 => Some("and 1 more finding, not listed".to_owned()),
        n => Some(format!(
            "and {n} more findings, not listed (a control lists its first {})",
            crate::report::MAX_CONTROL_FINDINGS
        )),
    }
}

/// The line number of an evidence location written `line N`.
pub(crate) fn location_line(location: Option<&str>) -> Option<u64> {
    let rest = location?.strip_prefix("line ")?;
    rest.trim().parse::<u64>().ok().filter(|n| *n > 0)
}

/// `SOURCE:LINE` split into the source and its line, when it ends in a line number.
pub(crate) fn split_source(source: &str) -> (&str, Option<u64>) {
    match source.rsplit_once(':') {
        Some((file, line)) => match line.parse::<u64>() {
            Ok(n) if n > 0 => (file, Some(n)),
            _ => (source, None),
        },
        None => (source, None),
    }
}

/// How many of a control's findings no waiver covers.
pub(crate) fn open_findings(control: &ControlResult) -> usize {
    control
        .findings
        .iter()
        .filter(|f| f.waived_by.is_none())
        .count()
}

/// Plural suffix.
pub(crate) const fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The waiver text shown next to a waived finding: `waived by ID (approver, until DATE)`.
pub(crate) fn waiver_note(id: &str, waivers: &HashMap<&str, &WaiverResult>) -> String {
    match waivers.get(id) {
        Some(w) => format!("waived by {id} ({}, until {})", w.approver, w.expires),
        None => format!("waived by {id}"),
    }
}

/// How many of a passing control's evidence records the compact reporters (Markdown, HTML,
/// JUnit) list; the JSON report lists up to [`crate::report::MAX_PASS_EVIDENCE`].
pub(crate) const SHOWN_PASS_EVIDENCE: usize = 3;

/// One line about what a passing control rests on: `2 checks held on 5 evidence records` (or
/// why it rests on none).
pub(crate) fn pass_summary(p: &crate::report::PassEvidence) -> String {
    let records = p.evidence.len() + p.evidence_omitted;
    match &p.vacuous {
        Some(why) if records == 0 => format!("passed without evidence: {why}"),
        // Partly vacuous: what held, and which loop checked nothing.
        Some(why) => format!(
            "{} check{} held on {records} evidence record{}; {why}",
            p.checks.len(),
            plural(p.checks.len()),
            plural(records)
        ),
        None => format!(
            "{} check{} held on {records} evidence record{}",
            p.checks.len(),
            plural(p.checks.len()),
            plural(records)
        ),
    }
}

/// A passing control's evidence record on one line: `PATH (LOCATION) sha256 HEX: SENTENCE`,
/// the sentence built from the record's fields ([`crate::report::PassRecord::checked`]).
pub(crate) fn pass_record_line(r: &crate::report::PassRecord) -> String {
    let location =
        r.at.location
            .as_deref()
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
    format!(
        "{}{location} sha256 {}: {}",
        r.at.path, r.at.sha256, r.checked
    )
}

/// `PRODUCT VERSION (DATE, cycle CYCLE)`, each value written with `text` (the format's escape).
pub(super) fn release_line(
    out: &mut String,
    release: &crate::report::inputs::ReleaseRef,
    text: fn(&mut String, &str),
) {
    text(out, &release.product);
    out.push(' ');
    text(out, &release.version);
    out.push_str(" (");
    text(out, &release.date);
    if let Some(cycle) = &release.cycle {
        out.push_str(", cycle ");
        text(out, cycle);
    }
    out.push(')');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_sources_parse() {
        assert_eq!(location_line(Some("line 12")), Some(12));
        assert_eq!(location_line(Some("line 0")), None);
        assert_eq!(location_line(Some("/vulnerabilities/3")), None);
        assert_eq!(location_line(None), None);
        assert_eq!(split_source("policy.vouch:17"), ("policy.vouch", Some(17)));
        assert_eq!(split_source("std.uk-sscop"), ("std.uk-sscop", None));
        assert_eq!(split_source("c:\\x"), ("c:\\x", None));
    }
}
