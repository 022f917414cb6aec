//! Expressions, comparisons and interval tests over interned values.
//!
//! Numbers and times are computed unboxed ([`Scalar`] is `Copy`, which the join loops rely on).
//! Text is computed as owned text and interned once, where a value is needed ([`eval`] interns
//! the text of a top-level `cat(...)`), so a derived text is an ordinary constant afterwards. A
//! text function's arguments are computed as text without interning ([`text_of`]), so that
//! `strlen(cat(A, B))` or `contains("x", lower(S))` intern nothing.

use std::cmp::Ordering;
use std::sync::Arc;

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
    /// `substr` outside its text.
    OutOfRange(String),
    /// `to_number` of text that spells no number.
    NotANumber(String),
    /// `match` with a pattern that is not a regular expression.
    BadPattern(String),
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

/// The value of an expression; a text result is interned (an ordinary constant from then on).
pub fn eval(e: &Expr, regs: &[Id], interner: &mut Interner) -> Result<Scalar, ExprError> {
    match e {
        Expr::Call(func, args) if func.gives_text() => {
            let text = text_call(*func, args, regs, interner)?;
            Ok(Scalar::Other(interner.intern(Value::Text(text))))
        }
        _ => eval_read_only(e, regs, interner),
    }
}

/// The value of an expression, reading the interner and never adding to it: a number, a time,
/// or a value as stated. A text function met here is an operand of arithmetic or of a time
/// function (its text would need interning), so it is a type error.
pub fn eval_read_only(e: &Expr, regs: &[Id], interner: &Interner) -> Result<Scalar, ExprError> {
    match e {
        Expr::Var(v) => Ok(scalar(regs[*v as usize], interner)),
        Expr::Const(id) => Ok(scalar(*id, interner)),
        Expr::Dec(d) => Ok(Scalar::Dec(*d)),
        Expr::Neg(inner) => match eval_read_only(inner, regs, interner)? {
            Scalar::Int(i) => i.checked_neg().map(Scalar::Int).ok_or_else(|| ExprError::Overflow(format!("-({i})"))),
            Scalar::Dec(d) => Ok(Scalar::Dec(-d)),
            other => Err(ExprError::Type(format!("cannot negate `{}`", to_value(other, interner)))),
        },
        Expr::Binary(op, a, b) => {
            let (a, b) = (eval_read_only(a, regs, interner)?, eval_read_only(b, regs, interner)?);
            arith(*op, a, b, interner)
        }
        Expr::Call(func, args) if func.gives_text() => {
            let text = text_call(*func, args, regs, interner)?;
            Err(ExprError::Type(format!(
                "`{}(...)` gives the text {}, not a number or a time",
                func.name(),
                crate::syntax::print::quote(&text)
            )))
        }
        Expr::Call(Func::Strlen, args) => {
            let text = text_of(Func::Strlen, &args[0], regs, interner)?;
            Ok(Scalar::Int(text.chars().count() as i64))
        }
        Expr::Call(Func::ToNumber, args) => to_number(&args[0], regs, interner),
        Expr::Call(func, args) => {
            let mut values = [Scalar::Int(0); 2];
            for (slot, arg) in values.iter_mut().zip(args) {
                *slot = eval_read_only(arg, regs, interner)?;
            }
            call(*func, values[0], values[1], interner)
        }
    }
}

/// The text an argument of `func` stands for: text as it is; a number, a time or `undated` is
/// a type error (`to_text` says how to write one as text).
pub fn text_of(func: impl Named, e: &Expr, regs: &[Id], interner: &Interner) -> Result<Arc<str>, ExprError> {
    if let Expr::Call(inner, args) = e
        && inner.gives_text()
    {
        return text_call(*inner, args, regs, interner);
    }
    scalar_text(func, eval_read_only(e, regs, interner)?, interner)
}

