//! Which waivers may apply in this evaluation, and which findings each covers.
//!
//! Before any control runs, every waiver is judged once: its file must be approved (signed by
//! a trusted key, [`crate::waivers::approval`]), the `approver` it states must be the signer,
//! it must last no longer than the policy's `waiver_max_lifetime` (12 months when the policy
//! declares none), be in force at `as_of`, and the authority must permit its approver to
//! waive findings of its control. A waiver that passes covers the findings of its control it
//! names (by fingerprint or exact subject); a finding that says evidence is missing or
//! unreadable only when the authority also permits waiving missing evidence.

use std::cmp::Ordering;
use std::sync::Mutex;

use jiff::Timestamp;
use vouch_lang::CheckedPolicy;
use vouch_lang::ast::Item;

use super::duration::Duration;
use super::params::ModuleParams;
use super::trace::TraceLine;
use super::value::{Value, date_instant, utc_date};
use crate::authority::{Action, Authority, ControlFacts, Decision, Request};
use crate::report::{AuthorityDecision, WaiverFileResult, WaiverResult, WaiverSignatureResult};
use crate::waivers::{Approval, Waiver, WaiverFile, WaiverState};

/// The param that bounds a waiver's lifetime.
pub const MAX_LIFETIME_PARAM: &str = vouch_lang::WAIVER_MAX_LIFETIME_PARAM;

/// The lifetime limit when the policy declares no [`MAX_LIFETIME_PARAM`].
pub const DEFAULT_MAX_LIFETIME: Duration = Duration::calendar(0, 12);

/// One waiver, judged.
#[derive(Debug)]
struct Entry<'a> {
    waiver: &'a Waiver,
    file: &'a Approval,
    /// `Ok` when it may cover findings; else its state and why.
    usable: Result<(), (WaiverState, Option<String>)>,
    decision: Option<Decision>,
    missing_decision: Option<Decision>,
}

/// What a waiver did to the findings it named.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Tally {
    /// Findings it waived.
    pub matched: usize,
    /// Missing-evidence findings among them.
    pub missing: usize,
    /// Missing-evidence findings it named but may not waive.
    pub denied: usize,
}

/// Whether a finding is waived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cover {
    /// By the waiver at this index.
    Waived(usize),
    /// Named by the waiver at this index, which may not waive missing evidence.
    Denied(usize),
    /// By none.
    None,
}

/// The waivers of an evaluation, judged, with what each did so far.
#[derive(Debug)]
pub(crate) struct Waivers<'a> {
    entries: Vec<Entry<'a>>,
    tallies: Mutex<Vec<Tally>>,
}

impl<'a> Waivers<'a> {
    /// Judges every waiver of `files` for `policy` at `as_of`.
    pub fn judge(
        files: &'a [WaiverFile],
        policy: &CheckedPolicy,
        params: &[ModuleParams],
        authority: &dyn Authority,
        as_of: Timestamp,
    ) -> Self {
        let max = max_lifetime(params, policy);
        let day = utc_date(as_of);
        let mut entries = Vec::new();
        for file in files {
            for waiver in &file.waivers {
                let mut entry = Entry {
                    waiver,
                    file: &file.approval,
                    usable: Ok(()),
                    decision: None,
                    missing_decision: None,
                };
                entry.usable = usable(&mut entry, policy, authority, &max, day);
                entries.push(entry);
            }
        }
        let n = entries.len();
        Waivers {
            entries,
            tallies: Mutex::new(vec![Tally::default(); n]),
        }
    }

    /// Which waiver covers a finding of `control` with this fingerprint and subject, and
    /// whether it says evidence is missing; counted in the waiver's tally.
    pub fn cover(
        &self,
        control: &str,
        fingerprint: &str,
        subject: Option<&str>,
        missing_evidence: bool,
    ) -> Cover {
        if self.entries.is_empty() {
            return Cover::None;
        }
        let mut denied = None;
        let mut cover = Cover::None;
        for (i, e) in self.entries.iter().enumerate() {
            if e.usable.is_err() || !e.waiver.names(control, fingerprint, subject) {
                continue;
            }
            let allowed =
                !missing_evidence || e.missing_decision.as_ref().is_some_and(|d| d.allowed);
            if allowed {
                cover = Cover::Waived(i);
                break;
            }
            denied.get_or_insert(i);
        }
        if cover == Cover::None
            && let Some(i) = denied
        {
            cover = Cover::Denied(i);
        }
        if cover == Cover::None {
            return cover;
        }
        if let Ok(mut tallies) = self.tallies.lock() {
            match cover {
                Cover::Waived(i) => {
                    if let Some(t) = tallies.get_mut(i) {
                        t.matched += 1;
                        t.missing += usize::from(missing_evidence);
                    }
                }
                Cover::Denied(i) => {
                    if let Some(t) = tallies.get_mut(i) {
                        t.denied += 1;
                    }
                }
                Cover::None => {}
            }
        }
        cover
    }

