"""Issue 15, point 9: search works in the preview. After the first build the preview indexes the
pages in the background (never in the build the reload waits for), serves the index at pagefind/,
and indexes again after a save that changed pages."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from test_serve import ARTICLE, Lines, http, wait_for

from conftest import two_editions
from epaper.serve import Preview

pytest_plugins = ["browser"]


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


@pytest.fixture
def preview(make_site: Callable[..., Path]) -> Iterator[Preview]:
    site = make_site(two_editions())
    running = Preview(site, port=0, log=Lines(), poll=0.05, quiet=0.15)
    running.start()
    try:
        yield running
    finally:
        running.stop()


def _index_lines(preview: Preview) -> list[str]:
    return [line for line in preview.log if "search index:" in line]  # type: ignore[attr-defined]


def test_the_preview_answers_searches_and_indexes_again_after_a_save(preview: Preview, chromium_page: object) -> None:
    from playwright.sync_api import Page, expect

    assert http(preview.port, "/pagefind/../config.yaml")[0] == 404
    wait_for(lambda: _index_lines(preview), timeout=60, what="the preview's first search index")
    assert not (preview.out / "pagefind").exists()  # not in the output folder: the build owns that
    status, headers, _ = http(preview.port, "/pagefind/pagefind.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")

    page: Page = chromium_page  # type: ignore[assignment]
    page.goto(preview.url + "search/?q=笔谈")
    expect(page.locator(".search-status")).to_contain_text("找到")
    expect(page.locator(".search-results li")).not_to_have_count(0)

    path = preview.site / ARTICLE
    path.write_text(path.read_text(encoding="utf-8").replace("正文。", "水稻喜获丰收。"), encoding="utf-8")
    wait_for(lambda: len(_index_lines(preview)) >= 2, timeout=60, what="the index made again after the save")
    page.goto(preview.url + "search/?q=水稻")
    expect(page.locator(".search-results li h2 a")).to_have_text(["笔谈之二"])
    expect(page.locator(".search-results mark").first).to_have_text("水稻")


def test_builds_and_reloads_never_wait_for_the_index(make_site: Callable[..., Path],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind held back: the preview still starts, serves, and rebuilds a save for the reload."""
    from test_serve import get, set_title, status_of

    import epaper.serve.search as preview_search

    release = threading.Event()
    real = preview_search.search.make_index

    def held(site: Path, out: Path) -> Iterator[tuple[str, bytes]]:
        assert release.wait(timeout=60)
        yield from real(site, out)

    monkeypatch.setattr(preview_search.search, "make_index", held)
    running = Preview(make_site(two_editions()), port=0, log=Lines(), poll=0.05, quiet=0.15)
    running.start()
    try:
        assert get(running, "/2022-11-04/bitan-two/")[0] == 200
        assert http(running.port, "/pagefind/pagefind.js")[0] == 404  # no index yet: the search page says so
        generation = status_of(running)["generation"]
        set_title(running.site, "笔谈之二", "笔谈之二：改")
        wait_for(lambda: status_of(running)["generation"] > generation, what="the rebuild for the reload")
        assert "笔谈之二：改" in get(running, "/2022-11-04/bitan-two/")[1]
        assert _index_lines(running) == []  # the index is still being made
        release.set()
        wait_for(lambda: _index_lines(running), timeout=60, what="the index once Pagefind may run")
        assert http(running.port, "/pagefind/pagefind.js")[0] == 200
    finally:
        release.set()
        running.stop()
