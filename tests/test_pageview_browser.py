"""The printed page as one screen, in a real browser (Debian's Chromium): the zoomable page
(wheel, pinch, + − 0 keys and buttons) with each article's area still over its article at
every zoom, page turning beside the page and past the edition's last page, headlines and
areas lighting each other up, and the desktop and phone layouts. The repository's sample
newspaper is built once and served as a static host would."""
from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image, ImageFilter

from conftest import REPO, build_ok
from searching import served

pytest_plugins = ["browser"]

PAGE = "/2022-11-04/01/"
SPOT = "a.hotspot[data-article=jingkaiqu-xiandaihua-xinpianzhang]"  # the lead article's area on page 1
STILL = ".pv-frame.is-zoomable:not([data-moving])"



@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The repository's sample newspaper (two editions with page PDFs), served at the root."""
    site = tmp_path_factory.mktemp("pageview")
    for name in ("config.yaml", "content", "layouts", "static"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, site / name)
        elif (REPO / name).exists():
            shutil.copy(REPO / name, site / name)
    _, out = build_ok(site)
    with served(out) as url:
        yield url


def open_page(chromium: Any, url: str, width: int = 1280, height: int = 800, touch: bool = False) -> Any:
    context = chromium.new_context(viewport={"width": width, "height": height}, has_touch=touch, is_mobile=touch)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(url)
    page.wait_for_selector(STILL)
    page.wait_for_load_state("networkidle")  # the page's renditions are drawn
    return page


