//! `vouch authority schema [--gate]`: print the Cedar schema authority (or gate) policies
//! are validated against.

use vouch_engine::authority::schema::{AUTHORITY_SCHEMA, GATE_SCHEMA};

use crate::exit::VouchExit;

/// What `vouch authority` does, as `vouch --help` and `vouch authority --help` say it.
pub const ABOUT: &str =
    "Print the Cedar schema of authority policies (`vouch authority schema [--gate]`)";

/// Arguments of `vouch authority`.
#[derive(Debug, clap::Args)]
#[command(about = ABOUT)]
pub struct AuthorityArgs {
    #[command(subcommand)]
    command: AuthorityCommand,
}

#[derive(Debug, clap::Subcommand)]
enum AuthorityCommand {
    /// Print the Cedar schema (Cedar schema syntax) of authority policies
    /// (`--authority FILE.cedar`), or with `--gate` of gate policies (`vouch gate`).
    Schema {
        /// The release gate's schema instead.
        #[arg(long)]
        gate: bool,
    },
}

/// Runs `vouch authority`.
pub fn run(args: AuthorityArgs) -> VouchExit {
    match args.command {
        AuthorityCommand::Schema { gate } => {
            print!("{}", if gate { GATE_SCHEMA } else { AUTHORITY_SCHEMA });
            VouchExit::Success
        }
    }
}
