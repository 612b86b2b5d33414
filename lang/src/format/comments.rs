//! Where comments go: a cursor over the module's comments, and the few facts about the source
//! text around them that the layout rules need.
//!
//! The formatter walks the AST in source order and, before printing each node or closing token,
//! takes every comment that starts before it ([`Comments::take_before`]). So every comment is
//! printed exactly once and in source order, between the same two nodes as in the source.

use super::doc::Doc;
use crate::ast::Comment;

/// The comments not yet printed, and the source they come from.
pub(super) struct Comments<'a> {
    text: &'a str,
    list: &'a [Comment],
    next: usize,
}

impl<'a> Comments<'a> {
    pub(super) fn new(text: &'a str, list: &'a [Comment]) -> Self {
        Comments {
            text,
            list,
            next: 0,
        }
    }

    /// Takes every comment not yet printed that starts before byte `pos`.
    pub(super) fn take_before(&mut self, pos: usize) -> &'a [Comment] {
        let first = self.next;
        while self.list.get(self.next).is_some_and(|c| c.span.start < pos) {
            self.next += 1;
        }
        self.list.get(first..self.next).unwrap_or_default()
    }

    /// Whether a comment not yet printed starts before byte `pos`.
    pub(super) fn any_before(&self, pos: usize) -> bool {
        self.list.get(self.next).is_some_and(|c| c.span.start < pos)
    }

    /// Takes every comment not yet printed.
    pub(super) fn take_rest(&mut self) -> &'a [Comment] {
        self.take_before(usize::MAX)
    }

    /// The comments before `pos`, as documents to print inline (inside an expression or a
    /// statement, where blank lines are not kept).
    pub(super) fn gap(&mut self, pos: usize) -> Doc {
        let taken = self.take_before(pos);
        if taken.is_empty() {
            return Doc::Nil;
        }
        Doc::concat(taken.iter().map(|c| self.doc(c)).collect())
    }

    /// A comment as a document.
    pub(super) fn doc(&self, comment: &Comment) -> Doc {
        Doc::Comment {
            text: comment.text.trim_end().to_string(),
            trailing: self.is_trailing(comment),
        }
    }

    /// Whether code precedes the comment on its line.
    pub(super) fn is_trailing(&self, comment: &Comment) -> bool {
        let before = self.text.get(..comment.span.start).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        !before
            .get(line_start..)
            .unwrap_or_default()
            .trim()
            .is_empty()
    }

    /// Whether the source has a blank line between bytes `from` and `to`.
    pub(super) fn blank_between(&self, from: usize, to: usize) -> bool {
        self.text
            .get(from..to)
            .is_some_and(|s| s.matches('\n').nth(1).is_some())
    }

    /// The offset of the first token at or after `pos`, skipping whitespace and comments.
    pub(super) fn skip_trivia(&self, mut pos: usize) -> usize {
        while let Some(rest) = self.text.get(pos..) {
            let token = rest.trim_start_matches([' ', '\t', '\r', '\n']);
            pos += rest.len() - token.len();
            if !token.starts_with("//") {
                break;
            }
            pos += token.find('\n').unwrap_or(token.len());
        }
        pos
    }

    /// Whether the token at `pos` is `c`.
    pub(super) fn is_at(&self, pos: usize, c: char) -> bool {
        self.text.get(pos..).is_some_and(|rest| rest.starts_with(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comments(text: &str) -> Vec<Comment> {
        crate::scan::scan(text).comments
    }

    #[test]
    fn takes_comments_in_order_and_once() {
        let text = "a // one\n// two\nb // three\n";
        let list = comments(text);
        let mut c = Comments::new(text, &list);
        assert_eq!(c.take_before(9).len(), 1);
        assert_eq!(c.take_before(9).len(), 0);
        assert_eq!(c.take_rest().len(), 2);
        assert!(c.take_rest().is_empty());
    }

    #[test]
    fn tells_trailing_from_leading_comments() {
        let text = "a // one\n  // two\n";
        let list = comments(text);
        let c = Comments::new(text, &list);
        let trailing: Vec<bool> = list.iter().map(|x| c.is_trailing(x)).collect();
        assert_eq!(trailing, [true, false]);
    }

    #[test]
    fn skips_whitespace_and_comments() {
        let text = "a  // x\n\t// y\n }";
        let list = comments(text);
        let c = Comments::new(text, &list);
        assert_eq!(c.skip_trivia(1), text.len() - 1);
        assert!(c.is_at(c.skip_trivia(1), '}'));
        assert!(c.blank_between(0, text.len()));
        assert!(!c.blank_between(0, 5));
    }
}
