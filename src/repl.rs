//! The interactive toplevel: read a query or a `:command`, run it, print the result, repeat.
//!
//! Only this module (with the CLI) knows rustyline. A line is a query unless it starts with `:`;
//! input goes on over several lines until the closing `.` (`helper::needs_more` asks the real
//! parser). Every change to the knowledge base goes through its all-or-nothing staging, so a
//! failed `:load`, `:assert` or `:retract` (or one stopped with Ctrl-C) leaves it as it was.

mod cancel;
mod command;
mod helper;

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rustyline::Editor;
use rustyline::config::{ColorMode, CompletionType, Config};
use rustyline::error::ReadlineError;
use rustyline::history::{DefaultHistory, History as _};

use crate::ast::QueryKind;
use crate::diag::{Diagnostic, Diagnostics};
use crate::explain::WhyOptions;
use crate::kb::{Answers, Error, KnowledgeBase};
use crate::output::{Format, render_answers};

use helper::{Names, ReplHelper};

/// Answer tables longer than this are cut (other formats print every row).
pub const MAX_TABLE_ROWS: usize = 50;

const PROMPT: &str = "?- ";

/// How the REPL looks and where it keeps its history.
#[derive(Debug, Clone)]
pub struct Options {
    /// ANSI colour in prompts, tables, hints and diagnostics.
    pub color: bool,
    /// How answers are printed until `:format` changes it.
    pub format: Format,
    /// The history file; `None` keeps history for this session only.
    pub history: Option<PathBuf>,
    /// Print the one-line greeting.
    pub banner: bool,
}

impl Default for Options {
    /// Colour on a terminal unless `NO_COLOR` is set; tables; the default history file.
    fn default() -> Options {
        Options { color: color_wanted(), format: Format::Table, history: default_history_path(), banner: true }
    }
}

/// Colour when stdout is a terminal and `NO_COLOR` is unset or empty (<https://no-color.org>).
pub fn color_wanted() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// `$BECAUSE_HISTORY` if set (empty: no history file), else `$XDG_DATA_HOME/because/history`,
/// else `~/.local/share/because/history`.
pub fn default_history_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("BECAUSE_HISTORY") {
        return (!p.is_empty()).then(|| PathBuf::from(p));
    }
    let absolute = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    let data = std::env::var_os("XDG_DATA_HOME")
        .and_then(absolute)
        .or_else(|| std::env::var_os("HOME").and_then(absolute).map(|h| h.join(".local").join("share")))?;
    Some(data.join("because").join("history"))
}

/// Runs the REPL over `kb` until `:quit` or Ctrl-D. Whether the session went well: it did not
/// when no line editor can be set up, when the output cannot be written, or when input is piped
/// (a script, not a person) and some query or command failed. (The binary exits with 0 or 2.)
pub fn run(kb: KnowledgeBase, options: Options) -> bool {
    let mut repl = match Repl::new(kb, options) {
        Ok(repl) => repl,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "because: cannot start the line editor: {e}");
            return false;
        }
    };
    let _sigint = cancel::SigintGuard::install();
    repl.run();
    match repl.out.failure.take() {
        // A closed stdout (`because repl < q | head -1`) ends the session, quietly, as in `run`.
        None | Some(Failure::Closed) => repl.interactive || !repl.errors.get(),
        Some(Failure::Error(e)) => {
            let _ = writeln!(std::io::stderr(), "because: cannot write the output: {e}");
            false
        }
    }
}

/// Runs each of `inputs` (one line or multi-line entry each, as typed at the prompt) through
/// the REPL's command parser and dispatch, with no terminal, no history and no colour, and
/// returns what it printed (stdout and stderr interleaved). `:quit` ends early. For the `repl`
/// fuzz target and tests; commands still do what they do, so `:save` and `:load` touch files.
#[doc(hidden)]
pub fn handle_in_memory(kb: KnowledgeBase, inputs: &[&str]) -> String {
    let options = Options { color: false, format: Format::Table, history: None, banner: false };
    let Ok(mut repl) = Repl::new(kb, options) else { return String::new() };
    repl.out.capture = Some(std::cell::RefCell::new(String::new()));
    for input in inputs {
        if let Flow::Quit = repl.handle(input) {
            break;
        }
    }
    repl.out.capture.take().map(std::cell::RefCell::into_inner).unwrap_or_default()
}

