//! `release.vulnerability_evidence`: the vulnerability evidence that covers the release, so
//! a policy can tell "no vulnerabilities were found" from "nothing was looked at".
//!
//! What counts: a vulnerability scan that ran (its scan time, where it states one, is not
//! after `as_of`), a vulnerability register with at least one entry, and a VEX document with
//! a statement naming the release's product at its version. An advisory alone does not
//! count: it says what was fixed, not that the release was checked.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::Timestamp;

use super::{Strings, record};
use crate::eval::value::Value;
use crate::graph::{EvidenceGraph, ReleaseNode, VulnStatementNode};
use crate::vulns::SourceKind;

/// The `VulnEvidence` records covering `release`, in path order.
pub(super) fn vulnerability_evidence(
    graph: &EvidenceGraph,
    release: &ReleaseNode,
    as_of: Option<Timestamp>,
) -> Value {
    let mut strings = Strings::default();
    // path -> (kind, format); a path is listed once, by the first kind found for it.
    let mut found: BTreeMap<&str, (&'static str, &'static str, &crate::graph::Source)> =
        BTreeMap::new();
    for (_, scan) in graph.vuln_scans() {
        let ran = match (scan.scanned_at, as_of) {
            (Some(at), Some(now)) => at <= now,
            _ => true,
        };
        if ran {
            found
                .entry(scan.source.path.as_str())
                .or_insert(("scan", scan.format, &scan.source));
        }
    }
    for (_, s) in graph.vuln_statements() {
        let kind = match s.kind {
            SourceKind::Register => "register",
            SourceKind::Vex if names_release(s, release) => "vex",
            _ => continue,
        };
        found
            .entry(s.source.path.as_str())
            .or_insert((kind, s.format, &s.source));
    }
    Value::list(
        found
            .into_values()
            .map(|(kind, format, source)| {
                let citation = strings.cite(&crate::graph::Source {
                    line: None,
                    ..source.clone()
                });
                record(
                    "VulnEvidence",
                    Arc::clone(&citation.path),
                    Some(citation.clone()),
                    [
                        ("path", Value::Str(citation.path)),
                        ("kind", strings.value(kind)),
                        ("format", strings.value(format)),
                    ],
                )
            })
            .collect(),
    )
}

/// Whether a VEX statement's product is the release: a package URL `.../PRODUCT@VERSION`, a
/// name `PRODUCT VERSION` (or ending in ` PRODUCT VERSION`), or the product's name with the
/// release's version as its installed version; compared case-insensitively.
fn names_release(s: &VulnStatementNode, release: &ReleaseNode) -> bool {
    s.statement
        .package
        .iter()
        .chain(&s.statement.products)
        .any(|package| {
            names_product(
                package,
                s.statement.installed.as_deref(),
                &release.product,
                &release.version,
            )
        })
}

/// See [`names_release`].
pub(crate) fn names_product(
    package: &str,
    installed: Option<&str>,
    product: &str,
    version: &str,
) -> bool {
    let package = package.trim().to_ascii_lowercase();
    let product = product.trim().to_ascii_lowercase();
    let version = version.trim().to_ascii_lowercase();
    if product.is_empty() || version.is_empty() {
        return false;
    }
    if let Some((name, v)) = cpe_product_version(&package) {
        return name == product && v == version;
    }
    if package.starts_with("pkg:") {
        // pkg:type/namespace/name@version?qualifiers#subpath
        let core = package.split(['?', '#']).next().unwrap_or_default();
        let last = core.rsplit('/').next().unwrap_or_default();
        return match last.split_once('@') {
            Some((name, v)) => percent_decoded(name) == product && percent_decoded(v) == version,
            None => {
                percent_decoded(last) == product
                    && installed.is_some_and(|i| i.trim().eq_ignore_ascii_case(&version))
            }
        };
    }
    let named = format!("{product} {version}");
    package == named
        || package.ends_with(&format!(" {named}"))
        || (package == product
            && installed.is_some_and(|i| i.trim().eq_ignore_ascii_case(&version)))
}

/// The product and version of a CPE name, formatted string (`cpe:2.3:a:vendor:product:version:...`)
/// or URI (`cpe:/a:vendor:product:version...`) binding; `None` for anything else.
fn cpe_product_version(cpe: &str) -> Option<(String, String)> {
    let fields: Vec<&str> = if let Some(rest) = cpe.strip_prefix("cpe:2.3:") {
        rest.split(':').collect()
    } else {
        cpe.strip_prefix("cpe:/")?.split(':').collect()
    };
    // part, vendor, product, version
    let (Some(product), Some(version)) = (fields.get(2), fields.get(3)) else {
        return None;
    };
    let unescape = |s: &str| percent_decoded(&s.replace('\\', ""));
    let (product, version) = (unescape(product), unescape(version));
    (!product.is_empty() && !version.is_empty() && !matches!(version.as_str(), "*" | "-"))
        .then_some((product, version))
}

/// `%XX` escapes of a purl component decoded (invalid escapes kept as written).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::names_product;

    #[test]
    fn a_vex_product_names_the_release_by_purl_or_name() {
        let yes = |p: &str, i: Option<&str>| names_product(p, i, "widget", "2.4.1");
        assert!(yes("pkg:generic/acme/widget@2.4.1", None));
        assert!(yes("pkg:generic/acme/Widget@2.4.1?arch=x86_64#src", None));
        assert!(yes("pkg:generic/acme/widget", Some("2.4.1")));
        assert!(yes("ACME Widget 2.4.1", None));
        assert!(yes("widget", Some("2.4.1")));
        assert!(!yes("pkg:generic/acme/widget@2.4.0", None));
        assert!(!yes("pkg:pypi/requests@2.32.3", None));
        assert!(!yes("pkg:generic/acme/widget", None));
        assert!(!yes("ACME Widget 2.4.10", None));
        assert!(!yes("superwidget 2.4.1", None));
        assert!(!yes("widget", None));
        assert!(!names_product("x", None, "", ""));
        // CPE names, formatted string and URI bindings.
        assert!(yes("cpe:2.3:a:acme:widget:2.4.1:*:*:*:*:*:*:*", None));
        assert!(yes("cpe:/a:acme:widget:2.4.1", None));
        assert!(!yes("cpe:2.3:a:acme:widget:2.4.0:*:*:*:*:*:*:*", None));
        assert!(!yes("cpe:2.3:a:acme:widget:*:*:*:*:*:*:*:*", Some("2.4.1")));
        assert!(!yes("cpe:/o:redhat:rhel_aus:7.6::server", None));
    }
}
