//! Text to AST: the only module that knows pest.
//!
//! The grammar lives in `grammar/because.pest`. A file is parsed one statement at a time:
//! the driver skips whitespace and comments itself (collecting `%%` doc comments on the way),
//! asks pest for one statement (given only the text up to the statement-ending `.` the scanner
//! finds, so that an error costs the statement, not the rest of the file), lowers it
//! (`syntax/lower.rs`), and on a syntax error records a diagnostic and resumes after the next
//! statement-ending `.` (`syntax/scan.rs`). Before any of
//! that, a lexical pass bounds the bracket depth, so that pest's recursion can never overflow
//! the stack.

mod fast;
mod lower;
pub mod print;
mod scan;

pub use print::is_keyword;

use pest::Parser as _;
use pest::error::{Error as PestError, ErrorVariant, InputLocation};

use std::borrow::Cow;
use std::sync::Arc;

use crate::ast::{Fact, FileId, Module, PlainFacts, Query, Span, Statement};
use crate::diag::{Diagnostic, Diagnostics};
use grammar::{BecauseParser, Rule};
use lower::Lower;
use scan::Unterminated;

mod grammar {
    //! The pest-generated parser; `Rule` names the grammar's rules.
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/because.pest"]
    pub(super) struct BecauseParser;
}

/// Parses a whole file or REPL input. Returns the statements that parsed and every diagnostic
/// (sorted by position): a bad statement is skipped up to the next statement-ending `.`.
///
/// Parsing is syntax only; [`crate::kb::KnowledgeBase`] loads check and evaluate too.
///
/// ```
/// use because::ast::{FileId, Statement};
/// use because::syntax::parse_module;
///
/// let (module, diags) = parse_module(FileId(0), "p(a).\np(b.\nq(X) :- p(X).\n");
/// // The bad second statement is reported and skipped; the others parse.
/// assert_eq!(diags.0.len(), 1);
/// assert_eq!(diags.0[0].code, "parse::unexpected");
/// assert_eq!(module.statements.len(), 2);
/// assert!(matches!(module.statements[1], Statement::Rule(_)));
/// ```
pub fn parse_module(file: FileId, text: &str) -> (Module, Diagnostics) {
    parse_module_cancellable(file, &Arc::from(text), None)
}

/// [`parse_module`] of a text the caller shares (the source map's), polling `cancel` every few
/// thousand statements: when it is set, parsing stops with `load::cancelled` (Ctrl-C during a
/// slow `:load`).
pub fn parse_module_cancellable(
    file: FileId,
    text: &Arc<str>,
    cancel: Option<&std::sync::atomic::AtomicBool>,
) -> (Module, Diagnostics) {
    let mut driver = ModuleDriver::new(file, text);
    driver.cancel = cancel;
    driver.run();
    let mut diags = Diagnostics(driver.diags);
    diags.sort();
    // The module is kept as long as the knowledge base: no spare room from growing (a large
    // vector shrinks in place).
    driver.statements.shrink_to_fit();
    for s in &mut driver.statements {
        if let Statement::PlainFacts(run) = s {
            run.facts.shrink_to_fit();
        }
    }
    (Module { file, statements: driver.statements, text: text.clone() }, diags)
}

/// The facts of a run of plain facts of a module whose text is `text`, read again: each the
/// [`Fact`] the parser built the first time, spans included (see [`PlainFacts`]).
///
/// ```
/// use because::ast::{FileId, Statement};
/// use because::syntax::{parse_module, plain_facts};
///
/// let (module, _) = parse_module(FileId(0), "p(a, 1).\np(\"b\", 2).\n");
/// let [Statement::PlainFacts(run)] = module.statements.as_slice() else { panic!() };
/// let facts: Vec<_> = plain_facts(&module.text, run).collect();
/// assert_eq!((facts.len(), facts[1].span.start, facts[1].span.end), (2, 9, 19));
/// ```
pub fn plain_facts<'m>(text: &'m str, run: &'m PlainFacts) -> impl Iterator<Item = Fact> + 'm {
    let mut last_pred = None;
    run.facts.iter().filter_map(move |&(start, _)| {
        // It parsed as a plain fact before, so it does again.
        match fast::plain_fact(run.file, text, start as usize, &mut None, &mut last_pred) {
            Some((Statement::Fact(f), _)) => Some(f),
            _ => None,
        }
    })
}

/// Every statement of `module` in order, each run of plain facts read again as its facts: the
/// statements the grammar alone would give, for readers that want each fact as a [`Fact`].
pub fn statements(module: &Module) -> impl Iterator<Item = Cow<'_, Statement>> + '_ {
    module.statements.iter().flat_map(move |s| -> Box<dyn Iterator<Item = Cow<'_, Statement>> + '_> {
        match s {
            Statement::PlainFacts(run) => {
                Box::new(plain_facts(&module.text, run).map(|f| Cow::Owned(Statement::Fact(f))))
            }
            s => Box::new(std::iter::once(Cow::Borrowed(s))),
        }
    })
}

/// Loading stopped by the user (Ctrl-C): nothing of it is kept.
pub fn cancelled() -> Diagnostic {
    Diagnostic::error("load::cancelled", "loading cancelled (Ctrl-C); nothing was changed")
}

