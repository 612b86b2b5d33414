//! CSAF 2.0 advisories (`csaf_security_advisory`, `csaf_vex` and other profiles).
//!
//! The document gives the advisory (`document.tracking`: id, initial and current release
//! dates; `document.title`) and, per vulnerability, its CVE or other ids, the status of each
//! product (`product_status`), remediations with dates, CVSS scores, `discovery_date` and
//! `release_date`. A vulnerability's status for the product is read from its product status
//! lists: any `fixed`/`first_fixed` product makes it `fixed`, else `known_affected` makes it
//! `affected`, else `known_not_affected` makes it `not_affected` (justified by a flag label or
//! an impact threat), else `under_investigation`. The fix date is the earliest `vendor_fix`
//! remediation date, or for a fixed vulnerability without one, the advisory's first release.
//! Products named by version or version range are kept with each statement ([`versions`]):
//! when the release's product is listed by a range, they decide its status for the release.

mod versions;

use std::collections::BTreeMap;

use serde_json::Value;

use super::json_util::{self, Notes, array_of, str_of};
use super::{Confidence, DetectInput, Evidence, EvidenceFormat, EvidenceKind, ParseInput, Parsed};
use crate::digest::Sha256Digest;
use crate::finding::FindingCode;
use crate::vulns::{
    AdvisoryDoc, AdvisoryInfo, SourceKind, StatedCvss, VulnDocument, VulnStatement, VulnStatus,
};

/// The CSAF format.
#[derive(Debug, Clone, Copy, Default)]
pub struct CsafFormat;

impl EvidenceFormat for CsafFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::CsafAdvisory
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let Some(text) = input.text.as_deref() else {
            return Confidence::No;
        };
        let by_content = json_util::looks_like_object(text)
            && text.contains("\"csaf_version\"")
            && text.contains("\"document\"");
        Confidence::of(by_content, false)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        let value = match json_util::parse(input.path, input.bytes, "CSAF document") {
            Ok(v) => v,
            Err(parsed) => return *parsed,
        };
        let mut notes = Notes::new(input.path);
        let evidence = read(&value, &mut notes).map(Evidence::Advisory);
        Parsed {
            evidence,
            findings: notes.findings,
        }
    }

    fn max_parse_size(&self) -> u64 {
        64 * 1024 * 1024
    }
}

fn read(value: &Value, notes: &mut Notes<'_>) -> Option<AdvisoryDoc> {
    let document = value.get("document").unwrap_or(&Value::Null);
    let tracking = document.get("tracking").unwrap_or(&Value::Null);
    let Some(id) = str_of(tracking, "id") else {
        notes.add(
            FindingCode::InvalidValue,
            "/document/tracking/id",
            "a CSAF document without a tracking id".to_owned(),
            "CSAF requires document.tracking.id",
        );
        return None;
    };
    let published = notes.instant(tracking, "initial_release_date", "/document/tracking");
    let updated = notes.instant(tracking, "current_release_date", "/document/tracking");
    let vex = str_of(document, "category") == Some("csaf_vex");
    let names = product_names(value.get("product_tree").unwrap_or(&Value::Null));
    let hashes = product_hashes(value.get("product_tree").unwrap_or(&Value::Null));
    let identities = product_identities(value.get("product_tree").unwrap_or(&Value::Null));
    let by_version = versions::by_version(value.get("product_tree").unwrap_or(&Value::Null));
    let name_of = |pid: &str| names.get(pid).cloned().unwrap_or_else(|| pid.to_owned());
    let mut info = AdvisoryInfo {
        id: id.to_owned(),
        format: "csaf",
        title: str_of(document, "title").map(str::to_owned),
        published,
        updated,
        ..AdvisoryInfo::default()
    };
    let mut statements = Vec::new();
    for (i, v) in array_of(value, "vulnerabilities").iter().enumerate() {
        let at = format!("/vulnerabilities/{i}");
        let status_of = |list: &str| -> Vec<String> {
            v.get("product_status")
                .map(|ps| array_of(ps, list))
                .unwrap_or_default()
                .iter()
                .filter_map(Value::as_str)
                .map(name_of)
                .collect()
        };
        info.affected_versions.extend(status_of("known_affected"));
        info.fixed_versions.extend(status_of("fixed"));
        info.fixed_versions.extend(status_of("first_fixed"));
        for r in array_of(v, "remediations") {
            if matches!(str_of(r, "category"), Some("workaround" | "mitigation"))
                && let Some(details) = str_of(r, "details")
            {
                info.mitigations.push(details.to_owned());
            }
        }
        if let Some(mut s) = statement(v, &at, published, notes) {
            s.product_sha256 = deciding_product_sha256(v, s.status, &hashes);
            s.products = deciding_products(v, s.status, &identities, &name_of);
            s.listed = versions::listed(v, &by_version);
            info.vulnerabilities
                .extend(s.ids().iter().map(|id| (*id).to_owned()));
            statements.push(s);
        }
    }
    for list in [
        &mut info.vulnerabilities,
        &mut info.affected_versions,
        &mut info.fixed_versions,
    ] {
        list.sort();
        list.dedup();
    }
    Some(AdvisoryDoc {
        advisory: info,
        statements: VulnDocument {
            kind: if vex {
                SourceKind::Vex
            } else {
                SourceKind::Advisory
            },
            format: "csaf",
            produced_at: updated,
            statements,
        },
    })
}

