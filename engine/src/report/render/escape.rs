//! Escaping of untrusted report text for each output format.
//!
//! Report text (messages, titles, paths, values) comes from evidence and policies, so none of
//! it may be able to change the structure of the document it lands in. Each function appends
//! the escaped form of `text` to `out`, so callers build one `String` without temporaries.

/// Appends `text` escaped for HTML text and double- or single-quoted attribute values.
/// Control characters other than tab and newline become U+FFFD.
pub(crate) fn html(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if is_control(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// Appends `text` escaped for XML 1.0 character data. Characters XML 1.0 does not allow at
/// all (C0 controls other than tab, newline and carriage return; U+FFFE, U+FFFF) become
/// U+FFFD; carriage returns are written as `&#13;` so parsers keep them.
pub(crate) fn xml_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            c if xml_forbidden(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// Appends `text` escaped for a double-quoted XML 1.0 attribute value. Tab, newline and
/// carriage return are written as character references, because attribute-value
/// normalisation would otherwise turn them into spaces.
pub(crate) fn xml_attr(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if xml_forbidden(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// Appends `text` as inline Markdown that renders literally: Markdown punctuation that can
/// start emphasis, code, links, images, strikethrough or a table cell boundary is
/// backslash-escaped (`(` and `)` need not be, since `[` and `]` are), `&`, `<` and `>` become
/// entities (so no raw HTML or autolink), line breaks become spaces, and a leading list,
/// heading or setext marker is escaped (so no block structure); control and bidirectional
/// formatting characters are shown as `\xNN` / `\u{NNNN}` (see [`crate::terminal`]).
pub(crate) fn markdown(out: &mut String, text: &str) {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    // A list marker counts only when a blank or the end of the text follows it.
    let marker_at = |i: usize| {
        text.get(i + 1..)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
    };
    let mut prev: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|(_, n)| *n);
        // An underscore between two alphanumerics cannot open or close emphasis.
        let intraword = c == '_'
            && prev.is_some_and(char::is_alphanumeric)
            && next.is_some_and(char::is_alphanumeric);
        prev = Some(c);
        let at_start = i == 0 && matches!(c, '-' | '+') && marker_at(i);
        let after_number = digits > 0 && i == digits && matches!(c, '.' | ')') && marker_at(i);
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '_' if intraword => out.push('_'),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            _ if at_start || after_number => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            c if c != '\t' && crate::terminal::is_unsafe(c) => {
                // `\xNN` shown literally: the backslash itself escaped for Markdown.
                out.push('\\');
                crate::terminal::push_escaped(out, c);
            }
            c => out.push(c),
        }
    }
}

/// The pieces of policy prose (a rationale, a remediation): text, and the `` `code` `` spans
/// policy authors write commands in. Unpaired backticks leave the whole text as text.
fn prose_pieces(text: &str) -> Vec<(bool, &str)> {
    if !text.matches('`').count().is_multiple_of(2) {
        return vec![(false, text)];
    }
    text.split('`')
        .enumerate()
        .filter(|(_, piece)| !piece.is_empty())
        .map(|(i, piece)| (i % 2 == 1, piece))
        .collect()
}

/// Appends policy prose as Markdown: its `` `code` `` spans as code spans (on one line, so no
/// block structure can start inside one), everything else escaped as [`markdown`] does.
pub(crate) fn markdown_prose(out: &mut String, text: &str) {
    for (is_code, piece) in prose_pieces(text) {
        if is_code {
            out.push('`');
            for c in piece.chars() {
                match c {
                    '\r' | '\n' => out.push(' '),
                    c if c != '\t' && crate::terminal::is_unsafe(c) => {
                        crate::terminal::push_escaped(out, c);
                    }
                    c => out.push(c),
                }
            }
            out.push('`');
        } else {
            markdown(out, piece);
        }
    }
}

/// Appends policy prose as HTML: its `` `code` `` spans as `<code>`, all text escaped.
pub(crate) fn html_prose(out: &mut String, text: &str) {
    for (is_code, piece) in prose_pieces(text) {
        if is_code {
            out.push_str("<code>");
            html(out, piece);
            out.push_str("</code>");
        } else {
            html(out, piece);
        }
    }
}

/// Appends a bundle-relative path as a URI reference: every byte outside RFC 3986's
/// unreserved set and `/` is percent-encoded, so spaces, `#`, `?` and non-ASCII survive.
pub(crate) fn uri_path(out: &mut String, path: &str) {
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(hex_digit(b >> 4).to_ascii_uppercase());
            out.push(hex_digit(b & 0x0f).to_ascii_uppercase());
        }
    }
}

