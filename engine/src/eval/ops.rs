//! Operators and built-in functions over [`Value`]s.
//!
//! Every operation is lifted over `none` (a `none` operand gives `none`) except `==`, `!=`,
//! `??`, `and`, `or` and `not`, which the interpreter handles. Membership is unknown when the
//! collection holds a `none` and no known element matches. A problem (an overflow, a type the
//! checker should have rejected) is an `Err` with a message, never a panic.

use std::cmp::Ordering;
use std::sync::Arc;

use globset::GlobMatcher;
use vouch_lang::ast::BinaryOp;

use super::duration::Duration;
use super::value::{Value, utc_date};

/// The result of an operation: a value, or why it could not be computed.
pub type OpResult = Result<Value, String>;

fn overflow(what: &str) -> String {
    format!("{what} overflows")
}

/// `a op b` for the arithmetic, ordering and membership operators.
pub fn binary(op: BinaryOp, a: &Value, b: &Value) -> OpResult {
    if a.is_none() || b.is_none() {
        return Ok(Value::None);
    }
    match op {
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            let ord = a.order(b).ok_or_else(|| {
                format!("cannot order `{}` and `{}`", a.type_name(), b.type_name())
            })?;
            Ok(Value::Bool(match op {
                BinaryOp::Lt => ord == Ordering::Less,
                BinaryOp::Le => ord != Ordering::Greater,
                BinaryOp::Gt => ord == Ordering::Greater,
                _ => ord != Ordering::Less,
            }))
        }
        BinaryOp::In => contains(b, a),
        BinaryOp::NotIn => match contains(b, a)? {
            Value::Bool(x) => Ok(Value::Bool(!x)),
            other => Ok(other),
        },
        BinaryOp::Add => add(a, b),
        BinaryOp::Sub => sub(a, b),
        BinaryOp::Mul => mul(a, b),
        _ => Err(format!("`{}` is not an arithmetic operator", op.as_str())),
    }
}

/// `a == b` (`eq`) or `a != b`: a presence test when an operand is written `none`
/// (`presence`), else unknown when a `none` decides it (see [`Value::known_equals`]).
pub fn equality(a: &Value, b: &Value, eq: bool, presence: bool) -> Value {
    let same = if presence {
        Some(a.equals(b))
    } else {
        a.known_equals(b)
    };
    same.map_or(Value::None, |same| Value::Bool(same == eq))
}

/// Whether `haystack` holds `needle`: an element of a list or set, a key of a table, a part
/// of a string. `none` when only an unknown element could match.
fn contains(haystack: &Value, needle: &Value) -> OpResult {
    if needle.is_none() {
        return Ok(Value::None);
    }
    match haystack {
        Value::None => Ok(Value::None),
        Value::List(items) | Value::Set(items) => {
            let mut unknown = false;
            for item in items.iter() {
                match item.known_equals(needle) {
                    Some(true) => return Ok(Value::Bool(true)),
                    Some(false) => {}
                    None => unknown = true,
                }
            }
            Ok(if unknown {
                Value::None
            } else {
                Value::Bool(false)
            })
        }
        Value::Table(entries) => Ok(Value::Bool(
            needle.key_text().is_some_and(|k| entries.contains_key(k)),
        )),
        Value::Str(text) => match needle {
            Value::Str(part) => Ok(Value::Bool(text.contains(part.as_ref()))),
            other => Err(format!(
                "cannot look for a `{}` in a string",
                other.type_name()
            )),
        },
        other => Err(format!("cannot look inside a `{}`", other.type_name())),
    }
}

fn add(a: &Value, b: &Value) -> OpResult {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x
            .checked_add(*y)
            .map(Value::Int)
            .ok_or_else(|| overflow(&format!("{x} + {y}"))),
        (Value::Int(_) | Value::Number(_), Value::Int(_) | Value::Number(_)) => {
            Ok(Value::Number(number(a) + number(b)))
        }
        (Value::Str(x), Value::Str(y)) => Ok(Value::Str(Arc::from(format!("{x}{y}")))),
        (Value::Duration(x), Value::Duration(y)) => x
            .checked_add(**y)
            .map(Value::duration)
            .ok_or_else(|| overflow(&format!("{x} + {y}"))),
        (Value::Date(_) | Value::DateTime(_), Value::Duration(d))
        | (Value::Duration(d), Value::Date(_) | Value::DateTime(_)) => {
            let at = if matches!(a, Value::Duration(_)) {
                b
            } else {
                a
            };
            shift(at, **d)
        }
        _ => Err(format!(
            "cannot add `{}` and `{}`",
            a.type_name(),
            b.type_name()
        )),
    }
}

