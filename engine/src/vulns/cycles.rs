//! Which release cycles a version, or a range of versions, falls in.
//!
//! Advisories state what they affect and what fixes it as versions (`2.4.1`), product names
//! that end in a version (CSAF `Widget 2.4.1`), ranges (OSV `>=2.3.0 <2.3.5`, `<2.4.2`) or
//! `vers:` ranges (`vers:semver/>=2.3.0|<2.3.5`). A support cycle (`2.4`) holds every version
//! whose leading numbers are the cycle's (`2.4.0`, `2.4.11`), so the question "does this
//! statement touch cycle 2.4" is whether the range meets the interval `[2.4, 2.5)`.
//!
//! Version numbers compare numerically part by part, missing parts counting as 0; a
//! pre-release or build suffix (`-rc.1`, `+build`) is ignored, which is conservative for
//! "which cycles" (a cycle is as wide as its numbers). A cycle name that is not numeric
//! (`bookworm`) is met only by a version equal to it.

use std::cmp::Ordering;

/// A version's numeric parts: `2.4.1` is `[2, 4, 1]`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Numbers(Vec<u64>);

impl Numbers {
    /// The leading dotted numbers of `text` (an optional `v` first); `None` unless it starts
    /// with a digit.
    fn parse(text: &str) -> Option<Numbers> {
        let text = text.trim();
        let text = text
            .strip_prefix('v')
            .or_else(|| text.strip_prefix('V'))
            .unwrap_or(text);
        let end = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let head = text.get(..end)?.trim_end_matches('.');
        if head.is_empty() {
            return None;
        }
        let parts: Option<Vec<u64>> = head.split('.').map(|p| p.parse().ok()).collect();
        parts.map(Numbers)
    }

    fn cmp(&self, other: &Numbers) -> Ordering {
        let len = self.0.len().max(other.0.len());
        for i in 0..len {
            let a = self.0.get(i).copied().unwrap_or(0);
            let b = other.0.get(i).copied().unwrap_or(0);
            match a.cmp(&b) {
                Ordering::Equal => {}
                unequal => return unequal,
            }
        }
        Ordering::Equal
    }

    /// The first version after the cycle: `2.4` gives `2.5`.
    fn next_cycle(&self) -> Numbers {
        let mut parts = self.0.clone();
        if let Some(last) = parts.last_mut() {
            *last = last.saturating_add(1);
        }
        Numbers(parts)
    }
}

/// One end of an interval: a version, and whether the version itself is inside.
#[derive(Debug, Clone)]
struct Bound {
    at: Numbers,
    inclusive: bool,
}

/// A set of versions: between a lower and an upper bound, either open-ended.
#[derive(Debug, Clone, Default)]
struct Interval {
    lower: Option<Bound>,
    upper: Option<Bound>,
}

impl Interval {
    fn exact(at: Numbers) -> Interval {
        Interval {
            lower: Some(Bound {
                at: at.clone(),
                inclusive: true,
            }),
            upper: Some(Bound {
                at,
                inclusive: true,
            }),
        }
    }

    /// Narrows the interval to versions `op version` (`>=`, `>`, `<`, `<=`, `=`).
    fn constrain(&mut self, op: &str, at: Numbers) {
        let bound = |inclusive| Bound {
            at: at.clone(),
            inclusive,
        };
        match op {
            ">=" | ">" => tighten(&mut self.lower, bound(op == ">="), Ordering::Greater),
            "<" | "<=" => tighten(&mut self.upper, bound(op == "<="), Ordering::Less),
            _ => {
                tighten(&mut self.lower, bound(true), Ordering::Greater);
                tighten(&mut self.upper, bound(true), Ordering::Less);
            }
        }
    }

    fn is_empty(&self) -> bool {
        match (&self.lower, &self.upper) {
            (Some(l), Some(u)) => match l.at.cmp(&u.at) {
                Ordering::Greater => true,
                Ordering::Equal => !(l.inclusive && u.inclusive),
                Ordering::Less => false,
            },
            _ => false,
        }
    }
}

/// Replaces `slot` with `bound` where `bound` is the tighter of the two: further in the
/// `inward` direction (`Greater` for a lower bound, `Less` for an upper one), or at the same
/// version but exclusive.
fn tighten(slot: &mut Option<Bound>, bound: Bound, inward: Ordering) {
    let tighter = slot.as_ref().is_none_or(|old| {
        let order = bound.at.cmp(&old.at);
        order == inward || (order == Ordering::Equal && !bound.inclusive)
    });
    if tighter {
        *slot = Some(bound);
    }
}

