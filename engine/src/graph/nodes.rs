//! Node and edge types of the evidence graph.
//!
//! Later evidence (signatures, SBOMs, vulnerabilities, ...) adds a variant here and a
//! format module under `formats/`.

use serde::Serialize;

use crate::digest::Sha256Digest;
use crate::formats::EvidenceKind;
use crate::formats::checksums::{Algorithm, ChecksumSyntax};
use crate::formats::release_toml::ReleaseDate;
use crate::signatures::{SignatureFormat, Verification};
use crate::vulns::{AdvisoryInfo, Band, SourceKind, StatedCvss, VulnStatement, VulnStatus};

/// Where an entity was read from: its file (path and sha256) and line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Source {
    /// Bundle-relative path of the file.
    pub path: String,
    /// The sha256 of that file.
    pub sha256: Sha256Digest,
    /// 1-based line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

/// A regular file of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileNode {
    /// Bundle-relative, `/`-separated path (`\xNN` escapes for bytes that are not UTF-8).
    pub path: String,
    /// Size in bytes, as read.
    pub size: u64,
    /// The sha256 of the bytes read.
    pub sha256: Sha256Digest,
    /// The evidence kind, `None` when unclassified.
    pub kind: Option<EvidenceKind>,
}

/// What a symlink inside the bundle points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SymlinkTarget {
    /// A regular file (linked with a `links-to` edge).
    File,
    /// A directory (not walked again through the link).
    Directory,
    /// Something else (a FIFO, device, ...).
    Other,
}

/// A symlink whose target is inside the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SymlinkNode {
    /// Bundle-relative path of the link.
    pub path: String,
    /// Bundle-relative path of its final target.
    pub target: String,
    /// What the target is.
    pub target_kind: SymlinkTarget,
}

/// A path some evidence names but the bundle does not hold as a readable file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingFileNode {
    /// Bundle-relative path.
    pub path: String,
    /// Why it is missing: `not in the bundle`, or why it could not be read.
    pub reason: String,
}

/// The release (from `release.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseNode {
    /// Product name.
    pub product: String,
    /// Version.
    pub version: String,
    /// Release date or instant.
    pub date: ReleaseDate,
    /// The previous version, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    /// Where it was read from.
    pub source: Source,
}

/// One artifact of a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArtifactNode {
    /// Bundle-relative path.
    pub path: String,
    /// The `artifacts` entry (path or glob) that named it.
    pub pattern: String,
    /// Whether the file is in the bundle.
    pub present: bool,
    /// Where it was listed.
    pub source: Source,
}

/// Whether a checksum entry holds for the file it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChecksumStatus {
    /// The file's digest (and size, when given) is the expected one.
    Match,
    /// The file's digest or size differs.
    Mismatch,
    /// No such file in the bundle.
    Missing,
    /// The file could not be read to compute the digest (a finding says why).
    Error,
}

impl ChecksumStatus {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChecksumStatus::Match => "match",
            ChecksumStatus::Mismatch => "mismatch",
            ChecksumStatus::Missing => "missing",
            ChecksumStatus::Error => "error",
        }
    }
}

/// One line of a checksum file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecksumEntryNode {
    /// The algorithm.
    pub algorithm: Algorithm,
    /// The expected digest, lowercase hex.
    pub digest: String,
    /// The name as written.
    pub name: String,
    /// The bundle path it resolves to (relative to the checksum file's directory);
    /// `None` when it leaves the bundle.
    pub path: Option<String>,
    /// How the line was written.
    pub syntax: ChecksumSyntax,
    /// The expected size (`distinfo` `SIZE` lines).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Whether the line sits inside an OpenPGP cleartext-signed message.
    pub signed_cleartext: bool,
    /// The verification result.
    pub status: ChecksumStatus,
    /// Where it was read from.
    pub source: Source,
}

/// A URL the release is distributed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DistributionNode {
    /// The URL as written.
    pub url: String,
    /// Its scheme, lowercase (`https`, `http`, ...); empty when the URL has none.
    pub scheme: String,
    /// Its host, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The last path segment (the downloaded file's name), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// Where it was read from.
    pub source: Source,
}

