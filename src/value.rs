//! Constants and their interned ids.
//!
//! Every constant the engine sees (symbol, string, integer, decimal, interval) gets one [`Id`],
//! a `u32`, from an [`Interner`], and is handled as that id from then on. Relations store only
//! ids. Non-negative integers below 2^31 - 1 are held in the id itself and never stored; every
//! other constant is interned once. A symbol and a string with the same text are the same
//! constant (`Value::Text`).

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use rustc_hash::FxHashMap;

pub mod calendar;
pub mod text;

pub use calendar::{Date, DateError, MAX_YEAR, Precision};

/// A constant's id from an [`Interner`]: an integer from 0 to 2^31 - 2 held in the id itself
/// (`0x8000_0000 | n`), or an index into the interner. Equal ids are equal values and the
/// reverse; the order of ids is not the order of values. `u32::MAX` is never an id.
///
/// ```
/// use because::value::{Id, Interner, Value};
///
/// let mut interner = Interner::default();
/// let id: Id = interner.intern(Value::Int(7));
/// assert_eq!(id, 0x8000_0007);
/// assert_eq!(interner.value(id), Value::Int(7));
/// ```
pub type Id = u32;

/// A time: a point written as a date (`1953`, `1953-10`, `1953-10-01`) or an interval between
/// two dates, either end open (`1950-06-25..1953-07-27`, `1991..`, `..1990`, `..` for all
/// times). A point is the interval whose two ends are the same date. Every test is over the
/// days it covers: from the first day of its start to the last day of its end, so `1953`
/// covers all of 1953 and `1953-10 during 1953` holds (see `docs/time.md`).
///
/// ```
/// use because::value::Interval;
///
/// let cold_war = Interval::years(Some(1947), Some(1991));
/// assert_eq!(cold_war.to_string(), "1947..1991");
/// assert!(Interval::year(1953).during(&cold_war));
/// assert_eq!(Interval::years(Some(1991), None).to_string(), "1991..");
/// let treaty: Interval = "1953-10-01".parse().unwrap();
/// assert!(treaty.during(&"1953-10".parse().unwrap()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Interval {
    /// The first date, or `None` for no start (`..1990`).
    pub start: Option<Date>,
    /// The last date (inclusive: its whole span), or `None` for no end (`1991..`).
    pub end: Option<Date>,
}

impl Interval {
    /// `..`: all times, said explicitly.
    ///
    /// ```
    /// use because::value::Interval;
    ///
    /// assert!(Interval::year(1066).during(&Interval::ALWAYS));
    /// assert_eq!(Interval::ALWAYS.to_string(), "..");
    /// ```
    pub const ALWAYS: Interval = Interval { start: None, end: None };

    /// The point of one date.
    pub fn point(date: Date) -> Interval {
        Interval { start: Some(date), end: Some(date) }
    }

    /// The one-year point `y`; panics outside the years ±[`MAX_YEAR`] (see
    /// [`Interval::try_year`]).
    ///
    /// ```
    /// use because::value::Interval;
    ///
    /// assert_eq!(Interval::year(1953).to_string(), "1953");
    /// ```
    pub fn year(y: i64) -> Interval {
        Interval::try_year(y).unwrap_or_else(|| panic!("year {y} out of range"))
    }

    /// The one-year point `y`, if the year is in range.
    pub fn try_year(y: i64) -> Option<Interval> {
        Date::year(y).map(Interval::point)
    }

    /// The interval between two years, either open; panics outside the years ±[`MAX_YEAR`].
    ///
    /// ```
    /// use because::value::Interval;
    ///
    /// assert_eq!(Interval::years(None, Some(1990)).to_string(), "..1990");
    /// ```
    pub fn years(start: Option<i64>, end: Option<i64>) -> Interval {
        let date = |y: i64| Date::year(y).unwrap_or_else(|| panic!("year {y} out of range"));
        Interval { start: start.map(date), end: end.map(date) }
    }

    /// Whether both ends are the same date: a point, written as one date.
    pub fn is_point(&self) -> bool {
        self.start.is_some() && self.start == self.end
    }

