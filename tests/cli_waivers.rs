//! Signed, scoped waivers (#14), end to end on the waived example: a waivers file counts only
//! with a valid signature by a trusted key made no later than `as_of`; a waiver accepts only
//! the findings it names (by fingerprint or exact subject), never one that appears later; it
//! lasts no longer than the policy's maximum; it never waives missing evidence by default;
//! and its `approver` must be the signer. Signatures are made here with GnuPG and the
//! examples' TEST-ONLY keys (the test skips, saying so, only when gpg is missing).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::path::{Path, PathBuf};

use crate::common::copy_dir;
use common::{have_gpg, root, sign, temp_dir, transcript, vouch};
use serde_json::Value;

const TRUST: &[&str] = &[
    "examples/keys/TEST-ONLY-widget-release.pub.asc",
    "examples/keys/TEST-ONLY-widget-release.minisign.pub",
    "examples/keys/TEST-ONLY-widget-build.pub.pem",
    "examples/keys/TEST-ONLY-priya-shah.pub.asc",
];

/// The TLS-ONLY finding of the waived example (the plain-http legacy mirror).
const HTTP_MIRROR: &str = "http://legacy-mirror.acme.example/widget/2.3.5/widget-2.3.5.tar.gz";

/// A scratch directory for one test: `waivers.toml` with `text`, and a copy of the waived
/// bundle at `bundle/`.
fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = temp_dir(&format!("waivers-{name}"));
    std::fs::write(dir.join("waivers.toml"), text).unwrap();
    copy_dir(&root().join("examples/bundles/waived"), &dir.join("bundle"));
    dir
}

/// `vouch evaluate` of the scratch bundle with its waivers; the exit code and the report.
fn evaluate(dir: &Path, trust: &[&str]) -> (i32, Value) {
    let bundle = dir.join("bundle");
    let waivers = dir.join("waivers.toml");
    let mut args = vec![
        "evaluate",
        "--policy",
        "examples/policies/acme.vouch",
        "--bundle",
        bundle.to_str().unwrap(),
        "--as-of",
        "2026-10-02",
        "--waivers",
        waivers.to_str().unwrap(),
        "--format",
        "json",
    ];
    for t in trust {
        args.extend(["--trust", t]);
    }
    let out = vouch(&args);
    let code = out.status.code().unwrap();
    assert!(code == 0 || code == 1, "{}", transcript(&out));
    (code, serde_json::from_slice(&out.stdout).unwrap())
}

fn control<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()
}

fn waiver<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["waivers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == id)
        .unwrap_or_else(|| panic!("no waiver {id}: {report}"))
}

/// The fingerprints of a control's findings in an evaluation without waivers.
fn fingerprints(dir: &Path, id: &str) -> Vec<String> {
    std::fs::write(dir.join("waivers.toml"), "").unwrap();
    sign(
        "TEST-ONLY-priya-shah.sec.asc",
        "20260920T100000",
        &dir.join("waivers.toml"),
    );
    let (_, report) = evaluate(dir, TRUST);
    control(&report, id)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap().to_owned())
        .collect()
}

fn one_waiver(control: &str, names: &str, effective: &str, expires: &str) -> String {
    format!(
        "[[waiver]]\nid = \"W-1\"\ncontrol = \"{control}\"\n{names}\n\
         justification = \"accepted for the test\"\neffective = {effective}\nexpires = {expires}\n"
    )
}

fn tls_waiver() -> String {
    one_waiver(
        "TLS-ONLY",
        &format!("subject = \"{HTTP_MIRROR}\""),
        "2026-09-15",
        "2026-12-31",
    )
}

/// Asserts the waivers file was refused for `why`, and that nothing was waived.
fn assert_refused(report: &Value, why: &str) {
    let file = &report["waiver_files"][0];
    assert_eq!(file["approved"], false, "{file}");
    assert!(
        file["reason"].as_str().unwrap().contains(why),
        "expected `{why}`: {file}"
    );
    let w = waiver(report, "W-1");
    assert_eq!(w["state"], "refused", "{w}");
    assert!(w["reason"].as_str().unwrap().contains(why), "{w}");
    assert_eq!(control(report, "TLS-ONLY")["status"], "fail");
    assert_eq!(report["summary"]["waived"], 0);
}

