//! Running one control: its statements for automated controls (findings, fail-closed empty
//! loops, the trace `vouch explain` prints), its attestations for manual ones.
//!
//! Fail closed: an unknown `expect` fails, and its message says what is missing; an element
//! whose `where` is unknown is a failure of its own ("cannot tell whether ..."), never left
//! out; a loop over a `none` collection is not an empty one, so `when empty` does not excuse
//! it; a `manual ... within` whose age is unknown is an error.

use std::sync::Arc;

use vouch_lang::ast::{EmptyOutcome, Expr, ForStmt, ManualStmt, Stmt};
use vouch_lang::{CheckedControl, Span};

pub(super) mod attest;
mod describe;
mod expect;
mod pass;

use expect::{Operand, missing, shown};

use super::cap::{FindingCap, Omitted};
use super::cite::Cited;
use super::duration::Duration;
use super::interp::{Bound, EvalError, Interp};
use super::trace::TraceLine;
use super::value::Value;
use crate::authority::Authority;
use crate::evidence::AttestationFact;
use crate::report::{AttestationUse, Finding, Status};

/// What running a control found, before waivers are applied.
#[derive(Debug, Clone, Default)]
pub(crate) struct ControlRun {
    /// `Pass`, `Fail`, `NotApplicable`, `Manual` or `Error`.
    pub status: Option<Status>,
    pub reason: Option<String>,
    pub findings: Vec<Finding>,
    /// The findings beyond the cap: counted, not kept.
    pub omitted: Omitted,
    pub attestations: Vec<AttestationUse>,
    pub trace: Vec<TraceLine>,
    /// For a pass: the expectations that held and what they read.
    pub pass: Option<crate::report::PassEvidence>,
}

/// Runs the statements of an automated control.
pub(crate) struct Runner<'a> {
    pub interp: Interp<'a>,
    findings: Vec<Finding>,
    cap: Option<FindingCap<'a>>,
    not_applicable: Option<String>,
    no_evidence: Option<String>,
    trace: Option<Vec<TraceLine>>,
    depth: usize,
    /// The expectations (by address) that have failed in this control.
    failed: Vec<usize>,
    /// What the expectations that held read, while the control can still pass.
    pass: Option<pass::PassCollector>,
}

impl<'a> Runner<'a> {
    pub fn new(interp: Interp<'a>, trace: bool) -> Self {
        Runner {
            interp,
            findings: Vec::new(),
            cap: None,
            not_applicable: None,
            no_evidence: None,
            trace: trace.then(Vec::new),
            depth: 0,
            failed: Vec::new(),
            pass: Some(pass::PassCollector::default()),
        }
    }

    /// Keeps at most [`super::cap::MAX_CONTROL_FINDINGS`] findings, counting the others.
    pub fn with_cap(mut self, cap: FindingCap<'a>) -> Self {
        self.cap = Some(cap);
        self
    }

    /// Names a finding, matches it against the waivers and says whether it is kept (see
    /// [`FindingCap::admit`]).
    fn admit(&mut self, finding: &mut Finding) -> bool {
        let kept = self.findings.len();
        self.cap.as_mut().is_none_or(|cap| cap.admit(kept, finding))
    }

    /// What a finding made now is about: the element of the outermost `for` loop in scope.
    pub(super) fn subject(&self) -> Option<String> {
        self.interp.scope.iter().find_map(|(_, b)| match b {
            Bound::Element(..) => Some(b.value().to_string()),
            Bound::Value(_) => None,
        })
    }

    /// Records a trace line; `text` is only computed when tracing. The lines count against
    /// the byte budget (a line past it stops the evaluation at its next step).
    fn note(&mut self, text: impl FnOnce() -> String) {
        self.note_step(|| None, text);
    }

    /// [`Self::note`], the line recording `step` (computed only when tracing).
    fn note_step(
        &mut self,
        step: impl FnOnce() -> Option<super::trace::Step>,
        text: impl FnOnce() -> String,
    ) {
        if let Some(trace) = &mut self.trace {
            let text = text();
            let _ = self
                .interp
                .meter
                .take_bytes(text.len() + size_of::<TraceLine>());
            trace.push(TraceLine {
                depth: self.depth,
                text,
                step: step(),
            });
        }
    }

    fn tracing(&self) -> bool {
        self.trace.is_some()
    }

    /// `SOURCE:LINE` of a span of this module.
    fn place(&self, span: Span) -> String {
        let source = self.interp.env.source;
        format!("{}:{}", source.name(), source.line_col(span.start).0)
    }