    /// The first day covered (day number), `i64::MIN` when open at the start.
    pub fn lo(&self) -> i64 {
        self.start.map_or(i64::MIN, Date::first_day)
    }

    /// The day after the last day covered (day number), `i64::MAX` when open at the end.
    pub fn hi(&self) -> i64 {
        self.end.map_or(i64::MAX, Date::after_day)
    }

    /// Whether the interval covers at least one day (its start is not after its end).
    pub fn is_valid(&self) -> bool {
        self.lo() < self.hi()
    }

    /// Strictly after: every day of this interval follows every day of `other` (`T after 1990`).
    /// An interval open at the start is after nothing.
    ///
    /// ```
    /// use because::value::Interval;
    ///
    /// assert!(Interval::years(Some(1991), None).after(&Interval::year(1990)));
    /// assert!(!Interval::years(Some(1985), Some(1995)).after(&Interval::year(1990)));
    /// ```
    pub fn after(&self, other: &Interval) -> bool {
        self.start.is_some() && other.end.is_some() && self.lo() >= other.hi()
    }

    /// Strictly before: every day of this interval precedes every day of `other`
    /// (`T before 1990`).
    ///
    /// ```
    /// use because::value::Interval;
    ///
    /// assert!(Interval::years(Some(1954), Some(1971)).before(&Interval::year(1990)));
    /// assert!(!Interval::years(None, Some(1990)).before(&Interval::year(1990)));
    /// ```
    pub fn before(&self, other: &Interval) -> bool {
        self.end.is_some() && other.start.is_some() && self.hi() <= other.lo()
    }

    /// Contained in `other`: every day of this interval is a day of `other` (`T during 1991..2019`).
    ///
    /// ```
    /// use because::value::Interval;
    ///
    /// let life = Interval::years(Some(1953), None);
    /// assert!(Interval::years(Some(1991), Some(2019)).during(&life));
    /// assert!(!Interval::years(None, Some(2019)).during(&life));
    /// ```
    pub fn during(&self, other: &Interval) -> bool {
        other.lo() <= self.lo() && self.hi() <= other.hi()
    }

    /// Shares at least one day with `other`: `T overlaps Span`.
    ///
    /// ```
    /// use because::value::Interval;
    ///
    /// let sixties = Interval::years(Some(1960), Some(1969));
    /// assert!(Interval::years(None, Some(1960)).overlaps(&sixties));
    /// assert!(!Interval::year(1970).overlaps(&sixties));
    /// ```
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.lo() < other.hi() && other.lo() < self.hi()
    }

    /// Covers exactly the same days as `other`, however each was written (`1953` and
    /// `1953-01..1953-12` cover the same days).
    pub fn same_days(&self, other: &Interval) -> bool {
        self.lo() == other.lo() && self.hi() == other.hi()
    }

    /// The number of days covered, if both ends are given.
    ///
    /// ```
    /// use because::value::Interval;
    ///
    /// assert_eq!(Interval::year(2024).days(), Some(366));
    /// assert_eq!(Interval::years(Some(2024), None).days(), None);
    /// ```
    pub fn days(&self) -> Option<i64> {
        (self.start.is_some() && self.end.is_some()).then(|| self.hi() - self.lo())
    }

    /// The number of whole years covered (counted as birthdays are: from the first day to the
    /// day after the last), if both ends are given.
    ///
    /// ```
    /// use because::value::Interval;
    ///
    /// let war: Interval = "1950-06-25..1953-07-27".parse().unwrap();
    /// assert_eq!(war.whole_years(), Some(3));
    /// assert_eq!(Interval::years(Some(1954), Some(1971)).whole_years(), Some(18));
    /// ```
    pub fn whole_years(&self) -> Option<i64> {
        let _ = self.days()?;
        let (y1, m1, d1) = calendar::civil_from_days(self.lo());
        let (y2, m2, d2) = calendar::civil_from_days(self.hi());
        Some(y2 - y1 - i64::from((m2, d2) < (m1, d1)))
    }

    /// The interval moved by `n` days. A day keeps its precision; a month or a year moved by
    /// days no longer is one, so it becomes the days it covers, moved
    /// (`1953-10` plus 7 days is `1953-10-08..1953-11-07`).
    pub fn add_days(&self, n: i64) -> Option<Interval> {
        let shift = |day: i64| day.checked_add(n).and_then(Date::from_day_number);
        let start = match self.start {
            Some(d) => Some(shift(d.first_day())?),
            None => None,
        };
        let end = match self.end {
            Some(d) => Some(shift(d.after_day() - 1)?),
            None => None,
        };
        Some(Interval { start, end })
    }

    /// The interval moved by `n` calendar years, each end keeping its precision (the 29th of
    /// February becomes the 28th in a year without it).
    pub fn add_years(&self, n: i64) -> Option<Interval> {
        let start = match self.start {
            Some(d) => Some(d.add_years(n)?),
            None => None,
        };
        let end = match self.end {
            Some(d) => Some(d.add_years(n)?),
            None => None,
        };
        Some(Interval { start, end })
    }
}

