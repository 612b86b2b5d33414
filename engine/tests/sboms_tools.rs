//! SBOMs made by real generators, read and linked: `cyclonedx-py` (PyPI `cyclonedx-bom`)
//! describing a Python environment, `pyspdxtools` (PyPI `spdx-tools`) converting SPDX
//! tag-value to JSON, `sbom4python` writing SPDX JSON with a current license-list version,
//! and `npm sbom` (CycloneDX and SPDX). The Python tools are skipped, with a printed reason,
//! without them (`.ci/run` installs them into a venv and sets `VOUCH_SBOM_TOOLS`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use crate::common;
use crate::sbom_common;

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

/// Runs `npm args...` in `dir`; `None` (with the reason printed) when npm cannot be run.
fn npm(test: &str, dir: &Path, args: &[&str]) -> Option<Vec<u8>> {
    match Command::new("npm").args(args).current_dir(dir).output() {
        Ok(out) if out.status.success() => Some(out.stdout),
        Ok(out) => panic!("npm {args:?}: {}", String::from_utf8_lossy(&out.stderr)),
        Err(e) => {
            eprintln!("skipping {test}: cannot run npm: {e}");
            None
        }
    }
}

/// `npm sbom` of an unpacked package (a directory named `package`, as `npm pack` makes it):
/// its CycloneDX root component is named `package`, only its purl names widget 2.4.1; its
/// SPDX document's described package is `widget`. Neither states the artifact's digest, so
/// both link by name and version (the release's product and version); a digest stated for
/// the root that contradicts the artifact's refuses the link.
#[test]
fn npm_sbom_links_by_its_purl() {
    let test = "npm_sbom_links_by_its_purl";
    let scratch = tempfile::tempdir().unwrap();
    let project = scratch.path().join("package");
    write(
        &project,
        "package.json",
        br#"{"name": "widget", "version": "2.4.1", "license": "MIT",
            "dependencies": {"left-pad-local": "file:../left-pad-local"}}"#,
    );
    write(
        scratch.path(),
        "left-pad-local/package.json",
        br#"{"name": "left-pad-local", "version": "1.3.0", "license": "MIT"}"#,
    );
    if npm(
        test,
        &project,
        &[
            "install",
            "--package-lock-only",
            "--offline",
            "--no-audit",
            "--no-fund",
        ],
    )
    .is_none()
    {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "dist/widget-2.4.1.tgz", CONTENT);
    release(dir, &["dist/widget-2.4.1.tgz"]);
    for format in ["cyclonedx", "spdx"] {
        let sbom = npm(
            test,
            &project,
            &["sbom", "--package-lock-only", "--sbom-format", format],
        )
        .unwrap();
        write(dir, &format!("sbom/npm.{format}.json"), &sbom);
    }
    let graph = common::ingest(dir);
    let cdx = sbom_at(&graph, "sbom/npm.cyclonedx.json");
    assert_eq!(cdx.described[0].name, "package");
    assert_eq!(
        cdx.described[0].purl.as_deref(),
        Some("pkg:npm/widget@2.4.1")
    );
    assert!(cdx.components.iter().any(|c| c.name == "left-pad-local"));
    assert_eq!(
        sbom_at(&graph, "sbom/npm.spdx.json").described[0].name,
        "widget"
    );
    assert_eq!(
        linked(&graph, "dist/widget-2.4.1.tgz"),
        [
            ("sbom/npm.cyclonedx.json".to_owned(), SbomLink::NameVersion),
            ("sbom/npm.spdx.json".to_owned(), SbomLink::NameVersion)
        ]
    );
    assert!(findings_at(&graph, "sbom/npm.cyclonedx.json").is_empty());
    assert_eq!(
        status(
            &graph,
            "  for a in release.artifacts {\n    expect all(s in a.sboms: (s.linked_by ?? \"\") == \"name-version\") and len(a.sboms) == 2\n  }"
        ),
        Status::Pass
    );
    // A policy that requires a digest link refuses them.
    assert_eq!(
        status(
            &graph,
            "  for a in release.artifacts {\n    expect any(s in a.sboms: (s.linked_by ?? \"\") == \"digest\")\n  }"
        ),
        Status::Fail
    );

    // The root stated with another artifact's SHA-256: a mismatch, no link.
    let path = dir.join("sbom/npm.cyclonedx.json");
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    doc["metadata"]["component"]["hashes"] = serde_json::json!([
        {"alg": "SHA-256", "content": Sha256Digest::of(b"another tarball").to_hex()}
    ]);
    std::fs::write(&path, serde_json::to_vec(&doc).unwrap()).unwrap();
    std::fs::remove_file(dir.join("sbom/npm.spdx.json")).unwrap();
    let graph = common::ingest(dir);
    assert!(linked(&graph, "dist/widget-2.4.1.tgz").is_empty());
    let mismatches = graph.digest_mismatches();
    assert_eq!(mismatches.len(), 1, "{mismatches:?}");
    assert_eq!(mismatches[0].linked_by, "name-version");
}

