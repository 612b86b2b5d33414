//! The evidence schema: the records, fields and roots that policies can read.
//!
//! Declared once, here, as data. The checker types policies against it and the engine builds
//! values that follow it; the book's schema page is generated from it (see [`to_markdown`]).
//! Field types are written in the language's own type syntax.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::types::{Type, resolve_type_name};

mod disclosure_records;
mod release_records;

/// A field of a record (or a root of the schema).
#[derive(Debug, Clone, Copy)]
pub struct FieldDef {
    /// The field name.
    pub name: &'static str,
    /// Its type, in the language's type syntax (e.g. `list<Signature>`, `date?`).
    pub ty: &'static str,
    /// What it means.
    pub doc: &'static str,
    /// For a string field the engine fills from a closed set, every value it can take (a
    /// comparison with any other string never holds; the checker warns). Empty otherwise.
    pub values: &'static [&'static str],
}

/// An evidence record type.
#[derive(Debug, Clone, Copy)]
pub struct RecordDef {
    /// The type name, capitalised (e.g. `Artifact`).
    pub name: &'static str,
    /// What the record is.
    pub doc: &'static str,
    /// Its fields, in documentation order.
    pub fields: &'static [FieldDef],
}

/// A closed set of names, such as `severity`.
#[derive(Debug, Clone, Copy)]
pub struct EnumDef {
    /// The type name, lowercase.
    pub name: &'static str,
    /// What it is.
    pub doc: &'static str,
    /// The names, in order (for ordered enums, lowest first).
    pub variants: &'static [&'static str],
    /// Whether `<`, `>` compare positions in `variants`.
    pub ordered: bool,
}

const fn field(name: &'static str, ty: &'static str, doc: &'static str) -> FieldDef {
    FieldDef {
        name,
        ty,
        doc,
        values: &[],
    }
}

/// A string field whose values are a closed set (see [`FieldDef::values`]).
const fn closed(
    name: &'static str,
    doc: &'static str,
    values: &'static [&'static str],
) -> FieldDef {
    FieldDef {
        name,
        ty: "string",
        doc,
        values,
    }
}

/// The top-level names a policy can read.
pub const ROOTS: &[FieldDef] = &[
    field(
        "as_of",
        "datetime",
        "the instant the evaluation judges at (`--as-of`, default now)",
    ),
    field(
        "bundle",
        "Bundle",
        "the bundle as a whole: what in it could not be read",
    ),
    field(
        "release",
        "Release",
        "the release described by `release.toml`",
    ),
    field("files", "list<File>", "every file of the bundle"),
    field(
        "vulnerabilities",
        "list<Vulnerability>",
        "known vulnerabilities, merged across scans, advisories, VEX and registers",
    ),
    field(
        "advisories",
        "list<Advisory>",
        "published security advisories (CSAF, OSV)",
    ),
    field(
        "support",
        "Support",
        "support periods and end-of-life dates (`support.toml`, endoflife.date data)",
    ),
    field(
        "security_txt",
        "SecurityTxt?",
        "the bundle's security.txt (RFC 9116), if there is one",
    ),
    field(
        "changelog",
        "Changelog?",
        "the bundle's changelog (`CHANGELOG.md` and similar), if there is one",
    ),
    field(
        "feeds",
        "list<Feed>",
        "advisory feeds: RSS, Atom and CSAF ROLIE",
    ),
    field(
        "tls_scans",
        "list<TlsScan>",
        "TLS scans of distribution hosts (testssl.sh, SSLyze), one per host",
    ),
    field(
        "scans",
        "list<VulnScan>",
        "vulnerability scans of the release (OSV-Scanner, Trivy, Grype, npm audit, pip-audit, cargo audit)",
    ),
    field(
        "attestations",
        "list<Attestation>",
        "human attestations for `manual` controls",
    ),
];

/// The closed name sets.
pub const ENUMS: &[EnumDef] = &[
    EnumDef {
        name: "severity",
        doc: "how serious a vulnerability or a failing control is",
        variants: &["info", "low", "medium", "high", "critical"],
        ordered: true,
    },
    EnumDef {
        name: "vuln_status",
        doc: "where a vulnerability stands for this product (VEX statuses)",
        variants: &["under_investigation", "affected", "fixed", "not_affected"],
        ordered: false,
    },
];

/// The evidence records, in the order the book lists them.
pub fn records() -> impl Iterator<Item = &'static RecordDef> {
    release_records::RECORDS
        .iter()
        .chain(disclosure_records::RECORDS)
}

/// Looks up a record by type name.
pub fn record(name: &str) -> Option<&'static RecordDef> {
    records().find(|r| r.name == name)
}

/// Looks up an enum by type name.
pub fn enum_def(name: &str) -> Option<&'static EnumDef> {
    ENUMS.iter().find(|e| e.name == name)
}

