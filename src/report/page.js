// The evidence page's script (src/report.rs): folding, quotes shown in their documents, the
// search box, the graph's link details, printing, and the #selftest hook. It never logs.
"use strict";
(function () {
  var all = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };
  var byId = function (id) { return document.getElementById(id); };

  function openAncestors(el) {
    for (var p = el.parentElement; p; p = p.parentElement) {
      if (p.tagName === "DETAILS") p.open = true;
    }
  }

  // Quotes: the sentences a quote spans are highlighted, the words themselves marked.
  function clearHighlight() {
    all(".s.hl").forEach(function (s) {
      s.classList.remove("hl");
      if (s.querySelector("mark")) s.textContent = s.textContent;
    });
  }
  function mark(sentence, words) {
    var text = sentence.textContent, at = text.indexOf(words);
    if (at < 0) return;
    var m = document.createElement("mark");
    m.textContent = words;
    sentence.textContent = "";
    sentence.append(text.slice(0, at), m, text.slice(at + words.length));
  }
  function showQuote(a) {
    var doc = a.getAttribute("data-doc"), from = +a.getAttribute("data-from"), to = +a.getAttribute("data-to");
    var first = byId(doc + "-s" + from);
    if (!first) return false;
    clearHighlight();
    for (var i = from; i <= to; i++) {
      var s = byId(doc + "-s" + i);
      if (s) s.classList.add("hl");
    }
    if (from === to) mark(first, a.getAttribute("data-quote"));
    first.scrollIntoView({ block: "center" });
    first.focus({ preventScroll: true });
    return true;
  }

  document.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("a") : null;
    if (!a) return;
    if (a.classList.contains("quote") && showQuote(a)) {
      e.preventDefault();
      return;
    }
    var href = a.getAttribute("href") || "";
    if (href.charAt(0) === "#") {
      var target = byId(href.slice(1));
      if (target) openAncestors(target);
    }
  });

  // Expand and fold the whole tree.
  var expand = byId("expand-all"), collapse = byId("collapse-all");
  if (expand) expand.addEventListener("click", function () { all("#proof details").forEach(function (d) { d.open = true; }); });
  if (collapse) collapse.addEventListener("click", function () { all("#proof details").forEach(function (d) { d.open = false; }); });

  // Search: filter the facts table, mark matching facts in the tree and open their way.
  var search = byId("search"), count = byId("search-count"), none = byId("no-match");
  function filter() {
    var q = search.value.trim().toLowerCase(), shown = 0, rows = all("#facts-table tbody tr");
    rows.forEach(function (tr) {
      var hit = !q || tr.textContent.toLowerCase().indexOf(q) >= 0;
      tr.hidden = !hit;
      tr.classList.toggle("hit", !!q && hit);
      if (hit) shown++;
    });
    all("#proof li.base, #proof li.derived").forEach(function (li) {
      var own = li.querySelector(".fact"), cites = li.querySelector("ul.cites");
      var text = (own ? own.textContent : "") + " " + (li.classList.contains("base") && cites ? cites.textContent : "");
      var hit = !!q && text.toLowerCase().indexOf(q) >= 0;
      li.classList.toggle("hit", hit);
      if (hit) openAncestors(li);
    });
    if (none) none.hidden = !q || shown > 0;
    count.textContent = q ? shown + " of " + rows.length + " facts" : "";
  }
  if (search) {
    search.addEventListener("input", filter);
    search.addEventListener("keydown", function (e) { if (e.key === "Escape") { search.value = ""; filter(); } });
  }

  // The graph: a link's or an entity's details, on hover and on keyboard focus.
  var info = byId("edge-info");
  function describe(e) {
    var g = e.target.closest ? e.target.closest("g.link, g.entity") : null;
    if (!g || !info) return;
    var title = g.querySelector("title");
    info.textContent = title ? title.textContent : "";
  }
  document.addEventListener("mouseover", describe);
  document.addEventListener("focusin", describe);

  // Printing shows every sub-proof.
  window.addEventListener("beforeprint", function () { all("details").forEach(function (d) { d.open = true; }); });

  // A shared fact's link opened from the address bar (#n12) shows it.
  function fromHash() {
    var target = location.hash.length > 1 ? byId(location.hash.slice(1)) : null;
    if (target) openAncestors(target);
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();

  // The browser tests' hook: #selftest clicks the first quote that has a document and reports,
  // once the page has loaded (with how long loading took, for docs/PERFORMANCE.md).
  function selfTest() {
    var result = { errors: window.becauseErrors || [] };
    var nav = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    if (nav) result.timing = { domContentLoaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd };
    var root = document.querySelector("#proof ul.tree > li .fact");
    result.root = root ? root.textContent : null;
    result.leaves = all("#proof li.base > .fact").map(function (f) { return f.textContent; });
    result.quotes = all(".quote").length;
    var q = document.querySelector("a.quote[data-doc]");
    if (q) {
      q.click();
      var hl = document.querySelector(".s.hl"), m = document.querySelector(".s.hl mark");
      result.quote = q.getAttribute("data-quote");
      result.highlighted = hl ? hl.textContent : null;
      result.marked = m ? m.textContent : null;
      result.focused = document.activeElement === hl;
      if (hl) {
        var r = hl.getBoundingClientRect();
        result.visible = r.bottom > 0 && r.top < window.innerHeight && r.width > 0;
      }
    }
    // Shared sub-proofs: following a "shown above" link opens the folds above its target.
    var ref = document.querySelector("#proof a.ref");
    if (ref) {
      all("#proof details").forEach(function (d) { d.open = false; });
      ref.click();
      var target = byId(ref.getAttribute("href").slice(1));
      result.refTarget = target ? target.querySelector(".fact").textContent : null;
      result.refVisible = target ? target.getClientRects().length > 0 : false;
    }
    // Folding: what --depth leaves closed, and the expand-all button.
    result.folded = all("#proof details:not([open])").length;
    if (expand) {
      expand.click();
      result.foldedAfterExpand = all("#proof details:not([open])").length;
    }
    // Search: the rows left by a word, then all again.
    if (search) {
      var word = result.leaves.length ? result.leaves[0].split("(")[0] : "";
      search.value = word;
      search.dispatchEvent(new Event("input"));
      result.searchWord = word;
      result.searchRows = all("#facts-table tbody tr").filter(function (tr) { return !tr.hidden; }).map(function (tr) {
        return tr.querySelector("td").textContent;
      });
      search.value = "";
      search.dispatchEvent(new Event("input"));
      result.rowsAfterClear = all("#facts-table tbody tr").filter(function (tr) { return !tr.hidden; }).length;
    }
    // The graph: hovering a link shows its fact and quotes.
    var link = document.querySelector("svg g.link");
    if (link) {
      link.dispatchEvent(new MouseEvent("mouseover", { bubbles: true }));
      result.linkInfo = info ? info.textContent : null;
      result.linkTitle = link.querySelector("title").textContent;
    }
    // Structure: every in-page link has a target, and no id is used twice.
    var seenIds = {};
    result.duplicateIds = all("[id]").map(function (el) { return el.id; }).filter(function (id) {
      var dup = seenIds[id];
      seenIds[id] = true;
      return dup;
    });
    result.danglingLinks = all("a[href^='#']").map(function (a) { return a.getAttribute("href").slice(1); }).filter(function (id) {
      return id && !byId(id);
    });
    // Keyboard: what the Tab key reaches.
    result.focusable = {
      summaries: all("#proof summary").length,
      quoteLinks: all("a.quote").length,
      graphItems: all("svg g[tabindex='0']").length
    };
    var pre = document.createElement("pre");
    pre.id = "selftest";
    pre.textContent = JSON.stringify(result);
    document.body.append(pre);
  }
  if (location.hash === "#selftest") {
    window.addEventListener("load", function () { setTimeout(selfTest, 0); });
  }
})();
