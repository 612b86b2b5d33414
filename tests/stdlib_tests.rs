//! The standard pack's own tests (`stdlib-policies/uk-sscop/tests/*.test.toml`, against the
//! example bundles and the per-control fixture bundles beside them): they pass, see every
//! control both passing and not, and their mutation score is the one the book states
//! (book/src/cli/test.md); the signed fixtures are what `build-fixtures.sh` makes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::{root, transcript, vouch};

#[test]
fn the_pack_tests_pass_with_the_mutation_score_the_book_states() {
    let out = vouch(&[
        "test",
        "--coverage",
        "--mutants",
        "stdlib-policies/uk-sscop/tests",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let tests = std::fs::read_dir(root().join("stdlib-policies/uk-sscop/tests"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".test.toml")
        })
        .count();
    assert!(tests > 4, "the pack's fixture tests are missing");
    assert!(
        stdout.contains(&format!("\n{tests} passed, 0 failed\n")),
        "{stdout}"
    );
    assert!(!stdout.contains("UNTESTED"), "{stdout}");
    let score = stdout
        .lines()
        .find(|l| l.starts_with("mutants of stdlib-policies/uk-sscop/uk_sscop.vouch: "))
        .expect("a mutation score");
    let book = std::fs::read_to_string(root().join("book/src/cli/test.md")).unwrap();
    assert!(
        book.contains(score),
        "book/src/cli/test.md must state the pack's score: {score}"
    );
}

/// `stdlib-policies/uk-sscop/tests/build-fixtures.sh` rebuilds the committed signed fixtures
/// byte for byte: they are what the script makes with the real tools (GnuPG signatures at a
/// fixed time are deterministic with Ed25519 keys), and nothing was edited by hand. Skips when
/// a tool is missing (`.ci/run` installs them).
#[test]
fn build_fixtures_reproduces_the_committed_fixtures() {
    let have = |tool: &str| {
        std::process::Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let missing: Vec<&str> = [
        "gpg",
        "gpgconf",
        "tar",
        "gzip",
        "sha256sum",
        "openssl",
        "base64",
    ]
    .into_iter()
    .filter(|t| !have(t))
    .collect();
    if !missing.is_empty() {
        eprintln!("skipped: build-fixtures.sh needs {}", missing.join(", "));
        return;
    }
    let tests = root().join("stdlib-policies/uk-sscop/tests");
    let out = common::temp_dir("uk-sscop-fixtures");
    let run = std::process::Command::new("bash")
        .arg(tests.join("build-fixtures.sh"))
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", transcript(&run));
    let mut files = Vec::new();
    let mut dirs = vec![out.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 20, "build-fixtures.sh wrote {files:?}");
    for file in files {
        let rel = file.strip_prefix(&out).unwrap();
        let committed = std::fs::read(tests.join(rel))
            .unwrap_or_else(|e| panic!("{} is not committed: {e}", rel.display()));
        assert!(
            std::fs::read(&file).unwrap() == committed,
            "{} differs from what build-fixtures.sh makes: run it and commit the result",
            rel.display()
        );
    }
}
