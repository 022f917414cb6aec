//! `because describe [PRED]` and the REPL's `:describe`: what a predicate's declaration says
//! (arguments, their types, whether it is dated, its `%%` documentation) beside what the
//! knowledge base holds for it. Undeclared predicates are listed with what is known of them.

use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use crate::kb::KnowledgeBase;
use crate::program::{PredId, PredInfo};

/// The user's predicates to describe: all (sorted by name), or the one named `name`.
/// `Err` names the closest predicate when `name` is unknown.
fn selected<'k>(kb: &'k KnowledgeBase, name: Option<&str>) -> Result<Vec<(PredId, &'k PredInfo)>, String> {
    let program = kb.program();
    let mut preds: Vec<(PredId, &PredInfo)> =
        program.preds.iter().enumerate().filter(|(_, p)| !p.defined.builtin).map(|(id, p)| (id as PredId, p)).collect();
    preds.sort_by(|a, b| a.1.name.cmp(&b.1.name));
    let Some(name) = name else { return Ok(preds) };
    let name = name.split_once('/').map_or(name, |(n, _)| n);
    let found: Vec<_> = preds.iter().copied().filter(|(_, p)| &*p.name == name).collect();
    if found.is_empty() {
        let hint = crate::diag::closest(name, preds.iter().map(|(_, p)| &*p.name))
            .map_or(String::new(), |c| format!("; did you mean `{c}`?"));
        return Err(format!("no predicate `{name}`{hint}"));
    }
    Ok(found)
}

fn defined_by(p: &PredInfo) -> Vec<&'static str> {
    let d = p.defined;
    [(d.declared, "declaration"), (d.by_facts, "facts"), (d.by_load, "data file"), (d.by_rules, "rules")]
        .into_iter()
        .filter_map(|(yes, what)| yes.then_some(what))
        .collect()
}

/// The text form: a signature line, the doc indented, then facts and definitions.
pub fn describe(kb: &KnowledgeBase, name: Option<&str>) -> Result<String, String> {
    let mut out = String::new();
    for (id, p) in selected(kb, name)? {
        let facts = kb.database().relation(id).len();
        match &p.decl {
            Some(d) => {
                let _ = writeln!(out, "{}", d.signature(&p.name));
                if let Some(doc) = &d.doc {
                    let _ = writeln!(out, "  {doc}");
                }
            }
            None => {
                let at = if p.temporal { " @" } else { "" };
                let _ = writeln!(out, "{}/{}{at} (undeclared)", p.name, p.arity);
            }
        }
        let _ = writeln!(out, "  {facts} fact{}; defined by {}", plural(facts), defined_by(p).join(", "));
    }
    Ok(out)
}

/// The JSON form: `{"predicates": [{"name", "arity", "declared", "args": [{"name", "type"}],
/// "dated", "strict", "key", "doc", "facts", "defined_by"}]}`.
pub fn describe_json(kb: &KnowledgeBase, name: Option<&str>) -> Result<Json, String> {
    let list: Vec<Json> = selected(kb, name)?
        .into_iter()
        .map(|(id, p)| {
            let args: Vec<Json> = p.decl.as_ref().map_or(Vec::new(), |d| {
                d.args.iter().map(|a| json!({ "name": &*a.name, "type": a.ty.as_ref().map(|t| t.name()) })).collect()
            });
            json!({
                "name": &*p.name,
                "arity": p.arity,
                "declared": p.decl.is_some(),
                "args": args,
                "dated": p.temporal,
                "strict": p.decl.as_ref().is_some_and(|d| d.strict),
                "key": p.decl.as_ref().and_then(|d| d.key.as_ref()).map(|key| {
                    key.iter().map(|&i| p.decl.as_ref().map_or("", |d| &*d.args[i].name)).collect::<Vec<_>>()
                }),
                "doc": p.decl.as_ref().and_then(|d| d.doc.as_deref()),
                "facts": kb.database().relation(id).len(),
                "defined_by": defined_by(p),
            })
        })
        .collect();
    Ok(json!({ "version": crate::output::JSON_VERSION, "predicates": list }))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
