//! Checking: from parsed modules to a [`Program`] ready to evaluate, with every error found.
//!
//! The steps, in order:
//! 1. collect kinds, sources and every predicate with its arity (arity conflicts, unknown kinds);
//! 2. decide which predicates are temporal (carry a hidden interval column);
//! 3. lower facts and entity declarations to interned rows (bad intervals, duplicate facts);
//! 4. lower rules and queries: number variables, desugar expressions in atoms, check range
//!    restriction and undefined predicates, warn about singleton variables, keep times and
//!    numbers apart (`times.rs`);
//! 5. stratify with petgraph (condensation + toposort), rejecting negation or aggregation
//!    through recursion with the cycle spelled out.
//!
//! All diagnostics are collected and returned sorted by position.

mod lower;
mod rows;
mod strata;
mod times;

/// The "did you mean" helpers live with the diagnostics that use them.
pub use crate::diag::{closest, edit_distance};

use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::ast::{self, Module, Span, Statement};
use crate::diag::{Diagnostic, Diagnostics};
use crate::program::{
    ArgInfo, ArgType, BaseFact, CitationIr, Definedness, EntityInfo, FactOrigin, IdSet, PredDecl, PredId, PredInfo,
    Program, SourceInfo,
};
use crate::value::{Id, Interner, Interval, Value};

pub(crate) use lower::ir_literal_vars;
pub use lower::lower_query;
pub use rows::RowError;
pub(crate) use strata::{Dependency, body_dependencies};

/// The kinds of entity every knowledge base has.
pub const BUILTIN_KINDS: [&str; 4] = ["actor", "event", "factor", "period"];

/// A data file read by a `load` statement, before its predicate is resolved.
#[derive(Debug, Clone)]
pub struct RawTable {
    pub pred: ast::Ident,
    pub file: Arc<str>,
    /// Fields per line; `None` for a file without rows (the arity then comes from elsewhere).
    pub width: Option<usize>,
    /// Shared with the checked program, so re-checking never copies the rows.
    pub data: Arc<Vec<Id>>,
    pub lines: crate::program::LineNumbers,
}

/// Checks `modules` (in load order) plus the data tables their `load` statements read.
/// Returns the program and all diagnostics; the program is only meaningful without errors.
pub fn check(modules: &[Module], tables: Vec<RawTable>, interner: &mut Interner) -> (Program, Diagnostics) {
    let (program, mut diags, row_errors) = check_with_rows(modules, tables, interner);
    // Without the data files' texts, a bad row blames its `load` statement.
    for e in row_errors {
        diags.push(e.diagnostic.at(e.fallback));
    }
    diags.sort();
    (program, diags)
}

/// [`check`], with the data rows that break a declaration apart and not yet located: the
/// caller, who can read the data files again, points each into its file
/// (`load::Loader::locate_fields`).
pub fn check_with_rows(
    modules: &[Module],
    tables: Vec<RawTable>,
    interner: &mut Interner,
) -> (Program, Diagnostics, Vec<RowError>) {
    let mut cx = Checker {
        interner,
        program: Program::default(),
        diags: Diagnostics::default(),
        pred_by_name: FxHashMap::default(),
        hints: FxHashMap::default(),
        kinds: BUILTIN_KINDS.iter().map(|&k| Arc::from(k)).collect(),
        sources: FxHashSet::default(),
        entity_kinds: FxHashSet::default(),
        row_errors: Vec::new(),
    };
    for (name, arity) in crate::program::BUILTINS {
        cx.declare(&ast::Ident { name: Arc::from(*name), span: Span::default() }, *arity, Def::Builtin);
    }
    cx.collect_declarations(modules, &tables);
    cx.mark_temporal(modules);
    cx.lower_facts(modules);
    cx.lower_tables(tables);
    for module in modules {
        for stmt in &module.statements {
            match stmt {
                Statement::Rule(rule) => {
                    cx.check_rule_args(rule);
                    lower::lower_rule(&mut cx, rule);
                }
                Statement::Query(query) => {
                    if let Some(q) = lower::lower_query_in(&mut cx, query) {
                        cx.program.queries.push(q);
                    }
                }
                Statement::Denial(denial) => lower::lower_denial(&mut cx, denial),
                _ => {}
            }
        }
    }
    collect_known_constants(&mut cx.program);
    let mut seen = FxHashSet::default();
    for stmt in modules.iter().flat_map(|m| &m.statements) {
        let (body, in_rule) = match stmt {
            Statement::Rule(r) => (&r.body, true),
            Statement::Query(q) => (&q.body, false),
            Statement::Denial(d) => (&d.body, true),
            _ => continue,
        };
        lower::unknown_constants(&cx.program, cx.interner, body, in_rule, &mut seen, &mut cx.diags);
    }
    number_rules(&mut cx.program);
    strata::stratify(&mut cx.program, &mut cx.diags);
    let mut diags = cx.diags;
    diags.sort();
    (cx.program, diags, cx.row_errors)
}

