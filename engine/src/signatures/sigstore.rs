//! Sigstore bundles v0.1, v0.2 and v0.3 (`*.sigstore.json`), as cosign, sigstore-python,
//! sigstore-js, GitHub and npm write them.
//!
//! ```json
//! {"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
//!  "verificationMaterial": {"publicKey": {"hint": "..."}, "tlogEntries": [...]},
//!  "messageSignature": {"messageDigest": {"algorithm": "SHA2_256", "digest": "<base64>"},
//!                       "signature": "<base64>"}}
//! ```
//!
//! The content is a **message signature** (over the sha256 of a file, which pairs the bundle
//! with the file of that digest) or a **DSSE envelope** (an attestation; see
//! [`super::dsse`]). The verification material is a **public key** (keyed: verified with the
//! trust set's PEM keys) or a **certificate** (keyless: verified with the Sigstore verifier
//! against a trusted root, see [`super::keyless`]; outcome `keyless`, with the certificate's
//! identity and issuer). The signing time (`signed_at`, judged against `as_of`) is the
//! earliest transparency-log `integratedTime` or RFC 3161 timestamp that *verifies* against
//! the trusted roots; a time that is only stated never counts.

use std::cell::OnceCell;
use std::sync::Arc;

use serde_json::Value;

use super::certificate::Certificate;
use super::dsse::{DsseEnvelope, decode_base64};
use super::intoto::{self, Statement};
use super::{
    Keys, Outcome, SignatureBody, SignatureFile, SignatureFormat, Signed, Subject, Verification,
    Verifier, keyed,
};
use crate::digest::Sha256Digest;
use crate::formats::{Confidence, DetectInput, EvidenceFormat, EvidenceKind, ParseInput, Parsed};
use crate::trust::pem::KeyError;

/// The bundle versions vouch reads.
pub const VERSIONS: &[&str] = &["0.1", "0.2", "0.3"];

/// The largest file an Ed25519 message signature (which signs the whole file, not its
/// digest) is checked against.
pub const ED25519_CAP: u64 = 256 * 1024 * 1024;

/// A parsed Sigstore bundle.
#[derive(Debug, Clone)]
pub struct SigstoreBundle {
    version: String,
    material: Material,
    content: Content,
    /// The earliest `integratedTime` its transparency-log entries state, unverified: never a
    /// signing time; it can only make a signature fail (stated after `as_of`).
    stated_at: Option<jiff::Timestamp>,
    /// The bundle as the Sigstore verifier reads it, or why it cannot.
    parsed: Result<Arc<sigstore_types::Bundle>, String>,
}

/// How a bundle's signature is to be checked.
#[derive(Debug, Clone)]
enum Material {
    /// A public key, named by a hint.
    PublicKey { hint: Option<String> },
    /// A signing certificate (keyless).
    Certificate(Certificate),
}

#[derive(Debug, Clone)]
enum Content {
    /// A signature over a file's digest.
    Message {
        algorithm: String,
        /// The digest, when the algorithm is SHA2_256.
        digest: Option<Sha256Digest>,
        signature: Vec<u8>,
    },
    /// A DSSE envelope.
    Dsse(DsseEnvelope),
}

/// Whether a `mediaType` is a Sigstore bundle's (any version).
pub fn is_bundle_media_type(media_type: &str) -> bool {
    media_type.starts_with("application/vnd.dev.sigstore.bundle+json")
        || (media_type.starts_with("application/vnd.dev.sigstore.bundle.v")
            && media_type.ends_with("+json"))
}

/// The version a bundle `mediaType` names: `...bundle+json;version=0.2` or
/// `...bundle.v0.3+json`.
fn version_of(media_type: &str) -> Option<&str> {
    media_type
        .strip_prefix("application/vnd.dev.sigstore.bundle+json;version=")
        .or_else(|| {
            media_type
                .strip_prefix("application/vnd.dev.sigstore.bundle.v")?
                .strip_suffix("+json")
        })
}

