/* epaper: one ranking of the search results over the index's shards, as if the archive were one
   Pagefind index. Pagefind's mergeIndex puts every shard's results in one list by score, but each
   shard scores a word by its own statistics (BM25's inverse document frequency: how many of its
   pages have the word), so a word common in one year and rare in another weighs differently in
   each, and the merged list is not the order one index gives. This rescores each result with
   the archive's statistics: the query is searched once more word by word (the index chunks are
   already loaded: nothing more is fetched), which gives each page's score for each word in its
   shard and how many pages of each shard have the word; each word's score is then multiplied by
   the archive's inverse document frequency over the shard's. Stale copies (the `hidden` ids of
   pagefind/shards.json) are dropped and counted out of the archive's statistics, and a page two
   shards hold is listed once. No framework, nothing fetched. */
(function () {
  "use strict";

  /* A page id's shard: a sealed shard's ids carry its name (zh-cn_2010-3f9a1b7), the fresh
     shard's none (zh-cn_3f9a1b7); see pagefind_order.compact_pages. */
  function shardOf(id) {
    var named = /_(.+)-[^-_]*$/.exec(id);
    return named ? named[1] : "";
  }

  var KEY_LENGTH = 4;  /* pagefind_order.KEY_LENGTH: the hash digits before the rank */

  /* A page's place in its shard's date order (0 the oldest): the id's last part, after the key,
     in base 36. */
  function rankOf(id) {
    var tail = id.slice(Math.max(id.lastIndexOf("-"), id.lastIndexOf("_")) + 1 + KEY_LENGTH);
    var rank = parseInt(tail, 36);
    return isNaN(rank) ? 0 : rank;
  }

  /* Newest first over every shard: the fresh shard's pages, then each sealed shard's (`shards`,
     newest first), each newest first by its rank. An edited old article is in the fresh shard
     until its year's shard is made again, so it is listed among the newest. */
  function newestFirst(list, shards) {
    var age = {};
    (shards || []).forEach(function (name, k) { age[name] = k + 1; });
    return list.slice().sort(function (a, b) {
      return (age[shardOf(a.id)] || 0) - (age[shardOf(b.id)] || 0) || rankOf(b.id) - rankOf(a.id);
    });
  }

  /* BM25's inverse document frequency, as Pagefind computes it. */
  function idf(pages, having) {
    return Math.log((pages - having + 0.5) / (having + 0.5) + 1);
  }

  /* The query's words as Pagefind splits them: by the browser's word segmenter for Chinese,
     Japanese and Thai, by spaces otherwise; punctuation dropped, lower case. */
  function words(query, lang) {
    var primary = String(lang || "").split("-")[0].toLowerCase();
    var parts = [];
    if (["zh", "ja", "th"].indexOf(primary) !== -1 && typeof Intl !== "undefined" && Intl.Segmenter) {
      var segmenter = new Intl.Segmenter(lang, { granularity: "word" });
      Array.from(segmenter.segment(query)).forEach(function (s) { parts.push(s.segment); });
    } else {
      parts = query.split(/\s+/);
    }
    var seen = {};
    return parts.map(function (part) {
      return part.replace(/[\p{Pd}\p{Pe}\p{Pf}\p{Pi}\p{Po}\p{Ps}\s]/gu, "").toLocaleLowerCase();
    }).filter(function (part) {
      if (!part || seen[part]) return false;
      seen[part] = true;
      return true;
    });
  }

  function filtered(options) {
    return Object.keys((options && options.filters) || {}).length > 0;
  }

  /* The words of `split` one index of the searched shards would require, each with the pages
     (ids, stale copies left out) that have it, found by searching each word alone (`each`:
     Pagefind's answers, in order). Pagefind leaves out a word its index lacks, unless it lacks
     them all; so each shard, answering alone, would require only the words it happens to have
     (an old year without the query's second word would answer with the first alone). One index
     of the archive has a word when any current page has it: those words, and only those, are
     required of every page. */
  function required(split, each, hidden) {
    var words = [], having = [];
    each.forEach(function (found, w) {
      var ids = {}, any = false;
      found.results.forEach(function (r) {
        if (!hidden[r.id]) { ids[r.id] = true; any = true; }
      });
      if (any) { words.push(split[w]); having.push(ids); }
    });
    return { words: words, having: having };
  }

  /* Each page's score for each word and each word's factor from its shard's statistics to the
     archive's, from the word-by-word searches `each`, and `list` in that order. */
  function rescore(list, each, sizes, hidden) {
    var shards = Object.keys(sizes);
    /* the stale copies among the shards searched (the first pass searches the newest only) */
    var stale = Object.keys(hidden).filter(function (id) { return shardOf(id) in sizes; }).length;
    var pages = shards.reduce(function (sum, name) { return sum + sizes[name]; }, 0) - stale;
    var scores = {};  /* page id -> [its score for each word] */
    var factors = each.map(function (found, w) {
      var having = {}, archive = 0;
      found.results.forEach(function (r) {
        var shard = shardOf(r.id);
        having[shard] = (having[shard] || 0) + 1;
        if (!hidden[r.id]) archive += 1;
        (scores[r.id] = scores[r.id] || [])[w] = r.score;
      });
      var factor = {};
      Object.keys(having).forEach(function (shard) {
        var own = idf(sizes[shard] || having[shard], having[shard]);
        factor[shard] = own > 0 ? idf(Math.max(pages, archive), archive) / own : 1;
      });
      return factor;
    });
    var rescored = list.map(function (r, order) {
      var shard = shardOf(r.id), own = scores[r.id] || [], score = 0, counted = false;
      factors.forEach(function (factor, w) {
        if (own[w] === undefined) return;
        score += own[w] * (factor[shard] || 1);
        counted = true;
      });
      return { result: r, score: counted ? score : r.score, order: order };
    });
    rescored.sort(function (a, b) { return b.score - a.score || a.order - b.order; });
    return rescored.map(function (x) { x.result.score = x.score; return x.result; });
  }

  /* The results of `query` over every shard, in one archive-wide order: by score, or newest first
     (index.newest). `options`: Pagefind's (filters); `index`: {sizes: {shard name: its pages},
     hidden: {page id: true}, shards: [sealed shard names, newest first], lang, newest}.
     A query of several words over several shards is first searched word by word (the words one
     index would require: `required`), then as a whole with those words, whose results are kept
     when they have every one of them. An exact phrase ("...") is left to Pagefind: a shard
     lacking one of its words has no page with the phrase, as one index would not. */
  function search(pagefind, query, options, index) {
    var hidden = index.hidden || {};
    var sizes = index.sizes || {};
    var shards = Object.keys(sizes);
    var split = words(query, index.lang);
    var several = split.length > 1 && shards.length > 1 && !/^\s*".+"\s*$/.test(query);
    /* A word's statistics are over a shard's every page, whatever the filters, as Pagefind's are. */
    var alone = several ? Promise.all(split.map(function (word) { return pagefind.search(word, {}); }))
      : Promise.resolve(null);
    return alone.then(function (each) {
      var needed = each && required(split, each, hidden);
      if (needed && !needed.words.length) return [];
      var asked = !needed || needed.words.length === split.length ? query : needed.words.join(" ");
      return pagefind.search(asked, options).then(function (result) {
        var seen = {};
        var list = result.results.filter(function (r) {
          if (hidden[r.id] || seen[r.id]) return false;
          if (needed && !needed.having.every(function (ids) { return ids[r.id]; })) return false;
          seen[r.id] = true;
          return true;
        });
        if (index.newest) return newestFirst(list, index.shards);
        if (shards.length < 2 || list.length < 2 || !split.length) return list;
        if (each) return rescore(list, each, sizes, hidden);
        return Promise.all(split.map(function (word) {
          return split.length === 1 && !filtered(options) ? result : pagefind.search(word, {});
        })).then(function (found) { return rescore(list, found, sizes, hidden); });
      });
    });
  }

  window.epaperRank = { search: search, shardOf: shardOf, rankOf: rankOf, words: words };
})();
