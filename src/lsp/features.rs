//! The editor features, each a function from an index (or the indexes of every open document)
//! and a position to the protocol's answer: hover, definition, references, completion,
//! document symbols, rename, and the code lenses that show a query's answer.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use lsp_types::{
    CodeLens, Command, CompletionItem, CompletionItemKind, CompletionList, CompletionResponse, DocumentSymbol,
    Documentation, Hover, HoverContents, Location, MarkupContent, MarkupKind, Position, PrepareRenameResponse, Range,
    SymbolKind, TextEdit, Uri, WorkspaceEdit,
};
use serde_json::Value as Json;

use crate::ast::{Expr, QueryKind, Statement};
use crate::output::Answers;
use crate::source::{FileId, Span};

use super::SHOW_ANSWER;
use super::index::{ANY_ARITY, Index, Role, Sym, SymRef};
use super::text::{path_to_uri, uri_to_path};

/// At most this many items of one kind in a completion list; the list is then incomplete and
/// the client asks again as the user types more.
const MAX_ITEMS: usize = 200;

/// A query of the document and what answering it gave.
#[derive(Debug, Clone)]
pub struct QueryReply {
    /// Byte range of the query in the document.
    pub start: usize,
    pub end: usize,
    /// One line for the code lens.
    pub summary: String,
    /// The whole answer, as `because run` prints it.
    pub text: String,
}

/// A reply for every query of the document, each saying why there is no answer.
pub fn unanswered(index: &Index, summary: &str, text: &str) -> Vec<QueryReply> {
    let Some(module) = index.module(index.root) else { return Vec::new() };
    module
        .statements
        .iter()
        .filter_map(|s| match s {
            Statement::Query(q) => Some(QueryReply {
                start: q.span.start as usize,
                end: q.span.end as usize,
                summary: summary.to_string(),
                text: text.to_string(),
            }),
            _ => None,
        })
        .collect()
}

/// A code lens's one line: the number of answers and the first of them.
pub fn summarize_answers(a: &Answers) -> String {
    if a.columns.is_empty() {
        return if a.holds() { "true".into() } else { "false".into() };
    }
    let n = a.rows.len();
    let mut out = format!("{n} answer{}", if n == 1 { "" } else { "s" });
    let shown: Vec<String> = a
        .rows
        .iter()
        .take(5)
        .map(|row| {
            let cells: Vec<String> = a.columns.iter().zip(row).map(|(c, v)| format!("{c} = {v}")).collect();
            cells.join(", ")
        })
        .collect();
    if !shown.is_empty() {
        out.push_str(": ");
        out.push_str(&shown.join("; "));
        if n > shown.len() {
            out.push_str("; …");
        }
    }
    out
}

fn offset(index: &Index, position: Position) -> usize {
    let text = index.text(index.root);
    index.lines(index.root).map_or(0, |l| l.offset(text, position))
}

fn range(index: &Index, span: Span) -> Range {
    let text = index.text(span.file);
    index.lines(span.file).map_or_else(Range::default, |l| l.range(text, span.start as usize, span.end as usize))
}

fn location(index: &Index, span: Span) -> Option<Location> {
    Some(Location { uri: path_to_uri(&index.path(span.file))?, range: range(index, span) })
}

/// `file.kb:12`, the file by its name only.
fn place(index: &Index, span: Span) -> String {
    let path = index.path(span.file);
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let (line, _) = index.sources.get(span.file).line_col(span.start);
    format!("{name}:{line}")
}

/// Whether the position is inside a query statement.
pub fn in_query(index: &Index, position: Position) -> bool {
    matches!(index.statement_at(index.root, offset(index, position)), Some(Statement::Query(_)))
}

/// The name at a position of the document.
pub fn sym_at(index: &Index, position: Position) -> Option<Sym> {
    index.sym_at(index.root, offset(index, position)).map(|(sym, _, _)| sym)
}

// ---------------------------------------------------------------------------------------------
// Hover

