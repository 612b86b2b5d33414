//! The evidence a finding cites: the records read while its expectation is examined again,
//! kept to the first [`MAX_FINDING_EVIDENCE`] in the report's order, with a count of the
//! rest, so a finding that reads every file of a large bundle stays small.
//!
//! Collecting is cheap even when every finding reads every file: once the evidence is built,
//! its citations are sorted once into a [`CitationTable`] and each record knows its citation's
//! place there (its rank), so a finding marks the ranks it saw and keeps the smallest,
//! comparing numbers, not paths. A record from elsewhere (not ranked) is numbered on first
//! sight, by its address and then by its citation's value, so two records citing the same
//! place count once. A citation becomes the report's [`EvidenceRef`] only when it is kept.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::Arc;

use super::value::{Citation, Record, UNRANKED, Value};
use crate::report::{EvidenceRef, MAX_FINDING_EVIDENCE};

/// How many recently cited records a finding remembers by address.
const RECENT: usize = 4;

/// The number (and rank) of a record without a citation.
const UNCITED: u32 = u32::MAX - 1;

/// The evidence's distinct citations in the report's order: a record's rank is the position
/// of its citation here.
#[derive(Debug, Default)]
pub struct CitationTable {
    sorted: Vec<Citation>,
}

impl CitationTable {
    /// Ranks every record reachable from `roots`: sorts their distinct citations once and
    /// tells each record where its own stands.
    pub(crate) fn rank<'v>(roots: impl IntoIterator<Item = &'v Value>) -> CitationTable {
        let mut seen = HashSet::with_hasher(BuildHasherDefault::<AddressHasher>::default());
        let mut records = Vec::new();
        let mut stack: Vec<&Value> = roots.into_iter().collect();
        while let Some(value) = stack.pop() {
            match value {
                Value::Record(r) if seen.insert(Arc::as_ptr(r).cast::<()>() as usize) => {
                    stack.extend(r.fields().map(|(_, v)| v));
                    records.push(r);
                }
                Value::List(items) | Value::Set(items) => stack.extend(items.iter()),
                Value::Table(t) => stack.extend(t.values()),
                _ => {}
            }
        }
        let mut sorted: Vec<&Citation> =
            records.iter().filter_map(|r| r.citation.as_ref()).collect();
        sorted.sort_unstable_by(|a, b| order(a, b));
        sorted.dedup_by(|a, b| a == b);
        let table = CitationTable {
            sorted: sorted.into_iter().cloned().collect(),
        };
        for r in records {
            let rank = match &r.citation {
                None => UNCITED,
                Some(c) => table.find(c).unwrap_or(UNRANKED),
            };
            r.set_rank(rank);
        }
        table
    }

    /// The rank of a citation, if the table has it.
    fn find(&self, c: &Citation) -> Option<u32> {
        let at = self.sorted.binary_search_by(|x| order(x, c)).ok()?;
        u32::try_from(at).ok().filter(|&n| n < UNCITED)
    }

    fn len(&self) -> u32 {
        u32::try_from(self.sorted.len()).unwrap_or(UNCITED)
    }
}

/// Every citation a control's findings read, numbered once each: a ranked record's number is
/// its rank; others are numbered after the table's.
#[derive(Debug, Default)]
pub(crate) struct CitationIndex {
    /// The evidence's citations, ranked.
    table: Arc<CitationTable>,
    /// Record address to citation number ([`UNCITED`] for a record without one), for records
    /// not ranked. Records stay alive as long as the evidence an evaluation reads, so an
    /// address is one record.
    by_record: HashMap<usize, u32, BuildHasherDefault<AddressHasher>>,
    /// Citation to number, so records citing the same place share one.
    by_value: HashMap<Citation, u32>,
    /// The citations not in the table, by number less the table's length.
    others: Vec<Citation>,
    /// By number: the last finding that saw it (grown as numbers are seen).
    seen_by: Vec<u32>,
    /// The number of the finding being collected.
    finding: u32,
}

