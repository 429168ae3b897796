"""The dev server itself: Preview wires the HTTP server, the watcher and the rebuilder
together; serve_command is `build.py serve`, with Ctrl-C and `kill` stopping it cleanly.
"""
from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import secrets
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.netutil import bind_sockets
from tornado.websocket import WebSocketClosedError

from epaper import messages as M
from epaper.content.config import written_language
from epaper.errors import UsageError, messages_translations
from epaper.serve.edit import (
    AREA_PATH,
    EDIT_JS_PATH,
    PAGE_PATH,
    AreaHandler,
    EditScriptHandler,
    PageHandler,
    new_token,
)
from epaper.serve.http import (
    CLIENT_PATH,
    SOCKET_PATH,
    STATUS_PATH,
    ClientHandler,
    HostPolicy,
    LiveSocket,
    SiteHandler,
    StatusHandler,
    host_name,
)
from epaper.serve.rebuild import Log, PreviewFolder, Rebuilder, Status, stderr_line
from epaper.serve.watch import WATCHED, Watcher
from epaper.themes import THEME_DIR


class Preview:
    """The dev server: a first build, then serving, watching and rebuilding until stop()."""

    def __init__(self, site: Path, host: str = "127.0.0.1", port: int = 8000, drafts: bool = False,
                 log: Log = stderr_line, poll: float = 0.15, quiet: float = 0.3, messages: str | None = None) -> None:
        self.site = site.resolve()
        self.messages = messages  # --messages: the diagnostics' language, else config.yaml's
        self.host = host
        self.port = port
        self.drafts = drafts
        self.log = log
        self.poll, self.quiet = poll, quiet
        self.hosts = HostPolicy(host)
        self.server_id = secrets.token_hex(8)
        self.edit_token = new_token()  # only the pages this preview serves know it: they may save areas
        self.edit_lock = threading.Lock()
        self.sockets: set[LiveSocket] = set()
        self.out = Path()
        self.addresses: list[Any] = []
        self.rebuilder: Rebuilder
        self.watcher: Watcher | None = None
        self._folder: PreviewFolder | None = None
        self._loop: IOLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
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
            raise UsageError(M.NOT_A_SITE_FOLDER(site=str(self.site)))
        if not 0 <= self.port <= 65535:
            raise UsageError(M.NOT_A_PORT(port=self.port))
        try:
            sockets = bind_sockets(self.port, address=self.host)
        except OSError as exc:
            raise UsageError(M.CANNOT_LISTEN(host=self.host, port=self.port, reason=str(exc.strerror or exc))) from None
        self.port = sockets[0].getsockname()[1]
        self.addresses = [sock.getsockname() for sock in sockets]
        self._folder = PreviewFolder(self.site)
        self.out = self._folder.out
        self.rebuilder = Rebuilder(self.site, self.out, self.origin, self.drafts, self.log, self.messages)
        try:
            # The watcher's first snapshot comes before the first build: a save during it is not lost.
            self.watcher = Watcher(self.watched(), self._changed, self.poll, self.quiet, log=self.log)
            self._announced = self.rebuilder.rebuild().generation
            self.rebuilder.refresh_search()  # before the watcher's thread can start another build
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
        if getattr(self, "rebuilder", None) is not None:
            self.rebuilder.close()
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
        self.rebuilder.refresh_search()  # after the reload is on its way; Pagefind runs in its own thread

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
                f'data-epaper-file="{html.escape(file, quote=True)}" data-epaper-token="{self.edit_token}" '
                'defer></script>').encode()

    def refuse(self, host_header: str | None) -> tuple[int, str] | None:
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
            (EDIT_JS_PATH, EditScriptHandler, args),
            (PAGE_PATH, PageHandler, args),
            (AREA_PATH, AreaHandler, args),
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
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(server.close_all_connections(), timeout=2)

    def _loop_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, (WebSocketClosedError, ConnectionError)):
            return
        self.log(f"epaper: {context.get('message', 'error')}" + (f" ({type(exc).__name__}: {exc})" if exc else ""))


def quiet_tornado() -> None:
    """Tornado logs bad requests and dropped connections with tracebacks; an editor needs none."""
    for name in ("tornado.access", "tornado.application", "tornado.general", "asyncio"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def serve_command(site: Path, host: str, port: int, drafts: bool, messages: str | None = None) -> int:
    """`build.py serve`: exit status 0 on Ctrl-C, 2 when the site or port cannot be used."""
    quiet_tornado()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)  # `kill` cleans up like Ctrl-C does
    preview = Preview(site, host, port, drafts, messages=messages)
    translations = messages_translations(messages or written_language(site))
    try:
        try:
            url = preview.start()
        except UsageError as exc:
            print(exc.shown(translations), file=sys.stderr)
            return 2
        serving = M.SERVING_EVERYWHERE if preview.hosts.wildcard else M.SERVING
        stderr_line(serving(url=url).render(translations))
        stderr_line(M.WATCHING(site=str(preview.site)).render(translations))
        preview.wait()
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        with contextlib.suppress(KeyboardInterrupt):  # a second Ctrl-C while stopping: just go
            preview.stop()


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
