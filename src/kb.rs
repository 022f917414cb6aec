//! The library's front door: a [`KnowledgeBase`] that loads files and text, answers queries and
//! explains them.
//!
//! Every change goes through one staging step: read and parse the new input, check the whole
//! program with it, evaluate, and only then replace the current state. A load that fails at any
//! step leaves the knowledge base exactly as it was.
//!
//! ```
//! use because::kb::KnowledgeBase;
//!
//! let mut kb = KnowledgeBase::default();
//! kb.load_str("edges.kb", "edge(a, b).\npath(X, Y) :- edge(X, Y).\n", None)?;
//! // A broken load changes nothing.
//! assert!(kb.load_str("more.kb", "edge(b, c).\nedge(c d).\n", None).is_err());
//! assert_eq!(kb.query("path(X, Y)")?.len(), 1);
//! # Ok::<(), because::kb::Error>(())
//! ```

mod api;
mod session;

pub use api::FACTS;
pub use session::{Retracted, SESSION};

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::ast::{self, Module, QueryKind};
use crate::check::{self, RawTable};
use crate::diag::{Diagnostic, Diagnostics};
use crate::eval::{self, Database, Limits};
use crate::load::{Embedded, Loader, normalize_ws};
use crate::program::{Program, QueryIr};
use crate::source::SourceMap;
use crate::syntax;
use crate::value::{Interner, Value};

/// The shipped knowledge base: the alliance essay's facts and theory, as `(path, text)` pairs
/// that loads look up before the disk. Load it with [`KnowledgeBase::alliance`].
///
/// ```
/// assert!(because::kb::ALLIANCE.iter().any(|(path, _)| *path == because::kb::ALLIANCE_ENTRY));
/// ```
pub const ALLIANCE: &[Embedded] = &[
    ("facts/alliance/alliance.kb", include_str!("../facts/alliance/alliance.kb")),
    ("facts/alliance/theory.kb", include_str!("../facts/alliance/theory.kb")),
    ("facts/alliance/rok_us.kb", include_str!("../facts/alliance/rok_us.kb")),
    ("facts/alliance/questions.kb", include_str!("../facts/alliance/questions.kb")),
];

/// The entry file of the shipped knowledge base (it includes the others).
///
/// ```
/// use because::kb::{ALLIANCE_ENTRY, KnowledgeBase};
///
/// let mut kb = KnowledgeBase::default();
/// kb.load_file(std::path::Path::new(ALLIANCE_ENTRY))?; // found among the embedded files
/// assert!(kb.query("alliance(rok_us_alliance)")?.holds());
/// # Ok::<(), because::kb::Error>(())
/// ```
pub const ALLIANCE_ENTRY: &str = "facts/alliance/alliance.kb";

/// Diagnostics from a failed operation; render them with [`KnowledgeBase::render`].
///
/// `Error` implements [`std::error::Error`]; its `Display` is one `error[code]: message` line
/// per error, without source lines.
///
/// ```
/// use because::kb::KnowledgeBase;
///
/// let mut kb = KnowledgeBase::default();
/// let e = kb.load_str("bad.kb", "p(a).\nq(X, Y) :- p(X).\n", None).unwrap_err();
/// assert_eq!(e.diagnostics.0[0].code, "check::unsafe_variable");
/// let text = kb.render(&e.diagnostics, false, true);
/// assert!(text.starts_with("bad.kb:2:6: error[check::unsafe_variable]"), "{text}");
/// ```
#[derive(Debug, Clone)]
pub struct Error {
    /// Every diagnostic of the operation, errors and warnings, sorted by position.
    pub diagnostics: Diagnostics,
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Error {
        Error { diagnostics: d.into() }
    }
}

impl From<Diagnostics> for Error {
    fn from(diagnostics: Diagnostics) -> Error {
        Error { diagnostics }
    }
}

