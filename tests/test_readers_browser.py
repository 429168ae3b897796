"""The readers' edition in a real browser (Debian's Chromium): search in Chinese under a
base_url with a path, the copy-link button, print, accessibility (axe-core)
and phone widths. The built site is served by a small http.server, as a static host would."""
from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import CONFIG, EDITION, REPO, article, build_ok
from searching import build_searchable, served

pytest_plugins = ["browser"]

ED1 = "content/2022/2022-11-01/"
ED3 = "content/2022/2022-11-03/"
ED4 = "content/2022/2022-11-04/"


def news_site() -> dict[str, str]:
    """Three editions; the two-character word 水稻 is in exactly one article's body."""
    return {
        ED1 + "edition.yaml": EDITION.format(date="2022-11-01", number=11231),
        ED1 + "nongye.md": article("秋收进度过半", page=1, body="今年全区水稻喜获丰收，农民脸上笑开了颜。"),
        ED1 + "shequ.md": article("社区食堂开张", page=2, body="老城区的老人们在家门口吃上了热乎饭，老城区食堂办到了老城区每条街。"),
        ED3 + "edition.yaml": EDITION.format(date="2022-11-03", number=11233),
        ED3 + "jiaotong.md": article("新公交线路开通", page=1, body="公交线路连接高铁站和老城区。"),
        ED4 + "edition.yaml": EDITION.format(date="2022-11-04", number=11234),
        ED4 + "wenhua.md": article("图书馆延长开放时间", page=2, body="市民晚上也能去图书馆看书。"),
        ED4 + "draft.md": article("草稿里的水稻", page=1, draft="true", body="水稻草稿。"),
        ED4 + "nasty.md": article(json.dumps(NASTY), page=2, body="蜂蜜 &lt;img src=x onerror=window.pwned=2&gt; 出口。"),
    }


NASTY = '<img src=x onerror="window.pwned=1">蜂蜜'



@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The small site built for https://example.org/news/ (drafts too) and served under /news/."""
    tmp = tmp_path_factory.mktemp("news")
    site = tmp / "site"
    site.mkdir()
    (site / "config.yaml").write_text(CONFIG, encoding="utf-8")
    for rel, text in news_site().items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    _, out = build_searchable(site, base_url="https://example.org/news/", drafts=True)
    root = tmp / "root"
    root.mkdir()
    shutil.copytree(out, root / "news")
    with served(root) as url:
        yield url


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The repository's sample newspaper, served at the root."""
    site = tmp_path_factory.mktemp("sample")
    for name in ("config.yaml", "content", "layouts", "static"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, site / name)
        elif (REPO / name).exists():
            shutil.copy(REPO / name, site / name)
    _, out = build_ok(site)
    with served(out) as url:
        yield url


def test_two_character_chinese_word_finds_its_one_article_under_a_base_path(news: str, chromium_page: Any) -> None:
    from playwright.sync_api import expect
    page = chromium_page
    page.goto(f"{news}/news/2022-11-04/")
    page.fill("#masthead-q", "水稻")
    page.press("#masthead-q", "Enter")  # the masthead's plain GET form
    page.wait_for_url("**/news/search/?q=*")
    results = page.locator(".search-results li")
    expect(results).to_have_count(1)
    link = results.first.locator("h2 a")
    expect(link).to_have_text("秋收进度过半")
    assert link.get_attribute("href") == "/news/2022-11-01/nongye/"
    expect(results.first.locator(".item-where")).to_have_text("2022年11月1日 星期二 · 第1版 要闻")
    expect(results.first.locator(".search-excerpt mark")).to_have_text("水稻")
    expect(page.locator(".search-status")).to_contain_text("找到 1 篇")
    link.click()
    page.wait_for_url(f"{news}/news/2022-11-01/nongye/")
    # Two words run together, as Chinese is typed: only a segmented query (Pagefind >= 1.5,
    # Intl.Segmenter) finds the article, where they are apart (水稻喜获丰收).
    page.goto(f"{news}/news/search/?q=水稻丰收")
    expect(page.locator(".search-results li")).to_have_count(1)
    expect(page.locator(".search-results li h2 a")).to_have_text("秋收进度过半")


def test_hostile_titles_and_text_stay_text_in_search_results(news: str, chromium_page: Any) -> None:
    from playwright.sync_api import expect
    page = chromium_page
    page.goto(f"{news}/news/search/?q=蜂蜜")
    result = page.locator(".search-results li")
    expect(result).to_have_count(1)
    expect(result.locator("h2 a")).to_have_text(NASTY)
    expect(result.locator(".search-excerpt")).to_contain_text("onerror")
    assert result.locator("img").count() == 0
    assert page.evaluate("window.pwned === undefined")


