//! What a conclusion rests on: its single points of failure (base facts and sources whose
//! removal alone makes it fail), the minimal sets of sources it holds on, and the fewest base
//! facts whose removal loses it.
//!
//! Every answer is decided by asking the conclusion again in a hypothetical world
//! ([`Snapshot::what_if`]), so negation and aggregates are taken into account exactly: removing
//! a fact can make a conclusion fail through a `not` two rules away, which no proof tree shows.
//! The candidates are the base facts of the predicates the conclusion depends on (through any
//! rule, negated or not) and the sources they cite; each world costs one evaluation, so the
//! search is bounded by [`SupportOptions::max_worlds`] and says when it was cut.
//!
//! ```
//! use because::evidence::support::SupportOptions;
//! use because::kb::KnowledgeBase;
//!
//! let mut kb = KnowledgeBase::default();
//! kb.load_str("r.kb", r#"% Invented notes about an invented graph.
//! source a "Note A".
//! source b "Note B".
//! edge(x, y) cite a "x to y".
//! edge(y, z) cite a "y to z" cite b "y to z too".
//! edge(x, z) cite b "x to z".
//! reach(X, Y) :- edge(X, Y).
//! reach(X, Z) :- reach(X, Y), edge(Y, Z).
//! "#, None)?;
//! let s = kb.snapshot().support("reach(x, z)", &SupportOptions::default())?;
//! assert!(s.holds);
//! assert!(s.critical_facts.is_empty(), "two routes: no single fact is critical");
//! assert_eq!(s.source_sets, [vec!["a".to_string()], vec!["b".to_string()]], "a alone, or b alone");
//! assert_eq!(s.fact_cut, Some(2));
//! # Ok::<(), because::kb::Error>(())
//! ```

use std::collections::BTreeSet;

use crate::ast::Grade;
use crate::diag::Diagnostic;
use crate::kb::{Error, Snapshot};
use crate::program::{FactOrigin, Literal, PredId, Program};

use super::{Change, row_text};

/// Bounds of a support search.
#[derive(Debug, Clone)]
pub struct SupportOptions {
    /// At most this many hypothetical worlds are evaluated in all.
    pub max_worlds: usize,
    /// Source sets are searched among at most this many sources.
    pub max_sources: usize,
}

impl Default for SupportOptions {
    fn default() -> SupportOptions {
        SupportOptions { max_worlds: 2_000, max_sources: 12 }
    }
}

/// A base fact a conclusion cannot do without, with its citations.
#[derive(Debug, Clone, PartialEq)]
pub struct CriticalFact {
    /// The fact as text (`adaptation(rok_us_alliance, capability, ...) @ 1991..`).
    pub fact: String,
    /// `file:line` where it is stated.
    pub location: String,
    /// `(source, quote)` of each citation.
    pub cites: Vec<(String, String)>,
}

/// What a conclusion rests on (see the module documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct Support {
    /// The atom asked about.
    pub atom: String,
    /// Whether it holds (if not, the rest is empty).
    pub holds: bool,
    /// Base facts whose removal alone makes it fail, in program order.
    pub critical_facts: Vec<CriticalFact>,
    /// Sources whose removal alone makes it fail.
    pub critical_sources: Vec<String>,
    /// Whether every candidate fact and source was tried on its own; if not (the search was
    /// cut), `critical_facts` and `critical_sources` may miss some.
    pub critical_complete: bool,
    /// The sources its candidate facts cite, with their titles.
    pub sources: Vec<(String, String)>,
    /// Minimal sets of sources it holds on (with the facts no source cites), smallest first.
    pub source_sets: Vec<Vec<String>>,
    /// Whether every subset of the sources was tried (otherwise `source_sets` may miss some).
    pub source_sets_complete: bool,
    /// The fewest base facts whose removal makes it fail: 1 when some fact is critical;
    /// `None` when the search was cut before finding it (then it is more than `fact_cut_above`).
    pub fact_cut: Option<usize>,
    /// A lower bound on the cut when it was not found: it is more than this.
    pub fact_cut_above: usize,
    /// The base facts it could depend on (candidates), and the worlds evaluated.
    pub candidates: usize,
    pub worlds: usize,
    /// The Admiralty grade of each source of `sources`, in the same order (`None`: ungraded).
    pub grades: Vec<Option<Grade>>,
    /// The weakest grade along its best proof (the one `why` shows); `None` when no fact of
    /// that proof is cited.
    pub weakest: Option<WeakestGrade>,
    /// The most sets of `source_sets` that share no source: how many independent lines of
    /// sources it holds on (0 when it holds on uncited facts alone).
    pub independent_sources: usize,
}

