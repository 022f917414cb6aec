//! Diagnostics: the one error type of the library.
//!
//! Every user-facing problem is a [`Diagnostic`] with a stable namespaced code
//! (`parse::unexpected`, `check::unsafe_variable`, ...), a message, a primary span, optional
//! secondary labels and a one-line help. Stages collect diagnostics into a [`Diagnostics`] list
//! and report them all, sorted by position. Rendering to text (with the source line and a caret)
//! and to JSON lives here too, so every front end prints them the same way.

use std::fmt::Write as _;

use serde::Serialize;

use crate::source::{SourceMap, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    /// Where the problem is; `None` for problems with no place in a file (a missing argument).
    pub span: Option<Span>,
    /// The text under the caret.
    pub label: Option<Box<str>>,
    /// Other places that explain the problem (the rules of a cycle, a first definition).
    pub notes: Vec<(Span, String)>,
    pub help: Option<Box<str>>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span: None,
            label: None,
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, message) }
    }

    pub fn at(mut self, span: Span) -> Diagnostic {
        self.span = Some(span);
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into().into_boxed_str());
        self
    }

    pub fn note(mut self, span: Span, note: impl Into<String>) -> Diagnostic {
        self.notes.push((span, note.into()));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into().into_boxed_str());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders as text: `file:line:col: error[code]: message`, the source line, a caret under
    /// the span, then notes and help. Colour only when `color` is set.
    pub fn render(&self, sources: &SourceMap, color: bool) -> String {
        let mut out = String::new();
        let (sev, paint) = match self.severity {
            Severity::Error => ("error", "\x1b[1;31m"),
            Severity::Warning => ("warning", "\x1b[1;33m"),
        };
        let (on, off, bold) = if color { (paint, "\x1b[0m", "\x1b[1m") } else { ("", "", "") };
        if let Some(span) = self.span {
            let _ = write!(out, "{bold}{}{off}: ", sources.location(span));
        }
        let _ = writeln!(out, "{on}{sev}[{}]{off}{bold}: {}{off}", self.code, self.message);
        if let Some(span) = self.span {
            snippet(&mut out, sources, span, self.label.as_deref(), if color { paint } else { "" }, off);
        }
        for (span, note) in &self.notes {
            let _ = writeln!(out, "  = note: {}: {note}", sources.location(*span));
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "  = help: {help}");
        }
        out
    }

    /// The machine-readable form (see `docs/json.md`).
    pub fn to_json(&self, sources: &SourceMap) -> DiagnosticJson {
        let place = |span: Span| {
            let file = sources.get(span.file);
            let (line, column) = file.line_col(span.start);
            Place { file: file.name.clone(), line, column, start: span.start, end: span.end }
        };
        DiagnosticJson {
            severity: self.severity,
            code: self.code,
            message: self.message.clone(),
            at: self.span.map(place),
            label: self.label.as_deref().map(str::to_string),
            notes: self.notes.iter().map(|(s, n)| NoteJson { at: place(*s), note: n.clone() }).collect(),
            help: self.help.as_deref().map(str::to_string),
        }
    }
}

/// The source line of `span` with a caret line under it.
fn snippet(out: &mut String, sources: &SourceMap, span: Span, label: Option<&str>, on: &str, off: &str) {
    let file = sources.get(span.file);
    let (line, col) = file.line_col(span.start);
    let text = file.line_text(line);
    // Long lines (a 10 MB single line) are cut around the caret.
    let (shown, shift) = window(text, col - 1);
    let width = line.to_string().len();
    let (end_line, end_col) = file.line_col(span.end.max(span.start));
    let len = if end_line == line {
        end_col.saturating_sub(col).max(1)
    } else {
        shown.chars().count().saturating_sub(col - 1 - shift).max(1)
    };
    let pad = " ".repeat(width);
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{line} | {}", shown.replace('\t', " "));
    let carets = "^".repeat(len.min(200));
    let _ = write!(out, "{pad} | {}{on}{carets}{off}", " ".repeat(col - 1 - shift));
    match label {
        Some(l) => {
            let _ = writeln!(out, " {on}{l}{off}");
        }
        None => out.push('\n'),
    }
}

/// At most 160 characters of `text` around column `col` (0-based); returns the shown part and
/// how many characters were cut from the front.
fn window(text: &str, col: usize) -> (String, usize) {
    const MAX: usize = 160;
    let n = text.chars().count();
    if n <= MAX {
        return (text.to_string(), 0);
    }
    let start = col.saturating_sub(MAX / 2).min(n - MAX);
    (text.chars().skip(start).take(MAX).collect(), start)
}

#[derive(Debug, Clone, Serialize)]
pub struct Place {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub start: u32,
    pub end: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoteJson {
    pub at: Place,
    pub note: String,
}

/// A diagnostic as JSON (schema in `docs/json.md`).
#[derive(Debug, Clone, Serialize)]
pub struct DiagnosticJson {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub at: Option<Place>,
    pub label: Option<String>,
    pub notes: Vec<NoteJson>,
    pub help: Option<String>,
}

/// A collection of diagnostics from one operation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// Sorted by position (file, then offset); diagnostics without a place come last.
    pub fn sort(&mut self) {
        self.0.sort_by_key(|d| (d.span.is_none(), d.span.map(|s| (s.file, s.start, s.end)), d.severity));
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.is_error())
    }

    pub fn render(&self, sources: &SourceMap, color: bool, warnings: bool) -> String {
        let mut out = String::new();
        for d in &self.0 {
            if warnings || d.is_error() {
                out.push_str(&d.render(sources, color));
            }
        }
        out
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Diagnostics {
        Diagnostics(vec![d])
    }
}
