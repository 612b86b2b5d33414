//! What an evidence record says, in one sentence built from its own fields: the "checked"
//! of a passing control's evidence ([`crate::report::PassRecord::checked`]), e.g.
//! `signature dist/x.tar.gz.asc verified by OpenPGP key 2116…046F (trusted, valid at as_of)`.
//!
//! One sentence per record kind of the schema, deterministic (fields in a fixed order, no
//! clock), and plain about what is missing: a field that is `none` is named as not recorded
//! rather than left out, so a reader never mistakes an absent value for a good one.

use std::fmt;

use crate::eval::value::{Record, Value};

/// Key ids and digests longer than this are shortened to their first and last four digits.
const SHORT: usize = 16;

/// The sentence for record `r`.
pub(crate) fn describe(r: &Record) -> String {
    match r.kind {
        "Signature" => signature(r),
        "Coverage" => coverage(r),
        "Checksum" => checksum(r),
        "CoverageLink" => coverage_link(r),
        "Artifact" => artifact(r),
        "File" => format!(
            "file {} ({}, sha256 {})",
            text(r, "path"),
            bytes(r),
            short_of(r, "sha256")
        ),
        "DigestMismatch" => format!(
            "{} {} states {} {} for {}, not the artifact's {} (linked by {}): not counted",
            text(r, "evidence"),
            text(r, "path"),
            text(r, "algorithm"),
            short_of(r, "stated"),
            text(r, "subject"),
            short_of(r, "actual"),
            text(r, "linked_by")
        ),
        "Sbom" => sbom(r),
        "Component" => component(r),
        "Provenance" => provenance(r),
        "Distribution" => format!(
            "distributed from {} (scheme {}, host {})",
            text(r, "url"),
            text(r, "scheme"),
            text(r, "host")
        ),
        "Release" => format!(
            "release {} {} dated {}",
            text(r, "product"),
            text(r, "version"),
            or(r, "date", "with no date recorded")
        ),
        "Vulnerability" => vulnerability(r),
        "Advisory" => format!(
            "advisory {} ({}) covers {}, published {}, fixed versions {}",
            text(r, "id"),
            text(r, "format"),
            list_or(r, "vulnerabilities", "no vulnerability id"),
            or(r, "published", "on a date not stated (or after as_of)"),
            list_or(r, "fixed_versions", "not stated")
        ),
        "SupportCycle" => support_cycle(r),
        "SecurityTxt" => security_txt(r),
        "Changelog" => format!(
            "changelog {} lists {} version(s)",
            text(r, "path"),
            count(r, "versions")
        ),
        "ChangelogVersion" => format!(
            "changelog version {} dated {}{}, mentions {}",
            text(r, "version"),
            or(r, "date", "(no date on its heading)"),
            if flag(r, "security") == Some(true) {
                ", with a Security section"
            } else {
                ", without a Security section"
            },
            list_or(r, "ids", "no security id")
        ),
        "Feed" => format!(
            "{} feed {} ({}) with {} item(s)",
            text(r, "format"),
            text(r, "path"),
            or(r, "title", "untitled"),
            count(r, "items")
        ),
        "FeedItem" => format!(
            "feed item {} published {}, mentions {}",
            or(r, "title", "(untitled)"),
            or(r, "published", "on a date not stated"),
            list_or(r, "ids", "no security id")
        ),
        "TlsScan" => tls_scan(r),
        "VulnEvidence" => format!(
            "vulnerability {} {} ({})",
            text(r, "kind"),
            text(r, "path"),
            text(r, "format")
        ),
        "VulnScan" => format!(
            "{} scan {} reports {} finding(s), scanned {}",
            text(r, "tool"),
            text(r, "path"),
            text(r, "findings"),
            or(r, "scanned_at", "at a time not recorded")
        ),
        "Attestation" => format!(
            "attestation {} of {} by {} on {}",
            text(r, "path"),
            or(r, "control", "no control named"),
            text(r, "attested_by"),
            text(r, "date")
        ),
        "Unreadable" => format!(
            "{} {} could not be read: {}",
            text(r, "kind"),
            text(r, "path"),
            text(r, "error")
        ),
        kind => format!("{kind} {}", r.label),
    }
}

/// A field's value shown as in messages, or `missing` when it is `none`: written straight
/// into the sentence, with no `String` of its own.
struct Shown<'r> {
    value: Option<&'r Value>,
    missing: &'r str,
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value {
            Some(v) => fmt::Display::fmt(v, f),
            None => f.write_str(self.missing),
        }
    }
}