/// A support cycle (from `support.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupportCycleNode {
    /// The cycle name (`2.4`).
    pub cycle: String,
    /// When the cycle was first released.
    pub released: jiff::civil::Date,
    /// End of active support.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support_until: Option<jiff::civil::Date>,
    /// End of life (end of security fixes); `None` when not announced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eol: Option<jiff::civil::Date>,
    /// When the end of life was announced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eol_announced: Option<jiff::civil::Date>,
    /// Long-term support.
    pub lts: bool,
    /// Where it was read from.
    pub source: Source,
}

/// A person's attestation (from an attestation TOML file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttestationNode {
    /// The control id it attests, if it names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// What is attested (empty when only `statement_sha256` is given).
    pub statement: String,
    /// The sha256 of the control's statement, when the attestation gives it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement_sha256: Option<String>,
    /// Who attests it.
    pub attested_by: String,
    /// When.
    pub date: jiff::Timestamp,
    /// References to supporting evidence.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// Where it was read from.
    pub source: Source,
}

/// One signature and the outcome of verifying it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatureNode {
    /// The format.
    pub format: SignatureFormat,
    /// Bundle path of the file it signs (`None` when it names no file of the bundle).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed: Option<String>,
    /// The outcome of verifying it, with the signer, key and time where known.
    #[serde(flatten)]
    pub verification: Verification,
    /// The signature file (path, sha256; line where the format has lines).
    pub source: Source,
}

/// Build provenance: an in-toto statement naming artifacts by digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProvenanceNode {
    /// The statement's `predicateType`.
    pub predicate_type: String,
    /// The builder id, where the predicate names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub builder: Option<String>,
    /// The subjects: names and sha256 digests as the statement gives them.
    pub subjects: Vec<ProvenanceSubject>,
    /// Whether a signature over the statement verifies with a trusted key, or keyless
    /// against a Sigstore trusted root.
    pub verified: bool,
    /// When only a keyless signature verifies it: the certificate identity (SAN).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// When only a keyless signature verifies it: the certificate's OIDC issuer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The statement or envelope file.
    pub source: Source,
}

/// One subject of an in-toto statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProvenanceSubject {
    /// The name as written.
    pub name: String,
    /// Its sha256, when the statement gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<Sha256Digest>,
    /// Its sha512, when the statement gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha512: Option<crate::digest::Sha512Digest>,
}

/// What one evidence file says about one vulnerability.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VulnStatementNode {
    /// The kind of source.
    pub kind: SourceKind,
    /// The format of the source file (`osv-scanner`, `openvex`, ...).
    pub format: &'static str,
    /// What it says.
    #[serde(flatten)]
    pub statement: VulnStatement,
    /// The source file (and line).
    pub source: Source,
}

/// One vulnerability, merged from every statement naming it by id or alias.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VulnerabilityNode {
    /// Primary id (a CVE where one is known). Written `vulnerability` in the graph's JSON,
    /// where `id` is the node's.
    #[serde(rename = "vulnerability")]
    pub id: String,
    /// Other ids.
    pub aliases: Vec<String>,
    /// The severity band: as stated, else the band of the CVSS score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Band>,
    /// The CVSS base score, computed from the vector (the stated score where the vector
    /// cannot be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss_score: Option<f64>,
    /// The CVSS vector (and stated score).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss: Option<StatedCvss>,
    /// Status for the product.
    pub status: VulnStatus,
    /// Why it is not affected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// When the producer learnt of it (for an open third-party finding with no recorded
    /// discovery: its publication, see `discovered_from`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discovered: Option<jiff::Timestamp>,
    /// Where `discovered` comes from: `register` (a register, Dependabot alert or VEX
    /// statement records it), `advisory` (an advisory or scan states it) or `publication`
    /// (an open third-party finding with no recorded discovery: the SLA clock starts when its
    /// advisory was published).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discovered_from: Option<&'static str>,
    /// When it was made public.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disclosed: Option<jiff::Timestamp>,
    /// When a fix was released.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_at: Option<jiff::Timestamp>,
    /// The fixing version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_in: Option<String>,
}

