//! The meta-commands: their table (names, arguments, help), and the listings that only read the
//! knowledge base (`:facts`, `:rules`, `:preds`, `:entities`, `:sources`).

use std::fmt::Write as _;

use crate::kb::KnowledgeBase;
use crate::program::PredId;
use crate::syntax::print;
use crate::value::Value;

pub struct Command {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub args: &'static str,
    pub summary: &'static str,
}

/// Every meta-command, in the order `:help` lists them.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "help",
        aliases: &["h", "?"],
        args: "[TOPIC]",
        summary: "this list, or help on a command or topic",
    },
    Command {
        name: "why",
        aliases: &[],
        args: "ATOM",
        summary: "the proof of each matching fact (same as `why ATOM.`)",
    },
    Command {
        name: "whynot",
        aliases: &[],
        args: "ATOM",
        summary: "why a fact does not hold (same as `why not ATOM.`)",
    },
    Command {
        name: "whatif",
        aliases: &[],
        args: "CHANGES : QUERY",
        summary: "a query in a hypothetical world: `not ATOM`, `not source S`, `grade B`, `ATOM` (added)",
    },
    Command {
        name: "support",
        aliases: &[],
        args: "ATOM",
        summary: "what a conclusion rests on: sources, facts it cannot do without",
    },
    Command {
        name: "check",
        aliases: &[],
        args: "",
        summary: "the violations of denials and keys, with the proofs of both sides",
    },
    Command { name: "facts", aliases: &[], args: "[PRED]", summary: "the facts of a predicate (stated and derived)" },
    Command {
        name: "rules",
        aliases: &[],
        args: "[PRED|LABEL]",
        summary: "the rules, or those for a predicate or label",
    },
    Command { name: "preds", aliases: &[], args: "", summary: "predicates: arity, number of facts, how defined" },
    Command { name: "describe", aliases: &[], args: "[PRED]", summary: "a predicate's declaration and documentation" },
    Command { name: "entities", aliases: &[], args: "[KIND]", summary: "declared entities, or those of one kind" },
    Command { name: "sources", aliases: &[], args: "", summary: "cited documents and loaded files" },
    Command { name: "load", aliases: &["l"], args: "FILE", summary: "load a .kb file (all or nothing)" },
    Command {
        name: "reload",
        aliases: &["r"],
        args: "",
        summary: "read the loaded files again, keeping what you asserted and retracted",
    },
    Command { name: "assert", aliases: &["a"], args: "STATEMENT.", summary: "add facts or declarations" },
    Command { name: "rule", aliases: &[], args: "RULE.", summary: "add a rule (same as :assert)" },
    Command { name: "retract", aliases: &[], args: "FACT.", summary: "remove a stated fact" },
    Command {
        name: "save",
        aliases: &[],
        args: "FILE",
        summary: "write the session (assertions, retractions) to FILE, atomically",
    },
    Command {
        name: "reset",
        aliases: &[],
        args: "",
        summary: "back to the files loaded at start; forgets what you asserted",
    },
    Command { name: "format", aliases: &[], args: "table|tsv|csv|json", summary: "how answers are printed" },
    Command { name: "time", aliases: &[], args: "on|off", summary: "print evaluation time and facts derived" },
    Command { name: "graph", aliases: &[], args: "...", summary: "the entity graph" },
    Command { name: "quit", aliases: &["q", "exit"], args: "", summary: "leave (Ctrl-D too)" },
];

/// Help topics that are not commands.
pub const TOPICS: &[&str] = &["queries", "keys", "language"];

/// The command a typed name means: its name or an alias.
pub fn find(typed: &str) -> Option<&'static Command> {
    COMMANDS.iter().find(|c| c.name == typed || c.aliases.contains(&typed))
}

/// The closest command name, for "did you mean".
pub fn closest(typed: &str) -> Option<&'static str> {
    COMMANDS
        .iter()
        .map(|c| (edit_distance(typed, c.name), c.name))
        .filter(|&(d, name)| d <= 2.max(name.len() / 3) || name.starts_with(typed))
        .min()
        .map(|(_, name)| name)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == cb { prev } else { 1 + prev.min(row[j]).min(row[j + 1]) };
            prev = cur;
        }
    }
    row[b.len()]
}

