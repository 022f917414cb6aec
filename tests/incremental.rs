//! Incremental evaluation (`eval::incremental`) against evaluation from scratch.
//!
//! - Random stratified programs with negation and `count` aggregates, and random sequences of
//!   asserted facts, retracted facts and added rules: after every step the knowledge base
//!   answers exactly as one loaded afresh with the same statements, and every `why` proof
//!   re-checks under its rule against that fresh model (premises present, negated atoms
//!   absent, tests and counts true, the proof graph acyclic).
//! - A change that fails on a limit leaves the base as it was: answers and proofs.
//! - The headline proof on the shipped knowledge base is byte-identical before and after
//!   asserting and retracting an unrelated fact.
//!
//! The random programs are stratified by construction: predicates sit on levels, a rule's
//! positive atoms use predicates on its head's level or below, its negated atoms and
//! aggregates only predicates strictly below.

use std::collections::{BTreeMap, BTreeSet};

use because::eval::Limits;
use because::explain::{How, Premise, WhyOptions};
use because::kb::KnowledgeBase;
use because::output::Format;
use because::value::Value;
use proptest::prelude::*;
use proptest::test_runner::Config;

/// Constants of base facts are the integers `0..DOMAIN`.
const DOMAIN: i64 = 4;
/// Base predicates `e0/2`, `e1/1`; derived `p0..p3`.
const N_BASE: usize = 2;
const N_DERIVED: usize = 4;

#[derive(Debug, Clone)]
struct Atom {
    pred: usize,
    args: Vec<usize>,
}

#[derive(Debug, Clone)]
enum Lit {
    Pos(Atom),
    Neg(Atom),
    Less(usize, usize),
    NotEq(usize, usize),
    /// `X{out} = count : { P(X{group}, _) }` (or `P(X{group})` for arity 1).
    Count {
        out: usize,
        pred: usize,
        group: usize,
    },
}

#[derive(Debug, Clone)]
struct Rule {
    head: Atom,
    body: Vec<Lit>,
}

#[derive(Debug, Clone)]
struct Shape {
    arity: Vec<usize>,
    level: Vec<usize>,
}

#[derive(Debug, Clone)]
enum Op {
    Assert(usize, Vec<i64>),
    /// Retract the fact at this index (modulo the facts present).
    Retract(usize),
    /// A rule for this head from these choices (made once the shape is known).
    AddRule(usize, RawRule),
}

#[derive(Debug, Clone)]
struct Case {
    shape: Shape,
    facts: Vec<(usize, Vec<i64>)>,
    rules: Vec<Rule>,
    ops: Vec<Op>,
}

fn pred_name(p: usize) -> String {
    if p < N_BASE { format!("e{p}") } else { format!("p{}", p - N_BASE) }
}

fn atom_text(a: &Atom) -> String {
    let args: Vec<String> = a.args.iter().map(|v| format!("X{v}")).collect();
    format!("{}({})", pred_name(a.pred), args.join(", "))
}

fn rule_text(r: &Rule, shape: &Shape) -> String {
    let body: Vec<String> = r
        .body
        .iter()
        .map(|l| match l {
            Lit::Pos(a) => atom_text(a),
            Lit::Neg(a) => format!("not {}", atom_text(a)),
            Lit::Less(x, y) => format!("X{x} < X{y}"),
            Lit::NotEq(x, y) => format!("X{x} != X{y}"),
            Lit::Count { out, pred, group } => {
                let rest = if shape.arity[*pred] == 2 { ", _" } else { "" };
                format!("X{out} = count : {{ {}(X{group}{rest}) }}", pred_name(*pred))
            }
        })
        .collect();
    format!("{} :- {}.", atom_text(&r.head), body.join(", "))
}

fn fact_text(p: usize, args: &[i64]) -> String {
    let args: Vec<String> = args.iter().map(i64::to_string).collect();
    format!("{}({}).", pred_name(p), args.join(", "))
}

fn program_text(shape: &Shape, facts: &[(usize, Vec<i64>)], rules: &[Rule]) -> String {
    let mut out = String::new();
    for (p, a) in facts {
        out.push_str(&fact_text(*p, a));
        out.push('\n');
    }
    for r in rules {
        out.push_str(&rule_text(r, shape));
        out.push('\n');
    }
    out
}

