//! `vouch evaluate --cache-dir` and `vouch graph --cache-dir`: the report is the one an
//! evaluation without the cache gives, on a warm cache too; a signature or an artifact changed
//! after a cached good run still fails; a cache inside the bundle is refused; a broken cache
//! is a warning.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::copy_dir;
use crate::common::{self, EXAMPLE_TRUST, root};

/// A copy of the compliant example bundle, old enough to be cached (the racy margin), and a
/// cache directory beside it.
fn compliant(name: &str) -> (PathBuf, PathBuf) {
    example("compliant", name, false)
}

/// The number of files of the compliant example whose parse the cache keeps: every evidence
/// file but the release manifest, keys, signatures, attestations, the in-toto envelope and
/// the cleartext-signed security.txt.
const COMPLIANT_PARSES: usize = 12;

/// A copy of the example bundle `example`, with OSV advisories added when `osv` is set.
fn example(example: &str, name: &str, osv: bool) -> (PathBuf, PathBuf) {
    let dir = common::temp_dir(&format!("cli-cache-{name}"));
    let bundle = dir.join("bundle");
    copy_dir(&root().join("examples/bundles").join(example), &bundle);
    if osv {
        std::fs::create_dir_all(bundle.join("osv")).unwrap();
        for (i, fixed) in [(1, "2.4.1"), (2, "2.5.0")] {
            let text = format!(
                "{{\"id\":\"GHSA-0000-0000-000{i}\",\"modified\":\"2026-01-01T00:00:00Z\",\
                 \"published\":\"2026-01-01T00:00:00Z\",\"aliases\":[\"CVE-2026-9000{i}\"],\
                 \"affected\":[{{\"package\":{{\"ecosystem\":\"npm\",\"name\":\"widget\"}},\
                 \"ranges\":[{{\"type\":\"SEMVER\",\"events\":[{{\"introduced\":\"0\"}},\
                 {{\"fixed\":\"{fixed}\"}}]}}]}}]}}\n"
            );
            std::fs::write(bundle.join(format!("osv/GHSA-{i}.json")), text).unwrap();
        }
        // The security.txt without its cleartext signature: then its parse is cached too.
        let path = bundle.join(".well-known/security.txt");
        let signed = std::fs::read_to_string(&path).unwrap();
        let start = signed.find("\n\n").unwrap() + 2;
        let end = signed.find("-----BEGIN PGP SIGNATURE-----").unwrap();
        let unsigned: String = signed[start..end]
            .lines()
            .map(|l| format!("{}\n", l.strip_prefix("- ").unwrap_or(l)))
            .collect();
        std::fs::write(&path, unsigned).unwrap();
    }
    std::thread::sleep(
        vouch_engine::ingest::cache::RACY_MARGIN + std::time::Duration::from_millis(200),
    );
    (bundle, dir.join("cache"))
}

fn args<'a>(bundle: &'a Path, cache: Option<&'a Path>) -> Vec<&'a str> {
    let mut args = vec![
        "evaluate",
        "--policy",
        "examples/policies/acme.vouch",
        "--bundle",
        bundle.to_str().unwrap(),
        "--as-of",
        "2026-10-02",
        "--format",
        "json",
    ];
    args.extend(EXAMPLE_TRUST);
    if let Some(cache) = cache {
        args.extend(["--cache-dir", cache.to_str().unwrap()]);
    }
    args
}

