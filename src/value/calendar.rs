//! Calendar dates with the precision they were written with: a year (`1953`), a month
//! (`1953-10`) or a day (`1953-10-01`).
//!
//! A [`Date`] is the span of days it stands for (1953 is every day of 1953) kept as the number
//! of its first day, plus its [`Precision`], so that it prints as written. Day numbers count
//! from 1970-01-01 (day 0) in the proleptic Gregorian calendar.
//!
//! Why hand-written rather than `jiff` or `time`: the language needs only two conversions
//! between a civil date and a day number (Howard Hinnant's public-domain algorithms, a few
//! lines each) and the length of a month; no clocks, time zones or formatting. Those crates
//! stop at years ±9999, while a model of ancient history may write `-500`; here a year is any
//! integer within ±[`MAX_YEAR`]. The conversions are property-tested against a day-by-day walk
//! of the calendar (`tests` below and `tests/properties.rs`).

use std::fmt;

/// The largest year a date may have (and its negation the smallest): far beyond any source,
/// small enough that day numbers never overflow.
pub const MAX_YEAR: i64 = 1_000_000;

/// How finely a date was written. The order is from fine to coarse, so that of two dates
/// starting on the same day, the shorter sorts first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Precision {
    /// `1953-10-01`
    Day,
    /// `1953-10`
    Month,
    /// `1953`
    Year,
}

/// A calendar date of some precision: the span of days from its first day to its last.
///
/// ```
/// use because::value::{Date, Precision};
///
/// let october = Date::month(1953, 10).unwrap();
/// assert_eq!(october.to_string(), "1953-10");
/// assert_eq!(october.precision(), Precision::Month);
/// assert_eq!(october.after_day() - october.first_day(), 31);
/// assert_eq!(Date::day(1953, 2, 30), None, "February 1953 has 28 days");
/// assert_eq!("1953-10-01".parse::<Date>(), Ok(Date::day(1953, 10, 1).unwrap()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    /// The day number of the first day.
    first: i64,
    precision: Precision,
}

/// Why text is not a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// Not shaped like `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    Shape,
    /// The year is beyond ±[`MAX_YEAR`].
    YearRange(i64),
    /// A month outside 1..=12.
    Month(u32),
    /// A day beyond the end of its month: the day and how many days the month has.
    Day { day: u32, days_in_month: u32 },
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateError::Shape => f.write_str("not a date: write YYYY, YYYY-MM or YYYY-MM-DD"),
            DateError::YearRange(y) => write!(f, "year {y} is out of range (at most {MAX_YEAR} either side of 0)"),
            DateError::Month(m) => write!(f, "there is no month {m}: months run from 01 to 12"),
            DateError::Day { day, days_in_month } => {
                write!(f, "there is no day {day} in this month: it has {days_in_month} days")
            }
        }
    }
}

impl std::error::Error for DateError {}

impl Date {
    /// The whole year `y`.
    pub fn year(y: i64) -> Option<Date> {
        in_range(y).then(|| Date { first: days_from_civil(y, 1, 1), precision: Precision::Year })
    }

    /// The whole month `m` (1 to 12) of year `y`.
    pub fn month(y: i64, m: u32) -> Option<Date> {
        (in_range(y) && (1..=12).contains(&m))
            .then(|| Date { first: days_from_civil(y, m, 1), precision: Precision::Month })
    }

    /// The day `d` of month `m` of year `y`, if the month has that day.
    pub fn day(y: i64, m: u32, d: u32) -> Option<Date> {
        (in_range(y) && (1..=12).contains(&m) && (1..=days_in_month(y, m)).contains(&d))
            .then(|| Date { first: days_from_civil(y, m, d), precision: Precision::Day })
    }

    /// The day with day number `n` (day 0 is 1970-01-01), if its year is in range.
    pub fn from_day_number(n: i64) -> Option<Date> {
        let (y, _, _) = civil_from_days(n.clamp(-MAX_DAYS, MAX_DAYS));
        (in_range(y) && n.abs() <= MAX_DAYS).then_some(Date { first: n, precision: Precision::Day })
    }

    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (the year may be negative and of any length),
    /// telling what is wrong with a date that does not exist.
    pub fn parse(text: &str) -> Result<Date, DateError> {
        let (sign, body) = match text.strip_prefix('-') {
            Some(rest) => (-1, rest),
            None => (1, text),
        };
        let mut parts = body.split('-');
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let year = parts.next().filter(|s| digits(s)).ok_or(DateError::Shape)?;
        let month = parts.next();
        let day = parts.next();
        if parts.next().is_some() || [month, day].into_iter().flatten().any(|p| p.len() != 2 || !digits(p)) {
            return Err(DateError::Shape);
        }
        let y = year.parse::<i64>().ok().map(|y| sign * y).filter(|&y| in_range(y));
        let y = y.ok_or_else(|| DateError::YearRange(year.parse::<i64>().map_or(i64::MAX, |y| sign * y)))?;
        let Some(month) = month else { return Date::year(y).ok_or(DateError::YearRange(y)) };
        let m: u32 = month.parse().map_err(|_| DateError::Shape)?;
        if !(1..=12).contains(&m) {
            return Err(DateError::Month(m));
        }
        let Some(day) = day else { return Date::month(y, m).ok_or(DateError::Month(m)) };
        let d: u32 = day.parse().map_err(|_| DateError::Shape)?;
        Date::day(y, m, d).ok_or(DateError::Day { day: d, days_in_month: days_in_month(y, m) })
    }

