//! Printing answers: table, TSV, CSV, JSON and JSON Lines, through explicit output types so
//! the JSON format is documented (`docs/json.md`) and stable.

use std::fmt::Write as _;

use serde::Serialize;

use crate::kb::Answers;
use crate::value::Value;

/// Version of every JSON document the tool prints.
pub const JSON_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Table,
    Tsv,
    Csv,
    Json,
    Jsonl,
}

impl Format {
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

/// A value in JSON: integers and decimals as numbers, text as strings, intervals as
/// `{"start": 1954, "end": 1971}` with `null` for an open end.
pub fn value_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Dec(d) => serde_json::Value::from(*d),
        Value::Text(s) => serde_json::Value::from(&**s),
        Value::Interval(i) => serde_json::json!({ "start": i.start, "end": i.end }),
    }
}

/// The answers to one query as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct AnswersJson {
    pub version: u32,
    pub query: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<serde_json::Value>>,
    pub count: usize,
    /// For a query without variables: whether it holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holds: Option<bool>,
}

impl AnswersJson {
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

/// One answer of a JSON Lines stream.
#[derive(Debug, Clone, Serialize)]
pub struct AnswerLine<'a> {
    pub query: &'a str,
    pub bindings: serde_json::Map<String, serde_json::Value>,
}

/// Renders answers in `format`. `header` is printed before the answers in table form (the
/// query, for `run`).
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
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A pretty table: headers, a rule, aligned columns, and a count line.
fn table(a: &Answers) -> String {
    let mut out = String::new();
    if a.columns.is_empty() {
        out.push_str(if a.holds() { "true\n" } else { "false\n" });
        return out;
    }
    let cells: Vec<Vec<String>> =
        a.rows.iter().map(|r| r.iter().map(|v| v.to_string().replace('\n', "\\n")).collect()).collect();
    let mut widths: Vec<usize> = a.columns.iter().map(|c| c.chars().count()).collect();
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cols: &[String]| {
        let padded: Vec<String> = cols.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}", w = *w)).collect();
        padded.join(" │ ").trim_end().to_string()
    };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Interval;

    fn answers() -> Answers {
        Answers {
            query: "p(X, T)".into(),
            columns: vec!["X".into(), "T".into()],
            rows: vec![
                vec![Value::text("a, b"), Value::Interval(Interval { start: Some(1954), end: Some(1971) })],
                vec![Value::Dec(2.5e9), Value::Interval(Interval { start: None, end: Some(1990) })],
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
