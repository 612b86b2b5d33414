//! Build script of the `vouch` binary: three link-time choices that make a release build
//! start faster, each taken only where it is known to work, none changing what vouch does.
//!
//! - **Symbol order.** A start-up touches code all over a 17 MB text section, and the kernel
//!   maps the binary 64 KiB around each page that is touched first: ~130 such faults for
//!   `vouch evaluate` of the example. `link/symbol-order.txt` lists the functions `vouch
//!   --version`, `vouch check` and `vouch evaluate` execute (made by
//!   `link/make-symbol-order.sh`); the linker puts them first, so they share a few dozen 64
//!   KiB windows. The list names symbols: a stale one (after a toolchain or dependency
//!   update) only costs start-up time, never correctness. Only rustc's own lld reads
//!   `--symbol-ordering-file`: it is asked for where that is the linker (x86_64 Linux, Rust
//!   1.90 or newer, no linker configured). `VOUCH_SYMBOL_ORDER=0` turns it off.
//! - **Packed relative relocations** (`-z pack-relative-relocs`, `DT_RELR`): the ~18,000
//!   pointers the loader adjusts for where the executable was mapped are listed in ~6 KB
//!   instead of ~430 KB, which the loader no longer reads page by page. glibc 2.36 and newer
//!   apply them; lld then marks the binary as needing `GLIBC_ABI_DT_RELR`, so an older glibc
//!   refuses to start it with a clear message instead of running it unrelocated. Asked for
//!   with rustc's lld, as the symbol order, when the glibc building vouch is 2.36 or newer.
//!   `VOUCH_RELR=0` turns it off.
//! - **Static unwinder.** Rust's standard library links the unwinder (`_Unwind_*`, used by
//!   panics and backtraces) from `libgcc_s.so.1`, a shared library whose load and start-up
//!   (it queries the CPU with ten `cpuid` instructions, each a hypervisor exit in a virtual
//!   machine) cost ~0.15 ms of every run. The same unwinder is in GCC's static `libgcc_eh.a`
//!   (what `gcc -static-libgcc` links): the script writes a one-line linker script named
//!   `libgcc_s.so` that stands for it, in a directory given to the linker before the
//!   system's. Native release builds for glibc Linux only, where the C compiler names an
//!   existing `libgcc_eh.a`. GCC's static unwinder calls glibc's `_dl_find_object` where the
//!   building glibc has it, so the binary then needs glibc 2.35 (the book's CI guide says how
//!   to build for older runners). `VOUCH_STATIC_UNWINDER=0` turns it off.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=link/symbol-order.txt");
    println!("cargo:rerun-if-env-changed=VOUCH_SYMBOL_ORDER");
    println!("cargo:rerun-if-env-changed=VOUCH_RELR");
    println!("cargo:rerun-if-env-changed=VOUCH_STATIC_UNWINDER");
    if var("PROFILE") != "release" {
        return;
    }
    let lld = rustc_links_with_its_lld();
    if lld && var("VOUCH_SYMBOL_ORDER") != "0" {
        ask_for_symbol_order();
    }
    if lld && var("VOUCH_RELR") != "0" && host_glibc_at_least(2, 36) {
        println!("cargo:rustc-link-arg-bin=vouch=-Wl,-z,pack-relative-relocs");
    }
    if var("VOUCH_STATIC_UNWINDER") != "0"
        && let Some(dir) = static_unwinder_dir()
    {
        println!("cargo:rustc-link-arg-bin=vouch=-L{}", dir.display());
    }
}

/// An environment variable cargo gives build scripts, or "" when unset or not UTF-8.
fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_default()
}

fn ask_for_symbol_order() {
    let dir = var("CARGO_MANIFEST_DIR");
    let order = Path::new(&dir).join("link/symbol-order.txt");
    let Some(order) = order.to_str().filter(|p| !p.contains(',')) else {
        return;
    };
    if Path::new(order).is_file() {
        println!("cargo:rustc-link-arg-bin=vouch=-Wl,--symbol-ordering-file={order}");
        println!("cargo:rustc-link-arg-bin=vouch=-Wl,--no-warn-symbol-ordering");
    }
}

