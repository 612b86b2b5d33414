//! Reading authority and gate policies (`--authority FILE.cedar`, `--authority-entities
//! FILE.json`) and printing their located diagnostics. The engine takes the texts; this is
//! where the files are read.

use std::io::Write;
use std::path::{Path, PathBuf};

use miette::{GraphicalReportHandler, GraphicalTheme};
use vouch_engine::authority::gate::Gate;
use vouch_engine::authority::{AuthorityDiagnostic, CedarAuthority, SourceText};
use vouch_engine::input_file::{MAX_INPUT_FILE, read_input_file};
use vouch_engine::terminal::escape_line;

use crate::policy_files::{display_path, input_diagnostic};
use crate::render::{self, ErrorFormat};

/// The authority flags shared by `vouch evaluate`, `vouch explain` and `vouch check`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AuthorityArgs {
    /// A Cedar authority policy: which keys may attest which controls, waive, and sign which
    /// kinds of evidence (see `vouch authority schema`). Without it every trusted key may do
    /// everything except waive missing evidence.
    #[arg(long, value_name = "FILE.cedar")]
    pub authority: Option<PathBuf>,
    /// The authority's entities (Cedar JSON entities): keys and the groups they belong to.
    #[arg(long, value_name = "FILE.json", requires = "authority")]
    pub authority_entities: Option<PathBuf>,
}

/// A file read as text, named as the user gave it.
pub struct TextFile {
    /// The name to print.
    pub name: String,
    /// Its text.
    pub text: String,
}

impl TextFile {
    /// The file as the engine takes it.
    pub fn source(&self) -> SourceText<'_> {
        SourceText {
            name: &self.name,
            text: &self.text,
        }
    }
}

/// Reads a UTF-8 text file of at most [`MAX_INPUT_FILE`]; prints why not and returns `None`.
pub fn read_text(path: &Path, format: ErrorFormat) -> Option<TextFile> {
    let name = display_path(path);
    let bytes = match read_input_file(path, MAX_INPUT_FILE) {
        Ok(bytes) => bytes,
        Err(e) => {
            render::print(&[input_diagnostic(path, &e)], format);
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => Some(TextFile { name, text }),
        Err(_) => {
            render::plain_error(&format!("`{name}` is not UTF-8 text"), format);
            None
        }
    }
}

/// The two files of an authority: the policy and, optionally, the entities.
fn read_pair(
    policy: &Path,
    entities: Option<&Path>,
    format: ErrorFormat,
) -> Option<(TextFile, Option<TextFile>)> {
    let policy = read_text(policy, format)?;
    let entities = match entities {
        Some(path) => Some(read_text(path, format)?),
        None => None,
    };
    Some((policy, entities))
}

/// An authority file was unreadable or invalid; its diagnostics were printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reported;

/// Loads the authority of `args`: `Ok(None)` without `--authority`, `Err(Reported)` when a
/// file is unreadable or invalid (its diagnostics printed).
pub fn load_authority(
    args: &AuthorityArgs,
    format: ErrorFormat,
) -> Result<Option<CedarAuthority>, Reported> {
    let Some(path) = &args.authority else {
        return Ok(None);
    };
    let (policy, entities) =
        read_pair(path, args.authority_entities.as_deref(), format).ok_or(Reported)?;
    match CedarAuthority::new(policy.source(), entities.as_ref().map(TextFile::source)) {
        Ok(authority) => Ok(Some(authority)),
        Err(diagnostics) => {
            print(&diagnostics, format);
            Err(Reported)
        }
    }
}

/// Loads a gate policy and its optional entities.
pub fn load_gate(policy: &Path, entities: Option<&Path>, format: ErrorFormat) -> Option<Gate> {
    let (policy, entities) = read_pair(policy, entities, format)?;
    match Gate::new(policy.source(), entities.as_ref().map(TextFile::source)) {
        Ok(gate) => Some(gate),
        Err(diagnostics) => {
            print(&diagnostics, format);
            None
        }
    }
}

/// Renders one diagnostic as text, without colour, its texts escaped for the terminal.
pub fn human(diag: &AuthorityDiagnostic) -> String {
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, diag).is_err() {
        out = format!("{}: {}\n", diag.kind.code(), diag.message);
    }
    escape_lines(&out)
}

/// `text` with each line escaped for the terminal.
fn escape_lines(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| match line.strip_suffix('\n') {
            Some(l) => format!("{}\n", escape_line(l)),
            None => escape_line(line).into_owned(),
        })
        .collect()
}

/// One diagnostic as a JSON object: code, severity, message, help, file, line, column,
/// labels (each with its 1-based line and column, byte offset and length).
pub fn json(diag: &AuthorityDiagnostic, text: &str) -> serde_json::Value {
    let labels: Vec<serde_json::Value> = diag
        .spans()
        .into_iter()
        .map(|(offset, len)| {
            let (line, column) = line_column(text, offset);
            serde_json::json!({ "line": line, "column": column, "offset": offset, "length": len })
        })
        .collect();
    let first = labels.first().cloned().unwrap_or(serde_json::Value::Null);
    serde_json::json!({
        "code": diag.kind.code(),
        "severity": "error",
        "message": diag.message,
        "help": diag.help,
        "file": diag.file(),
        "line": first.get("line"),
        "column": first.get("column"),
        "labels": labels,
    })
}

/// The 1-based line and column (in characters) of byte `offset` of `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

/// Prints diagnostics to stderr in the chosen format.
pub fn print(diags: &[AuthorityDiagnostic], format: ErrorFormat) {
    let mut err = std::io::stderr().lock();
    for diag in diags {
        let text = match format {
            ErrorFormat::Human => format!("{}\n", human(diag)),
            ErrorFormat::Json => format!("{}\n", json(diag, diag.text())),
        };
        let _ = err.write_all(text.as_bytes());
    }
}
