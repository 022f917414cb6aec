//! Rendering explanations: an indented tree (`├─`, `└─`), JSON (one documented schema, see
//! `docs/json.md`) and DOT. All three walk the proof graph with explicit stacks, so a proof of
//! any depth renders without recursion.

use std::fmt::Write as _;

use rustc_hash::FxHashSet;
use serde::Serialize;

use super::{Explanation, How, NodeId, Premise, Proof, ProofNode, WhyNot};
use crate::ast::QueryKind;
use crate::output::{JSON_VERSION, dot_quote};

struct Style {
    fact: &'static str,
    rule: &'static str,
    cite: &'static str,
    ok: &'static str,
    bad: &'static str,
    off: &'static str,
}

const PLAIN: Style = Style { fact: "", rule: "", cite: "", ok: "", bad: "", off: "" };
/// The colours, written with [`STYLE_ESC`] for ESC until the text is escaped for the terminal.
const COLOR: Style = Style {
    fact: "\u{e000}[1m",
    rule: "\u{e000}[36m",
    cite: "\u{e000}[32m",
    ok: "\u{e000}[32m",
    bad: "\u{e000}[31m",
    off: "\u{e000}[0m",
};

/// Stands for ESC in the colours while a tree is built from data. The finished text has every
/// control character of the data escaped ([`crate::output::terminal_text`]); then this marker
/// becomes ESC. Data that holds the marker itself is printed without colour.
const STYLE_ESC: char = '\u{e000}';

/// The text tree of an explanation (what [`Explanation::render`] gives for table formats).
///
/// ```
/// # use because::kb::KnowledgeBase;
/// use because::explain::render_text;
///
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("p.kb", "p(a).\n", None)?;
/// assert_eq!(render_text(&kb.why("p(a)")?, false), "p(a)  fact (p.kb:1)\n");
/// assert_eq!(render_text(&kb.why("p(b)")?, false), "no fact matches `p(b)`\n");
/// assert_eq!(
///     render_text(&kb.why_not("p(b)")?, false),
///     "p(b) does not hold.\n\
///      no rule derives `p/1`, and no such fact is stated (it has 1 fact)\n\
///      closest facts of `p/1`:\n\
///      └─ p(a)\n"
/// );
/// # Ok::<(), because::kb::Error>(())
/// ```
pub fn render_text(e: &Explanation, color: bool) -> String {
    let plain = render_raw(e, false);
    // Colours only when the data holds no marker of its own (the plain text shows the same
    // data), so every marker in the coloured text is one of ours.
    if !color || plain.contains(STYLE_ESC) {
        return crate::output::terminal_text(&plain).into_owned();
    }
    crate::output::terminal_text(&render_raw(e, true)).replace(STYLE_ESC, "\x1b")
}

fn render_raw(e: &Explanation, color: bool) -> String {
    let style = if color { &COLOR } else { &PLAIN };
    let mut out = String::new();
    if let Some(w) = &e.why_not {
        render_why_not(&mut out, w, &e.proof, style);
        return out;
    }
    if e.matched == 0 {
        let goal = e.query.trim_start_matches("?-").trim().trim_start_matches("why").trim();
        // Only the statement's own `.` goes: an open interval ends in `..` (`@ 1990..`), so of
        // an odd run of final dots one ends the statement, of an even run none does.
        let dots = goal.len() - goal.trim_end_matches('.').len();
        let goal = if dots % 2 == 1 { goal[..goal.len() - 1].trim_end() } else { goal };
        let _ = writeln!(out, "no fact matches `{goal}`");
        return out;
    }
    let mut printed = FxHashSet::default();
    for (i, roots) in e.proof.roots.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        // Each answer's proof stands on its own.
        printed.clear();
        for (k, &root) in roots.iter().enumerate() {
            if roots.len() > 1 {
                let _ = writeln!(out, "proof {} of {}:", k + 1, roots.len());
                // Each alternative proof is shown whole.
                printed.clear();
            }
            tree(&mut out, &e.proof, root, style, &mut printed);
        }
    }
    if e.matched > e.proof.roots.len() {
        let _ = writeln!(out, "\n({} more facts match; use --limit to see them)", e.matched - e.proof.roots.len());
    }
    out
}

