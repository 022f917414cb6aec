//! Incremental maintenance: bring an evaluated [`Database`] from one checked program to the
//! next (a fact asserted or retracted, a rule added, a file loaded, a what-if) at the cost of
//! what changed, instead of evaluating the new program afresh.
//!
//! The rule, stratum by stratum in evaluation order (see `ARCHITECTURE.md`, "Incremental
//! evaluation"):
//!
//! - A predicate without rules whose base facts changed gets a fresh relation built exactly as
//!   a fresh evaluation builds it; it has *grown* if it only gained facts (they are kept aside,
//!   in an extra relation past the program's predicates), else it *changed*.
//! - A stratum whose rules are those of the old program, none of whose predicates has changed
//!   base facts, and which reads no changed predicate and no grown one under `not` or inside
//!   an aggregate, is *continued* if it reads a grown predicate: semi-naive evaluation goes on
//!   from the new facts, its new rows appended as new rounds. Its predicates have grown.
//! - Any other stratum that reads a changed or grown predicate, or whose rules or base facts
//!   changed, is *re-evaluated* from its base facts; comparing its old and new rows then says
//!   whether its predicates are the same, grown or changed, so a re-evaluation whose result
//!   did not change stops there.
//! - The other strata are left as they are, sharing their relations.
//!
//! A change fails as a fresh evaluation would (a limit, Ctrl-C); then the database is put back
//! as it was: replaced relations are restored, and relations that gained rows are cut back to
//! their old rows and rounds.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::diag::Diagnostic;
use crate::program::{Literal, PredId, Program};
use crate::value::{Id, Interner};

use super::relation::Relation;
use super::runs::{Candidates, pack};
use super::{Database, Guard, Limits, Runtime, Seed, eval_stratum, explanation_indexes, uses_pred};

/// What one incremental update did, for `:time` and the benchmarks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateStats {
    /// Base facts added and removed.
    pub base_added: usize,
    pub base_removed: usize,
    /// Derived facts added by continued strata and by re-evaluated ones, and removed by
    /// re-evaluated ones (counted only where a later stratum reads them, as only there are
    /// old and new rows compared).
    pub derived_added: usize,
    pub derived_removed: usize,
    /// Rows derived by the strata evaluated again (the work a deletion costs today).
    pub rows_reevaluated: usize,
    /// Strata continued from new facts, and strata evaluated again from their base facts.
    pub strata_continued: usize,
    pub strata_reevaluated: usize,
    pub elapsed: Duration,
}

/// How a predicate's relation compares with its old one.
#[derive(Debug, Clone)]
enum Status {
    Same,
    /// Only gained facts: these (flat rows), and how many.
    Grew(Vec<Id>, usize),
    Changed,
}

/// What to undo if the update fails.
#[derive(Default)]
struct Undo {
    /// Relations replaced, with their old value.
    replaced: Vec<(usize, Arc<Relation>)>,
    /// Relations that gained rows: their old row and round counts.
    appended: Vec<(usize, u32, usize)>,
}

/// Brings `db`, evaluated from `old`, to the least model of `new`. `Ok(None)` when the change
/// is not one this module maintains (a predicate changed its width, built-in relations are in
/// use): `db` is untouched and the caller evaluates `new` afresh. On an error `db` is as it was.
pub fn update(
    old: &Program,
    new: &Program,
    db: &mut Database,
    interner: &mut Interner,
    limits: &Limits,
    runtime: &Runtime,
) -> Result<Option<UpdateStats>, Diagnostic> {
    let started = runtime.clock.then(Instant::now);
    if !maintainable(old, new, db) {
        return Ok(None);
    }
    let saved_stats = db.stats.clone();
    let mut undo = Undo::default();
    match apply(old, new, db, interner, limits, runtime, &mut undo) {
        Ok(mut stats) => {
            explanation_indexes(new, db, interner);
            stats.elapsed = started.map_or(Duration::ZERO, |s| s.elapsed());
            db.stats.elapsed = stats.elapsed;
            db.stats.update = Some(stats.clone());
            Ok(Some(stats))
        }
        Err(e) => {
            for (p, rel) in undo.replaced.into_iter().rev() {
                db.relations[p] = rel;
            }
            for (p, rows, rounds) in undo.appended {
                if db.relations[p].len() as u32 != rows || db.relations[p].rounds() != rounds {
                    db.relations[p] = Arc::new(truncated(&db.relations[p], rows, rounds));
                }
            }
            db.relations.truncate(old.preds.len());
            db.stats = saved_stats;
            Err(e)
        }
    }
}

