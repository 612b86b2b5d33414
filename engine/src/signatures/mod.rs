//! Signature verification: one module per signature format, all behind [`Verifier`].
//!
//! A signature file is parsed (as evidence, by its format module) into a [`SignatureFile`]
//! without any key; once the bundle's files are known, the graph builder pairs it with the
//! file it signs ([`Subject`]) and asks its [`Verifier`] for one [`Verification`] per
//! signature it holds. Keys come from [`Keys`]: the trust set given on the command line
//! (never the bundle), and public keys found in the bundle, which can show that a signature
//! is *valid* but never make it *trusted*.
//!
//! Large signed files are streamed through the verifier's hash ([`Signed::stream`]); formats
//! that sign a sha256 digest reuse the digest ingestion computed ([`Signed::sha256`]).

pub mod certificate;
pub mod cosign;
pub mod dsse;
pub mod intoto;
mod keyed;
pub mod keyless;
pub mod minisign;
pub mod npm_registry;
pub mod openpgp;
pub mod pep740;
pub mod signify;
pub mod sigstore;
pub mod sigstore_crypto;
pub mod ssh;

use std::io::{self, Read};
use std::path::Path;

use jiff::Timestamp;
use serde::Serialize;

use crate::digest::Sha256Digest;
use crate::trust::KeyStore;

/// A signature format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureFormat {
    /// OpenPGP: detached (`.asc`, `.sig`, `.gpg`) or cleartext-signed.
    #[serde(rename = "openpgp")]
    OpenPgp,
    /// SSH signatures (`ssh-keygen -Y sign`, SSHSIG).
    Ssh,
    /// minisign (`.minisig`).
    Minisign,
    /// cosign key-pair signatures: base64 ECDSA over the file.
    Cosign,
    /// Sigstore bundles (`*.sigstore.json`).
    Sigstore,
    /// DSSE envelopes (in-toto attestations).
    Dsse,
    /// signify (OpenBSD) Ed25519 signatures: detached `.sig`, or embedded (`signify -S -e`).
    Signify,
    /// npm registry signatures (`dist.signatures` of a package version document).
    NpmRegistry,
}

impl SignatureFormat {
    /// The name policies see in `s.format`.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureFormat::OpenPgp => "openpgp",
            SignatureFormat::Ssh => "ssh",
            SignatureFormat::Minisign => "minisign",
            SignatureFormat::Cosign => "cosign",
            SignatureFormat::Sigstore => "sigstore",
            SignatureFormat::Dsse => "dsse",
            SignatureFormat::Signify => "signify",
            SignatureFormat::NpmRegistry => "npm-registry",
        }
    }
}

/// The outcome of verifying one signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Cryptographically valid, made by a key of the trust set that is valid at `as_of`.
    Verified,
    /// The signature does not match the signed data (or the key it names).
    BadSignature,
    /// Valid with a key that is not trusted, or no key at hand to check it with.
    UntrustedKey,
    /// Valid, by a trusted key that is expired or revoked at `as_of`.
    ExpiredKey,
    /// An algorithm, version or variant vouch does not verify.
    Unsupported,
    /// The signature file cannot be read as its format.
    Malformed,
    /// The file it signs is not in the bundle.
    MissingFile,
    /// Valid, by a trusted key, but made after `as_of`: evidence from the future never counts.
    SignedAfterAsOf,
    /// Valid and by a trusted key, but the authority policy (`--authority`) does not permit
    /// that key to sign this kind of evidence.
    NotPermitted,
    /// A keyless Sigstore signature that verifies against a Sigstore trusted root (Fulcio
    /// certificate chain at the signing time, its SCT, the Rekor entry and its proof, the
    /// signature): valid for the certificate's `identity` and `issuer`, which a policy must
    /// allow. Never `trusted` by itself.
    Keyless,
}

impl Outcome {
    /// The name policies see in `s.outcome`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Verified => "verified",
            Outcome::BadSignature => "bad-signature",
            Outcome::UntrustedKey => "untrusted-key",
            Outcome::ExpiredKey => "expired-key",
            Outcome::Unsupported => "unsupported",
            Outcome::Malformed => "malformed",
            Outcome::MissingFile => "missing-file",
            Outcome::SignedAfterAsOf => "signed-after-as-of",
            Outcome::NotPermitted => "not-permitted",
            Outcome::Keyless => "keyless",
        }
    }
}

