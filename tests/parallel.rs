//! Rules whose delta or first scan is split across threads give exactly the facts, and the
//! explanations, of a single thread. The graphs are large enough that their rounds split (at
//! least 4,096 delta rows per part) and, in the first test, the scans of the closure too
//! (2^18 rows per part); the closure is checked against a breadth-first search.

use std::collections::{BTreeSet, VecDeque};

use because::eval::Limits;
use because::kb::KnowledgeBase;
use because::value::Value;

/// A random graph: `nodes` nodes, `edges` edges (a fixed linear congruential sequence).
fn graph(nodes: u64, edges: usize) -> Vec<(u64, u64)> {
    let mut state = 0x853c_49e6_748f_ea9bu64;
    let mut next = move || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % nodes
    };
    (0..edges).map(|_| (next(), next())).collect()
}

fn closure(nodes: u64, edges: &[(u64, u64)]) -> BTreeSet<(u64, u64)> {
    let mut out = vec![Vec::new(); nodes as usize];
    for &(a, b) in edges {
        out[a as usize].push(b);
    }
    let mut paths = BTreeSet::new();
    for start in 0..nodes {
        let mut seen = vec![false; nodes as usize];
        let mut queue: VecDeque<u64> = out[start as usize].iter().copied().collect();
        while let Some(n) = queue.pop_front() {
            if !std::mem::replace(&mut seen[n as usize], true) {
                paths.insert((start, n));
                queue.extend(out[n as usize].iter().copied());
            }
        }
    }
    paths
}

/// The closure (split by delta), and pairs on a cycle and pairs without a way back (split by
/// the scan of `path`, with a membership test and a negation).
fn program(edges: &[(u64, u64)]) -> String {
    let mut text = String::from(
        "path(X, Y) :- edge(X, Y).\npath(X, Y) :- edge(X, Z), path(Z, Y).\n\
         both(X, Y) :- path(X, Y), path(Y, X).\noneway(X, Y) :- path(X, Y), not path(Y, X).\n",
    );
    for (a, b) in edges {
        text.push_str(&format!("edge({a}, {b}).\n"));
    }
    text
}

#[test]
fn split_rounds_derive_the_closure() {
    let (nodes, edges) = (760, graph(760, 4560));
    let mut kb = KnowledgeBase::new(Limits::default());
    kb.load_str("g.kb", &program(&edges), None).expect("the graph loads");
    let want = closure(nodes, &edges);
    // Large enough that the scans of `path` by `both` and `oneway` split too (2^18 rows a part).
    assert!(want.len() >= 1 << 19, "the closure has only {} pairs", want.len());
    let got: BTreeSet<(u64, u64)> = kb
        .query("path(X, Y)")
        .expect("the query runs")
        .rows
        .iter()
        .map(|row| match (&row[0], &row[1]) {
            (Value::Int(a), Value::Int(b)) => (*a as u64, *b as u64),
            other => panic!("not a pair of node numbers: {other:?}"),
        })
        .collect();
    assert_eq!(got.len(), want.len());
    assert!(got == want, "the closure differs from breadth-first search");
    for (pred, back) in [("both", true), ("oneway", false)] {
        let rows = kb.query(&format!("{pred}(X, Y)")).expect("the query runs").rows;
        let got: BTreeSet<(u64, u64)> = rows
            .iter()
            .map(|row| match (&row[0], &row[1]) {
                (Value::Int(a), Value::Int(b)) => (*a as u64, *b as u64),
                other => panic!("not a pair of node numbers: {other:?}"),
            })
            .collect();
        let want: BTreeSet<(u64, u64)> =
            want.iter().copied().filter(|&(a, b)| want.contains(&(b, a)) == back).collect();
        assert!(!want.is_empty() && got == want, "{pred} differs from the closure's pairs");
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads_allowed = std::env::var("BECAUSE_THREADS").map_or(true, |v| v.trim() != "1");
    if cores >= 2 && threads_allowed {
        assert!(kb.database().stats.split_runs > 0, "no round was split; the test no longer covers splitting");
    }
}

#[test]
fn one_thread_and_many_print_the_same_answers_and_proofs() {
    let edges = graph(400, 2400);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let file = dir.path().join("g.kb");
    let mut text = program(&edges);
    text.push_str("?- C = count : { path(_, _) }.\n?- why path(0, 399).\n?- why path(17, 3).\n");
    text.push_str("?- C = count : { both(_, _) }.\n?- C = count : { oneway(_, _) }.\n?- why both(3, 17).\n");
    std::fs::write(&file, text).expect("the program is written");
    let run = |threads: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_because"))
            .args(["run", "--format", "tsv"])
            .arg(&file)
            .env("BECAUSE_THREADS", threads)
            .output()
            .expect("because runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("UTF-8 output")
    };
    let one = run("1");
    assert!(one.contains("⟸"), "the proofs are printed:\n{one}");
    assert_eq!(run("2"), one);
    assert_eq!(run("4"), one);
}
