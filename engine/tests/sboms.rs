//! SBOMs end to end: every CycloneDX and SPDX file of the shared corpus, linking to
//! artifacts by digest, name and version, and file name, policies over `artifact.sboms`,
//! and bad input (truncated, deeply nested, wrong types, duplicates, too large). SBOMs made
//! by real generators are in `sboms_tools.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use crate::common;
use crate::sbom_common;

use std::path::PathBuf;

use common::{findings_at, write};
use sbom_common::*;
use serde_json::json;
use vouch_engine::graph::SbomLink;
use vouch_engine::report::Status;
use vouch_engine::vulns::{Band, SourceKind, VulnStatus};
use vouch_engine::{EvidenceGraph, FindingCode, Severity, Sha256Digest};

fn corpus_copy(test: &str) -> Option<(tempfile::TempDir, PathBuf)> {
    let Some(corpus) = common::corpus() else {
        eprintln!("skipping {test}: ../shared/corpus is not present");
        return None;
    };
    let tmp = tempfile::tempdir().unwrap();
    for sub in ["cyclonedx", "spdx"] {
        std::fs::create_dir_all(tmp.path().join(sub)).unwrap();
        for entry in std::fs::read_dir(corpus.join(sub)).unwrap() {
            let from = entry.unwrap().path();
            std::fs::copy(&from, tmp.path().join(sub).join(from.file_name().unwrap())).unwrap();
        }
    }
    Some((tmp, corpus))
}

