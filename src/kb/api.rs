//! Conveniences for embedding: thin wrappers over the staged API of [`KnowledgeBase`], plus
//! iteration over [`Answers`] and `std::error::Error` for [`Error`].
//!
//! Nothing here adds behaviour of its own: every method parses text and hands it to the same
//! staging, answering and explaining code the command line uses.

use std::fmt;

use crate::diag::Diagnostic;
use crate::explain::{Explanation, WhyOptions};
use crate::kb::{Answers, Error, KnowledgeBase, LoadReport};
use crate::syntax::print::is_plain_symbol;
use crate::value::{Interval, Value};

/// How diagnostics name the text [`KnowledgeBase::add_facts`] generates.
///
/// ```
/// use because::kb::{FACTS, KnowledgeBase};
/// use because::value::Value;
///
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("p.kb", "p(a).\n", None).unwrap();
/// // `p` has one argument: a row of two is an error, reported at its line of `<facts>`.
/// let e = kb.add_facts("p", [vec![Value::text("a"), Value::text("b")]]).unwrap_err();
/// assert!(kb.render(&e.diagnostics, false, true).contains(FACTS), "diagnostics name `{FACTS}`");
/// ```
pub const FACTS: &str = "<facts>";

impl KnowledgeBase {
    /// Explains `why ATOM` with the default [`WhyOptions`]: one least-height proof for each
    /// matching fact (variables allowed), down to cited base facts.
    ///
    /// `atom` is written without the `why` keyword: `reach(d)`, `reach(X)`, `p(a) @ 1990`.
    ///
    /// ```
    /// use because::kb::KnowledgeBase;
    ///
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("reach.kb", "link(a, b).\nreach(a).\nreach(Y) :- reach(X), link(X, Y).\n", None)?;
    /// let e = kb.why("reach(b)")?;
    /// assert!(e.found());
    /// assert_eq!(e.facts().collect::<Vec<_>>(), ["reach(b)"]);
    /// assert!(e.render(because::output::Format::Table, false).contains("link(a, b)  fact (reach.kb:1)"));
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn why(&self, atom: &str) -> Result<Explanation, Error> {
        self.snapshot().why(atom)
    }

    /// Explains `why not ATOM` with the default [`WhyOptions`]: for a ground atom that does not
    /// hold, the first failing premise of each rule that could derive it.
    ///
    /// ```
    /// use because::kb::KnowledgeBase;
    ///
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("reach.kb", "link(a, b).\nreach(a).\nreach(Y) :- reach(X), link(X, Y).\n", None)?;
    /// let e = kb.why_not("reach(c)")?;
    /// assert!(e.found(), "reach(c) indeed does not hold");
    /// let w = e.why_not.as_ref().unwrap();
    /// assert_eq!(w.rules[0].reason, "no `link(_, c)` exists");
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn why_not(&self, atom: &str) -> Result<Explanation, Error> {
        self.snapshot().why_not(atom)
    }

    /// Parses and explains a `why` or `why not` query (`why reach(X)`, `?- why not p(a).`)
    /// with the given options. A select query is refused with `query::not_a_why`.
    ///
    /// ```
    /// use because::explain::WhyOptions;
    /// use because::kb::KnowledgeBase;
    ///
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\np(b).\np(c).\n", None)?;
    /// let options = WhyOptions { limit: Some(2), ..WhyOptions::default() };
    /// let e = kb.explain_str("why p(X)", &options)?;
    /// assert_eq!(e.matched, 3);
    /// assert_eq!(e.facts().count(), 2);
    /// assert_eq!(kb.explain_str("p(X)", &options).unwrap_err().codes().next(), Some("query::not_a_why"));
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn explain_str(&self, text: &str, options: &WhyOptions) -> Result<Explanation, Error> {
        self.snapshot().explain_str(text, options)
    }

