"""Incremental builds: the cache and the dependency graph never leave a stale page.

The central property: after any sequence of edits, an incremental build's output
is byte-identical to a full build's from nothing, but for the search index, whose shards
depend on the order things happened in (an edited old article moves to the fresh shard):
that one must answer every query with the same articles as a full build's."""
from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path
from unittest.mock import patch

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from conftest import (
    CONFIG,
    EDITION,
    article,
    build_ok,
    examples,
    run_cli,
    two_editions,
    write_files,
)
from epaper.build import Options, build
from epaper.model import BUILD_STATE
from epaper.output import record, search
from epaper.output.cache import CACHE_DIR, RACY_NS, _Unpickler
from searching import search_urls, served

pytest_plugins = ["browser"]

ED3 = "content/2022/2022-11-03/"
ED4 = "content/2022/2022-11-04/"


def digest(out: Path, search_index: bool = True) -> dict[str, str]:
    """Each output file's hash; when `search_index` is False, without the search index's files
    and its caching rules in _headers."""
    found = {}
    for p in sorted(out.rglob("*")):
        rel = p.relative_to(out).as_posix()
        if not p.is_file() or (not search_index and rel.startswith(search.FOLDER)):
            continue
        data = p.read_bytes()
        if rel == "_headers" and not search_index:
            data = b"\n\n".join(rule for rule in data.split(b"\n\n") if not rule.startswith(b"/" + search.FOLDER.encode()))
        found[rel] = hashlib.sha256(data).hexdigest()
    return found


def age(site: Path, seconds: float = 5) -> None:
    """Move every input's mtime into the past, out of the racy window, as on a real machine."""
    past = time.time() - seconds
    for path in site.rglob("*"):
        if CACHE_DIR not in path.parts and not path.is_symlink():
            os.utime(path, (past, past))
    time.sleep(0.15)  # the change time (ctime) cannot be put back: wait until it is out of the window too


def full_build(site: Path, tmp: Path, search_index: bool = True) -> dict[str, str]:
    """What a build from nothing (copied site, no cache, no output) gives, in tmp/fresh/public."""
    fresh = tmp / "fresh"
    if fresh.exists():
        shutil.rmtree(fresh)
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns(CACHE_DIR, "public", ".public.staging",
                                                                ".public.lock"))
    build(Options(site=fresh, out=fresh / "public"))
    return digest(fresh / "public", search_index)


def test_no_op_rebuild_reads_nothing_renders_nothing_and_keeps_mtimes(make_site) -> None:
    site = make_site(two_editions())
    age(site)
    _, out = build_ok(site)
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    result, _ = build_ok(site)
    assert result.up_to_date and result.rendered == []
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == mtimes


def test_touching_a_file_without_changing_it_renders_nothing(make_site) -> None:
    site = make_site(two_editions())
    age(site)
    _, out = build_ok(site)
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    os.utime(site / ED4 / "brief.md")
    result, _ = build_ok(site)
    assert not result.up_to_date and result.rendered == []
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == mtimes


def test_edited_article_rerenders_exactly_the_pages_that_show_it(make_site) -> None:
    site = make_site(two_editions())
    age(site)
    build_ok(site)
    (site / ED4 / "brief.md").write_text(article("简讯改题", page=2, type="brief", dateline="本报讯"), encoding="utf-8")
    result, out = build_ok(site)
    assert set(result.rendered) == {
        "2022-11-04/brief/index.html",  # the article
        "2022-11-04/gengzheng/index.html", "2022-11-04/bitan-two/index.html",  # its neighbours in the edition
        "2022-11-04/02/index.html", "2022-11-04/index.html", "index.html",  # its page, edition, home
        "sections/zonghe/index.html",  # its section index (paginate: 2, it is on page 1)
        "feed.xml", "sections/zonghe/feed.xml",  # feeds that carry it
        "news-sitemap.xml", "sitemaps/2022-11.xml",  # sitemaps that list it
    }
    assert "简讯改题" in (out / "2022-11-04/index.html").read_text(encoding="utf-8")


def test_layout_change_rerenders_only_pages_using_it(make_site) -> None:
    site = make_site(two_editions())
    age(site)
    result, _ = build_ok(site)
    write_files(site, {"layouts/page.html": '{% extends "base.html" %}{% block main %}<p>版面</p>{% endblock %}\n'})
    result, out = build_ok(site)
    assert set(result.rendered) == {"2022-11-03/01/index.html", "2022-11-03/02/index.html",
                                    "2022-11-04/01/index.html", "2022-11-04/02/index.html"}
    write_files(site, {"layouts/partials/colophon.html": "<p>新脚注</p>\n"})
    result, out = build_ok(site)
    assert len(result.rendered) == len([o for o in result.outputs if o.template.endswith(".html")])
    assert "新脚注" in (out / "archive/index.html").read_text(encoding="utf-8")


