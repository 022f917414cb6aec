//! The registry of diagnostic codes: every code the library and the command line raise, with
//! its stage and a one-line description. `docs/diagnostics.md` is generated from it
//! ([`markdown`]), and `tests/diagnostics.rs` fails when a code used in `src/` is missing here,
//! when a code listed here is no longer used, or when the page is out of date.

/// One diagnostic code: what it is called and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    /// The stable namespaced code, such as `check::unsafe_variable`.
    pub code: &'static str,
    /// `error`, `warning`, or `error or warning`: how the code is raised.
    pub severity: &'static str,
    /// One sentence: when it is raised.
    pub description: &'static str,
}

const fn error(code: &'static str, description: &'static str) -> CodeInfo {
    CodeInfo { code, severity: "error", description }
}

const fn warning(code: &'static str, description: &'static str) -> CodeInfo {
    CodeInfo { code, severity: "warning", description }
}

/// A code raised as an error in one place and as a warning in another (the description says
/// which).
const fn either(code: &'static str, description: &'static str) -> CodeInfo {
    CodeInfo { code, severity: "error or warning", description }
}

/// Every code, grouped by stage in pipeline order, sorted by name within a stage.
pub const CODES: &[CodeInfo] = &[
    // Reading files.
    warning(
        "load::header_row",
        "The first line of a data file looks like a header (names above numbers): load it `with header`.",
    ),
    error("load::bad_row", "A row of a data file does not fit its predicate (wrong field count or a bad value)."),
    error("load::cancelled", "Loading was cancelled (Ctrl-C) while reading, parsing or checking; nothing changed."),
    error("load::include_cycle", "A file includes itself, directly or through other files."),
    error("load::invalid_utf8", "A file or standard input is not UTF-8 text."),
    error(
        "load::missing_file",
        "A file named by the command line, `include`, `load` or `source ... file` cannot be read.",
    ),
    warning("load::shadowed_theory", "`use NAME.` reads a local theory file where a shipped theory has the same name."),
    error("load::too_large", "A file is larger than the 1 GiB a load reads."),
    error(
        "load::unknown_arity",
        "An empty data file is loaded into a predicate that nothing else uses, so its arity is unknown.",
    ),
    error("load::unknown_theory", "`use NAME.` finds no local theory file and no shipped theory of that name."),
    // Parsing.
    error("parse::bad_date", "A date that does not exist (`1953-02-30`), or a year out of range."),
    error("parse::bad_escape", "A string holds an escape sequence the language does not know."),
    error(
        "parse::bad_grade",
        "A source's `grade` is not an Admiralty grade (a letter A-F, then optionally a digit 1-6).",
    ),
    error("parse::dec_overflow", "A decimal literal is out of range."),
    error("parse::function_arity", "A built-in function is called with the wrong number of arguments."),
    error("parse::int_overflow", "An integer literal does not fit in 64 bits."),
    error("parse::retract_not_ground", "A `retract` statement names a fact with variables or expressions."),
    error("parse::internal", "The parser produced nothing for a non-empty query (a bug: please report it)."),
    error("parse::too_deep", "Brackets or expressions nest deeper than the parser allows."),
    error("parse::unexpected", "The text does not fit the grammar here; the message says what was expected."),
    error("parse::unterminated_comment", "A block comment is never closed."),
    error("parse::unterminated_string", "A string is never closed."),
    error("parse::why_conjunction", "`why` was given a conjunction; it explains one atom."),
    // Checking.
    warning(
        "check::ambiguous_minus",
        "`1953-1950` without spaces is a subtraction that reads like a date: write `1953 - 1950`.",
    ),
    error("check::arity_mismatch", "A predicate is used with different numbers of arguments."),
    error("check::bad_interval", "An interval starts after it ends."),
    error("check::bad_pattern", "The pattern of `match` is not a regular expression."),
    error("check::body_too_long", "A rule body has more literals than the evaluator allows."),
    error("check::conflicting_declaration", "A predicate is declared twice with different arguments or flags."),
    error("check::declared_arity", "A fact, rule or query uses a declared predicate with another number of arguments."),
    warning("check::duplicate_fact", "The same fact is stated twice."),
    warning("check::duplicate_source", "Two `source` statements declare the same name."),
    warning("check::entity_redeclared", "An entity is declared again with another time, so it holds at both."),
    error(
        "check::key_is_every_argument",
        "A declaration's `key(...)` names every argument, so no two facts can disagree.",
    ),
    error("check::non_ground_fact", "A fact has a variable or an expression among its arguments."),
    error(
        "check::not_a_number",
        "Text, a decimal or a time stands where a whole number is needed (`substr`, `to_number`).",
    ),
    error("check::not_a_time", "A number or text stands where a time is needed (after `@`, in an interval test)."),
    error("check::not_text", "A number or a time stands where text is needed (`cat`, `strlen`, `contains`, ...)."),
    error("check::quote_not_in_source", "A cited quote is not found verbatim in its source's document."),
    error("check::reserved_name", "A user statement defines a name the language reserves (a built-in predicate)."),
    warning("check::second_label", "An entity declared again with another label now has two."),
    warning("check::singleton_variable", "A named variable appears once in a rule: a typo, or write it as `_Name`."),
    error("check::time_arithmetic", "Arithmetic on a time; use the date functions (`add_days`, `days`, ...)."),
    error("check::type_mismatch", "A constant argument does not have the type its predicate's declaration gives."),
    error("check::unbound_parameter", "A query uses a `$name` parameter that was not given a value."),
    error("check::undated_predicate", "A fact or rule head carries `@` for a predicate declared without `dated`."),
    error("check::undeclared_entity", "A `strict` predicate's entity argument names no declared entity of that kind."),
    error("check::undefined_predicate", "A rule or query reads a predicate that no fact, rule or load defines."),
    warning(
        "check::unknown_constant",
        "A query or rule body names a constant that appears nowhere in the knowledge base.",
    ),
    error("check::unknown_kind", "An entity declaration names a kind that no `kind` statement declares."),
    error("check::unknown_source", "A citation names a source that no `source` statement declares."),
    error(
        "check::unknown_key_argument",
        "A declaration's `key(...)` names something that is not one of its arguments.",
    ),
    error("check::unknown_type", "A declaration's argument type is not `number`, `text`, `time` or a kind."),
    error(
        "check::unsafe_variable",
        "A variable of a rule's head, a negation or a comparison is never bound by the body.",
    ),
    error("check::unstratifiable", "A predicate depends on itself through negation or an aggregate."),
    either(
        "check::violation",
        "A denial's body holds, or two facts of a keyed predicate disagree at overlapping times: a warning of `because check`, an error with `--strict`.",
    ),
    error("check::violation_in_rule", "A rule or denial reads `check:violation`, which only queries may use."),
    error("check::wildcard_in_expression", "`_` is used inside an expression, where it has no value."),
    // Queries and the library's conveniences.
    error("query::not_a_select", "A `why` query was given where a select query is expected."),
    error("query::not_a_why", "A select query was given where a `why` query is expected."),
    error(
        "query::stale",
        "A parsed query is answered against a later state of the knowledge base than the one it was parsed against.",
    ),
    error("api::bad_predicate", "Facts added from Rust name something that is not a predicate name."),
    error(
        "api::finished",
        "A change (a load, an assertion, a retraction, a what-if world) to a knowledge base whose last load let go of its tables (`Runtime::changes_later` off).",
    ),
    error("api::bad_value", "A value added from Rust cannot be a constant (a decimal that is not finite)."),
    // Evaluation.
    error("eval::bad_pattern", "The pattern of `match`, computed from the data, is not a regular expression."),
    error("eval::cancelled", "Evaluation was cancelled (Ctrl-C, or the library's cancel flag)."),
    error("eval::division_by_zero", "An expression divides by zero."),
    warning("eval::during_finds_nothing", "A query with `during` has no answers, but `overlaps` would find some."),
    error("eval::max_facts", "Evaluation derived more facts than the limit allows (`--max-facts`)."),
    error(
        "eval::memory",
        "Evaluation would hold more memory than the budget allows (`--max-memory`; half the machine's memory by default).",
    ),
    error("eval::no_thread", "The evaluation thread could not be started (out of threads or memory)."),
    error("eval::no_value", "`start` or `end` of an interval that has no such end."),
    error("eval::not_a_number", "`to_number` of text that spells no number."),
    error("eval::out_of_range", "`substr` starts past the end of its text, or has a negative start or length."),
    error("eval::overflow", "Arithmetic overflowed."),
    error("eval::stopped", "Evaluation of a rule stopped early without another diagnostic (a bug: please report it)."),
    error("eval::thread", "A thread of a split evaluation stopped unexpectedly."),
    error("eval::timeout", "Evaluation ran longer than the time limit (`--timeout`)."),
    error("eval::type_error", "An operation was applied to values of the wrong type (text in arithmetic, ...)."),
    error("eval::unplaceable", "A literal's variables are never bound, so the literal cannot be evaluated."),
    // Explanations.
    error("explain::no_derivation", "A fact holds but no derivation of it could be rebuilt (a bug: please report it)."),
    error("explain::not_an_atom", "`why` was asked of something other than one positive atom."),
    error("explain::unplaceable", "A rule's premises cannot be ordered for the explanation."),
    // The entity graph.
    error("graph::conflicting_requests", "Two graph views were asked for at once."),
    error("graph::svg_rules", "`graph --rules` was asked for as SVG; the rule graph is drawn as DOT."),
    error("graph::too_large", "A built-in graph relation would be too large to compute."),
    error("graph::unknown_builtin", "A `graph:` predicate that does not exist."),
    error("graph::unknown_entity", "No fact mentions the entity a graph request names."),
    error("graph::unknown_predicate", "A graph request names a predicate that does not exist."),
    // Sessions (the REPL's assertions and retractions).
    either(
        "session::no_such_fact",
        "A retraction names no stated fact: an error for `:retract`, a warning for a `retract` statement in a file.",
    ),
    error("session::not_a_fact", "Something other than a fact was given to retract."),
    error("session::query_asserted", "A query was given to assert."),
    // Weighing the evidence (what-if, support).
    error(
        "evidence::bad_grade",
        "A what-if's `grade` bar (`--min-grade`) is not an Admiralty grade such as `B` or `B2`.",
    ),
    error("evidence::derived_pattern", "A what-if leaves out facts of a predicate that has only derived facts."),
    error("evidence::not_an_atom", "A what-if pattern or fact (or a `support` target) is not one plain atom."),
    error("evidence::not_ground", "A fact added in a what-if has a variable, or names a built-in relation."),
    error("evidence::unknown_source", "A what-if leaves out a source that no `source` declaration names."),
    // The front ends.
    error("cli::bad_interval", "A command-line option expects an interval (`1991..2019`)."),
    error("cli::dot_for_select", "`--format dot` was asked of a select query; it draws proofs."),
    error("cli::stdin", "Standard input cannot be read."),
    error("cli::html_for_graph", "`--format html` was asked of a graph view; the evidence page is for proofs."),
    error("cli::one_query_format", "`svg` or `html` was asked of `run` or piped input, which answer several queries."),
    error("cli::duplicate_param", "The same `--param NAME` is given twice."),
    error("cli::unused_param", "A `--param` that no query uses, or one given to a command without queries."),
    error("cli::unknown_predicate", "`because describe` was given a predicate the knowledge base does not have."),
    error("repl::usage", "A REPL command was given the wrong arguments."),
];

