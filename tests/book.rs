//! The book is tested, so it cannot drift from the code.
//!
//! Every page under `book/src/` is read, and:
//!
//! - every ```` ```vouch ```` block is checked. A block with a `policy` header (a line that starts
//!   with `policy `) is a whole file; a block without one is a fragment of items, checked with
//!   the standard header [`HEADER`] appended after a blank line (appended, so the line numbers
//!   of diagnostics are the block's own). Tags after `vouch`, separated by commas:
//!   - none: the block checks with no diagnostic at all;
//!   - `warn`: no error, at least one warning;
//!   - `error=CODE`: at least one diagnostic with `CODE`, and no error with another code;
//!   - `file=NAME`: the block is also the file `NAME`, which other blocks of the same page can
//!     `import "NAME"` (`use std.NAME` resolves as in the CLI);
//!   - `ignore`: not checked, for what cannot be checked here; the block must still parse and
//!     must start with a `//` comment saying why. At most [`MAX_IGNORED`] in the whole book.
//!   - `from=std.NAME`: an excerpt of the standard module `NAME` (a control of a pack, whose
//!     params live in the pack): not checked on its own, but it must be the module's text,
//!     verbatim.
//! - every ```` ```toml ```` block holding a `[framework]` table must load as a framework, which
//!   the `vouch` blocks of that page can then name (an excerpt of a framework vouch ships is
//!   loaded, but does not replace it); ```` ```toml,error=CODE ```` must fail to load with
//!   `CODE`.
//! - a ```` ```text ```` block that directly follows a `warn` or `error=` block is the rendered
//!   diagnostics of that block (as `vouch check` prints them, without colour, for a file named
//!   `policy.vouch`, or `NAME` for `file=NAME`, or `framework.toml`) and must match them.
//! - the generated sections must equal what they are generated from: the evidence schema in
//!   `language/schema.md` (`vouch_lang::schema::to_markdown()`), the table of built-in
//!   functions in `language/expressions.md` (`vouch_lang::BUILTINS`), the principles of
//!   `uk-sscop` in `language/frameworks.md` (the framework file vouch embeds), and the pages
//!   of the uk-sscop standard pack in `stdlib/` (see [`pack`]: every control of the pack has
//!   its page, every page is a control of the pack).
//! - `language/diagnostics.md` names every diagnostic code; `SUMMARY.md` links only to pages that
//!   exist (checked for the introduction, `language/`, `cli/`, `guide/` and `stdlib/`), and
//!   lists every page there; every relative link of every page leads to a page that exists,
//!   and to a heading of it when it names one.
//!
//! Run with `UPDATE_BOOK=1` to rewrite the generated sections and the rendered diagnostics in
//! place; then read the diff, as for a snapshot.

// The helpers below are test code too: let them unwrap and panic like the tests.
#![cfg(test)]

#[path = "book/pack.rs"]
mod pack;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use vouch::policy_files::{FileLoader, frameworks};
use vouch_lang::{BUILTINS, Code, Diagnostic, Framework, Frameworks, ImportTarget, Loader, Source};

/// The header given to a fragment.
const HEADER: &str = r#"policy "book" { title = "Book example" framework = "uk-sscop" }"#;
/// The most `ignore` blocks the book may have.
const MAX_IGNORED: usize = 2;
/// The fewest `vouch` blocks the book must check, so the test cannot pass by finding none.
const MIN_CHECKED: usize = 15;
/// Pages of these parts of the book must exist once `SUMMARY.md` lists them.
const OWNED: [&str; 5] = ["introduction.md", "language/", "cli/", "guide/", "stdlib/"];

/// Rewrites of pages happen one at a time.
static PAGES: Mutex<()> = Mutex::new(());

fn book_src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("book/src")
}

fn bless() -> bool {
    std::env::var_os("UPDATE_BOOK").is_some_and(|v| v == "1")
}

