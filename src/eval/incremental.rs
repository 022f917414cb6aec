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

use super::exec::{arg_value, interval_id};
use super::plan::{self, PlanCx, Range, Step};
use super::relation::{Relation, hash_ids};
use super::runs::{self, Candidates, pack};
use super::{
    Database, Exec, Guard, Limits, RunError, Runtime, Seed, TupleSet, eval_stratum, explanation_indexes,
    prepares_explanations, uses_pred,
};

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
    /// Derived facts taken out by delete and re-derive because a lost fact took part in a
    /// derivation of theirs (those that still hold come back, counted in `derived_added`).
    pub overdeleted: usize,
    /// Strata maintained by delete and re-derive.
    pub strata_rederived: usize,
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
    /// Lost facts, which delete and re-derive has taken out of every stratum that reads it
    /// (see [`overdelete`]), and gained these (flat rows), and how many.
    Dred(Vec<Id>, usize),
    Changed,
}

/// What to undo if the update fails.
#[derive(Default)]
struct Undo {
    /// Relations replaced, with their old value.
    replaced: Vec<(usize, Arc<Relation>)>,
    /// Relations that gained rows: their old row and round counts.
    appended: Vec<(usize, u32, usize)>,
    /// Rows removed from relations, to be live again.
    killed: Vec<(usize, Vec<u32>)>,
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
            if prepares_explanations(new, runtime) {
                explanation_indexes(new, db, interner);
            }
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
                let mut killed: Vec<u32> =
                    undo.killed.iter().filter(|k| k.0 == p).flat_map(|k| k.1.iter().copied()).collect();
                killed.sort_unstable();
                let rel = &db.relations[p];
                if rel.end() != rows || rel.rounds() != rounds || !killed.is_empty() {
                    let alive = |r: u32| rel.is_live(r) || killed.binary_search(&r).is_ok();
                    db.relations[p] = Arc::new(rebuilt(rel, rows, rounds, alive));
                }
            }
            db.relations.truncate(old.preds.len());
            db.stats = saved_stats;
            Err(e)
        }
    }
}