    pub fn precision(self) -> Precision {
        self.precision
    }

    /// The day number of the first day.
    pub fn first_day(self) -> i64 {
        self.first
    }

    /// The day number of the day after the last day.
    pub fn after_day(self) -> i64 {
        let (y, m, _) = civil_from_days(self.first);
        match self.precision {
            Precision::Day => self.first + 1,
            Precision::Month if m == 12 => days_from_civil(y + 1, 1, 1),
            Precision::Month => days_from_civil(y, m + 1, 1),
            Precision::Year => days_from_civil(y + 1, 1, 1),
        }
    }

    /// The year, month and day of the first day.
    pub fn civil(self) -> (i64, u32, u32) {
        civil_from_days(self.first)
    }

    /// The same date `n` years later (earlier for negative `n`), at the same precision; the
    /// 29th of February becomes the 28th in a year without it.
    pub fn add_years(self, n: i64) -> Option<Date> {
        let (y, m, d) = self.civil();
        let y = y.checked_add(n)?;
        match self.precision {
            Precision::Year => Date::year(y),
            Precision::Month => Date::month(y, m),
            Precision::Day => Date::day(y, m, d.min(days_in_month(y.clamp(-MAX_YEAR, MAX_YEAR), m))),
        }
    }
}

impl std::str::FromStr for Date {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Date, DateError> {
        Date::parse(s)
    }
}

/// As written: `1953`, `1953-10`, `1953-10-01` (months and days with two digits, a year of a
/// month or day with at least four).
impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.civil();
        let year = if y < 0 { format!("-{:04}", -y) } else { format!("{y:04}") };
        match self.precision {
            Precision::Year => write!(f, "{y}"),
            Precision::Month => write!(f, "{year}-{m:02}"),
            Precision::Day => write!(f, "{year}-{m:02}-{d:02}"),
        }
    }
}

/// Day numbers stay within the years ±`MAX_YEAR` (a little beyond, to be safe).
const MAX_DAYS: i64 = 366 * (MAX_YEAR + 1);

fn in_range(y: i64) -> bool {
    (-MAX_YEAR..=MAX_YEAR).contains(&y)
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// The number of days in month `m` (1 to 12) of year `y`.
pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The day number of a civil date (1970-01-01 is 0). Hinnant's `days_from_civil`: years are
/// counted from March so that the leap day ends the year, in 400-year eras of 146,097 days.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // [0, 399]
    let (m, d) = (i64::from(m), i64::from(d));
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number: the inverse of [`days_from_civil`].
pub fn civil_from_days(n: i64) -> (i64, u32, u32) {
    let z = n + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], from March
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(days_in_month(1900, 2), 28);
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(Date::parse("1953-02-30"), Err(DateError::Day { day: 30, days_in_month: 28 }));
        assert_eq!(Date::parse("1953-13"), Err(DateError::Month(13)));
        assert_eq!(Date::parse("1953-1"), Err(DateError::Shape));
        assert_eq!(Date::parse("-0500-03").map(|d| d.to_string()), Ok("-0500-03".to_string()));
        assert_eq!(Date::day(2024, 2, 29).and_then(|d| d.add_years(1)), Date::day(2025, 2, 28));
    }

    /// Walking the calendar one day at a time from a year's 1 January agrees with both
    /// conversions.
    #[test]
    fn a_day_by_day_walk_agrees() {
        for start in [-401, -1, 0, 1599, 1899, 1968, 1999, 2099] {
            let mut n = days_from_civil(start, 1, 1);
            for y in start..start + 3 {
                for m in 1..=12 {
                    for d in 1..=days_in_month(y, m) {
                        assert_eq!(days_from_civil(y, m, d), n);
                        assert_eq!(civil_from_days(n), (y, m, d));
                        n += 1;
                    }
                }
            }
        }
    }

    proptest! {
        #[test]
        fn conversions_are_inverse(n in -MAX_DAYS..MAX_DAYS) {
            let (y, m, d) = civil_from_days(n);
            prop_assert!((1..=12).contains(&m) && (1..=days_in_month(y, m)).contains(&d));
            prop_assert_eq!(days_from_civil(y, m, d), n);
            let (y2, m2, d2) = civil_from_days(n + 1);
            // The next day is the next day of the month, or the first of the next month.
            let next = if d < days_in_month(y, m) { (y, m, d + 1) } else if m < 12 { (y, m + 1, 1) } else { (y + 1, 1, 1) };
            prop_assert_eq!((y2, m2, d2), next);
        }

        #[test]
        fn parse_then_print_gives_it_back(y in -9999i64..9999, m in 1u32..=12, d in 1u32..=31, precision in 0..3) {
            let d = d.min(days_in_month(y, m));
            let date = match precision { 0 => Date::year(y), 1 => Date::month(y, m), _ => Date::day(y, m, d) }.unwrap();
            let text = date.to_string();
            prop_assert_eq!(Date::parse(&text), Ok(date));
        }
    }
}
