//! SPDX JSON: SPDX 2.2 and 2.3 documents, and SPDX 3.0 JSON-LD (`@context` of SPDX 3,
//! elements in `@graph`).
//!
//! SPDX 2: `spdxVersion`, `creationInfo.created`, `packages[]` (`name`, `versionInfo`, the
//! `purl` of `externalRefs` in category `PACKAGE-MANAGER`, the `SHA256` of `checksums`),
//! `files[]` (`fileName` and `SHA256`), and what the document describes (`documentDescribes`,
//! `DESCRIBES` and `DESCRIBED_BY` relationships of the document).
//!
//! SPDX 3 JSON-LD is read by the sibling module `spdx3`.
//!
//! The tag-value form is recognised and reported as not read (RDF/XML is not recognised).

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::cyclonedx::unsupported;
use super::{
    Component, Issues, Ptr, Sbom, SbomFile, SbomFormat, check_version, dedup_components, is_sha256,
    is_sha512, sha256_hex, sha512s, strip_bom, unreadable,
};
use crate::digest::Sha256Digest;
use crate::finding::{Finding, FindingCode};
use crate::formats::lenient::{Many, Obj, Text};
use crate::formats::{
    Confidence, DetectInput, Evidence, EvidenceFormat, EvidenceKind, ParseInput, Parsed,
};

/// The SPDX 2 versions vouch reads (`spdxVersion` without its `SPDX-` prefix).
const VERSIONS: &[&str] = &["2.2", "2.3"];

/// SPDX JSON documents (`spdxVersion`), SPDX 3 JSON-LD.
#[derive(Debug, Clone, Copy, Default)]
pub struct SpdxFormat;

impl EvidenceFormat for SpdxFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::SpdxSbom
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let name = input.file_name();
        let by_name = [".spdx.json", ".spdx3.json", ".spdx.jsonld", ".spdx"]
            .iter()
            .any(|s| name.ends_with(s));
        let Some(text) = input.text.as_deref() else {
            return Confidence::of(false, by_name);
        };
        let keys = input.json_keys();
        let by_content = keys.contains(&"spdxVersion")
            || (keys.contains(&"@context") && is_spdx3_context(text))
            // The Microsoft SBOM tool writes `files` first, `spdxVersion` last.
            || (keys.first().is_some_and(|k| ["files", "packages", "relationships"].contains(k))
                && text.contains("\"SPDXID\"")
                && text.contains("SPDXRef-"))
            || is_tag_value(text);
        Confidence::of(by_content, by_name)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        parse(input.path, input.bytes)
    }

    fn max_parse_size(&self) -> u64 {
        super::MAX_PARSE_SIZE
    }
}

fn is_spdx3_context(text: &str) -> bool {
    text.contains("spdx.org/rdf/3")
}

