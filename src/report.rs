//! The evidence page: a `why` (or `why not`) answer as one self-contained HTML file.
//!
//! [`evidence_page`] turns an [`Explanation`] into a page that anyone can open offline: the
//! proof as a collapsible tree, every cited leaf with its quote, the documents that sources
//! name with each quote findable in its sentence, a panel of the sources the conclusion rests
//! on, the entities its facts link as an SVG ([`crate::svg`]), a search box, keyboard use and
//! print styles. Everything is inline (styles, script, picture); nothing is fetched.
//!
//! The page is built from the library's own output types: the proof nodes of
//! [`crate::explain`], the sources and documents of the [`KnowledgeBase`], the
//! [`EntityGraph`]. Nothing is re-derived. The script (`report/page.js`) only shows, hides,
//! filters and highlights what the HTML already holds; the page reads fully without it.
//!
//! **Self-test.** Opened with `#selftest` at the end of its address, the page acts as a reader
//! would once loaded (clicks a quote and a "shown above" link, expands, searches, hovers a
//! graph link) and writes what it saw, with any script error, as JSON into
//! `<pre id="selftest">`; the browser tests read it from `chromium --dump-dom`
//! (`tests/report.rs`, `docs/report.md`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rustc_hash::FxHashSet;

use crate::explain::{Citation, Explanation, How, NodeId, Premise, WhyNot, render_text};
use crate::graph::EntityGraph;
use crate::kb::KnowledgeBase;
use crate::load::normalize_ws;
use crate::svg::escape;

const CSS: &str = include_str!("report/page.css");
const JS: &str = include_str!("report/page.js");

/// How the page is built.
///
/// ```
/// let options = because::report::ReportOptions::default();
/// assert_eq!(options.open_depth, 2);
/// ```
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Levels of the proof tree shown open; deeper sub-proofs are folded, one click (or
    /// Enter) away (`because report --depth N`).
    pub open_depth: usize,
}

impl Default for ReportOptions {
    fn default() -> ReportOptions {
        ReportOptions { open_depth: 2 }
    }
}

