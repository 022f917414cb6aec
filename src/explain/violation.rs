//! Violations of the knowledge base's constraints, each with the proofs of what violates it.
//!
//! Two kinds of constraint (see `docs/modeling.md`):
//! - a denial, `never "message" :- body.`: every match of the body is a violation, proved by
//!   the proofs of the body's facts (a node like a rule application, with the denial for rule);
//! - a key, `pred troops(...) key(sender, host).`: two facts with the same key and different
//!   other arguments whose times overlap (`Interval::overlaps`, so precision counts) are a
//!   violation, proved by the proofs of both facts and the overlap test. An undated fact of a
//!   dated predicate overlaps nothing (no interval test holds on it); facts of a predicate
//!   without times hold at all times, so any two values conflict.
//!
//! The proofs come from the same search as `why` ([`super::Explainer`]), so they end at the
//! quotes of the facts they rest on.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::{Builder, Explainer};
use crate::ast::{QueryKind, Span};
use crate::diag::Diagnostics;
use crate::program::{DenialIr, PredId};
use crate::syntax::print::Source;
use crate::value::{Id, Value};

use super::proof::{Explanation, FactRef, FactText, How, Premise, Proof, ProofNode, RuleRef};

/// Which kind of constraint a violation breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViolationKind {
    /// `never "message" :- body.`
    Denial,
    /// `pred p(...) key(...)`: one value per key at a time.
    Key,
}

impl ViolationKind {
    /// `denial` or `key`, as JSON writes it.
    pub fn name(self) -> &'static str {
        match self {
            ViolationKind::Denial => "denial",
            ViolationKind::Key => "key",
        }
    }
}

/// One violation of a constraint, with its proof.
#[derive(Debug, Clone)]
pub struct Violation {
    /// The constraint's name: a denial's label (`never` without one), or the predicate of a key.
    pub constraint: String,
    pub kind: ViolationKind,
    /// The denial's message, or what the key's facts disagree on.
    pub message: String,
    /// `file:line` of the denial or of the declaration with the key.
    pub location: String,
    /// The denial or the declaration.
    pub span: Span,
    /// The facts that violate it, as text (both sides of a key; a denial's body facts).
    pub facts: Vec<String>,
    /// One proof whose root is the violation and whose premises are those facts' proofs.
    pub explanation: Explanation,
}

/// Every violation, denials first (in the order they were written), then keys (by predicate);
/// at most `max` of each constraint, and whether some constraint had more.
pub(crate) fn violations(cx: &mut Explainer<'_>, max: usize) -> Result<(Vec<Violation>, bool), Diagnostics> {
    let mut out = Vec::new();
    let mut cut = false;
    let program = cx.program;
    for denial in &program.denials {
        cut |= denial_violations(cx, denial, max, &mut out)?;
    }
    for (pred, info) in program.preds.iter().enumerate() {
        if let Some(key) = info.decl.as_ref().and_then(|d| d.key.clone()) {
            cut |= key_violations(cx, pred as PredId, &key, max, &mut out)?;
        }
    }
    Ok((out, cut))
}

/// The matches of a denial's body, each a violation.
fn denial_violations(
    cx: &mut Explainer<'_>,
    denial: &DenialIr,
    max: usize,
    out: &mut Vec<Violation>,
) -> Result<bool, Diagnostics> {
    let body = &denial.body;
    let mut bound = vec![false; body.var_names.len()];
    let mut matches = cx.run_plan(&body.body, &body.var_names, &mut bound, None, max.saturating_add(1))?;
    let cut = matches.len() > max;
    matches.truncate(max);
    let mut found = Vec::new();
    for m in &matches {
        let rule = RuleRef {
            name: "never".into(),
            label: (&*denial.name != "never").then(|| denial.name.to_string()),
            doc: denial.doc.as_deref().map(str::to_string),
            location: cx.sources.file_line(denial.span),
            cites: Vec::new(),
        };
        let mut proof = Proof::default();
        let mut builder = Builder::default();
        proof.nodes.push(ProofNode { fact: root_fact(&denial.message, &denial.name), how: How::Folded });
        let premises = cx.premises(&body.body, &body.var_names, m, 0, &mut builder, &mut proof)?;
        cx.drain(&mut builder, &mut proof)?;
        let facts = premise_facts(&premises, &proof);
        proof.nodes[0].how = How::Derived { rule, premises };
        proof.roots.push(vec![0]);
        found.push(Violation {
            constraint: denial.name.to_string(),
            kind: ViolationKind::Denial,
            message: denial.message.to_string(),
            location: cx.sources.file_line(denial.span),
            span: denial.span,
            facts,
            explanation: explanation(&denial.name, proof),
        });
    }
    found.sort_by(|a, b| a.facts.cmp(&b.facts));
    found.dedup_by(|a, b| a.facts == b.facts && !a.facts.is_empty());
    out.extend(found);
    Ok(cut)
}

