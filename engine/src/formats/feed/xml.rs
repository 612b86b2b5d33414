//! RSS and Atom feeds, read with `roxmltree`.
//!
//! RSS 2.0: `rss/channel/item` with `title`, `link`, `description`, `pubDate` (RFC 822
//! dates), `guid`, `category`. RSS 1.0: `rdf:RDF/item` with `dc:date`. Atom:
//! `feed/entry` with `title`, `link[@rel=alternate]`, `published`, `updated`, `id`,
//! `summary`, `content`, `category/@term`.

use std::collections::BTreeSet;
use std::sync::Arc;

use jiff::Timestamp;
use roxmltree::{Document, Node, ParsingOptions};

use super::{Feed, FeedFormat, FeedItem, MAX_NODES, clean};
use crate::finding::{Finding, FindingCode};
use crate::formats::json_util::{When, when};
use crate::formats::{Evidence, Parsed, security_ids, text};

/// The local name of the document element when it is a feed's (`rss`, `feed`, `RDF`);
/// looks only past the XML declaration, comments and a DOCTYPE.
pub(super) fn root_name(text: &str) -> Option<&'static str> {
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("<?") {
            rest = after.split_once("?>")?.1.trim_start();
        } else if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.split_once("-->")?.1.trim_start();
        } else if let Some(after) = rest.strip_prefix("<!") {
            rest = after.split_once('>')?.1.trim_start();
        } else {
            break;
        }
    }
    let tag = rest.strip_prefix('<')?;
    let end = tag
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(tag.len());
    let name = tag.get(..end)?;
    let local = name.rsplit(':').next().unwrap_or(name);
    match local {
        "rss" => Some("rss"),
        "feed" => Some("feed"),
        "RDF" => Some("RDF"),
        _ => None,
    }
}

/// Parses an RSS or Atom feed. Never panics.
pub(super) fn parse(path: &str, bytes: &[u8]) -> Parsed {
    let text = match text::decode(bytes) {
        Ok(t) => Arc::<str>::from(t),
        Err(why) => {
            return failed(Finding::new(
                FindingCode::NotText,
                Some(path),
                format!("feed is {why}"),
            ));
        }
    };
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..ParsingOptions::default()
    };
    let doc = match Document::parse_with_options(&text, options) {
        Ok(doc) => doc,
        Err(e) => {
            // A cut-off document is reported at its last line (roxmltree says 1:1).
            let line = match e {
                roxmltree::Error::UnexpectedEndOfStream | roxmltree::Error::UnclosedRootNode => {
                    crate::finding::saturate_u32(text.trim_end().lines().count().max(1))
                }
                _ => e.pos().row,
            };
            let help = match e {
                roxmltree::Error::DtdDetected => {
                    "vouch reads feeds without a DTD: DTD entities can expand without bound"
                }
                roxmltree::Error::NodesLimitReached => "the feed has too many XML nodes to read",
                _ => "check that the feed was written completely; vouch reads it as XML",
            };
            return failed(
                Finding::new(
                    FindingCode::XmlSyntax,
                    Some(path),
                    format!("feed is not well-formed XML: {e}"),
                )
                .with_help(help)
                .at_line(line),
            );
        }
    };
    let mut reader = Reader {
        path,
        src: Arc::clone(&text),
        findings: Vec::new(),
    };
    let root = doc.root_element();
    let feed = match root.tag_name().name() {
        "rss" => {
            let channel = child(root, "channel");
            let items = channel.map_or_else(Vec::new, |c| {
                c.children()
                    .filter(|n| n.has_tag_name("item"))
                    .map(|item| reader.rss_item(item))
                    .collect()
            });
            Feed {
                format: FeedFormat::Rss,
                title: channel.and_then(|c| child_text(c, "title")),
                items,
            }
        }
        "RDF" => Feed {
            format: FeedFormat::Rss,
            title: child(root, "channel").and_then(|c| child_text(c, "title")),
            items: root
                .children()
                .filter(|n| n.tag_name().name() == "item")
                .map(|item| reader.rss_item(item))
                .collect(),
        },
        "feed" => Feed {
            format: FeedFormat::Atom,
            title: child_text(root, "title"),
            items: root
                .children()
                .filter(|n| n.tag_name().name() == "entry")
                .map(|entry| reader.atom_entry(entry))
                .collect(),
        },
        other => {
            return failed(
                Finding::new(
                    FindingCode::InvalidValue,
                    Some(path),
                    format!("the document element is `{other}`, not `rss` or `feed`"),
                )
                .with_help("vouch reads RSS 2.0, RSS 1.0 and Atom feeds")
                .at_line(1),
            );
        }
    };
    Parsed {
        evidence: Some(Evidence::Feed(feed)),
        findings: reader.findings,
    }
}

