//! Renderers: one module per output format, each a pure function from the [`Report`] to text.
//!
//! Every renderer reads only the report: no clock, no randomness, no environment, no file
//! system. Identifiers that a format requires to be unique (OSCAL UUIDs, SARIF fingerprints)
//! are derived from report content, so equal reports render to byte-identical text. Text that
//! came from evidence or policies is untrusted and is escaped for each format. Output is built
//! in one `String` with `write!`, so rendering time is linear in the size of the report.

mod common;
mod escape;
mod html;
mod html_parts;
mod junit;
mod markdown;
mod oscal;
mod sarif;

use super::model::Report;

/// An output format of `vouch evaluate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// The `vouch-report/1` JSON document.
    Json,
    /// A Markdown summary: a table by principle, then every failing control with its findings.
    Markdown,
    /// One self-contained HTML page an auditor can open and print.
    Html,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML: a test suite per principle, a test case per control.
    Junit,
    /// An OSCAL assessment-results JSON document.
    Oscal,
}

impl Format {
    /// Every format, in the order `--format` help lists them.
    pub const ALL: &'static [Format] = &[
        Format::Json,
        Format::Markdown,
        Format::Html,
        Format::Sarif,
        Format::Junit,
        Format::Oscal,
    ];

    /// The name used on the command line.
    pub const fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Oscal => "oscal",
        }
    }

    /// The file name suffix used with `--output-dir`: everything after `report.`, so the
    /// JSON report is `report.json` and the OSCAL one `report.oscal.json`.
    pub const fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Markdown => "md",
            Format::Html => "html",
            Format::Sarif => "sarif",
            Format::Junit => "xml",
            Format::Oscal => "oscal.json",
        }
    }

    /// The format with this command-line name.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.iter().copied().find(|f| f.name() == name)
    }
}

/// Renders `report` in `format`. Output ends with a newline and is byte-identical for equal
/// reports.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Json => json(report),
        Format::Markdown => markdown::render(report),
        Format::Html => html::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report),
        Format::Oscal => oscal::render(report),
    }
}

/// Writes the report in `format` to `out`. The JSON report is serialized straight into the
/// writer, so a large report is never held in memory as text as well as a model.
pub fn render_to(
    report: &Report,
    format: Format,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, report).map_err(std::io::Error::other)?;
            out.write_all(b"\n")
        }
        other => out.write_all(render(report, other).as_bytes()),
    }
}

/// The JSON report: pretty-printed with two-space indentation, keys in model order.
fn json(report: &Report) -> String {
    let mut text =
        serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// Pretty-prints a JSON value built by a renderer, ending with a newline.
fn pretty_json(value: &serde_json::Value) -> String {
    let mut text =
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
