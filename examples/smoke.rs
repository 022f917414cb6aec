fn main() {
    let path = std::env::args().nth(1).unwrap();
    let mut kb = because::kb::KnowledgeBase::default();
    match kb.load_file(std::path::Path::new(&path)) {
        Ok(rep) => {
            eprint!("{}", kb.render(&rep.warnings, false, true));
            for i in rep.queries.clone() {
                let q = kb.queries()[i].clone();
                if q.kind != because::ast::QueryKind::Select {
                    match kb.explain(&q, &because::explain::WhyOptions::default()) {
                        Ok(e) => print!("{}\n{}", q.text, e.render(because::output::Format::Table, false)),
                        Err(e) => eprint!("{}", kb.render(&e.diagnostics, false, true)),
                    }
                    continue;
                }
                match kb.answer(&q) {
                    Ok(a) => {
                        print!("{}\n{}", a.query, because::output::render_answers(&a, because::output::Format::Tsv))
                    }
                    Err(e) => eprint!("{}", kb.render(&e.diagnostics, false, true)),
                }
            }
        }
        Err(e) => eprint!("{}", kb.render(&e.diagnostics, false, true)),
    }
}
