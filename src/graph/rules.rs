//! The predicate dependency graph with its strata, as a view for export.
//!
//! The same dependencies the checker stratifies by (collected by `check::body_dependencies`), but
//! drawn the way
//! facts flow: an edge from each body predicate to the head it helps derive, one edge per
//! (body, head, kind) with the rules that make it.

use std::sync::Arc;

use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use rustc_hash::FxHashMap;

use crate::program::{PredId, Program};
use crate::source::Span;

/// A predicate and its stratum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleNode {
    pub name: Arc<str>,
    pub arity: usize,
    pub stratum: usize,
    /// Whether its stratum is recursive.
    pub recursive: bool,
    pub by_facts: bool,
    pub by_rules: bool,
    pub by_load: bool,
}

impl RuleNode {
    /// `name/arity`: unique among predicates, so it is the node's identifier in exports.
    pub fn key(&self) -> String {
        format!("{}/{}", self.name, self.arity)
    }
}

/// How a head depends on a body predicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DependencyKind {
    Positive,
    Negative,
    Aggregate,
}

impl DependencyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DependencyKind::Positive => "positive",
            DependencyKind::Negative => "negative",
            DependencyKind::Aggregate => "aggregate",
        }
    }
}

/// One rule that makes a dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRef {
    /// Index into `Program::rules`.
    pub rule: usize,
    pub label: Option<Arc<str>>,
    pub span: Span,
}

/// Body predicate -> head, with the rules that use the body predicate that way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleEdge {
    pub kind: DependencyKind,
    pub rules: Vec<RuleRef>,
}

/// The predicate dependency graph (built-ins appear only when a rule uses them).
#[derive(Debug, Clone, Default)]
pub struct RuleGraph {
    pub graph: DiGraph<RuleNode, RuleEdge>,
    pub n_strata: usize,
}

/// The dependency graph of `program`'s predicates with their strata.
pub fn rule_graph(program: &Program) -> RuleGraph {
    let mut graph = DiGraph::with_capacity(program.preds.len(), program.rules.len() * 2);
    let mut node_of: FxHashMap<PredId, NodeIndex> = FxHashMap::default();
    for (pred, info) in program.preds.iter().enumerate() {
        let used = || program.rules.iter().any(|r| crate::eval::uses_pred(&r.body, pred as PredId));
        if info.defined.builtin && !used() {
            continue;
        }
        let stratum = program.stratum_of.get(pred).copied().unwrap_or(0);
        let node = graph.add_node(RuleNode {
            name: info.name.clone(),
            arity: info.arity,
            stratum,
            recursive: program.strata.get(stratum).is_some_and(|s| s.recursive),
            by_facts: info.defined.by_facts,
            by_rules: info.defined.by_rules,
            by_load: info.defined.by_load,
        });
        node_of.insert(pred as PredId, node);
    }
    // One edge per (body, head, kind), in order of first use, listing the rules that use it.
    let mut index: FxHashMap<(PredId, PredId, DependencyKind), EdgeIndex> = FxHashMap::default();
    for (rule_idx, rule) in program.rules.iter().enumerate() {
        let head = rule.head.pred;
        let mut deps = Vec::new();
        crate::check::body_dependencies(&rule.body, crate::check::Dependency::Positive, &mut deps);
        for (body, kind) in deps {
            let kind = match kind {
                crate::check::Dependency::Positive => DependencyKind::Positive,
                crate::check::Dependency::Negative => DependencyKind::Negative,
                crate::check::Dependency::Aggregate => DependencyKind::Aggregate,
            };
            let edge = *index.entry((body, head, kind)).or_insert_with(|| {
                let (from, to) = (node_of[&body], node_of[&head]);
                graph.add_edge(from, to, RuleEdge { kind, rules: Vec::new() })
            });
            let rules = &mut graph[edge].rules;
            if !rules.iter().any(|r| r.rule == rule_idx) {
                rules.push(RuleRef { rule: rule_idx, label: rule.label.clone(), span: rule.span });
            }
        }
    }
    RuleGraph { graph, n_strata: program.strata.len() }
}
