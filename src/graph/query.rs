//! Queries over the entity graph: the shortest chain of facts between two entities, an
//! entity's neighbourhood, degree and betweenness centrality, connected components.
//!
//! Every query treats the graph as undirected (a fact links its entities whatever their
//! argument order) and as simple where counting matters: two entities linked by three facts
//! are one hop apart and neighbours once.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::sync::Arc;

use petgraph::graph::{EdgeIndex, NodeIndex};
use petgraph::unionfind::UnionFind;
use petgraph::visit::EdgeRef;

use crate::diag::Diagnostic;
use crate::diag::closest;
use crate::program::Program;
use crate::value::Interval;

use super::model::{EntityGraph, Fact};

/// Which facts a query may use.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PathFilter {
    /// Only facts that hold at some time in this window, and facts without a time (undated
    /// ones included: only what is known to lie outside is left out).
    pub during: Option<Interval>,
    /// Only facts of these predicates (by name, any arity).
    pub preds: Option<Vec<String>>,
}

impl PathFilter {
    pub fn is_empty(&self) -> bool {
        self.during.is_none() && self.preds.is_none()
    }

    pub fn admits(&self, fact: &Fact) -> bool {
        self.during.is_none_or(|w| fact.overlaps(&w))
            && self.preds.as_ref().is_none_or(|ps| ps.iter().any(|p| *p == *fact.pred))
    }

    /// Every predicate the filter names must exist in `program`.
    pub fn check(&self, program: &Program) -> Result<(), Diagnostic> {
        for name in self.preds.iter().flatten() {
            if program.preds.iter().any(|p| *p.name == **name) {
                continue;
            }
            let d = Diagnostic::error("graph::unknown_predicate", format!("no predicate is called `{name}`"));
            return Err(match closest(name, program.preds.iter().map(|p| &*p.name)) {
                Some(c) => d.help(format!("did you mean `{c}`?")),
                None => d.help("`:preds` lists the predicates"),
            });
        }
        Ok(())
    }
}

/// One step of a path: from one entity to the next through one fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub from: NodeIndex,
    pub to: NodeIndex,
    pub edge: EdgeIndex,
}

/// A chain of facts connecting two entities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    pub from: NodeIndex,
    pub to: NodeIndex,
    pub steps: Vec<Step>,
}

/// The entities within `depth` hops of `center`, and the edges a walk of at most `depth`
/// facts from the center can take (so not the edges between two entities at distance `depth`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neighbourhood {
    pub center: NodeIndex,
    pub depth: usize,
    /// Each entity with its distance from the center, nearest first, then by name.
    pub nodes: Vec<(NodeIndex, usize)>,
    pub edges: Vec<EdgeIndex>,
}

/// How central one entity is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Centrality {
    pub node: NodeIndex,
    /// Distinct entities it is linked to.
    pub degree: usize,
    /// Edges (fact links) that touch it.
    pub links: usize,
    /// Brandes betweenness on the simple undirected graph, unnormalised: the sum over pairs
    /// `{s, t}` of the share of shortest `s`–`t` paths that pass through the entity.
    pub betweenness: f64,
}

/// A connected component, named by its smallest entity name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    pub name: Arc<str>,
    /// Its entities in name order.
    pub nodes: Vec<NodeIndex>,
}

impl EntityGraph {
    /// The node of `name`, or a `graph::unknown_entity` diagnostic with a "did you mean".
    pub fn node(&self, name: &str) -> Result<NodeIndex, Diagnostic> {
        self.find(name).ok_or_else(|| {
            let d = Diagnostic::error("graph::unknown_entity", format!("no fact mentions an entity called `{name}`"));
            match closest(name, self.names()) {
                Some(c) => d.help(format!("did you mean `{c}`?")),
                None => d.help("`:entities` lists the declared entities"),
            }
        })
    }

