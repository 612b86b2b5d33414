//! Affected version ranges (OSV `affected[].ranges[]` and `versions[]`, RustSec
//! `[versions]`, GitHub and CSAF requirements: [`requirement`]) and the status they give a vulnerability for one version of the product.
//!
//! Versions are compared in the scheme of the range's ecosystem: SemVer for OSV `SEMVER`
//! ranges and the npm, crates.io and Go ecosystems (the `semver` crate), PEP 440 for PyPI
//! (`pep440_rs`), dpkg ordering for Debian and Ubuntu (`debversion`) and Maven's ordering
//! ([`maven`]). `GIT` ranges name commits, which no version can be compared with: they are
//! kept as commits and never decide a status. A version that cannot be read in its scheme,
//! or an ecosystem vouch has no ordering for, decides nothing: the caller keeps the
//! vulnerability affected and says why.

mod maven;
mod requirement;
pub mod vers;

pub use requirement::{Requirement, osv_ecosystem};

use std::cmp::Ordering;
use std::str::FromStr;

/// What kind of range an OSV `ranges[].type` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeKind {
    /// `SEMVER`: SemVer 2.0 versions, whatever the ecosystem.
    Semver,
    /// `ECOSYSTEM`: versions in the ecosystem's own scheme.
    Ecosystem,
    /// `GIT`: commit hashes.
    Git,
}

impl RangeKind {
    /// Reads an OSV range type; `None` for a type vouch does not know.
    pub fn parse(word: &str) -> Option<RangeKind> {
        match word {
            "SEMVER" => Some(RangeKind::Semver),
            "ECOSYSTEM" => Some(RangeKind::Ecosystem),
            "GIT" => Some(RangeKind::Git),
            _ => None,
        }
    }
}

/// One OSV range event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeEvent {
    /// Affected from this version (or commit) on; `0` is before every version.
    Introduced(String),
    /// Fixed in this version (or commit).
    Fixed(String),
    /// Affected up to and including this version.
    LastAffected(String),
    /// The range ends here (GIT ranges).
    Limit(String),
}

/// One OSV range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffectedRange {
    /// Its type.
    pub kind: RangeKind,
    /// Its events, as written.
    pub events: Vec<RangeEvent>,
}

/// One affected package of an advisory: its name, ecosystem, and which of its versions are
/// affected (OSV ranges and versions, or RustSec's `patched`/`unaffected` requirements).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AffectedPackage {
    /// The ecosystem (`PyPI`, `npm`, `crates.io`, `Maven`, `Debian:12`, ...).
    pub ecosystem: Option<String>,
    /// The package name.
    pub name: Option<String>,
    /// The package's purl, when given.
    pub purl: Option<String>,
    /// OSV ranges.
    pub ranges: Vec<AffectedRange>,
    /// OSV `versions`: affected versions listed one by one.
    pub versions: Vec<String>,
    /// RustSec `versions.patched`: SemVer requirements the fixed versions meet.
    pub patched: Vec<String>,
    /// RustSec `versions.unaffected`: SemVer requirements of versions never affected.
    pub unaffected: Vec<String>,
    /// Affected-version requirements (GitHub `vulnerable_version_range`, CSAF
    /// `product_version_range`), each with its stated fix.
    pub requirements: Vec<Requirement>,
}

impl AffectedPackage {
    /// Frees the spare capacity its lists grew with while read.
    pub fn shrink_to_fit(&mut self) {
        self.ranges.shrink_to_fit();
        for range in &mut self.ranges {
            range.events.shrink_to_fit();
        }
        for list in [&mut self.versions, &mut self.patched, &mut self.unaffected] {
            list.shrink_to_fit();
        }
        self.requirements.shrink_to_fit();
    }
}

/// What the ranges say about one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Inside an affected range (or listed as affected).
    Affected,
    /// At or past a fixing version of the range it is in.
    Fixed {
        /// That fixing version (the last one the version is past).
        fixed_in: String,
        /// Whether the version is that fixing version itself (not a later one): the release
        /// is then the fix, and its date the fix's.
        at_fix: bool,
    },
    /// Below every `introduced` version (or unaffected): not a vulnerability of the version.
    Unaffected,
    /// Cannot be decided; why.
    Unknown(String),
}

/// A version, read in one scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    /// Before every version (`introduced: "0"`).
    Zero,
    Semver(semver::Version),
    Pep440(pep440_rs::Version),
    Deb(debversion::Version),
    Maven(maven::MavenVersion),
    /// Dot-separated numbers (a vers-like range with no scheme, [`vers`]).
    Numeric(Vec<u64>),
}

