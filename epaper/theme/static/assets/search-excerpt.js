/* epaper: a search result's excerpt as a reader expects it. Pagefind's own excerpt is cut from
   everything it indexed (the headline, the kicker, the byline) joined with a Latin ". ", and it
   marks the words its segmenter found (优待 of 优待证). This one is cut from the article's body only
   (the template's <div id="article-body">, which Pagefind records as an anchor), reads as Chinese
   is printed (。 between blocks, no spaces beside full-width punctuation, …… at the cuts) and marks
   the reader's whole query where the body has it. No framework, nothing fetched. */
(function () {
  "use strict";

  var ZWSP = "\u200B";
  var BODY_ID = "article-body";
  var WIDE = /[\u2E80-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF\u3000-\u303F\u2018-\u201D\u2026\u2014]/;
  var SENTENCE_END = /[。！？；]/;

  function unescape(text) {  /* Pagefind's raw_content escapes < and > only */
    return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">");
  }

  function wide(ch) { return !!ch && WIDE.test(ch); }

  /* The indexed words of the result, the joiner Pagefind split them on, and where its body starts. */
  function tokens(data) {
    var raw = data.raw_content;
    if (typeof raw !== "string") return null;  /* an older Pagefind: keep its excerpt */
    var zws = raw.indexOf(ZWSP) !== -1;
    var list = zws ? raw.split(ZWSP) : raw.split(/[\r\n\s]+/);
    var start = 0;
    (data.anchors || []).forEach(function (anchor) {
      if (anchor.id === BODY_ID) start = anchor.location;
    });
    return { words: list.map(unescape), joiner: zws ? "" : " ", start: Math.min(start, list.length) };
  }

  /* Chinese text as printed: Pagefind's ". " between blocks becomes 。, spaces beside a Chinese
     character or full-width punctuation go; a space between two Latin words stays. */
  function tidy(words, chinese) {
    if (!chinese) return words.slice();
    return words.map(function (word, i) {
      var before = i > 0 ? words[i - 1].replace(/\s+$/, "") : "";
      var after = i + 1 < words.length ? words[i + 1].replace(/^\s+/, "") : "";
      var last = before.charAt(before.length - 1);
      if (/^\s*\.\s*$/.test(word) && (wide(last) || !before)) return before && !SENTENCE_END.test(last) ? "。" : "";
      var out = word.replace(/^\s+/, function (space) { return wide(word.trim().charAt(0)) || wide(last) ? "" : space; });
      return out.replace(/\s+$/, function (space) {
        return wide(out.trim().charAt(out.trim().length - 1)) || wide(after.charAt(0)) || !after ? "" : space;
      });
    });
  }

  function occurrences(text, needle) {
    var found = [];
    if (!needle) return found;
    var hay = text.toLowerCase();
    var low = needle.toLowerCase();
    for (var at = hay.indexOf(low); at !== -1; at = hay.indexOf(low, at + low.length)) {
      found.push([at, at + low.length]);
    }
    return found;
  }

  /* What to mark: the whole query where the body has it, else each of its words, else the words
     Pagefind matched (a query its segmenter split: 水稻丰收 finds 水稻 … 丰收). */
  function marks(text, query, chinese, pagefindWords) {
    var q = query.trim().replace(/\s+/g, chinese ? "" : " ");
    var found = occurrences(text, q);
    if (!found.length) {
      query.trim().split(/\s+/).forEach(function (term) { found = found.concat(occurrences(text, term)); });
    }
    if (!found.length) found = pagefindWords;
    found.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var merged = [];
    found.forEach(function (range) {
      var last = merged[merged.length - 1];
      if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
      else merged.push([range[0], range[1]]);
    });
    return merged;
  }

  /* The window shown: from the start of the sentence holding the first mark (when near), else a
     little before it; `size` characters; the body's start when nothing is marked. */
  function window_(text, first, chinese, size) {
    var start = 0;
    if (first !== null && first > size / 3) {
      start = first - Math.round(size / 5);
      var sentence = -1;
      var clause = -1;
      for (var i = first - 1; i >= Math.max(0, first - Math.round(size / 2)); i--) {
        var ch = text.charAt(i);
        if (SENTENCE_END.test(ch) || (!chinese && /[.!?]\s/.test(text.substr(i, 2)))) { sentence = i + 1; break; }
        if (clause === -1 && first - i <= size / 4 && /[，、：,;:]/.test(ch)) clause = i + 1;
      }
      start = sentence !== -1 ? sentence : clause !== -1 ? clause : start;
    }
    var end = Math.min(text.length, start + size);
    if (!chinese) {
      if (start > 0) { var space = text.indexOf(" ", start); if (space !== -1 && space < first) start = space + 1; }
      if (end < text.length) { var cut = text.lastIndexOf(" ", end); if (cut > start) end = cut; }
    }
    while (start < end && /\s/.test(text.charAt(start))) start += 1;
    return [start, end];
  }

  /* The excerpt of a Pagefind result `data` for the reader's `query`: a fragment of text and <mark>s,
     or null when the result carries no text to cut it from (the caller keeps Pagefind's). */
  function excerpt(data, query, ellipsis, chinese) {
    var parts = tokens(data);
    if (!parts) return null;
    var words = tidy(parts.words, chinese);
    var offsets = [];
    var text = "";
    for (var i = parts.start; i < words.length; i++) {
      if (!text && /^[\s。.]*$/.test(words[i])) { offsets[i] = 0; words[i] = ""; continue; }  /* no ". " first */
      if (text && words[i]) text += parts.joiner;
      offsets[i] = text.length;
      text += words[i];
    }
    var matched = (data.locations || []).filter(function (at) { return at >= parts.start && at < words.length; })
      .map(function (at) { return [offsets[at], offsets[at] + words[at].length]; });
    var ranges = marks(text, query, chinese, matched);
    var size = chinese ? 90 : 200;
    var span = window_(text, ranges.length ? ranges[0][0] : null, chinese, size);
    var out = document.createDocumentFragment();
    var at = span[0];
    if (at > 0) out.appendChild(document.createTextNode(ellipsis));
    ranges.forEach(function (range) {
      var from = Math.max(range[0], span[0]);
      var to = Math.min(range[1], span[1]);
      if (from >= to || from < at) return;
      if (from > at) out.appendChild(document.createTextNode(text.slice(at, from)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(from, to);
      out.appendChild(mark);
      at = to;
    });
    if (span[1] > at) out.appendChild(document.createTextNode(text.slice(at, span[1])));
    if (span[1] < text.length) out.appendChild(document.createTextNode(ellipsis));
    return out;
  }

  window.epaperExcerpt = excerpt;
})();
