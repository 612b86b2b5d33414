//! Constants at check time: folding a constant expression (a param default, an override, a
//! bound, a literal in a control) to its value, and comparing values the way the engine
//! would, conservatively for calendar durations.
//!
//! A duration is folded to exact seconds plus calendar months (a year is 12 months). The
//! engine compares calendar amounts from an anchor (the instant a difference starts at), so
//! a comparison of a calendar duration with an exact one holds here only if it holds from
//! every anchor: a month is 28 to 31 days, 12 months 365 or 366 days. `12 months >= 365d`
//! holds, `365d >= 12 months` does not, `1 year >= 12 months` does.

use std::cmp::Ordering;

use crate::ast::{BinaryOp, DurationLit, DurationUnit, Expr, ExprKind, UnaryOp};
use crate::schema::{self, EnumDef};

const DAY: i64 = 86_400;

/// The fewest days `r` calendar months (0 to 11) can last, from any date.
const MONTHS_MIN_DAYS: [i64; 12] = [0, 28, 59, 89, 120, 150, 181, 212, 242, 273, 303, 334];
/// The most days `r` calendar months (0 to 11) can last, from any date.
const MONTHS_MAX_DAYS: [i64; 12] = [0, 31, 62, 92, 123, 153, 184, 215, 245, 276, 306, 337];

/// A length of time folded at check time: exact seconds and calendar months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ConstDuration {
    /// Exact seconds.
    pub seconds: i64,
    /// Calendar months (years count 12).
    pub months: i64,
}

/// A constant value.
#[derive(Debug, Clone)]
pub(crate) enum Const {
    Bool(bool),
    Int(i64),
    Number(f64),
    Str(String),
    Duration(ConstDuration),
    Date(jiff::civil::Date),
    DateTime(jiff::Timestamp),
    /// A name of a closed set, with its position in the set.
    Variant(&'static EnumDef, usize),
    None,
    List(Vec<Const>),
    Table(Vec<(String, Const)>),
}

impl PartialEq for Const {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Const::Bool(a), Const::Bool(b)) => a == b,
            (Const::Int(a), Const::Int(b)) => a == b,
            (Const::Number(a), Const::Number(b)) => a == b,
            (Const::Str(a), Const::Str(b)) => a == b,
            (Const::Duration(a), Const::Duration(b)) => a == b,
            (Const::Date(a), Const::Date(b)) => a == b,
            (Const::DateTime(a), Const::DateTime(b)) => a == b,
            (Const::Variant(s, a), Const::Variant(t, b)) => s.name == t.name && a == b,
            (Const::None, Const::None) => true,
            (Const::List(a), Const::List(b)) => a == b,
            (Const::Table(a), Const::Table(b)) => a == b,
            _ => false,
        }
    }
}

/// Folds a literal duration; `None` when it overflows.
pub(crate) fn duration(d: DurationLit) -> Option<ConstDuration> {
    let (seconds, months) = match d.unit.seconds() {
        Some(unit) => (d.amount.checked_mul(unit)?, 0),
        None if d.unit == DurationUnit::Years => (0, d.amount.checked_mul(12)?),
        None => (0, d.amount),
    };
    Some(ConstDuration { seconds, months })
}

/// The value of a constant expression; `None` when it is not a constant or cannot be
/// represented.
pub(crate) fn fold(e: &Expr) -> Option<Const> {
    Some(match &e.kind {
        ExprKind::Bool(b) => Const::Bool(*b),
        ExprKind::Int(n) => Const::Int(*n),
        ExprKind::Number(n) => Const::Number(*n),
        ExprKind::Str(t) => Const::Str(t.as_plain()?),
        ExprKind::Duration(d) => Const::Duration(duration(*d)?),
        ExprKind::Date(d) => Const::Date(*d),
        ExprKind::DateTime(t) => Const::DateTime(*t),
        ExprKind::None => Const::None,
        ExprKind::Name(n) => {
            let set = schema::enum_of_variant(&n.name)?;
            let at = set.variants.iter().position(|v| *v == n.name)?;
            Const::Variant(set, at)
        }
        ExprKind::List(items) => Const::List(items.iter().map(fold).collect::<Option<_>>()?),
        ExprKind::Table(entries) => Const::Table(
            entries
                .iter()
                .map(|e| Some((e.key.text().to_string(), fold(&e.value)?)))
                .collect::<Option<_>>()?,
        ),
        ExprKind::Paren(inner) => fold(inner)?,
        ExprKind::Unary { op, operand } => match (op, fold(operand)?) {
            (UnaryOp::Not, Const::Bool(b)) => Const::Bool(!b),
            (UnaryOp::Neg, Const::Int(n)) => Const::Int(n.checked_neg()?),
            (UnaryOp::Neg, Const::Number(n)) => Const::Number(-n),
            (UnaryOp::Neg, Const::Duration(d)) => Const::Duration(ConstDuration {
                seconds: d.seconds.checked_neg()?,
                months: d.months.checked_neg()?,
            }),
            _ => return None,
        },
        _ => return None,
    })
}

/// Whether `lhs op rhs` holds, for an ordering operator; `None` when the values are not
/// comparable (different types, an unordered set) or the comparison overflows. For
/// durations, `Some(true)` only if it holds from every calendar anchor.
pub(crate) fn holds(lhs: &Const, op: BinaryOp, rhs: &Const) -> Option<bool> {
    if let (Const::Duration(a), Const::Duration(b)) = (lhs, rhs) {
        return duration_holds(*a, op, *b);
    }
    let ordering = match (lhs, rhs) {
        (Const::Int(a), Const::Int(b)) => a.cmp(b),
        (Const::Number(a), Const::Number(b)) => a.partial_cmp(b)?,
        (Const::Int(a), Const::Number(b)) => (*a as f64).partial_cmp(b)?,
        (Const::Number(a), Const::Int(b)) => a.partial_cmp(&(*b as f64))?,
        (Const::Date(a), Const::Date(b)) => a.cmp(b),
        (Const::DateTime(a), Const::DateTime(b)) => a.cmp(b),
        (Const::Variant(s, a), Const::Variant(t, b)) if s.name == t.name && s.ordered => a.cmp(b),
        _ => return None,
    };
    Some(ordering_holds(ordering, op))
}