/// Why output stopped: the reader went away (a broken pipe: the end, not an error), or a write
/// failed (a full disk, `> /dev/full`: an error, exit code 2).
enum Failure {
    Closed,
    Error(std::io::Error),
}

/// Where the REPL writes. Every write goes through here rather than `print!`, which panics
/// when a write fails; the first failure ends the session.
#[derive(Default)]
struct Output {
    failure: std::cell::Cell<Option<Failure>>,
    /// Output kept in memory instead (both streams, in order): see [`handle_in_memory`].
    capture: Option<std::cell::RefCell<String>>,
}

impl Output {
    fn write(&self, to_stderr: bool, text: &str) {
        if let Some(capture) = &self.capture {
            capture.borrow_mut().push_str(text);
            return;
        }
        if self.failed() {
            return;
        }
        let written = if to_stderr {
            let _ = std::io::stdout().flush();
            let mut err = std::io::stderr().lock();
            err.write_all(text.as_bytes()).and_then(|()| err.flush())
        } else {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes()).and_then(|()| out.flush())
        };
        if let Err(e) = written {
            let failure = if e.kind() == std::io::ErrorKind::BrokenPipe { Failure::Closed } else { Failure::Error(e) };
            self.failure.set(Some(failure));
        }
    }

    fn failed(&self) -> bool {
        let failure = self.failure.take();
        let failed = failure.is_some();
        self.failure.set(failure);
        failed
    }
}

/// History entries longer than this are not recorded (a pasted file is not worth recalling).
pub const MAX_HISTORY_ENTRY: usize = 4096;
/// Entries kept in the history file; with [`MAX_HISTORY_ENTRY`], at most 4 MiB.
pub const MAX_HISTORY_ENTRIES: usize = 1000;
// The cap in total follows from the two: at most 4 MiB of entries.
const _: () = assert!(MAX_HISTORY_ENTRIES * MAX_HISTORY_ENTRY <= 4 << 20);
/// A history file larger than this is not read (it was not written by this version).
const MAX_HISTORY_FILE: u64 = 8 << 20;

enum Flow {
    Continue,
    Quit,
}

struct Repl {
    kb: KnowledgeBase,
    editor: Editor<ReplHelper, DefaultHistory>,
    color: bool,
    format: Format,
    time: bool,
    banner: bool,
    history: Option<PathBuf>,
    /// The files loaded when the REPL started, for `:reset`.
    start_paths: Vec<PathBuf>,
    /// Input comes from a terminal: history is kept, and errors do not set the exit code.
    interactive: bool,
    /// Some diagnostic with an error was shown (for the exit code of a piped session).
    errors: std::cell::Cell<bool>,
    out: Output,
}

impl Repl {
    fn new(mut kb: KnowledgeBase, options: Options) -> rustyline::Result<Repl> {
        let config = Config::builder()
            .auto_add_history(false)
            .history_ignore_dups(true)?
            .history_ignore_space(false)
            .max_history_size(MAX_HISTORY_ENTRIES)?
            .completion_type(CompletionType::List)
            .color_mode(if options.color { ColorMode::Enabled } else { ColorMode::Disabled })
            .build();
        let mut editor: Editor<ReplHelper, DefaultHistory> = Editor::with_config(config)?;
        editor.set_helper(Some(ReplHelper::new(Names::of(&kb), options.color)));
        // Only what a person types is history: piped input is a script, and may be large.
        let interactive = std::io::stdin().is_terminal();
        let history = options.history.filter(|_| interactive);
        if let Some(path) = &history {
            if std::fs::metadata(path).is_ok_and(|m| m.len() > MAX_HISTORY_FILE) {
                eprintln!("warning: the history file {} is larger than 8 MiB; it is not read", path.display());
            } else if path.exists() {
                if let Err(e) = editor.load_history(path) {
                    let _ =
                        writeln!(std::io::stderr(), "warning: cannot read the history file {}: {e}", path.display());
                }
            }
        }
        if let Some(dir) = history.as_ref().and_then(|p| p.parent()) {
            let _ = std::fs::create_dir_all(dir);
        }
        let mut limits = kb.limits().clone();
        limits.cancel = Some(cancel::flag());
        kb.set_limits(limits);
        // A session makes changes: their indexes are built now, with the load, not by the first.
        kb.prepare_changes();
        let start_paths = kb.loaded_paths().to_vec();
        Ok(Repl {
            kb,
            editor,
            color: options.color,
            format: options.format,
            time: false,
            banner: options.banner,
            history,
            start_paths,
            interactive,
            errors: std::cell::Cell::new(false),
            out: Output::default(),
        })
    }

