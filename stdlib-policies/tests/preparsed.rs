//! Every embedded standard module carries its build-time parse, and that parse is exactly what
//! parsing its source gives now: the same items, spans and comments, so the same diagnostics.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use vouch_lang::Source;
use vouch_lang::preparsed::{decode, parse_or_decode};

#[test]
fn every_embedded_module_decodes_to_its_fresh_parse() {
    assert!(!vouch_stdlib::MODULES.is_empty());
    for m in vouch_stdlib::MODULES {
        let source = Source::new(format!("std.{}", m.name), m.source);
        let fresh = vouch_lang::parse(&source)
            .unwrap_or_else(|d| panic!("std.{} does not parse: {d:?}", m.name));
        assert!(!m.ast.is_empty(), "std.{} has no build-time parse", m.name);
        let decoded = decode(m.ast, m.source)
            .unwrap_or_else(|| panic!("the build-time parse of std.{} is refused", m.name));
        assert_eq!(decoded, fresh, "std.{}", m.name);
    }
}

#[test]
fn an_embedded_parse_is_refused_for_any_other_text() {
    for m in vouch_stdlib::MODULES {
        // One byte changed inside a string (the file still parses, to another module).
        let at = m.source.find("title = \"").expect("a title") + "title = \"".len();
        let mut edited = m.source.to_string();
        edited.replace_range(at..=at, if &m.source[at..=at] == "X" { "Y" } else { "X" });
        assert_eq!(edited.len(), m.source.len());
        assert_eq!(decode(m.ast, &edited), None, "std.{}", m.name);
        let source = Source::new("edited.vouch", edited.as_str());
        assert_eq!(
            parse_or_decode(&source, m.ast).unwrap(),
            vouch_lang::parse(&source).unwrap(),
            "std.{}: the edited text is parsed",
            m.name
        );
        assert_eq!(decode(m.ast, &format!("{}\n", m.source)), None);
        assert_eq!(decode(m.ast, m.source.trim_end()), None);
    }
}

#[test]
fn a_damaged_embedded_parse_falls_back_to_parsing() {
    for m in vouch_stdlib::MODULES {
        let source = Source::new(format!("std.{}", m.name), m.source);
        let fresh = vouch_lang::parse(&source).unwrap();
        let len = m.ast.len();
        // The header, the start, the middle and the end of the payload.
        for at in [0, 9, 17, 25, 29, 40, len / 2, len - 1] {
            let mut damaged = m.ast.to_vec();
            damaged[at] ^= 0x20;
            assert_eq!(decode(&damaged, m.source), None, "std.{} byte {at}", m.name);
            assert_eq!(parse_or_decode(&source, &damaged).unwrap(), fresh);
        }
        assert_eq!(decode(&m.ast[..len - 1], m.source), None);
    }
}
