//! The abstract syntax tree of the `.kb` language: what `syntax` produces and `check` consumes.
//!
//! Every node carries a [`Span`] so that any later stage can point back at the text it came
//! from. The AST holds no interned ids and knows nothing about evaluation; constants are plain
//! [`Value`]s.

use std::sync::Arc;

pub use crate::source::{FileId, Span};
pub use crate::value::{Interval, Value};

/// One parsed file (or REPL input, or `-e` string): its statements in order, and its text,
/// from which the plain facts of a [`PlainFacts`] run are read again.
#[derive(Debug, Clone, Default)]
pub struct Module {
    pub file: FileId,
    pub statements: Vec<Statement>,
    /// The text parsed (shared with the source map), which the spans point into.
    pub text: Arc<str>,
}

impl Module {
    /// How many statements the module has, each fact of a [`PlainFacts`] run counted.
    pub fn n_statements(&self) -> usize {
        self.statements.iter().map(|s| if let Statement::PlainFacts(run) = s { run.facts.len() } else { 1 }).sum()
    }
}

/// Plain facts in a row, as `syntax` found them: each a fact on one line with constant
/// arguments only (no time, citation or doc comment), kept as where it starts and its
/// predicate rather than as a [`Fact`]. A file of a million facts keeps 8 bytes a fact here
/// instead of some 400 (a `Statement`, its arguments, each text argument's allocation);
/// `syntax::plain_facts` reads each again from the module's text, the same [`Fact`] as the
/// first time, spans included.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlainFacts {
    /// The predicates of the run's facts: name and arity.
    pub preds: Vec<(Arc<str>, u32)>,
    /// Each fact: where its text starts, and its predicate (an index in `preds`).
    pub facts: Vec<(u32, u32)>,
    /// Where the last fact's text ends.
    pub end: u32,
    pub file: FileId,
}

impl PlainFacts {
    /// Fact `i`'s predicate: its name, written at `span`, and its arity.
    pub fn pred(&self, i: usize) -> (Ident, usize) {
        let (start, pred) = self.facts[i];
        let (name, arity) = &self.preds[pred as usize];
        let span = Span::new(self.file, start as usize, start as usize + name.len());
        (Ident { name: name.clone(), span }, *arity as usize)
    }
}

#[derive(Debug, Clone)]
pub enum Statement {
    /// `source seed "Title" [file "essay.txt"].`
    Source(SourceDecl),
    /// `kind alliance.` declares a kind of entity of one's own.
    Kind(KindDecl),
    /// `actor rok "Republic of Korea" [@ 1948..].`, or `K name ...` for a declared kind `K`.
    Entity(EntityDecl),
    /// A ground fact: `p(a, 1) [@ I] [cite S "quote"]...`.
    Fact(Fact),
    /// Plain one-line facts in a row, kept compactly (see [`PlainFacts`]).
    PlainFacts(PlainFacts),
    /// `[label] head [@ T] :- body [cite S "quote"].`
    Rule(Rule),
    /// `?- body.`, `?- why atom.`, `?- why not atom.`
    Query(Query),
    /// `load edge from "edges.tsv".`
    Load(LoadDecl),
    /// `include "rules.kb".`
    Include(IncludeDecl),
    /// `retract p(a) [@ I].`: the stated facts it matches, loaded before it, are removed.
    Retract(Retraction),
    /// `pred aid(giver: actor, ..., precision) dated.`: a predicate's declaration.
    Pred(PredDecl),
    /// `[label] never "message" :- body.`: a body that must never hold.
    Denial(Denial),
}

impl Statement {
    pub fn span(&self) -> Span {
        match self {
            Statement::Source(s) => s.span,
            Statement::Kind(s) => s.span,
            Statement::Entity(s) => s.span,
            Statement::Fact(s) => s.span,
            Statement::PlainFacts(run) => {
                Span::new(run.file, run.facts.first().map_or(run.end, |f| f.0) as usize, run.end as usize)
            }
            Statement::Rule(s) => s.span,
            Statement::Query(s) => s.span,
            Statement::Load(s) => s.span,
            Statement::Include(s) => s.span,
            Statement::Retract(s) => s.span,
            Statement::Pred(s) => s.span,
            Statement::Denial(s) => s.span,
        }
    }
}