pub(crate) struct Checker<'a> {
    pub interner: &'a mut Interner,
    pub program: Program,
    pub diags: Diagnostics,
    pred_by_name: FxHashMap<Arc<str>, PredId>,
    /// "Did you mean" for each undefined `name/arity`, computed once per distinct name.
    pub hints: FxHashMap<String, Option<String>>,
    kinds: FxHashSet<Arc<str>>,
    sources: FxHashSet<Arc<str>>,
    /// (kind, name) of every declared entity, for `strict` declarations.
    entity_kinds: FxHashSet<(Arc<str>, Arc<str>)>,
    /// Data rows that break a declaration, located by the caller.
    row_errors: Vec<RowError>,
}

impl<'a> Checker<'a> {
    // Step 1: kinds, sources, predicates.
    fn collect_declarations(&mut self, modules: &[Module], tables: &[RawTable]) {
        for stmt in modules.iter().flat_map(|m| &m.statements) {
            match stmt {
                Statement::Kind(k) => {
                    self.kinds.insert(k.name.name.clone());
                }
                Statement::Source(s) => {
                    // The same source declared again with the same title (a saved session
                    // loaded over the files it was made from) is the same source.
                    let same = self.program.sources.iter().any(|d| d.name == s.name.name && *d.title == *s.title);
                    if !self.sources.insert(s.name.name.clone()) && !same {
                        self.diags.push(
                            Diagnostic::warning(
                                "check::duplicate_source",
                                format!("source `{}` is declared twice", s.name.name),
                            )
                            .at(s.name.span)
                            .label("declared again here"),
                        );
                    }
                    if same {
                        continue;
                    }
                    self.program.sources.push(SourceInfo {
                        name: s.name.name.clone(),
                        title: Arc::from(s.title.as_str()),
                        file: s.file.as_ref().map(|(f, _)| Arc::from(f.as_str())),
                        grade: s.grade.map(|(g, _)| g),
                        span: s.span,
                    });
                }
                _ => {}
            }
        }
        for stmt in modules.iter().flat_map(|m| &m.statements) {
            if let Statement::Pred(d) = stmt {
                self.declare_pred(d);
            }
        }
        for module in modules {
            for stmt in &module.statements {
                match stmt {
                    Statement::Entity(e) => {
                        self.entity_kinds.insert((e.kind.name.clone(), e.name.name.clone()));
                    }
                    Statement::Fact(f) => self.kind_fact_entity(f),
                    // Only a run that has facts of a kind is read again.
                    Statement::PlainFacts(run) if run.preds.iter().any(|(p, n)| *n == 1 && self.kinds.contains(p)) => {
                        crate::syntax::plain_facts(&module.text, run).for_each(|f| self.kind_fact_entity(&f));
                    }
                    _ => {}
                }
            }
        }
        for stmt in modules.iter().flat_map(|m| &m.statements) {
            match stmt {
                Statement::Fact(f) if !self.reserved(&f.atom.pred) => {
                    self.declare(&f.atom.pred, f.atom.args.len(), Def::Facts);
                }
                Statement::PlainFacts(run) => {
                    for i in 0..run.facts.len() {
                        let (pred, arity) = run.pred(i);
                        if !self.reserved(&pred) {
                            self.declare(&pred, arity, Def::Facts);
                        }
                    }
                }
                Statement::Entity(e) => {
                    if self.kinds.contains(&e.kind.name) {
                        self.declare(&e.kind, 1, Def::Facts);
                        if e.label.is_some() {
                            let label = ast::Ident { name: Arc::from("label"), span: e.span };
                            self.declare(&label, 2, Def::Facts);
                        }
                    } else {
                        let known: Vec<&str> = self.kinds.iter().map(|k| &**k).collect();
                        let mut d = Diagnostic::error(
                            "check::unknown_kind",
                            format!("`{}` is not a kind of entity", e.kind.name),
                        )
                        .at(e.kind.span)
                        .label("unknown kind");
                        d = match closest(&e.kind.name, known.iter().copied()) {
                            Some(k) => d.help(format!(
                                "did you mean `{k}`? A kind of one's own is declared with `kind {}.`",
                                e.kind.name
                            )),
                            None => d.help(format!("declare it first with `kind {}.`", e.kind.name)),
                        };
                        self.diags.push(d);
                    }
                }
                Statement::Rule(r) => {
                    if self.reserved(&r.head.pred) {
                        continue;
                    }
                    self.declare(&r.head.pred, r.head.args.len(), Def::Rules);
                }
                _ => {}
            }
        }
        for table in tables {
            if self.reserved(&table.pred) {
                continue;
            }
            let width = table
                .width
                .or_else(|| self.pred_by_name.get(&table.pred.name).map(|&p| self.program.preds[p as usize].arity))
                .or_else(|| first_use_arity(modules, &table.pred.name));
            match width {
                Some(w) => {
                    self.declare(&table.pred, w, Def::Load);
                }
                None => self.diags.push(
                    Diagnostic::error(
                        "load::unknown_arity",
                        format!(
                            "cannot tell how many columns `{}` has: `{}` is empty and nothing else uses `{}`",
                            table.pred.name, table.file, table.pred.name
                        ),
                    )
                    .at(table.pred.span)
                    .help("add a row to the file, or use the predicate in a rule"),
                ),
            }
        }
    }

