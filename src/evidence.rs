//! Weighing the evidence: questions asked in a hypothetical world ([`Snapshot::what_if`]) and
//! what a conclusion rests on ([`Snapshot::support`], in [`support`]).
//!
//! A what-if never touches the state it starts from: it copies the checked program's base facts
//! with the changes applied, evaluates that copy into a private database (constants it needs go
//! in an overlay interner), and hands back a second [`Snapshot`] beside the real one. The
//! evaluation is incremental ([`crate::eval::incremental`]): the world shares the real relations
//! its changes do not reach and copies only those they change; its model is the one a fresh
//! evaluation of the program with other facts gives (a property test checks it).
//!
//! ```
//! use because::evidence::Change;
//! use because::kb::KnowledgeBase;
//!
//! let mut kb = KnowledgeBase::default();
//! kb.load_str("r.kb", "edge(a, b).\nedge(b, c).\nreach(X, Y) :- edge(X, Y).\nreach(X, Z) :- reach(X, Y), edge(Y, Z).\n", None)?;
//! let real = kb.snapshot();
//! let world = real.what_if(&[Change::Without("edge(b, _)".into()), Change::With("edge(a, d)".into())])?;
//! let diff = world.query("reach(a, X)")?;
//! assert_eq!(diff.lost_text(), ["c"]);
//! assert_eq!(diff.gained_text(), ["d"]);
//! assert!(world.world().why_not("reach(a, c)")?.found());
//! // The real knowledge base still has every fact.
//! assert_eq!(kb.query("reach(a, X)")?.len(), 2);
//! # Ok::<(), because::kb::Error>(())
//! ```

pub mod constraints;
/// Sources and citations as relations, computed from the checked program.
pub use crate::program::citations as data;
pub(crate) use crate::program::citations::row_text;
pub mod support;

use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::eval;
use crate::kb::{Answers, Error, Snapshot};
use crate::program::{Arg, BaseFact, FactOrigin, Literal, Program};
use crate::source::SourceMap;
use crate::syntax::print::Source;
use crate::value::{Id, Interner, Value};

/// One change that makes a hypothetical world (parsed with the query, so defined in
/// [`crate::ast`]).
pub use crate::ast::Change;

impl Change {
    /// The change as the command line and the REPL write it.
    pub fn describe(&self) -> String {
        match self {
            Change::Without(p) => format!("without {p}"),
            Change::WithoutSource(s) => format!("without source {s}"),
            Change::With(f) => format!("with {f}"),
            Change::MinGrade(g) => format!("only sources graded {g} or better"),
        }
    }
}

/// A hypothetical world beside the real one: ask it queries (answered with what they lost and
/// gained), and `why` / `why not` through [`WhatIf::world`].
#[derive(Debug, Clone)]
pub struct WhatIf {
    real: Snapshot,
    world: Snapshot,
    /// The base facts left out, as text, in program order.
    pub removed: Vec<String>,
    /// The facts added, as text.
    pub added: Vec<String>,
    /// The changes, as given.
    pub changes: Vec<Change>,
}

/// The answers of one query in the real and the hypothetical world.
#[derive(Debug, Clone)]
pub struct Difference {
    pub query: String,
    pub columns: Vec<String>,
    /// Answers in both worlds.
    pub kept: Vec<Vec<Value>>,
    /// Answers of the real world that the hypothetical one lacks.
    pub lost: Vec<Vec<Value>>,
    /// Answers only the hypothetical world has.
    pub gained: Vec<Vec<Value>>,
}

/// The changes that make a hypothetical world, in JSON: each change as written, and the base
/// facts it removed and added.
#[derive(Debug, serde::Serialize)]
pub struct ChangesJson<'a> {
    pub changes: Vec<String>,
    pub removed: &'a [String],
    pub added: &'a [String],
}

/// A select query's answers in a hypothetical world against the real one, in JSON (`docs/json.md`,
/// "What-if").
#[derive(Debug, serde::Serialize)]
pub struct DifferenceJson<'a> {
    /// [`crate::output::JSON_VERSION`].
    pub version: u32,
    pub query: &'a str,
    pub what_if: ChangesJson<'a>,
    pub columns: &'a [String],
    pub kept: Vec<Vec<serde_json::Value>>,
    pub lost: Vec<Vec<serde_json::Value>>,
    pub gained: Vec<Vec<serde_json::Value>>,
    pub holds: bool,
}

