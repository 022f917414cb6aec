//! A whole load (parse, check, evaluate) under small limits, then every query the text states.
//! A runaway program must stop at a limit with a diagnostic; nothing may panic or hang.
#![no_main]

use std::time::Duration;

use because::ast::QueryKind;
use because::eval::Limits;
use because::explain::WhyOptions;
use because::kb::KnowledgeBase;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    // `include` and `load` read relative to the fuzzer's working directory: keep the fuzzer
    // away from device files, which would make it read forever.
    if text.contains("/dev") || text.contains("/proc") || text.contains("/sys") {
        return;
    }
    let limits = Limits { timeout: Some(Duration::from_secs(1)), max_facts: Some(10_000), cancel: None };
    let mut kb = KnowledgeBase::new(limits);
    let report = match kb.load_str("fuzz.kb", text, None) {
        Ok(report) => report,
        Err(e) => {
            let _ = kb.render(&e.diagnostics, false, true);
            return;
        }
    };
    let _ = kb.render(&report.warnings, false, true);
    let options = WhyOptions { limit: Some(3), ..WhyOptions::default() };
    for i in report.queries.clone() {
        let q = kb.queries()[i].clone();
        let result = match q.kind {
            QueryKind::Select => kb.answer(&q).map(|_| ()),
            _ => kb.explain(&q, &options).map(|e| {
                let _ = e.render(because::output::Format::Table, false);
            }),
        };
        if let Err(e) = result {
            let _ = kb.render(&e.diagnostics, false, true);
        }
    }
});
