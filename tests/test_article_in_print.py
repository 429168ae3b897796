"""Issue 15, point 3: an article knows its printed page. Its page's thumbnail with its area
marked links to the page at the article; a box on another page of the edition,
{page: N, box: [x, y, w, h]}, says "continued on page N", and a wrong one is a PATH:LINE error."""
from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from conftest import article, build_errors, build_ok, soup

ED = "content/2022/2022-11-04/"
SCANNED = """\
date: 2022-11-04
number: 11234
pages:
  - {number: 1, name: 要闻, section: yaowen, scan: page-01.png}
  - {number: 2, name: 综合, section: zonghe, scan: page-02.png}
  - {number: 3, name: 副刊, section: zonghe}
"""


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (70, 100), (240, 240, 230)).save(buffer, "PNG")
    return buffer.getvalue()


def _site(make_site: Callable[..., Path], area: str) -> Path:
    return make_site({
        ED + "edition.yaml": SCANNED, ED + "page-01.png": _png(), ED + "page-02.png": _png(),
        ED + "lead.md": article("头版头条", page=1, area=area),
        ED + "other.md": article("第二版文章", page=2, area="[5, 5, 40, 20]"),
    })


def test_article_shows_its_page_thumbnail_with_its_area_marked_linking_to_its_hotspot(make_site: Callable[..., Path]) -> None:
    _, out = build_ok(_site(make_site, "[10, 20, 50, 30]"))
    html = soup(out, "2022-11-04/lead/")
    box = html.select_one(".page-thumb")
    assert box is not None
    link = box.select_one("a.page-thumb-link")
    assert link["href"] == "/2022-11-04/01/#area-lead"
    assert soup(out, "2022-11-04/01/").select_one("#area-lead") is not None  # the fragment lands on its hotspot
    thumb = link.select_one("img")
    assert thumb["src"].startswith("/media/") and (out / thumb["src"].lstrip("/")).is_file()
    marks = box.select(".page-thumb-area")
    assert [m["style"] for m in marks] == ["left: 10%; top: 20%; width: 50%; height: 30%"]
    assert box.has_attr("data-pagefind-ignore")  # not part of the search excerpt
    assert box.select(".continued-on") == []


def test_a_box_on_another_page_says_continued_on_that_page(make_site: Callable[..., Path]) -> None:
    _, out = build_ok(_site(make_site, "[[10, 20, 50, 30], {page: 2, box: [50, 60, 40, 30]}]"))
    box = soup(out, "2022-11-04/lead/").select_one(".page-thumb")
    continued = box.select(".continued-on a")
    assert [(a.get_text(), a["href"]) for a in continued] == [("下转第2版", "/2022-11-04/02/")]
    assert len(box.select(".page-thumb-area")) == 1  # only the boxes on its own page are on its thumbnail
    page_one = soup(out, "2022-11-04/01/")
    assert len(page_one.select('.hotspot[data-article="lead"]')) == 1  # the page-2 box is not drawn on page 1


def test_a_box_naming_a_missing_page_its_own_page_or_an_unscanned_page_is_an_error_at_its_line(
        make_site: Callable[..., Path]) -> None:
    area = "\n  - [10, 20, 50, 30]\n  - {page: 9, box: [1, 1, 5, 5]}\n  - {page: 1, box: [60, 60, 5, 5]}\n  - {page: 3, box: [1, 1, 5, 5]}"
    errors = build_errors(_site(make_site, area))
    mine = [e for e in errors if e.startswith(ED + "lead.md")]
    assert any(e.startswith(ED + "lead.md:6:") and "lists no page 9 (its pages: 1, 2, 3)" in e for e in mine), mine
    assert any(e.startswith(ED + "lead.md:7:") and "the article's own page (1)" in e for e in mine), mine
    assert any(e.startswith(ED + "lead.md:8:") and 'page 3, but that page has no "scan:"' in e for e in mine), mine


def test_a_box_on_another_page_written_wrong_is_an_error_at_its_line(make_site: Callable[..., Path]) -> None:
    area = "\n  - [10, 20, 50, 30]\n  - {page: two, box: [1, 1, 5, 5]}\n  - {page: 2, at: [1, 1, 5, 5]}"
    errors = build_errors(_site(make_site, area))
    assert any(e.startswith(ED + "lead.md:6:") and '"page:" of an "area:" box is a page number' in e for e in errors), errors
    assert any(e.startswith(ED + "lead.md:7:") and "{page: N, box: [x, y, w, h]}" in e for e in errors), errors
