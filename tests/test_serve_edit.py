"""The preview's area editor (issue 11, point 4): replacing a front matter value byte for byte,
the save endpoint's refusals (foreign Origin or Host, no token, files that are not articles,
malformed boxes), a real Chromium drawing and moving areas, and a built site without any of it."""
from __future__ import annotations

import io
import json
import os
import re
import socket
import time
from collections.abc import Callable, Iterator
from http.client import HTTPConnection
from pathlib import Path

import pytest
from PIL import Image

from conftest import CONFIG, build_ok
from epaper.pdf.frontmatter import NotWritten, set_key
from epaper.serve import Preview

pytest_plugins = ["browser"]

ED = "content/2022/2022-11-04/"
EDITION_YAML = """\
date: 2022-11-04
pages:
  - {number: 1, name: 要闻, section: yaowen, scan: page-01.png}
  - {number: 2, name: 综合, section: zonghe}
"""
# Moved in the browser: a BOM, CRLF line ends, a comment after the area and one before the end.
TOUTIAO = ("\ufeff---\r\ntitle: \"头条：全区优待证月底发放到位\"  # quoted\r\npage: 1\r\norder: 1\r\n"
           "area: [10, 10, 40, 30]   # drawn by hand\r\n# the photo comes later\r\nauthors: [姚珏, 张三]\r\n"
           "---\r\n\r\n正文。\r\n")
# Drawn in the browser: no area yet, comments and a block list to keep.
WEITU = ("---\n# 简讯\ntitle: 没有区域的简讯\npage: 1\norder: 2\ntype: brief\nauthors:\n  - 李四\n  - 王五\n"
         "\n# end of the keys\n---\nbody: 正文。\n")
ERBAN = "---\ntitle: 二版文章\npage: 2\n---\n\n正文。\n"
STRAY = "---\ntitle: 不在任何一期里\npage: 1\n---\n"


def png(width: int, height: int) -> bytes:
    picture = Image.new("RGB", (width, height), (236, 232, 222))
    for top in range(60, height, 90):  # lines of "text" to see in a screenshot
        picture.paste((120, 120, 120), (40, top, width - 40, top + 12))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def scan_site() -> dict[str, str | bytes]:
    return {
        ED + "edition.yaml": EDITION_YAML,
        ED + "page-01.png": png(800, 1100),
        ED + "toutiao.md": TOUTIAO.encode("utf-8"),  # bytes: written as they are, CRLF and all
        ED + "weitu.md": WEITU,
        ED + "erban.md": ERBAN,
        "content/stray.md": STRAY,
    }


class Lines(list):
    """What the server would print on the terminal."""

    def __call__(self, line: str) -> None:
        self.append(line)


def wait_for(predicate: Callable[[], object], timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.03)


def http(port: int, target: str, headers: tuple[str, ...] = ()) -> tuple[int, dict[str, str], bytes]:
    """One GET of the preview, with exactly the headers given."""
    connection = HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.putrequest("GET", target, skip_host=True)
        connection.putheader("Host", f"127.0.0.1:{port}")
        for header in headers:
            name, _, value = header.partition(": ")
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


@pytest.fixture
def preview(make_site: Callable[..., Path]) -> Iterator[Preview]:
    site = make_site(scan_site(), config=CONFIG)
    served = Preview(site, port=0, log=Lines(), poll=0.05, quiet=0.15)
    served.start()
    yield served
    served.stop()


# ---------------------------------------------------------------- set_key: one value replaced, nothing else

