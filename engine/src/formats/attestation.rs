//! Attestations: a person's signed-off statement for a `manual` control, as a TOML file in
//! the bundle.
//!
//! ```toml
//! [attestation]
//! control = "ACME-ROLLBACK"
//! statement = "Rollback of a failed update was tested on the release candidate"
//! attested_by = "Jo Bloggs <jo@acme.example>"
//! date = 2026-09-20
//! evidence = ["https://ci.acme.example/runs/4711"]
//! ```
//!
//! `statement` quotes the control's `manual "..."` statement exactly; instead of it (or as
//! well), `statement_sha256` may give the sha256 of that statement's text. An attestation
//! counts only when signed beside it (`NAME.toml.asc`, `.sig` or `.minisig`) by a trusted
//! key; the evaluator decides that, not the parser.

use super::toml_util::{self, DateOrTimestamp, TomlCtx};
use super::{Confidence, DetectInput, Evidence, EvidenceFormat, EvidenceKind, ParseInput, Parsed};

/// The keys of `[attestation]`.
pub const ATTESTATION_KEYS: &[&str] = &[
    "control",
    "statement",
    "statement_sha256",
    "attested_by",
    "date",
    "evidence",
];
/// The top-level tables.
pub const TOP_KEYS: &[&str] = &["attestation"];

/// A parsed attestation file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attestation {
    /// The control id it attests, if it names one.
    pub control: Option<String>,
    /// What is attested: the control's statement, quoted (empty when only
    /// `statement_sha256` is given).
    pub statement: String,
    /// The sha256 (hex) of the control's statement, when given instead of (or as well as)
    /// quoting it.
    pub statement_sha256: Option<String>,
    /// Who attests it.
    pub attested_by: String,
    /// When (a date means 00:00 UTC that day).
    pub date: jiff::Timestamp,
    /// References to supporting evidence (URLs, bundle paths, ticket ids).
    pub evidence: Vec<String>,
    /// 1-based line of the `[attestation]` header.
    pub line: u32,
}

/// The attestation format.
#[derive(Debug, Clone, Copy, Default)]
pub struct AttestationFormat;

impl EvidenceFormat for AttestationFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::Attestation
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let by_name = input
            .file_name()
            .to_ascii_lowercase()
            .ends_with(".attestation.toml");
        let by_content = input.has_toml_table("attestation", false);
        Confidence::of(by_content, by_name)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        parse(input.path, input.bytes)
    }
}

/// Parses an attestation at bundle path `path`. Never panics.
pub fn parse(path: &str, bytes: &[u8]) -> Parsed {
    toml_util::parse_manifest(path, bytes, read, Evidence::Attestation)
}