#[test]
fn every_corpus_sbom_parses() {
    let Some((tmp, _)) = corpus_copy("every_corpus_sbom_parses") else {
        return;
    };
    let graph = common::ingest(tmp.path());
    let mut files = 0;
    for (_, f) in graph.files() {
        files += 1;
        let kind = f.kind.map(|k| k.as_str());
        let want = if f.path.starts_with("cyclonedx/") {
            "cyclonedx-sbom"
        } else {
            "spdx-sbom"
        };
        assert_eq!(kind, Some(want), "{}", f.path);
        // The one error the corpus holds is real: the CycloneDX VEX example states Snyk's
        // 8.2 beside a vector that scores 7.5.
        let errors: Vec<_> = graph
            .findings()
            .iter()
            .filter(|x| x.path.as_deref() == Some(&f.path) && x.severity == Severity::Error)
            .filter(|x| {
                !(f.path == "cyclonedx/vex-example.vex.json"
                    && x.code == vouch_engine::FindingCode::CvssScoreMismatch
                    && x.message.contains("stated CVSS score 8.2"))
            })
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", f.path);
    }
    assert_eq!(files, 19);
    // Two VEX documents are statements only; every other file is an SBOM.
    assert_eq!(graph.sboms().count(), 17);

    let laravel = sbom_at(&graph, "cyclonedx/laravel-7.12.0.bom.1.4.json");
    assert_eq!(laravel.spec_version, "1.4");
    assert_eq!(laravel.components.len(), 62);
    let subject = &laravel.described[0];
    assert_eq!(subject.name, "cyclonedx-php-composer-demo");
    assert_eq!(subject.version.as_deref(), Some("dev-master"));
    let npm = sbom_at(&graph, "cyclonedx/trivy-npm-vulns.cdx.1.7.json");
    assert_eq!(npm.spec_version, "1.7");
    assert_eq!(npm.components.len(), 13);
    assert!(
        npm.components
            .iter()
            .any(|c| c.purl.as_deref() == Some("pkg:npm/jquery@3.3.9"))
    );
    let zlib = sbom_at(&graph, "cyclonedx/osv-scanner-alpine-zlib.cdx.1.6.json");
    assert!(
        zlib.described.is_empty(),
        "an empty subject name describes nothing"
    );
    assert_eq!(
        zlib.components[0].purl.as_deref(),
        Some("pkg:apk/alpine/zlib@1.2.12-r1?arch=x86_64&distro=3.22.0&origin=zlib")
    );
    assert_eq!(
        sbom_at(&graph, "cyclonedx/trivy-minikube-kbom.cdx.1.5.json")
            .components
            .len(),
        18
    );
    assert_eq!(
        sbom_at(&graph, "cyclonedx/cbom-protocol.bom.1.6.json")
            .components
            .len(),
        8
    );

    let minimal = sbom_at(&graph, "spdx/01-MinimalSBOM.json");
    assert_eq!(minimal.spec_version, "2.3");
    assert_eq!(minimal.described[0].name, "tools-java");
    assert_eq!(
        minimal.described[0].purl.as_deref(),
        Some("pkg:github/spdx/tools-java@2235d5d7f7fe46ce1e0d54b7831c5681633b25cc")
    );
    assert!(minimal.components.is_empty());
    assert_eq!(
        sbom_at(&graph, "spdx/ACME-v2.3.spdx.json").components.len(),
        3
    );
    assert_eq!(
        sbom_at(&graph, "spdx/trivy-julia.spdx.json")
            .components
            .len(),
        4
    );
    let dist = sbom_at(&graph, "spdx/hello-dist.spdx.json");
    assert_eq!(dist.spec_version, "2.2");
    assert_eq!(dist.files[0].name, "./hello-0.0.1.tar.gz");
    assert_eq!(
        dist.files[0].sha256.to_hex(),
        "3e11868522b3c014cd7ef27b8472c19cf6911e6faa222b3aa7179b167d4c0b0b"
    );
    // SPDX 3.0.1 JSON-LD: read, with its root elements as what it describes.
    let v3 = sbom_at(&graph, "spdx/example11-sbom.spdx3.json");
    assert_eq!(v3.spec_version, "3.0.1");
    assert_eq!(v3.described[0].name, "hello-server");
    assert_eq!(
        v3.described[0].sha256.unwrap().to_hex(),
        "bd2195f2551328fa3ad870726f5591fd82fdc5dd33a359be79d356dbecd5868b"
    );
    assert_eq!(v3.described[1].name, "hello-server-src");
    let names: Vec<&str> = v3.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["hyper", "pretty_env_logger", "tokio"]);
    // The same document in SPDX 2.3 reads the same.
    let v2 = sbom_at(&graph, "spdx/example11-sbom.spdx.json");
    assert_eq!(v2.described.len(), 2);
    assert_eq!(v2.components.len(), 3);
    // No release: every SBOM says it describes no artifact.
    assert_eq!(
        graph
            .findings()
            .iter()
            .filter(|f| f.code == FindingCode::SbomNoArtifact)
            .count(),
        17
    );
}

