//! Helpers shared by the end-to-end tests: run the real binary, filter what varies.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `--trust` for every key the example bundles are signed with (release, minisign, build,
/// and the two people who attest and approve waivers): all TEST-ONLY.
pub const EXAMPLE_TRUST: [&str; 10] = [
    "--trust",
    "examples/keys/TEST-ONLY-widget-release.pub.asc",
    "--trust",
    "examples/keys/TEST-ONLY-widget-release.minisign.pub",
    "--trust",
    "examples/keys/TEST-ONLY-widget-build.pub.pem",
    "--trust",
    "examples/keys/TEST-ONLY-priya-shah.pub.asc",
    "--trust",
    "examples/keys/TEST-ONLY-jo-bloggs.pub.asc",
];

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `vouch ARGS` in `dir` with colours off.
pub fn vouch_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vouch"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("the vouch binary runs")
}

/// Runs `vouch ARGS` at the workspace root.
pub fn vouch(args: &[&str]) -> Output {
    vouch_in(&root(), args)
}

/// The exit code, stdout and stderr of a run, as one text for snapshots.
pub fn transcript(out: &Output) -> String {
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.status
            .code()
            .map_or("signal".to_string(), |c| c.to_string()),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A fresh directory under the target directory's scratch space, removed first if it exists.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Whether gpg is installed; says so on stderr when it is not (the caller then skips).
pub fn have_gpg() -> bool {
    let ok = Command::new("gpg")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipped: gpg is not installed (.ci/run installs it)");
    }
    ok
}

/// Signs `file` (writing `file.asc`, detached and armored) with the TEST-ONLY secret key
/// `examples/keys/KEY` as of `when` (`YYYYmmddTHHMMSS`), in a throw-away GnuPG home.
pub fn sign(key: &str, when: &str, file: &Path) {
    static HOMES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = HOMES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let home = temp_dir(&format!("gpg-{}-{n}", std::process::id()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let gpg = |args: &[&str]| {
        let out = Command::new("gpg")
            .arg("--homedir")
            .arg(&home)
            .args(["--batch", "--quiet", "--yes"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "gpg {args:?}: {}", transcript(&out));
    };
    let key = root().join("examples/keys").join(key);
    gpg(&["--import", key.to_str().unwrap()]);
    let asc = format!("{}.asc", file.display());
    gpg(&[
        "--faked-system-time",
        &format!("{when}!"),
        "--armor",
        "--detach-sign",
        "--output",
        &asc,
        file.to_str().unwrap(),
    ]);
    let _ = Command::new("gpgconf")
        .arg("--homedir")
        .arg(&home)
        .args(["--kill", "gpg-agent"])
        .output();
    let _ = std::fs::remove_dir_all(&home);
}

/// Copies the directory tree `from` to `to` (created), files and folders only.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

pub mod bundle;

/// A policy that is the standard pack alone.
pub const PACK_ONLY: &str = "policy \"t\" {\n  title = \"t\"\n  version = \"1\"\n  framework = \"uk-sscop\"\n  owner = \"t@example.com\"\n}\nuse std.uk_sscop\n";

/// The status and finding messages of the standard pack's control `id` over `bundle` at
/// `as_of`, with each of `trust` as a `--trust` input (the policy is written beside the bundle).
pub fn pack_control(
    bundle: &Path,
    as_of: &str,
    trust: &[&Path],
    id: &str,
) -> (String, Vec<String>) {
    let policy = bundle.with_extension("vouch");
    std::fs::write(&policy, PACK_ONLY).unwrap();
    let mut args = vec![
        "evaluate".to_owned(),
        "--policy".to_owned(),
        policy.to_string_lossy().into_owned(),
        "--bundle".to_owned(),
        bundle.to_string_lossy().into_owned(),
        "--as-of".to_owned(),
        as_of.to_owned(),
        "--format".to_owned(),
        "json".to_owned(),
    ];
    for t in trust {
        args.push("--trust".to_owned());
        args.push(t.to_string_lossy().into_owned());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = vouch(&args);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("no report: {}", transcript(&out)));
    let control = report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no control {id}"));
    let messages = control["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_owned())
        .collect();
    (control["status"].as_str().unwrap().to_owned(), messages)
}
