//! Evaluation: semi-naive, stratum by stratum, over interned relations with hash indexes.
//!
//! The engine does no I/O and never prints. It fills a [`Database`] from a checked
//! [`Program`]; provenance for explanations is a by-product of the storage (rows are numbered in
//! the order of the rounds that derived them, see [`relation`]), so there is no separate
//! provenance switch. The one cost per derived fact is the round tag its key carries in the
//! sorted runs of a narrow relation ([`runs`]), one or two bytes.

mod exec;
pub mod expr;
pub mod incremental;
mod limits;
mod memory;
mod parallel;
use parallel::{run_rule_split, splittable};
pub mod plan;
pub mod relation;
pub mod runs;
mod runtime;

pub(crate) use limits::Guard;
pub use limits::Limits;
pub use runtime::{BIG_STACK, DEFAULT_MEMORY, Runtime};

use std::sync::Arc;
use std::time::{Duration, Instant};

use hashbrown::HashTable;

use crate::diag::Diagnostic;
use crate::program::{Arg, AtomIr, FactOrigin, Literal, PredId, Program, QueryIr, RuleIr};
use crate::value::{Id, Interner, Value};

use plan::{PlanCx, Range, Step};
use relation::{Relation, hash_ids};
use runs::Candidates;

pub(crate) use exec::{Exec, RunError};
use exec::{arg_value, interval_id};

/// Computes a built-in relation's rows from the base facts of a database.
pub type BuiltinRows = fn(
    &str,
    &Program,
    &Database,
    &mut crate::value::Interner,
) -> Result<Vec<Vec<crate::value::Id>>, crate::diag::Diagnostic>;
/// Runs `f` on a thread with the runtime's large stack (see [`Runtime::stack`]), or on the
/// caller's thread when the runtime has none.
pub fn on_big_stack<T: Send, E: Send + From<Diagnostic>>(
    runtime: &Runtime,
    f: impl FnOnce() -> Result<T, E> + Send,
) -> Result<T, E> {
    let Some(stack) = runtime.stack else {
        return f();
    };
    std::thread::scope(|scope| {
        match std::thread::Builder::new().name("because-eval".into()).stack_size(stack).spawn_scoped(scope, f) {
            Ok(handle) => match handle.join() {
                Ok(value) => value,
                Err(panic) => std::panic::resume_unwind(panic),
            },
            Err(e) => Err(Diagnostic::error("eval::no_thread", format!("cannot start the evaluation thread: {e}"))
                .help("the system is out of threads or memory; free some and retry")
                .into()),
        }
    })
}

/// Figures from one evaluation.
#[derive(Debug, Clone, Default)]
pub struct EvalStats {
    pub derived: usize,
    pub rounds: usize,
    /// Rule runs whose delta was split across threads.
    pub split_runs: usize,
    pub elapsed: Duration,
    /// What the last change did when it was maintained incrementally rather than evaluated
    /// afresh (`derived` and `rounds` then count the whole base so far).
    pub update: Option<incremental::UpdateStats>,
}

/// The evaluated knowledge base: one relation per predicate.
#[derive(Debug, Clone, Default)]
pub struct Database {
    /// Shared, so that a snapshot, a query or an explanation copies a relation only when it
    /// changes it (an index it needs, a built-in it computes): `Arc::make_mut`.
    pub relations: Vec<Arc<Relation>>,
    pub stats: EvalStats,
    /// The interned `undated`: the time of a fact of a dated predicate stated without `@`.
    pub undated: Id,
    /// Built-in relations computed so far.
    pub filled_builtins: Vec<PredId>,
}

/// Where a base row came from: a stated fact or a line of a data file.
pub enum RowOrigin<'a> {
    Stated(&'a FactOrigin),
    Loaded { load: usize, line: u32 },
}

impl Database {
    pub fn relation(&self, pred: PredId) -> &Relation {
        &self.relations[pred as usize]
    }

