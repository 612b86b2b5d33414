//! Vulnerabilities: what each piece of evidence says about one vulnerability (a
//! [`VulnStatement`]), and how statements about the same vulnerability are merged.
//!
//! Scans, advisories, VEX documents, SBOMs with embedded vulnerabilities and registers each
//! yield statements. Statements name a vulnerability by an id and aliases (CVE, GHSA, OSV,
//! vendor ids); two statements sharing any id, directly or through others, are about one
//! vulnerability ([`merge`]). The merged view takes dates from the earliest statement that
//! gives them and the status from the most authoritative source (a VEX statement over a
//! register over an advisory over a scan), and reports where sources contradict each other.

pub mod cycles;
pub mod listed;
mod merge;
pub mod ranges;

use jiff::Timestamp;
use serde::Serialize;

pub use merge::{Conflict, MergedVuln, merge};

/// What kind of evidence a statement comes from, least authoritative on status first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A scanner's output (OSV-Scanner, Trivy, Grype).
    Scan,
    /// Vulnerabilities embedded in an SBOM.
    Sbom,
    /// A published advisory (CSAF, OSV).
    Advisory,
    /// A vulnerability register (Dependabot alerts, vouch's TOML register).
    Register,
    /// A VEX statement (OpenVEX, CycloneDX VEX, CSAF VEX).
    Vex,
}

impl SourceKind {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Scan => "scan",
            SourceKind::Sbom => "sbom",
            SourceKind::Advisory => "advisory",
            SourceKind::Register => "register",
            SourceKind::Vex => "vex",
        }
    }
}

/// A severity band, lowest first (the language's `severity` enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Band {
    /// Informational (CVSS 0.0, "none").
    Info,
    /// Low.
    Low,
    /// Medium (or "moderate").
    Medium,
    /// High (or "important").
    High,
    /// Critical.
    Critical,
}

impl Band {
    /// The name policies see.
    pub fn as_str(self) -> &'static str {
        match self {
            Band::Info => "info",
            Band::Low => "low",
            Band::Medium => "medium",
            Band::High => "high",
            Band::Critical => "critical",
        }
    }

    /// Reads a severity word as tools write it (case-insensitive): `critical`, `high`,
    /// `important`, `medium`, `moderate`, `low`, `info`, `informational`, `none`,
    /// `negligible`. `unknown` and anything else give `None`.
    pub fn parse(word: &str) -> Option<Band> {
        Some(match word.trim().to_ascii_lowercase().as_str() {
            "critical" => Band::Critical,
            "high" | "important" => Band::High,
            "medium" | "moderate" => Band::Medium,
            "low" => Band::Low,
            "info" | "informational" | "none" | "negligible" => Band::Info,
            _ => return None,
        })
    }

    /// The band of a CVSS base score (v3 and v4 share the bands).
    pub fn of_score(score: f64) -> Band {
        if score >= 9.0 {
            Band::Critical
        } else if score >= 7.0 {
            Band::High
        } else if score >= 4.0 {
            Band::Medium
        } else if score > 0.0 {
            Band::Low
        } else {
            Band::Info
        }
    }
}

/// Where a vulnerability stands for the product (VEX statuses; the language's
/// `vuln_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VulnStatus {
    /// Being looked at.
    UnderInvestigation,
    /// The product is affected.
    Affected,
    /// Fixed in this product.
    Fixed,
    /// The product is not affected.
    NotAffected,
}

impl VulnStatus {
    /// The name policies see.
    pub fn as_str(self) -> &'static str {
        match self {
            VulnStatus::UnderInvestigation => "under_investigation",
            VulnStatus::Affected => "affected",
            VulnStatus::Fixed => "fixed",
            VulnStatus::NotAffected => "not_affected",
        }
    }

    /// Reads a VEX status as OpenVEX, CycloneDX (`analysis.state`) and CSAF write it.
    pub fn parse(word: &str) -> Option<VulnStatus> {
        Some(match word.trim().to_ascii_lowercase().as_str() {
            "under_investigation" | "in_triage" | "under investigation" => {
                VulnStatus::UnderInvestigation
            }
            "affected" | "exploitable" | "known_affected" => VulnStatus::Affected,
            "fixed" | "resolved" | "resolved_with_pedigree" => VulnStatus::Fixed,
            "not_affected" | "false_positive" | "known_not_affected" => VulnStatus::NotAffected,
            _ => return None,
        })
    }
}

/// A CVSS vector as evidence states it, with the score it states (if any).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatedCvss {
    /// The vector, as written.
    pub vector: String,
    /// The base score the evidence states beside it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