impl SigstoreBundle {
    /// Reads a bundle out of a JSON value.
    pub fn from_value(value: &Value) -> Result<SigstoreBundle, String> {
        let media_type = value
            .get("mediaType")
            .and_then(Value::as_str)
            .ok_or_else(|| "the bundle has no `mediaType`".to_owned())?;
        let version = version_of(media_type)
            .ok_or_else(|| format!("`{media_type}` is not a Sigstore bundle media type"))?
            .to_owned();
        let material = value
            .get("verificationMaterial")
            .ok_or_else(|| "the bundle has no `verificationMaterial`".to_owned())
            .and_then(material)?;
        let content = match (value.get("messageSignature"), value.get("dsseEnvelope")) {
            (Some(m), None) => message(m)?,
            (None, Some(d)) => Content::Dsse(DsseEnvelope::from_value(d)?),
            (Some(_), Some(_)) => {
                return Err("the bundle has both `messageSignature` and `dsseEnvelope`".to_owned());
            }
            (None, None) => {
                return Err(
                    "the bundle has neither `messageSignature` nor `dsseEnvelope`".to_owned(),
                );
            }
        };
        // A stated `integratedTime` is never a signing time unless the verifier verifies it.
        let stated_at = logged_at(value.get("verificationMaterial"))?;
        let parsed = super::keyless::parse_bundle(value).map(Arc::new);
        Ok(SigstoreBundle {
            version,
            material,
            content,
            stated_at,
            parsed,
        })
    }

    /// The bundle version (`0.1`, `0.2`, `0.3`).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Whether it is keyless (verification material is a certificate).
    pub fn is_keyless(&self) -> bool {
        matches!(self.material, Material::Certificate(_))
    }

    /// What it signs: a file by digest (message signature), or itself (DSSE).
    pub fn subject(&self) -> Subject {
        match &self.content {
            Content::Message {
                digest: Some(d), ..
            } => Subject::Digest(*d),
            Content::Message { digest: None, .. } => Subject::Detached,
            Content::Dsse(_) => Subject::Itself,
        }
    }

    /// The in-toto statement of a DSSE bundle, if any.
    pub fn statement(&self) -> Option<&Statement> {
        match &self.content {
            Content::Dsse(envelope) => envelope.statement(),
            Content::Message { .. } => None,
        }
    }

    /// Why the in-toto payload of a DSSE bundle is not a valid statement, when it is not.
    pub fn statement_error(&self) -> Option<&str> {
        match &self.content {
            Content::Dsse(envelope) => envelope.statement_error(),
            Content::Message { .. } => None,
        }
    }

    fn verify_message(
        &self,
        digest: Sha256Digest,
        signature: &[u8],
        signed: &Signed<'_>,
        keys: &Keys<'_>,
    ) -> Verification {
        if digest != signed.sha256 {
            return Verification::failed(
                Outcome::BadSignature,
                false,
                format!(
                    "digest in bundle differs from file: the bundle signs sha256 {}, `{}` has {}",
                    digest.to_hex(),
                    signed.path,
                    signed.sha256.to_hex()
                ),
            );
        }
        let hint = match &self.material {
            Material::Certificate(c) => {
                return match &self.parsed {
                    Ok(bundle) => {
                        super::keyless::verify(bundle, &super::keyless::Against::File(signed), keys)
                    }
                    Err(e) => {
                        keyed::keyless(&format!("keyless bundle vouch cannot verify ({e})"), c)
                    }
                };
            }
            Material::PublicKey { hint } => hint.as_deref(),
        };
        // Ed25519 signs the whole file: read it once, and only if an Ed25519 key is tried.
        let whole: OnceCell<Result<Vec<u8>, String>> = OnceCell::new();
        keyed::verify(keys, hint, |key| {
            if !key.is_ed25519() {
                return key.verify_sha256_digest(&digest.0, signature);
            }
            let bytes = whole.get_or_init(|| {
                signed
                    .read_all(ED25519_CAP)
                    .map_err(|e| format!("cannot read `{}`: {e}", signed.path))
            });
            match bytes {
                Ok(bytes) => key.verify_message(bytes, signature),
                Err(e) => Err(KeyError::Unsupported(e.clone())),
            }
        })
    }
}

/// The earliest `integratedTime` of the bundle's `tlogEntries` (seconds since the epoch, a
/// string or a number in protobuf JSON). A time that is there but cannot be read is an error:
/// a signing time must not be dropped.
fn logged_at(material: Option<&Value>) -> Result<Option<jiff::Timestamp>, String> {
    let Some(entries) = material
        .and_then(|m| m.get("tlogEntries"))
        .and_then(Value::as_array)
    else {
        return Ok(None);
    };
    let mut earliest: Option<jiff::Timestamp> = None;
    for entry in entries {
        let Some(raw) = entry.get("integratedTime") else {
            continue;
        };
        let seconds = match raw {
            Value::String(text) => text.parse::<i64>().ok(),
            Value::Number(n) => n.as_i64(),
            _ => None,
        };
        let at = seconds
            .and_then(|s| jiff::Timestamp::from_second(s).ok())
            .ok_or_else(|| format!("`integratedTime` {raw} is not a time in seconds"))?;
        earliest = Some(earliest.map_or(at, |e| e.min(at)));
    }
    Ok(earliest)
}

