//! `docs/modeling.md` works as written: every `$ because ...` command of its `console` blocks
//! runs from the repository's root and prints what the block shows (stderr then stdout, as on
//! a terminal).

use std::path::Path;
use std::process::Command;

/// The `console` blocks of a markdown text: (command, expected output).
fn console_blocks(text: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("```console\n") {
        let body = &rest[start + "```console\n".len()..];
        let end = body.find("```").expect("a console block is closed");
        let (first, output) = body[..end].split_once('\n').expect("a console block has a command line");
        let command = first.strip_prefix("$ ").expect("a console block starts with `$ `");
        blocks.push((command.to_string(), output.to_string()));
        rest = &body[end + 3..];
    }
    blocks
}

#[test]
fn every_command_of_the_modelling_guide_runs_as_shown() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("docs/modeling.md")).expect("docs/modeling.md");
    let blocks = console_blocks(&text);
    assert!(blocks.len() >= 5, "the guide has {} commands", blocks.len());
    let mut failures = Vec::new();
    for (command, expected) in blocks {
        let args = command.strip_prefix("because ").expect("every command runs `because`");
        let shell = format!("\"{}\" {args} 2>&1", env!("CARGO_BIN_EXE_because"));
        let out = Command::new("sh").arg("-c").arg(&shell).current_dir(root).env("NO_COLOR", "1").output().unwrap();
        let actual = String::from_utf8_lossy(&out.stdout);
        if actual != expected {
            failures.push(format!("$ {command}\n--- expected\n{expected}--- actual\n{actual}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