def _article_pages(result) -> set[str]:
    return {job.path for job in result.pages if job.template == "article.html"}


def test_a_new_edition_plans_only_its_articles_and_those_it_links_to(make_site, tmp_path: Path) -> None:
    """The nightly publish: the other editions' article pages are kept as they are, neither
    planned nor keyed (a second at 100,000 articles), but for the ones a new article links to
    (its series neighbour, the original it corrects); the output is a full build's."""
    site = make_site(two_editions())
    age(site)
    build_ok(site)
    ed5 = "content/2022/2022-11-05/"
    write_files(site, {ed5 + "edition.yaml": EDITION.format(date="2022-11-05", number=11235),
                       ed5 + "bitan-three.md": article("笔谈之三", page=1, series="bitan"),
                       ed5 + "fix.md": article("更正", page=2, type="correction", corrects="2022-11-03/bitan-one"),
                       ed5 + "news.md": article("新闻", page=2)})
    time.sleep(RACY_NS / 1e9 + 0.05)  # out of the clock's tick (age() would touch every file)
    result, out = build_ok(site)
    assert _article_pages(result) == {
        "2022-11-05/bitan-three/index.html", "2022-11-05/fix/index.html", "2022-11-05/news/index.html",
        "2022-11-04/bitan-two/index.html",  # the series' previous article links to the new one
        "2022-11-03/bitan-one/index.html",  # the corrected original shows its correction
        "2022-11-03/youdaizheng/index.html",  # and its neighbour's page shows it corrected
    }
    assert digest(out, search_index=False) == full_build(site, tmp_path, search_index=False)
    assert result.page_count == build_ok(site, tmp_path / "elsewhere")[0].page_count  # another output: in full
    assert "2022-11-04/brief/index.html" in result.report.unchanged  # kept, as it was


def _edition_pages(result) -> set[str]:
    """The edition pages and printed pages planned (the front page, the latest edition's, apart)."""
    return {job.path for job in result.pages if job.template in ("edition.html", "page.html") and job.extra != "home"}


def test_a_new_edition_plans_only_the_edition_pages_of_its_neighbours_and_of_what_it_corrects(
        make_site, tmp_path: Path) -> None:
    """The other editions' pages and printed pages are kept too (at 100,000 articles, 45,000
    pages not planned nor keyed): all but the new edition's neighbour (its link to the next
    edition, the turn of its last printed page) and the edition of the original a new correction
    corrects (its lists mark it corrected). The output is a full build's."""
    files = two_editions()
    for day in ("01", "02"):
        files[f"content/2022/2022-11-{day}/edition.yaml"] = EDITION.format(date=f"2022-11-{day}", number=int(day))
        files[f"content/2022/2022-11-{day}/news.md"] = article(f"新闻{day}", page=1)
    site = make_site(files)
    age(site)
    build_ok(site)
    _new_edition(site, **{"fix.md": article("更正", page=2, type="correction", corrects="2022-11-01/news")})
    result, out = build_ok(site)
    assert _edition_pages(result) == {
        f"2022-11-{day}/{page}" for day in ("01", "04", "05") for page in ("index.html", "01/index.html", "02/index.html")}
    assert digest(out, search_index=False) == full_build(site, tmp_path, search_index=False)
    assert result.page_count == build_ok(site, tmp_path / "elsewhere")[0].page_count
    assert {"2022-11-02/index.html", "2022-11-03/02/index.html"} <= set(result.report.unchanged)


def test_a_new_edition_after_a_layout_change_plans_every_article_page(make_site, tmp_path: Path) -> None:
    """A few kept pages keyed again say whether the layouts and settings every article page (and
    every edition page and printed page) shares are as they were: here they are not, so every
    such page is planned and rendered."""
    site = make_site(two_editions())
    age(site)
    build_ok(site)
    write_files(site, {"content/2022/2022-11-05/edition.yaml": EDITION.format(date="2022-11-05", number=11235),
                       "content/2022/2022-11-05/news.md": article("新闻", page=2),
                       "layouts/partials/colophon.html": "<p>新脚注</p>\n"})
    time.sleep(RACY_NS / 1e9 + 0.05)
    result, out = build_ok(site)
    assert len(_article_pages(result)) == 6
    assert _article_pages(result) <= set(result.rendered)
    assert len(_edition_pages(result)) == 9 and _edition_pages(result) <= set(result.rendered)  # as the edition pages
    assert digest(out, search_index=False) == full_build(site, tmp_path, search_index=False)


def _new_edition(site: Path, date: str = "2022-11-05", **extra: str) -> None:
    folder = f"content/2022/{date}/"
    write_files(site, {folder + "edition.yaml": EDITION.format(date=date, number=1), folder + "news.md": article("新闻", page=2),
                       **{folder + name: text for name, text in extra.items()}})
    time.sleep(RACY_NS / 1e9 + 0.05)


