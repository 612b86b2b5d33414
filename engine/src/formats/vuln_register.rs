//! vouch's vulnerability register: a TOML file of `[[vulnerability]]` tables, for tracking
//! the vulnerabilities no scanner or advisory records (reports by researchers, internal
//! findings) through to their fix.
//!
//! ```toml
//! [[vulnerability]]
//! id = "ACME-2026-004"
//! aliases = ["CVE-2026-41234"]
//! package = "widget"
//! severity = "high"
//! cvss = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"
//! discovered = 2026-09-01T10:00:00Z
//! disclosed = 2026-09-20
//! fixed_at = 2026-09-03T09:30:00Z
//! fixed_in = "2.4.1"
//! status = "fixed"
//! ```

use super::toml_util::{self, DateOrTimestamp, TomlCtx};
use super::{Confidence, DetectInput, Evidence, EvidenceFormat, EvidenceKind, ParseInput, Parsed};
use crate::vulns::{Band, SourceKind, StatedCvss, VulnDocument, VulnStatement, VulnStatus};

/// The keys of a `[[vulnerability]]` table.
pub const KEYS: &[&str] = &[
    "id",
    "aliases",
    "package",
    "installed",
    "severity",
    "cvss",
    "cvss_score",
    "status",
    "justification",
    "discovered",
    "disclosed",
    "fixed_at",
    "fixed_in",
];

/// The register format.
#[derive(Debug, Clone, Copy, Default)]
pub struct VulnRegisterFormat;

impl EvidenceFormat for VulnRegisterFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::VulnRegister
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let name = input.file_name().to_ascii_lowercase();
        let by_name = name == "vulnerabilities.toml" || name.ends_with(".vulns.toml");
        let by_content = input.has_toml_table("vulnerability", true);
        Confidence::of(by_content, by_name)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        parse(input.path, input.bytes)
    }
}

/// Parses a register at bundle path `path`. Never panics.
pub fn parse(path: &str, bytes: &[u8]) -> Parsed {
    toml_util::parse_manifest(path, bytes, read, Evidence::Vulnerabilities)
}

fn read(ctx: &mut TomlCtx, root: &toml::de::DeTable<'_>) -> Option<VulnDocument> {
    ctx.unknown_keys(root, &["vulnerability"], "the vulnerability register");
    let mut statements = Vec::new();
    if let Some(value) = root.get("vulnerability") {
        for (table, span) in toml_util::tables(ctx, value, "vulnerability") {
            ctx.unknown_keys(table, KEYS, "[[vulnerability]]");
            if let Some(s) = entry(ctx, table, span) {
                statements.push(s);
            }
        }
    }
    Some(VulnDocument {
        kind: SourceKind::Register,
        format: "vouch-register",
        produced_at: None,
        statements,
    })
}

