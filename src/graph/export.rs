//! Rendering graph views as text, DOT and JSON.
//!
//! JSON goes through the explicit output types below (documented in `docs/graph.md`, each
//! with a `version`); DOT quotes every identifier and label, so any entity name is safe.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use petgraph::graph::{EdgeIndex, NodeIndex};
use serde::Serialize;

use crate::output::{JSON_VERSION, dot_quote, value_json};
use crate::source::SourceMap;
use crate::value::Interval;

use super::model::{EntityGraph, EntityNode, Fact, Origin};
use super::query::{Centrality, Component, Neighbourhood, Path, PathFilter, Step};
use super::rules::{DependencyKind, RuleGraph, RuleNode};

// ---------------------------------------------------------------- JSON output types

/// An interval as JSON: `{"start": 1954, "end": null}` (`null` is an open end; a month or a
/// day is a string, `"1953-10"`), as [`crate::output::date_json`] writes each end.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IntervalJson {
    pub start: serde_json::Value,
    pub end: serde_json::Value,
}

impl From<Interval> for IntervalJson {
    fn from(t: Interval) -> IntervalJson {
        IntervalJson { start: crate::output::date_json(t.start), end: crate::output::date_json(t.end) }
    }
}

/// The filter a view was computed with.
#[derive(Debug, Clone, Serialize)]
pub struct FilterJson {
    pub during: Option<IntervalJson>,
    pub preds: Option<Vec<String>>,
}

