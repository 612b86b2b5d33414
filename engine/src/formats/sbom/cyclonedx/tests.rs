#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use super::*;
use crate::formats::classify;

fn parse_str(text: &str) -> Parsed {
    parse("bom.json", text.as_bytes())
}

fn sbom(parsed: &Parsed) -> &Sbom {
    match &parsed.evidence {
        Some(Evidence::Sbom(s)) => s,
        other => panic!("not an SBOM: {other:?}"),
    }
}

fn codes(parsed: &Parsed) -> Vec<&'static str> {
    parsed.findings.iter().map(|f| f.code.as_str()).collect()
}

const HASH: &str = "3e11868522b3c014cd7ef27b8472c19cf6911e6faa222b3aa7179b167d4c0b0b";

#[test]
fn reads_subject_nested_components_and_hashes() {
    let text = format!(
        r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6",
        "metadata": {{"timestamp": "2026-09-30T12:00:00Z",
          "component": {{"bom-ref": "app", "name": "widget", "version": "2.4.1",
            "hashes": [{{"alg": "SHA-1", "content": "abc"}}, {{"alg": "SHA-256", "content": "{}"}}]}}}},
        "components": [
          {{"name": "serde", "version": "1.0.0", "purl": "pkg:cargo/serde@1.0.0",
            "components": [{{"name": "serde_derive", "version": "1.0.0",
              "components": [{{"name": "syn", "version": "2.0.0"}}]}}]}},
          {{"name": "libc", "version": "0.2.0", "purl": "pkg:cargo/libc@0.2.0?x=a\u0026y=b"}}
        ]}}"#,
        HASH.to_uppercase()
    );
    let parsed = parse_str(&text);
    assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
    let s = sbom(&parsed);
    assert_eq!(s.format, SbomFormat::CycloneDx);
    assert_eq!(s.spec_version, "1.6");
    assert_eq!(s.created.unwrap().to_string(), "2026-09-30T12:00:00Z");
    let subject = s.subject().unwrap();
    assert_eq!(
        (subject.name.as_str(), subject.version.as_deref()),
        ("widget", Some("2.4.1"))
    );
    assert_eq!(subject.sha256.unwrap().to_hex(), HASH);
    let names: Vec<&str> = s.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["libc", "serde", "serde_derive", "syn"]);
    assert_eq!(
        s.components[0].purl.as_deref(),
        Some("pkg:cargo/libc@0.2.0?x=a&y=b")
    );
    assert!(s.statements.is_none());
}

#[test]
fn vulnerabilities_become_statements() {
    let parsed = parse_str(
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.7",
        "components": [{"bom-ref": "pkg:npm/jquery@3.3.9", "name": "jquery", "version": "3.3.9",
                        "purl": "pkg:npm/jquery@3.3.9"}],
        "vulnerabilities": [{"id": "CVE-2019-11358",
          "references": [{"id": "GHSA-6c3j-c64m-qhgq"}, {"id": "CVE-2019-11358"}],
          "ratings": [{"severity": "low", "method": "other"},
                      {"score": 4.3, "severity": "medium", "method": "CVSSv2", "vector": "AV:N/AC:M/Au:N/C:N/I:P/A:N"},
                      {"score": 5.6, "method": "CVSSv3", "vector": "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:L"},
                      {"score": 6.1, "severity": "medium", "method": "CVSSv31", "vector": "AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"}],
          "published": "2019-04-20T00:29:00+00:00",
          "affects": [{"ref": "pkg:npm/jquery@3.3.9"}]}]}"#,
    );
    assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
    let doc = sbom(&parsed).statements.as_ref().unwrap();
    assert_eq!(doc.kind, SourceKind::Sbom);
    assert_eq!(doc.format, "cyclonedx");
    let st = &doc.statements[0];
    assert_eq!(st.aliases, ["GHSA-6c3j-c64m-qhgq"]);
    assert_eq!(st.severity, Some(Band::Medium));
    assert_eq!(
        st.cvss[0].vector,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"
    );
    assert_eq!(st.cvss[0].score, Some(6.1));
    assert_eq!(st.cvss.len(), 2, "CVSS v2 is not kept: {:?}", st.cvss);
    assert_eq!(st.package.as_deref(), Some("pkg:npm/jquery@3.3.9"));
    assert_eq!(st.installed.as_deref(), Some("3.3.9"));
    assert_eq!(st.status, None);
    assert_eq!(st.disclosed.unwrap().to_string(), "2019-04-20T00:29:00Z");
}

