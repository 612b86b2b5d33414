//! What the fuzz targets share: how an input names its file, the evidence readers of each
//! family, and the properties every reader must keep (no panic, the same result every time, the
//! same answer through the ingestion path as through the reader itself).
//!
//! Every function here calls the library's public entry points, the ones `vouch` itself uses;
//! nothing bypasses the real code.

use std::fmt::Write as _;

use vouch_engine::formats::{
    self, DetectInput, Evidence, EvidenceKind, HEAD_LEN, ParseInput, Parsed, format_of,
};

/// The most bytes of an input's first line taken as its file name.
const MAX_NAME: usize = 200;

/// Splits an input into the bundle path it is read as and its content: the first line is the
/// path when it is short (at most 200 bytes) and not empty, so the fuzzer can try names as well
/// as content (checksum and Debian readers, signature conventions and detection look at the
/// name); otherwise the whole input is content read as `default`. `seed.sh` writes seeds in
/// this shape.
pub fn named<'a>(data: &'a [u8], default: &str) -> (String, &'a [u8]) {
    let line_end = data.iter().take(MAX_NAME + 1).position(|b| *b == b'\n');
    match line_end {
        Some(end) if end > 0 => {
            let name = String::from_utf8_lossy(data.get(..end).unwrap_or_default());
            let name = name.trim_matches('/').replace('\0', "");
            let rest = data.get(end + 1..).unwrap_or_default();
            if name.is_empty() {
                (default.to_owned(), rest)
            } else {
                (name, rest)
            }
        }
        _ => (default.to_owned(), data),
    }
}

/// The JSON evidence readers (scans, advisories, VEX, SBOMs, in-toto and Sigstore documents,
/// endoflife.date release data, TLS scans, audit tools' output, ROLIE feeds).
pub const JSON_KINDS: &[EvidenceKind] = &[
    EvidenceKind::OsvAdvisory,
    EvidenceKind::OsvScannerScan,
    EvidenceKind::OpenVex,
    EvidenceKind::CsafAdvisory,
    EvidenceKind::SigstoreBundle,
    EvidenceKind::DsseEnvelope,
    EvidenceKind::InTotoStatement,
    EvidenceKind::TrivyScan,
    EvidenceKind::GrypeScan,
    EvidenceKind::DependabotAlerts,
    EvidenceKind::GithubAdvisory,
    EvidenceKind::EndOfLifeData,
    EvidenceKind::TlsScan,
    EvidenceKind::CycloneDxSbom,
    EvidenceKind::SpdxSbom,
    EvidenceKind::NpmAudit,
    EvidenceKind::PipAudit,
    EvidenceKind::CargoAudit,
    EvidenceKind::Feed,
];

/// The TOML evidence readers: vouch's manifests, attestations, the vulnerability register and
/// RustSec advisories (TOML, or Markdown with TOML front matter).
pub const TOML_KINDS: &[EvidenceKind] = &[
    EvidenceKind::ReleaseManifest,
    EvidenceKind::SupportManifest,
    EvidenceKind::Attestation,
    EvidenceKind::VulnRegister,
    EvidenceKind::RustsecAdvisory,
];

/// The other text readers: changelogs, RSS/Atom feeds, endoflife.date product pages (Markdown
/// with YAML front matter) and RustSec Markdown advisories.
pub const TEXT_KINDS: &[EvidenceKind] = &[
    EvidenceKind::Changelog,
    EvidenceKind::Feed,
    EvidenceKind::EndOfLifeData,
    EvidenceKind::RustsecAdvisory,
];

/// The detached signature readers.
pub const SIGNATURE_KINDS: &[EvidenceKind] = &[
    EvidenceKind::MinisignSignature,
    EvidenceKind::SignifySignature,
    EvidenceKind::OpenPgpSignature,
    EvidenceKind::SshSignature,
    EvidenceKind::CosignSignature,
];

/// A stable text for a parse result, to compare two parses of the same bytes. Debug output,
/// except for public keys, whose OpenPGP certificates index subkeys in a hash map (printed in
/// no fixed order): those are compared by origin and the format and id they describe.
pub fn describe(parsed: &Parsed) -> String {
    let mut out = String::new();
    match &parsed.evidence {
        Some(Evidence::PublicKeys(keys)) => {
            for key in keys {
                let _ = writeln!(out, "{} {:?}", key.origin, key.key.describe());
            }
        }
        other => {
            let _ = write!(out, "{other:?}");
        }
    }
    let _ = write!(out, "\n{:?}", parsed.findings);
    out
}

/// Reads `bytes` as the file `path` with the reader of `kind`, twice: the reader must not
/// panic and must give the same evidence and findings both times. Detection runs too.
pub fn read_as(kind: EvidenceKind, path: &str, bytes: &[u8]) {
    let Some(format) = format_of(kind) else {
        panic!("no reader is registered for {}", kind.as_str());
    };
    let head = bytes.get(..HEAD_LEN.min(bytes.len())).unwrap_or_default();
    let _ = format.detect(&DetectInput::new(path, head, bytes.len() as u64));
    let input = ParseInput { path, bytes };
    let first = format.parse(&input);
    let second = format.parse(&input);
    let (a, b) = (describe(&first), describe(&second));
    assert!(
        a == b,
        "{} read {path} differently twice\n--- first\n{a}\n--- second\n{b}",
        kind.as_str()
    );
    // A Rust backtrace in a finding: build paths in a report, and text that depends on the
    // caller (the first bug these targets found, in the OpenPGP reader). A reader may quote
    // what it read (a field name, the file name): the word counts only when the input lacks it.
    let has = |b: &[u8]| b.windows(8).any(|w| w.eq_ignore_ascii_case(b"acktrace"));
    assert!(
        !has(a.as_bytes()) || has(path.as_bytes()) || has(bytes),
        "{}: a backtrace in what it read from {path}",
        kind.as_str()
    );
}

/// Reads `bytes` as ingestion does a bundle file at `path`: detection on the first
/// [`HEAD_LEN`] bytes, the chosen reader if the file is within its size cap, and the embedded
/// signature reader (OpenPGP cleartext, signify, npm registry signatures). Returns the kind
/// detected. Never panics; the chosen reader gives the same result as [`read_as`] with it.
pub fn ingest_as(path: &str, bytes: &[u8]) -> Option<EvidenceKind> {
    let head = bytes.get(..HEAD_LEN.min(bytes.len())).unwrap_or_default();
    let format = formats::classify(&DetectInput::new(path, head, bytes.len() as u64));
    let kind = format.map(|f| f.kind());
    if let Some(format) = format
        && bytes.len() as u64 <= format.max_parse_size()
    {
        let parsed = format.parse(&ParseInput { path, bytes });
        let again = format.parse(&ParseInput { path, bytes });
        assert_eq!(
            describe(&parsed),
            describe(&again),
            "ingestion read {path} differently twice"
        );
    }
    let embedded = vouch_engine::signatures::parse_embedded(path, kind, bytes);
    let again = vouch_engine::signatures::parse_embedded(path, kind, bytes);
    assert_eq!(
        embedded.as_ref().map(describe),
        again.as_ref().map(describe),
        "the embedded signature of {path} read differently twice"
    );
    kind
}

/// Reads one fuzz input (see [`named`]) with every reader of `kinds` and through ingestion.
pub fn read_family(data: &[u8], default: &str, kinds: &[EvidenceKind]) {
    let (path, bytes) = named(data, default);
    for kind in kinds {
        read_as(*kind, &path, bytes);
    }
    ingest_as(&path, bytes);
}
