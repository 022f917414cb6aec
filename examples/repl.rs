//! Starts the REPL over the files named on the command line, or the shipped knowledge base:
//! `cargo run --example repl [FILE...]`. (Stands in for `because repl` until the CLI wires it.)

use std::process::ExitCode;

use because::eval::Limits;
use because::kb::KnowledgeBase;
use because::repl::{self, Options};

fn main() -> ExitCode {
    let files: Vec<String> = std::env::args().skip(1).filter(|a| a != "repl").collect();
    let mut kb = KnowledgeBase::new(Limits::default());
    let loaded = if files.is_empty() {
        KnowledgeBase::alliance(Limits::default()).map(|k| kb = k)
    } else {
        files.iter().try_for_each(|f| kb.load_file(std::path::Path::new(f)).map(drop))
    };
    if let Err(e) = loaded {
        eprint!("{}", e.render(false, true));
        return ExitCode::from(2);
    }
    if repl::run(kb, Options::default()) { ExitCode::SUCCESS } else { ExitCode::from(2) }
}
