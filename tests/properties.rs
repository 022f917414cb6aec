//! Properties over random programs (`proptest`):
//!
//! - semi-naive evaluation computes the same model as a naive fixpoint written here, with
//!   numbers in facts spelt as integers or decimals (`1`, `1.0`, `-0.0`): numerically equal
//!   numbers are one constant, so the spelling changes nothing;
//! - answers do not depend on the order of facts and rules;
//! - every `why` proof ends in base facts, and each of its steps re-checks under its rule;
//! - facts printed with `syntax::print` parse back to the same values.
//!
//! The random programs are stratified by construction: predicates sit on levels, a rule's
//! positive atoms use predicates on its head's level or below, its negated atoms only
//! predicates strictly below, so no negation lies on a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use because::eval::{Limits, Runtime};
use because::explain::{How, Premise, WhyOptions};
use because::kb::KnowledgeBase;
use because::syntax::print::{self, Source};
use because::value::{Date, Interval, Value};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// Constants are the integers `0..DOMAIN`.
const DOMAIN: i64 = 4;
/// Base predicates `e0/2`, `e1/1`; derived predicates `p0..p{N_DERIVED-1}`.
const N_DERIVED: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Atom {
    pred: usize,
    /// Variable numbers.
    args: Vec<usize>,
}

#[derive(Debug, Clone)]
enum Lit {
    Pos(Atom),
    Neg(Atom),
    /// `X < Y` or `X != Y`.
    Less(usize, usize),
    NotEq(usize, usize),
}

#[derive(Debug, Clone)]
struct Rule {
    head: Atom,
    body: Vec<Lit>,
}

/// A random stratified program with its base facts.
#[derive(Debug, Clone)]
struct Prog {
    /// Arity of every predicate: base ones first.
    arity: Vec<usize>,
    /// Level of every predicate (base ones on level 0).
    level: Vec<usize>,
    facts: Vec<(usize, Vec<i64>)>,
    rules: Vec<Rule>,
    /// How each number of a fact is written: 0 `1`, 1 `1.0`, 2 `1.0e0` (zero: `-0.0`), cycled.
    spelling: Vec<u8>,
}

const N_BASE: usize = 2;

fn pred_name(p: usize) -> String {
    if p < N_BASE { format!("e{p}") } else { format!("p{}", p - N_BASE) }
}

fn atom_text(a: &Atom) -> String {
    let args: Vec<String> = a.args.iter().map(|v| format!("X{v}")).collect();
    format!("{}({})", pred_name(a.pred), args.join(", "))
}

fn rule_text(r: &Rule) -> String {
    let body: Vec<String> = r
        .body
        .iter()
        .map(|l| match l {
            Lit::Pos(a) => atom_text(a),
            Lit::Neg(a) => format!("not {}", atom_text(a)),
            Lit::Less(x, y) => format!("X{x} < X{y}"),
            Lit::NotEq(x, y) => format!("X{x} != X{y}"),
        })
        .collect();
    format!("{} :- {}.", atom_text(&r.head), body.join(", "))
}

fn fact_text(p: usize, args: &[i64], spelling: &[u8]) -> String {
    let args: Vec<String> = args
        .iter()
        .zip(spelling.iter().cycle())
        .map(|(n, s)| match (s, n) {
            (1, n) => format!("{n}.0"),
            (2, 0) => "-0.0".to_string(),
            (2, n) => format!("{n}.0e0"),
            (_, n) => n.to_string(),
        })
        .collect();
    format!("{}({}).", pred_name(p), args.join(", "))
}

impl Prog {
    /// The statements in a given order (a permutation of facts then rules).
    fn statements(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .facts
            .iter()
            .enumerate()
            .map(|(i, (p, a))| fact_text(*p, a, &self.spelling[(2 * i) % self.spelling.len()..]))
            .collect();
        out.extend(self.rules.iter().map(rule_text));
        out
    }

    fn text(&self) -> String {
        self.statements().join("\n") + "\n"
    }

    /// Derived predicates some rule defines (others have no relation to query).
    fn defined(&self) -> BTreeSet<usize> {
        self.rules.iter().map(|r| r.head.pred).collect()
    }
}

