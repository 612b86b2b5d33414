//! The evidence schema: the records, fields and roots that policies can read.
//!
//! Declared once, here, as data. The checker types policies against it and the engine builds
//! values that follow it; the book's schema page is generated from it (see [`to_markdown`]).
//! Field types are written in the language's own type syntax.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use crate::types::{Type, resolve_type_name};

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
        "vulnerability scans of the release (OSV-Scanner, Trivy, Grype)",
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

/// The evidence records.
pub const RECORDS: &[RecordDef] = &[
    RecordDef {
        name: "Release",
        doc: "one release of the product",
        fields: &[
            field("product", "string", "product name"),
            field("version", "string", "version of this release"),
            field("date", "datetime?", "when it was released"),
            field("previous", "string?", "the version it follows"),
            field(
                "cycle",
                "SupportCycle?",
                "the support cycle it belongs to: the longest cycle its version is or starts with (`2.4.1` is in `2.4`, not `2`)",
            ),
            field("artifacts", "list<Artifact>", "the files it distributes"),
            field(
                "distribution",
                "list<Distribution>",
                "where it is distributed from",
            ),
            field(
                "sboms",
                "list<Sbom>",
                "every software bill of materials in the bundle, by path",
            ),
            field(
                "vulnerability_evidence",
                "list<VulnEvidence>",
                "the vulnerability evidence that covers this release, by path: every scan dated no later than `as_of`, every vulnerability register with at least one entry, every VEX document with a statement naming the product at this version; empty when there is none (see [Vulnerabilities](../evidence/vulnerabilities.md#vulnerability-evidence-for-the-release))",
            ),
            field("path", "string", "bundle path of `release.toml`"),
            field(
                "unreadable",
                "list<Unreadable>",
                "unreadable files of the kinds the release's records are built from (checksums, signatures, SBOMs, provenance, support data, vulnerability evidence)",
            ),
        ],
    },
    RecordDef {
        name: "Bundle",
        doc: "the evidence bundle as a whole",
        fields: &[field(
            "unreadable",
            "list<Unreadable>",
            "every file recognised as an evidence kind that could not be read as it, by path",
        )],
    },
    RecordDef {
        name: "Unreadable",
        doc: "a file recognised as an evidence kind (by content or by name) that could not be read as it; every control that reads what it feeds fails on it",
        fields: &[
            field("path", "string", "bundle-relative path"),
            field("sha256", "string", "lowercase hex SHA-256 of the content"),
            field(
                "kind",
                "string",
                "the evidence kind it was recognised as (as in `File.kind`)",
            ),
            field(
                "error",
                "string",
                "why it could not be read: the reader's first error",
            ),
            field("line", "int?", "1-based line of the error, when known"),
            field("column", "int?", "1-based column of the error, when known"),
            field(
                "feeds",
                "set<string>",
                "what it would have fed: roots (`vulnerabilities`) and fields (`release.artifacts.signatures`)",
            ),
        ],
    },
    RecordDef {
        name: "File",
        doc: "one file of the evidence bundle",
        fields: &[
            field("path", "string", "bundle-relative path, `/`-separated"),
            field("size", "int", "size in bytes"),
            field("sha256", "string", "lowercase hex SHA-256 of the content"),
            field(
                "kind",
                "string",
                "the evidence kind it was classified as, or `unclassified`",
            ),
        ],
    },
    RecordDef {
        name: "Artifact",
        doc: "a distributed file of the release",
        fields: &[
            field("path", "string", "bundle-relative path"),
            field("name", "string", "file name"),
            field("size", "int", "size in bytes"),
            field("sha256", "string", "lowercase hex SHA-256"),
            field(
                "signatures",
                "list<Signature>",
                "signatures over this artifact",
            ),
            field(
                "checksums",
                "list<Checksum>",
                "checksum-file entries naming this artifact",
            ),
            field(
                "sboms",
                "list<Sbom>",
                "SBOMs that describe this artifact (by digest, name and version, or file name)",
            ),
            field(
                "provenance",
                "list<Provenance>",
                "build provenance naming this artifact by digest",
            ),
            field(
                "digest_mismatches",
                "list<DigestMismatch>",
                "documents that name this artifact but state another SHA-256 for it: they do not count for it (not in `sboms` nor `provenance`)",
            ),
        ],
    },
    RecordDef {
        name: "DigestMismatch",
        doc: "a document refused for an artifact because the digest it states is not the artifact's",
        fields: &[
            field("path", "string", "bundle path of the document"),
            field(
                "line",
                "int?",
                "line of the statement, in a JSON Lines file",
            ),
            closed(
                "evidence",
                "what kind of document it is",
                &["sbom", "provenance"],
            ),
            field(
                "subject",
                "string",
                "what it says it describes (a name and version, a subject name)",
            ),
            closed(
                "linked_by",
                "what named the artifact",
                &["name-version", "file-name"],
            ),
            field(
                "stated",
                "string",
                "the SHA-256 the document states, lowercase hex",
            ),
            field("actual", "string", "the artifact's SHA-256, lowercase hex"),
        ],
    },
    RecordDef {
        name: "Signature",
        doc: "a signature over a file, and the outcome of verifying it",
        fields: &[
            field("path", "string", "bundle path of the signature file"),
            closed(
                "format",
                "the signature format",
                &["openpgp", "ssh", "minisign", "cosign", "sigstore", "dsse"],
            ),
            field(
                "verified",
                "bool",
                "the signature is cryptographically valid for the file",
            ),
            field(
                "trusted",
                "bool",
                "it verifies with a key from the trust set (`--trust`)",
            ),
            closed(
                "outcome",
                "how verifying it ended",
                &[
                    "verified",
                    "bad-signature",
                    "untrusted-key",
                    "expired-key",
                    "unsupported",
                    "malformed",
                    "missing-file",
                    "signed-after-as-of",
                ],
            ),
            field("reason", "string?", "why, when it did not verify"),
            field(
                "signer",
                "string?",
                "the signer: user id, principal or key comment",
            ),
            field("key_id", "string?", "key id or fingerprint"),
            field(
                "signed_at",
                "datetime?",
                "signing time, where the format records one",
            ),
        ],
    },
    RecordDef {
        name: "Checksum",
        doc: "one entry of a checksum file",
        fields: &[
            field("path", "string", "bundle path of the checksum file"),
            field("line", "int", "line of the entry"),
            field("algorithm", "string", "`sha256` or `sha512`"),
            field("expected", "string", "the digest the file states"),
            closed(
                "status",
                "whether the file's digest matches (`error`: the file could not be read)",
                &["match", "mismatch", "missing", "error"],
            ),
            field(
                "signatures",
                "list<Signature>",
                "every signature over the checksum file, whatever its outcome",
            ),
        ],
    },
    RecordDef {
        name: "Distribution",
        doc: "a URL the release is distributed from",
        fields: &[
            field("url", "string", "the URL as written"),
            field(
                "scheme",
                "string",
                "its scheme, lowercase (`https`, `http`, `sftp`, ...)",
            ),
            field("host", "string", "its host, lowercase"),
        ],
    },
    RecordDef {
        name: "Provenance",
        doc: "build provenance (an in-toto statement, e.g. SLSA provenance)",
        fields: &[
            field("path", "string", "bundle path of the statement or envelope"),
            field("predicate_type", "string", "the statement's predicate type"),
            field("builder", "string?", "the builder id"),
            field(
                "verified",
                "bool",
                "its signature verifies with a trusted key",
            ),
        ],
    },
    RecordDef {
        name: "Sbom",
        doc: "a software bill of materials (CycloneDX or SPDX JSON)",
        fields: &[
            field("path", "string", "bundle path"),
            field("format", "string", "`cyclonedx` or `spdx`"),
            field(
                "spec_version",
                "string",
                "version of the format, e.g. `1.6`, `2.3`, `3.0.1` (empty when not stated)",
            ),
            field(
                "subject",
                "Component?",
                "what it describes: CycloneDX `metadata.component`, the package an SPDX document describes",
            ),
            field(
                "created",
                "datetime?",
                "when it was made (`metadata.timestamp`, `creationInfo.created`)",
            ),
            field(
                "components",
                "list<Component>",
                "the components it lists besides its subject, sorted, each once",
            ),
            field(
                "linked_by",
                "string?",
                "how it was linked to the artifact: `digest`, `name-version` or `file-name`; in `release.sboms`, its strongest link to any artifact, `none` when it describes none",
            ),
        ],
    },
    RecordDef {
        name: "Component",
        doc: "a component (CycloneDX) or package (SPDX) an SBOM lists or describes",
        fields: &[
            field("name", "string", "component name"),
            field("version", "string?", "component version"),
            field("purl", "string?", "package URL"),
            field(
                "sha256",
                "string?",
                "lowercase hex SHA-256, where the SBOM states one",
            ),
        ],
    },
    RecordDef {
        name: "Vulnerability",
        doc: "a vulnerability known for the product, merged across evidence by id and alias",
        fields: &[
            field("id", "string", "primary id (CVE where known)"),
            field(
                "aliases",
                "set<string>",
                "other ids (GHSA, OSV, vendor ids)",
            ),
            field("severity", "severity?", "severity band"),
            field("cvss_score", "number?", "CVSS base score"),
            field("cvss_vector", "string?", "CVSS vector string"),
            field("status", "vuln_status", "status for this product"),
            field("justification", "string?", "why it is `not_affected`"),
            field(
                "discovered",
                "datetime?",
                "when it became known to the producer",
            ),
            field("disclosed", "datetime?", "when it was made public"),
            field("fixed_at", "datetime?", "when a fix was released"),
            field("fixed_in", "string?", "the version that fixes it"),
            field(
                "affected_versions",
                "set<string>",
                "product versions or ranges its advisories name as affected",
            ),
            field(
                "fixed_versions",
                "set<string>",
                "product versions that fix it, from its advisories, registers and VEX",
            ),
            field(
                "affected_cycles",
                "set<string>",
                "the support cycles an affected version or range falls in",
            ),
            field(
                "fixed_cycles",
                "set<string>",
                "the support cycles a fixing version falls in",
            ),
            field(
                "time_to_fix",
                "duration?",
                "`fixed_at - discovered`; `none` when its dates conflict",
            ),
            field(
                "open_for",
                "duration?",
                "`as_of - discovered`, while not fixed; `none` when its dates conflict",
            ),
            field(
                "date_conflicts",
                "list<string>",
                "impossible dates in its evidence, each naming the dates and the file (`fixed_at ... (path:line) is before discovered ... (path:line)`, a discovery or fix after `as_of`); when any, `time_to_fix` and `open_for` are `none`",
            ),
            field(
                "sources",
                "list<string>",
                "bundle paths of the evidence that mentions it",
            ),
        ],
    },
    RecordDef {
        name: "Advisory",
        doc: "a published security advisory",
        fields: &[
            field("id", "string", "advisory id"),
            field("path", "string", "bundle path"),
            field("format", "string", "`csaf` or `osv`"),
            field("title", "string?", "title"),
            field(
                "published",
                "datetime?",
                "first published; `none` when the stated date is after `as_of` (not yet published)",
            ),
            field(
                "updated",
                "datetime?",
                "last updated; `none` when the stated date is after `as_of` or before `published`",
            ),
            field(
                "vulnerabilities",
                "set<string>",
                "ids of the vulnerabilities it covers, upper case",
            ),
            field(
                "affected_versions",
                "list<string>",
                "versions or ranges affected",
            ),
            field("fixed_versions", "list<string>", "versions that fix it"),
            field("mitigations", "list<string>", "mitigations and workarounds"),
            field(
                "date_conflicts",
                "list<string>",
                "impossible dates, each naming the dates and the file: published or updated after `as_of`, updated before published",
            ),
        ],
    },
    RecordDef {
        name: "Support",
        doc: "the product's support periods",
        fields: &[
            field("cycles", "list<SupportCycle>", "release cycles"),
            field(
                "unreadable",
                "list<Unreadable>",
                "unreadable support manifests and endoflife.date data",
            ),
        ],
    },
    RecordDef {
        name: "SupportCycle",
        doc: "a release cycle (a major or minor line) and its support dates",
        fields: &[
            field("cycle", "string", "the cycle name, e.g. `2.4`"),
            field("released", "date?", "first release of the cycle"),
            field("support_until", "date?", "end of active support"),
            field(
                "eol",
                "date?",
                "end of security fixes; `none` when not announced",
            ),
            field("eol_announced", "date?", "when the EOL date was published"),
            field("lts", "bool", "long-term support"),
            field(
                "notice",
                "duration?",
                "`eol - eol_announced`; `none` when its dates conflict",
            ),
            field(
                "date_conflicts",
                "list<string>",
                "impossible dates, each naming the dates and the file: support_until or eol before released, eol before support_until, eol_announced after `as_of` (not announced yet)",
            ),
        ],
    },
    RecordDef {
        name: "SecurityTxt",
        doc: "a security.txt file (RFC 9116)",
        fields: &[
            field("path", "string", "bundle path"),
            field("contacts", "list<string>", "`Contact` URIs"),
            field("expires", "datetime?", "`Expires`"),
            field("encryption", "list<string>", "`Encryption` URIs"),
            field(
                "policies",
                "list<string>",
                "`Policy` URIs (`policy` is a keyword)",
            ),
            field("canonical", "list<string>", "`Canonical` URIs"),
            field(
                "preferred_languages",
                "list<string>",
                "`Preferred-Languages`",
            ),
            field(
                "signed",
                "bool",
                "it carries an OpenPGP cleartext signature",
            ),
            field(
                "verified",
                "bool",
                "one of its signatures verifies with a trusted key (outcome `verified`)",
            ),
        ],
    },
    RecordDef {
        name: "Changelog",
        doc: "a changelog and the versions it lists",
        fields: &[
            field("path", "string", "bundle path"),
            field(
                "versions",
                "list<ChangelogVersion>",
                "the versions, in file order (usually newest first)",
            ),
        ],
    },
    RecordDef {
        name: "ChangelogVersion",
        doc: "one version of a changelog",
        fields: &[
            field(
                "version",
                "string",
                "the version, without brackets or a leading `v`",
            ),
            field("date", "date?", "the date on its heading"),
            field("security", "bool", "it has a `Security` section"),
            field(
                "ids",
                "set<string>",
                "security ids it mentions (CVE, GHSA, RUSTSEC, ...), upper case",
            ),
        ],
    },
    RecordDef {
        name: "Feed",
        doc: "an advisory feed",
        fields: &[
            field("path", "string", "bundle path"),
            field("format", "string", "`rss`, `atom` or `rolie`"),
            field("title", "string?", "the feed's title"),
            field("items", "list<FeedItem>", "its items, in file order"),
        ],
    },
    RecordDef {
        name: "FeedItem",
        doc: "one item (entry) of a feed",
        fields: &[
            field("title", "string?", "title"),
            field("link", "string?", "link"),
            field(
                "published",
                "datetime?",
                "when it was published (Atom: `updated` when there is no `published`)",
            ),
            field(
                "ids",
                "set<string>",
                "security ids it mentions (CVE, GHSA, RUSTSEC, ...), upper case",
            ),
        ],
    },
    RecordDef {
        name: "TlsScan",
        doc: "what a TLS scan found for one host",
        fields: &[
            field("path", "string", "bundle path of the scan"),
            field("tool", "string", "`testssl` or `sslyze`"),
            field("host", "string", "the host scanned"),
            field(
                "protocols",
                "set<string>",
                "protocols offered: `ssl2`, `ssl3`, `tls1.0`, `tls1.1`, `tls1.2`, `tls1.3`",
            ),
            field(
                "hsts",
                "bool?",
                "an HSTS header with a non-zero max-age; `none` when not checked",
            ),
            field("hsts_max_age", "duration?", "the HSTS max-age"),
            field(
                "weak_ciphers",
                "list<string>",
                "weak cipher suites accepted (NULL, EXPORT, RC4, DES/3DES, anonymous, MD5, any under SSL 3.0)",
            ),
            field("scanned_at", "datetime?", "when the scan ran"),
        ],
    },
    RecordDef {
        name: "VulnEvidence",
        doc: "a piece of vulnerability evidence that covers the release",
        fields: &[
            field("path", "string", "bundle path"),
            closed("kind", "what it is", &["scan", "register", "vex"]),
            field(
                "format",
                "string",
                "its format: `trivy`, `grype`, `osv-scanner`, `vouch-register`, `dependabot`, `openvex`, `csaf`, `cyclonedx`",
            ),
        ],
    },
    RecordDef {
        name: "VulnScan",
        doc: "a vulnerability scan of the release",
        fields: &[
            field("path", "string", "bundle path of the scan output"),
            field("tool", "string", "`osv-scanner`, `trivy` or `grype`"),
            field(
                "scanned_at",
                "datetime?",
                "when the scan ran (Trivy `CreatedAt`, Grype `descriptor.timestamp`; OSV-Scanner does not say)",
            ),
            field(
                "findings",
                "int",
                "how many vulnerability findings it reports",
            ),
        ],
    },
    RecordDef {
        name: "Attestation",
        doc: "a person's signed-off statement, for `manual` controls",
        fields: &[
            field("path", "string", "bundle path"),
            field("control", "string?", "the control id it attests"),
            field("statement", "string", "what is attested"),
            field("attested_by", "string", "who attests it"),
            field("date", "datetime", "when"),
            field(
                "evidence",
                "list<string>",
                "references to supporting evidence",
            ),
        ],
    },
];