impl From<&PathFilter> for FilterJson {
    fn from(f: &PathFilter) -> FilterJson {
        FilterJson { during: f.during.map(IntervalJson::from), preds: f.preds.clone() }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CiteJson {
    pub source: String,
    pub quote: String,
}

/// Where a fact came from, tagged by `kind`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum OriginJson {
    Stated { at: String, cites: Vec<CiteJson> },
    Loaded { file: String, line: u32 },
    Derived,
}

#[derive(Debug, Clone, Serialize)]
pub struct FactJson {
    pub pred: String,
    pub args: Vec<serde_json::Value>,
    /// `null` for a predicate without time and for an undated fact; `{"start": null, "end":
    /// null}` for a fact said to hold at all times (`@ ..`).
    pub interval: Option<IntervalJson>,
    /// The fact as written in a `.kb` file.
    pub text: String,
    pub origin: OriginJson,
}

impl From<&Fact> for FactJson {
    fn from(f: &Fact) -> FactJson {
        FactJson {
            pred: f.pred.to_string(),
            args: f.args.iter().map(value_json).collect(),
            interval: f.interval.map(IntervalJson::from),
            text: f.text(),
            origin: match &f.origin {
                Origin::Stated { at, cites } => OriginJson::Stated {
                    at: at.clone(),
                    cites: cites
                        .iter()
                        .map(|c| CiteJson { source: c.source.to_string(), quote: c.quote.to_string() })
                        .collect(),
                },
                Origin::Loaded { file, line } => OriginJson::Loaded { file: file.to_string(), line: *line },
                Origin::Derived => OriginJson::Derived,
            },
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct NodeJson {
    pub id: String,
    pub kind: String,
    pub label: Option<String>,
    pub time: Option<IntervalJson>,
    /// Hops from the center (neighbourhood view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance: Option<usize>,
    /// Facts that mention this entity and no other.
    pub properties: Vec<FactJson>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EdgeJson {
    /// The entity at the earlier argument of the fact.
    pub from: String,
    pub to: String,
    pub pred: String,
    /// How the edge reads from `from` to `to`: the predicate, and for a declared predicate the
    /// name of the argument `to` is (`defends (against)`).
    pub label: String,
    pub fact: FactJson,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepJson {
    pub from: String,
    pub to: String,
    /// Whether the step goes the fact's way (`from` is the earlier argument).
    pub forward: bool,
    pub pred: String,
    /// How the edge reads, from the fact's `from` to its `to` (as `EdgeJson::label`).
    pub label: String,
    pub fact: FactJson,
}

/// The whole graph, a neighbourhood or a path.
#[derive(Debug, Clone, Serialize)]
pub struct EntityGraphJson {
    pub version: u32,
    /// `graph`, `neighbourhood` or `path`.
    pub view: &'static str,
    pub base_only: bool,
    pub filter: FilterJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub center: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub depth: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Path view: whether a chain of facts connects `from` and `to`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<StepJson>>,
    pub nodes: Vec<NodeJson>,
    pub edges: Vec<EdgeJson>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CentralityRowJson {
    pub id: String,
    pub kind: String,
    pub label: Option<String>,
    pub degree: usize,
    pub links: usize,
    pub betweenness: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CentralityJson {
    pub version: u32,
    pub view: &'static str,
    pub base_only: bool,
    pub filter: FilterJson,
    pub nodes: Vec<CentralityRowJson>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComponentJson {
    pub name: String,
    pub size: usize,
    pub nodes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComponentsJson {
    pub version: u32,
    pub view: &'static str,
    pub base_only: bool,
    pub filter: FilterJson,
    pub components: Vec<ComponentJson>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleNodeJson {
    /// `name/arity`.
    pub id: String,
    pub pred: String,
    pub arity: usize,
    pub stratum: usize,
    pub recursive: bool,
    /// Any of `facts`, `rules`, `load`.
    pub defined: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleRefJson {
    pub index: usize,
    pub label: Option<String>,
    pub at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleEdgeJson {
    /// The body predicate (`name/arity`).
    pub from: String,
    /// The head predicate.
    pub to: String,
    /// `positive`, `negative` or `aggregate`.
    pub kind: &'static str,
    pub rules: Vec<RuleRefJson>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RulesJson {
    pub version: u32,
    pub view: &'static str,
    pub strata: usize,
    pub nodes: Vec<RuleNodeJson>,
    pub edges: Vec<RuleEdgeJson>,
}

/// Pretty JSON with a final newline.
pub fn to_json_string<T: Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

fn node_json(node: &EntityNode, graph: &EntityGraph, distance: Option<usize>) -> NodeJson {
    NodeJson {
        id: node.name.to_string(),
        kind: node.kind.to_string(),
        label: node.label.as_deref().map(str::to_string),
        time: node.time.map(IntervalJson::from),
        distance,
        properties: node.properties.iter().map(|&f| FactJson::from(&graph.facts[f])).collect(),
    }
}

fn edge_json(graph: &EntityGraph, edge: EdgeIndex) -> EdgeJson {
    let (a, b) = graph.graph.edge_endpoints(edge).unwrap_or_default();
    let fact = &graph.facts[graph.graph[edge].fact];
    EdgeJson {
        from: graph.graph[a].name.to_string(),
        to: graph.graph[b].name.to_string(),
        pred: fact.pred.to_string(),
        label: graph.edge_label(edge),
        fact: FactJson::from(fact),
    }
}

fn entity_json(graph: &EntityGraph, view: &'static str, filter: &PathFilter) -> EntityGraphJson {
    EntityGraphJson {
        version: JSON_VERSION,
        view,
        base_only: graph.base_only,
        filter: filter.into(),
        center: None,
        depth: None,
        from: None,
        to: None,
        found: None,
        steps: None,
        nodes: Vec::new(),
        edges: Vec::new(),
    }
}

impl EntityGraph {
    /// The whole graph as JSON (nodes left without edges by a filter are left out).
    pub fn to_json(&self, filter: &PathFilter) -> EntityGraphJson {
        let mut out = entity_json(self, "graph", filter);
        out.nodes = self.shown_nodes(filter).into_iter().map(|n| node_json(&self.graph[n], self, None)).collect();
        out.edges = self.graph.edge_indices().map(|e| edge_json(self, e)).collect();
        out
    }

    pub fn neighbourhood_json(&self, hood: &Neighbourhood, filter: &PathFilter) -> EntityGraphJson {
        let mut out = entity_json(self, "neighbourhood", filter);
        out.center = Some(self.graph[hood.center].name.to_string());
        out.depth = Some(hood.depth);
        out.nodes = hood.nodes.iter().map(|&(n, d)| node_json(&self.graph[n], self, Some(d))).collect();
        out.edges = hood.edges.iter().map(|&e| edge_json(self, e)).collect();
        out
    }

    /// A path as JSON; `path` is `None` when no chain of facts connects `from` and `to`.
    pub fn path_json(
        &self,
        from: NodeIndex,
        to: NodeIndex,
        path: Option<&Path>,
        filter: &PathFilter,
    ) -> EntityGraphJson {
        let mut out = entity_json(self, "path", filter);
        out.from = Some(self.graph[from].name.to_string());
        out.to = Some(self.graph[to].name.to_string());
        out.found = Some(path.is_some());
        let steps = path.map_or(&[][..], |p| &p.steps[..]);
        out.steps = Some(steps.iter().map(|s| self.step_json(s)).collect());
        out.nodes = path_nodes(from, to, steps).iter().map(|&n| node_json(&self.graph[n], self, None)).collect();
        out.edges = steps.iter().map(|s| edge_json(self, s.edge)).collect();
        out
    }

    fn step_json(&self, step: &Step) -> StepJson {
        let fact = &self.facts[self.graph[step.edge].fact];
        StepJson {
            from: self.graph[step.from].name.to_string(),
            to: self.graph[step.to].name.to_string(),
            forward: self.is_forward(step),
            pred: fact.pred.to_string(),
            label: self.edge_label(step.edge),
            fact: FactJson::from(fact),
        }
    }

    pub fn centrality_json(&self, rows: &[Centrality], filter: &PathFilter) -> CentralityJson {
        CentralityJson {
            version: JSON_VERSION,
            view: "centrality",
            base_only: self.base_only,
            filter: filter.into(),
            nodes: rows
                .iter()
                .map(|c| {
                    let n = &self.graph[c.node];
                    CentralityRowJson {
                        id: n.name.to_string(),
                        kind: n.kind.to_string(),
                        label: n.label.as_deref().map(str::to_string),
                        degree: c.degree,
                        links: c.links,
                        betweenness: c.betweenness,
                    }
                })
                .collect(),
        }
    }

    pub fn components_json(&self, components: &[Component], filter: &PathFilter) -> ComponentsJson {
        ComponentsJson {
            version: JSON_VERSION,
            view: "components",
            base_only: self.base_only,
            filter: filter.into(),
            components: components
                .iter()
                .map(|c| ComponentJson {
                    name: c.name.to_string(),
                    size: c.nodes.len(),
                    nodes: c.nodes.iter().map(|&n| self.graph[n].name.to_string()).collect(),
                })
                .collect(),
        }
    }

    /// Whether a step goes the fact's way: from its earlier argument to its later one.
    pub fn is_forward(&self, step: &Step) -> bool {
        self.graph.edge_endpoints(step.edge).is_some_and(|(a, _)| a == step.from)
    }

    /// Nodes to show for the whole graph: all of them, or under a filter only those that kept
    /// an edge or a property.
    pub(crate) fn shown_nodes(&self, filter: &PathFilter) -> Vec<NodeIndex> {
        self.graph
            .node_indices()
            .filter(|&n| {
                filter.is_empty() || !self.graph[n].properties.is_empty() || self.graph.neighbors(n).next().is_some()
            })
            .collect()
    }
}

pub(crate) fn path_nodes(from: NodeIndex, to: NodeIndex, steps: &[Step]) -> Vec<NodeIndex> {
    if steps.is_empty() {
        return if from == to { vec![from] } else { vec![from, to] };
    }
    std::iter::once(from).chain(steps.iter().map(|s| s.to)).collect()
}

impl RuleGraph {
    pub fn to_json(&self, sources: &SourceMap) -> RulesJson {
        let g = &self.graph;
        RulesJson {
            version: JSON_VERSION,
            view: "rules",
            strata: self.n_strata,
            nodes: g
                .node_weights()
                .map(|n| RuleNodeJson {
                    id: n.key(),
                    pred: n.name.to_string(),
                    arity: n.arity,
                    stratum: n.stratum,
                    recursive: n.recursive,
                    defined: defined(n),
                })
                .collect(),
            edges: g
                .edge_indices()
                .map(|e| {
                    let (a, b) = g.edge_endpoints(e).unwrap_or_default();
                    RuleEdgeJson {
                        from: g[a].key(),
                        to: g[b].key(),
                        kind: g[e].kind.as_str(),
                        rules: g[e]
                            .rules
                            .iter()
                            .map(|r| RuleRefJson {
                                index: r.rule,
                                label: r.label.as_deref().map(str::to_string),
                                at: location(sources, r.span),
                            })
                            .collect(),
                    }
                })
                .collect(),
        }
    }

    /// Predicates by stratum, then each dependency with the rules that make it.
    pub fn to_text(&self, sources: &SourceMap) -> String {
        let g = &self.graph;
        let mut out = String::new();
        let _ = writeln!(out, "{} predicates in {} strata", g.node_count(), self.n_strata);
        let mut by_stratum: BTreeMap<usize, Vec<&RuleNode>> = BTreeMap::new();
        for n in g.node_weights() {
            by_stratum.entry(n.stratum).or_default().push(n);
        }
        for (stratum, nodes) in &by_stratum {
            let recursive = if nodes.first().is_some_and(|n| n.recursive) { " (recursive)" } else { "" };
            let names: Vec<String> = nodes.iter().map(|n| n.key()).collect();
            let _ = writeln!(out, "stratum {stratum}{recursive}: {}", names.join(", "));
        }
        if g.edge_count() > 0 {
            out.push_str("dependencies (body → head):\n");
        }
        for e in g.edge_indices() {
            let (a, b) = g.edge_endpoints(e).unwrap_or_default();
            let arrow = match g[e].kind {
                DependencyKind::Positive => "──→",
                DependencyKind::Negative => "─not→",
                DependencyKind::Aggregate => "─aggregate→",
            };
            let at: Vec<String> = g[e].rules.iter().map(|r| location(sources, r.span)).collect();
            let _ = writeln!(out, "  {} {arrow} {}  ({})", g[a].key(), g[b].key(), at.join(", "));
        }
        out
    }

    pub fn to_dot(&self) -> String {
        let g = &self.graph;
        let mut out = String::from("digraph rules {\n");
        out.push_str("  graph [rankdir=LR, fontname=\"Helvetica\"];\n");
        out.push_str("  node [fontname=\"Helvetica\", style=filled];\n");
        out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
        let mut by_stratum: BTreeMap<usize, Vec<NodeIndex>> = BTreeMap::new();
        for n in g.node_indices() {
            by_stratum.entry(g[n].stratum).or_default().push(n);
        }
        for (stratum, nodes) in &by_stratum {
            let _ = writeln!(out, "  subgraph {} {{", dot_quote(&format!("cluster_{stratum}")));
            let _ = writeln!(out, "    label={};", dot_quote(&format!("stratum {stratum}")));
            for &n in nodes {
                let node = &g[n];
                let (shape, fill) = if node.by_rules { ("ellipse", "#d3f9d8") } else { ("box", "#e9ecef") };
                let peripheries = if node.recursive { ", peripheries=2" } else { "" };
                let _ = writeln!(
                    out,
                    "    {} [label={}, shape={shape}, fillcolor={}{peripheries}];",
                    dot_quote(&node.key()),
                    dot_quote(&node.key()),
                    dot_quote(fill)
                );
            }
            out.push_str("  }\n");
        }
        for e in g.edge_indices() {
            let (a, b) = g.edge_endpoints(e).unwrap_or_default();
            let style = match g[e].kind {
                DependencyKind::Positive => String::from("style=solid"),
                DependencyKind::Negative => {
                    format!("style=dashed, color={}, label={}", dot_quote("#c92a2a"), dot_quote("not"))
                }
                DependencyKind::Aggregate => {
                    format!("style=dotted, color={}, label={}", dot_quote("#1864ab"), dot_quote("aggregate"))
                }
            };
            let _ = writeln!(out, "  {} -> {} [{style}];", dot_quote(&g[a].key()), dot_quote(&g[b].key()));
        }
        out.push_str("}\n");
        out
    }
}

fn defined(n: &RuleNode) -> Vec<&'static str> {
    let mut out = Vec::new();
    if n.by_facts {
        out.push("facts");
    }
    if n.by_rules {
        out.push("rules");
    }
    if n.by_load {
        out.push("load");
    }
    out
}

fn location(sources: &SourceMap, span: crate::source::Span) -> String {
    if (span.file.0 as usize) < sources.len() { sources.file_line(span) } else { String::from("?") }
}

// ---------------------------------------------------------------- DOT

/// Shape and fill colour of a node of `kind`.
pub fn kind_style(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "actor" => ("box", "#cfe2ff"),
        "event" => ("ellipse", "#fff3bf"),
        "factor" => ("hexagon", "#ffd8d8"),
        "period" => ("tab", "#e9ecef"),
        super::model::THING => ("ellipse", "#ffffff"),
        other => {
            // User kinds: a stable colour from the kind's name.
            const PALETTE: [&str; 5] = ["#d3f9d8", "#e5dbff", "#ffe8cc", "#c5f6fa", "#fcc2d7"];
            let hash = other.bytes().fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize));
            ("octagon", PALETTE[hash % PALETTE.len()])
        }
    }
}

impl EntityGraph {
    /// The whole graph as DOT (nodes left without edges by a filter are left out).
    pub fn to_dot(&self, filter: &PathFilter) -> String {
        let edges: Vec<EdgeIndex> = self.graph.edge_indices().collect();
        self.dot("entities", &self.shown_nodes(filter), &edges, &[])
    }

    pub fn neighbourhood_dot(&self, hood: &Neighbourhood) -> String {
        let nodes: Vec<NodeIndex> = hood.nodes.iter().map(|&(n, _)| n).collect();
        self.dot("neighbourhood", &nodes, &hood.edges, &[hood.center])
    }

    pub fn path_dot(&self, from: NodeIndex, to: NodeIndex, path: Option<&Path>) -> String {
        let steps = path.map_or(&[][..], |p| &p.steps[..]);
        let edges: Vec<EdgeIndex> = steps.iter().map(|s| s.edge).collect();
        self.dot("path", &path_nodes(from, to, steps), &edges, &[from, to])
    }

    /// DOT for some nodes and edges; `emphasis` nodes get a thick border. Edges point from
    /// the fact's earlier argument to its later one and are labelled by predicate; the
    /// tooltip holds the whole fact.
    fn dot(&self, name: &str, nodes: &[NodeIndex], edges: &[EdgeIndex], emphasis: &[NodeIndex]) -> String {
        let mut out = format!("digraph {} {{\n", dot_quote(name));
        out.push_str("  graph [rankdir=LR, fontname=\"Helvetica\"];\n");
        out.push_str("  node [fontname=\"Helvetica\", style=filled];\n");
        out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
        for &n in nodes {
            let node = &self.graph[n];
            let (shape, fill) = kind_style(&node.kind);
            let label = match &node.label {
                Some(l) => format!("{}\n{l}", node.name),
                None => node.name.to_string(),
            };
            let bold = if emphasis.contains(&n) { ", penwidth=2.5" } else { "" };
            let _ = writeln!(
                out,
                "  {} [label={}, shape={shape}, fillcolor={}, tooltip={}{bold}];",
                dot_quote(&node.name),
                dot_quote(&label),
                dot_quote(fill),
                dot_quote(&node.kind)
            );
        }
        for &e in edges {
            let Some((a, b)) = self.graph.edge_endpoints(e) else { continue };
            let fact = &self.facts[self.graph[e].fact];
            let style = if fact.is_derived() { ", style=dashed" } else { "" };
            let _ = writeln!(
                out,
                "  {} -> {} [label={}, tooltip={}{style}];",
                dot_quote(&self.graph[a].name),
                dot_quote(&self.graph[b].name),
                dot_quote(&self.edge_label(e)),
                dot_quote(&fact.text())
            );
        }
        out.push_str("}\n");
        out
    }
}

// ---------------------------------------------------------------- text

/// How a fact's origin reads under a step: citations, a data-file line, or "derived by rule".
fn origin_lines(out: &mut String, fact: &Fact, indent: &str) {
    match &fact.origin {
        Origin::Stated { cites, .. } => {
            for c in cites {
                let _ = writeln!(out, "{indent}cite {}: {}", c.source, crate::syntax::print::quote(&c.quote));
            }
        }
        Origin::Loaded { file, line } => {
            let _ = writeln!(out, "{indent}from {file}:{line}");
        }
        Origin::Derived => {
            let _ = writeln!(out, "{indent}derived by a rule: ask `why {}` for its proof", fact.atom_text());
        }
    }
}

fn origin_place(fact: &Fact) -> String {
    match &fact.origin {
        Origin::Stated { at, .. } => format!("  ({at})"),
        Origin::Loaded { .. } | Origin::Derived => String::new(),
    }
}

/// `1 entity`, `2 entities`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn describe(node: &EntityNode) -> String {
    match &node.label {
        Some(l) => format!("{} ({}: {l})", node.name, node.kind),
        None => format!("{} ({})", node.name, node.kind),
    }
}

impl EntityGraph {
    /// A path: one line per step (the step, the fact, where it is stated), then its citations.
    pub fn path_text(&self, from: NodeIndex, to: NodeIndex, path: Option<&Path>) -> String {
        let (a, b) = (&self.graph[from].name, &self.graph[to].name);
        let Some(path) = path else {
            let mut out = format!("no chain of facts connects {a} and {b}\n");
            for n in [from, to] {
                if self.graph.neighbors(n).next().is_none() {
                    let _ = writeln!(out, "({} is in no fact that links it to another entity)", self.graph[n].name);
                }
            }
            return out;
        };
        let n = path.steps.len();
        let mut out = format!("{a} → {b}: {}\n", count(n, "step", "steps"));
        for step in &path.steps {
            let fact = &self.facts[self.graph[step.edge].fact];
            let (x, y) = (&self.graph[step.from].name, &self.graph[step.to].name);
            let label = self.edge_label(step.edge);
            let arrow =
                if self.is_forward(step) { format!("{x} —{label}→ {y}") } else { format!("{x} ←{label}— {y}") };
            let _ = writeln!(out, "{arrow}  {}{}", fact.text(), origin_place(fact));
            origin_lines(&mut out, fact, "    ");
        }
        out
    }

    pub fn neighbourhood_text(&self, hood: &Neighbourhood) -> String {
        let center = &self.graph[hood.center];
        let mut out = format!(
            "neighbourhood of {} to depth {}: {}, {}\n",
            describe(center),
            hood.depth,
            count(hood.nodes.len(), "entity", "entities"),
            count(hood.edges.len(), "link", "links")
        );
        for &(n, d) in &hood.nodes {
            let node = &self.graph[n];
            let label = node.label.as_deref().map(|l| format!("  {l}")).unwrap_or_default();
            let _ = writeln!(out, "  {d}  {} ({}){label}", node.name, node.kind);
        }
        let mut seen = rustc_hash::FxHashSet::default();
        // The center's own facts (those that mention only it) come after the links.
        let facts: Vec<(usize, &Fact)> = hood
            .edges
            .iter()
            .map(|&e| self.graph[e].fact)
            .chain(center.properties.iter().copied())
            .filter(|f| seen.insert(*f))
            .map(|f| (f, &self.facts[f]))
            .collect();
        if !facts.is_empty() {
            out.push_str("facts:\n");
        }
        for (f, fact) in facts {
            let _ = writeln!(out, "  {}{}", fact.text(), origin_place(fact));
            // A declared predicate's fact also says how its links read (`a —defends (against)→ b`).
            if fact.arg_names.is_some() {
                let readings: Vec<String> = hood
                    .edges
                    .iter()
                    .filter(|&&e| self.graph[e].fact == f)
                    .filter_map(|&e| {
                        let (a, b) = self.graph.edge_endpoints(e)?;
                        Some(format!("{} —{}→ {}", self.graph[a].name, self.edge_label(e), self.graph[b].name))
                    })
                    .collect();
                if !readings.is_empty() {
                    let _ = writeln!(out, "      {}", readings.join(", "));
                }
            }
        }
        out
    }

    /// A summary: counts of entities by kind and links by predicate, and the components.
    pub fn summary_text(&self) -> String {
        let mut out = String::new();
        let n_facts = self.graph.edge_weights().map(|l| l.fact).collect::<rustc_hash::FxHashSet<_>>().len();
        let what = if self.base_only { "base facts" } else { "base and derived facts" };
        let _ = writeln!(
            out,
            "entity graph of {what}: {} entities, {} links from {n_facts} facts",
            self.node_count(),
            self.edge_count()
        );
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for n in self.graph.node_weights() {
            *kinds.entry(&n.kind).or_default() += 1;
        }
        let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
        let _ = writeln!(out, "entities by kind: {}", kinds.join(", "));
        let mut preds: BTreeMap<&str, usize> = BTreeMap::new();
        for l in self.graph.edge_weights() {
            *preds.entry(&self.facts[l.fact].pred).or_default() += 1;
        }
        if !preds.is_empty() {
            // The most linking predicates first; a long tail is counted, not listed.
            const SHOWN: usize = 12;
            let mut preds: Vec<(&str, usize)> = preds.into_iter().collect();
            preds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let shown: Vec<String> = preds.iter().take(SHOWN).map(|(p, n)| format!("{p} {n}")).collect();
            let more = if preds.len() > SHOWN { format!(", … {} more", preds.len() - SHOWN) } else { String::new() };
            let _ = writeln!(out, "links by predicate: {}{more}", shown.join(", "));
        }
        let components = self.components();
        let linked = components.iter().filter(|c| c.nodes.len() > 1).count();
        let isolated = count(components.len() - linked, "isolated entity", "isolated entities");
        let _ = writeln!(out, "components: {linked} linked, {isolated}");
        out.push_str(
            "(--format dot or json exports the graph; --path, --around, --central, --components, --rules query it)\n",
        );
        out
    }

    /// The `limit` most central entities as a table.
    pub fn centrality_text(&self, rows: &[Centrality], limit: usize) -> String {
        let shown = &rows[..rows.len().min(limit)];
        use crate::output::{display_width, pad_to, terminal_text};
        // Padded by display width: `{:<w$}` counts characters and panics past 65,535.
        let name = |c: &Centrality| terminal_text(&self.graph[c.node].name).replace('\n', "\\n");
        let kind = |c: &Centrality| terminal_text(&self.graph[c.node].kind).replace('\n', "\\n");
        let width = shown.iter().map(|c| display_width(&name(c))).max().unwrap_or(6).max(6);
        let kind_width = shown.iter().map(|c| display_width(&kind(c))).max().unwrap_or(4).max(4);
        let mut out = String::from("rank  ");
        pad_to(&mut out, "entity", width);
        out.push_str("  ");
        pad_to(&mut out, "kind", kind_width);
        out.push_str("  degree  links  betweenness\n");
        for (i, c) in shown.iter().enumerate() {
            let _ = write!(out, "{:>4}  ", i + 1);
            pad_to(&mut out, &name(c), width);
            out.push_str("  ");
            pad_to(&mut out, &kind(c), kind_width);
            let _ = writeln!(out, "  {:>6}  {:>5}  {:>11.2}", c.degree, c.links, c.betweenness);
        }
        if rows.len() > shown.len() {
            let _ = writeln!(out, "({} more; --format json lists every entity)", rows.len() - shown.len());
        }
        out
    }

    pub fn components_text(&self, components: &[Component]) -> String {
        let linked: Vec<&Component> = components.iter().filter(|c| c.nodes.len() > 1).collect();
        let isolated = components.len() - linked.len();
        let mut out = format!(
            "{} of linked entities, {}\n",
            count(linked.len(), "component", "components"),
            count(isolated, "isolated entity", "isolated entities")
        );
        const SHOWN: usize = 12;
        for c in linked {
            let names: Vec<&str> = c.nodes.iter().take(SHOWN).map(|&n| &*self.graph[n].name).collect();
            let more =
                if c.nodes.len() > SHOWN { format!(", … {} more", c.nodes.len() - SHOWN) } else { String::new() };
            let _ = writeln!(out, "  {} ({} entities): {}{more}", c.name, c.nodes.len(), names.join(", "));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_distinct_styles() {
        let styles: Vec<_> = ["actor", "event", "factor", "period", "thing"].iter().map(|k| kind_style(k)).collect();
        for (i, a) in styles.iter().enumerate() {
            assert!(styles[i + 1..].iter().all(|b| b != a));
        }
        assert_eq!(kind_style("alliance"), kind_style("alliance"));
    }
}
