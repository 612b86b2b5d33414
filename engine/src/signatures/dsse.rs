//! DSSE envelopes (Dead Simple Signing Envelope), as in-toto attestations use them.
//!
//! ```json
//! {"payloadType": "application/vnd.in-toto+json",
//!  "payload": "<base64 statement>",
//!  "signatures": [{"keyid": "...", "sig": "<base64>"}]}
//! ```
//!
//! Each signature signs the pre-authentication encoding (PAE) of the payload, never the
//! payload alone: `"DSSEv1" SP len(type) SP type SP len(body) SP body`. ECDSA P-256 signs
//! it with SHA-256, P-384 with SHA-384, Ed25519 as a whole message. A signature carrying
//! a certificate (`cert`, keyless signing) is recognised and reported, never trusted.
//!
//! The envelope signs itself ([`Subject::Itself`]); the files it speaks about are the
//! subjects of its in-toto statement, linked by digest as provenance.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::Value;

use super::certificate::Certificate;
use super::intoto::{self, Statement};
use super::{
    Keys, SignatureBody, SignatureFile, SignatureFormat, Signed, Subject, Verification, Verifier,
    keyed,
};
use crate::formats::{Confidence, DetectInput, EvidenceFormat, EvidenceKind, ParseInput, Parsed};

/// A parsed DSSE envelope.
#[derive(Clone)]
pub struct DsseEnvelope {
    payload_type: String,
    payload: Vec<u8>,
    signatures: Vec<DsseSignature>,
    statement: Result<Option<Statement>, String>,
}

/// One signature of an envelope.
#[derive(Debug, Clone)]
struct DsseSignature {
    /// `keyid`, when not empty.
    keyid: Option<String>,
    sig: Vec<u8>,
    /// The certificate of a keyless signature (`cert`).
    certificate: Option<Certificate>,
}

impl std::fmt::Debug for DsseEnvelope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DsseEnvelope")
            .field("payload_type", &self.payload_type)
            .field("payload_len", &self.payload.len())
            .field("signatures", &self.signatures)
            .field("statement", &self.statement)
            .finish()
    }
}

/// Decodes base64 in any of the alphabets DSSE implementations write.
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    [STANDARD, URL_SAFE, STANDARD_NO_PAD, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(text.trim()).ok())
}

/// The pre-authentication encoding DSSE signatures sign.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len().saturating_add(payload_type.len() + 32));
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

impl DsseEnvelope {
    /// Reads an envelope out of a JSON value.
    pub fn from_value(value: &Value) -> Result<DsseEnvelope, String> {
        let object = value
            .as_object()
            .ok_or_else(|| "the envelope is not a JSON object".to_owned())?;
        let payload_type = object
            .get("payloadType")
            .and_then(Value::as_str)
            .ok_or_else(|| "the envelope has no `payloadType` string".to_owned())?
            .to_owned();
        let payload = object
            .get("payload")
            .and_then(Value::as_str)
            .ok_or_else(|| "the envelope has no `payload` string".to_owned())?;
        let payload = decode_base64(payload).ok_or_else(|| "`payload` is not base64".to_owned())?;
        let list = object
            .get("signatures")
            .and_then(Value::as_array)
            .ok_or_else(|| "the envelope has no `signatures` list".to_owned())?;
        if list.is_empty() {
            return Err("the envelope's `signatures` list is empty".to_owned());
        }
        let signatures = list
            .iter()
            .enumerate()
            .map(|(i, s)| signature(i.saturating_add(1), s))
            .collect::<Result<Vec<_>, _>>()?;
        let statement = if payload_type == intoto::PAYLOAD_TYPE {
            serde_json::from_slice::<Value>(&payload)
                .map_err(|e| format!("the payload is not JSON: {e}"))
                .and_then(
                    |v| match crate::formats::json_strict::duplicate_key(&payload) {
                        Some(d) => Err(format!("the payload has a {}", d.message)),
                        None => Ok(v),
                    },
                )
                .and_then(|v| intoto::statement_from_value(&v))
                .map(Some)
        } else {
            Ok(None)
        };
        Ok(DsseEnvelope {
            payload_type,
            payload,
            signatures,
            statement,
        })
    }

    /// `payloadType`.
    pub fn payload_type(&self) -> &str {
        &self.payload_type
    }

    /// The in-toto statement of the payload, when it is one.
    pub fn statement(&self) -> Option<&Statement> {
        self.statement.as_ref().ok().and_then(Option::as_ref)
    }

    /// Why the in-toto payload is not a valid statement, when it is not.
    pub fn statement_error(&self) -> Option<&str> {
        self.statement.as_ref().err().map(String::as_str)
    }