    /// Reports a definition of a `graph:`-style built-in name, or of `contains` or `match`
    /// (which a body reads as text tests, so such a predicate could never be queried); true
    /// when `name` is one.
    fn reserved(&mut self, name: &ast::Ident) -> bool {
        let text_test = matches!(&*name.name, "contains" | "match");
        if !name.name.contains(':') && !text_test {
            return false;
        }
        let help = if text_test {
            "in a body, `contains(Sub, S)` and `match(Pattern, S)` are tests on text; choose another name"
        } else {
            "names with a `:` are reserved for built-ins; choose a plain name"
        };
        self.diags.push(
            Diagnostic::error(
                "check::reserved_name",
                format!("`{}` is a built-in name and cannot be defined", name.name),
            )
            .at(name.span)
            .help(help),
        );
        true
    }

    /// Registers a definition of `name/arity`, reporting an arity that differs from before.
    fn declare(&mut self, name: &ast::Ident, arity: usize, def: Def) -> Option<PredId> {
        let id = match self.pred_by_name.get(&name.name) {
            Some(&id) => {
                let info = &self.program.preds[id as usize];
                if info.arity != arity {
                    self.diags.push(arity_mismatch(name, arity, info));
                    return None;
                }
                id
            }
            None => {
                let id = self.program.preds.len() as PredId;
                self.program.preds.push(PredInfo {
                    name: name.name.clone(),
                    arity,
                    temporal: false,
                    defined: Definedness::default(),
                    span: name.span,
                    decl: None,
                });
                self.pred_by_name.insert(name.name.clone(), id);
                id
            }
        };
        let defined = &mut self.program.preds[id as usize].defined;
        match def {
            Def::Facts => defined.by_facts = true,
            Def::Rules => defined.by_rules = true,
            Def::Load => defined.by_load = true,
            Def::Builtin => defined.builtin = true,
            Def::Declared => defined.declared = true,
        }
        Some(id)
    }

    // Step 2: a predicate is temporal when any of its facts or rule heads carries an interval.
    /// A predicate declared `dated` is temporal even with no facts; one declared without
    /// `dated` refuses `@`.
    fn mark_temporal(&mut self, modules: &[Module]) {
        for info in &mut self.program.preds {
            if info.decl.as_ref().is_some_and(|d| d.dated) {
                info.temporal = true;
            }
        }
        for stmt in modules.iter().flat_map(|m| &m.statements) {
            let (name, at) = match stmt {
                Statement::Fact(f) if f.time.is_some() => (&f.atom.pred, f.time.map(|(_, s)| s)),
                Statement::Entity(e) if e.time.is_some() => (&e.kind, e.time.map(|(_, s)| s)),
                Statement::Rule(r) if r.head_time.is_some() => (&r.head.pred, r.head_time.as_ref().map(|t| t.span())),
                _ => continue,
            };
            if let Some(&id) = self.pred_by_name.get(&name.name) {
                let info = &mut self.program.preds[id as usize];
                if let Some(decl) = info.decl.as_ref().filter(|d| !d.dated) {
                    let d = Diagnostic::error(
                        "check::undated_predicate",
                        format!("`{}` is declared without `dated`, so its facts take no `@`", name.name),
                    )
                    .at(at.unwrap_or(name.span))
                    .label("a time here")
                    .note(decl.span, "declared here")
                    .help(format!("add `dated` to the declaration: `pred {}.`", decl.signature(&name.name) + " dated"));
                    self.diags.push(d);
                    continue;
                }
                info.temporal = true;
            }
        }
    }