    fn run(&mut self) {
        if self.banner {
            let n = self.kb.program().preds.iter().filter(|p| !p.defined.builtin).count();
            self.say(&format!(
                "because {}: {n} predicates loaded. End a query with `.`; :help for commands, Ctrl-D to leave.\n",
                env!("CARGO_PKG_VERSION")
            ));
        }
        loop {
            // Cleared before reading rather than after, so that a Ctrl-C pressed the moment a
            // command starts still stops it (while the editor reads, Ctrl-C is a key, not a signal).
            cancel::reset();
            cancel::set_unsaved(self.kb.has_session_statements());
            // The helper paints the prompt when colour is on.
            match self.editor.readline(PROMPT) {
                Ok(input) => {
                    self.remember(&input);
                    if let Flow::Quit = self.handle(&input) {
                        break;
                    }
                    if self.out.failed() {
                        break;
                    }
                }
                // Ctrl-C at the prompt: the line is dropped; read a new one.
                Err(ReadlineError::Interrupted) => continue,
                Err(ReadlineError::Eof) => {
                    self.out.write(false, "\n");
                    break;
                }
                // The prompt could not be written: stdout is closed or failing.
                Err(ReadlineError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => break,
                Err(e) => {
                    self.out.write(true, &format!("because: cannot read the terminal: {e}\n"));
                    break;
                }
            }
        }
    }

    /// Adds the whole entry (several lines for a multi-line query) to the history file, when
    /// a person typed it and it is not too long.
    fn remember(&mut self, input: &str) {
        if !self.interactive || !worth_remembering(input) {
            return;
        }
        let _ = self.editor.add_history_entry(input.trim_end());
        if let Some(path) = &self.history {
            if let Err(e) = self.editor.history_mut().append(path) {
                self.out.write(true, &format!("warning: cannot write the history file {}: {e}\n", path.display()));
                self.history = None;
            }
        }
    }

    fn handle(&mut self, input: &str) -> Flow {
        let text = input.trim();
        if text.is_empty() || helper::only_comments(text) {
            return Flow::Continue;
        }
        match text.strip_prefix(':') {
            Some(cmd) => self.command(cmd),
            None => {
                self.query(text);
                Flow::Continue
            }
        }
    }

    fn command(&mut self, text: &str) -> Flow {
        let (name, arg) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        let arg = arg.trim();
        let Some(cmd) = command::find(name) else {
            let hint = command::closest(name).map_or(String::new(), |c| format!(" Did you mean `:{c}`?"));
            self.complain(&format!("unknown command `:{name}`.{hint} `:help` lists the commands."));
            return Flow::Continue;
        };
        match cmd.name {
            "help" => self.say(&command::help(arg)),
            "quit" => return Flow::Quit,
            "why" | "whynot" => {
                if arg.is_empty() {
                    self.complain(&format!("usage: :{} ATOM", cmd.name));
                } else {
                    let not = if cmd.name == "whynot" { "not " } else { "" };
                    self.query(&format!("why {not}{arg}"));
                }
            }
            "facts" => {
                let listed = command::facts(&self.kb, arg, MAX_TABLE_ROWS);
                self.listing(listed);
            }
            "rules" => {
                let listed = command::rules(&self.kb, arg);
                self.listing(listed);
            }
            "preds" => self.say(&command::preds(&self.kb)),
            "describe" => {
                let listed = crate::describe::describe(&self.kb, (!arg.is_empty()).then_some(arg));
                self.listing(listed);
            }
            "entities" => {
                let listed = command::entities(&self.kb, arg);
                self.listing(listed);
            }
            "sources" => self.say(&command::sources(&self.kb)),
            "load" => self.load(arg),
            "reload" => {
                let started = Instant::now();
                let result = self.kb.reload_keeping_session();
                if result.is_ok() {
                    self.kb.prepare_changes();
                }
                self.changed(result.map(|r| r.warnings), started, "reloaded");
            }
            "assert" | "rule" => self.assert(cmd.name, arg),
            "retract" => self.retract(arg),
            "save" => self.save(arg),
            "reset" => self.reset(),
            "format" => self.set_format(arg),
            "time" => match arg {
                "on" => self.time = true,
                "off" => self.time = false,
                "" => self.say(&format!("time is {}\n", if self.time { "on" } else { "off" })),
                other => self.complain(&format!("`:time` takes on or off, not `{other}`")),
            },
            "graph" => self.graph(arg),
            "whatif" => self.what_if(arg),
            "check" => match self.kb.snapshot().violations() {
                Ok(v) => match self.format {
                    Format::Json | Format::Jsonl => {
                        self.say(&format!("{}\n", serde_json::to_string(&v.to_json()).unwrap_or_default()))
                    }
                    _ if v.is_empty() => self.say("no violations\n"),
                    _ => self.say(&v.render(false)),
                },
                Err(e) => self.failed(&e, ""),
            },
            "support" => match self.kb.snapshot().support(arg, &Default::default()) {
                Ok(support) => match self.format {
                    Format::Json | Format::Jsonl => {
                        self.say(&format!("{}\n", serde_json::to_string(&support.to_json()).unwrap_or_default()))
                    }
                    _ => self.say(&support.render()),
                },
                Err(e) => self.failed(&e, ""),
            },
            _ => self.complain(&format!("`:{}` is not available yet", cmd.name)),
        }
        Flow::Continue
    }

    /// Answers a select query or explains a `why` / `why not`.
    fn query(&mut self, text: &str) {
        let query = match self.kb.parse_query_with(text, &[]) {
            Ok(q) => q,
            Err(e) => {
                self.error(&e);
                if text.contains(":-") {
                    self.complain_plain("a line is a query: add a rule with `:rule RULE.`");
                }
                return;
            }
        };
        let started = Instant::now();
        if !query.what_if.is_empty() {
            // `whatif CHANGES : QUERY`: against the real world.
            return match self.kb.snapshot().answer_what_if(&query, &WhyOptions::default()) {
                Ok(reply) if matches!(self.format, Format::Json | Format::Jsonl) => {
                    self.say(&format!("{}\n", reply.json()))
                }
                Ok(reply) => self.say(&reply.render(self.format, self.color)),
                Err(e) => self.failed(&e, ""),
            };
        }
        match query.kind {
            QueryKind::Select => match self.kb.answer(&query) {
                Ok(answers) => {
                    let elapsed = started.elapsed();
                    self.show_answers(&answers);
                    if answers.rows.is_empty() {
                        if let Some(hint) = self.kb.during_hint(&query) {
                            self.error(&hint);
                        }
                    }
                    if self.time {
                        let n = answers.rows.len();
                        self.note(&format!("answered in {}: {n} answer{}", ms(elapsed), if n == 1 { "" } else { "s" }));
                    }
                }
                Err(e) => self.failed(&e, ""),
            },
            QueryKind::Why | QueryKind::WhyNot => match self.kb.explain(&query, &WhyOptions::default()) {
                Ok(explanation) => {
                    let elapsed = started.elapsed();
                    self.say(&explanation.render(self.format, self.color));
                    if self.time {
                        self.note(&format!("explained in {}", ms(elapsed)));
                    }
                }
                Err(e) => self.failed(&e, ""),
            },
        }
    }

    /// `:whatif CHANGES : QUERY`: the query in a hypothetical world (see `because::evidence`).
    fn what_if(&mut self, arg: &str) {
        let (changes, text) = match crate::evidence::parse_what_if(arg) {
            Ok(parsed) => parsed,
            Err(message) => return self.complain(&message),
        };
        let answered = (|| -> Result<String, Error> {
            let what_if = self.kb.snapshot().what_if(&changes)?;
            let world = what_if.world();
            let q = world.parse_query(&text)?;
            if q.kind == QueryKind::Select {
                let real = what_if.real().query(&text)?;
                let diff = crate::evidence::compare(&real, &world.answer(&q)?);
                return Ok(match self.format {
                    Format::Json | Format::Jsonl => {
                        format!("{}\n", serde_json::to_string(&diff.json(&what_if)).unwrap_or_default())
                    }
                    _ => format!(
                        "{}?- {}\n{}",
                        what_if.render_changes(),
                        diff.query,
                        crate::evidence::render_difference(&diff)
                    ),
                });
            }
            let e = world.explain(&q, &WhyOptions::default())?;
            Ok(what_if.render_changes() + &e.render(self.format, self.color))
        })();
        match answered {
            Ok(out) => self.say(&out),
            Err(e) => self.failed(&e, ""),
        }
    }

    fn show_answers(&self, answers: &Answers) {
        if self.format != Format::Table {
            return self.say(&render_answers(answers, self.format));
        }
        let n = answers.rows.len();
        let cut;
        let shown = if n > MAX_TABLE_ROWS {
            cut = Answers {
                query: answers.query.clone(),
                columns: answers.columns.clone(),
                rows: answers.rows[..MAX_TABLE_ROWS].to_vec(),
            };
            &cut
        } else {
            answers
        };
        let text = render_answers(shown, Format::Table);
        if answers.columns.is_empty() {
            let word = text.trim();
            let paint = if word == "true" { "\x1b[1;32m" } else { "\x1b[1;31m" };
            return self.say(&self.paint(paint, word));
        }
        // The table ends with its own count line, which is replaced by the full count.
        let mut lines: Vec<&str> = text.lines().collect();
        lines.pop();
        let mut out = String::new();
        for (i, line) in lines.iter().enumerate() {
            out.push_str(&if i == 0 { self.paint("\x1b[1m", line) } else { format!("{line}\n") });
        }
        if n > MAX_TABLE_ROWS {
            out.push_str(&format!("… {} more (use :format tsv or a limit)\n", n - MAX_TABLE_ROWS));
        }
        out.push_str(&self.paint("\x1b[2m", &format!("({n} answer{})", if n == 1 { "" } else { "s" })));
        self.say(&out);
    }

    fn load(&mut self, arg: &str) {
        let path = unquote(arg);
        if path.is_empty() {
            return self.complain("usage: :load FILE");
        }
        // As `include` does, a file already read is not read again (its rules would double).
        if self.kb.is_loaded(Path::new(path)) {
            return self.say(&format!("{path} is already loaded: nothing changed (:reload reads the files again)\n"));
        }
        let started = Instant::now();
        let result = self.kb.load_file(Path::new(path));
        if result.is_ok() {
            self.kb.prepare_changes();
        }
        self.changed(result.map(|r| r.warnings), started, &format!("loaded {path}"));
    }

    fn assert(&mut self, name: &str, text: &str) {
        if text.is_empty() {
            return self.complain(&format!("usage: :{name} STATEMENT."));
        }
        let before: usize = self.kb.modules().iter().map(|m| m.n_statements()).sum();
        let started = Instant::now();
        let result = self.kb.assert_statements(text);
        let after: usize = self.kb.modules().iter().map(|m| m.n_statements()).sum();
        let n = after.saturating_sub(before);
        self.changed(result.map(|r| r.warnings), started, &format!("asserted {n} statement{}", plural(n)));
    }

    fn retract(&mut self, text: &str) {
        if text.is_empty() {
            return self.complain("usage: :retract FACT.");
        }
        let started = Instant::now();
        let result = self.kb.retract(text);
        let summary = match &result {
            Ok(r) => format!("retracted {}", r.statements.join(" ")),
            Err(_) => String::new(),
        };
        self.changed(result.map(|r| r.warnings), started, &summary);
    }

    fn save(&mut self, arg: &str) {
        let path = unquote(arg);
        if path.is_empty() {
            return self.complain("usage: :save FILE");
        }
        let text = self.kb.session_text();
        if text.is_empty() {
            return self.complain("nothing asserted in this session: nothing saved");
        }
        let n = text.lines().filter(|l| !l.starts_with('%')).count();
        // The declarations its citations need come first, so the file checks on its own; loaded
        // again over the same files, they repeat what those declare, which is allowed.
        let declarations = self.kb.session_declarations();
        let file = if declarations.is_empty() {
            format!("% Asserted in a `because` session.\n{text}")
        } else {
            format!(
                "% Asserted in a `because` session.\n% Declared by the files it was made over:\n{declarations}\n% The session:\n{text}"
            )
        };
        match KnowledgeBase::save_atomically(Path::new(path), &file) {
            Ok(()) => self.say(&format!("saved {n} statement{} to {path}\n", plural(n))),
            Err(e) => self.complain(&format!("cannot save to {path}: {e}; nothing was written")),
        }
    }

    fn reset(&mut self) {
        let paths = self.start_paths.clone();
        let started = Instant::now();
        let result = self.kb.reset_to(&paths);
        self.changed(result.map(|()| Diagnostics::default()), started, "reset to the files loaded at start");
    }

    fn set_format(&mut self, arg: &str) {
        if arg.is_empty() {
            let name = match self.format {
                Format::Table => "table",
                Format::Tsv => "tsv",
                Format::Csv => "csv",
                Format::Json => "json",
                Format::Jsonl => "jsonl",
            };
            return self.say(&format!("format is {name}\n"));
        }
        match Format::parse(arg) {
            Some(f) => self.format = f,
            None => self.complain(&format!("`:format` takes table, tsv, csv, json or jsonl, not `{arg}`")),
        }
    }

    /// `:graph [path A B | around X [DEPTH] | central | components | rules] [during I]
    /// [preds p,q] [base] [dot | json]`: the same requests as `because graph`.
    fn graph(&mut self, args: &str) {
        match parse_graph_request(args) {
            Ok(request) => match crate::graph::run_request(&self.kb, &request) {
                Ok(text) => self.say(&text),
                Err(e) => self.error(&e.into()),
            },
            Err(message) => self.complain(&message),
        }
    }

    /// Reports the outcome of a change: its warnings and a summary, or its errors and that
    /// nothing changed.
    fn changed(&mut self, result: Result<Diagnostics, Error>, started: Instant, summary: &str) {
        match result {
            Ok(warnings) => {
                self.diagnostics(&warnings);
                self.say(&format!("{summary}\n"));
                if self.time {
                    let stats = &self.kb.database().stats;
                    let line = match &stats.update {
                        // Maintained from the previous state: what the change cost.
                        Some(u) => format!(
                            "updated in {} (incremental evaluation {}): base +{} -{}, derived +{} -{}, \
                             {} strat{} continued, {} by delete and re-derive ({} fact{} taken out), \
                             {} re-evaluated ({} row{})",
                            ms(started.elapsed()),
                            ms(u.elapsed),
                            u.base_added,
                            u.base_removed,
                            u.derived_added,
                            u.derived_removed,
                            u.strata_continued,
                            if u.strata_continued == 1 { "um" } else { "a" },
                            u.strata_rederived,
                            u.overdeleted,
                            plural(u.overdeleted),
                            u.strata_reevaluated,
                            u.rows_reevaluated,
                            plural(u.rows_reevaluated)
                        ),
                        None => format!(
                            "evaluated in {}: {} fact{} derived in {} round{}",
                            ms(started.elapsed()),
                            stats.derived,
                            plural(stats.derived),
                            stats.rounds,
                            plural(stats.rounds)
                        ),
                    };
                    self.note(&line);
                }
                if let Some(helper) = self.editor.helper_mut() {
                    helper.names = Names::of(&self.kb);
                }
            }
            Err(e) => self.failed(&e, "nothing changed: the knowledge base is as it was"),
        }
    }

    /// Reports a failed command; `consequence` says what became of the knowledge base.
    fn failed(&self, e: &Error, consequence: &str) {
        self.error(e);
        let cancelled = e.diagnostics.0.iter().any(|d| d.code == "eval::cancelled");
        let line = match (cancelled, consequence) {
            (true, "") => "cancelled".to_string(),
            (true, c) => format!("cancelled; {c}"),
            (false, c) => c.to_string(),
        };
        if !line.is_empty() {
            self.complain_plain(&line);
        }
    }

    fn listing(&self, listed: Result<String, String>) {
        match listed {
            Ok(text) => self.say(&text),
            Err(message) => self.complain(&message),
        }
    }

    /// An error's diagnostics, rendered against the texts it carries (a query's own text is not
    /// in the knowledge base).
    fn error(&self, e: &Error) {
        if e.diagnostics.is_empty() {
            return;
        }
        if e.diagnostics.has_errors() {
            self.errors.set(true);
        }
        self.out.write(true, &e.render(self.color, true));
    }

    fn diagnostics(&self, diags: &Diagnostics) {
        if diags.is_empty() {
            return;
        }
        if diags.has_errors() {
            self.errors.set(true);
        }
        self.out.write(true, &self.kb.render(diags, self.color, true));
    }

    /// An error of the REPL's own (a usage mistake), as a diagnostic without a place.
    fn complain(&self, message: &str) {
        let d = Diagnostic::error("repl::usage", message);
        self.diagnostics(&d.into());
    }

    fn complain_plain(&self, message: &str) {
        self.out.write(true, &format!("{}\n", self.paint("\x1b[2m", message).trim_end()));
    }

    fn note(&self, message: &str) {
        self.say(&self.paint("\x1b[2m", message));
    }

    fn say(&self, text: &str) {
        self.out.write(false, text);
    }

    /// `text` in the given style when colour is on, with a newline.
    fn paint(&self, style: &str, text: &str) -> String {
        if self.color { format!("{style}{text}\x1b[0m\n") } else { format!("{text}\n") }
    }
}

/// Whether an entry goes into the history: not blank, and not longer than
/// [`MAX_HISTORY_ENTRY`] bytes.
fn worth_remembering(input: &str) -> bool {
    let entry = input.trim();
    !entry.is_empty() && entry.len() <= MAX_HISTORY_ENTRY
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 10_000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A file name as typed, without surrounding quotes.
fn unquote(arg: &str) -> &str {
    let arg = arg.trim();
    for q in ['"', '\''] {
        if let Some(inner) = arg.strip_prefix(q).and_then(|a| a.strip_suffix(q)) {
            return inner;
        }
    }
    arg
}

/// Reads `:graph` arguments into a request (see [`Repl::graph`]).
fn parse_graph_request(args: &str) -> Result<crate::graph::GraphRequest, String> {
    use crate::graph::{GraphFormat, GraphRequest, parse_interval};
    let mut request = GraphRequest::default();
    let mut words = args.split_whitespace();
    let usage = "usage: :graph [path A B | around X [DEPTH] | central | components | rules] [during I] [preds p,q] [base] [dot | json]";
    while let Some(word) = words.next() {
        match word {
            "path" => match (words.next(), words.next()) {
                (Some(a), Some(b)) => request.path = Some((a.to_string(), b.to_string())),
                _ => return Err(format!("`path` needs two entities; {usage}")),
            },
            "around" => {
                let center = words.next().ok_or_else(|| format!("`around` needs an entity; {usage}"))?;
                request.around = Some(center.to_string());
            }
            "central" => request.central = true,
            "components" => request.components = true,
            "rules" => request.rules = true,
            "base" | "base-only" => request.base_only = true,
            "dot" | "json" | "text" => request.format = GraphFormat::parse(word).unwrap_or(GraphFormat::Text),
            "during" => {
                let text = words.next().unwrap_or("");
                request.during = Some(
                    parse_interval(text).ok_or_else(|| format!("`{text}` is not an interval such as 1991..2019"))?,
                );
            }
            "preds" => {
                let list = words.next().unwrap_or("");
                request.preds = Some(list.split(',').filter(|p| !p.is_empty()).map(str::to_string).collect());
            }
            depth if request.around.is_some() && depth.parse::<usize>().is_ok() => {
                request.depth = depth.parse().unwrap_or(1);
            }
            other => return Err(format!("`{other}` is not a graph option; {usage}")),
        }
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_keeps_typed_entries_of_bounded_size() {
        assert!(worth_remembering("endured(A, P)."));
        assert!(!worth_remembering("   \n"));
        let pasted = format!(":assert {}", "n(1). ".repeat(1000));
        assert!(pasted.len() > MAX_HISTORY_ENTRY && !worth_remembering(&pasted));
    }
}
