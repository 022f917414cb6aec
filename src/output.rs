//! Printing answers: table, TSV, CSV, JSON and JSON Lines, through explicit output types so
//! the JSON format is documented (`docs/json.md`) and stable.

use std::fmt::Write as _;

use serde::Serialize;

use crate::value::Value;

/// Version of every JSON document the tool prints (the `version` field; `docs/json.md`).
/// It changes only when a field is removed or changes meaning; new optional fields keep it.
///
/// ```
/// assert_eq!(because::output::JSON_VERSION, 1);
/// ```
pub const JSON_VERSION: u32 = 1;

/// How answers (and proofs) are printed: `--format table|tsv|csv|json|jsonl`.
///
/// ```
/// # use because::kb::KnowledgeBase;
/// use because::output::{Format, render_answers};
///
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("p.kb", "p(a, 1).\np(\"b, c\", 2).\n", None)?;
/// let a = kb.query("p(X, N)")?;
/// assert_eq!(render_answers(&a, Format::Table), "X    │ N\n─────┼──\na    │ 1\nb, c │ 2\n(2 answers)\n");
/// assert_eq!(render_answers(&a, Format::Csv), "X,N\na,1\n\"b, c\",2\n");
/// # Ok::<(), because::kb::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// An aligned table with a count line (proofs: the indented tree).
    #[default]
    Table,
    /// Tab-separated values with a header line; tabs and newlines in values are escaped.
    Tsv,
    /// Comma-separated values with a header line, quoted where needed.
    Csv,
    /// One pretty JSON document ([`AnswersJson`]).
    Json,
    /// One JSON object per line ([`AnswerLine`]).
    Jsonl,
}

impl Format {
    /// The format named on a command line (`dot` is not an answer format).
    ///
    /// ```
    /// use because::output::Format;
    ///
    /// assert_eq!(Format::parse("jsonl"), Some(Format::Jsonl));
    /// assert_eq!(Format::parse("dot"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "table" => Format::Table,
            "tsv" => Format::Tsv,
            "csv" => Format::Csv,
            "json" => Format::Json,
            "jsonl" => Format::Jsonl,
            _ => return None,
        })
    }
}

/// A value in JSON: integers and decimals as numbers, text as strings, times as
/// `{"start": 1954, "end": 1971}` with `null` for an open end (a year is a number, a month or
/// a day a string: `"1953-10"`, `"1953-10-01"`), and `undated` as `null`.
///
/// ```
/// use because::output::value_json;
/// use because::value::{Interval, Value};
/// use serde_json::json;
///
/// assert_eq!(value_json(&Value::Int(7)), json!(7));
/// assert_eq!(value_json(&Value::Dec(2.5e9)), json!(2.5e9));
/// assert_eq!(value_json(&Value::text("rok")), json!("rok"));
/// assert_eq!(value_json(&Value::Interval(Interval::years(Some(1991), None))), json!({"start": 1991, "end": null}));
/// assert_eq!(value_json(&Value::Interval("1953-10-01".parse().unwrap())), json!({"start": "1953-10-01", "end": "1953-10-01"}));
/// assert_eq!(value_json(&Value::Undated), json!(null));
/// ```
pub fn value_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Dec(d) => serde_json::Value::from(*d),
        Value::Text(s) => serde_json::Value::from(&**s),
        Value::Interval(i) => serde_json::json!({ "start": date_json(i.start), "end": date_json(i.end) }),
        Value::Undated => serde_json::Value::Null,
    }
}

/// One end of a time in JSON: a year as a number (`1953`), a month or a day as its text
/// (`"1953-10"`, `"1953-10-01"`), an open end as `null`.
pub fn date_json(date: Option<crate::value::Date>) -> serde_json::Value {
    match date {
        None => serde_json::Value::Null,
        Some(d) if d.precision() == crate::value::Precision::Year => serde_json::Value::from(d.civil().0),
        Some(d) => serde_json::Value::from(d.to_string()),
    }
}

