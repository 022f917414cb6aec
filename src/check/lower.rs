//! Rules and queries: range restriction and singleton checks on the AST (where variables
//! still have their spans), then lowering to [`crate::program`] form.

use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use super::Checker;
use crate::ast::{self, CmpOp, Span};
use crate::diag::{Diagnostic, Diagnostics};
use crate::program::{AggregateIr, Arg, AtomIr, Expr, Literal, PredId, Program, QueryIr, RuleIr, Var};
use crate::value::{Interner, Interval, Value};

/// Lowers a rule and pushes it onto the program when it has no errors.
pub(super) fn lower_rule(cx: &mut Checker<'_>, rule: &ast::Rule) {
    let errors_before = cx.diags.errors().count();
    let mut head_vars = Vec::new();
    for arg in &rule.head.args {
        expr_vars(arg, &mut head_vars);
    }
    if let Some(t) = &rule.head_time {
        expr_vars(t, &mut head_vars);
    }
    for arg in &rule.head.args {
        if let ast::Expr::Wildcard(span) = arg {
            cx.diags.push(
                Diagnostic::error("check::unsafe_variable", "`_` in a rule head has no value")
                    .at(*span)
                    .help("every head argument must be bound by the body; name a variable that the body binds"),
            );
        }
    }
    check_safety(&rule.body, &head_vars, &FxHashSet::default(), &mut cx.diags, "in the head");
    warn_singletons(rule, &mut cx.diags);
    if let Some(ast::Expr::Const(Value::Interval(i), span)) = &rule.head_time {
        cx.check_interval(*i, *span);
    }

    let mut lx = LowerCx::new(cx.interner, &cx.program.preds, &cx.pred_by_name, &mut cx.diags);
    let head_pred = lx.pred_by_name.get(&rule.head.pred.name).copied();
    let mut body = Vec::new();
    for lit in &rule.body {
        lx.lower_literal(lit, &mut body);
    }
    let head = head_pred.map(|pred| {
        let mut pre = Vec::new();
        let args = rule.head.args.iter().map(|a| lx.lower_arg(a, &mut pre)).collect();
        let time = rule.head_time.as_ref().map(|t| lx.lower_arg(t, &mut pre));
        body.extend(pre);
        AtomIr { pred, args, time, span: rule.head.span }
    });
    finish_aggregates(&mut body, head.as_ref());
    let var_names = std::mem::take(&mut lx.vars.names);
    let cites = cx.lower_cites(&rule.cites);
    let (Some(head), true) = (head, cx.diags.errors().count() == errors_before) else { return };
    cx.program.rules.push(RuleIr {
        head,
        body,
        var_names,
        label: rule.label.as_ref().map(|l| l.name.clone()),
        doc: rule.doc.as_deref().map(Arc::from),
        cites,
        span: rule.span,
        nth_for_pred: 0,
    });
}

/// Lowers a query found in a checked file.
pub(super) fn lower_query_in(cx: &mut Checker<'_>, query: &ast::Query) -> Option<QueryIr> {
    let mut lx = LowerCx::new(cx.interner, &cx.program.preds, &cx.pred_by_name, &mut cx.diags);
    let text = String::new();
    lower_query_with(&mut lx, query, text)
}

/// Lowers a query against an already checked program (the REPL, `because query`).
pub fn lower_query(
    program: &Program,
    interner: &mut Interner,
    query: &ast::Query,
    text: &str,
) -> Result<QueryIr, Diagnostics> {
    let by_name: FxHashMap<Arc<str>, PredId> =
        program.preds.iter().enumerate().map(|(i, p)| (p.name.clone(), i as PredId)).collect();
    let mut diags = Diagnostics::default();
    let mut lx = LowerCx::new(interner, &program.preds, &by_name, &mut diags);
    let lowered = lower_query_with(&mut lx, query, text.to_string());
    diags.sort();
    match lowered {
        Some(q) if !diags.has_errors() => Ok(q),
        _ => Err(diags),
    }
}