fn read(ctx: &mut TomlCtx, root: &toml::de::DeTable<'_>) -> Option<Attestation> {
    ctx.unknown_keys(root, TOP_KEYS, "the attestation file");
    let Some((key, value)) = root.get_key_value("attestation") else {
        ctx.missing(
            "attestation",
            "the attestation file",
            0..0,
            "{ ... }` (an `[attestation]` table",
        );
        return None;
    };
    let header = key.span();
    let Some(table) = value.get_ref().as_table() else {
        ctx.invalid(
            value.span(),
            "`attestation` must be a table".to_owned(),
            "write it as an `[attestation]` table",
        );
        return None;
    };
    ctx.unknown_keys(table, ATTESTATION_KEYS, "[attestation]");
    let required = |ctx: &mut TomlCtx, key: &str, example: &str| match table.get(key) {
        Some(v) => ctx.nonempty_string(v, key),
        None => {
            ctx.missing(key, "[attestation]", header.clone(), example);
            None
        }
    };
    let statement_sha256 = table
        .get("statement_sha256")
        .and_then(|v| ctx.nonempty_string(v, "statement_sha256"));
    let statement = if statement_sha256.is_some() && !table.contains_key("statement") {
        Some(String::new())
    } else {
        required(ctx, "statement", "\"the control's statement, quoted\"")
    };
    let attested_by = required(ctx, "attested_by", "\"Name <email>\"");
    let control = table
        .get("control")
        .and_then(|v| ctx.nonempty_string(v, "control"));
    let date = match table.get("date") {
        Some(v) => ctx.date_or_timestamp(v, "date", true),
        None => {
            ctx.missing("date", "[attestation]", header.clone(), "2026-09-20");
            None
        }
    };
    let evidence = table
        .get("evidence")
        .and_then(|v| ctx.strings(v, "evidence"))
        .unwrap_or_default()
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    let date = match date? {
        DateOrTimestamp::Date(d) => jiff::tz::Offset::UTC
            .to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .ok()?,
        DateOrTimestamp::Timestamp(t) => t,
    };
    Some(Attestation {
        control,
        statement: statement?,
        statement_sha256,
        attested_by: attested_by?,
        date,
        evidence,
        line: ctx.line_of(header.start),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::FindingCode;

    const EXAMPLE: &str = "[attestation]\ncontrol = \"ACME-ROLLBACK\"\n\
        statement = \"Rollback was tested\"\nattested_by = \"Jo <jo@acme.example>\"\n\
        date = 2026-09-20\nevidence = [\"https://ci.acme.example/runs/4711\"]\n";

    #[test]
    fn reads_the_example() {
        let parsed = parse("attestations/rollback.toml", EXAMPLE.as_bytes());
        assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
        let Some(Evidence::Attestation(a)) = parsed.evidence else {
            panic!("no attestation")
        };
        assert_eq!(a.control.as_deref(), Some("ACME-ROLLBACK"));
        assert_eq!(a.date.to_string(), "2026-09-20T00:00:00Z");
        assert_eq!(a.evidence.len(), 1);
        assert_eq!(a.line, 1);
    }

    #[test]
    fn unknown_and_missing_keys_are_findings() {
        let text = EXAMPLE.replace("attested_by", "atested_by");
        let parsed = parse("a.toml", text.as_bytes());
        assert!(parsed.evidence.is_none());
        assert_eq!(parsed.findings[0].code, FindingCode::ManifestUnknownKey);
        assert_eq!(
            parsed.findings[0].message,
            "unknown key `atested_by` in [attestation], did you mean `attested_by`?"
        );
        assert_eq!(parsed.findings[1].code, FindingCode::ManifestMissingKey);
    }

    #[test]
    fn never_panics_on_truncated_input() {
        let bytes = EXAMPLE.as_bytes();
        for cut in 0..=bytes.len() {
            let _ = parse("a.toml", &bytes[..cut]);
        }
    }

    #[test]
    fn detected_by_content() {
        let input = DetectInput::new("notes/x.toml", EXAMPLE.as_bytes(), EXAMPLE.len() as u64);
        assert_eq!(
            super::super::classify(&input).map(|f| f.kind()),
            Some(EvidenceKind::Attestation)
        );
    }

    #[test]
    fn the_statement_may_be_given_by_its_sha256_alone() {
        let text = "[attestation]\ncontrol = \"TRAINING\"\n\
                    statement_sha256 = \"ab12\"\nattested_by = \"Priya\"\ndate = 2026-09-20\n";
        let parsed = parse("attestations/training.toml", text.as_bytes());
        let Some(Evidence::Attestation(a)) = parsed.evidence else {
            panic!("no attestation: {:?}", parsed.findings)
        };
        assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
        assert_eq!(a.statement, "");
        assert_eq!(a.statement_sha256.as_deref(), Some("ab12"));
        // Neither: `statement` is missing.
        let text =
            "[attestation]\ncontrol = \"TRAINING\"\nattested_by = \"Priya\"\ndate = 2026-09-20\n";
        let parsed = parse("attestations/training.toml", text.as_bytes());
        assert!(parsed.evidence.is_none());
        assert!(!parsed.findings.is_empty());
    }
}