def test_what_a_new_edition_keeps_is_judged_against_the_build_that_made_the_output(make_site, tmp_path: Path) -> None:
    """The cache is the site's, not the output's: a `check` or a preview build into another folder
    reads an edited article into it, yet the live output still has the page of before. Only the
    listing of the inputs the output was built from says what changed since (a review's finding)."""
    from epaper.build import check
    site = make_site(two_editions())
    age(site)
    build_ok(site)
    (site / ED4 / "brief.md").write_text(article("简讯改题", page=2, type="brief", dateline="本报讯"), encoding="utf-8")
    time.sleep(RACY_NS / 1e9 + 0.05)
    check(Options(site=site))
    build_ok(site, tmp_path / "preview")
    _new_edition(site)
    result, out = build_ok(site)
    assert "简讯改题" in (out / "2022-11-04/brief/index.html").read_text(encoding="utf-8")
    assert digest(out, search_index=False) == full_build(site, tmp_path, search_index=False)
    assert len(_article_pages(result)) == 6  # a content file changed: nothing kept


def test_an_edition_published_since_the_last_build_plans_the_pages_it_links_to(make_site, monkeypatch) -> None:
    """An edition whose time came while the build loaded is published without a new file: its
    articles have no live page, so they count as new, and their series neighbours are planned."""
    import datetime as dt

    import epaper.build as pipeline
    files = two_editions()
    files["content/2022/2022-11-06/edition.yaml"] = (EDITION.format(date="2022-11-06", number=2)
                                                     + "publish: 2099-01-01T06:00:00+08:00\n")
    files["content/2022/2022-11-06/bitan-three.md"] = article("笔谈之三", page=1, series="bitan")
    site = make_site(files)
    age(site)
    build_ok(site)
    real = pipeline.resolve
    monkeypatch.setattr(pipeline, "resolve", lambda *args, **kw: real(  # its time came during the load
        *args, **{**kw, "now": dt.datetime(2099, 1, 2, tzinfo=dt.UTC)}))
    _new_edition(site, "2022-11-05")
    result, out = build_ok(site)
    assert "2022-11-04/bitan-two/index.html" in _article_pages(result)
    assert "2022-11-06/bitan-three/" in (out / "2022-11-04/bitan-two/index.html").read_text(encoding="utf-8")


def test_a_build_for_a_moment_without_a_zone_after_a_full_one_builds(make_site) -> None:
    """--now 2030-01-01T06:00 has no zone, the time an edition falls due has one: compared, they
    raised TypeError (a review's finding); the moment is the site's time then, and nothing is kept."""
    import datetime as dt
    files = two_editions()
    files["content/2022/2022-11-06/edition.yaml"] = (EDITION.format(date="2022-11-06", number=2)
                                                     + "publish: 2099-01-01T06:00:00+08:00\n")
    files["content/2022/2022-11-06/news.md"] = article("未来", page=1)
    site = make_site(files)
    age(site)
    build_ok(site)
    _new_edition(site)
    result, out = build_ok(site, now=dt.datetime(2030, 1, 1, 6, 0))
    assert (out / "2022-11-05/news/index.html").is_file() and len(_article_pages(result)) == 6


def test_the_page_count_after_a_build_that_kept_pages_counts_them(make_site, tmp_path: Path) -> None:
    """The shape's count of pages, which the quick path's builds report, has the kept pages too."""
    site = make_site(two_editions(), config=CONFIG + "feed_entries: 1\n")  # no feed carries the edited body
    age(site)
    build_ok(site)
    _new_edition(site)
    build_ok(site)
    text = (site / ED3 / "youdaizheng.md").read_text(encoding="utf-8")
    (site / ED3 / "youdaizheng.md").write_text(text + "\n补记。\n", encoding="utf-8")  # the body only: quick
    time.sleep(RACY_NS / 1e9 + 0.05)
    result, _ = build_ok(site)
    assert result.total is not None  # the quick path's
    assert result.page_count == build_ok(site, tmp_path / "elsewhere")[0].page_count


def test_removing_a_source_removes_its_output(make_site) -> None:
    site = make_site(two_editions())
    build_ok(site)
    (site / ED4 / "brief.md").unlink()
    result, out = build_ok(site)
    assert not (out / "2022-11-04/brief").exists()
    assert "2022-11-04/brief/index.html" in result.report.removed