/// A published security advisory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdvisoryNode {
    /// What the advisory says of itself.
    #[serde(flatten)]
    pub advisory: AdvisoryInfo,
    /// The advisory file.
    pub source: Source,
}

/// A security.txt (RFC 9116): its fields, and whether it is cleartext-signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecurityTxtNode {
    /// The fields as read.
    #[serde(flatten)]
    pub content: crate::formats::security_txt::SecurityTxt,
    /// The file (line of its first field).
    pub source: Source,
}

/// A changelog (CHANGELOG.md and similar): its versions, newest first as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangelogNode {
    /// The versions, in file order.
    pub versions: Vec<crate::formats::changelog::ChangelogVersion>,
    /// The file.
    pub source: Source,
}

/// An advisory feed (RSS 2.0, Atom, CSAF ROLIE) and its items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedNode {
    /// The feed as read.
    #[serde(flatten)]
    pub feed: crate::formats::feed::Feed,
    /// The file.
    pub source: Source,
}

/// One scanned host of a TLS scan (testssl.sh, SSLyze).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TlsScanNode {
    /// What the scan found for the host.
    #[serde(flatten)]
    pub scan: crate::formats::tls_scan::TlsScan,
    /// The scan file.
    pub source: Source,
}

/// A vulnerability scan (OSV-Scanner, Trivy, Grype): when it ran and what it found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VulnScanNode {
    /// The scanner's output format: `osv-scanner`, `trivy` or `grype`.
    pub format: &'static str,
    /// When the scan ran, where the output says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scanned_at: Option<jiff::Timestamp>,
    /// How many vulnerability statements it holds.
    pub findings: usize,
    /// The scan file.
    pub source: Source,
}

/// A software bill of materials.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SbomNode {
    /// The format.
    pub format: crate::formats::sbom::SbomFormat,
    /// The format version (`1.6`, `2.3`, `3.0.1`; empty when the document does not say).
    pub spec_version: String,
    /// When it was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<jiff::Timestamp>,
    /// What it describes, the subject first.
    pub described: Vec<crate::formats::sbom::Component>,
    /// The components it lists besides what it describes, sorted.
    pub components: Vec<crate::formats::sbom::Component>,
    /// Files it lists with a SHA-256 (SPDX `files`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<crate::formats::sbom::SbomFile>,
    /// The SBOM file.
    pub source: Source,
}

/// How an SBOM was linked to an artifact, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SbomLink {
    /// A SHA-256 it states for what it describes is the artifact's.
    Digest,
    /// Its subject's name and version match the artifact's file name or the release.
    NameVersion,
    /// Its file name is the artifact's plus `.cdx.json`, `.spdx.json`, `.sbom.json`, ...
    FileName,
}

impl SbomLink {
    /// The kebab-case name policies see.
    pub fn as_str(self) -> &'static str {
        match self {
            SbomLink::Digest => "digest",
            SbomLink::NameVersion => "name-version",
            SbomLink::FileName => "file-name",
        }
    }
}

