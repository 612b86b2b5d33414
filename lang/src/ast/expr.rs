//! Expressions: literals, names, operators, quantifiers, string templates.

use super::Ident;
use crate::span::Span;
use serde::{Deserialize, Serialize};

/// A string literal without interpolation (ids, paths, names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StrLit {
    /// The unescaped value.
    pub value: String,
    /// Where it is written, quotes included.
    pub span: Span,
}

/// A string literal that may interpolate expressions: `"{a.path} is unsigned"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    /// Text and expressions, in order.
    pub parts: Vec<TemplatePart>,
    /// Where it is written, quotes included.
    pub span: Span,
}

impl Template {
    /// The text, if the template interpolates nothing.
    pub fn as_plain(&self) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                TemplatePart::Text(t) => out.push_str(t),
                TemplatePart::Expr(_) => return None,
            }
        }
        Some(out)
    }
}

/// One piece of a [`Template`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TemplatePart {
    /// Literal text (unescaped).
    Text(String),
    /// An interpolated expression.
    Expr(Expr),
}

/// An expression with its span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// Where it is written.
    pub span: Span,
}

impl Expr {
    /// Whether the expression is a literal: a scalar, a string without interpolation, or one
    /// of those under a prefix operator or parentheses. Literals need no evidence to evaluate.
    pub fn is_literal(&self) -> bool {
        match &self.kind {
            ExprKind::Bool(_)
            | ExprKind::Int(_)
            | ExprKind::Number(_)
            | ExprKind::Duration(_)
            | ExprKind::Date(_)
            | ExprKind::DateTime(_)
            | ExprKind::None => true,
            ExprKind::Str(t) => t.parts.iter().all(|p| matches!(p, TemplatePart::Text(_))),
            ExprKind::Unary { operand, .. } | ExprKind::Paren(operand) => operand.is_literal(),
            _ => false,
        }
    }
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ExprKind {
    /// `true`, `false`
    Bool(bool),
    /// `42`
    Int(i64),
    /// `7.5`
    Number(f64),
    /// `"text {interpolated}"`
    Str(Template),
    /// `48h`, `12 months`
    Duration(DurationLit),
    /// `2026-01-31`
    Date(jiff::civil::Date),
    /// `2026-01-31T12:00:00Z`
    DateTime(jiff::Timestamp),
    /// `none`: the absent optional value
    None,
    /// `[a, b]`: a list, or a set where a set is expected
    List(Vec<Expr>),
    /// `{ key: value, ... }`
    Table(Vec<TableEntry>),
    /// A name: a binding, a param, an evidence root, or a constant such as `critical`.
    Name(Ident),
    /// `base.field`
    Member {
        /// The value whose field is read.
        base: Box<Expr>,
        /// The field.
        field: Ident,
    },
    /// `base[index]`
    Index {
        /// The table or list.
        base: Box<Expr>,
        /// The key or position.
        index: Box<Expr>,
    },
    /// `f(args)` or, with `method`, `args[0].f(args[1..])`
    Call {
        /// The function name.
        func: Ident,
        /// The arguments (the receiver first for a method call).
        args: Vec<Expr>,
        /// Whether it was written as a method call.
        method: bool,
    },
    /// `not x`, `-x`
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: Box<Expr>,
    },
    /// `a OP b`
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `all(x in xs where f: cond)`, `count(x in xs)`
    Quantifier(Box<Quantifier>),
    /// `( expr )`, kept so the formatter writes what the author wrote
    Paren(Box<Expr>),
}

/// A quantifier over a finite collection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quantifier {
    /// `all`, `any`, `none`, `count`.
    pub kind: QuantKind,
    /// The variable bound to each element.
    pub var: Ident,
    /// The collection.
    pub iter: Expr,
    /// Only elements for which this holds.
    pub filter: Option<Expr>,
    /// The condition (required except for `count`).
    pub body: Option<Expr>,
}

/// Which quantifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum QuantKind {
    /// true when every element satisfies the condition
    All,
    /// true when at least one does
    Any,
    /// true when none does
    None,
    /// how many do
    Count,
}

impl QuantKind {
    /// The keyword.
    pub const fn as_str(self) -> &'static str {
        match self {
            QuantKind::All => "all",
            QuantKind::Any => "any",
            QuantKind::None => "none",
            QuantKind::Count => "count",
        }
    }
}

/// A `{ key: value }` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableEntry {
    /// The key: a name (`critical`) or a string.
    pub key: TableKey,
    /// The value.
    pub value: Expr,
}

/// A table key as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TableKey {
    /// `critical: ...`: resolved against the table's key type
    Name(Ident),
    /// `"3.1": ...`
    Str(StrLit),
}

impl TableKey {
    /// The key text.
    pub fn text(&self) -> &str {
        match self {
            TableKey::Name(i) => &i.name,
            TableKey::Str(s) => &s.value,
        }
    }

    /// Where it is written.
    pub fn span(&self) -> Span {
        match self {
            TableKey::Name(i) => i.span,
            TableKey::Str(s) => s.span,
        }
    }
}

/// A duration literal as written: an amount and a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DurationLit {
    /// How many units.
    pub amount: i64,
    /// Which unit.
    pub unit: DurationUnit,
    /// Whether the unit was spelled out (`7 days`) rather than short (`7d`).
    pub spelled: bool,
}

