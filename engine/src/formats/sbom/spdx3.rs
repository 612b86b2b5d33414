//! SPDX 3.0 JSON-LD: the elements of `@graph`.
//!
//! Read: `software_Package` elements (`name`, `software_packageVersion`,
//! `software_packageUrl`, the `sha256` of `verifiedUsing`), `software_File` elements with a
//! `sha256`, the `rootElement`s of the `SpdxDocument` (or `software_Sbom`) and its
//! `describes` relationships, and `CreationInfo` (`specVersion`, `created`).

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::spdx::{digest, file_component};
use super::{
    Component, Issues, Ptr, Sbom, SbomFile, SbomFormat, check_version, dedup_components, is_sha256,
};
use crate::digest::Sha256Digest;
use crate::finding::FindingCode;
use crate::formats::lenient::{Many, Obj, Text};

/// The SPDX 3 versions vouch reads.
const VERSIONS_3: &[&str] = &["3.0.0", "3.0.1"];

/// One element of an SPDX 3 `@graph` (only the properties vouch reads).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
#[allow(non_snake_case, reason = "SPDX's JSON names")]
pub(crate) struct Element<'a> {
    #[serde(rename = "type", alias = "@type", borrow)]
    ty: Text<'a>,
    #[serde(borrow)]
    spdxId: Text<'a>,
    #[serde(rename = "@id", borrow)]
    id: Text<'a>,
    #[serde(borrow)]
    name: Text<'a>,
    #[serde(borrow)]
    software_packageVersion: Text<'a>,
    #[serde(borrow)]
    software_packageUrl: Text<'a>,
    #[serde(borrow)]
    verifiedUsing: Many<Obj<Hash3<'a>>>,
    #[serde(borrow)]
    rootElement: Many<Text<'a>>,
    #[serde(borrow)]
    specVersion: Text<'a>,
    #[serde(borrow)]
    created: Text<'a>,
    #[serde(borrow)]
    relationshipType: Text<'a>,
    #[serde(borrow)]
    from: Text<'a>,
    #[serde(borrow)]
    to: Many<Text<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
#[allow(non_snake_case, reason = "SPDX's JSON names")]
struct Hash3<'a> {
    #[serde(borrow)]
    algorithm: Text<'a>,
    #[serde(borrow)]
    hashValue: Text<'a>,
}

/// The SHA-256 of an SPDX 3 element's `verifiedUsing`.
fn hash3(e: &Element<'_>, at: Ptr<'_>, issues: &mut Issues<'_>) -> Option<Sha256Digest> {
    let list_at = at.key("verifiedUsing");
    let mut found = None;
    for (i, h) in issues.many(&e.verifiedUsing, list_at).iter().enumerate() {
        let h_at = list_at.at(i);
        let Some(h) = issues.obj(h, h_at) else {
            continue;
        };
        let algorithm = issues.text(&h.algorithm, h_at.key("algorithm"));
        let value = issues.text(&h.hashValue, h_at.key("hashValue"));
        if let (Some(algorithm), Some(value)) = (algorithm, value)
            && is_sha256(algorithm)
        {
            found = found.or_else(|| digest(value, h_at.key("hashValue"), issues));
        }
    }
    found
}

/// Reads the elements of an SPDX 3 `@graph`.
pub(crate) fn read(graph: &Many<Obj<Element<'_>>>, issues: &mut Issues<'_>) -> Sbom {
    let root = Ptr::Root;
    let graph_at = root.key("@graph");
    let elements: Vec<(usize, &Element<'_>)> = issues
        .many(graph, graph_at)
        .iter()
        .enumerate()
        .filter_map(|(i, e)| Some((i, e.get()?)))
        .collect();
    let ty = |e: &Element<'_>| {
        e.ty.get()
            .map(|t| t.strip_prefix("software_").unwrap_or(t).to_owned())
    };
    let mut spec_version = String::new();
    let mut created = None;
    let mut roots: Vec<&str> = Vec::new();
    let mut documents: BTreeSet<&str> = BTreeSet::new();
    for (i, e) in &elements {
        let at = graph_at.at(*i);
        match ty(e).as_deref() {
            Some("CreationInfo") if spec_version.is_empty() => {
                spec_version = issues
                    .text(&e.specVersion, at.key("specVersion"))
                    .unwrap_or_default()
                    .to_owned();
                let text = issues.text(&e.created, at.key("created"));
                created = issues.instant(text, at.key("created"));
            }
            Some("SpdxDocument" | "Sbom") => {
                if let Some(id) = e.spdxId.get().or(e.id.get()) {
                    documents.insert(id);
                }
                let list_at = at.key("rootElement");
                for (j, r) in issues.many(&e.rootElement, list_at).iter().enumerate() {
                    if let Some(r) = issues.text(r, list_at.at(j)) {
                        roots.push(r);
                    }
                }
            }
            _ => {}
        }
    }
    // `describes` relationships from the document add to its root elements.
    for (i, e) in &elements {
        if ty(e)
            .as_deref()
            .is_some_and(|t| t.ends_with("Relationship"))
            && e.relationshipType.get() == Some("describes")
            && e.from.get().is_some_and(|f| documents.contains(f))
        {
            let e_at = graph_at.at(*i);
            let to_at = e_at.key("to");
            for (j, t) in issues.many(&e.to, to_at).iter().enumerate() {
                if let Some(t) = issues.text(t, to_at.at(j)) {
                    roots.push(t);
                }
            }
        }
    }
    let mut seen = BTreeSet::new();
    roots.retain(|r| seen.insert(*r));
    check_version(
        issues,
        "SPDX",
        &spec_version,
        VERSIONS_3,
        graph_at.key("specVersion"),
    );
    let root_set: BTreeSet<&str> = roots.iter().copied().collect();
    let mut by_id: BTreeMap<&str, Component> = BTreeMap::new();
    let mut components = Vec::new();
    let mut files = Vec::new();
    for (i, e) in &elements {
        let at = graph_at.at(*i);
        let kind = ty(e);
        let is_package = kind.as_deref() == Some("Package");
        let is_file = kind.as_deref() == Some("File");
        if !is_package && !is_file {
            continue;
        }
        let id = e.spdxId.get().or(e.id.get());
        let name = issues.text(&e.name, at.key("name"));
        let sha256 = hash3(e, at, issues);
        let Some(name) = name else {
            issues.add(
                FindingCode::InvalidValue,
                "name",
                at,
                "an element without a `name`; not listed".to_owned(),
            );
            continue;
        };
        let component = if is_package {
            Component {
                name: name.to_owned(),
                version: issues
                    .text(
                        &e.software_packageVersion,
                        at.key("software_packageVersion"),
                    )
                    .map(str::to_owned),
                purl: issues
                    .text(&e.software_packageUrl, at.key("software_packageUrl"))
                    .map(str::to_owned),
                sha256,
            }
        } else {
            if let Some(sha256) = sha256 {
                files.push(SbomFile {
                    name: name.to_owned(),
                    sha256,
                });
            }
            file_component(name, sha256)
        };
        match id {
            Some(id) if root_set.contains(id) => {
                by_id.insert(id, component);
            }
            _ if is_package => components.push((component, id)),
            _ => {}
        }
    }
    let described = roots.iter().filter_map(|id| by_id.remove(id)).collect();
    let components = dedup_components(components, issues);
    files.sort();
    files.dedup();
    Sbom {
        format: SbomFormat::Spdx,
        spec_version,
        created,
        described,
        components,
        files,
        subject_algorithms: Vec::new(),
        subject_malformed: Vec::new(),
        subject_sha512: Vec::new(),
        statements: None,
    }
}
