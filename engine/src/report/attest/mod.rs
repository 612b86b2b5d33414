//! Signed reports: an in-toto Statement v1 about the report files, in a DSSE envelope, and
//! the checks `vouch verify-report` makes of one.
//!
//! The statement's subjects are the report files (name and sha256); its predicate, of type
//! [`PREDICATE_TYPE`], records what the report was made from: the policy and its sources,
//! the framework, the bundle digest, the release, the trust, waivers and authority files (by
//! name and sha256), `as_of`, the summary and the tool's version. Everything in it comes
//! from the report model, so the same report gives the same statement, and the same key the
//! same envelope (Ed25519 and RFC 6979 ECDSA are deterministic).

pub mod keys;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use miette::Diagnostic;
use serde_json::{Value, json};
use thiserror::Error;

pub use keys::{SigningKey, verifying_key};

use super::Report;
use crate::signatures::dsse::{decode_base64, pae};
use crate::trust::pem::PemKey;

/// The predicate type of a vouch report statement (documented in the book's report
/// reference).
pub const PREDICATE_TYPE: &str = "https://vouch-policy.github.io/vouch/report/v1";
/// The in-toto statement type written.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// The DSSE payload type of an in-toto statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// Why an attestation cannot be made or read.
#[derive(Debug, Error, Diagnostic)]
pub enum AttestError {
    /// `--sign-key` is not a key vouch can sign with.
    #[error("cannot sign with `{path}`: {reason}")]
    #[diagnostic(
        code("vouch::attest::bad-signing-key"),
        help(
            "make one with `openssl genpkey -algorithm ed25519 -out KEY.pem` (or \
             `-algorithm EC -pkeyopt ec_paramgen_curve:P-256`), or `ssh-keygen -t ed25519 -N '' -f KEY`"
        )
    )]
    BadSigningKey {
        /// The key file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// `--signer` is not a public key vouch can verify with.
    #[error("cannot verify with `{path}`: {reason}")]
    #[diagnostic(
        code("vouch::attest::bad-signer"),
        help(
            "give the signer's public key: `openssl pkey -in KEY.pem -pubout`, or the \
             `KEY.pub` ssh-keygen wrote"
        )
    )]
    BadSigner {
        /// The key file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The attestation is not a DSSE envelope holding a vouch report statement.
    #[error("`{path}` is not a vouch report attestation: {reason}")]
    #[diagnostic(
        code("vouch::attest::bad-envelope"),
        help("give the file `vouch evaluate --attestation` wrote")
    )]
    BadEnvelope {
        /// The attestation file.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

/// The member `key` of a JSON object, or null when `v` is not an object or has none.
pub fn at<'a>(v: &'a Value, key: &str) -> &'a Value {
    static NULL: Value = Value::Null;
    v.get(key).unwrap_or(&NULL)
}

/// One report file an attestation is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFile {
    /// Its file name.
    pub name: String,
    /// The report format it is in (`json`, `markdown`, ...).
    pub format: String,
    /// Its sha256 (lowercase hex).
    pub sha256: String,
}

/// The in-toto statement about `files`, all renderings of `report`.
pub fn statement(report: &Report, files: &[ReportFile]) -> Value {
    let subjects: Vec<Value> = files
        .iter()
        .map(|f| json!({ "name": f.name, "digest": { "sha256": f.sha256 } }))
        .collect();
    json!({
        "_type": STATEMENT_TYPE,
        "subject": subjects,
        "predicateType": PREDICATE_TYPE,
        "predicate": predicate(report, files),
    })
}

