//! `vouch explain`: the evaluation trace of one control.

use std::io::Write as _;

use crate::evaluation::{EvalInputs, prepare};
use crate::exit::VouchExit;
use crate::render::plain_error;

/// What `vouch explain` does, as `vouch --help` and `vouch explain --help` say it.
pub const ABOUT: &str =
    "Show how one control was evaluated: bindings, compared values, why it passed or failed";

/// Arguments of `vouch explain`.
#[derive(Debug, clap::Args)]
#[command(about = ABOUT)]
pub struct ExplainArgs {
    /// The control id.
    control: String,
    /// List every finding of the control, each with its fingerprint, rather than the first
    /// 1,000 the report lists (to name findings past the report's cap in a waiver).
    #[arg(long)]
    all_findings: bool,
    /// `text` (readable) or `json`: the control's result (with the evidence a pass rests on)
    /// and every step of the trace, with the evidence records each `expect` that held read.
    #[arg(long, value_enum, default_value_t)]
    format: ExplainFormat,
    #[command(flatten)]
    inputs: EvalInputs,
}

/// How `vouch explain` prints the trace.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ExplainFormat {
    /// Readable text.
    #[default]
    Text,
    /// JSON (`vouch-explain/1`).
    Json,
}

/// Runs `vouch explain`: prints how the control was evaluated (each loop element, each
/// expectation with the values it compared, the result) and exits 0; 2 on a usage or input
/// error, including an unknown control id.
pub fn run(args: ExplainArgs) -> VouchExit {
    let Some(prepared) = prepare(&args.inputs) else {
        return VouchExit::Error;
    };
    let trace = vouch_engine::explain_with(
        &prepared.policy,
        &prepared.graph,
        &prepared.options,
        &args.control,
        args.all_findings,
    );
    let Some(trace) = trace else {
        let ids: Vec<&str> = prepared
            .policy
            .controls
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        let hint = match closest(&args.control, &ids) {
            Some(best) => format!("; did you mean `{best}`?"),
            None => format!(" (controls: {})", ids.join(", ")),
        };
        plain_error(
            &format!("the policy has no control `{}`{hint}", args.control),
            args.inputs.error_format,
        );
        return VouchExit::Error;
    };
    let text = match args.format {
        ExplainFormat::Text => trace.to_text(),
        ExplainFormat::Json => {
            let mut json = serde_json::to_string_pretty(&trace.to_json()).unwrap_or_default();
            json.push('\n');
            json
        }
    };
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => VouchExit::Success,
        Err(e) => {
            plain_error(
                &format!("cannot write to stdout: {e}"),
                args.inputs.error_format,
            );
            VouchExit::Error
        }
    }
}

/// The id nearest `wanted` by edit distance (case-insensitive), if it is close.
fn closest<'a>(wanted: &str, ids: &[&'a str]) -> Option<&'a str> {
    let wanted = wanted.to_lowercase();
    ids.iter()
        .map(|id| (distance(&wanted, &id.to_lowercase()), *id))
        .filter(|(d, id)| *d <= (id.chars().count() / 3).max(2))
        .min()
        .map(|(_, id)| id)
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(usize::MAX);
            let left = row.get(j).copied().unwrap_or(usize::MAX);
            let diag = prev + usize::from(ca != *cb);
            prev = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = diag.min(above + 1).min(left + 1);
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn suggests_near_ids() {
        let ids = ["ACME-SIGN", "ACME-TLS", "ACME-CHECKSUMS"];
        assert_eq!(super::closest("acme-sing", &ids), Some("ACME-SIGN"));
        assert_eq!(super::closest("NOPE-XYZ-123", &ids), None);
        assert_eq!(super::distance("kitten", "sitting"), 3);
    }
}
