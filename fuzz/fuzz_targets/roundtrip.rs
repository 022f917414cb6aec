//! The TSV/CSV writer against the loader: arbitrary text cut into two-column rows is printed
//! with `--format tsv` or `csv` (bit 0 of the first byte), loaded back with a header line,
//! printed again, loaded and printed once more. The writer's output must always load, and
//! after the first load (which types numbers) printing and loading change nothing.
#![no_main]

use because::kb::Answers;
use because::load::{Format as TableFormat, read_table};
use because::output::{Format, render_answers};
use because::value::{Interner, Value};
use libfuzzer_sys::fuzz_target;

fn load(printed: &str, format: TableFormat) -> Vec<Vec<Value>> {
    let mut interner = Interner::default();
    let table = read_table(printed.as_bytes(), "out", true, &mut interner, format)
        .unwrap_or_else(|e| panic!("the writer's output does not load: {}: {printed:?}", e.message));
    table.data.chunks(2).map(|r| r.iter().map(|&id| interner.value(id)).collect()).collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let (format, table_format) =
        if first & 1 == 1 { (Format::Csv, TableFormat::Csv) } else { (Format::Tsv, TableFormat::Tsv) };
    let text = String::from_utf8_lossy(rest);
    // Cells are separated by U+001F; a row is two cells.
    let cells: Vec<Value> = text.split('\u{1f}').map(Value::text).collect();
    let rows: Vec<Vec<Value>> = cells.chunks_exact(2).map(<[Value]>::to_vec).collect();
    if rows.is_empty() {
        return;
    }
    let answers = Answers { query: "q(X, Y)".into(), columns: vec!["X".into(), "Y".into()], rows };
    let once = render_answers(&answers, format);
    let loaded = Answers { rows: load(&once, table_format), ..answers.clone() };
    let twice = render_answers(&loaded, format);
    let again = Answers { rows: load(&twice, table_format), ..answers };
    assert_eq!(render_answers(&again, format), twice);
});