def box(page: Any, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found, selector
    return found


def shot(page: Any) -> Image.Image:
    return Image.open(io.BytesIO(page.screenshot())).convert("L")


STEADY = """(selector) => {
    const now = JSON.stringify(document.querySelector(selector).getBoundingClientRect());
    const seen = window.__steady || (window.__steady = {last: '', same: 0});
    seen.same = seen.last === now ? seen.same + 1 : 0;
    seen.last = now;
    return seen.same >= 10 && !document.querySelector('.pv-frame').hasAttribute('data-moving');
}"""


def settle(page: Any, zoomed: bool = True) -> None:
    """Wait until the viewer has stopped moving: the area in the same place for ten frames running."""
    page.wait_for_selector(".pv-frame.is-zoomed" if zoomed else ".pv-frame.is-zoomable:not(.is-zoomed)")
    page.wait_for_function(STEADY, arg="a.hotspot")  # polled once a frame
    page.wait_for_load_state("networkidle")  # a wider level of the page may be loading


def wider_than(page: Any, width: float) -> None:
    """Wait (the page's default timeout) until the article's area is wider than `width` on screen:
    the viewer animates a zoom, and a loaded machine may draw its last frames late."""
    page.wait_for_function(f"() => document.querySelector('{SPOT}').getBoundingClientRect().width > {width}")


def likeness(a: Image.Image, b: Image.Image) -> float:
    """The correlation of two greyscale images' pixels (1: the same picture, whatever its brightness)."""
    small = (64, max(8, round(64 * a.height / a.width)))  # columns and lines of print, not the glyphs
    xs = list(a.resize(small, Image.Resampling.BOX).filter(ImageFilter.GaussianBlur(1)).tobytes())
    ys = list(b.resize(small, Image.Resampling.BOX).filter(ImageFilter.GaussianBlur(1)).tobytes())
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    vx, vy = sum((x - mx) ** 2 for x in xs), sum((y - my) ** 2 for y in ys)
    return cov / ((vx * vy) ** 0.5 or 1.0)


def assert_area_still_over_its_article(before: Image.Image, home: dict[str, float], after: Image.Image,
                                       zoomed: dict[str, float], frame: dict[str, float]) -> None:
    """The printed text inside the area after zooming, shrunk back, is the text that was inside it
    at the page's own size (and not the text half an area away): the area moved with its article.
    Screenshots are compared, so this checks what the reader sees, not the viewer's arithmetic."""
    x0, y0 = max(zoomed["x"], frame["x"]), max(zoomed["y"], frame["y"])
    x1 = min(zoomed["x"] + zoomed["width"], frame["x"] + frame["width"], after.width)
    y1 = min(zoomed["y"] + zoomed["height"], frame["y"] + frame["height"], after.height)  # what is on screen
    assert x1 - x0 > 40 and y1 - y0 > 40, "the zoomed area is out of view"
    fx = [(v - zoomed["x"]) / zoomed["width"] for v in (x0, x1)]
    fy = [(v - zoomed["y"]) / zoomed["height"] for v in (y0, y1)]
    region = (home["x"] + fx[0] * home["width"], home["y"] + fy[0] * home["height"],
              home["x"] + fx[1] * home["width"], home["y"] + fy[1] * home["height"])
    seen = after.crop((round(x0), round(y0), round(x1), round(y1)))
    same = before.crop(tuple(round(v) for v in region))
    shift = (region[3] - region[1]) / 3  # the same region a third of its height lower: other lines of print
    elsewhere = before.crop((round(region[0]), round(region[1] + shift), round(region[2]), round(region[3] + shift)))
    found, other = likeness(seen, same), likeness(seen, elsewhere)
    assert found > 0.6 and found > other + 0.2, (found, other)


def test_the_wheel_magnifies_the_page_and_the_area_stays_on_its_article(sample: str, chromium: Any) -> None:
    page = open_page(chromium, sample + PAGE)
    try:
        frame, home = box(page, ".pv-frame"), box(page, SPOT)
        before = shot(page)
        page.mouse.move(home["x"] + home["width"] * 0.3, home["y"] + home["height"] * 0.3)
        for _ in range(10):  # the wheel's steps, until the page is about twice its size
            page.mouse.wheel(0, -200)
            settle(page)
            if box(page, SPOT)["width"] > 1.8 * home["width"]:
                break
        zoomed = box(page, SPOT)
        assert zoomed["width"] > 1.8 * home["width"]  # magnified
        assert box(page, ".pv-frame") == frame  # the page zooms inside its frame, the layout stays
        assert_area_still_over_its_article(before, home, shot(page), zoomed, frame)
        # sharp: zoomed in, the viewer loads a level wider than the 1600 px the page shows unzoomed
        loaded = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
        assert any(name.endswith("-3200.jpg") for name in loaded)
    finally:
        page.context.close()


def test_a_pinch_magnifies_the_page_on_a_phone_and_the_area_stays_on_its_article(sample: str, chromium: Any) -> None:
    page = open_page(chromium, sample + PAGE, width=375, height=800, touch=True)
    try:
        page.locator(".pv-frame").scroll_into_view_if_needed()
        frame, home = box(page, ".pv-frame"), box(page, SPOT)
        before = shot(page)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Input.synthesizePinchGesture", {"x": home["x"] + home["width"] / 2, "y": home["y"] + home["height"] / 2,
                                                  "scaleFactor": 2.5, "gestureSourceType": "touch"})
        settle(page)
        assert page.evaluate("window.visualViewport.scale") == 1  # the page zoomed, not the web page
        zoomed = box(page, SPOT)
        assert zoomed["width"] > 1.8 * home["width"]
        assert_area_still_over_its_article(before, home, shot(page), zoomed, frame)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        # zoomed in, a sideways swipe moves about the page: it does not turn it
        page.evaluate("""() => {
            const target = document.querySelector('.pv-viewer');
            const touch = x => new Touch({identifier: 1, target, clientX: x, clientY: 300});
            target.dispatchEvent(new TouchEvent('touchstart', {touches: [touch(320)], changedTouches: [touch(320)], bubbles: true}));
            target.dispatchEvent(new TouchEvent('touchend', {touches: [], changedTouches: [touch(40)], bubbles: true}));
        }""")
        page.keyboard.press("0")  # back to the whole page: the same swipe turns it
        settle(page, zoomed=False)
        assert page.url == sample + PAGE
        page.evaluate("""() => {
            const target = document.querySelector('.pv-viewer');
            const touch = x => new Touch({identifier: 1, target, clientX: x, clientY: 300});
            target.dispatchEvent(new TouchEvent('touchstart', {touches: [touch(320)], changedTouches: [touch(320)], bubbles: true}));
            target.dispatchEvent(new TouchEvent('touchend', {touches: [], changedTouches: [touch(40)], bubbles: true}));
        }""")
        page.wait_for_url(sample + "/2022-11-04/02/")
    finally:
        page.context.close()


