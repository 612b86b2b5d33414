//! At most [`MAX_CONTROL_FINDINGS`] findings of one control are kept; the others are
//! counted. A bundle of 100,000 vulnerability records failing three controls would otherwise
//! hold (and write) 300,000 findings. Each finding left out is still matched against the
//! waivers before it is dropped, so a control's status and each waiver's count of covered
//! findings are what they would be with every finding kept.

use jiff::civil::Date;

use crate::report::EvidenceRef;
pub use crate::report::MAX_CONTROL_FINDINGS;
use crate::waivers::Waiver;

/// The index of the first waiver in force on `day` that covers a finding of `control` with
/// this evidence.
pub(crate) fn covering_waiver(
    waivers: &[Waiver],
    control: &str,
    day: Date,
    evidence: &[EvidenceRef],
) -> Option<usize> {
    waivers.iter().position(|w| {
        w.in_force(day).is_ok() && w.covers(control, evidence.iter().map(|e| e.path.as_str()))
    })
}

/// The findings a control left out of its list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Omitted {
    /// How many.
    pub count: usize,
    /// How many of them no waiver covers.
    pub unwaived: usize,
    /// Per waiver (in the options' order), how many of them it covers.
    pub hits: Vec<usize>,
}

/// Decides, finding by finding, whether a control's finding is kept.
#[derive(Debug)]
pub(crate) struct FindingCap<'a> {
    control: &'a str,
    waivers: &'a [Waiver],
    day: Date,
    /// What was left out so far.
    pub omitted: Omitted,
}

impl<'a> FindingCap<'a> {
    /// A cap for the findings of `control`, judged against `waivers` on `day`.
    pub fn new(control: &'a str, waivers: &'a [Waiver], day: Date) -> Self {
        FindingCap {
            control,
            waivers,
            day,
            omitted: Omitted {
                hits: vec![0; waivers.len()],
                ..Omitted::default()
            },
        }
    }

    /// Whether a finding is kept when `kept` findings already are; one that is not is
    /// counted (and matched against the waivers) instead.
    pub fn admit(&mut self, kept: usize, evidence: &[EvidenceRef]) -> bool {
        if kept < MAX_CONTROL_FINDINGS {
            return true;
        }
        self.omitted.count += 1;
        match covering_waiver(self.waivers, self.control, self.day, evidence) {
            Some(i) => {
                if let Some(h) = self.omitted.hits.get_mut(i) {
                    *h += 1;
                }
            }
            None => self.omitted.unwaived += 1,
        }
        false
    }
}
