/* epaper default theme: small progressive enhancements. Every page works without this
   file; with it, the copy-link and share buttons and the search page come alive (the
   calendar date picker is calendar.js). No framework, no outside requests. */
(function () {
  "use strict";

  function each(selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), fn);
  }

  function say(node, text) {
    if (node) node.textContent = text;
  }

  /* ---------------------------------------------------------------- share */

  function copyLinks() {
    each("button.copy-link", function (button) {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field) return;
      var status = button.closest(".share") && button.closest(".share").querySelector(".copy-status");
      button.hidden = false;
      button.addEventListener("click", function () {
        var done = function () { say(status, button.getAttribute("data-done")); };
        var fallback = function () {
          field.focus();
          field.select();  /* the reader can copy the selected URL by hand */
          try { if (document.execCommand("copy")) done(); } catch (e) { /* selected is enough */ }
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(done, fallback);
        } else {
          fallback();
        }
      });
    });
    if (navigator.share) {
      each("button.native-share", function (button) {
        button.hidden = false;
        button.addEventListener("click", function () {
          var field = document.getElementById("share-url");
          navigator.share({ title: button.getAttribute("data-title"), url: field ? field.value : location.href })
            .catch(function () { /* the reader closed the sheet */ });
        });
      });
    }
  }

  /* --------------------------------------------------------------- search */

  /* Pagefind's excerpt is text with <mark> around the matches: keep exactly that. */
  function excerpt(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html;  /* inert: nothing in a template runs or loads */
    var out = document.createDocumentFragment();
    Array.prototype.forEach.call(holder.content.childNodes, function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }

  var WORKER_PAGES = 20000;  /* pages of an index past which Pagefind searches in its worker */

  function searchPage() {
    var form = document.querySelector("form.search-form");
    if (!form) return;
    var input = form.querySelector("input[name=q]");
    var status = document.querySelector(".search-status");
    var list = document.querySelector(".search-results");
    var more = document.querySelector(".search-more");
    var selects = form.querySelectorAll("select[data-filter]");
    var sort = form.querySelector("select[name=sort]");
    var base = form.getAttribute("data-base");
    var params = new URLSearchParams(location.search);
    var pagefind = null;
    var hidden = {};  /* Pagefind page ids of stale copies in sealed shards */
    var sizes = {};  /* shard name ("" the fresh one) -> its pages, for the archive-wide ranking */
    var sealed = [];  /* the sealed shards' names, newest first */
    var steps = [];  /* how many of them are merged at each step of a first search (shards.json's) */
    var merged = 0;  /* how many are merged so far */
    var merging = null;  /* a merge under way (a failed one stays: Pagefind cannot search after it) */
    var inflight = Promise.resolve();  /* the searches of the newest shards not yet answered */
    var listing = 0;  /* bumped each time the list is replaced: a "more" asked of the last list is dropped */
    var pending = [];
    var run = 0;
    var shown = "";  /* the query of the results listed */

    input.value = params.get("q") || "";

    function render(data) {
      var item = document.createElement("li");
      item.className = "item search-result";
      var title = document.createElement("h2");
      title.className = "item-title";
      var link = document.createElement("a");
      link.href = data.url;
      link.textContent = (data.meta && data.meta.title) || data.url;
      title.appendChild(link);
      item.appendChild(title);
      var where = document.createElement("p");
      where.className = "item-where";
      where.textContent = [data.meta && data.meta.date, data.meta && data.meta.page].filter(Boolean).join(" · ");
      item.appendChild(where);
      var summary = document.createElement("p");
      summary.className = "item-summary search-excerpt";
      var own = window.epaperExcerpt && window.epaperExcerpt(data, shown, list.getAttribute("data-ellipsis") || "…",
                                                            /^zh/i.test(document.documentElement.lang));
      summary.appendChild(own || excerpt(data.excerpt || ""));  /* body only, whole query: search-excerpt.js */
      item.appendChild(summary);
      return item;
    }

    /* The next ten results; `replace`: in place of those listed (the whole archive's results in
       place of the newest shards'), once they are ready, so the list never shows empty. */
    function showMore(replace) {
      var batch = pending.splice(0, 10);
      var mine = run, of = listing;
      return Promise.all(batch.map(function (r) { return r.data(); })).then(function (found) {
        if (mine !== run || of !== listing) return;
        if (replace === true) {
          listing += 1;
          list.textContent = "";
        }
        found.forEach(function (data) { list.appendChild(render(data)); });
        more.hidden = pending.length === 0;
      });
    }

    function filters() {
      var chosen = {};
      Array.prototype.forEach.call(selects, function (select) {
        if (select.value) chosen[select.getAttribute("data-filter")] = select.value;
      });
      return chosen;
    }

    /* Every shard merged: a search's results are the whole archive's. */
    function complete() {
      return merged >= sealed.length;
    }

    /* The shards merged so far: all of them, or the fresh one and the `merged` newest sealed ones. */
    function searched() {
      if (complete()) return { sizes: sizes, shards: sealed };
      var own = {};
      own[""] = sizes[""] || 0;
      sealed.slice(0, merged).forEach(function (name) { own[name] = sizes[name] || 0; });
      return { sizes: own, shards: sealed.slice(0, merged) };
    }

    /* The `n` newest sealed shards merged, after the searches still running (a shard being merged
       would join them halfway) and after a merge under way. */
    function mergeUpTo(n) {
      if (merging) return merging.then(function () { return mergeUpTo(n); });
      if (n <= merged) return Promise.resolve();
      var from = merged;
      merging = inflight.then(function () { return merge(shards.slice(from, n)); }).then(function () {
        merged = n;
        merging = null;
      });
      return merging;
    }

    /* The next step's number of merged shards: each step holds about twice the pages of the last. */
    function nextStep() {
      for (var i = 0; i < steps.length; i++) if (steps[i] > merged) return steps[i];
      return sealed.length;
    }

    /* Until every shard is merged, a search runs over the newest ones first (search.shard_steps),
       then, while it finds nothing, over more and more of them, each step about twice the pages of
       the last: the first results show at once, marked as the newest (the list is aria-busy), and
       the whole archive's results, ranked as one list, replace them when the older shards have
       loaded. A reader's first results so cost what the shards down to the first that has the
       words send (the newest ones, for most queries), not the whole archive.
       `refresh`: that second pass, for the query `asked`, which keeps the list shown until its
       own results are ready. */
    function search(refresh, asked) {
      var q = refresh === true ? asked : input.value.trim();
      run += 1;
      var mine = run;
      more.hidden = true;
      pending = [];
      if (refresh !== true) list.textContent = "";
      if (!q) {
        list.removeAttribute("aria-busy");
        say(status, status.getAttribute("data-prompt"));
        return Promise.resolve();
      }
      if (refresh !== true) say(status, status.getAttribute("data-loading"));
      shown = q;
      var partial = !complete();
      if (partial && merging) {  /* shards are being merged: Pagefind cannot search meanwhile */
        return merging.then(function () { if (mine === run) return search(true, q); });
      }
      var scope = searched();
      /* One list over the shards (search-rank.js): stale copies of edited articles are hidden, a
         page held by two shards (the same id) is shown once, and the shards' scores are put on
         the archive's scale, or the results are ordered newest first by their ids. */
      var index = { sizes: scope.sizes, hidden: hidden, shards: scope.shards, lang: document.documentElement.lang,
                    newest: !!(sort && sort.value === "date") };
      var answer = window.epaperRank.search(pagefind, q, { filters: filters() }, index);
      if (partial) {
        var settled = answer.then(function () {}, function () {});
        inflight = Promise.all([inflight, settled]);
      }
      return answer.then(function (found) {
        if (mine !== run) return;
        if (partial) {
          list.setAttribute("aria-busy", "true");
          var upTo = found.length ? sealed.length : nextStep();  /* the whole archive, or one step more */
          var listed = Promise.resolve();
          if (found.length) {
            pending = found;  /* showMore takes from it: `found` is emptied */
            say(status, fill(status.getAttribute("data-newest"), { q: q }));
            listed = showMore(true);
          }
          return listed.then(function () {
            if (mine !== run) return;  /* a newer search goes on from here */
            return mergeUpTo(upTo).then(function () { if (mine === run) return search(true, q); });
          });
        }
        pending = found;
        var n = pending.length;
        /* the catalog's singular and plural (one and other: the forms of the theme's languages) */
        var said = n === 1 && status.hasAttribute("data-count-one") ? "data-count-one" : "data-count";
        say(status, fill(status.getAttribute(n ? said : "data-none"), { n: n, q: q }));
        if (!n) { list.textContent = ""; more.hidden = true; list.removeAttribute("aria-busy"); return; }
        /* busy until the whole archive's results are in the list, not while they load: the
           newest shards' first results stay shown meanwhile */
        var settle = function () { if (mine === run) list.removeAttribute("aria-busy"); };
        return showMore(true).then(settle, function (error) { settle(); throw error; });
      });
    }

    function remember() {
      var next = new URLSearchParams();
      if (input.value.trim()) next.set("q", input.value.trim());
      Array.prototype.forEach.call(selects, function (select) {
        if (select.value) next.set(select.name, select.value);
      });
      if (sort && sort.value) next.set("sort", sort.value);
      var query = next.toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
    }

    function options(select, counts) {
      var values = Object.keys(counts || {}).sort();
      if (select.name === "year") values.reverse();  /* newest first */
      var chosen = select.value || params.get(select.name);
      while (select.options.length > 1) select.remove(1);
      values.forEach(function (value) {
        var option = document.createElement("option");
        option.value = value;
        option.textContent = value;
        select.appendChild(option);
      });
      if (chosen) select.value = chosen;
    }

    /* Before the filters are known (they come after the first results: loading them all costs
       bytes the first results need not wait for) a filter in the URL is its select's only choice. */
    function preselect(select) {
      var wanted = params.get(select.name);
      if (!wanted) return;
      var option = document.createElement("option");
      option.value = wanted;
      option.textContent = wanted;
      select.appendChild(option);
      select.value = wanted;
    }

    /* A fetch of the index's files (under `folder`, an absolute URL) that fails on the network or
       with a server error is made once more before the search gives up: a reader's connection
       drops a request now and then (a phone between cells, a host under load), and one lost file
       must not end the search. Pagefind cannot be asked to retry, and it ignores an index chunk
       that did not load (the search then says "nothing found" for a word the paper has): so the
       page's own fetch retries, for Pagefind running on the page (noWorker: up to WORKER_PAGES
       pages, see below), not in its web worker, whose fetches the page cannot reach. */
    function retrying(fetch, folder) {
      return function (input, init) {
        var url = new URL(input instanceof Request ? input.url : String(input), location.href).href;
        if (url.indexOf(folder) !== 0) return fetch(input, init);
        function again() {
          return new Promise(function (resolve) { setTimeout(resolve, 250); })
            .then(function () { return fetch(input, init); });
        }
        return fetch(input, init).then(function (response) {
          return response.status >= 500 ? again() : response;
        }, again);
      };
    }

    /* The sealed shards of the index (pagefind/shards.json, newest first), their page counts
       and the stale copies to hide. */
    function shardList() {
      return fetch(folder + "shards.json")
        .then(function (response) { return response.ok ? response.json() : { shards: [], hidden: [] }; })
        .then(function (list) {
          sealed = (list.shards || []).map(function (shard) { return shard.split("/")[1]; });
          steps = Array.isArray(list.steps) && list.steps.length ? list.steps : [sealed.length];
          (list.hidden || []).forEach(function (id) { hidden[id] = true; });
          sizes = list.pages || {};
          return list.shards || [];
        });
    }

    /* Each of `shards` (sealed) merged into the fresh one. */
    function merge(shards) {
      return Promise.all(shards.map(function (shard) {
        return pagefind.mergeIndex(folder + shard, { baseUrl: base, excerptLength: 40 });
      }));
    }

    var script = form.getAttribute("data-pagefind");
    var folder = new URL(script.slice(0, script.lastIndexOf("/") + 1), location.href).href;  /* the index's */
    window.fetch = retrying(window.fetch.bind(window), folder);
    var shards = [];
    /* search-rank.js comes after this script (both deferred): it has run by DOMContentLoaded, which
       the shard list and Pagefind's script can beat on a slow page load */
    var ranking = new Promise(function (resolve) {
      if (window.epaperRank || document.readyState === "complete") { resolve(); return; }
      document.addEventListener("DOMContentLoaded", resolve);
      window.addEventListener("load", resolve);
    });
    /* The shard list and Pagefind's script at once: one round trip fewer before the first results. */
    Promise.all([shardList(), import(script)
      /* once more under another URL: the browser remembers a module that failed to load */
      .catch(function () { return import(script + (script.indexOf("?") === -1 ? "?" : "&") + "again"); }),
      ranking])
      .then(function (both) {
        shards = both[0];
        pagefind = both[1];
        /* Up to WORKER_PAGES pages Pagefind runs on the page, where every fetch of the index
           retries (above); a bigger archive's commonest words take it seconds to score (19 s at
           100,000 articles), which must not hold the page: there it runs in its web worker, whose
           fetches cannot be retried (BENCHMARKS.md, "The search page runs Pagefind on the page"). */
        var pages = Object.keys(sizes).reduce(function (sum, name) { return sum + (sizes[name] || 0); }, 0);
        return pagefind.options({ baseUrl: base, excerptLength: 40, noWorker: pages <= WORKER_PAGES });
      })
      /* Pagefind's mergeIndex waits, without end, for the WebAssembly of a main index that failed
         to load: a preload of no words first waits for the main index, and fails if it did not load. */
      .then(function () { return pagefind.preload(""); })
      .then(function () { return mergeUpTo(steps[0]); })
      .then(function () {
        Array.prototype.forEach.call(selects, preselect);
        form.addEventListener("submit", function (event) {
          event.preventDefault();
          remember();
          search().catch(unavailable);
        });
        Array.prototype.forEach.call(selects, function (select) {
          select.addEventListener("change", function () { remember(); search().catch(unavailable); });
        });
        if (sort) {
          if (params.get("sort") === "date") sort.value = "date";
          sort.addEventListener("change", function () { remember(); search().catch(unavailable); });
        }
        more.addEventListener("click", function () { showMore(); });
        return search();
      })
      /* The older shards load meanwhile (with no query in the address, while the reader types), a
         step at a time: a search asked for waits for one step's merge at most, not the archive's.
         Each step first lets a search that waited for the last one start (a task later: it then
         counts among those the next merge waits for). */
      .then(function step() {
        if (complete()) return null;
        return new Promise(function (resolve) { setTimeout(resolve, 0); })
          .then(function () { return mergeUpTo(nextStep()); })
          .then(step);
      })
      .then(function () { return pagefind.filters(); })
      .then(function (available) {
        Array.prototype.forEach.call(selects, function (select) {
          options(select, available[select.getAttribute("data-filter")]);
        });
        form.querySelector(".search-filters").hidden = false;
      })
      .catch(unavailable);

    /* A file of the index that did not load (after one more try): the results listed stay. */
    function unavailable(error) {
      list.removeAttribute("aria-busy");
      say(status, status.getAttribute("data-unavailable"));
      console.error("search unavailable:", error);  /* why, for whoever looks */
    }
  }

  /* ---------------------------------------------------------------- type size (大 中 小) */

  function typeSize() {
    var root = document.documentElement;
    function show(size) {
      root.setAttribute("data-type-size", size);
      each(".type-size button", function (button) {
        button.setAttribute("aria-pressed", String(button.getAttribute("data-size") === size));
      });
    }
    each(".type-size button", function (button) {
      button.addEventListener("click", function () {
        var size = button.getAttribute("data-size");
        show(size);
        try { localStorage.setItem("epaper-type-size", size); } catch (e) { /* private mode: this page only */ }
      });
    });
    show(root.getAttribute("data-type-size") || "m");  /* the head script read it before the first paint */
  }

  function start() {
    typeSize();
    copyLinks();
    searchPage();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

/* epaper: turn printed pages with the arrow keys and a swipe, and light up an article's areas
   on the page scan from its entry in the list beside it (and the other way). No framework. */
(function () {
  "use strict";

  function turn(rel) {
    var link = document.querySelector('link[rel="' + rel + '"]');
    if (link) { window.location.assign(link.href); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) { return; }
    if (event.key === "ArrowLeft") { turn("prev"); } else if (event.key === "ArrowRight") { turn("next"); }
  });

  var main = document.getElementById("main");
  var start = null;
  if (main) {
    main.addEventListener("touchstart", function (event) {
      var zoomed = window.visualViewport && window.visualViewport.scale > 1.01;
      var scroller = event.target.closest && event.target.closest(".page-strip, .page-thumbs, .pv-strip, .is-zoomed, table, pre");
      start = (event.touches.length === 1 && !zoomed && !scroller)
        ? { x: event.touches[0].clientX, y: event.touches[0].clientY, t: Date.now() } : null;
    }, { passive: true });
    main.addEventListener("touchend", function (event) {
      if (!start || event.changedTouches.length !== 1) { return; }
      var dx = event.changedTouches[0].clientX - start.x;
      var dy = event.changedTouches[0].clientY - start.y;
      var quick = Date.now() - start.t < 800;
      start = null;
      if (quick && Math.abs(dx) > 60 && Math.abs(dx) > 2 * Math.abs(dy)) { turn(dx < 0 ? "next" : "prev"); }
    }, { passive: true });
  }

  function light(slug, on) {
    var lit = document.querySelectorAll('[data-article="' + slug + '"]');
    for (var i = 0; i < lit.length; i++) { lit[i].classList.toggle("is-lit", on); }
  }
  var marked = document.querySelectorAll(".replica [data-article]");
  for (var i = 0; i < marked.length; i++) {
    (function (element) {
      var slug = element.getAttribute("data-article");
      element.addEventListener("mouseenter", function () { light(slug, true); });
      element.addEventListener("mouseleave", function () { light(slug, false); });
      element.addEventListener("focusin", function () { light(slug, true); });
      element.addEventListener("focusout", function () { light(slug, false); });
    })(marked[i]);
  }
})();
