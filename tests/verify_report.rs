//! `vouch evaluate --sign-key --attestation` and `vouch verify-report`: signing with every
//! key type (made at test time by openssl and ssh-keygen), verification passing on an
//! untouched report and failing, naming the difference, on a changed bundle file, policy,
//! report, attestation or signer.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::copy_dir;
use common::{EXAMPLE_TRUST, root, temp_dir, vouch_in};

/// Whether `tool` runs; says so when it does not (the caller then skips).
fn have(tool: &str, arg: &str) -> bool {
    let ok = Command::new(tool).arg(arg).output().is_ok();
    if !ok {
        eprintln!("skipping: `{tool}` is not installed");
    }
    ok
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The key pairs to sign with: (name, private key, public key).
fn keys(dir: &Path) -> Vec<(&'static str, PathBuf, PathBuf)> {
    let mut keys = Vec::new();
    if have("openssl", "version") {
        for (name, args) in [
            ("pkcs8-ed25519", vec!["-algorithm", "ed25519"]),
            (
                "pkcs8-p256",
                vec!["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
            ),
        ] {
            let private = dir.join(format!("{name}.pem"));
            let public = dir.join(format!("{name}.pub.pem"));
            run(Command::new("openssl")
                .arg("genpkey")
                .args(&args)
                .arg("-out")
                .arg(&private));
            run(Command::new("openssl")
                .args(["pkey", "-pubout", "-in"])
                .arg(&private)
                .arg("-out")
                .arg(&public));
            keys.push((name, private, public));
        }
    }
    if have("ssh-keygen", "-?") {
        for (name, args) in [
            ("openssh-ed25519", vec!["-t", "ed25519"]),
            ("openssh-p256", vec!["-t", "ecdsa", "-b", "256"]),
        ] {
            let private = dir.join(name);
            run(Command::new("ssh-keygen")
                .args(["-q", "-N", "", "-C", "vouch-test"])
                .args(&args)
                .arg("-f")
                .arg(&private));
            let public = dir.join(format!("{name}.pub"));
            keys.push((name, private, public));
        }
    }
    keys
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// The inputs of the waived example, with the policy and bundle given.
fn inputs(policy: &Path, bundle: &Path) -> Vec<String> {
    let root = root();
    let mut args = vec![
        "--policy".to_owned(),
        s(policy),
        "--bundle".to_owned(),
        s(bundle),
        "--waivers".to_owned(),
        s(&root.join("examples/waivers/waived.toml")),
    ];
    for pair in EXAMPLE_TRUST.chunks(2) {
        args.push(pair[0].to_owned());
        args.push(s(&root.join(pair[1])));
    }
    args
}

fn vouch(dir: &Path, args: &[String]) -> Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    vouch_in(dir, &args)
}

/// Evaluates and signs; returns the report and attestation paths.
fn sign(dir: &Path, key: &Path, policy: &Path, bundle: &Path, output: &str) -> (PathBuf, PathBuf) {
    let report = dir.join(output);
    let attestation = dir.join(format!("{output}.intoto.json"));
    let mut args = vec![
        "evaluate".to_owned(),
        "--as-of".to_owned(),
        "2026-10-02".to_owned(),
    ];
    args.extend(inputs(policy, bundle));
    if let Some(format) = output.strip_prefix("report.") {
        args.extend([
            "--format".to_owned(),
            if format == "md" {
                "markdown".into()
            } else {
                format.to_owned()
            },
        ]);
    }
    args.extend(["--output".to_owned(), s(&report)]);
    args.extend([
        "--sign-key".to_owned(),
        s(key),
        "--attestation".to_owned(),
        s(&attestation),
    ]);
    let out = vouch(dir, &args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (report, attestation)
}

fn verify(
    dir: &Path,
    report: &Path,
    attestation: &Path,
    signer: &Path,
    evaluate: Option<(&Path, &Path)>,
) -> (Option<i32>, String) {
    let mut args = vec![
        "verify-report".to_owned(),
        s(report),
        "--attestation".to_owned(),
        s(attestation),
        "--signer".to_owned(),
        s(signer),
    ];
    if let Some((policy, bundle)) = evaluate {
        args.extend(inputs(policy, bundle));
    }
    let out = vouch(dir, &args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

/// A scratch copy of the waived example's bundle and policy.
fn scratch(name: &str) -> (PathBuf, PathBuf, PathBuf) {
    let dir = temp_dir(name);
    let bundle = dir.join("bundle");
    copy_dir(&root().join("examples/bundles/waived"), &bundle);
    let policy = dir.join("acme.vouch");
    std::fs::copy(root().join("examples/policies/acme.vouch"), &policy).unwrap();
    (dir, policy, bundle)
}

#[test]
fn every_key_type_signs_and_verifies() {
    let (dir, policy, bundle) = scratch("verify-report-keys");
    let keys = keys(&dir);
    if keys.is_empty() {
        return;
    }
    for (name, private, public) in &keys {
        let (report, attestation) = sign(&dir, private, &policy, &bundle, &format!("{name}.json"));
        let (code, text) = verify(
            &dir,
            &report,
            &attestation,
            public,
            Some((&policy, &bundle)),
        );
        assert_eq!(code, Some(0), "{name}: {text}");
        assert!(text.contains("byte for byte the same"), "{name}: {text}");
        // Without --bundle: the signature and digest only, and it says so.
        let (code, text) = verify(&dir, &report, &attestation, public, None);
        assert_eq!(code, Some(0), "{name}: {text}");
        assert!(
            text.contains("(no --bundle, the evaluation was not re-run)"),
            "{name}: {text}"
        );
        // Signing is deterministic: the same inputs give the same envelope.
        let first = std::fs::read(&attestation).unwrap();
        sign(&dir, private, &policy, &bundle, &format!("{name}.json"));
        assert_eq!(first, std::fs::read(&attestation).unwrap(), "{name}");
    }
    // Another key's public half is not the signer.
    if keys.len() > 1 {
        let (report, attestation) = sign(&dir, &keys[0].1, &policy, &bundle, "other.json");
        let (code, text) = verify(&dir, &report, &attestation, &keys[1].2, None);
        assert_eq!(code, Some(1), "{text}");
        assert!(text.contains("no signature of it verifies"), "{text}");
    }
}

#[test]
fn changes_are_found_and_named() {
    let (dir, policy, bundle) = scratch("verify-report-changes");
    let keys = keys(&dir);
    let Some((_, private, public)) = keys.first() else {
        return;
    };
    let (report, attestation) = sign(&dir, private, &policy, &bundle, "report.json");
    // A bundle file changed.
    let support = bundle.join("support.toml");
    let original = std::fs::read(&support).unwrap();
    std::fs::write(&support, [original.as_slice(), b"\n# edited\n"].concat()).unwrap();
    let (code, text) = verify(
        &dir,
        &report,
        &attestation,
        public,
        Some((&policy, &bundle)),
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("bundle file `support.toml` changed"),
        "{text}"
    );
    assert!(text.contains("the bundle's digest changed"), "{text}");
    std::fs::write(&support, &original).unwrap();
    // Files that decide a control: the tarball's signatures removed fail SIGNED-ARTIFACTS.
    let sigs: Vec<(PathBuf, Vec<u8>)> = ["asc", "minisig"]
        .iter()
        .map(|ext| {
            let path = bundle.join(format!("dist/widget-2.3.5.tar.gz.{ext}"));
            let bytes = std::fs::read(&path).unwrap();
            std::fs::remove_file(&path).unwrap();
            (path, bytes)
        })
        .collect();
    let (code, text) = verify(
        &dir,
        &report,
        &attestation,
        public,
        Some((&policy, &bundle)),
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("bundle file `dist/widget-2.3.5.tar.gz.asc` (sha256"),
        "{text}"
    );
    assert!(
        text.contains("control SIGNED-ARTIFACTS: status pass -> fail"),
        "{text}"
    );
    assert!(
        text.contains("control SIGNED-ARTIFACTS: new finding vf1:"),
        "{text}"
    );
    for (path, bytes) in sigs {
        std::fs::write(path, bytes).unwrap();
    }
    // The policy changed.
    let text_before = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(&policy, format!("{text_before}\n// edited\n")).unwrap();
    let (code, text) = verify(
        &dir,
        &report,
        &attestation,
        public,
        Some((&policy, &bundle)),
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("policy source `acme.vouch` changed"),
        "{text}"
    );
    std::fs::write(&policy, &text_before).unwrap();
    // Untouched again: verified.
    let (code, text) = verify(
        &dir,
        &report,
        &attestation,
        public,
        Some((&policy, &bundle)),
    );
    assert_eq!(code, Some(0), "{text}");
    // The report changed.
    let signed = std::fs::read(&report).unwrap();
    let edited =
        String::from_utf8(signed.clone())
            .unwrap()
            .replacen("\"fail\": 1", "\"fail\": 0", 1);
    assert_ne!(edited.as_bytes(), signed.as_slice());
    std::fs::write(&report, edited).unwrap();
    let (code, text) = verify(&dir, &report, &attestation, public, None);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("is not a subject of the attestation"),
        "{text}"
    );
    std::fs::write(&report, &signed).unwrap();
    // The attestation changed: its statement edited (the signature no longer matches).
    let envelope: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&attestation).unwrap()).unwrap();
    let payload = envelope["payload"].as_str().unwrap();
    let decoded = base64_decode(payload);
    let forged = String::from_utf8(decoded)
        .unwrap()
        .replace("\"fail\":1", "\"fail\":0");
    let mut forged_envelope = envelope.clone();
    forged_envelope["payload"] = base64_encode(forged.as_bytes()).into();
    let forged_path = dir.join("forged.intoto.json");
    std::fs::write(&forged_path, forged_envelope.to_string()).unwrap();
    let (code, text) = verify(&dir, &report, &forged_path, public, None);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("no signature of it verifies"), "{text}");
}

#[test]
fn a_markdown_report_verifies_and_usage_errors_exit_2() {
    let (dir, policy, bundle) = scratch("verify-report-markdown");
    let keys = keys(&dir);
    let Some((_, private, public)) = keys.first() else {
        return;
    };
    let (report, attestation) = sign(&dir, private, &policy, &bundle, "report.md");
    let (code, text) = verify(
        &dir,
        &report,
        &attestation,
        public,
        Some((&policy, &bundle)),
    );
    assert_eq!(code, Some(0), "{text}");
    // A signer that is not a key, a missing attestation, --bundle without --policy.
    let not_a_key = dir.join("not-a-key");
    std::fs::write(&not_a_key, "hello\n").unwrap();
    assert_eq!(
        verify(&dir, &report, &attestation, &not_a_key, None).0,
        Some(2)
    );
    assert_eq!(
        verify(&dir, &report, &dir.join("missing.json"), public, None).0,
        Some(2)
    );
    let out = vouch(
        &dir,
        &[
            "verify-report".into(),
            s(&report),
            "--attestation".into(),
            s(&attestation),
            "--signer".into(),
            s(public),
            "--bundle".into(),
            s(&bundle),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    // Signing needs a report file, not stdout.
    let mut args = vec!["evaluate".to_owned()];
    args.extend(inputs(&policy, &bundle));
    args.extend([
        "--sign-key".into(),
        s(private),
        "--attestation".into(),
        s(&dir.join("a.json")),
    ]);
    let out = vouch(&dir, &args);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--output"));
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
