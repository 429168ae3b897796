"""The items of the section and series indexes, kept between builds (render.py's `list_items`):
a new edition shifts every index page, and the items on them are ones an earlier build rendered.
Kept or rendered, an item is what `{% include "partials/article_item.html" %}` gives, and a
site's own partials/article_item.html still replaces the theme's."""
from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from conftest import EDITION, article, build_ok, soup, two_editions, write_files
from epaper import parallel
from epaper.output.cache import CACHE_DIR, FragmentStore, remove_database


def new_edition(site: Path, **keys: object) -> None:
    """2022-11-05, with one article on page 1 (section yaowen), newer than every other."""
    write_files(site, {"content/2022/2022-11-05/edition.yaml": EDITION.format(date="2022-11-05", number=11235),
                       "content/2022/2022-11-05/new.md": article("新的一期", page=1, **keys)})


def items(out: Path, url: str) -> list[str]:
    return [str(li) for li in soup(out, url).select("ul.items > li")]


def counting_puts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys of the list items rendered (not found in the store) from now on."""
    rendered: list[str] = []
    original = FragmentStore.put

    def put(self: FragmentStore, key: str, html: str, group: str = "") -> None:
        rendered.append(key)
        original(self, key, html, group)

    monkeypatch.setattr(FragmentStore, "put", put)
    return rendered


def test_a_new_edition_renders_only_its_own_articles_as_list_items(make_site, monkeypatch) -> None:
    site = make_site(two_editions())
    build_ok(site)
    rendered = counting_puts(monkeypatch)
    new_edition(site)
    _, out = build_ok(site)
    assert len(rendered) == 1  # the new article's item; the others shifted to other pages, kept
    assert "新的一期" in items(out, "sections/yaowen/")[0]


def test_items_rendered_by_forked_workers_are_kept_too(make_site, monkeypatch) -> None:
    monkeypatch.setattr(parallel, "WORTH_FORKING_MS", 0.0)  # even this small site's pages fan out
    # A browser test in the same pytest worker may have left a thread (the live server's): this
    # build has none of its own, so forking is safe here.
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    site = make_site(two_editions())
    build_ok(site, jobs=2)
    rendered = counting_puts(monkeypatch)
    new_edition(site)
    build_ok(site, jobs=1)  # in this process: what it renders is counted
    assert len(rendered) == 1


def test_kept_list_items_are_byte_for_byte_what_rendering_them_gives(make_site, tmp_path: Path) -> None:
    site = make_site(two_editions())
    build_ok(site)
    new_edition(site)
    _, kept = build_ok(site)  # the index pages shift: their old items come from the store
    remove_database(site / CACHE_DIR / "fragments.sqlite")
    _, rendered = build_ok(site, out=tmp_path / "rendered")  # every page and item rendered
    for url in ("sections/yaowen/", "sections/yaowen/page/2/", "sections/zonghe/", "series/bitan/"):
        assert (kept / url / "index.html").read_bytes() == (rendered / url / "index.html").read_bytes()


def test_a_site_partial_added_later_replaces_the_theme_item_on_index_pages(make_site) -> None:
    site = make_site(two_editions())
    build_ok(site)
    write_files(site, {"layouts/partials/article_item.html": '<li class="own">{{ item.title }}</li>\n'})
    _, out = build_ok(site)
    assert items(out, "sections/yaowen/") == ['<li class="own">笔谈之二</li>', '<li class="own">全区优待证月底发放到位</li>']


def test_an_item_that_reads_its_page_is_rendered_for_each_page_never_kept(make_site) -> None:
    site = make_site({**two_editions(), "layouts/partials/article_item.html":
                      '<li>{{ item.title }} {{ current_url }}</li>\n'})
    _, out = build_ok(site)
    assert items(out, "series/bitan/") == ["<li>笔谈之二 series/bitan/</li>", "<li>笔谈之一 series/bitan/</li>"]
    new_edition(site, series="bitan")  # 笔谈之一 moves to a second page of the series
    _, out = build_ok(site)
    assert items(out, "series/bitan/page/2/") == ["<li>笔谈之一 series/bitan/page/2/</li>"]


def test_a_damaged_kept_item_is_rendered_again_not_published(make_site) -> None:
    site = make_site(two_editions())
    build_ok(site)
    with sqlite3.connect(site / CACHE_DIR / "fragments.sqlite") as db:
        db.execute("UPDATE items SET html = '<li>damaged</li>'")
    db.close()
    new_edition(site)
    _, out = build_ok(site)
    assert not any("damaged" in li for url in ("sections/yaowen/", "sections/yaowen/page/2/")
                   for li in items(out, url))
    assert "全区优待证月底发放到位" in "".join(items(out, "sections/yaowen/page/2/"))


def test_past_its_bound_the_store_forgets_the_items_a_newer_one_of_their_group_replaced_first(tmp_path: Path) -> None:
    """An old article's item is looked up by every new edition and never written again: the items
    of later edits are newer, but it is the one in use (the added path needs it: added.py)."""
    store = FragmentStore(tmp_path)
    for n in range(1000):  # the archive's items, each its own article's
        store.put(f"live{n:04d}", f"<li>{n}</li>", f"article{n}")
    store.flush()
    for n in range(FragmentStore.KEEP + 10):  # one article edited again and again since
        store.put(f"edit{n:02d}", f"<li>edit {n}</li>", "edited")
        store.flush()
    store.save(files=1)  # room for KEEP rows a file, and a thousand
    store.close()
    fresh = FragmentStore(tmp_path)
    last = f"edit{FragmentStore.KEEP + 9:02d}"
    assert fresh.get_many(["live0000", "live0001", "edit00", last]) == {
        "live0000": "<li>0</li>", "live0001": "<li>1</li>", last: f"<li>edit {FragmentStore.KEEP + 9}</li>"}
    fresh.close()


def test_the_store_forgets_its_oldest_items_past_its_bound(tmp_path: Path) -> None:
    store = FragmentStore(tmp_path)
    for n in range(FragmentStore.KEEP + 1010):  # ten more than it keeps for a site of one file
        store.put(f"k{n:05d}", f"<li>{n}</li>")
    store.save(files=1)  # room for KEEP rows a file, and a thousand
    store.close()
    fresh = FragmentStore(tmp_path)
    last = f"k{FragmentStore.KEEP + 1009:05d}"
    assert fresh.get_many(["k00000", "k00009", "k00010", last]) == {"k00010": "<li>10</li>", last: f"<li>{FragmentStore.KEEP + 1009}</li>"}
    fresh.close()


def _write_one(folder: str, n: int, start: Any, broken: Any) -> None:
    store = FragmentStore(Path(folder)).forked()
    start.wait()
    store.put(f"k{n}", f"<li>{n}</li>")
    store.flush()
    broken.put(store._broken)
    store.close()


def test_workers_writing_to_a_prepared_store_side_by_side_lose_no_item(tmp_path: Path) -> None:
    """Two processes making the database at once: one was told it is locked and dropped its
    items (5 stores of 120 here); the build prepares it before forking its workers."""
    context = multiprocessing.get_context("fork")
    for round_ in range(40):
        folder = tmp_path / str(round_)
        FragmentStore(folder).prepare()
        start, broken = context.Barrier(2), context.Queue()
        workers = [context.Process(target=_write_one, args=(str(folder), n, start, broken)) for n in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert [broken.get(), broken.get()] == [False, False]
        store = FragmentStore(folder)
        assert store.get_many(["k0", "k1"]) == {"k0": "<li>0</li>", "k1": "<li>1</li>"}
        store.close()


def test_pruning_keeps_the_items_of_other_settings_sharing_the_cache(make_site, tmp_path, monkeypatch) -> None:
    """A preview (its own base_url: other settings) and the paper share the site's cache: past the
    store's bound, an edit's old item goes, not the other settings' items of the same articles."""
    site = make_site(two_editions())
    build_ok(site)
    build_ok(site, tmp_path / "preview", base_url="http://localhost:8000/")

    def rows() -> int:
        with sqlite3.connect(site / CACHE_DIR / "fragments.sqlite") as db:
            (count,) = db.execute("SELECT COUNT(*) FROM items").fetchone()
        db.close()
        return count

    both = rows()
    monkeypatch.setattr(FragmentStore, "KEEP", (both - 1000) / 7)  # the bound: both settings' items (7 files)
    write_files(site, {"content/2022/2022-11-03/youdaizheng.md": article("优待证发放改题", page=1, order=1)})
    build_ok(site)
    assert rows() == both  # the edited article's old item went, and nothing else
