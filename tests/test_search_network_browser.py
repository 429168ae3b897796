"""The search page on a network that drops a request now and then, in a real browser (Debian's
Chromium). One lost file of the index used to end a reader's search ("Search is not available
right now.") or, for an index chunk, which Pagefind skips, to say "nothing found" for a word the
paper has: the page fetches a file of the index once more before it gives up."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import CONFIG, EDITION, article, write_files
from searching import Dropped, build_searchable, served

pytest_plugins = ["browser"]

TITLES = ["公交开通", "图书馆开放", "大桥通车", "水稻丰收", "道路整修"]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An index in three shards (2021 sealed, 2022-10 sealed, the fresh one): every article's
    body has 正文."""
    site = tmp_path_factory.mktemp("network") / "site"
    files = {"config.yaml": CONFIG}
    for date, slug, title in (("2021-06-01", "dao", "水稻丰收"), ("2021-06-01", "qiao", "大桥通车"),
                              ("2022-10-01", "shi", "图书馆开放"), ("2022-11-03", "che", "公交开通"),
                              ("2022-11-04", "lu", "道路整修")):
        files[f"content/{date}/edition.yaml"] = EDITION.format(date=date, number=int(date.replace("-", "")) % 10000)
        files[f"content/{date}/{slug}.md"] = article(title, page=1, body="正文。")
    site.mkdir(parents=True)
    write_files(site, files)
    _, out = build_searchable(site)
    assert sorted(p.name for p in (out / "pagefind/shard").iterdir()) == ["2021", "2022-10_10"]
    yield out


def _found(page: Any, host: str) -> list[str]:
    from playwright.sync_api import expect
    page.goto(f"{host}/search/?q=正文")
    titles = page.locator(".search-results li h2 a")
    expect(page.locator(".search-status")).to_contain_text("找到 5 篇")
    expect(titles).to_have_count(5)
    return sorted(titles.all_text_contents())


@pytest.mark.parametrize("lost", [
    r"^/pagefind/pagefind\.js",  # the search script itself
    r"^/pagefind/shards\.json",  # the list of sealed shards
    r"^/pagefind/pagefind-entry\.json",  # the fresh shard's entry, its metadata, its WebAssembly
    r"^/pagefind/pagefind\.zh-cn_.*\.pf_meta",
    r"^/pagefind/wasm\.",
    r"^/pagefind/index/",  # an index chunk: Pagefind skips one that fails, and found nothing
    r"^/pagefind/shard/2021/pagefind-entry\.json",  # a sealed shard's
    r"^/pagefind/shard/2021/index/",
    r"^/pagefind/fragment/",  # a result's text
])
def test_a_file_of_the_index_lost_once_on_the_network_still_finds_every_article(
        archive: Path, chromium_page: Any, lost: str) -> None:
    drop = Dropped(lost)
    with served(archive, drop) as host:
        assert _found(chromium_page, host) == TITLES
    assert len(drop.paths) == 1, drop.paths  # the file was lost once, and asked for again


def test_a_file_that_never_loads_says_search_is_unavailable_after_one_more_try(
        archive: Path, chromium_page: Any) -> None:
    from playwright.sync_api import expect
    drop = Dropped(r"^/pagefind/pagefind-entry\.json", times=100)
    with served(archive, drop) as host:
        chromium_page.goto(f"{host}/search/?q=正文")
        expect(chromium_page.locator(".search-status")).to_have_text("搜索暂时不可用。")
    assert len(drop.paths) == 2, drop.paths  # once more, not again and again


def test_a_big_archives_search_runs_in_pagefinds_worker_so_scoring_never_holds_the_page(
        archive: Path, chromium_page: Any, tmp_path: Path) -> None:
    """Up to 20,000 pages Pagefind runs on the page (its fetches retry, above); past that its
    commonest words take seconds to score (19 s at 100,000 articles), so it runs in its worker.
    The page decides by the page counts in shards.json: here rewritten to a big archive's."""
    import json
    import shutil
    big = tmp_path / "public"
    shutil.copytree(archive, big)
    listing = json.loads((big / "pagefind/shards.json").read_text(encoding="utf-8"))
    assert sum(listing["pages"].values()) <= 20000
    for root, workers in ((archive, False), (big, True)):
        if root == big:
            listing["pages"] = {name: 7000 for name in listing["pages"]}
            (big / "pagefind/shards.json").write_text(json.dumps(listing), encoding="utf-8")
        with served(root) as host:
            assert _found(chromium_page, host) == TITLES
            pagefind_workers = [w for w in chromium_page.workers if "pagefind" in w.url]
            assert bool(pagefind_workers) == workers, (root, [w.url for w in chromium_page.workers])
