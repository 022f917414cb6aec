//! The command line: clap definitions and the commands they run.
//!
//! Only this front end knows clap. Every command writes its answers to stdout through
//! functions returning `io::Result`, so a closed pipe (`because run x.kb | head`) ends the
//! program quietly instead of panicking; diagnostics go to stderr, rendered by the library.
//! `main.rs` only calls [`main`].

use std::fs;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use because::ast::QueryKind;
use because::diag::{Diagnostic, Diagnostics};
use because::eval::Limits;
use because::evidence::Change;
use because::explain::WhyOptions;
use because::kb::{self, KnowledgeBase, LoadReport};
use because::output::{self, Format};
use because::program::QueryIr;
use because::reply::{DiagnosticsJson, FailedJson, Reply, RunJson};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

/// Runs the command line and returns the process's exit code: the one place that decides it.
pub fn main() -> ExitCode {
    let outcome = match Cli::try_parse() {
        Ok(cli) => match run_cli(cli) {
            Ok(outcome) => outcome,
            // A closed pipe means the reader has what it wanted: not an error (as in ripgrep).
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Outcome::Found,
            Err(e) => {
                let _ = writeln!(io::stderr(), "because: {e}");
                Outcome::Failed
            }
        },
        Err(e) => {
            // `--help` and `--version` come here too; they go to stdout and succeed.
            let _ = e.print();
            if e.use_stderr() { Outcome::Failed } else { Outcome::Found }
        }
    };
    ExitCode::from(match outcome {
        Outcome::Found => 0,
        Outcome::Nothing => 1,
        Outcome::Failed => 2,
    })
}

/// What a command came to. [`main`] maps it to the exit code: 0, 1 or 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Done, and something was found (answers, a proof, a path), or nothing was asked.
    Found,
    /// Done, and nothing was found (exit 1).
    Nothing,
    /// Bad input or a failure, already reported on stderr (exit 2).
    Failed,
}

impl Outcome {
    fn found(found: bool) -> Outcome {
        if found { Outcome::Found } else { Outcome::Nothing }
    }
}

const AFTER_HELP: &str = "\
Without a subcommand: on a terminal, starts the REPL; with piped stdin, runs the statements it
reads on top of the shipped alliance knowledge base, like `because run` (for example
`printf '?- endured(rok_us_alliance, P).\\n' | because --format json`).

Where no file is named (`query` without -f, bare `because`), the alliance knowledge base
shipped inside the binary is loaded.

Exit codes:
  0  answers found (query: at least one answer, `true`, or an explanation found;
     run: every query answered without error; check: no errors)
  1  no answers (query: none, or `false`; run: only with --fail-on-empty, when a select
     query had no answers)
  2  an error: a diagnostic (file:line:column, the source line and a caret) is on stderr
  A piped `because repl` exits 2 when some query or command in its input failed, else 0.

Limits: an evaluation, query or explanation stops after 60 seconds (--timeout); an
evaluation stops once its relations would hold more than half the machine's memory
(--max-memory SIZE, such as 16G) or, when --max-facts N is given, after N derived facts.
Each stops with an eval:: diagnostic and exit code 2.

