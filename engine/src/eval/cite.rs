//! The evidence a finding cites: the records read while its expectation is examined again,
//! kept to the first [`MAX_FINDING_EVIDENCE`] in the report's order, with a count of the
//! rest, so a finding that reads every file of a large bundle stays small.
//!
//! Collecting is cheap: a record read again soon after is recognised by its address, a
//! citation is turned into the report's [`EvidenceRef`] only when it is kept, and distinct
//! citations are counted in a hash set only once more than the cap have been seen.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use super::value::{Citation, Record};
use crate::report::{EvidenceRef, MAX_FINDING_EVIDENCE};

/// How many recently cited records are remembered by address.
const RECENT: usize = 4;

/// The citations of one finding, as they are collected.
#[derive(Debug, Default)]
pub(crate) struct Cited {
    /// The smallest distinct citations so far, in the report's order, at most the cap.
    kept: Vec<Citation>,
    /// Every distinct citation, once more than the cap have been seen.
    seen: Option<HashSet<Citation>>,
    /// The addresses of the records cited last (0: none), to skip them cheaply.
    recent: [usize; RECENT],
    next: usize,
}

impl Cited {
    /// Cites the record `r` was read from. Records stay alive as long as the evidence an
    /// evaluation reads, so an address seen before is the same record.
    #[inline]
    pub fn record(&mut self, r: &Arc<Record>) {
        let at = Arc::as_ptr(r).cast::<()>() as usize;
        if self.recent.contains(&at) {
            return;
        }
        if let Some(slot) = self.recent.get_mut(self.next % RECENT) {
            *slot = at;
        }
        self.next = self.next.wrapping_add(1);
        if let Some(c) = &r.citation {
            self.add(c);
        }
    }

    /// Cites `c`.
    pub fn add(&mut self, c: &Citation) {
        match &mut self.seen {
            None => {
                if self.kept.iter().any(|k| k == c) {
                    return;
                }
                if self.kept.len() == MAX_FINDING_EVIDENCE {
                    // From here on, distinct citations are counted in a set.
                    let seen = self.kept.iter().cloned().collect();
                    self.seen = Some(seen);
                    self.add(c);
                    return;
                }
                self.keep(c.clone());
            }
            Some(seen) => {
                if seen.contains(c) {
                    return;
                }
                seen.insert(c.clone());
                let smaller_than_kept = self
                    .kept
                    .last()
                    .is_none_or(|last| order(c, last) == Ordering::Less);
                if smaller_than_kept {
                    self.keep(c.clone());
                    self.kept.truncate(MAX_FINDING_EVIDENCE);
                }
            }
        }
    }

    fn keep(&mut self, c: Citation) {
        let at = self
            .kept
            .partition_point(|k| order(k, &c) == Ordering::Less);
        self.kept.insert(at, c);
    }

    /// The citations kept, in the report's order, and how many distinct others there were.
    pub fn finish(self) -> (Vec<EvidenceRef>, usize) {
        let omitted = self
            .seen
            .as_ref()
            .map_or(0, |s| s.len().saturating_sub(self.kept.len()));
        (self.kept.iter().map(Citation::to_ref).collect(), omitted)
    }
}

/// The order of the report's evidence lists ([`EvidenceRef`]'s): by path, digest, then
/// location text (`line 10` sorts before `line 9`), without making the text.
fn order(a: &Citation, b: &Citation) -> Ordering {
    a.path
        .cmp(&b.path)
        .then_with(|| a.sha256.cmp(&b.sha256))
        .then_with(|| match (a.line, b.line) {
            (Some(x), Some(y)) => decimal_text_order(x, y),
            (x, y) => x.cmp(&y),
        })
}

/// How the decimal texts of `x` and `y` compare, as strings.
fn decimal_text_order(x: u32, y: u32) -> Ordering {
    let digits = |n: u32| n.checked_ilog10().unwrap_or(0) + 1;
    let (dx, dy) = (digits(x), digits(y));
    // Pad the shorter with zeros on the right: then the numbers compare as the texts do,
    // and on a tie the shorter text (a prefix of the other) comes first.
    let scaled = |n: u32, by: u32| u64::from(n) * 10u64.pow(by);
    scaled(x, dy.saturating_sub(dx))
        .cmp(&scaled(y, dx.saturating_sub(dy)))
        .then(dx.cmp(&dy))
}

/// Citations are hashed by path and line (a path has one digest in a bundle); equality, which
/// also compares the digest, stays [`Citation`]'s own.
impl Hash for Citation {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.path.hash(state);
        self.line.hash(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn citation(path: &str, line: Option<u32>) -> Citation {
        Citation {
            path: Arc::from(path),
            sha256: Arc::from(format!("{:064}", path.len())),
            line,
        }
    }

    #[test]
    fn decimal_texts_order_as_strings() {
        let numbers = (0..=1200).chain([9_999, 10_000, 99_999, 4_294_967_295]);
        let numbers: Vec<u32> = numbers.collect();
        for &x in &numbers {
            for &y in numbers.iter().step_by(7) {
                assert_eq!(
                    decimal_text_order(x, y),
                    x.to_string().cmp(&y.to_string()),
                    "{x} {y}"
                );
            }
        }
    }

    #[test]
    fn the_order_is_the_reports() {
        let all = [
            citation("a", None),
            citation("a", Some(10)),
            citation("a", Some(9)),
            citation("a", Some(100)),
            citation("ab", Some(1)),
            citation("b", None),
        ];
        for x in &all {
            for y in &all {
                assert_eq!(order(x, y), x.to_ref().cmp(&y.to_ref()), "{x:?} {y:?}");
            }
        }
    }

    #[test]
    fn keeps_the_first_in_order_and_counts_the_rest_once() {
        // 40 distinct citations, each given three times, in a scrambled order.
        let all: Vec<Citation> = (0..40u32)
            .map(|i| citation(&format!("f{:02}", (i * 17) % 40), Some(i % 3)))
            .collect();
        let mut cited = Cited::default();
        for round in 0..3 {
            for c in all.iter().skip(round).chain(all.iter().take(round)) {
                cited.add(c);
            }
        }
        let (kept, omitted) = cited.finish();
        let mut expected: Vec<EvidenceRef> = all.iter().map(Citation::to_ref).collect();
        expected.sort();
        expected.truncate(MAX_FINDING_EVIDENCE);
        assert_eq!(kept, expected);
        assert_eq!(omitted, 40 - MAX_FINDING_EVIDENCE);
    }

    #[test]
    fn up_to_the_cap_nothing_is_omitted() {
        let mut cited = Cited::default();
        for i in (0..MAX_FINDING_EVIDENCE).rev() {
            cited.add(&citation(&format!("f{i:02}"), None));
            cited.add(&citation(&format!("f{i:02}"), None));
        }
        let (kept, omitted) = cited.finish();
        assert_eq!(kept.len(), MAX_FINDING_EVIDENCE);
        assert_eq!(kept[0].path, "f00");
        assert_eq!(omitted, 0);
    }
}