/// What verifying one signature found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// The outcome.
    pub outcome: Outcome,
    /// The signature is cryptographically valid for the signed data (whoever's key it is).
    pub verified: bool,
    /// It is valid and made by a key of the trust set, valid at `as_of`.
    pub trusted: bool,
    /// Why, when the outcome is not `verified` (one line, lowercase).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The signer: an OpenPGP user id, an SSH principal, a key comment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// The key id or fingerprint, as the format writes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// When it was signed, where the format records it (for Sigstore bundles, the earliest
    /// verified transparency-log or RFC 3161 time; an unverified time never counts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<Timestamp>,
    /// For keyless signatures: whose certificate it is (boxed: most signatures have none).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub keyless: Option<Box<KeylessSigner>>,
}

/// The signer of a keyless signature, as its certificate names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeylessSigner {
    /// The certificate's identity (its subject alternative name: a URI such as a CI
    /// workflow, or an email address).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// The OIDC issuer the certificate records.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

impl Verification {
    /// A valid signature by a trusted key.
    pub fn verified() -> Self {
        Verification {
            outcome: Outcome::Verified,
            verified: true,
            trusted: true,
            reason: None,
            signer: None,
            key_id: None,
            signed_at: None,
            keyless: None,
        }
    }

    /// A signature that did not verify as trusted: `verified` says whether it is at least
    /// cryptographically valid (with an untrusted or expired key).
    pub fn failed(outcome: Outcome, verified: bool, reason: impl Into<String>) -> Self {
        Verification {
            outcome,
            verified,
            trusted: false,
            reason: Some(reason.into()),
            signer: None,
            key_id: None,
            signed_at: None,
            keyless: None,
        }
    }

    /// Sets the key id.
    pub fn with_key_id(mut self, key_id: impl Into<String>) -> Self {
        self.key_id = Some(key_id.into());
        self
    }

    /// Sets the signer.
    pub fn with_signer(mut self, signer: Option<String>) -> Self {
        self.signer = signer;
        self
    }

    /// Sets the keyless identity and OIDC issuer.
    pub fn with_identity(mut self, identity: Option<String>, issuer: Option<String>) -> Self {
        self.keyless = (identity.is_some() || issuer.is_some())
            .then(|| Box::new(KeylessSigner { identity, issuer }));
        self
    }

    /// The keyless certificate identity, if any.
    pub fn identity(&self) -> Option<&str> {
        self.keyless.as_ref().and_then(|k| k.identity.as_deref())
    }

    /// The keyless certificate's OIDC issuer, if any.
    pub fn issuer(&self) -> Option<&str> {
        self.keyless.as_ref().and_then(|k| k.issuer.as_deref())
    }

    /// Whether it counts as verified evidence before any identity rule: verified with a
    /// trusted key, or keyless against a Sigstore trusted root.
    pub fn counts_as_verified(&self) -> bool {
        matches!(self.outcome, Outcome::Verified | Outcome::Keyless)
    }

    /// Sets the signing time.
    pub fn with_signed_at(mut self, signed_at: Option<Timestamp>) -> Self {
        self.signed_at = signed_at;
        self
    }
}

/// A verification judged in time: a signature that verified but records a signing time after
/// `as_of` does not count (outcome `signed-after-as-of`, the reason naming both instants).
/// Formats that record no signing time are left as they are.
pub fn judged_at(v: Verification, as_of: Option<Timestamp>) -> Verification {
    match (v.outcome, v.signed_at, as_of) {
        (Outcome::Verified | Outcome::Keyless, Some(signed), Some(as_of)) if signed > as_of => {
            Verification {
                outcome: Outcome::SignedAfterAsOf,
                trusted: false,
                reason: Some(format!("made {signed}, after as_of {as_of}")),
                ..v
            }
        }
        _ => v,
    }
}

/// The keys a verifier may use.
#[derive(Debug, Clone, Copy)]
pub struct Keys<'a> {
    /// The trust set (`--trust`): a valid signature by one of these is trusted.
    pub trusted: &'a KeyStore,
    /// Public keys found in the bundle: they can show a signature valid, never trusted.
    pub bundle: &'a KeyStore,
    /// The instant keys must be valid at (expiry, revocation), and that signatures must be
    /// made by ([`judged_at`]); `None` judges a key at the time of the signature it made.
    pub as_of: Option<Timestamp>,
}