/// The weakest grade along a proof: each cited fact counts with its best-graded citation (a
/// fact stands if any of its sources is right), and the proof is as weak as its weakest fact.
/// Ungraded sources count as `F6`; uncited facts do not count.
#[derive(Debug, Clone, PartialEq)]
pub struct WeakestGrade {
    /// `C3`, or `None` for an ungraded source.
    pub grade: Option<Grade>,
    /// The source of that grade.
    pub source: String,
    /// The fact it grades, as text.
    pub fact: String,
}

impl WeakestGrade {
    /// `E5 (blog, on summit(redland, greenland) @ 2023)`.
    pub fn text(&self) -> String {
        let grade = self.grade.map_or_else(|| "ungraded".to_string(), |g| g.text());
        format!("{grade} ({}, on {})", self.source, self.fact)
    }
}

/// The weakest grade along the first proof of the first answer of `e`.
pub fn weakest_grade(e: &crate::explain::Explanation, program: &Program) -> Option<WeakestGrade> {
    use crate::explain::{How, Premise};
    let root = *e.proof.roots.first()?.first()?;
    let grade_of = |name: &str| program.sources.iter().find(|s| &*s.name == name).and_then(|s| s.grade);
    let mut weakest: Option<((u8, u8), WeakestGrade)> = None;
    let mut seen = vec![false; e.proof.nodes.len()];
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if std::mem::replace(&mut seen[n], true) {
            continue;
        }
        let node = &e.proof.nodes[n];
        match &node.how {
            How::Base { cites, .. } => {
                let best = cites.iter().map(|c| (Grade::weakness(grade_of(&c.source)), c)).min_by_key(|(w, _)| *w);
                if let Some((w, c)) = best {
                    if weakest.as_ref().is_none_or(|(old, _)| w > *old) {
                        let fact = node.fact.text.clone();
                        weakest =
                            Some((w, WeakestGrade { grade: grade_of(&c.source), source: c.source.clone(), fact }));
                    }
                }
            }
            How::Derived { premises, .. } => {
                for p in premises.iter().rev() {
                    match p {
                        Premise::Fact { node } => stack.push(*node),
                        Premise::Aggregate { facts, .. } => stack.extend(facts.iter().rev()),
                        _ => {}
                    }
                }
            }
            How::Folded => {}
        }
    }
    weakest.map(|(_, w)| w)
}

/// The most pairwise disjoint sets among `sets` (exact: the sets are few, at most one per
/// subset of [`SupportOptions::max_sources`] sources, and each branch drops a set).
fn disjoint_count(sets: &[Vec<String>]) -> usize {
    fn best(sets: &[&Vec<String>], taken: &mut Vec<String>, budget: &mut usize) -> usize {
        let Some((first, rest)) = sets.split_first() else { return 0 };
        if *budget == 0 {
            return 0;
        }
        *budget -= 1;
        let skip = best(rest, taken, budget);
        if first.iter().any(|s| taken.contains(s)) {
            return skip;
        }
        let n = taken.len();
        taken.extend(first.iter().cloned());
        let take = 1 + best(rest, taken, budget);
        taken.truncate(n);
        take.max(skip)
    }
    let nonempty: Vec<&Vec<String>> = sets.iter().filter(|s| !s.is_empty()).collect();
    best(&nonempty, &mut Vec::new(), &mut 100_000)
}

