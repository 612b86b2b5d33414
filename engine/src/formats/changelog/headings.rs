//! The headings of a changelog, in the styles projects write them:
//!
//! - Markdown ATX (`## 2.31.0 (2023-05-22)`, `# Version 0.8.7`);
//! - Markdown setext: a line over `===` (level 1) or `---` (level 2), after a blank line;
//! - reStructuredText section titles: a line over (and optionally under) a line of one
//!   repeated punctuation character (`Version 3.0.0` over `-------------`); levels are given
//!   by the order in which the adornment styles first appear, as docutils does;
//! - bold pseudo-headings: a line that is only `**Security**` (or `__Security__`), read as a
//!   section title, never as a version.
//!
//! Markdown fenced code blocks (```` ``` ````, `~~~`) hide their content; in
//! reStructuredText `~~~` is an adornment, not a fence.

/// The markup a changelog is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Markup {
    /// Markdown (CommonMark, GitHub).
    Markdown,
    /// reStructuredText (`CHANGES.rst`).
    Rst,
}

impl Markup {
    /// The markup of a file, from its name: `.rst` and `.txt` are reStructuredText, other
    /// extensions Markdown. A name without an extension (`NEWS`, `CHANGES`) is Markdown when
    /// a line of `text` is an ATX heading (`# ...`), else reStructuredText (whose titles
    /// include the `===` and `---` underlines plain-text changelogs use).
    pub(super) fn of(file_name: &str, text: &str) -> Markup {
        let lower = file_name.to_ascii_lowercase();
        let plain = !lower.contains('.') && !text.lines().any(|l| atx(l).is_some());
        if lower.ends_with(".rst") || lower.ends_with(".txt") || plain {
            Markup::Rst
        } else {
            Markup::Markdown
        }
    }
}

/// The level bold pseudo-headings get: deeper than any real heading, so they are sections.
pub(super) const PSEUDO_LEVEL: usize = 100;

/// A heading found at a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Heading<'a> {
    /// 1 is the top level.
    pub(super) level: usize,
    /// Its text, trimmed.
    pub(super) text: &'a str,
    /// Whether it is a bold pseudo-heading (a section title, never a version).
    pub(super) pseudo: bool,
}

/// One line of a changelog as the scanner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Line<'a> {
    /// 0-based index of the line (of a heading: its text line).
    pub(super) index: usize,
    /// Byte offset of the line in the text.
    pub(super) start: usize,
    /// The line, without its line ending.
    pub(super) text: &'a str,
    /// The heading the line is, when it is one.
    pub(super) heading: Option<Heading<'a>>,
    /// Whether the line is inside (or opens or closes) a fenced code block.
    pub(super) fenced: bool,
}

/// The lines of `text` with their headings; adornment lines (underlines, overlines) are
/// left out.
pub(super) fn scan(text: &str, markup: Markup) -> Vec<Line<'_>> {
    let mut raw: Vec<(usize, &str)> = Vec::new();
    let mut offset = 0usize;
    for line in text.split('\n') {
        raw.push((offset, line.strip_suffix('\r').unwrap_or(line)));
        offset = offset.saturating_add(line.len()).saturating_add(1);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut styles: Vec<(u8, bool)> = Vec::new();
    let mut fence: Option<&str> = None;
    let mut i = 0usize;
    let text_at = |j: usize| raw.get(j).map_or("", |(_, l)| *l);
    while let Some(&(start, line)) = raw.get(i) {
        let stripped = line.trim_start();
        if markup == Markup::Markdown {
            if let Some(marker) = fence {
                if stripped.starts_with(marker) {
                    fence = None;
                }
                out.push(plain(i, start, line, true));
                i = i.saturating_add(1);
                continue;
            }
            if stripped.starts_with("```") || stripped.starts_with("~~~") {
                fence = stripped.get(..3);
                out.push(plain(i, start, line, true));
                i = i.saturating_add(1);
                continue;
            }
        }
        let blank_before = i == 0 || text_at(i.wrapping_sub(1)).trim().is_empty();
        let found = match markup {
            Markup::Markdown => atx(line)
                .map(|(level, text)| (level, text, 1))
                .or_else(|| setext(line, text_at(i.saturating_add(1)), blank_before)),
            Markup::Rst => rst(
                line,
                text_at(i.saturating_add(1)),
                text_at(i.saturating_add(2)),
                blank_before,
                &mut styles,
            ),
        };
        if let Some((level, heading, skip)) = found {
            // An overlined title's text is on the next line.
            let (index, start) = if skip == 3 {
                let next = i.saturating_add(1);
                (next, raw.get(next).map_or(start, |(s, _)| *s))
            } else {
                (i, start)
            };
            out.push(Line {
                index,
                start,
                text: text_at(index),
                heading: Some(Heading {
                    level,
                    text: heading,
                    pseudo: false,
                }),
                fenced: false,
            });
            i = i.saturating_add(skip);
            continue;
        }
        let heading = bold(line).map(|text| Heading {
            level: PSEUDO_LEVEL,
            text,
            pseudo: true,
        });
        out.push(Line {
            heading,
            ..plain(i, start, line, false)
        });
        i = i.saturating_add(1);
    }
    out
}

fn plain(index: usize, start: usize, text: &str, fenced: bool) -> Line<'_> {
    Line {
        index,
        start,
        text,
        heading: None,
        fenced,
    }
}

