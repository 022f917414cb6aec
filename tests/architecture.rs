//! The invariants of `ARCHITECTURE.md` that a reading of the source can check:
//!
//! - the library's modules form layers: a module names (`crate::…`) only modules below it, so
//!   nothing downstream calls back upstream and there is no cycle between modules;
//! - the library never prints: only the front ends (`cli`, `repl`) write to stdout or stderr.
//!
//! Comment lines and `#[cfg(test)]` modules are not read: a doc link or a unit test may name any
//! module.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// The top-level modules from the bottom up. A module may use the ones before it.
const LAYERS: &[&str] = &[
    // Constants, and the writers of plain views of them (answers, text for terminals).
    "value", "output", "source", "ast", "diag", // Text to a checked program.
    "syntax", "program", "check", "load", // Evaluation, and what is read off an evaluated database.
    "eval", "explain", "graph", "svg", // The knowledge base: host and snapshots.
    "kb",  // Built on a knowledge base.
    "evidence", "describe", "reply", "report", // Front ends.
    "repl", "lsp", "cli", "main", "lib",
];

/// Modules allowed to write to the terminal.
const FRONT_ENDS: &[&str] = &["cli", "repl", "main"];

/// Per file: its top-level module and the code lines outside comments and test modules.
/// A source file: its path under `src/`, its top-level module, and its numbered code lines.
type File = (String, String, Vec<(usize, String)>);

fn library_lines() -> Vec<File> {
    let mut files = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("src is readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    files
        .into_iter()
        .map(|path| {
            let rel = path.strip_prefix(&src).expect("under src").to_string_lossy().replace('\\', "/");
            let top = rel.split('/').next().unwrap_or("").trim_end_matches(".rs").to_string();
            let text = fs::read_to_string(&path).expect("source is readable");
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            let lines = code
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim_start().starts_with("//"))
                .map(|(i, l)| (i + 1, l.to_string()))
                .collect();
            (rel, top, lines)
        })
        .collect()
}

/// The modules a line names as `crate::NAME`.
fn named_modules(line: &str) -> Vec<String> {
    line.match_indices("crate::")
        .filter(|(at, _)| !line[..*at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':'))
        .map(|(at, m)| {
            line[at + m.len()..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect()
        })
        .collect()
}

#[test]
fn modules_use_only_the_layers_below_them() {
    let rank: BTreeMap<&str, usize> = LAYERS.iter().enumerate().map(|(i, m)| (*m, i)).collect();
    let mut upward: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut unknown = Vec::new();
    for (file, top, lines) in library_lines() {
        let Some(&from) = rank.get(top.as_str()) else {
            unknown.push(format!("{file}: module `{top}` is in no layer"));
            continue;
        };
        for (n, line) in &lines {
            for used in named_modules(line) {
                if used == top || used.is_empty() {
                    continue;
                }
                match rank.get(used.as_str()) {
                    None => unknown.push(format!("{file}:{n}: `crate::{used}` is in no layer")),
                    Some(&to) if to > from => {
                        upward.entry((top.clone(), used.clone())).or_default().push(format!("{file}:{n}"))
                    }
                    Some(_) => {}
                }
            }
        }
    }
    assert!(unknown.is_empty(), "add these modules to LAYERS:\n{}", unknown.join("\n"));
    let problems: Vec<String> = upward
        .iter()
        .map(|((from, to), places)| format!("`{from}` uses `{to}`, a higher layer, at {}", places.join(", ")))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn only_front_ends_write_to_the_terminal() {
    let words = ["println!", "print!(", "eprintln!", "eprint!(", "dbg!(", "io::stdout()", "io::stderr()"];
    let mut found = Vec::new();
    for (file, top, lines) in library_lines() {
        if FRONT_ENDS.contains(&top.as_str()) {
            continue;
        }
        for (n, line) in &lines {
            if let Some(w) = words.iter().find(|w| line.contains(*w)) {
                found.push(format!("{file}:{n}: {w}"));
            }
        }
    }
    assert!(found.is_empty(), "the library writes to the terminal:\n{}", found.join("\n"));
}

#[test]
fn the_scanner_sees_what_it_checks() {
    // The checks above pass vacuously if nothing is read: the scan finds known uses.
    let lines = library_lines();
    let uses = |module: &str, target: &str| {
        lines
            .iter()
            .any(|(_, top, ls)| top == module && ls.iter().any(|(_, l)| named_modules(l).iter().any(|m| m == target)))
    };
    assert!(uses("kb", "eval"), "kb evaluates");
    assert!(uses("explain", "eval"), "explain runs plans");
    let warns = |module: &str| {
        lines.iter().any(|(_, top, ls)| top == module && ls.iter().any(|(_, l)| l.contains("eprintln!")))
    };
    assert!(warns("repl"), "the REPL warns on stderr");
    assert_eq!(named_modules("use crate::eval::{a, b}; x::crate::no; crate::kb"), ["eval", "kb"]);
}
