//! The records of a release and what it ships: the release, the bundle and its files, the
//! artifacts with their signatures, checksums, distributions, provenance and SBOMs.

use super::{RecordDef, closed, field};

/// The records of a release and its artifacts, in the order the book lists them.
pub(super) const RECORDS: &[RecordDef] = &[
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
            field(
                "coverage",
                "list<Coverage>",
                "how it is signed: one record per signature over it (`kind` `signature`) and per signature at the end of a chain of checksum files that lists it (`kind` `checksums`), whatever the outcome; it is signed when one has `verified and trusted` (see [Signed checksum files](../evidence/checksums.md#signed-checksum-files-and-chains))",
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
                "what named the artifact (`sha256`: the subject's SHA-256 is the artifact's, but the SHA-512 it also states is not)",
                &["name-version", "file-name", "sha256"],
            ),
            closed(
                "algorithm",
                "the algorithm of `stated` and `actual`",
                &["sha256", "sha512"],
            ),
            field(
                "stated",
                "string",
                "the digest the document states, lowercase hex",
            ),
            field(
                "actual",
                "string",
                "the artifact's digest in the same algorithm, lowercase hex",
            ),
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
                &[
                    "openpgp",
                    "ssh",
                    "minisign",
                    "cosign",
                    "sigstore",
                    "dsse",
                    "signify",
                    "npm-registry",
                ],
            ),
            field(
                "verified",
                "bool",
                "the signature is cryptographically valid for the file",
            ),
            field(
                "trusted",
                "bool",
                "it verifies with a key from the trust set (`--trust`) that the authority policy (`--authority`) permits to sign what it signs",
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
                    "not-permitted",
                    "keyless",
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
                "signing time, where the format records one (Sigstore: the earliest verified transparency-log or RFC 3161 time)",
            ),
            field(
                "identity",
                "string?",
                "keyless Sigstore: the certificate identity (its SAN: a CI workflow URI or an email address); verified when the outcome is `keyless`",
            ),
            field(
                "issuer",
                "string?",
                "keyless Sigstore: the OIDC issuer the certificate records",
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
        name: "Coverage",
        doc: "one way an artifact is signed: a signature over it, or a signature over a checksum file at the end of a chain of checksum files that lists it",
        fields: &[
            closed(
                "kind",
                "`signature`: the signature is over the artifact; `checksums`: over the last checksum file of `chain`; `registry`: a package registry's signature over the package version whose document is the last link of `chain` (npm: over `{name}@{version}:{integrity}`, so it covers the tarball only when its sha512 is that integrity)",
                &["signature", "checksums", "registry"],
            ),
            field(
                "path",
                "string",
                "bundle path of the signature file (for `too-deep`, of the checksum file past the bound)",
            ),
            field(
                "format",
                "string?",
                "the signature format, as in `Signature.format`",
            ),
            field(
                "verified",
                "bool",
                "the signature is cryptographically valid and every digest along the chain matches",
            ),
            field(
                "trusted",
                "bool",
                "the signature's key is trusted and permitted by the authority (to sign `checksums` for a chain, `artifact` for a direct signature), it was not made after `as_of`, and no signed index on the way is stale at `as_of` (`Valid-Until` before it, `Date` after it)",
            ),
            closed(
                "outcome",
                "`verified` when it covers the artifact; else the first reason it does not: a digest along the chain that does not match, stale metadata, a chain longer than vouch follows (4 links), or the signature's own outcome (`keyless` for a verified keyless Sigstore signature over the artifact: judged by its identity, see `Signature.identity`)",
                &[
                    "verified",
                    "digest-mismatch",
                    "stale",
                    "too-deep",
                    "bad-signature",
                    "untrusted-key",
                    "expired-key",
                    "unsupported",
                    "malformed",
                    "missing-file",
                    "signed-after-as-of",
                    "not-permitted",
                    "keyless",
                ],
            ),
            field(
                "reason",
                "string?",
                "why, when the outcome is not `verified`",
            ),
            field("signer", "string?", "the signer, as in `Signature.signer`"),
            field("key_id", "string?", "the signing key's id or fingerprint"),
            field(
                "chain",
                "list<CoverageLink>",
                "the checksum entries from the artifact outward (empty for a direct signature): the first names the artifact, each next one names the previous one's checksum file",
            ),
        ],
    },
    RecordDef {
        name: "CoverageLink",
        doc: "one link of a chain of checksum files: an entry naming the artifact, or naming the checksum file of the link before",
        fields: &[
            field(
                "path",
                "string",
                "bundle path of the checksum file (or index)",
            ),
            field("line", "int", "line of the entry"),
            field("names", "string", "bundle path of the file the entry names"),
            field("algorithm", "string", "`sha256` or `sha512`"),
            field(
                "expected",
                "string",
                "the digest the entry states, lowercase hex",
            ),
            closed(
                "status",
                "whether the named file's digest matches",
                &["match", "mismatch", "missing", "error"],
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
                "its signature verifies with a trusted key, or keyless against a Sigstore trusted root (then check `identity`)",
            ),
            field(
                "identity",
                "string?",
                "when a keyless signature verifies it: the certificate identity (SAN); `none` when a trusted key does",
            ),
            field(
                "issuer",
                "string?",
                "when a keyless signature verifies it: the certificate's OIDC issuer",
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
];
