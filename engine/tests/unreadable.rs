//! Unreadable evidence is evidence of a problem: a file recognised as an evidence kind that
//! cannot be read as it becomes an unreadable record in the graph and the schema, and every
//! control that reads what it would have fed fails, naming the file and the error — in a
//! policy that never mentions `unreadable`. Before, such a file was dropped (leaving only an
//! ingestion finding) and the controls over its data passed on what was left.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use crate::common;

use std::path::{Path, PathBuf};

use vouch_engine::EvidenceGraph;
use vouch_engine::FindingCode;
use vouch_engine::formats::EvidenceKind;
use vouch_engine::report::{ControlResult, Status};

const AS_OF: &str = "2026-10-02T00:00:00Z";

/// The committed compliant example bundle.
fn compliant() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/bundles/compliant")
}

fn audit_fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/audit")
            .join(name),
    )
    .unwrap()
}

/// A bundle with `files` copied from the compliant example (with `extra` appended to each)
/// and `written` files added.
fn bundle(
    copied: &[(&str, &[u8])],
    written: &[(&str, &[u8])],
) -> (tempfile::TempDir, EvidenceGraph) {
    let dir = tempfile::tempdir().unwrap();
    for (rel, extra) in copied {
        let mut bytes = std::fs::read(compliant().join(rel)).unwrap();
        bytes.extend_from_slice(extra);
        common::write(dir.path(), rel, &bytes);
    }
    for (rel, bytes) in written {
        common::write(dir.path(), rel, bytes);
    }
    let graph = common::ingest(dir.path());
    (dir, graph)
}

fn run(graph: &EvidenceGraph, body: &str) -> ControlResult {
    common::run_control(graph, AS_OF, "", body)
}

/// A user's own vulnerability control, which never mentions `unreadable` and passes when
/// there is nothing to loop over.
const NO_AFFECTED: &str = "for v in vulnerabilities {\n\
                           expect v.status != affected else \"{v.id} is affected\"\n\
                           } when empty: pass";

/// A user's own TLS control.
const NO_TLS_1_0: &str = "for s in tls_scans {\n\
                          expect not (\"tls1.0\" in s.protocols) else \"{s.host} offers TLS 1.0\"\n\
                          } when empty: pass";

fn assert_fails_naming(result: &ControlResult, path: &str, error: &str) {
    assert_eq!(result.status, Status::Fail, "{result:#?}");
    let finding = result
        .findings
        .iter()
        .find(|f| f.evidence.iter().any(|e| e.path == path))
        .unwrap_or_else(|| panic!("no finding cites {path}: {result:#?}"));
    assert!(
        finding.message.contains(path) && finding.message.contains(error),
        "{}",
        finding.message
    );
}

#[test]
fn a_register_with_a_junk_line_is_unreadable_and_fails_vulnerability_controls() {
    let (_dir, graph) = bundle(&[("vulnerabilities.toml", b"junk =\n")], &[]);
    let unreadable = graph.unreadable();
    assert_eq!(unreadable.len(), 1);
    let u = &unreadable[0];
    assert_eq!(
        (u.path.as_str(), u.kind),
        ("vulnerabilities.toml", EvidenceKind::VulnRegister)
    );
    assert!(
        u.failure.line.is_some() && u.failure.column.is_some(),
        "{u:?}"
    );
    assert_fails_naming(
        &run(&graph, NO_AFFECTED),
        "vulnerabilities.toml",
        "invalid TOML",
    );
    // A control that reads nothing the register feeds is not touched.
    let other = run(&graph, "expect count(f in files) > 0");
    assert_eq!(other.status, Status::Pass, "{other:#?}");
}

#[test]
fn a_register_with_a_non_utf8_byte_is_unreadable() {
    let (_dir, graph) = bundle(&[("vulnerabilities.toml", b"\xff")], &[]);
    assert_eq!(graph.unreadable().len(), 1);
    assert_fails_naming(&run(&graph, NO_AFFECTED), "vulnerabilities.toml", "UTF-8");
}

#[test]
fn a_toml_key_given_twice_makes_the_register_unreadable() {
    let register = b"[[vulnerability]]\nid = \"CVE-2026-0001\"\nstatus = \"affected\"\n\
                     status = \"not_affected\"\njustification = \"component_not_present\"\n";
    let (_dir, graph) = bundle(&[], &[("vulnerabilities.toml", register)]);
    let u = &graph.unreadable()[0];
    assert_eq!(u.failure.line, Some(4), "{u:?}");
    assert_fails_naming(
        &run(&graph, NO_AFFECTED),
        "vulnerabilities.toml",
        "duplicate key",
    );
}