/// The SPDX tag-value form (recognised, not read).
fn is_tag_value(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| l.starts_with("SPDXVersion:"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
#[allow(non_snake_case, reason = "SPDX's JSON names")]
struct Doc<'a> {
    #[serde(borrow)]
    spdxVersion: Text<'a>,
    #[serde(borrow)]
    SPDXID: Text<'a>,
    #[serde(borrow)]
    creationInfo: Obj<Creation<'a>>,
    #[serde(borrow)]
    documentDescribes: Many<Text<'a>>,
    #[serde(borrow)]
    packages: Many<Obj<Package<'a>>>,
    #[serde(borrow)]
    files: Many<Obj<File<'a>>>,
    #[serde(borrow)]
    relationships: Many<Obj<Relationship<'a>>>,
    #[serde(rename = "@context", borrow)]
    context: Text<'a>,
    #[serde(rename = "@graph", borrow)]
    graph: Many<Obj<super::spdx3::Element<'a>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Creation<'a> {
    #[serde(borrow)]
    created: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
#[allow(non_snake_case, reason = "SPDX's JSON names")]
struct Package<'a> {
    #[serde(borrow)]
    SPDXID: Text<'a>,
    #[serde(borrow)]
    name: Text<'a>,
    #[serde(borrow)]
    versionInfo: Text<'a>,
    #[serde(borrow)]
    externalRefs: Many<Obj<ExternalRef<'a>>>,
    #[serde(borrow)]
    checksums: Many<Obj<Checksum<'a>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
#[allow(non_snake_case, reason = "SPDX's JSON names")]
struct ExternalRef<'a> {
    #[serde(borrow)]
    referenceCategory: Text<'a>,
    #[serde(borrow)]
    referenceType: Text<'a>,
    #[serde(borrow)]
    referenceLocator: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
#[allow(non_snake_case, reason = "SPDX's JSON names")]
struct Checksum<'a> {
    #[serde(borrow)]
    algorithm: Text<'a>,
    #[serde(borrow)]
    checksumValue: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
#[allow(non_snake_case, reason = "SPDX's JSON names")]
struct File<'a> {
    #[serde(borrow)]
    SPDXID: Text<'a>,
    #[serde(borrow)]
    fileName: Text<'a>,
    #[serde(borrow)]
    checksums: Many<Obj<Checksum<'a>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
#[allow(non_snake_case, reason = "SPDX's JSON names")]
struct Relationship<'a> {
    #[serde(borrow)]
    spdxElementId: Text<'a>,
    #[serde(borrow)]
    relationshipType: Text<'a>,
    #[serde(borrow)]
    relatedSpdxElement: Text<'a>,
}

/// Parses an SPDX document (2.2/2.3 JSON or SPDX 3 JSON-LD).
pub(crate) fn parse(path: &str, bytes: &[u8]) -> Parsed {
    let head = String::from_utf8_lossy(bytes.get(..4096).unwrap_or(bytes));
    if is_tag_value(&head) {
        return unsupported(
            path,
            "SPDX tag-value is not read; convert it to JSON (e.g. `pyspdxtools -i x.spdx -o x.spdx.json`)",
        );
    }
    if let Err(parsed) =
        crate::formats::json_strict::refuse_duplicates(path, strip_bom(bytes), "SPDX document")
    {
        return *parsed;
    }
    let doc: Obj<Doc<'_>> = match serde_json::from_slice(strip_bom(bytes)) {
        Ok(doc) => doc,
        Err(e) => return unreadable(path, "SPDX document", &e),
    };
    let Obj::Ok(doc) = doc else {
        return not_spdx(path, "the file is not a JSON object");
    };
    let mut issues = Issues::new(path);
    let root = Ptr::Root;
    let sbom = if !matches!(doc.context, Text::Absent) || !matches!(doc.graph, Many::Absent) {
        if !doc.context.get().is_some_and(is_spdx3_context) {
            return not_spdx(path, "its `@context` is not SPDX 3's");
        }
        super::spdx3::read(&doc.graph, &mut issues)
    } else {
        let Some(version) = issues.text(&doc.spdxVersion, root.key("spdxVersion")) else {
            return not_spdx(path, "it has no `spdxVersion`");
        };
        let version = version.strip_prefix("SPDX-").unwrap_or(version);
        check_version(
            &mut issues,
            "SPDX",
            version,
            VERSIONS,
            root.key("spdxVersion"),
        );
        spdx2(&doc, version, &mut issues)
    };
    Parsed {
        evidence: Some(Evidence::Sbom(Box::new(sbom))),
        findings: issues.finish(),
    }
}

fn not_spdx(path: &str, why: &str) -> Parsed {
    Parsed {
        evidence: None,
        findings: vec![
            Finding::new(
                FindingCode::InvalidValue,
                Some(path),
                format!("not an SPDX document: {why}"),
            )
            .with_help("an SPDX 2 JSON document has `spdxVersion`; SPDX 3 has an SPDX `@context`"),
        ],
    }
}

/// The SHA-256 among SPDX checksums (`algorithm: SHA256`), if any.
fn checksum_sha256(
    list: &Many<Obj<Checksum<'_>>>,
    at: Ptr<'_>,
    issues: &mut Issues<'_>,
) -> Option<Sha256Digest> {
    let mut found = None;
    for (i, c) in issues.many(list, at).iter().enumerate() {
        let c_at = at.at(i);
        let Some(c) = issues.obj(c, c_at) else {
            continue;
        };
        let algorithm = issues.text(&c.algorithm, c_at.key("algorithm"));
        let value = issues.text(&c.checksumValue, c_at.key("checksumValue"));
        if let (Some(algorithm), Some(value)) = (algorithm, value)
            && is_sha256(algorithm)
        {
            found = found.or_else(|| digest(value, c_at.key("checksumValue"), issues));
        }
    }
    found
}

/// The algorithms other than SHA-256 of SPDX checksums, as written (read again without
/// findings: [`checksum_sha256`] reported any problem).
fn other_algorithms(list: &Many<Obj<Checksum<'_>>>) -> Vec<String> {
    list.items()
        .iter()
        .filter_map(|c| c.get()?.algorithm.get())
        .filter(|alg| !is_sha256(alg) && !is_sha512(alg))
        .map(str::to_owned)
        .collect()
}

/// The SHA-256 and SHA-512 values of SPDX checksums that are not digests (read again
/// without findings: [`checksum_sha256`] reported each SHA-256).
fn malformed_sha256(list: &Many<Obj<Checksum<'_>>>) -> Vec<String> {
    list.items()
        .iter()
        .filter_map(|c| {
            let c = c.get()?;
            let (alg, value) = (c.algorithm.get()?, c.checksumValue.get()?);
            (is_sha256(alg) && sha256_hex(value).is_none()).then(|| value.to_owned())
        })
        .chain(sha512s(pairs(list)).1)
        .collect()
}

/// The `(algorithm, value)` pairs of SPDX checksums.
fn pairs<'a>(list: &'a Many<Obj<Checksum<'a>>>) -> impl Iterator<Item = (&'a str, &'a str)> {
    list.items()
        .iter()
        .filter_map(|c| Some((c.get()?.algorithm.get()?, c.get()?.checksumValue.get()?)))
}

