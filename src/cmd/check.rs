//! `vouch check`: parse and type-check policy files.

use std::path::PathBuf;

use vouch_lang::sort_diagnostics;

use crate::exit::VouchExit;
use crate::lint_args::LintArgs;
use crate::policy_files::{FileLoader, frameworks, policy_files, read_source};
use crate::render::{self, ErrorFormat};

/// What `vouch check` does, as `vouch --help` and `vouch check --help` say it.
pub const ABOUT: &str = "Parse and type-check policy files; exit 2 on any error";

/// Arguments of `vouch check`.
#[derive(Debug, clap::Args)]
#[command(about = ABOUT, after_help = crate::lint_args::help())]
pub struct CheckArgs {
    /// Policy files, or directories to search for `.vouch` files.
    #[arg(required_unless_present_any = ["authority", "gate", "waivers"])]
    paths: Vec<PathBuf>,
    /// Validate a Cedar authority policy against vouch's schema (`vouch authority schema`),
    /// with its entities (`--authority-entities`).
    #[command(flatten)]
    authority: crate::authority_files::AuthorityArgs,
    /// Validate a Cedar gate policy against the gate schema (`vouch authority schema
    /// --gate`).
    #[arg(long, value_name = "FILE.cedar")]
    gate: Option<PathBuf>,
    /// The gate's entities (Cedar JSON entities, as `vouch gate --authority-entities` takes
    /// them), validated against the gate schema with the gate policy.
    #[arg(long, value_name = "FILE.json", requires = "gate")]
    gate_entities: Option<PathBuf>,
    /// Lint a waivers file (repeatable) without a bundle: it parses, each waiver names a
    /// control of the policies given as PATH (with a "did you mean"), and none has expired
    /// at `--as-of`. Signatures are checked by `vouch evaluate`.
    #[arg(long = "waivers", value_name = "FILE")]
    waivers: Vec<PathBuf>,
    /// The day to judge waiver dates at (with `--waivers`): a date or an RFC 3339 date-time.
    /// Default: today.
    #[arg(long, value_name = "DATE|DATETIME", requires = "waivers")]
    as_of: Option<String>,
    /// Extra framework definitions (TOML), besides the built-in ones.
    #[arg(long = "framework", value_name = "FILE")]
    frameworks: Vec<PathBuf>,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t)]
    error_format: ErrorFormat,
    #[command(flatten)]
    lints: LintArgs,
}

/// Runs `vouch check`: exit 0 when every file is free of errors (warnings allowed), 2 otherwise
/// (an unknown lint name is a usage error: 2).
pub fn run(args: CheckArgs) -> VouchExit {
    let levels = match args.lints.levels() {
        Ok(levels) => levels,
        Err(message) => {
            render::plain_error(&message, args.error_format);
            return VouchExit::Error;
        }
    };
    let frameworks = match frameworks(&args.frameworks) {
        Ok(f) => f,
        Err(diags) => {
            render::print(&diags, args.error_format);
            return VouchExit::Error;
        }
    };
    let mut authority_ok =
        crate::authority_files::load_authority(&args.authority, args.error_format).is_ok();
    if let Some(gate) = &args.gate {
        authority_ok &= crate::authority_files::load_gate(
            gate,
            args.gate_entities.as_deref(),
            args.error_format,
        )
        .is_some();
    }
    if args.paths.is_empty() {
        let waivers = crate::cmd::check_waivers::lint(
            &args.waivers,
            None,
            args.as_of.as_deref(),
            args.error_format,
        );
        authority_ok &= waivers.errors == 0;
        return if authority_ok {
            VouchExit::Success
        } else {
            VouchExit::Error
        };
    }
    let (files, mut diags) = policy_files(&args.paths);
    let mut controls: Vec<String> = Vec::new();
    for file in &files {
        match read_source(file) {
            Ok(source) => {
                let output = vouch_lang::check_with(source, &FileLoader, &frameworks, &levels);
                diags.extend(output.diagnostics);
                if let Some(policy) = output.policy {
                    controls.extend(policy.controls.iter().map(|c| c.id.clone()));
                }
            }
            Err(d) => diags.push(*d),
        }
    }
    controls.sort();
    controls.dedup();
    sort_diagnostics(&mut diags);
    diags.dedup();
    render::print(&diags, args.error_format);
    if !args.waivers.is_empty() {
        let waivers = crate::cmd::check_waivers::lint(
            &args.waivers,
            Some(&controls),
            args.as_of.as_deref(),
            args.error_format,
        );
        authority_ok &= waivers.errors == 0;
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    if args.error_format == ErrorFormat::Human {
        eprintln!(
            "checked {} file{}: {} error{}, {} warning{}",
            files.len(),
            plural(files.len()),
            errors,
            plural(errors),
            warnings,
            plural(warnings)
        );
    }
    if errors > 0 || !authority_ok {
        VouchExit::Error
    } else {
        VouchExit::Success
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