fn ordering_holds(ordering: Ordering, op: BinaryOp) -> bool {
    match op {
        BinaryOp::Lt => ordering == Ordering::Less,
        BinaryOp::Le => ordering != Ordering::Greater,
        BinaryOp::Gt => ordering == Ordering::Greater,
        BinaryOp::Ge => ordering != Ordering::Less,
        BinaryOp::Eq => ordering == Ordering::Equal,
        BinaryOp::Ne => ordering != Ordering::Equal,
        _ => false,
    }
}

/// The fewest and most seconds `months` calendar months (negative: back in time) last.
fn months_range(months: i64) -> Option<(i64, i64)> {
    let whole = months.unsigned_abs();
    let years = i64::try_from(whole / 12).ok()?;
    let rest = usize::try_from(whole % 12).ok()?;
    let low = years
        .checked_mul(365)?
        .checked_add(*MONTHS_MIN_DAYS.get(rest)?)?
        .checked_mul(DAY)?;
    let high = years
        .checked_mul(366)?
        .checked_add(*MONTHS_MAX_DAYS.get(rest)?)?
        .checked_mul(DAY)?;
    Some(if months < 0 {
        (-high, -low)
    } else {
        (low, high)
    })
}

/// `a op b` from every calendar anchor: the difference `a - b` is a range of seconds, and the
/// comparison must hold for all of it.
fn duration_holds(a: ConstDuration, op: BinaryOp, b: ConstDuration) -> Option<bool> {
    let seconds = a.seconds.checked_sub(b.seconds)?;
    let (low, high) = months_range(a.months.checked_sub(b.months)?)?;
    let (low, high) = (seconds.checked_add(low)?, seconds.checked_add(high)?);
    Some(match op {
        BinaryOp::Lt => high < 0,
        BinaryOp::Le => high <= 0,
        BinaryOp::Gt => low > 0,
        BinaryOp::Ge => low >= 0,
        BinaryOp::Eq => low == 0 && high == 0,
        BinaryOp::Ne => high < 0 || low > 0,
        _ => false,
    })
}

/// How `value` fails `op bound`: `is less`, `is greater`, ..., or, for a calendar duration
/// that meets the bound from some dates only, why not from every date.
pub(crate) fn shortfall(value: &Const, op: BinaryOp, bound: &Const) -> &'static str {
    let opposite = match op {
        BinaryOp::Ge => BinaryOp::Lt,
        BinaryOp::Gt => BinaryOp::Le,
        BinaryOp::Le => BinaryOp::Gt,
        _ => BinaryOp::Ge,
    };
    match (holds(value, opposite, bound), op) {
        (Some(true), BinaryOp::Ge) => "is less",
        (Some(true), BinaryOp::Gt) => "is not greater",
        (Some(true), BinaryOp::Le) => "is greater",
        (Some(true), _) => "is not less",
        (_, BinaryOp::Ge | BinaryOp::Gt) => {
            "is shorter from some dates (a calendar month is 28 to 31 days, a year 365 or 366)"
        }
        _ => "is longer from some dates (a calendar month is 28 to 31 days, a year 365 or 366)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(seconds_days: i64, months: i64) -> Const {
        Const::Duration(ConstDuration {
            seconds: seconds_days * DAY,
            months,
        })
    }

    #[test]
    fn calendar_comparisons_hold_from_every_anchor() {
        // 365d >= 12 months does not hold (12 months can be 366 days).
        assert_eq!(holds(&d(365, 0), BinaryOp::Ge, &d(0, 12)), Some(false));
        assert_eq!(holds(&d(0, 12), BinaryOp::Ge, &d(365, 0)), Some(true));
        // 1 year is 12 months.
        assert_eq!(holds(&d(0, 12), BinaryOp::Ge, &d(0, 12)), Some(true));
        assert_eq!(holds(&d(366, 0), BinaryOp::Ge, &d(0, 12)), Some(true));
        assert_eq!(holds(&d(0, 6), BinaryOp::Ge, &d(0, 12)), Some(false));
        assert_eq!(holds(&d(27, 0), BinaryOp::Lt, &d(0, 1)), Some(true));
        assert_eq!(holds(&d(28, 0), BinaryOp::Lt, &d(0, 1)), Some(false));
        assert_eq!(holds(&d(-1, 0), BinaryOp::Le, &d(0, 0)), Some(true));
    }

    /// The month tables bound the days of `n` months from every date, and of the difference
    /// between two amounts of months from one date (how the engine compares them).
    #[test]
    fn month_tables_bound_the_calendar() {
        use jiff::ToSpan;
        let start = jiff::civil::date(2096, 1, 1);
        for day in 0..(366 * 9) {
            let anchor = start.checked_add(day.days()).unwrap();
            let plus = |m: i64| anchor.checked_add(m.months()).unwrap();
            for later in 0..27_i64 {
                for earlier in 0..=later {
                    let days = plus(earlier).until(plus(later)).unwrap().get_days();
                    let (low, high) = months_range(later - earlier).unwrap();
                    let secs = i64::from(days) * DAY;
                    assert!(
                        low <= secs && secs <= high,
                        "{anchor} +{earlier}..+{later} months"
                    );
                }
            }
        }
    }
}
