//! `vouch ledger verify`: check a ledger's hash chain.

use std::path::PathBuf;

use vouch_engine::terminal::escape_line;
use vouch_ledger::{Ledger, Verdict, verify};

use crate::exit::VouchExit;
use crate::render::{ErrorFormat, engine_error};

/// Arguments of `vouch ledger`.
#[derive(Debug, clap::Args)]
pub struct LedgerArgs {
    #[command(subcommand)]
    command: LedgerCommand,
}

#[derive(Debug, clap::Subcommand)]
enum LedgerCommand {
    /// Check every entry of the ledger: exit 0 intact, 1 naming the first broken entry
    /// (edited, inserted, reordered or deleted), 2 when the file cannot be read as a ledger.
    Verify(VerifyArgs),
    /// Create the ledger's schema, or upgrade it to this vouch's version, and say which
    /// version it has: for a PostgreSQL ledger, run once by a role that may create tables,
    /// so that recording roles need only write rows.
    Init(InitArgs),
}

/// Arguments of `vouch ledger init`.
#[derive(Debug, clap::Args)]
struct InitArgs {
    /// The ledger: an SQLite file or a `postgres://` URL.
    #[arg(value_name = "LEDGER")]
    ledger: PathBuf,
    /// How errors are printed.
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    error_format: ErrorFormat,
}

/// Arguments of `vouch ledger verify`.
#[derive(Debug, clap::Args)]
struct VerifyArgs {
    /// The ledger (`vouch evaluate --record` wrote it): an SQLite file or a `postgres://`
    /// URL.
    #[arg(value_name = "LEDGER")]
    ledger: PathBuf,
    /// How errors are printed.
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    error_format: ErrorFormat,
}

/// Runs `vouch ledger`.
pub fn run(args: LedgerArgs) -> VouchExit {
    match args.command {
        LedgerCommand::Verify(args) => run_verify(&args),
        LedgerCommand::Init(args) => run_init(&args),
    }
}

fn run_init(args: &InitArgs) -> VouchExit {
    match Ledger::create_or_open(&args.ledger) {
        Ok(l) => {
            println!(
                "ledger `{}` ready: schema version {}",
                escape_line(l.path()),
                vouch_ledger::MIGRATIONS.len()
            );
            VouchExit::Success
        }
        Err(e) => {
            engine_error(e, args.error_format);
            VouchExit::Error
        }
    }
}

fn run_verify(args: &VerifyArgs) -> VouchExit {
    let verdict = Ledger::open_existing(&args.ledger).and_then(|l| verify(&l));
    match verdict {
        Ok(Verdict::Intact { entries, head }) => {
            println!("ledger intact: {entries} entries, head {head}");
            VouchExit::Success
        }
        Ok(Verdict::Broken { seq, reason }) => {
            println!("ledger broken at entry {seq}: {}", escape_line(&reason));
            VouchExit::Failure
        }
        Err(e) => {
            engine_error(e, args.error_format);
            VouchExit::Error
        }
    }
}
