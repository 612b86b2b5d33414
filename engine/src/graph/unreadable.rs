//! Unreadable evidence: a file recognised as an evidence kind (by content or by name) that
//! could not be read as that kind. It is evidence of a problem, never left out: the graph
//! keeps one record per such file, and every control that reads what the file would have fed
//! fails on it (see `evidence::unreadable`).

use serde::Serialize;

use crate::digest::Sha256Digest;
use crate::finding::{Finding, Severity};
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
