//! Maven version ordering (the rules of Maven's `ComparableVersion`), written here because no
//! maintained crate implements it: a version is split into items at `.` and `-` and where
//! digits meet letters; numbers compare as numbers, the well-known qualifiers in the order
//! `alpha` < `beta` < `milestone` < `rc` < `snapshot` < (release) < `sp`, and any other
//! qualifier after those, alphabetically. Trailing zeros and empty qualifiers do not count
//! (`1.0` = `1` = `1.0.0-ga`).

use std::cmp::Ordering;

/// One item of a Maven version.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    /// A number (digits, leading zeros ignored).
    Number(String),
    /// A qualifier (lower case, aliases resolved).
    Qualifier(String),
}

/// A Maven version, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MavenVersion {
    items: Vec<Item>,
}

/// The rank of a qualifier: the known ones in order, the release (empty) at 5, others after.
fn rank(q: &str) -> (u8, &str) {
    match q {
        "alpha" => (0, ""),
        "beta" => (1, ""),
        "milestone" => (2, ""),
        "rc" => (3, ""),
        "snapshot" => (4, ""),
        "" => (5, ""),
        "sp" => (6, ""),
        other => (7, other),
    }
}

fn alias(q: &str, before_number: bool) -> String {
    match q {
        "a" if before_number => "alpha".to_owned(),
        "b" if before_number => "beta".to_owned(),
        "m" if before_number => "milestone".to_owned(),
        "cr" => "rc".to_owned(),
        "ga" | "final" | "release" => String::new(),
        other => other.to_owned(),
    }
}

impl MavenVersion {
    /// Reads a version; `None` when it is empty or has characters Maven versions do not.
    pub fn parse(text: &str) -> Option<MavenVersion> {
        let text = text.trim().to_ascii_lowercase();
        if text.is_empty()
            || !text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+'))
        {
            return None;
        }
        let mut raw: Vec<String> = Vec::new();
        let mut current = String::new();
        let mut digits = false;
        for c in text.chars() {
            if matches!(c, '.' | '-' | '_' | '+') {
                raw.push(std::mem::take(&mut current));
                continue;
            }
            if !current.is_empty() && c.is_ascii_digit() != digits {
                raw.push(std::mem::take(&mut current));
            }
            digits = c.is_ascii_digit();
            current.push(c);
        }
        raw.push(current);
        let mut items = Vec::with_capacity(raw.len());
        for (i, part) in raw.iter().enumerate() {
            if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
                let n = part.trim_start_matches('0');
                items.push(Item::Number(n.to_owned()));
            } else {
                let next_is_number = raw
                    .get(i + 1)
                    .is_some_and(|p| p.bytes().next().is_some_and(|b| b.is_ascii_digit()));
                items.push(Item::Qualifier(alias(part, next_is_number)));
            }
        }
        // Trailing zeros and release qualifiers do not count.
        while matches!(items.last(), Some(Item::Number(n)) if n.is_empty())
            || matches!(items.last(), Some(Item::Qualifier(q)) if q.is_empty())
        {
            items.pop();
        }
        Some(MavenVersion { items })
    }
}

/// Compares two items; a missing item is a zero (against a number) or the release (against
/// a qualifier).
fn item_cmp(a: Option<&Item>, b: Option<&Item>) -> Ordering {
    let number = |n: &str, m: &str| n.len().cmp(&m.len()).then_with(|| n.cmp(m));
    match (a, b) {
        (None, None) => Ordering::Equal,
        (Some(Item::Number(n)), None) => number(n, ""),
        (None, Some(Item::Number(m))) => number("", m),
        (Some(Item::Qualifier(q)), None) => rank(q).cmp(&rank("")),
        (None, Some(Item::Qualifier(q))) => rank("").cmp(&rank(q)),
        (Some(Item::Number(n)), Some(Item::Number(m))) => number(n, m),
        // A number is newer than any qualifier.
        (Some(Item::Number(_)), Some(Item::Qualifier(_))) => Ordering::Greater,
        (Some(Item::Qualifier(_)), Some(Item::Number(_))) => Ordering::Less,
        (Some(Item::Qualifier(q)), Some(Item::Qualifier(r))) => rank(q).cmp(&rank(r)),
    }
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let len = self.items.len().max(other.items.len());
        (0..len)
            .map(|i| item_cmp(self.items.get(i), other.items.get(i)))
            .find(|o| *o != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
    }
}

impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> MavenVersion {
        MavenVersion::parse(text).unwrap_or(MavenVersion { items: Vec::new() })
    }

    #[test]
    fn maven_order() {
        let ordered = [
            "1.0-alpha1",
            "1.0-beta2",
            "1.0-m3",
            "1.0-rc1",
            "1.0-SNAPSHOT",
            "1.0",
            "1.0-sp1",
            "1.0-xyz",
            "1.0.1",
            "1.1",
            "1.10",
            "2.0-beta9",
            "2.15.0",
        ];
        for pair in ordered.windows(2) {
            assert_eq!(v(pair[0]).cmp(&v(pair[1])), Ordering::Less, "{pair:?}");
        }
        assert_eq!(v("1.0"), v("1"));
        assert_eq!(v("1.0.0-ga"), v("1"));
        assert_eq!(v("1.0-cr1"), v("1.0-rc1"));
        assert!(MavenVersion::parse("1.0 beta").is_none());
    }
}
