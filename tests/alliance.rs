//! The shipped knowledge base: its quotes are the essay's own words, it cites most of the
//! essay, its headline proof covers the three factors with cited leaves, and its question
//! catalogue gives the expected answers (`tests/data/alliance/questions.out`).

use std::path::Path;

use because::ast::{QueryKind, Statement};
use because::eval::Limits;
use because::explain::{How, Premise, WhyOptions};
use because::kb::{ALLIANCE, KnowledgeBase};
use because::source::SourceMap;

const ESSAY_DIR: &str = "../shared/seed";

fn essay() -> Option<String> {
    let dir = std::fs::read_dir(ESSAY_DIR).ok()?;
    let path = dir.filter_map(|e| e.ok()).map(|e| e.path()).find(|p| p.extension().is_some_and(|x| x == "txt"))?;
    std::fs::read_to_string(path).ok()
}

fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every `cite seed "..."` quote in the shipped files.
fn seed_quotes() -> Vec<String> {
    let mut sources = SourceMap::default();
    let mut quotes = Vec::new();
    for (name, text) in ALLIANCE {
        let file = sources.add(name.to_string(), None, std::sync::Arc::from(*text));
        let (module, diags) = because::syntax::parse_module(file, text);
        assert!(diags.is_empty(), "{name} does not parse: {diags:?}");
        for stmt in &module.statements {
            let cites = match stmt {
                Statement::Fact(f) => &f.cites,
                Statement::Rule(r) => &r.cites,
                Statement::Entity(e) => &e.cites,
                _ => continue,
            };
            quotes.extend(cites.iter().filter(|c| &*c.source.name == "seed").map(|c| c.quote.clone()));
        }
    }
    quotes
}

#[test]
fn every_quote_is_verbatim_in_the_essay() {
    let quotes = seed_quotes();
    assert!(quotes.len() > 100, "only {} quotes", quotes.len());
    let Some(essay) = essay() else {
        // The essay is not shipped with the project; without it only the quotes' shape is checked.
        eprintln!("{ESSAY_DIR} not found: quotes checked for shape only");
        assert!(quotes.iter().all(|q| !q.trim().is_empty()));
        return;
    };
    let essay = normalize(&essay);
    let missing: Vec<&String> = quotes.iter().filter(|q| !essay.contains(&normalize(q))).collect();
    assert!(missing.is_empty(), "quotes not in the essay: {missing:#?}");
}

#[test]
fn most_of_the_essay_is_cited() {
    let Some(essay) = essay() else {
        eprintln!("{ESSAY_DIR} not found: coverage not measured");
        return;
    };
    let quotes: Vec<String> = seed_quotes().iter().map(|q| normalize(q)).collect();
    // Sentences: split lines, then at ". " boundaries; headings and the closing boilerplate
    // (DISCLAIMER, Comments) are not claims.
    let mut sentences = Vec::new();
    for line in essay.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line.starts_with("DISCLAIMER") || line == "Comments" || !line.contains(' ') {
            continue;
        }
        // A sentence ends at ". " before a capital letter, except after the abbreviation "U.S.".
        let mut current = String::new();
        let words: Vec<&str> = line.split_whitespace().collect();
        for (i, w) in words.iter().enumerate() {
            current.push_str(w);
            current.push(' ');
            let next_capital = words.get(i + 1).is_some_and(|n| n.starts_with(|c: char| c.is_uppercase()));
            if (w.ends_with('.') || w.ends_with('?')) && *w != "U.S." && next_capital || i + 1 == words.len() {
                let s = normalize(&current);
                if s.split(' ').count() > 3 {
                    sentences.push(s);
                }
                current.clear();
            }
        }
    }
    let cited = sentences.iter().filter(|s| quotes.iter().any(|q| s.contains(q.as_str()))).count();
    let share = cited as f64 / sentences.len() as f64;
    println!("{cited} of {} sentences cited ({:.0}%)", sentences.len(), share * 100.0);
    assert!(share >= 0.7, "only {cited} of {} sentences are cited", sentences.len());
}

#[test]
fn headline_proof_covers_three_factors_with_cited_leaves() {
    let kb = KnowledgeBase::alliance(Limits::default()).expect("the shipped knowledge base loads");
    let q = kb.parse_query("why endured(rok_us_alliance, post_cold_war)").expect("query parses");
    assert_eq!(q.kind, QueryKind::Why);
    let e = kb.explain(&q, &WhyOptions { depth: None, ..WhyOptions::default() }).expect("explains");
    assert!(e.found());
    let nodes = &e.proof.nodes;
    // Every leaf fact carries at least one citation.
    let uncited: Vec<&str> = nodes
        .iter()
        .filter(|n| matches!(&n.how, How::Base { cites, .. } if cites.is_empty()))
        .map(|n| n.fact.text.as_str())
        .collect();
    assert!(uncited.is_empty(), "uncited leaves: {uncited:?}");
    // The count aggregate ranges over one sustained fact per factor.
    let sustained: Vec<&str> =
        nodes.iter().map(|n| n.fact.text.as_str()).filter(|t| t.starts_with("sustained(")).collect();
    for factor in ["external_threat", "capability", "domestic_politics"] {
        assert!(
            sustained.iter().any(|t| t.contains(factor) && t.contains("post_cold_war")),
            "no sustained fact for {factor}: {sustained:?}"
        );
    }
    // Each factor's change after 1990 and its adaptation appear as cited facts.
    let texts: Vec<&str> = nodes.iter().map(|n| n.fact.text.as_str()).collect();
    for factor in ["external_threat", "capability", "domestic_politics"] {
        assert!(
            texts
                .iter()
                .any(|t| t.contains(factor) && (t.starts_with("change(") || t.starts_with("capability_growth("))),
            "{factor}: no change"
        );
        assert!(texts.iter().any(|t| t.starts_with("adaptation(") && t.contains(factor)), "{factor}: no adaptation");
    }
    let has_aggregate = nodes.iter().any(|n| match &n.how {
        How::Derived { premises, .. } => premises.iter().any(|p| matches!(p, Premise::Aggregate { total: 3, .. })),
        _ => false,
    });
    assert!(has_aggregate, "the endurance rule's count shows the three sustained factors");
}

