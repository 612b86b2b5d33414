//! The evidence a finding cites: the records read while its expectation is examined again,
//! kept to the first [`MAX_FINDING_EVIDENCE`] in the report's order, with a count of the
//! rest, so a finding that reads every file of a large bundle stays small.
//!
//! Collecting is cheap even when every finding reads every file: each record is numbered once
//! per control (by its address, then by its citation's value, so two records citing the same
//! place count once), a finding marks the numbers it saw, and a citation becomes the report's
//! [`EvidenceRef`] only when it is kept.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::Arc;

use super::value::{Citation, Record};
use crate::report::{EvidenceRef, MAX_FINDING_EVIDENCE};

/// How many recently cited records a finding remembers by address.
const RECENT: usize = 4;

/// The number of a record without a citation.
const UNCITED: u32 = u32::MAX;

/// Every citation a control's findings read, numbered once each.
#[derive(Debug, Default)]
pub(crate) struct CitationIndex {
    /// Record address to citation number ([`UNCITED`] for a record without one). Records stay
    /// alive as long as the evidence an evaluation reads, so an address is one record.
    by_record: HashMap<usize, u32, BuildHasherDefault<AddressHasher>>,
    /// Citation to number, so records citing the same place share one.
    by_value: HashMap<Citation, u32>,
    /// The citations, by number.
    citations: Vec<Citation>,
    /// By number: the last finding that saw it.
    seen_by: Vec<u32>,
    /// The number of the finding being collected.
    finding: u32,
}

impl CitationIndex {
    /// The number of the citation of record `r`.
    fn number(&mut self, r: &Arc<Record>) -> u32 {
        let at = Arc::as_ptr(r).cast::<()>() as usize;
        if let Some(&n) = self.by_record.get(&at) {
            return n;
        }
        let n = match &r.citation {
            None => UNCITED,
            Some(c) => match self.by_value.get(c) {
                Some(&n) => n,
                None => {
                    let n = u32::try_from(self.citations.len()).unwrap_or(UNCITED);
                    if n != UNCITED {
                        self.citations.push(c.clone());
                        self.seen_by.push(0);
                        self.by_value.insert(c.clone(), n);
                    }
                    n
                }
            },
        };
        self.by_record.insert(at, n);
        n
    }

    fn citation(&self, n: u32) -> Option<&Citation> {
        self.citations.get(usize::try_from(n).ok()?)
    }
}

/// The citations of one finding, as they are collected.
#[derive(Debug)]
pub(crate) struct Cited {
    /// The finding's number in the index.
    finding: u32,
    /// The smallest distinct citations so far, in the report's order, at most the cap.
    kept: Vec<u32>,
    /// How many distinct citations it saw.
    distinct: usize,
    /// The addresses of the records cited last (0: none), to skip them without a lookup.
    recent: [usize; RECENT],
    next: usize,
}

impl Cited {
    /// Starts collecting the citations of a new finding.
    pub fn start(index: &mut CitationIndex) -> Cited {
        index.finding = index.finding.wrapping_add(1);
        Cited {
            finding: index.finding,
            kept: Vec::new(),
            distinct: 0,
            recent: [0; RECENT],
            next: 0,
        }
    }

    /// Cites the record `r` was read from.
    #[inline]
    pub fn record(&mut self, r: &Arc<Record>, index: &mut CitationIndex) {
        let at = Arc::as_ptr(r).cast::<()>() as usize;
        if self.recent.contains(&at) {
            return;
        }
        if let Some(slot) = self.recent.get_mut(self.next % RECENT) {
            *slot = at;
        }
        self.next = self.next.wrapping_add(1);
        let n = index.number(r);
        let Some(seen_by) = usize::try_from(n)
            .ok()
            .and_then(|i| index.seen_by.get_mut(i))
        else {
            return;
        };
        if *seen_by == self.finding {
            return;
        }
        *seen_by = self.finding;
        self.distinct += 1;
        let Some(c) = index.citation(n) else {
            return;
        };
        let smaller_than_kept = self.kept.len() < MAX_FINDING_EVIDENCE
            || self
                .kept
                .last()
                .and_then(|&last| index.citation(last))
                .is_some_and(|last| order(c, last) == Ordering::Less);
        if smaller_than_kept {
            let at = self.kept.partition_point(|&k| {
                index
                    .citation(k)
                    .is_some_and(|k| order(k, c) == Ordering::Less)
            });
            self.kept.insert(at, n);
            self.kept.truncate(MAX_FINDING_EVIDENCE);
        }
    }

    /// The citations kept, in the report's order, and how many distinct others there were.
    pub fn finish(self, index: &CitationIndex) -> (Vec<EvidenceRef>, usize) {
        let kept: Vec<EvidenceRef> = self
            .kept
            .iter()
            .filter_map(|&n| index.citation(n))
            .map(Citation::to_ref)
            .collect();
        let omitted = self.distinct.saturating_sub(kept.len());
        (kept, omitted)
    }
}

/// A hasher for addresses: they are not chosen by any input, so one multiplication mixes
/// them well enough.
#[derive(Debug, Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
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

    /// A record citing `c`.
    fn record(c: &Citation) -> Arc<Record> {
        Record::new("Test", Arc::from(c.path.as_ref()), Some(c.clone()), [])
    }

    #[test]
    fn keeps_the_first_in_order_and_counts_the_rest_once() {
        // 40 distinct citations, each in two records and read three times, scrambled.
        let all: Vec<Citation> = (0..40u32)
            .map(|i| citation(&format!("f{:02}", (i * 17) % 40), Some(i % 3)))
            .collect();
        let records: Vec<Arc<Record>> = all.iter().chain(&all).map(record).collect();
        let mut index = CitationIndex::default();
        // The index is shared by the findings of a control: an earlier one changes nothing.
        let mut earlier = Cited::start(&mut index);
        earlier.record(&records[5], &mut index);
        assert_eq!(earlier.finish(&index).1, 0);
        let mut cited = Cited::start(&mut index);
        for round in 0..3 {
            for r in records.iter().skip(round).chain(records.iter().take(round)) {
                cited.record(r, &mut index);
            }
        }
        let (kept, omitted) = cited.finish(&index);
        let mut expected: Vec<EvidenceRef> = all.iter().map(Citation::to_ref).collect();
        expected.sort();
        expected.truncate(MAX_FINDING_EVIDENCE);
        assert_eq!(kept, expected);
        assert_eq!(omitted, 40 - MAX_FINDING_EVIDENCE);
    }

    #[test]
    fn up_to_the_cap_nothing_is_omitted() {
        // Two records per citation, and one without a citation.
        let mut records: Vec<Arc<Record>> = (0..MAX_FINDING_EVIDENCE)
            .rev()
            .flat_map(|i| {
                let c = citation(&format!("f{i:02}"), None);
                [record(&c), record(&c)]
            })
            .collect();
        records.push(Record::new("Test", Arc::from("x"), None, []));
        let mut index = CitationIndex::default();
        let mut cited = Cited::start(&mut index);
        for r in &records {
            cited.record(r, &mut index);
        }
        let (kept, omitted) = cited.finish(&index);
        assert_eq!(kept.len(), MAX_FINDING_EVIDENCE);
        assert_eq!(kept[0].path, "f00");
        assert_eq!(omitted, 0);
    }
}
