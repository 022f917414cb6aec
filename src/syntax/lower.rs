//! Lowering: pest pairs to the AST of `crate::ast`, one `lower_<rule>` function per grammar rule.
//!
//! The pair structure is guaranteed by the grammar, so a missing child is a bug in this file,
//! not in the input; such places fall back to an `internal` diagnostic instead of panicking.
//! Problems the grammar lets through on purpose (integer overflow, bad escapes, `count` with a
//! target) become diagnostics here.

use std::sync::{Arc, LazyLock};

use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::grammar::Rule;
use crate::ast::{
    self, AggFunc, Aggregate, Atom, BinOp, Citation, CmpOp, EntityDecl, Expr, Fact, FileId, Func, Ident, IncludeDecl,
    Interval, KindDecl, Literal, LoadDecl, Query, QueryKind, SourceDecl, Span, Statement, TimeOp, Value,
};
use crate::diag::Diagnostic;
use crate::value::{Date, DateError, MAX_YEAR};

/// Operators per expression beyond which lowering refuses: a longer chain would build a tree
/// deep enough for later recursive passes (and `Drop`) to overflow the stack.
const MAX_OPERATORS: usize = 1000;

/// `+ -` bind loosest, then `* / mod`, then unary minus (the table order is the precedence).
static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left))
        .op(Op::infix(Rule::mul, Assoc::Left)
            | Op::infix(Rule::div, Assoc::Left)
            | Op::infix(Rule::modulo, Assoc::Left))
        .op(Op::prefix(Rule::neg))
});

/// State for lowering one statement (or one query).
pub(super) struct Lower {
    pub file: FileId,
    /// Byte offset of the parsed slice in the file: pest spans are relative to the slice.
    pub base: usize,
    pub diags: Vec<Diagnostic>,
}

/// Whether a pair is punctuation or a keyword that carries nothing once parsed.
fn is_token(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::comma
            | Rule::lparen
            | Rule::rparen
            | Rule::lbrace
            | Rule::rbrace
            | Rule::lbracket
            | Rule::rbracket
            | Rule::colon
            | Rule::turnstile
            | Rule::at_sign
            | Rule::assign
            | Rule::query_start
            | Rule::stop
            | Rule::source_kw
            | Rule::kind_kw
            | Rule::pred_kw
            | Rule::use_kw
            | Rule::load_kw
            | Rule::from_kw
            | Rule::with_kw
            | Rule::include_kw
            | Rule::file_kw
            | Rule::cite_kw
            | Rule::why_kw
            | Rule::whatif_kw
            | Rule::never_kw
            | Rule::key_kw
            | Rule::grade_kw
            | Rule::neg_op
            | Rule::EOI
    )
}