/// A random rule for head predicate `head` given the arities and levels.
fn rule_strategy(head: usize, arity: Vec<usize>, level: Vec<usize>) -> impl Strategy<Value = Rule> {
    let lvl = level[head];
    let positive: Vec<usize> = (0..arity.len()).filter(|&p| level[p] <= lvl).collect();
    let negative: Vec<usize> = (0..arity.len()).filter(|&p| level[p] < lvl).collect();
    let n_vars = 4usize;
    let pos_atom = {
        let arity = arity.clone();
        (prop::sample::select(positive), prop::collection::vec(0..n_vars, 2))
            .prop_map(move |(p, vs)| Atom { pred: p, args: vs[..arity[p]].to_vec() })
    };
    let neg_atom = {
        let arity = arity.clone();
        (prop::sample::select(negative.clone()), prop::collection::vec(0..n_vars, 2))
            .prop_map(move |(p, vs)| Atom { pred: p, args: vs[..arity[p]].to_vec() })
    };
    let has_neg = !negative.is_empty();
    let head_arity = arity[head];
    (
        prop::collection::vec(pos_atom, 1..=3),
        prop::collection::vec(neg_atom, if has_neg { 0..=1 } else { 0..=0 }),
        prop::collection::vec((0..3u8, 0..n_vars, 0..n_vars), 0..=1),
        prop::collection::vec(0..n_vars, 2),
    )
        .prop_map(move |(pos, neg, cmps, head_vars)| {
            // Range restriction: every variable used elsewhere must occur in a positive atom;
            // rename the others onto bound ones.
            let bound: Vec<usize> = {
                let mut b: Vec<usize> = pos.iter().flat_map(|a| a.args.iter().copied()).collect();
                b.sort_unstable();
                b.dedup();
                b
            };
            let fix = |v: usize| if bound.contains(&v) { v } else { bound[v % bound.len()] };
            // A body of nullary-free atoms always binds something: arities are 1 or 2.
            let mut body: Vec<Lit> = pos.into_iter().map(Lit::Pos).collect();
            for a in neg {
                body.push(Lit::Neg(Atom { pred: a.pred, args: a.args.into_iter().map(fix).collect() }));
            }
            for (kind, x, y) in cmps {
                let (x, y) = (fix(x), fix(y));
                match kind {
                    0 => body.push(Lit::Less(x, y)),
                    1 => body.push(Lit::NotEq(x, y)),
                    _ => {}
                }
            }
            let head = Atom { pred: head, args: head_vars[..head_arity].iter().map(|&v| fix(v)).collect() };
            Rule { head, body }
        })
}

fn prog_strategy() -> impl Strategy<Value = Prog> {
    (prop::collection::vec(1..=2usize, N_DERIVED), prop::collection::vec(1..=3usize, N_DERIVED)).prop_flat_map(
        |(derived_arity, derived_level)| {
            let mut arity = vec![2, 1];
            arity.extend(derived_arity);
            let mut level = vec![0, 0];
            level.extend(derived_level);
            let facts = prop::collection::vec(
                (0..N_BASE, prop::collection::vec(0..DOMAIN, 2)).prop_map(|(p, a)| {
                    let n = if p == 0 { 2 } else { 1 };
                    (p, a[..n].to_vec())
                }),
                0..12,
            )
            // Every base predicate has a fact, so that no body names an undefined one.
            .prop_map(|mut facts| {
                facts.push((0, vec![0, 1]));
                facts.push((1, vec![0]));
                facts
            });
            let rules: Vec<_> = (N_BASE..arity.len())
                .map(|head| prop::collection::vec(rule_strategy(head, arity.clone(), level.clone()), 1..=2))
                .collect();
            let spelling = prop::collection::vec(0..3u8, 8);
            (Just(arity), Just(level), facts, rules, spelling).prop_map(|(arity, level, facts, rules, spelling)| Prog {
                arity,
                level,
                facts,
                rules: rules.into_iter().flatten().collect(),
                spelling,
            })
        },
    )
}

type Model = BTreeMap<usize, BTreeSet<Vec<i64>>>;

