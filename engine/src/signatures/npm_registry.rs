//! npm registry signatures: the registry signs every package version it serves with ECDSA
//! P-256 over the text `{name}@{version}:{integrity}` and puts the signatures in the version
//! document's `dist.signatures` (`[{"keyid": "SHA256:...", "sig": BASE64_DER}]`). The keys are
//! published at `https://registry.npmjs.org/-/npm/v1/keys`:
//!
//! ```json
//! {"keys": [{"expires": null, "keyid": "SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U",
//!            "keytype": "ecdsa-sha2-nistp256", "scheme": "ecdsa-sha2-nistp256",
//!            "key": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE..."}]}
//! ```
//!
//! Such a keys document given to `--trust` makes its keys trusted. A signature names its key
//! by `keyid` (matched in any spelling of the same sha256, as [`super::keyed`] reads hints).
//! A key that has `expires` before the version's publish time (`time[version]` in `npm view
//! --json` output) or, without one, before `as_of`, does not count (`expired-key`): that is
//! how `npm audit signatures` judges rotated keys. The publish time is not covered by the
//! signature; it is also the signature's time, so a version published after `as_of` does not
//! count. The signature covers the tarball only through the integrity string: the version
//! document is a checksum file listing the tarball's sha512 ([`crate::formats::checksums`]),
//! and the signature signs that document ([`Subject::Itself`]).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jiff::Timestamp;
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::DecodePublicKey as _;
use serde_json::Value;

use super::keyed::hint_digest;
use super::{
    Keys, Outcome, SignatureBody, SignatureFormat, Signed, Subject, Verification, Verifier,
};
use crate::formats::Parsed;
use crate::formats::checksums::npm;
use crate::trust::{KeyStore, PublicKey, StoredKey};

/// The only scheme the registry signs with.
pub const SCHEME: &str = "ecdsa-sha2-nistp256";

/// The most signatures one version document is read with.
const MAX_SIGNATURES: usize = 16;

/// A trusted (or bundle) npm registry key.
#[derive(Debug, Clone)]
pub struct NpmRegistryKey {
    keyid: String,
    expires: Option<Timestamp>,
    key: VerifyingKey,
}

impl NpmRegistryKey {
    /// The key id as the keys document writes it (`SHA256:...`).
    pub fn key_id(&self) -> &str {
        &self.keyid
    }

    fn names(&self, keyid: &str) -> bool {
        self.keyid == keyid
            || matches!((hint_digest(&self.keyid), hint_digest(keyid)), (Some(a), Some(b)) if a == b)
    }
}

/// One signature of `dist.signatures`.
#[derive(Debug, Clone)]
struct RegistrySignature {
    keyid: String,
    /// The DER signature, or why it cannot be read.
    sig: Result<Signature, String>,
}

/// The registry's signatures over one package version.
#[derive(Debug, Clone)]
pub struct NpmRegistrySignatures {
    /// `{name}@{version}:{integrity}`: what the registry signs.
    message: String,
    signatures: Vec<RegistrySignature>,
    published: Result<Option<Timestamp>, String>,
}

/// The registry signatures of an npm version document at bundle path `path` (signing the
/// document itself); `None` when `bytes` are not one or it carries no `dist.signatures`.
pub fn parse_embedded(path: &str, bytes: &[u8]) -> Option<Parsed> {
    let doc = npm::read(bytes)?;
    let signatures = doc.signatures.clone()?;
    Some(super::signature_evidence(
        path,
        SignatureFormat::NpmRegistry,
        Subject::Itself,
        decode(&doc, &signatures).map(SignatureBody::NpmRegistry),
        "save the version document as the registry serves it (`npm view PKG@VERSION --json`); \
         `dist.signatures` is a list of `{keyid, sig}`",
    ))
}

fn decode(doc: &npm::VersionDocument, value: &Value) -> Result<NpmRegistrySignatures, String> {
    let Some(integrity) = doc.integrity.as_deref() else {
        return Err("the document has signatures but no `dist.integrity` they sign".to_owned());
    };
    let list = value
        .as_array()
        .ok_or_else(|| "`dist.signatures` is not a list".to_owned())?;
    if list.is_empty() {
        return Err("`dist.signatures` is empty".to_owned());
    }
    let mut signatures = Vec::new();
    for (i, item) in list.iter().take(MAX_SIGNATURES).enumerate() {
        let keyid = item
            .get("keyid")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("signature {} has no `keyid`", i + 1))?;
        let sig = item
            .get("sig")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("signature {} has no `sig`", i + 1))
            .and_then(|b64| {
                STANDARD
                    .decode(b64.trim())
                    .map_err(|e| format!("`sig` is not base64 ({e})"))
            })
            .and_then(|der| {
                Signature::from_der(&der)
                    .map_err(|_| "`sig` is not a DER ECDSA P-256 signature".to_owned())
            });
        signatures.push(RegistrySignature {
            keyid: keyid.to_owned(),
            sig,
        });
    }
    Ok(NpmRegistrySignatures {
        message: format!("{}@{}:{}", doc.name, doc.version, integrity),
        signatures,
        published: doc.published.clone(),
    })
}

