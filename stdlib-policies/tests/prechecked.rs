//! Every embedded standard module carries its build-time check, and a policy checked with it
//! is exactly the policy checked without it: the same modules, params, controls and
//! diagnostics. It is used only for the exact text and the exact framework it was made for.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use vouch_lang::prechecked::{Prechecked, decode};
use vouch_lang::{Framework, Frameworks, ImportTarget, Loader, Source};

/// Serves the standard modules, with their build-time check or without it.
struct StdLoader {
    prechecked: bool,
}

impl Loader for StdLoader {
    fn load(&self, _from: &Source, target: &ImportTarget) -> Result<Source, String> {
        match target {
            ImportTarget::Std(name) => vouch_stdlib::module(name)
                .map(|m| Source::new(format!("std.{name}"), m.source))
                .ok_or_else(|| format!("no std.{name}")),
            ImportTarget::Path(p) => Err(format!("no file {p} here")),
        }
    }

    fn prechecked(&self, source: &Source) -> Option<Prechecked> {
        let m = vouch_stdlib::MODULES
            .iter()
            .find(|m| m.source == source.text())?;
        self.prechecked
            .then(|| decode(m.checked, m.source))
            .flatten()
    }
}

fn embedded_frameworks() -> Frameworks {
    let mut set = Frameworks::new();
    for f in vouch_stdlib::FRAMEWORKS {
        let source = Source::new(format!("std:{}", f.path), f.source);
        set.insert(Framework::from_toml(&source).unwrap());
    }
    set
}

/// Checks `root` both ways and asserts the results are the same; the policy, if it checks.
fn check_both_ways(root: &str, frameworks: &Frameworks) -> Option<vouch_lang::CheckedPolicy> {
    let source = Source::new("root.vouch", root);
    let with = vouch_lang::check(source.clone(), &StdLoader { prechecked: true }, frameworks);
    let without = vouch_lang::check(source, &StdLoader { prechecked: false }, frameworks);
    assert_eq!(with.policy, without.policy);
    assert_eq!(with.diagnostics, without.diagnostics);
    with.policy
}

const ROOT: &str = r#"policy "p" {
  title = "P"
  framework = "uk-sscop"
}

use std.uk_sscop with { patch_sla = { critical: 24h, high: 5d, medium: 30d, low: 90d } }
"#;

#[test]
fn every_embedded_module_has_its_build_time_check() {
    assert!(!vouch_stdlib::MODULES.is_empty());
    for m in vouch_stdlib::MODULES {
        assert!(
            !m.checked.is_empty(),
            "std.{} has no build-time check",
            m.name
        );
        assert!(
            decode(m.checked, m.source).is_some(),
            "the build-time check of std.{} is refused",
            m.name
        );
    }
}

#[test]
fn every_embedded_framework_is_read_at_build_time_as_at_run_time() {
    assert!(!vouch_stdlib::FRAMEWORKS.is_empty());
    for f in vouch_stdlib::FRAMEWORKS {
        let source = Source::new(format!("std:{}", f.path), f.source);
        let read = Framework::decode(f.read, f.source);
        assert_eq!(
            read,
            Some(Framework::from_toml(&source).unwrap()),
            "{}",
            f.path
        );
        // Refused for any other text, so an edited file is read again.
        assert_eq!(Framework::decode(f.read, &format!("{} ", f.source)), None);
    }
}

#[test]
fn a_policy_checks_the_same_with_and_without_the_build_time_check() {
    let frameworks = embedded_frameworks();
    let policy = check_both_ways(ROOT, &frameworks).expect("the policy checks");
    assert!(policy.controls.len() > 10);
    assert!(policy.controls.iter().all(|c| c.module == 1));
    let acme = include_str!("../../examples/policies/acme.vouch");
    assert!(check_both_ways(acme, &frameworks).is_some());
    // Errors in the root, next to the pack.
    let broken = format!("{ROOT}\ncontrol \"X\" {{ title = 1 }}\n");
    assert!(check_both_ways(&broken, &frameworks).is_none());
}

#[test]
fn another_definition_of_the_framework_has_the_module_checked_again() {
    // A `--framework` file redefining uk-sscop without principle 3.2: the pack's controls
    // that map to 3.2 are errors, as they are when the pack is checked at run time.
    let embedded = vouch_stdlib::framework("uk-sscop").unwrap();
    let start = embedded.source.find("id = \"3.2\"").unwrap();
    let block = embedded.source[..start].rfind("[[principle]]").unwrap();
    let end = embedded.source[start..]
        .find("[[principle]]")
        .map_or(embedded.source.len(), |e| start + e);
    let text = format!("{}{}", &embedded.source[..block], &embedded.source[end..]);
    let mut frameworks = embedded_frameworks();
    frameworks.insert(Framework::from_toml(&Source::new("mine.toml", text.as_str())).unwrap());
    let source = Source::new("root.vouch", ROOT);
    let out = vouch_lang::check(source, &StdLoader { prechecked: true }, &frameworks);
    assert!(out.policy.is_none());
    assert!(
        out.diagnostics
            .iter()
            .any(|d| d.src.name() == "std.uk_sscop" && d.message.contains("3.2")),
        "{:?}",
        out.diagnostics
    );
    assert!(check_both_ways(ROOT, &frameworks).is_none());
}

#[test]
fn a_build_time_check_is_refused_for_any_other_text_or_damage() {
    for m in vouch_stdlib::MODULES {
        let at = m.source.find("title = \"").expect("a title") + "title = \"".len();
        let mut edited = m.source.to_string();
        edited.replace_range(at..=at, if &m.source[at..=at] == "X" { "Y" } else { "X" });
        assert!(decode(m.checked, &edited).is_none(), "std.{}", m.name);
        assert!(decode(m.checked, &format!("{}\n", m.source)).is_none());
        let len = m.checked.len();
        for at in [0, 9, 17, 25, 29, 40, len / 2, len - 1] {
            let mut damaged = m.checked.to_vec();
            damaged[at] ^= 0x20;
            assert!(
                decode(&damaged, m.source).is_none(),
                "std.{} byte {at}",
                m.name
            );
        }
        assert!(decode(&m.checked[..len - 1], m.source).is_none());
        // A parse blob is not a check blob.
        assert!(decode(m.ast, m.source).is_none());
    }
}