fn failed(finding: Finding) -> Parsed {
    Parsed {
        evidence: None,
        findings: vec![finding],
    }
}

/// The first child element with local name `name`.
fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|n| n.is_element() && n.tag_name().name() == name)
}

/// All the text inside a node (CDATA included), whitespace collapsed.
fn all_text(node: Node<'_, '_>) -> Option<String> {
    let joined: Vec<&str> = node
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    clean(&joined.join(" "))
}

fn child_text(node: Node<'_, '_>, name: &str) -> Option<String> {
    child(node, name).and_then(all_text)
}

struct Reader<'p> {
    path: &'p str,
    src: Arc<str>,
    findings: Vec<Finding>,
}

impl Reader<'_> {
    fn line(&self, node: Node<'_, '_>) -> u32 {
        let (line, _) = crate::finding::line_column(&self.src, node.range().start);
        line
    }

    fn rss_item(&mut self, item: Node<'_, '_>) -> FeedItem {
        let published = child(item, "pubDate")
            .map(|n| (n, Dialect::Rfc822))
            .or_else(|| child(item, "date").map(|n| (n, Dialect::Rfc3339)))
            .and_then(|(n, dialect)| self.date(n, dialect));
        FeedItem {
            title: child_text(item, "title"),
            link: child_text(item, "link"),
            published,
            updated: None,
            ids: ids_of(
                item,
                &[
                    "title",
                    "link",
                    "description",
                    "guid",
                    "category",
                    "encoded",
                ],
            ),
            line: Some(self.line(item)),
        }
    }

    fn atom_entry(&mut self, entry: Node<'_, '_>) -> FeedItem {
        let link = entry
            .children()
            .filter(|n| n.is_element() && n.tag_name().name() == "link")
            .find(|n| n.attribute("rel").is_none_or(|r| r == "alternate"))
            .and_then(|n| n.attribute("href"))
            .map(str::to_owned);
        let published = child(entry, "published").and_then(|n| self.date(n, Dialect::Rfc3339));
        let updated = child(entry, "updated").and_then(|n| self.date(n, Dialect::Rfc3339));
        let mut ids = ids_of(entry, &["title", "id", "summary", "content"]);
        for n in entry
            .children()
            .filter(|n| n.tag_name().name() == "category")
        {
            for value in [n.attribute("term"), n.attribute("label")]
                .into_iter()
                .flatten()
            {
                security_ids::find_into(value, &mut ids);
            }
        }
        if let Some(link) = &link {
            security_ids::find_into(link, &mut ids);
        }
        FeedItem {
            title: child_text(entry, "title"),
            link,
            published: published.or(updated),
            updated,
            ids,
            line: Some(self.line(entry)),
        }
    }

    /// A date element's value; a finding (at its line) when it cannot be read or has no zone.
    fn date(&mut self, node: Node<'_, '_>, dialect: Dialect) -> Option<Timestamp> {
        let value = all_text(node)?;
        let span = node.range();
        let name = node.tag_name().name();
        let rfc822 = || {
            jiff::fmt::rfc2822::parse(&value)
                .ok()
                .map(|z| z.timestamp())
        };
        let read = match dialect {
            Dialect::Rfc822 => rfc822().map(When::Exact).or_else(|| when(&value)),
            Dialect::Rfc3339 => when(&value).or_else(|| rfc822().map(When::Exact)),
        };
        match read {
            Some(When::Exact(t)) => Some(t),
            Some(When::AssumedUtc(t)) => {
                self.push(
                    Finding::new(
                        FindingCode::DateWithoutZone,
                        Some(self.path),
                        format!("<{name}> `{value}` has no time zone; read as UTC"),
                    )
                    .with_help("feeds date items with an offset, e.g. 2026-10-01T12:00:00Z"),
                    span,
                );
                Some(t)
            }
            None => {
                self.push(
                    Finding::new(
                        FindingCode::InvalidValue,
                        Some(self.path),
                        format!("<{name}> `{value}` is not a date"),
                    )
                    .with_help(match dialect {
                        Dialect::Rfc822 => {
                            "RSS dates are RFC 822, e.g. `Tue, 31 Oct 2023 14:45:00 +0000`"
                        }
                        Dialect::Rfc3339 => "Atom dates are RFC 3339, e.g. `2026-10-01T12:00:00Z`",
                    }),
                    span,
                );
                None
            }
        }
    }

    fn push(&mut self, finding: Finding, span: std::ops::Range<usize>) {
        self.findings.push(finding.with_span(&self.src, span));
    }
}

