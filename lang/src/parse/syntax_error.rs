//! Turns pest's errors into diagnostics that name what was expected in the language's words.

use pest::error::{Error, ErrorVariant, InputLocation};

use super::Rule;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Source;
use crate::span::Span;

/// A diagnostic for a pest error in a chunk that starts at byte `offset` of `source`.
pub(super) fn to_diagnostic(source: &Source, err: &Error<Rule>, offset: usize) -> Diagnostic {
    let reported = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((start, _)) => start,
    };
    let attempts = err.parse_attempts();
    let text = source.text();
    let farthest = attempts
        .as_ref()
        .map_or(reported, |a| a.max_position.max(reported));
    // A farthest point on white space is inside a keyword's lookahead: the reported one reads better.
    let on_space = text
        .get(farthest + offset..)
        .is_some_and(|r| r.starts_with([' ', '\t']));
    let attempts = if on_space { None } else { attempts };
    let pos = if on_space { reported } else { farthest } + offset;
    let (found, len) = found_at(text, pos);
    let span = Span::new(pos, pos + len);
    let mut names: Vec<String> = Vec::new();
    if let ErrorVariant::ParsingError { positives, .. } = &err.variant
        && attempts.as_ref().is_none_or(|a| a.max_position <= reported)
    {
        names.extend(
            positives
                .iter()
                .filter_map(|r| describe(*r))
                .map(str::to_string),
        );
    }
    if let Some(a) = &attempts {
        for stack in a.call_stacks() {
            let named = stack
                .deepest
                .get_rule()
                .copied()
                .and_then(describe)
                .or_else(|| stack.parent.and_then(describe));
            names.extend(named.map(str::to_string));
        }
        names.extend(
            a.expected_tokens()
                .iter()
                .filter_map(|t| describe_token(&t.to_string())),
        );
    }
    let names = tidy(names);
    let expected = expected_list(names.clone());
    let message = match (&expected, found) {
        (Some(list), Found::End) => format!("expected {list}, found end of file"),
        (Some(list), Found::EndOfLine) => format!("expected {list}, found end of line"),
        (Some(list), Found::Token(t)) => format!("expected {list}, found `{t}`"),
        (None, Found::End) => "unexpected end of file".to_string(),
        (None, Found::EndOfLine) => "unexpected end of line".to_string(),
        (None, Found::Token(t)) => format!("unexpected `{t}`"),
    };
    let label = if matches!(found, Found::End) {
        "the file ends here"
    } else {
        "unexpected here"
    };
    let mut diag =
        Diagnostic::error(Code::Syntax, source.clone(), span, message).with_label(span, label);
    if let Some(help) = help_for(&names, text, pos) {
        diag = diag.with_help(help);
    }
    diag
}

/// Drops names that a more general one already covers, so the list says what to write.
fn tidy(mut names: Vec<String>) -> Vec<String> {
    let has = |names: &[String], n: &str| names.iter().any(|x| x == n);
    for n in names.iter_mut() {
        if n == "`\"`" {
            *n = "a string".to_string();
        }
    }
    // The lookaheads that gate operators surface as single characters: name them once.
    if has(&names, "`?`") && (has(&names, "`<`") || has(&names, "`=`")) {
        names.push("an operator".to_string());
    }
    let mut drop: Vec<&str> = Vec::new();
    if has(&names, "an expression") {
        drop.extend(["`(`", "`[`", "`{`", "a name", "a string"]);
    }
    if has(&names, "an operator") {
        drop.extend(["`.`", "`[`", "`<`", "`>`", "`(`", "`=`", "`?`"]);
    }
    if has(&names, "`expect`") || has(&names, "a `key = value` field") {
        drop.extend([
            "`policy`",
            "`use`",
            "`import`",
            "`param`",
            "`control`",
            "`<`",
            "`>`",
        ]);
    }
    names.retain(|n| !drop.contains(&n.as_str()));
    if has(&names, "the closing `\"`") {
        names.retain(|n| n == "the closing `\"`");
    }
    names
}

/// What stands where the parser stopped.
#[derive(Debug, Clone, Copy)]
enum Found<'t> {
    End,
    EndOfLine,
    Token(&'t str),
}

/// How a literal token of the grammar is named, if users type it.
fn describe_token(token: &str) -> Option<String> {
    match token {
        "{" | "}" | "(" | ")" | "[" | "]" | "=" | ":" | "," | "<" | ">" | "?" | "\"" => {
            Some(format!("`{token}`"))
        }
        _ => None,
    }
}

/// The token at `pos` and its length in bytes: a word, or one character.
fn found_at(text: &str, pos: usize) -> (Found<'_>, usize) {
    let rest = text.get(pos..).unwrap_or("");
    let word_len: usize = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum();
    let len = if word_len > 0 {
        word_len
    } else {
        rest.chars().next().map_or(0, char::len_utf8)
    };
    let token = rest.get(..len).unwrap_or("");
    match token {
        "" => (Found::End, 0),
        "\n" | "\r" => (Found::EndOfLine, len),
        t => (Found::Token(t), len),
    }
}

fn expected_list(mut names: Vec<String>) -> Option<String> {
    names.sort_unstable();
    names.dedup();
    match names.as_slice() {
        [] => None,
        [one] => Some(one.clone()),
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
        expr | op_not | op_neg | quantifier | quant_kind | call_args | paren | list | table
        | boolean | none_lit | int | number | duration | date | datetime => "an expression",
        op_or | op_and | op_coalesce | op_eq | op_ne | op_le | op_ge | op_lt | op_gt
        | op_not_in | op_in | op_add | op_sub | op_mul => "an operator",
        method_call | member => "`.`",
        index => "`[`",
        entry => "a `key: value` entry",
        string => "a string",
        str_text | str_escape | str_interp => "the closing `\"`",
        ident | name | module_path => "a name",
        _ => return None,
    })
}

fn help_for(expected: &[String], text: &str, pos: usize) -> Option<String> {
    let rest = text.get(pos..).unwrap_or("");
    let expects = |name: &str| expected.iter().any(|e| e == name);
    if expects("the closing `\"`") && (rest.starts_with('\n') || rest.is_empty()) {
        return Some("strings end on the line they start; write `\\n` for a line break".into());
    }
    if expects("`in`") {
        return Some("a loop is written `for x in collection { ... }`".into());
    }
    let word = rest.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_');
    if word.len() < rest.len()
        && word.trim_start().starts_with('=')
        && !word.trim_start().starts_with("==")
        && expects("`expect`")
    {
        return Some("metadata (`key = value`) comes before the statements of a control".into());
    }
    if rest.starts_with('=') && expects("an operator") {
        return Some("compare with `==`; `=` only gives a field its value".into());
    }
    if rest.starts_with("&&") || rest.starts_with("||") || rest.starts_with('!') {
        return Some("write `and`, `or` and `not`".into());
    }
    None
}
