//! Evidence formats: one module per kind of evidence file, all in one registry.
//!
//! Each format says how sure it is that a file is of its kind ([`EvidenceFormat::detect`],
//! content first, name second) and turns the bytes into typed [`Evidence`]
//! ([`EvidenceFormat::parse`]). Adding a format is adding a module with one type implementing
//! [`EvidenceFormat`], a variant of [`EvidenceKind`] and [`Evidence`], and one line in
//! [`REGISTRY`]; the graph builder links what it parses.

pub mod attestation;
pub mod audit_tools;
pub mod changelog;
pub mod checksums;
pub mod csaf;
pub mod dependabot;
mod detect_input;
pub mod eol;
pub mod feed;
pub mod github_advisory;
pub mod grype;
pub(crate) mod json_strict;
pub(crate) mod json_util;
pub(crate) mod lenient;
pub mod openvex;
pub mod osv;
pub mod public_key;
pub mod release_toml;
pub mod rustsec;
pub mod sbom;
pub mod security_ids;
pub mod security_txt;
pub mod support_toml;
mod text;
pub mod tls_scan;
pub(crate) mod toml_util;
pub mod trivy;
pub mod vuln_register;

pub use detect_input::DetectInput;
use serde::Serialize;

use crate::finding::Finding;

/// What kind of evidence a file holds. It serializes as [`EvidenceKind::as_str`], the one
/// name the book, the report and `vouch graph` use (`openpgp-signature`, `cyclonedx-sbom`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EvidenceKind {
    /// A checksum file: `SHA256SUMS`, `*.sha256`, BSD `distinfo`, ...
    Checksums,
    /// vouch's `release.toml`.
    ReleaseManifest,
    /// vouch's `support.toml`.
    SupportManifest,
    /// An attestation for a `manual` control (a TOML file with an `[attestation]` table).
    Attestation,
    /// A public key file found in the bundle (never trusted; see the trust set).
    PublicKey,
    /// A minisign signature (`.minisig`).
    MinisignSignature,
    /// A signify signature (`.sig`, detached; or embedded, signing the rest of the file).
    SignifySignature,
    /// vouch's vulnerability register (TOML `[[vulnerability]]` tables).
    VulnRegister,
    /// An OSV advisory (one OSV record).
    OsvAdvisory,
    /// OSV-Scanner JSON output.
    OsvScannerScan,
    /// An OpenVEX document.
    OpenVex,
    /// A CSAF 2.0 document (security advisory, VEX, ...).
    CsafAdvisory,
    /// An OpenPGP detached signature (`.asc`, `.sig`, `.gpg`).
    OpenPgpSignature,
    /// A Sigstore bundle (`*.sigstore.json`), or npm's attestations document of bundles.
    SigstoreBundle,
    /// A DSSE envelope (`*.intoto.jsonl`: one per line).
    DsseEnvelope,
    /// An unsigned in-toto statement.
    InTotoStatement,
    /// An SSH signature (`ssh-keygen -Y sign`: `-----BEGIN SSH SIGNATURE-----`).
    SshSignature,
    /// A cosign key-pair signature (a `.sig` file of one base64 line).
    CosignSignature,
    /// Trivy's JSON report.
    TrivyScan,
    /// Grype's JSON output.
    GrypeScan,
    /// Dependabot alerts (the REST API's list, one alert, or a webhook payload).
    DependabotAlerts,
    /// GitHub security advisories (one, a list, or the webhook payload).
    GithubAdvisory,
    /// A security.txt (RFC 9116).
    SecurityTxt,
    /// A changelog (`CHANGELOG.md`, ...).
    Changelog,
    /// An advisory feed: RSS, Atom or CSAF ROLIE.
    Feed,
    /// endoflife.date data: release data JSON or a product page.
    EndOfLifeData,
    /// A TLS scan: testssl.sh or SSLyze JSON.
    TlsScan,
    /// A CycloneDX JSON document: an SBOM, or a VEX document.
    CycloneDxSbom,
    /// An SPDX JSON document (2.2, 2.3) or SPDX 3 JSON-LD.
    SpdxSbom,
    /// `npm audit --json` output (report version 2, and npm 6's version 1).
    NpmAudit,
    /// `pip-audit -f json` output.
    PipAudit,
    /// `cargo audit --json` output.
    CargoAudit,
    /// A RustSec advisory (`rustsec/advisory-db`'s Markdown with TOML front matter, or TOML).
    RustsecAdvisory,
}

