//! Ingestion findings: problems met while reading a bundle, each with a stable code.
//!
//! A finding never stops ingestion: one bad file gets a finding that names its path (and,
//! inside a text file, its line and column), and the rest of the bundle is still read.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, SourceCode, SourceSpan};
use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The evidence is wrong or could not be read; a policy relying on it cannot pass.
    Error,
    /// Something is doubtful but the evidence was still used.
    Warning,
    /// Worth knowing; nothing is wrong.
    Info,
}

impl Severity {
    /// The lowercase name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

macro_rules! finding_codes {
    ($( $(#[$doc:meta])* $variant:ident => $code:literal, $severity:ident; )*) => {
        /// The stable code of a finding; tools and tests may rely on these strings.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum FindingCode {
            $( $(#[$doc])* $variant, )*
        }

        impl FindingCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [FindingCode] = &[ $( FindingCode::$variant, )* ];

            /// The stable code string, e.g. `vouch::ingest::symlink-escape`.
            pub fn as_str(self) -> &'static str {
                match self { $( FindingCode::$variant => $code, )* }
            }

            /// The severity findings with this code have.
            pub fn severity(self) -> Severity {
                match self { $( FindingCode::$variant => Severity::$severity, )* }
            }
        }
    };
}

finding_codes! {
    /// A symlink points outside the bundle root; it is not followed.
    SymlinkEscape => "vouch::ingest::symlink-escape", Error;
    /// A symlink points to nothing.
    BrokenSymlink => "vouch::ingest::broken-symlink", Error;
    /// A symlink chain never ends (a loop).
    SymlinkLoop => "vouch::ingest::symlink-loop", Error;
    /// A regular file with more hard links than the bundle holds names for: it shares its
    /// content with a file outside the bundle; not read.
    HardLinkEscape => "vouch::ingest::hardlink-escape", Error;
    /// A FIFO, socket or device: never opened.
    NotRegularFile => "vouch::ingest::not-regular-file", Error;
    /// A file or directory could not be read.
    Unreadable => "vouch::ingest::unreadable", Error;
    /// A file name is not valid UTF-8; its path is shown with `\xNN` escapes.
    NonUtf8Name => "vouch::ingest::non-utf8-name", Warning;
    /// A file changed (size, modification time or content) while it was being read.
    ChangedWhileHashing => "vouch::ingest::changed-while-hashing", Error;
    /// A file is empty.
    EmptyFile => "vouch::ingest::empty-file", Info;
    /// A file was recognised as evidence but is larger than the parser accepts.
    TooLargeToParse => "vouch::ingest::too-large-to-parse", Error;
    /// A text evidence file is not valid text (UTF-8, or UTF-16 with a byte order mark).
    NotText => "vouch::ingest::not-text", Error;
    /// More than one release manifest in one bundle.
    MultipleReleases => "vouch::ingest::multiple-releases", Error;
    /// A line of a checksum file is neither a checksum, a comment nor blank.
    ChecksumMalformedLine => "vouch::checksums::malformed-line", Error;
    /// One file name is listed twice with two different digests.
    ChecksumDuplicateName => "vouch::checksums::duplicate-name", Error;
    /// A checksum uses an algorithm vouch does not verify (MD5, SHA-1, ...).
    ChecksumUnsupportedAlgorithm => "vouch::checksums::unsupported-algorithm", Warning;
    /// A checksum file holds no checksum at all.
    ChecksumNoEntries => "vouch::checksums::no-entries", Warning;
    /// A checksum names a path outside the bundle.
    ChecksumNameOutsideBundle => "vouch::checksums::name-outside-bundle", Error;
    /// A compressed Debian index (`Packages.gz`, `Packages.xz`) does not decompress, or
    /// decompresses to more than vouch reads.
    ChecksumBadIndex => "vouch::checksums::bad-index", Error;
    /// A manifest is not valid TOML.
    ManifestSyntax => "vouch::manifest::syntax", Error;
    /// A manifest has a key or table vouch does not know.
    ManifestUnknownKey => "vouch::manifest::unknown-key", Error;
    /// A manifest lacks a required key.
    ManifestMissingKey => "vouch::manifest::missing-key", Error;
    /// A manifest value has the wrong type or an invalid value.
    ManifestInvalidValue => "vouch::manifest::invalid-value", Error;
    /// A local date-time without an offset; read as UTC.
    ManifestAmbiguousDatetime => "vouch::manifest::ambiguous-datetime", Warning;
    /// Dates of a support cycle contradict each other.
    ManifestInconsistentDates => "vouch::manifest::inconsistent-dates", Warning;
    /// The same support cycle is listed twice.
    ManifestDuplicateCycle => "vouch::manifest::duplicate-cycle", Error;
    /// An artifact glob matches no file.
    ArtifactNoMatch => "vouch::manifest::artifact-no-match", Error;
    /// An artifact path names a file that is not in the bundle.
    ArtifactMissing => "vouch::manifest::artifact-missing", Error;
    /// A file the release lists as an artifact looks like evidence; it is not read as such.
    ArtifactNotEvidence => "vouch::manifest::artifact-not-evidence", Info;
    /// An artifact pattern is not a valid glob or leaves the bundle.
    ArtifactInvalidPattern => "vouch::manifest::artifact-invalid-pattern", Error;
    /// A signature file cannot be read as its format.
    SignatureMalformed => "vouch::signature::malformed", Error;
    /// A signature names no file of the bundle (by convention, digest or subject).
    SignatureNoSignedFile => "vouch::signature::no-signed-file", Error;
    /// A JSON evidence file is not valid JSON (or nests deeper than 128 levels).
    JsonSyntax => "vouch::json::syntax", Error;
    /// A JSON object names one key twice; readers disagree which value counts, so the file
    /// is not read.
    JsonDuplicateKey => "vouch::json::duplicate-key", Error;
    /// A dependency audit says it did not audit a dependency (pip-audit's `skip_reason`), or
    /// did not run at all (npm's error document): the report is unreadable, in part or whole,
    /// as a scan that left a dependency out cannot show it clean.
    AuditSkipped => "vouch::evidence::audit-skipped", Error;
    /// A date or date-time without a time zone; read as UTC.
    DateWithoutZone => "vouch::evidence::date-without-zone", Warning;
    /// A value in an evidence file is missing or not what its format allows.
    InvalidValue => "vouch::evidence::invalid-value", Error;
    /// A CVSS vector that cannot be read.
    CvssInvalidVector => "vouch::cvss::invalid-vector", Warning;
    /// A stated CVSS score contradicts its vector.
    CvssScoreMismatch => "vouch::cvss::score-mismatch", Error;
    /// A VEX statement says `not_affected` without saying why.
    VexWithoutJustification => "vouch::vex::no-justification", Warning;
    /// Equally authoritative sources say contradicting things about one vulnerability.
    VulnConflict => "vouch::vuln::conflict", Warning;
    /// A vulnerability statement dates its fix before its discovery.
    VulnImpossibleDates => "vouch::vuln::impossible-dates", Error;
    /// An advisory's affected ranges cannot be judged for the release's version (a version
    /// that does not read in its ecosystem, an ecosystem with no ordering, no package named
    /// as the product); the vulnerability stays `affected`.
    VulnRangeUnjudged => "vouch::vuln::range-unjudged", Warning;
    /// A public key file in the bundle cannot be read.
    PublicKeyInvalid => "vouch::signature::invalid-public-key", Warning;
    /// An in-toto statement (bare, or the payload of an envelope) is not valid.
    StatementInvalid => "vouch::signature::invalid-statement", Error;
    /// A statement subject's digest matches no file of the bundle.
    ProvenanceSubjectMissing => "vouch::signature::subject-not-in-bundle", Warning;
    /// A security.txt lacks a field RFC 9116 requires (`Contact`, `Expires`).
    SecurityTxtMissingField => "vouch::security-txt::missing-field", Error;
    /// A security.txt field that may appear once appears more than once (`Expires`,
    /// `Preferred-Languages`).
    SecurityTxtDuplicateField => "vouch::security-txt::duplicate-field", Error;
    /// A security.txt value is not what RFC 9116 allows: a URI without a scheme, an `http://`
    /// URI, an `Expires` that is not RFC 3339.
    SecurityTxtInvalidValue => "vouch::security-txt::invalid-value", Error;
    /// A security.txt line is neither a field, a comment nor blank.
    SecurityTxtMalformedLine => "vouch::security-txt::malformed-line", Error;
    /// A security.txt field RFC 9116 does not define (it is ignored).
    SecurityTxtUnknownField => "vouch::security-txt::unknown-field", Info;
    /// More than one security.txt in one bundle; one is used.
    SecurityTxtMultiple => "vouch::security-txt::multiple", Warning;
    /// A changelog lists the same version twice.
    ChangelogDuplicateVersion => "vouch::changelog::duplicate-version", Warning;
    /// A changelog has no heading that names a version.
    ChangelogNoVersions => "vouch::changelog::no-versions", Warning;
    /// An XML evidence file is not well-formed XML, or uses a DTD (refused).
    XmlSyntax => "vouch::xml::syntax", Error;
    /// A YAML document (front matter) is not valid YAML, or uses what vouch does not read.
    YamlSyntax => "vouch::yaml::syntax", Error;
    /// endoflife.date data without any release cycle (only version dates).
    EolNoCycles => "vouch::eol::no-cycles", Info;
    /// A TLS scan holds no scanned host with results.
    TlsScanNoResults => "vouch::tls::no-results", Warning;
    /// A recognised SBOM form vouch does not read (CycloneDX XML, SPDX tag-value).
    SbomUnsupported => "vouch::sbom::unsupported", Error;
    /// An SBOM format version vouch was not written for, or none; read as the nearest.
    SbomUnsupportedVersion => "vouch::sbom::unsupported-version", Warning;
    /// The same component (or `bom-ref`) is listed more than once.
    SbomDuplicateComponent => "vouch::sbom::duplicate-component", Warning;
    /// An SBOM describes no artifact of the release (by digest, name and version, or name).
    SbomNoArtifact => "vouch::sbom::no-artifact", Warning;
    /// A document (SBOM, provenance) names an artifact but states a SHA-256 for it that is
    /// not the artifact's: it does not count for that artifact.
    DigestMismatch => "vouch::evidence::digest-mismatch", Error;
    /// A document linked to an artifact by name states its subject's digest only in
    /// algorithms vouch does not compute: linked by name, not by digest.
    DigestUnverifiable => "vouch::evidence::digest-unverifiable", Warning;
}

impl fmt::Display for FindingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for FindingCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A place in a text file: a byte span into its source. Ignored by equality so that
/// snapshots and comparisons depend only on the visible fields.
#[derive(Clone)]
pub struct Loc {
    /// The span of the offending text.
    pub span: SourceSpan,
    /// The whole source text the span points into.
    pub src: Arc<str>,
}

impl fmt::Debug for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Loc")
            .field("span", &self.span)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Loc {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Loc {}

/// One problem found while ingesting a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The stable code.
    pub code: FindingCode,
    /// How serious it is (fixed by the code).
    pub severity: Severity,
    /// The bundle-relative, `/`-separated path it is about; `None` for the bundle as a whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// 1-based line inside the file, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column (in characters) inside the line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// One line, lowercase, user input in backticks.
    pub message: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The source span, for rendering with miette; not serialized.
    #[serde(skip)]
    pub loc: Option<Loc>,
}

impl Finding {
    /// A finding about `path` (or the whole bundle when `None`).
    pub fn new(code: FindingCode, path: Option<&str>, message: impl Into<String>) -> Self {
        Finding {
            code,
            severity: code.severity(),
            path: path.map(str::to_owned),
            line: None,
            column: None,
            message: message.into(),
            help: None,
            loc: None,
        }
    }

    /// Adds a help text.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the line (1-based) without a column.
    #[must_use]
    pub fn at_line(mut self, line: u32) -> Self {
        self.line = Some(line);
        self
    }

    /// Points at a byte range of `src`: sets line, column and the miette span.
    #[must_use]
    pub fn with_span(mut self, src: &Arc<str>, range: std::ops::Range<usize>) -> Self {
        let start = range.start.min(src.len());
        let end = range.end.clamp(start, src.len());
        let (line, column) = line_column(src, start);
        self.line = Some(line);
        self.column = Some(column);
        self.loc = Some(Loc {
            span: SourceSpan::from(start..end),
            src: Arc::clone(src),
        });
        self
    }

    /// The key findings are sorted by: path, line, column, code, message.
    pub(crate) fn sort_key(&self) -> (Option<&str>, Option<u32>, Option<u32>, FindingCode, &str) {
        (
            self.path.as_deref(),
            self.line,
            self.column,
            self.code,
            self.message.as_str(),
        )
    }
}

/// The most findings listed for one file (or for the bundle as a whole); the rest are
/// counted, one finding per code, so a damaged file cannot flood the report.
pub const MAX_FINDINGS_PER_FILE: usize = 100;

/// Keeps the first `max` findings of each path (`findings` sorted by [`Finding::sort_key`])
/// and replaces the others with one finding per code that says how many were left out,
/// with that code (and so its severity), at the line of the first one left out.
pub(crate) fn cap_per_file(findings: Vec<Finding>, max: usize) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len().min(4096));
    let mut kept_for_path = 0usize;
    // Per code: how many were left out, and the first of them.
    let mut omitted: std::collections::BTreeMap<FindingCode, (usize, Finding)> =
        std::collections::BTreeMap::new();
    let mut current: Option<Option<String>> = None;
    for finding in findings {
        if current.as_ref() != Some(&finding.path) {
            flush_omitted(&mut out, &mut omitted, max);
            current = Some(finding.path.clone());
            kept_for_path = 0;
        }
        if kept_for_path < max {
            kept_for_path += 1;
            out.push(finding);
        } else {
            omitted
                .entry(finding.code)
                .and_modify(|(n, _)| *n += 1)
                .or_insert((1, finding));
        }
    }
    flush_omitted(&mut out, &mut omitted, max);
    out
}

