//! Public key files found in a bundle (`minisign.pub`, `KEYS`, `cosign.pub`, ...).
//!
//! They are read with the trust set's parsers ([`crate::trust::parse_key_file`]) so that a
//! signature made with one can be shown *valid*; a key in the bundle is never *trusted*.

use super::{Confidence, DetectInput, Evidence, EvidenceFormat, EvidenceKind, ParseInput, Parsed};
use crate::finding::{Finding, FindingCode};

/// The public-key format.
#[derive(Debug, Clone, Copy, Default)]
pub struct PublicKeyFormat;

impl EvidenceFormat for PublicKeyFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::PublicKey
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        // Whole-file parsing is the only reliable detection; key files are small.
        let by_content = input.head_is_whole_file()
            && crate::trust::parse_key_file(input.path, input.head).is_some();
        Confidence::of(by_content, false)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        match crate::trust::parse_key_file(input.path, input.bytes) {
            Some(Ok(keys)) => Parsed {
                evidence: Some(Evidence::PublicKeys(keys)),
                findings: Vec::new(),
            },
            Some(Err(reason)) => Parsed {
                evidence: None,
                findings: vec![
                    Finding::new(
                        FindingCode::PublicKeyInvalid,
                        Some(input.path),
                        format!("public key file cannot be read: {reason}"),
                    )
                    .with_help("a broken key in the bundle cannot show any signature valid"),
                ],
            },
            None => Parsed::default(),
        }
    }
}
