//! Pictures without Graphviz: proofs and entity-graph views as SVG, laid out in-process.
//!
//! - [`proof_svg`]: a proof as a tidy tree ([`tidy_forest`]), the conclusion on the left and
//!   premises to its right; a fact that several premises share is drawn once, and every other
//!   use of it is a dashed link to that box (as the text tree says "shown above").
//! - [`EntityGraph::to_svg`], [`EntityGraph::neighbourhood_svg`], [`EntityGraph::path_svg`]:
//!   graph views in a layered layout ([`layered`]), entities coloured by kind as in DOT
//!   ([`crate::graph::export::kind_style`]), edges labelled by predicate, each edge's `<title>`
//!   holding its fact and citations (a browser shows it on hover).
//!
//! Text is set in a monospace font so that a box's width follows from its characters without
//! font metrics (wide characters count two). Every box is a `<g>` with `data-node` (proofs) or
//! `data-entity` (graphs) around one `<rect>`, which is what tests and the evidence page use.
//! Like every renderer here, this module walks with explicit stacks and never prints.

mod layered;
mod tidy;

use std::fmt::Write as _;

use petgraph::graph::{EdgeIndex, NodeIndex};

pub use layered::layered;
pub use tidy::{Rect, tidy_forest};

use crate::explain::{Explanation, How, NodeId, Premise};
use crate::graph::export::kind_style;
use crate::graph::{EntityGraph, Neighbourhood, Origin, Path, PathFilter};

/// Font size of box text, in pixels.
const FONT: f64 = 12.0;
/// Advance of one narrow monospace character at [`FONT`] (0.6 em, as DejaVu Sans Mono, Menlo
/// and Consolas have).
const CHAR_W: f64 = 7.3;
const LINE_H: f64 = 16.0;
const PAD_X: f64 = 8.0;
const PAD_Y: f64 = 6.0;
const MARGIN: f64 = 10.0;
/// Box lines longer than this are cut with `…` (the whole text is in the box's `<title>`).
const MAX_CHARS: usize = 90;
/// The font stack: monospace fonts every system has; no web font is ever fetched.
pub const FONT_FAMILY: &str = "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace";

/// Escapes text for XML content and attribute values.
///
/// ```
/// assert_eq!(because::svg::escape("a < \"b\" & c"), "a &lt; &quot;b&quot; &amp; c");
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Display columns of a character: two for East Asian wide ranges, else one.
fn columns(c: char) -> usize {
    match c as u32 {
        0x1100..=0x115f
        | 0x2e80..=0xa4cf
        | 0xac00..=0xd7a3
        | 0xf900..=0xfaff
        | 0xfe30..=0xfe4f
        | 0xff00..=0xff60
        | 0xffe0..=0xffe6
        | 0x1f300..=0x1faff
        | 0x20000..=0x3fffd => 2,
        _ => 1,
    }
}

/// A line cut to [`MAX_CHARS`] characters.
fn cut(line: &str) -> String {
    if line.chars().count() <= MAX_CHARS {
        return line.to_string();
    }
    let mut s: String = line.chars().take(MAX_CHARS - 1).collect();
    s.push('…');
    s
}

/// The size of a box holding these lines.
fn box_size(lines: &[String]) -> (f64, f64) {
    let widest = lines.iter().map(|l| l.chars().map(columns).sum::<usize>()).max().unwrap_or(0);
    (widest as f64 * CHAR_W + 2.0 * PAD_X, lines.len().max(1) as f64 * LINE_H + 2.0 * PAD_Y)
}

/// One drawn box: its text, CSS class, colours and identifying attribute.
struct Boxed {
    lines: Vec<String>,
    title: String,
    class: &'static str,
    fill: &'static str,
    dashed: bool,
    bold: bool,
    attr: String,
}

