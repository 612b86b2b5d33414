//! Software bills of materials: CycloneDX JSON ([`cyclonedx`]) and SPDX JSON ([`spdx`]).
//!
//! Both formats are read into one [`Sbom`]: what it describes (its subject), when it was
//! made, the components it lists, and the file digests it states (for linking it to the
//! artifact it describes). CycloneDX documents may also carry vulnerabilities, read into
//! statements ([`Sbom::statements`]); a CycloneDX document with vulnerabilities and nothing
//! to describe (a VEX document) yields the statements alone.
//!
//! SBOMs can be big (a container image's lists 100,000 components). They are deserialized
//! straight into typed structs whose strings are borrowed from the file
//! (`formats/lenient.rs`), never into a `serde_json::Value` tree, and parse up to
//! [`MAX_PARSE_SIZE`].

pub mod cyclonedx;
pub mod spdx;
mod spdx3;

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use super::Parsed;
use super::lenient::{Many, Obj, Text};
use crate::digest::Sha256Digest;
use crate::finding::{Finding, FindingCode};
use crate::vulns::VulnDocument;

/// SBOMs parse up to 256 MiB; a larger one is classified and hashed, not parsed (a
/// `too-large-to-parse` finding).
pub const MAX_PARSE_SIZE: u64 = 256 * 1024 * 1024;

/// Problems of one kind reported one by one per file; the rest are counted in one finding.
const MAX_REPORTED: usize = 10;

/// The format of an SBOM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SbomFormat {
    /// CycloneDX JSON.
    #[serde(rename = "cyclonedx")]
    CycloneDx,
    /// SPDX JSON (2.2, 2.3) or SPDX 3 JSON-LD.
    Spdx,
}

impl SbomFormat {
    /// The name policies see: `cyclonedx` or `spdx`.
    pub fn as_str(self) -> &'static str {
        match self {
            SbomFormat::CycloneDx => "cyclonedx",
            SbomFormat::Spdx => "spdx",
        }
    }
}

/// A component (CycloneDX) or package (SPDX) an SBOM lists or describes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Component {
    /// Its name.
    pub name: String,
    /// Its version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Its package URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// Its SHA-256, where the SBOM states one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<Sha256Digest>,
}

/// A file an SBOM lists with its SHA-256 (SPDX `files[]`), for linking.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SbomFile {
    /// The file name as written.
    pub name: String,
    /// Its SHA-256.
    pub sha256: Sha256Digest,
}

/// One SBOM document.
#[derive(Debug, Clone, PartialEq)]
pub struct Sbom {
    /// The format.
    pub format: SbomFormat,
    /// The format version, e.g. `1.6` or `2.3` (empty when the document does not say).
    pub spec_version: String,
    /// When it was made (CycloneDX `metadata.timestamp`, SPDX `creationInfo.created`).
    pub created: Option<Timestamp>,
    /// What it describes, first the subject: CycloneDX `metadata.component`; the packages
    /// (or files) an SPDX document `DESCRIBES` or names as root elements.
    pub described: Vec<Component>,
    /// The components it lists besides what it describes, sorted, without duplicates.
    pub components: Vec<Component>,
    /// Files listed with a SHA-256 (SPDX), sorted.
    pub files: Vec<SbomFile>,
    /// The algorithms other than SHA-256 what it describes states digests in (CycloneDX
    /// `metadata.component.hashes[].alg`, SPDX 2 `checksums[].algorithm`, as written,
    /// sorted): digests vouch does not compare, which neither link nor refuse a link.
    pub subject_algorithms: Vec<String>,
    /// SHA-256 and SHA-512 values stated for what it describes that are not digests (as
    /// written, sorted): a document that states one cannot be linked to an artifact by name.
    pub subject_malformed: Vec<String>,
    /// The SHA-512 digests stated for what it describes (CycloneDX `SHA-512` hashes, SPDX 2
    /// `SHA512` checksums), sorted: they link it to an artifact whose SHA-512 they are, and
    /// refuse a link to one whose SHA-512 they are not.
    pub subject_sha512: Vec<crate::digest::Sha512Digest>,
    /// Vulnerabilities it carries (CycloneDX), as statements.
    pub statements: Option<VulnDocument>,
}

impl Sbom {
    /// The subject: the first thing it describes.
    pub fn subject(&self) -> Option<&Component> {
        self.described.first()
    }
}

/// A JSON pointer built as a reader walks down a document, written out only for a finding.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ptr<'p> {
    /// The document itself.
    Root,
    /// A key of the object at the parent.
    Key(&'p Ptr<'p>, &'static str),
    /// An index into the array at the parent.
    Index(&'p Ptr<'p>, usize),
}

