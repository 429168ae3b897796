"""A real browser for tests: Debian's Chromium driven by Playwright for Python.

Register it in a test module with `pytest_plugins = ["browser"]`, then ask for the
`chromium_page` fixture (a fresh page in a fresh context) or `chromium` (the browser).

The browser is Debian's (`apt-get install chromium`, which scripts/test does): Playwright's
own browser downloads do not work offline, so `playwright install` is never run. Outside CI
the tests that need it skip with a message saying so; under CI=true a missing browser fails.
"""
from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from epaper import parallel

LAUNCH_ARGS = [
    "--no-sandbox",  # tests run as root in CI
    "--disable-gpu",
    "--disable-background-networking",  # no calls home on a machine without a network
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def find_chromium() -> str | None:
    """The Chromium executable to drive, or None."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def _unavailable(why: str) -> None:
    message = (f"{why}: browser tests need Debian's Chromium and playwright "
               "(run scripts/test, or apt-get install chromium)")
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the whole test session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    executable = find_chromium()
    if executable is None:
        _unavailable("no Chromium found")
    before = set(threading.enumerate())
    playwright = sync_playwright().start()
    # Playwright's thread only waits for its driver process: the build's forked workers never need
    # it, so a build in the same test session may still fork (epaper refuses with unknown threads).
    for thread in set(threading.enumerate()) - before:
        parallel.mark_fork_safe(thread)
    try:
        browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS, headless=True)
    except Exception as exc:
        playwright.stop()
        _unavailable(f"Chromium at {executable} did not start ({exc})")
    # A hang guard, not a speed test: a loaded machine searches a merged index of several shards
    # several times slower than a quiet one, past expect()'s 5 s default.
    from playwright.sync_api import expect
    expect.set_options(timeout=20_000)
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


@dataclass
class BrowserLog:
    """What the test's pages said and failed to load (console errors and warnings, uncaught
    errors, failed requests, HTTP errors): a failed browser test prints it, so a failure seen
    once on a loaded machine explains itself instead of only timing out."""

    lines: list[str] = field(default_factory=list)

    def watch(self, context: Any) -> None:
        """Record the events of every page of a browser context."""
        context.on("console", self._console)
        context.on("weberror", lambda error: self.lines.append(f"uncaught error: {error.error}"))
        context.on("requestfailed", lambda request: self.lines.append(
            f"request failed: {request.method} {request.url}: {request.failure}"))
        context.on("response", self._response)

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            where = message.location.get("url", "")
            self.lines.append(f"console {message.type}: {message.text}" + (f" ({where})" if where else ""))

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.lines.append(f"HTTP {response.status}: {response.request.method} {response.url}")


_LOG = pytest.StashKey[BrowserLog]()


@pytest.fixture
def browser_log(request: pytest.FixtureRequest) -> BrowserLog:
    """The test's BrowserLog: `browser_log.watch(context)` for a context the test makes itself
    (chromium_page's is watched already)."""
    log = BrowserLog()
    request.node.stash[_LOG] = log
    return log


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failed test's report gains its pages' console errors and failed requests."""
    outcome = yield
    report = outcome.get_result()
    log = item.stash.get(_LOG, None)
    if report.failed and log is not None:
        report.sections.append(("browser: console errors and failed requests",
                                "\n".join(log.lines) or "(none: every request succeeded, nothing was logged)"))


@pytest.fixture
def chromium_page(chromium: Any, browser_log: BrowserLog) -> Iterator[Any]:
    """A page in its own context (no cookies or cache shared between tests), its console
    errors and failed requests shown if the test fails."""
    context = chromium.new_context(viewport={"width": 1100, "height": 800})
    browser_log.watch(context)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        context.close()