/// The answers to one query as JSON: what `--format json` prints (schema in `docs/json.md`,
/// "Answers").
///
/// ```
/// # use because::kb::KnowledgeBase;
/// use because::output::AnswersJson;
/// use serde_json::json;
///
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("p.kb", "p(a, 1).\np(b, 2).\n", None)?;
/// let doc = serde_json::to_value(AnswersJson::new(&kb.query("p(X, N)")?)).unwrap();
/// assert_eq!(
///     doc,
///     json!({"version": 1, "query": "p(X, N)", "columns": ["X", "N"], "rows": [["a", 1], ["b", 2]], "count": 2})
/// );
/// // A query without variables also says whether it holds.
/// let doc = serde_json::to_value(AnswersJson::new(&kb.query("p(a, 1)")?)).unwrap();
/// assert_eq!(doc["holds"], true);
/// # Ok::<(), because::kb::Error>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct AnswersJson {
    /// [`JSON_VERSION`].
    pub version: u32,
    /// The query as written.
    pub query: String,
    /// The query's named variables, in order of first appearance.
    pub columns: Vec<String>,
    /// The answers, sorted; each row one value per column ([`value_json`]).
    pub rows: Vec<Vec<serde_json::Value>>,
    /// The number of rows.
    pub count: usize,
    /// For a query without variables: whether it holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holds: Option<bool>,
}

impl AnswersJson {
    /// The JSON form of `a` (values through [`value_json`]).
    ///
    /// ```
    /// use because::kb::Answers;
    /// use because::output::AnswersJson;
    ///
    /// let a = Answers { query: "q".into(), columns: vec![], rows: vec![] };
    /// let doc = AnswersJson::new(&a);
    /// assert_eq!((doc.count, doc.holds), (0, Some(false)));
    /// ```
    pub fn new(a: &Answers) -> AnswersJson {
        AnswersJson {
            version: JSON_VERSION,
            query: a.query.clone(),
            columns: a.columns.clone(),
            rows: a.rows.iter().map(|r| r.iter().map(value_json).collect()).collect(),
            count: a.rows.len(),
            holds: a.columns.is_empty().then(|| a.holds()),
        }
    }
}

/// One answer of a JSON Lines stream (`--format jsonl`): the query and the answer's bindings.
///
/// ```
/// use because::output::AnswerLine;
///
/// let mut bindings = serde_json::Map::new();
/// bindings.insert("X".into(), "a".into());
/// let line = AnswerLine { query: "p(X)", bindings };
/// assert_eq!(serde_json::to_string(&line).unwrap(), r#"{"query":"p(X)","bindings":{"X":"a"}}"#);
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct AnswerLine<'a> {
    /// The query as written.
    pub query: &'a str,
    /// Each column's value in this answer, in column order.
    pub bindings: serde_json::Map<String, serde_json::Value>,
}

/// Renders answers in `format`: an aligned table with a count line, TSV or CSV with a header
/// line (`true`/`false` for a query without variables), one pretty JSON document
/// ([`AnswersJson`]), or JSON Lines with one [`AnswerLine`] per answer (`{"query", "holds"}`
/// for a query without variables).
///
/// ```
/// # use because::kb::KnowledgeBase;
/// use because::output::{Format, render_answers};
///
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("p.kb", "p(a) @ 1990..1999.\n", None)?;
/// let a = kb.query("p(X) @ T")?;
/// assert_eq!(render_answers(&a, Format::Tsv), "X\tT\na\t1990..1999\n");
/// assert_eq!(
///     render_answers(&a, Format::Jsonl),
///     "{\"query\":\"p(X) @ T\",\"bindings\":{\"X\":\"a\",\"T\":{\"start\":1990,\"end\":1999}}}\n"
/// );
/// assert_eq!(render_answers(&kb.query("p(b)")?, Format::Jsonl), "{\"query\":\"p(b)\",\"holds\":false}\n");
/// # Ok::<(), because::kb::Error>(())
/// ```
pub fn render_answers(a: &Answers, format: Format) -> String {
    match format {
        Format::Table => table(a),
        Format::Tsv => delimited(a, '\t'),
        Format::Csv => delimited(a, ','),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&AnswersJson::new(a)).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Jsonl => {
            let mut out = String::new();
            if a.columns.is_empty() {
                let line = serde_json::json!({ "query": a.query, "holds": a.holds() });
                let _ = writeln!(out, "{line}");
                return out;
            }
            for row in &a.rows {
                let bindings = a.columns.iter().cloned().zip(row.iter().map(value_json)).collect();
                let _ = writeln!(
                    out,
                    "{}",
                    serde_json::to_string(&AnswerLine { query: &a.query, bindings }).unwrap_or_default()
                );
            }
            out
        }
    }
}