Formats (--format):
  table  aligned columns and an answer count (the default); `run` heads each block with
         its query
  tsv    a header of variable names, then one line per answer; a query without variables
         prints `true` or `false`. `run` prints no query lines in tsv and csv: a blank
         line separates the blocks of several queries
  csv    the same, comma-separated and quoted where needed
  json   one JSON document: for `query` the answer object, for `run`
         {\"version\":1,\"results\":[...]} with one object per query (docs/json.md)
  jsonl  one JSON object per answer, each naming its query; good for `| jq`
  dot    a Graphviz graph of a `why` proof (why queries only)
  svg    a picture laid out by because itself: a `why` proof, or a graph view
  html   the evidence page of a `why` or `why not` query (as `because report`)

Answers go to stdout, diagnostics to stderr. A closed pipe (`| head`) is not an error.

Environment:
  BECAUSE_THREADS  threads a large join may use (default: the machine's cores,
                   at most 8; 1 evaluates on one thread). Answers and proofs do not depend
                   on it.
  BECAUSE_HISTORY  the REPL's history file (empty: none)
  NO_COLOR         no colour under --color auto (the default)";

/// A rule-based knowledge graph that answers why: Datalog with cited proofs.
#[derive(Debug, Parser)]
#[command(name = "because", version, about, after_help = AFTER_HELP, max_term_width = 100)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

/// Options accepted before or after the subcommand.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
struct GlobalArgs {
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Table, value_name = "FORMAT")]
    format: OutputFormat,
    /// Hide warnings (errors are always shown).
    #[arg(long, global = true)]
    no_warn: bool,
    /// Answers only: no query headers, no warnings.
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Stop an evaluation or a query after this many seconds [default: 60; 0: no limit].
    #[arg(long, global = true, value_name = "SECS", value_parser = parse_timeout)]
    timeout: Option<Duration>,
    /// Stop after deriving this many facts [default: no limit; 0: no limit].
    #[arg(long, global = true, value_name = "N")]
    max_facts: Option<usize>,
    /// Stop an evaluation whose relations would hold more than SIZE bytes (`800M`, `16G`)
    /// [default: half the machine's memory; 0: no limit].
    #[arg(long, global = true, value_name = "SIZE", value_parser = parse_size)]
    max_memory: Option<u64>,
    /// At most N answers per select query; for `why`, at most N matching facts explained.
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    limit: Option<u64>,
    /// For `why`: distinct proofs per fact, shortest first.
    #[arg(long, global = true, value_name = "K", value_parser = clap::value_parser!(u64).range(1..))]
    proofs: Option<u64>,
    /// For `why`: fold sub-proofs deeper than N into references.
    #[arg(long, global = true, value_name = "N")]
    depth: Option<usize>,
    /// Colour: `auto` colours a terminal unless NO_COLOR is set.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    color: ColorChoice,
    /// For `run` and piped scripts: exit 1 when some select query has no answers.
    #[arg(long, global = true, overrides_with = "no_fail_on_empty")]
    fail_on_empty: bool,
    /// Exit 0 even when some select query has no answers (the default).
    #[arg(long, global = true, overrides_with = "fail_on_empty")]
    no_fail_on_empty: bool,
    /// A value for `$NAME` in the queries (`query`, `run`, `check`, piped scripts); never
    /// spliced into the text, so no quoting is needed. Numbers and intervals (`1991..2019`)
    /// are read as such. A name given twice, or that no query uses, is an error.
    #[arg(long = "param", global = true, value_name = "NAME=VALUE", value_parser = parse_param)]
    params: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Table,
    Tsv,
    Csv,
    Json,
    Jsonl,
    Dot,
    Svg,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load the files and answer every query they contain, in order.
    #[command(after_help = "`because run -` reads the script from stdin over the shipped knowledge base, as\n\
                            `because < FILE` does; among files (`because run my.kb -`), `-` is stdin loaded with\n\
                            them. `--param NAME=VALUE` gives the queries' `$NAME` a value. A first line `#!...`\n\
                            is skipped, so a script can start with `#!/usr/bin/env -S because run`.")]
    Run {
        /// Files loaded together (one load: all or nothing); `-` is stdin.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Answer one query: `p(X, Y)`, `why p(a, b)` or `why not p(a, b)`.
    #[command(after_help = "Examples:\n  because query 'why endured(rok_us_alliance, P)'\n  \
                            because query -f my.kb --param year=1995 'held(A) @ T, T during $year'")]
    Query {
        /// Load these files instead of the shipped knowledge base.
        #[arg(short = 'f', long = "file", value_name = "FILE")]
        files: Vec<PathBuf>,
        /// The query.
        #[arg(value_name = "QUERY")]
        query: String,
        /// Ask in a hypothetical world without the base facts matching this pattern
        /// (`adaptation(rok_us_alliance, capability, _)`); repeatable.
        #[arg(long = "without", value_name = "PATTERN")]
        without: Vec<String>,
        /// ... without every fact cited by this source alone; repeatable.
        #[arg(long = "without-source", value_name = "SOURCE")]
        without_source: Vec<String>,
        /// ... with this extra fact; repeatable.
        #[arg(long = "with", value_name = "FACT")]
        with: Vec<String>,
        /// ... with only the facts some source graded GRADE or better cites (`B`, `B2`;
        /// ungraded sources count as F6); facts no source cites stay.
        #[arg(long = "min-grade", value_name = "GRADE")]
        min_grade: Option<String>,
    },
    /// What a conclusion rests on: its sources (minimal sets), the facts and sources it cannot
    /// do without, and the fewest facts whose removal loses it.
    #[command(after_help = "Each answer is checked by asking again without the fact or source, so it is exact;\n\
                            the search is bounded (`--max-worlds`) and says when it was cut.\n\
                            Example:\n  because support 'endured(rok_us_alliance, post_cold_war)'")]
    Support {
        /// Load these files instead of the shipped knowledge base.
        #[arg(short = 'f', long = "file", value_name = "FILE")]
        files: Vec<PathBuf>,
        /// The atom, such as `endured(rok_us_alliance, post_cold_war)`.
        #[arg(value_name = "ATOM")]
        atom: String,
        /// Evaluate at most this many hypothetical worlds.
        #[arg(long = "max-worlds", value_name = "N", default_value_t = 2000)]
        max_worlds: usize,
    },
    /// Check the files and print their diagnostics (errors and warnings).
    ///
    /// Files with constraints (denials `never "..." :- body.`, keys `pred p(...) key(...)`)
    /// are evaluated, and every violation is printed with the proofs of what violates it.
    Check {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Violations of constraints are errors (exit code 2), not warnings.
        #[arg(long)]
        strict: bool,
    },
    /// Serve editors: a language server over stdin/stdout (diagnostics, hover, definitions,
    /// completion, rename, answers on query lines).
    Lsp,
    /// Write a `.kb` skeleton for a document, sentence by sentence.
    ///
    /// The skeleton has the document's `source` declaration (the name from the file name, the
    /// title from its first line) and every sentence as a numbered comment, ready to be
    /// encoded as facts that quote it.
    Draft {
        /// The document (plain text); its first line is taken as the title.
        #[arg(value_name = "DOC")]
        document: PathBuf,
        /// Write here (atomically) instead of stdout; an existing file is kept unless `--force`.
        #[arg(short, long, value_name = "OUT")]
        output: Option<PathBuf>,
        /// Replace OUT if it exists.
        #[arg(long, requires = "output")]
        force: bool,
    },
    /// Start the interactive REPL over these files (none: the shipped knowledge base).
    Repl {
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// The entity graph: the chain of facts between two entities, a neighbourhood, the most
    /// connected entities, components, the rule dependency graph, or the whole graph.
    #[command(after_help = "Formats: table (text), json, svg (drawn by because), dot (`| dot -Tsvg > graph.svg`).\n\
                            `--depth N` sets a neighbourhood's radius (default 1).\n\
                            Examples:\n  because graph --path china rok_us_alliance\n  \
                            because graph --around dprk --depth 2 --format dot | dot -Tsvg > dprk.svg\n  \
                            because graph --central")]
    Graph {
        /// Load these files instead of the shipped knowledge base.
        #[arg(short = 'f', long = "file", value_name = "FILE")]
        files: Vec<PathBuf>,
        /// The shortest chain of facts connecting two entities.
        #[arg(long, num_args = 2, value_names = ["FROM", "TO"])]
        path: Option<Vec<String>>,
        /// Only facts that hold at some time in this interval (`1991..2019`, `2023-03`).
        #[arg(long, value_name = "INTERVAL")]
        during: Option<String>,
        /// Only facts of these predicates (comma-separated).
        #[arg(long, value_name = "PRED,...", value_delimiter = ',')]
        preds: Option<Vec<String>>,
        /// An entity's neighbourhood (radius: `--depth`, default 1).
        #[arg(long, value_name = "ENTITY")]
        around: Option<String>,
        /// Entities ranked by degree and betweenness.
        #[arg(long)]
        central: bool,
        /// Connected components.
        #[arg(long)]
        components: bool,
        /// The predicate dependency graph with its strata.
        #[arg(long)]
        rules: bool,
        /// Stated and loaded facts only (no derived facts).
        #[arg(long)]
        base_only: bool,
    },
    /// Write the evidence page of a `why` query: one HTML file with the proof, its quotes in
    /// their documents, the sources and the entities, readable offline (docs/report.md).
    #[command(after_help = "QUERY is a `why` or `why not` query; a bare atom means `why` of it.\n\
                            `--depth N` shows N levels of the proof open (default 2); the rest fold.\n\
                            Example:\n  because report 'why endured(rok_us_alliance, post_cold_war)' -o evidence.html")]
    Report {
        /// Load these files instead of the shipped knowledge base.
        #[arg(short = 'f', long = "file", value_name = "FILE")]
        files: Vec<PathBuf>,
        /// A value for `$NAME` in the query (as for `query`).
        #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param)]
        params: Vec<(String, String)>,
        /// Write the page here (atomically) instead of stdout.
        #[arg(short, long, value_name = "OUT")]
        output: Option<PathBuf>,
        /// The query.
        #[arg(value_name = "QUERY")]
        query: String,
    },
    /// Describe the predicates: their declared arguments, types and documentation.
    #[command(after_help = "Examples:\n  because describe aid\n  because describe -f my.kb --format json")]
    Describe {
        /// Load these files instead of the shipped knowledge base.
        #[arg(short = 'f', long = "file", value_name = "FILE")]
        files: Vec<PathBuf>,
        /// One predicate (all when omitted).
        #[arg(value_name = "PRED")]
        pred: Option<String>,
    },
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
}

fn parse_timeout(s: &str) -> Result<Duration, String> {
    let secs: f64 = s.trim().parse().map_err(|_| format!("`{s}` is not a number of seconds"))?;
    Duration::try_from_secs_f64(secs).map_err(|_| format!("`{s}` is not a usable number of seconds"))
}

/// `--max-memory`: bytes, or a number with a binary unit (`K`, `M`, `G`, `T`, with or without
/// `iB`/`B`).
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => return Err(format!("`{s}` is not a size (bytes, or a number with K, M, G or T)")),
    };
    let value: f64 =
        number.parse().map_err(|_| format!("`{s}` is not a size (bytes, or a number with K, M, G or T)"))?;
    let bytes = value * (1u64 << shift) as f64;
    if !bytes.is_finite() || bytes >= u64::MAX as f64 {
        return Err(format!("`{s}` is too large a size"));
    }
    Ok(bytes as u64)
}