    /// Runs `body` and concludes the control's status.
    pub fn run(mut self, body: &'a [Stmt]) -> ControlRun {
        let result = self.block(body);
        let mut run = ControlRun {
            trace: self.trace.take().unwrap_or_default(),
            ..ControlRun::default()
        };
        if let Err(e) = result {
            run.status = Some(Status::Error);
            run.reason = Some(self.interp.stop_reason(e.span).unwrap_or_else(|| {
                format!(
                    "evaluation error at {}: {} (in `{}`)",
                    self.place(e.span),
                    e.message,
                    vouch_lang::one_line(self.interp.text(e.span))
                )
            }));
            run.findings = self.findings;
            run.omitted = self.cap.map(|c| c.omitted).unwrap_or_default();
            return run;
        }
        if !self.findings.is_empty() {
            run.status = Some(Status::Fail);
            run.reason = self.no_evidence;
        } else if let Some(reason) = self.not_applicable {
            run.status = Some(Status::NotApplicable);
            run.reason = Some(reason);
        } else {
            run.status = Some(Status::Pass);
            run.pass = self.pass_evidence();
        }
        run.findings = self.findings;
        run.omitted = self.cap.map(|c| c.omitted).unwrap_or_default();
        run
    }

    fn block(&mut self, stmts: &'a [Stmt]) -> Result<(), EvalError> {
        let mark = self.interp.scope.len();
        for stmt in stmts {
            match stmt {
                Stmt::Let(l) => {
                    let v = self.interp.eval(&l.value)?;
                    self.note(|| format!("let {} = {v}", l.name.name));
                    self.interp
                        .scope
                        .push((l.name.name.as_str(), Bound::Value(v)));
                }
                Stmt::Expect(e) => self.expect(e)?,
                Stmt::For(f) => self.for_loop(f)?,
                Stmt::Manual(_) => {}
            }
        }
        self.interp.scope.truncate(mark);
        Ok(())
    }

    fn for_loop(&mut self, f: &'a ForStmt) -> Result<(), EvalError> {
        // The loop's text on one line, made only for a trace or a message (a loop nested in
        // another runs once per element of the outer one).
        let iter_src = self.interp.text(f.iter.span);
        let filter_src = f.filter.as_ref().map(|w| self.interp.text(w.span));
        let iter_text = || vouch_lang::one_line(iter_src);
        let filter_text = || {
            filter_src
                .map(|w| format!(" where {}", vouch_lang::one_line(w)))
                .unwrap_or_default()
        };
        let items = self.interp.collection(&f.iter)?;
        let total = items.as_ref().map_or(0, |i| i.len());
        self.note(|| match &items {
            Some(_) => format!(
                "for {} in {}{}: {total} element{}",
                f.var.name,
                iter_text(),
                filter_text(),
                if total == 1 { "" } else { "s" }
            ),
            None => format!(
                "for {} in {}: {} is none",
                f.var.name,
                iter_text(),
                iter_text()
            ),
        });
        self.depth += 1;
        let mut ran = 0usize;
        let slot = self.interp.scope.len();
        if let Some(items) = &items {
            self.interp
                .scope
                .push((f.var.name.as_str(), Bound::Element(Arc::clone(items), 0)));
        }
        for (index, item) in items.iter().flat_map(|items| items.iter()).enumerate() {
            let shown = if self.tracing() {
                item.to_string()
            } else {
                String::new()
            };
            self.interp.move_to(slot, index);
            self.interp.step(f.span)?;
            let (keep, filter) = match &f.filter {
                Some(filter) => (self.interp.condition(filter)?, Some(filter)),
                None => (Some(true), None),
            };
            // For the trace: the `where` examined, and whether it kept the element.
            let step = match filter {
                Some(w) if self.tracing() => Some(super::trace::Step::Where {
                    at: self.place(w.span),
                    kept: keep,
                }),
                _ => None,
            };
            match (keep, filter) {
                (Some(true), _) => {
                    ran += 1;
                    self.note_step(|| step, || format!("{} = {shown}", f.var.name));
                    self.depth += 1;
                    let result = self.block(&f.body);
                    self.depth -= 1;
                    result?;
                }
                (None, Some(filter)) => {
                    // Unknown: the element may be one the body must judge, so it fails.
                    ran += 1;
                    self.unknown_where(f, filter, item)?;
                }
                _ => {
                    self.note_step(
                        || step,
                        || format!("{} = {shown}: left out (`where` is false)", f.var.name),
                    );
                }
            }
        }
        self.interp.scope.truncate(slot);
        self.depth -= 1;
        if ran > 0 {
            return Ok(());
        }
        // `when empty` is about a known empty collection; a `none` one is unknown.
        let when_empty = f.when_empty.map(|w| w.outcome).filter(|_| items.is_some());
        if when_empty == Some(EmptyOutcome::Pass) {
            self.note(|| "no element: `when empty: pass`, nothing to check".to_owned());
            // A loop at the control's top level; one nested in a loop that ran is a check on
            // an element that was read (e.g. "no bad signature among its signatures"), not a
            // part of the control that checked nothing. Its text is made only when the
            // collector keeps it (a nested loop is empty for most elements).
            let top = self.depth == 0;
            if self.pass.as_ref().is_some_and(|p| p.keeps_empty(top)) {
                let what = format!("{}{}", iter_text(), filter_text());
                let place = self.place(f.span);
                if let Some(pass) = &mut self.pass {
                    pass.empty_pass(format!("no {what} (`when empty: pass`)"), place, top);
                }
            }
            return Ok(());
        }
        let iter_text = iter_text();
        let what = format!("{iter_text}{}", filter_text());
        match when_empty {
            Some(EmptyOutcome::Pass) => {}
            Some(EmptyOutcome::NotApplicable) => {
                let reason = format!("no {what} (`when empty: not_applicable`)");
                self.note(|| format!("no element: {reason}"));
                self.not_applicable.get_or_insert(reason);
            }
            Some(EmptyOutcome::Fail) | None => {
                let message = match f.when_empty {
                    Some(w) if w.outcome != EmptyOutcome::Fail => format!(
                        "no evidence of {what}: `{iter_text}` is none, so `when empty: {}` \
                         does not apply",
                        w.outcome.as_str()
                    ),
                    _ => format!("no evidence of {what}"),
                };
                self.note(|| format!("no element: fails closed, {message}"));
                self.no_evidence.get_or_insert_with(|| message.clone());
                // Cite what the empty collection was read from (e.g. release.toml).
                self.interp.cite = Some(Cited::start(&mut self.interp.citations));
                let replay = self.interp.eval(&f.iter);
                let read = self.interp.cite.take();
                replay?;
                let (evidence, evidence_omitted) = self.scope_citations(read);
                let mut finding = Finding {
                    message,
                    evidence,
                    evidence_omitted,
                    values: crate::report::FindingValues::new(),
                    expect: self.place(f.span),
                    fingerprint: String::new(),
                    subject: self.subject(),
                    missing_evidence: true,
                    waived_by: None,
                };
                if self.admit(&mut finding) {
                    finding.values = self.bindings();
                    self.findings.push(finding);
                }
            }
        }
        Ok(())
    }