def test_changes_file_lists_urls_added_changed_and_removed(make_site, tmp_path: Path) -> None:
    site = make_site(two_editions())
    age(site)
    build_ok(site)
    (site / ED4 / "brief.md").unlink()
    write_files(site, {ED4 + "fresh.md": article("新来的", page=1)})
    changes = tmp_path / "changes.txt"
    assert run_cli("build", "--site", str(site), "--changes", str(changes)) == 0
    lines = changes.read_text(encoding="utf-8").splitlines()
    assert "added https://news.example.com/2022-11-04/fresh/" in lines
    assert "removed https://news.example.com/2022-11-04/brief/" in lines
    assert "changed https://news.example.com/2022-11-04/" in lines
    assert "changed https://news.example.com/feed.xml" in lines
    assert not any(line.endswith("/2022-11-03/bitan-one/") for line in lines)
    assert run_cli("build", "--site", str(site), "--changes", str(changes)) == 0
    assert changes.read_text(encoding="utf-8") == ""


def test_corrupted_or_foreign_cache_is_rebuilt_not_trusted(make_site, tmp_path: Path) -> None:
    site = make_site(two_editions())
    age(site)
    build_ok(site)
    (site / ED4 / "brief.md").write_text(article("改过", page=2), encoding="utf-8")
    cache = site / CACHE_DIR
    for path in cache.iterdir():
        if path.is_file() and path.name != ".gitignore":
            path.write_bytes(b"garbage" + path.read_bytes()[7:50])
    _, out = build_ok(site)
    assert digest(out) == full_build(site, tmp_path)
    (cache / "cache.pickle").write_bytes(b"epaper-cache 1 0000\n" + b"x" * 100)  # another version's header
    (site / ED4 / "brief.md").write_text(article("再改", page=2), encoding="utf-8")
    _, out = build_ok(site)
    assert digest(out) == full_build(site, tmp_path)
    shutil.rmtree(cache)  # safe to delete
    _, out = build_ok(site)
    assert digest(out) == full_build(site, tmp_path)


def _record_rows(site: Path) -> dict[str, tuple[int, bytes]]:
    """The build cache's rows of content records: edition folder -> (row id, pickled records)."""
    with sqlite3.connect(site / CACHE_DIR / "records.sqlite") as db:
        return {folder: (rowid, blob) for rowid, folder, blob in db.execute("SELECT rowid, folder, blob FROM records")}


def test_an_edit_rewrites_the_records_of_its_edition_only(make_site) -> None:
    """At 100,000 articles the records are 100 MB: an edit must not write them all again."""
    site = make_site(two_editions())
    age(site)
    time.sleep(RACY_NS / 1e9)  # ageing set every change time to now: out of the racy window
    build_ok(site)
    before = _record_rows(site)
    assert set(before) == {ED3.rstrip("/"), ED4.rstrip("/")}
    (site / ED4 / "brief.md").write_text(article("改过", page=2), encoding="utf-8")
    build_ok(site)
    after = _record_rows(site)
    assert after[ED3.rstrip("/")] == before[ED3.rstrip("/")]  # the same row, never rewritten
    assert after[ED4.rstrip("/")][0] != before[ED4.rstrip("/")][0] and b"\xe6\x94\xb9\xe8\xbf\x87" in after[ED4.rstrip("/")][1]
    # The row holds its unchanged articles' records as parsed, though their dicts became articles
    # (Article.from_record): plain data the cache's unpickler takes, keys stored once a row.
    records = _Unpickler(io.BytesIO(after[ED4.rstrip("/")][1])).load()
    assert len(records) > 2 and all(BUILD_STATE.isdisjoint(r.fields) for r in records.values())
    # A key once for the records read back and once for the article parsed again (3 articles: 3 times
    # without the pickle's memo).
    assert after[ED4.rstrip("/")][1].count(b"page_number") == 2


def test_parsing_writes_the_html_to_its_store_as_it_goes_not_all_at_the_end(make_site, monkeypatch,
                                                                             tmp_path: Path) -> None:
    """A cold build of 100,000 articles held every body its parser made until the last file."""
    from epaper.content import load
    from epaper.output.cache import HtmlStore
    files = dict(two_editions())
    for i in range(9):
        files[f"{ED4}many{i}.md"] = article(f"第{i}篇", page=1, order=i)
    site = make_site(files)
    held: list[int] = []
    real_put = HtmlStore.put

    def put(store: HtmlStore, digest_: str, html: str) -> None:
        real_put(store, digest_, html)
        held.append(len(store.pending))

    monkeypatch.setattr(load, "FLUSH_EVERY", 2)
    monkeypatch.setattr(HtmlStore, "put", put)
    build(Options(site=site, out=tmp_path / "out", jobs=1))
    assert len(held) >= 10 and max(held) == 2
    monkeypatch.setattr(HtmlStore, "put", real_put)
    build(Options(site=site, out=tmp_path / "again", jobs=1))  # every body is read back from the store
    assert digest(tmp_path / "out") == digest(tmp_path / "again")


