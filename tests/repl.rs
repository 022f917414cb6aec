//! The REPL driven through a pseudo-terminal, as a person types into it: an answer table,
//! multi-line input, diagnostics, tab completion, a failed `:load`, Ctrl-C, `:save` and
//! `:load`, and history across sessions. Piped input is tested as data (`mod piped`: the
//! sessions of `tests/data/repl/*.repl`), and every `:help` example is run (`mod help`).
//!
//! The binary is `because repl`. `BECAUSE_REPL_BIN` names another binary that starts the
//! same REPL (`target/debug/examples/repl`), for running these tests before the CLI is wired.
//! The output is matched as ASCII: rexpect reads it byte by byte, so table rules (`─`) are not
//! matched. Each test runs in its own temporary folder with its own history file and no colour; every
//! wait is bounded by [`TIMEOUT_MS`], which only a failing test reaches.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use rexpect::session::{PtySession, spawn_command};

/// Generous: eight sessions start at once in a debug build on a shared machine.
const TIMEOUT_MS: u64 = 60_000;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/repl").join(name)
}

/// A REPL session in a pseudo-terminal.
struct Repl {
    session: PtySession,
}

impl Repl {
    /// Starts the REPL over the shipped knowledge base in `dir`, and waits for its prompt.
    fn start(dir: &Path) -> Repl {
        let mut command = match std::env::var_os("BECAUSE_REPL_BIN") {
            Some(bin) => Command::new(bin),
            None => {
                let mut c = Command::new(env!("CARGO_BIN_EXE_because"));
                c.arg("repl");
                c
            }
        };
        command
            .current_dir(dir)
            .env("BECAUSE_HISTORY", dir.join("history"))
            .env("NO_COLOR", "1")
            .env("TERM", "xterm")
            .env_remove("XDG_DATA_HOME");
        let session = spawn_command(command, Some(TIMEOUT_MS)).expect("the REPL starts in a pseudo-terminal");
        let mut repl = Repl { session };
        repl.prompt();
        repl
    }

    /// Types a line and presses Enter.
    fn line(&mut self, text: &str) {
        self.session.send_line(text).expect("the REPL reads its terminal");
    }

    /// Types keys without Enter.
    fn keys(&mut self, keys: &str) {
        self.session.send(keys).expect("the REPL reads its terminal");
        self.session.flush().expect("the REPL reads its terminal");
    }

    /// Waits for `text` in the output; returns what came before it.
    fn expect(&mut self, text: &str) -> String {
        match self.session.exp_string(text) {
            Ok(before) => before,
            Err(e) => panic!("expected {text:?} in the REPL's output: {e}"),
        }
    }

    /// Waits for a fresh prompt: the one rustyline prints when it starts reading a line, after
    /// switching bracketed paste on. The prompt it redraws while a line is being edited shows
    /// `?- ` as well, and a line typed before the fresh prompt can be lost when the terminal
    /// goes back to raw mode.
    fn prompt(&mut self) {
        self.expect("\u{1b}[?2004h");
        self.expect("?- ");
    }

    /// Types `line`, waits for each of `outputs` in order and for the next prompt.
    fn ask(&mut self, line: &str, outputs: &[&str]) {
        self.line(line);
        for out in outputs {
            self.expect(out);
        }
        self.prompt();
    }

    /// Leaves with Ctrl-D and waits for the process to end.
    fn quit(mut self) {
        self.session.send_control('d').expect("the REPL reads its terminal");
        if let Err(e) = self.session.exp_eof() {
            panic!("the REPL did not end on Ctrl-D: {e}");
        }
    }
}

mod piped {
    //! Data-driven sessions: every `tests/data/repl/NAME.repl` is piped to `because repl` (over
    //! the shipped knowledge base, run in a fresh copy of `tests/data/repl`), and its output,
    //! diagnostics and exit code are compared with `NAME.out` beside it. Files a session writes
    //! (`:save`) are appended to the transcript. `UPDATE_EXPECT=1` rewrites the `.out` files.

    use std::path::Path;

