//! Durations at run time: exact seconds plus calendar months and years, optionally anchored
//! at the instant they start from.
//!
//! `12 months` and `1 year` are calendar amounts. A duration computed as `b - a` from two
//! dates or datetimes is *anchored* at `a`, so comparing it with a calendar amount is exact:
//! `eol - announced >= 12 months` holds when `announced + 12 months <= eol`. Without an anchor
//! on either side, a month counts as 30 days and a year as 365 days.
//!
//! Arithmetic keeps the anchor, so a comparison after it stays calendar-exact (`(eol -
//! announced) + 0d >= 12 months` is the same verdict as without `+ 0d`):
//! - a sum `x + y` (and a difference `x - y`, which is `x + (-y)`) is anchored where its
//!   anchored side is; when both are anchored, at the left one's anchor;
//! - `x * n` keeps the anchor of `x` (the interval is `n` times as long, from the same start);
//! - `-x`, for `x` anchored at `a` with length `s`, is anchored at its end `a + s` with length
//!   `-s`: the same interval walked backwards;
//! - `let` binds the value itself, anchor included.
//!
//! From an anchor, `12 months` and `1 year` are the same, and `365d` differs from them only
//! across a 29 February: from 2026-01-31 all three end on 2027-01-31 (2026 has no leap day);
//! from 2027-03-01, `12 months` and `1 year` end on 2028-03-01 but `365d` on 2028-02-29; from
//! the leap day 2028-02-29, all three end on 2029-02-28 (a month or year that lands on a day
//! the month does not have is clamped to the month's last day). Without an anchor, `12
//! months` is 360 days, shorter than `1 year` and `365d`, which are equal.

use std::cmp::Ordering;
use std::fmt;

use jiff::civil::DateTime;
use jiff::tz::Offset;
use jiff::{SignedDuration, Span, Timestamp};
use vouch_lang::ast::{DurationLit, DurationUnit};

const MINUTE: i64 = 60;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
/// What an unanchored month counts as.
pub const MONTH_SECONDS: i64 = 30 * DAY;
/// What an unanchored year counts as.
pub const YEAR_SECONDS: i64 = 365 * DAY;

/// A length of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Duration {
    /// Exact seconds.
    pub seconds: i64,
    /// Calendar months.
    pub months: i64,
    /// Calendar years.
    pub years: i64,
    /// The instant it starts from, for a difference of two instants.
    pub anchor: Option<Timestamp>,
}

impl Duration {
    /// An exact number of seconds, unanchored.
    pub const fn seconds(seconds: i64) -> Self {
        Duration {
            seconds,
            months: 0,
            years: 0,
            anchor: None,
        }
    }

    /// Calendar months and years, unanchored.
    pub const fn calendar(years: i64, months: i64) -> Self {
        Duration {
            seconds: 0,
            months,
            years,
            anchor: None,
        }
    }

    /// The value of a duration literal (`48h`, `12 months`); `None` on overflow.
    pub fn literal(d: DurationLit) -> Option<Duration> {
        let n = d.amount;
        Some(match d.unit.seconds() {
            Some(unit) => Duration::seconds(n.checked_mul(unit)?),
            None if d.unit == DurationUnit::Years => Duration::calendar(n, 0),
            None => Duration::calendar(0, n),
        })
    }

    /// The time from `start` to `end`, anchored at `start`.
    pub fn between(start: Timestamp, end: Timestamp) -> Self {
        Duration {
            seconds: end.duration_since(start).as_secs(),
            months: 0,
            years: 0,
            anchor: Some(start),
        }
    }

    /// `self + other`, anchored at `self`'s anchor, else at `other`'s; `None` on overflow.
    pub fn checked_add(self, other: Duration) -> Option<Duration> {
        Some(Duration {
            seconds: self.seconds.checked_add(other.seconds)?,
            months: self.months.checked_add(other.months)?,
            years: self.years.checked_add(other.years)?,
            anchor: self.anchor.or(other.anchor),
        })
    }

    /// `-self`: an anchored duration is anchored at its end (see the module doc); `None` on
    /// overflow, or when its end is out of range.
    pub fn checked_neg(self) -> Option<Duration> {
        let anchor = match self.anchor {
            Some(start) => Some(self.add_to(start)?),
            None => None,
        };
        Some(Duration {
            seconds: self.seconds.checked_neg()?,
            months: self.months.checked_neg()?,
            years: self.years.checked_neg()?,
            anchor,
        })
    }

    /// `self * factor`, with `self`'s anchor; `None` on overflow.
    pub fn checked_mul(self, factor: i64) -> Option<Duration> {
        Some(Duration {
            seconds: self.seconds.checked_mul(factor)?,
            months: self.months.checked_mul(factor)?,
            years: self.years.checked_mul(factor)?,
            anchor: self.anchor,
        })
    }

    /// The seconds it counts as without an anchor (30-day months, 365-day years); `None` on
    /// overflow.
    pub fn approx_seconds(self) -> Option<i64> {
        self.seconds
            .checked_add(self.months.checked_mul(MONTH_SECONDS)?)?
            .checked_add(self.years.checked_mul(YEAR_SECONDS)?)
    }