/// The file a signature signs, as ingestion saw it.
#[derive(Debug, Clone, Copy)]
pub struct Signed<'a> {
    /// Bundle-relative path.
    pub path: &'a str,
    /// Where it is on disk.
    pub abs: &'a Path,
    /// Its sha256, computed during ingestion.
    pub sha256: Sha256Digest,
    /// Its size in bytes, as hashed.
    pub size: u64,
    /// Its bytes, when the caller already holds them (a file outside the bundle, such as a
    /// waivers file, read once): verified as they are, `abs` is not opened.
    pub content: Option<&'a [u8]>,
}

/// The read buffer [`Signed::stream`] uses.
const STREAM_BUF: usize = 256 * 1024;

impl Signed<'_> {
    /// Feeds the file's bytes to `sink` in chunks, never holding the whole file; reads at
    /// most the size ingestion hashed.
    pub fn stream(&self, mut sink: impl FnMut(&[u8])) -> io::Result<()> {
        if let Some(content) = self.content {
            let size = usize::try_from(self.size).unwrap_or(usize::MAX);
            for chunk in content.get(..size).unwrap_or(content).chunks(STREAM_BUF) {
                sink(chunk);
            }
            return Ok(());
        }
        let file = crate::ingest::open_no_follow(self.abs)?;
        let mut reader = file.take(self.size);
        // No larger than the file: a fresh 256 KiB buffer per signature cost more (in page
        // faults) than verifying a small file's signature.
        let len = usize::try_from(self.size).map_or(STREAM_BUF, |size| size.clamp(1, STREAM_BUF));
        let mut buf = vec![0u8; len];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => sink(buf.get(..n).unwrap_or_default()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// The whole file, for formats whose verifiers need it at once; refuses files larger
    /// than `cap` bytes.
    pub fn read_all(&self, cap: u64) -> io::Result<Vec<u8>> {
        if self.size > cap {
            return Err(io::Error::other(format!(
                "signed file is {} bytes, more than the {cap} this format verifies",
                self.size
            )));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(self.size).unwrap_or(0));
        self.stream(|chunk| bytes.extend_from_slice(chunk))?;
        Ok(bytes)
    }
}

/// What a signature file signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// Another file, named by convention: the signature's path without its suffix
    /// (`X.asc` signs `X`).
    Detached,
    /// The file with this sha256 (by convention first, else any file with that digest).
    Digest(Sha256Digest),
    /// The signature file's own content (a cleartext-signed file, a DSSE envelope).
    Itself,
}

/// One signature format's verification: given the signed file and the keys, one
/// [`Verification`] per signature the file holds. Never panics, whatever the input.
pub trait Verifier: std::fmt::Debug + Send + Sync {
    /// Verifies every signature against `signed` (ignored for [`Subject::Itself`]).
    fn verify(&self, signed: &Signed<'_>, keys: &Keys<'_>) -> Vec<Verification>;
}

/// A parsed signature file: its format, what it signs, and the format's data.
#[derive(Debug, Clone)]
pub struct SignatureFile {
    /// The format.
    pub format: SignatureFormat,
    /// What it signs.
    pub subject: Subject,
    /// The format's parsed data.
    pub body: SignatureBody,
}

/// The parsed data of each format.
#[derive(Debug, Clone)]
pub enum SignatureBody {
    /// A file of a signature format that cannot be read as one (verifies as `malformed`).
    Malformed(Malformed),
    /// A minisign signature.
    Minisign(minisign::MinisignSignature),
    /// OpenPGP signatures (detached, or of a cleartext-signed file).
    OpenPgp(openpgp::OpenPgpSignature),
    /// A DSSE envelope.
    Dsse(dsse::DsseEnvelope),
    /// A Sigstore bundle.
    Sigstore(sigstore::SigstoreBundle),
    /// An SSH signature (SSHSIG).
    Ssh(ssh::SshSignature),
    /// An SSH signature vouch does not verify (made with a certificate).
    SshUnsupported(ssh::UnsupportedSsh),
    /// A cosign key-pair signature.
    Cosign(cosign::CosignSignature),
    /// A signify signature (detached or embedded).
    Signify(signify::SignifySignature),
    /// The npm registry's signatures over a package version.
    NpmRegistry(npm_registry::NpmRegistrySignatures),
}

