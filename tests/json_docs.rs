//! `docs/json.md` is the contract for every JSON format the tool prints. This test reads its
//! tables (each marked `<!-- schema: NAME -->`), runs the real binary, and checks every
//! document it prints against them: a key the tool prints that no table documents fails, a
//! `required` key that is missing fails, and a documented field that no output exercises
//! fails too (the page would document something the tool no longer prints). The page's
//! `$ because ...` examples (marked `<!-- example: NAME -->`) are run and compared verbatim;
//! `UPDATE_EXPECT=1` rewrites them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value as Json;

const DOC: &str = "docs/json.md";

// ---------------------------------------------------------------------------------------------
// The tables

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Key(String),
    /// `[]`: each element of an array.
    Elem,
    /// `*`: the value of each key of a map.
    Any,
}

#[derive(Debug, Clone, PartialEq)]
enum Ty {
    Str,
    Int,
    Num,
    Bool,
    Null,
    Obj,
    Arr,
    Lit(Json),
    Ref(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Presence {
    Required,
    Optional,
    Each,
    /// Present exactly when the sibling key holds one of these strings.
    When(String, Vec<String>),
}

#[derive(Debug, Clone)]
struct Field {
    /// The path as written in the table, for messages and coverage.
    text: String,
    path: Vec<Seg>,
    types: Vec<Ty>,
    presence: Presence,
}

/// One documented example: the schema its output follows, whether each line is a document,
/// the command line, the documented output, and where the block sits in the page.
#[derive(Debug, Clone)]
struct Example {
    schema: String,
    per_line: bool,
    args: Vec<String>,
    output: String,
    /// Line indices of the block's `$ because` line and closing fence.
    command_line: usize,
    fence_end: usize,
}

#[derive(Debug, Default)]
struct Doc {
    schemas: BTreeMap<String, Vec<Field>>,
    examples: Vec<Example>,
}

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read_doc() -> (String, Doc) {
    let text = std::fs::read_to_string(manifest().join(DOC)).expect("docs/json.md exists");
    let doc = parse_doc(&text).unwrap_or_else(|e| panic!("{DOC}: {e}"));
    (text, doc)
}

fn parse_doc(text: &str) -> Result<Doc, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut doc = Doc::default();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if let Some(name) = marker(line, "schema") {
            let (fields, next) = parse_table(&lines, i + 1).map_err(|e| format!("schema `{name}`: {e}"))?;
            if doc.schemas.insert(name.to_string(), fields).is_some() {
                return Err(format!("schema `{name}` is defined twice"));
            }
            i = next;
            continue;
        }
        if let Some(spec) = marker(line, "example") {
            let (schema, per_line) = match spec.strip_suffix(" per line") {
                Some(s) => (s, true),
                None => (spec, false),
            };
            let example = parse_example(&lines, i + 1, schema, per_line)?;
            i = example.fence_end + 1;
            doc.examples.push(example);
            continue;
        }
        i += 1;
    }
    Ok(doc)
}

/// `<!-- KIND: VALUE -->`.
fn marker<'a>(line: &'a str, kind: &str) -> Option<&'a str> {
    line.strip_prefix("<!--")?.strip_suffix("-->")?.trim().strip_prefix(kind)?.strip_prefix(':').map(str::trim)
}