/// Two rows of one key that disagree, and their overlapping times (`None` without times).
type Pair = (u32, u32, Option<(Value, Value)>);

/// Pairs of facts of `pred` with the same key, different values and overlapping times.
fn key_violations(
    cx: &mut Explainer<'_>,
    pred: PredId,
    key: &[usize],
    max: usize,
    out: &mut Vec<Violation>,
) -> Result<bool, Diagnostics> {
    let info = cx.program.pred(pred);
    let Some(decl) = info.decl.clone() else { return Ok(false) };
    let rel = Arc::clone(&cx.db.relations[pred as usize]);
    let (arity, temporal) = (info.arity, info.temporal);
    // 1. Group the rows by key.
    let mut groups: FxHashMap<Vec<Id>, Vec<u32>> = FxHashMap::default();
    for row in rel.live_rows() {
        let values = rel.row(row);
        groups.entry(key.iter().map(|&i| values[i]).collect()).or_default().push(row);
    }
    let mut groups: Vec<Vec<u32>> = groups.into_values().filter(|rows| rows.len() > 1).collect();
    groups.sort_unstable();
    // 2. Within a group, every pair that differs outside the key and overlaps in time.
    let mut pairs: Vec<Pair> = Vec::new();
    let mut cut = false;
    'groups: for rows in &groups {
        for (i, &a) in rows.iter().enumerate() {
            for &b in &rows[i + 1..] {
                let (ra, rb) = (rel.row(a), rel.row(b));
                if (0..arity).all(|c| key.contains(&c) || ra[c] == rb[c]) {
                    continue; // the same value at two times: a succession, or a restatement
                }
                let times = if temporal {
                    let (ta, tb) = (cx.interner.value(ra[arity]), cx.interner.value(rb[arity]));
                    match (&ta, &tb) {
                        (Value::Interval(x), Value::Interval(y)) if x.overlaps(y) => Some((ta, tb)),
                        _ => continue,
                    }
                } else {
                    None
                };
                if pairs.len() == max {
                    cut = true;
                    break 'groups;
                }
                pairs.push((a, b, times));
            }
        }
    }
    // 3. Prove both sides of each pair.
    let mut found = Vec::new();
    for (a, b, times) in pairs {
        let row = rel.row(a);
        let pattern =
            (0..arity).map(|c| if key.contains(&c) { cx.interner.value(row[c]).to_readable() } else { "_".into() });
        let message =
            format!("{} has two values at overlapping times", crate::syntax::print::atom(&info.name, pattern));
        let mut proof = Proof::default();
        let mut builder = Builder::default();
        proof.nodes.push(ProofNode { fact: root_fact(&message, &info.name), how: How::Folded });
        let mut premises = Vec::new();
        for row in [a, b] {
            premises.push(Premise::Fact { node: cx.node_for(FactRef { pred, row }, 1, &mut builder, &mut proof) });
        }
        if let Some((ta, tb)) = times {
            premises.push(Premise::Test { text: format!("{ta} overlaps {tb}") });
        }
        cx.drain(&mut builder, &mut proof)?;
        let facts = premise_facts(&premises, &proof);
        let location = cx.sources.file_line(decl.span);
        let rule = RuleRef {
            name: format!("pred {}", decl.signature(&info.name)),
            label: None,
            doc: None,
            location: location.clone(),
            cites: Vec::new(),
        };
        proof.nodes[0].how = How::Derived { rule, premises };
        proof.roots.push(vec![0]);
        found.push(Violation {
            constraint: info.name.to_string(),
            kind: ViolationKind::Key,
            message,
            location,
            span: decl.span,
            facts,
            explanation: explanation(&info.name, proof),
        });
    }
    found.sort_by(|a, b| a.facts.cmp(&b.facts));
    out.extend(found);
    Ok(cut)
}

/// The root of a violation's proof: the message, named by its constraint.
fn root_fact(message: &str, constraint: &str) -> FactText {
    FactText { text: message.to_string(), pred: constraint.to_string(), args: Vec::new(), interval: None }
}

fn premise_facts(premises: &[Premise], proof: &Proof) -> Vec<String> {
    premises
        .iter()
        .filter_map(|p| match p {
            Premise::Fact { node } => Some(proof.nodes[*node].fact.text.clone()),
            _ => None,
        })
        .collect()
}

fn explanation(name: &Arc<str>, proof: Proof) -> Explanation {
    Explanation { query: format!("check {name}"), kind: QueryKind::Why, proof, why_not: None, matched: 1 }
}