/// `:help` and `:help TOPIC`.
///
/// An example is a line that starts with `  ?- `, as typed at the prompt, with an optional
/// `%` comment after it; every example runs on the shipped knowledge base (a test runs them,
/// topic by topic, each topic in a fresh session). Lines with capitals for what to fill in
/// (`:load FILE`) show usage, not examples.
pub fn help(topic: &str) -> String {
    let topic = topic.trim().trim_start_matches(':');
    let mut out = String::new();
    if topic.is_empty() {
        out.push_str(
            "Type a query and end it with `.`:\n\n\
             \x20 ?- endured(A, P).\n\
             \x20 ?- why endured(rok_us_alliance, post_cold_war).\n\n\
             A line that starts with `:` is a command:\n\n",
        );
        for c in COMMANDS {
            let usage = format!(":{} {}", c.name, c.args);
            let _ = writeln!(out, "  {usage:<30} {}", c.summary);
        }
        out.push_str("\nMore: :help queries, :help keys, :help language, :help COMMAND.\n");
        return out;
    }
    let text = match find(topic).map_or(topic, |c| c.name) {
        "queries" => {
            "A line that does not start with `:` is a query; `?-` in front is accepted. It ends with `.`;\n\
             until then Enter starts a new line.\n\
             \n  ?- endured(A, P).                                     % a table of the bindings of A and P\n\
             \x20 ?- troops(us, rok, N, Precision) @ T, T after 1990.   % T binds the time each fact holds\n\
             \x20 ?- endured(rok_us_alliance, post_cold_war).           % true or false\n\
             \x20 ?- why endured(rok_us_alliance, post_cold_war).       % proof trees ending in cited facts\n\
             \x20 ?- why not endured(rok_us_alliance, korean_war).      % which premise fails\n\
             \n`why` explains one atom: to explain the answers of a conjunction, ask it as a query,\n\
             then `why` of one answer's atom. At most 50 rows are shown as a table; `:format tsv`\n\
             prints them all. Ctrl-C stops a query that runs too long; the knowledge base stays as\n\
             it was.\n"
        }
        "keys" => {
            "Tab          complete commands, predicates, entities (in an atom's brackets), rule labels,\n\
             \x20            file names\n\
             Right arrow  accept the grey hint taken from history\n\
             Up/Down      history (kept across sessions; multi-line entries stay whole)\n\
             Ctrl-R       search history\n\
             Ctrl-C       clear the line; while a query runs, stop it\n\
             Ctrl-D       leave (on an empty line)\n\
             \nHistory lives in $XDG_DATA_HOME/because/history (~/.local/share/because/history);\n\
             set BECAUSE_HISTORY to use another file (empty: none). Only what is typed at a terminal\n\
             is kept: at most 1000 entries, none longer than 4096 bytes.\n"
        }
        "language" => {
            "Statements end with `.`, as in a .kb file; `:assert` adds them to the session:\n\n\
             \x20 ?- :assert treaty_year(rok_us_alliance, 1953) cite seed \"signed the Mutual Defense Treaty in October, 1953\".\n\
             \x20 ?- :assert [co_members] allied(X, Y) :- member(A, X), member(A, Y), X != Y.\n\
             \x20 ?- :assert event armistice \"The Korean War ends\" cite seed \"after the Korean War was ended\".\n\
             \x20 ?- allied(rok, Y).\n\
             \nFacts     p(a, 1) @ 1954..1971 cite SOURCE \"quote\".\n\
             Rules     [label] head(X) :- body(X, Y), not other(Y), Y > 3.\n\
             Entities  KIND NAME \"Label\" [@ INTERVAL] [cite ...].  (`actor rok \"Republic of Korea\".`)\n\
             Comments  % line, // line, /* block */, %% doc comment above a rule\n\
             A word that starts with a capital letter is a variable; quote text: \"United States\".\n\
             See the README for the whole language.\n"
        }
        "assert" | "rule" => {
            ":assert STATEMENT.   add facts, entity declarations, sources or rules, exactly as written\n\
             \x20                    in a .kb file; several statements at once are fine. All or nothing:\n\
             \x20                    a statement with an error changes nothing.\n\
             :rule RULE.          the same, for a rule.\n\
             \n  ?- :rule allied(X, Y) :- member(A, X), member(A, Y), X != Y.\n\
             \x20 ?- allied(X, Y).\n\
             \nInput continues over several lines until the closing `.`. Each entry is numbered on as\n\
             lines of one session file (`<session>:3`). `:save FILE` writes the session; `:load FILE`\n\
             reads it back.\n"
        }
        "retract" => {
            ":retract FACT.   remove a stated fact, from the session or from a loaded file, and\n\
             \x20                evaluate again. Without `@` the fact goes at every interval; with `@`\n\
             \x20                only at that one. Facts read from data files by `load` and derived facts\n\
             \x20                cannot be retracted.\n\
             \n  ?- :retract troops(us, rok, 28500, about) @ 2023.\n\
             \x20 ?- troops(us, rok, N, P) @ T.\n\
             \nA retraction is part of the session: `:save` writes it as `retract FACT.`, and\n\
             `:reload` applies it again to the files it reads.\n"
        }
        "save" => {
            ":save FILE   write the session to FILE as .kb text: every statement asserted (and not\n\
             \x20            retracted), every retraction of a loaded fact as `retract FACT.`, and the\n\
             \x20            `source` declarations its citations need, so that the file checks on its\n\
             \x20            own. The file is replaced atomically.\n\
             \n  ?- :assert treaty_year(rok_us_alliance, 1953) cite seed \"signed the Mutual Defense Treaty in October, 1953\".\n\
             \x20 ?- :save my_session.kb\n\
             \nLoad it on the same files (`because repl my_session.kb` loads only it; `:load` adds it).\n"
        }
        "load" => {
            ":load FILE   load a .kb file with what it includes. If anything in it is wrong, every\n\
             \x20            diagnostic is printed and nothing changes. A file already read (loaded or\n\
             \x20            included) is not read again. Ctrl-C stops a long evaluation.\n\
             \n  ?- :load facts/alliance/questions.kb\n"
        }
        "reload" => {
            ":reload   read every loaded file again from disk, then apply what you asserted and\n\
             \x20         retracted.\n\
             \n  ?- :reload\n"
        }
        "reset" => {
            ":reset   forget what you asserted and loaded since the start; read the starting files again.\n\
             \n  ?- :reset\n"
        }
        "facts" => {
            ":facts PRED   the facts of PRED (or PRED/ARITY), stated and derived, as .kb text; a declared\n\
             predicate's declaration heads them as a comment (its argument names).\n\n  ?- :facts troops\n"
        }
        "rules" => ":rules [PRED|LABEL]   rules as written, with where they come from.\n\n  ?- :rules endured\n",
        "format" => {
            ":format table|tsv|csv|json|jsonl   how answers are printed (now and until changed).\n\n  ?- :format tsv\n"
        }
        "time" => {
            ":time on|off   after each query or load, print how long it took and the facts derived.\n\n  ?- :time on\n"
        }
        "graph" => concat!(
            ":graph                         the whole entity graph (every fact linking entities)\n",
            ":graph path A B                the shortest chain of cited facts from A to B\n",
            ":graph around X [DEPTH]        X's neighbourhood (default depth 1)\n",
            ":graph central                 entities ranked by degree and betweenness\n",
            ":graph components              connected components\n",
            ":graph rules                   the predicate dependency graph with its strata\n",
            "options: during 1991..2019, preds p,q, base (stated facts only), dot or json output\n",
            "built-in predicates for rules and queries: graph:link(A, B, Pred), graph:degree(E, N),\n",
            "graph:component(E, C), graph:distance(A, B, N)\n",
            "\n  ?- :graph path china rok_us_alliance\n",
            "  ?- :graph around dprk 2 during 1991..2019\n",
            "  ?- graph:degree(E, N), N > 3.\n",
        ),
        "why" | "whynot" => {
            ":why ATOM      the same as `why ATOM.`: one shortest proof of each matching fact.\n\
             :whynot ATOM   the same as `why not ATOM.`: for each rule, the premise that fails.\n\
             \n  ?- :why formed(rok_us_alliance)\n\
             \x20 ?- :whynot endured(rok_us_alliance, korean_war)\n"
        }
        "entities" => ":entities [KIND]   declared entities with their kind and label.\n\n  ?- :entities actor\n",
        "preds" => ":preds   every predicate: name/arity, facts, and whether facts, rules or data define it.\n",
        "describe" => {
            ":describe [PRED]   what a predicate's `pred` declaration says: its arguments, their types,\n\
             whether it is dated, its `%%` documentation; then its facts. Without PRED, every predicate.\n\n  \
             ?- :describe aid\n"
        }
        "whatif" => concat!(
            ":whatif CHANGE, ... : QUERY   the query in a hypothetical world, against the real one.\n",
            "A change is `not ATOM` (without the facts it matches, `_` matching anything),\n",
            "`not source NAME` (without the facts that source alone cites), `grade B` (only the sources\n",
            "graded B or better: without the facts only lower-graded or ungraded sources cite) or `ATOM`\n",
            "(with that fact).\n",
            "The knowledge base itself is not changed.\n\n",
            "  ?- :whatif not adaptation(rok_us_alliance, capability, _) : endured(rok_us_alliance, P)\n",
            "  ?- :whatif not adaptation(rok_us_alliance, capability, _) : why not endured(rok_us_alliance, post_cold_war)\n",
        ),
        "support" => concat!(
            ":support ATOM   what a conclusion rests on: the sources behind it (minimal sets), the\n",
            "facts and sources it cannot do without (with quotes), and the fewest facts whose removal\n",
            "loses it. Each is checked by asking again without them.\n\n",
            "  ?- :support endured(rok_us_alliance, post_cold_war)\n",
        ),
        "check" => concat!(
            ":check   the violations of the constraints: denials (`never \"message\" :- body.`) and\n",
            "keys (`pred troops(...) key(sender, host).`: one value per key at overlapping times), each\n",
            "with the proofs of what violates it, down to the quotes.\n\n",
            "  ?- :check\n",
        ),
        "sources" => ":sources   the documents facts cite, and the files loaded.\n",
        "quit" => ":quit   leave the REPL (also :q, :exit, Ctrl-D).\n",
        "help" => ":help [TOPIC]   the command list, or help on a command or on: queries, keys, language.\n",
        other => {
            let hint = closest(other).map_or(String::new(), |c| format!(" Did you mean `{c}`?"));
            return format!("No help on `{other}`.{hint} `:help` lists the commands.\n");
        }
    };
    text.to_string()
}

