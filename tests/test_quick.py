"""The quick path (epaper/quick.py): after edits to article bodies alone, a build loads, links
and renders only the pages showing them, and its output is the full build's, byte for byte.
Whatever it cannot be sure of goes to a full build; these tests say which (Result.total is set
by the quick path only)."""
from __future__ import annotations

import marshal
import time
from pathlib import Path

import pytest
from test_incremental import age, digest, full_build

from conftest import CONFIG, EDITION, article, build_ok, write_files
from epaper.build import BuildState, Options, build
from epaper.errors import BuildError
from epaper.output import search, shape
from epaper.output.cache import CACHE_DIR, RACY_NS
from epaper.output.shape import lines, read_shape
from searching import build_searchable, search_urls, served

pytest_plugins = ["browser"]

QUICK_CONFIG = CONFIG + "feed_entries: 1\n"  # the feeds carry the newest article only


def series_site(editions: int = 6) -> dict[str, str]:
    """An edition a day, each with a part of the series and a plain article; a correction of the
    first day's article on the last day."""
    files: dict[str, str] = {}
    for day in range(1, editions + 1):
        date = f"2022-11-{day:02d}"
        files[f"content/{date}/edition.yaml"] = EDITION.format(date=date, number=day)
        files[f"content/{date}/bitan.md"] = article(f"笔谈之{day}", page=2, series="bitan")
        files[f"content/{date}/news.md"] = article(f"要闻{day}", page=1, body=f"第{day}天的正文。")
    files[f"content/2022-11-{editions:02d}/fix.md"] = article(
        "更正", page=2, type="correction", corrects="2022-11-01/news")
    return files


def built(make_site, files: dict[str, str] | None = None) -> Path:
    """A site made and built once, its files out of the clock's tick."""
    site = make_site(files if files is not None else series_site(), config=QUICK_CONFIG)
    age(site)
    build_ok(site)
    return site


def same_as_full_build(site: Path, out: Path, tmp_path: Path) -> bool:
    """The output is a fresh full build's, byte for byte (the search index apart: its shards
    depend on the order of the builds; test_incremental's property compares what it finds)."""
    return digest(out, search_index=False) == full_build(site, tmp_path, search_index=False)


def edit_body(site: Path, rel: str, rest: str) -> None:
    """The article's body after its first paragraph becomes `rest` (the first is its summary)."""
    path = site / rel
    text = path.read_text(encoding="utf-8")
    end = text.index("---", 3) + 3
    first = text[end:].strip().split("\n\n")[0]
    path.write_text(f"{text[:end]}\n\n{first}\n\n{rest}\n", encoding="utf-8")
    time.sleep(RACY_NS / 1e9 + 0.05)  # out of the clock's tick: else the next build reads it again too


def test_a_body_edit_renders_that_articles_page_alone_and_equals_a_full_build(make_site, tmp_path: Path) -> None:
    site = make_site(series_site(), config=QUICK_CONFIG)
    age(site)
    first, _ = build_ok(site)
    for rel in ("content/2022-11-03/bitan.md", "content/2022-11-01/news.md"):  # in a series; corrected
        edit_body(site, rel, "改过的正文，有新词：蓝鲸。")
        result, out = build_ok(site)
        assert result.total is not None, "the quick path"
        page = rel.removeprefix("content/").removesuffix(".md") + "/index.html"
        assert result.rendered == [page]
        assert result.page_count == first.page_count
        assert "蓝鲸" in (out / page).read_text(encoding="utf-8")
        assert same_as_full_build(site, out, tmp_path)


def test_a_full_build_works_out_the_shape_while_pagefind_runs_and_the_next_edit_takes_the_quick_path(
        make_site, monkeypatch, tmp_path: Path) -> None:
    """The build's own process waits for Pagefind (0.6 s of a new edition's build at 100,000
    articles): the shape it keeps for the next build's quick path is made meanwhile. Pagefind
    here starts, waits (at most 10 s) for the shape to be made, and only then indexes."""
    started, ended, shaped = tmp_path / "pagefind-started", tmp_path / "pagefind-ended", tmp_path / "shape-made"
    pagefind = tmp_path / "pagefind"
    pagefind.write_text(f"""#!/bin/sh
touch '{started}'
for _ in $(seq 100); do [ -e '{shaped}' ] && break; sleep 0.1; done
'{search.executable()}' "$@"
code=$?
touch '{ended}'
exit $code
""", encoding="utf-8")
    pagefind.chmod(0o755)
    monkeypatch.setattr(search, "executable", lambda: pagefind)
    seen: list[bool] = []
    made = BuildState._full_shape

    def full_shape(state: BuildState) -> bytes:
        deadline = time.monotonic() + 10
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        seen.append(started.exists() and not ended.exists())
        shaped.touch()
        return made(state)

    monkeypatch.setattr(BuildState, "_full_shape", full_shape)
    site = make_site(series_site(), config=QUICK_CONFIG)
    age(site)
    result, _ = build_ok(site)
    assert seen == [True] and not result.diagnostics.warnings  # made once, while Pagefind ran
    edit_body(site, "content/2022-11-03/news.md", "改过的正文，有新词：蓝鲸。")
    result, out = build_ok(site)
    assert result.total is not None and result.rendered == ["2022-11-03/news/index.html"], "the quick path"
    assert same_as_full_build(site, out, tmp_path)


