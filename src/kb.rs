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
mod snapshot;

/// The answers to a select query: a plain view, defined with its writers in [`crate::output`].
pub use crate::output::Answers;
pub use api::FACTS;
pub use session::{Retracted, SESSION};
pub use snapshot::Snapshot;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::ast::{self, Module};
use crate::check::{self, RawTable};
use crate::diag::{Diagnostic, Diagnostics};
use crate::eval::{self, Database, Limits, Runtime};
use crate::explain::{Explanation, WhyOptions};
use crate::load::{Embedded, Loader, normalize_ws};
use crate::program::{Program, QueryIr};
use crate::source::SourceMap;
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

/// Diagnostics from a failed operation (or a warning about a query), with the texts they point
/// into: an error renders on its own ([`Error::render`]), even after the knowledge base that made it is gone or has
/// moved on.
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
/// drop(kb);
/// let text = e.render(false, true);
/// assert!(text.starts_with("bad.kb:2:6: error[check::unsafe_variable]"), "{text}");
/// assert!(text.contains("2 | q(X, Y) :- p(X)."), "{text}");
/// ```
#[derive(Debug, Clone)]
pub struct Error {
    /// Every diagnostic of the operation, errors and warnings, sorted by position.
    pub diagnostics: Diagnostics,
    /// The texts the diagnostics' spans point into (shared, not copied).
    pub sources: SourceMap,
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Error {
        Error { diagnostics: d.into(), sources: SourceMap::default() }
    }
}

impl From<Diagnostics> for Error {
    fn from(diagnostics: Diagnostics) -> Error {
        Error { diagnostics, sources: SourceMap::default() }
    }
}

