//! Diagnostics: the one error type of the library.
//!
//! Every user-facing problem is a [`Diagnostic`] with a stable namespaced code
//! (`parse::unexpected`, `check::unsafe_variable`, ...), a message, a primary span, optional
//! secondary labels and a one-line help. Stages collect diagnostics into a [`Diagnostics`] list
//! and report them all, sorted by position. Rendering to text (with the source line and a caret)
//! and to JSON lives here too, so every front end prints them the same way.
//!
//! ```
//! use std::sync::Arc;
//! use because::diag::Diagnostic;
//! use because::source::{SourceMap, Span};
//!
//! let mut sources = SourceMap::default();
//! let file = sources.add("f.kb".into(), None, Arc::from("p(X) :- q.\n"));
//! let d = Diagnostic::error("check::unsafe_variable", "`X` is not bound by the body")
//!     .at(Span::new(file, 2, 3))
//!     .label("not bound")
//!     .help("bind `X` in a positive atom of the body");
//! assert_eq!(
//!     d.render(&sources, false),
//!     "f.kb:1:3: error[check::unsafe_variable]: `X` is not bound by the body\n  |\n\
//!      1 | p(X) :- q.\n  |   ^ not bound\n  = help: bind `X` in a positive atom of the body\n"
//! );
//! ```

pub mod codes;

use std::fmt::Write as _;

use serde::Serialize;

use crate::source::{SourceMap, Span};

/// An error fails the operation; a warning is reported and the operation goes on. In JSON,
/// `"error"` or `"warning"`.
///
/// ```
/// use because::diag::{Diagnostic, Severity};
///
/// assert_eq!(Diagnostic::warning("check::singleton_variable", "m").severity, Severity::Warning);
/// assert_eq!(serde_json::to_string(&Severity::Error).unwrap(), "\"error\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The operation fails.
    Error,
    /// Reported; the operation goes on.
    Warning,
}

/// One problem: a stable code, a message, a place, and what helps to fix it. Built with
/// [`Diagnostic::error`] or [`Diagnostic::warning`] and the builder methods.
///
/// ```
/// use because::diag::Diagnostic;
///
/// let d = Diagnostic::error("api::bad_row", "row 3 has 2 values, not 3").help("give every row 3 values");
/// assert!(d.is_error());
/// assert_eq!((d.code, d.span), ("api::bad_row", None));
/// assert_eq!(d.help.as_deref(), Some("give every row 3 values"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable namespaced code: `parse::unexpected`, `check::unsafe_variable`, ...
    pub code: &'static str,
    /// One sentence, without a final period.
    pub message: String,
    /// Where the problem is; `None` for problems with no place in a file (a missing argument).
    pub span: Option<Span>,
    /// The text under the caret.
    pub label: Option<Box<str>>,
    /// Other places that explain the problem (the rules of a cycle, a first definition).
    pub notes: Vec<(Span, String)>,
    /// A one-line hint at the fix.
    pub help: Option<Box<str>>,
}

impl Diagnostic {
    /// An error with a namespaced code (`stage::what`) and a message.
    ///
    /// ```
    /// let d = because::diag::Diagnostic::error("load::missing_file", "cannot read `x.kb`");
    /// assert_eq!(d.message, "cannot read `x.kb`");
    /// ```
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

