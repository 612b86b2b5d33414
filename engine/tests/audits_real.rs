//! The dependency-audit tools' own output, made now, offline, and read by vouch:
//!
//! - `npm audit --json` (npm 11, report version 2): the real npm, against a local registry
//!   (`local_http`) that serves the packuments npm reads and answers the bulk advisory endpoint
//!   (`POST /-/npm/v1/security/advisories/bulk`) with advisories made from real GitHub
//!   advisories in the corpus. Everything in the report is npm's: which installed versions
//!   the ranges hit, the via/effects graph, `fixAvailable`.
//! - `pip-audit -f json` (pip-audit 2.10): the real pip-audit CLI with `--service osv
//!   --osv-url` pointed at a local OSV query API that answers with the corpus's real OSV
//!   record PYSEC-2023-74 (requests) when OSV would (the queried version is in its `versions`).
//!   pip-audit's own code parses the record, picks the fixing versions and writes the JSON.
//! - `cargo audit --json`: cargo-audit takes too long to build for CI, so its report is made by
//!   the library it uses: `rustsec::Report::generate` over a local advisory database
//!   (`crates/<crate>/RUSTSEC-*.md`: the corpus's RUSTSEC-2022-0041, and RUSTSEC-2021-0078
//!   written in RustSec's format from the corpus's OSV export of it) and a Cargo.lock, with
//!   cargo-audit's default settings, serialised with `serde_json` as cargo-audit's presenter
//!   does. Only the report's `database` member is written here: rustsec builds it only with
//!   its git feature, and for a database opened from a directory (`--no-fetch`) it is the
//!   advisory count with no commit.
//!
//! Each skips, with the reason, when its tool or the corpus is absent.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use crate::common;
use crate::local_http::{LocalHttp, Seen};

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use vouch_engine::EvidenceGraph;
use vouch_engine::formats::audit_tools::NpmAuditFormat;
use vouch_engine::formats::{Evidence, EvidenceFormat, EvidenceKind, ParseInput};
use vouch_engine::report::Status;
use vouch_engine::vulns::{Band, VulnDocument};

const AS_OF: &str = "2026-10-02T00:00:00Z";

/// The statements and scan time vouch reads from `bytes` with `format`; panics on findings.
pub(crate) fn read(format: &dyn EvidenceFormat, bytes: &[u8]) -> VulnDocument {
    let parsed = format.parse(&ParseInput {
        path: "scans/audit.json",
        bytes,
    });
    assert!(parsed.findings.is_empty(), "{:#?}", parsed.findings);
    match parsed.evidence {
        Some(Evidence::Vulnerabilities(doc)) => doc,
        other => panic!("not a scan: {other:?}"),
    }
}

/// The body of the standard pack's control `name` (below its `tags` line).
fn pack_control(name: &str) -> String {
    let pack = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../stdlib-policies/uk-sscop/uk_sscop.vouch"),
    )
    .unwrap();
    let start = pack.find(&format!("control \"{name}\"")).unwrap();
    let body_start = start + pack[start..].find("tags = ").unwrap();
    let body_start = body_start + pack[body_start..].find('\n').unwrap() + 1;
    let end = start + pack[start..].find("\n}\n").unwrap();
    pack[body_start..end].to_owned()
}

/// A bundle of a release dated 2026-10-01T12:00:00Z and the report at `scans/<name>`.
pub(crate) fn bundle(dir: &Path, name: &str, report: &[u8]) -> EvidenceGraph {
    common::write(
        dir,
        "release.toml",
        b"[release]\nproduct = \"app\"\nversion = \"1.0.0\"\n\
          date = 2026-10-01T12:00:00Z\nartifacts = []\n",
    );
    common::write(dir, &format!("scans/{name}"), report);
    let graph = common::ingest(dir);
    assert!(graph.unreadable().is_empty(), "{:?}", graph.findings());
    graph
}

/// The evidence kind vouch gave `scans/<name>` in `graph`.
pub(crate) fn kind_of(graph: &EvidenceGraph, name: &str) -> Option<EvidenceKind> {
    let path = format!("scans/{name}");
    graph.files().find(|(_, f)| f.path == path).unwrap().1.kind
}

/// What the merged vulnerabilities are, one line each: id, severity, CVSS vector, fixing
/// version, status.
pub(crate) fn vulnerabilities(graph: &EvidenceGraph) -> Vec<String> {
    let result = common::run_control(
        graph,
        AS_OF,
        "",
        "  for v in vulnerabilities {\n    expect false else \"{v.id} {v.severity ?? critical} \
         {v.cvss_vector ?? \"-\"} {v.fixed_in ?? \"-\"} {v.status}\"\n  }",
    );
    let mut shown: Vec<String> = result.findings.into_iter().map(|f| f.message).collect();
    shown.sort();
    shown
}

