//! Version ranges as the package-url `vers` specification writes them
//! (`vers:npm/1.2.3|>=2.0.0|<5.0.0`, `vers:all/*`), and CSAF's vers-like specifier ("vls": the
//! constraints alone, `<=1.14.0`), with the question CSAF asks of them: is this version in
//! the range?
//!
//! A range is `|`-separated constraints, each a version with an optional comparator (`=`,
//! `!=`, `<`, `<=`, `>`, `>=`), or `*` alone for every version. Sorted by version, the
//! constraints other than `=` and `!=` must alternate between lower bounds (`>`, `>=`) and
//! upper bounds (`<`, `<=`), an `=` may only be followed by `=`, `>` or `>=`, and no version
//! may appear twice: the specification makes tools refuse a range that breaks these rules,
//! and vouch does. A version is in the range when it equals an `=`, `<=` or `>=` version, is
//! not an `!=` version, and lies in one of the intervals the bounds make (below a leading
//! upper bound, above a trailing lower bound, or between a lower bound and the upper bound
//! after it).
//!
//! Versions are compared in the scheme the range names: `npm`, `cargo`, `golang` and `semver`
//! as SemVer, `pypi` as PEP 440, `deb` as Debian versions, `maven` as Maven versions; `all`
//! and `none` hold every and no version. Any other scheme cannot be compared, and the range
//! decides nothing. A vers-like range has no scheme: it is read in the scheme of the
//! product's package URL type when the product has one, else only when every version is
//! dot-separated numbers, and never where the schemes vouch knows disagree (`1.14` and
//! `1.14.0` are one version in PEP 440 and Maven, two in Debian's).

use std::cmp::Ordering;

use super::{Key, Scheme, compare};

/// A constraint's comparator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn is_upper(self) -> bool {
        matches!(self, Cmp::Lt | Cmp::Le)
    }

    fn is_lower(self) -> bool {
        matches!(self, Cmp::Gt | Cmp::Ge)
    }

    fn text(self) -> &'static str {
        match self {
            Cmp::Eq => "=",
            Cmp::Ne => "!=",
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
        }
    }
}

/// A parsed range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersRange {
    /// The versioning scheme after `vers:`; `None` for a vers-like range.
    scheme: Option<String>,
    /// `*`: every version (of the scheme).
    star: bool,
    /// The constraints, as written (spaces removed, `%` escapes decoded).
    constraints: Vec<(Cmp, String)>,
}

/// Reads a `vers:` range, or (without the `vers:` prefix) a vers-like one. `Err` says why it
/// is not one.
pub fn parse(text: &str) -> Result<VersRange, String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let (scheme, body) = match compact.strip_prefix("vers:") {
        Some(rest) => {
            let Some((scheme, body)) = rest.split_once('/') else {
                return Err(format!("`{text}` has no `/` after its versioning scheme"));
            };
            if scheme.is_empty() || scheme.chars().any(|c| c.is_ascii_uppercase()) {
                return Err(format!(
                    "`{text}`: the versioning scheme must be given, in lower case"
                ));
            }
            (Some(scheme.to_owned()), body)
        }
        None if compact.to_ascii_lowercase().starts_with("vers:") => {
            return Err(format!(
                "`{text}`: the `vers` URI scheme is written in lower case"
            ));
        }
        None => (None, compact.as_str()),
    };
    if body.is_empty() {
        return Err(format!("`{text}` has no constraints"));
    }
    if body == "*" {
        return Ok(VersRange {
            scheme,
            star: true,
            constraints: Vec::new(),
        });
    }
    if matches!(scheme.as_deref(), Some("all" | "none")) {
        return Err(format!(
            "`{text}`: the `{}` scheme takes only `*`",
            scheme.unwrap_or_default()
        ));
    }
    let mut constraints = Vec::new();
    for part in body.split('|').filter(|p| !p.is_empty()) {
        if part.contains('*') {
            return Err(format!("`{text}`: `*` must stand alone"));
        }
        let (cmp, version) = [
            (">=", Cmp::Ge),
            ("<=", Cmp::Le),
            ("!=", Cmp::Ne),
            ("<", Cmp::Lt),
            (">", Cmp::Gt),
            ("=", Cmp::Eq),
        ]
        .into_iter()
        .find_map(|(p, cmp)| part.strip_prefix(p).map(|v| (cmp, v)))
        .unwrap_or((Cmp::Eq, part));
        if version.is_empty() || version.starts_with(['<', '>', '=', '!']) {
            return Err(format!("`{text}`: `{part}` has no version"));
        }
        constraints.push((
            cmp,
            unquote(version)
                .ok_or_else(|| format!("`{text}`: `{version}` has a malformed `%` escape"))?,
        ));
    }
    if constraints.is_empty() {
        return Err(format!("`{text}` has no constraints"));
    }
    Ok(VersRange {
        scheme,
        star: false,
        constraints,
    })
}