fn statement(
    v: &Value,
    at: &str,
    published: Option<jiff::Timestamp>,
    notes: &mut Notes<'_>,
) -> Option<VulnStatement> {
    let other_ids: Vec<String> = array_of(v, "ids")
        .iter()
        .filter_map(|i| str_of(i, "text"))
        .filter(|t| looks_like_vuln_id(t))
        .map(str::to_owned)
        .collect();
    let Some(id) = str_of(v, "cve")
        .map(str::to_owned)
        .or_else(|| other_ids.first().cloned())
    else {
        notes.add(
            FindingCode::InvalidValue,
            at,
            "a vulnerability with neither a `cve` nor a vulnerability id in `ids`".to_owned(),
            "give the CVE, or an id such as a GHSA, in the vulnerability",
        );
        return None;
    };
    let mut s = VulnStatement::new(id);
    s.aliases = other_ids.into_iter().filter(|a| *a != s.id).collect();
    let listed = |list: &str| {
        v.get("product_status")
            .is_some_and(|ps| !array_of(ps, list).is_empty())
    };
    s.status = Some(if listed("fixed") || listed("first_fixed") {
        VulnStatus::Fixed
    } else if listed("known_affected") || listed("first_affected") || listed("last_affected") {
        VulnStatus::Affected
    } else if listed("known_not_affected") {
        VulnStatus::NotAffected
    } else {
        VulnStatus::UnderInvestigation
    });
    if s.status == Some(VulnStatus::NotAffected) {
        s.justification = array_of(v, "flags")
            .iter()
            .find_map(|f| str_of(f, "label"))
            .or_else(|| {
                array_of(v, "threats")
                    .iter()
                    .filter(|t| str_of(t, "category") == Some("impact"))
                    .find_map(|t| str_of(t, "details"))
            })
            .map(str::to_owned);
    }
    s.discovered = notes.instant(v, "discovery_date", at);
    s.disclosed = notes.instant(v, "release_date", at);
    let fix_dates: Vec<jiff::Timestamp> = array_of(v, "remediations")
        .iter()
        .enumerate()
        .filter(|(_, r)| str_of(r, "category") == Some("vendor_fix"))
        .filter_map(|(j, r)| notes.instant(r, "date", &format!("{at}/remediations/{j}")))
        .collect();
    s.fixed_at = fix_dates.into_iter().min().or(match s.status {
        Some(VulnStatus::Fixed) => published,
        _ => None,
    });
    for score in array_of(v, "scores") {
        for key in ["cvss_v4", "cvss_v3"] {
            if let Some(cvss) = score.get(key)
                && let Some(vector) = str_of(cvss, "vectorString")
            {
                s.cvss.push(StatedCvss {
                    vector: vector.to_owned(),
                    score: cvss.get("baseScore").and_then(Value::as_f64),
                });
            }
        }
    }
    Some(s)
}

