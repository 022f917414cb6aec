//! Inputs that once crashed a fuzz target (or sit on a boundary the fuzzers probe), kept in
//! `tests/regressions/` and run the way their target runs them. Each input `<target>-<name>.<ext>`
//! has `<name>.<ext>.expect` beside it: the error codes it must produce, one a line, or `ok`.
//! A panic fails the test like any other mismatch. Targets are those of `fuzz/fuzz_targets/`:
//! `parse`, `check`, `eval`, `table`, `why`, `repl`. Rendering is part of each run, as in the
//! targets.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use because::ast::QueryKind;
use because::diag::Diagnostics;
use because::eval::Limits;
use because::explain::WhyOptions;
use because::kb::KnowledgeBase;
use because::load::{self, Format, read_table};
use because::output;
use because::source::SourceMap;
use because::value::Interner;
use because::{check, syntax};

/// The fixed knowledge base of the `why` target (`fuzz/fuzz_targets/why.rs`).
const WHY_KB: &str = include_str!("../fuzz/why_base.kb");

fn small_limits() -> Limits {
    // No timeout: an outcome must not depend on the machine's speed; the fact limit bounds
    // every kept input.
    Limits { timeout: None, max_facts: Some(10_000), cancel: None }
}

fn codes(diags: &Diagnostics) -> Vec<String> {
    diags.0.iter().filter(|d| d.is_error()).map(|d| d.code.to_string()).collect()
}

/// Runs `bytes` through `target` as its fuzz target does (a `table` input is CSV when its
/// extension is `csv`); the error codes it produced.
fn outcome(target: &str, ext: &str, bytes: &[u8]) -> Vec<String> {
    match target {
        "parse" => {
            let text = match load::decode(bytes.to_vec(), "input", None) {
                Ok(text) => text,
                Err(d) => return vec![d.code.to_string()],
            };
            let mut sources = SourceMap::default();
            let file = sources.add("input".into(), None, Arc::from(text.as_str()));
            let (_, diags) = syntax::parse_module(file, &text);
            let _ = diags.render(&sources, false, true);
            codes(&diags)
        }
        "check" => {
            let text = String::from_utf8_lossy(bytes);
            let (module, parsed) = syntax::parse_module(because::ast::FileId(0), &text);
            let (_, checked) = check::check(&[module], Vec::new(), &mut Interner::default());
            codes(&parsed).into_iter().chain(codes(&checked)).collect()
        }
        "eval" => {
            let text = String::from_utf8_lossy(bytes);
            let mut kb = KnowledgeBase::new(small_limits());
            let report = match kb.load_str("input", &text, None) {
                Ok(r) => r,
                Err(e) => {
                    let _ = kb.render(&e.diagnostics, false, true);
                    return codes(&e.diagnostics);
                }
            };
            let mut out = Vec::new();
            for i in report.queries.clone() {
                let q = kb.queries()[i].clone();
                let result = match q.kind {
                    QueryKind::Select => kb.answer(&q).map(|_| ()),
                    _ => kb.explain(&q, &WhyOptions { limit: Some(3), ..WhyOptions::default() }).map(|e| {
                        let _ = e.render(output::Format::Table, false);
                    }),
                };
                if let Err(e) = result {
                    out.extend(codes(&e.diagnostics));
                }
            }
            out
        }
        "table" => {
            let format = if ext == "csv" { Format::Csv } else { Format::Tsv };
            match read_table(bytes, "input", false, &mut Interner::default(), format) {
                Ok(_) => Vec::new(),
                Err(e) => vec![e.code.to_string()],
            }
        }
        "why" => {
            let mut kb = KnowledgeBase::new(small_limits());
            kb.load_str("fixed.kb", WHY_KB, None).expect("the fixed knowledge base loads");
            let text = String::from_utf8_lossy(bytes);
            let q = match kb.parse_query(&text) {
                Ok(q) => q,
                Err(e) => return codes(&e.diagnostics),
            };
            let result = match q.kind {
                QueryKind::Select => kb.answer(&q).map(|_| ()),
                _ => kb.explain(&q, &WhyOptions { limit: Some(5), proofs: 2, ..WhyOptions::default() }).map(|e| {
                    let _ = e.render(output::Format::Table, false);
                    let _ = e.render(output::Format::Json, false);
                    let _ = e.render_dot();
                }),
            };
            result.err().map(|e| codes(&e.diagnostics)).unwrap_or_default()
        }
        "repl" => {
            // As `fuzz/fuzz_targets/repl.rs`: each line typed at the prompt of a session over
            // the `why` target's knowledge base; the outcome is the codes of the errors shown.
            let mut kb = KnowledgeBase::new(small_limits());
            kb.load_str("fixed.kb", WHY_KB, None).expect("the fixed knowledge base loads");
            let text = String::from_utf8_lossy(bytes);
            let lines: Vec<&str> = text.lines().collect();
            let shown = because::repl::handle_in_memory(kb, &lines);
            shown.split("error[").skip(1).filter_map(|rest| rest.split_once(']')).map(|(c, _)| c.to_string()).collect()
        }
        other => panic!("unknown target `{other}`"),
    }
}

