//! The pages of the uk-sscop standard pack, `book/src/stdlib/`.
//!
//! What the pack says about itself is generated from its source, as `vouch` embeds it: the
//! overview's tables of params, controls and principles, and on each control's page its
//! description, title, principles, severity, how it is decided, the params it reads, its
//! rationale and remediation, the messages its findings can have, and its source text. The prose
//! around them (the evidence, how to produce it, what a failure looks like, how to waive or
//! attest) is written by hand, and must be there: each page has the headings of
//! [`AUTOMATED_HEADINGS`] or [`MANUAL_HEADINGS`], and a waiver (or attestation) in TOML that
//! vouch reads and that names the page's control.
//!
//! Every control of the pack has a page named after its id (`SIGNED-ARTIFACTS` in
//! `signed-artifacts.md`), and every page other than the overview documents exactly one control
//! of the pack, so a control added to the pack or renamed fails here until its page is written.

use std::collections::BTreeSet;
use std::path::PathBuf;

use vouch::policy_files::{FileLoader, frameworks};
use vouch_engine::formats::Evidence;
use vouch_lang::ast::{ControlDecl, EmptyOutcome, Item, ParamDecl, Stmt};
use vouch_lang::{CheckedControl, CheckedPolicy, ControlKind, Source, Span};

use super::{blocks, book_src, sync_section};

/// The standard module the pages document, as `use std.NAME` names it.
const MODULE: &str = "uk_sscop";
/// Where its pages are, under `book/src`.
const DIR: &str = "stdlib";
/// The overview page, in [`DIR`].
const INDEX: &str = "index.md";
/// Generated sections are marked `<!-- std.uk_sscop:NAME:start -->`; `NAME` is a control id,
/// or one of the overview's sections.
const PREFIX: &str = "std.uk_sscop";
/// The hand-written parts of the page of an automated control.
const AUTOMATED_HEADINGS: [&str; 6] = [
    "## What it checks",
    "## The evidence it reads",
    "## Producing the evidence",
    "## Tuning it",
    "## When it fails",
    "## Waiving it",
];
/// The hand-written parts of the page of a manual control.
const MANUAL_HEADINGS: [&str; 4] = [
    "## What it checks",
    "## Attesting it",
    "## Tuning it",
    "## When it is open",
];

/// The pack, checked as a policy of its own.
struct Pack {
    source: Source,
    policy: CheckedPolicy,
}

impl Pack {
    fn load() -> Pack {
        let module = vouch_stdlib::module(MODULE).unwrap();
        let source = Source::new(format!("std.{MODULE}"), module.source);
        let out = vouch_lang::check(source.clone(), &FileLoader, &frameworks(&[]).unwrap());
        assert!(
            out.diagnostics.is_empty(),
            "std.{MODULE} does not check cleanly:\n{}",
            super::rendered(&out.diagnostics)
        );
        Pack {
            source,
            policy: out.policy.unwrap(),
        }
    }

    fn text(&self, span: Span) -> &str {
        self.source.slice(span)
    }

    /// The source text of a span on one line: a wrapped default reads as it would be written
    /// inline, so it fits a table cell.
    fn inline(&self, span: Span) -> std::borrow::Cow<'_, str> {
        vouch_lang::one_line(self.source.slice(span))
    }

    /// The items of the pack's own file (the root module is first).
    fn items(&self) -> &[Item] {
        &self.policy.modules[0].ast.items
    }

    fn params(&self) -> Vec<&ParamDecl> {
        self.items()
            .iter()
            .filter_map(|i| match i {
                Item::Param(p) => Some(p),
                _ => None,
            })
            .collect()
    }

    fn param(&self, name: &str) -> Option<&ParamDecl> {
        self.params().into_iter().find(|p| p.name.name == name)
    }

    /// The controls in source order, with what the checker read out of them.
    fn controls(&self) -> Vec<(&ControlDecl, &CheckedControl)> {
        self.items()
            .iter()
            .filter_map(|i| match i {
                Item::Control(c) => Some(c),
                _ => None,
            })
            .map(|c| {
                let checked = self
                    .policy
                    .controls
                    .iter()
                    .find(|k| k.id == c.id.value)
                    .unwrap();
                (c, checked)
            })
            .collect()
    }

    /// The params a control reads: names of params written in it, not after a dot.
    fn params_of(&self, control: &ControlDecl) -> Vec<&ParamDecl> {
        let text = self.text(control.span);
        self.params()
            .into_iter()
            .filter(|p| mentions(text, &p.name.name))
            .collect()
    }

    /// `` `name` `` with its default, for a param; the text itself otherwise.
    fn value(&self, text: &str) -> String {
        match self.param(text) {
            Some(p) => format!("`{text}` (default `{}`)", self.inline(p.default.span)),
            None => code(text),
        }
    }
}