/// A name as written, with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: Arc<str>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct SourceDecl {
    pub name: Ident,
    pub title: String,
    /// The document's file, relative to the file that declares the source.
    pub file: Option<(String, Span)>,
    /// `grade B2`: the source's Admiralty grade, with where it was written.
    pub grade: Option<(Grade, Span)>,
    pub span: Span,
}

/// A source's grade on the Admiralty (NATO) scale: how reliable the source is, `A`
/// (completely reliable) to `F` (reliability cannot be judged), and how credible its
/// information, `1` (confirmed by other sources) to `6` (truth cannot be judged). Either may be
/// left out (`grade B`); a part left out counts as the weakest (`F`, `6`), as does a source
/// without a grade (see `docs/modeling.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Grade {
    /// `b'A'..=b'F'`.
    pub reliability: u8,
    /// `1..=6`, or `None` when only the letter was given.
    pub credibility: Option<u8>,
}

impl Grade {
    /// Reads `B2`, `B` or `A1`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Grade> {
        let mut chars = text.chars();
        let letter = chars.next().filter(|c| ('A'..='F').contains(c))?;
        let credibility = match chars.next() {
            None => None,
            Some(d @ '1'..='6') => Some(d as u8 - b'0'),
            Some(_) => return None,
        };
        chars.next().is_none().then_some(Grade { reliability: letter as u8, credibility })
    }

    /// The grade as written: `B2`, or `B` when only the letter was given.
    pub fn text(self) -> String {
        let letter = char::from(self.reliability);
        match self.credibility {
            Some(d) => format!("{letter}{d}"),
            None => letter.to_string(),
        }
    }

    /// A rank where larger is weaker: the letter first, then the digit (a missing digit is 6).
    pub fn weakness(grade: Option<Grade>) -> (u8, u8) {
        match grade {
            Some(g) => (g.reliability, g.credibility.unwrap_or(6)),
            None => (b'F', 6),
        }
    }

    /// Whether a source of grade `grade` meets the bar `self`: its letter at least as good,
    /// and, when the bar has a digit, its digit too. An ungraded source meets only `F`/`F6`.
    pub fn admits(self, grade: Option<Grade>) -> bool {
        let (letter, digit) = Grade::weakness(grade);
        letter <= self.reliability && self.credibility.is_none_or(|bar| digit <= bar)
    }
}

/// `[label] never "message" :- body.`
#[derive(Debug, Clone)]
pub struct Denial {
    pub label: Option<Ident>,
    pub message: String,
    pub body: Vec<Literal>,
    pub doc: Option<String>,
    pub span: Span,
}

/// `pred name(arg: type, ...) [dated] [strict].`, with the `%%` doc comment above it.
#[derive(Debug, Clone)]
pub struct PredDecl {
    pub name: Ident,
    pub args: Vec<ArgDecl>,
    /// `dated`: its facts may carry `@`; a declared predicate without it refuses them.
    pub dated: bool,
    /// `strict`: an argument of an entity kind must name a declared entity of that kind.
    pub strict: bool,
    /// `key(sender, host)`: one value of the other arguments per key at overlapping times.
    pub key: Option<Vec<Ident>>,
    pub doc: Option<String>,
    pub span: Span,
}

/// One argument of a declaration: `giver` or `giver: actor`.
#[derive(Debug, Clone)]
pub struct ArgDecl {
    pub name: Ident,
    pub ty: Option<Ident>,
}

