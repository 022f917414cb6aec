//! The library's front door: a [`KnowledgeBase`] that loads files and text, answers queries and
//! explains them.
//!
//! Every change goes through one staging step: read and parse the new input, check the whole
//! program with it, evaluate, and only then replace the current state. A load that fails at any
//! step leaves the knowledge base exactly as it was.

mod session;

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

/// The shipped knowledge base: the alliance essay's facts and theory.
pub const ALLIANCE: &[Embedded] = &[
    ("facts/alliance/alliance.kb", include_str!("../facts/alliance/alliance.kb")),
    ("facts/alliance/theory.kb", include_str!("../facts/alliance/theory.kb")),
    ("facts/alliance/rok_us.kb", include_str!("../facts/alliance/rok_us.kb")),
    ("facts/alliance/questions.kb", include_str!("../facts/alliance/questions.kb")),
];

/// The entry file of the shipped knowledge base.
pub const ALLIANCE_ENTRY: &str = "facts/alliance/alliance.kb";

/// Diagnostics from a failed operation; render them with [`KnowledgeBase::render`].
#[derive(Debug, Clone)]
pub struct Error {
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
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    pub warnings: Diagnostics,
    /// Indices (into [`KnowledgeBase::queries`]) of the queries the loaded files contain.
    pub queries: Range<usize>,
}

/// The answers to one select query.
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
    /// A query without variables holds when it has one (empty) answer row.
    pub fn holds(&self) -> bool {
        !self.rows.is_empty()
    }
}

/// A knowledge base: files and facts loaded so far, checked and evaluated.
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
    /// An empty knowledge base with the given limits.
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

    /// The shipped alliance knowledge base.
    pub fn alliance(limits: Limits) -> Result<KnowledgeBase, Error> {
        let mut kb = KnowledgeBase::new(limits);
        kb.load_file(Path::new(ALLIANCE_ENTRY))?;
        Ok(kb)
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Loads a `.kb` file (and what it includes and loads). All or nothing.
    pub fn load_file(&mut self, path: &Path) -> Result<LoadReport, Error> {
        let report = self.stage(|loader| loader.load_path(path))?;
        self.paths.push(path.to_path_buf());
        Ok(report)
    }

    /// Loads several `.kb` files as one load: all of them, or (on any error) none.
    pub fn load_files(&mut self, paths: &[&Path]) -> Result<LoadReport, Error> {
        let report = self.stage(|loader| {
            for path in paths {
                loader.load_path(path);
            }
        })?;
        self.paths.extend(paths.iter().map(|p| p.to_path_buf()));
        Ok(report)
    }

    /// Loads `.kb` text; `name` is how diagnostics name it, relative paths resolve from `base`.
    pub fn load_str(&mut self, name: &str, text: &str, base: Option<&Path>) -> Result<LoadReport, Error> {
        let base = base.map(|b| b.join(name));
        self.stage(|loader| loader.load_text(name, text, base))
    }

    /// Forgets everything and loads the same files again from disk.
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
        let (mut program, check_diags) = check::check(&modules, tables.clone(), &mut self.interner);
        diags.extend(check_diags);
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

    /// Parses and answers one select query (`endured(X, P)`, `?- p(X).`).
    pub fn query(&mut self, text: &str) -> Result<Answers, Error> {
        let query = self.parse_query(text)?;
        if query.kind != QueryKind::Select {
            return Err(Diagnostic::error("query::not_a_select", "this is a `why` query: use `KnowledgeBase::why`")
                .at(query.span)
                .into());
        }
        self.answer(&query)
    }

    /// Parses and lowers a query against the current program.
    pub fn parse_query(&mut self, text: &str) -> Result<QueryIr, Error> {
        self.parse_query_with(text, &[])
    }

    /// Parses and lowers a query whose `$name` parameters take the given values. A value is
    /// read as an integer, a decimal, an interval (`1991..2019`, `1995`, `..1990`) where it
    /// looks like one, and as text otherwise; it is never spliced into the query's text.
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

    /// Answers a lowered select query.
    pub fn answer(&mut self, query: &QueryIr) -> Result<Answers, Error> {
        self.fill_builtins(&query.body)?;
        let (program, db, interner, limits) = (&self.program, &mut self.db, &mut self.interner, &self.limits);
        let rows = eval::on_big_stack(|| eval::answer(program, db, interner, query, limits))?;
        Ok(Answers {
            query: query.text.clone(),
            columns: query.columns.iter().map(|(_, n)| n.to_string()).collect(),
            rows: rows.into_iter().map(|r| r.into_iter().map(|id| self.interner.value(id).clone()).collect()).collect(),
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

    /// The queries stated in loaded files, in order.
    pub fn queries(&self) -> &[QueryIr] {
        &self.program.queries
    }

    pub fn program(&self) -> &Program {
        &self.program
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    pub fn database_mut(&mut self) -> &mut Database {
        &mut self.db
    }

    pub fn interner(&self) -> &Interner {
        &self.interner
    }

    pub fn sources(&self) -> &SourceMap {
        &self.sources
    }

    pub fn modules(&self) -> &[Module] {
        &self.modules
    }

    /// The parts an explanation needs at once: program, database, interner, sources.
    pub fn parts_mut(&mut self) -> (&Program, &mut Database, &mut Interner, &SourceMap) {
        (&self.program, &mut self.db, &mut self.interner, &self.sources)
    }

    /// Renders diagnostics as text (with source lines and carets).
    pub fn render(&self, diags: &Diagnostics, color: bool, warnings: bool) -> String {
        diags.render(&self.sources, color, warnings)
    }
}

/// A parameter's value from its command-line text.
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
fn verify_quotes(modules: &[Module], documents: &[(Arc<str>, Option<String>, ast::Span)], diags: &mut Diagnostics) {
    if documents.is_empty() {
        return;
    }
    let doc_of = |name: &str| documents.iter().find(|(n, _, _)| &**n == name).and_then(|(_, d, _)| d.as_deref());
    for stmt in modules.iter().flat_map(|m| &m.statements) {
        let cites = match stmt {
            ast::Statement::Fact(f) => &f.cites,
            ast::Statement::Rule(r) => &r.cites,
            ast::Statement::Entity(e) => &e.cites,
            _ => continue,
        };
        for c in cites {
            if let Some(doc) = doc_of(&c.source.name) {
                if !doc.contains(&normalize_ws(&c.quote)) {
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
}
