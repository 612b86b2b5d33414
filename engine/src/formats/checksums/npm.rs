//! npm package version documents: what `npm view PKG@VERSION --json` prints, or the
//! registry's `/PKG/VERSION` document. Its `dist.integrity` (an SRI `sha512-BASE64` string)
//! names the package tarball, as `npm pack` names it (`NAME-VERSION.tgz`, a scope's `@` dropped
//! and its `/` written `-`) in the document's own directory; the tarball is checked by its
//! sha512. `dist.shasum` (sha1) never counts. The registry's signatures over the version
//! (`dist.signatures`) are read by [`crate::signatures::npm_registry`].
//!
//! ```json
//! {"name": "sigstore", "version": "2.3.1",
//!  "time": {"2.3.1": "2024-06-25T22:11:13.142Z"},
//!  "dist": {"integrity": "sha512-8G+/...", "shasum": "0755...",
//!           "tarball": "https://registry.npmjs.org/sigstore/-/sigstore-2.3.1.tgz",
//!           "signatures": [{"keyid": "SHA256:jl3b...", "sig": "MEUCIQ..."}]}}
//! ```

use base64::Engine as _;
use jiff::Timestamp;
use serde_json::Value;

use super::{Algorithm, ChecksumEntry, ChecksumList, ChecksumSyntax};
use crate::finding::{Finding, FindingCode};
use crate::formats::{Evidence, Parsed};

/// What vouch reads of a version document.
#[derive(Debug, Clone)]
pub(crate) struct VersionDocument {
    /// `name`.
    pub name: String,
    /// `version`.
    pub version: String,
    /// `dist.integrity`, as written.
    pub integrity: Option<String>,
    /// When the version was published (`time[version]`); an error when it is there but is
    /// not a time.
    pub published: Result<Option<Timestamp>, String>,
    /// `dist.signatures`, as written (`None`: the document has none).
    pub signatures: Option<Value>,
}

impl VersionDocument {
    /// The tarball's file name as `npm pack` writes it.
    pub fn tarball_name(&self) -> String {
        let name = self.name.strip_prefix('@').unwrap_or(&self.name);
        format!("{}-{}.tgz", name.replace('/', "-"), self.version)
    }
}

/// Whether `text` (the start of a file; `whole` when it is all of it) looks like an npm
/// version document: a JSON object with a `name`, a `version` and a `dist` holding an
/// `integrity` or a `tarball`.
pub(super) fn looks_like(text: &str, whole: bool) -> bool {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if !text.starts_with('{') {
        return false;
    }
    // The keys every version document has, before a whole parse of every JSON file. (A
    // document spelling them with escapes is not taken for one: its checksums then count
    // for nothing, which fails closed.)
    if !["\"name\"", "\"version\"", "\"dist\""]
        .iter()
        .all(|key| text.contains(key))
    {
        return false;
    }
    if whole {
        return read(text.as_bytes()).is_some();
    }
    text.contains("\"tarball\"")
}

/// Reads an npm version document; `None` when `bytes` are not one.
pub(crate) fn read(bytes: &[u8]) -> Option<VersionDocument> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let value: Value = serde_json::from_slice(bytes).ok()?;
    let object = value.as_object()?;
    let name = object.get("name")?.as_str()?.to_owned();
    let version = object.get("version")?.as_str()?.to_owned();
    let dist = object.get("dist")?.as_object()?;
    if !dist.contains_key("integrity") && !dist.contains_key("tarball") {
        return None;
    }
    let integrity = dist
        .get("integrity")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let published = match object.get("time") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(times)) => match times.get(&version) {
            None => Ok(None),
            Some(Value::String(t)) => t
                .parse::<Timestamp>()
                .map(Some)
                .map_err(|e| format!("`time.{version}` is not a time ({e})")),
            Some(_) => Err(format!("`time.{version}` is not a string")),
        },
        Some(_) => Err("`time` is not an object".to_owned()),
    };
    Some(VersionDocument {
        name,
        version,
        integrity,
        published,
        signatures: dist.get("signatures").cloned(),
    })
}