fn lower_query_with(lx: &mut LowerCx<'_>, query: &ast::Query, text: String) -> Option<QueryIr> {
    let errors_before = lx.diags.errors().count();
    check_safety(&query.body, &[], &FxHashSet::default(), lx.diags, "");
    let mut body = Vec::new();
    for lit in &query.body {
        lx.lower_literal(lit, &mut body);
    }
    finish_aggregates(&mut body, None);
    if lx.diags.errors().count() != errors_before {
        return None;
    }
    // Answer columns: named variables (not `_`-prefixed) in order of first appearance.
    let mut names = Vec::new();
    for lit in &query.body {
        literal_vars_shallow(lit, &mut names);
    }
    let mut columns = Vec::new();
    let mut seen = FxHashSet::default();
    for ident in names {
        if ident.name.starts_with('_') || !seen.insert(ident.name.clone()) {
            continue;
        }
        if let Some(&v) = lx.vars.by_name.get(&ident.name) {
            columns.push((v, ident.name.clone()));
        }
    }
    Some(QueryIr {
        kind: query.kind,
        body,
        columns,
        var_names: std::mem::take(&mut lx.vars.names),
        text,
        span: query.span,
    })
}

/// The variables a query's answer shows: those outside aggregate bodies, where the user wrote them.
fn literal_vars_shallow<'a>(lit: &'a ast::Literal, out: &mut Vec<&'a ast::Ident>) {
    match lit {
        ast::Literal::Positive { atom, time, .. } | ast::Literal::Negative { atom, time, .. } => {
            for a in &atom.args {
                expr_vars(a, out);
            }
            if let Some(t) = time {
                expr_vars(t, out);
            }
        }
        ast::Literal::Compare { lhs, rhs, .. } | ast::Literal::Temporal { lhs, rhs, .. } => {
            expr_vars(lhs, out);
            expr_vars(rhs, out);
        }
        ast::Literal::Aggregate(agg) => expr_vars(&agg.result, out),
    }
}

/// Fills in each aggregate's group and local variables (see [`AggregateIr`]).
fn finish_aggregates(body: &mut [Literal], head: Option<&AtomIr>) {
    let mut outside: Vec<FxHashSet<Var>> = Vec::new();
    for lit in body.iter() {
        let mut vs = Vec::new();
        match lit {
            Literal::Aggregate(agg) => agg.result.vars(&mut vs),
            other => ir_literal_vars(other, &mut vs),
        }
        outside.push(vs.into_iter().collect());
    }
    let mut head_vars = FxHashSet::default();
    if let Some(h) = head {
        for a in h.args.iter().chain(&h.time) {
            if let Arg::Var(v) = a {
                head_vars.insert(*v);
            }
        }
    }
    for (i, lit) in body.iter_mut().enumerate() {
        if !matches!(lit, Literal::Aggregate(_)) {
            continue;
        }
        let others: FxHashSet<Var> = outside
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .flat_map(|(_, s)| s.iter().copied())
            .chain(head_vars.iter().copied())
            .collect();
        if let Literal::Aggregate(agg) = lit {
            let mut inner = Vec::new();
            for lit in &agg.body {
                ir_literal_vars(lit, &mut inner);
            }
            if let Some(t) = &agg.target {
                t.vars(&mut inner);
            }
            let mut seen = FxHashSet::default();
            inner.retain(|v| seen.insert(*v));
            agg.group = inner.iter().copied().filter(|v| others.contains(v)).collect();
            agg.local = inner.iter().copied().filter(|v| !others.contains(v)).collect();
            finish_aggregates(&mut agg.body, None);
        }
    }
}

