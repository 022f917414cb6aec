//! CSV records for `load`, split by `csv-core` (the parser of the `csv` crate), with the checks
//! it does not make.
//!
//! `csv-core` finds the records and fields (a quoted field may hold separators, `""` and line
//! breaks) and undoes the quoting; this module keeps each field's byte range in the file, so
//! diagnostics point at it, and refuses what `csv-core` would accept silently: text after the
//! closing quote of a field (`"a"x`, which it reads as `ax`) and a quoted field that never
//! closes (which it ends at the end of the file). The `csv` crate's own reader gives neither
//! the fields' byte ranges nor those errors, and would bring `serde` and `ryu` for its
//! (de)serialisation, which `load` does not use.
//!
//! The dialect: fields separated by commas, a record ends at a line break outside quotes (a
//! `\r` before it is dropped, a lone `\r` is data, so line numbers count `\n` as editors do),
//! empty lines are skipped, an unquoted field is trimmed, a quoted field may be followed by
//! spaces only.

use csv_core::{ReadFieldResult, Reader, ReaderBuilder, Terminator};

/// What is wrong with a CSV record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CsvError {
    /// A quoted field without its closing quote: it ran to the end of the file.
    Unterminated,
    /// Something other than spaces after the closing quote of a field.
    AfterQuote,
}

/// One record: where it is in the file (without its line break and a `\r` before it), and the
/// lines it starts and ends on (1-based; a quoted field may span lines).
#[derive(Debug, Clone, Copy)]
pub(super) struct Record {
    pub start: usize,
    pub end: usize,
    pub first_line: u32,
    pub last_line: u32,
}

/// The records of a CSV file, one at a time: [`Records::next_record`], then the fields of
/// that record through [`Records::check`], [`Records::raw`] and [`Records::value`].
pub(super) struct Records<'a> {
    bytes: &'a [u8],
    reader: Reader,
    /// Where the next record's bytes begin (possibly with empty lines before it).
    pos: usize,
    /// The line `pos` is on.
    line: u32,
    /// The current record's fields: their byte ranges in the file, and their values' ranges in
    /// `out` (as `csv-core` unquoted them, before [`Records::check`] trims them).
    raw: Vec<(usize, usize)>,
    values: Vec<(usize, usize)>,
    out: Vec<u8>,
    out_len: usize,
}

