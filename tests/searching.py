"""Searching a built site as a reader does: the site on a local static host, queries typed
into its search page in Chromium (the `chromium` fixture of browser.py), every result's URL."""
from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:  # keep pytest's output clean
        pass


@contextmanager
def served(root: Path) -> Iterator[str]:
    """A static host for the folder `root` (http://127.0.0.1:PORT) while the block runs."""
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def search_urls(page: Any, search_page: str, queries: list[str]) -> dict[str, list[str]]:
    """Every result URL (all of them: "more" is clicked until it hides) of each query typed into
    the search page at `search_page`, sorted: what a reader can find, whatever the ranking."""
    page.goto(search_page)
    page.wait_for_function("() => document.querySelector('.search-status').textContent !== ''")
    found = {}
    for q in queries:
        page.fill("#search-q", q)
        page.click(".search-form button[type=submit]")
        page.wait_for_function("""(q) => {
            const status = document.querySelector('.search-status');
            const list = document.querySelector('.search-results');
            return status.textContent.includes(q) && (list.children.length > 0
                || status.textContent === status.dataset.none.replace('{q}', q)); }""", arg=q)
        while page.locator(".search-more").is_visible():
            count = page.locator(".search-results li").count()
            page.click(".search-more")
            page.wait_for_function("(n) => document.querySelectorAll('.search-results li').length > n", arg=count)
        found[q] = sorted(page.eval_on_selector_all(".search-results li h2 a",
                                                    "links => links.map(a => a.getAttribute('href'))"))
    return found