/// The text of a value that `func` needs as text.
fn scalar_text(func: impl Named, s: Scalar, interner: &Interner) -> Result<Arc<str>, ExprError> {
    if let Scalar::Other(id) = s
        && let Some(text) = interner.with_value(id, |v| if let Value::Text(t) = v { Some(t.clone()) } else { None })
    {
        return Ok(text);
    }
    let shown = to_value(s, interner).to_source();
    Err(ExprError::Type(format!("{}() needs text, not `{shown}`; write `to_text({shown})` for its text", func.name())))
}

/// Something with a name in messages: a function, or a text test.
pub trait Named: Copy {
    fn name(self) -> &'static str;
}

impl Named for Func {
    fn name(self) -> &'static str {
        Func::name(self)
    }
}

impl Named for CmpOp {
    fn name(self) -> &'static str {
        CmpOp::name(self)
    }
}

/// A whole number argument of `func` (a start or a length).
fn count_of(func: Func, what: &str, e: &Expr, regs: &[Id], interner: &Interner) -> Result<i64, ExprError> {
    match eval_read_only(e, regs, interner)? {
        Scalar::Int(n) => Ok(n),
        other => Err(ExprError::Type(format!(
            "{}() needs a whole number as its {what}, not `{}`",
            func.name(),
            to_value(other, interner).to_source()
        ))),
    }
}

/// A function that gives text, on its unevaluated arguments.
fn text_call(func: Func, args: &[Expr], regs: &[Id], interner: &Interner) -> Result<Arc<str>, ExprError> {
    match func {
        Func::Cat => {
            let mut out = String::new();
            for arg in args {
                out.push_str(&text_of(func, arg, regs, interner)?);
            }
            Ok(Arc::from(out))
        }
        Func::Lower => Ok(Arc::from(text_of(func, &args[0], regs, interner)?.to_lowercase())),
        Func::Upper => Ok(Arc::from(text_of(func, &args[0], regs, interner)?.to_uppercase())),
        Func::Substr => {
            let text = text_of(func, &args[0], regs, interner)?;
            let start = count_of(func, "start", &args[1], regs, interner)?;
            let len = count_of(func, "length", &args[2], regs, interner)?;
            substr(&text, start, len).map(Arc::from)
        }
        Func::ToText => {
            if let Expr::Call(inner, inner_args) = &args[0]
                && inner.gives_text()
            {
                return text_call(*inner, inner_args, regs, interner);
            }
            let s = eval_read_only(&args[0], regs, interner)?;
            Ok(match s {
                Scalar::Other(id) => interner.with_value(id, |v| match v {
                    Value::Text(t) => t.clone(),
                    other => Arc::from(other.to_string()),
                }),
                other => Arc::from(to_value(other, interner).to_string()),
            })
        }
        // Not text functions: `eval` and `text_of` only call this for those that are.
        _ => Err(ExprError::Type(format!("{}() does not give text", func.name()))),
    }
}

/// `substr(S, Start, Len)`: `Len` characters of `S` from the 0-based character `Start`, as
/// C++'s `std::string::substr` (which Soufflé uses) but counting characters: a start past the
/// end, or a negative start or length, is an error; a length running past the end takes the
/// rest of the text.
pub fn substr(text: &str, start: i64, len: i64) -> Result<String, ExprError> {
    let n_chars = text.chars().count();
    let bad = |why: &str| {
        ExprError::OutOfRange(format!("substr({}, {start}, {len}): {why}", crate::syntax::print::quote(text)))
    };
    if start < 0 {
        return Err(bad("the start is negative"));
    }
    if len < 0 {
        return Err(bad("the length is negative"));
    }
    if start as u64 > n_chars as u64 {
        return Err(bad(&format!("the start is past the end of a text of {n_chars} characters")));
    }
    Ok(text.chars().skip(start as usize).take(usize::try_from(len).unwrap_or(usize::MAX)).collect())
}