impl<'a> Records<'a> {
    /// The records of `bytes` from offset `start` (after a byte-order mark).
    pub fn new(bytes: &'a [u8], start: usize) -> Records<'a> {
        Records {
            bytes,
            // The delimiter `,`, the quote `"`, `""` for a quote inside a quoted field: the
            // defaults. Only `\n` ends a record (not a lone `\r`).
            reader: ReaderBuilder::new().terminator(Terminator::Any(b'\n')).build(),
            pos: start,
            line: 1,
            raw: Vec::new(),
            values: Vec::new(),
            out: Vec::new(),
            out_len: 0,
        }
    }

    /// The next record that is not an empty line, or `None` at the end of the file.
    pub fn next_record(&mut self) -> Option<Record> {
        loop {
            let record = self.split_record()?;
            // A line holding only the `\r` of a CRLF line break is empty too.
            if record.end > record.start {
                return Some(record);
            }
        }
    }

    /// Reads one record with `csv-core`, field by field, keeping each field's byte range.
    fn split_record(&mut self) -> Option<Record> {
        self.raw.clear();
        self.values.clear();
        self.out_len = 0;
        // Empty lines before the record: `csv-core` skips them, so its record starts after them.
        let skipped = self.bytes[self.pos..].iter().take_while(|&&b| b == b'\n').count();
        self.line += skipped as u32;
        self.pos += skipped;
        if self.pos >= self.bytes.len() {
            return None;
        }
        let (start, first_line) = (self.pos, self.line);
        let mut field_start = self.pos;
        let mut value_start = 0;
        loop {
            // `out` is all buffer; `out_len` bytes of it are this record's values so far.
            if self.out_len == self.out.len() {
                self.out.resize(64.max(2 * self.out.len()), 0);
            }
            let (result, n_in, n_out) = self.reader.read_field(&self.bytes[self.pos..], &mut self.out[self.out_len..]);
            self.out_len += n_out;
            self.pos += n_in;
            match result {
                ReadFieldResult::InputEmpty | ReadFieldResult::OutputFull => {}
                ReadFieldResult::Field { record_end } => {
                    // The separator or the line break that ended the field was read with it;
                    // at the end of the file nothing was.
                    let field_end = if n_in > 0 { self.pos - 1 } else { self.pos };
                    self.raw.push((field_start, field_end));
                    self.values.push((value_start, self.out_len));
                    field_start = self.pos;
                    value_start = self.out_len;
                    if record_end {
                        break;
                    }
                }
                // Not reached: a record was started, so it ends with a field first.
                ReadFieldResult::End => break,
            }
        }
        let mut end = self.raw.last().map_or(start, |r| r.1);
        // A `\r` before the line break belongs to the line break.
        if end > start && self.bytes[end - 1] == b'\r' {
            end -= 1;
            if let (Some(raw), Some(value)) = (self.raw.last_mut(), self.values.last_mut()) {
                raw.1 = end;
                value.1 = value.1.saturating_sub(1).max(value.0);
            }
        }
        let last_line = first_line + memchr::memchr_iter(b'\n', &self.bytes[start..end]).count() as u32;
        // The next record starts after this one's line break, if it had one.
        self.line = last_line + u32::from(self.bytes[end..self.pos].contains(&b'\n'));
        Some(Record { start, end, first_line, last_line })
    }

    /// How many fields the current record has.
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// Field `i`'s bytes in the file, quotes included.
    pub fn raw(&self, i: usize) -> (usize, usize) {
        self.raw[i]
    }

    /// Refuses a quoted field that does not close or has text after its closing quote, with the
    /// offset in the file to point at; trims each field's value (an unquoted field of its
    /// whitespace, a quoted one of the spaces after its closing quote).
    pub fn check(&mut self) -> Result<(), (usize, CsvError)> {
        for (raw, value) in self.raw.iter().zip(&mut self.values) {
            let field = &self.bytes[raw.0..raw.1];
            if field.first() != Some(&b'"') {
                // Unquoted: `csv-core` copied it as it is; `value` trims it.
                continue;
            }
            // The closing quote: the first quote not doubled.
            let mut at = 1;
            let close = loop {
                match memchr::memchr(b'"', &field[at..]) {
                    None => return Err((raw.0, CsvError::Unterminated)),
                    Some(k) if field.get(at + k + 1) == Some(&b'"') => at += k + 2,
                    Some(k) => break at + k,
                }
            };
            let after = &field[close + 1..];
            if let Some(k) = after.iter().position(|&b| b != b' ') {
                return Err((raw.0 + close + 1 + k, CsvError::AfterQuote));
            }
            // `csv-core` kept the spaces after the quote.
            value.1 = value.1.saturating_sub(after.len()).max(value.0);
        }
        Ok(())
    }

    /// Field `i`'s value: unquoted, and trimmed when it was not quoted. `None` if it is not
    /// UTF-8 (the caller checks the record first).
    pub fn value(&self, i: usize) -> Option<&str> {
        let (a, b) = self.values[i];
        let text = std::str::from_utf8(&self.out[a..b]).ok()?;
        Some(if self.bytes[self.raw[i].0..].first() == Some(&b'"') { text } else { text.trim() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each record as its lines and its fields' values, or the error of the first bad one.
    fn check(input: &str) -> String {
        let mut records = Records::new(input.as_bytes(), 0);
        let mut out = Vec::new();
        while let Some(r) = records.next_record() {
            if let Err((at, e)) = records.check() {
                out.push(format!("{e:?} at {at}"));
                break;
            }
            let fields: Vec<String> = (0..records.len()).map(|i| format!("{:?}", records.value(i).unwrap())).collect();
            out.push(format!("{}-{} {}..{}: {}", r.first_line, r.last_line, r.start, r.end, fields.join(" ")));
        }
        out.join("\n")
    }

    #[test]
    fn records_and_fields() {
        assert_eq!(check("a, b \n\n\"c,\"\"d\"\"\" ,e\r\n"), "1-1 0..5: \"a\" \"b\"\n3-3 7..19: \"c,\\\"d\\\"\" \"e\"");
        // A quoted field over two lines; a lone `\r` is data; an empty CRLF line is skipped.
        assert_eq!(
            check("\"x\ny\",z\na\rb\n\r\n,\n"),
            "1-2 0..7: \"x\\ny\" \"z\"\n3-3 8..11: \"a\\rb\"\n5-5 14..15: \"\" \"\""
        );
        // A quote inside an unquoted field is text, and does not open a quoted field.
        assert_eq!(check("a\"b,c\nd,e"), "1-1 0..5: \"a\\\"b\" \"c\"\n2-2 6..9: \"d\" \"e\"");
    }

    #[test]
    fn bad_quotes_are_errors() {
        assert_eq!(check("a,\"b\"x\n"), "AfterQuote at 5");
        assert_eq!(check("a,\"b\" \"c\"\n"), "AfterQuote at 6");
        assert_eq!(check("a\n\"b,\nc\n"), "1-1 0..1: \"a\"\nUnterminated at 2");
        assert_eq!(check("\"b\"\"\n"), "Unterminated at 0");
    }
}
