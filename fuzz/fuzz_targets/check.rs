//! The checker on any policy text, with the embedded standard modules (`use std.NAME`) and
//! frameworks, as `vouch check` runs it. It must not panic, must give the same diagnostics
//! twice, and formatting must not change what a policy means: a policy that checks formats to
//! one that checks with the same controls, and one that does not to one that does not.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vouch_lang::{
    CheckOutput, Framework, Frameworks, ImportTarget, Loader, Source, check, format_source,
};

/// Standard modules only: a fuzzed policy reads no files.
struct StdOnly;

impl Loader for StdOnly {
    fn load(&self, _from: &Source, target: &ImportTarget) -> Result<Source, String> {
        match target {
            ImportTarget::Std(name) => vouch_stdlib::module(name)
                .map(|m| Source::new(format!("std.{}", m.name), m.source))
                .ok_or_else(|| "no standard module has this name".to_owned()),
            ImportTarget::Path(_) => Err("the fuzzer reads no files".to_owned()),
        }
    }
}

fn frameworks() -> &'static Frameworks {
    static SET: OnceLock<Frameworks> = OnceLock::new();
    SET.get_or_init(|| {
        let mut set = Frameworks::new();
        for embedded in vouch_stdlib::FRAMEWORKS {
            let source = Source::new(format!("std:{}", embedded.path), embedded.source);
            if let Ok(fw) = Framework::from_toml(&source) {
                set.insert(fw);
            }
        }
        set
    })
}

/// What formatting must keep: whether the policy checks, its controls, and its error codes.
fn meaning(out: &CheckOutput) -> (Option<Vec<String>>, Vec<String>) {
    let controls = out.policy.as_ref().map(|p| {
        p.controls
            .iter()
            .map(|c| format!("{} {:?} {:?} {:?}", c.id, c.title, c.provisions, c.severity))
            .collect()
    });
    let mut errors: Vec<String> = out
        .diagnostics
        .iter()
        .filter(|d| d.severity == vouch_lang::Severity::Error)
        .map(|d| format!("{:?}", d.code))
        .collect();
    errors.sort();
    (controls, errors)
}

fuzz_target!(|text: &str| {
    let source = Source::new("fuzz.vouch", text);
    let first = check(source.clone(), &StdOnly, frameworks());
    let second = check(source.clone(), &StdOnly, frameworks());
    assert_eq!(
        format!("{:?}", first.diagnostics),
        format!("{:?}", second.diagnostics),
        "the checker gave different diagnostics twice"
    );
    assert_eq!(
        meaning(&first),
        meaning(&second),
        "the checker gave different results twice"
    );
    let Ok(formatted) = format_source(&source) else {
        assert!(
            first.policy.is_none(),
            "a policy that does not parse checked"
        );
        return;
    };
    let reformatted = check(
        Source::new("fuzz.vouch", formatted.as_str()),
        &StdOnly,
        frameworks(),
    );
    assert_eq!(
        meaning(&first),
        meaning(&reformatted),
        "formatting changed what the policy means\n--- formatted\n{formatted}"
    );
});