/// The reference: a naive fixpoint per level. Each round applies every rule of the level to the
/// whole model until nothing new appears; negation reads only lower, finished levels.
fn naive(prog: &Prog) -> Model {
    let mut model: Model = BTreeMap::new();
    for (p, a) in &prog.facts {
        model.entry(*p).or_default().insert(a.clone());
    }
    let max_level = prog.level.iter().copied().max().unwrap_or(0);
    for level in 1..=max_level {
        let rules: Vec<&Rule> = prog.rules.iter().filter(|r| prog.level[r.head.pred] == level).collect();
        loop {
            let mut new: Vec<(usize, Vec<i64>)> = Vec::new();
            for rule in &rules {
                for_each_match(&rule.body, 0, &mut [None; 4], &model, &mut |regs| {
                    let fact: Vec<i64> = rule.head.args.iter().map(|&v| regs[v].expect("head var bound")).collect();
                    new.push((rule.head.pred, fact));
                });
            }
            let mut changed = false;
            for (p, f) in new {
                changed |= model.entry(p).or_default().insert(f);
            }
            if !changed {
                break;
            }
        }
    }
    model
}

fn for_each_match(
    body: &[Lit],
    i: usize,
    regs: &mut [Option<i64>; 4],
    model: &Model,
    f: &mut dyn FnMut(&[Option<i64>; 4]),
) {
    let Some(lit) = body.get(i) else {
        f(regs);
        return;
    };
    match lit {
        Lit::Pos(a) => {
            let Some(rows) = model.get(&a.pred) else { return };
            for row in rows {
                let saved = *regs;
                if unify(&a.args, row, regs) {
                    for_each_match(body, i + 1, regs, model, f);
                }
                *regs = saved;
            }
        }
        Lit::Neg(a) => {
            let fact: Vec<i64> = a.args.iter().map(|&v| regs[v].expect("negated var bound")).collect();
            if !model.get(&a.pred).is_some_and(|rows| rows.contains(&fact)) {
                for_each_match(body, i + 1, regs, model, f);
            }
        }
        Lit::Less(x, y) => {
            if regs[*x].expect("bound") < regs[*y].expect("bound") {
                for_each_match(body, i + 1, regs, model, f);
            }
        }
        Lit::NotEq(x, y) => {
            if regs[*x].expect("bound") != regs[*y].expect("bound") {
                for_each_match(body, i + 1, regs, model, f);
            }
        }
    }
}

fn unify(vars: &[usize], row: &[i64], regs: &mut [Option<i64>; 4]) -> bool {
    for (&v, &x) in vars.iter().zip(row) {
        match regs[v] {
            Some(y) if y != x => return false,
            Some(_) => {}
            None => regs[v] = Some(x),
        }
    }
    true
}

fn limits() -> Limits {
    Limits { timeout: None, max_facts: Some(1_000_000), cancel: None }
}

fn load(text: &str) -> KnowledgeBase {
    let mut kb = KnowledgeBase::new(limits());
    if let Err(e) = kb.load_str("prop.kb", text, None) {
        panic!("the program does not load:\n{text}\n{}", kb.render(&e.diagnostics, false, true));
    }
    kb
}

/// Asks `why` of every fact the program derives (the naive model's), `proofs` proofs each,
/// and rechecks each proof under the program's rules.
fn every_proof_rechecks(kb: &KnowledgeBase, prog: &Prog, model: &Model, proofs: usize) -> Result<(), TestCaseError> {
    let base: BTreeSet<(usize, Vec<i64>)> = prog.facts.iter().cloned().collect();
    let options = WhyOptions { limit: None, proofs, depth: None, ..WhyOptions::default() };
    for p in prog.defined() {
        for row in model.get(&p).into_iter().flatten() {
            let args: Vec<String> = row.iter().map(i64::to_string).collect();
            let query = format!("why {}({})", pred_name(p), args.join(", "));
            let q = kb.parse_query(&query).expect("why query parses");
            let e = kb.explain(&q, &options).expect("why");
            prop_assert_eq!(e.matched, 1, "{}", query);
            check_proof(prog, model, &base, &e.proof)
                .map_err(|m| TestCaseError::fail(format!("{query}: {m}\nprogram:\n{}", prog.text())))?;
        }
    }
    Ok(())
}

/// [`load`] as a batch `because run` loads: nothing changes after it.
fn load_last(text: &str) -> KnowledgeBase {
    let mut kb = KnowledgeBase::new(limits());
    kb.set_runtime(Runtime { explain_later: false, changes_later: false, ..Runtime::default() });
    if let Err(e) = kb.load_str("prop.kb", text, None) {
        panic!("the program does not load:\n{text}\n{}", kb.render(&e.diagnostics, false, true));
    }
    kb
}