fn parse_table(lines: &[&str], mut i: usize) -> Result<(Vec<Field>, usize), String> {
    while i < lines.len() && lines[i].trim().is_empty() {
        i += 1;
    }
    let header = cells(lines.get(i).ok_or("no table")?);
    if header != ["path", "type", "presence", "meaning"] {
        return Err(format!("the table's header is {header:?}, not path | type | presence | meaning"));
    }
    i += 2; // the header and the |---| line
    let mut fields = Vec::new();
    while i < lines.len() && lines[i].trim_start().starts_with('|') {
        let row = cells(lines[i]);
        let [path, ty, presence, meaning] = row.as_slice() else {
            return Err(format!("line {}: a row has {} cells, not 4", i + 1, row.len()));
        };
        if meaning.is_empty() {
            return Err(format!("line {}: `{path}` has no meaning", i + 1));
        }
        let text = path.trim_matches('`').to_string();
        fields.push(Field {
            path: parse_path(&text).map_err(|e| format!("line {}: {e}", i + 1))?,
            types: parse_types(ty).map_err(|e| format!("line {}: {e}", i + 1))?,
            presence: parse_presence(presence).map_err(|e| format!("line {}: {e}", i + 1))?,
            text,
        });
        i += 1;
    }
    if fields.is_empty() {
        return Err("the table has no rows".into());
    }
    Ok((fields, i))
}

fn cells(line: &str) -> Vec<String> {
    let line = line.trim();
    let inner = line.strip_prefix('|').and_then(|l| l.strip_suffix('|')).unwrap_or(line);
    inner.split('|').map(|c| c.trim().to_string()).collect()
}

/// `a`, `a.b`, `a[]`, `a[][]`, `a[].b`, `a.*`, or `.` (the value itself).
fn parse_path(text: &str) -> Result<Vec<Seg>, String> {
    if text == "." {
        return Ok(Vec::new());
    }
    let mut segs = Vec::new();
    for part in text.split('.') {
        if part == "*" {
            segs.push(Seg::Any);
            continue;
        }
        let key = part.trim_end_matches("[]");
        let valid = key.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err(format!("`{text}` is not a path"));
        }
        segs.push(Seg::Key(key.to_string()));
        for _ in 0..(part.len() - key.len()) / 2 {
            segs.push(Seg::Elem);
        }
    }
    Ok(segs)
}

/// `string or null`, `"base", "derived" or "folded"`, `[place](#place) or null`, `1`.
fn parse_types(text: &str) -> Result<Vec<Ty>, String> {
    let mut out = Vec::new();
    for token in text.replace(" or ", ",").split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let ty = match token {
            "string" => Ty::Str,
            "integer" => Ty::Int,
            "number" => Ty::Num,
            "boolean" => Ty::Bool,
            "null" => Ty::Null,
            "object" => Ty::Obj,
            "array" => Ty::Arr,
            t if t.starts_with('"') => Ty::Lit(serde_json::from_str(t).map_err(|_| format!("bad literal {t}"))?),
            t if t.parse::<i64>().is_ok() => Ty::Lit(serde_json::from_str(t).map_err(|e| e.to_string())?),
            t => {
                // [name](#name)
                let name = t
                    .strip_prefix('[')
                    .and_then(|r| r.split_once("](#"))
                    .and_then(|(name, anchor)| (anchor.strip_suffix(')') == Some(name)).then_some(name));
                Ty::Ref(name.ok_or_else(|| format!("unknown type `{t}`"))?.to_string())
            }
        };
        out.push(ty);
    }
    if out.is_empty() {
        return Err(format!("no type in `{text}`"));
    }
    Ok(out)
}

/// `required`, `optional`, `each`, `if kind is "a" or "b"`.
fn parse_presence(text: &str) -> Result<Presence, String> {
    Ok(match text {
        "required" => Presence::Required,
        "optional" => Presence::Optional,
        "each" => Presence::Each,
        t => {
            let (key, values) = t
                .strip_prefix("if ")
                .and_then(|r| r.split_once(" is "))
                .ok_or_else(|| format!("unknown presence `{t}`"))?;
            let values = values
                .replace(" or ", ",")
                .split(',')
                .map(|v| serde_json::from_str::<String>(v.trim()).map_err(|_| format!("bad value {v} in `{t}`")))
                .collect::<Result<Vec<_>, _>>()?;
            Presence::When(key.to_string(), values)
        }
    })
}

