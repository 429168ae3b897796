"""The added path (added.py): after a new edition alone, the pages it changes are loaded, linked,
planned and rendered without the rest of the archive, and the output is the full build's."""
from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from test_incremental import age, digest, png

from conftest import CONFIG, EDITION, article, build_ok, two_editions, write_files
from epaper import added
from epaper import build as pipeline
from epaper.build import Options, build
from epaper.errors import BuildError
from epaper.output.cache import CACHE_DIR

ED5 = "content/2022/2022-11-05/"


def nightly(date: str = "2022-11-05", **extra: str) -> dict[str, str]:
    folder = f"content/2022/{date}/"
    files = {f"{folder}edition.yaml": EDITION.format(date=date, number=11235),
             f"{folder}toutiao.md": article("新一期头条", page=1, order=1),
             f"{folder}zonghe.md": article("新一期综合", page=2)}
    files.update({folder + name: text for name, text in extra.items()})
    return files


def archive(editions: int = 12) -> dict[str, str]:
    """Editions enough for the indexes (paginate: 2) to have many pages, most of them unloaded."""
    files = dict(two_editions())
    for day in range(1, editions + 1):
        date = f"2022-10-{day:02d}"
        files[f"content/2022/{date}/edition.yaml"] = EDITION.format(date=date, number=11200 + day)
        files[f"content/2022/{date}/a.md"] = article(f"十月{day}日要闻", page=1)
        files[f"content/2022/{date}/b.md"] = article(f"十月{day}日综合", page=2,
                                                    **({"series": "bitan"} if day % 3 == 0 else {}))
    return files


def publish(site: Path, files: dict[str, str]) -> None:
    """Files written and put out of the clock's tick, as age() does, the others left as they were:
    the build sees these added and nothing else changed."""
    write_files(site, files)
    past = time.time() - 5
    for rel in files:
        os.utime(site / rel, (past, past))
    time.sleep(0.15)


@pytest.fixture
def spy(monkeypatch):
    """Which path each build took: 'added' when prepare_added planned it."""
    taken: list[str] = []
    real = added.prepare_added

    def watched(*args, **kwargs):
        found = real(*args, **kwargs)
        taken.append(f"added {len(found.loaded.editions)}" if found is not None else "full")
        return found

    monkeypatch.setattr(pipeline, "prepare_added", watched)
    return taken


def fresh_build(site: Path, tmp: Path):
    """A build from nothing of a copy of the site: its result and its output's hashes (search index aside)."""
    fresh = tmp / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns(CACHE_DIR, "public", ".public.*"))
    result = build(Options(site=fresh, out=fresh / "public"))
    return result, digest(fresh / "public", search_index=False)


@pytest.mark.parametrize("extra", [
    {},
    {"xu.md": article("笔谈之三", page=2, series="bitan")},
    {"gengzheng2.md": article("再更正", page=2, type="correction", corrects="2022-10-05/a")},
    {"gengzheng2.md": article("又更正", page=2, type="correction", corrects="2022-11-03/youdaizheng")},
    {"cao.md": article("草稿", page=2, draft="true"), "photo.png": png((200, 0, 0)),
     "tu.md": article("配图", page=1, image="photo.png", order=2)},
], ids=["plain", "series", "correction-old", "correction-corrected", "draft-photo"])
def test_a_new_edition_loads_a_few_editions_and_builds_what_a_full_build_does(make_site, tmp_path, spy, extra):
    site = make_site(archive(24), config=CONFIG + "feed_entries: 2\n")
    age(site)
    build_ok(site)
    publish(site, nightly(**extra))
    result, out = build_ok(site)
    assert len(spy) == 1 and spy[0].startswith("added")
    assert int(spy[0].split()[1]) <= 12  # of 26: the month's, the feeds' newest, the series' and what they link
    full, hashes = fresh_build(site, tmp_path)
    assert digest(out, search_index=False) == hashes
    assert result.page_count == full.page_count
    publish(site, nightly("2022-11-06"))  # and the next night, from the ledger the added path left
    _, out = build_ok(site)
    assert spy[1].startswith("added")
    assert digest(out, search_index=False) == fresh_build(site, tmp_path)[1]


@pytest.mark.parametrize("files", [
    nightly("2022-10-20"),  # between two editions: the neighbours' pages and every index change otherwise
    {"content/2022/2022-10-03/c.md": article("旧版新稿", page=1)},  # in an old edition
    {**nightly(), "static/extra.css": "body{}"},  # beside the content
], ids=["older", "old-edition", "static"])
def test_other_additions_take_the_full_build(make_site, tmp_path, spy, files):
    site = make_site(archive())
    age(site)
    build_ok(site)
    publish(site, files)
    _, out = build_ok(site)
    assert "added" not in " ".join(spy)
    assert digest(out, search_index=False) == fresh_build(site, tmp_path)[1]


def test_a_list_item_the_store_lost_means_building_again_in_full(make_site, tmp_path, spy, monkeypatch):
    """An item of an unloaded article must come from the fragment store: when it is not there
    (pruned, or the store damaged), rendering it would read the article, and the build starts over."""
    site = make_site(archive(24), config=CONFIG + "feed_entries: 2\n")
    age(site)
    build_ok(site)
    with sqlite3.connect(site / CACHE_DIR / "fragments.sqlite") as db:
        db.execute("DELETE FROM items")
    runs: list[bool] = []
    real = pipeline._build
    monkeypatch.setattr(pipeline, "_build", lambda options, may_add: runs.append(may_add) or real(options, may_add))
    publish(site, nightly())
    _, out = build_ok(site)
    assert spy[0].startswith("added") and runs == [True, False]
    assert digest(out, search_index=False) == fresh_build(site, tmp_path)[1]