impl SignatureBody {
    /// Verifies every signature of this body against `signed`, each judged in time at
    /// `keys.as_of` ([`judged_at`]).
    pub fn verify(&self, signed: &Signed<'_>, keys: &Keys<'_>) -> Vec<Verification> {
        self.verifier()
            .verify(signed, keys)
            .into_iter()
            .map(|v| judged_at(v, keys.as_of))
            .collect()
    }

    /// The verifier for this body.
    pub fn verifier(&self) -> &dyn Verifier {
        match self {
            SignatureBody::Malformed(m) => m,
            SignatureBody::Minisign(s) => s,
            SignatureBody::OpenPgp(s) => s,
            SignatureBody::Dsse(s) => s,
            SignatureBody::Sigstore(s) => s,
            SignatureBody::Ssh(s) => s,
            SignatureBody::SshUnsupported(s) => s,
            SignatureBody::Cosign(s) => s,
            SignatureBody::Signify(s) => s,
            SignatureBody::NpmRegistry(s) => s,
        }
    }
}

/// Why a signature file cannot be read as its format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed(pub String);

impl Verifier for Malformed {
    fn verify(&self, _: &Signed<'_>, _: &Keys<'_>) -> Vec<Verification> {
        vec![Verification::failed(
            Outcome::Malformed,
            false,
            self.0.clone(),
        )]
    }
}

impl PartialEq for SignatureFile {
    /// Signature files compare by format and subject only (for evidence equality in tests).
    fn eq(&self, other: &Self) -> bool {
        self.format == other.format && self.subject == other.subject
    }
}

/// Whether a file starting with `head` may carry a signature inside it (an OpenPGP
/// cleartext-signed message); such files are parsed by [`parse_embedded`] whatever their kind.
pub fn may_embed_signature(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    head.trim_ascii_start()
        .starts_with(b"-----BEGIN PGP SIGNED MESSAGE-----")
}

/// Whether a file of evidence kind `kind`, whose whole content is `bytes`, carries a
/// cleartext-signed message: one that starts with it, or, for checksum files and security.txt
/// (whose lines outside the signed part must never pass for signed), any line that is its
/// header.
pub fn embeds_signature(kind: Option<crate::formats::EvidenceKind>, bytes: &[u8]) -> bool {
    use crate::formats::EvidenceKind;
    may_embed_signature(bytes)
        || (matches!(
            kind,
            Some(EvidenceKind::Checksums | EvidenceKind::SecurityTxt)
        ) && bytes.split(|b| *b == b'\n').any(|line| {
            let line = line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line);
            line.trim_ascii() == openpgp::cleartext::HEADER.as_bytes()
        }))
}

/// The signature embedded in a whole file of evidence kind `kind`, as evidence (with findings
/// when it is broken, or when the file holds text outside the signed part); `None` when there
/// is none. An OpenPGP cleartext-signed message, or a signify embedded signature (`signify -S
/// -e`: a signature block, then the message it signs) in a file read as another kind (a
/// checksum file such as OpenBSD's `SHA256.sig`), or the npm registry's signatures in a
/// package version document.
pub fn parse_embedded(
    path: &str,
    kind: Option<crate::formats::EvidenceKind>,
    bytes: &[u8],
) -> Option<crate::formats::Parsed> {
    use crate::formats::EvidenceKind;
    if embeds_signature(kind, bytes) {
        return Some(openpgp::cleartext::parse(path, bytes));
    }
    let other_kind = !matches!(
        kind,
        Some(
            EvidenceKind::SignifySignature
                | EvidenceKind::MinisignSignature
                | EvidenceKind::PublicKey
        )
    );
    if other_kind && signify::looks_embedded(bytes) {
        return Some(signify::parse(path, bytes));
    }
    if kind == Some(EvidenceKind::Checksums) {
        return npm_registry::parse_embedded(path, bytes);
    }
    None
}

