//! Parse, then check (arities, safety, stratification) whatever parsed. Nothing may panic.
#![no_main]

use because::ast::FileId;
use because::value::Interner;
use because::{check, syntax};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let (module, _) = syntax::parse_module(FileId(0), text);
    let mut interner = Interner::default();
    let _ = check::check(&[module], Vec::new(), &mut interner);
});