/// Parses one query as typed on a command line: `endured(X, P)`, `?- endured(X, P).`,
/// `why endured(a, b)`, `why not p(a)`; the `?-` and the final `.` are optional.
///
/// ```
/// use because::ast::{FileId, QueryKind};
/// use because::syntax::parse_query;
///
/// let q = parse_query(FileId(0), "why not p(a)").unwrap();
/// assert_eq!(q.kind, QueryKind::WhyNot);
/// let q = parse_query(FileId(0), "?- p(X), X != a.").unwrap();
/// assert_eq!((q.kind, q.body.len()), (QueryKind::Select, 2));
/// assert!(parse_query(FileId(0), "p(X").is_err());
/// ```
pub fn parse_query(file: FileId, text: &str) -> Result<Query, Diagnostics> {
    if let Some(at) = scan::too_deep(text) {
        return Err(too_deep(file, at).into());
    }
    let pair = match BecauseParser::parse(Rule::query_entry, text) {
        Ok(mut pairs) => pairs.next(),
        Err(error) => {
            let mut diags = Diagnostics::default();
            let failed_at = error_offset(&error);
            match scan::unterminated(text, 0) {
                Some(u) if u.start() <= failed_at => diags.push(unterminated(file, u)),
                _ => diags.push(unexpected(file, text, 0, Parsing::Query, &error)),
            }
            return Err(diags);
        }
    };
    let trimmed = text.trim_start();
    let start = text.len() - trimmed.len();
    let span = Span::new(file, start, start + trimmed.trim_end().len());
    let mut lower = Lower::new(file, 0);
    let query = pair.and_then(|p| lower.lower_query(p, Some(span)));
    match query {
        Some(q) if lower.diags.is_empty() => Ok(q),
        _ => {
            let mut diags = Diagnostics(lower.diags);
            if diags.is_empty() {
                diags.push(Diagnostic::error("parse::internal", "internal parser error: empty query").at(span));
            }
            diags.sort();
            Err(diags)
        }
    }
}

/// True when `text` fails to parse only because it ended too early (an unclosed statement,
/// string, comment or bracket), so that a REPL should read another line. False when it
/// parses, or when an error lies elsewhere.
///
/// ```
/// use because::syntax::is_incomplete;
///
/// assert!(is_incomplete("p(X) :- q(X,"));
/// assert!(!is_incomplete("p(a)."));
/// assert!(!is_incomplete("p(a))."), "a real error, not an early end");
/// ```
pub fn is_incomplete(text: &str) -> bool {
    let mut driver = ModuleDriver::new(FileId::default(), text);
    driver.run();
    !driver.diags.is_empty() && driver.n_ended_early == driver.diags.len()
}

/// State of one [`parse_module`] run.
struct ModuleDriver<'t> {
    file: FileId,
    text: &'t str,
    statements: Vec<crate::ast::Statement>,
    diags: Vec<Diagnostic>,
    /// How many of `diags` say only that the input ended too early.
    n_ended_early: usize,
    /// Plain facts skip pest (see [`fast`]); off only to test that both paths agree.
    fast: bool,
    cancel: Option<&'t std::sync::atomic::AtomicBool>,
    /// The predicate name of the last plain fact (see [`fast::plain_fact`]).
    last_pred: Option<Arc<str>>,
    /// The predicates of the run being built, and their indexes in it.
    run_preds: rustc_hash::FxHashMap<(Arc<str>, u32), u32>,
}

impl<'t> ModuleDriver<'t> {
    fn new(file: FileId, text: &'t str) -> ModuleDriver<'t> {
        ModuleDriver {
            file,
            text,
            statements: Vec::new(),
            diags: Vec::new(),
            n_ended_early: 0,
            fast: true,
            cancel: None,
            last_pred: None,
            run_preds: Default::default(),
        }
    }

    fn run(&mut self) {
        // 1. Bound the nesting before pest recurses into it.
        if let Some(at) = scan::too_deep(self.text) {
            self.diags.push(too_deep(self.file, at));
            return;
        }
        let mut pos = 0;
        let mut steps = 0u32;
        loop {
            steps = steps.wrapping_add(1);
            if steps % 4096 == 0 && self.cancel.is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed)) {
                self.diags.push(cancelled());
                return;
            }
            // 2. Skip trivia, keeping the doc comment that ends it.
            let trivia = scan::skip_trivia(self.text, pos);
            if let Some(u) = trivia.unterminated {
                self.push_ended_early(unterminated(self.file, u));
                return;
            }
            pos = trivia.end;
            if pos >= self.text.len() {
                return;
            }
            let mut doc = trivia.doc;
            if self.fast {
                let documented = doc.is_some();
                if let Some((statement, end)) =
                    fast::plain_fact(self.file, self.text, pos, &mut doc, &mut self.last_pred)
                {
                    match statement {
                        // A doc comment is not read again with the fact: such a fact stays whole.
                        Statement::Fact(f) if !documented => {
                            self.push_plain(pos, &f.atom.pred.name, f.atom.args.len(), end)
                        }
                        statement => self.statements.push(statement),
                    }
                    pos = end;
                    continue;
                }
            }
            // 3. One statement; on failure, report and resume after its `.`.
            match self.parse_statement(pos) {
                Ok(mut pairs) => {
                    let Some(entry) = pairs.next() else { return };
                    let end = pos + entry.as_span().end();
                    let mut lower = Lower::new(self.file, pos);
                    let statement = entry.into_inner().next().and_then(|s| lower.lower_statement(s, doc));
                    match statement {
                        Some(s) if lower.diags.is_empty() => self.statements.push(s),
                        _ => self.diags.extend(lower.diags),
                    }
                    pos = end;
                }
                Err(error) => match self.recover(pos, &error) {
                    Some(next) => pos = next,
                    None => return,
                },
            }
        }
    }

    /// Adds the plain fact at `start..end` to the run of plain facts the statements end with,
    /// or to a new one.
    fn push_plain(&mut self, start: usize, pred: &Arc<str>, arity: usize, end: usize) {
        if !matches!(self.statements.last(), Some(Statement::PlainFacts(_))) {
            self.statements.push(Statement::PlainFacts(PlainFacts { file: self.file, ..PlainFacts::default() }));
            self.run_preds.clear();
        }
        let Some(Statement::PlainFacts(run)) = self.statements.last_mut() else { return };
        let key = (pred.clone(), arity as u32);
        let index = match self.run_preds.get(&key) {
            Some(&i) => i,
            None => {
                run.preds.push(key.clone());
                self.run_preds.insert(key, run.preds.len() as u32 - 1);
                run.preds.len() as u32 - 1
            }
        };
        run.facts.push((start as u32, index));
        run.end = end as u32;
    }

    /// Parses the statement at `pos` with pest, given only the statement's extent: up to the
    /// first statement-ending `.` (`scan::resume_after`). Pest builds the line of an error by
    /// scanning back from the end of its input, so a failed statement given the rest of the file
    /// cost the rest of the file, and a file of bad statements its length squared. Should pest
    /// fail at the very end of the window, that `.` did not end the statement (`@ 1990.. .`):
    /// the window grows to the next one.
    fn parse_statement(&self, pos: usize) -> Result<pest::iterators::Pairs<'t, Rule>, PestError<Rule>> {
        let mut end = pos;
        loop {
            end = match scan::resume_after(self.text, pos, end) {
                Ok(Some(next)) => next,
                Ok(None) | Err(_) => self.text.len(),
            };
            let result = BecauseParser::parse(Rule::statement_entry, &self.text[pos..end]);
            match &result {
                Err(e) if end < self.text.len() && pos + error_offset(e) >= end => continue,
                _ => return result,
            }
        }
    }

    /// Reports a failed statement starting at `start`; returns where to resume, if anywhere.
    fn recover(&mut self, start: usize, error: &PestError<Rule>) -> Option<usize> {
        let failed_at = start + error_offset(error);
        let diag = unexpected(self.file, self.text, start, Parsing::Statement, error);
        match scan::resume_after(self.text, start, failed_at) {
            Ok(Some(next)) => {
                self.diags.push(diag);
                Some(next)
            }
            Ok(None) => {
                if scan::only_trivia_after(self.text, failed_at) {
                    self.push_ended_early(diag);
                } else {
                    self.diags.push(diag);
                }
                None
            }
            // A string or comment that never closes swallows the rest of the input; when it
            // starts before the error, it is the error.
            Err(u) => {
                if u.start() > failed_at {
                    self.diags.push(diag);
                }
                self.push_ended_early(unterminated(self.file, u));
                None
            }
        }
    }

    fn push_ended_early(&mut self, diag: Diagnostic) {
        self.diags.push(diag);
        self.n_ended_early += 1;
    }
}

