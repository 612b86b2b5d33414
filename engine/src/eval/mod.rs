//! The evaluator: a checked policy against the evidence of one bundle, at one instant,
//! gives the [`Report`].
//!
//! Nothing here reads files or the clock: the caller passes `as_of`, the waivers (parsed from
//! text the caller read). Signatures were verified against the trust set during ingestion. Controls are evaluated independently (in
//! parallel when there are threads to spare) and the report is assembled in control-id
//! order, so the same inputs give the same report whatever the thread count.
//!
//! Every control runs under its own [`Budget`] of steps and bytes (see [`budget`]): a
//! runaway control stops with status `error` and says which limit it passed, and because no
//! budget is shared between controls, which controls stop does not depend on the threads.

mod assemble;
pub mod budget;
mod cap;
pub(crate) mod cite;
mod control;
pub mod duration;
mod interp;
mod ops;
mod params;
mod trace;
mod unreadable;
pub mod value;
pub mod waive;

use std::sync::Arc;

use jiff::Timestamp;
use rayon::prelude::*;
use vouch_lang::ast::{Item, Stmt};
use vouch_lang::{CheckedControl, CheckedPolicy, ControlKind};

pub use budget::Budget;
pub use interp::EvalError;
pub use trace::{Step, Trace, TraceLine};
pub use value::{Record, Value};

use crate::authority::signing::SigningDecisions;
use crate::authority::{Authority, EveryTrustedKey};
use crate::evidence::EvidenceValues;
use crate::graph::EvidenceGraph;
use crate::report::{Report, Status};

/// Graphs of fewer nodes have their controls run on the calling thread, whatever the threads
/// asked for.
const PARALLEL_MIN_NODES: usize = 1024;
use crate::waivers::WaiverFile;
use control::{ControlRun, Runner};
use interp::{Env, Interp};
use params::{ModuleParams, module_params};

/// Everything an evaluation needs besides the policy and the evidence.
#[derive(Debug, Clone)]
pub struct EvaluationOptions {
    /// The instant the evaluation judges at.
    pub as_of: Timestamp,
    /// The waivers files, each with its signature check, in command-line order.
    pub waivers: Vec<WaiverFile>,
    /// The trusted keys signatures were verified against, for the report.
    pub trust: Vec<crate::report::TrustedKeyRef>,
    /// Threads for evaluating a large bundle's controls, in a pool of their own; `None` is
    /// one per processor ([`default_threads`](crate::input_file::default_threads)).
    pub threads: Option<usize>,
    /// The steps and bytes each control (each param, each manual control's `within`) may
    /// use.
    pub budget: Budget,
    /// Who may attest, waive and sign what ([`EveryTrustedKey`] unless an authority policy
    /// is given).
    pub authority: Arc<dyn Authority>,
    /// The sha256 of the framework's definition, for the report (`policy.framework_sha256`).
    pub framework_sha256: Option<String>,
}

impl EvaluationOptions {
    /// Options with no waivers.
    pub fn at(as_of: Timestamp) -> Self {
        EvaluationOptions {
            as_of,
            waivers: Vec::new(),
            trust: Vec::new(),
            threads: None,
            budget: Budget::default(),
            authority: Arc::new(EveryTrustedKey),
            framework_sha256: None,
        }
    }
}

/// Evaluates every control of `policy` against the bundle's graph.
pub fn evaluate(
    policy: &CheckedPolicy,
    graph: &EvidenceGraph,
    options: &EvaluationOptions,
) -> Report {
    let signing = SigningDecisions::decide(graph, options.authority.as_ref());
    let evidence = EvidenceValues::build_for(graph, Some(options.as_of), &signing);
    evaluate_built(policy, graph, Held::Owned(Box::new(evidence)), options)
}

/// [`evaluate`], giving up the graph: the same report, in less memory. Each vulnerability's
/// and advisory's nodes are taken out of the graph as the evidence value built from them is
/// made, so a bundle's vulnerability evidence is held once, not twice (see
/// [`EvidenceValues::build_taking`]); the evidence values are dropped before the report is
/// assembled.
pub fn evaluate_owned(
    policy: &CheckedPolicy,
    mut graph: EvidenceGraph,
    options: &EvaluationOptions,
) -> Report {
    let signing = SigningDecisions::decide(&graph, options.authority.as_ref());
    let evidence = EvidenceValues::build_taking(&mut graph, Some(options.as_of), &signing);
    evaluate_built(policy, &graph, Held::Owned(Box::new(evidence)), options)
}

/// [`evaluate`] with the evidence values already built (benchmarks build them once).
pub fn evaluate_values(
    policy: &CheckedPolicy,
    graph: &EvidenceGraph,
    evidence: &EvidenceValues,
    options: &EvaluationOptions,
) -> Report {
    evaluate_built(policy, graph, Held::Borrowed(evidence), options)
}

/// Evidence values an evaluation reads: the caller's, or its own (dropped once every control
/// has run, before the report is assembled).
enum Held<'e> {
    /// The caller's.
    Borrowed(&'e EvidenceValues),
    /// Built for this evaluation.
    Owned(Box<EvidenceValues>),
}

