"""Issue 15, point 3: an article knows its printed page. Its page's thumbnail with its area
marked links to the page at the article; a box on another page of the edition,
{page: N, box: [x, y, w, h]}, says "continued on page N", and a wrong one is a PATH:LINE error."""
from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from bs4 import BeautifulSoup
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
    assert [(a.get_text(), a["href"]) for a in continued] == [("下转第2版", "/2022-11-04/02/#area-lead-p2")]
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


def test_the_page_an_article_continues_on_draws_the_continued_part_as_a_hotspot(make_site: Callable[..., Path]) -> None:
    _, out = build_ok(_site(make_site, "[[10, 20, 50, 30], {page: 2, box: [50, 60, 40, 30]}, {page: 2, box: [50, 92, 40, 5]}]"))
    page_two = soup(out, "2022-11-04/02/")
    spots = page_two.select('.hotspot[data-article="lead"]')
    assert [s["data-box"] for s in spots] == ["50.0 60.0 40.0 30.0", "50.0 92.0 40.0 5.0"]
    assert [s.get("id") for s in spots] == ["area-lead-p2", None]  # the first is where "continued on" lands
    assert {s["href"] for s in spots} == {"/2022-11-04/lead/"}
    assert spots[0]["style"] == "left: 50%; top: 60%; width: 40%; height: 30%"
    assert [s.get_text() for s in spots] == ["头版头条（续）"] * 2
    assert page_two.select_one("#area-other") is not None  # the page's own article keeps its hotspot


def test_the_page_an_article_continues_on_lists_it_as_continued_from_its_page(make_site: Callable[..., Path]) -> None:
    _, out = build_ok(_site(make_site, "[[10, 20, 50, 30], {page: 2, box: [50, 60, 40, 30]}]"))
    listed = soup(out, "2022-11-04/02/").select(".pv-headlines .item")
    assert [i.select_one(".item-title").get_text(strip=True) for i in listed] == ["第二版文章", "头版头条（续）"]
    continued = listed[1]
    assert continued["data-article"] == "lead"  # hovering it lights its hotspot, and the other way round
    assert continued.select_one(".item-title a")["href"] == "/2022-11-04/lead/"
    where = continued.select_one(".item-where a")
    assert (where.get_text(), where["href"]) == ("上接第1版", "/2022-11-04/01/#area-lead")
    page_one = soup(out, "2022-11-04/01/").select(".pv-headlines .item-title")
    assert [t.get_text(strip=True) for t in page_one] == ["头版头条"]  # its own page lists it once, not as continued


def test_the_edition_contents_list_the_continued_part_under_its_page(make_site: Callable[..., Path]) -> None:
    _, out = build_ok(_site(make_site, "[[10, 20, 50, 30], {page: 2, box: [50, 60, 40, 30]}]"))
    pages = soup(out, "2022-11-04/").select(".toc-page")
    titles = [[t.get_text(strip=True) for t in p.select(".item-title")] for p in pages]
    assert titles == [["头版头条"], ["第二版文章", "头版头条（续）"], []]
    assert pages[1].select_one(".item-continued .item-where").get_text() == "上接第1版"


def test_a_page_without_scan_lists_an_article_continued_on_it(make_site: Callable[..., Path]) -> None:
    """page.html's text list, for a page drawn without its scan, lists the part continued there too
    (a valid build always has that scan: the page is rendered here with it taken away)."""
    from epaper.site.pages import plan
    from epaper.site.render import Renderer
    site = _site(make_site, "[[10, 20, 50, 30], {page: 2, box: [50, 60, 40, 30]}]")
    result, _ = build_ok(site)
    assert result.site is not None
    result.site.editions[0].page(2).links.picture = None
    job = next(j for j in plan(result.site) if j.path == "2022-11-04/02/index.html")
    html = BeautifulSoup(Renderer(site, result.site).render(job).decode("utf-8"), "html.parser")
    assert html.select_one(".hotspot") is None
    listed = html.select(".items .item")
    assert [i.select_one(".item-title").get_text(strip=True) for i in listed] == ["第二版文章", "头版头条（续）"]
    assert listed[1].select_one(".item-where").get_text() == "上接第1版"


def test_the_continued_on_link_lands_on_the_continued_part(make_site: Callable[..., Path]) -> None:
    _, out = build_ok(_site(make_site, "[[10, 20, 50, 30], {page: 2, box: [50, 60, 40, 30]}]"))
    link = soup(out, "2022-11-04/lead/").select_one(".continued-on a")
    assert link["href"] == "/2022-11-04/02/#area-lead-p2"
    assert soup(out, "2022-11-04/02/").select_one("#area-lead-p2") is not None


def test_editing_an_article_rerenders_the_page_it_continues_on(make_site: Callable[..., Path]) -> None:
    from test_incremental import age
    site = _site(make_site, "[[10, 20, 50, 30], {page: 2, box: [50, 60, 40, 30]}]")
    age(site)
    build_ok(site)
    (site / ED / "lead.md").write_text(
        article("头版改题", page=1, area="[[10, 20, 50, 30], {page: 2, box: [50, 50, 40, 40]}]"), encoding="utf-8")
    result, out = build_ok(site)
    assert "2022-11-04/02/index.html" in result.rendered
    spot = soup(out, "2022-11-04/02/").select_one("#area-lead-p2")
    assert (spot["data-box"], spot.get_text()) == ("50.0 50.0 40.0 40.0", "头版改题（续）")
