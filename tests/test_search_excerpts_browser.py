"""Issue 15, point 9: search results that read well, in a real browser (Debian's Chromium). The
excerpt is cut from the article's body (not its headline, byline or correction notice), reads as
Chinese is printed (no Latin ". " between sentences, …… at the cuts) and marks the whole query
(优待证, which Pagefind's segmenter splits into 优待 and 证)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import CONFIG, EDITION, article
from searching import build_searchable, served

pytest_plugins = ["browser"]

ED3 = "content/2022/2022-11-03/"
ED4 = "content/2022/2022-11-04/"
LONG = "社区工作人员逐户核对信息，确保不漏一户。" * 6


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("excerpts")
    files = {
        ED3 + "edition.yaml": EDITION.format(date="2022-11-03", number=11233),
        ED3 + "youdaizheng.md": article("全区优待证月底发放到位", page=1, kicker="退役军人服务", byline="本报记者 姚珏",
                                        body=f"## 发放进度\n\n{LONG}\n\n全区退役军人的优待证本月底前发放到位。\n\n## 下一步\n\n各镇街道同步推进。"),
        ED4 + "edition.yaml": EDITION.format(date="2022-11-04", number=11234),
        ED4 + "gengzheng.md": article("更正启事", page=2, type="correction", corrects="2022-11-03/youdaizheng",
                                      body="11月3日3版一文中，应是本月底对已签收的优待证全部发放到位，特此更正。"),
        ED4 + "lao.md": article("老城区优待证办理点", page=1, body="办理点设在老城区。"),
    }
    root = tmp / "site"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (root / "config.yaml").write_text(CONFIG, encoding="utf-8")
    _, out = build_searchable(root)
    with served(out) as url:
        yield url


def _results(page: Any, base: str, query: str, count: int) -> list[dict[str, Any]]:
    from playwright.sync_api import expect
    page.goto(f"{base}/search/?q={query}")
    items = page.locator(".search-results li")
    expect(items).to_have_count(count)  # the status comes first, the results as their data loads
    expect(items.locator(".search-excerpt").last).not_to_be_empty()
    return [{"title": item.locator("h2").inner_text(),
             "text": item.locator(".search-excerpt").inner_text(),
             "marks": item.locator(".search-excerpt mark").all_inner_texts()} for item in items.all()]


def test_excerpts_come_from_the_body_read_as_chinese_and_mark_the_whole_query(site: str, chromium_page: Any) -> None:
    found = _results(chromium_page, site, "优待证", 3)
    assert {r["title"] for r in found} == {"全区优待证月底发放到位", "更正启事", "老城区优待证办理点"}
    for result in found:
        text = result["text"]
        assert result["title"] not in text, result  # no headline repeated
        assert "本文已于" not in text and "姚珏" not in text and "退役军人服务" not in text, result  # notice, byline, kicker
        assert not re.search(r"[\u4e00-\u9fff。，]\. ", text), result  # no Latin ". " between Chinese sentences
        assert not text.startswith((". ", "。")), result
    original = next(r for r in found if r["title"] == "全区优待证月底发放到位")
    assert original["marks"] == ["优待证"]  # the whole query, not 优待 alone
    assert original["text"].startswith("……") and "发放进度" not in original["text"]  # cut at the sentence, with ……
    assert "优待证本月底前发放到位。下一步。各镇街道" in original["text"].replace("……", "")  # a subheading ends with 。
    correction = next(r for r in found if r["title"] == "更正启事")
    assert correction["marks"] == ["优待证"]
    assert correction["text"] == "11月3日3版一文中，应是本月底对已签收的优待证全部发放到位，特此更正。"
    headline_only = next(r for r in found if r["title"] == "老城区优待证办理点")
    assert headline_only["text"] == "办理点设在老城区。" and headline_only["marks"] == []  # the body's start


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("excerpts-en") / "site"
    words = " ".join(f"word{n}" for n in range(60))
    files = {
        "config.yaml": CONFIG.replace("language: zh-CN", "language: en"),
        ED4 + "edition.yaml": EDITION.format(date="2022-11-04", number=11234),
        ED4 + "ferry.md": article("Ferry service returns", page=1,
                                  body=f"{words}. The new ferry service starts on Monday. More words follow here."),
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    _, out = build_searchable(root)
    with served(out) as url:
        yield url


def test_english_excerpts_mark_the_whole_phrase_and_cut_with_an_ellipsis(english: str, chromium_page: Any) -> None:
    from playwright.sync_api import expect
    page = chromium_page
    page.goto(f"{english}/search/?q=ferry service")
    expect(page.locator(".search-status")).to_contain_text("1 article found")
    excerpt = page.locator(".search-excerpt")
    expect(excerpt.locator("mark")).to_have_text(["ferry service"])
    text = excerpt.inner_text()
    assert text.startswith("…The new ferry service") and "Ferry service returns" not in text, text
