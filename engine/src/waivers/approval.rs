//! The signature of a waivers file: who approved its waivers.
//!
//! A waivers file `FILE` counts only with a detached signature beside it, `FILE.asc`
//! (OpenPGP), `FILE.sig` (SSH, namespace `file`; an OpenPGP binary signature is read too) or
//! `FILE.minisig` (minisign), that verifies over the file's bytes with a key of the trust set
//! (`--trust`, never the bundle) and is not dated after `as_of`. The signer is the approver:
//! its key id as the report gives key ids (for OpenPGP the 40-hex fingerprint) and its user
//! id. Without such a signature the file is refused and none of its waivers applies; the
//! reason says why (unsigned, bad signature, untrusted key, signed after `as_of`, ...).
//!
//! The caller reads the files; verification reuses the signature formats of
//! [`crate::signatures`] over the bytes it was given, so what was parsed is what was verified.

use std::path::Path;

use jiff::Timestamp;

use crate::digest::Sha256Digest;
use crate::formats::Evidence;
use crate::signatures::{self, Keys, Outcome, SignatureFormat, Signed, Verification};
use crate::trust::KeyStore;

/// The suffixes of the signatures read beside a waivers file, in the order they are tried.
pub const SIGNATURE_SUFFIXES: &[&str] = &[".asc", ".sig", ".minisig"];

/// The signer of an approved waivers file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approver {
    /// The key id, as the report gives key ids (OpenPGP: the 40-hex fingerprint).
    pub key_id: String,
    /// The signer's user id (OpenPGP), principal (SSH) or trusted comment (minisign).
    pub signer: Option<String>,
    /// Whether the approving signature records when it was made (SSH signatures do not: the
    /// file's own dates are then all that is judged against `as_of`).
    pub dated: bool,
}

/// One signature found beside a waivers file, and how it verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureCheck {
    /// The signature file, as the caller named it.
    pub path: String,
    /// Its format.
    pub format: SignatureFormat,
    /// How it verified.
    pub verification: Verification,
}

/// Whether a waivers file is approved, and by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    /// The waivers file, as the caller named it.
    pub file: String,
    /// The sha256 of its bytes (lowercase hex).
    pub sha256: String,
    /// Every signature found beside it, in [`SIGNATURE_SUFFIXES`] order.
    pub signatures: Vec<SignatureCheck>,
    /// The approver: the signer of the first signature that verified with a trusted key.
    pub approver: Option<Approver>,
    /// Why the file is refused, when there is no approver.
    pub refused: Option<String>,
}

/// Checks the signatures found beside the waivers file `file` (whose bytes are `content`):
/// `signatures` holds each sidecar's path (ending in one of [`SIGNATURE_SUFFIXES`]) and
/// bytes. Keys come from `trust` only; a signature made after `as_of` does not count.
pub fn approve(
    file: &str,
    content: &[u8],
    signatures: &[(String, Vec<u8>)],
    trust: &KeyStore,
    as_of: Timestamp,
) -> Approval {
    let sha256 = Sha256Digest::of(content);
    let bundle = KeyStore::new();
    let keys = Keys {
        trusted: trust,
        bundle: &bundle,
        as_of: Some(as_of),
    };
    let signed = Signed {
        path: file,
        abs: Path::new(file),
        sha256,
        size: content.len() as u64,
        content: Some(content),
    };
    let mut checks = Vec::new();
    for (path, bytes) in signatures {
        let parsed = if path.ends_with(".minisig") {
            signatures::minisign::parse(path, bytes)
        } else if path.ends_with(".sig") && looks_like_ssh(bytes) {
            signatures::ssh::parse(path, bytes)
        } else {
            signatures::openpgp::parse(path, bytes)
        };
        match parsed.evidence {
            Some(Evidence::Signature(sig)) => {
                for verification in sig.body.verify(&signed, &keys) {
                    checks.push(SignatureCheck {
                        path: path.clone(),
                        format: sig.format,
                        verification,
                    });
                }
            }
            _ => checks.push(SignatureCheck {
                path: path.clone(),
                format: SignatureFormat::OpenPgp,
                verification: Verification::failed(
                    Outcome::Malformed,
                    false,
                    "not a signature vouch reads",
                ),
            }),
        }
    }
    // The first signature that verified with a trusted key, a dated one before an undated
    // one (an SSH signature records no time).
    let approving = |c: &SignatureCheck, dated: bool| {
        let v = &c.verification;
        (v.outcome == Outcome::Verified && v.trusted && v.signed_at.is_some() == dated)
            .then(|| v.key_id.clone())
            .flatten()
            .map(|key_id| Approver {
                key_id,
                signer: v.signer.clone(),
                dated,
            })
    };
    let approver = checks
        .iter()
        .find_map(|c| approving(c, true))
        .or_else(|| checks.iter().find_map(|c| approving(c, false)));
    let refused = approver.is_none().then(|| refusal(file, &checks));
    Approval {
        file: file.to_owned(),
        sha256: sha256.to_hex(),
        signatures: checks,
        approver,
        refused,
    }
}

/// An SSH signature's armor.
fn looks_like_ssh(bytes: &[u8]) -> bool {
    let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    text.trim_ascii_start()
        .starts_with(b"-----BEGIN SSH SIGNATURE-----")
}

/// Why no signature approves the file, one line.
fn refusal(file: &str, checks: &[SignatureCheck]) -> String {
    if checks.is_empty() {
        let names: Vec<String> = SIGNATURE_SUFFIXES
            .iter()
            .map(|s| format!("`{file}{s}`"))
            .collect();
        return format!(
            "unsigned: no signature beside it ({}); sign it with a trusted key",
            names.join(", ")
        );
    }
    let reasons: Vec<String> = checks
        .iter()
        .map(|c| {
            let v = &c.verification;
            let why = match v.outcome {
                Outcome::Verified => "verified, but names no key",
                Outcome::BadSignature => "bad signature (the file changed after it was signed, or the signature is over other content)",
                Outcome::UntrustedKey => "untrusted key",
                Outcome::ExpiredKey => "the key is expired or revoked at as_of",
                Outcome::Unsupported => "unsupported signature",
                Outcome::Malformed => "malformed signature",
                Outcome::MissingFile => "the signed file is missing",
                Outcome::SignedAfterAsOf => "signed after as_of",
                Outcome::NotPermitted => "not permitted by the authority policy",
                Outcome::Keyless => "keyless: approves no waiver (sign with a trusted key)",
            };
            let key = v
                .key_id
                .as_deref()
                .map(|k| format!(" by key {k}"))
                .unwrap_or_default();
            match &v.reason {
                Some(r) => format!("`{}`: {why}{key}: {r}", c.path),
                None => format!("`{}`: {why}{key}", c.path),
            }
        })
        .collect();
    reasons.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsigned_and_unreadable_signatures_are_refused() {
        let as_of: Timestamp = "2026-10-02T00:00:00Z".parse().unwrap();
        let store = KeyStore::new();
        let a = approve("w.toml", b"[[waiver]]\n", &[], &store, as_of);
        assert!(a.approver.is_none());
        let why = a.refused.unwrap();
        assert!(
            why.starts_with("unsigned: no signature beside it (`w.toml.asc`"),
            "{why}"
        );
        let a = approve(
            "w.toml",
            b"[[waiver]]\n",
            &[("w.toml.asc".to_owned(), b"junk".to_vec())],
            &store,
            as_of,
        );
        assert!(a.approver.is_none());
        assert!(a.refused.unwrap().contains("malformed"));
    }
}
