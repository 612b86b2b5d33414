//! `vouch gate`: may this key release what this report judged? A Cedar gate policy answers
//! allow (exit 0) or deny (exit 1) and names the policies that decided; any error exits 2.

use std::collections::BTreeMap;
use std::path::PathBuf;

use vouch_engine::authority::gate::ReportFacts;
use vouch_engine::terminal::escape_line;

use crate::authority_files::{load_gate, read_text};
use crate::exit::VouchExit;
use crate::render::{self, ErrorFormat};

/// What `vouch gate` does, as `vouch --help` and `vouch gate --help` say it.
pub const ABOUT: &str = "Ask a Cedar gate policy whether a key may release what a JSON report judged: exit 0 allow, 1 deny, 2 error";

/// Arguments of `vouch gate`.
#[derive(Debug, clap::Args)]
#[command(about = ABOUT)]
pub struct GateArgs {
    /// The JSON report of `vouch evaluate --format json`.
    #[arg(long, value_name = "REPORT.json")]
    report: PathBuf,
    /// The gate policy (Cedar; see `vouch authority schema --gate`).
    #[arg(long, value_name = "FILE.cedar")]
    authority: PathBuf,
    /// The gate's entities (Cedar JSON entities): keys and the groups they belong to.
    #[arg(long, value_name = "FILE.json")]
    authority_entities: Option<PathBuf>,
    /// The key id asking (as the report gives key ids; for OpenPGP the 40-hex fingerprint).
    #[arg(long, value_name = "KEYID")]
    principal: String,
    /// The action asked for.
    #[arg(long, default_value = "release")]
    action: String,
    /// A fact about the run, KEY=VALUE (repeatable): the release's tags in the policy
    /// (`resource.hasTag("branch") && resource.getTag("branch") == "main"`).
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// How to print diagnostics and the answer (`json`: one JSON object on stdout).
    #[arg(long, value_enum, default_value_t)]
    error_format: ErrorFormat,
}

/// Runs `vouch gate`: exit 0 allow, 1 deny, 2 error.
pub fn run(args: GateArgs) -> VouchExit {
    let format = args.error_format;
    let mut context = BTreeMap::new();
    for pair in &args.context {
        match pair.split_once('=') {
            Some((key, value)) if !key.trim().is_empty() => {
                if context
                    .insert(key.trim().to_owned(), value.to_owned())
                    .is_some()
                {
                    render::plain_error(&format!("`--context {key}` is given twice"), format);
                    return VouchExit::Error;
                }
            }
            _ => {
                render::plain_error(
                    &format!("`--context {pair}` is not KEY=VALUE (e.g. branch=main)"),
                    format,
                );
                return VouchExit::Error;
            }
        }
    }
    let Some(gate) = load_gate(&args.authority, args.authority_entities.as_deref(), format) else {
        return VouchExit::Error;
    };
    let Some(report) = read_text(&args.report, format) else {
        return VouchExit::Error;
    };
    let facts = match ReportFacts::from_json(&report.name, &report.text) {
        Ok(facts) => facts,
        Err(error) => {
            print_error(error, format);
            return VouchExit::Error;
        }
    };
    let decision = match gate.decide(&args.principal, &args.action, &facts, &context) {
        Ok(decision) => decision,
        Err(error) => {
            print_error(error, format);
            return VouchExit::Error;
        }
    };
    let verdict = if decision.allowed { "allow" } else { "deny" };
    match format {
        ErrorFormat::Human => {
            println!("{verdict}: {}", escape_line(&decision.reason));
            if decision.policies.is_empty() {
                println!("determining policies: none (Cedar denies by default)");
            } else {
                println!(
                    "determining policies: {}",
                    escape_line(&decision.policies.join(", "))
                );
            }
        }
        ErrorFormat::Json => println!(
            "{}",
            serde_json::json!({
                "decision": verdict,
                "principal": args.principal,
                "action": args.action,
                "release": facts.bundle,
                "policies": decision.policies,
                "reason": decision.reason,
            })
        ),
    }
    if decision.allowed {
        VouchExit::Success
    } else {
        VouchExit::Failure
    }
}

fn print_error(error: vouch_engine::authority::gate::GateError, format: ErrorFormat) {
    render::engine_error(error, format);
}
