//! A Debian-style archive signed with gpg at test time (the TEST-ONLY release key): its
//! `Release` covers the `.deb` through `Packages` while `Date` and `Valid-Until` are readable
//! and current; a `Release` whose `Valid-Until` or `Date` cannot be read is stale itself
//! (fail closed) and the finding names the field. Skipped without gpg (`.ci/run` installs it).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::path::Path;

use common::{have_gpg, pack_control, sign, temp_dir};
use sha2::Digest as _;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes the archive with these `Date` and `Valid-Until` values, signs `Release`.
fn archive(dir: &Path, date: &str, valid_until: &str) {
    let deb = b"!<arch>\nnot really a package\n";
    let deb_path = "pool/main/h/hello/hello_1.0_amd64.deb";
    std::fs::create_dir_all(dir.join("pool/main/h/hello")).unwrap();
    std::fs::write(dir.join(deb_path), deb).unwrap();
    let packages = format!(
        "Package: hello\nVersion: 1.0\nArchitecture: amd64\nFilename: {deb_path}\nSize: {}\nSHA256: {}\n",
        deb.len(),
        hex(&sha2::Sha256::digest(deb))
    );
    let suite = dir.join("dists/stable");
    std::fs::create_dir_all(suite.join("main/binary-amd64")).unwrap();
    std::fs::write(suite.join("main/binary-amd64/Packages"), &packages).unwrap();
    let release = format!(
        "Origin: Test\nSuite: stable\nDate: {date}\nValid-Until: {valid_until}\n\
         Architectures: amd64\nComponents: main\nSHA256:\n {} {} main/binary-amd64/Packages\n",
        hex(&sha2::Sha256::digest(packages.as_bytes())),
        packages.len()
    );
    std::fs::write(suite.join("Release"), release).unwrap();
    sign(
        "TEST-ONLY-widget-release.sec.asc",
        "20260901T000000",
        &suite.join("Release"),
    );
    std::fs::write(
        dir.join("release.toml"),
        "[release]\nproduct = \"hello\"\nversion = \"1.0\"\ndate = 2026-09-01T00:00:00Z\n\
         artifacts = [\"pool/**/*.deb\"]\n",
    )
    .unwrap();
}

fn signed_artifacts(bundle: &Path) -> (String, Vec<String>) {
    let trust = Path::new("examples/keys/TEST-ONLY-widget-release.pub.asc");
    pack_control(bundle, "2026-10-01T00:00:00Z", &[trust], "SIGNED-ARTIFACTS")
}

#[test]
fn an_unreadable_valid_until_or_date_makes_the_index_stale() {
    if !have_gpg() {
        return;
    }
    let good = temp_dir("debian-dates-good");
    archive(
        &good,
        "Tue, 01 Sep 2026 00:00:00 UTC",
        "Tue, 01 Dec 2026 00:00:00 UTC",
    );
    let (status, messages) = signed_artifacts(&good);
    assert_eq!(status, "pass", "{messages:?}");

    for (name, date, valid_until, field) in [
        (
            "valid-until",
            "Tue, 01 Sep 2026 00:00:00 UTC",
            "some day soon",
            "`Valid-Until`",
        ),
        (
            "date",
            "the first of September",
            "Tue, 01 Dec 2026 00:00:00 UTC",
            "`Date`",
        ),
    ] {
        let dir = temp_dir(&format!("debian-dates-{name}"));
        archive(&dir, date, valid_until);
        let (status, messages) = signed_artifacts(&dir);
        assert_eq!(status, "fail", "{name}: {messages:?}");
        assert!(
            messages.iter().any(|m| m.contains(": stale (")
                && m.contains(field)
                && m.contains("cannot be read as a date")),
            "{name}: {messages:?}"
        );
    }
}