/// The evidence page of an explanation, as one HTML document.
///
/// ```
/// use because::kb::KnowledgeBase;
/// use because::report::{ReportOptions, evidence_page};
///
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("r.kb", "source notes \"Field notes\".\nlink(a, b) cite notes \"a links to b\".\nreach(a).\n[step] reach(Y) :- reach(X), link(X, Y).\n", None)?;
/// let e = kb.why("reach(b)")?;
/// let page = evidence_page(&kb, &e, &ReportOptions::default());
/// assert!(page.starts_with("<!DOCTYPE html>"));
/// assert!(page.contains("reach(b)") && page.contains("a links to b") && page.contains("Field notes"));
/// assert!(!page.contains("<script src") && !page.contains("<link"), "nothing is fetched");
/// # Ok::<(), because::kb::Error>(())
/// ```
pub fn evidence_page(kb: &KnowledgeBase, e: &Explanation, options: &ReportOptions) -> String {
    let docs = Documents::new(kb, e);
    let roots = page_roots(e);
    let mut body = String::new();
    // 1. The proof (or the diagnosis of a `why not`).
    body.push_str("<section id=\"proof\" aria-labelledby=\"proof-h\">\n");
    match (&e.why_not, e.matched) {
        (Some(w), _) => {
            body.push_str("<h2 id=\"proof-h\">Why it does not hold</h2>\n");
            why_not(&mut body, w, e);
            if !roots.is_empty() {
                body.push_str("<h3>The facts that block it</h3>\n");
            }
        }
        (None, 0) => {
            let _ =
                writeln!(body, "<h2 id=\"proof-h\">The proof</h2>\n<p>{}</p>", escape(render_text(e, false).trim()));
        }
        (None, _) => body.push_str("<h2 id=\"proof-h\">The proof</h2>\n"),
    }
    if !roots.is_empty() {
        body.push_str(
            "<p class=\"tools\"><button type=\"button\" id=\"expand-all\">Expand all</button> \
             <button type=\"button\" id=\"collapse-all\">Fold all</button> \
             <span class=\"hint\">Each rule's premises are under it; a fact used twice is shown once and linked.</span></p>\n",
        );
        proof_tree(&mut body, e, &roots, options, &docs);
    }
    if e.matched > e.proof.roots.len() && e.why_not.is_none() {
        let _ = writeln!(
            body,
            "<p class=\"note\">{} more facts match; use <code>--limit</code> to see them.</p>",
            e.matched - e.proof.roots.len()
        );
    }
    body.push_str("</section>\n");
    // 2. Sources, 3. facts and quotes, 4. the entities, 5. the documents.
    sources_panel(&mut body, kb, e, &docs);
    facts_table(&mut body, e, &docs);
    entity_picture(&mut body, kb, e, &roots);
    documents(&mut body, &docs);

    let query = e.query.trim_start_matches("?-").trim().trim_end_matches('.');
    let mut page = String::with_capacity(body.len() + CSS.len() + JS.len() + 2048);
    page.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    page.push_str("<meta name=\"generator\" content=\"because\">\n");
    let _ = writeln!(page, "<title>{} — evidence</title>", escape(query));
    // Script errors are recorded from the first moment, for the self-test.
    page.push_str("<script>window.becauseErrors=[];window.addEventListener('error',function(e){window.becauseErrors.push(String(e.message))});</script>\n");
    let _ = writeln!(page, "<style>\n{CSS}</style>\n</head>\n<body>");
    page.push_str("<a class=\"skip\" href=\"#proof\">Skip to the proof</a>\n<header>\n");
    let _ = writeln!(page, "<h1><code>{}</code></h1>", escape(query));
    let _ = writeln!(page, "<p class=\"meta\">{}</p>", escape(&summary(e, &docs)));
    page.push_str(
        "<div class=\"search\" role=\"search\"><label for=\"search\">Search facts and quotes</label> \
         <input id=\"search\" type=\"search\" autocomplete=\"off\" placeholder=\"a word, a fact, a quote\" \
         aria-controls=\"facts-table\"> <span id=\"search-count\" aria-live=\"polite\"></span></div>\n",
    );
    page.push_str(
        "<nav aria-label=\"Sections\"><a href=\"#proof\">Proof</a> <a href=\"#sources\">Sources</a> \
         <a href=\"#facts\">Facts and quotes</a> <a href=\"#entities\">Entities</a>",
    );
    if !docs.list.is_empty() {
        page.push_str(" <a href=\"#documents\">Documents</a>");
    }
    page.push_str("</nav>\n</header>\n<main>\n");
    page.push_str(&body);
    page.push_str("</main>\n<footer>Made by <code>because report</code>: one file, no network.</footer>\n");
    let _ = writeln!(page, "<script>\n{JS}</script>\n</body>\n</html>");
    page
}

/// The roots the page shows ([`Explanation::shown_roots`]), each once.
fn page_roots(e: &Explanation) -> Vec<NodeId> {
    let mut roots = e.shown_roots();
    let mut seen = FxHashSet::default();
    roots.retain(|r| seen.insert(*r));
    roots
}

/// `12 facts, 20 quotes from 1 source`.
fn summary(e: &Explanation, docs: &Documents) -> String {
    let facts = base_nodes(e).len();
    let quotes: usize = docs.cited.values().map(|c| c.quotes).sum();
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let rests = format!(
        "{}, {} from {}",
        plural(facts, "stated fact", "stated facts"),
        plural(quotes, "quote", "quotes"),
        plural(docs.cited.len(), "source", "sources")
    );
    match (&e.why_not, e.matched) {
        (Some(_), _) if facts == 0 => "Which premise of each rule fails.".to_string(),
        (Some(_), _) => format!("Which premise of each rule fails; the facts that block it rest on {rests}."),
        (None, 0) => "No fact matches.".to_string(),
        (None, _) => format!("Rests on {rests}."),
    }
}