/// Whether `db` (evaluated from `old`) can be brought to `new` here: the old predicates keep
/// their ids and widths (new ones come after), and no built-in relation is in use (they are
/// computed from the whole base).
fn maintainable(old: &Program, new: &Program, db: &Database) -> bool {
    // A first load has nothing to maintain.
    !old.preds.iter().all(|p| p.defined.builtin)
        && db.relations.len() == old.preds.len()
        && db.filled_builtins.is_empty()
        && new.preds.len() >= old.preds.len()
        && old.preds.iter().zip(&new.preds).all(|(a, b)| {
            a.name == b.name && a.arity == b.arity && a.temporal == b.temporal && a.defined.builtin == b.defined.builtin
        })
        && !(0..new.preds.len() as PredId).any(|p| {
            new.pred(p).defined.builtin
                && (new.rules.iter().any(|r| uses_pred(&r.body, p))
                    || new.queries.iter().any(|q| uses_pred(&q.body, p)))
        })
}

#[allow(clippy::too_many_arguments)]
fn apply(
    old: &Program,
    new: &Program,
    db: &mut Database,
    interner: &mut Interner,
    limits: &Limits,
    runtime: &Runtime,
    undo: &mut Undo,
) -> Result<UpdateStats, Diagnostic> {
    let n_preds = new.preds.len();
    let mut stats = UpdateStats::default();
    db.relations.extend((old.preds.len()..n_preds).map(|p| Arc::new(Relation::new(new.preds[p].width()))));
    let mut status: Vec<Status> = vec![Status::Same; n_preds];
    // 1. Base facts: which predicates' stated or loaded rows differ.
    let (old_base, new_base) = (base_rows(old), base_rows(new));
    let has_rules: Vec<bool> = (0..n_preds).map(|p| new.rules.iter().any(|r| r.head.pred as usize == p)).collect();
    let mut base_changed = vec![false; n_preds];
    for p in 0..n_preds {
        if p < old.preds.len() && old_base[p] == new_base[p] {
            continue;
        }
        let fresh = base_relation(new, p as PredId, &new_base[p]);
        if p < old.preds.len() && old_base[p].same_rows(&new_base[p]) {
            // Only the origin codes moved (a fact stated before them was added or removed):
            // the rows stay, their origins are the fresh ones.
            let rel = if has_rules[p] {
                let mut rel = (*db.relations[p]).clone();
                rel.copy_origins_from(&fresh);
                rel
            } else {
                with_indexes_of(fresh, &db.relations[p])
            };
            let old_rel = std::mem::replace(&mut db.relations[p], Arc::new(rel));
            undo.replaced.push((p, old_rel));
            continue;
        }
        base_changed[p] = true;
        if has_rules[p] {
            continue; // its stratum is evaluated again
        }
        let (removed, added) = diff(&db.relations[p], &fresh);
        stats.base_removed += removed;
        stats.base_added += added.1;
        status[p] = if removed > 0 {
            Status::Changed
        } else if added.1 > 0 {
            Status::Grew(added.0, added.1)
        } else {
            Status::Same
        };
        let fresh = with_indexes_of(fresh, &db.relations[p]);
        let old_rel = std::mem::replace(&mut db.relations[p], Arc::new(fresh));
        undo.replaced.push((p, old_rel));
    }
    // 2. Strata, in evaluation order.
    let mut guard = Guard::new(limits);
    for (s, stratum) in new.strata.iter().enumerate() {
        if stratum.rules.is_empty() {
            continue;
        }
        let mut reads: Vec<(PredId, bool)> = Vec::new();
        for &r in &stratum.rules {
            collect_reads(&new.rules[r].body, true, &mut reads);
        }
        let in_stratum = |p: PredId| new.stratum_of[p as usize] == s;
        let outside = reads.iter().filter(|(p, _)| !in_stratum(*p));
        let mut grown = false;
        let mut reevaluate = !same_rules(old, new, s) || stratum.preds.iter().any(|&p| base_changed[p as usize]);
        for &(p, positive) in outside {
            match &status[p as usize] {
                Status::Same => {}
                Status::Grew(..) if positive => grown = true,
                Status::Grew(..) | Status::Changed => reevaluate = true,
            }
        }
        if reevaluate {
            reevaluate_stratum(
                new,
                db,
                s,
                &new_base,
                interner,
                limits,
                runtime,
                &mut guard,
                undo,
                &mut status,
                &mut stats,
            )?;
            stats.strata_reevaluated += 1;
        } else if grown {
            continue_stratum(new, db, s, &reads, interner, limits, runtime, &mut guard, undo, &mut status, &mut stats)?;
            stats.strata_continued += 1;
        }
    }
    db.relations.truncate(n_preds);
    Ok(stats)
}