def test_plus_minus_and_zero_keys_and_the_zoom_buttons(sample: str, chromium: Any) -> None:
    page = open_page(chromium, sample + PAGE)
    try:
        home = box(page, SPOT)
        page.keyboard.press("+")
        settle(page)
        wider_than(page, 1.3 * home["width"])
        once = box(page, SPOT)["width"]
        page.keyboard.press("+")
        page.wait_for_function(f"() => document.querySelector('{SPOT}').getBoundingClientRect().width > {once * 1.3}")
        page.keyboard.press("-")
        page.wait_for_function(f"() => document.querySelector('{SPOT}').getBoundingClientRect().width < {once * 1.1}")
        page.keyboard.press("0")
        settle(page, zoomed=False)
        page.wait_for_function(f"() => Math.abs(document.querySelector('{SPOT}').getBoundingClientRect().width"
                               f" - {home['width']}) < 1")  # back to the whole page (no later zoom undoes it)
        # the buttons, reached and pressed with the keyboard alone
        zoom_in = page.locator(".pv-zoom[data-zoom=in]")
        for _ in range(40):
            page.keyboard.press("Tab")
            if zoom_in.evaluate("b => b === document.activeElement"):
                break
        else:
            pytest.fail("Tab never reached the zoom-in button")
        page.keyboard.press("Enter")
        settle(page)
        wider_than(page, 1.3 * home["width"])
        page.locator(".pv-zoom[data-zoom=out]").click()
        settle(page, zoomed=False)
        page.locator(".pv-zoom[data-zoom=in]").click()
        settle(page)
        page.locator(".pv-zoom[data-zoom=fit]").click()
        settle(page, zoomed=False)
        page.wait_for_function(f"() => Math.abs(document.querySelector('{SPOT}').getBoundingClientRect().width"
                               f" - {home['width']}) < 1")  # back to the whole page (no later zoom undoes it)
    finally:
        page.context.close()


def test_arrow_keys_turn_pages_and_past_the_last_page_open_the_next_edition(sample: str, chromium: Any) -> None:
    page = open_page(chromium, sample + "/2022-11-04/01/")
    try:
        page.keyboard.press("ArrowRight")
        page.wait_for_url(sample + "/2022-11-04/02/")
        page.wait_for_selector(STILL)
        page.keyboard.press("ArrowLeft")
        page.wait_for_url(sample + "/2022-11-04/01/")
        page.goto(sample + "/2022-11-03/03/")  # the edition before has one page, 第3版
        page.wait_for_selector(STILL)
        page.keyboard.press("ArrowRight")
        page.wait_for_url(sample + "/2022-11-04/01/")
        page.wait_for_selector(STILL)
        page.keyboard.press("ArrowLeft")
        page.wait_for_url(sample + "/2022-11-03/03/")
        # zoomed in, the arrows move about the page instead of turning it
        page.wait_for_selector(STILL)
        page.keyboard.press("+")
        settle(page)
        page.keyboard.press("+")
        settle(page)
        spot = box(page, "a.hotspot")
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => document.querySelector('a.hotspot').getBoundingClientRect().x < {spot['x'] - 5}")
        assert page.url == sample + "/2022-11-03/03/"
    finally:
        page.context.close()


def test_turn_buttons_sit_beside_the_page_not_over_it(sample: str, chromium: Any) -> None:
    for width in (1280, 375):
        page = open_page(chromium, sample + "/2022-11-04/02/", width=width)
        try:
            frame = box(page, ".pv-frame")
            for rel in ("prev", "next"):
                turn = box(page, f".pv-turn-{rel}")
                apart = (turn["x"] + turn["width"] <= frame["x"] or turn["x"] >= frame["x"] + frame["width"]
                         or turn["y"] >= frame["y"] + frame["height"])
                assert apart, (width, rel, turn, frame)
            page.locator(".pv-turn-next").click()
            page.wait_for_url(sample + "/2022-11-04/03/")
        finally:
            page.context.close()


def test_a_headline_lights_up_its_area_and_an_area_its_headline(sample: str, chromium: Any) -> None:
    page = open_page(chromium, sample + PAGE)
    try:
        headline = page.locator(".pv-headlines li[data-article=jingkaiqu-xiandaihua-xinpianzhang]")
        headline.hover()
        page.wait_for_selector(SPOT + ".is-lit")
        lit = page.locator(SPOT).evaluate("a => getComputedStyle(a).backgroundColor")
        assert lit not in ("rgba(0, 0, 0, 0)", "transparent")  # seen on the page, not just a class
        page.mouse.move(1, 1)
        page.wait_for_selector(SPOT + ":not(.is-lit)")
        spot = box(page, SPOT)
        page.mouse.move(spot["x"] + spot["width"] / 2, spot["y"] + spot["height"] / 2)
        page.wait_for_selector(".pv-headlines li[data-article=jingkaiqu-xiandaihua-xinpianzhang].is-lit")
        # and a click there, not a drag, opens the article
        page.mouse.down()
        page.mouse.up()
        page.wait_for_url(sample + "/2022-11-04/jingkaiqu-xiandaihua-xinpianzhang/")
    finally:
        page.context.close()