/// The stated (or loaded) nodes of the proof, in node order.
fn base_nodes(e: &Explanation) -> Vec<NodeId> {
    (0..e.proof.nodes.len()).filter(|&n| matches!(e.proof.nodes[n].how, How::Base { .. })).collect()
}

// ---------------------------------------------------------------- documents and quotes

/// A document named by a source, split into sentences.
struct Document {
    source: String,
    title: String,
    file: String,
    text: String,
    /// Byte ranges of the sentences in `text`.
    sentences: Vec<(usize, usize)>,
}

/// Per source the proof cites: how many quotes and facts.
#[derive(Default)]
struct Cited {
    quotes: usize,
    facts: FxHashSet<NodeId>,
}

struct Documents {
    list: Vec<Document>,
    cited: BTreeMap<String, Cited>,
}

impl Documents {
    fn new(kb: &KnowledgeBase, e: &Explanation) -> Documents {
        let mut cited: BTreeMap<String, Cited> = BTreeMap::new();
        for (n, node) in e.proof.nodes.iter().enumerate() {
            let cites = match &node.how {
                How::Base { cites, .. } => cites,
                How::Derived { rule, .. } => &rule.cites,
                How::Folded => continue,
            };
            for c in cites {
                let entry = cited.entry(c.source.clone()).or_default();
                entry.quotes += 1;
                entry.facts.insert(n);
            }
        }
        let list = kb
            .program()
            .sources
            .iter()
            .filter(|s| cited.contains_key(&*s.name))
            .filter_map(|s| {
                let text = kb.document(&s.name)?.to_string();
                Some(Document {
                    source: s.name.to_string(),
                    title: s.title.to_string(),
                    file: s.file.as_deref().unwrap_or_default().to_string(),
                    sentences: sentences(&text),
                    text,
                })
            })
            .collect();
        Documents { list, cited }
    }

    /// The document of a source and the sentences a quote spans, if it is found there.
    fn locate(&self, c: &Citation) -> Option<(&Document, usize, usize)> {
        let doc = self.list.iter().find(|d| d.source == c.source)?;
        let quote = normalize_ws(&c.quote);
        let start = doc.text.find(&quote)?;
        let end = start + quote.len();
        let first = doc.sentences.partition_point(|&(_, e)| e <= start);
        let last = doc.sentences.partition_point(|&(_, e)| e < end).max(first);
        Some((doc, first, last.min(doc.sentences.len().saturating_sub(1))))
    }
}

/// Sentences of whitespace-normalised text: a `.`, `?` or `!` (with closing quotes and
/// brackets) followed by a space and a word that does not start in lower case ends one, so a
/// decimal (`2.5`) or an abbreviation before a lower-case word (`U.S. forces`) does not.
fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if matches!(bytes[i], b'.' | b'?' | b'!') {
            let mut end = i + 1;
            while end < bytes.len() && matches!(bytes[end], b'"' | b'\'' | b')' | b']') {
                end += 1;
            }
            // Closing curly quotes are three bytes each.
            while text[end..].starts_with(['”', '’']) {
                end += '”'.len_utf8();
            }
            let next = text[end..].strip_prefix(' ').and_then(|rest| rest.chars().next());
            if next.is_some_and(|c| !c.is_lowercase()) {
                out.push((start, end));
                start = end + 1;
                i = start;
                continue;
            }
            i = end;
            continue;
        }
        i += 1;
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

