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
}

/// Arguments of `vouch ledger verify`.
#[derive(Debug, clap::Args)]
struct VerifyArgs {
    /// The ledger file (`vouch evaluate --record` wrote it).
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