#[test]
fn corpus_vulnerabilities_and_vex() {
    let Some((tmp, _)) = corpus_copy("corpus_vulnerabilities_and_vex") else {
        return;
    };
    let graph = common::ingest(tmp.path());
    let vuln = |id: &str| {
        graph
            .vulnerabilities()
            .find(|(_, v)| v.id == id)
            .unwrap_or_else(|| panic!("no {id}"))
    };
    // Embedded in Trivy's SBOM: an SBOM statement, no status of its own.
    let (id, jquery) = vuln("CVE-2019-11358");
    assert_eq!(jquery.status, VulnStatus::Affected);
    assert_eq!(jquery.severity, Some(Band::Medium));
    assert_eq!(
        jquery.cvss.as_ref().unwrap().vector,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"
    );
    let statements = graph.statements_of(id);
    assert_eq!(statements.len(), 1);
    assert_eq!(statements[0].1.kind, SourceKind::Sbom);
    assert_eq!(
        statements[0].1.statement.package.as_deref(),
        Some("pkg:npm/jquery@3.3.9")
    );
    assert_eq!(
        statements[0].1.statement.installed.as_deref(),
        Some("3.3.9")
    );
    // CycloneDX VEX: not_affected with its justification, the reference as an alias.
    let (_, jackson) = vuln("CVE-2020-25649");
    assert_eq!(jackson.status, VulnStatus::NotAffected);
    assert_eq!(jackson.justification.as_deref(), Some("code_not_reachable"));
    assert_eq!(
        jackson.aliases,
        ["SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302"]
    );
    // CISA case 8 states one status per product version: four VEX statements each,
    // contradicting each other for vouch's one status per vulnerability, so a conflict.
    for id in ["CVE-2021-44228", "CVE-2021-45105"] {
        let (node, v) = vuln(id);
        assert_eq!(v.status, VulnStatus::Affected, "{id}");
        let mut statuses: Vec<_> = graph
            .statements_of(node)
            .iter()
            .map(|(_, s)| (s.kind, s.statement.status))
            .collect();
        statuses.sort();
        assert_eq!(
            statuses,
            [
                (SourceKind::Vex, Some(VulnStatus::Affected)),
                (SourceKind::Vex, Some(VulnStatus::Fixed)),
                (SourceKind::Vex, Some(VulnStatus::NotAffected)),
                (SourceKind::Vex, Some(VulnStatus::NotAffected)),
            ]
        );
    }
    let conflicts: Vec<_> = findings_at(&graph, "cyclonedx/cisa-case-8.vex.json");
    assert_eq!(
        conflicts,
        [
            (FindingCode::VulnConflict, None),
            (FindingCode::VulnConflict, None)
        ]
    );
    assert_eq!(
        status(
            &graph,
            "  expect all(v in vulnerabilities where v.id == \"CVE-2020-25649\": \
             v.status == not_affected and len(v.sources) == 1)"
        ),
        Status::Pass
    );
}

#[test]
fn linked_by_digest_name_version_and_file_name() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let digest = Sha256Digest::of(CONTENT).to_hex();
    write(dir, "dist/widget-2.4.1.tar.gz", CONTENT);
    write(dir, "dist/widget-cli-2.4.1-linux.zip", b"cli");
    write(dir, "dist/widget-gui-2.4.1.zip", b"gui");
    write(dir, "dist/notes.pdf", b"notes");
    write(dir, "dist/orphan.bin", b"orphan");
    release(
        dir,
        &[
            "dist/widget-2.4.1.tar.gz",
            "dist/widget-cli-2.4.1-linux.zip",
            "dist/widget-gui-2.4.1.zip",
            "dist/notes.pdf",
            "dist/orphan.bin",
        ],
    );
    // By digest, whatever the names say.
    write(
        dir,
        "sboms/by-digest.json",
        &cyclonedx(
            json!({"name": "something-else", "version": "0.0.0",
                   "hashes": [{"alg": "SHA-256", "content": digest}]}),
            3,
        ),
    );
    // By name and version in the file name: the CLI only.
    write(
        dir,
        "sboms/cli.json",
        &cyclonedx(json!({"name": "widget-cli", "version": "v2.4.1"}), 1),
    );
    // By file name convention: `X.spdx.json` beside `X`.
    write(
        dir,
        "dist/notes.pdf.spdx.json",
        json!({"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT",
               "packages": [{"SPDXID": "SPDXRef-p", "name": "documentation"}],
               "documentDescribes": ["SPDXRef-p"]})
        .to_string()
        .as_bytes(),
    );
    // Describing nothing of this release.
    write(
        dir,
        "sboms/other.cdx.json",
        &cyclonedx(json!({"name": "gadget", "version": "9.9"}), 1),
    );
    let graph = common::ingest(dir);
    assert_eq!(
        linked(&graph, "dist/widget-2.4.1.tar.gz"),
        [("sboms/by-digest.json".to_owned(), SbomLink::Digest)]
    );
    assert_eq!(
        linked(&graph, "dist/widget-cli-2.4.1-linux.zip"),
        [("sboms/cli.json".to_owned(), SbomLink::NameVersion)]
    );
    assert!(linked(&graph, "dist/widget-gui-2.4.1.zip").is_empty());
    assert_eq!(
        linked(&graph, "dist/notes.pdf"),
        [("dist/notes.pdf.spdx.json".to_owned(), SbomLink::FileName)]
    );
    assert!(linked(&graph, "dist/orphan.bin").is_empty());
    assert_eq!(
        findings_at(&graph, "sboms/other.cdx.json"),
        [(FindingCode::SbomNoArtifact, None)]
    );
    for path in [
        "sboms/by-digest.json",
        "sboms/cli.json",
        "dist/notes.pdf.spdx.json",
    ] {
        assert!(findings_at(&graph, path).is_empty(), "{path}");
    }
    // Through the policy language.
    let every = "  for a in release.artifacts {\n    expect len(a.sboms) > 0 else \"{a.path} has no SBOM\"\n  }";
    assert_eq!(status(&graph, every), Status::Fail);
    let some = "  for a in release.artifacts where a.name.starts_with(\"widget-2\") or a.name == \"notes.pdf\" {\n    expect len(a.sboms) > 0\n  }";
    assert_eq!(status(&graph, some), Status::Pass);
    assert_eq!(
        status(
            &graph,
            "  expect len(release.sboms) == 4\n  \
             expect all(s in release.sboms where s.path == \"sboms/other.cdx.json\": s.linked_by == none)\n  \
             expect all(a in release.artifacts where a.name == \"widget-2.4.1.tar.gz\": \
               all(s in a.sboms: s.linked_by != none and s.linked_by == \"digest\" and s.format == \"cyclonedx\" \
                 and s.spec_version == \"1.6\" and len(s.components) == 3 \
                 and s.subject.name != none and s.subject.name == \"something-else\" \
                 and s.subject.sha256 != none and s.subject.sha256 == a.sha256 \
                 and any(c in s.components: c.purl != none and c.purl == \"pkg:cargo/dep-1@1.0.0\") \
                 and s.created != none and s.created == 2026-09-30T12:00:00Z))"
        ),
        Status::Pass
    );
}

