//! Join planning: a rule body becomes a sequence of [`Step`]s in an order where every step's
//! inputs are bound, probing hash indexes on the bound columns (never a nested loop over a
//! whole relation when a column is bound).
//!
//! The order is greedy: the delta atom first (semi-naive), then, repeatedly, every filter,
//! assignment, negation and aggregate whose variables are bound, then the positive atom with the
//! most bound columns (ties: the smaller relation).

use crate::ast::{AggFunc, CmpOp, Span, TimeOp};
use crate::program::{AggregateIr, Arg, AtomIr, Expr, Literal, PredId, Program, Var};
use crate::value::{Id, Interner, Value};

use std::sync::Arc;

use super::relation::Relation;

/// What to do with one column of a matched row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ColOp {
    Bind(Var),
    Check(Var),
    Const(Id),
    Skip,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Range {
    Full,
    Delta,
}

#[derive(Debug, Clone)]
pub enum Step {
    /// Every row of the relation (or of its delta), through the column ops.
    Scan {
        rel: PredId,
        range: Range,
        cols: Vec<ColOp>,
        literal: usize,
    },
    /// Rows whose index columns equal `key`, through the column ops of the other columns.
    Probe {
        rel: PredId,
        index: usize,
        key: Vec<Arg>,
        cols: Vec<ColOp>,
        literal: usize,
    },
    /// Negation: no row matches `key` on the index columns.
    Absent {
        rel: PredId,
        index: usize,
        key: Vec<Arg>,
        literal: usize,
    },
    Assign {
        var: Var,
        expr: Expr,
        literal: usize,
    },
    Compare {
        op: CmpOp,
        lhs: Expr,
        rhs: Expr,
        literal: usize,
    },
    Temporal {
        op: TimeOp,
        lhs: Expr,
        rhs: Expr,
        literal: usize,
    },
    Aggregate(Box<AggStep>),
}

#[derive(Debug, Clone)]
pub struct AggStep {
    pub func: AggFunc,
    pub body: Vec<Step>,
    /// Variables whose values make a match distinct.
    pub local: Vec<Var>,
    /// Variables bound outside the aggregate: its value depends on these only.
    pub group: Vec<Var>,
    /// When the body is one atom whose every column is a distinct fresh variable or a bound
    /// value, each row is a distinct match and no deduplication is needed.
    pub rows_are_distinct: bool,
    pub target: Option<Expr>,
    pub result: AggResult,
    pub literal: usize,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum AggResult {
    Bind(Var),
    Test(Expr),
}

/// Everything the planner needs to know about the program.
pub struct PlanCx<'a> {
    pub rels: &'a mut [Arc<Relation>],
    /// Per predicate: whether its relation has the hidden interval column.
    pub temporal: Vec<bool>,
    /// The interned `undated`, bound to `T` in `p(X) @ T` when `p` carries no time.
    pub undated: Id,
    /// Per variable: whether it is an anonymous `_` (free in a negation).
    pub anonymous: Vec<bool>,
    /// Place literals in the order they are written wherever their inputs allow (for `why
    /// not`, whose answer is "the first premise that fails"), instead of the fastest order.
    pub source_order: bool,
    pub interner: &'a Interner,
    /// Solve `Y = X + c` for `X` when `Y` is bound (explanations, whose heads are bound), so
    /// that the atom binding `X` becomes a lookup instead of a scan. Numbers that compare equal
    /// across types (`2` and `2.0`) may then be missed: callers retry without it.
    pub invert: bool,
    /// Per variable: whether a positive atom not yet placed would bind it.
    pending: Vec<bool>,
}

impl<'a> PlanCx<'a> {
    pub fn new(
        rels: &'a mut [Arc<Relation>],
        program: &Program,
        undated: Id,
        var_names: &[std::sync::Arc<str>],
        interner: &'a Interner,
    ) -> PlanCx<'a> {
        PlanCx {
            rels,
            temporal: program.preds.iter().map(|p| p.temporal).collect(),
            undated,
            anonymous: var_names.iter().map(|n| &**n == "_").collect(),
            source_order: false,
            interner,
            invert: false,
            pending: Vec::new(),
        }
    }
}

