//! Times, numbers and text never mix silently: the checks on the AST of one rule or query.
//!
//! 1. Find what each variable holds where the body says so: `p(X) @ T` makes `T` a time,
//!    `N = count : {...}` or `Y = X + 1` a number, `S = start(T)` a time.
//! 2. In every time position (after `@`, either side of `during`/`overlaps`/`before`/`after`, the
//!    time argument of a time function) accept only a time: a time literal, a year, a variable
//!    that holds a time (or whose kind the body does not tell), a function that gives a time.
//!    Arithmetic there is `check::time_arithmetic` (`@ 1950-1953` is -3, hint `1950..1953`);
//!    text, a decimal or a number-valued variable is `check::not_a_time`.
//! 3. Arithmetic on a time anywhere is `check::time_arithmetic`; a subtraction of two integers
//!    written without spaces (`1953-1950`, which reads like a date) is the warning
//!    `check::ambiguous_minus`.
//! 4. Text positions (the arguments of `cat`, `strlen`, `substr`, `lower`, `upper`, both sides of
//!    `contains` and `match`) take no number or time the text shows (`check::not_text`); a
//!    start or length of `substr` is a whole number (`check::not_a_number`), as is the literal
//!    text of `to_number`; a literal pattern of `match` is a regular expression
//!    (`check::bad_pattern`).

use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::ast::{self, AggFunc, BinOp, Expr, Func, Literal, Span};
use crate::diag::{Diagnostic, Diagnostics};
use crate::value::{Date, Interval, MAX_YEAR, Value};

/// What an expression holds, as far as the text tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Time,
    Number,
    Text,
    Unknown,
}

struct TimeCheck<'a> {
    /// Variables whose kind the body tells, with where it did.
    vars: FxHashMap<Arc<str>, (Kind, Span)>,
    diags: &'a mut Diagnostics,
}

/// Checks the time positions and the arithmetic of a rule (with its head time) or a query.
pub(super) fn check_times(head_args: &[Expr], head_time: Option<&Expr>, body: &[Literal], diags: &mut Diagnostics) {
    let mut cx = TimeCheck { vars: FxHashMap::default(), diags };
    // Step 1: what the variables hold (assignments may come after their uses: the planner
    // orders literals, so the whole body is read first).
    cx.learn(body);
    // Steps 2 and 3.
    for arg in head_args {
        cx.expr(arg);
    }
    if let Some(t) = head_time {
        cx.time_position(t, "after `@`");
    }
    cx.literals(body);
}

