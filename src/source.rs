//! Source text and positions: the files a knowledge base was read from, and spans into them.
//!
//! A [`Span`] is a byte range in one file of a [`SourceMap`]. Line and column numbers are
//! computed only when a diagnostic or a proof is printed.

use std::path::PathBuf;
use std::sync::Arc;

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range `start..end` in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span { file, start: start as u32, end: end as u32 }
    }

    /// The smallest span that covers both (both must be in the same file).
    pub fn to(self, other: Span) -> Span {
        Span { file: self.file, start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

/// One file's text and how to name it to the user.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name shown in diagnostics (the path as the user gave it, or `<stdin>`, `<query>`).
    pub name: String,
    /// The resolved path on disk, for relative `include`/`load`; `None` for text not from a file.
    pub path: Option<PathBuf>,
    pub text: Arc<str>,
    /// Byte offset of the start of every line, for line/column lookups.
    line_starts: Vec<u32>,
    /// Lines before this text: a REPL session numbers its entries on from the last one, so
    /// that two assertions are told apart (`<session>:3:1`).
    first_line: usize,
}

impl SourceFile {
    pub fn new(name: String, path: Option<PathBuf>, text: Arc<str>) -> SourceFile {
        let mut line_starts = vec![0];
        line_starts.extend(memchr_newlines(&text));
        SourceFile { name, path, text, line_starts, first_line: 0 }
    }

    /// The number of this text's last line, counting the lines numbered before it.
    pub fn last_line(&self) -> usize {
        self.first_line + self.line_starts.len()
    }

    /// 1-based line and column (columns count characters, not bytes).
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.line_starts[line] as usize;
        let end = (offset as usize).min(self.text.len());
        let col = self.text.get(start..end).map_or(end - start, |s| s.chars().count());
        (self.first_line + line + 1, col + 1)
    }

    /// The text of a 1-based line, without its newline.
    pub fn line_text(&self, line: usize) -> &str {
        let line = line.wrapping_sub(self.first_line);
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else { return "" };
        let end = self.line_starts.get(line).map_or(self.text.len(), |&e| e as usize);
        self.text.get(start as usize..end).unwrap_or("").trim_end_matches(['\n', '\r'])
    }
}

fn memchr_newlines(text: &str) -> impl Iterator<Item = u32> + '_ {
    text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i as u32 + 1)
}

/// Every file a knowledge base has read, addressed by [`FileId`].
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    /// Shared, so that a copy (which an error carries to render itself) costs a pointer a file.
    files: Vec<Arc<SourceFile>>,
}

impl SourceMap {
    pub fn add(&mut self, name: String, path: Option<PathBuf>, text: Arc<str>) -> FileId {
        self.files.push(Arc::new(SourceFile::new(name, path, text)));
        FileId(self.files.len() as u32 - 1)
    }

    /// Adds text whose first line is numbered `first_line + 1` (see [`SourceFile::last_line`]).
    pub fn add_from_line(&mut self, name: String, path: Option<PathBuf>, text: Arc<str>, first_line: usize) -> FileId {
        let mut file = SourceFile::new(name, path, text);
        file.first_line = first_line;
        self.files.push(Arc::new(file));
        FileId(self.files.len() as u32 - 1)
    }

    /// The file `id`; an id from another source map yields an empty file rather than a panic.
    pub fn get(&self, id: FileId) -> &SourceFile {
        static UNKNOWN: std::sync::OnceLock<SourceFile> = std::sync::OnceLock::new();
        self.files
            .get(id.0 as usize)
            .map(|f| &**f)
            .unwrap_or_else(|| UNKNOWN.get_or_init(|| SourceFile::new("<unknown>".into(), None, Arc::from(""))))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Drop files added after `len` (used to roll back a failed load).
    pub fn truncate(&mut self, len: usize) {
        self.files.truncate(len);
    }

    /// `name:line:column` of a span's start.
    pub fn location(&self, span: Span) -> String {
        let file = self.get(span.file);
        let (line, col) = file.line_col(span.start);
        format!("{}:{line}:{col}", file.name)
    }

    /// `name:line` of a span's start.
    pub fn file_line(&self, span: Span) -> String {
        let file = self.get(span.file);
        let (line, _) = file.line_col(span.start);
        format!("{}:{line}", file.name)
    }

    /// The text a span covers.
    pub fn snippet(&self, span: Span) -> &str {
        self.get(span.file).text.get(span.start as usize..span.end as usize).unwrap_or("")
    }
}
