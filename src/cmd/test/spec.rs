//! A `*.test.toml` file: how to evaluate a policy against a bundle, and what must come out.
//!
//! Every path in it is relative to the directory of the test file. Reading one either gives a
//! [`TestSpec`] or located diagnostics (`vouch::test::invalid`): the file is checked whole
//! before anything is evaluated, so a typo never turns into a silently skipped expectation.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;
use vouch_lang::{Code, Diagnostic, Source, Span};

/// The statuses a control may be expected to have (as reports write them).
pub const STATUSES: [&str; 6] = [
    "pass",
    "fail",
    "waived",
    "manual",
    "not_applicable",
    "error",
];

/// One test file, read and checked.
#[derive(Debug, Clone)]
pub struct TestSpec {
    /// The test file as named on the command line (or found under a directory).
    pub path: PathBuf,
    /// Its text, for diagnostics about it after evaluation (an unknown control id).
    pub source: Source,
    /// What it tests, in words.
    pub description: Option<String>,
    /// The policy (file or directory).
    pub policy: PathBuf,
    /// The bundle directory.
    pub bundle: PathBuf,
    /// The instant to judge at, as written.
    pub as_of: String,
    /// Trusted keys.
    pub trust: Vec<PathBuf>,
    /// Waivers files.
    pub waivers: Vec<PathBuf>,
    /// A Cedar authority policy.
    pub authority: Option<PathBuf>,
    /// Its entities.
    pub authority_entities: Option<PathBuf>,
    /// The exit code `vouch evaluate` must give (0 or 1), if stated.
    pub exit_code: Option<i32>,
    /// Expected outcomes, by control id.
    pub controls: BTreeMap<String, Expectation>,
    /// Expected state of each waiver in the report, by waiver id (all of them, when given).
    pub waiver_states: Option<BTreeMap<String, String>>,
}

/// What a control must come out as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// Where the control's id is written in the test file.
    pub span: Span,
    /// Its status.
    pub status: String,
    /// Text that every finding of the control contains (and there is at least one).
    pub finding: Option<String>,
    /// Text the control's reason contains.
    pub reason: Option<String>,
    /// The waiver that covers every finding.
    pub waiver: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    description: Option<String>,
    policy: Spanned<String>,
    bundle: Spanned<String>,
    as_of: Spanned<String>,
    #[serde(default)]
    trust: Vec<Spanned<String>>,
    #[serde(default)]
    waivers: Option<Spanned<toml::Value>>,
    authority: Option<Spanned<String>>,
    authority_entities: Option<Spanned<String>>,
    exit_code: Option<Spanned<i64>>,
    #[serde(default)]
    controls: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    waiver_states: Option<BTreeMap<String, String>>,
}

/// The keys a control's table may have.
const DETAIL_KEYS: [&str; 5] = ["status", "fault", "finding", "reason", "waiver"];

/// Reads and checks a test file: TOML, keys, dates, statuses, and that every file it names
/// exists. Diagnostics are located in the test file.
pub fn read(path: &Path) -> Result<TestSpec, Vec<Diagnostic>> {
    let name = crate::policy_files::display_path(path);
    let text = match vouch_engine::input_file::read_input_file(
        path,
        vouch_engine::input_file::MAX_INPUT_FILE,
    ) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => {
                let source = Source::new(name.clone(), String::new());
                return Err(vec![Diagnostic::unlocated(
                    Code::NotUtf8,
                    source,
                    format!("`{name}` is not UTF-8 text"),
                )]);
            }
        },
        Err(e) => return Err(vec![crate::policy_files::input_diagnostic(path, &e)]),
    };
    let source = Source::new(name, text);
    let raw: Raw = match toml::from_str(source.text()) {
        Ok(raw) => raw,
        Err(e) => {
            let span = e
                .span()
                .map_or(Span::point(0), |r| Span::new(r.start, r.end));
            let message = e.message().trim_end().to_owned();
            return Err(vec![
                Diagnostic::error(Code::InvalidTest, source.clone(), span, message).with_help(
                    "a test file has `policy`, `bundle`, `as_of`, `trust`, and optionally `description`, `waivers`, `authority`, `authority_entities`, `exit_code`, `[controls]` and `[waiver_states]`",
                ),
            ]);
        }
    };
    Checker {
        source,
        dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
        diags: Vec::new(),
    }
    .check(path, raw)
}

struct Checker {
    source: Source,
    dir: PathBuf,
    diags: Vec<Diagnostic>,
}

impl Checker {
    fn error(&mut self, span: std::ops::Range<usize>, message: String, help: Option<&str>) {
        let mut d = Diagnostic::error(
            Code::InvalidTest,
            self.source.clone(),
            Span::new(span.start, span.end),
            message,
        );
        if let Some(help) = help {
            d = d.with_help(help);
        }
        self.diags.push(d);
    }

    /// The path relative to the test file's directory; an error when nothing is there.
    fn file(&mut self, key: &str, value: &Spanned<String>) -> PathBuf {
        let path = self.dir.join(value.get_ref());
        if std::fs::symlink_metadata(&path).is_err() {
            self.error(
                value.span(),
                format!(
                    "`{key}` names `{}`, which does not exist",
                    crate::policy_files::display_path(&path)
                ),
                Some("paths in a test file are relative to the directory of the test file"),
            );
        }
        path
    }

