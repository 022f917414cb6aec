//! The proof data model: what `why` and `why not` return, independent of how it is found
//! ([`super`]) or printed ([`super::render`]). Nodes are facts, each shown once; premises name
//! nodes by index, so a shared sub-proof is one node reached from several places.

use serde::Serialize;

use crate::ast::QueryKind;
use crate::output::Format;
use crate::program::PredId;

use super::WhyNot;
use super::render::{self, render_dot, render_json, render_text};

/// Options for `why` and `why not`. The defaults: 20 facts, one proof each, folded below
/// depth 40, aggregates list 10 facts, `why not` follows 3 levels.
///
/// ```
/// use because::explain::WhyOptions;
/// use because::kb::KnowledgeBase;
/// use because::output::Format;
///
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("chain.kb", "e(a, b).\ne(b, c).\ne(c, d).\np(X, Y) :- e(X, Y).\np(X, Z) :- p(X, Y), e(Y, Z).\n", None)?;
/// // Fold everything below the root's premises.
/// let options = WhyOptions { depth: Some(0), ..WhyOptions::default() };
/// let e = kb.explain_str("why p(a, d)", &options)?;
/// assert!(e.render(Format::Table, false).contains("p(a, c)  … (folded: ask `why p(a, c)`)"));
/// // Two distinct proofs of p(a, c)? There is only one.
/// let options = WhyOptions { proofs: 2, ..WhyOptions::default() };
/// assert_eq!(kb.explain_str("why p(a, c)", &options)?.proof.roots[0].len(), 1);
/// # Ok::<(), because::kb::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct WhyOptions {
    /// At most this many matching facts are explained (`--limit`).
    pub limit: Option<usize>,
    /// Distinct proofs per fact, shortest first (`--proofs K`).
    pub proofs: usize,
    /// Sub-proofs deeper than this are folded into references (`--depth N`).
    pub depth: Option<usize>,
    /// How many facts an aggregate lists before it only counts the rest.
    pub aggregate_cutoff: usize,
    /// How deep `why not` follows a failing derived premise.
    pub why_not_depth: usize,
}

impl Default for WhyOptions {
    fn default() -> WhyOptions {
        WhyOptions { limit: Some(20), proofs: 1, depth: Some(40), aggregate_cutoff: 10, why_not_depth: 3 }
    }
}

/// A fact of the database: a predicate and a row number.
///
/// ```
/// # use because::kb::KnowledgeBase;
/// use because::explain::FactRef;
///
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("p.kb", "p(a).\n", None)?;
/// let pred = kb.program().pred_id("p", 1).unwrap();
/// let fact = FactRef { pred, row: 0 };
/// assert_eq!(kb.database().relation(fact.pred).row(fact.row).len(), 1);
/// # Ok::<(), because::kb::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FactRef {
    /// The predicate (see [`Program::pred`]).
    pub pred: PredId,
    /// The row number in the predicate's relation.
    pub row: u32,
}

/// Index of a node in a [`Proof`] (`proof.nodes[id]`).
///
/// ```
/// # use because::kb::KnowledgeBase;
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("p.kb", "p(a).\n", None)?;
/// let e = kb.why("p(a)")?;
/// let root: because::explain::NodeId = e.proof.roots[0][0];
/// assert_eq!(e.proof.nodes[root].fact.text, "p(a)");
/// # Ok::<(), because::kb::Error>(())
/// ```
pub type NodeId = usize;

