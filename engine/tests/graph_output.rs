//! The graph as JSON, dot and Mermaid: a snapshot of the example bundle, byte-identical
//! output across runs and thread counts, and a bundle digest auditors can recompute.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use crate::common;

use common::*;
use vouch_engine::graph::render;

#[test]
fn example_bundle_json_snapshot() {
    let graph = ingest(&example_bundle());
    insta::assert_snapshot!("example_bundle_graph_json", render::json(&graph));
}

#[test]
fn example_bundle_mermaid_snapshot() {
    let graph = ingest(&example_bundle());
    insta::assert_snapshot!("example_bundle_graph_mermaid", render::mermaid(&graph));
}

#[test]
fn output_is_identical_across_runs_and_thread_counts() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..300 {
        let sums_line = format!("{}  f{i}.bin\n", vouch_engine::Sha256Digest::of(&[i as u8]));
        write(dir.path(), &format!("d{}/f{i}.bin", i % 7), &[i as u8]);
        write(
            dir.path(),
            &format!("d{}/SHA256SUMS.{i}", i % 7),
            sums_line.as_bytes(),
        );
    }
    std::fs::copy(
        example_bundle().join("release.toml"),
        dir.path().join("release.toml"),
    )
    .unwrap();
    let reference = ingest_with(dir.path(), Some(1));
    let json = render::json(&reference);
    let dot = render::dot(&reference);
    let mermaid = render::mermaid(&reference);
    for threads in [Some(2), Some(4), Some(7), None, Some(2)] {
        let graph = ingest_with(dir.path(), threads);
        assert_eq!(graph.bundle_digest(), reference.bundle_digest());
        assert_eq!(render::json(&graph), json, "json with {threads:?} threads");
        assert_eq!(render::dot(&graph), dot);
        assert_eq!(render::mermaid(&graph), mermaid);
    }
}

/// The shell recipe documented in book/src/evidence/bundles.md.
const RECIPE: &str = r#"find . -type f -printf '%P\0' | LC_ALL=C sort -z |
  while IFS= read -r -d '' p; do
    printf '%s\0%s\n' "$p" "$(sha256sum < "$p" | cut -d' ' -f1)"
  done | sha256sum | cut -d' ' -f1"#;

#[test]
fn bundle_digest_matches_the_documented_shell_recipe() {
    if !have("bash", "bundle_digest_recipe") || !have("sha256sum", "bundle_digest_recipe") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "b.txt", b"b");
    write(dir.path(), "a/z.txt", b"z");
    write(dir.path(), "a b/c d.txt", b"spaces");
    write(dir.path(), "A.txt", b"upper sorts before lower");
    write(dir.path(), "empty", b"");
    std::os::unix::fs::symlink("b.txt", dir.path().join("link")).unwrap();
    let graph = ingest(dir.path());
    let out = run(dir.path(), "bash", &["-c", RECIPE]);
    let shell = String::from_utf8(out).unwrap();
    assert_eq!(shell.trim(), graph.bundle_digest().to_hex());
    // And for the committed example bundle.
    let graph = ingest(&example_bundle());
    let shell = String::from_utf8(run(&example_bundle(), "bash", &["-c", RECIPE])).unwrap();
    assert_eq!(shell.trim(), graph.bundle_digest().to_hex());
}

#[test]
fn dot_is_well_formed() {
    let graph = ingest(&example_bundle());
    let dot = render::dot(&graph);
    assert!(dot.starts_with("digraph evidence {\n"));
    assert!(dot.ends_with("}\n"));
    assert_eq!(dot.matches(" -> ").count(), graph.edges().len());
    if have("dot", "dot_is_well_formed (graphviz)") {
        let path = write(tempfile::tempdir().unwrap().path(), "g.dot", dot.as_bytes());
        run(
            path.parent().unwrap(),
            "dot",
            &["-Tsvg", "-o", "/dev/null", "g.dot"],
        );
    }
}

/// Fails on the first JSON object that carries a key twice (serde_json would keep the last
/// one silently, and stricter readers such as regorus refuse the document).
struct NoDuplicateKeys;

impl<'de> serde::Deserialize<'de> for NoDuplicateKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NoDuplicateKeys)
    }
}

impl<'de> serde::de::Visitor<'de> for NoDuplicateKeys {
    type Value = NoDuplicateKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_unit<E>(self) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<NoDuplicateKeys>()?.is_some() {}
        Ok(self)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self, A::Error> {
        let mut seen = std::collections::BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!("duplicate key `{key}`")));
            }
            map.next_value::<NoDuplicateKeys>()?;
        }
        Ok(self)
    }
}

/// Every example bundle's graph, vulnerability, statement and advisory nodes included, is
/// JSON without a key given twice in one object (a record's own id once overwrote the
/// node's `id`).
#[test]
fn graph_json_never_repeats_a_key() {
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/bundles");
    let mut checked = 0;
    for entry in std::fs::read_dir(&examples).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.join("release.toml").is_file() {
            continue;
        }
        let json = render::json(&ingest(&dir));
        if let Err(e) = serde_json::from_str::<NoDuplicateKeys>(&json) {
            panic!("{}: {e}", dir.display());
        }
        checked += 1;
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        for node in value["nodes"].as_array().unwrap() {
            assert!(node["id"].is_u64(), "{}: {node}", dir.display());
        }
    }
    assert!(checked >= 2, "example bundles under {}", examples.display());
}
