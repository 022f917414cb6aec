//! Explanations: `why` proofs and `why not` diagnoses, built from what evaluation recorded.
//!
//! Evaluation keeps every relation's rows in the order of the rounds that derived them
//! ([`crate::eval::relation`]), so the least height of any fact is known without re-running
//! anything. To explain a derived fact of height `h`, each rule for its predicate is matched
//! against the already computed relations with the head bound to the fact and premises of the
//! same stratum restricted to rows of height below `h`: the first match is a least-height proof
//! step. Proofs are built with an explicit work list (never recursion), so a proof of depth
//! 100,000 neither overflows the stack nor re-derives a shared sub-proof: each fact gets one node.
//!
//! ```
//! use because::kb::KnowledgeBase;
//! use because::output::Format;
//!
//! let mut kb = KnowledgeBase::default();
//! kb.load_str("reach.kb", "source notes \"Notes\".\nlink(a, b) cite notes \"a to b\".\nreach(a).\n[step] reach(Y) :- reach(X), link(X, Y).\n", None)?;
//! let e = kb.why("reach(b)")?;
//! assert_eq!(
//!     e.render(Format::Table, false),
//!     "reach(b)  ⟸ [step] reach/1 #1 (reach.kb:4)\n\
//!      ├─ reach(a)  fact (reach.kb:3)\n\
//!      └─ link(a, b)  fact (reach.kb:2)\n\
//!      \x20     notes: “a to b”\n"
//! );
//! # Ok::<(), because::kb::Error>(())
//! ```

mod proof;
mod render;
mod violation;
mod whynot;

use rustc_hash::FxHashMap;

use crate::ast::{Func, QueryKind, Span};
use crate::diag::{Diagnostic, Diagnostics};
use crate::eval::expr::{self, Scalar};
use crate::eval::plan::{self, AggResult, PlanCx, Step};
use crate::eval::{Database, Exec, Guard, RowOrigin, RunError};

use crate::program::{Arg, AtomIr, FactOrigin, Literal, PredId, Program, QueryIr, RuleIr};
use crate::source::SourceMap;
use crate::syntax::print::Source;
use crate::value::{Id, Interner, Interval, Value};

pub use proof::{
    Citation, Explanation, FactRef, FactText, How, NodeId, Premise, Proof, ProofNode, RuleRef, WhyOptions,
};
pub use render::{AnswerJson, ProofJson, render_dot, render_json, render_text};
pub use violation::{Violation, ViolationKind};
pub use whynot::{RuleFailure, WhyNot};

/// Every violation of the program's constraints, with proofs (see
/// [`crate::kb::Snapshot::violations`]); at most `max` per constraint, and whether any had more.
pub(crate) fn find_violations(
    program: &Program,
    db: &mut Database,
    interner: &mut Interner,
    sources: &SourceMap,
    options: &WhyOptions,
    guard: Guard,
    max: usize,
) -> Result<(Vec<Violation>, bool), Diagnostics> {
    let mut cx = Explainer { program, db, interner, sources, options, guard, invert: false };
    violation::violations(&mut cx, max)
}

/// Explains `atom`, the first literal of a `why` or `why not` query, over a database and
/// interner of the query's own (see [`crate::kb::Snapshot::explain`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn explain_atom(
    program: &Program,
    db: &mut Database,
    interner: &mut Interner,
    sources: &SourceMap,
    options: &WhyOptions,
    guard: Guard,
    query: &QueryIr,
    atom: &AtomIr,
) -> Result<Explanation, Diagnostics> {
    let mut cx = Explainer { program, db, interner, sources, options, guard, invert: false };
    match query.kind {
        QueryKind::WhyNot => {
            let why_not = whynot::why_not(&mut cx, atom, &query.var_names)?;
            Ok(Explanation {
                query: query.text.clone(),
                kind: query.kind,
                proof: why_not.proof.clone(),
                matched: 0,
                why_not: Some(why_not),
            })
        }
        _ => {
            let facts = cx.matching_facts(atom, &query.var_names)?;
            let matched = facts.len();
            let keep = options.limit.unwrap_or(usize::MAX).min(matched);
            let mut proof = Proof::default();
            let mut builder = Builder::default();
            for &fact in &facts[..keep] {
                let roots = cx.proofs_of(fact, &mut builder, &mut proof)?;
                proof.roots.push(roots);
            }
            Ok(Explanation { query: query.text.clone(), kind: query.kind, proof, why_not: None, matched })
        }
    }
}