/// Every predicate a body reads, and whether positively (not under `not`, not in an
/// aggregate).
fn collect_reads(body: &[Literal], positive: bool, out: &mut Vec<(PredId, bool)>) {
    for lit in body {
        match lit {
            Literal::Positive(a) => out.push((a.pred, positive)),
            Literal::Negative(a) => out.push((a.pred, false)),
            Literal::Aggregate(agg) => collect_reads(&agg.body, false, out),
            Literal::Compare { .. } | Literal::Temporal { .. } => {}
        }
    }
}

/// Whether stratum `s` of `new` is a stratum of `old` with the same predicates and rules.
fn same_rules(old: &Program, new: &Program, s: usize) -> bool {
    let preds = &new.strata[s].preds;
    let Some(&first) = preds.first() else { return true };
    if preds.iter().any(|&p| p as usize >= old.preds.len()) {
        return false;
    }
    let t = old.stratum_of[first as usize];
    let mut a: Vec<PredId> = old.strata[t].preds.clone();
    let mut b: Vec<PredId> = preds.clone();
    a.sort_unstable();
    b.sort_unstable();
    if a != b || old.strata[t].recursive != new.strata[s].recursive {
        return false;
    }
    let text =
        |p: &Program, rules: &[usize]| -> Vec<String> { rules.iter().map(|&r| format!("{:?}", p.rules[r])).collect() };
    text(old, &old.strata[t].rules) == text(new, &new.strata[s].rules)
}

