//! Waivers and the authority: each waiver is asked for (`decide(Action::Waive)` for its
//! approver's key and its control), a denied one waives nothing and says why, the decision and
//! its determining policies are in the report, and a finding that says evidence is missing is
//! waived only when the authority also permits waiving missing evidence.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use crate::common;

use std::sync::{Arc, Mutex};

use common::*;
use vouch_engine::authority::{Action, Authority, Decision, Request};
use vouch_engine::report::{Report, Status};
use vouch_engine::waivers::{Approval, Approver, WaiverFile, parse_waivers};

const KEY: &str = "C025C99C77B7650CC792B404F7AA08F7CED3225A";

/// A test authority: allows `waive` for the controls it lists (and missing evidence only when
/// told to), records every request.
#[derive(Debug, Default)]
struct Listed {
    controls: Vec<&'static str>,
    missing_evidence: bool,
    asked: Mutex<Vec<(String, String, String, bool)>>,
}

impl Authority for Listed {
    fn decide(&self, r: &Request<'_>) -> Decision {
        let control = r.control.map(|c| c.id.to_owned()).unwrap_or_default();
        self.asked.lock().unwrap().push((
            r.key_id.to_owned(),
            r.action.name().to_owned(),
            control.clone(),
            r.missing_evidence,
        ));
        let allowed = r.action == Action::Waive
            && self.controls.contains(&control.as_str())
            && (!r.missing_evidence || self.missing_evidence);
        Decision {
            allowed,
            policies: vec![if allowed { "policy0" } else { "policy1" }.to_owned()],
            reason: format!("listed: {allowed}"),
        }
    }
}

fn evaluate(
    body: &str,
    files: &[(&str, &[u8])],
    waivers: &str,
    authority: Arc<dyn Authority>,
) -> Report {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        write(dir.path(), path, content);
    }
    let graph = ingest(dir.path());
    let text = format!(
        "policy \"t\" {{ title = \"T\" framework = \"uk-sscop\" }}\n\
         control \"T\" {{\n  title = \"t\"\n  provision = [\"3.1\"]\n  severity = high\n{body}\n}}\n"
    );
    let out = vouch_lang::check_with(
        vouch_lang::Source::new("t.vouch", text),
        &vouch_lang::NoImports,
        &frameworks(),
        &vouch_lang::LintLevels::default(),
    );
    let policy = out.policy.unwrap();
    let mut options = vouch_engine::EvaluationOptions::at("2026-10-01T00:00:00Z".parse().unwrap());
    options.authority = authority;
    options.waivers = vec![WaiverFile {
        approval: Approval {
            file: "w.toml".to_owned(),
            sha256: String::new(),
            signatures: Vec::new(),
            approver: Some(Approver {
                key_id: KEY.to_owned(),
                signer: Some("Priya Shah <priya.shah@acme.example>".to_owned()),
                dated: true,
            }),
            refused: None,
        },
        waivers: parse_waivers("w.toml", waivers).unwrap().0,
    }];
    vouch_engine::evaluate(&policy, &graph, &options)
}

const SMALL: &str = "  for f in files {\n    expect f.size > 100 else \"{f.path} is small\"\n  }";

fn subject_waiver(subject: &str) -> String {
    format!(
        "[[waiver]]\nid = \"W-1\"\ncontrol = \"T\"\nsubject = \"{subject}\"\n\
         justification = \"j\"\neffective = 2026-09-01\nexpires = 2026-12-31\n"
    )
}

#[test]
fn a_waiver_the_authority_denies_waives_nothing_and_says_why() {
    let deny = Arc::new(Listed::default());
    let report = evaluate(
        SMALL,
        &[("a.txt", b"x\n")],
        &subject_waiver("a.txt"),
        deny.clone(),
    );
    assert_eq!(report.controls[0].status, Status::Fail);
    assert_eq!(report.controls[0].findings[0].waived_by, None);
    let w = &report.waivers[0];
    assert_eq!(w.state, "not_permitted");
    let d = w.decision.as_ref().unwrap();
    assert!(!d.allowed);
    assert_eq!(d.policies, ["policy1"]);
    assert!(w.reason.as_deref().unwrap().contains(KEY), "{w:?}");
    assert_eq!(
        deny.asked.lock().unwrap().as_slice(),
        [(KEY.to_owned(), "waive".to_owned(), "T".to_owned(), false)]
    );

    let allow = Arc::new(Listed {
        controls: vec!["T"],
        ..Listed::default()
    });
    let report = evaluate(SMALL, &[("a.txt", b"x\n")], &subject_waiver("a.txt"), allow);
    assert_eq!(report.controls[0].status, Status::Waived);
    let w = &report.waivers[0];
    assert_eq!(w.state, "applied");
    assert_eq!(w.decision.as_ref().unwrap().policies, ["policy0"]);
}

