//! Security identifiers mentioned in free text (changelogs, feed items): CVE, GHSA and the
//! OSV-style `PREFIX-YEAR-NUMBER` ids of the databases OSV aggregates.
//!
//! Recognised, case-insensitively, where the id is not part of a longer word:
//!
//! - `CVE-YYYY-NNNN` (four or more digits),
//! - `GHSA-xxxx-xxxx-xxxx` (three groups of four letters or digits),
//! - `PREFIX-YYYY-N` (one or more digits) for the other prefixes in [`YEAR_PREFIXES`].
//!
//! Every id is returned in upper case (as the vulnerability merge compares them), sorted and
//! without duplicates.

use std::collections::BTreeSet;

/// Prefixes of `PREFIX-YYYY-N` ids: CVE and the OSV databases (RustSec, PyPA, Go, OSV,
/// malicious packages, GSD) and the generic `SEC` used by vendor advisories.
pub const YEAR_PREFIXES: &[&str] = &["CVE", "RUSTSEC", "PYSEC", "GO", "OSV", "MAL", "GSD", "SEC"];

/// The security ids `text` mentions, upper-cased, sorted, without duplicates.
pub fn find(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    find_into(text, &mut found);
    found
}

/// Adds the security ids `text` mentions to `found`.
pub fn find_into(text: &str, found: &mut BTreeSet<String>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0
            || bytes
                .get(i.wrapping_sub(1))
                .is_some_and(|b| !b.is_ascii_alphanumeric() && *b != b'_');
        let is_letter = bytes.get(i).is_some_and(u8::is_ascii_alphabetic);
        if starts_word
            && is_letter
            && let Some((id, len)) = id_at(bytes.get(i..).unwrap_or_default())
        {
            found.insert(id);
            i = i.saturating_add(len);
            continue;
        }
        i = i.saturating_add(1);
    }
}

/// The id starting at the beginning of `rest`, and its length in bytes.
fn id_at(rest: &[u8]) -> Option<(String, usize)> {
    let prefix_len = rest.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let prefix = rest.get(..prefix_len)?;
    if rest.get(prefix_len) != Some(&b'-') {
        return None;
    }
    let after = rest.get(prefix_len.saturating_add(1)..)?;
    let len = if prefix.eq_ignore_ascii_case(b"GHSA") {
        ghsa_len(after)?
    } else if YEAR_PREFIXES
        .iter()
        .any(|p| prefix.eq_ignore_ascii_case(p.as_bytes()))
    {
        let min = if prefix.eq_ignore_ascii_case(b"CVE") {
            4
        } else {
            1
        };
        year_number_len(after, min)?
    } else {
        return None;
    };
    let total = prefix_len.saturating_add(1).saturating_add(len);
    // Not followed by more of a word (`CVE-2023-1234abc` is not an id).
    if rest
        .get(total)
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
    {
        return None;
    }
    let id = std::str::from_utf8(rest.get(..total)?).ok()?;
    Some((id.to_ascii_uppercase(), total))
}

/// `YYYY-N...` with at least `min` digits after the year.
fn year_number_len(s: &[u8], min: usize) -> Option<usize> {
    let year = s.get(..4)?;
    if !year.iter().all(u8::is_ascii_digit) || s.get(4) != Some(&b'-') {
        return None;
    }
    let digits = s
        .get(5..)?
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    (digits >= min).then_some(5usize.saturating_add(digits))
}

/// `xxxx-xxxx-xxxx` (letters and digits).
fn ghsa_len(s: &[u8]) -> Option<usize> {
    for group in 0..3usize {
        let start = group.saturating_mul(5);
        let chunk = s.get(start..start.saturating_add(4))?;
        if !chunk.iter().all(u8::is_ascii_alphanumeric) {
            return None;
        }
        if group < 2 && s.get(start.saturating_add(4)) != Some(&b'-') {
            return None;
        }
    }
    Some(14)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<String> {
        find(text).into_iter().collect()
    }

    #[test]
    fn finds_each_kind() {
        assert_eq!(
            ids("fixes CVE-2023-22742 and [RUSTSEC-2024-0335](https://x/RUSTSEC-2024-0335.html)"),
            ["CVE-2023-22742", "RUSTSEC-2024-0335"]
        );
        assert_eq!(
            ids("see ghsa-qc84-gqf4-9926, GO-2024-2963, PYSEC-2023-74, SEC-2026-001"),
            [
                "GHSA-QC84-GQF4-9926",
                "GO-2024-2963",
                "PYSEC-2023-74",
                "SEC-2026-001"
            ]
        );
        assert_eq!(
            ids("https://tanzu.vmware.com/security/cve-2022-22963"),
            ["CVE-2022-22963"]
        );
    }

    #[test]
    fn ignores_lookalikes() {
        assert!(ids("CVE-2023-123 XCVE-2023-12345 CVE-2023-12345x ISO-8601 GO-20-1").is_empty());
        assert!(ids("RUSTSEC-0000-0000 is the placeholder").len() == 1);
        assert!(ids("regorus-v0.10.1 2020-ESA-001").is_empty());
    }
}
