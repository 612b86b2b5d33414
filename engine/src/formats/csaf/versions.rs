//! The products a CSAF product tree names by version or version range: each `product` under
//! a `product_version` or `product_version_range` branch, with the `product_name` and `vendor`
//! branches above it (what [`crate::vulns::listed`] judges for the release).

use std::collections::BTreeMap;

use serde_json::Value;

use super::super::json_util::{array_of, str_of};
use crate::vulns::listed::ListedProduct;

/// Product id to its listing (the `list` left empty), for the products under a
/// `product_version` or `product_version_range` branch (at most 64 branches deep).
pub(super) fn by_version(tree: &Value) -> BTreeMap<String, ListedProduct> {
    let mut out = BTreeMap::new();
    walk(
        tree,
        "/product_tree",
        &ListedProduct::default(),
        &mut out,
        0,
    );
    out
}

fn walk(
    node: &Value,
    at: &str,
    above: &ListedProduct,
    out: &mut BTreeMap<String, ListedProduct>,
    depth: usize,
) {
    if depth > 64 {
        return;
    }
    for (i, b) in array_of(node, "branches").iter().enumerate() {
        let here = format!("{at}/branches/{i}");
        let mut mine = above.clone();
        let name = str_of(b, "name").map(str::to_owned);
        match str_of(b, "category") {
            Some("vendor") => mine.vendor = name,
            Some("product_name") => mine.name = name,
            Some("product_version") => {
                mine.version = name;
                mine.pointer = format!("{here}/name");
            }
            Some("product_version_range") => {
                mine.range = name;
                mine.pointer = format!("{here}/name");
            }
            _ => {}
        }
        if let Some(product) = b.get("product")
            && let Some(id) = str_of(product, "product_id")
            && (mine.version.is_some() || mine.range.is_some())
        {
            let mut listed = mine.clone();
            listed.purl = product
                .get("product_identification_helper")
                .and_then(|h| str_of(h, "purl"))
                .map(str::to_owned);
            out.insert(id.to_owned(), listed);
        }
        walk(b, &here, &mine, out, depth + 1);
    }
}

/// The listings of a vulnerability's status lists whose products `by_version` names, in list
/// order.
pub(super) fn listed(
    v: &Value,
    by_version: &BTreeMap<String, ListedProduct>,
) -> Vec<ListedProduct> {
    const LISTS: [&str; 7] = [
        "known_affected",
        "first_affected",
        "last_affected",
        "under_investigation",
        "fixed",
        "first_fixed",
        "known_not_affected",
    ];
    let Some(ps) = v.get("product_status") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for list in LISTS {
        for pid in array_of(ps, list).iter().filter_map(Value::as_str) {
            if let Some(p) = by_version.get(pid) {
                out.push(ListedProduct { list, ..p.clone() });
            }
        }
    }
    out
}