/// `to_number(S)`: the integer or decimal that the text spells (blanks around it are ignored);
/// a number is itself.
fn to_number(e: &Expr, regs: &[Id], interner: &Interner) -> Result<Scalar, ExprError> {
    let text = match e {
        Expr::Call(f, args) if f.gives_text() => text_call(*f, args, regs, interner)?,
        _ => match eval_read_only(e, regs, interner)? {
            n @ (Scalar::Int(_) | Scalar::Dec(_)) => return Ok(n),
            s => scalar_text(Func::ToNumber, s, interner)?,
        },
    };
    parse_number(&text).ok_or_else(|| {
        ExprError::NotANumber(format!("to_number({}): the text spells no number", crate::syntax::print::quote(&text)))
    })
}

/// The number a text spells ([`crate::value::text::parse_number`]), unboxed.
pub fn parse_number(text: &str) -> Option<Scalar> {
    match crate::value::text::parse_number(text)? {
        Value::Int(i) => Some(Scalar::Int(i)),
        Value::Dec(d) => Some(Scalar::Dec(d)),
        _ => None,
    }
}

/// Whether a text test holds: `contains(Sub, S)`, `match(Pattern, S)` and their negations.
/// Both sides must be text.
pub fn text_test(op: CmpOp, lhs: &Expr, rhs: &Expr, regs: &[Id], interner: &Interner) -> Result<bool, ExprError> {
    let (a, b) = (text_of(op, lhs, regs, interner)?, text_of(op, rhs, regs, interner)?);
    text_holds(op, &a, &b)
}

fn text_holds(op: CmpOp, a: &Arc<str>, b: &str) -> Result<bool, ExprError> {
    let holds = match op {
        CmpOp::Contains | CmpOp::NotContains => b.contains(&**a),
        _ => pattern::full_match(a, b)?,
    };
    Ok(holds != matches!(op, CmpOp::NotContains | CmpOp::NotMatch))
}

/// Regular expressions for `match`, compiled once per pattern.
pub mod pattern {
    use std::cell::RefCell;
    use std::sync::Arc;

    use regex::Regex;
    use rustc_hash::FxHashMap;

    use super::ExprError;

    /// How many compiled patterns a thread keeps; a rule uses a handful, so this only bounds
    /// a rule whose pattern comes from the data.
    const CACHE_SIZE: usize = 256;

    thread_local! {
        // A compiled pattern depends on its text alone, so sharing it across queries changes
        // no answer; it saves compiling the pattern again for every row.
        static CACHE: RefCell<FxHashMap<Arc<str>, Regex>> = RefCell::new(FxHashMap::default());
    }

    pub use crate::value::text::compile_pattern as compile;

    /// Whether the pattern matches the whole of `text`.
    pub fn full_match(pattern: &Arc<str>, text: &str) -> Result<bool, ExprError> {
        CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            if let Some(re) = cache.get(pattern) {
                return Ok(re.is_match(text));
            }
            let re = compile(pattern)
                .map_err(|why| ExprError::BadPattern(format!("{}: {why}", crate::syntax::print::quote(pattern))))?;
            let holds = re.is_match(text);
            if cache.len() >= CACHE_SIZE {
                cache.clear();
            }
            cache.insert(pattern.clone(), re);
            Ok(holds)
        })
    }
}

/// A time function on evaluated arguments (`b` is unused by one-argument functions).
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
        // Computed by `eval_read_only` before the arguments are read as times.
        Func::Cat | Func::Strlen | Func::Substr | Func::Lower | Func::Upper | Func::ToNumber | Func::ToText => {
            Err(ExprError::Type(format!("{}() is not a time function", func.name())))
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
    if op.is_text_test() {
        let (a, b) = (scalar_text(op, a, interner)?, scalar_text(op, b, interner)?);
        return text_holds(op, &a, &b);
    }
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
            // Handled above.
            CmpOp::Contains | CmpOp::NotContains | CmpOp::Match | CmpOp::NotMatch => false,
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
        CmpOp::Contains | CmpOp::NotContains | CmpOp::Match | CmpOp::NotMatch => false,
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