    // Step 1b: `pred` declarations.
    fn declare_pred(&mut self, d: &ast::PredDecl) {
        if self.reserved(&d.name) {
            return;
        }
        let mut args = Vec::with_capacity(d.args.len());
        for a in &d.args {
            let ty = match a.ty.as_ref().map(|t| (&*t.name, t)) {
                None => None,
                Some(("number", _)) => Some(ArgType::Number),
                Some(("text", _)) => Some(ArgType::Text),
                Some(("time", _)) => Some(ArgType::Time),
                Some(("entity", _)) => Some(ArgType::Entity),
                Some((k, _)) if self.kinds.contains(k) => Some(ArgType::Kind(Arc::from(k))),
                Some((k, t)) => {
                    let mut known: Vec<&str> = self.kinds.iter().map(|k| &**k).collect();
                    known.extend(["number", "text", "time", "entity"]);
                    let mut diag = Diagnostic::error("check::unknown_type", format!("`{k}` is not a type"))
                        .at(t.span)
                        .label("unknown type");
                    diag = match closest(k, known.iter().copied()) {
                        Some(best) => diag.help(format!("did you mean `{best}`?")),
                        None => diag.help(format!(
                            "a type is `number`, `text`, `time`, `entity` or a kind of entity (declare one with `kind {k}.`)"
                        )),
                    };
                    self.diags.push(diag);
                    None
                }
            };
            args.push(ArgInfo { name: a.name.name.clone(), ty });
        }
        let key = d.key.as_ref().map(|names| self.key_positions(d, names));
        let decl = PredDecl {
            args,
            dated: d.dated,
            strict: d.strict,
            key,
            doc: d.doc.as_deref().map(Arc::from),
            span: d.span,
        };
        if let Some(&id) = self.pred_by_name.get(&d.name.name) {
            if let Some(first) = &self.program.preds[id as usize].decl {
                if **first != (PredDecl { span: first.span, ..decl.clone() }) {
                    let first_span = first.span;
                    self.diags.push(
                        Diagnostic::error(
                            "check::conflicting_declaration",
                            format!("`{}` is declared twice, differently", d.name.name),
                        )
                        .at(d.name.span)
                        .label("declared again here")
                        .note(first_span, "first declared here")
                        .help("a predicate has one declaration; keep one of them"),
                    );
                }
                return;
            }
        }
        if let Some(id) = self.declare(&d.name, d.args.len(), Def::Declared) {
            let info = &mut self.program.preds[id as usize];
            if info.decl.is_none() {
                info.span = d.name.span;
                info.decl = Some(Arc::new(decl));
            }
        }
    }

    /// The positions of a declaration's key arguments (`key(sender, host)`), reporting a name
    /// that is not an argument and a key that leaves no argument to conflict over.
    fn key_positions(&mut self, d: &ast::PredDecl, names: &[ast::Ident]) -> Vec<usize> {
        let mut key = Vec::new();
        for name in names {
            match d.args.iter().position(|a| a.name.name == name.name) {
                Some(i) if !key.contains(&i) => key.push(i),
                Some(_) => {}
                None => {
                    let args: Vec<&str> = d.args.iter().map(|a| &*a.name.name).collect();
                    let mut diag = Diagnostic::error(
                        "check::unknown_key_argument",
                        format!("`{}` is not an argument of `{}`", name.name, d.name.name),
                    )
                    .at(name.span)
                    .label("not an argument");
                    diag = match closest(&name.name, args.iter().copied()) {
                        Some(best) => diag.help(format!("did you mean `{best}`?")),
                        None => diag.help(format!("the key names arguments of the declaration: {}", args.join(", "))),
                    };
                    self.diags.push(diag);
                }
            }
        }
        if !d.args.is_empty() && key.len() == d.args.len() {
            self.diags.push(
                Diagnostic::error(
                    "check::key_is_every_argument",
                    format!("the key of `{}` names every argument, so no two facts can disagree", d.name.name),
                )
                .at(names.first().map_or(d.span, |n| n.span))
                .help("name only the arguments that identify a fact, such as `key(sender, host)`; the others are its value"),
            );
        }
        key.sort_unstable();
        key
    }

