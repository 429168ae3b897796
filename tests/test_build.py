"""The content contract, built from small scratch sites and checked by parsing the output."""
from __future__ import annotations

import gc
import hashlib
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import (
    CONFIG,
    EDITION,
    REPO,
    article,
    build_ok,
    internal_targets,
    resolves,
    soup,
    two_editions,
)
from epaper import build as pipeline
from epaper import parallel
from epaper.content import load
from epaper.content.reader import SiteReader
from epaper.errors import Diagnostics
from epaper.output import cache
from epaper.output.cache import CACHE_DIR, input_stamp
from epaper.output.record import record_path


def digest(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def test_section_index_orders_newest_edition_then_page_then_order_then_slug(make_site) -> None:
    files = {
        "content/a/edition.yaml": EDITION.format(date="2022-11-03", number=1),
        "content/a/old.md": article("旧", page=1),
        "content/b/edition.yaml": EDITION.format(date="2022-11-04", number=2),
        "content/b/zeta.md": article("无序号乙", page=1),
        "content/b/alpha.md": article("无序号甲", page=1),
        "content/b/second.md": article("第二", page=1, order=2),
        "content/b/first.md": article("第一", page=1, order=1),
        "content/b/other.md": article("二版要闻", page=2, section="yaowen"),
    }
    _, out = build_ok(make_site(files, config=CONFIG.replace("paginate: 2", "paginate: 20")))
    titles = [a.get_text() for a in soup(out, "sections/yaowen/").select(".item-title a")]
    assert titles == ["第一", "第二", "无序号甲", "无序号乙", "二版要闻", "旧"]


def test_section_index_paginates_with_page_urls(make_site) -> None:
    files = {"content/e/edition.yaml": EDITION.format(date="2022-11-04", number=2)}
    for i in range(5):
        files[f"content/e/a{i}.md"] = article(f"文章{i}", page=1, order=i)
    _, out = build_ok(make_site(files))  # paginate: 2
    assert len(soup(out, "sections/yaowen/").select(".item")) == 2
    assert len(soup(out, "sections/yaowen/page/3/").select(".item")) == 1
    assert not (out / "sections/yaowen/page/1").exists()
    assert not (out / "sections/yaowen/page/4").exists()
    second = soup(out, "sections/yaowen/page/2/")
    assert second.find("a", rel="prev")["href"] == "/sections/yaowen/"
    assert second.find("a", rel="next")["href"] == "/sections/yaowen/page/3/"


def test_declared_section_without_articles_gets_index_saying_so(make_site) -> None:
    _, out = build_ok(make_site(two_editions()))
    assert soup(out, "sections/zonghe/").select(".item") != []
    empty = CONFIG.replace("series:", "  - {slug: tiyu, name: 体育}\nseries:")
    _, out = build_ok(make_site(two_editions(), config=empty, name="other"))
    page = soup(out, "sections/tiyu/")
    assert page.select(".item") == [] and "暂无文章" in page.get_text()


def test_article_page_shows_kicker_title_subtitle_byline_and_place(make_site) -> None:
    files = two_editions()
    files["content/2022/2022-11-04/full.md"] = article(
        "主标题", page=1, kicker="引题", subtitle="副题", authors="姚珏", byline="融媒体报道",
        dateline="本报讯", body="第一段。\n\n第二段。")
    _, out = build_ok(make_site(files))
    page = soup(out, "2022-11-04/full/")
    assert page.select_one(".kicker").get_text() == "引题"
    assert page.select_one("h1").get_text() == "主标题"
    assert page.select_one(".subtitle").get_text() == "副题"
    assert "融媒体报道" in page.select_one(".byline").get_text()
    assert page.select_one(".author").get_text() == "姚珏"
    first = page.select_one(".article-body p")
    assert first.get_text() == "本报讯 第一段。"
    where = page.select_one(".article-where").get_text()
    assert "2022年11月4日 星期五" in where and "第1版" in where and "要闻" in where


def test_series_neighbours_link_older_and_newer(make_site) -> None:
    _, out = build_ok(make_site(two_editions()))
    newer = soup(out, "2022-11-04/bitan-two/")
    assert newer.select_one(".series-nav a[rel=prev]")["href"] == "/2022-11-03/bitan-one/"
    older = soup(out, "2022-11-03/bitan-one/")
    assert older.select_one(".series-nav a[rel=next]")["href"] == "/2022-11-04/bitan-two/"


def test_edition_page_has_pages_strip_toc_and_neighbours(make_site) -> None:
    _, out = build_ok(make_site(two_editions()))
    page = soup(out, "2022-11-04/")
    assert [a["href"] for a in page.select(".page-strip a")] == ["/2022-11-04/01/", "/2022-11-04/02/"]
    assert "第1版" in page.select_one(".page-strip").get_text()
    assert "第11234期" in page.get_text()
    assert page.find("a", rel="prev")["href"] == "/2022-11-03/"
    assert page.find("a", rel="next") is None
    printed = soup(out, "2022-11-04/02/")
    assert [a.get_text() for a in printed.select(".item-title a")] == ["简讯一则", "更正启事"]
    assert printed.find("a", rel="prev")["href"] == "/2022-11-04/01/"


def test_drafts_are_left_out_unless_asked(make_site) -> None:
    files = two_editions()
    files["content/2022/2022-11-04/secret.md"] = article("草稿", page=1, draft="true")
    site = make_site(files)
    _, out = build_ok(site)
    assert not (out / "2022-11-04/secret").exists()
    assert "草稿" not in soup(out, "2022-11-04/").get_text()
    assert "草稿" not in soup(out, "sections/yaowen/").get_text()
    _, out = build_ok(site, drafts=True)
    assert soup(out, "2022-11-04/secret/").find("h1").get_text() == "草稿"


def test_edition_of_only_drafts_is_left_out_with_a_warning(make_site) -> None:
    files = two_editions()
    files["content/2022/2022-11-05/edition.yaml"] = EDITION.format(date="2022-11-05", number=3)
    files["content/2022/2022-11-05/wip.md"] = article("明日", page=1, draft="true")
    result, out = build_ok(make_site(files))
    assert not (out / "2022-11-05").exists()
    assert any("2022-11-05/edition.yaml:1: warning: every article" in str(w) for w in result.diagnostics.warnings)


def test_base_url_with_a_path_prefixes_every_link(make_site) -> None:
    site = make_site(two_editions())
    result, out = build_ok(site, base_url="https://example.org/news/")
    links = internal_targets(out)
    assert links and all(link.startswith("/news/") for _, link in links)
    assert [x for x in links if not resolves(out, "/news/", x[1])] == []
    missing = soup(out, "404.html")
    assert re.fullmatch(r"/news/assets/epaper\.[0-9a-f]{8}\.css", missing.find("link", rel="stylesheet")["href"])
    assert soup(out, "").find("link", rel="canonical")["href"] == "https://example.org/news/2022-11-04/"


def test_cjk_line_breaks_join_and_latin_ones_stay_spaces(make_site) -> None:
    files = two_editions()
    files["content/2022/2022-11-04/wrap.md"] = article(
        "换行", page=1, body="经济社会发\n展，打好“省级\n自贸联创区”。\n\nHello\nworld 和\nEnglish 词。")
    _, out = build_ok(make_site(files))
    paragraphs = [p.get_text() for p in soup(out, "2022-11-04/wrap/").select(".article-body p")]
    assert paragraphs[0] == "经济社会发展，打好“省级自贸联创区”。"
    assert " ".join(paragraphs[1].split()) == "Hello world 和 English 词。"
    assert "\n" in paragraphs[1]  # a soft break between Latin words is whitespace, shown as a space


def test_tables_and_footnotes_render(make_site) -> None:
    files = two_editions()
    files["content/2022/2022-11-04/table.md"] = article(
        "表格", page=1, body="| 项目 | 数量 |\n|---|---|\n| 商户 | 2308 |\n\n正文[^1]\n\n[^1]: 注释")
    _, out = build_ok(make_site(files))
    body = soup(out, "2022-11-04/table/").select_one(".article-body")
    assert body.find("table").find("td").get_text() == "商户"
    assert body.select_one(".footnote li").get_text().strip().startswith("注释")


def test_raw_html_is_escaped_unless_config_allows_it(make_site) -> None:
    files = two_editions()
    files["content/2022/2022-11-04/raw.md"] = article(
        "原始", page=1, body='<script>alert(1)</script>\n\n<b onclick="x()">粗</b> [链接](javascript:alert(2))')
    _, out = build_ok(make_site(files))
    body = soup(out, "2022-11-04/raw/").select_one(".article-body")
    assert body.find("script") is None and body.find("b") is None
    assert "<script>alert(1)</script>" in body.get_text()
    assert body.find("a")["href"] == "#"
    unsafe = CONFIG + "markdown: {unsafe_html: true}\n"
    _, out = build_ok(make_site(files, config=unsafe, name="unsafe"))
    assert soup(out, "2022-11-04/raw/").select_one(".article-body b") is not None


THEME_SCRIPT = re.compile(r"/assets/(epaper|calendar|search-excerpt|search-rank)\.[0-9a-f]{8}\.js")  # the theme's scripts, from files
# ...and the one inline script of the theme: an article's type size, set before the first paint.
HEAD_SCRIPT = re.search(r"<script>(.*?)</script>", (REPO / "epaper/theme/layouts/article.html").read_text(encoding="utf-8"))[1]


def test_hostile_title_is_escaped_in_text_and_attributes(make_site) -> None:
    files = two_editions()
    hostile = '"><script>alert(1)</script>'
    files["content/2022/2022-11-04/evil.md"] = article(f"'{hostile}'", page=1, kicker="'<img src=x onerror=alert(1)>'")
    _, out = build_ok(make_site(files))
    for url in ("2022-11-04/evil/", "2022-11-04/", "sections/yaowen/"):
        page = soup(out, url)
        scripts = [s for s in page.find_all("script") if s.get("type") != "application/ld+json"]
        assert [s for s in scripts if (s.string and s.string != HEAD_SCRIPT)
                or (not s.string and not THEME_SCRIPT.fullmatch(s.get("src", "")))] == [], url
        assert page.find("img") is None, url
        assert hostile in page.get_text(), url
    assert soup(out, "2022-11-04/evil/").find("meta", property="og:title")["content"] == hostile


def test_scalar_title_is_text_and_authors_may_be_one_string(make_site) -> None:
    files = two_editions()
    files["content/2022/2022-11-04/n.md"] = article("2022", page=1, authors="余月霞")
    files["content/2022/2022-11-04/y.md"] = article("yes", page=1, authors="[甲, 乙]")
    _, out = build_ok(make_site(files))
    assert soup(out, "2022-11-04/n/").find("h1").get_text() == "2022"
    assert soup(out, "2022-11-04/y/").find("h1").get_text() == "yes"
    assert [a.get_text() for a in soup(out, "2022-11-04/y/").select(".author")] == ["甲", "乙"]


def test_slug_front_matter_wins_over_chinese_file_name(make_site) -> None:
    files = two_editions()
    files["content/2022/2022-11-04/全区新闻.md"] = article("新闻", page=1, slug="quanqu-xinwen")
    _, out = build_ok(make_site(files))
    assert soup(out, "2022-11-04/quanqu-xinwen/").find("h1").get_text() == "新闻"


def test_correction_by_printed_title_ignores_quotes_and_spaces(make_site) -> None:
    files = two_editions()
    files["content/2022/2022-11-04/gengzheng.md"] = article(
        "更正启事", page=2, type="correction",
        corrects="{date: 2022-11-03, page: 1, title: “全区优待证 月底发放到位”}")
    _, out = build_ok(make_site(files))
    assert soup(out, "2022-11-04/gengzheng/").select_one(".corrects a")["href"] == "/2022-11-03/youdaizheng/"


def test_english_site_gets_english_labels_and_dates(make_site) -> None:
    config = CONFIG.replace("language: zh-CN", "language: en")
    _, out = build_ok(make_site(two_editions(), config=config))
    page = soup(out, "2022-11-04/")
    assert page.find("html")["lang"] == "en"
    assert "Friday, 4 November 2022" in page.get_text()
    assert "Page 1" in page.select_one(".page-strip").get_text()


def test_same_input_gives_byte_identical_output(make_site, tmp_path: Path) -> None:
    site = make_site(two_editions())
    _, first = build_ok(site, out=tmp_path / "one")
    _, second = build_ok(site, out=tmp_path / "two")
    assert digest(first) == digest(second)


def test_site_layouts_and_static_override_the_theme_file_by_file(make_site) -> None:
    files = two_editions()
    files["layouts/404.html"] = "<!doctype html><title>own</title><p>自己的 404</p>\n"
    files["static/assets/epaper.css"] = "body{color:red}\n"
    files["static/favicon.ico"] = b"\x00\x01"
    _, out = build_ok(make_site(files))
    assert "自己的 404" in (out / "404.html").read_text(encoding="utf-8")
    css = soup(out, "2022-11-04/").find("link", rel="stylesheet")["href"]
    assert re.fullmatch(r"/assets/epaper\.[0-9a-f]{8}\.css", css)
    assert (out / css.lstrip("/")).read_text() == "body{color:red}\n"
    assert (out / "favicon.ico").read_bytes() == b"\x00\x01"
    assert soup(out, "2022-11-04/").select_one(".page-strip") is not None  # theme still used elsewhere


def test_folder_name_need_not_be_the_date_and_stray_markdown_is_skipped(make_site) -> None:
    files = {
        "content/tomorrow/edition.yaml": EDITION.format(date="2022-11-05", number=3),
        "content/tomorrow/a.md": article("甲", page=1),
        "content/notes.md": article("游离", page=1),
    }
    result, out = build_ok(make_site(files))
    assert soup(out, "2022-11-05/a/").find("h1").get_text() == "甲"
    assert [str(w) for w in result.diagnostics.warnings] == [
        "content/notes.md:1: warning: is not in an edition folder (no edition.yaml beside it); skipped"]


def test_outputs_know_their_sources_and_layouts(make_site) -> None:
    result, _ = build_ok(make_site(two_editions()))
    by_path = {o.path: o for o in result.outputs}
    page = by_path["2022-11-03/youdaizheng/index.html"]
    assert page.rendered
    assert {"content/2022/2022-11-03/youdaizheng.md", "content/2022/2022-11-04/gengzheng.md",
            "content/2022/2022-11-03/edition.yaml", "config.yaml"} <= page.sources
    assert any(layout.endswith("layouts/article.html") for layout in page.layouts)
    assert any(layout.endswith("layouts/base.html") for layout in page.layouts)


def test_hidden_editor_files_are_not_articles(make_site) -> None:
    files = two_editions()
    files["content/2022/2022-11-04/._brief.md"] = b"\x00\x05\x16\x07 mac resource fork"
    site = make_site(files)
    (site / "content/2022/2022-11-04/.#brief.md").symlink_to("root@host.1234:1700000000")  # an Emacs lock
    result, out = build_ok(site)
    assert result.diagnostics.items == []


def test_the_stamps_file_stats_are_let_go_once_the_load_has_used_them(make_site, monkeypatch) -> None:
    """The stamp's stat of every input lets the load skip statting them again; held through the
    render they were 50 MB of a cold build's peak at 100,000 articles, copied into no worker but
    counted in every one's share."""
    site = make_site(two_editions())
    state = pipeline.BuildState(pipeline.Options(site=site))
    pipeline._stamp(state.options, site / "public", state)
    assert len(state.stats) >= 6
    seen: list[int] = []
    real = pipeline.load_content

    def load_content(*args: object) -> object:
        seen.append(len(args[-2]))  # type: ignore[arg-type]
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "load_content", load_content)
    try:
        state.load()
    finally:
        state.release()
    assert seen and seen[0] >= 6 and state.stats == {} and state.folders == {}