    /// Records the failure of an element whose `where` is unknown; its body is not run.
    fn unknown_where(
        &mut self,
        f: &'a ForStmt,
        filter: &'a Expr,
        element: &Value,
    ) -> Result<(), EvalError> {
        let where_text = vouch_lang::one_line(self.interp.text(filter.span));
        let operands = self.operand_values(filter);
        let missing = missing(&operands).unwrap_or_else(|| format!("`{where_text}` is none"));
        let message = format!(
            "cannot tell whether `{where_text}` holds for {} = {element}: {missing}",
            f.var.name
        );
        let at = self.place(filter.span);
        self.note_step(
            || Some(super::trace::Step::Where { at, kept: None }),
            || format!("{} = {element}: fails ({message})", f.var.name),
        );
        self.interp.cite = Some(Cited::start(&mut self.interp.citations));
        let replay = self.interp.condition(filter);
        let read = self.interp.cite.take();
        replay?;
        let place = self.place(filter.span);
        // Unknown: a value it needs is missing.
        self.push_finding(message, read, operands, place, true);
        Ok(())
    }

    /// Records a finding: its message, what its replay read (with the records bound in
    /// scope), the bindings and compared operands, and where its `expect` (or `where`) is.
    fn push_finding(
        &mut self,
        message: String,
        read: Option<Cited>,
        operands: Vec<Operand>,
        place: String,
        missing_evidence: bool,
    ) {
        let (evidence, evidence_omitted) = self.scope_citations(read);
        let mut finding = Finding {
            message,
            evidence,
            evidence_omitted,
            values: crate::report::FindingValues::new(),
            expect: place,
            fingerprint: String::new(),
            subject: self.subject(),
            missing_evidence,
            waived_by: None,
        };
        if !self.admit(&mut finding) {
            return;
        }
        let mut values = self.bindings();
        values.extend(shown(operands));
        values.shrink();
        finding.values = values;
        self.findings.push(finding);
    }

    /// Every binding in scope, by name, as shown in messages.
    fn bindings(&self) -> crate::report::FindingValues {
        self.interp
            .scope
            .iter()
            .map(|(name, v)| ((*name).to_owned(), v.value().to_string()))
            .collect()
    }

    /// `read` plus the citations of the records bound in scope: the first in the report's
    /// order, and how many distinct others there were.
    fn scope_citations(&mut self, read: Option<Cited>) -> (Vec<crate::report::EvidenceRef>, usize) {
        let interp = &mut self.interp;
        let mut read = read.unwrap_or_else(|| Cited::start(&mut interp.citations));
        for (_, v) in &interp.scope {
            if let Value::Record(r) = v.value() {
                read.record(r, &mut interp.citations);
            }
        }
        read.finish(&interp.citations)
    }
}

