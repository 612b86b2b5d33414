//! Frameworks (codes of practice) as data: ids, titles and themes of their principles, read from
//! one TOML file per framework so another code is one more file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Code, Diagnostic};
use crate::preparsed::{fnv1a, open, seal};
use crate::source::Source;
use crate::span::Span;

/// A code of practice whose principles controls map to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Framework {
    /// The id policies name in `framework = "..."`.
    pub id: String,
    /// Its full title.
    pub title: String,
    /// The edition or version.
    pub version: Option<String>,
    /// Where its authoritative text is.
    pub source: Option<String>,
    /// Its themes, in order.
    pub themes: Vec<Theme>,
    /// Its principles, in order.
    pub principles: Vec<Principle>,
}

/// A group of principles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    /// Theme id, e.g. `3`.
    pub id: String,
    /// Theme title.
    pub title: String,
}

/// One principle (provision) of a framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Principle {
    /// Principle id, e.g. `3.1`.
    pub id: String,
    /// The id of its theme.
    pub theme: String,
    /// A short title.
    pub title: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrameworkFile {
    framework: Header,
    #[serde(default)]
    theme: Vec<Theme>,
    #[serde(default)]
    principle: Vec<Principle>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    id: String,
    title: String,
    version: Option<String>,
    source: Option<String>,
}

impl Framework {
    /// Reads a framework definition from its TOML text.
    pub fn from_toml(source: &Source) -> Result<Framework, Box<Diagnostic>> {
        let file: FrameworkFile = toml::from_str(source.text()).map_err(|err| {
            let span = err.span().map_or(Span::point(0), |r| Span::new(r.start, r.end));
            Box::new(
                Diagnostic::error(Code::InvalidFramework, source.clone(), span, err.message().to_string())
                    .with_help("a framework file has a `[framework]` table and `[[theme]]` and `[[principle]]` entries"),
            )
        })?;
        let fw = Framework {
            id: file.framework.id,
            title: file.framework.title,
            version: file.framework.version,
            source: file.framework.source,
            themes: file.theme,
            principles: file.principle,
        };
        let mut seen = BTreeMap::new();
        for p in &fw.principles {
            if seen.insert(p.id.as_str(), ()).is_some() {
                return Err(Box::new(Diagnostic::error(
                    Code::InvalidFramework,
                    source.clone(),
                    find(source, &p.id),
                    format!("principle `{}` is defined twice", p.id),
                )));
            }
            if !fw.themes.iter().any(|t| t.id == p.theme) {
                return Err(Box::new(Diagnostic::error(
                    Code::InvalidFramework,
                    source.clone(),
                    find(source, &p.id),
                    format!(
                        "principle `{}` names theme `{}`, which is not defined",
                        p.id, p.theme
                    ),
                )));
            }
        }
        Ok(fw)
    }

    /// The principle with this id.
    pub fn principle(&self, id: &str) -> Option<&Principle> {
        self.principles.iter().find(|p| p.id == id)
    }

    /// This framework, read from `text`, kept as bytes: how the frameworks embedded in vouch
    /// are read once, when vouch is built (the layout of [`crate::preparsed`], with its own
    /// magic and a fingerprint of this file). `None` if it cannot be encoded.
    pub fn encode(&self, text: &str) -> Option<Vec<u8>> {
        seal(MAGIC, SCHEMA, text, &postcard::to_allocvec(self).ok()?)
    }

    /// The framework [`Framework::encode`] stored in `blob` for exactly `text`, by a build with
    /// this one's types; `None` for any other text or build, or a damaged blob (read `text`
    /// with [`Framework::from_toml`] then, which gives the same framework).
    pub fn decode(blob: &[u8], text: &str) -> Option<Framework> {
        match postcard::take_from_bytes::<Framework>(open(MAGIC, SCHEMA, blob, text)?) {
            Ok((framework, [])) => Some(framework),
            _ => None,
        }
    }
}

/// The first bytes of an encoded framework.
const MAGIC: &[u8; 8] = b"vouchfwk";

/// A fingerprint of what an encoded framework depends on: this file (the types and how a
/// file is read) and this crate's version.
const SCHEMA: u64 = fnv1a(
    concat!(
        env!("CARGO_PKG_VERSION"),
        "\0",
        include_str!("framework.rs")
    )
    .as_bytes(),
);

fn find(source: &Source, needle: &str) -> Span {
    let quoted = format!("\"{needle}\"");
    source
        .text()
        .find(&quoted)
        .map_or(Span::point(0), |at| Span::new(at, at + quoted.len()))
}

/// The frameworks a checker knows, by id.
#[derive(Debug, Clone, Default)]
pub struct Frameworks {
    by_id: BTreeMap<String, Framework>,
}

impl Frameworks {
    /// An empty set.
    pub fn new() -> Self {
        Frameworks::default()
    }

    /// Adds (or replaces) a framework.
    pub fn insert(&mut self, framework: Framework) {
        self.by_id.insert(framework.id.clone(), framework);
    }

    /// The framework with this id.
    pub fn get(&self, id: &str) -> Option<&Framework> {
        self.by_id.get(id)
    }

    /// The ids, sorted.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.by_id.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const TEXT: &str = "[framework]\nid = \"x\"\ntitle = \"X\"\n\n[[theme]]\nid = \"1\"\ntitle = \"One\"\n\n[[principle]]\nid = \"1.1\"\ntheme = \"1\"\ntitle = \"First\"\n";

    #[test]
    fn an_encoded_framework_reads_back_only_for_its_own_text() {
        let framework = Framework::from_toml(&Source::new("x.toml", TEXT)).unwrap();
        let blob = framework.encode(TEXT).unwrap();
        assert_eq!(Framework::decode(&blob, TEXT), Some(framework));
        // Another text (one title changed) or a damaged or longer blob is refused.
        assert_eq!(
            Framework::decode(&blob, &TEXT.replace("First", "Frst")),
            None
        );
        let mut damaged = blob.clone();
        *damaged.last_mut().unwrap() ^= 1;
        assert_eq!(Framework::decode(&damaged, TEXT), None);
        let mut longer = blob.clone();
        longer.push(0);
        assert_eq!(Framework::decode(&longer, TEXT), None);
        assert_eq!(Framework::decode(&blob[..blob.len() - 1], TEXT), None);
        assert_eq!(Framework::decode(&[], TEXT), None);
    }
}
