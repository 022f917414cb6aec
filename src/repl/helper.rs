//! The line editor's helper: completion from the session's own names, hints from history,
//! matching-bracket highlight, and a validator that runs the real parser to decide whether the
//! input is complete.

use std::borrow::Cow;

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter, MatchingBracketHighlighter};
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};

use crate::kb::KnowledgeBase;
use crate::syntax;

use super::command::{self, COMMANDS};

/// The names completion offers, refreshed after every change to the knowledge base.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// Predicate names (each once, whatever its arities).
    pub preds: Vec<String>,
    pub entities: Vec<String>,
    pub labels: Vec<String>,
    pub kinds: Vec<String>,
    /// A declared predicate's name and argument names (`aid(giver, receiver, ...)`), shown
    /// beside its completion.
    pub signatures: std::collections::BTreeMap<String, String>,
}

impl Names {
    pub fn of(kb: &KnowledgeBase) -> Names {
        let program = kb.program();
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v.dedup();
            v
        };
        Names {
            preds: sorted(program.preds.iter().map(|p| p.name.to_string()).collect()),
            entities: sorted(program.entities.iter().map(|e| e.name.to_string()).collect()),
            labels: sorted(program.rules.iter().filter_map(|r| r.label.as_deref().map(str::to_string)).collect()),
            kinds: sorted(program.entities.iter().map(|e| e.kind.to_string()).collect()),
            signatures: program
                .preds
                .iter()
                .filter_map(|p| {
                    let decl = p.decl.as_ref()?;
                    let args: Vec<&str> = decl.args.iter().map(|a| &*a.name).collect();
                    Some((p.name.to_string(), format!("{}({})", p.name, args.join(", "))))
                })
                .collect(),
        }
    }
}

pub struct ReplHelper {
    pub names: Names,
    pub color: bool,
    files: FilenameCompleter,
    brackets: MatchingBracketHighlighter,
    hints: HistoryHinter,
}

impl ReplHelper {
    pub fn new(names: Names, color: bool) -> ReplHelper {
        ReplHelper {
            names,
            color,
            files: FilenameCompleter::new(),
            brackets: MatchingBracketHighlighter::new(),
            hints: HistoryHinter::new(),
        }
    }

    /// Candidates for the word that ends at `pos`: `(start of the word, candidates)`.
    fn candidates(&self, line: &str, pos: usize) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        let lead = before.len() - before.trim_start().len();
        // 1. The meta-command itself.
        if let Some(typed) = before.trim_start().strip_prefix(':') {
            if !typed.contains(char::is_whitespace) {
                let pairs = COMMANDS
                    .iter()
                    .filter(|c| c.name.starts_with(typed))
                    .map(|c| Pair { display: format!(":{}", c.name), replacement: format!(":{} ", c.name) })
                    .collect();
                return Ok((lead, pairs));
            }
            // 2. A meta-command's argument.
            let (name, _) = typed.split_once(char::is_whitespace).unwrap_or((typed, ""));
            let name = command::find(name).map_or(name, |c| c.name);
            let (start, word) = word_before(line, pos);
            let fixed = |options: &[&str]| words(options.iter().copied(), word, "");
            let pairs = match name {
                "load" | "save" => return self.files.complete_path(line, pos),
                "format" => fixed(&["table", "tsv", "csv", "json", "jsonl"]),
                "time" => fixed(&["on", "off"]),
                "help" => words(COMMANDS.iter().map(|c| c.name).chain(command::TOPICS.iter().copied()), word, ""),
                "facts" | "preds" => words(self.names.preds.iter().map(String::as_str), word, ""),
                "rules" => words(self.names.preds.iter().chain(&self.names.labels).map(String::as_str), word, ""),
                "entities" => words(self.names.kinds.iter().map(String::as_str), word, ""),
                _ => self.terms(line, pos, word),
            };
            return Ok((start, pairs));
        }
        // 3. A name in a query or a statement.
        let (start, word) = word_before(line, pos);
        Ok((start, self.terms(line, pos, word)))
    }

    /// Inside an atom's brackets, entities; elsewhere, predicates and the query keywords. A
    /// name is completed without its `(`: typing it is a habit, and `((` would follow.
    fn terms(&self, line: &str, pos: usize, word: &str) -> Vec<Pair> {
        if !word.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Vec::new();
        }
        let start = pos - word.len();
        if in_argument(&line[..start]) {
            return words(self.names.entities.iter().map(String::as_str), word, "");
        }
        let mut pairs = words(self.names.preds.iter().map(String::as_str).chain(["why", "not"]), word, "");
        for pair in &mut pairs {
            if let Some(signature) = self.names.signatures.get(&pair.replacement) {
                pair.display = signature.clone();
            }
        }
        pairs
    }
}

/// Whether the text before a word leaves an atom's `(` open (outside strings): the word is
/// then an argument. An aggregate's `{` starts a new body, where predicates are named again.
fn in_argument(before: &str) -> bool {
    let mut open: Vec<char> = Vec::new();
    let mut quote = None;
    let mut chars = before.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '{' | '[') => open.push(c),
            (None, ')' | '}' | ']') => {
                open.pop();
            }
            _ => {}
        }
    }
    open.last() == Some(&'(')
}

/// The identifier that ends at `pos`: `(its start, its text)`.
fn word_before(line: &str, pos: usize) -> (usize, &str) {
    let before = &line[..pos];
    let start = before.rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
    (start, &before[start..])
}