impl TimeCheck<'_> {
    fn learn(&mut self, body: &[Literal]) {
        for lit in body {
            match lit {
                Literal::Positive { time: Some(Expr::Var(v)), .. } => self.set(v, Kind::Time),
                Literal::Compare { op: ast::CmpOp::Eq, lhs, rhs, .. } => {
                    for (side, other) in [(lhs, rhs), (rhs, lhs)] {
                        if let Expr::Var(v) = side {
                            let kind = self.kind(other);
                            if kind != Kind::Unknown {
                                self.set(v, kind);
                            }
                        }
                    }
                }
                Literal::Aggregate(agg) => {
                    self.learn(&agg.body);
                    let kind = match (agg.func, &agg.target) {
                        (AggFunc::Min | AggFunc::Max, Some(t)) => self.kind(t),
                        _ => Kind::Number,
                    };
                    if let Expr::Var(v) = &agg.result {
                        self.set(v, kind);
                    }
                }
                _ => {}
            }
        }
    }

    fn set(&mut self, v: &ast::Ident, kind: Kind) {
        self.vars.entry(v.name.clone()).or_insert((kind, v.span));
    }

    fn kind(&self, e: &Expr) -> Kind {
        match e {
            Expr::Const(Value::Interval(_) | Value::Undated, _) => Kind::Time,
            Expr::Const(Value::Int(_) | Value::Dec(_), _) | Expr::Neg(..) | Expr::Binary { .. } => Kind::Number,
            Expr::Const(Value::Text(_), _) => Kind::Text,
            Expr::Var(v) => self.vars.get(&v.name).map_or(Kind::Unknown, |&(k, _)| k),
            Expr::Call { func, .. } if func.gives_time() => Kind::Time,
            Expr::Call { func, .. } if func.gives_text() => Kind::Text,
            Expr::Call { .. } => Kind::Number,
            Expr::Wildcard(_) | Expr::Param(_) => Kind::Unknown,
        }
    }

    fn literals(&mut self, body: &[Literal]) {
        for lit in body {
            match lit {
                Literal::Positive { atom, time, .. } | Literal::Negative { atom, time, .. } => {
                    for arg in &atom.args {
                        self.expr(arg);
                    }
                    if let Some(t) = time {
                        self.time_position(t, "after `@`");
                    }
                }
                Literal::Compare { op, lhs, rhs, .. } => {
                    if op.is_text_test() {
                        let name = op.name();
                        self.text_position(lhs, name);
                        self.text_position(rhs, name);
                        if matches!(op, ast::CmpOp::Match | ast::CmpOp::NotMatch) {
                            check_pattern(lhs, self.diags);
                        }
                    }
                    self.expr(lhs);
                    self.expr(rhs);
                }
                Literal::Temporal { op, lhs, rhs, .. } => {
                    let what = format!("in `{}`", op.keyword());
                    self.time_position(lhs, &what);
                    self.time_position(rhs, &what);
                }
                Literal::Aggregate(agg) => {
                    self.expr(&agg.result);
                    if let Some(t) = &agg.target {
                        self.expr(t);
                    }
                    self.literals(&agg.body);
                }
            }
        }
    }

    /// An expression anywhere: time functions get times, arithmetic gets numbers.
    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Neg(inner, _) => {
                self.no_time(inner, "-");
                self.expr(inner);
            }
            Expr::Binary { op, lhs, rhs, span } => {
                if let Some(spelled) = glued_subtraction(e) {
                    self.diags.push(
                        Diagnostic::warning(
                            "check::ambiguous_minus",
                            format!("`{spelled}` is a subtraction, though it reads like a date"),
                        )
                        .at(*span)
                        .label("computed as a number")
                        .help(format!(
                            "write `{}` with spaces for a subtraction, or a date as YYYY-MM-DD",
                            spelled.replace('-', " - ")
                        )),
                    );
                    // The operands are integer literals: nothing more to check.
                    return;
                }
                self.no_time(lhs, op.symbol());
                self.no_time(rhs, op.symbol());
                self.expr(lhs);
                self.expr(rhs);
            }
            Expr::Call { func, args, .. } if !func.is_time_function() => {
                for (i, arg) in args.iter().enumerate() {
                    match (func, i) {
                        (Func::ToText, _) => {}
                        (Func::ToNumber, _) => {
                            if let Expr::Const(Value::Text(text), span) = arg
                                && crate::value::text::parse_number(text).is_none()
                            {
                                self.diags.push(
                                    Diagnostic::error(
                                        "check::not_a_number",
                                        format!("{} spells no number", crate::syntax::print::quote(text)),
                                    )
                                    .at(*span)
                                    .label("not a number")
                                    .help("to_number reads an integer (`42`) or a decimal (`-3.5`, `1e3`)"),
                                );
                            }
                        }
                        (Func::Substr, 1 | 2) => self.count_position(arg, if i == 1 { "start" } else { "length" }),
                        _ => self.text_position(arg, func.name()),
                    }
                    self.expr(arg);
                }
            }
            Expr::Call { func, args, .. } => {
                for (i, arg) in args.iter().enumerate() {
                    let takes_time = i == 0 || *func == Func::Interval;
                    if takes_time {
                        self.time_position(arg, &format!("in `{}(...)`", func.name()));
                    } else {
                        self.no_time(arg, func.name());
                        self.expr(arg);
                    }
                }
            }
            _ => {}
        }
    }

    /// A position that needs text (`what` names the function): a number or a time the text
    /// shows is an error.
    fn text_position(&mut self, e: &Expr, what: &str) {
        let kind = self.kind(e);
        if !matches!(kind, Kind::Number | Kind::Time) {
            return;
        }
        let what_it_is = if kind == Kind::Number { "a number" } else { "a time" };
        let mut d = Diagnostic::error("check::not_text", format!("{what_it_is} where `{what}` needs text"))
            .at(e.span())
            .label(format!("{what_it_is}, not text"))
            .help("write `to_text(...)` around it for its text (`to_text(42)` is \"42\")");
        if let Expr::Var(v) = e
            && let Some(&(_, bound)) = self.vars.get(&v.name)
        {
            d = d.note(bound, format!("`{}` gets its value here", v.name));
        }
        self.diags.push(d);
    }

    /// The start or length of `substr`: a whole number.
    fn count_position(&mut self, e: &Expr, what: &str) {
        let (kind, is_decimal) = (self.kind(e), matches!(e, Expr::Const(Value::Dec(_), _)));
        if !(is_decimal || matches!(kind, Kind::Text | Kind::Time)) {
            return;
        }
        let what_it_is = match kind {
            Kind::Text => "text",
            Kind::Time => "a time",
            _ => "a decimal",
        };
        self.diags.push(
            Diagnostic::error("check::not_a_number", format!("{what_it_is} where the {what} of `substr` is needed"))
                .at(e.span())
                .label(format!("{what_it_is}, not a whole number"))
                .help("write `substr(S, Start, Length)`: characters count from 0"),
        );
    }

    /// An operand of arithmetic (or a count of days or years) must not be a time.
    fn no_time(&mut self, e: &Expr, op: &str) {
        if self.kind(e) != Kind::Time {
            return;
        }
        self.diags.push(
            Diagnostic::error("check::time_arithmetic", format!("arithmetic on a time (`{op}`)"))
                .at(e.span())
                .label("a time, not a number")
                .help(
                    "move a time with add_days(T, N) or add_years(T, N); for numbers use year(T), days(T) or years(T)",
                ),
        );
    }

    /// A position that needs a time.
    fn time_position(&mut self, e: &Expr, what: &str) {
        match e {
            Expr::Const(Value::Int(y), span) if Interval::try_year(*y).is_none() => self.diags.push(
                Diagnostic::error("check::not_a_time", format!("year {y} is out of range {what}"))
                    .at(*span)
                    .label("no such year")
                    .help(format!("years lie between -{MAX_YEAR} and {MAX_YEAR}")),
            ),
            Expr::Const(Value::Interval(_) | Value::Undated | Value::Int(_), _)
            | Expr::Wildcard(_)
            | Expr::Param(_) => {}
            // `p(X) @ undated`: the facts stated without a date.
            Expr::Const(Value::Text(text), _) if &**text == "undated" && what == "after `@`" => {}
            Expr::Const(Value::Text(text), span) => {
                let help = match text.parse::<Interval>() {
                    Ok(_) => format!("drop the quotes: a time is written bare, `{text}`"),
                    Err(_) => {
                        "write a date (`1953`, `1953-10`, `1953-10-01`) or an interval (`1950..1953`)".to_string()
                    }
                };
                self.diags.push(
                    Diagnostic::error("check::not_a_time", format!("text where a time is needed {what}"))
                        .at(*span)
                        .label("text, not a time")
                        .help(help),
                );
            }
            Expr::Const(Value::Dec(d), span) => self.diags.push(
                Diagnostic::error("check::not_a_time", format!("a decimal where a time is needed {what}"))
                    .at(*span)
                    .label(format!("{} is not a year", crate::value::decimal_text(*d)))
                    .help("write a year as a whole number (`1953`), or a date such as `1953-10-01`"),
            ),
            Expr::Neg(..) | Expr::Binary { .. } => {
                let mut d =
                    Diagnostic::error("check::time_arithmetic", format!("arithmetic where a time is needed {what}"))
                        .at(e.span())
                        .label("computed as a number, not read as a time");
                d = match meant_time(e) {
                    Some(meant) => d.help(format!("write `{meant}`")),
                    None => d.help("compute a time with add_days(T, N), add_years(T, N) or interval(A, B)"),
                };
                self.diags.push(d);
            }
            Expr::Var(v) => {
                let (kind, bound) = self.vars.get(&v.name).copied().unwrap_or((Kind::Unknown, v.span));
                if matches!(kind, Kind::Number | Kind::Text) {
                    let what_it_is = if kind == Kind::Number { "a number" } else { "text" };
                    self.diags.push(
                        Diagnostic::error(
                            "check::not_a_time",
                            format!("`{}` is {what_it_is}, but a time is needed {what}", v.name),
                        )
                        .at(v.span)
                        .label(format!("{what_it_is}, not a time"))
                        .note(bound, format!("`{}` gets its value here", v.name))
                        .help("bind it to a time (`p(X) @ T`, `T = start(S)`, `T = add_years(S, 1)`)"),
                    );
                }
            }
            Expr::Call { func, span, .. } => {
                if !func.gives_time() {
                    let gives = if func.gives_text() { "text" } else { "a number" };
                    self.diags.push(
                        Diagnostic::error(
                            "check::not_a_time",
                            format!("`{}(...)` gives {gives}, but a time is needed {what}", func.name()),
                        )
                        .at(*span)
                        .label(format!("{gives}, not a time"))
                        .help("start(T), end(T), add_days(T, N), add_years(T, N) and interval(A, B) give times"),
                    );
                }
                self.expr(e);
            }
        }
    }
}