impl Snapshot {
    /// What `atom` rests on (see [`crate::evidence::support`]). `atom` is one atom; with
    /// variables, "holds" means some fact matches.
    pub fn support(&self, atom: &str, options: &SupportOptions) -> Result<Support, Error> {
        let atom = atom.trim().trim_end_matches('.').trim_end();
        let query = self.parse_query(atom)?;
        let target = match (query.kind, query.body.as_slice()) {
            (crate::ast::QueryKind::Select, [Literal::Positive(a)]) => a.pred,
            _ => {
                return Err(self.with_sources_of(
                    &query,
                    Diagnostic::error("evidence::not_an_atom", "`support` takes one atom, such as `endured(A, P)`")
                        .at(query.span)
                        .into(),
                ));
            }
        };
        let mut out = Support {
            atom: atom.to_string(),
            holds: self.answer(&query)?.holds(),
            critical_facts: Vec::new(),
            critical_sources: Vec::new(),
            critical_complete: true,
            sources: Vec::new(),
            source_sets: Vec::new(),
            source_sets_complete: true,
            fact_cut: None,
            fact_cut_above: 0,
            candidates: 0,
            worlds: 0,
            grades: Vec::new(),
            weakest: None,
            independent_sources: 0,
        };
        if !out.holds {
            return Ok(out);
        }
        let program = &*self.program;
        let deps = dependencies(program, target);
        // Candidates: stated facts of the predicates it depends on (data-file rows are left
        // out: they are matched one pattern at a time below only if few).
        let candidates: Vec<usize> =
            program.facts.iter().enumerate().filter(|(_, f)| deps.contains(&f.pred)).map(|(i, _)| i).collect();
        out.candidates = candidates.len();
        let mut budget = options.max_worlds;
        let mut holds_without =
            |changes: Vec<Change>, facts: &[usize], worlds: &mut usize| -> Result<Option<bool>, Error> {
                if budget == 0 {
                    return Ok(None);
                }
                budget -= 1;
                *worlds += 1;
                let world = self.what_if_dropping(&changes, facts)?;
                Ok(Some(world.world().query(atom)?.holds()))
            };
        // Single points of failure among the facts, and the cut.
        let mut worlds = 0;
        let mut tried_all_singles = true;
        for &i in &candidates {
            match holds_without(Vec::new(), &[i], &mut worlds)? {
                Some(false) => out.critical_facts.push(critical(self, i)),
                Some(true) => {}
                None => {
                    tried_all_singles = false;
                    out.critical_complete = false;
                    break;
                }
            }
        }
        if !out.critical_facts.is_empty() {
            out.fact_cut = Some(1);
        } else if tried_all_singles {
            out.fact_cut_above = 1;
            let mut cut_found = false;
            let mut complete = true;
            'pairs: for (n, &i) in candidates.iter().enumerate() {
                for &j in &candidates[n + 1..] {
                    match holds_without(Vec::new(), &[i, j], &mut worlds)? {
                        Some(false) => {
                            cut_found = true;
                            break 'pairs;
                        }
                        Some(true) => {}
                        None => {
                            complete = false;
                            break 'pairs;
                        }
                    }
                }
            }
            if cut_found {
                out.fact_cut = Some(2);
            } else if complete {
                out.fact_cut_above = 2;
            }
        }
        // Sources.
        let mut names: Vec<String> = Vec::new();
        for &i in &candidates {
            if let Some(FactOrigin::Stated { cites, .. }) = program.origins.get(program.facts[i].origin as usize) {
                for c in cites {
                    if !names.iter().any(|n| **n == *c.source) {
                        names.push(c.source.to_string());
                    }
                }
            }
        }
        out.sources = names
            .iter()
            .map(|n| {
                let title = program.sources.iter().find(|s| *s.name == **n).map_or("", |s| &*s.title);
                (n.clone(), title.to_string())
            })
            .collect();
        for name in &names {
            match holds_without(vec![Change::WithoutSource(name.clone())], &[], &mut worlds)? {
                Some(false) => out.critical_sources.push(name.clone()),
                Some(true) => {}
                None => out.critical_complete = false,
            }
        }
        // Minimal source sets, by size; supersets of a set found are skipped.
        if names.len() > options.max_sources {
            out.source_sets_complete = false;
        } else {
            let n = names.len();
            let mut masks: Vec<u32> = (0..(1u32 << n)).collect();
            masks.sort_by_key(|m| (m.count_ones(), *m));
            let mut found: Vec<u32> = Vec::new();
            for mask in masks {
                if found.iter().any(|f| mask & f == *f) {
                    continue;
                }
                let without: Vec<Change> =
                    (0..n).filter(|b| mask & (1 << b) == 0).map(|b| Change::WithoutSource(names[b].clone())).collect();
                match holds_without(without, &[], &mut worlds)? {
                    Some(true) => found.push(mask),
                    Some(false) => {}
                    None => {
                        out.source_sets_complete = false;
                        break;
                    }
                }
            }
            out.source_sets = found
                .iter()
                .map(|m| (0..n).filter(|b| m & (1 << b) != 0).map(|b| names[b].clone()).collect())
                .collect();
        }
        out.worlds = worlds;
        out.grades =
            names.iter().map(|n| program.sources.iter().find(|s| *s.name == **n).and_then(|s| s.grade)).collect();
        out.independent_sources = disjoint_count(&out.source_sets);
        if let Ok(e) = self.why(atom) {
            out.weakest = weakest_grade(&e, program);
        }
        Ok(out)
    }

    fn with_sources_of(&self, query: &crate::program::QueryIr, mut e: Error) -> Error {
        e.sources = query.scratch.as_ref().map_or_else(|| self.sources.clone(), |s| s.sources.clone());
        e
    }
}

