//! The REPL's command line without a terminal: the input, split at newlines, is typed at the
//! prompt one line at a time over a small fixed knowledge base, through the REPL's command
//! parser and dispatch (`because::repl::handle_in_memory`), output kept in memory. Nothing may
//! panic. Commands that read or write files are left out (`:load`, `:reload`, `:save`), and
//! so is any input naming a device (`include` and `load` in `:assert` read files too).
#![no_main]

use std::time::Duration;

use because::eval::Limits;
use because::kb::KnowledgeBase;
use libfuzzer_sys::fuzz_target;

/// Shared with the `why` target.
const KB: &str = include_str!("../why_base.kb");

/// Whether a line is a command that reads or writes files.
fn touches_files(line: &str) -> bool {
    let Some(command) = line.trim().strip_prefix(':') else { return false };
    let name = command.split_whitespace().next().unwrap_or("");
    matches!(name, "load" | "l" | "reload" | "save")
}

fuzz_target!(|text: &str| {
    if ["/dev", "/proc", "/sys"].iter().any(|d| text.contains(d)) {
        return;
    }
    let lines: Vec<&str> = text.lines().filter(|l| !touches_files(l)).take(64).collect();
    let limits = Limits { timeout: Some(Duration::from_secs(1)), max_facts: Some(10_000), cancel: None };
    let mut kb = KnowledgeBase::new(limits);
    kb.load_str("fixed.kb", KB, None).expect("the fixed knowledge base loads");
    let _ = because::repl::handle_in_memory(kb, &lines);
});