fn parse_example(lines: &[&str], mut i: usize, schema: &str, per_line: bool) -> Result<Example, String> {
    while i < lines.len() && lines[i].trim().is_empty() {
        i += 1;
    }
    if lines.get(i).map(|l| l.trim()) != Some("```console") {
        return Err(format!("line {}: an example is a ```console block", i + 1));
    }
    let command_line = i + 1;
    let command = lines.get(command_line).and_then(|l| l.strip_prefix("$ because "));
    let args = shell_words(command.ok_or_else(|| format!("line {}: the block starts with `$ because`", i + 2))?)?;
    let mut end = command_line + 1;
    while end < lines.len() && lines[end] != "```" {
        end += 1;
    }
    if end == lines.len() {
        return Err(format!("line {}: the block is not closed", i + 1));
    }
    let output: String = lines[command_line + 1..end].iter().map(|l| format!("{l}\n")).collect();
    Ok(Example { schema: schema.to_string(), per_line, args, output, command_line, fence_end: end })
}

/// Words separated by spaces; `'...'` quotes (no escapes: the examples need none).
fn shell_words(s: &str) -> Result<Vec<String>, String> {
    let (mut words, mut word, mut quoted, mut any) = (Vec::new(), String::new(), false, false);
    for c in s.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    words.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    if quoted {
        return Err(format!("unclosed quote in `{s}`"));
    }
    if any {
        words.push(word);
    }
    Ok(words)
}

// ---------------------------------------------------------------------------------------------
// Validation

/// Documented fields that some output exercised: (schema, path).
type Seen = BTreeSet<(String, String)>;

struct Validator<'a> {
    schemas: &'a BTreeMap<String, Vec<Field>>,
}

