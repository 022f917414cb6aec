//! Expressions, comparisons and interval tests over interned values.

use std::cmp::Ordering;

use crate::ast::{BinOp, CmpOp, Func, TimeOp};
use crate::program::Expr;
use crate::syntax::print::Source;
use crate::value::{Id, Interner, Interval, Value};

/// A value during expression evaluation: numbers and computed times unboxed, anything else
/// by id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar {
    Int(i64),
    Dec(f64),
    /// A time computed by a function (`start(T)`, `add_days(T, 7)`), not yet interned.
    Time(Interval),
    Other(Id),
}

/// Why an expression has no value.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprError {
    Overflow(String),
    /// A decimal result that is infinite.
    DecimalOverflow(String),
    DivisionByZero,
    Type(String),
    /// `start(T)` of an interval unbounded at the start, or of an undated time: the literal
    /// simply does not hold.
    NoValue,
}

/// A time operand: a date or interval, or `undated`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum TimeArg {
    Dated(Interval),
    Undated,
}

#[inline]
pub fn scalar(id: Id, interner: &Interner) -> Scalar {
    interner.with_value(id, |v| match v {
        Value::Int(i) => Scalar::Int(*i),
        Value::Dec(d) => Scalar::Dec(*d),
        _ => Scalar::Other(id),
    })
}

pub fn to_id(s: Scalar, interner: &mut Interner) -> Id {
    match s {
        Scalar::Int(i) => interner.intern(Value::Int(i)),
        // Normalised by the interner: an integral decimal is that integer (`Value::normalized`).
        Scalar::Dec(d) => interner.intern(Value::Dec(d)),
        Scalar::Time(t) => interner.intern(Value::Interval(t)),
        Scalar::Other(id) => id,
    }
}

pub fn to_value(s: Scalar, interner: &Interner) -> Value {
    match s {
        Scalar::Int(i) => Value::Int(i),
        Scalar::Dec(d) => Value::Dec(d),
        Scalar::Time(t) => Value::Interval(t),
        Scalar::Other(id) => interner.value(id),
    }
}

/// The operand as a time: a time value, `undated`, or an integer read as a year (a year
/// literal, or a year column of a data file).
fn time_arg(s: Scalar, interner: &Interner) -> Option<TimeArg> {
    match s {
        Scalar::Int(y) => Interval::try_year(y).map(TimeArg::Dated),
        Scalar::Dec(_) => None,
        Scalar::Time(t) => Some(TimeArg::Dated(t)),
        Scalar::Other(id) => interner.with_value(id, |v| match v {
            Value::Interval(t) => Some(TimeArg::Dated(*t)),
            Value::Undated => Some(TimeArg::Undated),
            _ => None,
        }),
    }
}

fn is_time(s: Scalar, interner: &Interner) -> bool {
    match s {
        Scalar::Time(_) => true,
        Scalar::Other(id) => interner.with_value(id, |v| matches!(v, Value::Interval(_) | Value::Undated)),
        _ => false,
    }
}

pub fn eval(e: &Expr, regs: &[Id], interner: &Interner) -> Result<Scalar, ExprError> {
    match e {
        Expr::Var(v) => Ok(scalar(regs[*v as usize], interner)),
        Expr::Const(id) => Ok(scalar(*id, interner)),
        Expr::Dec(d) => Ok(Scalar::Dec(*d)),
        Expr::Neg(inner) => match eval(inner, regs, interner)? {
            Scalar::Int(i) => i.checked_neg().map(Scalar::Int).ok_or_else(|| ExprError::Overflow(format!("-({i})"))),
            Scalar::Dec(d) => Ok(Scalar::Dec(-d)),
            other => Err(ExprError::Type(format!("cannot negate `{}`", to_value(other, interner)))),
        },
        Expr::Binary(op, a, b) => {
            let (a, b) = (eval(a, regs, interner)?, eval(b, regs, interner)?);
            arith(*op, a, b, interner)
        }
        Expr::Call(func, args) => {
            let mut values = [Scalar::Int(0); 2];
            for (slot, arg) in values.iter_mut().zip(args) {
                *slot = eval(arg, regs, interner)?;
            }
            call(*func, values[0], values[1], interner)
        }
    }
}

