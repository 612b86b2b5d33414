//! What `vouch evaluate` and `vouch explain` share: their inputs on the command line, and
//! turning them into a checked policy, an evidence graph and evaluation options. This is
//! where files and the clock are read; the engine reads neither.

use std::path::{Path, PathBuf};

use std::sync::Arc;
use vouch_engine::eval::value::{Date, Timestamp, date_instant};
use vouch_engine::waivers::parse_waivers;

use vouch_engine::{EvaluationOptions, EvidenceGraph, Finding, IngestOptions, KeyStore};
use vouch_lang::CheckedPolicy;

use crate::policy_files::{
    FileLoader, display_path, frameworks, io_reason, policy_root, read_source,
};
use crate::render::{self, ErrorFormat};

/// The inputs of an evaluation.
#[derive(Debug, clap::Args)]
pub struct EvalInputs {
    /// The policy: its root file, or a directory whose one root file (the file no other file
    /// there imports) is evaluated.
    #[arg(long, value_name = "FILE|DIR")]
    pub policy: PathBuf,
    /// The evidence bundle directory.
    #[arg(long, value_name = "DIR")]
    pub bundle: PathBuf,
    /// A trusted key or keyring (repeatable); trust never comes from the bundle.
    #[arg(long = "trust", value_name = "PATH")]
    pub trust: Vec<PathBuf>,
    /// Waivers (TOML).
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// The instant to judge at: a date (00:00 UTC) or an RFC 3339 date-time with offset.
    /// Default: now.
    #[arg(long, value_name = "DATE|DATETIME")]
    pub as_of: Option<String>,
    /// Extra framework definitions (TOML), besides the built-in ones.
    #[arg(long = "framework", value_name = "FILE")]
    pub frameworks: Vec<PathBuf>,
    /// Threads for hashing and evaluation (default: one per core).
    #[arg(long, short, value_name = "N")]
    pub jobs: Option<usize>,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t)]
    pub error_format: ErrorFormat,
    /// Lint levels for checking the policy.
    #[command(flatten)]
    pub lints: crate::lint_args::LintArgs,
}

/// A policy and a bundle, ready to evaluate.
#[derive(Debug)]
pub struct Prepared {
    /// The checked policy.
    pub policy: CheckedPolicy,
    /// The bundle's evidence graph.
    pub graph: EvidenceGraph,
    /// `as_of`, waivers, trust inputs, threads.
    pub options: EvaluationOptions,
}

/// Reads and checks everything; on any usage or input error, prints it and returns `None`
/// (the caller exits 2).
pub fn prepare(inputs: &EvalInputs) -> Option<Prepared> {
    let format = inputs.error_format;
    let as_of = match &inputs.as_of {
        Some(text) => match parse_as_of(text) {
            Some(t) => t,
            None => {
                render::plain_error(
                    &format!(
                        "`--as-of {text}` is not a date (2026-10-01) or a date-time with offset (2026-10-01T12:00:00Z)"
                    ),
                    format,
                );
                return None;
            }
        },
        // The one place an evaluation reads the clock.
        None => Timestamp::now(),
    };
    let trust = load_trust(&inputs.trust, format)?;
    let waivers = match &inputs.waivers {
        Some(path) => read_waivers(path, format)?,
        None => Vec::new(),
    };
    let levels = match inputs.lints.levels() {
        Ok(levels) => levels,
        Err(message) => {
            render::plain_error(&message, format);
            return None;
        }
    };
    let policy = check_policy(&inputs.policy, &inputs.frameworks, &levels, format)?;
    for w in &waivers {
        if !policy.controls.iter().any(|c| c.id == w.control) && format == ErrorFormat::Human {
            eprintln!(
                "warning: waiver `{}` (line {}) names control `{}`, which the policy does not have",
                w.id, w.line, w.control
            );
        }
    }
    let progress = vouch_engine::TerminalProgress::stderr();
    let trusted_keys = trust.describe();
    let options = IngestOptions {
        threads: inputs.jobs,
        trust: Arc::new(trust),
        as_of: Some(as_of),
    };
    let graph = match vouch_engine::ingest(&inputs.bundle, &options, &progress) {
        Ok(graph) => graph,
        Err(error) => {
            match format {
                ErrorFormat::Human => eprintln!("{:?}", miette::Report::new(error)),
                ErrorFormat::Json => render::plain_error(&error.to_string(), format),
            }
            return None;
        }
    };
    Some(Prepared {
        policy,
        graph,
        options: EvaluationOptions {
            as_of,
            waivers,
            trust: trusted_keys,
            threads: inputs.jobs,
        },
    })
}