/// The predicates `target` depends on through any rule (itself included).
fn dependencies(program: &Program, target: PredId) -> BTreeSet<PredId> {
    let mut seen = BTreeSet::from([target]);
    let mut stack = vec![target];
    while let Some(p) = stack.pop() {
        for (_, rule) in program.rules_for(p) {
            let mut body = Vec::new();
            collect_preds(&rule.body, &mut body);
            for q in body {
                if seen.insert(q) {
                    stack.push(q);
                }
            }
        }
    }
    seen
}

fn collect_preds(body: &[Literal], out: &mut Vec<PredId>) {
    for lit in body {
        match lit {
            Literal::Positive(a) | Literal::Negative(a) => out.push(a.pred),
            Literal::Aggregate(agg) => collect_preds(&agg.body, out),
            _ => {}
        }
    }
}

fn critical(s: &Snapshot, i: usize) -> CriticalFact {
    let f = &s.program.facts[i];
    let (location, cites) = match s.program.origins.get(f.origin as usize) {
        Some(FactOrigin::Stated { span, cites, .. }) => {
            (s.sources.file_line(*span), cites.iter().map(|c| (c.source.to_string(), c.quote.to_string())).collect())
        }
        _ => (String::new(), Vec::new()),
    };
    CriticalFact { fact: row_text(&s.program, &s.interner, f.pred, &f.row), location, cites }
}