/// A fact as text and values.
///
/// ```
/// # use because::kb::KnowledgeBase;
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("aid.kb", "aid(us, rok, 2.5e9) @ 1954..1971.\n", None)?;
/// let e = kb.why("aid(us, rok, A)")?;
/// let fact = &e.proof.nodes[0].fact;
/// // A decimal with an integral value is that integer (numerically equal numbers are one constant).
/// assert_eq!(fact.text, "aid(us, rok, 2500000000) @ 1954..1971");
/// assert_eq!(fact.pred, "aid");
/// assert_eq!(fact.args, [serde_json::json!("us"), serde_json::json!("rok"), serde_json::json!(2_500_000_000_i64)]);
/// assert_eq!(fact.interval.as_deref(), Some("1954..1971"));
/// # Ok::<(), because::kb::Error>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct FactText {
    /// `pred(a, b) @ 1954..1971`.
    pub text: String,
    /// The predicate's name.
    pub pred: String,
    /// The arguments as JSON values (see [`crate::output::value_json`]).
    pub args: Vec<serde_json::Value>,
    /// `None` for a fact without a time (undated, or of a predicate that carries none).
    pub interval: Option<String>,
}

/// A citation of a fact or rule: a source id and the words quoted from it.
///
/// ```
/// # use because::kb::KnowledgeBase;
/// use because::explain::How;
///
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("c.kb", "source essay \"The essay\".\np(a) cite essay \"a is p\".\n", None)?;
/// let e = kb.why("p(a)")?;
/// let How::Base { cites, .. } = &e.proof.nodes[0].how else { panic!("a base fact") };
/// assert_eq!((cites[0].source.as_str(), cites[0].quote.as_str()), ("essay", "a is p"));
/// # Ok::<(), because::kb::Error>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct Citation {
    /// The source's id, as declared by `source ID "Title".`
    pub source: String,
    /// The quoted words.
    pub quote: String,
    /// The source's Admiralty grade (`B2`), if it has one (absent from JSON otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
}

/// The rule a derived node was derived by.
///
/// ```
/// # use because::kb::KnowledgeBase;
/// use because::explain::How;
///
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("r.kb", "p(a).\n%% Every p is a q.\n[lift] q(X) :- p(X).\n", None)?;
/// let e = kb.why("q(a)")?;
/// let How::Derived { rule, .. } = &e.proof.nodes[0].how else { panic!("a derived fact") };
/// assert_eq!(rule.name, "q/1 #1");
/// assert_eq!(rule.label.as_deref(), Some("lift"));
/// assert_eq!(rule.doc.as_deref(), Some("Every p is a q."));
/// assert_eq!(rule.location, "r.kb:3");
/// # Ok::<(), because::kb::Error>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct RuleRef {
    /// `endured/2 #1`.
    pub name: String,
    /// The rule's label (`[endurance] endured(A, P) :- ...`).
    pub label: Option<String>,
    /// The prose of the rule's `%%` doc comment.
    pub doc: Option<String>,
    /// `file:line` of the rule.
    pub location: String,
    /// The rule's own citations.
    pub cites: Vec<Citation>,
}

/// One node of a proof: a fact and how it holds.
///
/// ```
/// # use because::kb::KnowledgeBase;
/// use because::explain::How;
///
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("p.kb", "p(a).\n", None)?;
/// let e = kb.why("p(a)")?;
/// let node = &e.proof.nodes[e.proof.roots[0][0]];
/// assert!(matches!(&node.how, How::Base { location, .. } if location == "p.kb:1"));
/// # Ok::<(), because::kb::Error>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct ProofNode {
    /// The fact this node proves.
    pub fact: FactText,
    /// How it holds (in JSON, its fields sit beside `fact`, tagged by `kind`).
    #[serde(flatten)]
    pub how: How,
}