#[test]
fn a_vex_document_is_statements_alone() {
    let parsed = parse_str(
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.4", "version": 1,
        "vulnerabilities": [
          {"id": "CVE-1", "analysis": {"state": "not_affected", "justification": "code_not_reachable"},
           "affects": [{"ref": "urn:cdx:3e67/1#pkg:maven/a/b@1"}]},
          {"id": "CVE-2", "analysis": {"state": "not_affected", "detail": "never loaded"}},
          {"id": "CVE-3", "analysis": {"state": "resolved", "detail": "fixed in 2.4.1"}},
          {"id": "CVE-4", "analysis": {"state": "exploitable"}},
          {"id": "CVE-5", "analysis": {"state": "in_triage"}},
          {"id": "CVE-6", "analysis": {"state": "false_positive"}},
          {"id": "CVE-7", "analysis": {"state": "maybe"}},
          {"id": "CVE-8", "analysis": {"state": "not_affected"}}
        ]}"#,
    );
    let Some(Evidence::Vulnerabilities(doc)) = &parsed.evidence else {
        panic!("{:?}", parsed.evidence);
    };
    assert_eq!(doc.kind, SourceKind::Vex);
    let status: Vec<Option<VulnStatus>> = doc.statements.iter().map(|s| s.status).collect();
    assert_eq!(
        status,
        [
            Some(VulnStatus::NotAffected),
            Some(VulnStatus::NotAffected),
            Some(VulnStatus::Fixed),
            Some(VulnStatus::Affected),
            Some(VulnStatus::UnderInvestigation),
            Some(VulnStatus::NotAffected),
            None,
            Some(VulnStatus::NotAffected),
        ]
    );
    assert_eq!(
        doc.statements[0].justification.as_deref(),
        Some("code_not_reachable")
    );
    assert_eq!(
        doc.statements[0].package.as_deref(),
        Some("pkg:maven/a/b@1")
    );
    assert_eq!(
        doc.statements[1].justification.as_deref(),
        Some("never loaded")
    );
    assert_eq!(doc.statements[2].justification, None);
    assert_eq!(
        codes(&parsed),
        [
            "vouch::vex::no-justification",
            "vouch::evidence::invalid-value",
            "vouch::vex::no-justification"
        ]
    );
    assert!(
        parsed.findings[0]
            .message
            .starts_with("/vulnerabilities/1/analysis: CVE-2")
    );
    assert!(
        parsed.findings[1]
            .message
            .starts_with("/vulnerabilities/6/analysis/state")
    );
}

#[test]
fn wrong_types_are_located_findings_and_the_rest_is_read() {
    let parsed = parse_str(
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.5",
        "metadata": {"timestamp": 12, "component": "widget"},
        "components": [{"name": 7}, 3, {"name": "ok", "version": ["1"], "hashes": {"alg": "x"}},
                       {"version": "1.0"}, {"name": "h", "hashes": [{"alg": "SHA-256", "content": "zz"}]}],
        "vulnerabilities": [{"id": "CVE-1", "ratings": [{"score": "high", "severity": "extreme"}]},
                            {"ratings": []}]}"#,
    );
    let s = sbom(&parsed);
    let names: Vec<&str> = s.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["h", "ok"]);
    assert_eq!(s.components[1].version, None);
    assert!(s.subject().is_none());
    assert_eq!(s.statements.as_ref().unwrap().statements.len(), 1);
    let messages: Vec<&str> = parsed.findings.iter().map(|f| f.message.as_str()).collect();
    for expected in [
        "/metadata/timestamp: expected a string, found a number; ignored",
        "/metadata/component: expected an object, found a string; ignored",
        "/components/0/name: expected a string, found a number; ignored",
        "/components/0: a component without a `name`; not listed",
        "/components/1: expected an object, found a number; ignored",
        "/components/2/version: expected a string, found an array; ignored",
        "/components/2/hashes: expected an array, found an object; ignored",
        "/components/3: a component without a `name`; not listed",
        "/components/4/hashes/0/content: `zz` is not a SHA-256 digest (64 hex digits); ignored",
        "/vulnerabilities/0/ratings/0/score: expected a number, found a string; ignored",
        "/vulnerabilities/0/ratings/0/severity: `extreme` is not a CycloneDX severity; ignored",
        "/vulnerabilities/1: a vulnerability without an `id`; ignored",
    ] {
        assert!(messages.contains(&expected), "{expected}\n{messages:#?}");
    }
}

#[test]
fn duplicates_are_counted_once_with_a_warning() {
    let parsed = parse_str(
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
          {"name": "a", "version": "1"}, {"name": "a", "version": "1"},
          {"bom-ref": "k", "name": "RSA-2048"}, {"bom-ref": "alg", "name": "RSA-2048"},
          {"bom-ref": "x", "name": "b"}, {"bom-ref": "x", "name": "c"}]}"#,
    );
    let s = sbom(&parsed);
    let names: Vec<&str> = s.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["RSA-2048", "RSA-2048", "a", "b", "c"]);
    assert_eq!(
        codes(&parsed),
        [
            "vouch::sbom::duplicate-component",
            "vouch::sbom::duplicate-component"
        ]
    );
    assert!(parsed.findings[0].message.contains("`x`"));
    assert!(parsed.findings[1].message.starts_with("1 components"));
}