    /// Checks the constant arguments of an atom against its predicate's declaration.
    fn check_declared_args(&mut self, atom: &ast::Atom) {
        let Some(&id) = self.pred_by_name.get(&atom.pred.name) else { return };
        let Some(decl) = self.program.preds[id as usize].decl.clone() else { return };
        if decl.args.len() != atom.args.len() {
            return;
        }
        for (arg, info) in atom.args.iter().zip(&decl.args) {
            let (Some(ty), ast::Expr::Const(value, span)) = (&info.ty, arg) else { continue };
            if !rows::fits(ty, value) {
                let what = rows::what(value);
                self.diags.push(
                    Diagnostic::error(
                        "check::type_mismatch",
                        format!("`{}` is declared `{}: {}`, but this is {what}", atom.pred.name, info.name, ty.name()),
                    )
                    .at(*span)
                    .label(format!("expected {}", article(ty.name())))
                    .note(decl.span, format!("declared as `{}` here", decl.signature(&atom.pred.name))),
                );
                continue;
            }
            if let (true, ArgType::Kind(kind), Value::Text(name)) = (decl.strict, ty, value) {
                if !self.entity_kinds.contains(&(kind.clone(), name.clone())) {
                    let same_kind = self.entity_kinds.iter().filter(|(k, _)| k == kind).map(|(_, n)| &**n);
                    let mut d = Diagnostic::error(
                        "check::undeclared_entity",
                        format!("`{name}` is not a declared {kind}, and `{}` is declared strict", atom.pred.name),
                    )
                    .at(*span)
                    .label(format!("not {}", article(kind)))
                    .note(decl.span, format!("declared as `{}` here", decl.signature(&atom.pred.name)));
                    d = match closest(name, same_kind) {
                        Some(best) => d.help(format!("did you mean `{best}`?")),
                        None => d.help(format!("declare it first: `{kind} {name} \"Label\".`")),
                    };
                    self.diags.push(d);
                }
            }
        }
    }