/// The evidence of a signature file of `format`: its body when it could be read, else a
/// `malformed` body and a `vouch::signature::malformed` finding saying why (`reason`) and how
/// to make a good one (`help`). A malformed file stays a signature, so a policy sees it fail.
pub(crate) fn signature_evidence(
    path: &str,
    format: SignatureFormat,
    subject: Subject,
    body: Result<SignatureBody, String>,
    help: &str,
) -> crate::formats::Parsed {
    let (body, findings) = match body {
        Ok(body) => (body, Vec::new()),
        Err(reason) => {
            let reason = format!("not a valid {} signature: {reason}", format.as_str());
            let finding = crate::finding::Finding::new(
                crate::finding::FindingCode::SignatureMalformed,
                Some(path),
                &reason,
            )
            .with_help(help);
            (SignatureBody::Malformed(Malformed(reason)), vec![finding])
        }
    };
    crate::formats::Parsed {
        evidence: Some(crate::formats::Evidence::Signature(SignatureFile {
            format,
            subject,
            body,
        })),
        findings,
    }
}

/// File-name suffixes that mark a detached signature, longest first: `X.asc` signs `X`.
pub const DETACHED_SUFFIXES: &[&str] = &[
    ".sigstore.json",
    ".sigstore",
    ".minisig",
    ".bundle",
    ".asc",
    ".sig",
    ".gpg",
];

/// The path a detached signature at `path` signs by convention, if its name has a
/// signature suffix.
pub fn signed_path_by_convention(path: &str) -> Option<&str> {
    DETACHED_SUFFIXES
        .iter()
        .find_map(|suffix| path.strip_suffix(suffix))
        .filter(|p| !p.is_empty() && !p.ends_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_serialize_as_policies_see_them() {
        for format in [
            SignatureFormat::OpenPgp,
            SignatureFormat::Ssh,
            SignatureFormat::Minisign,
            SignatureFormat::Cosign,
            SignatureFormat::Sigstore,
            SignatureFormat::Dsse,
            SignatureFormat::Signify,
            SignatureFormat::NpmRegistry,
        ] {
            assert_eq!(
                serde_json::to_value(format).ok(),
                Some(serde_json::Value::from(format.as_str()))
            );
        }
    }

    #[test]
    fn a_verified_signature_made_after_as_of_does_not_count() {
        let at = |t: &str| t.parse::<Timestamp>().ok();
        let made = |t: &str| Verification::verified().with_signed_at(at(t));
        let as_of = at("2026-10-02T00:00:00Z");
        let late = judged_at(made("2026-11-01T00:00:00Z"), as_of);
        assert_eq!(late.outcome, Outcome::SignedAfterAsOf);
        assert!(late.verified && !late.trusted);
        assert_eq!(
            late.reason.as_deref(),
            Some("made 2026-11-01T00:00:00Z, after as_of 2026-10-02T00:00:00Z")
        );
        assert_eq!(late.signed_at, at("2026-11-01T00:00:00Z"));
        assert_eq!(
            serde_json::to_value(late.outcome).ok(),
            Some(serde_json::Value::from("signed-after-as-of"))
        );
        // Made at as_of exactly, with no time, or judged at no instant: unchanged.
        for (v, as_of) in [
            (made("2026-10-02T00:00:00Z"), as_of),
            (Verification::verified(), as_of),
            (made("2026-11-01T00:00:00Z"), None),
        ] {
            assert_eq!(judged_at(v.clone(), as_of), v);
        }
        // A signature that does not count anyway keeps its own outcome.
        let untrusted = Verification::failed(Outcome::UntrustedKey, true, "not trusted")
            .with_signed_at(at("2026-11-01T00:00:00Z"));
        assert_eq!(judged_at(untrusted.clone(), as_of), untrusted);
    }

    #[test]
    fn convention_strips_one_suffix() {
        assert_eq!(
            signed_path_by_convention("a/x.tar.gz.asc"),
            Some("a/x.tar.gz")
        );
        assert_eq!(signed_path_by_convention("x.sigstore.json"), Some("x"));
        assert_eq!(signed_path_by_convention("x.minisig"), Some("x"));
        assert_eq!(signed_path_by_convention("x.json"), None);
        assert_eq!(signed_path_by_convention("a/.asc"), None);
    }
}
