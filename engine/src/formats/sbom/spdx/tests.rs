#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use super::*;
use crate::formats::classify;

fn parse_str(text: &str) -> Parsed {
    parse("x.spdx.json", text.as_bytes())
}

fn sbom(parsed: &Parsed) -> &Sbom {
    match &parsed.evidence {
        Some(Evidence::Sbom(s)) => s,
        other => panic!("not an SBOM: {other:?}: {:?}", parsed.findings),
    }
}

fn codes(parsed: &Parsed) -> Vec<&'static str> {
    parsed.findings.iter().map(|f| f.code.as_str()).collect()
}

const HASH: &str = "3e11868522b3c014cd7ef27b8472c19cf6911e6faa222b3aa7179b167d4c0b0b";

#[test]
fn reads_spdx_2_packages_files_and_what_it_describes() {
    let text = format!(
        r#"{{"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT",
        "creationInfo": {{"created": "2026-09-30T12:00:00Z"}},
        "packages": [
          {{"SPDXID": "SPDXRef-dep", "name": "serde", "versionInfo": "1.0.0",
            "externalRefs": [{{"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": "cpe:x"}},
                             {{"referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": "pkg:cargo/serde@1.0.0"}}]}},
          {{"SPDXID": "SPDXRef-root", "name": "widget", "versionInfo": "2.4.1",
            "checksums": [{{"algorithm": "SHA1", "checksumValue": "abc"}}, {{"algorithm": "SHA256", "checksumValue": "{HASH}"}}]}}
        ],
        "files": [{{"SPDXID": "SPDXRef-f", "fileName": "./dist/widget-2.4.1.tar.gz",
                    "checksums": [{{"algorithm": "SHA256", "checksumValue": "{HASH}"}}]}},
                  {{"SPDXID": "SPDXRef-g", "fileName": "./README", "checksums": []}}],
        "relationships": [
          {{"spdxElementId": "SPDXRef-root", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-dep"}},
          {{"spdxElementId": "SPDXRef-root", "relationshipType": "DESCRIBED_BY", "relatedSpdxElement": "SPDXRef-DOCUMENT"}}
        ]}}"#
    );
    let parsed = parse_str(&text);
    assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
    let s = sbom(&parsed);
    assert_eq!(s.format, SbomFormat::Spdx);
    assert_eq!(s.spec_version, "2.3");
    assert_eq!(s.created.unwrap().to_string(), "2026-09-30T12:00:00Z");
    let subject = s.subject().unwrap();
    assert_eq!(subject.name, "widget");
    assert_eq!(subject.sha256.unwrap().to_hex(), HASH);
    assert_eq!(s.components.len(), 1);
    assert_eq!(
        s.components[0].purl.as_deref(),
        Some("pkg:cargo/serde@1.0.0")
    );
    assert_eq!(s.files.len(), 1);
    assert_eq!(s.files[0].name, "./dist/widget-2.4.1.tar.gz");
}

#[test]
fn document_describes_and_described_files() {
    let text = format!(
        r#"{{"spdxVersion": "SPDX-2.2", "documentDescribes": ["SPDXRef-f", "SPDXRef-p"],
        "packages": [{{"SPDXID": "SPDXRef-p", "name": "hello", "versionInfo": "1"}}],
        "files": [{{"SPDXID": "SPDXRef-f", "fileName": "./bin/hello",
                    "checksums": [{{"algorithm": "SHA256", "checksumValue": "{HASH}"}}]}}]}}"#
    );
    let parsed = parse_str(&text);
    let s = sbom(&parsed);
    let described: Vec<&str> = s.described.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(described, ["hello", "hello"]);
    assert!(s.described[0].sha256.is_some() && s.described[0].version.is_none());
    assert!(s.components.is_empty());
}

