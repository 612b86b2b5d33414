//! Printing diagnostics for people (miette's graphical report) or machines (JSON lines).

use std::io::Write;

use miette::{GraphicalReportHandler, GraphicalTheme};
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

/// Renders one diagnostic as text, with colour only when `color` is set.
pub fn human(diag: &Diagnostic, color: bool) -> String {
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

/// Prints a one-line error that has no source location.
pub fn plain_error(message: &str, format: ErrorFormat) {
    match format {
        ErrorFormat::Human => eprintln!("error: {message}"),
        ErrorFormat::Json => eprintln!(
            "{}",
            serde_json::json!({ "severity": "error", "message": message })
        ),
    }
}