enum Item {
    Node(NodeId),
    Premise(Premise),
    More(usize),
}

/// Indentation stops growing past this many levels: every line repeats its whole prefix, so
/// a proof of depth 100,000 would otherwise print gigabytes. Deeper lines keep this indentation.
const MAX_INDENT: usize = 64;

/// Prints the tree under `root`; derived nodes already printed are referred to, not repeated.
fn tree(out: &mut String, proof: &Proof, root: NodeId, s: &Style, printed: &mut FxHashSet<NodeId>) {
    // (item, prefix of this line, is the last child, is the root, indentation level)
    let mut stack: Vec<(Item, String, bool, bool, usize)> = vec![(Item::Node(root), String::new(), true, true, 0)];
    while let Some((item, prefix, last, is_root, level)) = stack.pop() {
        let connector = if is_root {
            ""
        } else if last {
            "└─ "
        } else {
            "├─ "
        };
        let child_prefix = if is_root {
            String::new()
        } else if level >= MAX_INDENT {
            prefix.clone()
        } else {
            format!("{prefix}{}", if last { "   " } else { "│  " })
        };
        let mut children: Vec<Item> = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        let line = match item {
            Item::More(n) => format!("… and {n} more"),
            Item::Premise(Premise::Absent { atom }) => format!("not {atom}  {}✓ nothing derives it{}", s.ok, s.off),
            Item::Premise(Premise::Test { text }) => format!("{text}  {}✓{}", s.ok, s.off),
            Item::Premise(Premise::Aggregate { text, facts, total, .. }) => {
                children.extend(facts.iter().map(|&n| Item::Node(n)));
                if total > facts.len() {
                    children.push(Item::More(total - facts.len()));
                }
                text
            }
            Item::Premise(Premise::Fact { node }) | Item::Node(node) => {
                let ProofNode { fact, how } = &proof.nodes[node];
                let repeated = !matches!(how, How::Folded) && !printed.insert(node);
                match how {
                    _ if repeated => format!("{}{}{}  (shown above)", s.fact, fact.text, s.off),
                    How::Base { location, cites, doc } => {
                        for c in cites {
                            let grade = c.grade.as_ref().map(|g| format!(" [{g}]")).unwrap_or_default();
                            notes.push(format!("{}{}{grade}: “{}”{}", s.cite, c.source, c.quote, s.off));
                        }
                        if let Some(d) = doc {
                            notes.push(d.clone());
                        }
                        format!("{}{}{}  {}fact{} ({location})", s.fact, fact.text, s.off, s.rule, s.off)
                    }
                    How::Folded => {
                        format!("{}{}{}  … (folded: ask `why {}`)", s.fact, fact.text, s.off, fact.text)
                    }
                    How::Derived { rule, premises } => {
                        if let Some(d) = &rule.doc {
                            notes.push(format!("“{d}”"));
                        }
                        children.extend(premises.iter().cloned().map(Item::Premise));
                        let label = rule.label.as_ref().map(|l| format!("[{l}] ")).unwrap_or_default();
                        format!(
                            "{}{}{}  {}⟸ {label}{} ({}){}",
                            s.fact, fact.text, s.off, s.rule, rule.name, rule.location, s.off
                        )
                    }
                }
            }
        };
        let _ = writeln!(out, "{prefix}{connector}{line}");
        let note_prefix = format!("{child_prefix}{}", if children.is_empty() { "   " } else { "│  " });
        for n in notes {
            let _ = writeln!(out, "{note_prefix}{n}");
        }
        let n = children.len();
        for (i, child) in children.into_iter().enumerate().rev() {
            stack.push((child, child_prefix.clone(), i + 1 == n, false, level + 1));
        }
    }
}