/// Units of a duration literal. `months` and `years` are calendar units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DurationUnit {
    /// `s`, `seconds`
    Seconds,
    /// `m`, `minutes`
    Minutes,
    /// `h`, `hours`
    Hours,
    /// `d`, `days`
    Days,
    /// `w`, `weeks`
    Weeks,
    /// `months` (calendar)
    Months,
    /// `years` (calendar)
    Years,
}

impl DurationUnit {
    /// The short suffix, where the unit has one.
    pub const fn short(self) -> Option<&'static str> {
        match self {
            DurationUnit::Seconds => Some("s"),
            DurationUnit::Minutes => Some("m"),
            DurationUnit::Hours => Some("h"),
            DurationUnit::Days => Some("d"),
            DurationUnit::Weeks => Some("w"),
            DurationUnit::Months | DurationUnit::Years => None,
        }
    }

    /// The spelled-out name, singular or plural for `amount`.
    pub const fn spelled(self, amount: i64) -> &'static str {
        let one = amount == 1;
        match self {
            DurationUnit::Seconds => {
                if one {
                    "second"
                } else {
                    "seconds"
                }
            }
            DurationUnit::Minutes => {
                if one {
                    "minute"
                } else {
                    "minutes"
                }
            }
            DurationUnit::Hours => {
                if one {
                    "hour"
                } else {
                    "hours"
                }
            }
            DurationUnit::Days => {
                if one {
                    "day"
                } else {
                    "days"
                }
            }
            DurationUnit::Weeks => {
                if one {
                    "week"
                } else {
                    "weeks"
                }
            }
            DurationUnit::Months => {
                if one {
                    "month"
                } else {
                    "months"
                }
            }
            DurationUnit::Years => {
                if one {
                    "year"
                } else {
                    "years"
                }
            }
        }
    }
}

impl DurationLit {
    /// The longest duration, in words, for diagnostics.
    pub const MAX_YEARS_TEXT: &'static str = "19998 years";

    /// Whether the engine can represent the literal: exact units as `i64` seconds, calendar
    /// units within the calendar's range (19,998 years, the span `jiff` adds to a date).
    pub const fn is_representable(self) -> bool {
        self.amount >= 0 && self.amount <= self.unit.max_amount()
    }
}

impl DurationUnit {
    /// Seconds in one unit, for the exact units; `None` for months and years.
    pub const fn seconds(self) -> Option<i64> {
        match self {
            DurationUnit::Seconds => Some(1),
            DurationUnit::Minutes => Some(60),
            DurationUnit::Hours => Some(3_600),
            DurationUnit::Days => Some(86_400),
            DurationUnit::Weeks => Some(7 * 86_400),
            DurationUnit::Months | DurationUnit::Years => None,
        }
    }

    /// The largest amount of this unit a literal may have: 19,998 years' worth (the range a
    /// date can move), which also keeps every exact amount within `i64` seconds.
    pub const fn max_amount(self) -> i64 {
        const MAX_YEARS: i64 = 19_998;
        match self {
            DurationUnit::Years => MAX_YEARS,
            DurationUnit::Months => MAX_YEARS * 12,
            // 366-day years, so the longest exact duration is at least as long as the longest
            // calendar one.
            DurationUnit::Seconds => MAX_YEARS * 366 * 86_400,
            DurationUnit::Minutes => MAX_YEARS * 366 * 1_440,
            DurationUnit::Hours => MAX_YEARS * 366 * 24,
            DurationUnit::Days => MAX_YEARS * 366,
            DurationUnit::Weeks => MAX_YEARS * 366 / 7,
        }
    }
}

impl std::fmt::Display for DurationLit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.spelled, self.unit.short()) {
            (false, Some(short)) => write!(f, "{}{}", self.amount, short),
            _ => write!(f, "{} {}", self.amount, self.unit.spelled(self.amount)),
        }
    }
}

/// Prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UnaryOp {
    /// `not`
    Not,
    /// `-`
    Neg,
}

/// Infix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BinaryOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in`
    In,
    /// `not in`
    NotIn,
    /// `??`
    Coalesce,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
}

impl BinaryOp {
    /// The operator as written.
    pub const fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::NotIn => "not in",
            BinaryOp::Coalesce => "??",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
        }
    }

    /// Binding strength: higher binds tighter. Operators of one level associate to the left;
    /// comparisons do not chain (the checker rejects `a < b < c` as a type error).
    pub const fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            // `not` sits at 3
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::In
            | BinaryOp::NotIn => 4,
            BinaryOp::Coalesce => 5,
            BinaryOp::Add | BinaryOp::Sub => 6,
            BinaryOp::Mul => 7,
        }
    }
}

impl UnaryOp {
    /// The operator as written.
    pub const fn as_str(self) -> &'static str {
        match self {
            UnaryOp::Not => "not",
            UnaryOp::Neg => "-",
        }
    }

    /// Binding strength, on the scale of [`BinaryOp::precedence`].
    pub const fn precedence(self) -> u8 {
        match self {
            UnaryOp::Not => 3,
            UnaryOp::Neg => 8,
        }
    }
}