fn compare(a: &Key, b: &Key) -> Ordering {
    match (a, b) {
        (Key::Zero, Key::Zero) => Ordering::Equal,
        (Key::Zero, _) => Ordering::Less,
        (_, Key::Zero) => Ordering::Greater,
        (Key::Semver(a), Key::Semver(b)) => a.cmp(b),
        (Key::Pep440(a), Key::Pep440(b)) => a.cmp(b),
        (Key::Deb(a), Key::Deb(b)) => a.cmp(b),
        (Key::Maven(a), Key::Maven(b)) => a.cmp(b),
        // Missing trailing numbers are zeros (`1.14` is `1.14.0`): the caller refuses to
        // decide where that matters (schemes disagree on it).
        (Key::Numeric(a), Key::Numeric(b)) => {
            let n = a.len().max(b.len());
            let at = |v: &[u64], i: usize| v.get(i).copied().unwrap_or(0);
            (0..n)
                .map(|i| at(a, i).cmp(&at(b, i)))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        }
        // One range is read in one scheme: never reached.
        _ => Ordering::Equal,
    }
}

/// How versions of an ecosystem are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Semver,
    Pep440,
    Deb,
    Maven,
    /// Dot-separated numbers, an optional leading `v` (vers-like ranges with no scheme).
    Numeric,
}

impl Scheme {
    /// The scheme of a range of `kind` in `ecosystem`; `Err` names what has none.
    fn of(kind: RangeKind, ecosystem: Option<&str>) -> Result<Scheme, String> {
        if kind == RangeKind::Semver {
            return Ok(Scheme::Semver);
        }
        let eco = ecosystem.unwrap_or("");
        // `Debian:12`, `Ubuntu:22.04:LTS`: the release after the colon does not change the
        // ordering.
        let base = eco.split(':').next().unwrap_or(eco);
        match base {
            "npm" | "crates.io" | "Go" => Ok(Scheme::Semver),
            "PyPI" => Ok(Scheme::Pep440),
            "Debian" | "Ubuntu" => Ok(Scheme::Deb),
            "Maven" => Ok(Scheme::Maven),
            "" => Err("an ECOSYSTEM range of a package with no ecosystem".to_owned()),
            other => Err(format!(
                "vouch does not compare versions of the `{other}` ecosystem"
            )),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Scheme::Semver => "SemVer",
            Scheme::Pep440 => "PEP 440",
            Scheme::Deb => "Debian",
            Scheme::Maven => "Maven",
            Scheme::Numeric => "plain dotted-number",
        }
    }

    /// Reads `text` as a version of this scheme; `0` is before every version.
    fn read(self, text: &str) -> Result<Key, String> {
        let text = text.trim();
        if text == "0" {
            return Ok(Key::Zero);
        }
        let bad = || format!("`{text}` is not a {} version", self.name());
        match self {
            Scheme::Semver => semver::Version::parse(text.strip_prefix('v').unwrap_or(text))
                .map(Key::Semver)
                .map_err(|_| bad()),
            Scheme::Pep440 => pep440_rs::Version::from_str(text)
                .map(Key::Pep440)
                .map_err(|_| bad()),
            Scheme::Deb => debversion::Version::from_str(text)
                .map(Key::Deb)
                .map_err(|_| bad()),
            Scheme::Maven => maven::MavenVersion::parse(text)
                .map(Key::Maven)
                .ok_or_else(bad),
            Scheme::Numeric => text
                .strip_prefix(['v', 'V'])
                .unwrap_or(text)
                .split('.')
                .map(|n| {
                    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                        return None;
                    }
                    n.parse::<u64>().ok()
                })
                .collect::<Option<Vec<u64>>>()
                .map(Key::Numeric)
                .ok_or_else(bad),
        }
    }
}

