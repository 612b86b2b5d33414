//! Signatures judged in time, and every signature file accounted for: GnuPG fixtures
//! (`fixtures/signatures/time`, see its `make.sh`), minisign signatures made at test time,
//! Sigstore bundles made by openssl (`fixtures/signatures/dsse`), and damaged copies of them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use vouch_engine::graph::SignatureNode;
use vouch_engine::signatures::Outcome;
use vouch_engine::{EvidenceGraph, FindingCode, IngestOptions, KeyStore, NoProgress};

/// The as_of the tests judge at: after the on-time signatures, before the future one.
const AS_OF: &str = "2026-10-02T00:00:00Z";

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/signatures")
        .join(rel)
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(fixture(rel)).unwrap()
}

/// A bundle of (bundle path, content) files.
fn bundle(files: &[(&str, Vec<u8>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, content) in files {
        common::write(dir.path(), rel, content);
    }
    dir
}

fn ingest_at(dir: &Path, trust: &[PathBuf], as_of: &str) -> EvidenceGraph {
    let options = IngestOptions {
        threads: Some(1),
        trust: Arc::new(KeyStore::load(trust).unwrap()),
        as_of: Some(as_of.parse().unwrap()),
    };
    vouch_engine::ingest(dir, &options, &NoProgress).unwrap()
}

fn release_key() -> Vec<PathBuf> {
    vec![fixture("time/release.pub.asc")]
}

/// The signatures whose signature file is `path`.
fn signatures_in<'g>(graph: &'g EvidenceGraph, path: &str) -> Vec<&'g SignatureNode> {
    graph
        .signatures()
        .filter(|(_, s)| s.source.path == path)
        .map(|(_, s)| s)
        .collect()
}

fn only<'g>(graph: &'g EvidenceGraph, path: &str) -> &'g SignatureNode {
    let found = signatures_in(graph, path);
    assert_eq!(found.len(), 1, "{path}: {found:#?}");
    found[0]
}

fn reason(s: &SignatureNode) -> &str {
    s.verification.reason.as_deref().unwrap_or("")
}

/// The checksum entries of `sums` that name `name`, as (line, status).
fn entries(graph: &EvidenceGraph, sums: &str) -> Vec<u32> {
    graph
        .checksum_entries()
        .filter(|(_, c)| c.source.path == sums)
        .map(|(_, c)| c.source.line.unwrap_or(0))
        .collect()
}

#[test]
fn an_openpgp_signature_made_after_as_of_does_not_count() {
    let dir = bundle(&[
        ("widget.txt", read("time/widget.txt")),
        ("widget.txt.asc", read("time/future/widget.txt.asc")),
    ]);
    let graph = ingest_at(dir.path(), &release_key(), AS_OF);
    let s = only(&graph, "widget.txt.asc");
    assert_eq!(s.verification.outcome, Outcome::SignedAfterAsOf, "{s:#?}");
    assert!(s.verification.verified && !s.verification.trusted);
    assert_eq!(
        reason(s),
        "made 2026-11-01T00:00:00Z, after as_of 2026-10-02T00:00:00Z"
    );
    assert!(s.verification.key_id.is_some() && s.verification.signer.is_some());
    // Judged after it was made, the same signature counts.
    let later = ingest_at(dir.path(), &release_key(), "2026-12-01T00:00:00Z");
    assert_eq!(
        only(&later, "widget.txt.asc").verification.outcome,
        Outcome::Verified
    );
}

#[test]
fn an_openpgp_signature_made_on_time_counts() {
    let dir = bundle(&[
        ("widget.txt", read("time/widget.txt")),
        ("widget.txt.asc", read("time/on-time/widget.txt.asc")),
    ]);
    let graph = ingest_at(dir.path(), &release_key(), AS_OF);
    let s = only(&graph, "widget.txt.asc");
    assert_eq!(s.verification.outcome, Outcome::Verified, "{s:#?}");
    assert_eq!(
        s.verification.signed_at.map(|t| t.to_string()).as_deref(),
        Some("2026-09-15T00:00:00Z")
    );
}

#[test]
fn an_openpgp_signature_dated_before_its_key_was_made_does_not_count() {
    let dir = bundle(&[
        ("widget.txt", read("time/widget.txt")),
        ("widget.txt.asc", read("time/early/widget.txt.asc")),
    ]);
    let graph = ingest_at(dir.path(), &release_key(), AS_OF);
    let s = only(&graph, "widget.txt.asc");
    assert_eq!(s.verification.outcome, Outcome::BadSignature, "{s:#?}");
    assert!(!s.verification.trusted);
    assert!(
        reason(s).contains("dated 2025-06-01T00:00:00Z, before key")
            && reason(s).contains("was created (2026-01-01T00:00:00Z)"),
        "{}",
        reason(s)
    );
}

