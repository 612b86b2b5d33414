//! A small Wadler-style pretty-printing document and its printer.
//!
//! The formatter turns the AST into a [`Doc`]; [`print`] lays it out. A [`Doc::Group`] is printed
//! on one line if it fits in the remaining width (its [`Doc::Line`]s become spaces), otherwise
//! its own lines break and each nested group is tried again. Comments and hard lines force every
//! group around them to break.
//!
//! The printer is lazy about whitespace, which keeps the output free of trailing spaces and lets
//! comments sit anywhere between tokens:
//! - indentation is written only when the first text of a line is;
//! - a [`Doc::Space`] becomes one space only if more text follows on the same line;
//! - after a comment the line is closed: the next text starts a new line at the current
//!   indentation, whatever the document says.

use std::borrow::Cow;

/// Spaces per indentation level.
const INDENT: usize = 2;

/// A layout document.
#[derive(Debug, Clone)]
pub(super) enum Doc {
    /// Nothing.
    Nil,
    /// Text without line breaks.
    Text(Cow<'static, str>),
    /// One space, unless it would start or end a line.
    Space,
    /// A space in a flat group, a line break in a broken one.
    Line,
    /// Nothing in a flat group, a line break in a broken one.
    SoftLine,
    /// Always a line break (two in a row leave a blank line).
    HardLine,
    /// Text printed only when the enclosing group is broken (a trailing comma).
    IfBreak(&'static str),
    /// Text printed only when the enclosing group is flat.
    IfFlat(&'static str),
    /// A `//` comment. A trailing one stays on the current line; a leading one starts its own.
    /// Either way the line ends after it.
    Comment {
        /// The comment, `//` included, without trailing whitespace.
        text: String,
        /// Whether it followed code on its line in the source.
        trailing: bool,
    },
    /// The content, with line breaks indented one level more.
    Indent(Box<Doc>),
    /// Flat if it fits, else broken; `true` if it must break (it holds a comment or hard line).
    Group(Box<Doc>, bool),
    /// The content laid out flat (string interpolations), except where comments force a break.
    Flat(Box<Doc>),
    /// A sequence.
    Concat(Vec<Doc>),
}

impl Doc {
    /// Text from a static string.
    pub(super) const fn str(s: &'static str) -> Doc {
        Doc::Text(Cow::Borrowed(s))
    }

    /// Text from an owned string.
    pub(super) fn string(s: String) -> Doc {
        Doc::Text(Cow::Owned(s))
    }

    /// A sequence.
    pub(super) fn concat(parts: Vec<Doc>) -> Doc {
        Doc::Concat(parts)
    }

    /// The content indented one level more.
    pub(super) fn indent(doc: Doc) -> Doc {
        Doc::Indent(Box::new(doc))
    }

    /// A group; it must break if it holds a comment or a hard line.
    pub(super) fn group(doc: Doc) -> Doc {
        let broken = doc.forces_break();
        Doc::Group(Box::new(doc), broken)
    }

    /// The content laid out flat.
    pub(super) fn flat(doc: Doc) -> Doc {
        Doc::Flat(Box::new(doc))
    }

    /// Whether the document prints nothing at all.
    pub(super) fn is_nil(&self) -> bool {
        match self {
            Doc::Nil => true,
            Doc::Concat(parts) => parts.iter().all(Doc::is_nil),
            _ => false,
        }
    }

    /// Whether a group holding this document must break.
    fn forces_break(&self) -> bool {
        let mut stack = vec![self];
        while let Some(doc) = stack.pop() {
            match doc {
                Doc::HardLine | Doc::Comment { .. } | Doc::Group(_, true) => return true,
                Doc::Indent(inner) | Doc::Flat(inner) => stack.push(inner),
                Doc::Concat(parts) => stack.extend(parts),
                _ => {}
            }
        }
        false
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Flat,
    Break,
}

/// A document waiting to be printed: its indentation, its group's mode, the document.
type Cmd<'d> = (usize, Mode, &'d Doc);

/// Lays `doc` out in lines of at most `width` columns where the groups allow it.
pub(super) fn print(doc: &Doc, width: usize) -> String {
    let mut p = Printer::default();
    let mut stack: Vec<Cmd<'_>> = vec![(0, Mode::Break, doc)];
    while let Some((indent, mode, doc)) = stack.pop() {
        match doc {
            Doc::Nil => {}
            Doc::Text(s) => p.text(indent, s),
            Doc::Space => p.space(),
            Doc::Line if mode == Mode::Flat => p.space(),
            Doc::Line | Doc::HardLine => p.newline(),
            Doc::SoftLine => {
                if mode == Mode::Break {
                    p.newline();
                }
            }
            Doc::IfBreak(s) => {
                if mode == Mode::Break {
                    p.text(indent, s);
                }
            }
            Doc::IfFlat(s) => {
                if mode == Mode::Flat {
                    p.text(indent, s);
                }
            }
            Doc::Comment { text, trailing } => p.comment(indent, text, *trailing),
            Doc::Indent(inner) => stack.push((indent + INDENT, mode, inner)),
            Doc::Flat(inner) => stack.push((indent, Mode::Flat, inner)),
            Doc::Group(inner, broken) => {
                let flat = !broken
                    && (mode == Mode::Flat
                        || fits(p.room(width, indent), (indent, Mode::Flat, inner), &stack));
                stack.push((indent, if flat { Mode::Flat } else { Mode::Break }, inner));
            }
            Doc::Concat(parts) => stack.extend(parts.iter().rev().map(|d| (indent, mode, d))),
        }
    }
    p.out
}

/// Whether `next`, followed by `rest` up to its first line break, fits in `room` columns.
fn fits(room: isize, next: Cmd<'_>, rest: &[Cmd<'_>]) -> bool {
    let mut room = room;
    let mut stack = vec![next];
    let mut rest = rest.iter().rev();
    loop {
        let Some((indent, mode, doc)) = stack.pop().or_else(|| rest.next().copied()) else {
            return true;
        };
        match doc {
            Doc::Nil => {}
            Doc::Text(s) => room -= width_of(s),
            Doc::Space => room -= 1,
            Doc::Line | Doc::SoftLine if mode == Mode::Break => return true,
            Doc::Line => room -= 1,
            Doc::SoftLine => {}
            Doc::HardLine | Doc::Comment { .. } => return true,
            Doc::IfBreak(s) => {
                if mode == Mode::Break {
                    room -= width_of(s);
                }
            }
            Doc::IfFlat(s) => {
                if mode == Mode::Flat {
                    room -= width_of(s);
                }
            }
            Doc::Indent(inner) => stack.push((indent + INDENT, mode, inner)),
            Doc::Flat(inner) => stack.push((indent, Mode::Flat, inner)),
            Doc::Group(inner, broken) => {
                stack.push((indent, if *broken { Mode::Break } else { mode }, inner))
            }
            Doc::Concat(parts) => stack.extend(parts.iter().rev().map(|d| (indent, mode, d))),
        }
        if room < 0 {
            return false;
        }
    }
}

fn width_of(s: &str) -> isize {
    isize::try_from(s.chars().count()).unwrap_or(isize::MAX)
}

/// The output and where the printer stands in it.
#[derive(Default)]
struct Printer {
    out: String,
    /// Columns on the current line.
    col: usize,
    /// Whether the current line has anything but indentation.
    has_content: bool,
    /// A space is owed before the next text on this line.
    pending_space: bool,
    /// The line ends in a comment: the next text goes on a new line.
    need_newline: bool,
}

impl Printer {
    /// Columns left on the line for text that would be printed at `indent`.
    fn room(&self, width: usize, indent: usize) -> isize {
        let used = if self.has_content && !self.need_newline {
            self.col + usize::from(self.pending_space)
        } else {
            indent
        };
        isize::try_from(width).unwrap_or(isize::MAX) - isize::try_from(used).unwrap_or(isize::MAX)
    }

    fn text(&mut self, indent: usize, s: &str) {
        if s.is_empty() {
            return;
        }
        if self.need_newline {
            self.newline();
        }
        if !self.has_content {
            self.write_indent(indent);
        } else if self.pending_space {
            self.out.push(' ');
            self.col += 1;
        }
        self.pending_space = false;
        self.out.push_str(s);
        self.col += s.chars().count();
        self.has_content = true;
    }

    fn space(&mut self) {
        if self.has_content && !self.need_newline {
            self.pending_space = true;
        }
    }

    fn comment(&mut self, indent: usize, text: &str, trailing: bool) {
        if self.need_newline || (!trailing && self.has_content) {
            self.newline();
        }
        if self.has_content {
            self.out.push(' ');
        } else {
            self.write_indent(indent);
        }
        self.out.push_str(text);
        self.col += text.chars().count() + 1;
        self.has_content = true;
        self.pending_space = false;
        self.need_newline = true;
    }

    fn newline(&mut self) {
        let trimmed = self.out.trim_end_matches([' ', '\t']).len();
        self.out.truncate(trimmed);
        self.out.push('\n');
        self.col = 0;
        self.has_content = false;
        self.pending_space = false;
        self.need_newline = false;
    }

    fn write_indent(&mut self, indent: usize) {
        self.out.extend(std::iter::repeat_n(' ', indent));
        self.col = indent;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&'static str]) -> Doc {
        let mut inner = vec![Doc::SoftLine];
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                inner.extend([Doc::str(","), Doc::Line]);
            }
            inner.push(Doc::str(item));
        }
        inner.push(Doc::IfBreak(","));
        Doc::group(Doc::concat(vec![
            Doc::str("["),
            Doc::indent(Doc::concat(inner)),
            Doc::SoftLine,
            Doc::str("]"),
        ]))
    }

    #[test]
    fn a_group_that_fits_stays_flat() {
        assert_eq!(print(&list(&["a", "b"]), 10), "[a, b]");
    }

    #[test]
    fn a_group_that_does_not_fit_breaks_with_a_trailing_comma() {
        assert_eq!(
            print(&list(&["aaaa", "bbbb"]), 10),
            "[\n  aaaa,\n  bbbb,\n]"
        );
    }

    #[test]
    fn text_after_a_comment_starts_a_new_line() {
        let doc = Doc::concat(vec![
            Doc::str("a"),
            Doc::Comment {
                text: "// c".into(),
                trailing: true,
            },
            Doc::Space,
            Doc::str("b"),
        ]);
        assert_eq!(print(&doc, 80), "a // c\nb");
    }

    #[test]
    fn spaces_never_end_a_line() {
        let doc = Doc::concat(vec![
            Doc::str("a"),
            Doc::Space,
            Doc::HardLine,
            Doc::Space,
            Doc::str("b"),
        ]);
        assert_eq!(print(&doc, 80), "a\nb");
    }
}
