//! Embedding a query in a program: load a knowledge base, ask a query with typed parameters,
//! print the answers, and exit as `because query` does: 0 answers found, 1 none, 2 an error.
//!
//! ```sh
//! cargo run --example embed_query                                  # the shipped knowledge base
//! cargo run --example embed_query -- examples/kb/reach.kb 'reach(X)'
//! cargo run --example embed_query -- examples/kb/reach.kb 'link($from, X)' from=a
//! cargo run --example embed_query -- examples/kb/reach.kb          # every query the file states
//! ```
//!
//! The logic lives in [`ask`] and [`answer_file`], which `tests/examples.rs` calls directly.

use std::path::Path;
use std::process::ExitCode;

use because::ast::QueryKind;
use because::explain::WhyOptions;
use because::kb::{KnowledgeBase, param_value};
use because::output::{Format, render_answers};
use because::value::Value;

/// Exit codes, as the command line's (`because --help`).
pub const EXIT_FOUND: u8 = 0;
pub const EXIT_NONE: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// What a run printed and how it ends.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: u8,
}

/// Answers one select query whose `$name` parameters take `params`; answers as TSV.
pub fn ask(kb: &mut KnowledgeBase, query: &str, params: &[(&str, Value)]) -> Outcome {
    match kb.query_with(query, params) {
        Ok(answers) => Outcome {
            stdout: render_answers(&answers, Format::Tsv),
            stderr: String::new(),
            code: if answers.holds() { EXIT_FOUND } else { EXIT_NONE },
        },
        Err(e) => Outcome { stdout: String::new(), stderr: e.render(false, true), code: EXIT_ERROR },
    }
}

/// Answers every query the loaded files state, in order (as `because run` does): select
/// queries as TSV, `why` queries as proof trees. 0 if every query was answered.
pub fn answer_file(kb: &mut KnowledgeBase) -> Outcome {
    let mut out = Outcome::default();
    for q in kb.queries().to_vec() {
        out.stdout.push_str(&q.text);
        out.stdout.push('\n');
        let rendered = match q.kind {
            QueryKind::Select => kb.answer(&q).map(|a| render_answers(&a, Format::Tsv)),
            QueryKind::Why | QueryKind::WhyNot => {
                kb.explain(&q, &WhyOptions::default()).map(|e| e.render(Format::Table, false))
            }
        };
        match rendered {
            Ok(text) => out.stdout.push_str(&text),
            Err(e) => {
                out.stderr.push_str(&e.render(false, true));
                out.code = EXIT_ERROR;
            }
        }
    }
    out
}

/// Reads `NAME=VALUE` arguments; a value is read as the command line reads `--param`.
pub fn params(args: &[String]) -> Result<Vec<(&str, Value)>, String> {
    args.iter()
        .map(|a| a.split_once('=').map(|(k, v)| (k, param_value(v))).ok_or_else(|| format!("`{a}` is not NAME=VALUE")))
        .collect()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut kb = KnowledgeBase::default();
    let loaded = match args.first() {
        Some(path) => kb.load_file(Path::new(path)).map(drop),
        None => kb.load_file(Path::new(because::kb::ALLIANCE_ENTRY)).map(drop),
    };
    if let Err(e) = loaded {
        eprint!("{}", e.render(false, true));
        return ExitCode::from(EXIT_ERROR);
    }
    let outcome = match args.get(1) {
        Some(query) => match params(&args[2..]) {
            Ok(params) => ask(&mut kb, query, &params),
            Err(message) => Outcome { stderr: format!("error: {message}\n"), code: EXIT_ERROR, ..Outcome::default() },
        },
        // A file without a query: the queries it states.
        None if !args.is_empty() => answer_file(&mut kb),
        // No arguments: which periods of its life did the alliance endure in 1995?
        None => {
            ask(&mut kb, "endured(rok_us_alliance, P), period(P) @ T, T overlaps $year", &[("year", Value::Int(1995))])
        }
    };
    print!("{}", outcome.stdout);
    eprint!("{}", outcome.stderr);
    ExitCode::from(outcome.code)
}