/// A rule for `head` from raw choices, made range-restricted and stratified.
fn make_rule(shape: &Shape, head: usize, raw: &RawRule) -> Rule {
    let lvl = shape.level[head];
    let positive: Vec<usize> = (0..shape.arity.len()).filter(|&p| shape.level[p] <= lvl).collect();
    let lower: Vec<usize> = (0..shape.arity.len()).filter(|&p| shape.level[p] < lvl).collect();
    let mut body = Vec::new();
    let mut bound = BTreeSet::new();
    for (pick, vars) in &raw.positives {
        let pred = positive[pick % positive.len()];
        let args: Vec<usize> = vars[..shape.arity[pred]].to_vec();
        bound.extend(args.iter().copied());
        body.push(Lit::Pos(Atom { pred, args }));
    }
    let bound_vars: Vec<usize> = bound.iter().copied().collect();
    let var = |i: usize| bound_vars[i % bound_vars.len()];
    if let Some((pick, vars)) = &raw.negative {
        let pred = lower[pick % lower.len()];
        let args = vars[..shape.arity[pred]].iter().map(|&v| var(v)).collect();
        body.push(Lit::Neg(Atom { pred, args }));
    }
    if let Some((kind, x, y)) = raw.test {
        body.push(if kind { Lit::Less(var(x), var(y)) } else { Lit::NotEq(var(x), var(y)) });
    }
    let mut usable = bound_vars.clone();
    if let Some((pick, group)) = raw.count {
        if let Some(out) = (0..4).find(|v| !bound.contains(v)) {
            body.push(Lit::Count { out, pred: lower[pick % lower.len()], group: var(group) });
            usable.push(out);
        }
    }
    let args = raw.head[..shape.arity[head]].iter().map(|&i| usable[i % usable.len()]).collect();
    Rule { head: Atom { pred: head, args }, body }
}

#[derive(Debug, Clone)]
struct RawRule {
    positives: Vec<(usize, [usize; 2])>,
    negative: Option<(usize, [usize; 2])>,
    test: Option<(bool, usize, usize)>,
    count: Option<(usize, usize)>,
    head: [usize; 2],
}

/// A rule's raw choices; `positive`: without negation or counts (every deletion then goes
/// through delete and re-derive).
fn raw_rule(positive: bool) -> impl Strategy<Value = RawRule> {
    let vars = || [0..4usize, 0..4usize];
    (
        prop::collection::vec((0..16usize, vars()), 1..=2),
        prop::option::weighted(0.4, (0..16usize, [0..8usize, 0..8usize])).prop_map(move |n| n.filter(|_| !positive)),
        prop::option::weighted(0.3, (any::<bool>(), 0..8usize, 0..8usize)),
        prop::option::weighted(0.3, (0..16usize, 0..8usize)).prop_map(move |c| c.filter(|_| !positive)),
        [0..8usize, 0..8usize],
    )
        .prop_map(|(positives, negative, test, count, head)| RawRule { positives, negative, test, count, head })
}

fn fact() -> impl Strategy<Value = (usize, Vec<i64>)> {
    (0..N_BASE, prop::collection::vec(0..DOMAIN, 2)).prop_map(|(p, a)| (p, a[..if p == 0 { 2 } else { 1 }].to_vec()))
}

fn case(positive: bool) -> impl Strategy<Value = Case> {
    (prop::collection::vec(1..=2usize, N_DERIVED), prop::collection::vec(1..=3usize, N_DERIVED)).prop_flat_map(
        move |(derived_arity, derived_level)| {
            let mut arity = vec![2, 1];
            arity.extend(derived_arity);
            let mut level = vec![0, 0];
            level.extend(derived_level);
            let shape = Shape { arity, level };
            let facts = prop::collection::vec(fact(), 0..10).prop_map(|mut f| {
                f.push((0, vec![0, 1]));
                f.push((1, vec![0]));
                f
            });
            let rules =
                prop::collection::vec((N_BASE..N_BASE + N_DERIVED, raw_rule(positive)), N_DERIVED..=N_DERIVED + 3);
            let op = prop_oneof![
                3 => fact().prop_map(|(p, a)| Op::Assert(p, a)),
                3 => (0..64usize).prop_map(Op::Retract),
                1 => (N_BASE..N_BASE + N_DERIVED, raw_rule(positive)).prop_map(|(h, r)| Op::AddRule(h, r)),
            ];
            (Just(shape), facts, rules, prop::collection::vec(op, 1..7)).prop_map(|(shape, facts, raw_rules, ops)| {
                // Every derived predicate has a rule: its own first, then the random extra ones.
                let mut rules: Vec<Rule> = Vec::new();
                for (i, (head, raw)) in raw_rules.iter().enumerate() {
                    let head = if i < N_DERIVED { N_BASE + i } else { *head };
                    rules.push(make_rule(&shape, head, raw));
                }
                Case { shape, facts, rules, ops }
            })
        },
    )
}

