//! The shipped examples, driven by their annotations.
//!
//! Each example bundle `examples/bundles/NAME/` has a sibling `NAME.test.toml` (a `vouch test`
//! file, paths relative to it) that says how to evaluate it (policy, trusted keys, waivers, `as_of`) and what comes out: the exit code,
//! the status of every control, and for a control that does not pass, text that each of its
//! findings (or its manual reason) carries. `every_example_bundle_evaluates_as_annotated`
//! runs them all, so the annotations cannot go stale; a bundle without one is an error.
//! README's main command is the compliant example's, and every example policy checks clean.
//!
//! Rebuild the bundles with `bash examples/bundles/build.sh`; review the Markdown snapshots
//! (`tests/snapshots/examples__example_*_markdown.snap`) when a report changes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{root, transcript, vouch};
use serde::Deserialize;
use serde_json::Value;

/// One `examples/bundles/NAME.test.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Example {
    description: String,
    policy: String,
    bundle: String,
    as_of: String,
    trust: Vec<String>,
    waivers: Option<String>,
    exit_code: i32,
    /// Every control of the policy, by id.
    controls: BTreeMap<String, Expected>,
    /// The state of every waiver in the report, by id.
    #[serde(default)]
    waiver_states: BTreeMap<String, String>,
}

/// A control's expected outcome: a status alone, or a table with what explains it.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Expected {
    Status(String),
    Detail(Detail),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Detail {
    status: String,
    /// What is wrong with the evidence, in words (for the reader; required when not passing).
    fault: Option<String>,
    /// Text every finding of the control carries.
    finding: Option<String>,
    /// Text the reason of a manual control carries.
    reason: Option<String>,
    /// The waiver that covers every finding of a waived control.
    waiver: Option<String>,
}

impl Expected {
    fn status(&self) -> &str {
        match self {
            Expected::Status(s) => s,
            Expected::Detail(d) => &d.status,
        }
    }

    fn detail(&self) -> Option<&Detail> {
        match self {
            Expected::Status(_) => None,
            Expected::Detail(d) => Some(d),
        }
    }
}

/// Every example: its name (the bundle's directory name) and annotation, in name order.
fn examples() -> Vec<(String, Example)> {
    let dir = root().join("examples/bundles");
    let mut out: Vec<(String, Example)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?.strip_suffix(".test.toml")?;
            Some((name.to_string(), p.clone()))
        })
        .map(|(name, path)| {
            let text = std::fs::read_to_string(&path).unwrap();
            let mut example: Example =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(example.bundle, name, "{}", path.display());
            example.policy = from_root(&example.policy);
            example.trust = example.trust.iter().map(|t| from_root(t)).collect();
            example.waivers = example.waivers.as_deref().map(from_root);
            (name, example)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// A path of a test file (relative to `examples/bundles/`) relative to the workspace root.
fn from_root(path: &str) -> String {
    match path.strip_prefix("../") {
        Some(rest) => format!("examples/{rest}"),
        None => format!("examples/bundles/{path}"),
    }
}

fn bundle_dir(name: &str) -> PathBuf {
    Path::new("examples/bundles").join(name)
}

/// The `vouch evaluate` arguments an example states, without `--format`.
fn args(name: &str, ex: &Example) -> Vec<String> {
    let mut args = vec![
        "evaluate".to_string(),
        "--policy".into(),
        ex.policy.clone(),
        "--bundle".into(),
        bundle_dir(name).to_str().unwrap().to_string(),
        "--as-of".into(),
        ex.as_of.clone(),
    ];
    for key in &ex.trust {
        args.extend(["--trust".to_string(), key.clone()]);
    }
    if let Some(w) = &ex.waivers {
        args.extend(["--waivers".to_string(), w.clone()]);
    }
    args
}

fn run(args: &[String], format: &str) -> std::process::Output {
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.extend(["--format", format]);
    vouch(&all)
}

fn controls(report: &Value) -> BTreeMap<String, &Value> {
    report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_string(), c))
        .collect()
}

fn example(name: &str) -> Example {
    examples()
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no examples/bundles/{name}.test.toml"))
        .1
}

#[test]
fn every_example_bundle_has_an_annotation() {
    let annotated: Vec<String> = examples().into_iter().map(|(n, _)| n).collect();
    for entry in std::fs::read_dir(root().join("examples/bundles")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            assert!(
                annotated.contains(&name),
                "examples/bundles/{name} has no {name}.test.toml"
            );
        }
    }
    assert_eq!(annotated, ["compliant", "failing", "signed-sums", "waived"]);
}