fn evaluate(bundle: &Path, cache: Option<&Path>) -> Output {
    common::vouch(&args(bundle, cache))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Evaluates with the cache and checks the report (and exit code) is the uncached one.
fn same_as_uncached(bundle: &Path, cache: &Path) -> Output {
    let cached = evaluate(bundle, Some(cache));
    let uncached = evaluate(bundle, None);
    assert_eq!(
        cached.status.code(),
        uncached.status.code(),
        "{}",
        stderr(&cached)
    );
    assert!(!cached.stdout.is_empty());
    assert!(
        cached.stdout == uncached.stdout,
        "the report with the cache differs from the report without"
    );
    cached
}

#[test]
fn reports_with_and_without_the_cache_are_identical() {
    let (bundle, cache) = compliant("same");
    let cold = same_as_uncached(&bundle, &cache);
    assert_eq!(cold.status.code(), Some(0), "{}", stderr(&cold));
    assert!(
        stderr(&cold).contains("cache: 0 file digests reused"),
        "{}",
        stderr(&cold)
    );
    let warm = same_as_uncached(&bundle, &cache);
    assert!(
        stderr(&warm).contains(&format!(
            "cache: 2 file digests reused, {COMPLIANT_PARSES} parsed evidence files reused"
        )),
        "{}",
        stderr(&warm)
    );
    // `vouch graph` shares the cache.
    let graph = |cache: Option<&Path>| {
        let mut args = vec!["graph", "--bundle", bundle.to_str().unwrap()];
        if let Some(cache) = cache {
            args.extend(["--cache-dir", cache.to_str().unwrap()]);
        }
        common::vouch(&args)
    };
    let (with, without) = (graph(Some(&cache)), graph(None));
    assert!(stderr(&with).contains("cache: 2 file digests reused"));
    assert!(with.stdout == without.stdout && !with.stdout.is_empty());
}

/// The failing example, and both examples with OSV advisories (one fixed in the release, one
/// not) and an unsigned security.txt: the report with a warm cache, which reuses every
/// advisory's, SBOM's, VEX document's, TLS scan's and security.txt's parse, is byte for byte
/// the report without.
#[test]
fn reports_of_evidence_heavy_bundles_are_identical() {
    for (name, osv) in [("failing", false), ("compliant", true), ("failing", true)] {
        let (bundle, cache) = example(name, &format!("evidence-{name}-{osv}"), osv);
        let cold = same_as_uncached(&bundle, &cache);
        assert!(
            stderr(&cold).contains("0 parsed evidence files reused"),
            "{}",
            stderr(&cold)
        );
        let warm = same_as_uncached(&bundle, &cache);
        assert!(
            !stderr(&warm).contains(" 0 parsed evidence files reused")
                && !stderr(&warm).contains("warning"),
            "{}",
            stderr(&warm)
        );
        if osv {
            assert!(String::from_utf8_lossy(&warm.stdout).contains("CVE-2026-90002"));
        }
        if name == "compliant" {
            // Two advisories and the security.txt more than the example.
            let reused = format!("{} parsed evidence files reused", COMPLIANT_PARSES + 3);
            assert!(stderr(&warm).contains(&reused), "{}", stderr(&warm));
        }
        // An advisory changed (same size, time put back) changes the report, with or
        // without the cache.
        let advisory = if osv {
            bundle.join("osv/GHSA-2.json")
        } else {
            bundle.join("vex/widget-2.4.1.openvex.json")
        };
        let text = std::fs::read_to_string(&advisory).unwrap();
        let at = if osv {
            text.find("2.5.0").unwrap()
        } else {
            text.find("CVE-").unwrap() + 5
        };
        tamper(&advisory, at);
        let changed = same_as_uncached(&bundle, &cache);
        assert!(changed.stdout != warm.stdout);
    }
}

/// Changes one byte of `file` (the same size) and puts its modification time back with
/// `touch -d`, as someone hiding the change would.
fn tamper(file: &Path, at: usize) {
    let mtime = std::fs::metadata(file).unwrap().modified().unwrap();
    let mut bytes = std::fs::read(file).unwrap();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    std::fs::write(file, bytes).unwrap();
    let since = mtime.duration_since(std::time::UNIX_EPOCH).unwrap();
    let stamp = format!("@{}.{:09}", since.as_secs(), since.subsec_nanos());
    let out = Command::new("touch")
        .args(["-d", &stamp])
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::transcript(&out));
    assert_eq!(std::fs::metadata(file).unwrap().modified().unwrap(), mtime);
}

