//! One snapshot, many readers: queries, proofs and why-not answered from several threads at
//! once give exactly what one thread gives, and a snapshot is unaffected by later changes.

use std::sync::Arc;

use because::eval::Limits;
use because::kb::KnowledgeBase;
use because::output::{Format, render_answers};

/// The shipped questions' texts (select and why alike) and a few with computed values.
fn questions(kb: &KnowledgeBase) -> Vec<String> {
    let mut texts: Vec<String> = kb.queries().iter().map(|q| q.text.clone()).collect();
    texts.push("endured(rok_us_alliance, P)".into());
    texts.push("why endured(rok_us_alliance, post_cold_war)".into());
    texts.push("why not endured(rok_us_alliance, no_such_period)".into());
    texts.push("troops(us, rok, N, P) @ T, M = N * 2".into());
    texts
}

/// Every question answered (or explained) as text, in order.
fn answer_all(snapshot: &because::kb::Snapshot, texts: &[String]) -> Vec<String> {
    texts
        .iter()
        .map(|t| {
            let q = snapshot.parse_query(t).expect("parses");
            match q.kind {
                because::ast::QueryKind::Select => render_answers(&snapshot.answer(&q).expect("answers"), Format::Tsv),
                _ => snapshot.explain(&q, &Default::default()).expect("explains").render(Format::Table, false),
            }
        })
        .collect()
}

#[test]
fn four_threads_query_one_snapshot_and_agree() {
    let mut kb = KnowledgeBase::alliance(Limits::default()).expect("the shipped knowledge base loads");
    kb.load_file(std::path::Path::new("facts/alliance/questions.kb")).expect("the shipped questions load");
    let texts = Arc::new(questions(&kb));
    assert!(texts.len() > 30, "the shipped questions are there: {}", texts.len());
    let snapshot = kb.snapshot();
    let alone = answer_all(&snapshot, &texts);
    assert!(alone.iter().any(|a| a.contains("post_cold_war")));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (snapshot, texts) = (snapshot.clone(), texts.clone());
            std::thread::spawn(move || (0..3).map(|_| answer_all(&snapshot, &texts)).collect::<Vec<_>>())
        })
        .collect();
    for t in threads {
        for round in t.join().expect("no thread panics") {
            assert_eq!(round, alone);
        }
    }
}

#[test]
fn a_snapshot_keeps_its_state_while_the_knowledge_base_changes() {
    let mut kb = KnowledgeBase::default();
    kb.load_str("p.kb", "p(a).\nq(X) :- p(X).\n", None).unwrap();
    let before = kb.snapshot();
    kb.load_str("more.kb", "p(b).\n", None).unwrap();
    kb.assert_statements("p(c).").unwrap();
    assert_eq!(before.query("q(X)").unwrap().len(), 1);
    assert_eq!(kb.query("q(X)").unwrap().len(), 3);
    // A query parsed against the old state is not answered against the new one.
    let old = before.parse_query("q(X), X != zzz").unwrap();
    assert_eq!(before.answer(&old).unwrap().len(), 1);
    let e = kb.snapshot().answer(&old).unwrap_err();
    assert_eq!(e.codes().collect::<Vec<_>>(), ["query::stale"]);
}

#[test]
fn queries_leave_nothing_behind() {
    let kb = KnowledgeBase::alliance(Limits::default()).unwrap();
    let (files, constants) = (kb.sources().len(), kb.interner().len());
    for i in 0..200 {
        let a = kb.query(&format!("endured(A, P), X = \"constant {i}\", Y = {i}.5 * 2")).unwrap();
        assert_eq!(a.len(), 3);
        let e = kb.query(&format!("no_such_{i}(X)")).unwrap_err();
        assert!(e.render(false, false).contains(&format!("no_such_{i}")), "the error shows the query's text");
        assert!(kb.why(&format!("endured(rok_us_alliance, p{i})")).is_ok());
    }
    assert_eq!(kb.sources().len(), files, "no query text is kept");
    assert_eq!(kb.interner().len(), constants, "no query constant or computed value is kept");
}

/// The indexes `why` needs are declared at evaluation, in the shared relations, and filled
/// there by the first explanation that probes them: explaining `path(X, Z)` binds `Z`, so the
/// recursive rule is matched through `edge`'s second column; without that index each
/// explanation would copy `edge` into its scratch to build it.
#[test]
fn explanation_indexes_are_declared_at_evaluation_and_filled_in_place() {
    let mut kb = KnowledgeBase::default();
    let edges: String = (0..50).map(|i| format!("edge({i}, {}).\n", i + 1)).collect();
    kb.load_str(
        "chain.kb",
        &format!("{edges}path(X, Y) :- edge(X, Y).\npath(X, Z) :- path(X, Y), edge(Y, Z).\n"),
        None,
    )
    .unwrap();
    let edge = kb.program().pred_id("edge", 2).unwrap();
    assert!(kb.database().relation(edge).find_index(&[1]).is_some(), "edge is indexed on its second column");
    assert!(!kb.database().relation(edge).indexes_built(), "filled on first probe, not by evaluation");
    assert!(kb.why("path(0, 50)").unwrap().found());
    assert!(kb.database().relation(edge).indexes_built(), "the explanation filled the shared relation's index");
}

