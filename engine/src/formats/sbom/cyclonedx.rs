//! CycloneDX JSON, specification 1.2 to 1.7: SBOMs, and VEX or VDR documents (a BOM whose
//! `vulnerabilities` say what they affect and, with `analysis`, whether the product is
//! affected).
//!
//! Read: `specVersion`, `metadata.timestamp`, `metadata.component` (the subject), every
//! component however deeply nested (`name`, `version`, `purl`, a `SHA-256` of `hashes`), and
//! each vulnerability's `id`, `references[].id` (aliases), `ratings` (severity word, score,
//! CVSS v3, v3.1 and v4 vectors), `published`, `analysis` (state, justification, detail)
//! and the first of `affects[].ref`, resolved to the component it names.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{
    Component, Issues, Ptr, Sbom, SbomFormat, check_version, dedup_components, is_sha256,
    is_sha512, sha256_hex, sha512s, strip_bom, unreadable,
};
use crate::finding::{Finding, FindingCode};
use crate::formats::lenient::{Many, Num, Obj, Text};
use crate::formats::{
    Confidence, DetectInput, Evidence, EvidenceFormat, EvidenceKind, ParseInput, Parsed,
};
use crate::vulns::{Band, SourceKind, StatedCvss, VulnDocument, VulnStatement, VulnStatus};

/// The specification versions vouch reads.
const VERSIONS: &[&str] = &["1.2", "1.3", "1.4", "1.5", "1.6", "1.7"];

/// CycloneDX JSON documents (`bomFormat: "CycloneDX"`).
#[derive(Debug, Clone, Copy, Default)]
pub struct CycloneDxFormat;