/// What one piece of evidence says about one vulnerability.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct VulnStatement {
    /// The id the evidence gives first (a CVE, GHSA, OSV or vendor id). Written
    /// `vulnerability` in the graph's JSON, where `id` is the node's.
    #[serde(rename = "vulnerability")]
    pub id: String,
    /// Other ids it gives for the same vulnerability.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The affected package (name or purl), where given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// The installed (affected) version, where given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installed: Option<String>,
    /// The version that fixes it, where given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_in: Option<String>,
    /// A severity word the evidence states.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Band>,
    /// CVSS vectors it states, best first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cvss: Vec<StatedCvss>,
    /// Its status for the product (VEX, registers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<VulnStatus>,
    /// Why it is `not_affected` (VEX justification or impact statement).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// When the producer learnt of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discovered: Option<Timestamp>,
    /// When it was made public.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disclosed: Option<Timestamp>,
    /// When a fix was released.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_at: Option<Timestamp>,
    /// 1-based line in the source file, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The SHA-256 digests a VEX statement states for its products (OpenVEX
    /// `products[].hashes`): the digest rule judges them against the artifacts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub product_sha256: Vec<crate::digest::Sha256Digest>,
    /// Other names of the products the statement is about, when the format names them apart
    /// from `package` (CSAF: the full product name, purl and CPE of each product whose
    /// listing decided the status): a VEX statement covers the release when `package` or one
    /// of these names it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<String>,
    /// The affected packages and their version ranges, as an advisory states them (OSV
    /// `affected[]`, RustSec `[versions]`): what decides the status for the release's version
    /// when the advisory is about the product.
    #[serde(skip)]
    pub affected: Vec<ranges::AffectedPackage>,
    /// The products of its status lists that are named by version or version range (CSAF
    /// `product_version`, `product_version_range` branches): when one of the release's
    /// product is a range, they decide the status for the release's version ([`listed`]).
    #[serde(skip)]
    pub listed: Vec<listed::ListedProduct>,
    /// Whether the release is the fixing version this statement's ranges name (set when they
    /// are judged for the release's version): the release's date is then when the fix was
    /// released, unless evidence states a fix date.
    #[serde(skip)]
    pub fixed_by_release: bool,
}

impl VulnStatement {
    /// A statement about `id`, with nothing else known yet.
    pub fn new(id: impl Into<String>) -> Self {
        VulnStatement {
            id: id.into(),
            ..VulnStatement::default()
        }
    }

    /// Adds a CVSS vector the evidence states, with its score: only v3 and v4 vectors (those
    /// starting `CVSS:`), and each vector once (the first score stated with it is kept).
    pub fn add_cvss(&mut self, vector: &str, score: Option<f64>) {
        let vector = vector.trim();
        if vector.starts_with("CVSS:") && !self.cvss.iter().any(|c| c.vector == vector) {
            self.cvss.push(StatedCvss {
                vector: vector.to_owned(),
                score: score.filter(|s| s.is_finite()),
            });
        }
    }

    /// Frees the spare capacity its lists grew with while read (see
    /// [`VulnDocument::shrink_to_fit`]).
    pub fn shrink_to_fit(&mut self) {
        self.aliases.shrink_to_fit();
        self.cvss.shrink_to_fit();
        self.product_sha256.shrink_to_fit();
        self.products.shrink_to_fit();
        self.affected.shrink_to_fit();
        for package in &mut self.affected {
            package.shrink_to_fit();
        }
    }

    /// Adds an alias unless the statement already names that id (case-insensitively).
    pub fn add_alias(&mut self, alias: &str) {
        let alias = alias.trim();
        if !alias.is_empty() && !self.ids().iter().any(|id| id.eq_ignore_ascii_case(alias)) {
            self.aliases.push(alias.to_owned());
        }
    }

    /// Every id of the statement, primary first, without duplicates (case-insensitively).
    pub fn ids(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::with_capacity(1 + self.aliases.len());
        for id in std::iter::once(&self.id).chain(&self.aliases) {
            let id = id.trim();
            if !id.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(id)) {
                out.push(id);
            }
        }
        out
    }
}

/// A document of vulnerability statements: a scan's results, a VEX document, a register.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VulnDocument {
    /// What kind of source it is.
    pub kind: SourceKind,
    /// The format, e.g. `osv-scanner`, `trivy`, `openvex`, `dependabot`.
    pub format: &'static str,
    /// When the document was produced (scan time, VEX timestamp), where it says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub produced_at: Option<Timestamp>,
    /// The statements, in document order.
    pub statements: Vec<VulnStatement>,
}