type Model = BTreeMap<usize, BTreeSet<Vec<i64>>>;

fn limits() -> Limits {
    Limits { timeout: None, max_facts: Some(1_000_000), cancel: None }
}

fn model_of(kb: &KnowledgeBase, shape: &Shape) -> Model {
    let mut model = Model::new();
    for p in 0..shape.arity.len() {
        let vars: Vec<String> = (0..shape.arity[p]).map(|i| format!("A{i}")).collect();
        // A predicate nothing states or derives any more is unknown: no facts.
        let Ok(answers) = kb.query(&format!("{}({})", pred_name(p), vars.join(", "))) else { continue };
        let rows: BTreeSet<Vec<i64>> = answers
            .rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|v| match v {
                        Value::Int(i) => *i,
                        other => panic!("unexpected value {other:?}"),
                    })
                    .collect()
            })
            .collect();
        if !rows.is_empty() {
            model.insert(p, rows);
        }
    }
    model
}

/// Checks every derived node of a proof against `rules` and the fresh `model`.
fn check_proof(shape: &Shape, rules: &[Rule], model: &Model, proof: &because::explain::Proof) -> Result<(), String> {
    let fact_of = |node: usize| -> Result<(usize, Vec<i64>), String> {
        let f = &proof.nodes[node].fact;
        let pred = (0..shape.arity.len()).find(|&p| pred_name(p) == f.pred).ok_or(format!("unknown {}", f.pred))?;
        let args: Result<Vec<i64>, String> =
            f.args.iter().map(|a| a.as_i64().ok_or(format!("non-integer in {}", f.text))).collect();
        Ok((pred, args?))
    };
    let holds = |p: usize, row: &[i64]| model.get(&p).is_some_and(|rows| rows.contains(row));
    // Acyclic: a node's premises come from nodes that are finished first (depth-first).
    let mut state = vec![0u8; proof.nodes.len()];
    for start in 0..proof.nodes.len() {
        let mut stack = vec![(start, false)];
        while let Some((n, done)) = stack.pop() {
            if done {
                state[n] = 2;
                continue;
            }
            match state[n] {
                2 => continue,
                1 => return Err(format!("the proof of {} is cyclic", proof.nodes[n].fact.text)),
                _ => {}
            }
            state[n] = 1;
            stack.push((n, true));
            if let How::Derived { premises, .. } = &proof.nodes[n].how {
                for p in premises {
                    if let Premise::Fact { node } = p {
                        if state[*node] == 1 {
                            return Err(format!("the proof of {} is cyclic", proof.nodes[n].fact.text));
                        }
                        stack.push((*node, false));
                    }
                }
            }
        }
    }
    for (n, node) in proof.nodes.iter().enumerate() {
        let (pred, args) = fact_of(n)?;
        if !holds(pred, &args) {
            return Err(format!("{} is not in the fresh model", node.fact.text));
        }
        let How::Derived { rule, premises } = &node.how else { continue };
        let nth: usize = rule.name.rsplit('#').next().and_then(|s| s.trim().parse().ok()).ok_or("rule name")?;
        let mine: Vec<&Rule> = rules.iter().filter(|r| r.head.pred == pred).collect();
        let r = mine.get(nth.wrapping_sub(1)).ok_or(format!("no rule {}", rule.name))?;
        if premises.len() != r.body.len() {
            return Err(format!("{}: {} premises for {} literals", node.fact.text, premises.len(), r.body.len()));
        }
        let mut regs: [Option<i64>; 4] = [None; 4];
        let unify = |vars: &[usize], row: &[i64], regs: &mut [Option<i64>; 4]| {
            vars.iter().zip(row).all(|(&v, &x)| match regs[v] {
                Some(y) => y == x,
                None => {
                    regs[v] = Some(x);
                    true
                }
            })
        };
        for (lit, premise) in r.body.iter().zip(premises) {
            if let (Lit::Pos(a), Premise::Fact { node: m }) = (lit, premise) {
                let (p, row) = fact_of(*m)?;
                if p != a.pred || !unify(&a.args, &row, &mut regs) {
                    return Err(format!("{}: premise {} does not fit", node.fact.text, proof.nodes[*m].fact.text));
                }
            }
        }
        for (lit, premise) in r.body.iter().zip(premises) {
            let value = |regs: &[Option<i64>; 4], v: usize| regs[v].ok_or("unbound".to_string());
            let ok = match (lit, premise) {
                (Lit::Pos(_), Premise::Fact { .. }) => true,
                (Lit::Neg(a), Premise::Absent { .. }) => {
                    let row: Vec<i64> = a.args.iter().map(|&v| value(&regs, v)).collect::<Result<_, _>>()?;
                    !holds(a.pred, &row)
                }
                (Lit::Less(x, y), Premise::Test { .. }) => value(&regs, *x)? < value(&regs, *y)?,
                (Lit::NotEq(x, y), Premise::Test { .. }) => value(&regs, *x)? != value(&regs, *y)?,
                (Lit::Count { out, pred, group }, Premise::Aggregate { .. }) => {
                    let g = value(&regs, *group)?;
                    let n = model.get(pred).map_or(0, |rows| rows.iter().filter(|row| row[0] == g).count()) as i64;
                    unify(&[*out], &[n], &mut regs)
                }
                (lit, premise) => return Err(format!("{}: premise {premise:?} for {lit:?}", node.fact.text)),
            };
            if !ok {
                return Err(format!("{}: {lit:?} does not hold under {regs:?}", node.fact.text));
            }
        }
        if !unify(&r.head.args, &args, &mut regs) {
            return Err(format!("{}: the head of {} does not match", node.fact.text, rule_text(r, shape)));
        }
    }
    Ok(())
}