impl Support {
    /// The report as text, quotes included.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if !self.holds {
            out.push_str(&format!("{} does not hold: it rests on nothing.\n", self.atom));
            return out;
        }
        out.push_str(&format!("{} holds.\n", self.atom));
        if !self.critical_complete {
            out.push_str("  (search cut: not every fact and source was tried alone; raise --max-worlds)\n");
        }
        let sources: Vec<String> = self
            .sources
            .iter()
            .enumerate()
            .map(|(i, (n, t))| {
                let grade =
                    self.grades.get(i).copied().flatten().map(|g| format!(" [{}]", g.text())).unwrap_or_default();
                format!("{n}{grade} (“{t}”)")
            })
            .collect();
        out.push_str(&format!(
            "  sources behind it: {}\n",
            if sources.is_empty() { "none (no fact it depends on is cited)".to_string() } else { sources.join(", ") }
        ));
        let sets: Vec<String> = self.source_sets.iter().map(|s| set_text(s)).collect();
        let cut = if self.source_sets_complete { "" } else { " (search cut: there may be more)" };
        out.push_str(&format!(
            "  holds on: {}{cut}\n",
            match (sets.is_empty(), self.source_sets_complete) {
                (true, true) => "no set of sources".to_string(),
                (true, false) => "none found".to_string(),
                (false, _) => sets.join(", or "),
            }
        ));
        let independent = if self.source_sets_complete { "" } else { " at least" };
        out.push_str(&format!(
            "  independent sources (sets of sources that share none):{independent} {}\n",
            self.independent_sources
        ));
        out.push_str(&format!(
            "  weakest grade along its best proof: {}\n",
            self.weakest.as_ref().map_or_else(|| "none (no fact of it is cited)".to_string(), WeakestGrade::text)
        ));
        out.push_str(&format!(
            "  sources it cannot do without: {}\n",
            if self.critical_sources.is_empty() { "none".to_string() } else { self.critical_sources.join(", ") }
        ));
        out.push_str(&format!("  facts it cannot do without: {}\n", self.critical_facts.len()));
        for f in &self.critical_facts {
            out.push_str(&format!("    {}  ({})\n", f.fact, f.location));
            for (source, quote) in &f.cites {
                let i = self.sources.iter().position(|(n, _)| n == source);
                let grade = i.and_then(|i| self.grades.get(i).copied().flatten());
                let grade = grade.map(|g| format!(" [{}]", g.text())).unwrap_or_default();
                out.push_str(&format!("        {source}{grade}: “{quote}”\n"));
            }
        }
        out.push_str(&format!("  independent proofs (fewest facts whose removal loses it): {}\n", self.cut_text()));
        out.push_str(&format!("  ({} hypothetical worlds over {} candidate facts)\n", self.worlds, self.candidates));
        out
    }

    /// The cut as text: `1`, `2`, or `more than N`.
    pub fn cut_text(&self) -> String {
        match self.fact_cut {
            Some(n) => n.to_string(),
            None => format!("more than {}", self.fact_cut_above),
        }
    }

    /// The report as its JSON document (`docs/json.md`, "Support").
    pub fn to_json(&self) -> SupportJson<'_> {
        SupportJson {
            version: crate::output::JSON_VERSION,
            atom: &self.atom,
            holds: self.holds,
            sources: self
                .sources
                .iter()
                .enumerate()
                .map(|(i, (name, title))| SourceJson {
                    name,
                    title,
                    grade: self.grades.get(i).copied().flatten().map(Grade::text),
                })
                .collect(),
            independent_sources: self.independent_sources,
            weakest_grade: self.weakest.as_ref().map(|w| WeakestJson {
                grade: w.grade.map(Grade::text),
                source: &w.source,
                fact: &w.fact,
            }),
            source_sets: &self.source_sets,
            source_sets_complete: self.source_sets_complete,
            critical_sources: &self.critical_sources,
            critical_complete: self.critical_complete,
            critical_facts: self
                .critical_facts
                .iter()
                .map(|f| CriticalFactJson {
                    fact: &f.fact,
                    location: &f.location,
                    cites: f.cites.iter().map(|(source, quote)| CiteJson { source, quote }).collect(),
                })
                .collect(),
            fact_cut: self.fact_cut,
            fact_cut_above: self.fact_cut_above,
            candidates: self.candidates,
            worlds: self.worlds,
        }
    }
}

/// [`Support`] in JSON (`docs/json.md`, "Support"); the fields mean what the report's do.
#[derive(Debug, serde::Serialize)]
pub struct SupportJson<'a> {
    pub version: u32,
    pub atom: &'a str,
    pub holds: bool,
    pub sources: Vec<SourceJson<'a>>,
    pub independent_sources: usize,
    pub weakest_grade: Option<WeakestJson<'a>>,
    pub source_sets: &'a [Vec<String>],
    pub source_sets_complete: bool,
    pub critical_sources: &'a [String],
    pub critical_complete: bool,
    pub critical_facts: Vec<CriticalFactJson<'a>>,
    pub fact_cut: Option<usize>,
    pub fact_cut_above: usize,
    pub candidates: usize,
    pub worlds: usize,
}

/// A source behind a conclusion, with its grade (`null`: ungraded).
#[derive(Debug, serde::Serialize)]
pub struct SourceJson<'a> {
    pub name: &'a str,
    pub title: &'a str,
    pub grade: Option<String>,
}

/// [`WeakestGrade`] in JSON.
#[derive(Debug, serde::Serialize)]
pub struct WeakestJson<'a> {
    pub grade: Option<String>,
    pub source: &'a str,
    pub fact: &'a str,
}

/// [`CriticalFact`] in JSON.
#[derive(Debug, serde::Serialize)]
pub struct CriticalFactJson<'a> {
    pub fact: &'a str,
    pub location: &'a str,
    pub cites: Vec<CiteJson<'a>>,
}

/// One citation: its source and quote.
#[derive(Debug, serde::Serialize)]
pub struct CiteJson<'a> {
    pub source: &'a str,
    pub quote: &'a str,
}

fn set_text(set: &[String]) -> String {
    match set {
        [] => "the uncited facts alone".to_string(),
        [one] => format!("{one} alone"),
        many => many.join(" and "),
    }
}
