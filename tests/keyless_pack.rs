//! Keyless evidence through the uk-sscop pack, end to end with the `vouch` binary: the
//! Sigstore conformance bundles (`../shared/corpus/sigstore`), and the released files that
//! real attestations name, fetched at test time from the package registries (`pip download`,
//! `npm pack`; skipped with a printed reason when the registry or the tool cannot be had,
//! never committed). Keyless evidence counts only for an identity of `keyless_identities`,
//! and under `--authority` only for an identity the Cedar policy permits.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{root, temp_dir, transcript, vouch};
use serde_json::Value;

const BEACON: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";

fn corpus(test: &str) -> Option<PathBuf> {
    let dir = root().join("../shared/corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping {test}: ../shared/corpus is not present");
        None
    }
}

/// The policy: the pack, with `keyless_identities` when given (identity, issuer).
fn policy(dir: &Path, allowed: &[(&str, &str)]) -> String {
    policy_with(dir, allowed, "")
}

/// The policy, with `more` params after `keyless_identities` (`, name = value`).
fn policy_with(dir: &Path, allowed: &[(&str, &str)], more: &str) -> String {
    let table: Vec<String> = allowed
        .iter()
        .map(|(identity, issuer)| format!("  \"{identity}\": \"{issuer}\",\n"))
        .collect();
    let with = if allowed.is_empty() {
        String::new()
    } else {
        format!(
            " with {{ keyless_identities = {{\n{}}}{more} }}",
            table.concat()
        )
    };
    let text = format!(
        "policy \"p\" {{\n  title = \"P\"\n  framework = \"uk-sscop\"\n}}\n\nuse std.uk_sscop{with}\n"
    );
    let path = dir.join("p.vouch");
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// A bundle whose artifacts are `dist/NAME` for each artifact file given, with `extra`
/// evidence files beside them.
fn bundle(dir: &Path, artifacts: &[(&str, &Path)], extra: &[(&str, &Path)]) -> PathBuf {
    let b = dir.join("bundle");
    std::fs::create_dir_all(b.join("dist")).unwrap();
    let mut names = Vec::new();
    for (name, from) in artifacts {
        std::fs::copy(from, b.join("dist").join(name)).unwrap();
        names.push(format!("\"dist/{name}\""));
    }
    for (name, from) in extra {
        std::fs::copy(from, b.join("dist").join(name)).unwrap();
    }
    std::fs::write(
        b.join("release.toml"),
        format!(
            "[release]\nproduct = \"p\"\nversion = \"1.0\"\ndate = 2025-12-01T00:00:00Z\nartifacts = [{}]\n",
            names.join(", ")
        ),
    )
    .unwrap();
    b
}

fn evaluate(policy: &str, bundle: &Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "evaluate",
        "--policy",
        policy,
        "--bundle",
        bundle.to_str().unwrap(),
        "--as-of",
        "2026-01-01",
    ];
    args.extend(extra);
    let out = vouch(&args);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", transcript(&out)))
}