#[test]
fn endured_holds_for_every_period() {
    let kb = KnowledgeBase::alliance(Limits::default()).expect("loads");
    let a = kb.query("endured(rok_us_alliance, P)").expect("answers");
    let periods: Vec<String> = a.rows.iter().map(|r| r[0].to_string()).collect();
    assert_eq!(periods, ["cold_war", "post_cold_war", "realignment"]);
}

/// Every question of the shipped catalogue with its answers (proofs for `why`), loaded with
/// `extra` files beside the catalogue.
fn catalogue(extra: &[&Path]) -> (String, usize) {
    let mut files = vec![Path::new("facts/alliance/questions.kb")];
    files.extend_from_slice(extra);
    let mut kb = KnowledgeBase::new(Limits::default());
    let report = kb.load_files(&files).unwrap_or_else(|e| panic!("{}", kb.render(&e.diagnostics, false, true)));
    assert!(report.warnings.is_empty(), "{}", kb.render(&report.warnings, false, true));
    let mut out = String::new();
    let n = report.queries.len();
    for i in report.queries {
        let q = kb.queries()[i].clone();
        out.push_str(&q.text);
        out.push('\n');
        let text = match q.kind {
            QueryKind::Select => {
                kb.answer(&q).map(|a| because::output::render_answers(&a, because::output::Format::Tsv))
            }
            _ => kb.explain(&q, &WhyOptions::default()).map(|e| e.render(because::output::Format::Table, false)),
        };
        out.push_str(&text.unwrap_or_else(|e| kb.render(&e.diagnostics, false, true)));
    }
    (out, n)
}

#[test]
fn question_catalogue_answers() {
    let expected_path = Path::new("tests/data/alliance/questions.out");
    let (out, n) = catalogue(&[]);
    assert!(n >= 25, "the catalogue has {n} questions");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::create_dir_all("tests/data/alliance").expect("mkdir");
        std::fs::write(expected_path, &out).expect("write");
        return;
    }
    let expected = std::fs::read_to_string(expected_path).unwrap_or_default();
    assert!(expected == out, "questions.out differs (UPDATE_EXPECT=1 rewrites it):\n{out}");
}

/// Undated is unknown, not always: the events the essay does not date are not events of the
/// 1960s, and `why not` says which date is missing.
#[test]
fn undated_events_are_in_no_period() {
    let mut kb = KnowledgeBase::alliance(Limits::default()).expect("loads");
    let sixties = kb.query("event(E) @ T, T overlaps 1960..1969").unwrap();
    let names: Vec<String> = sixties.rows.iter().map(|r| r[0].to_string()).collect();
    assert_eq!(names, ["export_oriented_development"], "only the event dated from early 1960s");
    let undated = kb.query("event(E) @ T, T = T2, event(E) @ T2").unwrap();
    assert!(undated.rows.iter().any(|r| r[0].to_string() == "korean_war_end" && r[1].to_string() == "undated"));
    kb.load_str("q.kb", "sixties_event(E) :- event(E) @ T, T overlaps 1960..1969.\n", None).unwrap();
    let text = kb.why_not("sixties_event(korean_war_end)").unwrap().render(because::output::Format::Table, false);
    assert!(text.contains("the source gives no date for `event(korean_war_end)`"), "{text}");
    let text = kb.why_not("event(korean_war_end) @ 1953").unwrap().render(because::output::Format::Table, false);
    assert!(text.contains("the source gives no date for `event(korean_war_end)`"), "{text}");
}

/// A second case changes nothing about the first: every shipped question gets the same
/// answers and proofs with the invented Northland-Southport case loaded beside it (with no
/// warning), while that case's own alliance is answered from its own periods.
#[test]
fn a_second_case_changes_nothing_about_the_first() {
    let second = Path::new("examples/cases/northland.kb");
    let (alone, n) = catalogue(&[]);
    let (together, m) = catalogue(&[second]);
    assert_eq!(n, m);
    assert!(alone == together, "answers differ with {}:\n{together}", second.display());
    let mut kb = KnowledgeBase::new(Limits::default());
    kb.load_files(&[Path::new("facts/alliance/alliance.kb"), second]).expect("both cases load");
    let rows = |q: &str| -> Vec<String> {
        kb.query(q).expect("answers").rows.iter().map(|r| r.iter().map(ToString::to_string).collect()).collect()
    };
    assert_eq!(rows("endured(harbour_alliance, P)"), ["harbour_years"]);
    assert_eq!(rows("endured(rok_us_alliance, P)"), ["cold_war", "post_cold_war", "realignment"]);
    let after_1990 = rows("covers(A, P), period(P) @ Span, Span after 1990, endured(A, P)");
    assert_eq!(after_1990, ["rok_us_alliancepost_cold_war1991..2019", "rok_us_alliancerealignment2020.."]);
}