impl Validator<'_> {
    /// Checks `v` against the schema `name`; returns the problems found.
    fn check(&self, name: &str, v: &Json, loc: &str, seen: &mut Seen) -> Vec<String> {
        let Some(fields) = self.schemas.get(name) else {
            return vec![format!("{loc}: no schema `{name}` in {DOC}")];
        };
        if let Some(root) = fields.iter().find(|f| f.path.is_empty()) {
            seen.insert((name.to_string(), root.text.clone()));
            return self.check_types(name, &[], &root.types, v, loc, seen);
        }
        if !v.is_object() {
            return vec![format!("{loc}: expected a `{name}` object, found {v}")];
        }
        self.check_object(name, &[], v, loc, seen)
    }

    /// Whether `v` is of the JSON kind `ty` names (without looking inside).
    fn kind_matches(&self, ty: &Ty, v: &Json) -> bool {
        match ty {
            Ty::Str => v.is_string(),
            Ty::Int => v.is_i64() || v.is_u64(),
            Ty::Num => v.is_number(),
            Ty::Bool => v.is_boolean(),
            Ty::Null => v.is_null(),
            Ty::Obj => v.is_object(),
            Ty::Arr => v.is_array(),
            Ty::Lit(l) => v == l,
            Ty::Ref(name) => match self.schemas.get(name).and_then(|f| f.iter().find(|f| f.path.is_empty())) {
                Some(root) => root.types.iter().any(|t| self.kind_matches(t, v)),
                None => v.is_object(),
            },
        }
    }

    fn check_types(&self, name: &str, at: &[Seg], types: &[Ty], v: &Json, loc: &str, seen: &mut Seen) -> Vec<String> {
        let mut best: Option<(Vec<String>, Seen)> = None;
        for ty in types.iter().filter(|t| self.kind_matches(t, v)) {
            let mut local = Seen::new();
            let errors = match ty {
                Ty::Obj => self.check_object(name, at, v, loc, &mut local),
                Ty::Arr => self.check_array(name, at, v, loc, &mut local),
                Ty::Ref(r) => self.check(r, v, loc, &mut local),
                _ => Vec::new(),
            };
            if errors.is_empty() {
                seen.extend(local);
                return Vec::new();
            }
            if best.as_ref().is_none_or(|(b, _)| errors.len() < b.len()) {
                best = Some((errors, local));
            }
        }
        match best {
            Some((errors, _)) => errors,
            None => vec![format!("{loc}: expected {types:?}, found {v}")],
        }
    }

    fn check_object(&self, name: &str, at: &[Seg], v: &Json, loc: &str, seen: &mut Seen) -> Vec<String> {
        let obj = v.as_object().expect("kind checked");
        let fields = &self.schemas[name];
        let children: Vec<&Field> =
            fields.iter().filter(|f| f.path.len() == at.len() + 1 && f.path.starts_with(at)).collect();
        let child = |key: &str| {
            children
                .iter()
                .find(|f| f.path.last() == Some(&Seg::Key(key.to_string())))
                .or_else(|| children.iter().find(|f| f.path.last() == Some(&Seg::Any)))
        };
        let mut errors = Vec::new();
        for (key, value) in obj {
            let here = format!("{loc}.{key}");
            match child(key) {
                None => errors.push(format!("{here}: `{key}` is printed but not documented in `{name}` ({DOC})")),
                Some(f) => {
                    seen.insert((name.to_string(), f.text.clone()));
                    errors.extend(self.check_types(name, &f.path, &f.types, value, &here, seen));
                }
            }
        }
        for f in &children {
            let Some(Seg::Key(key)) = f.path.last() else { continue };
            let present = obj.contains_key(key);
            match &f.presence {
                Presence::Required if !present => {
                    errors.push(format!("{loc}: required `{}` of `{name}` is missing", f.text));
                }
                Presence::When(tag, values) => {
                    let applies = obj.get(tag).and_then(Json::as_str).is_some_and(|t| values.iter().any(|v| v == t));
                    if applies != present {
                        errors.push(format!(
                            "{loc}: `{}` of `{name}` must be present exactly when {tag} is {values:?} ({tag} is {})",
                            f.text,
                            obj.get(tag).unwrap_or(&Json::Null)
                        ));
                    }
                }
                _ => {}
            }
        }
        errors
    }

    fn check_array(&self, name: &str, at: &[Seg], v: &Json, loc: &str, seen: &mut Seen) -> Vec<String> {
        let items = v.as_array().expect("kind checked");
        let mut elem_path = at.to_vec();
        elem_path.push(Seg::Elem);
        let Some(elem) = self.schemas[name].iter().find(|f| f.path == elem_path) else {
            return vec![format!("{loc}: the elements of this array are not documented in `{name}`")];
        };
        if !items.is_empty() {
            seen.insert((name.to_string(), elem.text.clone()));
        }
        let mut errors = Vec::new();
        for (i, item) in items.iter().enumerate() {
            errors.extend(self.check_types(name, &elem.path, &elem.types, item, &format!("{loc}[{i}]"), seen));
        }
        errors
    }
}

/// Validates `text` (one document, or one per line) against `schema`; panics with every
/// problem found.
fn validate(doc: &Doc, schema: &str, text: &str, per_line: bool, what: &str, seen: &mut Seen) {
    let v = Validator { schemas: &doc.schemas };
    let docs: Vec<&str> = if per_line { text.lines().collect() } else { vec![text] };
    assert!(!docs.is_empty() && !text.trim().is_empty(), "{what}: printed nothing");
    let mut errors = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        let json: Json = serde_json::from_str(d).unwrap_or_else(|e| panic!("{what}: not JSON ({e}):\n{d}"));
        let loc = if per_line { format!("line {}", i + 1) } else { "$".to_string() };
        errors.extend(v.check(schema, &json, &loc, seen));
    }
    assert!(errors.is_empty(), "{what} does not match `{schema}` in {DOC}:\n  {}\n{text}", errors.join("\n  "));
}

// ---------------------------------------------------------------------------------------------
// Real outputs

