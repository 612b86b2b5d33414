//! The `vouch` command line: parses arguments, calls the library crates, prints.

mod cmd;
mod exit;

use clap::Parser;

fn main() -> exit::VouchExit {
    let cli = cmd::Cli::parse();
    cmd::run(cli)
}