fn words<'a>(options: impl Iterator<Item = &'a str>, word: &str, suffix: &str) -> Vec<Pair> {
    let mut pairs: Vec<Pair> = options
        .filter(|o| o.starts_with(word))
        .map(|o| Pair { display: o.to_string(), replacement: format!("{o}{suffix}") })
        .collect();
    pairs.sort_by(|a, b| a.display.cmp(&b.display));
    pairs.dedup_by(|a, b| a.display == b.display);
    pairs
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        self.candidates(line, pos)
    }
}

impl Hinter for ReplHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, ctx: &Context<'_>) -> Option<String> {
        self.hints.hint(line, pos, ctx)
    }
}

/// Rustyline calls the highlighter only when colour is enabled (a terminal, no `NO_COLOR`).
impl Highlighter for ReplHelper {
    fn highlight<'l>(&self, line: &'l str, pos: usize) -> Cow<'l, str> {
        self.brackets.highlight(line, pos)
    }

    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(&'s self, prompt: &'p str, default: bool) -> Cow<'b, str> {
        if default && self.color { Cow::Owned(format!("\x1b[1;32m{prompt}\x1b[0m")) } else { Cow::Borrowed(prompt) }
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color { Cow::Owned(format!("\x1b[2m{hint}\x1b[0m")) } else { Cow::Borrowed(hint) }
    }

    fn highlight_char(&self, line: &str, pos: usize, kind: CmdKind) -> bool {
        self.brackets.highlight_char(line, pos, kind)
    }
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(if needs_more(ctx.input()) { ValidationResult::Incomplete } else { ValidationResult::Valid(None) })
    }
}

impl Helper for ReplHelper {}

/// Whether the input is an unfinished statement or query, so that Enter starts a new line
/// instead of submitting. Any other error submits the input, so the user sees the diagnostic.
pub fn needs_more(input: &str) -> bool {
    let text = input.trim();
    if text.is_empty() || only_comments(text) {
        return false;
    }
    match text.strip_prefix(':') {
        Some(rest) => {
            let (name, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let args = args.trim();
            match command::find(name).map(|c| c.name) {
                // Statements end with `.`, as in a file.
                Some("assert" | "rule" | "retract") => !args.is_empty() && syntax::is_incomplete(args),
                // One atom: complete at the end of the line unless a bracket or string is open.
                Some("why" | "whynot") => unbalanced(args),
                _ => false,
            }
        }
        None if text.starts_with("?-") => syntax::is_incomplete(text),
        None => syntax::is_incomplete(&format!("?- {text}")),
    }
}

/// Whether every line is a `%` comment: a script's remark, not the start of a query.
pub fn only_comments(text: &str) -> bool {
    text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('%'))
}

/// Whether a bracket or a string is still open at the end of `text`.
fn unbalanced(text: &str) -> bool {
    let mut depth = 0i32;
    let mut quote = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            _ => {}
        }
    }
    quote.is_some() || depth > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_and_queries_continue_until_their_dot() {
        assert!(needs_more("endured(X,"));
        assert!(needs_more("endured(X, P)"));
        assert!(!needs_more("endured(X, P)."));
        assert!(!needs_more("?- endured(X, P)."));
        assert!(!needs_more("why endured(a, b)."));
        assert!(!needs_more("why not endured(a, b)."));
        assert!(needs_more("why endured(a,\n"));
        assert!(needs_more(":assert p(a"));
        assert!(needs_more(":assert p(a)"));
        assert!(!needs_more(":assert p(a)."));
        assert!(!needs_more(":why p(a)"));
        assert!(needs_more(":why p(a,"));
        assert!(!needs_more(":facts"));
        assert!(!needs_more(""));
        assert!(!needs_more("% a remark in a script"));
        // An error that is not at the end submits the line.
        assert!(!needs_more("p(X)) q."));
    }

    #[test]
    fn completes_commands_predicates_and_entities() {
        let names = Names {
            preds: vec!["endured".into(), "entity".into()],
            entities: vec!["entity".into(), "rok".into()],
            labels: vec!["persist".into()],
            kinds: vec!["actor".into()],
            signatures: [("endured".to_string(), "endured(alliance, period)".to_string())].into(),
        };
        let h = ReplHelper::new(names, false);
        let shown = |line: &str| {
            let (start, pairs) = h.candidates(line, line.len()).unwrap();
            (start, pairs.into_iter().map(|p| p.replacement).collect::<Vec<_>>())
        };
        assert_eq!(shown(":fa"), (0, vec![":facts ".to_string()]));
        // No `(` is added: typing one after the name must not give `endured((`.
        assert_eq!(shown("end"), (0, vec!["endured".to_string()]));
        assert_eq!(shown("why en"), (4, vec!["endured".to_string(), "entity".to_string()]));
        // In an argument position, entities, not predicates.
        assert_eq!(shown("p(r"), (2, vec!["rok".to_string()]));
        assert_eq!(shown("endured(e"), (8, vec!["entity".to_string()]));
        assert_eq!(shown("endured(rok, e"), (13, vec!["entity".to_string()]));
        assert_eq!(shown("endured(rok, X), e"), (17, vec!["endured".to_string(), "entity".to_string()]));
        assert_eq!(shown("N = count : { e"), (14, vec!["endured".to_string(), "entity".to_string()]));
        assert_eq!(shown(":rules pe"), (7, vec!["persist".to_string()]));
        assert_eq!(shown(":format t"), (8, vec!["table".to_string(), "tsv".to_string()]));
        assert_eq!(shown("X"), (0, vec![]));
        // A declared predicate is listed with its argument names; the replacement stays the name.
        let (_, pairs) = h.candidates("end", 3).unwrap();
        assert_eq!(pairs[0].display, "endured(alliance, period)");
    }
}