/// The product status lists that decide a statement of `status` ([`statement`]).
fn deciding_lists(status: Option<VulnStatus>) -> &'static [&'static str] {
    match status {
        Some(VulnStatus::Fixed) => &["fixed", "first_fixed"],
        Some(VulnStatus::Affected) => &["known_affected", "first_affected", "last_affected"],
        Some(VulnStatus::NotAffected) => &["known_not_affected"],
        Some(VulnStatus::UnderInvestigation) => &["under_investigation"],
        _ => &[],
    }
}

/// The names (full product name, purl, CPE) of the products whose listing decided the
/// statement's status, sorted: what the release is matched against (a product listed
/// under another status is not what the statement says). A product the tree does not
/// describe is named by its product id.
fn deciding_products(
    v: &Value,
    status: Option<VulnStatus>,
    identities: &BTreeMap<String, Vec<String>>,
    name_of: &dyn Fn(&str) -> String,
) -> Vec<String> {
    let Some(ps) = v.get("product_status") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for pid in deciding_lists(status)
        .iter()
        .flat_map(|l| array_of(ps, l))
        .filter_map(Value::as_str)
    {
        match identities.get(pid) {
            Some(names) if !names.is_empty() => out.extend(names.iter().cloned()),
            _ => out.push(name_of(pid)),
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Calls `f` with every product of the product tree that has a `product_id`: its branches'
/// products (recursively, at most 64 deep), `full_product_names` and relationships'
/// `full_product_name`.
fn each_product<'v>(tree: &'v Value, f: &mut dyn FnMut(&'v str, &'v Value)) {
    fn walk<'v>(node: &'v Value, f: &mut dyn FnMut(&'v str, &'v Value), depth: usize) {
        if depth > 64 {
            return;
        }
        let products = node
            .get("product")
            .into_iter()
            .chain(array_of(node, "full_product_names"))
            .chain(
                array_of(node, "relationships")
                    .iter()
                    .filter_map(|r| r.get("full_product_name")),
            );
        for p in products {
            if let Some(id) = str_of(p, "product_id") {
                f(id, p);
            }
        }
        for b in array_of(node, "branches") {
            walk(b, f, depth + 1);
        }
    }
    walk(tree, f, 0);
}

/// Product id to its names: the full product name and the `product_identification_helper`'s
/// purl and CPE.
fn product_identities(tree: &Value) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    each_product(tree, &mut |id, p| {
        let helper = p
            .get("product_identification_helper")
            .unwrap_or(&Value::Null);
        let names = out.entry(id.to_owned()).or_default();
        for name in [
            str_of(p, "name"),
            str_of(helper, "purl"),
            str_of(helper, "cpe"),
        ]
        .into_iter()
        .flatten()
        {
            names.push(name.to_owned());
        }
    });
    out
}

