//! Explanations: `why` proofs and `why not` diagnoses, built from what evaluation recorded.
//! (Being written: the API below is the one the front ends use.)

use crate::kb::{Error, KnowledgeBase};
use crate::output::Format;
use crate::program::QueryIr;

/// Options for `why` and `why not`.
#[derive(Debug, Clone)]
pub struct WhyOptions {
    /// At most this many matching facts are explained (`--limit`).
    pub limit: Option<usize>,
    /// Distinct proofs per fact, shortest first (`--proofs K`).
    pub proofs: usize,
    /// Sub-proofs deeper than this are folded into references (`--depth N`).
    pub depth: Option<usize>,
}

impl Default for WhyOptions {
    fn default() -> WhyOptions {
        WhyOptions { limit: Some(20), proofs: 1, depth: None }
    }
}

/// The result of a `why` or `why not` query, ready to render.
#[derive(Debug, Clone)]
pub struct Explanation {
    pub query: String,
    text: String,
    found: bool,
}

impl Explanation {
    /// For `why`: some fact matched (exit 0). For `why not`: the atom indeed does not hold.
    pub fn found(&self) -> bool {
        self.found
    }

    /// Renders as an indented tree (`Format::Table`, `Tsv`, `Csv`), JSON (`Json`, `Jsonl`) or DOT.
    pub fn render(&self, _format: Format, _color: bool) -> String {
        self.text.clone()
    }

    /// Renders as a DOT graph.
    pub fn render_dot(&self) -> String {
        self.text.clone()
    }
}

impl KnowledgeBase {
    /// Explains a `why` or `why not` query.
    pub fn explain(&mut self, query: &QueryIr, _options: &WhyOptions) -> Result<Explanation, Error> {
        Ok(Explanation { query: query.text.clone(), text: format!("{}\n", query.text), found: true })
    }
}
