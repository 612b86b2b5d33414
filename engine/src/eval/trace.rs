//! The evaluation trace of one control, as `vouch explain` prints it.

use std::fmt::Write as _;

use crate::report::ControlResult;

/// One line of a trace, indented by `depth`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TraceLine {
    /// Nesting: loops and their elements indent what they run.
    pub depth: usize,
    /// What happened.
    pub text: String,
    /// What the line records, for tools (`vouch test --coverage`): an `expect` or a `where`
    /// examined, with its outcome; absent on a line only for the reader.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<Step>,
}

impl TraceLine {
    /// A line only for the reader.
    pub fn text(depth: usize, text: String) -> Self {
        TraceLine {
            depth,
            text,
            step: None,
        }
    }
}

/// A step of the evaluation a trace line records, in JSON `{"kind": "expect" | "where", "at":
/// "SOURCE:LINE", ...}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Step {
    /// An `expect` examined once.
    Expect {
        /// `SOURCE:LINE` of the `expect`.
        at: String,
        /// Whether it held; `null` when the condition is none (unknown: it fails).
        held: Option<bool>,
    },
    /// A loop's `where` examined for one element.
    Where {
        /// `SOURCE:LINE` of the `where`'s condition.
        at: String,
        /// Whether the element was kept (its body run); `false` left out; `null` when the
        /// condition is none (unknown: the element fails).
        kept: Option<bool>,
    },
}

/// How one control was evaluated: each loop element bound, each expectation with the values
/// it compared, and the result (with waivers applied).
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// The result, as the report has it.
    pub result: ControlResult,
    /// What happened, in evaluation order.
    pub lines: Vec<TraceLine>,
}

impl Trace {
    /// The trace as JSON (`vouch explain --format json`): `schema` `vouch-explain/1`, the
    /// control's `result` as the JSON report has it (with `pass_evidence` for a pass), and
    /// every `step` in evaluation order, each `{depth, text}`, with `step` (a [`Step`]) on the
    /// lines of an `expect` or a `where` examined: under an `expect` that held,
    /// `read PATH (LOCATION) sha256 HEX` lines name the evidence records it read.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "schema": "vouch-explain/1",
            "result": self.result,
            "steps": self.lines,
        })
    }

    /// The trace as readable text, ending with a newline.
    ///
    /// Text from the policy and the evidence goes through [`crate::terminal::escape_line`], so
    /// a file name cannot act on the terminal or forge a line of the trace.
    pub fn to_text(&self) -> String {
        use crate::terminal::escape_line as esc;
        let r = &self.result;
        let mut out = String::new();
        let _ = writeln!(out, "control {}: {}", esc(&r.id), esc(&r.title));
        let _ = writeln!(
            out,
            "  declared at {}; severity {}; provisions {}",
            esc(&r.source),
            esc(&r.severity),
            esc(&r.provisions.join(", "))
        );
        out.push('\n');
        for line in &self.lines {
            let _ = writeln!(out, "{}{}", "  ".repeat(line.depth + 1), esc(&line.text));
        }
        if self.lines.is_empty() {
            out.push_str("  (nothing was evaluated)\n");
        }
        out.push('\n');
        let _ = writeln!(out, "result: {}", r.status.as_str());
        if let Some(reason) = &r.reason {
            let _ = writeln!(out, "  {}", esc(reason));
        }
        if let Some(p) = &r.pass_evidence {
            if let Some(why) = &p.vacuous {
                if p.evidence.is_empty() {
                    let _ = writeln!(out, "  passed without evidence: {}", esc(why));
                } else {
                    let _ = writeln!(out, "  {}", esc(why));
                }
            }
            for e in &p.evidence {
                let _ = writeln!(
                    out,
                    "  evidence {}{} sha256 {}: {} (read by {})",
                    esc(&e.at.path),
                    e.at.location
                        .as_deref()
                        .map(|l| format!(" ({})", esc(l)))
                        .unwrap_or_default(),
                    e.at.sha256,
                    esc(&e.checked),
                    esc(&e.expect)
                );
            }
            if p.evidence_omitted > 0 {
                let _ = writeln!(out, "  and {} more evidence record(s)", p.evidence_omitted);
            }
        }
        for (i, f) in r.findings.iter().enumerate() {
            let _ = writeln!(out, "finding {}: {}", i + 1, esc(&f.message));
            let _ = writeln!(out, "  at {}", esc(&f.expect));
            let _ = write!(out, "  fingerprint {}", esc(&f.fingerprint));
            if let Some(subject) = &f.subject {
                let _ = write!(out, ", subject {}", esc(subject));
            }
            if f.missing_evidence {
                out.push_str(" (missing evidence)");
            }
            out.push('\n');
            if let Some(w) = &f.waived_by {
                let _ = writeln!(out, "  waived by {}", esc(w));
            }
            for e in &f.evidence {
                let location = e
                    .location
                    .as_deref()
                    .map(|l| format!(" ({})", esc(l)))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "  evidence {}{location} sha256 {}",
                    esc(&e.path),
                    e.sha256
                );
            }
        }
        if r.findings_omitted > 0 {
            let _ = writeln!(
                out,
                "and {} more finding(s), not listed: `vouch explain {} --all-findings` lists every one",
                r.findings_omitted,
                esc(&r.id)
            );
        }
        out
    }
}