/// A knowledge base that exercises every field: citations and doc comments, a label, a
/// negation, a comparison, an aggregate, a temporal fact, facts from a data file, and
/// predicates for each kind of `why not`.
/// Invented figures: a graded and an ungraded source that disagree, a denial that holds.
const CONSTRAINTS: &str = r#"source a "Report A" grade B2.
source b "Report B".
pred troops(sender, host, number: number) dated key(sender, host).
troops(x, y, 100) @ 1990..1999 cite a "100 in the 1990s".
troops(x, y, 300) @ 1995 cite b "300 in 1995".
[no_big] never "more than 200 troops" :- troops(S, H, N) @ _, N > 200.
"#;

const KB: &str = r#"source notes "Field notes".
link(a, b) cite notes "a links to b".
link(b, c) cite notes "b links to c".
link(c, d).
%% Everything starts at a.
reach(a).
%% What a reachable node links to is reachable too.
[step] reach(Y) :- reach(X), link(X, Y).
blocked(d).
open(X) :- reach(X), not blocked(X), X != a.
top(X) :- open(X) cite notes "whatever is open is on top".
fanout(X, N) :- link(X, _), N = count : { link(X, _) }, N > 0.
aid(us, rok, 2.5e9) @ 1954..1971.
load weight from "weight.tsv".
heavy(X) :- weight(X, W), W > 10.
far(X) :- open(X), link(X, _).
far(X) :- open(X), link(_, X).
"#;

/// The same, with queries for `run`: answers, a proof, a `why not`, and a query that fails.
const RUN: &str = r#"include "kb.kb".
?- reach(X).
?- reach(a).
?- why open(b).
?- why not top(e).
?- fanout(X, N), Y = N / 0.
"#;

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("kb.kb"), KB).unwrap();
        std::fs::write(dir.path().join("weight.tsv"), "a\t12\nb\t3\n").unwrap();
        std::fs::write(dir.path().join("run.kb"), RUN).unwrap();
        std::fs::write(
            dir.path().join("decl.kb"),
            "%% Aid given.\npred aid(giver: actor, amount: number) dated.\np(a).\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("whatif.kb"), include_str!("data/cli/whatif.kb")).unwrap();
        std::fs::write(dir.path().join("constraints.kb"), CONSTRAINTS).unwrap();
        std::fs::write(dir.path().join("bad.kb"), "p(a).\nq(X) :- p(X), p(Z).\np(a, b).\n").unwrap();
        Fixture { dir }
    }

    /// Runs `because ARGS` in the fixture's directory; returns stdout and the exit code.
    fn run(&self, args: &[&str]) -> (String, i32) {
        run_in(self.dir.path(), args)
    }
}

fn run_in(dir: &Path, args: &[&str]) -> (String, i32) {
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_because"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (String::from_utf8(out.stdout).unwrap(), out.status.code().unwrap_or(-1))
}