    fn check(mut self, path: &Path, raw: Raw) -> Result<TestSpec, Vec<Diagnostic>> {
        let policy = self.file("policy", &raw.policy);
        let bundle = self.file("bundle", &raw.bundle);
        if bundle.exists() && !bundle.is_dir() {
            self.error(
                raw.bundle.span(),
                "`bundle` must name a directory".to_owned(),
                None,
            );
        }
        if crate::evaluation::parse_as_of(raw.as_of.get_ref()).is_none() {
            self.error(
                raw.as_of.span(),
                format!(
                    "`as_of = {:?}` is not a date (2026-10-01) or a date-time with offset (2026-10-01T12:00:00Z)",
                    raw.as_of.get_ref()
                ),
                None,
            );
        }
        let trust = raw.trust.iter().map(|t| self.file("trust", t)).collect();
        let waivers = self.waivers(raw.waivers.as_ref());
        let authority = raw.authority.as_ref().map(|a| self.file("authority", a));
        let authority_entities = raw
            .authority_entities
            .as_ref()
            .map(|a| self.file("authority_entities", a));
        let exit_code = raw.exit_code.as_ref().and_then(|c| {
            let code = *c.get_ref();
            if code == 0 || code == 1 {
                i32::try_from(code).ok()
            } else {
                self.error(
                    c.span(),
                    format!("`exit_code = {code}`: an evaluation exits 0 or 1"),
                    Some("a test whose evaluation cannot run (exit 2) is itself invalid"),
                );
                None
            }
        });
        let mut controls = BTreeMap::new();
        for (id, value) in &raw.controls {
            if let Some(e) = self.expectation(id, value) {
                controls.insert(id.get_ref().clone(), e);
            }
        }
        if raw.controls.is_empty() && raw.exit_code.is_none() && raw.waiver_states.is_none() {
            self.error(
                0..0,
                "the test expects nothing, so it cannot fail".to_owned(),
                Some("give `exit_code`, `[controls]` or `[waiver_states]`"),
            );
        }
        if !self.diags.is_empty() {
            return Err(self.diags);
        }
        Ok(TestSpec {
            path: path.to_path_buf(),
            source: self.source,
            description: raw.description,
            policy,
            bundle,
            as_of: raw.as_of.into_inner(),
            trust,
            waivers,
            authority,
            authority_entities,
            exit_code,
            controls,
            waiver_states: raw.waiver_states,
        })
    }

    fn waivers(&mut self, value: Option<&Spanned<toml::Value>>) -> Vec<PathBuf> {
        let Some(value) = value else {
            return Vec::new();
        };
        let names: Vec<String> = match value.get_ref() {
            toml::Value::String(s) => vec![s.clone()],
            toml::Value::Array(items) if items.iter().all(toml::Value::is_str) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => {
                self.error(
                    value.span(),
                    "`waivers` is a file or a list of files".to_owned(),
                    None,
                );
                return Vec::new();
            }
        };
        names
            .into_iter()
            .map(|n| self.file("waivers", &Spanned::new(value.span(), n)))
            .collect()
    }

    fn status(&mut self, value: &Spanned<toml::Value>, text: &str) -> Option<String> {
        if STATUSES.contains(&text) {
            return Some(text.to_owned());
        }
        let suggestion = did_you_mean(text, STATUSES.iter().copied());
        self.error(
            value.span(),
            format!("`{text}` is not a control status"),
            Some(&match suggestion {
                Some(s) => format!("did you mean `{s}`? (one of {})", STATUSES.join(", ")),
                None => format!("a status is one of {}", STATUSES.join(", ")),
            }),
        );
        None
    }

    fn expectation(
        &mut self,
        id: &Spanned<String>,
        value: &Spanned<toml::Value>,
    ) -> Option<Expectation> {
        let span = Span::new(id.span().start, id.span().end);
        match value.get_ref() {
            toml::Value::String(s) => Some(Expectation {
                span,
                status: self.status(value, s)?,
                finding: None,
                reason: None,
                waiver: None,
            }),
            toml::Value::Table(table) => {
                for key in table.keys() {
                    if !DETAIL_KEYS.contains(&key.as_str()) {
                        let help = match did_you_mean(key, DETAIL_KEYS.iter().copied()) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => format!("a control's table has {}", DETAIL_KEYS.join(", ")),
                        };
                        self.error(
                            value.span(),
                            format!("control `{}` has an unknown key `{key}`", id.get_ref()),
                            Some(&help),
                        );
                    }
                }
                let text = |k: &str| {
                    table
                        .get(k)
                        .and_then(toml::Value::as_str)
                        .map(str::to_owned)
                };
                for k in DETAIL_KEYS {
                    if table.get(k).is_some_and(|v| !v.is_str()) {
                        self.error(value.span(), format!("`{k}` is a string"), None);
                    }
                }
                let Some(status) = text("status") else {
                    self.error(
                        value.span(),
                        format!("control `{}` has no `status`", id.get_ref()),
                        None,
                    );
                    return None;
                };
                Some(Expectation {
                    span,
                    status: self.status(value, &status)?,
                    finding: text("finding"),
                    reason: text("reason"),
                    waiver: text("waiver"),
                })
            }
            _ => {
                self.error(
                    value.span(),
                    format!(
                        "control `{}`: give a status (\"fail\") or a table with `status`",
                        id.get_ref()
                    ),
                    None,
                );
                None
            }
        }
    }
}

/// The candidate closest to `text` (Jaro-Winkler at least 0.8), if any.
pub fn did_you_mean<'a>(text: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::jaro_winkler(text, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}