/// The predicates named by `PRED` or `PRED/ARITY`.
fn preds_named(kb: &KnowledgeBase, spec: &str) -> Vec<PredId> {
    let (name, arity) = match spec.split_once('/') {
        Some((n, a)) => (n, a.parse::<usize>().ok()),
        None => (spec, None),
    };
    let program = kb.program();
    (0..program.preds.len() as PredId)
        .filter(|&id| {
            let p = program.pred(id);
            &*p.name == name && arity.is_none_or(|a| a == p.arity)
        })
        .collect()
}

/// `:facts [PRED]`: facts as `.kb` lines, at most `limit`.
pub fn facts(kb: &KnowledgeBase, spec: &str, limit: usize) -> Result<String, String> {
    let program = kb.program();
    let ids: Vec<PredId> = if spec.is_empty() {
        (0..program.preds.len() as PredId).collect()
    } else {
        let ids = preds_named(kb, spec);
        if ids.is_empty() {
            return Err(unknown_pred(kb, spec));
        }
        ids
    };
    let mut lines = Vec::new();
    // A named predicate's declaration heads its facts: the arguments' names, as a comment.
    let mut headers = Vec::new();
    for id in ids {
        let p = program.pred(id);
        if let (false, Some(decl)) = (spec.is_empty(), &p.decl) {
            headers.push(format!("% {}", decl.signature(&p.name)));
        }
        let rel = kb.database().relation(id);
        let mut rows: Vec<String> = rel
            .live_rows()
            .map(|r| {
                let row = rel.row(r);
                let args: Vec<Value> = row[..p.arity].iter().map(|&v| kb.interner().value(v)).collect();
                let time = p.temporal.then(|| kb.interner().value(row[p.arity]).as_interval()).flatten();
                print::fact(&p.name, &args, time.as_ref())
            })
            .collect();
        rows.sort();
        lines.extend(rows);
    }
    let mut out = String::new();
    for h in &headers {
        let _ = writeln!(out, "{h}");
    }
    for l in lines.iter().take(limit) {
        let _ = writeln!(out, "{l}");
    }
    if lines.len() > limit {
        let _ = writeln!(out, "… {} more (name a predicate, or use a query with :format tsv)", lines.len() - limit);
    }
    let _ = writeln!(out, "({} fact{})", lines.len(), if lines.len() == 1 { "" } else { "s" });
    Ok(out)
}