/// Reads `1953`, `1953-10-01`, `1950-06-25..1953-07-27`, `1991..`, `..1990`, `..`.
impl std::str::FromStr for Interval {
    type Err = DateError;

    fn from_str(text: &str) -> Result<Interval, DateError> {
        let end = |s: &str| if s.is_empty() { Ok(None) } else { Date::parse(s).map(Some) };
        match text.split_once("..") {
            Some((a, b)) => Ok(Interval { start: end(a)?, end: end(b)? }),
            None => Date::parse(text).map(Interval::point),
        }
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.start, self.end) {
            (Some(a), Some(b)) if a == b => write!(f, "{a}"),
            (Some(a), Some(b)) => write!(f, "{a}..{b}"),
            (Some(a), None) => write!(f, "{a}.."),
            (None, Some(b)) => write!(f, "..{b}"),
            (None, None) => write!(f, ".."),
        }
    }
}

/// A constant of the language: what answers hold and what facts are made of.
///
/// `Display` gives plain text (`rok`, `Republic of Korea`, `2.5e9`, `1954..1971`);
/// [`crate::syntax::print`] writes it as `.kb` syntax that reads back as the same value. Values order as
/// answers are sorted: numbers by value, then times, then `undated`, then text.
///
/// ```
/// use because::value::{Interval, Value};
///
/// assert_eq!(Value::text("Republic of Korea").to_string(), "Republic of Korea");
/// assert_eq!(Value::Dec(2.5e9).to_string(), "2.5e9");
/// let mut values = vec![Value::text("b"), Value::Interval(Interval::year(1990)), Value::Dec(1.5), Value::Int(2)];
/// values.sort();
/// assert_eq!(values.iter().map(Value::to_string).collect::<Vec<_>>(), ["1.5", "2", "1990", "b"]);
/// ```
#[derive(Debug, Clone)]
pub enum Value {
    /// A 64-bit integer (overflow is an error).
    Int(i64),
    /// Never NaN or infinite: arithmetic that would produce one is an error.
    Dec(f64),
    /// A symbol or a string: equal text is the same constant.
    Text(Arc<str>),
    /// A time: a date or an interval between dates.
    Interval(Interval),
    /// The time of a fact whose source gives no date (a fact of a dated predicate written
    /// without `@`): it holds at some time, unknown. Every time test on it fails; it prints
    /// as `undated`.
    Undated,
}

impl Value {
    /// A text constant (symbol or string: equal text is the same constant).
    ///
    /// ```
    /// use because::value::Value;
    ///
    /// assert_eq!(Value::text("rok"), Value::Text("rok".into()));
    /// ```
    pub fn text(s: &str) -> Value {
        Value::Text(Arc::from(s))
    }

    /// The value as an interval, if it is one; an integer is the one-year interval.
    ///
    /// ```
    /// use because::value::{Interval, Value};
    ///
    /// assert_eq!(Value::Int(1953).as_interval(), Some(Interval::year(1953)));
    /// assert_eq!(Value::text("1953").as_interval(), None);
    /// ```
    pub fn as_interval(&self) -> Option<Interval> {
        match self {
            Value::Interval(i) => Some(*i),
            Value::Int(y) => Interval::try_year(*y),
            _ => None,
        }
    }

