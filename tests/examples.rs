//! The examples in `examples/` work: their logic is compiled in here as modules and checked
//! through the library, and (when `cargo test` has built them, as it does for a full run) the
//! example binaries are run and their exit codes checked.

use std::path::{Path, PathBuf};
use std::process::Command;

use because::kb::KnowledgeBase;
use because::value::Value;

#[allow(dead_code)]
#[path = "../examples/embed_query.rs"]
mod embed_query;

#[allow(dead_code)]
#[path = "../examples/facts_from_rust.rs"]
mod facts_from_rust;

#[allow(dead_code)]
#[path = "../examples/print_proof.rs"]
mod print_proof;

const REACH: &str = "examples/kb/reach.kb";

fn reach() -> KnowledgeBase {
    let mut kb = KnowledgeBase::default();
    kb.load_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join(REACH)).unwrap();
    kb
}

#[test]
fn embed_query_answers_with_exit_codes() {
    let mut kb = reach();
    let found = embed_query::ask(&mut kb, "link($from, X)", &[("from", Value::text("a"))]);
    assert_eq!(found, embed_query::Outcome { stdout: "X\nb\nc\n".into(), stderr: String::new(), code: 0 });
    let none = embed_query::ask(&mut kb, "link($from, X)", &[("from", Value::text("d"))]);
    assert_eq!((none.stdout.as_str(), none.code), ("X\n", embed_query::EXIT_NONE));
    let error = embed_query::ask(&mut kb, "nope(X)", &[]);
    assert_eq!(error.code, embed_query::EXIT_ERROR);
    assert!(error.stderr.contains("error[check::"), "{}", error.stderr);
    // A parameter is a value, never text spliced into the query.
    let injected = embed_query::ask(&mut kb, "link($from, X)", &[("from", Value::text("a, X), link(b"))]);
    assert_eq!(injected.code, embed_query::EXIT_NONE);
}

#[test]
fn embed_query_answers_the_queries_of_a_file() {
    let mut kb = reach();
    let out = embed_query::answer_file(&mut kb);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("?- reach(X).\nX\na\nb\nc\nd\n"), "{}", out.stdout);
    assert!(out.stdout.contains("?- why not reach(e).\nreach(e) does not hold."), "{}", out.stdout);
}

#[test]
fn embed_query_reads_parameters() {
    let args = ["year=1995".to_string(), "who=rok".to_string()];
    let params = embed_query::params(&args).unwrap();
    assert_eq!(params, [("year", Value::Int(1995)), ("who", Value::text("rok"))]);
    assert!(embed_query::params(&["oops".to_string()]).is_err());
}

#[test]
fn facts_from_rust_loads_records_safely() {
    let mut kb = KnowledgeBase::default();
    facts_from_rust::load(&mut kb, facts_from_rust::TREATIES).unwrap();
    // Text with quotes and commas comes back as itself.
    let title = kb.query("title(rok_us, T)").unwrap();
    assert_eq!(title.rows, [[Value::text("Mutual Defense Treaty, \"the MDT\"")]]);
    let report = facts_from_rust::report(&mut kb, 1980).unwrap();
    assert!(report.starts_with("Allies of the US in 1980:\nAlly      │ T\n"), "{report}");
    assert!(!report.contains("thailand"), "SEATO ended in 1977: {report}");
    assert!(report.contains("⟸ [co_member] allied/2 #1 (rules.kb:2)"), "{report}");
}

#[test]
fn facts_from_rust_is_all_or_nothing() {
    let mut kb = KnowledgeBase::default();
    facts_from_rust::load(&mut kb, facts_from_rust::TREATIES).unwrap();
    let before = kb.query("member(P, M)").unwrap().len();
    // The second row has the wrong width: neither row is added.
    let bad = kb.add_facts("member", [vec![Value::text("nato"), Value::text("us")], vec![Value::text("nato")]]);
    assert!(bad.is_err());
    assert_eq!(kb.query("member(P, M)").unwrap().len(), before);
    // A predicate name is checked, not spliced.
    let e = kb.add_facts("member(x, y). evil", [[Value::text("a")]]).unwrap_err();
    assert_eq!(e.codes().collect::<Vec<_>>(), ["api::bad_predicate"]);
    // Nothing to add loads nothing.
    kb.add_facts("member", Vec::<Vec<Value>>::new()).unwrap();
}