/// The enum that has `variant` among its names (variants are unique across enums).
pub fn enum_of_variant(variant: &str) -> Option<&'static EnumDef> {
    ENUMS.iter().find(|e| e.variants.contains(&variant))
}

/// Resolves a schema or policy type name that is not built in: a record or an enum.
pub fn named_type(name: &str) -> Option<Type> {
    record(name)
        .map(|r| Type::Record(r.name))
        .or_else(|| enum_def(name).map(|e| Type::Enum(e.name)))
}

/// Parses a type written in the language's type syntax (`list<Signature>`, `date?`).
pub fn parse_type(text: &str) -> Option<Type> {
    let (ty, rest) = parse_type_prefix(text.trim())?;
    rest.trim().is_empty().then_some(ty)
}

fn parse_type_prefix(text: &str) -> Option<(Type, &str)> {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    let (name, mut rest) = text.split_at(end);
    let mut args = Vec::new();
    if let Some(after) = rest.trim_start().strip_prefix('<') {
        rest = after;
        loop {
            let (arg, after) = parse_type_prefix(rest.trim_start())?;
            args.push(arg);
            let after = after.trim_start();
            if let Some(after) = after.strip_prefix(',') {
                rest = after;
            } else {
                rest = after.strip_prefix('>')?;
                break;
            }
        }
    }
    let mut ty = resolve_type_name(name, args, named_type).ok()?;
    if let Some(after) = rest.strip_prefix('?') {
        ty = ty.optional();
        rest = after;
    }
    Some((ty, rest))
}

/// The parsed types of one record's fields (or of the roots), by field name.
type FieldTypes = BTreeMap<&'static str, Type>;

/// How many records the schema declares.
const RECORD_COUNT: usize = release_records::RECORDS.len() + disclosure_records::RECORDS.len();

/// Each record's field types, in [`records`] order, parsed on first use: a run checks the
/// few records its policy reads, not all of them.
static RECORD_TYPES: [OnceLock<FieldTypes>; RECORD_COUNT] =
    [const { OnceLock::new() }; RECORD_COUNT];

/// The roots' types, parsed on first use.
static ROOT_TYPES: OnceLock<FieldTypes> = OnceLock::new();

/// `fields` with their types parsed (an unparsable one, which a test rules out, as the
/// error type).
fn parse_fields(fields: &'static [FieldDef]) -> FieldTypes {
    fields
        .iter()
        .map(|f| (f.name, parse_type(f.ty).unwrap_or(Type::Error)))
        .collect()
}

/// The type of `record.field`, if the record has that field.
pub fn field_type(record: &str, field: &str) -> Option<&'static Type> {
    let (index, def) = records().enumerate().find(|(_, r)| r.name == record)?;
    RECORD_TYPES
        .get(index)?
        .get_or_init(|| parse_fields(def.fields))
        .get(field)
}

/// The closed set of values of a record's string field; empty when it has none.
pub fn field_values(record: &str, field: &str) -> &'static [&'static str] {
    self::record(record)
        .and_then(|r| r.fields.iter().find(|f| f.name == field))
        .map_or(&[], |f| f.values)
}

/// The type of a top-level name, if it is a root of the schema.
pub fn root_type(name: &str) -> Option<&'static Type> {
    ROOT_TYPES.get_or_init(|| parse_fields(ROOTS)).get(name)
}

/// The schema as a Markdown reference (the book's schema page embeds exactly this).
pub fn to_markdown() -> String {
    let mut out = String::from("## Roots\n\n| name | type | meaning |\n| --- | --- | --- |\n");
    for f in ROOTS {
        out.push_str(&format!("| `{}` | `{}` | {} |\n", f.name, f.ty, f.doc));
    }
    out.push_str("\n## Records\n");
    for r in records() {
        out.push_str(&format!(
            "\n### `{}`\n\n{}.\n\n| field | type | meaning |\n| --- | --- | --- |\n",
            r.name,
            capitalise(r.doc)
        ));
        for f in r.fields {
            out.push_str(&format!("| `{}` | `{}` | {}", f.name, f.ty, f.doc));
            if !f.values.is_empty() {
                let values: Vec<String> = f.values.iter().map(|v| format!("`{v}`")).collect();
                out.push_str(&format!("; one of {}", values.join(", ")));
            }
            out.push_str(" |\n");
        }
    }
    out.push_str("\n## Names\n");
    for e in ENUMS {
        let order = if e.ordered {
            ", ordered from lowest to highest"
        } else {
            ""
        };
        let variants: Vec<String> = e.variants.iter().map(|v| format!("`{v}`")).collect();
        out.push_str(&format!(
            "\n- `{}`: {}{}: {}\n",
            e.name,
            e.doc,
            order,
            variants.join(", ")
        ));
    }
    out
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
#[path = "schema_tests.rs"]
mod tests;
