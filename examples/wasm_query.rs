//! The library under WebAssembly: loads the shipped knowledge base (embedded, no file is read),
//! prints the headline answers and the headline proof exactly as `because query` prints them,
//! and exits 0. Built without the command line's dependencies and run on one thread:
//!
//! ```sh
//! rustup target add wasm32-wasip1
//! cargo build --example wasm_query --target wasm32-wasip1 --no-default-features
//! python3 -m wasmtime target/wasm32-wasip1/debug/examples/wasm_query.wasm   # pip install wasmtime
//! ```
//!
//! It runs natively too (`cargo run --example wasm_query`); `.ci/run` compares the WebAssembly
//! output with the native binary's.

use std::process::ExitCode;

use because::eval::{Limits, Runtime};
use because::explain::WhyOptions;
use because::kb::KnowledgeBase;
use because::output::{Format, render_answers};

/// The headline question and its proof, as the README shows them.
const ANSWERS: &str = "endured(rok_us_alliance, P)";
const PROOF: &str = "why endured(rok_us_alliance, post_cold_war)";

fn main() -> ExitCode {
    // No timeout: a WebAssembly host may have no clock. One thread: it may have no threads.
    let mut kb = KnowledgeBase::new(Limits { timeout: None, ..Limits::default() });
    kb.set_runtime(Runtime::single_threaded());
    let run = |kb: &mut KnowledgeBase| -> Result<String, because::kb::Error> {
        kb.load_file(std::path::Path::new(because::kb::ALLIANCE_ENTRY))?;
        let answers = kb.query(ANSWERS)?;
        let query = kb.parse_query(PROOF)?;
        let proof = kb.explain(&query, &WhyOptions::default())?;
        Ok(format!("{}{}", render_answers(&answers, Format::Table), proof.render(Format::Table, false)))
    };
    match run(&mut kb) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprint!("{}", e.render(false, true));
            ExitCode::from(2)
        }
    }
}
