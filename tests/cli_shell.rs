//! `vouch completions SHELL`, `vouch man` and `vouch fmt --check`'s diff, run as a user would.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use common::{temp_dir, vouch};

/// Every subcommand `vouch --help` lists.
fn subcommands() -> Vec<String> {
    let out = vouch(&["--help"]);
    let help = String::from_utf8(out.stdout).unwrap();
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .filter(|c| c != "help")
        .collect()
}

#[test]
fn completions_name_every_subcommand_for_each_shell() {
    let commands = subcommands();
    assert!(commands.len() >= 10, "{commands:?}");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = vouch(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        for command in &commands {
            assert!(script.contains(command.as_str()), "{shell} lacks {command}");
        }
    }
    // The bash script is valid bash.
    let dir = temp_dir("cli_shell_bash");
    let script = dir.join("vouch.bash");
    std::fs::write(&script, vouch(&["completions", "bash"]).stdout).unwrap();
    if let Ok(out) = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
    {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    assert_eq!(vouch(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn the_manual_page_is_roff_and_out_writes_one_page_per_subcommand() {
    let out = vouch(&["man"]);
    assert_eq!(out.status.code(), Some(0));
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH vouch"),
        "{page}"
    );
    assert!(page.contains(".TH vouch 1"), "{page}");
    let dir = temp_dir("cli_shell_man");
    let out = vouch(&["man", "--out", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(dir.join("vouch.1").is_file());
    for command in subcommands() {
        let page = dir.join(format!("vouch-{command}.1"));
        assert!(page.is_file(), "no page for {command}");
    }
    let missing = dir.join("no/such/dir");
    std::fs::write(dir.join("no"), "a file").unwrap();
    let out = vouch(&["man", "--out", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn fmt_check_prints_what_formatting_would_change() {
    let dir = temp_dir("cli_shell_fmt");
    let policy = dir.join("p.vouch");
    let text = "policy \"p\" {\n  title = \"t\"\n  version = \"1\"\n  framework = \"uk-sscop\"\n  owner = \"o@example.com\"\n}\n\ncontrol \"C\" {\n  title = \"t\"\n  principles = [\"3.1\"]\n  severity = high\n  expect   1 == 1\n}\n";
    std::fs::write(&policy, text).unwrap();
    let out = vouch(&["fmt", "--check", policy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("@@ "), "{stdout}");
    assert!(stdout.contains("\n-  expect   1 == 1\n"), "{stdout}");
    assert!(stdout.contains("\n+  expect 1 == 1\n"), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(&policy).unwrap(),
        text,
        "--check changed the file"
    );
    // JSON diagnostics stay machine-readable: no diff on stdout.
    let out = vouch(&[
        "fmt",
        "--check",
        "--error-format",
        "json",
        policy.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}