/// Whether `name` is written in `text` as a name of its own (not a field after a dot).
fn mentions(text: &str, name: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        !before.is_some_and(|c| ident(c) || c == '.') && !after.is_some_and(ident)
    })
}

/// Inline code that may itself hold a backtick.
fn code(text: &str) -> String {
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// A doc comment as one paragraph.
fn paragraph(doc: &str) -> String {
    doc.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

/// The page of a control: its id in lower case.
fn page_of(id: &str) -> String {
    format!("{}.md", id.to_ascii_lowercase())
}

fn link(id: &str) -> String {
    format!("[{id}]({})", page_of(id))
}

fn decided_by(control: &CheckedControl) -> &'static str {
    match control.kind {
        ControlKind::Automated => "automated",
        ControlKind::Manual { .. } => "manual",
    }
}

/// What the pack says about itself: its header, and how many controls and params it has.
fn about_section(pack: &Pack) -> String {
    let info = &pack.policy.info;
    let controls = pack.controls();
    let manual = controls
        .iter()
        .filter(|(_, c)| matches!(c.kind, ControlKind::Manual { .. }))
        .count();
    let mut out = String::new();
    if let Some(doc) = &info.description {
        out.push_str(&format!("> {}\n\n", paragraph(doc)));
    }
    out.push_str("| | |\n| --- | --- |\n");
    out.push_str(&format!("| module | `use std.{MODULE}` |\n"));
    out.push_str(&format!("| policy | `{}`: {} |\n", info.name, info.title));
    if let Some(version) = &info.version {
        out.push_str(&format!("| version | `{version}` |\n"));
    }
    out.push_str(&format!("| framework | `{}` |\n", info.framework));
    out.push_str(&format!(
        "| controls | {}: {} automated, {manual} manual |\n",
        controls.len(),
        controls.len() - manual
    ));
    out.push_str(&format!("| params | {} |\n", pack.params().len()));
    out
}

/// The overview's table of params.
fn params_table(pack: &Pack) -> String {
    let mut out = String::from(
        "| param | type | default | meaning | read by |\n| --- | --- | --- | --- | --- |\n",
    );
    let controls = pack.controls();
    for p in pack.params() {
        let users: Vec<String> = controls
            .iter()
            .filter(|(decl, _)| mentions(pack.text(decl.span), &p.name.name))
            .map(|(_, c)| link(&c.id))
            .collect();
        out.push_str(&format!(
            "| `{}` | `{}` | `{}` | {} | {} |\n",
            p.name.name,
            pack.text(p.ty.span),
            pack.inline(p.default.span),
            paragraph(p.doc.as_deref().unwrap_or("")),
            users.join(", ")
        ));
    }
    out
}

/// The overview's table of controls, in the pack's order.
fn controls_table(pack: &Pack) -> String {
    let mut out = String::from(
        "| control | title | principles | severity | decided |\n| --- | --- | --- | --- | --- |\n",
    );
    for (_, c) in pack.controls() {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            link(&c.id),
            c.title,
            c.provisions.join(", "),
            c.severity.as_str(),
            decided_by(c)
        ));
    }
    out
}