    /// The value as a number, if it is one.
    ///
    /// ```
    /// use because::value::Value;
    ///
    /// assert_eq!(Value::Int(3).as_f64(), Some(3.0));
    /// assert_eq!(Value::Dec(0.25).as_f64(), Some(0.25));
    /// assert_eq!(Value::text("3").as_f64(), None);
    /// ```
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Dec(d) => Some(*d),
            _ => None,
        }
    }

    /// An integer or a decimal.
    ///
    /// ```
    /// use because::value::Value;
    ///
    /// assert!(Value::Dec(1.0).is_number());
    /// assert!(!Value::text("one").is_number());
    /// ```
    pub fn is_number(&self) -> bool {
        matches!(self, Value::Int(_) | Value::Dec(_))
    }

    /// The one form of a number: a decimal with an integral value an `i64` holds is that
    /// integer (`1000.0` is `1000`, `-0.0` and `0.0` are `0`). Numerically equal numbers are the
    /// same constant, so joins, negation, deduplication, grouping and `=` agree.
    ///
    /// ```
    /// use because::value::Value;
    ///
    /// assert_eq!(Value::Dec(1000.0).normalized(), Value::Int(1000));
    /// assert!(matches!(Value::Dec(-0.0).normalized(), Value::Int(0)));
    /// assert!(matches!(Value::Dec(0.5).normalized(), Value::Dec(_)));
    /// assert!(matches!(Value::Dec(1e300).normalized(), Value::Dec(_)), "beyond i64: stays a decimal");
    /// ```
    pub fn normalized(self) -> Value {
        match self {
            Value::Dec(d) => match integral(d) {
                Some(i) => Value::Int(i),
                None => Value::Dec(d),
            },
            other => other,
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Value::Int(_) | Value::Dec(_) => 0,
            Value::Interval(_) => 1,
            Value::Undated => 2,
            Value::Text(_) => 3,
        }
    }
}

/// The integer a decimal equals exactly, if an `i64` holds it (`-0.0` is `0`).
fn integral(d: f64) -> Option<i64> {
    // 2^63 is exact as an f64; every f64 in [-2^63, 2^63) converts without loss when integral.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    (d.fract() == 0.0 && (-LIMIT..LIMIT).contains(&d)).then_some(d as i64)
}

/// An integer against a decimal, exactly (no rounding of the integer to an f64: 2^53 + 1 is
/// more than 2^53).
pub fn cmp_int_dec(x: i64, d: f64) -> Ordering {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if d < -LIMIT {
        return Ordering::Greater;
    }
    if d >= LIMIT {
        return Ordering::Less;
    }
    let whole = d.trunc();
    // Within range the fractional part is exact; the integer is past `d` by `-fraction`.
    x.cmp(&(whole as i64)).then_with(|| 0.0_f64.partial_cmp(&(d - whole)).unwrap_or(Ordering::Equal))
}

/// Two numbers by value, exactly: the order of `<` and the equality of `=`, joins and
/// deduplication (`1 = 1.0`, `-0.0 = 0`).
pub fn cmp_numbers(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Dec(x), Value::Dec(y)) => x.partial_cmp(y),
        (Value::Int(x), Value::Dec(d)) => Some(cmp_int_dec(*x, *d)),
        (Value::Dec(d), Value::Int(x)) => Some(cmp_int_dec(*x, *d).reverse()),
        _ => None,
    }
}

/// The total order in which answers are sorted: numbers (by value), then times, then `undated`, then text.
/// Numerically equal numbers are equal (see [`Value::normalized`]).
impl Ord for Value {
    fn cmp(&self, other: &Value) -> Ordering {
        match (self, other) {
            (Value::Text(a), Value::Text(b)) => a.cmp(b),
            (Value::Interval(a), Value::Interval(b)) => a.cmp(b),
            (a, b) => match cmp_numbers(a, b) {
                Some(o) => o,
                None => a.rank().cmp(&b.rank()),
            },
        }
    }
}

impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Value) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Text(a), Value::Text(b)) => a == b,
            (Value::Interval(a), Value::Interval(b)) => a == b,
            (Value::Undated, Value::Undated) => true,
            (a, b) => cmp_numbers(a, b) == Some(Ordering::Equal),
        }
    }
}

impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            // Hashed in normal form, so equal numbers hash alike.
            Value::Int(i) => (0u8, i).hash(state),
            Value::Dec(d) => match integral(*d) {
                Some(i) => (0u8, i).hash(state),
                None => (1u8, d.to_bits()).hash(state),
            },
            Value::Text(s) => (2u8, s).hash(state),
            Value::Interval(i) => (3u8, i).hash(state),
            Value::Undated => 4u8.hash(state),
        }
    }
}

/// Plain text: symbols and strings bare, integers in decimal, decimals in shortest
/// round-trip form (always with a `.` or an exponent), intervals as `1954..1971`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(i) => write!(f, "{i}"),
            Value::Dec(d) => f.write_str(&decimal_text(*d)),
            Value::Text(s) => f.write_str(s),
            Value::Interval(i) => write!(f, "{i}"),
            Value::Undated => f.write_str("undated"),
        }
    }
}

/// The shortest text that reads back as the same decimal: plain (`0.25`, `63000.0`) unless the
/// exponent form is shorter for a large or small magnitude (`2.5e9`, `1e-7`).
///
/// ```
/// use because::value::decimal_text;
///
/// assert_eq!(decimal_text(2.5e9), "2.5e9");
/// assert_eq!(decimal_text(63000.0), "63000.0");
/// ```
pub fn decimal_text(d: f64) -> String {
    let plain = format!("{d:?}");
    let sci = format!("{d:e}");
    let exponent = d.abs().log10().floor();
    if sci.len() < plain.len() && !(-4.0..6.0).contains(&exponent) { sci } else { plain }
}

/// Ids from this bit up are integers held in the id itself: `INLINE | n` for `0 <= n < INLINE_END`.
const INLINE: Id = 1 << 31;
/// One past the largest inline integer. `u32::MAX` (`INLINE | INLINE_END`) is never an id, so
/// it stays free as a sentinel.
const INLINE_END: i64 = (1 << 31) - 1;

/// Gives every constant its id. Non-negative integers below 2^31 - 1 (node numbers, counts,
/// years) are encoded in the id itself, `0x8000_0000 | n`, and never stored; every other value
/// is interned to a dense id from 0 (below `0x8000_0000`). Each value has exactly one id, so
/// ids compare equal exactly when values are equal, which is what joins rely on. The numeric
/// order of ids means nothing: [`Interner::compare`] orders them by value.
///
/// Interned ids are never reused, so an id stays valid for the life of the knowledge base; a
/// failed load may leave unused ids behind, which is harmless. [`Interner::len`] counts the
/// interned values only, so an id is not an index below it.
///
/// ```
/// use because::value::{Interner, Value};
///
/// let mut interner = Interner::default();
/// let a = interner.intern(Value::text("a"));
/// assert_eq!(interner.intern_text("a"), a, "interned once");
/// assert_eq!(interner.lookup(&Value::text("a")), Some(a));
/// assert_eq!(interner.value(a), Value::text("a"));
/// let n = interner.intern(Value::Int(200_000));
/// assert_eq!(interner.value(n), Value::Int(200_000));
/// assert_eq!(interner.len(), 1, "the integer is in its id, not in the interner");
/// ```
///
/// An *overlay* ([`Interner::overlay`]) reads a shared interner and interns only what that one
/// lacks, under ids after all of the shared one's: a query's constants and computed values live
/// in an overlay that is dropped with the query, so a snapshot answers through `&self` and a
/// long session does not grow.
///
/// ```
/// use std::sync::Arc;
/// use because::value::{Interner, Value};
///
/// let mut shared = Interner::default();
/// let a = shared.intern_text("a");
/// let shared = Arc::new(shared);
/// let mut overlay = Interner::overlay(shared.clone());
/// assert_eq!(overlay.intern_text("a"), a, "known to the shared interner");
/// let b = overlay.intern_text("b");
/// assert_eq!(overlay.value(b), Value::text("b"));
/// assert_eq!(shared.lookup(&Value::text("b")), None, "the shared interner is unchanged");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Interner {
    /// The shared interner an overlay reads; its ids are below `base_len`.
    base: Option<Arc<Interner>>,
    base_len: u32,
    values: Vec<Value>,
    /// Text is looked up by `&str`, so interning known text never allocates.
    texts: FxHashMap<Arc<str>, Id>,
    /// Everything else: decimals, intervals, and integers outside the inline range.
    others: FxHashMap<Value, Id>,
}