#[test]
fn the_release_itself_and_a_digest_that_contradicts_the_name() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "dist/app.tar.gz", CONTENT);
    write(dir, "dist/app.zip", b"zip");
    release(dir, &["dist/*"]);
    // The subject is the release (product and version): every artifact.
    write(
        dir,
        "release.cdx.json",
        &cyclonedx(json!({"name": "Widget", "version": "2.4.1"}), 2),
    );
    let graph = common::ingest(dir);
    for a in ["dist/app.tar.gz", "dist/app.zip"] {
        assert_eq!(
            linked(&graph, a),
            [("release.cdx.json".to_owned(), SbomLink::NameVersion)]
        );
    }
    let all = "  for a in release.artifacts {\n    expect len(a.sboms) > 0\n  }";
    assert_eq!(status(&graph, all), Status::Pass);
    assert_eq!(
        status(
            &graph,
            "  expect all(a in release.artifacts: all(s in a.sboms: s.linked_by != none and s.linked_by == \"digest\"))"
        ),
        Status::Fail
    );

    // A subject digest that is not the artifact's: the name does not link it (digests decide).
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "dist/widget-2.4.1.tar.gz", CONTENT);
    release(dir, &["dist/widget-2.4.1.tar.gz"]);
    write(
        dir,
        "widget.cdx.json",
        &cyclonedx(
            json!({"name": "widget", "version": "2.4.1",
                   "hashes": [{"alg": "SHA-256", "content": "ab".repeat(32)}]}),
            1,
        ),
    );
    let graph = common::ingest(dir);
    assert!(linked(&graph, "dist/widget-2.4.1.tar.gz").is_empty());
    assert_eq!(
        findings_at(&graph, "widget.cdx.json"),
        [(FindingCode::DigestMismatch, None)]
    );
}

