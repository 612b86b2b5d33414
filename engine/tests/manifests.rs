//! release.toml and support.toml in a bundle: linking (artifact globs, checksums, distribution
//! URLs, support cycle) and errors with line, column and suggestions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use crate::common;

use common::*;
use vouch_engine::FindingCode;
use vouch_engine::graph::{ChecksumStatus, Node};

#[test]
fn example_bundle_links_everything() {
    let graph = ingest(&example_bundle());
    assert!(graph.findings().is_empty(), "{:?}", graph.findings());
    let (release_id, release) = graph.release().unwrap();
    assert_eq!(
        (release.product.as_str(), release.version.as_str()),
        ("widget", "2.4.1")
    );
    assert_eq!(release.date.to_string(), "2026-10-01T12:00:00Z");
    assert_eq!(release.source.path, "release.toml");
    assert_eq!(release.source.line, Some(2));
    let (source_id, _) = graph.source_file(release_id).unwrap();
    assert_eq!(
        graph.node(source_id).map(|n| n.kind().as_str()),
        Some("file")
    );

    let artifacts: Vec<_> = graph
        .artifacts()
        .iter()
        .map(|(_, a)| a.path.clone())
        .collect();
    assert_eq!(
        artifacts,
        [
            "dist/widget-2.4.1-linux-x86_64.tar.gz",
            "dist/widget-2.4.1.tar.gz",
            "dist/widget-2.4.1.zip"
        ]
    );
    for (id, artifact) in graph.artifacts() {
        assert!(artifact.present);
        assert!(graph.artifact_file(id).is_some());
        let checks = graph.checksums_of(id);
        assert!(!checks.is_empty(), "{} has a checksum", artifact.path);
        assert!(
            checks
                .iter()
                .all(|(_, c)| c.status == ChecksumStatus::Match)
        );
    }
    // The zip has two: sha256 from SHA256SUMS and sha512 from its .sha512 file.
    let (zip, _) = graph.artifacts()[2];
    let algorithms: Vec<_> = graph
        .checksums_of(zip)
        .iter()
        .map(|(_, c)| c.algorithm.as_str())
        .collect();
    assert_eq!(algorithms, ["sha256", "sha512"]);

    let urls: Vec<_> = graph
        .distributions()
        .map(|(_, d)| (d.scheme.clone(), d.file_name.clone()))
        .collect();
    assert_eq!(
        urls[0],
        ("https".to_owned(), Some("widget-2.4.1.tar.gz".to_owned()))
    );
    let (cycle_id, cycle) = graph.release_cycle().unwrap();
    assert_eq!(cycle.cycle, "2.4");
    assert_eq!(cycle.eol.unwrap().to_string(), "2027-10-01");
    assert!(
        graph
            .edges_to(cycle_id)
            .iter()
            .any(|(from, _)| *from == release_id)
    );
    assert_eq!(graph.support_cycles().count(), 2);
    let unclassified: Vec<_> = graph
        .unclassified()
        .iter()
        .map(|u| u.path.as_str())
        .collect();
    assert!(unclassified.contains(&"README.md"));
}

fn bundle_with(release: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "dist/a-1.0.tar.gz", b"a");
    write(dir.path(), "dist/a-1.0.zip", b"z");
    write(dir.path(), "release.toml", release.as_bytes());
    dir
}

const RELEASE: &str = "[release]\nproduct = \"a\"\nversion = \"1.0\"\ndate = 2026-01-01\n";

#[test]
fn artifact_globs_and_missing_artifacts() {
    let text = format!(
        "{RELEASE}artifacts = [\"dist/*.tar.gz\", \"dist/*.exe\", \"dist/a-1.0.msi\", \"../x\", \"dist/[\", \"*.zip\"]\n"
    );
    let dir = bundle_with(&text);
    let graph = ingest(dir.path());
    let at = findings_at(&graph, "release.toml");
    assert!(
        at.contains(&(FindingCode::ArtifactNoMatch, Some(5))),
        "{at:?}"
    );
    assert!(
        at.contains(&(FindingCode::ArtifactMissing, Some(5))),
        "{at:?}"
    );
    assert!(
        at.contains(&(FindingCode::ArtifactInvalidPattern, Some(5))),
        "{at:?}"
    );
    assert_eq!(
        at.iter()
            .filter(|(c, _)| *c == FindingCode::ArtifactInvalidPattern)
            .count(),
        2
    );
    assert_eq!(
        at.iter()
            .filter(|(c, _)| *c == FindingCode::ArtifactNoMatch)
            .count(),
        2,
        "`*.zip` does not cross `/`"
    );
    let artifacts = graph.artifacts();
    let paths: Vec<_> = artifacts
        .iter()
        .map(|(_, a)| (a.path.as_str(), a.present))
        .collect();
    assert_eq!(
        paths,
        [("dist/a-1.0.msi", false), ("dist/a-1.0.tar.gz", true)]
    );
    assert!(is_missing_node(&graph, "dist/a-1.0.msi"));
    assert!(graph.artifact_file(artifacts[0].0).is_none());
}