/// The engine's model of every predicate the program defines or states.
fn engine_model(kb: &mut KnowledgeBase, prog: &Prog) -> Model {
    let mut model = Model::new();
    let mut preds: BTreeSet<usize> = prog.defined();
    preds.extend(prog.facts.iter().map(|(p, _)| *p));
    for p in preds {
        let vars: Vec<String> = (0..prog.arity[p]).map(|i| format!("A{i}")).collect();
        let answers = kb.query(&format!("{}({})", pred_name(p), vars.join(", "))).expect("query");
        let rows = model.entry(p).or_default();
        for row in answers.rows {
            rows.insert(
                row.iter()
                    .map(|v| match v {
                        Value::Int(i) => *i,
                        other => panic!("unexpected value {other:?}"),
                    })
                    .collect(),
            );
        }
    }
    model.retain(|_, rows| !rows.is_empty());
    model
}

fn nonempty(mut m: Model) -> Model {
    m.retain(|_, rows| !rows.is_empty());
    m
}

proptest! {
    #![proptest_config(Config { cases: 200, failure_persistence: None, ..Config::default() })]

    #[test]
    fn semi_naive_equals_naive(prog in prog_strategy()) {
        let mut kb = load(&prog.text());
        let engine = engine_model(&mut kb, &prog);
        prop_assert_eq!(engine, nonempty(naive(&prog)), "program:\n{}", prog.text());
    }

    #[test]
    fn answers_do_not_depend_on_statement_order(
        prog in prog_strategy(),
        perm in prop::collection::vec(any::<u64>(), 64),
    ) {
        let mut kb = load(&prog.text());
        let before = engine_model(&mut kb, &prog);
        let mut statements: Vec<(u64, String)> =
            prog.statements().into_iter().zip(perm.iter().cycle()).map(|(s, k)| (*k, s)).collect();
        statements.sort();
        let shuffled: String = statements.into_iter().map(|(_, s)| s + "\n").collect();
        let mut kb = load(&shuffled);
        prop_assert_eq!(engine_model(&mut kb, &prog), before, "shuffled:\n{}", shuffled);
    }

    /// A last load (`Runtime::changes_later` off) lets go of rows its sorted runs give back,
    /// and scans them from the runs: the same model, and proofs that recheck.
    #[test]
    fn a_last_load_answers_and_explains_as_a_session(prog in prog_strategy()) {
        let model = naive(&prog);
        let mut kb = load_last(&prog.text());
        prop_assert_eq!(engine_model(&mut kb, &prog), nonempty(model.clone()), "program:\n{}", prog.text());
        every_proof_rechecks(&kb, &prog, &model, 1)?;
    }

    #[test]
    fn why_proofs_recheck_under_their_rules(prog in prog_strategy()) {
        let model = naive(&prog);
        let kb = load(&prog.text());
        every_proof_rechecks(&kb, &prog, &model, 2)?;
    }

    #[test]
    fn printed_facts_parse_back(values in prop::collection::vec(value_strategy(), 1..20)) {
        let mut text = String::new();
        for (i, v) in values.iter().enumerate() {
            writeln!(text, "f({i}, {}).", v.to_source()).unwrap();
        }
        let mut kb = KnowledgeBase::new(limits());
        if let Err(e) = kb.load_str("printed.kb", &text, None) {
            return Err(TestCaseError::fail(format!(
                "printed facts do not load:\n{text}\n{}",
                kb.render(&e.diagnostics, false, true)
            )));
        }
        let answers = kb.query("f(I, V)").expect("query");
        let back: Vec<(Value, Value)> =
            answers.rows.into_iter().map(|r| (r[0].clone(), r[1].clone())).collect();
        let expected: Vec<(Value, Value)> =
            values.iter().enumerate().map(|(i, v)| (Value::Int(i as i64), v.clone())).collect();
        prop_assert_eq!(back, expected, "text:\n{}", text);
    }

    /// Whole facts through the one printer: any arguments, a closed or open time or none, and no arguments at
    /// all (`h.`), load back as the same rows with the same times.
    #[test]
    fn printed_statements_parse_back(
        rows in prop::collection::vec((prop::collection::vec(value_strategy(), 0..4), 1950i64..2030, proptest::option::of(0..30i64)), 1..12),
        bare in any::<bool>(),
    ) {
        let mut text = String::new();
        let mut expected = Vec::new();
        for (i, (args, start, len)) in rows.iter().enumerate() {
            let mut all = vec![Value::Int(i as i64)];
            all.extend(args.iter().cloned());
            all.resize(5, Value::text("pad"));
            let time = Interval::years(Some(*start), len.map(|l| start + l));
            writeln!(text, "{}", print::fact("g", &all, Some(&time))).unwrap();
            all.push(Value::Interval(time));
            expected.push(all);
        }
        if bare {
            writeln!(text, "{}", print::fact("h", &[], None)).unwrap();
        }
        let mut kb = KnowledgeBase::new(limits());
        if let Err(e) = kb.load_str("printed.kb", &text, None) {
            return Err(TestCaseError::fail(format!(
                "printed facts do not load:\n{text}\n{}",
                kb.render(&e.diagnostics, false, true)
            )));
        }
        let back = kb.query("g(A, B, C, D, E) @ T").expect("query").rows;
        prop_assert_eq!(back, expected, "text:\n{}", text);
        if bare {
            prop_assert!(kb.query("h").expect("query").holds(), "text:\n{}", text);
        }
    }
}