#[test]
fn versions_and_documents_that_are_not_cyclonedx() {
    let parsed = parse_str(r#"{"bomFormat": "CycloneDX", "specVersion": "2.0"}"#);
    assert_eq!(codes(&parsed), ["vouch::sbom::unsupported-version"]);
    assert!(parsed.evidence.is_some());
    let parsed = parse_str(r#"{"bomFormat": "SPDX"}"#);
    assert!(parsed.evidence.is_none());
    assert_eq!(codes(&parsed), ["vouch::evidence::invalid-value"]);
    let parsed = parse_str(r#"["bomFormat", "CycloneDX"]"#);
    assert!(parsed.evidence.is_none());
    let parsed = parse_str(r#"{"bomFormat": "CycloneDX", "components": [{"name": "a""#);
    assert_eq!(codes(&parsed), ["vouch::json::syntax"]);
    // A key given twice: the one rule of every JSON reader, with line and column.
    let parsed = parse_str(r#"{"bomFormat": "CycloneDX", "bomFormat": "CycloneDX"}"#);
    assert_eq!(codes(&parsed), ["vouch::json::duplicate-key"]);
    assert_eq!(parsed.findings[0].column, Some(38));
    let deep = format!(
        r#"{{"bomFormat": "CycloneDX", "components": {}"#,
        r#"[{"name": "a", "components": "#.repeat(5000)
    );
    let parsed = parse_str(&deep);
    assert_eq!(codes(&parsed), ["vouch::json::syntax"]);
    let xml = r#"<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5"></bom>"#;
    assert_eq!(codes(&parse_str(xml)), ["vouch::sbom::unsupported"]);
}

fn kind(path: &str, text: &str) -> Option<EvidenceKind> {
    classify(&DetectInput::new(path, text.as_bytes(), text.len() as u64)).map(|f| f.kind())
}

#[test]
fn detection_wants_a_top_level_bom_format() {
    let bom = r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": []}"#;
    assert_eq!(kind("x.json", bom), Some(EvidenceKind::CycloneDxSbom));
    assert_eq!(kind("anything", bom), Some(EvidenceKind::CycloneDxSbom));
    // The same BOM as an in-toto predicate is a statement, not an SBOM.
    let statement = format!(
        r#"{{"_type": "https://in-toto.io/Statement/v1", "subject": [],
           "predicateType": "https://cyclonedx.org/bom", "predicate": {bom}}}"#
    );
    assert_eq!(
        kind("x.json", &statement),
        Some(EvidenceKind::InTotoStatement)
    );
    // An OSV-looking head (an `id` and `modified`) with a top-level bomFormat is CycloneDX.
    let tricky = r#"{"bomFormat": "CycloneDX", "id": "x", "modified": true}"#;
    assert_eq!(kind("x.json", tricky), Some(EvidenceKind::CycloneDxSbom));
    assert_eq!(
        kind("app.cdx.json", "{}"),
        Some(EvidenceKind::CycloneDxSbom)
    );
    assert_eq!(kind("bom.json", "{}"), Some(EvidenceKind::CycloneDxSbom));
    assert_eq!(kind("x.json", r#"{"a": {"bomFormat": "CycloneDX"}}"#), None);
}

/// cyclonedx-py `--output-reproducible` writes `components` first and `bomFormat` near the
/// end: in a large SBOM detection sees only components. A head cut off there is CycloneDX;
/// the same head as the whole file (no `bomFormat`) is not.
#[test]
fn detection_of_a_head_cut_before_bom_format() {
    let head = r#"{
  "components": [
    {
      "bom-ref": "PyYAML==6.0.4",
      "name": "PyYAML",
      "purl": "pkg:pypi/pyyaml@6.0.4","#;
    let cut = |size: u64| {
        classify(&DetectInput::new("env.json", head.as_bytes(), size)).map(|f| f.kind())
    };
    assert_eq!(cut(200_000), Some(EvidenceKind::CycloneDxSbom));
    assert_eq!(cut(head.len() as u64), None);
    // Other leading keys are not CycloneDX's shape.
    let other = r#"{"packages": [{"bom-ref": "x", "name": "y"#;
    assert_eq!(
        classify(&DetectInput::new("x.json", other.as_bytes(), 200_000)).map(|f| f.kind()),
        None
    );
}
