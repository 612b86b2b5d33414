//! Affected-version requirements as GitHub advisories write them
//! (`vulnerabilities[].vulnerable_version_range`: `< 1.3.0`, `>= 2.0.0, < 2.0.2`, `= 1.0.0`,
//! `<= 4.1.2`) and CSAF `product_version_range` names (the same comparisons, or a `vers:`
//! range: `vers:npm/>=1.0.0|<1.3.0`), judged for one version in the ecosystem's scheme.
//!
//! A requirement is comparisons that must all hold; a version meeting it is affected. One
//! that does not is fixed when it is at or past the stated first patched version, or past an
//! upper bound (`< X`: fixed in X; `<= X`: past the last affected X) while meeting every
//! lower bound; else (below a lower bound, or beside an exact version) it is unaffected.

use std::cmp::Ordering;

use super::{Key, RangeKind, Scheme, Verdict, compare};

/// One affected-version requirement, with the fixing version stated beside it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Requirement {
    /// The requirement, as written.
    pub text: String,
    /// The first patched version stated with it (GitHub `first_patched_version`).
    pub first_patched: Option<String>,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Op {
    fn holds(self, order: Ordering) -> bool {
        match self {
            Op::Lt => order == Ordering::Less,
            Op::Le => order != Ordering::Greater,
            Op::Gt => order == Ordering::Greater,
            Op::Ge => order != Ordering::Less,
            Op::Eq => order == Ordering::Equal,
            Op::Ne => order != Ordering::Equal,
        }
    }
}

/// The comparisons of `text`: GitHub's comma-separated form, or a `vers:` range's
/// `|`-separated constraints (the scheme after `vers:` is left to the ecosystem given). `None`
/// when a comparison has no version.
fn clauses(text: &str) -> Option<Vec<(Op, &str)>> {
    let (body, sep) = match text.trim().strip_prefix("vers:") {
        Some(rest) => (rest.split_once('/').map_or(rest, |(_, c)| c), '|'),
        None => (text, ','),
    };
    let mut out = Vec::new();
    for part in body.split(sep) {
        let part = part.trim();
        if part.is_empty() || part == "*" {
            continue;
        }
        let (op, version) = [
            (">=", Op::Ge),
            ("<=", Op::Le),
            ("!=", Op::Ne),
            (">", Op::Gt),
            ("<", Op::Lt),
            ("=", Op::Eq),
        ]
        .into_iter()
        .find_map(|(p, op)| part.strip_prefix(p).map(|v| (op, v.trim())))
        .unwrap_or((Op::Eq, part));
        if version.is_empty() {
            return None;
        }
        out.push((op, version));
    }
    (!out.is_empty()).then_some(out)
}

/// What `req` says about `version` in `ecosystem` (an OSV ecosystem name).
pub(super) fn judge(req: &Requirement, ecosystem: Option<&str>, version: &str) -> Verdict {
    let scheme = match Scheme::of(RangeKind::Ecosystem, ecosystem) {
        Ok(s) => s,
        Err(why) => return Verdict::Unknown(why),
    };
    let mine = match scheme.read(version) {
        Ok(k) => k,
        Err(why) => return Verdict::Unknown(format!("the release's version: {why}")),
    };
    let Some(parts) = clauses(&req.text) else {
        return Verdict::Unknown(format!(
            "the advisory's range `{}` cannot be read",
            req.text
        ));
    };
    let mut read: Vec<(Op, Key, &str)> = Vec::with_capacity(parts.len());
    for (op, text) in parts {
        match scheme.read(text) {
            Ok(k) => read.push((op, k, text)),
            Err(why) => return Verdict::Unknown(format!("the advisory's range: {why}")),
        }
    }
    let holds = |op: Op, key: &Key| op.holds(compare(&mine, key));
    if read.iter().all(|(op, key, _)| holds(*op, key)) {
        return Verdict::Affected;
    }
    if let Some(first) = &req.first_patched {
        match scheme.read(first) {
            Ok(k) if compare(&mine, &k) != Ordering::Less => {
                return Verdict::Fixed {
                    fixed_in: first.trim().to_owned(),
                    at_fix: compare(&mine, &k) == Ordering::Equal,
                };
            }
            Ok(_) => {}
            Err(why) => return Verdict::Unknown(format!("the advisory's fix: {why}")),
        }
    }
    let lower_met = read
        .iter()
        .filter(|(op, _, _)| matches!(op, Op::Ge | Op::Gt))
        .all(|(op, key, _)| holds(*op, key));
    let past_upper = read.iter().find_map(|(op, key, text)| match op {
        Op::Lt if !holds(*op, key) => Some((*text, compare(&mine, key) == Ordering::Equal)),
        Op::Le if !holds(*op, key) => Some((*text, false)),
        _ => None,
    });
    match past_upper {
        Some((fixed_in, at_fix)) if lower_met => Verdict::Fixed {
            fixed_in: fixed_in.to_owned(),
            at_fix,
        },
        _ => Verdict::Unaffected,
    }
}