fn value_strategy() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::Int),
        any::<f64>().prop_filter("finite", |d| d.is_finite()).prop_map(Value::Dec),
        (-1e6f64..1e6).prop_map(Value::Dec),
        any::<String>().prop_map(|s| Value::text(&s)),
        prop::sample::select(vec!["a", "not", "why", "mod", "x_1", "Upper", "_", "", "a b", "é", "graph:link"])
            .prop_map(Value::text),
        (proptest::option::of(-999_000i64..999_000), 0..100i64)
            .prop_map(|(start, len)| { Value::Interval(Interval::years(start, start.map(|s| s + len))) }),
        (-999_000i64..999_000, 0..100i64).prop_map(|(s, len)| Value::Interval(Interval::years(None, Some(s + len)))),
        // Months and days, as points and as the ends of intervals.
        (-9999i64..9999, 1u32..=12, 1u32..=28, any::<bool>(), 0..400i64).prop_map(|(y, m, d, month, len)| {
            let date = if month { Date::month(y, m) } else { Date::day(y, m, d) }.unwrap();
            let later = Date::from_day_number(date.first_day() + len).unwrap();
            Value::Interval(if len == 0 {
                Interval::point(date)
            } else {
                Interval { start: Some(date), end: Some(later) }
            })
        }),
    ]
}