/// Reads an npm registry keys document (`{"keys": [...]}`); `None` when `bytes` are not one.
/// A key of another scheme, or one that cannot be read, refuses the whole document.
pub fn parse_public_keys(origin: &str, bytes: &[u8]) -> Option<Result<Vec<StoredKey>, String>> {
    // Before a whole parse of every JSON file: a keys document names `keys` and `keyid`.
    if !bytes.trim_ascii_start().starts_with(b"{")
        || !contains(bytes, b"\"keys\"")
        || !contains(bytes, b"\"keyid\"")
    {
        return None;
    }
    let value: Value = serde_json::from_slice(bytes).ok()?;
    let keys = value.as_object()?.get("keys")?.as_array()?;
    let looks_npm = keys
        .iter()
        .all(|k| k.get("keyid").is_some() && k.get("key").is_some());
    if keys.is_empty() || !looks_npm {
        return None;
    }
    Some(
        keys.iter()
            .enumerate()
            .map(|(i, k)| read_key(k).map_err(|why| format!("npm registry key {}: {why}", i + 1)))
            .map(|key| {
                key.map(|key| StoredKey {
                    origin: origin.to_owned(),
                    key: PublicKey::NpmRegistry(key),
                })
            })
            .collect(),
    )
}

/// Whether `needle` occurs in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

fn read_key(k: &Value) -> Result<NpmRegistryKey, String> {
    let text = |name: &str| k.get(name).and_then(Value::as_str);
    let keyid = text("keyid").ok_or("`keyid` is not a string")?.to_owned();
    for field in ["scheme", "keytype"] {
        match text(field) {
            Some(SCHEME) => {}
            Some(other) => {
                return Err(format!(
                    "{keyid}: {field} `{other}` is not {SCHEME}, the only one vouch verifies"
                ));
            }
            None => return Err(format!("{keyid}: no `{field}`")),
        }
    }
    let expires = match k.get("expires") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) => Some(
            t.parse::<Timestamp>()
                .map_err(|e| format!("{keyid}: `expires` is not a time ({e})"))?,
        ),
        Some(_) => return Err(format!("{keyid}: `expires` is not a time")),
    };
    let der = STANDARD
        .decode(text("key").ok_or("`key` is not a string")?.trim())
        .map_err(|e| format!("{keyid}: `key` is not base64 ({e})"))?;
    let key = VerifyingKey::from_public_key_der(&der)
        .map_err(|e| format!("{keyid}: `key` is not a P-256 public key ({e})"))?;
    Ok(NpmRegistryKey {
        keyid,
        expires,
        key,
    })
}

fn find<'s>(store: &'s KeyStore, keyid: &str) -> Option<(&'s str, &'s NpmRegistryKey)> {
    store.npm_registry().find(|(_, k)| k.names(keyid))
}

impl NpmRegistrySignatures {
    /// Why `key` does not count at the version's publish time (or `as_of` without one).
    fn expired(&self, key: &NpmRegistryKey, as_of: Option<Timestamp>) -> Option<String> {
        let expires = key.expires?;
        match self.published.as_ref().ok().copied().flatten() {
            Some(published) if expires <= published => Some(format!(
                "key {} expired {expires}, before the version was published ({published})",
                key.keyid
            )),
            Some(_) => None,
            None => match as_of {
                Some(as_of) if expires <= as_of => Some(format!(
                    "key {} expired {expires}, before as_of {as_of} (the document gives no \
                     publish time)",
                    key.keyid
                )),
                Some(_) => None,
                None => Some(format!(
                    "key {} expires {expires}, and there is neither a publish time nor an \
                     as_of to judge it at",
                    key.keyid
                )),
            },
        }
    }

    fn verify_one(&self, s: &RegistrySignature, keys: &Keys<'_>) -> Verification {
        let sig = match &s.sig {
            Ok(sig) => sig,
            Err(why) => return Verification::failed(Outcome::Malformed, false, why.clone()),
        };
        let checks = |key: &NpmRegistryKey| key.key.verify(self.message.as_bytes(), sig).is_ok();
        if let Some((origin, key)) = find(keys.trusted, &s.keyid) {
            if !checks(key) {
                return Verification::failed(
                    Outcome::BadSignature,
                    false,
                    format!(
                        "does not verify `{}` with trusted npm registry key {} ({origin})",
                        self.message, key.keyid
                    ),
                );
            }
            if let Err(why) = &self.published {
                return Verification::failed(Outcome::Malformed, true, why.clone());
            }
            if let Some(why) = self.expired(key, keys.as_of) {
                return Verification::failed(Outcome::ExpiredKey, true, why);
            }
            return Verification::verified();
        }
        if let Some((origin, key)) = find(keys.bundle, &s.keyid) {
            return if checks(key) {
                Verification::failed(
                    Outcome::UntrustedKey,
                    true,
                    format!(
                        "valid, but npm registry key {} is only in the bundle ({origin}), not trusted",
                        key.keyid
                    ),
                )
            } else {
                Verification::failed(
                    Outcome::BadSignature,
                    false,
                    format!("does not verify `{}`", self.message),
                )
            };
        }
        Verification::failed(
            Outcome::UntrustedKey,
            false,
            format!(
                "no npm registry key {} in the trust set (give the registry's keys document, \
                 https://registry.npmjs.org/-/npm/v1/keys, to --trust)",
                s.keyid
            ),
        )
    }
}

impl Verifier for NpmRegistrySignatures {
    fn verify(&self, _: &Signed<'_>, keys: &Keys<'_>) -> Vec<Verification> {
        let published = self.published.as_ref().ok().copied().flatten();
        self.signatures
            .iter()
            .map(|s| {
                self.verify_one(s, keys)
                    .with_key_id(s.keyid.clone())
                    .with_signer(Some("npm registry".to_owned()))
                    .with_signed_at(published)
            })
            .collect()
    }
}