/// The level and text of an ATX heading (`## text`), when `line` is one.
pub(super) fn atx(line: &str) -> Option<(usize, &str)> {
    let line = unindent(line)?;
    let level = line.bytes().take_while(|b| *b == b'#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let rest = line.get(level..)?;
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    Some((level, rest.trim().trim_end_matches('#').trim_end()))
}

/// `line` without up to three spaces of indentation; `None` when it is indented further
/// (an indented code block in Markdown).
fn unindent(line: &str) -> Option<&str> {
    let spaces = line.bytes().take_while(|b| *b == b' ').count();
    if spaces > 3 || line.starts_with('\t') {
        return None;
    }
    line.get(spaces..)
}

/// A setext heading: `line` (after a blank line, not a list item, quote or table row) over
/// a line of `=` (level 1) or `-` (level 2).
fn setext<'a>(line: &'a str, next: &str, blank_before: bool) -> Option<(usize, &'a str, usize)> {
    let text = unindent(line)?.trim();
    let under = unindent(next)?.trim_end();
    if !blank_before || text.is_empty() || under.is_empty() {
        return None;
    }
    let block_start = text.starts_with(['-', '*', '+', '>', '|', '<', '#'])
        || text.split_once(['.', ')']).is_some_and(|(n, rest)| {
            // An ordered list item (`1. x`), not a version (`2.31.0`).
            !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit())
                && (rest.is_empty() || rest.starts_with([' ', '\t']))
        });
    if block_start {
        return None;
    }
    let level = if under.bytes().all(|b| b == b'=') {
        1
    } else if under.bytes().all(|b| b == b'-') {
        2
    } else {
        return None;
    };
    Some((level, text, 2))
}

/// The adornment character of `line`, when it is a reStructuredText adornment (three or
/// more of one punctuation character, from the first column).
fn adornment(line: &str) -> Option<u8> {
    let line = line.trim_end();
    let first = *line.as_bytes().first()?;
    let punctuation = b"=-~^\"'*+#`:._!$%&,/;<>?@\\|";
    (line.len() >= 3 && punctuation.contains(&first) && line.bytes().all(|b| b == first))
        .then_some(first)
}

/// A reStructuredText section title at `line`: text over an adornment, or an adornment,
/// text and the same adornment. Returns the level, the title and how many lines it spans.
fn rst<'a>(
    line: &'a str,
    next: &'a str,
    after: &str,
    blank_before: bool,
    styles: &mut Vec<(u8, bool)>,
) -> Option<(usize, &'a str, usize)> {
    if !blank_before {
        return None;
    }
    let (style, text, span) = match adornment(line) {
        Some(over) => {
            let text = next.trim();
            if text.is_empty() || adornment(after) != Some(over) {
                return None;
            }
            ((over, true), text, 3)
        }
        None => {
            let under = adornment(next)?;
            if line.starts_with([' ', '\t']) || line.trim().is_empty() {
                return None;
            }
            ((under, false), line.trim(), 2)
        }
    };
    let level = match styles.iter().position(|s| *s == style) {
        Some(p) => p.saturating_add(1),
        None => {
            styles.push(style);
            styles.len()
        }
    };
    Some((level, text, span))
}

/// The text of a bold pseudo-heading: a line that is only `**Text**` or `__Text__`
/// (optionally followed by `:`).
fn bold(line: &str) -> Option<&str> {
    let line = unindent(line)?.trim_end();
    let line = line.strip_suffix(':').unwrap_or(line);
    let inner = line
        .strip_prefix("**")
        .and_then(|l| l.strip_suffix("**"))
        .or_else(|| line.strip_prefix("__").and_then(|l| l.strip_suffix("__")))?;
    let inner = inner.trim().trim_end_matches(':').trim_end();
    (!inner.is_empty() && !inner.contains("**")).then_some(inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headings(text: &str, markup: Markup) -> Vec<(usize, usize, &str, bool)> {
        scan(text, markup)
            .into_iter()
            .filter_map(|l| {
                let h = l.heading?;
                Some((l.index, h.level, h.text, h.pseudo))
            })
            .collect()
    }

    #[test]
    fn markdown_setext_atx_and_bold() {
        let text = "Release History\n===============\n\ndev\n---\n\n- x\n\n2.31.0 (2023-05-22)\n\
                    -------------------\n\n**Security**\n- fix\ntext\n---\n# Version 0.8.7\n\
                    - item\n---\n```\nv\n---\n```\n";
        assert_eq!(
            headings(text, Markup::Markdown),
            [
                (0, 1, "Release History", false),
                (3, 2, "dev", false),
                (8, 2, "2.31.0 (2023-05-22)", false),
                (11, PSEUDO_LEVEL, "Security", true),
                (15, 1, "Version 0.8.7", false),
            ]
        );
    }

    #[test]
    fn rst_levels_by_first_appearance() {
        let text = "=======\nChanges\n=======\n\nVersion 3.0.0\n-------------\n\nReleased 2023-09-30\n\n\
                    Security\n~~~~~~~~\n\n-   x\n\nVersion 2.3.3\n-------------\n";
        assert_eq!(
            headings(text, Markup::Rst),
            [
                (1, 1, "Changes", false),
                (4, 2, "Version 3.0.0", false),
                (9, 3, "Security", false),
                (14, 2, "Version 2.3.3", false),
            ]
        );
        // `~~~` is an adornment in reStructuredText, a fence in Markdown.
        assert_eq!(headings("a\n~~~\n", Markup::Markdown), []);
    }

    #[test]
    fn bold_lines() {
        assert_eq!(bold("**Security**"), Some("Security"));
        assert_eq!(bold("**Bugfixes:**"), Some("Bugfixes"));
        assert_eq!(bold("__Security__"), Some("Security"));
        assert_eq!(bold("**a** and **b**"), None);
        assert_eq!(bold("- **Security**"), None);
        assert_eq!(bold("****"), None);
    }
}