fn delimited(a: &Answers, sep: char) -> String {
    let mut out = String::new();
    if a.columns.is_empty() {
        out.push_str(if a.holds() { "true\n" } else { "false\n" });
        return out;
    }
    let field = |s: &str| if sep == ',' { csv_field(s) } else { tsv_field(s) };
    let header: Vec<String> = a.columns.iter().map(|c| field(c)).collect();
    let _ = writeln!(out, "{}", header.join(&sep.to_string()));
    for row in &a.rows {
        let cells: Vec<String> = row.iter().map(|v| field(&v.to_string())).collect();
        let _ = writeln!(out, "{}", cells.join(&sep.to_string()));
    }
    out
}

/// Tabs and newlines inside a TSV field would break the row: escape them.
fn tsv_field(s: &str) -> String {
    if s.contains(['\t', '\n', '\r', '\\']) {
        s.replace('\\', "\\\\").replace('\t', "\\t").replace('\n', "\\n").replace('\r', "\\r")
    } else {
        s.to_string()
    }
}

fn csv_field(s: &str) -> String {
    // Quoted where the reader would change it: separators, quotes, line breaks, and the
    // whitespace at either end that it trims from unquoted fields.
    if s.is_empty() || s.contains([',', '"', '\n', '\r']) || s.trim() != s {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `s` for a terminal: control characters (C0 but tab and newline, DEL, C1) and the bidi
/// controls that reorder a line are written as `\u{…}`, so text from data can neither move
/// the cursor, set the title nor disguise what follows. Human-readable output only: JSON
/// escapes by its own rules, and TSV/CSV keep the text as it is for the programs that read it.
pub fn terminal_text(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(needs_terminal_escape) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_terminal_escape(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

fn needs_terminal_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The columns `s` takes on a terminal (wide characters take two, combining marks none).
pub fn display_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// Appends `s` and enough spaces to fill `width` columns. By display width, not by `format!`'s
/// `{:<w$}`, which counts characters and panics when the width passes 65,535.
pub fn pad_to(out: &mut String, s: &str, width: usize) {
    out.push_str(s);
    let w = display_width(s);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
}

/// Lines of aligned cells joined by `sep`, each line trimmed at its end.
pub fn aligned_line<'a>(cells: impl Iterator<Item = &'a str>, widths: &[usize], sep: &str) -> String {
    let mut line = String::new();
    for (i, (c, w)) in cells.zip(widths).enumerate() {
        if i > 0 {
            line.push_str(sep);
        }
        pad_to(&mut line, c, *w);
    }
    line.truncate(line.trim_end().len());
    line
}

/// A pretty table: headers, a rule, aligned columns, and a count line.
fn table(a: &Answers) -> String {
    let mut out = String::new();
    if a.columns.is_empty() {
        out.push_str(if a.holds() { "true\n" } else { "false\n" });
        return out;
    }
    let cells: Vec<Vec<String>> = a
        .rows
        .iter()
        .map(|r| r.iter().map(|v| terminal_text(&v.to_string().replace('\n', "\\n")).into_owned()).collect())
        .collect();
    let mut widths: Vec<usize> = a.columns.iter().map(|c| display_width(c)).collect();
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(display_width(c));
        }
    }
    let line = |cols: &[String]| aligned_line(cols.iter().map(String::as_str), &widths, " │ ");
    let _ = writeln!(out, "{}", line(&a.columns));
    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    let _ = writeln!(out, "{}", rule.join("─┼─"));
    for row in &cells {
        let _ = writeln!(out, "{}", line(row));
    }
    let n = a.rows.len();
    let _ = writeln!(out, "({n} answer{})", if n == 1 { "" } else { "s" });
    out
}

/// A DOT double-quoted string: `"` and `\` escaped, newlines as `\n` (a centred line break in
/// Graphviz labels), carriage returns dropped.
pub fn dot_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The answers to one select query: plain values, in sorted rows.
///
/// Render them with [`crate::output::render_answers`], or as the documented JSON with
/// [`crate::output::AnswersJson`].
///
/// ```
/// use because::kb::KnowledgeBase;
/// use because::value::{Interval, Value};
///
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("aid.kb", "aid(us, rok, 2.5e9) @ 1954..1971.\n", None)?;
/// let a = kb.query("aid(From, To, Amount) @ T")?;
/// assert_eq!(a.query, "aid(From, To, Amount) @ T");
/// assert_eq!(a.columns, ["From", "To", "Amount", "T"]);
/// assert_eq!(
///     a.rows,
///     [[
///         Value::text("us"),
///         Value::text("rok"),
///         Value::Dec(2.5e9),
///         Value::Interval(Interval::years(Some(1954), Some(1971))),
///     ]]
/// );
/// # Ok::<(), because::kb::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Answers {
    /// The query as written.
    pub query: String,
    /// Column names: the query's named variables in order of first appearance.
    pub columns: Vec<String>,
    /// Distinct rows, sorted by value.
    pub rows: Vec<Vec<Value>>,
}