    /// The graph with only the edges and properties whose facts `filter` admits (all nodes
    /// stay, so node indices are unchanged).
    pub fn restricted(&self, filter: &PathFilter) -> EntityGraph {
        if filter.is_empty() {
            return self.clone();
        }
        let admits = |fact: usize| filter.admits(&self.facts[fact]);
        let graph = self.graph.filter_map(
            |_, n| {
                let mut n = n.clone();
                n.properties.retain(|&f| admits(f));
                Some(n)
            },
            |_, e| admits(e.fact).then_some(*e),
        );
        EntityGraph::from_parts(graph, self.facts.clone(), self.base_only)
    }

    /// The shortest chain of facts from `from` to `to` that `filter` admits; `Ok(None)` when
    /// none connects them. Among chains of equal length the one with the fewest derived facts
    /// wins, then the one found first (earlier facts first).
    pub fn shortest_path(&self, from: &str, to: &str, filter: &PathFilter) -> Result<Option<Path>, Diagnostic> {
        let (source, target) = (self.node(from)?, self.node(to)?);
        // Dijkstra on the cost (hops, derived steps), compared lexicographically.
        let n = self.graph.node_count();
        let mut best: Vec<Option<(u32, u32)>> = vec![None; n];
        let mut prev: Vec<Option<Step>> = vec![None; n];
        let mut heap = BinaryHeap::new();
        best[source.index()] = Some((0, 0));
        heap.push(Reverse((0u32, 0u32, source.index())));
        while let Some(Reverse((hops, derived, u))) = heap.pop() {
            if best[u].is_some_and(|b| b < (hops, derived)) {
                continue;
            }
            if u == target.index() {
                break;
            }
            for (edge, v) in self.sorted_edges(NodeIndex::new(u)) {
                let fact = &self.facts[self.graph[edge].fact];
                if v.index() == u || !filter.admits(fact) {
                    continue;
                }
                let cost = (hops + 1, derived + u32::from(fact.is_derived()));
                if best[v.index()].is_none_or(|b| cost < b) {
                    best[v.index()] = Some(cost);
                    prev[v.index()] = Some(Step { from: NodeIndex::new(u), to: v, edge });
                    heap.push(Reverse((cost.0, cost.1, v.index())));
                }
            }
        }
        if best[target.index()].is_none() {
            return Ok(None);
        }
        let mut steps = Vec::new();
        let mut at = target;
        while at != source {
            let Some(step) = prev[at.index()] else { break };
            steps.push(step);
            at = step.from;
        }
        steps.reverse();
        Ok(Some(Path { from: source, to: target, steps }))
    }

    /// The entities within `depth` hops of `center` and the facts that lie within `depth` steps
    /// of it: an edge is in when one of its ends is nearer than `depth`. Unlike the full ego
    /// graph, `--around dprk` then shows dprk's own facts, not every fact among its neighbours.
    pub fn neighbourhood(&self, center: &str, depth: usize) -> Result<Neighbourhood, Diagnostic> {
        let start = self.node(center)?;
        let dist = self.distances_from(start, Some(depth));
        let mut nodes: Vec<(NodeIndex, usize)> =
            dist.iter().enumerate().filter_map(|(i, d)| d.map(|d| (NodeIndex::new(i), d))).collect();
        nodes.sort_by_key(|&(n, d)| (d, n));
        let edges = self
            .graph
            .edge_indices()
            .filter(|&e| {
                let (a, b) = self.graph.edge_endpoints(e).unwrap_or((start, start));
                match (dist[a.index()], dist[b.index()]) {
                    (Some(x), Some(y)) => x.min(y) < depth,
                    _ => false,
                }
            })
            .collect();
        Ok(Neighbourhood { center: start, depth, nodes, edges })
    }