fn entry(
    ctx: &mut TomlCtx,
    table: &toml::de::DeTable<'_>,
    span: std::ops::Range<usize>,
) -> Option<VulnStatement> {
    let line = ctx.line_of(span.start);
    let Some(id) = table.get("id").and_then(|v| ctx.nonempty_string(v, "id")) else {
        if !table.contains_key("id") {
            ctx.missing("id", "[[vulnerability]]", span, "\"CVE-2026-12345\"");
        }
        return None;
    };
    let mut s = VulnStatement::new(id);
    s.line = Some(line);
    let text =
        |ctx: &mut TomlCtx, key: &str| table.get(key).and_then(|v| ctx.nonempty_string(v, key));
    s.aliases = table
        .get("aliases")
        .and_then(|v| ctx.strings(v, "aliases"))
        .unwrap_or_default()
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    s.package = text(ctx, "package");
    s.installed = text(ctx, "installed");
    s.fixed_in = text(ctx, "fixed_in");
    s.justification = text(ctx, "justification");
    if let Some(v) = table.get("severity")
        && let Some(word) = ctx.nonempty_string(v, "severity")
    {
        s.severity = Band::parse(&word);
        if s.severity.is_none() {
            ctx.invalid(
                v.span(),
                format!(
                    "`severity` must be one of critical, high, medium, low, info; found `{word}`"
                ),
                "write e.g. `severity = \"high\"`",
            );
        }
    }
    if let Some(v) = table.get("status")
        && let Some(word) = ctx.nonempty_string(v, "status")
    {
        s.status = VulnStatus::parse(&word);
        if s.status.is_none() {
            ctx.invalid(
                v.span(),
                format!(
                    "`status` must be one of under_investigation, affected, fixed, not_affected; found `{word}`"
                ),
                "write e.g. `status = \"fixed\"`",
            );
        }
    }
    if let Some(vector) = text(ctx, "cvss") {
        let score = table.get("cvss_score").and_then(|v| match v.get_ref() {
            toml::de::DeValue::Float(f) => f.to_string().parse().ok(),
            toml::de::DeValue::Integer(i) => i.to_string().parse().ok(),
            _ => None,
        });
        s.cvss.push(StatedCvss { vector, score });
    }
    let instant = |ctx: &mut TomlCtx, key: &str| {
        let value = table.get(key)?;
        match ctx.date_or_timestamp(value, key, true)? {
            DateOrTimestamp::Timestamp(t) => Some(t),
            DateOrTimestamp::Date(d) => jiff::tz::Offset::UTC
                .to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
                .ok(),
        }
    };
    s.discovered = instant(ctx, "discovered");
    s.disclosed = instant(ctx, "disclosed");
    s.fixed_at = instant(ctx, "fixed_at");
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::FindingCode;

    const EXAMPLE: &str = "[[vulnerability]]\nid = \"ACME-2026-004\"\n\
        aliases = [\"CVE-2026-41234\"]\nseverity = \"high\"\n\
        cvss = \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N\"\ncvss_score = 7.5\n\
        discovered = 2026-09-01T10:00:00Z\nfixed_at = 2026-09-03T09:30:00Z\n\
        fixed_in = \"2.4.1\"\nstatus = \"fixed\"\n\n[[vulnerability]]\nid = \"ACME-2026-005\"\n\
        discovered = 2026-09-20\n";

    #[test]
    fn reads_the_example() {
        let parsed = parse("vulnerabilities.toml", EXAMPLE.as_bytes());
        assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
        let Some(Evidence::Vulnerabilities(doc)) = parsed.evidence else {
            panic!("no register")
        };
        assert_eq!(doc.statements.len(), 2);
        let first = &doc.statements[0];
        assert_eq!(first.aliases, ["CVE-2026-41234"]);
        assert_eq!(first.severity, Some(Band::High));
        assert_eq!(first.status, Some(VulnStatus::Fixed));
        assert_eq!(first.cvss[0].score, Some(7.5));
        assert_eq!(first.line, Some(1));
        assert_eq!(doc.statements[1].line, Some(12));
        assert_eq!(
            doc.statements[1].discovered.map(|t| t.to_string()),
            Some("2026-09-20T00:00:00Z".to_owned())
        );
    }

    #[test]
    fn bad_values_are_located_findings() {
        let text = EXAMPLE
            .replace("\"high\"", "\"severe\"")
            .replace("status = \"fixed\"", "status = \"done\"");
        let parsed = parse("vulnerabilities.toml", text.as_bytes());
        let codes: Vec<_> = parsed.findings.iter().map(|f| (f.code, f.line)).collect();
        assert_eq!(
            codes,
            [
                (FindingCode::ManifestInvalidValue, Some(4)),
                (FindingCode::ManifestInvalidValue, Some(10))
            ]
        );
    }

    #[test]
    fn never_panics_on_truncated_input() {
        let bytes = EXAMPLE.as_bytes();
        for cut in 0..=bytes.len() {
            let _ = parse("v.toml", &bytes[..cut]);
        }
    }
}