@pytest.mark.parametrize("before, after", [
    (b"---\ntitle: A\narea: [1, 2, 3, 4]  # by hand\npage: 1\n---\nbody\n",
     b"---\ntitle: A\narea: [10.00, 20.00, 30.00, 40.00]  # by hand\npage: 1\n---\nbody\n"),
    (b"\xef\xbb\xbf---\r\ntitle: A\r\narea:\r\n  - [1, 2, 3, 4]\r\n  - [5, 6, 7, 8]\r\n# note\r\npage: 1\r\n---\r\n",
     b"\xef\xbb\xbf---\r\ntitle: A\r\narea: [10.00, 20.00, 30.00, 40.00]\r\n# note\r\npage: 1\r\n---\r\n"),
    (b"---\ntitle: A\npage: 1\narea: [1,\n  2, 3, 4]\n\n# end\n---\n",
     b"---\ntitle: A\npage: 1\narea: [10.00, 20.00, 30.00, 40.00]\n\n# end\n---\n"),
    (b"---\ntitle: A\npage: 1\n# end\n---\n",  # none yet: added as `areas` adds it
     b"---\ntitle: A\npage: 1\narea: [10.00, 20.00, 30.00, 40.00]\n# end\n---\n"),
])
def test_set_key_replaces_the_value_and_nothing_else(before: bytes, after: bytes) -> None:
    assert set_key(before, "area", "[10.00, 20.00, 30.00, 40.00]") == after


@pytest.mark.parametrize("text, why", [
    (b"---\n{title: A, area: [1, 2, 3, 4]}\n---\n", "unusual way"),
    (b"---\ntitle: A\narea: [1, 2, 3, 4]\narea: [1, 2, 3, 5]\n---\n", "twice"),
    (b"---\ntitle: [A\n---\n", "does not parse"),
    (b"---\ntitle: A\narea: &box [1, 2, 3, 4]\nother: *box\n---\n", "would not read back"),  # an anchor used later
])
def test_set_key_refuses_what_it_cannot_change_safely(text: bytes, why: str) -> None:
    with pytest.raises(NotWritten, match=why):
        set_key(text, "area", "[1.00, 2.00, 3.00, 4.00]")


# ---------------------------------------------------------------- the endpoints

def token_of(preview: Preview) -> str:
    status, _, body = http(preview.port, "/2022-11-04/01/")
    assert status == 200
    found = re.search(rb'data-epaper-token="([^"]+)"', body)
    assert found
    return found.group(1).decode()


def post(preview: Preview, changes: object, token: str | None, origin: str | None = "own",
         host: str | None = None, kind: str = "application/json") -> tuple[int, dict]:
    """A raw POST to the save endpoint, headers exactly as given."""
    body = json.dumps({"changes": changes}).encode()
    headers = [f"Host: {host or f'127.0.0.1:{preview.port}'}", f"Content-Type: {kind}",
               f"Content-Length: {len(body)}", "Connection: close"]
    if origin == "own":
        origin = f"http://127.0.0.1:{preview.port}"
    if origin is not None:
        headers.append(f"Origin: {origin}")
    if token is not None:
        headers.append(f"X-Epaper-Token: {token}")
    request = ("POST /__epaper__/area HTTP/1.1\r\n" + "\r\n".join(headers) + "\r\n\r\n").encode() + body
    with socket.create_connection(("127.0.0.1", preview.port), timeout=20) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, answer = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(answer)


def test_the_page_endpoint_lists_the_pages_articles(preview: Preview) -> None:
    token = token_of(preview)
    status, _, body = http(preview.port, "/__epaper__/page?file=2022-11-04/01/index.html",
                           headers=(f"X-Epaper-Token: {token}",))
    data = json.loads(body)
    assert status == 200 and data["ok"] and data["page"] == 1
    assert [(a["source"], a["areas"]) for a in data["articles"]] == [
        (ED + "toutiao.md", [[10.0, 10.0, 40.0, 30.0]]), (ED + "weitu.md", [])]
    status, _, body = http(preview.port, "/__epaper__/page?file=2022-11-04/01/index.html")
    assert status == 403 and "edit token" in json.loads(body)["error"]
    status, _, body = http(preview.port, "/__epaper__/page?file=2022-11-04/01/index.html",
                           headers=(f"X-Epaper-Token: {token}", "Origin: http://evil.example"))
    assert status == 403 and "only the preview's own pages" in json.loads(body)["error"]
    status, _, body = http(preview.port, "/__epaper__/page?file=nope/index.html", headers=(f"X-Epaper-Token: {token}",))
    assert status == 404 and "no printed page" in json.loads(body)["error"]