/// A minisign signature's time is the `timestamp:` of its trusted comment, which the global
/// signature covers: a signature claiming a time after as_of does not count.
#[test]
fn a_minisign_signature_whose_trusted_comment_is_after_as_of_does_not_count() {
    if !common::have("minisign", "minisign time test") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let public = keys.join("k.pub");
    let secret = keys.join("k.key");
    let run = |args: &[&std::ffi::OsStr]| {
        let out = std::process::Command::new("minisign")
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    };
    run(&[
        "-G".as_ref(),
        "-W".as_ref(),
        "-f".as_ref(),
        "-p".as_ref(),
        public.as_os_str(),
        "-s".as_ref(),
        secret.as_os_str(),
    ]);
    let b = dir.path().join("bundle");
    for (name, when) in [("on-time", 1_790_000_000_i64), ("future", 1_800_000_000)] {
        let file = common::write(&b, &format!("{name}.tar.gz"), name.as_bytes());
        let comment = format!("timestamp:{when}\tfile:{name}.tar.gz\thashed");
        let sig = b.join(format!("{name}.tar.gz.minisig"));
        run(&[
            "-S".as_ref(),
            "-s".as_ref(),
            secret.as_os_str(),
            "-t".as_ref(),
            comment.as_ref(),
            "-x".as_ref(),
            sig.as_os_str(),
            "-m".as_ref(),
            file.as_os_str(),
        ]);
    }
    let graph = ingest_at(&b, &[public], AS_OF);
    let on_time = only(&graph, "on-time.tar.gz.minisig");
    assert_eq!(on_time.verification.outcome, Outcome::Verified);
    let future = only(&graph, "future.tar.gz.minisig");
    assert_eq!(
        future.verification.outcome,
        Outcome::SignedAfterAsOf,
        "{future:#?}"
    );
    assert_eq!(
        reason(future),
        "made 2027-01-15T08:00:00Z, after as_of 2026-10-02T00:00:00Z"
    );
}

/// A Sigstore bundle's time is the earliest `integratedTime` of its log entries that
/// verifies (SET or inclusion proof against the trusted root). These entries (outside what
/// the signature signs, so adding one keeps the signature valid) carry no proof: their times
/// are never a signing time, and count only against the signature, when after as_of.
#[test]
fn a_sigstore_bundle_logged_after_as_of_does_not_count() {
    let original = String::from_utf8(read("dsse/bundle/widget-1.0.tar.gz.sigstore.json")).unwrap();
    let logged =
        |times: &str| original.replace("\"tlogEntries\":[]", &format!("\"tlogEntries\":[{times}]"));
    let entry = |t: &str| format!("{{\"logIndex\":\"1\",\"integratedTime\":{t}}}");
    for (times, outcome, signed_at) in [
        (String::new(), Outcome::Verified, None),
        (entry("\"1790000000\""), Outcome::Verified, None),
        (entry("1800000000"), Outcome::SignedAfterAsOf, None),
        (
            format!("{},{}", entry("\"1800000000\""), entry("\"1790000000\"")),
            Outcome::Verified,
            None,
        ),
    ] {
        let dir = bundle(&[
            ("widget-1.0.tar.gz", read("dsse/bundle/widget-1.0.tar.gz")),
            (
                "widget-1.0.tar.gz.sigstore.json",
                logged(&times).into_bytes(),
            ),
        ]);
        let graph = ingest_at(dir.path(), &[fixture("dsse/keys/p256.pub.pem")], AS_OF);
        let s = only(&graph, "widget-1.0.tar.gz.sigstore.json");
        assert_eq!(s.verification.outcome, outcome, "{times}: {s:#?}");
        assert_eq!(
            s.verification.signed_at.map(|t| t.to_string()).as_deref(),
            signed_at,
            "{times}"
        );
        if !times.is_empty() {
            let why = if outcome == Outcome::Verified {
                "signing time unknown: its transparency-log entry"
            } else {
                "made 2027-01-15T08:00:00Z, after as_of 2026-10-02T00:00:00Z, as its \
                 transparency-log entry states (unverified"
            };
            assert!(reason(s).starts_with(why), "{times}: {}", reason(s));
        }
    }
    // A log time that cannot be read makes the bundle malformed, not timeless.
    let dir = bundle(&[
        ("widget-1.0.tar.gz", read("dsse/bundle/widget-1.0.tar.gz")),
        (
            "widget-1.0.tar.gz.sigstore.json",
            logged(&entry("\"soon\"")).into_bytes(),
        ),
    ]);
    let graph = ingest_at(dir.path(), &[fixture("dsse/keys/p256.pub.pem")], AS_OF);
    let s = only(&graph, "widget-1.0.tar.gz.sigstore.json");
    assert_eq!(s.verification.outcome, Outcome::Malformed, "{s:#?}");
    assert!(reason(s).contains("integratedTime"), "{}", reason(s));
}

