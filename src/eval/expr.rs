//! Expressions, comparisons and interval tests over interned values.

use std::cmp::Ordering;

use crate::ast::{BinOp, CmpOp, Func, TimeOp};
use crate::program::Expr;
use crate::value::{Id, Interner, Value};

/// A value during expression evaluation: numbers unboxed, anything else by id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar {
    Int(i64),
    Dec(f64),
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
    /// `start(T)` of an interval unbounded at the start: the literal simply does not hold.
    NoValue,
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
        Scalar::Other(id) => id,
    }
}

pub fn to_value(s: Scalar, interner: &Interner) -> Value {
    match s {
        Scalar::Int(i) => Value::Int(i),
        Scalar::Dec(d) => Value::Dec(d),
        Scalar::Other(id) => interner.value(id),
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
            Scalar::Other(id) => Err(ExprError::Type(format!("cannot negate `{}`", interner.value(id)))),
        },
        Expr::Binary(op, a, b) => {
            let (a, b) = (eval(a, regs, interner)?, eval(b, regs, interner)?);
            arith(*op, a, b, interner)
        }
        Expr::Call(func, arg) => {
            let v = eval(arg, regs, interner)?;
            let interval = match v {
                Scalar::Int(y) => return Ok(Scalar::Int(y)),
                Scalar::Other(id) => interner.with_value(id, Value::as_interval),
                Scalar::Dec(_) => None,
            };
            let Some(interval) = interval else {
                return Err(ExprError::Type(format!(
                    "{}() needs an interval, not `{}`",
                    func.name(),
                    to_value(v, interner)
                )));
            };
            let end = match func {
                Func::Start => interval.start,
                Func::End => interval.end,
            };
            end.map(Scalar::Int).ok_or(ExprError::NoValue)
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
        Scalar::Other(_) => f64::NAN,
    }
}

/// Numbers compare by value (1 = 1.0); anything else by the value order of answers.
pub fn compare(a: Scalar, b: Scalar, interner: &Interner) -> Ordering {
    match (a, b) {
        (Scalar::Int(x), Scalar::Int(y)) => x.cmp(&y),
        (Scalar::Other(x), Scalar::Other(y)) => interner.compare(x, y),
        (Scalar::Other(x), _) => interner.with_value(x, |x| x.cmp(&to_value(b, interner))),
        (_, Scalar::Other(y)) => interner.with_value(y, |y| to_value(a, interner).cmp(y)),
        (Scalar::Int(x), Scalar::Dec(d)) => crate::value::cmp_int_dec(x, d),
        (Scalar::Dec(d), Scalar::Int(x)) => crate::value::cmp_int_dec(x, d).reverse(),
        // Never NaN: `-0.0 = 0.0`, as they are one constant once interned.
        (Scalar::Dec(x), Scalar::Dec(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
    }
}

/// Whether `a op b` holds. `=` and `!=` hold or fail for any two values (text is never a
/// number); an order between text and a number is a type error, not the order answers sort in
/// (where text follows numbers, so `"NaN" > 2` would hold).
pub fn test(op: CmpOp, a: Scalar, b: Scalar, interner: &Interner) -> Result<bool, ExprError> {
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

pub fn time_test(op: TimeOp, a: Scalar, b: Scalar, interner: &Interner) -> Result<bool, ExprError> {
    let as_interval = |s: Scalar| match s {
        Scalar::Int(y) => Some(crate::value::Interval::year(y)),
        Scalar::Other(id) => interner.with_value(id, Value::as_interval),
        Scalar::Dec(_) => None,
    };
    let (Some(x), Some(y)) = (as_interval(a), as_interval(b)) else {
        let bad = if as_interval(a).is_none() { a } else { b };
        return Err(ExprError::Type(format!("`{}` is not an interval or a year", to_value(bad, interner))));
    };
    Ok(match op {
        TimeOp::After => x.after(&y),
        TimeOp::Before => x.before(&y),
        TimeOp::During => x.during(&y),
        TimeOp::Overlaps => x.overlaps(&y),
    })
}
