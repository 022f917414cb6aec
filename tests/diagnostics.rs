//! The registry of diagnostic codes (`src/diag/codes.rs`) against the code: every code raised
//! in `src/` is registered with the right severity, every registered code is raised somewhere,
//! and `docs/diagnostics.md` is the page generated from the registry (`UPDATE_EXPECT=1`
//! rewrites it).

use std::collections::BTreeMap;
use std::path::Path;

use because::diag::codes::{CODES, markdown};

/// The namespaces of real codes. Doc examples use made-up codes (`c`, `e::x`, `check::w`)
/// only in comments, which the scan skips.
const STAGES: &[&str] =
    &["load", "parse", "check", "query", "api", "eval", "explain", "graph", "session", "evidence", "cli", "repl"];

/// Every `"stage::name"` string literal outside comments, with whether it is raised as a
/// warning (`Diagnostic::warning(` just before it).
fn raised_codes() -> BTreeMap<String, bool> {
    let mut found = BTreeMap::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || path.ends_with("diag/codes.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code_only: String = text
                .lines()
                .map(|l| if l.trim_start().starts_with("//") { "" } else { l })
                .collect::<Vec<_>>()
                .join("\n");
            for (at, _) in code_only.match_indices('"') {
                let rest = &code_only[at + 1..];
                let Some(end) = rest.find('"') else { continue };
                let literal = &rest[..end];
                let Some((stage, name)) = literal.split_once("::") else { continue };
                let is_name = |s: &str| {
                    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit())
                };
                if !STAGES.contains(&stage) || !is_name(name) {
                    continue;
                }
                let before = &code_only[at.saturating_sub(60)..at];
                let warning = before.trim_end().trim_end_matches(char::is_whitespace).ends_with("warning(");
                let entry = found.entry(literal.to_string()).or_insert(false);
                *entry |= warning;
            }
        }
    }
    found
}

#[test]
fn every_raised_code_is_registered_with_its_severity() {
    let raised = raised_codes();
    assert!(raised.len() > 40, "the scan found too few codes: {raised:?}");
    let mut problems = Vec::new();
    for (code, warning) in &raised {
        match CODES.iter().find(|c| c.code == code) {
            None => problems.push(format!("`{code}` is raised but not in src/diag/codes.rs")),
            Some(info) if *warning && info.severity == "error" => {
                problems.push(format!("`{code}` is raised as a warning but registered as {}", info.severity))
            }
            Some(_) => {}
        }
    }
    for info in CODES {
        if !raised.contains_key(info.code) {
            problems.push(format!("`{}` is registered but raised nowhere in src/", info.code));
        }
        if info.severity != "error" && raised.get(info.code) == Some(&false) {
            problems.push(format!("`{}` is registered as {} but never raised as a warning", info.code, info.severity));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn registry_has_no_duplicates_and_descriptions_are_sentences() {
    for (i, info) in CODES.iter().enumerate() {
        assert!(CODES[..i].iter().all(|c| c.code != info.code), "`{}` is registered twice", info.code);
        assert!(info.description.ends_with('.'), "`{}`: end the description with a period", info.code);
        assert!(
            matches!(info.severity, "error" | "warning" | "error or warning"),
            "`{}`: severity {}",
            info.code,
            info.severity
        );
    }
}

#[test]
fn docs_diagnostics_page_is_generated_from_the_registry() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md");
    let expected = markdown();
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/diagnostics.md is out of date: run `UPDATE_EXPECT=1 cargo test --test diagnostics`"
    );
}