/// Every variable of an IR literal, aggregate bodies included.
pub(crate) fn ir_literal_vars(lit: &Literal, out: &mut Vec<Var>) {
    match lit {
        Literal::Positive(a) | Literal::Negative(a) => {
            for arg in a.args.iter().chain(&a.time) {
                if let Arg::Var(v) = arg {
                    out.push(*v);
                }
            }
        }
        Literal::Compare { lhs, rhs, .. } | Literal::Temporal { lhs, rhs, .. } => {
            lhs.vars(out);
            rhs.vars(out);
        }
        Literal::Aggregate(agg) => {
            agg.result.vars(out);
            if let Some(t) = &agg.target {
                t.vars(out);
            }
            for l in &agg.body {
                ir_literal_vars(l, out);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Range restriction on the AST.

fn expr_vars<'a>(e: &'a ast::Expr, out: &mut Vec<&'a ast::Ident>) {
    match e {
        ast::Expr::Var(id) => out.push(id),
        ast::Expr::Wildcard(_) | ast::Expr::Const(..) | ast::Expr::Param(_) => {}
        ast::Expr::Neg(inner, _) | ast::Expr::Call { arg: inner, .. } => expr_vars(inner, out),
        ast::Expr::Binary { lhs, rhs, .. } => {
            expr_vars(lhs, out);
            expr_vars(rhs, out);
        }
    }
}

/// Variables of a literal, aggregate bodies included.
fn literal_vars_deep<'a>(lit: &'a ast::Literal, out: &mut Vec<&'a ast::Ident>) {
    literal_vars_shallow(lit, out);
    if let ast::Literal::Aggregate(agg) = lit {
        if let Some(t) = &agg.target {
            expr_vars(t, out);
        }
        for l in &agg.body {
            literal_vars_deep(l, out);
        }
    }
}

/// The group variables of the aggregate at `index`: variables of its body that occur elsewhere
/// in the rule outside other aggregates' bodies.
fn group_vars<'a>(
    body: &'a [ast::Literal],
    index: usize,
    agg: &'a ast::Aggregate,
    head_vars: &[&ast::Ident],
) -> Vec<&'a ast::Ident> {
    let mut outside: FxHashSet<&str> = head_vars.iter().map(|i| &*i.name).collect();
    for (j, lit) in body.iter().enumerate() {
        if j == index {
            continue;
        }
        let mut vs = Vec::new();
        literal_vars_shallow(lit, &mut vs);
        outside.extend(vs.iter().map(|i| &*i.name));
    }
    let mut inner = Vec::new();
    for l in &agg.body {
        literal_vars_deep(l, &mut inner);
    }
    if let Some(t) = &agg.target {
        expr_vars(t, &mut inner);
    }
    inner.into_iter().filter(|i| outside.contains(&*i.name)).collect()
}

/// The variables that positive literals, assignments and aggregates bind, to a fixpoint.
fn bound_vars(body: &[ast::Literal], outer: &FxHashSet<Arc<str>>, head_vars: &[&ast::Ident]) -> FxHashSet<Arc<str>> {
    let mut bound = outer.clone();
    loop {
        let before = bound.len();
        for (i, lit) in body.iter().enumerate() {
            match lit {
                ast::Literal::Positive { atom, time, .. } => {
                    for e in atom.args.iter().chain(time) {
                        if let ast::Expr::Var(id) = e {
                            bound.insert(id.name.clone());
                        }
                    }
                }
                ast::Literal::Compare { op: CmpOp::Eq, lhs, rhs, .. } => {
                    for (side, other) in [(lhs, rhs), (rhs, lhs)] {
                        let mut vs = Vec::new();
                        expr_vars(other, &mut vs);
                        if let ast::Expr::Var(id) = side {
                            if vs.iter().all(|v| bound.contains(&v.name)) {
                                bound.insert(id.name.clone());
                            }
                        }
                    }
                }
                ast::Literal::Aggregate(agg) => {
                    let group = group_vars(body, i, agg, head_vars);
                    if group.iter().all(|v| bound.contains(&v.name)) {
                        if let ast::Expr::Var(id) = &agg.result {
                            bound.insert(id.name.clone());
                        }
                    }
                }
                _ => {}
            }
        }
        if bound.len() == before {
            return bound;
        }
    }
}

/// Reports every variable that no positive literal binds but that must be bound: in the head,
/// a negation, a comparison, an interval test or an aggregate's group.
fn check_safety(
    body: &[ast::Literal],
    head_vars: &[&ast::Ident],
    outer: &FxHashSet<Arc<str>>,
    diags: &mut Diagnostics,
    head_where: &str,
) {
    let bound = bound_vars(body, outer, head_vars);
    let mut reported: FxHashSet<Arc<str>> = FxHashSet::default();
    let mut report = |id: &ast::Ident, place: &str, diags: &mut Diagnostics| {
        if bound.contains(&id.name) || !reported.insert(id.name.clone()) {
            return;
        }
        diags.push(
            Diagnostic::error(
                "check::unsafe_variable",
                format!("variable `{}` {place} is not bound by a positive literal", id.name),
            )
            .at(id.span)
            .label("unbound")
            .help(format!("add a positive atom that binds `{}` to the body, or use a constant", id.name)),
        );
    };
    for id in head_vars {
        report(id, head_where, diags);
    }
    for (i, lit) in body.iter().enumerate() {
        let mut vs = Vec::new();
        match lit {
            ast::Literal::Positive { .. } => {}
            ast::Literal::Negative { atom, time, .. } => {
                for e in atom.args.iter().chain(time) {
                    expr_vars(e, &mut vs);
                }
                vs.iter().for_each(|id| report(id, "in a negation", diags));
            }
            ast::Literal::Compare { lhs, rhs, .. } => {
                expr_vars(lhs, &mut vs);
                expr_vars(rhs, &mut vs);
                vs.iter().for_each(|id| report(id, "in a comparison", diags));
            }
            ast::Literal::Temporal { lhs, rhs, .. } => {
                expr_vars(lhs, &mut vs);
                expr_vars(rhs, &mut vs);
                vs.iter().for_each(|id| report(id, "in an interval test", diags));
            }
            ast::Literal::Aggregate(agg) => {
                for id in group_vars(body, i, agg, head_vars) {
                    report(id, "shared with an aggregate", diags);
                }
                // Inside the aggregate the group variables are bound from outside.
                let inner_outer: FxHashSet<Arc<str>> = bound.iter().cloned().collect();
                let mut target = Vec::new();
                if let Some(t) = &agg.target {
                    expr_vars(t, &mut target);
                }
                check_safety(&agg.body, &target, &inner_outer, diags, "aggregated");
                let mut vs = Vec::new();
                expr_vars(&agg.result, &mut vs);
                if !matches!(agg.result, ast::Expr::Var(_)) {
                    vs.iter().for_each(|id| report(id, "in an aggregate's result", diags));
                }
            }
        }
    }
}

