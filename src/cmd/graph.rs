//! `vouch graph`: the evidence graph of a bundle.

use std::path::PathBuf;

use crate::exit::VouchExit;

/// Arguments of `vouch graph`.
#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// The evidence bundle directory.
    #[arg(long)]
    bundle: PathBuf,
}

/// Runs `vouch graph`.
pub fn run(args: GraphArgs) -> VouchExit {
    eprintln!("error: `vouch graph` is not built yet (bundle {})", args.bundle.display());
    VouchExit::Error
}
