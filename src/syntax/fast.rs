//! A fast path for the commonest statement of a large file, a plain fact on one line:
//! `link(seoul, "Busan", 325).` It builds exactly the statement the grammar would, spans
//! included, and declines anything it is not sure of (a comment, a line break, an escape, a
//! keyword, a sign, a decimal, a time, a citation), which then goes through pest as before.
//! A 100k-fact file spends most of its parse time in pest otherwise.

use std::sync::Arc;

use crate::ast::{Atom, Expr, Fact, FileId, Ident, Span, Statement};
use crate::value::Value;

/// The plain fact starting at `start`, and where it ends, or `None` to leave it to pest.
/// `last_pred` is the name of the previous plain fact's predicate: a file of facts repeats a
/// few names, so consecutive facts share one allocation of it.
pub(super) fn plain_fact(
    file: FileId,
    text: &str,
    start: usize,
    doc: &mut Option<String>,
    last_pred: &mut Option<Arc<str>>,
) -> Option<(Statement, usize)> {
    let bytes = text.as_bytes();
    let span = |a: usize, b: usize| Span::new(file, a, b);
    let mut at = start;
    let pred_end = word_end(text, at)?;
    let pred = &text[at..pred_end];
    at = skip_blanks(bytes, pred_end);
    if bytes.get(at) != Some(&b'(') {
        return None;
    }
    let mut args = Vec::new();
    loop {
        at = skip_blanks(bytes, at + 1);
        let arg_start = at;
        let value = match bytes.get(at)? {
            b'"' => {
                let close = arg_start + 1 + bytes[arg_start + 1..].iter().position(|&b| b == b'"')?;
                let body = &text[arg_start + 1..close];
                if body.bytes().any(|b| b == b'\\' || b == b'\n' || b == b'\r') {
                    return None;
                }
                at = close + 1;
                Value::Text(Arc::from(body))
            }
            b'0'..=b'9' => {
                let end = at + bytes[at..].iter().position(|b| !b.is_ascii_digit()).unwrap_or(bytes.len() - at);
                // Eighteen digits always fit in an i64; longer ones get pest's diagnostic.
                if end - at > 18 {
                    return None;
                }
                let n = text[at..end].parse().ok()?;
                at = end;
                Value::Int(n)
            }
            _ => {
                let end = word_end(text, at)?;
                let word = &text[at..end];
                at = end;
                Value::text(word)
            }
        };
        args.push(Expr::Const(value, span(arg_start, at)));
        at = skip_blanks(bytes, at);
        match bytes.get(at)? {
            b',' => {}
            b')' => break,
            _ => return None,
        }
    }
    let atom_end = at + 1;
    at = skip_blanks(bytes, atom_end);
    // `stop`: a `.` not followed by another `.` or a digit.
    if bytes.get(at) != Some(&b'.') || bytes.get(at + 1).is_some_and(|&b| b == b'.' || b.is_ascii_digit()) {
        return None;
    }
    let end = at + 1;
    // A fact lives as long as its module: no spare room in its arguments (a vector grown by
    // pushes holds four).
    args.shrink_to_fit();
    let name = match last_pred {
        Some(name) if **name == *pred => name.clone(),
        _ => last_pred.insert(Arc::from(pred)).clone(),
    };
    let atom = Atom { pred: Ident { name, span: span(start, pred_end) }, args, span: span(start, atom_end) };
    let fact = Fact { atom, time: None, cites: Vec::new(), doc: doc.take(), span: span(start, end) };
    Some((Statement::Fact(fact), end))
}

/// The end of a lower-case word that is not a keyword (a `name` or a plain `pred_name`),
/// which must not run on into `:` (a namespaced name) or `(` after a function name.
fn word_end(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    if !bytes.get(start)?.is_ascii_lowercase() {
        return None;
    }
    let end = start
        + bytes[start..].iter().position(|&b| !(b.is_ascii_alphanumeric() || b == b'_')).unwrap_or(bytes.len() - start);
    if super::is_keyword(&text[start..end]) || bytes.get(end) == Some(&b':') {
        return None;
    }
    Some(end)
}

fn skip_blanks(bytes: &[u8], mut at: usize) -> usize {
    while matches!(bytes.get(at), Some(b' ' | b'\t')) {
        at += 1;
    }
    at
}
