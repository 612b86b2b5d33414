//! SSH signatures (`ssh-keygen -Y sign -n file -f KEY FILE` writes `FILE.sig`), read with
//! the `ssh-key` crate and checked against OpenSSH `allowed_signers` entries of the trust
//! set ([`crate::trust::ssh`]).
//!
//! ```text
//! -----BEGIN SSH SIGNATURE-----
//! U1NIU0lH...   ("SSHSIG", version, public key, namespace, reserved, hash, signature)
//! -----END SSH SIGNATURE-----
//! ```
//!
//! The signature is over a blob naming the namespace and the hash (sha256 or sha512) of the
//! file ([PROTOCOL.sshsig]): the file is streamed through that hash (sha256 reuses the
//! digest ingestion computed) and the blob is verified with the public key the signature
//! embeds. So a signature is shown valid or not whatever the trust set holds; it is
//! *trusted* when that key is in an `allowed_signers` entry of the trust set that allows
//! the namespace `file` and is valid at `as_of`.
//!
//! [PROTOCOL.sshsig]: https://github.com/openssh/openssh-portable/blob/master/PROTOCOL.sshsig

use base64::Engine as _;
use p256::ecdsa::signature::Verifier as _;
use sha2::Digest as _;
use ssh_key::{Algorithm, EcdsaCurve, HashAlg, SshSig, public::KeyData};

use super::{
    Keys, Outcome, SignatureBody, SignatureFormat, Signed, Subject, Verification, Verifier,
};
use crate::formats::{Confidence, DetectInput, EvidenceFormat, EvidenceKind, ParseInput, Parsed};
use crate::trust::KeyStore;
use crate::trust::ssh::{SshSigner, fingerprint};

/// The namespace release files are signed in (`ssh-keygen -Y sign -n file`).
pub const NAMESPACE: &str = "file";

/// The armor's first line.
const BEGIN: &str = "-----BEGIN SSH SIGNATURE-----";

/// A parsed SSH signature.
#[derive(Debug, Clone)]
pub struct SshSignature {
    sig: SshSig,
    fingerprint: String,
}

impl SshSignature {
    /// The namespace it was made in.
    pub fn namespace(&self) -> &str {
        self.sig.namespace()
    }

    /// The fingerprint of the key it embeds (`SHA256:...`).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }
}

/// A well-formed SSH signature vouch does not verify (one made with a certificate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsupportedSsh(pub String);

impl Verifier for UnsupportedSsh {
    fn verify(&self, _: &Signed<'_>, _: &Keys<'_>) -> Vec<Verification> {
        vec![Verification::failed(
            Outcome::Unsupported,
            false,
            self.0.clone(),
        )]
    }
}

/// The SSH signature format.
#[derive(Debug, Clone, Copy, Default)]
pub struct SshSignatureFormat;

impl EvidenceFormat for SshSignatureFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::SshSignature
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let by_content = input.text.as_deref().is_some_and(|text| {
            text.trim_start_matches('\u{feff}')
                .trim_start()
                .starts_with(BEGIN)
        });
        // `.sig` alone says nothing: cosign and OpenPGP signatures are named so too.
        if !by_content {
            return Confidence::No;
        }
        Confidence::of(true, input.file_name().ends_with(".sig"))
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        parse(input.path, input.bytes)
    }

    fn max_parse_size(&self) -> u64 {
        64 * 1024
    }
}

/// Parses an armored SSH signature at bundle path `path`. A malformed file still yields a
/// signature (whose verification says `malformed`) and a finding.
pub fn parse(path: &str, bytes: &[u8]) -> Parsed {
    let text = bytes
        .strip_prefix(b"\xef\xbb\xbf")
        .unwrap_or(bytes)
        .trim_ascii();
    let body = match SshSig::from_pem(text) {
        Ok(sig) => Ok(SignatureBody::Ssh(SshSignature {
            fingerprint: fingerprint(sig.public_key()),
            sig,
        })),
        Err(e) => match certificate_algorithm(text) {
            Some(algorithm) => Ok(SignatureBody::SshUnsupported(UnsupportedSsh(format!(
                "signed with an ssh certificate ({algorithm}); vouch does not verify \
                 certificates"
            )))),
            None => Err(describe(&e)),
        },
    };
    super::signature_evidence(
        path,
        SignatureFormat::Ssh,
        Subject::Detached,
        body,
        "sign again with `ssh-keygen -Y sign -n file -f KEY FILE`",
    )
}