/// The children of a pair that carry meaning.
fn parts(pair: Pair<'_, Rule>) -> impl Iterator<Item = Pair<'_, Rule>> {
    pair.into_inner().filter(|p| !is_token(p.as_rule()))
}

impl Lower {
    pub fn new(file: FileId, base: usize) -> Lower {
        Lower { file, base, diags: Vec::new() }
    }

    /// The span of a pair without trailing whitespace or comments: pest includes the trivia it
    /// skipped before an optional part that then did not match (`p(X) ` in `p(X) , q`), so the
    /// end is taken from the last token inside the pair.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let start = pair.as_span().start();
        // A string's last inner pair is its body; the span takes the closing quote too.
        if pair.as_rule() == Rule::string {
            return Span::new(self.file, self.base + start, self.base + pair.as_span().end());
        }
        let mut last = pair.clone();
        while let Some(child) = last.clone().into_inner().last() {
            last = child;
        }
        Span::new(self.file, self.base + start, self.base + last.as_span().end())
    }

    fn ident(&self, pair: &Pair<'_, Rule>) -> Ident {
        Ident { name: Arc::from(pair.as_str()), span: self.span(pair) }
    }

    /// Records that the pairs did not have the shape the grammar promises.
    fn internal(&mut self, span: Span, what: &str) {
        self.diags.push(
            Diagnostic::error("parse::internal", format!("internal parser error: {what}"))
                .at(span)
                .help("this is a bug in `because`; please report it with the input"),
        );
    }

    fn next<'i>(
        &mut self,
        it: &mut impl Iterator<Item = Pair<'i, Rule>>,
        span: Span,
        what: &str,
    ) -> Option<Pair<'i, Rule>> {
        let next = it.next();
        if next.is_none() {
            self.internal(span, what);
        }
        next
    }

    // -----------------------------------------------------------------------------------------
    // Statements

    /// Lowers one statement pair (a child of `statement_entry`).
    pub fn lower_statement(&mut self, pair: Pair<'_, Rule>, doc: Option<String>) -> Option<Statement> {
        match pair.as_rule() {
            Rule::source_decl => self.lower_source_decl(pair).map(Statement::Source),
            Rule::kind_decl => self.lower_kind_decl(pair).map(Statement::Kind),
            Rule::load_decl => self.lower_load_decl(pair).map(Statement::Load),
            Rule::include_decl => self.lower_include_decl(pair).map(Statement::Include),
            Rule::query => self.lower_query(pair, None).map(Statement::Query),
            Rule::entity_decl => self.lower_entity_decl(pair, doc).map(Statement::Entity),
            Rule::clause => self.lower_clause(pair, doc),
            Rule::retract_decl => self.lower_retract_decl(pair),
            Rule::pred_decl => self.lower_pred_decl(pair, doc).map(Statement::Pred),
            Rule::use_decl => self.lower_use_decl(pair).map(Statement::Include),
            Rule::denial => self.lower_denial(pair, doc).map(Statement::Denial),
            _ => {
                let span = self.span(&pair);
                self.internal(span, "unknown statement");
                None
            }
        }
    }

    fn lower_source_decl(&mut self, pair: Pair<'_, Rule>) -> Option<SourceDecl> {
        let span = self.span(&pair);
        let mut it = parts(pair);
        let name = self.next(&mut it, span, "source name")?;
        let title = self.next(&mut it, span, "source title")?;
        let title = self.lower_string(title)?;
        let (mut file, mut grade) = (None, None);
        for part in it {
            let part_span = self.span(&part);
            if part.as_rule() == Rule::grade {
                let Some(g) = ast::Grade::parse(part.as_str()) else {
                    self.diags.push(
                        Diagnostic::error("parse::bad_grade", format!("`{}` is not a grade", part.as_str()))
                            .at(part_span)
                            .label("not a grade")
                            .help("a grade is a letter A-F (reliability) and a digit 1-6 (credibility), such as `B2`, or the letter alone"),
                    );
                    return None;
                };
                grade = Some((g, part_span));
            } else {
                file = Some((self.lower_string(part)?, part_span));
            }
        }
        Some(SourceDecl { name: self.ident(&name), title, file, grade, span })
    }

    fn lower_kind_decl(&mut self, pair: Pair<'_, Rule>) -> Option<KindDecl> {
        let span = self.span(&pair);
        let name = self.next(&mut parts(pair), span, "kind name")?;
        Some(KindDecl { name: self.ident(&name), span })
    }

    /// `use NAME.` becomes an include of the theory `NAME`, which the loader looks up (a local
    /// theory file, then the shipped theories: `load::Loader::resolve_theory`).
    fn lower_use_decl(&mut self, pair: Pair<'_, Rule>) -> Option<IncludeDecl> {
        let span = self.span(&pair);
        let name = self.next(&mut parts(pair), span, "theory name")?;
        let name_span = self.span(&name);
        Some(IncludeDecl { path: name.as_str().to_string(), theory: true, path_span: name_span, span })
    }

    fn lower_pred_decl(&mut self, pair: Pair<'_, Rule>, doc: Option<String>) -> Option<ast::PredDecl> {
        let span = self.span(&pair);
        let mut it = parts(pair);
        let name = self.next(&mut it, span, "declared predicate")?;
        let (mut args, mut dated, mut strict, mut key) = (Vec::new(), false, false, None);
        for part in it {
            match part.as_rule() {
                Rule::arg_decl => {
                    let mut names = parts(part);
                    let arg = self.next(&mut names, span, "argument name")?;
                    let ty = names.next().map(|t| self.ident(&t));
                    args.push(ast::ArgDecl { name: self.ident(&arg), ty });
                }
                Rule::pred_flag if part.as_str() == "dated" => dated = true,
                Rule::pred_flag => strict = true,
                Rule::pred_key => key = Some(parts(part).map(|a| self.ident(&a)).collect()),
                _ => {}
            }
        }
        Some(ast::PredDecl { name: self.ident(&name), args, dated, strict, key, doc, span })
    }

    fn lower_load_decl(&mut self, pair: Pair<'_, Rule>) -> Option<LoadDecl> {
        let span = self.span(&pair);
        let mut it = parts(pair);
        let pred = self.next(&mut it, span, "load predicate")?;
        let path = self.next(&mut it, span, "load path")?;
        let path_span = self.span(&path);
        let path = self.lower_string(path)?;
        let header = it.any(|p| p.as_rule() == Rule::header_kw);
        Some(LoadDecl { pred: self.ident(&pred), path, header, path_span, span })
    }

    fn lower_include_decl(&mut self, pair: Pair<'_, Rule>) -> Option<IncludeDecl> {
        let span = self.span(&pair);
        let path = self.next(&mut parts(pair), span, "include path")?;
        let path_span = self.span(&path);
        let path = self.lower_string(path)?;
        Some(IncludeDecl { path, theory: false, path_span, span })
    }

    fn lower_entity_decl(&mut self, pair: Pair<'_, Rule>, doc: Option<String>) -> Option<EntityDecl> {
        let span = self.span(&pair);
        let mut it = parts(pair);
        let kind = self.next(&mut it, span, "entity kind")?;
        let name = self.next(&mut it, span, "entity name")?;
        let (mut label, mut time, mut cites) = (None, None, Vec::new());
        for part in it {
            match part.as_rule() {
                Rule::string => label = Some(self.lower_string(part)?),
                Rule::time_literal => time = Some(self.lower_time_literal(part)?),
                Rule::citation => cites.push(self.lower_citation(part)?),
                _ => {}
            }
        }
        Some(EntityDecl { kind: self.ident(&kind), name: self.ident(&name), label, time, cites, doc, span })
    }

    fn lower_time_literal(&mut self, pair: Pair<'_, Rule>) -> Option<(Interval, Span)> {
        let span = self.span(&pair);
        let inner = self.next(&mut pair.into_inner(), span, "time literal")?;
        let interval = match inner.as_rule() {
            Rule::interval => self.lower_interval(inner)?,
            Rule::date => Interval::point(self.lower_date(inner)?),
            _ => self.lower_year(inner)?,
        };
        Some((interval, span))
    }

    /// A clause is a [`Fact`] when it has no body, no label, only constant arguments and a
    /// literal interval (or none); anything else is a [`ast::Rule`], whose unsafe variables
    /// the checker reports.
    fn lower_clause(&mut self, pair: Pair<'_, Rule>, doc: Option<String>) -> Option<Statement> {
        let span = self.span(&pair);
        let (mut label, mut head, mut head_time, mut body, mut cites) = (None, None, None, None, Vec::new());
        for part in parts(pair) {
            match part.as_rule() {
                Rule::label => label = Some(self.lower_label(part)?),
                Rule::atom => head = Some(self.lower_atom(part)?),
                Rule::head_time => head_time = Some(self.lower_head_time(part)?),
                Rule::body => body = Some(self.lower_body(part)?),
                Rule::citation => cites.push(self.lower_citation(part)?),
                _ => {}
            }
        }
        let Some(head) = head else {
            self.internal(span, "clause without a head");
            return None;
        };
        let is_constant = |e: &Expr| matches!(e, Expr::Const(..));
        let fact_time = match &head_time {
            None => Some(None),
            Some(Expr::Const(Value::Interval(i), s)) => Some(Some((*i, *s))),
            Some(Expr::Const(Value::Int(y), s)) => Some(Some((self.year_interval(*y, *s)?, *s))),
            Some(_) => None,
        };
        if let (None, None, Some(time)) = (&label, &body, fact_time) {
            if head.args.iter().all(is_constant) {
                return Some(Statement::Fact(Fact { atom: head, time, cites, doc, span }));
            }
        }
        Some(Statement::Rule(ast::Rule { label, doc, head, head_time, body: body.unwrap_or_default(), cites, span }))
    }

    fn lower_denial(&mut self, pair: Pair<'_, Rule>, doc: Option<String>) -> Option<ast::Denial> {
        let span = self.span(&pair);
        let (mut label, mut message, mut body) = (None, None, None);
        for part in parts(pair) {
            match part.as_rule() {
                Rule::label => label = Some(self.lower_label(part)?),
                Rule::string => message = Some(self.lower_string(part)?),
                Rule::body => body = Some(self.lower_body(part)?),
                _ => {}
            }
        }
        let (Some(message), Some(body)) = (message, body) else {
            self.internal(span, "denial without a message or body");
            return None;
        };
        Some(ast::Denial { label, message, body, doc, span })
    }

    fn lower_retract_decl(&mut self, pair: Pair<'_, Rule>) -> Option<Statement> {
        let span = self.span(&pair);
        let (mut atom, mut time) = (None, None);
        for part in parts(pair) {
            match part.as_rule() {
                Rule::atom => atom = Some(self.lower_atom(part)?),
                Rule::head_time => time = Some(self.lower_head_time(part)?),
                _ => {}
            }
        }
        let Some(atom) = atom else {
            self.internal(span, "retraction without a fact");
            return None;
        };
        let time = match &time {
            None => Some(None),
            Some(Expr::Const(Value::Interval(i), s)) => Some(Some((*i, *s))),
            Some(Expr::Const(Value::Int(y), s)) => Some(Some((self.year_interval(*y, *s)?, *s))),
            Some(_) => None,
        };
        match time {
            Some(time) if atom.args.iter().all(|e| matches!(e, Expr::Const(..))) => {
                // The fact alone, without the keyword: `retract` and the fact's own text.
                let fact_span = ast::Span { start: atom.span.start, ..span };
                let fact = Fact { atom, time, cites: Vec::new(), doc: None, span: fact_span };
                Some(Statement::Retract(ast::Retraction { fact, span }))
            }
            _ => {
                self.diags.push(
                    Diagnostic::error("parse::retract_not_ground", "`retract` removes one stated fact")
                        .at(span)
                        .help("write a ground fact, such as `retract troops(us, rok, 28500, about) @ 2023.`"),
                );
                None
            }
        }
    }

    fn lower_label(&mut self, pair: Pair<'_, Rule>) -> Option<Ident> {
        let span = self.span(&pair);
        let name = self.next(&mut parts(pair), span, "label name")?;
        Some(self.ident(&name))
    }

    fn lower_head_time(&mut self, pair: Pair<'_, Rule>) -> Option<Expr> {
        let span = self.span(&pair);
        let expr = self.next(&mut parts(pair), span, "head time")?;
        self.lower_top_expr(expr)
    }

    fn lower_citation(&mut self, pair: Pair<'_, Rule>) -> Option<Citation> {
        let span = self.span(&pair);
        let mut it = parts(pair);
        let source = self.next(&mut it, span, "cited source")?;
        let quote = self.next(&mut it, span, "quote")?;
        let quote_span = self.span(&quote);
        Some(Citation { source: self.ident(&source), quote: self.lower_string(quote)?, quote_span })
    }

    /// Lowers a `query` (in a file) or a `query_entry` (on a command line).
    /// `span` overrides the pair's span (a command-line query spans what was typed, without
    /// the whitespace around it).
    pub fn lower_query(&mut self, pair: Pair<'_, Rule>, span: Option<Span>) -> Option<Query> {
        let span = span.unwrap_or_else(|| self.span(&pair));
        let mut it = parts(pair);
        let mut inner = self.next(&mut it, span, "query body")?;
        let mut what_if = Vec::new();
        if inner.as_rule() == Rule::what_if {
            for change in parts(inner) {
                let text = change.as_str().trim().to_string();
                what_if.push(match change.as_rule() {
                    Rule::without_source => {
                        let name = parts(change).last().map_or(String::new(), |n| n.as_str().to_string());
                        crate::ast::Change::WithoutSource(name)
                    }
                    Rule::without => {
                        let rest = text.strip_prefix("not").unwrap_or(&text).trim().to_string();
                        crate::ast::Change::Without(rest)
                    }
                    Rule::min_grade => {
                        let grade = parts(change).last().map_or(String::new(), |g| g.as_str().to_string());
                        crate::ast::Change::MinGrade(grade)
                    }
                    _ => crate::ast::Change::With(text),
                });
            }
            inner = self.next(&mut it, span, "query body")?;
        }
        let mut query = match inner.as_rule() {
            Rule::why_query => self.lower_why_query(inner, span)?,
            _ => Query { kind: QueryKind::Select, what_if: Vec::new(), body: self.lower_body(inner)?, span },
        };
        query.what_if = what_if;
        Some(query)
    }

    fn lower_why_query(&mut self, pair: Pair<'_, Rule>, span: Span) -> Option<Query> {
        let lit_span = self.span(&pair);
        let mut kind = QueryKind::Why;
        let (mut atom, mut time) = (None, None);
        for part in parts(pair) {
            match part.as_rule() {
                Rule::not_kw => kind = QueryKind::WhyNot,
                Rule::atom => atom = Some(self.lower_atom(part)?),
                _ => time = Some(self.lower_top_expr(part)?),
            }
        }
        let atom = atom.or_else(|| {
            self.internal(lit_span, "why without an atom");
            None
        })?;
        let lit_span = time.as_ref().map_or(atom.span, |t: &Expr| atom.span.to(t.span()));
        Some(Query { kind, what_if: Vec::new(), body: vec![Literal::Positive { atom, time, span: lit_span }], span })
    }

    // -----------------------------------------------------------------------------------------
    // Body literals

    fn lower_body(&mut self, pair: Pair<'_, Rule>) -> Option<Vec<Literal>> {
        // Lower every literal even after a failure, so that each problem is reported.
        let lits: Vec<Option<Literal>> = parts(pair).map(|p| self.lower_literal(p)).collect();
        lits.into_iter().collect()
    }

    fn lower_literal(&mut self, pair: Pair<'_, Rule>) -> Option<Literal> {
        match pair.as_rule() {
            Rule::positive => {
                let (atom, time, span) = self.lower_atom_at(pair)?;
                Some(Literal::Positive { atom, time, span })
            }
            Rule::negative => {
                let (atom, time, span) = self.lower_atom_at(pair)?;
                Some(Literal::Negative { atom, time, span })
            }
            Rule::comparison => self.lower_comparison(pair),
            Rule::temporal => self.lower_temporal(pair),
            Rule::text_test => self.lower_text_test(pair),
            Rule::aggregate => self.lower_aggregate(pair).map(Literal::Aggregate),
            _ => {
                let span = self.span(&pair);
                self.internal(span, "unknown literal");
                None
            }
        }
    }

    /// The parts of `positive` and `negative`: an atom and an optional `@ T`.
    fn lower_atom_at(&mut self, pair: Pair<'_, Rule>) -> Option<(Atom, Option<Expr>, Span)> {
        let span = self.span(&pair);
        let mut it = parts(pair);
        let atom = self.next(&mut it, span, "atom")?;
        let atom = self.lower_atom(atom)?;
        let time = match it.next() {
            Some(t) => Some(self.lower_top_expr(t)?),
            None => None,
        };
        Some((atom, time, span))
    }

    fn lower_comparison(&mut self, pair: Pair<'_, Rule>) -> Option<Literal> {
        let (lhs, op, rhs, span) = self.lower_binary(pair, "comparison")?;
        let op = match op {
            "=" => CmpOp::Eq,
            "!=" => CmpOp::Ne,
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            ">" => CmpOp::Gt,
            _ => CmpOp::Ge,
        };
        Some(Literal::Compare { op, lhs, rhs, span })
    }

    fn lower_temporal(&mut self, pair: Pair<'_, Rule>) -> Option<Literal> {
        let (lhs, op, rhs, span) = self.lower_binary(pair, "time test")?;
        let op = match op {
            "after" => TimeOp::After,
            "before" => TimeOp::Before,
            "during" => TimeOp::During,
            _ => TimeOp::Overlaps,
        };
        Some(Literal::Temporal { op, lhs, rhs, span })
    }

    /// `contains(Sub, S)`, `not match(Pattern, S)`: a comparison whose operator is written as a
    /// call, as Soufflé's binary constraints `contains` and `match` are.
    fn lower_text_test(&mut self, pair: Pair<'_, Rule>) -> Option<Literal> {
        let span = self.span(&pair);
        // `neg_op` is a token that `parts` skips: look for it among all the parts.
        let negated = pair.clone().into_inner().any(|p| p.as_rule() == Rule::neg_op);
        let mut name = "";
        let mut args = Vec::new();
        for part in parts(pair) {
            match part.as_rule() {
                Rule::test_name => name = part.as_str(),
                _ => args.push(self.lower_top_expr(part)),
            }
        }
        let args: Vec<Expr> = args.into_iter().collect::<Option<_>>()?;
        let op = match (name, negated) {
            ("contains", false) => CmpOp::Contains,
            ("contains", true) => CmpOp::NotContains,
            (_, false) => CmpOp::Match,
            (_, true) => CmpOp::NotMatch,
        };
        let n_args = args.len();
        let Ok([lhs, rhs]) = <[Expr; 2]>::try_from(args) else {
            let usage = if name == "contains" { "contains(Sub, S)" } else { "match(Pattern, S)" };
            self.diags.push(
                Diagnostic::error("parse::function_arity", format!("`{name}` takes 2 arguments, not {n_args}"))
                    .at(span)
                    .help(format!("write `{usage}`")),
            );
            return None;
        };
        Some(Literal::Compare { op, lhs, rhs, span })
    }

    /// The sides and the operator of a comparison or a time test (`what`); both sides are
    /// lowered, so each reports its own errors.
    fn lower_binary<'i>(&mut self, pair: Pair<'i, Rule>, what: &str) -> Option<(Expr, &'i str, Expr, Span)> {
        let span = self.span(&pair);
        let mut it = parts(pair);
        let (lhs, op, rhs) = (it.next(), it.next(), it.next());
        let (Some(lhs), Some(op), Some(rhs)) = (lhs, op, rhs) else {
            self.internal(span, what);
            return None;
        };
        let (lhs, rhs) = (self.lower_top_expr(lhs), self.lower_top_expr(rhs));
        Some((lhs?, op.as_str(), rhs?, span))
    }

    fn lower_aggregate(&mut self, pair: Pair<'_, Rule>) -> Option<Aggregate> {
        let span = self.span(&pair);
        let (mut result, mut func, mut target, mut body) = (None, None, None, None);
        for part in parts(pair) {
            match part.as_rule() {
                Rule::expr if result.is_none() => result = Some(self.lower_top_expr(part)),
                Rule::expr => {
                    let tspan = self.span(&part);
                    target = Some((self.lower_top_expr(part), tspan));
                }
                Rule::agg_func => func = Some(part),
                Rule::body => body = Some(self.lower_body(part)),
                _ => {}
            }
        }
        let (Some(result), Some(func), Some(body)) = (result, func, body) else {
            self.internal(span, "aggregate");
            return None;
        };
        let func_span = self.span(&func);
        let func = match func.as_str() {
            "count" => AggFunc::Count,
            "sum" => AggFunc::Sum,
            "min" => AggFunc::Min,
            "max" => AggFunc::Max,
            _ => AggFunc::Mean,
        };
        let target = match (func, target) {
            (AggFunc::Count, Some((_, tspan))) => {
                self.diags.push(
                    Diagnostic::error("parse::unexpected", "`count` takes no expression")
                        .at(tspan)
                        .label("remove this")
                        .help("write `N = count : { body }`"),
                );
                return None;
            }
            (AggFunc::Count, None) => None,
            (_, Some((t, _))) => Some(t?),
            (_, None) => {
                let name = func.name();
                self.diags.push(
                    Diagnostic::error("parse::unexpected", format!("`{name}` needs an expression to aggregate"))
                        .at(func_span)
                        .label("expected an expression after this")
                        .help(format!("write `R = {name} X : {{ body }}`")),
                );
                return None;
            }
        };
        Some(Aggregate { result: result?, func, func_span, target, body: body?, span })
    }

    fn lower_atom(&mut self, pair: Pair<'_, Rule>) -> Option<Atom> {
        let span = self.span(&pair);
        let mut it = parts(pair);
        let pred = self.next(&mut it, span, "predicate name")?;
        let args: Vec<Option<Expr>> = it.map(|a| self.lower_top_expr(a)).collect();
        Some(Atom { pred: self.ident(&pred), args: args.into_iter().collect::<Option<_>>()?, span })
    }

    // -----------------------------------------------------------------------------------------
    // Expressions

    /// An expression in a position of its own (an argument, a side of a comparison, a time):
    /// checks its size before building it.
    fn lower_top_expr(&mut self, pair: Pair<'_, Rule>) -> Option<Expr> {
        let is_operator = |p: &Pair<'_, Rule>| {
            matches!(p.as_rule(), Rule::add | Rule::sub | Rule::mul | Rule::div | Rule::modulo | Rule::neg)
        };
        let n_operators = pair.clone().into_inner().flatten().filter(is_operator).count();
        if n_operators > MAX_OPERATORS {
            let span = self.span(&pair);
            self.diags.push(
                Diagnostic::error("parse::too_deep", format!("expression has more than {MAX_OPERATORS} operators"))
                    .at(span)
                    .help("split the computation over several literals"),
            );
            return None;
        }
        self.lower_expr(pair)
    }

    fn lower_expr(&mut self, pair: Pair<'_, Rule>) -> Option<Expr> {
        let (file, base) = (self.file, self.base);
        let span_of = move |p: &Pair<'_, Rule>| {
            let s = p.as_span();
            Span::new(file, base + s.start(), base + s.end())
        };
        PRATT
            .map_primary(|p| self.lower_primary(p))
            .map_prefix(|op, rhs| {
                let rhs = rhs?;
                let span = span_of(&op).to(rhs.span());
                // `- 1` is the constant -1, so that a fact may be written with spaces.
                Some(match rhs {
                    Expr::Const(Value::Int(n), _) if n.checked_neg().is_some() => Expr::Const(Value::Int(-n), span),
                    Expr::Const(Value::Dec(d), _) => Expr::Const(Value::Dec(-d), span),
                    other => Expr::Neg(Box::new(other), span),
                })
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, rhs) = (lhs?, rhs?);
                let op = match op.as_rule() {
                    Rule::add => BinOp::Add,
                    Rule::sub => BinOp::Sub,
                    Rule::mul => BinOp::Mul,
                    Rule::div => BinOp::Div,
                    _ => BinOp::Mod,
                };
                let span = lhs.span().to(rhs.span());
                Some(Expr::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs), span })
            })
            .parse(pair.into_inner())
    }

    fn lower_primary(&mut self, pair: Pair<'_, Rule>) -> Option<Expr> {
        let span = self.span(&pair);
        Some(match pair.as_rule() {
            Rule::integer => Expr::Const(Value::Int(self.lower_integer(pair)?), span),
            Rule::decimal => Expr::Const(Value::Dec(self.lower_decimal(pair)?), span),
            Rule::interval => Expr::Const(Value::Interval(self.lower_interval(pair)?), span),
            Rule::date => Expr::Const(Value::Interval(Interval::point(self.lower_date(pair)?)), span),
            Rule::string => Expr::Const(Value::Text(Arc::from(self.lower_string(pair)?)), span),
            Rule::name => Expr::Const(Value::text(pair.as_str()), span),
            Rule::variable => Expr::Var(self.ident(&pair)),
            Rule::wildcard => Expr::Wildcard(span),
            Rule::param => Expr::Param(Ident { name: Arc::from(&pair.as_str()[1..]), span }),
            Rule::paren => {
                let inner = self.next(&mut parts(pair), span, "parenthesised expression")?;
                self.lower_expr(inner)?
            }
            Rule::call => {
                let mut it = parts(pair);
                let name = self.next(&mut it, span, "function name")?;
                let func = Func::ALL.into_iter().find(|f| f.name() == name.as_str()).unwrap_or(Func::Start);
                let args: Vec<Option<Expr>> = it.map(|a| self.lower_expr(a)).collect();
                let args: Vec<Expr> = args.into_iter().collect::<Option<_>>()?;
                let (least, most) = func.arity();
                if args.len() < least || args.len() > most {
                    let wanted = match (least, most) {
                        (1, 1) => "1 argument".to_string(),
                        (n, m) if n == m => format!("{n} arguments"),
                        (n, _) => format!("{n} or more arguments"),
                    };
                    self.diags.push(
                        Diagnostic::error(
                            "parse::function_arity",
                            format!("`{}` takes {wanted}, not {}", func.name(), args.len()),
                        )
                        .at(span)
                        .help(format!("write `{}`", func.usage())),
                    );
                    return None;
                }
                Expr::Call { func, args, span }
            }
            _ => {
                self.internal(span, "unknown term");
                return None;
            }
        })
    }

    // -----------------------------------------------------------------------------------------
    // Constants

    fn lower_integer(&mut self, pair: Pair<'_, Rule>) -> Option<i64> {
        match pair.as_str().parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                let span = self.span(&pair);
                self.diags.push(
                    Diagnostic::error("parse::int_overflow", "integer out of range")
                        .at(span)
                        .label("does not fit in 64 bits")
                        .help(format!(
                            "integers lie between {} and {}; write a decimal such as `1e30` for larger numbers",
                            i64::MIN,
                            i64::MAX
                        )),
                );
                None
            }
        }
    }

    /// An integer where a time is expected: a year.
    fn lower_year(&mut self, pair: Pair<'_, Rule>) -> Option<Interval> {
        let y = self.lower_integer(pair.clone())?;
        self.year_interval(y, self.span(&pair))
    }

    /// The one-year time `y` (written at `span`), or `parse::bad_date` when the year is
    /// outside the calendar: the one check for a year standing as a time, in facts,
    /// retractions and time literals alike.
    fn year_interval(&mut self, y: i64, span: Span) -> Option<Interval> {
        let year = Interval::try_year(y);
        if year.is_none() {
            self.diags.push(
                Diagnostic::error("parse::bad_date", format!("year {y} is out of range"))
                    .at(span)
                    .label("no such year")
                    .help(format!("years lie between -{MAX_YEAR} and {MAX_YEAR}")),
            );
        }
        year
    }

    fn lower_decimal(&mut self, pair: Pair<'_, Rule>) -> Option<f64> {
        match pair.as_str().parse::<f64>() {
            Ok(d) if d.is_finite() => Some(d),
            _ => {
                let span = self.span(&pair);
                self.diags.push(
                    Diagnostic::error("parse::dec_overflow", "decimal out of range")
                        .at(span)
                        .label("too large for a 64-bit float")
                        .help(format!("decimals lie between {:e} and {:e}", f64::MIN, f64::MAX)),
                );
                None
            }
        }
    }

    fn lower_interval(&mut self, pair: Pair<'_, Rule>) -> Option<Interval> {
        // The dates are on either side of `..`: which side a lone date is on shows in its span.
        let dots = pair.as_str().find("..").unwrap_or(0) + pair.as_span().start();
        let mut interval = Interval::ALWAYS;
        let mut ok = true;
        for bound in pair.into_inner() {
            let before_dots = bound.as_span().start() < dots;
            let Some(date) = self.lower_date(bound) else {
                ok = false;
                continue;
            };
            if before_dots {
                interval.start = Some(date);
            } else {
                interval.end = Some(date);
            }
        }
        ok.then_some(interval)
    }

    /// A year, a month or a day, validated: `1953-02-30` is an error at its span.
    fn lower_date(&mut self, pair: Pair<'_, Rule>) -> Option<Date> {
        match Date::parse(pair.as_str()) {
            Ok(date) => Some(date),
            Err(e) => {
                let span = self.span(&pair);
                let help = match e {
                    DateError::Day { days_in_month, .. } => {
                        format!("this month ends on day {days_in_month}; a date is written YYYY-MM-DD")
                    }
                    DateError::Month(_) => "a date is written YYYY-MM-DD, with months 01 to 12".to_string(),
                    _ => format!("years lie between -{MAX_YEAR} and {MAX_YEAR}"),
                };
                self.diags.push(
                    Diagnostic::error("parse::bad_date", format!("`{}` is not a date: {e}", pair.as_str()))
                        .at(span)
                        .label("no such date")
                        .help(help),
                );
                None
            }
        }
    }

    /// The text of a string literal with its escapes replaced: `\" \' \\ \n \t \r \u{HEX}`.
    fn lower_string(&mut self, pair: Pair<'_, Rule>) -> Option<String> {
        let span = self.span(&pair);
        let raw = pair.as_str();
        // The grammar guarantees one quote character at each end.
        let body = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
        let body_start = span.start as usize + 1;
        let mut out = String::with_capacity(body.len());
        let mut ok = true;
        let mut chars = body.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            let esc = chars.next().map(|(_, e)| e);
            let decoded = match esc {
                Some('"') => Some('"'),
                Some('\'') => Some('\''),
                Some('\\') => Some('\\'),
                Some('n') => Some('\n'),
                Some('t') => Some('\t'),
                Some('r') => Some('\r'),
                Some('u') => unicode_escape(&body[i + 2..]).map(|(c, len)| {
                    for _ in 0..len {
                        chars.next();
                    }
                    c
                }),
                _ => None,
            };
            match decoded {
                Some(c) => out.push(c),
                None => {
                    ok = false;
                    // A bad `\u{...}` is underlined whole; any other escape is two characters.
                    let braced = (esc == Some('u')).then(|| body[i + 2..].strip_prefix('{')?.find('}')).flatten();
                    let len = braced.map_or(1 + esc.map_or(0, char::len_utf8), |close| close + 4);
                    let at = Span::new(self.file, body_start + i, body_start + i + len);
                    self.diags.push(
                        Diagnostic::error("parse::bad_escape", "unknown escape in string")
                            .at(at)
                            .label("not a valid escape")
                            .help(r#"the escapes are \" \' \\ \n \t \r and \u{HEX}; write \\ for a backslash"#),
                    );
                }
            }
        }
        ok.then_some(out)
    }
}

/// Decodes the `{HEX}` after `\u`: the character and how many bytes (all ASCII) it used.
fn unicode_escape(rest: &str) -> Option<(char, usize)> {
    let inner = rest.strip_prefix('{')?;
    let close = inner.find('}')?;
    let hex = &inner[..close];
    if hex.is_empty() || hex.len() > 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
    Some((c, close + 2))
}
