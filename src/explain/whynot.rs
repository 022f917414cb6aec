//! `why not`: for an atom that does not hold, which premise of each candidate rule fails, under
//! the bindings that got furthest; recursing (to a bounded depth) into failing derived premises
//! and showing the proof of whatever blocks a failing negation.

use std::sync::Arc;

use rustc_hash::FxHashSet;
use serde::Serialize;

use super::{Builder, Explainer, FactRef, NodeId, Proof};
use crate::diag::Diagnostics;
use crate::eval::plan::{self, AggResult, ColOp, PlanCx, Step};
use crate::eval::{Exec, RunError};

use crate::program::{Arg, AtomIr, Expr, Literal, RuleIr};
use crate::syntax::print::Source;
use crate::value::{Id, Interner};

/// Why an atom does not hold ([`super::Explanation::why_not`] of a `why not` query).
///
/// ```
/// # use because::kb::KnowledgeBase;
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("r.kb", "link(a, b).\nreach(a).\n[step] reach(Y) :- reach(X), link(X, Y).\n", None)?;
/// let e = kb.why_not("reach(c)")?;
/// let w = e.why_not.as_ref().unwrap();
/// assert_eq!((w.atom.as_str(), w.pred.as_str(), w.holds), ("reach(c)", "reach/1", false));
/// assert!(w.no_rules.is_none());
/// assert_eq!(w.rules.len(), 1);
/// # Ok::<(), because::kb::Error>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct WhyNot {
    /// The atom asked about, with its values.
    pub atom: String,
    /// Its predicate as `name/arity`.
    pub pred: String,
    /// The atom does hold after all (then there is nothing to explain).
    pub holds: bool,
    /// For a predicate no rule defines: the reason, and the closest stated facts.
    pub no_rules: Option<String>,
    /// For a predicate no rule defines: the stated facts closest to the atom.
    pub closest: Vec<String>,
    /// One entry per rule whose head matches.
    pub rules: Vec<RuleFailure>,
    /// The same atom was diagnosed earlier in this `why not` (to the same depth): its rules
    /// are shown there and left empty here. A premise that fails under many rules is
    /// diagnosed once, as `why` shares a sub-proof.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub shown_above: bool,
    /// Nodes of the proofs of facts that block negations (referred to by `blocked_by`).
    #[serde(skip)]
    pub proof: Proof,
}

/// What identifies a diagnosis: the predicate, the value of each argument and of the time
/// (`None`: unbound) and the depth still allowed below it.
type Diagnosed = (crate::program::PredId, Vec<Option<Id>>, usize);

/// For one rule that could derive the atom: the first premise that fails.
///
/// ```
/// # use because::kb::KnowledgeBase;
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("r.kb", "p(a).\nblocked(a).\nok(X) :- p(X), not blocked(X).\n", None)?;
/// let e = kb.why_not("ok(a)")?;
/// let failure = &e.why_not.as_ref().unwrap().rules[0];
/// assert_eq!(failure.rule, "ok/1 #1");
/// assert_eq!(failure.location, "r.kb:3");
/// let blocker = failure.blocked_by.expect("a negation fails");
/// assert_eq!(e.proof.nodes[blocker].fact.text, "blocked(a)");
/// # Ok::<(), because::kb::Error>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct RuleFailure {
    /// `reach/1 #2`.
    pub rule: String,
    /// The rule's label, if it has one.
    pub label: Option<String>,
    /// `file:line` of the rule.
    pub location: String,
    /// The rule's body, instantiated as far as the furthest match got.
    pub body: String,
    /// The first premise that fails, and why.
    pub reason: String,
    /// For a failing negation: the proof of the fact that blocks it.
    pub blocked_by: Option<NodeId>,
    /// For a failing derived premise: why that does not hold.
    pub sub: Option<Box<WhyNot>>,
}