/// Applies `ops` one by one and compares with a fresh load after each.
fn run_case(case: &Case) -> Result<(), TestCaseError> {
    let Case { shape, facts, rules, ops } = case;
    let mut facts = facts.clone();
    let mut rules = rules.clone();
    let mut kb = KnowledgeBase::new(limits());
    let text = program_text(shape, &facts, &rules);
    if let Err(e) = kb.load_str("case.kb", &text, None) {
        return Err(TestCaseError::fail(format!("does not load:\n{text}\n{}", kb.render(&e.diagnostics, false, true))));
    }
    let mut log = text.clone();
    for op in ops {
        match op {
            Op::Assert(p, a) => {
                kb.assert_statements(&fact_text(*p, a)).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                facts.push((*p, a.clone()));
                log.push_str(&format!("% :assert {}\n", fact_text(*p, a)));
            }
            Op::Retract(i) => {
                if facts.is_empty() {
                    continue;
                }
                let (p, a) = facts[i % facts.len()].clone();
                let mut without = facts.clone();
                without.retain(|f| *f != (p, a.clone()));
                if kb.retract(&fact_text(p, &a)).is_err() {
                    // Only when the program without it does not check (a predicate that rules
                    // use lost its last fact); then nothing changed, as compared below.
                    let mut fresh = KnowledgeBase::new(limits());
                    let text = program_text(shape, &without, &rules);
                    prop_assert!(fresh.load_str("fresh.kb", &text, None).is_err(), "retract failed:\n{}", log);
                    log.push_str(&format!("% :retract {} (refused)\n", fact_text(p, &a)));
                } else {
                    facts = without;
                    log.push_str(&format!("% :retract {}\n", fact_text(p, &a)));
                }
            }
            Op::AddRule(head, raw) => {
                let r = make_rule(shape, *head, raw);
                let mut with = rules.clone();
                with.push(r.clone());
                if kb.assert_statements(&rule_text(&r, shape)).is_err() {
                    // Only when the program with it does not check (it reads a predicate
                    // with no facts left); then nothing changed.
                    let mut fresh = KnowledgeBase::new(limits());
                    let text = program_text(shape, &facts, &with);
                    prop_assert!(fresh.load_str("fresh.kb", &text, None).is_err(), "rule refused:\n{}", log);
                    log.push_str(&format!("% :rule {} (refused)\n", rule_text(&r, shape)));
                } else {
                    rules = with;
                    log.push_str(&format!("% :rule {}\n", rule_text(&r, shape)));
                }
            }
        }
        let mut fresh = KnowledgeBase::new(limits());
        let fresh_text = program_text(shape, &facts, &rules);
        fresh.load_str("fresh.kb", &fresh_text, None).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let expected = model_of(&fresh, shape);
        prop_assert_eq!(model_of(&kb, shape), expected.clone(), "after:\n{}", log);
        let options = WhyOptions { limit: None, proofs: 2, depth: None, ..WhyOptions::default() };
        for (&p, rows) in expected.iter().filter(|(p, _)| **p >= N_BASE) {
            for row in rows {
                let args: Vec<String> = row.iter().map(i64::to_string).collect();
                let query = format!("why {}({})", pred_name(p), args.join(", "));
                let e = kb.explain(&kb.parse_query(&query).expect("parses"), &options).expect("why");
                check_proof(shape, &rules, &expected, &e.proof)
                    .map_err(|m| TestCaseError::fail(format!("{query}: {m}\nafter:\n{log}")))?;
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config { cases: 96, failure_persistence: None, ..Config::default() })]

    #[test]
    fn every_change_equals_a_fresh_evaluation(case in case(false)) {
        run_case(&case)?;
    }

    /// Positive programs: every retraction is maintained by delete and re-derive.
    #[test]
    fn every_change_to_a_positive_program_equals_a_fresh_evaluation(case in case(true)) {
        run_case(&case)?;
    }
}

const CHAIN: &str = "edge(0, 1).\nedge(1, 2).\nedge(2, 3).\nedge(3, 4).\n\
    path(X, Y) :- edge(X, Y).\npath(X, Z) :- path(X, Y), edge(Y, Z).\n\
    far(X) :- path(0, X), not edge(0, X).\n";

/// The incremental path is taken (the property above would pass with full re-evaluation):
/// an insertion continues the strata that read the grown relation, a deletion re-evaluates.
#[test]
fn an_insertion_continues_and_a_deletion_reevaluates() {
    let mut kb = KnowledgeBase::new(limits());
    kb.load_str("chain.kb", CHAIN, None).unwrap();
    assert!(kb.database().stats.update.is_none(), "a first load is evaluated afresh");
    kb.assert_statements("edge(4, 5).").unwrap();
    let u = kb.database().stats.update.clone().expect("maintained");
    // path gains (0..=4, 5): 5 facts; far gains 5 but reads edge under `not`: re-evaluated.
    assert_eq!((u.base_added, u.base_removed, u.strata_continued, u.strata_reevaluated), (1, 0, 1, 1));
    assert_eq!(kb.query("path(0, 5)").unwrap().len(), 1);
    kb.retract("edge(2, 3).").unwrap();
    let u = kb.database().stats.update.clone().expect("maintained");
    assert_eq!((u.base_removed, u.strata_reevaluated), (1, 2));
    assert_eq!(kb.query("path(0, X)").unwrap().len(), 2);
}

/// Without negation over the changed relation, a deletion is maintained by delete and
/// re-derive: the facts that used the lost one are taken out, those still derivable come
/// back, and the proofs re-check.
#[test]
fn a_deletion_deletes_and_rederives() {
    let text = "edge(0, 1).\nedge(1, 2).\nedge(2, 3).\nedge(3, 4).\nedge(0, 2).\n\
        path(X, Y) :- edge(X, Y).\npath(X, Z) :- path(X, Y), edge(Y, Z).\n";
    let mut kb = KnowledgeBase::new(limits());
    kb.load_str("chain.kb", text, None).unwrap();
    kb.retract("edge(1, 2).").unwrap();
    let u = kb.database().stats.update.clone().expect("maintained");
    assert_eq!((u.base_removed, u.strata_rederived, u.strata_reevaluated), (1, 1, 0));
    // path(1, 2..4) are gone; path(0, 2..4) used edge(1, 2) but hold through edge(0, 2).
    assert_eq!(u.overdeleted, 6);
    assert_eq!(u.derived_removed, 6);
    assert_eq!(u.derived_added, 3);
    let rows = |kb: &KnowledgeBase, q: &str| kb.query(q).unwrap().rows.len();
    assert_eq!((rows(&kb, "path(0, X)"), rows(&kb, "path(1, X)"), rows(&kb, "path(X, Y)")), (4, 0, 7));
    let why = kb.why("path(0, 4)").unwrap().render(Format::Table, false);
    assert!(why.contains("edge(0, 2)") && !why.contains("edge(1, 2)"), "{why}");
    // `why not` reads the facts taken out as absent, as a fresh evaluation without the edge
    // (its line left blank, so that the rules keep their lines) explains it.
    let mut without = KnowledgeBase::new(limits());
    without.load_str("chain.kb", &text.replace("edge(1, 2).", ""), None).unwrap();
    for atom in ["path(1, 3)", "path(1, 2)", "path(0, 9)"] {
        let render = |kb: &KnowledgeBase| kb.why_not(atom).unwrap().render(Format::Table, false);
        assert_eq!(render(&kb), render(&without), "why not {atom}");
    }
    // Asserted again, it comes back as a fresh evaluation has it.
    kb.assert_statements("edge(1, 2).").unwrap();
    let mut fresh = KnowledgeBase::new(limits());
    fresh.load_str("chain.kb", text, None).unwrap();
    assert_eq!(kb.query("path(X, Y)").unwrap().rows, fresh.query("path(X, Y)").unwrap().rows);
}

/// A chain of `n` edges, `edge(0, 1)` to `edge(n - 1, n)`, and its transitive closure `path`.
fn chain(n: usize) -> String {
    let mut text: String = (0..n).map(|i| format!("edge({i}, {}).\n", i + 1)).collect();
    text.push_str("path(X, Y) :- edge(X, Y).\npath(X, Z) :- path(X, Y), edge(Y, Z).\n");
    text
}

/// A deletion that would take out more than a sixteenth of a large relation (and more than
/// 4,096 facts) re-evaluates the stratum instead, with the same result as a fresh evaluation.
#[test]
fn a_large_deletion_reevaluates() {
    let text = chain(200);
    let mut kb = KnowledgeBase::new(limits());
    kb.load_str("chain.kb", &text, None).unwrap();
    // 101 × 100 paths cross the middle edge: more than 4,096 and a sixteenth of the 20,100.
    kb.retract("edge(100, 101).").unwrap();
    let u = kb.database().stats.update.clone().expect("maintained");
    assert_eq!((u.strata_rederived, u.strata_reevaluated), (0, 1));
    let mut fresh = KnowledgeBase::new(limits());
    fresh.load_str("chain.kb", &text.replace("edge(100, 101).\n", ""), None).unwrap();
    assert_eq!(kb.query("path(X, Y)").unwrap().rows, fresh.query("path(X, Y)").unwrap().rows);
    // The last edge now costs the 99 paths from 101..=199 to 200: delete and re-derive.
    kb.retract("edge(199, 200).").unwrap();
    let u = kb.database().stats.update.clone().expect("maintained");
    assert_eq!((u.strata_rederived, u.strata_reevaluated, u.derived_removed), (1, 0, 99));
    let mut fresh = KnowledgeBase::new(limits());
    fresh.load_str("chain.kb", &text.replace("edge(100, 101).\n", "").replace("edge(199, 200).\n", ""), None).unwrap();
    assert_eq!(kb.query("path(X, Y)").unwrap().rows, fresh.query("path(X, Y)").unwrap().rows);
}

/// A change that deletes and re-derives, then stops on the fact limit, leaves every answer and
/// proof as it was: the facts taken out are back.
#[test]
fn a_failed_deletion_leaves_the_base_exactly_as_it_was() {
    let text = chain(30);
    let mut kb = KnowledgeBase::new(Limits { timeout: None, max_facts: Some(470), cancel: None });
    kb.load_str("chain.kb", &text, None).unwrap();
    let picture = |kb: &KnowledgeBase| {
        let mut out = format!("{:?}\n", kb.query("path(X, Y)").unwrap().rows);
        for fact in ["path(0, 30)", "path(3, 9)", "path(29, 30)"] {
            out.push_str(&kb.why(fact).unwrap().render(Format::Table, false));
        }
        out
    };
    let before = picture(&kb);
    // One change: 30 paths out, then 61 in (past the limit of 470).
    let e = kb.assert_statements("retract edge(29, 30).\nedge(-1, 0).\nedge(-2, -1).").unwrap_err();
    assert_eq!(e.diagnostics.0[0].code, "eval::max_facts");
    assert_eq!(picture(&kb), before);
    assert_eq!(kb.database().stats.derived, 465);
    // The next deletion is maintained from the restored relations.
    kb.retract("edge(28, 29).").unwrap();
    let u = kb.database().stats.update.clone().expect("maintained");
    assert_eq!((u.strata_rederived, u.derived_removed), (1, 58)); // 29 sources × 2 targets
    assert_eq!(kb.query("path(X, 30)").unwrap().rows.len(), 1);
}

/// A change stopped by the fact limit in the middle of a continued stratum (rows already
/// appended) leaves every answer and every proof as it was, and the next change works.
#[test]
fn a_failed_change_leaves_the_base_exactly_as_it_was() {
    let text = chain(30);
    let mut kb = KnowledgeBase::new(Limits { timeout: None, max_facts: Some(470), cancel: None });
    kb.load_str("chain.kb", &text, None).unwrap();
    let derived = kb.database().stats.derived;
    assert_eq!(derived, 465);
    let picture = |kb: &KnowledgeBase| {
        let mut out = format!("{:?}\n", kb.query("path(X, Y)").unwrap().rows);
        for fact in ["path(0, 30)", "path(3, 9)", "path(29, 30)"] {
            out.push_str(&kb.why(fact).unwrap().render(Format::Table, false));
        }
        out
    };
    let before = picture(&kb);
    // edge(-1, 0) adds 31 paths over several rounds: past the limit after the first rounds.
    let e = kb.assert_statements("edge(-1, 0).").unwrap_err();
    assert_eq!(e.diagnostics.0[0].code, "eval::max_facts");
    assert_eq!(picture(&kb), before);
    assert_eq!(kb.database().stats.derived, derived);
    assert!(kb.query("edge(-1, 0)").unwrap().rows.is_empty());
    kb.set_limits(limits());
    kb.assert_statements("edge(30, 31).").unwrap();
    assert_eq!(kb.query("path(0, 31)").unwrap().len(), 1);
}

/// Asserting and retracting a fact that has nothing to do with the headline changes nothing in
/// its proof, byte for byte.
#[test]
fn the_headline_proof_survives_an_unrelated_change() {
    let mut kb = KnowledgeBase::alliance(Limits::default()).unwrap();
    let headline = "endured(rok_us_alliance, post_cold_war)";
    let before = kb.why(headline).unwrap().render(Format::Table, false);
    assert!(before.contains("endured(rok_us_alliance, post_cold_war)"));
    // Invented for the test: a predicate of its own, then one the base already has.
    for fact in ["test_only_note(invented_fact).", "test_only_note(another_invented_fact)."] {
        kb.assert_statements(fact).unwrap();
        assert_eq!(kb.why(headline).unwrap().render(Format::Table, false), before);
    }
    kb.retract("test_only_note(another_invented_fact).").unwrap();
    assert!(kb.database().stats.update.is_some(), "the retraction is maintained, not re-evaluated");
    kb.retract("test_only_note(invented_fact).").unwrap();
    assert_eq!(kb.why(headline).unwrap().render(Format::Table, false), before);
}

/// When a change moves the origin codes of rows it does not change (a fact stated before them
/// retracted, a stated fact added before loaded rows), `why` still names each row's own line:
/// a predicate with facts and rules, and a loaded table.
#[test]
fn base_rows_keep_their_own_origins_when_others_move() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("edges.tsv"), "a\tb\nb\tc\n").unwrap();
    let text = "r(y).\nr(z).\np(a).\nq(b).\np(X) :- q(X).\nload edge from \"edges.tsv\".\n\
                reach(X, Y) :- edge(X, Y).\n";
    let mut kb = KnowledgeBase::new(limits());
    kb.load_str("m.kb", text, Some(dir.path())).unwrap();
    let why = |kb: &KnowledgeBase, fact: &str| kb.why(fact).unwrap().render(Format::Table, false);
    assert_eq!(why(&kb, "p(a)"), "p(a)  fact (m.kb:3)\n");
    let r = why(&kb, "reach(b, c)");
    assert!(r.contains("edges.tsv:2)"), "{r}");
    kb.retract("r(z).").unwrap();
    assert!(kb.database().stats.update.is_some(), "maintained");
    assert_eq!(why(&kb, "p(a)"), "p(a)  fact (m.kb:3)\n");
    assert!(why(&kb, "p(b)").contains("q(b)  fact (m.kb:4)"));
    kb.assert_statements("q(c).").unwrap();
    assert!(why(&kb, "reach(b, c)").contains("edges.tsv:2)"));
    let c = why(&kb, "p(c)");
    assert!(c.contains("q(c)  fact (<session>:"), "{c}");
}

