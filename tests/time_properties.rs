//! Properties of times (`proptest`):
//!
//! - a date or an interval printed and read back (by `str::parse` and through the language)
//!   is the same time, written the same way;
//! - every interval test agrees with a plain reference over day numbers, where the day
//!   numbers come from a calendar counted out here month by month (not the crate's
//!   conversion).

use because::eval::Limits;
use because::kb::KnowledgeBase;
use because::value::{Interval, Value};
use proptest::prelude::*;

/// A date as text at a random precision, between 1890 and 2110 (a range the reference
/// calendar below counts out).
fn date_text() -> impl Strategy<Value = String> {
    (1890i64..2110, 1u32..=12, 1u32..=31, 0..3).prop_map(|(y, m, d, precision)| match precision {
        0 => format!("{y}"),
        1 => format!("{y}-{m:02}"),
        _ => format!("{y}-{m:02}-{:02}", d.min(days_in_month(y, m))),
    })
}

/// A time as text: a date, or an interval with either end open (start not after end).
fn time_text() -> impl Strategy<Value = String> {
    (proptest::option::of(date_text()), proptest::option::of(date_text()), any::<bool>()).prop_map(|(a, b, point)| {
        match (a, b) {
            (Some(a), _) if point => a,
            // `1986..1986` is the point `1986`, and prints as one.
            (Some(a), Some(b)) if a == b => a,
            (Some(a), Some(b)) => {
                let (lo, hi) = (reference_span(&a).0, reference_span(&b).1);
                if lo <= hi { format!("{a}..{b}") } else { format!("{b}..{a}") }
            }
            (a, b) => format!("{}..{}", a.unwrap_or_default(), b.unwrap_or_default()),
        }
    })
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    [31, if is_leap(y) { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m as usize - 1]
}

/// The reference day number: days counted one month at a time from 1 January 1890.
fn day_number(y: i64, m: u32, d: u32) -> i64 {
    let mut n = 0;
    for year in 1890..y {
        n += if is_leap(year) { 366 } else { 365 };
    }
    for month in 1..m {
        n += i64::from(days_in_month(y, month));
    }
    n + i64::from(d) - 1
}

/// The first and last day numbers of a date written as text.
fn reference_span(text: &str) -> (i64, i64) {
    let parts: Vec<i64> = text.split('-').map(|p| p.parse().unwrap()).collect();
    match parts[..] {
        [y] => (day_number(y, 1, 1), day_number(y, 12, 31)),
        [y, m] => (day_number(y, m as u32, 1), day_number(y, m as u32, days_in_month(y, m as u32))),
        [y, m, d] => (day_number(y, m as u32, d as u32), day_number(y, m as u32, d as u32)),
        _ => unreachable!("dates have one to three parts"),
    }
}

/// The first and last day of a time as text, open ends as ±infinity.
fn reference_interval(text: &str) -> (i64, i64) {
    match text.split_once("..") {
        None => reference_span(text),
        Some((a, b)) => (
            if a.is_empty() { i64::MIN } else { reference_span(a).0 },
            if b.is_empty() { i64::MAX } else { reference_span(b).1 },
        ),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_time_prints_as_it_was_written(text in time_text()) {
        let time: Interval = text.parse().unwrap();
        prop_assert_eq!(time.to_string(), text);
    }

    #[test]
    fn interval_tests_agree_with_day_numbers(a in time_text(), b in time_text()) {
        let (x, y): (Interval, Interval) = (a.parse().unwrap(), b.parse().unwrap());
        let ((xlo, xhi), (ylo, yhi)) = (reference_interval(&a), reference_interval(&b));
        let open_start = |t: &str| t.starts_with("..");
        let open_end = |t: &str| t.ends_with("..");
        prop_assert_eq!(x.during(&y), ylo <= xlo && xhi <= yhi, "{} during {}", a, b);
        prop_assert_eq!(x.overlaps(&y), xlo <= yhi && ylo <= xhi, "{} overlaps {}", a, b);
        prop_assert_eq!(x.before(&y), !open_end(&a) && !open_start(&b) && xhi < ylo, "{} before {}", a, b);
        prop_assert_eq!(x.after(&y), !open_start(&a) && !open_end(&b) && xlo > yhi, "{} after {}", a, b);
        prop_assert_eq!(x.same_days(&y), xlo == ylo && xhi == yhi, "{} = {}", a, b);
        if let (false, false) = (open_start(&a) || open_end(&a), x.is_point()) {
            prop_assert_eq!(x.days(), Some(xhi - xlo + 1));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Through the language: a time written in a fact comes back from a query as written, and
    /// the language's tests give the reference's answers.
    #[test]
    fn the_language_reads_times_back_and_tests_them(a in time_text(), b in time_text()) {
        let mut kb = KnowledgeBase::new(Limits::default());
        kb.load_str("t.kb", &format!("t(a, {a}).\nt(b, {b}).\n"), None).unwrap();
        let rows = kb.query("t(a, X)").unwrap().rows;
        prop_assert_eq!(rows[0][0].to_string(), a.clone());
        prop_assert!(matches!(rows[0][0], Value::Interval(_) | Value::Int(_)));
        let ((xlo, xhi), (ylo, yhi)) = (reference_interval(&a), reference_interval(&b));
        let holds = |q: &str| !kb.query(&format!("t(a, X), t(b, Y), {q}")).unwrap().rows.is_empty();
        prop_assert_eq!(holds("X during Y"), ylo <= xlo && xhi <= yhi);
        prop_assert_eq!(holds("X overlaps Y"), xlo <= yhi && ylo <= xhi);
    }
}
