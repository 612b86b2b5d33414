//! CSAF products named by version: a product of a status list (`known_affected`, `fixed`,
//! `known_not_affected`, ...) that the product tree places under a `product_version` or
//! `product_version_range` branch, and what those listings say about one release.
//!
//! When a statement lists the release's product by a range, its status for the release is
//! decided by the listings of that product: which of their versions equals the release's, and
//! which of their ranges ([`super::ranges::vers`]) holds it. Any range that cannot be judged
//! leaves the status unknown (unless a listing already finds the release affected): a range
//! that cannot be read never makes a release fixed or not affected.

use super::VulnStatus;
use super::ranges::vers;

/// One product of a statement's status lists, named by version or version range.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListedProduct {
    /// The status list it is in (`known_affected`, `fixed`, ...).
    pub list: &'static str,
    /// The `product_name` branch above it.
    pub name: Option<String>,
    /// The `vendor` branch above it.
    pub vendor: Option<String>,
    /// Its package URL (`product_identification_helper.purl`), when given.
    pub purl: Option<String>,
    /// The `product_version` branch's name, for a product named by version.
    pub version: Option<String>,
    /// The `product_version_range` branch's name, for a product named by a range.
    pub range: Option<String>,
    /// The JSON pointer of that branch's `name`, for findings.
    pub pointer: String,
}

impl ListedProduct {
    /// The status its list gives; `None` for lists that state none (`recommended`).
    pub fn status(&self) -> Option<VulnStatus> {
        Some(match self.list {
            "known_affected" | "first_affected" | "last_affected" => VulnStatus::Affected,
            "fixed" | "first_fixed" => VulnStatus::Fixed,
            "known_not_affected" => VulnStatus::NotAffected,
            "under_investigation" => VulnStatus::UnderInvestigation,
            _ => return None,
        })
    }

    /// Its package URL's type (`npm` of `pkg:npm/...`).
    fn purl_type(&self) -> Option<&str> {
        let rest = self.purl.as_deref()?.strip_prefix("pkg:")?;
        rest.split('/').next().filter(|t| !t.is_empty())
    }
}

/// A listing of the release's product whose range could not be judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unjudged {
    /// The range, as written.
    pub range: String,
    /// The status list it is in.
    pub list: &'static str,
    /// Where it is (a JSON pointer).
    pub pointer: String,
    /// Why.
    pub why: String,
}

/// What a statement's listings of the release's product say about the release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    /// Its status for the release; `None` when unknown (a range could not be judged, or no
    /// listing holds the release's version).
    pub status: Option<VulnStatus>,
    /// The listings that hold the release's version, as `list: version or range`.
    pub matched: Vec<String>,
    /// The ranges that could not be judged.
    pub unjudged: Vec<Unjudged>,
}

/// What `listed` says about `version` of the product, when one of the listings that name the
/// product (`names`: whether a listing's name, vendor and name, or package URL is the
/// product) gives it by a range; `None` otherwise (no listing of the product, or none by
/// range: the statement's status stands as its lists give it). An affected listing that holds
/// the version decides; else a range that cannot be judged leaves the status unknown; else
/// `under_investigation`, `fixed` and `not_affected`, in that order, from the listings that
/// hold it; else, when none holds it, the status is unknown.
pub fn judge(
    listed: &[ListedProduct],
    names: &dyn Fn(&ListedProduct) -> bool,
    version: &str,
) -> Option<Judged> {
    let ours: Vec<&ListedProduct> = listed.iter().filter(|p| names(p)).collect();
    if !ours.iter().any(|p| p.range.is_some()) {
        return None;
    }
    let mut matched: Vec<(VulnStatus, String)> = Vec::new();
    let mut unjudged = Vec::new();
    for p in ours {
        let Some(status) = p.status() else { continue };
        if let Some(range) = &p.range {
            match vers::parse(range).and_then(|r| r.contains(version, p.purl_type())) {
                Ok(true) => matched.push((status, format!("{}: {range}", p.list))),
                Ok(false) => {}
                Err(why) => unjudged.push(Unjudged {
                    range: range.clone(),
                    list: p.list,
                    pointer: p.pointer.clone(),
                    why,
                }),
            }
        } else if let Some(v) = &p.version
            && same_version(v, version)
        {
            matched.push((status, format!("{}: {v}", p.list)));
        }
    }
    let has = |s: VulnStatus| matched.iter().any(|(m, _)| *m == s);
    let status = if has(VulnStatus::Affected) {
        Some(VulnStatus::Affected)
    } else if !unjudged.is_empty() {
        None
    } else {
        [
            VulnStatus::UnderInvestigation,
            VulnStatus::Fixed,
            VulnStatus::NotAffected,
        ]
        .into_iter()
        .find(|s| has(*s))
    };
    let mut matched: Vec<String> = matched.into_iter().map(|(_, m)| m).collect();
    matched.sort();
    matched.dedup();
    Some(Judged {
        status,
        matched,
        unjudged,
    })
}

/// Whether a `product_version` is the release's version: the same string (CSAF's rule),
/// ignoring case and a leading `v`.
fn same_version(listed: &str, version: &str) -> bool {
    let bare = |s: &str| {
        let s = s.trim();
        s.strip_prefix(['v', 'V']).unwrap_or(s).to_ascii_lowercase()
    };
    bare(listed) == bare(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(list: &'static str, version: Option<&str>, range: Option<&str>) -> ListedProduct {
        ListedProduct {
            list,
            name: Some("Widget".to_owned()),
            version: version.map(str::to_owned),
            range: range.map(str::to_owned),
            pointer: "/product_tree/branches/0/name".to_owned(),
            ..ListedProduct::default()
        }
    }

    fn status(listed: &[ListedProduct], version: &str) -> Option<Option<VulnStatus>> {
        judge(listed, &|p| p.name.as_deref() == Some("Widget"), version).map(|j| j.status)
    }

    #[test]
    fn the_listing_that_holds_the_version_decides() {
        let listed = [
            listing("known_affected", None, Some("vers:semver/>=2.0.0|<2.4.1")),
            listing("fixed", Some("2.4.1"), None),
            listing("known_not_affected", None, Some("vers:semver/<2.0.0")),
        ];
        assert_eq!(status(&listed, "2.3.0"), Some(Some(VulnStatus::Affected)));
        assert_eq!(status(&listed, "2.4.1"), Some(Some(VulnStatus::Fixed)));
        assert_eq!(
            status(&listed, "1.9.0"),
            Some(Some(VulnStatus::NotAffected))
        );
        // Listed nowhere: unknown, not fixed.
        assert_eq!(status(&listed, "2.5.0"), Some(None));
        // Without a range, the lists' own status stands.
        assert_eq!(status(&listed[1..2], "2.4.1"), None);
    }

    #[test]
    fn a_range_that_cannot_be_judged_never_exonerates() {
        let listed = [
            listing("known_affected", None, Some("0 < 9.8.12")),
            listing("fixed", Some("9.8.12"), None),
        ];
        let j = judge(&listed, &|_| true, "9.8.12").unwrap();
        assert_eq!(j.status, None);
        assert_eq!(j.matched, ["fixed: 9.8.12"]);
        assert_eq!(j.unjudged[0].range, "0 < 9.8.12");
        // An affected listing that holds the version still decides.
        let listed = [
            listing("known_affected", Some("9.8.11"), None),
            listing("known_not_affected", None, Some("vers:gem/<9.0")),
        ];
        let j = judge(&listed, &|_| true, "9.8.11").unwrap();
        assert_eq!(j.status, Some(VulnStatus::Affected));
        assert!(j.unjudged[0].why.contains("`gem`"));
    }
}
