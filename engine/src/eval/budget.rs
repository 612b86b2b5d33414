//! The evaluation budget: how many steps a control may take and how many bytes of strings and
//! collections it may create before its evaluation stops with status `error`.
//!
//! A step is one expression evaluated ([`super::interp::Interp::eval`]) or one element visited
//! by a `for` loop or a quantifier. The bytes counted are those of every value the policy
//! *makes*: concatenation, interpolation (messages included), `lower`/`upper`, list and table
//! literals, and the lines of a `vouch explain` trace. Evidence values that already exist are
//! free to read. A string that would not fit in what is left is refused before it is
//! allocated, so a policy that doubles a string forty times stops at the budget, not at 2^40
//! bytes.
//!
//! Each control gets the whole budget to itself (as does each param and each manual
//! control's `within`): nothing is shared between controls, so whether a control stops does
//! not depend on the thread count or on which controls ran before it.

use std::fmt::{self, Write as _};

use super::value::Value;

/// Limits on the evaluation of one control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Steps: expressions evaluated plus elements visited by loops and quantifiers.
    pub max_steps: u64,
    /// Bytes of strings, lists, sets and tables the control creates (counted as they are
    /// made, never given back).
    pub max_bytes: u64,
}

impl Budget {
    /// The default step limit. The standard pack's busiest control over the ~100,000-node
    /// benchmark graph takes about 400,000 steps; a control comparing each of 2,000 files with
    /// every other (`benches/quadratic.rs`) about 56 million, in well under a second.
    pub const DEFAULT_MAX_STEPS: u64 = 100_000_000;
    /// The default byte limit (256 MiB): the standard pack's controls create a few kilobytes
    /// over the same graph.
    pub const DEFAULT_MAX_BYTES: u64 = 256 * 1024 * 1024;
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            max_steps: Self::DEFAULT_MAX_STEPS,
            max_bytes: Self::DEFAULT_MAX_BYTES,
        }
    }
}

/// Which limit of a [`Budget`] an evaluation went over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exceeded {
    /// More than this many steps.
    Steps(u64),
    /// More than this many bytes created.
    Bytes(u64),
}

impl Exceeded {
    /// Why the evaluation stopped, with the flag that raises the limit.
    pub fn reason(self) -> String {
        match self {
            Exceeded::Steps(n) => format!(
                "the control took more than {} steps (raise it with --max-steps)",
                thousands(n)
            ),
            Exceeded::Bytes(n) => format!(
                "the control created more than {} of strings and collections (raise it with --max-bytes)",
                size(n)
            ),
        }
    }
}

/// What is left of a [`Budget`] while one control is evaluated. Once a limit is passed the
/// meter stays exceeded: every later step fails too, so no caller can carry on past it.
#[derive(Debug)]
pub(crate) struct Meter {
    budget: Budget,
    steps_left: u64,
    bytes_left: u64,
    exceeded: Option<Exceeded>,
}

impl Meter {
    /// A full meter.
    pub fn new(budget: Budget) -> Meter {
        Meter {
            budget,
            steps_left: budget.max_steps,
            bytes_left: budget.max_bytes,
            exceeded: None,
        }
    }

    /// Takes one step.
    #[inline]
    pub fn step(&mut self) -> Result<(), Exceeded> {
        match self.steps_left.checked_sub(1) {
            Some(left) => {
                self.steps_left = left;
                Ok(())
            }
            None => Err(self.exceed(Exceeded::Steps(self.budget.max_steps))),
        }
    }

    /// Accounts for `bytes` about to be allocated; refuses them when they do not fit.
    #[inline]
    pub fn take_bytes(&mut self, bytes: usize) -> Result<(), Exceeded> {
        match u64::try_from(bytes)
            .ok()
            .and_then(|b| self.bytes_left.checked_sub(b))
        {
            Some(left) => {
                self.bytes_left = left;
                Ok(())
            }
            None => Err(self.exceed(Exceeded::Bytes(self.budget.max_bytes))),
        }
    }