/// The predicate: what the report was made from, by digest.
pub fn predicate(report: &Report, files: &[ReportFile]) -> Value {
    let p = &report.policy;
    let mut trust: Vec<Value> = Vec::new();
    for k in &report.trust {
        let entry = json!({ "path": k.path, "sha256": k.sha256 });
        if !trust.contains(&entry) {
            trust.push(entry);
        }
    }
    let mut out = json!({
        "schema": report.schema,
        "tool": { "name": report.tool.name, "version": report.tool.version },
        "as_of": report.as_of,
        "reports": files.iter().map(|f| json!({ "name": f.name, "format": f.format })).collect::<Vec<_>>(),
        "policy": {
            "name": p.name,
            "version": p.version,
            "sha256": p.sha256,
            "sources": p.sources,
            "framework": p.framework,
            "framework_version": p.framework_version,
            "framework_sha256": p.framework_sha256,
        },
        "bundle": { "digest": report.bundle.digest, "files": report.bundle.files },
        "trust": trust,
        "waivers": report.waiver_files.iter().map(|w| json!({ "path": w.path, "sha256": w.sha256 })).collect::<Vec<_>>(),
        "summary": report.summary,
    });
    if let Some(obj) = out.as_object_mut() {
        if let Some(r) = &report.release {
            obj.insert("release".into(), json!(r));
        }
        if let Some(a) = &report.authority {
            obj.insert("authority".into(), json!(a));
        }
    }
    out
}

/// The DSSE envelope of `statement` signed by `key`, as JSON text ending in a newline.
pub fn envelope(statement: &Value, key: &SigningKey) -> String {
    let payload = statement.to_string();
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

/// An envelope whose signature verified.
#[derive(Debug, Clone)]
pub struct Opened {
    /// The statement.
    pub statement: Value,
    /// The id of the key that signed it.
    pub key_id: String,
}

impl Opened {
    /// The predicate.
    pub fn predicate(&self) -> &Value {
        at(&self.statement, "predicate")
    }

    /// The subject whose sha256 is `sha256`: its name.
    pub fn subject_with(&self, sha256: &str) -> Option<&str> {
        at(&self.statement, "subject")
            .as_array()?
            .iter()
            .find_map(|s| {
                (at(at(s, "digest"), "sha256").as_str() == Some(sha256))
                    .then(|| at(s, "name").as_str())
                    .flatten()
            })
    }

    /// The report format recorded for the report named `name`.
    pub fn format_of(&self, name: &str) -> Option<&str> {
        at(self.predicate(), "reports")
            .as_array()?
            .iter()
            .find(|r| at(r, "name").as_str() == Some(name))
            .and_then(|r| at(r, "format").as_str())
    }
}

/// Checks that `bytes` is a DSSE envelope of a vouch report statement with a signature by
/// `signer` over its PAE, and returns the statement. Fail closed: a payload that is not an
/// in-toto statement v1 of [`PREDICATE_TYPE`], or no signature that verifies, is an error.
pub fn open(path: &str, bytes: &[u8], signer: &PemKey) -> Result<Opened, AttestError> {
    let bad = |reason: String| AttestError::BadEnvelope {
        path: path.to_owned(),
        reason,
    };
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| bad(format!("it is not JSON: {e}")))?;
    let payload_type = at(&value, "payloadType")
        .as_str()
        .ok_or_else(|| bad("it has no `payloadType`".to_owned()))?;
    if payload_type != PAYLOAD_TYPE {
        return Err(bad(format!(
            "its payload type is `{payload_type}`, not `{PAYLOAD_TYPE}`"
        )));
    }
    let payload = at(&value, "payload")
        .as_str()
        .and_then(decode_base64)
        .ok_or_else(|| bad("it has no base64 `payload`".to_owned()))?;
    let signatures = at(&value, "signatures")
        .as_array()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("it has no signatures".to_owned()))?;
    let message = pae(payload_type, &payload);
    let verified = signatures.iter().any(|s| {
        at(s, "sig")
            .as_str()
            .and_then(decode_base64)
            .is_some_and(|sig| signer.verify_message(&message, &sig).is_ok())
    });
    if !verified {
        return Err(bad(format!(
            "no signature of it verifies with the signer's key {}: it was signed by another \
             key, or the envelope was changed",
            signer.key_id()
        )));
    }
    let statement: Value = serde_json::from_slice(&payload)
        .map_err(|e| bad(format!("its payload is not JSON: {e}")))?;
    if at(&statement, "_type").as_str() != Some(STATEMENT_TYPE) {
        return Err(bad(format!(
            "its payload is not an in-toto statement `{STATEMENT_TYPE}`"
        )));
    }
    if at(&statement, "predicateType").as_str() != Some(PREDICATE_TYPE) {
        return Err(bad(format!("its predicate type is not `{PREDICATE_TYPE}`")));
    }
    Ok(Opened {
        statement,
        key_id: signer.key_id(),
    })
}
