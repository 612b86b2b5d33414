//! Parsed evidence in the cache: which kinds may be cached, and their encoding.
//!
//! Only pure-data evidence is cached ([`cached_kind`]): vulnerability documents, advisories,
//! SBOMs, support manifests and endoflife.date data, security.txt, changelogs, feeds, TLS
//! scans, checksum lists. Keys, signatures, attestations, DSSE and in-toto envelopes, Sigstore
//! bundles and the release manifest are parsed (and signatures verified) on every run, as is
//! any file that carries a signature inside it.
//!
//! The encoding is [`super::codec`]'s: every field of every type below is named in a
//! `record!` or `choice!` list, which the compiler checks against the type's definition, so
//! an entry decodes to exactly the value that was parsed (the round-trip test over every
//! evidence file of the fixtures, the examples and the corpus checks it too).

use miette::SourceSpan;

use super::codec::{Codec, Malformed, Reader, Writer, choice, record};
use crate::digest::{Sha256Digest, Sha512Digest};
use crate::finding::{Finding, FindingCode, Loc, Severity};
use crate::formats::changelog::{Changelog, ChangelogVersion};
use crate::formats::checksums::{Algorithm, ChecksumEntry, ChecksumList, ChecksumSyntax};
use crate::formats::feed::{Feed, FeedFormat, FeedItem};
use crate::formats::sbom::{Component, Sbom, SbomFile, SbomFormat};
use crate::formats::security_txt::SecurityTxt;
use crate::formats::support_toml::{SupportCycle, SupportManifest};
use crate::formats::tls_scan::{TlsScan, TlsTool};
use crate::formats::{Evidence, EvidenceKind, Parsed};
use crate::vulns::listed::ListedProduct;
use crate::vulns::ranges::{AffectedPackage, AffectedRange, RangeEvent, RangeKind, Requirement};
use crate::vulns::{
    AdvisoryDoc, AdvisoryInfo, Band, SourceKind, StatedCvss, VulnDocument, VulnStatement,
    VulnStatus,
};

/// Whether parsed evidence of `kind` may be cached. Written as a `match` without a wildcard:
/// a new kind is not cached until someone decides it is pure data.
pub(crate) fn cached_kind(kind: EvidenceKind) -> bool {
    match kind {
        EvidenceKind::Checksums
        | EvidenceKind::SupportManifest
        | EvidenceKind::VulnRegister
        | EvidenceKind::OsvAdvisory
        | EvidenceKind::OsvScannerScan
        | EvidenceKind::OpenVex
        | EvidenceKind::CsafAdvisory
        | EvidenceKind::TrivyScan
        | EvidenceKind::GrypeScan
        | EvidenceKind::DependabotAlerts
        | EvidenceKind::GithubAdvisory
        | EvidenceKind::SecurityTxt
        | EvidenceKind::Changelog
        | EvidenceKind::Feed
        | EvidenceKind::EndOfLifeData
        | EvidenceKind::TlsScan
        | EvidenceKind::CycloneDxSbom
        | EvidenceKind::SpdxSbom
        | EvidenceKind::NpmAudit
        | EvidenceKind::PipAudit
        | EvidenceKind::CargoAudit
        | EvidenceKind::RustsecAdvisory => true,
        // Parsed and verified on every run.
        EvidenceKind::ReleaseManifest
        | EvidenceKind::Attestation
        | EvidenceKind::PublicKey
        | EvidenceKind::MinisignSignature
        | EvidenceKind::SignifySignature
        | EvidenceKind::OpenPgpSignature
        | EvidenceKind::SigstoreBundle
        | EvidenceKind::DsseEnvelope
        | EvidenceKind::InTotoStatement
        | EvidenceKind::SshSignature
        | EvidenceKind::CosignSignature => false,
    }
}

/// What the cache keeps of one evidence file: its kind and what parsing it gave.
#[derive(Debug, Clone)]
pub(crate) struct CachedEvidence {
    /// The format that claimed the file.
    pub kind: EvidenceKind,
    /// The evidence and the findings of parsing it.
    pub parsed: Parsed,
}