/// What a program prints on standard output, if it runs and succeeds.
fn output(program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Option<String> {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
}

/// Whether this is a build for x86_64 Linux that rustc links with its own lld.
fn rustc_links_with_its_lld() -> bool {
    if var("TARGET") != "x86_64-unknown-linux-gnu"
        || std::env::var_os("RUSTC_LINKER").is_some()
        || var("CARGO_ENCODED_RUSTFLAGS").contains("link")
    {
        return false;
    }
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    // rust-lld became the default linker of x86_64-unknown-linux-gnu in 1.90.
    let recent = output(&rustc, &["-vV"]).is_some_and(|v| {
        v.lines()
            .find_map(|l| l.strip_prefix("release: "))
            .and_then(|r| {
                let mut parts = r.split(['.', '-']).map(str::parse::<u32>);
                Some((parts.next()?.ok()?, parts.next()?.ok()?))
            })
            .is_some_and(|version| version >= (1, 90))
    });
    // A toolchain built without its lld (some distributions' rustc) links with the system's.
    let has_lld = output(&rustc, &["--print", "sysroot"]).is_some_and(|sysroot| {
        Path::new(sysroot.trim())
            .join("lib/rustlib/x86_64-unknown-linux-gnu/bin/gcc-ld/ld.lld")
            .is_file()
    });
    recent && has_lld
}

/// Whether the glibc of the machine building vouch (which it is linked against: rustc's lld
/// links only native x86_64 builds here) is `major.minor` or newer.
fn host_glibc_at_least(major: u32, minor: u32) -> bool {
    if var("HOST") != var("TARGET") {
        return false;
    }
    // `getconf GNU_LIBC_VERSION` prints "glibc 2.36".
    output("getconf", &["GNU_LIBC_VERSION"]).is_some_and(|v| {
        v.trim()
            .strip_prefix("glibc ")
            .and_then(|r| {
                let mut parts = r.split('.').map(str::parse::<u32>);
                Some((parts.next()?.ok()?, parts.next()?.ok()?))
            })
            .is_some_and(|version| version >= (major, minor))
    })
}

/// The directory holding a `libgcc_s.so` linker script that stands for GCC's static
/// unwinder, written under `OUT_DIR`; `None` where that is not known to work.
fn static_unwinder_dir() -> Option<PathBuf> {
    let native_glibc_linux = var("CARGO_CFG_TARGET_OS") == "linux"
        && var("CARGO_CFG_TARGET_ENV") == "gnu"
        && !var("TARGET").is_empty()
        && var("HOST") == var("TARGET");
    // A static build (`crt-static`) links the static unwinder already; a linker given in
    // RUSTFLAGS may not be the C compiler asked below.
    let flags = var("CARGO_ENCODED_RUSTFLAGS");
    if !native_glibc_linux
        || var("CARGO_CFG_TARGET_FEATURE")
            .split(',')
            .any(|f| f == "crt-static")
        || flags.contains("linker")
    {
        return None;
    }
    // rustc links with the C compiler `cc` unless a linker is configured.
    let linker = std::env::var_os("RUSTC_LINKER").unwrap_or_else(|| "cc".into());
    let archive = output(&linker, &["-print-file-name=libgcc_eh.a"])?;
    let archive = Path::new(archive.trim());
    // Without the library, the compiler prints the bare name back.
    let usable = archive.is_absolute()
        && archive.is_file()
        && archive
            .to_str()
            .is_some_and(|p| !p.contains(|c: char| c.is_whitespace() || "()\"',;".contains(c)));
    if !usable {
        return None;
    }
    let dir = Path::new(&std::env::var_os("OUT_DIR")?).join("static-unwinder");
    std::fs::create_dir_all(&dir).ok()?;
    let script = format!(
        "/* Written by vouch's build.rs: the unwinder from GCC's static library. */\nINPUT({})\n",
        archive.display()
    );
    std::fs::write(dir.join("libgcc_s.so"), script).ok()?;
    Some(dir)
}