/// Every principle of the framework, with the controls of the pack that assess it.
fn coverage_table(pack: &Pack) -> String {
    let mut out = String::from("| principle | title | controls |\n| --- | --- | --- |\n");
    let controls = pack.controls();
    for p in &pack.policy.framework.principles {
        let by: Vec<String> = controls
            .iter()
            .filter(|(_, c)| c.provisions.contains(&p.id))
            .map(|(_, c)| link(&c.id))
            .collect();
        let by = if by.is_empty() {
            "none".to_string()
        } else {
            by.join(", ")
        };
        out.push_str(&format!("| `{}` | {} | {by} |\n", p.id, p.title));
    }
    out
}

/// What a control can report: the message of each finding (every `else` message, and the "no
/// evidence" message of each loop that fails closed), and when it is not applicable.
#[derive(Default)]
struct Outcomes {
    messages: Vec<String>,
    not_applicable: Vec<String>,
}

fn outcomes(pack: &Pack, body: &[Stmt], out: &mut Outcomes) {
    for stmt in body {
        match stmt {
            Stmt::For(f) => {
                let what = match &f.filter {
                    Some(filter) => format!(
                        "{} where {}",
                        pack.text(f.iter.span),
                        pack.text(filter.span)
                    ),
                    None => pack.text(f.iter.span).to_string(),
                };
                match f.when_empty.map(|w| w.outcome) {
                    None | Some(EmptyOutcome::Fail) => {
                        out.messages.push(format!(
                            "{} (the loop found nothing)",
                            code(&format!("no evidence of {what}"))
                        ));
                    }
                    Some(EmptyOutcome::NotApplicable) => out.not_applicable.push(code(&what)),
                    Some(EmptyOutcome::Pass) => {}
                }
                outcomes(pack, &f.body, out);
            }
            Stmt::Expect(e) => match &e.message {
                Some(m) => {
                    let raw = pack.text(m.span);
                    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or(raw);
                    out.messages.push(code(inner));
                }
                None => out
                    .messages
                    .push(code(&format!("expected {}", pack.text(e.cond.span)))),
            },
            Stmt::Let(_) | Stmt::Manual(_) => {}
        }
    }
}

/// The generated section of a control's page.
fn control_section(pack: &Pack, decl: &ControlDecl, control: &CheckedControl) -> String {
    let mut out = String::new();
    if let Some(doc) = &control.description {
        out.push_str(&format!("> {}\n\n", paragraph(doc)));
    }
    let principles: Vec<String> = control
        .provisions
        .iter()
        .map(|id| {
            let title = pack
                .policy
                .framework
                .principles
                .iter()
                .find(|p| &p.id == id)
                .map_or("", |p| p.title.as_str());
            format!("`{id}` {title}")
        })
        .collect();
    let decided = match &control.kind {
        ControlKind::Automated => "automated: its `expect`s judge the evidence".to_string(),
        ControlKind::Manual { statement } => {
            let within = decl.body.iter().find_map(|s| match s {
                Stmt::Manual(m) => m.within.as_ref().map(|w| pack.text(w.span)),
                _ => None,
            });
            let within = within
                .map(|w| format!(", dated no more than {} before `as_of`", pack.value(w)))
                .unwrap_or_default();
            format!(
                "manual: a person attests \"{statement}\" in an attestation with `control = \"{}\"`{within}",
                control.id
            )
        }
    };
    let params: Vec<String> = pack
        .params_of(decl)
        .iter()
        .map(|p| pack.value(&p.name.name))
        .collect();
    let params = if params.is_empty() {
        "none".to_string()
    } else {
        params.join("<br>")
    };
    let tags: Vec<String> = control.tags.iter().map(|t| format!("`{t}`")).collect();
    out.push_str("| | |\n| --- | --- |\n");
    out.push_str(&format!("| title | {} |\n", control.title));
    out.push_str(&format!("| principles | {} |\n", principles.join("<br>")));
    out.push_str(&format!("| severity | `{}` |\n", control.severity.as_str()));
    out.push_str(&format!("| decided | {decided} |\n"));
    out.push_str(&format!("| params | {params} |\n"));
    if !tags.is_empty() {
        out.push_str(&format!("| tags | {} |\n", tags.join(", ")));
    }
    out.push('\n');
    if let Some(r) = &control.rationale {
        out.push_str(&format!("**Rationale.** {r}\n\n"));
    }
    if let Some(r) = &control.remediation {
        out.push_str(&format!("**Remediation.** {r}\n\n"));
    }
    let mut found = Outcomes::default();
    outcomes(pack, &decl.body, &mut found);
    if !found.messages.is_empty() {
        out.push_str(
            "**Findings.** Each finding's message is one of these, with the values filled in:\n\n",
        );
        for m in &found.messages {
            out.push_str(&format!("- {m}\n"));
        }
        out.push('\n');
    }
    if !found.not_applicable.is_empty() {
        out.push_str(&format!(
            "**Not applicable** when there is no {}.\n\n",
            found.not_applicable.join(" or no ")
        ));
    }
    out.push_str(&format!(
        "**Source**, as `std.{MODULE}` declares it:\n\n```vouch,from=std.{MODULE}\n{}\n```\n",
        pack.text(decl.span)
    ));
    out
}