#[derive(Debug)]
pub struct Unplaceable(pub Span);

/// Plans `body` with the variables in `bound` already bound, `delta` (a literal index) first.
pub fn plan_body(
    cx: &mut PlanCx<'_>,
    body: &[Literal],
    delta: Option<usize>,
    bound: &mut [bool],
) -> Result<Vec<Step>, Unplaceable> {
    let mut steps = Vec::new();
    let mut placed = vec![false; body.len()];
    let saved_pending = std::mem::take(&mut cx.pending);
    let result = plan_body_inner(cx, body, delta, bound, &mut steps, &mut placed);
    cx.pending = saved_pending;
    result.map(|()| steps)
}

/// Marks the variables that unplaced positive atoms of `body` would bind.
fn mark_pending(cx: &mut PlanCx<'_>, body: &[Literal], placed: &[bool], n_vars: usize) {
    cx.pending.clear();
    cx.pending.resize(n_vars, false);
    for (lit, _) in body.iter().zip(placed).filter(|(_, p)| !**p) {
        if let Literal::Positive(a) = lit {
            for arg in a.args.iter().chain(&a.time) {
                if let Arg::Var(v) = arg {
                    cx.pending[*v as usize] = true;
                }
            }
        }
    }
}

fn plan_body_inner(
    cx: &mut PlanCx<'_>,
    body: &[Literal],
    delta: Option<usize>,
    bound: &mut [bool],
    steps: &mut Vec<Step>,
    placed: &mut [bool],
) -> Result<(), Unplaceable> {
    let n_vars = bound.len();
    if let Some(i) = delta {
        if let Literal::Positive(atom) = &body[i] {
            place_atom(cx, atom, i, Some(Range::Delta), bound, steps);
            placed[i] = true;
        }
    }
    if cx.source_order {
        // The first literal in written order whose inputs are bound, again and again.
        while let Some(i) = (0..body.len()).find(|&i| !placed[i] && literal_ready(cx, &body[i], bound)) {
            match &body[i] {
                Literal::Positive(atom) => place_atom(cx, atom, i, None, bound, steps),
                lit => {
                    try_place_filter(cx, lit, i, bound, steps)?;
                }
            }
            placed[i] = true;
        }
    }
    loop {
        // 1. Every literal that is ready and is not a positive atom.
        mark_pending(cx, body, placed, n_vars);
        let mut progress = true;
        while progress {
            progress = false;
            for (i, lit) in body.iter().enumerate() {
                if !placed[i] && !matches!(lit, Literal::Positive(_)) && try_place_filter(cx, lit, i, bound, steps)? {
                    placed[i] = true;
                    progress = true;
                }
            }
        }
        // 2. The positive atom with the most bound columns.
        let best = body
            .iter()
            .enumerate()
            .filter(|(i, _)| !placed[*i])
            .filter_map(|(i, lit)| match lit {
                Literal::Positive(atom) => Some((i, atom)),
                _ => None,
            })
            .max_by(|(ia, a), (ib, b)| {
                let (ka, kb) = (bound_columns(a, bound), bound_columns(b, bound));
                let (sa, sb) = (cx.rels[a.pred as usize].len(), cx.rels[b.pred as usize].len());
                (ka > 0).cmp(&(kb > 0)).then(ka.cmp(&kb)).then(sb.cmp(&sa)).then(ib.cmp(ia))
            });
        match best {
            Some((i, atom)) => {
                place_atom(cx, atom, i, None, bound, steps);
                placed[i] = true;
            }
            None => break,
        }
    }
    match body.iter().enumerate().find(|(i, _)| !placed[*i]) {
        Some((_, lit)) => Err(Unplaceable(lit.span())),
        None => Ok(()),
    }
}

