//! Printing a proof: ask `why` (and `why not`) and print the explanation as a text tree, as
//! JSON (the schema in `docs/json.md`) and as DOT (`| dot -Tsvg > proof.svg`).
//!
//! ```sh
//! cargo run --example print_proof                      # why reach(d), over examples/kb/reach.kb
//! cargo run --example print_proof -- 'reach(c)'
//! cargo run --example print_proof -- 'reach(e)' FILE   # does not hold: prints `why not`
//! ```
//!
//! The logic lives in [`explain`], which `tests/examples.rs` calls directly.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use because::explain::Explanation;
use because::kb::{Error, KnowledgeBase};
use because::output::Format;

/// The example knowledge base beside this file.
pub fn reach_kb() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/kb/reach.kb")
}

/// An explanation in the three forms.
pub struct Printed {
    pub text: String,
    pub json: serde_json::Value,
    pub dot: String,
}

/// Explains `atom`: `why` if it holds, else `why not`.
pub fn explain(kb: &mut KnowledgeBase, atom: &str) -> Result<Printed, Error> {
    let why = kb.why(atom)?;
    let e: Explanation = if why.found() { why } else { kb.why_not(atom)? };
    Ok(Printed { text: e.render(Format::Table, false), json: e.to_json(), dot: e.render_dot() })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let atom = args.first().map_or("reach(d)", String::as_str);
    let file = args.get(1).map_or_else(reach_kb, PathBuf::from);
    let mut kb = KnowledgeBase::default();
    let printed = kb.load_file(&file).and_then(|_| explain(&mut kb, atom));
    match printed {
        Ok(p) => {
            println!("── text ──\n{}", p.text);
            println!("── json ──\n{}", serde_json::to_string_pretty(&p.json).unwrap_or_default());
            println!("── dot ──\n{}", p.dot);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprint!("{}", e.render(false, true));
            ExitCode::from(2)
        }
    }
}