    /// Checks every atom of a rule (head and body, aggregates included) against declarations.
    fn check_rule_args(&mut self, rule: &ast::Rule) {
        fn atoms<'r>(lits: &'r [ast::Literal], out: &mut Vec<&'r ast::Atom>) {
            for l in lits {
                match l {
                    ast::Literal::Positive { atom, .. } | ast::Literal::Negative { atom, .. } => out.push(atom),
                    ast::Literal::Aggregate(a) => atoms(&a.body, out),
                    _ => {}
                }
            }
        }
        let mut all = vec![&rule.head];
        atoms(&rule.body, &mut all);
        for atom in all {
            self.check_declared_args(atom);
        }
    }

    /// A fact `k(name)` of a kind `k` declares the entity `name` of that kind.
    fn kind_fact_entity(&mut self, f: &ast::Fact) {
        if let (true, [ast::Expr::Const(Value::Text(t), _)]) =
            (self.kinds.contains(&f.atom.pred.name), f.atom.args.as_slice())
        {
            self.entity_kinds.insert((f.atom.pred.name.clone(), t.clone()));
        }
    }

    // Step 3: facts and entity declarations become base rows.
    fn lower_facts(&mut self, modules: &[Module]) {
        // Each distinct fact once, as its index in `program.facts`: a map keyed by a copy of
        // every row cost more than the facts themselves in a file of millions.
        let mut seen: hashbrown::HashTable<u32> = hashbrown::HashTable::new();
        // The first declaration of each entity (kind, name): a later one is compared with it.
        let mut declared: FxHashMap<(Arc<str>, Arc<str>), &ast::EntityDecl> = FxHashMap::default();
        for (module, stmt) in modules.iter().flat_map(|m| m.statements.iter().map(move |s| (m, s))) {
            match stmt {
                Statement::Fact(f) => self.lower_fact(f, &mut seen),
                Statement::PlainFacts(run) => {
                    for f in crate::syntax::plain_facts(&module.text, run) {
                        self.lower_fact(&f, &mut seen);
                    }
                }
                Statement::Entity(e) => {
                    let Some(&kind) = self.pred_by_name.get(&e.kind.name) else { continue };
                    let name = self.interner.intern(Value::Text(e.name.name.clone()));
                    let cites = self.lower_cites(&e.cites);
                    let origin = FactOrigin::Stated { span: e.span, cites, doc: e.doc.as_deref().map(Arc::from) };
                    let first = declared.get(&(e.kind.name.clone(), e.name.name.clone())).copied();
                    if first.is_none() {
                        declared.insert((e.kind.name.clone(), e.name.name.clone()), e);
                    }
                    // A second label or another time is its own warning; only a declaration
                    // that repeats the first exactly is a duplicate, and it is reported once.
                    let second_label = first.and_then(|f| match (&f.label, &e.label) {
                        (Some(a), Some(b)) if a != b => Some((f, a.clone())),
                        _ => None,
                    });
                    if let Some((f, old)) = &second_label {
                        self.diags.push(
                            Diagnostic::warning(
                                "check::second_label",
                                format!("`{}` already has the label {old:?}; this gives it a second one", e.name.name),
                            )
                            .at(e.span)
                            .label("second label")
                            .note(f.span, "first declared here")
                            .help("an entity usually has one label: keep one, or state the other as a fact of its own"),
                        );
                    }
                    if let Some(f) = first.filter(|f| f.time.map(|t| t.0) != e.time.map(|t| t.0)) {
                        let time =
                            |t: Option<(Interval, Span)>| t.map_or("no time".to_string(), |(i, _)| i.to_string());
                        self.diags.push(
                            Diagnostic::warning(
                                "check::entity_redeclared",
                                format!(
                                    "`{}` is declared again with {} (first with {}), so it holds at both",
                                    e.name.name,
                                    time(e.time),
                                    time(f.time)
                                ),
                            )
                            .at(e.span)
                            .label("declared again")
                            .note(f.span, "first declared here")
                            .help("an entity is one thing: give each case's entity a name of its own"),
                        );
                    }
                    let warn = second_label.is_none();
                    let new = self.push_fact(kind, vec![name], e.time, origin.clone(), e.span, &mut seen, warn);
                    if let (Some(label), Some(&label_pred)) = (&e.label, self.pred_by_name.get("label")) {
                        if self.program.preds[label_pred as usize].arity == 2 {
                            let text = self.interner.intern(Value::text(label));
                            // The repeated label of a repeated declaration is the same duplicate.
                            let warn = new && first.is_none();
                            self.push_fact(label_pred, vec![name, text], None, origin, e.span, &mut seen, warn);
                        }
                    }
                    self.program.entities.push(EntityInfo {
                        name: e.name.name.clone(),
                        kind: e.kind.name.clone(),
                        label: e.label.as_deref().map(Arc::from),
                        time: e.time.map(|(i, _)| i),
                        span: e.span,
                    });
                }
                _ => {}
            }
        }
        // Kept with the program: no spare room from growing.
        self.program.facts.shrink_to_fit();
        self.program.origins.shrink_to_fit();
    }

    /// A stated fact becomes a base row.
    fn lower_fact(&mut self, f: &ast::Fact, seen: &mut hashbrown::HashTable<u32>) {
        let Some(&pred) = self.pred_by_name.get(&f.atom.pred.name) else { return };
        if self.program.preds[pred as usize].arity != f.atom.args.len() {
            return;
        }
        self.check_declared_args(&f.atom);
        let mut row = Vec::with_capacity(f.atom.args.len() + 1);
        for arg in &f.atom.args {
            match arg {
                ast::Expr::Const(v, _) => row.push(self.interner.intern(v.clone())),
                other => {
                    self.diags.push(
                        Diagnostic::error("check::non_ground_fact", "a fact's arguments must be constants")
                            .at(other.span()),
                    );
                    continue;
                }
            }
        }
        let cites = self.lower_cites(&f.cites);
        let origin = FactOrigin::Stated { span: f.span, cites, doc: f.doc.as_deref().map(Arc::from) };
        self.push_fact(pred, row, f.time, origin, f.span, seen, true);
    }

    /// Adds a base fact; a repeated one is dropped, with a warning (when `warn`) pointing at
    /// the first. Returns whether the fact was new.
    #[allow(clippy::too_many_arguments)]
    fn push_fact(
        &mut self,
        pred: PredId,
        mut row: Vec<Id>,
        time: Option<(Interval, Span)>,
        origin: FactOrigin,
        span: Span,
        seen: &mut hashbrown::HashTable<u32>,
        warn: bool,
    ) -> bool {
        if let Some((interval, ispan)) = time {
            self.check_interval(interval, ispan);
        }
        if self.program.preds[pred as usize].temporal {
            // Without `@` the source gives no date: undated, not "at all times" (`@ ..`).
            let time = time.map_or(Value::Undated, |(i, _)| Value::Interval(i));
            row.push(self.interner.intern(time));
        }
        let facts = &self.program.facts;
        let hash = crate::value::hash_ids(std::iter::once(pred).chain(row.iter().copied()));
        let same = |&i: &u32| facts[i as usize].pred == pred && facts[i as usize].row == row;
        if let Some(&i) = seen.find(hash, same) {
            let first = match &self.program.origins[facts[i as usize].origin as usize] {
                FactOrigin::Stated { span, .. } => *span,
                FactOrigin::Row { .. } => span,
            };
            if warn {
                self.diags.push(
                    Diagnostic::warning("check::duplicate_fact", "this fact is stated twice")
                        .at(span)
                        .label("repeated here")
                        .note(first, "first stated here")
                        .help("a knowledge base is a set of facts: the repetition adds nothing"),
                );
            }
            return false;
        }
        let index = facts.len() as u32;
        let rehash = |&i: &u32| {
            let f = &facts[i as usize];
            crate::value::hash_ids(std::iter::once(f.pred).chain(f.row.iter().copied()))
        };
        seen.insert_unique(hash, index, rehash);
        self.program.origins.push(origin);
        let origin = self.program.origins.len() as u32 - 1;
        self.program.facts.push(BaseFact { pred, row, origin });
        true
    }

    pub(crate) fn check_interval(&mut self, interval: Interval, span: Span) {
        if let Some(d) = bad_interval(interval, span) {
            self.diags.push(d);
        }
    }

    pub(crate) fn lower_cites(&mut self, cites: &[ast::Citation]) -> Vec<CitationIr> {
        let mut out = Vec::with_capacity(cites.len());
        for c in cites {
            if !self.sources.contains(&c.source.name) {
                let known: Vec<&str> = self.sources.iter().map(|s| &**s).collect();
                let mut d = Diagnostic::error(
                    "check::unknown_source",
                    format!("no source named `{}` is declared", c.source.name),
                )
                .at(c.source.span)
                .label("cited here");
                d = match closest(&c.source.name, known.iter().copied()) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!("declare it with `source {} \"Title\".`", c.source.name)),
                };
                self.diags.push(d);
            }
            out.push(CitationIr {
                source: c.source.name.clone(),
                quote: Arc::from(c.quote.as_str()),
                quote_span: c.quote_span,
            });
        }
        out
    }

    fn lower_tables(&mut self, tables: Vec<RawTable>) {
        for table in tables {
            let Some(&pred) = self.pred_by_name.get(&table.pred.name) else { continue };
            let info = &self.program.preds[pred as usize];
            if table.width.is_some_and(|w| w != info.arity) {
                continue;
            }
            let table = RawTable { width: Some(info.arity), ..table };
            let table_width = info.arity;
            self.check_table_rows(&table, table_width);
            let info = &self.program.preds[pred as usize];
            let temporal = info.temporal;
            let (data, width) = if temporal {
                // Loaded rows carry no `@`: add the hidden time column, undated.
                let always = self.interner.intern(Value::Undated);
                let mut data = Vec::with_capacity(table.lines.len() * (table_width + 1));
                for row in table.data.chunks(table_width.max(1)).take(table.lines.len()) {
                    data.extend_from_slice(if table_width == 0 { &[] } else { row });
                    data.push(always);
                }
                (Arc::new(data), table_width + 1)
            } else {
                (table.data, table_width)
            };
            self.program.loads.push(crate::program::LoadedTable {
                pred,
                file: table.file,
                width,
                data,
                lines: table.lines,
            });
        }
    }
}