/// The default memory budget: half of the machine's memory (`MemTotal` in `/proc/meminfo`), so
/// that a runaway stops with `eval::memory` well before the system starts swapping or kills
/// the process; the library's default where the machine's memory cannot be read.
fn default_memory() -> Option<usize> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok();
    let total_kib = meminfo.as_deref().and_then(|m| {
        let line = m.lines().find(|l| l.starts_with("MemTotal:"))?;
        line.split_whitespace().nth(1)?.parse::<u64>().ok()
    });
    match total_kib {
        Some(kib) => Some(usize::try_from(kib.saturating_mul(1024) / 2).unwrap_or(usize::MAX)),
        None => Some(because::eval::DEFAULT_MEMORY),
    }
}

fn parse_param(s: &str) -> Result<(String, String), String> {
    let (name, value) = s.split_once('=').ok_or_else(|| format!("`{s}` is not NAME=VALUE"))?;
    let name = name.strip_prefix('$').unwrap_or(name);
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(format!("`{name}` is not a parameter name (letters, digits and `_`)"));
    }
    Ok((name.to_string(), value.to_string()))
}

/// What every command needs from the global options.
struct Settings {
    format: OutputFormat,
    quiet: bool,
    warnings: bool,
    limits: Limits,
    limit: Option<usize>,
    why: WhyOptions,
    color_out: bool,
    color_err: bool,
    fail_on_empty: bool,
    /// `--depth` as given (a proof's folding depth, a neighbourhood's radius).
    depth: Option<usize>,
    /// `--param NAME=VALUE`, in order.
    params: Vec<(String, String)>,
    /// The memory budget of evaluations (`--max-memory`, or half the machine's memory).
    memory: Option<usize>,
}

impl Settings {
    /// An empty knowledge base with these limits and the threads `BECAUSE_THREADS` allows (the
    /// library never reads the environment itself).
    fn knowledge_base(&self) -> KnowledgeBase {
        let mut kb = KnowledgeBase::new(self.limits.clone());
        let mut runtime = because::eval::Runtime::default();
        if let Some(n) = std::env::var("BECAUSE_THREADS").ok().and_then(|v| v.trim().parse::<usize>().ok()) {
            runtime.threads = n.max(1);
        }
        runtime.memory = self.memory;
        kb.set_runtime(runtime);
        kb
    }

    /// A knowledge base that answers the queries its files state and nothing after: it
    /// prepares explanations only if one of them is a `why`, `why not` or what-if query, and
    /// its load is the last (it gives up the loaded tables once the relations hold them).
    fn batch_knowledge_base(&self) -> KnowledgeBase {
        let mut kb = self.knowledge_base();
        kb.set_runtime(because::eval::Runtime { explain_later: false, changes_later: false, ..kb.runtime().clone() });
        kb
    }

    fn new(g: &GlobalArgs) -> Settings {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = |terminal: bool| match g.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !no_color,
        };
        let mut limits = Limits::default();
        if let Some(t) = g.timeout {
            limits.timeout = (!t.is_zero()).then_some(t);
        }
        if let Some(n) = g.max_facts {
            limits.max_facts = (n != 0).then_some(n);
        }
        let limit = g.limit.map(|n| usize::try_from(n).unwrap_or(usize::MAX));
        let mut why = WhyOptions::default();
        if limit.is_some() {
            why.limit = limit;
        }
        if let Some(k) = g.proofs {
            why.proofs = usize::try_from(k).unwrap_or(usize::MAX);
        }
        if g.depth.is_some() {
            why.depth = g.depth;
        }
        Settings {
            format: g.format,
            quiet: g.quiet,
            warnings: !g.no_warn && !g.quiet,
            limits,
            limit,
            why,
            color_out: color(io::stdout().is_terminal()),
            color_err: color(io::stderr().is_terminal()),
            fail_on_empty: g.fail_on_empty && !g.no_fail_on_empty,
            depth: g.depth,
            params: g.params.clone(),
            memory: match g.max_memory {
                Some(0) => None,
                Some(bytes) => Some(usize::try_from(bytes).unwrap_or(usize::MAX)),
                None => default_memory(),
            },
        }
    }

    /// The library's format for answers; `dot` has none.
    fn answer_format(&self) -> Option<Format> {
        Some(match self.format {
            OutputFormat::Table => Format::Table,
            OutputFormat::Tsv => Format::Tsv,
            OutputFormat::Csv => Format::Csv,
            OutputFormat::Json => Format::Json,
            OutputFormat::Jsonl => Format::Jsonl,
            OutputFormat::Dot | OutputFormat::Svg | OutputFormat::Html => return None,
        })
    }
}

fn run_cli(cli: Cli) -> io::Result<Outcome> {
    let settings = Settings::new(&cli.global);
    if let Some(d) = param_misuse(&settings.params, cli.command.as_ref()) {
        report(&KnowledgeBase::default(), &d.into(), &settings);
        return Ok(Outcome::Failed);
    }
    match cli.command {
        Some(Command::Run { files }) => run(&files, &settings),
        Some(Command::Query { files, query: text, without, without_source, with, min_grade }) => {
            let changes: Vec<Change> = (without.into_iter().map(Change::Without))
                .chain(without_source.into_iter().map(Change::WithoutSource))
                .chain(with.into_iter().map(Change::With))
                .chain(min_grade.into_iter().map(Change::MinGrade))
                .collect();
            match changes.is_empty() {
                true => query(&files, &text, &settings),
                false => what_if_query(&files, &text, &changes, &settings),
            }
        }
        Some(Command::Check { files, strict }) => check(&files, strict, &settings),
        Some(Command::Lsp) => Ok(lsp()),
        Some(Command::Support { files, atom, max_worlds }) => support(&files, &atom, max_worlds, &settings),
        Some(Command::Draft { document, output, force }) => Ok(draft(&document, output.as_deref(), force)),
        Some(Command::Repl { files }) => Ok(repl(&files, &settings)),
        Some(Command::Graph { files, path, during, preds, around, central, components, rules, base_only }) => {
            let request = GraphArgs { path, during, preds, around, central, components, rules, base_only };
            graph(&files, request, &settings)
        }
        Some(Command::Report { files, params, output, query: text }) => {
            report_page(&files, &params, &text, output.as_deref(), &settings)
        }
        Some(Command::Describe { files, pred }) => describe(&files, pred.as_deref(), &settings),
        Some(Command::Completions { shell }) => completions(shell),
        Some(Command::Man) => man(),
        None if io::stdin().is_terminal() => Ok(repl(&[], &settings)),
        None => piped(&settings),
    }
}

/// A `--param` given twice, or given to a command without queries.
fn param_misuse(params: &[(String, String)], command: Option<&Command>) -> Option<Diagnostic> {
    for (i, (name, _)) in params.iter().enumerate() {
        if params[..i].iter().any(|(n, _)| n == name) {
            return Some(
                cli_error("cli::duplicate_param", format!("`--param {name}=...` is given more than once"))
                    .help("give each parameter one value"),
            );
        }
    }
    let takes_params =
        matches!(command, None | Some(Command::Run { .. } | Command::Query { .. } | Command::Check { .. }));
    match params.first() {
        Some((name, _)) if !takes_params => Some(
            cli_error("cli::unused_param", format!("`--param {name}=...` is given to a command without queries")).help(
                "`--param` gives values to the `$NAME`s of queries: use it with query, run, check or a piped script",
            ),
        ),
        _ => None,
    }
}

