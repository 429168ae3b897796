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
"""
from __future__ import annotations

import asyncio
import datetime as dt
import fcntl
import hashlib
import html
import ipaddress
import json
import logging
import mimetypes
import os
import re
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Collection, Iterable, Optional
from urllib.parse import quote, unquote, urlsplit

import yaml
from livereload.handlers import LiveReloadHandler
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.netutil import bind_sockets
from tornado.websocket import WebSocketClosedError

from .build import Options, build
from .errors import BuildError, UsageError
from .load import THEME_DIR
from .write import WriteReport

Log = Callable[[str], None]

WATCHED = ("content", "layouts", "static", "config.yaml")  # inside the site folder
STATUS_PATH = "/__epaper__/status"
CLIENT_PATH = "/__epaper__/client.js"
SOCKET_PATH = "/__epaper__/livereload"
MAX_CHANGED = 2000  # past this many changed files, tell browsers "everything changed"
_EDITOR_LITTER = re.compile(r"(^\.#|^#.*#$|~$|\.sw[a-p]$|^4913$|^\.DS_Store$)")


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- rebuilding


@dataclass(frozen=True)
class Status:
    """What the browsers are told about the latest build (immutable: swapped whole between threads)."""

    ok: bool = False
    errors: tuple[str, ...] = ()
    generation: int = 0  # bumps each time a build changed the output
    changed: Optional[tuple[str, ...]] = None  # output files the last bump touched; None: unknown
    base_path: str = "/"  # the site's path on the preview server, from base_url

    def to_json(self, server: str) -> dict[str, Any]:
        return {"server": server, "ok": self.ok, "errors": list(self.errors), "generation": self.generation,
                "changed": None if self.changed is None else list(self.changed)}


def site_base_path(site: Path) -> str:
    """base_url's path from config.yaml ('/news/'), read leniently: the build reports any error in it."""
    try:
        data = yaml.safe_load((site / "config.yaml").read_text(encoding="utf-8"))
        url = data.get("base_url") if isinstance(data, dict) else None
        path = urlsplit(str(url)).path if url else "/"
    except (OSError, UnicodeError, ValueError, yaml.YAMLError):
        path = "/"
    path = "/" + path.strip("/") + "/"
    return "/" if path == "//" else path