/// A batch run that answers only its stated queries (`Runtime::explain_later` off) builds the
/// indexes `why` needs only when the program states a query that explains. Without them, a
/// `why` asked anyway still finds the same proof, indexing in its own copy of the relation.
#[test]
fn explanation_indexes_only_where_an_explanation_is_stated() {
    use because::eval::Runtime;
    let edges: String = (0..50).map(|i| format!("edge({i}, {}).\n", i + 1)).collect();
    let rules = "path(X, Y) :- edge(X, Y).\npath(X, Z) :- path(X, Y), edge(Y, Z).\n";
    let load = |explain_later: bool, queries: &str| {
        let mut kb = KnowledgeBase::default();
        kb.set_runtime(Runtime { explain_later, ..Runtime::default() });
        kb.load_str("chain.kb", &format!("{edges}{rules}{queries}"), None).unwrap();
        kb
    };
    let indexed = |kb: &KnowledgeBase| {
        let edge = kb.program().pred_id("edge", 2).unwrap();
        kb.database().relation(edge).find_index(&[1]).is_some()
    };
    let count = "?- C = count : { path(_, _) }.\n";
    let (session, batch) = (load(true, count), load(false, count));
    assert!(indexed(&session));
    assert!(!indexed(&batch), "no stated query explains: no index for `why`");
    let answers = |kb: &KnowledgeBase| format!("{:?}", kb.query("C = count : { path(_, _) }").unwrap().rows);
    assert_eq!(answers(&batch), answers(&session), "the same answers");
    let why = |kb: &KnowledgeBase| kb.why("path(0, 50)").unwrap().render(Format::Table, false);
    assert_eq!(why(&batch), why(&session), "a `why` asked anyway finds the same proof");
    assert!(why(&batch).contains("edge(49, 50)"));
    for stated in ["?- why path(0, 50).\n", "?- why not path(50, 0).\n"] {
        assert!(indexed(&load(false, stated)), "{stated}");
    }
}

/// A last load (`Runtime::changes_later` off, as `because run` loads) moves a loaded table's
/// rows into the relations and lets go of the rows their sorted runs give back: the answers
/// and proofs are a session's, the proofs still cite the table's lines, and a change after it
/// fails with `api::finished` instead of evaluating from tables it no longer has.
#[test]
fn a_last_load_answers_as_a_session_and_takes_no_change() {
    use because::ast::Change;
    use because::eval::Runtime;
    let dir = tempfile::tempdir().unwrap();
    // Out of key order, with a duplicate line: rows numbered through the sort.
    let edges: String = (0..40u32).rev().chain([7]).map(|i| format!("{i}\t{}\n", i + 1)).collect();
    std::fs::write(dir.path().join("edge.tsv"), edges).unwrap();
    let text = "load edge from \"edge.tsv\".\nnode(0).\npath(X, Y) :- edge(X, Y).\n\
                path(X, Z) :- path(X, Y), edge(Y, Z).\nfar(X) :- path(0, X), not edge(0, X).\n\
                ?- C = count : { path(_, _) }.\n";
    std::fs::write(dir.path().join("g.kb"), text).unwrap();
    let load = |changes_later: bool| {
        let mut kb = KnowledgeBase::default();
        kb.set_runtime(Runtime { explain_later: false, changes_later, ..Runtime::default() });
        kb.load_file(&dir.path().join("g.kb")).unwrap();
        kb
    };
    let (session, last) = (load(true), load(false));
    assert!(last.program().tables_released && !session.program().tables_released);
    // `far` is read by nothing after its stratum (`path` is probed by an index, which keeps
    // the rows it was filled from).
    let far = last.program().pred_id("far", 1).unwrap();
    assert!(last.database().relation(far).rows_released(), "the derived rows are let go of");
    for q in ["path(X, Y)", "far(X)", "C = count : { path(_, _) }", "S = sum X : { far(X) }"] {
        assert_eq!(
            format!("{:?}", last.query(q).unwrap().rows),
            format!("{:?}", session.query(q).unwrap().rows),
            "{q}"
        );
    }
    let why = |kb: &KnowledgeBase| kb.why("path(5, 9)").unwrap().render(Format::Table, false);
    assert_eq!(why(&last), why(&session));
    assert!(why(&last).contains("edge(5, 6)  fact") && why(&last).contains("edge.tsv:35"), "{}", why(&last));
    let mut last = last;
    for e in [
        last.load_str("more.kb", "node(1).\n", None).unwrap_err(),
        last.assert_statements("node(2).").unwrap_err(),
        last.retract("node(0).").unwrap_err(),
        last.snapshot().what_if(&[Change::Without("node(0)".into())]).err().unwrap(),
    ] {
        assert_eq!(e.diagnostics.0[0].code, "api::finished", "{}", e.render(false, true));
    }
    assert_eq!(last.query("path(X, Y)").unwrap().len(), session.query("path(X, Y)").unwrap().len(), "unchanged");
    // Reloading reads the files again: a last load once more.
    last.reload().unwrap();
    assert_eq!(last.query("far(X)").unwrap().len(), session.query("far(X)").unwrap().len());
}