fn sub(a: &Value, b: &Value) -> OpResult {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x
            .checked_sub(*y)
            .map(Value::Int)
            .ok_or_else(|| overflow(&format!("{x} - {y}"))),
        (Value::Int(_) | Value::Number(_), Value::Int(_) | Value::Number(_)) => {
            Ok(Value::Number(number(a) - number(b)))
        }
        (Value::Duration(x), Value::Duration(y)) => y
            .checked_neg()
            .and_then(|ny| x.checked_add(ny))
            .map(Value::duration)
            .ok_or_else(|| overflow(&format!("{x} - {y}"))),
        (Value::Date(_) | Value::DateTime(_), Value::Duration(d)) => {
            let neg = d
                .checked_neg()
                .ok_or_else(|| overflow(&format!("-({d})")))?;
            shift(a, neg)
        }
        (Value::Date(_) | Value::DateTime(_), Value::Date(_) | Value::DateTime(_)) => {
            match (b.instant(), a.instant()) {
                (Some(start), Some(end)) => Ok(Value::duration(Duration::between(start, end))),
                _ => Err("date out of range".to_owned()),
            }
        }
        _ => Err(format!(
            "cannot subtract `{}` from `{}`",
            b.type_name(),
            a.type_name()
        )),
    }
}

fn mul(a: &Value, b: &Value) -> OpResult {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x
            .checked_mul(*y)
            .map(Value::Int)
            .ok_or_else(|| overflow(&format!("{x} * {y}"))),
        (Value::Int(_) | Value::Number(_), Value::Int(_) | Value::Number(_)) => {
            Ok(Value::Number(number(a) * number(b)))
        }
        (Value::Duration(d), Value::Int(n)) | (Value::Int(n), Value::Duration(d)) => d
            .checked_mul(*n)
            .map(Value::duration)
            .ok_or_else(|| overflow(&format!("{d} * {n}"))),
        _ => Err(format!(
            "cannot multiply `{}` by `{}`",
            a.type_name(),
            b.type_name()
        )),
    }
}

/// `-x`.
pub fn negate(v: &Value) -> OpResult {
    match v {
        Value::None => Ok(Value::None),
        Value::Int(x) => x
            .checked_neg()
            .map(Value::Int)
            .ok_or_else(|| overflow(&format!("-({x})"))),
        Value::Number(x) => Ok(Value::Number(-x)),
        Value::Duration(d) => d
            .checked_neg()
            .map(Value::duration)
            .ok_or_else(|| overflow(&format!("-({d})"))),
        other => Err(format!("cannot negate a `{}`", other.type_name())),
    }
}

fn number(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Number(n) => *n,
        _ => f64::NAN,
    }
}

/// A date or datetime moved by a duration. A date stays a date (00:00 UTC, then truncated to
/// its day).
fn shift(at: &Value, d: Duration) -> OpResult {
    let out_of_range = || format!("{at} + {d} is out of range");
    let start = at.instant().ok_or_else(out_of_range)?;
    let moved = d.add_to(start).ok_or_else(out_of_range)?;
    Ok(match at {
        Value::Date(_) => Value::Date(utc_date(moved)),
        _ => Value::DateTime(moved),
    })
}

/// Compiled globs, by pattern, so `matches` over many files compiles each pattern once. A
/// policy uses a handful of patterns: a short list searched by length first beats hashing the
/// pattern on every call.
#[derive(Debug, Default)]
pub struct Globs {
    compiled: Vec<(String, GlobMatcher)>,
}

impl Globs {
    fn is_match(&mut self, text: &str, pattern: &str) -> Result<bool, String> {
        if let Some((_, m)) = self
            .compiled
            .iter()
            .find(|(p, _)| super::interp::same_name(p, pattern))
        {
            return Ok(m.is_match(text));
        }
        let matcher = vouch_lang::compile_glob(pattern)
            .map_err(|why| format!("`{pattern}` is not a valid glob: {why}"))?;
        let hit = matcher.is_match(text);
        self.compiled.push((pattern.to_owned(), matcher));
        Ok(hit)
    }
}