/// What a successful load reports.
///
/// ```
/// use because::kb::KnowledgeBase;
///
/// let mut kb = KnowledgeBase::default();
/// let report = kb.load_str("q.kb", "p(a).\nq(X) :- p(X), p(_Unused).\n?- q(X).\n?- why q(a).\n", None)?;
/// assert!(report.warnings.is_empty());
/// assert_eq!(report.queries, 0..2);
/// let first = kb.queries()[report.queries.start].clone();
/// assert_eq!(kb.answer(&first)?.rows.len(), 1);
/// # Ok::<(), because::kb::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    /// Warnings about what was loaded (an unused variable, ...); errors fail the load instead.
    pub warnings: Diagnostics,
    /// Indices (into [`KnowledgeBase::queries`]) of the queries the loaded files contain.
    pub queries: Range<usize>,
}

/// The answers to one select query: plain values, in sorted rows.
///
/// Render them with [`crate::output::render_answers`], or as the documented JSON with
/// [`crate::output::AnswersJson`].
///
/// ```
/// use because::kb::KnowledgeBase;
/// use because::value::{Interval, Value};
///
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("aid.kb", "aid(us, rok, 2.5e9) @ 1954..1971.\n", None)?;
/// let a = kb.query("aid(From, To, Amount) @ T")?;
/// assert_eq!(a.query, "aid(From, To, Amount) @ T");
/// assert_eq!(a.columns, ["From", "To", "Amount", "T"]);
/// assert_eq!(
///     a.rows,
///     [[
///         Value::text("us"),
///         Value::text("rok"),
///         Value::Dec(2.5e9),
///         Value::Interval(Interval { start: Some(1954), end: Some(1971) }),
///     ]]
/// );
/// # Ok::<(), because::kb::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Answers {
    /// The query as written.
    pub query: String,
    /// Column names: the query's named variables in order of first appearance.
    pub columns: Vec<String>,
    /// Distinct rows, sorted by value.
    pub rows: Vec<Vec<Value>>,
}

impl Answers {
    /// A query without variables holds when it has one (empty) answer row; a query with
    /// variables, when it has any answer.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\n", None)?;
    /// assert!(kb.query("p(a)")?.holds());
    /// assert!(!kb.query("p(b)")?.holds());
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn holds(&self) -> bool {
        !self.rows.is_empty()
    }
}

/// A knowledge base: files and facts loaded so far, checked and evaluated.
///
/// Every change (a load, an assertion, a retraction) is staged whole: parsed, checked with
/// everything loaded before, evaluated, and committed only if every step succeeded.
///
/// ```
/// use because::kb::KnowledgeBase;
///
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("family.kb", "parent(ann, bob).\nparent(bob, cy).\n", None)?;
/// kb.load_str("rules.kb", "grandparent(X, Z) :- parent(X, Y), parent(Y, Z).\n", None)?;
/// let answers = kb.query("grandparent(G, cy)")?;
/// assert_eq!(answers.values("G").map(ToString::to_string).collect::<Vec<_>>(), ["ann"]);
/// assert!(kb.why("grandparent(ann, cy)")?.found());
/// # Ok::<(), because::kb::Error>(())
/// ```
pub struct KnowledgeBase {
    sources: SourceMap,
    interner: Interner,
    modules: Vec<Module>,
    tables: Vec<RawTable>,
    documents: Vec<(Arc<str>, Option<String>, ast::Span)>,
    program: Program,
    db: Database,
    limits: Limits,
    embedded: &'static [Embedded],
    /// Files loaded by path, for `:reload`.
    paths: Vec<PathBuf>,
}

impl Default for KnowledgeBase {
    fn default() -> KnowledgeBase {
        KnowledgeBase::new(Limits::default())
    }
}

impl KnowledgeBase {
    /// An empty knowledge base with the given limits (`KnowledgeBase::default()` uses
    /// [`Limits::default`]).
    ///
    /// ```
    /// use std::time::Duration;
    /// use because::eval::Limits;
    /// use because::kb::KnowledgeBase;
    ///
    /// let limits = Limits { timeout: Some(Duration::from_secs(5)), ..Limits::default() };
    /// let kb = KnowledgeBase::new(limits);
    /// assert_eq!(kb.limits().timeout, Some(Duration::from_secs(5)));
    /// assert!(kb.queries().is_empty());
    /// ```
    pub fn new(limits: Limits) -> KnowledgeBase {
        KnowledgeBase {
            sources: SourceMap::default(),
            interner: Interner::default(),
            modules: Vec::new(),
            tables: Vec::new(),
            documents: Vec::new(),
            program: Program::default(),
            db: Database::default(),
            limits,
            embedded: ALLIANCE,
            paths: Vec::new(),
        }
    }