fn write_box(out: &mut String, b: &Boxed, r: Rect) {
    let dash = if b.dashed { " stroke-dasharray=\"5 3\"" } else { "" };
    let width = if b.bold { 2.5 } else { 1.0 };
    let _ = write!(
        out,
        "<g class=\"{}\" {}><title>{}</title><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"5\" \
         fill=\"{}\" stroke=\"#495057\" stroke-width=\"{width}\"{dash}/>",
        b.class,
        b.attr,
        escape(&b.title),
        r.x,
        r.y,
        r.w,
        r.h,
        b.fill
    );
    for (i, line) in b.lines.iter().enumerate() {
        let weight = if i == 0 { " font-weight=\"bold\"" } else { "" };
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\"{weight}>{}</text>",
            r.x + PAD_X,
            r.y + PAD_Y + (i as f64 + 0.78) * LINE_H,
            escape(line)
        );
    }
    out.push_str("</g>\n");
}

fn svg_open(out: &mut String, class: &str, width: f64, height: f64) {
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"{class}\" width=\"{w:.0}\" height=\"{h:.0}\" \
         viewBox=\"0 0 {w:.0} {h:.0}\" font-family=\"{}\" font-size=\"{FONT}\">",
        escape(FONT_FAMILY),
        w = width,
        h = height
    );
    out.push_str("<rect class=\"background\" width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
}

/// A row of swatches (circles, so that only nodes are boxes) with their names, its baseline at
/// `y`.
fn write_legend(out: &mut String, y: f64, items: &[(&str, &str)]) {
    let mut x = MARGIN;
    out.push_str("<g class=\"legend\">");
    for (fill, name) in items {
        let _ = write!(
            out,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\" fill=\"{fill}\" stroke=\"#495057\"/><text x=\"{:.1}\" y=\"{y:.1}\">{}</text>",
            x + 5.0,
            y - 4.0,
            x + 14.0,
            escape(name)
        );
        x += (name.chars().count() + 4) as f64 * CHAR_W;
    }
    out.push_str("</g>\n");
}

/// The width of a legend row.
fn legend_width(items: &[(&str, &str)]) -> f64 {
    items.iter().map(|(_, name)| (name.chars().count() + 4) as f64 * CHAR_W).sum::<f64>() + MARGIN
}

/// The extent of some boxes, with the margin.
fn extent<'a>(boxes: impl Iterator<Item = &'a Rect>) -> (f64, f64) {
    boxes.fold((0.0f64, 0.0f64), |(w, h), r| (w.max(r.x + r.w), h.max(r.y + r.h)))
}

fn shift(r: Rect) -> Rect {
    Rect { x: r.x + MARGIN, y: r.y + MARGIN, ..r }
}

// ---------------------------------------------------------------- proofs

/// What a box of the proof picture stands for.
enum Item {
    Node(NodeId),
    Premise(Premise),
    More(usize),
}

