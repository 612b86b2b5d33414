//! Verifying with PEM keys (DSSE envelopes, keyed Sigstore bundles) and reporting keyless
//! (certificate) signatures, which vouch never trusts.
//!
//! A signature may name its key with a hint (a DSSE `keyid`, a Sigstore `publicKey.hint`).
//! Real hints vary (the key's sha256 in hex or base64, `SHA256:...`, a KMS URI), so the hint
//! only decides the order keys are tried in and what a failure means: the hinted trusted key
//! first, then every other trusted PEM key, then the bundle's own keys (which can show a
//! signature valid, never trusted).

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

use super::certificate::Certificate;
use super::{Keys, Outcome, Verification};
use crate::digest::{hex, parse_hex};
use crate::trust::KeyStore;
use crate::trust::pem::{KeyError, PemKey};

/// The sha256 a key hint names, as lowercase hex: 64 hex digits, base64 (any alphabet,
/// padded or not) of 32 bytes, either after an optional `SHA256:` prefix; `None` for other
/// hints (a KMS URI, a name).
pub(crate) fn hint_digest(hint: &str) -> Option<String> {
    let hint = hint.trim();
    let hint = hint
        .strip_prefix("SHA256:")
        .or_else(|| hint.strip_prefix("sha256:"))
        .unwrap_or(hint);
    if hint.len() == 64
        && let Some(bytes) = parse_hex(hint)
    {
        return Some(hex(&bytes));
    }
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(hint).ok())
        .filter(|bytes| bytes.len() == 32)
        .map(|bytes| hex(&bytes))
}

/// The PEM keys of `store`, those `hint` names first (each group in load order).
fn ordered<'s>(store: &'s KeyStore, hint: Option<&str>) -> Vec<(&'s str, &'s PemKey, bool)> {
    let wanted = hint.and_then(hint_digest);
    let mut keys: Vec<(&str, &PemKey, bool)> = store
        .pem()
        .map(|(origin, key)| {
            let hinted = wanted.as_deref() == Some(key.key_id().as_str());
            (origin, key, hinted)
        })
        .collect();
    keys.sort_by_key(|(_, _, hinted)| !*hinted);
    keys
}

/// Verifies one signature with the PEM keys at hand: `check` says whether a key verifies
/// it. Trusted keys first (the hinted one first), then the bundle's keys.
pub(crate) fn verify(
    keys: &Keys<'_>,
    hint: Option<&str>,
    check: impl Fn(&PemKey) -> Result<(), KeyError>,
) -> Verification {
    let hint = hint.map(str::trim).filter(|h| !h.is_empty());
    let trusted = ordered(keys.trusted, hint);
    let mut hinted_failure = None;
    for (origin, key, hinted) in &trusted {
        match check(key) {
            Ok(()) => return Verification::verified().with_key_id(key.key_id()),
            Err(e) if *hinted && hinted_failure.is_none() => {
                hinted_failure = Some((*origin, *key, e));
            }
            Err(_) => {}
        }
    }
    if let Some((origin, key, error)) = hinted_failure {
        let id = key.key_id();
        let v = match error {
            KeyError::BadSignature(why) => Verification::failed(
                Outcome::BadSignature,
                false,
                format!(
                    "does not verify with trusted {} key {id} ({origin}): {}",
                    key.algorithm(),
                    lower(&why)
                ),
            ),
            KeyError::Unsupported(why) => {
                Verification::failed(Outcome::Unsupported, false, lower(&why))
            }
        };
        return v.with_key_id(id);
    }
    for (origin, key, _) in ordered(keys.bundle, hint) {
        if check(key).is_ok() {
            let id = key.key_id();
            return Verification::failed(
                Outcome::UntrustedKey,
                true,
                format!("valid, but key {id} is only in the bundle ({origin}), not trusted"),
            )
            .with_key_id(id);
        }
    }
    let tried = trusted.len();
    let reason = match (hint, tried) {
        (Some(h), 0) => format!("no key `{h}` in the trust set (it holds no PEM public key)"),
        (Some(h), n) => {
            format!("no key `{h}` in the trust set, and none of its {n} PEM keys verifies it")
        }
        (None, 0) => "no key to verify it with: the trust set holds no PEM public key".to_owned(),
        (None, n) => format!(
            "none of the {n} PEM keys of the trust set verifies it (another key, or altered data)"
        ),
    };
    let v = Verification::failed(Outcome::UntrustedKey, false, reason);
    match hint {
        Some(h) => v.with_key_id(h),
        None => v,
    }
}

/// A keyless (certificate) signature that cannot be verified (no Sigstore bundle around it,
/// or one the verifier cannot read): `untrusted-key`, with the identity it claims.
pub(crate) fn keyless(what: &str, certificate: &Certificate) -> Verification {
    Verification::failed(
        Outcome::UntrustedKey,
        false,
        format!(
            "{what}: a keyless signature is verified only in a Sigstore bundle (certificate \
             chain, transparency log and timestamps unverified)"
        ),
    )
    .with_signer(certificate.identity.clone())
    .with_identity(certificate.identity.clone(), certificate.issuer.clone())
}

/// A key's error message as a lowercase one-liner.
fn lower(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default().trim();
    let mut chars = line.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "signature does not match".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_in_every_spelling_name_the_same_digest() {
        let hex_id = "4cb32c4837c6dda8cfb1681efb3fef5f94ffce5b979e6bdb9139302c857af139";
        for hint in [
            hex_id,
            "TLMsSDfG3ajPsWge+z/vX5T/zluXnmvbkTkwLIV68Tk=",
            "TLMsSDfG3ajPsWge+z/vX5T/zluXnmvbkTkwLIV68Tk",
            "SHA256:TLMsSDfG3ajPsWge+z/vX5T/zluXnmvbkTkwLIV68Tk",
        ] {
            assert_eq!(hint_digest(hint).as_deref(), Some(hex_id), "{hint}");
        }
        assert_eq!(hint_digest("keystore://76574:prod:key"), None);
        assert_eq!(hint_digest(""), None);
    }
}