#[test]
fn a_signed_waiver_applies_and_records_its_approver_and_decision() {
    if !have_gpg() {
        return;
    }
    let dir = scratch("signed", &tls_waiver());
    sign(
        "TEST-ONLY-priya-shah.sec.asc",
        "20260920T100000",
        &dir.join("waivers.toml"),
    );
    let (_, report) = evaluate(&dir, TRUST);
    assert_eq!(control(&report, "TLS-ONLY")["status"], "waived");
    let w = waiver(&report, "W-1");
    assert_eq!(w["state"], "applied", "{w}");
    assert_eq!(
        w["approver_key_id"],
        "C025C99C77B7650CC792B404F7AA08F7CED3225A"
    );
    assert!(w["approver"].as_str().unwrap().starts_with("Priya Shah"));
    assert_eq!(w["decision"]["allowed"], true);
    assert_eq!(report["waiver_files"][0]["approved"], true);
    // `vouch explain` shows the waiver, its approver and the authority's decision.
    let text = explain(&dir, "TLS-ONLY", TRUST);
    assert!(
        text.contains("waiver W-1 (") && text.contains("applied, 1 finding(s) matched"),
        "{text}"
    );
    assert!(
        text.contains("(key C025C99C77B7650CC792B404F7AA08F7CED3225A)"),
        "{text}"
    );
    assert!(
        text.contains("waive: allowed by the authority: no authority policy"),
        "{text}"
    );
}