/// The JSON document of a `why` or `why not` asked in a hypothetical world (`docs/json.md`,
/// "what-if-proof"): the changes, then the explanation's own document.
#[derive(Debug, serde::Serialize)]
pub struct WhatIfProofJson<'a> {
    /// [`crate::output::JSON_VERSION`].
    pub version: u32,
    /// [`WhatIf::changes_json`].
    pub what_if: ChangesJson<'a>,
    /// The explanation in the hypothetical world.
    pub explanation: crate::explain::ProofJson<'a>,
}

impl WhatIf {
    /// An explanation asked in this world, as one JSON document.
    pub fn proof_document<'a>(&'a self, e: &'a crate::explain::Explanation) -> WhatIfProofJson<'a> {
        WhatIfProofJson {
            version: crate::output::JSON_VERSION,
            what_if: self.changes_json(),
            explanation: e.document(),
        }
    }
}

impl Difference {
    fn rows_text(rows: &[Vec<Value>]) -> Vec<String> {
        rows.iter().map(|r| r.iter().map(Value::to_string).collect::<Vec<_>>().join(", ")).collect()
    }

    /// The lost answers, one line each (values separated by `, `; `true` for a yes/no query).
    pub fn lost_text(&self) -> Vec<String> {
        Self::rows_text(&self.lost)
    }

    /// The gained answers, as [`Difference::lost_text`].
    pub fn gained_text(&self) -> Vec<String> {
        Self::rows_text(&self.gained)
    }

    /// Whether the query has an answer in the hypothetical world.
    pub fn holds(&self) -> bool {
        !self.kept.is_empty() || !self.gained.is_empty()
    }
}

impl WhatIf {
    /// The hypothetical world, to query and explain like any snapshot.
    pub fn world(&self) -> &Snapshot {
        &self.world
    }

    /// The real world it was made from.
    pub fn real(&self) -> &Snapshot {
        &self.real
    }

    /// Answers a select query in both worlds and compares them.
    pub fn query(&self, text: &str) -> Result<Difference, Error> {
        let real = self.real.query(text)?;
        let world = self.world.query(text)?;
        Ok(compare(&real, &world))
    }

    /// The changes and the base facts they removed and added, as text lines.
    pub fn render_changes(&self) -> String {
        let mut out = String::new();
        let changes: Vec<String> = self.changes.iter().map(Change::describe).collect();
        out.push_str(&format!("what if: {}\n", changes.join("; ")));
        for f in &self.removed {
            out.push_str(&format!("  - {f}\n"));
        }
        for f in &self.added {
            out.push_str(&format!("  + {f}\n"));
        }
        if self.removed.is_empty() && self.added.is_empty() {
            out.push_str("  (no base fact changes)\n");
        }
        out
    }
}

/// The answers of `real` and `world` to one query, compared row by row (each keeps its order).
pub fn compare(real: &Answers, world: &Answers) -> Difference {
    let in_world: std::collections::HashSet<&Vec<Value>> = world.rows.iter().collect();
    let in_real: std::collections::HashSet<&Vec<Value>> = real.rows.iter().collect();
    Difference {
        query: real.query.clone(),
        columns: real.columns.clone(),
        kept: real.rows.iter().filter(|r| in_world.contains(r)).cloned().collect(),
        lost: real.rows.iter().filter(|r| !in_world.contains(r)).cloned().collect(),
        gained: world.rows.iter().filter(|r| !in_real.contains(r)).cloned().collect(),
    }
}

/// Renders a difference as text: the answers kept, lost (`-`) and gained (`+`).
pub fn render_difference(d: &Difference) -> String {
    let mut out = String::new();
    let line = |row: &Vec<Value>| -> String {
        if d.columns.is_empty() {
            "true".to_string()
        } else {
            d.columns.iter().zip(row).map(|(c, v)| format!("{c} = {}", v.to_readable())).collect::<Vec<_>>().join(", ")
        }
    };
    for r in &d.kept {
        out.push_str(&format!("    {}\n", line(r)));
    }
    for r in &d.lost {
        out.push_str(&format!("  - {}   (lost)\n", line(r)));
    }
    for r in &d.gained {
        out.push_str(&format!("  + {}   (gained)\n", line(r)));
    }
    if d.kept.is_empty() && d.lost.is_empty() && d.gained.is_empty() {
        out.push_str("    no answers in either world\n");
    }
    out
}

