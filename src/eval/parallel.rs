//! Running one rule on several threads: a join-only rule's rows to start from (the delta of a
//! recursive round, or the relation its plan scans first) are cut into ranges, each joined on
//! its own thread with its own candidate buffers, and the parts' new facts merged in order, so
//! the result does not depend on the number of threads.

use crate::diag::Diagnostic;
use crate::program::{PredId, RuleIr};
use crate::value::Interner;

use super::plan::{Range, Step};
use super::runs::Candidates;
use super::{Database, Guard, NewFacts, run_rule};

/// Delta rows per part below which a rule is not split across threads: starting a thread
/// costs about as much as joining a few thousand rows.
const SPLIT_MIN_ROWS: u32 = 4096;

/// Rows per part below which a whole-relation scan is not split: each part holds candidate
/// buffers of about a MiB, which must stay small next to the relation (a rule without a delta
/// runs once, so its split saves time once but its buffers add to the peak).
const SPLIT_MIN_SCAN_ROWS: u32 = 1 << 18;

/// How a rule's run is cut across threads.
#[derive(Debug, Clone, Copy)]
pub(super) struct Split {
    /// The relation whose rows are cut into ranges.
    rel: PredId,
    rows: (u32, u32),
    parts: usize,
    /// The rows are a whole relation scanned by the plan's first step (a rule without a
    /// delta), rather than a delta.
    whole: bool,
}

/// Whether a rule's run can be split by cutting the rows it starts from: a plan of joins only
/// (no arithmetic, aggregate or test reads or creates values, so the threads need no
/// interner), a head without time, and enough rows to pay for the threads. The rows are the
/// delta in a recursive round, or else the relation the plan scans first.
pub(super) fn splittable(
    steps: &[Step],
    db: &Database,
    head: PredId,
    delta: &[(u32, u32)],
    temporal_head: bool,
    threads: usize,
) -> Option<Split> {
    // Only a narrow head collects candidates that parts can filter on their own.
    if threads < 2 || temporal_head || steps.len() > 64 || db.relations[head as usize].runs().is_none() {
        return None;
    }
    let mut from_delta = None;
    for step in steps {
        match step {
            Step::Scan { rel, range: Range::Delta, .. } => from_delta = Some(*rel),
            Step::Scan { .. } | Step::Probe { .. } | Step::Absent { .. } => {}
            _ => return None,
        }
    }
    let (rel, rows, whole) = match (from_delta, steps.first()) {
        (Some(rel), _) => (rel, delta[rel as usize], false),
        (None, Some(Step::Scan { rel, range: Range::Full, .. })) => {
            (*rel, (0, db.relations[*rel as usize].end()), true)
        }
        _ => return None,
    };
    let per_part = if whole { SPLIT_MIN_SCAN_ROWS } else { SPLIT_MIN_ROWS };
    let parts = ((rows.1 - rows.0) / per_part).min(threads as u32) as usize;
    (parts >= 2).then_some(Split { rel, rows, parts, whole })
}

/// Runs a rule with the rows it starts from (see [`Split`]) cut into ranges, one per thread.
/// Each thread collects its own candidates, filtered against the relation as usual; they are
/// combined here, and since a round's new facts are appended in key order, the result does
/// not depend on the split.
#[allow(clippy::too_many_arguments)]
pub(super) fn run_rule_split(
    rule: &RuleIr,
    steps: &[Step],
    db: &Database,
    delta: &[(u32, u32)],
    split: Split,
    guard: &Guard,
    candidates: &mut Candidates,
) -> Result<(), Diagnostic> {
    let Split { rel, rows: (lo, hi), parts, whole } = split;
    // A whole-relation scan becomes a scan of each part's range, given as its delta (the plan
    // of a rule without a delta reads no other).
    let ranged: Vec<Step>;
    let steps = match (whole, steps.split_first()) {
        (true, Some((Step::Scan { rel, cols, literal, .. }, rest))) => {
            ranged =
                std::iter::once(Step::Scan { rel: *rel, range: Range::Delta, cols: cols.clone(), literal: *literal })
                    .chain(rest.iter().cloned())
                    .collect();
            &ranged[..]
        }
        _ => steps,
    };
    let step = (hi - lo).div_ceil(parts as u32);
    let run_part = |part: u32| -> Result<Candidates, Diagnostic> {
        let mut own = delta.to_vec();
        own[rel as usize] = (lo + part * step, (lo + (part + 1) * step).min(hi));
        let mut new = NewFacts::new(db.relations[rule.head.pred as usize].width);
        new.set_limit(candidates.limit);
        // A plan of joins reads no values, so an empty interner stands in for the real one.
        let mut no_values = Interner::default();
        run_rule(rule, steps, db, &own, &mut no_values, &mut guard.fork(), &mut new, false)?;
        Ok(new.candidates)
    };
    let results: Vec<Result<Candidates, Diagnostic>> = std::thread::scope(|scope| {
        let spawned: Vec<_> = (1..parts as u32)
            .map(|part| {
                std::thread::Builder::new()
                    .name("because-eval-part".into())
                    .stack_size(8 << 20)
                    .spawn_scoped(scope, move || run_part(part))
            })
            .collect();
        let mut results = vec![run_part(0)];
        for handle in spawned {
            results.push(match handle {
                Ok(handle) => handle.join().unwrap_or_else(|_| {
                    Err(Diagnostic::error("eval::thread", "an evaluation thread stopped unexpectedly"))
                }),
                // No thread to be had: do the part here.
                Err(_) => run_part(results.len() as u32),
            });
        }
        results
    });
    let full = db.relations[rule.head.pred as usize].runs();
    for found in results {
        if let Some(full) = full {
            candidates.absorb(found?, full);
        }
    }
    Ok(())
}