/// VULN-SCAN of the standard pack over `report` as it is (no scan time: it fails, saying
/// the tool records none) and with the `scanned_at` the release job adds (it passes).
pub(crate) fn vuln_scan_needs_the_wrapper(name: &str, report: &[u8]) {
    let params = "param scan_max_age: duration = 7d";
    let body = pack_control("VULN-SCAN");
    let tmp = tempfile::tempdir().unwrap();
    let result = common::run_control(&bundle(tmp.path(), name, report), AS_OF, params, &body);
    assert_eq!(result.status, Status::Fail, "{result:#?}");
    assert!(
        result.findings[0].message.ends_with(
            "1 without a scan time: OSV-Scanner, npm audit, pip-audit and cargo audit record none)"
        ),
        "{result:#?}"
    );
    // What the book's wrapper does: `jq --arg t "$(date -u ...)" '. + {scanned_at: $t}'`.
    let mut stamped: Value = serde_json::from_slice(report).unwrap();
    stamped["scanned_at"] = json!("2026-10-01T11:50:00Z");
    let tmp = tempfile::tempdir().unwrap();
    let graph = bundle(tmp.path(), name, &serde_json::to_vec(&stamped).unwrap());
    let result = common::run_control(&graph, AS_OF, params, &body);
    assert_eq!(result.status, Status::Pass, "{result:#?}");
}

/// npm's registry advisory (as the bulk endpoint answers) for an OSV record of GitHub's
/// advisory database: `vulnerable_versions` from its ECOSYSTEM range, the severity GitHub
/// gives (npm says `moderate` for GitHub's `medium`), its CWEs, and no CVSS (`score` 0,
/// `vectorString` null, as npm's registry writes an advisory without one).
fn npm_advisory_from_osv(id: u64, osv: &Value) -> Value {
    let events = osv["affected"][0]["ranges"][0]["events"]
        .as_array()
        .unwrap();
    let mut range = Vec::new();
    for e in events {
        match (e["introduced"].as_str(), e["fixed"].as_str()) {
            (Some(i), _) if i != "0" => range.push(format!(">={i}")),
            (_, Some(f)) => range.push(format!("<{f}")),
            _ => {}
        }
    }
    json!({
        "id": id,
        "url": format!("https://github.com/advisories/{}", osv["id"].as_str().unwrap()),
        "title": osv["summary"],
        "severity": osv["database_specific"]["severity"].as_str().unwrap().to_lowercase(),
        "vulnerable_versions": range.join(" "),
        "cwe": osv["database_specific"]["cwe_ids"],
        "cvss": {"score": 0, "vectorString": null},
    })
}

/// The same from a GitHub security advisory as a Dependabot alert carries it.
fn npm_advisory_from_ghsa(id: u64, ghsa: &Value) -> Value {
    let severity = match ghsa["severity"].as_str().unwrap() {
        "medium" => "moderate",
        other => other,
    };
    json!({
        "id": id,
        "url": format!("https://github.com/advisories/{}", ghsa["ghsa_id"].as_str().unwrap()),
        "title": ghsa["summary"],
        "severity": severity,
        "vulnerable_versions": ghsa["vulnerabilities"][0]["vulnerable_version_range"],
        "cwe": ghsa["cwes"].as_array().unwrap().iter().map(|c| c["cwe_id"].clone()).collect::<Vec<_>>(),
        "cvss": {"score": ghsa["cvss"]["score"], "vectorString": ghsa["cvss"]["vector_string"]},
    })
}

/// A packument of `name` with `versions` (each with its dependencies).
fn packument(base: &str, name: &str, versions: &[(&str, Value)]) -> Value {
    let mut map = serde_json::Map::new();
    for (v, deps) in versions {
        map.insert(
            (*v).to_owned(),
            json!({"name": name, "version": v, "dependencies": deps,
                   "dist": {"tarball": format!("{base}/{name}/-/{name}-{v}.tgz")}}),
        );
    }
    let latest = versions.last().unwrap().0;
    json!({"name": name, "dist-tags": {"latest": latest}, "versions": map})
}