#[test]
fn a_tls_scan_with_a_trailing_byte_fails_tls_controls() {
    let scan = "scans/testssl-downloads.acme.example.json";
    let (_dir, graph) = bundle(&[(scan, b"x")], &[]);
    assert_eq!(graph.unreadable()[0].kind, EvidenceKind::TlsScan);
    assert_fails_naming(&run(&graph, NO_TLS_1_0), scan, "not valid JSON");
    // The vulnerability control does not read TLS scans.
    assert_eq!(run(&graph, NO_AFFECTED).status, Status::Pass);
}

#[test]
fn a_json_key_given_twice_is_refused_with_its_line_and_column() {
    let vex = "vex/widget-2.4.1.openvex.json";
    let text = std::fs::read_to_string(compliant().join(vex)).unwrap();
    let doubled = text.replacen(
        "\"status\": \"not_affected\",",
        "\"status\": \"affected\",\n      \"status\": \"not_affected\",",
        1,
    );
    assert_ne!(doubled, text);
    let (_dir, graph) = bundle(&[], &[(vex, doubled.as_bytes())]);
    let finding = graph
        .findings()
        .iter()
        .find(|f| f.code == FindingCode::JsonDuplicateKey)
        .expect("a duplicate-key finding");
    assert_eq!(finding.path.as_deref(), Some(vex));
    assert!(
        finding.line.is_some() && finding.column.is_some(),
        "{finding:?}"
    );
    let u = &graph.unreadable()[0];
    assert_eq!(
        (u.kind, u.failure.line),
        (EvidenceKind::OpenVex, finding.line)
    );
    assert_fails_naming(&run(&graph, NO_AFFECTED), vex, "duplicate key `status`");
}

#[test]
fn a_duplicate_key_in_an_sbom_is_refused_too() {
    let sbom = "sbom/widget-2.4.1.zip.cdx.json";
    let text = std::fs::read_to_string(compliant().join(sbom)).unwrap();
    let doubled = text.replacen("{", "{\n  \"bomFormat\": \"CycloneDX\",", 1);
    let (_dir, graph) = bundle(&[], &[(sbom, doubled.as_bytes())]);
    assert!(common::has_code(&graph, FindingCode::JsonDuplicateKey));
    assert_eq!(graph.unreadable()[0].kind, EvidenceKind::CycloneDxSbom);
}

#[test]
fn field_feeds_fail_only_controls_that_read_the_field() {
    let sbom = "sbom/widget-2.4.1.zip.cdx.json";
    let (_dir, graph) = bundle(
        &[("release.toml", b""), ("dist/widget-2.4.1.zip", b"")],
        &[(sbom, b"{\"bomFormat\": \"CycloneDX\", \"specVersion\": ")],
    );
    assert_eq!(graph.unreadable().len(), 1);
    let sboms = run(
        &graph,
        "for a in release.artifacts {\n expect count(s in a.sboms) >= 0\n}",
    );
    assert_fails_naming(&sboms, sbom, "cyclonedx-sbom");
    let names = run(
        &graph,
        "for a in release.artifacts {\n expect a.name != \"\"\n}",
    );
    assert_eq!(names.status, Status::Pass, "{names:#?}");
}

#[test]
fn the_schema_lists_unreadable_files() {
    let scan = "scans/testssl-downloads.acme.example.json";
    let (_dir, graph) = bundle(
        &[
            (scan, b"x"),
            ("release.toml", b""),
            ("support.toml", b"[oops\n"),
        ],
        &[],
    );
    // A policy can look at them: each check below holds only for what the bundle has.
    let listed = run(&graph, "expect count(u in bundle.unreadable) == 0");
    assert_eq!(listed.status, Status::Fail);
    let fields = run(
        &graph,
        &format!(
            "for u in bundle.unreadable where u.kind == \"tls-scan\" {{\n\
             expect not (u.path == \"{scan}\" and \"tls_scans\" in u.feeds and (u.line ?? 0) == 109 \
             and (u.column ?? 0) == 1 and u.error != \"\" and u.sha256 != \"\")\n}}"
        ),
    );
    assert_eq!(fields.status, Status::Fail, "{fields:#?}");
    assert_eq!(fields.findings.len(), 1, "{fields:#?}");
    let support = run(
        &graph,
        "expect count(u in support.unreadable) == 1 and count(u in release.unreadable) == 1",
    );
    // Reading `support` (fed by the broken support.toml) fails even though the expectation
    // holds.
    assert_fails_naming(&support, "support.toml", "support-manifest");
}