def test_a_shape_that_fails_while_pagefind_runs_does_not_keep_the_paper_from_going_out(
        make_site, monkeypatch) -> None:
    """The shape is the next build's help: when working it out fails while Pagefind runs, the
    build goes on and works it out again after the swap, as it did before (a review's finding)."""
    calls: list[int] = []
    made = BuildState._full_shape

    def full_shape(state: BuildState) -> bytes:
        calls.append(1)
        if len(calls) == 1:
            raise MemoryError("no room for the shape")
        return made(state)

    monkeypatch.setattr(BuildState, "_full_shape", full_shape)
    site = make_site(series_site(), config=QUICK_CONFIG)
    age(site)
    result, out = build_ok(site)
    assert len(calls) == 2 and (out / "2022-11-03/news/index.html").is_file()
    edit_body(site, "content/2022-11-03/news.md", "改过的正文。")
    assert build_ok(site)[0].total is not None  # the shape kept after the swap: the quick path


def test_changed_fields_or_a_new_file_mean_a_full_build(make_site, tmp_path: Path) -> None:
    site = built(make_site)
    (site / "content/2022-11-03/bitan.md").write_text(article("笔谈改题", page=2, series="bitan"), encoding="utf-8")
    result, out = build_ok(site)
    assert result.total is None
    assert "笔谈改题" in (out / "2022-11-04/bitan/index.html").read_text(encoding="utf-8")  # its neighbour's link
    write_files(site, {"content/2022-11-02/new.md": article("新稿", page=1)})
    result, out = build_ok(site)
    assert result.total is None
    assert same_as_full_build(site, out, tmp_path)


def test_a_body_a_feed_shows_means_a_full_build(make_site, tmp_path: Path) -> None:
    site = built(make_site)
    newest = "content/2022-11-06/news.md"  # page 1 of the newest edition: the feed's one entry
    edit_body(site, newest, "新的正文。")
    result, out = build_ok(site)
    assert result.total is None
    assert "新的正文" in (out / "feed.xml").read_text(encoding="utf-8")
    assert same_as_full_build(site, out, tmp_path)


def test_a_layout_reaching_past_the_loaded_editions_gets_a_full_build(make_site, tmp_path: Path) -> None:
    files = series_site()
    theme = (Path(__file__).parent.parent / "epaper/theme/layouts/article.html").read_text(encoding="utf-8")
    back = ("{% set ns = namespace(a=article) %}{% for _ in range(5) %}{% if ns.a %}{% set ns.a = ns.a.prev_in_series %}"
            "{% endif %}{% endfor %}{% if ns.a %}<p class=first>{{ ns.a.title }}</p>{% endif %}")  # five back
    files["layouts/article.html"] = theme.replace("{% block main %}", "{% block main %}" + back, 1)
    site = built(make_site, files)
    edit_body(site, "content/2022-11-06/bitan.md", "改过。")
    result, out = build_ok(site)
    assert result.total is None  # five links back is past what the quick path loads
    assert "笔谈之1" in (out / "2022-11-06/bitan/index.html").read_text(encoding="utf-8")
    assert same_as_full_build(site, out, tmp_path)


def test_the_quick_path_reports_the_edited_files_new_warnings_and_keeps_the_others(make_site) -> None:
    files = series_site()
    files["content/2022-11-02/news.md"] = article("要闻2", page=1, body="第2天的正文。\n\n他说:好的.")  # half-width
    site = make_site(files, config=QUICK_CONFIG)
    age(site)
    first, _ = build_ok(site)
    assert any(w.path == "content/2022-11-02/news.md" for w in first.diagnostics.warnings)
    edit_body(site, "content/2022-11-03/news.md", "我们说:好的.")
    edit_body(site, "content/2022-11-02/news.md", "他说：好的。")
    result, _ = build_ok(site)
    assert result.total is not None
    shown = sorted((w.path, w.line, w.id) for w in result.diagnostics.warnings)
    full = build(Options(site=site, out=site / "full"))
    assert shown == sorted((w.path, w.line, w.id) for w in full.diagnostics.warnings)
    assert {w.path for w in result.diagnostics.warnings} == {"content/2022-11-03/news.md"}


