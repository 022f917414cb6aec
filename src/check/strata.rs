//! Stratification: the predicate dependency graph (petgraph), its strongly connected
//! components in topological order, and the rejection of negation or aggregation through
//! recursion.

use petgraph::algo::{condensation, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use rustc_hash::FxHashSet;

use crate::diag::{Diagnostic, Diagnostics};
use crate::program::{Literal, PredId, Program, Stratum};

/// How a rule's head depends on a body predicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dependency {
    Positive,
    Negative,
    Aggregate,
}

/// An edge `head -> body` labelled by how the head depends on the body, with the rule index.
#[derive(Debug, Clone, Copy)]
pub struct DepEdge {
    pub kind: Dependency,
    pub rule: usize,
}

/// The predicate dependency graph: one node per predicate (node index = `PredId`), an edge
/// from each rule's head to each predicate its body uses.
pub fn dependency_graph(program: &Program) -> DiGraph<PredId, DepEdge> {
    let mut graph = DiGraph::with_capacity(program.preds.len(), program.rules.len() * 2);
    for id in 0..program.preds.len() {
        graph.add_node(id as PredId);
    }
    for (rule_idx, rule) in program.rules.iter().enumerate() {
        let head = NodeIndex::new(rule.head.pred as usize);
        let mut deps = Vec::new();
        body_dependencies(&rule.body, Dependency::Positive, &mut deps);
        for (pred, kind) in deps {
            graph.add_edge(head, NodeIndex::new(pred as usize), DepEdge { kind, rule: rule_idx });
        }
    }
    graph
}

/// The predicates a body uses and how; a negation inside an aggregate counts as aggregation.
pub(crate) fn body_dependencies(body: &[Literal], context: Dependency, out: &mut Vec<(PredId, Dependency)>) {
    for lit in body {
        match lit {
            Literal::Positive(a) => out.push((a.pred, context)),
            Literal::Negative(a) => {
                out.push((a.pred, if context == Dependency::Positive { Dependency::Negative } else { context }))
            }
            Literal::Aggregate(agg) => body_dependencies(&agg.body, Dependency::Aggregate, out),
            Literal::Compare { .. } | Literal::Temporal { .. } => {}
        }
    }
}

/// Splits the program into strata (one per strongly connected component, dependencies first)
/// and reports every component that negates or aggregates through its own recursion.
pub fn stratify(program: &mut Program, diags: &mut Diagnostics) {
    let graph = dependency_graph(program);
    // 1. Components, and a topological order of the condensed graph (heads before bodies).
    let condensed = condensation(graph.map(|i, _| i, |_, e| *e), true);
    let order = match toposort(&condensed, None) {
        Ok(order) => order,
        // The condensation is acyclic by construction; keep one stratum per component anyway.
        Err(_) => condensed.node_indices().collect(),
    };
    // 2. Bodies must be evaluated before heads: walk the order backwards. Predicates that no
    // rule defines (stated, loaded, built-in) share stratum 0; every component with rules
    // gets the next stratum.
    let has_rules: Vec<bool> = {
        let mut v = vec![false; program.preds.len()];
        for rule in &program.rules {
            v[rule.head.pred as usize] = true;
        }
        v
    };
    let mut strata = vec![Stratum::default()];
    let mut stratum_of = vec![0; program.preds.len()];
    for node in order.into_iter().rev() {
        let members: Vec<PredId> = condensed[node].iter().map(|n| n.index() as PredId).collect();
        if !members.iter().any(|&p| has_rules[p as usize]) {
            strata[0].preds.extend(members);
            continue;
        }
        let index = strata.len();
        for &p in &members {
            stratum_of[p as usize] = index;
        }
        strata.push(Stratum { preds: members, rules: Vec::new(), recursive: false });
    }
    // 3. Rules go to their head's stratum; a rule that uses its own stratum makes it recursive.
    let mut reported: FxHashSet<usize> = FxHashSet::default();
    for edge in graph.edge_references() {
        let (head, body) = (edge.source().index(), edge.target().index());
        if stratum_of[head] != stratum_of[body] {
            continue;
        }
        strata[stratum_of[head]].recursive = true;
        if edge.weight().kind != Dependency::Positive && reported.insert(stratum_of[head]) {
            diags.push(cycle_error(program, &graph, edge.weight(), head, body, &stratum_of));
        }
    }
    for (rule_idx, rule) in program.rules.iter().enumerate() {
        strata[stratum_of[rule.head.pred as usize]].rules.push(rule_idx);
    }
    program.strata = strata;
    program.stratum_of = stratum_of;
}

/// `p -> not q -> p`, with the location of every rule on the cycle.
fn cycle_error(
    program: &Program,
    graph: &DiGraph<PredId, DepEdge>,
    first: &DepEdge,
    head: usize,
    body: usize,
    stratum_of: &[usize],
) -> Diagnostic {
    // Breadth-first search from `body` back to `head` inside the component.
    let component = stratum_of[head];
    let mut prev: Vec<Option<(usize, DepEdge)>> = vec![None; graph.node_count()];
    let mut queue = std::collections::VecDeque::from([body]);
    let mut seen = FxHashSet::from_iter([body]);
    while let Some(n) = queue.pop_front() {
        if n == head {
            break;
        }
        for e in graph.edges(NodeIndex::new(n)) {
            let t = e.target().index();
            if stratum_of[t] == component && seen.insert(t) {
                prev[t] = Some((n, *e.weight()));
                queue.push_back(t);
            }
        }
    }
    let mut steps = vec![(body, *first)];
    let mut at = head;
    let mut back = Vec::new();
    while at != body {
        let Some((from, edge)) = prev[at] else { break };
        back.push((at, edge));
        at = from;
    }
    steps.extend(back.into_iter().rev());
    let name = |p: usize| program.preds[p].name.to_string();
    let mut text = name(head);
    for (pred, edge) in &steps {
        let prefix = match edge.kind {
            Dependency::Positive => "",
            Dependency::Negative => "not ",
            Dependency::Aggregate => "aggregate over ",
        };
        text.push_str(&format!(" -> {prefix}{}", name(*pred)));
    }
    let what = if first.kind == Dependency::Negative { "negation" } else { "aggregation" };
    let rule = &program.rules[first.rule];
    let mut d = Diagnostic::error("check::unstratifiable", format!("{what} through recursion: {text}"))
        .at(rule.span)
        .label(format!("this rule's {what} depends on its own head"))
        .help("a predicate cannot depend on its own negation or aggregate; split it into two predicates computed in order");
    let mut noted = FxHashSet::default();
    for (_, edge) in &steps {
        if noted.insert(edge.rule) && edge.rule != first.rule {
            let r = &program.rules[edge.rule];
            d = d.note(r.span, format!("rule for `{}` on the cycle", program.preds[r.head.pred as usize].name));
        }
    }
    d
}
