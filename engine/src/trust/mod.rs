//! Public keys: the trust set (`--trust`) and keys found in a bundle.
//!
//! A [`KeyStore`] holds public keys of every format vouch verifies, each with where it was
//! read from. The trust set is loaded from files and directories the policy side names
//! ([`KeyStore::load`]); the same parsers read public keys found in a bundle, which are
//! used to show a signature valid but never to trust it.

use std::path::{Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;

pub mod pem;
pub mod ssh;

use crate::input_file::InputFileError;
use crate::signatures::{keyless, minisign, npm_registry, openpgp, signify};

/// The largest key file vouch reads (a keyring with many thousands of keys fits).
pub const MAX_KEY_FILE: u64 = 64 * 1024 * 1024;

/// One public key and where it came from.
#[derive(Debug, Clone)]
pub struct StoredKey {
    /// The file it was read from (and line, where the format has lines), for reports.
    pub origin: String,
    /// The key.
    pub key: PublicKey,
}

/// A public key of one of the formats vouch verifies.
#[derive(Debug, Clone)]
pub enum PublicKey {
    /// A minisign public key.
    Minisign(minisign::MinisignKey),
    /// A PEM public key (ECDSA, Ed25519 or RSA; cosign, Sigstore, openssl).
    Pem(pem::PemKey),
    /// An OpenPGP certificate (primary key, subkeys, user ids).
    OpenPgp(openpgp::OpenPgpKey),
    /// An SSH key: an `allowed_signers` entry or a bare public key line.
    Ssh(ssh::SshSigner),
    /// A signify (OpenBSD) public key.
    Signify(signify::SignifyKey),
    /// An npm registry key (from the registry's keys document).
    NpmRegistry(npm_registry::NpmRegistryKey),
}

impl PublicKey {
    /// The key's format name and its id or fingerprint.
    pub fn describe(&self) -> (&'static str, String) {
        match self {
            PublicKey::Minisign(k) => ("minisign", k.key_id()),
            PublicKey::Pem(k) => ("pem", format!("{} {}", k.algorithm(), k.key_id())),
            PublicKey::OpenPgp(k) => ("openpgp", k.fingerprint()),
            PublicKey::Ssh(k) => ("ssh", k.fingerprint().to_owned()),
            PublicKey::Signify(k) => ("signify", k.key_id()),
            PublicKey::NpmRegistry(k) => ("npm-registry", k.key_id().to_owned()),
        }
    }
}

/// A set of public keys.
#[derive(Debug, Clone, Default)]
pub struct KeyStore {
    keys: Vec<StoredKey>,
    /// The files read, in load order.
    files: Vec<String>,
    /// The sha256 (lowercase hex) of each file read, by its name in `files`.
    file_sha256: std::collections::BTreeMap<String, String>,
    /// The OpenPGP keys and subkeys, by key id.
    openpgp: openpgp::OpenPgpIndex,
    /// Sigstore trusted roots (`trusted_root.json`), for keyless signatures and the
    /// transparency logs of keyed bundles; none means the embedded public-good root.
    sigstore: Vec<keyless::SigstoreRoot>,
}

/// Why a trust input could not be loaded. Trust inputs come from the policy side, so a bad
/// one stops the run instead of silently trusting less.
#[derive(Debug, Error, Diagnostic)]
pub enum TrustError {
    /// The path cannot be read.
    #[error("cannot read trust input `{path}`: {reason}")]
    #[diagnostic(
        code("vouch::trust::unreadable"),
        help("pass a readable key file, keyring or directory of them to --trust")
    )]
    Unreadable {
        /// The path.
        path: String,
        /// Why.
        reason: String,
    },
    /// The path is a device, FIFO or socket: never read.
    #[error("trust input `{path}` is a {what}, not a regular file; vouch reads only regular files")]
    #[diagnostic(
        code("vouch::input::not-a-regular-file"),
        help("export the key into a regular file and pass that path to --trust")
    )]
    NotRegularFile {
        /// The path.
        path: String,
        /// What it is ("FIFO", "character device", ...).
        what: &'static str,
    },
    /// The file is larger than [`MAX_KEY_FILE`].
    #[error("trust input `{path}` is larger than the {limit} bytes vouch reads as a key file")]
    #[diagnostic(
        code("vouch::input::too-large"),
        help("pass the key files themselves, not an archive or a disk image")
    )]
    TooLarge {
        /// The path.
        path: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// The file is not a public key of any format vouch knows.
    #[error("trust input `{path}` is not a public key file vouch recognises")]
    #[diagnostic(
        code("vouch::trust::not-a-key"),
        help(
            "vouch reads OpenPGP public keys and keyrings, minisign and signify public keys, \
             SSH allowed_signers files, PEM public keys, npm registry keys documents \
             (registry.npmjs.org/-/npm/v1/keys) and Sigstore trusted roots (trusted_root.json)"
        )
    )]
    NotAKey {
        /// The path.
        path: String,
    },
    /// The file looks like a key file but a key in it is broken.
    #[error("trust input `{path}`: {reason}")]
    #[diagnostic(
        code("vouch::trust::invalid-key"),
        help("export the public key again from its owner's tool")
    )]
    InvalidKey {
        /// The path (and line).
        path: String,
        /// What is wrong.
        reason: String,
    },
}

