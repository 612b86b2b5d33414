//! Keyless Sigstore verification, offline, with the Sigstore project's verifier
//! (`sigstore-verify`).
//!
//! A keyless signature is made with a short-lived key whose Fulcio certificate names a CI
//! identity (a workflow URI) or an email address, logged in Rekor. It verifies when, against
//! a Sigstore **trusted root**: the certificate chains to a Fulcio CA valid at the signing
//! time, its SCT verifies against a CT log key, the Rekor entry's inclusion proof
//! (checkpoint) or SET verifies against a Rekor key, the entry's body matches the bundle
//! (`hashedrekord`, `dsse` and `intoto` 0.0.2), and the signature verifies over the
//! artifact or the DSSE payload. The signing time is the earliest *verified* time (a Rekor
//! `integratedTime` covered by its SET or proof, an RFC 3161 timestamp); a time the bundle
//! merely states never counts.
//!
//! The trusted roots are those given to `--trust` (`trusted_root.json` files); with none,
//! the Sigstore public-good root that `sigstore-trust-root` embeds. No network, no TUF.
//! A keyless signature that verifies is `keyless`, never `trusted`: whom it is from is
//! its `identity` and `issuer`, which a policy must allow.

use std::io::Read;
use std::sync::{Arc, OnceLock};

use serde_json::Value;
use sigstore_types::{ArtifactDigest, Bundle, HashAlgorithm, SignatureContent};
use sigstore_verify::{PublicKeyVerificationPolicy, VerificationPolicy, Verifier};

use super::{Keys, Outcome, Signed, Verification};

/// The `mediaType` prefix of a Sigstore trusted root.
const TRUSTED_ROOT_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.trustedroot";

/// A Sigstore trusted root, ready to verify with.
#[derive(Clone)]
pub struct SigstoreRoot {
    /// Where it was read from (`--trust` file, or `sigstore public-good (embedded)`).
    pub origin: String,
    verifier: Arc<Verifier>,
    /// The key ids of its transparency logs.
    logs: Vec<Vec<u8>>,
}

impl std::fmt::Debug for SigstoreRoot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigstoreRoot")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl SigstoreRoot {
    /// Reads a trusted root (`trusted_root.json`, protobuf JSON).
    pub fn from_json(origin: &str, json: &str) -> Result<SigstoreRoot, String> {
        super::sigstore_crypto::install();
        let root = sigstore_trust_root::TrustedRoot::from_json(json)
            .map_err(|e| format!("not a valid Sigstore trusted root: {e}"))?;
        let verifier =
            Verifier::new(&root).map_err(|e| format!("unusable Sigstore trusted root: {e}"))?;
        let logs = root
            .tlogs
            .iter()
            .map(|log| log.log_id.key_id.as_bytes().to_vec())
            .collect();
        Ok(SigstoreRoot {
            origin: origin.to_owned(),
            verifier: Arc::new(verifier),
            logs,
        })
    }

    /// The first transparency-log entry of `bundle` whose log this root does not know (its
    /// key id, base64).
    fn unknown_log(&self, bundle: &Bundle) -> Option<String> {
        use base64::Engine as _;
        bundle
            .verification_material
            .tlog_entries
            .iter()
            .map(|e| e.log_id.key_id.as_bytes())
            .find(|id| !self.logs.iter().any(|known| known.as_slice() == *id))
            .map(|id| base64::engine::general_purpose::STANDARD.encode(id))
    }
}

/// The trusted root a `--trust` file holds: `None` when the file is not one (no JSON object
/// with a trusted-root `mediaType`).
pub fn parse_trusted_root(origin: &str, bytes: &[u8]) -> Option<Result<SigstoreRoot, String>> {
    let head = bytes.trim_ascii_start();
    if !head.starts_with(b"{") {
        return None;
    }
    let value: Value = serde_json::from_slice(bytes).ok()?;
    let media_type = value.get("mediaType").and_then(Value::as_str)?;
    if !media_type.starts_with(TRUSTED_ROOT_MEDIA_TYPE) {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    Some(SigstoreRoot::from_json(origin, text))
}

/// The Sigstore public-good trusted root `sigstore-trust-root` embeds (`None` only if it
/// cannot be read, which its own tests rule out).
pub fn public_good() -> Option<&'static SigstoreRoot> {
    static ROOT: OnceLock<Option<SigstoreRoot>> = OnceLock::new();
    ROOT.get_or_init(|| {
        SigstoreRoot::from_json(
            "sigstore public-good (embedded)",
            sigstore_trust_root::SIGSTORE_PRODUCTION_TRUSTED_ROOT,
        )
        .ok()
    })
    .as_ref()
}