/// A built-in function on evaluated arguments (`b` is unused by one-argument functions).
fn call(func: Func, a: Scalar, b: Scalar, interner: &Interner) -> Result<Scalar, ExprError> {
    let time = match time_arg(a, interner) {
        Some(TimeArg::Dated(t)) => t,
        // An undated time has no start, length or year: the literal does not hold.
        Some(TimeArg::Undated) => return Err(ExprError::NoValue),
        None => {
            return Err(ExprError::Type(format!("{}() needs a time, not `{}`", func.name(), to_value(a, interner))));
        }
    };
    let count = |what: &str| match b {
        Scalar::Int(n) => Ok(n),
        other => Err(ExprError::Type(format!(
            "{}() needs a whole number of {what}, not `{}`",
            func.name(),
            to_value(other, interner)
        ))),
    };
    let point = |d: Option<crate::value::Date>| d.map(|d| Scalar::Time(Interval::point(d))).ok_or(ExprError::NoValue);
    match func {
        Func::Start => point(time.start),
        Func::End => point(time.end),
        Func::Year => time.start.map(|d| Scalar::Int(d.civil().0)).ok_or(ExprError::NoValue),
        Func::Days => time.days().map(Scalar::Int).ok_or(ExprError::NoValue),
        Func::Years => time.whole_years().map(Scalar::Int).ok_or(ExprError::NoValue),
        Func::AddDays | Func::AddYears => {
            let n = count(if func == Func::AddDays { "days" } else { "years" })?;
            let moved = if func == Func::AddDays { time.add_days(n) } else { time.add_years(n) };
            let beyond = || ExprError::Overflow(format!("{}({time}, {n}): beyond the calendar", func.name()));
            moved.map(Scalar::Time).ok_or_else(beyond)
        }
        Func::Interval => {
            let to = match time_arg(b, interner) {
                Some(TimeArg::Dated(t)) => t,
                Some(TimeArg::Undated) => return Err(ExprError::NoValue),
                None => {
                    return Err(ExprError::Type(format!("interval() needs a time, not `{}`", to_value(b, interner))));
                }
            };
            let span = Interval { start: time.start, end: to.end };
            // From a start after the end: no such interval, so the literal does not hold.
            if span.is_valid() { Ok(Scalar::Time(span)) } else { Err(ExprError::NoValue) }
        }
    }
}

fn arith(op: BinOp, a: Scalar, b: Scalar, interner: &Interner) -> Result<Scalar, ExprError> {
    let text = |s: Scalar| to_value(s, interner).to_string();
    match (a, b) {
        (Scalar::Int(x), Scalar::Int(y)) => {
            let r = match op {
                BinOp::Add => x.checked_add(y),
                BinOp::Sub => x.checked_sub(y),
                BinOp::Mul => x.checked_mul(y),
                BinOp::Div | BinOp::Mod if y == 0 => return Err(ExprError::DivisionByZero),
                // Exact: a result depends on the values only, never on how a number was written
                // (`2` and `2.0` are one constant), so `7 / 2` is 3.5 as `7.0 / 2` is.
                BinOp::Div if x.checked_rem(y).is_some_and(|r| r != 0) => {
                    return Ok(Scalar::Dec(x as f64 / y as f64));
                }
                BinOp::Div => x.checked_div(y),
                // Floored modulo, as Prolog's `mod`: the result has the sign of the divisor.
                BinOp::Mod => x.checked_rem(y).map(|r| if r != 0 && (r < 0) != (y < 0) { r + y } else { r }),
            };
            r.map(Scalar::Int).ok_or_else(|| ExprError::Overflow(format!("{x} {} {y}", op.symbol())))
        }
        _ if is_time(a, interner) || is_time(b, interner) => Err(ExprError::Type(format!(
            "`{} {} {}`: arithmetic on a time; use add_days(T, N), add_years(T, N), days(T) or year(T)",
            text(a),
            op.symbol(),
            text(b)
        ))),
        (Scalar::Other(_), _) | (_, Scalar::Other(_)) => {
            Err(ExprError::Type(format!("`{} {} {}`: arithmetic needs numbers", text(a), op.symbol(), text(b))))
        }
        _ => {
            let (x, y) = (as_f64(a), as_f64(b));
            let r = match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                BinOp::Div if y == 0.0 => return Err(ExprError::DivisionByZero),
                BinOp::Div => x / y,
                BinOp::Mod => {
                    return Err(ExprError::Type(format!("`{} mod {}`: mod needs integers", text(a), text(b))));
                }
            };
            if r.is_finite() {
                Ok(Scalar::Dec(r))
            } else {
                Err(ExprError::DecimalOverflow(format!("{} {} {}", text(a), op.symbol(), text(b))))
            }
        }
    }
}

fn as_f64(s: Scalar) -> f64 {
    match s {
        Scalar::Int(i) => i as f64,
        Scalar::Dec(d) => d,
        Scalar::Time(_) | Scalar::Other(_) => f64::NAN,
    }
}