/// A field's value as text; `none` (or a field the record lacks) as `none`.
fn text<'r>(r: &'r Record, field: &str) -> Shown<'r> {
    or(r, field, "none")
}

/// A field's text shortened as [`short`] does.
fn short_of(r: &Record, field: &str) -> String {
    match value(r, field) {
        Some(Value::Str(s)) => short(s),
        _ => short(&text(r, field).to_string()),
    }
}

/// A field's value, unless it is `none`.
fn value<'r>(r: &'r Record, field: &str) -> Option<&'r Value> {
    r.field(field).filter(|v| !v.is_none())
}

/// A field's value as text, or `missing` when it is `none`.
fn or<'r>(r: &'r Record, field: &str, missing: &'r str) -> Shown<'r> {
    Shown {
        value: value(r, field),
        missing,
    }
}

/// A boolean field; `None` when it is not a boolean.
fn flag(r: &Record, field: &str) -> Option<bool> {
    match value(r, field) {
        Some(Value::Bool(b)) => Some(*b),
        _ => None,
    }
}

/// How many elements a collection field has (0 for `none`).
fn count(r: &Record, field: &str) -> usize {
    value(r, field)
        .and_then(Value::elements)
        .map_or(0, <[_]>::len)
}

/// A collection field's elements, comma-separated, or `empty` when it has none.
fn list_or(r: &Record, field: &str, empty: &str) -> String {
    match value(r, field).and_then(Value::elements) {
        Some(items) if !items.is_empty() => items
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        _ => empty.to_owned(),
    }
}

/// A file's size: `N bytes`, or that it is not recorded.
fn bytes(r: &Record) -> String {
    value(r, "size").map_or_else(|| "size not recorded".to_owned(), |v| format!("{v} bytes"))
}

/// A long hex id shortened to `1234…CDEF`; short ones whole.
fn short(id: &str) -> String {
    if id.chars().count() <= SHORT {
        return id.to_owned();
    }
    // Where the fifth character starts, and where the fourth from the end does.
    let head = id.char_indices().nth(4).map_or(id.len(), |(at, _)| at);
    let tail = id.char_indices().rev().nth(3).map_or(0, |(at, _)| at);
    match (id.get(..head), id.get(tail..)) {
        (Some(first), Some(last)) => format!("{first}…{last}"),
        _ => id.to_owned(),
    }
}

/// A signature format as people write it.
fn format_name(format: &str) -> &str {
    match format {
        "openpgp" => "OpenPGP",
        "ssh" => "SSH",
        "sigstore" => "Sigstore",
        "dsse" => "DSSE",
        "npm-registry" => "npm registry",
        other => other,
    }
}

/// Who signed: `OpenPGP key 2116…046F`, a keyless certificate's identity, or that the record
/// names no key.
fn signer(r: &Record) -> String {
    let format = value(r, "format").map_or_else(
        || "a key of a format not recorded".to_owned(),
        |f| format!("{} key", format_name(&f.to_string())),
    );
    match (value(r, "key_id"), value(r, "identity")) {
        (Some(key), _) => format!("{format} {}", short(&key.to_string())),
        (None, Some(identity)) => format!(
            "keyless certificate {identity} (issuer {})",
            or(r, "issuer", "not recorded")
        ),
        (None, None) => format!("{format} (no key id recorded)"),
    }
}

/// `signature PATH verified by KEY (trusted, valid at as_of)`, or how verifying it ended.
fn signed_by(r: &Record) -> String {
    let path = text(r, "path");
    let outcome = text(r, "outcome").to_string();
    let verified = flag(r, "verified") == Some(true);
    if outcome == "verified" && verified {
        let trust = match flag(r, "trusted") {
            Some(true) => "trusted, valid at as_of",
            Some(false) => "not trusted",
            None => "trust not recorded",
        };
        return format!("signature {path} verified by {} ({trust})", signer(r));
    }
    let reason = value(r, "reason")
        .map(|v| format!(": {v}"))
        .unwrap_or_default();
    format!(
        "signature {path} by {}: {outcome}{reason}{}",
        signer(r),
        if verified {
            " (cryptographically valid)"
        } else {
            ""
        }
    )
}

fn signature(r: &Record) -> String {
    let mut out = signed_by(r);
    if let Some(at) = value(r, "signed_at") {
        out.push_str(&format!(", signed {at}"));
    } else if text(r, "outcome").to_string() == "verified" {
        out.push_str(", signing time not recorded");
    }
    out
}

