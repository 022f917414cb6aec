//! Command-line tests: they drive the real `because` binary.
//!
//! Most cases are data: `tests/data/cli/NAME.args` holds the arguments (one a line), with an
//! optional `NAME.stdin`, and the expected `NAME.stdout`, `NAME.stderr` and `NAME.code` beside
//! it. An absent `.stdout` or `.stderr` is not checked (used where another module's output is
//! still changing, such as proof trees or the shipped knowledge base). Run with
//! `UPDATE_EXPECT=1` to write the expected files instead of comparing: a new case gets all
//! three, an existing case only the files it already has. Review the diff.
//!
//! The tests written as code below are those a golden file cannot express: JSON that must
//! parse, a pipe closed early, files written by `draft -o`.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cli")
}

/// The binary, run from the data folder so relative `.kb` paths work.
fn because() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_because"));
    cmd.current_dir(data_dir()).env_remove("NO_COLOR");
    cmd
}

mod golden {
    //! The data-driven cases of `tests/data/cli`.

    use super::*;

    #[test]
    fn cases() {
        let update = std::env::var_os("UPDATE_EXPECT").is_some();
        let dir = data_dir();
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .expect("tests/data/cli exists")
            .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".args").map(str::to_string))
            .collect();
        names.sort();
        assert!(!names.is_empty(), "no cases in {}", dir.display());
        let mut failures = Vec::new();
        for name in &names {
            let read = |ext: &str| std::fs::read_to_string(dir.join(format!("{name}.{ext}"))).ok();
            let args = read("args").unwrap_or_default();
            let mut cmd = because();
            cmd.args(args.lines());
            if let Some(stdin) = read("stdin") {
                cmd.write_stdin(stdin);
            }
            let output = cmd.output().expect("the binary runs");
            let actual = [
                ("stdout", String::from_utf8_lossy(&output.stdout).into_owned()),
                ("stderr", String::from_utf8_lossy(&output.stderr).into_owned()),
                ("code", format!("{}\n", output.status.code().map_or("signal".to_string(), |c| c.to_string()))),
            ];
            let is_new = read("code").is_none();
            for (ext, got) in actual {
                let path = dir.join(format!("{name}.{ext}"));
                let expected = read(ext);
                if update {
                    if is_new || expected.is_some() {
                        std::fs::write(&path, &got).expect("expected file is writable");
                    }
                } else if let Some(expected) = expected {
                    if expected != got {
                        failures.push(format!("--- {name}.{ext}: expected\n{expected}--- got\n{got}"));
                    }
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} mismatches (UPDATE_EXPECT=1 rewrites them):\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}

mod json {
    //! Every JSON the binary prints parses, with the documented top-level shape.

    use super::*;

    fn parse(bytes: &[u8]) -> serde_json::Value {
        serde_json::from_slice(bytes)
            .unwrap_or_else(|e| panic!("invalid JSON ({e}):\n{}", String::from_utf8_lossy(bytes)))
    }

    #[test]
    fn run_prints_one_document_with_a_result_per_query() {
        let out = because().args(["run", "queries.kb", "--format", "json"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let doc = parse(&out.stdout);
        assert_eq!(doc["version"], 1);
        let results = doc["results"].as_array().expect("results is an array");
        let queries: Vec<&str> = results.iter().map(|r| r["query"].as_str().unwrap_or_default()).collect();
        assert_eq!(queries, ["?- ancestor(ann, X).", "?- parent(ann, bob).", "?- ancestor(dan, X)."]);
        assert_eq!(results[0]["rows"], serde_json::json!([["bob"], ["cat"], ["dan"]]));
        assert_eq!(results[1]["holds"], true);
        assert_eq!(results[2]["count"], 0);
    }

    #[test]
    fn query_prints_one_object() {
        let out = because().args(["query", "-f", "family.kb", "--format", "json", "note(P, N)"]).output().unwrap();
        let doc = parse(&out.stdout);
        assert_eq!(doc["columns"], serde_json::json!(["P", "N"]));
        assert_eq!(doc["rows"][1], serde_json::json!(["cat", "said \"hello\""]));
    }

    #[test]
    fn why_queries_print_json() {
        let out = because()
            .args(["query", "-f", "family.kb", "--format", "json", "why ancestor(ann, dan)"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        parse(&out.stdout);
        let out = because().args(["run", "why.kb", "--format", "json"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let doc = parse(&out.stdout);
        let queries: Vec<&str> =
            doc["results"].as_array().unwrap().iter().filter_map(|r| r["query"].as_str()).collect();
        assert_eq!(queries, ["?- ancestor(ann, X).", "?- why ancestor(ann, cat).", "?- why not ancestor(dan, ann)."]);
    }

    #[test]
    fn jsonl_prints_one_object_per_answer() {
        let out = because().args(["run", "queries.kb", "--format", "jsonl"]).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<serde_json::Value> = text.lines().map(|l| parse(l.as_bytes())).collect();
        let answers = lines.iter().filter(|l| l["query"] == "?- ancestor(ann, X).").count();
        assert_eq!(answers, 3, "{text}");
        assert!(lines.iter().all(|l| l["query"].is_string()), "{text}");
    }

    #[test]
    fn check_prints_diagnostics() {
        let out = because().args(["check", "check_error.kb", "--format", "json"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let doc = parse(&out.stdout);
        let codes: Vec<&str> =
            doc["diagnostics"].as_array().unwrap().iter().filter_map(|d| d["code"].as_str()).collect();
        assert!(codes.contains(&"check::undefined_predicate"), "{codes:?}");
        assert_eq!(doc["diagnostics"][0]["at"]["file"], "check_error.kb");
    }

    /// Issue 9's acceptance: a query piped to bare `because` runs over the shipped knowledge base.
    #[test]
    fn piped_query_over_the_shipped_knowledge_base() {
        let out =
            because().args(["--format", "json"]).write_stdin("?- endured(rok_us_alliance, P).\n").output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let doc = parse(&out.stdout);
        assert_eq!(doc["results"][0]["query"], "?- endured(rok_us_alliance, P).");
        assert!(doc["results"][0]["count"].as_u64().unwrap_or(0) > 0);
        assert!(out.stderr.is_empty(), "the shipped knowledge base's warnings are not shown");
    }
}

mod pipes {
    //! A reader that stops early is not an error.

    use super::*;

    #[test]
    fn broken_pipe_exits_quietly() {
        let mut child = Command::new(env!("CARGO_BIN_EXE_because"))
            .args(["run", "big.kb", "--format", "tsv"])
            .current_dir(data_dir())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        assert_eq!(first, "X\n", "tsv has no query lines: the header comes first");
        drop(stdout);
        let mut stderr = String::new();
        child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "stderr: {stderr}");
        assert!(stderr.is_empty(), "stderr: {stderr}");
    }
}

mod files {
    //! Files the binary writes, and what it generates from its own definition.

    use super::*;

    #[test]
    fn draft_writes_a_skeleton_that_checks() {
        let dir = tempfile::tempdir().unwrap();
        let doc = dir.path().join("my essay.txt");
        std::fs::copy(data_dir().join("essay.txt"), &doc).unwrap();
        let out = dir.path().join("essay.kb");
        because().args(["draft".as_ref(), doc.as_os_str(), "-o".as_ref(), out.as_os_str()]).assert().code(0).stdout("");
        let kb = std::fs::read_to_string(&out).unwrap();
        assert!(kb.contains("source my_essay \"The Alliance at Seventy\" file \"my essay.txt\"."), "{kb}");
        assert!(kb.contains("% [3] Growth averaged 2.5 percent a year!\n"), "{kb}");
        // The skeleton loads, and a fact citing one of its sentences passes the quote check.
        let mut file = std::fs::OpenOptions::new().append(true).open(&out).unwrap();
        writeln!(file, "grew(economy, 2.5) cite my_essay \"Growth averaged 2.5 percent a year\".").unwrap();
        because().args(["check".as_ref(), out.as_os_str()]).assert().code(0).stderr("");
        let leftovers: Vec<_> =
            std::fs::read_dir(dir.path()).unwrap().filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
        assert_eq!(leftovers.len(), 2, "no temporary file is left: {leftovers:?}");
    }

    #[test]
    fn draft_never_clobbers_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("keep.kb");
        std::fs::write(&out, "p(a).\n").unwrap();
        because()
            .args(["draft".as_ref(), "no_such_document.txt".as_ref(), "-o".as_ref(), out.as_os_str()])
            .assert()
            .code(2);
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "p(a).\n");
        let missing_dir = dir.path().join("no/such/dir/out.kb");
        because()
            .args(["draft".as_ref(), "essay.txt".as_ref(), "-o".as_ref(), missing_dir.as_os_str()])
            .assert()
            .code(2);
    }

    #[test]
    fn draft_refuses_to_replace_a_file_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("mine.kb");
        std::fs::write(&out, "hand_written(a).\n").unwrap();
        let args = ["draft".as_ref(), "essay.txt".as_ref(), "-o".as_ref(), out.as_os_str()];
        let refused = because().args(args).output().unwrap();
        assert_eq!(refused.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&refused.stderr).contains("exists: pass --force"), "{refused:?}");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "hand_written(a).\n");
        because().args(args).arg("--force").assert().code(0);
        assert!(std::fs::read_to_string(&out).unwrap().starts_with("% A draft written by `because draft`"));
    }

    /// A data file larger than the loader's read buffer is read in pieces: every row is loaded
    /// with its own line (as `why` cites it), and a bad row far into the file is still shown
    /// at its line.
    #[test]
    fn a_large_data_file_keeps_its_rows_and_lines() {
        let dir = tempfile::tempdir().unwrap();
        let rows: Vec<String> = (0..60_000).map(|i| format!("{i}\tname_{i}")).collect();
        std::fs::write(dir.path().join("big.tsv"), rows.join("\n")).unwrap();
        let prog = dir.path().join("prog.kb");
        std::fs::write(&prog, "load p from \"big.tsv\".\n?- C = count : { p(_, _) }.\n?- why p(59999, name_59999).\n")
            .unwrap();
        let out = because().current_dir(dir.path()).args(["run", "--quiet", "prog.kb"]).assert().code(0);
        let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
        assert!(stdout.contains("60000\n"), "{stdout}");
        assert!(stdout.contains("p(59999, name_59999)  fact (big.tsv:60000)"), "{stdout}");
        let mut bad = rows;
        bad[49_999] = "oops".into();
        std::fs::write(dir.path().join("big.tsv"), bad.join("\n")).unwrap();
        let out = because().current_dir(dir.path()).args(["run", "prog.kb"]).assert().code(2);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(
            stderr.contains(
                "big.tsv:50000:1: error[load::bad_row]: `big.tsv` line 50000: 1 field where earlier lines have 2"
            ),
            "{stderr}"
        );
        assert!(stderr.contains("50000 | oops"), "{stderr}");
    }

    #[test]
    fn a_piped_repl_records_no_history() {
        let dir = tempfile::tempdir().unwrap();
        let history = dir.path().join("history");
        because()
            .arg("repl")
            .env("BECAUSE_HISTORY", &history)
            .write_stdin("endured(rok_us_alliance, P).\n")
            .assert()
            .code(0);
        assert!(!history.exists(), "piped input is a script, not history");
    }

    #[test]
    fn completions_and_man_page() {
        for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
            let out = because().args(["completions", shell]).output().unwrap();
            assert_eq!(out.status.code(), Some(0));
            let text = String::from_utf8(out.stdout).unwrap();
            assert!(text.contains("because") && text.contains("format"), "{shell}: {text}");
        }
        let out = because().arg("man").output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert!(String::from_utf8(out.stdout).unwrap().contains(".TH because"));
    }

    #[test]
    fn help_documents_exit_codes_and_formats() {
        let out = because().arg("--help").output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let help = String::from_utf8(out.stdout).unwrap();
        for needle in ["Exit codes:", "0  answers found", "1  no answers", "2  an error", "jsonl", "--fail-on-empty"] {
            assert!(help.contains(needle), "`{needle}` missing from --help:\n{help}");
        }
        // The limits' defaults, in --help and in the man page.
        let man = String::from_utf8(because().arg("man").output().unwrap().stdout).unwrap();
        for needle in ["default: 60", "default: half the machine", "piped `because repl` exits 2"] {
            assert!(help.contains(needle), "`{needle}` missing from --help:\n{help}");
            assert!(man.contains(needle.split('`').next().unwrap_or(needle)), "`{needle}` missing from the man page");
        }
        let run_help = String::from_utf8(because().args(["run", "--help"]).output().unwrap().stdout).unwrap();
        assert!(run_help.contains("--param <NAME=VALUE>"), "{run_help}");
    }
}

mod theories {
    //! `use NAME.` finds a local theory file (beside the file, then in `theories/` folders up
    //! the tree) or a shipped theory, from any folder.

    use super::*;

    #[test]
    fn the_theory_is_used_from_another_folder_by_absolute_path() {
        let dir = tempfile::tempdir().unwrap();
        let case = dir.path().join("nested").join("mine.kb");
        std::fs::create_dir_all(case.parent().unwrap()).unwrap();
        // An invented case with no aid facts: the theory's declarations make `aid` empty.
        std::fs::write(
            &case,
            "use alliance_theory.\nkind alliance.\nalliance pact \"An invented pact\" @ 2000.. .\n\
             actor a \"A (invented)\".\nactor b \"B (invented)\".\n\
             member(pact, a).\nmember(pact, b).\ncommon_threat(pact, b).\n\
             ?- formation_factor(pact, F).\n",
        )
        .unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_because"))
            .args(["run", "--format", "tsv"])
            .arg(&case)
            .current_dir(elsewhere.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
        assert!(stderr.is_empty(), "no warning or error: {stderr}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "F\nexternal_threat\n");
    }

    #[test]
    fn an_unknown_theory_is_a_located_error() {
        let dir = tempfile::tempdir().unwrap();
        let case = dir.path().join("mine.kb");
        std::fs::write(&case, "use aliance_theory.\n").unwrap();
        let out = because().arg("check").arg(&case).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr.contains("mine.kb:1:5: error[load::unknown_theory]"), "{stderr}");
        assert!(stderr.contains("did you mean `alliance_theory`?"), "{stderr}");
        // What was searched, in order: beside the file, then `theories/` folders up the tree.
        let beside = dir.path().join("aliance_theory.kb");
        let up = dir.path().join("theories").join("aliance_theory.kb");
        let listed = format!("looked for `{}`, `{}`", beside.display(), up.display());
        assert!(stderr.contains(&listed), "{stderr}");
        assert!(stderr.contains("then among the shipped theories (alliance_theory)"), "{stderr}");
    }

    /// Runs `because run --format tsv FILE` from an unrelated folder.
    fn run_elsewhere(file: &std::path::Path) -> (Option<i32>, String, String) {
        let elsewhere = tempfile::tempdir().unwrap();
        let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_because"))
            .args(["run", "--format", "tsv"])
            .arg(file)
            .current_dir(elsewhere.path())
            .output()
            .unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    }

    #[test]
    fn a_local_theory_is_found_up_the_tree_and_beside_wins() {
        let dir = tempfile::tempdir().unwrap();
        let case = dir.path().join("cases").join("deep").join("mine.kb");
        std::fs::create_dir_all(case.parent().unwrap()).unwrap();
        std::fs::create_dir_all(dir.path().join("theories")).unwrap();
        std::fs::write(
            dir.path().join("theories").join("pairs.kb"),
            "pred p(x: entity).
pair(X) :- p(X).
",
        )
        .unwrap();
        std::fs::write(
            &case,
            "use pairs.
p(a).
?- pair(X).
",
        )
        .unwrap();
        // Two folders up, by absolute path, from another folder.
        let (code, stdout, stderr) = run_elsewhere(&case);
        assert_eq!((code, stdout.as_str(), stderr.as_str()), (Some(0), "X\na\n", ""));
        // A `pairs.kb` beside the file comes first.
        std::fs::write(
            case.with_file_name("pairs.kb"),
            "pred p(x: entity).
pair(X) :- p(X), X != a.
",
        )
        .unwrap();
        let (code, stdout, _) = run_elsewhere(&case);
        assert_eq!((code, stdout.as_str()), (Some(0), "X\n"), "no answer: the theory beside the file was read");
    }

    #[test]
    fn a_local_theory_of_a_shipped_name_is_read_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let case = dir.path().join("mine.kb");
        std::fs::write(
            dir.path().join("alliance_theory.kb"),
            "mine(X) :- q(X).
q(b).
",
        )
        .unwrap();
        std::fs::write(
            &case,
            "use alliance_theory.
?- mine(X).
",
        )
        .unwrap();
        let (code, stdout, stderr) = run_elsewhere(&case);
        assert_eq!((code, stdout.as_str()), (Some(0), "X\nb\n"), "{stderr}");
        assert!(stderr.contains("mine.kb:1:5: warning[load::shadowed_theory]"), "{stderr}");
        assert!(stderr.contains("not the shipped theory `alliance_theory`"), "{stderr}");
    }
}

mod memory {
    //! `--max-memory`: the budget that replaced the default fact count. Figures in the message
    //! depend on the storage layout, so these check what it must say, not every byte.

    use super::*;

    #[test]
    fn a_runaway_stops_at_an_explicit_budget() {
        let out = because().args(["run", "runaway.kb", "--max-memory", "1M", "--timeout", "0"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.starts_with(
                "runaway.kb:3:1: error[eval::memory]: stopped at the memory budget of 1.0 MiB in stratum 1 (n/1), round "
            ),
            "{stderr}"
        );
        // What the relations hold is reported, and is near the budget: a round is charged
        // before it stores its facts, and a vector that grows past the budget is caught after it.
        let held = stderr.split("the relations hold ").nth(1).and_then(|rest| rest.split(" MiB (n/1 ").next());
        let held: f64 = held.and_then(|h| h.parse().ok()).unwrap_or_else(|| panic!("{stderr}"));
        assert!((0.9..=1.25).contains(&held), "{stderr}");
        assert!(stderr.contains(" MiB (n/1 ") && stderr.contains(" MiB in "), "{stderr}");
        assert!(stderr.contains("help: raise the budget with --max-memory SIZE"), "{stderr}");
    }

    #[test]
    fn the_fact_count_is_still_an_option_and_no_budget_is_zero() {
        let out = because()
            .args(["run", "runaway.kb", "--max-memory", "0", "--max-facts", "1000", "--timeout", "0"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("error[eval::max_facts]: stopped after deriving 1001 facts"), "{stderr}");
    }

    #[test]
    fn sizes_take_binary_units_and_nonsense_is_refused() {
        for ok in ["64M", "64MiB", "0.5G", "1048576", "2 gb"] {
            let out = because().args(["run", "chain.kb", "--max-memory", ok]).output().unwrap();
            assert_eq!(out.status.code(), Some(0), "{ok}: {}", String::from_utf8_lossy(&out.stderr));
        }
        let out = because().args(["run", "chain.kb", "--max-memory", "lots"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr.contains("`lots` is not a size"), "{stderr}");
    }

    #[test]
    fn help_documents_the_budget() {
        let out = because().arg("--help").output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("--max-memory <SIZE>"), "{stdout}");
        assert!(stdout.contains("half the machine's memory"), "{stdout}");
    }
}
