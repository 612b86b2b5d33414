//! Converts expression pairs into the AST with a Pratt parser, and reads literals.

use std::sync::LazyLock;

use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::Rule;
use super::build::{Builder, Children};
use crate::ast::*;
use crate::diagnostic::Code;
use crate::span::Span;

/// The deepest an expression tree (with statement nesting) may grow; deeper input is rejected
/// with a diagnostic so that every later recursive pass is bounded.
pub(super) const MAX_DEPTH: usize = 200;

/// Operator precedence, lowest first (see [`BinaryOp::precedence`]).
static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left)
            | Op::infix(Rule::op_in, Assoc::Left)
            | Op::infix(Rule::op_not_in, Assoc::Left))
        .op(Op::infix(Rule::op_coalesce, Assoc::Left))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left))
        .op(Op::prefix(Rule::op_neg))
        .op(Op::postfix(Rule::member) | Op::postfix(Rule::method_call) | Op::postfix(Rule::index))
});

fn is_operator(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        op_or
            | op_and
            | op_not
            | op_neg
            | op_coalesce
            | op_eq
            | op_ne
            | op_le
            | op_ge
            | op_lt
            | op_gt
            | op_not_in
            | op_in
            | op_add
            | op_sub
            | op_mul
            | member
            | method_call
            | index
    )
}

