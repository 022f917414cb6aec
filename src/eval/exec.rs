//! Running a rule's plan: a nested loop over its steps, each probing an index or scanning a
//! range of one relation, with expressions, negation and aggregates evaluated on the way. The
//! driver in [`crate::eval`] decides which rules run in which round; explanations run the same
//! plans with tracking on to record the rows a match used.

use std::sync::Arc;

use crate::ast::{AggFunc, Span};
use crate::diag::Diagnostic;
use crate::program::{Arg, Literal, PredId};
use crate::value::{Id, Interner, Interval, Value};

use super::expr::{self, ExprError, Scalar};
use super::plan::{self, AggResult, AggStep, ColOp, Range, Step};
use super::relation::{CHAIN_END, Relation, hash_ids, is_live};
use super::runs::{self, Cursor, Narrow, pack};
use super::{Guard, TupleSet};

/// The rows of `relation` in the chain of index `index` for the key `key` takes in `regs`,
/// below `limit`: chains run in increasing row order, so the first invisible row ends it. The
/// key is read once, at the start, so the caller may bind registers while it walks.
fn chain_rows<'r>(
    relation: &'r Relation,
    index: usize,
    key: &[Arg],
    regs: &[Id],
    limit: u32,
) -> impl Iterator<Item = u32> + 'r {
    let hash = hash_ids(key.iter().map(|a| arg_value(a, regs)));
    let first = relation.probe(index, hash, |k| arg_value(&key[k], regs));
    std::iter::successors(Some(first), move |&row| (row != CHAIN_END).then(|| relation.chain_next(index, row)))
        .take_while(move |&row| row != CHAIN_END && row < limit)
}

/// The head's interval: an interval value, or a year.
pub(super) fn interval_id(id: Id, interner: &mut Interner) -> Result<Id, ExprError> {
    match interner.value(id) {
        Value::Interval(_) | Value::Undated => Ok(id),
        Value::Int(y) => match Interval::try_year(y) {
            Some(year) => Ok(interner.intern(Value::Interval(year))),
            None => Err(ExprError::Type(format!("`{y}` is not a year"))),
        },
        other => Err(ExprError::Type(format!("`{other}` is not a time or a year"))),
    }
}

#[inline]
pub(super) fn arg_value(a: &Arg, regs: &[Id]) -> Id {
    match a {
        Arg::Var(v) => regs[*v as usize],
        Arg::Const(id) => *id,
    }
}

/// An error while running a plan: a limit, or an expression error at a literal.
pub(crate) enum RunError {
    Limit(Diagnostic),
    Expr(ExprError, Option<usize>),
    /// The consumer has what it wanted (an explanation found its proof).
    Stop,
}

impl From<ExprError> for RunError {
    fn from(e: ExprError) -> RunError {
        RunError::Expr(e, None)
    }
}

impl From<Diagnostic> for RunError {
    fn from(d: Diagnostic) -> RunError {
        RunError::Limit(d)
    }
}

impl RunError {
    pub(crate) fn into_diagnostic(self, rule_span: Span, body: &[Literal]) -> Diagnostic {
        match self {
            RunError::Limit(d) => d,
            RunError::Stop => Diagnostic::error("eval::stopped", "stopped").at(rule_span),
            RunError::Expr(e, literal) => {
                let span = literal.and_then(|i| body.get(i)).map_or(rule_span, Literal::span);
                expr_diagnostic(e).at(span)
            }
        }
    }
}

fn expr_diagnostic(e: ExprError) -> Diagnostic {
    match e {
        ExprError::DecimalOverflow(what) => Diagnostic::error("eval::overflow", format!("decimal overflow in {what}"))
            .help("decimals are 64-bit floats and cannot exceed about 1.8e308"),
        ExprError::Overflow(what) => Diagnostic::error("eval::overflow", format!("integer overflow in {what}"))
            .help("integers are 64-bit; use a decimal (e.g. 1.0e20) for larger values"),
        ExprError::DivisionByZero => Diagnostic::error("eval::division_by_zero", "division by zero")
            .help("add a test such as `Y != 0` before dividing"),
        ExprError::Type(what) => Diagnostic::error("eval::type_error", what),
        ExprError::NoValue => {
            Diagnostic::error("eval::no_value", "an open or undated time has no start, end or length")
        }
        ExprError::OutOfRange(what) => Diagnostic::error("eval::out_of_range", what)
            .help("characters count from 0; test `strlen(S) >= Start` before taking a part of S"),
        ExprError::NotANumber(what) => Diagnostic::error("eval::not_a_number", what)
            .help("to_number reads an integer (`42`) or a decimal (`-3.5`, `1e3`)"),
        ExprError::BadPattern(what) => {
            Diagnostic::error("eval::bad_pattern", format!("not a regular expression: {what}"))
                .help("match(Pattern, S) takes a regular expression in the syntax of Rust's regex crate")
        }
    }
}