def test_a_damaged_record_row_means_parsing_again_not_trusting_it(make_site, tmp_path: Path) -> None:
    site = make_site(two_editions())
    age(site)
    build_ok(site)
    with sqlite3.connect(site / CACHE_DIR / "records.sqlite") as db:
        db.execute("UPDATE records SET blob = ? WHERE folder = ?", (b"\x80\x05garbage", ED3.rstrip("/")))
    (site / ED4 / "brief.md").write_text(article("再改", page=2), encoding="utf-8")
    age(site)
    _, out = build_ok(site)
    assert digest(out) == full_build(site, tmp_path)


def test_output_is_identical_whatever_the_number_of_workers(make_site, tmp_path: Path) -> None:
    files = dict(two_editions())
    for i in range(80):
        files[f"{ED4}many{i}.md"] = article(f"第{i}篇", page=1 + i % 2, order=i, body="正文。\n换行" * 20)
    site = make_site(files)
    build(Options(site=site, out=tmp_path / "one", jobs=1))
    shutil.rmtree(site / CACHE_DIR)
    build(Options(site=site, out=tmp_path / "two", jobs=2))
    assert digest(tmp_path / "one") == digest(tmp_path / "two")


# ------------------------------------------------------------------ the property

TITLES = st.sampled_from(["甲", "乙", "丙", "丁", "标题 A", "标题 B"])
SLUGS = st.sampled_from(["a", "b", "c", "d"])
COLOURS = st.sampled_from([(200, 0, 0), (0, 200, 0), (0, 0, 200)])
# 2021-06 and 2022-10 are in sealed search shards (a closed year, a closed month); a new edition
# in 2022-12 closes November, one in 2023-01 closes 2022.
FIRST_DATES = ["2021-06-01", "2022-10-01", "2022-11-03", "2022-11-04", "2022-11-05"]
DATES = st.sampled_from(FIRST_DATES)
operations = st.one_of(
    st.tuples(st.just("write"), DATES, SLUGS, TITLES, st.integers(1, 2), st.booleans(), st.booleans()),
    st.tuples(st.just("delete"), DATES, SLUGS),
    st.tuples(st.just("move"), DATES, SLUGS, DATES),
    st.tuples(st.just("layout"), st.sampled_from(["", "<p>一</p>", "<p>二</p>"])),
    st.tuples(st.just("config"), st.sampled_from(["要闻", "头版", "综合新闻"])),
    st.tuples(st.just("edition"), st.sampled_from(["2022-11-02", "2022-11-04", "2022-11-06", "2022-12-01", "2023-01-02"]),
              st.booleans()),
    st.tuples(st.just("drop_edition"), st.sampled_from(["2021-06-01", "2022-11-02", "2022-11-04", "2022-11-06",
                                                        "2022-11-07", "2022-12-01", "2023-01-02"])),
    st.tuples(st.just("correction"), SLUGS),
    # a new newest edition alone, continuing the series or correcting an old article (added.py's path)
    st.tuples(st.just("nightly"), st.sampled_from(["2022-11-06", "2022-11-07", "2022-12-01", "2023-01-02"]),
              st.booleans(), st.one_of(st.none(), SLUGS)),
    st.tuples(st.just("css"), st.sampled_from(["", "body{color:red}", "body{color:blue}"])),  # a new asset name
    st.tuples(st.just("scan"), DATES, COLOURS),  # a page scan added or replaced
    st.tuples(st.just("photo"), DATES, SLUGS, COLOURS),  # an article with a lead photo and an area
    st.tuples(st.just("drop_image"), DATES, st.sampled_from(["p1.png", "photo.png"])),
    st.tuples(st.just("recolour"), DATES, st.sampled_from(["p1.png", "photo.png"]), COLOURS),  # bytes only
    *[st.tuples(st.just("body"), DATES, st.sampled_from("aaab"), st.sampled_from(["", "补记一。", "补记二，鲸。"]))] * 3,
)  # the body edits, as likely as three other kinds and mostly of an article there is: quick.py's


def png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 56), colour).save(out, "PNG")
    return out.getvalue()