/// A quote: a link to its sentence when its document is in the page, else the words alone.
fn quote_html(out: &mut String, c: &Citation, docs: &Documents) {
    let grade = c.grade.as_ref().map(|g| format!(" [{}]", escape(g))).unwrap_or_default();
    let words = format!("<span class=\"src\">{}{grade}:</span> “{}”", escape(&c.source), escape(&c.quote));
    match docs.locate(c) {
        Some((doc, first, last)) => {
            let _ = write!(
                out,
                "<a class=\"quote\" href=\"#doc-{src}-s{first}\" data-doc=\"doc-{src}\" data-from=\"{first}\" \
                 data-to=\"{last}\" data-quote=\"{q}\" title=\"Show in {title}\">{words}</a>",
                src = escape(&doc.source),
                q = escape(&normalize_ws(&c.quote)),
                title = escape(&doc.title),
            );
        }
        None => {
            let _ = write!(out, "<q class=\"quote\" data-source=\"{}\">{words}</q>", escape(&c.source));
        }
    }
}

// ---------------------------------------------------------------- the proof tree

enum Work {
    Node(NodeId, usize),
    Premise(Premise, usize),
    More(usize),
    Close(&'static str),
}

/// The proof as nested lists; derived facts and aggregates are `<details>`, open above
/// `open_depth`. A fact already shown is a link to it. Built with a work list, not recursion.
fn proof_tree(out: &mut String, e: &Explanation, roots: &[NodeId], options: &ReportOptions, docs: &Documents) {
    let proof = &e.proof;
    let mut shown: FxHashSet<NodeId> = FxHashSet::default();
    out.push_str("<ul class=\"tree\">\n");
    let mut stack: Vec<Work> = vec![Work::Close("</ul>\n")];
    stack.extend(roots.iter().rev().map(|&r| Work::Node(r, 0)));
    while let Some(work) = stack.pop() {
        let (node, depth) = match work {
            Work::Close(s) => {
                out.push_str(s);
                continue;
            }
            Work::More(n) => {
                let _ = writeln!(out, "<li class=\"more\">… and {n} more</li>");
                continue;
            }
            Work::Premise(Premise::Fact { node }, depth) => (node, depth),
            Work::Node(node, depth) => (node, depth),
            Work::Premise(Premise::Test { text }, _) => {
                let _ =
                    writeln!(out, "<li class=\"test\"><code>{}</code> <span class=\"ok\">✓</span></li>", escape(&text));
                continue;
            }
            Work::Premise(Premise::Absent { atom }, _) => {
                let _ = writeln!(
                    out,
                    "<li class=\"absent\">not <code>{}</code> <span class=\"ok\">✓ nothing derives it</span></li>",
                    escape(&atom)
                );
                continue;
            }
            Work::Premise(Premise::Aggregate { text, facts, total, .. }, depth) => {
                let open = if depth < options.open_depth { " open" } else { "" };
                let _ = writeln!(
                    out,
                    "<li class=\"aggregate\"><details{open}><summary><code>{}</code></summary>\n<ul>",
                    escape(&text)
                );
                stack.push(Work::Close("</ul></details></li>\n"));
                if total > facts.len() {
                    stack.push(Work::More(total - facts.len()));
                }
                stack.extend(facts.iter().rev().map(|&f| Work::Node(f, depth + 1)));
                continue;
            }
        };
        let n = &proof.nodes[node];
        let fact = escape(&n.fact.text);
        if !matches!(n.how, How::Folded) && !shown.insert(node) {
            let _ = writeln!(
                out,
                "<li class=\"ref\"><a class=\"ref\" href=\"#n{node}\">{fact}</a> <span class=\"note\">(shown above)</span></li>"
            );
            continue;
        }
        match &n.how {
            How::Base { location, cites, doc } => {
                let _ = write!(
                    out,
                    "<li class=\"base\" id=\"n{node}\"><span class=\"fact\">{fact}</span> <span class=\"how\">fact</span> \
                     <span class=\"loc\">({})</span>",
                    escape(location)
                );
                if !cites.is_empty() {
                    out.push_str("<ul class=\"cites\">");
                    for c in cites {
                        out.push_str("<li>");
                        quote_html(out, c, docs);
                        out.push_str("</li>");
                    }
                    out.push_str("</ul>");
                }
                if let Some(d) = doc {
                    let _ = write!(out, "<p class=\"doc\">{}</p>", escape(d));
                }
                out.push_str("</li>\n");
            }
            How::Folded => {
                let _ = writeln!(
                    out,
                    "<li class=\"folded\" id=\"n{node}\"><span class=\"fact\">{fact}</span> \
                     <span class=\"note\">… deeper than this proof goes: ask <code>why {fact}</code></span></li>"
                );
            }
            How::Derived { rule, premises } => {
                let open = if depth < options.open_depth { " open" } else { "" };
                let label = rule.label.as_ref().map(|l| format!("[{}] ", escape(l))).unwrap_or_default();
                let _ = write!(
                    out,
                    "<li class=\"derived\" id=\"n{node}\"><details{open}><summary><span class=\"fact\">{fact}</span> \
                     <span class=\"how\">⟸ {label}{}</span> <span class=\"loc\">({})</span></summary>",
                    escape(&rule.name),
                    escape(&rule.location)
                );
                if let Some(d) = &rule.doc {
                    let _ = write!(out, "<p class=\"doc\">“{}”</p>", escape(d));
                }
                if !rule.cites.is_empty() {
                    out.push_str("<ul class=\"cites\">");
                    for c in &rule.cites {
                        out.push_str("<li>");
                        quote_html(out, c, docs);
                        out.push_str("</li>");
                    }
                    out.push_str("</ul>");
                }
                out.push_str("\n<ul>\n");
                stack.push(Work::Close("</ul></details></li>\n"));
                stack.extend(premises.iter().rev().cloned().map(|p| Work::Premise(p, depth + 1)));
            }
        }
    }
}

/// The diagnosis of a `why not`, as the text output gives it, with each blocking fact a link to
/// its proof below rather than the proof repeated. Nested diagnoses are nested lists, built
/// with a work list.
fn why_not(out: &mut String, w: &WhyNot, e: &Explanation) {
    enum Step<'a> {
        Open(&'a WhyNot),
        Close,
    }
    let mut stack = vec![Step::Open(w)];
    while let Some(step) = stack.pop() {
        let w = match step {
            Step::Close => {
                out.push_str("</ul></div>\n");
                continue;
            }
            Step::Open(w) => w,
        };
        out.push_str("<div class=\"whynot\">");
        if w.holds {
            let _ = write!(
                out,
                "<p><code>{}</code> holds: ask <code>why {}</code> for its proof.</p><ul>",
                escape(&w.atom),
                escape(&w.atom)
            );
            stack.push(Step::Close);
            continue;
        }
        if w.shown_above {
            let _ = write!(
                out,
                "<p><code>{}</code> <span class=\"bad\">does not hold:</span> see above.</p><ul>",
                escape(&w.atom)
            );
            stack.push(Step::Close);
            continue;
        }
        let _ = write!(out, "<p><code>{}</code> <span class=\"bad\">does not hold.</span></p>", escape(&w.atom));
        if let Some(msg) = &w.no_rules {
            let _ = write!(out, "<p>{}</p>", escape(msg));
            if !w.closest.is_empty() {
                let _ = write!(out, "<p>The closest facts of <code>{}</code>:</p><ul>", escape(&w.pred));
                for c in &w.closest {
                    let _ = write!(out, "<li><code>{}</code></li>", escape(c));
                }
                out.push_str("</ul>");
            }
        }
        out.push_str("<ul>");
        stack.push(Step::Close);
        // Nested diagnoses follow their rule, so they are pushed in reverse after it is written.
        let mut subs = Vec::new();
        for f in &w.rules {
            let label = f.label.as_ref().map(|l| format!("[{}] ", escape(l))).unwrap_or_default();
            let _ = write!(
                out,
                "<li>rule <span class=\"how\">{label}{}</span> <span class=\"loc\">({})</span> needs <code>{}</code>\
                 <br><span class=\"bad\">✗</span> {}",
                escape(&f.rule),
                escape(&f.location),
                escape(&f.body),
                escape(&f.reason)
            );
            if let Some(node) = f.blocked_by {
                let _ = write!(
                    out,
                    "<br>blocked by <a class=\"ref\" href=\"#n{node}\">{}</a> (its proof is below)",
                    escape(&e.proof.nodes[node].fact.text)
                );
            }
            out.push_str("</li>");
            subs.extend(f.sub.as_deref());
        }
        stack.extend(subs.into_iter().rev().map(Step::Open));
    }
}

// ---------------------------------------------------------------- panels

fn sources_panel(out: &mut String, kb: &KnowledgeBase, e: &Explanation, docs: &Documents) {
    out.push_str("<section id=\"sources\" aria-labelledby=\"sources-h\">\n<h2 id=\"sources-h\">Sources</h2>\n");
    if docs.cited.is_empty() {
        out.push_str("<p>No fact of this proof cites a source.</p>\n</section>\n");
        return;
    }
    let base = base_nodes(e);
    let uncited =
        base.iter().filter(|&&n| matches!(&e.proof.nodes[n].how, How::Base { cites, .. } if cites.is_empty())).count();
    out.push_str("<ul class=\"sources\">\n");
    for (name, cited) in &docs.cited {
        let info = kb.program().sources.iter().find(|s| &*s.name == name);
        let title = info.map(|s| s.title.to_string()).unwrap_or_else(|| "(not declared)".to_string());
        let _ = write!(
            out,
            "<li><span class=\"src\">{}</span> <cite>{}</cite>: {} quoted for {} of this proof",
            escape(name),
            escape(&title),
            if cited.quotes == 1 { "1 passage".to_string() } else { format!("{} passages", cited.quotes) },
            if cited.facts.len() == 1 {
                "1 fact or rule".to_string()
            } else {
                format!("{} facts and rules", cited.facts.len())
            },
        );
        match docs.list.iter().find(|d| &d.source == name) {
            Some(d) => {
                let _ =
                    write!(out, "; the document <a href=\"#doc-{}\">{}</a> is below", escape(name), escape(&d.file));
            }
            None => out.push_str("; its document is not part of the knowledge base"),
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ul>\n");
    if uncited > 0 {
        let facts = if uncited == 1 { "1 stated fact of this proof cites" } else { "stated facts of this proof cite" };
        let count = if uncited == 1 { String::new() } else { format!("{uncited} ") };
        let _ = writeln!(out, "<p class=\"note\">{count}{facts} no source.</p>");
    }
    out.push_str("</section>\n");
}

fn facts_table(out: &mut String, e: &Explanation, docs: &Documents) {
    out.push_str("<section id=\"facts\" aria-labelledby=\"facts-h\">\n<h2 id=\"facts-h\">Facts and quotes</h2>\n");
    let base = base_nodes(e);
    if base.is_empty() {
        out.push_str("<p>This proof rests on no stated fact.</p>\n</section>\n");
        return;
    }
    out.push_str("<table id=\"facts-table\"><thead><tr><th scope=\"col\">Fact</th><th scope=\"col\">Stated at</th><th scope=\"col\">Quotes</th></tr></thead>\n<tbody>\n");
    for n in base {
        let node = &e.proof.nodes[n];
        let How::Base { location, cites, .. } = &node.how else { continue };
        let _ = write!(
            out,
            "<tr><td><a class=\"fact-link\" href=\"#n{n}\">{}</a></td><td class=\"loc\">{}</td><td>",
            escape(&node.fact.text),
            escape(location)
        );
        for (i, c) in cites.iter().enumerate() {
            if i > 0 {
                out.push_str("<br>");
            }
            quote_html(out, c, docs);
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody></table>\n<p id=\"no-match\" hidden>No fact or quote matches.</p>\n</section>\n");
}

/// The entities the proof's stated facts link: the entity graph's edges whose fact is a stated
/// node of the proof, laid out by [`crate::svg`].
fn entity_picture(out: &mut String, kb: &KnowledgeBase, e: &Explanation, roots: &[NodeId]) {
    out.push_str("<section id=\"entities\" aria-labelledby=\"entities-h\">\n<h2 id=\"entities-h\">Entities</h2>\n");
    let graph = EntityGraph::build(kb.program(), kb.database(), kb.interner(), kb.sources(), false);
    // The stated facts only: they are the evidence and carry the quotes; the derived facts are
    // the proof tree's business, and drawn here they would mostly repeat the stated ones.
    let in_proof: FxHashSet<&str> =
        e.proof.nodes.iter().filter(|n| matches!(n.how, How::Base { .. })).map(|n| n.fact.text.as_str()).collect();
    let edges: Vec<_> = graph
        .graph
        .edge_indices()
        .filter(|&i| in_proof.contains(graph.facts[graph.graph[i].fact].text().as_str()))
        .collect();
    let mut nodes = Vec::new();
    let mut emphasis = Vec::new();
    for &r in roots {
        for arg in &e.proof.nodes[r].fact.args {
            if let Some(n) = arg.as_str().and_then(|name| graph.find(name)) {
                emphasis.push(n);
            }
        }
    }
    for &edge in &edges {
        if let Some((a, b)) = graph.graph.edge_endpoints(edge) {
            nodes.extend([a, b]);
        }
    }
    let mut seen = FxHashSet::default();
    nodes.retain(|n| seen.insert(*n));
    emphasis.retain(|n| seen.contains(n));
    if edges.is_empty() {
        out.push_str("<p>No stated fact of this proof links two entities.</p>\n</section>\n");
        return;
    }
    let _ = writeln!(
        out,
        "<p class=\"hint\">{} entities linked by {} stated facts of this proof, coloured by kind; hover or focus (Tab) a \
         link to read its fact and quotes.</p>",
        nodes.len(),
        edges.iter().map(|&i| graph.graph[i].fact).collect::<FxHashSet<_>>().len()
    );
    let mut kinds: Vec<&str> = nodes.iter().map(|&n| &*graph.graph[n].kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    out.push_str("<p class=\"legend\">");
    for k in kinds {
        let (_, fill) = crate::graph::export::kind_style(k);
        let _ = write!(out, "<span class=\"swatch\" style=\"background:{fill}\"></span>{} ", escape(k));
    }
    out.push_str("</p>\n<div class=\"graph-wrap\">\n");
    out.push_str(&graph.svg(&nodes, &edges, &emphasis));
    out.push_str("</div>\n<p id=\"edge-info\" class=\"edge-info\" aria-live=\"polite\">Hover or focus a link or an entity.</p>\n</section>\n");
}

fn documents(out: &mut String, docs: &Documents) {
    if docs.list.is_empty() {
        return;
    }
    out.push_str("<section id=\"documents\" aria-labelledby=\"documents-h\">\n<h2 id=\"documents-h\">Documents</h2>\n");
    out.push_str("<p class=\"hint\">Select a quote anywhere above to see it here in its sentence.</p>\n");
    for d in &docs.list {
        let _ = write!(
            out,
            "<article class=\"document\" id=\"doc-{src}\"><h3><cite>{}</cite> <span class=\"loc\">({})</span></h3>\n<p>",
            escape(&d.title),
            escape(&d.file),
            src = escape(&d.source)
        );
        for (i, &(s, e)) in d.sentences.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            let _ = write!(
                out,
                "<span class=\"s\" id=\"doc-{}-s{i}\" tabindex=\"-1\">{}</span>",
                escape(&d.source),
                escape(&d.text[s..e])
            );
        }
        out.push_str("</p></article>\n");
    }
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_at_ends_not_at_decimals_or_abbreviations() {
        let text = "It grew 2.5 percent. The U.S. forces left. “Yes.” Done? then more";
        let parts: Vec<&str> = sentences(text).into_iter().map(|(s, e)| &text[s..e]).collect();
        assert_eq!(parts, ["It grew 2.5 percent.", "The U.S. forces left.", "“Yes.”", "Done? then more"]);
    }
}