/// What one key format makes of a file: `None` when the file is not of this format.
type KeyParser = fn(&str, &[u8]) -> Option<Result<Vec<StoredKey>, String>>;

/// Every key format, in the order they are tried.
const PARSERS: &[KeyParser] = &[
    minisign::parse_public_keys,
    signify::parse_public_keys,
    npm_registry::parse_public_keys,
    pem::parse_public_keys,
    openpgp::parse_public_keys,
    ssh::parse_public_keys,
];

/// Parses the public keys in one file; `origin` names it in reports. `None` when no key
/// format recognises it.
pub fn parse_key_file(origin: &str, bytes: &[u8]) -> Option<Result<Vec<StoredKey>, String>> {
    PARSERS.iter().find_map(|parse| parse(origin, bytes))
}

impl KeyStore {
    /// An empty store.
    pub fn new() -> Self {
        KeyStore::default()
    }

    /// Loads every key from `paths`: files, or directories whose regular files (recursively,
    /// in name order, hidden ones skipped) are all key files.
    pub fn load(paths: &[PathBuf]) -> Result<KeyStore, TrustError> {
        let mut store = KeyStore::new();
        for path in paths {
            let meta = std::fs::metadata(path).map_err(|e| unreadable(path, &e))?;
            if meta.is_dir() {
                let mut files = Vec::new();
                for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
                    let entry = entry.map_err(|e| TrustError::Unreadable {
                        path: shown_path(path),
                        reason: e.to_string(),
                    })?;
                    let hidden = entry.file_name().to_string_lossy().starts_with('.');
                    if hidden && entry.depth() > 0 {
                        continue;
                    }
                    if entry.file_type().is_file() {
                        files.push(entry.into_path());
                    }
                }
                for file in files {
                    store.load_file(&file)?;
                }
            } else {
                store.load_file(path)?;
            }
        }
        Ok(store)
    }

    fn load_file(&mut self, path: &Path) -> Result<(), TrustError> {
        let shown = shown_path(path);
        let bytes =
            crate::input_file::read_input_file(path, MAX_KEY_FILE).map_err(|e| match e {
                InputFileError::NotRegular { what } => TrustError::NotRegularFile {
                    path: shown.clone(),
                    what,
                },
                InputFileError::TooLarge { limit } => TrustError::TooLarge {
                    path: shown.clone(),
                    limit,
                },
                InputFileError::Io(e) => unreadable(path, &e),
            })?;
        self.file_sha256.insert(
            shown.clone(),
            crate::digest::Sha256Digest::of(&bytes).to_hex(),
        );
        if let Some(root) = keyless::parse_trusted_root(&shown, &bytes) {
            let root = root.map_err(|reason| TrustError::InvalidKey {
                path: shown.clone(),
                reason,
            })?;
            self.sigstore.push(root);
            self.files.push(shown);
            return Ok(());
        }
        match parse_key_file(&shown, &bytes) {
            None => Err(TrustError::NotAKey { path: shown }),
            Some(Err(reason)) => Err(TrustError::InvalidKey {
                path: shown,
                reason,
            }),
            Some(Ok(keys)) => {
                self.add(keys);
                self.files.push(shown);
                Ok(())
            }
        }
    }

    /// Adds keys.
    pub fn add(&mut self, keys: impl IntoIterator<Item = StoredKey>) {
        for key in keys {
            if let PublicKey::OpenPgp(k) = &key.key {
                self.openpgp.insert(self.keys.len(), k);
            }
            self.keys.push(key);
        }
    }

    /// Adds a Sigstore trusted root.
    pub fn add_sigstore_root(&mut self, root: keyless::SigstoreRoot) {
        self.sigstore.push(root);
    }

    /// The Sigstore trusted roots given, in load order (none: the embedded public-good
    /// root is used).
    pub fn sigstore_roots(&self) -> impl Iterator<Item = &keyless::SigstoreRoot> {
        self.sigstore.iter()
    }

    /// Every key, in load order.
    pub fn keys(&self) -> &[StoredKey] {
        &self.keys
    }

    /// The files the keys were read from, in load order.
    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// Every key as the report lists it: file, its sha256, format and id, in load order (the
    /// sha256 is empty for a key added in memory rather than read from a file).
    pub fn describe(&self) -> Vec<crate::report::TrustedKeyRef> {
        self.keys
            .iter()
            .map(|k| {
                let (format, key_id) = k.key.describe();
                crate::report::TrustedKeyRef {
                    path: k.origin.clone(),
                    sha256: self.file_sha256.get(&k.origin).cloned().unwrap_or_default(),
                    format: format.to_owned(),
                    key_id,
                }
            })
            .chain(self.sigstore.iter().map(|r| crate::report::TrustedKeyRef {
                path: r.origin.clone(),
                sha256: self.file_sha256.get(&r.origin).cloned().unwrap_or_default(),
                format: "sigstore-trusted-root".to_owned(),
                key_id: String::new(),
            }))
            .collect()
    }

    /// Whether there is no key at all.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.sigstore.is_empty()
    }

    /// The minisign keys, with their origins.
    pub fn minisign(&self) -> impl Iterator<Item = (&str, &minisign::MinisignKey)> {
        self.keys.iter().filter_map(|k| match &k.key {
            PublicKey::Minisign(m) => Some((k.origin.as_str(), m)),
            _ => None,
        })
    }

    /// The signify keys, with their origins.
    pub fn signify(&self) -> impl Iterator<Item = (&str, &signify::SignifyKey)> {
        self.keys.iter().filter_map(|k| match &k.key {
            PublicKey::Signify(s) => Some((k.origin.as_str(), s)),
            _ => None,
        })
    }

    /// The npm registry keys, with their origins.
    pub fn npm_registry(&self) -> impl Iterator<Item = (&str, &npm_registry::NpmRegistryKey)> {
        self.keys.iter().filter_map(|k| match &k.key {
            PublicKey::NpmRegistry(n) => Some((k.origin.as_str(), n)),
            _ => None,
        })
    }

    /// The PEM keys, with their origins.
    pub fn pem(&self) -> impl Iterator<Item = (&str, &pem::PemKey)> {
        self.keys.iter().filter_map(|k| match &k.key {
            PublicKey::Pem(p) => Some((k.origin.as_str(), p)),
            _ => None,
        })
    }

    /// The OpenPGP keys, with their origins.
    pub fn openpgp(&self) -> impl Iterator<Item = (&str, &openpgp::OpenPgpKey)> {
        self.keys.iter().filter_map(|k| match &k.key {
            PublicKey::OpenPgp(o) => Some((k.origin.as_str(), o)),
            _ => None,
        })
    }

    /// The OpenPGP keys whose primary key or a signing-capable subkey has this 8-byte key
    /// id, in load order: (position in the store, origin, key, which of its keys). Looked
    /// up in an index, so a keyring of thousands of keys costs nothing per signature.
    pub fn openpgp_by_key_id(
        &self,
        id: &[u8; 8],
    ) -> impl Iterator<Item = (usize, &str, &openpgp::OpenPgpKey, openpgp::Slot)> {
        self.openpgp
            .get(id)
            .iter()
            .filter_map(|(position, slot)| match self.keys.get(*position) {
                Some(StoredKey {
                    origin,
                    key: PublicKey::OpenPgp(k),
                }) => Some((*position, origin.as_str(), k, *slot)),
                _ => None,
            })
    }
    /// The SSH keys (`allowed_signers` entries and bare public keys), with their origins
    /// (`file:line`).
    pub fn ssh(&self) -> impl Iterator<Item = (&str, &ssh::SshSigner)> {
        self.keys.iter().filter_map(|k| match &k.key {
            PublicKey::Ssh(s) => Some((k.origin.as_str(), s)),
            _ => None,
        })
    }
}

/// A trust input's path as errors and reports show it (control characters escaped).
fn shown_path(path: &Path) -> String {
    crate::terminal::escape_line(&path.display().to_string()).into_owned()
}

fn unreadable(path: &Path, e: &std::io::Error) -> TrustError {
    TrustError::Unreadable {
        path: shown_path(path),
        reason: e.to_string(),
    }
}