#[derive(Clone, Copy)]
enum Def {
    Declared,
    Facts,
    Rules,
    Load,
    Builtin,
}

/// The arity of the first atom named `name` anywhere in the modules.
fn first_use_arity(modules: &[Module], name: &str) -> Option<usize> {
    fn in_literals(lits: &[ast::Literal], name: &str) -> Option<usize> {
        lits.iter().find_map(|l| match l {
            ast::Literal::Positive { atom, .. } | ast::Literal::Negative { atom, .. } if &*atom.pred.name == name => {
                Some(atom.args.len())
            }
            ast::Literal::Aggregate(agg) => in_literals(&agg.body, name),
            _ => None,
        })
    }
    modules.iter().flat_map(|m| &m.statements).find_map(|s| match s {
        Statement::Rule(r) => in_literals(&r.body, name),
        Statement::Query(q) => in_literals(&q.body, name),
        _ => None,
    })
}

/// Every constant of a base fact, a loaded row, a rule head or a comparison in a rule body
/// that is interned: only text is ever looked up here (see `lower::unknown_constants`), so the
/// integers held in their ids (node numbers, counts: most of a large loaded table) are left out.
fn collect_known_constants(program: &mut Program) {
    fn expr_consts(e: &crate::program::Expr, out: &mut IdSet) {
        use crate::program::Expr;
        match e {
            Expr::Const(id) => out.insert(*id),
            Expr::Var(_) | Expr::Dec(_) => {}
            Expr::Neg(e) => expr_consts(e, out),
            Expr::Call(_, args) => args.iter().for_each(|a| expr_consts(a, out)),
            Expr::Binary(_, a, b) => {
                expr_consts(a, out);
                expr_consts(b, out);
            }
        }
    }
    let mut known = IdSet::default();
    for f in &program.facts {
        known.extend(f.row.iter().copied());
    }
    for l in &program.loads {
        known.extend(l.data.iter().copied());
    }
    for r in &program.rules {
        for a in &r.head.args {
            if let crate::program::Arg::Const(id) = a {
                known.insert(*id);
            }
        }
        for l in &r.body {
            if let crate::program::Literal::Compare { lhs, rhs, .. } = l {
                expr_consts(lhs, &mut known);
                expr_consts(rhs, &mut known);
            }
        }
    }
    program.known_constants = Arc::new(known);
}