def apply(site: Path, operation: tuple) -> None:
    kind = operation[0]
    if kind == "write":
        _, date, slug, title, page, series, draft = operation
        extra = {"series": "bitan"} if series else {}
        if draft:
            extra["draft"] = "true"
        write_files(site, {f"content/{date}/{slug}.md": article(title, page=page, **extra)})
    elif kind == "delete":
        (site / f"content/{operation[1]}/{operation[2]}.md").unlink(missing_ok=True)
    elif kind == "move":
        source = site / f"content/{operation[1]}/{operation[2]}.md"
        if source.exists() and (site / f"content/{operation[3]}").is_dir():
            os.replace(source, site / f"content/{operation[3]}/{operation[2]}.md")
    elif kind == "layout":
        path = site / "layouts/partials/colophon.html"
        if operation[1]:
            write_files(site, {"layouts/partials/colophon.html": operation[1] + "\n"})
        else:
            path.unlink(missing_ok=True)
    elif kind == "config":
        config = site / "config.yaml"  # the first section's name; the rest as it was
        config.write_text(re.sub(r"\{slug: yaowen, name: [^}]*\}", f"{{slug: yaowen, name: {operation[1]}}}",
                                 config.read_text(encoding="utf-8")), encoding="utf-8")
    elif kind == "edition":
        _, date, numbered = operation
        write_files(site, {f"content/{date}/edition.yaml": EDITION.format(date=date, number=7 if numbered else 8),
                           f"content/{date}/z.md": article("新一期", page=2)})
    elif kind == "nightly":
        _, date, series, corrects = operation
        files = {f"content/{date}/edition.yaml": EDITION.format(date=date, number=9),
                 f"content/{date}/y.md": article("新一期", page=1)}
        if series:
            files[f"content/{date}/s.md"] = article("笔谈续", page=2, series="bitan")
        if corrects:
            files[f"content/{date}/fix.md"] = article("更正", page=2, type="correction",
                                                      corrects=f"2022-11-03/{corrects}")
        if not (site / f"content/{date}").exists():  # whole, at once: the build sees an edition added
            write_files(site, files)
    elif kind == "drop_edition":
        shutil.rmtree(site / f"content/{operation[1]}", ignore_errors=True)
    elif kind == "css":
        path = site / "static/assets/epaper.css"
        if operation[1]:
            write_files(site, {"static/assets/epaper.css": operation[1] + "\n"})
        else:
            path.unlink(missing_ok=True)
    elif kind == "scan":
        _, date, colour = operation
        write_files(site, {f"content/{date}/p1.png": png(colour),
                           f"content/{date}/edition.yaml": EDITION.format(date=date, number=1).replace(
                               "section: yaowen}", "section: yaowen, scan: p1.png}")})
    elif kind == "photo":
        _, date, slug, colour = operation
        write_files(site, {f"content/{date}/photo.png": png(colour),
                           f"content/{date}/{slug}.md": article("配图", page=1, image="photo.png",
                                                                area="[10, 10, 30, 30]")})
    elif kind == "recolour":
        _, date, name, colour = operation
        if (site / f"content/{date}").is_dir():
            write_files(site, {f"content/{date}/{name}": png(colour)})
    elif kind == "drop_image":
        (site / f"content/{operation[1]}/{operation[2]}").unlink(missing_ok=True)
    elif kind == "body":  # all but the first paragraph (the summary): the fields stay as they were
        _, date, slug, rest = operation
        path = site / f"content/{date}/{slug}.md"
        if path.exists():
            text = path.read_text(encoding="utf-8")
            end = text.index("---", 3) + 3
            first = text[end:].strip().split("\n\n")[0]
            path.write_text(f"{text[:end]}\n\n{first}\n\n{rest}\n", encoding="utf-8")
    elif kind == "correction":
        write_files(site, {"content/2022-11-05/fix.md": article(
            "更正", page=2, type="correction", corrects=f"2022-11-03/{operation[1]}")})


QUERIES = ["甲", "乙", "丙", "丁", "标题", "新一期", "配图", "更正", "正文", "补记", "鲸"]


@settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operations, min_size=1, max_size=6), st.sampled_from([0, 1, search.COMPACT_AT]),
       st.sampled_from([1, search.SHARD_PAGES]), st.sampled_from([1, 1, 50]))
@example(sequence=[("body", "2021-06-01", "a", ""), ("body", "2022-11-04", "a", "补记一。"),  # the quick path
                   ("body", "2022-11-04", "a", "")], compact_at=0, shard_pages=1, feeds=1)    # kept a stale shard
@example(sequence=[("delete", "2022-11-05", "a"), ("edition", "2022-11-02", True), ("scan", "2022-11-04", (0, 0, 200)),
                   ("body", "2021-06-01", "a", "补记一。"), ("correction", "a"), ("recolour", "2022-10-01", "photo.png", (0, 0, 200))],
         compact_at=1, shard_pages=search.SHARD_PAGES, feeds=50)  # a query's words known in one shard, not the other (search-rank.js)
@example(sequence=[("nightly", "2022-11-06", True, "a"), ("nightly", "2022-11-07", True, None),  # added.py's path twice,
                   ("body", "2022-11-03", "a", "补记一。"), ("nightly", "2022-12-01", False, "a")],  # then the quick path
         compact_at=search.COMPACT_AT, shard_pages=search.SHARD_PAGES, feeds=1)                # and the added path again
