//! The real checksum files in `../shared/corpus/checksums` parse and verify. Skipped, with a
//! printed reason, when the corpus is absent.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use crate::common;

use std::path::PathBuf;

use common::*;
use vouch_engine::FindingCode;
use vouch_engine::formats::checksums::{self, ChecksumSyntax};
use vouch_engine::formats::{Evidence, EvidenceKind};
use vouch_engine::graph::ChecksumStatus::{Match, Missing};

fn checksums_dir(test: &str) -> Option<PathBuf> {
    match corpus() {
        Some(c) => Some(c.join("checksums")),
        None => {
            eprintln!("skipping {test}: ../shared/corpus is not present");
            None
        }
    }
}

fn list(path: &std::path::Path) -> checksums::ChecksumList {
    let name = path.file_name().unwrap().to_str().unwrap();
    let parsed = checksums::parse(name, &std::fs::read(path).unwrap());
    assert!(parsed.findings.is_empty(), "{name}: {:?}", parsed.findings);
    match parsed.evidence {
        Some(Evidence::Checksums(list)) => list,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn real_sums_files_parse() {
    let Some(dir) = checksums_dir("real_sums_files_parse") else {
        return;
    };
    let bitcoin = list(&dir.join("bitcoin-31.1-all.SHA256SUMS"));
    assert_eq!(bitcoin.entries.len(), 28);
    assert!(
        bitcoin
            .entries
            .iter()
            .all(|e| e.syntax == ChecksumSyntax::Gnu)
    );
    assert_eq!(bitcoin.entries[10].name, "bitcoin-31.1.tar.gz");
    assert_eq!(
        bitcoin.entries[10].digest_hex(),
        "50411d5b43c7e4c90099394759eb6c2add6e7c2dbe728840893d638b6fc6afc9"
    );

    let bwt = list(&dir.join("bwt-0.2.4-SHA256SUMS.asc"));
    assert!(bwt.pgp_cleartext);
    assert_eq!(bwt.entries.len(), 10);
    assert_eq!(bwt.entries[0].line, 4);
    assert_eq!(bwt.entries[9].name, "bwt-0.2.4-arm64v8-linux.tar.gz");

    let rust = list(&dir.join("freebsd-ports-lang-rust.distinfo"));
    assert_eq!(rust.entries.len(), 8);
    assert!(
        rust.entries
            .iter()
            .all(|e| e.syntax == ChecksumSyntax::Bsd && e.size.is_some())
    );
    assert_eq!(rust.entries[3].name, "rust/rustc-1.18.0-src.tar.gz");
    assert_eq!(rust.entries[3].size, Some(33_111_774));

    let openssl = list(&dir.join("freebsd-ports-security-openssl.distinfo"));
    assert_eq!(openssl.entries.len(), 1);
    assert_eq!(openssl.entries[0].size, Some(9_847_315));

    // UTF-16LE, no BOM, no newline, no file name: names its own stem.
    let hello = list(&dir.join("hello-dist.spdx.json.sha256"));
    assert_eq!(hello.entries.len(), 1);
    assert_eq!(hello.entries[0].name, "hello-dist.spdx.json");
    assert_eq!(hello.entries[0].syntax, ChecksumSyntax::Bare);
}

#[test]
fn corpus_checksums_directory_ingests() {
    let Some(dir) = checksums_dir("corpus_checksums_directory_ingests") else {
        return;
    };
    let graph = ingest(&dir);
    let errors: Vec<_> = graph
        .findings()
        .iter()
        .filter(|f| f.severity == vouch_engine::Severity::Error)
        .map(|f| (f.code, f.path.as_deref().unwrap_or_default()))
        .collect();
    // Three OpenPGP signatures whose signed files are not beside them under their
    // conventional names (the bitcoin builders' files are named `.NAME.asc`).
    assert_eq!(
        errors,
        [
            (
                FindingCode::SignatureNoSignedFile,
                "bitcoin-31.1-all.SHA256SUMS.hebasto.asc"
            ),
            (
                FindingCode::SignatureNoSignedFile,
                "bitcoin-31.1-all.SHA256SUMS.marcofleon.asc"
            ),
            (FindingCode::SignatureNoSignedFile, "va-24-262-01.json.asc"),
        ]
    );
    let kinds: Vec<_> = graph
        .files_of_kind(EvidenceKind::Checksums)
        .map(|(_, f)| f.path.clone())
        .collect();
    assert_eq!(
        kinds,
        [
            "avendor-advisory-0004.json.sha256",
            "avendor-advisory-0004.json.sha512",
            "bitcoin-31.1-all.SHA256SUMS",
            "bwt-0.2.4-SHA256SUMS.asc",
            "freebsd-ports-lang-rust.distinfo",
            "freebsd-ports-security-openssl.distinfo",
            "hello-dist.spdx.json.sha256",
            "va-24-262-01.json.sha512",
        ]
    );
    // The signed artifact sits beside its digests: both verify.
    assert_eq!(
        statuses(&graph, "avendor-advisory-0004.json.sha256"),
        [("avendor-advisory-0004.json".to_owned(), Match)]
    );
    assert_eq!(
        statuses(&graph, "avendor-advisory-0004.json.sha512"),
        [("avendor-advisory-0004.json".to_owned(), Match)]
    );
    // The release files themselves are not in the corpus.
    let bitcoin = statuses(&graph, "bitcoin-31.1-all.SHA256SUMS");
    assert_eq!(bitcoin.len(), 28);
    assert!(bitcoin.iter().all(|(_, s)| *s == Missing));
    // minisign signatures are evidence; with no trust set they verify as untrusted.
    assert!(unclassified_reason(&graph, "opennic.md.minisig").is_none());
    let minisign: Vec<_> = graph
        .signatures()
        .filter(|(_, s)| s.format == vouch_engine::signatures::SignatureFormat::Minisign)
        .map(|(_, s)| (s.signed.clone(), s.verification.outcome))
        .collect();
    assert_eq!(
        minisign,
        [
            (
                Some("onion-services.md".to_owned()),
                vouch_engine::signatures::Outcome::UntrustedKey
            ),
            (
                Some("opennic.md".to_owned()),
                vouch_engine::signatures::Outcome::UntrustedKey
            ),
        ]
    );
    // OpenPGP: detached signatures are their own kind; the cleartext-signed bwt sums stay
    // checksums and sign themselves. The OpenPGP keys beside them are bundle keys: they show
    // the advisory's signature valid, never trusted.
    let detached: Vec<_> = graph
        .files_of_kind(EvidenceKind::OpenPgpSignature)
        .map(|(_, f)| f.path.clone())
        .collect();
    assert_eq!(
        detached,
        [
            "avendor-advisory-0004.json.asc",
            "bitcoin-31.1-all.SHA256SUMS.hebasto.asc",
            "bitcoin-31.1-all.SHA256SUMS.marcofleon.asc",
            "va-24-262-01.json.asc",
        ]
    );
    let keys: Vec<_> = graph
        .files_of_kind(EvidenceKind::PublicKey)
        .map(|(_, f)| f.path.clone())
        .collect();
    assert_eq!(
        keys,
        [
            "dnscrypt-resolvers-minisign.pub",
            "gocsaf-testdata-pubkey.asc",
            "guix-builder-key-hebasto.gpg",
            "guix-builder-key-marcofleon.gpg",
        ]
    );
    use vouch_engine::signatures::Outcome::{MissingFile, UntrustedKey};
    let openpgp: Vec<_> = graph
        .signatures()
        .filter(|(_, s)| s.format == vouch_engine::signatures::SignatureFormat::OpenPgp)
        .map(|(_, s)| {
            (
                s.source.path.as_str(),
                s.verification.outcome,
                s.verification.verified,
            )
        })
        .collect();
    assert_eq!(
        openpgp,
        [
            ("avendor-advisory-0004.json.asc", UntrustedKey, true),
            (
                "bitcoin-31.1-all.SHA256SUMS.hebasto.asc",
                MissingFile,
                false
            ),
            (
                "bitcoin-31.1-all.SHA256SUMS.marcofleon.asc",
                MissingFile,
                false
            ),
            ("bwt-0.2.4-SHA256SUMS.asc", UntrustedKey, false),
            ("va-24-262-01.json.asc", MissingFile, false),
        ]
    );
    assert!(!has_code(&graph, FindingCode::ChecksumMalformedLine));
}

#[test]
fn corpus_digests_verify_their_documents() {
    let Some(dir) = checksums_dir("corpus_digests_verify_their_documents") else {
        return;
    };
    let corpus = dir.parent().unwrap();
    // Each digest file with the document it names, copied side by side into a bundle.
    let bundle = tempfile::tempdir().unwrap();
    for (digest, document) in [
        (
            "checksums/va-24-262-01.json.sha512",
            "csaf/va-24-262-01.json",
        ),
        (
            "checksums/hello-dist.spdx.json.sha256",
            "spdx/hello-dist.spdx.json",
        ),
    ] {
        for rel in [digest, document] {
            let from = corpus.join(rel);
            let name = from.file_name().unwrap();
            std::fs::copy(&from, bundle.path().join(name)).unwrap();
        }
    }
    let graph = ingest(bundle.path());
    assert_eq!(
        statuses(&graph, "va-24-262-01.json.sha512"),
        [("va-24-262-01.json".to_owned(), Match)]
    );
    assert_eq!(
        statuses(&graph, "hello-dist.spdx.json.sha256"),
        [("hello-dist.spdx.json".to_owned(), Match)]
    );
}