/// The roots to verify with: the trust set's, else the embedded public-good root.
fn roots<'k>(keys: &Keys<'k>) -> Vec<&'k SigstoreRoot> {
    let given: Vec<&SigstoreRoot> = keys.trusted.sigstore_roots().collect();
    if given.is_empty() {
        public_good().into_iter().collect()
    } else {
        given
    }
}

/// Reads a bundle as the Sigstore verifier does, from its JSON.
pub fn parse_bundle(value: &Value) -> Result<Bundle, String> {
    let text = serde_json::to_string(value).map_err(|e| e.to_string())?;
    Bundle::from_json(&text).map_err(|e| e.to_string())
}

/// The earliest verified time of a result (the verifier's jiff 0.2 instants, as vouch's).
fn earliest(r: &sigstore_verify::VerificationResult) -> Option<jiff::Timestamp> {
    r.verified_timestamps()
        .iter()
        .copied()
        .chain(r.integrated_time())
        .filter_map(|t| jiff::Timestamp::from_nanosecond(t.as_nanosecond()).ok())
        .min()
}

/// What a keyless bundle is checked against.
pub enum Against<'a> {
    /// The file a message signature signs.
    File(&'a Signed<'a>),
    /// Nothing outside the bundle: a DSSE envelope, verified as itself. Its statement's
    /// subjects are linked to files by digest afterwards.
    Itself,
}

/// Verifies a keyless bundle against every trusted root in turn; the first that verifies
/// it decides, else the most telling failure.
pub fn verify(bundle: &Bundle, against: &Against<'_>, keys: &Keys<'_>) -> Verification {
    let claimed = super::certificate::Certificate::from_bundle(bundle);
    let roots = roots(keys);
    if roots.is_empty() {
        return Verification::failed(
            Outcome::UntrustedKey,
            false,
            "no Sigstore trusted root to verify a keyless signature with",
        )
        .with_identity(claimed.identity, claimed.issuer);
    }
    let policy = VerificationPolicy::any_identity();
    let mut failures = Vec::new();
    for root in &roots {
        if let Some(log) = root.unknown_log(bundle) {
            failures.push((
                root.origin.as_str(),
                Failure::UnknownLog(format!("its transparency log {log} is not in it")),
            ));
            continue;
        }
        let result = match against {
            Against::File(signed) => match reader(signed) {
                Ok(r) => root.verifier.verify_reader(r, bundle, &policy),
                Err(e) => {
                    return Verification::failed(
                        Outcome::MissingFile,
                        false,
                        format!("cannot read `{}`: {e}", signed.path),
                    );
                }
            },
            Against::Itself => match subject_digest(bundle) {
                Ok(digest) => root.verifier.verify(digest, bundle, &policy),
                Err(e) => return Verification::failed(Outcome::Malformed, false, e),
            },
        };
        match result {
            Ok(r) => {
                let identity = r.identity().map(|san| san.as_str().to_owned());
                let issuer = r.issuer().map(str::to_owned);
                let signed_at = earliest(&r);
                let who = identity.as_deref().unwrap_or("no identity");
                let v = Verification {
                    outcome: Outcome::Keyless,
                    verified: true,
                    trusted: false,
                    reason: Some(format!(
                        "keyless signature by {who} (issuer {}), verified against {}; it counts \
                         only where a policy allows that identity",
                        issuer.as_deref().unwrap_or("unknown"),
                        root.origin
                    )),
                    signer: identity.clone(),
                    key_id: identity.clone(),
                    signed_at,
                    keyless: None,
                };
                return v.with_identity(identity, issuer);
            }
            Err(e) => failures.push((root.origin.as_str(), Failure::Verifier(e))),
        }
    }
    let (outcome, reason) = judge_failures(&failures);
    // The identity the certificate claims, unverified, as before keyless verification.
    Verification::failed(outcome, false, reason)
        .with_signer(claimed.identity.clone())
        .with_identity(claimed.identity, claimed.issuer)
}

/// Why one root did not verify a bundle.
enum Failure {
    /// A log the root does not know: not trusted (not tampered with).
    UnknownLog(String),
    /// The verifier's error.
    Verifier(sigstore_verify::Error),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::UnknownLog(why) => f.write_str(why),
            Failure::Verifier(e) => e.fmt(f),
        }
    }
}