    /// The origin of a base row (below `Relation::rows_below(1)`), if it is one.
    pub fn origin<'p>(&self, program: &'p Program, pred: PredId, row: u32) -> Option<RowOrigin<'p>> {
        let code = self.relations[pred as usize].origin_code(row)?;
        let n_stated = program.origins.len() as u32;
        if code < n_stated {
            return Some(RowOrigin::Stated(&program.origins[code as usize]));
        }
        let mut rest = code - n_stated;
        for (load, table) in program.loads.iter().enumerate() {
            let n = table.lines.len() as u32;
            if rest < n {
                return Some(RowOrigin::Loaded { load, line: table.lines.get(rest as usize) });
            }
            rest -= n;
        }
        None
    }

    /// Heap bytes held by all relations.
    pub fn heap_bytes(&self) -> usize {
        self.relations.iter().map(|r| r.heap_bytes()).sum()
    }
}

/// A set of tuples of one width, stored flat: the `new` facts of a round, the distinct matches
/// of an aggregate, the answers of a query.
pub(crate) struct TupleSet {
    width: usize,
    data: Vec<Id>,
    hashes: Vec<u64>,
    table: HashTable<u32>,
}

impl TupleSet {
    pub(crate) fn new(width: usize) -> TupleSet {
        TupleSet { width, data: Vec::new(), hashes: Vec::new(), table: HashTable::new() }
    }

    fn len(&self) -> usize {
        self.hashes.len()
    }

    /// Inserts unless present; returns whether it was new.
    fn insert(&mut self, hash: u64, tuple: &[Id]) -> bool {
        let (data, w) = (&self.data, self.width);
        if self.table.find(hash, |&r| relation::row_eq(data, r as usize * w, tuple)).is_some() {
            return false;
        }
        let row = self.hashes.len() as u32;
        self.data.extend_from_slice(tuple);
        self.hashes.push(hash);
        let hashes = &self.hashes;
        self.table.insert_unique(hash, row, |&r| hashes[r as usize]);
        true
    }

    fn rows(&self) -> impl Iterator<Item = (&[Id], u64)> {
        (0..self.len()).map(|r| (&self.data[r * self.width..(r + 1) * self.width], self.hashes[r]))
    }

    fn clear(&mut self) {
        self.data.clear();
        self.hashes.clear();
        self.table.clear();
    }
}

/// Evaluates `program` to its least model.
pub fn evaluate(
    program: &Program,
    interner: &mut Interner,
    limits: &Limits,
    runtime: &Runtime,
    builtins: BuiltinRows,
) -> Result<Database, Diagnostic> {
    let tables = program.loads.iter().map(|t| Arc::clone(&t.data)).collect();
    evaluate_tables(program, tables, false, interner, limits, runtime, builtins)
}

/// Evaluates a program that will not change (see [`Runtime::changes_later`]): the rows of its
/// loaded tables move into the relations (the tables keep their files and line numbers, for
/// explanations; [`Program::tables_released`] says so), and each relation of up to two
/// columns lets go of its rows once its stratum is evaluated, since its sorted runs give them
/// back on demand. The answers and explanations are those of [`evaluate`].
pub fn evaluate_final(
    program: &mut Program,
    interner: &mut Interner,
    limits: &Limits,
    runtime: &Runtime,
    builtins: BuiltinRows,
) -> Result<Database, Diagnostic> {
    let tables = program.loads.iter_mut().map(|t| std::mem::take(&mut t.data)).collect();
    program.tables_released = true;
    evaluate_tables(program, tables, true, interner, limits, runtime, builtins)
}