impl EvidenceFormat for CycloneDxFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::CycloneDxSbom
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        detect::detect(input)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        parse(input.path, input.bytes)
    }

    fn max_parse_size(&self) -> u64 {
        super::MAX_PARSE_SIZE
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Bom<'a> {
    #[serde(rename = "bomFormat", borrow)]
    bom_format: Text<'a>,
    #[serde(rename = "specVersion", borrow)]
    spec_version: Text<'a>,
    #[serde(borrow)]
    metadata: Obj<Metadata<'a>>,
    #[serde(borrow)]
    components: Many<Obj<Comp<'a>>>,
    #[serde(borrow)]
    vulnerabilities: Many<Obj<Vuln<'a>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Metadata<'a> {
    #[serde(borrow)]
    timestamp: Text<'a>,
    #[serde(borrow)]
    component: Obj<Comp<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Comp<'a> {
    #[serde(rename = "bom-ref", borrow)]
    bom_ref: Text<'a>,
    #[serde(borrow)]
    name: Text<'a>,
    #[serde(borrow)]
    version: Text<'a>,
    #[serde(borrow)]
    purl: Text<'a>,
    #[serde(borrow)]
    hashes: Many<Obj<Hash<'a>>>,
    #[serde(borrow)]
    components: Many<Obj<Comp<'a>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Hash<'a> {
    #[serde(borrow)]
    alg: Text<'a>,
    #[serde(borrow)]
    content: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Vuln<'a> {
    #[serde(borrow)]
    id: Text<'a>,
    #[serde(borrow)]
    references: Many<Obj<Reference<'a>>>,
    #[serde(borrow)]
    ratings: Many<Obj<Rating<'a>>>,
    #[serde(borrow)]
    published: Text<'a>,
    #[serde(borrow)]
    analysis: Obj<Analysis<'a>>,
    #[serde(borrow)]
    affects: Many<Obj<Affect<'a>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Reference<'a> {
    #[serde(borrow)]
    id: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Rating<'a> {
    #[serde(borrow)]
    severity: Text<'a>,
    score: Num,
    #[serde(borrow)]
    method: Text<'a>,
    #[serde(borrow)]
    vector: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Analysis<'a> {
    #[serde(borrow)]
    state: Text<'a>,
    #[serde(borrow)]
    justification: Text<'a>,
    #[serde(borrow)]
    detail: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Affect<'a> {
    #[serde(rename = "ref", borrow)]
    reference: Text<'a>,
}

/// What a `bom-ref` names: the component's purl (or name) and version.
type Refs<'a> = BTreeMap<&'a str, (String, Option<String>)>;

/// Everything the component walk collects.
struct Walk<'a, 'i, 'p> {
    issues: &'i mut Issues<'p>,
    components: Vec<(Component, Option<&'a str>)>,
    /// Every `bom-ref`, to find duplicates.
    bom_refs: Vec<&'a str>,
    /// `bom-ref` to component, kept only when there are vulnerabilities to resolve.
    refs: Option<Refs<'a>>,
}

/// Parses a CycloneDX JSON document.
pub(crate) fn parse(path: &str, bytes: &[u8]) -> Parsed {
    let head = String::from_utf8_lossy(bytes.get(..4096).unwrap_or(bytes));
    if detect::is_xml(&head) {
        return unsupported(path, "CycloneDX XML is not read; give vouch the JSON form");
    }
    if let Err(parsed) =
        crate::formats::json_strict::refuse_duplicates(path, strip_bom(bytes), "CycloneDX document")
    {
        return *parsed;
    }
    let bom: Obj<Bom<'_>> = match serde_json::from_slice(strip_bom(bytes)) {
        Ok(bom) => bom,
        Err(e) => return unreadable(path, "CycloneDX document", &e),
    };
    let Obj::Ok(bom) = bom else {
        return not_cyclonedx(path, "the file is not a JSON object");
    };
    let mut issues = Issues::new(path);
    let root = Ptr::Root;
    match issues.text(&bom.bom_format, root.key("bomFormat")) {
        Some("CycloneDX") => {}
        Some(other) => {
            return not_cyclonedx(path, &format!("`bomFormat` is `{other}`, not `CycloneDX`"));
        }
        None => return not_cyclonedx(path, "it has no `bomFormat`"),
    }
    let spec_version = issues
        .text(&bom.spec_version, root.key("specVersion"))
        .unwrap_or_default()
        .to_owned();
    check_version(
        &mut issues,
        "CycloneDX",
        &spec_version,
        VERSIONS,
        root.key("specVersion"),
    );
    let vulns = issues.many(&bom.vulnerabilities, root.key("vulnerabilities"));
    let mut walk = Walk {
        issues: &mut issues,
        components: Vec::new(),
        bom_refs: Vec::new(),
        refs: (!vulns.is_empty()).then(BTreeMap::new),
    };
    let meta_at = root.key("metadata");
    let metadata = walk.issues.obj(&bom.metadata, meta_at);
    let mut described = Vec::new();
    let mut subject_algorithms = Vec::new();
    let mut subject_malformed = Vec::new();
    let mut subject_sha512 = Vec::new();
    let mut created = None;
    if let Some(metadata) = metadata {
        let timestamp = walk
            .issues
            .text(&metadata.timestamp, meta_at.key("timestamp"));
        created = walk.issues.instant(timestamp, meta_at.key("timestamp"));
        let subject_at = meta_at.key("component");
        if let Some(subject) = walk.issues.obj(&metadata.component, subject_at) {
            // A subject without a name (some generators write `"name": ""`) describes nothing.
            if let Some((c, _)) = walk.component(subject, subject_at, false) {
                described.push(c);
                subject_algorithms = walk.other_algorithms(subject);
                subject_malformed = malformed_sha256(subject);
                let (digests, malformed) = sha512s(
                    subject
                        .hashes
                        .items()
                        .iter()
                        .filter_map(|h| Some((h.get()?.alg.get()?, h.get()?.content.get()?))),
                );
                subject_sha512 = digests;
                subject_malformed.extend(malformed);
                subject_malformed.sort();
                subject_malformed.dedup();
            }
            walk.nested(subject, subject_at);
        }
    }
    let list_at = root.key("components");
    let list = walk.issues.many(&bom.components, list_at);
    walk.list(list, list_at);
    let Walk {
        components,
        refs,
        mut bom_refs,
        ..
    } = walk;
    duplicate_refs(&mut bom_refs, &mut issues);
    let components = dedup_components(components, &mut issues);
    let refs = refs.unwrap_or_default();
    let statements = statements(vulns, &refs, &mut issues);
    let document = (!vulns.is_empty()).then(|| VulnDocument {
        kind: if vulns
            .iter()
            .filter_map(Obj::get)
            .any(|v| v.analysis.get().is_some_and(|a| a.state.get().is_some()))
        {
            SourceKind::Vex
        } else {
            SourceKind::Sbom
        },
        format: "cyclonedx",
        produced_at: created,
        statements,
    });
    let evidence = match document {
        // Vulnerabilities and nothing they are listed for: a VEX (or VDR) document alone.
        Some(document) if described.is_empty() && components.is_empty() => {
            Evidence::Vulnerabilities(document)
        }
        statements => Evidence::Sbom(Box::new(Sbom {
            format: SbomFormat::CycloneDx,
            spec_version,
            created,
            described,
            components,
            files: Vec::new(),
            subject_algorithms,
            subject_malformed,
            subject_sha512,
            statements,
        })),
    };
    Parsed {
        evidence: Some(evidence),
        findings: issues.finish(),
    }
}

fn not_cyclonedx(path: &str, why: &str) -> Parsed {
    Parsed {
        evidence: None,
        findings: vec![
            Finding::new(
                FindingCode::InvalidValue,
                Some(path),
                format!("not a CycloneDX document: {why}"),
            )
            .with_help("a CycloneDX JSON document has `\"bomFormat\": \"CycloneDX\"`"),
        ],
    }
}

/// A finding for each `bom-ref` given to more than one component (sorting, not hashing:
/// there may be 100,000).
fn duplicate_refs(bom_refs: &mut [&str], issues: &mut Issues<'_>) {
    bom_refs.sort_unstable();
    let mut i = 0;
    while let Some(first) = bom_refs.get(i) {
        let n = bom_refs
            .get(i..)
            .unwrap_or_default()
            .iter()
            .take_while(|r| *r == first)
            .count();
        if n > 1 {
            issues.add(
                FindingCode::SbomDuplicateComponent,
                "bom-ref",
                Ptr::Root.key("components"),
                format!("`{first}` is the `bom-ref` of {n} components"),
            );
        }
        i = i.saturating_add(n.max(1));
    }
}

/// A recognised SBOM form vouch does not read.
pub(crate) fn unsupported(path: &str, message: &str) -> Parsed {
    Parsed {
        evidence: None,
        findings: vec![
            Finding::new(FindingCode::SbomUnsupported, Some(path), message).with_help(
                "vouch reads CycloneDX JSON 1.2-1.7, SPDX 2.2/2.3 JSON and SPDX 3 JSON-LD",
            ),
        ],
    }
}

impl<'a> Walk<'a, '_, '_> {
    /// Every component of a `components` array, nested ones too.
    fn list(&mut self, list: &'a [Obj<Comp<'a>>], at: Ptr<'_>) {
        for (i, item) in list.iter().enumerate() {
            let item_at = at.at(i);
            let Some(c) = self.issues.obj(item, item_at) else {
                continue;
            };
            if let Some(component) = self.component(c, item_at, true) {
                self.components.push(component);
            }
            self.nested(c, item_at);
        }
    }

    fn nested(&mut self, c: &'a Comp<'a>, at: Ptr<'_>) {
        let nested_at = at.key("components");
        let nested = self.issues.many(&c.components, nested_at);
        self.list(nested, nested_at);
    }

    /// The algorithms other than SHA-256 a component states hashes in, sorted, each once
    /// (read again without findings: [`Walk::component`] reported any problem).
    fn other_algorithms(&self, c: &'a Comp<'a>) -> Vec<String> {
        let mut out: Vec<String> = c
            .hashes
            .items()
            .iter()
            .filter_map(|h| h.get()?.alg.get())
            .filter(|alg| !is_sha256(alg) && !is_sha512(alg))
            .map(str::to_owned)
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Reads one component; `None` when it has no name (a finding when `required`).
    fn component(
        &mut self,
        c: &'a Comp<'a>,
        at: Ptr<'_>,
        required: bool,
    ) -> Option<(Component, Option<&'a str>)> {
        let name = self.issues.text(&c.name, at.key("name"));
        let version = self.issues.text(&c.version, at.key("version"));
        let purl = self.issues.text(&c.purl, at.key("purl"));
        let mut sha256 = None;
        let hashes_at = at.key("hashes");
        for (i, h) in self.issues.many(&c.hashes, hashes_at).iter().enumerate() {
            let h_at = hashes_at.at(i);
            let Some(h) = self.issues.obj(h, h_at) else {
                continue;
            };
            let alg = self.issues.text(&h.alg, h_at.key("alg"));
            let content = self.issues.text(&h.content, h_at.key("content"));
            if let (Some(alg), Some(content)) = (alg, content)
                && is_sha256(alg)
            {
                match sha256_hex(content) {
                    Some(d) => sha256 = sha256.or(Some(d)),
                    None => self.issues.add(
                        FindingCode::InvalidValue,
                        "hash",
                        h_at.key("content"),
                        format!("`{content}` is not a SHA-256 digest (64 hex digits); ignored"),
                    ),
                }
            }
        }
        let bom_ref = self.issues.text(&c.bom_ref, at.key("bom-ref"));
        if let Some(bom_ref) = bom_ref {
            self.bom_refs.push(bom_ref);
            if let Some(refs) = &mut self.refs {
                let label = purl.or(name).unwrap_or(bom_ref).to_owned();
                refs.entry(bom_ref)
                    .or_insert((label, version.map(str::to_owned)));
            }
        }
        let Some(name) = name else {
            if required {
                self.issues.add(
                    FindingCode::InvalidValue,
                    "name",
                    at,
                    "a component without a `name`; not listed".to_owned(),
                );
            }
            return None;
        };
        let component = Component {
            name: name.to_owned(),
            version: version.map(str::to_owned),
            purl: purl.map(str::to_owned),
            sha256,
        };
        Some((component, bom_ref))
    }
}

/// The statements of `vulnerabilities`.
fn statements(
    vulns: &[Obj<Vuln<'_>>],
    refs: &Refs<'_>,
    issues: &mut Issues<'_>,
) -> Vec<VulnStatement> {
    let root = Ptr::Root;
    let list_at = root.key("vulnerabilities");
    let mut out = Vec::with_capacity(vulns.len());
    for (i, v) in vulns.iter().enumerate() {
        let at = list_at.at(i);
        if let Some(v) = issues.obj(v, at)
            && let Some(s) = statement(v, at, refs, issues)
        {
            out.push(s);
        }
    }
    out
}

/// How good a rating's method is: CVSS v4, v3.1, v3.0, then anything else.
fn method_rank(method: Option<&str>) -> (u8, Option<&'static str>) {
    match method.map(str::to_ascii_uppercase).as_deref() {
        Some("CVSSV4") => (0, Some("CVSS:4.0/")),
        Some("CVSSV31") => (1, Some("CVSS:3.1/")),
        Some("CVSSV3") => (2, Some("CVSS:3.0/")),
        _ => (3, None),
    }
}

fn statement(
    v: &Vuln<'_>,
    at: Ptr<'_>,
    refs: &Refs<'_>,
    issues: &mut Issues<'_>,
) -> Option<VulnStatement> {
    let Some(id) = issues.text(&v.id, at.key("id")) else {
        issues.add(
            FindingCode::InvalidValue,
            "vuln-id",
            at,
            "a vulnerability without an `id`; ignored".to_owned(),
        );
        return None;
    };
    let mut s = VulnStatement::new(id);
    let refs_at = at.key("references");
    for (i, r) in issues.many(&v.references, refs_at).iter().enumerate() {
        if let Some(r) = issues.obj(r, refs_at.at(i))
            && let Some(alias) = issues.text(&r.id, refs_at.at(i).key("id"))
            && !s.aliases.iter().any(|a| a == alias)
            && alias != id
        {
            s.aliases.push(alias.to_owned());
        }
    }
    // Ratings best first: CVSS v4, v3.1, v3.0, then others, each in document order.
    let ratings_at = at.key("ratings");
    let mut ratings = Vec::new();
    for (i, r) in issues.many(&v.ratings, ratings_at).iter().enumerate() {
        let r_at = ratings_at.at(i);
        if let Some(r) = issues.obj(r, r_at) {
            let (rank, prefix) = method_rank(issues.text(&r.method, r_at.key("method")));
            ratings.push((rank, i, prefix, r));
        }
    }
    ratings.sort_by_key(|(rank, i, _, _)| (*rank, *i));
    for (_, i, prefix, r) in &ratings {
        let r_at = ratings_at.at(*i);
        if let Num::Wrong(found) = r.score {
            issues.wrong_type(r_at.key("score"), "a number", found);
        }
        if let (Some(prefix), Some(vector)) = (prefix, issues.text(&r.vector, r_at.key("vector"))) {
            let vector = if vector.starts_with("CVSS:") {
                vector.to_owned()
            } else {
                format!("{prefix}{vector}")
            };
            s.cvss.push(StatedCvss {
                vector,
                score: r.score.get(),
            });
        }
        if s.severity.is_none()
            && let Some(word) = issues.text(&r.severity, r_at.key("severity"))
        {
            s.severity = Band::parse(word);
            if s.severity.is_none() && !word.eq_ignore_ascii_case("unknown") {
                issues.add(
                    FindingCode::InvalidValue,
                    "severity",
                    r_at.key("severity"),
                    format!("`{word}` is not a CycloneDX severity; ignored"),
                );
            }
        }
    }
    let published = issues.text(&v.published, at.key("published"));
    s.disclosed = issues.instant(published, at.key("published"));
    let analysis_at = at.key("analysis");
    if let Some(a) = issues.obj(&v.analysis, analysis_at) {
        analysis(&mut s, a, analysis_at, issues);
    }
    let affects_at = at.key("affects");
    let first = issues
        .many(&v.affects, affects_at)
        .iter()
        .enumerate()
        .find_map(|(i, a)| Some((i, a.get()?)));
    if let Some((i, a)) = first
        && let Some(reference) = issues.text(&a.reference, affects_at.at(i).key("ref"))
    {
        // A BOM-Link (`urn:cdx:serial/version#bom-ref`) names a component by its fragment.
        let fragment = reference.rsplit_once('#').map_or(reference, |(_, f)| f);
        match refs.get(reference).or_else(|| refs.get(fragment)) {
            Some((package, version)) => {
                s.package = Some(package.clone());
                s.installed.clone_from(version);
            }
            None => s.package = Some(fragment.to_owned()),
        }
    }
    Some(s)
}

/// Reads `analysis`: the VEX status and why.
fn analysis(s: &mut VulnStatement, a: &Analysis<'_>, at: Ptr<'_>, issues: &mut Issues<'_>) {
    let state = issues.text(&a.state, at.key("state"));
    let justification = issues.text(&a.justification, at.key("justification"));
    let detail = issues.text(&a.detail, at.key("detail"));
    if let Some(state) = state {
        s.status = VulnStatus::parse(state);
        if s.status.is_none() {
            issues.add(
                FindingCode::InvalidValue,
                "state",
                at.key("state"),
                format!(
                    "`{state}` is not a CycloneDX analysis state (resolved, \
                     resolved_with_pedigree, exploitable, in_triage, false_positive, \
                     not_affected); no status read"
                ),
            );
        }
    }
    if state.is_some_and(|st| st.eq_ignore_ascii_case("not_affected")) && justification.is_none() {
        issues.add(
            FindingCode::VexWithoutJustification,
            "justification",
            at,
            format!(
                "{} is `not_affected` without a `justification`{}",
                s.id,
                if detail.is_some() {
                    "; its `detail` is kept as the reason"
                } else {
                    ""
                }
            ),
        );
    }
    if s.status == Some(VulnStatus::NotAffected) {
        s.justification = justification.or(detail).map(str::to_owned);
    }
}

mod detect;
#[cfg(test)]
mod tests;

/// The SHA-256 values a component states that are not digests (read again without findings:
/// reading the component reported each).
fn malformed_sha256(c: &Comp<'_>) -> Vec<String> {
    let mut out: Vec<String> = c
        .hashes
        .items()
        .iter()
        .filter_map(|h| {
            let h = h.get()?;
            let (alg, content) = (h.alg.get()?, h.content.get()?);
            (is_sha256(alg) && sha256_hex(content).is_none()).then(|| content.to_owned())
        })
        .collect();
    out.sort();
    out.dedup();
    out
}