/// Decides a manual control from the attestations that name it (or quote its statement):
/// it passes on the newest one that counts ([`attest::judge`], and dated within `within`
/// before `as_of`); otherwise it stays `manual` and says, attestation by attestation, why.
pub(crate) fn manual<'a>(
    interp: &mut Interp<'a>,
    control: &CheckedControl,
    statement: &'a ManualStmt,
    facts: &[AttestationFact],
    authority: &dyn Authority,
) -> ControlRun {
    let as_of = interp.env.as_of;
    let within = match &statement.within {
        Some(expr) => match interp.eval(expr) {
            Ok(Value::Duration(d)) => Some(*d),
            // Unknown: no attestation can be shown recent enough.
            Ok(other) => {
                let text = vouch_lang::one_line(interp.text(expr.span));
                return ControlRun {
                    status: Some(Status::Error),
                    reason: Some(format!(
                        "cannot tell how recent an attestation must be: `within {text}` is {}",
                        if other.is_none() {
                            "none".to_owned()
                        } else {
                            format!("a `{}`, not a duration", other.type_name())
                        }
                    )),
                    ..ControlRun::default()
                };
            }
            Err(e) => {
                let reason = interp.stop_reason(e.span);
                return ControlRun {
                    status: Some(Status::Error),
                    reason: Some(
                        reason.unwrap_or_else(|| format!("evaluation error: {}", e.message)),
                    ),
                    ..ControlRun::default()
                };
            }
        },
        None => None,
    };
    let needs = &statement.statement.value;
    let mut run = ControlRun::default();
    let mut best: Option<(&AttestationFact, &AttestationUse)> = None;
    let mut uses = Vec::new();
    for fact in facts
        .iter()
        .filter(|f| attest::concerns(f, &control.id, needs))
    {
        let mut judged = attest::judge(fact, control, needs, authority);
        if fact.date > as_of {
            judged
                .reasons
                .push(format!("dated {} after as_of {as_of}", fact.date));
        } else if let Some(w) = within {
            match w.add_to(fact.date) {
                Some(until) if until >= as_of => {}
                _ => judged.reasons.push(format!(
                    "older than {w}: attested {}, {} before as_of",
                    fact.date,
                    Duration::between(fact.date, as_of)
                )),
            }
        }
        let reason = (!judged.reasons.is_empty()).then(|| judged.reasons.join("; "));
        run.trace.push(TraceLine::text(
            0,
            format!(
                "attestation {} by {} on {}: {}",
                fact.path,
                fact.attested_by,
                fact.date,
                reason.as_deref().unwrap_or("accepted")
            ),
        ));
        run.trace.extend(
            judged
                .trace
                .into_iter()
                .map(|text| TraceLine::text(1, text)),
        );
        uses.push((
            fact,
            AttestationUse {
                control: control.id.clone(),
                path: fact.path.clone(),
                sha256: fact.sha256.clone(),
                statement: if fact.statement.is_empty() {
                    format!("sha256:{}", fact.statement_sha256.as_deref().unwrap_or(""))
                } else {
                    fact.statement.clone()
                },
                attested_by: fact.attested_by.clone(),
                date: fact.date.to_string(),
                accepted: reason.is_none(),
                reason,
                signature: judged.signature,
                key_id: judged.key_id,
                decision: judged.decision,
                undated: judged.undated,
            },
        ));
    }
    for (fact, u) in &uses {
        if u.accepted && best.is_none_or(|(b, _)| fact.date >= b.date) {
            best = Some((fact, u));
        }
    }
    match best {
        Some((fact, u)) => {
            run.status = Some(Status::Pass);
            run.reason = Some(format!(
                "attested by {} on {} ({}), signed with key {}{}",
                fact.attested_by,
                fact.date,
                fact.path,
                u.key_id.as_deref().unwrap_or("-"),
                u.decision.as_ref().map_or_else(String::new, |d| format!(
                    ", {}",
                    attest::decision_text(d.allowed, &d.reason, &d.policies)
                ))
            ));
            if u.undated
                && let Some(reason) = &mut run.reason
            {
                reason.push_str("; ");
                reason.push_str(attest::UNDATED);
            }
        }
        None if uses.is_empty() => {
            run.status = Some(Status::Manual);
            run.reason = Some(format!("needs an attestation: {needs}"));
        }
        None => {
            let why: Vec<String> = uses
                .iter()
                .map(|(_, u)| format!("{}: {}", u.path, u.reason.as_deref().unwrap_or("")))
                .collect();
            run.status = Some(Status::Manual);
            run.reason = Some(format!(
                "no valid attestation ({}); needs: {needs}",
                why.join("; ")
            ));
        }
    }
    run.attestations = uses.into_iter().map(|(_, u)| u).collect();
    run
}
