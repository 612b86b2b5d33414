//! PEP 740 attestations (PyPI): an attestation object
//! (`{"version": 1, "verification_material": {"certificate", "transparency_entries",
//! "timestamps"}, "envelope": {"statement", "signature"}}`), or a provenance object as PyPI's
//! integrity API serves it (`{"version": 1, "attestation_bundles": [{"publisher",
//! "attestations": [...]}]}`).
//!
//! An attestation object is a keyless Sigstore bundle in other words: it is rewritten into
//! the Sigstore bundle v0.3 it stands for (certificate, log entries and RFC 3161 timestamps
//! as they are; the statement as a DSSE envelope of type `application/vnd.in-toto+json`),
//! which the Sigstore verifier then checks like any other.

use serde_json::{Value, json};

/// Whether a JSON value is a PEP 740 attestation or provenance object.
pub fn is_pep740(value: &Value) -> bool {
    let Some(object) = value.as_object() else {
        return false;
    };
    let attestation =
        object.contains_key("verification_material") && object.contains_key("envelope");
    let provenance = object
        .get("attestation_bundles")
        .is_some_and(Value::is_array);
    object.contains_key("version") && (attestation || provenance)
}

/// The Sigstore bundles a PEP 740 object holds: one for an attestation, one per attestation
/// of each bundle for a provenance object. `Err` says what is missing.
pub fn bundles(value: &Value) -> Result<Vec<Value>, String> {
    match value.get("version").and_then(Value::as_u64) {
        Some(1) => {}
        Some(v) => return Err(format!("PEP 740 version {v} is not one vouch reads (1)")),
        None => return Err("the PEP 740 object has no numeric `version`".to_owned()),
    }
    let Some(groups) = value.get("attestation_bundles") else {
        return Ok(vec![bundle(value)?]);
    };
    let mut out = Vec::new();
    for (g, group) in groups.as_array().into_iter().flatten().enumerate() {
        let list = group
            .get("attestations")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("attestation bundle {} has no `attestations`", g + 1))?;
        for (i, attestation) in list.iter().enumerate() {
            out.push(
                bundle(attestation)
                    .map_err(|e| format!("attestation {} of bundle {}: {e}", i + 1, g + 1))?,
            );
        }
    }
    Ok(out)
}

/// One attestation object as the Sigstore bundle v0.3 it stands for.
fn bundle(attestation: &Value) -> Result<Value, String> {
    let text = |parent: &str, key: &str| {
        attestation
            .get(parent)
            .and_then(|p| p.get(key))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| format!("the attestation has no `{parent}.{key}`"))
    };
    let certificate = text("verification_material", "certificate")?;
    let statement = text("envelope", "statement")?;
    let signature = text("envelope", "signature")?;
    let material = attestation.get("verification_material");
    let entries = material
        .and_then(|m| m.get("transparency_entries"))
        .cloned()
        .unwrap_or_else(|| json!([]));
    let timestamps: Vec<Value> = material
        .and_then(|m| m.get("timestamps"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|t| json!({ "signedTimestamp": t }))
        .collect();
    Ok(json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {
            "certificate": { "rawBytes": certificate },
            "tlogEntries": entries,
            "timestampVerificationData": { "rfc3161Timestamps": timestamps },
        },
        "dsseEnvelope": {
            "payload": statement,
            "payloadType": "application/vnd.in-toto+json",
            "signatures": [{ "sig": signature }],
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_objects_say_why() {
        for (value, why) in [
            (
                json!({"version": 2, "envelope": {}, "verification_material": {}}),
                "version 2",
            ),
            (
                json!({"version": 1, "envelope": {}, "verification_material": {}}),
                "certificate",
            ),
            (
                json!({"version": 1, "attestation_bundles": [{}]}),
                "no `attestations`",
            ),
        ] {
            assert!(is_pep740(&value), "{value}");
            let err = bundles(&value).err().unwrap_or_default();
            assert!(err.contains(why), "{why}: {err}");
        }
        assert!(!is_pep740(&json!({"version": 1})));
    }
}