/// [`evaluate`] with the loaded tables' rows given (`tables[i]` for `program.loads[i]`);
/// `release`: relations let go of rows as [`evaluate_final`] says.
fn evaluate_tables(
    program: &Program,
    tables: Vec<Arc<Vec<Id>>>,
    release: bool,
    interner: &mut Interner,
    limits: &Limits,
    runtime: &Runtime,
    builtins: BuiltinRows,
) -> Result<Database, Diagnostic> {
    let started = runtime.clock.then(Instant::now);
    let undated = interner.intern(Value::Undated);
    let mut db = Database {
        relations: program.preds.iter().map(|p| Arc::new(Relation::new(p.width()))).collect(),
        stats: EvalStats::default(),
        undated,
        filled_builtins: Vec::new(),
    };
    load_base_facts(program, tables, release, &mut db);
    // Built-ins read base facts only, so they are filled before the first stratum, and only
    // when some rule or stated query uses them (`graph:distance` is quadratic); a query typed
    // later computes the others in its own scratch.
    let used: Vec<PredId> = (0..program.preds.len() as PredId)
        .filter(|&p| {
            program.pred(p).defined.builtin
                && !program.pred(p).name.starts_with("check:")
                && (program.rules.iter().any(|r| uses_pred(&r.body, p))
                    || program.queries.iter().any(|q| uses_pred(&q.body, p)))
        })
        .collect();
    for pred in used {
        fill_builtin(program, &mut db, interner, pred, builtins)?;
    }
    // Rows are let go of before the first stratum and after each: those the stratum derived,
    // and those it rebuilt to read (an aggregate reads its relation in row order).
    let release_rows = |db: &mut Database| {
        if !release {
            return;
        }
        for rel in &mut db.relations {
            if rel.runs().is_some() && !rel.rows_released() {
                Arc::make_mut(rel).release_rows();
            }
        }
    };
    release_rows(&mut db);
    let mut guard = Guard::new(limits);
    for stratum_idx in 0..program.strata.len() {
        eval_stratum(program, &mut db, stratum_idx, None, interner, limits, runtime, &mut guard)?;
        release_rows(&mut db);
    }
    if prepares_explanations(program, runtime) {
        explanation_indexes(program, &mut db, interner);
    }
    db.stats.elapsed = started.map_or(Duration::ZERO, |s| s.elapsed());
    Ok(db)
}

/// Where an incremental update starts a stratum (see [`incremental`]): for each predicate of a
/// lower stratum that gained facts, the relation (an extra slot past the program's
/// predicates) that holds just those facts.
pub(crate) struct Seed {
    pub grown: Vec<(PredId, PredId)>,
    /// For each predicate of the stratum whose facts a deletion may have cost their last
    /// derivation (delete and re-derive, see [`incremental`]), the slot holding those facts:
    /// round 0 also runs each rule for that head restricted to them, so the ones that still
    /// have a derivation come back.
    pub rederive: Vec<(PredId, PredId)>,
}