/// The SHA-256 digests of the products whose listing decided a `fixed` or `not_affected`
/// status, when every one of them states one (`product_identification_helper.hashes`):
/// the digest rule then judges them against the artifacts. Empty otherwise.
fn deciding_product_sha256(
    v: &Value,
    status: Option<VulnStatus>,
    hashes: &BTreeMap<String, Vec<Sha256Digest>>,
) -> Vec<Sha256Digest> {
    let lists: &[&str] = match status {
        Some(VulnStatus::Fixed | VulnStatus::NotAffected) => deciding_lists(status),
        _ => return Vec::new(),
    };
    let Some(ps) = v.get("product_status") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for pid in lists.iter().flat_map(|l| array_of(ps, l)) {
        match pid.as_str().and_then(|pid| hashes.get(pid)) {
            Some(digests) if !digests.is_empty() => out.extend(digests.iter().copied()),
            _ => return Vec::new(),
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Product id to the SHA-256 digests its `product_identification_helper.hashes` state.
fn product_hashes(tree: &Value) -> BTreeMap<String, Vec<Sha256Digest>> {
    fn sha256_of(product: &Value) -> Vec<Sha256Digest> {
        let helper = product
            .get("product_identification_helper")
            .unwrap_or(&Value::Null);
        array_of(helper, "hashes")
            .iter()
            .flat_map(|h| array_of(h, "file_hashes"))
            .filter(|fh| {
                str_of(fh, "algorithm").is_some_and(|a| {
                    a.eq_ignore_ascii_case("sha256") || a.eq_ignore_ascii_case("sha-256")
                })
            })
            .filter_map(|fh| Sha256Digest::from_hex(str_of(fh, "value")?.trim()))
            .collect()
    }
    let mut out: BTreeMap<String, Vec<Sha256Digest>> = BTreeMap::new();
    each_product(tree, &mut |id, p| {
        out.entry(id.to_owned()).or_default().extend(sha256_of(p));
    });
    out
}

/// Whether an `ids[].text` is a vulnerability id (GHSA, OSV-style) rather than a bug number.
fn looks_like_vuln_id(text: &str) -> bool {
    ["CVE-", "GHSA-", "OSV-", "PYSEC-", "RUSTSEC-", "GO-"]
        .iter()
        .any(|p| text.starts_with(p))
}

/// Product id to full product name, from the product tree's branches (recursively) and
/// `full_product_names`.
fn product_names(tree: &Value) -> BTreeMap<String, String> {
    fn walk(node: &Value, out: &mut BTreeMap<String, String>, depth: usize) {
        if depth > 64 {
            return;
        }
        if let Some(product) = node.get("product")
            && let (Some(id), Some(name)) = (str_of(product, "product_id"), str_of(product, "name"))
        {
            out.insert(id.to_owned(), name.to_owned());
        }
        for p in array_of(node, "full_product_names") {
            if let (Some(id), Some(name)) = (str_of(p, "product_id"), str_of(p, "name")) {
                out.insert(id.to_owned(), name.to_owned());
            }
        }
        for r in array_of(node, "relationships") {
            if let Some(p) = r.get("full_product_name")
                && let (Some(id), Some(name)) = (str_of(p, "product_id"), str_of(p, "name"))
            {
                out.insert(id.to_owned(), name.to_owned());
            }
        }
        for b in array_of(node, "branches") {
            walk(b, out, depth + 1);
        }
    }
    let mut out = BTreeMap::new();
    walk(tree, &mut out, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{"document": {"category": "csaf_security_advisory", "csaf_version": "2.0",
        "title": "Converter flaw", "tracking": {"id": "BSI-2022-0001",
        "initial_release_date": "2022-03-17T13:03:42.105Z", "current_release_date": "2022-03-18T00:00:00Z"}},
      "product_tree": {"branches": [{"branches": [
        {"product": {"name": "Converter 1.0.0-alpha", "product_id": "P1"}},
        {"product": {"name": "Converter 1.0.0-rc2", "product_id": "P2"}}]}]},
      "vulnerabilities": [{"cve": "CVE-2022-27193",
        "ids": [{"system_name": "Github Issue", "text": "csaf-tools/x#78"}],
        "product_status": {"fixed": ["P2"], "known_affected": ["P1"]},
        "remediations": [{"category": "vendor_fix", "date": "2022-03-14T13:10:55.000+01:00", "product_ids": ["P1"]},
                         {"category": "workaround", "details": "Do not convert untrusted files", "product_ids": ["P1"]}],
        "scores": [{"cvss_v3": {"vectorString": "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:L", "baseScore": 6.1}}]}]}"#;

    #[test]
    fn reads_an_advisory_and_its_statement() {
        let parsed = CsafFormat.parse(&ParseInput {
            path: "a.json",
            bytes: DOC.as_bytes(),
        });
        assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
        let Some(Evidence::Advisory(doc)) = parsed.evidence else {
            panic!("no advisory")
        };
        assert_eq!(doc.advisory.id, "BSI-2022-0001");
        assert_eq!(doc.advisory.vulnerabilities, ["CVE-2022-27193"]);
        assert_eq!(doc.advisory.affected_versions, ["Converter 1.0.0-alpha"]);
        assert_eq!(doc.advisory.fixed_versions, ["Converter 1.0.0-rc2"]);
        assert_eq!(doc.advisory.mitigations, ["Do not convert untrusted files"]);
        let s = &doc.statements.statements[0];
        assert_eq!(s.status, Some(VulnStatus::Fixed));
        assert_eq!(
            s.fixed_at.map(|t| t.to_string()).as_deref(),
            Some("2022-03-14T12:10:55Z")
        );
        assert_eq!(s.cvss[0].score, Some(6.1));
        assert!(
            s.aliases.is_empty(),
            "bug numbers are not vulnerability ids"
        );
    }

    #[test]
    fn a_statement_names_the_products_that_decided_its_status() {
        let doc = r#"{"document": {"category": "csaf_vex", "csaf_version": "2.0",
          "tracking": {"id": "X-1"}},
          "product_tree": {"branches": [{"branches": [
            {"product": {"name": "Widget 2.4.1", "product_id": "W241",
              "product_identification_helper": {"purl": "pkg:generic/acme/widget@2.4.1",
                "cpe": "cpe:2.3:a:acme:widget:2.4.1:*:*:*:*:*:*:*"}}},
            {"product": {"name": "Widget 2.4.0", "product_id": "W240"}}]}]},
          "vulnerabilities": [{"cve": "CVE-2026-1",
            "product_status": {"known_not_affected": ["W241"], "known_affected": ["W240"]}},
            {"cve": "CVE-2026-2", "product_status": {"known_not_affected": ["W240", "GONE"]}}]}"#;
        let parsed = CsafFormat.parse(&ParseInput {
            path: "v.json",
            bytes: doc.as_bytes(),
        });
        let Some(Evidence::Advisory(doc)) = parsed.evidence else {
            panic!("no advisory")
        };
        let s = &doc.statements.statements;
        // Affected decides the first: only the 2.4.0 product is named.
        assert_eq!(s[0].status, Some(VulnStatus::Affected));
        assert_eq!(s[0].products, ["Widget 2.4.0"]);
        assert_eq!(s[1].products, ["GONE", "Widget 2.4.0"]);
        let only_241 = r#"{"document": {"category": "csaf_vex", "csaf_version": "2.0",
          "tracking": {"id": "X-2"}},
          "product_tree": {"full_product_names": [{"name": "Widget 2.4.1", "product_id": "W241",
              "product_identification_helper": {"purl": "pkg:generic/acme/widget@2.4.1",
                "cpe": "cpe:2.3:a:acme:widget:2.4.1:*:*:*:*:*:*:*"}}]},
          "vulnerabilities": [{"cve": "CVE-2026-1",
            "product_status": {"known_not_affected": ["W241"]}}]}"#;
        let parsed = CsafFormat.parse(&ParseInput {
            path: "v.json",
            bytes: only_241.as_bytes(),
        });
        let Some(Evidence::Advisory(doc)) = parsed.evidence else {
            panic!("no advisory")
        };
        assert_eq!(
            doc.statements.statements[0].products,
            [
                "Widget 2.4.1",
                "cpe:2.3:a:acme:widget:2.4.1:*:*:*:*:*:*:*",
                "pkg:generic/acme/widget@2.4.1"
            ]
        );
    }

    #[test]
    fn a_document_without_a_tracking_id_is_a_finding() {
        let parsed = CsafFormat.parse(&ParseInput {
            path: "a.json",
            bytes: br#"{"document": {"csaf_version": "2.0", "tracking": {}}}"#,
        });
        assert!(parsed.evidence.is_none());
        assert_eq!(parsed.findings[0].code, FindingCode::InvalidValue);
    }
}
