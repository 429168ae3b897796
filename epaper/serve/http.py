"""Answering requests: path safety, the Host policy, content types, the Tornado handlers
and the livereload websocket.

It answers only for the output folder and only to requests naming this machine in Host
(DNS rebinding), and never shows an editor a traceback. The write stage swaps a
finished site in atomically and SiteHandler resolves every request afresh, so a
browser never sees a half-built site. The websocket is livereload's handler made safe:
it checks Host and Origin and keeps its clients per server.
"""
from __future__ import annotations

import ipaddress
import json
import mimetypes
import os
import re
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

from livereload.handlers import LiveReloadHandler
from tornado import web
from tornado.websocket import WebSocketClosedError

if TYPE_CHECKING:  # only for annotations: server.py imports this module
    from epaper.serve.server import Preview

STATUS_PATH = "/__epaper__/status"
CLIENT_PATH = "/__epaper__/client.js"
SOCKET_PATH = "/__epaper__/livereload"

# The browser's side (live reload, the error overlay): a file of its own so it can be
# read and linted as JavaScript; read once, served from memory.
CLIENT_JS = Path(__file__).with_name("client.js").read_text(encoding="utf-8")


def request_parts(raw_path: str) -> list[str] | None:
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


def host_name(value: str | None) -> str | None:
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

    def allows(self, name: str | None) -> bool:
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


def own_origin(preview: Preview, origin: str | None) -> bool:
    """Whether an Origin header names one of this server's own pages: an allowed host name on
    another port is another server (a page on localhost:3000 must not listen to the build's
    errors, nor save an area)."""
    if not origin:
        return False
    parts = urlsplit(origin)
    try:
        port = parts.port or 80
    except ValueError:  # not a port number
        return False
    return parts.scheme == "http" and port == preview.port and preview.hosts.allows(host_name(parts.netloc))


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


class Handler(web.RequestHandler):
    """Shared by every handler: the Host check, no caching, one-line error logs."""

    preview: Preview

    def initialize(self, preview: Preview) -> None:
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


class SiteHandler(Handler):
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
        if rel[:1] == ["pagefind"]:  # the search index, made in the background (serve/search.py)
            found = self.preview.rebuilder.search.file(rel[1:])
            data = _read(found) if found else None
            if found is None or data is None:
                return self._not_found(body)
            return self._send(200, "/".join(rel), found, data, body)
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


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:  # missing, a folder, or swapped away mid-request: a 404, never a crash
        return None


class StatusHandler(Handler):
    """The latest build as JSON: the client's fallback when its websocket is refused."""

    def get(self) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(self.preview.status_json(), ensure_ascii=False))


class ClientHandler(Handler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/javascript; charset=utf-8")
        self.finish(CLIENT_JS)


class LiveSocket(LiveReloadHandler):
    """livereload's websocket endpoint, made safe for this server.

    LiveReloadHandler accepts any Origin (a page on any site could listen to the build's
    errors), keeps its clients in one class-wide set and throttles reloads to one per few
    seconds; here Host and Origin are checked, clients belong to one Preview, and every
    successful build is announced."""

    preview: Preview

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def prepare(self) -> None:
        refusal = self.preview.refuse(self.request.headers.get("Host"))
        if refusal:
            raise web.HTTPError(refusal[0])

    def check_origin(self, origin: str) -> bool:
        return own_origin(self.preview, origin)

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