/// Evaluates one stratum to its fixpoint, appending its rounds to its relations. Without a
/// seed, round 0 runs every rule in full (a fresh evaluation). With one, the stratum's
/// relations already hold their old fixpoint, and round 0 runs each rule once per positive
/// atom of a grown predicate, that atom reading only the new facts: semi-naive evaluation
/// continued from the change, so the work follows the facts it derives.
#[allow(clippy::too_many_arguments)]
pub(crate) fn eval_stratum(
    program: &Program,
    db: &mut Database,
    stratum_idx: usize,
    seed: Option<&Seed>,
    interner: &mut Interner,
    limits: &Limits,
    runtime: &Runtime,
    guard: &mut Guard,
) -> Result<(), Diagnostic> {
    let undated = db.undated;
    let temporal: Vec<bool> = program.preds.iter().map(|p| p.temporal).collect();
    let max_facts = limits.max_facts.unwrap_or(usize::MAX);
    let stratum = &program.strata[stratum_idx];
    if stratum.rules.is_empty() {
        return Ok(());
    }
    {
        // 1. Plans: each rule in full; in a recursive stratum also once per recursive atom as
        // delta. A seeded stratum starts instead from each grown atom as delta.
        let in_stratum = |p: PredId| program.stratum_of[p as usize] == stratum_idx;
        let grown_slot = |p: PredId| seed.and_then(|s| s.grown.iter().find(|g| g.0 == p).map(|g| g.1));
        let mut full_plans = Vec::new();
        let mut delta_plans = Vec::new();
        for &rule_idx in &stratum.rules {
            let rule = &program.rules[rule_idx];
            let mut cx = PlanCx::new(&mut db.relations, program, undated, &rule.var_names, interner);
            let plan = |cx: &mut PlanCx<'_>, delta| {
                plan::plan_body(cx, &rule.body, delta, &mut vec![false; rule.n_vars()]).map_err(|e| {
                    Diagnostic::error("eval::unplaceable", "this literal's variables are never bound").at(e.0)
                })
            };
            if seed.is_none() {
                full_plans.push((rule_idx, plan(&mut cx, None)?));
            } else {
                for (i, lit) in rule.body.iter().enumerate() {
                    let Literal::Positive(a) = lit else { continue };
                    let Some(slot) = grown_slot(a.pred) else { continue };
                    let mut steps = plan(&mut cx, Some(i))?;
                    // The delta atom (placed first) reads the slot holding the new facts.
                    for step in &mut steps {
                        if let Step::Scan { rel, range: Range::Delta, literal, .. } = step {
                            if *literal == i {
                                *rel = slot;
                            }
                        }
                    }
                    full_plans.push((rule_idx, steps));
                }
                let rederive = seed.and_then(|s| s.rederive.iter().find(|g| g.0 == rule.head.pred).map(|g| g.1));
                if let Some(slot) = rederive {
                    // The body, then an atom of the head's own arguments, placed first and
                    // reading the slot: the rule evaluated for just those facts. (It goes last
                    // in the body so that the other literals keep their positions.) A head's
                    // time is left open: the time the body gives is an interval made from
                    // a value (`p(X) @ Y :- n(X), Y = X + 1`), which the slot's interval
                    // could not match; the rule then derives the arguments' facts at every
                    // time it can, a superset of those taken out, each one derivable.
                    let mut body = rule.body.clone();
                    let time = match (temporal[rule.head.pred as usize], rule.head.time) {
                        (true, None) => Some(Arg::Const(undated)),
                        (true, Some(_)) => None,
                        (false, time) => time,
                    };
                    body.push(Literal::Positive(AtomIr {
                        pred: rule.head.pred,
                        args: rule.head.args.clone(),
                        time,
                        span: rule.head.span,
                    }));
                    let mut steps =
                        plan::plan_body(&mut cx, &body, Some(rule.body.len()), &mut vec![false; rule.n_vars()])
                            .map_err(|e| {
                                Diagnostic::error("eval::unplaceable", "this literal's variables are never bound")
                                    .at(e.0)
                            })?;
                    for step in &mut steps {
                        if let Step::Scan { rel, range: Range::Delta, literal, .. } = step {
                            if *literal == rule.body.len() {
                                *rel = slot;
                            }
                        }
                    }
                    full_plans.push((rule_idx, steps));
                }
            }
            if stratum.recursive {
                for (i, lit) in rule.body.iter().enumerate() {
                    if matches!(lit, Literal::Positive(a) if in_stratum(a.pred)) {
                        delta_plans.push((rule_idx, plan(&mut cx, Some(i))?));
                    }
                }
            }
        }
        let mut new: Vec<NewFacts> =
            stratum.preds.iter().map(|&p| NewFacts::new(db.relations[p as usize].width)).collect();
        let slot = |p: PredId| stratum.preds.iter().position(|&q| q == p).unwrap_or(0);
        let mut delta: Vec<(u32, u32)> = vec![(0, 0); db.relations.len()];
        if let Some(seed) = seed {
            for &(_, slot) in seed.grown.iter().chain(&seed.rederive) {
                delta[slot as usize] = (0, db.relations[slot as usize].end());
            }
        }
        let first_round = stratum.preds.first().map_or(0, |&p| db.relations[p as usize].rounds());
        for round in 0.. {
            let plans = if round == 0 { &full_plans } else { &delta_plans };
            for &p in &stratum.preds {
                Arc::make_mut(&mut db.relations[p as usize]).begin_round();
            }
            if round == 0 {
                guard.place = format!("in stratum {} ({})", stratum_idx, stratum_names(program, &stratum.preds));
            }
            guard.round = first_round + round + 1;
            let mut room = (max_facts != usize::MAX).then(|| max_facts.saturating_sub(db.stats.derived));
            if let Some(budget) = runtime.memory {
                let memory_room = memory::room(budget, db, &stratum.preds);
                room = Some(room.map_or(memory_room, |r| r.min(memory_room)));
            }
            for n in &mut new {
                n.set_limit(room);
            }
            for (rule_idx, steps) in plans {
                if new.iter().any(NewFacts::over) {
                    break; // the merge below reports the limit
                }
                let rule = &program.rules[*rule_idx];
                let head_slot = slot(rule.head.pred);
                let temporal_head = temporal[rule.head.pred as usize];
                let new = &mut new[head_slot];
                match splittable(steps, db, rule.head.pred, &delta, temporal_head, runtime.threads) {
                    Some(split) => {
                        run_rule_split(rule, steps, db, &delta, split, guard, &mut new.candidates)?;
                        db.stats.split_runs += 1;
                    }
                    None => run_rule(rule, steps, db, &delta, interner, guard, new, temporal_head)?,
                }
            }
            // 2. Merge `new` into `full`; the merged rows are the next round's delta.
            let stopped = new.iter().any(NewFacts::over);
            let mut added = 0;
            for (k, &p) in stratum.preds.iter().enumerate() {
                let rel = Arc::make_mut(&mut db.relations[p as usize]);
                new[k].merge_into(rel);
                rel.refresh_indexes();
                // The round's rows are the next round's delta.
                let (start, end) = rel.last_round();
                delta[p as usize] = (start, end);
                added += (end - start) as usize;
            }
            db.stats.derived += added;
            db.stats.rounds += 1;
            if db.stats.derived > max_facts {
                return Err(Diagnostic::error(
                    "eval::max_facts",
                    format!(
                        "stopped after deriving {} facts (the limit is {max_facts}) {}",
                        db.stats.derived,
                        guard.where_()
                    ),
                )
                .at(program.rules[stratum.rules[0]].span)
                .label("among the rules of this stratum")
                .help("raise the limit with --max-facts N, or look for a rule that derives without end"));
            }
            // A round stopped short of the fact limit stopped at the memory budget.
            if let Some(budget) = runtime.memory.filter(|&b| stopped || db.heap_bytes() > b) {
                return Err(memory::exceeded(budget, program, db, guard, program.rules[stratum.rules[0]].span));
            }
            // Reading the clock costs as much as a small round: look every 64 rounds (the
            // join loops look every 16k steps as well).
            if round % 64 == 63 {
                guard.check()?;
            }
            if added == 0 || !stratum.recursive {
                break;
            }
        }
    }
    Ok(())
}