fn flush_omitted(
    out: &mut Vec<Finding>,
    omitted: &mut std::collections::BTreeMap<FindingCode, (usize, Finding)>,
    max: usize,
) {
    for (code, (count, first)) in std::mem::take(omitted) {
        let place = first
            .line
            .map(|l| format!(" from line {l}"))
            .unwrap_or_default();
        let mut summary = Finding::new(
            code,
            first.path.as_deref(),
            format!(
                "and {count} more `{code}` finding{} here{place}, not listed (the first {max} \
                 findings of a file are listed)",
                if count == 1 { "" } else { "s" }
            ),
        )
        .with_help("fix the findings listed, then run vouch again to see the rest");
        summary.line = first.line;
        out.push(summary);
    }
}

/// 1-based line and column (in characters) of a byte offset into `src`.
pub(crate) fn line_column(src: &str, offset: usize) -> (u32, u32) {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset = offset.saturating_sub(1);
    }
    let before = src.get(..offset).unwrap_or("");
    let line = before.matches('\n').count().saturating_add(1);
    let line_start = before.rfind('\n').map_or(0, |i| i.saturating_add(1));
    let column = before
        .get(line_start..)
        .map_or(0, |s| s.chars().count())
        .saturating_add(1);
    (saturate_u32(line), saturate_u32(column))
}

/// Converts to u32, saturating.
pub(crate) fn saturate_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Finding {}

impl Diagnostic for Finding {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code.as_str()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_deref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.loc.as_ref().map(|loc| &loc.src as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.loc.as_ref().map(|loc| {
            Box::new(std::iter::once(LabeledSpan::new_with_span(
                Some("here".to_owned()),
                loc.span,
            ))) as Box<dyn Iterator<Item = LabeledSpan>>
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_characters() {
        let src = "a = 1\nbé = 2\n";
        assert_eq!(line_column(src, 0), (1, 1));
        assert_eq!(line_column(src, 6), (2, 1));
        // byte 9 is the space after "bé" (é is two bytes): column 3
        assert_eq!(line_column(src, 9), (2, 3));
        assert_eq!(line_column(src, 1000), (3, 1));
    }

    #[test]
    fn codes_are_unique_and_namespaced() {
        let mut seen = std::collections::BTreeSet::new();
        for code in FindingCode::ALL {
            assert!(code.as_str().starts_with("vouch::"));
            assert!(seen.insert(code.as_str()), "duplicate {code}");
        }
    }
}