/// Loads the trust set; a missing or unreadable trust input is a usage error.
pub fn load_trust(paths: &[PathBuf], format: ErrorFormat) -> Option<KeyStore> {
    for path in paths {
        if !path.exists() {
            render::plain_error(
                &format!("trust input `{}` does not exist", display_path(path)),
                format,
            );
            return None;
        }
    }
    match KeyStore::load(paths) {
        Ok(store) => Some(store),
        Err(error) => {
            match format {
                ErrorFormat::Human => eprintln!("{:?}", miette::Report::new(error)),
                ErrorFormat::Json => render::plain_error(&error.to_string(), format),
            }
            None
        }
    }
}

/// `2026-10-01` (00:00 UTC) or an RFC 3339 date-time with offset.
pub fn parse_as_of(text: &str) -> Option<Timestamp> {
    if text.len() == 10
        && let Ok(date) = text.parse::<Date>()
    {
        return date_instant(date);
    }
    text.parse().ok()
}

fn check_policy(
    path: &Path,
    extra_frameworks: &[PathBuf],
    levels: &vouch_lang::LintLevels,
    format: ErrorFormat,
) -> Option<CheckedPolicy> {
    let frameworks = match frameworks(extra_frameworks) {
        Ok(f) => f,
        Err(diags) => {
            render::print(&diags, format);
            return None;
        }
    };
    let root = match policy_root(path) {
        Ok(root) => root,
        Err(message) => {
            render::plain_error(&message, format);
            return None;
        }
    };
    let source = match read_source(&root) {
        Ok(s) => s,
        Err(d) => {
            render::print(&[*d], format);
            return None;
        }
    };
    let output = vouch_lang::check_with(source, &FileLoader, &frameworks, levels);
    render::print(&output.diagnostics, format);
    output.policy
}

fn read_waivers(path: &Path, format: ErrorFormat) -> Option<Vec<vouch_engine::waivers::Waiver>> {
    let name = display_path(path);
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            render::plain_error(&format!("cannot read `{name}`: {}", io_reason(&e)), format);
            return None;
        }
    };
    match parse_waivers(&name, &text) {
        Ok((waivers, warnings)) => {
            print_findings(&warnings, format);
            Some(waivers)
        }
        Err(errors) => {
            print_findings(&errors, format);
            None
        }
    }
}

/// Prints findings about an input file (waivers), one per line with its place.
pub fn print_findings(findings: &[Finding], format: ErrorFormat) {
    for f in findings {
        let mut place = f.path.clone().unwrap_or_default();
        if let Some(line) = f.line {
            place.push_str(&format!(":{line}"));
            if let Some(column) = f.column {
                place.push_str(&format!(":{column}"));
            }
        }
        match format {
            ErrorFormat::Human => {
                let help = f
                    .help
                    .as_deref()
                    .map(|h| format!("\n  help: {h}"))
                    .unwrap_or_default();
                eprintln!(
                    "{}[{}]: {place}: {}{help}",
                    f.severity.as_str(),
                    f.code,
                    f.message
                );
            }
            ErrorFormat::Json => eprintln!(
                "{}",
                serde_json::json!({
                    "code": f.code.as_str(),
                    "severity": f.severity.as_str(),
                    "message": f.message,
                    "help": f.help,
                    "file": f.path,
                    "line": f.line,
                    "column": f.column,
                })
            ),
        }
    }
}
