//! A lexical pre-pass over a policy source: collects comments for the formatter and rejects
//! nesting deeper than the parser can take without risking its stack.

use crate::ast::Comment;
use crate::span::Span;

/// The deepest nesting of brackets, braces and interpolations a policy may use.
pub const MAX_NESTING: usize = 64;

/// What the scanner found.
#[derive(Debug, Default)]
pub struct Scan {
    /// Every comment, in source order.
    pub comments: Vec<Comment>,
    /// The first bracket that nests deeper than [`MAX_NESTING`].
    pub too_deep: Option<Span>,
    /// The innermost bracket still open at the end of the text.
    pub unclosed: Option<Span>,
}

enum Frame {
    Bracket(char, usize),
    Interp,
    Str,
}

/// Scans `text` once, in linear time and constant stack.
///
/// Works on bytes: every character it looks for is ASCII, and the bytes of a multi-byte UTF-8
/// character are never ASCII, so they can be stepped over one by one.
pub fn scan(text: &str) -> Scan {
    let mut out = Scan::default();
    let mut stack: Vec<Frame> = Vec::new();
    let mut depth = 0usize;
    let bytes = text.as_bytes();
    let mut i = 0;
    loop {
        // Step straight to the next byte that can matter in the current state: most of a
        // policy is names, white space and string text, which the scan has nothing to do with.
        let in_str = matches!(stack.last(), Some(Frame::Str));
        let rest = bytes.get(i..).unwrap_or_default();
        let next = if in_str {
            rest.iter()
                .position(|&c| matches!(c, b'\\' | b'"' | b'\n' | b'{'))
        } else {
            rest.iter()
                .position(|&c| matches!(c, b'/' | b'"' | b'(' | b'[' | b'{' | b')' | b']' | b'}'))
        };
        let Some(skip) = next else { break };
        i += skip;
        let Some(&b) = bytes.get(i) else { break };
        if in_str {
            match b {
                b'\\' => i += 1,
                b'"' | b'\n' => {
                    stack.pop();
                }
                b'{' => push(&mut stack, &mut depth, Frame::Interp, i, &mut out),
                _ => {}
            }
            i += 1;
            continue;
        }
        match b {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = bytes
                    .get(i..)
                    .and_then(|rest| rest.iter().position(|&c| c == b'\n'))
                    .map_or(bytes.len(), |n| i + n);
                let comment = text.get(i..end).unwrap_or("").trim_end_matches('\r');
                out.comments.push(Comment {
                    text: comment.to_string(),
                    span: Span::new(i, i + comment.len()),
                });
                i = end;
                continue;
            }
            b'"' => stack.push(Frame::Str),
            b'(' | b'[' | b'{' => push(
                &mut stack,
                &mut depth,
                Frame::Bracket(char::from(b), i),
                i,
                &mut out,
            ),
            b')' | b']' | b'}' => close(&mut stack, &mut depth, char::from(b)),
            _ => {}
        }
        i += 1;
    }
    out.unclosed = stack.iter().rev().find_map(|f| match f {
        Frame::Bracket(_, at) => Some(Span::new(*at, *at + 1)),
        _ => None,
    });
    out
}

/// Closes the innermost frame that `closer` matches, and every unclosed frame inside it, so
/// one missing bracket does not count as nesting for the rest of the file.
fn close(stack: &mut Vec<Frame>, depth: &mut usize, closer: char) {
    let opener = match closer {
        ')' => '(',
        ']' => '[',
        _ => '{',
    };
    let matches = |f: &Frame| match f {
        Frame::Bracket(c, _) => *c == opener,
        Frame::Interp => opener == '{',
        Frame::Str => false,
    };
    let floor = stack
        .iter()
        .rposition(|f| matches!(f, Frame::Str))
        .map_or(0, |s| s + 1);
    let Some(at) = stack
        .get(floor..)
        .and_then(|frames| frames.iter().rposition(matches))
    else {
        return;
    };
    let at = floor + at;
    *depth = depth.saturating_sub(stack.len() - at);
    stack.truncate(at);
}

fn push(stack: &mut Vec<Frame>, depth: &mut usize, frame: Frame, at: usize, out: &mut Scan) {
    stack.push(frame);
    *depth += 1;
    if *depth > MAX_NESTING && out.too_deep.is_none() {
        out.too_deep = Some(Span::new(at, at + 1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_comments_outside_strings() {
        let s = scan("// one\nx = \"a // not\" // two\n/// doc\n");
        let texts: Vec<_> = s.comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["// one", "// two", "/// doc"]);
        assert!(s.too_deep.is_none());
    }

    #[test]
    fn flags_deep_nesting_at_the_first_bracket_too_deep() {
        let text = "(".repeat(MAX_NESTING + 5);
        let s = scan(&text);
        assert_eq!(s.too_deep, Some(Span::new(MAX_NESTING, MAX_NESTING + 1)));
    }

    #[test]
    fn interpolation_counts_as_nesting() {
        let text = format!("\"{}\"", "{\"".repeat(MAX_NESTING + 1));
        assert!(scan(&text).too_deep.is_some());
    }
}