/// Every Markdown page under `book/src`, sorted.
fn pages() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![book_src()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn rel(path: &Path) -> String {
    path.strip_prefix(book_src())
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

/// A fenced code block: its info string, its text, and the 0-based lines of its fences.
#[derive(Debug)]
struct Block {
    info: String,
    body: String,
    open: usize,
    close: usize,
}

fn blocks(lines: &[&str]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            let indent = line.len() - trimmed.len();
            let mut body = String::new();
            let mut j = i + 1;
            while j < lines.len() && lines[j].trim() != "```" {
                let l = lines[j];
                let cut = l.len() - l.trim_start().len();
                body.push_str(&l[cut.min(indent)..]);
                body.push('\n');
                j += 1;
            }
            assert!(
                j < lines.len(),
                "a code block opened on line {} is never closed",
                i + 1
            );
            out.push(Block {
                info: info.trim().to_string(),
                body,
                open: i,
                close: j,
            });
            i = j + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// What a `vouch` block must do.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expect {
    Clean,
    Warn,
    Error(String),
    Ignore,
    /// An excerpt of the standard module with this name (after `std.`).
    Excerpt(String),
}

/// The tags of a `vouch` block, or why they are wrong; `None` for other blocks.
fn vouch_tags(info: &str) -> Option<Result<(Expect, Option<String>), String>> {
    if !info.starts_with("vouch") {
        return None;
    }
    let mut parts = info.split(',').map(str::trim);
    if parts.next() != Some("vouch") {
        return Some(Err(format!("unknown info string `{info}`")));
    }
    let mut expect = Expect::Clean;
    let mut file = None;
    for tag in parts {
        let next = match tag.split_once('=') {
            None if tag == "warn" => Expect::Warn,
            None if tag == "ignore" => Expect::Ignore,
            Some(("error", code)) => {
                if !Code::ALL.iter().any(|c| c.as_str() == code) {
                    return Some(Err(format!("`{code}` is not a diagnostic code")));
                }
                Expect::Error(code.to_string())
            }
            Some(("file", name)) => {
                file = Some(name.to_string());
                continue;
            }
            Some(("from", module)) => match module.strip_prefix("std.") {
                Some(name) if vouch_stdlib::module(name).is_some() => {
                    Expect::Excerpt(name.to_string())
                }
                _ => return Some(Err(format!("`{module}` is not a standard module"))),
            },
            _ => return Some(Err(format!("unknown tag `{tag}` in `{info}`"))),
        };
        if expect != Expect::Clean {
            return Some(Err(format!(
                "`{info}` says more than one of warn, error, ignore and from"
            )));
        }
        expect = next;
    }
    Some(Ok((expect, file)))
}

/// The text checked for a block: itself, or the fragment with [`HEADER`] appended.
fn policy_text(body: &str) -> String {
    let whole = body
        .lines()
        .any(|l| l.starts_with("policy ") || l.starts_with("policy\""));
    if whole {
        body.to_string()
    } else {
        format!("{body}\n{HEADER}\n")
    }
}

/// Resolves `import "NAME"` to the `file=NAME` blocks of the page.
struct BookLoader<'a> {
    files: &'a BTreeMap<String, String>,
}

impl Loader for BookLoader<'_> {
    fn load(&self, from: &Source, target: &ImportTarget) -> Result<Source, String> {
        match target {
            ImportTarget::Path(path) => {
                let name = path.trim_start_matches("./");
                match self.files.get(name) {
                    Some(text) => Ok(Source::new(name, text.as_str())),
                    None => Err(format!("cannot read `{name}`: no such file")),
                }
            }
            ImportTarget::Std(_) => FileLoader.load(from, target),
        }
    }
}

/// Diagnostics as `vouch check` prints them without colour.
fn rendered(diags: &[Diagnostic]) -> String {
    let text = diags
        .iter()
        .map(|d| vouch::render::human(d, false))
        .collect::<Vec<_>>()
        .join("\n");
    normalise(&text)
}

/// Trailing white space of lines and of the text does not count.
fn normalise(text: &str) -> String {
    text.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end()
        .to_string()
}

/// What checking the `vouch` and `toml` blocks of one page found.
#[derive(Default)]
struct PageReport {
    checked: usize,
    ignored: usize,
    failures: Vec<String>,
    /// (fence-open line of a ```text block, the text it must hold)
    rewrites: Vec<(usize, String)>,
}