impl EvidenceKind {
    /// The kebab-case name used in JSON and in the book.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Checksums => "checksums",
            EvidenceKind::ReleaseManifest => "release-manifest",
            EvidenceKind::SupportManifest => "support-manifest",
            EvidenceKind::Attestation => "attestation",
            EvidenceKind::PublicKey => "public-key",
            EvidenceKind::MinisignSignature => "minisign-signature",
            EvidenceKind::SignifySignature => "signify-signature",
            EvidenceKind::VulnRegister => "vuln-register",
            EvidenceKind::OsvAdvisory => "osv-advisory",
            EvidenceKind::OsvScannerScan => "osv-scanner-scan",
            EvidenceKind::OpenVex => "openvex",
            EvidenceKind::CsafAdvisory => "csaf-advisory",
            EvidenceKind::OpenPgpSignature => "openpgp-signature",
            EvidenceKind::SigstoreBundle => "sigstore-bundle",
            EvidenceKind::DsseEnvelope => "dsse-envelope",
            EvidenceKind::InTotoStatement => "in-toto-statement",
            EvidenceKind::SshSignature => "ssh-signature",
            EvidenceKind::CosignSignature => "cosign-signature",
            EvidenceKind::TrivyScan => "trivy-scan",
            EvidenceKind::GrypeScan => "grype-scan",
            EvidenceKind::DependabotAlerts => "dependabot-alerts",
            EvidenceKind::GithubAdvisory => "github-advisory",
            EvidenceKind::SecurityTxt => "security-txt",
            EvidenceKind::Changelog => "changelog",
            EvidenceKind::Feed => "feed",
            EvidenceKind::EndOfLifeData => "endoflife-data",
            EvidenceKind::TlsScan => "tls-scan",
            EvidenceKind::CycloneDxSbom => "cyclonedx-sbom",
            EvidenceKind::SpdxSbom => "spdx-sbom",
            EvidenceKind::NpmAudit => "npm-audit",
            EvidenceKind::PipAudit => "pip-audit",
            EvidenceKind::CargoAudit => "cargo-audit",
            EvidenceKind::RustsecAdvisory => "rustsec-advisory",
        }
    }
}

impl Serialize for EvidenceKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// How sure a format is that a file is of its kind; higher wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    /// Not this format.
    No,
    /// The name fits, the content does not say.
    Name,
    /// The content fits.
    Content,
    /// Both content and name fit.
    ContentAndName,
}

impl Confidence {
    /// The confidence given what the content and the name say.
    pub fn of(by_content: bool, by_name: bool) -> Confidence {
        match (by_content, by_name) {
            (true, true) => Confidence::ContentAndName,
            (true, false) => Confidence::Content,
            (false, true) => Confidence::Name,
            (false, false) => Confidence::No,
        }
    }
}

/// What parsing sees of a file: its path and all of its bytes.
#[derive(Debug, Clone, Copy)]
pub struct ParseInput<'a> {
    /// Bundle-relative, `/`-separated path.
    pub path: &'a str,
    /// The whole file.
    pub bytes: &'a [u8],
}

impl<'a> ParseInput<'a> {
    /// The last path component.
    pub fn file_name(&self) -> &'a str {
        file_name(self.path)
    }
}

/// Typed evidence parsed out of one file.
#[derive(Debug, Clone)]
pub enum Evidence {
    /// Checksum entries.
    Checksums(checksums::ChecksumList),
    /// A release manifest.
    Release(release_toml::ReleaseManifest),
    /// Support cycles: a support manifest, or endoflife.date data.
    Support(support_toml::SupportManifest),
    /// An attestation.
    Attestation(attestation::Attestation),
    /// Public keys (from a key file in the bundle).
    PublicKeys(Vec<crate::trust::StoredKey>),
    /// A signature file.
    Signature(crate::signatures::SignatureFile),
    /// Statements about vulnerabilities (a scan, a VEX document, a register).
    Vulnerabilities(crate::vulns::VulnDocument),
    /// A published advisory, with its statements about vulnerabilities.
    Advisory(crate::vulns::AdvisoryDoc),
    /// Sigstore bundles, DSSE envelopes and in-toto statements: one per JSON file, or one
    /// per line of a JSON Lines file.
    Envelopes(Vec<crate::signatures::intoto::Document>),
    /// A security.txt.
    SecurityTxt(security_txt::SecurityTxt),
    /// A changelog.
    Changelog(changelog::Changelog),
    /// An advisory feed.
    Feed(feed::Feed),
    /// TLS scan results, one per scanned host.
    TlsScans(Vec<tls_scan::TlsScan>),
    /// A software bill of materials, with the vulnerabilities it carries.
    Sbom(Box<sbom::Sbom>),
}