#[test]
fn unknown_keys_suggest_with_line_and_column() {
    let text = "[release]\nproduct = \"a\"\n  verison = \"1.0\"\ndate = 2026-01-01\n\n[[distribution]]\nurl = \"https://x/a\"\nmirror = true\n\n[relase]\n";
    let dir = bundle_with(text);
    let graph = ingest(dir.path());
    let unknown: Vec<_> = graph
        .findings()
        .iter()
        .filter(|f| f.code == FindingCode::ManifestUnknownKey)
        .map(|f| {
            (
                f.line.unwrap(),
                f.column.unwrap(),
                f.message.clone(),
                f.help.clone(),
            )
        })
        .collect();
    assert_eq!(
        unknown,
        [
            (
                3,
                3,
                "unknown key `verison` in [release], did you mean `version`?".to_owned(),
                Some("known keys in [release]: `product`, `version`, `date`, `previous`, `artifacts`".to_owned())
            ),
            (
                8,
                1,
                "unknown key `mirror` in [[distribution]]".to_owned(),
                Some("known keys in [[distribution]]: `url`".to_owned())
            ),
            (
                10,
                2,
                "unknown key `relase` in release.toml, did you mean `release`?".to_owned(),
                Some("known keys in release.toml: `release`, `distribution`".to_owned())
            ),
        ]
    );
    // `version` is then missing, so there is no release node, and the finding says so.
    assert!(graph.release().is_none());
    assert!(
        findings_at(&graph, "release.toml").contains(&(FindingCode::ManifestMissingKey, Some(1)))
    );
}

#[test]
fn toml_syntax_error_has_line_column_and_span() {
    let dir = bundle_with("[release]\nproduct = \"a\nversion = \"1.0\"\n");
    let graph = ingest(dir.path());
    let f = graph
        .findings()
        .iter()
        .find(|f| f.code == FindingCode::ManifestSyntax)
        .unwrap();
    assert_eq!(f.path.as_deref(), Some("release.toml"));
    assert_eq!(f.line, Some(2));
    assert!(f.column.is_some());
    assert!(f.message.starts_with("invalid TOML: "), "{}", f.message);
    // The miette span points into the manifest source.
    let loc = f.loc.as_ref().unwrap();
    assert!(loc.src.contains("product"));
    // The file is still classified and hashed.
    assert!(graph.file("release.toml").unwrap().1.kind.is_some());
}

#[test]
fn local_datetime_is_read_as_utc_with_a_warning() {
    let dir =
        bundle_with("[release]\nproduct = \"a\"\nversion = \"1.0\"\ndate = 2026-01-01T10:00:00\n");
    let graph = ingest(dir.path());
    assert_eq!(
        findings_at(&graph, "release.toml"),
        [(FindingCode::ManifestAmbiguousDatetime, Some(4))]
    );
    assert_eq!(
        graph.release().unwrap().1.date.to_string(),
        "2026-01-01T10:00:00Z"
    );
}

#[test]
fn two_release_manifests_are_ambiguous() {
    let dir = bundle_with(RELEASE);
    write(dir.path(), "other/release.toml", RELEASE.as_bytes());
    let graph = ingest(dir.path());
    assert_eq!(graph.releases().count(), 2);
    assert!(graph.release().is_none(), "no release is picked silently");
    assert_eq!(
        findings_at(&graph, "release.toml"),
        [(FindingCode::MultipleReleases, None)]
    );
}

#[test]
fn support_manifest_errors() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "support.toml",
        b"[[cycle]]\ncycle = \"1\"\nreleased = \"2026-01-01\"\n\n[[cycle]]\ncycle = \"2\"\nreleased = 2026-01-01\neol = 2025-01-01\nlts = \"yes\"\n\n[[cycle]]\ncycle = \"2\"\nreleased = 2026-02-01\n",
    );
    let graph = ingest(dir.path());
    let at = findings_at(&graph, "support.toml");
    assert!(
        at.contains(&(FindingCode::ManifestInvalidValue, Some(3))),
        "{at:?}"
    );
    assert!(
        at.contains(&(FindingCode::ManifestInvalidValue, Some(9))),
        "{at:?}"
    );
    assert!(
        at.contains(&(FindingCode::ManifestInconsistentDates, Some(5))),
        "{at:?}"
    );
    assert!(
        at.contains(&(FindingCode::ManifestDuplicateCycle, Some(12))),
        "{at:?}"
    );
    let cycles: Vec<_> = graph
        .support_cycles()
        .map(|(_, c)| c.cycle.clone())
        .collect();
    assert_eq!(cycles, ["2"]);
}

#[test]
fn release_cycle_prefers_the_longest_match() {
    let dir = bundle_with("[release]\nproduct = \"a\"\nversion = \"2.4.1\"\ndate = 2026-01-01\n");
    write(
        dir.path(),
        "support.toml",
        b"[[cycle]]\ncycle = \"2\"\nreleased = 2025-01-01\n[[cycle]]\ncycle = \"2.4\"\nreleased = 2026-01-01\n[[cycle]]\ncycle = \"2.41\"\nreleased = 2026-01-01\n",
    );
    let graph = ingest(dir.path());
    assert_eq!(graph.release_cycle().unwrap().1.cycle, "2.4");
}

#[test]
fn manifests_are_found_by_content_under_any_name() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "meta/widget-release.toml", RELEASE.as_bytes());
    write(
        dir.path(),
        "meta/lifecycle.toml",
        b"[[cycle]]\ncycle = \"1\"\nreleased = 2026-01-01\n",
    );
    let graph = ingest(dir.path());
    assert!(graph.release().is_some());
    assert_eq!(graph.support_cycles().count(), 1);
    assert!(
        matches!(graph.node_at("meta/lifecycle.toml"), Some((_, Node::File(f))) if f.kind.is_some())
    );
}