/// Whether an evaluation builds the indexes explanations use ([`explanation_indexes`]): when
/// explanations may be asked for later, or when the program states a query that explains.
pub(crate) fn prepares_explanations(program: &Program, runtime: &Runtime) -> bool {
    runtime.explain_later
        || program.queries.iter().any(|q| {
            !q.what_if.is_empty() || matches!(q.kind, crate::ast::QueryKind::Why | crate::ast::QueryKind::WhyNot)
        })
}

/// Builds the indexes `why` needs to match each rule's body with its head bound (as
/// `Explainer::match_rule` plans it, arithmetic solved backwards or not), so that explaining
/// over a snapshot finds them in the shared relations instead of copying a relation into the
/// query's scratch to index it. A body that cannot be planned so is left to the explanation,
/// which reports it.
fn explanation_indexes(program: &Program, db: &mut Database, interner: &Interner) {
    for rule in &program.rules {
        let mut bound = vec![false; rule.n_vars()];
        let head_time = if program.pred(rule.head.pred).temporal { rule.head.time } else { None };
        for arg in rule.head.args.iter().chain(head_time.as_ref()) {
            if let Arg::Var(v) = arg {
                bound[*v as usize] = true;
            }
        }
        let solves_backwards =
            rule.body.iter().any(|l| matches!(l, Literal::Compare { op: crate::ast::CmpOp::Eq, .. }));
        for invert in [false, true] {
            if invert && !solves_backwards {
                continue;
            }
            let mut cx = PlanCx::new(&mut db.relations, program, db.undated, &rule.var_names, interner);
            cx.invert = invert;
            let _ = plan::plan_body(&mut cx, &rule.body, None, &mut bound.clone());
        }
    }
}

