//! `vouch evaluate` and `vouch explain` end to end: reports on generated bundles, exit
//! codes, waivers at their expiry boundary, attestations, fail-closed loops, errors that do
//! not stop other controls, determinism, and the report's JSON Schema.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::LazyLock;

use common::bundle::{ATTESTER_KEY, Variant, write_bundle};
use common::{root, temp_dir, transcript, vouch};
use serde_json::Value;

const POLICY: &str = "tests/data/eval/policy";
const EDGE: &str = "tests/data/eval/edge.vouch";
const AS_OF: &str = "2026-10-01";

static SCHEMA: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let text =
        std::fs::read_to_string(root().join("engine/schema/vouch-report-1.schema.json")).unwrap();
    jsonschema::draft202012::new(&serde_json::from_str(&text).unwrap()).unwrap()
});

/// Parses a JSON report and checks it against the committed JSON Schema.
fn report(text: &[u8]) -> Value {
    let value: Value = serde_json::from_slice(text).expect("the report is JSON");
    let errors: Vec<String> = SCHEMA
        .iter_errors(&value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "the report breaks its schema: {errors:#?}"
    );
    value
}

fn bundle(name: &str, variant: Variant) -> PathBuf {
    let dir = temp_dir(name);
    write_bundle(&dir, variant, false);
    dir
}

fn evaluate(policy: &str, bundle: &Path, extra: &[&str]) -> Output {
    let b = bundle.to_str().unwrap();
    let mut args = vec![
        "evaluate",
        "--policy",
        policy,
        "--bundle",
        b,
        "--as-of",
        AS_OF,
        "--trust",
        ATTESTER_KEY,
    ];
    args.extend_from_slice(extra);
    vouch(&args)
}

fn control<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no control {id}"))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(
        r#""version": "\d+\.\d+\.\d+[^"]*""#,
        r#""version": "[version]""#,
    );
    s
}

