//! Build script of the `vouch` binary: lays out, in release builds, the functions a run
//! executes next to each other.
//!
//! A start-up touches code all over a 17 MB text section, and the kernel maps the binary 64
//! KiB around each page that is touched first: ~130 such faults for `vouch evaluate` of the
//! example, and the pages they map cost more than the run's instructions in several phases.
//! `link/symbol-order.txt` lists the functions `vouch --version`, `vouch check` and `vouch
//! evaluate` execute (made by `link/make-symbol-order.sh`); the linker puts them first, so
//! they share a few dozen 64 KiB windows. The list names symbols: a stale one (after a
//! toolchain or dependency update) only costs start-up time, never correctness.
//!
//! Only rustc's own lld reads `--symbol-ordering-file`: it is asked for where that is the
//! linker (x86_64 Linux, Rust 1.90 or newer, no linker configured), and never otherwise.
//! `VOUCH_SYMBOL_ORDER=0` turns it off.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=link/symbol-order.txt");
    println!("cargo:rerun-if-env-changed=VOUCH_SYMBOL_ORDER");
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let order = Path::new(&dir).join("link/symbol-order.txt");
    let Some(order) = order.to_str().filter(|p| !p.contains(',')) else {
        return;
    };
    if Path::new(order).is_file() && rustc_links_with_its_lld() {
        println!("cargo:rustc-link-arg-bin=vouch=-Wl,--symbol-ordering-file={order}");
        println!("cargo:rustc-link-arg-bin=vouch=-Wl,--no-warn-symbol-ordering");
    }
}

/// Whether this is a release build that rustc links with its own lld.
fn rustc_links_with_its_lld() -> bool {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    if var("VOUCH_SYMBOL_ORDER") == "0"
        || var("PROFILE") != "release"
        || var("TARGET") != "x86_64-unknown-linux-gnu"
        || std::env::var_os("RUSTC_LINKER").is_some()
        || var("CARGO_ENCODED_RUSTFLAGS").contains("link")
    {
        return false;
    }
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = |args: &[&str]| {
        Command::new(&rustc)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
    };
    // rust-lld became the default linker of x86_64-unknown-linux-gnu in 1.90.
    let recent = output(&["-vV"]).is_some_and(|v| {
        v.lines()
            .find_map(|l| l.strip_prefix("release: "))
            .and_then(|r| {
                let mut parts = r.split(['.', '-']).map(str::parse::<u32>);
                Some((parts.next()?.ok()?, parts.next()?.ok()?))
            })
            .is_some_and(|version| version >= (1, 90))
    });
    // A toolchain built without its lld (some distributions' rustc) links with the system's.
    let has_lld = output(&["--print", "sysroot"]).is_some_and(|sysroot| {
        Path::new(sysroot.trim())
            .join("lib/rustlib/x86_64-unknown-linux-gnu/bin/gcc-ld/ld.lld")
            .is_file()
    });
    recent && has_lld
}
