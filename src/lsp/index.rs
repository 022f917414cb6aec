//! What the editor features read: the parsed files of one open document (the document and the
//! files it includes), and every place a name occurs in them.
//!
//! The index is built from the same loader a load uses, so it sees exactly the statements a
//! check sees, including the good statements of a file with parse errors. Names are found by
//! walking the AST on demand rather than stored: a 100k-fact file would otherwise keep a
//! table of several hundred thousand occurrences that most requests never read.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::ast::{Atom, Expr, Literal, Module, Statement};
use crate::kb::ALLIANCE;
use crate::load::Loader;
use crate::source::{FileId, SourceMap, Span};
use crate::value::Interner;

use super::text::LineIndex;

/// A name the features know: what hover describes, definition finds, rename changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sym {
    /// A predicate by name and arity (`endured/2`); kinds of entity are predicates of arity 1.
    Pred(String, usize),
    /// A bare symbol constant (`rok`), declared or not.
    Entity(String),
    /// A source of citations (`seed`).
    Source(String),
    /// A rule's label (`[endurance]`).
    Label(String),
}

impl Sym {
    pub fn name(&self) -> &str {
        match self {
            Sym::Pred(n, _) | Sym::Entity(n) | Sym::Source(n) | Sym::Label(n) => n,
        }
    }
}

/// What an occurrence does: states the name's meaning somewhere, or uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A declaration: `source`, `kind`, an entity declaration, a `load` of a predicate.
    Decl,
    /// The head of a rule (or the label of one).
    Rule,
    /// The atom of a fact.
    Fact,
    /// Any other use.
    Use,
}

/// One open document's view: its files, parsed.
pub struct Index {
    pub sources: SourceMap,
    pub modules: Vec<Module>,
    /// The document's own file in `sources`.
    pub root: FileId,
    lines: Vec<OnceCell<LineIndex>>,
    load_arity: Vec<(Span, usize)>,
}

impl Index {
    /// Parses `path` and what it includes, reading `unsaved` texts instead of the disk.
    pub fn build(path: &Path, unsaved: &[(PathBuf, Arc<str>)]) -> Index {
        let mut sources = SourceMap::default();
        let mut interner = Interner::default();
        let mut loader = Loader::new(&mut sources, &mut interner, ALLIANCE);
        loader.unsaved = unsaved;
        loader.load_path(path);
        // Each plain fact as a statement of its own (`syntax::statements`): an editor points at
        // one fact, and an open document's files are small beside a knowledge base's.
        let modules = std::mem::take(&mut loader.out.modules)
            .into_iter()
            .map(|m| Module { statements: crate::syntax::statements(&m).map(|s| s.into_owned()).collect(), ..m })
            .collect();
        let load_arity = loader.out.tables.iter().filter_map(|t| Some((t.pred.span, t.width?))).collect();
        let lines = (0..sources.len()).map(|_| OnceCell::new()).collect();
        Index { sources, modules, root: FileId(0), lines, load_arity }
    }

    fn cx(&self) -> Ctx<'_> {
        Ctx { sources: &self.sources, load_arity: &self.load_arity }
    }

    pub fn text(&self, file: FileId) -> &str {
        &self.sources.get(file).text
    }

    /// The path a file was read from (a data file's name when it has none).
    pub fn path(&self, file: FileId) -> PathBuf {
        let f = self.sources.get(file);
        f.path.clone().unwrap_or_else(|| PathBuf::from(&f.name))
    }

    pub fn lines(&self, file: FileId) -> Option<&LineIndex> {
        let cell = self.lines.get(file.0 as usize)?;
        Some(cell.get_or_init(|| LineIndex::new(self.text(file))))
    }

    /// The module of one file.
    pub fn module(&self, file: FileId) -> Option<&Module> {
        self.modules.iter().find(|m| m.file == file)
    }

    /// The statement of `file` that covers byte `offset`.
    pub fn statement_at(&self, file: FileId, offset: usize) -> Option<&Statement> {
        let statements = &self.module(file)?.statements;
        let i = statements.partition_point(|s| (s.span().end as usize) < offset);
        statements.get(i).filter(|s| s.span().start as usize <= offset)
    }

    /// The name at byte `offset` of `file`, with the span of its occurrence.
    pub fn sym_at(&self, file: FileId, offset: usize) -> Option<(Sym, Span, Role)> {
        let stmt = self.statement_at(file, offset)?;
        let mut found = None;
        visit_statement(stmt, self.cx(), &mut |sym, span, role| {
            if found.is_none() && span.start as usize <= offset && offset <= span.end as usize {
                found = Some((sym.to_owned(), span, role));
            }
        });
        found
    }

    /// Every occurrence of every name, in file order.
    pub fn visit(&self, f: &mut dyn FnMut(SymRef<'_>, Span, Role)) {
        for module in &self.modules {
            for stmt in &module.statements {
                visit_statement(stmt, self.cx(), f);
            }
        }
    }

    /// Every occurrence of one name.
    pub fn occurrences(&self, sym: &Sym) -> Vec<(Span, Role)> {
        let mut out = Vec::new();
        self.visit(&mut |s, span, role| {
            if s.is(sym) {
                out.push((span, role));
            }
        });
        out
    }
}