/// An error for every `--param` that no query used.
fn unused_params(kb: &KnowledgeBase, s: &Settings) -> Option<Diagnostics> {
    unused_among(kb.params_used(), s)
}

/// The `--param`s that none of `used` names.
fn unused_among(used: &[String], s: &Settings) -> Option<Diagnostics> {
    let unused: Vec<Diagnostic> = s
        .params
        .iter()
        .filter(|(name, _)| !used.contains(name))
        .map(|(name, _)| {
            let help = if used.is_empty() {
                "no query has a `$NAME` parameter: remove the `--param`".to_string()
            } else {
                let names: Vec<String> = used.iter().map(|u| format!("`${u}`")).collect();
                format!("the queries use {}; check the spelling", names.join(", "))
            };
            cli_error("cli::unused_param", format!("no query uses `${name}` (given by `--param {name}=...`)"))
                .help(help)
        })
        .collect();
    (!unused.is_empty()).then_some(Diagnostics(unused))
}

// ---------------------------------------------------------------------------------------------
// Loading

/// Loads the files in one step (all or nothing), so that one file may use what another
/// defines. `-` alone reads stdin.
fn load_files(kb: &mut KnowledgeBase, files: &[PathBuf]) -> Result<LoadReport, kb::Error> {
    match files {
        [one] if one.as_os_str() == "-" => {
            let text = read_stdin()?;
            kb.load_str("<stdin>", &text, Some(Path::new("")))
        }
        [one] => kb.load_file(one),
        _ if files.iter().any(|f| f.as_os_str() == "-") => {
            // Stdin takes its place among the files, in the same one load.
            let text = read_stdin()?;
            let inputs: Vec<kb::Input<'_>> = files
                .iter()
                .map(|f| match f.as_os_str() == "-" {
                    true => kb::Input::Text { name: "<stdin>", text: &text, base: Some(Path::new("")) },
                    false => kb::Input::File(f),
                })
                .collect();
            kb.load_inputs(&inputs)
        }
        _ => {
            let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
            kb.load_files(&paths)
        }
    }
}

/// The shipped alliance knowledge base, loaded into `kb` (as `KnowledgeBase::alliance` does,
/// but keeping the knowledge base on failure: its sources are needed to render diagnostics).
fn load_shipped(kb: &mut KnowledgeBase) -> Result<LoadReport, kb::Error> {
    kb.load_file(Path::new(kb::ALLIANCE_ENTRY))
}

fn read_stdin() -> Result<String, kb::Error> {
    let bytes = because::load::read_bounded(io::stdin().lock(), because::load::MAX_FILE_BYTES).map_err(|e| {
        if e.kind() == io::ErrorKind::FileTooLarge {
            cli_error("load::too_large", "`<stdin>` is larger than 1 GiB".to_string())
                .help("split the data over several files; byte offsets in diagnostics are 32-bit")
        } else {
            cli_error("cli::stdin", format!("cannot read stdin: {e}"))
        }
    })?;
    because::load::decode(bytes, "<stdin>", None).map_err(Into::into)
}

/// A problem of the command line itself, with no place in a file.
fn cli_error(code: &'static str, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(code, message)
}

/// Text as the body of a `"..."` string in `.kb` syntax.
fn escape_string(s: &str) -> String {
    let quoted = because::syntax::print::quote(s);
    quoted[1..quoted.len() - 1].to_string()
}

/// Prints diagnostics to stderr (errors always; warnings unless hidden). Failing to write to
/// stderr is ignored: there is nowhere left to report it.
fn report(kb: &KnowledgeBase, diags: &Diagnostics, s: &Settings) {
    let text = kb.render(diags, s.color_err, s.warnings);
    if !text.is_empty() {
        let _ = io::stderr().lock().write_all(text.as_bytes());
    }
}

/// Prints an error's diagnostics to stderr, rendered against the texts the error carries.
fn report_error(e: &kb::Error, s: &Settings) {
    let text = e.render(s.color_err, s.warnings);
    if !text.is_empty() {
        let _ = io::stderr().lock().write_all(text.as_bytes());
    }
}

/// The diagnostics about files loaded from index `first` of the source map on: a load checks
/// the whole program again, so its warnings include those of files loaded earlier.
fn new_only(diags: Diagnostics, first: usize) -> Diagnostics {
    Diagnostics(
        diags.0.into_iter().filter(|d| d.is_error() || d.span.is_none_or(|s| s.file.0 as usize >= first)).collect(),
    )
}

// ---------------------------------------------------------------------------------------------
// Answering

/// Front-end choices on a [`Reply`]: how each format prints it.
trait RenderReply {
    fn render(&self, s: &Settings) -> Result<String, kb::Error>;
}

impl RenderReply for Reply {
    /// The reply as text in the chosen format (`json` gives the query's own document).
    fn render(&self, s: &Settings) -> Result<String, kb::Error> {
        match (self, s.answer_format()) {
            (Reply::Answers(a), Some(format)) => Ok(output::render_answers(a, format)),
            (Reply::Answers(_), None) => {
                let name = s.format.to_possible_value().map(|v| v.get_name().to_string()).unwrap_or_default();
                Err(cli_error(
                    "cli::dot_for_select",
                    format!("`--format {name}` draws proofs: use it with `why` queries"),
                )
                .help("use --format table, tsv, csv, json or jsonl for a select query")
                .into())
            }
            (Reply::Explanation(e), Some(format)) => Ok(e.render(format, s.color_out)),
            // `--format html` never comes here: `query` writes the page itself, `run` refuses it.
            (Reply::Explanation(e), None) if s.format == OutputFormat::Svg => Ok(because::svg::proof_svg(e)),
            (Reply::Explanation(e), None) => Ok(e.render_dot()),
            (Reply::WhatIf(w), Some(Format::Json | Format::Jsonl)) => {
                Ok(serde_json::to_string_pretty(&w.json()).unwrap_or_default())
            }
            (Reply::WhatIf(w), Some(format)) => Ok(w.render(format, s.color_out)),
            (Reply::WhatIf(w), None) => match &**w {
                because::evidence::WhatIfReply::Explanation(_, e) => Ok(e.render_dot()),
                _ => Err(cli_error("cli::dot_for_select", "`--format dot` draws proofs: use it with `why` queries")
                    .help("use --format table, tsv, csv, json or jsonl for a select query")
                    .into()),
            },
        }
    }
}

fn reply(kb: &mut KnowledgeBase, q: &QueryIr, s: &Settings) -> Result<Reply, kb::Error> {
    if !q.what_if.is_empty() {
        return Ok(Reply::WhatIf(Box::new(kb.snapshot().answer_what_if(q, &s.why)?)));
    }
    match q.kind {
        QueryKind::Select => {
            let mut answers = kb.answer_limited(q, s.limit)?;
            if answers.rows.is_empty() {
                if let Some(hint) = kb.during_hint(q) {
                    report_error(&hint, s);
                }
            }
            if let Some(n) = s.limit {
                answers.rows.truncate(n);
            }
            Ok(Reply::Answers(answers))
        }
        QueryKind::Why | QueryKind::WhyNot => Ok(Reply::Explanation(kb.explain(q, &s.why)?)),
    }
}

