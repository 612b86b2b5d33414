//! Renderers: one module per output format, each a pure function from the [`Report`] to text.

use super::model::Report;

/// An output format of `vouch evaluate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// The `vouch-report/1` JSON document.
    Json,
}

impl Format {
    /// Every format, in the order `--format` help lists them.
    pub const ALL: &'static [Format] = &[Format::Json];

    /// The name used on the command line.
    pub const fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
        }
    }

    /// The file extension used with `--output-dir`.
    pub const fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
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
    }
}

/// The JSON report: pretty-printed with two-space indentation, keys in model order.
fn json(report: &Report) -> String {
    let mut text =
        serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