/// The OSV name of a GitHub advisory ecosystem (`pip` is `PyPI`, `rust` is `crates.io`, ...);
/// others as written.
pub fn osv_ecosystem(github: &str) -> String {
    match github.trim().to_ascii_lowercase().as_str() {
        "pip" | "pypi" => "PyPI".to_owned(),
        "npm" => "npm".to_owned(),
        "rust" | "crates.io" | "cargo" => "crates.io".to_owned(),
        "maven" => "Maven".to_owned(),
        "go" | "golang" => "Go".to_owned(),
        "debian" | "deb" => "Debian".to_owned(),
        _ => github.trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(text: &str, first: Option<&str>) -> Requirement {
        Requirement {
            text: text.to_owned(),
            first_patched: first.map(str::to_owned),
        }
    }

    fn fixed(v: &str, at_fix: bool) -> Verdict {
        Verdict::Fixed {
            fixed_in: v.to_owned(),
            at_fix,
        }
    }

    #[test]
    fn github_ranges_in_each_scheme() {
        let r = req(">= 2.0.0, < 2.0.2", Some("2.0.2"));
        let py = Some("PyPI");
        assert_eq!(judge(&r, py, "2.0.1"), Verdict::Affected);
        assert_eq!(judge(&r, py, "2.0.2"), fixed("2.0.2", true));
        assert_eq!(judge(&r, py, "2.1"), fixed("2.0.2", false));
        assert_eq!(judge(&r, py, "1.11"), Verdict::Unaffected);
        // An upper bound without a stated fix: past it is fixed in it.
        let lt = req("< 1.3.0", None);
        assert_eq!(judge(&lt, Some("npm"), "1.3.0"), fixed("1.3.0", true));
        assert_eq!(judge(&lt, Some("npm"), "1.3.0-rc.1"), Verdict::Affected);
        let le = req("<= 4.1.2", None);
        assert_eq!(judge(&le, Some("Maven"), "4.1.2"), Verdict::Affected);
        assert_eq!(judge(&le, Some("Maven"), "4.1.3"), fixed("4.1.2", false));
        let eq = req("= 1.0.0", None);
        assert_eq!(judge(&eq, Some("crates.io"), "1.0.0"), Verdict::Affected);
        assert_eq!(judge(&eq, Some("crates.io"), "1.0.1"), Verdict::Unaffected);
        let deb = req("vers:deb/>=1:2.36-9|<1:2.36-9+deb12u4", None);
        assert_eq!(
            judge(&deb, Some("Debian"), "1:2.36-9+deb12u3"),
            Verdict::Affected
        );
    }

    #[test]
    fn what_cannot_be_read_decides_nothing() {
        let r = req("< 1.3.0", None);
        assert!(
            matches!(judge(&r, Some("RubyGems"), "1.0"), Verdict::Unknown(w) if w.contains("RubyGems"))
        );
        assert!(matches!(judge(&r, Some("npm"), "one"), Verdict::Unknown(_)));
        assert!(matches!(
            judge(&req(">=", None), Some("npm"), "1.0.0"),
            Verdict::Unknown(_)
        ));
        assert!(matches!(
            judge(&req("< x.y", None), Some("npm"), "1.0.0"),
            Verdict::Unknown(_)
        ));
    }

    #[test]
    fn ecosystems_are_named_as_osv_names_them() {
        assert_eq!(osv_ecosystem("pip"), "PyPI");
        assert_eq!(osv_ecosystem("rust"), "crates.io");
        assert_eq!(osv_ecosystem("RubyGems"), "RubyGems");
    }
}
