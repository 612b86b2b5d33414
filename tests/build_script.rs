//! The build script (`build.rs`) asks the linker for `link/symbol-order.txt` only where rustc
//! links with its own lld: run here as a program, with the environment cargo gives it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// `build.rs` compiled as a program, or `None` (with the reason printed) without a `rustc`.
fn build_script() -> Option<(tempfile::TempDir, PathBuf)> {
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("build-script");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let compiled = Command::new("rustc")
        .args(["--edition", "2024", "-O", "-o"])
        .arg(&exe)
        .arg(root.join("build.rs"))
        .status();
    match compiled {
        Ok(status) if status.success() => Some((dir, exe)),
        other => {
            eprintln!("skipping: cannot compile build.rs with `rustc` ({other:?})");
            None
        }
    }
}

/// What the script tells cargo, given `vars` over a release build for x86_64 Linux.
fn run(exe: &Path, vars: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(exe);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("CARGO_MANIFEST_DIR", env!("CARGO_MANIFEST_DIR"))
        .env("PROFILE", "release")
        .env("TARGET", "x86_64-unknown-linux-gnu")
        .env("RUSTC", "rustc");
    for (name, value) in vars {
        cmd.env(name, value);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_symbol_order_is_asked_for_only_where_rustc_links_with_its_lld() {
    let Some((_dir, exe)) = build_script() else {
        return;
    };
    let asks = |out: &str| out.contains("--symbol-ordering-file=");
    // This toolchain links with its lld when it is 1.90 or newer and ships one (a
    // distribution's rustc may not; then the script must not ask).
    let rustc = |args: &[&str]| {
        let out = Command::new("rustc").args(args).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let lld = Path::new(rustc(&["--print", "sysroot"]).trim())
        .join("lib/rustlib/x86_64-unknown-linux-gnu/bin/gcc-ld/ld.lld");
    let version = rustc(&["-vV"]);
    let minor = version
        .lines()
        .find_map(|l| l.strip_prefix("release: 1."))
        .and_then(|rest| rest.split('.').next()?.parse::<u32>().ok())
        .unwrap();
    let release = run(&exe, &[]);
    assert_eq!(asks(&release), lld.is_file() && minor >= 90, "{release}");
    if asks(&release) {
        assert!(release.contains("cargo:rustc-link-arg-bin=vouch=-Wl,--symbol-ordering-file="));
        assert!(release.contains("--no-warn-symbol-ordering"));
    }
    for vars in [
        &[("PROFILE", "debug")][..],
        &[("TARGET", "aarch64-unknown-linux-gnu")],
        &[("RUSTC_LINKER", "/usr/bin/cc")],
        &[("CARGO_ENCODED_RUSTFLAGS", "-Clinker=clang")],
        &[("CARGO_ENCODED_RUSTFLAGS", "-Clink-self-contained=-linker")],
        &[("VOUCH_SYMBOL_ORDER", "0")],
    ] {
        let out = run(&exe, vars);
        assert!(!asks(&out), "{vars:?}: {out}");
        assert!(
            out.contains("cargo:rerun-if-changed=link/symbol-order.txt"),
            "{out}"
        );
    }
}

#[test]
fn the_symbol_order_names_each_symbol_once() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("link/symbol-order.txt")).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for line in text.lines() {
        assert!(
            !line.is_empty() && !line.contains(char::is_whitespace),
            "{line:?}"
        );
        assert!(seen.insert(line), "{line} twice");
    }
    assert!(seen.len() > 1_000, "only {} symbols", seen.len());
}
