//! The checked program: what `check` produces and `eval`/`explain` consume.
//!
//! Predicates are numbered ([`PredId`]), constants interned ([`Id`]), variables numbered per
//! rule, and every rule and fact remembers its span so explanations can cite it. Expressions in
//! atom arguments have been desugared into fresh variables plus `=` literals, so an atom's
//! arguments are only variables and constants.

pub mod citations;

use std::sync::Arc;

use crate::ast::{AggFunc, BinOp, CmpOp, Func, Span, TimeOp};
use crate::value::{Id, Interval};

pub type PredId = u32;

/// The built-in predicates and their arities: relations computed from the entity graph of the
/// base facts (`crate::graph::builtin_rows`). The `graph:` prefix cannot be defined by users.
pub const BUILTINS: &[(&str, usize)] = &[
    ("graph:link", 3),
    ("graph:degree", 2),
    ("graph:component", 2),
    ("graph:distance", 3),
    // Sources and citations as relations (`citations`).
    ("evidence:source", 3),
    ("evidence:cites", 4),
    // The violations of the constraints (`crate::evidence::constraints`), for queries only.
    ("check:violation", 3),
];

/// The built-in relation that lists the violations of constraints
/// (`crate::evidence::constraints`); only queries may use it (rules run before the violations
/// are known).
pub const VIOLATION_RELATION: &str = "check:violation";

pub type Var = u32;

/// How a predicate is defined, for `:preds` and the "did you mean" hints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Definedness {
    pub by_facts: bool,
    pub by_rules: bool,
    pub by_load: bool,
    /// A built-in relation (`graph:link`, ...).
    pub builtin: bool,
    /// A `pred` declaration: without facts or rules it is an empty relation.
    pub declared: bool,
}

/// What a `pred` declaration says about a predicate (see `docs/modeling.md`).
#[derive(Debug, Clone, PartialEq)]
pub struct PredDecl {
    pub args: Vec<ArgInfo>,
    /// Its facts and rule heads may carry `@`.
    pub dated: bool,
    /// Entity-kind arguments must name declared entities of their kind.
    pub strict: bool,
    /// `key(sender, host)`: the positions of the key arguments. The predicate is functional:
    /// two facts with the same key and different other arguments must not hold at
    /// overlapping times (`crate::evidence::constraints`).
    pub key: Option<Vec<usize>>,
    /// The `%%` doc comment above the declaration.
    pub doc: Option<Arc<str>>,
    pub span: Span,
}

/// A declared argument: its name and, if given, its type.
#[derive(Debug, Clone, PartialEq)]
pub struct ArgInfo {
    pub name: Arc<str>,
    pub ty: Option<ArgType>,
}

/// The type of a declared argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgType {
    /// An entity of a kind (`actor`, `period`, or a kind declared with `kind`).
    Kind(Arc<str>),
    /// `entity`: an entity of any kind (a node of the entity graph, never checked by `strict`).
    Entity,
    Number,
    Text,
    Time,
}

impl ArgType {
    pub fn name(&self) -> &str {
        match self {
            ArgType::Kind(k) => k,
            ArgType::Entity => "entity",
            ArgType::Number => "number",
            ArgType::Text => "text",
            ArgType::Time => "time",
        }
    }
}

impl PredDecl {
    /// `aid(giver: actor, receiver: actor, kind, amount: number, precision) dated`
    pub fn signature(&self, name: &str) -> String {
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| match &a.ty {
                Some(t) => format!("{}: {}", a.name, t.name()),
                None => a.name.to_string(),
            })
            .collect();
        let mut out = format!("{name}({})", args.join(", "));
        if self.dated {
            out.push_str(" dated");
        }
        if self.strict {
            out.push_str(" strict");
        }
        if let Some(key) = &self.key {
            let names: Vec<&str> = key.iter().map(|&i| &*self.args[i].name).collect();
            out.push_str(&format!(" key({})", names.join(", ")));
        }
        out
    }
}

