//! Fail closed, end to end: each way a control used to pass on missing evidence (issue #12)
//! fails. Where the schema says a value may be missing, `vouch check` rejects the pattern with
//! a located diagnostic; where the schema says it is present but the bundle has no evidence
//! for it (no `release.toml`), and where the author allows the static rule
//! (`--allow unhandled-none`), the evaluator's run-time backstop still fails the control, on
//! an empty bundle and on a release whose vulnerability has no severity.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::path::Path;

use crate::common::copy_dir;
use common::{EXAMPLE_TRUST, temp_dir, vouch};
use serde_json::Value;

const AS_OF: &str = "2026-10-02";

/// One fail-open pattern: the statements of a control (and params above it), whether the
/// checker rejects it statically, and what the failing finding must say.
struct Case {
    name: &'static str,
    params: &'static str,
    body: &'static str,
    /// The code `vouch check` rejects it with, when it does.
    rejected_with: Option<&'static str>,
    /// Text every finding of the failing control contains.
    finding: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "len-ne",
        params: "",
        body: "expect len(release.artifacts) != 0",
        rejected_with: None,
        finding: "none",
    },
    Case {
        name: "version-ne",
        params: "",
        body: "expect release.version != \"x\"",
        rejected_with: None,
        finding: "release.version",
    },
    Case {
        name: "verified-ne-false",
        params: "",
        body: "expect security_txt.verified != false",
        rejected_with: Some("unhandled-none"),
        finding: "security_txt.verified",
    },
    Case {
        name: "not-eq-false",
        params: "",
        body: "expect not (security_txt.verified == false)",
        rejected_with: Some("unhandled-none"),
        finding: "security_txt.verified",
    },
    Case {
        name: "two-missing-lengths",
        params: "",
        body: "expect len(release.sboms) == len(release.artifacts)",
        rejected_with: None,
        finding: "none",
    },
    Case {
        name: "interpolated-none",
        params: "",
        body: "expect \"{release.previous}\" != \"\"",
        rejected_with: Some("unhandled-none"),
        finding: "none",
    },
    Case {
        name: "interpolated-let",
        params: "",
        body: "let p = \"{security_txt.path}\"\n  expect len(p) > 0",
        rejected_with: Some("unhandled-none"),
        finding: "none",
    },
    Case {
        name: "anchor-through-addition",
        params: "",
        body: "expect (2027-03-30 - 2026-04-01) + 0d >= 12 months",
        rejected_with: None,
        finding: "12 months",
    },
];

fn policy_text(case: &Case) -> String {
    format!(
        "policy \"fail-closed\" {{\n  title = \"Fail closed\"\n  framework = \"uk-sscop\"\n}}\n\n{}\n\n\
         control \"CASE\" {{\n  title = \"{}\"\n  provision = [\"3.1\"]\n  severity = high\n  {}\n}}\n",
        case.params, case.name, case.body
    )
}

fn write_policy(dir: &Path, case: &Case) -> String {
    let path = dir.join(format!("{}.vouch", case.name));
    std::fs::write(&path, policy_text(case)).unwrap();
    path.to_str().unwrap().to_owned()
}

fn evaluate(policy: &str, bundle: &Path, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec![
        "evaluate",
        "--policy",
        policy,
        "--bundle",
        bundle.to_str().unwrap(),
        "--as-of",
        AS_OF,
    ];
    args.extend_from_slice(extra);
    let out = vouch(&args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), report, stderr)
}

