//! The standard pack read from its build-time parse (`vouch_lang::preparsed`, issue #20): the
//! same checked policy and diagnostics as a fresh parse, and a parse again whenever the text
//! is not exactly the embedded one.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use crate::common;
use common::{root, temp_dir, vouch};
use vouch::policy_files::{FileLoader, frameworks, preparsed, read_source};
use vouch_lang::{CheckOutput, ImportTarget, LintLevels, Loader, Source};

const PACK: &str = "stdlib-policies/uk-sscop/uk_sscop.vouch";

/// [`FileLoader`] without the build-time parses: every module is parsed.
struct ParseEverything;

impl Loader for ParseEverything {
    fn load(&self, from: &Source, target: &ImportTarget) -> Result<Source, String> {
        FileLoader.load(from, target)
    }
}

fn check(source: &Source, loader: &dyn Loader) -> CheckOutput {
    vouch_lang::check_with(
        source.clone(),
        loader,
        &frameworks(&[]).unwrap(),
        &LintLevels::default(),
    )
}

#[test]
fn the_pack_file_read_from_disk_is_read_from_its_build_time_parse() {
    let source = read_source(&root().join(PACK)).unwrap();
    let module = preparsed(&source).expect("the pack file's text is the embedded text");
    assert_eq!(module, vouch_lang::parse(&source).unwrap());
    let std = Source::new("std.uk_sscop", source.text());
    assert!(FileLoader.preparsed(&std).is_some(), "`use std.uk_sscop`");
}

#[test]
fn the_preparsed_pack_checks_exactly_as_the_parsed_one() {
    // The pack alone, and ACME's policy over it: the same checked policy, modules and spans.
    for path in [PACK, "examples/policies/acme.vouch"] {
        let source = read_source(&root().join(path)).unwrap();
        let fast = check(&source, &FileLoader);
        let slow = check(&source, &ParseEverything);
        assert!(fast.policy.is_some(), "{path}: {:?}", fast.diagnostics);
        assert_eq!(fast.policy, slow.policy, "{path}");
        assert_eq!(fast.diagnostics, slow.diagnostics, "{path}");
    }
}

#[test]
fn diagnostics_into_the_preparsed_pack_are_those_of_a_parse() {
    // Overrides the pack refuses: an unknown param, a wrong type, a value outside the pack's
    // `where` bound: their types and bounds come from the pack's parse.
    let text = "policy \"p\" {\n  title = \"P\"\n  framework = \"uk-sscop\"\n}\n\nuse std.uk_sscop with { eol_notice = 1 month, scan_max_age = \"7d\", no_such_param = 1 }\n";
    let source = Source::new("p.vouch", text);
    let fast = check(&source, &FileLoader);
    let slow = check(&source, &ParseEverything);
    assert!(fast.diagnostics.len() >= 3, "{:?}", fast.diagnostics);
    assert_eq!(fast.diagnostics, slow.diagnostics);
    let render = |out: &CheckOutput| {
        out.diagnostics
            .iter()
            .map(|d| (d.src.name().to_string(), d.to_json()))
            .collect::<Vec<_>>()
    };
    assert_eq!(render(&fast), render(&slow));
}

#[test]
fn an_edited_copy_of_the_pack_is_parsed() {
    let dir = temp_dir("preparsed-edited-pack");
    let pack = std::fs::read_to_string(root().join(PACK)).unwrap();
    // One character of a title changed: the copy still checks, but it is another text.
    let at = pack.find("title = \"").unwrap() + "title = \"".len();
    let mut edited = pack.clone();
    edited.replace_range(at..=at, "#");
    let copy = dir.join("uk_sscop.vouch");
    std::fs::write(&copy, &edited).unwrap();
    let source = read_source(&copy).unwrap();
    assert!(
        preparsed(&source).is_none(),
        "the edited text is not the embedded one"
    );
    let out = check(&source, &FileLoader);
    let policy = out.policy.expect("the edited pack checks");
    assert!(
        policy.info.title.starts_with('#'),
        "the edit is in the checked policy: {}",
        policy.info.title
    );

    // A syntax error added: reported at its place in the copy, as a parse reports it.
    let line = edited[..at].matches('\n').count() + 1;
    let broken = edited.replacen("title = \"", "title = = \"", 1);
    std::fs::write(&copy, &broken).unwrap();
    let out = vouch(&["check", copy.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("uk_sscop.vouch:{line}:")),
        "the error on line {line}: {stderr}"
    );
}

#[test]
fn vouch_check_of_the_pack_is_clean() {
    let out = vouch(&["check", PACK]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(Path::new(&root().join(PACK)).is_file());
}
