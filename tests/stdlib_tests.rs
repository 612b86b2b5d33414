//! The standard pack's own tests (`stdlib-policies/uk-sscop/tests/*.test.toml`, against the
//! example bundles): they pass, see every control both passing and not, and their mutation
//! score is the one the book states (book/src/cli/test.md).

#![allow(clippy::unwrap_used, clippy::expect_used)]

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
    assert!(stdout.contains("4 passed, 0 failed"), "{stdout}");
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
