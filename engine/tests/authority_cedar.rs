//! The Cedar authority's decisions: permit, forbid, default deny, groups from the entities
//! file, the determining policy ids; and its located diagnostics.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use vouch_engine::authority::gate::{Gate, ReportFacts};
use vouch_engine::authority::{
    Action, Authority, CedarAuthority, ControlFacts, DiagnosticKind, Request, SignedKind,
    SourceText,
};

const POLICY: &str = r#"
@id("security-leads-attest")
permit (principal in Vouch::Group::"security-leads", action == Vouch::Action::"attest", resource);

@id("release-managers-attest-rollback")
permit (principal in Vouch::Group::"release-managers", action == Vouch::Action::"attest", resource == Vouch::Control::"ROLLBACK");

@id("security-leads-waive")
permit (principal in Vouch::Group::"security-leads", action == Vouch::Action::"waive", resource)
when { !context.missing_evidence };

@id("no-waiving-critical")
forbid (principal, action == Vouch::Action::"waive", resource)
when { resource.severity == "critical" };

permit (principal == Vouch::Key::"BUILD", action == Vouch::Action::"sign", resource == Vouch::Evidence::"provenance");

@id("release-keys-sign")
permit (principal in Vouch::Group::"release-keys", action == Vouch::Action::"sign", resource)
when { context.kind != "provenance" };
"#;

const PEOPLE: &str = r#"[
  { "uid": { "type": "Vouch::Key", "id": "PRIYA" }, "attrs": { "name": "Priya Shah" },
    "parents": [ { "type": "Vouch::Group", "id": "security-leads" } ] },
  { "uid": { "type": "Vouch::Key", "id": "JO" }, "attrs": { "name": "Jo Bloggs" },
    "parents": [ { "type": "Vouch::Group", "id": "release-managers" } ] },
  { "uid": { "type": "Vouch::Key", "id": "RELEASE" }, "attrs": {},
    "parents": [ { "type": "Vouch::Group", "id": "release-keys" } ] },
  { "uid": { "type": "Vouch::Group", "id": "security-leads" }, "attrs": {}, "parents": [] },
  { "uid": { "type": "Vouch::Group", "id": "release-managers" }, "attrs": {}, "parents": [] },
  { "uid": { "type": "Vouch::Group", "id": "release-keys" }, "attrs": {}, "parents": [] }
]"#;

fn authority() -> CedarAuthority {
    CedarAuthority::new(
        SourceText {
            name: "acme.cedar",
            text: POLICY,
        },
        Some(SourceText {
            name: "people.json",
            text: PEOPLE,
        }),
    )
    .unwrap()
}

fn control<'a>(id: &'a str, severity: &'a str) -> ControlFacts<'a> {
    ControlFacts {
        id,
        severity,
        provisions: &[],
        tags: &[],
    }
}

fn ask(
    a: &CedarAuthority,
    key: &str,
    action: Action,
    c: Option<ControlFacts<'_>>,
    missing: bool,
) -> vouch_engine::authority::Decision {
    a.decide(&Request {
        key_id: key,
        action,
        control: c,
        missing_evidence: missing,
        dated: true,
    })
}

#[test]
fn groups_from_the_entities_file_permit_and_name_the_policy() {
    let a = authority();
    let d = ask(
        &a,
        "PRIYA",
        Action::Attest,
        Some(control("TRAINING", "medium")),
        false,
    );
    assert!(d.allowed, "{d:?}");
    assert_eq!(d.policies, ["security-leads-attest"]);
    assert!(
        d.reason.contains("permitted by `security-leads-attest`"),
        "{}",
        d.reason
    );
    // Jo may attest ROLLBACK only.
    let rollback = ask(
        &a,
        "JO",
        Action::Attest,
        Some(control("ROLLBACK", "high")),
        false,
    );
    assert!(rollback.allowed);
    assert_eq!(rollback.policies, ["release-managers-attest-rollback"]);
    let training = ask(
        &a,
        "JO",
        Action::Attest,
        Some(control("TRAINING", "medium")),
        false,
    );
    assert!(!training.allowed);
}

#[test]
fn no_matching_policy_is_a_default_deny() {
    let a = authority();
    let d = ask(
        &a,
        "STRANGER",
        Action::Attest,
        Some(control("TRAINING", "medium")),
        false,
    );
    assert!(!d.allowed);
    assert!(d.policies.is_empty());
    assert!(
        d.reason
            .contains("no policy permits key STRANGER to attest control `TRAINING`"),
        "{}",
        d.reason
    );
    // An attest request with no control is refused, whoever asks.
    assert!(!ask(&a, "PRIYA", Action::Attest, None, false).allowed);
}

#[test]
fn forbid_wins_and_is_named() {
    let a = authority();
    let medium = ask(
        &a,
        "PRIYA",
        Action::Waive,
        Some(control("SBOM", "medium")),
        false,
    );
    assert!(medium.allowed, "{medium:?}");
    let critical = ask(
        &a,
        "PRIYA",
        Action::Waive,
        Some(control("SIGN", "critical")),
        false,
    );
    assert!(!critical.allowed);
    assert_eq!(critical.policies, ["no-waiving-critical"]);
    assert!(
        critical
            .reason
            .contains("forbidden by `no-waiving-critical`"),
        "{}",
        critical.reason
    );
    // missing evidence is a context attribute the policy reads.
    let missing = ask(
        &a,
        "PRIYA",
        Action::Waive,
        Some(control("SBOM", "medium")),
        true,
    );
    assert!(!missing.allowed);
}