fn coverage(r: &Record) -> String {
    let how = match text(r, "kind").to_string().as_str() {
        "signature" => "signed directly".to_owned(),
        "checksums" => match value(r, "chain").and_then(Value::elements) {
            Some([.., Value::Record(last)]) => format!(
                "signed through {} checksum link(s), the last in {}",
                count(r, "chain"),
                text(last, "path")
            ),
            _ => "signed through a chain of checksum files not recorded".to_owned(),
        },
        "registry" => "signed by its package registry".to_owned(),
        other => format!("covered ({other})"),
    };
    format!("{how}: {}", signed_by(r))
}

/// What a checksum entry's status says of the file it names.
fn status_text(r: &Record) -> String {
    match text(r, "status").to_string().as_str() {
        "match" => "matches".to_owned(),
        "mismatch" => "does not match".to_owned(),
        "missing" => "names a file not in the bundle".to_owned(),
        "error" => "could not be compared (the file could not be read)".to_owned(),
        other => format!("has status {other}"),
    }
}

fn checksum(r: &Record) -> String {
    let status = status_text(r);
    let against = if status == "matches" || status == "does not match" {
        " the file it names"
    } else {
        ""
    };
    format!(
        "{} line {}: {} {} {status}{against}; {} signature(s) over the checksum file",
        text(r, "path"),
        text(r, "line"),
        text(r, "algorithm"),
        short_of(r, "expected"),
        count(r, "signatures")
    )
}

fn coverage_link(r: &Record) -> String {
    format!(
        "{} {} {}: {} line {}",
        text(r, "names"),
        text(r, "algorithm"),
        status_text(r),
        text(r, "path"),
        text(r, "line")
    )
}

fn artifact(r: &Record) -> String {
    format!(
        "artifact {} ({}, sha256 {}): {} signature(s), {} checksum entr{}, {} SBOM(s), {} \
         provenance statement(s)",
        text(r, "path"),
        bytes(r),
        short_of(r, "sha256"),
        count(r, "signatures"),
        count(r, "checksums"),
        if count(r, "checksums") == 1 {
            "y"
        } else {
            "ies"
        },
        count(r, "sboms"),
        count(r, "provenance")
    )
}

fn component(r: &Record) -> String {
    format!(
        "component {} {} ({})",
        text(r, "name"),
        or(r, "version", "(version not stated)"),
        or(r, "purl", "no package URL")
    )
}

fn sbom(r: &Record) -> String {
    let subject = match value(r, "subject") {
        Some(Value::Record(s)) => component(s),
        _ => "no subject stated".to_owned(),
    };
    let spec = value(r, "spec_version")
        .map(ToString::to_string)
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "version not stated".to_owned());
    format!(
        "SBOM {} ({} {spec}) describes {subject}, linked by {}, lists {} component(s), created {}",
        text(r, "path"),
        text(r, "format"),
        or(r, "linked_by", "nothing (it describes no artifact)"),
        count(r, "components"),
        or(r, "created", "at a time not recorded")
    )
}

fn provenance(r: &Record) -> String {
    let verified = match (flag(r, "verified"), value(r, "identity")) {
        (Some(true), Some(identity)) => format!(
            "signature verified keyless for {identity} (issuer {})",
            or(r, "issuer", "not recorded")
        ),
        (Some(true), None) => "signature verified with a trusted key".to_owned(),
        _ => "signature not verified".to_owned(),
    };
    format!(
        "provenance {} ({}) from builder {}: {verified}",
        text(r, "path"),
        text(r, "predicate_type"),
        or(r, "builder", "(not stated)")
    )
}

fn vulnerability(r: &Record) -> String {
    let status = text(r, "status").to_string();
    let detail = match status.as_str() {
        "fixed" => format!(
            ", fixed in {}, fix released {}",
            or(r, "fixed_in", "a version not stated"),
            or(r, "fixed_at", "on a date not recorded")
        ),
        "not_affected" => format!(", justification: {}", or(r, "justification", "not stated")),
        _ => format!(
            ", discovered {}",
            or(r, "discovered", "on a date not recorded")
        ),
    };
    format!(
        "vulnerability {} ({}): {status}{detail}",
        text(r, "id"),
        or(r, "severity", "severity not stated")
    )
}

fn support_cycle(r: &Record) -> String {
    let eol = match value(r, "eol") {
        Some(eol) => format!(
            "end of life {eol}, announced {} (notice {})",
            or(r, "eol_announced", "on a date not recorded"),
            or(r, "notice", "unknown")
        ),
        None => "end of life not announced".to_owned(),
    };
    format!(
        "support cycle {}{}: {eol}, supported until {}",
        text(r, "cycle"),
        if flag(r, "lts") == Some(true) {
            " (LTS)"
        } else {
            ""
        },
        or(r, "support_until", "a date not stated")
    )
}

