//! `vouch test --format junit`: JUnit XML as GitLab and Jenkins read it, valid against
//! Jenkins' `junit-10.xsd` (the schema the report renderer is checked against).
//!
//! `<testsuites name="vouch test">` holds one `<testsuite>` per test file (named by its path),
//! and in it one `<testcase>` per expectation (`classname` the test file, `name` the control
//! id, `exit_code` or `waiver_states`); an unmet expectation has a `<failure>` whose message
//! says what differs and whose body lists the control's findings. Times are `0`.

use std::fmt::Write as _;

use super::TestResult;

/// Renders the results as a JUnit XML document.
pub fn render(results: &[TestResult]) -> String {
    let tests: usize = results.iter().map(|r| r.outcomes.len()).sum();
    let failures: usize = results
        .iter()
        .map(|r| r.outcomes.iter().filter(|o| o.failure.is_some()).count())
        .sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"vouch test\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" time=\"0\">"
    );
    for r in results {
        let name = attr(r.spec.source.name());
        let failed = r.outcomes.iter().filter(|o| o.failure.is_some()).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{name}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\" time=\"0\">",
            r.outcomes.len()
        );
        for o in &r.outcomes {
            let case = attr(&o.name);
            match &o.failure {
                None => {
                    let _ = writeln!(
                        out,
                        "    <testcase classname=\"{name}\" name=\"{case}\" time=\"0\"/>"
                    );
                }
                Some(why) => {
                    let _ = writeln!(
                        out,
                        "    <testcase classname=\"{name}\" name=\"{case}\" time=\"0\">"
                    );
                    let mut body = String::new();
                    for f in &o.findings {
                        let _ = writeln!(body, "finding: {f}");
                    }
                    if let Some(reason) = &o.reason {
                        let _ = writeln!(body, "reason: {reason}");
                    }
                    let _ = writeln!(
                        out,
                        "      <failure message=\"{}\" type=\"expectation\">{}</failure>",
                        attr(why),
                        text(&body)
                    );
                    out.push_str("    </testcase>\n");
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// `s` as XML character data: markup escaped, and characters XML 1.0 cannot hold (controls
/// other than tab, newline and carriage return) written as `\u{..}`.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// `s` as an XML attribute value (between double quotes); newlines kept as references.
fn attr(s: &str) -> String {
    text(s)
        .replace('"', "&quot;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
        .replace('\t', "&#9;")
}

#[cfg(test)]
mod tests {
    use super::{attr, text};

    #[test]
    fn escapes() {
        assert_eq!(text("a<b>&c\u{1}"), "a&lt;b&gt;&amp;c\\u{1}");
        assert_eq!(attr("\"x\"\n"), "&quot;x&quot;&#10;");
    }
}
