// epaper serve: edit mode for a printed page's article areas. Served by the preview only
// (client.js loads it on a page with a scan); the built site never carries it.
//
// Drag on the scan to draw a box and pick its article; drag a box to move it, a handle to
// resize it; Save writes each changed article's area: (in percent, two decimals) through
// the preview, whose rebuild then reloads the page, still in edit mode.
(() => {
  "use strict";
  const tag = document.querySelector("script[data-epaper-token]");
  const frame = document.querySelector(".scan-frame");
  if (!tag || !frame || window.__epaperEdit) return;
  window.__epaperEdit = true;
  const token = tag.dataset.epaperToken;
  const file = tag.dataset.epaperFile || "";
  const zh = (document.documentElement.lang || "").toLowerCase().startsWith("zh");
  const say = (chinese, english) => (zh ? chinese : english);
  const KEPT = "epaper-edit-mode";  // sessionStorage: edit mode stays on over the reload a save brings
  const SAVED = "epaper-edit-saved";  // sessionStorage: what was written, said again after the reload
  const MIN = 0.5;  // percent: a smaller drag is a click, not a box
  const HANDLES = ["nw", "n", "ne", "e", "se", "s", "sw", "w"];

  let articles = [];  // {source, slug, title, draft, areas} from the preview
  let boxes = [];  // {source, box: [x, y, w, h], node}
  let dirty = new Set();  // sources whose boxes changed
  let layer = null, picker = null, on = false, busy = false;

  function el(name, cls, text) {
    const node = document.createElement(name);
    if (cls) node.className = cls;
    if (text) node.textContent = text;  // never innerHTML: titles are the editors' text
    return node;
  }
  const round = (v) => Math.round(v * 100) / 100;
  const clamp = (v, lo, hi) => Math.min(Math.max(v, lo), hi);

  const style = el("style");
  style.textContent = `
    .epaper-edit-bar { display: flex; flex-wrap: wrap; align-items: center; gap: .4rem .75rem; margin: 0 0 .75rem;
      padding: .45rem .6rem; border: 1px dashed #8a6d00; border-radius: 6px; background: #fffbe6; color: #3a3000;
      font: 14px/1.4 system-ui, -apple-system, "Noto Sans CJK SC", "PingFang SC", sans-serif; }
    .epaper-edit-bar:not(.is-on) { width: fit-content; padding: .25rem; }
    .epaper-edit-bar button { font: inherit; padding: .2rem .7rem; border: 1px solid #8a6d00; border-radius: 4px;
      background: #fff; color: #3a3000; cursor: pointer; }
    .epaper-edit-bar button[aria-pressed="true"], .epaper-edit-bar .epaper-edit-save:not(:disabled) {
      background: #8a6d00; color: #fff; }
    .epaper-edit-bar button:disabled { opacity: .5; cursor: default; }
    .epaper-edit-bar [hidden] { display: none; }
    .epaper-edit-status { font-weight: 600; }
    .epaper-edit-status.is-error { color: #b71c1c; }
    .areas-being-edited .hotspot { visibility: hidden; }
    .epaper-edit-layer { position: absolute; inset: 0; z-index: 50; cursor: crosshair; touch-action: none;
      user-select: none; -webkit-user-select: none; background: rgba(255, 251, 230, .12); }
    .epaper-edit-box { position: absolute; box-sizing: border-box; border: 2px solid #1565c0;
      background: rgba(21, 101, 192, .14); cursor: move; outline: none; }
    .epaper-edit-box.is-changed { border-color: #e65100; background: rgba(230, 81, 0, .14); }
    .epaper-edit-box.is-new { border-style: dashed; border-color: #2e7d32; background: rgba(46, 125, 50, .15); }
    .epaper-edit-box.is-selected, .epaper-edit-box:focus-visible { box-shadow: 0 0 0 3px #f9a825; }
    .epaper-edit-label { position: absolute; left: 0; top: 0; max-width: calc(100% - 22px); overflow: hidden;
      white-space: nowrap; text-overflow: ellipsis; padding: 1px 5px; background: #1565c0; color: #fff;
      font: 12px/1.4 system-ui, "Noto Sans CJK SC", sans-serif; pointer-events: none; }
    .epaper-edit-box.is-changed .epaper-edit-label { background: #e65100; }
    .epaper-edit-handle { position: absolute; width: 10px; height: 10px; margin: -6px 0 0 -6px;
      background: #fff; border: 2px solid #1565c0; border-radius: 2px; }
    .epaper-edit-handle[data-h="nw"] { left: 0; top: 0; cursor: nwse-resize; }
    .epaper-edit-handle[data-h="n"] { left: 50%; top: 0; cursor: ns-resize; }
    .epaper-edit-handle[data-h="ne"] { left: 100%; top: 0; cursor: nesw-resize; }
    .epaper-edit-handle[data-h="e"] { left: 100%; top: 50%; cursor: ew-resize; }
    .epaper-edit-handle[data-h="se"] { left: 100%; top: 100%; cursor: nwse-resize; }
    .epaper-edit-handle[data-h="s"] { left: 50%; top: 100%; cursor: ns-resize; }
    .epaper-edit-handle[data-h="sw"] { left: 0; top: 100%; cursor: nesw-resize; }
    .epaper-edit-handle[data-h="w"] { left: 0; top: 50%; cursor: ew-resize; }
    .epaper-edit-remove { position: absolute; right: 0; top: 0; width: 20px; height: 20px; padding: 0;
      border: 0; background: #b71c1c; color: #fff; font: 14px/20px system-ui, sans-serif; cursor: pointer; }
    .epaper-edit-picker { position: absolute; z-index: 60; width: min(22rem, 90%); box-sizing: border-box;
      padding: .6rem; background: #fff; color: #1a1a1a; border: 1px solid #2e7d32; border-radius: 6px;
      box-shadow: 0 6px 24px rgba(0, 0, 0, .3); cursor: default;
      font: 14px/1.4 system-ui, -apple-system, "Noto Sans CJK SC", "PingFang SC", sans-serif; }
    .epaper-edit-picker label { display: block; margin: 0 0 .3rem; font-weight: 600; }
    .epaper-edit-picker select { width: 100%; font: inherit; margin: 0 0 .5rem; }
    .epaper-edit-picker div { display: flex; flex-wrap: wrap; gap: .4rem; }
    .epaper-edit-picker button { font: inherit; padding: .2rem .6rem; border: 1px solid #2e7d32;
      border-radius: 4px; background: #fff; color: #1b5e20; cursor: pointer; }
    .epaper-edit-picker button:disabled { opacity: .45; cursor: default; }
    .epaper-edit-picker button.primary { background: #2e7d32; color: #fff; }`;
  document.head.append(style);

  // The bar above the scan: the toggle, then (in edit mode) a hint, Save, Discard and a status line.
  const bar = el("div", "epaper-edit-bar");
  bar.setAttribute("role", "region");
  bar.setAttribute("aria-label", say("版面区域编辑（仅预览）", "Area editor (preview only)"));
  const toggle = el("button", "epaper-edit-toggle", say("编辑文章区域", "Edit areas"));
  toggle.type = "button";
  toggle.setAttribute("aria-pressed", "false");
  toggle.title = say("只在预览（serve）中有，发布的网站没有", "Only in the preview (serve), never in the built site");
  const hint = el("span", "epaper-edit-hint", say(
    "在版面上拖动画框并选择文章；拖动框可移动，拖动角点可调整大小。",
    "Drag on the page to draw a box and pick its article; drag a box to move it, its handles to resize it."));
  const save = el("button", "epaper-edit-save", say("保存", "Save"));
  save.type = "button";
  const discard = el("button", "epaper-edit-discard", say("放弃更改", "Discard changes"));
  discard.type = "button";
  const status = el("span", "epaper-edit-status");
  status.setAttribute("role", "status");
  bar.append(toggle, hint, save, discard, status);
  const anchor = frame.closest(".replica") || frame.closest("figure") || frame;
  anchor.parentNode.insertBefore(bar, anchor);

  function tell(message, error) {
    status.textContent = message || "";
    status.classList.toggle("is-error", !!error);
    status.setAttribute("role", error ? "alert" : "status");
  }

  function refreshBar() {
    toggle.setAttribute("aria-pressed", String(on));
    bar.classList.toggle("is-on", on);
    for (const node of [hint, save, discard]) node.hidden = !on;
    save.disabled = dirty.size === 0;
    save.textContent = dirty.size ? say(`保存（${dirty.size} 篇）`, `Save (${dirty.size})`) : say("保存", "Save");
    discard.disabled = dirty.size === 0;
  }

  const titleOf = (source) => (articles.find((a) => a.source === source) || {title: source}).title;

  // ------------------------------------------------------------ boxes

  function place(item) {
    const [x, y, w, h] = item.box;
    Object.assign(item.node.style, {left: x + "%", top: y + "%", width: w + "%", height: h + "%"});
    item.node.classList.toggle("is-changed", dirty.has(item.source));
    item.node.setAttribute("aria-label", `${titleOf(item.source)}: [${item.box.map((v) => v.toFixed(2)).join(", ")}]`);
  }

  function addBox(source, box) {
    const node = el("div", "epaper-edit-box");
    node.tabIndex = 0;
    node.dataset.source = source;
    node.append(el("span", "epaper-edit-label", titleOf(source)));
    for (const h of HANDLES) {
      const handle = el("span", "epaper-edit-handle");
      handle.dataset.h = h;
      node.append(handle);
    }
    const remove = el("button", "epaper-edit-remove", "×");
    remove.type = "button";
    remove.title = say("删除这个框", "Remove this box");
    node.append(remove);
    const item = {source, box, node};
    remove.addEventListener("click", (event) => { event.stopPropagation(); removeBox(item); });
    node.addEventListener("keydown", (event) => keyed(event, item));
    node.addEventListener("focus", () => select(item));
    boxes.push(item);
    layer.append(node);
    place(item);
    return item;
  }

  function removeBox(item) {
    if (boxes.filter((b) => b.source === item.source).length === 1) {
      tell(say("每篇文章至少保留一个框；要去掉区域，请在文件里删除 area: 行。",
               "An article keeps at least one box; to take its area away, delete its area: line in the file."), true);
      return;
    }
    boxes = boxes.filter((b) => b !== item);
    item.node.remove();
    changed(item.source);
  }

  function select(item) {
    for (const b of boxes) b.node.classList.toggle("is-selected", b === item);
  }

  function changed(source) {
    dirty.add(source);
    for (const b of boxes) if (b.source === source) place(b);
    refreshBar();
    tell("");
  }

  function keyed(event, item) {  // arrows move the box (Shift: by 1 %), Delete removes it
    const steps = {ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1]}[event.key];
    if (steps) {
      event.preventDefault();  // not a page turn
      const d = event.shiftKey ? 1 : 0.1;
      const [x, y, w, h] = item.box;
      item.box = [round(clamp(x + steps[0] * d, 0, 100 - w)), round(clamp(y + steps[1] * d, 0, 100 - h)), w, h];
      changed(item.source);
    } else if (event.key === "Delete" || event.key === "Backspace") {
      event.preventDefault();
      removeBox(item);
    }
  }

  // ------------------------------------------------------------ the mouse (and pen, and touch)

  function at(event) {  // the pointer in percent of the scan
    const r = layer.getBoundingClientRect();
    return [clamp((event.clientX - r.left) / r.width * 100, 0, 100), clamp((event.clientY - r.top) / r.height * 100, 0, 100)];
  }

  let gesture = null;  // {kind: "draw" | "move" | "resize", item, from, box, h}

  function down(event) {
    if (event.button !== 0 || picker || event.target.closest(".epaper-edit-remove, .epaper-edit-picker")) return;
    event.preventDefault();
    const from = at(event);
    const node = event.target.closest(".epaper-edit-box");
    if (node) {
      const item = boxes.find((b) => b.node === node);
      select(item);
      node.focus({preventScroll: true});
      const handle = event.target.closest(".epaper-edit-handle");
      gesture = {kind: handle ? "resize" : "move", item, from, box: item.box.slice(), h: handle && handle.dataset.h};
    } else {
      const drawn = el("div", "epaper-edit-box is-new");
      layer.append(drawn);
      gesture = {kind: "draw", item: {source: "", box: [from[0], from[1], 0, 0], node: drawn}, from};
    }
    layer.setPointerCapture(event.pointerId);
  }

  function move(event) {
    if (!gesture) return;
    const [px, py] = at(event);
    const [fx, fy] = gesture.from;
    const item = gesture.item;
    if (gesture.kind === "draw") {
      item.box = [Math.min(fx, px), Math.min(fy, py), Math.abs(px - fx), Math.abs(py - fy)].map(round);
      const [x, y, w, h] = item.box;
      Object.assign(item.node.style, {left: x + "%", top: y + "%", width: w + "%", height: h + "%"});
      return;
    }
    let [x, y, w, h] = gesture.box;
    const dx = px - fx, dy = py - fy;
    if (gesture.kind === "move") {
      x = clamp(x + dx, 0, 100 - w);
      y = clamp(y + dy, 0, 100 - h);
    } else {
      let left = x, top = y, right = x + w, bottom = y + h;
      if (gesture.h.includes("w")) left = clamp(x + dx, 0, right - MIN);
      if (gesture.h.includes("e")) right = clamp(x + w + dx, left + MIN, 100);
      if (gesture.h.includes("n")) top = clamp(y + dy, 0, bottom - MIN);
      if (gesture.h.includes("s")) bottom = clamp(y + h + dy, top + MIN, 100);
      [x, y, w, h] = [left, top, right - left, bottom - top];
    }
    const box = [x, y, w, h].map(round);
    if (box.join() !== item.box.join()) {
      item.box = box;
      dirty.add(item.source);
      place(item);
    }
  }

  function up(event) {
    if (!gesture) return;
    const done = gesture;
    gesture = null;
    if (layer.hasPointerCapture(event.pointerId)) layer.releasePointerCapture(event.pointerId);
    if (done.kind !== "draw") {
      if (dirty.has(done.item.source)) changed(done.item.source);
      return;
    }
    const [x, y, w, h] = done.item.box;
    if (w < MIN || h < MIN) { done.item.node.remove(); return; }  // a click, not a box
    done.item.box = [x, y, round(Math.min(w, 100 - x)), round(Math.min(h, 100 - y))];
    pick(done.item);
  }

  // ------------------------------------------------------------ which article a new box is

  function pick(drawn) {
    picker = el("div", "epaper-edit-picker");
    picker.setAttribute("role", "dialog");
    picker.setAttribute("aria-label", say("这个框属于哪篇文章？", "Which article is this box?"));
    const [x, y, , h] = drawn.box;
    picker.style.left = Math.min(x, 55) + "%";
    if (y + h > 70) picker.style.bottom = (100 - y) + "%"; else picker.style.top = (y + h) + "%";
    const label = el("label", "", say("这个框属于：", "This box is:"));
    const list = el("select");
    list.id = "epaper-edit-article";
    label.htmlFor = list.id;
    for (const a of articles) {
      const has = boxes.some((b) => b.source === a.source);
      const option = el("option", "", a.title + (a.draft ? say("（草稿）", " (draft)") : "")
                        + (has ? "" : say("（尚无区域）", " (no area yet)")));
      option.value = a.source;
      list.append(option);
    }
    const first = articles.find((a) => !boxes.some((b) => b.source === a.source));
    if (first) list.value = first.source;
    const replace = el("button", "primary epaper-edit-set", say("设为它的区域", "Set as its area"));
    const another = el("button", "epaper-edit-add", say("添加为它的又一块（转版）", "Add as another block"));
    const cancel = el("button", "epaper-edit-cancel", say("取消", "Cancel"));
    for (const b of [replace, another, cancel]) b.type = "button";
    const buttons = el("div");
    buttons.append(replace, another, cancel);
    picker.append(label, list, buttons);
    const refresh = () => { another.disabled = !boxes.some((b) => b.source === list.value); };
    list.addEventListener("change", refresh);
    refresh();
    const close = () => { picker.remove(); picker = null; drawn.node.remove(); };
    cancel.addEventListener("click", close);
    const choose = (keep) => {
      const source = list.value;
      close();
      if (!source) return;
      if (!keep) {
        for (const b of boxes.filter((b) => b.source === source)) b.node.remove();
        boxes = boxes.filter((b) => b.source !== source);
      }
      select(addBox(source, drawn.box));
      changed(source);
    };
    replace.addEventListener("click", () => choose(false));
    another.addEventListener("click", () => choose(true));
    picker.addEventListener("pointerdown", (event) => event.stopPropagation());
    picker.addEventListener("keydown", (event) => { event.stopPropagation(); if (event.key === "Escape") close(); });
    layer.append(picker);
    if (!articles.length) {
      list.disabled = replace.disabled = another.disabled = true;
      tell(say("这一版没有文章。", "This page has no articles."), true);
    }
    list.focus();
  }

  // ------------------------------------------------------------ entering, leaving, saving

  async function call(path, options) {
    const response = await fetch(path, Object.assign({cache: "no-store"}, options,
      {headers: Object.assign({"X-Epaper-Token": token}, (options || {}).headers || {})}));
    let data = null;
    try { data = await response.json(); } catch (e) { /* not JSON: said below */ }
    if (!response.ok || !data || !data.ok) {
      throw new Error((data && data.error) || `${response.status} ${response.statusText}`);
    }
    return data;
  }

  async function enter() {
    if (on || busy) return;
    busy = true;
    tell(say("读取本版文章……", "Reading the page's articles…"));
    let data;
    try {
      data = await call("/__epaper__/page?file=" + encodeURIComponent(file));
    } catch (e) {
      tell(e.message, true);
      return;
    } finally {
      busy = false;
    }
    articles = data.articles;
    on = true;
    sessionStorage.setItem(KEPT, "1");
    frame.classList.add("areas-being-edited");
    layer = el("div", "epaper-edit-layer");
    layer.addEventListener("pointerdown", down);
    layer.addEventListener("pointermove", move);
    layer.addEventListener("pointerup", up);
    layer.addEventListener("pointercancel", up);
    for (const kind of ["touchstart", "touchend", "click"]) {  // no swipe page turns, no links followed
      layer.addEventListener(kind, (event) => event.stopPropagation());
    }
    frame.append(layer);
    boxes = [];
    dirty = new Set();
    for (const a of articles) for (const box of a.areas) addBox(a.source, box.map(round));
    refreshBar();
    const saved = sessionStorage.getItem(SAVED);  // what the save before this reload wrote
    sessionStorage.removeItem(SAVED);
    tell(articles.length ? saved || "" : say("这一版没有文章。", "This page has no articles."));
  }

  function leave() {
    if (dirty.size && !window.confirm(say("放弃未保存的更改？", "Discard the changes not saved?"))) return;
    on = false;
    sessionStorage.removeItem(KEPT);
    frame.classList.remove("areas-being-edited");
    if (layer) layer.remove();
    layer = picker = null;
    boxes = [];
    dirty = new Set();
    refreshBar();
    tell("");
  }

  async function store() {
    const article = (source) => articles.find((a) => a.source === source) || {areas: []};
    const changes = [...dirty].map((source) => ({  // "was": refused if the file changed meanwhile
      source, area: boxes.filter((b) => b.source === source).map((b) => b.box), was: article(source).areas}));
    save.disabled = true;
    tell(say("保存中……", "Saving…"));
    try {
      const data = await call("/__epaper__/area", {
        method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({changes})});
      for (const c of changes) article(c.source).areas = c.area;  // what the file now says
      const drafts = changes.filter((c) => article(c.source).draft).length;
      dirty = new Set();
      for (const b of boxes) place(b);
      refreshBar();
      tell(say(`已保存 ${data.saved.length} 篇，正在重新构建……`, `Saved ${data.saved.length}; rebuilding…`)
           + (drafts ? say("（草稿只在 serve --drafts 中显示）", " (drafts show only with serve --drafts)") : ""));
      sessionStorage.setItem(SAVED, say("已写入：", "Written: ") + data.saved.map((s) => `${s.source}: area: ${s.area}`).join("; "));
    } catch (e) {
      refreshBar();
      tell(e.message, true);
    }
  }

  toggle.addEventListener("click", () => (on ? leave() : enter()));
  window.addEventListener("beforeunload", (event) => {  // a reload or a click away: keep unsaved boxes
    if (on && dirty.size) { event.preventDefault(); event.returnValue = ""; }
  });
  save.addEventListener("click", store);
  discard.addEventListener("click", () => { dirty = new Set(); leave(); enter(); });
  refreshBar();
  if (sessionStorage.getItem(KEPT) === "1") enter();
})();