fn stratum_names(program: &Program, preds: &[PredId]) -> String {
    let mut names: Vec<String> = preds
        .iter()
        .take(4)
        .map(|&p| format!("{}/{}", program.preds[p as usize].name, program.preds[p as usize].arity))
        .collect();
    if preds.len() > 4 {
        names.push("...".into());
    }
    names.join(", ")
}

/// Whether a body mentions `pred` (aggregate bodies included).
pub fn uses_pred(body: &[Literal], pred: PredId) -> bool {
    body.iter().any(|l| match l {
        Literal::Positive(a) | Literal::Negative(a) => a.pred == pred,
        Literal::Aggregate(agg) => uses_pred(&agg.body, pred),
        Literal::Compare { .. } | Literal::Temporal { .. } => false,
    })
}

/// Fills a built-in relation with rows computed elsewhere (`check:violation`).
pub fn fill_rows(db: &mut Database, pred: PredId, rows: &[Vec<Id>]) {
    let rel = Arc::make_mut(&mut db.relations[pred as usize]);
    let flat: Vec<Id> = rows.iter().flatten().copied().collect();
    rel.extend(&flat, rows.len(), |_| {});
    rel.refresh_indexes();
    db.filled_builtins.push(pred);
}

/// Computes a built-in relation once.
pub fn fill_builtin(
    program: &Program,
    db: &mut Database,
    interner: &mut Interner,
    pred: PredId,
    builtins: BuiltinRows,
) -> Result<(), Diagnostic> {
    if db.filled_builtins.contains(&pred) {
        return Ok(());
    }
    let rows = builtins(&program.pred(pred).name, program, db, interner)?;
    let rel = Arc::make_mut(&mut db.relations[pred as usize]);
    let flat: Vec<Id> = rows.iter().flatten().copied().collect();
    rel.extend(&flat, rows.len(), |_| {});
    rel.refresh_indexes();
    db.filled_builtins.push(pred);
    Ok(())
}

/// Base facts first: stated facts in source order, then loaded rows. Their row numbers come
/// before any derived row, and `base_origins` says where each came from.
/// `tables[i]` holds the rows of `program.loads[i]`; with `release`, relations of up to two
/// columns keep none of their rows (see [`Relation::release_rows`]), and each table is let go
/// of as soon as its keys are read.
fn load_base_facts(program: &Program, tables: Vec<Arc<Vec<Id>>>, release: bool, db: &mut Database) {
    // Stated facts, gathered per predicate in source order.
    let mut stated: Vec<(Vec<Id>, Vec<u32>)> = vec![(Vec::new(), Vec::new()); db.relations.len()];
    for fact in &program.facts {
        let (rows, origins) = &mut stated[fact.pred as usize];
        rows.extend_from_slice(&fact.row);
        origins.push(fact.origin);
    }
    for (rel, (rows, origins)) in db.relations.iter_mut().map(Arc::make_mut).zip(&stated) {
        let mut kept = Kept::default();
        rel.extend(rows, origins.len(), |i| kept.push(i as u32));
        for i in kept.runs().flatten() {
            rel.push_origin(origins[i as usize]);
        }
    }
    let mut code = program.origins.len() as u32;
    for (table, data) in program.loads.iter().zip(tables) {
        let rel = Arc::make_mut(&mut db.relations[table.pred as usize]);
        let count = table.lines.len();
        let mut kept = Kept::default();
        if release && rel.release_rows() {
            rel.extend_released(data, count, |i| kept.push(i as u32));
        } else {
            rel.extend_shared(&data, count, |i| kept.push(i as u32));
        }
        for run in kept.runs() {
            for i in run {
                rel.push_origin(code + i);
            }
        }
        code += count as u32;
    }
    for rel in db.relations.iter_mut().map(Arc::make_mut) {
        rel.refresh_indexes();
    }
}

