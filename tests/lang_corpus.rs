//! Corpus tests of the policy language: every `tests/data/lang/**/*.vouch` file is a test.
//!
//! A file's first lines say what it must produce:
//! `// expect: ok`, or `// expect: CODE CODE ...` listing every diagnostic code (with
//! repetition) that checking it must report. The output (the AST dump when the file checks
//! clean, the rendered diagnostics otherwise) is an insta snapshot beside the file.
//! See `tests/data/lang/README.md` for how to add a case.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use vouch::policy_files::{FileLoader, display_path};
use vouch_lang::{Code, Framework, Frameworks, Source};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn corpus_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![root().join("tests/data/lang")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "vouch") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The built-in frameworks plus the test-only ones in `tests/data/lang/frameworks/`.
fn frameworks() -> Frameworks {
    let mut set = vouch::policy_files::frameworks(&[]).unwrap();
    let dir = root().join("tests/data/lang/frameworks");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        set.insert(Framework::from_toml(&Source::new(display_path(&path), text)).unwrap());
    }
    set
}

/// The codes a file's `// expect:` header lists; `None` for `ok`.
fn expectation(text: &str, path: &Path) -> Vec<String> {
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("// expect:"))
        .unwrap_or_else(|| panic!("{}: no `// expect:` header", path.display()));
    let mut codes: Vec<String> = line
        .split_whitespace()
        .filter(|c| *c != "ok")
        .map(str::to_string)
        .collect();
    codes.sort();
    codes
}

struct Outcome {
    codes: Vec<String>,
    rendered: String,
}

fn run(path: &Path, frameworks: &Frameworks) -> Outcome {
    let rel = path.strip_prefix(root()).unwrap();
    let bytes = std::fs::read(path).unwrap();
    let source = match Source::from_bytes(display_path(rel), &bytes) {
        Ok(s) => s,
        Err(d) => {
            return Outcome {
                codes: vec![d.code.to_string()],
                rendered: vouch::render::human(&d, false),
            };
        }
    };
    let out = vouch_lang::check(source.clone(), &FileLoader, frameworks);
    if out.diagnostics.is_empty() {
        let module = vouch_lang::parse(&source).unwrap();
        return Outcome {
            codes: Vec::new(),
            rendered: vouch_lang::dump::module(&module),
        };
    }
    let mut codes: Vec<String> = out.diagnostics.iter().map(|d| d.code.to_string()).collect();
    codes.sort();
    let rendered = out
        .diagnostics
        .iter()
        .map(|d| vouch::render::human(d, false))
        .collect::<Vec<_>>()
        .join("\n");
    Outcome { codes, rendered }
}

#[test]
fn corpus() {
    let cwd_guard = std::env::current_dir().unwrap();
    assert_eq!(
        cwd_guard,
        root(),
        "tests run from the package root so relative imports resolve"
    );
    let frameworks = frameworks();
    let files = corpus_files();
    assert!(
        files.len() >= 40,
        "the corpus has only {} cases",
        files.len()
    );
    let mut failures = Vec::new();
    for path in &files {
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        let expected = expectation(&text, path);
        let outcome = run(path, &frameworks);
        if outcome.codes != expected {
            failures.push(format!(
                "{}: expected {:?}, got {:?}\n{}",
                path.display(),
                expected,
                outcome.codes,
                outcome.rendered
            ));
            continue;
        }
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(path.parent().unwrap());
        settings.set_prepend_module_to_snapshot(false);
        settings.set_input_file(path);
        settings.set_omit_expression(true);
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_snapshot!(name, outcome.rendered));
        }));
        if result.is_err() {
            failures.push(format!("{}: snapshot differs", path.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

/// Every diagnostic code is exercised by a corpus file or, for input that cannot be a
/// committed text file, by a named test elsewhere.
#[test]
fn every_code_is_covered() {
    let elsewhere = [
        (Code::TooLarge, "tests/bad_input.rs"),
        (Code::InvalidFramework, "tests/frameworks.rs"),
        (Code::Unformatted, "tests/cli_fmt.rs"),
        (Code::Unreadable, "tests/cli_check.rs"),
        (Code::NotRegularFile, "tests/cli_inputs.rs"),
        (Code::InvalidTest, "tests/cli_test.rs"),
        (Code::UnknownControl, "tests/cli_test.rs"),
    ];
    let mut covered: BTreeSet<String> = elsewhere.iter().map(|(c, _)| c.to_string()).collect();
    for path in corpus_files() {
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        covered.extend(expectation(&text, &path));
    }
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !covered.contains(*c))
        .collect();
    assert!(missing.is_empty(), "no test exercises {missing:?}");
}