#[test]
fn reads_spdx_3_json_ld() {
    let text = format!(
        r#"{{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": [
          {{"@id": "_:ci", "type": "CreationInfo", "specVersion": "3.0.1", "created": "2026-01-02T03:04:05Z"}},
          {{"type": "SpdxDocument", "spdxId": "urn:doc", "rootElement": ["urn:sbom"]}},
          {{"type": "software_Sbom", "spdxId": "urn:sbom", "rootElement": ["urn:app"]}},
          {{"type": "software_Package", "spdxId": "urn:app", "name": "widget",
            "software_packageVersion": "2.4.1", "software_packageUrl": "pkg:generic/widget@2.4.1",
            "verifiedUsing": [{{"type": "Hash", "algorithm": "sha256", "hashValue": "{HASH}"}}]}},
          {{"type": "software_Package", "spdxId": "urn:dep", "name": "zlib", "software_packageVersion": "1.3"}},
          {{"type": "software_File", "spdxId": "urn:file", "name": "lib/x.so",
            "verifiedUsing": [{{"type": "Hash", "algorithm": "sha256", "hashValue": "{HASH}"}}]}},
          {{"type": "Relationship", "spdxId": "urn:r", "from": "urn:app", "relationshipType": "dependsOn", "to": ["urn:dep"]}}
        ]}}"#
    );
    let parsed = parse_str(&text);
    assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
    let s = sbom(&parsed);
    assert_eq!(s.spec_version, "3.0.1");
    assert_eq!(s.created.unwrap().to_string(), "2026-01-02T03:04:05Z");
    let subject = s.subject().unwrap();
    assert_eq!(
        (subject.name.as_str(), subject.purl.as_deref()),
        ("widget", Some("pkg:generic/widget@2.4.1"))
    );
    assert_eq!(s.components.len(), 1);
    assert_eq!(s.components[0].name, "zlib");
    assert_eq!(s.files.len(), 1);
}

#[test]
fn other_forms_and_broken_documents_are_findings() {
    let parsed = parse_str(r#"{"spdxVersion": "SPDX-2.1", "packages": [{"versionInfo": "1"}, 5]}"#);
    assert_eq!(
        codes(&parsed),
        [
            "vouch::sbom::unsupported-version",
            "vouch::evidence::invalid-value",
            "vouch::evidence::invalid-value"
        ]
    );
    assert!(sbom(&parsed).components.is_empty());
    let parsed = parse_str(r#"{"@context": "https://schema.org", "@graph": []}"#);
    assert!(parsed.evidence.is_none());
    let parsed = parse_str(r#"{"SPDXID": "SPDXRef-DOCUMENT"}"#);
    assert!(parsed.evidence.is_none());
    let parsed = parse(
        "x.spdx",
        b"## Document\nSPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n",
    );
    assert_eq!(codes(&parsed), ["vouch::sbom::unsupported"]);
    let parsed = parse_str(r#"{"spdxVersion": "SPDX-2.3", "packages": [{"name": "a"},"#);
    assert_eq!(codes(&parsed), ["vouch::json::syntax"]);
}

fn kind(path: &str, text: &str) -> Option<EvidenceKind> {
    classify(&DetectInput::new(path, text.as_bytes(), text.len() as u64)).map(|f| f.kind())
}

#[test]
fn detection() {
    assert_eq!(
        kind(
            "a.json",
            r#"{"SPDXID": "SPDXRef-DOCUMENT", "spdxVersion": "SPDX-2.3"}"#
        ),
        Some(EvidenceKind::SpdxSbom)
    );
    // The Microsoft SBOM tool writes `files` first and `spdxVersion` last.
    let long = format!(
        r#"{{"files": [{}"#,
        r#"{"fileName": "./a", "SPDXID": "SPDXRef-File-a"},"#.repeat(3000)
    );
    let head = long.get(..crate::formats::HEAD_LEN).unwrap();
    assert_eq!(
        classify(&DetectInput::new(
            "_manifest.json",
            head.as_bytes(),
            10_000_000
        ))
        .map(|f| f.kind()),
        Some(EvidenceKind::SpdxSbom)
    );
    assert_eq!(
        kind(
            "a.json",
            r#"{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"}"#
        ),
        Some(EvidenceKind::SpdxSbom)
    );
    assert_eq!(
        kind("a.txt", "SPDXVersion: SPDX-2.3\n"),
        Some(EvidenceKind::SpdxSbom)
    );
    assert_eq!(kind("app.spdx.json", "{}"), Some(EvidenceKind::SpdxSbom));
    assert_eq!(
        kind("a.json", r#"{"x": {"spdxVersion": "SPDX-2.3"}}"#),
        None
    );
}