#[test]
fn dependency_audits_are_read_and_what_they_leave_out_fails_closed() {
    // Read: each vulnerability they list is one the controls judge.
    for (name, kind, id) in [
        (
            "npm-audit.json",
            EvidenceKind::NpmAudit,
            "GHSA-XVCH-5GV4-984H",
        ),
        ("pip-audit.json", EvidenceKind::PipAudit, "CVE-2020-28493"),
        (
            "cargo-audit.json",
            EvidenceKind::CargoAudit,
            "CVE-2020-26235",
        ),
    ] {
        let path = format!("scans/{name}");
        let (_dir, graph) = bundle(&[], &[(&path, &audit_fixture(name))]);
        assert!(
            graph.unreadable().is_empty(),
            "{name}: {:?}",
            graph.unreadable()
        );
        let file = graph.files().find(|(_, f)| f.path == path).unwrap().1;
        assert_eq!(file.kind, Some(kind), "{name}");
        let result = run(&graph, NO_AFFECTED);
        assert_eq!(result.status, Status::Fail, "{name}");
        assert_eq!(
            result.findings[0].message,
            format!("{id} is affected"),
            "{name}"
        );
    }
    // npm's real report of a project with no vulnerable dependency: read, and clean.
    let (_dir, graph) = bundle(
        &[],
        &[(
            "scans/npm-audit-real.json",
            &audit_fixture("npm-audit-real.json"),
        )],
    );
    assert!(graph.unreadable().is_empty());
    assert_eq!(run(&graph, NO_AFFECTED).status, Status::Pass);
    // pip-audit's real report of a requirement it could not look up audited nothing: it is
    // unreadable, never a clean scan.
    let path = "scans/pip-audit-real.json";
    let (_dir, graph) = bundle(&[], &[(path, &audit_fixture("pip-audit-real.json"))]);
    let u = graph.unreadable();
    assert_eq!(u.len(), 1);
    assert_eq!(u[0].kind, EvidenceKind::PipAudit);
    assert!(common::has_code(&graph, FindingCode::AuditSkipped));
    assert_fails_naming(
        &run(&graph, NO_AFFECTED),
        path,
        "pip-audit did not audit `jinja2`",
    );
    // A report cut short is unreadable.
    let mut cut = audit_fixture("npm-audit.json");
    cut.truncate(cut.len() / 2);
    let path = "scans/npm-audit-cut.json";
    let (_dir, graph) = bundle(&[], &[(path, &cut)]);
    assert_eq!(graph.unreadable().len(), 1);
    assert_fails_naming(&run(&graph, NO_AFFECTED), path, "npm-audit");
}

#[test]
fn an_unreadable_attestation_fails_manual_controls() {
    let (_dir, graph) = bundle(&[("attestations/rollback.toml", b"\n[attestation\n")], &[]);
    let result = run(&graph, "manual \"rollback plan tested\" within 90 days");
    assert_fails_naming(&result, "attestations/rollback.toml", "attestation");
}

#[test]
fn the_release_vulnerability_evidence_is_fed_by_vulnerability_files() {
    let (_dir, graph) = bundle(
        &[("release.toml", b""), ("vulnerabilities.toml", b"junk =\n")],
        &[],
    );
    // Reads only `release.vulnerability_evidence`, not the `vulnerabilities` root.
    let result = run(
        &graph,
        "expect count(e in release.vulnerability_evidence) >= 0",
    );
    assert_fails_naming(&result, "vulnerabilities.toml", "vuln-register");
}

#[test]
fn unreadable_findings_past_the_cap_are_counted_and_still_fail() {
    // One finding per unreadable file, at most MAX_CONTROL_FINDINGS listed: the rest are
    // counted in `findings_omitted`, and the control fails whatever waivers say.
    let scan =
        std::fs::read(compliant().join("scans/testssl-downloads.acme.example.json")).unwrap();
    let mut damaged = scan.clone();
    damaged.push(b'x');
    let extra = 5;
    let n = vouch_engine::report::MAX_CONTROL_FINDINGS + extra;
    let names: Vec<String> = (0..n).map(|i| format!("scans/tls-{i:05}.json")).collect();
    let written: Vec<(&str, &[u8])> = names
        .iter()
        .map(|name| (name.as_str(), damaged.as_slice()))
        .collect();
    let (_dir, graph) = bundle(&[], &written);
    assert_eq!(graph.unreadable().len(), n);
    let result = run(&graph, NO_TLS_1_0);
    assert_eq!(result.status, Status::Fail);
    assert_eq!(
        result.findings.len(),
        vouch_engine::report::MAX_CONTROL_FINDINGS
    );
    assert_eq!(result.findings_omitted, extra);
}