/// `%XX` escapes decoded; `None` for a malformed one or bytes that are not UTF-8.
fn unquote(text: &str) -> Option<String> {
    if !text.contains('%') {
        return Some(text.to_owned());
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The scheme a vers versioning scheme (or a package URL type) names; `Err` for one vouch
/// cannot compare.
fn scheme_named(name: &str) -> Result<Scheme, String> {
    match name {
        "npm" | "cargo" | "golang" | "semver" => Ok(Scheme::Semver),
        "pypi" => Ok(Scheme::Pep440),
        "deb" => Ok(Scheme::Deb),
        "maven" => Ok(Scheme::Maven),
        other => Err(format!(
            "vouch cannot compare versions of the `{other}` versioning scheme"
        )),
    }
}

impl VersRange {
    /// Whether `version` is in the range. A vers-like range (no scheme) is read in the scheme
    /// of `purl_type` (the product's package URL type) when given. `Err` says why it cannot
    /// be told: a scheme vouch cannot compare, a version that does not read in it, a range
    /// the specification calls invalid, or (vers-like) schemes that disagree.
    pub fn contains(&self, version: &str, purl_type: Option<&str>) -> Result<bool, String> {
        let scheme = match (self.scheme.as_deref(), purl_type) {
            (Some("all"), _) => return Ok(true),
            (Some("none"), _) => return Ok(false),
            (Some(name), _) => scheme_named(name)?,
            (None, Some(purl)) => scheme_named(&purl.to_ascii_lowercase())?,
            (None, None) => Scheme::Numeric,
        };
        let mine = scheme
            .read(version)
            .map_err(|why| format!("the release's version: {why}"))?;
        if self.star {
            return Ok(true);
        }
        let mut read: Vec<(Cmp, Key, &str)> = Vec::with_capacity(self.constraints.len());
        for (cmp, text) in &self.constraints {
            let key = scheme.read(text)?;
            if scheme == Scheme::Numeric
                && compare(&key, &mine) == Ordering::Equal
                && numbers(text) != numbers(version)
            {
                return Err(format!(
                    "`{text}` and `{version}` are one version in some schemes and two in \
                     others, and the range names no scheme"
                ));
            }
            read.push((*cmp, key, text));
        }
        read.sort_by(|a, b| compare(&a.1, &b.1));
        check(&read)?;
        Ok(holds(&read, &mine))
    }
}

/// How many dot-separated numbers a plain version has.
fn numbers(text: &str) -> usize {
    text.split('.').count()
}

/// The specification's validity rules over constraints sorted by version.
fn check(sorted: &[(Cmp, Key, &str)]) -> Result<(), String> {
    for pair in sorted.windows(2) {
        if let [a, b] = pair
            && compare(&a.1, &b.1) == Ordering::Equal
        {
            return Err(format!("the version `{}` appears twice in the range", b.2));
        }
    }
    let mut previous: Option<Cmp> = None;
    for (cmp, _, text) in sorted.iter().filter(|(c, _, _)| *c != Cmp::Ne) {
        let bad = match (previous, *cmp) {
            (Some(Cmp::Eq), next) => next.is_upper(),
            (Some(p), next) if p.is_upper() => next.is_upper(),
            (Some(p), next) if p.is_lower() => next == Cmp::Eq || next.is_lower(),
            _ => false,
        };
        if bad {
            return Err(format!(
                "`{}{text}` cannot follow `{}` in a range: bounds must alternate between \
                 lower and upper",
                cmp.text(),
                previous.map_or("", Cmp::text)
            ));
        }
        previous = Some(*cmp);
    }
    Ok(())
}

/// The specification's containment check over valid constraints sorted by version.
fn holds(sorted: &[(Cmp, Key, &str)], mine: &Key) -> bool {
    for (cmp, key, _) in sorted {
        if compare(mine, key) == Ordering::Equal {
            match cmp {
                Cmp::Eq | Cmp::Le | Cmp::Ge => return true,
                Cmp::Ne => return false,
                Cmp::Lt | Cmp::Gt => {}
            }
        }
    }
    let bounds: Vec<(Cmp, &Key)> = sorted
        .iter()
        .filter(|(c, _, _)| !matches!(c, Cmp::Eq | Cmp::Ne))
        .map(|(c, k, _)| (*c, k))
        .collect();
    let last = bounds.len().saturating_sub(1);
    for (i, (cmp, key)) in bounds.iter().enumerate() {
        let order = compare(mine, key);
        if i == 0 && cmp.is_upper() && order == Ordering::Less {
            return true;
        }
        if i == last && cmp.is_lower() && order == Ordering::Greater {
            return true;
        }
        if cmp.is_lower()
            && order == Ordering::Greater
            && let Some((next, upper)) = bounds.get(i + 1)
            && next.is_upper()
            && compare(mine, upper) == Ordering::Less
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn within(range: &str, version: &str) -> Result<bool, String> {
        parse(range)?.contains(version, None)
    }

    #[test]
    fn the_specifications_examples() {
        let r = "vers:npm/1.2.3|>=2.0.0|<5.0.0";
        assert_eq!(within(r, "1.2.3"), Ok(true));
        assert_eq!(within(r, "1.2.4"), Ok(false));
        assert_eq!(within(r, "2.0.0"), Ok(true));
        assert_eq!(within(r, "4.9.9"), Ok(true));
        assert_eq!(within(r, "5.0.0"), Ok(false));
        assert_eq!(
            within(r, "5.0.0-rc.1"),
            Ok(true),
            "a SemVer pre-release is before 5.0.0"
        );
        let tomee = "vers:maven/>=1.0.0-beta1|<=1.7.5|>=7.0.0-M1|<=7.0.7|>=7.1.0|<=7.1.2|>=8.0.0-M1|<=8.0.1";
        assert_eq!(within(tomee, "7.0.7"), Ok(true));
        assert_eq!(within(tomee, "7.0.8"), Ok(false));
        assert_eq!(within(tomee, "1.0.0"), Ok(true));
        assert_eq!(within(tomee, "8.0.2"), Ok(false));
        // Unsorted constraints are sorted by version first; spaces are not significant.
        assert_eq!(within("vers:pypi/ <2.0 | >= 1.0 ", "1.5"), Ok(true));
        assert_eq!(
            within("vers:pypi/0.0.0|0.0.1|1.0|2.0pre1", "2.0rc1"),
            Ok(true),
            "PEP 440 normalises"
        );
        assert_eq!(
            within("vers:pypi/0.0.0|0.0.1|1.0|2.0pre1", "1.0.0"),
            Ok(true)
        );
        assert_eq!(
            within("vers:deb/>=1:2.36-9|<1:2.36-9+deb12u4", "1:2.36-9+deb12u3"),
            Ok(true)
        );
        assert_eq!(
            within("vers:deb/>=1:2.36-9|<1:2.36-9+deb12u4", "2.40-1"),
            Ok(false)
        );
    }

    #[test]
    fn star_exclusions_and_single_bounds() {
        assert_eq!(within("vers:all/*", "anything"), Ok(true));
        assert_eq!(within("vers:none/*", "1.0"), Ok(false));
        assert_eq!(within("vers:npm/*", "1.0.0"), Ok(true));
        assert!(within("vers:npm/*", "not a version").is_err());
        let r = "vers:npm/>=2.2.0|!=2.2.1|<2.3.0";
        assert_eq!(within(r, "2.2.0"), Ok(true));
        assert_eq!(within(r, "2.2.1"), Ok(false));
        assert_eq!(within(r, "2.2.2"), Ok(true));
        assert_eq!(within(r, "2.3.0"), Ok(false));
        // A single bound: everything below (or above) it.
        assert_eq!(within("vers:npm/<1.3.0", "1.2.9"), Ok(true));
        assert_eq!(within("vers:npm/<1.3.0", "1.3.0"), Ok(false));
        assert_eq!(within("vers:npm/>1.3.0", "1.3.1"), Ok(true));
        assert_eq!(within("vers:npm/>1.3.0", "1.3.0"), Ok(false));
        // `!=` alone leaves no interval: nothing is in it (the specification's algorithm).
        assert_eq!(within("vers:npm/!=1.0.0", "1.1.0"), Ok(false));
        // An exact version followed by a lower bound.
        assert_eq!(within("vers:npm/1.0.0|>=2.0.0", "3.0.0"), Ok(true));
        assert_eq!(within("vers:npm/1.0.0|>=2.0.0", "1.5.0"), Ok(false));
    }

    #[test]
    fn vers_like_ranges_compare_plain_numbers_only() {
        assert_eq!(within("<=1.14.0", "1.13.2"), Ok(true));
        assert_eq!(within("<=1.14.0", "1.14.0"), Ok(true));
        assert_eq!(within("<=1.14.0", "1.14.1"), Ok(false));
        assert_eq!(within("<=1.14.0", "1.9.0"), Ok(true), "numbers, not text");
        assert_eq!(within("<V3.0.29", "v3.0.28"), Ok(true));
        assert_eq!(within(">=8.1.5", "10.0"), Ok(true));
        // `1.14` against `1.14.0`: one version in PEP 440 and Maven, two in Debian.
        assert!(within("<=1.14", "1.14.0").is_err());
        assert!(within("<=1.14.0", "1.14.0-beta").is_err());
        // With the product's package URL type, its scheme decides.
        let r = parse("<1.3.0").unwrap();
        assert_eq!(r.contains("1.3.0-rc.1", Some("npm")), Ok(true));
        assert!(r.contains("1.3.0-rc.1", Some("gem")).is_err());
    }

    #[test]
    fn what_the_specification_calls_invalid_is_refused() {
        for (range, why) in [
            ("vers:npm/", "no constraints"),
            ("vers:npm", "no `/`"),
            ("vers:NPM/<1.0.0", "lower case"),
            ("VERS:npm/<1.0.0", "lower case"),
            ("vers:npm/*|<1.0.0", "stand alone"),
            ("vers:npm/>=", "no version"),
            ("vers:npm/>=<1.0.0", "no version"),
            ("0 < 9.8.12", "is not a plain dotted-number version"),
            ("vers:npm/<1.0.0|<2.0.0", "alternate"),
            ("vers:npm/>=1.0.0|>=2.0.0", "alternate"),
            ("vers:npm/1.0.0|<2.0.0", "alternate"),
            ("vers:npm/>=1.0.0|<1.0.0", "twice"),
            ("vers:npm/%zz1.0.0", "escape"),
            ("vers:gem/>=2.2.0|<2.3.0", "`gem`"),
            ("vers:all/<1.0", "only `*`"),
        ] {
            let got = within(range, "1.0.0");
            assert!(
                matches!(&got, Err(w) if w.contains(why)),
                "{range}: {got:?} (wanted {why})"
            );
        }
        assert!(
            matches!(within("vers:npm/<2.0.0", "2.0"), Err(w) if w.contains("release's version"))
        );
    }
}
