//! Positions and names as the protocol speaks them: byte offsets to UTF-16 line/character
//! positions and back, and `file://` URIs to paths and back.
//!
//! The library counts bytes (spans) and the editor counts UTF-16 code units within a line (the
//! protocol's default, and the only encoding every client supports), so every position crosses
//! this module.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{Position, Range, Uri};

/// The start of every line of one text, to turn byte offsets into positions and back.
pub struct LineIndex {
    line_starts: Vec<u32>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i as u32 + 1));
        LineIndex { line_starts }
    }

    /// The position of a byte offset (clamped to the text; an offset inside a character counts
    /// from that character's start).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line = self.line_starts.partition_point(|&s| s as usize <= offset).saturating_sub(1);
        let start = self.line_starts[line] as usize;
        let mut end = offset;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let character: usize = text[start..end].chars().map(char::len_utf16).sum();
        Position { line: line as u32, character: character as u32 }
    }

    /// The byte offset of a position. A position past the end of its line is the line's end
    /// (before its newline), and one past the last line is the end of the text, as the
    /// protocol asks.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let Some(&start) = self.line_starts.get(position.line as usize) else { return text.len() };
        let start = start as usize;
        let end = self.line_starts.get(position.line as usize + 1).map_or(text.len(), |&e| e as usize);
        let line = text[start..end].trim_end_matches(['\n', '\r']);
        let mut units = 0;
        for (i, c) in line.char_indices() {
            if units >= position.character as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        start + line.len()
    }

    pub fn range(&self, text: &str, start: usize, end: usize) -> Range {
        Range { start: self.position(text, start), end: self.position(text, end.max(start)) }
    }
}

/// The path of a `file://` URI (percent-decoded); `None` for any other scheme.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let text = uri.as_str();
    let rest = text.strip_prefix("file://")?;
    // `file:///path` has an empty authority; `file://localhost/path` names this machine.
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    let path = path.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path)?;
    if cfg!(windows) {
        // `/C:/dir` is `C:/dir`.
        let trimmed = decoded.strip_prefix('/').filter(|p| p.as_bytes().get(1) == Some(&b':'));
        return Some(PathBuf::from(trimmed.unwrap_or(&decoded)));
    }
    Some(PathBuf::from(decoded))
}

/// The `file://` URI of a path (made absolute from the working directory if it is relative).
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let absolute = if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().ok()?.join(path) };
    let text = absolute.to_string_lossy().replace('\\', "/");
    let mut out = String::from("file://");
    if !text.starts_with('/') {
        out.push('/');
    }
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&out).ok()
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        // `é` is 2 bytes and 1 unit, `😀` 4 bytes and 2 units.
        let text = "p(é).\nq(\"😀\", b).\n";
        let index = LineIndex::new(text);
        let b = text.find(", b").unwrap() + 2;
        assert_eq!(index.position(text, b), Position { line: 1, character: 8 });
        assert_eq!(index.offset(text, Position { line: 1, character: 8 }), b);
        let close = text.find(')').unwrap();
        assert_eq!(index.position(text, close), Position { line: 0, character: 3 });
        assert_eq!(index.offset(text, Position { line: 0, character: 3 }), close);
        // Past the end of a line, and past the last line.
        assert_eq!(index.offset(text, Position { line: 0, character: 99 }), 6);
        assert_eq!(index.offset(text, Position { line: 9, character: 0 }), text.len());
    }

    #[test]
    fn uris_round_trip_paths() {
        let path = Path::new("/tmp/dir with space/ä.kb");
        let uri = path_to_uri(path).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/dir%20with%20space/%C3%A4.kb");
        assert_eq!(uri_to_path(&uri).unwrap(), path);
        assert_eq!(uri_to_path(&Uri::from_str("untitled:Untitled-1").unwrap()), None);
    }
}