    /// Hop counts from `start` to every entity it reaches (within `limit` hops, if given).
    pub fn distances_from(&self, start: NodeIndex, limit: Option<usize>) -> Vec<Option<usize>> {
        let mut dist = vec![None; self.graph.node_count()];
        dist[start.index()] = Some(0);
        let mut queue = VecDeque::from([start]);
        while let Some(u) = queue.pop_front() {
            let d = dist[u.index()].unwrap_or(0);
            if limit.is_some_and(|l| d >= l) {
                continue;
            }
            for v in self.graph.neighbors(u) {
                if dist[v.index()].is_none() {
                    dist[v.index()] = Some(d + 1);
                    queue.push_back(v);
                }
            }
        }
        dist
    }

    /// Every entity with its degree, links and betweenness, most connected first (degree, then
    /// betweenness, then name).
    pub fn centrality(&self) -> Vec<Centrality> {
        self.centrality_checked(&mut || Ok(())).unwrap_or_default()
    }

    /// [`Graph::centrality`], calling `check` once per breadth-first search (the work is
    /// quadratic in the entities): an error from it (a time limit, Ctrl-C) stops the work.
    pub fn centrality_checked(
        &self,
        check: &mut dyn FnMut() -> Result<(), crate::diag::Diagnostic>,
    ) -> Result<Vec<Centrality>, crate::diag::Diagnostic> {
        let adj = self.simple_adjacency();
        let betweenness = brandes(&adj, check)?;
        let mut rows: Vec<Centrality> = self
            .graph
            .node_indices()
            .map(|node| Centrality {
                node,
                degree: adj[node.index()].len(),
                links: self.graph.edges(node).count(),
                betweenness: betweenness[node.index()],
            })
            .collect();
        rows.sort_by(|a, b| {
            b.degree.cmp(&a.degree).then(b.betweenness.total_cmp(&a.betweenness)).then(a.node.cmp(&b.node))
        });
        Ok(rows)
    }

    /// Connected components, largest first, then by name; isolated entities are components
    /// of one.
    pub fn components(&self) -> Vec<Component> {
        let n = self.graph.node_count();
        let mut sets = UnionFind::<usize>::new(n);
        for e in self.graph.edge_references() {
            sets.union(e.source().index(), e.target().index());
        }
        let mut members: Vec<Vec<NodeIndex>> = vec![Vec::new(); n];
        for i in 0..n {
            // Nodes are in name order, so each component's first member is its smallest name.
            members[sets.find(i)].push(NodeIndex::new(i));
        }
        let mut out: Vec<Component> = members
            .into_iter()
            .filter(|m| !m.is_empty())
            .map(|nodes| Component { name: self.graph[nodes[0]].name.clone(), nodes })
            .collect();
        out.sort_by(|a, b| b.nodes.len().cmp(&a.nodes.len()).then_with(|| a.name.cmp(&b.name)));
        out
    }

    /// Each node's distinct neighbours (itself excluded), in node order.
    pub(crate) fn simple_adjacency(&self) -> Vec<Vec<usize>> {
        let mut adj: Vec<Vec<usize>> = vec![Vec::new(); self.graph.node_count()];
        for e in self.graph.edge_references() {
            let (a, b) = (e.source().index(), e.target().index());
            if a != b {
                adj[a].push(b);
                adj[b].push(a);
            }
        }
        for list in &mut adj {
            list.sort_unstable();
            list.dedup();
        }
        adj
    }

    /// The edges at `node` in edge order, each with the entity at its other end.
    fn sorted_edges(&self, node: NodeIndex) -> Vec<(EdgeIndex, NodeIndex)> {
        let mut edges: Vec<(EdgeIndex, NodeIndex)> = self
            .graph
            .edges(node)
            .map(|e| {
                let (a, b) = self.graph.edge_endpoints(e.id()).unwrap_or((node, node));
                (e.id(), if a == node { b } else { a })
            })
            .collect();
        edges.sort_unstable();
        edges
    }
}