/// The offset (in the parsed slice) where pest gave up.
fn error_offset(error: &PestError<Rule>) -> usize {
    match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    }
}

fn too_deep(file: FileId, at: usize) -> Diagnostic {
    Diagnostic::error("parse::too_deep", format!("nesting deeper than {} levels", scan::MAX_DEPTH))
        .at(Span::new(file, at, at + 1))
        .label("this bracket is too deep")
}

fn unterminated(file: FileId, u: Unterminated) -> Diagnostic {
    match u {
        Unterminated::String(at) => Diagnostic::error("parse::unterminated_string", "unterminated string")
            .at(Span::new(file, at, at + 1))
            .label("this string is never closed")
            .help("close it with the same quote it opens with; write \\\" for a quote inside"),
        Unterminated::Comment(at) => Diagnostic::error("parse::unterminated_comment", "unterminated block comment")
            .at(Span::new(file, at, at + 2))
            .label("this comment is never closed")
            .help("close it with `*/`"),
    }
}

/// What a pest error was parsing, which decides how an error at its very start is worded.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Parsing {
    Statement,
    Query,
}

/// A `parse::unexpected` diagnostic from a pest error in the slice of `text` that begins at
/// `base`.
fn unexpected(file: FileId, text: &str, base: usize, parsing: Parsing, error: &PestError<Rule>) -> Diagnostic {
    let at = base + error_offset(error);
    let found = token_at(text, at);
    let span = Span::new(file, at, at + found.len());
    let found_words = if found.is_empty() { "end of input".to_string() } else { format!("`{found}`") };
    let positives = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.as_slice(),
        ErrorVariant::CustomError { message } => {
            return Diagnostic::error("parse::too_deep", format!("the parser gave up: {message}"))
                .at(span)
                .help("simplify or split this statement");
        }
    };
    // At a statement's start every kind of statement was expected: name the category instead.
    let mut expected: Vec<&str> = if at == base && parsing == Parsing::Statement {
        vec!["a statement"]
    } else {
        positives.iter().map(|&r| describe(r)).collect()
    };
    expected.sort_unstable();
    expected.dedup();
    // A statement that lacks its `.` fails where the next one begins, often lines below: the
    // mistake is at the end of the statement before, so that is where it is shown.
    let code_end = scan::code_end(text, base, at);
    if !found.is_empty() && expected.contains(&"`.`") && text[code_end..at].contains('\n') {
        let line = text[..at].matches('\n').count() + 1;
        return Diagnostic::error(
            "parse::unexpected",
            format!("expected {}, found {found_words} on line {line}", one_of(&expected)),
        )
        .at(Span::new(file, code_end, code_end))
        .label("this statement has no `.` at its end")
        .help("end every statement with `.`");
    }
    if let Some(d) = why_conjunction(file, text, base, at, found) {
        return d;
    }
    let mut diag =
        Diagnostic::error("parse::unexpected", format!("expected {}, found {found_words}", one_of(&expected)))
            .at(span)
            .label(format!("unexpected {found_words}"));
    if let Some(words) = unquoted_words(text, base, at, found) {
        diag = diag.help(format!("text with spaces is written in quotes: \"{words}\""));
    }
    if found.is_empty() && expected.contains(&"`.`") {
        diag = diag.help("every statement ends with `.`");
    } else if found == ".." {
        diag = diag.help("an interval is written with literal years, such as `1991..2019`");
    }
    diag
}