/// Calls the built-in `name`. Any `none` argument gives `none`.
pub fn call(name: &str, args: &[&Value], globs: &mut Globs) -> OpResult {
    if args.iter().any(|a| a.is_none()) {
        return Ok(Value::None);
    }
    let wrong = || {
        let types: Vec<&str> = args.iter().map(|a| a.type_name()).collect();
        format!("`{name}` cannot take ({})", types.join(", "))
    };
    match (name, args) {
        ("len", [Value::Str(s)]) => count(s.chars().count()),
        ("len", [Value::List(items) | Value::Set(items)]) => count(items.len()),
        ("len", [Value::Table(t)]) => count(t.len()),
        ("days", [Value::Duration(d)]) => d
            .days()
            .map(Value::Int)
            .ok_or_else(|| overflow(&format!("days({d})"))),
        ("lower", [Value::Str(s)]) => Ok(Value::str(s.to_lowercase())),
        ("upper", [Value::Str(s)]) => Ok(Value::str(s.to_uppercase())),
        ("starts_with", [Value::Str(s), Value::Str(p)]) => {
            Ok(Value::Bool(s.starts_with(p.as_ref())))
        }
        ("ends_with", [Value::Str(s), Value::Str(p)]) => Ok(Value::Bool(s.ends_with(p.as_ref()))),
        ("contains", [haystack, needle]) => contains(haystack, needle),
        ("matches", [Value::Str(s), Value::Str(p)]) => globs.is_match(s, p).map(Value::Bool),
        _ => Err(wrong()),
    }
}

fn count(n: usize) -> OpResult {
    i64::try_from(n)
        .map(Value::Int)
        .map_err(|_| overflow("a length"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Value {
        Value::Date(s.parse().unwrap())
    }

    #[test]
    fn none_propagates() {
        assert!(
            binary(BinaryOp::Lt, &Value::None, &Value::Int(1))
                .unwrap()
                .is_none()
        );
        assert!(
            call("len", &[&Value::None], &mut Globs::default())
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn integer_overflow_is_an_error() {
        let err = binary(BinaryOp::Mul, &Value::Int(i64::MAX), &Value::Int(2)).unwrap_err();
        assert_eq!(err, "9223372036854775807 * 2 overflows");
        assert!(negate(&Value::Int(i64::MIN)).is_err());
    }

    #[test]
    fn date_arithmetic() {
        let d = binary(BinaryOp::Sub, &date("2027-04-01"), &date("2026-04-01")).unwrap();
        let year = Value::duration(Duration::calendar(0, 12));
        assert_eq!(binary(BinaryOp::Ge, &d, &year).unwrap().to_string(), "true");
        let moved = binary(BinaryOp::Add, &date("2026-01-31"), &year).unwrap();
        assert_eq!(moved.to_string(), "2027-01-31");
        let back = binary(
            BinaryOp::Sub,
            &date("2026-03-31"),
            &Value::duration(Duration::calendar(0, 1)),
        )
        .unwrap();
        assert_eq!(back.to_string(), "2026-02-28");
    }

    #[test]
    fn globs() {
        let mut g = Globs::default();
        let m = |g: &mut Globs, s: &str, p: &str| {
            call("matches", &[&Value::str(s), &Value::str(p)], g)
                .unwrap()
                .to_string()
        };
        assert_eq!(m(&mut g, "dist/a.tar.gz", "dist/*.tar.gz"), "true");
        assert_eq!(m(&mut g, "dist/x/a.tar.gz", "dist/*.tar.gz"), "false");
        assert_eq!(m(&mut g, "dist/x/a.tar.gz", "dist/**"), "true");
        assert_eq!(m(&mut g, "a", "?"), "true");
        assert!(call("matches", &[&Value::str("a"), &Value::str("[")], &mut g).is_err());
    }

    #[test]
    fn membership_with_an_unknown_element_is_unknown_unless_found() {
        let list = Value::list(vec![Value::None, Value::str("https")]);
        let is = |op, needle: &str| binary(op, &Value::str(needle), &list).unwrap();
        assert!(is(BinaryOp::In, "sftp").is_none());
        assert!(is(BinaryOp::NotIn, "sftp").is_none());
        assert_eq!(is(BinaryOp::In, "https").to_string(), "true");
        assert_eq!(is(BinaryOp::NotIn, "https").to_string(), "false");
        let found = call(
            "contains",
            &[&list, &Value::str("ftp")],
            &mut Globs::default(),
        )
        .unwrap();
        assert!(found.is_none());
    }

    #[test]
    fn membership() {
        let list = Value::list(vec![Value::str("https"), Value::str("sftp")]);
        assert_eq!(
            binary(BinaryOp::In, &Value::str("https"), &list)
                .unwrap()
                .to_string(),
            "true"
        );
        assert_eq!(
            binary(BinaryOp::NotIn, &Value::str("rc"), &Value::str("2.4.1"))
                .unwrap()
                .to_string(),
            "true"
        );
    }
}
