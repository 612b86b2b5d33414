//! Durations at run time: exact seconds plus calendar months and years, optionally anchored
//! at the instant they start from.
//!
//! `12 months` and `1 year` are calendar amounts. A duration computed as `b - a` from two
//! dates or datetimes is *anchored* at `a`, so comparing it with a calendar amount is exact:
//! `eol - announced >= 12 months` holds when `announced + 12 months <= eol`. Without an anchor
//! on either side, a month counts as 30 days and a year as 365 days.

use std::cmp::Ordering;
use std::fmt;

use jiff::civil::DateTime;
use jiff::tz::Offset;
use jiff::{SignedDuration, Span, Timestamp};

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

    /// The time from `start` to `end`, anchored at `start`.
    pub fn between(start: Timestamp, end: Timestamp) -> Self {
        Duration {
            seconds: end.duration_since(start).as_secs(),
            months: 0,
            years: 0,
            anchor: Some(start),
        }
    }

    /// `self + other` (the anchor is dropped); `None` on overflow.
    pub fn checked_add(self, other: Duration) -> Option<Duration> {
        Some(Duration {
            seconds: self.seconds.checked_add(other.seconds)?,
            months: self.months.checked_add(other.months)?,
            years: self.years.checked_add(other.years)?,
            anchor: None,
        })
    }

    /// `-self` (the anchor is dropped); `None` on overflow.
    pub fn checked_neg(self) -> Option<Duration> {
        Some(Duration {
            seconds: self.seconds.checked_neg()?,
            months: self.months.checked_neg()?,
            years: self.years.checked_neg()?,
            anchor: None,
        })
    }

    /// `self * factor` (the anchor is dropped); `None` on overflow.
    pub fn checked_mul(self, factor: i64) -> Option<Duration> {
        Some(Duration {
            seconds: self.seconds.checked_mul(factor)?,
            months: self.months.checked_mul(factor)?,
            years: self.years.checked_mul(factor)?,
            anchor: None,
        })
    }

    /// The seconds it counts as without an anchor (30-day months, 365-day years); `None` on
    /// overflow.
    pub fn approx_seconds(self) -> Option<i64> {
        self.seconds
            .checked_add(self.months.checked_mul(MONTH_SECONDS)?)?
            .checked_add(self.years.checked_mul(YEAR_SECONDS)?)
    }

    /// Whole days (truncated towards zero); `None` on overflow.
    pub fn days(self) -> Option<i64> {
        Some(self.approx_seconds()? / DAY)
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
}