class Rebuilder:
    """Runs the build pipeline for the preview: the one place a (re)build happens.

    An incremental build can replace the body of rebuild(); the server only needs its Status."""

    def __init__(self, site: Path, out: Path, origin: str, drafts: bool = False, log: Log = _stderr) -> None:
        self.site = site
        self.out = out
        self.origin = origin  # "http://127.0.0.1:8000": base_url's path is added per build
        self.drafts = drafts
        self.log = log
        self.status = Status()
        self.builds = 0
        self._warnings: frozenset[str] = frozenset()

    def options(self) -> Options:
        """Read base_url's path again each time: config.yaml may have changed it."""
        base_path = quote(site_base_path(self.site), safe="/%")
        # jobs=1 after the first build: the engine's worker pool forks, and by then this
        # process runs the server's threads (a fork can inherit a lock another thread holds).
        return Options(site=self.site, out=self.out, drafts=self.drafts, future=True,
                       base_url=self.origin + base_path, jobs=1 if self.builds else 0,
                       search=False)  # Pagefind would add a second or so to every save

    def rebuild(self, changed: Collection[str] = ()) -> Status:
        """Build once; log one line (after any PATH:LINE errors); return the new Status. Never raises."""
        started = time.perf_counter()
        what = describe(changed, self.site) if changed else "first build"
        previous = self.status
        options = self.options()
        self.builds += 1
        try:
            result = build(options)
        except BuildError as exc:
            errors = tuple(str(d) for d in exc.diagnostics if not d.warning)
            self._print_warnings([str(d) for d in exc.diagnostics if d.warning])
            return self._failed(what, errors, started)
        except UsageError as exc:
            return self._failed(what, (f"epaper: {exc}",), started)
        except Exception as exc:  # a bug of ours: the editor gets one line, the server goes on
            if os.environ.get("EPAPER_DEBUG"):
                traceback.print_exc()
            return self._failed(what, (f"epaper: internal error ({type(exc).__name__}: {exc}); the last good "
                                       "build is still served. Run with EPAPER_DEBUG=1 for details and report it",),
                                started)
        self._print_warnings([str(d) for d in result.diagnostics.warnings])
        report = result.report or WriteReport()
        touched = sorted(set(report.added + report.changed + report.removed))
        base_path = urlsplit(options.base_url or "/").path
        if touched or previous.generation == 0:
            self.status = Status(True, (), previous.generation + 1,
                                 tuple(touched) if len(touched) <= MAX_CHANGED else None, base_path)
        else:  # same output (say, a mistake fixed back): browsers only drop the error overlay
            self.status = Status(True, (), previous.generation, previous.changed, base_path)
        if result.up_to_date:
            done = "the output is up to date"
        elif not changed:
            done = f"{len(result.rendered)} pages rendered"
        else:
            done = (f"{len(result.rendered)} pages re-rendered ({len(report.changed)} changed, "
                    f"{len(report.added)} added, {len(report.removed)} removed)")
        self.log(f"{_clock()} {what}: {done} in {_ms(started)} ms")
        return self.status

    def _failed(self, what: str, errors: tuple[str, ...], started: float) -> Status:
        for line in errors:
            self.log(line)
        n = len(errors)
        kept = "still serving the last good build" if self.status.generation else "no good build to serve yet"
        self.log(f"{_clock()} {what}: {n} error{'s' * (n != 1)}, {kept} ({_ms(started)} ms)")
        old = self.status
        self.status = Status(False, errors, old.generation, old.changed, old.base_path)
        return self.status

    def _print_warnings(self, warnings: list[str]) -> None:
        """Each warning once per appearance, not again on every save while it stands."""
        for line in warnings:
            if line not in self._warnings:
                self.log(line)
        self._warnings = frozenset(warnings)


def describe(changed: Iterable[str], site: Path) -> str:
    """'content/…/a.md changed', 'x.md deleted', 'a.md, b.md and 3 more changed': for the one log line."""
    names = []
    for path in sorted(changed):
        p = Path(path)
        try:
            name = p.relative_to(site).as_posix()
        except ValueError:
            try:
                name = p.relative_to(THEME_DIR.parent.parent).as_posix()
            except ValueError:
                name = str(p)
        names.append(name + ("" if os.path.lexists(p) else " (deleted)"))
    shown = ", ".join(names[:3])
    return f"{shown}{f' and {len(names) - 3} more' if len(names) > 3 else ''} changed"


def _clock() -> str:
    return dt.datetime.now().strftime("%H:%M:%S")


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


