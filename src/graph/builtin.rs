//! Built-in `graph:` predicates, computed from the base facts' entity graph.
//!
//! The `graph:` prefix is reserved (the checker rejects defining such predicates), so these
//! names never clash with user predicates. Each built-in is a plain relation without time:
//! the evaluator treats it as a base relation filled by [`builtin_rows`] before the first
//! stratum, so rules and queries use it like any other predicate.

use rustc_hash::FxHashSet;

use crate::diag::Diagnostic;
use crate::eval::Database;
use crate::program::Program;
use crate::value::{Id, Interner, Value};

use super::model::EntityGraph;

/// The built-in predicates and their arities.
pub use crate::program::BUILTINS;

/// Above this many entities `graph:distance` refuses: all pairs grow with the square.
pub const MAX_DISTANCE_ENTITIES: usize = 5_000;

fn int(i: usize, interner: &mut Interner) -> Id {
    interner.intern(Value::Int(i as i64))
}

/// The arity of a built-in, if `name` is one.
pub fn builtin_arity(name: &str) -> Option<usize> {
    BUILTINS.iter().find(|(n, _)| *n == name).map(|&(_, a)| a)
}

/// The rows of the built-in `name`, computed from the base facts of `db`:
///
/// - `graph:link(A, B, Pred)`: an edge of a `Pred` fact joins entities `A` and `B` (docs/graph.md: a
///   declared predicate links its subject with each other entity argument); symmetric,
///   one row per direction.
/// - `graph:degree(E, N)`: `E` is linked to `N` distinct other entities (every entity, 0 too).
/// - `graph:component(E, C)`: `C` is the smallest entity name in `E`'s connected component.
/// - `graph:distance(A, B, N)`: the fewest facts that chain `A` to `B` (`N = 0` for `A = B`);
///   every connected pair, refused above [`MAX_DISTANCE_ENTITIES`] entities.
pub fn builtin_rows(
    name: &str,
    program: &Program,
    db: &Database,
    interner: &mut Interner,
) -> Result<Vec<Vec<Id>>, Diagnostic> {
    if builtin_arity(name).is_none() {
        let known: Vec<&str> = BUILTINS.iter().map(|(n, _)| *n).collect();
        return Err(Diagnostic::error("graph::unknown_builtin", format!("`{name}` is not a built-in predicate"))
            .help(format!("the graph built-ins are {}", known.join(", "))));
    }
    if name.starts_with("evidence:") {
        return crate::program::citations::builtin_rows(name, program, interner);
    }
    let graph = EntityGraph::build_structure(program, db, interner);
    let g = &graph.graph;
    let mut entity_ids: Vec<Id> = Vec::with_capacity(g.node_count());
    for n in g.node_weights() {
        entity_ids.push(interner.intern_text(&n.name));
    }
    let mut rows = Vec::new();
    match name {
        "graph:link" => {
            let mut seen = FxHashSet::default();
            for e in g.edge_indices() {
                let Some((a, b)) = g.edge_endpoints(e) else { continue };
                let pred = interner.intern_text(&graph.facts[g[e].fact].pred);
                for (x, y) in [(a, b), (b, a)] {
                    let row = vec![entity_ids[x.index()], entity_ids[y.index()], pred];
                    if seen.insert(row.clone()) {
                        rows.push(row);
                    }
                }
            }
        }
        "graph:degree" => {
            for (i, neighbours) in graph.simple_adjacency().iter().enumerate() {
                rows.push(vec![entity_ids[i], int(neighbours.len(), interner)]);
            }
        }
        "graph:component" => {
            for c in graph.components() {
                let name = interner.intern_text(&c.name);
                rows.extend(c.nodes.iter().map(|n| vec![entity_ids[n.index()], name]));
            }
        }
        "graph:distance" => {
            let n = g.node_count();
            if n > MAX_DISTANCE_ENTITIES {
                return Err(Diagnostic::error(
                    "graph::too_large",
                    format!(
                        "`graph:distance` computes all pairs and refuses above {MAX_DISTANCE_ENTITIES} entities; this graph has {n}"
                    ),
                )
                .help("use `because graph --path A B` for one pair, or `graph:link` in a recursive rule"));
            }
            for start in g.node_indices() {
                for (i, d) in graph.distances_from(start, None).into_iter().enumerate() {
                    if let Some(d) = d {
                        rows.push(vec![entity_ids[start.index()], entity_ids[i], int(d, interner)]);
                    }
                }
            }
        }
        _ => {}
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Limits;
    use crate::kb::KnowledgeBase;

    /// Loads `text`, computes the built-in `name`, and renders its rows sorted, one per line.
    fn check(text: &str, name: &str, expect: &str) {
        let mut kb = KnowledgeBase::new(Limits::default());
        kb.load_str("test.kb", text, None).map_err(|e| format!("{:?}", e.diagnostics)).unwrap();
        let (program, db, interner, _) = kb.parts_mut();
        let rows = builtin_rows(name, program, db, interner).unwrap();
        let mut lines: Vec<String> = rows
            .iter()
            .map(|r| r.iter().map(|&id| interner.value(id).to_string()).collect::<Vec<_>>().join(" "))
            .collect();
        lines.sort();
        assert_eq!(lines.join("\n"), expect.trim(), "rows of {name}");
    }

    const CHAIN: &str = "
        actor a. actor b.
        knows(a, b). knows(b, c). likes(c, d) @ 2000. age(a, 40).
        sells(x, y, z). lonely(w).
        friend(X, Y) :- knows(X, Y).
    ";

    #[test]
    fn link_is_symmetric_and_ignores_derived_facts() {
        check(
            CHAIN,
            "graph:link",
            "a b knows\nb a knows\nb c knows\nc b knows\nc d likes\nd c likes\n\
             x y sells\nx z sells\ny x sells\ny z sells\nz x sells\nz y sells",
        );
    }

    #[test]
    fn degree_counts_distinct_neighbours() {
        check(CHAIN, "graph:degree", "a 1\nb 2\nc 2\nd 1\nw 0\nx 2\ny 2\nz 2");
    }

    #[test]
    fn component_is_named_by_its_smallest_entity() {
        check(CHAIN, "graph:component", "a a\nb a\nc a\nd a\nw w\nx x\ny x\nz x");
    }

    #[test]
    fn distance_counts_hops_between_connected_pairs() {
        check(
            "p(a, b). p(b, c). q(c, a). r(d, e).",
            "graph:distance",
            "a a 0\na b 1\na c 1\nb a 1\nb b 0\nb c 1\nc a 1\nc b 1\nc c 0\nd d 0\nd e 1\ne d 1\ne e 0",
        );
        check(
            "p(a, b). p(b, c). p(c, d).",
            "graph:distance",
            "a a 0\na b 1\na c 2\na d 3\nb a 1\nb b 0\nb c 1\nb d 2\nc a 2\nc b 1\nc c 0\nc d 1\nd a 3\nd b 2\nd c 1\nd d 0",
        );
    }

    #[test]
    fn unknown_builtin_is_a_diagnostic() {
        let mut kb = KnowledgeBase::new(Limits::default());
        kb.load_str("test.kb", "p(a, b).", None).unwrap();
        let (program, db, interner, _) = kb.parts_mut();
        let err = builtin_rows("graph:path", program, db, interner).unwrap_err();
        assert_eq!(err.code, "graph::unknown_builtin");
        assert!(err.help.unwrap().contains("graph:link"));
        assert!(BUILTINS.iter().all(|(n, a)| builtin_arity(n) == Some(*a)));
    }
}