/// A literal pattern of `match` that is not a regular expression.
fn check_pattern(pattern: &Expr, diags: &mut Diagnostics) {
    let Expr::Const(Value::Text(text), span) = pattern else { return };
    if let Err(why) = crate::value::text::compile_pattern(text) {
        diags.push(
            Diagnostic::error("check::bad_pattern", format!("`match` needs a regular expression: {why}"))
                .at(*span)
                .label("not a regular expression")
                .help("the syntax is that of Rust's regex crate; `\\.` matches a dot, `.*` any text"),
        );
    }
}

/// The integers of a chain of subtractions of literals written without spaces (`1950-6-25`),
/// as written; `None` for anything else.
fn glued_subtraction(e: &Expr) -> Option<String> {
    match e {
        Expr::Binary { op: BinOp::Sub, lhs, rhs, .. } => {
            let Expr::Const(Value::Int(b), rspan) = &**rhs else { return None };
            let (left, lspan) = match &**lhs {
                Expr::Const(Value::Int(a), s) => (a.to_string(), *s),
                inner @ Expr::Binary { span, .. } => (glued_subtraction(inner)?, *span),
                _ => return None,
            };
            // Glued: exactly one character (the `-`) between the two sides.
            (lspan.end + 1 == rspan.start && *b >= 0).then(|| format!("{left}-{b}"))
        }
        _ => None,
    }
}

