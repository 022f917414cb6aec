//! The memory budget ([`Runtime::memory`](super::Runtime::memory)): how many new facts a round
//! may still collect before the relations would outgrow it, and the diagnostic when they do.
//!
//! The budget is charged with what the relations have allocated (`Relation::heap_bytes`, spare
//! capacity included) at the start of every round, and each new fact of the round with what it
//! will take: its place in the round's buffer, then its row in the relation. The round stops as
//! soon as its new facts would pass the budget, so one large join cannot buffer without bound;
//! after the round, the relations' actual bytes are checked again (a vector that doubled its
//! capacity can pass the budget although the estimate did not).

use super::relation::Relation;
use super::{Database, Guard};
use crate::ast::Span;
use crate::diag::Diagnostic;
use crate::program::{PredId, Program};

/// What a new fact of `rel` costs from the moment a round derives it: a packed key in the
/// round's candidates (narrow relations) or the tuple, its hash and a table slot (wide ones),
/// and then its row in the relation.
fn fact_bytes(rel: &Relation) -> usize {
    let buffered = if rel.runs().is_some() { 8 } else { rel.width * 4 + 8 + 5 };
    buffered + rel.row_bytes()
}

/// How many new facts each of `preds` (the predicates of a stratum) may add in the coming
/// round before the relations pass `budget`.
pub(super) fn room(budget: usize, db: &Database, preds: &[PredId]) -> usize {
    let held = db.heap_bytes();
    let per_fact = preds.iter().map(|&p| fact_bytes(db.relation(p))).max().unwrap_or(1).max(1);
    budget.saturating_sub(held) / per_fact
}

/// `eval::memory`: the relations hold, or the round's new facts would take them past, `budget`
/// bytes. Says what holds the memory (the largest relations) and how to raise the budget.
pub(super) fn exceeded(budget: usize, program: &Program, db: &Database, guard: &Guard, span: Span) -> Diagnostic {
    let mut largest: Vec<(usize, usize)> =
        db.relations.iter().enumerate().map(|(p, r)| (r.heap_bytes(), p)).filter(|&(b, _)| b > 0).collect();
    largest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let shown: Vec<String> = largest
        .iter()
        .take(3)
        .map(|&(bytes, p)| {
            let info = &program.preds[p];
            let n = db.relations[p].len();
            format!("{}/{} {} in {} fact{}", info.name, info.arity, size(bytes), n, if n == 1 { "" } else { "s" })
        })
        .collect();
    let more = if largest.len() > 3 { ", ..." } else { "" };
    Diagnostic::error(
        "eval::memory",
        format!(
            "stopped at the memory budget of {} {}: the relations hold {} ({}{more}) and the round needs more",
            size(budget),
            guard.where_(),
            size(db.heap_bytes()),
            shown.join(", "),
        ),
    )
    .at(span)
    .label("among the rules of this stratum")
    .help(
        "raise the budget with --max-memory SIZE (such as 16G; 0: none; the default is half the machine's \
         memory), or look for a rule that derives without end",
    )
}

/// A byte count for people: `512 bytes`, `3.2 KiB`, `64.0 MiB`, `1.5 GiB`.
pub fn size(bytes: usize) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    // 1023.96 KiB would print as `1024.0 KiB`: go up a unit where the rounding would.
    while value >= 1023.95 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::size;

    #[test]
    fn sizes_read_in_the_largest_whole_unit() {
        assert_eq!(size(0), "0 bytes");
        assert_eq!(size(1023), "1023 bytes");
        assert_eq!(size(1024), "1.0 KiB");
        assert_eq!(size((1 << 20) - 10), "1.0 MiB");
        assert_eq!(size(3 << 19), "1.5 MiB");
        assert_eq!(size(16 << 30), "16.0 GiB");
    }
}
