//! The one printer of the language. Everything that writes `.kb` text (saved sessions, drafts,
//! what-if changes, facts in proofs and answers, completion, the language server) writes it
//! here, so that what is printed parses back to what was printed from, and the words that
//! cannot be bare symbols are the grammar's `keyword` rule and nothing else.
//!
//! The round trip is tested: constants, atoms and facts of every shape print and parse back to
//! the same values (`tests/properties.rs`), and [`KEYWORDS`] is the grammar's list
//! (`tests/editors.rs`).

use crate::value::{Interval, Precision, Value};

/// Words that cannot be written as bare symbols: the alternatives of `keyword` in
/// `grammar/because.pest`, in its order (a test keeps them in step).
pub const KEYWORDS: &[&str] = &[
    "not", "why", "mod", "cite", "load", "include", "source", "kind", "from", "file", "with", "header", "after",
    "before", "during", "overlaps",
];

/// Whether `s` is one of the [`KEYWORDS`].
///
/// ```
/// assert!(because::syntax::is_keyword("why"));
/// assert!(!because::syntax::is_keyword("rok"));
/// ```
pub fn is_keyword(s: &str) -> bool {
    // A `match` on the words, not a scan of `KEYWORDS`: the fact fast path asks this of every
    // symbol it reads.
    matches!(
        s,
        "not"
            | "why"
            | "mod"
            | "cite"
            | "load"
            | "include"
            | "source"
            | "kind"
            | "from"
            | "file"
            | "with"
            | "header"
            | "after"
            | "before"
            | "during"
            | "overlaps"
    )
}

/// Whether text can be written without quotes: a lower-case start, then letters, digits, `_`,
/// and not a keyword.
///
/// ```
/// use because::syntax::print::is_plain_symbol;
///
/// assert!(is_plain_symbol("rok_us_alliance"));
/// assert!(!is_plain_symbol("Rok") && !is_plain_symbol("why") && !is_plain_symbol("a b"));
/// ```
pub fn is_plain_symbol(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !is_keyword(s)
}

/// A double-quoted string literal with the escapes the grammar reads back.
///
/// ```
/// assert_eq!(because::syntax::print::quote("say \"hi\"\tnow"), r#""say \"hi\"\tnow""#);
/// ```
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

/// How a value is written in `.kb` text.
pub trait Source {
    /// Written so that it parses back to itself: text is quoted (with escapes) unless it is a
    /// plain symbol, so any text is safe to write into generated `.kb` text. (Decimals must be
    /// finite, as the language's always are.)
    ///
    /// ```
    /// use because::kb::KnowledgeBase;
    /// use because::syntax::print::Source;
    /// use because::value::{Interval, Value};
    ///
    /// assert_eq!(Value::text("rok").to_source(), "rok");
    /// assert_eq!(Value::text("not").to_source(), "\"not\"", "a keyword is quoted");
    /// assert_eq!(Value::text("a \"b\"\n").to_source(), r#""a \"b\"\n""#);
    /// assert_eq!(Value::Interval(Interval::years(None, Some(1990))).to_source(), "..1990");
    /// assert_eq!(Value::Interval("1953-10-01".parse()?).to_source(), "1953-10-01");
    ///
    /// // Round trip through the language.
    /// let tricky = Value::text("x). evil(y");
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("t.kb", &format!("p({}).\n", tricky.to_source()), None)?;
    /// assert_eq!(kb.query("p(X)")?.rows, [[tricky]]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn to_source(&self) -> String;

    /// As [`Source::to_source`], except that a time is written as it prints (`1953`, not
    /// `1953..1953`): for explanations, where a value is read, not parsed back.
    ///
    /// ```
    /// use because::syntax::print::Source;
    /// use because::value::{Interval, Value};
    ///
    /// assert_eq!(Value::Interval(Interval::year(1953)).to_readable(), "1953");
    /// assert_eq!(Value::text("a b").to_readable(), "\"a b\"");
    /// ```
    fn to_readable(&self) -> String;
}

impl Source for Value {
    fn to_source(&self) -> String {
        match self {
            Value::Text(s) if is_plain_symbol(s) => s.to_string(),
            Value::Text(s) => quote(s),
            // `1953` would read back as an integer: a one-year point keeps both ends.
            Value::Interval(i @ Interval { start: Some(a), .. })
                if i.is_point() && a.precision() == Precision::Year =>
            {
                format!("{a}..{a}")
            }
            other => other.to_string(),
        }
    }

    fn to_readable(&self) -> String {
        match self {
            Value::Interval(_) | Value::Undated => self.to_string(),
            other => other.to_source(),
        }
    }
}

/// An atom from its predicate's name and its arguments, already written: `p` when there are
/// none (the grammar reads `p` and `p()` alike; this is the one form printed), else
/// `p(a, b)`.
///
/// ```
/// use because::syntax::print::atom;
///
/// assert_eq!(atom("holds", Vec::<String>::new()), "holds");
/// assert_eq!(atom("allied", ["rok", "us"]), "allied(rok, us)");
/// ```
pub fn atom<S: AsRef<str>>(name: &str, args: impl IntoIterator<Item = S>) -> String {
    let mut out = name.to_string();
    let mut first = true;
    for a in args {
        out.push_str(if first { "(" } else { ", " });
        out.push_str(a.as_ref());
        first = false;
    }
    if !first {
        out.push(')');
    }
    out
}

/// A ground atom from values, each written to parse back ([`Source::to_source`]).
///
/// ```
/// use because::syntax::print::ground_atom;
/// use because::value::Value;
///
/// assert_eq!(ground_atom("label", &[Value::text("us"), Value::text("United States")]), "label(us, \"United States\")");
/// ```
pub fn ground_atom(name: &str, args: &[Value]) -> String {
    atom(name, args.iter().map(Source::to_source))
}

/// A fact statement, without a newline: the atom, its time after `@` (none for an undated or
/// untimed fact), and the closing `.`.
///
/// ```
/// use because::syntax::print::fact;
/// use because::value::{Interval, Value};
///
/// let troops = [Value::text("us"), Value::text("rok"), Value::Int(28500)];
/// assert_eq!(fact("troops", &troops, Some(&Interval::year(2023))), "troops(us, rok, 28500) @ 2023.");
/// assert_eq!(fact("p", &[], None), "p.");
/// assert_eq!(fact("since", &[], Some(&Interval::years(Some(2020), None))), "since @ 2020.. .");
/// ```
pub fn fact(name: &str, args: &[Value], time: Option<&Interval>) -> String {
    let mut out = ground_atom(name, args);
    if let Some(t) = time {
        out.push_str(" @ ");
        out.push_str(&t.to_string());
        // `2020..` then `.` would read as `2020...`: a space keeps the open end.
        if t.end.is_none() {
            out.push(' ');
        }
    }
    out.push('.');
    out
}