/// A pattern's predicate and arguments (with the time, if it gives one), lowered against a
/// program.
struct Pattern {
    pred: crate::program::PredId,
    args: Vec<Arg>,
    time: Option<Arg>,
    /// The id of `undated`: the time a query gives a fact of a predicate without time, as
    /// evaluation does.
    undated: Id,
}

impl Pattern {
    /// Whether a full row (hidden interval column included) matches.
    fn matches(&self, row: &[Id], n_vars: usize) -> bool {
        let mut bound: Vec<Option<Id>> = vec![None; n_vars];
        let mut unify = |arg: &Arg, id: Id| match *arg {
            Arg::Const(c) => c == id,
            Arg::Var(v) => match bound.get_mut(v as usize) {
                Some(Some(b)) => *b == id,
                Some(slot) => {
                    *slot = Some(id);
                    true
                }
                None => true,
            },
        };
        let arity = self.args.len();
        if !self.args.iter().zip(row).all(|(a, &id)| unify(a, id)) {
            return false;
        }
        match (&self.time, row.get(arity)) {
            (Some(t), Some(&id)) => unify(t, id),
            (Some(t), None) => unify(t, self.undated),
            (None, _) => true,
        }
    }
}

impl Snapshot {
    /// A hypothetical world: this state with the changes applied to its base facts, evaluated
    /// in a private copy (see the module documentation). This snapshot is not
    /// changed. A pattern or fact naming an unknown predicate, a fact that is not ground, or an
    /// unknown source is an error.
    pub fn what_if(&self, changes: &[Change]) -> Result<WhatIf, Error> {
        self.what_if_dropping(changes, &[])
    }

    /// As [`Snapshot::what_if`], also without the stated facts `program.facts[i]` for `i` in
    /// `dropped` (sorted).
    pub(crate) fn what_if_dropping(&self, changes: &[Change], dropped: &[usize]) -> Result<WhatIf, Error> {
        if self.program.tables_released {
            return Err(crate::kb::finished("a what-if world").into());
        }
        let mut sources = self.sources.clone();
        let mut interner = Interner::overlay(self.interner.clone());
        let made = self.make_world(changes, dropped, &mut sources, &mut interner);
        let (program, removed, added) = made.map_err(|mut e| {
            if e.sources.is_empty() {
                e.sources = sources.clone();
            }
            e
        })?;
        let (limits, runtime) = (&self.limits, &self.runtime);
        // The world shares the real relations and copies only those the change touches.
        let db = eval::on_big_stack(runtime, || {
            let mut db = (*self.db).clone();
            match eval::incremental::update(&self.program, &program, &mut db, &mut interner, limits, runtime)? {
                Some(_) => Ok(db),
                None => eval::evaluate(&program, &mut interner, limits, runtime, crate::graph::builtin_rows),
            }
        })
        .map_err(Error::from)
        .map_err(|mut e| {
            e.sources = sources.clone();
            e
        })?;
        let world = Snapshot {
            sources,
            interner: Arc::new(interner),
            program: Arc::new(program),
            db: Arc::new(db),
            limits: self.limits.clone(),
            runtime: self.runtime.clone(),
        };
        Ok(WhatIf { real: self.clone(), world, removed, added, changes: changes.to_vec() })
    }