    /// Answers a select query whose `$name` parameters take the given values. Unlike
    /// [`KnowledgeBase::parse_query_with`], which reads each value from command-line text, the
    /// values are typed: `Value::text("1995")` stays text. They are never spliced into the
    /// query's text.
    ///
    /// ```
    /// use because::kb::KnowledgeBase;
    /// use because::value::Value;
    ///
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("held.kb", "held(a) @ 1990..1999.\nheld(b) @ 2000..2009.\n", None)?;
    /// let a = kb.query_with("held(A) @ T, T overlaps $year", &[("year", Value::Int(1995))])?;
    /// assert_eq!(a.values("A").collect::<Vec<_>>(), [&Value::text("a")]);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn query_with(&self, text: &str, params: &[(&str, Value)]) -> Result<Answers, Error> {
        self.snapshot().query_with(text, params)
    }

    /// Adds facts of `pred` from Rust data, one fact per row, as one all-or-nothing load: on
    /// any error (a row of the wrong width, a predicate defined by rules, a limit hit while
    /// evaluating) nothing is added.
    ///
    /// The facts are written as `.kb` text with [`crate::syntax::print::Source::to_source`], so any text is quoted
    /// safely and read back as itself; `pred` must be a plain predicate name (a lower-case
    /// start, then letters, digits and `_`). Diagnostics name the generated text `<facts>`,
    /// one fact per line. An empty `rows` loads nothing and evaluates nothing.
    ///
    /// ```
    /// use because::kb::KnowledgeBase;
    /// use because::value::Value;
    ///
    /// let mut kb = KnowledgeBase::default();
    /// let met = [("ann", "Bob \"the builder\""), ("Bob \"the builder\"", "cy")];
    /// kb.add_facts("met", met.iter().map(|(a, b)| [Value::text(a), Value::text(b)]))?;
    /// // Rules can use `met` once it has facts (a rule over an undefined predicate is an error).
    /// kb.load_str("rules.kb", "knows(X, Z) :- met(X, Y), met(Y, Z).\n", None)?;
    /// let a = kb.query("knows(ann, Z)")?;
    /// assert_eq!(a.rows, [[Value::text("cy")]]);
    ///
    /// // All or nothing: the second row has the wrong width, so neither is added.
    /// let bad = kb.add_facts("met", [vec![Value::text("cy"), Value::text("dee")], vec![Value::Int(1)]]);
    /// assert!(bad.is_err());
    /// assert!(!kb.query("met(cy, dee)")?.holds());
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn add_facts<R>(&mut self, pred: &str, rows: impl IntoIterator<Item = R>) -> Result<LoadReport, Error>
    where
        R: IntoIterator<Item = Value>,
    {
        self.stage_facts(pred, rows.into_iter().map(|r| (r, None)))
    }

    /// Like [`KnowledgeBase::add_facts`], each fact holding over its interval (`p(a) @ 1990..`).
    ///
    /// ```
    /// use because::kb::KnowledgeBase;
    /// use because::value::{Interval, Value};
    ///
    /// let mut kb = KnowledgeBase::default();
    /// let terms = [("kim", 1998, 2003), ("roh", 2003, 2008)];
    /// kb.add_timed_facts(
    ///     "president",
    ///     terms.iter().map(|&(who, from, to)| ([Value::text(who)], Interval::years(Some(from), Some(to)))),
    /// )?;
    /// let a = kb.query("president(P) @ T, T overlaps 2000")?;
    /// assert_eq!(a.values("P").collect::<Vec<_>>(), [&Value::text("kim")]);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn add_timed_facts<R>(
        &mut self,
        pred: &str,
        rows: impl IntoIterator<Item = (R, Interval)>,
    ) -> Result<LoadReport, Error>
    where
        R: IntoIterator<Item = Value>,
    {
        self.stage_facts(pred, rows.into_iter().map(|(r, i)| (r, Some(i))))
    }

    fn stage_facts<R>(
        &mut self,
        pred: &str,
        rows: impl Iterator<Item = (R, Option<Interval>)>,
    ) -> Result<LoadReport, Error>
    where
        R: IntoIterator<Item = Value>,
    {
        if !is_plain_symbol(pred) {
            return Err(Diagnostic::error("api::bad_predicate", format!("`{pred}` is not a predicate name"))
                .help("a predicate name starts with a lower-case letter, then letters, digits and `_`")
                .into());
        }
        let mut text = String::new();
        for (row, interval) in rows {
            let mut args = Vec::new();
            for v in row {
                if let Value::Dec(d) = v {
                    if !d.is_finite() {
                        return Err(Diagnostic::error(
                            "api::bad_value",
                            format!("`{d}` is not a decimal `{pred}` can hold"),
                        )
                        .help("decimals must be finite")
                        .into());
                    }
                }
                args.push(v);
            }
            text.push_str(&crate::syntax::print::fact(pred, &args, interval.as_ref()));
            text.push('\n');
        }
        if text.is_empty() {
            let n = self.program.queries.len();
            return Ok(LoadReport { queries: n..n, ..Default::default() });
        }
        self.load_str(FACTS, &text, None)
    }
}