/// Evaluates stratum `s` again from its base facts; its old relations are kept for the undo
/// and compared with the new ones.
#[allow(clippy::too_many_arguments)]
fn reevaluate_stratum(
    new: &Program,
    db: &mut Database,
    s: usize,
    base: &[BaseRows<'_>],
    interner: &mut Interner,
    limits: &Limits,
    runtime: &Runtime,
    guard: &mut Guard,
    undo: &mut Undo,
    status: &mut [Status],
    stats: &mut UpdateStats,
) -> Result<(), Diagnostic> {
    let preds = &new.strata[s].preds;
    let mut olds = Vec::new();
    for &p in preds {
        let fresh = base_relation(new, p, &base[p as usize]);
        let old_rel = std::mem::replace(&mut db.relations[p as usize], Arc::new(fresh));
        // Its derived rows no longer count against the fact limit.
        db.stats.derived = db.stats.derived.saturating_sub(derived_rows(&old_rel));
        undo.replaced.push((p as usize, old_rel.clone()));
        olds.push(old_rel);
    }
    eval_stratum(new, db, s, None, interner, limits, runtime, guard)?;
    // Comparing old and new rows costs a lookup per row: worth it only if a later stratum
    // reads the result (it may then be left as it is, or continued).
    let read_later = new.strata[s + 1..].iter().flat_map(|t| &t.rules).any(|&r| {
        let mut reads = Vec::new();
        collect_reads(&new.rules[r].body, true, &mut reads);
        reads.iter().any(|(p, _)| preds.contains(p))
    });
    for (&p, before) in preds.iter().zip(&olds) {
        stats.rows_reevaluated += derived_rows(&db.relations[p as usize]);
        if !read_later {
            status[p as usize] = Status::Changed;
            continue;
        }
        let (removed, (added, n_added)) = diff(before, &db.relations[p as usize]);
        stats.derived_removed += removed;
        stats.derived_added += n_added;
        status[p as usize] = if removed > 0 {
            Status::Changed
        } else if n_added > 0 {
            Status::Grew(added, n_added)
        } else {
            Status::Same
        };
    }
    Ok(())
}

/// Continues stratum `s` from the facts its grown inputs gained.
#[allow(clippy::too_many_arguments)]
fn continue_stratum(
    new: &Program,
    db: &mut Database,
    s: usize,
    reads: &[(PredId, bool)],
    interner: &mut Interner,
    limits: &Limits,
    runtime: &Runtime,
    guard: &mut Guard,
    undo: &mut Undo,
    status: &mut [Status],
    stats: &mut UpdateStats,
) -> Result<(), Diagnostic> {
    let preds = &new.strata[s].preds;
    let mut grown = Vec::new();
    for &(p, positive) in reads {
        if let (true, Status::Grew(rows, count)) = (positive, &status[p as usize]) {
            if grown.iter().any(|&(q, _)| q == p) {
                continue;
            }
            let mut slot = Relation::new(db.relations[p as usize].width);
            slot.extend(rows, *count, |_| {});
            grown.push((p, db.relations.len() as PredId));
            db.relations.push(Arc::new(slot));
        }
    }
    let before: Vec<u32> = preds.iter().map(|&p| db.relations[p as usize].len() as u32).collect();
    for &p in preds {
        let rel = &db.relations[p as usize];
        undo.appended.push((p as usize, rel.len() as u32, rel.rounds()));
    }
    eval_stratum(new, db, s, Some(&Seed { grown }), interner, limits, runtime, guard)?;
    for (&p, &start) in preds.iter().zip(&before) {
        let rel = &db.relations[p as usize];
        let n = rel.len() as u32 - start;
        stats.derived_added += n as usize;
        if n > 0 {
            let rows = (start..rel.len() as u32).flat_map(|r| rel.row(r).to_vec()).collect();
            status[p as usize] = Status::Grew(rows, n as usize);
        }
    }
    Ok(())
}

/// How `after` differs from `before`: how many rows it lost, and the rows it gained (flat, and
/// how many).
fn diff(before: &Relation, after: &Relation) -> (usize, (Vec<Id>, usize)) {
    let removed = (0..before.len() as u32).filter(|&r| !after.contains(before.row(r))).count();
    let mut added = Vec::new();
    let mut n = 0;
    for r in (0..after.len() as u32).filter(|&r| !before.contains(after.row(r))) {
        added.extend_from_slice(after.row(r));
        n += 1;
    }
    (removed, (added, n))
}

/// `rel` with the indexes `like` has (the plans of the strata left as they are probe them).
fn with_indexes_of(mut rel: Relation, like: &Relation) -> Relation {
    for i in 0..like.index_count() {
        rel.index_for(like.index_cols(i));
    }
    rel
}

/// Rows of a relation derived by rules (after its base rows).
fn derived_rows(rel: &Relation) -> usize {
    rel.len() - rel.rows_below(1) as usize
}

/// One predicate's base rows as a program states them: its stated facts (row, origin code)
/// in source order, then its loaded tables (shared data, first origin code).
#[derive(Default, PartialEq)]
struct BaseRows<'a> {
    stated: Vec<(&'a [Id], u32)>,
    loaded: Vec<(*const Vec<Id>, u32, usize)>,
}

impl BaseRows<'_> {
    /// The same rows in the same order, whatever their origin codes.
    fn same_rows(&self, other: &BaseRows<'_>) -> bool {
        self.stated.len() == other.stated.len()
            && self.stated.iter().zip(&other.stated).all(|(a, b)| a.0 == b.0)
            && self.loaded.len() == other.loaded.len()
            && self.loaded.iter().zip(&other.loaded).all(|(a, b)| a.0 == b.0 && a.2 == b.2)
    }
}