/// What a subtraction of literals in a time position most likely meant: `1950-1953` the
/// interval `1950..1953`, `1950-6-25` the date `1950-06-25`.
fn meant_time(e: &Expr) -> Option<String> {
    let spelled = glued_subtraction(e).or_else(|| spaced_subtraction(e))?;
    let parts: Vec<i64> = spelled.split('-').filter_map(|p| p.parse().ok()).collect();
    match parts[..] {
        [a, b] if b > 12 => Some(format!("{a}..{b}")),
        [a, b] => Date::month(a, b as u32).map(|d| d.to_string()).or(Some(format!("{a}..{b}"))),
        [a, m, d] => Date::day(a, m as u32, d as u32).map(|d| d.to_string()),
        _ => None,
    }
}

/// `1950 - 1953` (with spaces) as `1950-1953`.
fn spaced_subtraction(e: &Expr) -> Option<String> {
    match e {
        Expr::Binary { op: BinOp::Sub, lhs, rhs, .. } => {
            let Expr::Const(Value::Int(b), _) = &**rhs else { return None };
            let left = match &**lhs {
                Expr::Const(Value::Int(a), _) => a.to_string(),
                inner => spaced_subtraction(inner)?,
            };
            (*b >= 0).then(|| format!("{left}-{b}"))
        }
        _ => None,
    }
}
