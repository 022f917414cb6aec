//! TSV/CSV data files: arbitrary bytes, with and without a header line. A bad row is a
//! `load::` diagnostic whose span lies inside the file; nothing may panic.
#![no_main]

use because::load::{Format, read_table};
use because::value::Interner;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, bytes)) = data.split_first() else { return };
    let format = if first & 1 == 0 { Format::Tsv } else { Format::Csv };
    let header = first & 2 != 0;
    let mut interner = Interner::default();
    match read_table(bytes, "fuzz.tsv", header, &mut interner, format) {
        Ok(table) => {
            if let Some(w) = table.width {
                assert_eq!(table.data.len(), w * table.lines.len());
            }
        }
        Err(e) => {
            assert!(e.code.starts_with("load::"));
            assert!(e.offset <= bytes.len());
        }
    }
});
