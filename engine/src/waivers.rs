//! Waivers: accepted risks, kept apart from the policy in a TOML file the caller reads.
//!
//! ```toml
//! [[waiver]]
//! id = "W-2026-014"                      # optional; default CONTROL#N
//! control = "ACME-SIGN"
//! scope = "dist/*.zip"                   # optional glob over the evidence paths of a finding
//! justification = "the zip is signed by the store, not by us"
//! approver = "ciso@acme.example"
//! effective = 2026-09-01
//! expires = 2026-12-31                   # applies up to and including this day
//! risk = "low"                           # optional
//! ```
//!
//! A waiver turns the failures it matches into `waived` on the days from `effective` to
//! `expires` inclusive (the UTC date of `as_of`).

use std::collections::BTreeMap;

use globset::{GlobBuilder, GlobMatcher};
use jiff::civil::Date;

use crate::finding::{Finding, FindingCode, Severity};
use crate::formats::toml_util::{self, TomlCtx};

/// The keys of each `[[waiver]]`.
pub const WAIVER_KEYS: &[&str] = &[
    "id",
    "control",
    "scope",
    "justification",
    "approver",
    "effective",
    "expires",
    "risk",
];

/// One waiver.
#[derive(Debug, Clone)]
pub struct Waiver {
    /// Its id (given, or `CONTROL#N` for the N-th waiver of that control in the file).
    pub id: String,
    /// The control it waives.
    pub control: String,
    /// A glob over evidence paths: the waiver covers a finding only if one of the finding's
    /// evidence paths matches.
    pub scope: Option<String>,
    /// Why the risk is accepted.
    pub justification: String,
    /// Who accepted it.
    pub approver: String,
    /// First day it applies.
    pub effective: Date,
    /// Last day it applies.
    pub expires: Date,
    /// The accepted risk, if stated.
    pub risk: Option<String>,
    /// 1-based line of its `[[waiver]]` header.
    pub line: u32,
    matcher: Option<GlobMatcher>,
}

/// Where a waiver stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaiverState {
    /// In force, and it covered at least one finding.
    Applied,
    /// Past its `expires` day.
    Expired,
    /// Before its `effective` day.
    NotYetEffective,
    /// In force, but it matched nothing.
    Unused,
}

impl WaiverState {
    /// The name used in reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            WaiverState::Applied => "applied",
            WaiverState::Expired => "expired",
            WaiverState::NotYetEffective => "not_yet_effective",
            WaiverState::Unused => "unused",
        }
    }
}

impl Waiver {
    /// Whether it is in force on `day` (effective ..= expires); otherwise why not.
    pub fn in_force(&self, day: Date) -> Result<(), WaiverState> {
        if day > self.expires {
            Err(WaiverState::Expired)
        } else if day < self.effective {
            Err(WaiverState::NotYetEffective)
        } else {
            Ok(())
        }
    }

    /// Whether it covers a finding of `control` resting on evidence at `paths`.
    pub fn covers<'p>(&self, control: &str, mut paths: impl Iterator<Item = &'p str>) -> bool {
        self.control == control
            && match &self.matcher {
                None => true,
                Some(m) => paths.any(|p| m.is_match(p)),
            }
    }
}

/// Parses waivers from the TOML text of the file `name`. Errors (syntax, unknown or missing
/// keys, bad dates, bad globs, duplicate ids) are findings with line and column; warnings
/// alone do not make it fail and are returned with the waivers.
pub fn parse_waivers(name: &str, text: &str) -> Result<(Vec<Waiver>, Vec<Finding>), Vec<Finding>> {
    let mut ctx = match TomlCtx::new(name, text.as_bytes()) {
        Ok(ctx) => ctx,
        Err(f) => return Err(vec![*f]),
    };
    let src = std::sync::Arc::clone(&ctx.src);
    let mut waivers = Vec::new();
    if let Some(root) = toml_util::parse(&mut ctx, &src) {
        read(&mut ctx, root.get_ref(), &mut waivers);
    }
    if ctx.findings.iter().any(|f| f.severity == Severity::Error) {
        Err(ctx.findings)
    } else {
        Ok((waivers, ctx.findings))
    }
}

