//! `vouch verify-report` without `--bundle`: the `--trust`, `--waivers` and `--authority`
//! files given are compared by sha256 with those the signed attestation records, each
//! difference named, and the output says what was not compared; for a report that is not
//! JSON, what a re-run compares and what it cannot.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{EXAMPLE_TRUST, root, temp_dir, vouch_in};

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// An Ed25519 key pair made by openssl, or `None` (skipping) without openssl.
fn key(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("skipping: `openssl` is not installed");
        return None;
    }
    let private = dir.join("k.pem");
    let public = dir.join("k.pub.pem");
    for args in [
        vec!["genpkey", "-algorithm", "ed25519", "-out", &s(&private)],
        vec!["pkey", "-pubout", "-in", &s(&private), "-out", &s(&public)],
    ] {
        assert!(
            Command::new("openssl")
                .args(&args)
                .status()
                .unwrap()
                .success()
        );
    }
    Some((private, public))
}

/// `--trust` for each example key, relative to the repository.
fn trust(skip: usize) -> Vec<String> {
    EXAMPLE_TRUST
        .chunks(2)
        .skip(skip)
        .flat_map(|p| [p[0].to_owned(), s(&root().join(p[1]))])
        .collect()
}

fn run(dir: &Path, args: &[String]) -> (Option<i32>, String) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = vouch_in(dir, &args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

/// The waived example evaluated with waivers, every trust key and the authority policy,
/// signed; returns (dir, report, attestation, public key).
fn signed(name: &str, format: &str) -> Option<(PathBuf, PathBuf, PathBuf, PathBuf)> {
    let dir = temp_dir(name);
    let (private, public) = key(&dir)?;
    let report = dir.join(format!("report.{format}"));
    let attestation = dir.join("report.intoto.json");
    let r = root();
    let mut args: Vec<String> = [
        "evaluate",
        "--as-of",
        "2026-10-02",
        "--format",
        format,
        "--policy",
    ]
    .map(str::to_owned)
    .into();
    args.push(s(&r.join("examples/policies/acme.vouch")));
    args.extend(inputs(&r.join("examples/waivers/waived.toml"), 0, true));
    args.extend(["--bundle".into(), s(&r.join("examples/bundles/waived"))]);
    args.extend(["--output".into(), s(&report)]);
    args.extend(["--sign-key".into(), s(&private)]);
    args.extend(["--attestation".into(), s(&attestation)]);
    let (code, text) = run(&dir, &args);
    assert_eq!(code, Some(1), "{text}");
    Some((dir, report, attestation, public))
}

/// `--waivers W`, the trust keys but the first `skip`, `--authority` when `authority`.
fn inputs(waivers: &Path, skip: usize, authority: bool) -> Vec<String> {
    let mut args = vec!["--waivers".to_owned(), s(waivers)];
    args.extend(trust(skip));
    if authority {
        args.extend([
            "--authority".into(),
            s(&root().join("examples/authority/acme.cedar")),
        ]);
    }
    args
}

fn verify(
    dir: &Path,
    report: &Path,
    att: &Path,
    public: &Path,
    more: &[String],
) -> (Option<i32>, String) {
    let mut args = vec![
        "verify-report".to_owned(),
        s(report),
        "--attestation".into(),
        s(att),
        "--signer".into(),
        s(public),
    ];
    args.extend_from_slice(more);
    run(dir, &args)
}

#[test]
fn given_inputs_are_compared_without_a_bundle() {
    let Some((dir, report, att, public)) = signed("verify-inputs", "json") else {
        return;
    };
    let waivers = root().join("examples/waivers/waived.toml");
    // Untouched: everything given matches, and the output says what was not compared.
    let (code, text) = verify(&dir, &report, &att, &public, &inputs(&waivers, 0, true));
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("ok: the trust files, waivers files, the authority policy and entities given have the sha256 digests the attestation records"),
        "{text}"
    );
    assert!(
        text.contains("note: not compared (no --bundle, the evaluation was not re-run): the policy, the bundle's files, the controls' statuses and findings;"),
        "{text}"
    );
    // Only the waivers: trust and authority are said not to be compared.
    let (code, text) = verify(&dir, &report, &att, &public, &inputs(&waivers, 5, false));
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("trust files (no --trust), the authority policy (no --authority)"),
        "{text}"
    );
    // A changed waivers file, a trust key left out, another authority policy.
    let changed = dir.join("waived.toml");
    let mut text = std::fs::read_to_string(&waivers).unwrap();
    text.push_str("# changed after signing\n");
    std::fs::write(&changed, text).unwrap();
    let cedar = dir.join("acme.cedar");
    let mut policy = std::fs::read_to_string(root().join("examples/authority/acme.cedar")).unwrap();
    policy.push_str("// changed\n");
    std::fs::write(&cedar, policy).unwrap();
    let mut args = inputs(&changed, 1, false);
    args.extend(["--authority".into(), s(&cedar)]);
    let (code, text) = verify(&dir, &report, &att, &public, &args);
    assert_eq!(code, Some(1), "{text}");
    let first_key = Path::new(EXAMPLE_TRUST[1])
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    for needle in [
        "DIFFERS: waivers file `waived.toml` changed: sha256 ".to_owned(),
        format!("DIFFERS: trust file `{first_key}` (sha256 "),
        "is not given now".to_owned(),
        "DIFFERS: the authority policy `acme.cedar` changed: sha256 ".to_owned(),
        "NOT verified: 3 differences".to_owned(),
    ] {
        assert!(text.contains(&needle), "{needle} not in:\n{text}");
    }
    assert!(!text.contains("ok: the trust files"), "{text}");
}

#[test]
fn a_markdown_report_says_what_a_rerun_compares() {
    let Some((dir, report, att, public)) = signed("verify-inputs-md", "markdown") else {
        return;
    };
    let r = root();
    let mut args = vec![
        "--policy".to_owned(),
        s(&r.join("examples/policies/acme.vouch")),
        "--bundle".into(),
        s(&r.join("examples/bundles/waived")),
    ];
    args.extend(inputs(&r.join("examples/waivers/waived.toml"), 0, true));
    let (code, text) = verify(&dir, &report, &att, &public, &args);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("note: the report is markdown, which is not parsed back: compared are the input digests the attestation records"),
        "{text}"
    );
    assert!(
        text.contains("control statuses and findings are not compared one by one"),
        "{text}"
    );
}
