//! Command-line inputs are bounded: devices, FIFOs and sockets are refused with exit 2 (never
//! read, never waited on), large inputs are refused by size, `-j` is capped, and what is
//! printed on a terminal shows control characters instead of obeying them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{EXAMPLE_TRUST, root, temp_dir, transcript};

/// Runs `vouch ARGS` at the workspace root, killing it (and failing the test) after 60 s: a
/// run blocked on a FIFO must not hang the suite.
fn vouch_bounded(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vouch"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "`vouch {}` did not finish:\n{}",
                args.join(" "),
                transcript(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn fifo(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let status = Command::new("mkfifo").arg(&path).status().unwrap();
    assert!(status.success(), "mkfifo");
    path
}

/// `vouch evaluate` of the compliant example with `extra` arguments.
fn evaluate(extra: &[&str]) -> Output {
    let mut args = vec![
        "evaluate",
        "--policy",
        "examples/policies/acme.vouch",
        "--bundle",
        "examples/bundles/compliant",
        "--as-of",
        "2026-10-02",
    ];
    args.extend(EXAMPLE_TRUST);
    args.extend(["-o", "/dev/null"]);
    args.extend_from_slice(extra);
    vouch_bounded(&args)
}

fn assert_refused(out: &Output, code: &str, what: &str) {
    let text = transcript(out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains(code), "no `{code}`:\n{text}");
    assert!(text.contains(what), "no `{what}`:\n{text}");
    assert!(text.contains("help"), "no help line:\n{text}");
}

#[test]
fn devices_are_refused_for_every_file_option() {
    for (option, value) in [
        ("--trust", "/dev/zero"),
        ("--waivers", "/dev/zero"),
        ("--framework", "/dev/zero"),
    ] {
        let out = evaluate(&[option, value]);
        assert_refused(&out, "vouch::input::not-a-regular-file", "character device");
    }
    let out = vouch_bounded(&[
        "evaluate",
        "--policy",
        "/dev/zero",
        "--bundle",
        "examples/bundles/compliant",
    ]);
    assert_refused(&out, "vouch::input::not-a-regular-file", "character device");
    let out = vouch_bounded(&["check", "/dev/zero"]);
    assert_refused(&out, "vouch::input::not-a-regular-file", "character device");
    let out = vouch_bounded(&[
        "check",
        "--framework",
        "/dev/zero",
        "examples/policies/acme.vouch",
    ]);
    assert_refused(&out, "vouch::input::not-a-regular-file", "character device");
    let out = vouch_bounded(&[
        "graph",
        "--bundle",
        "examples/bundles/compliant",
        "--trust",
        "/dev/zero",
    ]);
    assert_refused(&out, "vouch::input::not-a-regular-file", "character device");
}

#[test]
fn fifos_are_refused_without_blocking() {
    let dir = temp_dir("cli-inputs-fifo");
    let pipe = fifo(&dir, "pipe");
    let pipe = pipe.to_str().unwrap();
    for option in ["--trust", "--waivers", "--framework"] {
        let out = evaluate(&[option, pipe]);
        assert_refused(&out, "vouch::input::not-a-regular-file", "FIFO");
    }
    let out = vouch_bounded(&[
        "evaluate",
        "--policy",
        pipe,
        "--bundle",
        "examples/bundles/compliant",
    ]);
    assert_refused(&out, "vouch::input::not-a-regular-file", "FIFO");
    for command in ["check", "fmt"] {
        let out = vouch_bounded(&[command, pipe]);
        assert_refused(&out, "vouch::input::not-a-regular-file", "FIFO");
    }
    // A FIFO named `*.vouch` inside a policy directory is refused too.
    let policies = dir.join("policies");
    std::fs::create_dir_all(&policies).unwrap();
    fifo(&policies, "p.vouch");
    let out = vouch_bounded(&["check", policies.to_str().unwrap()]);
    assert_refused(&out, "vouch::input::not-a-regular-file", "FIFO");
}

#[test]
fn oversized_inputs_are_refused_by_size() {
    let dir = temp_dir("cli-inputs-large");
    // Sparse: 17 MiB by its size, nothing on disk.
    let big = dir.join("waivers.toml");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(17 << 20)
        .unwrap();
    let out = evaluate(&["--waivers", big.to_str().unwrap()]);
    assert_refused(&out, "vouch::input::too-large", "16777216 bytes");
}

#[test]
fn jobs_are_capped_with_a_warning() {
    let out = evaluate(&["-j", "100000"]);
    let text = transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("warning: `-j 100000` is more than the 256 threads vouch starts; using 256"),
        "{text}"
    );
    let help = vouch_bounded(&["evaluate", "--help"]);
    assert!(
        String::from_utf8_lossy(&help.stdout).contains("at most 256"),
        "{}",
        transcript(&help)
    );
}

#[test]
fn graph_prints_no_raw_control_characters() {
    let dir = temp_dir("cli-inputs-escapes");
    let bundle = dir.join("bundle");
    std::fs::create_dir_all(&bundle).unwrap();
    // An empty file gets a finding, printed on stderr with its name.
    std::fs::write(bundle.join("a\u{1b}[2J\u{1b}]0;pwned\u{7}.txt"), b"").unwrap();
    for format in ["dot", "mermaid"] {
        let out = vouch_bounded(&[
            "graph",
            "--bundle",
            bundle.to_str().unwrap(),
            "--format",
            format,
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(
                !bytes.iter().any(|&b| b == 0x1b || b == 0x07),
                "raw control characters on {stream}: {}",
                transcript(&out)
            );
        }
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("a\\x1b[2J\\x1b]0;pwned\\x07.txt"),
            "{}",
            transcript(&out)
        );
    }
}

#[test]
fn waiver_warnings_print_no_raw_control_characters() {
    let dir = temp_dir("cli-inputs-waiver-escapes");
    let waivers = dir.join("w\u{1b}[31m.toml");
    std::fs::write(&waivers, "this is = = not toml\n").unwrap();
    let out = evaluate(&["--waivers", waivers.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    assert!(
        !out.stderr.contains(&0x1b),
        "raw escape on stderr: {}",
        transcript(&out)
    );
}