impl Evidence {
    /// Frees the spare capacity the lists of vulnerability evidence grew with while read:
    /// ingestion holds every file's evidence at once until the graph is built.
    pub fn shrink_to_fit(&mut self) {
        match self {
            Evidence::Vulnerabilities(document) => document.shrink_to_fit(),
            Evidence::Advisory(doc) => {
                doc.advisory.shrink_to_fit();
                doc.statements.shrink_to_fit();
            }
            _ => {}
        }
    }
}

/// The result of parsing one file: the evidence (when usable) and findings.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// The evidence; `None` when the file was too broken to use.
    pub evidence: Option<Evidence>,
    /// Problems found, with lines and columns.
    pub findings: Vec<Finding>,
}

/// One evidence format.
pub trait EvidenceFormat: Sync + Send {
    /// The kind of evidence this format yields.
    fn kind(&self) -> EvidenceKind;

    /// How sure this format is that the file is of its kind. Looks at content first.
    fn detect(&self, input: &DetectInput<'_>) -> Confidence;

    /// Parses the whole file. Never panics, whatever the bytes.
    fn parse(&self, input: &ParseInput<'_>) -> Parsed;

    /// Files larger than this are classified but not parsed (a finding says so).
    fn max_parse_size(&self) -> u64 {
        DEFAULT_MAX_PARSE_SIZE
    }
}

/// How many leading bytes of each file detection sees.
pub const HEAD_LEN: usize = 64 * 1024;

/// The default parse size cap: 4 MiB.
pub const DEFAULT_MAX_PARSE_SIZE: u64 = 4 * 1024 * 1024;

/// Every format vouch knows, in tie-break order.
pub static REGISTRY: &[&dyn EvidenceFormat] = &[
    &checksums::ChecksumsFormat,
    &release_toml::ReleaseTomlFormat,
    &support_toml::SupportTomlFormat,
    &attestation::AttestationFormat,
    &public_key::PublicKeyFormat,
    &crate::signatures::minisign::MinisignFormat,
    &crate::signatures::signify::SignifyFormat,
    &vuln_register::VulnRegisterFormat,
    // Before OSV: an SBOM's head may hold an `id` and a `modified` too.
    &sbom::cyclonedx::CycloneDxFormat,
    &sbom::spdx::SpdxFormat,
    &osv::OsvAdvisoryFormat,
    &osv::OsvScannerFormat,
    &openvex::OpenVexFormat,
    &csaf::CsafFormat,
    &crate::signatures::openpgp::OpenPgpFormat,
    &crate::signatures::sigstore::SigstoreFormat,
    &crate::signatures::dsse::DsseFormat,
    &crate::signatures::intoto::InTotoFormat,
    &crate::signatures::ssh::SshSignatureFormat,
    &crate::signatures::cosign::CosignFormat,
    &trivy::TrivyFormat,
    &grype::GrypeFormat,
    &dependabot::DependabotFormat,
    &github_advisory::GithubAdvisoryFormat,
    &security_txt::SecurityTxtFormat,
    &changelog::ChangelogFormat,
    &feed::FeedFormatReader,
    &eol::EndOfLifeFormat,
    &tls_scan::TlsScanFormat,
    &audit_tools::NpmAuditFormat,
    &audit_tools::PipAuditFormat,
    &audit_tools::CargoAuditFormat,
    &rustsec::RustsecFormat,
];

/// The format a file belongs to: the most confident one, ties going to the first registered.
pub fn classify(input: &DetectInput<'_>) -> Option<&'static dyn EvidenceFormat> {
    let mut best: Option<(Confidence, &'static dyn EvidenceFormat)> = None;
    for format in REGISTRY {
        let confidence = format.detect(input);
        if confidence == Confidence::No {
            continue;
        }
        // Nothing later can be more confident, and a tie goes to this one: the rest of the
        // registry is not asked.
        if confidence == Confidence::ContentAndName {
            return Some(*format);
        }
        if best.is_none_or(|(c, _)| confidence > c) {
            best = Some((confidence, *format));
        }
    }
    best.map(|(_, f)| f)
}

/// The registered format of `kind`.
pub fn format_of(kind: EvidenceKind) -> Option<&'static dyn EvidenceFormat> {
    REGISTRY.iter().copied().find(|f| f.kind() == kind)
}

/// The last `/`-separated component of a bundle path.
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The lines of `head` that are complete: drops a trailing partial line when `head` is not
/// the whole file.
pub(crate) fn complete_lines(text: &str, whole: bool) -> std::str::Lines<'_> {
    let text = if whole {
        text
    } else {
        text.rfind('\n').and_then(|i| text.get(..i)).unwrap_or("")
    };
    text.lines()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(path: &str, content: &str) -> Option<EvidenceKind> {
        classify(&DetectInput::new(
            path,
            content.as_bytes(),
            content.len() as u64,
        ))
        .map(|f| f.kind())
    }

    #[test]
    fn content_beats_name() {
        let toml = "[release]\nproduct = \"x\"\n";
        assert_eq!(
            detect("SHA256SUMS", toml),
            Some(EvidenceKind::ReleaseManifest)
        );
        let sums = format!("{}  a.tar.gz\n", "a".repeat(64));
        assert_eq!(detect("notes.txt", &sums), Some(EvidenceKind::Checksums));
        assert_eq!(detect("release.toml", &sums), Some(EvidenceKind::Checksums));
    }

    #[test]
    fn name_alone_classifies() {
        assert_eq!(
            detect("release.toml", ""),
            Some(EvidenceKind::ReleaseManifest)
        );
        assert_eq!(
            detect("support.toml", "x"),
            Some(EvidenceKind::SupportManifest)
        );
        assert_eq!(
            detect("dist/SHA256SUMS", "garbage"),
            Some(EvidenceKind::Checksums)
        );
        assert_eq!(detect("README.md", "# hello"), None);
    }

    /// Every file of the examples and of `../shared/corpus` is classified as it is when
    /// every format is asked: stopping at the first `ContentAndName` changes nothing.
    #[test]
    fn stopping_at_content_and_name_is_the_whole_registry_s_answer() {
        let every_format = |input: &DetectInput<'_>| {
            let mut best: Option<(Confidence, EvidenceKind)> = None;
            for format in REGISTRY {
                let confidence = format.detect(input);
                if confidence != Confidence::No && best.is_none_or(|(c, _)| confidence > c) {
                    best = Some((confidence, format.kind()));
                }
            }
            best.map(|(_, kind)| kind)
        };
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = 0;
        for dir in [root.join("examples"), root.join("../shared/corpus")] {
            for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
                if !entry.file_type().is_file() {
                    continue;
                }
                let Ok(bytes) = std::fs::read(entry.path()) else {
                    continue;
                };
                let path = entry.path().to_string_lossy();
                let input = DetectInput::new(&path, &bytes, bytes.len() as u64);
                assert_eq!(
                    classify(&input).map(|f| f.kind()),
                    every_format(&input),
                    "{path}"
                );
                files += 1;
            }
        }
        assert!(files > 50, "only {files} files");
    }

