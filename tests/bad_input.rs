//! Hostile policy files: every one gets a located diagnostic and exit 2, never a panic or a
//! stack overflow.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use common::{temp_dir, vouch_in};

const HEADER: &str = "policy \"p\" {\n  title = \"p\"\n  framework = \"uk-sscop\"\n}\n";

fn check_file(name: &str, bytes: &[u8]) -> (i32, String) {
    let dir = temp_dir(&format!("bad-input-{name}"));
    std::fs::write(dir.join("policy.vouch"), bytes).unwrap();
    let out = vouch_in(&dir, &["check", "policy.vouch"]);
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{name}: panicked:\n{stderr}");
    (out.status.code().unwrap_or(-1), stderr)
}

#[test]
fn empty_file() {
    let (code, err) = check_file("empty", b"");
    assert_eq!(code, 2);
    assert!(err.contains("vouch::check::missing-header"), "{err}");
}

#[test]
fn binary_file() {
    let (code, err) = check_file("binary", b"\x7fELF\x02\x01\x01\x00\x00\x00garbage");
    assert_eq!(code, 2);
    assert!(
        err.contains("vouch::input::binary") && err.contains("policy.vouch:1:"),
        "{err}"
    );
}

#[test]
fn not_utf8() {
    let (code, err) = check_file("latin1", b"policy \"caf\xe9\" {}\n");
    assert_eq!(code, 2);
    assert!(
        err.contains("vouch::input::not-utf8") && err.contains("offset 11"),
        "{err}"
    );
}

#[test]
fn ten_megabytes() {
    let mut text = String::from(HEADER);
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(
            "// padding padding padding padding padding padding padding padding padding\n",
        );
    }
    let (code, err) = check_file("huge", text.as_bytes());
    assert_eq!(code, 2);
    assert!(
        err.contains("vouch::input::too-large") && err.contains("policy.vouch"),
        "{err}"
    );
}

#[test]
fn nested_ten_thousand_deep() {
    for (name, open, close) in [
        ("parens", "(", ")"),
        ("lists", "[", "]"),
        ("tables", "{a: ", "}"),
    ] {
        let text = format!(
            "{HEADER}param x: int = {}1{}\n",
            open.repeat(10_000),
            close.repeat(10_000)
        );
        let (code, err) = check_file(name, text.as_bytes());
        assert_eq!(code, 2, "{name}");
        assert!(
            err.contains("vouch::parse::too-deep") && err.contains("policy.vouch:5:"),
            "{name}: {err}"
        );
    }
    let cases = [
        (
            "nots",
            format!("{HEADER}param x: bool = {}true\n", "not ".repeat(10_000)),
        ),
        (
            "negations",
            format!("{HEADER}param x: int = {}1\n", "- ".repeat(10_000)),
        ),
        (
            "sums",
            format!("{HEADER}param x: int = 1{}\n", " + 1".repeat(10_000)),
        ),
        (
            "members",
            format!("{HEADER}param x: int = a{}\n", ".b".repeat(10_000)),
        ),
        (
            "interpolations",
            format!("{HEADER}param x: string = \"{}\"\n", "{\"".repeat(10_000)),
        ),
    ];
    for (name, text) in cases {
        let (code, err) = check_file(name, text.as_bytes());
        assert_eq!(code, 2, "{name}");
        assert!(err.contains("vouch::parse::too-deep"), "{name}: {err}");
    }
}

#[test]
fn full_of_syntax_errors() {
    let mut text = String::from(HEADER);
    for i in 0..200 {
        text.push_str(&format!(
            "control \"C-{i}\" {{\n  title = \n  expect (1 +\n}}\n"
        ));
    }
    let (code, err) = check_file("syntax", text.as_bytes());
    assert_eq!(code, 2);
    let reported = err.matches("vouch::parse::syntax").count();
    assert_eq!(
        reported, 50,
        "reports the first 50 broken items, each located:\n{err}"
    );
    assert!(err.contains("policy.vouch:7:3"), "{err}");
}

#[test]
fn random_text_never_panics() {
    // A small deterministic generator: text drawn from the language's own alphabet, so the
    // parser goes deep into its rules before failing.
    let alphabet = b"policy control param for in where let expect else manual \"{}[]()<>=!.,:?+-*/ \n0123456789abcxyz_";
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for case in 0..300 {
        let mut text = Vec::new();
        for _ in 0..(case * 7 % 400) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push(alphabet[(state % alphabet.len() as u64) as usize]);
        }
        let source = vouch_lang::Source::from_bytes("random.vouch", &text).unwrap();
        let _ = vouch_lang::check(
            source,
            &vouch_lang::NoImports,
            &vouch_lang::Frameworks::new(),
        );
    }
}
