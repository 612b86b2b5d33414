//! The uk-sscop standard pack (`std.uk_sscop`): it checks cleanly, has the controls tools and
//! tests key on (ids exactly as issued, with at least their principles), assesses every
//! principle of themes 3 and 4 with an automated control, and documents every control and
//! param.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use std::collections::BTreeSet;

use vouch::policy_files::{FileLoader, frameworks};
use vouch_lang::{CheckedPolicy, ControlKind, SeverityLevel, Source};

/// The controls the pack must have, with the principles each must assess.
const REQUIRED: &[(&str, &[&str])] = &[
    ("SIGNED-ARTIFACTS", &["3.1", "3.5"]),
    ("CHECKSUMS", &["3.1"]),
    ("TLS-ONLY", &["3.1"]),
    ("PROVENANCE", &["3.1", "2.1"]),
    ("ROLLBACK", &["3.1"]),
    ("VDP", &["3.2"]),
    ("SBOM", &["1.2", "3.3"]),
    ("VULN-SCAN", &["3.3"]),
    ("PATCH-SLA", &["3.3", "3.5"]),
    ("BACKPORTS", &["3.5"]),
    ("ADVISORIES", &["3.4", "3.5"]),
    ("CHANGELOG-SECURITY", &["3.5"]),
    ("ADVISORY-FEED", &["3.5", "4.3"]),
    ("SUPPORT-PERIODS", &["4.1"]),
    ("EOL-NOTICE", &["4.2"]),
    ("INCIDENT-PLAN", &["4.3"]),
    ("TRAINING", &["3.3", "3.5"]),
];

/// The controls that are satisfied by a person's attestation.
const MANUAL: &[&str] = &["ROLLBACK", "INCIDENT-PLAN", "TRAINING"];

/// Checks `text` as a policy file, with the embedded frameworks and standard modules.
fn check(text: &str) -> (Option<CheckedPolicy>, Vec<String>) {
    let frameworks = frameworks(&[]).unwrap_or_else(|_| panic!("embedded frameworks load"));
    let out = vouch_lang::check(Source::new("policy.vouch", text), &FileLoader, &frameworks);
    let diagnostics = out.diagnostics.iter().map(|d| format!("{d:?}")).collect();
    (out.policy, diagnostics)
}

fn pack() -> CheckedPolicy {
    let (policy, diagnostics) = check(
        "policy \"p\" {\n  title = \"uses the pack\"\n  framework = \"uk-sscop\"\n}\n\nuse std.uk_sscop\n",
    );
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    policy.unwrap()
}

#[test]
fn the_pack_checks_without_a_diagnostic() {
    let module = vouch_stdlib::module("uk_sscop").expect("std.uk_sscop is embedded");
    let (policy, diagnostics) = check(module.source);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    assert!(policy.is_some());
}

#[test]
fn every_required_control_is_there_with_its_principles() {
    let pack = pack();
    for (id, principles) in REQUIRED {
        let control = pack
            .controls
            .iter()
            .find(|c| c.id == *id)
            .unwrap_or_else(|| panic!("the pack has no control {id}"));
        for p in *principles {
            assert!(
                control.provisions.iter().any(|q| q == p),
                "{id} must assess principle {p}, it assesses {:?}",
                control.provisions
            );
        }
        let manual = matches!(control.kind, ControlKind::Manual { .. });
        assert_eq!(manual, MANUAL.contains(id), "{id}: manual is {manual}");
    }
}

#[test]
fn every_principle_of_themes_3_and_4_has_an_automated_control() {
    let pack = pack();
    let assessed: BTreeSet<&str> = pack
        .controls
        .iter()
        .filter(|c| matches!(c.kind, ControlKind::Automated))
        .flat_map(|c| c.provisions.iter().map(String::as_str))
        .collect();
    let wanted: Vec<&str> = pack
        .framework
        .principles
        .iter()
        .map(|p| p.id.as_str())
        .filter(|id| id.starts_with("3.") || id.starts_with("4."))
        .collect();
    assert_eq!(wanted.len(), 8, "themes 3 and 4 have eight principles");
    for id in wanted {
        assert!(assessed.contains(id), "no automated control assesses {id}");
    }
}

#[test]
fn every_control_and_param_is_documented() {
    let pack = pack();
    for c in &pack.controls {
        assert!(!c.title.is_empty(), "{}: title", c.id);
        assert!(c.description.is_some(), "{}: no doc comment", c.id);
        assert!(c.rationale.is_some(), "{}: no rationale", c.id);
        let remediation = c.remediation.as_deref().unwrap_or_default();
        assert!(!remediation.is_empty(), "{}: no remediation", c.id);
        assert!(
            c.severity >= SeverityLevel::Medium,
            "{}: a standard control is at least medium",
            c.id
        );
    }
    let module = pack
        .modules
        .iter()
        .find(|m| m.source.name() == "std.uk_sscop")
        .expect("the pack module");
    for item in &module.ast.items {
        if let vouch_lang::ast::Item::Param(p) = item {
            assert!(p.doc.is_some(), "param {} has no doc comment", p.name.name);
        }
    }
}

#[test]
fn an_organisation_overrides_params_and_a_misspelt_one_is_an_error() {
    let (policy, diagnostics) = check(
        "policy \"acme\" {\n  title = \"ACME\"\n  framework = \"uk-sscop\"\n}\n\n\
         use std.uk_sscop with { patch_sla = { critical: 24h, high: 5d, medium: 30d, low: 90d }, eol_notice = 18 months }\n",
    );
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    assert!(policy.is_some());
    let (_, diagnostics) = check(
        "policy \"acme\" {\n  title = \"ACME\"\n  framework = \"uk-sscop\"\n}\n\n\
         use std.uk_sscop with { patch_slas = { critical: 24h } }\n",
    );
    assert!(
        diagnostics
            .iter()
            .any(|d| d.contains("UnknownOverride") && d.contains("did you mean `patch_sla`?")),
        "{diagnostics:#?}"
    );
}

#[test]
fn the_pack_and_the_example_policies_are_in_vouch_fmt_layout() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("stdlib-policies/uk-sscop/uk_sscop.vouch")];
    for entry in std::fs::read_dir(root.join("examples/policies")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "vouch") {
            files.push(path);
        }
    }
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let source = Source::new(path.display().to_string(), text.clone());
        let formatted = vouch_lang::format_source(&source).unwrap();
        assert!(
            formatted == text,
            "{} is not formatted: run `vouch fmt` on it",
            path.display()
        );
    }
}
