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

/// Shared with `tests/regressions.rs`, which replays the kept crashes of this target.
const KB: &str = include_str!("../why_base.kb");

fn kb() -> KnowledgeBase {
    let limits = Limits { timeout: Some(Duration::from_secs(1)), max_facts: Some(10_000), cancel: None };
    let mut kb = KnowledgeBase::new(limits);
    kb.load_str("fixed.kb", KB, None).expect("the fixed knowledge base loads");
    kb
}

fuzz_target!(|text: &str| {
    static CHECKED: OnceLock<()> = OnceLock::new();
    CHECKED.get_or_init(|| drop(kb()));
    let kb = kb();
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