/// `why p(X), q(X)`: `why` explains one atom, so a `,` after it ends the query. The
/// diagnostic says so and how to narrow the question: ask the conjunction as a query, then
/// `why` of one of its answers (or of the atom, which explains every match).
fn why_conjunction(file: FileId, text: &str, base: usize, at: usize, found: &str) -> Option<Diagnostic> {
    if found != "," {
        return None;
    }
    let before = &text[base..at];
    let lead = before.len() - before.trim_start().trim_start_matches("?-").trim_start().len();
    let after_why = before[lead..].strip_prefix("why")?;
    if !after_why.starts_with(char::is_whitespace) {
        return None;
    }
    let atom = after_why.trim();
    let rest_end = scan::resume_after(text, at, at).ok().flatten().map_or(text.len(), |dot| dot - 1);
    let rest = text[at + 1..rest_end].trim();
    let conjunction = format!("{}, {rest}", atom.trim_start_matches("not").trim_start());
    let mut d = Diagnostic::error("parse::why_conjunction", "`why` explains one atom, not a conjunction")
        .at(Span::new(file, at, at + 1))
        .label("`why` takes one atom: the query ends before this `,`");
    d = if atom.starts_with("not ") {
        d.help(format!("ask `{conjunction}.` as a query, then `why not` of one atom"))
    } else {
        d.help(format!(
            "ask `{conjunction}.` as a query, then `why` of one of its answers; `why {atom}` explains every match"
        ))
    };
    Some(d)
}

/// Two or more words in a row where one term was expected (`label(us, United States)`): the
/// words from the start of the argument to the end of `found`, to suggest quoting them.
fn unquoted_words(text: &str, base: usize, at: usize, found: &str) -> Option<String> {
    let is_word =
        |w: &str| w.starts_with(|c: char| c.is_alphabetic()) && w.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !is_word(found) {
        return None;
    }
    let before = &text[base..at];
    let gap = before.len() - before.trim_end_matches([' ', '\t']).len();
    if gap == 0 {
        return None;
    }
    // The argument so far: back to the `(` or `,` that opened it.
    let arg_start = before.rfind(['(', ',']).map(|i| i + 1)?;
    let words: Vec<&str> = before[arg_start..].split_whitespace().collect();
    if words.is_empty() || !words.iter().all(|w| is_word(w)) {
        return None;
    }
    Some(format!("{} {found}", words.join(" ")))
}

