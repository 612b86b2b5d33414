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

/// Each subcommand's arguments are built only when that subcommand is the one given
/// (`defer`): building all of them cost about 0.8 ms of every start (HACKING.md, cold start).
#[derive(Debug, Subcommand)]
#[command(defer = true)]
enum Command {
    #[command(about = check::ABOUT)]
    Check(check::CheckArgs),
    #[command(about = evaluate::ABOUT)]
    Evaluate(evaluate::EvaluateArgs),
    #[command(about = authority::ABOUT)]
    Authority(authority::AuthorityArgs),
    #[command(about = gate::ABOUT)]
    Gate(gate::GateArgs),
    #[command(about = explain::ABOUT)]
    Explain(explain::ExplainArgs),
    #[command(about = fmt::ABOUT)]
    Fmt(fmt::FmtArgs),
    #[command(about = graph::ABOUT)]
    Graph(graph::GraphArgs),
    #[command(about = std_lib::ABOUT)]
    Std(std_lib::StdArgs),
    #[command(about = test::ABOUT)]
    Test(test::TestArgs),
    #[command(about = verify_report::ABOUT)]
    VerifyReport(verify_report::VerifyReportArgs),
    #[command(about = ledger::ABOUT)]
    Ledger(ledger::LedgerArgs),
    #[command(about = history::ABOUT)]
    History(history::HistoryArgs),
    #[command(about = backtest::ABOUT)]
    Backtest(backtest::BacktestArgs),
    #[command(about = shell::COMPLETIONS_ABOUT)]
    Completions(shell::CompletionsArgs),
    #[command(about = shell::MAN_ABOUT)]
    Man(shell::ManArgs),
}

/// Adds a subcommand's arguments to its `clap::Command`.
type AddArgs = fn(clap::Command) -> clap::Command;

/// Each subcommand's name and how its arguments are added, for [`full_command`]. A test checks
/// that it names every subcommand.
const SUBCOMMAND_ARGS: &[(&str, AddArgs)] = &[
    ("check", <check::CheckArgs as clap::Args>::augment_args),
    (
        "evaluate",
        <evaluate::EvaluateArgs as clap::Args>::augment_args,
    ),
    (
        "authority",
        <authority::AuthorityArgs as clap::Args>::augment_args,
    ),
    ("gate", <gate::GateArgs as clap::Args>::augment_args),
    (
        "explain",
        <explain::ExplainArgs as clap::Args>::augment_args,
    ),
    ("fmt", <fmt::FmtArgs as clap::Args>::augment_args),
    ("graph", <graph::GraphArgs as clap::Args>::augment_args),
    ("std", <std_lib::StdArgs as clap::Args>::augment_args),
    ("test", <test::TestArgs as clap::Args>::augment_args),
    (
        "verify-report",
        <verify_report::VerifyReportArgs as clap::Args>::augment_args,
    ),
    ("ledger", <ledger::LedgerArgs as clap::Args>::augment_args),
    (
        "history",
        <history::HistoryArgs as clap::Args>::augment_args,
    ),
    (
        "backtest",
        <backtest::BacktestArgs as clap::Args>::augment_args,
    ),
    (
        "completions",
        <shell::CompletionsArgs as clap::Args>::augment_args,
    ),
    ("man", <shell::ManArgs as clap::Args>::augment_args),
];

/// The whole command tree with every subcommand's arguments in place, for completions and
/// manual pages. A normal start defers them (see [`Command`]), and clap copies `help`'s own
/// subcommands (`vouch help ledger init`) from what is built when the root is: deferred
/// arguments would be missing there.
pub fn full_command() -> clap::Command {
    use clap::CommandFactory as _;
    let mut command = Cli::command();
    for (name, augment) in SUBCOMMAND_ARGS {
        // The identity replaces the deferred step, which would add the arguments twice.
        command = command.mut_subcommand(name, |sub| augment(sub.defer(|sub| sub)));
    }
    command
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use clap::CommandFactory as _;

    /// The ids of a subcommand's arguments once built, sorted.
    fn built_args(mut command: clap::Command, name: &str) -> Vec<String> {
        command.build();
        let sub = command.find_subcommand(name).unwrap();
        let mut ids: Vec<String> = sub
            .get_arguments()
            .map(|arg| arg.get_id().to_string())
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn the_eager_table_names_every_subcommand_once() {
        let mut listed: Vec<&str> = SUBCOMMAND_ARGS.iter().map(|(name, _)| *name).collect();
        listed.sort_unstable();
        let command = Cli::command();
        let mut actual: Vec<&str> = command.get_subcommands().map(|s| s.get_name()).collect();
        actual.sort_unstable();
        assert_eq!(listed, actual);
    }

    #[test]
    fn the_full_command_has_each_subcommands_arguments_once() {
        for (name, _) in SUBCOMMAND_ARGS {
            let deferred = built_args(Cli::command(), name);
            let full = built_args(full_command(), name);
            assert!(!deferred.is_empty(), "{name}");
            assert_eq!(deferred, full, "{name}");
        }
    }

    #[test]
    fn help_lists_the_nested_subcommands_in_the_full_command() {
        let mut command = full_command();
        command.build();
        let help = command.find_subcommand("help").unwrap();
        let ledger = help.find_subcommand("ledger").unwrap();
        assert!(ledger.find_subcommand("init").is_some());
    }
}