/// Builds the indexes a change's plans probe, so that the first change after an evaluation
/// does not pay for them: each rule planned once per positive atom as its delta, as a
/// continued stratum and over-deletion plan it (the re-derivation plans a rule with its head
/// bound, which `why`'s indexes already serve). Evaluation itself builds only the indexes its
/// own rounds probe: a front end that expects changes (the REPL) calls this after a load. On
/// the 2M-path chain closure it is one index, built in about 24 ms.
pub fn prepare_changes(program: &Program, db: &mut Database, interner: &Interner) {
    let undated = db.undated;
    // A change reads and removes rows by number: derived rows kept only in sorted runs (see
    // `relation`) are stored now rather than by the first change.
    for rel in &mut db.relations {
        if !rel.rows_stored() {
            Arc::make_mut(rel).store_rows();
        }
    }
    for rule in &program.rules {
        let mut cx = PlanCx::new(&mut db.relations, program, undated, &rule.var_names, interner);
        for (i, lit) in rule.body.iter().enumerate() {
            if matches!(lit, Literal::Positive(_)) {
                // A body that cannot be planned so is reported by the change that plans it.
                let _ = plan::plan_body(&mut cx, &rule.body, Some(i), &mut vec![false; rule.n_vars()]);
            }
        }
    }
    // Indexes are filled on first probe; a change should not pay for that (nor should the
    // first `why`, whose indexes evaluation asked for).
    for rel in &mut db.relations {
        if !rel.indexes_built() {
            Arc::make_mut(rel).build_indexes();
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
    // 1. Base facts: which predicates' stated or loaded rows differ. The new relations are
    // installed after delete and re-derive has read the old ones.
    let (old_base, new_base) = (base_rows(old), base_rows(new));
    let has_rules: Vec<bool> = (0..n_preds).map(|p| new.rules.iter().any(|r| r.head.pred as usize == p)).collect();
    let mut base_changed = vec![false; n_preds];
    let mut installs: Vec<(usize, Relation)> = Vec::new();
    let mut lost: Vec<(PredId, Vec<Id>, usize)> = Vec::new();
    let mut lost_gained: Vec<(Vec<Id>, usize)> = Vec::new();
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
            installs.push((p, rel));
            continue;
        }
        base_changed[p] = true;
        if has_rules[p] {
            continue; // its stratum is evaluated again
        }
        let ((removed, n_removed), (added, n_added)) = diff(&db.relations[p], &fresh);
        stats.base_removed += n_removed;
        stats.base_added += n_added;
        status[p] = if n_removed > 0 {
            lost.push((p as PredId, removed, n_removed));
            lost_gained.push((added, n_added));
            Status::Changed
        } else if n_added > 0 {
            Status::Grew(added, n_added)
        } else {
            Status::Same
        };
        installs.push((p, with_indexes_of(fresh, &db.relations[p])));
    }
    let mut guard = Guard::new(limits);
    // 2. Delete and re-derive, phase 1: what the lost facts may have derived, read from the
    // old relations.
    let mut dred = None;
    if let Some(strata) = dred_strata(old, new, &lost, &base_changed) {
        if let Some(slots) = overdelete(new, db, &strata, &lost, interner, &mut guard)? {
            // The facts it gained, if any, are what the strata that read it continue from.
            for ((p, ..), (gained, n)) in lost.iter().zip(lost_gained) {
                status[*p as usize] = Status::Dred(gained, n);
            }
            dred = Some((strata, slots));
        } else {
            // Too much to take out fact by fact: the strata it reaches are evaluated again.
            db.relations.truncate(n_preds);
        }
    }
    for (p, rel) in installs {
        let old_rel = std::mem::replace(&mut db.relations[p], Arc::new(rel));
        undo.replaced.push((p, old_rel));
    }
    // 3. Strata, in evaluation order.
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
        let by_dred = dred.as_ref().is_some_and(|(strata, _)| strata[s]);
        let mut grown = false;
        let mut reevaluate = !same_rules(old, new, s) || stratum.preds.iter().any(|&p| base_changed[p as usize]);
        for &(p, positive) in outside {
            match &status[p as usize] {
                Status::Same => {}
                Status::Grew(..) if positive => grown = true,
                Status::Dred(..) if positive && by_dred => {}
                Status::Grew(..) | Status::Dred(..) | Status::Changed => reevaluate = true,
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
        } else if by_dred || grown {
            let slots = dred.as_ref().map(|(_, slots)| &slots[..]);
            continue_stratum(
                new,
                db,
                s,
                &reads,
                slots,
                interner,
                limits,
                runtime,
                &mut guard,
                undo,
                &mut status,
                &mut stats,
            )?;
        }
    }
    db.relations.truncate(n_preds);
    // Relations mostly dead are built again without their dead rows.
    for p in 0..n_preds {
        let rel = &db.relations[p];
        if rel.dead_count() > 0 && rel.dead_count() * 2 > rel.end() as usize {
            if !undo.appended.iter().any(|a| a.0 == p) {
                undo.appended.push((p, rel.end(), rel.rounds()));
            }
            let mut compact = rebuilt(rel, rel.end(), rel.rounds(), |r| rel.is_live(r));
            for i in 0..rel.index_count() {
                compact.index_for(rel.index_cols(i));
            }
            compact.refresh_indexes();
            undo.replaced.push((p, std::mem::replace(&mut db.relations[p], Arc::new(compact))));
        }
    }
    Ok(stats)
}

/// The strata delete and re-derive maintains when the base facts of `lost` lose facts (see
/// [`overdelete`]): every stratum that reads, directly or through another, a predicate that
/// lost facts. `None` when one of them cannot be maintained so, and the strata the change
/// reaches are evaluated again instead: it reads such a predicate under `not` or in an
/// aggregate (losing a fact there can make one hold), or its rules or base facts changed.
fn dred_strata(
    old: &Program,
    new: &Program,
    lost: &[(PredId, Vec<Id>, usize)],
    base_changed: &[bool],
) -> Option<Vec<bool>> {
    if lost.is_empty() {
        return None;
    }
    let mut affected = vec![false; new.preds.len()];
    for (p, ..) in lost {
        affected[*p as usize] = true;
    }
    let mut strata = vec![false; new.strata.len()];
    for (s, stratum) in new.strata.iter().enumerate() {
        let mut reads = Vec::new();
        for &r in &stratum.rules {
            collect_reads(&new.rules[r].body, true, &mut reads);
        }
        if !reads.iter().any(|&(p, _)| affected[p as usize]) {
            continue;
        }
        if reads.iter().any(|&(p, positive)| affected[p as usize] && !positive)
            || !same_rules(old, new, s)
            || stratum.preds.iter().any(|&p| base_changed[p as usize])
        {
            return None;
        }
        strata[s] = true;
        for &p in &stratum.preds {
            affected[p as usize] = true;
        }
    }
    strata.iter().any(|&s| s).then_some(strata)
}

/// How many facts of a predicate delete and re-derive takes out at most before it gives up
/// for a re-evaluation of the stratum: a sixteenth of the relation (and at least 4,096). Past
/// that, taking them out and deriving them again would cost more than evaluating afresh.
fn overdelete_limit(rel: &Relation) -> usize {
    (rel.len() / 16).max(4096)
}

