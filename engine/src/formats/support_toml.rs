//! `support.toml`: the product's support cycles, their end of support and end of life, and
//! when the end of life was announced.
//!
//! ```toml
//! [[cycle]]
//! cycle = "2.4"
//! released = 2026-04-01
//! support_until = 2027-04-01
//! eol = 2027-10-01
//! eol_announced = 2026-04-01
//! lts = false
//! ```

use std::collections::BTreeMap;

use super::toml_util::{self, TomlCtx};
use super::{Confidence, DetectInput, Evidence, EvidenceFormat, EvidenceKind, ParseInput, Parsed};
use crate::finding::FindingCode;

/// The keys of each `[[cycle]]`.
pub const CYCLE_KEYS: &[&str] = &[
    "cycle",
    "released",
    "support_until",
    "eol",
    "eol_announced",
    "lts",
];
/// The top-level tables.
pub const TOP_KEYS: &[&str] = &["cycle"];

/// One support cycle (a release line such as `2.4`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportCycle {
    /// The cycle name; releases whose version is the cycle or starts with `cycle.` belong to it.
    pub cycle: String,
    /// When the cycle's first release came out.
    pub released: jiff::civil::Date,
    /// End of active support (bug fixes), if published.
    pub support_until: Option<jiff::civil::Date>,
    /// End of security fixes; `None` means not announced yet.
    pub eol: Option<jiff::civil::Date>,
    /// When the end-of-life date was published.
    pub eol_announced: Option<jiff::civil::Date>,
    /// Long-term support.
    pub lts: bool,
    /// 1-based line of the `[[cycle]]` entry.
    pub line: u32,
}

/// A parsed `support.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SupportManifest {
    /// Cycles in file order.
    pub cycles: Vec<SupportCycle>,
}

/// The `support.toml` format.
#[derive(Debug, Clone, Copy, Default)]
pub struct SupportTomlFormat;

impl EvidenceFormat for SupportTomlFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::SupportManifest
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let by_name = input.file_name().eq_ignore_ascii_case("support.toml");
        let by_content = input.has_toml_table("cycle", true);
        Confidence::of(by_content, by_name)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        parse(input.path, input.bytes)
    }
}

/// Parses a `support.toml` at bundle path `path`. Never panics.
pub fn parse(path: &str, bytes: &[u8]) -> Parsed {
    toml_util::parse_manifest(
        path,
        bytes,
        |ctx, root| Some(read(ctx, root)),
        Evidence::Support,
    )
}

fn read(ctx: &mut TomlCtx, root: &toml::de::DeTable<'_>) -> SupportManifest {
    ctx.unknown_keys(root, TOP_KEYS, "support.toml");
    let mut manifest = SupportManifest::default();
    let Some(value) = root.get("cycle") else {
        ctx.missing(
            "cycle",
            "support.toml",
            0..0,
            "...` (one `[[cycle]]` table per cycle",
        );
        return manifest;
    };
    let mut seen: BTreeMap<String, u32> = BTreeMap::new();
    for (table, span) in toml_util::tables(ctx, value, "cycle") {
        ctx.unknown_keys(table, CYCLE_KEYS, "[[cycle]]");
        let line = ctx.line_of(span.start);
        let cycle = match table.get("cycle") {
            Some(v) => ctx.nonempty_string(v, "cycle"),
            None => {
                ctx.missing("cycle", "[[cycle]]", span.clone(), "\"2.4\"");
                None
            }
        };
        let released = match table.get("released") {
            Some(v) => ctx.date(v, "released"),
            None => {
                ctx.missing("released", "[[cycle]]", span.clone(), "2026-04-01");
                None
            }
        };
        let mut date = |key: &str| table.get(key).and_then(|v| ctx.date(v, key));
        let support_until = date("support_until");
        let eol = date("eol");
        let eol_announced = date("eol_announced");
        let lts = table
            .get("lts")
            .and_then(|v| ctx.boolean(v, "lts"))
            .unwrap_or(false);
        let (Some(cycle), Some(released)) = (cycle, released) else {
            continue;
        };
        if let Some(first) = seen.get(&cycle) {
            let span = table.get("cycle").map_or(span.clone(), |v| v.span());
            ctx.report(
                FindingCode::ManifestDuplicateCycle,
                span,
                format!("cycle `{cycle}` is listed twice (first on line {first})"),
                "list each cycle once",
            );
            continue;
        }
        seen.insert(cycle.clone(), line);
        let entry = SupportCycle {
            cycle,
            released,
            support_until,
            eol,
            eol_announced,
            lts,
            line,
        };
        check_dates(ctx, &entry, span);
        manifest.cycles.push(entry);
    }
    manifest
}

/// Warns about dates that contradict each other.
fn check_dates(ctx: &mut TomlCtx, c: &SupportCycle, span: std::ops::Range<usize>) {
    let mut problems = Vec::new();
    if let Some(until) = c.support_until
        && until < c.released
    {
        problems.push(format!(
            "support_until {until} is before released {}",
            c.released
        ));
    }
    if let Some(eol) = c.eol {
        if eol < c.released {
            problems.push(format!("eol {eol} is before released {}", c.released));
        }
        if let Some(until) = c.support_until
            && eol < until
        {
            problems.push(format!("eol {eol} is before support_until {until}"));
        }
        if let Some(announced) = c.eol_announced
            && announced > eol
        {
            problems.push(format!("eol_announced {announced} is after eol {eol}"));
        }
    } else if c.eol_announced.is_some() {
        problems.push("eol_announced is set but eol is not".to_owned());
    }
    for problem in problems {
        ctx.report(
            FindingCode::ManifestInconsistentDates,
            span.clone(),
            format!("cycle `{}`: {problem}", c.cycle),
            "released <= support_until <= eol, and eol_announced <= eol",
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const EXAMPLE: &str = "[[cycle]]\ncycle = \"2.4\"\nreleased = 2026-04-01\n\
        support_until = 2027-04-01\neol = 2027-10-01\neol_announced = 2026-04-01\nlts = false\n\n\
        [[cycle]]\ncycle = \"2.3\"\nreleased = 2025-10-01\n";

    #[test]
    fn reads_the_example() {
        let parsed = parse("support.toml", EXAMPLE.as_bytes());
        assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
        let Some(Evidence::Support(m)) = parsed.evidence else {
            panic!()
        };
        assert_eq!(m.cycles.len(), 2);
        assert_eq!(m.cycles[0].eol.unwrap().to_string(), "2027-10-01");
        assert_eq!(m.cycles[1].eol, None);
        assert_eq!(m.cycles[1].line, 9);
    }

    #[test]
    fn problems_point_at_lines() {
        let text = EXAMPLE
            .replace("lts = false", "lts = \"no\"\nsupport_untill = 2027-01-01")
            .replace("eol = 2027-10-01", "eol = 2025-01-01");
        let parsed = parse("support.toml", text.as_bytes());
        let codes: Vec<_> = parsed
            .findings
            .iter()
            .map(|f| (f.code, f.line.unwrap()))
            .collect();
        assert!(
            codes.contains(&(FindingCode::ManifestUnknownKey, 8)),
            "{codes:?}"
        );
        assert!(codes.contains(&(FindingCode::ManifestInvalidValue, 7)));
        assert!(codes.contains(&(FindingCode::ManifestInconsistentDates, 1)));
        let unknown = &parsed
            .findings
            .iter()
            .find(|f| f.code == FindingCode::ManifestUnknownKey);
        assert_eq!(
            unknown.unwrap().message,
            "unknown key `support_untill` in [[cycle]], did you mean `support_until`?"
        );
    }
}
