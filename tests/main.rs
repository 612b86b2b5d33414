//! Vouch's end-to-end tests, as modules of one test binary: one link of the dependency tree
//! instead of one per file (each file was its own binary, ~300 MB apiece in a debug build).

mod common;
// The ledger tests' two back ends (SQLite, PostgreSQL), shared with ledger/tests.
#[path = "../engine/tests/chromium/mod.rs"]
mod chromium;
#[path = "../ledger/tests/support/mod.rs"]
mod support;

mod bad_input;
mod book;
mod book_numbers;
mod build_script;
mod ci_examples;
mod cli_authority;
mod cli_budget;
mod cli_cache;
mod cli_check;
mod cli_check_waivers;
mod cli_evaluate;
mod cli_explain;
mod cli_explain_json;
mod cli_fmt;
mod cli_inputs;
mod cli_shell;
mod cli_std;
mod cli_test;
mod cli_waivers;
mod debian_dates;
mod examples;
mod fail_closed;
mod frameworks;
mod history_html;
mod hostile;
mod keyless_pack;
mod lang_corpus;
mod ledger;
mod ledger_backtest;
mod ledger_sign;
mod npm_registry;
mod pass_sentences;
mod preparsed_pack;
mod rego_policy;
mod render_bundles;
mod report_inputs;
mod reporters;
mod signed_chains;
mod signify_chain;
mod stdlib_pack;
mod stdlib_tests;
mod tls_scanners;
mod uk_sscop_pack;
mod verify_report;
mod verify_report_inputs;
