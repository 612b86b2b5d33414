//! A quantifier's condition made of comparisons of names, fields and literals is prepared
//! once per run (fields found by position, fixed values read once); any other condition is
//! evaluated as written. Both must agree: each case here is written twice, once in the form
//! the evaluator prepares and once in a form it does not (an operand in parentheses, a
//! boolean field compared with `true`), which means the same, and the two controls must give
//! the same status, the same findings and the same evidence.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use crate::common;

use std::sync::LazyLock;

use vouch_engine::EvidenceGraph;
use vouch_engine::report::{ControlResult, Status};

static GRAPH: LazyLock<EvidenceGraph> = LazyLock::new(|| common::ingest(&common::example_bundle()));

const PARAMS: &str = "param kinds: set<string> = [\"sbom\", \"signature\"]\nparam big: int = 100";

/// (prepared, as written): the same control twice.
const CASES: &[(&str, &str)] = &[
    // A quadratic pair of loops, failing for every artifact: each finding cites every file.
    (
        "for a in release.artifacts {\n expect count(f in files: f.path != a.path and f.sha256 == a.sha256) == 1 else \"dup\"\n }",
        "for a in release.artifacts {\n expect count(f in files: (f.path) != (a.path) and (f.sha256) == (a.sha256)) == 1 else \"dup\"\n }",
    ),
    (
        "for a in release.artifacts {\n expect count(f in files: f.sha256 == a.sha256) == 1 else \"one\"\n }",
        "for a in release.artifacts {\n expect count(f in files: (f.sha256) == (a.sha256)) == 1 else \"one\"\n }",
    ),
    // Boolean fields as conditions, in a nested quantifier.
    (
        "expect all(a in release.artifacts: any(s in a.signatures: s.verified and s.trusted)) else \"unsigned\"",
        "expect all(a in release.artifacts: any(s in a.signatures: (s.verified) == true and (s.trusted) == true)) else \"unsigned\"",
    ),
    // Closed-set text, a `where` filter.
    (
        "for a in release.artifacts {\n expect any(s in a.signatures where s.format == \"openpgp\": s.outcome == \"verified\") else \"no openpgp\"\n }",
        "for a in release.artifacts {\n expect any(s in a.signatures where (s.format) == \"openpgp\": (s.outcome) == \"verified\") else \"no openpgp\"\n }",
    ),
    // An optional field in a `where`: unknown elements are unknown, never dropped.
    (
        "expect none(v in vulnerabilities where v.severity >= medium: v.status == under_investigation) else \"triage\"",
        "expect none(v in vulnerabilities where (v.severity) >= medium: (v.status) == under_investigation) else \"triage\"",
    ),
    (
        "expect count(v in vulnerabilities where v.cvss_score > 5.0: v.fixed_in == none) == 0 else \"open\"",
        "expect count(v in vulnerabilities where (v.cvss_score) > 5.0: (v.fixed_in) == none) == 0 else \"open\"",
    ),
    // Ordering, `not`, params, `in` and `not in` a param.
    (
        "expect all(f in files: not (f.size < big)) else \"small\"",
        "expect all(f in files: not ((f.size) < big)) else \"small\"",
    ),
    (
        "expect all(f in files: f.kind in kinds or f.kind not in kinds and f.size >= 0) else \"kinds\"",
        "expect all(f in files: (f.kind) in kinds or (f.kind) not in kinds and (f.size) >= 0) else \"kinds\"",
    ),
    (
        "expect any(f in files: f.kind in kinds) else \"any kind\"",
        "expect any(f in files: (f.kind) in kinds) else \"any kind\"",
    ),
    // Presence tests, text literals, a root's field.
    (
        "expect any(f in files: f.path == \"missing\" or f.sha256 == none) else \"presence\"",
        "expect any(f in files: (f.path) == \"missing\" or (f.sha256) == none) else \"presence\"",
    ),
    (
        "for a in release.artifacts {\n expect all(f in files where f.path == a.path: f.sha256 == a.sha256 and release.version != \"0\") else \"root\"\n }",
        "for a in release.artifacts {\n expect all(f in files where (f.path) == (a.path): (f.sha256) == (a.sha256) and (release.version) != \"0\") else \"root\"\n }",
    ),
    (
        "expect all(v in vulnerabilities: v.discovered <= as_of) else \"dates\"",
        "expect all(v in vulnerabilities: (v.discovered) <= as_of) else \"dates\"",
    ),
    // The element itself.
    (
        "expect count(k in kinds: k == \"sbom\") == 1 else \"element\"",
        "expect count(k in kinds: (k) == \"sbom\") == 1 else \"element\"",
    ),
];

/// Runs a control, with the `unhandled-none` lint allowed: what evaluation does with an
/// optional value it is not told how to handle is part of what must agree.
fn run(body: &str) -> ControlResult {
    let allow = vouch_lang::LintLevels {
        levels: [(
            vouch_lang::Code::UnhandledNone,
            vouch_lang::LintLevel::Allow,
        )]
        .into(),
        deny_warnings: false,
    };
    common::run_control_with(&GRAPH, "2026-10-01T00:00:00Z", PARAMS, body, &allow)
}

/// What the two forms must share: the status, the reason, and each finding's message and
/// evidence (operand values are shown by source text, which differs).
fn outcome(r: &ControlResult) -> impl PartialEq + std::fmt::Debug + '_ {
    let findings: Vec<_> = r
        .findings
        .iter()
        .map(|f| (&f.message, &f.evidence, f.evidence_omitted))
        .collect();
    (r.status, &r.reason, findings, r.findings_omitted)
}

#[test]
fn prepared_conditions_agree_with_conditions_as_written() {
    let mut statuses = Vec::new();
    for (prepared, written) in CASES {
        let (a, b) = (run(prepared), run(written));
        assert_eq!(outcome(&a), outcome(&b), "{prepared}\nagainst\n{written}");
        statuses.push(a.status);
    }
    // The cases see both outcomes, and findings with evidence.
    assert!(statuses.contains(&Status::Pass), "{statuses:?}");
    assert!(statuses.contains(&Status::Fail), "{statuses:?}");
    let dup = run(CASES[0].0);
    assert!(
        dup.findings.iter().all(|f| !f.evidence.is_empty()),
        "{:#?}",
        dup.findings
    );
}