def test_a_save_writes_area_as_areas_does(preview: Preview) -> None:
    token = token_of(preview)
    status, data = post(preview, [{"source": ED + "weitu.md", "area": [5, 50.123, 40, 20.5], "was": []},
                                  {"source": ED + "toutiao.md", "area": [[0, 0, 50, 10], [50, 0, 50, 10]],
                                   "was": [[10, 10, 40, 30]]}], token)
    assert (status, data["ok"]) == (200, True), data
    assert (preview.site / ED / "weitu.md").read_text(encoding="utf-8") == WEITU.replace(
        "  - 王五\n", "  - 王五\narea: [5.00, 50.12, 40.00, 20.50]\n")
    assert (preview.site / ED / "toutiao.md").read_bytes() == TOUTIAO.replace(
        "area: [10, 10, 40, 30]", "area: [[0.00, 0.00, 50.00, 10.00], [50.00, 0.00, 50.00, 10.00]]").encode()
    assert any("weitu.md: area: [5.00, 50.12, 40.00, 20.50] (drawn in the preview)" in line
               for line in preview.log)  # type: ignore[attr-defined]


def unchanged(preview: Preview) -> Callable[[], bool]:
    files = sorted(p for p in preview.site.rglob("*") if p.is_file() and ".epaper-cache" not in p.parts)
    before = {p: p.read_bytes() for p in files}
    return lambda: {p: p.read_bytes() for p in files} == before


GOOD = [{"source": ED + "weitu.md", "area": [5, 50, 40, 20]}]


def test_saves_from_another_origin_or_host_or_without_the_token_are_refused(preview: Preview) -> None:
    token = token_of(preview)
    same = unchanged(preview)
    port = preview.port
    for origin in ("http://evil.example", f"http://evil.example:{port}", f"http://localhost:{port + 1}",
                   f"https://127.0.0.1:{port}", "null", None):
        status, data = post(preview, GOOD, token, origin=origin)
        assert status == 403 and not data["ok"] and "only the preview's own pages" in data["error"], origin
    status, data = post(preview, GOOD, token, origin=f"http://evil.example:{port}", host=f"evil.example:{port}")
    assert status == 403 and "refused a request for host 'evil.example'" in data["error"]
    for wrong in (None, "", "x" * 32, token[:-1]):
        status, data = post(preview, GOOD, wrong)
        assert status == 403 and "edit token" in data["error"], wrong
    assert same()


@pytest.mark.parametrize("changes, code, message", [
    ([{"source": "config.yaml", "area": [1, 1, 1, 1]}], 403, "is not an article file in content/"),
    ([{"source": "content/../config.yaml", "area": [1, 1, 1, 1]}], 403, "is not an article file"),
    ([{"source": "/etc/passwd", "area": [1, 1, 1, 1]}], 403, "is not an article file"),
    ([{"source": ED + "edition.yaml", "area": [1, 1, 1, 1]}], 403, "is not an article file"),
    ([{"source": "content/stray.md", "area": [1, 1, 1, 1]}], 404, "is not an article of this site"),
    ([{"source": ED + "erban.md", "area": [1, 1, 1, 1]}], 409, "has no scan or PDF to draw on"),
    ([{"source": ED + "weitu.md", "area": [0, 0, 0, 5]}], 400, "the width and height must be more than 0"),
    ([{"source": ED + "weitu.md", "area": [90, 0, 20, 5]}], 400, "past the page's right or bottom edge"),
    ([{"source": ED + "weitu.md", "area": [1, 2, 3]}], 400, "a box is [x, y, w, h]"),
    ([{"source": ED + "weitu.md", "area": [[1, 2, 3, "4"]]}], 400, "a box is [x, y, w, h]"),
    ([{"source": ED + "weitu.md", "area": []}], 400, "at least one box"),
    ([{"area": [1, 1, 1, 1]}], 400, "names no article file"),
    ([], 400, "names no change"),
    ([{"source": ED + "toutiao.md", "area": [1, 1, 1, 1], "was": [[10, 10, 40, 31]]}], 409,
     "its area: changed in the file since the page was loaded (it is now [10.00, 10.00, 40.00, 30.00])"),
    ([{"source": ED + "weitu.md", "area": [1, 1, 1, 1], "was": [[1, 1, 1, 1]]}], 409, "(it is now none)"),
    ([{"source": ED + "weitu.md", "area": [1, 1, 1, 1], "was": "x"}], 400, '"was" is the list of boxes'),
    # one bad change: the good one is not written either
    (GOOD + [{"source": ED + "toutiao.md", "area": [-1, 0, 5, 5]}], 400, "x and y must be between 0 and 100"),
])
def test_saves_naming_no_article_or_a_malformed_box_are_refused(
        preview: Preview, changes: list, code: int, message: str) -> None:
    token = token_of(preview)
    same = unchanged(preview)
    status, data = post(preview, changes, token)
    assert (status, data["ok"]) == (code, False) and message in data["error"], data
    assert same()


