//! Trust through verified digests, on real published material: a Debian archive laid out as
//! a bundle (`dists/SUITE/InRelease` or `Release` + `Release.gpg`, the suite's `Packages`
//! index, a `.deb` from `pool/`) built at test time from this machine's own apt lists
//! (`/var/lib/apt/lists`, real signed Debian metadata) and `apt-get download`, verified with
//! Debian's archive keyring (`/usr/share/keyrings/debian-archive-keyring.gpg`); and Bitcoin
//! Core's SHA256SUMS with its builders' detached signatures (../shared/corpus/checksums).
//! Each skips with a printed reason when its material cannot be had.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{pack_control, root, temp_dir, transcript, vouch};
use serde_json::Value;

const KEYRING: &str = "/usr/share/keyrings/debian-archive-keyring.gpg";
const LISTS: &str = "/var/lib/apt/lists";

/// One suite of the machine's apt lists: its InRelease and its main amd64 Packages index.
struct Suite {
    name: String,
    in_release: PathBuf,
    packages: PathBuf,
}

fn suites() -> Vec<Suite> {
    let Ok(dir) = std::fs::read_dir(LISTS) else {
        return Vec::new();
    };
    let mut names: Vec<String> = dir
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    let mut out = Vec::new();
    for name in &names {
        let Some(prefix) = name.strip_suffix("_InRelease") else {
            continue;
        };
        let Some(packages) = names
            .iter()
            .find(|n| n.starts_with(&format!("{prefix}_main_binary-amd64_Packages")))
        else {
            continue;
        };
        let suite = prefix.rsplit('_').next().unwrap_or(prefix).to_owned();
        // A whole distribution's index (tens of MB) is read six times below: keep to the
        // small suites (security, updates) to keep the test quick.
        let path = Path::new(LISTS).join(packages);
        if std::fs::metadata(&path).map_or(true, |m| m.len() > 4 * 1024 * 1024) {
            continue;
        }
        out.push(Suite {
            name: suite,
            in_release: Path::new(LISTS).join(name),
            packages: path,
        });
    }
    out
}

/// The Packages index, decompressed with the tool apt compressed it with.
fn packages_text(path: &Path) -> Option<Vec<u8>> {
    let name = path.to_str()?;
    let tool: Option<(&str, &[&str])> = if name.ends_with(".lz4") {
        Some(("lz4", &["-dc"]))
    } else if name.ends_with(".gz") {
        Some(("gzip", &["-dc"]))
    } else if name.ends_with(".xz") {
        Some(("xz", &["-dc"]))
    } else {
        None
    };
    match tool {
        None => std::fs::read(path).ok(),
        Some((tool, args)) => {
            let out = Command::new(tool).args(args).arg(path).output().ok()?;
            out.status.success().then_some(out.stdout)
        }
    }
}

/// The field of an RFC 822 paragraph.
fn field<'a>(paragraph: &'a str, name: &str) -> Option<&'a str> {
    paragraph
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
        .map(str::trim)
}