/// `:rules [PRED|LABEL]`: rules as written, each with its place.
pub fn rules(kb: &KnowledgeBase, spec: &str) -> Result<String, String> {
    let program = kb.program();
    let preds = preds_named(kb, spec);
    let mut out = String::new();
    let mut n = 0;
    for rule in &program.rules {
        let selected = spec.is_empty() || preds.contains(&rule.head.pred) || rule.label.as_deref() == Some(spec);
        if !selected {
            continue;
        }
        n += 1;
        let _ = writeln!(out, "% {}", kb.sources().file_line(rule.span));
        if let Some(doc) = &rule.doc {
            for line in doc.lines() {
                let _ = writeln!(out, "{}", format!("%% {line}").trim_end());
            }
        }
        let _ = writeln!(out, "{}", kb.sources().snippet(rule.span).trim());
    }
    if n == 0 && !spec.is_empty() {
        if preds.is_empty() && !program.rules.iter().any(|r| r.label.as_deref() == Some(spec)) {
            return Err(format!("no predicate or rule label `{spec}`"));
        }
        return Ok(format!("no rules for `{spec}` (it is defined by facts)\n"));
    }
    let _ = writeln!(out, "({n} rule{})", if n == 1 { "" } else { "s" });
    Ok(out)
}

/// `:preds`: a table of every predicate.
pub fn preds(kb: &KnowledgeBase) -> String {
    let program = kb.program();
    let mut rows: Vec<Vec<String>> = program
        .preds
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.defined.builtin)
        .map(|(id, p)| {
            let d = p.defined;
            let how: Vec<&str> =
                [(d.declared, "declaration"), (d.by_facts, "facts"), (d.by_load, "data file"), (d.by_rules, "rules")]
                    .into_iter()
                    .filter_map(|(yes, what)| yes.then_some(what))
                    .collect();
            let how = if how.is_empty() { "nothing (always empty)".to_string() } else { how.join(", ") };
            let temporal = if p.temporal { " @" } else { "" };
            // A declared predicate shows its argument names: `aid(giver, receiver, ...)`.
            let shown = match &p.decl {
                Some(decl) => {
                    let names: Vec<&str> = decl.args.iter().map(|a| &*a.name).collect();
                    format!("{}({}){temporal}", p.name, names.join(", "))
                }
                None => format!("{}/{}{temporal}", p.name, p.arity),
            };
            vec![shown, kb.database().relation(id as PredId).len().to_string(), how]
        })
        .collect();
    rows.sort();
    let mut out = table(&["predicate", "facts", "defined by"], &rows);
    let _ = writeln!(out, "({} predicate{}; @ marks those with intervals)", rows.len(), plural(rows.len()));
    let builtins: Vec<String> = crate::program::BUILTINS.iter().map(|(n, a)| format!("{n}/{a}")).collect();
    let _ = writeln!(out, "built-in: {} (see :help graph)", builtins.join(", "));
    out
}

