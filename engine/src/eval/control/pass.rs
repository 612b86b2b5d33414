//! What a passing control rests on: every `expect` that held, and the evidence records it
//! read, collected as the control runs (one collector per control, bounded like a finding's
//! citations) and reported only when the control passes.
//!
//! Once an expectation fails the control cannot pass, so collecting stops. `vouch explain`
//! also lists, under each `expect` that held, what that step read, collected with an index of
//! its own so it does not disturb the control's collector.

use vouch_lang::ast::ExpectStmt;

use super::Runner;
use crate::eval::cite::{CitationIndex, Cited};
use crate::eval::interp::EvalError;
use crate::eval::trace::TraceLine;
use crate::eval::value::Value;
use crate::report::{PassCheck, PassEvidence, PassRecord};

/// The control's collector.
#[derive(Default)]
pub(super) struct PassCollector {
    /// Citations of the records read by the expectations examined (lazily started).
    cited: Option<Cited>,
    /// Each expectation examined, by address, with how often it held.
    checks: Vec<(usize, PassCheck)>,
    /// Each loop that ran for no element and passed (`when empty: pass`): why, and where
    /// the loop is (`SOURCE:LINE`), in the order first met, each once; those at the control's
    /// top level only, except the first of all (a control that evaluated no `expect` says
    /// why with it).
    empty: Vec<(String, String)>,
    /// Why the first loop that ran for no element passed, wherever it is.
    first_empty: Option<String>,
    /// `vouch explain`'s index for what each step read.
    steps: Option<CitationIndex>,
}

impl PassCollector {
    /// Whether [`Self::empty_pass`] would keep anything of an empty loop (`top`: at the
    /// control's top level), so its text need not be made otherwise.
    pub(super) fn keeps_empty(&self, top: bool) -> bool {
        top || self.first_empty.is_none()
    }

    /// Notes a loop at `place` that ran for no element with `when empty: pass`, and why;
    /// `top` when it is at the control's top level (not nested in a loop).
    pub(super) fn empty_pass(&mut self, why: String, place: String, top: bool) {
        if self.first_empty.is_none() {
            self.first_empty = Some(why.clone());
        }
        if top && !self.empty.iter().any(|(w, p)| *w == why && *p == place) {
            self.empty.push((why, place));
        }
    }
}

impl<'a> Runner<'a> {
    /// Whether the control can still pass, so what its expectations read is collected.
    fn collecting(&self) -> bool {
        self.failed.is_empty() && self.findings.is_empty() && self.pass.is_some()
    }

    /// Examines `e`'s condition; while the control can still pass, citing what it reads (and
    /// the records bound in scope) in the control's collector.
    pub(super) fn held_collecting(&mut self, e: &'a ExpectStmt) -> Result<Option<bool>, EvalError> {
        if !self.collecting() {
            return self.interp.condition(&e.cond);
        }
        let Some(mut pass) = self.pass.take() else {
            return self.interp.condition(&e.cond);
        };
        let at = super::expect::address(e);
        let check = match pass.checks.iter().position(|(a, _)| *a == at) {
            Some(i) => i,
            None => {
                pass.checks.push((
                    at,
                    PassCheck {
                        expect: self.place(e.span),
                        condition: vouch_lang::one_line(self.interp.text(e.cond.span)).into_owned(),
                        held: 0,
                    },
                ));
                pass.checks.len() - 1
            }
        };
        let mut cited = pass
            .cited
            .take()
            .unwrap_or_else(|| Cited::start(&mut self.interp.citations).keeping_records());
        cited.tag(u32::try_from(check).unwrap_or(u32::MAX));
        self.interp.cite = Some(cited);
        let held = self.interp.condition(&e.cond);
        let mut cited = self
            .interp
            .cite
            .take()
            .unwrap_or_else(|| Cited::start(&mut self.interp.citations).keeping_records());
        if matches!(held, Ok(Some(true))) {
            for (_, v) in &self.interp.scope {
                if let Value::Record(r) = v.value() {
                    cited.record(r, &mut self.interp.citations);
                }
            }
            if let Some((_, c)) = pass.checks.get_mut(check) {
                c.held += 1;
            }
        }
        pass.cited = Some(cited);
        self.pass = Some(pass);
        held
    }

