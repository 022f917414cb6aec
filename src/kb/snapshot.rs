//! The read side of the front door: a [`Snapshot`] is one committed state of a knowledge base,
//! immutable and cheap to clone, that answers queries and explains them through `&self`.
//!
//! What a query needs beyond the snapshot lives in per-query scratch that is dropped with it:
//! its constants and computed values in an overlay interner ([`Interner::overlay`]), its text
//! as a source file, and any relation it has to index differently or built-in relation it has
//! to compute, copied on write from the snapshot's shared relations. So several threads can
//! query one snapshot at once, and a long session does not grow with its queries.
//!
//! ```
//! use because::kb::KnowledgeBase;
//!
//! let mut kb = KnowledgeBase::default();
//! kb.load_str("p.kb", "p(1).\np(2).\nq(X) :- p(X).\n", None)?;
//! let snapshot = kb.snapshot();
//! // The host moves on; the snapshot keeps the state it was taken from.
//! kb.load_str("more.kb", "p(3).\n", None)?;
//! let threads: Vec<_> = (0..4)
//!     .map(|_| {
//!         let s = snapshot.clone();
//!         std::thread::spawn(move || s.query("q(X), Y = X * 10").map(|a| a.rows))
//!     })
//!     .collect();
//! for t in threads {
//!     assert_eq!(t.join().unwrap()?.len(), 2);
//! }
//! assert_eq!(kb.query("q(X)")?.len(), 3);
//! # Ok::<(), because::kb::Error>(())
//! ```

use std::sync::Arc;

use crate::ast::QueryKind;
use crate::check;
use crate::diag::Diagnostic;
use crate::eval::{self, Database, Guard, Limits, Runtime};
use crate::explain::{Explanation, WhyOptions};
use crate::program::{Literal, Program, QueryIr, QueryScratch};
use crate::source::SourceMap;
use crate::syntax;
use crate::value::{Interner, Value};

use super::{Answers, Error, param_value, query_text, substitute_literal};

/// One committed state of a knowledge base, read through `&self` (see the module
/// documentation). Take one with [`KnowledgeBase::snapshot`](super::KnowledgeBase::snapshot).
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub(crate) sources: SourceMap,
    pub(crate) interner: Arc<Interner>,
    pub(crate) program: Arc<Program>,
    pub(crate) db: Arc<Database>,
    pub(crate) limits: Limits,
    pub(crate) runtime: Runtime,
}