/// `vouch explain CONTROL` with the arguments [`evaluate`] gives: its text.
fn explain(dir: &Path, control: &str, trust: &[&str]) -> String {
    let bundle = dir.join("bundle");
    let waivers = dir.join("waivers.toml");
    let mut args = vec![
        "explain",
        control,
        "--policy",
        "examples/policies/acme.vouch",
        "--bundle",
        bundle.to_str().unwrap(),
        "--as-of",
        "2026-10-02",
        "--waivers",
        waivers.to_str().unwrap(),
    ];
    for t in trust {
        args.extend(["--trust", t]);
    }
    let out = vouch(&args);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn an_unsigned_waivers_file_waives_nothing() {
    let dir = scratch("unsigned", &tls_waiver());
    let (code, report) = evaluate(&dir, TRUST);
    assert_eq!(code, 1);
    assert_refused(&report, "unsigned");
}

#[test]
fn a_waivers_file_signed_by_an_untrusted_key_waives_nothing() {
    if !have_gpg() {
        return;
    }
    // Jo Bloggs's key is not in the trust set; neither is Priya's in the second run.
    let dir = scratch("untrusted", &tls_waiver());
    sign(
        "TEST-ONLY-jo-bloggs.sec.asc",
        "20260920T100000",
        &dir.join("waivers.toml"),
    );
    assert_refused(&evaluate(&dir, TRUST).1, "untrusted key");
    sign(
        "TEST-ONLY-priya-shah.sec.asc",
        "20260920T100000",
        &dir.join("waivers.toml"),
    );
    assert_refused(&evaluate(&dir, &TRUST[..3]).1, "untrusted key");
}

#[test]
fn a_waivers_file_edited_after_signing_waives_nothing() {
    if !have_gpg() {
        return;
    }
    let dir = scratch("edited", &tls_waiver());
    let file = dir.join("waivers.toml");
    sign("TEST-ONLY-priya-shah.sec.asc", "20260920T100000", &file);
    let edited = tls_waiver().replace("2026-12-31", "2027-06-30");
    std::fs::write(&file, edited).unwrap();
    assert_refused(&evaluate(&dir, TRUST).1, "bad signature");
}

#[test]
fn a_waivers_file_signed_after_as_of_waives_nothing() {
    if !have_gpg() {
        return;
    }
    let dir = scratch("late", &tls_waiver());
    sign(
        "TEST-ONLY-priya-shah.sec.asc",
        "20261005T120000",
        &dir.join("waivers.toml"),
    );
    assert_refused(&evaluate(&dir, TRUST).1, "signed after as_of");
}

/// A new ftp:// mirror added to release.toml after the waiver was approved.
fn add_ftp_mirror(dir: &Path) {
    let release = dir.join("bundle/release.toml");
    let mut text = std::fs::read_to_string(&release).unwrap();
    text.push_str(
        "\n[[distribution]]\nurl = \"ftp://ftp.acme.example/widget/2.3.5/widget-2.3.5.tar.gz\"\n",
    );
    std::fs::write(release, text).unwrap();
}

#[test]
fn a_waiver_by_fingerprint_does_not_cover_a_finding_that_appears_later() {
    if !have_gpg() {
        return;
    }
    let dir = scratch("fingerprint-new-mirror", "");
    let named = fingerprints(&dir, "TLS-ONLY");
    assert_eq!(named.len(), 1);
    let text = one_waiver(
        "TLS-ONLY",
        &format!("findings = [\"{}\"]", named[0]),
        "2026-09-15",
        "2026-12-31",
    );
    std::fs::write(dir.join("waivers.toml"), text).unwrap();
    sign(
        "TEST-ONLY-priya-shah.sec.asc",
        "20260920T100000",
        &dir.join("waivers.toml"),
    );
    // Before: the finding it names is waived.
    let (_, report) = evaluate(&dir, TRUST);
    assert_eq!(control(&report, "TLS-ONLY")["status"], "waived");
    // After a mirror is added, the new finding is not the one it named.
    add_ftp_mirror(&dir);
    let (code, report) = evaluate(&dir, TRUST);
    assert_eq!(code, 1);
    let tls = control(&report, "TLS-ONLY");
    assert_eq!(tls["status"], "fail");
    let ftp = tls["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["message"].as_str().unwrap().starts_with("ftp://"))
        .unwrap();
    assert!(ftp.get("waived_by").is_none(), "{ftp}");
    assert_ne!(ftp["fingerprint"], named[0].as_str());
}

#[test]
fn a_waiver_by_subject_does_not_cover_a_new_mirror() {
    if !have_gpg() {
        return;
    }
    let dir = scratch("subject-new-mirror", &tls_waiver());
    sign(
        "TEST-ONLY-priya-shah.sec.asc",
        "20260920T100000",
        &dir.join("waivers.toml"),
    );
    add_ftp_mirror(&dir);
    let (code, report) = evaluate(&dir, TRUST);
    assert_eq!(code, 1);
    let tls = control(&report, "TLS-ONLY");
    assert_eq!(tls["status"], "fail");
    for f in tls["findings"].as_array().unwrap() {
        let waived = f.get("waived_by").is_some();
        assert_eq!(f["subject"] == HTTP_MIRROR, waived, "{f}");
    }
    assert_eq!(waiver(&report, "W-1")["matched"], 1);
}

#[test]
fn a_waiver_longer_than_the_maximum_lifetime_is_invalid() {
    if !have_gpg() {
        return;
    }
    let text = one_waiver(
        "TLS-ONLY",
        &format!("subject = \"{HTTP_MIRROR}\""),
        "2026-09-15",
        "9999-12-31",
    );
    let dir = scratch("forever", &text);
    sign(
        "TEST-ONLY-priya-shah.sec.asc",
        "20260920T100000",
        &dir.join("waivers.toml"),
    );
    let (code, report) = evaluate(&dir, TRUST);
    assert_eq!(code, 1);
    let w = waiver(&report, "W-1");
    assert_eq!(w["state"], "invalid", "{w}");
    assert!(
        w["reason"]
            .as_str()
            .unwrap()
            .contains("longer than the maximum lifetime of 12 months"),
        "{w}"
    );
    assert_eq!(control(&report, "TLS-ONLY")["status"], "fail");
}

#[test]
fn a_waiver_of_missing_evidence_is_denied_without_an_authority_policy() {
    if !have_gpg() {
        return;
    }
    let dir = scratch("missing-evidence", "");
    for gone in ["scans/trivy-widget-2.3.5.json", "vulnerabilities.toml"] {
        std::fs::remove_file(dir.join("bundle").join(gone)).unwrap();
    }
    let _ = std::fs::remove_dir_all(dir.join("bundle/vex"));
    let named = fingerprints(&dir, "PATCH-SLA");
    assert!(!named.is_empty());
    let text = one_waiver(
        "PATCH-SLA",
        &format!("findings = [\"{}\"]", named.join("\", \"")),
        "2026-09-15",
        "2026-12-31",
    );
    std::fs::write(dir.join("waivers.toml"), text).unwrap();
    sign(
        "TEST-ONLY-priya-shah.sec.asc",
        "20260920T100000",
        &dir.join("waivers.toml"),
    );
    let (code, report) = evaluate(&dir, TRUST);
    assert_eq!(code, 1);
    let c = control(&report, "PATCH-SLA");
    assert_eq!(c["status"], "fail", "{c}");
    let f = &c["findings"][0];
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .starts_with("no vulnerability evidence"),
        "{f}"
    );
    assert_eq!(f["missing_evidence"], true, "{f}");
    assert!(f.get("waived_by").is_none(), "{f}");
    let w = waiver(&report, "W-1");
    assert_eq!(w["state"], "not_permitted", "{w}");
    assert_eq!(w["missing_evidence_decision"]["allowed"], false, "{w}");
    assert!(w["reason"].as_str().unwrap().contains("--authority"), "{w}");
}

#[test]
fn a_waiver_naming_another_approver_than_the_signer_is_invalid() {
    if !have_gpg() {
        return;
    }
    let text = tls_waiver().replace(
        "justification",
        "approver = \"Dana Whitfield <ciso@acme.example>\"\njustification",
    );
    let dir = scratch("other-approver", &text);
    sign(
        "TEST-ONLY-priya-shah.sec.asc",
        "20260920T100000",
        &dir.join("waivers.toml"),
    );
    let (_, report) = evaluate(&dir, TRUST);
    let w = waiver(&report, "W-1");
    assert_eq!(w["state"], "invalid", "{w}");
    assert!(
        w["reason"]
            .as_str()
            .unwrap()
            .contains("the signer is the approver"),
        "{w}"
    );
    assert_eq!(control(&report, "TLS-ONLY")["status"], "fail");
}

#[test]
fn an_old_waivers_file_with_scope_is_a_located_error_saying_how_to_migrate() {
    let text = "[[waiver]]\ncontrol = \"TLS-ONLY\"\nscope = \"release.toml\"\n\
                justification = \"old\"\napprover = \"ciso\"\neffective = 2026-09-15\n\
                expires = 2026-12-31\n";
    let dir = scratch("scope", text);
    let waivers = dir.join("waivers.toml");
    let out = vouch(&[
        "evaluate",
        "--policy",
        "examples/policies/acme.vouch",
        "--bundle",
        dir.join("bundle").to_str().unwrap(),
        "--as-of",
        "2026-10-02",
        "--waivers",
        waivers.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("waivers.toml:3:9: `scope` is no longer read"),
        "{stderr}"
    );
    assert!(stderr.contains("findings = [\"vf1:...\"]"), "{stderr}");
}

fn have(tool: &str) -> bool {
    let ok = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipped: {tool} is not installed (.ci/run installs it)");
    }
    ok
}

fn run_tool(dir: &Path, program: &str, args: &[&str]) {
    let out = std::process::Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        transcript(&out)
    );
}

