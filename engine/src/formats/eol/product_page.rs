//! endoflife.date product pages (`products/<product>.md`): the `releases:` list of their
//! YAML front matter.
//!
//! The front matter is read with `yaml-rust2`'s event parser into a small tree, without
//! recursion: aliases are refused (nothing is ever expanded), nesting is capped at
//! [`MAX_DEPTH`], and the parser runs under `catch_unwind` so that a bug in it is a finding,
//! not a crash.

use std::sync::Arc;

use yaml_rust2::parser::{Event, Parser};

use super::{CycleFields, EolValue};
use crate::finding::{Finding, FindingCode, saturate_u32};
use crate::formats::support_toml::SupportManifest;
use crate::formats::{Evidence, Parsed, text};

/// The deepest nesting of the front matter read.
pub const MAX_DEPTH: usize = 32;

/// Whether `text` is Markdown with YAML front matter that lists release cycles.
pub(super) fn looks_like(text: &str) -> bool {
    let text = text.trim_start_matches('\u{feff}');
    text.starts_with("---") && text.contains("\nreleases:") && text.contains("releaseCycle:")
}

/// A node of the front matter: a scalar (with its 1-based line), a sequence or a mapping.
#[derive(Debug, Clone, PartialEq)]
enum Yaml {
    Scalar(String, u32),
    Seq(Vec<Yaml>, u32),
    Map(Vec<(String, Yaml)>, u32),
}