    fn transcript(input: &Path) -> String {
        let dir = super::tempdir();
        for entry in std::fs::read_dir(super::data("")).unwrap().filter_map(Result::ok) {
            if entry.path().is_file() {
                std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
            }
        }
        let before: Vec<_> =
            std::fs::read_dir(dir.path()).unwrap().filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
        let output = assert_cmd::Command::new(env!("CARGO_BIN_EXE_because"))
            .arg("repl")
            .current_dir(dir.path())
            .env("BECAUSE_HISTORY", "")
            .env("NO_COLOR", "1")
            .write_stdin(std::fs::read(input).unwrap())
            .output()
            .unwrap();
        let mut out = format!(
            "--- stdout\n{}--- stderr\n{}--- exit code {}\n",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
            output.status.code().map_or("signal".to_string(), |c| c.to_string())
        );
        let mut written: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| !before.contains(&e.file_name()))
            .map(|e| e.path())
            .collect();
        written.sort();
        for path in written {
            let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
            out.push_str(&format!("--- wrote {name}\n{}", std::fs::read_to_string(&path).unwrap_or_default()));
        }
        out
    }

    /// A saved session declares what it cites, so `because check` passes on it alone.
    #[test]
    fn a_saved_session_checks_on_its_own() {
        let dir = super::tempdir();
        let session = ":assert treaty_year(rok_us_alliance, 1953) cite seed \"signed the Mutual Defense Treaty in October, 1953\".\n\
                       :retract troops(us, rok, 28500, about) @ 2023.\n:save saved.kb\n";
        let because = || assert_cmd::Command::new(env!("CARGO_BIN_EXE_because"));
        because().arg("repl").current_dir(dir.path()).env("BECAUSE_HISTORY", "").write_stdin(session).assert().code(0);
        let out = because().args(["check", "saved.kb"]).current_dir(dir.path()).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        assert!(!stderr.contains("error"), "{stderr}");
    }

    #[test]
    fn sessions() {
        let update = std::env::var_os("UPDATE_EXPECT").is_some();
        let mut cases: Vec<_> = std::fs::read_dir(super::data(""))
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "repl"))
            .collect();
        cases.sort();
        assert!(!cases.is_empty(), "no .repl cases in tests/data/repl");
        let mut failures = Vec::new();
        for case in cases {
            let actual = transcript(&case);
            let expected_path = case.with_extension("out");
            if update {
                std::fs::write(&expected_path, &actual).unwrap();
            } else if std::fs::read_to_string(&expected_path).unwrap_or_default() != actual {
                failures.push(format!("--- {}: got\n{actual}", expected_path.display()));
            }
        }
        assert!(
            failures.is_empty(),
            "{} session(s) differ (UPDATE_EXPECT=1 rewrites them):\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}

mod help {
    //! Every example in `:help` runs on the shipped knowledge base: the examples of each topic
    //! (lines that start with `  ?- `) are piped to a fresh `because repl`, which must print no
    //! diagnostic and exit 0.

    fn piped(dir: &std::path::Path, input: &str) -> std::process::Output {
        assert_cmd::Command::new(env!("CARGO_BIN_EXE_because"))
            .arg("repl")
            .current_dir(dir)
            .env("BECAUSE_HISTORY", "")
            .env("NO_COLOR", "1")
            .write_stdin(input.to_string())
            .output()
            .unwrap()
    }

    #[test]
    fn every_example_runs_on_the_shipped_knowledge_base() {
        let dir = super::tempdir();
        let index = String::from_utf8(piped(dir.path(), ":help\n").stdout).unwrap();
        // The commands listed, and the topics named on the `More:` line.
        let mut topics: Vec<String> = vec![String::new()];
        topics.extend(
            index.lines().filter_map(|l| l.strip_prefix("  :")).filter_map(|l| l.split(' ').next()).map(str::to_string),
        );
        let more = index.lines().find(|l| l.starts_with("More:")).unwrap_or_default();
        topics.extend(
            more.split(":help ")
                .skip(1)
                .map(|t| t.trim_end_matches([',', '.', ' ']).to_string())
                .filter(|t| t != "COMMAND"),
        );
        assert!(topics.len() > 20 && topics.contains(&"queries".to_string()), "{topics:?}");
        let mut n = 0;
        for topic in &topics {
            let text = String::from_utf8(piped(dir.path(), &format!(":help {topic}\n")).stdout).unwrap();
            let examples: Vec<&str> = text
                .lines()
                .filter_map(|l| l.strip_prefix("  ?- "))
                .map(|e| e.split("   %").next().unwrap_or(e).trim())
                .collect();
            if examples.is_empty() {
                continue;
            }
            n += examples.len();
            let session = tempfile::tempdir().unwrap();
            let out = piped(session.path(), &(examples.join("\n") + "\n"));
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.code() == Some(0) && stderr.is_empty(),
                ":help {topic}: an example fails on the shipped knowledge base\n{examples:#?}\n{stderr}"
            );
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                !stdout.contains("(0 answers)") && !stdout.contains("\nfalse\n"),
                ":help {topic}: an example has no answer\n{stdout}"
            );
        }
        assert!(n >= 20, "only {n} examples found");
    }
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

