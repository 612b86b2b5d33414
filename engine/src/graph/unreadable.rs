//! Unreadable evidence: a file recognised as an evidence kind (by content or by name) that
//! could not be read as that kind. It is evidence of a problem, never left out: the graph
//! keeps one record per such file, and every control that reads what the file would have fed
//! fails on it (see `evidence::unreadable`).

use serde::Serialize;

use crate::digest::Sha256Digest;
use crate::finding::{Finding, FindingCode, Severity};
use crate::formats::EvidenceKind;

/// Why a file of a recognised kind could not be read: the first error its reader reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParseFailure {
    /// The error, one line.
    pub error: String,
    /// 1-based line of the error, when known.
    pub line: Option<u32>,
    /// 1-based column of the error, when known.
    pub column: Option<u32>,
}

impl ParseFailure {
    /// The failure a file's findings describe: its first error-severity finding (the
    /// first finding when none is an error, a generic reason when there are none).
    pub(crate) fn from_findings(kind: EvidenceKind, findings: &[Finding]) -> ParseFailure {
        let first = findings
            .iter()
            .find(|f| f.severity == Severity::Error)
            .or_else(|| findings.first());
        match first {
            Some(f) => ParseFailure {
                error: f.message.clone(),
                line: f.line.filter(|l| *l > 0),
                column: f.column.filter(|c| *c > 0),
            },
            None => ParseFailure {
                error: format!("the file cannot be read as {}", kind.as_str()),
                line: None,
                column: None,
            },
        }
    }

    /// For a file that was read, the part of it that could not be: its first finding that
    /// says an entry or a line was not read as written (a malformed checksum line, a register
    /// entry with a missing key or a value of the wrong type, a broken element of a JSON
    /// array, ...). `None` when every part was read. The file's good entries still count; the
    /// file is also unreadable evidence of its kind, so the controls that read that kind fail
    /// on it rather than judge what is left.
    pub(crate) fn partial(findings: &[Finding]) -> Option<ParseFailure> {
        let f = findings.iter().find(|f| is_read_failure(f.code))?;
        Some(ParseFailure {
            error: format!("partly unreadable: {}", f.message),
            line: f.line.filter(|l| *l > 0),
            column: f.column.filter(|c| *c > 0),
        })
    }
}

/// Whether a finding says part of a file was not read as written (rather than that what was
/// read is wrong, which the controls judge).
fn is_read_failure(code: FindingCode) -> bool {
    matches!(
        code,
        FindingCode::ChecksumMalformedLine
            | FindingCode::ManifestSyntax
            | FindingCode::ManifestUnknownKey
            | FindingCode::ManifestMissingKey
            | FindingCode::ManifestInvalidValue
            | FindingCode::JsonSyntax
            | FindingCode::JsonDuplicateKey
            | FindingCode::InvalidValue
            | FindingCode::XmlSyntax
            | FindingCode::YamlSyntax
            | FindingCode::SecurityTxtMalformedLine
            | FindingCode::SignatureMalformed
            | FindingCode::StatementInvalid
            | FindingCode::AuditSkipped
    )
}

/// A file recognised as an evidence kind that could not be read as it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnreadableFile {
    /// Bundle-relative path.
    pub path: String,
    /// sha256 of the file.
    pub sha256: Sha256Digest,
    /// The kind it was recognised as.
    pub kind: EvidenceKind,
    /// Why it could not be read.
    #[serde(flatten)]
    pub failure: ParseFailure,
}