def test_incremental_build_equals_full_build_after_any_edits(chromium, sequence: list[tuple], compact_at: int,
                                                             shard_pages: int, feeds: int) -> None:
    """Byte for byte but for the search index, which finds the same articles for every query
    (the browser's Pagefind, through the search page); `compact_at` 0 and 1 make edits to old
    articles compact their sealed shards, the default keeps them and hides the stale copies;
    `shard_pages` 1 cuts every closed year into a shard a month. With one entry a feed (`feeds`),
    a body edit of any older article takes the quick path (quick.py). Each build after the first
    writes the output's record as a delta on the first's (record.DELTA_SHARE raised: a site this
    small changes too much of itself for one)."""
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    with (tempfile.TemporaryDirectory() as tmp_name, patch.object(search, "COMPACT_AT", compact_at),
          patch.object(search, "SHARD_PAGES", shard_pages), patch.object(record, "DELTA_SHARE", 2.0)):
        tmp = Path(tmp_name)
        site = tmp / "site"
        site.mkdir()
        (site / "config.yaml").write_text(CONFIG + f"feed_entries: {feeds}\n", encoding="utf-8")
        for date in FIRST_DATES:
            apply(site, ("scan", date, (90, 90, 90)))  # page 1 has a scan from the start
            write_files(site, {f"content/{date}/a.md": article("甲", page=1)})
        time.sleep(RACY_NS / 1e9 + 0.05)  # each build sees its files out of the clock's tick, as on a real machine:
        build(Options(site=site, out=site / "public"))  # else each shape says "changed" of them (a full build)
        try:
            for operation in sequence:
                apply(site, operation)
                time.sleep(RACY_NS / 1e9 + 0.05)
                try:
                    build(Options(site=site, out=site / "public"))
                except Exception:
                    continue  # a broken state: the next operation may mend it; compared when it builds
                assert digest(site / "public", search_index=False) == full_build(site, tmp, search_index=False), operation
                with served(site / "public") as incremental, served(tmp / "fresh/public") as full:
                    assert (search_urls(page, f"{incremental}/search/", QUERIES)
                            == search_urls(page, f"{full}/search/", QUERIES)), operation
        finally:
            context.close()


def test_first_build_leaves_a_ready_staging_twin_so_the_next_edit_links_nothing(make_site) -> None:
    site = make_site(two_editions())
    age(site)
    _, out = build_ok(site)
    staging = out.parent / f".{out.name}.staging"
    assert staging.is_dir() and not (out.parent / f".{out.name}.staging.twin").exists()
    page = "2022-11-03/youdaizheng/index.html"
    assert (staging / page).stat().st_ino == (out / page).stat().st_ino  # the same file, linked
    (site / ED4 / "brief.md").write_text(article("简讯改题", page=2, type="brief"), encoding="utf-8")
    result, out = build_ok(site)
    assert "简讯改题" in (out / "2022-11-04/brief/index.html").read_text(encoding="utf-8")
    assert (out / page).stat().st_ino == (staging / page).stat().st_ino


def test_a_new_version_of_a_library_rerenders_everything(make_site, monkeypatch) -> None:
    """A new Markdown, Jinja, Pillow or PDFium can change every page: the cache must not
    answer "up to date" for the output the old one made."""
    from importlib import metadata

    from epaper.output import cache

    site = make_site(two_editions())
    age(site)
    build_ok(site)
    real = metadata.version
    monkeypatch.setattr(metadata, "version", lambda name: "99.0" if name == "Markdown" else real(name))
    cache.code_fingerprint.cache_clear()
    try:
        result, _ = build_ok(site)
    finally:
        cache.code_fingerprint.cache_clear()
    assert not result.up_to_date and result.rendered


def test_a_damaged_records_database_goes_with_its_write_ahead_log(tmp_path: Path) -> None:
    """A log left beside a deleted database would be replayed into the one made under its name."""
    from epaper.output.cache import RecordStore

    db = tmp_path / "records.sqlite"
    db.write_bytes(b"not a database " * 100)
    (tmp_path / "records.sqlite-wal").write_bytes(b"an old log")
    assert RecordStore(tmp_path, "key").load() == {}
    assert not db.exists() and not (tmp_path / "records.sqlite-wal").exists()


def test_a_site_named_another_way_is_the_same_site_and_its_build_is_a_no_op(make_site, monkeypatch) -> None:
    """The stamp's listing names the inputs by their paths: a nightly job giving the absolute path
    and an editor giving `--site .` or `../paper` build the same site, and neither's build after
    the other's starts again from nothing (at 100,000 articles, minutes)."""
    site = make_site(two_editions())
    age(site)
    build_ok(site, site / "public")
    monkeypatch.chdir(site.parent)
    for spelling in (Path(site.name), Path(".") / site.name / ".." / site.name):
        result = build(Options(site=spelling, out=site / "public"))
        assert result.up_to_date and result.rendered == [], spelling
    monkeypatch.chdir(site)
    result = build(Options(site=Path("."), out=Path("public")))
    assert result.up_to_date and result.rendered == []
    link = site.parent / f"{site.name}-link"  # the output named through a link, or with `..`: its record is one
    link.symlink_to(site)
    for spelling in (Path(".."), link):
        result = build(Options(site=spelling / site.name if spelling == Path("..") else spelling,
                               out=Path("..") / site.name / ".." / site.name / "public"))
        assert result.up_to_date and result.rendered == [], spelling
    assert len(list((site / CACHE_DIR).glob("output-*.marshal"))) == 1