pub(crate) fn why_not(cx: &mut Explainer<'_>, atom: &AtomIr, var_names: &[Arc<str>]) -> Result<WhyNot, Diagnostics> {
    let regs = vec![0; var_names.len()];
    let bound = vec![false; var_names.len()];
    let mut proof = Proof::default();
    let mut builder = Builder::default();
    let mut seen = FxHashSet::default();
    let depth = cx.options.why_not_depth;
    let w = why_not_at(cx, atom, &regs, &bound, var_names, depth, &mut proof, &mut builder, &mut seen)?;
    Ok(WhyNot { proof, ..w })
}

#[allow(clippy::too_many_arguments)]
fn why_not_at(
    cx: &mut Explainer<'_>,
    atom: &AtomIr,
    regs: &[Id],
    bound: &[bool],
    names: &[Arc<str>],
    depth: usize,
    proof: &mut Proof,
    builder: &mut Builder,
    seen: &mut FxHashSet<Diagnosed>,
) -> Result<WhyNot, Diagnostics> {
    let info = cx.program.pred(atom.pred);
    let text = pattern_text(cx, atom, regs, bound, names);
    let mut w = WhyNot {
        atom: text.clone(),
        pred: format!("{}/{}", info.name, info.arity),
        holds: false,
        no_rules: None,
        closest: Vec::new(),
        rules: Vec::new(),
        shown_above: false,
        proof: Proof::default(),
    };
    // 0. Diagnosed already (a premise that fails under many rules): say so instead of
    // diagnosing it again, which a fan-out would repeat as often as it fans out.
    let value = |a: &Arg| match a {
        Arg::Const(c) => Some(*c),
        Arg::Var(v) if bound[*v as usize] => Some(regs[*v as usize]),
        Arg::Var(_) => None,
    };
    let key = (atom.pred, atom.args.iter().chain(atom.time.as_ref()).map(value).collect(), depth);
    if !seen.insert(key) {
        w.shown_above = true;
        return Ok(w);
    }
    // 1. Does it hold after all?
    let mut b = bound.to_vec();
    if !cx.run_plan(&[Literal::Positive(atom.clone())], names, &mut b, Some((regs, &no_limit(cx))), 1)?.is_empty() {
        w.holds = true;
        return Ok(w);
    }
    let rules: Vec<(usize, &RuleIr)> = cx.program.rules_for(atom.pred).collect();
    // 2. A predicate without rules: only facts could make it hold.
    if rules.is_empty() {
        let n = cx.db.relation(atom.pred).len();
        if let Some(undated) = undated_fact(cx, atom, regs, bound) {
            w.no_rules = Some(format!(
                "the source gives no date for `{undated}`: it is stated without `@`, so it holds at no \
                 known time"
            ));
            return Ok(w);
        }
        w.no_rules = Some(if n == 0 {
            format!("no rule derives `{}` and it has no facts at all", w.pred)
        } else {
            format!(
                "no rule derives `{}`, and no such fact is stated (it has {n} fact{})",
                w.pred,
                if n == 1 { "" } else { "s" }
            )
        });
        w.closest = closest_facts(cx, atom, regs, bound);
        return Ok(w);
    }
    // 3. Each rule whose head matches: the premise where the furthest match stopped.
    for (rule_idx, rule) in rules {
        let rref = cx.rule_ref(rule_idx);
        let mut failure = RuleFailure {
            rule: rref.name,
            label: rref.label,
            location: rref.location,
            body: String::new(),
            reason: String::new(),
            blocked_by: None,
            sub: None,
        };
        let Some((rregs, rbound)) = unify_head(cx, rule, atom, regs, bound) else {
            failure.body = body_text(cx, rule, &vec![0; rule.n_vars()], &vec![false; rule.n_vars()]);
            failure.reason = format!("its head `{}` does not match `{text}`", head_text(cx, rule));
            w.rules.push(failure);
            continue;
        };
        let (steps, furthest) = furthest_match(cx, rule, &rregs, &rbound)?;
        let Some((at, fregs, varying)) = furthest else { continue };
        let Some(step) = steps.get(at) else { continue };
        // Variables bound before the failing step.
        let mut fbound = rbound.clone();
        for s in &steps[..at] {
            mark_bound(s, &mut fbound);
        }
        // A variable that took several values among the matches that got this far is shown as
        // `_`: the failure holds for all of them.
        for (b, v) in fbound.iter_mut().zip(&varying) {
            *b &= !v;
        }
        failure.body = body_text(cx, rule, &fregs, &fbound);
        let literal = &rule.body[super::step_literal(step)];
        match literal {
            Literal::Positive(a) => {
                let pattern = pattern_text(cx, a, &fregs, &fbound, &[]);
                let derived = cx.program.rules_for(a.pred).next().is_some();
                failure.reason =
                    if derived { format!("nothing derives `{pattern}`") } else { format!("no `{pattern}` exists") };
                if derived && depth > 0 {
                    let sub = why_not_at(cx, a, &fregs, &fbound, &rule.var_names, depth - 1, proof, builder, seen)?;
                    failure.sub = Some(Box::new(sub));
                }
            }
            Literal::Negative(a) => {
                let pattern = pattern_text(cx, a, &fregs, &fbound, &rule.var_names);
                failure.reason = format!("`not {pattern}` fails: `{pattern}` holds");
                let mut b = fbound.clone();
                let blocking = cx.run_plan(
                    &[Literal::Positive(a.clone())],
                    &rule.var_names,
                    &mut b,
                    Some((&fregs, &no_limit(cx))),
                    1,
                )?;
                if let Some(m) = blocking.first() {
                    let fact = FactRef { pred: a.pred, row: m.trace[0] };
                    let node = cx.node_for(fact, 0, builder, proof);
                    cx.drain(builder, proof)?;
                    failure.blocked_by = Some(node);
                }
            }
            Literal::Compare { .. } | Literal::Temporal { .. } => {
                let names = &rule.var_names;
                let shown = cx.test_text(literal, &fregs, names);
                failure.reason = match undated_premise(cx, rule, literal, &fregs, &fbound) {
                    Some(premise) => format!("`{shown}` is false: the source gives no date for `{premise}`"),
                    None => format!("`{shown}` is false"),
                };
            }
            Literal::Aggregate(agg) => {
                failure.reason = match &agg.result {
                    Expr::Var(v) if !fbound[*v as usize] => format!(
                        "`{} = {} : {{...}}` has no value: nothing to aggregate",
                        rule.var_names[*v as usize],
                        agg.func.name()
                    ),
                    other => {
                        let wanted = cx.expr_text(other, &fregs, &rule.var_names, true);
                        match aggregate_value(cx, step, &fregs) {
                            Some(actual) => format!("the {} is {actual}, not `{wanted}`", agg.func.name()),
                            None => format!("the {} has no value, so it is not `{wanted}`", agg.func.name()),
                        }
                    }
                };
            }
        }
        w.rules.push(failure);
    }
    Ok(w)
}