/// `path` as a URI reference (see [`uri_path`]).
pub(crate) fn uri_path_string(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    uri_path(&mut out, path);
    out
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(hex_digit(b >> 4));
        out.push(hex_digit(b & 0x0f));
    }
    out
}

fn hex_digit(nibble: u8) -> char {
    char::from_digit(u32::from(nibble & 0x0f), 16).unwrap_or('0')
}

/// C0 and C1 controls and DEL, other than tab, newline and carriage return.
fn is_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Characters that may not appear in an XML 1.0 document, even as references; also the C1
/// controls and DEL, which XML 1.0 allows but discourages.
fn xml_forbidden(c: char) -> bool {
    is_control(c) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_keeps_code_spans_and_escapes_the_rest() {
        assert_eq!(
            run(markdown_prose, "Run `sha256sum * > SUMS` then *sign*"),
            "Run `sha256sum * > SUMS` then \\*sign\\*"
        );
        assert_eq!(
            run(markdown_prose, "`a\n# b`"),
            "`a # b`",
            "no block starts inside a code span"
        );
        assert_eq!(run(markdown_prose, "odd ` tick"), "odd \\` tick");
        assert_eq!(
            run(html_prose, "Use `a<b>` & go"),
            "Use <code>a&lt;b&gt;</code> &amp; go"
        );
    }

    fn run(f: fn(&mut String, &str), s: &str) -> String {
        let mut out = String::new();
        f(&mut out, s);
        out
    }

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            run(html, "<a href=\"x\" onclick='y'>&</a>\u{0}"),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;\u{FFFD}"
        );
    }

    #[test]
    fn xml_replaces_characters_xml_forbids() {
        assert_eq!(
            run(xml_text, "a\u{1}b\u{FFFF}]]>\r"),
            "a\u{FFFD}b\u{FFFD}]]&gt;&#13;"
        );
        assert_eq!(run(xml_attr, "\"x\"\n\t"), "&quot;x&quot;&#10;&#9;");
    }

    #[test]
    fn markdown_neutralises_tables_links_and_html() {
        assert_eq!(
            run(markdown, "a|b [x](javascript:y) <b>*c*</b>\nd"),
            "a\\|b \\[x\\](javascript:y) &lt;b&gt;\\*c\\*&lt;/b&gt; d"
        );
        assert_eq!(run(markdown, "- a"), "\\- a");
        assert_eq!(run(markdown, "12. a 3. b"), "12\\. a 3. b");
        assert_eq!(run(markdown, "3.5"), "3.5");
        assert_eq!(run(markdown, "-x"), "-x");
        assert_eq!(
            run(markdown, "eol_announced _x_ a_"),
            "eol_announced \\_x\\_ a\\_"
        );
        assert_eq!(run(markdown, "# h"), "\\# h");
    }

    #[test]
    fn uri_paths_are_percent_encoded() {
        assert_eq!(
            uri_path_string("dist/a b#1?.tar.gz"),
            "dist/a%20b%231%3F.tar.gz"
        );
        assert_eq!(uri_path_string("é"), "%C3%A9");
        assert_eq!(hex(&[0, 0xab]), "00ab");
    }
}
