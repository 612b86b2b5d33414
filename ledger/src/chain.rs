//! The hash chain: what an entry's hash covers.

use sha2::{Digest as _, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields an entry's hash covers (all but the report text, covered by its sha256).
#[derive(Debug, Clone, Copy)]
pub(crate) struct EntryFields<'a> {
    pub seq: i64,
    pub recorded_at: &'a str,
    pub product: Option<&'a str>,
    pub version: Option<&'a str>,
    pub as_of: &'a str,
    pub policy_sha256: &'a str,
    pub bundle_digest: &'a str,
    pub trust_sha256: &'a str,
    pub waiver_sha256: &'a str,
    pub gate: &'a str,
    pub report_sha256: &'a str,
    pub evidence_sha256: &'a str,
    pub prev_hash: &'a str,
}

/// sha256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// An entry's hash: sha256 of a JSON array of its fields in a fixed order, tagged with the
/// chain's version. JSON quoting makes the encoding unambiguous (no field can run into the
/// next).
pub(crate) fn entry_hash(f: &EntryFields<'_>) -> String {
    let fields = serde_json::json!([
        "vouch-ledger-entry/1",
        f.seq,
        f.recorded_at,
        f.product,
        f.version,
        f.as_of,
        f.policy_sha256,
        f.bundle_digest,
        f.trust_sha256,
        f.waiver_sha256,
        f.gate,
        f.report_sha256,
        f.evidence_sha256,
        f.prev_hash,
    ]);
    sha256_hex(fields.to_string().as_bytes())
}

/// sha256 of an evidence manifest: the sorted (path, sha256) pairs as a JSON array.
pub fn evidence_manifest_sha256(sorted: &[(String, String)]) -> String {
    let pairs: Vec<[&str; 2]> = sorted
        .iter()
        .map(|(p, s)| [p.as_str(), s.as_str()])
        .collect();
    sha256_hex(serde_json::json!(pairs).to_string().as_bytes())
}