/// What `packages` (the affected packages of one advisory about the product) say about
/// `version` of the product. Any range or listing that affects it makes it `Affected`; else a
/// fix it is past makes it `Fixed`; else, when every range was judged, `Unaffected`. A
/// range that cannot be judged (an unreadable version, an ecosystem with no ordering) makes
/// the verdict `Unknown` unless another range finds it affected. `None` when no package has
/// a range, a listed version or a RustSec requirement (GIT ranges do not count).
pub fn judge(packages: &[&AffectedPackage], version: &str) -> Option<Verdict> {
    let mut judged = false;
    let mut fixed: Option<(String, bool)> = None;
    let mut unknown: Option<String> = None;
    for p in packages {
        for r in &p.ranges {
            if r.kind == RangeKind::Git {
                continue;
            }
            judged = true;
            match judge_range(r, p.ecosystem.as_deref(), version) {
                Verdict::Affected => return Some(Verdict::Affected),
                Verdict::Fixed { fixed_in, at_fix } => prefer_fix(&mut fixed, fixed_in, at_fix),
                Verdict::Unaffected => {}
                Verdict::Unknown(why) => unknown = unknown.or(Some(why)),
            }
        }
        for r in &p.requirements {
            judged = true;
            match requirement::judge(r, p.ecosystem.as_deref(), version) {
                Verdict::Affected => return Some(Verdict::Affected),
                Verdict::Fixed { fixed_in, at_fix } => prefer_fix(&mut fixed, fixed_in, at_fix),
                Verdict::Unaffected => {}
                Verdict::Unknown(why) => unknown = unknown.or(Some(why)),
            }
        }
        if !p.versions.is_empty() {
            judged = true;
            if listed(p, version) {
                return Some(Verdict::Affected);
            }
        }
        if !p.patched.is_empty() || !p.unaffected.is_empty() {
            judged = true;
            match judge_requirements(p, version) {
                Verdict::Affected => return Some(Verdict::Affected),
                Verdict::Fixed { fixed_in, at_fix } => prefer_fix(&mut fixed, fixed_in, at_fix),
                Verdict::Unaffected => {}
                Verdict::Unknown(why) => unknown = unknown.or(Some(why)),
            }
        }
    }
    if !judged {
        return None;
    }
    Some(match (unknown, fixed) {
        (Some(why), _) => Verdict::Unknown(why),
        (None, Some((fixed_in, at_fix))) => Verdict::Fixed { fixed_in, at_fix },
        (None, None) => Verdict::Unaffected,
    })
}

/// Keeps the first fixing version found, unless a later one is the version judged itself
/// (the release is then a fix, whatever other ranges say).
fn prefer_fix(fixed: &mut Option<(String, bool)>, fixed_in: String, at_fix: bool) {
    if fixed.is_none() || (at_fix && fixed.as_ref().is_some_and(|(_, here)| !here)) {
        *fixed = Some((fixed_in, at_fix));
    }
}

/// Whether `version` is one of the package's listed `versions` (compared in its scheme when
/// both read, else as written).
fn listed(p: &AffectedPackage, version: &str) -> bool {
    let scheme = Scheme::of(RangeKind::Ecosystem, p.ecosystem.as_deref()).ok();
    let mine = scheme.and_then(|s| s.read(version).ok());
    p.versions.iter().any(|v| {
        v.trim() == version.trim()
            || match (scheme.and_then(|s| s.read(v).ok()), &mine) {
                (Some(a), Some(b)) => compare(&a, b) == Ordering::Equal,
                _ => false,
            }
    })
}

/// One range: its events in version order, walked up to `version` (OSV's evaluation).
fn judge_range(range: &AffectedRange, ecosystem: Option<&str>, version: &str) -> Verdict {
    let scheme = match Scheme::of(range.kind, ecosystem) {
        Ok(s) => s,
        Err(why) => return Verdict::Unknown(why),
    };
    let mine = match scheme.read(version) {
        Ok(k) => k,
        Err(why) => return Verdict::Unknown(format!("the release's version: {why}")),
    };
    let mut events: Vec<(Key, &RangeEvent, &str)> = Vec::with_capacity(range.events.len());
    for event in &range.events {
        let text = match event {
            RangeEvent::Introduced(v)
            | RangeEvent::Fixed(v)
            | RangeEvent::LastAffected(v)
            | RangeEvent::Limit(v) => v.as_str(),
        };
        if matches!(event, RangeEvent::Limit(_)) {
            continue;
        }
        match scheme.read(text) {
            Ok(k) => events.push((k, event, text)),
            Err(why) => return Verdict::Unknown(format!("the advisory's range: {why}")),
        }
    }
    events.sort_by(|a, b| compare(&a.0, &b.0));
    let mut affected = false;
    let mut past_introduced = false;
    let mut fixed_in: Option<(&str, bool)> = None;
    for (key, event, text) in &events {
        let order = compare(key, &mine);
        match event {
            RangeEvent::Introduced(_) if order != Ordering::Greater => {
                affected = true;
                past_introduced = true;
            }
            RangeEvent::Fixed(_) if order != Ordering::Greater && affected => {
                affected = false;
                fixed_in = Some((text, order == Ordering::Equal));
            }
            // The version after the last affected one is not known to be the fix.
            RangeEvent::LastAffected(_) if order == Ordering::Less && affected => {
                affected = false;
                fixed_in = Some((text, false));
            }
            _ => {}
        }
    }
    if affected {
        Verdict::Affected
    } else if past_introduced && let Some((v, at_fix)) = fixed_in {
        Verdict::Fixed {
            fixed_in: (*v).to_owned(),
            at_fix,
        }
    } else {
        Verdict::Unaffected
    }
}