pub(super) fn digest(value: &str, at: Ptr<'_>, issues: &mut Issues<'_>) -> Option<Sha256Digest> {
    let d = sha256_hex(value);
    if d.is_none() {
        issues.add(
            FindingCode::InvalidValue,
            "hash",
            at,
            format!("`{value}` is not a SHA-256 digest (64 hex digits); ignored"),
        );
    }
    d
}

fn spdx2(doc: &Doc<'_>, version: &str, issues: &mut Issues<'_>) -> Sbom {
    let root = Ptr::Root;
    let created = match issues.obj(&doc.creationInfo, root.key("creationInfo")) {
        Some(c) => {
            let at = root.key("creationInfo");
            let text = issues.text(&c.created, at.key("created"));
            issues.instant(text, at.key("created"))
        }
        None => None,
    };
    // What the document describes, in order: documentDescribes, then relationships.
    let doc_id = issues
        .text(&doc.SPDXID, root.key("SPDXID"))
        .unwrap_or("SPDXRef-DOCUMENT");
    let mut described_ids: Vec<&str> = Vec::new();
    let dd_at = root.key("documentDescribes");
    for (i, id) in issues
        .many(&doc.documentDescribes, dd_at)
        .iter()
        .enumerate()
    {
        if let Some(id) = issues.text(id, dd_at.at(i)) {
            described_ids.push(id);
        }
    }
    let rel_at = root.key("relationships");
    for (i, r) in issues.many(&doc.relationships, rel_at).iter().enumerate() {
        let r_at = rel_at.at(i);
        let Some(r) = issues.obj(r, r_at) else {
            continue;
        };
        let from = issues.text(&r.spdxElementId, r_at.key("spdxElementId"));
        let kind = issues.text(&r.relationshipType, r_at.key("relationshipType"));
        let to = issues.text(&r.relatedSpdxElement, r_at.key("relatedSpdxElement"));
        match (from, kind, to) {
            (Some(from), Some("DESCRIBES"), Some(to)) if from == doc_id => described_ids.push(to),
            (Some(from), Some("DESCRIBED_BY"), Some(to)) if to == doc_id => {
                described_ids.push(from);
            }
            _ => {}
        }
    }
    let mut seen = BTreeSet::new();
    described_ids.retain(|id| seen.insert(*id));
    // Packages by SPDXID; the described ones are the subject, the others the components.
    let mut by_id: BTreeMap<&str, Component> = BTreeMap::new();
    let mut subject_algorithms: Vec<String> = Vec::new();
    let mut subject_malformed: Vec<String> = Vec::new();
    let mut subject_sha512 = Vec::new();
    let mut components = Vec::new();
    let described_set: BTreeSet<&str> = described_ids.iter().copied().collect();
    let mut ids = BTreeSet::new();
    let pk_at = root.key("packages");
    for (i, p) in issues.many(&doc.packages, pk_at).iter().enumerate() {
        let p_at = pk_at.at(i);
        let Some(p) = issues.obj(p, p_at) else {
            continue;
        };
        let Some(component) = package(p, p_at, issues) else {
            continue;
        };
        let id = issues.text(&p.SPDXID, p_at.key("SPDXID"));
        if let Some(id) = id
            && !ids.insert(id)
        {
            issues.add(
                FindingCode::SbomDuplicateComponent,
                "spdxid",
                p_at.key("SPDXID"),
                format!("`{id}` is the `SPDXID` of an earlier package too"),
            );
        }
        match id {
            Some(id) if described_set.contains(id) => {
                subject_algorithms.extend(other_algorithms(&p.checksums));
                subject_malformed.extend(malformed_sha256(&p.checksums));
                subject_sha512.extend(sha512s(pairs(&p.checksums)).0);
                by_id.insert(id, component);
            }
            _ => components.push((component, id)),
        }
    }
    let mut files = Vec::new();
    let files_at = root.key("files");
    for (i, f) in issues.many(&doc.files, files_at).iter().enumerate() {
        let f_at = files_at.at(i);
        let Some(f) = issues.obj(f, f_at) else {
            continue;
        };
        let name = issues.text(&f.fileName, f_at.key("fileName"));
        let sha256 = checksum_sha256(&f.checksums, f_at.key("checksums"), issues);
        let id = issues.text(&f.SPDXID, f_at.key("SPDXID"));
        if let Some(name) = name {
            if let Some(id) = id.filter(|id| described_set.contains(id)) {
                subject_algorithms.extend(other_algorithms(&f.checksums));
                subject_malformed.extend(malformed_sha256(&f.checksums));
                subject_sha512.extend(sha512s(pairs(&f.checksums)).0);
                by_id.insert(id, file_component(name, sha256));
            }
            if let Some(sha256) = sha256 {
                files.push(SbomFile {
                    name: name.to_owned(),
                    sha256,
                });
            }
        }
    }
    let described = described_ids
        .iter()
        .filter_map(|id| by_id.remove(id))
        .collect();
    let components = dedup_components(components, issues);
    files.sort();
    files.dedup();
    subject_algorithms.sort();
    subject_algorithms.dedup();
    subject_malformed.sort();
    subject_malformed.dedup();
    subject_sha512.sort();
    subject_sha512.dedup();
    Sbom {
        format: SbomFormat::Spdx,
        spec_version: version.to_owned(),
        created,
        described,
        components,
        files,
        subject_algorithms,
        subject_malformed,
        subject_sha512,
        statements: None,
    }
}