/// Receives each match: the registers, the row matched at each step (when tracking) and the
/// interner.
type Emit<'e> = dyn FnMut(&[Id], &[u32], &mut Interner) -> Result<(), RunError> + 'e;

/// Runs plans: a nested loop over steps, each probing an index or scanning a range.
pub(crate) struct Exec<'a> {
    pub rels: &'a [Arc<Relation>],
    pub delta: &'a [(u32, u32)],
    pub interner: &'a mut Interner,
    pub guard: &'a mut Guard,
    /// Rows visible per relation: explanations restrict premises to earlier rounds. `None`
    /// (evaluation) sees every row.
    pub visible: Option<&'a [u32]>,
    /// Whether to record `trace` and `furthest` (explanations, outside aggregate bodies).
    pub tracking: bool,
    /// Whether a scan of a whole narrow relation reads its sorted runs (key order within each)
    /// rather than its rows (row order): evaluation, where the order changes no result (a
    /// round's new facts are sorted) and the rows need not be kept. Queries read rows in row
    /// order, which answers, a `--limit` and the first error follow.
    pub scan_runs: bool,
    /// The row matched at each step of the plan.
    pub trace: Vec<u32>,
    /// The furthest step reached, the registers the first time it was reached, and which of
    /// them differed on later arrivals at that step (why-not shows those as `_`).
    pub furthest: Option<(usize, Vec<Id>, Vec<bool>)>,
    /// Aggregate values already computed, by aggregate and group: a rule that visits a group
    /// once per row (`k(M, N) :- b(_, M), N = count : { b(_, M) }`) computes it once. Direct
    /// mapped ([`AGG_CACHE_SLOTS`] slots, chosen by hash; a group takes its slot from the one
    /// there), so that a rule that meets each group once pays a hash and a store, not a hash
    /// map's insertion. Empty until an aggregate runs.
    agg_cache: Vec<AggCacheEntry>,
    /// For each membership test of the plan (by its step), where the last lookup left the
    /// relation's sorted runs (see [`Narrow::contains_near`]).
    cursors: Vec<(usize, Cursor)>,
}

