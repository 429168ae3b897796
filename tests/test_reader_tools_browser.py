"""The reader's tools in a real browser (Debian's Chromium): the article's QR code read back by a
barcode decoder as the article's URL, and the type size (大/中/小) that survives a reload without
moving anything on the page."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from conftest import CONFIG, build_ok, two_editions
from searching import served

pytest_plugins = ["browser"]

ARTICLE = "/2022-11-04/brief/"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = tmp_path_factory.mktemp("tools")
    (site / "config.yaml").write_text(CONFIG, encoding="utf-8")
    for rel, text in two_editions().items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    _, out = build_ok(site)
    root = Path(tmp_path_factory.mktemp("root"))
    shutil.copytree(out, root, dirs_exist_ok=True)
    with served(root) as url:
        yield url


@pytest.mark.parametrize("width", [1100, 375])
def test_qr_code_decodes_to_the_articles_url(small: str, chromium: Any, width: int) -> None:
    import zxingcpp
    from PIL import Image
    context = chromium.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.goto(small + ARTICLE)
        code = page.locator(".share-qr svg")
        code.scroll_into_view_if_needed()
        found = zxingcpp.read_barcodes(Image.open(BytesIO(code.screenshot())))
        assert [r.text for r in found] == ["https://news.example.com/2022-11-04/brief/"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
    finally:
        context.close()


def test_type_size_large_survives_a_reload_without_a_layout_shift(small: str, chromium_page: Any) -> None:
    from playwright.sync_api import expect
    page = chromium_page
    page.goto(small + ARTICLE)
    size = "parseFloat(getComputedStyle(document.querySelector('.article-body')).fontSize)"
    medium = page.evaluate(size)
    expect(page.locator('.type-size [data-size="m"]')).to_have_attribute("aria-pressed", "true")
    page.click('.type-size [data-size="l"]')
    large = page.evaluate(size)
    assert large > medium
    expect(page.locator('.type-size [data-size="l"]')).to_have_attribute("aria-pressed", "true")
    page.reload()
    assert page.evaluate(size) == large
    expect(page.locator('.type-size [data-size="l"]')).to_have_attribute("aria-pressed", "true")
    expect(page.locator('.type-size [data-size="m"]')).to_have_attribute("aria-pressed", "false")
    shifts = page.evaluate("""() => new Promise(done => {
        new PerformanceObserver(list => done(list.getEntries().reduce((s, e) => s + e.value, 0)))
            .observe({type: 'layout-shift', buffered: true});
        setTimeout(() => done(0), 300);
    })""")
    assert shifts == 0  # the size was set before the first paint
    page.click('.type-size [data-size="s"]')
    assert page.evaluate(size) < medium
