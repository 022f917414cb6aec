//! Editor support files (`editors/`): the TextMate grammar knows exactly the keywords the
//! parser knows, and the VS Code extension points at files that exist and starts `because lsp`.

use std::path::Path;

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read_json(path: &str) -> Value {
    let text = std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The quoted words of one rule of the pest grammar (`keyword = @{ ... }`).
fn pest_words(rule: &str) -> Vec<String> {
    let grammar = std::fs::read_to_string(root().join("grammar/because.pest")).unwrap();
    let start = grammar.find(&format!("\n{rule} = ")).unwrap_or_else(|| panic!("rule `{rule}` in the grammar"));
    let text = &grammar[start + 1..];
    // A rule ends at the first line that closes it (multi-line rules end with `}` alone).
    let end = if text.lines().next().unwrap().trim_end().ends_with('{') {
        text.find("\n}").unwrap()
    } else {
        text.find('\n').unwrap()
    };
    let mut words: Vec<String> = text[..end].split('"').skip(1).step_by(2).map(str::to_string).collect();
    words.sort();
    words
}

/// The alternatives of a TextMate rule's `\b(?:a|b|c)\b` match.
fn textmate_words(grammar: &Value, rule: &str) -> Vec<String> {
    let re = grammar["repository"][rule]["match"].as_str().unwrap_or_else(|| panic!("rule `{rule}`"));
    let inner = &re[re.find("(?:").unwrap() + 3..];
    let inner = &inner[..inner.find(')').unwrap()];
    let mut words: Vec<String> = inner.split('|').map(str::to_string).collect();
    words.sort();
    words
}

const GRAMMAR: &str = "editors/vscode/syntaxes/because.tmLanguage.json";

#[test]
fn textmate_keywords_are_the_parsers() {
    let grammar = read_json(GRAMMAR);
    let keywords = pest_words("keyword");
    assert!(keywords.len() > 10, "{keywords:?}");
    assert_eq!(textmate_words(&grammar, "keywords"), keywords);
    for k in &keywords {
        assert!(because::syntax::is_keyword(k), "`{k}` is a keyword of the grammar but not of syntax::is_keyword");
    }
    assert_eq!(textmate_words(&grammar, "aggregates"), pest_words("agg_func"));
    assert_eq!(textmate_words(&grammar, "functions"), pest_words("func_name"));
    assert_eq!(textmate_words(&grammar, "tests"), pest_words("test_name"));
    // The parser's list of functions is the library's.
    let mut names: Vec<String> = because::ast::Func::ALL.iter().map(|f| f.name().to_string()).collect();
    names.sort();
    assert_eq!(names, pest_words("func_name"));
}

#[test]
fn textmate_grammar_is_whole() {
    let grammar = read_json(GRAMMAR);
    assert_eq!(grammar["scopeName"], "source.because");
    // Every included rule exists.
    let repository = grammar["repository"].as_object().unwrap();
    for p in grammar["patterns"].as_array().unwrap() {
        let name = p["include"].as_str().unwrap().trim_start_matches('#');
        assert!(repository.contains_key(name), "#{name} is in the repository");
    }
}

#[test]
fn vscode_extension_starts_the_server() {
    let manifest = read_json("editors/vscode/package.json");
    let language = &manifest["contributes"]["languages"][0];
    assert_eq!(language["extensions"][0], ".kb");
    let grammar = &manifest["contributes"]["grammars"][0];
    assert_eq!(grammar["scopeName"], "source.because");
    for file in [
        grammar["path"].as_str().unwrap(),
        language["configuration"].as_str().unwrap(),
        manifest["main"].as_str().unwrap(),
    ] {
        let path = root().join("editors/vscode").join(file);
        assert!(path.is_file(), "{} exists", path.display());
    }
    assert_eq!(root().join("editors/vscode").join(grammar["path"].as_str().unwrap()), root().join(GRAMMAR));
    read_json("editors/vscode/language-configuration.json");
    let script = std::fs::read_to_string(root().join("editors/vscode/extension.js")).unwrap();
    assert!(script.contains("args: ['lsp']"), "the extension runs `because lsp`");
}