fn security_txt(r: &Record) -> String {
    let signed = match (flag(r, "signed"), flag(r, "verified")) {
        (_, Some(true)) => "signature verified with a trusted key",
        (Some(true), _) => "signed, signature not verified",
        _ => "not signed",
    };
    format!(
        "security.txt {}: {} contact(s), expires {}, {signed}",
        text(r, "path"),
        count(r, "contacts"),
        or(r, "expires", "(no Expires field)")
    )
}

fn tls_scan(r: &Record) -> String {
    let hsts = match flag(r, "hsts") {
        Some(true) => format!("HSTS max-age {}", or(r, "hsts_max_age", "not recorded")),
        Some(false) => "no HSTS".to_owned(),
        None => "HSTS not checked".to_owned(),
    };
    format!(
        "{} scan {} of {}: protocols {}, {hsts}, {} weak cipher(s), scanned {}",
        text(r, "tool"),
        text(r, "path"),
        text(r, "host"),
        list_or(r, "protocols", "none offered"),
        count(r, "weak_ciphers"),
        or(r, "scanned_at", "at a time not recorded")
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// A signature record over `dist/x.tar.gz` with the given key id and signing time.
    fn signature(outcome: &str, key_id: Value, signed_at: Value) -> Arc<Record> {
        Record::new(
            "Signature",
            Arc::from("dist/x.tar.gz.asc"),
            None,
            [
                ("path", Value::str("dist/x.tar.gz.asc")),
                ("format", Value::str("openpgp")),
                ("verified", Value::Bool(outcome == "verified")),
                ("trusted", Value::Bool(outcome == "verified")),
                ("outcome", Value::str(outcome)),
                (
                    "reason",
                    if outcome == "verified" {
                        Value::None
                    } else {
                        Value::str("the key is not in the trust set")
                    },
                ),
                ("signer", Value::None),
                ("key_id", key_id),
                ("signed_at", signed_at),
                ("identity", Value::None),
                ("issuer", Value::None),
            ],
        )
    }

    #[test]
    fn a_signature_says_who_signed_and_when() {
        let at = "2026-09-01T00:00:00Z".parse().unwrap();
        let r = signature(
            "verified",
            Value::str("21161D33A8B0ADC2F45F84F7AB3F9A0C3E6A046F"),
            Value::DateTime(at),
        );
        assert_eq!(
            describe(&r),
            "signature dist/x.tar.gz.asc verified by OpenPGP key 2116…046F (trusted, valid at \
             as_of), signed 2026-09-01T00:00:00Z"
        );
    }

    #[test]
    fn a_missing_field_is_named_not_left_out() {
        let r = signature("verified", Value::None, Value::None);
        let text = describe(&r);
        assert!(text.contains("(no key id recorded)"), "{text}");
        assert!(text.ends_with("signing time not recorded"), "{text}");
        let r = signature("untrusted-key", Value::str("ABCD1234"), Value::None);
        assert_eq!(
            describe(&r),
            "signature dist/x.tar.gz.asc by OpenPGP key ABCD1234: untrusted-key: the key is not \
             in the trust set"
        );
        let cycle = Record::new(
            "SupportCycle",
            Arc::from("2.4"),
            None,
            [
                ("cycle", Value::str("2.4")),
                ("released", Value::None),
                ("support_until", Value::None),
                ("eol", Value::None),
                ("eol_announced", Value::None),
                ("lts", Value::Bool(false)),
                ("notice", Value::None),
                ("date_conflicts", Value::list(Vec::new())),
            ],
        );
        assert_eq!(
            describe(&cycle),
            "support cycle 2.4: end of life not announced, supported until a date not stated"
        );
    }

    #[test]
    fn long_ids_are_shortened() {
        assert_eq!(short("2116ABCDEF0123456789046F"), "2116…046F");
        assert_eq!(short("ABCD1234"), "ABCD1234");
        assert_eq!(short("0123456789abcdef"), "0123456789abcdef");
        assert_eq!(short("0123456789abcdefg"), "0123…defg");
        // Characters, not bytes.
        assert_eq!(short("ééééé0123456789ü"), "ééééé0123456789ü");
        assert_eq!(short("éééééé0123456789üü"), "éééé…89üü");
    }
}