/// The registry entry of `code`, if it is registered.
///
/// ```
/// use because::diag::codes::lookup;
///
/// assert_eq!(lookup("check::unsafe_variable").unwrap().severity, "error");
/// assert!(lookup("check::no_such_code").is_none());
/// ```
pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    CODES.iter().find(|c| c.code == code)
}

/// The page `docs/diagnostics.md`: every code, by stage, with its description.
pub fn markdown() -> String {
    let mut page = String::from(
        "# Diagnostic codes\n\n\
         Every error and warning `because` reports has a stable code, `stage::what`, shown as\n\
         `error[code]` in text and as `\"code\"` in JSON (`docs/json.md`). This page is generated\n\
         from the registry in `src/diag/codes.rs` (`UPDATE_EXPECT=1 cargo test --test diagnostics`\n\
         rewrites it); a test fails when a code is raised that the registry does not list.\n",
    );
    let mut stage = "";
    for c in CODES {
        let this = c.code.split("::").next().unwrap_or_default();
        if this != stage {
            stage = this;
            page.push_str(&format!("\n## `{stage}::`\n\n| code | severity | when |\n|---|---|---|\n"));
        }
        page.push_str(&format!("| `{}` | {} | {} |\n", c.code, c.severity, c.description));
    }
    page
}
