//! The build script (`build.rs`) asks the linker for `link/symbol-order.txt` and packed
//! relocations only where rustc links with its own lld, and for GCC's static unwinder only in
//! native glibc Linux release builds: run here as a program, with the environment cargo gives
//! it. A program linked as the script asks still unwinds, and needs no `libgcc_s.so.1`.
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

/// The environment of a native release build for glibc Linux, its `OUT_DIR` in `out`.
fn native(out: &Path) -> Vec<(&'static str, String)> {
    let triple = "x86_64-unknown-linux-gnu".to_owned();
    vec![
        ("HOST", triple.clone()),
        ("TARGET", triple),
        ("CARGO_CFG_TARGET_OS", "linux".to_owned()),
        ("CARGO_CFG_TARGET_ENV", "gnu".to_owned()),
        ("CARGO_CFG_TARGET_FEATURE", "fxsr,sse,sse2".to_owned()),
        ("OUT_DIR", out.display().to_string()),
    ]
}

/// [`run`] with [`native`]'s environment, then `vars` over it.
fn run_native(exe: &Path, out: &Path, vars: &[(&str, &str)]) -> String {
    let mut all: Vec<(&str, &str)> = Vec::new();
    let base = native(out);
    all.extend(base.iter().map(|(k, v)| (*k, v.as_str())));
    all.extend_from_slice(vars);
    run(exe, &all)
}

/// GCC's static unwinder as the C compiler names it, if it has one.
fn libgcc_eh() -> Option<PathBuf> {
    let out = Command::new("cc")
        .arg("-print-file-name=libgcc_eh.a")
        .output()
        .ok()?;
    let path = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    (path.is_absolute() && path.is_file()).then_some(path)
}

#[test]
fn packed_relocations_are_asked_for_with_rustc_lld_on_glibc_2_36_or_newer() {
    let Some((dir, exe)) = build_script() else {
        return;
    };
    let asks =
        |out: &str| out.contains("cargo:rustc-link-arg-bin=vouch=-Wl,-z,pack-relative-relocs");
    let glibc = Command::new("getconf")
        .arg("GNU_LIBC_VERSION")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|v| {
            let rest = v.trim().strip_prefix("glibc ")?.to_owned();
            let mut parts = rest.split('.').map(|p| p.parse::<u32>().ok());
            Some((parts.next()??, parts.next()??))
        });
    let native_run = run_native(&exe, dir.path(), &[]);
    // Where the symbol order is asked for, rustc links with its lld.
    let lld = native_run.contains("--symbol-ordering-file=");
    assert_eq!(
        asks(&native_run),
        lld && glibc.is_some_and(|v| v >= (2, 36)),
        "{glibc:?}: {native_run}"
    );
    for vars in [
        &[("PROFILE", "debug")][..],
        &[("VOUCH_RELR", "0")],
        &[("HOST", "aarch64-unknown-linux-gnu")],
        &[("RUSTC_LINKER", "/usr/bin/cc")],
        &[("CARGO_ENCODED_RUSTFLAGS", "-Clinker=clang")],
    ] {
        let out = run_native(&exe, dir.path(), vars);
        assert!(!asks(&out), "{vars:?}: {out}");
        assert!(
            out.contains("cargo:rerun-if-env-changed=VOUCH_RELR"),
            "{out}"
        );
    }
}