record! { EVIDENCE_SHAPE:
    Parsed { evidence, findings }
    Finding { code, severity, path, line, column, message, help, loc }
    Loc { span, src }
    ChecksumList { entries, pgp_cleartext, base, date, valid_until, unreadable_dates }
    ChecksumEntry { line, algorithm, digest, name, syntax, size }
    SupportManifest { cycles }
    SupportCycle { cycle, released, support_until, eol, eol_announced, lts, line }
    VulnDocument { kind, format, produced_at, statements }
    VulnStatement {
        id, aliases, package, installed, fixed_in, severity, cvss, status, justification,
        discovered, disclosed, fixed_at, line, product_sha256, products, affected, listed,
        fixed_by_release
    }
    StatedCvss { vector, score }
    AffectedPackage {
        ecosystem, name, purl, ranges, versions, patched, unaffected, requirements
    }
    AffectedRange { kind, events }
    Requirement { text, first_patched }
    ListedProduct { list, name, vendor, purl, version, range, pointer }
    AdvisoryDoc { advisory, statements }
    AdvisoryInfo {
        id, format, title, published, updated, vulnerabilities, affected_versions,
        fixed_versions, mitigations
    }
    SecurityTxt {
        contacts, expires, encryption, acknowledgments, preferred_languages, canonical, policy,
        hiring, csaf, signed, line
    }
    Changelog { versions }
    ChangelogVersion { version, date, sections, security, ids, line }
    Feed { format, title, items }
    FeedItem { title, link, published, updated, ids, line }
    TlsScan {
        tool, host, port, protocols, hsts, hsts_max_age, weak_ciphers, scanned_at
    }
    Sbom {
        format, spec_version, created, described, components, files, subject_algorithms,
        subject_malformed, subject_sha512, statements
    }
    Component { name, version, purl, sha256 }
    SbomFile { name, sha256 }
}

choice!(Severity { 0 => Error, 1 => Warning, 2 => Info });
choice!(Algorithm { 0 => Sha256, 1 => Sha512 });
choice!(ChecksumSyntax {
    0 => Gnu, 1 => Bsd, 2 => Bare, 3 => Sri, 4 => DebianRelease, 5 => DebianPackages
});
choice!(SourceKind { 0 => Scan, 1 => Sbom, 2 => Advisory, 3 => Register, 4 => Vex });
choice!(Band { 0 => Info, 1 => Low, 2 => Medium, 3 => High, 4 => Critical });
choice!(VulnStatus { 0 => UnderInvestigation, 1 => Affected, 2 => Fixed, 3 => NotAffected });
choice!(RangeKind { 0 => Semver, 1 => Ecosystem, 2 => Git });
choice!(RangeEvent {
    0 => Introduced(version), 1 => Fixed(version), 2 => LastAffected(version),
    3 => Limit(version)
});
choice!(FeedFormat { 0 => Rss, 1 => Atom, 2 => Rolie });
choice!(TlsTool { 0 => Testssl, 1 => Sslyze });
choice!(SbomFormat { 0 => CycloneDx, 1 => Spdx });

/// The variants of [`Evidence`] written, for the fingerprint.
const EVIDENCE_VARIANTS: &str = "Checksums Support Vulnerabilities Advisory SecurityTxt \
    Changelog Feed TlsScans Sbom";

impl Codec for Evidence {
    fn enc(&self, w: &mut Writer) {
        match self {
            Evidence::Checksums(list) => {
                w.uint(0);
                list.enc(w);
            }
            Evidence::Support(manifest) => {
                w.uint(1);
                manifest.enc(w);
            }
            Evidence::Vulnerabilities(document) => {
                w.uint(2);
                document.enc(w);
            }
            Evidence::Advisory(doc) => {
                w.uint(3);
                doc.enc(w);
            }
            Evidence::SecurityTxt(txt) => {
                w.uint(4);
                txt.enc(w);
            }
            Evidence::Changelog(changelog) => {
                w.uint(5);
                changelog.enc(w);
            }
            Evidence::Feed(feed) => {
                w.uint(6);
                feed.enc(w);
            }
            Evidence::TlsScans(scans) => {
                w.uint(7);
                scans.enc(w);
            }
            Evidence::Sbom(sbom) => {
                w.uint(8);
                sbom.enc(w);
            }
            // Never cached: parsed (and verified) on every run.
            Evidence::Release(_)
            | Evidence::Attestation(_)
            | Evidence::PublicKeys(_)
            | Evidence::Signature(_)
            | Evidence::Envelopes(_) => w.failed = true,
        }
    }

    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
        Ok(match r.tag()? {
            0 => Evidence::Checksums(Codec::dec(r)?),
            1 => Evidence::Support(Codec::dec(r)?),
            2 => Evidence::Vulnerabilities(Codec::dec(r)?),
            3 => Evidence::Advisory(Codec::dec(r)?),
            4 => Evidence::SecurityTxt(Codec::dec(r)?),
            5 => Evidence::Changelog(Codec::dec(r)?),
            6 => Evidence::Feed(Codec::dec(r)?),
            7 => Evidence::TlsScans(Codec::dec(r)?),
            8 => Evidence::Sbom(Codec::dec(r)?),
            _ => return Err(Malformed),
        })
    }
}

