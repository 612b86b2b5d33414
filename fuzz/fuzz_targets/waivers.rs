//! The waivers file reader (`--waivers`) on any text. It must not panic, must read the same text
//! the same way twice, and every waiver it accepts must name a control, give a justification,
//! end no earlier than it starts, have an id no other waiver has, and accept some finding or
//! subject.
#![no_main]

use std::collections::BTreeSet;

use libfuzzer_sys::fuzz_target;
use vouch_engine::waivers::parse_waivers;

fuzz_target!(|text: &str| {
    let a = parse_waivers("waivers.toml", text);
    let b = parse_waivers("waivers.toml", text);
    assert_eq!(
        format!("{a:?}"),
        format!("{b:?}"),
        "waivers read differently twice"
    );
    let Ok((waivers, _)) = a else { return };
    let mut ids = BTreeSet::new();
    for w in &waivers {
        assert!(
            !w.control.trim().is_empty(),
            "a waiver of no control: {w:?}"
        );
        assert!(
            !w.justification.trim().is_empty(),
            "a waiver without justification: {w:?}"
        );
        assert!(
            w.expires >= w.effective,
            "a waiver that ends before it starts: {w:?}"
        );
        assert!(ids.insert(w.id.clone()), "two waivers with id {}", w.id);
        assert!(
            !w.findings.is_empty() || w.subject.is_some(),
            "a waiver that accepts nothing: {w:?}"
        );
    }
});