#[test]
fn an_ssh_signature_in_namespace_file_approves_and_another_namespace_does_not() {
    if !have("ssh-keygen") {
        return;
    }
    let dir = scratch("ssh", &tls_waiver());
    run_tool(
        &dir,
        "ssh-keygen",
        &["-q", "-t", "ed25519", "-N", "", "-C", "priya", "-f", "key"],
    );
    let public = std::fs::read_to_string(dir.join("key.pub")).unwrap();
    let signers = dir.join("allowed_signers");
    std::fs::write(&signers, format!("priya.shah@acme.example {public}")).unwrap();
    let mut trust: Vec<&str> = TRUST[..3].to_vec();
    trust.push(signers.to_str().unwrap());
    run_tool(
        &dir,
        "ssh-keygen",
        &[
            "-Y",
            "sign",
            "-q",
            "-f",
            "key",
            "-n",
            "file",
            "waivers.toml",
        ],
    );
    let (_, report) = evaluate(&dir, &trust);
    let w = waiver(&report, "W-1");
    assert_eq!(w["state"], "applied", "{report}");
    assert_eq!(report["waiver_files"][0]["signatures"][0]["format"], "ssh");
    // An SSH signature records no time: the file is marked undated, and an authority policy
    // that forbids undated signatures (`context.dated`) does not permit its waivers.
    assert_eq!(report["waiver_files"][0]["undated"], true, "{report}");
    std::fs::write(
        dir.join("dated.cedar"),
        "@id(\"anyone\")\npermit (principal, action, resource);\n\
         @id(\"dated-only\")\nforbid (principal, action, resource) unless { context.dated };\n",
    )
    .unwrap();
    let (bundle, waivers, cedar) = (
        dir.join("bundle"),
        dir.join("waivers.toml"),
        dir.join("dated.cedar"),
    );
    let mut args = vec![
        "evaluate",
        "--policy",
        "examples/policies/acme.vouch",
        "--bundle",
        bundle.to_str().unwrap(),
        "--as-of",
        "2026-10-02",
        "--waivers",
        waivers.to_str().unwrap(),
        "--authority",
        cedar.to_str().unwrap(),
        "--format",
        "json",
    ];
    for t in &trust {
        args.extend(["--trust", t]);
    }
    let out = vouch(&args);
    let strict: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", transcript(&out)));
    let w = waiver(&strict, "W-1");
    assert_eq!(w["state"], "not_permitted", "{w}");
    assert_eq!(w["decision"]["policies"][0], "dated-only", "{w}");
    // Signed for git, not for files: refused.
    std::fs::remove_file(dir.join("waivers.toml.sig")).unwrap();
    run_tool(
        &dir,
        "ssh-keygen",
        &["-Y", "sign", "-q", "-f", "key", "-n", "git", "waivers.toml"],
    );
    assert_refused(&evaluate(&dir, &trust).1, "namespace");
}

#[test]
fn a_minisign_signature_approves_and_its_time_counts() {
    if !have("minisign") {
        return;
    }
    let dir = scratch("minisign", &tls_waiver());
    run_tool(
        &dir,
        "minisign",
        &["-G", "-W", "-p", "key.pub", "-s", "key.sec"],
    );
    let sign = |epoch: &str| {
        let comment = format!("timestamp:{epoch}\tfile:waivers.toml");
        run_tool(
            &dir,
            "minisign",
            &["-S", "-s", "key.sec", "-m", "waivers.toml", "-t", &comment],
        );
    };
    let public = dir.join("key.pub");
    let mut trust: Vec<&str> = TRUST[..3].to_vec();
    trust.push(public.to_str().unwrap());
    sign("1789898400"); // 2026-09-20T10:00:00Z
    let (_, report) = evaluate(&dir, &trust);
    assert_eq!(waiver(&report, "W-1")["state"], "applied", "{report}");
    sign("1791280800"); // 2026-10-06T10:00:00Z, after as_of
    assert_refused(&evaluate(&dir, &trust).1, "signed after as_of");
}