/// Delete and re-derive, phase 1 (over-deletion): in each stratum of `strata`, in order, the
/// facts that have a derivation using a lost fact, found by semi-naive evaluation from the lost
/// facts with every other atom reading the old relations. The result, per predicate, is the
/// slot (a relation past the program's predicates) holding its facts that may no longer hold;
/// base facts never do (they are stated). `None` when a predicate would lose more than
/// [`overdelete_limit`]: nothing has changed but the slots, which the caller drops.
fn overdelete(
    new: &Program,
    db: &mut Database,
    strata: &[bool],
    lost: &[(PredId, Vec<Id>, usize)],
    interner: &mut Interner,
    guard: &mut Guard,
) -> Result<Option<Vec<Option<PredId>>>, Diagnostic> {
    let mut slots: Vec<Option<PredId>> = vec![None; new.preds.len()];
    for (p, rows, n) in lost {
        let mut slot = Relation::new(db.relations[*p as usize].width);
        slot.extend(rows, *n, |_| {});
        slots[*p as usize] = Some(db.relations.len() as PredId);
        db.relations.push(Arc::new(slot));
    }
    let undated = db.undated;
    for (s, stratum) in new.strata.iter().enumerate() {
        if !strata[s] {
            continue;
        }
        let in_stratum = |p: PredId| new.stratum_of[p as usize] == s;
        for &p in &stratum.preds {
            slots[p as usize] = Some(db.relations.len() as PredId);
            db.relations.push(Arc::new(Relation::new(db.relations[p as usize].width)));
        }
        // Each rule once per positive atom of a predicate that lost facts, that atom reading
        // them: first those of lower strata, then, round after round, the stratum's own.
        let (mut first, mut later) = (Vec::new(), Vec::new());
        for &r in &stratum.rules {
            let rule = &new.rules[r];
            let mut cx = PlanCx::new(&mut db.relations, new, undated, &rule.var_names, interner);
            for (i, lit) in rule.body.iter().enumerate() {
                let Literal::Positive(a) = lit else { continue };
                let Some(slot) = slots[a.pred as usize] else { continue };
                let mut steps = plan::plan_body(&mut cx, &rule.body, Some(i), &mut vec![false; rule.n_vars()])
                    .map_err(|e| {
                        Diagnostic::error("eval::unplaceable", "this literal's variables are never bound").at(e.0)
                    })?;
                read_slot(&mut steps, i, slot);
                if in_stratum(a.pred) { later.push((r, steps)) } else { first.push((r, steps)) }
            }
        }
        let mut delta = vec![(0, 0); db.relations.len()];
        for (p, slot) in slots.iter().enumerate() {
            if let Some(slot) = *slot {
                if !in_stratum(p as PredId) {
                    delta[slot as usize] = (0, db.relations[slot as usize].end());
                }
            }
        }
        for round in 0.. {
            let plans = if round == 0 { &first } else { &later };
            let mut found: Vec<Doomed> =
                stratum.preds.iter().map(|&p| Doomed::new(db.relations[p as usize].width)).collect();
            for (r, steps) in plans {
                let rule = &new.rules[*r];
                let head = rule.head.pred;
                let k = stratum.preds.iter().position(|&q| q == head).unwrap_or(0);
                let (rel, gone) =
                    (&db.relations[head as usize], &db.relations[slots[head as usize].unwrap_or(head) as usize]);
                let limit = overdelete_limit(rel);
                let temporal = new.pred(head).temporal;
                let doomed = &mut found[k];
                let mut tuple = Vec::with_capacity(rel.width);
                let mut emit = |regs: &[Id], _: &[u32], interner: &mut Interner| -> Result<(), RunError> {
                    tuple.clear();
                    tuple.extend(rule.head.args.iter().map(|a| arg_value(a, regs)));
                    if temporal {
                        // The head's time as evaluation makes it (`run_rule`).
                        tuple.push(match rule.head.time {
                            None => undated,
                            Some(t) => interval_id(arg_value(&t, regs), interner)?,
                        });
                    }
                    doomed.push(&tuple, rel, gone);
                    // Past the limit: stop at once (the stratum is evaluated again).
                    if doomed.len() + gone.len() > limit { Err(RunError::Stop) } else { Ok(()) }
                };
                let mut exec = Exec::new(&db.relations, &delta, interner, guard);
                let mut regs = vec![0; rule.n_vars()];
                match exec.run(steps, 0, &mut regs, &mut emit) {
                    Ok(()) => {}
                    Err(RunError::Stop) => return Ok(None),
                    Err(e) => return Err(e.into_diagnostic(rule.span, &rule.body)),
                }
                doomed.filter(rel, gone);
                if doomed.len() + gone.len() > limit {
                    return Ok(None);
                }
            }
            let mut more = false;
            for (k, &p) in stratum.preds.iter().enumerate() {
                let Some(slot) = slots[p as usize] else { continue };
                let (flat, n) = found[k].rows();
                let gone = Arc::make_mut(&mut db.relations[slot as usize]);
                let start = gone.end();
                gone.extend(&flat, n, |_| {});
                delta[slot as usize] = (start, gone.end());
                more |= gone.end() > start;
            }
            guard.check()?;
            if !more || !stratum.recursive {
                break;
            }
        }
    }
    Ok(Some(slots))
}