/// An instant as RFC 3339, from Debian's RFC 2822 (`date -d`).
fn rfc3339(date: &str, plus_seconds: i64) -> String {
    let out = Command::new("date")
        .args(["-u", "-d", date, "+%s"])
        .output()
        .unwrap();
    let secs: i64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    let out = Command::new("date")
        .args([
            "-u",
            "-d",
            &format!("@{}", secs + plus_seconds),
            "+%Y-%m-%dT%H:%M:%SZ",
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A bundle laid out as the archive: `dists/SUITE/InRelease`, `dists/SUITE/main/binary-amd64/
/// Packages`, the smallest `.deb` of the index that `apt-get download` fetches, at its
/// `Filename`, and a release.toml listing `pool/**/*.deb`. `None` (with the reason printed)
/// when the package cannot be fetched.
fn archive_bundle(suite: &Suite, dir: &Path) -> Option<(String, String)> {
    let Some(packages) = packages_text(&suite.packages) else {
        eprintln!(
            "skipped {}: cannot decompress {}",
            suite.name,
            suite.packages.display()
        );
        return None;
    };
    let text = String::from_utf8_lossy(&packages).into_owned();
    let mut candidates: Vec<(u64, &str)> = text
        .split("\n\n")
        .filter_map(|p| Some((field(p, "Size")?.parse().ok()?, p)))
        .filter(|(size, _)| *size > 0 && *size < 400_000)
        .collect();
    candidates.sort_by_key(|(size, _)| *size);
    let dists = dir.join("dists").join(&suite.name);
    std::fs::create_dir_all(dists.join("main/binary-amd64")).unwrap();
    std::fs::copy(&suite.in_release, dists.join("InRelease")).unwrap();
    std::fs::write(dists.join("main/binary-amd64/Packages"), &packages).unwrap();
    let download = temp_dir(&format!("apt-{}", suite.name));
    for (_, p) in candidates.iter().take(5) {
        let (Some(package), Some(version), Some(filename)) = (
            field(p, "Package"),
            field(p, "Version"),
            field(p, "Filename"),
        ) else {
            continue;
        };
        let out = Command::new("apt-get")
            .args(["download", "-q", &format!("{package}={version}")])
            .current_dir(&download)
            .output();
        let Ok(out) = out else {
            eprintln!("skipped {}: apt-get cannot run", suite.name);
            return None;
        };
        let Some(deb) = std::fs::read_dir(&download)
            .unwrap()
            .filter_map(|e| e.ok())
            .find(|e| e.file_name().to_string_lossy().ends_with(".deb"))
        else {
            eprintln!(
                "could not download {package}={version}: {}",
                transcript(&out)
            );
            continue;
        };
        let target = dir.join(filename);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::rename(deb.path(), &target).unwrap();
        std::fs::write(
            dir.join("release.toml"),
            format!(
                "[release]\nproduct = \"{package}\"\nversion = \"{version}\"\ndate = 2026-01-01T00:00:00Z\nartifacts = [\"pool/**/*.deb\"]\n"
            ),
        )
        .unwrap();
        let in_release = std::fs::read_to_string(&suite.in_release).unwrap();
        return Some((filename.to_owned(), in_release));
    }
    eprintln!(
        "skipped {}: no package of the index could be downloaded (no network?)",
        suite.name
    );
    None
}

/// `vouch evaluate` of the pack over `bundle`: (exit code, SIGNED-ARTIFACTS status and
/// finding messages).
fn signed_artifacts(bundle: &Path, as_of: &str, trust: &str) -> (String, Vec<String>) {
    pack_control(bundle, as_of, &[Path::new(trust)], "SIGNED-ARTIFACTS")
}

fn ready() -> bool {
    for (what, path) in [("Debian's archive keyring", KEYRING), ("apt lists", LISTS)] {
        if !Path::new(path).exists() {
            eprintln!("skipped: no {what} at {path} (debian-archive-keyring, apt)");
            return false;
        }
    }
    true
}

#[test]
fn a_debian_archive_verifies_end_to_end_and_fails_when_tampered() {
    if !ready() {
        return;
    }
    let mut tested = 0;
    for suite in suites().into_iter().take(3) {
        let dir = temp_dir(&format!("archive-{}", suite.name));
        let bundle = dir.join("bundle");
        let Some((deb, in_release)) = archive_bundle(&suite, &bundle) else {
            continue;
        };
        let date = field(&in_release.replace("\n\n", "\n"), "Date")
            .unwrap()
            .to_owned();
        let as_of = rfc3339(&date, 3600);
        let context = format!("suite {} ({deb}, as of {as_of})", suite.name);

        // Whole: the .deb is signed through Packages <- InRelease, signed by Debian's keys.
        let (status, messages) = signed_artifacts(&bundle, &as_of, KEYRING);
        assert_eq!(status, "pass", "{context}: {messages:?}");

        // The same with `Release` + `Release.gpg` (detached, several signatures) instead.
        let split = dir.join("split");
        copy_tree(&bundle, &split);
        let suite_dir = split.join("dists").join(&suite.name);
        let (release, signature) = split_in_release(&in_release);
        std::fs::remove_file(suite_dir.join("InRelease")).unwrap();
        std::fs::write(suite_dir.join("Release"), release).unwrap();
        std::fs::write(suite_dir.join("Release.gpg"), signature).unwrap();
        let (status, messages) = signed_artifacts(&split, &as_of, KEYRING);
        assert_eq!(
            status, "pass",
            "{context}, Release + Release.gpg: {messages:?}"
        );

        // Not signed as of the day before the InRelease was made.
        let (status, messages) = signed_artifacts(&bundle, &rfc3339(&date, -86_400), KEYRING);
        assert_eq!(status, "fail", "{context}: {messages:?}");

        // Signed by a key that is not trusted.
        let other = root().join("examples/keys/TEST-ONLY-widget-release.pub.asc");
        let (status, messages) = signed_artifacts(&bundle, &as_of, other.to_str().unwrap());
        assert_eq!(status, "fail", "{context}");
        assert!(
            messages.iter().any(|m| m.contains("untrusted-key")),
            "{context}: {messages:?}"
        );

        // A modified .deb: the Packages entry does not match it.
        let tampered = dir.join("deb");
        copy_tree(&bundle, &tampered);
        append(&tampered.join(&deb), b"\0");
        let (status, messages) = signed_artifacts(&tampered, &as_of, KEYRING);
        assert_eq!(status, "fail", "{context}");
        assert!(
            messages
                .iter()
                .any(|m| m.contains("a checksum file signed by a trusted key does not match it")),
            "{context}: {messages:?}"
        );

        // A modified Packages index (the .deb's entry untouched): the Release's digest of
        // the index no longer matches, so the chain is broken.
        let tampered = dir.join("packages");
        copy_tree(&bundle, &tampered);
        append(
            &tampered.join(format!("dists/{}/main/binary-amd64/Packages", suite.name)),
            b"\nPackage: injected\nFilename: pool/x.deb\nSHA256: 0000000000000000000000000000000000000000000000000000000000000000\n",
        );
        let (status, messages) = signed_artifacts(&tampered, &as_of, KEYRING);
        assert_eq!(status, "fail", "{context}");
        assert!(
            messages
                .iter()
                .any(|m| m.contains("main/binary-amd64/Packages")
                    && m.contains("does not match the file")),
            "{context}: {messages:?}"
        );

        // Stale: as of the day after Valid-Until, where the suite states one.
        if let Some(until) = field(&in_release.replace("\n\n", "\n"), "Valid-Until") {
            let (status, messages) = signed_artifacts(&bundle, &rfc3339(until, 86_400), KEYRING);
            assert_eq!(status, "fail", "{context}");
            assert!(
                messages.iter().any(|m| m.contains(": stale (")
                    && m.contains("stale metadata covers nothing")),
                "{context}: {messages:?}"
            );
        }
        tested += 1;
    }
    if tested == 0 {
        eprintln!("skipped: no suite of {LISTS} could be laid out as an archive");
    }
}

#[test]
fn an_in_release_renamed_to_sha256sums_is_read_as_a_release_file() {
    if !ready() {
        return;
    }
    let Some(suite) = suites().into_iter().next() else {
        eprintln!("skipped: no InRelease in {LISTS}");
        return;
    };
    let dir = temp_dir("renamed-in-release");
    std::fs::copy(&suite.in_release, dir.join("SHA256SUMS")).unwrap();
    let out = vouch(&["graph", "--bundle", dir.to_str().unwrap()]);
    let graph: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = graph["findings"].as_array().unwrap();
    assert!(
        findings.len() <= 21,
        "{} findings: {findings:?}",
        findings.len()
    );
    assert!(
        !findings
            .iter()
            .any(|f| f["code"] == "vouch::checksums::malformed-line"),
        "{findings:?}"
    );
    let entries = graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["type"] == "checksum-entry")
        .count();
    assert!(entries > 10, "{entries} entries");
}

#[test]
fn bitcoin_core_sha256sums_signed_by_its_builders_is_judged_through_the_chain() {
    let corpus = root().join("../shared/corpus/checksums");
    if !corpus.is_dir() {
        eprintln!("skipped: {} is absent", corpus.display());
        return;
    }
    let dir = temp_dir("bitcoin-sums");
    let bundle = dir.join("bundle");
    std::fs::create_dir_all(&bundle).unwrap();
    std::fs::copy(
        corpus.join("bitcoin-31.1-all.SHA256SUMS"),
        bundle.join("SHA256SUMS"),
    )
    .unwrap();
    // Both builders' detached signatures in one file, as Bitcoin Core publishes them.
    let mut asc = std::fs::read(corpus.join("bitcoin-31.1-all.SHA256SUMS.hebasto.asc")).unwrap();
    asc.extend(std::fs::read(corpus.join("bitcoin-31.1-all.SHA256SUMS.marcofleon.asc")).unwrap());
    std::fs::write(bundle.join("SHA256SUMS.asc"), asc).unwrap();
    // The real tarball is not to be had here: a file of its name with other bytes, which the
    // builders' signed SHA256SUMS must refuse.
    std::fs::write(
        bundle.join("bitcoin-31.1-x86_64-linux-gnu.tar.gz"),
        b"not bitcoin",
    )
    .unwrap();
    std::fs::write(
        bundle.join("release.toml"),
        "[release]\nproduct = \"bitcoin\"\nversion = \"31.1\"\ndate = 2026-11-01T00:00:00Z\nartifacts = [\"bitcoin-31.1-x86_64-linux-gnu.tar.gz\"]\n",
    )
    .unwrap();
    let hebasto = corpus.join("guix-builder-key-hebasto.gpg");
    let (status, messages) =
        signed_artifacts(&bundle, "2026-12-01T00:00:00Z", hebasto.to_str().unwrap());
    assert_eq!(status, "fail");
    assert!(
        messages.iter().any(|m| m
            .contains("a checksum file signed by a trusted key does not match it")
            && m.contains("SHA256SUMS:")),
        "{messages:?}"
    );
    // With no builder trusted, nothing is signed, and the mismatch is CHECKSUMS' to report.
    let other = root().join("examples/keys/TEST-ONLY-widget-release.pub.asc");
    let (status, messages) =
        signed_artifacts(&bundle, "2026-12-01T00:00:00Z", other.to_str().unwrap());
    assert_eq!(status, "fail");
    assert!(
        !messages
            .iter()
            .any(|m| m.contains("signed by a trusted key")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("digest-mismatch")),
        "{messages:?}"
    );
}

/// A Debian InRelease split into `Release` (the signed text, dash-escaping undone) and
/// `Release.gpg` (its signatures, detached).
fn split_in_release(text: &str) -> (String, String) {
    let (_, rest) = text.split_once("\n\n").unwrap();
    let (body, signature) = rest.split_once("\n-----BEGIN PGP SIGNATURE-----").unwrap();
    let body: Vec<&str> = body
        .split('\n')
        .map(|l| l.strip_prefix("- ").unwrap_or(l))
        .collect();
    (
        body.join("\n"),
        format!("-----BEGIN PGP SIGNATURE-----{signature}"),
    )
}

fn copy_tree(from: &Path, to: &Path) {
    let out = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", transcript(&out));
}

fn append(path: &Path, bytes: &[u8]) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(bytes).unwrap();
}