#[test]
fn the_static_unwinder_is_asked_for_only_in_native_glibc_release_builds() {
    let Some((dir, exe)) = build_script() else {
        return;
    };
    let script_dir = dir.path().join("static-unwinder");
    let flag = format!("cargo:rustc-link-arg-bin=vouch=-L{}", script_dir.display());
    let out = run_native(&exe, dir.path(), &[]);
    match libgcc_eh() {
        Some(archive) => {
            assert!(out.contains(&flag), "{out}");
            let script = std::fs::read_to_string(script_dir.join("libgcc_s.so")).unwrap();
            assert!(
                script.contains(&format!("INPUT({})", archive.display())),
                "{script}"
            );
        }
        None => {
            eprintln!("note: `cc` names no libgcc_eh.a here; checking that none is asked for");
            assert!(!out.contains("-L"), "{out}");
        }
    }
    for vars in [
        &[("PROFILE", "debug")][..],
        &[("VOUCH_STATIC_UNWINDER", "0")],
        &[("HOST", "aarch64-unknown-linux-gnu")],
        &[("CARGO_CFG_TARGET_ENV", "musl")],
        &[("CARGO_CFG_TARGET_OS", "macos")],
        &[("CARGO_CFG_TARGET_FEATURE", "crt-static,fxsr,sse,sse2")],
        &[("CARGO_ENCODED_RUSTFLAGS", "-Clinker=clang")],
        // A linker that names no libgcc_eh.a (here: one that fails).
        &[("RUSTC_LINKER", "false")],
    ] {
        let other = tempfile::tempdir().unwrap();
        let out = run_native(&exe, other.path(), vars);
        assert!(!out.contains("=-L"), "{vars:?}: {out}");
        assert!(
            !other.path().join("static-unwinder").exists(),
            "{vars:?}: a script was written"
        );
        assert!(
            out.contains("cargo:rerun-if-env-changed=VOUCH_STATIC_UNWINDER"),
            "{out}"
        );
    }
}

/// A program that panics and catches it, on this thread and on another, and counts the
/// frames of a backtrace: what the unwinder is used for.
const UNWINDING_PROGRAM: &str = r#"
fn main() {
    let here = std::panic::catch_unwind(|| {
        if std::env::args().count() > 0 {
            panic!("on purpose");
        }
    });
    let there = std::thread::spawn(|| -> u8 { panic!("on purpose, on a thread") }).join();
    let trace = std::backtrace::Backtrace::force_capture().to_string();
    let frames = trace.lines().filter(|l| l.contains("main")).count();
    println!("caught {} {} frames {}", here.is_err(), there.is_err(), frames > 0);
}
"#;

#[test]
fn a_program_linked_with_the_static_unwinder_unwinds_and_needs_no_libgcc_s() {
    let Some((dir, exe)) = build_script() else {
        return;
    };
    if libgcc_eh().is_none() {
        eprintln!("skipping: `cc` names no libgcc_eh.a here, so the script asks for nothing");
        return;
    }
    let out = run_native(&exe, dir.path(), &[]);
    let Some(link_dir) = out
        .lines()
        .find_map(|l| l.strip_prefix("cargo:rustc-link-arg-bin=vouch=-L"))
    else {
        panic!("no static unwinder asked for: {out}");
    };
    let source = dir.path().join("unwinds.rs");
    std::fs::write(&source, UNWINDING_PROGRAM).unwrap();
    let build = |name: &str, extra: &[String]| {
        let program = dir.path().join(name);
        let status = Command::new("rustc")
            .args(["--edition", "2024", "-O", "-o"])
            .arg(&program)
            .arg(&source)
            .args(extra)
            .status()
            .unwrap();
        assert!(status.success(), "{name} did not build");
        program
    };
    let needed = |program: &Path| -> Option<String> {
        let out = Command::new("readelf")
            .arg("-d")
            .arg(program)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let plain = build("plain", &[]);
    let linked = build("linked", &[format!("-Clink-arg=-L{link_dir}")]);
    for program in [&plain, &linked] {
        let run = Command::new(program).output().unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&run.stdout).trim(),
            "caught true true frames true",
            "{}",
            program.display()
        );
    }
    let (Some(plain_needs), Some(linked_needs)) = (needed(&plain), needed(&linked)) else {
        eprintln!("skipping the library check: no `readelf` (binutils) here");
        return;
    };
    // The control: linked as rustc links by default, the program needs libgcc_s.
    assert!(plain_needs.contains("libgcc_s.so"), "{plain_needs}");
    assert!(!linked_needs.contains("libgcc_s.so"), "{linked_needs}");
}