impl<'p> Ptr<'p> {
    /// The pointer to `key` under this one.
    pub fn key(&'p self, key: &'static str) -> Ptr<'p> {
        Ptr::Key(self, key)
    }

    /// The pointer to element `i` under this one.
    pub fn at(&'p self, i: usize) -> Ptr<'p> {
        Ptr::Index(self, i)
    }
}

impl std::fmt::Display for Ptr<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ptr::Root => Ok(()),
            Ptr::Key(parent, key) => write!(f, "{parent}/{key}"),
            Ptr::Index(parent, i) => write!(f, "{parent}/{i}"),
        }
    }
}

/// The findings of one SBOM file, with repeated problems capped per kind.
#[derive(Debug)]
pub(crate) struct Issues<'p> {
    path: &'p str,
    findings: Vec<Finding>,
    /// How many problems of each kind (keyed by code and a short tag) were seen.
    counts: BTreeMap<(FindingCode, &'static str), usize>,
}

impl<'p> Issues<'p> {
    pub fn new(path: &'p str) -> Self {
        Issues {
            path,
            findings: Vec::new(),
            counts: BTreeMap::new(),
        }
    }

    /// Records a finding at JSON pointer `at`; problems of one `tag` past the first ten
    /// are only counted.
    pub fn add(
        &mut self,
        code: FindingCode,
        tag: &'static str,
        at: impl std::fmt::Display,
        message: String,
    ) {
        let seen = self.counts.entry((code, tag)).or_insert(0);
        *seen = seen.saturating_add(1);
        if *seen <= MAX_REPORTED {
            let mut at = at.to_string();
            if at.is_empty() {
                at.push('/');
            }
            self.findings.push(Finding::new(
                code,
                Some(self.path),
                format!("{at}: {message}"),
            ));
        }
    }

    /// Records that the value at `at` has the wrong JSON type.
    pub fn wrong_type(&mut self, at: impl std::fmt::Display, expected: &str, found: &str) {
        self.add(
            FindingCode::InvalidValue,
            "type",
            at,
            format!("expected {expected}, found {found}; ignored"),
        );
    }

    /// The string at `at` (trimmed, non-empty); a finding when it is not a string.
    pub fn text<'t>(&mut self, value: &'t Text<'_>, at: Ptr<'_>) -> Option<&'t str> {
        if let Some(found) = value.wrong() {
            self.wrong_type(at, "a string", found);
        }
        value.get()
    }

    /// The object at `at`; a finding when it is something else.
    pub fn obj<'t, T>(&mut self, value: &'t Obj<T>, at: Ptr<'_>) -> Option<&'t T> {
        if let Some(found) = value.wrong() {
            self.wrong_type(at, "an object", found);
        }
        value.get()
    }

    /// The elements of the array at `at`; a finding when it is something else.
    pub fn many<'t, T>(&mut self, value: &'t Many<T>, at: Ptr<'_>) -> &'t [T] {
        if let Some(found) = value.wrong() {
            self.wrong_type(at, "an array", found);
        }
        value.items()
    }

    /// Records one finding as is.
    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// Reads a date-time: a finding when it is not one (or has no zone: read as UTC).
    pub fn instant(&mut self, text: Option<&str>, at: Ptr<'_>) -> Option<Timestamp> {
        use super::json_util::{When, when};
        let text = text?;
        match when(text) {
            Some(When::Exact(t)) => Some(t),
            Some(When::AssumedUtc(t)) => {
                self.add(
                    FindingCode::DateWithoutZone,
                    "date",
                    at,
                    format!("`{text}` has no time zone; read as UTC"),
                );
                Some(t)
            }
            None => {
                self.add(
                    FindingCode::InvalidValue,
                    "date",
                    at,
                    format!("`{text}` is not a date-time"),
                );
                None
            }
        }
    }

    /// The findings, with one more per capped kind saying how many were not shown.
    pub fn finish(mut self) -> Vec<Finding> {
        for ((code, _), n) in &self.counts {
            if *n > MAX_REPORTED {
                self.findings.push(Finding::new(
                    *code,
                    Some(self.path),
                    format!(
                        "{} more like the above are not shown",
                        n.saturating_sub(MAX_REPORTED)
                    ),
                ));
            }
        }
        self.findings
    }
}

/// The finding for a document `serde_json` could not read (syntax, nesting deeper than 128
/// levels, a key given twice), with its line.
pub(crate) fn unreadable(path: &str, what: &str, e: &serde_json::Error) -> Parsed {
    let code = if e.is_data() {
        FindingCode::InvalidValue
    } else {
        FindingCode::JsonSyntax
    };
    let finding = Finding::new(code, Some(path), format!("{what} cannot be read: {e}"))
        .with_help("check that the tool finished writing the file; vouch reads it as JSON")
        .at_line(u32::try_from(e.line()).unwrap_or(0));
    let finding = Finding {
        column: u32::try_from(e.column()).ok().filter(|c| *c > 0),
        ..finding
    };
    Parsed {
        evidence: None,
        findings: vec![finding],
    }
}