fn check_page(page: &str, text: &str) -> PageReport {
    let lines: Vec<&str> = text.lines().collect();
    let blocks = blocks(&lines);
    let mut report = PageReport::default();
    let fail = |block: &Block, message: String| format!("{page}:{}: {message}", block.open + 1);

    // Frameworks defined on this page, and the files other blocks may import.
    let mut fws: Frameworks = frameworks(&[]).unwrap();
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    // For each block: the diagnostics a following ```text block must show.
    let mut shown: BTreeMap<usize, String> = BTreeMap::new();
    for (index, block) in blocks.iter().enumerate() {
        let mut parts = block.info.split(',').map(str::trim);
        if parts.next() == Some("toml") && block.body.lines().any(|l| l.trim() == "[framework]") {
            let want = parts.next().and_then(|t| t.strip_prefix("error="));
            match (
                Framework::from_toml(&Source::new("framework.toml", block.body.as_str())),
                want,
            ) {
                // An excerpt of a shipped framework is only checked: it must not replace it.
                (Ok(fw), None) if fws.get(&fw.id).is_none() => fws.insert(fw),
                (Ok(_), None) => {}
                (Err(d), Some(code)) if d.code.as_str() == code => {
                    shown.insert(index, rendered(&[*d]));
                }
                (Ok(_), Some(code)) => report.failures.push(fail(
                    block,
                    format!("the framework loads, expected `{code}`"),
                )),
                (Err(d), _) => report.failures.push(fail(
                    block,
                    format!("the framework does not load:\n{}", rendered(&[*d])),
                )),
            }
        }
        if let Some(Ok((_, Some(name)))) = vouch_tags(&block.info) {
            files.insert(name, policy_text(&block.body));
        }
    }

    let loader = BookLoader { files: &files };
    for (index, block) in blocks.iter().enumerate() {
        let (expect, file) = match vouch_tags(&block.info) {
            None => continue,
            Some(Err(why)) => {
                report.failures.push(fail(block, why));
                continue;
            }
            Some(Ok(tags)) => tags,
        };
        let name = file.unwrap_or_else(|| "policy.vouch".to_string());
        let source = Source::new(name.as_str(), policy_text(&block.body));
        if let Expect::Excerpt(module) = &expect {
            let text = vouch_stdlib::module(module).map_or("", |m| m.source);
            if block.body.trim().is_empty() || !text.contains(block.body.trim_end()) {
                report.failures.push(fail(
                    block,
                    format!("the block is not an excerpt of `std.{module}` (UPDATE_BOOK=1 rewrites generated sections)"),
                ));
            }
            continue;
        }
        if expect == Expect::Ignore {
            report.ignored += 1;
            if !block.body.trim_start().starts_with("//") {
                report.failures.push(fail(
                    block,
                    "an ignored block starts with a `//` comment saying why".into(),
                ));
            }
            if let Err(diags) = vouch_lang::parse(&source) {
                report.failures.push(fail(
                    block,
                    format!("an ignored block must still parse:\n{}", rendered(&diags)),
                ));
            }
            continue;
        }
        report.checked += 1;
        let diags = vouch_lang::check(source, &loader, &fws).diagnostics;
        let errors: Vec<&str> = diags
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.code.as_str())
            .collect();
        let warnings = diags.iter().filter(|d| !d.is_error()).count();
        let problem = match &expect {
            Expect::Clean if !diags.is_empty() => Some(
                "expected no diagnostic (tag it `vouch,warn` or `vouch,error=CODE`)".to_string(),
            ),
            Expect::Warn if !errors.is_empty() => Some("expected warnings only".to_string()),
            Expect::Warn if warnings == 0 => {
                Some("tagged `warn`, but there is no warning".to_string())
            }
            Expect::Error(code) if !diags.iter().any(|d| d.code.as_str() == code) => {
                Some(format!("expected `{code}`"))
            }
            Expect::Error(code) if errors.iter().any(|e| e != code) => {
                Some(format!("expected no error other than `{code}`"))
            }
            _ => None,
        };
        if let Some(problem) = problem {
            report.failures.push(fail(
                block,
                format!("{problem}, found:\n{}", rendered(&diags)),
            ));
        }
        if matches!(expect, Expect::Warn | Expect::Error(_)) {
            shown.insert(index, rendered(&diags));
        }
    }

    // A ```text block right after a block with diagnostics shows them.
    for (index, want) in shown {
        let (Some(block), Some(next)) = (blocks.get(index), blocks.get(index + 1)) else {
            continue;
        };
        let between = lines.get(block.close + 1..next.open).unwrap_or(&[]);
        if next.info != "text" || !between.iter().all(|l| l.trim().is_empty()) {
            continue;
        }
        if normalise(&next.body) != want {
            if bless() {
                report.rewrites.push((next.open, want));
            } else {
                report.failures.push(fail(
                    next,
                    format!("the rendered diagnostics differ (UPDATE_BOOK=1 rewrites them); they are:\n{want}"),
                ));
            }
        }
    }
    report
}