/// Whether a literal's inputs are bound (a positive atom always is).
fn literal_ready(cx: &PlanCx<'_>, lit: &Literal, bound: &[bool]) -> bool {
    match lit {
        Literal::Positive(_) => true,
        Literal::Negative(atom) => columns(cx, atom).iter().flatten().all(|a| match a {
            Arg::Var(v) => bound[*v as usize] || cx.anonymous[*v as usize],
            Arg::Const(_) => true,
        }),
        Literal::Compare { op, lhs, rhs, .. } => {
            let (lb, rb) = (expr_bound(lhs, bound), expr_bound(rhs, bound));
            (lb && rb) || (*op == CmpOp::Eq && (matches!(lhs, Expr::Var(_)) && rb || matches!(rhs, Expr::Var(_)) && lb))
        }
        Literal::Temporal { lhs, rhs, .. } => expr_bound(lhs, bound) && expr_bound(rhs, bound),
        Literal::Aggregate(agg) => {
            agg.group.iter().all(|v| bound[*v as usize])
                && (matches!(agg.result, Expr::Var(_)) || expr_bound(&agg.result, bound))
        }
    }
}

fn bound_columns(atom: &AtomIr, bound: &[bool]) -> usize {
    atom.args.iter().chain(&atom.time).filter(|a| is_bound(a, bound)).count()
}

fn is_bound(a: &Arg, bound: &[bool]) -> bool {
    match a {
        Arg::Const(_) => true,
        Arg::Var(v) => bound[*v as usize],
    }
}

/// The atom's arguments per stored column (the hidden interval column last).
fn columns(cx: &PlanCx<'_>, atom: &AtomIr) -> Vec<Option<Arg>> {
    let mut cols: Vec<Option<Arg>> = atom.args.iter().copied().map(Some).collect();
    if cx.temporal[atom.pred as usize] {
        cols.push(atom.time);
    }
    cols
}

fn place_atom(
    cx: &mut PlanCx<'_>,
    atom: &AtomIr,
    literal: usize,
    range: Option<Range>,
    bound: &mut [bool],
    steps: &mut Vec<Step>,
) {
    let cols = columns(cx, atom);
    let key_cols: Vec<usize> = match range {
        Some(_) => Vec::new(),
        None => {
            cols.iter().enumerate().filter(|(_, a)| a.is_some_and(|a| is_bound(&a, bound))).map(|(c, _)| c).collect()
        }
    };
    let key: Vec<Arg> = key_cols.iter().filter_map(|&c| cols[c]).collect();
    let mut ops = Vec::with_capacity(cols.len());
    for (c, arg) in cols.iter().enumerate() {
        let op = match arg {
            _ if key_cols.contains(&c) => ColOp::Skip,
            None => ColOp::Skip,
            Some(Arg::Const(id)) => ColOp::Const(*id),
            Some(Arg::Var(v)) if bound[*v as usize] => ColOp::Check(*v),
            Some(Arg::Var(v)) => {
                bound[*v as usize] = true;
                ColOp::Bind(*v)
            }
        };
        ops.push(op);
    }
    let rel = atom.pred;
    steps.push(match range {
        Some(range) => Step::Scan { rel, range, cols: ops, literal },
        None if key_cols.is_empty() => Step::Scan { rel, range: Range::Full, cols: ops, literal },
        None => {
            let index = index_or_member(cx, rel, &key_cols);
            Step::Probe { rel, index, key, cols: ops, literal }
        }
    });
    // `p(X) @ T` on a predicate without times: the source gives none, T is `undated`.
    if !cx.temporal[rel as usize] {
        if let Some(t) = atom.time {
            steps.push(match t {
                Arg::Var(v) if !bound[v as usize] => {
                    bound[v as usize] = true;
                    Step::Assign { var: v, expr: Expr::Const(cx.undated), literal }
                }
                Arg::Var(v) => {
                    Step::Compare { op: CmpOp::Eq, lhs: Expr::Var(v), rhs: Expr::Const(cx.undated), literal }
                }
                Arg::Const(id) => {
                    Step::Compare { op: CmpOp::Eq, lhs: Expr::Const(id), rhs: Expr::Const(cx.undated), literal }
                }
            });
        }
    }
}

