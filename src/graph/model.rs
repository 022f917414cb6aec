//! The entity graph itself: nodes for the text constants that appear in facts, an undirected
//! petgraph edge for each pair of entities a fact links, and the facts the edges remember.
//!
//! The graph owns copies of everything it shows (names, argument values, citations), so it can
//! be queried and exported without the program, database or interner it was built from.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::Arc;

use petgraph::graph::{NodeIndex, UnGraph};
use rustc_hash::FxHashMap;

use crate::check::BUILTIN_KINDS;
use crate::eval::{Database, RowOrigin};
use crate::program::{ArgType, FactOrigin, PredId, Program};
use crate::source::SourceMap;
use crate::value::{Id, Interner, Interval, Value};

/// The kind of an entity that no declaration gives a kind.
pub const THING: &str = "thing";

/// An entity: a text constant that appears in some fact.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityNode {
    pub name: Arc<str>,
    /// The declared kind (`actor`, `event`, a user kind ...), or [`THING`].
    pub kind: Arc<str>,
    /// The declared label, else the text of a `label(name, "...")` fact.
    pub label: Option<Arc<str>>,
    /// The time of the entity declaration (`period cold_war "..." @ 1953..1990`).
    pub time: Option<Interval>,
    /// Facts that mention this entity and no other (`democratized(rok)`,
    /// `anniversary(rok_us_alliance, 70)`): indices into [`EntityGraph::facts`].
    pub properties: Vec<usize>,
}

/// A citation of a stated fact: `cite source "quote"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cite {
    pub source: Arc<str>,
    pub quote: Arc<str>,
}

/// Where a fact of the graph came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Stated in a `.kb` file: `file:line` and its citations.
    Stated { at: String, cites: Vec<Cite> },
    /// Line `line` of the data file `file` read by `load`.
    Loaded { file: Arc<str>, line: u32 },
    /// Derived by a rule (only in a graph built with `base_only == false`).
    Derived,
}

/// One fact of the knowledge base, as the graph remembers it.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    pub pred: Arc<str>,
    /// The user-visible arguments.
    pub args: Vec<Value>,
    /// The hidden time column of a temporal predicate; `None` when the predicate is not
    /// temporal or the fact is undated (stated without `@`).
    pub interval: Option<Interval>,
    pub origin: Origin,
    /// The argument names of a declared predicate (`pred defends(alliance, defended, against)`),
    /// which word its edges; `None` for an undeclared one.
    pub arg_names: Option<Arc<[Arc<str>]>>,
}

impl Fact {
    /// The fact as it would be written: `aid(us, rok, military, 2500000000.0, exact) @ 1954..1971`.
    pub fn text(&self) -> String {
        let mut out = self.atom_text();
        if let Some(t) = self.interval.filter(|t| *t != Interval::ALWAYS) {
            let _ = write!(out, " @ {t}");
        }
        out
    }

    /// The fact without its interval: `aid(us, rok, military, 2500000000.0, exact)`.
    pub fn atom_text(&self) -> String {
        crate::syntax::print::ground_atom(&self.pred, &self.args)
    }

    /// Whether the fact holds at some time in `window` (a fact without an interval always does).
    pub fn overlaps(&self, window: &Interval) -> bool {
        self.interval.is_none_or(|t| t.overlaps(window))
    }

    pub fn is_derived(&self) -> bool {
        self.origin == Origin::Derived
    }
}

/// An edge: the fact that links two entities, and which of its arguments they are. The edge's
/// petgraph source is the entity at `from_arg`, its target the one at `to_arg`
/// (`from_arg < to_arg`), so exports can draw it in argument order. Of a declared predicate,
/// `from_arg` is the fact's subject, its first entity argument (see [`EntityGraph::edge_label`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    /// Index into [`EntityGraph::facts`].
    pub fact: usize,
    pub from_arg: usize,
    pub to_arg: usize,
}

/// The entity graph of a knowledge base (see `docs/graph.md`).
///
/// **Invariant:** node indices are in order of entity name, and edge indices in order of
/// facts (predicates in program order, rows in database order), so every query that breaks
/// ties by index is deterministic and reads naturally.
#[derive(Debug, Clone, Default)]
pub struct EntityGraph {
    pub graph: UnGraph<EntityNode, Link>,
    pub facts: Vec<Fact>,
    /// Whether derived facts were left out.
    pub base_only: bool,
    by_name: FxHashMap<Arc<str>, NodeIndex>,
}