#[test]
fn bad_input_is_findings_never_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let good = cyclonedx(json!({"name": "widget", "version": "2.4.1"}), 5);
    write(dir, "truncated.cdx.json", &good[..good.len() / 2]);
    let deep = format!(
        r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": {}"#,
        r#"[{"name": "a", "components": "#.repeat(100_000)
    );
    write(dir, "deep.cdx.json", deep.as_bytes());
    write(
        dir,
        "types.cdx.json",
        br#"{"bomFormat": "CycloneDX", "specVersion": 1.6, "metadata": [],
             "components": [{"name": "ok"}, {"name": {"x": 1}}, "str", null, {"name": "ok2", "purl": 5}]}"#,
    );
    let dup: Vec<_> = std::iter::repeat_n(json!({"name": "a", "version": "1"}), 3).collect();
    write(
        dir,
        "dup.cdx.json",
        json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": dup})
            .to_string()
            .as_bytes(),
    );
    write(dir, "spdx-deep.spdx.json", "[".repeat(200_000).as_bytes());
    write(dir, "empty.spdx.json", b"");
    let graph = common::ingest(dir);
    assert_eq!(
        findings_at(&graph, "truncated.cdx.json"),
        [(
            FindingCode::JsonSyntax,
            Some(findings_line(&graph, "truncated.cdx.json"))
        )]
    );
    assert_eq!(
        findings_at(&graph, "deep.cdx.json"),
        [(FindingCode::JsonSyntax, Some(1))]
    );
    assert_eq!(
        findings_at(&graph, "spdx-deep.spdx.json"),
        [(FindingCode::JsonSyntax, Some(1))]
    );
    assert!(
        graph.sboms().all(
            |(_, s)| !["truncated.cdx.json", "deep.cdx.json"].contains(&s.source.path.as_str())
        )
    );
    let types = sbom_at(&graph, "types.cdx.json");
    let names: Vec<&str> = types.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["ok", "ok2"]);
    assert_eq!(types.spec_version, "");
    let codes: Vec<FindingCode> = findings_at(&graph, "types.cdx.json")
        .into_iter()
        .map(|(c, _)| c)
        .filter(|c| *c != FindingCode::SbomNoArtifact)
        .collect();
    assert_eq!(codes.len(), 7, "{:#?}", graph.findings());
    let dup = sbom_at(&graph, "dup.cdx.json");
    assert_eq!(dup.components.len(), 1);
    assert!(
        findings_at(&graph, "dup.cdx.json").contains(&(FindingCode::SbomDuplicateComponent, None))
    );
}

fn findings_line(graph: &EvidenceGraph, path: &str) -> u32 {
    graph
        .findings()
        .iter()
        .find(|f| f.path.as_deref() == Some(path))
        .and_then(|f| f.line)
        .unwrap_or(0)
}

/// A 100 MB SBOM parses; one past the 256 MiB cap is hashed, not parsed, and says so.
#[test]
fn big_sboms_are_bounded() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let components = 200_000;
    let bytes = cyclonedx(json!({"name": "widget", "version": "2.4.1"}), components);
    let mut padded = bytes.clone();
    // Pad to 100 MB with whitespace inside the document.
    let target = 100_000_000usize;
    if padded.len() < target {
        let close = padded.pop().unwrap();
        padded.extend(std::iter::repeat_n(b' ', target - padded.len() - 1));
        padded.push(close);
    }
    write(dir, "big.cdx.json", &padded);
    // Past the cap: a sparse file, cheap to make and to hash.
    let huge = dir.join("huge.cdx.json");
    std::fs::write(
        &huge,
        br#"{"bomFormat": "CycloneDX", "specVersion": "1.6"}"#,
    )
    .unwrap();
    let file = std::fs::OpenOptions::new().write(true).open(&huge).unwrap();
    file.set_len(257 * 1024 * 1024).unwrap();
    drop(file);
    let graph = common::ingest(dir);
    assert_eq!(sbom_at(&graph, "big.cdx.json").components.len(), components);
    assert_eq!(
        findings_at(&graph, "huge.cdx.json"),
        [(FindingCode::TooLargeToParse, None)]
    );
    let (_, file) = graph.file("huge.cdx.json").unwrap();
    assert_eq!(file.size, 257 * 1024 * 1024);
}