/// The id of an integer in the inline range (the id [`Interner::intern`] gives it).
#[inline]
pub(crate) fn inline_id(i: i64) -> Option<Id> {
    (0..INLINE_END).contains(&i).then_some(INLINE | i as Id)
}

/// The integer an inline id holds (`u32::MAX` holds none: it is not an id).
#[inline]
pub(crate) fn inline_int(id: Id) -> Option<i64> {
    (INLINE..u32::MAX).contains(&id).then_some(i64::from(id & !INLINE))
}

impl Interner {
    /// An empty overlay over `base` (see the type's documentation).
    pub fn overlay(base: Arc<Interner>) -> Interner {
        let base_len = base.base_len + base.values.len() as u32;
        Interner { base: Some(base), base_len, ..Interner::default() }
    }

    /// Whether this is an overlay read from `base` (the same shared interner, not a copy).
    pub fn is_overlay_of(&self, base: &Arc<Interner>) -> bool {
        self.base.as_ref().is_some_and(|b| Arc::ptr_eq(b, base))
    }

    /// The id of `value`, interning it if it is new.
    ///
    /// ```
    /// use because::value::{Interner, Value};
    ///
    /// let mut interner = Interner::default();
    /// let a = interner.intern(Value::text("a"));
    /// assert_eq!(interner.intern(Value::text("a")), a);
    /// assert_ne!(interner.intern(Value::Int(1)), a);
    /// ```
    pub fn intern(&mut self, value: Value) -> Id {
        match value.normalized() {
            Value::Int(i) => match inline_id(i) {
                Some(id) => id,
                None => self.intern_other(Value::Int(i)),
            },
            Value::Text(text) => {
                if let Some(&id) = self.texts.get(&*text) {
                    return id;
                }
                if let Some(id) = self.base.as_ref().and_then(|b| b.lookup_text(&text)) {
                    return id;
                }
                let id = self.next_id();
                self.values.push(Value::Text(text.clone()));
                self.texts.insert(text, id);
                id
            }
            other => self.intern_other(other),
        }
    }

    fn intern_other(&mut self, value: Value) -> Id {
        if let Some(&id) = self.others.get(&value) {
            return id;
        }
        if let Some(id) = self.base.as_ref().and_then(|b| b.lookup(&value)) {
            return id;
        }
        let id = self.next_id();
        self.values.push(value.clone());
        self.others.insert(value, id);
        id
    }

    fn next_id(&self) -> Id {
        let id = self.base_len + self.values.len() as Id;
        assert!(id < INLINE, "more than 2^31 distinct constants");
        id
    }

    /// Interns text, allocating only when it is new.
    ///
    /// ```
    /// use because::value::{Interner, Value};
    ///
    /// let mut interner = Interner::default();
    /// let id = interner.intern_text("rok");
    /// assert_eq!(interner.value(id), Value::text("rok"));
    /// ```
    pub fn intern_text(&mut self, text: &str) -> Id {
        if let Some(id) = self.lookup_text(text) {
            return id;
        }
        self.intern(Value::Text(Arc::from(text)))
    }

    /// The id of `text` if it has one (here or in the shared interner of an overlay).
    fn lookup_text(&self, text: &str) -> Option<Id> {
        self.texts.get(text).copied().or_else(|| self.base.as_ref().and_then(|b| b.lookup_text(text)))
    }