/// The positions of the tuples a relation kept of those it was given, in increasing order, as
/// runs of consecutive positions: a loaded table whose rows are all new is one run, not a
/// number per row.
#[derive(Default)]
struct Kept {
    /// The runs before the last, `start..end`.
    runs: Vec<(u32, u32)>,
    last: (u32, u32),
}

impl Kept {
    #[inline]
    fn push(&mut self, i: u32) {
        if i != self.last.1 {
            if self.last.0 < self.last.1 {
                self.runs.push(self.last);
            }
            self.last.0 = i;
        }
        self.last.1 = i + 1;
    }

    /// Each run, `start..end`.
    fn runs(&self) -> impl Iterator<Item = std::ops::Range<u32>> + '_ {
        self.runs.iter().chain([&self.last]).map(|&(start, end)| start..end)
    }
}

#[allow(clippy::too_many_arguments)]
fn run_rule(
    rule: &RuleIr,
    steps: &[Step],
    db: &Database,
    delta: &[(u32, u32)],
    interner: &mut Interner,
    guard: &mut Guard,
    new: &mut NewFacts,
    temporal_head: bool,
) -> Result<(), Diagnostic> {
    let head_rel = &db.relations[rule.head.pred as usize];
    let head_runs = head_rel.runs();
    let mut regs = vec![0; rule.n_vars()];
    let mut tuple: Vec<Id> = Vec::with_capacity(head_rel.width);
    let undated = db.undated;
    let mut batch = Batch::default();
    let mut emit = |regs: &[Id], _: &[u32], interner: &mut Interner| -> Result<(), RunError> {
        tuple.clear();
        tuple.extend(rule.head.args.iter().map(|a| arg_value(a, regs)));
        if temporal_head {
            match rule.head.time {
                None => tuple.push(undated),
                Some(t) => tuple.push(interval_id(arg_value(&t, regs), interner)?),
            }
        }
        match head_runs {
            Some(runs) => new.candidates.push(runs::pack(&tuple), runs),
            None => {
                let hash = hash_ids(tuple.iter().copied());
                batch.push(head_rel.probe_order(hash), hash, &tuple);
                if batch.len() >= Batch::SIZE || new.limit.is_some_and(|l| batch.len() > l) {
                    batch.flush(head_rel, &mut new.set);
                }
            }
        }
        // Past the fact limit inside a round: stop here rather than buffer every candidate
        // (the round loop then reports `eval::max_facts`).
        if new.over() {
            return Err(RunError::Stop);
        }
        Ok(())
    };
    let mut exec = Exec::new(&db.relations, delta, interner, guard);
    exec.scan_runs = true;
    let result = match exec.run(steps, 0, &mut regs, &mut emit) {
        Ok(()) | Err(RunError::Stop) => Ok(()),
        Err(e) => Err(e.into_diagnostic(rule.span, &rule.body)),
    };
    batch.flush(head_rel, &mut new.set);
    result
}

/// The facts a round derives for one relation, not yet in it: a narrow relation's candidates,
/// filtered in sorted chunks, or a wide relation's new tuples, in a hash set. Which one fills
/// is the relation's choice; the other stays empty and allocates nothing.
struct NewFacts {
    candidates: Candidates,
    set: TupleSet,
    /// The most new facts this round may add (see `Candidates::limit`).
    limit: Option<usize>,
}

impl NewFacts {
    fn new(width: usize) -> NewFacts {
        NewFacts { candidates: Candidates::default(), set: TupleSet::new(width), limit: None }
    }

