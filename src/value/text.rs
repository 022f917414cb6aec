//! Reading values out of text: the numbers `to_number` reads, and the regular expressions of
//! `match`. The checker reads literal arguments with these too, so both agree.

use regex::Regex;

use super::Value;

/// The number a text spells: an integer (`42`, `-7`) or a finite decimal (`3.5`, `1e3`).
pub fn parse_number(text: &str) -> Option<Value> {
    let t = text.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Some(Value::Int(i));
    }
    // Only digits, a sign, a point and an exponent: Rust also reads `inf` and `NaN`.
    if !t.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E')) {
        return None;
    }
    let d = t.parse::<f64>().ok().filter(|d| d.is_finite())?;
    // An integral decimal an `i64` holds is that integer, as everywhere (`Value::normalized`).
    Some(Value::Dec(d).normalized())
}

/// The pattern compiled to match a whole text (anchored at both ends), or why it is not a
/// regular expression.
pub fn compile_pattern(pattern: &str) -> Result<Regex, String> {
    // The size limit keeps a pathological pattern (`(a{1000}){1000}`) from taking memory
    // without bound.
    regex::RegexBuilder::new(&format!(r"\A(?:{pattern})\z")).size_limit(1 << 20).build().map_err(|e| match e {
        // The last line says what is wrong (`error: unclosed group`).
        regex::Error::Syntax(text) => {
            let last = text.lines().last().unwrap_or(&text).trim();
            last.strip_prefix("error: ").unwrap_or(last).to_string()
        }
        other => other.to_string(),
    })
}
