//! Inputs that once crashed a fuzz target (or sit on a boundary the fuzzers probe), kept in
//! `tests/regressions/` and run the way their target runs them. Each input `<target>-<name>.<ext>`
//! has `<name>.<ext>.expect` beside it: the error codes it must produce, one a line, or `ok`.
//! A panic fails the test like any other mismatch. Targets are those of `fuzz/fuzz_targets/`:
//! `parse`, `check`, `eval`, `table`, `why`. Rendering is part of each run, as in the targets.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use because::ast::QueryKind;
use because::diag::Diagnostics;
use because::eval::Limits;
use because::explain::WhyOptions;
use because::kb::KnowledgeBase;
use because::load::{self, Format, read_table};
use because::output;
use because::source::SourceMap;
use because::value::Interner;
use because::{check, syntax};

/// The fixed knowledge base of the `why` target (`fuzz/fuzz_targets/why.rs`).
const WHY_KB: &str = include_str!("../fuzz/why_base.kb");

fn small_limits() -> Limits {
    Limits { timeout: Some(Duration::from_secs(1)), max_facts: Some(10_000), cancel: None }
}

fn codes(diags: &Diagnostics) -> Vec<String> {
    diags.0.iter().filter(|d| d.is_error()).map(|d| d.code.to_string()).collect()
}

/// Runs `bytes` through `target` as its fuzz target does (a `table` input is CSV when its
/// extension is `csv`); the error codes it produced.
fn outcome(target: &str, ext: &str, bytes: &[u8]) -> Vec<String> {
    match target {
        "parse" => {
            let text = match load::decode(bytes.to_vec(), "input", None) {
                Ok(text) => text,
                Err(d) => return vec![d.code.to_string()],
            };
            let mut sources = SourceMap::default();
            let file = sources.add("input".into(), None, Arc::from(text.as_str()));
            let (_, diags) = syntax::parse_module(file, &text);
            let _ = diags.render(&sources, false, true);
            codes(&diags)
        }
        "check" => {
            let text = String::from_utf8_lossy(bytes);
            let (module, parsed) = syntax::parse_module(because::ast::FileId(0), &text);
            let (_, checked) = check::check(&[module], Vec::new(), &mut Interner::default());
            codes(&parsed).into_iter().chain(codes(&checked)).collect()
        }
        "eval" => {
            let text = String::from_utf8_lossy(bytes);
            let mut kb = KnowledgeBase::new(small_limits());
            let report = match kb.load_str("input", &text, None) {
                Ok(r) => r,
                Err(e) => {
                    let _ = kb.render(&e.diagnostics, false, true);
                    return codes(&e.diagnostics);
                }
            };
            let mut out = Vec::new();
            for i in report.queries.clone() {
                let q = kb.queries()[i].clone();
                let result = match q.kind {
                    QueryKind::Select => kb.answer(&q).map(|_| ()),
                    _ => kb.explain(&q, &WhyOptions { limit: Some(3), ..WhyOptions::default() }).map(|e| {
                        let _ = e.render(output::Format::Table, false);
                    }),
                };
                if let Err(e) = result {
                    out.extend(codes(&e.diagnostics));
                }
            }
            out
        }
        "table" => {
            let format = if ext == "csv" { Format::Csv } else { Format::Tsv };
            match read_table(bytes, "input", false, &mut Interner::default(), format) {
                Ok(_) => Vec::new(),
                Err(e) => vec![e.code.to_string()],
            }
        }
        "why" => {
            let mut kb = KnowledgeBase::new(small_limits());
            kb.load_str("fixed.kb", WHY_KB, None).expect("the fixed knowledge base loads");
            let text = String::from_utf8_lossy(bytes);
            let q = match kb.parse_query(&text) {
                Ok(q) => q,
                Err(e) => return codes(&e.diagnostics),
            };
            let result = match q.kind {
                QueryKind::Select => kb.answer(&q).map(|_| ()),
                _ => kb.explain(&q, &WhyOptions { limit: Some(5), proofs: 2, ..WhyOptions::default() }).map(|e| {
                    let _ = e.render(output::Format::Table, false);
                    let _ = e.render(output::Format::Json, false);
                    let _ = e.render_dot();
                }),
            };
            result.err().map(|e| codes(&e.diagnostics)).unwrap_or_default()
        }
        other => panic!("unknown target `{other}`"),
    }
}

#[test]
fn every_kept_input_has_its_exact_outcome() {
    let dir = Path::new("tests/regressions");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none_or(|x| x != "expect"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty());
    let mut failures = Vec::new();
    for input in &inputs {
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        let target = name.split('-').next().unwrap_or_default();
        let expect_path = dir.join(format!("{name}.expect"));
        let expected = std::fs::read_to_string(&expect_path)
            .unwrap_or_else(|_| panic!("{} has no {}", input.display(), expect_path.display()));
        let ext = input.extension().and_then(|e| e.to_str()).unwrap_or_default();
        let got = outcome(target, ext, &std::fs::read(input).unwrap());
        let got = if got.is_empty() { "ok".to_string() } else { got.join("\n") };
        if got != expected.trim_end() {
            failures.push(format!("{name}: expected\n{expected}\ngot\n{got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