fn material(value: &Value) -> Result<Material, String> {
    if let Some(key) = value.get("publicKey") {
        let hint = key
            .get("hint")
            .and_then(Value::as_str)
            .filter(|h| !h.trim().is_empty())
            .map(str::to_owned);
        return Ok(Material::PublicKey { hint });
    }
    let raw = if let Some(cert) = value.get("certificate") {
        cert.get("rawBytes")
    } else if let Some(chain) = value.get("x509CertificateChain") {
        // The leaf certificate comes first.
        chain
            .get("certificates")
            .and_then(Value::as_array)
            .and_then(|c| c.first())
            .and_then(|c| c.get("rawBytes"))
    } else {
        return Err(
            "`verificationMaterial` has no `publicKey`, `certificate` or `x509CertificateChain`"
                .to_owned(),
        );
    };
    let der = raw
        .and_then(Value::as_str)
        .and_then(decode_base64)
        .ok_or_else(|| "the certificate has no base64 `rawBytes`".to_owned())?;
    Ok(Material::Certificate(Certificate::from_der(&der)))
}

fn message(value: &Value) -> Result<Content, String> {
    let digest = value
        .get("messageDigest")
        .ok_or_else(|| "`messageSignature` has no `messageDigest`".to_owned())?;
    let algorithm = digest
        .get("algorithm")
        .and_then(Value::as_str)
        .ok_or_else(|| "`messageDigest` has no `algorithm`".to_owned())?
        .to_owned();
    let bytes = digest
        .get("digest")
        .and_then(Value::as_str)
        .and_then(decode_base64)
        .ok_or_else(|| "`messageDigest` has no base64 `digest`".to_owned())?;
    let digest = if algorithm == "SHA2_256" {
        let array: [u8; 32] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| format!("the SHA2_256 digest holds {} bytes, not 32", b.len()))?;
        Some(Sha256Digest(array))
    } else {
        None
    };
    let signature = value
        .get("signature")
        .and_then(Value::as_str)
        .and_then(decode_base64)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| "`messageSignature` has no base64 `signature`".to_owned())?;
    Ok(Content::Message {
        algorithm,
        digest,
        signature,
    })
}

impl Verifier for SigstoreBundle {
    fn verify(&self, signed: &Signed<'_>, keys: &Keys<'_>) -> Vec<Verification> {
        self.verify_untimed(signed, keys)
            .into_iter()
            .map(|v| self.timed(v, signed, keys))
            .collect()
    }
}

impl SigstoreBundle {
    /// A keyed signature that verified, with the time its transparency-log entries and
    /// timestamps verify at (keyless ones carry theirs already). When they are there but do
    /// not verify, the stated time is no signing time: the signature stays, with none, and
    /// its `reason` says why; unless the stated time is after `as_of`, which fails it
    /// (an unverified claim may only count against a signature).
    fn timed(&self, v: Verification, signed: &Signed<'_>, keys: &Keys<'_>) -> Verification {
        if v.outcome != Outcome::Verified || !matches!(self.material, Material::PublicKey { .. }) {
            return v;
        }
        let key = keys
            .trusted
            .pem()
            .find(|(_, k)| v.key_id.as_deref() == Some(k.key_id().as_str()));
        let Some((_, key)) = key else {
            return v;
        };
        let against = match self.content {
            Content::Message { .. } => Some(signed),
            Content::Dsse(_) => None,
        };
        let time = match &self.parsed {
            Ok(bundle) => super::keyless::managed_key_time(bundle, key.der(), against, keys),
            // Log entries the verifier cannot read do not verify.
            Err(e) if self.stated_at.is_some() => Err(format!(
                "its transparency-log entry does not verify: the Sigstore verifier cannot \
                 read the bundle ({e})"
            )),
            Err(_) => Ok(None),
        };
        match time {
            Ok(at) => v.with_signed_at(at),
            // Unverified, a stated time counts only against the signature: one after as_of
            // says it did not exist then.
            Err(why) => match (self.stated_at, keys.as_of) {
                (Some(stated), Some(as_of)) if stated > as_of => Verification {
                    outcome: Outcome::SignedAfterAsOf,
                    trusted: false,
                    reason: Some(format!(
                        "made {stated}, after as_of {as_of}, as its transparency-log entry \
                         states (unverified: {why})"
                    )),
                    ..v.with_signed_at(None)
                },
                _ => Verification {
                    reason: Some(format!("signing time unknown: {why}")),
                    ..v.with_signed_at(None)
                },
            },
        }
    }
}

