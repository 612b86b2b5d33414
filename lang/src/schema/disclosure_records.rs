//! The records of vulnerability handling and disclosure: vulnerabilities, advisories,
//! support cycles, security.txt, changelogs, feeds, TLS scans, vulnerability evidence and
//! attestations.

use super::{RecordDef, closed, field};

/// The records of vulnerability handling and disclosure, in the order the book lists them.
pub(super) const RECORDS: &[RecordDef] = &[
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
                "when it became known to the producer; for an open third-party finding (a scanner's or dependency audit's, with no register entry) with no recorded discovery, when its advisory was published",
            ),
            field(
                "discovered_from",
                "string?",
                "where `discovered` comes from: `register` (a register, Dependabot alert or VEX statement), `advisory` (an advisory or scan that states it), `publication` (an open third-party finding's advisory publication: the SLA clock starts there)",
            ),
            field("disclosed", "datetime?", "when it was made public"),
            field(
                "fixed_at",
                "datetime?",
                "when a fix was released: the earliest fix date its evidence states; else, when the release's version is a fixing version its advisory's ranges name, the release's date (never one after `as_of`)",
            ),
            field(
                "fixed_from",
                "string?",
                "where `fixed_at` comes from: `register` (a register or VEX statement), `advisory` (an advisory, scan or SBOM that states it), `release` (the release is the fixing version)",
            ),
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
            field("format", "string", "`csaf`, `osv` or `rustsec`"),
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
