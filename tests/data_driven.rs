//! Data-driven tests: every `tests/data/{eval,err,explain}/*.kb` is loaded and run, and the
//! transcript (answers in TSV, explanations as text trees, the violations of its constraints
//! with their proofs, or the diagnostics of a failed load) is compared with the `.out` file beside it. `UPDATE_EXPECT=1 cargo test --test data_driven`
//! writes the `.out` files instead, to be reviewed as a diff. Each case is also loaded as a batch
//! `because run` loads it (the last load, rows kept only in the sorted runs), and must give the
//! same transcript.

use std::path::{Path, PathBuf};

use because::ast::QueryKind;
use because::eval::{Limits, Runtime};
use because::explain::WhyOptions;
use because::kb::KnowledgeBase;
use because::output::{Format, render_answers};

/// Loads `path` and answers its queries; returns the transcript. `last`: loaded as a batch
/// `because run` loads, the last load (`Runtime::changes_later` and `explain_later` off), which
/// must not change the transcript.
fn transcript(path: &Path, last: bool) -> String {
    // No timeout: a case must not race the clock against the fact limit (on a busy machine
    // the clock wins). Every case terminates or derives without end, which the limit stops.
    let limits = Limits { timeout: None, max_facts: Some(100_000), cancel: None };
    let mut kb = KnowledgeBase::new(limits);
    if last {
        kb.set_runtime(Runtime { explain_later: false, changes_later: false, ..kb.runtime().clone() });
    }
    let report = match kb.load_file(path) {
        Ok(r) => r,
        Err(e) => return kb.render(&e.diagnostics, false, true),
    };
    let mut out = kb.render(&report.warnings, false, true);
    for i in report.queries.clone() {
        let q = kb.queries()[i].clone();
        out.push_str(&q.text);
        out.push('\n');
        let result = match q.kind {
            QueryKind::Select => kb.answer(&q).map(|a| {
                let hint = if a.rows.is_empty() { kb.during_hint(&q) } else { None };
                let hint = hint.map(|h| h.render(false, true));
                render_answers(&a, Format::Tsv) + &hint.unwrap_or_default()
            }),
            _ => kb.explain(&q, &WhyOptions::default()).map(|e| e.render(Format::Table, false)),
        };
        match result {
            Ok(text) => out.push_str(&text),
            Err(e) => out.push_str(&kb.render(&e.diagnostics, false, true)),
        }
    }
    // Constraints: their violations as `because check` prints them, with their diagnostics.
    match kb.snapshot().violations() {
        Ok(v) if !v.is_empty() => {
            out.push_str(&kb.render(&because::evidence::constraints::diagnostics(&v, false), false, true));
            out.push_str(&v.render(false));
        }
        Ok(_) => {}
        Err(e) => out.push_str(&e.render(false, true)),
    }
    out
}

fn cases(area: &str) -> Vec<PathBuf> {
    let dir = Path::new("tests/data").join(area);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "kb"))
        .collect();
    files.sort();
    files
}

fn check_area(area: &str) {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    let files = cases(area);
    assert!(!files.is_empty(), "no cases in tests/data/{area}");
    for kb in files {
        let expected_path = kb.with_extension("out");
        let actual = transcript(&kb, false);
        let last = transcript(&kb, true);
        if last != actual {
            failures.push(format!("--- {} (a session)\n{actual}\n+++ as the last load\n{last}", kb.display()));
        }
        if update {
            std::fs::write(&expected_path, &actual).expect("write expected output");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            failures.push(format!("--- {}\n{}\n+++ actual\n{}", expected_path.display(), expected, actual));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) differ (UPDATE_EXPECT=1 rewrites them):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn eval_cases() {
    check_area("eval");
}

#[test]
fn error_cases() {
    check_area("err");
}

#[test]
fn explain_cases() {
    check_area("explain");
}