/// What a predicate contributes to the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// `actor/1` and the other kind relations: node kinds, not edges.
    Kind,
    /// `label/2`: node labels, not edges.
    Label,
    /// Every other predicate: edges (two or more entities) or properties (one).
    Link,
    /// The `graph:` built-ins: computed from this graph, so never part of it.
    Builtin,
}

impl EntityGraph {
    /// Builds the graph of `db` (base and derived facts, or base facts only).
    pub fn build(
        program: &Program,
        db: &Database,
        interner: &Interner,
        sources: &SourceMap,
        base_only: bool,
    ) -> EntityGraph {
        build(program, db, interner, Some(sources), base_only)
    }

    /// The graph's structure without citations (the built-in predicates need no more).
    pub(crate) fn build_structure(program: &Program, db: &Database, interner: &Interner) -> EntityGraph {
        build(program, db, interner, None, true)
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// The node of the entity called `name`, if it is one.
    pub fn find(&self, name: &str) -> Option<NodeIndex> {
        self.by_name.get(name).copied()
    }

    /// Entity names in node order (sorted).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.graph.node_weights().map(|n| &*n.name)
    }

    /// How an edge reads, from its source to its target (docs/graph.md): the predicate, and for a
    /// declared predicate the name of the argument the edge points to, `defends (against)`
    /// (only the predicate when that argument is named like it: `member`).
    pub fn edge_label(&self, edge: petgraph::graph::EdgeIndex) -> String {
        let link = &self.graph[edge];
        let fact = &self.facts[link.fact];
        match fact.arg_names.as_ref().and_then(|names| names.get(link.to_arg)) {
            Some(name) if **name != *fact.pred => format!("{} ({name})", fact.pred),
            _ => fact.pred.to_string(),
        }
    }

    pub(crate) fn from_parts(graph: UnGraph<EntityNode, Link>, facts: Vec<Fact>, base_only: bool) -> EntityGraph {
        let by_name = graph.node_indices().map(|i| (graph[i].name.clone(), i)).collect();
        EntityGraph { graph, facts, base_only, by_name }
    }
}

