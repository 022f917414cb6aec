//! The parser on arbitrary bytes: through `load::decode` (invalid UTF-8 must be a diagnostic),
//! then `parse_module` and `parse_query` on the text. Nothing may panic.
#![no_main]

use std::sync::Arc;

use because::source::SourceMap;
use because::{load, syntax};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = match load::decode(data.to_vec(), "fuzz.kb", None) {
        Ok(text) => text,
        Err(d) => {
            assert_eq!(d.code, "load::invalid_utf8");
            assert!(std::str::from_utf8(data).is_err());
            return;
        }
    };
    // Diagnostics render (source line, caret, cut long lines) without panicking too.
    let mut sources = SourceMap::default();
    let file = sources.add("fuzz.kb".into(), None, Arc::from(text.as_str()));
    let (_, diags) = syntax::parse_module(file, &text);
    let _ = diags.render(&sources, false, true);
    if let Err(diags) = syntax::parse_query(file, &text) {
        let _ = diags.render(&sources, true, true);
    }
    let _ = syntax::is_incomplete(&text);
});
