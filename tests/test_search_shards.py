"""The search index in shards by period: a publish re-indexes the shards its change touched
(a new edition: the fresh shard alone), an edited old article is found in its new version
only, and a reader's search of a years-long archive in Chinese finds every year's articles
while downloading little."""
from __future__ import annotations

import json
import random
import signal
import subprocess
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import EDITION, article, build_ok, write_files
from epaper.output import search
from epaper.output.search import FRESH, Article, Shard, plan
from searching import Dropped, Held, search_urls, served

pytest_plugins = ["browser"]


def dated(date: str, slug: str, title: str, body: str = "正文。") -> dict[str, str]:
    """One edition (if not there yet, the same file again) and one article of it."""
    return {f"content/{date}/edition.yaml": EDITION.format(date=date, number=int(date.replace("-", "")) % 10000),
            f"content/{date}/{slug}.md": article(title, page=1, body=body)}


def archive() -> dict[str, str]:
    """Articles in a closed year (2021), a closed month (2022-10) and the newest month (2022-11)."""
    files: dict[str, str] = {}
    for date, slug, title in (("2021-06-01", "dao", "水稻丰收"), ("2021-06-01", "qiao", "大桥通车"),
                              ("2022-10-01", "shi", "图书馆开放"), ("2022-11-03", "che", "公交开通"),
                              ("2022-11-04", "lu", "道路整修")):
        files.update(dated(date, slug, title))
    return files


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The pages of each Pagefind run of the builds in the test, in order."""
    seen: list[list[str]] = []
    real = search.index_pages

    def counting(staging: Path, tmp: Path, members: list[Article], **options: Any) -> Path:
        seen.append(sorted(a.path for a in members))
        return real(staging, tmp, members, **options)

    monkeypatch.setattr(search, "index_pages", counting)
    return seen


def shards(out: Path) -> dict[str, Any]:
    return json.loads((out / "pagefind/shards.json").read_text(encoding="utf-8"))


def index_files(out: Path, folder: str) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted((out / folder).rglob("*")) if p.is_file()}


NEWEST = ["2022-11-03/che/index.html", "2022-11-04/lu/index.html"]


def test_a_new_edition_reindexes_only_the_fresh_shard(make_site, runs: list[list[str]]) -> None:
    site = make_site(archive())
    _, out = build_ok(site)
    assert runs == [NEWEST, ["2021-06-01/dao/index.html", "2021-06-01/qiao/index.html"],
                    ["2022-10-01/shi/index.html"]]  # cold: the fresh shard, then each sealed one
    assert shards(out)["shards"] == ["shard/2022-10_10/", "shard/2021/"] and shards(out)["hidden"] == []
    sealed = index_files(out, "pagefind/shard")
    runs.clear()
    write_files(site, dated("2022-11-06", "xin", "新一期"))
    result, out = build_ok(site)
    assert runs == [[*NEWEST, "2022-11-06/xin/index.html"]]  # the fresh shard alone
    assert index_files(out, "pagefind/shard") == sealed
    assert set(sealed) <= set(result.report.unchanged)


def test_each_shard_is_remembered_in_its_own_file_and_a_sealed_ones_is_written_once(make_site, runs) -> None:
    """The search state, one file a shard: a new edition rewrites the fresh shard's file alone (at
    100,000 articles writing every shard's entries was 0.2 s of each build); a damaged sealed
    shard's file has that shard made again, no other; the one file of the builds before is read
    (no archive re-indexed after an upgrade) and written the new way."""
    import marshal

    from epaper.output.cache import CACHE_DIR
    site = make_site(archive())
    build_ok(site)
    folder = next((site / CACHE_DIR / "search").iterdir())
    assert folder.is_dir() and sorted(p.name for p in folder.iterdir()) == [
        "2021.marshal", "2022-10_10.marshal", "fresh.marshal"]
    stats = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.iterdir()}
    write_files(site, dated("2022-11-06", "xin", "新一期"))
    build_ok(site)
    now = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.iterdir()}
    assert now["2021.marshal"] == stats["2021.marshal"] and now["2022-10_10.marshal"] == stats["2022-10_10.marshal"]
    assert now["fresh.marshal"] != stats["fresh.marshal"]

    (folder / "2021.marshal").write_bytes(b"damaged")
    runs.clear()
    write_files(site, dated("2022-11-07", "ri", "又一期"))
    build_ok(site)
    assert runs == [[*NEWEST, "2022-11-06/xin/index.html", "2022-11-07/ri/index.html"],
                    ["2021-06-01/dao/index.html", "2021-06-01/qiao/index.html"]]

    shards_before = {}
    for file in sorted(folder.iterdir()):  # the state as STATE_VERSION 2 kept it, in one file
        data = marshal.loads(file.read_bytes())
        shards_before[data["name"]] = (data["entries"], data["files"], data["key"])
        file.unlink()
    folder.rmdir()
    single = folder.with_name(folder.name + ".marshal")
    single.write_bytes(marshal.dumps({"version": 2, "recipe": search._recipe(), "shards": shards_before}))
    runs.clear()
    write_files(site, dated("2022-11-08", "ba", "第八期"))
    build_ok(site)
    assert runs == [[*NEWEST, "2022-11-06/xin/index.html", "2022-11-07/ri/index.html", "2022-11-08/ba/index.html"]]
    assert not single.exists() and len(list(folder.iterdir())) == 3


def test_an_edited_old_article_moves_to_the_fresh_shard_and_its_stale_copy_is_hidden(make_site, runs) -> None:
    site = make_site(archive())
    _, out = build_ok(site)
    sealed = index_files(out, "pagefind/shard")
    runs.clear()
    write_files(site, {"content/2021-06-01/dao.md": article("水稻丰收", page=1, body="改过的正文。")})
    _, out = build_ok(site)
    assert runs == [["2021-06-01/dao/index.html", *NEWEST]]  # not the year 2021
    assert index_files(out, "pagefind/shard") == sealed
    assert len(shards(out)["hidden"]) == 1
    runs.clear()
    write_files(site, {"content/2021-06-01/dao.md": article("水稻丰收", page=1)})  # back as it was
    _, out = build_ok(site)
    assert runs == [NEWEST] and shards(out)["hidden"] == []  # the sealed copy is current again


def test_a_shard_with_too_many_stale_articles_is_compacted(make_site, runs, monkeypatch) -> None:
    monkeypatch.setattr(search, "COMPACT_AT", 0)
    site = make_site(archive())
    build_ok(site)
    runs.clear()
    write_files(site, {"content/2021-06-01/dao.md": article("水稻丰收", page=1, body="改过的正文。")})
    _, out = build_ok(site)
    assert runs == [["2021-06-01/dao/index.html", "2021-06-01/qiao/index.html"]]  # 2021 again; fresh unchanged
    assert shards(out)["hidden"] == []


def test_a_new_year_folds_the_months_of_the_last_into_its_year_shard(make_site, runs) -> None:
    site = make_site(archive())
    build_ok(site)
    runs.clear()
    write_files(site, dated("2023-01-02", "xin", "新年"))
    _, out = build_ok(site)
    assert runs == [["2023-01-02/xin/index.html"],
                    ["2022-10-01/shi/index.html", *NEWEST]]  # the fresh shard, then 2022 whole
    assert shards(out)["shards"] == ["shard/2022/", "shard/2021/"] and shards(out)["hidden"] == []
    assert not (out / "pagefind/shard/2022-10_10").exists()


def test_the_plan_keeps_sealed_shards_and_moves_changed_articles_to_the_fresh_one() -> None:
    old = Article("2021-06-01/a/index.html", "2021-06", "1")
    other = Article("2021-06-01/b/index.html", "2021-06", "2")
    new = Article("2022-11-01/c/index.html", "2022-11", "3")
    state = {"2021": Shard({old.url: ("1", "id-a"), other.url: ("2", "id-b")})}
    edited = Article(old.path, old.period, "9")
    todo = plan([edited, other, new], state, compact_at=1)
    assert todo.make == {FRESH: [edited, new]} and set(todo.keep) == {"2021"}
    todo = plan([edited, new], state, compact_at=1)  # b deleted as well: two stale, over the bound
    assert todo.make == {"2021": [edited], FRESH: [new]} and todo.keep == {}



def test_a_year_bigger_than_a_shard_is_cut_into_parts_of_consecutive_months() -> None:
    counts = {"2020-01": 3, "2020-02": 3, "2020-03": 9, "2020-04": 1, "2020-05": 2,
              "2021-02": 5, "2022-01": 4, "2022-02": 1}
    names = search.shard_names(counts, newest="2022-02", shard_pages=6)
    assert names == {"2020-01": "2020-01_02", "2020-02": "2020-01_02",  # 6: full
                     "2020-03": "2020-03_03",  # one month of 9: alone, over the bound
                     "2020-04": "2020-04_05", "2020-05": "2020-04_05",
                     "2021-02": "2021",  # a year within the bound stays whole
                     "2022-01": "2022-01_01", "2022-02": FRESH}  # the newest year's closed months: parts


@given(st.dictionaries(st.sampled_from([f"{y}-{m:02d}" for y in (2018, 2019, 2020) for m in range(1, 13)]),
                       st.integers(1, 40), min_size=1),
       st.integers(1, 60))
def test_year_parts_hold_at_most_the_bound_unless_a_month_alone_does_and_cover_every_month(
        counts: dict[str, int], bound: int) -> None:
    newest = max(counts)  # 2020's other months are the newest year's closed ones, cut as closed years are
    names = search.shard_names(counts, newest, shard_pages=bound)
    assert set(names) == set(counts) and names[newest] == FRESH
    parts: dict[str, list[str]] = {}
    for period in sorted(counts):
        if period != newest:
            parts.setdefault(names[period], []).append(period)
    for name, months in parts.items():
        assert {m[:4] for m in months} == {name[:4]}  # within one year
        size = sum(counts[m] for m in months)
        assert size <= bound or len(months) == 1, (name, size)
        if "_" in name:  # a part: named by its first and last month, which it holds with all between
            first, last = name[:7], name[:5] + name[8:]
            year = sorted(m for m in counts if m[:4] == name[:4])
            assert months == [m for m in year if first <= m <= last]
        else:  # a whole closed year, within the bound
            assert name == months[0][:4] < newest[:4] and sum(counts[m] for m in counts if m[:4] == name) <= bound
    for (name, months), (nxt, following) in pairwise(sorted(parts.items())):  # greedy: the next month did not fit
        if name[:4] == nxt[:4]:
            assert sum(counts[m] for m in months) + counts[following[0]] > bound


def test_a_big_year_is_indexed_in_parts_that_the_search_page_merges(make_site, runs, monkeypatch,
                                                                    chromium_page: Any) -> None:
    from playwright.sync_api import expect
    monkeypatch.setattr(search, "SHARD_PAGES", 3)
    files = archive()
    for date, slug, title in (("2021-03-01", "chun", "春耕"), ("2021-09-01", "qiu", "秋收")):
        files.update(dated(date, slug, title))
    site = make_site(files)
    _, out = build_ok(site)
    assert shards(out)["shards"] == ["shard/2022-10_10/", "shard/2021-09_09/", "shard/2021-03_06/"]
    assert shards(out)["pages"] == {"": 2, "2021-03_06": 3, "2021-09_09": 1, "2022-10_10": 1}
    assert sorted(runs) == sorted([NEWEST, ["2021-03-01/chun/index.html", "2021-06-01/dao/index.html",
                                            "2021-06-01/qiao/index.html"],
                                   ["2021-09-01/qiu/index.html"], ["2022-10-01/shi/index.html"]])
    runs.clear()
    write_files(site, {"content/2021-09-01/qiu.md": article("秋收", page=1, body="改过的正文。")})
    _, out = build_ok(site)
    assert runs == [["2021-09-01/qiu/index.html", *NEWEST]] and len(shards(out)["hidden"]) == 1
    page = chromium_page
    with served(out) as host:
        page.goto(f"{host}/search/?q=正文")
        titles = page.locator(".search-results li h2 a")
        expect(titles).to_have_count(7)  # every article once: the parts merged, the stale copy hidden
        assert sorted(titles.all_text_contents()) == sorted(["水稻丰收", "大桥通车", "图书馆开放", "公交开通",
                                                             "道路整修", "春耕", "秋收"])
        assert page.evaluate("window.epaperRank.shardOf('zh-cn_2021-03_06-3f9a5')") == "2021-03_06"


# ------------------------------------------------------------------ a years-long archive in a browser

WORDS = ["高质量发展", "乡村振兴", "城市更新", "民生实事", "基层治理", "营商环境", "项目建设", "数字经济", "绿色低碳", "生态环境", "公共服务", "社会保障", "医疗卫生", "教育事业", "文化惠民", "交通网络", "水利设施", "安全生产", "稳岗就业", "人才队伍", "特色产业", "新能源"]
YEARS = (2019, 2020, 2021, 2022)


def years_of_articles() -> dict[str, str]:
    """Four years of editions (two a month, six articles each: 576 articles) of newspaper
    Chinese; one article a year speaks of 古城墙修缮 (the old city wall's repair)."""
    rng = random.Random(13)
    files: dict[str, str] = {}
    for year in YEARS:
        for month in range(1, 13):
            for day in (5, 20):
                date = f"{year}-{month:02d}-{day:02d}"
                files[f"content/{date}/edition.yaml"] = EDITION.format(date=date, number=year * 100 + month * 2 + day // 20)
                for n in range(6):
                    text = "，".join("".join(rng.choice(WORDS) for _ in range(3)) for _ in range(40)) + "。"
                    title = "".join(rng.choice(WORDS) for _ in range(2))
                    if month == 7 and day == 5 and n == 0:
                        title, text = f"{year}年古城墙修缮完工", text + f"古城墙修缮工程{year}年完工。"
                    files[f"content/{date}/a{n}.md"] = article(title, page=1 + n % 2, body=text)
    return files


def test_a_chinese_search_of_a_years_long_archive_finds_every_year_within_the_download_limit(
        make_site, chromium_page: Any) -> None:
    from playwright.sync_api import expect
    site = make_site(years_of_articles())
    _, out = build_ok(site)
    assert shards(out)["shards"] == ["shard/2022-01_11/", "shard/2021/", "shard/2020/", "shard/2019/"]
    page = chromium_page
    finished: list[Any] = []  # the requests done, sized once the first results show
    page.on("requestfinished", lambda request: finished.append(request))
    with served(out) as host:
        page.goto(f"{host}/search/?q=古城墙修缮")
        results = page.locator(".search-results li h2 a")
        expect(results.first).to_be_visible()
        done = list(finished)
        downloaded = [(r.url, r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"]) for r in done]
        before_results = sum(size for _, size in downloaded)
        expect(results).to_have_count(len(YEARS))
        assert sorted(results.all_text_contents()) == [f"{year}年古城墙修缮完工" for year in YEARS]
    assert before_results <= 1.5 * 2**20, f"{before_results} bytes before the first results"
    fetched = {url.split("/pagefind/", 1)[1].split("/", 2)[1] for url, _ in downloaded if "/pagefind/shard/" in url}
    assert {"2019", "2020", "2021"} <= fetched  # the shards were merged, not one index read


# Stamps, on window, the moment the first result shows and what the page said then.
FIRST_RESULT = """new MutationObserver((_, observer) => {
  const list = document.querySelector('.search-results');
  if (list && list.querySelector('li h2 a')) {
    window.firstResult = { at: performance.now(), busy: list.getAttribute('aria-busy'),
                           status: document.querySelector('.search-status').textContent,
                           titles: Array.from(list.querySelectorAll('li h2 a'), a => a.textContent) };
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true });"""


def stepped_search(make_site: Any, monkeypatch: pytest.MonkeyPatch, page: Any, files: dict[str, str],
                   query: str) -> tuple[list[str], str, dict[str, Any], set[str]]:
    """`files` built with the first step at 100 pages (the years archive steps: 2022; 2021; 2020
    and 2019) and searched for `query`: the results and status once the whole archive's show,
    what the page showed first (FIRST_RESULT) and the shards it fetched anything of before that."""
    from playwright.sync_api import expect
    monkeypatch.setattr(search, "FIRST_PAGES", 100)
    _, out = build_ok(make_site(files))
    assert shards(out)["steps"] == [1, 2, 4]
    page.add_init_script(FIRST_RESULT)
    with served(out) as host:
        page.goto(f"{host}/search/?q={query}")
        expect(page.locator(".search-results li h2 a").first).to_be_visible()
        expect(page.locator(".search-results")).not_to_have_attribute("aria-busy", "true")
        titles = page.locator(".search-results li h2 a").all_text_contents()
        status = page.locator(".search-status").text_content()
        first = page.evaluate("window.firstResult")
        fetched = page.evaluate("performance.getEntriesByType('resource').map(e => [e.name, e.startTime])")
    before = {url.split("/pagefind/shard/", 1)[1].split("/", 1)[0] for url, start in fetched
              if "/pagefind/shard/" in url and start < first["at"]}
    return titles, status, first, before


def test_the_newest_shards_results_show_first_then_the_whole_archives_replace_them(
        make_site, monkeypatch, chromium_page: Any) -> None:
    """A reader's first results cost what the newest shards send, not the archive: they show
    (marked as the newest, the list busy) before any file of an older shard is fetched, and the
    whole archive's results, ranked as one, replace them."""
    titles, status, first, before = stepped_search(make_site, monkeypatch, chromium_page, years_of_articles(),
                                                   "古城墙修缮")
    assert sorted(titles) == [f"{year}年古城墙修缮完工" for year in YEARS] and "4" in status
    assert first["titles"] == ["2022年古城墙修缮完工"] and first["busy"] == "true"
    assert "古城墙修缮" in first["status"] and "最新结果" in first["status"]
    assert before == {"2022-01_11"}, before  # 2021, 2020 and 2019 only after the first result


def test_an_older_shard_that_never_loads_keeps_the_first_results_and_says_search_is_unavailable(
        make_site, monkeypatch, chromium_page: Any) -> None:
    from playwright.sync_api import expect
    monkeypatch.setattr(search, "FIRST_PAGES", 100)
    site = make_site(years_of_articles())
    _, out = build_ok(site)
    drop = Dropped(r"^/pagefind/shard/2019/pagefind-entry\.json", times=100)
    page = chromium_page
    with served(out, drop) as host:
        page.goto(f"{host}/search/?q=古城墙修缮")
        expect(page.locator(".search-status")).to_have_text("搜索暂时不可用。")
        expect(page.locator(".search-results li h2 a")).to_have_text(["2022年古城墙修缮完工"])
        expect(page.locator(".search-results")).not_to_have_attribute("aria-busy", "true")
    assert len(drop.paths) == 2, drop.paths  # once more, not again and again


def test_the_whole_archives_pass_searches_the_query_asked_not_what_the_box_holds_by_then(
        make_site, monkeypatch, chromium_page: Any) -> None:
    from playwright.sync_api import expect
    monkeypatch.setattr(search, "FIRST_PAGES", 100)
    site = make_site(years_of_articles())
    _, out = build_ok(site)
    hold = Held(r"^/pagefind/shard/2019/pagefind-entry\.json")  # the older shards load slowly
    page = chromium_page
    with served(out, hold=hold) as host:
        page.goto(f"{host}/search/?q=古城墙修缮")
        results = page.locator(".search-results li h2 a")
        expect(results).to_have_text(["2022年古城墙修缮完工"])  # the newest shards'
        page.fill("#search-q", "城市更")  # the reader starts typing the next query
        hold.release.set()
        expect(page.locator(".search-results")).not_to_have_attribute("aria-busy", "true")
        expect(results).to_have_count(len(YEARS))
        expect(page.locator(".search-status")).to_contain_text("古城墙修缮")


def test_a_word_only_older_articles_have_shows_before_the_shards_older_than_it_load(
        make_site, monkeypatch, chromium_page: Any) -> None:
    """The newest shards find nothing: the page merges the next step's shards (twice the pages)
    and shows what they find before it fetches anything of the older ones."""
    files = years_of_articles()
    files["content/2021-03-05/zhonglou.md"] = article("钟楼落成", page=1, body="钟楼落成典礼在老城举行。")
    titles, status, first, before = stepped_search(make_site, monkeypatch, chromium_page, files, "钟楼落成")
    assert titles == ["钟楼落成"] and "1" in status
    assert first["titles"] == ["钟楼落成"] and first["busy"] == "true"
    assert before == {"2022-01_11", "2021"}, before  # 2020 and 2019 only after the first result


def test_each_step_merges_about_twice_the_pages_of_the_last_the_first_about_first_pages() -> None:
    pages = {"": 160, "2023-07_08": 1240, "2023-01_06": 3620, "2022-07_12": 3680, "2022-01_06": 3620}
    sealed = ["2023-07_08", "2023-01_06", "2022-07_12", "2022-01_06"]
    assert search.FIRST_PAGES == 4000
    assert search.shard_steps(pages, sealed) == [2, 4]  # 160 + 1240 < 4000 <= + 3620; then the rest
    assert search.shard_steps({**pages, "": 4000}, sealed) == [0, 2, 4]  # the fresh shard is enough first
    assert search.shard_steps({"": 5}, []) == [0]
    many = {f"{year}": 1000 for year in range(2000, 2030)}
    steps = search.shard_steps({"": 0, **many}, sorted(many, reverse=True))
    assert steps == [4, 8, 16, 30]  # 4,000 pages, then twice what is merged, then every shard


def test_shards_json_counts_each_shards_pages_for_the_archive_wide_ranking(make_site) -> None:
    site = make_site(archive())
    _, out = build_ok(site)
    assert shards(out)["pages"] == {"": 2, "2021": 2, "2022-10_10": 1}


def test_page_ids_are_short_and_ranked_by_date_and_the_metadata_has_no_sort(make_site) -> None:
    from epaper.output.pagefind_order import KEY_LENGTH, _read
    from epaper.output.search import page_ids
    site = make_site(archive())
    write_files(site, dated("2021-03-01", "chun", "春耕"))  # older than 2021-06-01, written after it
    _, out = build_ok(site)
    for folder, tag in (("pagefind", ""), ("pagefind/shard/2021", "2021-")):
        bundle = out / folder
        (meta,) = bundle.glob("pagefind.*.pf_meta")
        assert _read(meta)[4] == []  # the date sort: the ids say it
        ids = page_ids(bundle)
        prefix = "zh-cn_" + tag
        assert all(i.startswith(prefix) and len(i) == len(prefix) + KEY_LENGTH + 1 for i in ids.values())
        by_rank = sorted(ids, key=lambda url: int(ids[url][len(prefix) + KEY_LENGTH:], 36))
        dates = [url.split("/")[1] for url in by_rank]
        assert dates == sorted(dates) and len(set(ids.values())) == len(ids)  # oldest first, each its own
    assert sorted(page_ids(out / "pagefind/shard/2021")) == ["/2021-03-01/chun/", "/2021-06-01/dao/",
                                                            "/2021-06-01/qiao/"]


def ranking_archive() -> dict[str, str]:
    """A closed year of 20 articles, one of which says "zeta" once, and a newest month of 10
    articles that all say it, one of them three times. Every body is the same length. One index
    ranks the article saying it three times first (the word's weight is the archive's, the same
    for both); Pagefind's merge ranks the old one first, as its year's only article with the word
    weighs it heavily and the month, where every article has it, hardly at all."""
    filler = "今天 的 新闻 很多 。"

    def body(zetas: int) -> str:
        return filler * 6 + " ".join(["zeta"] * zetas + ["omega"] * (3 - zetas)) + " 。"

    files: dict[str, str] = {}
    for n in range(20):
        files.update(dated("2021-06-01", f"old{n}", f"旧闻{n}", body(1 if n == 7 else 0)))
    for n in range(10):
        files.update(dated("2022-11-03", f"new{n}", f"新闻{n}", body(3 if n == 4 else 1)))
    return files


def test_results_of_several_shards_are_ranked_as_one_index_would(make_site, chromium_page: Any) -> None:
    from playwright.sync_api import expect
    site = make_site(ranking_archive())
    _, out = build_ok(site)
    assert shards(out)["shards"] == ["shard/2021/"]
    page = chromium_page
    with served(out) as host:
        page.goto(f"{host}/search/?q=zeta")
        titles = page.locator(".search-results li h2 a")
        expect(page.locator(".search-status")).to_contain_text("11")  # every article with the word
        expect(titles).to_have_count(10)  # the first batch
        assert titles.first.text_content() == "新闻4"


def test_a_querys_words_are_all_required_whichever_shard_has_them_as_one_index_would(
        make_site, chromium_page: Any) -> None:
    """Pagefind leaves out a query's word its index lacks (unless it lacks them all), so each
    shard, answering alone, would require only the words it happens to have: an old year without
    "beta" would give its articles with "alpha" alone for "alpha beta". One index of the whole
    archive has both words and requires both; a word no article has is left out, as one index
    leaves it out."""
    files: dict[str, str] = {}
    for date, slug, title, body in (("2021-06-01", "old", "旧闻", "alpha 。"), ("2022-10-01", "both", "两者", "alpha beta 。"),
                                    ("2022-11-03", "new", "新闻", "beta 。")):
        files.update(dated(date, slug, title, body))
    site = make_site(files)
    _, out = build_ok(site)
    assert shards(out)["shards"] == ["shard/2022-10_10/", "shard/2021/"]
    with served(out) as host:
        found = search_urls(chromium_page, f"{host}/search/", ["alpha beta", "alpha 没有这个词", "beta alpha"])
    assert found == {"alpha beta": ["/2022-10-01/both/"], "alpha 没有这个词": ["/2021-06-01/old/", "/2022-10-01/both/"],
                     "beta alpha": ["/2022-10-01/both/"]}


def test_newest_first_follows_the_dates_across_shards(make_site, chromium_page: Any) -> None:
    from playwright.sync_api import expect
    site = make_site(archive())
    _, out = build_ok(site)
    assert len(shards(out)["shards"]) == 2  # 2022-10_10 and 2021, beside the fresh 2022-11
    page = chromium_page
    with served(out) as host:
        page.goto(f"{host}/search/?q=正文&sort=date")
        titles = page.locator(".search-results li h2 a")
        expect(titles).to_have_count(5)
        found = titles.all_text_contents()
        assert found[:3] == ["道路整修", "公交开通", "图书馆开放"] and sorted(found[3:]) == ["大桥通车", "水稻丰收"]
        page.select_option("#search-sort", "")  # best match again: every article still found once
        expect(titles).to_have_count(5)


def test_pagefind_is_stopped_when_the_work_done_while_it_runs_fails(monkeypatch, tmp_path: Path) -> None:
    """The build works while Pagefind runs (its shape, search.update_index's `meanwhile`): when that
    work fails, Pagefind is killed and waited for, not left indexing into a folder being removed."""
    started = tmp_path / "started"
    pagefind = tmp_path / "pagefind"
    pagefind.write_text(f"#!/bin/sh\ntouch '{started}'\nexec sleep 30\n", encoding="utf-8")
    pagefind.chmod(0o755)
    processes: list[subprocess.Popen[str]] = []
    popen = subprocess.Popen

    def recording(*args: Any, **kwargs: Any) -> subprocess.Popen[str]:
        processes.append(popen(*args, **kwargs))
        return processes[-1]

    monkeypatch.setattr(search.subprocess, "Popen", recording)

    def failing() -> None:
        while not started.exists():
            time.sleep(0.01)
        raise OSError("the disk is full")

    with pytest.raises(OSError, match="the disk is full"):
        search._pagefind(pagefind, tmp_path / "site", tmp_path / "bundle", meanwhile=failing)
    assert len(processes) == 1 and processes[0].returncode == -signal.SIGKILL