fn render_why_not(out: &mut String, w: &WhyNot, proof: &Proof, s: &Style) {
    // (why-not, indentation)
    let mut stack: Vec<(&WhyNot, String)> = vec![(w, String::new())];
    while let Some((w, indent)) = stack.pop() {
        if w.holds {
            let _ = writeln!(out, "{indent}{}{}{} holds: ask `why {}` for its proof", s.fact, w.atom, s.off, w.atom);
            continue;
        }
        if w.shown_above {
            let _ = writeln!(out, "{indent}{}{}{} does not hold: see above.", s.fact, w.atom, s.off);
            continue;
        }
        let _ = writeln!(out, "{indent}{}{}{} does not hold.", s.fact, w.atom, s.off);
        if let Some(msg) = &w.no_rules {
            let _ = writeln!(out, "{indent}{msg}");
            if !w.closest.is_empty() {
                let _ = writeln!(out, "{indent}closest facts of `{}`:", w.pred);
                for (i, c) in w.closest.iter().enumerate() {
                    let connector = if i + 1 == w.closest.len() { "└─ " } else { "├─ " };
                    let _ = writeln!(out, "{indent}{connector}{c}");
                }
            }
        }
        let n = w.rules.len();
        let mut subs = Vec::new();
        for (i, f) in w.rules.iter().enumerate() {
            let last = i + 1 == n;
            let (connector, cont) = if last { ("└─ ", "   ") } else { ("├─ ", "│  ") };
            let label = f.label.as_ref().map(|l| format!("[{l}] ")).unwrap_or_default();
            let _ = writeln!(
                out,
                "{indent}{connector}{}rule {label}{} ({}){} needs {}",
                s.rule, f.rule, f.location, s.off, f.body
            );
            let _ = writeln!(out, "{indent}{cont}{}✗ {}{}", s.bad, f.reason, s.off);
            if let Some(node) = f.blocked_by {
                let mut tree_out = String::new();
                tree(&mut tree_out, proof, node, s, &mut FxHashSet::default());
                for line in tree_out.lines() {
                    let _ = writeln!(out, "{indent}{cont}   {line}");
                }
            }
            if let Some(sub) = &f.sub {
                subs.push((sub.as_ref(), format!("{indent}{cont}   ")));
            }
        }
        stack.extend(subs.into_iter().rev());
    }
}

/// The JSON document of an explanation (schema in `docs/json.md`, "Proofs"); built and
/// serialized by [`render_json`].
///
/// ```
/// # use because::kb::KnowledgeBase;
/// use because::explain::ProofJson;
///
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("p.kb", "p(a).\n", None)?;
/// let e = kb.why("p(a)")?;
/// let doc = ProofJson {
///     version: because::output::JSON_VERSION,
///     kind: "why",
///     query: &e.query,
///     matched: e.matched,
///     answers: vec![],
///     nodes: &e.proof.nodes,
///     why_not: None,
/// };
/// assert!(serde_json::to_string(&doc).unwrap().starts_with("{\"version\":1,\"kind\":\"why\""));
/// # Ok::<(), because::kb::Error>(())
/// ```
#[derive(Debug, Serialize)]
pub struct ProofJson<'a> {
    /// [`crate::output::JSON_VERSION`].
    pub version: u32,
    /// `"why"` or `"why_not"`.
    pub kind: &'static str,
    /// The query as written.
    pub query: &'a str,
    /// How many facts matched (`why`).
    pub matched: usize,
    /// For each explained fact, the root node of each proof.
    pub answers: Vec<AnswerJson>,
    /// The proof nodes that `answers`, premises and `blocked_by` refer to by index.
    pub nodes: &'a [ProofNode],
    /// For `why not`: the diagnosis.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why_not: Option<&'a WhyNot>,
}

/// One explained fact of a [`ProofJson`]: its text and the root node of each of its proofs.
///
/// ```
/// let a = because::explain::AnswerJson { fact: "p(a)".into(), proofs: vec![0] };
/// assert_eq!(serde_json::to_string(&a).unwrap(), r#"{"fact":"p(a)","proofs":[0]}"#);
/// ```
#[derive(Debug, Serialize)]
pub struct AnswerJson {
    /// The fact's text.
    pub fact: String,
    /// The root node of each proof, shortest first.
    pub proofs: Vec<NodeId>,
}