/// The cleartext-signed SHA256SUMS as gpg wrote it verifies, and its one entry counts.
#[test]
fn a_cleartext_signed_checksum_file_verifies() {
    let dir = bundle(&[
        ("widget.txt", read("time/widget.txt")),
        ("SHA256SUMS.asc", read("time/on-time/SHA256SUMS.asc")),
    ]);
    let graph = ingest_at(dir.path(), &release_key(), AS_OF);
    let s = only(&graph, "SHA256SUMS.asc");
    assert_eq!(s.verification.outcome, Outcome::Verified, "{s:#?}");
    assert_eq!(entries(&graph, "SHA256SUMS.asc"), [4]);
}

/// Checksum lines before the cleartext-signed message, or after its signature, are not
/// signed: they never count as checksums, and the signature is malformed (with a finding).
#[test]
fn lines_outside_a_cleartext_signed_message_never_count() {
    let signed = read("time/on-time/SHA256SUMS.asc");
    let extra = format!("{}  extra.tar.gz\n", "ab".repeat(32));
    for (name, content, why) in [
        (
            "before",
            [extra.as_bytes(), &signed].concat(),
            "line 1: text before `-----BEGIN PGP SIGNED MESSAGE-----` is not signed",
        ),
        (
            "after",
            [signed.as_slice(), extra.as_bytes()].concat(),
            "line 12: text after the signature is not signed",
        ),
    ] {
        let dir = bundle(&[
            ("widget.txt", read("time/widget.txt")),
            ("extra.tar.gz", b"extra".to_vec()),
            ("SHA256SUMS.asc", content),
        ]);
        let graph = ingest_at(dir.path(), &release_key(), AS_OF);
        let s = only(&graph, "SHA256SUMS.asc");
        assert_eq!(s.verification.outcome, Outcome::Malformed, "{name}: {s:#?}");
        assert!(reason(s).contains(why), "{name}: {}", reason(s));
        assert_eq!(s.signed.as_deref(), Some("SHA256SUMS.asc"), "{name}");
        assert!(
            graph
                .findings()
                .iter()
                .any(|f| f.code == FindingCode::SignatureMalformed
                    && f.path.as_deref() == Some("SHA256SUMS.asc")),
            "{name}"
        );
        // Only the signed entry (widget.txt) is an entry; the extra line is not.
        let line = if name == "before" { 5 } else { 4 };
        assert_eq!(entries(&graph, "SHA256SUMS.asc"), [line], "{name}");
    }
}

/// A trusted key's detached signature over a checksum file that was changed after signing is
/// a bad signature over that file.
#[test]
fn a_changed_checksum_file_under_a_trusted_signature_is_a_bad_signature() {
    let mut sums = read("time/SHA256SUMS");
    sums.extend_from_slice(format!("{}  extra.tar.gz\n", "ab".repeat(32)).as_bytes());
    let dir = bundle(&[
        ("widget.txt", read("time/widget.txt")),
        ("SHA256SUMS", sums),
        ("SHA256SUMS.sig", read("time/on-time/SHA256SUMS.sig")),
    ]);
    let graph = ingest_at(dir.path(), &release_key(), AS_OF);
    let s = only(&graph, "SHA256SUMS.sig");
    assert_eq!(s.verification.outcome, Outcome::BadSignature, "{s:#?}");
    assert_eq!(s.signed.as_deref(), Some("SHA256SUMS"));
}

/// A checksum entry lists every signature over its checksum file, whatever its outcome: the
/// bad one a trusted key made over a changed file, and one by a key nobody trusts.
#[test]
fn checksum_entries_list_every_signature_over_their_file() {
    let mut sums = read("time/SHA256SUMS");
    sums.extend_from_slice(b"# a comment added after signing\n");
    let dir = bundle(&[
        (
            "release.toml",
            b"[release]\nproduct = \"widget\"\nversion = \"2.4.1\"\n\
              date = 2026-10-01T12:00:00Z\nartifacts = [\"widget.txt\"]\n"
                .to_vec(),
        ),
        ("widget.txt", read("time/widget.txt")),
        ("SHA256SUMS", sums),
        ("SHA256SUMS.sig", read("time/on-time/SHA256SUMS.sig")),
        ("SHA256SUMS.asc", read("openpgp/ed25519/widget.txt.asc")),
    ]);
    let graph = ingest_at(dir.path(), &release_key(), AS_OF);
    let body = r#"
  for a in release.artifacts {
    for c in a.checksums {
      expect len(c.signatures) == 0
        else "{c.path}: {count(s in c.signatures where s.outcome == "bad-signature")} bad, {count(s in c.signatures where s.outcome == "untrusted-key")} untrusted"
    }
  }"#;
    let result = common::run_control(&graph, AS_OF, "", body);
    let messages: Vec<&str> = result.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(messages, ["SHA256SUMS: 1 bad, 1 untrusted"], "{result:#?}");
}