    /// For `vouch explain`: the lines saying what an `expect` that held read (the first
    /// [`crate::report::MAX_PASS_EVIDENCE`], and how many more).
    pub(super) fn step_reads(&mut self, e: &'a ExpectStmt) -> Vec<TraceLine> {
        let Some(pass) = self.pass.as_mut() else {
            return Vec::new();
        };
        let mut steps = pass
            .steps
            .take()
            .unwrap_or_else(|| self.interp.citations.fresh());
        std::mem::swap(&mut self.interp.citations, &mut steps);
        let saved = self.interp.cite.take();
        self.interp.cite = Some(Cited::start(&mut self.interp.citations));
        let _ = self.interp.condition(&e.cond);
        let mut cited = self
            .interp
            .cite
            .take()
            .unwrap_or_else(|| Cited::start(&mut self.interp.citations));
        for (_, v) in &self.interp.scope {
            if let Value::Record(r) = v.value() {
                cited.record(r, &mut self.interp.citations);
            }
        }
        let (read, omitted) = cited.finish(&self.interp.citations);
        std::mem::swap(&mut self.interp.citations, &mut steps);
        self.interp.cite = saved;
        if let Some(pass) = self.pass.as_mut() {
            pass.steps = Some(steps);
        }
        let depth = self.depth + 1;
        let mut lines: Vec<TraceLine> = read
            .iter()
            .map(|r| {
                TraceLine::text(
                    depth,
                    format!(
                        "read {}{} sha256 {}",
                        r.path,
                        r.location
                            .as_deref()
                            .map(|l| format!(" ({l})"))
                            .unwrap_or_default(),
                        r.sha256
                    ),
                )
            })
            .collect();
        if read.is_empty() {
            lines.push(TraceLine::text(depth, "read no evidence record".to_owned()));
        }
        if omitted > 0 {
            lines.push(TraceLine::text(
                depth,
                format!("and {omitted} more record(s) read"),
            ));
        }
        lines
    }

    /// What the control rests on, for a control that passed.
    pub(super) fn pass_evidence(&mut self) -> Option<PassEvidence> {
        let pass = self.pass.take()?;
        let all: Vec<PassCheck> = pass.checks.into_iter().map(|(_, c)| c).collect();
        let (read, omitted) = match pass.cited {
            Some(c) => c.finish_tagged(&self.interp.citations),
            None => (Vec::new(), 0),
        };
        let evidence: Vec<PassRecord> = read
            .into_iter()
            .map(|(at, tag, record)| {
                let expect = usize::try_from(tag)
                    .ok()
                    .and_then(|t| all.get(t))
                    .map(|c| c.expect.clone())
                    .unwrap_or_default();
                let (kind, checked) = match record {
                    Some(r) => (r.kind.to_owned(), super::describe::describe(&r)),
                    None => (
                        String::new(),
                        "the record read here was not kept".to_owned(),
                    ),
                };
                PassRecord {
                    at,
                    kind,
                    checked,
                    expect,
                }
            })
            .collect();
        let checks: Vec<PassCheck> = all.into_iter().filter(|c| c.held > 0).collect();
        // Each loop that checked nothing, and where it is.
        let loops = pass
            .empty
            .iter()
            .map(|(why, place)| match why.strip_suffix(')') {
                Some(open) => format!("{open}, {place}): nothing in that loop was checked"),
                None => format!("{why} ({place}): nothing in that loop was checked"),
            })
            .collect::<Vec<_>>()
            .join("; ");
        let vacuous = if checks.is_empty() {
            Some(match &pass.first_empty {
                Some(why) => format!("no expectation was evaluated: {why}"),
                None => "no expectation was evaluated".to_owned(),
            })
        } else if evidence.is_empty() {
            let held = format!(
                "its expectations held without reading any evidence record ({})",
                checks
                    .iter()
                    .map(|c| format!("`{}`", c.condition))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            Some(if loops.is_empty() {
                held
            } else {
                format!("{held}; {loops}")
            })
        } else if !loops.is_empty() {
            // Expectations read evidence, but a loop beside them checked nothing: the pass
            // is partly vacuous, and which loop must not be lost.
            Some(format!("partly vacuous: {loops}"))
        } else {
            None
        };
        Some(PassEvidence {
            checks,
            evidence,
            evidence_omitted: omitted,
            vacuous,
        })
    }
}