/// A proof as SVG: one box per proof node (facts shared by several premises drawn once, their
/// other uses dashed links to it), one per comparison, negation and aggregate. The conclusion
/// is on the left; `why not` draws the proofs of the facts that block it.
///
/// ```
/// # use because::kb::KnowledgeBase;
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("p.kb", "p(a).\nq(X) :- p(X), p(X).\n", None)?;
/// let svg = because::svg::proof_svg(&kb.why("q(a)")?);
/// assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
/// assert_eq!(svg.matches("data-node=").count(), 2, "q(a) and p(a), each once");
/// assert_eq!(svg.matches("class=\"shared\"").count(), 1, "the second use of p(a) is a link");
/// # Ok::<(), because::kb::Error>(())
/// ```
pub fn proof_svg(e: &Explanation) -> String {
    let proof = &e.proof;
    let roots = e.shown_roots();
    // 1. The drawn tree: items in pre-order; a node seen before becomes a cross link.
    let mut boxes: Vec<Boxed> = Vec::new();
    let mut children: Vec<Vec<usize>> = Vec::new();
    let mut box_of_node: Vec<Option<usize>> = vec![None; proof.nodes.len()];
    let mut cross: Vec<(usize, usize)> = Vec::new();
    let mut top: Vec<usize> = Vec::new();
    let mut stack: Vec<(Item, Option<usize>)> = roots.iter().rev().map(|&r| (Item::Node(r), None)).collect();
    while let Some((item, parent)) = stack.pop() {
        let mut kids: Vec<Item> = Vec::new();
        let mut drawn_node = None;
        let mut boxed = match item {
            Item::Node(node) | Item::Premise(Premise::Fact { node }) => {
                if let Some(seen) = box_of_node[node] {
                    if let Some(p) = parent {
                        cross.push((p, seen));
                    }
                    continue;
                }
                drawn_node = Some(node);
                let n = &proof.nodes[node];
                let fact = n.fact.text.clone();
                let attr = format!("data-node=\"{node}\"");
                match &n.how {
                    How::Base { location, cites, .. } => {
                        let mut lines = vec![cut(&fact), cut(&format!("fact ({location})"))];
                        let mut title = format!("{fact}\nfact ({location})");
                        for c in cites {
                            let line = format!("{}: “{}”", c.source, c.quote);
                            lines.push(cut(&line));
                            title.push('\n');
                            title.push_str(&line);
                        }
                        Boxed { lines, title, class: "node base", fill: "#e8f4e8", dashed: false, bold: false, attr }
                    }
                    How::Derived { rule, premises } => {
                        kids.extend(premises.iter().cloned().map(Item::Premise));
                        let label = rule.label.as_ref().map(|l| format!("[{l}] ")).unwrap_or_default();
                        let how = format!("⟸ {label}{} ({})", rule.name, rule.location);
                        let title = match &rule.doc {
                            Some(d) => format!("{fact}\n{how}\n“{d}”"),
                            None => format!("{fact}\n{how}"),
                        };
                        Boxed {
                            lines: vec![cut(&fact), cut(&how)],
                            title,
                            class: "node derived",
                            fill: "#ffffff",
                            dashed: false,
                            bold: false,
                            attr,
                        }
                    }
                    How::Folded => Boxed {
                        lines: vec![cut(&fact), "… folded".to_string()],
                        title: format!("{fact}\nfolded: ask `why {fact}`"),
                        class: "node folded",
                        fill: "#f8f9fa",
                        dashed: true,
                        bold: false,
                        attr,
                    },
                }
            }
            Item::Premise(Premise::Absent { atom }) => {
                let text = format!("not {atom}  ✓ nothing derives it");
                Boxed {
                    lines: vec![cut(&text)],
                    title: text,
                    class: "premise absent",
                    fill: "#f1f3f5",
                    dashed: false,
                    bold: false,
                    attr: "data-premise=\"absent\"".into(),
                }
            }
            Item::Premise(Premise::Test { text }) => {
                let text = format!("{text}  ✓");
                Boxed {
                    lines: vec![cut(&text)],
                    title: text,
                    class: "premise test",
                    fill: "#f1f3f5",
                    dashed: false,
                    bold: false,
                    attr: "data-premise=\"test\"".into(),
                }
            }
            Item::Premise(Premise::Aggregate { text, facts, total, .. }) => {
                kids.extend(facts.iter().map(|&f| Item::Node(f)));
                if total > facts.len() {
                    kids.push(Item::More(total - facts.len()));
                }
                Boxed {
                    lines: vec![cut(&text)],
                    title: text,
                    class: "premise aggregate",
                    fill: "#fff9db",
                    dashed: false,
                    bold: false,
                    attr: "data-premise=\"aggregate\"".into(),
                }
            }
            Item::More(n) => {
                let text = format!("… and {n} more");
                Boxed {
                    lines: vec![text.clone()],
                    title: text,
                    class: "premise more",
                    fill: "#ffffff",
                    dashed: true,
                    bold: false,
                    attr: "data-premise=\"more\"".into(),
                }
            }
        };
        // The conclusions stand out.
        boxed.bold |= parent.is_none();
        let id = boxes.len();
        if let Some(node) = drawn_node {
            box_of_node[node] = Some(id);
        }
        boxes.push(boxed);
        children.push(Vec::new());
        match parent {
            Some(p) => children[p].push(id),
            None => top.push(id),
        }
        stack.extend(kids.into_iter().rev().map(|k| (k, Some(id))));
    }
    // 2. Layout.
    let sizes: Vec<(f64, f64)> = boxes.iter().map(|b| box_size(&b.lines)).collect();
    let rects: Vec<Rect> = tidy_forest(&top, &children, &sizes, 48.0, 10.0)
        .into_iter()
        .map(|r| shift(r.unwrap_or(Rect { x: 0.0, y: 0.0, w: 0.0, h: 0.0 })))
        .collect();
    let (w, h) = extent(rects.iter());
    // 3. Drawing: a legend below, links first, boxes on top.
    const LEGEND: [(&str, &str); 5] = [
        ("#e8f4e8", "stated fact"),
        ("#ffffff", "derived by a rule"),
        ("#f1f3f5", "test or negation"),
        ("#fff9db", "aggregate"),
        ("#f8f9fa", "folded (dashed)"),
    ];
    let legend_h = if boxes.is_empty() { 0.0 } else { 2.0 * LINE_H };
    let mut out = String::new();
    svg_open(&mut out, "proof", (w + MARGIN).max(legend_width(&LEGEND) + MARGIN), h + MARGIN + legend_h);
    if legend_h > 0.0 {
        write_legend(&mut out, h + MARGIN + LINE_H, &LEGEND);
    }
    out.push_str("<g class=\"links\" fill=\"none\" stroke=\"#868e96\">\n");
    for (p, kids) in children.iter().enumerate() {
        for &c in kids {
            link(&mut out, rects[p], rects[c], "tree", false);
        }
    }
    for &(p, c) in &cross {
        link(&mut out, rects[p], rects[c], "shared", true);
    }
    out.push_str("</g>\n");
    for (b, r) in boxes.iter().zip(&rects) {
        write_box(&mut out, b, *r);
    }
    out.push_str("</svg>\n");
    out
}