/// `:entities [KIND]`.
pub fn entities(kb: &KnowledgeBase, kind: &str) -> Result<String, String> {
    let program = kb.program();
    let mut rows: Vec<Vec<String>> = program
        .entities
        .iter()
        .filter(|e| kind.is_empty() || &*e.kind == kind)
        .map(|e| {
            vec![
                e.name.to_string(),
                e.kind.to_string(),
                e.label.as_deref().unwrap_or("").to_string(),
                e.time.map_or(String::new(), |t| t.to_string()),
            ]
        })
        .collect();
    if rows.is_empty() && !kind.is_empty() {
        let mut kinds: Vec<&str> = program.entities.iter().map(|e| &*e.kind).collect();
        kinds.sort_unstable();
        kinds.dedup();
        return Err(format!("no entities of kind `{kind}`; kinds: {}", kinds.join(", ")));
    }
    rows.sort_by(|a, b| (&a[1], &a[0]).cmp(&(&b[1], &b[0])));
    let mut out = table(&["entity", "kind", "label", "time"], &rows);
    let _ = writeln!(out, "({} entit{})", rows.len(), if rows.len() == 1 { "y" } else { "ies" });
    Ok(out)
}

/// `:sources`: documents that facts cite, then the files loaded.
pub fn sources(kb: &KnowledgeBase) -> String {
    let program = kb.program();
    let mut out = String::new();
    if program.sources.is_empty() {
        out.push_str("No documents are declared (`source NAME \"Title\".`).\n");
    } else {
        let rows: Vec<Vec<String>> = program
            .sources
            .iter()
            .map(|s| vec![s.name.to_string(), s.title.to_string(), s.file.as_deref().unwrap_or("").to_string()])
            .collect();
        out.push_str(&table(&["source", "title", "document"], &rows));
    }
    let paths = kb.loaded_paths();
    if paths.is_empty() {
        out.push_str("\nNo files loaded.\n");
    } else {
        out.push_str("\nFiles loaded:\n");
        for p in paths {
            let _ = writeln!(out, "  {}", p.display());
        }
    }
    if kb.has_session_statements() {
        out.push_str("and statements asserted in this session (:save FILE writes them).\n");
    }
    out
}

