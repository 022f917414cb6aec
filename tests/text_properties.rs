//! Properties of the text functions (`proptest`): on random Unicode text, `cat`, `strlen`,
//! `substr` and `contains` through the language agree with a reference written here over
//! Rust's own strings and a vector of characters (indices count characters, not bytes), and a
//! `substr` outside its text is an `eval::out_of_range` error, never a panic.

use because::eval::Limits;
use because::kb::KnowledgeBase;
use because::syntax::print::quote;
use because::value::Value;
use proptest::prelude::*;

/// Text over a small alphabet, so that one text often contains another: ASCII, letters of
/// two and three bytes in UTF-8, a four-byte emoji, and the characters a string escapes.
fn text() -> impl Strategy<Value = String> {
    let alphabet = vec!['a', 'b', ' ', 'é', 'ß', 'Σ', 'ς', '日', '😀', '"', '\\', '\n'];
    prop::collection::vec(prop::sample::select(alphabet), 0..8).prop_map(|chars| chars.into_iter().collect())
}

/// The reference `substr`: `len` characters from the 0-based character `start`, the rest of the
/// text when fewer remain; `None` when the start lies past the end.
fn reference_substr(text: &str, start: usize, len: usize) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    if start > chars.len() {
        return None;
    }
    let end = (start + len).min(chars.len());
    Some(chars[start..end].iter().collect())
}

fn load(a: &str, b: &str) -> KnowledgeBase {
    let mut kb = KnowledgeBase::new(Limits::default());
    kb.load_str("t.kb", &format!("s(a, {}).\ns(b, {}).\n", quote(a), quote(b)), None).unwrap();
    kb
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn text_functions_agree_with_rust_strings(a in text(), b in text(), start in 0usize..10, len in 0usize..10) {
        let kb = load(&a, &b);
        let rows = kb.query("s(a, A), s(b, B), X = cat(A, B), N = strlen(A)").unwrap().rows;
        prop_assert_eq!(rows.len(), 1);
        prop_assert_eq!(&rows[0][2], &Value::Text(format!("{a}{b}").into()));
        prop_assert_eq!(&rows[0][3], &Value::Int(a.chars().count() as i64));

        let holds = |q: &str| !kb.query(&format!("s(a, A), s(b, B), {q}")).unwrap().rows.is_empty();
        prop_assert_eq!(holds("contains(B, A)"), a.contains(b.as_str()));
        prop_assert_eq!(holds("contains(A, B)"), b.contains(a.as_str()));
        prop_assert_eq!(holds("not contains(B, A)"), !a.contains(b.as_str()));

        let query = format!("s(a, A), X = substr(A, {start}, {len})");
        match (reference_substr(&a, start, len), kb.query(&query)) {
            (Some(want), Ok(answers)) => prop_assert_eq!(&answers.rows[0][1], &Value::Text(want.into())),
            (None, Err(e)) => prop_assert_eq!(e.diagnostics.0[0].code, "eval::out_of_range"),
            (want, got) => prop_assert!(false, "substr({:?}, {}, {}): {:?} against {:?}", a, start, len, want, got.map(|r| r.rows)),
        }
    }

    /// A text a rule derives is an ordinary constant: it joins with the same text stated.
    #[test]
    fn derived_text_joins_with_stated_text(a in text(), b in text()) {
        let mut kb = load(&a, &b);
        kb.load_str("u.kb", &format!("t({}).\nu(X) :- s(a, A), s(b, B), X = cat(A, B).\n", quote(&format!("{a}{b}"))), None)
            .unwrap();
        prop_assert_eq!(kb.query("u(X), t(X)").unwrap().rows.len(), 1);
    }
}