/// Brandes' algorithm for unweighted graphs, halved because each undirected pair is seen from
/// both ends.
fn brandes(
    adj: &[Vec<usize>],
    check: &mut dyn FnMut() -> Result<(), crate::diag::Diagnostic>,
) -> Result<Vec<f64>, crate::diag::Diagnostic> {
    let n = adj.len();
    let mut centrality = vec![0.0; n];
    let (mut sigma, mut delta) = (vec![0.0f64; n], vec![0.0f64; n]);
    let mut dist: Vec<i64> = vec![-1; n];
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut stack = Vec::with_capacity(n);
    let mut queue = VecDeque::with_capacity(n);
    for s in 0..n {
        check()?;
        // 1. Breadth-first search from `s`, counting shortest paths (sigma) and predecessors.
        sigma.iter_mut().for_each(|x| *x = 0.0);
        delta.iter_mut().for_each(|x| *x = 0.0);
        dist.iter_mut().for_each(|x| *x = -1);
        preds.iter_mut().for_each(Vec::clear);
        sigma[s] = 1.0;
        dist[s] = 0;
        queue.push_back(s);
        while let Some(v) = queue.pop_front() {
            stack.push(v);
            for &w in &adj[v] {
                if dist[w] < 0 {
                    dist[w] = dist[v] + 1;
                    queue.push_back(w);
                }
                if dist[w] == dist[v] + 1 {
                    sigma[w] += sigma[v];
                    preds[w].push(v);
                }
            }
        }
        // 2. Accumulate dependencies in order of non-increasing distance.
        while let Some(w) = stack.pop() {
            for &v in &preds[w] {
                delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w]);
            }
            if w != s {
                centrality[w] += delta[w];
            }
        }
    }
    centrality.iter_mut().for_each(|c| *c /= 2.0);
    Ok(centrality)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(adj: &[&[usize]], expect: &[f64]) {
        let adj: Vec<Vec<usize>> = adj.iter().map(|a| a.to_vec()).collect();
        let got = brandes(&adj, &mut || Ok(())).unwrap();
        assert_eq!(got.len(), expect.len());
        for (g, e) in got.iter().zip(expect) {
            assert!((g - e).abs() < 1e-9, "{got:?} != {expect:?}");
        }
    }

    #[test]
    fn betweenness_of_a_line_a_star_and_a_square() {
        // a - b - c - d: b and c each sit between two pairs... b: (a,c),(a,d); c: (a,d),(b,d).
        check(&[&[1], &[0, 2], &[1, 3], &[2]], &[0.0, 2.0, 2.0, 0.0]);
        // A star with 4 leaves: the hub is on all C(4,2) = 6 leaf pairs.
        check(&[&[1, 2, 3, 4], &[0], &[0], &[0], &[0]], &[6.0, 0.0, 0.0, 0.0, 0.0]);
        // A 4-cycle: each opposite pair has two shortest paths, so each node gets 1/2.
        check(&[&[1, 3], &[0, 2], &[1, 3], &[0, 2]], &[0.5, 0.5, 0.5, 0.5]);
    }

    #[test]
    fn filter_admits_by_window_and_predicate() {
        use crate::graph::model::Origin;
        let fact = |pred: &str, interval| Fact {
            pred: Arc::from(pred),
            args: vec![],
            interval,
            origin: Origin::Derived,
            arg_names: None,
        };
        let window = PathFilter { during: Some(Interval::years(Some(1991), Some(2019))), preds: None };
        assert!(window.admits(&fact("p", None)));
        assert!(window.admits(&fact("p", Some(Interval::ALWAYS))));
        assert!(window.admits(&fact("p", Some(Interval::years(Some(1953), Some(1991))))));
        assert!(!window.admits(&fact("p", Some(Interval::years(Some(1953), Some(1990))))));
        let preds = PathFilter { during: None, preds: Some(vec!["q".into()]) };
        assert!(preds.admits(&fact("q", None)) && !preds.admits(&fact("p", None)));
    }
}