    #[allow(clippy::type_complexity)]
    fn make_world(
        &self,
        changes: &[Change],
        dropped: &[usize],
        sources: &mut SourceMap,
        interner: &mut Interner,
    ) -> Result<(Program, Vec<String>, Vec<String>), Error> {
        let base = &*self.program;
        let mut patterns = Vec::new();
        let mut without_sources: Vec<&str> = Vec::new();
        let mut additions: Vec<(BaseFact, crate::ast::Span)> = Vec::new();
        for change in changes {
            match change {
                Change::Without(text) => {
                    let (pattern, n_vars, span) = lower_atom(base, sources, interner, text, "without")?;
                    let defined = base.pred(pattern.pred).defined;
                    if !defined.by_facts && !defined.by_load {
                        let name = &base.pred(pattern.pred).name;
                        return Err(Diagnostic::error(
                            "evidence::derived_pattern",
                            format!("`{name}` has no stated facts: a what-if removes base facts only"),
                        )
                        .at(span)
                        .help(format!(
                            "remove the facts it rests on instead; `because support '{}'` lists them",
                            text.trim()
                        ))
                        .into());
                    }
                    patterns.push((pattern, n_vars));
                }
                Change::WithoutSource(name) => {
                    if !base.sources.iter().any(|s| &*s.name == name.as_str()) {
                        let known: Vec<&str> = base.sources.iter().map(|s| &*s.name).collect();
                        return Err(Diagnostic::error(
                            "evidence::unknown_source",
                            format!("no source is named `{name}`"),
                        )
                        .help(if known.is_empty() {
                            "no source is declared".to_string()
                        } else {
                            format!("the sources are {}", known.join(", "))
                        })
                        .into());
                    }
                    without_sources.push(name);
                }
                Change::MinGrade(text) => {
                    let Some(bar) = crate::ast::Grade::parse(text.trim()) else {
                        return Err(Diagnostic::error("evidence::bad_grade", format!("`{text}` is not a grade"))
                            .help("a grade is a letter A-F, optionally followed by a digit 1-6: `B`, `B2`")
                            .into());
                    };
                    for s in &base.sources {
                        if !bar.admits(s.grade) && !without_sources.contains(&&*s.name) {
                            without_sources.push(&s.name);
                        }
                    }
                }
                Change::With(text) => {
                    let (pattern, _, span) = lower_atom(base, sources, interner, text, "with")?;
                    let pred = base.pred(pattern.pred);
                    if pred.defined.builtin {
                        return Err(Diagnostic::error(
                            "evidence::not_ground",
                            format!("`{}` is a built-in relation: it cannot be given facts", pred.name),
                        )
                        .at(span)
                        .into());
                    }
                    let mut row = Vec::with_capacity(pred.width());
                    for a in pattern.args.iter().chain(pattern.time.iter()) {
                        match a {
                            Arg::Const(c) => row.push(*c),
                            Arg::Var(_) => {
                                return Err(Diagnostic::error(
                                    "evidence::not_ground",
                                    "a fact added in a what-if has no variables",
                                )
                                .at(span)
                                .help("give every argument a value, e.g. `edge(a, b)`")
                                .into());
                            }
                        }
                    }
                    // Without `@`, a fact of a dated predicate is undated, as when it is stated.
                    if pred.temporal && pattern.time.is_none() {
                        row.push(interner.intern(Value::Undated));
                    }
                    additions.push((BaseFact { pred: pattern.pred, row, origin: 0 }, span));
                }
            }
        }
        let mut program = base.clone();
        let mut removed = Vec::new();
        let drop = |pred: crate::program::PredId, row: &[Id], origin: Option<&FactOrigin>| {
            patterns.iter().any(|(p, n)| p.pred == pred && p.matches(row, *n))
                || match origin {
                    Some(FactOrigin::Stated { cites, .. }) => {
                        !cites.is_empty() && cites.iter().all(|c| without_sources.iter().any(|s| *s == &*c.source))
                    }
                    _ => false,
                }
        };
        let mut index = 0;
        program.facts.retain(|f| {
            let i = index;
            index += 1;
            let gone = dropped.binary_search(&i).is_ok() || drop(f.pred, &f.row, base.origins.get(f.origin as usize));
            if gone {
                removed.push(row_text(base, interner, f.pred, &f.row));
            }
            !gone
        });
        for table in &mut program.loads {
            let width = table.width.max(1);
            if !patterns.iter().any(|(p, _)| p.pred == table.pred) {
                continue;
            }
            let mut data = Vec::with_capacity(table.data.len());
            let mut lines = Vec::new();
            for (i, row) in table.data.chunks(width).enumerate() {
                if drop(table.pred, row, None) {
                    removed.push(row_text(base, interner, table.pred, row));
                } else {
                    data.extend_from_slice(row);
                    lines.push(table.lines.get(i));
                }
            }
            table.data = Arc::new(data);
            table.lines = lines.into_iter().collect();
        }
        let mut added = Vec::new();
        for (mut fact, span) in additions {
            added.push(row_text(base, interner, fact.pred, &fact.row));
            fact.origin = program.origins.len() as u32;
            program.origins.push(FactOrigin::Stated {
                span,
                cites: Vec::new(),
                doc: Some(Arc::from("assumed in a what-if")),
            });
            program.facts.push(fact);
        }
        Ok((program, removed, added))
    }
}

