/* epaper: the zoomable printed page. OpenSeadragon (vendored beside this file) shows the page's
   renditions as levels of one image, loading the widest only when the reader zooms in; each
   article's area (the <a class="hotspot"> links over the scan) becomes an overlay that stays on its
   article at every zoom. Wheel, double click or tap, pinch, the − 整版 + buttons and the + − 0 keys
   zoom; drag or the arrow keys pan when zoomed. Turning pages (← →, a swipe, the links beside the
   page) is epaper.js's, and only when the page is not zoomed. Without this file, or without
   OpenSeadragon, the page is the scan with its links. */
(function () {
  "use strict";

  var STEP = 1.5;  /* one press of + or − */
  var PAN = 0.15;  /* one arrow key, as a share of what is in view */

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function start() {
    var frame = document.querySelector(".pv-frame");
    if (!frame || !window.OpenSeadragon) { return; }
    var OSD = window.OpenSeadragon;
    var urls = frame.getAttribute("data-urls").split(" ");
    var levels = frame.getAttribute("data-levels").split(" ").map(function (size, i) {
      var wh = size.split("x");
      return { url: urls[i], width: Number(wh[0]), height: Number(wh[1]) };
    });
    var widest = levels[levels.length - 1];
    var aspect = widest.height / widest.width;  /* viewport units: the page is 1 wide */
    var spots = Array.prototype.slice.call(frame.querySelectorAll("a.hotspot"));
    var tools = document.querySelector(".pv-tools");
    var holder = document.createElement("div");
    holder.className = "pv-viewer";
    frame.appendChild(holder);

    var viewer = OSD({
      element: holder,
      tileSources: { type: "legacy-image-pyramid", levels: levels },
      drawer: "canvas",
      showNavigationControl: false,
      keyboardNavEnabled: false,  /* the keys below: arrows turn pages unless zoomed */
      visibilityRatio: 1,
      constrainDuringPan: true,
      minZoomImageRatio: 1,
      maxZoomPixelRatio: 1.5,
      zoomPerScroll: 1.3,
      zoomPerClick: 2,
      animationTime: 0.4,
      gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true, scrollToZoom: true },
      gestureSettingsTouch: { clickToZoom: false, dblClickToZoom: true, pinchToZoom: true, flickEnabled: true },
      gestureSettingsPen: { clickToZoom: false, dblClickToZoom: true }
    });
    var viewport = null;

    function zoomed() {
      return viewport !== null && viewport.getZoom() > viewport.getHomeZoom() * 1.01;
    }

    /* At the page's own size one finger scrolls the web page (and a sideways swipe turns it);
       zoomed in, every gesture is the viewer's. Both the canvas and its container say so. */
    function touch(on) {
      [viewer.canvas, viewer.container].forEach(function (element) {
        if (element) { element.style.touchAction = on ? "none" : "pan-y"; }
      });
    }

    function show() {
      if (viewport === null) { return; }
      var on = zoomed();
      frame.classList.toggle("is-zoomed", on);
      touch(on);
      if (!tools) { return; }
      tools.querySelector('[data-zoom="out"]').disabled = !on;
      tools.querySelector('[data-zoom="fit"]').disabled = !on;
      tools.querySelector('[data-zoom="in"]').disabled = viewport.getZoom() >= viewport.getMaxZoom() * 0.99;
    }

    function zoom(how) {
      if (viewport === null) { return; }
      if (how === "in") { viewport.zoomBy(STEP); } else if (how === "out") { viewport.zoomBy(1 / STEP); } else { viewport.goHome(); }
      viewport.applyConstraints();
    }

    function box(spot) {
      var v = spot.getAttribute("data-box").split(" ").map(Number);
      return new OSD.Rect(v[0] / 100, v[1] / 100 * aspect, v[2] / 100, v[3] / 100 * aspect);
    }

    /* Bring an article's area into view when it is focused while zoomed. */
    function reveal(spot) {
      if (!zoomed()) { return; }
      var area = box(spot);
      var seen = viewport.getBounds();
      var inside = area.x >= seen.x && area.y >= seen.y && area.x + area.width <= seen.x + seen.width &&
        area.y + area.height <= seen.y + seen.height;
      if (!inside) { viewport.panTo(area.getCenter()); viewport.applyConstraints(); }
    }

    /* Opened at an article's area (#area-SLUG from its page thumbnail, #area-SLUG-pN from its
       "continued on page N"): zoom in on that area, with a margin, and scroll it into the window. */
    function land() {
      var id = window.location.hash.slice(1);
      try { id = decodeURIComponent(id); } catch (e) { return; }
      var spot = id ? document.getElementById(id) : null;
      if (!spot || spots.indexOf(spot) < 0) { return; }
      var area = box(spot);
      var margin = Math.max(area.width, area.height) * 0.15;
      viewport.fitBoundsWithConstraints(new OSD.Rect(area.x - margin, area.y - margin,
        area.width + 2 * margin, area.height + 2 * margin), true);
      /* Where the area now is, from the viewer's numbers (its overlay moves at the next frame);
         again once the page has loaded, as the browser scrolls to the fragment until then. */
      function into() {
        var at = viewport.viewportToViewerElementCoordinates(area.getCenter());
        var y = holder.getBoundingClientRect().top + at.y;
        var half = viewport.deltaPixelsFromPoints(new OSD.Point(0, area.height)).y / 2;
        if (y - half < 0 || y + half > window.innerHeight) { window.scrollBy(0, y - window.innerHeight / 2); }
      }
      into();
      if (document.readyState !== "complete") {
        window.addEventListener("load", function () { window.setTimeout(into, 0); }, { once: true });
      }
    }

    viewer.addHandler("open", function () {
      viewport = viewer.viewport;
      spots.forEach(function (spot) {
        spot.removeAttribute("style");  /* the overlay places it now */
        viewer.addOverlay({ element: spot, location: box(spot) });
      });
      frame.classList.add("is-zoomable");
      if (tools) { tools.hidden = false; }
      land();
      show();
    });
    window.addEventListener("hashchange", function () { if (viewport !== null) { land(); } });
    viewer.addHandler("zoom", show);
    viewer.addHandler("animation-start", function () { frame.setAttribute("data-moving", ""); });
    viewer.addHandler("animation-finish", function () { frame.removeAttribute("data-moving"); show(); });
    if (viewer.canvas) { viewer.canvas.tabIndex = -1; }  /* the keys work from anywhere; Tab goes to the articles */
    /* A click on an article's area is a link's click: the viewer would cancel it as its own. */
    viewer.innerTracker.preProcessEventHandler = function (info) {
      var target = info.originalEvent && info.originalEvent.target;
      if (info.eventType === "click" && target && target.closest && target.closest("a.hotspot")) { info.preventDefault = false; }
    };

    if (tools) {
      tools.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-zoom]");
        if (button) { zoom(button.getAttribute("data-zoom")); }
      });
    }

    /* The viewer captures the pointer, so a click on an article's area reaches the viewer, not
       the link: a click (not a drag) that began on an area opens its article. A tap opens it after
       the double-tap time, unless it was the first tap of a double tap (which zooms). */
    var downOn = null;
    var pointer = "mouse";
    var pending = null;
    frame.addEventListener("pointerdown", function (event) {
      downOn = event.target.closest ? event.target.closest("a.hotspot") : null;
      pointer = event.pointerType;
    }, true);
    viewer.addHandler("canvas-click", function (event) {
      var spot = downOn;
      if (!event.quick || !spot) { return; }
      event.preventDefaultAction = true;
      var original = event.originalEvent || {};
      if (pointer !== "touch") {
        if (original.ctrlKey || original.metaKey || original.shiftKey) { window.open(spot.href, "_blank", "noopener"); } else { window.location.assign(spot.href); }
        return;
      }
      if (pending !== null) { clearTimeout(pending); pending = null; return; }  /* the second tap of a double tap */
      pending = setTimeout(function () { pending = null; window.location.assign(spot.href); }, viewer.dblClickTimeThreshold || 300);
    });
    viewer.addHandler("canvas-double-click", function () {
      if (pending !== null) { clearTimeout(pending); pending = null; }
    });
    frame.addEventListener("click", function (event) {  /* a tap's own click: canvas-click decides */
      if (event.detail > 0 && event.target.closest && event.target.closest("a.hotspot")) { event.preventDefault(); }
    }, true);
    spots.forEach(function (spot) {
      spot.addEventListener("focus", function () {
        reveal(spot);
        holder.scrollTop = 0;  /* focus must not scroll the viewer's clipped boxes */
        holder.scrollLeft = 0;
        var canvas = viewer.canvas;
        if (canvas) { canvas.scrollTop = 0; canvas.scrollLeft = 0; }
      });
    });

    /* A headline focused while zoomed brings its article's area into view too. */
    Array.prototype.forEach.call(document.querySelectorAll(".pv-headlines [data-article]"), function (item) {
      item.addEventListener("focusin", function () {
        var spot = frame.querySelector('a.hotspot[data-article="' + item.getAttribute("data-article") + '"]');
        if (spot) { reveal(spot); }
      });
    });

    /* The preview's area editor (serve only) draws boxes in percent of the whole page: while it
       is on, the page stays whole and still. */
    var editing = false;
    new MutationObserver(function () {
      var now = frame.classList.contains("areas-being-edited");
      if (now === editing || viewport === null) { return; }
      editing = now;
      if (editing) { viewport.goHome(true); }
      viewer.setMouseNavEnabled(!editing);
      if (tools) { tools.hidden = editing; }
    }).observe(frame, { attributes: true, attributeFilter: ["class"] });

    window.addEventListener("keydown", function (event) {
      if (viewport === null || editing || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) { return; }
      if (typing(event.target)) { return; }
      var key = event.key;
      if (key === "+" || key === "=") { zoom("in"); } else if (key === "-" || key === "_") { zoom("out"); } else if (key === "0") {
        zoom("fit");
      } else if (zoomed() && /^Arrow(Left|Right|Up|Down)$/.test(key)) {
        var seen = viewport.getBounds();
        var dx = key === "ArrowLeft" ? -1 : key === "ArrowRight" ? 1 : 0;
        var dy = key === "ArrowUp" ? -1 : key === "ArrowDown" ? 1 : 0;
        viewport.panBy(new OSD.Point(dx * seen.width * PAN, dy * seen.height * PAN));
        viewport.applyConstraints();
      } else {
        return;  /* not zoomed: the arrows turn the page (epaper.js) or scroll */
      }
      event.preventDefault();
    }, true);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