/// Warns about named variables that occur once in a rule.
fn warn_singletons(rule: &ast::Rule, diags: &mut Diagnostics) {
    let mut all = Vec::new();
    for a in &rule.head.args {
        expr_vars(a, &mut all);
    }
    if let Some(t) = &rule.head_time {
        expr_vars(t, &mut all);
    }
    for lit in &rule.body {
        literal_vars_deep(lit, &mut all);
    }
    let mut counts: FxHashMap<&str, (usize, Span)> = FxHashMap::default();
    for id in &all {
        let e = counts.entry(&id.name).or_insert((0, id.span));
        e.0 += 1;
    }
    for id in &all {
        if id.name.starts_with('_') {
            continue;
        }
        if let Some(&(1, span)) = counts.get(&*id.name) {
            diags.push(
                Diagnostic::warning(
                    "check::singleton_variable",
                    format!("variable `{}` occurs only once in this rule", id.name),
                )
                .at(span)
                .help(format!("write `_{}` or `_` if any value is meant", id.name)),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Lowering to IR.

#[derive(Default)]
struct VarTable {
    names: Vec<Arc<str>>,
    by_name: FxHashMap<Arc<str>, Var>,
}

impl VarTable {
    fn named(&mut self, name: &Arc<str>) -> Var {
        if let Some(&v) = self.by_name.get(name) {
            return v;
        }
        let v = self.fresh(name.clone());
        self.by_name.insert(name.clone(), v);
        v
    }

    fn fresh(&mut self, name: Arc<str>) -> Var {
        self.names.push(name);
        self.names.len() as Var - 1
    }
}

struct LowerCx<'a> {
    interner: &'a mut Interner,
    preds: &'a [crate::program::PredInfo],
    pred_by_name: &'a FxHashMap<Arc<str>, PredId>,
    diags: &'a mut Diagnostics,
    vars: VarTable,
    /// Inside an aggregate body, an atom of a temporal predicate without `@` gets a fresh
    /// variable for its interval, so that facts differing only in time are distinct matches.
    in_aggregate: bool,
}

impl<'a> LowerCx<'a> {
    fn new(
        interner: &'a mut Interner,
        preds: &'a [crate::program::PredInfo],
        pred_by_name: &'a FxHashMap<Arc<str>, PredId>,
        diags: &'a mut Diagnostics,
    ) -> LowerCx<'a> {
        LowerCx { interner, preds, pred_by_name, diags, vars: VarTable::default(), in_aggregate: false }
    }

    fn resolve(&mut self, name: &ast::Ident, arity: usize) -> Option<PredId> {
        match self.pred_by_name.get(&name.name) {
            Some(&id) if self.preds[id as usize].arity == arity => Some(id),
            Some(&id) => {
                self.diags.push(super::arity_mismatch(name, arity, &self.preds[id as usize]));
                None
            }
            None => {
                self.diags.push(super::undefined_predicate(name, arity, self.preds));
                None
            }
        }
    }

    fn lower_literal(&mut self, lit: &ast::Literal, out: &mut Vec<Literal>) {
        match lit {
            ast::Literal::Positive { atom, time, span } | ast::Literal::Negative { atom, time, span } => {
                let negated = matches!(lit, ast::Literal::Negative { .. });
                let mut extra = Vec::new();
                let pred = self.resolve(&atom.pred, atom.args.len());
                let args = atom.args.iter().map(|a| self.lower_arg(a, &mut extra)).collect();
                let mut time = time.as_ref().map(|t| self.lower_arg(t, &mut extra));
                if let Some(pred) = pred {
                    if time.is_none() && !negated && self.in_aggregate && self.preds[pred as usize].temporal {
                        time = Some(Arg::Var(self.vars.fresh(Arc::from("_"))));
                    }
                    let atom = AtomIr { pred, args, time, span: *span };
                    out.push(if negated { Literal::Negative(atom) } else { Literal::Positive(atom) });
                }
                out.extend(extra);
            }
            ast::Literal::Compare { op, lhs, rhs, span } => {
                let (lhs, rhs) = (self.lower_expr(lhs), self.lower_expr(rhs));
                out.push(Literal::Compare { op: *op, lhs, rhs, span: *span });
            }
            ast::Literal::Temporal { op, lhs, rhs, span } => {
                let (lhs, rhs) = (self.lower_expr(lhs), self.lower_expr(rhs));
                out.push(Literal::Temporal { op: *op, lhs, rhs, span: *span });
            }
            ast::Literal::Aggregate(agg) => {
                let result = self.lower_expr(&agg.result);
                let target = agg.target.as_ref().map(|t| self.lower_expr(t));
                let mut body = Vec::new();
                let outer = std::mem::replace(&mut self.in_aggregate, true);
                for l in &agg.body {
                    self.lower_literal(l, &mut body);
                }
                self.in_aggregate = outer;
                out.push(Literal::Aggregate(Box::new(AggregateIr {
                    func: agg.func,
                    result,
                    target,
                    body,
                    group: Vec::new(),
                    local: Vec::new(),
                    span: agg.span,
                })));
            }
        }
    }

    /// An atom argument: a variable, a constant, or an expression desugared into a fresh
    /// variable `V` plus the literal `V = expr` appended to `extra`.
    fn lower_arg(&mut self, e: &ast::Expr, extra: &mut Vec<Literal>) -> Arg {
        match e {
            ast::Expr::Var(id) => Arg::Var(self.vars.named(&id.name)),
            ast::Expr::Wildcard(_) => Arg::Var(self.vars.fresh(Arc::from("_"))),
            ast::Expr::Const(v, _) => Arg::Const(self.intern_const(v)),
            other => {
                let v = self.vars.fresh(Arc::from(format!("_{}", self.vars.names.len())));
                let rhs = self.lower_expr(other);
                extra.push(Literal::Compare { op: CmpOp::Eq, lhs: Expr::Var(v), rhs, span: other.span() });
                Arg::Var(v)
            }
        }
    }

    fn intern_const(&mut self, v: &Value) -> crate::value::Id {
        self.interner.intern(v.clone())
    }

    fn lower_expr(&mut self, e: &ast::Expr) -> Expr {
        match e {
            ast::Expr::Var(id) => Expr::Var(self.vars.named(&id.name)),
            ast::Expr::Wildcard(span) => {
                self.diags.push(
                    Diagnostic::error("check::wildcard_in_expression", "`_` has no value in an expression")
                        .at(*span)
                        .help("name a variable bound by a positive atom"),
                );
                Expr::Const(self.interner.intern(Value::Interval(Interval::ALWAYS)))
            }
            ast::Expr::Const(v, _) => Expr::Const(self.intern_const(v)),
            ast::Expr::Param(id) => {
                self.diags.push(
                    Diagnostic::error(
                        "check::unbound_parameter",
                        format!("no value was given for the parameter `${}`", id.name),
                    )
                    .at(id.span)
                    .help(format!("pass `--param {}=VALUE`", id.name)),
                );
                Expr::Const(self.interner.intern(Value::Interval(Interval::ALWAYS)))
            }
            ast::Expr::Neg(inner, _) => Expr::Neg(Box::new(self.lower_expr(inner))),
            ast::Expr::Binary { op, lhs, rhs, .. } => {
                Expr::Binary(*op, Box::new(self.lower_expr(lhs)), Box::new(self.lower_expr(rhs)))
            }
            ast::Expr::Call { func, arg, .. } => Expr::Call(*func, Box::new(self.lower_expr(arg))),
        }
    }
}