/// Checks a proof graph: leaves are base facts; every derived node names a rule of its
/// predicate, and that rule's body matches the node's premises in order with one consistent
/// variable binding that also gives the node's fact as the head; every premise fact is in the
/// model, every negated atom is not, every comparison holds.
fn check_proof(
    prog: &Prog,
    model: &Model,
    base: &BTreeSet<(usize, Vec<i64>)>,
    proof: &because::explain::Proof,
) -> Result<(), String> {
    let fact_of = |node: usize| -> Result<(usize, Vec<i64>), String> {
        let f = &proof.nodes[node].fact;
        let pred = (0..prog.arity.len()).find(|&p| pred_name(p) == f.pred).ok_or(format!("unknown pred {}", f.pred))?;
        let args = f
            .args
            .iter()
            .map(|a| a.as_i64().ok_or(format!("non-integer arg in {}", f.text)))
            .collect::<Result<_, _>>()?;
        Ok((pred, args))
    };
    for (n, node) in proof.nodes.iter().enumerate() {
        let (pred, args) = fact_of(n)?;
        if !model.get(&pred).is_some_and(|rows| rows.contains(&args)) {
            return Err(format!("node {} is not in the model", node.fact.text));
        }
        match &node.how {
            How::Base { .. } => {
                if !base.contains(&(pred, args.clone())) {
                    return Err(format!("leaf {} is not a base fact", node.fact.text));
                }
            }
            How::Folded => return Err(format!("{} folded with unlimited depth", node.fact.text)),
            How::Derived { rule, premises } => {
                // `p0/2 #1`: the n-th rule (from 1) of the predicate in source order.
                let nth: usize = rule.name.rsplit('#').next().and_then(|s| s.trim().parse().ok()).ok_or("rule name")?;
                let rules: Vec<&Rule> = prog.rules.iter().filter(|r| r.head.pred == pred).collect();
                let r = rules.get(nth.wrapping_sub(1)).ok_or(format!("no rule {}", rule.name))?;
                if premises.len() != r.body.len() {
                    return Err(format!(
                        "{}: {} premises for a body of {}",
                        node.fact.text,
                        premises.len(),
                        r.body.len()
                    ));
                }
                let mut regs = [None; 4];
                if !unify(&r.head.args, &args, &mut regs) {
                    return Err(format!("{}: head of {} does not match", node.fact.text, rule_text(r)));
                }
                // Positive premises first: they bind every variable.
                for (lit, premise) in r.body.iter().zip(premises) {
                    if let (Lit::Pos(a), Premise::Fact { node: m }) = (lit, premise) {
                        let (p, row) = fact_of(*m)?;
                        if p != a.pred || !unify(&a.args, &row, &mut regs) {
                            return Err(format!(
                                "{}: premise {} does not match {}",
                                node.fact.text,
                                proof.nodes[*m].fact.text,
                                atom_text(a)
                            ));
                        }
                    }
                }
                for (lit, premise) in r.body.iter().zip(premises) {
                    let value = |v: &usize| regs[*v].ok_or("unbound variable".to_string());
                    let ok = match (lit, premise) {
                        (Lit::Pos(_), Premise::Fact { .. }) => true,
                        (Lit::Neg(a), Premise::Absent { .. }) => {
                            let fact: Vec<i64> = a.args.iter().map(value).collect::<Result<_, _>>()?;
                            !model.get(&a.pred).is_some_and(|rows| rows.contains(&fact))
                        }
                        (Lit::Less(x, y), Premise::Test { .. }) => value(x)? < value(y)?,
                        (Lit::NotEq(x, y), Premise::Test { .. }) => value(x)? != value(y)?,
                        (lit, premise) => return Err(format!("{}: premise {premise:?} for {lit:?}", node.fact.text)),
                    };
                    if !ok {
                        return Err(format!("{}: {lit:?} does not hold under {regs:?}", node.fact.text));
                    }
                }
            }
        }
    }
    for roots in &proof.roots {
        if roots.is_empty() {
            return Err("a matched fact without a proof".into());
        }
    }
    Ok(())
}

/// The proof check is not vacuous: on a fixed program it sees derived nodes with fact,
/// absence and test premises, and it rejects a proof whose premise was tampered with.
#[test]
fn proof_check_sees_every_premise_kind_and_rejects_a_bad_step() {
    let atom = |pred: usize, args: &[usize]| Atom { pred, args: args.to_vec() };
    let prog = Prog {
        arity: vec![2, 1, 2, 1],
        level: vec![0, 0, 1, 2],
        facts: vec![(0, vec![0, 1]), (0, vec![1, 2]), (1, vec![0]), (1, vec![2])],
        rules: vec![
            Rule { head: atom(2, &[0, 1]), body: vec![Lit::Pos(atom(0, &[0, 1]))] },
            Rule { head: atom(2, &[0, 2]), body: vec![Lit::Pos(atom(2, &[0, 1])), Lit::Pos(atom(0, &[1, 2]))] },
            Rule {
                head: atom(3, &[0]),
                body: vec![Lit::Pos(atom(2, &[0, 1])), Lit::Neg(atom(1, &[1])), Lit::Less(0, 1)],
            },
        ],
        spelling: vec![0, 1, 2],
    };
    let model = naive(&prog);
    assert_eq!(model[&3], BTreeSet::from([vec![0]]), "p1(0): p0(0, 1), not e1(1), 0 < 1");
    let base: BTreeSet<(usize, Vec<i64>)> = prog.facts.iter().cloned().collect();
    let kb = load(&prog.text());
    let q = kb.parse_query("why p1(0)").unwrap();
    let e = kb.explain(&q, &WhyOptions { depth: None, ..WhyOptions::default() }).unwrap();
    check_proof(&prog, &model, &base, &e.proof).unwrap();
    let How::Derived { premises, .. } = &e.proof.nodes[0].how else { panic!("p1(0) is derived") };
    assert!(matches!(premises[..], [Premise::Fact { .. }, Premise::Absent { .. }, Premise::Test { .. }]));
    // Point the first premise at a fact that does not fit the rule: the check says so.
    let mut bad = e.proof.clone();
    let leaf = bad.nodes.iter().position(|n| n.fact.text == "e0(0, 1)").unwrap();
    if let How::Derived { premises, .. } = &mut bad.nodes[0].how {
        premises[0] = Premise::Fact { node: leaf };
    }
    assert!(check_proof(&prog, &model, &base, &bad).is_err());
}