def test_a_listing_left_by_a_build_that_died_is_removed_by_the_next_full_build(make_site) -> None:
    """A full build keeps the input listing on disk beside the shape until its end, and writes the
    new shape beside it while Pagefind runs; a build killed meanwhile leaves them there (10 MB
    each at 100,000 articles, more at each such death). The next full build of the same output,
    holding its lock, removes them, and leaves none of its own; another output's are its own."""
    site = make_site(two_editions())
    age(site)
    build_ok(site)
    cache = site / CACHE_DIR
    shape = next(cache.glob("shape-*.marshal"))
    dead = shape.with_name(f"{shape.name}.99999999.listing")
    half = shape.with_name(f"{shape.name}.99999999.tmp")  # a shape written beside its place, never placed
    other = cache / "shape-0123456789abcdef.marshal.99999999.listing"
    for left in (dead, half, other):
        left.write_bytes(b"r /gone\x00")
    write_files(site, {"content/2022/2022-11-05/edition.yaml": EDITION.format(date="2022-11-05", number=11235),
                       "content/2022/2022-11-05/one.md": article("第三期")})
    age(site)
    result, _ = build_ok(site)
    assert result.rendered and not dead.exists() and not half.exists() and other.exists()
    assert not list(cache.glob(f"{shape.name}.*.*"))  # nor this build's own


def test_the_records_temporary_files_left_by_a_killed_build_are_removed_by_the_next_one(make_site) -> None:
    """The output's record, its delta and the writing mark are written beside their place and
    renamed over it: a build killed while writing one leaves its temporary file (the record's
    is 30 MB at 100,000 articles). The next build that writes the same output, holding its
    lock, removes them; another output's it leaves alone, and it leaves none of its own."""
    site = make_site(two_editions())
    age(site)
    build_ok(site)
    cache = site / CACHE_DIR
    record = next(p for p in cache.glob("output-*.marshal"))
    dead = [record.with_name(f"{record.name}{kind}.99999999.tmp") for kind in ("", ".delta", ".writing")]
    other = cache / "output-0123456789abcdef.marshal.99999999.tmp"
    for left in (*dead, other):
        left.write_bytes(b"half a record")
    folder = record.with_name(f"{record.name}.kept.tmp")  # no build's: left alone, and no reason to fail
    (folder / "inside").mkdir(parents=True)
    write_files(site, {"content/2022/2022-11-04/brief.md": article("改过的简讯")})
    age(site)
    result, _ = build_ok(site)
    assert result.rendered and not any(left.exists() for left in dead) and other.exists() and folder.is_dir()
    assert list(cache.glob(f"{record.name}*.tmp")) == [folder]  # nor this build's own


def test_the_records_of_the_files_a_build_changed_are_saved_by_their_folders_alone(tmp_path: Path) -> None:
    """RecordStore.save told which files' records the load made anew or let go writes their
    folders' rows and removes the folders left empty, never looking at the archive's others
    (at 100,000 articles comparing every folder's records was 0.2 s of each build); read back,
    the store has every record as the build had it."""
    from epaper.output.cache import RecordStore, SourceRecord

    def record(n: int) -> SourceRecord:
        return SourceRecord(n, n, f"sha{n}", {"title": str(n)}, [])

    first = {f"content/2022-11-0{d}/{a}.md": record(d * 10 + a) for d in (1, 2, 3) for a in (1, 2)}
    store = RecordStore(tmp_path, "key")
    store.save(first)
    store = RecordStore(tmp_path, "key")
    records = store.load()
    assert {rel: r.sha for rel, r in records.items()} == {rel: r.sha for rel, r in first.items()}
    written: list[str] = []
    real = store._connect

    def connect() -> sqlite3.Connection:
        db = real()
        db.set_trace_callback(lambda sql: written.append(sql) if sql.startswith(("INSERT", "DELETE")) else None)
        return db

    store._connect = connect  # type: ignore[method-assign]
    records["content/2022-11-01/1.md"] = record(99)  # edited
    del records["content/2022-11-02/1.md"], records["content/2022-11-02/2.md"]  # a folder removed
    records["content/2022-11-04/1.md"] = record(41)  # a new edition
    store.save(records, {"content/2022-11-01/1.md", "content/2022-11-02/1.md", "content/2022-11-02/2.md",
                         "content/2022-11-04/1.md"})
    rows = [sql for sql in written if "records" in sql]
    assert len(rows) == 3 and not any("2022-11-03" in sql for sql in rows), rows  # the others' rows untouched
    again = RecordStore(tmp_path, "key").load()
    assert {rel: r.sha for rel, r in again.items()} == {rel: r.sha for rel, r in records.items()}