def test_another_outputs_build_does_not_mislead_the_quick_path(make_site, tmp_path: Path) -> None:
    """The records are the site's, shared by every output: a preview built with a new title
    leaves its record, and the public build must still see the title changed since its own."""
    site = built(make_site)
    (site / "content/2022-11-03/news.md").write_text(article("要闻改题", page=1, body="第3天的正文。"),
                                                     encoding="utf-8")
    build_ok(site, out=site.parent / "preview")
    result, out = build_ok(site)
    assert result.total is None
    assert same_as_full_build(site, out, tmp_path)


def test_a_build_failing_halfway_leaves_no_shape_for_the_next_quick_path(make_site, tmp_path: Path) -> None:
    site = built(make_site)
    write_files(site, {"layouts/article.html": "{{ no_such_thing.at_all }}"})
    with pytest.raises(BuildError):
        build(Options(site=site))
    assert not list((site / CACHE_DIR).glob("shape-*"))
    (site / "layouts/article.html").unlink()
    edit_body(site, "content/2022-11-03/news.md", "又改。")
    result, out = build_ok(site)
    assert result.total is None
    assert same_as_full_build(site, out, tmp_path)


def test_the_search_index_after_a_quick_build_finds_what_a_full_builds_does(make_site, tmp_path: Path,
                                                                            chromium_page) -> None:
    site = make_site(series_site(), config=QUICK_CONFIG)
    age(site)
    build_searchable(site)
    edit_body(site, "content/2022-11-02/bitan.md", "新添一段，说到蓝鲸。")
    edit_body(site, "content/2022-11-04/news.md", "又一段，说到座头鲸。")
    result, out = build_searchable(site)
    assert result.total is not None
    full_build(site, tmp_path)
    queries = ["蓝鲸", "座头鲸", "鲸", "正文", "笔谈"]
    with served(out) as quick, served(tmp_path / "fresh/public") as full:
        found = search_urls(chromium_page, f"{quick}/search/", queries)
        assert found == search_urls(chromium_page, f"{full}/search/", queries)
    assert found["蓝鲸"] == ["/2022-11-02/bitan/"] and found["座头鲸"] == ["/2022-11-04/news/"]


def test_a_shape_of_other_code_or_another_number_of_files_is_not_read_past_its_head(make_site) -> None:
    """A new edition adds files: the quick path gives up on reading the shape's head alone (at
    100,000 articles the rest is 30 MB); the same goes for a shape of other code or options."""
    site = built(make_site)
    (path,) = (site / CACHE_DIR).glob("shape-*")
    whole = read_shape(path)
    assert whole is not None
    files = lines(whole.listing)
    assert files > 1 and read_shape(path, whole.key, files) is not None
    assert read_shape(path, whole.key, files + 20) is None
    assert read_shape(path, "other code", files) is None
    head = len(marshal.dumps({"format": shape.FORMAT, "key": whole.key, "files": files}))
    path.write_bytes(path.read_bytes()[:head] + b"not marshal")  # a body it must not need to read
    assert read_shape(path, whole.key, files + 20) is None and read_shape(path, whole.key, files) is None


def test_a_new_edition_is_told_from_an_edit_by_two_folders_of_content(tmp_path: Path) -> None:
    """quick.new_edition_likely: the build reads every record early (while its stamp is walked)
    only after a new edition, not after an edit, whose quick path would only let them go; it
    reads content/ and its newest folder, however big the archive, in either layout."""
    from epaper.output.cache import input_stamp
    from epaper.quick import new_edition_likely

    content = tmp_path / "content"
    for folder in ("2021/2021-12-31", "2022/2022-11-03", "2022/2022-11-04"):
        (content / folder).mkdir(parents=True)
        (content / folder / "a.md").write_text("x", encoding="utf-8")
    listing: list[bytes] = []
    input_stamp([content], "", listing=listing)
    (content / "2022/2022-11-04/a.md").write_text("edited", encoding="utf-8")
    assert not new_edition_likely(listing[0], content)  # an edit
    (content / "2022/2022-11-05").mkdir()
    assert new_edition_likely(listing[0], content)  # tonight's edition
    (content / "2022/2022-11-05").rmdir()
    (content / "2022-11-06").mkdir()  # an edition straight in content/
    assert new_edition_likely(listing[0], content)
    (content / "2022-11-06").rmdir()
    (content / "2021/2021-06-01").mkdir()  # an old edition added: a guess, not a rule
    assert not new_edition_likely(listing[0], content)