/// A node of the evidence graph.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Node {
    /// A regular file.
    File(Box<FileNode>),
    /// A symlink to something inside the bundle.
    Symlink(Box<SymlinkNode>),
    /// A path named by evidence but absent.
    MissingFile(Box<MissingFileNode>),
    /// The release.
    Release(Box<ReleaseNode>),
    /// A release artifact.
    Artifact(Box<ArtifactNode>),
    /// A checksum line.
    ChecksumEntry(Box<ChecksumEntryNode>),
    /// A distribution URL.
    Distribution(Box<DistributionNode>),
    /// A support cycle.
    SupportCycle(Box<SupportCycleNode>),
    /// An attestation.
    Attestation(Box<AttestationNode>),
    /// A signature.
    Signature(Box<SignatureNode>),
    /// Build provenance.
    Provenance(Box<ProvenanceNode>),
    /// One statement about a vulnerability.
    VulnStatement(Box<VulnStatementNode>),
    /// A vulnerability, merged across statements.
    Vulnerability(Box<VulnerabilityNode>),
    /// A published advisory.
    Advisory(Box<AdvisoryNode>),
    /// A security.txt.
    SecurityTxt(Box<SecurityTxtNode>),
    /// A changelog.
    Changelog(Box<ChangelogNode>),
    /// An advisory feed.
    Feed(Box<FeedNode>),
    /// One host of a TLS scan.
    TlsScan(Box<TlsScanNode>),
    /// A vulnerability scan.
    VulnScan(Box<VulnScanNode>),
    /// A software bill of materials.
    Sbom(Box<SbomNode>),
}

// Every variant is boxed: a bundle holds a node per file, checksum line, statement and
// vulnerability, and the graph's node vector is as wide as its widest variant (200 bytes a
// node before; 100,000 OSV advisories make 500,000 nodes).
const _: () = assert!(std::mem::size_of::<Node>() <= 16);

/// The kind of a node, without its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    /// [`Node::File`].
    File,
    /// [`Node::Symlink`].
    Symlink,
    /// [`Node::MissingFile`].
    MissingFile,
    /// [`Node::Release`].
    Release,
    /// [`Node::Artifact`].
    Artifact,
    /// [`Node::ChecksumEntry`].
    ChecksumEntry,
    /// [`Node::Distribution`].
    Distribution,
    /// [`Node::SupportCycle`].
    SupportCycle,
    /// [`Node::Attestation`].
    Attestation,
    /// [`Node::Signature`].
    Signature,
    /// [`Node::Provenance`].
    Provenance,
    /// [`Node::VulnStatement`].
    VulnStatement,
    /// [`Node::Vulnerability`].
    Vulnerability,
    /// [`Node::Advisory`].
    Advisory,
    /// [`Node::SecurityTxt`].
    SecurityTxt,
    /// [`Node::Changelog`].
    Changelog,
    /// [`Node::Feed`].
    Feed,
    /// [`Node::TlsScan`].
    TlsScan,
    /// [`Node::VulnScan`].
    VulnScan,
    /// [`Node::Sbom`].
    Sbom,
}

impl Node {
    /// The node's kind.
    pub fn kind(&self) -> NodeKind {
        match self {
            Node::File(_) => NodeKind::File,
            Node::Symlink(_) => NodeKind::Symlink,
            Node::MissingFile(_) => NodeKind::MissingFile,
            Node::Release(_) => NodeKind::Release,
            Node::Artifact(_) => NodeKind::Artifact,
            Node::ChecksumEntry(_) => NodeKind::ChecksumEntry,
            Node::Distribution(_) => NodeKind::Distribution,
            Node::SupportCycle(_) => NodeKind::SupportCycle,
            Node::Attestation(_) => NodeKind::Attestation,
            Node::Signature(_) => NodeKind::Signature,
            Node::Provenance(_) => NodeKind::Provenance,
            Node::VulnStatement(_) => NodeKind::VulnStatement,
            Node::Vulnerability(_) => NodeKind::Vulnerability,
            Node::Advisory(_) => NodeKind::Advisory,
            Node::SecurityTxt(_) => NodeKind::SecurityTxt,
            Node::Changelog(_) => NodeKind::Changelog,
            Node::Feed(_) => NodeKind::Feed,
            Node::TlsScan(_) => NodeKind::TlsScan,
            Node::VulnScan(_) => NodeKind::VulnScan,
            Node::Sbom(_) => NodeKind::Sbom,
        }
    }