/// The key algorithm of an armored signature whose embedded key is a certificate
/// (`*-cert-v01@openssh.com`), which `ssh-key` does not decode there.
fn certificate_algorithm(armored: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(armored).ok()?;
    let body: String = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let blob = base64::engine::general_purpose::STANDARD
        .decode(body)
        .ok()?;
    // "SSHSIG", uint32 version, string publickey (whose first field is the algorithm).
    let rest = blob.strip_prefix(b"SSHSIG")?.get(4..)?;
    let key = read_string(rest)?;
    let algorithm = std::str::from_utf8(read_string(key)?).ok()?;
    algorithm
        .ends_with("-cert-v01@openssh.com")
        .then(|| algorithm.to_owned())
}

/// The bytes of the SSH `string` at the start of `bytes`.
fn read_string(bytes: &[u8]) -> Option<&[u8]> {
    let len = u32::from_be_bytes(bytes.get(..4)?.try_into().ok()?);
    bytes.get(4..4 + usize::try_from(len).ok()?)
}

fn describe(e: &ssh_key::Error) -> String {
    let text = e.to_string();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "unknown error".to_owned(),
    }
}

/// Why vouch cannot check signatures by `key` made with `algorithm`, if it cannot.
fn unsupported(key: &KeyData, algorithm: &Algorithm) -> Option<String> {
    let name = key.algorithm();
    let key_ok = matches!(
        name,
        Algorithm::Ed25519
            | Algorithm::SkEd25519
            | Algorithm::SkEcdsaSha2NistP256
            | Algorithm::Rsa { .. }
            | Algorithm::Ecdsa {
                curve: EcdsaCurve::NistP256 | EcdsaCurve::NistP384
            }
    );
    if !key_ok {
        return Some(format!("{name} keys are not supported"));
    }
    if matches!(algorithm, Algorithm::Rsa { hash: None }) {
        return Some("rsa signature with sha-1 (ssh-rsa) is not accepted".to_owned());
    }
    None
}

/// Appends an SSH `string`: a big-endian u32 length, then the bytes.
fn put_string(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
}

impl SshSignature {
    /// The hash of the signed file with the signature's algorithm.
    fn file_hash(&self, signed: &Signed<'_>) -> Result<Vec<u8>, String> {
        let unreadable = |e: std::io::Error| format!("cannot read `{}`: {e}", signed.path);
        match self.sig.hash_alg() {
            HashAlg::Sha256 => Ok(signed.sha256.0.to_vec()),
            HashAlg::Sha512 => {
                let mut hasher = sha2::Sha512::new();
                signed
                    .stream(|chunk| hasher.update(chunk))
                    .map_err(unreadable)?;
                Ok(hasher.finalize().to_vec())
            }
            other => Err(format!("unsupported hash algorithm {}", other.as_str())),
        }
    }

    /// The blob the key signed, per PROTOCOL.sshsig, for a file hashing to `hash`.
    fn signed_data(&self, hash: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + hash.len());
        out.extend_from_slice(b"SSHSIG");
        put_string(&mut out, self.sig.namespace().as_bytes());
        put_string(&mut out, self.sig.reserved());
        put_string(&mut out, self.sig.hash_alg().as_str().as_bytes());
        put_string(&mut out, hash);
        out
    }

    /// Whether the signature is valid for `signed` with the key it embeds.
    fn check(&self, signed: &Signed<'_>) -> Result<(), Verification> {
        if let Some(reason) = unsupported(self.sig.public_key(), &self.sig.algorithm()) {
            return Err(Verification::failed(Outcome::Unsupported, false, reason));
        }
        let hash = self
            .file_hash(signed)
            .map_err(|reason| Verification::failed(Outcome::BadSignature, false, reason))?;
        let data = self.signed_data(&hash);
        self.sig
            .public_key()
            .verify(&data, self.sig.signature())
            .map_err(|_| {
                Verification::failed(
                    Outcome::BadSignature,
                    false,
                    format!(
                        "the {} signature does not match `{}`",
                        self.sig.algorithm(),
                        signed.path
                    ),
                )
            })
    }
}