/// The outcome and reason of a bundle no root verified.
fn judge_failures(failures: &[(&str, Failure)]) -> (Outcome, String) {
    use sigstore_verify::Error as E;
    use sigstore_verify::TransparencyLogError as T;
    let rank = |e: &Failure| match e {
        Failure::UnknownLog(_) => (4, Outcome::UntrustedKey),
        Failure::Verifier(e) => rank_error(e),
    };
    fn rank_error(e: &E) -> (u8, Outcome) {
        match e {
            E::TransparencyLog(T::UnknownLog { .. }) => (4, Outcome::UntrustedKey),
            E::SignatureInvalid(_) | E::ArtifactMismatch(_) => (0, Outcome::BadSignature),
            E::TransparencyLog(_) | E::Timestamp(_) => (1, Outcome::BadSignature),
            E::UnsupportedArtifact(_) | E::UnsupportedBundle(_) => (3, Outcome::Unsupported),
            E::InvalidBundle(_) | E::Types(_) | E::Bundle(_) => (2, Outcome::Malformed),
            _ => (4, Outcome::UntrustedKey),
        }
    }
    let worst = failures.iter().min_by_key(|(_, e)| rank(e).0);
    match worst {
        Some((origin, e)) => {
            let outcome = rank(e).1;
            let what = match outcome {
                Outcome::UntrustedKey => "keyless signature does not verify against",
                _ => "keyless bundle fails against",
            };
            (
                outcome,
                format!("{what} the Sigstore trusted root {origin}: {e}"),
            )
        }
        None => (
            Outcome::UntrustedKey,
            "no Sigstore trusted root verifies it".to_owned(),
        ),
    }
}

/// The signed file as a reader of at most the size ingestion hashed.
fn reader<'a>(signed: &'a Signed<'a>) -> std::io::Result<Box<dyn Read + 'a>> {
    if let Some(content) = signed.content {
        let size = usize::try_from(signed.size).unwrap_or(usize::MAX);
        return Ok(Box::new(content.get(..size).unwrap_or(content)));
    }
    let file = crate::ingest::open_no_follow(signed.abs)?;
    Ok(Box::new(file.take(signed.size)))
}

/// A digest of the bundle's own statement's first subject, so the verifier's artifact
/// binding holds: a DSSE bundle is verified as itself, its subjects linked by digest later.
fn subject_digest(bundle: &Bundle) -> Result<ArtifactDigest, String> {
    let SignatureContent::DsseEnvelope(envelope) = &bundle.content else {
        return Err("a message signature needs the file it signs".to_owned());
    };
    let statement: Value = serde_json::from_slice(envelope.payload.as_bytes())
        .map_err(|e| format!("the DSSE payload is not JSON: {e}"))?;
    let subjects = statement
        .get("subject")
        .and_then(Value::as_array)
        .ok_or_else(|| "the in-toto statement has no subjects".to_owned())?;
    for subject in subjects {
        let digests = subject.get("digest");
        for (name, algorithm) in [
            ("sha256", HashAlgorithm::Sha2256),
            ("sha512", HashAlgorithm::Sha2512),
        ] {
            let bytes = digests
                .and_then(|d| d.get(name))
                .and_then(Value::as_str)
                .and_then(crate::digest::parse_hex);
            if let Some(bytes) = bytes
                && let Ok(digest) = ArtifactDigest::new(algorithm, bytes.as_slice())
            {
                return Ok(digest);
            }
        }
    }
    Err("no subject of the in-toto statement has a sha256 or sha512 digest".to_owned())
}

/// For a managed-key bundle whose signature verified with `spki_der`: the earliest time its
/// transparency-log entries (SET, inclusion proof) and RFC 3161 timestamps verify at,
/// against the trusted roots. `Ok(None)` when the bundle has no log entry and no timestamp;
/// `Err` when it has some and none verifies (a stated time that does not verify never
/// counts).
pub fn managed_key_time(
    bundle: &Bundle,
    spki_der: &[u8],
    signed: Option<&Signed<'_>>,
    keys: &Keys<'_>,
) -> Result<Option<jiff::Timestamp>, String> {
    let material = &bundle.verification_material;
    let has_tsa = !material
        .timestamp_verification_data
        .rfc3161_timestamps
        .is_empty();
    if material.tlog_entries.is_empty() && !has_tsa {
        return Ok(None);
    }
    let policy =
        PublicKeyVerificationPolicy::new(sigstore_types::DerPublicKey::new(spki_der.to_vec()));
    let mut failures = Vec::new();
    for root in roots(keys) {
        let result = match signed {
            Some(signed) => match reader(signed) {
                Ok(r) => root.verifier.verify_reader(r, bundle, &policy),
                Err(e) => return Err(format!("cannot read `{}`: {e}", signed.path)),
            },
            None => match subject_digest(bundle) {
                Ok(digest) => root.verifier.verify(digest, bundle, &policy),
                Err(e) => return Err(e),
            },
        };
        match result {
            Ok(r) => {
                return Ok(earliest(&r));
            }
            Err(e) => failures.push(format!("{}: {e}", root.origin)),
        }
    }
    Err(format!(
        "its transparency-log entry or timestamp does not verify ({})",
        failures.join("; ")
    ))
}