    /// The seconds it lasts: exactly from its anchor, else [`Duration::approx_seconds`];
    /// `None` on overflow or out of range.
    pub fn exact_seconds(self) -> Option<i64> {
        match self.anchor {
            Some(start) if self.months != 0 || self.years != 0 => {
                Some(self.add_to(start)?.duration_since(start).as_secs())
            }
            _ => self.approx_seconds(),
        }
    }

    /// Whole days (truncated towards zero), calendar-exact from an anchor; `None` on overflow.
    pub fn days(self) -> Option<i64> {
        Some(self.exact_seconds()? / DAY)
    }

    /// `instant + self`, calendar units first (in UTC), then seconds; `None` out of range.
    pub fn add_to(self, instant: Timestamp) -> Option<Timestamp> {
        let mut at = instant;
        if self.months != 0 || self.years != 0 {
            let span = Span::new()
                .try_years(self.years)
                .ok()?
                .try_months(self.months)
                .ok()?;
            let civil: DateTime = Offset::UTC.to_datetime(at);
            let moved = civil.checked_add(span).ok()?;
            at = Offset::UTC.to_timestamp(moved).ok()?;
        }
        at.checked_add(SignedDuration::from_secs(self.seconds)).ok()
    }

    /// Orders two durations: calendar-exact from an anchor when either has one (the left
    /// one's first), else by [`Duration::approx_seconds`]. `None` when out of range.
    pub fn compare(self, other: Duration) -> Option<Ordering> {
        if let Some(anchor) = self.anchor.or(other.anchor) {
            let a = self.add_to(anchor)?;
            let b = other.add_to(anchor)?;
            return Some(a.cmp(&b));
        }
        Some(self.approx_seconds()?.cmp(&other.approx_seconds()?))
    }
}

