//! At most [`MAX_CONTROL_FINDINGS`] findings of one control are kept; the others are
//! counted. A bundle of 100,000 vulnerability records failing three controls would otherwise
//! hold (and write) 300,000 findings. Every finding, kept or not, gets its fingerprint and is
//! matched against the waivers as it is made, so a control's status and each waiver's count
//! of covered findings are what they would be with every finding kept.

use crate::report::Finding;
pub use crate::report::MAX_CONTROL_FINDINGS;
use crate::waivers::{FindingKey, fingerprint};

use super::waive::{Cover, Waivers};

/// The findings a control left out of its list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Omitted {
    /// How many.
    pub count: usize,
    /// How many of them no waiver covers.
    pub unwaived: usize,
}

/// Names each finding of a control, matches it against the waivers, and decides whether it
/// is kept.
#[derive(Debug)]
pub(crate) struct FindingCap<'a> {
    control: &'a str,
    waivers: &'a Waivers<'a>,
    /// How many are kept.
    limit: usize,
    /// What was left out so far.
    pub omitted: Omitted,
}

impl<'a> FindingCap<'a> {
    /// A cap for the findings of `control`, judged against `waivers`.
    pub fn new(control: &'a str, waivers: &'a Waivers<'a>) -> Self {
        FindingCap {
            control,
            waivers,
            limit: MAX_CONTROL_FINDINGS,
            omitted: Omitted::default(),
        }
    }

    /// Keeps `limit` findings rather than [`MAX_CONTROL_FINDINGS`] (`vouch explain
    /// --all-findings` keeps every one).
    pub fn with_limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Gives `finding` its fingerprint and the waiver that covers it, and says whether it is
    /// kept when `kept` findings already are; one that is not is counted instead.
    pub fn admit(&mut self, kept: usize, finding: &mut Finding) -> bool {
        name_and_waive(self.control, self.waivers, finding);
        if kept < self.limit {
            return true;
        }
        self.omitted.count += 1;
        if finding.waived_by.is_none() {
            self.omitted.unwaived += 1;
        }
        false
    }
}

/// Sets a finding's fingerprint, and `waived_by` when a waiver covers it.
pub(crate) fn name_and_waive(control: &str, waivers: &Waivers<'_>, finding: &mut Finding) {
    finding.fingerprint = fingerprint(&FindingKey {
        control,
        expect: &finding.expect,
        message: &finding.message,
        subject: finding.subject.as_deref(),
        evidence: &finding.evidence,
        evidence_omitted: finding.evidence_omitted,
    });
    if let Cover::Waived(i) = waivers.cover(
        control,
        &finding.fingerprint,
        finding.subject.as_deref(),
        finding.missing_evidence,
    ) {
        finding.waived_by = waivers.id(i).map(str::to_owned);
    }
}