// ---------------------------------------------------------------------------------------------
// Commands

/// `because run FILE...`; `because run -` alone is `because < FILE`: stdin over the shipped
/// knowledge base.
fn run(files: &[PathBuf], s: &Settings) -> io::Result<Outcome> {
    if let [one] = files {
        if one.as_os_str() == "-" {
            return piped(s);
        }
    }
    let mut kb = s.batch_knowledge_base();
    kb.set_params(&s.params);
    match load_files(&mut kb, files) {
        Ok(loaded) => {
            report(&kb, &loaded.warnings, s);
            if let Some(unused) = unused_params(&kb, s) {
                report(&kb, &unused, s);
                return Ok(Outcome::Failed);
            }
            answer_all(&mut kb, loaded, s)
        }
        Err(e) => {
            report_error(&e, s);
            Ok(Outcome::Failed)
        }
    }
}

/// Bare `because` with piped stdin: the statements read, on top of the shipped knowledge base.
fn piped(s: &Settings) -> io::Result<Outcome> {
    let mut kb = s.batch_knowledge_base();
    // The shipped base is not the last load: stdin's comes after it.
    let last = kb.runtime().clone();
    kb.set_runtime(because::eval::Runtime { changes_later: true, ..last.clone() });
    if let Err(e) = load_shipped(&mut kb) {
        report_error(&e, s);
        return Ok(Outcome::Failed);
    }
    kb.set_runtime(last);
    let first = kb.sources().len();
    kb.set_params(&s.params);
    let loaded = read_stdin().and_then(|text| kb.load_str("<stdin>", &text, Some(Path::new(""))));
    match loaded {
        Ok(mut loaded) => {
            loaded.warnings = new_only(std::mem::take(&mut loaded.warnings), first);
            report(&kb, &loaded.warnings, s);
            if let Some(unused) = unused_params(&kb, s) {
                report(&kb, &unused, s);
                return Ok(Outcome::Failed);
            }
            answer_all(&mut kb, loaded, s)
        }
        Err(e) => {
            let diags = new_only(e.diagnostics, first);
            report(&kb, &diags, s);
            Ok(Outcome::Failed)
        }
    }
}

/// Answers the queries a load brought in, in order, and prints them.
fn answer_all(kb: &mut KnowledgeBase, loaded: LoadReport, s: &Settings) -> io::Result<Outcome> {
    if matches!(s.format, OutputFormat::Svg | OutputFormat::Html) {
        // A picture or a page is one document for one query; several cannot share a stream.
        let d = cli_error("cli::one_query_format", "`--format svg` and `--format html` are for one `why` query")
            .help("use `because query --format svg 'why ...'` or `because report 'why ...'`");
        report(kb, &d.into(), s);
        return Ok(Outcome::Failed);
    }
    let mut out = io::stdout().lock();
    let mut failed = false;
    let mut empty = false;
    let mut results = RunJson::new();
    let queries: Vec<QueryIr> = kb.queries().get(loaded.queries).unwrap_or_default().to_vec();
    for (i, q) in queries.iter().enumerate() {
        let reply = match reply(kb, q, s) {
            Ok(reply) => reply,
            Err(e) => {
                failed = true;
                report_error(&e, s);
                if s.format == OutputFormat::Json {
                    let errors = e.diagnostics.errors().map(|d| d.to_json(kb.sources())).collect();
                    let failed = FailedJson { query: q.text.clone(), errors };
                    results.results.push(serde_json::to_value(failed).unwrap_or_default());
                }
                continue;
            }
        };
        if let Reply::Answers(a) = &reply {
            empty |= !a.holds();
        }
        match s.format {
            OutputFormat::Json => results.results.push(reply.to_json()),
            OutputFormat::Jsonl => write_block(&mut out, &reply.render(s).unwrap_or_default())?,
            _ => match reply.render(s) {
                Ok(text) => {
                    match s.format {
                        // Machine formats stay machine-readable: no query lines; a blank line
                        // separates the blocks of several queries.
                        OutputFormat::Tsv | OutputFormat::Csv => {
                            if i > 0 {
                                writeln!(out)?;
                            }
                        }
                        _ if s.quiet => {}
                        _ => {
                            let gap = if i > 0 && s.format == OutputFormat::Table { "\n" } else { "" };
                            // A DOT file may hold several graphs, but only comments between them.
                            let comment = if s.format == OutputFormat::Dot { "// " } else { "" };
                            writeln!(out, "{gap}{comment}{}", q.text)?;
                        }
                    }
                    write_block(&mut out, &text)?;
                }
                Err(e) => {
                    failed = true;
                    report_error(&e, s);
                }
            },
        }
    }
    if s.format == OutputFormat::Json {
        writeln!(out, "{}", serde_json::to_string_pretty(&results).unwrap_or_default())?;
    }
    out.flush()?;
    Ok(if failed {
        Outcome::Failed
    } else if empty && s.fail_on_empty {
        Outcome::Nothing
    } else {
        Outcome::Found
    })
}

/// `because query [-f FILE]... [--param NAME=VALUE]... QUERY`
fn query(files: &[PathBuf], text: &str, s: &Settings) -> io::Result<Outcome> {
    if s.format == OutputFormat::Html {
        return report_page(files, &s.params, text, None, s);
    }
    let Some(mut kb) = open_files_or_shipped(files, s) else { return Ok(Outcome::Failed) };
    let parsed = kb.parse_query_with(text, &s.params);
    // A query that does not parse used nothing: its own error comes first.
    if let Some(unused) = unused_among(&kb::params_in(text), s).filter(|_| parsed.is_ok()) {
        report(&kb, &unused, s);
        return Ok(Outcome::Failed);
    }
    if let Ok(Some(scratch)) = parsed.as_ref().map(|q| q.scratch.as_ref()) {
        let q = parsed.as_ref().ok();
        let text = q.map_or(String::new(), |q| q.warnings.render(&scratch.sources, s.color_err, s.warnings));
        let _ = io::stderr().lock().write_all(text.as_bytes());
    }
    let answered = parsed.and_then(|q| reply(&mut kb, &q, s));
    let reply = match answered {
        Ok(reply) => reply,
        Err(e) => {
            report_error(&e, s);
            return Ok(Outcome::Failed);
        }
    };
    let rendered = match reply.render(s) {
        Ok(text) => text,
        Err(e) => {
            report_error(&e, s);
            return Ok(Outcome::Failed);
        }
    };
    let mut out = io::stdout().lock();
    write_block(&mut out, &rendered)?;
    out.flush()?;
    Ok(Outcome::found(reply.found()))
}