    /// The id of `value` if it has one, without interning it: an integer in the inline range
    /// always has one.
    ///
    /// ```
    /// use because::value::{Interner, Value};
    ///
    /// let mut interner = Interner::default();
    /// let id = interner.intern(Value::Dec(0.5));
    /// assert_eq!(interner.lookup(&Value::Dec(0.5)), Some(id));
    /// assert_eq!(interner.lookup(&Value::Dec(1.5)), None);
    /// assert_eq!(interner.lookup(&Value::Int(-1)), None);
    /// assert!(interner.lookup(&Value::Int(7)).is_some(), "an inline integer");
    /// ```
    pub fn lookup(&self, value: &Value) -> Option<Id> {
        let own = match value {
            Value::Int(i) => inline_id(*i).or_else(|| self.others.get(value).copied()),
            Value::Dec(d) => match integral(*d) {
                Some(i) => return self.lookup(&Value::Int(i)),
                None => self.others.get(value).copied(),
            },
            Value::Text(t) => return self.lookup_text(t),
            other => self.others.get(other).copied(),
        };
        own.or_else(|| self.base.as_ref().and_then(|b| b.lookup(value)))
    }

    /// The value of `id`; panics for `u32::MAX` and for an id below `0x8000_0000` that this
    /// interner did not give out. Text is an `Arc`, so this is cheap; [`Interner::with_value`]
    /// and [`Interner::compare`] avoid even that.
    ///
    /// ```
    /// use because::value::{Interner, Value};
    ///
    /// let mut interner = Interner::default();
    /// let id = interner.intern(Value::Int(1953));
    /// assert_eq!(interner.value(id).to_string(), "1953");
    /// ```
    #[inline]
    pub fn value(&self, id: Id) -> Value {
        match inline_int(id) {
            Some(i) => Value::Int(i),
            None if id < self.base_len => self.base.as_ref().map_or(Value::Int(0), |b| b.value(id)),
            None => self.values[(id - self.base_len) as usize].clone(),
        }
    }

    /// Calls `f` with a reference to the value of `id`, without cloning it.
    ///
    /// ```
    /// use because::value::{Interner, Value};
    ///
    /// let mut interner = Interner::default();
    /// let id = interner.intern_text("rok");
    /// assert_eq!(interner.with_value(id, |v| matches!(v, Value::Text(_))), true);
    /// ```
    #[inline]
    pub fn with_value<R>(&self, id: Id, f: impl FnOnce(&Value) -> R) -> R {
        match inline_int(id) {
            Some(i) => f(&Value::Int(i)),
            None if id < self.base_len => match &self.base {
                Some(b) => b.with_value(id, f),
                None => f(&Value::Int(0)),
            },
            None => f(&self.values[(id - self.base_len) as usize]),
        }
    }

    /// The values of two ids in the order answers are sorted (see [`Value`]'s `Ord`).
    ///
    /// ```
    /// use std::cmp::Ordering;
    /// use because::value::{Interner, Value};
    ///
    /// let mut interner = Interner::default();
    /// let (b, one, minus) = (interner.intern_text("b"), interner.intern(Value::Int(1)), interner.intern(Value::Int(-1)));
    /// assert_eq!(interner.compare(minus, one), Ordering::Less);
    /// assert_eq!(interner.compare(b, one), Ordering::Greater);
    /// ```
    #[inline]
    pub fn compare(&self, a: Id, b: Id) -> Ordering {
        if a == b {
            return Ordering::Equal;
        }
        match (inline_int(a), inline_int(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => self.with_value(a, |x| self.with_value(b, |y| x.cmp(y))),
        }
    }

    /// How many values are interned; integers held in their ids are not counted.
    ///
    /// ```
    /// use because::value::{Interner, Value};
    ///
    /// let mut interner = Interner::default();
    /// interner.intern_text("a");
    /// interner.intern_text("a");
    /// interner.intern(Value::Int(42));
    /// assert_eq!(interner.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.base_len as usize + self.values.len()
    }

