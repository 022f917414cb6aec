//! Evidence as data: the built-in relations `evidence:source(Name, Title, Document)` and
//! `evidence:cites(Pred, Statement, Source, Quote)`, so that "which facts quote the word
//! Vietnam" and "which sources does the theory cite" are ordinary queries.
//!
//! ```
//! use because::kb::KnowledgeBase;
//!
//! let mut kb = KnowledgeBase::default();
//! kb.load_str("n.kb", r#"% Invented notes.
//! source notes "Field notes".
//! link(a, b) cite notes "a links to b".
//! %% What links is connected.
//! [conn] connected(X, Y) :- link(X, Y) cite notes "links connect".
//! "#, None)?;
//! let a = kb.query("evidence:cites(P, S, notes, Q)")?;
//! assert_eq!(a.values("S").map(ToString::to_string).collect::<Vec<_>>(), ["rule [conn] connected/2", "link(a, b)"]);
//! assert_eq!(kb.query("evidence:source(N, T, D)")?.rows[0][1].to_string(), "Field notes");
//! # Ok::<(), because::kb::Error>(())
//! ```

use super::{FactOrigin, Program};
use crate::diag::Diagnostic;
use crate::syntax::print::Source;
use crate::value::{Id, Interner, Interval, Value};

/// The rows of an `evidence:` built-in.
///
/// - `evidence:source(Name, Title, Document)`: every declared source; `Document` is the file it
///   names (`source ... file "..."`), or `""` when it names none.
/// - `evidence:cites(Pred, Statement, Source, Quote)`: every citation of a stated fact (its
///   `Statement` is the fact as text, `adaptation(rok_us_alliance, capability, ...) @ 1991..`)
///   and of a rule (`rule [label] head/arity`, or `rule head/arity #n` without a label).
pub fn builtin_rows(name: &str, program: &Program, interner: &mut Interner) -> Result<Vec<Vec<Id>>, Diagnostic> {
    let mut rows = Vec::new();
    match name {
        "evidence:source" => {
            for s in &program.sources {
                let file = s.file.as_deref().unwrap_or("");
                rows.push(vec![
                    interner.intern_text(&s.name),
                    interner.intern_text(&s.title),
                    interner.intern_text(file),
                ]);
            }
        }
        "evidence:cites" => {
            for f in &program.facts {
                let Some(FactOrigin::Stated { cites, .. }) = program.origins.get(f.origin as usize) else { continue };
                if cites.is_empty() {
                    continue;
                }
                let statement = row_text(program, interner, f.pred, &f.row);
                let pred = program.pred(f.pred).name.clone();
                for c in cites {
                    rows.push(vec![
                        interner.intern_text(&pred),
                        interner.intern_text(&statement),
                        interner.intern_text(&c.source),
                        interner.intern_text(&c.quote),
                    ]);
                }
            }
            for rule in &program.rules {
                let info = program.pred(rule.head.pred);
                let statement = match &rule.label {
                    Some(label) => format!("rule [{label}] {}/{}", info.name, info.arity),
                    None => format!("rule {}/{} #{}", info.name, info.arity, rule.nth_for_pred),
                };
                for c in &rule.cites {
                    rows.push(vec![
                        interner.intern_text(&info.name),
                        interner.intern_text(&statement),
                        interner.intern_text(&c.source),
                        interner.intern_text(&c.quote),
                    ]);
                }
            }
        }
        other => {
            return Err(Diagnostic::error("graph::unknown_builtin", format!("`{other}` is not a built-in predicate")));
        }
    }
    Ok(rows)
}

/// A full row as `pred(a, b)`, with ` @ interval` when it is not always.
pub(crate) fn row_text(program: &Program, interner: &Interner, pred: super::PredId, row: &[Id]) -> String {
    let info = program.pred(pred);
    let args = row[..info.arity.min(row.len())].iter().map(|&id| interner.value(id).to_source());
    let mut text = crate::syntax::print::atom(&info.name, args);
    if info.temporal {
        if let Some(&t) = row.get(info.arity) {
            let v = interner.value(t);
            if v != Value::Interval(Interval::ALWAYS) {
                text.push_str(&format!(" @ {}", v.to_readable()));
            }
        }
    }
    text
}