/// sbom4python's SPDX JSON states the current SPDX license-list version (3.28.0 with
/// sbom4python 0.12.6, which pyspdxtools 0.8.5 rejects): vouch reads the document whatever
/// the license-list version, and links its described package (`cyclonedx-bom` here) to the
/// release by name and version.
#[test]
fn sbom4python_spdx_is_read_whatever_its_license_list_version() {
    let test = "sbom4python_spdx_is_read_whatever_its_license_list_version";
    let Some(tools) = tools(test) else {
        return;
    };
    if !tools.join("sbom4python").is_file() {
        eprintln!("skipping {test}: sbom4python is not in {}", tools.display());
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = dir.join("sbom/cyclonedx-bom.spdx.json");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    run(
        &tools.join("sbom4python"),
        &[
            "-m",
            "cyclonedx-bom",
            "--sbom",
            "spdx",
            "--format",
            "json",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let list = doc["creationInfo"]["licenseListVersion"].as_str().unwrap();
    assert!(list.starts_with("3."), "{list}");
    let version = doc["packages"][0]["versionInfo"]
        .as_str()
        .unwrap()
        .to_owned();
    write(dir, "dist/cyclonedx_bom.tar.gz", CONTENT);
    write(
        dir,
        "release.toml",
        format!(
            "[release]\nproduct = \"cyclonedx-bom\"\nversion = \"{version}\"\n\
             date = 2026-10-01\nartifacts = [\"dist/cyclonedx_bom.tar.gz\"]\n"
        )
        .as_bytes(),
    );
    let graph = common::ingest(dir);
    let s = sbom_at(&graph, "sbom/cyclonedx-bom.spdx.json");
    assert_eq!(s.described[0].name, "cyclonedx-bom");
    assert!(s.components.len() >= 5, "{:?}", s.components);
    assert!(
        findings_at(&graph, "sbom/cyclonedx-bom.spdx.json").is_empty(),
        "{:#?}",
        graph.findings()
    );
    assert_eq!(
        linked(&graph, "dist/cyclonedx_bom.tar.gz"),
        [(
            "sbom/cyclonedx-bom.spdx.json".to_owned(),
            SbomLink::NameVersion
        )]
    );
}

/// The real `@cyclonedx/cyclonedx-npm` (`VOUCH_CYCLONEDX_NPM`, which `.ci/run` sets, else
/// installed now into a temporary directory; skipped, with npm's reason, when the registry
/// cannot be reached) on a small npm project: its CycloneDX 1.6 root component is the
/// package (`widget` 2.4.1, `pkg:npm/widget@2.4.1`) with its dependency as a component, no
/// artifact digest, so it links to the release's artifact by name and version.
#[test]
fn cyclonedx_npm_sboms_are_read_and_linked() {
    let test = "cyclonedx_npm_sboms_are_read_and_linked";
    let scratch = tempfile::tempdir().unwrap();
    let tool = match std::env::var_os("VOUCH_CYCLONEDX_NPM").map(PathBuf::from) {
        Some(tool) => tool,
        None => {
            let prefix = scratch.path().join("tool");
            std::fs::create_dir_all(&prefix).unwrap();
            let out = Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--prefix", "."])
                .arg("@cyclonedx/cyclonedx-npm@6")
                .current_dir(&prefix)
                .output();
            match out {
                Ok(out) if out.status.success() => {}
                Ok(out) => {
                    eprintln!(
                        "skipping {test}: npm cannot install @cyclonedx/cyclonedx-npm: {}",
                        String::from_utf8_lossy(&out.stderr)
                            .lines()
                            .last()
                            .unwrap_or("")
                    );
                    return;
                }
                Err(e) => {
                    eprintln!("skipping {test}: cannot run npm: {e}");
                    return;
                }
            }
            prefix.join("node_modules/.bin/cyclonedx-npm")
        }
    };
    let project = scratch.path().join("widget");
    write(
        &project,
        "package.json",
        br#"{"name": "widget", "version": "2.4.1", "license": "MIT",
            "dependencies": {"left-pad-local": "file:../left-pad-local"}}"#,
    );
    write(
        scratch.path(),
        "left-pad-local/package.json",
        br#"{"name": "left-pad-local", "version": "1.3.0", "license": "MIT"}"#,
    );
    let lock = &[
        "install",
        "--package-lock-only",
        "--offline",
        "--no-audit",
        "--no-fund",
    ];
    if npm(test, &project, lock).is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "dist/widget-2.4.1.tgz", CONTENT);
    release(dir, &["dist/widget-2.4.1.tgz"]);
    let sbom = dir.join("sbom/widget-2.4.1.cdx.json");
    std::fs::create_dir_all(sbom.parent().unwrap()).unwrap();
    let out = Command::new(&tool)
        .args([
            "--package-lock-only",
            "--output-format",
            "JSON",
            "--output-file",
        ])
        .arg(&sbom)
        .current_dir(&project)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cyclonedx-npm: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let graph = common::ingest(dir);
    let cdx = sbom_at(&graph, "sbom/widget-2.4.1.cdx.json");
    assert_eq!(cdx.described[0].name, "widget");
    assert_eq!(
        cdx.described[0].purl.as_deref(),
        Some("pkg:npm/widget@2.4.1")
    );
    assert!(cdx.components.iter().any(|c| c.name == "left-pad-local"));
    assert!(findings_at(&graph, "sbom/widget-2.4.1.cdx.json").is_empty());
    assert_eq!(
        linked(&graph, "dist/widget-2.4.1.tgz"),
        [(
            "sbom/widget-2.4.1.cdx.json".to_owned(),
            SbomLink::NameVersion
        )]
    );
}