fn unknown_pred(kb: &KnowledgeBase, name: &str) -> String {
    let name = name.split('/').next().unwrap_or(name);
    let near = kb
        .program()
        .preds
        .iter()
        .map(|p| (edit_distance(name, &p.name), &*p.name))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map_or(String::new(), |(_, n)| format!("; did you mean `{n}`?"));
    format!("no predicate `{name}`{near}")
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// An aligned table with a header and a rule, in the style of the answer tables.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    use crate::output::{aligned_line, display_width, terminal_text};
    let rows: Vec<Vec<String>> =
        rows.iter().map(|r| r.iter().map(|c| terminal_text(c).into_owned()).collect()).collect();
    let mut widths: Vec<usize> = header.iter().map(|h| display_width(h)).collect();
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(display_width(c));
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| aligned_line(cells, &widths, " │ ");
    let mut out = String::new();
    let _ = writeln!(out, "{}", line(&mut header.iter().copied()));
    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    let _ = writeln!(out, "{}", rule.join("─┼─"));
    for row in &rows {
        let _ = writeln!(out, "{}", line(&mut row.iter().map(String::as_str)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Limits;

    fn kb() -> KnowledgeBase {
        let mut kb = KnowledgeBase::new(Limits::default());
        kb.load_str(
            "t.kb",
            "actor rok \"Republic of Korea\".\nedge(a, b) @ 1990.\nedge(b, \"C d\").\n\
             %% Reach.\n[reach] path(X, Y) :- edge(X, Y).\n",
            None,
        )
        .unwrap();
        kb
    }

    #[test]
    fn listings() {
        let kb = kb();
        assert_eq!(facts(&kb, "edge", 50).unwrap(), "edge(a, b) @ 1990.\nedge(b, \"C d\").\n(2 facts)\n");
        assert_eq!(
            facts(&kb, "path/2", 1).unwrap(),
            "path(a, b).\n… 1 more (name a predicate, or use a query with :format tsv)\n(2 facts)\n"
        );
        assert_eq!(facts(&kb, "edg", 50).unwrap_err(), "no predicate `edg`; did you mean `edge`?");
        assert_eq!(rules(&kb, "reach").unwrap(), "% t.kb:5\n%% Reach.\n[reach] path(X, Y) :- edge(X, Y).\n(1 rule)\n");
        assert_eq!(rules(&kb, "edge").unwrap(), "no rules for `edge` (it is defined by facts)\n");
        assert!(preds(&kb).contains("edge/2 @  │ 2     │ facts\n"), "{}", preds(&kb));
        assert!(entities(&kb, "").unwrap().contains("rok    │ actor │ Republic of Korea"));
        assert_eq!(find("q").map(|c| c.name), Some("quit"));
        assert_eq!(closest("fcts"), Some("facts"));
    }
}