/// Replaces the bodies of the ```text blocks opening at the given lines.
fn rewrite_blocks(text: &str, rewrites: &[(usize, String)]) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let blocks = blocks(&lines);
    let mut out = String::new();
    let mut i = 0;
    while i < lines.len() {
        out.push_str(lines[i]);
        out.push('\n');
        if let Some((_, body)) = rewrites.iter().find(|(open, _)| *open == i) {
            let block = blocks.iter().find(|b| b.open == i).unwrap();
            out.push_str(body);
            out.push('\n');
            i = block.close;
            continue;
        }
        i += 1;
    }
    out
}

#[test]
fn every_vouch_block_checks() {
    let mut failures = Vec::new();
    let (mut checked, mut ignored) = (0, 0);
    for path in pages() {
        let _lock = PAGES.lock().unwrap_or_else(|e| e.into_inner());
        let text = std::fs::read_to_string(&path).unwrap();
        let report = check_page(&rel(&path), &text);
        checked += report.checked;
        ignored += report.ignored;
        failures.extend(report.failures);
        if !report.rewrites.is_empty() {
            std::fs::write(&path, rewrite_blocks(&text, &report.rewrites)).unwrap();
        }
    }
    assert!(
        failures.is_empty(),
        "{} book examples are wrong:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(
        checked >= MIN_CHECKED,
        "the book has only {checked} checked `vouch` blocks, expected at least {MIN_CHECKED}"
    );
    assert!(
        ignored <= MAX_IGNORED,
        "the book ignores {ignored} `vouch` blocks, at most {MAX_IGNORED} may be"
    );
}

/// Checks (or, with `UPDATE_BOOK=1`, writes) the section of `page` between
/// `<!-- NAME:start -->` and `<!-- NAME:end -->`.
fn generated_section(page: &str, name: &str, want: &str) {
    if let Err(problem) = sync_section(page, name, want) {
        panic!("{problem}");
    }
}

/// [`generated_section`], returning what is wrong instead of panicking.
fn sync_section(page: &str, name: &str, want: &str) -> Result<(), String> {
    let path = book_src().join(page);
    let _lock = PAGES.lock().unwrap_or_else(|e| e.into_inner());
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{page}: {e}"))?;
    let (start, end) = (
        format!("<!-- {name}:start -->"),
        format!("<!-- {name}:end -->"),
    );
    let from = text
        .find(&start)
        .ok_or_else(|| format!("{page} has no `{start}` marker"))?
        + start.len();
    let to = text
        .find(&end)
        .ok_or_else(|| format!("{page} has no `{end}` marker"))?;
    if from > to {
        return Err(format!("{page}: `{end}` comes before `{start}`"));
    }
    if text[from..to].trim() == want.trim() {
        return Ok(());
    }
    if bless() {
        let new = format!("{}\n\n{}\n\n{}", &text[..from], want.trim(), &text[to..]);
        std::fs::write(&path, new).unwrap();
        Ok(())
    } else {
        Err(format!(
            "{page}: the `{name}` section is out of date (UPDATE_BOOK=1 rewrites it); it should be:\n\n{want}"
        ))
    }
}

#[test]
fn schema_page_is_the_schema() {
    generated_section(
        "language/schema.md",
        "schema",
        &vouch_lang::schema::to_markdown(),
    );
}

/// The table of built-in functions, from `vouch_lang::BUILTINS`.
fn builtins_table() -> String {
    let mut out = String::from("| function | signature | result |\n| --- | --- | --- |\n");
    for b in BUILTINS {
        let signatures: Vec<String> = b
            .signature
            .split(&format!(", {}(", b.name))
            .enumerate()
            .map(|(i, s)| {
                let s = if i == 0 {
                    s.to_string()
                } else {
                    format!("{}({s}", b.name)
                };
                format!("`{}`", s.replace('|', "\\|"))
            })
            .collect();
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            b.name,
            signatures.join("<br>"),
            b.doc
        ));
    }
    out
}