impl Codec for EvidenceKind {
    /// Written as its name; only a kind that may be cached is read back.
    fn enc(&self, w: &mut Writer) {
        if !cached_kind(*self) {
            w.failed = true;
        }
        w.blob(self.as_str().as_bytes());
    }

    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
        let name = r.blob()?;
        crate::formats::REGISTRY
            .iter()
            .map(|f| f.kind())
            .find(|k| k.as_str().as_bytes() == name && cached_kind(*k))
            .ok_or(Malformed)
    }
}

impl Codec for FindingCode {
    /// Written as its stable code string.
    fn enc(&self, w: &mut Writer) {
        w.blob(self.as_str().as_bytes());
    }

    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
        let name = r.blob()?;
        FindingCode::ALL
            .iter()
            .find(|c| c.as_str().as_bytes() == name)
            .copied()
            .ok_or(Malformed)
    }
}

impl Codec for SourceSpan {
    fn enc(&self, w: &mut Writer) {
        self.offset().enc(w);
        self.len().enc(w);
    }

    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
        let offset = usize::dec(r)?;
        let len = usize::dec(r)?;
        Ok(SourceSpan::new(offset.into(), len))
    }
}

impl Codec for jiff::civil::Date {
    fn enc(&self, w: &mut Writer) {
        self.year().enc(w);
        self.month().enc(w);
        self.day().enc(w);
    }

    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
        let year = i16::dec(r)?;
        let month = i8::dec(r)?;
        let day = i8::dec(r)?;
        jiff::civil::Date::new(year, month, day).map_err(|_| Malformed)
    }
}

impl Codec for Sha256Digest {
    fn enc(&self, w: &mut Writer) {
        self.0.enc(w);
    }

    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
        Ok(Sha256Digest(Codec::dec(r)?))
    }
}

impl Codec for Sha512Digest {
    fn enc(&self, w: &mut Writer) {
        self.0.enc(w);
    }

    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
        Ok(Sha512Digest(Codec::dec(r)?))
    }
}

/// The text of every encoding of this module, part of the cache's fingerprint: a cache
/// written with another list of fields or variants is not read.
pub(crate) fn shape() -> String {
    format!(
        "{EVIDENCE_SHAPE}\n{EVIDENCE_VARIANTS}\n{}\n{}\n{}",
        super::codec::STATIC_TEXTS.join(" "),
        FindingCode::ALL
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        crate::formats::REGISTRY
            .iter()
            .map(|f| format!("{}={}", f.kind().as_str(), cached_kind(f.kind())))
            .collect::<Vec<_>>()
            .join(" ")
    )
}

/// The cache entry of a file of `kind` whose parse gave `parsed`; `None` when it cannot be
/// cached (a kind never cached, evidence of a kind never cached, a static text the encoding
/// does not know).
pub(crate) fn encode(kind: EvidenceKind, parsed: &Parsed) -> Option<Box<[u8]>> {
    if !cached_kind(kind) {
        return None;
    }
    let mut w = Writer::default();
    kind.enc(&mut w);
    parsed.enc(&mut w);
    (!w.failed).then(|| w.bytes.into_boxed_slice())
}

/// The kind and parse of a cache entry; [`Malformed`] when it does not decode whole.
pub(crate) fn decode(bytes: &[u8]) -> Result<CachedEvidence, Malformed> {
    let mut r = Reader::new(bytes);
    let kind = EvidenceKind::dec(&mut r)?;
    let parsed = Parsed::dec(&mut r)?;
    if !r.is_empty() {
        return Err(Malformed);
    }
    Ok(CachedEvidence { kind, parsed })
}