class PreviewFolder:
    """Where the preview's output lives: never the site's public/, and the same place for every
    session of one site (the engine keeps per-output-folder state in the site's cache, which
    a new random folder each session would pile up). Private to the user (~/.cache, not /tmp),
    locked so two previews of one site don't share it, deleted when the preview stops."""

    def __init__(self, site: Path) -> None:
        self.lock: Optional[int] = None
        try:
            self.path = self._claim(site)
        except OSError:  # no usable home: a fresh temporary folder will do
            self.path = Path(tempfile.mkdtemp(prefix="epaper-serve-"))
        self.out = self.path / "site"

    def _claim(self, site: Path) -> Path:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        base = cache / "epaper" / "serve"
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = hashlib.blake2b(str(site).encode("utf-8", "surrogateescape"), digest_size=6).hexdigest()
        for n in range(1, 100):
            folder = base / f"{key}-{n}"
            folder.mkdir(mode=0o700, exist_ok=True)
            fd = os.open(folder / "lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue  # another preview of this site runs: take the next folder
            self.lock = fd
            return folder
        raise OSError("too many previews of this site")

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        if self.lock is not None:
            os.close(self.lock)
            self.lock = None


# ---------------------------------------------------------------- watching


Snapshot = dict[str, tuple[int, int, int]]


class Watcher:
    """Polls the watched files and calls on_change(paths) once per burst of saves.

    Polling (not inotify) sees atomic renames, deletes and moves alike with no extra
    dependency; a burst ends when a poll finds nothing new for `quiet` seconds (or after
    `longest` seconds of continuous change), and only then is the tree rebuilt."""

    def __init__(self, roots: list[Path], on_change: Callable[[set[str]], None], poll: float = 0.15,
                 quiet: float = 0.3, longest: float = 3.0, log: Log = _stderr) -> None:
        self.roots = roots
        self.on_change = on_change
        self.poll, self.quiet, self.longest = poll, quiet, longest
        self.log = log
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._snapshot = self.snapshot()

    def snapshot(self) -> Snapshot:
        files: Snapshot = {}
        for root in self.roots:
            if root.is_file():
                _stat_into(files, str(root))
            for folder, dirs, names in os.walk(root):
                dirs[:] = [d for d in dirs if d not in (".git", "__pycache__")]
                for name in names:
                    if not _EDITOR_LITTER.search(name):
                        _stat_into(files, os.path.join(folder, name))
        return files

    def changes(self) -> set[str]:
        """Paths added, removed or modified since the last call."""
        new = self.snapshot()
        old, self._snapshot = self._snapshot, new
        return {p for p in old.keys() | new.keys() if old.get(p) != new.get(p)}

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="epaper-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        pending: set[str] = set()
        first = last = 0.0
        interval = self.poll
        while not self._stop.wait(interval):
            scanned = time.monotonic()
            found = self.changes()
            now = time.monotonic()
            interval = max(self.poll, 4 * (now - scanned))  # a huge tree is polled less often
            if found:
                first = first if pending else now
                pending |= found
                last = now
                if now - first < self.longest:
                    continue
            if pending and (now - last >= self.quiet or now - first >= self.longest):
                batch, pending = pending, set()
                try:
                    self.on_change(batch)
                except Exception as exc:  # keep watching whatever happened
                    self.log(f"epaper: internal error while rebuilding ({type(exc).__name__}: {exc})")


def _stat_into(files: Snapshot, path: str) -> None:
    try:
        st = os.stat(path)
    except OSError:
        return  # vanished between listing and stat: the next poll sees it gone
    files[path] = (st.st_mtime_ns, st.st_size, st.st_ino)


# ---------------------------------------------------------------- requests


def request_parts(raw_path: str) -> Optional[list[str]]:
    """The decoded segments of a request path, or None for anything that could leave the folder.

    Decodes each segment on its own, so %2f never becomes a separator; refuses '.', '..',
    empty segments ('//'), backslashes, NUL and control characters, and bytes that are not UTF-8."""
    if not raw_path.startswith("/") or raw_path.startswith("//"):
        return None
    pieces = raw_path[1:].split("/")
    parts: list[str] = []
    for i, piece in enumerate(pieces):
        try:
            part = unquote(piece, errors="strict")
        except UnicodeDecodeError:
            return None
        if part == "":
            if i == len(pieces) - 1:
                break  # the trailing slash of a folder
            return None
        if part in (".", "..") or any(c in part for c in "/\\") or any(ord(c) < 32 or ord(c) == 127 for c in part):
            return None
        parts.append(part)
    return parts


def host_name(value: Optional[str]) -> Optional[str]:
    """The host of a Host header ('Example.org:8000' -> 'example.org', '[::1]:80' -> '::1'); None if malformed."""
    if not value:
        return None
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[1:end], value[end + 1:]
    else:
        name, colon, port = value.partition(":")
        rest = colon + port
    if rest and not re.fullmatch(r":\d{1,5}", rest):
        return None
    name = name[:-1] if name.endswith(".") else name
    if not name or not re.fullmatch(r"[a-z0-9.:_-]+", name):
        return None
    return name


class HostPolicy:
    """Which names a request may use for this server: the bound one and loopback's.

    A DNS-rebinding page (evil.example resolving to 127.0.0.1) sends its own name in Host and
    is refused. Bound to all interfaces, literal IP addresses and this machine's name are
    allowed too: a rebinding attack cannot put a literal address in Host."""

    def __init__(self, bound: str) -> None:
        bound = bound.strip("[]").lower()
        self.names = {"localhost", "127.0.0.1", "::1", bound}
        self.wildcard = bound in ("", "0.0.0.0", "::")
        if self.wildcard:
            hostname = socket.gethostname().lower()
            self.names |= {hostname, hostname + ".local"}

    def allows(self, name: Optional[str]) -> bool:
        if name is None:
            return False
        if name in self.names or name.endswith(".localhost"):
            return True
        if self.wildcard:
            try:
                ipaddress.ip_address(name)
                return True
            except ValueError:
                return False
        return False


def inject(page: bytes, tag: bytes) -> bytes:
    """Put the live client into an HTML page: before </head>, else </body>, else at the end."""
    for pattern in (rb"</head\s*>", rb"</body\s*>"):
        match = re.search(pattern, page, re.IGNORECASE)
        if match:
            return page[:match.start()] + tag + page[match.start():]
    return page + tag


_TEXT_TYPES = ("text/", "application/javascript", "application/json", "application/xml", "application/atom+xml",
               "image/svg+xml")


def content_type(path: str) -> str:
    kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
    if kind.startswith(_TEXT_TYPES):
        kind += "; charset=utf-8"
    return kind


class _Handler(web.RequestHandler):
    """Shared by every handler: the Host check, no caching, one-line error logs."""

    preview: "Preview"

    def initialize(self, preview: "Preview") -> None:
        self.preview = preview

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.clear_header("Server")

    def prepare(self) -> None:
        refusal = self.preview.refuse(self.request.headers.get("Host"))
        if refusal:
            status, message = refusal
            self.set_status(status)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(message + "\n")

    def compute_etag(self) -> None:
        return None  # nothing is cached (no-store): an ETag would only go stale

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code} {self._reason}\n")

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, web.HTTPError):
            return
        self.preview.log(f"epaper: internal error serving {self.request.path!r} ({typ.__name__}: {value})")


