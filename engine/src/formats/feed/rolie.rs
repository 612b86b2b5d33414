//! CSAF ROLIE feeds (CSAF 2.0 §7.1.20): Atom written as JSON.
//!
//! ```json
//! {"feed": {"id": "...", "title": "...", "updated": "...",
//!   "entry": [{"id": "2020-ESA-001", "title": "...", "published": "...", "updated": "...",
//!              "link": [{"rel": "self", "href": "https://.../2020-ESA-001.json"}],
//!              "summary": {"content": "..."}, "content": {"src": "..."}}]}}
//! ```

use serde_json::Value;

use super::{Feed, FeedFormat, FeedItem, clean};
use crate::formats::json_util::{self, Notes, array_of, str_of};
use crate::formats::{Evidence, Parsed, security_ids};

/// Whether `text` looks like a ROLIE feed: a JSON object with a `feed` holding `entry`.
pub(super) fn looks_like(text: &str) -> bool {
    let head = text.get(..text.len().min(4096)).unwrap_or(text);
    json_util::looks_like_object(text) && head.contains("\"feed\"") && text.contains("\"entry\"")
}

/// Parses a ROLIE feed. Never panics.
pub(super) fn parse(path: &str, bytes: &[u8]) -> Parsed {
    let value = match json_util::parse(path, bytes, "ROLIE feed") {
        Ok(v) => v,
        Err(parsed) => return *parsed,
    };
    let mut notes = Notes::new(path);
    let Some(feed) = value.get("feed").filter(|f| f.is_object()) else {
        notes.add(
            crate::finding::FindingCode::InvalidValue,
            "/feed",
            "a ROLIE feed without a `feed` object".to_owned(),
            "a ROLIE feed is {\"feed\": {\"entry\": [...]}}",
        );
        return Parsed {
            evidence: None,
            findings: notes.findings,
        };
    };
    let items = array_of(feed, "entry")
        .iter()
        .enumerate()
        .map(|(i, entry)| item(entry, &format!("/feed/entry/{i}"), &mut notes))
        .collect();
    Parsed {
        evidence: Some(Evidence::Feed(Feed {
            format: FeedFormat::Rolie,
            title: str_of(feed, "title").and_then(clean),
            items,
        })),
        findings: notes.findings,
    }
}

fn item(entry: &Value, at: &str, notes: &mut Notes<'_>) -> FeedItem {
    let links = array_of(entry, "link");
    let link = links
        .iter()
        .find(|l| str_of(l, "rel") == Some("self"))
        .or_else(|| links.first())
        .and_then(|l| str_of(l, "href"))
        .or_else(|| entry.get("content").and_then(|c| str_of(c, "src")))
        .map(str::to_owned);
    let published = notes.instant(entry, "published", at);
    let updated = notes.instant(entry, "updated", at);
    let title = str_of(entry, "title").and_then(clean);
    let mut ids = std::collections::BTreeSet::new();
    if let Some(id) = str_of(entry, "id") {
        ids.insert(id.to_ascii_uppercase());
    }
    let summary = entry.get("summary").and_then(|s| str_of(s, "content"));
    for text in [title.as_deref(), summary, link.as_deref()]
        .into_iter()
        .flatten()
    {
        security_ids::find_into(text, &mut ids);
    }
    FeedItem {
        title,
        link,
        published: published.or(updated),
        updated,
        ids,
        line: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_entries() {
        let text = r#"{"feed": {"title": "F", "entry": [{"id": "2020-ESA-001",
            "title": "Fixes CVE-2020-0001", "published": "2021-01-01T11:00:00.000Z",
            "link": [{"rel": "hash", "href": "h"}, {"rel": "self", "href": "https://e/a.json"}]},
            {"id": "x", "updated": "2021-01-02"}]}}"#;
        assert!(looks_like(text));
        let parsed = parse("feed.json", text.as_bytes());
        let Some(Evidence::Feed(feed)) = parsed.evidence else {
            panic!("no feed")
        };
        assert_eq!(feed.format, FeedFormat::Rolie);
        assert_eq!(feed.items[0].link.as_deref(), Some("https://e/a.json"));
        assert_eq!(
            feed.items[0].ids.iter().collect::<Vec<_>>(),
            ["2020-ESA-001", "CVE-2020-0001"]
        );
        assert!(feed.items[1].published.is_some());
        assert_eq!(parsed.findings.len(), 1, "{:?}", parsed.findings);
        assert!(
            parsed.findings[0]
                .message
                .starts_with("/feed/entry/1/updated")
        );
    }
}