    /// Verifies every signature. Inside a Sigstore bundle, the bundle's key hint or
    /// certificate stands for signatures that carry none of their own.
    pub(crate) fn verify_with(
        &self,
        keys: &Keys<'_>,
        bundle_hint: Option<&str>,
        bundle_certificate: Option<&Certificate>,
    ) -> Vec<Verification> {
        let message = pae(&self.payload_type, &self.payload);
        self.signatures
            .iter()
            .map(|s| {
                if let Some(certificate) = s.certificate.as_ref() {
                    return keyed::keyless(
                        "signed with a certificate (keyless) in the envelope",
                        certificate,
                    );
                }
                if let Some(certificate) = bundle_certificate {
                    return keyed::keyless("keyless (certificate) bundle", certificate);
                }
                let hint = s.keyid.as_deref().or(bundle_hint);
                keyed::verify(keys, hint, |key| key.verify_message(&message, &s.sig))
            })
            .collect()
    }
}

fn signature(n: usize, value: &Value) -> Result<DsseSignature, String> {
    let sig = value
        .get("sig")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("signature {n} has no `sig` string"))?;
    let sig = decode_base64(sig).ok_or_else(|| format!("signature {n}: `sig` is not base64"))?;
    if sig.is_empty() {
        return Err(format!("signature {n}: `sig` is empty"));
    }
    let keyid = value
        .get("keyid")
        .and_then(Value::as_str)
        .filter(|k| !k.trim().is_empty())
        .map(str::to_owned);
    let certificate = value
        .get("cert")
        .and_then(Value::as_str)
        .filter(|c| !c.trim().is_empty())
        .map(Certificate::from_pem);
    Ok(DsseSignature {
        keyid,
        sig,
        certificate,
    })
}

impl Verifier for DsseEnvelope {
    fn verify(&self, _: &Signed<'_>, keys: &Keys<'_>) -> Vec<Verification> {
        self.verify_with(keys, None, None)
    }
}

/// A DSSE envelope as a signature file (it signs itself).
pub(crate) fn signature_file(value: &Value) -> Result<SignatureFile, String> {
    Ok(SignatureFile {
        format: SignatureFormat::Dsse,
        subject: Subject::Itself,
        body: SignatureBody::Dsse(DsseEnvelope::from_value(value)?),
    })
}

/// The DSSE envelope format (`.intoto.jsonl`, `.dsse.json`).
#[derive(Debug, Clone, Copy, Default)]
pub struct DsseFormat;

impl EvidenceFormat for DsseFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::DsseEnvelope
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let name = input.file_name();
        let by_name = [".intoto.jsonl", ".dsse", ".dsse.json"]
            .iter()
            .any(|s| name.ends_with(s));
        let by_content = input.intoto_shape() == Some(intoto::Shape::Dsse);
        Confidence::of(by_content, by_name)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        intoto::parse_file(input.path, input.bytes, self.kind())
    }

    fn max_parse_size(&self) -> u64 {
        intoto::MAX_PARSE_SIZE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_is_the_spec_example() {
        // From the DSSE protocol document.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ".to_vec());
    }

    #[test]
    fn broken_envelopes_say_why() {
        for (value, why) in [
            (serde_json::json!({}), "payloadType"),
            (
                serde_json::json!({"payloadType": "t", "payload": "!!", "signatures": []}),
                "base64",
            ),
            (
                serde_json::json!({"payloadType": "t", "payload": "", "signatures": []}),
                "empty",
            ),
            (
                serde_json::json!({"payloadType": "t", "payload": "", "signatures": [{"sig": "%%"}]}),
                "not base64",
            ),
        ] {
            let err = DsseEnvelope::from_value(&value).err().unwrap_or_default();
            assert!(err.contains(why), "{err}");
        }
    }

    #[test]
    fn a_broken_statement_keeps_the_envelope() {
        let value = serde_json::json!({
            "payloadType": intoto::PAYLOAD_TYPE,
            "payload": STANDARD.encode("{\"_type\": 1}"),
            "signatures": [{"sig": "AAAA"}]
        });
        let envelope = DsseEnvelope::from_value(&value).unwrap();
        assert!(envelope.statement().is_none());
        assert!(envelope.statement_error().is_some());
    }

    #[test]
    fn a_statement_naming_a_key_twice_is_not_a_statement() {
        let statement = "{\"_type\": \"https://in-toto.io/Statement/v1\", \"subject\": [],                          \"predicateType\": \"a\", \"predicateType\": \"b\", \"predicate\": {}}";
        let value = serde_json::json!({
            "payloadType": intoto::PAYLOAD_TYPE,
            "payload": STANDARD.encode(statement),
            "signatures": [{"sig": "AAAA"}]
        });
        let envelope = DsseEnvelope::from_value(&value).unwrap();
        assert!(envelope.statement().is_none());
        let why = envelope.statement_error().unwrap_or_default();
        assert!(why.contains("duplicate key `predicateType`"), "{why}");
    }
}