def _harness_threads_are_fork_safe() -> None:
    """Threads the test session left running (a browser test's Playwright) are not the build's
    concern: without this, a build in the same worker process would not fork (parallel.can_fork)."""
    for thread in threading.enumerate():
        if thread is not threading.main_thread():
            parallel.mark_fork_safe(thread)


def test_a_big_sites_stamp_is_walked_in_a_forked_process_and_gives_what_a_walk_here_gives(
        make_site, monkeypatch) -> None:
    """At 100,000 articles the stamp's walk (0.6-0.7 s) and reading the output's record (0.2 s)
    ran one after the other on one core of two: a big site's walk is forked, the record read
    meanwhile, and the build gets the same stamp, listing, stats and folders as from a walk here.
    A walk that fails there is done here."""
    from epaper.output import stamping

    _harness_threads_are_fork_safe()
    site = make_site(two_editions())
    time.sleep(0.2)  # past the racy window: the stamp is trusted
    build_ok(site)  # an output, and its record
    here = pipeline.BuildState(pipeline.Options(site=site))
    expected = pipeline._stamp(here.options, site / "public", here)
    record = record_path(site / CACHE_DIR, (site / "public").absolute())
    assert stamping.Stamping.start(pipeline._stamped(here.options), "x", record) is None  # a small site: here
    monkeypatch.setattr(stamping, "SMALL_RECORD", 0)
    forked: list[int] = []
    real_start = stamping.Stamping.start

    def start(*args: object) -> object:
        walk = real_start(*args)  # type: ignore[arg-type]
        forked.append(walk.pid if walk is not None else 0)  # type: ignore[union-attr]
        return walk

    monkeypatch.setattr(stamping.Stamping, "start", start)
    there = pipeline.BuildState(pipeline.Options(site=site))
    walk = stamping.Stamping.start(pipeline._stamped(there.options), pipeline._options_key(there.options, site / "public"),
                                   record)
    assert walk is not None and walk.pid != os.getpid()
    pid = walk.pid
    assert pipeline._stamp(there.options, site / "public", there, walk) == expected is not None
    assert (there.stats, there.listing, there.folders) == (here.stats, here.listing, here.folders)
    assert there.stats and there.listing and there.folders
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # waited for

    result, _ = build_ok(site)  # through build(): forked, and up to date
    assert forked[-1] and result.up_to_date

    def fails(*args: object) -> None:
        raise OSError("the walk broke")

    monkeypatch.setattr(stamping, "input_stamp", fails)  # in the forked process only
    (site / "content/2022/2022-11-04/brief.md").write_text(article("改过的标题", page=2), encoding="utf-8")
    result, out = build_ok(site)
    assert forked[-1] and not result.up_to_date
    assert "改过的标题" in (out / "2022-11-04/brief/index.html").read_text(encoding="utf-8")


