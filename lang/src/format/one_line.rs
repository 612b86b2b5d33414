//! Policy source text on one line, for messages that quote an expression.

use std::borrow::Cow;

/// Policy source text on one line, for traces and a finding's `values`: a formatter-wrapped
/// expression (`any(\n  s in scans:\n    ...\n)`) reads as it would be written on one
/// line, `any(s in scans: ...)`. Text without a line break is returned as it is.
pub fn one_line(text: &str) -> Cow<'_, str> {
    if !text.contains('\n') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.trim().chars().peekable();
    // Inside a string literal, text is kept as written.
    let mut in_string = false;
    let mut escaped = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
            continue;
        }
        if !c.is_whitespace() {
            in_string = c == '"';
            out.push(c);
            continue;
        }
        let mut broke = c == '\n';
        while let Some(&n) = chars.peek().filter(|n| n.is_whitespace()) {
            broke |= n == '\n';
            chars.next();
        }
        if !broke {
            out.push(c);
            continue;
        }
        // A line break inside brackets, or before a closing one, is no space at all; and a
        // trailing comma before a closing bracket goes with it.
        let next = chars.peek().copied();
        if matches!(next, Some(')' | ']' | '}')) {
            if out.ends_with(',') {
                out.pop();
            }
        } else if !out.ends_with(['(', '[', '{']) {
            out.push(' ');
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn wrapped_expressions_read_as_one_line() {
        assert_eq!(one_line("a.b == c"), "a.b == c");
        assert_eq!(
            one_line("any(\n    s in scans:\n      s.x <= 1 and\n        s.y\n  )"),
            "any(s in scans: s.x <= 1 and s.y)"
        );
        assert_eq!(one_line("[\n  \"a\",\n  \"b\",\n]"), "[\"a\", \"b\"]");
        assert_eq!(one_line("\"two  spaces\"\n"), "\"two  spaces\"");
        assert_eq!(
            one_line("f(\"a\\\"\n  b\",\n  c)"),
            "f(\"a\\\"\n  b\", c)",
            "a string keeps its line break, even after an escaped quote"
        );
    }
}
