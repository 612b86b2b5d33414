//! Advisory feeds: RSS 2.0 (and RSS 1.0), Atom, and CSAF ROLIE feeds (Atom in JSON).
//!
//! Each item gives a title, a link, when it was published, and the security ids it mentions
//! (found by [`super::security_ids`] in its title, text, link, id and categories; a ROLIE
//! entry's own `id` is an advisory id and is always one of them).
//!
//! XML is read with `roxmltree`: DTDs are refused (so no entity is ever expanded: a
//! "billion laughs" document is one finding), nodes are capped at [`MAX_NODES`], and files
//! over [`MAX_SIZE`] are not parsed.

mod rolie;
mod xml;

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde::Serialize;

use super::{Confidence, DetectInput, EvidenceFormat, EvidenceKind, ParseInput, Parsed};

/// The parse cap.
pub const MAX_SIZE: u64 = 8 * 1024 * 1024;

/// The most XML nodes one feed may have.
pub const MAX_NODES: u32 = 1_000_000;

/// Which kind of feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FeedFormat {
    /// RSS (2.0, or 1.0 / RDF).
    Rss,
    /// Atom (RFC 4287).
    Atom,
    /// A CSAF ROLIE feed (JSON).
    Rolie,
}

impl FeedFormat {
    /// The lowercase name policies see.
    pub fn as_str(self) -> &'static str {
        match self {
            FeedFormat::Rss => "rss",
            FeedFormat::Atom => "atom",
            FeedFormat::Rolie => "rolie",
        }
    }
}

/// A parsed feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Feed {
    /// RSS, Atom or ROLIE.
    pub format: FeedFormat,
    /// The feed's title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The items (entries), in file order.
    pub items: Vec<FeedItem>,
}

/// One item (RSS) or entry (Atom, ROLIE).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedItem {
    /// Its title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its link (Atom: the `alternate` link; ROLIE: the `self` link).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// When it was published: RSS `pubDate` (or `dc:date`), Atom and ROLIE `published`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<Timestamp>,
    /// When it was last updated (Atom and ROLIE `updated`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<Timestamp>,
    /// Security ids it mentions (upper case, sorted).
    pub ids: BTreeSet<String>,
    /// 1-based line where it starts (XML feeds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

/// The feed format (RSS, Atom, ROLIE).
#[derive(Debug, Clone, Copy, Default)]
pub struct FeedFormatReader;

impl EvidenceFormat for FeedFormatReader {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::Feed
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let name = input.file_name().to_ascii_lowercase();
        let by_name = [".rss", ".atom", ".rss.xml", ".atom.xml"]
            .iter()
            .any(|s| name.ends_with(s));
        let by_content = input
            .text
            .as_deref()
            .is_some_and(|text| xml::root_name(text).is_some() || rolie::looks_like(text));
        Confidence::of(by_content, by_name)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        parse(input.path, input.bytes)
    }

    fn max_parse_size(&self) -> u64 {
        MAX_SIZE
    }
}

/// Parses a feed at bundle path `path`: ROLIE when it is JSON, RSS or Atom otherwise.
/// Never panics.
pub fn parse(path: &str, bytes: &[u8]) -> Parsed {
    let json = bytes
        .strip_prefix(b"\xef\xbb\xbf")
        .unwrap_or(bytes)
        .trim_ascii_start()
        .starts_with(b"{");
    if json {
        rolie::parse(path, bytes)
    } else {
        xml::parse(path, bytes)
    }
}

/// Collapses runs of white space (feed titles are often wrapped) and trims.
fn clean(text: &str) -> Option<String> {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!joined.is_empty()).then_some(joined)
}
