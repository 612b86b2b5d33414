//! Signed chain heads: `vouch ledger sign` puts a ledger's head (its id, entry count and last
//! hash) in a DSSE envelope signed with a report-signing key (Ed25519 or ECDSA P-256, PKCS#8
//! PEM or OpenSSH); `vouch ledger verify --trust PUB` opens it and compares it with the
//! ledger.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use vouch_engine::report::attest::{SigningKey, at};
use vouch_engine::signatures::dsse::pae;
use vouch_engine::trust::pem::PemKey;
use vouch_ledger::ChainHead;

/// The DSSE payload type of a signed chain head.
pub const PAYLOAD_TYPE: &str = "application/vnd.vouch.ledger-head+json";
/// The `_type` of the payload.
pub const HEAD_TYPE: &str = "https://vouch-policy.github.io/vouch/ledger-head/v1";

/// The envelope of `head` signed by `key`, as JSON text ending in a newline.
pub fn sign(head: &ChainHead, key: &SigningKey) -> String {
    let payload = json!({
        "_type": HEAD_TYPE,
        "ledger_id": head.ledger_id,
        "entries": head.entries,
        "head": head.head,
    })
    .to_string();
    let sig = key.sign(&pae(PAYLOAD_TYPE, payload.as_bytes()));
    let mut text = json!({
        "payloadType": PAYLOAD_TYPE,
        "payload": STANDARD.encode(payload.as_bytes()),
        "signatures": [{ "keyid": key.key_id(), "sig": STANDARD.encode(sig) }],
    })
    .to_string();
    text.push('\n');
    text
}

/// The head `bytes` holds, when a signature of it verifies with `signer`; otherwise why not.
pub fn open(bytes: &[u8], signer: &PemKey) -> Result<ChainHead, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| format!("it is not JSON: {e}"))?;
    let payload_type = at(&value, "payloadType").as_str();
    if payload_type != Some(PAYLOAD_TYPE) {
        return Err(format!("its payload type is not `{PAYLOAD_TYPE}`"));
    }
    let payload = at(&value, "payload")
        .as_str()
        .and_then(|p| STANDARD.decode(p).ok())
        .ok_or("it has no base64 `payload`")?;
    let message = pae(PAYLOAD_TYPE, &payload);
    let signatures = at(&value, "signatures")
        .as_array()
        .filter(|s| !s.is_empty())
        .ok_or("it has no signatures")?;
    let verified = signatures.iter().any(|s| {
        at(s, "sig")
            .as_str()
            .and_then(|s| STANDARD.decode(s).ok())
            .is_some_and(|sig| signer.verify_message(&message, &sig).is_ok())
    });
    if !verified {
        return Err(format!(
            "no signature of it verifies with the key {}: it was signed by another key, or changed",
            signer.key_id()
        ));
    }
    let head: Value =
        serde_json::from_slice(&payload).map_err(|e| format!("its payload is not JSON: {e}"))?;
    if at(&head, "_type").as_str() != Some(HEAD_TYPE) {
        return Err(format!("its payload is not a `{HEAD_TYPE}`"));
    }
    match (
        at(&head, "ledger_id").as_str(),
        at(&head, "entries").as_i64(),
        at(&head, "head").as_str(),
    ) {
        (Some(id), Some(entries), Some(hash)) => Ok(ChainHead {
            ledger_id: id.to_owned(),
            entries,
            head: hash.to_owned(),
        }),
        _ => Err("its payload lacks `ledger_id`, `entries` or `head`".to_owned()),
    }
}