/// Every output the tool prints as JSON, with the schema it follows: (schema, per line,
/// arguments, expected exit code).
const OUTPUTS: &[(&str, bool, &[&str], i32)] = &[
    // Answers.
    ("answers", false, &["query", "-f", "kb.kb", "fanout(X, N)", "--format", "json"], 0),
    ("answers", false, &["query", "-f", "kb.kb", "aid(A, B, M) @ T", "--format", "json"], 0),
    ("answers", false, &["query", "-f", "kb.kb", "reach(a)", "--format", "json"], 0),
    ("answers", false, &["query", "-f", "kb.kb", "reach(z)", "--format", "json"], 1),
    ("answer-line", true, &["query", "-f", "kb.kb", "aid(A, B, M) @ T", "--format", "jsonl"], 0),
    ("answer-line", true, &["query", "-f", "kb.kb", "link(X, Y), reach(Y)", "--format", "jsonl"], 0),
    ("holds-line", true, &["query", "-f", "kb.kb", "reach(a)", "--format", "jsonl"], 0),
    ("holds-line", true, &["query", "-f", "kb.kb", "reach(z)", "--format", "jsonl"], 1),
    // The run document, with every kind of result.
    ("run", false, &["run", "run.kb", "--format", "json"], 2),
    // Proofs: base facts with citations, doc comments and intervals, from data files;
    // derived facts with every kind of premise; folded sub-proofs; several proofs.
    ("proof", false, &["query", "-f", "kb.kb", "why open(X)", "--format", "json"], 0),
    ("proof", false, &["query", "-f", "kb.kb", "why fanout(a, N)", "--format", "json"], 0),
    ("proof", false, &["query", "-f", "kb.kb", "why aid(us, rok, M)", "--format", "json"], 0),
    ("proof", false, &["query", "-f", "kb.kb", "why heavy(X)", "--format", "json"], 0),
    ("proof", false, &["query", "-f", "kb.kb", "why top(X)", "--format", "json", "--depth", "1"], 0),
    ("proof", false, &["query", "-f", "kb.kb", "why reach(d)", "--format", "json", "--proofs", "2"], 0),
    ("proof", false, &["query", "-f", "kb.kb", "why reach(z)", "--format", "json"], 1),
    ("proof", true, &["query", "-f", "kb.kb", "why reach(X)", "--format", "jsonl", "--limit", "2"], 0),
    // Why not: a failing derived premise (recursing), a blocked negation, a base predicate
    // (closest facts), an atom that holds after all.
    ("proof", false, &["query", "-f", "kb.kb", "why not top(e)", "--format", "json"], 0),
    ("proof", false, &["query", "-f", "kb.kb", "why not open(d)", "--format", "json"], 0),
    ("proof", false, &["query", "-f", "kb.kb", "why not link(a, z)", "--format", "json"], 0),
    ("proof", false, &["query", "-f", "kb.kb", "why not far(d)", "--format", "json"], 0),
    ("proof", false, &["query", "-f", "kb.kb", "why not reach(a)", "--format", "json"], 1),
    // Diagnostics: a warning, an error with a note, a problem with no place.
    ("check", false, &["check", "bad.kb", "--format", "json"], 2),
    ("check", false, &["check", "kb.kb", "--format", "json"], 0),
    ("check", false, &["check", "missing.kb", "--format", "json"], 2),
    // Violations of a denial and of a key, proved from graded sources.
    ("check", false, &["check", "constraints.kb", "--format", "json"], 0),
    ("diagnostic", true, &["check", "bad.kb", "--format", "jsonl"], 2),
    // Predicates: a declared one (with a doc) and an undeclared one.
    ("describe", false, &["describe", "-f", "decl.kb", "--format", "json"], 0),
    ("describe", false, &["describe", "-f", "constraints.kb", "--format", "json"], 0),
    // Weighing the evidence: a what-if (select and why), what a conclusion rests on.
    (
        "what-if",
        false,
        &[
            "query",
            "-f",
            "whatif.kb",
            "--without-source",
            "other",
            "--with",
            "edge(a, z)",
            "reach(a, X)",
            "--format",
            "json",
        ],
        0,
    ),
    (
        "what-if-proof",
        false,
        &["query", "-f", "whatif.kb", "--without", "edge(b, _)", "why reach(a, b)", "--format", "json"],
        0,
    ),
    ("support", false, &["support", "-f", "whatif.kb", "reach(a, d)", "--format", "json"], 0),
    // Graded and ungraded sources.
    ("support", false, &["support", "-f", "constraints.kb", "troops(x, y, N) @ T", "--format", "json"], 0),
];

fn check_outputs(schemas: &[&str]) -> Seen {
    let (_, doc) = read_doc();
    let fixture = Fixture::new();
    let mut seen = Seen::new();
    let mut checked = 0;
    for &(schema, per_line, args, code) in OUTPUTS.iter().filter(|o| schemas.contains(&o.0)) {
        let (stdout, got) = fixture.run(args);
        let what = format!("`because {}`", args.join(" "));
        assert_eq!(got, code, "{what}: exit code\n{stdout}");
        validate(&doc, schema, &stdout, per_line, &what, &mut seen);
        checked += 1;
    }
    assert!(checked > 0, "no outputs for {schemas:?}");
    seen
}