/// The facts of one predicate that a round of over-deletion finds: derived facts of the
/// relation not yet taken out. A narrow relation's keys are collected and filtered in sorted
/// chunks against its runs (a lookup per key would miss the cache at every step, and a round
/// finds the same fact many times); a wide one's go through its hash set.
struct Doomed {
    width: usize,
    /// Keys not filtered yet, and the filtered ones (sorted, distinct).
    fresh: Vec<u64>,
    kept: Vec<u64>,
    wide: TupleSet,
}

impl Doomed {
    const CHUNK: usize = 1 << 16;

    fn new(width: usize) -> Doomed {
        Doomed { width, fresh: Vec::new(), kept: Vec::new(), wide: TupleSet::new(width) }
    }

    fn len(&self) -> usize {
        self.kept.len() + self.wide.len()
    }

    fn push(&mut self, tuple: &[Id], rel: &Relation, gone: &Relation) {
        if rel.runs().is_some() {
            self.fresh.push(pack(tuple));
            if self.fresh.len() >= Self::CHUNK {
                self.filter(rel, gone);
            }
        } else if rel.find(tuple).is_some_and(|row| row >= rel.rows_below(1)) && !gone.contains(tuple) {
            self.wide.insert(hash_ids(tuple.iter().copied()), tuple);
        }
    }

    /// Keeps the fresh keys that are derived facts of `rel` (base facts are stated: they stay)
    /// and not in `gone` or already kept.
    fn filter(&mut self, rel: &Relation, gone: &Relation) {
        let (Some(narrow), Some(taken)) = (rel.runs(), gone.runs()) else { return };
        let mut keys = std::mem::take(&mut self.fresh);
        keys.sort_unstable();
        keys.dedup();
        let mut outside = keys.clone();
        narrow.derived().retain_absent(&mut outside);
        let mut at = 0;
        keys.retain(|k| {
            // Both sorted: step through the keys that are not derived facts.
            while outside.get(at).is_some_and(|o| o < k) {
                at += 1;
            }
            outside.get(at) != Some(k)
        });
        taken.retain_absent(&mut keys);
        runs::retain_absent(&mut keys, |&k| k, &self.kept);
        if !keys.is_empty() {
            let mut merged = Vec::with_capacity(self.kept.len() + keys.len());
            let (mut i, mut j) = (0, 0);
            while i < self.kept.len() || j < keys.len() {
                if j == keys.len() || (i < self.kept.len() && self.kept[i] < keys[j]) {
                    merged.push(self.kept[i]);
                    i += 1;
                } else {
                    merged.push(keys[j]);
                    j += 1;
                }
            }
            self.kept = merged;
        }
    }

    /// The facts found, flat, and how many.
    fn rows(&self) -> (Vec<Id>, usize) {
        let mut flat = Vec::with_capacity(self.len() * self.width);
        for &k in &self.kept {
            runs::unpack(k, self.width, &mut flat);
        }
        for (t, _) in self.wide.rows() {
            flat.extend_from_slice(t);
        }
        (flat, self.len())
    }
}