/// Principals (or comments) of `entries`, sorted, without duplicates, joined.
fn signers<'a>(entries: impl Iterator<Item = &'a SshSigner>) -> Option<String> {
    let mut names: Vec<&str> = entries.filter_map(SshSigner::signer).collect();
    names.sort_unstable();
    names.dedup();
    (!names.is_empty()).then(|| names.join(", "))
}

/// The entries of `store` for `key` (not `cert-authority` ones), in load order.
fn matching<'s>(store: &'s KeyStore, key: &KeyData) -> Vec<(&'s str, &'s SshSigner)> {
    store
        .ssh()
        .filter(|(_, s)| !s.is_cert_authority() && s.key_data() == key)
        .collect()
}

/// The first origin of `entries` (in load order).
fn first_origin<'a>(entries: &[(&'a str, &SshSigner)]) -> &'a str {
    entries.first().map_or("", |(origin, _)| origin)
}

impl Verifier for SshSignature {
    fn verify(&self, signed: &Signed<'_>, keys: &Keys<'_>) -> Vec<Verification> {
        let id = self.fingerprint.clone();
        let trusted = matching(keys.trusted, self.sig.public_key());
        let done = |v: Verification, entries: &[(&str, &SshSigner)]| {
            let signer = signers(entries.iter().map(|(_, s)| *s));
            vec![v.with_key_id(id.clone()).with_signer(signer)]
        };
        if self.sig.namespace() != NAMESPACE {
            let reason = format!(
                "namespace `{}`, expected `{NAMESPACE}`",
                self.sig.namespace()
            );
            return done(
                Verification::failed(Outcome::BadSignature, false, reason),
                &trusted,
            );
        }
        if let Err(failed) = self.check(signed) {
            return done(failed, &trusted);
        }
        // Valid with the key it embeds: is that key trusted for `file`, now?
        let (allowed, wrong_namespace): (Vec<_>, Vec<_>) = trusted
            .iter()
            .copied()
            .partition(|(_, s)| s.allows_namespace(NAMESPACE));
        let (current, expired): (Vec<_>, Vec<_>) = allowed
            .iter()
            .copied()
            .partition(|(_, s)| keys.as_of.is_none_or(|at| s.invalid_at(at).is_none()));
        if !current.is_empty() {
            return done(Verification::verified(), &current);
        }
        if let (Some((origin, entry)), Some(at)) = (expired.first(), keys.as_of) {
            let why = entry.invalid_at(at).unwrap_or_default();
            let reason = format!("valid, but key {id} {why}, and as-of is {at} ({origin})");
            return done(
                Verification::failed(Outcome::ExpiredKey, true, reason),
                &expired,
            );
        }
        if !wrong_namespace.is_empty() {
            let namespaces = wrong_namespace
                .iter()
                .flat_map(|(_, s)| s.namespaces().unwrap_or_default())
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let reason = format!(
                "valid, but key {id} may sign only in namespaces {namespaces}, not \
                 `{NAMESPACE}` ({})",
                first_origin(&wrong_namespace)
            );
            return done(
                Verification::failed(Outcome::UntrustedKey, true, reason),
                &wrong_namespace,
            );
        }
        let bundle = matching(keys.bundle, self.sig.public_key());
        let reason = if bundle.is_empty() {
            format!("valid, but key {id} is not in the trust set")
        } else {
            format!(
                "valid, but key {id} is only in the bundle ({}), not trusted",
                first_origin(&bundle)
            )
        };
        done(
            Verification::failed(Outcome::UntrustedKey, true, reason),
            &bundle,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        for bytes in [
            &b""[..],
            b"-----BEGIN SSH SIGNATURE-----\n",
            b"-----BEGIN SSH SIGNATURE-----\n!!!!\n-----END SSH SIGNATURE-----\n",
            b"-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n",
            b"\xff\xfe",
        ] {
            let parsed = parse("x.sig", bytes);
            assert_eq!(parsed.findings.len(), 1, "{bytes:?}");
        }
    }

    #[test]
    fn ssh_strings_are_length_prefixed() {
        let mut out = Vec::new();
        put_string(&mut out, b"file");
        assert_eq!(out, b"\0\0\0\x04file");
    }
}