fn base_rows(program: &Program) -> Vec<BaseRows<'_>> {
    let mut out: Vec<BaseRows<'_>> = (0..program.preds.len()).map(|_| BaseRows::default()).collect();
    for fact in &program.facts {
        out[fact.pred as usize].stated.push((&fact.row, fact.origin));
    }
    let mut code = program.origins.len() as u32;
    for table in &program.loads {
        let count = table.lines.len();
        out[table.pred as usize].loaded.push((Arc::as_ptr(&table.data), code, count));
        code += count as u32;
    }
    out
}

/// A predicate's relation holding only its base rows, as `load_base_facts` builds it.
fn base_relation(program: &Program, pred: PredId, base: &BaseRows<'_>) -> Relation {
    let mut rel = Relation::new(program.pred(pred).width());
    let rows: Vec<Id> = base.stated.iter().flat_map(|(row, _)| row.iter().copied()).collect();
    let mut kept = Vec::new();
    rel.extend(&rows, base.stated.len(), |i| kept.push(base.stated[i].1));
    for code in kept {
        rel.push_origin(code);
    }
    for table in program.loads.iter().filter(|t| t.pred == pred) {
        let Some(&(_, code, count)) = base.loaded.iter().find(|l| l.0 == Arc::as_ptr(&table.data)) else { continue };
        let mut kept = Vec::new();
        rel.extend_shared(&table.data, count, |i| kept.push(code + i as u32));
        for c in kept {
            rel.push_origin(c);
        }
    }
    rel.refresh_indexes();
    rel
}

/// `rel` cut back to its first `rows` rows and `rounds` rounds, built again row by row in the
/// same order (base rows with their origins, then each round), so heights are as they were.
fn truncated(rel: &Relation, rows: u32, rounds: usize) -> Relation {
    let mut out = Relation::new(rel.width);
    let base_end = rel.rows_below(1).min(rows);
    let flat: Vec<Id> = (0..base_end).flat_map(|r| rel.row(r).to_vec()).collect();
    out.extend(&flat, base_end as usize, |_| {});
    for r in 0..base_end {
        if let Some(code) = rel.origin_code(r) {
            out.push_origin(code);
        }
    }
    for k in 0..rounds.min(rel.rounds()) {
        out.begin_round();
        let lo = rel.rows_below(k + 1);
        let hi = rel.rows_below(k + 2).min(rows);
        let mut candidates = Candidates::default();
        for r in lo..hi.max(lo) {
            let tuple = rel.row(r);
            match out.runs() {
                Some(narrow) => candidates.push(pack(tuple), narrow),
                None => out.push_hashed(super::hash_ids(tuple.iter().copied()), tuple),
            }
        }
        out.append_candidates(&mut candidates);
    }
    // Rounds that derived nothing still count.
    while out.rounds() < rounds {
        out.begin_round();
    }
    let mut out = with_indexes_of(out, rel);
    out.refresh_indexes();
    out
}