    /// Nothing is interned yet (integers held in their ids do not count).
    ///
    /// ```
    /// use because::value::{Interner, Value};
    ///
    /// let mut interner = Interner::default();
    /// interner.intern(Value::Int(3));
    /// assert!(interner.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A parameter's value from its command-line text: an integer, a date or an interval
/// (`1953-10-01`, `1991..`), a decimal, or else text.
///
/// ```
/// use because::value::param_value;
/// use because::value::{Interval, Value};
///
/// assert_eq!(param_value("1995"), Value::Int(1995));
/// assert_eq!(param_value("1991.."), Value::Interval(Interval::years(Some(1991), None)));
/// assert_eq!(param_value("1953-10").to_string(), "1953-10");
/// assert_eq!(param_value("2.5e9"), Value::Dec(2.5e9));
/// assert_eq!(param_value("rok"), Value::text("rok"));
/// ```
pub fn param_value(text: &str) -> Value {
    let t = text.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Value::Int(i);
    }
    if let Ok(time) = t.parse::<Interval>() {
        return Value::Interval(time);
    }
    if t.bytes().any(|b| b.is_ascii_digit()) {
        if let Ok(d) = t.parse::<f64>() {
            if d.is_finite() {
                return Value::Dec(d);
            }
        }
    }
    Value::text(text)
}

/// The hash of a tuple of ids, as relations and the checker's duplicate test compute it.
#[inline]
pub fn hash_ids(ids: impl Iterator<Item = Id>) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    for id in ids {
        h.write_u32(id);
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_print_shortest_and_read_back() {
        for (d, text) in [
            (2.5e9, "2.5e9"),
            (63000.0, "63000.0"),
            (0.25, "0.25"),
            (1e-7, "1e-7"),
            (-3.2e9, "-3.2e9"),
            (1.0, "1.0"),
            (0.0, "0.0"),
        ] {
            assert_eq!(decimal_text(d), text);
            assert_eq!(text.parse::<f64>().ok(), Some(d));
        }
    }

    #[test]
    fn integers_have_one_id_each() {
        let mut i = Interner::default();
        let top = INLINE_END - 1;
        let (a, b, c) = (i.intern(Value::Int(0)), i.intern(Value::Int(top)), i.intern(Value::Int(INLINE_END)));
        assert_eq!((a, b), (INLINE, u32::MAX - 1), "the inline range ends below u32::MAX");
        assert_eq!(c, 0, "2^31 - 1 is interned");
        let d = i.intern(Value::Int(-3));
        assert_eq!(d, 1);
        for (n, id) in [(0, a), (top, b), (INLINE_END, c), (-3, d)] {
            assert_eq!(i.intern(Value::Int(n)), id);
            assert_eq!(i.lookup(&Value::Int(n)), Some(id));
            assert_eq!(i.value(id), Value::Int(n));
        }
        assert_eq!(i.lookup(&Value::Int(-4)), None);
        assert_eq!(i.lookup(&Value::Int(i64::MAX)), None);
        assert_eq!(i.len(), 2);
    }

    #[test]
    fn compare_orders_by_value_not_id() {
        let mut i = Interner::default();
        let ids: Vec<Id> = [
            Value::text("a"),
            Value::Interval(Interval::year(5)),
            Value::Int(1 << 40),
            Value::Int(7),
            Value::Dec(7.0),
            Value::Dec(6.5),
            Value::Int(-2),
            Value::Int(0),
        ]
        .into_iter()
        .map(|v| i.intern(v))
        .collect();
        for &x in &ids {
            for &y in &ids {
                assert_eq!(i.compare(x, y), i.value(x).cmp(&i.value(y)), "{:?} {:?}", i.value(x), i.value(y));
            }
        }
    }

    #[test]
    fn interval_operators() {
        let i = Interval::years;
        assert!(i(Some(1991), None).after(&Interval::year(1990)));
        assert!(!i(Some(1985), Some(1995)).after(&Interval::year(1990)));
        assert!(i(Some(1954), Some(1971)).before(&Interval::year(1990)));
        assert!(i(Some(1991), Some(2019)).during(&i(Some(1953), None)));
        assert!(!i(None, Some(2019)).during(&i(Some(1953), None)));
        assert!(i(None, Some(1960)).overlaps(&i(Some(1960), Some(1969))));
        assert!(!Interval::ALWAYS.after(&Interval::year(0)));
        assert_eq!(i(Some(2004), None).to_string(), "2004..");
        assert_eq!(i(None, Some(1990)).to_string(), "..1990");
        assert_eq!(Interval::year(1991).to_string(), "1991");
    }
}