/// How a proof node's fact holds: stated, derived, or folded away.
///
/// ```
/// # use because::kb::KnowledgeBase;
/// use because::explain::{How, Premise};
///
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("r.kb", "p(a).\nq(X) :- p(X), not r(X).\nr(b).\n", None)?;
/// let e = kb.why("q(a)")?;
/// let How::Derived { premises, .. } = &e.proof.nodes[0].how else { panic!() };
/// let Premise::Fact { node } = premises[0] else { panic!() };
/// assert!(matches!(e.proof.nodes[node].how, How::Base { .. }));
/// # Ok::<(), because::kb::Error>(())
/// ```
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum How {
    /// Stated in a file or loaded from a data file.
    Base {
        /// `file:line` of the statement or of the data file's line.
        location: String,
        /// The fact's citations.
        cites: Vec<Citation>,
        /// The prose of the fact's `%%` doc comment.
        doc: Option<String>,
    },
    /// Derived by a rule from premises.
    Derived {
        /// The rule, instantiated by these premises.
        rule: RuleRef,
        /// One per body literal, in the rule's order.
        premises: Vec<Premise>,
    },
    /// Deeper than `--depth`: ask `why` of this fact to expand it.
    Folded,
}

/// One premise of a derived node, in the order of the rule's body.
///
/// ```
/// # use because::kb::KnowledgeBase;
/// use because::explain::{How, Premise};
///
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("r.kb", "n(a, 3).\nn(b, 5).\nbig(X) :- n(X, V), V > 4, not small(X), C = count : { n(_, _) }, C > 1.\nsmall(c).\n", None)?;
/// let e = kb.why("big(b)")?;
/// let How::Derived { premises, .. } = &e.proof.nodes[0].how else { panic!() };
/// assert!(matches!(premises[0], Premise::Fact { .. }));
/// assert!(matches!(&premises[1], Premise::Test { text } if text == "V > 4: 5 > 4"));
/// assert!(matches!(&premises[2], Premise::Absent { atom } if atom == "small(b)"));
/// assert!(matches!(&premises[3], Premise::Aggregate { total: 2, .. }));
/// # Ok::<(), because::kb::Error>(())
/// ```
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Premise {
    /// A positive atom, proved by its own node.
    Fact {
        /// The node that proves the atom.
        node: NodeId,
    },
    /// `not p(..)`: checked, nothing derives it.
    Absent {
        /// The negated atom with its values (`reach(d)`).
        atom: String,
    },
    /// A comparison, assignment or interval test with its evaluated values.
    Test {
        /// `Giver != Receiver: us != rok`.
        text: String,
    },
    /// An aggregate: its result and the facts it ranged over (up to a cut-off).
    Aggregate {
        /// `N = count : { ... } = 3`.
        text: String,
        /// The aggregate's result.
        value: serde_json::Value,
        /// Nodes of the facts aggregated, up to [`WhyOptions::aggregate_cutoff`] matches.
        facts: Vec<NodeId>,
        /// How many distinct matches the aggregate ranged over in all.
        total: usize,
    },
}

/// A proof graph: nodes shared between the proofs of one query.
///
/// ```
/// # use because::kb::KnowledgeBase;
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("r.kb", "p(a).\nq(X) :- p(X).\nr(X) :- p(X).\n", None)?;
/// let e = kb.why("q(a)")?;
/// assert_eq!(e.proof.roots, [[0]]);
/// assert_eq!(e.proof.nodes.len(), 2, "q(a) and the p(a) it rests on");
/// # Ok::<(), because::kb::Error>(())
/// ```
#[derive(Debug, Clone, Default, Serialize)]
pub struct Proof {
    /// Every node; a fact that appears in several places has one node.
    pub nodes: Vec<ProofNode>,
    /// For each explained fact, the root node of each of its proofs (shortest first).
    pub roots: Vec<Vec<NodeId>>,
}

/// The result of a `why` or `why not` query, ready to render as text, JSON or DOT.
///
/// ```
/// # use because::kb::KnowledgeBase;
/// use because::ast::QueryKind;
///
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("p.kb", "p(a).\np(b).\n", None)?;
/// let e = kb.why("p(X)")?;
/// assert_eq!((e.query.as_str(), e.kind, e.matched), ("why p(X)", QueryKind::Why, 2));
/// assert!(e.why_not.is_none());
/// # Ok::<(), because::kb::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Explanation {
    /// The query as written (`why reach(d)`).
    pub query: String,
    /// `Why` or `WhyNot`.
    pub kind: QueryKind,
    /// The proofs (`why`), or the proofs of facts that block negations (`why not`).
    pub proof: Proof,
    /// For `why not`: which premise of each rule fails.
    pub why_not: Option<WhyNot>,
    /// How many facts matched in all (`proof.roots` holds at most `--limit` of them).
    pub matched: usize,
}