impl Answers {
    /// A query without variables holds when it has one (empty) answer row; a query with
    /// variables, when it has any answer.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\n", None)?;
    /// assert!(kb.query("p(a)")?.holds());
    /// assert!(!kb.query("p(b)")?.holds());
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn holds(&self) -> bool {
        !self.rows.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_quote_escapes_quotes_backslashes_and_newlines() {
        assert_eq!(dot_quote("plain"), "\"plain\"");
        assert_eq!(dot_quote("say \"hi\""), "\"say \\\"hi\\\"\"");
        assert_eq!(dot_quote("a\\b"), "\"a\\\\b\"");
        assert_eq!(dot_quote("two\nlines\r"), "\"two\\nlines\"");
        assert_eq!(dot_quote("-> { } ; ="), "\"-> { } ; =\"");
    }
    use crate::value::Interval;

    fn answers() -> Answers {
        Answers {
            query: "p(X, T)".into(),
            columns: vec!["X".into(), "T".into()],
            rows: vec![
                vec![Value::text("a, b"), Value::Interval(Interval::years(Some(1954), Some(1971)))],
                vec![Value::Dec(2.5e9), Value::Interval(Interval::years(None, Some(1990)))],
            ],
        }
    }

    #[test]
    fn every_format() {
        let a = answers();
        assert_eq!(render_answers(&a, Format::Tsv), "X\tT\na, b\t1954..1971\n2.5e9\t..1990\n");
        assert_eq!(render_answers(&a, Format::Csv), "X,T\n\"a, b\",1954..1971\n2.5e9,..1990\n");
        assert_eq!(
            render_answers(&a, Format::Table),
            "X     │ T\n──────┼───────────\na, b  │ 1954..1971\n2.5e9 │ ..1990\n(2 answers)\n"
        );
        assert_eq!(
            render_answers(&a, Format::Jsonl),
            "{\"query\":\"p(X, T)\",\"bindings\":{\"X\":\"a, b\",\"T\":{\"start\":1954,\"end\":1971}}}\n{\"query\":\"p(X, T)\",\"bindings\":{\"X\":2500000000.0,\"T\":{\"start\":null,\"end\":1990}}}\n"
        );
        let ground = Answers { query: "q".into(), columns: vec![], rows: vec![] };
        assert_eq!(render_answers(&ground, Format::Tsv), "false\n");
    }
}
