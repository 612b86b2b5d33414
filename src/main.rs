//! The `vouch` binary: parses arguments and runs the command.

use clap::Parser;

fn main() -> vouch::VouchExit {
    vouch::cmd::run(vouch::cmd::Cli::parse())
}