#[test]
fn answers_come_as_a_table_with_a_count_and_ground_queries_as_true_or_false() {
    let dir = tempdir();
    let mut repl = Repl::start(dir.path());
    repl.ask("endured(rok_us_alliance, P).", &["P\r\n", "cold_war\r\n", "post_cold_war\r\n", "(3 answers)"]);
    repl.ask("endured(rok_us_alliance, post_cold_war).", &["true\r\n"]);
    repl.ask("?- endured(rok_us_alliance, nowhere).", &["false\r\n"]);
    // Long tables are cut at 50 rows.
    let facts: Vec<String> = (1..=60).map(|i| format!("n({i}).")).collect();
    repl.ask(&format!(":assert {}", facts.join(" ")), &["asserted 60 statements"]);
    repl.ask("n(X).", &["50\r\n", "10 more (use :format tsv or a limit)\r\n", "(60 answers)"]);
    repl.ask(":format tsv", &[]);
    repl.ask("n(X), X > 58.", &["X\r\n59\r\n60\r\n"]);
    repl.quit();
}

#[test]
fn input_goes_on_over_several_lines_until_the_closing_dot() {
    let dir = tempdir();
    let mut repl = Repl::start(dir.path());
    repl.line("endured(rok_us_alliance,");
    repl.line("  P");
    repl.line(").");
    repl.expect("(3 answers)");
    repl.prompt();
    repl.line(":assert link(a,");
    repl.line("  b).");
    repl.expect("asserted 1 statement");
    repl.prompt();
    repl.ask("why endured(rok_us_alliance, post_cold_war).", &["endured(rok_us_alliance, post_cold_war)", "theory.kb"]);
    repl.quit();
}

#[test]
fn a_bad_line_shows_a_diagnostic_and_the_session_goes_on() {
    let dir = tempdir();
    let mut repl = Repl::start(dir.path());
    repl.ask("endured(X, .", &["error[parse::unexpected]", "endured(X, .", "^ unexpected `.`"]);
    repl.ask("endurd(A, P).", &["error[check::undefined_predicate]", "endurd/2"]);
    repl.ask(":fcts", &["unknown command `:fcts`. Did you mean `:facts`?"]);
    // Ctrl-C at the prompt drops the line typed so far.
    repl.keys("this is not sent");
    repl.expect("not sent");
    repl.session.send_control('c').expect("the REPL reads its terminal");
    // Input typed while the terminal changes modes may be dropped: wait for the new prompt.
    repl.prompt();
    repl.ask("endured(rok_us_alliance, post_cold_war).", &["true\r\n"]);
    repl.quit();
}

#[test]
fn tab_completes_commands_predicates_and_entities() {
    let dir = tempdir();
    let mut repl = Repl::start(dir.path());
    // The name alone: the `(` typed next must not make `endured((`.
    repl.keys("endure\t");
    repl.expect("endured");
    repl.keys("(rok_us_al\t");
    repl.expect("rok_us_alliance");
    repl.ask(", P).", &["(3 answers)"]);
    repl.keys(":ent\t");
    repl.expect(":entities ");
    repl.ask("actor", &["dprk", "(4 entities)"]);
    repl.quit();
}

