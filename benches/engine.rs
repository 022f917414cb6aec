//! `cargo bench`: figures for the engine's inner parts, printed, never asserted.
//!
//! Each case runs a few times and prints the median wall time. The peer comparison (Soufflé,
//! SWI-Prolog, Datafrog) is `benches/peers.sh`; this harness measures what the peers cannot:
//! loading, interning, the cost of provenance, and the latency of `why`.

use std::time::{Duration, Instant};

use because::eval::Limits;
use because::explain::WhyOptions;
use because::kb::KnowledgeBase;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Runs `f` `n` times and prints the median wall time and the median CPU time.
fn bench<T>(name: &str, n: usize, mut f: impl FnMut() -> T) -> T {
    let (mut times, mut cpu) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut last = None;
    for _ in 0..n {
        let (started, cpu_started) = (Instant::now(), cpu_time());
        last = Some(f());
        times.push(started.elapsed());
        cpu.push(cpu_time() - cpu_started);
    }
    println!(
        "{name:<58} {:>10.3} ms (CPU {:.3} ms)",
        median(times).as_secs_f64() * 1e3,
        median(cpu).as_secs_f64() * 1e3
    );
    last.expect("n > 0")
}

/// CPU time of the whole process (every thread, ended ones included): on a loaded machine a
/// change's wall time includes waiting for a core, its CPU time does not.
#[cfg(all(unix, feature = "cli"))]
fn cpu_time() -> Duration {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `clock_gettime` writes one `timespec` through a valid pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

#[cfg(not(all(unix, feature = "cli")))]
fn cpu_time() -> Duration {
    Duration::ZERO
}

fn unlimited() -> Limits {
    Limits { timeout: None, max_facts: None, cancel: None }
}

fn chain_kb(n: usize) -> String {
    let mut text = String::with_capacity(n * 16);
    for i in 0..n - 1 {
        text.push_str(&format!("edge({i}, {}).\n", i + 1));
    }
    text.push_str("path(X, Y) :- edge(X, Y).\npath(X, Y) :- edge(X, Z), path(Z, Y).\n");
    text
}

fn main() {
    // `cargo bench` passes `--bench`; a name filter may follow.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let wanted = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));
    println!("because engine benchmarks ({} cores)", std::thread::available_parallelism().map_or(1, |n| n.get()));

    if wanted("parse") {
        // 100,000 facts in one `.kb` file: parse, check, intern and load.
        let mut text = String::with_capacity(3_000_000);
        for i in 0..100_000 {
            text.push_str(&format!("fact(e{i}, p{}, {i}).\n", i % 97));
        }
        bench("parse+check+load 100k .kb facts", 3, || {
            let mut kb = KnowledgeBase::new(unlimited());
            kb.load_str("facts.kb", &text, None).expect("loads")
        });
    }

    if wanted("tsv") {
        let dir = std::env::temp_dir().join(format!("because-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut data = String::with_capacity(18_000_000);
        for i in 0..1_000_000u64 {
            data.push_str(&format!("e{}\tp{}\te{}\n", i % 100_003, i % 31, (i * 7919) % 100_019));
        }
        std::fs::write(dir.join("triple.tsv"), &data).expect("write");
        let program = "load triple from \"triple.tsv\".\n";
        bench("load 1M TSV string triples", 3, || {
            let mut kb = KnowledgeBase::new(unlimited());
            kb.load_str("load.kb", program, Some(&dir)).expect("loads")
        });
        let _ = std::fs::remove_dir_all(&dir);
    }

    if wanted("tc") {
        let text = chain_kb(2000);
        let kb = bench("transitive closure, 2,000-node chain (2M paths)", 3, || {
            let mut kb = KnowledgeBase::new(unlimited());
            kb.load_str("tc.kb", &text, None).expect("loads");
            kb
        });
        // Provenance: what evaluation keeps for explanations is the first row of every round
        // and, in the sorted runs, the round of each derived key.
        let db = kb.database();
        let kept: usize = db.relations.iter().map(|r| r.provenance_bytes()).sum();
        let heap = db.heap_bytes();
        println!(
            "{:<58} {:>10} bytes of {} ({:.1}%)",
            "  provenance kept (round boundaries, round per key)",
            kept,
            heap,
            kept as f64 * 100.0 / heap as f64
        );
        let options = WhyOptions { depth: None, ..WhyOptions::default() };
        for (name, query) in
            [("why path(0, 1) (height 1)", "why path(0, 1)"), ("why path(0, 1999) (height 1,999)", "why path(0, 1999)")]
        {
            let q = kb.parse_query(query).expect("parses");
            bench(&format!("  {name}"), 5, || kb.explain(&q, &options).expect("explains"));
        }
        let q = kb.parse_query("why path(1000, 1500)").expect("parses");
        bench("  why path(1000, 1500), default --depth 40", 5, || {
            kb.explain(&q, &WhyOptions::default()).expect("explains")
        });
        // A what-if without the middle edge: evaluated from scratch in a private copy, so it
        // costs about a fresh evaluation; the answer is checked against the arithmetic.
        let snapshot = kb.snapshot();
        let without = [because::evidence::Change::Without("edge(1000, 1001)".into())];
        let what_if = bench("  what-if without edge(1000, 1001) (evaluate the copy)", 3, || {
            snapshot.what_if(&without).expect("what-if")
        });
        let diff =
            bench("  ... and compare path(X, Y) in both worlds", 1, || what_if.query("path(X, Y)").expect("answers"));
        // 0..=1000 and 1001..=1999 stay chains: 1001*1000/2 + 999*998/2 paths.
        assert_eq!((diff.kept.len(), diff.lost.len(), diff.gained.len()), (999_001, 999_999, 0));
        assert_eq!(kb.query("path(0, 1999)").expect("answers").len(), 1, "the real closure is unchanged");
        println!("{:<58} {:>10} kept, {} lost", "  paths", diff.kept.len(), diff.lost.len());
    }

    if wanted("chain8m") {
        // The many-rounds case at the largest size of the peer benchmark: 4,000 rounds of
        // about 2,000 new paths each, 8M paths in all. One run: it takes seconds and
        // hundreds of MB.
        let text = chain_kb(4000);
        let kb = bench("transitive closure, 4,000-node chain (8M paths)", 1, || {
            let mut kb = KnowledgeBase::new(unlimited());
            kb.load_str("tc.kb", &text, None).expect("loads");
            kb
        });
        // What the derived relation holds, per path.
        let program = kb.program();
        for (name, pred) in [("path", program.pred_id("path", 2)), ("edge", program.pred_id("edge", 2))] {
            let rel = kb.database().relation(pred.expect("declared"));
            let f = rel.footprint();
            let per = |bytes: usize| bytes as f64 / rel.len() as f64;
            println!(
                "  {name}: {} rows, {:.2} bytes/row: rows {:.2}, keys {:.2}, row numbers {:.2}, round tags {:.2}, \
                 bitmap {:.2}, round boundaries {:.3}, indexes {:.2}, origins {:.3}",
                rel.len(),
                per(f.total()),
                per(f.rows),
                per(f.keys),
                per(f.row_numbers),
                per(f.tags),
                per(f.bitmap),
                per(f.rounds),
                per(f.indexes),
                per(f.origins)
            );
        }
        println!("{:<58} {:>10} KiB", "  resident after evaluation", rss_kib());
        let options = WhyOptions { depth: None, ..WhyOptions::default() };
        // The first explanation reads rows that evaluation kept only in the sorted runs, and
        // rebuilds them once (the medians below come after it).
        let q = kb.parse_query("why path(0, 1)").expect("parses");
        bench("  first why after evaluation (rebuilds the rows)", 1, || kb.explain(&q, &options).expect("explains"));
        println!("{:<58} {:>10} KiB", "  resident after the first why", rss_kib());
        for (name, query) in [
            ("why path(0, 1) (height 1)", "why path(0, 1)"),
            ("why path(2000, 2500), default --depth 40", "why path(2000, 2500)"),
            ("why path(0, 3999) (height 3,999)", "why path(0, 3999)"),
        ] {
            let q = kb.parse_query(query).expect("parses");
            let options = if name.contains("--depth") { WhyOptions::default() } else { options.clone() };
            bench(&format!("  {name}"), 5, || kb.explain(&q, &options).expect("explains"));
        }
    }

    if wanted("headline") {
        let kb = bench("load the shipped alliance knowledge base", 10, || {
            KnowledgeBase::alliance(Limits::default()).expect("loads")
        });
        let q = kb.parse_query("why endured(rok_us_alliance, post_cold_war)").expect("parses");
        bench("  why endured(rok_us_alliance, post_cold_war)", 10, || {
            kb.explain(&q, &WhyOptions::default()).expect("explains").render(because::output::Format::Table, false)
        });
    }

    if wanted("text") {
        // The text functions over 100,000 stated quotes (invented text): a test that interns
        // nothing (`contains`, `match`), and functions whose results are interned (`upper`,
        // `cat`): the cost of computing text per row and of interning it.
        let mut text = String::with_capacity(6_000_000);
        for i in 0..100_000 {
            text.push_str(&format!("quote(q{i}, \"Report {i} on the Größe of forces, item {}\").\n", i % 977));
        }
        let mut kb = KnowledgeBase::new(unlimited());
        kb.load_str("quotes.kb", &text, None).expect("loads");
        let count = |q: &str| kb.query(q).expect("answers").len();
        bench("text: contains(\"77\", S) over 100k quotes", 3, || count("quote(Q, S), contains(\"77\", S)"));
        bench("text: match(\".*item 7[0-9]\", S) over 100k quotes", 3, || {
            count("quote(Q, S), match(\".*item 7[0-9]\", S)")
        });
        bench("text: N = strlen(S) over 100k quotes", 3, || count("quote(Q, S), N = strlen(S)"));
        bench("text: U = upper(S) over 100k quotes (interned)", 3, || count("quote(Q, S), U = upper(S)"));
    }

    if wanted("incremental") {
        incremental();
    }

    if wanted("session") {
        // A long REPL or server session: 10,000 queries, each with its own constants and
        // computed values, against one knowledge base. Resident memory should stay flat: a
        // query's constants, text and scratch indexes are dropped with it.
        let kb = KnowledgeBase::alliance(Limits::default()).expect("loads");
        let queries = |from: usize, to: usize| {
            for i in from..to {
                let text = format!("endured(A, P), X = \"note {i}\", Y = {i}.5 * 2");
                assert_eq!(kb.query(&text).expect("answers").len(), 3);
                if i % 10 == 0 {
                    kb.why(&format!("endured(rok_us_alliance, period_{i})")).expect("explains");
                }
            }
        };
        queries(0, 1_000);
        let (rss_1k, constants, files) = (rss_kib(), kb.interner().len(), kb.sources().len());
        let started = std::time::Instant::now();
        queries(1_000, 10_000);
        println!(
            "session: 9,000 more queries in {:.2} s; resident {} KiB after 1,000, {} KiB after 10,000; \
             constants {} -> {}, files {} -> {}",
            started.elapsed().as_secs_f64(),
            rss_1k,
            rss_kib(),
            constants,
            kb.interner().len(),
            files,
            kb.sources().len()
        );
    }
}

/// Incremental evaluation (`eval::incremental`): each change next to a fresh evaluation of
/// the same program in the same run. A change is timed as the caller sees it (parse and check
/// the whole program, then maintain), with the maintenance alone after it.
fn incremental() {
    let change = |name: &str, kb: &mut KnowledgeBase, f: &dyn Fn(&mut KnowledgeBase)| {
        let (started, cpu) = (Instant::now(), cpu_time());
        f(kb);
        let (total, cpu) = (started.elapsed(), cpu_time() - cpu);
        let u = kb.database().stats.update.clone().unwrap_or_default();
        println!(
            "{name:<58} {:>10.3} ms (CPU {:.3} ms; maintain {:.3} ms; derived +{} -{}, {} taken out by DRed, {} re-evaluated rows)",
            total.as_secs_f64() * 1e3,
            cpu.as_secs_f64() * 1e3,
            u.elapsed.as_secs_f64() * 1e3,
            u.derived_added,
            u.derived_removed,
            u.overdeleted,
            u.rows_reevaluated
        );
    };
    let assert = |text: &'static str| move |kb: &mut KnowledgeBase| drop(kb.assert_statements(text).expect("asserts"));
    let retract = |text: &'static str| move |kb: &mut KnowledgeBase| drop(kb.retract(text).expect("retracts"));

    let text = chain_kb(2000);
    let mut kb = bench("incremental: fresh evaluation, 2,000-node chain (2M paths)", 3, || {
        let mut kb = KnowledgeBase::new(unlimited());
        kb.load_str("tc.kb", &text, None).expect("loads");
        kb
    });
    // The first change builds the index its plans probe; the REPL builds it after a load.
    let mut first = KnowledgeBase::new(unlimited());
    first.load_str("tc.kb", &text, None).expect("loads");
    change("  assert edge(5000, 5001), first change after the load", &mut first, &assert("edge(5000, 5001)."));
    drop(first);
    bench("  prepare for changes (the REPL does after a load)", 1, || kb.prepare_changes());
    for (name, fact) in [
        ("  assert edge(5000, 5001) (1 new path)", "edge(5000, 5001)."),
        ("  assert edge(6000, 6001) (1 new path, a second time)", "edge(6000, 6001)."),
        ("  assert edge(1999, 2000), the end (2,000 new paths)", "edge(1999, 2000)."),
        ("  assert edge(1000, 5000), the middle (2,002 new paths)", "edge(1000, 5000)."),
    ] {
        change(name, &mut kb, &assert(fact));
    }
    for (name, fact) in [
        ("  retract edge(5000, 5001)", "edge(5000, 5001)."),
        ("  retract edge(6000, 6001)", "edge(6000, 6001)."),
        ("  retract edge(1999, 2000), the end", "edge(1999, 2000)."),
        ("  retract edge(1000, 5000), the middle", "edge(1000, 5000)."),
        ("  retract edge(0, 1), the first (1,999 paths of 2M lost)", "edge(0, 1)."),
    ] {
        change(name, &mut kb, &retract(fact));
    }
    assert_eq!(kb.query("path(1, 1999)").expect("answers").len(), 1);
    assert!(kb.query("path(0, X)").is_ok_and(|a| a.rows.is_empty()));
    // The same change made and undone 21 times: one change takes a few milliseconds, so a
    // single one is at the mercy of the machine's load; the median and the fastest are not.
    for (name, fact) in [
        ("edge(1000, 5000), the middle", "edge(1000, 5000)."),
        ("edge(5000, 5001), unrelated", "edge(5000, 5001)."),
        ("edge(1999, 2000), the end", "edge(1999, 2000)."),
    ] {
        let (mut asserts, mut retracts) = (Vec::new(), Vec::new());
        let mut derived = (0, 0);
        let timed = |f: &mut dyn FnMut()| {
            let (wall, cpu) = (Instant::now(), cpu_time());
            f();
            (wall.elapsed(), cpu_time() - cpu)
        };
        for _ in 0..21 {
            asserts.push(timed(&mut || drop(kb.assert_statements(fact).expect("asserts"))));
            derived.0 = kb.database().stats.update.as_ref().map_or(0, |u| u.derived_added);
            retracts.push(timed(&mut || drop(kb.retract(fact).expect("retracts"))));
            derived.1 = kb.database().stats.update.as_ref().map_or(0, |u| u.derived_removed);
        }
        let ms = |t: &[(Duration, Duration)]| {
            let wall: Vec<Duration> = t.iter().map(|x| x.0).collect();
            let cpu: Vec<Duration> = t.iter().map(|x| x.1).collect();
            format!(
                "median {:.3} ms, fastest {:.3} ms, CPU median {:.3} ms",
                median(wall.clone()).as_secs_f64() * 1e3,
                wall.iter().min().map_or(0.0, |m| m.as_secs_f64() * 1e3),
                median(cpu).as_secs_f64() * 1e3
            )
        };
        println!("  21x {name}");
        println!("      assert  (+{:>4}): {}", derived.0, ms(&asserts));
        println!("      retract (-{:>4}): {}", derived.1, ms(&retracts));
    }
    // Most of the base: the middle edge of what is left carries half of its paths.
    change("  retract edge(1000, 1001) (999,000 of 2M paths lost)", &mut kb, &retract("edge(1000, 1001)."));
    let left: String =
        text.lines().filter(|l| !["edge(0, 1).", "edge(1000, 1001)."].contains(l)).collect::<Vec<_>>().join("\n");
    let fresh = bench("  fresh evaluation of the same program", 3, || {
        let mut kb = KnowledgeBase::new(unlimited());
        kb.load_str("tc.kb", &left, None).expect("loads");
        kb
    });
    assert_eq!(kb.query("path(X, Y)").expect("answers").len(), fresh.query("path(X, Y)").expect("answers").len());

    // A random graph: 3,000 nodes, 2,400 edges (a sparse closure), then 1,000 random edges
    // more in one change, against a fresh evaluation of the graph with them.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % 3000
    };
    // Distinct edges, so that each of the 1,000 can be retracted once.
    let mut seen = std::collections::HashSet::new();
    let mut edges = |n: usize| {
        let mut out = String::new();
        while seen.len() < n {
            let edge = (next(), next());
            if seen.insert(edge) {
                out.push_str(&format!("edge({}, {}).\n", edge.0, edge.1));
            }
        }
        out
    };
    let graph = edges(2400);
    let rules = "path(X, Y) :- edge(X, Y).\npath(X, Y) :- edge(X, Z), path(Z, Y).\n";
    let more = edges(3400);
    let mut kb = KnowledgeBase::new(unlimited());
    kb.load_str("random.kb", &format!("{graph}{rules}"), None).expect("loads");
    let before = kb.query("path(X, Y)").expect("answers").len();
    let fresh = bench("incremental: fresh evaluation, random graph with the 1,000 edges", 3, || {
        let mut kb = KnowledgeBase::new(unlimited());
        kb.load_str("random.kb", &format!("{graph}{more}{rules}"), None).expect("loads");
        kb
    });
    let after = fresh.query("path(X, Y)").expect("answers").len();
    let more: &'static str = Box::leak(more.into_boxed_str());
    change(&format!("  assert 1,000 random edges ({before} -> {after} paths)"), &mut kb, &assert(more));
    assert_eq!(kb.query("path(X, Y)").expect("answers").len(), after);
    let first: &'static str =
        Box::leak(format!("{}.", more.lines().next().expect("an edge").trim_end_matches('.')).into_boxed_str());
    change("  retract one of them", &mut kb, &retract(first));
    let rest: String = more.lines().skip(1).map(|l| format!("retract {l}\n")).collect();
    let rest: &'static str = Box::leak(rest.into_boxed_str());
    change("  retract the other 999 in one change", &mut kb, &assert(rest));
    assert_eq!(kb.query("path(X, Y)").expect("answers").len(), before);

    // The shipped knowledge base: an unrelated fact (invented for the benchmark) in and out.
    let mut kb = bench("incremental: fresh evaluation, shipped knowledge base", 5, || {
        KnowledgeBase::alliance(Limits::default()).expect("loads")
    });
    change("  assert bench_note(invented)", &mut kb, &assert("bench_note(invented)."));
    change("  assert bench_note(invented_too) (predicate known)", &mut kb, &assert("bench_note(invented_too)."));
    change("  retract bench_note(invented_too)", &mut kb, &retract("bench_note(invented_too)."));
}

/// Resident memory of this process in KiB (Linux; 0 elsewhere).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|p| p.parse::<u64>().ok()))
        .map_or(0, |pages| pages * 4)
}
