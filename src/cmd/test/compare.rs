//! Comparing a report with a test's expectations.

use std::collections::BTreeMap;

use vouch_engine::report::Report;

use super::spec::TestSpec;

/// One expectation of a test and whether it held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// What was checked: a control id, `exit_code`, or `waiver_states`.
    pub name: String,
    /// Why it did not hold (`None`: it held).
    pub failure: Option<String>,
    /// The control's findings (messages), to show with a failure.
    pub findings: Vec<String>,
    /// The control's reason, to show with a failure.
    pub reason: Option<String>,
}

/// Every expectation of `spec` against `report`: the exit code (when stated), each control
/// (in id order), the waiver states (when stated).
pub fn compare(spec: &TestSpec, report: &Report) -> Vec<Outcome> {
    let mut out = Vec::new();
    if let Some(want) = spec.exit_code {
        let got = crate::cmd::evaluate::default_exit_code(report);
        out.push(Outcome {
            name: "exit_code".to_owned(),
            failure: (got != want).then(|| format!("expected exit code {want}, got {got}")),
            findings: Vec::new(),
            reason: None,
        });
    }
    for (id, want) in &spec.controls {
        let Some(control) = report.controls.iter().find(|c| &c.id == id) else {
            out.push(Outcome {
                name: id.clone(),
                failure: Some("the report has no such control".to_owned()),
                findings: Vec::new(),
                reason: None,
            });
            continue;
        };
        let findings: Vec<String> = control.findings.iter().map(|f| f.message.clone()).collect();
        let got = control.status.as_str();
        let mut problems = Vec::new();
        if got != want.status {
            problems.push(format!("expected {}, got {got}", want.status));
        }
        if let Some(text) = &want.finding {
            if findings.is_empty() {
                problems.push(format!("expected a finding saying {text:?}, got none"));
            } else if let Some(other) = findings.iter().find(|m| !m.contains(text.as_str())) {
                problems.push(format!(
                    "expected every finding to say {text:?}; {other:?} does not"
                ));
            }
        }
        if let Some(text) = &want.reason {
            let reason = control.reason.as_deref().unwrap_or_default();
            if !reason.contains(text.as_str()) {
                problems.push(format!("expected the reason to say {text:?}"));
            }
        }
        if let Some(waiver) = &want.waiver {
            if control.findings.is_empty() {
                problems.push(format!("expected findings waived by `{waiver}`, got none"));
            }
            if control
                .findings
                .iter()
                .any(|f| f.waived_by.as_deref() != Some(waiver.as_str()))
            {
                problems.push(format!("expected every finding waived by `{waiver}`"));
            }
        }
        out.push(Outcome {
            name: id.clone(),
            failure: (!problems.is_empty()).then(|| problems.join("; ")),
            findings,
            reason: control.reason.clone(),
        });
    }
    if let Some(want) = &spec.waiver_states {
        let got: BTreeMap<String, String> = report
            .waivers
            .iter()
            .map(|w| (w.id.clone(), w.state.clone()))
            .collect();
        let mut problems = Vec::new();
        for (id, state) in want {
            match got.get(id) {
                Some(s) if s == state => {}
                Some(s) => problems.push(format!("waiver `{id}`: expected {state}, got {s}")),
                None => problems.push(format!(
                    "waiver `{id}`: expected {state}, not in the report"
                )),
            }
        }
        for (id, s) in &got {
            if !want.contains_key(id) {
                problems.push(format!(
                    "waiver `{id}` is {s}, and the test does not expect it"
                ));
            }
        }
        out.push(Outcome {
            name: "waiver_states".to_owned(),
            failure: (!problems.is_empty()).then(|| problems.join("; ")),
            findings: Vec::new(),
            reason: None,
        });
    }
    out
}