/// A described file as a component: its base name (and digest).
pub(super) fn file_component(name: &str, sha256: Option<Sha256Digest>) -> Component {
    Component {
        name: name.rsplit('/').next().unwrap_or(name).to_owned(),
        version: None,
        purl: None,
        sha256,
    }
}

fn package(p: &Package<'_>, at: Ptr<'_>, issues: &mut Issues<'_>) -> Option<Component> {
    let name = issues.text(&p.name, at.key("name"));
    let version = issues.text(&p.versionInfo, at.key("versionInfo"));
    let mut purl = None;
    let refs_at = at.key("externalRefs");
    for (i, r) in issues.many(&p.externalRefs, refs_at).iter().enumerate() {
        let r_at = refs_at.at(i);
        let Some(r) = issues.obj(r, r_at) else {
            continue;
        };
        let category = issues.text(&r.referenceCategory, r_at.key("referenceCategory"));
        let kind = issues.text(&r.referenceType, r_at.key("referenceType"));
        let locator = issues.text(&r.referenceLocator, r_at.key("referenceLocator"));
        let manager = category.is_some_and(|c| c.replace('_', "-") == "PACKAGE-MANAGER");
        if manager && kind == Some("purl") && purl.is_none() {
            purl = locator.map(str::to_owned);
        }
    }
    let sha256 = checksum_sha256(&p.checksums, at.key("checksums"), issues);
    let Some(name) = name else {
        issues.add(
            FindingCode::InvalidValue,
            "name",
            at,
            "a package without a `name`; not listed".to_owned(),
        );
        return None;
    };
    Some(Component {
        name: name.to_owned(),
        version: version.map(str::to_owned),
        purl,
        sha256,
    })
}

#[cfg(test)]
mod tests;