/// The arity of a loaded predicate whose data file has no rows: it matches any arity.
pub const ANY_ARITY: usize = usize::MAX;

/// A name as the walk finds it, borrowed from the AST.
#[derive(Debug, Clone, Copy)]
pub enum SymRef<'a> {
    Pred(&'a str, usize),
    Entity(&'a str),
    Source(&'a str),
    Label(&'a str),
}

impl SymRef<'_> {
    pub fn to_owned(self) -> Sym {
        match self {
            SymRef::Pred(n, a) => Sym::Pred(n.to_string(), a),
            SymRef::Entity(n) => Sym::Entity(n.to_string()),
            SymRef::Source(n) => Sym::Source(n.to_string()),
            SymRef::Label(n) => Sym::Label(n.to_string()),
        }
    }

    pub fn is(self, sym: &Sym) -> bool {
        match (self, sym) {
            (SymRef::Pred(n, a), Sym::Pred(m, b)) => n == m && (a == *b || a == ANY_ARITY || *b == ANY_ARITY),
            (SymRef::Entity(n), Sym::Entity(m)) | (SymRef::Source(n), Sym::Source(m)) => n == m,
            (SymRef::Label(n), Sym::Label(m)) => n == m,
            _ => false,
        }
    }
}

type Visitor<'v> = dyn FnMut(SymRef<'_>, Span, Role) + 'v;

/// What the walk needs besides the AST.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    sources: &'a SourceMap,
    /// The arity of each loaded predicate, by the span of its name in the `load` statement.
    load_arity: &'a [(Span, usize)],
}

fn visit_statement(stmt: &Statement, cx: Ctx<'_>, f: &mut Visitor<'_>) {
    match stmt {
        // Not in an index: `Index::build` reads each plain fact as a statement.
        Statement::PlainFacts(_) => {}
        Statement::Source(s) => f(SymRef::Source(&s.name.name), s.name.span, Role::Decl),
        Statement::Kind(k) => f(SymRef::Pred(&k.name.name, 1), k.name.span, Role::Decl),
        Statement::Entity(e) => {
            f(SymRef::Pred(&e.kind.name, 1), e.kind.span, Role::Use);
            f(SymRef::Entity(&e.name.name), e.name.span, Role::Decl);
            for c in &e.cites {
                f(SymRef::Source(&c.source.name), c.source.span, Role::Use);
            }
        }
        Statement::Fact(fact) => {
            visit_atom(&fact.atom, Role::Fact, cx, f);
            for c in &fact.cites {
                f(SymRef::Source(&c.source.name), c.source.span, Role::Use);
            }
        }
        Statement::Rule(rule) => {
            if let Some(label) = &rule.label {
                f(SymRef::Label(&label.name), label.span, Role::Rule);
            }
            visit_atom(&rule.head, Role::Rule, cx, f);
            if let Some(t) = &rule.head_time {
                visit_expr(t, cx, f);
            }
            rule.body.iter().for_each(|l| visit_literal(l, cx, f));
            for c in &rule.cites {
                f(SymRef::Source(&c.source.name), c.source.span, Role::Use);
            }
        }
        Statement::Query(q) => q.body.iter().for_each(|l| visit_literal(l, cx, f)),
        Statement::Denial(d) => {
            if let Some(label) = &d.label {
                f(SymRef::Label(&label.name), label.span, Role::Rule);
            }
            d.body.iter().for_each(|l| visit_literal(l, cx, f))
        }
        Statement::Load(l) => {
            // A data file without rows says nothing of the arity: the name alone is matched.
            let arity = cx.load_arity.iter().find(|(s, _)| *s == l.pred.span).map_or(ANY_ARITY, |&(_, a)| a);
            f(SymRef::Pred(&l.pred.name, arity), l.pred.span, Role::Decl)
        }
        // A retraction names a fact of the predicate: a use of it and of its constants.
        Statement::Retract(r) => visit_atom(&r.fact.atom, Role::Use, cx, f),
        // A declaration is where a predicate is defined (its arguments' kinds are uses).
        Statement::Pred(d) => {
            f(SymRef::Pred(&d.name.name, d.args.len()), d.name.span, Role::Decl);
            let kinds = d.args.iter().filter_map(|a| a.ty.as_ref());
            for ty in kinds.filter(|t| !matches!(&*t.name, "number" | "text" | "time" | "entity")) {
                f(SymRef::Pred(&ty.name, 1), ty.span, Role::Use);
            }
        }
        Statement::Include(_) => {}
    }
}