    /// The id of the waiver at `i`.
    pub fn id(&self, i: usize) -> Option<&str> {
        self.entries.get(i).map(|e| e.waiver.id.as_str())
    }

    /// Every waiver as the report lists it, sorted by control then id.
    pub fn results(&self) -> Vec<WaiverResult> {
        let tallies = self.tallies.lock().map(|t| t.clone()).unwrap_or_default();
        let mut out: Vec<WaiverResult> = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| result(e, tallies.get(i).copied().unwrap_or_default()))
            .collect();
        out.sort_by(|a, b| (&a.control, &a.id).cmp(&(&b.control, &b.id)));
        out
    }
}

/// Every waivers file as the report lists it, sorted by path.
pub(crate) fn file_results(files: &[WaiverFile]) -> Vec<WaiverFileResult> {
    let mut out: Vec<WaiverFileResult> = files
        .iter()
        .map(|f| {
            let a = &f.approval;
            WaiverFileResult {
                path: crate::report::input_name(&a.file),
                sha256: a.sha256.clone(),
                approved: a.approver.is_some(),
                key_id: a.approver.as_ref().map(|p| p.key_id.clone()),
                signer: a.approver.as_ref().and_then(|p| p.signer.clone()),
                reason: a.refused.clone(),
                undated: a.approver.as_ref().is_some_and(|p| !p.dated),
                signatures: a
                    .signatures
                    .iter()
                    .map(|c| WaiverSignatureResult {
                        path: crate::report::input_name(&c.path),
                        format: c.format.as_str().to_owned(),
                        outcome: c.verification.outcome.as_str().to_owned(),
                        key_id: c.verification.key_id.clone(),
                        signer: c.verification.signer.clone(),
                        signed_at: c.verification.signed_at.map(|t| t.to_string()),
                        reason: c.verification.reason.clone(),
                    })
                    .collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// The shortest `waiver_max_lifetime` any module of the policy declares (a duration), else
/// [`DEFAULT_MAX_LIFETIME`]. Fails closed: a value that is not a duration (the checker
/// rejects one, so this is a defence in depth) or a module whose params could not be computed
/// makes every waiver invalid, with this error as the reason, never a silent default.
fn max_lifetime(params: &[ModuleParams], policy: &CheckedPolicy) -> Result<Duration, String> {
    let mut shortest: Option<Duration> = None;
    for (i, m) in params.iter().enumerate() {
        let module = || {
            policy
                .modules
                .get(i)
                .map_or_else(|| format!("module {i}"), |m| m.source.name().to_owned())
        };
        let value = match m.values.get(MAX_LIFETIME_PARAM) {
            None if m.failed.is_some() && declares_max_lifetime(policy, i) => {
                return Err(format!(
                    "param `{MAX_LIFETIME_PARAM}` of {} could not be computed: {}",
                    module(),
                    m.failed.as_deref().unwrap_or_default()
                ));
            }
            None => continue,
            Some(Value::Duration(d)) => **d,
            Some(other) => {
                return Err(format!(
                    "param `{MAX_LIFETIME_PARAM}` of {} is `{}`, not a duration",
                    module(),
                    other.type_name()
                ));
            }
        };
        shortest = Some(match shortest {
            Some(s) if s.compare(value) != Some(Ordering::Greater) => s,
            _ => value,
        });
    }
    Ok(shortest.unwrap_or(DEFAULT_MAX_LIFETIME))
}

/// Whether module `i` of the policy declares the lifetime param.
fn declares_max_lifetime(policy: &CheckedPolicy, i: usize) -> bool {
    policy.modules.get(i).is_some_and(|m| {
        m.ast
            .items
            .iter()
            .any(|item| matches!(item, Item::Param(p) if p.name.name == MAX_LIFETIME_PARAM))
    })
}

/// Whether a waiver may cover findings; asks the authority when it gets that far.
fn usable(
    entry: &mut Entry<'_>,
    policy: &CheckedPolicy,
    authority: &dyn Authority,
    max: &Result<Duration, String>,
    day: jiff::civil::Date,
) -> Result<(), (WaiverState, Option<String>)> {
    let w = entry.waiver;
    let Some(approver) = &entry.file.approver else {
        let why = entry.file.refused.clone().unwrap_or_default();
        return Err((
            WaiverState::Refused,
            Some(format!("waivers file `{}` refused: {why}", entry.file.file)),
        ));
    };
    if w.approver_matches(approver) == Some(false) {
        return Err((
            WaiverState::Invalid,
            Some(format!(
                "it names approver `{}`, but its file is signed by {} (key {}); the signer is \
                 the approver",
                w.approver.as_deref().unwrap_or_default(),
                approver.signer.as_deref().unwrap_or("an unnamed signer"),
                approver.key_id
            )),
        ));
    }
    let max = match max {
        Ok(max) => *max,
        Err(why) => {
            return Err((
                WaiverState::Invalid,
                Some(format!(
                    "the maximum lifetime of a waiver is unknown: {why}"
                )),
            ));
        }
    };
    let lifetime = match (date_instant(w.effective), date_instant(w.expires)) {
        (Some(a), Some(b)) => Some(Duration::between(a, b)),
        _ => None,
    };
    if !matches!(
        lifetime.and_then(|l| l.compare(max)),
        Some(Ordering::Less | Ordering::Equal)
    ) {
        return Err((
            WaiverState::Invalid,
            Some(format!(
                "it runs from {} to {}, longer than the maximum lifetime of {max} \
                 (param `{MAX_LIFETIME_PARAM}`)",
                w.effective, w.expires
            )),
        ));
    }
    if let Err(state) = w.in_force(day) {
        return Err((state, None));
    }
    let Some(control) = policy.controls.iter().find(|c| c.id == w.control) else {
        return Err((
            WaiverState::Unused,
            Some(format!("the policy has no control `{}`", w.control)),
        ));
    };
    let facts = ControlFacts {
        id: &control.id,
        severity: control.severity.as_str(),
        provisions: &control.provisions,
        tags: &control.tags,
    };
    let request = |missing_evidence| Request {
        key_id: &approver.key_id,
        action: Action::Waive,
        control: Some(facts),
        missing_evidence,
        dated: approver.dated,
    };
    let decision = authority.decide(&request(false));
    let allowed = decision.allowed;
    let reason = decision.reason.clone();
    entry.decision = Some(decision);
    if !allowed {
        return Err((
            WaiverState::NotPermitted,
            Some(format!(
                "the authority does not permit key {} to waive `{}`: {reason}",
                approver.key_id, w.control
            )),
        ));
    }
    entry.missing_decision = Some(authority.decide(&request(true)));
    Ok(())
}

fn decision(d: &Decision) -> AuthorityDecision {
    AuthorityDecision {
        action: "waive".to_owned(),
        kind: None,
        allowed: d.allowed,
        policies: d.policies.clone(),
        reason: d.reason.clone(),
    }
}

fn result(e: &Entry<'_>, tally: Tally) -> WaiverResult {
    let w = e.waiver;
    let approver = e.file.approver.as_ref();
    let (state, mut reason) = match &e.usable {
        Err((state, reason)) => (*state, reason.clone()),
        Ok(()) if tally.matched > 0 => (WaiverState::Applied, None),
        Ok(()) if tally.denied > 0 => (WaiverState::NotPermitted, None),
        Ok(()) => (WaiverState::Unused, None),
    };
    let missing_decision = e
        .missing_decision
        .as_ref()
        .filter(|_| tally.denied > 0 || tally.missing > 0);
    if tally.denied > 0 {
        let why = missing_decision
            .map(|d| d.reason.as_str())
            .unwrap_or_default();
        reason = Some(format!(
            "{} finding(s) it names say evidence is missing or unreadable, and may not be \
             waived: {why}",
            tally.denied
        ));
    }
    WaiverResult {
        id: w.id.clone(),
        control: w.control.clone(),
        file: crate::report::input_name(&e.file.file),
        findings: w.findings.clone(),
        subject: w.subject.clone(),
        justification: w.justification.clone(),
        approver: approver
            .map(|a| a.signer.clone().unwrap_or_else(|| a.key_id.clone()))
            .unwrap_or_default(),
        approver_key_id: approver.map(|a| a.key_id.clone()),
        claimed_approver: w.approver.clone(),
        effective: w.effective.to_string(),
        expires: w.expires.to_string(),
        risk: w.risk.clone(),
        state: state.as_str().to_owned(),
        reason,
        decision: e.decision.as_ref().map(decision),
        missing_evidence_decision: missing_decision.map(decision),
        matched: tally.matched,
        denied: tally.denied,
    }
}

/// How `vouch explain` shows a waiver of the control: its state and why, and each decision
/// the authority made on it.
pub(super) fn explain(w: &WaiverResult) -> Vec<TraceLine> {
    let approver = match &w.approver_key_id {
        Some(key) => format!("{} (key {key})", w.approver),
        None => w.approver.clone(),
    };
    let mut lines = vec![TraceLine::text(
        0,
        format!(
            "waiver {} ({}): {}, {} finding(s) matched, approved by {approver}{}",
            w.id,
            w.file,
            w.state,
            w.matched,
            w.reason
                .as_ref()
                .map_or_else(String::new, |r| format!(": {r}"))
        ),
    )];
    for (what, d) in [
        ("waive", &w.decision),
        ("waive missing evidence", &w.missing_evidence_decision),
    ] {
        if let Some(d) = d {
            lines.push(TraceLine::text(
                1,
                format!(
                    "{what}: {}",
                    super::control::attest::decision_text(d.allowed, &d.reason, &d.policies)
                ),
            ));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(param: &str) -> CheckedPolicy {
        let framework = vouch_lang::Framework::from_toml(&vouch_lang::Source::new(
            "uk-sscop.toml",
            include_str!("../../../stdlib-policies/frameworks/uk-sscop.toml"),
        ))
        .unwrap();
        let mut frameworks = vouch_lang::Frameworks::new();
        frameworks.insert(framework);
        let text = format!(
            "policy \"t\" {{\n  title = \"T\"\n  framework = \"uk-sscop\"\n}}\n{param}\n\
             control \"C\" {{\n  title = \"t\"\n  provision = [\"3.1\"]\n  severity = low\n  \
             expect len(release.artifacts) > 0\n}}\n"
        );
        vouch_lang::check_with(
            vouch_lang::Source::new("t.vouch", text),
            &vouch_lang::NoImports,
            &frameworks,
            &vouch_lang::LintLevels::default(),
        )
        .policy
        .unwrap()
    }

    fn params(value: Option<Value>, failed: Option<&str>) -> Vec<ModuleParams> {
        vec![ModuleParams {
            values: value
                .map(|v| (MAX_LIFETIME_PARAM.to_owned(), v))
                .into_iter()
                .collect(),
            failed: failed.map(str::to_owned),
        }]
    }

    #[test]
    fn the_lifetime_limit_fails_closed() {
        let declared = policy("param waiver_max_lifetime: duration = 6 months\n");
        let six = Duration::calendar(0, 6);
        let ok = max_lifetime(&params(Some(Value::duration(six)), None), &declared);
        assert_eq!(ok.map(|d| d.to_string()), Ok(six.to_string()));
        // Not a duration: an error, never the default.
        let why = max_lifetime(&params(Some(Value::Int(5)), None), &declared).unwrap_err();
        assert!(why.contains("is `int`, not a duration"), "{why}");
        // Declared, but its value could not be computed: an error too.
        let why = max_lifetime(&params(None, Some("over budget")), &declared).unwrap_err();
        assert!(why.contains("could not be computed: over budget"), "{why}");
        // Not declared at all: the documented default.
        let plain = policy("");
        assert_eq!(
            max_lifetime(&params(None, None), &plain).map(|d| d.to_string()),
            Ok(DEFAULT_MAX_LIFETIME.to_string())
        );
    }
}