impl CitationIndex {
    /// Another index over the same table, with marks of its own: citations collected with it
    /// do not disturb those collected with this one (`vouch explain` lists what each step
    /// read while the control's collector runs).
    pub fn fresh(&self) -> Self {
        CitationIndex::new(Arc::clone(&self.table))
    }

    /// An index numbering the records of `table` by their ranks.
    pub fn new(table: Arc<CitationTable>) -> Self {
        CitationIndex {
            table,
            ..CitationIndex::default()
        }
    }

    /// The number of the citation of record `r`.
    #[inline]
    fn number(&mut self, r: &Arc<Record>) -> u32 {
        let rank = r.rank();
        if rank < self.table.len() || rank == UNCITED {
            return rank;
        }
        self.number_unranked(r)
    }

    fn number_unranked(&mut self, r: &Arc<Record>) -> u32 {
        let at = Arc::as_ptr(r).cast::<()>() as usize;
        if let Some(&n) = self.by_record.get(&at) {
            return n;
        }
        let n = match &r.citation {
            None => UNCITED,
            Some(c) => match self.table.find(c).or_else(|| self.by_value.get(c).copied()) {
                Some(n) => n,
                None => {
                    let n = self
                        .table
                        .len()
                        .checked_add(u32::try_from(self.others.len()).unwrap_or(UNCITED))
                        .filter(|&n| n < UNCITED)
                        .unwrap_or(UNCITED);
                    if n != UNCITED {
                        self.others.push(c.clone());
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
        let n = usize::try_from(n).ok()?;
        match self.table.sorted.get(n) {
            Some(c) => Some(c),
            None => self.others.get(n.checked_sub(self.table.sorted.len())?),
        }
    }

    /// How citations `a` and `b` compare in the report's order.
    fn compare(&self, a: u32, b: u32) -> Ordering {
        let ranked = self.table.len();
        if a < ranked && b < ranked {
            return a.cmp(&b);
        }
        match (self.citation(a), self.citation(b)) {
            (Some(x), Some(y)) => order(x, y),
            (x, y) => x.is_some().cmp(&y.is_some()),
        }
    }

    /// Marks `n` as seen by `finding`; whether it was already.
    #[inline]
    fn seen(&mut self, n: u32, finding: u32) -> bool {
        let Ok(i) = usize::try_from(n) else {
            return true;
        };
        if i >= self.seen_by.len() {
            self.seen_by.resize(i + 1, 0);
        }
        match self.seen_by.get_mut(i) {
            Some(by) if *by == finding => true,
            Some(by) => {
                *by = finding;
                false
            }
            None => true,
        }
    }
}

/// The citations of one finding, as they are collected.
#[derive(Debug)]
pub(crate) struct Cited {
    /// The finding's number in the index.
    finding: u32,
    /// The smallest distinct citations so far, in the report's order, at most the cap.
    kept: Vec<u32>,
    /// Beside each of `kept`: the tag current when it was first cited (see [`Cited::tag`]).
    tags: Vec<u32>,
    /// The tag given to citations from now on.
    tag: u32,
    /// Beside each of `kept`, when asked for ([`Cited::keeping_records`]): the record read
    /// there that says most (see [`detail`]), the first of those.
    records: Option<Vec<Arc<Record>>>,
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
            tags: Vec::new(),
            tag: 0,
            records: None,
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
        if n == UNCITED {
            return;
        }
        if index.seen(n, self.finding) {
            if let Some(records) = &mut self.records
                && let Some(at) = self.kept.iter().position(|&k| k == n)
                && let Some(slot) = records.get_mut(at)
                && detail(r.kind) > detail(slot.kind)
            {
                *slot = Arc::clone(r);
            }
            return;
        }
        self.distinct += 1;
        let smaller_than_kept = self.kept.len() < MAX_FINDING_EVIDENCE
            || self
                .kept
                .last()
                .is_some_and(|&last| index.compare(n, last) == Ordering::Less);
        if smaller_than_kept {
            let at = self
                .kept
                .partition_point(|&k| index.compare(k, n) == Ordering::Less);
            self.kept.insert(at, n);
            self.kept.truncate(MAX_FINDING_EVIDENCE);
            if at <= self.tags.len() {
                self.tags.insert(at, self.tag);
            }
            self.tags.truncate(MAX_FINDING_EVIDENCE);
            if let Some(records) = &mut self.records {
                if at <= records.len() {
                    records.insert(at, Arc::clone(r));
                }
                records.truncate(MAX_FINDING_EVIDENCE);
            }
        }
    }

    /// Keeps, beside each citation, the record read there (a passing control's collector
    /// describes each from its fields).
    pub fn keeping_records(mut self) -> Self {
        self.records = Some(Vec::new());
        self
    }

    /// Tags the citations first made from now on with `tag` (a passing control's collector
    /// tags each with the `expect` that read it).
    pub fn tag(&mut self, tag: u32) {
        self.tag = tag;
    }

    /// Like [`Cited::finish`], each citation with its tag and (when kept, see
    /// [`Cited::keeping_records`]) the record read there.
    pub fn finish_tagged(self, index: &CitationIndex) -> (Vec<TaggedCitation>, usize) {
        let records = self.records.unwrap_or_default();
        let kept: Vec<TaggedCitation> = self
            .kept
            .iter()
            .zip(&self.tags)
            .enumerate()
            .filter_map(|(i, (&n, &t))| {
                index
                    .citation(n)
                    .map(|c| (c.to_ref(), t, records.get(i).cloned()))
            })
            .collect();
        let omitted = self.distinct.saturating_sub(kept.len());
        (kept, omitted)
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

/// A citation kept by a tagged collector: the report's reference, its tag, and the record
/// read there when records were kept.
pub(crate) type TaggedCitation = (EvidenceRef, u32, Option<Arc<Record>>);

/// How much a record of `kind` says about the place it cites, where records of several kinds
/// cite one place: a coverage more than the signature it rests on, an artifact more than its
/// file, a checksum entry more than a chain's link to it.
fn detail(kind: &str) -> u8 {
    match kind {
        "Coverage" | "Artifact" | "Checksum" => 2,
        "File" | "CoverageLink" | "Release" => 0,
        _ => 1,
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
    fn ranked_records_keep_and_count_as_unranked_ones_do() {
        // 40 distinct citations in two records each; the first 50 records ranked (evidence),
        // the other 32 not (read from elsewhere), some citing the same places as ranked ones.
        let all: Vec<Citation> = (0..40u32)
            .map(|i| citation(&format!("f{:02}", (i * 17) % 40), Some(i % 3)))
            .collect();
        // Two places only records from elsewhere cite, one first in the report's order.
        let elsewhere = [citation("a0", None), citation("zz", Some(1))];
        let records: Vec<Arc<Record>> = all
            .iter()
            .chain(&all)
            .chain(&elsewhere)
            .map(record)
            .collect();
        let ranked = Value::list(records[..50].iter().cloned().map(Value::Record).collect());
        let table = Arc::new(CitationTable::rank([&ranked]));
        assert!(records[..50].iter().all(|r| r.rank() < table.len()));
        assert!(records[50..].iter().all(|r| r.rank() == UNRANKED));
        let collect = |index: &mut CitationIndex| {
            let mut cited = Cited::start(index);
            for r in records.iter().rev().chain(&records) {
                cited.record(r, index);
            }
            cited.finish(index)
        };
        let with_ranks = collect(&mut CitationIndex::new(table));
        let without = collect(&mut CitationIndex::default());
        assert_eq!(with_ranks, without);
        assert_eq!(with_ranks.0.len(), MAX_FINDING_EVIDENCE);
        assert_eq!(with_ranks.0[0].path, "a0");
        assert_eq!(with_ranks.1, 42 - MAX_FINDING_EVIDENCE);
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