    /// Where an entity came from; `None` for files, symlinks, missing files and merged
    /// vulnerabilities (whose statements each have one).
    pub fn source(&self) -> Option<&Source> {
        match self {
            Node::File(_) | Node::Symlink(_) | Node::MissingFile(_) => None,
            Node::Release(n) => Some(&n.source),
            Node::Artifact(n) => Some(&n.source),
            Node::ChecksumEntry(n) => Some(&n.source),
            Node::Distribution(n) => Some(&n.source),
            Node::SupportCycle(n) => Some(&n.source),
            Node::Attestation(n) => Some(&n.source),
            Node::Signature(n) => Some(&n.source),
            Node::Provenance(n) => Some(&n.source),
            Node::VulnStatement(n) => Some(&n.source),
            Node::Vulnerability(_) => None,
            Node::Advisory(n) => Some(&n.source),
            Node::SecurityTxt(n) => Some(&n.source),
            Node::Changelog(n) => Some(&n.source),
            Node::Feed(n) => Some(&n.source),
            Node::TlsScan(n) => Some(&n.source),
            Node::VulnScan(n) => Some(&n.source),
            Node::Sbom(n) => Some(&n.source),
        }
    }
}

impl NodeKind {
    /// The kebab-case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::File => "file",
            NodeKind::Symlink => "symlink",
            NodeKind::MissingFile => "missing-file",
            NodeKind::Release => "release",
            NodeKind::Artifact => "artifact",
            NodeKind::ChecksumEntry => "checksum-entry",
            NodeKind::Distribution => "distribution",
            NodeKind::SupportCycle => "support-cycle",
            NodeKind::Attestation => "attestation",
            NodeKind::Signature => "signature",
            NodeKind::Provenance => "provenance",
            NodeKind::VulnStatement => "vuln-statement",
            NodeKind::Vulnerability => "vulnerability",
            NodeKind::Advisory => "advisory",
            NodeKind::SecurityTxt => "security-txt",
            NodeKind::Changelog => "changelog",
            NodeKind::Feed => "feed",
            NodeKind::TlsScan => "tls-scan",
            NodeKind::VulnScan => "vuln-scan",
            NodeKind::Sbom => "sbom",
        }
    }
}

/// A typed edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Edge {
    /// entity -> the file it was parsed from.
    DefinedIn,
    /// checksum entry -> the file (or missing file) it names.
    ChecksumOf {
        /// The verification result.
        status: ChecksumStatus,
    },
    /// release -> artifact.
    ListsArtifact,
    /// artifact -> its file (or missing file).
    ArtifactFile,
    /// release -> distribution URL.
    DistributedAt,
    /// distribution URL -> the artifact whose file name it ends with.
    Distributes,
    /// symlink -> the file it points to.
    LinksTo,
    /// release -> its support cycle.
    InCycle,
    /// signature -> the file (or missing file) it signs.
    Signs,
    /// provenance -> a file whose sha256 (or sha512) is one of its subjects' digests.
    Attests,
    /// vulnerability statement -> the merged vulnerability it is about.
    Describes,
    /// advisory -> a vulnerability it covers.
    Covers,
    /// SBOM -> the artifact file it describes.
    SbomOf {
        /// How the link was made.
        by: SbomLink,
    },
}

impl Edge {
    /// The kebab-case name used in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            Edge::DefinedIn => "defined-in",
            Edge::ChecksumOf { .. } => "checksum-of",
            Edge::ListsArtifact => "lists-artifact",
            Edge::ArtifactFile => "artifact-file",
            Edge::DistributedAt => "distributed-at",
            Edge::Distributes => "distributes",
            Edge::LinksTo => "links-to",
            Edge::InCycle => "in-cycle",
            Edge::Signs => "signs",
            Edge::Attests => "attests",
            Edge::Describes => "describes",
            Edge::Covers => "covers",
            Edge::SbomOf { .. } => "sbom-of",
        }
    }
}

/// A path that is not evidence of a known kind, or could not be used, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Unclassified {
    /// Bundle-relative path.
    pub path: String,
    /// Why (one line, lowercase).
    pub reason: String,
}

#[cfg(test)]
mod tests {
    /// Nodes are many (one per file and entity): every variant is boxed to keep them small.
    #[test]
    fn nodes_stay_small() {
        assert_eq!(std::mem::size_of::<super::Node>(), 16);
    }
}