class SiteHandler(_Handler):
    """Serves files of the output folder, resolving the folder afresh for every request."""

    def get(self) -> None:
        self._serve(body=True)

    def head(self) -> None:
        self._serve(body=False)

    def _serve(self, body: bool) -> None:
        raw = self.request.path
        parts = request_parts(raw)
        if parts is None:
            return self._not_found(body)
        status = self.preview.rebuilder.status
        base = [unquote(p) for p in status.base_path.split("/") if p]
        if parts[:len(base)] != base:
            if not parts and base:
                return self.redirect(quote(status.base_path, safe="/%"))
            return self._not_found(body)
        rel = parts[len(base):]
        root = os.path.realpath(self.preview.out)
        target = os.path.realpath(os.path.join(root, *rel))
        if target != root and not target.startswith(root + os.sep):
            return self._not_found(body)  # a symlink pointing out of the output
        if os.path.isdir(target):
            if not raw.endswith("/"):
                query = f"?{self.request.query}" if self.request.query else ""
                return self.redirect(raw + "/" + query, permanent=True)
            rel = rel + ["index.html"]
            target = os.path.join(target, "index.html")
        data = _read(target)
        if data is None:
            return self._not_found(body)
        self._send(200, "/".join(rel), target, data, body)

    def _not_found(self, body: bool) -> None:
        page = os.path.join(os.path.realpath(self.preview.out), "404.html")
        data = _read(page)
        if data is None:  # no good build yet: a page that still carries the error overlay
            data = b"<!doctype html><html><head><meta charset=utf-8><title>404</title></head>" \
                   b"<body><p>Not found.</p></body></html>"
        self._send(404, "404.html", "404.html", data, body)

    def _send(self, code: int, file: str, path: str, data: bytes, body: bool) -> None:
        self.set_status(code)
        kind = content_type(path)
        self.set_header("Content-Type", kind)
        if kind.startswith("text/html"):
            data = inject(data, self.preview.client_tag(file))
        if body:
            self.finish(data)
        else:
            self.set_header("Content-Length", str(len(data)))
            self.finish()


