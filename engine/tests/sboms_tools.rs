//! SBOMs made by real generators, read and linked: `cyclonedx-py` (PyPI `cyclonedx-bom`)
//! describing a Python environment, and `pyspdxtools` (PyPI `spdx-tools`) converting SPDX
//! tag-value to JSON. Skipped, with a printed reason, without them (`.ci/run` installs them
//! into a venv and sets `VOUCH_SBOM_TOOLS`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

mod common;
mod sbom_common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{findings_at, write};
use sbom_common::*;
use vouch_engine::graph::{Node, SbomLink};
use vouch_engine::report::Status;
use vouch_engine::{FindingCode, Sha256Digest};

/// The directory holding `cyclonedx-py` and `pyspdxtools` (`.ci/run` installs them into a
/// venv and sets `VOUCH_SBOM_TOOLS`).
fn tools(test: &str) -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("VOUCH_SBOM_TOOLS").map(PathBuf::from) else {
        eprintln!("skipping {test}: VOUCH_SBOM_TOOLS is not set (.ci/run sets it)");
        return None;
    };
    for tool in ["cyclonedx-py", "pyspdxtools", "python"] {
        if !dir.join(tool).is_file() {
            eprintln!("skipping {test}: {} is missing", dir.join(tool).display());
            return None;
        }
    }
    Some(dir)
}

fn run(program: &Path, args: &[&str]) {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{} {args:?}: {}",
        program.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn cyclonedx_py_sboms_are_read_and_linked() {
    let Some(tools) = tools("cyclonedx_py_sboms_are_read_and_linked") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "dist/widget-2.4.1.tar.gz", CONTENT);
    release(dir, &["dist/widget-2.4.1.tar.gz"]);
    let pyproject = write(
        scratch.path(),
        "pyproject.toml",
        b"[project]\nname = \"widget\"\nversion = \"2.4.1\"\n",
    );
    let python = tools.join("python");
    for version in ["1.2", "1.7"] {
        let out = dir.join(format!("sbom-{version}.json"));
        run(
            &tools.join("cyclonedx-py"),
            &[
                "environment",
                "--sv",
                version,
                "--pyproject",
                pyproject.to_str().unwrap(),
                "--output-reproducible",
                "-o",
                out.to_str().unwrap(),
                python.to_str().unwrap(),
            ],
        );
    }
    let graph = common::ingest(dir);
    for version in ["1.2", "1.7"] {
        let path = format!("sbom-{version}.json");
        assert_eq!(
            graph.file(&path).unwrap().1.kind.map(|k| k.as_str()),
            Some("cyclonedx-sbom")
        );
        let s = sbom_at(&graph, &path);
        assert_eq!(s.spec_version, version);
        assert_eq!(s.described[0].name, "widget");
        assert!(s.components.len() >= 10, "{path}: {:?}", s.components);
        assert!(
            s.components.iter().any(|c| c.name == "cyclonedx-bom"
                && c.purl
                    .as_deref()
                    .is_some_and(|p| p.starts_with("pkg:pypi/cyclonedx-bom@"))),
            "{path}"
        );
        assert!(
            findings_at(&graph, &path).is_empty(),
            "{:#?}",
            graph.findings()
        );
    }
    assert_eq!(linked(&graph, "dist/widget-2.4.1.tar.gz").len(), 2);
    assert_eq!(
        status(
            &graph,
            "  for a in release.artifacts {\n    expect len(a.sboms) == 2\n  }"
        ),
        Status::Pass
    );
}

#[test]
fn pyspdxtools_sboms_are_read_and_linked_by_digest() {
    let Some(tools) = tools("pyspdxtools_sboms_are_read_and_linked_by_digest") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "dist/widget-2.4.1.tar.gz", CONTENT);
    release(dir, &["dist/widget-2.4.1.tar.gz"]);
    let tag_value = format!(
        "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\n\
         DocumentName: widget-2.4.1\nDocumentNamespace: https://example.com/spdx/widget-2.4.1\n\
         Creator: Tool: vouch-test\nCreated: 2026-09-30T12:00:00Z\n\n\
         PackageName: widget\nSPDXID: SPDXRef-Package-widget\nPackageVersion: 2.4.1\n\
         PackageDownloadLocation: NOASSERTION\nFilesAnalyzed: true\n\
         PackageVerificationCode: d6a770ba38583ed4bb4525bd96e50461655d2758\n\
         ExternalRef: PACKAGE-MANAGER purl pkg:generic/widget@2.4.1\n\n\
         FileName: ./widget-2.4.1.tar.gz\nSPDXID: SPDXRef-File-tarball\n\
         FileChecksum: SHA1: {}\nFileChecksum: SHA256: {}\n\n\
         PackageName: zlib\nSPDXID: SPDXRef-Package-zlib\nPackageVersion: 1.3.1\n\
         PackageDownloadLocation: NOASSERTION\nFilesAnalyzed: false\n\
         ExternalRef: PACKAGE-MANAGER purl pkg:generic/zlib@1.3.1\n\n\
         Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-Package-widget\n\
         Relationship: SPDXRef-Package-widget DEPENDS_ON SPDXRef-Package-zlib\n",
        "0".repeat(40),
        Sha256Digest::of(CONTENT).to_hex()
    );
    let input = write(scratch.path(), "widget.spdx", tag_value.as_bytes());
    let output = dir.join("widget.spdx.json");
    run(
        &tools.join("pyspdxtools"),
        &[
            "-i",
            input.to_str().unwrap(),
            "-o",
            output.to_str().unwrap(),
        ],
    );
    // The tag-value form itself is recognised, and said to be unread.
    std::fs::copy(&input, dir.join("widget.spdx")).unwrap();
    let graph = common::ingest(dir);
    let s = sbom_at(&graph, "widget.spdx.json");
    assert_eq!(s.spec_version, "2.3");
    assert_eq!(s.described[0].name, "widget");
    assert_eq!(
        s.components[0].purl.as_deref(),
        Some("pkg:generic/zlib@1.3.1")
    );
    assert_eq!(
        linked(&graph, "dist/widget-2.4.1.tar.gz"),
        [("widget.spdx.json".to_owned(), SbomLink::Digest)]
    );
    assert!(findings_at(&graph, "widget.spdx.json").is_empty());
    assert_eq!(
        findings_at(&graph, "widget.spdx"),
        [(FindingCode::SbomUnsupported, None)]
    );
    assert!(matches!(
        graph.node_at("widget.spdx"),
        Some((_, Node::File(f))) if f.kind.map(|k| k.as_str()) == Some("spdx-sbom")
    ));
}