/// Lowers one atom (a pattern or a fact) given as text: its predicate must exist.
fn lower_atom(
    program: &Program,
    sources: &mut SourceMap,
    interner: &mut Interner,
    text: &str,
    what: &str,
) -> Result<(Pattern, usize, crate::ast::Span), Error> {
    let text = text.trim().trim_end_matches('.').trim_end();
    let file = sources.add(format!("<{what}>"), None, Arc::from(text));
    let ast = crate::syntax::parse_query(file, text)?;
    let q = crate::check::lower_query(program, interner, &ast, text)?;
    match q.body.as_slice() {
        [Literal::Positive(atom)] if q.kind == crate::ast::QueryKind::Select => Ok((
            Pattern {
                pred: atom.pred,
                args: atom.args.clone(),
                time: atom.time,
                undated: interner.intern(Value::Undated),
            },
            q.var_names.len(),
            atom.span,
        )),
        _ => Err(Diagnostic::error("evidence::not_an_atom", format!("`{what}` takes one atom, such as `edge(a, _)`"))
            .at(q.span)
            .help("write the atom alone: no `not`, comparison or second atom")
            .into()),
    }
}

impl WhatIf {
    /// The changes as JSON: `{"changes": [...], "removed": [...], "added": [...]}` (`docs/json.md`,
    /// "What-if").
    pub fn changes_json(&self) -> ChangesJson<'_> {
        ChangesJson {
            changes: self.changes.iter().map(Change::describe).collect(),
            removed: &self.removed,
            added: &self.added,
        }
    }
}

impl Difference {
    /// The difference as one JSON document (`docs/json.md`, "What-if").
    pub fn json<'a>(&'a self, what_if: &'a WhatIf) -> DifferenceJson<'a> {
        let rows = |rows: &[Vec<Value>]| -> Vec<Vec<serde_json::Value>> {
            rows.iter().map(|r| r.iter().map(crate::output::value_json).collect()).collect()
        };
        DifferenceJson {
            version: crate::output::JSON_VERSION,
            query: &self.query,
            what_if: what_if.changes_json(),
            columns: &self.columns,
            kept: rows(&self.kept),
            lost: rows(&self.lost),
            gained: rows(&self.gained),
            holds: self.holds(),
        }
    }
}

/// Reads the what-if form the REPL's `:whatif` takes: `CHANGE, CHANGE, ... : QUERY`, where a
/// change is `not ATOM` (without the facts it matches), `not source NAME` (without a source),
/// `grade B` (only the sources graded B or better) or `ATOM` (with that fact), and the `:` that starts the query stands alone between spaces.
/// Returns the changes and the query text.
///
/// ```
/// use because::evidence::{Change, parse_what_if};
///
/// let (changes, query) = parse_what_if("not edge(a, _), not source notes, edge(a, z) : reach(a, X)").unwrap();
/// assert_eq!(changes, [
///     Change::Without("edge(a, _)".into()),
///     Change::WithoutSource("notes".into()),
///     Change::With("edge(a, z)".into()),
/// ]);
/// assert_eq!(query, "reach(a, X)");
/// assert_eq!(parse_what_if("grade B2 : reach(a, X)").unwrap().0, [Change::MinGrade("B2".into())]);
/// assert!(parse_what_if("reach(a, X)").is_err());
/// ```
pub fn parse_what_if(text: &str) -> Result<(Vec<Change>, String), String> {
    const USAGE: &str = "write the changes, ` : ` and the query: `not edge(a, _), edge(a, z) : reach(a, X)`";
    let parts = split_top(text, |rest, _| rest.starts_with(" : ") || rest.starts_with(" :\t"));
    let [changes, query] = parts.as_slice() else {
        return Err(format!("a what-if needs changes and a query, separated by ` : `; {USAGE}"));
    };
    let query = query.trim_start_matches([' ', '\t', ':']).trim().trim_end_matches('.').to_string();
    if query.is_empty() {
        return Err(format!("the what-if has no query; {USAGE}"));
    }
    let mut out = Vec::new();
    for change in split_top(changes, |rest, _| rest.starts_with(',')) {
        let change = change.trim_start_matches(',').trim();
        if change.is_empty() {
            return Err(format!("an empty change; {USAGE}"));
        }
        if let Some(grade) = change.strip_prefix("grade ").map(str::trim).filter(|g| !g.contains('(')) {
            out.push(Change::MinGrade(grade.to_string()));
            continue;
        }
        out.push(match change.strip_prefix("not ").map(str::trim) {
            Some(rest) => match rest.strip_prefix("source ").map(str::trim) {
                Some(name) => Change::WithoutSource(name.to_string()),
                None => Change::Without(rest.to_string()),
            },
            None => Change::With(change.to_string()),
        });
    }
    Ok((out, query))
}