impl Yaml {
    fn get(&self, key: &str) -> Option<&Yaml> {
        match self {
            Yaml::Map(entries, _) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn line(&self) -> u32 {
        match self {
            Yaml::Scalar(_, l) | Yaml::Seq(_, l) | Yaml::Map(_, l) => *l,
        }
    }

    fn scalar(&self) -> Option<&str> {
        match self {
            Yaml::Scalar(s, _) => Some(s),
            _ => None,
        }
    }
}

/// Parses a product page. Never panics.
pub(super) fn parse(path: &str, bytes: &[u8]) -> Parsed {
    let text = match text::decode(bytes) {
        Ok(t) => Arc::<str>::from(t),
        Err(why) => {
            return failed(Finding::new(
                FindingCode::NotText,
                Some(path),
                format!("product page is {why}"),
            ));
        }
    };
    let Some(front) = front_matter(&text) else {
        return failed(
            Finding::new(
                FindingCode::YamlSyntax,
                Some(path),
                "no YAML front matter (`---` ... `---`) at the start of the page",
            )
            .with_help("endoflife.date product pages start with YAML front matter")
            .at_line(1),
        );
    };
    let tree = match load(front) {
        Ok(tree) => tree,
        Err((line, why)) => {
            return failed(
                Finding::new(
                    FindingCode::YamlSyntax,
                    Some(path),
                    format!("front matter is not YAML vouch reads: {why}"),
                )
                .with_help("endoflife.date front matter is plain YAML (no aliases)")
                // The front matter starts on line 2, after `---`.
                .at_line(line.saturating_add(1)),
            );
        }
    };
    let mut findings = Vec::new();
    let mut manifest = SupportManifest::default();
    match tree.get("releases") {
        Some(Yaml::Seq(releases, _)) => {
            for release in releases {
                let field = |key: &str| {
                    release
                        .get(key)
                        .and_then(Yaml::scalar)
                        .map(EolValue::of_text)
                };
                let line = release.line().saturating_add(1);
                let fields = CycleFields {
                    cycle: release
                        .get("releaseCycle")
                        .and_then(Yaml::scalar)
                        .map(str::to_owned),
                    release_date: field("releaseDate"),
                    support: field("eoas").or_else(|| field("support")),
                    eol: field("eol"),
                    lts: field("lts"),
                    latest_release_date: field("latestReleaseDate"),
                    line,
                };
                match fields.into_cycle() {
                    Ok(cycle) => manifest.cycles.push(cycle),
                    Err(why) => findings.push(
                        Finding::new(FindingCode::InvalidValue, Some(path), why)
                            .with_help("each release has releaseCycle, releaseDate and eol")
                            .at_line(line),
                    ),
                }
            }
        }
        Some(other) => findings.push(
            Finding::new(
                FindingCode::InvalidValue,
                Some(path),
                "`releases` is not a list",
            )
            .at_line(other.line().saturating_add(1)),
        ),
        None => findings.push(Finding::new(
            FindingCode::EolNoCycles,
            Some(path),
            "the front matter has no `releases` list",
        )),
    }
    Parsed {
        evidence: Some(Evidence::Support(manifest)),
        findings,
    }
}

fn failed(finding: Finding) -> Parsed {
    Parsed {
        evidence: None,
        findings: vec![finding],
    }
}

/// The front matter: the text between a first line `---` and the next `---` (or `...`).
fn front_matter(text: &str) -> Option<&str> {
    let text = text.trim_start_matches('\u{feff}');
    let rest = text
        .strip_prefix("---\r\n")
        .or_else(|| text.strip_prefix("---\n"))?;
    let mut offset = 0usize;
    for line in rest.split_inclusive('\n') {
        let bare = line.trim_end();
        if bare == "---" || bare == "..." {
            return rest.get(..offset);
        }
        offset = offset.saturating_add(line.len());
    }
    None
}

/// Loads one YAML document into a tree; `Err((line, why))` when it is not YAML vouch reads.
fn load(text: &str) -> Result<Yaml, (u32, String)> {
    std::panic::catch_unwind(|| load_events(text))
        .unwrap_or_else(|_| Err((1, "the YAML parser failed on this text".to_owned())))
}

/// A container being built: a sequence, or a mapping with its pending key.
enum Open {
    Seq(Vec<Yaml>, u32),
    Map(Vec<(String, Yaml)>, Option<String>, u32),
}

fn load_events(text: &str) -> Result<Yaml, (u32, String)> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    loop {
        let (event, mark) = parser
            .next_token()
            .map_err(|e| (saturate_u32(e.marker().line()), e.info().to_owned()))?;
        let line = saturate_u32(mark.line());
        let node = match event {
            Event::StreamEnd | Event::DocumentEnd => {
                return Err((line, "the document ends before its value".to_owned()));
            }
            Event::Alias(_) => return Err((line, "aliases (`*name`) are not read".to_owned())),
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if stack.len() >= MAX_DEPTH {
                    return Err((line, format!("nested deeper than {MAX_DEPTH} levels")));
                }
                stack.push(match event {
                    Event::SequenceStart(..) => Open::Seq(Vec::new(), line),
                    _ => Open::Map(Vec::new(), None, line),
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Open::Seq(items, l)) => Yaml::Seq(items, l),
                Some(Open::Map(entries, _, l)) => Yaml::Map(entries, l),
                None => return Err((line, "unbalanced YAML".to_owned())),
            },
            Event::Scalar(value, ..) => Yaml::Scalar(value, line),
            _ => continue,
        };
        // Attach the finished node to its parent, or return it as the document.
        match stack.last_mut() {
            None => return Ok(node),
            Some(Open::Seq(items, _)) => items.push(node),
            Some(Open::Map(entries, key, _)) => match key.take() {
                Some(k) => entries.push((k, node)),
                None => {
                    *key = Some(match node {
                        Yaml::Scalar(s, _) => s,
                        _ => String::new(),
                    });
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "---\ntitle: Python\nreleases:\n  - releaseCycle: \"3.14\"\n    releaseDate: 2025-10-07\n    eoas: 2027-10-01\n    eol: 2030-10-31\n\n  - releaseCycle: \"3.5\"\n    releaseDate: 2015-09-13\n    eoas: true\n    eol: 2020-09-30\n    latestReleaseDate: 2020-09-05\n    lts: 2016-01-01\n---\n\n# Python\n";

    #[test]
    fn reads_releases() {
        assert!(looks_like(PAGE));
        let parsed = parse("python.md", PAGE.as_bytes());
        assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
        let Some(Evidence::Support(m)) = parsed.evidence else {
            panic!()
        };
        assert_eq!(m.cycles.len(), 2);
        assert_eq!(m.cycles[0].cycle, "3.14");
        assert_eq!(m.cycles[0].line, 4);
        assert_eq!(m.cycles[0].support_until.unwrap().to_string(), "2027-10-01");
        assert_eq!(m.cycles[1].support_until.unwrap().to_string(), "2020-09-05");
        assert!(m.cycles[1].lts);
        assert!(!m.cycles[0].lts);
    }

    #[test]
    fn bad_yaml_is_a_located_finding() {
        let parsed = parse("x.md", b"---\nreleases: [\n---\n");
        assert!(parsed.evidence.is_none());
        assert_eq!(parsed.findings[0].code, FindingCode::YamlSyntax);
        let aliases = "---\na: &x [1, 2]\nb: *x\n---\n";
        let parsed = parse("x.md", aliases.as_bytes());
        assert_eq!(parsed.findings[0].code, FindingCode::YamlSyntax);
        assert_eq!(parsed.findings[0].line, Some(3));
        let deep = format!("---\na: {}\n---\n", "[".repeat(10_000));
        let parsed = parse("x.md", deep.as_bytes());
        assert_eq!(parsed.findings[0].code, FindingCode::YamlSyntax);
        let parsed = parse("x.md", b"no front matter");
        assert_eq!(parsed.findings[0].code, FindingCode::YamlSyntax);
    }
}
