//! Params at evaluation time: an importer's table override merges over the default per key,
//! the report records every param's effective value, and a param that cannot be evaluated
//! makes every control of its module `error` (never `none`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use crate::common;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use vouch_engine::EvidenceGraph;
use vouch_engine::report::{Report, Status};
use vouch_lang::ast::{Expr, ExprKind, UnaryOp};
use vouch_lang::{CheckedPolicy, ImportTarget, Loader, Source};

static GRAPH: LazyLock<EvidenceGraph> = LazyLock::new(|| common::ingest(&common::example_bundle()));

/// Imports from a map of file names to texts.
struct MapLoader(BTreeMap<&'static str, String>);

impl Loader for MapLoader {
    fn load(&self, _from: &Source, target: &ImportTarget) -> Result<Source, String> {
        match target {
            ImportTarget::Path(p) => self
                .0
                .get(p.as_str())
                .map(|t| Source::new(p.clone(), t.clone()))
                .ok_or_else(|| format!("no file `{p}`")),
            ImportTarget::Std(n) => Err(format!("no std `{n}`")),
        }
    }
}

const MODULE: &str = r#"policy "m" { title = "M" framework = "uk-sscop" }
param sla: table<severity, duration> = { critical: 48h, high: 7d, medium: 30d, low: 90d }
param notice: duration = 12 months where >= 12 months
control "M-SLA" {
  title = "t"
  provision = ["3.3"]
  severity = high
  expect sla[critical] == 24h and sla[high] == 7d and sla[low] == 90d
}
control "M-NOTICE" {
  title = "t"
  provision = ["4.1"]
  severity = high
  expect notice >= 12 months
}
"#;

fn check(root: &str) -> CheckedPolicy {
    let loader = MapLoader(BTreeMap::from([("m.vouch", MODULE.to_owned())]));
    let out = vouch_lang::check(
        Source::new("root.vouch", root),
        &loader,
        &common::frameworks(),
    );
    out.policy
        .unwrap_or_else(|| panic!("policy does not check: {:#?}", out.diagnostics))
}

fn evaluate(policy: &CheckedPolicy) -> Report {
    let options = vouch_engine::EvaluationOptions::at("2026-10-01T00:00:00Z".parse().unwrap());
    vouch_engine::evaluate(policy, &GRAPH, &options)
}

fn status(report: &Report, id: &str) -> Status {
    report.controls.iter().find(|c| c.id == id).unwrap().status
}

const ROOT: &str = r#"policy "r" { title = "R" framework = "uk-sscop" }
import "m.vouch" with { sla = { critical: 24h }, notice = 1 year }
"#;

#[test]
fn a_table_override_keeps_the_keys_it_does_not_give() {
    let report = evaluate(&check(ROOT));
    // critical is overridden; high and low keep the module's defaults.
    assert_eq!(status(&report, "M-SLA"), Status::Pass);
    assert_eq!(status(&report, "M-NOTICE"), Status::Pass);
}

#[test]
fn the_report_records_every_param() {
    let report = evaluate(&check(ROOT));
    let params: Vec<(&str, &str)> = report
        .policy
        .params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        params,
        [
            ("m.vouch::notice", "1 year"),
            (
                "m.vouch::sla",
                "{ critical: 1d, high: 7d, low: 90d, medium: 30d }"
            ),
        ]
    );
}

#[test]
fn a_param_that_cannot_be_evaluated_makes_its_controls_error() {
    let mut policy = check(ROOT);
    let module = policy
        .modules
        .iter_mut()
        .find(|m| m.source.name() == "m.vouch")
        .unwrap();
    let binding = module.params.get_mut("notice").unwrap();
    // `-(i64::MIN)` overflows: the checker never lets such a constant through, so the
    // evaluator's back stop is all that stands between it and `none`.
    let span = binding.value.span;
    let min = Expr {
        kind: ExprKind::Int(i64::MIN),
        span,
    };
    binding.overrides.clear();
    binding.value = Expr {
        kind: ExprKind::Unary {
            op: UnaryOp::Neg,
            operand: Box::new(min),
        },
        span,
    };
    let report = evaluate(&policy);
    for id in ["M-SLA", "M-NOTICE"] {
        let control = report.controls.iter().find(|c| c.id == id).unwrap();
        assert_eq!(control.status, Status::Error, "{id}");
        let reason = control.reason.as_deref().unwrap_or("");
        assert!(reason.contains("param `notice`"), "{id}: {reason}");
    }
    assert!(!report.policy.params.contains_key("m.vouch::notice"));
}