#[derive(Clone, Copy)]
enum Dialect {
    Rfc822,
    Rfc3339,
}

/// The security ids in the text of `node`'s children named `names`.
fn ids_of(node: Node<'_, '_>, names: &[&str]) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for n in node
        .children()
        .filter(|n| n.is_element() && names.contains(&n.tag_name().name()))
    {
        for t in n.descendants().filter_map(|d| d.text()) {
            security_ids::find_into(t, &mut ids);
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(text: &str) -> (Option<Feed>, Vec<(FindingCode, Option<u32>)>) {
        let parsed = parse("f.xml", text.as_bytes());
        let codes = parsed.findings.iter().map(|f| (f.code, f.line)).collect();
        let feed = match parsed.evidence {
            Some(Evidence::Feed(f)) => Some(f),
            _ => None,
        };
        (feed, codes)
    }

    #[test]
    fn rss_items() {
        let (f, codes) = feed(
            "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>T</title>\n\
             <item><title>Bug (CVE-2023-22518)</title><link>https://e/1</link>\n\
             <pubDate>Tue, 31 Oct 2023 14:45:00 +0000</pubDate><category>GHSA-aaaa-bbbb-cccc</category></item>\n\
             <item><title><![CDATA[Second]]></title><pubDate>yesterday</pubDate></item>\n\
             </channel></rss>",
        );
        let f = f.unwrap();
        assert_eq!(f.format, FeedFormat::Rss);
        assert_eq!(f.title.as_deref(), Some("T"));
        assert_eq!(f.items.len(), 2);
        let first = &f.items[0];
        assert_eq!(first.published.unwrap().to_string(), "2023-10-31T14:45:00Z");
        assert_eq!(
            first.ids.iter().collect::<Vec<_>>(),
            ["CVE-2023-22518", "GHSA-AAAA-BBBB-CCCC"]
        );
        assert_eq!(first.line, Some(3));
        assert_eq!(f.items[1].title.as_deref(), Some("Second"));
        assert_eq!(codes, [(FindingCode::InvalidValue, Some(5))]);
    }

    #[test]
    fn atom_entries() {
        let (f, codes) = feed(
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>A</title>\
             <entry><title>X</title><link href=\"https://e/self\" rel=\"self\"/>\
             <link href=\"https://e/x\" rel=\"alternate\"/><updated>2022-03-30T15:00:00</updated>\
             <content type=\"html\">see CVE-2022-22965</content></entry></feed>",
        );
        let f = f.unwrap();
        assert_eq!(f.format, FeedFormat::Atom);
        let e = &f.items[0];
        assert_eq!(e.link.as_deref(), Some("https://e/x"));
        assert_eq!(e.published, e.updated);
        assert!(e.published.is_some());
        assert_eq!(e.ids.iter().collect::<Vec<_>>(), ["CVE-2022-22965"]);
        assert_eq!(codes, [(FindingCode::DateWithoutZone, Some(1))]);
    }

    #[test]
    fn bad_xml_is_one_located_finding() {
        let (f, codes) = feed("<rss><channel>\n<item><title>x</item>");
        assert!(f.is_none());
        assert_eq!(codes, [(FindingCode::XmlSyntax, Some(2))]);
        let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">\
            <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>\n\
            <rss><channel><title>&lol2;</title></channel></rss>";
        let (f, codes) = feed(laughs);
        assert!(f.is_none());
        assert_eq!(codes.len(), 1);
        assert_eq!(codes[0].0, FindingCode::XmlSyntax);
        let (f, codes) = feed("<html><body/></html>");
        assert!(f.is_none());
        assert_eq!(codes, [(FindingCode::InvalidValue, Some(1))]);
    }

    #[test]
    fn root_names() {
        assert_eq!(
            root_name("<?xml version=\"1.0\"?>\n<!-- c -->\n<rss version=\"2.0\">"),
            Some("rss")
        );
        assert_eq!(
            root_name("<feed xmlns=\"http://www.w3.org/2005/Atom\">"),
            Some("feed")
        );
        assert_eq!(root_name("<rdf:RDF xmlns:rdf=\"x\">"), Some("RDF"));
        assert_eq!(root_name("<html>"), None);
        assert_eq!(root_name("hello"), None);
    }
}