#[test]
fn every_kept_input_has_its_exact_outcome() {
    let dir = Path::new("tests/regressions");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none_or(|x| x != "expect"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty());
    let mut failures = Vec::new();
    for input in &inputs {
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        let target = name.split('-').next().unwrap_or_default();
        let expect_path = dir.join(format!("{name}.expect"));
        let expected = std::fs::read_to_string(&expect_path)
            .unwrap_or_else(|_| panic!("{} has no {}", input.display(), expect_path.display()));
        let ext = input.extension().and_then(|e| e.to_str()).unwrap_or_default();
        let got = outcome(target, ext, &std::fs::read(input).unwrap());
        let got = if got.is_empty() { "ok".to_string() } else { got.join("\n") };
        if got != expected.trim_end() {
            failures.push(format!("{name}: expected\n{expected}\ngot\n{got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Inputs too large or too odd to keep as files (a 70,000-character value, 10,000 chained
/// includes, a closed stdout), generated here and run through the real binary.
mod generated {
    use std::path::Path;
    use std::process::{Command, Output, Stdio};

    fn because(dir: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_because"));
        cmd.current_dir(dir).args(args).env("BECAUSE_HISTORY", "").env("NO_COLOR", "1");
        cmd
    }

    fn run(dir: &Path, args: &[&str]) -> Output {
        because(dir, args).stdin(Stdio::null()).output().expect("the binary runs")
    }

    /// Runs with `input` piped to stdin (a REPL session), to the end.
    fn run_with_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Output {
        use std::io::Write as _;
        let mut child =
            because(dir, args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        child.wait_with_output().unwrap()
    }

    /// A process that ended by itself with `code`, whatever the stream says.
    fn assert_code(out: &Output, code: i32) {
        assert_eq!(
            out.status.code(),
            Some(code),
            "stdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout).chars().take(2000).collect::<String>(),
            String::from_utf8_lossy(&out.stderr).chars().take(2000).collect::<String>()
        );
    }

    /// Issue 20, item 1: values of 65,536 characters or more in every aligned table.
    #[test]
    fn long_values_in_aligned_tables() {
        let dir = tempfile::tempdir().unwrap();
        let long = "x".repeat(70_000);
        std::fs::write(dir.path().join("t.tsv"), format!("{long}\tb\n")).unwrap();
        std::fs::write(
            dir.path().join("k.kb"),
            format!("load t from \"t.tsv\".\nactor {long} \"{long}\".\nknows({long}, b).\n"),
        )
        .unwrap();
        let out = run(dir.path(), &["query", "-f", "k.kb", "t(X, Y)"]);
        assert_code(&out, 0);
        assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("{long} │ b")));
        let out = run(dir.path(), &["graph", "-f", "k.kb", "--central"]);
        assert_code(&out, 0);
        assert!(String::from_utf8_lossy(&out.stdout).contains(&long));
        let out = run_with_stdin(dir.path(), &["repl", "k.kb"], b":entities\n:preds\n");
        assert_code(&out, 0);
        assert_eq!(String::from_utf8_lossy(&out.stdout).matches(&long).count(), 2, "name and label");
    }

    /// Issue 20, item 2: a chain of 10,000 includes loads (no recursion on the main stack).
    #[test]
    fn a_long_include_chain() {
        let dir = tempfile::tempdir().unwrap();
        let n = 10_000;
        for i in 0..n {
            let next = if i + 1 < n { format!("include \"f{}.kb\".\n", i + 1) } else { String::new() };
            std::fs::write(dir.path().join(format!("f{i}.kb")), format!("p({i}).\n{next}")).unwrap();
        }
        let out = run(dir.path(), &["query", "-f", "f0.kb", "--format", "tsv", "p(9999)"]);
        assert_code(&out, 0);
        assert_eq!(String::from_utf8_lossy(&out.stdout), "true\n");
    }

    /// Issue 20, item 3: a timeout too long to be an instant is no limit, not a panic.
    #[test]
    fn a_timeout_past_the_end_of_time() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("k.kb"), "p(a).\n").unwrap();
        let out = run(dir.path(), &["query", "-f", "k.kb", "--timeout", "1e19", "--format", "tsv", "p(X)"]);
        assert_code(&out, 0);
        assert_eq!(String::from_utf8_lossy(&out.stdout), "X\na\n");
        let out = run_with_stdin(dir.path(), &["--timeout", "1e19", "repl", "k.kb"], b"p(X).\n");
        assert_code(&out, 0);
        assert!(String::from_utf8_lossy(&out.stdout).contains("(1 answer)"));
    }

    /// Issue 20, item 4: the REPL with a closed stdout ends quietly (exit 0); a failed write
    /// (`> /dev/full`, `2> /dev/full`) is an error (exit 2); neither panics.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_repl_with_a_closed_or_full_output() {
        use std::io::Write as _;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("k.kb"), "p(a).\np(b).\n").unwrap();
        let queries = "p(X).\n".repeat(2_000);
        // stdout read by nobody: the pipe's reader is closed before the REPL writes.
        let mut repl = because(dir.path(), &["repl", "k.kb"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(repl.stdout.take());
        let mut stdin = repl.stdin.take().unwrap();
        let _ = stdin.write_all(queries.as_bytes());
        drop(stdin);
        let out = repl.wait_with_output().unwrap();
        assert_code(&out, 0);
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
        for (stdout, stderr, input) in [(true, false, "p(X).\n"), (false, true, "zz(X).\n")] {
            let full = || Stdio::from(std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap());
            let mut cmd = because(dir.path(), &["repl", "k.kb"]);
            cmd.stdin(Stdio::piped());
            cmd.stdout(if stdout { full() } else { Stdio::piped() });
            cmd.stderr(if stderr { full() } else { Stdio::piped() });
            let mut repl = cmd.spawn().unwrap();
            repl.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
            let out = repl.wait_with_output().unwrap();
            assert_code(&out, 2);
        }
    }
    /// Issue 20, item 19: control and bidi characters from data are escaped in tables, proofs,
    /// the entity graph and diagnostics; the machine formats keep the text as it is.
    #[test]
    fn terminal_escapes_from_data_are_escaped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.tsv"), "a\x1b]0;pwned\x07\tb\u{202e}c\r\n").unwrap();
        std::fs::write(dir.path().join("k.kb"), "load t from \"t.tsv\".\nq(X, Y) :- t(X, Y).\n").unwrap();
        std::fs::write(dir.path().join("bad.kb"), "p(\"\x1b[2J\x07\" b).\n").unwrap();
        let raw = |b: &[u8]| {
            b.iter().any(|&c| c == 0x1b || c == 0x07 || c == b'\r') || String::from_utf8_lossy(b).contains('\u{202e}')
        };
        for args in [
            &["query", "-f", "k.kb", "q(X, Y)"][..],
            &["query", "-f", "k.kb", "why q(X, Y)"],
            &["graph", "-f", "k.kb", "--central"],
            &["check", "bad.kb"],
        ] {
            let out = run(dir.path(), args);
            assert!(!raw(&out.stdout) && !raw(&out.stderr), "{args:?}: {out:?}");
            let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
            assert!(text.contains("\\u{1b}"), "{args:?}: {text}");
        }
        let out = run(dir.path(), &["query", "-f", "k.kb", "--format", "tsv", "q(X, Y)"]);
        assert!(out.stdout.contains(&0x1b), "TSV keeps the data as it is");
        // In colour, the styles are real escapes and the data's are still escaped.
        let out = run(dir.path(), &["query", "-f", "k.kb", "--color", "always", "why q(X, Y)"]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("\x1b[1m") && text.contains("\\u{1b}]0;") && !text.contains("\x1b]0;"), "{text:?}");
    }
    /// Issue 20, item 23: a document that is a directory or not UTF-8 is reported as what it
    /// is, not as a missing file; invalid UTF-8 in a `.kb` file is located by line and column;
    /// a NUL in a source line is escaped.
    #[test]
    fn documents_and_bytes_reported_as_they_are() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("folder")).unwrap();
        std::fs::write(dir.path().join("latin1.txt"), b"caf\xe9\n").unwrap();
        std::fs::write(
            dir.path().join("k.kb"),
            "source a \"A\" file \"folder\".\nsource b \"B\" file \"latin1.txt\".\np(x) cite a \"q\".\n",
        )
        .unwrap();
        let out = run(dir.path(), &["check", "k.kb"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("cannot read `folder`: it is a directory"), "{err}");
        assert!(err.contains("`latin1.txt` is not UTF-8 text: invalid byte 0xe9 at line 1, column 4"), "{err}");
        assert!(!err.contains("no such file"), "{err}");
        std::fs::write(dir.path().join("bad.kb"), b"p(a).\np(\xff).\n").unwrap();
        let out = run(dir.path(), &["check", "bad.kb"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("invalid byte 0xff at line 2, column 3"), "{err}");
        std::fs::write(dir.path().join("nul.kb"), b"p(\"a\0b\" c).\n").unwrap();
        let out = run(dir.path(), &["check", "nul.kb"]);
        assert_code(&out, 2);
        assert!(!out.stderr.contains(&0) && String::from_utf8_lossy(&out.stderr).contains("\\u{0}"), "{out:?}");
    }
    /// Issue 20, item 22: a second Ctrl-C does not end a REPL that holds unsaved assertions.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_second_ctrl_c_keeps_unsaved_work() {
        use std::io::{BufRead as _, Write as _};
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("k.kb"), "p(a).\n").unwrap();
        let mut repl = because(dir.path(), &["repl", "k.kb"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = repl.stdin.take().unwrap();
        let mut stdout = std::io::BufReader::new(repl.stdout.take().unwrap());
        stdin.write_all(b":assert q(z).\n").unwrap();
        stdin.flush().unwrap();
        // Waits for the answer, so the assertion is in before the signals.
        let mut line = String::new();
        while !line.contains("asserted") {
            line.clear();
            assert!(stdout.read_line(&mut line).unwrap() > 0, "the REPL ended early");
        }
        for _ in 0..2 {
            let status = Command::new("kill").args(["-INT", &repl.id().to_string()]).status().unwrap();
            assert!(status.success());
        }
        stdin.write_all(b":save saved.kb\n:quit\n").unwrap();
        drop(stdin);
        let status = repl.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{status:?}");
        assert!(std::fs::read_to_string(dir.path().join("saved.kb")).unwrap().ends_with("\nq(z).\n"));
    }
    /// Issue 20, item 7: repeated diagnostics are capped: 2,000 duplicate facts print 100
    /// warnings and a count of the rest.
    #[test]
    fn repeated_diagnostics_are_capped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("dup.kb"), "p(a).\n".repeat(2_001)).unwrap();
        let out = run(dir.path(), &["check", "dup.kb"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.matches("warning[check::duplicate_fact]").count(), 100, "{err}");
        assert!(err.contains("… and 1900 more [check::duplicate_fact]"), "{err}");
    }
}