/// A cell of a TSV or CSV answer: text full of separators, quotes, escapes, line breaks and
/// spaces, numbers (as the engine gives them, normalised), intervals.
fn cell_strategy() -> impl Strategy<Value = Value> {
    prop_oneof![
        "[a-c \\t\\n\\r,\"\\\\é]{0,6}".prop_map(|s| Value::text(&s)),
        any::<i64>().prop_map(Value::Int),
        (-1.0e6..1.0e6f64).prop_map(|d| Value::Dec(d).normalized()),
        (1900..2000i64, 0..50i64).prop_map(|(a, n)| Value::Interval(Interval::years(Some(a), Some(a + n)))),
    ]
}

proptest! {
    #![proptest_config(Config { cases: 300, failure_persistence: None, ..Config::default() })]

    /// Issue 20, item 20: what `--format tsv` and `--format csv` print loads back (with a
    /// header) and prints again the same: output → load → output is a round trip.
    #[test]
    fn delimited_output_loads_back(
        rows in prop::collection::vec(prop::collection::vec(cell_strategy(), 2), 1..6),
        csv in any::<bool>(),
    ) {
        use because::kb::Answers;
        use because::load::{Format as TableFormat, read_table};
        use because::output::{Format, render_answers};
        let (format, table_format) = if csv { (Format::Csv, TableFormat::Csv) } else { (Format::Tsv, TableFormat::Tsv) };
        let answers = Answers { query: "q(X, Y)".into(), columns: vec!["X".into(), "Y".into()], rows };
        let printed = render_answers(&answers, format);
        let mut interner = because::value::Interner::default();
        let table = read_table(printed.as_bytes(), "out", true, &mut interner, table_format)
            .map_err(|e| TestCaseError::fail(format!("{}: {printed:?}", e.message)))?;
        let loaded: Vec<Vec<Value>> =
            table.data.chunks(2).map(|r| r.iter().map(|&id| interner.value(id)).collect()).collect();
        let again = Answers { rows: loaded, ..answers.clone() };
        prop_assert_eq!(render_answers(&again, format), printed);
    }
}

/// The CSV reader reports text after a closing quote instead of dropping it, and reads a
/// quoted field over several lines.
#[test]
fn csv_quotes_are_strict_and_may_span_lines() {
    use because::load::{Format, read_table};
    let mut interner = because::value::Interner::default();
    let err = read_table(b"\"a\"x,b\n", "t.csv", false, &mut interner, Format::Csv).unwrap_err();
    assert_eq!(err.message, "`t.csv` line 1: text after the closing quote of a field");
    let t = read_table(b"\"two\nlines\",b\nc,d\n", "t.csv", false, &mut interner, Format::Csv).unwrap();
    assert_eq!(interner.value(t.data[0]), Value::text("two\nlines"));
    assert_eq!(t.data.len(), 4);
    let err = read_table(b"a,b\n\"x\ny,z\n", "t.csv", false, &mut interner, Format::Csv).unwrap_err();
    assert_eq!(err.message, "`t.csv` line 2: unterminated quoted field");
}

/// The model of every predicate `prog` names, read through `query`.
fn model_through(query: impl Fn(&str) -> because::kb::Answers, prog: &Prog) -> Model {
    let mut model = Model::new();
    let preds: BTreeSet<usize> = (0..prog.arity.len()).collect();
    for p in preds {
        let vars: Vec<String> = (0..prog.arity[p]).map(|i| format!("A{i}")).collect();
        let answers = query(&format!("{}({})", pred_name(p), vars.join(", ")));
        let rows = model.entry(p).or_default();
        for row in answers.rows {
            rows.insert(
                row.iter()
                    .map(|v| match v {
                        Value::Int(i) => *i,
                        other => panic!("unexpected value {other:?}"),
                    })
                    .collect(),
            );
        }
    }
    nonempty(model)
}