def test_a_save_that_is_not_json_is_refused(preview: Preview) -> None:
    token = token_of(preview)
    same = unchanged(preview)
    status, data = post(preview, GOOD, token, kind="text/plain")
    assert status == 415 and "JSON" in data["error"]
    assert same()


# ---------------------------------------------------------------- the built site carries none of it

def test_the_built_site_has_no_edit_code(make_site: Callable[..., Path], tmp_path: Path) -> None:
    site = make_site(scan_site(), config=CONFIG)
    out = tmp_path / "public"
    build_ok(site, out)
    assert (out / "2022-11-04" / "01" / "index.html").is_file()
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".js", ".css", ".json", ".xml"):
            text = path.read_text(encoding="utf-8", errors="replace")
            for word in ("__epaper__", "epaper-edit", "data-epaper-token", "X-Epaper-Token", "edit.js"):
                assert word not in text, f"{path.relative_to(out)} carries {word}"


# ---------------------------------------------------------------- in a real browser

def test_in_chromium_draw_an_area_move_another_save_and_see_them(
        preview: Preview, chromium_page: object, tmp_path: Path) -> None:
    from playwright.sync_api import Page, expect

    page: Page = chromium_page  # type: ignore[assignment]
    page.set_viewport_size({"width": 1100, "height": 1400})  # the whole scan in view: the mouse draws on it
    page.goto(preview.url + "2022-11-04/01/")
    wait_for(lambda: preview.sockets, what="the page's livereload websocket")
    toggle = page.locator(".epaper-edit-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "false")  # off until asked
    expect(page.locator(".epaper-edit-layer")).to_have_count(0)
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    layer = page.locator(".epaper-edit-layer")
    expect(layer.locator(".epaper-edit-box")).to_have_count(1)  # toutiao's

    def point(x: float, y: float) -> tuple[float, float]:
        """Where (x %, y %) of the scan is on screen now (measured again each time: the page may
        still be settling, a picker closing or the scan's image arriving, on a loaded machine)."""
        frame = layer.bounding_box()
        assert frame
        return frame["x"] + x / 100 * frame["width"], frame["y"] + y / 100 * frame["height"]

    # Draw a box for weitu from (8 %, 55 %) to (60 %, 80 %) and pick the article.
    page.mouse.move(*point(8, 55))
    page.mouse.down()
    page.mouse.move(*point(30, 70), steps=5)
    page.mouse.move(*point(60, 80), steps=5)
    page.mouse.up()
    picker = page.locator(".epaper-edit-picker")
    expect(picker).to_be_visible()
    picker.locator("select").select_option(ED + "weitu.md")
    page.screenshot(path=str(os.environ.get("EPAPER_SCREENSHOT") or tmp_path / "edit-mode.png"))
    picker.locator(".epaper-edit-set").click()
    expect(picker).to_have_count(0)

    # Move toutiao's box by (+10 %, +5 %), then pull its bottom-right corner by (-10 %, +5 %).
    page.mouse.move(*point(30, 25))
    page.mouse.down()
    page.mouse.move(*point(40, 30), steps=6)
    page.mouse.up()
    page.mouse.move(*point(60, 45))
    page.mouse.down()
    page.mouse.move(*point(50, 50), steps=6)
    page.mouse.up()
    save = page.locator(".epaper-edit-save")
    expect(save).to_have_text("保存（2 篇）")
    page.evaluate("window.__notReloaded = true")
    save.click()

    weitu, toutiao = preview.site / ED / "weitu.md", preview.site / ED / "toutiao.md"
    wait_for(lambda: b"area:" in weitu.read_bytes(), what="weitu's area: in its file")
    drawn = re.search(r"\narea: (\[[^\n]*\])\n", weitu.read_text(encoding="utf-8"))
    assert drawn, weitu.read_text(encoding="utf-8")
    assert re.fullmatch(r"\[\d+\.\d\d, \d+\.\d\d, \d+\.\d\d, \d+\.\d\d\]", drawn.group(1))
    assert json.loads(drawn.group(1)) == pytest.approx([8, 55, 52, 25], abs=0.3)
    assert weitu.read_text(encoding="utf-8") == WEITU.replace("  - 王五\n", f"  - 王五\narea: {drawn.group(1)}\n")
    moved = re.search(rb"\r\narea: (\[[^\r\n]*\])   # drawn by hand\r\n", toutiao.read_bytes())
    assert moved, toutiao.read_bytes()
    assert json.loads(moved.group(1)) == pytest.approx([20, 15, 30, 35], abs=0.3)
    assert toutiao.read_bytes() == TOUTIAO.replace("[10, 10, 40, 30]", moved.group(1).decode()).encode()

    # The preview rebuilt, the page reloaded by itself, still in edit mode, with the new hotspots.
    expect(page.locator("#area-weitu")).to_have_count(1)
    assert page.evaluate("window.__notReloaded") is None
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(layer.locator(".epaper-edit-box")).to_have_count(2)
    expect(page.locator(".epaper-edit-status")).to_contain_text(f"{ED}weitu.md: area: {drawn.group(1)}")
    page.screenshot(path=str(tmp_path / "rebuilt-in-edit-mode.png"))
    toggle.click()
    expect(page.locator(".epaper-edit-layer")).to_have_count(0)
    for slug, box in (("weitu", drawn.group(1)), ("toutiao", moved.group(1).decode())):
        placed = page.locator(f"#area-{slug}").get_attribute("data-box") or ""  # x y w h, in percent
        assert [float(v) for v in placed.split()] == json.loads(box)
    expect(page.locator("#area-weitu")).to_be_visible()
    page.screenshot(path=str(tmp_path / "after-save.png"))

    for elsewhere in ("2022-11-04/02/", "2022-11-04/weitu/", "2022-11-04/"):  # no scan: no editor
        page.goto(preview.url + elsewhere)
        expect(page.locator("h1").first).to_be_visible()
        expect(page.locator(".epaper-edit-bar")).to_have_count(0)
        assert page.evaluate("window.__epaperEdit") is None


def test_in_chromium_add_a_block_nudge_it_remove_the_old_one_and_see_a_refusal(
        preview: Preview, chromium_page: object) -> None:
    from playwright.sync_api import Page, Route, expect

    page: Page = chromium_page  # type: ignore[assignment]
    page.set_viewport_size({"width": 1100, "height": 1400})
    url = preview.url + "2022-11-04/01/"
    page.goto(url)
    wait_for(lambda: preview.sockets, what="the page's livereload websocket")
    page.locator(".epaper-edit-toggle").click()
    layer = page.locator(".epaper-edit-layer")
    expect(layer.locator(".epaper-edit-box")).to_have_count(1)
    frame = layer.bounding_box()
    assert frame

    def point(x: float, y: float) -> tuple[float, float]:
        return frame["x"] + x / 100 * frame["width"], frame["y"] + y / 100 * frame["height"]

    page.mouse.move(*point(50, 60))
    page.mouse.down()
    page.mouse.move(*point(90, 90), steps=6)
    page.mouse.up()
    picker = page.locator(".epaper-edit-picker")
    picker.locator("select").select_option(ED + "toutiao.md")
    picker.locator(".epaper-edit-add").click()  # a second block of the same article
    boxes = layer.locator(f'.epaper-edit-box[data-source="{ED}toutiao.md"]')
    expect(boxes).to_have_count(2)
    boxes.nth(1).click()
    page.keyboard.press("Shift+ArrowRight")  # moves the box by 1 %, does not turn the page
    page.keyboard.press("ArrowUp")  # and by 0.1 %
    assert page.url == url
    boxes.nth(0).locator(".epaper-edit-remove").click()
    expect(boxes).to_have_count(1)
    boxes.nth(0).locator(".epaper-edit-remove").click()  # the last box stays, with a word why
    expect(boxes).to_have_count(1)
    expect(page.locator(".epaper-edit-status")).to_contain_text("至少保留一个框")

    toutiao = preview.site / ED / "toutiao.md"

    def without_token(route: Route) -> None:
        headers = {k: v for k, v in route.request.headers.items() if k.lower() != "x-epaper-token"}
        route.continue_(headers=headers)

    page.route("**/__epaper__/area", without_token)
    page.locator(".epaper-edit-save").click()
    status = page.locator(".epaper-edit-status.is-error")
    expect(status).to_contain_text("edit token")
    assert toutiao.read_bytes() == TOUTIAO.encode()
    page.unroute("**/__epaper__/area")
    page.locator(".epaper-edit-save").click()
    wait_for(lambda: toutiao.read_bytes() != TOUTIAO.encode(), what="toutiao's new area: in its file")
    written = re.search(rb"\r\narea: (\[[^\r\n]*\])   # drawn by hand\r\n", toutiao.read_bytes())
    assert written, toutiao.read_bytes()
    assert json.loads(written.group(1)) == pytest.approx([51, 59.9, 40, 30], abs=0.3)
    assert toutiao.read_bytes() == TOUTIAO.replace("[10, 10, 40, 30]", written.group(1).decode()).encode()
    expect(page.locator("#area-toutiao")).to_have_attribute("data-box", re.compile(r"^51(\.\d+)? "))


def test_a_save_writes_nothing_when_one_file_cannot_take_its_line(preview: Preview) -> None:
    token = token_of(preview)
    (preview.site / ED / "flow.md").write_text("---\n{title: 流式, page: 1, area: [1, 1, 10, 10]}\n---\n正文。\n",
                                               encoding="utf-8")
    same = unchanged(preview)
    status, data = post(preview, GOOD + [{"source": ED + "flow.md", "area": [2, 2, 10, 10]}], token)
    assert status == 409 and 'has "area:" written in an unusual way' in data["error"], data
    assert same()  # weitu.md, asked first, was not written either


def test_a_save_refuses_an_article_continued_on_another_page(preview: Preview) -> None:
    """Its boxes on the other page would be lost: the editor leaves that area: to the file."""
    token = token_of(preview)
    (preview.site / ED / "jump.md").write_text(
        "---\ntitle: 转版文章\npage: 1\narea: [[60, 60, 10, 10], {page: 2, box: [5, 5, 20, 20]}]\n---\n正文。\n",
        encoding="utf-8")
    same = unchanged(preview)
    status, data = post(preview, GOOD + [{"source": ED + "jump.md", "area": [60, 60, 12, 12]}], token)
    assert status == 409 and "also lists boxes on page 2" in data["error"], data
    assert same()