/// The status and finding messages of the only control of a report.
fn outcome(report: &Value) -> (String, Vec<String>) {
    let control = &report["controls"][0];
    let messages = control["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|x| x["message"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default();
    (
        control["status"].as_str().unwrap_or_default().to_owned(),
        messages,
    )
}

#[test]
fn the_checker_rejects_each_unhandled_none() {
    let dir = temp_dir("fail-closed-check");
    for case in CASES {
        let policy = write_policy(&dir, case);
        let out = vouch(&["check", &policy]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        match case.rejected_with {
            Some(code) => {
                assert_eq!(out.status.code(), Some(2), "{}: {stderr}", case.name);
                assert!(
                    stderr.contains(code),
                    "{}: expected `{code}` in:\n{stderr}",
                    case.name
                );
            }
            None => assert_eq!(
                out.status.code(),
                Some(0),
                "{}: rejected unexpectedly:\n{stderr}",
                case.name
            ),
        }
    }
}

#[test]
fn each_pattern_fails_on_an_empty_bundle_when_the_rule_is_allowed() {
    let dir = temp_dir("fail-closed-empty");
    let bundle = dir.join("bundle");
    std::fs::create_dir_all(&bundle).unwrap();
    for case in CASES {
        let policy = write_policy(&dir, case);
        // What the checker rejects is evaluated with the rule allowed, to reach the backstop;
        // what it accepts (the schema says the value is there) is evaluated as it is.
        let allow: &[&str] = match case.rejected_with {
            Some(_) => &["--allow", "unhandled-none"],
            None => &[],
        };
        let (code, report, stderr) = evaluate(&policy, &bundle, allow);
        assert_eq!(code, 1, "{}: exit {code}\n{stderr}", case.name);
        let (status, messages) = outcome(&report);
        assert_eq!(status, "fail", "{}: {messages:?}", case.name);
        assert!(
            !messages.is_empty() && messages.iter().all(|m| m.contains(case.finding)),
            "{}: every finding should mention `{}`: {messages:?}",
            case.name,
            case.finding
        );
    }
}

/// A register whose only vulnerability has no severity: a `where` on the severity can tell
/// neither way, so the vulnerability is kept as a failure, never dropped.
#[test]
fn an_unknown_where_keeps_the_element_as_a_failure() {
    let dir = temp_dir("fail-closed-where");
    let bundle = dir.join("bundle");
    std::fs::create_dir_all(&bundle).unwrap();
    std::fs::write(
        bundle.join("vulnerabilities.toml"),
        "[[vulnerability]]\nid = \"CVE-2026-0001\"\npackage = \"widget\"\nstatus = \"under_investigation\"\ndiscovered = 2026-09-01T00:00:00Z\n",
    )
    .unwrap();
    let case = Case {
        name: "where-severity",
        params: "",
        body: "for v in vulnerabilities where v.severity >= medium {\n    expect v.status != under_investigation\n  } when empty: pass",
        rejected_with: Some("unhandled-none"),
        finding: "CVE-2026-0001",
    };
    let policy = write_policy(&dir, &case);
    let out = vouch(&["check", &policy]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unhandled-none"));

    let (code, report, stderr) = evaluate(&policy, &bundle, &["--allow", "unhandled-none"]);
    assert_eq!(code, 1, "{stderr}");
    let (status, messages) = outcome(&report);
    assert_eq!(status, "fail");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("CVE-2026-0001") && m.contains("v.severity")),
        "{messages:?}"
    );
}

/// A param whose value cannot be represented is a check error, never `none` (which made
/// `within` accept an attestation of any age).
#[test]
fn an_unrepresentable_param_is_a_check_error() {
    let dir = temp_dir("fail-closed-param");
    let policy = dir.join("p.vouch");
    std::fs::write(
        &policy,
        "policy \"p\" {\n  title = \"P\"\n  framework = \"uk-sscop\"\n}\n\n\
         param a: duration = 90000000000000000 weeks\n\n\
         control \"TRAIN\" {\n  title = \"t\"\n  provision = [\"3.1\"]\n  severity = low\n  \
         manual \"Training done\" within a\n}\n",
    )
    .unwrap();
    let out = vouch(&["check", policy.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("weeks"), "{stderr}");
}

/// The compliant example with every severity and CVSS vector struck from its register: the
/// vulnerability only the register describes (SEC-2026-007) now has no severity, and the pack
/// holds it to the strictest rules instead of letting the missing value pass.
#[test]
fn the_pack_holds_a_vulnerability_without_severity_to_the_strictest_rules() {
    let root = common::root();
    let bundle = temp_dir("fail-closed-no-severity").join("bundle");
    copy_dir(&root.join("examples/bundles/compliant"), &bundle);
    let register = bundle.join("vulnerabilities.toml");
    let text = std::fs::read_to_string(&register).unwrap();
    let stripped: String = text
        .lines()
        .filter(|l| !l.starts_with("severity =") && !l.starts_with("cvss"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(stripped, text, "the register states severities to strike");
    std::fs::write(&register, stripped).unwrap();

    let (code, report, stderr) = evaluate("examples/policies/acme.vouch", &bundle, &EXAMPLE_TRUST);
    assert_eq!(code, 1, "{stderr}");
    let controls = report["controls"].as_array().unwrap();
    for id in ["VULN-TRIAGE", "PATCH-SLA", "ADVISORIES", "CVE-REPORTED"] {
        let control = controls.iter().find(|c| c["id"] == id).unwrap();
        assert_eq!(control["status"], "fail", "{id}: {control}");
        let messages = control["findings"].to_string();
        assert!(messages.contains("SEC-2026-007"), "{id}: {messages}");
    }
}