proptest! {
    #![proptest_config(Config { cases: 150, failure_persistence: None, ..Config::default() })]

    /// A what-if world equals the program evaluated afresh with those facts removed and added
    /// (the naive reference), and the real knowledge base is the same before and after.
    #[test]
    fn what_if_equals_a_fresh_evaluation(
        prog in prog_strategy(),
        pattern in (0..N_BASE, prop::collection::vec(prop::option::of(0..DOMAIN), 2)),
        added in prop::collection::vec((0..N_BASE, prop::collection::vec(0..DOMAIN, 2)), 0..3),
    ) {
        use because::evidence::Change;
        let kb = load(&prog.text());
        let before = format!("{:?}", kb.database());
        let real_model = model_through(|q| kb.query(q).expect("query"), &prog);
        let (pp, pargs) = pattern;
        let arity = prog.arity[pp];
        let pargs = &pargs[..arity];
        let pattern_text = format!(
            "{}({})",
            pred_name(pp),
            pargs.iter().map(|a| a.map_or("_".to_string(), |v| v.to_string())).collect::<Vec<_>>().join(", ")
        );
        let added: Vec<(usize, Vec<i64>)> =
            added.into_iter().map(|(p, a)| (p, a[..prog.arity[p]].to_vec())).collect();
        let mut changes = vec![Change::Without(pattern_text.clone())];
        changes.extend(added.iter().map(|(p, a)| Change::With(fact_text(*p, a, &[0]))));
        let what_if = kb.snapshot().what_if(&changes).expect("what-if");
        let world = model_through(|q| what_if.world().query(q).expect("query"), &prog);
        // The reference: the same program with other facts, evaluated naively.
        let mut changed = prog.clone();
        changed.facts.retain(|(p, a)| {
            !(*p == pp && a.iter().zip(pargs).all(|(v, want)| want.is_none_or(|w| w == *v)))
        });
        changed.facts.extend(added.iter().cloned());
        prop_assert_eq!(world, nonempty(naive(&changed)), "program:\n{}\nchanges: {:?}", prog.text(), changes);
        // The real knowledge base did not change.
        prop_assert_eq!(format!("{:?}", kb.database()), before);
        prop_assert_eq!(model_through(|q| kb.query(q).expect("query"), &prog), real_model);
    }
}

proptest! {
    #![proptest_config(Config { cases: 60, failure_persistence: None, ..Config::default() })]

    /// The facts a conclusion cannot do without (`support`) are exactly those whose removal
    /// alone loses it in a fresh naive evaluation.
    #[test]
    fn support_finds_exactly_the_critical_facts(prog in prog_strategy(), pick in 0usize..64) {
        use because::evidence::support::SupportOptions;
        let mut prog = prog;
        let mut seen = BTreeSet::new();
        prog.facts.retain(|f| seen.insert(f.clone()));
        let model = naive(&prog);
        let derived: Vec<(usize, Vec<i64>)> = model
            .iter()
            .filter(|(p, _)| **p >= N_BASE)
            .flat_map(|(p, rows)| rows.iter().map(move |r| (*p, r.clone())))
            .collect();
        prop_assume!(!derived.is_empty());
        let (p, args) = &derived[pick % derived.len()];
        let target = fact_text(*p, args, &[0]);
        let target = target.trim_end_matches('.');
        let kb = load(&prog.text());
        let support = kb.snapshot().support(target, &SupportOptions::default()).expect("support");
        prop_assert!(support.holds);
        let got: BTreeSet<String> = support.critical_facts.iter().map(|f| f.fact.clone()).collect();
        let mut want = BTreeSet::new();
        for i in 0..prog.facts.len() {
            let mut without = prog.clone();
            let (fp, fa) = without.facts.remove(i);
            if !naive(&without).get(p).is_some_and(|rows| rows.contains(args)) {
                want.insert(fact_text(fp, &fa, &[0]).trim_end_matches('.').to_string());
            }
        }
        prop_assert_eq!(got, want, "program:\n{}\ntarget: {}", prog.text(), target);
    }
}