/// An index on `key_cols`, or [`MEMBER`] when every column is bound: then the relation's own
/// membership structure answers the lookup and no index needs to be built.
///
/// A new index is built in the planner's own copy of the relation (`Arc::make_mut`): during
/// evaluation the relation is not shared, so nothing is copied; a query or an explanation over a
/// snapshot copies only the relations it indexes differently, and drops them with itself.
fn index_or_member(cx: &mut PlanCx<'_>, rel: PredId, key_cols: &[usize]) -> usize {
    let relation = &cx.rels[rel as usize];
    if key_cols.len() == relation.width && key_cols.iter().enumerate().all(|(i, &c)| i == c) {
        MEMBER
    } else if let Some(i) = relation.find_index(key_cols) {
        i
    } else {
        Arc::make_mut(&mut cx.rels[rel as usize]).index_for(key_cols)
    }
}

/// The `index` of a `Probe` or `Absent` step that tests membership of a whole tuple.
pub const MEMBER: usize = usize::MAX;

fn expr_bound(e: &Expr, bound: &[bool]) -> bool {
    let mut vs = Vec::new();
    e.vars(&mut vs);
    vs.iter().all(|v| bound[*v as usize])
}

/// Places a non-positive literal if its inputs are bound; returns whether it was placed.
fn try_place_filter(
    cx: &mut PlanCx<'_>,
    lit: &Literal,
    literal: usize,
    bound: &mut [bool],
    steps: &mut Vec<Step>,
) -> Result<bool, Unplaceable> {
    match lit {
        Literal::Positive(_) => Ok(false),
        Literal::Negative(atom) => {
            // A negation is ready when its named variables are bound; its anonymous `_`
            // positions stay free and match anything.
            let cols = columns(cx, atom);
            let named_unbound = cols
                .iter()
                .flatten()
                .any(|a| matches!(a, Arg::Var(v) if !bound[*v as usize] && !cx.anonymous[*v as usize]));
            if named_unbound {
                return Ok(false);
            }
            let key_cols: Vec<usize> = cols
                .iter()
                .enumerate()
                .filter(|(_, a)| a.is_some_and(|a| is_bound(&a, bound)))
                .map(|(c, _)| c)
                .collect();
            let key = key_cols.iter().filter_map(|&c| cols[c]).collect();
            let index = index_or_member(cx, atom.pred, &key_cols);
            steps.push(Step::Absent { rel: atom.pred, index, key, literal });
            Ok(true)
        }
        Literal::Compare { op, lhs, rhs, .. } => {
            let (lb, rb) = (expr_bound(lhs, bound), expr_bound(rhs, bound));
            if lb && rb {
                steps.push(Step::Compare { op: *op, lhs: lhs.clone(), rhs: rhs.clone(), literal });
                return Ok(true);
            }
            if *op == CmpOp::Eq && cx.invert {
                for (known, sum, known_bound) in [(lhs, rhs, lb), (rhs, lhs, rb)] {
                    if let (true, Some((var, expr))) = (known_bound, invert(known, sum, bound)) {
                        // The literal itself stays, to be placed as a test once `var` is bound.
                        bound[var as usize] = true;
                        steps.push(Step::Assign { var, expr, literal });
                        return Ok(false);
                    }
                }
            }
            if *op == CmpOp::Eq {
                for (side, other, other_bound) in [(lhs, rhs, rb), (rhs, lhs, lb)] {
                    if let (Expr::Var(v), true) = (side, other_bound) {
                        // `p(X), X = 2.0` must match `p(2)`: `=` compares numbers by value, a
                        // join by identity. So a number is assigned only to a variable that no
                        // atom would bind; text compares by identity anyway (times do not: `1953`
                        // equals `1953-01..1953-12`, the same days).
                        let identity_safe =
                            matches!(other, Expr::Const(id) if matches!(cx.interner.value(*id), Value::Text(_)));
                        if cx.pending.get(*v as usize).copied().unwrap_or(false) && !identity_safe {
                            continue;
                        }
                        bound[*v as usize] = true;
                        steps.push(Step::Assign { var: *v, expr: other.clone(), literal });
                        return Ok(true);
                    }
                }
            }
            Ok(false)
        }
        Literal::Temporal { op, lhs, rhs, .. } => {
            if expr_bound(lhs, bound) && expr_bound(rhs, bound) {
                steps.push(Step::Temporal { op: *op, lhs: lhs.clone(), rhs: rhs.clone(), literal });
                return Ok(true);
            }
            Ok(false)
        }
        Literal::Aggregate(agg) => {
            if !agg.group.iter().all(|v| bound[*v as usize]) {
                return Ok(false);
            }
            let result = match &agg.result {
                Expr::Var(v) if !bound[*v as usize] => AggResult::Bind(*v),
                e if expr_bound(e, bound) => AggResult::Test(e.clone()),
                _ => return Ok(false),
            };
            let step = plan_aggregate(cx, agg, literal, bound, result)?;
            if let AggResult::Bind(v) = step.result {
                bound[v as usize] = true;
            }
            steps.push(Step::Aggregate(Box::new(step)));
            Ok(true)
        }
    }
}