def test_keyboard_reaches_every_area_and_a_focused_area_comes_into_view_when_zoomed(sample: str, chromium: Any) -> None:
    page = open_page(chromium, sample + PAGE)
    try:
        slugs = page.locator("a.hotspot").evaluate_all("all => all.map(a => a.href)")
        assert len(slugs) >= 2
        page.mouse.move(box(page, ".pv-frame")["x"] + 5, box(page, ".pv-frame")["y"] + 5)
        for _ in range(6):
            page.mouse.wheel(0, -200)  # deep into the page's top left corner
            settle(page)
        reached = []
        for _ in range(60):
            page.keyboard.press("Tab")
            href = page.evaluate("document.activeElement.matches('a.hotspot') ? document.activeElement.href : null")
            if href:
                reached.append(href)
                page.wait_for_function(STEADY, arg="a.hotspot")
                frame, spot = box(page, ".pv-frame"), page.evaluate(
                    "(r => ({x: r.x, y: r.y, w: r.width, h: r.height}))(document.activeElement.getBoundingClientRect())")
                centre = (spot["x"] + spot["w"] / 2, spot["y"] + spot["h"] / 2)
                assert frame["x"] <= centre[0] <= frame["x"] + frame["width"], (href, spot, frame)
                assert frame["y"] <= centre[1] <= frame["y"] + frame["height"], (href, spot, frame)
            if len(reached) == len(slugs):
                break
        assert reached == slugs
        page.keyboard.press("Enter")
        page.wait_for_url(slugs[-1])
    finally:
        page.context.close()


def test_desktop_shows_strip_page_and_headlines_side_by_side_and_phones_stack_them(sample: str, chromium: Any) -> None:
    page = open_page(chromium, sample + PAGE, width=1280, height=800)
    try:
        strip, frame, heads = box(page, ".pv-strip"), box(page, ".pv-frame"), box(page, ".pv-headlines")
        assert strip["x"] + strip["width"] <= frame["x"] < frame["x"] + frame["width"] <= heads["x"]
        page.evaluate("window.scrollTo(0, document.querySelector('.pageview').getBoundingClientRect().top + scrollY)")
        frame = box(page, ".pv-frame")
        assert frame["y"] >= 0 and frame["y"] + frame["height"] <= 800  # the whole page on one screen
        assert box(page, ".pv-strip img")["height"] > 100  # thumbnails, not just numbers
    finally:
        page.context.close()
    page = open_page(chromium, sample + PAGE, width=375, height=800, touch=True)
    try:
        stage, heads, strip = box(page, ".pv-stage"), box(page, ".pv-headlines"), box(page, ".pv-strip")
        assert stage["y"] + stage["height"] <= heads["y"] and heads["y"] + heads["height"] <= strip["y"]
        assert box(page, ".pv-frame")["width"] >= 340  # the page first, as wide as the phone
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        page.context.close()


def test_without_javascript_the_page_is_the_scan_with_its_links(sample: str, chromium: Any) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(sample + PAGE)
        scan, spot = box(page, "img.scan-image"), box(page, SPOT)
        assert scan["width"] > 300
        assert scan["x"] <= spot["x"] and spot["x"] + spot["width"] <= scan["x"] + scan["width"] + 1
        assert page.locator(".pv-tools").is_hidden()  # no buttons that would do nothing
        page.locator(SPOT).click()
        page.wait_for_url(sample + "/2022-11-04/jingkaiqu-xiandaihua-xinpianzhang/")
    finally:
        context.close()


def test_a_double_tap_zooms_without_opening_the_article_and_a_tap_opens_it(sample: str, chromium: Any) -> None:
    page = open_page(chromium, sample + PAGE, width=375, height=800, touch=True)
    try:
        page.locator(".pv-frame").scroll_into_view_if_needed()
        home = box(page, SPOT)
        centre = {"x": home["x"] + home["width"] / 2, "y": home["y"] + home["height"] / 2}
        cdp = page.context.new_cdp_session(page)
        cdp.send("Input.synthesizeTapGesture", {**centre, "tapCount": 2, "gestureSourceType": "touch"})
        settle(page)
        assert box(page, SPOT)["width"] > 1.8 * home["width"]
        page.keyboard.press("0")
        settle(page, zoomed=False)
        assert page.url == sample + PAGE  # the double tap did not open the article under it
        cdp.send("Input.synthesizeTapGesture", {**centre, "tapCount": 1, "gestureSourceType": "touch"})
        page.wait_for_url(sample + "/2022-11-04/jingkaiqu-xiandaihua-xinpianzhang/")
    finally:
        page.context.close()