/// `because report QUERY [-o OUT]` and `because query --format html QUERY`: the evidence page.
/// The proof is explained as deep as `why` goes by default; `--depth` only says how many of
/// its levels the page shows open.
fn report_page(
    files: &[PathBuf],
    params: &[(String, String)],
    text: &str,
    output: Option<&Path>,
    s: &Settings,
) -> io::Result<Outcome> {
    let Some(kb) = open_files_or_shipped(files, s) else { return Ok(Outcome::Failed) };
    let bare = text.trim().trim_start_matches("?-").trim_start();
    // `why_me(a)` is an atom, not a `why` query.
    let is_why = bare.strip_prefix("why").is_some_and(|rest| rest.starts_with(char::is_whitespace));
    let text = if is_why { text.to_string() } else { format!("why {bare}") };
    let why = WhyOptions { depth: WhyOptions::default().depth, ..s.why.clone() };
    let explained = kb.parse_query_with(&text, params).and_then(|q| kb.explain(&q, &why));
    let e = match explained {
        Ok(e) => e,
        Err(e) => {
            report_error(&e, s);
            return Ok(Outcome::Failed);
        }
    };
    let options = because::report::ReportOptions {
        open_depth: s.depth.unwrap_or(because::report::ReportOptions::default().open_depth),
    };
    let page = because::report::evidence_page(&kb, &e, &options);
    let code = Outcome::found(e.found());
    match output {
        None => {
            let mut out = io::stdout().lock();
            out.write_all(page.as_bytes())?;
            out.flush()?;
        }
        Some(path) => {
            if let Err(err) = KnowledgeBase::save_atomically(path, &page) {
                let _ = writeln!(io::stderr(), "because: cannot write `{}`: {err}", path.display());
                return Ok(Outcome::Failed);
            }
        }
    }
    Ok(code)
}

/// `because query --without PATTERN | --without-source S | --with FACT ... QUERY`: the query in
/// a hypothetical world, against the real one.
fn what_if_query(files: &[PathBuf], text: &str, changes: &[Change], s: &Settings) -> io::Result<Outcome> {
    let Some(kb) = open_files_or_shipped(files, s) else { return Ok(Outcome::Failed) };
    let answered = (|| -> Result<(String, bool), kb::Error> {
        let what_if = kb.snapshot().what_if(changes)?;
        let world = what_if.world();
        let q = world.parse_query_with(text, &s.params)?;
        let json = matches!(s.format, OutputFormat::Json | OutputFormat::Jsonl);
        if q.kind == QueryKind::Select {
            let real = what_if.real().answer(&what_if.real().parse_query_with(text, &s.params)?)?;
            let diff = because::evidence::compare(&real, &world.answer(&q)?);
            let out = match json {
                true => serde_json::to_string_pretty(&diff.json(&what_if)).unwrap_or_default(),
                false => format!(
                    "{}?- {}\n{}",
                    what_if.render_changes(),
                    diff.query,
                    because::evidence::render_difference(&diff)
                ),
            };
            return Ok((out, diff.holds()));
        }
        let e = world.explain(&q, &s.why)?;
        let out = match (json, s.answer_format()) {
            (true, _) => serde_json::to_string_pretty(&what_if.proof_document(&e)).unwrap_or_default(),
            (false, Some(format)) => what_if.render_changes() + &e.render(format, s.color_out),
            (false, None) => e.render_dot(),
        };
        Ok((out, e.found()))
    })();
    match answered {
        Ok((out, found)) => {
            let mut stdout = io::stdout().lock();
            write_block(&mut stdout, &out)?;
            stdout.flush()?;
            Ok(Outcome::found(found))
        }
        Err(e) => {
            report_error(&e, s);
            Ok(Outcome::Failed)
        }
    }
}

/// `because support [-f FILE]... ATOM`: what the atom rests on.
fn support(files: &[PathBuf], atom: &str, max_worlds: usize, s: &Settings) -> io::Result<Outcome> {
    let Some(kb) = open_files_or_shipped(files, s) else { return Ok(Outcome::Failed) };
    let options = because::evidence::support::SupportOptions { max_worlds, ..Default::default() };
    match kb.snapshot().support(atom, &options) {
        Ok(support) => {
            let out = match s.format {
                OutputFormat::Json | OutputFormat::Jsonl => {
                    serde_json::to_string_pretty(&support.to_json()).unwrap_or_default()
                }
                _ => support.render(),
            };
            let mut stdout = io::stdout().lock();
            write_block(&mut stdout, &out)?;
            stdout.flush()?;
            Ok(Outcome::found(support.holds))
        }
        Err(e) => {
            report_error(&e, s);
            Ok(Outcome::Failed)
        }
    }
}

/// The graph command's own arguments.
struct GraphArgs {
    path: Option<Vec<String>>,
    during: Option<String>,
    preds: Option<Vec<String>>,
    around: Option<String>,
    central: bool,
    components: bool,
    rules: bool,
    base_only: bool,
}

/// `because graph [-f FILE]... [--path A B | --around X | --central | --components | --rules]`
fn graph(files: &[PathBuf], args: GraphArgs, s: &Settings) -> io::Result<Outcome> {
    let Some(kb) = open_files_or_shipped(files, s) else { return Ok(Outcome::Failed) };
    let format = match s.format {
        OutputFormat::Json | OutputFormat::Jsonl => because::graph::GraphFormat::Json,
        OutputFormat::Dot => because::graph::GraphFormat::Dot,
        OutputFormat::Svg => because::graph::GraphFormat::Svg,
        OutputFormat::Html => {
            let d = cli_error("cli::html_for_graph", "`--format html` makes the evidence page of a `why` query")
                .help("use --format svg for a picture of the graph, or `because report QUERY`");
            report(&kb, &d.into(), s);
            return Ok(Outcome::Failed);
        }
        _ => because::graph::GraphFormat::Text,
    };
    let during = match args.during.as_deref().map(|d| (d, because::graph::parse_interval(d))) {
        None => None,
        Some((text, Some(i))) if i.start.zip(i.end).is_some_and(|(a, b)| a > b) => {
            let d = cli_error("cli::bad_interval", format!("`{text}` starts after it ends"))
                .help("write the earlier year first, as in 1990..2000");
            report(&kb, &d.into(), s);
            return Ok(Outcome::Failed);
        }
        Some((_, Some(i))) => Some(i),
        Some((text, None)) => {
            let d = cli_error("cli::bad_interval", format!("`{text}` is not an interval"))
                .help("write it as 1991..2019, 1991.., ..1990, 1995 or 2023-03-09");
            report(&kb, &d.into(), s);
            return Ok(Outcome::Failed);
        }
    };
    let request = because::graph::GraphRequest {
        path: args.path.and_then(|p| match p.as_slice() {
            [a, b] => Some((a.clone(), b.clone())),
            _ => None,
        }),
        during,
        preds: args.preds,
        around: args.around,
        depth: s.depth.unwrap_or(1),
        central: args.central,
        components: args.components,
        rules: args.rules,
        base_only: args.base_only,
        format,
    };
    match because::graph::run(&kb, &request) {
        Ok(output) => {
            let mut out = io::stdout().lock();
            // The text form quotes entity names and facts from data: escaped for the terminal.
            let text = match format {
                because::graph::GraphFormat::Text => because::output::terminal_text(&output.text),
                _ => std::borrow::Cow::Borrowed(output.text.as_str()),
            };
            write_block(&mut out, &text)?;
            out.flush()?;
            Ok(Outcome::found(!output.empty))
        }
        Err(e) => {
            report_error(&e.into(), s);
            Ok(Outcome::Failed)
        }
    }
}

