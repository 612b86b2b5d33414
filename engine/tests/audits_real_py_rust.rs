//! pip-audit's and cargo-audit's real JSON, made now offline and read by vouch (how each is
//! made: `audits_real`'s module comment).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use crate::audits_real::{bundle, kind_of, read, vuln_scan_needs_the_wrapper, vulnerabilities};
use crate::common;
use crate::local_http::{LocalHttp, Seen};

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use vouch_engine::formats::EvidenceKind;
use vouch_engine::formats::audit_tools::{CargoAuditFormat, PipAuditFormat};

/// The pip-audit to run: `$VOUCH_PIP_AUDIT` (.ci/run installs it in a venv), else
/// `pip-audit` on the PATH; `None`, with the reason printed, when there is neither.
fn pip_audit(test: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("VOUCH_PIP_AUDIT") {
        return Some(PathBuf::from(path));
    }
    common::have("pip-audit", test).then(|| PathBuf::from("pip-audit"))
}

/// `pip-audit -r requirements.txt -f json` of requests 2.30.0 (PYSEC-2023-74, fixed in
/// 2.31.0) and idna 3.4 (no advisory), by the real pip-audit asking a local OSV API.
#[test]
fn pip_audit_json_made_by_pip_audit_is_read() {
    let test = "pip_audit_json_made_by_pip_audit_is_read";
    let Some(pip_audit) = pip_audit(test) else {
        return;
    };
    let Some(corpus) = common::corpus() else {
        eprintln!("skipping {test}: ../shared/corpus is not present");
        return;
    };
    let record: Value =
        serde_json::from_slice(&std::fs::read(corpus.join("osv/PYSEC-2023-74.json")).unwrap())
            .unwrap();
    // OSV's `POST /v1/query` {package: {name, ecosystem}, version}: the records whose affected
    // package is that one and whose `versions` list the version, as OSV answers.
    let server = LocalHttp::start(move |req: &Seen| {
        let q: Value = serde_json::from_slice(&req.body).unwrap_or_default();
        let hit = record["affected"].as_array().unwrap().iter().any(|a| {
            a["package"]["ecosystem"] == q["package"]["ecosystem"]
                && a["package"]["name"] == q["package"]["name"]
                && a["versions"]
                    .as_array()
                    .is_some_and(|v| v.contains(&q["version"]))
        });
        let answer = if hit {
            json!({"vulns": [record.clone()]})
        } else {
            json!({})
        };
        (200, answer.to_string())
    });
    let work = tempfile::tempdir().unwrap();
    common::write(
        work.path(),
        "requirements.txt",
        b"requests==2.30.0\nidna==3.4\n",
    );
    let out = Command::new(&pip_audit)
        .args(["-r", "requirements.txt", "--no-deps", "--disable-pip"])
        .args(["--progress-spinner", "off", "--cache-dir", "cache"])
        .args([
            "-s",
            "osv",
            "--osv-url",
            &format!("{}/v1/query", server.base),
        ])
        .args(["-f", "json", "-o", "pip-audit.json"])
        .current_dir(work.path())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", pip_audit.display()));
    // pip-audit exits 1 when it finds vulnerabilities.
    let report = std::fs::read(work.path().join("pip-audit.json")).unwrap_or_else(|e| {
        panic!(
            "pip-audit wrote no report ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let asked: Vec<Value> = server
        .seen()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(asked.len(), 2, "{asked:?}");
    let parsed: Value = serde_json::from_slice(&report).unwrap();
    assert_eq!(parsed["dependencies"][0]["vulns"][0]["id"], "PYSEC-2023-74");

    let doc = read(&PipAuditFormat, &report);
    assert_eq!(doc.produced_at, None, "pip-audit records no scan time");
    let s = &doc.statements;
    assert_eq!(s.len(), 1, "{s:#?}");
    assert_eq!(s[0].id, "PYSEC-2023-74");
    // pip-audit keeps aliases in a set: their order changes from run to run.
    let mut aliases = s[0].aliases.clone();
    aliases.sort();
    assert_eq!(aliases, ["CVE-2023-32681", "GHSA-j8r2-6x86-q33q"]);
    assert_eq!(s[0].package.as_deref(), Some("requests"));
    assert_eq!(s[0].installed.as_deref(), Some("2.30.0"));
    assert_eq!(s[0].fixed_in.as_deref(), Some("2.31.0"));
    assert_eq!(s[0].severity, None, "pip-audit states no severity");
    assert!(s[0].cvss.is_empty());

    let tmp = tempfile::tempdir().unwrap();
    let graph = bundle(tmp.path(), "pip-audit.json", &report);
    assert_eq!(
        kind_of(&graph, "pip-audit.json"),
        Some(EvidenceKind::PipAudit)
    );
    // Unknown severity is held to critical's SLA.
    assert_eq!(
        vulnerabilities(&graph),
        ["CVE-2023-32681 critical - 2.31.0 affected"]
    );
    vuln_scan_needs_the_wrapper("pip-audit.json", &report);
}

/// RUSTSEC-2021-0078 in RustSec's advisory format, from its OSV export in the corpus (the
/// export carries the same id, package, date, aliases, CVSS vector, patched version and
/// text).
fn rustsec_md_from_osv(osv: &Value) -> String {
    let affected = &osv["affected"][0];
    let fixed = affected["ranges"][0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|e| e["fixed"].as_str())
        .unwrap();
    let aliases: Vec<String> = osv["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| format!("{a}"))
        .collect();
    format!(
        "```toml\n[advisory]\nid = {id}\npackage = {package}\ndate = \"{date}\"\n\
         cvss = {cvss}\naliases = [{aliases}]\n\n[versions]\npatched = [\">= {fixed}\"]\n```\n\n\
         # {title}\n\n{details}\n",
        id = osv["id"],
        package = affected["package"]["name"],
        date = &osv["published"].as_str().unwrap()[..10],
        cvss = affected["database_specific"]["cvss"],
        aliases = aliases.join(", "),
        title = osv["summary"].as_str().unwrap(),
        details = osv["details"].as_str().unwrap(),
    )
}

/// cargo-audit's JSON report (`cargo audit --db DB --no-fetch --json`) of `lockfile` against
/// the advisory database at `db`, made by rustsec as cargo-audit makes it (module comment).
fn cargo_audit_json(db: &Path, lockfile: &Path) -> Vec<u8> {
    let database = rustsec::Database::open(db).unwrap();
    let lockfile = rustsec::Lockfile::load(lockfile).unwrap();
    // cargo-audit's default settings (its `AuditConfig::report_settings`): every target, no
    // severity threshold, nothing ignored, warnings for all three informational kinds.
    let settings = rustsec::report::Settings {
        informational_warnings: vec![
            rustsec::advisory::Informational::Unmaintained,
            rustsec::advisory::Informational::Unsound,
            rustsec::advisory::Informational::Notice,
        ],
        ..rustsec::report::Settings::default()
    };
    let report = rustsec::Report::generate(&database, &lockfile, &settings);
    let rest = serde_json::to_string(&report).unwrap();
    let database = json!({
        "advisory-count": database.iter().count(),
        "last-commit": null,
        "last-updated": null,
    });
    format!("{{\"database\":{database},{}", &rest[1..]).into_bytes()
}

/// `cargo audit --json` of a Cargo.lock with hyper 0.14.9 (RUSTSEC-2021-0078: a vulnerability
/// with a CVSS vector, patched in 0.14.10) and crossbeam-utils 0.8.6 (RUSTSEC-2022-0041:
/// `informational = "unsound"` with a CVE, which cargo audit lists under `warnings.unsound`).
#[test]
fn cargo_audit_json_made_by_rustsec_is_read() {
    let Some(corpus) = common::corpus() else {
        eprintln!(
            "skipping cargo_audit_json_made_by_rustsec_is_read: ../shared/corpus is not present"
        );
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let db = work.path().join("advisory-db");
    common::write(
        &db,
        "crates/crossbeam-utils/RUSTSEC-2022-0041.md",
        &std::fs::read(corpus.join("rustsec/RUSTSEC-2022-0041.md")).unwrap(),
    );
    let hyper: Value =
        serde_json::from_slice(&std::fs::read(corpus.join("osv/RUSTSEC-2021-0078.json")).unwrap())
            .unwrap();
    common::write(
        &db,
        "crates/hyper/RUSTSEC-2021-0078.md",
        rustsec_md_from_osv(&hyper).as_bytes(),
    );
    let registry = "source = \"registry+https://github.com/rust-lang/crates.io-index\"";
    let lock = common::write(
        work.path(),
        "Cargo.lock",
        format!(
            "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"1.0.0\"\n\
             dependencies = [\n \"crossbeam-utils\",\n \"hyper\",\n]\n\n\
             [[package]]\nname = \"crossbeam-utils\"\nversion = \"0.8.6\"\n{registry}\n\n\
             [[package]]\nname = \"hyper\"\nversion = \"0.14.9\"\n{registry}\n"
        )
        .as_bytes(),
    );
    let report = cargo_audit_json(&db, &lock);
    let parsed: Value = serde_json::from_slice(&report).unwrap();
    assert_eq!(parsed["vulnerabilities"]["count"], 1, "{parsed:#}");
    assert_eq!(
        parsed["warnings"]["unsound"][0]["advisory"]["id"],
        "RUSTSEC-2022-0041"
    );

    let doc = read(&CargoAuditFormat, &report);
    assert_eq!(doc.produced_at, None, "cargo audit records no scan time");
    let mut s = doc.statements.clone();
    s.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(
        s.len(),
        2,
        "the unsound advisory is a vulnerability too: {s:#?}"
    );
    assert_eq!(s[0].id, "RUSTSEC-2021-0078");
    assert_eq!(s[0].aliases, ["CVE-2021-32715", "GHSA-f3pg-qwvg-p99c"]);
    assert_eq!(s[0].package.as_deref(), Some("hyper"));
    assert_eq!(s[0].installed.as_deref(), Some("0.14.9"));
    assert_eq!(s[0].fixed_in.as_deref(), Some("0.14.10"));
    assert_eq!(
        s[0].cvss[0].vector,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N"
    );
    assert_eq!(s[1].id, "RUSTSEC-2022-0041");
    assert_eq!(s[1].aliases, ["GHSA-qc84-gqf4-9926", "CVE-2022-23639"]);
    assert_eq!(s[1].package.as_deref(), Some("crossbeam-utils"));
    assert_eq!(s[1].installed.as_deref(), Some("0.8.6"));
    assert_eq!(s[1].fixed_in.as_deref(), Some("0.8.7"));

    let tmp = tempfile::tempdir().unwrap();
    let graph = bundle(tmp.path(), "cargo-audit.json", &report);
    assert_eq!(
        kind_of(&graph, "cargo-audit.json"),
        Some(EvidenceKind::CargoAudit)
    );
    assert_eq!(
        vulnerabilities(&graph),
        [
            "CVE-2021-32715 medium CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N 0.14.10 affected",
            "CVE-2022-23639 critical - 0.8.7 affected",
        ]
    );
    vuln_scan_needs_the_wrapper("cargo-audit.json", &report);
}