/// The names of the generated sections a page has.
fn sections(text: &str) -> Vec<String> {
    let open = format!("<!-- {PREFIX}:");
    text.match_indices(&open)
        .filter_map(|(at, _)| {
            let rest = &text[at + open.len()..];
            rest.split_once(" -->")
                .and_then(|(name, _)| name.strip_suffix(":start"))
                .map(str::to_string)
        })
        .collect()
}

/// The control pages: every page of [`DIR`] but the overview.
fn control_pages() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(book_src().join(DIR))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .filter(|p| p.file_name().is_some_and(|n| n != INDEX))
        .collect();
    out.sort();
    out
}

/// What is wrong with the waivers and attestations in the ```toml blocks of a page: they must
/// be read by vouch as they are, and name controls of the pack (`only`: that control).
/// Returns the problems, and how many waivers and attestations the page has.
fn toml_blocks(
    page: &str,
    text: &str,
    ids: &BTreeSet<&str>,
    only: Option<&str>,
) -> (Vec<String>, usize, usize) {
    let lines: Vec<&str> = text.lines().collect();
    let mut problems = Vec::new();
    let (mut waivers, mut attestations) = (0, 0);
    let named = |control: &str, line: usize, problems: &mut Vec<String>| {
        let wrong = match only {
            Some(id) => control != id,
            None => !ids.contains(control),
        };
        if wrong {
            problems.push(format!(
                "{page}:{line}: the TOML names control `{control}`, expected {}",
                only.map_or("a control of the pack".to_string(), |id| format!("`{id}`"))
            ));
        }
    };
    for block in blocks(&lines) {
        if block.info.split(',').next() != Some("toml") {
            continue;
        }
        let line = block.open + 1;
        if block.body.lines().any(|l| l.trim() == "[[waiver]]") {
            match vouch_engine::waivers::parse_waivers("waivers.toml", &block.body) {
                Ok((list, _)) => {
                    for w in &list {
                        waivers += 1;
                        named(&w.control, line, &mut problems);
                    }
                }
                Err(findings) => problems.push(format!(
                    "{page}:{line}: vouch does not read these waivers: {:?}",
                    findings.iter().map(|f| &f.message).collect::<Vec<_>>()
                )),
            }
        }
        if block.body.lines().any(|l| l.trim() == "[attestation]") {
            let parsed = vouch_engine::formats::attestation::parse(
                "attestation.toml",
                block.body.as_bytes(),
            );
            let errors: Vec<&String> = parsed
                .findings
                .iter()
                .filter(|f| f.severity == vouch_engine::Severity::Error)
                .map(|f| &f.message)
                .collect();
            match parsed.evidence {
                Some(Evidence::Attestation(a)) if errors.is_empty() => {
                    attestations += 1;
                    match &a.control {
                        Some(control) => named(control, line, &mut problems),
                        None => problems
                            .push(format!("{page}:{line}: the attestation names no control")),
                    }
                }
                _ => problems.push(format!(
                    "{page}:{line}: vouch does not read this attestation: {errors:?}"
                )),
            }
        }
    }
    (problems, waivers, attestations)
}

