#!/usr/bin/env python3
"""What a reader's search costs on a built site: for each query, the search page opened in a
fresh Chromium context (an empty cache, as a first visit), the bytes of every file fetched
before the first result shows (by kind: the page, Pagefind's scripts and WebAssembly, each
shard's entry and metadata files, index chunks, fragments) and the time from navigation to the
first result (the newest shards' results, shown first), to the whole archive's results (and to a
second query typed into the same page, whose files are then cached),
and how long the page's own thread was held by long tasks (over 50 ms) before the first result:
Pagefind scores the results there when it runs on the page (indexes of up to 20,000 pages).

    .venv/bin/python bench/search_reader.py SITE/public [--query 乡村振兴 ...] [--files]

Needs Debian's Chromium and the test extras (playwright), like the browser tests."""
from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browser import LAUNCH_ARGS, find_chromium  # noqa: E402
from generate import VOCAB  # noqa: E402

from searching import served  # noqa: E402

# Stamps the time the first result appears (ms since navigation start) on window.
FIRST_RESULT = """new MutationObserver((_, observer) => {
  if (document.querySelector('.search-results li h2 a')) { window.firstResultAt = performance.now(); observer.disconnect(); }
}).observe(document, { childList: true, subtree: true });
window.longTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.longTasks.push([entry.startTime, entry.duration]);
}).observe({ type: 'longtask', buffered: true });"""


def kind(url: str) -> str:
    """What a fetched file is, for the per-kind sums."""
    path = url.split("?", 1)[0]
    for pattern, name in ((r"\.pf_meta$", "metadata"), (r"\.pf_index$", "index chunks"), (r"\.pf_fragment$", "fragments"),
                          (r"\.pf_filter$", "filters"), (r"wasm\.[^/]*\.pagefind$", "WebAssembly"),
                          (r"pagefind-entry\.json$", "entry files"), (r"shards\.json$", "shards.json"),
                          (r"/pagefind/[^/]*\.js$", "Pagefind's scripts")):
        if re.search(pattern, path):
            return name
    return "the page and its assets"


def default_queries() -> list[str]:
    words = sorted(set(VOCAB))
    return [words[0], words[len(words) // 2], words[-1], words[3] + words[40], words[10] + words[90]]


def measure(browser: Any, host: str, query: str, second: str) -> dict[str, Any]:
    """One first visit of the search page for `query`, then `second` typed into it."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.add_init_script(FIRST_RESULT)
    finished: list[Any] = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(f"{host}/search/?q={query}")
    page.locator(".search-results li h2 a").first.wait_for()
    first_ms, origin, tasks = page.evaluate("[window.firstResultAt, performance.timeOrigin, window.longTasks]")
    blocked = [duration for start, duration in tasks if start < first_ms]
    # Only what had arrived when the first result showed (the filters the page loads right after
    # may have finished too by the time this line runs).
    done = [r for r in list(finished) if r.timing["startTime"] + r.timing["responseEnd"] <= origin + first_ms]
    files = [(r.url, r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"]) for r in done]
    first_status = page.locator(".search-status").text_content()
    # The whole archive's results (the newest shards' show first, the list aria-busy meanwhile).
    page.wait_for_function("() => document.querySelector('.search-results').getAttribute('aria-busy') !== 'true'")
    whole_ms = page.evaluate("performance.now()")
    whole_bytes = sum(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in list(finished)
                      if "/pagefind/" in r.url or r.url.endswith(".wasm"))
    count = page.locator(".search-status").text_content()
    page.fill("#search-q", second)
    started = page.evaluate("performance.now()")
    page.click(".search-form button[type=submit]")
    page.wait_for_function("(q) => document.querySelector('.search-status').textContent.includes(q)"
                           " && document.querySelector('.search-results li h2 a')"
                           " && document.querySelector('.search-results').getAttribute('aria-busy') !== 'true'",
                           arg=second)
    second_ms = page.evaluate("performance.now()") - started
    context.close()
    return {"query": query, "files": files, "first_ms": first_ms, "second": second, "second_ms": second_ms,
            "status": count, "first_status": first_status, "whole_ms": whole_ms, "whole_bytes": whole_bytes, "blocked_ms": sum(blocked), "longest_ms": max(blocked, default=0.0)}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path, help="a built epaper output folder with a search index")
    p.add_argument("--query", action="append", default=[], help="a query (repeatable; default: bench words and pairs)")
    p.add_argument("--files", action="store_true", help="list every file fetched before the first results")
    args = p.parse_args()
    queries = args.query or default_queries()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw, served(args.out.resolve()) as host:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=LAUNCH_ARGS, headless=True)
        for n, query in enumerate(queries):
            run = measure(browser, host, query, queries[(n + 1) % len(queries)])
            by_kind: Counter[str] = Counter()
            count: Counter[str] = Counter()
            for url, size in run["files"]:
                by_kind[kind(url)] += size
                count[kind(url)] += 1
            total = sum(by_kind.values())
            print(f"{query}: {total / 1e6:.3f} MB in {len(run['files'])} requests before the first results, "
                  f"first results at {run['first_ms']:.0f} ms ({run['status']}), the page held "
                  f"{run['blocked_ms']:.0f} ms by long tasks (longest {run['longest_ms']:.0f} ms); "
                  f"then {run['second']}: {run['second_ms']:.0f} ms")
            print(f"    first said: {run['first_status']}; the whole archive's results at {run['whole_ms']:.0f} ms, "
                  f"its index files {run['whole_bytes'] / 1e6:.3f} MB in all")
            for name, size in by_kind.most_common():
                print(f"    {name}: {size / 1e6:.3f} MB in {count[name]} files")
            if args.files:
                for url, size in sorted(run["files"], key=lambda f: -f[1]):
                    print(f"      {size:>9,} {url.split('/', 3)[3]}")
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
