//! Loading facts from a Rust data structure: records become facts through
//! `KnowledgeBase::add_facts` and `add_timed_facts`, which write each value with
//! `syntax::print::Source::to_source` (any text is quoted safely) and stage them all-or-nothing; rules are
//! loaded as text over them; then we query and explain.
//!
//! ```sh
//! cargo run --example facts_from_rust
//! ```
//!
//! The logic lives in [`load`] and [`report`], which `tests/examples.rs` calls directly.

use std::process::ExitCode;

use because::kb::{Error, KnowledgeBase};
use because::output::{Format, render_answers};
use because::syntax::print::Source;
use because::value::{Interval, Value};

/// A treaty as a program might hold it.
pub struct Treaty {
    pub id: &'static str,
    pub title: &'static str,
    pub members: &'static [&'static str],
    pub signed: i64,
    /// `None` while in force.
    pub ended: Option<i64>,
}

/// The data: titles hold quotes and commas, which `to_source` quotes safely.
pub const TREATIES: &[Treaty] = &[
    Treaty {
        id: "rok_us",
        title: "Mutual Defense Treaty, \"the MDT\"",
        members: &["rok", "us"],
        signed: 1953,
        ended: None,
    },
    Treaty {
        id: "seato",
        title: "Manila Pact (SEATO)",
        members: &["us", "uk", "thailand"],
        signed: 1954,
        ended: Some(1977),
    },
    Treaty {
        id: "anzus",
        title: "ANZUS, Pacific Security",
        members: &["australia", "nz", "us"],
        signed: 1951,
        ended: None,
    },
];

/// Rules over the facts: two states are allied while a treaty binds both.
pub const RULES: &str = "\
%% Two members of the same treaty are allies while it is in force.
[co_member] allied(A, B) @ T :- in_force(Pact) @ T, member(Pact, A), member(Pact, B), A != B.
";

/// Loads the treaties and the rules. Each `add_*` call is one all-or-nothing load.
pub fn load(kb: &mut KnowledgeBase, treaties: &[Treaty]) -> Result<(), Error> {
    kb.add_facts("title", treaties.iter().map(|t| [Value::text(t.id), Value::text(t.title)]))?;
    kb.add_facts(
        "member",
        treaties.iter().flat_map(|t| t.members.iter().map(|m| vec![Value::text(t.id), Value::text(m)])),
    )?;
    kb.add_timed_facts(
        "in_force",
        treaties.iter().map(|t| ([Value::text(t.id)], Interval::years(Some(t.signed), t.ended))),
    )?;
    kb.load_str("rules.kb", RULES, None)?;
    Ok(())
}

/// Who was allied with the US in `year`, and why (the proof of the first answer).
pub fn report(kb: &mut KnowledgeBase, year: i64) -> Result<String, Error> {
    let allies = kb.query_with("allied(us, Ally) @ T, T overlaps $year", &[("year", Value::Int(year))])?;
    let mut out = format!("Allies of the US in {year}:\n");
    out.push_str(&render_answers(&allies, Format::Table));
    if let Some(row) = allies.iter().next() {
        let atom = format!("allied(us, {}) @ {}", row[0].to_source(), row[1].to_source());
        out.push_str(&format!("\nwhy {atom}\n"));
        out.push_str(&kb.why(&atom)?.render(Format::Table, false));
    }
    let titles = kb.query("title(rok_us, Title)")?;
    out.push_str(&format!("\nrok_us is the {}\n", titles.rows[0][0]));
    Ok(out)
}

fn main() -> ExitCode {
    let mut kb = KnowledgeBase::default();
    match load(&mut kb, TREATIES).and_then(|()| report(&mut kb, 1960)) {
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