impl Builder<'_> {
    /// Converts an `expr` pair sitting `depth` levels down the tree.
    pub(super) fn expr(&self, pair: Pair<'_, Rule>, depth: usize) -> Option<Expr> {
        let span = self.span(&pair);
        let operators = pair
            .clone()
            .into_inner()
            .filter(|p| is_operator(p.as_rule()))
            .count();
        let depth = depth + operators;
        if depth > MAX_DEPTH {
            self.report(
                self.error(Code::TooDeep, span, "expression is nested too deeply")
                    .with_label(
                        span,
                        format!("more than {MAX_DEPTH} levels of operators and brackets"),
                    )
                    .with_help("split it into `let` bindings"),
            );
            return None;
        }
        PRATT
            .map_primary(|p| self.primary(p, depth + 1))
            .map_prefix(|op, operand| {
                let operand = operand?;
                let op_span = self.raw_span(&op);
                let op = if op.as_rule() == Rule::op_not {
                    UnaryOp::Not
                } else {
                    UnaryOp::Neg
                };
                Some(Expr {
                    span: op_span.to(operand.span),
                    kind: ExprKind::Unary {
                        op,
                        operand: Box::new(operand),
                    },
                })
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, rhs) = (lhs?, rhs?);
                let op = binary_op(op.as_rule())?;
                Some(Expr {
                    span: lhs.span.to(rhs.span),
                    kind: ExprKind::Binary {
                        op,
                        lhs: Box::new(lhs),
                        rhs: Box::new(rhs),
                    },
                })
            })
            .map_postfix(|base, op| self.postfix(base?, op, depth + 1))
            .parse(pair.into_inner())
    }

    fn postfix(&self, base: Expr, op: Pair<'_, Rule>, depth: usize) -> Option<Expr> {
        let span = base.span.to(self.raw_span(&op));
        let rule = op.as_rule();
        let mut c = Children::of(op);
        let kind = match rule {
            Rule::member => ExprKind::Member {
                base: Box::new(base),
                field: self.field_name(&c.expect(self, Rule::ident)?),
            },
            Rule::index => ExprKind::Index {
                base: Box::new(base),
                index: Box::new(self.expr(c.expect(self, Rule::expr)?, depth)?),
            },
            _ => {
                let func = self.ident(&c.expect(self, Rule::ident)?);
                let mut args = vec![base];
                for arg in c.rest() {
                    args.push(self.expr(arg, depth)?);
                }
                ExprKind::Call {
                    func,
                    args,
                    method: true,
                }
            }
        };
        Some(Expr { kind, span })
    }

    fn primary(&self, pair: Pair<'_, Rule>, depth: usize) -> Option<Expr> {
        let span = self.span(&pair);
        let text = pair.as_str();
        let kind = match pair.as_rule() {
            Rule::boolean => ExprKind::Bool(text == "true"),
            Rule::none_lit => ExprKind::None,
            Rule::int => match text.parse::<i64>() {
                Ok(n) => ExprKind::Int(n),
                Err(_) => return self.invalid(span, format!("integer `{text}` is out of range")),
            },
            Rule::number => match text.parse::<f64>() {
                Ok(n) if n.is_finite() => ExprKind::Number(n),
                _ => return self.invalid(span, format!("number `{text}` is out of range")),
            },
            Rule::duration => ExprKind::Duration(self.duration(pair)?),
            Rule::date => match text.parse::<jiff::civil::Date>() {
                Ok(d) => ExprKind::Date(d),
                Err(_) => return self.invalid(span, format!("`{text}` is not a valid date")),
            },
            Rule::datetime
                if !text
                    .split_once('T')
                    .is_some_and(|(_, t)| t.contains(['Z', '+', '-'])) =>
            {
                self.report(
                    self.error(
                        Code::InvalidLiteral,
                        span,
                        format!("`{text}` has no time zone"),
                    )
                    .with_help(format!(
                        "write `{text}Z` for UTC, or add an offset such as `+01:00`"
                    )),
                );
                return None;
            }
            Rule::datetime => match text.parse::<jiff::Timestamp>() {
                Ok(t) => ExprKind::DateTime(t),
                Err(_) => {
                    return self.invalid(span, format!("`{text}` is not a valid date and time"));
                }
            },
            Rule::string => ExprKind::Str(self.template(pair, depth)?),
            Rule::paren => {
                let mut c = Children::of(pair);
                ExprKind::Paren(Box::new(self.expr(c.expect(self, Rule::expr)?, depth)?))
            }
            Rule::name => {
                let mut c = Children::of(pair);
                let func = self.ident(&c.expect(self, Rule::ident)?);
                match c.next_if(Rule::call_args) {
                    None => ExprKind::Name(func),
                    Some(call) => {
                        let mut args = Vec::new();
                        for arg in call.into_inner() {
                            args.push(self.expr(arg, depth)?);
                        }
                        ExprKind::Call {
                            func,
                            args,
                            method: false,
                        }
                    }
                }
            }
            Rule::list => {
                let mut items = Vec::new();
                for item in pair.into_inner() {
                    items.push(self.expr(item, depth)?);
                }
                ExprKind::List(items)
            }
            Rule::table => {
                let mut entries = Vec::new();
                for entry in pair.into_inner() {
                    let mut c = Children::of(entry);
                    let key = match c.next_if(Rule::string) {
                        Some(s) => TableKey::Str(self.str_lit(s)?),
                        None => TableKey::Name(self.ident(&c.expect(self, Rule::ident)?)),
                    };
                    let value = self.expr(c.expect(self, Rule::expr)?, depth)?;
                    entries.push(TableEntry { key, value });
                }
                ExprKind::Table(entries)
            }
            Rule::quantifier => ExprKind::Quantifier(Box::new(self.quantifier(pair, depth)?)),
            other => {
                self.internal(span, &format!("unexpected expression {other:?}"));
                return None;
            }
        };
        Some(Expr { kind, span })
    }

    fn quantifier(&self, pair: Pair<'_, Rule>, depth: usize) -> Option<Quantifier> {
        let mut c = Children::of(pair);
        let kind = match c.expect(self, Rule::quant_kind)?.as_str() {
            "all" => QuantKind::All,
            "any" => QuantKind::Any,
            "none" => QuantKind::None,
            _ => QuantKind::Count,
        };
        let var = self.ident(&c.expect(self, Rule::ident)?);
        c.next_if(Rule::kw_in);
        let iter = self.expr(c.expect(self, Rule::expr)?, depth)?;
        let filter = match c.next_if(Rule::where_clause) {
            Some(w) => Some(self.where_clause(w, depth)?),
            None => None,
        };
        let body = match c.next_if(Rule::expr) {
            Some(b) => Some(self.expr(b, depth)?),
            None => None,
        };
        Some(Quantifier {
            kind,
            var,
            iter,
            filter,
            body,
        })
    }

    fn duration(&self, pair: Pair<'_, Rule>) -> Option<DurationLit> {
        let span = self.span(&pair);
        let inner = pair.into_inner().next()?;
        let spelled = inner.as_rule() == Rule::duration_long;
        let mut c = Children::of(inner);
        let amount_text = c.expect(self, Rule::duration_amount)?.as_str();
        let Ok(amount) = amount_text.parse::<i64>() else {
            return self.invalid(
                span,
                format!("duration amount `{amount_text}` is out of range"),
            );
        };
        let unit_pair = match c.next_if(Rule::duration_unit_short) {
            Some(u) => u,
            None => c.expect(self, Rule::duration_unit_long)?,
        };
        let unit = match unit_pair.as_str().trim_end_matches('s') {
            "" | "second" => DurationUnit::Seconds,
            "m" | "minute" => DurationUnit::Minutes,
            "h" | "hour" => DurationUnit::Hours,
            "d" | "day" => DurationUnit::Days,
            "w" | "week" => DurationUnit::Weeks,
            "month" => DurationUnit::Months,
            _ => DurationUnit::Years,
        };
        let lit = DurationLit {
            amount,
            unit,
            spelled,
        };
        if !lit.is_representable() {
            self.report(
                self.error(
                    Code::InvalidLiteral,
                    span,
                    format!("duration `{lit}` is too long to represent"),
                )
                .with_label(span, "evaluating it would overflow")
                .with_help(format!(
                    "the longest duration is {} ({} as whole {})",
                    DurationLit::MAX_YEARS_TEXT,
                    lit.unit.max_amount(),
                    lit.unit.spelled(2)
                )),
            );
            return None;
        }
        Some(lit)
    }

    /// A string literal, with its interpolations converted.
    pub(super) fn template(&self, pair: Pair<'_, Rule>, depth: usize) -> Option<Template> {
        let span = self.span(&pair);
        let mut parts: Vec<TemplatePart> = Vec::new();
        let push_text = |parts: &mut Vec<TemplatePart>, s: &str| match parts.last_mut() {
            Some(TemplatePart::Text(t)) => t.push_str(s),
            _ => parts.push(TemplatePart::Text(s.to_string())),
        };
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::str_text => push_text(&mut parts, part.as_str()),
                Rule::str_escape => {
                    let part_span = self.raw_span(&part);
                    let Some(c) = unescape(part.as_str()) else {
                        self.report(
                            self.error(Code::InvalidLiteral, part_span, format!("`{}` is not a valid escape", part.as_str()))
                                .with_help("the escapes are `\\\"`, `\\\\`, `\\n`, `\\t`, `\\r`, `\\{`, `\\}` and `\\u{HEX}`"),
                        );
                        return None;
                    };
                    push_text(&mut parts, c.encode_utf8(&mut [0; 4]));
                }
                _ => {
                    let mut c = Children::of(part);
                    parts.push(TemplatePart::Expr(
                        self.expr(c.expect(self, Rule::expr)?, depth + 1)?,
                    ));
                }
            }
        }
        Some(Template { parts, span })
    }

    fn invalid<T>(&self, span: Span, message: String) -> Option<T> {
        self.report(self.error(Code::InvalidLiteral, span, message));
        None
    }
}

