//! Evidence for passes: a passing control lists the expectations that held and the evidence
//! records they read (the first 16 in the report's order, the rest counted), or says why it
//! read none; no other status carries it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use crate::common;

use vouch_engine::report::{MAX_PASS_EVIDENCE, Status};

const AS_OF: &str = "2026-10-01T00:00:00Z";

/// A bundle of `n` files `dist/fNN.txt`.
fn bundle(n: usize) -> (tempfile::TempDir, vouch_engine::EvidenceGraph) {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..n {
        common::write(
            dir.path(),
            &format!("dist/f{i:03}.txt"),
            format!("{i}\n").as_bytes(),
        );
    }
    let graph = common::ingest(dir.path());
    (dir, graph)
}

#[test]
fn a_pass_lists_what_it_read() {
    let (_dir, graph) = bundle(3);
    let r = common::run_control(
        &graph,
        AS_OF,
        "",
        "  for f in files {\n    expect f.size > 0\n  }",
    );
    assert_eq!(r.status, Status::Pass);
    let p = r.pass_evidence.expect("a pass lists its evidence");
    assert_eq!(p.checks.len(), 1);
    assert_eq!(p.checks[0].condition, "f.size > 0");
    assert_eq!(p.checks[0].held, 3);
    assert!(
        p.checks[0].expect.starts_with("t.vouch:"),
        "{:?}",
        p.checks[0]
    );
    let paths: Vec<&str> = p.evidence.iter().map(|e| e.at.path.as_str()).collect();
    assert_eq!(paths, ["dist/f000.txt", "dist/f001.txt", "dist/f002.txt"]);
    for e in &p.evidence {
        assert_eq!(e.at.sha256.len(), 64);
        // What was checked, from the record's own fields; and which `expect` read it.
        assert_eq!(e.kind, "File");
        assert_eq!(
            e.checked,
            format!(
                "file {} (2 bytes, sha256 {}…{})",
                e.at.path,
                &e.at.sha256[..4],
                &e.at.sha256[60..]
            )
        );
        assert_eq!(e.expect, p.checks[0].expect);
    }
    assert_eq!(p.evidence_omitted, 0);
    assert_eq!(p.vacuous, None);
}

#[test]
fn a_large_pass_is_bounded_and_ordered() {
    let n = 100;
    let (_dir, graph) = bundle(n);
    let r = common::run_control(
        &graph,
        AS_OF,
        "",
        "  for f in files {\n    expect f.size > 0\n  }",
    );
    let p = r.pass_evidence.unwrap();
    assert_eq!(p.evidence.len(), MAX_PASS_EVIDENCE);
    assert_eq!(p.evidence_omitted, n - MAX_PASS_EVIDENCE);
    let paths: Vec<String> = p.evidence.iter().map(|e| e.at.path.clone()).collect();
    let first: Vec<String> = (0..MAX_PASS_EVIDENCE)
        .map(|i| format!("dist/f{i:03}.txt"))
        .collect();
    assert_eq!(paths, first);
}

#[test]
fn a_vacuous_pass_says_so() {
    let (_dir, graph) = bundle(0);
    let r = common::run_control(
        &graph,
        AS_OF,
        "",
        "  for f in files {\n    expect f.size > 0\n  } when empty: pass",
    );
    assert_eq!(r.status, Status::Pass);
    let p = r.pass_evidence.unwrap();
    assert!(p.checks.is_empty() && p.evidence.is_empty());
    assert_eq!(
        p.vacuous.as_deref(),
        Some("no expectation was evaluated: no files (`when empty: pass`)")
    );
    // Expectations that hold without reading any record.
    let r = common::run_control(&graph, AS_OF, "", "  expect 1 + 1 == 2");
    let p = r.pass_evidence.unwrap();
    assert_eq!(p.checks.len(), 1);
    assert_eq!(
        p.vacuous.as_deref(),
        Some("its expectations held without reading any evidence record (`1 + 1 == 2`)")
    );
}

#[test]
fn only_a_pass_carries_it() {
    let (_dir, graph) = bundle(3);
    let r = common::run_control(
        &graph,
        AS_OF,
        "",
        "  for f in files {\n    expect f.path != \"dist/f001.txt\"\n  }",
    );
    assert_eq!(r.status, Status::Fail);
    assert_eq!(r.pass_evidence, None);
}

#[test]
fn an_empty_loop_beside_evidence_is_still_noted() {
    let (_dir, graph) = bundle(3);
    let r = common::run_control(
        &graph,
        AS_OF,
        "",
        "  for f in files {\n    expect f.size > 0\n  }\n  \
         for g in files where g.size > 1000 {\n    expect g.size < 5000\n  } when empty: pass",
    );
    assert_eq!(r.status, Status::Pass);
    let p = r.pass_evidence.unwrap();
    assert_eq!(p.checks.len(), 1);
    assert_eq!(p.evidence.len(), 3);
    let note = p.vacuous.expect("the empty loop is noted");
    assert!(note.starts_with("partly vacuous: "), "{note}");
    assert!(
        note.contains("no files where g.size > 1000 (`when empty: pass`, t.vouch:"),
        "{note}"
    );
}

#[test]
fn an_empty_guard_inside_a_loop_that_ran_is_not_vacuity() {
    let (_dir, graph) = bundle(3);
    // "No element of this kind among each file's ...": a check on each file, which was read.
    let r = common::run_control(
        &graph,
        AS_OF,
        "",
        "  for f in files {\n    expect f.size > 0\n    \
         for g in files where g.size > 1000 {\n      expect g.size < 5000\n    } when empty: pass\n  }",
    );
    assert_eq!(r.status, Status::Pass);
    let p = r.pass_evidence.unwrap();
    assert_eq!(p.evidence.len(), 3);
    assert_eq!(p.vacuous, None);
}
