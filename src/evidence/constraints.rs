//! Contradictions: the violations of a knowledge base's constraints ([`Snapshot::violations`]),
//! for `because check`, the REPL's `:check` and the built-in relation
//! `check:violation(Constraint, Message, Facts)`.
//!
//! A constraint is a denial (`never "message" :- body.`) or a key on a declaration
//! (`pred troops(sender: actor, host: actor, number: number, precision) dated key(sender, host).`).
//! The search and the proofs are in [`crate::explain`]; this module is the front door.
//!
//! ```
//! use because::kb::KnowledgeBase;
//!
//! let mut kb = KnowledgeBase::default();
//! kb.load_str("t.kb", r#"% Invented figures.
//! source a "Report A".
//! source b "Report B".
//! pred troops(sender, host, number: number) dated key(sender, host).
//! troops(x, y, 100) @ 1990..1999 cite a "100 troops in the 1990s".
//! troops(x, y, 50) @ 2000..2009 cite a "50 troops in the 2000s".
//! troops(x, y, 300) @ 1995 cite b "300 troops in 1995".
//! "#, None)?;
//! let v = kb.snapshot().violations()?;
//! assert_eq!(v.list.len(), 1, "the succession is no conflict, the overlap is");
//! assert_eq!(v.list[0].facts, ["troops(x, y, 100) @ 1990..1999", "troops(x, y, 300) @ 1995"]);
//! assert!(v.render(false).contains("b: “300 troops in 1995”"));
//! assert_eq!(kb.query("check:violation(C, M, F)")?.rows.len(), 1);
//! # Ok::<(), because::kb::Error>(())
//! ```

use std::fmt::Write as _;

use crate::eval::{self, Database, Guard};
use crate::explain::{self, Violation, WhyOptions};
use crate::kb::{Error, Snapshot};
use crate::program::{Literal, Program};
use crate::value::Interner;

pub use crate::program::VIOLATION_RELATION;

/// At most this many violations of one constraint are listed (the rest are counted as cut).
pub const MAX_PER_CONSTRAINT: usize = 100;

/// The violations of a knowledge base, in the order its constraints were written.
#[derive(Debug, Clone, Default)]
pub struct Violations {
    pub list: Vec<Violation>,
    /// Some constraint had more than [`MAX_PER_CONSTRAINT`] violations; the rest are not listed.
    pub cut: bool,
}

/// One violation in JSON (`docs/json.md`, "violation"): the constraint, its kind (`denial` or
/// `key`), its message and location, the facts that violate it and the proof of the violation.
#[derive(Debug, serde::Serialize)]
pub struct ViolationJson<'a> {
    pub constraint: &'a str,
    pub kind: &'static str,
    pub message: &'a str,
    pub location: &'a str,
    pub facts: &'a [String],
    pub proof: crate::explain::ProofJson<'a>,
}

impl Snapshot {
    /// Every violation of a denial or a key, with the proofs of what violates it.
    pub fn violations(&self) -> Result<Violations, Error> {
        let mut interner = Interner::overlay(self.interner.clone());
        let mut db: Database = (*self.db).clone();
        let mut guard = Guard::new(&self.limits);
        guard.place = "while checking constraints".into();
        let options = WhyOptions { limit: None, ..WhyOptions::default() };
        let (program, sources) = (&*self.program, &self.sources);
        let found = eval::on_big_stack(&self.runtime, || {
            explain::find_violations(program, &mut db, &mut interner, sources, &options, guard, MAX_PER_CONSTRAINT)
        });
        let (list, cut) = found.map_err(|diagnostics| Error { diagnostics, sources: self.sources.clone() })?;
        Ok(Violations { list, cut })
    }

    /// Fills `check:violation` in a query's scratch database when the query uses it.
    pub(crate) fn fill_violations(
        &self,
        db: &mut Database,
        interner: &mut Interner,
        body: &[Literal],
    ) -> Result<(), Error> {
        let Some(pred) = self.program.pred_id(VIOLATION_RELATION, 3) else { return Ok(()) };
        if !eval::uses_pred(body, pred) || db.filled_builtins.contains(&pred) {
            return Ok(());
        }
        let rows: Vec<Vec<crate::value::Id>> = self
            .violations()?
            .list
            .iter()
            .map(|v| {
                vec![
                    interner.intern_text(&v.constraint),
                    interner.intern_text(&v.message),
                    interner.intern_text(&v.facts.join("; ")),
                ]
            })
            .collect();
        eval::fill_rows(db, pred, &rows);
        Ok(())
    }
}

impl Violations {
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Each violation as a heading line and its proof tree; colour only with `color`.
    pub fn render(&self, color: bool) -> String {
        let mut out = String::new();
        let n = self.list.len();
        for (i, v) in self.list.iter().enumerate() {
            let blank = if i > 0 { "\n" } else { "" };
            let _ = writeln!(out, "{blank}violation {} of {n}: {}", i + 1, v.constraint);
            out.push_str(&v.explanation.render(crate::output::Format::Table, color));
        }
        if self.cut {
            let _ =
                writeln!(out, "(more than {MAX_PER_CONSTRAINT} violations of one constraint: the rest are not listed)");
        }
        out
    }

    /// The violations as their JSON documents (schema in `docs/json.md`).
    pub fn to_json(&self) -> Vec<ViolationJson<'_>> {
        self.list
            .iter()
            .map(|v| ViolationJson {
                constraint: &v.constraint,
                kind: v.kind.name(),
                message: &v.message,
                location: &v.location,
                facts: &v.facts,
                proof: v.explanation.document(),
            })
            .collect()
    }
}

/// One diagnostic per violation, at the constraint it breaks: `check::violation`, a warning,
/// or an error when `strict`.
pub fn diagnostics(violations: &Violations, strict: bool) -> crate::diag::Diagnostics {
    let list = violations.list.iter().map(|v| {
        let message = format!("violated: {}", v.message);
        let d = if strict {
            crate::diag::Diagnostic::error("check::violation", message)
        } else {
            crate::diag::Diagnostic::warning("check::violation", message)
        };
        d.at(v.span).label(format!("broken by {}", v.facts.join(" and "))).help(if strict {
            "the proofs of both sides are printed below; fix or retract the fact that is wrong"
        } else {
            "the proofs are printed below; `--strict` makes this an error"
        })
    });
    crate::diag::Diagnostics(list.collect())
}

/// How many constraints a program has: its denials and its keys.
pub fn count(program: &Program) -> usize {
    program.constraint_count()
}