/// `known = X + c`, `c + X`, `X - c` or `c - X` with `X` unbound and the rest bound: `X` and the
/// expression that computes it from `known`.
fn invert(known: &Expr, sum: &Expr, bound: &[bool]) -> Option<(Var, Expr)> {
    use crate::ast::BinOp;
    let Expr::Binary(op, a, b) = sum else { return None };
    let free = |e: &Expr| matches!(e, Expr::Var(v) if !bound[*v as usize]);
    let k = || Box::new(known.clone());
    match (op, &**a, &**b) {
        (BinOp::Add, Expr::Var(x), c) | (BinOp::Add, c, Expr::Var(x))
            if free(&Expr::Var(*x)) && expr_bound(c, bound) =>
        {
            Some((*x, Expr::Binary(BinOp::Sub, k(), Box::new(c.clone()))))
        }
        (BinOp::Sub, Expr::Var(x), c) if free(a) && expr_bound(c, bound) => {
            Some((*x, Expr::Binary(BinOp::Add, k(), Box::new(c.clone()))))
        }
        (BinOp::Sub, c, Expr::Var(x)) if free(b) && expr_bound(c, bound) => {
            Some((*x, Expr::Binary(BinOp::Sub, Box::new(c.clone()), k())))
        }
        _ => None,
    }
}

fn plan_aggregate(
    cx: &mut PlanCx<'_>,
    agg: &AggregateIr,
    literal: usize,
    bound: &[bool],
    result: AggResult,
) -> Result<AggStep, Unplaceable> {
    let mut inner = bound.to_vec();
    for v in &agg.local {
        inner[*v as usize] = false;
    }
    let body = plan_body(cx, &agg.body, None, &mut inner)?;
    let rows_are_distinct = match (agg.body.as_slice(), body.as_slice()) {
        ([Literal::Positive(_)], [Step::Scan { cols, .. } | Step::Probe { cols, .. }]) => {
            let binds: Vec<Var> =
                cols.iter().filter_map(|c| if let ColOp::Bind(v) = c { Some(*v) } else { None }).collect();
            let skips = cols.iter().filter(|c| matches!(c, ColOp::Skip)).count();
            let key_len = if let Step::Probe { key, .. } = &body[0] { key.len() } else { 0 };
            // Every column is bound to a distinct local variable or is part of the probe key.
            skips == key_len && binds.len() + key_len == cols.len()
        }
        _ => false,
    };
    Ok(AggStep {
        func: agg.func,
        body,
        local: agg.local.clone(),
        group: agg.group.clone(),
        rows_are_distinct,
        target: agg.target.clone(),
        result,
        literal,
        span: agg.span,
    })
}
