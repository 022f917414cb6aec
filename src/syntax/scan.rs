//! A lexical pass over raw text that knows only strings, comments and brackets.
//!
//! It runs where pest cannot help: before pest (bracket depth, so that deep nesting is a
//! diagnostic instead of a stack overflow), between statements (doc comments), and after a
//! failed statement (finding the `.` to resume after, and noticing a string or comment that
//! never ends). It must agree with the trivia and string rules of `grammar/because.pest`.

/// The deepest bracket nesting accepted before pest runs.
pub(super) const MAX_DEPTH: usize = 256;

/// A string or block comment that runs to the end of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unterminated {
    /// The byte offset of the opening quote.
    String(usize),
    /// The byte offset of the opening `/*`.
    Comment(usize),
}

impl Unterminated {
    pub(super) fn start(self) -> usize {
        match self {
            Unterminated::String(at) | Unterminated::Comment(at) => at,
        }
    }
}

/// What [`walk`] shows its visitor: a byte of code outside strings and comments.
type Visit<'v> = &'v mut dyn FnMut(usize, u8) -> bool;

/// Walks `text` from `from`, calling `visit(offset, byte)` for every byte outside strings and
/// comments until the visitor returns `true` (stop: returns `Ok(Some(offset))`) or the text
/// ends (`Ok(None)`). A string or block comment without its end is an `Err`.
fn walk(text: &str, from: usize, visit: Visit<'_>) -> Result<Option<usize>, Unterminated> {
    let bytes = text.as_bytes();
    let mut i = from;
    if i == 0 && bytes.starts_with(b"#!") {
        i = line_end(bytes, 0);
    }
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' => i = string_end(bytes, i)?,
            b'%' => i = line_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = line_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = block_comment_end(bytes, i)?,
            b => {
                if visit(i, b) {
                    return Ok(Some(i));
                }
                i += 1;
            }
        }
    }
    Ok(None)
}

/// The offset just past the closing quote of the string that opens at `start`.
fn string_end(bytes: &[u8], start: usize) -> Result<usize, Unterminated> {
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return Ok(i + 1),
            _ => i += 1,
        }
    }
    Err(Unterminated::String(start))
}

/// The offset just past the `*/` of the block comment that opens at `start`.
fn block_comment_end(bytes: &[u8], start: usize) -> Result<usize, Unterminated> {
    let body = &bytes[start + 2..];
    body.windows(2).position(|w| w == b"*/").map(|p| start + 2 + p + 2).ok_or(Unterminated::Comment(start))
}

/// The offset of the newline that ends the line containing `i` (or the end of the text).
fn line_end(bytes: &[u8], i: usize) -> usize {
    bytes[i..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| i + p)
}

/// The first opening bracket nested deeper than [`MAX_DEPTH`], if any.
pub(super) fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut visit = |_: usize, b: u8| match b {
        b'(' | b'[' | b'{' => {
            depth += 1;
            depth > MAX_DEPTH
        }
        b')' | b']' | b'}' => {
            depth = depth.saturating_sub(1);
            false
        }
        _ => false,
    };
    // An unterminated string only hides brackets; it is reported when parsing reaches it.
    walk(text, 0, &mut visit).ok().flatten()
}

/// Where to resume after a failed statement that began at `start` and failed at `failed_at`:
/// just past the first statement-ending `.` at or after `failed_at` (a `.` outside strings and
/// comments, followed by whitespace, a `%` comment or the end of the input). `Ok(None)` when
/// there is none.
pub(super) fn resume_after(text: &str, start: usize, failed_at: usize) -> Result<Option<usize>, Unterminated> {
    let bytes = text.as_bytes();
    let mut visit = |i: usize, b: u8| {
        b == b'.' && i >= failed_at && bytes.get(i + 1).is_none_or(|&n| n.is_ascii_whitespace() || n == b'%')
    };
    Ok(walk(text, start, &mut visit)?.map(|dot| dot + 1))
}