    /// A warning: reported, but the operation goes on.
    ///
    /// ```
    /// let d = because::diag::Diagnostic::warning("check::singleton_variable", "`Z` appears once");
    /// assert!(!d.is_error());
    /// ```
    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, message) }
    }

    /// Places the diagnostic at `span` (where the caret goes).
    ///
    /// ```
    /// use because::diag::Diagnostic;
    /// use because::source::{FileId, Span};
    ///
    /// let d = Diagnostic::error("parse::unexpected", "m").at(Span::new(FileId(0), 4, 5));
    /// assert_eq!(d.span.map(|s| (s.start, s.end)), Some((4, 5)));
    /// ```
    pub fn at(mut self, span: Span) -> Diagnostic {
        self.span = Some(span);
        self
    }

    /// The text shown after the caret.
    ///
    /// ```
    /// let d = because::diag::Diagnostic::error("c", "m").label("here");
    /// assert_eq!(d.label.as_deref(), Some("here"));
    /// ```
    /// Sets the span when there is one.
    pub fn at_opt(self, span: Option<Span>) -> Diagnostic {
        match span {
            Some(span) => self.at(span),
            None => self,
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into().into_boxed_str());
        self
    }

    /// Adds another place that explains the problem (a first definition, a rule of a cycle).
    ///
    /// ```
    /// use because::diag::Diagnostic;
    /// use because::source::{FileId, Span};
    ///
    /// let d = Diagnostic::error("c", "m").note(Span::new(FileId(0), 0, 1), "first defined here");
    /// assert_eq!(d.notes[0].1, "first defined here");
    /// ```
    pub fn note(mut self, span: Span, note: impl Into<String>) -> Diagnostic {
        self.notes.push((span, note.into()));
        self
    }

    /// A one-line hint at the fix.
    ///
    /// ```
    /// let d = because::diag::Diagnostic::error("c", "m").help("try this");
    /// assert_eq!(d.help.as_deref(), Some("try this"));
    /// ```
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into().into_boxed_str());
        self
    }

    /// Whether this is an error (not a warning).
    ///
    /// ```
    /// assert!(because::diag::Diagnostic::error("c", "m").is_error());
    /// ```
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders as text: `file:line:col: error[code]: message`, the source line, a caret under
    /// the span, then notes and help. Colour only when `color` is set.
    ///
    /// ```
    /// use because::diag::Diagnostic;
    /// use because::source::SourceMap;
    ///
    /// // Without a place: just the headline and the help.
    /// let d = Diagnostic::error("cli::bad_interval", "`x` is not an interval").help("write 1991..2019");
    /// assert_eq!(
    ///     d.render(&SourceMap::default(), false),
    ///     "error[cli::bad_interval]: `x` is not an interval\n  = help: write 1991..2019\n"
    /// );
    /// ```
    pub fn render(&self, sources: &SourceMap, color: bool) -> String {
        let mut out = String::new();
        let (sev, paint) = match self.severity {
            Severity::Error => ("error", "\x1b[1;31m"),
            Severity::Warning => ("warning", "\x1b[1;33m"),
        };
        let (on, off, bold) = if color { (paint, "\x1b[0m", "\x1b[1m") } else { ("", "", "") };
        // Messages quote data (a fact, a file name, a line of the source): control characters
        // in it are escaped, so a file cannot move the cursor or retitle the terminal.
        let t = crate::output::terminal_text;
        if let Some(span) = self.span {
            let _ = write!(out, "{bold}{}{off}: ", t(&sources.location(span)));
        }
        let _ = writeln!(out, "{on}{sev}[{}]{off}{bold}: {}{off}", self.code, t(&self.message));
        if let Some(span) = self.span {
            snippet(&mut out, sources, span, self.label.as_deref(), if color { paint } else { "" }, off);
        }
        for (span, note) in &self.notes {
            let _ = writeln!(out, "  = note: {}: {}", t(&sources.location(*span)), t(note));
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "  = help: {}", t(help));
        }
        out
    }

    /// The machine-readable form (see `docs/json.md`, "Diagnostics").
    ///
    /// ```
    /// use std::sync::Arc;
    /// use because::diag::Diagnostic;
    /// use because::source::{SourceMap, Span};
    /// use serde_json::json;
    ///
    /// let mut sources = SourceMap::default();
    /// let file = sources.add("f.kb".into(), None, Arc::from("p(a).\np(b.\n"));
    /// let d = Diagnostic::error("parse::unexpected", "expected `)`").at(Span::new(file, 9, 10)).label("here");
    /// assert_eq!(
    ///     serde_json::to_value(d.to_json(&sources)).unwrap(),
    ///     json!({
    ///         "severity": "error", "code": "parse::unexpected", "message": "expected `)`",
    ///         "at": {"file": "f.kb", "line": 2, "column": 4, "start": 9, "end": 10},
    ///         "label": "here", "notes": [], "help": null
    ///     })
    /// );
    /// ```
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