/// A curve from the right side of `from` to the left side of `to`.
fn link(out: &mut String, from: Rect, to: Rect, class: &str, dashed: bool) {
    let (x1, y1) = (from.x + from.w, from.y + from.h / 2.0);
    let (x2, y2) = (to.x, to.y + to.h / 2.0);
    let mid = (x1 + x2) / 2.0;
    // A shared fact's other uses are quieter than the tree's own links.
    let dash = if dashed { " stroke-dasharray=\"4 3\" stroke-opacity=\"0.55\"" } else { "" };
    let _ = writeln!(
        out,
        "<path class=\"{class}\" d=\"M{x1:.1},{y1:.1} C{mid:.1},{y1:.1} {mid:.1},{y2:.1} {x2:.1},{y2:.1}\"{dash}/>"
    );
}

// ---------------------------------------------------------------- entity graphs

impl EntityGraph {
    /// The whole graph as SVG (nodes left without edges by a filter are left out).
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// use because::graph::{EntityGraph, PathFilter};
    ///
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("g.kb", "actor us \"United States\".\nmember(nato, us).\nmember(nato, uk).\n", None)?;
    /// let g = EntityGraph::build(kb.program(), kb.database(), kb.interner(), kb.sources(), false);
    /// let svg = g.to_svg(&PathFilter::default());
    /// assert_eq!(svg.matches("data-entity=").count(), 3);
    /// assert_eq!(svg.matches("class=\"link").count(), 2);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn to_svg(&self, filter: &PathFilter) -> String {
        let edges: Vec<EdgeIndex> = self.graph.edge_indices().collect();
        self.draw(&self.shown_nodes(filter), &edges, &[], true)
    }

    /// A neighbourhood as SVG, its centre first (leftmost) and emphasised.
    pub fn neighbourhood_svg(&self, hood: &Neighbourhood) -> String {
        let nodes: Vec<NodeIndex> = hood.nodes.iter().map(|&(n, _)| n).collect();
        self.draw(&nodes, &hood.edges, &[hood.center], true)
    }

    /// A path as SVG, from its start on the left; `path` is `None` when none exists.
    pub fn path_svg(&self, from: NodeIndex, to: NodeIndex, path: Option<&Path>) -> String {
        let steps = path.map_or(&[][..], |p| &p.steps[..]);
        let edges: Vec<EdgeIndex> = steps.iter().map(|s| s.edge).collect();
        self.draw(&crate::graph::export::path_nodes(from, to, steps), &edges, &[from, to], true)
    }

    /// SVG of some nodes and the edges among them; `emphasis` nodes get a thick border and
    /// lead the layout. Edges go from the fact's earlier argument to its later one; parallel
    /// edges (several facts linking one pair) are fanned out.
    /// No legend is drawn (the evidence page has its own); the views above draw one.
    pub fn svg(&self, nodes: &[NodeIndex], edges: &[EdgeIndex], emphasis: &[NodeIndex]) -> String {
        self.draw(nodes, edges, emphasis, false)
    }

    fn draw(&self, nodes: &[NodeIndex], edges: &[EdgeIndex], emphasis: &[NodeIndex], legend: bool) -> String {
        // 1. Boxes, numbered in the order given.
        let mut index = rustc_hash::FxHashMap::default();
        let mut boxes = Vec::new();
        for (i, &n) in nodes.iter().enumerate() {
            index.insert(n, i);
            let node = &self.graph[n];
            let (_, fill) = kind_style(&node.kind);
            let mut lines = vec![cut(&node.name)];
            if let Some(l) = &node.label {
                lines.push(cut(l));
            }
            let title = match &node.label {
                Some(l) => format!("{} ({}): {l}", node.name, node.kind),
                None => format!("{} ({})", node.name, node.kind),
            };
            boxes.push(Boxed {
                lines,
                title,
                class: "entity",
                fill,
                dashed: false,
                bold: emphasis.contains(&n),
                attr: format!(
                    "data-entity=\"{}\" data-kind=\"{}\" tabindex=\"0\"",
                    escape(&node.name),
                    escape(&node.kind)
                ),
            });
        }
        let pairs: Vec<(usize, usize, EdgeIndex)> = edges
            .iter()
            .filter_map(|&e| {
                let (a, b) = self.graph.edge_endpoints(e)?;
                Some((*index.get(&a)?, *index.get(&b)?, e))
            })
            .collect();
        // 2. Layout: emphasised nodes start their components.
        let sizes: Vec<(f64, f64)> = boxes.iter().map(|b| box_size(&b.lines)).collect();
        let prefer: Vec<usize> = emphasis.iter().filter_map(|n| index.get(n).copied()).collect();
        let plain: Vec<(usize, usize)> = pairs.iter().map(|&(a, b, _)| (a, b)).collect();
        let rects: Vec<Rect> = layered(&sizes, &plain, &prefer, 150.0, 14.0).into_iter().map(shift).collect();
        let (w, h) = extent(rects.iter());
        // The legend: one swatch (a circle, so that only entities are boxes) per kind shown.
        let mut kinds: Vec<&str> = nodes.iter().map(|&n| &*self.graph[n].kind).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let items: Vec<(&str, &str)> = kinds.iter().map(|k| (kind_style(k).1, *k)).collect();
        let legend_h = if legend && !kinds.is_empty() { 2.0 * LINE_H } else { 0.0 };
        let legend_w = legend_width(&items);
        // 3. Drawing: edges (with their labels) under the boxes.
        let mut out = String::new();
        svg_open(&mut out, "entities", (w + MARGIN + 40.0).max(legend_w + MARGIN), h + MARGIN + legend_h);
        if legend_h > 0.0 {
            write_legend(&mut out, h + MARGIN + LINE_H, &items);
        }
        out.push_str(
            "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" \
             markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#868e96\"/></marker></defs>\n",
        );
        let mut parallel: rustc_hash::FxHashMap<(usize, usize), usize> = rustc_hash::FxHashMap::default();
        for &(a, b, e) in &pairs {
            let key = (a.min(b), a.max(b));
            let k = *parallel.entry(key).and_modify(|k| *k += 1).or_insert(0);
            self.edge_svg(&mut out, e, rects[a], rects[b], k);
        }
        for (b, r) in boxes.iter().zip(&rects) {
            write_box(&mut out, b, *r);
        }
        out.push_str("</svg>\n");
        out
    }

    /// One edge: a curve between two boxes, its predicate at the middle, and a `<title>` with
    /// the fact and its citations. `k` fans out the k-th edge between the same pair.
    fn edge_svg(&self, out: &mut String, e: EdgeIndex, a: Rect, b: Rect, k: usize) {
        let fact = &self.facts[self.graph[e].fact];
        let mut title = fact.text();
        match &fact.origin {
            Origin::Stated { at, cites } => {
                let _ = write!(title, "  ({at})");
                for c in cites {
                    let _ = write!(title, "\n{}: “{}”", c.source, c.quote);
                }
            }
            Origin::Loaded { file, line } => {
                let _ = write!(title, "  ({file}:{line})");
            }
            Origin::Derived => title.push_str("\nderived by a rule"),
        }
        let fan = k.div_ceil(2) as f64 * 24.0 * if k % 2 == 0 { 1.0 } else { -1.0 };
        let (ca, cb) = ((a.x + a.w / 2.0, a.y + a.h / 2.0), (b.x + b.w / 2.0, b.y + b.h / 2.0));
        // Same column: an arc out to the right; else from the facing sides.
        let (p1, p2, c1, c2) = if (ca.0 - cb.0).abs() < 1.0 {
            let x = a.x.max(b.x) + a.w.max(b.w) + 30.0 + k as f64 * 36.0;
            let p1 = (a.x + a.w, ca.1);
            let p2 = (b.x + b.w, cb.1);
            (p1, p2, (x, p1.1), (x, p2.1))
        } else {
            let (p1, p2) =
                if ca.0 < cb.0 { ((a.x + a.w, ca.1), (b.x, cb.1)) } else { ((a.x, ca.1), (b.x + b.w, cb.1)) };
            let mid = (p1.0 + p2.0) / 2.0;
            (p1, p2, (mid, p1.1 + fan), (mid, p2.1 + fan))
        };
        // The label sits at the curve's middle (t = 1/2 of the cubic).
        let lx = (p1.0 + 3.0 * c1.0 + 3.0 * c2.0 + p2.0) / 8.0;
        let ly = (p1.1 + 3.0 * c1.1 + 3.0 * c2.1 + p2.1) / 8.0;
        let class = if fact.is_derived() { "link derived" } else { "link" };
        let dash = if fact.is_derived() { " stroke-dasharray=\"5 3\"" } else { "" };
        let _ = writeln!(
            out,
            "<g class=\"{class}\" data-pred=\"{}\" tabindex=\"0\"><title>{}</title>\
             <path d=\"M{:.1},{:.1} C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\" fill=\"none\" stroke=\"#868e96\"{dash} \
             marker-end=\"url(#arrow)\"/><text x=\"{lx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\" \
             fill=\"#495057\">{}</text></g>",
            escape(&fact.pred),
            escape(&title),
            p1.0,
            p1.1,
            c1.0,
            c1.1,
            c2.0,
            c2.1,
            p2.0,
            p2.1,
            ly - 3.0,
            escape(&self.edge_label(e))
        );
    }
}