/// Splits `text` before each position, outside quotes and brackets, where `at` says so.
fn split_top(text: &str, at: impl Fn(&str, usize) -> bool) -> Vec<&str> {
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    let mut parts = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '\\' if quoted => {
                chars.next();
            }
            '(' | '[' | '{' if !quoted => depth += 1,
            ')' | ']' | '}' if !quoted => depth -= 1,
            _ if !quoted && depth == 0 && i > start && at(&text[i..], i) => {
                parts.push(&text[start..i]);
                start = i;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// A query stated with `whatif CHANGES :`, answered in its hypothetical world: the answers
/// compared with the real world's, or the explanation given in the hypothetical one.
#[derive(Debug, Clone)]
pub enum WhatIfReply {
    Answers(WhatIf, Difference),
    Explanation(WhatIf, crate::explain::Explanation),
}

impl WhatIfReply {
    /// For a select query, whether it has an answer in the hypothetical world; for `why` /
    /// `why not`, [`Explanation::found`](crate::explain::Explanation::found) there.
    pub fn found(&self) -> bool {
        match self {
            WhatIfReply::Answers(_, d) => d.holds(),
            WhatIfReply::Explanation(_, e) => e.found(),
        }
    }

    /// As text: the changes, then the compared answers or the explanation.
    pub fn render(&self, format: crate::output::Format, color: bool) -> String {
        match self {
            WhatIfReply::Answers(w, d) => w.render_changes() + &render_difference(d),
            WhatIfReply::Explanation(w, e) => w.render_changes() + &e.render(format, color),
        }
    }

    /// As one JSON document (`docs/json.md`: "what-if" or "what-if-proof").
    pub fn json(&self) -> serde_json::Value {
        match self {
            WhatIfReply::Answers(w, d) => serde_json::to_value(d.json(w)).unwrap_or_default(),
            WhatIfReply::Explanation(w, e) => serde_json::to_value(w.proof_document(e)).unwrap_or_default(),
        }
    }
}

impl Snapshot {
    /// The hypothetical world of a query stated with `whatif CHANGES :`, and the query to ask
    /// there (without its changes). A query parsed on its own is parsed again against that
    /// world, whose constants it may not share.
    pub fn hypothetical(&self, query: &crate::program::QueryIr) -> Result<(WhatIf, crate::program::QueryIr), Error> {
        let what_if = self.what_if(&query.what_if)?;
        let mut q = match &query.scratch {
            None => query.clone(),
            Some(_) => what_if.world().parse_query(&query.text)?,
        };
        q.what_if.clear();
        Ok((what_if, q))
    }

    /// Answers or explains a query in its `whatif` world, against the real one.
    pub fn answer_what_if(
        &self,
        query: &crate::program::QueryIr,
        options: &crate::explain::WhyOptions,
    ) -> Result<WhatIfReply, Error> {
        let (what_if, q) = self.hypothetical(query)?;
        if q.kind == crate::ast::QueryKind::Select {
            let mut real_q = query.clone();
            real_q.what_if.clear();
            let real = self.answer(&real_q)?;
            let world = what_if.world().answer(&q)?;
            let diff = compare(&real, &world);
            return Ok(WhatIfReply::Answers(what_if, diff));
        }
        let e = what_if.world().explain(&q, options)?;
        Ok(WhatIfReply::Explanation(what_if, e))
    }
}
