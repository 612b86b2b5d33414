//! Digests decide links: the one rule for a digest a document states for what it describes
//! (an SBOM's subject, an in-toto statement's subject, an OpenVEX or CSAF statement's
//! products),
//! whatever its format.
//!
//! A document is linked to an artifact by the artifact's SHA-256 first. Where only a name
//! links them (name and version, file name), the digests the document states for its subject
//! are judged against the artifact's ([`judge`]):
//! - a stated SHA-256 that is the artifact's is a digest match;
//! - a stated SHA-256 that is not contradicts the artifact: the link is refused, and a
//!   [`DigestMismatch`] (and the error `vouch::evidence::digest-mismatch`) names the
//!   document, the stated digest and the actual one;
//! - digests only in algorithms vouch does not compute for linking (SHA-1, MD5, SHA-512, ...)
//!   neither refuse the link nor match: the warning `vouch::evidence::digest-unverifiable`
//!   says the link is by name only.

use serde::Serialize;

use super::nodes::Source;
use crate::digest::Sha256Digest;
use crate::finding::{Finding, FindingCode};

/// What a document's stated digests say about one artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// A stated SHA-256 is the artifact's.
    Match,
    /// SHA-256 digests are stated and none is the artifact's: the first of them.
    Contradicts(Sha256Digest),
    /// Only digests in algorithms vouch does not compute are stated.
    Unverifiable,
    /// No digest is stated.
    Unstated,
}

/// Judges the SHA-256 digests a document states for its subject, and the names of the
/// other algorithms it states digests in, against an artifact's actual SHA-256.
pub(crate) fn judge(
    stated: impl IntoIterator<Item = Sha256Digest>,
    other_algorithms: &[String],
    actual: Sha256Digest,
) -> Verdict {
    let mut first = None;
    for digest in stated {
        if digest == actual {
            return Verdict::Match;
        }
        first = first.or(Some(digest));
    }
    match first {
        Some(digest) => Verdict::Contradicts(digest),
        None if other_algorithms.is_empty() => Verdict::Unstated,
        None => Verdict::Unverifiable,
    }
}

/// What kind of evidence stated the digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DigestEvidence {
    /// An SBOM (CycloneDX, SPDX) describing its subject.
    Sbom,
    /// An in-toto statement (build provenance), bare or in an envelope or bundle.
    Provenance,
}

impl DigestEvidence {
    /// The name used in the schema (`DigestMismatch.evidence`).
    pub fn as_str(self) -> &'static str {
        match self {
            DigestEvidence::Sbom => "sbom",
            DigestEvidence::Provenance => "provenance",
        }
    }
}

/// A digest a document states, or an artifact's actual one, in the algorithm compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(untagged)]
pub enum StatedDigest {
    /// A SHA-256.
    Sha256(Sha256Digest),
    /// A SHA-512.
    Sha512(crate::digest::Sha512Digest),
}

impl StatedDigest {
    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        match self {
            StatedDigest::Sha256(d) => d.to_hex(),
            StatedDigest::Sha512(d) => d.to_hex(),
        }
    }

    /// `sha256` or `sha512`.
    pub fn algorithm(&self) -> &'static str {
        match self {
            StatedDigest::Sha256(_) => "sha256",
            StatedDigest::Sha512(_) => "sha512",
        }
    }
}

impl From<Sha256Digest> for StatedDigest {
    fn from(d: Sha256Digest) -> Self {
        StatedDigest::Sha256(d)
    }
}

/// A document that names an artifact (by name and version, or file name; or by a digest
/// while another digest it states contradicts the file) while stating a digest for it that
/// is not the artifact's: it does not count for that artifact.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DigestMismatch {
    /// The artifact file's bundle path (the first field: the graph keeps mismatches sorted
    /// by it, and finds an artifact's by binary search).
    pub artifact: String,
    /// What kind of document states the digest.
    pub evidence: DigestEvidence,
    /// The document (and line, for one statement of a JSON Lines file).
    pub source: Source,
    /// What the document says it describes (`widget` 2.4.1, a subject name).
    pub subject: String,
    /// What links them (`name-version`, `file-name`, or `sha256`: the subject's SHA-256 is
    /// the file's but the SHA-512 it states is not).
    pub linked_by: &'static str,
    /// The digest the document states.
    pub stated: StatedDigest,
    /// The artifact's actual digest, in the same algorithm.
    pub actual: StatedDigest,
}

impl DigestMismatch {
    /// The error finding, at the document.
    pub(crate) fn finding(&self) -> Finding {
        let finding = Finding::new(
            FindingCode::DigestMismatch,
            Some(&self.source.path),
            format!(
                "the {} states {alg} {} for {}, but `{}`, which it names by {}, has {alg} \
                 {}: it does not count for that artifact",
                self.evidence.as_str(),
                self.stated.to_hex(),
                self.subject,
                self.artifact,
                self.linked_by,
                self.actual.to_hex(),
                alg = self.stated.algorithm(),
            ),
        )
        .with_help(
            "regenerate the document from the artifact that is released (a rebuilt file has \
             another digest), or remove a document about another build",
        );
        match self.source.line {
            Some(line) => finding.at_line(line),
            None => finding,
        }
    }
}

/// The warning for a document linked by name whose subject's digests are all in algorithms
/// vouch does not compute.
pub(crate) fn unverifiable(
    path: &str,
    line: Option<u32>,
    evidence: DigestEvidence,
    subject: &str,
    algorithms: &[String],
    artifact: &str,
) -> Finding {
    let finding = Finding::new(
        FindingCode::DigestUnverifiable,
        Some(path),
        format!(
            "{} for {subject} states its digest only in {} (vouch compares SHA-256): linked to \
             `{artifact}` by name, not by digest",
            evidence.as_str(),
            algorithms.join(", "),
        ),
    )
    .with_help("state the subject's SHA-256 too, so the link is by digest");
    match line {
        Some(line) => finding.at_line(line),
        None => finding,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule() {
        let a = Sha256Digest([1; 32]);
        let b = Sha256Digest([2; 32]);
        let sha1 = vec!["SHA-1".to_owned()];
        assert_eq!(judge([a], &[], a), Verdict::Match);
        assert_eq!(judge([b, a], &sha1, a), Verdict::Match);
        assert_eq!(judge([b], &[], a), Verdict::Contradicts(b));
        assert_eq!(judge([b], &sha1, a), Verdict::Contradicts(b));
        assert_eq!(judge([], &sha1, a), Verdict::Unverifiable);
        assert_eq!(judge([], &[], a), Verdict::Unstated);
    }
}