/// `because check FILE...`: diagnostics only. With `--format json`/`jsonl` they are also
/// printed to stdout as JSON.
/// `because describe [PRED]`: declarations and docs, as text or JSON.
fn describe(files: &[PathBuf], pred: Option<&str>, s: &Settings) -> io::Result<Outcome> {
    let Some(kb) = open_files_or_shipped(files, s) else { return Ok(Outcome::Failed) };
    let text = match s.format {
        OutputFormat::Json | OutputFormat::Jsonl => because::describe::describe_json(&kb, pred)
            .map(|doc| serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"),
        _ => because::describe::describe(&kb, pred),
    };
    match text {
        Ok(text) => {
            io::stdout().lock().write_all(text.as_bytes())?;
            Ok(Outcome::Found)
        }
        Err(message) => {
            report(&kb, &cli_error("cli::unknown_predicate", message).into(), s);
            Ok(Outcome::Failed)
        }
    }
}

fn check(files: &[PathBuf], strict: bool, s: &Settings) -> io::Result<Outcome> {
    let mut kb = s.knowledge_base();
    kb.set_params(&s.params);
    // Checking evaluates nothing: a runaway program is still checked in an instant.
    let checked = match files {
        [one] if one.as_os_str() == "-" => load_files(&mut kb, files),
        _ => kb.check_files(&files.iter().map(PathBuf::as_path).collect::<Vec<_>>()),
    };
    let (mut diags, ok, summary) = match checked {
        Ok(loaded) => (loaded.warnings, true, Some(loaded.summary)),
        Err(e) => (e.diagnostics, false, None),
    };
    let ok = match unused_params(&kb, s) {
        Some(unused) if ok => {
            diags.extend(unused);
            false
        }
        _ => ok,
    };
    // Constraints need the model: the files are evaluated only when they have some.
    let mut violations = because::evidence::constraints::Violations::default();
    if ok && summary.is_some_and(|n| n.constraints > 0) {
        let stdin = matches!(files, [one] if one.as_os_str() == "-");
        if !stdin {
            kb = s.knowledge_base();
            kb.set_params(&s.params);
            if let Err(e) = load_files(&mut kb, files) {
                report_error(&e, s);
                return Ok(Outcome::Failed);
            }
        }
        match kb.snapshot().violations() {
            Ok(v) => violations = v,
            Err(e) => {
                report_error(&e, s);
                return Ok(Outcome::Failed);
            }
        }
        diags.extend(because::evidence::constraints::diagnostics(&violations, strict));
    }
    let ok = ok && (violations.is_empty() || !strict);
    report(&kb, &diags, s);
    let shown = diags.0.iter().filter(|d| d.is_error() || s.warnings);
    let mut out = io::stdout().lock();
    match s.format {
        OutputFormat::Json => {
            let doc = DiagnosticsJson::new(shown.map(|d| d.to_json(kb.sources())).collect(), violations.to_json());
            writeln!(out, "{}", serde_json::to_string_pretty(&doc).unwrap_or_default())?;
        }
        OutputFormat::Jsonl => {
            for d in shown {
                writeln!(out, "{}", serde_json::to_string(&d.to_json(kb.sources())).unwrap_or_default())?;
            }
        }
        // One line that says what was checked, so that success is visible.
        _ if ok && !s.quiet => {
            if let Some(n) = summary {
                let warnings = diags.0.iter().filter(|d| !d.is_error()).count();
                let count = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
                writeln!(
                    out,
                    "ok: {}, {}, {}, {}{}",
                    count(n.predicates, "predicate", "predicates"),
                    count(n.facts, "fact", "facts"),
                    count(n.rules, "rule", "rules"),
                    count(n.quotes_verified, "quote verified", "quotes verified"),
                    if warnings == 0 {
                        String::new()
                    } else {
                        format!(" ({})", count(warnings, "warning", "warnings"))
                    }
                )?;
            }
        }
        _ => {}
    }
    if !violations.is_empty() && !matches!(s.format, OutputFormat::Json | OutputFormat::Jsonl) {
        write!(out, "\n{}", violations.render(s.color_out))?;
    }
    out.flush()?;
    Ok(if ok { Outcome::Found } else { Outcome::Failed })
}

/// `because lsp`: the language server, until the editor says `exit`.
fn lsp() -> Outcome {
    match because::lsp::run() {
        Ok(()) => Outcome::Found,
        Err(e) => {
            let _ = writeln!(io::stderr(), "because lsp: {e}");
            Outcome::Failed
        }
    }
}

/// `because repl [FILE...]` and bare `because` on a terminal.
fn repl(files: &[PathBuf], s: &Settings) -> Outcome {
    match open_files_or_shipped(files, s) {
        Some(kb) => start_repl(kb, s),
        None => Outcome::Failed,
    }
}

/// A knowledge base of `files`, or of the shipped one when none is named; its diagnostics are
/// printed, and `None` means it failed to load. The shipped knowledge base's warnings are not
/// the user's to fix, so only errors are shown for it.
fn open_files_or_shipped(files: &[PathBuf], s: &Settings) -> Option<KnowledgeBase> {
    let mut kb = s.knowledge_base();
    let loaded = if files.is_empty() {
        load_shipped(&mut kb).map(|_| LoadReport::default())
    } else {
        load_files(&mut kb, files)
    };
    match loaded {
        Ok(loaded) => {
            report(&kb, &loaded.warnings, s);
            Some(kb)
        }
        Err(e) => {
            report_error(&e, s);
            None
        }
    }
}

/// Hands the knowledge base to the REPL.
fn start_repl(kb: KnowledgeBase, s: &Settings) -> Outcome {
    let options = because::repl::Options {
        color: s.color_out,
        format: s.answer_format().unwrap_or_default(),
        ..Default::default()
    };
    if because::repl::run(kb, options) { Outcome::Found } else { Outcome::Failed }
}

fn completions(shell: clap_complete::Shell) -> io::Result<Outcome> {
    // Generated into memory first: clap_complete panics when its writer fails.
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "because", &mut buf);
    write_stdout(&buf)
}

fn man() -> io::Result<Outcome> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut buf)?;
    write_stdout(&buf)
}

/// Writes a rendered block, ending it with a newline if it lacks one.
fn write_block(out: &mut impl Write, text: &str) -> io::Result<()> {
    out.write_all(text.as_bytes())?;
    if !text.is_empty() && !text.ends_with('\n') {
        out.write_all(b"\n")?;
    }
    Ok(())
}

fn write_stdout(bytes: &[u8]) -> io::Result<Outcome> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(Outcome::Found)
}

// ---------------------------------------------------------------------------------------------
// draft