/// Numbers compare by value (1 = 1.0); two times (a year literal counting as a time) by the
/// days they cover: the first day, then the last (so two spellings of the same days are
/// equal); anything else by the value order of answers.
pub fn compare(a: Scalar, b: Scalar, interner: &Interner) -> Ordering {
    if let Some(ord) = compare_times(a, b, interner) {
        return ord;
    }
    match (a, b) {
        (Scalar::Int(x), Scalar::Int(y)) => x.cmp(&y),
        (Scalar::Other(x), Scalar::Other(y)) => interner.compare(x, y),
        (Scalar::Int(x), Scalar::Dec(d)) => crate::value::cmp_int_dec(x, d),
        (Scalar::Dec(d), Scalar::Int(x)) => crate::value::cmp_int_dec(x, d).reverse(),
        // Never NaN: `-0.0 = 0.0`, as they are one constant once interned.
        (Scalar::Dec(x), Scalar::Dec(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => to_value(a, interner).cmp(&to_value(b, interner)),
    }
}

/// Two dated times (or a time and a year), by the days they cover.
fn compare_times(a: Scalar, b: Scalar, interner: &Interner) -> Option<Ordering> {
    match dated_pair(a, b, interner)? {
        (TimeArg::Dated(x), TimeArg::Dated(y)) => Some(x.lo().cmp(&y.lo()).then(x.hi().cmp(&y.hi()))),
        _ => None,
    }
}

/// Both sides as times when at least one is a time (the other may be a year).
fn dated_pair(a: Scalar, b: Scalar, interner: &Interner) -> Option<(TimeArg, TimeArg)> {
    if !(is_time(a, interner) || is_time(b, interner)) {
        return None;
    }
    Some((time_arg(a, interner)?, time_arg(b, interner)?))
}

/// Whether either side is `undated`.
fn undated(s: Scalar, interner: &Interner) -> bool {
    matches!(s, Scalar::Other(id) if interner.with_value(id, |v| matches!(v, Value::Undated)))
}

/// Whether `a op b` holds. `=` and `!=` hold or fail for any two values (text is never a
/// number); an order between text and a number is a type error, not the order answers sort in
/// (where text follows numbers, so `"NaN" > 2` would hold).
pub fn test(op: CmpOp, a: Scalar, b: Scalar, interner: &Interner) -> Result<bool, ExprError> {
    // An undated time is unknown: no comparison with it holds, except that it is itself.
    if undated(a, interner) || undated(b, interner) {
        return Ok(op == CmpOp::Eq && a == b);
    }
    // Two times: `=` asks for the same days; `<`, `<=`, `>`, `>=` compare where they start, so
    // `1953-10-15 >= 1953-10` ("in October 1953 or later") holds.
    if let Some((TimeArg::Dated(x), TimeArg::Dated(y))) = dated_pair(a, b, interner) {
        return Ok(match op {
            CmpOp::Eq => x.same_days(&y),
            CmpOp::Ne => !x.same_days(&y),
            CmpOp::Lt => x.lo() < y.lo(),
            CmpOp::Le => x.lo() <= y.lo(),
            CmpOp::Gt => x.lo() > y.lo(),
            CmpOp::Ge => x.lo() >= y.lo(),
        });
    }
    if !matches!(op, CmpOp::Eq | CmpOp::Ne) {
        let is_text =
            |s: Scalar| matches!(s, Scalar::Other(id) if interner.with_value(id, |v| matches!(v, Value::Text(_))));
        let is_number = |s: Scalar| matches!(s, Scalar::Int(_) | Scalar::Dec(_));
        if (is_text(a) && is_number(b)) || (is_number(a) && is_text(b)) {
            return Err(ExprError::Type(format!(
                "`{} {} {}`: cannot order text against a number",
                to_value(a, interner).to_source(),
                op.symbol(),
                to_value(b, interner).to_source()
            )));
        }
    }
    let ord = compare(a, b, interner);
    Ok(match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    })
}

/// An interval test. A year (an integer) is the one-year time; a test on an undated time does
/// not hold, whatever the other side.
pub fn time_test(op: TimeOp, a: Scalar, b: Scalar, interner: &Interner) -> Result<bool, ExprError> {
    let (Some(x), Some(y)) = (time_arg(a, interner), time_arg(b, interner)) else {
        let bad = if time_arg(a, interner).is_none() { a } else { b };
        return Err(ExprError::Type(format!("`{}` is not a time or a year", to_value(bad, interner))));
    };
    let (TimeArg::Dated(x), TimeArg::Dated(y)) = (x, y) else { return Ok(false) };
    Ok(match op {
        TimeOp::After => x.after(&y),
        TimeOp::Before => x.before(&y),
        TimeOp::During => x.during(&y),
        TimeOp::Overlaps => x.overlaps(&y),
    })
}
