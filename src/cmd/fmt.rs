//! `vouch fmt`: rewrite policy files in the canonical layout.

use std::path::PathBuf;

use vouch_lang::{Code, Diagnostic, Span};

use crate::exit::VouchExit;
use crate::policy_files::{display_path, io_reason, policy_files, read_source};
use vouch_engine::terminal::escape_line;

use crate::render::{self, ErrorFormat};

/// What `vouch fmt` does, as `vouch --help` and `vouch fmt --help` say it.
pub const ABOUT: &str = "Rewrite policy files in the canonical layout (`--check`: only report)";

/// Arguments of `vouch fmt`.
#[derive(Debug, clap::Args)]
#[command(about = ABOUT)]
pub struct FmtArgs {
    /// Policy files, or directories to search for `.vouch` files.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Change nothing; exit 1 if any file is not formatted, naming each and printing the
    /// change formatting would make as a unified diff.
    #[arg(long)]
    check: bool,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t)]
    error_format: ErrorFormat,
}

/// Runs `vouch fmt`: exit 0 when done (or, with `--check`, when every file is formatted), 1 when
/// `--check` finds a file to format, 2 when a file cannot be read or parsed.
pub fn run(args: FmtArgs) -> VouchExit {
    let (files, missing) = policy_files(&args.paths);
    render::print(&missing, args.error_format);
    let mut errors = !missing.is_empty();
    let mut unformatted = Vec::new();
    for file in &files {
        let source = match read_source(file) {
            Ok(s) => s,
            Err(d) => {
                render::print(&[*d], args.error_format);
                errors = true;
                continue;
            }
        };
        let formatted = match vouch_lang::format_source(&source) {
            Ok(text) => text,
            Err(diags) => {
                render::print(&diags, args.error_format);
                errors = true;
                continue;
            }
        };
        if formatted == source.text() {
            continue;
        }
        if args.check {
            let d = Diagnostic::error(
                Code::Unformatted,
                source.clone(),
                first_difference(source.text(), &formatted),
                format!("`{}` is not formatted", source.name()),
            )
            .with_help(format!("run `vouch fmt {}`", source.name()));
            render::print(&[d], args.error_format);
            if args.error_format == ErrorFormat::Human {
                print!("{}", unified_diff(source.name(), source.text(), &formatted));
            }
            unformatted.push(file);
        } else if let Err(err) = std::fs::write(file, formatted) {
            render::plain_error(
                &format!("cannot write `{}`: {}", display_path(file), io_reason(&err)),
                args.error_format,
            );
            errors = true;
        }
    }
    if errors {
        VouchExit::Error
    } else if !unformatted.is_empty() {
        VouchExit::Failure
    } else {
        VouchExit::Success
    }
}

/// The span, in the original text, of the first line that formatting changes.
fn first_difference(original: &str, formatted: &str) -> Span {
    let mut offset = 0;
    for (a, b) in original
        .split_inclusive('\n')
        .zip(formatted.split_inclusive('\n'))
    {
        if a != b {
            return Span::new(offset, offset + a.trim_end().len());
        }
        offset += a.len();
    }
    Span::point(offset.min(original.len()))
}

/// What formatting would change in `name`, as a unified diff (three lines of context), each
/// line escaped for the terminal.
fn unified_diff(name: &str, original: &str, formatted: &str) -> String {
    let diff = similar::TextDiff::from_lines(original, formatted);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(name, &format!("{name} (formatted)"))
        .to_string();
    text.split_inclusive('\n')
        .map(|line| {
            let (body, end) = line
                .strip_suffix('\n')
                .map_or((line, ""), |body| (body, "\n"));
            format!("{}{end}", escape_line(body))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::unified_diff;

    #[test]
    fn the_diff_shows_removed_and_added_lines_with_a_header() {
        let diff = unified_diff("p.vouch", "a\nb  \nc\n", "a\nb\nc\n");
        assert_eq!(
            diff,
            "--- p.vouch\n+++ p.vouch (formatted)\n@@ -1,3 +1,3 @@\n a\n-b  \n+b\n c\n"
        );
    }

    #[test]
    fn control_characters_in_the_diff_are_escaped() {
        let diff = unified_diff("p.vouch", "x \u{1b}[31m\n", "x\n");
        assert!(!diff.contains('\u{1b}'), "{diff}");
    }
}
