//! The `vouch` command line as a library: each subcommand in [`cmd`], and the pieces the
//! commands share (reading policy files, printing diagnostics, exit codes). `main.rs` only
//! parses arguments and calls [`cmd::run`]; tests call the same functions.

pub mod authority_files;
pub mod backtest;
pub mod cache_dir;
pub mod cmd;
pub mod evaluation;
pub mod exit;
pub mod ledger_head;
pub mod lint_args;
pub mod policy_files;
pub mod record;
pub mod render;

pub use exit::VouchExit;
