//! One module per subcommand.

pub mod authority;
pub mod backtest;
pub mod check;
pub mod check_waivers;
pub mod evaluate;
pub mod explain;
pub mod fmt;
pub mod gate;
pub mod graph;
pub mod history;
pub mod ledger;
pub mod shell;
pub mod std_lib;
pub mod test;
pub mod verify_report;

use clap::{Parser, Subcommand};

use crate::exit::VouchExit;

/// vouch: policy-as-code for secure release and maintenance evidence.
#[derive(Debug, Parser)]
#[command(name = "vouch", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse and type-check policy files; exit 2 on any error.
    #[command(after_help = crate::lint_args::help())]
    Check(check::CheckArgs),
    /// Evaluate a policy against an evidence bundle and write the report; exit 1 when a
    /// control fails.
    Evaluate(evaluate::EvaluateArgs),
    /// Print the Cedar schema of authority policies (`vouch authority schema [--gate]`).
    Authority(authority::AuthorityArgs),
    /// Ask a Cedar gate policy whether a key may release what a JSON report judged: exit 0
    /// allow, 1 deny, 2 error.
    Gate(gate::GateArgs),
    /// Show how one control was evaluated: bindings, compared values, why it passed or failed.
    Explain(explain::ExplainArgs),
    /// Rewrite policy files in the canonical layout (`--check`: only report).
    Fmt(fmt::FmtArgs),
    /// Show the evidence graph of a bundle as JSON, Graphviz dot or Mermaid.
    Graph(graph::GraphArgs),
    /// List the standard modules and frameworks built into vouch, or print one.
    Std(std_lib::StdArgs),
    /// Run policy tests (`*.test.toml`): evaluate each and compare with what it expects;
    /// exit 1 naming each unmet expectation, 2 on an invalid test file.
    Test(test::TestArgs),
    /// Verify a signed report: the attestation's signature, the report's digest, and (with
    /// --policy and --bundle) a re-evaluation byte for byte; exit 1 naming each difference.
    VerifyReport(verify_report::VerifyReportArgs),
    /// Check a ledger of recorded evaluations (`vouch ledger verify LEDGER`): exit 0 intact,
    /// 1 naming the first broken entry, 2 on a usage error.
    Ledger(ledger::LedgerArgs),
    /// Show the evaluations a ledger holds: each control's trend and the releases that failed.
    History(history::HistoryArgs),
    /// Re-evaluate a ledger's stored evidence with another policy: which past releases would
    /// change status, control by control (exit 1 when one would, or cannot be compared).
    Backtest(backtest::BacktestArgs),
    /// Print the shell completion script for bash, zsh, fish, elvish or PowerShell.
    Completions(shell::CompletionsArgs),
    /// Print the manual page (`--out DIR`: write one page per subcommand).
    Man(shell::ManArgs),
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> VouchExit {
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Evaluate(args) => evaluate::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Authority(args) => authority::run(args),
        Command::Gate(args) => gate::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Graph(args) => graph::run(args),
        Command::Std(args) => std_lib::run(args),
        Command::Test(args) => test::run(args),
        Command::VerifyReport(args) => verify_report::run(args),
        Command::Ledger(args) => ledger::run(args),
        Command::History(args) => history::run(args),
        Command::Backtest(args) => backtest::run(args),
        Command::Completions(args) => shell::completions(args),
        Command::Man(args) => shell::man(args),
    }
}