#[test]
fn missing_evidence_is_waived_only_where_the_authority_permits_it() {
    let body = "  for a in release.artifacts {\n    expect a.size > 0\n  }";
    // The fingerprint of the "no evidence" finding, from a run without waivers.
    let open = Arc::new(Listed::default());
    let report = evaluate(body, &[("x.txt", b"x\n")], "", open);
    let finding = &report.controls[0].findings[0];
    assert!(finding.missing_evidence, "{finding:?}");
    assert!(finding.message.starts_with("no evidence of"), "{finding:?}");
    let waiver = format!(
        "[[waiver]]\nid = \"W-1\"\ncontrol = \"T\"\nfindings = [\"{}\"]\n\
         justification = \"j\"\neffective = 2026-09-01\nexpires = 2026-12-31\n",
        finding.fingerprint
    );
    let files: &[(&str, &[u8])] = &[("x.txt", b"x\n")];
    // Waiving is permitted, missing evidence is not: the finding stays failing.
    let some = Arc::new(Listed {
        controls: vec!["T"],
        ..Listed::default()
    });
    let report = evaluate(body, files, &waiver, some);
    assert_eq!(report.controls[0].status, Status::Fail);
    let w = &report.waivers[0];
    assert_eq!(
        (w.state.as_str(), w.matched, w.denied),
        ("not_permitted", 0, 1)
    );
    assert!(!w.missing_evidence_decision.as_ref().unwrap().allowed);
    // The default authority denies it too.
    let report = evaluate(
        body,
        files,
        &waiver,
        Arc::new(vouch_engine::authority::EveryTrustedKey),
    );
    assert_eq!(report.controls[0].status, Status::Fail);
    // Permitted explicitly: waived, and the decision is recorded.
    let all = Arc::new(Listed {
        controls: vec!["T"],
        missing_evidence: true,
        ..Listed::default()
    });
    let report = evaluate(body, files, &waiver, all);
    assert_eq!(report.controls[0].status, Status::Waived);
    let w = &report.waivers[0];
    assert_eq!((w.state.as_str(), w.matched), ("applied", 1));
    assert!(w.missing_evidence_decision.as_ref().unwrap().allowed);
}

#[test]
fn a_refused_file_asks_no_one_and_waives_nothing() {
    let asked = Arc::new(Listed {
        controls: vec!["T"],
        ..Listed::default()
    });
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", b"x\n");
    let mut report = evaluate(
        SMALL,
        &[("a.txt", b"x\n")],
        &subject_waiver("a.txt"),
        asked.clone(),
    );
    assert_eq!(report.controls[0].status, Status::Waived);
    asked.asked.lock().unwrap().clear();
    // The same waiver in a file without an approver.
    let store = vouch_engine::KeyStore::new();
    let approval = vouch_engine::waivers::approve(
        "w.toml",
        subject_waiver("a.txt").as_bytes(),
        &[],
        &store,
        "2026-10-01T00:00:00Z".parse().unwrap(),
    );
    assert!(approval.approver.is_none());
    let graph = ingest(dir.path());
    let text = format!(
        "policy \"t\" {{ title = \"T\" framework = \"uk-sscop\" }}\n\
         control \"T\" {{\n  title = \"t\"\n  provision = [\"3.1\"]\n  severity = high\n{SMALL}\n}}\n"
    );
    let policy = vouch_lang::check_with(
        vouch_lang::Source::new("t.vouch", text),
        &vouch_lang::NoImports,
        &frameworks(),
        &vouch_lang::LintLevels::default(),
    )
    .policy
    .unwrap();
    let mut options = vouch_engine::EvaluationOptions::at("2026-10-01T00:00:00Z".parse().unwrap());
    options.authority = asked.clone();
    options.waivers = vec![WaiverFile {
        approval,
        waivers: parse_waivers("w.toml", &subject_waiver("a.txt")).unwrap().0,
    }];
    report = vouch_engine::evaluate(&policy, &graph, &options);
    assert_eq!(report.controls[0].status, Status::Fail);
    assert_eq!(report.waivers[0].state, "refused");
    assert!(report.waivers[0].decision.is_none());
    assert!(asked.asked.lock().unwrap().is_empty());
    assert!(!report.waiver_files[0].approved);
}