    /// The shipped alliance knowledge base (embedded in the crate; no file is read).
    ///
    /// ```
    /// use because::eval::Limits;
    /// use because::kb::KnowledgeBase;
    ///
    /// let mut kb = KnowledgeBase::alliance(Limits::default())?;
    /// let periods = kb.query("endured(rok_us_alliance, P)")?;
    /// assert!(periods.values("P").any(|p| p.to_string() == "post_cold_war"));
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn alliance(limits: Limits) -> Result<KnowledgeBase, Error> {
        let mut kb = KnowledgeBase::new(limits);
        kb.load_file(Path::new(ALLIANCE_ENTRY))?;
        Ok(kb)
    }

    /// The limits every evaluation, query and explanation runs under.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let kb = KnowledgeBase::default();
    /// assert_eq!(kb.limits().max_facts, because::eval::Limits::default().max_facts);
    /// ```
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Replaces the limits for what runs from now on.
    ///
    /// ```
    /// use because::eval::Limits;
    /// use because::kb::KnowledgeBase;
    ///
    /// let mut kb = KnowledgeBase::default();
    /// kb.set_limits(Limits { max_facts: Some(100), ..Limits::default() });
    /// let e = kb.load_str("n.kb", "n(0).\nn(Y) :- n(X), Y = X + 1.\n", None).unwrap_err();
    /// assert_eq!(e.diagnostics.0[0].code, "eval::max_facts");
    /// ```
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Loads a `.kb` file (and what it includes and loads). All or nothing. Diagnostics name
    /// the file by `path` as given; `include` and `load` paths are relative to it.
    ///
    /// ```
    /// use because::kb::KnowledgeBase;
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join("main.kb"), "include \"more.kb\".\np(a).\n").unwrap();
    /// std::fs::write(dir.path().join("more.kb"), "p(b).\n").unwrap();
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_file(&dir.path().join("main.kb"))?;
    /// assert_eq!(kb.query("p(X)")?.len(), 2);
    /// assert_eq!(kb.loaded_paths(), [dir.path().join("main.kb")]);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn load_file(&mut self, path: &Path) -> Result<LoadReport, Error> {
        let report = self.stage(|loader| loader.load_path(path))?;
        self.paths.push(path.to_path_buf());
        Ok(report)
    }

    /// Loads several `.kb` files as one load: all of them, or (on any error) none.
    ///
    /// ```
    /// use because::kb::KnowledgeBase;
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let (a, b) = (dir.path().join("a.kb"), dir.path().join("b.kb"));
    /// std::fs::write(&a, "p(a).\n").unwrap();
    /// std::fs::write(&b, "p(b.\n").unwrap(); // a syntax error
    /// let mut kb = KnowledgeBase::default();
    /// assert!(kb.load_files(&[&a, &b]).is_err());
    /// assert!(kb.query("p(X)").is_err(), "nothing was loaded: `p` is unknown");
    /// std::fs::write(&b, "p(b).\n").unwrap();
    /// kb.load_files(&[&a, &b])?;
    /// assert_eq!(kb.query("p(X)")?.len(), 2);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn load_files(&mut self, paths: &[&Path]) -> Result<LoadReport, Error> {
        let report = self.stage(|loader| {
            for path in paths {
                loader.load_path(path);
            }
        })?;
        self.paths.extend(paths.iter().map(|p| p.to_path_buf()));
        Ok(report)
    }

    /// Loads `.kb` text; `name` is how diagnostics name it, relative paths (of `include` and
    /// `load`) resolve from the directory `base`. All or nothing.
    ///
    /// ```
    /// use because::kb::KnowledgeBase;
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join("edges.tsv"), "a\tb\nb\tc\n").unwrap();
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("inline.kb", "load edge from \"edges.tsv\".\n", Some(dir.path()))?;
    /// assert_eq!(kb.query("edge(b, X)")?.rows[0][0].to_string(), "c");
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn load_str(&mut self, name: &str, text: &str, base: Option<&Path>) -> Result<LoadReport, Error> {
        let base = base.map(|b| b.join(name));
        self.stage(|loader| loader.load_text(name, text, base))
    }

    /// Forgets everything and loads the same files again from disk (text loaded with
    /// [`KnowledgeBase::load_str`] is forgotten). All or nothing.
    ///
    /// ```
    /// use because::kb::KnowledgeBase;
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let file = dir.path().join("p.kb");
    /// std::fs::write(&file, "p(a).\n").unwrap();
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_file(&file)?;
    /// std::fs::write(&file, "p(a).\np(b).\n").unwrap();
    /// kb.reload()?;
    /// assert_eq!(kb.query("p(X)")?.len(), 2);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn reload(&mut self) -> Result<LoadReport, Error> {
        let paths = self.paths.clone();
        let mut fresh = KnowledgeBase::new(self.limits.clone());
        let mut warnings = Diagnostics::default();
        for p in &paths {
            warnings.extend(fresh.load_file(p)?.warnings);
        }
        let n = fresh.program.queries.len();
        *self = fresh;
        Ok(LoadReport { warnings, queries: n..n })
    }

    /// Reads, checks and evaluates with the new input; commits only if every step succeeds.
    /// (Files read by a failed load stay in the source map so its diagnostics can be shown.)
    fn stage(&mut self, read: impl FnOnce(&mut Loader<'_>)) -> Result<LoadReport, Error> {
        self.stage_as(read, Stage::Commit)
    }

    /// Reads and checks files as a load would, and reports their diagnostics, without
    /// evaluating anything or changing the knowledge base (`because check`).
    ///
    /// ```
    /// use because::kb::KnowledgeBase;
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let file = dir.path().join("w.kb");
    /// // Runs forever if evaluated; checking evaluates nothing. `Z` is a singleton: a warning.
    /// std::fs::write(&file, "n(0).\nn(Y) :- n(X), Y = X + 1.\nq(X) :- n(X), n(Z).\n").unwrap();
    /// let mut kb = KnowledgeBase::default();
    /// let report = kb.check_files(&[&file])?;
    /// assert_eq!(report.warnings.0[0].code, "check::singleton_variable");
    /// assert!(kb.query("n(X)").is_err(), "nothing was loaded");
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn check_files(&mut self, paths: &[&Path]) -> Result<LoadReport, Error> {
        self.stage_as(
            |loader| {
                for path in paths {
                    loader.load_path(path);
                }
            },
            Stage::CheckOnly,
        )
    }

    fn stage_as(&mut self, read: impl FnOnce(&mut Loader<'_>), stage: Stage) -> Result<LoadReport, Error> {
        // 1. Read and parse.
        let first_new_file = self.sources.len();
        let mut loader = Loader::new(&mut self.sources, &mut self.interner, self.embedded);
        loader.cancel = self.limits.cancel.clone();
        read(&mut loader);
        let Loader { diags, out, .. } = loader;
        let mut diags = diags;
        if diags.has_errors() {
            diags.sort();
            return Err(diags.into());
        }
        // 2. Check the whole program with the new modules.
        let mut modules = self.modules.clone();
        modules.extend(out.modules);
        let mut tables = self.tables.clone();
        tables.extend(out.tables);
        let mut documents = self.documents.clone();
        documents.extend(out.documents);
        // Ctrl-C is polled between the stages of a load too (the evaluation polls it itself).
        let cancelled = |diags: &mut Diagnostics| {
            let stop = self.limits.cancel.as_ref().is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed));
            if stop {
                diags.push(syntax::cancelled());
            }
            stop
        };
        if cancelled(&mut diags) {
            return Err(diags.into());
        }
        let (mut program, check_diags) = check::check(&modules, tables.clone(), &mut self.interner);
        diags.extend(check_diags);
        if cancelled(&mut diags) {
            return Err(diags.into());
        }
        verify_quotes(&modules, &documents, &mut diags);
        diags.sort();
        if diags.has_errors() {
            return Err(diags.into());
        }
        for q in &mut program.queries {
            q.text = query_text(&self.sources, q.span);
        }
        if stage == Stage::CheckOnly {
            diags.0.retain(|d| d.span.is_none_or(|s| s.file.0 as usize >= first_new_file));
            return Ok(LoadReport { warnings: diags, queries: 0..0 });
        }
        // 3. Evaluate.
        let (interner, limits) = (&mut self.interner, &self.limits);
        let db = eval::on_big_stack(|| eval::evaluate(&program, interner, limits, crate::graph::builtin_rows))?;
        // 4. Commit.
        // The old modules come first, so their queries do too.
        let new_queries = self.program.queries.len()..program.queries.len();
        // Warnings about what was loaded before were reported then.
        diags.0.retain(|d| d.span.is_none_or(|s| s.file.0 as usize >= first_new_file));
        self.modules = modules;
        self.tables = tables;
        self.documents = documents;
        self.program = program;
        self.db = db;
        Ok(LoadReport { warnings: diags, queries: new_queries })
    }

    /// Parses and answers one select query (`endured(X, P)`, `?- p(X).`). A `why` query is
    /// refused with `query::not_a_select`: use [`KnowledgeBase::why`].
    ///
    /// ```
    /// use because::kb::KnowledgeBase;
    /// use because::value::Value;
    ///
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("n.kb", "n(1).\nn(2).\nn(3).\n", None)?;
    /// let a = kb.query("?- n(X), X > 1, Y = X * 10.")?;
    /// assert_eq!(a.columns, ["X", "Y"]);
    /// assert_eq!(a.rows[1], [Value::Int(3), Value::Int(30)]);
    /// assert_eq!(kb.query("why n(1)").unwrap_err().diagnostics.0[0].code, "query::not_a_select");
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn query(&mut self, text: &str) -> Result<Answers, Error> {
        let query = self.parse_query(text)?;
        if query.kind != QueryKind::Select {
            return Err(Diagnostic::error("query::not_a_select", "this is a `why` query: use `KnowledgeBase::why`")
                .at(query.span)
                .into());
        }
        self.answer(&query)
    }

    /// Parses and lowers a query against the current program, for [`KnowledgeBase::answer`]
    /// or [`KnowledgeBase::explain`]. An unknown predicate is an error.
    ///
    /// ```
    /// use because::ast::QueryKind;
    /// use because::kb::KnowledgeBase;
    ///
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\n", None)?;
    /// let q = kb.parse_query("why p(X)")?;
    /// assert_eq!(q.kind, QueryKind::Why);
    /// assert_eq!(q.text, "why p(X)");
    /// assert!(kb.parse_query("nope(X)").is_err());
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn parse_query(&mut self, text: &str) -> Result<QueryIr, Error> {
        self.parse_query_with(text, &[])
    }

    /// Parses and lowers a query whose `$name` parameters take the given values. A value is
    /// read as an integer, a decimal, an interval (`1991..2019`, `1995`, `..1990`) where it
    /// looks like one, and as text otherwise; it is never spliced into the query's text.
    /// ([`KnowledgeBase::query_with`] takes typed values instead.)
    ///
    /// ```
    /// use because::kb::KnowledgeBase;
    ///
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("held.kb", "held(a) @ 1990..1999.\nheld(b) @ 2000..2009.\n", None)?;
    /// let params = [("year".to_string(), "2004".to_string())];
    /// let q = kb.parse_query_with("held(A) @ T, T overlaps $year", &params)?;
    /// assert_eq!(kb.answer(&q)?.rows[0][0].to_string(), "b");
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn parse_query_with(&mut self, text: &str, params: &[(String, String)]) -> Result<QueryIr, Error> {
        let file = self.sources.add("<query>".to_string(), None, Arc::from(text));
        let mut ast = syntax::parse_query(file, text)?;
        let values: Vec<(String, Value)> = params.iter().map(|(k, v)| (k.clone(), param_value(v))).collect();
        for lit in &mut ast.body {
            substitute_literal(lit, &values);
        }
        let mut q = check::lower_query(&self.program, &mut self.interner, &ast, text)?;
        q.text = query_text(&self.sources, q.span);
        Ok(q)
    }

    /// Answers a lowered select query (from [`KnowledgeBase::parse_query`] or
    /// [`KnowledgeBase::queries`]).
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\np(b).\n", None)?;
    /// let q = kb.parse_query("p(X)")?;
    /// assert_eq!(kb.answer(&q)?.len(), 2);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn answer(&mut self, query: &QueryIr) -> Result<Answers, Error> {
        self.answer_limited(query, None)
    }

    /// [`KnowledgeBase::answer`], stopping once `limit` distinct answers are found (`--limit`):
    /// the first ones the evaluation meets, sorted, without computing the rest.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\np(b).\np(c).\n", None)?;
    /// let q = kb.parse_query("p(X), p(Y)")?;
    /// assert_eq!(kb.answer_limited(&q, Some(2))?.len(), 2);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn answer_limited(&mut self, query: &QueryIr, limit: Option<usize>) -> Result<Answers, Error> {
        self.fill_builtins(&query.body)?;
        let (program, db, interner, limits) = (&self.program, &mut self.db, &mut self.interner, &self.limits);
        let rows = eval::on_big_stack(|| eval::answer(program, db, interner, query, limits, limit))?;
        Ok(Answers {
            query: query.text.clone(),
            columns: query.columns.iter().map(|(_, n)| n.to_string()).collect(),
            rows: rows.into_iter().map(|r| r.into_iter().map(|id| self.interner.value(id)).collect()).collect(),
        })
    }

    /// Computes the built-in relations a query uses, if no rule needed them yet.
    pub(crate) fn fill_builtins(&mut self, body: &[crate::program::Literal]) -> Result<(), Error> {
        for p in 0..self.program.preds.len() as crate::program::PredId {
            if self.program.pred(p).defined.builtin && eval::uses_pred(body, p) {
                eval::fill_builtin(&self.program, &mut self.db, &mut self.interner, p, crate::graph::builtin_rows)?;
            }
        }
        Ok(())
    }

    /// The queries stated in loaded files (`?- ...`), in order; answer a select query with
    /// [`KnowledgeBase::answer`], a `why` query with [`KnowledgeBase::explain`].
    ///
    /// ```
    /// use because::ast::QueryKind;
    /// use because::explain::WhyOptions;
    /// use because::kb::KnowledgeBase;
    ///
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("s.kb", "p(a).\n?- p(X).\n?- why p(a).\n", None)?;
    /// for q in kb.queries().to_vec() {
    ///     let found = match q.kind {
    ///         QueryKind::Select => kb.answer(&q)?.holds(),
    ///         _ => kb.explain(&q, &WhyOptions::default())?.found(),
    ///     };
    ///     assert!(found, "{}", q.text);
    /// }
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn queries(&self) -> &[QueryIr] {
        &self.program.queries
    }

    /// The checked program: predicates, rules, strata, stated facts.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\nq(X) :- p(X).\n", None)?;
    /// let q = kb.program().pred_id("q", 1).unwrap();
    /// assert_eq!(kb.program().rules_for(q).count(), 1);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The evaluated relations (rows of interned ids; see [`KnowledgeBase::interner`]).
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\nq(X) :- p(X).\n", None)?;
    /// assert_eq!(kb.database().stats.derived, 1);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// The evaluated relations, mutably (for built-in relations computed on first use).
    /// Changing rows by hand bypasses staging: prefer loads and assertions.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// assert!(kb.database_mut().relations.is_empty());
    /// ```
    pub fn database_mut(&mut self) -> &mut Database {
        &mut self.db
    }

    /// The interner that maps every constant to the id relations store.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// use because::value::Value;
    ///
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\n", None)?;
    /// let id = kb.interner().lookup(&Value::text("a")).unwrap();
    /// assert_eq!(kb.interner().value(id), Value::text("a"));
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn interner(&self) -> &Interner {
        &self.interner
    }

    /// Every text read so far (files, loaded strings, queries), for rendering diagnostics.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\n", None)?;
    /// assert!(kb.sources().len() >= 1);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn sources(&self) -> &SourceMap {
        &self.sources
    }

    /// The parsed modules loaded so far, one per file or text.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\np(b).\n", None)?;
    /// assert_eq!(kb.modules()[0].statements.len(), 2);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn modules(&self) -> &[Module] {
        &self.modules
    }

    /// The parts an explanation needs at once: program, database, interner, sources.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\n", None)?;
    /// let (program, db, _interner, _sources) = kb.parts_mut();
    /// let p = program.pred_id("p", 1).unwrap();
    /// assert_eq!(db.relation(p).len(), 1);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn parts_mut(&mut self) -> (&Program, &mut Database, &mut Interner, &SourceMap) {
        (&self.program, &mut self.db, &mut self.interner, &self.sources)
    }

    /// Renders diagnostics as text (with source lines and carets); colour only with `color`,
    /// warnings only with `warnings`.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// let e = kb.load_str("bad.kb", "p(a.\n", None).unwrap_err();
    /// let text = kb.render(&e.diagnostics, false, true);
    /// assert!(text.starts_with("bad.kb:1:4: error[parse::"), "{text}");
    /// assert!(text.contains("1 | p(a."), "the source line is shown: {text}");
    /// ```
    pub fn render(&self, diags: &Diagnostics, color: bool, warnings: bool) -> String {
        diags.render(&self.sources, color, warnings)
    }
}