/// The first string or block comment at or after `from` that never ends.
pub(super) fn unterminated(text: &str, from: usize) -> Option<Unterminated> {
    walk(text, from, &mut |_, _| false).err()
}

/// Whitespace and comments skipped before a statement, with the doc comment they end with.
#[derive(Debug, Default)]
pub(super) struct Trivia {
    /// Where the next statement (or the end of the input) begins.
    pub end: usize,
    /// The `%%` lines directly above `end`, joined with spaces.
    pub doc: Option<String>,
    /// A block comment that never ends; `end` is then the end of the input.
    pub unterminated: Option<Unterminated>,
}

/// Skips whitespace and comments from `from`, collecting the `%%` doc lines that directly
/// precede what follows. Any other comment in between cuts the doc off.
pub(super) fn skip_trivia(text: &str, from: usize) -> Trivia {
    let bytes = text.as_bytes();
    let mut i = from;
    if i == 0 {
        if bytes.starts_with("\u{FEFF}".as_bytes()) {
            i = 3;
        }
        if bytes[i..].starts_with(b"#!") {
            i = line_end(bytes, i);
        }
    }
    let mut doc: Vec<&str> = Vec::new();
    loop {
        while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
        }
        if text[i..].starts_with('\u{FEFF}') {
            i += 3;
            continue;
        }
        let rest = &bytes[i..];
        if rest.starts_with(b"/*") {
            match block_comment_end(bytes, i) {
                Ok(end) => i = end,
                Err(u) => {
                    return Trivia { end: bytes.len(), doc: None, unterminated: Some(u) };
                }
            }
            doc.clear();
        } else if rest.starts_with(b"//") {
            i = line_end(bytes, i);
            doc.clear();
        } else if rest.starts_with(b"%") {
            let end = line_end(bytes, i);
            match doc_line(text, i, end) {
                Some(line) => doc.push(line),
                None => doc.clear(),
            }
            i = end;
        } else {
            break;
        }
    }
    let joined = doc.iter().filter(|l| !l.is_empty()).copied().collect::<Vec<_>>().join(" ");
    Trivia { end: i, doc: (!joined.is_empty()).then_some(joined), unterminated: None }
}

/// The text of a doc comment `%% text` spanning `start..end`, if it is one: it must be the
/// first thing on its line, and `%%` must be followed by a space or the end of the line
/// (`%%%%` banners are ordinary comments).
fn doc_line(text: &str, start: usize, end: usize) -> Option<&str> {
    let line_start = text[..start].rfind('\n').map_or(0, |p| p + 1);
    if !text[line_start..start].chars().all(|c| c == ' ' || c == '\t' || c == '\u{FEFF}') {
        return None;
    }
    let rest = text[start..end].strip_prefix("%%")?;
    if !(rest.is_empty() || rest.starts_with([' ', '\t', '\r'])) {
        return None;
    }
    Some(rest.trim())
}

/// Whether only whitespace and comments follow `at`.
pub(super) fn only_trivia_after(text: &str, at: usize) -> bool {
    let trivia = skip_trivia(text, at.min(text.len()));
    trivia.end >= text.len()
}

/// The offset just past the last code in `text[from..to]` (a string counts as code; comments
/// and whitespace do not), or `from` when there is none. A missing `.` is reported there, at
/// the end of the statement that lacks it, rather than where the next statement begins.
pub(super) fn code_end(text: &str, from: usize, to: usize) -> usize {
    let bytes = &text.as_bytes()[..to.min(text.len())];
    let mut last = from;
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' => match string_end(bytes, i) {
                Ok(end) => {
                    i = end;
                    last = end;
                }
                Err(_) => return last,
            },
            b'%' => i = line_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = line_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => match block_comment_end(bytes, i) {
                Ok(end) => i = end,
                Err(_) => return last,
            },
            b if b.is_ascii_whitespace() => i += 1,
            _ => {
                i += 1;
                last = i;
            }
        }
    }
    last
}