#[derive(Debug, Clone)]
pub struct KindDecl {
    pub name: Ident,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct EntityDecl {
    pub kind: Ident,
    pub name: Ident,
    pub label: Option<String>,
    pub time: Option<(Interval, Span)>,
    pub cites: Vec<Citation>,
    pub doc: Option<String>,
    pub span: Span,
}

/// `cite SOURCE "quote"`: the quote's span is the string literal including its quotes.
#[derive(Debug, Clone)]
pub struct Citation {
    pub source: Ident,
    pub quote: String,
    pub quote_span: Span,
}

#[derive(Debug, Clone)]
pub struct Fact {
    pub atom: Atom,
    /// `@ I`: `None` means the source gives no date (the fact is undated).
    pub time: Option<(Interval, Span)>,
    pub cites: Vec<Citation>,
    pub doc: Option<String>,
    pub span: Span,
}

/// `retract p(a) [@ I].` Without `@` it matches the fact at every interval.
#[derive(Debug, Clone)]
pub struct Retraction {
    /// The fact to remove (no citations).
    pub fact: Fact,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub label: Option<Ident>,
    /// The prose of the `%%` doc comment directly above the rule.
    pub doc: Option<String>,
    pub head: Atom,
    /// `head @ T :- ...` gives the derived fact the interval `T`.
    pub head_time: Option<Expr>,
    pub body: Vec<Literal>,
    pub cites: Vec<Citation>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryKind {
    /// `?- body.`: a table of bindings.
    Select,
    /// `?- why atom.`: proof trees.
    Why,
    /// `?- why not atom.`: why a fact does not hold.
    WhyNot,
}

/// One change that makes a hypothetical world: the text of each part of `whatif CHANGES :`,
/// read and applied by [`crate::evidence`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Without every base fact that matches a pattern, such as
    /// `adaptation(rok_us_alliance, capability, _)` (a variable or `_` matches anything; a
    /// variable named twice matches equal values).
    Without(String),
    /// Without every stated fact that cites this source and no other (a fact also cited by
    /// another source still stands on that one).
    WithoutSource(String),
    /// With one extra ground fact, such as `adaptation(rok_us_alliance, capability, post_cold_war)`.
    With(String),
    /// Only the sources graded this well or better (`B`, `B2`; see [`crate::ast::Grade::admits`]):
    /// without every stated fact that only lower-graded or ungraded sources cite. Facts no
    /// source cites stay.
    MinGrade(String),
}

#[derive(Debug, Clone)]
pub struct Query {
    pub kind: QueryKind,
    /// `whatif CHANGES :` before the query: it is asked in that hypothetical world.
    pub what_if: Vec<Change>,
    /// For `Why`/`WhyNot` the body is exactly one positive atom literal.
    pub body: Vec<Literal>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct LoadDecl {
    pub pred: Ident,
    pub path: String,
    /// `load p from "f.csv" with header.`: the first line names the columns and is skipped.
    pub header: bool,
    pub path_span: Span,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct IncludeDecl {
    /// The path as written; for `use NAME.`, the theory's name.
    pub path: String,
    /// Written `use NAME.`: `path` is a theory's name, which the loader looks up.
    pub theory: bool,
    pub path_span: Span,
    pub span: Span,
}

/// `pred(arg, ...)`; a nullary atom is written `pred` or `pred()`.
#[derive(Debug, Clone)]
pub struct Atom {
    pub pred: Ident,
    pub args: Vec<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Literal {
    /// `p(X) [@ T]`.
    Positive { atom: Atom, time: Option<Expr>, span: Span },
    /// `not p(X)`, `!p(X)`, `\+ p(X)` (with an optional `@ T` whose variables must be bound).
    Negative { atom: Atom, time: Option<Expr>, span: Span },
    /// `L op R` with `op` one of `= != < <= > >=`.
    Compare { op: CmpOp, lhs: Expr, rhs: Expr, span: Span },
    /// `T after Y`, `T before Y`, `T during I`, `T overlaps I`.
    Temporal { op: TimeOp, lhs: Expr, rhs: Expr, span: Span },
    /// `R = count : { body }`, `R = sum X : { body }`, ...
    Aggregate(Aggregate),
}

impl Literal {
    pub fn span(&self) -> Span {
        match self {
            Literal::Positive { span, .. }
            | Literal::Negative { span, .. }
            | Literal::Compare { span, .. }
            | Literal::Temporal { span, .. } => *span,
            Literal::Aggregate(a) => a.span,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Aggregate {
    /// The left-hand side: usually a fresh variable that the aggregate binds.
    pub result: Expr,
    pub func: AggFunc,
    pub func_span: Span,
    /// The aggregated expression (`sum X`); `None` for `count`.
    pub target: Option<Expr>,
    pub body: Vec<Literal>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AggFunc {
    Count,
    Sum,
    Min,
    Max,
    Mean,
}

impl AggFunc {
    pub fn name(self) -> &'static str {
        match self {
            AggFunc::Count => "count",
            AggFunc::Sum => "sum",
            AggFunc::Min => "min",
            AggFunc::Max => "max",
            AggFunc::Mean => "mean",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `contains(Sub, S)`: `Sub` occurs in the text `S` (the left side is `Sub`).
    Contains,
    /// `not contains(Sub, S)`.
    NotContains,
    /// `match(Pattern, S)`: the regular expression matches the whole text `S`.
    Match,
    /// `not match(Pattern, S)`.
    NotMatch,
}

impl CmpOp {
    /// The name messages use: `contains` and `match` for the text tests and their negations,
    /// else the symbol.
    pub fn name(self) -> &'static str {
        match self {
            CmpOp::Contains | CmpOp::NotContains => "contains",
            CmpOp::Match | CmpOp::NotMatch => "match",
            other => other.symbol(),
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Contains => "contains",
            CmpOp::NotContains => "not contains",
            CmpOp::Match => "match",
            CmpOp::NotMatch => "not match",
        }
    }

    /// Whether the test is written as a call, `contains(A, B)`, rather than `A op B`.
    pub fn is_text_test(self) -> bool {
        matches!(self, CmpOp::Contains | CmpOp::NotContains | CmpOp::Match | CmpOp::NotMatch)
    }

    /// The test as written in a rule: `A = B`, `contains(A, B)`, `not match(A, B)`.
    pub fn render(self, a: &str, b: &str) -> String {
        if self.is_text_test() { format!("{}({a}, {b})", self.symbol()) } else { format!("{a} {} {b}", self.symbol()) }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeOp {
    After,
    Before,
    During,
    Overlaps,
}

impl TimeOp {
    pub fn keyword(self) -> &'static str {
        match self {
            TimeOp::After => "after",
            TimeOp::Before => "before",
            TimeOp::During => "during",
            TimeOp::Overlaps => "overlaps",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "mod",
        }
    }
}

/// Built-in functions; they exist only in expression positions, so a user predicate
/// `start/1` does not clash with them. The time functions are described in `docs/time.md`, the
/// text functions in `docs/text.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Func {
    /// `start(T)`: the first date of a time.
    Start,
    /// `end(T)`: the last date of a time.
    End,
    /// `year(T)`: the year (a number) of a time's first day.
    Year,
    /// `days(T)`: how many days a time covers (a number).
    Days,
    /// `years(T)`: how many whole years a time covers (a number).
    Years,
    /// `add_days(T, N)`: the time moved by `N` days.
    AddDays,
    /// `add_years(T, N)`: the time moved by `N` years.
    AddYears,
    /// `interval(A, B)`: from the start of `A` to the end of `B`.
    Interval,
    /// `cat(A, B, ...)`: the texts one after the other.
    Cat,
    /// `strlen(S)`: how many characters (Unicode scalar values) a text has.
    Strlen,
    /// `substr(S, Start, Len)`: `Len` characters from the 0-based `Start`, as in Soufflé.
    Substr,
    /// `lower(S)`: the text in lower case (Unicode).
    Lower,
    /// `upper(S)`: the text in upper case (Unicode).
    Upper,
    /// `to_number(S)`: the number a text spells (`"42"`, `"-3.5"`).
    ToNumber,
    /// `to_text(X)`: any value as text, spelled as in an answer.
    ToText,
}

impl Func {
    pub const ALL: [Func; 15] = [
        Func::Start,
        Func::End,
        Func::Year,
        Func::Days,
        Func::Years,
        Func::AddDays,
        Func::AddYears,
        Func::Interval,
        Func::Cat,
        Func::Strlen,
        Func::Substr,
        Func::Lower,
        Func::Upper,
        Func::ToNumber,
        Func::ToText,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Func::Start => "start",
            Func::End => "end",
            Func::Year => "year",
            Func::Days => "days",
            Func::Years => "years",
            Func::AddDays => "add_days",
            Func::AddYears => "add_years",
            Func::Interval => "interval",
            Func::Cat => "cat",
            Func::Strlen => "strlen",
            Func::Substr => "substr",
            Func::Lower => "lower",
            Func::Upper => "upper",
            Func::ToNumber => "to_number",
            Func::ToText => "to_text",
        }
    }

    /// How many arguments the function takes: at least the first, at most the second
    /// (`cat` takes any number from two).
    pub fn arity(self) -> (usize, usize) {
        match self {
            Func::AddDays | Func::AddYears | Func::Interval => (2, 2),
            Func::Cat => (2, usize::MAX),
            Func::Substr => (3, 3),
            _ => (1, 1),
        }
    }

    /// How a call is written, for a hint: `add_days(T, N)`.
    pub fn usage(self) -> &'static str {
        match self {
            Func::Start => "start(T)",
            Func::End => "end(T)",
            Func::Year => "year(T)",
            Func::Days => "days(T)",
            Func::Years => "years(T)",
            Func::AddDays => "add_days(T, N)",
            Func::AddYears => "add_years(T, N)",
            Func::Interval => "interval(From, To)",
            Func::Cat => "cat(A, B, ...)",
            Func::Strlen => "strlen(S)",
            Func::Substr => "substr(S, Start, Length)",
            Func::Lower => "lower(S)",
            Func::Upper => "upper(S)",
            Func::ToNumber => "to_number(S)",
            Func::ToText => "to_text(X)",
        }
    }

    /// Whether the result is a time.
    pub fn gives_time(self) -> bool {
        matches!(self, Func::Start | Func::End | Func::AddDays | Func::AddYears | Func::Interval)
    }

    /// Whether the result is text.
    pub fn gives_text(self) -> bool {
        matches!(self, Func::Cat | Func::Substr | Func::Lower | Func::Upper | Func::ToText)
    }

    /// Whether this is one of the time functions, whose first argument is a time.
    pub fn is_time_function(self) -> bool {
        matches!(
            self,
            Func::Start
                | Func::End
                | Func::Year
                | Func::Days
                | Func::Years
                | Func::AddDays
                | Func::AddYears
                | Func::Interval
        )
    }
}

#[derive(Debug, Clone)]
pub enum Expr {
    /// `X`, `Year`, `_Year` (named; a leading underscore silences the singleton warning).
    Var(Ident),
    /// `_` alone: a fresh anonymous variable at each occurrence.
    Wildcard(Span),
    /// A symbol, string, integer, decimal or interval literal.
    Const(Value, Span),
    /// `$name`: a parameter given on the command line, replaced before checking.
    Param(Ident),
    Neg(Box<Expr>, Span),
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
        span: Span,
    },
    Call {
        func: Func,
        args: Vec<Expr>,
        span: Span,
    },
}

impl Expr {
    pub fn span(&self) -> Span {
        match self {
            Expr::Var(id) | Expr::Param(id) => id.span,
            Expr::Wildcard(s) | Expr::Const(_, s) | Expr::Neg(_, s) => *s,
            Expr::Binary { span, .. } | Expr::Call { span, .. } => *span,
        }
    }
}
