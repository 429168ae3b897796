"""Issue 15, point 3 in a real browser (Debian's Chromium): the article's page thumbnail shows its
area marked, and its link lands on the printed page at the article's hotspot."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_article_in_print import ED, SCANNED, _png

from conftest import CONFIG, article, build_ok
from searching import served

pytest_plugins = ["browser"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("in-print") / "site"
    files: dict[str, str | bytes] = {
        "config.yaml": CONFIG, ED + "edition.yaml": SCANNED, ED + "page-01.png": _png(), ED + "page-02.png": _png(),
        ED + "lead.md": article("头版头条", page=1, area="[[10, 60, 50, 30], {page: 2, box: [5, 5, 40, 20]}]"),
    }
    for rel, content in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            (root / rel).write_bytes(content)
        else:
            (root / rel).write_text(content, encoding="utf-8")
    _, out = build_ok(root)
    with served(out) as url:
        yield url


def test_the_thumbnail_marks_the_area_and_its_link_lands_on_the_hotspot(site: str, chromium: Any) -> None:
    from playwright.sync_api import expect
    context = chromium.new_context(viewport={"width": 1100, "height": 500})
    try:
        page = context.new_page()
        page.goto(f"{site}/2022-11-04/lead/")
        thumb = page.locator(".page-thumb-frame")
        expect(thumb).to_be_visible()
        frame, mark = thumb.bounding_box(), page.locator(".page-thumb-area").bounding_box()
        assert frame and mark
        assert abs(mark["x"] - (frame["x"] + 0.10 * frame["width"])) < 2  # where the area is, to the pixel
        assert abs(mark["y"] - (frame["y"] + 0.60 * frame["height"])) < 2
        assert abs(mark["width"] - 0.50 * frame["width"]) < 2
        expect(page.locator(".continued-on a")).to_have_text("下转第2版")
        page.locator("a.page-thumb-link").click()
        page.wait_for_url(f"{site}/2022-11-04/01/#area-lead")
        hotspot = page.locator("#area-lead")
        assert page.evaluate("document.querySelector(':target') && document.querySelector(':target').id") == "area-lead"
        box = hotspot.bounding_box()
        assert box and 0 <= box["y"] < 500  # scrolled to: the article's area is on screen
    finally:
        context.close()


def _big_png() -> bytes:
    """A page scan large enough for the viewer to zoom in on (it stops at 1.5 screen pixels per pixel)."""
    import io

    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (1400, 2000), (240, 240, 230)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def continued_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("continued") / "site"
    files: dict[str, str | bytes] = {
        "config.yaml": CONFIG, ED + "edition.yaml": SCANNED, ED + "page-01.png": _big_png(),
        ED + "page-02.png": _big_png(),
        ED + "lead.md": article("头版头条", page=1, area="[[10, 10, 50, 30], {page: 2, box: [50, 70, 30, 20]}]"),
        ED + "other.md": article("第二版文章", page=2, area="[5, 5, 40, 20]"),
    }
    for rel, content in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            (root / rel).write_bytes(content)
        else:
            (root / rel).write_text(content, encoding="utf-8")
    _, out = build_ok(root)
    with served(out) as url:
        yield url


def test_continued_on_lands_zoomed_on_the_continued_part_which_lights_with_its_headline(
        continued_site: str, chromium: Any) -> None:
    from playwright.sync_api import expect
    site = continued_site
    context = chromium.new_context(viewport={"width": 1100, "height": 700})
    try:
        page = context.new_page()
        page.goto(f"{site}/2022-11-04/lead/")
        page.locator(".continued-on a").click()
        page.wait_for_url(f"{site}/2022-11-04/02/#area-lead-p2")
        page.wait_for_selector(".pv-frame.is-zoomable.is-zoomed")  # zoomed in on the area it was opened at
        spot = page.locator("#area-lead-p2")
        expect(spot).to_have_attribute("data-article", "lead")
        page.wait_for_function("!document.querySelector('.pv-frame').hasAttribute('data-moving')")
        box, frame = spot.bounding_box(), page.locator(".pv-viewer").bounding_box()
        assert box and frame
        assert box["width"] > 0.5 * frame["width"]  # 30% of the page's width, magnified
        for edge in ("x", "y"):  # wholly inside the viewer and the window
            size = "width" if edge == "x" else "height"
            assert frame[edge] - 1 <= box[edge] and box[edge] + box[size] <= frame[edge] + frame[size] + 1, (box, frame)
        assert box["y"] >= 0 and box["y"] + box["height"] <= 700, box
        headline = page.locator('.pv-headlines li[data-article="lead"]')
        expect(headline.locator(".item-title")).to_have_text("头版头条（续）")
        headline.hover()
        page.wait_for_selector("#area-lead-p2.is-lit")
        page.mouse.move(1, 1)
        page.wait_for_selector("#area-lead-p2:not(.is-lit)")
        spot.hover()
        page.wait_for_selector('.pv-headlines li[data-article="lead"].is-lit')
        page.screenshot(path=str(Path(os.environ.get("EPAPER_SHOTS", "/tmp")) / "continued-p2.png"))
    finally:
        context.close()