/// RustSec's requirements: a version meeting a `patched` requirement is fixed, one meeting an
/// `unaffected` requirement was never affected, any other is affected.
fn judge_requirements(p: &AffectedPackage, version: &str) -> Verdict {
    let Ok(mine) = semver::Version::parse(version.trim().strip_prefix('v').unwrap_or(version))
    else {
        return Verdict::Unknown(format!(
            "the release's version: `{version}` is not a SemVer version"
        ));
    };
    let meets = |reqs: &[String]| -> Result<Option<String>, String> {
        for text in reqs {
            let req = semver::VersionReq::parse(text)
                .map_err(|_| format!("the advisory's `{text}` is not a SemVer requirement"))?;
            if req.matches(&mine) {
                return Ok(Some(text.clone()));
            }
        }
        Ok(None)
    };
    match (meets(&p.patched), meets(&p.unaffected)) {
        (Err(why), _) | (_, Err(why)) => Verdict::Unknown(why),
        (Ok(Some(req)), _) => {
            let fixed_in = fixed_version(&req);
            let at_fix = semver::Version::parse(&fixed_in).is_ok_and(|v| v == mine);
            Verdict::Fixed { fixed_in, at_fix }
        }
        (Ok(None), Ok(Some(_))) => Verdict::Unaffected,
        (Ok(None), Ok(None)) => Verdict::Affected,
    }
}