impl Explanation {
    /// The nodes a picture or a page of this explanation starts from: each proof of each
    /// answer, then the facts that block a `why not` at every level of its diagnosis (a node
    /// may come more than once).
    pub fn shown_roots(&self) -> Vec<NodeId> {
        let mut roots: Vec<NodeId> = self.proof.roots.iter().flatten().copied().collect();
        if let Some(w) = &self.why_not {
            let mut stack = vec![w];
            while let Some(w) = stack.pop() {
                for f in &w.rules {
                    roots.extend(f.blocked_by);
                    stack.extend(f.sub.as_deref());
                }
            }
        }
        roots
    }

    /// For `why`: some fact matched (exit 0). For `why not`: the atom indeed does not hold.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\n", None)?;
    /// assert!(kb.why("p(a)")?.found());
    /// assert!(!kb.why("p(b)")?.found());
    /// assert!(kb.why_not("p(b)")?.found());
    /// assert!(!kb.why_not("p(a)")?.found(), "p(a) holds after all");
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn found(&self) -> bool {
        match self.kind {
            QueryKind::WhyNot => self.why_not.as_ref().is_some_and(|w| !w.holds),
            _ => self.matched > 0,
        }
    }

    /// Renders as an indented tree (`Table`, `Tsv`, `Csv`) or JSON (`Json` pretty, `Jsonl` on
    /// one line). Colour (ANSI escapes) only with `color`.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// use because::output::Format;
    ///
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\nq(X) :- p(X).\n", None)?;
    /// let e = kb.why("q(a)")?;
    /// assert_eq!(e.render(Format::Table, false), "q(a)  ⟸ q/1 #1 (p.kb:2)\n└─ p(a)  fact (p.kb:1)\n");
    /// let line = e.render(Format::Jsonl, false);
    /// assert!(line.starts_with("{\"version\":1,\"kind\":\"why\"") && line.ends_with("}\n"));
    /// assert_eq!(line.lines().count(), 1);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn render(&self, format: Format, color: bool) -> String {
        match format {
            Format::Json => render_json(self, true),
            Format::Jsonl => render_json(self, false),
            _ => render_text(self, color),
        }
    }

    /// The JSON document of the explanation, as a value (schema in `docs/json.md`).
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\nq(X) :- p(X).\n", None)?;
    /// let doc = kb.why("q(a)")?.to_json();
    /// assert_eq!(doc["version"], 1);
    /// assert_eq!(doc["answers"][0]["fact"], "q(a)");
    /// assert_eq!(doc["nodes"][0]["kind"], "derived");
    /// assert_eq!(doc["nodes"][0]["rule"]["name"], "q/1 #1");
    /// assert_eq!(doc["nodes"][1]["location"], "p.kb:1");
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self.document()).unwrap_or(serde_json::Value::Null)
    }

    /// The JSON document of the explanation as its typed view (`docs/json.md`): what
    /// [`Explanation::to_json`] and [`Explanation::render`] with a JSON format write, for a
    /// front end that puts it inside a larger document.
    pub fn document(&self) -> super::ProofJson<'_> {
        render::proof_json(self)
    }

    /// Renders as a DOT graph (premises point to their conclusions); draw it with
    /// `dot -Tsvg`.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\nq(X) :- p(X).\n", None)?;
    /// let dot = kb.why("q(a)")?.render_dot();
    /// assert!(dot.starts_with("digraph proof {"));
    /// assert!(dot.contains("n1 -> n0;"), "p(a) points to q(a)");
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn render_dot(&self) -> String {
        render_dot(self)
    }
}
