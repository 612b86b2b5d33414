//! The evaluation trace of one control, as `vouch explain` prints it.

use std::fmt::Write as _;

use crate::report::ControlResult;

/// One line of a trace, indented by `depth`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceLine {
    /// Nesting: loops and their elements indent what they run.
    pub depth: usize,
    /// What happened.
    pub text: String,
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
    /// The trace as readable text, ending with a newline.
    pub fn to_text(&self) -> String {
        let r = &self.result;
        let mut out = String::new();
        let _ = writeln!(out, "control {}: {}", r.id, r.title);
        let _ = writeln!(
            out,
            "  declared at {}; severity {}; provisions {}",
            r.source,
            r.severity,
            r.provisions.join(", ")
        );
        out.push('\n');
        for line in &self.lines {
            let _ = writeln!(out, "{}{}", "  ".repeat(line.depth + 1), line.text);
        }
        if self.lines.is_empty() {
            out.push_str("  (nothing was evaluated)\n");
        }
        out.push('\n');
        let _ = writeln!(out, "result: {}", r.status.as_str());
        if let Some(reason) = &r.reason {
            let _ = writeln!(out, "  {reason}");
        }
        for (i, f) in r.findings.iter().enumerate() {
            let _ = writeln!(out, "finding {}: {}", i + 1, f.message);
            let _ = writeln!(out, "  at {}", f.expect);
            if let Some(w) = &f.waived_by {
                let _ = writeln!(out, "  waived by {w}");
            }
            for e in &f.evidence {
                let location = e
                    .location
                    .as_deref()
                    .map(|l| format!(" ({l})"))
                    .unwrap_or_default();
                let _ = writeln!(out, "  evidence {}{location} sha256 {}", e.path, e.sha256);
            }
        }
        out
    }
}