/// The version a RustSec `patched` requirement starts at (`>= 0.8.7` gives `0.8.7`,
/// `^1.2.3` gives `1.2.3`), else the requirement as written.
pub fn fixed_version(req: &str) -> String {
    let first = req.split(',').next().unwrap_or(req).trim();
    for prefix in [">=", "^", "="] {
        if let Some(rest) = first.strip_prefix(prefix) {
            return rest.trim().to_owned();
        }
    }
    req.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn osv(ecosystem: &str, kind: RangeKind, events: &[(&str, &str)]) -> AffectedPackage {
        AffectedPackage {
            ecosystem: Some(ecosystem.to_owned()),
            name: Some("p".to_owned()),
            ranges: vec![AffectedRange {
                kind,
                events: events
                    .iter()
                    .map(|(k, v)| match *k {
                        "introduced" => RangeEvent::Introduced((*v).to_owned()),
                        "fixed" => RangeEvent::Fixed((*v).to_owned()),
                        "last_affected" => RangeEvent::LastAffected((*v).to_owned()),
                        _ => RangeEvent::Limit((*v).to_owned()),
                    })
                    .collect(),
            }],
            ..AffectedPackage::default()
        }
    }

    /// Fixed in `v`, by a later version.
    fn fixed(v: &str) -> Option<Verdict> {
        Some(Verdict::Fixed {
            fixed_in: v.to_owned(),
            at_fix: false,
        })
    }

    /// Fixed in `v`, the version judged.
    fn fixed_here(v: &str) -> Option<Verdict> {
        Some(Verdict::Fixed {
            fixed_in: v.to_owned(),
            at_fix: true,
        })
    }

    #[test]
    fn the_fixing_release_itself_is_fixed() {
        let p = osv(
            "PyPI",
            RangeKind::Ecosystem,
            &[("introduced", "2.3.0"), ("fixed", "2.31.0")],
        );
        assert_eq!(judge(&[&p], "2.31.0"), fixed_here("2.31.0"));
        assert_eq!(judge(&[&p], "2.31.1"), fixed("2.31.0"));
        assert_eq!(judge(&[&p], "2.30.0"), Some(Verdict::Affected));
        // PEP 440, not text: 2.4 is before 2.31, and a pre-release before its release.
        assert_eq!(judge(&[&p], "2.4"), Some(Verdict::Affected));
        assert_eq!(judge(&[&p], "2.31.0rc1"), Some(Verdict::Affected));
        assert_eq!(judge(&[&p], "2.2.9"), Some(Verdict::Unaffected));
    }

    #[test]
    fn each_ecosystem_orders_its_own_versions() {
        let npm = osv(
            "npm",
            RangeKind::Ecosystem,
            &[("introduced", "0"), ("fixed", "1.2.10")],
        );
        assert_eq!(judge(&[&npm], "1.2.9"), Some(Verdict::Affected));
        assert_eq!(judge(&[&npm], "1.2.10"), fixed_here("1.2.10"));
        assert_eq!(judge(&[&npm], "1.2.10-beta.1"), Some(Verdict::Affected));
        let deb = osv(
            "Debian:12",
            RangeKind::Ecosystem,
            &[("introduced", "0"), ("fixed", "1:2.36-9+deb12u4")],
        );
        assert_eq!(judge(&[&deb], "1:2.36-9+deb12u3"), Some(Verdict::Affected));
        assert_eq!(
            judge(&[&deb], "1:2.36-9+deb12u10"),
            fixed("1:2.36-9+deb12u4")
        );
        assert_eq!(
            judge(&[&deb], "2.40-1"),
            Some(Verdict::Affected),
            "epoch 0 < 1"
        );
        let maven = osv(
            "Maven",
            RangeKind::Ecosystem,
            &[("introduced", "2.0-beta9"), ("fixed", "2.15.0")],
        );
        assert_eq!(judge(&[&maven], "2.15.0-rc1"), Some(Verdict::Affected));
        assert_eq!(judge(&[&maven], "2.15"), fixed_here("2.15.0"));
        assert_eq!(judge(&[&maven], "1.2.17"), Some(Verdict::Unaffected));
        let last = osv(
            "crates.io",
            RangeKind::Ecosystem,
            &[("introduced", "0.8.0"), ("last_affected", "0.8.6")],
        );
        assert_eq!(judge(&[&last], "0.8.6"), Some(Verdict::Affected));
        assert_eq!(judge(&[&last], "0.8.7"), fixed("0.8.6"));
    }

    #[test]
    fn the_range_a_version_is_past_the_introduction_of_decides() {
        let p = osv(
            "npm",
            RangeKind::Semver,
            &[
                ("introduced", "1.0.0"),
                ("fixed", "1.4.2"),
                ("introduced", "2.0.0"),
                ("fixed", "2.1.0"),
            ],
        );
        assert_eq!(judge(&[&p], "0.9.0"), Some(Verdict::Unaffected));
        assert_eq!(judge(&[&p], "1.5.0"), fixed("1.4.2"));
        assert_eq!(judge(&[&p], "2.0.5"), Some(Verdict::Affected));
        assert_eq!(judge(&[&p], "2.1.0"), fixed_here("2.1.0"));
    }

    #[test]
    fn what_cannot_be_compared_decides_nothing() {
        let git = osv(
            "PyPI",
            RangeKind::Git,
            &[
                ("introduced", "0"),
                ("fixed", "74ea7cf7b6a27a4fd6e1f94b6a75e4e2b1d2d6a8"),
            ],
        );
        assert_eq!(judge(&[&git], "2.31.0"), None);
        let p = osv(
            "PyPI",
            RangeKind::Ecosystem,
            &[("introduced", "0"), ("fixed", "2.31.0")],
        );
        assert!(matches!(
            judge(&[&p], "not a version!"),
            Some(Verdict::Unknown(_))
        ));
        let odd = osv(
            "Hackage",
            RangeKind::Ecosystem,
            &[("introduced", "0"), ("fixed", "1.0")],
        );
        assert!(
            matches!(judge(&[&odd], "2.0"), Some(Verdict::Unknown(w)) if w.contains("Hackage"))
        );
        // Another range that finds it affected still decides.
        assert_eq!(judge(&[&odd, &p], "2.0"), Some(Verdict::Affected));
    }

    #[test]
    fn rustsec_requirements() {
        let p = AffectedPackage {
            patched: vec![">= 0.8.7".to_owned()],
            unaffected: vec!["< 0.8.0".to_owned()],
            ..AffectedPackage::default()
        };
        assert_eq!(judge(&[&p], "0.8.7"), fixed_here("0.8.7"));
        assert_eq!(judge(&[&p], "0.8.6"), Some(Verdict::Affected));
        assert_eq!(judge(&[&p], "0.7.9"), Some(Verdict::Unaffected));
        assert_eq!(fixed_version("^1.2.3, < 2"), "1.2.3");
    }
}
