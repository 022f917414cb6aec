//! What a query gives back, whichever kind it was, as one value the front ends print: the
//! answers of a select, the explanation of a `why` / `why not`, or the compared answers or the
//! explanation of a `whatif`. The documents that gather several replies or diagnostics
//! (`run --format json`, `check --format json`) are typed here too, so that no front end
//! assembles JSON by hand (`docs/json.md` describes them).

use serde::Serialize;

use crate::diag::DiagnosticJson;
use crate::evidence::WhatIfReply;
use crate::evidence::constraints::ViolationJson;
use crate::explain::Explanation;
use crate::output::{Answers, AnswersJson, JSON_VERSION};

/// The reply to one query.
#[derive(Debug, Clone)]
pub enum Reply {
    Answers(Answers),
    Explanation(Explanation),
    /// A query stated with `whatif CHANGES :`.
    WhatIf(Box<WhatIfReply>),
}

impl Reply {
    /// Select: some answer (or `true`). Why: some fact explained; why not: it indeed fails.
    /// What-if: the same, in the hypothetical world.
    ///
    /// ```
    /// use because::kb::KnowledgeBase;
    /// use because::reply::Reply;
    ///
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\n", None)?;
    /// assert!(Reply::Answers(kb.query("p(a)")?).found());
    /// assert!(!Reply::Explanation(kb.why("p(b)")?).found());
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn found(&self) -> bool {
        match self {
            Reply::Answers(a) => a.holds(),
            Reply::Explanation(e) => e.found(),
            Reply::WhatIf(w) => w.found(),
        }
    }

    /// The reply's own JSON document: [`AnswersJson`], the explanation's
    /// ([`crate::explain::ProofJson`]) or the what-if's.
    ///
    /// ```
    /// use because::kb::KnowledgeBase;
    /// use because::reply::Reply;
    ///
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\nq(X) :- p(X).\n", None)?;
    /// assert_eq!(Reply::Answers(kb.query("q(X)")?).to_json()["rows"][0][0], "a");
    /// assert_eq!(Reply::Explanation(kb.why("q(a)")?).to_json()["kind"], "why");
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Reply::Answers(a) => serde_json::to_value(AnswersJson::new(a)).unwrap_or_default(),
            Reply::Explanation(e) => e.to_json(),
            Reply::WhatIf(w) => w.json(),
        }
    }
}

/// `run --format json`: one document for every query of a run, in order.
#[derive(Debug, Serialize)]
pub struct RunJson {
    /// [`JSON_VERSION`].
    pub version: u32,
    /// Per query, its reply's document ([`Reply::to_json`]) or a [`FailedJson`].
    pub results: Vec<serde_json::Value>,
}

impl RunJson {
    pub fn new() -> RunJson {
        RunJson { version: JSON_VERSION, results: Vec::new() }
    }
}

impl Default for RunJson {
    fn default() -> RunJson {
        RunJson::new()
    }
}

/// A query of a run that failed: its text and its errors.
#[derive(Debug, Serialize)]
pub struct FailedJson {
    pub query: String,
    pub errors: Vec<DiagnosticJson>,
}

/// `check --format json`: the diagnostics of a load, and the violations of its constraints
/// ([`crate::evidence::constraints::Violations::to_json`]).
#[derive(Debug, Serialize)]
pub struct DiagnosticsJson<'a> {
    /// [`JSON_VERSION`].
    pub version: u32,
    pub diagnostics: Vec<DiagnosticJson>,
    pub violations: Vec<ViolationJson<'a>>,
}

impl<'a> DiagnosticsJson<'a> {
    pub fn new(diagnostics: Vec<DiagnosticJson>, violations: Vec<ViolationJson<'a>>) -> DiagnosticsJson<'a> {
        DiagnosticsJson { version: JSON_VERSION, diagnostics, violations }
    }
}