/// For a test that failed on an `undated` time: the premise whose time it is, without `@`.
fn undated_premise(cx: &Explainer<'_>, rule: &RuleIr, test: &Literal, regs: &[Id], bound: &[bool]) -> Option<String> {
    let mut vars = Vec::new();
    crate::check::ir_literal_vars(test, &mut vars);
    let var = vars.into_iter().find(|&v| bound[v as usize] && regs[v as usize] == cx.db.undated)?;
    let atom = rule.body.iter().find_map(|l| match l {
        Literal::Positive(a) if a.time == Some(Arg::Var(var)) => Some(a),
        _ => None,
    })?;
    let undated = AtomIr { time: None, ..atom.clone() };
    Some(pattern_text(cx, &undated, regs, bound, &[]))
}

/// For an atom asked at a time: a stated fact with the same arguments but no date.
fn undated_fact(cx: &Explainer<'_>, atom: &AtomIr, regs: &[Id], bound: &[bool]) -> Option<String> {
    let value = |a: &Arg| match a {
        Arg::Const(c) => Some(*c),
        Arg::Var(v) if bound[*v as usize] => Some(regs[*v as usize]),
        Arg::Var(_) => None,
    };
    // Only when a time is asked for: `why not p(a)` without `@` holds for an undated `p(a)`.
    atom.time.as_ref().and_then(value)?;
    if !cx.program.pred(atom.pred).temporal {
        return None;
    }
    let rel = cx.db.relation(atom.pred);
    let arity = atom.args.len();
    let row = rel.live_rows().find(|&r| {
        let row = rel.row(r);
        row[arity] == cx.db.undated && atom.args.iter().zip(row).all(|(a, &id)| value(a).is_none_or(|want| want == id))
    })?;
    Some(cx.fact_text(FactRef { pred: atom.pred, row }).text)
}