#[test]
fn expressions_page_lists_the_builtins() {
    generated_section("language/expressions.md", "builtins", &builtins_table());
    let text = std::fs::read_to_string(book_src().join("language/expressions.md")).unwrap();
    for b in BUILTINS {
        assert!(
            text.contains(&format!("`{}`", b.name)),
            "language/expressions.md does not name `{}`",
            b.name
        );
    }
}

/// The themes and principles of the built-in uk-sscop framework.
fn uk_sscop_principles() -> String {
    let set = frameworks(&[]).unwrap();
    let fw = set.get("uk-sscop").unwrap();
    let mut out = String::new();
    for theme in &fw.themes {
        out.push_str(&format!(
            "### Theme {}: {}\n\n| principle | title |\n| --- | --- |\n",
            theme.id, theme.title
        ));
        for p in fw.principles.iter().filter(|p| p.theme == theme.id) {
            out.push_str(&format!("| `{}` | {} |\n", p.id, p.title));
        }
        out.push('\n');
    }
    out
}

#[test]
fn frameworks_page_lists_the_uk_sscop_principles() {
    generated_section("language/frameworks.md", "uk-sscop", &uk_sscop_principles());
}

#[test]
fn diagnostics_page_names_every_code() {
    let text = std::fs::read_to_string(book_src().join("language/diagnostics.md")).unwrap();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !text.contains(&format!("`{c}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "language/diagnostics.md does not explain {missing:?}"
    );
}

#[test]
fn summary_links_pages_that_exist() {
    let summary = std::fs::read_to_string(book_src().join("SUMMARY.md")).unwrap();
    let links: Vec<&str> = summary
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split_once(')').map(|(link, _)| link))
        .filter(|link| !link.is_empty())
        .collect();
    let owned = |p: &str| {
        OWNED
            .iter()
            .any(|o| p == *o || (o.ends_with('/') && p.starts_with(o)))
    };
    for link in links.iter().filter(|l| owned(l)) {
        assert!(
            book_src().join(link).is_file(),
            "SUMMARY.md links to `{link}`, which does not exist"
        );
    }
    for page in pages().iter().map(|p| rel(p)).filter(|p| owned(p)) {
        assert!(
            links.contains(&page.as_str()),
            "`{page}` is not in SUMMARY.md"
        );
    }
}

/// The ids mdBook gives the headings of a page (outside code blocks).
fn heading_ids(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let fenced: Vec<(usize, usize)> = blocks(&lines).iter().map(|b| (b.open, b.close)).collect();
    lines
        .iter()
        .enumerate()
        .filter(|(i, _)| !fenced.iter().any(|(a, b)| (a..=b).contains(&i)))
        .filter_map(|(_, l)| l.strip_prefix('#'))
        .map(|h| {
            h.trim_start_matches('#')
                .trim()
                .to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
                .map(|c| if c == ' ' { '-' } else { c })
                .collect()
        })
        .collect()
}

#[test]
fn links_between_pages_resolve() {
    let mut broken = Vec::new();
    for path in pages() {
        let page = rel(&path);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let fenced: Vec<(usize, usize)> =
            blocks(&lines).iter().map(|b| (b.open, b.close)).collect();
        for (i, line) in lines.iter().enumerate() {
            if fenced.iter().any(|(a, b)| (*a..=*b).contains(&i)) {
                continue;
            }
            for rest in line.split("](").skip(1) {
                let Some((link, _)) = rest.split_once(')') else {
                    continue;
                };
                if link.contains("://") || link.starts_with("mailto:") || link.contains(' ') {
                    continue;
                }
                let (file, anchor) = link.split_once('#').unwrap_or((link, ""));
                let target = if file.is_empty() {
                    path.clone()
                } else {
                    path.parent().unwrap().join(file)
                };
                if !target.is_file() {
                    broken.push(format!("{page}:{}: `{link}`: no such page", i + 1));
                    continue;
                }
                if !anchor.is_empty() && target.extension().is_some_and(|e| e == "md") {
                    let ids = heading_ids(&std::fs::read_to_string(&target).unwrap());
                    if !ids.iter().any(|id| id == anchor) {
                        broken.push(format!("{page}:{}: `{link}`: no such heading", i + 1));
                    }
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}