pub fn hover(index: &Index, position: Position, replies: &[QueryReply]) -> Option<Hover> {
    let at = offset(index, position);
    let stmt = index.statement_at(index.root, at);
    let mut out = String::new();
    let mut shown_range = None;
    if let Some((sym, span, role)) = index.sym_at(index.root, at) {
        shown_range = Some(range(index, span));
        describe(index, &sym, &mut out);
        // On a fact's predicate: the fact's own citations too.
        if role == Role::Fact {
            if let Some(stmt) = stmt {
                citations(index, stmt, &mut out);
            }
        }
    } else if let Some(Statement::Query(q)) = stmt {
        if let Some(r) = replies.iter().find(|r| r.start == q.span.start as usize) {
            let _ = write!(out, "**{}**\n\n```text\n{}\n```", r.summary, r.text.trim_end());
        }
        shown_range = Some(range(index, q.span));
    } else if let Some(stmt) = stmt {
        citations(index, stmt, &mut out);
    }
    if out.is_empty() {
        return None;
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: out }),
        range: shown_range,
    })
}

fn citations(index: &Index, stmt: &Statement, out: &mut String) {
    let cites = match stmt {
        Statement::Fact(f) => &f.cites,
        Statement::Entity(e) => &e.cites,
        Statement::Rule(r) => &r.cites,
        _ => return,
    };
    if cites.is_empty() {
        return;
    }
    out.push_str("\n\n---\n\nCited:");
    for c in cites {
        let title = source_decl(index, &c.source.name).map(|s| format!(" ({})", s.title)).unwrap_or_default();
        let _ = write!(out, "\n- `{}`{title}: “{}”", c.source.name, c.quote);
    }
}

fn source_decl<'a>(index: &'a Index, name: &str) -> Option<&'a crate::ast::SourceDecl> {
    statements(index).find_map(|(_, s)| match s {
        Statement::Source(d) if &*d.name.name == name => Some(d),
        _ => None,
    })
}

fn statements(index: &Index) -> impl Iterator<Item = (FileId, &Statement)> {
    index.modules.iter().flat_map(|m| m.statements.iter().map(move |s| (m.file, s)))
}

/// The markdown that describes a name.
fn describe(index: &Index, sym: &Sym, out: &mut String) {
    match sym {
        Sym::Pred(name, arity) => describe_pred(index, name, *arity, out),
        Sym::Entity(name) => {
            let decl = statements(index).find_map(|(_, s)| match s {
                Statement::Entity(e) if &*e.name.name == name => Some(e),
                _ => None,
            });
            match decl {
                Some(e) => {
                    let _ = write!(out, "**{name}**: {}", e.kind.name);
                    if let Some(label) = &e.label {
                        let _ = write!(out, " “{label}”");
                    }
                    if let Some((interval, _)) = &e.time {
                        let _ = write!(out, " @ {interval}");
                    }
                    let _ = write!(out, "\n\ndeclared at {}", place(index, e.span));
                    if let Some(doc) = &e.doc {
                        let _ = write!(out, "\n\n{doc}");
                    }
                }
                None => {
                    let uses = index.occurrences(sym).len();
                    let _ = write!(out, "**{name}**: entity (not declared), used {uses} time{}", plural(uses));
                }
            }
        }
        Sym::Source(name) => match source_decl(index, name) {
            Some(s) => {
                let _ = write!(out, "**{name}**: source “{}”", s.title);
                match &s.file {
                    Some((file, _)) => {
                        let _ = write!(out, "\n\ndocument: `{file}` (every quote citing it is checked against it)");
                    }
                    None => out.push_str("\n\nno document: its quotes are not checked"),
                }
                let _ = write!(out, "\n\ndeclared at {}", place(index, s.span));
            }
            None => {
                let _ = write!(out, "**{name}**: source (not declared)");
            }
        },
        Sym::Label(label) => {
            for (_, s) in statements(index) {
                let Statement::Rule(r) = s else { continue };
                if r.label.as_ref().is_some_and(|l| &*l.name == label) {
                    let _ = write!(out, "**[{label}]** rule for `{}/{}`", r.head.pred.name, r.head.args.len());
                    if let Some(doc) = &r.doc {
                        let _ = write!(out, "\n\n{doc}");
                    }
                    let _ = write!(
                        out,
                        "\n\n```because\n{}\n```\n\n{}",
                        index.sources.snippet(r.span),
                        place(index, r.span)
                    );
                    break;
                }
            }
        }
    }
}