/// `vouch test examples` runs the same files, and every expectation holds.
#[test]
fn vouch_test_passes_on_the_examples() {
    let out = vouch(&["test", "examples"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for (name, _) in examples() {
        assert!(
            stdout.contains(&format!("ok     examples/bundles/{name}.test.toml")),
            "{stdout}"
        );
    }
    assert!(stdout.ends_with("4 passed, 0 failed\n"), "{stdout}");
}

#[test]
fn every_example_bundle_evaluates_as_annotated() {
    for (name, ex) in examples() {
        assert!(root().join(bundle_dir(&name)).is_dir(), "{name}: no bundle");
        let out = run(&args(&name, &ex), "json");
        let context = format!("{name} ({})", ex.description);
        assert_eq!(
            out.status.code(),
            Some(ex.exit_code),
            "{context}: {}",
            transcript(&out)
        );
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let got = controls(&report);
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            ex.controls.keys().collect::<Vec<_>>(),
            "{context}: the annotation lists exactly the policy's controls"
        );
        for (id, want) in &ex.controls {
            let control = got[id];
            let findings = control["findings"].as_array().cloned().unwrap_or_default();
            let messages: Vec<&str> = findings
                .iter()
                .map(|f| f["message"].as_str().unwrap())
                .collect();
            assert_eq!(
                control["status"],
                want.status(),
                "{context}: {id}: {messages:?} {}",
                control["reason"]
            );
            let Some(detail) = want.detail() else {
                assert!(
                    want.status() == "pass",
                    "{context}: {id} does not pass; say why (fault, finding or reason)"
                );
                continue;
            };
            assert!(
                detail.fault.is_some(),
                "{context}: {id}: give the fault in words"
            );
            if let Some(text) = &detail.finding {
                assert!(!messages.is_empty(), "{context}: {id} has no finding");
                for m in &messages {
                    assert!(
                        m.contains(text.as_str()),
                        "{context}: {id}: finding {m:?} does not say {text:?} (all: {messages:?})"
                    );
                }
            }
            if let Some(text) = &detail.reason {
                let reason = control["reason"].as_str().unwrap_or_default();
                assert!(
                    reason.contains(text.as_str()),
                    "{context}: {id}: reason {reason:?} does not say {text:?}"
                );
            }
            if let Some(waiver) = &detail.waiver {
                for f in &findings {
                    assert_eq!(f["waived_by"], waiver.as_str(), "{context}: {id}");
                }
            }
            assert!(
                detail.finding.is_some() || detail.reason.is_some(),
                "{context}: {id}: name the finding or the reason"
            );
        }
        let waivers: BTreeMap<String, String> = report["waivers"]
            .as_array()
            .map(|ws| {
                ws.iter()
                    .map(|w| {
                        (
                            w["id"].as_str().unwrap().to_string(),
                            w["state"].as_str().unwrap().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(waivers, ex.waiver_states, "{context}: waiver states");
    }
}

/// The issue's requirement, made visible: every control of the policy passes in the compliant
/// example and fails, for a stated fault, in the failing one (a manual control is left
/// `manual`, which is how an unattested manual control shows).
#[test]
fn every_control_passes_in_compliant_and_fails_for_its_fault_in_failing() {
    let compliant = example("compliant");
    let failing = example("failing");
    assert_eq!(
        compliant.controls.keys().collect::<Vec<_>>(),
        failing.controls.keys().collect::<Vec<_>>()
    );
    let out = run(&args("failing", &failing), "json");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let manual: Vec<String> = controls(&report)
        .into_iter()
        .filter(|(_, c)| c["status"] == "manual")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(manual, ["INCIDENT-PLAN", "ROLLBACK", "TRAINING"]);
    for (id, want) in &compliant.controls {
        assert_eq!(want.status(), "pass", "compliant: {id}");
        let bad = &failing.controls[id];
        let expected = if manual.contains(id) {
            "manual"
        } else {
            "fail"
        };
        assert_eq!(bad.status(), expected, "failing: {id}");
        let detail = bad.detail().expect("a fault for every control");
        assert!(detail.fault.is_some(), "failing: {id} names its fault");
    }
}

#[test]
fn readme_main_job_runs_on_the_compliant_example() {
    let ex = example("compliant");
    let args = args("compliant", &ex);
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("cargo run --release -- {}\n", args.join(" "))),
        "README's main command is the compliant example's:\ncargo run --release -- {}",
        args.join(" ")
    );
    let out = run(&args, "json");
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["pass"], 21);
    let outcomes: Vec<&str> = report["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["outcome"].as_str().unwrap())
        .collect();
    assert!(outcomes.len() >= 6 && outcomes.iter().all(|o| *o == "verified"));
}

/// Trust never comes from the bundle: the compliant bundle ships the release key in KEYS, and
/// without `--trust` every control that rests on a signature fails, and no attestation counts
/// (the manual controls stay `manual`).
#[test]
fn without_the_trusted_keys_the_signature_controls_fail() {
    let ex = example("compliant");
    let mut args = args("compliant", &ex);
    while let Some(at) = args.iter().position(|a| a == "--trust") {
        args.drain(at..at + 2);
    }
    let out = run(&args, "json");
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let failing: Vec<String> = controls(&report)
        .into_iter()
        .filter(|(_, c)| c["status"] != "pass")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(
        failing,
        [
            "ACME-SECURITY-TXT-SIGNED",
            "INCIDENT-PLAN",
            "PROVENANCE",
            "ROLLBACK",
            "SIGNED-ARTIFACTS",
            "TRAINING"
        ]
    );
    for id in ["INCIDENT-PLAN", "ROLLBACK", "TRAINING"] {
        let all = controls(&report);
        let c = all[id];
        assert_eq!(c["status"], "manual", "{id}");
        assert!(
            c["reason"].as_str().unwrap().contains("untrusted key"),
            "{id}: {}",
            c["reason"]
        );
    }
}

#[test]
fn markdown_report_of_each_example() {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"vouch \d+\.\d+\.\d+\S*", "vouch [version]");
    for (name, ex) in examples() {
        let out = run(&args(&name, &ex), "markdown");
        assert_eq!(
            out.status.code(),
            Some(ex.exit_code),
            "{}",
            transcript(&out)
        );
        settings.bind(|| {
            insta::assert_snapshot!(
                format!("example_{name}_markdown"),
                String::from_utf8_lossy(&out.stdout)
            );
        });
    }
}

#[test]
fn every_example_policy_checks_without_diagnostics() {
    let mut policies: Vec<PathBuf> = std::fs::read_dir(root().join("examples/policies"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "vouch"))
        .collect();
    policies.sort();
    assert!(!policies.is_empty());
    for p in policies {
        let rel = p
            .strip_prefix(root())
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let out = vouch(&["check", &rel]);
        assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains("0 errors, 0 warnings") && !text.contains("vouch::"),
            "{rel}: {text}"
        );
        let fmt = vouch(&["fmt", "--check", &rel]);
        assert_eq!(fmt.status.code(), Some(0), "{rel}: {}", transcript(&fmt));
    }
}

/// Every file under `dir`, relative to it, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                out.push(path.strip_prefix(base).unwrap().to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// `examples/bundles/build.sh` rebuilds the committed bundles byte for byte: the examples are
/// what the script makes, with the real tools, and nothing was edited by hand. Skips when a
/// tool is missing (`.ci/run` installs them; `VOUCH_SBOM_TOOLS` names cyclonedx-py's venv).
#[test]
fn build_script_reproduces_the_committed_bundles() {
    let sbom_tools = std::env::var("VOUCH_SBOM_TOOLS").unwrap_or_else(|_| {
        format!(
            "{}/.cache/vouch-ci/sbom-venv/bin",
            std::env::var("HOME").unwrap_or_default()
        )
    });
    let have = |tool: &str| {
        std::process::Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let missing: Vec<&str> = [
        "gpg",
        "gpgconf",
        "minisign",
        "openssl",
        "zip",
        "sha256sum",
        "python3",
    ]
    .into_iter()
    .filter(|t| !have(t))
    .chain((!Path::new(&sbom_tools).join("cyclonedx-py").is_file()).then_some("cyclonedx-py"))
    .collect();
    if !missing.is_empty() {
        eprintln!("skipped: build.sh needs {}", missing.join(", "));
        return;
    }
    let out = common::temp_dir("example-bundles");
    let run = std::process::Command::new("bash")
        .arg(root().join("examples/bundles/build.sh"))
        .arg(&out)
        .env("VOUCH_SBOM_TOOLS", &sbom_tools)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", transcript(&run));
    // The waivers file's signature, made by examples/waivers/sign.sh.
    let run = std::process::Command::new("bash")
        .arg(root().join("examples/waivers/sign.sh"))
        .arg(out.join("waivers"))
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", transcript(&run));
    assert!(
        std::fs::read(out.join("waivers/waived.toml.asc")).unwrap()
            == std::fs::read(root().join("examples/waivers/waived.toml.asc")).unwrap(),
        "examples/waivers/waived.toml.asc: sign.sh writes another signature: rerun it after \
         editing waived.toml"
    );
    for name in ["compliant", "failing", "waived"] {
        let built = out.join(name);
        let committed = root().join("examples/bundles").join(name);
        let files = files_under(&committed);
        assert_eq!(files_under(&built), files, "{name}: the same files");
        for f in files {
            assert!(
                std::fs::read(built.join(&f)).unwrap()
                    == std::fs::read(committed.join(&f)).unwrap(),
                "{name}/{}: build.sh writes other bytes than are committed: rerun it, or \
                 check the tool versions its header names",
                f.display()
            );
        }
    }
}