/// Issue 20, item 5: an endless input stops at the cap (one byte past it), not after reading
/// all there is: the bounded reader that files, documents and stdin share.
#[test]
fn endless_input_stops_at_the_cap() {
    use std::io::Read as _;
    let mut counted = 0usize;
    let endless = std::io::repeat(b'p').take(u64::MAX).inspect_bytes(&mut counted);
    let err = load::read_bounded(endless, 4096).expect_err("more than the cap");
    assert_eq!(err.kind(), std::io::ErrorKind::FileTooLarge);
    assert!(counted <= 4096 + 8192, "read {counted} bytes for a cap of 4096");
    assert_eq!(load::read_bounded(&b"p(a).\n"[..], 6).unwrap(), b"p(a).\n");
    #[cfg(target_os = "linux")]
    {
        let dir = tempfile::tempdir().unwrap();
        let err = load::read_path(dir.path()).expect_err("a directory");
        assert_eq!(err.kind(), std::io::ErrorKind::IsADirectory);
    }
}

/// Counts the bytes a reader hands out.
trait InspectBytes: Sized {
    fn inspect_bytes(self, counted: &mut usize) -> Counted<'_, Self>;
}

impl<R: std::io::Read> InspectBytes for R {
    fn inspect_bytes(self, counted: &mut usize) -> Counted<'_, R> {
        Counted { inner: self, counted }
    }
}