    #[test]
    fn every_kind_is_registered_once() {
        for kind in [
            EvidenceKind::Checksums,
            EvidenceKind::ReleaseManifest,
            EvidenceKind::SupportManifest,
            EvidenceKind::Attestation,
            EvidenceKind::PublicKey,
            EvidenceKind::MinisignSignature,
            EvidenceKind::SignifySignature,
            EvidenceKind::VulnRegister,
            EvidenceKind::OsvAdvisory,
            EvidenceKind::OsvScannerScan,
            EvidenceKind::OpenVex,
            EvidenceKind::CsafAdvisory,
            EvidenceKind::OpenPgpSignature,
            EvidenceKind::SigstoreBundle,
            EvidenceKind::DsseEnvelope,
            EvidenceKind::InTotoStatement,
            EvidenceKind::SshSignature,
            EvidenceKind::CosignSignature,
            EvidenceKind::TrivyScan,
            EvidenceKind::GrypeScan,
            EvidenceKind::DependabotAlerts,
            EvidenceKind::GithubAdvisory,
            EvidenceKind::SecurityTxt,
            EvidenceKind::Changelog,
            EvidenceKind::Feed,
            EvidenceKind::EndOfLifeData,
            EvidenceKind::TlsScan,
            EvidenceKind::CycloneDxSbom,
            EvidenceKind::SpdxSbom,
            EvidenceKind::NpmAudit,
            EvidenceKind::PipAudit,
            EvidenceKind::CargoAudit,
            EvidenceKind::RustsecAdvisory,
        ] {
            assert_eq!(REGISTRY.iter().filter(|f| f.kind() == kind).count(), 1);
            assert_eq!(format_of(kind).map(|f| f.kind()), Some(kind));
            // One name everywhere: the graph's JSON says what the book and the report say.
            assert_eq!(
                serde_json::to_value(kind).ok(),
                Some(serde_json::Value::from(kind.as_str()))
            );
        }
    }
}
