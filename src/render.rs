//! Printing diagnostics for people (miette's graphical report) or machines (JSON lines).

use std::io::Write;

use miette::{GraphicalReportHandler, GraphicalTheme};
use vouch_engine::terminal::escape_line;
use vouch_lang::Diagnostic;

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ErrorFormat {
    /// Source excerpts with labels and help, coloured on a terminal.
    #[default]
    Human,
    /// One JSON object per line: code, severity, message, help, file, line, column, labels.
    Json,
}

/// Renders one diagnostic as text, with colour only when `color` is set. Its message, help,
/// labels and file name are escaped for the terminal (see [`vouch_engine::terminal`]).
pub fn human(diag: &Diagnostic, color: bool) -> String {
    let diag = &terminal_safe(diag);
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, diag).is_err() {
        out = format!("{}: {}\n", diag.code, diag.message);
    }
    out
}

/// A copy of `diag` whose texts cannot act on a terminal.
fn terminal_safe(diag: &Diagnostic) -> Diagnostic {
    let mut safe = diag.clone();
    safe.message = escape_line(&diag.message).into_owned();
    safe.help = diag.help.as_deref().map(|h| escape_line(h).into_owned());
    for label in &mut safe.labels {
        label.text = escape_line(&label.text).into_owned();
    }
    let name = escape_line(diag.src.name());
    if name != diag.src.name() {
        safe.src = vouch_lang::Source::new(name.into_owned(), diag.src.text());
    }
    safe
}

/// Prints diagnostics to stderr in the chosen format.
pub fn print(diags: &[Diagnostic], format: ErrorFormat) {
    let stderr = std::io::stderr();
    let color = format == ErrorFormat::Human
        && std::io::IsTerminal::is_terminal(&stderr)
        && std::env::var_os("NO_COLOR").is_none();
    let mut err = stderr.lock();
    for diag in diags {
        let text = match format {
            ErrorFormat::Human => format!("{}\n", human(diag, color)),
            ErrorFormat::Json => format!("{}\n", diag.to_json()),
        };
        let _ = err.write_all(text.as_bytes());
    }
}

/// The code of a one-line error about the command line or an input that has no code of its
/// own (a bad flag value, a file that cannot be written, ...).
pub const USAGE_CODE: &str = "vouch::usage";

/// Prints a one-line error that has no source location (code [`USAGE_CODE`]).
pub fn plain_error(message: &str, format: ErrorFormat) {
    match format {
        ErrorFormat::Human => eprintln!("error: {}", escape_line(message)),
        ErrorFormat::Json => eprintln!(
            "{}",
            serde_json::json!({ "code": USAGE_CODE, "severity": "error", "message": message })
        ),
    }
}

/// Prints a one-line warning that has no source location (code [`USAGE_CODE`]).
pub fn plain_warning(message: &str, format: ErrorFormat) {
    match format {
        ErrorFormat::Human => eprintln!("warning: {}", escape_line(message)),
        ErrorFormat::Json => eprintln!(
            "{}",
            serde_json::json!({ "code": USAGE_CODE, "severity": "warning", "message": message })
        ),
    }
}

/// Prints an error of the engine (ingestion, trust, gate, ...): miette's report for people;
/// for machines one JSON line with its stable code (or [`USAGE_CODE`] if it has none), its
/// message and its help.
pub fn engine_error<E: miette::Diagnostic + Send + Sync + 'static>(error: E, format: ErrorFormat) {
    match format {
        ErrorFormat::Human => eprintln!("{:?}", miette::Report::new(error)),
        ErrorFormat::Json => {
            let code = error
                .code()
                .map_or_else(|| USAGE_CODE.to_owned(), |c| c.to_string());
            let help = error.help().map(|h| h.to_string());
            eprintln!(
                "{}",
                serde_json::json!({
                    "code": code,
                    "severity": "error",
                    "message": error.to_string(),
                    "help": help,
                })
            );
        }
    }
}