#[derive(Debug, Clone)]
pub struct PredInfo {
    pub name: Arc<str>,
    /// The user-visible arity (without the hidden interval column).
    pub arity: usize,
    /// Whether any fact or rule head of this predicate carries a time: then its relation has a
    /// hidden last column holding the time (`Value::Undated` for facts without `@`).
    pub temporal: bool,
    pub defined: Definedness,
    /// Where the predicate first appears.
    pub span: Span,
    /// Its `pred` declaration, if it has one.
    pub decl: Option<Arc<PredDecl>>,
}

impl PredInfo {
    /// Columns stored per row, the hidden interval column included.
    pub fn width(&self) -> usize {
        self.arity + usize::from(self.temporal)
    }
}

/// An argument of an atom after desugaring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arg {
    Var(Var),
    Const(Id),
}

/// An expression over bound variables.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Var(Var),
    Const(Id),
    /// A decimal literal, kept as written: interned, `2.0` would be the integer `2`, and
    /// `X / 2.0` must still divide as decimals.
    Dec(f64),
    Neg(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
}

impl Expr {
    pub fn vars(&self, out: &mut Vec<Var>) {
        match self {
            Expr::Var(v) => out.push(*v),
            Expr::Const(_) | Expr::Dec(_) => {}
            Expr::Neg(e) => e.vars(out),
            Expr::Call(_, args) => args.iter().for_each(|a| a.vars(out)),
            Expr::Binary(_, a, b) => {
                a.vars(out);
                b.vars(out);
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AtomIr {
    pub pred: PredId,
    /// The user-visible arguments.
    pub args: Vec<Arg>,
    /// `@ T`: the hidden interval column (for a predicate that is not temporal, `@ T` binds
    /// `T` to the always-interval).
    pub time: Option<Arg>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Positive(AtomIr),
    Negative(AtomIr),
    /// `=` with exactly one side an unbound variable is an assignment; otherwise a test.
    Compare {
        op: CmpOp,
        lhs: Expr,
        rhs: Expr,
        span: Span,
    },
    Temporal {
        op: TimeOp,
        lhs: Expr,
        rhs: Expr,
        span: Span,
    },
    Aggregate(Box<AggregateIr>),
}

impl Literal {
    pub fn span(&self) -> Span {
        match self {
            Literal::Positive(a) | Literal::Negative(a) => a.span,
            Literal::Compare { span, .. } | Literal::Temporal { span, .. } => *span,
            Literal::Aggregate(a) => a.span,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AggregateIr {
    pub func: AggFunc,
    /// Where the result goes: a variable (bound here, or compared if bound before) or a constant.
    pub result: Expr,
    pub target: Option<Expr>,
    pub body: Vec<Literal>,
    /// The variables of the body shared with the rest of the rule: the group key.
    pub group: Vec<Var>,
    /// Every variable the body binds (anonymous positions included): distinct matches are
    /// distinct assignments of these.
    pub local: Vec<Var>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RuleIr {
    pub head: AtomIr,
    pub body: Vec<Literal>,
    /// Variable names by number (`_` and desugared temporaries get names like `_1`).
    pub var_names: Vec<Arc<str>>,
    pub label: Option<Arc<str>>,
    pub doc: Option<Arc<str>>,
    pub cites: Vec<CitationIr>,
    pub span: Span,
    /// 1-based position among the rules of its head predicate (`#2` in why-not messages).
    pub nth_for_pred: usize,
}

impl RuleIr {
    pub fn n_vars(&self) -> usize {
        self.var_names.len()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CitationIr {
    pub source: Arc<str>,
    pub quote: Arc<str>,
    pub quote_span: Span,
}

/// Where a base fact came from.
#[derive(Debug, Clone)]
pub enum FactOrigin {
    /// A fact (or entity declaration) in a `.kb` file.
    Stated { span: Span, cites: Vec<CitationIr>, doc: Option<Arc<str>> },
    /// Line `line` of a data file read by `load` (index into `Program::loads`).
    Row { load: u32, line: u32 },
}

/// A ground fact from a `.kb` file, interned.
#[derive(Debug, Clone)]
pub struct BaseFact {
    pub pred: PredId,
    /// The full row, the hidden interval column included.
    pub row: Vec<Id>,
    pub origin: u32,
}

/// A data file read by `load`, already parsed into rows.
#[derive(Debug, Clone)]
pub struct LoadedTable {
    pub pred: PredId,
    /// The data file as the user named it, for explanations.
    pub file: Arc<str>,
    pub width: usize,
    /// Row-major ids, `width` per row.
    pub data: Arc<Vec<Id>>,
    /// The 1-based line of each row in the data file.
    pub lines: LineNumbers,
}

/// The 1-based data-file line of each row of a table, kept as runs of consecutive lines: a
/// file without blank or comment lines costs one run, not four bytes per row.
///
/// ```
/// use because::program::LineNumbers;
///
/// let lines: LineNumbers = [1, 2, 3, 7, 8].into_iter().collect();
/// assert_eq!((lines.len(), lines.get(2), lines.get(3), lines.get(4)), (5, 3, 7, 8));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineNumbers {
    /// `(first row, its line)`; a run's later rows are on the following lines.
    runs: Vec<(u32, u32)>,
    len: u32,
}

impl LineNumbers {
    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The line of row `row` (`row < len`).
    pub fn get(&self, row: usize) -> u32 {
        let row = row as u32;
        let run = self.runs.partition_point(|&(first, _)| first <= row).saturating_sub(1);
        let (first, line) = self.runs.get(run).copied().unwrap_or((0, 0));
        line + (row - first)
    }

    /// Adds the line of the next row.
    pub fn push(&mut self, line: u32) {
        match self.runs.last() {
            Some(&(first, start)) if start.wrapping_add(self.len - first) == line => {}
            _ => self.runs.push((self.len, line)),
        }
        self.len += 1;
    }

    pub fn to_vec(&self) -> Vec<u32> {
        (0..self.len()).map(|row| self.get(row)).collect()
    }
}

impl FromIterator<u32> for LineNumbers {
    fn from_iter<I: IntoIterator<Item = u32>>(lines: I) -> LineNumbers {
        let mut numbers = LineNumbers::default();
        for line in lines {
            numbers.push(line);
        }
        numbers
    }
}

#[derive(Debug, Clone)]
pub struct QueryIr {
    pub kind: crate::ast::QueryKind,
    /// `whatif CHANGES :`: the hypothetical world the query is asked in (empty: the real one).
    pub what_if: Vec<crate::ast::Change>,
    pub body: Vec<Literal>,
    /// The answer columns: named variables in order of first appearance.
    pub columns: Vec<(Var, Arc<str>)>,
    pub var_names: Vec<Arc<str>>,
    pub text: String,
    pub span: Span,
    /// What a query parsed on its own (not stated in a loaded file) keeps to itself: the
    /// constants the shared interner lacked and the query's text as a source file. `None` for
    /// a stated query, whose constants were interned with its file.
    pub scratch: Option<Arc<QueryScratch>>,
    /// Warnings about a query parsed on its own (a constant that appears nowhere), rendered
    /// against `scratch`'s sources. A stated query's warnings are the load's.
    pub warnings: crate::diag::Diagnostics,
}

/// A parsed query's own constants and text, kept beside the shared state rather than in it.
#[derive(Debug)]
pub struct QueryScratch {
    /// An overlay over the interner of the state the query was parsed against.
    pub interner: Arc<crate::value::Interner>,
    /// That state's files and the query's own text.
    pub sources: crate::source::SourceMap,
}

#[derive(Debug, Clone)]
pub struct EntityInfo {
    pub name: Arc<str>,
    pub kind: Arc<str>,
    pub label: Option<Arc<str>>,
    pub time: Option<Interval>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct SourceInfo {
    pub name: Arc<str>,
    pub title: Arc<str>,
    pub file: Option<Arc<str>>,
    /// `grade B2` (the Admiralty scale); `None`: ungraded.
    pub grade: Option<crate::ast::Grade>,
    pub span: Span,
}

/// A checked denial, `[label] never "message" :- body.`: its body is lowered as a select query
/// whose answers are the violations.
#[derive(Debug, Clone)]
pub struct DenialIr {
    /// The label, or `never` without one.
    pub name: Arc<str>,
    pub message: Arc<str>,
    pub body: QueryIr,
    pub doc: Option<Arc<str>>,
    pub span: Span,
}

/// One stratum: predicates evaluated together, after every stratum they depend on.
#[derive(Debug, Clone, Default)]
pub struct Stratum {
    pub preds: Vec<PredId>,
    /// Indices into `Program::rules` of the rules whose head is in this stratum.
    pub rules: Vec<usize>,
    /// Whether some rule depends on a predicate of this same stratum.
    pub recursive: bool,
}

/// A checked program, ready to evaluate.
#[derive(Debug, Clone, Default)]
pub struct Program {
    pub preds: Vec<PredInfo>,
    pub rules: Vec<RuleIr>,
    pub strata: Vec<Stratum>,
    /// The stratum of each predicate.
    pub stratum_of: Vec<usize>,
    pub facts: Vec<BaseFact>,
    pub origins: Vec<FactOrigin>,
    pub loads: Vec<LoadedTable>,
    pub queries: Vec<QueryIr>,
    pub entities: Vec<EntityInfo>,
    pub sources: Vec<SourceInfo>,
    /// The denials (`never "..." :- body.`), checked after evaluation.
    pub denials: Vec<DenialIr>,
    /// Every constant of a base fact, a loaded row, a rule head or a rule's comparison: a
    /// query constant outside it can match nothing (`check::unknown_constant`). Integers held
    /// in their ids are left out of base facts and loaded rows: only text is looked up.
    pub known_constants: Arc<IdSet>,
    /// The rows of `loads` moved into the relations of a final evaluation
    /// ([`crate::eval::evaluate_final`]): the tables keep their files and line numbers only, so
    /// nothing can be evaluated from them again (a change, a what-if world).
    pub tables_released: bool,
}

/// A set of interned ids, one bit each: interned ids count up from 0, so a set of most of
/// them (the text of a large loaded table) takes an eighth of a byte per constant of the
/// interner rather than a hash table's five or more per member. Ids that hold an integer
/// (`0x8000_0000` and above) are never members.
///
/// ```
/// use because::program::IdSet;
///
/// let mut set = IdSet::default();
/// set.extend([3, 70, 3, 0x8000_0005]);
/// assert!(set.contains(3) && set.contains(70) && !set.contains(4) && !set.contains(1_000_000));
/// assert!(!set.contains(0x8000_0005), "an id that holds an integer");
/// assert_eq!(set.iter().collect::<Vec<_>>(), [3, 70]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdSet {
    words: Vec<u64>,
}

impl IdSet {
    pub fn insert(&mut self, id: Id) {
        if crate::value::inline_int(id).is_some() {
            return;
        }
        let word = id as usize / 64;
        if word >= self.words.len() {
            self.words.resize(word + 1, 0);
        }
        self.words[word] |= 1 << (id % 64);
    }

    pub fn contains(&self, id: Id) -> bool {
        self.words.get(id as usize / 64).is_some_and(|w| w & (1 << (id % 64)) != 0)
    }

    /// The members in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = Id> + '_ {
        self.words
            .iter()
            .enumerate()
            .flat_map(|(i, &w)| (0..64).filter(move |b| w & (1 << b) != 0).map(move |b| (i * 64 + b) as Id))
    }
}

impl Extend<Id> for IdSet {
    fn extend<I: IntoIterator<Item = Id>>(&mut self, ids: I) {
        ids.into_iter().for_each(|id| self.insert(id));
    }
}

impl Program {
    /// How many constraints the program has: its denials and its keys.
    pub fn constraint_count(&self) -> usize {
        self.denials.len() + self.preds.iter().filter(|p| p.decl.as_ref().is_some_and(|d| d.key.is_some())).count()
    }

    pub fn pred_id(&self, name: &str, arity: usize) -> Option<PredId> {
        self.preds.iter().position(|p| &*p.name == name && p.arity == arity).map(|i| i as PredId)
    }

    pub fn pred(&self, id: PredId) -> &PredInfo {
        &self.preds[id as usize]
    }

    /// The rules whose head is `pred`, in source order.
    pub fn rules_for(&self, pred: PredId) -> impl Iterator<Item = (usize, &RuleIr)> {
        self.rules.iter().enumerate().filter(move |(_, r)| r.head.pred == pred)
    }
}