/// `npm audit --json` of a project with ip 2.0.0 (GHSA-2p57-rm9w-gvfp: high, no CVSS, fixed
/// in 2.0.1; required as ^2.0.0, so npm can fix it), semver 7.5.1 (GHSA-c2qf-rxjj-qqgw:
/// moderate, CVSS 5.3, fixed in 7.5.2, but pinned by `wrapper`, so npm cannot) and wrapper 1.0.0 (vulnerable only through
/// semver), made by the real npm against the local registry.
#[test]
fn npm_audit_json_made_by_npm_is_read() {
    if !common::have("npm", "npm_audit_json_made_by_npm_is_read") {
        return;
    }
    let Some(corpus) = common::corpus() else {
        eprintln!("skipping npm_audit_json_made_by_npm_is_read: ../shared/corpus is not present");
        return;
    };
    let read_json = |rel: &str| -> Value {
        serde_json::from_slice(&std::fs::read(corpus.join(rel)).unwrap()).unwrap()
    };
    let ip = read_json("osv/GHSA-2p57-rm9w-gvfp.json");
    let alert = read_json("dependabot/webhook-dependabot_alert-created.payload.json");
    let advisories = json!({
        "ip": [npm_advisory_from_osv(1, &ip)],
        "semver": [npm_advisory_from_ghsa(2, &alert["alert"]["security_advisory"])],
    });
    let base_cell = std::sync::Arc::new(std::sync::OnceLock::<String>::new());
    let server = {
        let base_cell = std::sync::Arc::clone(&base_cell);
        LocalHttp::start(move |req: &Seen| {
            let base = base_cell.get().cloned().unwrap_or_default();
            if req.method == "POST" && req.path == "/-/npm/v1/security/advisories/bulk" {
                // Advisories of the packages asked about, as the registry answers.
                let asked: Value = serde_json::from_slice(&req.body).unwrap_or_default();
                let mut out = serde_json::Map::new();
                for (name, list) in advisories.as_object().unwrap() {
                    if asked.get(name).is_some() {
                        out.insert(name.clone(), list.clone());
                    }
                }
                return (200, Value::Object(out).to_string());
            }
            let doc = match req.path.trim_start_matches('/') {
                "ip" => packument(
                    &base,
                    "ip",
                    &[
                        ("1.1.8", json!({})),
                        ("2.0.0", json!({})),
                        ("2.0.1", json!({})),
                    ],
                ),
                "semver" => packument(
                    &base,
                    "semver",
                    &[("7.5.1", json!({})), ("7.5.2", json!({}))],
                ),
                "wrapper" => packument(&base, "wrapper", &[("1.0.0", json!({"semver": "7.5.1"}))]),
                _ => return (404, r#"{"error":"Not found"}"#.to_owned()),
            };
            (200, doc.to_string())
        })
    };
    base_cell.set(server.base.clone()).unwrap();
    let project = tempfile::tempdir().unwrap();
    common::write(
        project.path(),
        "package.json",
        br#"{"name": "app", "version": "1.0.0",
             "dependencies": {"ip": "2.0.0", "semver": "7.5.1", "wrapper": "1.0.0"}}"#,
    );
    common::write(project.path(), "npmrc", b"");
    let registry = format!("{}/", server.base);
    let npm = |args: &[&str]| {
        Command::new("npm")
            .args(args)
            .args(["--registry", &registry])
            .current_dir(project.path())
            .env("npm_config_userconfig", project.path().join("npmrc"))
            .env("npm_config_cache", project.path().join("cache"))
            .env("npm_config_update_notifier", "false")
            .env("npm_config_fund", "false")
            .output()
            .unwrap()
    };
    let lock = npm(&[
        "install",
        "--package-lock-only",
        "--ignore-scripts",
        "--no-audit",
    ]);
    assert!(
        lock.status.success(),
        "{}",
        String::from_utf8_lossy(&lock.stderr)
    );
    // ip's requirement widened to ^2.0.0 with 2.0.0 still locked: `npm audit fix` can move it
    // to 2.0.1 within the requirement (`fixAvailable: true`, no version named).
    common::write(
        project.path(),
        "package.json",
        br#"{"name": "app", "version": "1.0.0",
             "dependencies": {"ip": "^2.0.0", "semver": "7.5.1", "wrapper": "1.0.0"}}"#,
    );
    // The command the book gives. npm exits 1 when it finds vulnerabilities.
    let out = npm(&["audit", "--json"]);
    let report = out.stdout;
    let bulk: Vec<Seen> = server
        .seen()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(bulk.len(), 1, "{}", String::from_utf8_lossy(&report));
    let asked: Value = serde_json::from_slice(&bulk[0].body).unwrap();
    assert_eq!(
        asked,
        json!({"ip": ["2.0.0"], "semver": ["7.5.1"], "wrapper": ["1.0.0"]})
    );
    let parsed: Value = serde_json::from_slice(&report).unwrap();
    assert_eq!(parsed["auditReportVersion"], 2, "{parsed:#}");
    assert_eq!(
        parsed["vulnerabilities"]["wrapper"]["via"],
        json!(["semver"])
    );
    assert_eq!(parsed["vulnerabilities"]["ip"]["fixAvailable"], true);
    assert_eq!(parsed["vulnerabilities"]["semver"]["fixAvailable"], false);

    // The reader: one statement per advisory (wrapper's `via` names semver's).
    let doc = read(&NpmAuditFormat, &report);
    assert_eq!(doc.produced_at, None, "npm audit records no scan time");
    let s = &doc.statements;
    assert_eq!(s.len(), 2, "{s:#?}");
    assert_eq!(s[0].id, "GHSA-2p57-rm9w-gvfp");
    assert_eq!(s[0].package.as_deref(), Some("ip"));
    assert_eq!(s[0].severity, Some(Band::High));
    assert!(
        s[0].cvss.is_empty(),
        "npm's score 0 without a vector is no CVSS"
    );
    assert_eq!(s[0].fixed_in.as_deref(), Some("2.0.1"));
    assert_eq!(s[1].id, "GHSA-c2qf-rxjj-qqgw");
    assert_eq!(s[1].package.as_deref(), Some("semver"));
    assert_eq!(s[1].severity, Some(Band::Medium));
    assert_eq!(
        s[1].cvss[0].vector,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"
    );
    assert_eq!(s[1].cvss[0].score, Some(5.3));
    // Fix availability is the advisory's, as for the other tools: npm's `fixAvailable` says
    // only whether `npm audit fix` can apply it in this tree (wrapper pins semver).
    assert_eq!(s[1].fixed_in.as_deref(), Some("7.5.2"));
    // npm's report names the vulnerable range and the tree locations, not the installed
    // version.
    assert!(s.iter().all(|s| s.installed.is_none()));

    // In a bundle: the vulnerabilities the controls see, and VULN-SCAN on its scan time.
    let tmp = tempfile::tempdir().unwrap();
    let graph = bundle(tmp.path(), "npm-audit.json", &report);
    assert_eq!(
        kind_of(&graph, "npm-audit.json"),
        Some(EvidenceKind::NpmAudit)
    );
    assert_eq!(
        vulnerabilities(&graph),
        [
            "GHSA-2P57-RM9W-GVFP high - 2.0.1 affected",
            "GHSA-C2QF-RXJJ-QQGW medium CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L 7.5.2 affected",
        ]
    );
    vuln_scan_needs_the_wrapper("npm-audit.json", &report);
}