def test_a_big_sites_records_are_read_while_its_stamp_is_walked_and_the_collector_is_given_back(
        make_site, monkeypatch, tmp_path: Path) -> None:
    """While a big site's walk goes on in another process, the build reads the content's records
    (0.55 s of a full build's load at 100,000 articles) instead of waiting: the load goes on from
    what was read, unpickling no row twice, and builds what a build without the fork builds. The
    collector, held off meanwhile, is back on after a full build, a no-op and a failed one. After
    an edit (no new folder where a new edition goes) nothing is read early: it would be let go."""
    from epaper import build as pipeline
    from epaper.output import stamping

    _harness_threads_are_fork_safe()
    site = make_site(two_editions())
    time.sleep(0.2)
    with monkeypatch.context() as without:  # a shape without a ledger: no added path (added.py) after it
        without.setattr(pipeline, "encode_ledger", lambda ledger: b"")
        build_ok(site)
    monkeypatch.setattr(stamping, "SMALL_RECORD", 0)
    events: list[str] = []
    real_group, real_result = cache._group, stamping.Stamping.result

    def group(blob: bytes) -> object:
        events.append("row")
        return real_group(blob)

    def result(self: stamping.Stamping, *args: object) -> object:
        events.append("walked")
        return real_result(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(cache, "_group", group)
    monkeypatch.setattr(stamping.Stamping, "result", result)
    monkeypatch.setattr(stamping.Stamping, "done", lambda self: False)  # a slow walk: every row read meanwhile
    files = {"content/2022/2022-11-05/edition.yaml": EDITION.format(date="2022-11-05", number=11235),
             "content/2022/2022-11-05/xin.md": article("新的一期", page=1)}
    for name, text in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text, encoding="utf-8")
    _, out = build_ok(site)
    assert events == ["row", "row", "walked"], events  # the two editions' rows, read once, before the walk ended
    assert gc.isenabled()

    def tree(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    _, plain = build_ok(site, tmp_path / "plain")  # no record there yet: walked here
    assert tree(out) == tree(plain)
    time.sleep(0.2)
    build_ok(site)
    assert build_ok(site)[0].up_to_date and gc.isenabled()
    events.clear()  # an edit (the quick path's case, no new folder): nothing read early, to be let go
    (site / "content/2022/2022-11-05/xin.md").write_text(article("新的一期", page=1, body="改过。"), encoding="utf-8")
    time.sleep(0.2)
    _, out = build_ok(site)
    assert events and events[0] == "walked", events
    assert "改过。" in (out / "2022-11-05/xin/index.html").read_text(encoding="utf-8") and gc.isenabled()
    (site / "content/2022/2022-11-05/xin.md").write_text(article("坏的", page=9), encoding="utf-8")
    with pytest.raises(pipeline.BuildError):
        pipeline.build(pipeline.Options(site=site))
    assert gc.isenabled()


def test_a_walk_that_cannot_be_forked_is_done_here(make_site, monkeypatch) -> None:
    """No room for another process (EAGAIN): the build walks for itself, leaving no pipe open."""
    import errno

    from epaper.output import stamping

    _harness_threads_are_fork_safe()
    site = make_site(two_editions())
    build_ok(site)
    monkeypatch.setattr(stamping, "SMALL_RECORD", 0)

    def fork() -> int:
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(stamping.os, "fork", fork)
    open_before = len(os.listdir("/proc/self/fd"))
    (site / "content/2022/2022-11-04/brief.md").write_text(article("又改了", page=2), encoding="utf-8")
    _, out = build_ok(site)
    assert "又改了" in (out / "2022-11-04/brief/index.html").read_text(encoding="utf-8")
    assert len(os.listdir("/proc/self/fd")) == open_before


def test_the_sources_are_walked_once_the_load_finds_the_editions_in_the_stamps_walk(make_site, monkeypatch) -> None:
    """Issue 13: "walk the sources once". The input stamp lists every folder it walks; the load
    finds the editions in that (a second walk of content/ was 0.17 s at 100,000 articles), and
    finds what a walk of its own finds."""
    files = two_editions()
    files["content/2022/stray.md"] = article("不在期内", page=1)  # warned about, as before
    site = make_site(files)
    walks: list[str] = []
    real = os.walk

    def walk(top: object, *args: object, **kwargs: object) -> object:
        walks.append(str(top))
        return real(top, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(load.os, "walk", walk)
    result, _ = build_ok(site)
    assert not any(top.endswith("content") for top in walks)
    assert [e.source for e in result.site.editions] == [
        "content/2022/2022-11-03/edition.yaml", "content/2022/2022-11-04/edition.yaml"]
    assert [d.path for d in result.diagnostics.warnings] == ["content/2022/stray.md"]
    walking, given = SiteReader(site, Diagnostics()), SiteReader(site, Diagnostics())
    assert load.find_editions(walking) == load.find_editions(given, _walked(site))
    assert walking.diags.items == given.diags.items == result.diagnostics.warnings


def test_a_folder_gone_during_the_stamps_walk_leaves_the_load_to_walk_for_itself(make_site, monkeypatch) -> None:
    """A folder the stamp saw in its parent but could not list (renamed or removed meanwhile: a
    checkout, a sync) makes its record of the folders incomplete: the load walks, as it did
    before the stamp's walk was reused, instead of failing on the missing folder (a review's
    finding)."""
    site = make_site(two_editions())
    gone = str(site / "content/2022/2022-11-04")
    real = cache.os.scandir
    missed: list[str] = []

    def scandir(path: object) -> object:
        if str(path) == gone and not missed:  # gone for the stamp, back (a rename undone) for the load
            missed.append(gone)
            raise FileNotFoundError(2, "No such file or directory", gone)
        return real(path)  # type: ignore[call-overload]

    monkeypatch.setattr(cache.os, "scandir", scandir)
    result, _ = build_ok(site)
    assert missed and [e.source for e in result.site.editions] == [
        "content/2022/2022-11-03/edition.yaml", "content/2022/2022-11-04/edition.yaml"]


def _walked(site: Path) -> dict[str, tuple[list[str], list[str], list[str]]]:
    folders: dict[str, tuple[list[str], list[str], list[str]]] = {}
    input_stamp([site / "content"], "", folders=folders)
    return folders


def test_the_plan_is_made_without_the_collector_and_frozen_with_the_loaded_site(make_site, monkeypatch) -> None:
    """Its pages live until the build ends: the collector walking them while they are made, and
    again at each collection of the render, was a sixth of the plan's time at 10,000 articles."""
    collecting: list[bool] = []
    made = pipeline.plan

    def plan(*args: object):
        collecting.append(gc.isenabled())
        return made(*args)

    monkeypatch.setattr(pipeline, "plan", plan)
    state = pipeline.BuildState(pipeline.Options(site=make_site(two_editions())))
    state.load()
    state.resolve(drafts=False, future=False)
    frozen = gc.get_freeze_count()
    try:
        state.plan()
        assert collecting == [False] and gc.isenabled()
        assert gc.get_freeze_count() >= frozen + len(state.pages)
    finally:
        state.release()
    assert gc.get_freeze_count() == 0


def test_what_the_load_and_the_plan_made_is_frozen_before_the_collector_is_back_on(make_site, monkeypatch) -> None:
    """Made while the collector is off, the loaded site and the plan are its next young
    collection's whole generation when it comes back on first: 0.5 s of a new edition's build at
    100,000 articles, in whichever thread allocated next (the Markdown watchdog's, often)."""
    young_at_enable: list[int] = []

    class Collector:
        def __getattr__(self, name: str) -> object:
            return getattr(gc, name)

        @staticmethod
        def enable() -> None:
            young_at_enable.append(len(gc.get_objects(generation=0)))
            gc.enable()

    monkeypatch.setattr(pipeline, "gc", Collector())
    state = pipeline.BuildState(pipeline.Options(site=make_site(two_editions())))
    made_before = len(gc.get_objects())
    try:
        state.load()
        state.resolve(drafts=False, future=False)
        state.plan()
    finally:
        state.release()
    assert len(young_at_enable) == 2  # after the load, after the plan
    assert gc.get_freeze_count() == 0
    assert max(young_at_enable) < 100 < len(gc.get_objects()) - made_before  # what they made: not young

def _command_with_atexit(site: Path, marker: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m epaper ARGS` in a process that writes `marker` if the interpreter shuts down."""
    code = ("import atexit, runpy, sys; "
            f"atexit.register(lambda: open({str(marker)!r}, 'w').close()); "
            f"sys.argv = ['epaper', *{list(args)!r}]; runpy.run_module('epaper', run_name='__main__')")
    return subprocess.run([sys.executable, "-c", code], cwd=site, capture_output=True, text=True, timeout=120)


def test_the_build_command_ends_without_tearing_down_its_heap_and_says_everything_first(
        make_site, tmp_path: Path) -> None:
    """At 100,000 articles the interpreter took 1.1-1.2 s freeing a finished build's objects:
    `epaper build` and `epaper check` end the process at once (os._exit), their last words
    flushed, with their exit code; `epaper new` ends as Python does."""
    site = make_site(two_editions())
    marker = tmp_path / "shut-down"
    done = _command_with_atexit(site, marker, "build", "--site", str(site))
    assert done.returncode == 0, done.stderr
    assert "已构建" in done.stderr and (site / "public/index.html").is_file()
    assert not marker.exists(), "the interpreter shut down"
    (site / "content/2022/2022-11-04/broken.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    failed = _command_with_atexit(site, marker, "build", "--site", str(site))
    assert failed.returncode == 1 and "broken.md:" in failed.stderr and not marker.exists()
    checked = _command_with_atexit(site, marker, "check", "--site", str(site))
    assert checked.returncode == 1 and "broken.md:" in checked.stderr and not marker.exists()
    made = _command_with_atexit(site, marker, "new", "edition", "2022-11-05", "--site", str(site))
    assert made.returncode == 0, made.stderr
    assert marker.exists(), "other commands end as Python ends"