/// A parameter's value from its command-line text: an integer, an interval, a decimal, or
/// else text.
///
/// ```
/// use because::kb::param_value;
/// use because::value::{Interval, Value};
///
/// assert_eq!(param_value("1995"), Value::Int(1995));
/// assert_eq!(param_value("1991.."), Value::Interval(Interval { start: Some(1991), end: None }));
/// assert_eq!(param_value("2.5e9"), Value::Dec(2.5e9));
/// assert_eq!(param_value("rok"), Value::text("rok"));
/// ```
pub fn param_value(text: &str) -> Value {
    let t = text.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Value::Int(i);
    }
    if let Some((a, b)) = t.split_once("..") {
        let end = |s: &str| if s.is_empty() { Some(None) } else { s.parse::<i64>().ok().map(Some) };
        if let (Some(start), Some(end)) = (end(a), end(b)) {
            return Value::Interval(crate::value::Interval { start, end });
        }
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

fn substitute_literal(lit: &mut ast::Literal, values: &[(String, Value)]) {
    match lit {
        ast::Literal::Positive { atom, time, .. } | ast::Literal::Negative { atom, time, .. } => {
            atom.args.iter_mut().chain(time.as_mut()).for_each(|e| substitute_expr(e, values));
        }
        ast::Literal::Compare { lhs, rhs, .. } | ast::Literal::Temporal { lhs, rhs, .. } => {
            substitute_expr(lhs, values);
            substitute_expr(rhs, values);
        }
        ast::Literal::Aggregate(agg) => {
            substitute_expr(&mut agg.result, values);
            if let Some(t) = &mut agg.target {
                substitute_expr(t, values);
            }
            agg.body.iter_mut().for_each(|l| substitute_literal(l, values));
        }
    }
}

fn substitute_expr(e: &mut ast::Expr, values: &[(String, Value)]) {
    match e {
        ast::Expr::Param(id) => {
            if let Some((_, v)) = values.iter().find(|(k, _)| **k == *id.name) {
                *e = ast::Expr::Const(v.clone(), id.span);
            }
        }
        ast::Expr::Neg(inner, _) | ast::Expr::Call { arg: inner, .. } => substitute_expr(inner, values),
        ast::Expr::Binary { lhs, rhs, .. } => {
            substitute_expr(lhs, values);
            substitute_expr(rhs, values);
        }
        ast::Expr::Var(_) | ast::Expr::Wildcard(_) | ast::Expr::Const(..) => {}
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Evaluate and replace the current state.
    Commit,
    /// Stop after checking; change nothing.
    CheckOnly,
}

/// The query as written: from the source text of its span, whitespace-normalised.
fn query_text(sources: &SourceMap, span: ast::Span) -> String {
    normalize_ws(sources.snippet(span))
}

/// Every `cite S "quote"` whose source names a document must quote it verbatim
/// (whitespace-normalised).
/// The (source, whitespace-normalised quote) pairs whose quote is in the source's document.
/// Each document is scanned once for all of its quotes together (Aho-Corasick), so checking
/// 1,000 quotes against a 10 MB document reads it once, not 1,000 times.
fn quotes_present(
    modules: &[Module],
    documents: &[(Arc<str>, Option<String>, ast::Span)],
) -> rustc_hash::FxHashSet<(Arc<str>, String)> {
    let mut wanted: rustc_hash::FxHashMap<Arc<str>, rustc_hash::FxHashSet<String>> = Default::default();
    for stmt in modules.iter().flat_map(|m| &m.statements) {
        let cites = match stmt {
            ast::Statement::Fact(f) => &f.cites,
            ast::Statement::Rule(r) => &r.cites,
            ast::Statement::Entity(e) => &e.cites,
            _ => continue,
        };
        for c in cites {
            wanted.entry(c.source.name.clone()).or_default().insert(normalize_ws(&c.quote));
        }
    }
    let mut present = rustc_hash::FxHashSet::default();
    for (name, quotes) in wanted {
        let Some(doc) = documents.iter().find(|(n, _, _)| *n == name).and_then(|(_, d, _)| d.as_deref()) else {
            continue;
        };
        let quotes: Vec<String> = quotes.into_iter().collect();
        // The empty quote is in every document (as `str::contains` has it).
        let mut found: Vec<bool> = quotes.iter().map(String::is_empty).collect();
        let mut missing = found.iter().filter(|f| !**f).count();
        if missing > 0 {
            match aho_corasick::AhoCorasick::new(&quotes) {
                Ok(ac) => {
                    for m in ac.find_overlapping_iter(doc) {
                        let k = m.pattern().as_usize();
                        if !found[k] {
                            found[k] = true;
                            missing -= 1;
                            if missing == 0 {
                                break;
                            }
                        }
                    }
                }
                // Too many quotes for one automaton: one scan per quote, as before.
                Err(_) => found.iter_mut().zip(&quotes).for_each(|(f, q)| *f = doc.contains(q.as_str())),
            }
        }
        present.extend(quotes.into_iter().zip(found).filter(|(_, f)| *f).map(|(q, _)| (name.clone(), q)));
    }
    present
}

fn verify_quotes(modules: &[Module], documents: &[(Arc<str>, Option<String>, ast::Span)], diags: &mut Diagnostics) {
    if documents.is_empty() {
        return;
    }
    let doc_of = |name: &str| documents.iter().find(|(n, _, _)| &**n == name).and_then(|(_, d, _)| d.as_deref());
    let present = quotes_present(modules, documents);
    for stmt in modules.iter().flat_map(|m| &m.statements) {
        let cites = match stmt {
            ast::Statement::Fact(f) => &f.cites,
            ast::Statement::Rule(r) => &r.cites,
            ast::Statement::Entity(e) => &e.cites,
            _ => continue,
        };
        for c in cites {
            if doc_of(&c.source.name).is_some() && !present.contains(&(c.source.name.clone(), normalize_ws(&c.quote))) {
                diags.push(
                    Diagnostic::error(
                        "check::quote_not_in_source",
                        format!("this quote is not in the document of source `{}`", c.source.name),
                    )
                    .at(c.quote_span)
                    .label("not found verbatim")
                    .help("copy the words exactly from the document (whitespace may differ)"),
                );
            }
        }
    }
}