impl SigstoreBundle {
    fn verify_untimed(&self, signed: &Signed<'_>, keys: &Keys<'_>) -> Vec<Verification> {
        if !VERSIONS.contains(&self.version.as_str()) {
            return vec![Verification::failed(
                Outcome::Unsupported,
                false,
                format!(
                    "sigstore bundle version {} is not one vouch reads (0.1, 0.2, 0.3)",
                    self.version
                ),
            )];
        }
        match &self.content {
            Content::Message {
                digest: Some(digest),
                signature,
                ..
            } => vec![self.verify_message(*digest, signature, signed, keys)],
            Content::Message {
                algorithm,
                digest: None,
                ..
            } => vec![Verification::failed(
                Outcome::Unsupported,
                false,
                format!(
                    "message digest algorithm {algorithm} is not verified (vouch checks SHA2_256)"
                ),
            )],
            Content::Dsse(envelope) => match (&self.material, &self.parsed) {
                (Material::PublicKey { hint }, _) => {
                    envelope.verify_with(keys, hint.as_deref(), None)
                }
                (Material::Certificate(_), Ok(bundle)) => vec![super::keyless::verify(
                    bundle,
                    &super::keyless::Against::Itself,
                    keys,
                )],
                (Material::Certificate(c), Err(e)) => vec![keyed::keyless(
                    &format!("keyless bundle vouch cannot verify ({e})"),
                    c,
                )],
            },
        }
    }
}

/// A Sigstore bundle as a signature file.
pub(crate) fn signature_file(value: &Value) -> Result<SignatureFile, String> {
    let bundle = SigstoreBundle::from_value(value)?;
    Ok(SignatureFile {
        format: SignatureFormat::Sigstore,
        subject: bundle.subject(),
        body: SignatureBody::Sigstore(bundle),
    })
}

/// The Sigstore bundle format (`*.sigstore.json`, `*.sigstore`, npm attestations).
#[derive(Debug, Clone, Copy, Default)]
pub struct SigstoreFormat;

impl EvidenceFormat for SigstoreFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::SigstoreBundle
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let name = input.file_name();
        let by_name = name.ends_with(".sigstore.json") || name.ends_with(".sigstore");
        let by_content = input.intoto_shape() == Some(intoto::Shape::Sigstore);
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
    fn media_types_name_versions() {
        for (media_type, version) in [
            (
                "application/vnd.dev.sigstore.bundle+json;version=0.1",
                "0.1",
            ),
            (
                "application/vnd.dev.sigstore.bundle+json;version=0.3",
                "0.3",
            ),
            ("application/vnd.dev.sigstore.bundle.v0.3+json", "0.3"),
        ] {
            assert!(is_bundle_media_type(media_type));
            assert_eq!(version_of(media_type), Some(version));
        }
        assert!(!is_bundle_media_type("application/json"));
    }

    #[test]
    fn broken_bundles_say_why() {
        let mt = "application/vnd.dev.sigstore.bundle.v0.3+json";
        let key = serde_json::json!({"publicKey": {"hint": "x"}});
        for (value, why) in [
            (serde_json::json!({}), "mediaType"),
            (serde_json::json!({"mediaType": mt}), "verificationMaterial"),
            (
                serde_json::json!({"mediaType": mt, "verificationMaterial": {}}),
                "no `publicKey`",
            ),
            (
                serde_json::json!({"mediaType": mt, "verificationMaterial": key}),
                "neither",
            ),
            (
                serde_json::json!({"mediaType": mt, "verificationMaterial": key,
                    "messageSignature": {"messageDigest": {"algorithm": "SHA2_256", "digest": "AAAA"},
                    "signature": "AAAA"}}),
                "not 32",
            ),
            (
                serde_json::json!({"mediaType": mt, "verificationMaterial":
                    {"certificate": {"rawBytes": "%%%"}}, "dsseEnvelope": {}}),
                "rawBytes",
            ),
        ] {
            let err = SigstoreBundle::from_value(&value).err().unwrap_or_default();
            assert!(err.contains(why), "{why}: {err}");
        }
    }
}