fn no_limit(cx: &Explainer<'_>) -> Vec<u32> {
    vec![u32::MAX; cx.db.relations.len()]
}

/// Unifies a rule head with an atom pattern (constants and bound variables of the caller).
fn unify_head(
    cx: &Explainer<'_>,
    rule: &RuleIr,
    atom: &AtomIr,
    regs: &[Id],
    bound: &[bool],
) -> Option<(Vec<Id>, Vec<bool>)> {
    let mut rregs = vec![0; rule.n_vars()];
    let mut rbound = vec![false; rule.n_vars()];
    let value = |a: &Arg| match a {
        Arg::Const(c) => Some(*c),
        Arg::Var(v) if bound[*v as usize] => Some(regs[*v as usize]),
        Arg::Var(_) => None,
    };
    let mut pairs: Vec<(Arg, Option<Id>)> = rule.head.args.iter().copied().zip(atom.args.iter().map(value)).collect();
    if let (Some(h), Some(t)) = (rule.head.time, atom.time) {
        pairs.push((h, value(&t)));
    }
    for (head_arg, want) in pairs {
        let Some(want) = want else { continue };
        match head_arg {
            Arg::Const(c) if c != want => return None,
            Arg::Const(_) => {}
            Arg::Var(v) => {
                let v = v as usize;
                if rbound[v] && rregs[v] != want {
                    return None;
                }
                rregs[v] = want;
                rbound[v] = true;
            }
        }
    }
    let _ = cx;
    Some((rregs, rbound))
}

/// Runs the rule's plan from the head bindings and reports the furthest step reached.
#[allow(clippy::type_complexity)]
fn furthest_match(
    cx: &mut Explainer<'_>,
    rule: &RuleIr,
    regs: &[Id],
    bound: &[bool],
) -> Result<(Vec<Step>, Option<(usize, Vec<Id>, Vec<bool>)>), Diagnostics> {
    let undated = cx.db.undated;
    let mut pcx = PlanCx::new(&mut cx.db.relations, cx.program, undated, &rule.var_names, cx.interner);
    pcx.source_order = true;
    let mut b = bound.to_vec();
    let steps = plan::plan_body(&mut pcx, &rule.body, None, &mut b).map_err(|e| {
        Diagnostics::from(
            crate::diag::Diagnostic::error("explain::unplaceable", "this literal's variables are never bound").at(e.0),
        )
    })?;
    let delta = vec![(0, 0); cx.db.relations.len()];
    let mut exec = Exec::new(&cx.db.relations, &delta, cx.interner, &mut cx.guard);
    exec.tracking = true;
    exec.trace = vec![0; steps.len()];
    let mut r = regs.to_vec();
    let mut emit = |_: &[Id], _: &[u32], _: &mut Interner| -> Result<(), RunError> { Err(RunError::Stop) };
    match exec.run(&steps, 0, &mut r, &mut emit) {
        Ok(()) | Err(RunError::Stop) => {}
        Err(e) => return Err(e.into_diagnostic(rule.span, &rule.body).into()),
    }
    let furthest = exec.furthest.take().or_else(|| Some((0, regs.to_vec(), vec![false; regs.len()])));
    Ok((steps, furthest))
}