fn unescape(escape: &str) -> Option<char> {
    match escape {
        "\\n" => Some('\n'),
        "\\t" => Some('\t'),
        "\\r" => Some('\r'),
        "\\\"" => Some('"'),
        "\\\\" => Some('\\'),
        "\\{" => Some('{'),
        "\\}" => Some('}'),
        other => {
            let hex = other.strip_prefix("\\u{")?.strip_suffix('}')?;
            char::from_u32(u32::from_str_radix(hex, 16).ok()?)
        }
    }
}

fn binary_op(rule: Rule) -> Option<BinaryOp> {
    Some(match rule {
        Rule::op_or => BinaryOp::Or,
        Rule::op_and => BinaryOp::And,
        Rule::op_eq => BinaryOp::Eq,
        Rule::op_ne => BinaryOp::Ne,
        Rule::op_lt => BinaryOp::Lt,
        Rule::op_le => BinaryOp::Le,
        Rule::op_gt => BinaryOp::Gt,
        Rule::op_ge => BinaryOp::Ge,
        Rule::op_in => BinaryOp::In,
        Rule::op_not_in => BinaryOp::NotIn,
        Rule::op_coalesce => BinaryOp::Coalesce,
        Rule::op_add => BinaryOp::Add,
        Rule::op_sub => BinaryOp::Sub,
        Rule::op_mul => BinaryOp::Mul,
        _ => return None,
    })
}