/// Points the delta scan of literal `literal` in `steps` at relation `slot`.
fn read_slot(steps: &mut [Step], literal: usize, slot: PredId) {
    for step in steps {
        if let Step::Scan { rel, range: Range::Delta, literal: l, .. } = step {
            if *l == literal {
                *rel = slot;
            }
        }
    }
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
    let (a, b) = (&old.strata[t].rules, &new.strata[s].rules);
    a.len() == b.len() && a.iter().zip(b).all(|(&x, &y)| old.rules[x] == new.rules[y])
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
        let ((_, removed), (added, n_added)) = diff(before, &db.relations[p as usize]);
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

/// Continues stratum `s` from what its inputs gained, after delete and re-derive, if it
/// maintains the stratum (`slots`), has taken out the facts that may no longer hold: those
/// that still have a derivation come back in the first round, with what the new facts derive.
#[allow(clippy::too_many_arguments)]
fn continue_stratum(
    new: &Program,
    db: &mut Database,
    s: usize,
    reads: &[(PredId, bool)],
    slots: Option<&[Option<PredId>]>,
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
        if let (true, Status::Grew(rows, count) | Status::Dred(rows, count)) = (positive, &status[p as usize]) {
            if *count == 0 || grown.iter().any(|&(q, _)| q == p) {
                continue;
            }
            let mut slot = Relation::new(db.relations[p as usize].width);
            slot.extend(rows, *count, |_| {});
            grown.push((p, db.relations.len() as PredId));
            db.relations.push(Arc::new(slot));
        }
    }
    for &p in preds {
        let rel = &db.relations[p as usize];
        undo.appended.push((p as usize, rel.end(), rel.rounds()));
    }
    // Delete: the facts that may no longer hold leave the relations.
    let mut rederive = Vec::new();
    let mut lost = vec![false; preds.len()];
    for (k, &p) in preds.iter().enumerate() {
        let Some(slot) = slots.and_then(|slots| slots[p as usize]) else { continue };
        let gone = &db.relations[slot as usize];
        let (tuples, n): (Vec<Id>, usize) = (gone.live_rows().flat_map(|r| gone.row(r)).copied().collect(), gone.len());
        let rows = Arc::make_mut(&mut db.relations[p as usize]).remove_facts(&tuples, n);
        if rows.is_empty() {
            continue;
        }
        stats.derived_removed += rows.len();
        stats.overdeleted += rows.len();
        db.stats.derived = db.stats.derived.saturating_sub(rows.len());
        undo.killed.push((p as usize, rows));
        rederive.push((p, slot));
        lost[k] = true;
    }
    if grown.is_empty() && rederive.is_empty() {
        return Ok(());
    }
    let before: Vec<u32> = preds.iter().map(|&p| db.relations[p as usize].end()).collect();
    // ... and re-derive, with what the new facts derive.
    eval_stratum(new, db, s, Some(&Seed { grown, rederive }), interner, limits, runtime, guard)?;
    for (k, (&p, &start)) in preds.iter().zip(&before).enumerate() {
        let rel = &db.relations[p as usize];
        let n = rel.end() - start;
        stats.derived_added += n as usize;
        let mut rows: Vec<Id> = Vec::with_capacity(n as usize * rel.width);
        for r in start..rel.end() {
            rows.extend_from_slice(rel.row(r));
        }
        if lost[k] {
            status[p as usize] = Status::Dred(rows, n as usize);
        } else if n > 0 {
            status[p as usize] = Status::Grew(rows, n as usize);
        }
    }
    if slots.is_some() {
        stats.strata_rederived += 1;
    } else {
        stats.strata_continued += 1;
    }
    Ok(())
}

/// How `after` differs from `before`: the rows it lost and the rows it gained (each flat, and
/// how many).
type Rows = (Vec<Id>, usize);
fn diff(before: &Relation, after: &Relation) -> (Rows, Rows) {
    let one_way = |a: &Relation, b: &Relation| {
        let mut rows = Vec::new();
        let mut n = 0;
        for r in a.live_rows().filter(|&r| !b.contains(a.row(r))) {
            rows.extend_from_slice(a.row(r));
            n += 1;
        }
        (rows, n)
    };
    (one_way(before, after), one_way(after, before))
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

/// `rel` cut back to its first `rows` rows and `rounds` rounds, keeping the rows `alive` says,
/// built again row by row in the same order (base rows with their origins, then each round),
/// so heights are as they were. Dead rows are gone from the result.
fn rebuilt(rel: &Relation, rows: u32, rounds: usize, alive: impl Fn(u32) -> bool) -> Relation {
    let mut out = Relation::new(rel.width);
    let base_end = rel.rows_below(1).min(rows);
    let base: Vec<u32> = (0..base_end).filter(|&r| alive(r)).collect();
    let flat: Vec<Id> = base.iter().flat_map(|&r| rel.row(r).to_vec()).collect();
    out.extend(&flat, base.len(), |_| {});
    for &r in &base {
        if let Some(code) = rel.origin_code(r) {
            out.push_origin(code);
        }
    }
    for k in 0..rounds.min(rel.rounds()) {
        out.begin_round();
        let lo = rel.rows_below(k + 1);
        let hi = rel.rows_below(k + 2).min(rows);
        let mut candidates = Candidates::default();
        for r in (lo..hi.max(lo)).filter(|&r| alive(r)) {
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