#[test]
fn stdlib_pages_are_the_pack() {
    let pack = Pack::load();
    let mut problems = Vec::new();
    let index = format!("{DIR}/{INDEX}");
    for (name, want) in [
        ("about", about_section(&pack)),
        ("params", params_table(&pack)),
        ("controls", controls_table(&pack)),
        ("coverage", coverage_table(&pack)),
    ] {
        if let Err(p) = sync_section(&index, &format!("{PREFIX}:{name}"), &want) {
            problems.push(p);
        }
    }
    let controls = pack.controls();
    let ids: BTreeSet<&str> = controls.iter().map(|(_, c)| c.id.as_str()).collect();
    let index_text = std::fs::read_to_string(book_src().join(&index)).unwrap();
    problems.extend(toml_blocks(&index, &index_text, &ids, None).0);

    // Every page documents one control of the pack, and is named after it.
    let mut documented = BTreeSet::new();
    for path in control_pages() {
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        match sections(&text).as_slice() {
            [id] if ids.contains(id.as_str()) && file == page_of(id) => {
                documented.insert(id.clone());
            }
            [id] if ids.contains(id.as_str()) => problems.push(format!(
                "{DIR}/{file} documents {id}: name it {DIR}/{}",
                page_of(id)
            )),
            [id] => problems.push(format!(
                "{DIR}/{file} documents `{id}`, which std.{MODULE} does not have (it has {})",
                ids.iter().copied().collect::<Vec<_>>().join(", ")
            )),
            found => problems.push(format!(
                "{DIR}/{file} must document exactly one control of std.{MODULE} in a \
                 `<!-- {PREFIX}:ID:start -->` section, it has {found:?}"
            )),
        }
    }
    for (decl, control) in &controls {
        let id = control.id.as_str();
        let page = format!("{DIR}/{}", page_of(id));
        if !documented.contains(id) {
            problems.push(format!(
                "control `{id}` of std.{MODULE} has no page: write {page} with a \
                 `<!-- {PREFIX}:{id}:start -->` and `<!-- {PREFIX}:{id}:end -->` section \
                 (UPDATE_BOOK=1 fills it) and the headings {:?}",
                if decided_by(control) == "manual" {
                    &MANUAL_HEADINGS[..]
                } else {
                    &AUTOMATED_HEADINGS[..]
                }
            ));
            continue;
        }
        if let Err(p) = sync_section(
            &page,
            &format!("{PREFIX}:{id}"),
            &control_section(&pack, decl, control),
        ) {
            problems.push(p);
        }
        // The hand-written parts.
        let text = std::fs::read_to_string(book_src().join(&page)).unwrap();
        let manual = matches!(control.kind, ControlKind::Manual { .. });
        let headings = if manual {
            &MANUAL_HEADINGS[..]
        } else {
            &AUTOMATED_HEADINGS[..]
        };
        for heading in headings {
            if !text.lines().any(|l| l.trim_end() == *heading) {
                problems.push(format!("{page} has no `{heading}` section"));
            }
        }
        let (found, waivers, attestations) = toml_blocks(&page, &text, &ids, Some(id));
        problems.extend(found);
        if manual && attestations == 0 {
            problems.push(format!(
                "{page} shows no attestation (```toml with [attestation]) for {id}"
            ));
        }
        if !manual && waivers == 0 {
            problems.push(format!(
                "{page} shows no waiver (```toml with [[waiver]]) for {id}"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems with the pages of std.{MODULE}:\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}