fn visit_atom(atom: &Atom, role: Role, cx: Ctx<'_>, f: &mut Visitor<'_>) {
    f(SymRef::Pred(&atom.pred.name, atom.args.len()), atom.pred.span, role);
    atom.args.iter().for_each(|e| visit_expr(e, cx, f));
}

fn visit_literal(lit: &Literal, cx: Ctx<'_>, f: &mut Visitor<'_>) {
    match lit {
        Literal::Positive { atom, time, .. } | Literal::Negative { atom, time, .. } => {
            visit_atom(atom, Role::Use, cx, f);
            if let Some(t) = time {
                visit_expr(t, cx, f);
            }
        }
        Literal::Compare { lhs, rhs, .. } | Literal::Temporal { lhs, rhs, .. } => {
            visit_expr(lhs, cx, f);
            visit_expr(rhs, cx, f);
        }
        Literal::Aggregate(a) => {
            visit_expr(&a.result, cx, f);
            if let Some(t) = &a.target {
                visit_expr(t, cx, f);
            }
            a.body.iter().for_each(|l| visit_literal(l, cx, f));
        }
    }
}

fn visit_expr(e: &Expr, cx: Ctx<'_>, f: &mut Visitor<'_>) {
    match e {
        // Only a bare name is an entity to rename: a string with the same text is the same
        // constant, but its quotes are the user's choice to keep.
        Expr::Const(_, span) => {
            let text = cx.sources.snippet(*span);
            if text.starts_with(|c: char| c.is_ascii_lowercase()) {
                f(SymRef::Entity(text), *span, Role::Use);
            }
        }
        Expr::Neg(inner, _) => visit_expr(inner, cx, f),
        Expr::Call { args, .. } => args.iter().for_each(|a| visit_expr(a, cx, f)),
        Expr::Binary { lhs, rhs, .. } => {
            visit_expr(lhs, cx, f);
            visit_expr(rhs, cx, f);
        }
        Expr::Var(_) | Expr::Wildcard(_) | Expr::Param(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(text: &str) -> Index {
        let path = PathBuf::from("/unsaved/t.kb");
        Index::build(&path, &[(path.clone(), Arc::from(text))])
    }

    #[test]
    fn names_and_their_roles() {
        let text = "% Invented.\nsource s \"Ünïcode title\".\nkind city.\ncity paris \"Paris\".\n\
                    p(paris, \"paris\") cite s \"q\".\n[lab] q(X) :- p(X, _), city(X).\n?- q(paris).\n";
        let ix = index(text);
        let at = |needle: &str, nth: usize| text.match_indices(needle).nth(nth).unwrap().0;
        let sym = |offset| ix.sym_at(ix.root, offset).map(|(s, _, r)| (s, r));
        assert_eq!(sym(at("paris", 0)), Some((Sym::Entity("paris".into()), Role::Decl)));
        assert_eq!(sym(at("city", 1)), Some((Sym::Pred("city".into(), 1), Role::Use)));
        assert_eq!(sym(at("s \"q", 0)), Some((Sym::Source("s".into()), Role::Use)));
        assert_eq!(sym(at("lab", 0)), Some((Sym::Label("lab".into()), Role::Rule)));
        assert_eq!(sym(at("p(X", 0)), Some((Sym::Pred("p".into(), 2), Role::Use)));
        // The string "paris" is the same constant, but not a name to rename.
        assert_eq!(sym(at("\"paris\"", 0) + 1), None);
        let paris: Vec<Role> = ix.occurrences(&Sym::Entity("paris".into())).into_iter().map(|(_, r)| r).collect();
        assert_eq!(paris, [Role::Decl, Role::Use, Role::Use]);
        // `kind city.` declares the predicate the entity declaration and the rule use.
        assert_eq!(ix.occurrences(&Sym::Pred("city".into(), 1)).len(), 3);
    }
}