#[test]
fn compliant_bundle_passes_and_exits_0() {
    let dir = bundle("eval-good", Variant::Good);
    let out = evaluate(POLICY, &dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let r = report(&out.stdout);
    assert_eq!(r["summary"]["fail"], 0);
    assert_eq!(control(&r, "RB-1")["status"], "pass");
    assert_eq!(control(&r, "PATCH-1")["status"], "pass");
    assert_eq!(r["attestations"][0]["accepted"], true);
    // Principles no control assesses are listed, not omitted.
    assert_eq!(r["provisions"].as_array().unwrap().len(), 14);
    assert_eq!(r["provisions"][0]["status"], "unassessed");
    settings().bind(|| {
        insta::assert_snapshot!("evaluate_good_json", String::from_utf8_lossy(&out.stdout))
    });
    insta::assert_snapshot!("evaluate_good_stderr", stderr(&out));
}

#[test]
fn failing_bundle_exits_1_with_cited_findings() {
    let dir = bundle("eval-bad", Variant::Bad);
    let out = evaluate(POLICY, &dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    let r = report(&out.stdout);
    let sums = control(&r, "SUMS-1");
    assert_eq!(sums["status"], "fail");
    let messages: Vec<&str> = sums["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.contains(&"dist/widget-2.5.0-extra.tar.gz is not listed in any checksum file")
    );
    assert!(messages.contains(&"SHA256SUMS:2: digest of dist/widget-2.5.0.tar.gz is mismatch"));
    // The mismatch cites the checksum line and the artifact, with its sha256.
    let mismatch = &sums["findings"][2];
    assert_eq!(mismatch["evidence"][0]["path"], "SHA256SUMS");
    assert_eq!(mismatch["evidence"][0]["location"], "line 2");
    assert_eq!(control(&r, "EOL-1")["status"], "fail");
    assert_eq!(control(&r, "RB-1")["status"], "manual");
    assert_eq!(r["attestations"][0]["accepted"], false);
    settings().bind(|| {
        insta::assert_snapshot!("evaluate_bad_json", String::from_utf8_lossy(&out.stdout))
    });
    insta::assert_snapshot!("evaluate_bad_stderr", stderr(&out));
}

#[test]
fn fail_on_ignores_lower_severities() {
    let dir = bundle("eval-fail-on", Variant::Bad);
    assert_eq!(
        evaluate(POLICY, &dir, &["--fail-on", "critical"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        evaluate(POLICY, &dir, &["--fail-on", "high"]).status.code(),
        Some(1)
    );
    // An unattested manual control fails the gate by default; `--allow-manual` relaxes
    // that, and `--fail-on manual` (the default) still works, but not with it.
    let unattested = bundle("eval-fail-on-manual", Variant::Unattested);
    let default = evaluate(POLICY, &unattested, &[]);
    assert_eq!(default.status.code(), Some(1), "{}", transcript(&default));
    assert!(
        stderr(&default).contains("gate: 1 control fail the gate (1 manual)"),
        "{}",
        transcript(&default)
    );
    let strict = evaluate(POLICY, &unattested, &["--fail-on", "manual"]);
    assert_eq!(strict.status.code(), Some(1));
    let relaxed = evaluate(POLICY, &unattested, &["--allow-manual"]);
    assert_eq!(relaxed.status.code(), Some(0), "{}", transcript(&relaxed));
    let both = evaluate(
        POLICY,
        &unattested,
        &["--allow-manual", "--fail-on", "manual"],
    );
    assert_eq!(both.status.code(), Some(2), "{}", transcript(&both));
    let wrong = evaluate(POLICY, &unattested, &["--fail-on", "urgent"]);
    assert_eq!(wrong.status.code(), Some(2));
    // Without the attester's key trusted, the signed attestation does not count either.
    let good = bundle("eval-fail-on-untrusted", Variant::Good);
    let b = good.to_str().unwrap();
    let untrusted = vouch(&[
        "evaluate", "--policy", POLICY, "--bundle", b, "--as-of", AS_OF,
    ]);
    assert_eq!(
        untrusted.status.code(),
        Some(1),
        "{}",
        transcript(&untrusted)
    );
    let r = report(&untrusted.stdout);
    assert_eq!(control(&r, "RB-1")["status"], "manual");
    assert!(
        control(&r, "RB-1")["reason"]
            .as_str()
            .unwrap()
            .contains("untrusted key"),
        "{}",
        control(&r, "RB-1")
    );
}

/// Nothing judged, nothing shipped: a policy with no controls, or a run where every control
/// is not_applicable, exits 1 whatever `--allow-manual` says.
#[test]
fn nothing_judged_fails_the_gate() {
    let dir = bundle("eval-nothing-judged", Variant::Good);
    let policies = temp_dir("eval-nothing-judged-policies");
    let empty = policies.join("empty.vouch");
    std::fs::write(
        &empty,
        "policy \"empty\" { title = \"No controls\" framework = \"uk-sscop\" }\n",
    )
    .unwrap();
    let na = policies.join("na.vouch");
    std::fs::write(
        &na,
        "policy \"na\" { title = \"Nothing applies\" framework = \"uk-sscop\" }\n\
         control \"NA-1\" {\n  title = \"Every known vulnerability has a fix\"\n  \
         provision = [\"3.3\"]\n  severity = high\n  for v in vulnerabilities {\n    \
         expect v.fixed_in != none\n  } when empty: not_applicable\n}\n",
    )
    .unwrap();
    for (policy, why) in [
        (&empty, "the policy has no controls"),
        (&na, "every control is not_applicable"),
    ] {
        for extra in [&[][..], &["--allow-manual"][..]] {
            let out = evaluate(policy.to_str().unwrap(), &dir, extra);
            assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
            assert!(stderr(&out).contains(why), "{}", transcript(&out));
        }
    }
}

#[test]
fn edge_cases() {
    let dir = bundle("eval-edge", Variant::Good);
    let out = evaluate(EDGE, &dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    let r = report(&out.stdout);
    // An overflow makes that control `error`; every other control still ran.
    let overflow = control(&r, "E-OVERFLOW");
    assert_eq!(overflow["status"], "error");
    assert!(
        overflow["reason"].as_str().unwrap().contains("overflows"),
        "{overflow}"
    );
    // A `for` over nothing fails closed ...
    let empty = control(&r, "E-EMPTY");
    assert_eq!(empty["status"], "fail");
    assert_eq!(
        empty["findings"][0]["message"],
        "no evidence of release.sboms"
    );
    // ... unless it says it does not apply.
    assert_eq!(control(&r, "E-NA")["status"], "not_applicable");
    // A presence test fails on a missing value; the comparison after it (which the checker
    // accepts, narrowed by that test) meets `none` at run time, fails too, and the message
    // says what was missing.
    let none = control(&r, "E-NONE");
    assert_eq!(none["status"], "fail");
    assert_eq!(
        none["findings"][0]["message"],
        "expected security_txt.expires != none"
    );
    assert_eq!(
        none["findings"][1]["message"],
        "expected security_txt.expires > as_of, but security_txt.expires is none"
    );
    assert_eq!(control(&r, "E-QUANT")["status"], "pass");
    // A manual control without an attestation needs a person.
    assert_eq!(control(&r, "E-MANUAL")["status"], "manual");
    settings().bind(|| {
        insta::assert_snapshot!("evaluate_edge_json", String::from_utf8_lossy(&out.stdout))
    });
}

#[test]
fn manual_control_without_attestation() {
    let dir = bundle("eval-unattested", Variant::Unattested);
    let out = evaluate(POLICY, &dir, &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "an unattested manual control fails the gate: {}",
        transcript(&out)
    );
    let r = report(&out.stdout);
    let rb = control(&r, "RB-1");
    assert_eq!(rb["status"], "manual");
    assert_eq!(
        rb["reason"],
        "needs an attestation: Rollback of a failed update was tested on the release candidate"
    );
}

/// Signed by Priya Shah's TEST-ONLY key at test time (see [`signed_waivers`]).
const WAIVERS: &str = r#"[[waiver]]
id = "W-MIRROR"
control = "TLS-1"
subject = "http://mirror.example.com/widget/2.5.0/widget-2.5.0-linux-x86_64.tar.gz"
justification = "the mirror moves to https in the next release"
effective = 2026-09-01
expires = 2026-10-01
risk = "low: artifacts are checksummed"

[[waiver]]
control = "SUMS-1"
subject = "dist/widget-2.5.0-extra.tar.gz"
justification = "extra build is not distributed"
effective = 2026-09-01
expires = 2026-12-31

[[waiver]]
control = "EOL-1"
subject = "2.5"
justification = "not needed any more"
effective = 2027-01-01
expires = 2027-02-01
"#;

/// The trusted key of the waivers' signer.
const PRIYA: &str = "examples/keys/TEST-ONLY-priya-shah.pub.asc";

/// Writes [`WAIVERS`] to `path` and signs it; `false` (the test skips) without gpg.
fn signed_waivers(path: &Path) -> bool {
    std::fs::write(path, WAIVERS).unwrap();
    if !common::have_gpg() {
        return false;
    }
    common::sign("TEST-ONLY-priya-shah.sec.asc", "20260901T090000", path);
    true
}

#[test]
fn waivers_apply_through_their_expiry_day() {
    let dir = bundle("eval-waivers", Variant::Bad);
    let waivers = dir.parent().unwrap().join("eval-waivers.toml");
    if !signed_waivers(&waivers) {
        return;
    }
    let w = waivers.to_str().unwrap();
    let run = |as_of: &str| {
        let b = dir.to_str().unwrap();
        let out = vouch(&[
            "evaluate",
            "--policy",
            POLICY,
            "--bundle",
            b,
            "--as-of",
            as_of,
            "--waivers",
            w,
            "--trust",
            PRIYA,
        ]);
        report(&out.stdout)
    };
    // On the expiry day the waiver applies ...
    let on = run("2026-10-01T23:59:59Z");
    assert_eq!(control(&on, "TLS-1")["status"], "waived");
    assert_eq!(
        control(&on, "TLS-1")["findings"][0]["waived_by"],
        "W-MIRROR"
    );
    let states: Vec<(&str, &str)> = on["waivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["id"].as_str().unwrap(), w["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        [
            ("EOL-1#1", "not_yet_effective"),
            ("SUMS-1#1", "applied"),
            ("W-MIRROR", "applied")
        ]
    );
    // The waiver covers only the findings of its subject, and not the one that says evidence
    // is missing (no authority permits that): SUMS-1 still fails.
    let sums = control(&on, "SUMS-1");
    assert_eq!(sums["status"], "fail");
    assert_eq!(sums["findings"][0]["waived_by"], "SUMS-1#1");
    // ... and the day after it does not.
    let after = run("2026-10-02");
    assert_eq!(control(&after, "TLS-1")["status"], "fail");
    assert_eq!(after["waivers"][2]["state"], "expired");
    assert_eq!(after["waivers"][2]["matched"], 0);
    // The waivers file's path is the scratch directory's: shown as its name.
    let mut waivers = on["waivers"].clone();
    for w in waivers.as_array_mut().unwrap() {
        w["file"] = "eval-waivers.toml".into();
    }
    settings().bind(|| insta::assert_json_snapshot!("evaluate_waivers", waivers));
}

#[test]
fn bad_waivers_file_is_exit_2() {
    let dir = bundle("eval-bad-waivers", Variant::Good);
    let waivers = dir.parent().unwrap().join("eval-bad-waivers.toml");
    std::fs::write(&waivers, WAIVERS.replace("justification", "justifcation")).unwrap();
    let out = evaluate(POLICY, &dir, &["--waivers", waivers.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("did you mean `justification`?"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn determinism_across_threads_and_directory_order() {
    let a = temp_dir("eval-det-a");
    let b = temp_dir("eval-det-b");
    write_bundle(&a, Variant::Bad, false);
    write_bundle(&b, Variant::Bad, true);
    let one = evaluate(POLICY, &a, &["--jobs", "1"]);
    let two = evaluate(POLICY, &b, &["--jobs", "2"]);
    let again = evaluate(POLICY, &a, &["--jobs", "2"]);
    report(&one.stdout);
    assert!(
        one.stdout == two.stdout,
        "reports differ between bundles and thread counts"
    );
    assert!(one.stdout == again.stdout);
}

#[test]
fn output_dir_writes_one_report_per_format() {
    let dir = bundle("eval-outdir", Variant::Good);
    let out_dir = temp_dir("eval-outdir-reports");
    let out = evaluate(
        POLICY,
        &dir,
        &[
            "--format",
            "json",
            "--output-dir",
            out_dir.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    assert!(out.stdout.is_empty(), "stdout stays clean");
    report(&std::fs::read(out_dir.join("report.json")).unwrap());
    let file = out_dir.join("single.json");
    let out = evaluate(POLICY, &dir, &["--output", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    report(&std::fs::read(file).unwrap());
}

#[test]
fn usage_errors_exit_2() {
    let dir = bundle("eval-usage", Variant::Good);
    let cases: &[(&str, Vec<&str>, &str)] = &[
        (
            "format",
            vec!["--format", "pdf"],
            "unknown report format `pdf`",
        ),
        (
            "trust",
            vec!["--trust", "no/such/key.asc"],
            "does not exist",
        ),
        (
            "trust-not-a-key",
            vec!["--trust", "README.md"],
            "vouch::trust::not-a-key",
        ),
    ];
    for (name, extra, expected) in cases {
        let out = evaluate(POLICY, &dir, extra);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", transcript(&out));
        assert!(stderr(&out).contains(expected), "{name}: {}", stderr(&out));
    }
    let b = dir.to_str().unwrap();
    let as_of = vouch(&[
        "evaluate",
        "--policy",
        POLICY,
        "--bundle",
        b,
        "--as-of",
        "yesterday",
    ]);
    assert_eq!(as_of.status.code(), Some(2));
    assert!(
        stderr(&as_of).contains("is not a date"),
        "{}",
        stderr(&as_of)
    );
    let missing = vouch(&["evaluate", "--policy", POLICY, "--bundle", "no/such/bundle"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("does not exist"),
        "{}",
        stderr(&missing)
    );
    let two_roots = evaluate("tests/data/eval", &dir, &[]);
    assert_eq!(two_roots.status.code(), Some(2));
    assert!(
        stderr(&two_roots).contains("root policies"),
        "{}",
        stderr(&two_roots)
    );
    let bad_policy = evaluate("tests/data/lang/check/unknown-field.vouch", &dir, &[]);
    assert_eq!(bad_policy.status.code(), Some(2));
    assert!(stderr(&bad_policy).contains("unknown-field"));
}

#[test]
fn explain_traces_a_failing_control() {
    let dir = bundle("eval-explain", Variant::Bad);
    let b = dir.to_str().unwrap();
    let out = vouch(&[
        "explain", "SUMS-1", "--policy", POLICY, "--bundle", b, "--as-of", AS_OF,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    insta::assert_snapshot!("explain_sums", transcript(&out));
    let out = vouch(&[
        "explain", "EOL-1", "--policy", POLICY, "--bundle", b, "--as-of", AS_OF,
    ]);
    insta::assert_snapshot!("explain_eol", transcript(&out));
}

/// `vouch explain` of a manual control shows each attestation, the signature beside it, its
/// key and the authority's decision.
#[test]
fn explain_shows_the_attestation_key_and_decision() {
    let dir = bundle("eval-explain-manual", Variant::Good);
    let b = dir.to_str().unwrap();
    let out = vouch(&[
        "explain",
        "RB-1",
        "--policy",
        POLICY,
        "--bundle",
        b,
        "--as-of",
        AS_OF,
        "--trust",
        ATTESTER_KEY,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    for wanted in [
        "attestation attestations/rollback.toml by Jo Bloggs <jo.bloggs@acme.example> on 2026-09-20T00:00:00Z: accepted",
        "signature attestations/rollback.toml.asc (openpgp): verified, key 12E3870E608AAEAD7BB1F007FE9305CD6E6C0D0D; allowed by the authority",
        "result: pass",
    ] {
        assert!(text.contains(wanted), "no `{wanted}` in:\n{text}");
    }
}

#[test]
fn explain_unknown_control_suggests() {
    let dir = bundle("eval-explain-unknown", Variant::Good);
    let out = vouch(&[
        "explain",
        "SUM-1",
        "--policy",
        POLICY,
        "--bundle",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean `SUMS-1`?"),
        "{}",
        stderr(&out)
    );
}