def _read(path: str) -> Optional[bytes]:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:  # missing, a folder, or swapped away mid-request: a 404, never a crash
        return None


class StatusHandler(_Handler):
    """The latest build as JSON: the client's fallback when its websocket is refused."""

    def get(self) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(self.preview.status_json(), ensure_ascii=False))


class ClientHandler(_Handler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/javascript; charset=utf-8")
        self.finish(CLIENT_JS)


class LiveSocket(LiveReloadHandler):
    """livereload's websocket endpoint, made safe for this server.

    LiveReloadHandler accepts any Origin (a page on any site could listen to the build's
    errors), keeps its clients in one class-wide set and throttles reloads to one per few
    seconds; here Host and Origin are checked, clients belong to one Preview, and every
    successful build is announced."""

    preview: "Preview"

    def initialize(self, preview: "Preview") -> None:  # type: ignore[override]
        self.preview = preview

    def prepare(self) -> None:
        refusal = self.preview.refuse(self.request.headers.get("Host"))
        if refusal:
            raise web.HTTPError(refusal[0])

    def check_origin(self, origin: str) -> bool:
        return self.preview.hosts.allows(host_name(urlsplit(origin).netloc))

    def open(self, *args: Any, **kwargs: Any) -> None:
        self.preview.sockets.add(self)

    def on_close(self) -> None:
        self.preview.sockets.discard(self)

    def on_message(self, message: str | bytes) -> None:
        """The livereload handshake (hello -> hello), then the current status at once."""
        try:
            data = json.loads(message)
        except ValueError:
            return
        if isinstance(data, dict) and data.get("command") == "hello":
            self.send({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"],
                       "serverName": "epaper"})
            self.send({"command": "epaper", "status": self.preview.status_json()})

    def send(self, message: dict[str, Any]) -> None:
        """Write without letting a closed socket log a traceback (python-livereload#251)."""
        try:
            future = self.write_message(json.dumps(message, ensure_ascii=False))
        except WebSocketClosedError:
            self.preview.sockets.discard(self)
            return
        future.add_done_callback(lambda f: f.cancelled() or f.exception())

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if not isinstance(value, web.HTTPError):
            self.preview.log(f"epaper: internal error in the live-reload socket ({typ.__name__}: {value})")


# ---------------------------------------------------------------- the server


class Preview:
    """The dev server: a first build, then serving, watching and rebuilding until stop()."""

    def __init__(self, site: Path, host: str = "127.0.0.1", port: int = 8000, drafts: bool = False,
                 log: Log = _stderr, poll: float = 0.15, quiet: float = 0.3) -> None:
        self.site = site.resolve()
        self.host = host
        self.port = port
        self.drafts = drafts
        self.log = log
        self.poll, self.quiet = poll, quiet
        self.hosts = HostPolicy(host)
        self.server_id = secrets.token_hex(8)
        self.sockets: set[LiveSocket] = set()
        self.out = Path()
        self.addresses: list[Any] = []
        self.rebuilder: Rebuilder
        self.watcher: Optional[Watcher] = None
        self._folder: Optional[PreviewFolder] = None
        self._loop: Optional[IOLoop] = None
        self._stopping: Optional[asyncio.Event] = None
        self._thread: Optional[threading.Thread] = None
        self._ready = threading.Event()
        self._announced = 0  # the generation the browsers were last told to reload for

    @property
    def origin(self) -> str:
        shown = "127.0.0.1" if self.hosts.wildcard else self.host
        shown = f"[{shown}]" if ":" in shown else shown
        return f"http://{shown}:{self.port}"

    @property
    def url(self) -> str:
        return self.origin + quote(self.rebuilder.status.base_path, safe="/%")

    def watched(self) -> list[Path]:
        """The site's sources, and the default theme, which every site falls back on file by file."""
        return [self.site / name for name in WATCHED] + [THEME_DIR]

    def start(self) -> str:
        """Bind, build once, then serve and watch in background threads; returns the URL."""
        if not (self.site / "config.yaml").is_file():
            raise UsageError(f"{self.site} is not a site folder (no config.yaml); choose one with --site")
        if not 0 <= self.port <= 65535:
            raise UsageError(f"--port {self.port} is not a port number (0-65535; 0 picks a free one)")
        try:
            sockets = bind_sockets(self.port, address=self.host)
        except OSError as exc:
            raise UsageError(f"cannot listen on {self.host}:{self.port} ({exc.strerror or exc}); "
                             "choose another --port or --host") from None
        self.port = sockets[0].getsockname()[1]
        self.addresses = [sock.getsockname() for sock in sockets]
        self._folder = PreviewFolder(self.site)
        self.out = self._folder.out
        self.rebuilder = Rebuilder(self.site, self.out, self.origin, self.drafts, self.log)
        try:
            # The watcher's first snapshot comes before the first build: a save during it is not lost.
            self.watcher = Watcher(self.watched(), self._changed, self.poll, self.quiet, log=self.log)
            self._announced = self.rebuilder.rebuild().generation
            self._thread = threading.Thread(target=self._run, args=(sockets,), name="epaper-serve", daemon=True)
            self._thread.start()
            self._ready.wait(timeout=30)
            self.watcher.start()
        except BaseException:
            if not self._thread:
                for sock in sockets:
                    sock.close()
            self.stop()
            raise
        return self.url

    def stop(self) -> None:
        """Stop watching and serving, close the browsers' sockets, delete the preview output."""
        if self.watcher:
            self.watcher.stop()
        if self._loop and self._stopping:
            self._loop.add_callback(self._stopping.set)
            self._loop = None
        if self._thread:
            self._thread.join(timeout=10)
        if self._folder:
            self._folder.remove()
            self._folder = None

    def wait(self) -> None:
        """Block until the server stops (Ctrl-C raises KeyboardInterrupt here)."""
        while self._thread and self._thread.is_alive():
            self._thread.join(0.5)

    def _changed(self, paths: set[str]) -> None:
        """Watcher thread: rebuild, then tell the browsers on the server's loop."""
        status = self.rebuilder.rebuild(paths)
        if self._loop:
            self._loop.add_callback(self._announce, status)

    def _announce(self, status: Status) -> None:
        state = status.to_json(self.server_id)
        if status.ok and status.generation != self._announced:
            message = {"command": "reload", "path": "*", "liveCSS": False, "epaper": state}
        else:
            message = {"command": "epaper", "status": state}
        self._announced = status.generation
        for client in list(self.sockets):
            client.send(message)

    def status_json(self) -> dict[str, Any]:
        return self.rebuilder.status.to_json(self.server_id)

    def client_tag(self, file: str) -> bytes:
        """The script tag injected into HTML: the build status rides along, so an overlay shows at once."""
        now = dict(self.status_json(), changed=None)  # the page is current: what changed before is moot
        state = html.escape(json.dumps(now, ensure_ascii=False), quote=True)
        return (f'<script src="{CLIENT_PATH}" data-epaper-status="{state}" '
                f'data-epaper-file="{html.escape(file, quote=True)}" defer></script>').encode("utf-8")

    def refuse(self, host_header: Optional[str]) -> Optional[tuple[int, str]]:
        """(status, message) when a request's Host must be refused, else None."""
        name = host_name(host_header)
        if name is None:
            return 400, "epaper serve: bad or missing Host header"
        if not self.hosts.allows(name):
            return 403, (f"epaper serve: refused a request for host {name!r}; this preview answers to "
                         f"{self.host}, localhost and 127.0.0.1 (use --host to serve another name)")
        return None

    def _application(self) -> web.Application:
        args = {"preview": self}
        return web.Application([
            (STATUS_PATH, StatusHandler, args),
            (CLIENT_PATH, ClientHandler, args),
            (SOCKET_PATH, LiveSocket, args),
            (r".*", SiteHandler, args),
        ], log_function=lambda handler: None, compress_response=False, websocket_ping_interval=30)

    def _run(self, sockets: list[socket.socket]) -> None:
        try:
            asyncio.run(self._serve(sockets))
        except Exception as exc:
            self.log(f"epaper: the preview server stopped ({type(exc).__name__}: {exc})")
        finally:
            self._ready.set()

    async def _serve(self, sockets: list[socket.socket]) -> None:
        asyncio.get_running_loop().set_exception_handler(self._loop_error)
        self._loop = IOLoop.current()
        self._stopping = asyncio.Event()
        server = HTTPServer(self._application())
        server.add_sockets(sockets)
        self._ready.set()
        await self._stopping.wait()
        server.stop()
        for client in list(self.sockets):
            client.close()
        try:
            await asyncio.wait_for(server.close_all_connections(), timeout=2)
        except asyncio.TimeoutError:
            pass

    def _loop_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, (WebSocketClosedError, ConnectionError)):
            return
        self.log(f"epaper: {context.get('message', 'error')}" + (f" ({type(exc).__name__}: {exc})" if exc else ""))


