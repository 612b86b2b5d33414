//! `vouch test`: policy tests (`*.test.toml`) run end to end. The example bundles' test files
//! pass (tests/examples.rs); here, a wrong expectation fails naming the control, a malformed
//! test file exits 2 with located diagnostics, and the JUnit output is valid against the
//! schema the report renderer uses. Fixtures: `tests/data/vouch-test/`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::process::Command;

use common::{root, temp_dir, transcript, vouch};

#[test]
fn a_wrong_expectation_fails_naming_the_control() {
    let out = vouch(&["test", "tests/data/vouch-test/wrong"]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    insta::assert_snapshot!(transcript(&out));
}

#[test]
fn a_malformed_test_file_exits_2_with_located_diagnostics() {
    for file in ["malformed.test.toml", "unknown-key.test.toml.txt"] {
        let path = format!("tests/data/vouch-test/invalid/{file}");
        let out = vouch(&["test", &path]);
        assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
        assert!(out.stdout.is_empty(), "{}", transcript(&out));
        insta::assert_snapshot!(format!("invalid_{file}"), transcript(&out));
    }
}

#[test]
fn an_unknown_control_exits_2_with_did_you_mean() {
    let out = vouch(&["test", "tests/data/vouch-test/unknown-control"]);
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    insta::assert_snapshot!(transcript(&out));
}

#[test]
fn diagnostics_as_json_carry_the_code() {
    let out = vouch(&[
        "test",
        "--error-format",
        "json",
        "tests/data/vouch-test/unknown-control",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    let line: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stderr).lines().next().unwrap()).unwrap();
    assert_eq!(line["code"], "vouch::test::unknown-control");
    assert_eq!(line["line"], 8);
}

#[test]
fn no_test_file_is_an_error_not_a_pass() {
    let dir = temp_dir("vouch-test-empty");
    let out = vouch(&["test", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nothing was tested"),
        "{}",
        transcript(&out)
    );
}

#[test]
fn junit_output_validates_against_jenkins_junit_10_xsd() {
    let out = vouch(&["test", "--format", "junit", "tests/data/vouch-test/wrong"]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
    if Command::new("xmllint").arg("--version").output().is_err() {
        eprintln!("skipping the XSD validation: `xmllint` is not installed");
        return;
    }
    let file = temp_dir("vouch-test-junit").join("junit.xml");
    std::fs::write(&file, &out.stdout).unwrap();
    let check = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(root().join("engine/tests/schemas/junit-10.xsd"))
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

/// With only the compliant bundle tested, no control was seen failing: `--coverage` flags
/// every one as untested.
#[test]
fn coverage_flags_controls_only_seen_passing() {
    let out = vouch(&[
        "test",
        "--coverage",
        "tests/data/vouch-test/wrong/compliant-right.test.toml",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    insta::assert_snapshot!(transcript(&out));
}

/// The example bundles between them show every control of the ACME policy both passing and
/// not passing.
#[test]
fn coverage_of_the_examples_is_complete() {
    let out = vouch(&["test", "--coverage", "examples"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("UNTESTED"), "{stdout}");
    assert!(
        stdout.contains("21 of 21 controls seen both passing and not passing"),
        "{stdout}"
    );
}

/// The mutation score of the ACME policy under the example tests, with every surviving mutant
/// (a change to the policy no example would notice).
#[test]
fn mutants_of_the_example_policy() {
    let out = vouch(&["test", "--mutants", "examples"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("mutants of examples/policies/acme.vouch: "),
        "{stdout}"
    );
    insta::assert_snapshot!(stdout);
}

/// With only the compliant bundle, a negated `expect` that held makes its control fail: the
/// test kills it; a mutant that only changes an empty loop's outcome survives.
#[test]
fn mutants_killed_and_survived() {
    let out = vouch(&[
        "test",
        "--mutants",
        "tests/data/vouch-test/wrong/compliant-right.test.toml",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    // CHECKSUMS is expected to pass: negating its digest check is noticed...
    let pack =
        std::fs::read_to_string(root().join("stdlib-policies/uk-sscop/uk_sscop.vouch")).unwrap();
    let line = pack
        .lines()
        .position(|l| l.trim() == "expect c.status == \"match\"")
        .expect("CHECKSUMS compares each digest")
        + 1;
    let site = format!("CHECKSUMS: negate the `expect` at std.uk_sscop:{line}");
    assert!(
        stdout.contains("mutants of examples/policies/acme.vouch: "),
        "{stdout}"
    );
    assert!(!stdout.contains(&format!("survived: {site}")), "{stdout}");
    // ...while VDP is not tested at all, so every mutant of it survives.
    assert!(
        stdout.contains("survived: VDP: negate the `expect`"),
        "{stdout}"
    );
}

/// Mutation testing needs passing tests: a failing test would kill every mutant.
#[test]
fn mutants_are_not_run_when_a_test_fails() {
    let out = vouch(&["test", "--mutants", "tests/data/vouch-test/wrong"]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("mutants: not run, as a test fails"),
        "{}",
        transcript(&out)
    );
}

/// `--coverage` names the `expect`s no test saw false: with only the compliant bundle, the
/// digest check of CHECKSUMS held every time; with the examples, the failing bundle makes it
/// false.
#[test]
fn coverage_names_expects_never_seen_false() {
    let pack =
        std::fs::read_to_string(root().join("stdlib-policies/uk-sscop/uk_sscop.vouch")).unwrap();
    let line = pack
        .lines()
        .position(|l| l.trim() == "expect c.status == \"match\"")
        .expect("CHECKSUMS compares each digest")
        + 1;
    let site = format!("never seen false: CHECKSUMS at std.uk_sscop:{line}\n");
    let one = vouch(&[
        "test",
        "--coverage",
        "tests/data/vouch-test/wrong/compliant-right.test.toml",
    ]);
    assert!(
        String::from_utf8_lossy(&one.stdout).contains(&site),
        "{}",
        transcript(&one)
    );
    let all = vouch(&["test", "--coverage", "examples"]);
    let stdout = String::from_utf8_lossy(&all.stdout);
    assert!(
        stdout.contains("expects of examples/policies/acme.vouch: "),
        "{stdout}"
    );
    assert!(!stdout.contains(&site), "{stdout}");
}

/// `--coverage` names each `where` never seen false (it never left an element out: dropping it
/// would change nothing the tests see) and each never evaluated (its loop never had an
/// element), read from the trace's structured steps; a `where` seen both ways is not named.
#[test]
fn coverage_names_where_filters_never_seen_false_or_never_evaluated() {
    let out = vouch(&["test", "--coverage", "tests/data/vouch-test/where"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let section = "\n`where` filters of tests/data/vouch-test/where/where.vouch: 3, 1 never evaluated, 1 never seen false\n  never evaluated: MIRRORS at where.vouch:26\n  never seen false: MIRRORS at where.vouch:22\n";
    assert!(stdout.ends_with(section), "{stdout}");
    // The `expect`s, from the same steps: one never reached, two never false.
    assert!(
        stdout.contains("expects of tests/data/vouch-test/where/where.vouch: 3, 1 never evaluated, 2 never seen false\n  never evaluated: MIRRORS at where.vouch:27\n"),
        "{stdout}"
    );
}

/// A control that passes on a release without artifacts checked nothing: `--coverage` warns.
#[test]
fn coverage_warns_of_a_vacuous_pass() {
    let out = vouch(&["test", "--coverage", "tests/data/vouch-test/vacuous"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    insta::assert_snapshot!(transcript(&out));
}

/// A test that expects nothing could never fail: it is invalid.
#[test]
fn a_test_that_expects_nothing_is_invalid() {
    let dir = temp_dir("vouch-test-nothing");
    std::fs::write(
        dir.join("nothing.test.toml"),
        format!(
            "policy = {:?}\nbundle = {:?}\nas_of = \"2026-10-02\"\n",
            root().join("examples/policies/acme.vouch"),
            root().join("examples/bundles/compliant")
        ),
    )
    .unwrap();
    let out = vouch(&["test", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the test expects nothing"),
        "{}",
        transcript(&out)
    );
}
