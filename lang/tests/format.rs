//! Tests of the formatter (`vouch fmt`).
//!
//! - Golden tests: each `tests/data/format/NAME.vouch` is formatted and compared with the insta
//!   snapshot `snapshots/format__NAME.snap`. To add one, add the file and a name to `golden!`,
//!   run `INSTA_UPDATE=always cargo test -p vouch-lang --test format`, and read the new `.snap`.
//! - Round trips over every `.vouch` file in the repository and every ```vouch block in the book:
//!   the output parses to the same tree, keeps every comment, and formatting it again changes
//!   nothing.
//! - The same round trip over a few hundred random policies from a small generator.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use std::path::{Path, PathBuf};

use vouch_lang::ast::Module;
use vouch_lang::{Source, dump, format_module, format_source, parse};

#[path = "support/policy_gen.rs"]
mod policy_gen;

use policy_gen::{Gen, Rng};

/// Formats `text` and checks the round-trip properties; `None` if `text` does not parse.
fn round_trip(name: &str, text: &str) -> Option<String> {
    let source = Source::new(name, text);
    let module = parse(&source).ok()?;
    let formatted = format_module(&module, &source);
    let formatted_source = Source::new(name, formatted.as_str());
    let reparsed = match parse(&formatted_source) {
        Ok(m) => m,
        Err(diags) => {
            let messages: Vec<String> = diags
                .iter()
                .map(|d| format!("{:?} {}", d.span(), d.message))
                .collect();
            panic!(
                "{name}: the formatted text does not parse: {messages:?}\n--- input\n{text}\n--- output\n{formatted}"
            )
        }
    };
    assert_eq!(
        dump::module(&module),
        dump::module(&reparsed),
        "{name}: formatting changed the tree\n--- input\n{text}\n--- output\n{formatted}"
    );
    assert_eq!(
        comment_texts(&module),
        comment_texts(&reparsed),
        "{name}: formatting lost, added or reordered comments\n--- output\n{formatted}"
    );
    let again = format_module(&reparsed, &formatted_source);
    assert_eq!(
        formatted, again,
        "{name}: formatting is not idempotent\n--- input\n{text}"
    );
    assert_canonical_text(name, &formatted);
    Some(formatted)
}

fn comment_texts(module: &Module) -> Vec<&str> {
    module.comments.iter().map(|c| c.text.trim_end()).collect()
}

/// LF line ends, no trailing whitespace, no tabs in indentation, one newline at the end.
fn assert_canonical_text(name: &str, text: &str) {
    assert!(!text.contains('\r'), "{name}: output has a carriage return");
    if text.is_empty() {
        return;
    }
    assert!(
        text.ends_with('\n') && !text.ends_with("\n\n"),
        "{name}: output must end with one newline"
    );
    assert!(
        !text.starts_with('\n'),
        "{name}: output starts with a blank line"
    );
    for (i, line) in text.lines().enumerate() {
        assert_eq!(
            line,
            line.trim_end(),
            "{name}: trailing whitespace on output line {}",
            i + 1
        );
        assert!(
            !line.trim_start_matches(' ').starts_with('\t'),
            "{name}: tab indentation on line {}",
            i + 1
        );
    }
    assert!(
        !text.contains("\n\n\n"),
        "{name}: more than one blank line in a row"
    );
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

// ---- golden tests ----------------------------------------------------------------------------

fn golden(name: &str) {
    let path = manifest_dir()
        .join("tests/data/format")
        .join(format!("{name}.vouch"));
    let input =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let formatted =
        round_trip(name, &input).unwrap_or_else(|| panic!("{name}.vouch does not parse"));
    insta::with_settings!({ input_file => &path, omit_expression => true }, {
        insta::assert_snapshot!(name, formatted);
    });
}

macro_rules! golden {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                golden(stringify!($name));
            }
        )*
    };
}

golden!(
    spacing,
    comments,
    awkward_comments,
    expression_comments,
    breaking,
    literals,
    expressions,
    nesting,
    blank_lines,
);

// ---- unit-sized behaviour --------------------------------------------------------------------

fn fmt(text: &str) -> String {
    round_trip("test.vouch", text).unwrap_or_else(|| panic!("does not parse:\n{text}"))
}

#[test]
fn syntax_errors_come_back_as_the_parse_diagnostics() {
    let source = Source::new("bad.vouch", "control \"X\" { expect }\n");
    let from_format = format_source(&source).expect_err("must not format");
    let from_parse = parse(&source).expect_err("must not parse");
    assert_eq!(from_format, from_parse);
}

#[test]
fn an_empty_file_stays_empty() {
    assert_eq!(fmt(""), "");
    assert_eq!(fmt("\n\n  \n"), "");
}

#[test]
fn the_design_sketch_is_already_canonical() {
    let path = manifest_dir().join("../tests/data/lang/ok/design-sketch.vouch");
    let text = std::fs::read_to_string(path).expect("design sketch");
    assert_eq!(fmt(&text), text);
}