def quiet_tornado() -> None:
    """Tornado logs bad requests and dropped connections with tracebacks; an editor needs none."""
    for name in ("tornado.access", "tornado.application", "tornado.general", "asyncio"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def serve_command(site: Path, host: str, port: int, drafts: bool) -> int:
    """`build.py serve`: exit status 0 on Ctrl-C, 2 when the site or port cannot be used."""
    quiet_tornado()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)  # `kill` cleans up like Ctrl-C does
    preview = Preview(site, host, port, drafts)
    try:
        try:
            url = preview.start()
        except UsageError as exc:
            print(f"epaper: {exc}", file=sys.stderr)
            return 2
        where = " (listening on every interface)" if preview.hosts.wildcard else ""
        _stderr(f"serving {url}{where}")
        _stderr(f"watching {preview.site}: content/, layouts/, static/, config.yaml and the default theme; "
                "Ctrl-C stops")
        preview.wait()
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        try:
            preview.stop()
        except KeyboardInterrupt:  # a second Ctrl-C while stopping: just go
            pass


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


# ---------------------------------------------------------------- the browser's side

CLIENT_JS = r"""// epaper serve: live reload and the build-error overlay. Not part of the built site.
(() => {
  "use strict";
  const tag = document.querySelector("script[data-epaper-status]");
  if (!tag || window.__epaperLive) return;
  window.__epaperLive = true;
  const here = JSON.parse(tag.dataset.epaperStatus);  // the build this page came from
  const file = tag.dataset.epaperFile || "";
  const ASSET = /\.(css|m?js|png|jpe?g|gif|svg|webp|avif|ico|woff2?|ttf|otf)$/i;
  const zh = (document.documentElement.lang || "").toLowerCase().startsWith("zh");
  let overlay = null, current = [], dismissed = null, socket = null;

  const touchesThisPage = (s) =>
    !s.changed || file === "404.html" || s.changed.some((f) => f === file || ASSET.test(f));

  function update(s) {
    if (s.server !== here.server) return location.reload();  // the server was restarted
    if (s.ok && s.generation !== here.generation) {
      if (s.generation === here.generation + 1 && !touchesThisPage(s)) here.generation = s.generation;
      else return location.reload();
    }
    show(s.ok ? [] : s.errors);
  }

  function el(name, cls, text) {
    const node = document.createElement(name);
    if (cls) node.className = cls;
    if (text) node.textContent = text;  // never innerHTML: messages quote the editor's text
    return node;
  }

  function show(errors) {
    current = errors;
    const key = errors.join("\n");
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
    for (const line of errors) {
      const item = el("li");
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
    dismissed = current.join("\n");
    show(current);
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

  show(here.ok ? [] : here.errors);
  connect();
})();
"""