/// Looks up a record by type name.
pub fn record(name: &str) -> Option<&'static RecordDef> {
    RECORDS.iter().find(|r| r.name == name)
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

type FieldTypes = BTreeMap<&'static str, BTreeMap<&'static str, Type>>;

/// Field types by record name (roots under the empty name), parsed once.
static FIELD_TYPES: LazyLock<FieldTypes> = LazyLock::new(|| {
    let mut map: FieldTypes = BTreeMap::new();
    for r in RECORDS {
        let fields = map.entry(r.name).or_default();
        for f in r.fields {
            fields.insert(f.name, parse_type(f.ty).unwrap_or(Type::Error));
        }
    }
    let roots = map.entry("").or_default();
    for f in ROOTS {
        roots.insert(f.name, parse_type(f.ty).unwrap_or(Type::Error));
    }
    map
});

/// The type of `record.field`, if the record has that field.
pub fn field_type(record: &str, field: &str) -> Option<&'static Type> {
    FIELD_TYPES.get(record)?.get(field)
}

/// The closed set of values of a record's string field; empty when it has none.
pub fn field_values(record: &str, field: &str) -> &'static [&'static str] {
    self::record(record)
        .and_then(|r| r.fields.iter().find(|f| f.name == field))
        .map_or(&[], |f| f.values)
}

/// The type of a top-level name, if it is a root of the schema.
pub fn root_type(name: &str) -> Option<&'static Type> {
    FIELD_TYPES.get("")?.get(name)
}

/// The schema as a Markdown reference (the book's schema page embeds exactly this).
pub fn to_markdown() -> String {
    let mut out = String::from("## Roots\n\n| name | type | meaning |\n| --- | --- | --- |\n");
    for f in ROOTS {
        out.push_str(&format!("| `{}` | `{}` | {} |\n", f.name, f.ty, f.doc));
    }
    out.push_str("\n## Records\n");
    for r in RECORDS {
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
