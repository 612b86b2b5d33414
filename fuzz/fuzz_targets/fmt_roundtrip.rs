//! Any text that parses formats to text that parses to the same tree, keeps every comment in
//! order, and formats to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vouch_lang::ast::Module;
use vouch_lang::{Source, dump, format_module, parse};

fn comments(module: &Module) -> Vec<&str> {
    module.comments.iter().map(|c| c.text.trim_end()).collect()
}

fuzz_target!(|text: &str| {
    let source = Source::new("fuzz.vouch", text);
    let Ok(module) = parse(&source) else { return };
    let formatted = format_module(&module, &source);
    let formatted_source = Source::new("fuzz.vouch", formatted.as_str());
    let reparsed = match parse(&formatted_source) {
        Ok(m) => m,
        Err(diags) => {
            let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
            panic!("formatted text does not parse: {messages:?}\n--- output\n{formatted}");
        }
    };
    assert_eq!(
        dump::module(&module),
        dump::module(&reparsed),
        "the tree changed\n--- output\n{formatted}"
    );
    assert_eq!(
        comments(&module),
        comments(&reparsed),
        "comments changed\n--- output\n{formatted}"
    );
    let again = format_module(&reparsed, &formatted_source);
    assert_eq!(formatted, again, "formatting is not idempotent");
});