/// The JSON document of an explanation, pretty or on one line, ending in a newline.
///
/// ```
/// # use because::kb::KnowledgeBase;
/// use because::explain::render_json;
///
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("p.kb", "p(a).\n", None)?;
/// let e = kb.why_not("p(b)")?;
/// let doc: serde_json::Value = serde_json::from_str(&render_json(&e, false)).unwrap();
/// assert_eq!(doc["kind"], "why_not");
/// assert_eq!(doc["why_not"]["closest"][0], "p(a)");
/// # Ok::<(), because::kb::Error>(())
/// ```
pub fn render_json(e: &Explanation, pretty: bool) -> String {
    let doc = proof_json(e);
    let mut s =
        if pretty { serde_json::to_string_pretty(&doc) } else { serde_json::to_string(&doc) }.unwrap_or_default();
    s.push('\n');
    s
}

/// The JSON document of an explanation, as the output type.
pub(super) fn proof_json(e: &Explanation) -> ProofJson<'_> {
    ProofJson {
        version: JSON_VERSION,
        kind: match e.kind {
            QueryKind::WhyNot => "why_not",
            _ => "why",
        },
        query: &e.query,
        matched: e.matched,
        answers: e
            .proof
            .roots
            .iter()
            .map(|r| AnswerJson {
                fact: r.first().map(|&n| e.proof.nodes[n].fact.text.clone()).unwrap_or_default(),
                proofs: r.clone(),
            })
            .collect(),
        nodes: &e.proof.nodes,
        why_not: e.why_not.as_ref(),
    }
}

/// DOT: one box per fact node, premises pointing to what they prove.
///
/// ```
/// # use because::kb::KnowledgeBase;
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("p.kb", "p(a).\n", None)?;
/// let dot = because::explain::render_dot(&kb.why("p(a)")?);
/// assert!(dot.contains("n0 [label=\"p(a)\\np.kb:1\""));
/// # Ok::<(), because::kb::Error>(())
/// ```
pub fn render_dot(e: &Explanation) -> String {
    let mut out = String::from("digraph proof {\n  rankdir=RL;\n  node [shape=box, fontname=\"Helvetica\"];\n");
    for (i, node) in e.proof.nodes.iter().enumerate() {
        // Labels are plain text; `dot_quote` turns their line breaks into DOT's.
        let (label, style) = match &node.how {
            How::Base { location, cites, .. } => {
                let cite = cites.first().map(|c| format!("\n{}: “{}”", c.source, c.quote)).unwrap_or_default();
                (format!("{}\n{location}{cite}", node.fact.text), "style=filled, fillcolor=\"#e8f4e8\"")
            }
            How::Derived { rule, .. } => {
                let label = rule.label.as_ref().map(|l| format!("[{l}] ")).unwrap_or_default();
                (format!("{}\n{label}{}", node.fact.text, rule.name), "style=rounded")
            }
            How::Folded => (format!("{}\n…", node.fact.text), "style=dashed"),
        };
        let _ = writeln!(out, "  n{i} [label={}, {style}];", dot_quote(&label));
    }
    let mut extra = 0;
    for (i, node) in e.proof.nodes.iter().enumerate() {
        let How::Derived { premises, .. } = &node.how else { continue };
        for p in premises {
            // A premise that is not a fact gets a node of its own.
            let (label, shape, facts) = match p {
                Premise::Fact { node } => {
                    let _ = writeln!(out, "  n{node} -> n{i};");
                    continue;
                }
                Premise::Absent { atom } => (format!("not {atom}"), "note", &[][..]),
                Premise::Test { text } => (text.clone(), "plaintext", &[][..]),
                Premise::Aggregate { text, facts, .. } => (text.clone(), "hexagon", &facts[..]),
            };
            let _ = writeln!(out, "  x{extra} [label={}, shape={shape}];\n  x{extra} -> n{i};", dot_quote(&label));
            for f in facts {
                let _ = writeln!(out, "  n{f} -> x{extra};");
            }
            extra += 1;
        }
    }
    out.push_str("}\n");
    out
}
