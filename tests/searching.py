"""Searching a built site as a reader does: the site on a local static host, queries typed
into its search page in Chromium (the `chromium` fixture of browser.py), every result's URL."""
from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conftest import build_ok


@dataclass
class Dropped:
    """Requests the host drops without an answer, as a reader's network now and then does: the
    first `times` whose path matches `pattern`; `paths` lists them, so a test can show it happened."""

    pattern: str
    times: int = 1
    paths: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, path: str) -> bool:
        """Whether to drop this request (counted: the browser fetches in parallel)."""
        with self.lock:
            if len(self.paths) >= self.times or not re.search(self.pattern, path):
                return False
            self.paths.append(path)
            return True


@dataclass
class Held:
    """Requests whose path matches `pattern` wait for `release` (a slow network) before the host
    answers them; `release.set()` lets them through."""

    pattern: str
    release: threading.Event = field(default_factory=threading.Event)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args: Any, directory: str, drop: Dropped | None, hold: Held | None, **kwargs: Any) -> None:
        self.drop = drop
        self.hold = hold
        super().__init__(*args, directory=directory, **kwargs)

    def do_GET(self) -> None:
        if self.drop is not None and self.drop.take(self.path):
            self.close_connection = True  # no answer at all: the browser's fetch fails
            return
        if self.hold is not None and re.search(self.hold.pattern, self.path):
            self.hold.release.wait(timeout=60)
        super().do_GET()

    def log_message(self, *args: Any) -> None:  # keep pytest's output clean
        pass


class _Host(http.server.ThreadingHTTPServer):
    # Connections not yet accepted (5 by default): a page and Pagefind fetch several files at
    # once, and on a loaded machine a full queue costs each new connection a retransmitted SYN
    # (a second or more), not a failure, but time a test waits for.
    request_queue_size = 64


@contextmanager
def served(root: Path, drop: Dropped | None = None, hold: Held | None = None) -> Iterator[str]:
    """A static host for the folder `root` (http://127.0.0.1:PORT) while the block runs; `drop`
    says which requests it drops, `hold` which it answers late."""
    def handler(*args: Any) -> _Quiet:
        return _Quiet(*args, directory=str(root), drop=drop, hold=hold)

    server = _Host(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        if hold is not None:
            hold.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def build_searchable(site: Path, **options: object) -> tuple[Any, Path]:
    """build_ok for a site a test searches: a Pagefind that fails is only a warning (the paper
    goes out without search), so say so here with the build's warnings, not later through a
    search page that says search is unavailable."""
    result, out = build_ok(site, **options)
    if not (out / "pagefind/pagefind.js").is_file():
        pytest.fail("the build made no search index: "
                    + "; ".join(str(d) for d in result.diagnostics.warnings), pytrace=False)
    return result, out


def search_urls(page: Any, search_page: str, queries: list[str]) -> dict[str, list[str]]:
    """Every result URL (all of them: "more" is clicked until it hides) of each query typed into
    the search page at `search_page`, sorted: what a reader can find, whatever the ranking. The
    whole archive's: not the newest shards' results shown first (the list is then aria-busy)."""
    page.goto(search_page)
    page.wait_for_function("() => document.querySelector('.search-status').textContent !== ''")
    found = {}
    for q in queries:
        page.fill("#search-q", q)
        page.click(".search-form button[type=submit]")
        page.wait_for_function("""(q) => {
            const status = document.querySelector('.search-status');
            const list = document.querySelector('.search-results');
            return status.textContent.includes(q) && list.getAttribute('aria-busy') !== 'true' && (list.children.length > 0
                || status.textContent === status.dataset.none.replace('{q}', q)); }""", arg=q)
        while page.locator(".search-more").is_visible():
            count = page.locator(".search-results li").count()
            page.click(".search-more")
            page.wait_for_function("(n) => document.querySelectorAll('.search-results li').length > n", arg=count)
        found[q] = sorted(page.eval_on_selector_all(".search-results li h2 a",
                                                    "links => links.map(a => a.getAttribute('href'))"))
    return found
