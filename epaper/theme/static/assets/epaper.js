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
      var scroller = event.target.closest && event.target.closest(".page-strip, .page-thumbs, table, pre");
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