/// `npm audit --json` when the registry refuses the audit (as this machine's registry does:
/// 405): npm writes its error as JSON on stdout. In a bundle that is an audit that did not run,
/// never a clean one.
#[test]
fn npm_audit_error_json_is_an_audit_that_did_not_run() {
    if !common::have("npm", "npm_audit_error_json_is_an_audit_that_did_not_run") {
        return;
    }
    let server = LocalHttp::start(|req: &Seen| {
        if req.method == "POST" {
            (405, r#"{"error":"Method not allowed"}"#.to_owned())
        } else {
            (404, r#"{"error":"Not found"}"#.to_owned())
        }
    });
    let project = tempfile::tempdir().unwrap();
    common::write(
        project.path(),
        "package.json",
        br#"{"name": "app", "version": "1.0.0", "dependencies": {"ip": "2.0.0"}}"#,
    );
    common::write(
        project.path(),
        "package-lock.json",
        br#"{"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
             "packages": {"": {"name": "app", "version": "1.0.0", "dependencies": {"ip": "2.0.0"}},
                          "node_modules/ip": {"version": "2.0.0"}}}"#,
    );
    common::write(project.path(), "npmrc", b"");
    let out = Command::new("npm")
        .args([
            "audit",
            "--json",
            "--registry",
            &format!("{}/", server.base),
        ])
        .current_dir(project.path())
        .env("npm_config_userconfig", project.path().join("npmrc"))
        .env("npm_config_cache", project.path().join("cache"))
        .env("npm_config_update_notifier", "false")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["statusCode"], 405, "{report:#}");

    let tmp = tempfile::tempdir().unwrap();
    common::write(tmp.path(), "scans/npm-audit.json", &out.stdout);
    let graph = common::ingest(tmp.path());
    assert_eq!(
        kind_of(&graph, "npm-audit.json"),
        Some(EvidenceKind::NpmAudit)
    );
    let u = graph.unreadable();
    assert_eq!(u.len(), 1, "{:?}", graph.findings());
    let result = common::run_control(
        &graph,
        AS_OF,
        "",
        "for v in vulnerabilities {\n expect v.status != affected else \"{v.id}\"\n} when empty: pass",
    );
    assert_eq!(result.status, Status::Fail, "{result:#?}");
    assert!(
        result.findings[0]
            .message
            .contains("npm audit did not run: 405 Method Not Allowed"),
        "{result:#?}"
    );
}