/// How many diagnostics of one code are rendered before the rest are only counted.
pub const MAX_PER_CODE: usize = 100;

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
    // The line as the terminal shows it (control characters escaped, tabs as spaces); the
    // caret sits under the escaped text by display width.
    use crate::output::{display_width, terminal_text};
    let shown_for = |s: &str| terminal_text(&s.replace('\t', " ")).into_owned();
    let chars: Vec<char> = shown.chars().collect();
    let start = (col - 1 - shift).min(chars.len());
    let end = (start + len).min(chars.len());
    let before = display_width(&shown_for(&chars[..start].iter().collect::<String>()));
    let under = display_width(&shown_for(&chars[start..end].iter().collect::<String>())).max(len.min(1));
    let _ = writeln!(out, "{line} | {}", shown_for(&shown));
    let carets = "^".repeat(under.clamp(1, 200));
    let _ = write!(out, "{pad} | {}{on}{carets}{off}", " ".repeat(before));
    match label {
        Some(l) => {
            let _ = writeln!(out, " {on}{}{off}", terminal_text(l));
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

/// A place in a file, in JSON: 1-based line and column (in characters), byte offsets.
///
/// ```
/// use because::diag::Place;
///
/// let p = Place { file: "f.kb".into(), line: 1, column: 3, start: 2, end: 3 };
/// assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"file":"f.kb","line":1,"column":3,"start":2,"end":3}"#);
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct Place {
    /// The file's name as diagnostics show it.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Byte offset of the start of the span in the file.
    pub start: u32,
    /// Byte offset just past the end of the span.
    pub end: u32,
}

/// A note of a diagnostic, in JSON.
///
/// ```
/// use because::diag::{NoteJson, Place};
///
/// let n = NoteJson { at: Place { file: "f.kb".into(), line: 1, column: 1, start: 0, end: 1 }, note: "here".into() };
/// assert!(serde_json::to_string(&n).unwrap().ends_with(r#""note":"here"}"#));
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct NoteJson {
    /// Where the note points.
    pub at: Place,
    /// What it says.
    pub note: String,
}

/// A diagnostic as JSON (schema in `docs/json.md`); made by [`Diagnostic::to_json`].
///
/// ```
/// use because::diag::Diagnostic;
/// use because::source::SourceMap;
///
/// let j = Diagnostic::warning("check::w", "m").to_json(&SourceMap::default());
/// assert_eq!(
///     serde_json::to_string(&j).unwrap(),
///     r#"{"severity":"warning","code":"check::w","message":"m","at":null,"label":null,"notes":[],"help":null}"#
/// );
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct DiagnosticJson {
    /// `"error"` or `"warning"`.
    pub severity: Severity,
    /// The stable code.
    pub code: &'static str,
    /// The message.
    pub message: String,
    /// Where, if the problem has a place in a file.
    pub at: Option<Place>,
    /// The text under the caret.
    pub label: Option<String>,
    /// Other places that explain the problem.
    pub notes: Vec<NoteJson>,
    /// A one-line hint at the fix.
    pub help: Option<String>,
}

/// A collection of diagnostics from one operation.
///
/// ```
/// use because::diag::{Diagnostic, Diagnostics};
/// use because::source::SourceMap;
///
/// let mut diags = Diagnostics::default();
/// assert!(diags.is_empty());
/// diags.push(Diagnostic::warning("w::one", "a warning"));
/// assert!(!diags.has_errors());
/// diags.extend(Diagnostic::error("e::two", "an error").into());
/// diags.sort();
/// assert_eq!(diags.errors().map(|d| d.code).collect::<Vec<_>>(), ["e::two"]);
/// // Warnings are rendered only when asked for.
/// assert_eq!(diags.render(&SourceMap::default(), false, false), "error[e::two]: an error\n");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Adds one diagnostic.
    ///
    /// ```
    /// use because::diag::{Diagnostic, Diagnostics};
    ///
    /// let mut diags = Diagnostics::default();
    /// diags.push(Diagnostic::error("e::x", "m"));
    /// assert_eq!(diags.0.len(), 1);
    /// ```
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Whether any diagnostic is an error.
    ///
    /// ```
    /// use because::diag::{Diagnostic, Diagnostics};
    ///
    /// assert!(Diagnostics::from(Diagnostic::error("e::x", "m")).has_errors());
    /// assert!(!Diagnostics::from(Diagnostic::warning("w::x", "m")).has_errors());
    /// ```
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// No diagnostics at all.
    ///
    /// ```
    /// use because::diag::{Diagnostic, Diagnostics};
    ///
    /// assert!(Diagnostics::default().is_empty());
    /// assert!(!Diagnostics::from(Diagnostic::warning("w::x", "m")).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds all of `other`.
    ///
    /// ```
    /// use because::diag::{Diagnostic, Diagnostics};
    ///
    /// let mut diags = Diagnostics::from(Diagnostic::error("e::one", "m"));
    /// diags.extend(Diagnostics::from(Diagnostic::error("e::two", "m")));
    /// assert_eq!(diags.0.len(), 2);
    /// ```
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// Sorted by position (file, then offset); diagnostics without a place come last.
    ///
    /// ```
    /// use because::diag::{Diagnostic, Diagnostics};
    ///
    /// use because::source::{FileId, Span};
    ///
    /// let mut diags = Diagnostics(vec![
    ///     Diagnostic::error("e::nowhere", "m"),
    ///     Diagnostic::error("e::late", "m").at(Span::new(FileId(0), 9, 10)),
    ///     Diagnostic::error("e::early", "m").at(Span::new(FileId(0), 1, 2)),
    /// ]);
    /// diags.sort();
    /// assert_eq!(diags.0.iter().map(|d| d.code).collect::<Vec<_>>(), ["e::early", "e::late", "e::nowhere"]);
    /// ```
    pub fn sort(&mut self) {
        self.0.sort_by_key(|d| (d.span.is_none(), d.span.map(|s| (s.file, s.start, s.end)), d.severity));
    }

    /// The errors, without the warnings.
    ///
    /// ```
    /// use because::diag::{Diagnostic, Diagnostics};
    ///
    /// let diags = Diagnostics(vec![Diagnostic::warning("w::x", "m"), Diagnostic::error("e::x", "m")]);
    /// assert_eq!(diags.errors().count(), 1);
    /// ```
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.is_error())
    }

    /// Renders every error (and with `warnings`, every warning) as [`Diagnostic::render`] does.
    ///
    /// ```
    /// use because::diag::{Diagnostic, Diagnostics};
    ///
    /// use because::source::SourceMap;
    ///
    /// let diags = Diagnostics(vec![Diagnostic::warning("w::x", "careful"), Diagnostic::error("e::x", "broken")]);
    /// let all = diags.render(&SourceMap::default(), false, true);
    /// assert_eq!(all, "warning[w::x]: careful\nerror[e::x]: broken\n");
    /// ```
    pub fn render(&self, sources: &SourceMap, color: bool, warnings: bool) -> String {
        let mut out = String::new();
        // The same code repeated without end (two million duplicate facts) is shown
        // `MAX_PER_CODE` times, then counted: the output stays readable and bounded.
        let mut shown: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for d in &self.0 {
            if warnings || d.is_error() {
                let n = shown.entry(d.code).or_insert(0);
                *n += 1;
                if *n <= MAX_PER_CODE {
                    out.push_str(&d.render(sources, color));
                }
            }
        }
        let mut hidden: Vec<(&str, usize)> =
            shown.into_iter().filter(|&(_, n)| n > MAX_PER_CODE).map(|(c, n)| (c, n - MAX_PER_CODE)).collect();
        hidden.sort_unstable();
        for (code, n) in hidden {
            let _ = writeln!(out, "… and {n} more [{code}]");
        }
        out
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Diagnostics {
        Diagnostics(vec![d])
    }
}
/// The candidate closest to `wanted` by edit distance, if close enough to be a likely typo.
pub fn closest<'c>(wanted: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    let limit = (wanted.chars().count() / 3).clamp(1, 3);
    candidates
        .filter(|c| *c != wanted)
        .map(|c| (edit_distance(wanted, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}