struct Counted<'a, R> {
    inner: R,
    counted: &'a mut usize,
}

impl<R: std::io::Read> std::io::Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        *self.counted += n;
        Ok(n)
    }
}

/// Issue 20, item 21: a save follows a symlink, keeps the file's mode and its hard links,
/// refuses a target that is not a regular file, and removes the temporaries of a killed save.
#[cfg(target_os = "linux")]
#[test]
fn saves_follow_links_keep_modes_and_refuse_devices() {
    use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _, PermissionsExt as _};
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.kb");
    std::fs::write(&real, "p(a).\n").unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
    let link = dir.path().join("link.kb");
    std::os::unix::fs::symlink("real.kb", &link).unwrap();
    let hard = dir.path().join("hard.kb");
    std::fs::hard_link(&real, &hard).unwrap();
    // A temporary left by a save killed long ago (no process has this id).
    let stale = dir.path().join(".real.kb.4194304999.0.tmp");
    std::fs::write(&stale, "half a sess").unwrap();
    KnowledgeBase::save_atomically(&link, "p(b).\n").unwrap();
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link stays a link");
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "p(b).\n");
    assert_eq!(std::fs::metadata(&real).unwrap().mode() & 0o777, 0o600, "the mode is kept");
    assert_eq!(std::fs::read_to_string(&hard).unwrap(), "p(b).\n", "the hard link sees the save");
    std::fs::remove_file(&hard).unwrap();
    KnowledgeBase::save_atomically(&real, "p(c).\n").unwrap();
    assert_eq!(std::fs::metadata(&real).unwrap().mode() & 0o777, 0o600);
    assert!(!stale.exists(), "the stale temporary is removed");
    // Not a regular file: refused, left as it was.
    let fifo = dir.path().join("fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let err = KnowledgeBase::save_atomically(&fifo, "p(d).\n").unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 3, "no temporary left: {names:?}");
}