/// `because draft DOC [-o OUT [--force]]`
fn draft(document: &Path, output: Option<&Path>, force: bool) -> Outcome {
    let fail = |message: String| {
        let _ = writeln!(io::stderr(), "because: {message}");
        Outcome::Failed
    };
    let text = match because::load::read_path(document) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let shown = document.display().to_string();
                return fail(because::load::decode(e.into_bytes(), &shown, None).map_or_else(|d| d.message, |_| shown));
            }
        },
        Err(e) if e.kind() == io::ErrorKind::FileTooLarge => {
            return fail(format!("`{}` is larger than 1 GiB", document.display()));
        }
        Err(e) => return fail(format!("cannot read `{}`: {e}", document.display())),
    };
    // A hand-written knowledge base is easily lost to a draft: never replace one unasked.
    if let Some(out) = output.filter(|o| !force && o.exists()) {
        return fail(format!("`{}` exists: pass --force to replace it, or choose another -o file", out.display()));
    }
    // A byte-order mark is not part of the title.
    let text = text.strip_prefix('\u{FEFF}').map(str::to_string).unwrap_or(text);
    let Some(doc_path) = document_path(document, output) else {
        return fail(format!("`{}` is not a UTF-8 path", document.display()));
    };
    let skeleton = draft_text(&text, &source_name(document), &doc_path);
    match output {
        None => match write_stdout(skeleton.as_bytes()) {
            Ok(code) => code,
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Outcome::Found,
            Err(e) => fail(format!("cannot write: {e}")),
        },
        Some(out) => match KnowledgeBase::save_atomically(out, &skeleton) {
            Ok(()) => Outcome::Found,
            Err(e) => fail(format!("cannot write `{}`: {e}", out.display())),
        },
    }
}

/// The skeleton: a `source` declaration and every sentence as a numbered comment.
fn draft_text(text: &str, name: &str, doc_path: &str) -> String {
    let sentences = sentences(text);
    let title = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or(name);
    let mut out = String::new();
    out.push_str(&format!("% A draft written by `because draft` for {doc_path}.\n"));
    out.push_str("% Encode each numbered sentence as facts that quote it, word for word, e.g.\n");
    // The example quotes the document's own words (its first sentence after the title), so it
    // passes the quote check as written.
    let example = sentences.get(1).or(sentences.first()).map(|s| s.split(' ').take(6).collect::<Vec<_>>().join(" "));
    let example = example.unwrap_or_else(|| "the words of a sentence".to_string());
    out.push_str(&format!("%     claim(a, b) cite {name} \"{}\".\n", escape_string(&example)));
    out.push_str("% `because check` verifies every quote against the document.\n\n");
    out.push_str(&format!("source {name} \"{}\" file \"{}\".\n\n", escape_string(title), escape_string(doc_path)));
    for (i, sentence) in sentences.iter().enumerate() {
        out.push_str(&format!("% [{}] {sentence}\n", i + 1));
    }
    out
}

/// Sentences: split after `.`, `?` or `!` followed by whitespace, and at line breaks.
/// A decimal like `2.5` is not split (no whitespace after the dot), nor an abbreviation
/// followed by a lower-case word (`U.S. forces`). Whitespace inside is collapsed.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |s: &str| {
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        if !s.is_empty() {
            out.push(s);
        }
    };
    for line in text.lines() {
        let chars: Vec<(usize, char)> = line.char_indices().collect();
        let mut start = 0;
        let mut i = 0;
        while i < chars.len() {
            if matches!(chars[i].1, '.' | '?' | '!') {
                // Closing punctuation stays with its sentence: `"Yes!" he said`.
                while i + 1 < chars.len()
                    && matches!(chars[i + 1].1, '.' | '?' | '!' | '"' | '\'' | ')' | ']' | '”' | '’')
                {
                    i += 1;
                }
                let end = chars[i].0 + chars[i].1.len_utf8();
                let next = line[end..].chars().next();
                let next_word = line[end..].trim_start().chars().next();
                let word = line[start..end].split_whitespace().next_back().unwrap_or("");
                if next.is_none_or(char::is_whitespace)
                    && !next_word.is_some_and(char::is_lowercase)
                    && !(abbreviation(word) && next_word.is_some())
                {
                    push(&line[start..end]);
                    start = end;
                }
            }
            i += 1;
        }
        push(&line[start..]);
    }
    out
}

/// Whether a word ending in `.` is an abbreviation after which a sentence goes on: a title or
/// month (`Mr.`, `Sept.`), an initial (`J.`) or letters with dots (`U.S.`, `e.g.`).
fn abbreviation(word: &str) -> bool {
    const WORDS: &[&str] = &[
        "Mr", "Mrs", "Ms", "Dr", "Prof", "Sr", "Jr", "St", "Gen", "Col", "Lt", "Sgt", "Capt", "Adm", "Gov", "Sen",
        "Rep", "Pres", "Amb", "Rev", "Hon", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct",
        "Nov", "Dec", "No", "Nos", "vs", "etc", "cf", "approx", "Inc", "Ltd", "Co", "Corp", "Dept", "Univ", "Vol",
        "pp", "ed", "eds",
    ];
    let word = word.trim_start_matches(['(', '"', '\'', '“', '‘']);
    let Some(stem) = word.strip_suffix('.') else { return false };
    WORDS.contains(&stem)
        || (stem.chars().count() == 1 && stem.chars().all(char::is_uppercase))
        || (stem.contains('.') && stem.split('.').all(|p| p.chars().count() == 1 && p.chars().all(char::is_alphabetic)))
}

/// A source name from the document's file stem: lower case, `_` for anything else, never a
/// keyword.
fn source_name(document: &Path) -> String {
    let stem = document.file_stem().map(|s| s.to_string_lossy().to_lowercase()).unwrap_or_default();
    let mut name = String::new();
    for c in stem.chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '_' };
        if !(c == '_' && (name.is_empty() || name.ends_with('_'))) {
            name.push(c);
        }
    }
    let mut name = name.trim_end_matches('_').to_string();
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        name.insert_str(0, "doc_");
    }
    if because::syntax::is_keyword(&name) {
        name.push_str("_doc");
    }
    name
}

/// How the skeleton names the document: relative to the output file's folder when it is
/// inside it, as given when printing to stdout, else absolute.
fn document_path(document: &Path, output: Option<&Path>) -> Option<String> {
    let Some(out) = output else {
        return document.to_str().map(str::to_string);
    };
    let out_dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let (Ok(doc), Ok(dir)) = (fs::canonicalize(document), fs::canonicalize(out_dir)) else {
        return document.to_str().map(str::to_string);
    };
    let shown = doc.strip_prefix(&dir).map(Path::to_path_buf).unwrap_or(doc);
    shown.to_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sentence_splitting() {
        let text = "Title line\nIt grew 2.5 percent. Then it fell!  Did it?\nThe U.S. forces left. \"Yes.\" Done";
        assert_eq!(
            sentences(text),
            [
                "Title line",
                "It grew 2.5 percent.",
                "Then it fell!",
                "Did it?",
                "The U.S. forces left.",
                "\"Yes.\"",
                "Done"
            ]
        );
    }

    #[test]
    fn sentences_go_on_after_abbreviations() {
        let text = "On Sept. 8 Mr. Kim met Gen. J. Hodge. The U.S. Army stayed. It left in Dec.";
        assert_eq!(
            sentences(text),
            ["On Sept. 8 Mr. Kim met Gen. J. Hodge.", "The U.S. Army stayed.", "It left in Dec."]
        );
    }

    #[test]
    fn source_names() {
        assert_eq!(source_name(Path::new("dir/My Essay (2023).txt")), "my_essay_2023");
        assert_eq!(source_name(Path::new("2023.txt")), "doc_2023");
        assert_eq!(source_name(Path::new("source.txt")), "source_doc");
    }
}