#[test]
fn evidence_matches_the_documented_schema() {
    check_outputs(&["what-if", "what-if-proof", "support"]);
}

#[test]
fn answers_match_the_documented_schema() {
    check_outputs(&["answers"]);
}

#[test]
fn jsonl_answers_match_the_documented_schema() {
    check_outputs(&["answer-line", "holds-line"]);
}

#[test]
fn the_run_document_matches_the_documented_schema() {
    let seen = check_outputs(&["run"]);
    // Each kind of result appeared.
    for schema in ["answers", "proof", "run-error"] {
        assert!(seen.iter().any(|(s, _)| s == schema), "`run` printed no `{schema}`");
    }
}

#[test]
fn why_proofs_match_the_documented_schema() {
    let seen = check_outputs(&["proof"]);
    for kind in ["fact", "absent", "test", "aggregate"] {
        let field = match kind {
            "fact" => "node",
            "absent" => "atom",
            "test" => "text",
            _ => "total",
        };
        assert!(seen.contains(&("premise".into(), field.into())), "no `{kind}` premise was checked");
    }
}

#[test]
fn why_not_matches_the_documented_schema() {
    let (_, doc) = read_doc();
    let fixture = Fixture::new();
    let (stdout, _) = fixture.run(&["query", "-f", "kb.kb", "why not open(d)", "--format", "json"]);
    validate(&doc, "proof", &stdout, false, "why not open(d)", &mut Seen::new());
    let json: Json = serde_json::from_str(&stdout).unwrap();
    let blocker = json["why_not"]["rules"][0]["blocked_by"].as_u64().expect("a blocked negation") as usize;
    assert_eq!(json["nodes"][blocker]["fact"]["text"], "blocked(d)");
}

#[test]
fn describe_matches_the_documented_schema() {
    check_outputs(&["describe"]);
}

#[test]
fn check_diagnostics_match_the_documented_schema() {
    check_outputs(&["check", "diagnostic"]);
}