    fn set_limit(&mut self, limit: Option<usize>) {
        self.limit = limit;
        self.candidates.limit = limit;
    }

    /// More new facts than the limit allows: the round stops and the limit is reported.
    fn over(&self) -> bool {
        self.candidates.over() || self.limit.is_some_and(|l| self.set.len() > l)
    }

    /// Appends the round's new facts to `rel` and empties `self` for the next round.
    fn merge_into(&mut self, rel: &mut Relation) {
        rel.append_candidates(&mut self.candidates);
        rel.reserve(self.set.len());
        for (tuple, hash) in self.set.rows() {
            rel.push_hashed(hash, tuple);
        }
        self.set.clear();
    }
}

/// Derived tuples waiting for their membership test against the full relation. Probing a
/// large hash table in emission order costs a cache miss per probe; probing a batch sorted by
/// bucket walks the table in order, which the hardware prefetcher follows.
#[derive(Default)]
struct Batch {
    /// (bucket order, hash, offset of the tuple in `data`)
    keys: Vec<(u64, u64, u32)>,
    data: Vec<Id>,
}

impl Batch {
    const SIZE: usize = 1 << 16;

    fn len(&self) -> usize {
        self.keys.len()
    }

    fn push(&mut self, order: u64, hash: u64, tuple: &[Id]) {
        self.keys.push((order, hash, self.data.len() as u32));
        self.data.extend_from_slice(tuple);
    }

    /// Adds to `new` every waiting tuple that is in neither `full` nor `new`.
    fn flush(&mut self, full: &Relation, new: &mut TupleSet) {
        let width = full.width;
        self.keys.sort_unstable_by_key(|k| k.0);
        for &(_, hash, at) in &self.keys {
            let tuple = &self.data[at as usize..at as usize + width];
            if full.find_hashed(hash, tuple).is_none() {
                new.insert(hash, tuple);
            }
        }
        self.keys.clear();
        self.data.clear();
    }
}

/// The answers to a select query: distinct rows of the query's column values, sorted by value.
pub fn answer(
    program: &Program,
    db: &mut Database,
    interner: &mut Interner,
    query: &QueryIr,
    limits: &Limits,
    max_rows: Option<usize>,
) -> Result<Vec<Vec<Id>>, Diagnostic> {
    let mut cx = PlanCx::new(&mut db.relations, program, db.undated, &query.var_names, interner);
    let steps = plan::plan_body(&mut cx, &query.body, None, &mut vec![false; query.var_names.len()])
        .map_err(|e| Diagnostic::error("eval::unplaceable", "this literal's variables are never bound").at(e.0))?;
    let mut guard = Guard::new(limits);
    guard.place = "while answering the query".into();
    let mut answers = TupleSet::new(query.columns.len());
    let mut row = Vec::with_capacity(query.columns.len());
    let mut emit = |regs: &[Id], _: &[u32], _: &mut Interner| -> Result<(), RunError> {
        row.clear();
        row.extend(query.columns.iter().map(|(v, _)| regs[*v as usize]));
        answers.insert(hash_ids(row.iter().copied()), &row);
        // `--limit N`: N distinct answers are enough; the rest is never computed.
        if max_rows.is_some_and(|n| answers.len() >= n) {
            return Err(RunError::Stop);
        }
        Ok(())
    };
    let delta = vec![(0, 0); db.relations.len()];
    let mut exec = Exec::new(&db.relations, &delta, interner, &mut guard);
    let mut regs = vec![0; query.var_names.len()];
    match exec.run(&steps, 0, &mut regs, &mut emit) {
        Ok(()) | Err(RunError::Stop) => {}
        Err(e) => return Err(e.into_diagnostic(query.span, &query.body)),
    }
    let mut rows: Vec<Vec<Id>> = answers.rows().map(|(r, _)| r.to_vec()).collect();
    rows.sort_by(|a, b| {
        a.iter().zip(b).map(|(x, y)| interner.compare(*x, *y)).find(|o| o.is_ne()).unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(rows)
}