impl<'a> Exec<'a> {
    pub(crate) fn new(
        rels: &'a [Arc<Relation>],
        delta: &'a [(u32, u32)],
        interner: &'a mut Interner,
        guard: &'a mut Guard,
    ) -> Exec<'a> {
        Exec {
            rels,
            delta,
            interner,
            guard,
            visible: None,
            tracking: false,
            scan_runs: false,
            trace: Vec::new(),
            furthest: None,
            agg_cache: Vec::new(),
            cursors: Vec::new(),
        }
    }

    /// Whether matched rows matter (explanations), or only that a match exists.
    #[inline]
    fn needs_rows(&self) -> bool {
        self.tracking || self.visible.is_some()
    }

    #[inline]
    fn limit(&self, rel: PredId) -> u32 {
        self.visible.map_or(u32::MAX, |v| v[rel as usize])
    }

    pub(crate) fn run(
        &mut self,
        steps: &[Step],
        i: usize,
        regs: &mut [Id],
        emit: &mut Emit<'_>,
    ) -> Result<(), RunError> {
        let Some(step) = steps.get(i) else {
            return emit(regs, &self.trace, self.interner);
        };
        if self.tracking {
            match &mut self.furthest {
                Some((f, first, varying)) if *f == i => {
                    for ((v, a), b) in varying.iter_mut().zip(first.iter()).zip(regs.iter()) {
                        *v |= a != b;
                    }
                }
                Some((f, ..)) if *f > i => {}
                _ => self.furthest = Some((i, regs.to_vec(), vec![false; regs.len()])),
            }
        }
        match step {
            Step::Scan { rel, range, cols, .. } => {
                let relation = &self.rels[*rel as usize];
                // In evaluation, a whole narrow relation whose rows do not matter is read from
                // its sorted runs: in key order within each run, so probes that follow it go
                // forward, and without its rows, which need not be kept (see
                // `Relation::release_rows`).
                if let (Range::Full, true, Some(narrow)) =
                    (range, self.scan_runs && !self.needs_rows(), relation.runs())
                {
                    let mut tuple = [0; 2];
                    let tuple = &mut tuple[..relation.width];
                    for keys in narrow.iter() {
                        for &key in keys {
                            self.guard.tick()?;
                            runs::unpack_to(key, tuple);
                            if bind_row(tuple, cols, regs) {
                                self.run(steps, i + 1, regs, emit)?;
                            }
                        }
                    }
                    return Ok(());
                }
                let (lo, hi) = match range {
                    Range::Full => (0, relation.end()),
                    Range::Delta => self.delta[*rel as usize],
                };
                // Rows removed by an incremental deletion keep their place; a scan skips them.
                let dead = relation.dead_bits();
                for row in lo..hi.min(self.limit(*rel)) {
                    self.guard.tick()?;
                    if is_live(dead, row) && bind_row(relation.row(row), cols, regs) {
                        if self.tracking {
                            self.trace[i] = row;
                        }
                        self.run(steps, i + 1, regs, emit)?;
                    }
                }
            }
            Step::Probe { rel, index: plan::MEMBER, key, .. } => {
                let relation = &self.rels[*rel as usize];
                self.guard.tick()?;
                let found = match relation.runs() {
                    Some(narrow) if !self.needs_rows() => self.contains_near(step, narrow, key, regs).then_some(0),
                    _ => member(relation, key, regs, self.needs_rows()),
                };
                if let Some(row) = found {
                    if row < self.limit(*rel) {
                        if self.tracking {
                            self.trace[i] = row;
                        }
                        self.run(steps, i + 1, regs, emit)?;
                    }
                }
            }
            Step::Probe { rel, index, key, cols, .. } => {
                let relation = &self.rels[*rel as usize];
                // A large two-column relation probed on its first column by keys in increasing
                // order (a scan of rows stored in key order) reads its sorted runs in order
                // instead of the index, whose table, chains and rows are each a cache miss. (A
                // small one's index stays in cache, and its probes cost fewer instructions.)
                if !self.needs_rows() && relation.probes_read_runs(relation.index_cols(*index)) {
                    if let Some(narrow) = relation.runs() {
                        let first = arg_value(&key[0], regs);
                        let mut ranges = [(0, 0); 16];
                        let at = self.cursor_at(step);
                        if let Some(n) = narrow.first_ranges_near(first, &mut self.cursors[at].1, &mut ranges) {
                            for (keys, &(start, end)) in narrow.iter().zip(&ranges[..n]) {
                                for &k in &keys[start..end] {
                                    self.guard.tick()?;
                                    if bind_row(&[first, k as Id], cols, regs) {
                                        self.run(steps, i + 1, regs, emit)?;
                                    }
                                }
                            }
                            return Ok(());
                        }
                    }
                }
                for row in chain_rows(relation, *index, key, regs, self.limit(*rel)) {
                    self.guard.tick()?;
                    if bind_row(relation.row(row), cols, regs) {
                        if self.tracking {
                            self.trace[i] = row;
                        }
                        self.run(steps, i + 1, regs, emit)?;
                    }
                }
            }
            Step::Absent { rel, index, key, .. } => {
                let relation = &self.rels[*rel as usize];
                let first = if *index == plan::MEMBER {
                    match relation.runs() {
                        Some(narrow) if !self.needs_rows() => {
                            let present = self.contains_near(step, narrow, key, regs);
                            if present { 0 } else { CHAIN_END }
                        }
                        _ => member(relation, key, regs, self.needs_rows()).unwrap_or(CHAIN_END),
                    }
                } else {
                    let hash = hash_ids(key.iter().map(|a| arg_value(a, regs)));
                    relation.probe(*index, hash, |k| arg_value(&key[k], regs))
                };
                if self.tracking && first != CHAIN_END {
                    self.trace[i] = first;
                }
                if first == CHAIN_END {
                    self.run(steps, i + 1, regs, emit)?;
                }
            }
            Step::Assign { var, expr, literal } => match expr::eval(expr, regs, self.interner) {
                Ok(s) => {
                    regs[*var as usize] = expr::to_id(s, self.interner);
                    self.run(steps, i + 1, regs, emit)?;
                }
                Err(ExprError::NoValue) => {}
                Err(e) => return Err(RunError::Expr(e, Some(*literal))),
            },
            // A text test reads its sides as text without interning them.
            Step::Compare { op, lhs, rhs, literal } if op.is_text_test() => {
                match expr::text_test(*op, lhs, rhs, regs, self.interner) {
                    Ok(true) => self.run(steps, i + 1, regs, emit)?,
                    Ok(false) | Err(ExprError::NoValue) => {}
                    Err(e) => return Err(RunError::Expr(e, Some(*literal))),
                }
            }
            Step::Compare { op, lhs, rhs, literal } => {
                let values =
                    expr::eval(lhs, regs, self.interner).and_then(|a| Ok((a, expr::eval(rhs, regs, self.interner)?)));
                match values {
                    Ok((a, b)) => match expr::test(*op, a, b, self.interner) {
                        Ok(true) => self.run(steps, i + 1, regs, emit)?,
                        Ok(false) => {}
                        Err(e) => return Err(RunError::Expr(e, Some(*literal))),
                    },
                    Err(ExprError::NoValue) => {}
                    Err(e) => return Err(RunError::Expr(e, Some(*literal))),
                }
            }
            Step::Temporal { op, lhs, rhs, literal } => {
                let holds = expr::eval(lhs, regs, self.interner)
                    .and_then(|a| Ok((a, expr::eval(rhs, regs, self.interner)?)))
                    .and_then(|(a, b)| expr::time_test(*op, a, b, self.interner));
                match holds {
                    Ok(true) => self.run(steps, i + 1, regs, emit)?,
                    Ok(false) | Err(ExprError::NoValue) => {}
                    Err(e) => return Err(RunError::Expr(e, Some(*literal))),
                }
            }
            Step::Aggregate(agg) => {
                if let Some(value) = self.aggregate(agg, regs)? {
                    match &agg.result {
                        AggResult::Bind(v) => {
                            regs[*v as usize] = expr::to_id(value, self.interner);
                            self.run(steps, i + 1, regs, emit)?;
                        }
                        AggResult::Test(e) => {
                            let want =
                                expr::eval(e, regs, self.interner).map_err(|e| RunError::Expr(e, Some(agg.literal)))?;
                            if expr::test(crate::ast::CmpOp::Eq, value, want, self.interner).unwrap_or(false) {
                                self.run(steps, i + 1, regs, emit)?;
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether a narrow relation holds the key's tuple, searched from where this step's last
    /// lookup left its runs.
    #[inline]
    fn contains_near(&mut self, step: &Step, narrow: &Narrow, key: &[Arg], regs: &[Id]) -> bool {
        let mut tuple = [0 as Id; 2];
        for (slot, a) in tuple.iter_mut().zip(key) {
            *slot = arg_value(a, regs);
        }
        let packed = pack(&tuple[..key.len().min(2)]);
        let at = self.cursor_at(step);
        narrow.contains_near(packed, &mut self.cursors[at].1)
    }

    /// The cursor of a step that looks up keys in a narrow relation's sorted runs.
    #[inline]
    fn cursor_at(&mut self, step: &Step) -> usize {
        let id = step as *const Step as usize;
        match self.cursors.iter().position(|(s, _)| *s == id) {
            Some(at) => at,
            None => {
                self.cursors.push((id, Cursor::default()));
                self.cursors.len() - 1
            }
        }
    }

    /// The aggregate's value for the current group, or `None` (min/max/mean of nothing).
    pub(crate) fn aggregate(&mut self, agg: &AggStep, regs: &mut [Id]) -> Result<Option<Scalar>, RunError> {
        // Aggregates range over lower strata, which are complete: the value of a group never
        // changes while this plan runs.
        if agg.group.len() > AGG_CACHE_GROUP {
            return self.aggregate_uncached(agg, regs);
        }
        // The group's values, padded with `u32::MAX`, which is never an id.
        let mut group = [u32::MAX; AGG_CACHE_GROUP];
        for (slot, v) in group.iter_mut().zip(&agg.group) {
            *slot = regs[*v as usize];
        }
        let agg_id = agg as *const AggStep as usize;
        let slot = hash_ids(group.iter().copied().chain([agg_id as Id])) as usize % AGG_CACHE_SLOTS;
        if let Some(entry) = self.agg_cache.get(slot) {
            if entry.agg == agg_id && entry.group == group {
                return Ok(entry.value);
            }
        }
        let value = self.aggregate_uncached(agg, regs)?;
        // A bounded cache: groups visited once each (the common case) must not cost memory.
        if self.agg_cache.is_empty() {
            self.agg_cache =
                vec![AggCacheEntry { agg: 0, group: [u32::MAX; AGG_CACHE_GROUP], value: None }; AGG_CACHE_SLOTS];
        }
        self.agg_cache[slot] = AggCacheEntry { agg: agg_id, group, value };
        Ok(value)
    }

    fn aggregate_uncached(&mut self, agg: &AggStep, regs: &mut [Id]) -> Result<Option<Scalar>, RunError> {
        let mut matches = Matches { agg, acc: Accumulator::new(agg.func), seen: None, key: Vec::new() };
        let tracking = std::mem::replace(&mut self.tracking, false);
        let result = self.aggregate_rows(agg, regs, &mut matches);
        self.tracking = tracking;
        result.map_err(|e| match e {
            RunError::Expr(e, _) => RunError::Expr(e, Some(agg.literal)),
            other => other,
        })?;
        matches.acc.finish().map_err(|e| RunError::Expr(e, Some(agg.literal)))
    }

    /// Runs the aggregate's body, adding each match to `matches`.
    fn aggregate_rows(&mut self, agg: &AggStep, regs: &mut [Id], matches: &mut Matches<'_>) -> Result<(), RunError> {
        match agg.body.as_slice() {
            // The count of a two-column relation's rows with a given first column, whatever
            // the second (`count : { edge(X, _) }`): counted in its sorted runs, from where the
            // last group left them, without reading a row.
            [step @ Step::Probe { rel, index, key, cols, .. }]
                if agg.func == AggFunc::Count
                    && agg.target.is_none()
                    && agg.rows_are_distinct
                    && self.visible.is_none()
                    && self.rels[*rel as usize].width == 2
                    && *index != plan::MEMBER
                    && self.rels[*rel as usize].index_cols(*index) == [0]
                    && matches!(cols.get(1), Some(ColOp::Bind(_) | ColOp::Skip)) =>
            {
                let relation = &self.rels[*rel as usize];
                let Some(narrow) = relation.runs() else { unreachable!("a two-column relation has sorted runs") };
                self.guard.tick()?;
                let first = arg_value(&key[0], regs);
                let at = self.cursor_at(step);
                matches.acc.count += narrow.count_first_near(first, &mut self.cursors[at].1) as i64;
                Ok(())
            }
            // A body of one atom (`count : { edge(X, _) }`): its rows are read here and each
            // match added directly, without a call through `emit` per row.
            [Step::Probe { rel, index, key, cols, .. }] if *index != plan::MEMBER => {
                let relation = &self.rels[*rel as usize];
                for row in chain_rows(relation, *index, key, regs, self.limit(*rel)) {
                    self.guard.tick()?;
                    if bind_row(relation.row(row), cols, regs) {
                        matches.add(regs, self.interner)?;
                    }
                }
                Ok(())
            }
            // The count of a relation's rows (`count : { reach(_) }`): each live row is a
            // distinct match, and the relation knows how many it has.
            [Step::Scan { rel, range: Range::Full, cols, .. }]
                if agg.func == AggFunc::Count
                    && agg.target.is_none()
                    && agg.rows_are_distinct
                    && self.visible.is_none()
                    && cols.iter().all(|c| matches!(c, ColOp::Bind(_) | ColOp::Skip)) =>
            {
                self.guard.tick()?;
                matches.acc.count += self.rels[*rel as usize].len() as i64;
                Ok(())
            }
            [Step::Scan { rel, range: Range::Full, cols, .. }] => {
                let relation = &self.rels[*rel as usize];
                let dead = relation.dead_bits();
                for row in 0..relation.end().min(self.limit(*rel)) {
                    self.guard.tick()?;
                    if is_live(dead, row) && bind_row(relation.row(row), cols, regs) {
                        matches.add(regs, self.interner)?;
                    }
                }
                Ok(())
            }
            body => self
                .run(body, 0, regs, &mut |regs: &[Id], _: &[u32], interner: &mut Interner| matches.add(regs, interner)),
        }
    }
}

/// The matches of an aggregate's body so far: distinct ones (by its local variables, unless
/// every row is a distinct match) go into the accumulator.
struct Matches<'s> {
    agg: &'s AggStep,
    acc: Accumulator,
    /// The local variables' values seen, once a body whose rows may repeat a match has one.
    seen: Option<TupleSet>,
    key: Vec<Id>,
}

impl Matches<'_> {
    #[inline(always)]
    fn add(&mut self, regs: &[Id], interner: &mut Interner) -> Result<(), RunError> {
        let agg = self.agg;
        if !agg.rows_are_distinct {
            self.key.clear();
            self.key.extend(agg.local.iter().map(|v| regs[*v as usize]));
            let seen = self.seen.get_or_insert_with(|| TupleSet::new(agg.local.len()));
            if !seen.insert(hash_ids(self.key.iter().copied()), &self.key) {
                return Ok(());
            }
        }
        let value = match &agg.target {
            Some(t) => Some(expr::eval(t, regs, interner)?),
            None => None,
        };
        Ok(self.acc.add(value, interner)?)
    }
}

/// Aggregates grouped by at most this many variables have their values cached per group.
const AGG_CACHE_GROUP: usize = 4;

/// Slots of the aggregate cache.
const AGG_CACHE_SLOTS: usize = 4096;

/// One slot of the aggregate cache: which aggregate, the group's values (padded with
/// `u32::MAX`, never an id) and its value.
#[derive(Clone, Copy)]
struct AggCacheEntry {
    agg: usize,
    group: [Id; AGG_CACHE_GROUP],
    value: Option<Scalar>,
}

/// The row holding exactly the key's values, if any; without `rows`, any row number stands
/// for "present" (finding a derived row's number takes a second search).
#[inline]
fn member(relation: &Relation, key: &[Arg], regs: &[Id], rows: bool) -> Option<u32> {
    let mut buf = [0 as Id; 8];
    let mut long = Vec::new();
    let tuple: &mut [Id] = if key.len() <= buf.len() {
        &mut buf[..key.len()]
    } else {
        long.resize(key.len(), 0);
        &mut long
    };
    for (slot, a) in tuple.iter_mut().zip(key) {
        *slot = arg_value(a, regs);
    }
    if rows { relation.find(tuple) } else { relation.contains(tuple).then_some(0) }
}

/// Applies column ops to a row; false when a check fails.
#[inline]
fn bind_row(row: &[Id], cols: &[ColOp], regs: &mut [Id]) -> bool {
    for (&value, op) in row.iter().zip(cols) {
        match *op {
            ColOp::Bind(v) => regs[v as usize] = value,
            ColOp::Check(v) => {
                if regs[v as usize] != value {
                    return false;
                }
            }
            ColOp::Const(id) => {
                if id != value {
                    return false;
                }
            }
            ColOp::Skip => {}
        }
    }
    true
}

/// Running state of one aggregate.
struct Accumulator {
    func: AggFunc,
    count: i64,
    int_sum: i64,
    dec_sum: f64,
    decimal: bool,
    best: Option<Scalar>,
}

impl Accumulator {
    fn new(func: AggFunc) -> Accumulator {
        Accumulator { func, count: 0, int_sum: 0, dec_sum: 0.0, decimal: false, best: None }
    }

    #[inline]
    fn add(&mut self, value: Option<Scalar>, interner: &Interner) -> Result<(), ExprError> {
        self.count += 1;
        let Some(v) = value else { return Ok(()) };
        match self.func {
            AggFunc::Count => {}
            AggFunc::Sum | AggFunc::Mean => match v {
                Scalar::Int(i) => {
                    self.dec_sum += i as f64;
                    if !self.decimal {
                        self.int_sum = self.int_sum.checked_add(i).ok_or_else(|| {
                            ExprError::Overflow(format!("the {} of the aggregated values", self.func.name()))
                        })?;
                    }
                }
                Scalar::Dec(d) => {
                    self.decimal = true;
                    self.dec_sum += d;
                }
                other => {
                    return Err(ExprError::Type(format!(
                        "{} needs numbers, not `{}`",
                        self.func.name(),
                        expr::to_value(other, interner)
                    )));
                }
            },
            AggFunc::Min | AggFunc::Max => {
                let better = match self.best {
                    None => true,
                    Some(b) => {
                        let ord = expr::compare(v, b, interner);
                        if self.func == AggFunc::Min { ord.is_lt() } else { ord.is_gt() }
                    }
                };
                if better {
                    self.best = Some(v);
                }
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<Option<Scalar>, ExprError> {
        Ok(match self.func {
            AggFunc::Count => Some(Scalar::Int(self.count)),
            AggFunc::Sum if self.decimal => Some(Scalar::Dec(self.dec_sum)),
            AggFunc::Sum => Some(Scalar::Int(self.int_sum)),
            AggFunc::Mean if self.count == 0 => None,
            AggFunc::Mean => Some(Scalar::Dec(self.dec_sum / self.count as f64)),
            AggFunc::Min | AggFunc::Max => self.best,
        })
    }
}