/// The value an aggregate step takes under `regs`, as text (`None`: no value, or an error).
fn aggregate_value(cx: &mut Explainer<'_>, step: &Step, regs: &[Id]) -> Option<String> {
    let Step::Aggregate(agg) = step else { return None };
    let delta = vec![(0, 0); cx.db.relations.len()];
    let mut exec = Exec::new(&cx.db.relations, &delta, cx.interner, &mut cx.guard);
    let mut regs = regs.to_vec();
    let value = exec.aggregate(agg, &mut regs).ok()??;
    Some(crate::eval::expr::to_value(value, cx.interner).to_readable())
}

/// Marks the variables a step binds.
fn mark_bound(step: &Step, bound: &mut [bool]) {
    match step {
        Step::Scan { cols, .. } | Step::Probe { cols, .. } => {
            for c in cols {
                if let ColOp::Bind(v) = c {
                    bound[*v as usize] = true;
                }
            }
        }
        Step::Assign { var, .. } => bound[*var as usize] = true,
        Step::Aggregate(a) => {
            if let AggResult::Bind(v) = a.result {
                bound[v as usize] = true;
            }
        }
        Step::Absent { .. } | Step::Compare { .. } | Step::Temporal { .. } => {}
    }
}

/// An atom with bound variables as values and the others as `_`.
fn pattern_text(cx: &Explainer<'_>, atom: &AtomIr, regs: &[Id], bound: &[bool], names: &[Arc<str>]) -> String {
    let info = cx.program.pred(atom.pred);
    let arg = |a: &Arg| match a {
        Arg::Const(c) => cx.interner.value(*c).to_readable(),
        Arg::Var(v) if bound[*v as usize] => cx.interner.value(regs[*v as usize]).to_readable(),
        // Without names (or for `_X`), an unbound variable shows as `_`.
        Arg::Var(v) => match names.get(*v as usize) {
            Some(n) if !n.starts_with('_') => n.to_string(),
            _ => "_".to_string(),
        },
    };
    let mut s = crate::syntax::print::atom(&info.name, atom.args.iter().map(arg));
    if let Some(t) = &atom.time {
        s.push_str(&format!(" @ {}", arg(t)));
    }
    s
}

fn head_text(cx: &Explainer<'_>, rule: &RuleIr) -> String {
    pattern_text(cx, &rule.head, &vec![0; rule.n_vars()], &vec![false; rule.n_vars()], &rule.var_names)
}

fn body_text(cx: &Explainer<'_>, rule: &RuleIr, regs: &[Id], bound: &[bool]) -> String {
    let parts: Vec<String> = rule
        .body
        .iter()
        .map(|lit| match lit {
            Literal::Positive(a) => pattern_text(cx, a, regs, bound, &rule.var_names),
            Literal::Negative(a) => format!("not {}", pattern_text(cx, a, regs, bound, &rule.var_names)),
            other => {
                let mut vs = Vec::new();
                crate::check::ir_literal_vars(other, &mut vs);
                let all_bound = vs.iter().all(|v| bound[*v as usize]);
                cx.literal_text(other, regs, &rule.var_names, all_bound)
            }
        })
        .collect();
    parts.join(", ")
}

/// Up to three facts of the atom's predicate sharing the most arguments with it.
fn closest_facts(cx: &Explainer<'_>, atom: &AtomIr, regs: &[Id], bound: &[bool]) -> Vec<String> {
    let want: Vec<Option<Id>> = atom
        .args
        .iter()
        .map(|a| match a {
            Arg::Const(c) => Some(*c),
            Arg::Var(v) if bound[*v as usize] => Some(regs[*v as usize]),
            Arg::Var(_) => None,
        })
        .collect();
    let rel = cx.db.relation(atom.pred);
    let mut scored: Vec<(usize, u32)> = rel
        .live_rows()
        .map(|row| {
            let r = rel.row(row);
            (want.iter().zip(r).filter(|(w, v)| w.is_some_and(|w| w == **v)).count(), row)
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().take(3).map(|(_, row)| cx.fact_text(FactRef { pred: atom.pred, row }).text).collect()
}