/// `bytes` without a UTF-8 byte order mark.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
}

/// A SHA-256 digest written in hex (either case); `None` when it is not one. Does not
/// allocate: an SBOM may state 100,000 of them.
pub(crate) fn sha256_hex(text: &str) -> Option<Sha256Digest> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let text = text.trim().as_bytes();
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        let (hi, lo) = (pair.first()?, pair.get(1)?);
        *byte = (nibble(*hi)? << 4) | nibble(*lo)?;
    }
    Some(Sha256Digest(out))
}

/// Whether an algorithm name is SHA-512 as SBOMs write it (`SHA-512`, `SHA512`, `sha512`).
pub(crate) fn is_sha512(algorithm: &str) -> bool {
    let a = algorithm.trim();
    a.eq_ignore_ascii_case("SHA-512") || a.eq_ignore_ascii_case("SHA512")
}

/// A SHA-512 digest written in hex (either case); `None` when it is not one.
pub(crate) fn sha512_hex(text: &str) -> Option<crate::digest::Sha512Digest> {
    crate::digest::Sha512Digest::from_hex(text.trim())
}

/// The SHA-512 digests of `(algorithm, value)` pairs, and the SHA-512 values that are not
/// digests (both sorted, without duplicates).
pub(crate) fn sha512s<'a>(
    pairs: impl Iterator<Item = (&'a str, &'a str)>,
) -> (Vec<crate::digest::Sha512Digest>, Vec<String>) {
    let mut digests = Vec::new();
    let mut malformed = Vec::new();
    for (_, value) in pairs.filter(|(alg, _)| is_sha512(alg)) {
        match sha512_hex(value) {
            Some(d) => digests.push(d),
            None => malformed.push(value.to_owned()),
        }
    }
    digests.sort();
    digests.dedup();
    malformed.sort();
    malformed.dedup();
    (digests, malformed)
}

/// Whether an algorithm name is SHA-256 as SBOMs write it (`SHA-256`, `SHA256`, `sha256`).
pub(crate) fn is_sha256(algorithm: &str) -> bool {
    let a = algorithm.trim();
    a.eq_ignore_ascii_case("SHA-256") || a.eq_ignore_ascii_case("SHA256")
}

/// Sorts components and drops duplicates: entries with the same identifier (`bom-ref`,
/// `SPDXID`) or none, and the same name, version, purl and hash. One warning says how many
/// there were. Components that differ only in their identifier are distinct (two
/// machines' operating systems, a key and an algorithm of one name) and both kept.
pub(crate) fn dedup_components(
    listed: Vec<(Component, Option<&str>)>,
    issues: &mut Issues<'_>,
) -> Vec<Component> {
    let mut listed = listed;
    let before = listed.len();
    listed.sort_unstable();
    listed.dedup();
    let dropped = before.saturating_sub(listed.len());
    if dropped > 0 {
        issues.push(
            Finding::new(
                FindingCode::SbomDuplicateComponent,
                Some(issues.path),
                format!("{dropped} components are listed more than once; each is counted once"),
            )
            .with_help("list each component once"),
        );
    }
    listed.into_iter().map(|(c, _)| c).collect()
}

/// Warns about a format version vouch was not written for (the document is still read).
pub(crate) fn check_version(
    issues: &mut Issues<'_>,
    what: &str,
    version: &str,
    supported: &[&str],
    at: Ptr<'_>,
) {
    if version.is_empty() {
        issues.add(
            FindingCode::SbomUnsupportedVersion,
            "version",
            at,
            format!("the {what} version is missing; read as the latest"),
        );
    } else if !supported.contains(&version) {
        issues.add(
            FindingCode::SbomUnsupportedVersion,
            "version",
            at,
            format!(
                "{what} {version} is not a version vouch reads ({}); read as the nearest",
                supported.join(", ")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issues_are_capped_per_kind() {
        let mut issues = Issues::new("a.json");
        for i in 0..25 {
            let root = Ptr::Root;
            let list = root.key("components");
            issues.wrong_type(list.at(i).key("name"), "a string", "a number");
        }
        issues.add(FindingCode::InvalidValue, "other", "/x", "bad".to_owned());
        let findings = issues.finish();
        assert_eq!(
            findings[0].message,
            "/components/0/name: expected a string, found a number; ignored"
        );
        assert_eq!(findings.len(), 12);
        assert!(findings[11].message.contains("15 more"));
    }

    #[test]
    fn sha256_algorithms_and_digests() {
        assert!(is_sha256("SHA-256") && is_sha256("sha256") && !is_sha256("SHA-512"));
        assert!(sha256_hex(&"AB".repeat(32)).is_some());
        assert!(sha256_hex("abc").is_none());
    }
}
