//! Speed of the policy language front end.
//!
//! Targets (issue "The vouch workspace and the policy language"): parse and check a generated
//! 10,000-line policy in under 20 ms; `vouch check` of a 500-line policy as a whole process in
//! under 10 ms. The process benchmark runs `cat` of the same file as its baseline in the same
//! run: the cost of starting any process here, which no CLI can go below.
//!
//! Two generated policies: `typical` repeats the controls of the standard uk-sscop pack
//! (`stdlib-policies/uk-sscop/uk_sscop.vouch`: doc comments, metadata, loops, quantifiers,
//! interpolated messages, the shape of a real policy) to 10,000 lines; `dense` packs four compound expressions into every 16-line
//! control, a worst case with little prose.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;

use criterion::{Criterion, criterion_group, criterion_main};
use vouch_lang::{Frameworks, NoImports, Source};

/// The standard pack's controls, repeated under new ids to about `lines` lines.
fn typical(lines: usize) -> String {
    let pack = include_str!("../stdlib-policies/uk-sscop/uk_sscop.vouch");
    // The header and params end at the blank line before the first control's doc comment.
    let first = pack.find("\ncontrol \"").unwrap_or(0);
    let split = pack.get(..first).and_then(|h| h.rfind("\n\n")).unwrap_or(0);
    let (head, controls) = pack.split_at(split);
    let mut out = head.to_string();
    let mut i = 0;
    while out.lines().count() < lines {
        out.push_str(&controls.replace("control \"", &format!("control \"R{i:04}-")));
        out.push('\n');
        i += 1;
    }
    out
}

/// A logic-dense policy of about `lines` lines: a header, params, and controls that loop, filter,
/// quantify, index tables and interpolate messages.
fn dense(lines: usize) -> String {
    let mut out = String::from(
        "/// A generated policy for benchmarks.\npolicy \"bench\" {\n  title = \"Benchmark policy\"\n  version = \"1\"\n  framework = \"uk-sscop\"\n}\n\n\
         param patch_sla: table<severity, duration> = { critical: 48h, high: 7d, medium: 30d, low: 90d, info: 365d }\n\
         param notice: duration = 12 months\nparam schemes: set<string> = [\"https\", \"sftp\"]\n\n",
    );
    let mut i = 0;
    while out.lines().count() < lines {
        out.push_str(&format!(
            "/// Control number {i}.\ncontrol \"BENCH-{i:05}\" {{\n  title = \"Generated control {i}\"\n  provision = [\"3.1\", \"3.3\"]\n  severity = high\n  rationale = \"Benchmarks need volume.\"\n\
             \x20 for a in release.artifacts where a.size > {i} {{\n    let sigs = count(s in a.signatures where s.verified and s.trusted)\n\
             \x20   expect sigs >= 1 and all(c in a.checksums: c.status == \"match\")\n      else \"{{a.path}} has {{sigs}} trusted signatures\"\n  }}\n\
             \x20 for v in vulnerabilities where v.status != not_affected {{\n    let took = v.time_to_fix ?? v.open_for\n    expect took != none and took <= patch_sla[v.severity ?? low]\n      else \"{{v.id}} breached the SLA\"\n  }} when empty: pass\n\
             \x20 expect all(d in release.distribution: d.scheme in schemes)\n  expect all(c in support.cycles where c.eol != none and c.eol_announced != none: c.eol - c.eol_announced >= notice)\n}}\n\n"
        ));
        i += 1;
    }
    out
}

fn frameworks() -> Frameworks {
    vouch::policy_files::frameworks(&[]).expect("built-in frameworks parse")
}

fn parse_and_check(c: &mut Criterion) {
    let frameworks = frameworks();
    let mut group = c.benchmark_group("lang");
    for (name, text) in [("typical", typical(10_000)), ("dense", dense(10_000))] {
        let source = Source::new("bench.vouch", text.as_str());
        let out = vouch_lang::check(source.clone(), &NoImports, &frameworks);
        assert!(
            out.diagnostics.is_empty(),
            "the generated policy checks clean: {:?}",
            out.diagnostics.first()
        );
        group.bench_function(format!("parse {name} 10k-line policy"), |b| {
            b.iter(|| vouch_lang::parse(black_box(&source)))
        });
        group.bench_function(format!("parse+check {name} 10k-line policy"), |b| {
            b.iter(|| vouch_lang::check(black_box(source.clone()), &NoImports, &frameworks))
        });
    }
    group.finish();
}

fn whole_process(c: &mut Criterion) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-check");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let file = dir.join("policy-500.vouch");
    std::fs::write(&file, typical(500)).expect("write policy");
    let vouch = env!("CARGO_BIN_EXE_vouch");
    let status = Command::new(vouch)
        .arg("check")
        .arg(&file)
        .output()
        .expect("vouch runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let mut group = c.benchmark_group("process");
    group.bench_function("baseline: cat 500-line policy", |b| {
        b.iter(|| Command::new("cat").arg(&file).output().expect("cat runs"))
    });
    group.bench_function("vouch check 500-line policy", |b| {
        b.iter(|| {
            Command::new(vouch)
                .arg("check")
                .arg(&file)
                .output()
                .expect("vouch runs")
        })
    });
    group.finish();
}

criterion_group!(benches, parse_and_check, whole_process);
criterion_main!(benches);
