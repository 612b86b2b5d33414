//! OpenBSD's release layout, made by the real `signify-openbsd` at test time: the sets listed
//! in a BSD-format `SHA256` (`sha256sum --tag`) signed with `signify -S -e` into `SHA256.sig`.
//! With the signify public key given to `--trust`, the pack's SIGNED-ARTIFACTS passes through
//! the signed checksum file; it fails when a set is changed, when the key is not trusted, and
//! when the signed message is edited. Skipped, with a printed reason, without signify-openbsd
//! (`.ci/run` installs it).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::path::Path;
use std::process::Command;

use common::{pack_control, temp_dir, transcript};

fn run(dir: &Path, program: &str, args: &[&str]) -> Vec<u8> {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        transcript(&out)
    );
    out.stdout
}

/// SIGNED-ARTIFACTS' status and finding messages for `bundle` with `trust`.
fn signed_artifacts(bundle: &Path, trust: &[&Path]) -> (String, Vec<String>) {
    pack_control(bundle, "2026-10-01T00:00:00Z", trust, "SIGNED-ARTIFACTS")
}

#[test]
fn sets_signed_only_through_an_embedded_signify_sha256_sig_verify() {
    if Command::new("signify-openbsd").arg("-V").output().is_err() {
        eprintln!("skipped: signify-openbsd is not installed (.ci/run installs it)");
        return;
    }
    let dir = temp_dir("signify-chain");
    let keys = dir.join("keys");
    let bundle = dir.join("bundle");
    let sets = bundle.join("7.6/amd64");
    std::fs::create_dir_all(&keys).unwrap();
    std::fs::create_dir_all(&sets).unwrap();
    for (name, content) in [
        ("base76.tgz", "the base set\n"),
        ("comp76.tgz", "the compiler set\n"),
    ] {
        std::fs::write(sets.join(name), content).unwrap();
    }
    std::fs::write(
        bundle.join("release.toml"),
        "[release]\nproduct = \"openbsd\"\nversion = \"7.6\"\ndate = 2026-09-01T00:00:00Z\n\
         artifacts = [\"7.6/amd64/*.tgz\"]\n",
    )
    .unwrap();
    for name in ["base", "other"] {
        run(
            &keys,
            "signify-openbsd",
            &[
                "-G",
                "-n",
                "-c",
                &format!("openbsd 7.6 {name}"),
                "-p",
                &format!("{name}.pub"),
                "-s",
                &format!("{name}.sec"),
            ],
        );
    }
    let sums = run(&sets, "sha256sum", &["--tag", "base76.tgz", "comp76.tgz"]);
    std::fs::write(keys.join("SHA256"), &sums).unwrap();
    let sig = sets.join("SHA256.sig");
    run(
        &keys,
        "signify-openbsd",
        &[
            "-S",
            "-e",
            "-s",
            "base.sec",
            "-m",
            "SHA256",
            "-x",
            sig.to_str().unwrap(),
        ],
    );
    // signify itself checks the sets against it.
    run(
        &sets,
        "signify-openbsd",
        &[
            "-C",
            "-p",
            keys.join("base.pub").to_str().unwrap(),
            "-x",
            "SHA256.sig",
        ],
    );
    let trusted = keys.join("base.pub");
    let other = keys.join("other.pub");

    let (status, messages) = signed_artifacts(&bundle, &[&trusted]);
    assert_eq!(status, "pass", "{messages:?}");

    // Another signify key trusted: the chain's signature is untrusted.
    let (status, messages) = signed_artifacts(&bundle, &[&other]);
    assert_eq!(status, "fail", "{messages:?}");
    assert!(
        messages.iter().any(|m| m.contains("untrusted-key")),
        "{messages:?}"
    );

    // A set changed after signing: the trusted checksum file does not match it.
    std::fs::write(sets.join("comp76.tgz"), "a changed compiler set\n").unwrap();
    let (status, messages) = signed_artifacts(&bundle, &[&trusted]);
    assert_eq!(status, "fail", "{messages:?}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("comp76.tgz") && m.contains("does not match")),
        "{messages:?}"
    );
    std::fs::write(sets.join("comp76.tgz"), "the compiler set\n").unwrap();

    // The signed message edited to list the changed set: the signature fails.
    std::fs::write(sets.join("comp76.tgz"), "a changed compiler set\n").unwrap();
    let changed = run(&sets, "sha256sum", &["--tag", "comp76.tgz"]);
    let text = String::from_utf8(std::fs::read(&sig).unwrap()).unwrap();
    let line = text.lines().find(|l| l.contains("comp76.tgz")).unwrap();
    let edited = text.replace(line, String::from_utf8(changed).unwrap().trim_end());
    std::fs::write(&sig, edited).unwrap();
    let (status, messages) = signed_artifacts(&bundle, &[&trusted]);
    assert_eq!(status, "fail", "{messages:?}");
    assert!(
        messages.iter().any(|m| m.contains("bad-signature")),
        "{messages:?}"
    );
}