impl Answers {
    /// The number of answer rows.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\np(b).\n", None)?;
    /// let a = kb.query("p(X)")?;
    /// assert_eq!(a.len(), 2);
    /// assert!(!a.is_empty());
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// No answer rows (for a query without variables: it does not hold).
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\n", None)?;
    /// assert!(kb.query("p(b)")?.is_empty());
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rows in order, each a slice of values in column order. `&Answers` also iterates.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// use because::value::Value;
    ///
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("age.kb", "age(ann, 41).\nage(bob, 7).\n", None)?;
    /// let answers = kb.query("age(Who, N), N > 18")?;
    /// for row in &answers {
    ///     assert_eq!(row, [Value::text("ann"), Value::Int(41)]);
    /// }
    /// assert_eq!(answers.iter().count(), 1);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[Value]> + '_ {
        self.rows.iter().map(Vec::as_slice)
    }

    /// The index of the column of variable `name`.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("age.kb", "age(ann, 41).\n", None)?;
    /// let a = kb.query("age(Who, N)")?;
    /// assert_eq!(a.column("N"), Some(1));
    /// assert_eq!(a.column("X"), None);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The values variable `name` takes, one per row (nothing if there is no such column).
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// use because::value::Value;
    ///
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("age.kb", "age(ann, 41).\nage(bob, 7).\n", None)?;
    /// let a = kb.query("age(Who, N)")?;
    /// let names: Vec<String> = a.values("Who").map(Value::to_string).collect();
    /// assert_eq!(names, ["ann", "bob"]);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn values<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Value> + 'a {
        let col = self.column(name);
        self.rows.iter().filter_map(move |r| col.and_then(|c| r.get(c)))
    }
}

impl<'a> IntoIterator for &'a Answers {
    type Item = &'a [Value];
    type IntoIter = std::iter::Map<std::slice::Iter<'a, Vec<Value>>, fn(&'a Vec<Value>) -> &'a [Value]>;

    fn into_iter(self) -> Self::IntoIter {
        self.rows.iter().map(Vec::as_slice)
    }
}

impl Explanation {
    /// The text of each explained fact (`why`), in order; at most `limit` of the `matched`.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a) @ 1990.\np(b).\n", None)?;
    /// let e = kb.why("p(X)")?;
    /// assert_eq!(e.facts().collect::<Vec<_>>(), ["p(a) @ 1990", "p(b)"]);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn facts(&self) -> impl Iterator<Item = &str> + '_ {
        self.proof.roots.iter().filter_map(|r| r.first()).map(|&n| self.proof.nodes[n].fact.text.as_str())
    }
}

impl Error {
    /// The code of each diagnostic (`parse::unexpected`, `check::unsafe_variable`, ...), errors
    /// and warnings alike, in order.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// let e = kb.load_str("bad.kb", "q(X, Y) :- p(X).\n", None).unwrap_err();
    /// assert!(e.codes().any(|c| c == "check::unsafe_variable"));
    /// ```
    pub fn codes(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.diagnostics.0.iter().map(|d| d.code)
    }
}

/// One line per error, `error[code]: message`, without source lines (render with
/// [`KnowledgeBase::render`] for `file:line:col` and a caret).
///
/// ```
/// # use because::kb::KnowledgeBase;
/// let mut kb = KnowledgeBase::default();
/// let e = kb.load_str("bad.kb", "p(a.\n", None).unwrap_err();
/// assert!(e.to_string().starts_with("error[parse::"));
/// let boxed: Box<dyn std::error::Error> = Box::new(e);
/// assert!(!boxed.to_string().is_empty());
/// ```
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for d in self.diagnostics.errors() {
            if !first {
                f.write_str("\n")?;
            }
            first = false;
            write!(f, "error[{}]: {}", d.code, d.message)?;
        }
        if first {
            f.write_str("no diagnostics")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}