/// Reads a version entry as the set of versions it names: an exact version (possibly after
/// a product name), or a range of comparators. `None` when it names no version vouch can
/// read.
fn read_entry(entry: &str) -> Option<Vec<Interval>> {
    let entry = entry.trim();
    if let Some(rest) = entry.strip_prefix("vers:") {
        // `vers:SCHEME/CONSTRAINTS`: `|`-separated comparators, ANDed pairwise as ranges.
        let (_, constraints) = rest.split_once('/')?;
        return read_comparators(&constraints.replace('|', " ")).map(|i| vec![i]);
    }
    if entry.starts_with(['<', '>', '=']) {
        return read_comparators(entry).map(|i| vec![i]);
    }
    // An exact version, or a product name ending in one (`ACME Widget 2.4.1`).
    let last = entry.split_whitespace().last()?;
    Numbers::parse(last).map(|n| vec![Interval::exact(n)])
}

/// `>=2.3.0 <2.3.5`, `>= 2.3.0, < 2.3.5`, `<2.4`: every comparator applies.
fn read_comparators(text: &str) -> Option<Interval> {
    let mut interval = Interval::default();
    let mut rest = text.trim();
    let mut any = false;
    while !rest.is_empty() {
        rest = rest.trim_start_matches([',', ' ', '\t']);
        if rest.is_empty() {
            break;
        }
        let op_len = rest
            .find(|c: char| !matches!(c, '<' | '>' | '='))
            .unwrap_or(rest.len());
        let op = rest.get(..op_len)?;
        rest = rest.get(op_len..)?.trim_start();
        let end = rest
            .find(|c: char| c == ',' || c.is_whitespace())
            .unwrap_or(rest.len());
        let version = Numbers::parse(rest.get(..end)?)?;
        rest = rest.get(end..)?;
        interval.constrain(if op.is_empty() { "=" } else { op }, version);
        any = true;
    }
    any.then_some(interval)
}

/// Whether `entry` (a version, product name with version, or range) names a version in
/// `cycle`.
pub fn touches_cycle(entry: &str, cycle: &str) -> bool {
    // Only a cycle named by numbers alone (`2.4`, not `2.4-lts`) is a range of versions.
    let numeric = cycle
        .trim()
        .trim_start_matches(['v', 'V'])
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.');
    let Some(start) = Numbers::parse(cycle).filter(|_| numeric) else {
        return entry.trim() == cycle.trim() || entry.split_whitespace().last() == Some(cycle);
    };
    let Some(intervals) = read_entry(entry) else {
        return false;
    };
    intervals.into_iter().any(|mut interval| {
        interval.constrain(">=", start.clone());
        interval.constrain("<", start.next_cycle());
        !interval.is_empty()
    })
}

/// The cycles, of `cycles`, that any of `entries` touches, in the order of `cycles`.
pub fn cycles_touched<'c>(entries: &[&str], cycles: &[&'c str]) -> Vec<&'c str> {
    cycles
        .iter()
        .copied()
        .filter(|cycle| entries.iter().any(|e| touches_cycle(e, cycle)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_versions_fall_in_their_cycle_only() {
        assert!(touches_cycle("2.4.1", "2.4"));
        assert!(touches_cycle("v2.4.0", "2.4"));
        assert!(touches_cycle("ACME Widget 2.4.1", "2.4"));
        assert!(!touches_cycle("2.40.1", "2.4"));
        assert!(!touches_cycle("2.3.9", "2.4"));
        assert!(!touches_cycle("2.5.0", "2.4"));
        assert!(touches_cycle("2.4.1", "2"));
        assert!(touches_cycle("2.4.0-rc.1", "2.4"));
    }

    #[test]
    fn ranges_meet_a_cycle_when_they_overlap_it() {
        assert!(touches_cycle(">=2.3.0 <2.3.5", "2.3"));
        assert!(!touches_cycle(">=2.3.0 <2.3.5", "2.4"));
        assert!(touches_cycle(">=0 <2.4.2", "2.3"));
        assert!(touches_cycle(">=0 <2.4.2", "2.4"));
        assert!(!touches_cycle(">=0 <2.4.0", "2.4"));
        assert!(touches_cycle(">=0 <=2.4.0", "2.4"));
        assert!(touches_cycle(">= 2.3.0, < 2.3.5", "2.3"));
        assert!(touches_cycle(">=2.4.3", "2.4"));
        assert!(!touches_cycle(">2.4", "2.3"));
        assert!(touches_cycle("vers:semver/>=2.3.0|<2.3.5", "2.3"));
        assert!(!touches_cycle("vers:semver/>=2.3.0|<2.3.5", "2.4"));
    }

    #[test]
    fn unreadable_entries_and_named_cycles() {
        assert!(!touches_cycle("all versions", "2.4"));
        assert!(!touches_cycle("", "2.4"));
        assert!(touches_cycle("bookworm", "bookworm"));
        assert!(!touches_cycle("2.4.1", "bookworm"));
        assert!(!touches_cycle("2.4.1", "2.4-lts"));
    }

    #[test]
    fn cycles_touched_keeps_the_cycles_order() {
        assert_eq!(
            cycles_touched(
                &[">=0 <2.4.2", "Widget 2.2.9"],
                &["2.4", "2.3", "2.2", "2.5"]
            ),
            ["2.4", "2.3", "2.2"]
        );
    }
}