def test_search_filters_by_section_and_year_and_finds_nothing_gracefully(news: str, chromium_page: Any) -> None:
    from playwright.sync_api import expect
    page = chromium_page
    page.goto(f"{news}/news/search/?q=公交")
    expect(page.locator(".search-results li")).to_have_count(1)
    sections = page.locator("#search-section option")
    expect(sections).to_have_text(["全部", "综合", "要闻"])  # the sections that have articles
    expect(page.locator("#search-year option")).to_have_text(["全部", "2022"])
    page.select_option("#search-section", "综合")  # 新公交线路开通 is on page 1, 要闻
    expect(page.locator(".search-results li")).to_have_count(0)
    expect(page.locator(".search-status")).to_have_text("没有找到与“公交”相关的文章。")
    assert "section=" in page.url
    page.select_option("#search-section", "要闻")
    expect(page.locator(".search-results li")).to_have_count(1)


def test_search_results_newest_first(news: str, chromium_page: Any) -> None:
    from playwright.sync_api import expect
    page = chromium_page
    page.goto(f"{news}/news/search/?q=老城区")
    titles = page.locator(".search-results li h2 a")
    expect(titles).to_have_text(["社区食堂开张", "新公交线路开通"])  # best match: says it three times
    page.select_option("#search-sort", "date")
    expect(titles).to_have_text(["新公交线路开通", "社区食堂开张"])  # 3 November, then 1 November
    assert "sort=date" in page.url
    page.reload()  # the order is in the URL: a shared link keeps it
    expect(page.locator("#search-sort")).to_have_value("date")
    expect(titles).to_have_text(["新公交线路开通", "社区食堂开张"])


def test_copy_link_button_copies_the_canonical_url(news: str, chromium: Any) -> None:
    from playwright.sync_api import expect
    context = chromium.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        page.goto(f"{news}/news/2022-11-03/jiaotong/")
        button = page.locator("button.copy-link")
        expect(button).to_be_visible()
        button.focus()
        page.keyboard.press("Enter")  # keyboard use
        expect(page.locator(".copy-status")).to_have_text("链接已复制")
        assert page.evaluate("navigator.clipboard.readText()") == "https://example.org/news/2022-11-03/jiaotong/"
    finally:
        context.close()


def test_print_shows_the_article_and_its_source_line_without_navigation(news: str, chromium_page: Any) -> None:
    from playwright.sync_api import expect
    page = chromium_page
    page.goto(f"{news}/news/2022-11-03/jiaotong/")
    expect(page.locator(".print-source")).to_be_hidden()
    page.emulate_media(media="print")
    expect(page.locator(".print-source")).to_be_visible()
    expect(page.locator(".print-source")).to_contain_text("《测试日报》2022年11月3日 第1版")
    for hidden in (".masthead", ".site-footer", ".neighbours", ".share"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("h1.headline")).to_be_visible()
    expect(page.locator(".article-body")).to_be_visible()


PAGE_TYPES = {
    "home": "/", "edition": "/2022-11-04/", "printed page": "/2022-11-04/03/",
    "article": "/2022-11-04/jingkaiqu-xiandaihua-xinpianzhang/", "section": "/sections/yaowen/",
    "series": "/series/ershida-bitan/", "corrections": "/corrections/", "archive": "/archive/",
    "search": "/search/?q=金坛", "404": "/404.html",
}


def test_no_serious_accessibility_violation_and_no_sideways_scroll_on_phones(sample: str, chromium: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe
    axe = Axe()
    problems = []
    for width in (375, 1100):
        context = chromium.new_context(viewport={"width": width, "height": 800})
        try:
            page = context.new_page()
            for kind, path in PAGE_TYPES.items():
                page.goto(sample + path)
                page.wait_for_load_state("networkidle")
                assert page.evaluate("document.documentElement.lang") == "zh-CN", kind
                for landmark in ("header", "nav", "main", "footer"):
                    assert page.locator(landmark).count() >= 1, (kind, landmark)
                if width == 375:
                    scroll = page.evaluate("document.documentElement.scrollWidth")
                    if scroll > 375:
                        problems.append(f"{kind} {path}: scrolls sideways at 375 px ({scroll} px wide)")
                found = axe.run(page).response["violations"]
                for violation in found:
                    if violation["impact"] in ("serious", "critical"):
                        targets = [n["target"] for n in violation["nodes"]][:3]
                        problems.append(f"{kind} {path} at {width}px: {violation['id']} ({violation['impact']}) {targets}")
        finally:
            context.close()
    assert problems == []


def test_skip_link_and_visible_focus_by_keyboard(sample: str, chromium_page: Any) -> None:
    page = chromium_page
    page.goto(sample + "/2022-11-04/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    assert page.locator(".skip-link").bounding_box()["x"] >= 0  # on screen when focused
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.keyboard.press("Tab")  # the next stop is inside main, not the masthead again
    assert page.evaluate("document.activeElement.closest('main') !== null")
