//! `why` and `why not` on a small fixed knowledge base with a fuzzed query string (and select
//! queries too). Nothing may panic; every answer renders as text and JSON.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use because::ast::QueryKind;
use because::eval::Limits;
use because::explain::WhyOptions;
use because::kb::KnowledgeBase;
use because::output::Format;
use libfuzzer_sys::fuzz_target;

const KB: &str = r#"
source essay "An essay".
edge(a, b). edge(b, c). edge(c, d). edge(d, b).
w(a, 1). w(b, 2). w(c, 3).
office(kim) @ 1990..2000. office(lee) @ 2000.. .
served(P) @ T :- office(P) @ T, T overlaps 1995.
path(X, Y) :- edge(X, Y).
path(X, Z) :- path(X, Y), edge(Y, Z).
lonely(X) :- w(X, _), not edge(_, X).
heavy(X) :- w(X, N), N > 1, M = N * 2, M < 10.
total(S) :- S = sum N : { w(_, N) }.
n_paths(X, C) :- edge(X, _), C = count : { path(X, Y) }.
[cited] strong(X) :- path(X, X) cite essay "An essay".
"#;

fn kb() -> KnowledgeBase {
    let limits = Limits { timeout: Some(Duration::from_secs(1)), max_facts: Some(10_000), cancel: None };
    let mut kb = KnowledgeBase::new(limits);
    kb.load_str("fixed.kb", KB, None).expect("the fixed knowledge base loads");
    kb
}

fuzz_target!(|text: &str| {
    static CHECKED: OnceLock<()> = OnceLock::new();
    CHECKED.get_or_init(|| drop(kb()));
    let mut kb = kb();
    let q = match kb.parse_query(text) {
        Ok(q) => q,
        Err(e) => {
            let _ = kb.render(&e.diagnostics, false, true);
            return;
        }
    };
    match q.kind {
        QueryKind::Select => {
            let _ = kb.answer(&q);
        }
        _ => {
            let options = WhyOptions { limit: Some(5), proofs: 2, ..WhyOptions::default() };
            if let Ok(e) = kb.explain(&q, &options) {
                let _ = e.render(Format::Table, false);
                let _ = e.render(Format::Json, false);
                let _ = e.render_dot();
            }
        }
    }
});