impl Error {
    /// Renders the diagnostics as text with their source lines and carets; colour only with
    /// `color`, warnings only with `warnings`.
    pub fn render(&self, color: bool, warnings: bool) -> String {
        self.diagnostics.render(&self.sources, color, warnings)
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
    /// What the whole program holds after the load (for `because check`'s summary line).
    pub summary: LoadSummary,
}

/// One input of [`KnowledgeBase::load_inputs`].
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// A `.kb` file, as [`KnowledgeBase::load_file`] reads it.
    File(&'a Path),
    /// `.kb` text, as [`KnowledgeBase::load_str`] reads it.
    Text { name: &'a str, text: &'a str, base: Option<&'a Path> },
}

/// Counts over the whole checked program, for a one-line summary.
///
/// ```
/// # use because::kb::KnowledgeBase;
/// let mut kb = KnowledgeBase::default();
/// let r = kb.load_str("p.kb", "p(a).\np(b).\nq(X) :- p(X).\n", None)?;
/// assert_eq!((r.summary.predicates, r.summary.facts, r.summary.rules), (2, 2, 1));
/// # Ok::<(), because::kb::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadSummary {
    /// Predicates, built-in ones excepted.
    pub predicates: usize,
    /// Stated facts and rows read from data files.
    pub facts: usize,
    pub rules: usize,
    /// Quotes checked against the documents their sources name.
    pub quotes_verified: usize,
    /// Denials and keys (`because check` evaluates the files to look for violations).
    pub constraints: usize,
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
    /// Shared with snapshots; a change copies it only while a snapshot still holds it.
    interner: Arc<Interner>,
    modules: Vec<Module>,
    tables: Vec<RawTable>,
    documents: Vec<(Arc<str>, Option<String>, ast::Span)>,
    program: Arc<Program>,
    db: Arc<Database>,
    limits: Limits,
    runtime: Runtime,
    embedded: &'static [Embedded],
    /// Texts that loads read instead of the files at these paths ([`KnowledgeBase::set_unsaved`]).
    unsaved: Vec<(PathBuf, Arc<str>)>,
    /// Files loaded by path, for `:reload`.
    paths: Vec<PathBuf>,
    /// Values for the `$NAME` parameters of queries in loaded files (`run --param`).
    params: Vec<(String, Value)>,
    /// The parameter names some query used so far, to report a `--param` nothing used.
    params_used: Vec<String>,
    /// Canonical paths of every file read so far, includes too: a file is loaded once, however
    /// often it is named (`include` in one load, `:load` across loads).
    seen: Vec<PathBuf>,
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
            interner: Arc::default(),
            modules: Vec::new(),
            tables: Vec::new(),
            documents: Vec::new(),
            program: Arc::default(),
            db: Arc::default(),
            limits,
            runtime: Runtime::default(),
            embedded: ALLIANCE,
            unsaved: Vec::new(),
            paths: Vec::new(),
            params: Vec::new(),
            params_used: Vec::new(),
            seen: Vec::new(),
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

    /// The threads, stack and clock evaluation may use.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let kb = KnowledgeBase::default();
    /// assert_eq!(kb.runtime(), &because::eval::Runtime::default());
    /// ```
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// Replaces the runtime for what runs from now on (answers and proofs do not depend on it).
    ///
    /// ```
    /// use because::eval::Runtime;
    /// use because::kb::KnowledgeBase;
    ///
    /// let mut kb = KnowledgeBase::default();
    /// kb.set_runtime(Runtime { threads: 1, ..Runtime::default() });
    /// assert_eq!(kb.runtime().threads, 1);
    /// ```
    pub fn set_runtime(&mut self, runtime: Runtime) {
        self.runtime = runtime;
    }

    /// Texts that loads and checks read instead of the files at these paths, as if the files
    /// held them: an editor's unsaved buffers (`because lsp`). Paths compare after resolving
    /// `.` and `..`; give them as loads will name them (absolute paths match absolute paths).
    ///
    /// ```
    /// use std::path::{Path, PathBuf};
    /// use because::kb::KnowledgeBase;
    ///
    /// let mut kb = KnowledgeBase::default();
    /// kb.set_unsaved(vec![(PathBuf::from("/unsaved/p.kb"), "p(a).\n".into())]);
    /// kb.load_file(Path::new("/unsaved/./p.kb"))?; // never read from the disk
    /// assert!(kb.query("p(a)")?.holds());
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn set_unsaved(&mut self, files: Vec<(PathBuf, Arc<str>)>) {
        self.unsaved = files;
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

    /// Whether the file at `path` was read already (named by a load or an `include`): loading
    /// it again adds nothing.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join("main.kb"), "include \"rules.kb\".\n").unwrap();
    /// std::fs::write(dir.path().join("rules.kb"), "p(a).\nq(X) :- p(X).\n").unwrap();
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_file(&dir.path().join("main.kb"))?;
    /// assert!(kb.is_loaded(&dir.path().join("rules.kb")));
    /// kb.load_file(&dir.path().join("rules.kb"))?; // nothing new: the rule is not doubled
    /// assert_eq!(kb.program().rules.len(), 1);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn is_loaded(&self, path: &Path) -> bool {
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| crate::load::normalize(path));
        self.seen.contains(&key)
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

    /// Loads files and texts as one load, in order: all of them, or (on any error) none
    /// (`because run a.kb - b.kb`, with stdin between two files).
    ///
    /// ```
    /// use because::kb::{Input, KnowledgeBase};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let rules = dir.path().join("rules.kb");
    /// std::fs::write(&rules, "q(X) :- p(X).\n").unwrap();
    /// let mut kb = KnowledgeBase::default();
    /// let stdin = Input::Text { name: "<stdin>", text: "p(a).\n?- q(X).\n", base: None };
    /// let report = kb.load_inputs(&[Input::File(&rules), stdin])?;
    /// assert_eq!(report.queries.len(), 1);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn load_inputs(&mut self, inputs: &[Input<'_>]) -> Result<LoadReport, Error> {
        let report = self.stage(|loader| {
            for input in inputs {
                match *input {
                    Input::File(path) => loader.load_path(path),
                    Input::Text { name, text, base } => loader.load_text(name, text, base.map(|b| b.join(name))),
                }
            }
        })?;
        for input in inputs {
            if let Input::File(path) = input {
                self.paths.push(path.to_path_buf());
            }
        }
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
    /// // A failed reload keeps the old state, and its error shows the new text.
    /// std::fs::write(&file, "p(a).\nq(X, Y) :- p(X).\n").unwrap();
    /// let e = kb.reload().unwrap_err();
    /// assert!(e.render(false, true).contains("2 | q(X, Y) :- p(X)."));
    /// assert_eq!(kb.query("p(X)")?.len(), 2);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn reload(&mut self) -> Result<LoadReport, Error> {
        let paths = self.paths.clone();
        let mut fresh = KnowledgeBase::new(self.limits.clone());
        fresh.runtime = self.runtime.clone();
        fresh.embedded = self.embedded;
        let mut warnings = Diagnostics::default();
        for (i, p) in paths.iter().enumerate() {
            // Only the last load may be the last (`Runtime::changes_later`).
            fresh.runtime.changes_later = self.runtime.changes_later || i + 1 < paths.len();
            warnings.extend(fresh.load_file(p)?.warnings);
        }
        fresh.runtime = self.runtime.clone();
        let n = fresh.program.queries.len();
        *self = fresh;
        Ok(LoadReport { warnings, queries: n..n, ..Default::default() })
    }

