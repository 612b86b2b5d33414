//! Text bound for a terminal (or any text output a person reads): control characters made
//! visible.
//!
//! File names, evidence values and messages come from the bundle, so they may hold escape
//! sequences (`ESC [ 2 J` clears the screen, OSC 8 forges links, a carriage return
//! overwrites a line) or bidirectional overrides that reorder what is shown. Every text
//! output of vouch (`vouch graph`'s dot and Mermaid, `vouch explain`, diagnostics and
//! summaries on stderr, the Markdown report) passes untrusted text through [`push_escaped`]
//! or the functions built on it, so such characters are shown as `\xNN` or `\u{NNNN}`
//! instead of acting.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must not reach a terminal as is: C0 and C1 controls and DEL (tab, newline
/// and carriage return included; callers that keep line breaks say so), and the Unicode
/// bidirectional formatting characters.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Appends the visible form of one unsafe character: `\xNN` below U+0100, `\u{NNNN}` above.
pub fn push_escaped(out: &mut String, c: char) {
    let code = u32::from(c);
    if code < 0x100 {
        let _ = write!(out, "\\x{code:02x}");
    } else {
        let _ = write!(out, "\\u{{{code:04x}}}");
    }
}

fn escape(text: &str, keep: fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_unsafe(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) && !keep(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` for one line of output: every control character escaped, line breaks and tabs
/// too, so a name cannot start a line of its own.
pub fn escape_line(text: &str) -> Cow<'_, str> {
    escape(text, |_| false)
}

/// `text` for a block of lines: control characters escaped, but newlines and tabs kept.
pub fn escape_block(text: &str) -> Cow<'_, str> {
    escape(text, |c| matches!(c, '\n' | '\t'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible() {
        assert_eq!(escape_line("a\u{1b}[2Jb"), "a\\x1b[2Jb");
        assert_eq!(escape_line("x\ny\rz\t"), "x\\x0ay\\x0dz\\x09");
        assert_eq!(escape_line("\u{7f}\u{9b}"), "\\x7f\\x9b");
        assert_eq!(escape_line("evil\u{202e}txt.exe"), "evil\\u{202e}txt.exe");
        assert_eq!(escape_block("a\nb\tc\u{7}"), "a\nb\tc\\x07");
        assert!(matches!(escape_line("plain ünïcode"), Cow::Borrowed(_)));
    }
}
