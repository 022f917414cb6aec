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
//!
//! ```
//! use because::graph::{GraphFormat, GraphRequest, run};
//! use because::kb::KnowledgeBase;
//!
//! let mut kb = KnowledgeBase::default();
//! kb.load_str("g.kb", "member(nato, us).\nmember(nato, uk).\nally(uk, fr).\n", None)?;
//! let request = GraphRequest { path: Some(("us".into(), "fr".into())), ..GraphRequest::default() };
//! let out = run(&kb, &request)?;
//! assert!(!out.empty);
//! assert!(out.text.contains("member"), "{}", out.text);
//! // The same as JSON (schema in docs/graph.md).
//! let json = run(&kb, &GraphRequest { format: GraphFormat::Json, ..request })?;
//! let doc: serde_json::Value = serde_json::from_str(&json.text).unwrap();
//! assert_eq!((doc["version"].as_u64(), doc["found"].as_bool()), (Some(1), Some(true)));
//! # Ok::<(), because::kb::Error>(())
//! ```

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
use crate::eval::{Database, Limits};
use crate::program::Program;
use crate::source::SourceMap;
use crate::value::Interner;
use crate::value::Interval;

/// How `run_request` prints: text, DOT or JSON (`docs/graph.md`).
///
/// ```
/// use because::graph::GraphFormat;
///
/// assert_eq!(GraphFormat::parse("dot"), Some(GraphFormat::Dot));
/// assert_eq!(GraphFormat::default(), GraphFormat::Text);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GraphFormat {
    /// Lines of text for a terminal.
    #[default]
    Text,
    /// A Graphviz graph.
    Dot,
    /// One JSON document (`docs/graph.md`).
    Json,
    /// An SVG picture laid out in-process ([`crate::svg`]); not for `--rules`.
    Svg,
}

impl GraphFormat {
    /// The format named on a command line: `text`, `dot` or `json`.
    ///
    /// ```
    /// assert_eq!(because::graph::GraphFormat::parse("png"), None);
    /// ```
    pub fn parse(s: &str) -> Option<GraphFormat> {
        Some(match s {
            "text" => GraphFormat::Text,
            "dot" => GraphFormat::Dot,
            "json" => GraphFormat::Json,
            "svg" => GraphFormat::Svg,
            _ => return None,
        })
    }
}

/// One graph command. At most one of `path`, `around`, `central`, `components`, `rules` is set;
/// none asks for the whole graph. `during` and `preds` restrict every entity view.
///
/// ```
/// use because::graph::{GraphRequest, run};
/// use because::kb::KnowledgeBase;
/// use because::value::Interval;
///
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("g.kb", "ally(a, b) @ 1950..1960.\nally(b, c) @ 1990..2000.\n", None)?;
/// // b's neighbourhood, counting only facts that hold at some time in the 1990s.
/// let request = GraphRequest {
///     around: Some("b".into()),
///     during: Some(Interval::years(Some(1990), Some(1999))),
///     ..GraphRequest::default()
/// };
/// let text = run(&kb, &request)?.text;
/// assert!(text.contains('c') && !text.contains("ally(a, b)"), "{text}");
/// # Ok::<(), because::kb::Error>(())
/// ```
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
    /// `--depth N`: hops for `around` (default 1).
    pub depth: usize,
    /// `--central`: entities ranked by degree and betweenness.
    pub central: bool,
    /// `--components`: connected components.
    pub components: bool,
    /// `--rules`: the predicate dependency graph with its strata.
    pub rules: bool,
    /// `--base-only`: leave derived facts out.
    pub base_only: bool,
    /// `--format`: text, dot or json.
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
    /// The `during`/`preds` restriction as a filter for the [`query`] functions.
    ///
    /// ```
    /// use because::graph::GraphRequest;
    ///
    /// let f = GraphRequest { preds: Some(vec!["member".into()]), ..GraphRequest::default() }.filter();
    /// assert_eq!(f.preds.as_deref(), Some(&["member".to_string()][..]));
    /// ```
    pub fn filter(&self) -> PathFilter {
        PathFilter { during: self.during, preds: self.preds.clone() }
    }
}

/// What `run` produced: the printable text, and whether it found nothing (a path that does not
/// exist), so a command line can exit with 1 as for a query without answers.
///
/// ```
/// use because::graph::{GraphRequest, run};
/// use because::kb::KnowledgeBase;
///
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("g.kb", "ally(a, b).\nally(c, d).\n", None)?;
/// let out = run(&kb, &GraphRequest { path: Some(("a".into(), "d".into())), ..GraphRequest::default() })?;
/// assert!(out.empty, "no chain of facts links a to d");
/// # Ok::<(), because::kb::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphOutput {
    /// What to print.
    pub text: String,
    /// The answer was empty: no path exists.
    pub empty: bool,
}

/// What the graph views read: the checked program, its evaluated database, the interner, the
/// source texts and the limits. A [`crate::kb::KnowledgeBase`] and a [`crate::kb::Snapshot`]
/// are both one (the impls are in `kb`, so the graph does not depend on the knowledge base).
pub trait Base {
    fn program(&self) -> &Program;
    fn database(&self) -> &Database;
    fn interner(&self) -> &Interner;
    fn sources(&self) -> &SourceMap;
    fn limits(&self) -> &Limits;
}

