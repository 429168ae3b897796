"""Live preview: `build.py serve` builds the site, serves it on localhost and
rebuilds it through the ordinary build pipeline whenever a watched file is saved.

Why it is shaped this way:
- The preview builds into a temporary folder, never the site's public/, with
  future editions included and base_url pointed at the preview's own address,
  so tomorrow's edition can be read and every link works.
- The write stage swaps a finished site in atomically and the file handler
  resolves every request afresh, so a browser never sees a half-built site; a
  failed rebuild writes nothing, so the last good site stays served.
- Builds run on the watcher's thread, one at a time; saves are debounced so a
  burst of events (atomic renames, several files) gives one build that sees
  every file as it ended up.
- The browser speaks the livereload protocol with the server (the websocket
  is livereload's handler, made safe: it checks Host and Origin and keeps its
  clients per server). A small script injected into each HTML page shows the
  build's `PATH:LINE` errors over the page and reloads only when a build
  changed what the page shows; when the websocket is refused it polls
  /__epaper__/status instead.
- It answers only for the output folder and only to requests naming this
  machine in Host (DNS rebinding), and never shows an editor a traceback.

The package, by job:
- rebuild.py: Rebuilder runs the build pipeline into a PreviewFolder and keeps the Status,
- watch.py: Watcher polls the sources and reports each burst of saves once,
- http.py: request path safety, the Host policy and the Tornado handlers,
- server.py: Preview wires them together; serve_command is the command,
- client.js: the script injected into every previewed HTML page,
- edit.py and edit.js: edit mode, drawing articles' areas on a printed page's scan
  and saving them as `epaper areas` writes them (the preview's alone, never built).
"""
from __future__ import annotations

from epaper.serve.http import HostPolicy, host_name, inject, request_parts
from epaper.serve.rebuild import Rebuilder
from epaper.serve.server import Preview, serve_command
from epaper.serve.watch import Watcher

__all__ = ["HostPolicy", "Preview", "Rebuilder", "Watcher", "host_name", "inject", "request_parts",
           "serve_command"]