def test_a_mistake_in_the_new_edition_is_reported_as_a_full_build_reports_it(make_site, tmp_path, spy):
    site = make_site(archive())
    age(site)
    build_ok(site)
    publish(site, nightly(**{"bad.md": article("错版", page=9)}))
    with pytest.raises(BuildError) as raised:
        build(Options(site=site, out=site / "public"))
    assert "full" in spy
    messages = [str(d) for d in raised.value.diagnostics]
    assert any(m.startswith("content/2022/2022-11-05/bad.md:") for m in messages)
    with pytest.raises(BuildError) as again:
        fresh_build(site, tmp_path)
    assert [str(d) for d in again.value.diagnostics] == messages


def test_a_folder_holding_a_file_before_it_became_an_edition_takes_the_full_build(make_site, tmp_path, spy):
    """A stray article waiting in a folder becomes the new edition's when its edition.yaml comes:
    the full build reads every file of the folder, not the added ones alone."""
    files = archive(3)
    files[ED5 + "old.md"] = article("早已在此的稿", page=2)
    site = make_site(files)
    age(site)
    build_ok(site)
    publish(site, nightly())
    _, out = build_ok(site)
    assert spy == ["full"]
    assert "早已在此的稿" in (out / "2022-11-05/old/index.html").read_text(encoding="utf-8")
    assert digest(out, search_index=False) == fresh_build(site, tmp_path)[1]


@pytest.mark.parametrize("where", ["file", "folder"])
def test_a_link_out_of_the_site_in_a_new_edition_is_refused_as_the_full_build_refuses_it(make_site, tmp_path, where):
    site = make_site(archive(3))
    age(site)
    build_ok(site)
    outside = tmp_path / "outside"
    write_files(outside, {"ext.md": article("站外稿", page=1)})
    publish(site, nightly())
    link = site / ED5 / ("ext.md" if where == "file" else "ext")
    os.symlink(outside / "ext.md" if where == "file" else outside, link)
    os.utime(link, (time.time() - 5,) * 2, follow_symlinks=False)
    time.sleep(0.15)
    with pytest.raises(BuildError) as raised:
        build(Options(site=site, out=site / "public"))
    assert any("ext" in str(d) and not d.warning for d in raised.value.diagnostics)
    assert "站外稿" not in (site / "public/2022-11-05/index.html").read_text(encoding="utf-8") if (
        site / "public/2022-11-05/index.html").exists() else True


@pytest.mark.parametrize("folder", ["content/2022/2022-11-04/sub/", "content/2022/"])
def test_an_edition_inside_another_or_around_them_is_reported(make_site, folder):
    site = make_site(archive(3))
    age(site)
    build_ok(site)
    publish(site, {f"{folder}edition.yaml": EDITION.format(date="2022-11-09", number=1),
                   f"{folder}x.md": article("嵌套", page=1)})
    with pytest.raises(BuildError) as raised:
        build(Options(site=site, out=site / "public"))
    assert any(not d.warning for d in raised.value.diagnostics)


def test_a_new_edition_on_the_date_of_an_unpublished_one_is_reported(make_site):
    """An edition all of whose articles are drafts is not published (nor in the ledger's list of
    published editions), but its date is taken: DATE_TWICE, as the full build says."""
    files = archive(3)
    files[ED5 + "edition.yaml"] = EDITION.format(date="2022-11-05", number=1)
    files[ED5 + "cao.md"] = article("草稿", page=1, draft="true")
    site = make_site(files)
    age(site)
    build_ok(site)
    folder = "content/2022/b-2022-11-05/"
    publish(site, {f"{folder}edition.yaml": EDITION.format(date="2022-11-05", number=2),
                   f"{folder}x.md": article("同日", page=1)})
    with pytest.raises(BuildError) as raised:
        build(Options(site=site, out=site / "public"))
    assert any("2022-11-05" in str(d) and not d.warning for d in raised.value.diagnostics)


def test_the_renditions_of_the_editions_not_loaded_stay_in_the_image_cache(make_site, tmp_path, spy):
    files = archive(24)
    files["content/2022/2022-10-02/photo.png"] = png((0, 200, 0))
    files["content/2022/2022-10-02/a.md"] = article("十月2日要闻", page=1, image="photo.png")
    site = make_site(files, config=CONFIG + "feed_entries: 2\n")
    age(site)
    build_ok(site)
    cached = sorted(p.name for p in (site / CACHE_DIR / "images").iterdir())
    publish(site, nightly())
    build_ok(site)
    assert spy[0].startswith("added")
    assert set(cached) <= {p.name for p in (site / CACHE_DIR / "images").iterdir()}


def test_drafts_in_a_loaded_edition_and_corrections_past_the_links_followed_keep_the_added_path(
        make_site, tmp_path, spy):
    """A draft in the previous edition (the shape lists drafts too, from the records), and an old
    original whose notices lie beyond the links quick._editions follows (what lists show of a
    loaded article comes from the ledger, not from its links)."""
    files = archive(24)
    files["content/2022/2022-11-04/cao.md"] = article("旧草稿", page=2, draft="true")
    for day in (6, 9, 12, 15):  # a chain: each corrects the one before, the first an article
        files[f"content/2022/2022-10-{day:02d}/gz.md"] = article(
            f"更正{day}", page=2, type="correction",
            corrects=f"2022-10-{day - 3:02d}/{'a' if day == 6 else 'gz'}")
    site = make_site(files, config=CONFIG + "feed_entries: 2\n")
    age(site)
    build_ok(site)
    publish(site, nightly(**{"gz.md": article("再更正", page=2, type="correction", corrects="2022-10-15/gz")}))
    _, out = build_ok(site)
    assert spy[0].startswith("added"), spy
    assert digest(out, search_index=False) == fresh_build(site, tmp_path)[1]
