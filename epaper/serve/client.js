// epaper serve: live reload and the build-error overlay. Not part of the built site.
(() => {
  "use strict";
  const tag = document.querySelector("script[data-epaper-status]");
  if (!tag || window.__epaperLive) return;
  window.__epaperLive = true;
  const here = JSON.parse(tag.dataset.epaperStatus);  // the build this page came from
  const file = tag.dataset.epaperFile || "";
  const ASSET = /\.(css|m?js|png|jpe?g|gif|svg|webp|avif|ico|woff2?|ttf|otf)$/i;
  const zh = (document.documentElement.lang || "").toLowerCase().startsWith("zh");
  let overlay = null, current = [[], []], dismissed = null, socket = null;

  const touchesThisPage = (s) =>
    !s.changed || file === "404.html" || s.changed.some((f) => f === file || ASSET.test(f));

  function update(s) {
    if (s.server !== here.server) return location.reload();  // the server was restarted
    if (s.ok && s.generation !== here.generation) {
      if (s.generation === here.generation + 1 && !touchesThisPage(s)) here.generation = s.generation;
      else return location.reload();
    }
    show(s.ok ? [] : s.errors, s.ok ? [] : s.warnings || []);
  }

  function el(name, cls, text) {
    const node = document.createElement(name);
    if (cls) node.className = cls;
    if (text) node.textContent = text;  // never innerHTML: messages quote the editor's text
    return node;
  }

  // Errors, then the build's warnings (each line already says 警告/warning in the editor's language).
  function show(errors, warnings = []) {
    current = [errors, warnings];
    const key = errors.concat(warnings).join("\n");
    if (!errors.length || key === dismissed) {
      if (overlay) { overlay.remove(); overlay = null; }
      return;
    }
    if (!overlay) {
      overlay = document.createElement("epaper-error-overlay");
      overlay.id = "epaper-error-overlay";
      overlay.attachShadow({mode: "open"});
    }
    const root = overlay.shadowRoot;
    root.replaceChildren();
    const style = el("style");
    style.textContent = `
      :host { all: initial; position: fixed; inset: 0; z-index: 2147483647; }
      .backdrop { position: absolute; inset: 0; background: rgba(20, 20, 20, .55); display: flex;
        align-items: flex-start; justify-content: center; overflow: auto; padding: 6vh 16px; box-sizing: border-box; }
      .box { background: #fff; color: #1a1a1a; max-width: 960px; width: 100%; border-top: 6px solid #c62828;
        border-radius: 6px; box-shadow: 0 12px 40px rgba(0,0,0,.35); padding: 20px 24px;
        font: 15px/1.55 system-ui, -apple-system, "Noto Sans CJK SC", "PingFang SC", sans-serif; }
      h2 { margin: 0 0 4px; font-size: 20px; color: #b71c1c; }
      p { margin: 0 0 14px; color: #444; }
      ol { margin: 0; padding: 0; list-style: none; }
      li { font: 14px/1.5 ui-monospace, "SFMono-Regular", Menlo, Consolas, "Noto Sans Mono CJK SC", monospace;
        white-space: pre-wrap; word-break: break-word; padding: 8px 10px; margin: 0 0 6px;
        background: #fdf0f0; border-left: 3px solid #c62828; }
      li.warning { background: #fff8e1; border-left-color: #f9a825; }
      li.warning .where { color: #7a5200; }
      .where { font-weight: 700; color: #8e0000; }
      button { float: right; font: inherit; font-size: 13px; border: 1px solid #bbb; background: #f6f6f6;
        border-radius: 4px; padding: 2px 10px; cursor: pointer; }`;
    const box = el("div", "box");
    box.setAttribute("role", "alertdialog");
    const close = el("button", "", zh ? "关闭 (Esc)" : "Close (Esc)");
    close.addEventListener("click", dismiss);
    box.append(close, el("h2", "", zh ? "构建失败" : "The build failed"),
      el("p", "", zh ? "改正并保存文件后，页面会自动恢复。下面仍是上一次成功构建的页面。"
                     : "Fix the file and save: this page comes back by itself. Underneath is the last good build."));
    const list = el("ol");
    for (const [line, warning] of errors.map((l) => [l, false]).concat(warnings.map((l) => [l, true]))) {
      const item = el("li", warning ? "warning" : "error");
      const m = /^(.*?:\d+):\s?([\s\S]*)$/.exec(line);
      if (m) item.append(el("span", "where", m[1] + ":"), document.createTextNode(" " + m[2]));
      else item.textContent = line;
      list.append(item);
    }
    box.append(list);
    const backdrop = el("div", "backdrop");
    backdrop.append(box);
    root.append(style, backdrop);
    if (!overlay.isConnected) (document.body || document.documentElement).append(overlay);
  }

  function dismiss() {  // until the errors change
    dismissed = current[0].concat(current[1]).join("\n");
    show(current[0], current[1]);
  }
  document.addEventListener("keydown", (e) => { if (e.key === "Escape" && overlay) dismiss(); });

  function connect() {
    let ws;
    try {
      const scheme = location.protocol === "https:" ? "wss://" : "ws://";
      ws = new WebSocket(scheme + location.host + "/__epaper__/livereload");
    } catch (e) { return setTimeout(poll, 1000); }
    socket = ws;
    ws.onopen = () => ws.send(JSON.stringify({command: "hello", protocols: ["http://livereload.com/protocols/official-7"]}));
    ws.onmessage = (event) => {
      let m;
      try { m = JSON.parse(event.data); } catch (e) { return; }
      if (m.command === "hello") ws.send(JSON.stringify({command: "info", url: location.href, plugins: {}}));
      else if (m.command === "epaper") update(m.status);
      else if (m.command === "reload") { if (m.epaper) update(m.epaper); else location.reload(); }
    };
    ws.onclose = () => { if (socket === ws) { socket = null; setTimeout(poll, 1000); } };
  }

  // Without the websocket (server restarting, or a proxy refusing it) ask over plain HTTP.
  function poll() {
    fetch("/__epaper__/status", {cache: "no-store"})
      .then((r) => r.json())
      .then((s) => { update(s); connect(); }, () => setTimeout(poll, 2000));
  }

  show(here.ok ? [] : here.errors, here.ok ? [] : here.warnings || []);
  connect();

  // A printed page's scan gets the preview's area editor, served by the preview only.
  if (document.querySelector(".scan-frame")) {
    const editor = document.createElement("script");
    editor.src = "/__epaper__/edit.js";
    document.head.append(editor);
  }
})();