    /// Gives values to the `$NAME` parameters of the queries in files loaded from now on, each
    /// read as [`param_value`] reads it (`because run --param NAME=VALUE`).
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.set_params(&[("who".to_string(), "b".to_string()), ("unused".to_string(), "1".to_string())]);
    /// let r = kb.load_str("p.kb", "p(a).\np(b).\n?- p($who).\n", None)?;
    /// assert!(kb.answer(&kb.queries()[r.queries.start].clone())?.holds());
    /// assert_eq!(kb.params_used(), ["who"]);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn set_params(&mut self, params: &[(String, String)]) {
        self.params = params.iter().map(|(k, v)| (k.clone(), param_value(v))).collect();
    }

    /// The names of the parameters that queries have used so far (loaded files' queries and
    /// those given to [`KnowledgeBase::parse_query_with`]), sorted, each once.
    pub fn params_used(&self) -> &[String] {
        &self.params_used
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
        let staged = self.stage_here(read, stage);
        staged.map_err(|e| self.with_sources(e))
    }

    /// Gives an error the texts it points into: this knowledge base's files, which include
    /// every file a failed load read.
    pub(crate) fn with_sources(&self, mut e: Error) -> Error {
        if e.sources.is_empty() {
            e.sources = self.sources.clone();
        }
        e
    }

    fn stage_here(&mut self, read: impl FnOnce(&mut Loader<'_>), stage: Stage) -> Result<LoadReport, Error> {
        if self.program.tables_released {
            return Err(finished("a load, an assertion or a retraction").into());
        }
        // 1. Read and parse.
        let first_new_file = self.sources.len();
        let interner = Arc::make_mut(&mut self.interner);
        let mut loader = Loader::new(&mut self.sources, interner, self.embedded);
        loader.seen = self.seen.clone();
        loader.unsaved = &self.unsaved;
        loader.cancel = self.limits.cancel.clone();
        read(&mut loader);
        let Loader { diags, mut out, seen, .. } = loader;
        let mut diags = diags;
        if !self.params.is_empty() {
            for stmt in out.modules.iter_mut().flat_map(|m| &mut m.statements) {
                if let ast::Statement::Query(q) = stmt {
                    q.body.iter().for_each(|lit| collect_params(lit, &mut self.params_used));
                    q.body.iter_mut().for_each(|lit| substitute_literal(lit, &self.params));
                }
            }
        }
        if diags.has_errors() {
            diags.sort();
            return Err(diags.into());
        }
        // 2. Check the whole program with the new modules.
        let mut modules = self.modules.clone();
        let first_new_module = modules.len();
        modules.extend(out.modules);
        session::apply_retractions(&mut modules, first_new_module, &mut diags);
        let mut tables = self.tables.clone();
        tables.extend(out.tables);
        let mut documents = self.documents.clone();
        documents.extend(out.documents);
        // Ctrl-C is polled between the stages of a load too (the evaluation polls it itself).
        let cancelled = |diags: &mut Diagnostics| {
            let stop = self.limits.cancel.as_ref().is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed));
            if stop {
                diags.push(crate::syntax::cancelled());
            }
            stop
        };
        if cancelled(&mut diags) {
            return Err(diags.into());
        }
        let (mut program, check_diags, row_errors) = check::check_with_rows(&modules, tables.clone(), interner);
        diags.extend(check_diags);
        if !row_errors.is_empty() {
            // Data rows that break a declaration are shown in their data files, read again.
            let mut loader = Loader::new(&mut self.sources, &mut *interner, self.embedded);
            loader.unsaved = &self.unsaved;
            for d in loader.locate_fields(row_errors) {
                diags.push(d);
            }
        }
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
        let summary = LoadSummary {
            predicates: program.preds.iter().filter(|p| !p.defined.builtin).count(),
            facts: program.facts.len() + program.loads.iter().map(|t| t.data.len() / t.width.max(1)).sum::<usize>(),
            rules: program.rules.len(),
            quotes_verified: count_verified_quotes(&modules, &documents),
            constraints: program.constraint_count(),
        };
        if stage == Stage::CheckOnly {
            diags.0.retain(|d| d.span.is_none_or(|s| s.file.0 as usize >= first_new_file));
            return Ok(LoadReport { warnings: diags, queries: 0..0, summary });
        }
        // 3. Evaluate: from the current state when the change allows (the cost of what
        // changed, `eval::incremental`), else afresh. Either way the current state is taken
        // out of its `Arc` without copying (unless a snapshot shares it) and is put back as it
        // was if evaluation fails.
        // A load after which nothing changes (`Runtime::changes_later` off) evaluates afresh
        // and gives up the tables' rows, which only a change would read again: the relations
        // keep them (see `eval::evaluate_final`).
        let (limits, runtime) = (&self.limits, &self.runtime);
        let last = !runtime.changes_later && program.queries.iter().all(|q| q.what_if.is_empty());
        if last {
            tables.iter_mut().for_each(|t| t.data = Arc::default());
        }
        let mut current = std::mem::take(Arc::make_mut(&mut self.db));
        let old_program = &*self.program;
        let program_ref = &mut program;
        let evaluated = eval::on_big_stack(runtime, || {
            if last {
                return eval::evaluate_final(program_ref, interner, limits, runtime, crate::graph::builtin_rows)
                    .map(Some);
            }
            match eval::incremental::update(old_program, program_ref, &mut current, interner, limits, runtime)? {
                Some(_) => Ok(None),
                None => eval::evaluate(program_ref, interner, limits, runtime, crate::graph::builtin_rows).map(Some),
            }
        });
        let db = match evaluated {
            Ok(Some(fresh)) => fresh,
            Ok(None) => current,
            Err(e) => {
                *Arc::make_mut(&mut self.db) = current;
                return Err(e.into());
            }
        };
        // 4. Commit.
        // The old modules come first, so their queries do too.
        let new_queries = self.program.queries.len()..program.queries.len();
        // Warnings about what was loaded before were reported then.
        diags.0.retain(|d| d.span.is_none_or(|s| s.file.0 as usize >= first_new_file));
        self.modules = modules;
        self.seen = seen;
        self.tables = tables;
        self.documents = documents;
        self.program = Arc::new(program);
        self.db = Arc::new(db);
        Ok(LoadReport { warnings: diags, queries: new_queries, summary })
    }

    /// The current state, to read from any thread while this knowledge base moves on: see
    /// [`Snapshot`]. Cheap: it shares everything with the knowledge base.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\n", None)?;
    /// let before = kb.snapshot();
    /// kb.load_str("q.kb", "p(b).\n", None)?;
    /// assert_eq!(before.query("p(X)")?.len(), 1);
    /// assert_eq!(kb.snapshot().query("p(X)")?.len(), 2);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            sources: self.sources.clone(),
            interner: self.interner.clone(),
            program: self.program.clone(),
            db: self.db.clone(),
            limits: self.limits.clone(),
            runtime: self.runtime.clone(),
        }
    }

    /// Parses and answers one select query (`endured(X, P)`, `?- p(X).`). A `why` query is
    /// refused with `query::not_a_select`: use [`KnowledgeBase::why`]. The query leaves nothing
    /// behind in the knowledge base.
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
    pub fn query(&self, text: &str) -> Result<Answers, Error> {
        self.snapshot().query(text)
    }

    /// Parses and lowers a query against the current state, for [`KnowledgeBase::answer`]
    /// or [`KnowledgeBase::explain`]. An unknown predicate is an error. The query keeps its
    /// own constants and text; answer it before the next change (after one it is refused with
    /// `query::stale`).
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
    pub fn parse_query(&self, text: &str) -> Result<QueryIr, Error> {
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
    pub fn parse_query_with(&self, text: &str, params: &[(String, String)]) -> Result<QueryIr, Error> {
        self.snapshot().parse_query_with(text, params)
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
    /// kb.load_str("more.kb", "p(c).\n", None)?;
    /// assert_eq!(kb.answer(&q).unwrap_err().diagnostics.0[0].code, "query::stale");
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn answer(&self, query: &QueryIr) -> Result<Answers, Error> {
        self.snapshot().answer(query)
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
    pub fn answer_limited(&self, query: &QueryIr, limit: Option<usize>) -> Result<Answers, Error> {
        self.snapshot().answer_limited(query, limit)
    }

    /// Explains a parsed `why` or `why not` query (see [`KnowledgeBase::parse_query`];
    /// [`KnowledgeBase::why`], [`KnowledgeBase::why_not`] and [`KnowledgeBase::explain_str`]
    /// parse and explain in one call).
    ///
    /// ```
    /// use because::explain::WhyOptions;
    /// use because::kb::KnowledgeBase;
    ///
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\nq(X) :- p(X).\n", None)?;
    /// let q = kb.parse_query("why q(X)")?;
    /// let e = kb.explain(&q, &WhyOptions::default())?;
    /// assert_eq!(e.matched, 1);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn explain(&self, query: &QueryIr, options: &WhyOptions) -> Result<Explanation, Error> {
        self.snapshot().explain(query, options)
    }

    /// For a select query without answers: when its `during` tests, written as `overlaps`,
    /// would find answers, a warning saying so (`eval::during_finds_nothing`) at the first
    /// `during`, with the query's text to render it against. `T during 1991..2019` misses every fact dated `1991..`; "in this period" is
    /// usually `overlaps`.
    ///
    /// ```
    /// use because::kb::KnowledgeBase;
    ///
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("t.kb", "change(a) @ 1991.. .\n", None)?;
    /// let q = kb.parse_query("change(X) @ T, T during 1991..2019")?;
    /// assert!(kb.answer(&q)?.rows.is_empty());
    /// let hint = kb.during_hint(&q).expect("overlaps finds change(a)");
    /// assert_eq!(hint.diagnostics.0[0].code, "eval::during_finds_nothing");
    /// assert!(hint.render(false, true).contains("1 | change(X) @ T, T during 1991..2019"));
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn during_hint(&self, query: &QueryIr) -> Option<Error> {
        fn relax(body: &mut [crate::program::Literal], first: &mut Option<crate::source::Span>) {
            for lit in body {
                match lit {
                    crate::program::Literal::Temporal { op, span, .. } if *op == crate::ast::TimeOp::During => {
                        *op = crate::ast::TimeOp::Overlaps;
                        first.get_or_insert(*span);
                    }
                    crate::program::Literal::Aggregate(agg) => relax(&mut agg.body, first),
                    _ => {}
                }
            }
        }
        if query.kind != crate::ast::QueryKind::Select {
            return None;
        }
        let mut relaxed = query.clone();
        let mut first = None;
        relax(&mut relaxed.body, &mut first);
        let span = first?;
        let n = self.answer(&relaxed).ok()?.rows.len();
        let sources = query.scratch.as_ref().map_or_else(|| self.sources.clone(), |s| s.sources.clone());
        (n > 0).then(|| {
            let warning = Diagnostic::warning(
                "eval::during_finds_nothing",
                format!("no answers with `during`, but {n} answer{} with `overlaps`", if n == 1 { "" } else { "s" }),
            )
            .at(span)
            .label("`during` needs every day of the time inside the other")
            .help(
                "a time open at an end (`1991..`) or longer than the period is never during it; for \
                 \"at some time in this period\" write `overlaps`",
            );
            Error { diagnostics: warning.into(), sources }
        })
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

    /// Builds now the indexes that changes (assert, retract, what-if) probe, which a change
    /// would otherwise build the first time it needs them: for a front end that expects
    /// changes, such as the REPL after a load. Answers do not change.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("tc.kb", "edge(1, 2).\npath(X, Y) :- edge(X, Y).\npath(X, Z) :- edge(X, Y), path(Y, Z).\n", None)?;
    /// kb.prepare_changes();
    /// kb.assert_statements("edge(2, 3).")?;
    /// assert_eq!(kb.query("path(1, 3)")?.rows.len(), 1);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn prepare_changes(&mut self) {
        let (program, interner) = (self.program.clone(), self.interner.clone());
        crate::eval::incremental::prepare_changes(&program, Arc::make_mut(&mut self.db), &interner);
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
        Arc::make_mut(&mut self.db)
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

    /// The text of the document a source names (`source essay "Essay" file "essay.txt".`),
    /// whitespace-normalised as quotes are checked against it; `None` when the source names
    /// no document.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "source notes \"Notes\".\np(a) cite notes \"a\".\n", None)?;
    /// assert_eq!(kb.document("notes"), None);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn document(&self, source: &str) -> Option<&str> {
        self.documents.iter().find(|(n, _, _)| &**n == source).and_then(|(_, d, _)| d.as_deref())
    }

    /// The parsed modules loaded so far, one per file or text.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\np(b).\n", None)?;
    /// assert_eq!(kb.modules()[0].n_statements(), 2);
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
        (&self.program, Arc::make_mut(&mut self.db), Arc::make_mut(&mut self.interner), &self.sources)
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

pub use crate::value::param_value;

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

/// The `$name` parameters a query's text uses, sorted (none if it does not
/// parse: its parse error is reported when it is asked).
///
/// ```
/// assert_eq!(because::kb::params_in("p(X, $who), X > $min, q($who)"), ["min", "who"]);
/// ```
pub fn params_in(text: &str) -> Vec<String> {
    let mut used = Vec::new();
    if let Ok(ast) = crate::syntax::parse_query(crate::source::FileId(0), text) {
        ast.body.iter().for_each(|lit| collect_params(lit, &mut used));
    }
    used
}

/// Adds the names of the `$NAME` parameters in `lit` to `used` (sorted, each once).
fn collect_params(lit: &ast::Literal, used: &mut Vec<String>) {
    fn expr(e: &ast::Expr, used: &mut Vec<String>) {
        match e {
            ast::Expr::Param(id) => {
                if let Err(at) = used.binary_search_by(|u| (**u).cmp(&*id.name)) {
                    used.insert(at, id.name.to_string());
                }
            }
            ast::Expr::Neg(inner, _) => expr(inner, used),
            ast::Expr::Call { args, .. } => args.iter().for_each(|a| expr(a, used)),
            ast::Expr::Binary { lhs, rhs, .. } => {
                expr(lhs, used);
                expr(rhs, used);
            }
            ast::Expr::Var(_) | ast::Expr::Wildcard(_) | ast::Expr::Const(..) => {}
        }
    }
    match lit {
        ast::Literal::Positive { atom, time, .. } | ast::Literal::Negative { atom, time, .. } => {
            atom.args.iter().chain(time.as_ref()).for_each(|e| expr(e, used));
        }
        ast::Literal::Compare { lhs, rhs, .. } | ast::Literal::Temporal { lhs, rhs, .. } => {
            expr(lhs, used);
            expr(rhs, used);
        }
        ast::Literal::Aggregate(agg) => {
            expr(&agg.result, used);
            if let Some(t) = &agg.target {
                expr(t, used);
            }
            agg.body.iter().for_each(|l| collect_params(l, used));
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
        ast::Expr::Neg(inner, _) => substitute_expr(inner, values),
        ast::Expr::Call { args, .. } => args.iter_mut().for_each(|a| substitute_expr(a, values)),
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
            if let Some(doc) = doc_of(&c.source.name) {
                let quote = normalize_ws(&c.quote);
                // Every document contains the empty string: an empty quote would cite nothing.
                if quote.is_empty() {
                    diags.push(
                        Diagnostic::error("check::quote_not_in_source", "an empty quote cites nothing")
                            .at(c.quote_span)
                            .label("empty")
                            .help("quote the words of the document that state the fact"),
                    );
                } else if !present.contains(&(c.source.name.clone(), quote.clone())) {
                    let help = match nearest_passage(doc, &quote) {
                        Some(near) => format!("the nearest passage in the document is {near}"),
                        None => "copy the words exactly from the document (whitespace may differ)".to_string(),
                    };
                    diags.push(
                        Diagnostic::error(
                            "check::quote_not_in_source",
                            format!("this quote is not in the document of source `{}`", c.source.name),
                        )
                        .at(c.quote_span)
                        .label("not found verbatim")
                        .help(help),
                    );
                }
            }
        }
    }
}

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

/// How many citations name a source whose document is checked (what [`verify_quotes`] checks).
fn count_verified_quotes(modules: &[Module], documents: &[(Arc<str>, Option<String>, ast::Span)]) -> usize {
    let documented = |name: &str| documents.iter().any(|(n, d, _)| &**n == name && d.is_some());
    let cites = modules.iter().flat_map(|m| &m.statements).flat_map(|stmt| match stmt {
        ast::Statement::Fact(f) => f.cites.as_slice(),
        ast::Statement::Rule(r) => r.cites.as_slice(),
        ast::Statement::Entity(e) => e.cites.as_slice(),
        _ => &[],
    });
    cites.filter(|c| documented(&c.source.name)).count()
}

/// The passage of `doc` closest to a `quote` it does not contain, described for a diagnostic:
/// the passage, and the first character where they differ (an en dash for a hyphen, a curly
/// quote for a straight one). It is found by the longest prefix of the quote that the document
/// contains, or failing that the longest suffix; `None` when neither is a useful length.
fn nearest_passage(doc: &str, quote: &str) -> Option<String> {
    let chars: Vec<(usize, char)> = quote.char_indices().collect();
    let n = chars.len();
    let byte_at = |k: usize| chars.get(k).map_or(quote.len(), |&(b, _)| b);
    // The number of leading (or trailing) characters of the quote that the document holds:
    // containment is monotone in the length, so a binary search finds it.
    let longest = |holds: &dyn Fn(usize) -> bool| {
        let (mut lo, mut hi) = (0, n);
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if holds(mid) { lo = mid } else { hi = mid - 1 }
        }
        lo
    };
    let prefix = longest(&|k| doc.contains(&quote[..byte_at(k)]));
    let suffix = longest(&|k| doc.contains(&quote[byte_at(n - k)..]));
    let useful = 8.min(n / 2).max(3);
    if prefix.max(suffix) < useful {
        return None;
    }
    let quoted_char = |c: char| format!("`{c}` (U+{:04X})", c as u32);
    let (passage, ours, theirs) = if prefix >= suffix {
        let head = &quote[..byte_at(prefix)];
        let at = doc.find(head)?;
        let passage: String = doc[at..].chars().take(n + 10).collect();
        let theirs = doc[at + head.len()..].chars().next();
        (passage, chars.get(prefix).map(|&(_, c)| c), theirs)
    } else {
        let tail = &quote[byte_at(n - suffix)..];
        let at = doc.find(tail)?;
        let start = doc[..at].char_indices().rev().nth(n - suffix + 9).map_or(0, |(b, _)| b);
        let passage = doc[start..at + tail.len()].to_string();
        let theirs = doc[..at].chars().next_back();
        (passage, chars.get(n - suffix - 1).map(|&(_, c)| c), theirs)
    };
    let difference = match (ours, theirs) {
        (Some(a), Some(b)) => format!("; the quote has {} where the document has {}", quoted_char(a), quoted_char(b)),
        _ => String::new(),
    };
    Some(format!("“{}”{difference}", passage.trim()))
}

/// The error for a change to a knowledge base whose last load gave up its tables
/// ([`Runtime::changes_later`] off).
pub(crate) fn finished(what: &str) -> Diagnostic {
    Diagnostic::error("api::finished", format!("this knowledge base takes no more changes ({what})"))
        .help("its last load was made with `Runtime::changes_later` off, which lets go of the loaded tables; keep it on for a knowledge base that changes")
}

/// The graph views read a knowledge base through [`crate::graph::Base`].
impl crate::graph::Base for KnowledgeBase {
    fn program(&self) -> &Program {
        KnowledgeBase::program(self)
    }
    fn database(&self) -> &Database {
        KnowledgeBase::database(self)
    }
    fn interner(&self) -> &Interner {
        KnowledgeBase::interner(self)
    }
    fn sources(&self) -> &SourceMap {
        KnowledgeBase::sources(self)
    }
    fn limits(&self) -> &Limits {
        KnowledgeBase::limits(self)
    }
}

/// ... and a snapshot of one.
impl crate::graph::Base for Snapshot {
    fn program(&self) -> &Program {
        Snapshot::program(self)
    }
    fn database(&self) -> &Database {
        Snapshot::database(self)
    }
    fn interner(&self) -> &Interner {
        Snapshot::interner(self)
    }
    fn sources(&self) -> &SourceMap {
        Snapshot::sources(self)
    }
    fn limits(&self) -> &Limits {
        &self.limits
    }
}