#[test]
fn print_proof_prints_text_json_and_dot() {
    let mut kb = reach();
    let p = print_proof::explain(&mut kb, "reach(d)").unwrap();
    assert!(p.text.starts_with("reach(d)  ⟸ [step] reach/1 #1 ("), "{}", p.text);
    assert!(p.text.contains("notes: “c links to d”"), "{}", p.text);
    assert_eq!(p.json["version"], 1);
    assert_eq!(p.json["kind"], "why");
    assert_eq!(p.json["answers"][0]["fact"], "reach(d)");
    assert!(p.dot.starts_with("digraph proof {") && p.dot.ends_with("}\n"), "{}", p.dot);

    let not = print_proof::explain(&mut kb, "reach(e)").unwrap();
    assert_eq!(not.json["kind"], "why_not");
    assert!(not.text.contains("✗ no `link(_, e)` exists"), "{}", not.text);
}

/// Where `cargo test` puts the example binaries: beside the `because` binary.
fn example_binary(name: &str) -> Option<PathBuf> {
    let bin = Path::new(env!("CARGO_BIN_EXE_because"));
    let path = bin.parent()?.join("examples").join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    path.exists().then_some(path)
}

#[test]
fn the_example_files_exist() {
    for name in ["embed_query", "facts_from_rust", "print_proof", "repl"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(format!("{name}.rs"));
        assert!(path.exists(), "{} is missing", path.display());
    }
}

#[test]
fn the_example_binaries_run() {
    let runs: [(&str, &[&str], i32, &str); 5] = [
        ("embed_query", &[], 0, "post_cold_war\t1991..2019"),
        ("embed_query", &[REACH, "reach(e)"], 1, "false"),
        ("embed_query", &[REACH, "reach(X"], 2, ""),
        ("facts_from_rust", &[], 0, "rok_us is the Mutual Defense Treaty"),
        ("print_proof", &[], 0, "── dot ──\ndigraph proof {"),
    ];
    let mut ran = 0;
    for (name, args, code, expected) in runs {
        let Some(bin) = example_binary(name) else {
            eprintln!("skipped: `{name}` is not built (a full `cargo test` builds the examples)");
            continue;
        };
        let out = Command::new(&bin).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(code), "{name} {args:?}: {stdout}{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains(expected), "{name} {args:?}: {stdout}");
        ran += 1;
    }
    eprintln!("ran {ran} example binaries");
}

/// The ACLED-style sample (invented data): its dates load as times, and the week after the
/// ceasefire holds exactly the three events dated 2023-03-10 to 2023-03-16, with the event
/// dated only to the month set apart.
#[test]
fn event_csv_answers_the_week_after_a_ceasefire() {
    let mut kb = KnowledgeBase::default();
    let report = kb.load_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/kb/events.kb")).unwrap();
    assert!(report.warnings.is_empty());
    let column = |kb: &mut KnowledgeBase, q: &str| -> Vec<String> {
        kb.query(q).unwrap().rows.iter().map(|r| r.iter().map(Value::to_string).collect::<Vec<_>>().join(" ")).collect()
    };
    assert_eq!(
        column(&mut kb, "week_after(E, ev003), event(E, D, _, _, _, _, _, _)"),
        ["ev004 2023-03-10", "ev005 2023-03-12", "ev006 2023-03-16"]
    );
    assert_eq!(column(&mut kb, "maybe_week_after(E, ev003)"), ["ev008"]);
    assert_eq!(column(&mut kb, "event(ev008, D, _, _, _, _, _, _), D during 2023-03"), ["2023-03"]);
    assert_eq!(column(&mut kb, "N = sum F : { week_after(E, ev003), event(E, _, _, _, _, _, F, _) }"), ["3"]);
    // Every row says that it is invented.
    let notes = column(&mut kb, "event(_, _, _, _, _, _, _, Note)");
    assert_eq!(notes.len(), 8);
    assert!(notes.iter().all(|n| n.starts_with("Invented example data, not a real event")));
}