fn describe_pred(index: &Index, name: &str, arity: usize, out: &mut String) {
    let sym = Sym::Pred(name.to_string(), arity);
    let (mut n_facts, mut n_entities, mut kind_decl, mut loads) = (0, 0, None, Vec::new());
    let mut rules = Vec::new();
    let mut fact_doc = None;
    for (_, s) in statements(index) {
        match s {
            Statement::Rule(r) if SymRef::Pred(&r.head.pred.name, r.head.args.len()).is(&sym) => rules.push(r),
            Statement::Fact(f) if SymRef::Pred(&f.atom.pred.name, f.atom.args.len()).is(&sym) => {
                n_facts += 1;
                if fact_doc.is_none() {
                    fact_doc = f.doc.as_deref();
                }
            }
            Statement::Entity(e) if arity == 1 && &*e.kind.name == name => n_entities += 1,
            Statement::Kind(k) if arity == 1 && &*k.name.name == name => kind_decl = Some(k.span),
            Statement::Load(l) if &*l.pred.name == name => loads.push(l),
            _ => {}
        }
    }
    let shown_arity = if arity == ANY_ARITY { "?".to_string() } else { arity.to_string() };
    let _ = write!(out, "**{name}/{shown_arity}**: predicate");
    if let Some(span) = kind_decl {
        let _ = write!(out, ", a kind of entity declared at {}", place(index, span));
    }
    let mut parts = Vec::new();
    if !rules.is_empty() {
        parts.push(format!("{} rule{}", rules.len(), plural(rules.len())));
    }
    if n_facts > 0 {
        parts.push(format!("{n_facts} fact{}", plural(n_facts)));
    }
    if n_entities > 0 {
        parts.push(format!("{n_entities} declared entit{}", if n_entities == 1 { "y" } else { "ies" }));
    }
    for l in &loads {
        parts.push(format!("rows of `{}`", l.path));
    }
    if parts.is_empty() {
        out.push_str("\n\nnot defined in these files");
    } else {
        let _ = write!(out, "\n\n{}", parts.join(", "));
    }
    if let Some(doc) = fact_doc.filter(|_| rules.is_empty()) {
        let _ = write!(out, "\n\n{doc}");
    }
    for r in rules.iter().take(10) {
        let label = r.label.as_ref().map(|l| format!("[{}] ", l.name)).unwrap_or_default();
        let _ = write!(out, "\n\n- {label}{}", place(index, r.span));
        if let Some(doc) = &r.doc {
            let _ = write!(out, ": {doc}");
        }
    }
    if rules.len() > 10 {
        let _ = write!(out, "\n\n- … {} more", rules.len() - 10);
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

// ---------------------------------------------------------------------------------------------
// Definition and references

/// A predicate's declarations and rules (its facts when it has neither), an entity's or a
/// source's declaration, a rule's label.
pub fn definition(index: &Index, position: Position) -> Option<Vec<Location>> {
    let sym = sym_at(index, position)?;
    let occurrences = index.occurrences(&sym);
    let pick = |roles: &[Role]| -> Vec<Span> {
        occurrences.iter().filter(|(_, r)| roles.contains(r)).map(|(s, _)| *s).take(1000).collect()
    };
    let mut spans = pick(&[Role::Decl, Role::Rule]);
    if spans.is_empty() {
        spans = pick(&[Role::Fact]);
    }
    Some(spans.into_iter().filter_map(|s| location(index, s)).collect())
}

/// Every occurrence of a name in every open document's files, each place once.
pub fn references(indexes: &[&Index], sym: &Sym, with_declaration: bool) -> Vec<Location> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for index in indexes {
        for (span, role) in index.occurrences(sym) {
            if !with_declaration && role == Role::Decl {
                continue;
            }
            if seen.insert((index.path(span.file), span.start, span.end)) {
                out.extend(location(index, span));
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Rename

pub fn prepare_rename(index: &Index, position: Position) -> Option<PrepareRenameResponse> {
    let (sym, span, _) = index.sym_at(index.root, offset(index, position))?;
    Some(PrepareRenameResponse::RangeWithPlaceholder { range: range(index, span), placeholder: sym.name().into() })
}

/// A new name must be written as the old one is: a lower-case name that is not a keyword.
pub fn valid_new_name(sym: &Sym, new_name: &str) -> Result<(), String> {
    let ok = new_name.starts_with(|c: char| c.is_ascii_lowercase())
        && new_name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !crate::syntax::is_keyword(new_name);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{new_name}` cannot name {}: write a lower-case letter, then letters, digits or `_` (not a keyword)",
            match sym {
                Sym::Pred(..) => "a predicate",
                Sym::Entity(_) => "an entity",
                Sym::Source(_) => "a source",
                Sym::Label(_) => "a rule",
            }
        ))
    }
}

/// Edits that rename every occurrence of `sym` in every open document's files. Constants
/// written as strings and rows of data files keep their text: they are not names.
// `WorkspaceEdit` keys its changes by `Uri`, whose parsed form caches data in cells; the keys
// are never changed once inserted.
#[allow(clippy::mutable_key_type)]
pub fn rename(indexes: &[&Index], sym: &Sym, new_name: &str) -> WorkspaceEdit {
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    let mut seen = std::collections::HashSet::new();
    for index in indexes {
        for (span, _) in index.occurrences(sym) {
            if !seen.insert((index.path(span.file), span.start, span.end)) {
                continue;
            }
            if let Some(loc) = location(index, span) {
                changes.entry(loc.uri).or_default().push(TextEdit { range: loc.range, new_text: new_name.into() });
            }
        }
    }
    WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() }
}

// ---------------------------------------------------------------------------------------------
// Completion

/// Names that fit where the cursor is: file paths inside the string of `include`, `load` or
/// `file`; sources after `cite`; otherwise predicates, entities, sources and keywords.
pub fn completion(index: &Index, path: &Path, text: &str, position: Position) -> CompletionResponse {
    let at = offset(index, position).min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..at];
    let word_start = before.rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).map_or(0, |i| i + 1);
    let word = &before[word_start..];
    let mut items = Vec::new();
    let mut incomplete = false;
    if let Some(typed) = open_string(before) {
        let head = before[..before.len() - typed.len() - 1].trim_end();
        if ["include", "from", "file"].iter().any(|k| head.ends_with(k)) {
            items = path_items(path, typed);
        }
        return CompletionResponse::List(CompletionList { is_incomplete: false, items });
    }
    if before[..word_start].trim_end().ends_with("cite") {
        items.extend(source_items(index, word));
        return CompletionResponse::List(CompletionList { is_incomplete: false, items });
    }
    if word.starts_with(|c: char| c.is_ascii_uppercase() || c == '_') {
        return CompletionResponse::List(CompletionList { is_incomplete: false, items });
    }
    let mut add = |group: Vec<CompletionItem>| {
        let matching: Vec<CompletionItem> = group.into_iter().filter(|i| i.label.starts_with(word)).collect();
        incomplete |= matching.len() > MAX_ITEMS;
        items.extend(matching.into_iter().take(MAX_ITEMS));
    };
    add(pred_items(index, word));
    add(entity_items(index, word));
    add(source_items(index, word));
    add(keyword_items());
    CompletionResponse::List(CompletionList { is_incomplete: incomplete, items })
}

/// The text typed so far inside a string left open on this line, if any.
fn open_string(before: &str) -> Option<&str> {
    let mut open = None;
    let mut chars = before.char_indices();
    while let Some((i, c)) = chars.next() {
        match (open, c) {
            (None, '"' | '\'') => open = Some((c, i)),
            (Some((q, _)), c) if c == q => open = None,
            (Some(_), '\\') => {
                chars.next();
            }
            (None, '%') => return None,
            _ => {}
        }
    }
    open.map(|(_, i)| &before[i + 1..])
}

fn path_items(doc: &Path, typed: &str) -> Vec<CompletionItem> {
    let base = doc.parent().unwrap_or(Path::new("."));
    let (dir_part, _) = typed.rsplit_once('/').map_or(("", typed), |(d, f)| (d, f));
    let dir = base.join(dir_part);
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut items: Vec<CompletionItem> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            if name.starts_with('.') || name.contains(['"', '\\']) {
                return None;
            }
            let label = if dir_part.is_empty() { name.clone() } else { format!("{dir_part}/{name}") };
            let label = if is_dir { format!("{label}/") } else { label };
            Some(CompletionItem {
                label,
                kind: Some(if is_dir { CompletionItemKind::FOLDER } else { CompletionItemKind::FILE }),
                ..CompletionItem::default()
            })
        })
        .collect();
    items.sort_by(|a, b| a.label.cmp(&b.label));
    items.truncate(MAX_ITEMS);
    items
}

fn pred_items(index: &Index, prefix: &str) -> Vec<CompletionItem> {
    // By name and arity: a signature from a rule head whose arguments are all variables (its
    // names say what each argument is), else the bare arity.
    let mut preds: BTreeMap<(String, usize), (Option<String>, Option<String>)> = BTreeMap::new();
    for (_, s) in statements(index) {
        let (atom, doc) = match s {
            Statement::Rule(r) => (&r.head, r.doc.as_deref()),
            Statement::Fact(f) => (&f.atom, f.doc.as_deref()),
            Statement::Kind(k) => {
                preds.entry((k.name.name.to_string(), 1)).or_default();
                continue;
            }
            _ => continue,
        };
        if !atom.pred.name.starts_with(prefix) {
            continue;
        }
        let entry = preds.entry((atom.pred.name.to_string(), atom.args.len())).or_default();
        if entry.0.is_none() && atom.args.iter().all(|a| matches!(a, Expr::Var(_))) && !atom.args.is_empty() {
            entry.0 = Some(index.sources.snippet(atom.span).to_string());
        }
        if entry.1.is_none() {
            entry.1 = doc.map(str::to_string);
        }
    }
    preds
        .into_iter()
        .map(|((name, arity), (signature, doc))| CompletionItem {
            detail: Some(signature.unwrap_or_else(|| format!("{name}/{arity}"))),
            label: name,
            kind: Some(CompletionItemKind::FUNCTION),
            documentation: doc.map(Documentation::String),
            ..CompletionItem::default()
        })
        .collect()
}

/// Declared entities (with their kind and label) and the bare names used as constants. Only
/// names with the typed prefix are gathered: a large file has a hundred thousand of them.
fn entity_items(index: &Index, prefix: &str) -> Vec<CompletionItem> {
    let mut entities: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (_, s) in statements(index) {
        if let Statement::Entity(e) = s {
            if !e.name.name.starts_with(prefix) {
                continue;
            }
            let detail = match &e.label {
                Some(l) => format!("{} “{l}”", e.kind.name),
                None => e.kind.name.to_string(),
            };
            entities.insert(e.name.name.to_string(), Some(detail));
        }
    }
    index.visit(&mut |sym, _, _| {
        if let SymRef::Entity(name) = sym {
            if name.starts_with(prefix) && !entities.contains_key(name) {
                entities.insert(name.to_string(), None);
            }
        }
    });
    entities
        .into_iter()
        .map(|(name, detail)| CompletionItem {
            label: name,
            kind: Some(CompletionItemKind::CONSTANT),
            detail,
            ..CompletionItem::default()
        })
        .collect()
}

fn source_items(index: &Index, prefix: &str) -> Vec<CompletionItem> {
    statements(index)
        .filter_map(|(_, s)| match s {
            Statement::Source(d) if d.name.name.starts_with(prefix) => Some(CompletionItem {
                label: d.name.name.to_string(),
                kind: Some(CompletionItemKind::MODULE),
                detail: Some(format!("source “{}”", d.title)),
                ..CompletionItem::default()
            }),
            _ => None,
        })
        .collect()
}

fn keyword_items() -> Vec<CompletionItem> {
    keywords()
        .into_iter()
        .chain(["count", "sum", "min", "max", "mean"])
        .map(|k| CompletionItem {
            label: k.to_string(),
            kind: Some(CompletionItemKind::KEYWORD),
            ..CompletionItem::default()
        })
        .chain(function_items())
        .collect()
}

/// The built-in functions and the text tests, with how each is called.
fn function_items() -> impl Iterator<Item = CompletionItem> {
    let functions = crate::ast::Func::ALL.into_iter().map(|f| (f.name(), f.usage()));
    let tests = [("contains", "contains(Sub, S)"), ("match", "match(Pattern, S)")];
    functions.chain(tests).map(|(name, usage)| CompletionItem {
        label: name.to_string(),
        kind: Some(CompletionItemKind::FUNCTION),
        detail: Some(usage.to_string()),
        ..CompletionItem::default()
    })
}

/// The keywords of the language, read from the grammar's `keyword` rule (so that a keyword
/// added there is completed without a change here).
pub fn keywords() -> Vec<&'static str> {
    const GRAMMAR: &str = include_str!("../../grammar/because.pest");
    let Some(start) = GRAMMAR.find("\nkeyword = ") else { return Vec::new() };
    let rule = &GRAMMAR[start..];
    let rule = &rule[..rule.find("\n}").unwrap_or(rule.len())];
    rule.split('"').skip(1).step_by(2).collect()
}

// ---------------------------------------------------------------------------------------------
// Symbols

/// The document's outline: sources, kinds, entities, predicates (with their rules) and queries.
pub fn symbols(index: &Index) -> Vec<DocumentSymbol> {
    let Some(module) = index.module(index.root) else { return Vec::new() };
    let mut out = Vec::new();
    // Predicates in order of first appearance; each gathers its rules.
    let mut preds: Vec<(String, DocumentSymbol)> = Vec::new();
    let symbol = |name: String, detail: Option<String>, kind, span: Span, name_span: Span| {
        #[allow(deprecated)]
        DocumentSymbol {
            name,
            detail,
            kind,
            tags: None,
            deprecated: None,
            range: range(index, span),
            selection_range: range(index, name_span),
            children: None,
        }
    };
    for s in &module.statements {
        match s {
            // Not in an index (see `Index::build`).
            Statement::PlainFacts(_) => {}
            Statement::Source(d) => {
                let detail = Some(format!("source “{}”", d.title));
                out.push(symbol(d.name.name.to_string(), detail, SymbolKind::MODULE, d.span, d.name.span));
            }
            Statement::Kind(k) => {
                out.push(symbol(k.name.name.to_string(), Some("kind".into()), SymbolKind::CLASS, k.span, k.name.span))
            }
            Statement::Entity(e) => {
                let detail = Some(e.kind.name.to_string());
                out.push(symbol(e.name.name.to_string(), detail, SymbolKind::CONSTANT, e.span, e.name.span));
            }
            Statement::Fact(f) => {
                let key = format!("{}/{}", f.atom.pred.name, f.atom.args.len());
                if !preds.iter().any(|(k, _)| *k == key) {
                    let sym = symbol(key.clone(), None, SymbolKind::FUNCTION, f.span, f.atom.pred.span);
                    preds.push((key, sym));
                }
            }
            Statement::Rule(r) => {
                let key = format!("{}/{}", r.head.pred.name, r.head.args.len());
                let name = r.label.as_ref().map_or_else(|| key.clone(), |l| format!("[{}]", l.name));
                let name_span = r.label.as_ref().map_or(r.head.pred.span, |l| l.span);
                let rule = symbol(name, r.doc.clone(), SymbolKind::METHOD, r.span, name_span);
                match preds.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, p)) => {
                        p.range.end = p.range.end.max(rule.range.end);
                        p.children.get_or_insert_with(Vec::new).push(rule);
                    }
                    None => {
                        let mut p = symbol(key.clone(), None, SymbolKind::FUNCTION, r.span, r.head.pred.span);
                        p.children = Some(vec![rule]);
                        preds.push((key, p));
                    }
                }
            }
            Statement::Pred(d) => {
                let key = format!("{}/{}", d.name.name, d.args.len());
                let detail =
                    Some(format!("declaration{}", d.doc.as_deref().map(|doc| format!(": {doc}")).unwrap_or_default()));
                out.push(symbol(key, detail, SymbolKind::INTERFACE, d.span, d.name.span));
            }
            Statement::Denial(d) => {
                let name = d.label.as_ref().map_or_else(|| "never".to_string(), |l| format!("[{}]", l.name));
                let name_span = d.label.as_ref().map_or(d.span, |l| l.span);
                out.push(symbol(name, Some(d.message.clone()), SymbolKind::EVENT, d.span, name_span));
            }
            Statement::Retract(r) => {
                let text = crate::load::normalize_ws(index.sources.snippet(r.span));
                out.push(symbol(text, Some("retract".into()), SymbolKind::EVENT, r.span, r.fact.atom.pred.span));
            }
            Statement::Query(q) => {
                let text = crate::load::normalize_ws(index.sources.snippet(q.span));
                let kind = match q.kind {
                    QueryKind::Select => "query",
                    QueryKind::Why => "why",
                    QueryKind::WhyNot => "why not",
                };
                out.push(symbol(text, Some(kind.into()), SymbolKind::EVENT, q.span, q.span));
            }
            Statement::Load(l) => {
                let detail = Some(format!("rows of `{}`", l.path));
                out.push(symbol(l.pred.name.to_string(), detail, SymbolKind::FUNCTION, l.span, l.pred.span));
            }
            Statement::Include(i) => {
                out.push(symbol(i.path.clone(), Some("include".into()), SymbolKind::FILE, i.span, i.path_span))
            }
        }
    }
    out.extend(preds.into_iter().map(|(_, p)| p));
    out.sort_by_key(|s| (s.range.start.line, s.range.start.character));
    out
}

// ---------------------------------------------------------------------------------------------
// Code lenses

/// One lens above each query: its answer in a line; the command shows the whole of it.
pub fn code_lenses(uri: &Uri, text: &str, replies: &[QueryReply]) -> Vec<CodeLens> {
    let lines = super::text::LineIndex::new(text);
    replies
        .iter()
        .map(|r| {
            let range = lines.range(text, r.start, r.end);
            let mut title: String = r.summary.chars().take(120).collect();
            if r.summary.chars().count() > 120 {
                title.push('…');
            }
            CodeLens {
                range,
                command: Some(Command {
                    title,
                    command: SHOW_ANSWER.into(),
                    arguments: Some(vec![Json::String(uri.as_str().to_string()), Json::from(range.start.line)]),
                }),
                data: None,
            }
        })
        .collect()
}

/// The `[uri, line]` arguments of the show-answer command.
pub fn show_answer_args(args: &[Json]) -> Option<(Uri, u32)> {
    let uri: Uri = args.first()?.as_str()?.parse().ok()?;
    uri_to_path(&uri)?;
    let line = u32::try_from(args.get(1)?.as_u64()?).ok()?;
    Some((uri, line))
}