/// Dated facts for the temporal cases: `link(aX, aY) @ year`.
fn link_text(links: &[(u8, u8, u8)]) -> String {
    links.iter().map(|(x, y, t)| format!("link(a{x}, a{y}) @ {}.\n", 1990 + *t as u32)).collect()
}

/// The rules, and a link no case retracts (so that `link` stays defined).
const DATED_RULES: &str = "link(z0, z1) @ 1980.\n\
    reach(X, Y) @ T :- link(X, Y) @ T.\n\
    reach(X, Z) @ T :- reach(X, Y) @ T, link(Y, Z) @ T.\n\
    late(X) @ Y :- reach(X, _) @ T, Y = add_years(start(T), 1).\n\
    hub(X) @ T :- reach(X, Y) @ T, reach(Y, X) @ T.\n\
    level(a0, 0).\nlevel(a1, 1).\nlevel(a2, 2).\nlevel(a3, 3).\nlevel(a4, 4).\n\
    ranked(X) @ Y :- reach(X, _) @ T, level(X, L), Y = add_years(start(T), L).\n";

proptest! {
    #![proptest_config(Config { cases: 64, failure_persistence: None, ..Config::default() })]

    /// Rules whose heads carry a time (taken from the body, or made from a value) are kept by
    /// delete and re-derive as a fresh evaluation has them, through random asserts and
    /// retracts of dated facts.
    #[test]
    fn dated_heads_are_maintained_as_a_fresh_evaluation_derives_them(
        links in proptest::collection::vec((0..5u8, 0..5u8, 0..3u8), 1..14),
        ops in proptest::collection::vec((any::<bool>(), 0..5u8, 0..5u8, 0..3u8, 0..64usize), 1..10),
    ) {
        let mut present: Vec<(u8, u8, u8)> = Vec::new();
        for l in links {
            if !present.contains(&l) {
                present.push(l);
            }
        }
        let mut kb = KnowledgeBase::new(limits());
        kb.load_str("dated.kb", &format!("{}{DATED_RULES}", link_text(&present)), None).unwrap();
        let mut log = String::new();
        for (assert, x, y, t, pick) in ops {
            if assert || present.is_empty() {
                if present.contains(&(x, y, t)) {
                    continue;
                }
                present.push((x, y, t));
                let fact = link_text(&[(x, y, t)]);
                log.push_str(&format!("assert {fact}"));
                kb.assert_statements(&fact).unwrap();
            } else {
                let gone = present.remove(pick % present.len());
                let fact = link_text(&[gone]);
                log.push_str(&format!("retract {fact}"));
                kb.retract(fact.trim_end()).unwrap();
            }
            let mut fresh = KnowledgeBase::new(limits());
            fresh.load_str("dated.kb", &format!("{}{DATED_RULES}", link_text(&present)), None).unwrap();
            for q in ["reach(X, Y) @ T", "late(X) @ T", "hub(X) @ T", "ranked(X) @ T"] {
                prop_assert_eq!(kb.query(q).unwrap().rows, fresh.query(q).unwrap().rows, "{} after\n{}", q, log);
            }
        }
    }
}