/// Reads an npm version document at bundle path `path` as a checksum list of one entry: the
/// tarball and its sha512 integrity.
pub(super) fn parse(path: &str, bytes: &[u8]) -> Parsed {
    let Some(doc) = read(bytes) else {
        return Parsed {
            evidence: None,
            findings: vec![
                Finding::new(
                    FindingCode::ChecksumBadIndex,
                    Some(path),
                    "not an npm version document: a JSON object with `name`, `version` and \
                     `dist` is expected",
                )
                .with_help("save `npm view PKG@VERSION --json` as it prints it"),
            ],
        };
    };
    let mut findings = Vec::new();
    let mut list = ChecksumList::default();
    match doc.integrity.as_deref().map(str::trim) {
        None => findings.push(
            Finding::new(
                FindingCode::ChecksumNoEntries,
                Some(path),
                format!(
                    "npm version document of {}@{} has no `dist.integrity`; `dist.shasum` (sha1) \
                     is not verified",
                    doc.name, doc.version
                ),
            )
            .with_help("npm has published a sha512 `dist.integrity` for every version since 2017"),
        ),
        Some(integrity) => match sha512_of(integrity) {
            Ok(digest) => list.entries.push(ChecksumEntry {
                line: 1,
                algorithm: Algorithm::Sha512,
                digest,
                name: doc.tarball_name(),
                syntax: ChecksumSyntax::Sri,
                size: None,
            }),
            Err(why) => findings.push(
                Finding::new(
                    FindingCode::ChecksumUnsupportedAlgorithm,
                    Some(path),
                    format!("`dist.integrity` of {}@{} {why}", doc.name, doc.version),
                )
                .with_help("vouch verifies `sha512-BASE64` integrity strings"),
            ),
        },
    }
    Parsed {
        evidence: Some(Evidence::Checksums(list)),
        findings,
    }
}

/// The sha512 an integrity string names: exactly one `sha512-BASE64` (options after `?`
/// ignored, as SRI says).
fn sha512_of(integrity: &str) -> Result<Vec<u8>, String> {
    let mut tokens = integrity.split_whitespace();
    let (Some(token), None) = (tokens.next(), tokens.next()) else {
        return Err("is not one integrity string".to_owned());
    };
    let token = token.split('?').next().unwrap_or(token);
    let Some(b64) = token.strip_prefix("sha512-") else {
        let alg = token.split('-').next().unwrap_or_default();
        return Err(format!("uses `{alg}`, not sha512; not verified"));
    };
    match base64::engine::general_purpose::STANDARD.decode(b64) {
        Ok(digest) if digest.len() == 64 => Ok(digest),
        _ => Err("is not the base64 of a sha512".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoped_names_are_written_as_npm_pack_does() {
        let doc =
            read(br#"{"name":"@sigstore/core","version":"1.1.0","dist":{"tarball":"x"}}"#).unwrap();
        assert_eq!(doc.tarball_name(), "sigstore-core-1.1.0.tgz");
        assert!(read(br#"{"name":"x","version":"1"}"#).is_none());
        assert!(read(b"[]").is_none());
    }

    #[test]
    fn only_one_sha512_counts() {
        assert!(sha512_of("sha1-AAAA").is_err());
        assert!(sha512_of("sha512-AAAA").is_err());
        let empty = "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==";
        assert_eq!(sha512_of(empty).map(|d| d.len()), Ok(64));
        assert!(sha512_of(&format!("{empty} {empty}")).is_err());
    }

    #[test]
    fn an_unreadable_publish_time_is_an_error() {
        let doc = read(br#"{"name":"x","version":"1","time":{"1":"yesterday"},"dist":{"integrity":"sha512-x"}}"#)
            .unwrap();
        assert!(doc.published.is_err());
    }
}
