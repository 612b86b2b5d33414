//! Turns pest's errors into diagnostics that name what was expected in the language's words.

use pest::error::{Error, ErrorVariant, InputLocation};

use super::Rule;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Source;
use crate::span::Span;

/// A diagnostic for a pest error in a chunk that starts at byte `offset` of `source`.
pub(super) fn to_diagnostic(source: &Source, err: &Error<Rule>, offset: usize) -> Diagnostic {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((start, _)) => start,
    } + offset;
    let text = source.text();
    let (found, len) = found_at(text, pos);
    let span = Span::new(pos, pos + len);
    let (message, expected) = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let expected = expected_list(positives);
            let what = if found.is_empty() { "end of file".to_string() } else { format!("`{found}`") };
            match &expected {
                Some(list) => (format!("expected {list}, found {what}"), expected),
                None => (format!("unexpected {what}"), None),
            }
        }
        ErrorVariant::CustomError { message } => (message.clone(), None),
    };
    let label = match expected {
        Some(_) if found.is_empty() => "the file ends here".to_string(),
        Some(_) => "unexpected here".to_string(),
        None => String::new(),
    };
    let mut diag = Diagnostic::error(Code::Syntax, source.clone(), span, message).with_label(span, label);
    if let Some(help) = help_for(err, text, pos) {
        diag = diag.with_help(help);
    }
    diag
}

/// The token at `pos` as shown, and its length in bytes: a word, or one character, or empty at
/// the end of the text.
fn found_at(text: &str, pos: usize) -> (&str, usize) {
    let rest = text.get(pos..).unwrap_or("");
    let word_len: usize = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum();
    let len = if word_len > 0 { word_len } else { rest.chars().next().map_or(0, char::len_utf8) };
    let token = rest.get(..len).unwrap_or("");
    if token == "\n" || token == "\r" { ("end of line", len) } else { (token, len) }
}

fn expected_list(rules: &[Rule]) -> Option<String> {
    let mut names: Vec<&str> = rules.iter().filter_map(|r| describe(*r)).collect();
    names.sort_unstable();
    names.dedup();
    match names.as_slice() {
        [] => None,
        [one] => Some((*one).to_string()),
        [init @ .., last] => Some(format!("{} or {}", init.join(", "), last)),
    }
}

/// How a rule is named in an "expected ..." message; `None` for rules users never type.
fn describe(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        EOI => "end of file",
        policy_decl | kw_policy => "`policy`",
        use_decl | kw_use => "`use`",
        import_decl | kw_import => "`import`",
        param_decl | kw_param => "`param`",
        control_decl | kw_control => "`control`",
        kw_with | with_clause => "`with`",
        field => "a `key = value` field",
        type_expr => "a type",
        type_args => "`<`",
        optional_mark => "`?`",
        for_stmt | kw_for => "`for`",
        let_stmt | kw_let => "`let`",
        expect_stmt | kw_expect => "`expect`",
        manual_stmt | kw_manual => "`manual`",
        kw_in => "`in`",
        kw_where | where_clause => "`where`",
        kw_else | else_clause => "`else`",
        kw_within | within_clause => "`within`",
        kw_when | when_empty => "`when empty:`",
        kw_empty => "`empty`",
        empty_outcome => "`pass`, `fail` or `not_applicable`",
        block => "`{`",
        expr | op_not | op_neg | quantifier | quant_kind | call | paren | list | table | boolean
        | none_lit | int | number | duration | date | datetime => "an expression",
        op_or | op_and | op_coalesce | op_eq | op_ne | op_le | op_ge | op_lt | op_gt | op_not_in
        | op_in | op_add | op_sub | op_mul => "an operator",
        method_call | member => "`.`",
        index => "`[`",
        entry => "a `key: value` entry",
        string => "a string",
        str_text | str_escape | str_interp => "the closing `\"`",
        ident | module_path => "a name",
        _ => return None,
    })
}

fn help_for(err: &Error<Rule>, text: &str, pos: usize) -> Option<String> {
    let ErrorVariant::ParsingError { positives, .. } = &err.variant else { return None };
    let rest = text.get(pos..).unwrap_or("");
    if positives.iter().any(|r| matches!(r, Rule::str_text | Rule::str_escape | Rule::str_interp)) {
        return Some("strings end on the line they start; write `\\n` for a line break".into());
    }
    if rest.starts_with('{') && positives.contains(&Rule::kw_in) {
        return Some("a loop is written `for x in collection { ... }`".into());
    }
    if rest.starts_with('=') && positives.iter().any(|r| matches!(r, Rule::op_eq | Rule::op_ne)) {
        return Some("compare with `==`; `=` only gives a field its value".into());
    }
    if rest.starts_with("&&") || rest.starts_with("||") || rest.starts_with('!') {
        return Some("write `and`, `or` and `not`".into());
    }
    None
}