#[test]
fn with_overrides_go_one_per_line_when_too_long() {
    let short = "use std.x with { a = 1, b = 2 }\n";
    assert_eq!(fmt(short), short);
    let long = format!("use std.x with {{ a = \"{}\", b = 2 }}\n", "y".repeat(80));
    assert_eq!(
        fmt(&long),
        format!(
            "use std.x with {{\n  a = \"{}\"\n  b = 2\n}}\n",
            "y".repeat(80)
        )
    );
}

#[test]
fn a_call_named_like_a_quantifier_keeps_the_comma_that_makes_it_a_call() {
    assert_eq!(
        fmt("param p: int = count(x in xs,)"),
        "param p: int = count(x in xs,)\n"
    );
    assert_eq!(
        fmt("param p: int = count(x in xs)"),
        "param p: int = count(x in xs)\n"
    );
    assert_eq!(fmt("param p: int = count(x,)"), "param p: int = count(x)\n");
}

#[test]
fn a_doc_comment_inside_a_param_default_does_not_become_the_next_items_doc() {
    let text = "param a: list<int> = [1, /// not a doc\n]\nparam b: int = 2\n";
    let out = fmt(text);
    assert_eq!(
        out,
        "param a: list<int> = [\n  1, /// not a doc\n]\nparam b: int = 2\n"
    );
}

#[test]
fn docs_of_a_module_without_comments_are_written_out() {
    let source = Source::new(
        "a.vouch",
        "/// The policy.\n///\n/// More.\npolicy \"p\" {}\n",
    );
    let mut module = parse(&source).expect("parses");
    module.comments.clear();
    assert_eq!(
        format_module(&module, &source),
        "/// The policy.\n///\n/// More.\npolicy \"p\" {}\n"
    );
}

// ---- every policy in the repository ----------------------------------------------------------

/// Every `.vouch` file under `dir`, skipping build output and hidden directories.
fn vouch_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                vouch_files(&path, out);
            }
        } else if name.ends_with(".vouch") {
            out.push(path);
        }
    }
}

/// The ```vouch fenced blocks of every Markdown file under `dir`.
fn book_blocks(dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            book_blocks(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let mut block: Option<(usize, String)> = None;
            for (i, line) in text.lines().enumerate() {
                match &mut block {
                    None if line.trim_start().starts_with("```vouch") => {
                        block = Some((i + 1, String::new()))
                    }
                    Some((start, body)) if line.trim_start().starts_with("```") => {
                        out.push((format!("{}:{start}", path.display()), std::mem::take(body)));
                        block = None;
                    }
                    Some((_, body)) => {
                        body.push_str(line);
                        body.push('\n');
                    }
                    None => {}
                }
            }
        }
    }
}

#[test]
fn every_policy_in_the_repository_round_trips() {
    let root = manifest_dir().join("..");
    let mut files = Vec::new();
    vouch_files(&root, &mut files);
    // Files that are not UTF-8 text (negative input tests) are skipped, like those that do
    // not parse.
    let mut cases: Vec<(String, String)> = files
        .iter()
        .filter_map(|p| {
            let text = String::from_utf8(std::fs::read(p).ok()?).ok()?;
            Some((p.display().to_string(), text))
        })
        .collect();
    book_blocks(&root.join("book/src"), &mut cases);
    let mut checked = 0;
    for (name, text) in &cases {
        if round_trip(name, text).is_some() {
            checked += 1;
        }
    }
    eprintln!(
        "{checked} of {} policy texts parse and round-trip",
        cases.len()
    );
    assert!(checked > 0, "no policy file was checked");
    // The golden inputs alone are more than this; if it drops, the walk is broken.
    assert!(checked >= 8, "only {checked} policy files were checked");
}

// ---- random policies -------------------------------------------------------------------------

/// Set `VOUCH_FMT_CASES` and `VOUCH_FMT_SEED` to run more or other cases.
#[test]
fn random_policies_round_trip() {
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let cases = env("VOUCH_FMT_CASES", 400);
    let mut generator = Gen {
        rng: Rng(env("VOUCH_FMT_SEED", 0x5eed_f00d_cafe_d00d) | 1),
        comments: 0,
        quiet: false,
    };
    let mut parsed = 0;
    for i in 0..cases {
        generator.quiet = i % 2 == 1;
        let text = generator.policy();
        let name = format!("random-{i}.vouch");
        match round_trip(&name, &text) {
            Some(_) => parsed += 1,
            None => {
                let diags = parse(&Source::new(name.as_str(), text.as_str()))
                    .err()
                    .unwrap_or_default();
                let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
                panic!("the generator wrote a policy that does not parse: {messages:?}\n{text}");
            }
        }
    }
    assert_eq!(parsed, cases);
}