    /// Appends `value` as displayed to `out`, refusing (before growing `out`) any piece that
    /// does not fit in the bytes left.
    pub fn write_display(
        &mut self,
        out: &mut String,
        value: &impl fmt::Display,
    ) -> Result<(), Exceeded> {
        let mut capped = Capped {
            out,
            left: self.bytes_left,
        };
        match write!(capped, "{value}") {
            Ok(()) => {
                self.bytes_left = capped.left;
                Ok(())
            }
            Err(fmt::Error) => Err(self.exceed(Exceeded::Bytes(self.budget.max_bytes))),
        }
    }

    /// The limit passed, if one was.
    pub fn exceeded(&self) -> Option<Exceeded> {
        self.exceeded
    }

    /// Marks the meter exceeded (keeping the first reason) and stops every later step.
    fn exceed(&mut self, why: Exceeded) -> Exceeded {
        self.steps_left = 0;
        *self.exceeded.get_or_insert(why)
    }
}

/// The bytes `a + b` allocates: the joined text of two strings; nothing for numbers,
/// durations and dates.
pub(crate) fn created_by_add(a: &Value, b: &Value) -> usize {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => x.len().saturating_add(y.len()),
        _ => 0,
    }
}

/// The bytes the built-in `name` allocates for its one argument `arg`: `lower` and `upper`
/// make a string of about the same length (a few characters change length in another case).
pub(crate) fn created_by_call(name: &str, arg: &Value) -> usize {
    match (name, arg) {
        ("lower" | "upper", Value::Str(s)) => s.len(),
        _ => 0,
    }
}

/// A writer into a string that fails instead of growing it past `left` bytes.
struct Capped<'s> {
    out: &'s mut String,
    left: u64,
}

impl fmt::Write for Capped<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let n = u64::try_from(s.len()).map_err(|_| fmt::Error)?;
        self.left = self.left.checked_sub(n).ok_or(fmt::Error)?;
        self.out.push_str(s);
        Ok(())
    }
}

/// `12,345,678`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `256 MiB`, `1 GiB`, or `1,000 bytes` for a size that is not a whole number of MiB.
fn size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        match bytes / MIB {
            mib if mib.is_multiple_of(1024) => format!("{} GiB", thousands(mib / 1024)),
            mib => format!("{} MiB", thousands(mib)),
        }
    } else {
        format!("{} bytes", thousands(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_run_out_and_stay_out() {
        let mut m = Meter::new(Budget {
            max_steps: 2,
            max_bytes: 10,
        });
        assert_eq!(m.step(), Ok(()));
        assert_eq!(m.step(), Ok(()));
        assert_eq!(m.step(), Err(Exceeded::Steps(2)));
        assert_eq!(m.step(), Err(Exceeded::Steps(2)));
        assert_eq!(m.exceeded(), Some(Exceeded::Steps(2)));
    }

    #[test]
    fn bytes_are_refused_before_they_are_written() {
        let mut m = Meter::new(Budget {
            max_steps: 100,
            max_bytes: 10,
        });
        let mut out = String::new();
        assert_eq!(m.write_display(&mut out, &"abcdef"), Ok(()));
        assert_eq!(
            m.write_display(&mut out, &"ghijk"),
            Err(Exceeded::Bytes(10))
        );
        assert_eq!(out, "abcdef", "nothing of the refused piece is written");
        // Once over, the next step fails too and the first reason is kept.
        assert_eq!(m.step(), Err(Exceeded::Bytes(10)));
        assert_eq!(m.take_bytes(0), Ok(()));
        assert_eq!(m.exceeded(), Some(Exceeded::Bytes(10)));
        let mut m = Meter::new(Budget::default());
        assert_eq!(m.take_bytes(usize::MAX), Err(Exceeded::Bytes(256 << 20)));
    }

    #[test]
    fn reasons_name_the_limit_and_the_flag() {
        assert_eq!(
            Exceeded::Steps(100_000_000).reason(),
            "the control took more than 100,000,000 steps (raise it with --max-steps)"
        );
        assert_eq!(
            Exceeded::Bytes(256 << 20).reason(),
            "the control created more than 256 MiB of strings and collections (raise it with --max-bytes)"
        );
        assert_eq!(size(1 << 30), "1 GiB");
        assert_eq!(size(1000), "1,000 bytes");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(0), "0");
    }
}