pub(crate) struct Explainer<'a> {
    pub program: &'a Program,
    pub db: &'a mut Database,
    pub interner: &'a mut Interner,
    pub sources: &'a SourceMap,
    pub options: &'a WhyOptions,
    pub guard: Guard,
    /// Plans solve arithmetic backwards (see `PlanCx::invert`).
    pub invert: bool,
}

/// A successful match of a rule body: the plan, the registers and the row of each step.
pub(crate) struct Match {
    pub steps: Vec<Step>,
    pub regs: Vec<Id>,
    pub trace: Vec<u32>,
}

/// Nodes already made for facts, and the work list of facts still to prove.
#[derive(Default)]
struct Builder {
    /// A fact's node at a depth below its answer's root. Under `--depth` a sub-proof's folding
    /// depends on its depth, so nodes are shared only at the same depth (all depths past the
    /// limit fold alike and share one): each answer folds relative to its own root, and a fact
    /// gets at most `depth + 2` nodes.
    node_of: FxHashMap<(FactRef, usize), NodeId>,
    work: Vec<(NodeId, FactRef, usize)>,
}

impl Explainer<'_> {
    /// The facts that match `atom` (variables allowed), in row order.
    fn matching_facts(
        &mut self,
        atom: &AtomIr,
        var_names: &[std::sync::Arc<str>],
    ) -> Result<Vec<FactRef>, Diagnostics> {
        let body = [Literal::Positive(atom.clone())];
        let mut bound = vec![false; var_names.len()];
        let m = self.run_plan(&body, var_names, &mut bound, None, usize::MAX)?;
        let mut rows: Vec<u32> = m.into_iter().map(|m| m.trace[0]).collect();
        rows.sort_unstable();
        rows.dedup();
        // Answers come sorted by value, whatever order evaluation stored them in.
        let rel = self.db.relation(atom.pred);
        rows.sort_by(|&a, &b| self.compare_rows(rel.row(a), rel.row(b)));
        Ok(rows.into_iter().map(|row| FactRef { pred: atom.pred, row }).collect())
    }

    /// Rows compared by their values, column by column.
    fn compare_rows(&self, a: &[Id], b: &[Id]) -> std::cmp::Ordering {
        a.iter()
            .zip(b)
            .map(|(x, y)| self.interner.compare(*x, *y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    }

    /// Plans `body` with `bound` variables (whose values are in `regs`) and returns up to `max`
    /// matches, premises restricted to `visible` rows.
    pub(crate) fn run_plan(
        &mut self,
        body: &[Literal],
        var_names: &[std::sync::Arc<str>],
        bound: &mut [bool],
        start: Option<(&[Id], &[u32])>,
        max: usize,
    ) -> Result<Vec<Match>, Diagnostics> {
        let undated = self.db.undated;
        let mut cx = PlanCx::new(&mut self.db.relations, self.program, undated, var_names, self.interner);
        cx.invert = self.invert;
        let steps = plan::plan_body(&mut cx, body, None, bound).map_err(|e| {
            Diagnostics::from(
                Diagnostic::error("explain::unplaceable", "this literal's variables are never bound").at(e.0),
            )
        })?;
        let mut regs = match start {
            Some((regs, _)) => regs.to_vec(),
            None => vec![0; var_names.len()],
        };
        let delta = vec![(0, 0); self.db.relations.len()];
        let mut found: Vec<Match> = Vec::new();
        let mut exec = Exec::new(&self.db.relations, &delta, self.interner, &mut self.guard);
        exec.visible = start.map(|(_, v)| v);
        exec.tracking = true;
        exec.trace = vec![0; steps.len()];
        let mut emit = |regs: &[Id], trace: &[u32], _: &mut Interner| -> Result<(), RunError> {
            found.push(Match { steps: Vec::new(), regs: regs.to_vec(), trace: trace.to_vec() });
            if found.len() >= max { Err(RunError::Stop) } else { Ok(()) }
        };
        let result = exec.run(&steps, 0, &mut regs, &mut emit);
        match result {
            Ok(()) | Err(RunError::Stop) => {}
            Err(e) => return Err(e.into_diagnostic(body.first().map_or(Span::default(), Literal::span), body).into()),
        }
        for m in &mut found {
            m.steps = steps.clone();
        }
        Ok(found)
    }

    /// The root nodes of up to `options.proofs` proofs of `fact`, shortest first.
    fn proofs_of(
        &mut self,
        fact: FactRef,
        builder: &mut Builder,
        proof: &mut Proof,
    ) -> Result<Vec<NodeId>, Diagnostics> {
        let first = self.node_for(fact, 0, builder, proof);
        self.drain(builder, proof)?;
        let mut roots = vec![first];
        if self.options.proofs > 1 && self.db.relation(fact.pred).height(fact.row) > 0 {
            for alternative in self.alternatives(fact)? {
                if roots.len() >= self.options.proofs {
                    break;
                }
                let node = proof.nodes.len();
                proof.nodes.push(ProofNode { fact: self.fact_text(fact), how: How::Folded });
                let how = self.derived_node(fact, &alternative, 0, builder, proof)?;
                proof.nodes[node].how = how;
                self.drain(builder, proof)?;
                roots.push(node);
            }
        }
        Ok(roots)
    }

    /// The node of `fact`, queued for proving if new.
    fn node_for(&mut self, fact: FactRef, depth: usize, builder: &mut Builder, proof: &mut Proof) -> NodeId {
        // A stated fact never folds, so one node serves every depth.
        let base = self.db.relation(fact.pred).height(fact.row) == 0;
        let key = (fact, if base { 0 } else { self.options.depth.map_or(0, |d| depth.min(d + 1)) });
        if let Some(&n) = builder.node_of.get(&key) {
            return n;
        }
        let n = proof.nodes.len();
        proof.nodes.push(ProofNode { fact: self.fact_text(fact), how: How::Folded });
        builder.node_of.insert(key, n);
        builder.work.push((n, fact, depth));
        n
    }

    /// Proves every queued fact (iteratively: the work list replaces recursion).
    fn drain(&mut self, builder: &mut Builder, proof: &mut Proof) -> Result<(), Diagnostics> {
        while let Some((node, fact, depth)) = builder.work.pop() {
            let base = self.db.relation(fact.pred).height(fact.row) == 0;
            // Only derived facts fold: a leaf is shown (with its citation) at any depth.
            if !base && self.options.depth.is_some_and(|d| depth > d) {
                continue; // stays Folded
            }
            let how = if base {
                self.base_node(fact)
            } else {
                let m = self.least_height_match(fact)?;
                self.derived_node(fact, &m, depth, builder, proof)?
            };
            proof.nodes[node].how = how;
        }
        Ok(())
    }

    fn base_node(&self, fact: FactRef) -> How {
        match self.db.origin(self.program, fact.pred, fact.row) {
            Some(RowOrigin::Stated(FactOrigin::Stated { span, cites, doc })) => How::Base {
                location: self.sources.file_line(*span),
                cites: cites.iter().map(|c| self.citation(c)).collect(),
                doc: doc.as_deref().map(str::to_string),
            },
            Some(RowOrigin::Loaded { load, line }) => How::Base {
                location: format!("{}:{line}", self.program.loads[load].file),
                cites: Vec::new(),
                doc: None,
            },
            _ if self.program.pred(fact.pred).defined.builtin => {
                How::Base { location: String::from("built-in, from the entity graph"), cites: Vec::new(), doc: None }
            }
            _ => How::Base { location: String::from("stated"), cites: Vec::new(), doc: None },
        }
    }

    /// A rule match for `fact` whose same-stratum premises all have smaller height.
    fn least_height_match(&mut self, fact: FactRef) -> Result<(usize, Match), Diagnostics> {
        let height = self.db.relation(fact.pred).height(fact.row);
        let visible = self.visible_below(fact.pred, height);
        for (rule_idx, rule) in self.program.rules_for(fact.pred) {
            if let Some(m) = self.match_rule(rule, fact, &visible, 1)?.pop() {
                return Ok((rule_idx, m));
            }
        }
        Err(Diagnostic::error(
            "explain::no_derivation",
            format!("internal: no rule derives {}", self.fact_text(fact).text),
        )
        .into())
    }

    /// Rows visible to premises of a fact of `height`: in the fact's stratum, rows derived in
    /// earlier rounds; elsewhere, every row.
    fn visible_below(&self, pred: PredId, height: usize) -> Vec<u32> {
        let stratum = self.program.stratum_of[pred as usize];
        self.db
            .relations
            .iter()
            .enumerate()
            .map(
                |(p, rel)| {
                    if self.program.stratum_of[p] == stratum && height > 0 { rel.rows_below(height) } else { u32::MAX }
                },
            )
            .collect()
    }

    /// Matches of `rule`'s body with its head bound to `fact`.
    fn match_rule(
        &mut self,
        rule: &RuleIr,
        fact: FactRef,
        visible: &[u32],
        max: usize,
    ) -> Result<Vec<Match>, Diagnostics> {
        let Some((regs, mut bound)) = self.bind_head(rule, fact) else { return Ok(Vec::new()) };
        // First with arithmetic solved backwards from the bound head (a lookup per step instead
        // of a scan, which matters for long chains like `n(Y) :- n(X), Y = X + 1`); if that finds
        // nothing (an integer and a decimal that compare equal), the plain plan decides.
        if rule.body.iter().any(|l| matches!(l, Literal::Compare { op: crate::ast::CmpOp::Eq, .. })) {
            self.invert = true;
            let mut b = bound.clone();
            let inverted = self.run_plan(&rule.body, &rule.var_names, &mut b, Some((&regs, visible)), max);
            self.invert = false;
            if let Ok(found) = inverted {
                if !found.is_empty() {
                    return Ok(found);
                }
            }
        }
        self.run_plan(&rule.body, &rule.var_names, &mut bound, Some((&regs, visible)), max)
    }

    /// Unifies the rule's head with the fact's row: registers and which variables it binds.
    pub(crate) fn bind_head(&self, rule: &RuleIr, fact: FactRef) -> Option<(Vec<Id>, Vec<bool>)> {
        let rel = self.db.relation(fact.pred);
        let row = rel.row(fact.row);
        let mut regs = vec![0; rule.n_vars()];
        let mut bound = vec![false; rule.n_vars()];
        let temporal = self.program.pred(fact.pred).temporal;
        let mut args: Vec<(Option<Arg>, Id)> =
            rule.head.args.iter().map(|a| Some(*a)).zip(row.iter().copied()).collect();
        if temporal {
            let time = row[row.len() - 1];
            match rule.head.time {
                Some(t) => args.push((Some(t), time)),
                None if time != self.db.undated => return None,
                None => {}
            }
        }
        for (arg, value) in args {
            match arg {
                Some(Arg::Const(c)) if c != value => {
                    // A head interval given as a year matches the one-year interval.
                    let year_matches = matches!(self.interner.value(c), Value::Int(y) if Some(self.interner.value(value)) == Interval::try_year(y).map(Value::Interval));
                    if !year_matches {
                        return None;
                    }
                }
                Some(Arg::Var(v)) => {
                    let v = v as usize;
                    if bound[v] && regs[v] != value {
                        return None;
                    }
                    regs[v] = value;
                    bound[v] = true;
                }
                _ => {}
            }
        }
        Some((regs, bound))
    }

    /// Other derivations of `fact`, shortest first: same-stratum premises up to the fact's own
    /// height (which keeps every proof well-founded), the fact itself excluded.
    fn alternatives(&mut self, fact: FactRef) -> Result<Vec<(usize, Match)>, Diagnostics> {
        let height = self.db.relation(fact.pred).height(fact.row);
        let visible = self.visible_below(fact.pred, height + 1);
        let first = self.least_height_match(fact)?;
        let mut found: Vec<(usize, usize, Match)> = Vec::new();
        for (rule_idx, rule) in self.program.rules_for(fact.pred) {
            for m in self.match_rule(rule, fact, &visible, 64)? {
                let premises = premise_rows(&m);
                if premises.contains(&fact) || (rule_idx == first.0 && m.trace == first.1.trace) {
                    continue;
                }
                let h = premises.iter().map(|p| self.db.relation(p.pred).height(p.row)).max().unwrap_or(0) + 1;
                if !found.iter().any(|(r, _, f)| *r == rule_idx && f.trace == m.trace) {
                    found.push((rule_idx, h, m));
                }
            }
        }
        found.sort_by_key(|(r, h, _)| (*h, *r));
        Ok(found.into_iter().map(|(r, _, m)| (r, m)).collect())
    }

    /// The node content for `fact` derived by the rule match `m`; premises get nodes.
    fn derived_node(
        &mut self,
        fact: FactRef,
        m: &(usize, Match),
        depth: usize,
        builder: &mut Builder,
        proof: &mut Proof,
    ) -> Result<How, Diagnostics> {
        let (rule_idx, m) = m;
        let rule = &self.program.rules[*rule_idx];
        let premises = self.premises(&rule.body, &rule.var_names, m, depth, builder, proof)?;
        let _ = fact;
        Ok(How::Derived { rule: self.rule_ref(*rule_idx), premises })
    }

    /// The premises of a match `m` of `body`, one per literal the match went through; the
    /// facts among them get nodes (queued for proving). Rules and denials share it.
    fn premises(
        &mut self,
        body: &[Literal],
        var_names: &[std::sync::Arc<str>],
        m: &Match,
        depth: usize,
        builder: &mut Builder,
        proof: &mut Proof,
    ) -> Result<Vec<Premise>, Diagnostics> {
        let mut premises = Vec::new();
        for (lit_idx, lit) in body.iter().enumerate() {
            let Some(step_idx) = m.steps.iter().position(|s| step_literal(s) == lit_idx) else { continue };
            let premise = match (lit, &m.steps[step_idx]) {
                (Literal::Positive(atom), _) => {
                    let row = m.trace[step_idx];
                    Premise::Fact { node: self.node_for(FactRef { pred: atom.pred, row }, depth + 1, builder, proof) }
                }
                (Literal::Negative(atom), _) => {
                    Premise::Absent { atom: self.atom_text(atom, &m.regs, var_names, true) }
                }
                (Literal::Compare { .. } | Literal::Temporal { .. }, _) => {
                    Premise::Test { text: self.test_text(lit, &m.regs, var_names) }
                }
                (Literal::Aggregate(agg), Step::Aggregate(step)) => {
                    let value = match &step.result {
                        AggResult::Bind(v) => expr::scalar(m.regs[*v as usize], self.interner),
                        AggResult::Test(e) => expr::eval(e, &m.regs, self.interner).unwrap_or(Scalar::Int(0)),
                    };
                    let (facts, total) = self.aggregated_facts(step, &m.regs, depth, builder, proof)?;
                    let body: Vec<String> = agg
                        .body
                        .iter()
                        .map(|l| self.aggregate_literal_text(l, &m.regs, var_names, &agg.group))
                        .collect();
                    let target = agg
                        .target
                        .as_ref()
                        .map(|t| format!(" {}", self.expr_text(t, &m.regs, var_names, false)))
                        .unwrap_or_default();
                    let result = self.expr_text(&agg.result, &m.regs, var_names, false);
                    let shown = expr::to_value(value, self.interner);
                    Premise::Aggregate {
                        text: format!(
                            "{} = {}{} : {{ {} }} = {}",
                            var_name_or(&agg.result, var_names).unwrap_or(result),
                            agg.func.name(),
                            target,
                            body.join(", "),
                            shown
                        ),
                        value: crate::output::value_json(&shown),
                        facts,
                        total,
                    }
                }
                _ => continue,
            };
            premises.push(premise);
        }
        Ok(premises)
    }

    /// The facts an aggregate ranged over for the group in `regs`: nodes for the first
    /// `aggregate_cutoff` matches, and the number of matches.
    fn aggregated_facts(
        &mut self,
        step: &plan::AggStep,
        regs: &[Id],
        depth: usize,
        builder: &mut Builder,
        proof: &mut Proof,
    ) -> Result<(Vec<NodeId>, usize), Diagnostics> {
        let delta = vec![(0, 0); self.db.relations.len()];
        let mut rows: Vec<Vec<FactRef>> = Vec::new();
        let mut seen: rustc_hash::FxHashSet<Vec<Id>> = rustc_hash::FxHashSet::default();
        let mut total = 0;
        {
            let mut exec = Exec::new(&self.db.relations, &delta, self.interner, &mut self.guard);
            exec.tracking = true;
            exec.trace = vec![0; step.body.len()];
            let mut regs = regs.to_vec();
            let body = &step.body;
            let mut emit = |regs: &[Id], trace: &[u32], _: &mut Interner| -> Result<(), RunError> {
                let key: Vec<Id> = step.local.iter().map(|v| regs[*v as usize]).collect();
                if seen.insert(key) {
                    total += 1;
                    let facts = body
                        .iter()
                        .enumerate()
                        .filter_map(|(i, s)| match s {
                            Step::Scan { rel, .. } | Step::Probe { rel, .. } => {
                                Some(FactRef { pred: *rel, row: trace[i] })
                            }
                            _ => None,
                        })
                        .collect();
                    rows.push(facts);
                }
                Ok(())
            };
            exec.run(&step.body, 0, &mut regs, &mut emit)
                .map_err(|e| Diagnostics::from(e.into_diagnostic(step.span, &[])))?;
        }
        // The matches in value order, so the listing does not depend on storage order.
        let value_rows = |facts: &Vec<FactRef>| -> Vec<Id> {
            facts.iter().flat_map(|f| self.db.relation(f.pred).row(f.row).iter().copied()).collect()
        };
        rows.sort_by(|a, b| self.compare_rows(&value_rows(a), &value_rows(b)));
        let mut nodes = Vec::new();
        for facts in rows.into_iter().take(self.options.aggregate_cutoff) {
            for f in facts {
                let node = self.node_for(f, depth + 1, builder, proof);
                // A fact shared by several matches (the period every change falls in) is listed once.
                if !nodes.contains(&node) {
                    nodes.push(node);
                }
            }
        }
        Ok((nodes, total))
    }

    fn rule_ref(&self, rule_idx: usize) -> RuleRef {
        let rule = &self.program.rules[rule_idx];
        let pred = self.program.pred(rule.head.pred);
        RuleRef {
            name: format!("{}/{} #{}", pred.name, pred.arity, rule.nth_for_pred),
            label: rule.label.as_deref().map(str::to_string),
            doc: rule.doc.as_deref().map(str::to_string),
            location: self.sources.file_line(rule.span),
            cites: rule.cites.iter().map(|c| self.citation(c)).collect(),
        }
    }

    /// A citation as proofs show it, with its source's grade.
    fn citation(&self, c: &crate::program::CitationIr) -> Citation {
        let grade = self.program.sources.iter().find(|s| s.name == c.source).and_then(|s| s.grade);
        Citation { source: c.source.to_string(), quote: c.quote.to_string(), grade: grade.map(|g| g.text()) }
    }

    pub(crate) fn fact_text(&self, fact: FactRef) -> FactText {
        let info = self.program.pred(fact.pred);
        let row = self.db.relation(fact.pred).row(fact.row);
        let args: Vec<Value> = row[..info.arity].iter().map(|&id| self.interner.value(id)).collect();
        let interval = if info.temporal {
            match self.interner.value(row[info.arity]) {
                // Undated facts are shown as they were written, without `@`.
                Value::Undated => None,
                v => Some(v.to_string()),
            }
        } else {
            None
        };
        let mut text = crate::syntax::print::atom(&info.name, args.iter().map(|v| v.to_readable()));
        if let Some(i) = &interval {
            text.push_str(&format!(" @ {i}"));
        }
        FactText {
            text,
            pred: info.name.to_string(),
            args: args.iter().map(crate::output::value_json).collect(),
            interval,
        }
    }

    /// An atom with bound variables replaced by their values (`_` for anonymous ones).
    pub(crate) fn atom_text(
        &self,
        atom: &AtomIr,
        regs: &[Id],
        names: &[std::sync::Arc<str>],
        anonymous_as_underscore: bool,
    ) -> String {
        let info = self.program.pred(atom.pred);
        let arg = |a: &Arg| match a {
            Arg::Const(c) => self.interner.value(*c).to_readable(),
            Arg::Var(v) if &*names[*v as usize] == "_" && anonymous_as_underscore => "_".to_string(),
            Arg::Var(v) => self.var_text(*v, regs, names),
        };
        let mut s = crate::syntax::print::atom(&info.name, atom.args.iter().map(arg));
        if let Some(t) = &atom.time {
            s.push_str(&format!(" @ {}", arg(t)));
        }
        s
    }

    /// A bound variable's value as source text.
    fn var_text(&self, v: u32, regs: &[Id], _names: &[std::sync::Arc<str>]) -> String {
        self.interner.value(regs[v as usize]).to_readable()
    }

    pub(crate) fn literal_text(
        &self,
        lit: &Literal,
        regs: &[Id],
        names: &[std::sync::Arc<str>],
        values: bool,
    ) -> String {
        match lit {
            Literal::Positive(a) => {
                if values {
                    self.atom_text(a, regs, names, true)
                } else {
                    self.atom_pattern(a, names)
                }
            }
            Literal::Negative(a) => format!("not {}", self.atom_text(a, regs, names, true)),
            Literal::Compare { op, lhs, rhs, .. } => {
                op.render(&self.expr_text(lhs, regs, names, values), &self.expr_text(rhs, regs, names, values))
            }
            Literal::Temporal { op, lhs, rhs, .. } => format!(
                "{} {} {}",
                self.expr_text(lhs, regs, names, values),
                op.keyword(),
                self.expr_text(rhs, regs, names, values)
            ),
            Literal::Aggregate(agg) => {
                let target = agg
                    .target
                    .as_ref()
                    .map(|t| format!(" {}", self.expr_text(t, regs, names, false)))
                    .unwrap_or_default();
                format!(
                    "{} = {}{target} : {{ ... }}",
                    self.expr_text(&agg.result, regs, names, values),
                    agg.func.name()
                )
            }
        }
    }

    /// An atom with variables by name.
    fn atom_pattern(&self, atom: &AtomIr, names: &[std::sync::Arc<str>]) -> String {
        let info = self.program.pred(atom.pred);
        let arg = |a: &Arg| match a {
            Arg::Const(c) => self.interner.value(*c).to_readable(),
            Arg::Var(v) => names[*v as usize].to_string(),
        };
        crate::syntax::print::atom(&info.name, atom.args.iter().map(arg))
    }

    /// A literal inside an aggregate: group variables by value, the aggregated ones by name.
    fn aggregate_literal_text(
        &self,
        lit: &Literal,
        regs: &[Id],
        names: &[std::sync::Arc<str>],
        group: &[u32],
    ) -> String {
        let arg = |a: &Arg| match a {
            Arg::Const(c) => self.interner.value(*c).to_readable(),
            Arg::Var(v) if group.contains(v) => self.interner.value(regs[*v as usize]).to_readable(),
            Arg::Var(v) => names[*v as usize].to_string(),
        };
        match lit {
            Literal::Positive(a) | Literal::Negative(a) => {
                let mut s = crate::syntax::print::atom(&self.program.pred(a.pred).name, a.args.iter().map(arg));
                // The fresh variable an aggregate body gives a temporal atom is not shown.
                let anonymous = matches!(a.time, Some(Arg::Var(v)) if &*names[v as usize] == "_");
                if let (Some(t), false) = (&a.time, anonymous) {
                    s.push_str(&format!(" @ {}", arg(t)));
                }
                if matches!(lit, Literal::Negative(_)) { format!("not {s}") } else { s }
            }
            other => self.literal_text(other, regs, names, false),
        }
    }

    fn test_text(&self, lit: &Literal, regs: &[Id], names: &[std::sync::Arc<str>]) -> String {
        if !matches!(lit, Literal::Compare { .. } | Literal::Temporal { .. }) {
            return String::new();
        }
        let (text, values) = (self.literal_text(lit, regs, names, false), self.literal_text(lit, regs, names, true));
        if text == values { text } else { format!("{text}: {values}") }
    }

    /// An expression with variables as names (`values = false`) or as their values.
    pub(crate) fn expr_text(
        &self,
        e: &crate::program::Expr,
        regs: &[Id],
        names: &[std::sync::Arc<str>],
        values: bool,
    ) -> String {
        let text = self.expr_text_nested(e, regs, names, values);
        // Only sub-expressions need their parentheses: `Y = X + 1`, not `Y = (X + 1)`.
        match e {
            crate::program::Expr::Binary(..) => text[1..text.len() - 1].to_string(),
            _ => text,
        }
    }

    fn expr_text_nested(
        &self,
        e: &crate::program::Expr,
        regs: &[Id],
        names: &[std::sync::Arc<str>],
        values: bool,
    ) -> String {
        use crate::program::Expr as E;
        match e {
            E::Var(v) if values => self.var_text(*v, regs, names),
            E::Var(v) => names[*v as usize].to_string(),
            E::Const(c) => self.interner.value(*c).to_readable(),
            E::Dec(d) => Value::Dec(*d).to_source(),
            E::Neg(inner) => format!("-{}", self.expr_text_nested(inner, regs, names, values)),
            E::Binary(op, a, b) => format!(
                "({} {} {})",
                self.expr_text_nested(a, regs, names, values),
                op.symbol(),
                self.expr_text_nested(b, regs, names, values)
            ),
            // A computed time is shown as the time it computes (`2023-03-10..2023-03-16`), which
            // says more than `interval(add_days(2023-03-09, 1), add_days(2023-03-09, 7))`.
            E::Call(f @ (Func::AddDays | Func::AddYears | Func::Interval), _) if values => {
                match crate::eval::expr::eval_read_only(e, regs, self.interner) {
                    Ok(v) => crate::eval::expr::to_value(v, self.interner).to_readable(),
                    Err(_) => self.call_text(*f, e, regs, names, values),
                }
            }
            E::Call(f, _) => self.call_text(*f, e, regs, names, values),
        }
    }

    fn call_text(
        &self,
        f: Func,
        e: &crate::program::Expr,
        regs: &[Id],
        names: &[std::sync::Arc<str>],
        values: bool,
    ) -> String {
        let crate::program::Expr::Call(_, args) = e else { return String::new() };
        crate::syntax::print::atom(f.name(), args.iter().map(|a| self.expr_text(a, regs, names, values)))
    }
}

fn var_name_or(e: &crate::program::Expr, names: &[std::sync::Arc<str>]) -> Option<String> {
    match e {
        crate::program::Expr::Var(v) => Some(names[*v as usize].to_string()),
        _ => None,
    }
}

pub(crate) fn step_literal(s: &Step) -> usize {
    match s {
        Step::Scan { literal, .. }
        | Step::Probe { literal, .. }
        | Step::Absent { literal, .. }
        | Step::Assign { literal, .. }
        | Step::Compare { literal, .. }
        | Step::Temporal { literal, .. } => *literal,
        Step::Aggregate(a) => a.literal,
    }
}

/// The positive premises of a match.
fn premise_rows(m: &Match) -> Vec<FactRef> {
    m.steps
        .iter()
        .enumerate()
        .filter_map(|(i, s)| match s {
            Step::Scan { rel, .. } | Step::Probe { rel, .. } => Some(FactRef { pred: *rel, row: m.trace[i] }),
            _ => None,
        })
        .collect()
}