#[test]
fn a_signature_changed_after_a_cached_good_run_fails() {
    let (bundle, cache) = compliant("signature");
    assert_eq!(evaluate(&bundle, Some(&cache)).status.code(), Some(0));
    assert_eq!(evaluate(&bundle, Some(&cache)).status.code(), Some(0));
    let sig = bundle.join("dist/widget-2.4.1.tar.gz.minisig");
    let text = std::fs::read_to_string(&sig).unwrap();
    // A byte of the signature itself (the second line), not of a comment.
    let at = text.find('\n').unwrap() + 20;
    tamper(&sig, at);
    let out = same_as_uncached(&bundle, &cache);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn an_artifact_changed_after_a_cached_good_run_fails() {
    let (bundle, cache) = compliant("artifact");
    assert_eq!(evaluate(&bundle, Some(&cache)).status.code(), Some(0));
    let warm = evaluate(&bundle, Some(&cache));
    assert!(stderr(&warm).contains("cache: 2 file digests reused"));
    tamper(&bundle.join("dist/widget-2.4.1.tar.gz"), 100);
    let out = same_as_uncached(&bundle, &cache);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cache: 1 file digests reused"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_cache_directory_inside_the_bundle_is_refused() {
    let (bundle, _) = compliant("inside");
    let inside = bundle.join(".vouch-cache");
    let out = evaluate(&bundle, Some(&inside));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("vouch::ingest::cache-in-bundle"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("outside the bundle"),
        "{}",
        stderr(&out)
    );
    assert!(!inside.exists(), "the refused cache directory was created");
}

#[test]
fn a_corrupt_cache_is_a_warning_and_is_rebuilt() {
    let (bundle, cache) = compliant("corrupt");
    same_as_uncached(&bundle, &cache);
    let file = std::fs::read_dir(&cache)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() - 10]).unwrap();
    let out = same_as_uncached(&bundle, &cache);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("warning: cache: cache file") && stderr(&out).contains("is corrupt"),
        "{}",
        stderr(&out)
    );
    let again = same_as_uncached(&bundle, &cache);
    assert!(!stderr(&again).contains("warning"), "{}", stderr(&again));
    assert!(stderr(&again).contains(&format!(
        "cache: 2 file digests reused, {COMPLIANT_PARSES} parsed evidence files reused"
    )));
}

/// As root a mode-000 file is readable: the unreadable-file test then runs vouch as `nobody`
/// with `setpriv`.
#[cfg(unix)]
#[test]
fn an_unreadable_artifact_is_not_served_from_the_cache() {
    use std::os::unix::fs::PermissionsExt;
    let root_user = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let have_setpriv = Command::new("setpriv")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if root_user && !have_setpriv {
        eprintln!("skipped: running as root without setpriv (util-linux) to drop privileges");
        return;
    }
    let (bundle, cache) = compliant("unreadable");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o777)).unwrap();
    let run = |cache: Option<&Path>| {
        let mut command = if root_user {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(env!("CARGO_BIN_EXE_vouch"));
            c
        } else {
            Command::new(env!("CARGO_BIN_EXE_vouch"))
        };
        command
            .args(args(&bundle, cache))
            .current_dir(root())
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let warm = |out: &Output| stderr(out).contains("cache: 2 file digests reused");
    assert_eq!(run(Some(&cache)).status.code(), Some(0));
    let second = run(Some(&cache));
    assert!(warm(&second), "{}", stderr(&second));
    let artifact = bundle.join("dist/widget-2.4.1.zip");
    std::fs::set_permissions(&artifact, std::fs::Permissions::from_mode(0o000)).unwrap();
    let cached = run(Some(&cache));
    let uncached = run(None);
    assert_eq!(cached.status.code(), Some(1), "{}", stderr(&cached));
    assert!(cached.stdout == uncached.stdout);
    assert!(String::from_utf8_lossy(&cached.stdout).contains("unreadable"));
    assert!(stderr(&cached).contains("cache: 1 file digests reused"));
}