/// A retraction under rules with dated heads deletes and re-derives: the facts that lose
/// their only derivation go, those with another (at another time, or through another path)
/// stay, and the head time made from a value is matched as evaluation makes it.
#[test]
fn a_dated_deletion_deletes_and_rederives() {
    let links = [(0, 1, 0), (1, 2, 0), (2, 3, 0), (0, 2, 0), (1, 2, 1)];
    let mut kb = KnowledgeBase::new(limits());
    kb.load_str("dated.kb", &format!("{}{DATED_RULES}", link_text(&links)), None).unwrap();
    kb.retract("link(a1, a2) @ 1990.").unwrap();
    let u = kb.database().stats.update.clone().expect("maintained");
    assert_eq!((u.strata_rederived, u.strata_reevaluated), (4, 0), "{u:?}");
    // reach(a1, a2) @ 1990 and reach(a1, a3) @ 1990 go, and with them late(a1) @ 1991 and
    // ranked(a1) @ 1991; reach(a0, a2) and reach(a0, a3) stay through link(a0, a2),
    // late(a1) @ 1992 and ranked(a1) @ 1992 through reach(a1, a2) @ 1991.
    assert_eq!(u.derived_removed - u.derived_added, 4, "{u:?}");
    let mut fresh = KnowledgeBase::new(limits());
    let left = [(0, 1, 0), (2, 3, 0), (0, 2, 0), (1, 2, 1)];
    fresh.load_str("dated.kb", &format!("{}{DATED_RULES}", link_text(&left)), None).unwrap();
    for q in ["reach(X, Y) @ T", "late(X) @ T", "hub(X) @ T", "ranked(X) @ T"] {
        assert_eq!(kb.query(q).unwrap().rows, fresh.query(q).unwrap().rows, "{q}");
    }
}
