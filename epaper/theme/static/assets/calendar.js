/* epaper: the calendar date picker (partials/calendar.html). A month grid built from
   editions.json: the days with a paper are links to their edition, the others greyed; it opens on
   the current edition's month, turns with the previous/next month buttons, and works from the
   keyboard as the WAI-ARIA date grid does (arrows move between days, Home/End to the week's ends,
   Page Up/Down a month, Shift+Page Up/Down a year, Enter opens). Without this file (or
   editions.json) the partial's link to the archive stays. No framework, nothing else fetched. */
(function () {
  "use strict";

  var made = 0;  /* calendars on this page: their ids */

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function iso(y, m, d) { return y + "-" + pad(m + 1) + "-" + pad(d); }  /* m from 0 */
  function daysIn(y, m) { return new Date(Date.UTC(y, m + 1, 0)).getUTCDate(); }
  function weekday(y, m, d) { return (new Date(Date.UTC(y, m, d)).getUTCDay() + 6) % 7; }  /* Monday 0 */
  function monthKey(y, m) { return y * 12 + m; }

  function element(name, attributes, text) {
    var node = document.createElement(name);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function build(root, dates) {
    var lang = document.documentElement.lang || "zh-CN";
    var have = {};
    dates.forEach(function (day) { have[day] = true; });
    var current = root.getAttribute("data-current");  /* the page's edition, if it is one's */
    var base = root.getAttribute("data-base");
    var weekdays = JSON.parse(root.getAttribute("data-weekdays") || "[]");
    var first = dates[0].split("-").map(Number);
    var last = dates[dates.length - 1].split("-").map(Number);
    var lowest = monthKey(first[0], first[1] - 1);
    var highest = monthKey(last[0], last[1] - 1);
    var monthName = new Intl.DateTimeFormat(lang, { year: "numeric", month: "long", timeZone: "UTC" });
    var dayName = new Intl.DateTimeFormat(lang, { year: "numeric", month: "long", day: "numeric", weekday: "long", timeZone: "UTC" });
    var start = root.getAttribute("data-day").split("-").map(Number);
    var year = start[0];
    var month = start[1] - 1;
    var focusDay = start[2];
    var id = "calendar-" + (++made);

    var head = element("div", { "class": "calendar-head" });
    var prev = element("button", { type: "button", "class": "calendar-prev", "aria-label": root.getAttribute("data-prev") });
    prev.appendChild(element("span", { "aria-hidden": "true" }, "‹"));
    var title = element("h2", { "class": "calendar-title", id: id + "-title", "aria-live": "polite" });
    var next = element("button", { type: "button", "class": "calendar-next", "aria-label": root.getAttribute("data-next") });
    next.appendChild(element("span", { "aria-hidden": "true" }, "›"));
    head.appendChild(prev);
    head.appendChild(title);
    head.appendChild(next);
    var grid = element("table", { "class": "calendar-grid", role: "grid", "aria-labelledby": id + "-title" });
    var row = element("tr");
    weekdays.forEach(function (names) { row.appendChild(element("th", { scope: "col", abbr: names[1] }, names[0])); });
    var thead = element("thead");
    thead.appendChild(row);
    grid.appendChild(thead);
    var body = element("tbody");
    grid.appendChild(body);
    root.insertBefore(grid, root.firstChild);
    root.insertBefore(head, grid);
    root.classList.add("is-built");

    /* The focusable element of day d: its link, or its greyed cell. */
    function target(d) { return body.querySelector('[data-day="' + d + '"]'); }

    function firstPaper() {
      for (var d = 1; d <= daysIn(year, month); d++) if (have[iso(year, month, d)]) return d;
      return 1;
    }

    function render() {
      title.textContent = monthName.format(new Date(Date.UTC(year, month, 1)));
      prev.disabled = monthKey(year, month) <= lowest;
      next.disabled = monthKey(year, month) >= highest;
      body.textContent = "";
      var tr = element("tr");
      for (var pad_ = weekday(year, month, 1); pad_ > 0; pad_--) tr.appendChild(element("td"));
      for (var d = 1; d <= daysIn(year, month); d++) {
        var day = iso(year, month, d);
        var cell;
        if (have[day]) {
          cell = element("td", { "class": "has-paper" });
          var link = element("a", { href: base + day + "/", "data-day": String(d), tabindex: "-1",
                                    "aria-label": dayName.format(new Date(Date.UTC(year, month, d))) }, String(d));
          if (day === current) link.setAttribute("aria-current", "date");
          cell.appendChild(link);
        } else {
          cell = element("td", { "class": "no-paper", "data-day": String(d), tabindex: "-1", "aria-disabled": "true" }, String(d));
        }
        tr.appendChild(cell);
        if (weekday(year, month, d) === 6) { body.appendChild(tr); tr = element("tr"); }
      }
      if (tr.childNodes.length) {
        while (tr.childNodes.length < 7) tr.appendChild(element("td"));
        body.appendChild(tr);
      }
      focusDay = Math.min(focusDay, daysIn(year, month));
      target(focusDay).setAttribute("tabindex", "0");
    }

    /* Show the month of the given day (kept inside the months with papers) and, if asked, focus it. */
    function go(y, m, d, focus) {
      var when = new Date(Date.UTC(y, m, d));
      var key = monthKey(when.getUTCFullYear(), when.getUTCMonth());
      if (key < lowest || key > highest) return;
      if (when.getUTCFullYear() !== year || when.getUTCMonth() !== month) {
        year = when.getUTCFullYear();
        month = when.getUTCMonth();
        focusDay = when.getUTCDate();
        render();
      } else {
        target(focusDay).setAttribute("tabindex", "-1");
        focusDay = when.getUTCDate();
        target(focusDay).setAttribute("tabindex", "0");
      }
      if (focus) target(focusDay).focus();
    }

    function turn(months) {
      var y = year, m = month + months;
      year = new Date(Date.UTC(y, m, 1)).getUTCFullYear();
      month = new Date(Date.UTC(y, m, 1)).getUTCMonth();
      focusDay = firstPaper();
      render();
    }

    prev.addEventListener("click", function () { turn(-1); });
    next.addEventListener("click", function () { turn(1); });

    body.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      var moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
      var day = weekday(year, month, focusDay);
      if (event.key in moves) {
        go(year, month, focusDay + moves[event.key], true);
      } else if (event.key === "Home") {
        go(year, month, focusDay - day, true);
      } else if (event.key === "End") {
        go(year, month, focusDay + 6 - day, true);
      } else if (event.key === "PageUp" || event.key === "PageDown") {
        var step = (event.key === "PageUp" ? -1 : 1) * (event.shiftKey ? 12 : 1);
        var when = new Date(Date.UTC(year, month + step, 1));
        go(when.getUTCFullYear(), when.getUTCMonth(),
           Math.min(focusDay, daysIn(when.getUTCFullYear(), when.getUTCMonth())), true);
      } else if (event.key === " " && event.target.tagName === "A") {
        event.target.click();  /* Enter opens a link by itself; Space does in a grid */
      } else {
        return;
      }
      event.preventDefault();
    });

    /* A click on a day moves the roving focus there (the greyed ones open nothing). */
    body.addEventListener("focusin", function (event) {
      var d = Number(event.target.getAttribute && event.target.getAttribute("data-day"));
      if (d && d !== focusDay) go(year, month, d, false);
    });

    render();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("nav.calendar:not(.is-built)"), function (root) {
      root.classList.add("is-built");  /* a partial included twice loads this file twice: build each once */
      fetch(root.getAttribute("data-editions"), { credentials: "same-origin" })
        .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
        .then(function (data) {
          var dates = (data.dates || []).slice().sort();
          if (dates.length) build(root, dates);
        })
        .catch(function () { root.classList.remove("is-built"); /* the archive link stays */ });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