impl Snapshot {
    /// Parses and answers one select query; a `why` query is refused with
    /// `query::not_a_select`.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("n.kb", "n(1).\nn(2).\n", None)?;
    /// let a = kb.snapshot().query("n(X), X > 1")?;
    /// assert_eq!(a.rows.len(), 1);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn query(&self, text: &str) -> Result<Answers, Error> {
        let query = self.parse_query(text)?;
        if query.kind != QueryKind::Select {
            return Err(self.query_error(
                &query,
                Diagnostic::error("query::not_a_select", "this is a `why` query: use `KnowledgeBase::why`")
                    .at(query.span),
            ));
        }
        self.answer(&query)
    }

    /// Parses and lowers a query against this state. Its constants and text stay with the
    /// returned query, not in the snapshot; answer it with this snapshot (or one taken before the
    /// next change): a query parsed against another state is refused with `query::stale`.
    pub fn parse_query(&self, text: &str) -> Result<QueryIr, Error> {
        self.parse_query_with(text, &[])
    }

    /// As [`Snapshot::parse_query`], with `$name` parameters read from text as
    /// [`param_value`] reads them.
    pub fn parse_query_with(&self, text: &str, params: &[(String, String)]) -> Result<QueryIr, Error> {
        let values: Vec<(String, Value)> = params.iter().map(|(k, v)| (k.clone(), param_value(v))).collect();
        self.prepare(text, &values, None)
    }

    /// Parses `text` with `values` for its parameters, in a scratch source map and overlay
    /// interner that the query keeps. `only` refuses a query of another kind before lowering.
    pub(super) fn prepare(
        &self,
        text: &str,
        values: &[(String, Value)],
        only: Option<QueryKind>,
    ) -> Result<QueryIr, Error> {
        let mut sources = self.sources.clone();
        let file = sources.add("<query>".to_string(), None, Arc::from(text));
        let mut interner = Interner::overlay(self.interner.clone());
        let lowered = (|| -> Result<QueryIr, Error> {
            let mut ast = syntax::parse_query(file, text)?;
            for lit in &mut ast.body {
                substitute_literal(lit, values);
            }
            if only == Some(QueryKind::Select) && ast.kind != QueryKind::Select {
                return Err(Diagnostic::error(
                    "query::not_a_select",
                    "this is a `why` query: use `KnowledgeBase::why`",
                )
                .at(ast.span)
                .into());
            }
            let mut q = check::lower_query(&self.program, &mut interner, &ast, text)?;
            q.text = query_text(&sources, q.span);
            Ok(q)
        })();
        match lowered {
            Ok(mut q) => {
                q.scratch = Some(Arc::new(QueryScratch { interner: Arc::new(interner), sources }));
                Ok(q)
            }
            Err(mut e) => {
                e.sources = sources;
                Err(e)
            }
        }
    }

    /// Answers a lowered select query (stated in a loaded file, or parsed against this state).
    pub fn answer(&self, query: &QueryIr) -> Result<Answers, Error> {
        self.answer_limited(query, None)
    }

    /// [`Snapshot::answer`], stopping once `limit` distinct answers are found: the first ones
    /// the evaluation meets, sorted, without computing the rest.
    pub fn answer_limited(&self, query: &QueryIr, limit: Option<usize>) -> Result<Answers, Error> {
        if !query.what_if.is_empty() {
            // `whatif CHANGES : QUERY`: the answers of the hypothetical world.
            let (what_if, q) = self.hypothetical(query)?;
            return what_if.world().answer_limited(&q, limit);
        }
        let (mut interner, mut db) = self.scratch(query)?;
        let answered = (|| -> Result<Answers, Error> {
            self.fill_violations(&mut db, &mut interner, &query.body)?;
            fill_builtins(&self.program, &mut db, &mut interner, &query.body)?;
            let (program, limits) = (&*self.program, &self.limits);
            let rows = eval::on_big_stack(&self.runtime, || {
                eval::answer(program, &mut db, &mut interner, query, limits, limit)
            })?;
            Ok(Answers {
                query: query.text.clone(),
                columns: query.columns.iter().map(|(_, n)| n.to_string()).collect(),
                rows: rows.into_iter().map(|r| r.into_iter().map(|id| interner.value(id)).collect()).collect(),
            })
        })();
        answered.map_err(|e| self.with_query_sources(query, e))
    }

    /// Explains a lowered `why` or `why not` query.
    pub fn explain(&self, query: &QueryIr, options: &WhyOptions) -> Result<Explanation, Error> {
        if !query.what_if.is_empty() {
            let (what_if, q) = self.hypothetical(query)?;
            return what_if.world().explain(&q, options);
        }
        let (mut interner, mut db) = self.scratch(query)?;
        let sources = query.scratch.as_ref().map_or(&self.sources, |s| &s.sources);
        let explained = (|| -> Result<Explanation, Error> {
            let Some(Literal::Positive(atom)) = query.body.first() else {
                return Err(Diagnostic::error(
                    "explain::not_an_atom",
                    "`why` explains one positive atom, such as `why endured(A, P)`",
                )
                .at(query.span)
                .into());
            };
            self.fill_violations(&mut db, &mut interner, &query.body)?;
            fill_builtins(&self.program, &mut db, &mut interner, &query.body)?;
            let mut guard = Guard::new(&self.limits);
            guard.place = "while explaining".into();
            let (program, db, interner) = (&*self.program, &mut db, &mut interner);
            eval::on_big_stack(&self.runtime, || {
                crate::explain::explain_atom(program, db, interner, sources, options, guard, query, atom)
            })
            .map_err(Error::from)
        })();
        explained.map_err(|e| self.with_query_sources(query, e))
    }

    /// Explains `why ATOM` (`atom` without the `why`).
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "source n \"Notes\".\np(a) cite n \"a is p\".\nq(X) :- p(X).\n", None)?;
    /// let e = kb.snapshot().why("q(a)")?;
    /// assert!(e.found());
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn why(&self, atom: &str) -> Result<Explanation, Error> {
        self.explain_str(&format!("why {atom}"), &WhyOptions::default())
    }

    /// Explains `why not ATOM`.
    pub fn why_not(&self, atom: &str) -> Result<Explanation, Error> {
        self.explain_str(&format!("why not {atom}"), &WhyOptions::default())
    }

    /// Parses and explains a `why` or `why not` query; a select query is refused with
    /// `query::not_a_why`.
    pub fn explain_str(&self, text: &str, options: &WhyOptions) -> Result<Explanation, Error> {
        let query = self.parse_query(text)?;
        if query.kind == QueryKind::Select {
            return Err(self.query_error(
                &query,
                Diagnostic::error("query::not_a_why", "this is a select query: use `KnowledgeBase::query`")
                    .at(query.span)
                    .help("write `why ATOM` or `why not ATOM`"),
            ));
        }
        self.explain(&query, options)
    }

    /// Answers a select query whose `$name` parameters take typed values.
    pub fn query_with(&self, text: &str, params: &[(&str, Value)]) -> Result<Answers, Error> {
        let values: Vec<(String, Value)> = params.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        let query = self.prepare(text, &values, Some(QueryKind::Select))?;
        self.answer(&query)
    }

    /// The queries stated in loaded files, in order.
    pub fn queries(&self) -> &[QueryIr] {
        &self.program.queries
    }

    /// The checked program.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The evaluated relations.
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// The interner of this state's constants.
    pub fn interner(&self) -> &Interner {
        &self.interner
    }

    /// The files this state was read from.
    pub fn sources(&self) -> &SourceMap {
        &self.sources
    }

    /// The scratch a query runs in: an overlay over the query's own constants (or this state's)
    /// and a copy of the database whose relations are shared until the query changes one.
    fn scratch(&self, query: &QueryIr) -> Result<(Interner, Database), Error> {
        let base = match &query.scratch {
            None => self.interner.clone(),
            Some(s) if s.interner.is_overlay_of(&self.interner) => s.interner.clone(),
            Some(_) => {
                return Err(self.query_error(
                    query,
                    Diagnostic::error(
                        "query::stale",
                        "this query was parsed against another state of the knowledge base",
                    )
                    .at(query.span)
                    .help("parse the query again after loading or changing facts"),
                ));
            }
        };
        Ok((Interner::overlay(base), (*self.db).clone()))
    }

    fn query_error(&self, query: &QueryIr, d: Diagnostic) -> Error {
        self.with_query_sources(query, d.into())
    }

    /// Gives an error the texts it points into: the query's own sources, or this state's.
    fn with_query_sources(&self, query: &QueryIr, mut e: Error) -> Error {
        if e.sources.is_empty() {
            e.sources = query.scratch.as_ref().map_or_else(|| self.sources.clone(), |s| s.sources.clone());
        }
        e
    }
}

/// Computes the built-in relations a query uses that evaluation did not (no rule or stated
/// query used them), in the query's copy of the database.
fn fill_builtins(program: &Program, db: &mut Database, interner: &mut Interner, body: &[Literal]) -> Result<(), Error> {
    for p in 0..program.preds.len() as crate::program::PredId {
        if program.pred(p).defined.builtin && eval::uses_pred(body, p) {
            eval::fill_builtin(program, db, interner, p, crate::graph::builtin_rows)?;
        }
    }
    Ok(())
}
