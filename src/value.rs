//! Constants and their interned ids.
//!
//! Every constant the engine sees (symbol, string, integer, decimal, interval) is interned once
//! into a [`Interner`] and from then on handled as a [`Id`], a `u32`. Relations store only ids.
//! A symbol and a string with the same text are the same constant (`Value::Text`).

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use rustc_hash::FxHashMap;

/// An interned constant.
pub type Id = u32;

/// A time interval of whole years; `None` is unbounded on that side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Interval {
    pub start: Option<i64>,
    pub end: Option<i64>,
}

impl Interval {
    /// The interval of a fact without `@`: all times.
    pub const ALWAYS: Interval = Interval { start: None, end: None };

    pub fn year(y: i64) -> Interval {
        Interval { start: Some(y), end: Some(y) }
    }

    fn lo(&self) -> i128 {
        self.start.map_or(i128::MIN, i128::from)
    }

    fn hi(&self) -> i128 {
        self.end.map_or(i128::MAX, i128::from)
    }

    /// Strictly after: this interval starts after `other` ends.
    pub fn after(&self, other: &Interval) -> bool {
        self.start.is_some() && other.end.is_some() && self.lo() > other.hi()
    }

    /// Strictly before: this interval ends before `other` starts.
    pub fn before(&self, other: &Interval) -> bool {
        self.end.is_some() && other.start.is_some() && self.hi() < other.lo()
    }

    /// Contained in `other` (inclusive at both ends).
    pub fn during(&self, other: &Interval) -> bool {
        other.lo() <= self.lo() && self.hi() <= other.hi()
    }

    /// Shares at least one year with `other`.
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.lo() <= other.hi() && other.lo() <= self.hi()
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

/// A constant of the language.
#[derive(Debug, Clone)]
pub enum Value {
    Int(i64),
    /// Never NaN or infinite: arithmetic that would produce one is an error.
    Dec(f64),
    /// A symbol or a string: equal text is the same constant.
    Text(Arc<str>),
    Interval(Interval),
}

impl Value {
    pub fn text(s: &str) -> Value {
        Value::Text(Arc::from(s))
    }

    /// The value as an interval, if it is one; an integer is the one-year interval.
    pub fn as_interval(&self) -> Option<Interval> {
        match self {
            Value::Interval(i) => Some(*i),
            Value::Int(y) => Some(Interval::year(*y)),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Dec(d) => Some(*d),
            _ => None,
        }
    }

    pub fn is_number(&self) -> bool {
        matches!(self, Value::Int(_) | Value::Dec(_))
    }

    /// How the value is written in a `.kb` file so that it parses back to itself.
    pub fn to_source(&self) -> String {
        match self {
            Value::Text(s) if is_plain_symbol(s) => s.to_string(),
            Value::Text(s) => quote(s),
            other => other.to_string(),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Value::Int(_) | Value::Dec(_) => 0,
            Value::Interval(_) => 1,
            Value::Text(_) => 2,
        }
    }
}

/// The total order in which answers are sorted: numbers (by value), then intervals, then text.
impl Ord for Value {
    fn cmp(&self, other: &Value) -> Ordering {
        match (self, other) {
            (Value::Int(a), Value::Int(b)) => a.cmp(b),
            (Value::Text(a), Value::Text(b)) => a.cmp(b),
            (Value::Interval(a), Value::Interval(b)) => a.cmp(b),
            (a, b) if a.is_number() && b.is_number() => {
                let (x, y) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
                // Equal as numbers but different types (1 and 1.0): integers first.
                x.total_cmp(&y).then_with(|| matches!(b, Value::Int(_)).cmp(&matches!(a, Value::Int(_))))
            }
            (a, b) => a.rank().cmp(&b.rank()),
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
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Dec(a), Value::Dec(b)) => a.to_bits() == b.to_bits(),
            (Value::Text(a), Value::Text(b)) => a == b,
            (Value::Interval(a), Value::Interval(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Value::Int(i) => (0u8, i).hash(state),
            Value::Dec(d) => (1u8, d.to_bits()).hash(state),
            Value::Text(s) => (2u8, s).hash(state),
            Value::Interval(i) => (3u8, i).hash(state),
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
        }
    }
}

/// The shortest text that reads back as the same decimal: plain (`0.25`, `63000.0`) unless the
/// exponent form is shorter for a large or small magnitude (`2.5e9`, `1e-7`).
pub fn decimal_text(d: f64) -> String {
    let plain = format!("{d:?}");
    let sci = format!("{d:e}");
    let exponent = d.abs().log10().floor();
    if sci.len() < plain.len() && !(-4.0..6.0).contains(&exponent) { sci } else { plain }
}

/// Whether text can be written without quotes: a lower-case start, then letters, digits, `_`,
/// and not a keyword.
pub fn is_plain_symbol(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !crate::syntax::is_keyword(s)
}

/// A double-quoted string literal with the escapes the grammar reads back.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Interns values to dense ids. Ids are never reused, so an id stays valid for the life of
/// the knowledge base; a failed load may leave unused ids behind, which is harmless.
#[derive(Debug, Clone, Default)]
pub struct Interner {
    values: Vec<Value>,
    /// Text is looked up by `&str`, so interning known text never allocates.
    texts: FxHashMap<Arc<str>, Id>,
    others: FxHashMap<Value, Id>,
}

impl Interner {
    pub fn intern(&mut self, value: Value) -> Id {
        match value {
            Value::Text(text) => {
                if let Some(&id) = self.texts.get(&*text) {
                    return id;
                }
                let id = self.values.len() as Id;
                self.values.push(Value::Text(text.clone()));
                self.texts.insert(text, id);
                id
            }
            other => {
                if let Some(&id) = self.others.get(&other) {
                    return id;
                }
                let id = self.values.len() as Id;
                self.values.push(other.clone());
                self.others.insert(other, id);
                id
            }
        }
    }

    /// Interns text, allocating only when it is new.
    pub fn intern_text(&mut self, text: &str) -> Id {
        if let Some(&id) = self.texts.get(text) {
            return id;
        }
        self.intern(Value::Text(Arc::from(text)))
    }

    pub fn lookup(&self, value: &Value) -> Option<Id> {
        match value {
            Value::Text(t) => self.texts.get(&**t).copied(),
            other => self.others.get(other).copied(),
        }
    }

    pub fn value(&self, id: Id) -> &Value {
        &self.values[id as usize]
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
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
    fn interval_operators() {
        let i = |a: Option<i64>, b: Option<i64>| Interval { start: a, end: b };
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
