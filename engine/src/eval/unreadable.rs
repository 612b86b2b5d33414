//! The engine's guarantee about unreadable evidence: a control that reads what an unreadable
//! file would have fed fails, with a finding that names the file and its parse error, in any
//! policy, whether or not it mentions `unreadable`.
//!
//! What a control reads is found from its statements: every evidence root it names and
//! every field it reads (by name, on any record). A feed of a whole root counts when the
//! control names the root; a feed of a field (`release.artifacts.signatures`) when it names
//! the root and reads a field of that name. This errs on the side of failing: a control that
//! reads `sboms` anywhere under `release` fails on an unreadable SBOM. Nothing here touches
//! the file system: the unreadable files come with the evidence values.

use std::collections::BTreeSet;

use vouch_lang::ast::{Expr, ExprKind, Stmt, TableEntry, Template, TemplatePart};

use super::cap::name_and_waive;
use super::control::ControlRun;
use super::waive::Waivers;
use crate::evidence::unreadable::UnreadableFact;
use crate::report::{Finding, Status};

/// The evidence roots and fields one control reads.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Reads<'a> {
    /// Names that are roots of the schema (or shadow one: counted all the same).
    pub roots: BTreeSet<&'a str>,
    /// Field names read with `.field`.
    pub fields: BTreeSet<&'a str>,
}

impl<'a> Reads<'a> {
    /// What the statements of a control read. A `manual` statement reads the attestations.
    pub fn of(body: &'a [Stmt]) -> Reads<'a> {
        let mut reads = Reads::default();
        reads.stmts(body);
        reads
    }

    fn stmts(&mut self, body: &'a [Stmt]) {
        for stmt in body {
            match stmt {
                Stmt::For(f) => {
                    self.expr(&f.iter);
                    if let Some(filter) = &f.filter {
                        self.expr(filter);
                    }
                    self.stmts(&f.body);
                }
                Stmt::Let(l) => self.expr(&l.value),
                Stmt::Expect(e) => {
                    self.expr(&e.cond);
                    if let Some(message) = &e.message {
                        self.template(message);
                    }
                }
                Stmt::Manual(m) => {
                    self.roots.insert("attestations");
                    if let Some(within) = &m.within {
                        self.expr(within);
                    }
                }
            }
        }
    }

    fn template(&mut self, template: &'a Template) {
        for part in &template.parts {
            if let TemplatePart::Expr(e) = part {
                self.expr(e);
            }
        }
    }

    fn expr(&mut self, e: &'a Expr) {
        match &e.kind {
            ExprKind::Name(name) => {
                if vouch_lang::schema::root_type(&name.name).is_some() {
                    self.roots.insert(name.name.as_str());
                }
            }
            ExprKind::Member { base, field } => {
                self.fields.insert(field.name.as_str());
                self.expr(base);
            }
            ExprKind::Index { base, index } => {
                self.expr(base);
                self.expr(index);
            }
            ExprKind::Call { args, .. } | ExprKind::List(args) => {
                args.iter().for_each(|a| self.expr(a));
            }
            ExprKind::Table(entries) => {
                entries
                    .iter()
                    .for_each(|TableEntry { value, .. }| self.expr(value));
            }
            ExprKind::Unary { operand, .. } | ExprKind::Paren(operand) => self.expr(operand),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::Quantifier(q) => {
                self.expr(&q.iter);
                if let Some(filter) = &q.filter {
                    self.expr(filter);
                }
                if let Some(body) = &q.body {
                    self.expr(body);
                }
            }
            ExprKind::Str(template) => self.template(template),
            ExprKind::Bool(_)
            | ExprKind::Int(_)
            | ExprKind::Number(_)
            | ExprKind::Duration(_)
            | ExprKind::Date(_)
            | ExprKind::DateTime(_)
            | ExprKind::None => {}
        }
    }

    /// Whether the control reads something `fact`'s file would have fed.
    pub fn affected_by(&self, fact: &UnreadableFact) -> bool {
        fact.feeds.iter().any(|feed| {
            self.roots.contains(feed.root) && feed.field.is_none_or(|f| self.fields.contains(f))
        })
    }
}

/// Adds a finding to `run` for every unreadable file whose data the control reads; a control
/// that would otherwise pass, not apply or wait for an attestation then fails. An `error`
/// stays an error, with the findings. `place` is the control's `SOURCE:LINE`; at most `limit`
/// findings are listed, the others counted.
///
/// Each finding says evidence is unreadable (`missing_evidence`), its subject is the file, and
/// it is matched against the waivers of `control` like any other: only a waiver that names
/// it, and that the authority permits to waive missing evidence, covers it.
pub(crate) fn apply(
    run: &mut ControlRun,
    reads: &Reads<'_>,
    facts: &[UnreadableFact],
    limit: usize,
    place: &str,
    control: &str,
    waivers: &Waivers<'_>,
) {
    let mut added = false;
    for fact in facts.iter().filter(|f| reads.affected_by(f)) {
        added = true;
        let evidence = fact.citation.to_ref();
        let mut finding = Finding {
            message: fact.message.clone(),
            subject: Some(evidence.path.clone()),
            evidence: vec![evidence],
            evidence_omitted: 0,
            values: crate::report::FindingValues::new(),
            expect: place.to_owned(),
            fingerprint: String::new(),
            missing_evidence: true,
            waived_by: None,
        };
        name_and_waive(control, waivers, &mut finding);
        if run.findings.len() >= limit {
            run.omitted.count += 1;
            if finding.waived_by.is_none() {
                run.omitted.unwaived += 1;
            }
            continue;
        }
        run.findings.push(finding);
    }
    if !added {
        return;
    }
    match run.status {
        Some(Status::Error) | Some(Status::Fail) => {}
        _ => {
            run.status = Some(Status::Fail);
            run.reason = None;
        }
    }
}
