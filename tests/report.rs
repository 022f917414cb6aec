//! The evidence page in a real browser, and the SVG pictures' geometry.
//!
//! `page` opens pages made by `because report` in headless Chromium (Debian's `chromium`
//! package; `.ci/run` installs it): `--dump-dom` of the page opened with `#selftest` gives the
//! page's own report (root, leaves, the sentence a clicked quote highlighted, script errors),
//! Chromium's log on stderr shows any console message, and a screenshot is written under
//! `target/tmp/report/` for people to look at (never compared). Without Chromium the tests
//! fail and say how to install it. `svg` checks that every picture is well-formed XML, that
//! each node of the proof or graph is drawn once, and that no two boxes overlap.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use because::explain::How;
use because::kb::KnowledgeBase;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Where pages and screenshots are kept: `target/tmp/report/`.
fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report");
    std::fs::create_dir_all(&dir).expect("the artifact folder can be made");
    dir
}

/// Runs the binary from the repository root and returns stdout (it must exit with 0).
fn because(args: &[&str]) -> String {
    let out =
        Command::new(env!("CARGO_BIN_EXE_because")).args(args).current_dir(root()).output().expect("the binary runs");
    assert!(out.status.success(), "because {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

mod page {
    use super::*;

    /// Chromium: `$BECAUSE_CHROMIUM`, else Debian's `/usr/bin/chromium`, else `chromium` on the
    /// PATH. Absent, the test fails with how to install it: a browser test that silently passes
    /// without a browser tests nothing.
    fn chromium() -> PathBuf {
        let candidates = std::env::var_os("BECAUSE_CHROMIUM")
            .map(PathBuf::from)
            .into_iter()
            .chain([PathBuf::from("/usr/bin/chromium")])
            .chain(
                std::env::var_os("PATH")
                    .into_iter()
                    .flat_map(|p| std::env::split_paths(&p).map(|d| d.join("chromium")).collect::<Vec<_>>()),
            );
        for c in candidates {
            if c.is_file() {
                return c;
            }
        }
        panic!(
            "the browser tests need Chromium: install it with `apt-get install -y chromium` \
             (Debian's package, as .ci/run does), or set BECAUSE_CHROMIUM to its path"
        );
    }

    /// Runs headless Chromium with a fresh profile on `url` plus `args`; returns stdout and
    /// stderr (Chromium's log, where console messages appear as `CONSOLE` lines).
    fn run_chromium(url: &str, args: &[&str]) -> (String, String) {
        let profile = tempfile::tempdir().expect("a temporary profile folder");
        let out = Command::new(chromium())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--enable-logging=stderr",
                "--v=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(args)
            .arg(url)
            .output()
            .expect("Chromium starts");
        (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
    }

    fn file_url(path: &Path) -> String {
        format!("file://{}", path.canonicalize().expect("the page exists").display())
    }

    /// What the page's `#selftest` hook reported, and Chromium's log.
    fn self_test(page: &Path) -> (serde_json::Value, String) {
        let url = format!("{}#selftest", file_url(page));
        let (dom, log) = run_chromium(&url, &["--virtual-time-budget=5000", "--window-size=1200,900", "--dump-dom"]);
        let start =
            dom.find("<pre id=\"selftest\">").unwrap_or_else(|| panic!("the self-test did not run; log:\n{log}"));
        let json = &dom[start + "<pre id=\"selftest\">".len()..];
        let json = &json[..json.find("</pre>").expect("the self-test report ends")];
        let json = json.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
        (serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}")), log)
    }

    /// Console messages and uncaught errors in Chromium's log.
    fn console_lines(log: &str) -> Vec<&str> {
        log.lines().filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught")).collect()
    }

    fn screenshot(page: &Path, name: &str) -> PathBuf {
        let shot = artifacts().join(name);
        let _ = std::fs::remove_file(&shot);
        let (_, log) = run_chromium(
            &file_url(page),
            &["--window-size=1200,1600", "--hide-scrollbars", &format!("--screenshot={}", shot.display())],
        );
        let bytes = std::fs::read(&shot).unwrap_or_else(|_| panic!("no screenshot at {}; log:\n{log}", shot.display()));
        assert!(bytes.starts_with(b"\x89PNG"), "{} is not a PNG", shot.display());
        shot
    }

    /// Prints the page to PDF, as a reader would (print styles, every fold open).
    fn print_pdf(page: &Path, name: &str) -> PathBuf {
        let pdf = artifacts().join(name);
        let _ = std::fs::remove_file(&pdf);
        let (_, log) =
            run_chromium(&file_url(page), &["--no-pdf-header-footer", &format!("--print-to-pdf={}", pdf.display())]);
        let bytes = std::fs::read(&pdf).unwrap_or_else(|_| panic!("no PDF at {}; log:\n{log}", pdf.display()));
        assert!(bytes.starts_with(b"%PDF"), "{} is not a PDF", pdf.display());
        pdf
    }

    /// The stated facts of a proof, as the library explains it.
    fn leaves(files: &[&str], query: &str) -> (String, BTreeSet<String>) {
        let mut kb = KnowledgeBase::default();
        match files {
            [] => kb.load_file(Path::new(because::kb::ALLIANCE_ENTRY)).map(|_| ()),
            _ => kb
                .load_files(
                    &files
                        .iter()
                        .map(|f| root().join(f))
                        .collect::<Vec<_>>()
                        .iter()
                        .map(PathBuf::as_path)
                        .collect::<Vec<_>>(),
                )
                .map(|_| ()),
        }
        .expect("the knowledge base loads");
        let e = kb.why(query).expect("the query is explained");
        let root = e.proof.nodes[e.proof.roots[0][0]].fact.text.clone();
        let leaves =
            e.proof.nodes.iter().filter(|n| matches!(n.how, How::Base { .. })).map(|n| n.fact.text.clone()).collect();
        (root, leaves)
    }

    #[test]
    fn a_quote_shows_its_sentence_in_the_document() {
        let page = artifacts().join("harbour.html");
        because(&["report", "-f", "tests/data/report/harbour.kb", "used(bridge)", "-o", page.to_str().unwrap()]);
        let (report, log) = self_test(&page);
        assert_eq!(console_lines(&log), Vec::<&str>::new(), "console messages");
        assert_eq!(report["errors"], serde_json::json!([]), "script errors");
        assert_eq!(
            (&report["duplicateIds"], &report["danglingLinks"]),
            (&serde_json::json!([]), &serde_json::json!([]))
        );
        let (root, leaves) = leaves(&["tests/data/report/harbour.kb"], "used(bridge)");
        assert_eq!(report["root"], root.as_str());
        let shown: BTreeSet<String> =
            report["leaves"].as_array().unwrap().iter().map(|l| l.as_str().unwrap().to_string()).collect();
        assert_eq!(shown, leaves, "every stated fact of the proof is in the page");
        // The first quote with a document is the rule's: it is marked in its sentence, which
        // is in view and focused.
        assert_eq!(report["quote"], "The bridge still stands");
        assert_eq!(report["marked"], "The bridge still stands");
        assert_eq!(report["highlighted"], "The bridge still stands, and the old ferry closed in 1992.");
        assert_eq!((report["visible"].as_bool(), report["focused"].as_bool()), (Some(true), Some(true)));
        // `built(...)` is used twice: its second use links to the first, which opens.
        assert_eq!(report["refTarget"], "built(council, bridge) @ 1990");
        assert_eq!(report["refVisible"], true);
        // Searching for the first leaf's predicate leaves its rows; clearing brings back all.
        assert_eq!(report["searchWord"], "built");
        assert_eq!(report["searchRows"], serde_json::json!(["built(council, bridge) @ 1990"]));
        assert_eq!(report["rowsAfterClear"].as_u64(), Some(leaves.len() as u64));
        // Hovering a link of the entity picture shows its fact and quote.
        let info = report["linkInfo"].as_str().unwrap_or_default();
        assert_eq!(info, report["linkTitle"].as_str().unwrap_or("no title"));
        assert!(info.contains("notes: “"), "{info}");
        // Everything is reachable with Tab: the folds, and every quote (five in the tree, the
        // four of stated facts again in the table).
        let focusable = &report["focusable"];
        assert!(
            focusable["summaries"].as_u64() > Some(0) && focusable["quoteLinks"].as_u64() == Some(9),
            "{focusable}"
        );
        assert!(focusable["graphItems"].as_u64() > Some(3), "{focusable}");
        screenshot(&page, "harbour.png");
        print_pdf(&page, "harbour.pdf");
    }

    #[test]
    fn the_headline_page_loads_cleanly_and_is_small() {
        let page = artifacts().join("headline.html");
        because(&["report", "why endured(rok_us_alliance, post_cold_war)", "-o", page.to_str().unwrap()]);
        let size = std::fs::metadata(&page).unwrap().len();
        assert!(size < 300 * 1024, "the headline page has {size} bytes");
        let (report, log) = self_test(&page);
        assert_eq!(console_lines(&log), Vec::<&str>::new(), "console messages");
        assert_eq!(report["errors"], serde_json::json!([]), "script errors");
        assert_eq!(
            (&report["duplicateIds"], &report["danglingLinks"]),
            (&serde_json::json!([]), &serde_json::json!([]))
        );
        let (root, leaves) = leaves(&[], "endured(rok_us_alliance, post_cold_war)");
        assert_eq!(report["root"], root.as_str());
        let shown: BTreeSet<String> =
            report["leaves"].as_array().unwrap().iter().map(|l| l.as_str().unwrap().to_string()).collect();
        assert_eq!(shown, leaves);
        // The essay is not shipped, so quotes are words without a document to point into.
        assert!(report["quotes"].as_u64().unwrap() > 20, "{report}");
        assert_eq!(report["highlighted"], serde_json::Value::Null);
        // Two levels are open (the default); deeper sub-proofs are folded until expanded.
        assert!(report["folded"].as_u64() > Some(0), "{report}");
        assert_eq!(report["foldedAfterExpand"].as_u64(), Some(0));
        screenshot(&page, "headline.png");
    }

    #[test]
    fn why_not_and_several_answers_load_cleanly() {
        for (name, query, root) in [
            (
                "why-not.html",
                "why not unsustained(rok_us_alliance, post_cold_war)",
                "sustained(rok_us_alliance, domestic_politics, post_cold_war)",
            ),
            ("answers.html", "why endured(rok_us_alliance, P)", "endured(rok_us_alliance, cold_war)"),
        ] {
            let page = artifacts().join(name);
            because(&["report", query, "-o", page.to_str().unwrap()]);
            let (report, log) = self_test(&page);
            assert_eq!(console_lines(&log), Vec::<&str>::new(), "{name}: console messages");
            assert_eq!(report["errors"], serde_json::json!([]), "{name}: script errors");
            assert_eq!(report["root"], root, "{name}");
            assert_eq!(
                (&report["duplicateIds"], &report["danglingLinks"]),
                (&serde_json::json!([]), &serde_json::json!([]))
            );
        }
    }

    #[test]
    fn the_page_fetches_nothing() {
        let page = because(&["query", "--format", "html", "why endured(rok_us_alliance, post_cold_war)"]);
        for needle in ["<script src", "<link", "@import", "url(http", "src=\"http", "href=\"http"] {
            assert!(!page.contains(needle), "the page refers to something outside it: {needle}");
        }
    }
}

mod svg {
    use super::*;

    /// Every box of a picture: the `<g>` elements with `attr`, and their `<rect>`.
    fn boxes(svg: &str, attr: &str) -> (Vec<String>, Vec<because::svg::Rect>) {
        let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed XML: {e}"));
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        let mut ids = Vec::new();
        let mut rects = Vec::new();
        for g in doc.descendants().filter(|n| n.has_tag_name("g")) {
            let Some(rect) = g.children().find(|c| c.has_tag_name("rect")) else { continue };
            let num =
                |name: &str| rect.attribute(name).and_then(|v| v.parse::<f64>().ok()).expect("a numeric attribute");
            rects.push(because::svg::Rect { x: num("x"), y: num("y"), w: num("width"), h: num("height") });
            if let Some(id) = g.attribute(attr) {
                ids.push(id.to_string());
            }
        }
        (ids, rects)
    }

    fn no_overlap(rects: &[because::svg::Rect]) {
        for (i, a) in rects.iter().enumerate() {
            for b in &rects[i + 1..] {
                assert!(!a.overlaps(b), "{a:?} overlaps {b:?}");
            }
        }
    }

    fn proof_case(args: &[&str]) {
        let mut svg_args = args.to_vec();
        svg_args.extend(["--format", "svg"]);
        let mut json_args = args.to_vec();
        json_args.extend(["--format", "json"]);
        let (ids, rects) = boxes(&because(&svg_args), "data-node");
        let doc: serde_json::Value = serde_json::from_str(&because(&json_args)).unwrap();
        let expected: Vec<String> = (0..doc["nodes"].as_array().unwrap().len()).map(|i| i.to_string()).collect();
        let mut drawn = ids.clone();
        drawn.sort_by_key(|id| id.parse::<usize>().unwrap());
        assert_eq!(drawn, expected, "each proof node drawn exactly once");
        no_overlap(&rects);
    }

    #[test]
    fn proofs_draw_every_node_once_without_overlaps() {
        proof_case(&["query", "why endured(rok_us_alliance, post_cold_war)"]);
        proof_case(&["query", "why endured(rok_us_alliance, post_cold_war)", "--depth", "1"]);
        proof_case(&["query", "why formation_factor(rok_us_alliance, F)"]);
        proof_case(&["query", "-f", "tests/data/report/harbour.kb", "why used(bridge)"]);
        proof_case(&["query", "why not unsustained(rok_us_alliance, post_cold_war)"]);
    }

    fn graph_case(args: &[&str]) {
        let mut svg_args = args.to_vec();
        svg_args.extend(["--format", "svg"]);
        let mut json_args = args.to_vec();
        json_args.extend(["--format", "json"]);
        let (mut ids, rects) = boxes(&because(&svg_args), "data-entity");
        let doc: serde_json::Value = serde_json::from_str(&because(&json_args)).unwrap();
        let mut expected: Vec<String> =
            doc["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap().to_string()).collect();
        if expected.is_empty() {
            // A path view names its ends and steps rather than listing nodes.
            expected = doc["steps"].as_array().unwrap().iter().map(|s| s["to"].as_str().unwrap().to_string()).collect();
            expected.push(doc["from"].as_str().unwrap().to_string());
        }
        ids.sort();
        expected.sort();
        assert_eq!(ids, expected, "each entity drawn exactly once");
        no_overlap(&rects);
    }

    #[test]
    fn graph_views_draw_every_entity_once_without_overlaps() {
        graph_case(&["graph"]);
        graph_case(&["graph", "--base-only"]);
        graph_case(&["graph", "--around", "dprk", "--depth", "2"]);
        graph_case(&["graph", "--path", "china", "rok_us_alliance"]);
        graph_case(&["graph", "-f", "tests/data/report/harbour.kb"]);
    }
}
