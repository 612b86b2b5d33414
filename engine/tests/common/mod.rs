//! Helpers shared by the engine's integration tests.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers; not every test uses every helper"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use vouch_engine::graph::{ChecksumStatus, Node};
use vouch_engine::{EvidenceGraph, FindingCode, IngestOptions, NoProgress};

/// Ingests `root` with the given thread count.
pub fn ingest_with(root: &Path, threads: Option<usize>) -> EvidenceGraph {
    vouch_engine::ingest(root, &IngestOptions::with_threads(threads), &NoProgress)
        .expect("bundle ingests")
}

/// Ingests `root` with rayon's default pool.
pub fn ingest(root: &Path) -> EvidenceGraph {
    ingest_with(root, None)
}

/// Whether `tool` can be run; prints why a test is skipped when it cannot.
pub fn have(tool: &str, test: &str) -> bool {
    let ok = Command::new(tool)
        .arg("--version")
        .output()
        .map(|o| o.status.success() || !o.stdout.is_empty() || !o.stderr.is_empty())
        .unwrap_or(false)
        || Command::new(tool).arg("version").output().is_ok();
    if !ok {
        eprintln!("skipping {test}: `{tool}` is not installed");
    }
    ok
}

/// Runs `program args...` in `dir` and returns stdout; panics with stderr on failure.
pub fn run(dir: &Path, program: &str, args: &[&str]) -> Vec<u8> {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Writes `content` at `dir/rel`, creating parent directories.
pub fn write(dir: &Path, rel: &str, content: &[u8]) -> PathBuf {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, content).unwrap();
    path
}

/// The shared corpus (`../shared/corpus` from the workspace root), if present.
pub fn corpus() -> Option<PathBuf> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent()?;
    let dir = workspace.join("../shared/corpus");
    dir.is_dir().then_some(dir)
}

/// The committed example bundle.
pub fn example_bundle() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/widget-2.4.1")
}

/// (checksum name, status) for every checksum entry defined in `sums_path`.
pub fn statuses(graph: &EvidenceGraph, sums_path: &str) -> Vec<(String, ChecksumStatus)> {
    graph
        .checksum_entries()
        .filter(|(_, c)| c.source.path == sums_path)
        .map(|(_, c)| (c.name.clone(), c.status))
        .collect()
}

/// The codes of findings about `path`, with their lines.
pub fn findings_at(graph: &EvidenceGraph, path: &str) -> Vec<(FindingCode, Option<u32>)> {
    graph
        .findings()
        .iter()
        .filter(|f| f.path.as_deref() == Some(path))
        .map(|f| (f.code, f.line))
        .collect()
}

/// Whether any finding has `code`.
pub fn has_code(graph: &EvidenceGraph, code: FindingCode) -> bool {
    graph.findings().iter().any(|f| f.code == code)
}

/// The reason `path` is unclassified, if it is.
pub fn unclassified_reason(graph: &EvidenceGraph, path: &str) -> Option<String> {
    graph
        .unclassified()
        .iter()
        .find(|u| u.path == path)
        .map(|u| u.reason.clone())
}

/// Whether the graph holds a missing-file node at `path`.
pub fn is_missing_node(graph: &EvidenceGraph, path: &str) -> bool {
    matches!(graph.node_at(path), Some((_, Node::MissingFile(_))))
}

/// The built-in frameworks' uk-sscop definition, as policies in tests use it.
pub fn frameworks() -> vouch_lang::Frameworks {
    let text = include_str!("../../../stdlib-policies/frameworks/uk-sscop.toml");
    let mut f = vouch_lang::Frameworks::new();
    f.insert(
        vouch_lang::Framework::from_toml(&vouch_lang::Source::new("uk-sscop.toml", text)).unwrap(),
    );
    f
}

/// Evaluates a one-control policy over `graph` at `as_of`: `params` above a control whose
/// body is `body`. Panics with the diagnostics when the policy does not check.
pub fn run_control(
    graph: &EvidenceGraph,
    as_of: &str,
    params: &str,
    body: &str,
) -> vouch_engine::report::ControlResult {
    run_control_with(
        graph,
        as_of,
        params,
        body,
        &vouch_lang::LintLevels::default(),
    )
}

/// [`run_control`], checking with the lint levels `lints` (e.g. `unhandled-none` allowed, to
/// see what evaluation does with a policy that does not handle a missing value).
pub fn run_control_with(
    graph: &EvidenceGraph,
    as_of: &str,
    params: &str,
    body: &str,
    lints: &vouch_lang::LintLevels,
) -> vouch_engine::report::ControlResult {
    let text = format!(
        "policy \"t\" {{ title = \"T\" framework = \"uk-sscop\" }}\n{params}\n\
         control \"T\" {{\n  title = \"t\"\n  provision = [\"3.1\"]\n  severity = high\n{body}\n}}\n"
    );
    let out = vouch_lang::check_with(
        vouch_lang::Source::new("t.vouch", text),
        &vouch_lang::NoImports,
        &frameworks(),
        lints,
    );
    let policy = out
        .policy
        .unwrap_or_else(|| panic!("policy does not check: {:#?}", out.diagnostics));
    let options = vouch_engine::EvaluationOptions::at(as_of.parse().unwrap());
    vouch_engine::evaluate(&policy, graph, &options)
        .controls
        .remove(0)
}

/// Copies the directory tree `from` to `to` (created), files and folders only.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
