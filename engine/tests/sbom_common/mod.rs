//! Helpers shared by the SBOM tests: bundles with a release, evaluating a control, and
//! reading SBOM nodes and links back out of the graph.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers; not every test uses every helper"
)]

use std::path::Path;

use serde_json::json;
use vouch_engine::EvidenceGraph;
use vouch_engine::graph::{SbomLink, SbomNode};
use vouch_engine::report::Status;

/// The artifact the tests release.
pub const CONTENT: &[u8] = b"the widget 2.4.1 tarball\n";

/// Evaluates `body` as the one control of a policy.
pub fn status(graph: &EvidenceGraph, body: &str) -> Status {
    crate::common::run_control(graph, "2026-10-01T00:00:00Z", "", body).status
}

/// The SBOM node read from `path`.
pub fn sbom_at<'g>(graph: &'g EvidenceGraph, path: &str) -> &'g SbomNode {
    graph
        .sboms()
        .find(|(_, s)| s.source.path == path)
        .map(|(_, s)| s)
        .unwrap_or_else(|| panic!("no SBOM node for {path}: {:#?}", graph.findings()))
}

/// The SBOM paths linked to the artifact at `path`, with how.
pub fn linked(graph: &EvidenceGraph, path: &str) -> Vec<(String, SbomLink)> {
    let (id, _) = graph
        .artifacts()
        .into_iter()
        .find(|(_, a)| a.path == path)
        .unwrap_or_else(|| panic!("no artifact {path}"));
    graph
        .sboms_of(id)
        .into_iter()
        .map(|(_, s, by)| (s.source.path.clone(), by))
        .collect()
}

/// Writes `release.toml` for widget 2.4.1 listing `artifacts`.
pub fn release(dir: &Path, artifacts: &[&str]) {
    let list: Vec<String> = artifacts.iter().map(|a| format!("\"{a}\"")).collect();
    crate::common::write(
        dir,
        "release.toml",
        format!(
            "[release]\nproduct = \"widget\"\nversion = \"2.4.1\"\ndate = 2026-10-01\n\
             artifacts = [{}]\n",
            list.join(", ")
        )
        .as_bytes(),
    );
}

/// A CycloneDX 1.6 SBOM of `subject` and `components` generated components.
pub fn cyclonedx(subject: serde_json::Value, components: usize) -> Vec<u8> {
    let components: Vec<_> = (0..components)
        .map(|i| {
            json!({"type": "library", "name": format!("dep-{i}"), "version": "1.0.0",
                        "purl": format!("pkg:cargo/dep-{i}@1.0.0")})
        })
        .collect();
    serde_json::to_vec_pretty(&json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "metadata": {"timestamp": "2026-09-30T12:00:00Z", "component": subject},
        "components": components,
    }))
    .unwrap()
}