#[test]
fn every_documented_field_is_printed_somewhere() {
    let (_, doc) = read_doc();
    let all: Vec<&str> = OUTPUTS.iter().map(|o| o.0).collect();
    let seen = check_outputs(&all);
    let mut missing = Vec::new();
    for (name, fields) in &doc.schemas {
        for f in fields {
            if !seen.contains(&(name.clone(), f.text.clone())) {
                missing.push(format!("{name}: {}", f.text));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{DOC} documents fields that no output printed (stale docs, or add an output to OUTPUTS):\n  {}",
        missing.join("\n  ")
    );
}

// ---------------------------------------------------------------------------------------------
// The page itself

#[test]
fn the_tables_are_consistent() {
    let (_, doc) = read_doc();
    let expected = [
        "answer-line",
        "answers",
        "argument",
        "check",
        "citation",
        "describe",
        "diagnostic",
        "fact",
        "holds-line",
        "interval",
        "node",
        "note",
        "place",
        "predicate",
        "premise",
        "proof",
        "rule",
        "rule-failure",
        "run",
        "run-error",
        "support",
        "value",
        "violation",
        "what-if",
        "what-if-changes",
        "what-if-proof",
        "why-not",
    ];
    assert_eq!(doc.schemas.keys().map(String::as_str).collect::<Vec<_>>(), expected);
    for (name, fields) in &doc.schemas {
        for f in fields {
            // Every reference names a table.
            for t in &f.types {
                if let Ty::Ref(r) = t {
                    assert!(doc.schemas.contains_key(r), "{name}.{}: no table `{r}`", f.text);
                }
            }
            // A nested path's parent is documented, as an object, array or map.
            if f.path.len() > 1 {
                let parent = &f.path[..f.path.len() - 1];
                let p = fields.iter().find(|g| g.path == parent);
                let p = p.unwrap_or_else(|| panic!("{name}.{}: its parent is not documented", f.text));
                let needs = match f.path.last() {
                    Some(Seg::Elem) => Ty::Arr,
                    _ => Ty::Obj,
                };
                assert!(p.types.contains(&needs), "{name}.{}: the parent `{}` is not {needs:?}", f.text, p.text);
            }
            // Element rows say `each`; key rows do not.
            let is_elem = matches!(f.path.last(), Some(Seg::Elem | Seg::Any));
            assert_eq!(is_elem, f.presence == Presence::Each, "{name}.{}: presence {:?}", f.text, f.presence);
            // Every array's elements are documented.
            if f.types.contains(&Ty::Arr) {
                let mut elem = f.path.clone();
                elem.push(Seg::Elem);
                assert!(fields.iter().any(|g| g.path == elem), "{name}.{}: its elements are not documented", f.text);
            }
        }
    }
    // Every document carries the version this page documents.
    for name in ["answers", "run", "proof", "check"] {
        let version = doc.schemas[name].iter().find(|f| f.text == "version");
        assert_eq!(
            version.map(|f| f.types.clone()),
            Some(vec![Ty::Lit(Json::from(because::output::JSON_VERSION))]),
            "`{name}` documents `version` as {}",
            because::output::JSON_VERSION
        );
    }
}

#[test]
fn the_validator_rejects_what_the_tables_do_not_allow() {
    let (_, doc) = read_doc();
    let v = Validator { schemas: &doc.schemas };
    let good = serde_json::json!({"version": 1, "query": "p(X)", "columns": ["X"], "rows": [["a"]], "count": 1});
    assert!(v.check("answers", &good, "$", &mut Seen::new()).is_empty());
    let mut extra = good.clone();
    extra["surprise"] = Json::from(true);
    let errors = v.check("answers", &extra, "$", &mut Seen::new());
    assert!(errors[0].contains("`surprise` is printed but not documented"), "{errors:?}");
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("count");
    assert!(v.check("answers", &missing, "$", &mut Seen::new())[0].contains("required `count`"));
    let mut wrong = good.clone();
    wrong["rows"][0][0] = serde_json::json!({"start": 1990});
    assert!(!v.check("answers", &wrong, "$", &mut Seen::new()).is_empty(), "an interval has both ends");
    let mut version = good;
    version["version"] = Json::from(2);
    assert!(!v.check("answers", &version, "$", &mut Seen::new()).is_empty());
    // Fields tied to a kind appear exactly with it.
    let node = serde_json::json!({
        "fact": {"text": "p(a)", "pred": "p", "args": ["a"], "interval": null},
        "kind": "folded",
        "location": "f.kb:1"
    });
    assert!(v.check("node", &node, "$", &mut Seen::new())[0].contains("`location` of `node` must be present exactly"));
}

#[test]
fn the_examples_are_real_outputs() {
    let (text, doc) = read_doc();
    assert!(doc.examples.len() >= 8, "{DOC} has {} examples", doc.examples.len());
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut failures = Vec::new();
    // Later blocks first, so that line numbers of earlier ones stay valid while rewriting.
    for ex in doc.examples.iter().rev() {
        let args: Vec<&str> = ex.args.iter().map(String::as_str).collect();
        let (stdout, _) = run_in(manifest(), &args);
        let what = format!("example `because {}`", ex.args.join(" "));
        validate(&doc, &ex.schema, &stdout, ex.per_line, &what, &mut Seen::new());
        if stdout != ex.output {
            if update {
                let new: Vec<String> = stdout.lines().map(str::to_string).collect();
                lines.splice(ex.command_line + 1..ex.fence_end, new);
            } else {
                failures.push(what);
            }
        }
    }
    if update {
        let mut out = lines.join("\n");
        out.push('\n');
        std::fs::write(manifest().join(DOC), out).unwrap();
    }
    assert!(
        failures.is_empty(),
        "{DOC}: these examples no longer print what the page shows (rerun with UPDATE_EXPECT=1 and review the diff):\n  {}",
        failures.join("\n  ")
    );
}