#[test]
fn a_load_of_a_file_with_errors_reports_them_all_and_changes_nothing() {
    let dir = tempdir();
    let mut repl = Repl::start(dir.path());
    repl.ask(":assert kept(1).", &["asserted 1 statement"]);
    let bad = data("bad.kb");
    repl.ask(
        &format!(":load {}", bad.display()),
        &["bad.kb:3:", "error[parse::unexpected]", "bad.kb:4:", "nothing changed: the knowledge base is as it was"],
    );
    repl.ask("fresh(X).", &["error[check::undefined_predicate]"]);
    repl.ask("kept(X).", &["(1 answer)"]);
    repl.ask("endured(rok_us_alliance, P).", &["(3 answers)"]);
    repl.quit();
}

#[test]
fn ctrl_c_stops_a_long_evaluation_and_the_next_query_answers() {
    let dir = tempdir();
    // A 20,000-node chain: its transitive closure has 200 million facts.
    let chain: String = (1..20_000).map(|i| format!("{i}\t{}\n", i + 1)).collect();
    std::fs::write(dir.path().join("chain.tsv"), chain).unwrap();
    std::fs::write(dir.path().join("chain.kb"), "load edge from \"chain.tsv\".\n").unwrap();
    let mut repl = Repl::start(dir.path());
    repl.ask(":load chain.kb", &["loaded chain.kb"]);
    // A load that evaluates the closure, stopped.
    repl.line(&format!(":load {}", data("transitive.kb").display()));
    std::thread::sleep(Duration::from_millis(400));
    repl.session.send_control('c').expect("the REPL reads its terminal");
    repl.expect("error[eval::cancelled]");
    repl.expect("cancelled; nothing changed");
    repl.prompt();
    repl.ask("path(1, X).", &["error[check::undefined_predicate]"]);
    // A query that would run for minutes, stopped.
    repl.line("edge(A, B), edge(C, D), A = D + 100000.");
    std::thread::sleep(Duration::from_millis(400));
    repl.session.send_control('c').expect("the REPL reads its terminal");
    repl.expect("error[eval::cancelled]");
    repl.prompt();
    repl.ask("edge(1, X).", &["X\r\n", "2\r\n", "(1 answer)"]);
    repl.quit();
}

#[test]
fn save_writes_what_was_asserted_and_load_reads_it_back() {
    let dir = tempdir();
    let mut repl = Repl::start(dir.path());
    repl.ask(":assert ally(rok, us). ally(us, japan).", &["asserted 2 statements"]);
    repl.ask(":rule allied(X, Y) :- ally(X, Y).", &["asserted 1 statement"]);
    repl.ask(":retract ally(us, japan).", &["retracted ally(us, japan)."]);
    repl.ask(":save saved.kb", &["saved 2 statements to saved.kb"]);
    let saved = std::fs::read_to_string(dir.path().join("saved.kb")).unwrap();
    assert_eq!(saved, "% Asserted in a `because` session.\nally(rok, us).\nallied(X, Y) :- ally(X, Y).\n");
    repl.ask(":reset", &["reset to the files loaded at start"]);
    repl.ask("allied(X, Y).", &["error[check::undefined_predicate]"]);
    repl.ask(":load saved.kb", &["loaded saved.kb"]);
    repl.ask("allied(X, Y).", &["rok", "us", "(1 answer)"]);
    repl.quit();
}

#[test]
fn history_is_kept_across_sessions_with_multi_line_entries_whole() {
    let dir = tempdir();
    let mut first = Repl::start(dir.path());
    first.line("endured(rok_us_alliance,");
    first.line("P).");
    first.expect("(3 answers)");
    first.prompt();
    first.quit();
    let history = std::fs::read_to_string(dir.path().join("history")).unwrap();
    assert!(history.contains("endured(rok_us_alliance,\\nP)."), "history file: {history:?}");

    let mut second = Repl::start(dir.path());
    // Up arrow recalls the last entry, both of its lines; Enter runs it.
    second.keys("\x1b[A");
    second.expect("P).");
    second.keys("\r");
    second.expect("(3 answers)");
    second.prompt();
    second.quit();
}