fn read(ctx: &mut TomlCtx, root: &toml::de::DeTable<'_>, out: &mut Vec<Waiver>) {
    ctx.unknown_keys(root, &["waiver"], "the waivers file");
    let Some(value) = root.get("waiver") else {
        return;
    };
    let mut per_control: BTreeMap<String, usize> = BTreeMap::new();
    let mut ids: BTreeMap<String, u32> = BTreeMap::new();
    for (table, span) in toml_util::tables(ctx, value, "waiver") {
        ctx.unknown_keys(table, WAIVER_KEYS, "[[waiver]]");
        let line = ctx.line_of(span.start);
        let text = |ctx: &mut TomlCtx, key: &str, example: &str| match table.get(key) {
            Some(v) => ctx.nonempty_string(v, key),
            None => {
                ctx.missing(key, "[[waiver]]", span.clone(), example);
                None
            }
        };
        let control = text(ctx, "control", "\"CONTROL-ID\"");
        let justification = text(ctx, "justification", "\"why the risk is accepted\"");
        let approver = text(ctx, "approver", "\"who accepted it\"");
        let date = |ctx: &mut TomlCtx, key: &str| match table.get(key) {
            Some(v) => ctx.date(v, key),
            None => {
                ctx.missing(key, "[[waiver]]", span.clone(), "2026-10-01");
                None
            }
        };
        let effective = date(ctx, "effective");
        let expires = date(ctx, "expires");
        let optional = |ctx: &mut TomlCtx, key: &str| {
            table
                .get(key)
                .and_then(|v| ctx.nonempty_string(v, key).map(|s| (s, v.span())))
        };
        let given_id = optional(ctx, "id");
        let risk = optional(ctx, "risk").map(|(s, _)| s);
        let scope = optional(ctx, "scope");
        let matcher = match &scope {
            Some((glob, span)) => match GlobBuilder::new(glob).literal_separator(true).build() {
                Ok(g) => Some(g.compile_matcher()),
                Err(e) => {
                    ctx.invalid(
                        span.clone(),
                        format!("`scope` is not a valid glob: {}", e.kind()),
                        "write a glob over bundle paths, e.g. `dist/*.zip`",
                    );
                    continue;
                }
            },
            None => None,
        };
        let (Some(control), Some(justification), Some(approver), Some(effective), Some(expires)) =
            (control, justification, approver, effective, expires)
        else {
            continue;
        };
        if expires < effective {
            let at = table.get("expires").map_or(span.clone(), |v| v.span());
            ctx.invalid(
                at,
                format!("`expires` {expires} is before `effective` {effective}"),
                "a waiver applies from `effective` to `expires`, both included",
            );
            continue;
        }
        let n = per_control.entry(control.clone()).or_insert(0);
        *n += 1;
        let id = match given_id {
            Some((id, span)) => {
                if let Some(first) = ids.get(&id) {
                    ctx.report(
                        FindingCode::ManifestInvalidValue,
                        span,
                        format!("waiver id `{id}` is used twice (first on line {first})"),
                        "give each waiver its own id",
                    );
                    continue;
                }
                id
            }
            None => format!("{control}#{n}"),
        };
        ids.insert(id.clone(), line);
        out.push(Waiver {
            id,
            control,
            scope: scope.map(|(s, _)| s),
            justification,
            approver,
            effective,
            expires,
            risk,
            line,
            matcher,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = "[[waiver]]\ncontrol = \"ACME-SIGN\"\nscope = \"dist/*.zip\"\n\
        justification = \"signed by the store\"\napprover = \"ciso@acme.example\"\n\
        effective = 2026-09-01\nexpires = 2026-10-31\n\n[[waiver]]\nid = \"W-2\"\n\
        control = \"ACME-TLS\"\njustification = \"legacy mirror\"\napprover = \"ciso\"\n\
        effective = 2026-01-01\nexpires = 2026-06-30\nrisk = \"medium\"\n";

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn reads_and_numbers_waivers() {
        let (waivers, warnings) = parse_waivers("waivers.toml", EXAMPLE).unwrap();
        assert!(warnings.is_empty());
        assert_eq!(waivers[0].id, "ACME-SIGN#1");
        assert_eq!(waivers[1].id, "W-2");
        assert_eq!(waivers[1].line, 9);
        assert!(waivers[0].covers("ACME-SIGN", ["release.toml", "dist/w.zip"].into_iter()));
        assert!(!waivers[0].covers("ACME-SIGN", ["dist/w.tar.gz"].into_iter()));
        assert!(waivers[1].covers("ACME-TLS", std::iter::empty()));
    }

    #[test]
    fn applies_through_the_expiry_day() {
        let (waivers, _) = parse_waivers("w.toml", EXAMPLE).unwrap();
        let w = &waivers[0];
        assert_eq!(w.in_force(day("2026-10-31")), Ok(()));
        assert_eq!(w.in_force(day("2026-11-01")), Err(WaiverState::Expired));
        assert_eq!(w.in_force(day("2026-09-01")), Ok(()));
        assert_eq!(
            w.in_force(day("2026-08-31")),
            Err(WaiverState::NotYetEffective)
        );
    }

    #[test]
    fn errors_have_lines_and_suggestions() {
        let text = EXAMPLE
            .replace("approver = \"ciso\"", "aprover = \"ciso\"")
            .replace("expires = 2026-10-31", "expires = \"soon\"");
        let errors = parse_waivers("w.toml", &text).unwrap_err();
        let shown: Vec<(u32, &str)> = errors
            .iter()
            .map(|f| (f.line.unwrap(), f.message.as_str()))
            .collect();
        assert!(
            shown.contains(&(
                13,
                "unknown key `aprover` in [[waiver]], did you mean `approver`?"
            )),
            "{shown:?}"
        );
        assert!(
            shown
                .iter()
                .any(|(l, m)| *l == 7 && m.contains("`expires` must be"))
        );
        assert!(
            shown
                .iter()
                .any(|(_, m)| m.contains("missing key `approver`"))
        );
    }

    #[test]
    fn rejects_backwards_dates_duplicate_ids_and_bad_globs() {
        let text = EXAMPLE.replace("effective = 2026-01-01", "effective = 2026-07-01");
        let errors = parse_waivers("w.toml", &text).unwrap_err();
        assert!(errors[0].message.contains("is before `effective`"));
        let text = EXAMPLE.replace(
            "control = \"ACME-SIGN\"",
            "id = \"W-2\"\ncontrol = \"ACME-SIGN\"",
        );
        assert!(
            parse_waivers("w.toml", &text).unwrap_err()[0]
                .message
                .contains("used twice")
        );
        let text = EXAMPLE.replace("dist/*.zip", "dist/[.zip");
        assert!(
            parse_waivers("w.toml", &text).unwrap_err()[0]
                .message
                .contains("not a valid glob")
        );
    }
}