fn build(
    program: &Program,
    db: &Database,
    interner: &Interner,
    sources: Option<&SourceMap>,
    base_only: bool,
) -> EntityGraph {
    // 1. What each predicate contributes: kind relations and `label/2` are node attributes.
    let mut kind_names: BTreeSet<&str> = BUILTIN_KINDS.iter().copied().collect();
    kind_names.extend(program.entities.iter().map(|e| &*e.kind));
    let roles: Vec<Role> = program
        .preds
        .iter()
        .map(|p| match (&*p.name, p.arity) {
            (name, _) if name.starts_with("graph:") => Role::Builtin,
            (name, 1) if kind_names.contains(name) => Role::Kind,
            ("label", 2) => Role::Label,
            _ => Role::Link,
        })
        .collect();
    let visible_rows = |pred: usize| {
        let rel = db.relations.get(pred);
        let n = if program.preds[pred].arity == 0 { 0 } else { rel.map_or(0, |r| r.end()) };
        (0..n).filter(move |&row| rel.is_some_and(|r| r.is_live(row) && (!base_only || r.height(row) == 0)))
    };
    // 2. Every text constant in a user-visible argument is an entity (the text of a label is
    //    not); of a declared predicate, only the arguments declared with an entity kind, so its
    //    qualifier words (`exact`, `about`) stay attributes of the fact.
    let is_entity_arg = |info: &crate::program::PredInfo, pos: usize| {
        info.decl.as_ref().is_none_or(|d| {
            matches!(d.args.get(pos).and_then(|a| a.ty.as_ref()), Some(ArgType::Kind(_) | ArgType::Entity))
        })
    };
    let mut kind_of: FxHashMap<Id, Arc<str>> = FxHashMap::default();
    let mut label_of: FxHashMap<Id, Arc<str>> = FxHashMap::default();
    let mut entities: BTreeSet<(Arc<str>, Id)> = BTreeSet::new();
    for (pred, info) in program.preds.iter().enumerate() {
        if roles[pred] == Role::Builtin {
            continue;
        }
        let rel = &db.relations[pred];
        for row in visible_rows(pred) {
            let args = &rel.row(row)[..info.arity];
            let n_entity_args = if roles[pred] == Role::Label { 1 } else { info.arity };
            for (pos, &id) in args[..n_entity_args].iter().enumerate() {
                if roles[pred] == Role::Link && !is_entity_arg(info, pos) {
                    continue;
                }
                if let Value::Text(t) = interner.value(id) {
                    entities.insert((t, id));
                }
            }
            match roles[pred] {
                Role::Kind => {
                    kind_of.entry(args[0]).or_insert_with(|| info.name.clone());
                }
                Role::Label => {
                    if let Value::Text(t) = interner.value(args[1]) {
                        label_of.entry(args[0]).or_insert(t);
                    }
                }
                Role::Link | Role::Builtin => {}
            }
        }
    }
    // 3. Nodes in name order; a declaration's kind and label win over kind and label facts.
    let declared: FxHashMap<&str, &crate::program::EntityInfo> =
        program.entities.iter().rev().map(|e| (&*e.name, e)).collect();
    let mut graph = UnGraph::with_capacity(entities.len(), 0);
    let mut node_of: FxHashMap<Id, NodeIndex> = FxHashMap::default();
    for (name, id) in entities {
        let decl = declared.get(&*name);
        let node = EntityNode {
            kind: decl
                .map(|e| e.kind.clone())
                .or_else(|| kind_of.get(&id).cloned())
                .unwrap_or_else(|| Arc::from(THING)),
            label: decl.and_then(|e| e.label.clone()).or_else(|| label_of.get(&id).cloned()),
            time: decl.and_then(|e| e.time),
            properties: Vec::new(),
            name,
        };
        node_of.insert(id, graph.add_node(node));
    }
    // 4. Facts: two or more distinct entities of an undeclared predicate join every pair (in
    //    argument order); of a declared predicate, the first (the subject) is joined to each
    //    other one, so every edge reads from the subject to a named argument. Exactly one
    //    entity makes a property of its node; none (only numbers) leaves the fact out.
    let mut facts = Vec::new();
    for (pred, info) in program.preds.iter().enumerate() {
        if roles[pred] != Role::Link {
            continue;
        }
        let arg_names: Option<Arc<[Arc<str>]>> = info
            .decl
            .as_ref()
            .filter(|d| d.args.len() == info.arity)
            .map(|d| d.args.iter().map(|a| a.name.clone()).collect());
        let rel = &db.relations[pred];
        for row in visible_rows(pred) {
            let ids = rel.row(row);
            let mut mentioned: Vec<(usize, NodeIndex)> = Vec::new();
            for (pos, id) in ids[..info.arity].iter().enumerate() {
                if !is_entity_arg(info, pos) {
                    continue;
                }
                if let Some(&node) = node_of.get(id) {
                    if !mentioned.iter().any(|&(_, n)| n == node) {
                        mentioned.push((pos, node));
                    }
                }
            }
            if mentioned.is_empty() {
                continue;
            }
            let fact_idx = facts.len();
            facts.push(Fact {
                pred: info.name.clone(),
                args: ids[..info.arity].iter().map(|&id| interner.value(id)).collect(),
                interval: info.temporal.then(|| interner.value(ids[info.arity]).as_interval()).flatten(),
                origin: origin(program, db, sources, pred as PredId, row),
                arg_names: arg_names.clone(),
            });
            if let [(_, node)] = mentioned[..] {
                graph[node].properties.push(fact_idx);
                continue;
            }
            // A declared predicate's edges are a star from its subject; an undeclared one's a clique.
            let sources = if arg_names.is_some() { 1 } else { mentioned.len() };
            for (i, &(from_arg, a)) in mentioned.iter().enumerate().take(sources) {
                for &(to_arg, b) in &mentioned[i + 1..] {
                    graph.add_edge(a, b, Link { fact: fact_idx, from_arg, to_arg });
                }
            }
        }
    }
    EntityGraph::from_parts(graph, facts, base_only)
}

fn origin(program: &Program, db: &Database, sources: Option<&SourceMap>, pred: PredId, row: u32) -> Origin {
    if db.relation(pred).height(row) > 0 {
        return Origin::Derived;
    }
    match db.origin(program, pred, row) {
        Some(RowOrigin::Stated(FactOrigin::Stated { span, cites, .. })) => Origin::Stated {
            at: sources.map(|s| s.file_line(*span)).unwrap_or_default(),
            cites: cites.iter().map(|c| Cite { source: c.source.clone(), quote: c.quote.clone() }).collect(),
        },
        Some(RowOrigin::Stated(FactOrigin::Row { load, line })) => {
            Origin::Loaded { file: program.loads[*load as usize].file.clone(), line: *line }
        }
        Some(RowOrigin::Loaded { load, line }) => Origin::Loaded { file: program.loads[load].file.clone(), line },
        None => Origin::Derived,
    }
}
