//! From source text to the AST: the pest grammar, error recovery and the conversion of pest
//! pairs into [`crate::ast`] types (in [`build`] and [`expr`], the only modules that see pest).

mod build;
#[cfg(test)]
pub(crate) use build::KEYWORDS;
mod expr;
mod parallel;
mod syntax_error;

use pest::Parser as _;

use crate::ast::Module;
use crate::diagnostic::{Code, Diagnostic};
use crate::scan::{MAX_NESTING, scan};
use crate::source::Source;
use crate::span::Span;

/// The pest parser generated from `grammar.pest`.
#[derive(pest_derive::Parser)]
#[grammar = "grammar.pest"]
pub(crate) struct PolicyParser;

/// The most syntax errors reported for one file.
const MAX_SYNTAX_ERRORS: usize = 50;

/// Parses one policy source into a [`Module`], or returns every syntax error found.
///
/// Never panics and never recurses deeper than a fixed bound, whatever the input.
pub fn parse(source: &Source) -> Result<Module, Vec<Diagnostic>> {
    parse_with(source, true)
}

/// [`parse`], on one thread unless `parallel` allows more.
fn parse_with(source: &Source, parallel: bool) -> Result<Module, Vec<Diagnostic>> {
    let text = source.text();
    let scanned = scan(text);
    if let Some(span) = scanned.too_deep {
        return Err(vec![
            Diagnostic::error(
                Code::TooDeep,
                source.clone(),
                span,
                "brackets nest too deeply",
            )
            .with_label(span, format!("more than {MAX_NESTING} levels deep here"))
            .with_help("split the expression with `let` bindings or separate controls"),
        ]);
    }
    if let Some(result) = parallel
        .then(|| parallel::parse(source, &scanned.comments))
        .flatten()
    {
        return result.map(|items| Module {
            items,
            comments: scanned.comments,
        });
    }
    match PolicyParser::parse(Rule::file, text) {
        Ok(mut pairs) => {
            let builder = build::Builder::new(source, &scanned.comments, 0);
            let items = pairs.next().map(|file| builder.items(file));
            let diags = builder.finish();
            match items {
                Some(items) if diags.is_empty() => Ok(Module {
                    items,
                    comments: scanned.comments,
                }),
                _ if diags.is_empty() => Err(vec![internal(source, "the parser produced no file")]),
                _ => Err(diags),
            }
        }
        Err(first) => {
            let mut diags = recover(source, first);
            if let Some(open) = scanned.unclosed {
                for diag in diags
                    .iter_mut()
                    .filter(|d| d.span().start >= text.trim_end().len())
                {
                    let bracket = source.slice(open).to_string();
                    *diag = diag
                        .clone()
                        .with_label(open, format!("this `{bracket}` is never closed"))
                        .with_help(format!("close the `{bracket}` opened here"));
                }
            }
            Err(diags)
        }
    }
}

/// After a syntax error, parses each top-level item on its own (items start at column 0 with
/// `policy`, `use`, `import`, `param` or `control`), so one run reports the first error of every
/// broken item rather than only the first of the file.
fn recover(source: &Source, first: pest::error::Error<Rule>) -> Vec<Diagnostic> {
    // Re-parse with pest's error detail (what it expected at the farthest point), which costs
    // too much to keep on for files that parse. The switch is process-wide: the lock keeps two
    // recoveries from turning it off under each other; a clean parse that runs meanwhile is
    // only slower, never different.
    static DETAIL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = DETAIL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    pest::set_error_detail(true);
    let diags = recover_detailed(source, first);
    pest::set_error_detail(false);
    diags
}

fn recover_detailed(source: &Source, first: pest::error::Error<Rule>) -> Vec<Diagnostic> {
    let text = source.text();
    let starts = item_starts(text);
    let mut diags = Vec::new();
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        let Some(chunk) = text.get(start..end) else {
            continue;
        };
        if let Err(err) = PolicyParser::parse(Rule::file, chunk) {
            diags.push(syntax_error::to_diagnostic(source, &err, start));
            if diags.len() >= MAX_SYNTAX_ERRORS {
                break;
            }
        }
    }
    if diags.is_empty() {
        diags.push(syntax_error::to_diagnostic(source, &first, 0));
    }
    diags
}

/// Byte offsets where a top-level item may start: 0, and every line that begins with an item
/// keyword at column 0.
pub(super) fn item_starts(text: &str) -> Vec<usize> {
    const KEYWORDS: [&str; 5] = ["policy", "use", "import", "param", "control"];
    let mut starts = vec![0];
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let is_item = KEYWORDS.iter().any(|kw| {
            line.strip_prefix(kw)
                .is_some_and(|rest| rest.starts_with([' ', '\t', '"']))
        });
        if is_item && offset > 0 {
            starts.push(offset);
        }
        offset += line.len();
    }
    starts
}

fn internal(source: &Source, what: &str) -> Diagnostic {
    Diagnostic::error(
        Code::Syntax,
        source.clone(),
        Span::point(0),
        format!("internal parser error: {what}"),
    )
    .with_help("this is a bug in vouch; please report it with the policy that caused it")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A policy well over the size where parsing goes parallel.
    fn big_policy(broken: bool) -> String {
        let mut text = String::from(
            "/// Big.\npolicy \"big\" {\n  title = \"Big\"\n  framework = \"uk-sscop\"\n}\n\n",
        );
        for i in 0..800 {
            text.push_str(&format!(
                "// control {i}\n/// Doc {i}.\ncontrol \"C-{i}\" {{\n  title = \"Control {i}\"\n  provision = [\"3.1\"]\n  severity = high\n  for a in release.artifacts where a.size > {i} {{\n    expect any(s in a.signatures: s.verified) // why\n      else \"{{a.path}} is unsigned ({i})\"\n  }} when empty: pass\n}}\n\n"
            ));
            if broken && i == 600 {
                text.push_str("control \"BROKEN\" {\n  title = \n}\n\n");
            }
        }
        text
    }

    #[test]
    fn parallel_parse_equals_sequential_parse() {
        let text = big_policy(false);
        assert!(text.len() > 2 * 64 * 1024);
        let source = Source::new("big.vouch", text);
        let sequential = parse_with(&source, false).unwrap();
        assert_eq!(
            parse_with(&source, true).unwrap(),
            sequential,
            "same AST, spans and comments"
        );
        let pieces = parallel::parse(&source, &scan(source.text()).comments);
        if std::thread::available_parallelism().map_or(1, usize::from) > 1 {
            assert!(pieces.is_some(), "a file this large is parsed in pieces");
        } else {
            eprintln!("one core: the parallel path is not taken here");
        }
    }

    #[test]
    fn parallel_parse_of_a_broken_file_reports_as_sequential() {
        let source = Source::new("big.vouch", big_policy(true));
        let sequential = parse_with(&source, false).unwrap_err();
        assert_eq!(parse_with(&source, true).unwrap_err(), sequential);
        assert_eq!(sequential.len(), 1);
    }
}
