//! `vouch history`: the evaluations a ledger holds, each control's and principle's trend,
//! the releases that failed and the open waiver debt, as a table, JSON or one HTML page.
//! The chain is verified first: a broken ledger is not read.

use std::io::Write as _;
use std::path::PathBuf;

use vouch_engine::terminal::escape_line;
use vouch_ledger::{
    History, HistoryQuery, Ledger, Verdict, WaiverDebt, debt_table, history, html_page, table,
    verify, waiver_debt,
};

use crate::evaluation::parse_as_of;
use crate::exit::VouchExit;
use crate::render::{ErrorFormat, engine_error, plain_error};

/// Output formats of `vouch history`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum HistoryFormat {
    /// A plain-text table.
    #[default]
    Table,
    /// A JSON object: `evaluations`, `controls`, `principles`, `failed`, `waiver_debt`.
    Json,
    /// One self-contained HTML page with inline SVG charts.
    Html,
}

/// `vouch history --format json`: the history and the open waiver debt.
#[derive(serde::Serialize)]
struct HistoryJson<'a> {
    #[serde(flatten)]
    history: &'a History,
    waiver_debt: &'a [WaiverDebt],
}

/// What `vouch history` does, as `vouch --help` and `vouch history --help` say it.
pub const ABOUT: &str =
    "Show the evaluations a ledger holds: each control's trend and the releases that failed";

/// Arguments of `vouch history`.
#[derive(Debug, clap::Args)]
#[command(about = ABOUT)]
pub struct HistoryArgs {
    /// The ledger (`vouch evaluate --record` wrote it): an SQLite file or a `postgres://` URL.
    #[arg(value_name = "LEDGER")]
    ledger: PathBuf,
    /// Only this product's evaluations.
    #[arg(long, value_name = "P")]
    product: Option<String>,
    /// Only evaluations as of this date (`2026-10-01`, 00:00 UTC) or RFC 3339 instant, or later.
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: HistoryFormat,
    /// How errors are printed.
    #[arg(long, value_enum, default_value_t)]
    error_format: ErrorFormat,
}

/// Runs `vouch history`: exit 0 with the history on stdout, 1 when the ledger's chain is
/// broken (the first broken entry named), 2 on a usage or input error.
pub fn run(args: HistoryArgs) -> VouchExit {
    let since = match &args.since {
        Some(text) => match parse_as_of(text) {
            Some(t) => Some(t),
            None => {
                plain_error(
                    &format!(
                        "`--since {text}` is not a date (2026-10-01) or an RFC 3339 date-time"
                    ),
                    args.error_format,
                );
                return VouchExit::Error;
            }
        },
        None => None,
    };
    let ledger = match Ledger::open_existing(&args.ledger) {
        Ok(l) => l,
        Err(e) => {
            engine_error(e, args.error_format);
            return VouchExit::Error;
        }
    };
    match verify(&ledger) {
        Ok(Verdict::Intact { .. }) => {}
        Ok(Verdict::Broken { seq, reason }) => {
            plain_error(
                &format!(
                    "the ledger is broken at entry {seq}: {}; its history is not shown",
                    escape_line(&reason)
                ),
                args.error_format,
            );
            return VouchExit::Failure;
        }
        Err(e) => {
            engine_error(e, args.error_format);
            return VouchExit::Error;
        }
    }
    let query = HistoryQuery {
        product: args.product.clone(),
        since,
    };
    let h = match history(&ledger, &query).and_then(|h| Ok((h, waiver_debt(&ledger, &query)?))) {
        Ok(h) => h,
        Err(e) => {
            engine_error(e, args.error_format);
            return VouchExit::Error;
        }
    };
    let text = match args.format {
        HistoryFormat::Table => escape_table(&format!("{}{}", table(&h.0), debt_table(&h.1))),
        HistoryFormat::Html => html_page(&h.0, &h.1),
        HistoryFormat::Json => match serde_json::to_string_pretty(&HistoryJson {
            history: &h.0,
            waiver_debt: &h.1,
        }) {
            Ok(text) => format!("{text}\n"),
            Err(e) => {
                plain_error(&format!("cannot write the history: {e}"), args.error_format);
                return VouchExit::Error;
            }
        },
    };
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => VouchExit::Success,
        // A reader that stopped early (`| head`) is not an error of ours.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => VouchExit::Success,
        Err(e) => {
            plain_error(&format!("cannot write the history: {e}"), args.error_format);
            VouchExit::Error
        }
    }
}

/// Each line of the table escaped for the terminal (stored reports may hold any text).
fn escape_table(text: &str) -> String {
    text.lines()
        .map(|l| format!("{}\n", escape_line(l)))
        .collect()
}