/// Numbers each rule among the rules of its head predicate (`#1`, `#2`, ...).
fn number_rules(program: &mut Program) {
    let mut counts: FxHashMap<PredId, usize> = FxHashMap::default();
    for rule in &mut program.rules {
        let n = counts.entry(rule.head.pred).or_insert(0);
        *n += 1;
        rule.nth_for_pred = *n;
    }
}

fn arity_mismatch(name: &ast::Ident, arity: usize, first: &PredInfo) -> Diagnostic {
    if let Some(decl) = &first.decl {
        return Diagnostic::error(
            "check::declared_arity",
            format!(
                "`{}` is declared with {} argument{}, but used with {arity} here",
                name.name,
                first.arity,
                plural(first.arity)
            ),
        )
        .at(name.span)
        .label(format!("{}/{arity}", name.name))
        .note(decl.span, format!("declared as `{}` here", decl.signature(&first.name)))
        .help("give it the declared arguments, or change the declaration");
    }
    Diagnostic::error(
        "check::arity_mismatch",
        format!("`{}` is used with {arity} argument{} here but {} elsewhere", name.name, plural(arity), first.arity),
    )
    .at(name.span)
    .label(format!("{}/{arity}", name.name))
    .note(first.span, format!("first used as `{}/{}` here", first.name, first.arity))
    .help("a predicate has one arity everywhere; rename one of them")
}

fn undefined_predicate(
    name: &ast::Ident,
    arity: usize,
    preds: &[PredInfo],
    hints: &mut FxHashMap<String, Option<String>>,
) -> Diagnostic {
    let mut d = Diagnostic::error(
        "check::undefined_predicate",
        format!("no fact, rule or load defines `{}/{arity}`", name.name),
    )
    .at(name.span)
    .label("undefined");
    let wanted = format!("{}/{arity}", name.name);
    // Once per distinct name: a misspelling used 10,000 times is compared with every
    // predicate once, not 10,000 times.
    let best = hints.entry(wanted).or_insert_with_key(|wanted| {
        let names: Vec<String> = preds.iter().map(|p| format!("{}/{}", p.name, p.arity)).collect();
        closest(wanted, names.iter().map(String::as_str)).map(str::to_string)
    });
    if let Some(best) = best {
        d = d.help(format!("did you mean `{best}`?"));
    }
    d
}

/// `an actor`, `a number`.
fn article(word: &str) -> String {
    let vowel = word.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {word}", if vowel { "an" } else { "a" })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A backwards interval (`1995..1990`) as an error: in a fact, a rule, a query or a command
/// line option alike.
pub(crate) fn bad_interval(interval: Interval, span: Span) -> Option<Diagnostic> {
    let (Some(a), Some(b)) = (interval.start, interval.end) else { return None };
    (!interval.is_valid()).then(|| {
        Diagnostic::error("check::bad_interval", format!("interval {a}..{b} starts after it ends"))
            .at(span)
            .help(format!("write {b}..{a} if that is meant"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_finds_typos_only() {
        let names = ["endured/2", "alliance/3", "period/1"];
        assert_eq!(closest("endure/2", names.iter().copied()), Some("endured/2"));
        assert_eq!(closest("zebra/9", names.iter().copied()), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
