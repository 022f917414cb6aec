//! The knowledge graph view: entities and the facts that link them, as a petgraph graph, with
//! paths that explain themselves; and the predicate dependency graph with its strata.
//!
//! [`run_request`] is the front-end-neutral entry point: `because graph ...` and the REPL's
//! `:graph` fill a [`GraphRequest`] and print the string it returns. The pieces it uses are
//! public for library users:
//!
//! - [`model`]: [`EntityGraph::build`], nodes ([`EntityNode`]) and the facts edges remember;
//! - [`query`]: shortest paths, neighbourhoods, centrality, components;
//! - [`rules`]: the predicate dependency graph ([`rule_graph`]);
//! - [`export`]: text, DOT and JSON (the JSON schema is in `docs/graph.md`);
//! - [`builtin`]: the `graph:` predicates rules and queries can use.
//!
//! **Architecture invariant:** this module reads what evaluation produced and never evaluates,
//! prints or touches files; the built-ins read base facts only, so they never depend on the
//! rules that use them.

pub mod builtin;
pub mod export;
pub mod model;
pub mod query;
pub mod rules;

pub use builtin::{BUILTINS, MAX_DISTANCE_ENTITIES, builtin_arity, builtin_rows};
pub use model::{Cite, EntityGraph, EntityNode, Fact, Link, Origin, THING};
pub use query::{Centrality, Component, Neighbourhood, Path, PathFilter, Step};
pub use rules::{DependencyKind, RuleGraph, rule_graph};

use crate::diag::Diagnostic;
use crate::kb::{Error, KnowledgeBase};
use crate::value::Interval;

/// How `run_request` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GraphFormat {
    #[default]
    Text,
    Dot,
    Json,
}

impl GraphFormat {
    pub fn parse(s: &str) -> Option<GraphFormat> {
        Some(match s {
            "text" => GraphFormat::Text,
            "dot" => GraphFormat::Dot,
            "json" => GraphFormat::Json,
            _ => return None,
        })
    }
}

/// One graph command. At most one of `path`, `around`, `central`, `components`, `rules` is set;
/// none asks for the whole graph. `during` and `preds` restrict every entity view.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphRequest {
    /// `--path A B`: the shortest chain of facts from A to B.
    pub path: Option<(String, String)>,
    /// `--during 1991..2019`: only facts that hold at some time in the window.
    pub during: Option<Interval>,
    /// `--preds p,q`: only facts of these predicates.
    pub preds: Option<Vec<String>>,
    /// `--around X`: X's neighbourhood to `depth` hops.
    pub around: Option<String>,
    pub depth: usize,
    /// `--central`: entities ranked by degree and betweenness.
    pub central: bool,
    /// `--components`: connected components.
    pub components: bool,
    /// `--rules`: the predicate dependency graph with its strata.
    pub rules: bool,
    /// `--base-only`: leave derived facts out.
    pub base_only: bool,
    pub format: GraphFormat,
}

impl Default for GraphRequest {
    /// The whole graph as text, neighbourhoods one hop deep.
    fn default() -> GraphRequest {
        GraphRequest {
            path: None,
            during: None,
            preds: None,
            around: None,
            depth: 1,
            central: false,
            components: false,
            rules: false,
            base_only: false,
            format: GraphFormat::Text,
        }
    }
}

impl GraphRequest {
    pub fn filter(&self) -> PathFilter {
        PathFilter { during: self.during, preds: self.preds.clone() }
    }
}

/// What `run` produced: the printable text, and whether it found nothing (a path that does not
/// exist), so a command line can exit with 1 as for a query without answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphOutput {
    pub text: String,
    pub empty: bool,
}

/// How many entities `--central` lists in text (JSON lists all).
pub const CENTRAL_SHOWN: usize = 20;

/// Runs a graph request and returns the output to print.
pub fn run_request(kb: &KnowledgeBase, req: &GraphRequest) -> Result<String, Error> {
    run(kb, req).map(|o| o.text)
}

/// Runs a graph request; like [`run_request`] but says whether the answer was empty.
pub fn run(kb: &KnowledgeBase, req: &GraphRequest) -> Result<GraphOutput, Error> {
    let modes = [req.path.is_some(), req.around.is_some(), req.central, req.components, req.rules];
    if modes.iter().filter(|&&m| m).count() > 1 {
        return Err(Diagnostic::error(
            "graph::conflicting_requests",
            "ask for one of --path, --around, --central, --components and --rules at a time",
        )
        .into());
    }
    let out = |text: String| Ok(GraphOutput { text, empty: false });
    let (program, sources) = (kb.program(), kb.sources());
    if req.rules {
        let rg = rule_graph(program);
        return out(match req.format {
            GraphFormat::Text => rg.to_text(sources),
            GraphFormat::Dot => rg.to_dot(),
            GraphFormat::Json => export::to_json_string(&rg.to_json(sources)),
        });
    }
    let filter = req.filter();
    filter.check(program)?;
    let full = EntityGraph::build(program, kb.database(), kb.interner(), sources, req.base_only);
    if let Some((a, b)) = &req.path {
        let (from, to) = (full.node(a)?, full.node(b)?);
        let path = full.shortest_path(a, b, &filter)?;
        let text = match req.format {
            GraphFormat::Text => full.path_text(from, to, path.as_ref()),
            GraphFormat::Dot => full.path_dot(from, to, path.as_ref()),
            GraphFormat::Json => export::to_json_string(&full.path_json(from, to, path.as_ref(), &filter)),
        };
        return Ok(GraphOutput { text, empty: path.is_none() });
    }
    // Names are resolved against the whole graph, so an entity that the filter cuts off is
    // still found (and has an empty neighbourhood) rather than called unknown.
    let graph = full.restricted(&filter);
    if let Some(center) = &req.around {
        let hood = graph.neighbourhood(center, req.depth)?;
        return out(match req.format {
            GraphFormat::Text => graph.neighbourhood_text(&hood),
            GraphFormat::Dot => graph.neighbourhood_dot(&hood),
            GraphFormat::Json => export::to_json_string(&graph.neighbourhood_json(&hood, &filter)),
        });
    }
    if req.central {
        let rows = graph.centrality();
        return out(match req.format {
            GraphFormat::Text => graph.centrality_text(&rows, CENTRAL_SHOWN),
            GraphFormat::Dot => graph.to_dot(&filter),
            GraphFormat::Json => export::to_json_string(&graph.centrality_json(&rows, &filter)),
        });
    }
    if req.components {
        let components = graph.components();
        return out(match req.format {
            GraphFormat::Text => graph.components_text(&components),
            GraphFormat::Dot => graph.to_dot(&filter),
            GraphFormat::Json => export::to_json_string(&graph.components_json(&components, &filter)),
        });
    }
    out(match req.format {
        GraphFormat::Text => graph.summary_text(),
        GraphFormat::Dot => graph.to_dot(&filter),
        GraphFormat::Json => export::to_json_string(&graph.to_json(&filter)),
    })
}

/// Reads a `--during` window: `1991..2019`, `1991..`, `..1990` or one year `1995`.
pub fn parse_interval(text: &str) -> Option<Interval> {
    crate::kb::param_value(text).as_interval()
}