impl VulnDocument {
    /// Frees the spare capacity its lists grew with while read: ingestion holds every
    /// document of the bundle at once (100,000 advisories for a large one) until the graph
    /// is built.
    pub fn shrink_to_fit(&mut self) {
        self.statements.shrink_to_fit();
        for s in &mut self.statements {
            s.shrink_to_fit();
        }
    }
}

/// A published security advisory: what it is, and what it says about each vulnerability.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdvisoryDoc {
    /// The advisory itself.
    pub advisory: AdvisoryInfo,
    /// Its statements about vulnerabilities (kind `advisory`, or `vex` for CSAF VEX).
    pub statements: VulnDocument,
}

/// The facts of an advisory that policies see (the `Advisory` record).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct AdvisoryInfo {
    /// The advisory's id (CSAF `tracking.id`, OSV `id`). Written `advisory` in the graph's
    /// JSON, where `id` is the node's.
    #[serde(rename = "advisory")]
    pub id: String,
    /// `csaf` or `osv`.
    pub format: &'static str,
    /// Its title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// When it was first published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<Timestamp>,
    /// When it was last updated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<Timestamp>,
    /// The ids of the vulnerabilities it covers, sorted.
    pub vulnerabilities: Vec<String>,
    /// Affected versions or ranges (product names, `introduced`..`fixed` ranges), sorted.
    pub affected_versions: Vec<String>,
    /// Versions (or products) that fix them, sorted.
    pub fixed_versions: Vec<String>,
    /// Mitigations and workarounds, in document order.
    pub mitigations: Vec<String>,
}

impl AdvisoryInfo {
    /// Frees the spare capacity its lists grew with: the graph keeps one per advisory.
    pub fn shrink_to_fit(&mut self) {
        for list in [
            &mut self.vulnerabilities,
            &mut self.affected_versions,
            &mut self.fixed_versions,
            &mut self.mitigations,
        ] {
            list.shrink_to_fit();
        }
    }
}

/// The id that names a group of ids: a CVE when there is one, else a GHSA, else the first
/// in sorted order (all compared upper-cased).
pub fn primary_id<'a>(ids: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut ids: Vec<String> = ids.into_iter().map(str::to_ascii_uppercase).collect();
    ids.sort();
    ids.dedup();
    let rank = |id: &str| {
        if id.starts_with("CVE-") {
            0
        } else if id.starts_with("GHSA-") {
            1
        } else {
            2
        }
    };
    ids.into_iter()
        .min_by(|a, b| (rank(a), a).cmp(&(rank(b), b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_read_the_words_tools_use() {
        assert_eq!(Band::parse("IMPORTANT"), Some(Band::High));
        assert_eq!(Band::parse("Moderate"), Some(Band::Medium));
        assert_eq!(Band::parse("negligible"), Some(Band::Info));
        assert_eq!(Band::parse("unknown"), None);
        assert_eq!(Band::of_score(9.0), Band::Critical);
        assert_eq!(Band::of_score(8.9), Band::High);
        assert_eq!(Band::of_score(0.1), Band::Low);
        assert_eq!(Band::of_score(0.0), Band::Info);
    }

    #[test]
    fn primary_id_prefers_cve_then_ghsa() {
        assert_eq!(
            primary_id(["GHSA-xxxx-yyyy-zzzz", "cve-2024-1", "OSV-1"]).as_deref(),
            Some("CVE-2024-1")
        );
        assert_eq!(
            primary_id(["RUSTSEC-2021-0078", "GHSA-a"]).as_deref(),
            Some("GHSA-A")
        );
        assert_eq!(primary_id(Vec::<&str>::new()), None);
    }

    #[test]
    fn cvss_and_aliases_are_added_once() {
        let mut s = VulnStatement::new("GHSA-1");
        s.add_cvss("CVSS:3.1/AV:N", Some(5.0));
        s.add_cvss("CVSS:3.1/AV:N", Some(6.0));
        s.add_cvss("AV:N/AC:M/Au:N/C:P/I:P/A:N", Some(5.8));
        assert_eq!(s.cvss.len(), 1);
        assert_eq!(s.cvss[0].score, Some(5.0));
        s.add_alias("ghsa-1");
        s.add_alias("CVE-2");
        s.add_alias("cve-2");
        assert_eq!(s.aliases, ["CVE-2"]);
    }

    #[test]
    fn ids_drop_duplicates_and_blanks() {
        let mut s = VulnStatement::new("CVE-1");
        s.aliases = vec!["cve-1".into(), " ".into(), "GHSA-2".into()];
        assert_eq!(s.ids(), ["CVE-1", "GHSA-2"]);
    }
}
