//! `vouch backtest`: which past releases a new policy would judge differently, control by
//! control, from the evidence snapshots a ledger holds.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use vouch_engine::eval::Budget;
use vouch_engine::eval::value::Timestamp;
use vouch_engine::terminal::escape_line;
use vouch_ledger::HistoryQuery;

use crate::backtest::{Backtest, Inputs, backtest};
use crate::evaluation::{
    check_policy, framework_digest, load_trust, name_sources_from_root, parse_as_of,
    read_waiver_input,
};
use crate::exit::VouchExit;
use crate::render::{ErrorFormat, engine_error, plain_error};

/// Output formats of `vouch backtest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum BacktestFormat {
    /// Plain text: each release that changes or cannot be compared, then the counts.
    #[default]
    Table,
    /// A JSON object: counts and every release (`releases`).
    Json,
}

/// What `vouch backtest` does, as `vouch --help` and `vouch backtest --help` say it.
pub const ABOUT: &str = "Re-evaluate a ledger's stored evidence with another policy: which past releases would change status, control by control (exit 1 when one would, or cannot be compared)";

/// Arguments of `vouch backtest`.
#[derive(Debug, clap::Args)]
#[command(about = ABOUT)]
pub struct BacktestArgs {
    /// The new policy: its root file, or a directory with one root file.
    #[arg(long, value_name = "FILE|DIR")]
    policy: PathBuf,
    /// The ledger whose entries are re-evaluated (`vouch evaluate --record` wrote it).
    #[arg(long, value_name = "LEDGER")]
    ledger: PathBuf,
    /// The trust inputs (repeatable): an entry is compared only when these are exactly the
    /// files it was evaluated with (by sha256).
    #[arg(long = "trust", value_name = "PATH")]
    trust: Vec<PathBuf>,
    /// The waivers files (repeatable, signatures beside them): an entry is compared only
    /// when these are exactly the files it was evaluated with (by sha256).
    #[arg(long = "waivers", value_name = "FILE")]
    waivers: Vec<PathBuf>,
    /// The authority policy and its entities: an entry recorded with `--authority` is
    /// compared only when these are exactly the files it was evaluated with (by sha256), and
    /// one recorded without only when they are not given.
    #[command(flatten)]
    authority: crate::authority_files::AuthorityArgs,
    /// Extra framework definitions (TOML) the new policy needs.
    #[arg(long = "framework", value_name = "FILE")]
    frameworks: Vec<PathBuf>,
    /// Only this product's entries.
    #[arg(long, value_name = "P")]
    product: Option<String>,
    /// Only entries as of this date (`2026-10-01`, 00:00 UTC) or RFC 3339 instant, or later.
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: BacktestFormat,
    /// Lint levels for checking the policy.
    #[command(flatten)]
    lints: crate::lint_args::LintArgs,
    /// How errors are printed.
    #[arg(long, value_enum, default_value_t)]
    error_format: ErrorFormat,
}

/// Runs `vouch backtest`: exit 0 when no selected release changes, 1 when one changes
/// status or has a control that does, or cannot be compared, 2 on a usage or ledger error
/// (a broken chain included).
pub fn run(args: BacktestArgs) -> VouchExit {
    let format = args.error_format;
    let since = match &args.since {
        Some(text) => match parse_as_of(text) {
            Some(t) => Some(t),
            None => {
                plain_error(
                    &format!(
                        "`--since {text}` is not a date (2026-10-01) or an RFC 3339 date-time"
                    ),
                    format,
                );
                return VouchExit::Error;
            }
        },
        None => None,
    };
    let Some(trust) = load_trust(&args.trust, format) else {
        return VouchExit::Error;
    };
    let mut waivers = Vec::new();
    for path in &args.waivers {
        let Some(w) = read_waiver_input(path, format) else {
            return VouchExit::Error;
        };
        waivers.push(w);
    }
    let levels = match args.lints.levels() {
        Ok(levels) => levels,
        Err(message) => {
            plain_error(&message, format);
            return VouchExit::Error;
        }
    };
    let authority: Arc<dyn vouch_engine::authority::Authority> =
        match crate::authority_files::load_authority(&args.authority, format) {
            Ok(Some(cedar)) => Arc::new(cedar),
            Ok(None) => Arc::new(vouch_engine::authority::EveryTrustedKey),
            Err(crate::authority_files::Reported) => return VouchExit::Error,
        };
    let Some(mut policy) = check_policy(&args.policy, &args.frameworks, &levels, format) else {
        return VouchExit::Error;
    };
    name_sources_from_root(&mut policy);
    let framework_sha256 = framework_digest(&policy.framework.id, &args.frameworks);
    let inputs = Inputs {
        policy,
        trust: Arc::new(trust),
        waivers,
        budget: Budget::default(),
        framework_sha256,
        // The one wall-clock read: an entry judged at a later instant is not comparable.
        now: Timestamp::now(),
        authority,
    };
    let query = HistoryQuery {
        product: args.product.clone(),
        since,
    };
    let result = match backtest(&args.ledger, &inputs, &query) {
        Ok(result) => result,
        Err(e) => {
            engine_error(e, format);
            return VouchExit::Error;
        }
    };
    let text = match args.format {
        BacktestFormat::Table => table(&result),
        BacktestFormat::Json => match serde_json::to_string_pretty(&result) {
            Ok(text) => format!("{text}\n"),
            Err(e) => {
                plain_error(&format!("cannot write the backtest: {e}"), format);
                return VouchExit::Error;
            }
        },
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        plain_error(&format!("cannot write the backtest: {e}"), format);
        return VouchExit::Error;
    }
    if result.changed > 0 || result.not_comparable > 0 {
        VouchExit::Failure
    } else {
        VouchExit::Success
    }
}

/// The plain-text form: the releases that change or cannot be compared, then the counts.
/// Every stored value is escaped for the terminal.
pub fn table(b: &Backtest) -> String {
    let mut out = String::new();
    for r in &b.releases {
        let name = format!(
            "#{} {} {} as of {}",
            r.seq,
            r.product.as_deref().unwrap_or("-"),
            r.version.as_deref().unwrap_or("-"),
            r.as_of
        );
        match r.outcome {
            "changed" => {
                out.push_str(&format!(
                    "{}: {} -> {}\n",
                    escape_line(&name),
                    r.old_status.unwrap_or("-"),
                    r.new_status.unwrap_or("-")
                ));
                for c in &r.controls {
                    out.push_str(&format!(
                        "  {}: {} -> {}\n",
                        escape_line(&c.id),
                        escape_line(&c.old),
                        escape_line(&c.new)
                    ));
                }
            }
            "not_comparable" => out.push_str(&format!(
                "{}: not comparable: {}\n",
                escape_line(&name),
                escape_line(r.reason.as_deref().unwrap_or(""))
            )),
            _ => {}
        }
    }
    out.push_str(&format!(
        "{} entries backtested with `{}` ({} evaluations): {} changed, {} unchanged, {} not comparable\n",
        b.entries,
        escape_line(&b.policy),
        b.evaluations,
        b.changed,
        b.entries - b.changed - b.not_comparable,
        b.not_comparable
    ));
    out
}