/// "a", "a or b", "a, b or c".
fn one_of(items: &[&str]) -> String {
    match items {
        [] => "something else".to_string(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The token that starts at `at`: a word or number, or one character; empty at the end.
fn token_at(text: &str, at: usize) -> &str {
    let rest = text.get(at..).unwrap_or("");
    let word = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
    if word > 0 {
        return &rest[..word];
    }
    if rest.starts_with("..") {
        return &rest[..2];
    }
    rest.chars().next().map_or("", |c| &rest[..c.len_utf8()])
}

/// How a rule is named to the user when it was expected; never a raw rule name.
fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::comma => "`,`",
        Rule::lparen | Rule::paren => "`(`",
        Rule::rparen => "`)`",
        Rule::lbrace => "`{`",
        Rule::rbrace => "`}`",
        Rule::lbracket | Rule::label => "`[`",
        Rule::rbracket => "`]`",
        Rule::colon => "`:`",
        Rule::turnstile => "`:-`",
        Rule::at_sign | Rule::head_time => "`@`",
        Rule::assign => "`=`",
        Rule::query_start => "`?-`",
        Rule::stop => "`.`",
        Rule::source_kw => "`source`",
        Rule::kind_kw => "`kind`",
        Rule::pred_kw => "`pred`",
        Rule::use_kw => "`use`",
        Rule::pred_flag => "`dated` or `strict`",
        Rule::arg_decl | Rule::arg_name => "an argument name",
        Rule::load_kw => "`load`",
        Rule::from_kw => "`from`",
        Rule::with_kw => "`with`",
        Rule::header_kw => "`header`",
        Rule::include_kw => "`include`",
        Rule::retract_kw => "`retract`",
        Rule::never_kw => "`never`",
        Rule::key_kw | Rule::pred_key => "`key`",
        Rule::grade_kw => "`grade`",
        Rule::grade => "a grade (`B2`)",
        Rule::file_kw => "`file`",
        Rule::cite_kw | Rule::citation => "`cite`",
        Rule::why_kw | Rule::why_query => "`why`",
        Rule::whatif_kw | Rule::what_if => "`whatif`",
        Rule::what_if_change | Rule::without_source | Rule::without | Rule::with_fact | Rule::min_grade => {
            "a change (`not ATOM`, `not source NAME`, `grade B` or `ATOM`)"
        }
        Rule::not_kw | Rule::neg_op | Rule::negative => "`not`",
        Rule::agg_func | Rule::aggregate => "an aggregate",
        Rule::time_op | Rule::temporal => "a time test",
        Rule::cmp_op | Rule::comparison => "a comparison",
        Rule::test_name | Rule::text_test => "a text test",
        Rule::add | Rule::sub | Rule::mul | Rule::div | Rule::modulo => "an operator",
        Rule::name => "a name",
        Rule::pred_name | Rule::atom | Rule::positive => "an atom",
        Rule::variable => "a variable",
        Rule::string | Rule::dq_chars | Rule::sq_chars => "a string",
        Rule::time_literal | Rule::interval | Rule::bound | Rule::date | Rule::month_day => "a time",
        Rule::expr
        | Rule::neg
        | Rule::call
        | Rule::func_name
        | Rule::param
        | Rule::wildcard
        | Rule::integer
        | Rule::decimal => "a term",
        Rule::body | Rule::literal => "a literal",
        Rule::operand | Rule::primary | Rule::number | Rule::exponent | Rule::ident_char => "a term",
        Rule::infix => "an operator",
        // Silent rules: pest never reports them, but the match stays exhaustive.
        Rule::WHITESPACE | Rule::COMMENT | Rule::block_comment | Rule::line_comment => "a comment",
        Rule::EOI => "end of input",
        Rule::query_entry => "a query",
        Rule::statement_entry
        | Rule::source_decl
        | Rule::kind_decl
        | Rule::pred_decl
        | Rule::use_decl
        | Rule::load_decl
        | Rule::include_decl
        | Rule::retract_decl
        | Rule::query
        | Rule::entity_decl
        | Rule::clause
        | Rule::denial
        | Rule::statement
        | Rule::query_body
        | Rule::keyword => "a statement",
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;
    use crate::ast::{Atom, Citation, Expr, Literal, QueryKind, Statement, Value};

    /// Parses with and without the fast path for plain facts: the statements (spans and doc
    /// comments included) and the diagnostics must be the same.
    fn both_paths(input: &str) -> usize {
        let run = |fast: bool| {
            let mut driver = ModuleDriver::new(FileId(0), input);
            driver.fast = fast;
            driver.run();
            // Runs of plain facts read again as facts: the same statements as the first time.
            let module = Module { file: FileId(0), statements: driver.statements, text: Arc::from(input) };
            let statements: Vec<Statement> = statements(&module).map(Cow::into_owned).collect();
            (format!("{statements:?}"), format!("{:?}", driver.diags), statements.len())
        };
        let (fast, slow) = (run(true), run(false));
        assert_eq!(fast.0, slow.0, "statements differ for {input:?}");
        assert_eq!(fast.1, slow.1, "diagnostics differ for {input:?}");
        fast.2
    }

    #[test]
    fn the_fact_fast_path_builds_what_the_grammar_builds() {
        let cases = [
            "link(seoul, busan, 325).",
            "p(a).q(b).\n",
            "p( a ,\t\"Two words\" , 0 ) .",
            "p(\"\").",
            "p(\"a\\\"b\").",
            "p(007, 123456789012345678, 1234567890123456789012).",
            "p(1.5). p(1..2). p(-3). p(1e3). p(x) @ 1990. p(a) cite s \"q\".",
            "p(start, end, notable, mod). p(not).",
            "graph:link(a, b). p(X). p(_). p('s'). p(a(b)). p(a b).",
            "%% doc\np(a).\n%% doc\n\np(b).\nq(c) :- p(c).",
            "p(a).5 p(a).. p(a)\n. p(a) % c\n.",
            "p(ünï). p(\"ünï\", b). p(a,). p(,a). p().",
            "p(a",
            "p(\"a",
        ];
        for case in cases {
            both_paths(&case.replace("\\n", "\n").replace("\\t", "\t"));
        }
        assert_eq!(both_paths("a(b).\nc(d, 1).\n"), 2);
    }

    proptest::proptest! {
        /// Plain facts mixed with statements that end a run (a documented fact, a fact with a
        /// time, a rule, a bad statement) read back from their runs as the grammar parses them.
        #[test]
        fn runs_of_plain_facts_read_back_as_the_grammar_parses(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "p(a, 1).", "q(\"x y\").", "p(b, 22).  r(c).", "%% Doc.\np(d, 3).", "p(e) @ 1990.",
                "s(X) :- p(X, _).", "p(f.", "% c\n", "\n",
            ]), 0..24),
        ) {
            both_paths(&parts.join("\n"));
        }
    }

    /// Parses `input` as a module and compares a compact rendering of its statements and
    /// diagnostics with `expect` (both trimmed, line by line).
    fn check(input: &str, expect: &str) {
        let (module, diags) = parse_module(FileId(0), input);
        let mut out = String::new();
        for s in statements(&module) {
            out.push_str(&render_statement(&s));
            out.push('\n');
        }
        for d in &diags.0 {
            out.push_str(&render_diag(d));
            out.push('\n');
        }
        assert_text(&out, expect);
    }

    /// As [`check`], for [`parse_query`].
    fn check_query(input: &str, expect: &str) {
        let out = match parse_query(FileId(0), input) {
            Ok(q) => render_query(&q),
            Err(diags) => diags.0.iter().map(render_diag).collect::<Vec<_>>().join("\n"),
        };
        assert_text(&out, expect);
    }

    fn assert_text(actual: &str, expect: &str) {
        let norm = |s: &str| s.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n");
        let (actual, expect) = (norm(actual), norm(expect));
        assert!(actual == expect, "\n--- expected\n{expect}\n--- actual\n{actual}\n");
    }

    fn render_diag(d: &Diagnostic) -> String {
        let span = d.span.map_or(String::new(), |s| format!(" {}..{}", s.start, s.end));
        format!("error[{}]{span}: {}", d.code, d.message)
    }

    fn render_expr(e: &Expr) -> String {
        match e {
            Expr::Var(id) => id.name.to_string(),
            Expr::Wildcard(_) => "_".to_string(),
            Expr::Const(Value::Text(t), _) => format!("{t:?}"),
            Expr::Const(v, _) => v.to_string(),
            Expr::Param(id) => format!("${}", id.name),
            Expr::Neg(e, _) => format!("(-{})", render_expr(e)),
            Expr::Binary { op, lhs, rhs, .. } => {
                format!("({} {} {})", render_expr(lhs), op.symbol(), render_expr(rhs))
            }
            Expr::Call { func, args, .. } => {
                format!("{}({})", func.name(), args.iter().map(render_expr).collect::<Vec<_>>().join(", "))
            }
        }
    }

    fn render_atom(a: &Atom) -> String {
        let args: Vec<String> = a.args.iter().map(render_expr).collect();
        format!("{}({})", a.pred.name, args.join(", "))
    }

    fn render_time(t: &Option<Expr>) -> String {
        t.as_ref().map_or(String::new(), |t| format!(" @ {}", render_expr(t)))
    }

    fn render_literal(l: &Literal) -> String {
        match l {
            Literal::Positive { atom, time, .. } => {
                format!("{}{}", render_atom(atom), render_time(time))
            }
            Literal::Negative { atom, time, .. } => {
                format!("not {}{}", render_atom(atom), render_time(time))
            }
            Literal::Compare { op, lhs, rhs, .. } => op.render(&render_expr(lhs), &render_expr(rhs)),
            Literal::Temporal { op, lhs, rhs, .. } => {
                format!("{} {} {}", render_expr(lhs), op.keyword(), render_expr(rhs))
            }
            Literal::Aggregate(a) => {
                let target = a.target.as_ref().map_or(String::new(), |t| format!(" {}", render_expr(t)));
                format!("{} = {}{target} : {{ {} }}", render_expr(&a.result), a.func.name(), render_body(&a.body))
            }
        }
    }

    fn render_body(body: &[Literal]) -> String {
        body.iter().map(render_literal).collect::<Vec<_>>().join(", ")
    }

    fn render_cites(cites: &[Citation]) -> String {
        cites.iter().map(|c| format!(" cite {} {:?}", c.source.name, c.quote)).collect()
    }

    fn render_doc(doc: &Option<String>) -> String {
        doc.as_ref().map_or(String::new(), |d| format!(" doc={d:?}"))
    }

    fn render_query(q: &Query) -> String {
        let kind = match q.kind {
            QueryKind::Select => "",
            QueryKind::Why => "why ",
            QueryKind::WhyNot => "why not ",
        };
        format!("query {kind}{} [{}..{}]", render_body(&q.body), q.span.start, q.span.end)
    }

    fn render_statement(s: &Statement) -> String {
        let mut out = String::new();
        let _ = match s {
            // `check` reads runs as facts (`statements`).
            Statement::PlainFacts(run) => write!(out, "plain facts {}", run.facts.len()),
            Statement::Source(d) => {
                let file = d.file.as_ref().map_or(String::new(), |(f, _)| format!(" file {f:?}"));
                write!(out, "source {} {:?}{file}", d.name.name, d.title)
            }
            Statement::Kind(d) => write!(out, "kind {}", d.name.name),
            Statement::Entity(d) => {
                let label = d.label.as_ref().map_or(String::new(), |l| format!(" {l:?}"));
                let time = d.time.map_or(String::new(), |(t, _)| format!(" @ {t}"));
                write!(out, "entity {} {}{label}{time}{}", d.kind.name, d.name.name, render_doc(&d.doc))
            }
            Statement::Fact(f) => {
                let time = f.time.map_or(String::new(), |(t, _)| format!(" @ {t}"));
                write!(out, "fact {}{time}{}{}", render_atom(&f.atom), render_cites(&f.cites), render_doc(&f.doc))
            }
            Statement::Rule(r) => {
                let label = r.label.as_ref().map_or(String::new(), |l| format!("[{}] ", l.name));
                write!(
                    out,
                    "rule {label}{}{} :- {}{}{}",
                    render_atom(&r.head),
                    render_time(&r.head_time),
                    render_body(&r.body),
                    render_cites(&r.cites),
                    render_doc(&r.doc)
                )
            }
            Statement::Query(q) => write!(out, "{}", render_query(q)),
            Statement::Denial(d) => {
                let label = d.label.as_ref().map_or(String::new(), |l| format!("[{}] ", l.name));
                write!(out, "denial {label}{:?} :- {}{}", d.message, render_body(&d.body), render_doc(&d.doc))
            }
            Statement::Load(d) => {
                write!(out, "load {} from {:?}{}", d.pred.name, d.path, if d.header { " with header" } else { "" })
            }
            Statement::Include(d) if d.theory => write!(out, "use {}", d.path),
            Statement::Include(d) => write!(out, "include {:?}", d.path),
            Statement::Retract(r) => write!(
                out,
                "retract {}{}",
                render_atom(&r.fact.atom),
                match r.fact.time {
                    Some((i, _)) => format!(" @ {i}"),
                    None => String::new(),
                }
            ),
            Statement::Pred(d) => {
                let args: Vec<String> = d
                    .args
                    .iter()
                    .map(|a| match &a.ty {
                        Some(t) => format!("{}: {}", a.name.name, t.name),
                        None => a.name.name.to_string(),
                    })
                    .collect();
                write!(
                    out,
                    "pred {}({}) dated={} strict={}{}",
                    d.name.name,
                    args.join(", "),
                    d.dated,
                    d.strict,
                    render_doc(&d.doc)
                )
            }
        };
        out
    }

    #[test]
    fn directives() {
        check(
            r#"
            source seed "ROK-U.S. alliance".
            source essay "Essay" file "essay.txt".
            kind alliance.
            load edge from "edges.tsv".
            load p from "people.csv" with header.
            include "rules.kb".
            "#,
            r#"
            source seed "ROK-U.S. alliance"
            source essay "Essay" file "essay.txt"
            kind alliance
            load edge from "edges.tsv"
            load p from "people.csv" with header
            include "rules.kb"
            "#,
        );
    }

    #[test]
    fn predicate_declarations() {
        check(
            "%% Aid given.\npred aid(giver: actor, receiver: actor, kind, amount: number) dated.\npred empty() strict dated.",
            "pred aid(giver: actor, receiver: actor, kind, amount: number) dated=true strict=false doc=\"Aid given.\"\npred empty() dated=true strict=true",
        );
        // `pred` is no keyword: a fact or predicate of that name still parses.
        check("pred(a). pred.", "fact pred(\"a\")\nfact pred()");
    }

    #[test]
    fn entity_declarations() {
        check(
            r#"
            actor rok "Republic of Korea".
            event treaty_signed "Mutual Defense Treaty signed" @ 1953.
            period post_cold_war "After the Cold War" @ 1991..2019.
            alliance rok_us_alliance.
            era ancient @ -500..-300.
            "#,
            r#"
            entity actor rok "Republic of Korea"
            entity event treaty_signed "Mutual Defense Treaty signed" @ 1953
            entity period post_cold_war "After the Cold War" @ 1991..2019
            entity alliance rok_us_alliance
            entity era ancient @ -500..-300
            "#,
        );
    }

    #[test]
    fn facts_and_their_times() {
        check(
            r#"
            alliance(rok_us, rok, us) @ 1953.. cite seed "signed in 1953".
            military_aid(us, rok, 2.5e9) @ 1954..1971 cite seed "aid" cite other 'x'.
            troops(us, rok, 28500) @ 2004.. .
            founded(x) @ 1953.
            old(x) @ ..1990.
            p(a, 1, "x y", -0.25, 1e3, 1950..1960, -7, - 3).
            p.
            q().
            "#,
            r#"
            fact alliance("rok_us", "rok", "us") @ 1953.. cite seed "signed in 1953"
            fact military_aid("us", "rok", 2.5e9) @ 1954..1971 cite seed "aid" cite other "x"
            fact troops("us", "rok", 28500) @ 2004..
            fact founded("x") @ 1953
            fact old("x") @ ..1990
            fact p("a", 1, "x y", -0.25, 1000.0, 1950..1960, -7, -3)
            fact p()
            fact q()
            "#,
        );
    }

    #[test]
    fn clauses_that_are_not_facts_become_rules() {
        check(
            r#"
            p(X).
            p(a) @ T.
            p(1 + 2).
            p($x).
            p(_).
            [named] p(a).
            "#,
            r#"
            rule p(X) :-
            rule p("a") @ T :-
            rule p((1 + 2)) :-
            rule p($x) :-
            rule p(_) :-
            rule [named] p("a") :-
            "#,
        );
    }

    #[test]
    fn rules_with_labels_docs_and_cites() {
        check(
            r#"
            %% An alliance is unadapted
            %%   when a change was not met.
            unadapted(A, P) :- changed(A, F, P), not adapted(A, F, P).

            %%%%%%%% banner %%%%%%%%
            %% Endurance.
            [endures] endured(A, P) @ T :- alliance(A, _, _) @ T, period(P), !unadapted(A, P) cite seed "q".
            %% Orphan doc, cut off by a plain comment.
            % plain
            r(X) :- \+ s(X) @ T, t(X).
            "#,
            r#"
            rule unadapted(A, P) :- changed(A, F, P), not adapted(A, F, P) doc="An alliance is unadapted when a change was not met."
            rule [endures] endured(A, P) @ T :- alliance(A, _, _) @ T, period(P), not unadapted(A, P) cite seed "q" doc="Endurance."
            rule r(X) :- not s(X) @ T, t(X)
            "#,
        );
    }

    #[test]
    fn doc_comments_attach_to_facts_and_entities_only_when_directly_above() {
        check(
            "%% A fact.\np(a).\n%% An actor.\n\nactor rok.\n%% Dangling.\n",
            r#"
            fact p("a") doc="A fact."
            entity actor rok doc="An actor."
            "#,
        );
        check("p(a). %% trailing, not a doc line\nq(b).", r#"fact p("a")  fact q("b")"#.replace("  ", "\n").as_str());
    }

    #[test]
    fn literals() {
        check(
            r#"
            r(X) :- p(X, _) @ T, T after 1990, T before 2000, T during 1991..2019, T overlaps ..1950,
                    X = Y, X != Y, X < Y, X <= Y, X > Y, X >= Y, start(T) < end(T).
            total(G, S) :- giver(G), S = sum X : { aid(G, _, X) }, N = count : { aid(G, _, _) },
                    L = min X : { a(X) }, H = max X * 2 : { a(X) }, M = mean X : { a(X) }.
            "#,
            r#"
            rule r(X) :- p(X, _) @ T, T after 1990, T before 2000, T during 1991..2019, T overlaps ..1950, X = Y, X != Y, X < Y, X <= Y, X > Y, X >= Y, start(T) < end(T)
            rule total(G, S) :- giver(G), S = sum X : { aid(G, _, X) }, N = count : { aid(G, _, _) }, L = min X : { a(X) }, H = max (X * 2) : { a(X) }, M = mean X : { a(X) }
            "#,
        );
    }

    #[test]
    fn builtin_names_are_ordinary_predicates_outside_expressions() {
        check(
            "r(X) :- start(X), graph:path(X, Y), count(X), sum(Y).",
            r#"rule r(X) :- start(X), graph:path(X, Y), count(X), sum(Y)"#,
        );
    }

    #[test]
    fn keyword_boundaries() {
        check(
            "r(X) :- nota(X), notable(X), not a(X), X = nota.\nnotable(x).\nwhy(x).",
            r#"
            rule r(X) :- nota(X), notable(X), not a(X), X = "nota"
            fact notable("x")
            error[parse::unexpected] 61..64: expected a statement, found `why`
            "#,
        );
        assert!(is_keyword("not") && is_keyword("overlaps") && !is_keyword("nota") && !is_keyword("count"));
    }

    #[test]
    fn arithmetic_precedence() {
        check(
            "r(X) :- a(A, B, C), X = A + B * C - -1 mod 2, Y = (A + B) * -C, Z = A / B / C, W = -(A).",
            "rule r(X) :- a(A, B, C), X = ((A + (B * C)) - (-1 mod 2)), Y = ((A + B) * (-C)), Z = ((A / B) / C), W = (-A)",
        );
    }

    #[test]
    fn dots_end_statements_unless_part_of_a_number() {
        check(
            "p(a) @ 1953.\np(b) @ 2004.. .\np(c) @ 1954..1971.p(d, 1.5).\np(e).q(f).",
            r#"
            fact p("a") @ 1953
            fact p("b") @ 2004..
            fact p("c") @ 1954..1971
            fact p("d", 1.5)
            fact p("e")
            fact q("f")
            "#,
        );
    }

    #[test]
    fn strings_and_escapes() {
        check(
            r#"p("a\"b\\c\n\t\r\u{e9}", 'it''s'). q("\q"). r("\u{110000}")."#,
            r#"
            error[parse::unexpected] 29..30: expected `)`, `,` or an operator, found `'`
            error[parse::bad_escape] 38..40: unknown escape in string
            error[parse::bad_escape] 47..57: unknown escape in string
            "#,
        );
        check(r#"p("a\"b\\c\n\t\r\u{e9}", 'it\'s')."#, r#"fact p("a\"b\\c\n\t\ré", "it's")"#);
    }

    #[test]
    fn queries_in_files() {
        check(
            r#"
            ?- endured(rok_us, P).
            ?- troops(us, rok, N) @ T, T after 1990.
            ?- why endured(rok_us, post_cold_war).
            ?- why not terminated(rok_us, post_cold_war).
            ?- why p(a) @ 1953.
            "#,
            r#"
            query endured("rok_us", P) [13..35]
            query troops("us", "rok", N) @ T, T after 1990 [48..88]
            query why endured("rok_us", "post_cold_war") [101..139]
            query why not terminated("rok_us", "post_cold_war") [152..197]
            query why p("a") @ 1953 [210..229]
            "#,
        );
    }

    #[test]
    fn command_line_queries() {
        check_query("endured(X, P)", r#"query endured(X, P) [0..13]"#);
        check_query("  ?- endured(X,P). ", r#"query endured(X, P) [2..18]"#);
        check_query("why endured(a, b)", r#"query why endured("a", "b") [0..17]"#);
        check_query("why not p(a)", r#"query why not p("a") [0..12]"#);
        check_query("?- why p(a).", r#"query why p("a") [0..12]"#);
        check_query("p(X), X > 2", r#"query p(X), X > 2 [0..11]"#);
        check_query(")", "error[parse::unexpected] 0..1: expected a query, found `)`");
        check_query("p(X) q", "error[parse::unexpected] 5..6: expected `,`, `.`, `@` or end of input, found `q`");
        check_query("p(\"abc", "error[parse::unterminated_string] 2..3: unterminated string");
        check_query("p(99999999999999999999)", "error[parse::int_overflow] 2..22: integer out of range");
    }

    #[test]
    fn shebang_and_comments() {
        check(
            "#!/usr/bin/env because\n/* block\n comment */ p(a). // line\np(b) /* inside */ . % end",
            r#"
            fact p("a")
            fact p("b")
            "#,
        );
    }

    #[test]
    fn recovery_reports_every_bad_statement_and_keeps_the_good_ones() {
        check(
            "p(a.\nq(b).\nr(c) :- .\ns(d).",
            r#"
            fact q("b")
            fact s("d")
            error[parse::unexpected] 3..4: expected `)`, `,` or an operator, found `.`
            error[parse::unexpected] 19..20: expected a literal, found `.`
            "#,
        );
    }

    #[test]
    fn a_statement_parses_within_its_extent_even_when_an_interval_ends_before_a_dot() {
        // `1990.. .`: the scanner's first statement end is the interval's second dot, where pest
        // fails at the end of its window; the window then grows to the next `.`. A rule whose
        // `.` ends the line parses within it, and an error costs only its statement.
        let (module, diags) =
            parse_module(FileId(0), "p(a) @ 1990.. .\nq(X) :- p(X) @ T, T overlaps 1995.. .\np(b c).\nr(X) :- q(X).\n");
        assert_eq!(module.statements.len(), 3, "{:?}", diags.0);
        assert_eq!(diags.0.len(), 1);
        assert_eq!(diags.0[0].span.map(|s| s.start), Some(58), "at `c` in `p(b c).`");
        // The same statements with the rest of the file after them parse the same.
        let (whole, _) = parse_module(FileId(0), "p(a) @ 1990.. .\n");
        assert_eq!(format!("{:?}", whole.statements[0]), format!("{:?}", module.statements[0]));
    }

    #[test]
    fn intervals_need_literal_ends() {
        check(
            "p(X) :- q(X) @ T, T during $y..$y.",
            "error[parse::unexpected] 29..31: expected `,`, `.`, `cite` or an operator, found `..`",
        );
    }

    #[test]
    fn unexpected_end_of_input() {
        check("p(a)", "error[parse::unexpected] 4..4: expected `.`, `:-`, `@` or `cite`, found end of input");
    }

    #[test]
    fn unterminated_strings_and_comments() {
        check("p(a).\nq(\"abc).", "fact p(\"a\")\nerror[parse::unterminated_string] 8..9: unterminated string");
        check(
            "p(a).\n/* never closed",
            "fact p(\"a\")\nerror[parse::unterminated_comment] 6..8: unterminated block comment",
        );
    }

    #[test]
    fn integer_overflow_is_a_diagnostic() {
        check(
            "p(9223372036854775807). p(-9223372036854775808). p(9223372036854775808). q(1e999).",
            r#"
            fact p(9223372036854775807)
            fact p(-9223372036854775808)
            error[parse::int_overflow] 51..70: integer out of range
            error[parse::dec_overflow] 75..80: decimal out of range
            "#,
        );
    }

    #[test]
    fn aggregate_targets() {
        check(
            "r(N) :- N = count X : { p(X) }.\nr(N) :- N = sum : { p(X) }.",
            r#"
            error[parse::unexpected] 18..19: `count` takes no expression
            error[parse::unexpected] 44..47: `sum` needs an expression to aggregate
            "#,
        );
    }

    #[test]
    fn deep_nesting_is_a_diagnostic_not_a_stack_overflow() {
        let deep = format!("p({}a{}).", "(".repeat(100_000), ")".repeat(100_000));
        check(&deep, "error[parse::too_deep] 257..258: nesting deeper than 256 levels");
        assert!(parse_query(FileId(0), &deep).is_err());
        assert!(!is_incomplete(&deep));
        // Just within the bound still parses.
        let parens = format!("p(X) :- X = {}1{}.", "(".repeat(256), ")".repeat(256));
        let aggregates = format!("p(N) :- {}q(N){}.", "N = count : { ".repeat(255), " }".repeat(255));
        for ok in [parens, aggregates] {
            let (module, diags) = parse_module(FileId(0), &ok);
            assert!(diags.is_empty() && module.statements.len() == 1, "{diags:?}");
        }
        // A long flat chain is bounded too (its tree would be as deep as it is long).
        let long = format!("p(X) :- X = 1{}.", " + 1".repeat(2000));
        check(&long, "error[parse::too_deep] 12..8013: expression has more than 1000 operators");
    }

    #[test]
    fn incomplete_input() {
        for text in ["p(a", "p(a)", "p(\"abc", "/* open", "r(X) :- p(X),", "?- why", "p(a) @ 2004..", "p(a) % note"] {
            assert!(is_incomplete(text), "{text:?} should be incomplete");
        }
        for text in ["", "p(a).", "p(a) q.", "p(a q(", "p(1x", "% only a comment"] {
            assert!(!is_incomplete(text), "{text:?} should not be incomplete");
        }
    }
}