#[test]
fn sign_decisions_by_kind_and_cedar_ids_without_annotation() {
    let a = authority();
    let build = ask(
        &a,
        "BUILD",
        Action::Sign(SignedKind::Provenance),
        None,
        false,
    );
    assert!(build.allowed);
    // The fifth policy has no @id: Cedar's own id.
    assert_eq!(build.policies, ["policy4"]);
    assert!(!ask(&a, "BUILD", Action::Sign(SignedKind::Artifact), None, false).allowed);
    assert!(
        ask(
            &a,
            "RELEASE",
            Action::Sign(SignedKind::Artifact),
            None,
            false
        )
        .allowed
    );
    assert!(
        ask(
            &a,
            "RELEASE",
            Action::Sign(SignedKind::SecurityTxt),
            None,
            false
        )
        .allowed
    );
    assert!(
        !ask(
            &a,
            "RELEASE",
            Action::Sign(SignedKind::Provenance),
            None,
            false
        )
        .allowed
    );
}

#[test]
fn the_report_records_the_files_sha256() {
    let a = authority();
    let sources = a.sources();
    assert_eq!(sources.len(), 2);
    assert_eq!(sources[0].name, "acme.cedar");
    assert_eq!(sources[0].sha256.len(), 64);
    assert_eq!(sources[1].name, "people.json");
}

fn diagnostics(
    policy: &str,
    entities: Option<&str>,
) -> Vec<vouch_engine::authority::AuthorityDiagnostic> {
    CedarAuthority::new(
        SourceText {
            name: "bad.cedar",
            text: policy,
        },
        entities.map(|text| SourceText {
            name: "people.json",
            text,
        }),
    )
    .unwrap_err()
}

#[test]
fn a_syntax_error_is_located() {
    let text = "permit (principal, action, resource)\n";
    let d = diagnostics(text, None);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].kind, DiagnosticKind::ParseError);
    assert_eq!(d[0].file(), "bad.cedar");
    assert!(!d[0].spans().is_empty());
}

#[test]
fn a_policy_that_does_not_fit_the_schema_is_located() {
    let text = "permit (principal, action == Vouch::Action::\"attest\", resource)\nwhen { resource.owner == \"x\" };\n";
    let d = diagnostics(text, None);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].kind, DiagnosticKind::InvalidPolicy);
    let (offset, len) = d[0].spans()[0];
    assert!(
        text[offset..offset + len].contains("owner"),
        "{:?}",
        &text[offset..offset + len]
    );
}

#[test]
fn bad_entities_are_located() {
    let ok = "permit (principal, action, resource);";
    let syntax = diagnostics(ok, Some("[ { \"uid\": "));
    assert_eq!(syntax[0].kind, DiagnosticKind::InvalidEntities);
    assert!(!syntax[0].spans().is_empty());
    let control = r#"[ { "uid": { "type": "Vouch::Control", "id": "TRAINING" }, "attrs": { "severity": "low", "provisions": [], "tags": [] }, "parents": [] } ]"#;
    let d = diagnostics(ok, Some(control));
    assert_eq!(d[0].kind, DiagnosticKind::InvalidEntities);
    assert!(d[0].message.contains("only keys"), "{}", d[0].message);
    let (offset, len) = d[0].spans()[0];
    assert_eq!(&control[offset..offset + len], "\"TRAINING\"");
    let wrong = r#"[ { "uid": { "type": "Vouch::Key", "id": "K" }, "attrs": { "name": 3 }, "parents": [] } ]"#;
    let d = diagnostics(ok, Some(wrong));
    assert_eq!(d[0].kind, DiagnosticKind::InvalidEntities);
    let (offset, len) = d[0].spans()[0];
    assert_eq!(&wrong[offset..offset + len], "\"K\"");
}

const REPORT: &str = r#"{ "schema": "vouch-report/1", "as_of": "2026-10-01T00:00:00Z",
  "policy": { "name": "acme", "version": "1" }, "bundle": { "digest": "sha256:abc" },
  "controls": [ { "id": "SIGN", "status": "pass" }, { "id": "TRAINING", "status": "manual" } ],
  "provisions": [ { "id": "3.1", "status": "pass" } ] }"#;

#[test]
fn the_gate_reads_statuses_and_tags() {
    let policy = r#"
@id("clean-main")
permit (principal in Vouch::Group::"release-managers", action == Vouch::Action::"release", resource)
when { resource.failed.isEmpty() && resource.hasTag("branch") && resource.getTag("branch") == "main" };
@id("no-manual")
forbid (principal, action, resource) when { !resource.manual.isEmpty() };
"#;
    let gate = Gate::new(
        SourceText {
            name: "gate.cedar",
            text: policy,
        },
        Some(SourceText {
            name: "people.json",
            text: PEOPLE,
        }),
    )
    .unwrap();
    let facts = ReportFacts::from_json("r.json", REPORT).unwrap();
    let main = [("branch".to_owned(), "main".to_owned())]
        .into_iter()
        .collect();
    let d = gate.decide("JO", "release", &facts, &main).unwrap();
    assert!(!d.allowed);
    assert_eq!(d.policies, ["no-manual"]);
    let passing = REPORT.replace("\"manual\"", "\"pass\"");
    let facts = ReportFacts::from_json("r.json", &passing).unwrap();
    let d = gate.decide("JO", "release", &facts, &main).unwrap();
    assert!(d.allowed, "{d:?}");
    assert_eq!(d.policies, ["clean-main"]);
    let other = [("branch".to_owned(), "dev".to_owned())]
        .into_iter()
        .collect();
    assert!(
        !gate
            .decide("JO", "release", &facts, &other)
            .unwrap()
            .allowed
    );
    assert!(gate.decide("JO", "deploy", &facts, &main).is_err());
    assert!(ReportFacts::from_json("r.json", "{}").is_err());
}