/// (status, finding messages) of a control.
fn control(report: &Value, id: &str) -> (String, Vec<String>) {
    let c = report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap();
    let messages = c["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|f| f["message"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default();
    (c["status"].as_str().unwrap().to_owned(), messages)
}

fn conformance_bundle(dir: &Path, corpus: &Path) -> PathBuf {
    let s = corpus.join("sigstore");
    bundle(
        dir,
        &[("a.txt", &s.join("a.txt"))],
        &[
            ("a.txt.sigstore.json", &s.join("bundle-v0.3.sigstore.json")),
            (
                "a.txt.provenance.sigstore.json",
                &s.join("bundle-v0.3-dsse-intoto.sigstore.json"),
            ),
        ],
    )
}

#[test]
fn keyless_counts_only_for_an_allowed_identity() {
    let Some(corpus) = corpus("keyless_counts_only_for_an_allowed_identity") else {
        return;
    };
    let dir = temp_dir("keyless-pack-identity");
    let b = conformance_bundle(&dir, &corpus);

    // No identity allowed: both controls fail, saying which identity to allow.
    let report = evaluate(&policy(&dir, &[]), &b, &[]);
    let want = format!("add \"{BEACON}\": \"{GITHUB_ISSUER}\" to param keyless_identities");
    for id in ["SIGNED-ARTIFACTS", "PROVENANCE"] {
        let (status, messages) = control(&report, id);
        assert_eq!(status, "fail", "{id}: {messages:#?}");
        assert!(
            messages.iter().any(|m| m.contains(&want)),
            "{id}: {messages:#?}"
        );
    }
    let sig = report["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["path"] == "dist/a.txt.sigstore.json")
        .unwrap();
    assert_eq!(sig["outcome"], "keyless");
    assert_eq!(sig["identity"], BEACON);
    assert_eq!(sig["issuer"], GITHUB_ISSUER);
    assert_eq!(sig["trusted"], false);

    // Allowed: both pass.
    let report = evaluate(&policy(&dir, &[(BEACON, GITHUB_ISSUER)]), &b, &[]);
    for id in ["SIGNED-ARTIFACTS", "PROVENANCE"] {
        assert_eq!(
            control(&report, id).0,
            "pass",
            "{id}: {:#?}",
            control(&report, id)
        );
    }

    // Another identity allowed, or the right one from another issuer: neither counts.
    for allowed in [
        (
            "https://github.com/acme/widget/.github/workflows/release.yml@refs/heads/main",
            GITHUB_ISSUER,
        ),
        (BEACON, "https://accounts.google.com"),
    ] {
        let report = evaluate(&policy(&dir, &[allowed]), &b, &[]);
        for id in ["SIGNED-ARTIFACTS", "PROVENANCE"] {
            assert_eq!(control(&report, id).0, "fail", "{id} with {allowed:?}");
        }
    }
}

#[test]
fn the_authority_sees_keyless_signers_by_identity() {
    let Some(corpus) = corpus("the_authority_sees_keyless_signers_by_identity") else {
        return;
    };
    let dir = temp_dir("keyless-pack-authority");
    let b = conformance_bundle(&dir, &corpus);
    let p = policy(&dir, &[(BEACON, GITHUB_ISSUER)]);
    let cedar = |name: &str, principal: &str| {
        let path = dir.join(name);
        std::fs::write(
            &path,
            format!(
                "permit (\n  principal == Vouch::Key::\"{principal}\",\n  action == Vouch::Action::\"sign\",\n  resource\n);\n"
            ),
        )
        .unwrap();
        path.to_string_lossy().into_owned()
    };
    let allowed = cedar("allow.cedar", BEACON);
    let report = evaluate(&p, &b, &["--authority", &allowed]);
    assert_eq!(control(&report, "SIGNED-ARTIFACTS").0, "pass");
    assert_eq!(control(&report, "PROVENANCE").0, "pass");

    let other = cedar("other.cedar", "someone@example.com");
    let report = evaluate(&p, &b, &["--authority", &other]);
    let sig = report["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["path"] == "dist/a.txt.sigstore.json")
        .unwrap();
    assert_eq!(sig["outcome"], "not-permitted", "{sig:#}");
    assert_eq!(sig["decision"]["allowed"], false);
    assert_eq!(control(&report, "SIGNED-ARTIFACTS").0, "fail");
    assert_eq!(control(&report, "PROVENANCE").0, "fail");
}

/// Runs a registry client in `dir`; `None` (with the reason printed) when it cannot.
fn fetch(test: &str, dir: &Path, program: &str, args: &[&str]) -> Option<()> {
    match Command::new(program).args(args).current_dir(dir).output() {
        Ok(out) if out.status.success() => Some(()),
        Ok(out) => {
            eprintln!(
                "skipping {test}: `{program} {}` failed (registry unreachable?): {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            );
            None
        }
        Err(e) => {
            eprintln!("skipping {test}: cannot run {program}: {e}");
            None
        }
    }
}

#[test]
fn a_pypi_sdist_is_covered_by_its_pep740_attestation() {
    let test = "a_pypi_sdist_is_covered_by_its_pep740_attestation";
    let Some(corpus) = corpus(test) else {
        return;
    };
    let dir = temp_dir("keyless-pack-pep740");
    let download = dir.join("download");
    std::fs::create_dir_all(&download).unwrap();
    let args = [
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--no-binary",
        ":all:",
        "-d",
        ".",
        "pypi-attestations==0.0.19",
    ];
    let python = if Command::new("python3").arg("--version").output().is_ok() {
        "python3"
    } else {
        "python"
    };
    if fetch(test, &download, python, &args).is_none() {
        return;
    }
    let sdist = download.join("pypi_attestations-0.0.19.tar.gz");
    let attestation =
        corpus.join("pep740/pypi_attestations-0.0.19.tar.gz.publish.attestation.with_timestamp");
    let b = bundle(
        &dir,
        &[("pypi_attestations-0.0.19.tar.gz", &sdist)],
        &[(
            "pypi_attestations-0.0.19.tar.gz.publish.attestation",
            &attestation,
        )],
    );
    let oauth = "https://github.com/login/oauth";
    // PyPI's publish attestation is provenance of another predicate type than SLSA's.
    let types = ", provenance_types = [\"https://docs.pypi.org/attestations/publish/v1\"]";
    let report = evaluate(
        &policy_with(&dir, &[("someone@example.com", oauth)], types),
        &b,
        &[],
    );
    let (status, messages) = control(&report, "PROVENANCE");
    assert_eq!(status, "fail");
    assert!(
        messages
            .iter()
            .any(|m| m.contains(&format!("\"jku@goto.fi\": \"{oauth}\""))),
        "{messages:#?}"
    );
    let report = evaluate(
        &policy_with(&dir, &[("jku@goto.fi", oauth)], types),
        &b,
        &[],
    );
    assert_eq!(control(&report, "PROVENANCE").0, "pass", "{report:#}");

    // Another file under the sdist's name: the attestation names it no more.
    std::fs::write(
        b.join("dist/pypi_attestations-0.0.19.tar.gz"),
        b"not the sdist",
    )
    .unwrap();
    let report = evaluate(
        &policy_with(&dir, &[("jku@goto.fi", oauth)], types),
        &b,
        &[],
    );
    assert_eq!(control(&report, "PROVENANCE").0, "fail");
}

/// npm provenance names the tarball by sha512 only: it links because artifacts are hashed with
/// sha512 too when a subject names one; the keyless verification itself is tested without
/// linking in `engine/tests/signatures_keyless.rs`.
#[test]
fn an_npm_tarball_is_covered_by_its_provenance() {
    let test = "an_npm_tarball_is_covered_by_its_provenance";
    let Some(corpus) = corpus(test) else {
        return;
    };
    let dir = temp_dir("keyless-pack-npm");
    if fetch(test, &dir, "npm", &["pack", "sigstore@2.3.1"]).is_none() {
        return;
    }
    let b = bundle(
        &dir,
        &[("sigstore-2.3.1.tgz", &dir.join("sigstore-2.3.1.tgz"))],
        &[(
            "sigstore-2.3.1.attestations.json",
            &corpus.join("intoto/npm-sigstore-2.3.1.attestations.json"),
        )],
    );
    let identity =
        "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main";
    let report = evaluate(&policy(&dir, &[(identity, GITHUB_ISSUER)]), &b, &[]);
    assert_eq!(control(&report, "PROVENANCE").0, "pass", "{report:#}");
}