impl fmt::Display for Duration {
    /// Human-friendly: `1 year 2 months 3d 4h`, `12 months`, `2d 4h`, `0s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        let unit = |n: i64, one: &str, many: &str| {
            format!("{n} {}", if n.abs() == 1 { one } else { many })
        };
        if self.years != 0 {
            parts.push(unit(self.years, "year", "years"));
        }
        if self.months != 0 {
            parts.push(unit(self.months, "month", "months"));
        }
        if self.seconds != 0 || parts.is_empty() {
            let negative = self.seconds < 0;
            let mut left = self.seconds.unsigned_abs();
            let mut exact = Vec::new();
            for (size, suffix) in [(DAY, "d"), (HOUR, "h"), (MINUTE, "m"), (1, "s")] {
                let size = size.unsigned_abs();
                let n = left / size;
                left %= size;
                if n > 0 {
                    exact.push(format!("{n}{suffix}"));
                }
            }
            if exact.is_empty() {
                exact.push("0s".to_owned());
            }
            let text = exact.join(" ");
            parts.push(if negative { format!("-{text}") } else { text });
        }
        f.write_str(&parts.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn anchored_months_are_calendar_months() {
        // 2026-04-01 + 12 months = 2027-04-01: exactly a year of notice.
        let notice = Duration::between(ts("2026-04-01T00:00:00Z"), ts("2027-04-01T00:00:00Z"));
        assert_eq!(
            notice.compare(Duration::calendar(0, 12)),
            Some(Ordering::Equal)
        );
        assert_eq!(
            notice.compare(Duration::calendar(1, 0)),
            Some(Ordering::Equal)
        );
        let short = Duration::between(ts("2026-04-02T00:00:00Z"), ts("2027-04-01T00:00:00Z"));
        assert_eq!(
            short.compare(Duration::calendar(0, 12)),
            Some(Ordering::Less)
        );
        // 365 days from 2027-04-01 crosses no leap day; from 2027-03-01 it does not either,
        // but 2028 is a leap year: 2028-01-01 + 1 year = 2029-01-01 is 366 days.
        let leap = Duration::between(ts("2028-01-01T00:00:00Z"), ts("2028-12-31T00:00:00Z"));
        assert_eq!(leap.compare(Duration::calendar(1, 0)), Some(Ordering::Less));
        assert_eq!(
            Duration::calendar(1, 0).compare(leap),
            Some(Ordering::Greater)
        );
    }

    #[test]
    fn unanchored_months_are_30_days() {
        assert_eq!(
            Duration::calendar(0, 1).compare(Duration::seconds(30 * DAY)),
            Some(Ordering::Equal)
        );
        assert_eq!(
            Duration::calendar(1, 0).compare(Duration::seconds(365 * DAY)),
            Some(Ordering::Equal)
        );
        assert_eq!(
            Duration::seconds(7 * DAY).compare(Duration::calendar(1, 0)),
            Some(Ordering::Less)
        );
    }

    #[test]
    fn displays_humanely() {
        assert_eq!(Duration::seconds(2 * DAY + 4 * HOUR).to_string(), "2d 4h");
        assert_eq!(Duration::calendar(0, 12).to_string(), "12 months");
        assert_eq!(Duration::calendar(1, 1).to_string(), "1 year 1 month");
        assert_eq!(Duration::seconds(0).to_string(), "0s");
        assert_eq!(Duration::seconds(-90).to_string(), "-1m 30s");
    }

    #[test]
    fn month_end_clamps() {
        let jan31 = ts("2026-01-31T00:00:00Z");
        assert_eq!(
            Duration::calendar(0, 1).add_to(jan31),
            Some(ts("2026-02-28T00:00:00Z"))
        );
        assert_eq!(Duration::seconds(i64::MAX).add_to(jan31), None);
        assert_eq!(Duration::seconds(i64::MAX).checked_mul(2), None);
    }

    fn day(date: &str) -> Timestamp {
        ts(&format!("{date}T00:00:00Z"))
    }

    /// How `until - from` compares with `12 months`, `1 year` and `365d`.
    fn against_a_year(from: &str, until: &str) -> [Option<Ordering>; 3] {
        let interval = Duration::between(day(from), day(until));
        [
            Duration::calendar(0, 12),
            Duration::calendar(1, 0),
            Duration::seconds(365 * DAY),
        ]
        .map(|year| interval.compare(year))
    }

    #[test]
    fn twelve_months_one_year_and_365_days_at_the_calendar_edges() {
        use Ordering::{Equal, Greater, Less};
        // 2026 has no leap day: from a month's last day, all three end on 2027-01-31.
        assert_eq!(against_a_year("2026-01-31", "2027-01-31"), [Some(Equal); 3]);
        assert_eq!(against_a_year("2026-01-31", "2027-01-30"), [Some(Less); 3]);
        // Across 2028-02-29: 365 days end a day before the calendar year does.
        assert_eq!(
            against_a_year("2027-03-01", "2028-02-29"),
            [Some(Less), Some(Less), Some(Equal)]
        );
        assert_eq!(
            against_a_year("2027-03-01", "2028-03-01"),
            [Some(Equal), Some(Equal), Some(Greater)]
        );
        // From the leap day, a year or 12 months later is clamped to 2029-02-28, which is
        // also 365 days later.
        assert_eq!(against_a_year("2028-02-29", "2029-02-28"), [Some(Equal); 3]);
        // Month ends clamp per month: 2026-01-31 + 1 month is 2026-02-28.
        let feb = Duration::between(day("2026-01-31"), day("2026-02-28"));
        assert_eq!(feb.compare(Duration::calendar(0, 1)), Some(Equal));
        // Unanchored, 12 months are 360 days; a year and 365 days are equal.
        assert_eq!(
            Duration::calendar(0, 12).compare(Duration::calendar(1, 0)),
            Some(Less)
        );
        assert_eq!(
            Duration::calendar(1, 0).compare(Duration::seconds(365 * DAY)),
            Some(Equal)
        );
    }

    #[test]
    fn arithmetic_keeps_the_anchor() {
        use Ordering::{Equal, Less};
        // 2026-04-01 to 2027-03-30: two days short of 12 calendar months, but 363 days, more
        // than 12 unanchored months (360 days).
        let short = Duration::between(day("2026-04-01"), day("2027-03-30"));
        let year = Duration::calendar(0, 12);
        assert_eq!(short.compare(year), Some(Less));
        let plus_zero = short.checked_add(Duration::seconds(0)).unwrap();
        assert_eq!(plus_zero.anchor, short.anchor);
        assert_eq!(plus_zero.compare(year), Some(Less));
        // Either side's anchor; the left one's when both have one.
        let zero_plus = Duration::seconds(0).checked_add(short).unwrap();
        assert_eq!(zero_plus.anchor, short.anchor);
        let other = Duration::between(day("2020-01-01"), day("2020-01-02"));
        assert_eq!(other.checked_add(short).unwrap().anchor, other.anchor);
        // `* 1` keeps it; `* 2` from the same start.
        assert_eq!(short.checked_mul(1).unwrap().compare(year), Some(Less));
        let double = short.checked_mul(2).unwrap();
        assert_eq!(double.anchor, short.anchor);
        assert_eq!(double.compare(Duration::calendar(0, 24)), Some(Less));
        // Negation walks the interval back from its end: anchored at 2027-03-30.
        let back = short.checked_neg().unwrap();
        assert_eq!(back.anchor, Some(day("2027-03-30")));
        assert_eq!(back.checked_neg().unwrap().compare(year), Some(Less));
        assert_eq!(
            back.compare(Duration::calendar(0, -12)),
            Some(Ordering::Greater)
        );
        // `x - x` from an anchor is exactly nothing.
        let none = short.checked_add(short.checked_neg().unwrap()).unwrap();
        assert_eq!(none.compare(Duration::seconds(0)), Some(Equal));
        // An anchored duration with calendar parts counts its days from the anchor.
        let with_month = short.checked_add(Duration::calendar(0, 1)).unwrap();
        assert_eq!(with_month.days(), Some(363 + 30));
        let from_feb = Duration::between(day("2026-02-01"), day("2026-02-01"))
            .checked_add(Duration::calendar(0, 1))
            .unwrap();
        assert_eq!(from_feb.days(), Some(28));
        assert_eq!(Duration::calendar(0, 1).days(), Some(30));
    }
}
