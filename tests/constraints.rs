//! Constraints against a simple reference: over random dated facts, the violations of a key
//! (and of the denial that says the same thing) are exactly the pairs of facts with one key,
//! two values and overlapping years, counted by brute force.

use because::eval::Limits;
use because::kb::KnowledgeBase;
use proptest::prelude::*;

/// A fact `p(K, V) @ LO..HI`, or undated when `years` is `None`.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    key: u8,
    value: u8,
    years: Option<(u16, u16)>,
}

fn row() -> impl Strategy<Value = Row> {
    (0u8..2, 0u8..3, prop::option::weighted(0.85, (1990u16..2000, 0u16..4))).prop_map(|(key, value, years)| Row {
        key,
        value,
        years: years.map(|(lo, len)| (lo, lo + len)),
    })
}

fn text(r: &Row) -> String {
    match r.years {
        Some((lo, hi)) => format!("p(k{}, {}) @ {lo}..{hi}.\n", r.key, r.value),
        None => format!("p(k{}, {}).\n", r.key, r.value),
    }
}

/// Pairs of distinct facts with one key, different values, both dated, sharing a year.
fn reference(rows: &[Row]) -> usize {
    let mut facts: Vec<&Row> = Vec::new();
    for r in rows {
        if !facts.contains(&r) {
            facts.push(r);
        }
    }
    let mut n = 0;
    for (i, a) in facts.iter().enumerate() {
        for b in &facts[i + 1..] {
            if let (Some((alo, ahi)), Some((blo, bhi))) = (a.years, b.years) {
                if a.key == b.key && a.value != b.value && alo <= bhi && blo <= ahi {
                    n += 1;
                }
            }
        }
    }
    n
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn key_violations_are_the_overlapping_pairs(rows in prop::collection::vec(row(), 0..12)) {
        let mut kb = KnowledgeBase::new(Limits::default());
        let mut text_kb = String::from("pred p(k, v: number) dated key(k).\n");
        rows.iter().for_each(|r| text_kb.push_str(&text(r)));
        kb.load_str("p.kb", &text_kb, None).unwrap();
        let expected = reference(&rows);
        let found = kb.snapshot().violations().unwrap();
        prop_assert_eq!(found.list.len(), expected);
        prop_assert_eq!(kb.query("check:violation(C, M, F)").unwrap().rows.len(), expected);

        // The same constraint as a denial, over the predicate declared without a key.
        let mut kb = KnowledgeBase::new(Limits::default());
        let mut text_kb = String::from(
            "pred p(k, v: number) dated.\nnever \"two values at once\" :- p(K, V1) @ T1, p(K, V2) @ T2, V1 < V2, T1 overlaps T2.\n",
        );
        rows.iter().for_each(|r| text_kb.push_str(&text(r)));
        kb.load_str("p.kb", &text_kb, None).unwrap();
        prop_assert_eq!(kb.snapshot().violations().unwrap().list.len(), expected);
    }
}

/// Grades show beside quotes in the text proof, its JSON and the evidence page; an ungraded
/// source shows none.
#[test]
fn grades_show_in_proofs_and_on_the_page() {
    let mut kb = KnowledgeBase::new(Limits::default());
    let text =
        "% Invented sources.\nsource a \"A\" grade B2.\nsource b \"B\".\np(x) cite a \"x is p\" cite b \"so it is\".\n";
    kb.load_str("g.kb", text, None).unwrap();
    let e = kb.why("p(x)").unwrap();
    let tree = e.render(because::output::Format::Table, false);
    assert!(tree.contains("a [B2]: “x is p”") && tree.contains("b: “so it is”"), "{tree}");
    let json = e.to_json();
    assert_eq!(json["nodes"][0]["cites"][0]["grade"], "B2");
    assert!(json["nodes"][0]["cites"][1].get("grade").is_none(), "{json}");
    let page = because::report::evidence_page(&kb, &e, &Default::default());
    assert!(page.contains("<span class=\"src\">a [B2]:</span>"), "the page shows the grade");
}