/// Issue 20, item 22: Ctrl-C (the cancel flag) stops a load while it parses and checks, not
/// only while it evaluates; the knowledge base is left as it was.
#[test]
fn a_cancelled_load_stops_while_parsing() {
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut kb = KnowledgeBase::new(Limits { timeout: None, max_facts: None, cancel: Some(flag.clone()) });
    kb.load_str("a.kb", "p(a).\n", None).unwrap();
    flag.store(true, std::sync::atomic::Ordering::SeqCst);
    let text: String = (0..20_000).map(|i| format!("q({i}).\n")).collect();
    let err = kb.load_str("big.kb", &text, None).expect_err("cancelled");
    assert_eq!(codes(&err.diagnostics), ["load::cancelled"]);
    flag.store(false, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(kb.query("p(X)").unwrap().rows.len(), 1);
}

/// Issue 20, item 6: the fact limit holds inside a round: a cross product of 3,000 rows (9
/// million candidates in one round) stops near a limit of 1,000, narrow head or wide.
#[test]
fn the_fact_limit_holds_inside_a_round() {
    let rows: String = (0..3_000).map(|i| format!("a({i}).\n")).collect();
    for rule in ["pair(X, Y) :- a(X), a(Y).\n", "pair(X, Y, Z) :- a(X), a(Y), Z = X + Y.\n"] {
        let mut kb = KnowledgeBase::new(Limits { timeout: None, max_facts: Some(1_000), cancel: None });
        let err = kb.load_str("pairs.kb", &format!("{rows}{rule}"), None).expect_err("over the limit");
        assert_eq!(codes(&err.diagnostics), ["eval::max_facts"]);
        let message = &err.diagnostics.0[0].message;
        let derived: usize = message["stopped after deriving ".len()..].split(' ').next().unwrap().parse().unwrap();
        assert!((1_001..=2_000).contains(&derived), "{rule}: {message}");
    }
}

/// Issue 20, item 9: `graph --central` (quadratic in the entities) polls the limits: with the
/// cancel flag raised it stops with `eval::cancelled` instead of finishing.
#[test]
fn entity_ranking_polls_the_limits() {
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut kb = KnowledgeBase::new(Limits { timeout: None, max_facts: None, cancel: Some(flag.clone()) });
    let facts: String = (0..50).map(|i| format!("knows(e{i}, e{}).\n", i + 1)).collect();
    kb.load_str("chain.kb", &facts, None).unwrap();
    let request = because::graph::GraphRequest { central: true, ..Default::default() };
    assert!(because::graph::run(&kb, &request).is_ok());
    flag.store(true, std::sync::atomic::Ordering::SeqCst);
    let err = because::graph::run(&kb, &request).expect_err("cancelled");
    assert_eq!(err.code, "eval::cancelled");
}

#[test]
fn the_repl_runs_in_memory_as_its_fuzz_target_drives_it() {
    let shown = because::repl::handle_in_memory(
        KnowledgeBase::new(small_limits()),
        &[":assert p(a).", "p(X).", ":nope", "p(b", ":quit", "p(a)."],
    );
    assert!(shown.contains("(1 answer)"), "{shown}");
    assert!(shown.contains("unknown command `:nope`"), "{shown}");
    assert!(shown.contains("error[parse::unexpected]"), "{shown}");
    assert!(!shown.contains("true"), "nothing runs after `:quit`: {shown}");
}