fn evaluate_built(
    policy: &CheckedPolicy,
    graph: &EvidenceGraph,
    evidence: Held<'_>,
    options: &EvaluationOptions,
) -> Report {
    let values: &EvidenceValues = match &evidence {
        Held::Borrowed(e) => e,
        Held::Owned(e) => e,
    };
    let params = module_params(policy, values, options.as_of, options.budget);
    let waivers = waive::Waivers::judge(
        &options.waivers,
        policy,
        &params,
        options.authority.as_ref(),
        options.as_of,
    );
    let run_all = || -> Vec<ControlRun> {
        policy
            .controls
            .par_iter()
            .map(|c| run_control(policy, c, values, &params, options, &waivers, Mode::Report))
            .collect()
    };
    // A small bundle's controls run here: starting a pool costs more than they take.
    let small = graph.node_count() < PARALLEL_MIN_NODES;
    let threads = || match options.threads {
        Some(n) => crate::input_file::cap_threads(n),
        None => crate::input_file::default_threads(),
    };
    let runs = match if small { 1 } else { threads() } {
        // One thread is this one: no pool to start (a pool's thread costs more than a small
        // policy's whole evaluation on a busy machine).
        1 => policy
            .controls
            .iter()
            .map(|c| run_control(policy, c, values, &params, options, &waivers, Mode::Report))
            .collect(),
        n => match rayon::ThreadPoolBuilder::new().num_threads(n).build() {
            Ok(pool) => pool.install(run_all),
            Err(_) => run_all(),
        },
    };
    // The report is made from the runs and the graph: values built here go first.
    let signing = match evidence {
        Held::Borrowed(e) => std::borrow::Cow::Borrowed(&e.signing),
        Held::Owned(e) => std::borrow::Cow::Owned((*e).into_signing()),
    };
    let mut report = assemble::report(policy, graph, options, &signing, &waivers, runs);
    report.policy.params = params::report_params(policy, &params);
    report
}

/// Evaluates one control with a trace of every step; `None` for an unknown control id. The
/// result lists at most [`crate::report::MAX_CONTROL_FINDINGS`] findings, as the report does.
pub fn explain(
    policy: &CheckedPolicy,
    graph: &EvidenceGraph,
    options: &EvaluationOptions,
    control_id: &str,
) -> Option<Trace> {
    explain_with(policy, graph, options, control_id, false)
}

/// [`explain`], listing every finding of the control when `all_findings` (the report's cap
/// left off), so that each can be named by its fingerprint in a waiver.
pub fn explain_with(
    policy: &CheckedPolicy,
    graph: &EvidenceGraph,
    options: &EvaluationOptions,
    control_id: &str,
    all_findings: bool,
) -> Option<Trace> {
    let control = policy.controls.iter().find(|c| c.id == control_id)?;
    let signing = SigningDecisions::decide(graph, options.authority.as_ref());
    let evidence = EvidenceValues::build_for(graph, Some(options.as_of), &signing);
    let params = module_params(policy, &evidence, options.as_of, options.budget);
    let waivers = waive::Waivers::judge(
        &options.waivers,
        policy,
        &params,
        options.authority.as_ref(),
        options.as_of,
    );
    let mode = Mode::Trace { all_findings };
    let mut run = run_control(policy, control, &evidence, &params, options, &waivers, mode);
    let mut lines = std::mem::take(&mut run.trace);
    // Then every waiver of the control: its state, and what the authority decided.
    for w in waivers.results().iter().filter(|w| w.control == control.id) {
        lines.extend(waive::explain(w));
    }
    let result = assemble::control_result(policy, control, run);
    Some(Trace { result, lines })
}

/// How a control is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// For the report: no trace, findings capped.
    Report,
    /// For `vouch explain`: traced, findings capped unless `all_findings`.
    Trace {
        /// List every finding.
        all_findings: bool,
    },
}

fn run_control(
    policy: &CheckedPolicy,
    control: &CheckedControl,
    evidence: &EvidenceValues,
    params: &[ModuleParams],
    options: &EvaluationOptions,
    waivers: &waive::Waivers<'_>,
    mode: Mode,
) -> ControlRun {
    let (Some(module), Some(module_params)) = (
        policy.modules.get(control.module),
        params.get(control.module),
    ) else {
        return internal_error("its module is missing");
    };
    if let Some(why) = &module_params.failed {
        return ControlRun {
            status: Some(Status::Error),
            reason: Some(why.clone()),
            ..ControlRun::default()
        };
    }
    let module_params = &module_params.values;
    let Some(Item::Control(decl)) = module.ast.items.get(control.item) else {
        return internal_error("its declaration is missing");
    };
    let env = Env {
        evidence,
        as_of: options.as_of,
        params: module_params,
        source: &module.source,
        budget: options.budget,
    };
    let mut interp = Interp::new(env);
    let limit = match mode {
        Mode::Trace { all_findings: true } => usize::MAX,
        _ => cap::MAX_CONTROL_FINDINGS,
    };
    let mut run = match &control.kind {
        ControlKind::Automated => Runner::new(interp, mode != Mode::Report)
            .with_cap(cap::FindingCap::new(&control.id, waivers).with_limit(limit))
            .run(&decl.body),
        ControlKind::Manual { .. } => match decl.body.first() {
            Some(Stmt::Manual(m)) => control::manual(
                &mut interp,
                control,
                m,
                &evidence.attestation_facts,
                options.authority.as_ref(),
            ),
            _ => internal_error("its `manual` statement is missing"),
        },
    };
    if !evidence.unreadable.is_empty() {
        let place = format!(
            "{}:{}",
            module.source.name(),
            module.source.line_col(decl.id.span.start).0
        );
        unreadable::apply(
            &mut run,
            &unreadable::Reads::of(&decl.body),
            &evidence.unreadable,
            limit,
            &place,
            &control.id,
            waivers,
        );
    }
    run
}

fn internal_error(why: &str) -> ControlRun {
    ControlRun {
        status: Some(Status::Error),
        reason: Some(format!("internal error: {why}")),
        ..ControlRun::default()
    }
}