/// How many entities `--central` lists in text (JSON lists all).
///
/// ```
/// assert_eq!(because::graph::CENTRAL_SHOWN, 20);
/// ```
pub const CENTRAL_SHOWN: usize = 20;

/// Runs a graph request and returns the output to print.
///
/// ```
/// use because::graph::{GraphRequest, run_request};
/// use because::kb::KnowledgeBase;
///
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("g.kb", "p(a).\nq(X) :- p(X).\n", None)?;
/// let text = run_request(&kb, &GraphRequest { rules: true, ..GraphRequest::default() })?;
/// assert!(text.contains('q'), "{text}");
/// # Ok::<(), because::kb::Error>(())
/// ```
pub fn run_request(kb: &impl Base, req: &GraphRequest) -> Result<String, Diagnostic> {
    run(kb, req).map(|o| o.text)
}

/// Runs a graph request; like [`run_request`] but says whether the answer was empty.
/// Asking for two views at once is an error (`graph::conflicting_requests`).
///
/// ```
/// use because::graph::{GraphFormat, GraphRequest, run};
/// use because::kb::KnowledgeBase;
///
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("g.kb", "ally(a, b).\nally(b, c).\nally(x, y).\n", None)?;
/// let json = run(&kb, &GraphRequest { components: true, format: GraphFormat::Json, ..GraphRequest::default() })?;
/// let doc: serde_json::Value = serde_json::from_str(&json.text).unwrap();
/// assert_eq!(doc["components"].as_array().map(Vec::len), Some(2));
///
/// let both = GraphRequest { central: true, components: true, ..GraphRequest::default() };
/// assert_eq!(run(&kb, &both).unwrap_err().code, "graph::conflicting_requests");
/// # Ok::<(), because::kb::Error>(())
/// ```
pub fn run(kb: &impl Base, req: &GraphRequest) -> Result<GraphOutput, Diagnostic> {
    let modes = [req.path.is_some(), req.around.is_some(), req.central, req.components, req.rules];
    if modes.iter().filter(|&&m| m).count() > 1 {
        return Err(Diagnostic::error(
            "graph::conflicting_requests",
            "ask for one of --path, --around, --central, --components and --rules at a time",
        ));
    }
    let out = |text: String| Ok(GraphOutput { text, empty: false });
    let (program, sources) = (kb.program(), kb.sources());
    if req.rules {
        if req.format == GraphFormat::Svg {
            return Err(Diagnostic::error("graph::svg_rules", "the rule graph has no SVG picture")
                .help("use --format dot (and `dot -Tsvg`), text or json with --rules"));
        }
        let rg = rule_graph(program);
        return out(match req.format {
            GraphFormat::Text => rg.to_text(sources),
            GraphFormat::Dot => rg.to_dot(),
            GraphFormat::Json | GraphFormat::Svg => export::to_json_string(&rg.to_json(sources)),
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
            GraphFormat::Svg => full.path_svg(from, to, path.as_ref()),
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
            GraphFormat::Svg => graph.neighbourhood_svg(&hood),
            GraphFormat::Json => export::to_json_string(&graph.neighbourhood_json(&hood, &filter)),
        });
    }
    if req.central {
        // Quadratic in the entities: the time limit and Ctrl-C are polled per entity.
        let mut guard = crate::eval::Guard::new(kb.limits());
        guard.place = "while ranking entities".into();
        let rows = graph.centrality_checked(&mut || guard.check())?;
        return out(match req.format {
            GraphFormat::Text => graph.centrality_text(&rows, CENTRAL_SHOWN),
            GraphFormat::Dot => graph.to_dot(&filter),
            GraphFormat::Svg => graph.to_svg(&filter),
            GraphFormat::Json => export::to_json_string(&graph.centrality_json(&rows, &filter)),
        });
    }
    if req.components {
        let components = graph.components();
        return out(match req.format {
            GraphFormat::Text => graph.components_text(&components),
            GraphFormat::Dot => graph.to_dot(&filter),
            GraphFormat::Svg => graph.to_svg(&filter),
            GraphFormat::Json => export::to_json_string(&graph.components_json(&components, &filter)),
        });
    }
    out(match req.format {
        GraphFormat::Text => graph.summary_text(),
        GraphFormat::Dot => graph.to_dot(&filter),
        GraphFormat::Svg => graph.to_svg(&filter),
        GraphFormat::Json => export::to_json_string(&graph.to_json(&filter)),
    })
}

/// Reads a `--during` window: `1991..2019`, `1991..`, `..1990` or one year `1995`.
///
/// ```
/// use because::graph::parse_interval;
/// use because::value::Interval;
///
/// assert_eq!(parse_interval("1995"), Some(Interval::year(1995)));
/// assert_eq!(parse_interval("1991.."), Some(Interval::years(Some(1991), None)));
/// assert_eq!(parse_interval("soon"), None);
/// ```
pub fn parse_interval(text: &str) -> Option<Interval> {
    crate::value::param_value(text).as_interval()
}
