"""The print replica and article photos: page scans with clickable article areas, their
renditions and thumbnails (made once, cached), page PDFs, photos in figures, validation,
and a real browser clicking an area and turning pages."""
from __future__ import annotations

import functools
import hashlib
import io
import json
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import feedparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

import epaper.images
import epaper.parallel
from conftest import article, build_errors, build_ok, examples, soup, write_files
from epaper.build import Options, build
from epaper.errors import BuildError
from epaper.output.cache import CACHE_DIR

pytest_plugins = ["browser"]

ED = "content/2022/2022-11-04/"
EDITION_YAML = """\
date: 2022-11-04
pages:
  - {number: 1, name: 要闻, section: yaowen, scan: page-01.jpg, pdf: page-01.pdf}
  - {number: 2, name: 综合, section: zonghe, scan: page-02.png}
  - {number: 3, name: 副刊, section: zonghe}
"""
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def image(width: int, height: int, color: tuple[int, int, int] = (210, 200, 180), fmt: str = "JPEG",
          orientation: int = 0) -> bytes:
    picture = Image.new("RGB", (width, height), color)
    picture.paste((20, 20, 20), (0, 0, width // 4, height // 10))  # something to see when resized
    out = io.BytesIO()
    if orientation:
        exif = Image.Exif()
        exif[0x0112] = orientation
        picture.save(out, fmt, exif=exif)
    else:
        picture.save(out, fmt)
    return out.getvalue()


def replica_site() -> dict[str, str | bytes]:
    return {
        ED + "edition.yaml": EDITION_YAML,
        ED + "page-01.jpg": image(1000, 1400),
        ED + "page-01.pdf": PDF,
        ED + "page-02.png": image(1200, 1700, (230, 230, 230), "PNG"),
        ED + "photo.jpg": image(2000, 1333, (60, 90, 140)),
        ED + "toutiao.md": article("头条:全区优待证月底发放到位", page=1, order=1, area="[4.5, 12, 91, 40.25]",
                                   image="photo.jpg", caption="<现场>图片说明", credit="记者 张三 摄",
                                   body="正文第一段。\n\n![会场一角](photo.jpg \"李四 摄\")\n\n正文第二段。"),
        ED + "ertiao.md": article("二条跨栏", page=1, order=2, area="[[4.5, 55, 44, 40], [51.5, 55, 44, 40]]"),
        ED + "weitu.md": article("没有区域的简讯", page=1, order=3, type="brief"),
        ED + "erban.md": article("二版文章", page=2, area="[10, 10, 80, 30]"),
        ED + "fukan.md": article("副刊文章", page=3),
    }


def style_box(style: str) -> tuple[float, float, float, float]:
    values = dict(re.findall(r"(left|top|width|height):\s*([\d.]+)%", style))
    return tuple(float(values[k]) for k in ("left", "top", "width", "height"))  # type: ignore[return-value]


def png_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as opened:
        return opened.size


# ---------------------------------------------------------------- the printed page


def test_scan_page_has_hotspots_with_the_areas_geometry_and_titles(make_site) -> None:
    site = make_site(replica_site())
    _, out = build_ok(site)
    page = soup(out, "2022-11-04/01/")
    spots = page.select(".scan-frame a.hotspot")
    found = [(a["href"], style_box(a["style"]), a.get_text(strip=True)) for a in spots]
    assert found == [
        ("/2022-11-04/toutiao/", (4.5, 12.0, 91.0, 40.25), "头条:全区优待证月底发放到位"),
        ("/2022-11-04/ertiao/", (4.5, 55.0, 44.0, 40.0), "二条跨栏"),
        ("/2022-11-04/ertiao/", (51.5, 55.0, 44.0, 40.0), "二条跨栏（续）"),
    ]
    # every article of the page is listed beside the scan, with or without an area
    listed = [a.get_text(strip=True) for a in page.select(".page-articles .item-title a")]
    assert listed == ["头条:全区优待证月底发放到位", "二条跨栏", "没有区域的简讯"]
    assert page.find("link", rel="next")["href"] == "/2022-11-04/02/"
    # an article links to its place on the page; the page links its scan at full size
    assert [a.get("id") for a in spots] == ["area-toutiao", "area-ertiao", None]
    where = soup(out, "2022-11-04/ertiao/").select_one(".article-where a[href*='/01/']")["href"]
    assert where == "/2022-11-04/01/#area-ertiao"
    assert soup(out, "2022-11-04/weitu/").select_one(".article-where a[href*='/01/']")["href"] == "/2022-11-04/01/"
    assert page.select_one("a.full-size")["href"] == page.select_one("img.scan-image")["src"]
    script = page.find("script", src=lambda src: src and src.startswith("/assets/epaper.") and src.endswith(".js"))
    assert (out / script["src"].lstrip("/")).is_file()


def test_scan_is_responsive_in_two_widths_made_from_the_scan(make_site) -> None:
    site = make_site(replica_site())
    _, out = build_ok(site)
    img = soup(out, "2022-11-04/01/").select_one("img.scan-image")
    candidates = [part.strip().split() for part in img["srcset"].split(",")]
    assert [w for _, w in candidates] == ["800w", "1000w"]  # 1600 is capped at the scan's own width
    for url, width in candidates:
        assert png_size(out / url.lstrip("/")) == (int(width[:-1]), round(1400 * int(width[:-1]) / 1000))
    assert (img["width"], img["height"]) == ("1000", "1400")
    assert img["src"] == candidates[-1][0]
    png = soup(out, "2022-11-04/02/").select_one("img.scan-image")
    assert [part.split()[1] for part in png["srcset"].split(",")] == ["800w", "1200w"]
    assert png["src"].endswith(".jpg")  # an opaque PNG scan is served as JPEG


def test_pdf_is_copied_and_linked_for_download(make_site) -> None:
    site = make_site(replica_site())
    _, out = build_ok(site)
    link = soup(out, "2022-11-04/01/").select_one("a.pdf-download")
    assert link["href"] == "/2022-11-04/01/2022-11-04-01.pdf" and link.has_attr("download")
    assert (out / "2022-11-04/01/2022-11-04-01.pdf").read_bytes() == PDF
    assert soup(out, "2022-11-04/02/").select_one("a.pdf-download") is None


def test_page_without_scan_keeps_the_plain_list(make_site) -> None:
    site = make_site(replica_site())
    _, out = build_ok(site)
    page = soup(out, "2022-11-04/03/")
    assert page.select_one(".scan-frame") is None
    assert [a.get_text(strip=True) for a in page.select(".item-title a")] == ["副刊文章"]


def test_edition_page_shows_every_page_as_a_thumbnail(make_site) -> None:
    site = make_site(replica_site())
    _, out = build_ok(site)
    thumbs = soup(out, "2022-11-04/").select(".page-thumbs li a")
    assert [a["href"] for a in thumbs] == ["/2022-11-04/01/", "/2022-11-04/02/", "/2022-11-04/03/"]
    first, second, third = (a.find("img") for a in thumbs)
    assert png_size(out / first["src"].lstrip("/")) == (320, 448)
    assert (first["width"], first["height"]) == ("320", "448")
    assert second is not None and third is None  # page 3 has no scan: a labelled blank
    assert thumbs[2].select_one(".thumb-blank") is not None
    assert "第3版" in thumbs[2].get_text()
    og = soup(out, "2022-11-04/").find("meta", property="og:image")["content"]  # shared: the front page
    assert og == "https://news.example.com" + soup(out, "2022-11-04/01/").select_one("img.scan-image")["src"]


def test_editions_without_scans_show_no_thumbnails(make_site) -> None:
    site = make_site({ED + "edition.yaml": "date: 2022-11-04\npages:\n  - {number: 1, section: yaowen}\n",
                      ED + "a.md": article("甲", page=1)})
    _, out = build_ok(site)
    assert soup(out, "2022-11-04/").select_one(".page-thumbs") is None
    assert not (out / "media").exists()


# ---------------------------------------------------------------- caching and incremental builds


def test_renditions_are_made_once_and_cached_across_builds(make_site, monkeypatch, tmp_path: Path) -> None:
    site = make_site(replica_site())
    made: list[str] = []
    real = epaper.images.make

    def counting(data: bytes, rendition):  # type: ignore[no-untyped-def]
        made.append(rendition.path)
        return real(data, rendition)

    monkeypatch.setattr(epaper.images, "make", counting)
    _, out = build_ok(site)
    first = sorted(made)
    assert len(first) == len(set(first)) == len(list((out / "media").iterdir())) == 9
    cached = {p.name: p.stat().st_mtime_ns for p in (site / CACHE_DIR / "images").iterdir()}
    assert len(cached) == 9
    made.clear()
    _, other = build_ok(site, out=tmp_path / "elsewhere")  # a new output folder: every file is put again
    assert made == []  # ... from the cache: no new image
    assert {p.name: p.stat().st_mtime_ns for p in (site / CACHE_DIR / "images").iterdir()} == cached
    assert sorted(p.name for p in (other / "media").iterdir()) == sorted(p.name for p in (out / "media").iterdir())
    # an incremental build that keeps the live renditions still keeps them cached
    write_files(site, {ED + "fukan.md": article("副刊改题", page=3)})
    result, _ = build_ok(site)
    assert result.rendered and made == []
    build_ok(site, out=tmp_path / "third")
    assert made == [] and len(list((site / CACHE_DIR / "images").iterdir())) == 9
    # a scan replaced on disk: only its renditions are made
    (site / ED / "page-02.png").write_bytes(image(1200, 1700, (200, 230, 200), "PNG"))
    build_ok(site)
    assert len(made) == 3 and all(path.endswith(".jpg") for path in made)


def test_replaced_image_updates_its_pages(make_site) -> None:
    site = make_site(replica_site())
    _, out = build_ok(site)
    before = soup(out, "2022-11-04/toutiao/").select_one(".lead-photo img")["src"]
    old_item = soup(out, "sections/yaowen/").select_one(".item-thumb")["src"]
    (site / ED / "photo.jpg").write_bytes(image(1600, 900, (140, 40, 40)))
    result, out = build_ok(site)
    after = soup(out, "2022-11-04/toutiao/").select_one(".lead-photo img")
    assert after["src"] != before and (after["width"], after["height"]) == ("1280", "720")
    assert soup(out, "sections/yaowen/").select_one(".item-thumb")["src"] != old_item
    assert not (out / before.lstrip("/")).exists()  # the old renditions are gone from the output
    assert {"2022-11-04/toutiao/index.html", "sections/yaowen/index.html", "2022-11-04/01/index.html",
            "feed.xml"} <= set(result.rendered)
    assert "2022-11-04/fukan/index.html" not in result.rendered


def test_two_builds_from_nothing_are_byte_identical(make_site, tmp_path: Path) -> None:
    site = make_site(replica_site())

    def tree(out: Path) -> dict[str, str]:
        return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(out.rglob("*")) if p.is_file()}

    build(Options(site=site, out=tmp_path / "one"))
    shutil.rmtree(site / CACHE_DIR)
    build(Options(site=site, out=tmp_path / "two"))
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_renditions_made_in_worker_processes_are_the_same_bytes(make_site, monkeypatch, tmp_path: Path) -> None:
    site = make_site(replica_site())
    build(Options(site=site, out=tmp_path / "one", jobs=1))
    one = sorted((tmp_path / "one/media").iterdir())
    shutil.rmtree(site / CACHE_DIR)
    monkeypatch.setattr(epaper.parallel, "WORTH_FORKING_MS", 0)  # fork however little there is to do
    # Playwright's helper threads, alive after an earlier browser test (test_serve.py's), would
    # keep the build from forking; they hold nothing a rendition worker touches.
    monkeypatch.setattr(epaper.parallel, "can_fork", lambda: True)
    made: list[str] = []
    monkeypatch.setattr(epaper.images.RenditionCache, "get", lambda self, r, p: made.append(r.path) or
                        epaper.images.unseal((self.folder / self.name(r)).read_bytes()))  # the workers made all
    build(Options(site=site, out=tmp_path / "two", jobs=2))
    two = sorted((tmp_path / "two/media").iterdir())
    assert len(made) == len(one) == 9
    assert [(p.name, p.read_bytes()) for p in one] == [(p.name, p.read_bytes()) for p in two]


# ---------------------------------------------------------------- photos


def test_photos_become_figures_with_caption_credit_and_size(make_site) -> None:
    site = make_site(replica_site())
    _, out = build_ok(site)
    page = soup(out, "2022-11-04/toutiao/")
    lead = page.select_one("figure.lead-photo")
    img = lead.find("img")
    assert (img["width"], img["height"]) == ("1280", "853")
    assert not img.has_attr("loading")  # the lead photo is above the fold
    assert lead.select_one(".caption").get_text() == "<现场>图片说明"  # escaped, shown as written
    assert lead.select_one(".photo-credit").get_text() == "记者 张三 摄"
    body = page.select_one(".article-body figure.photo")
    assert body.find("img")["loading"] == "lazy" and body.find("img")["alt"] == "会场一角"
    assert body.select_one(".photo-credit").get_text() == "李四 摄"
    assert [c.split()[1] for c in body.find("img")["srcset"].split(",")] == ["640w", "1280w"]
    for candidate in body.find("img")["srcset"].split(","):
        url, width = candidate.split()
        assert png_size(out / url.lstrip("/"))[0] == int(width[:-1])
    assert page.select_one(".article-body").find("p").get_text() == "正文第一段。"


def test_lead_photo_is_the_open_graph_and_json_ld_image_and_the_list_thumbnail(make_site) -> None:
    site = make_site(replica_site())
    _, out = build_ok(site)
    page = soup(out, "2022-11-04/toutiao/")
    og = page.find("meta", property="og:image")["content"]
    assert og.startswith("https://news.example.com/media/") and og.endswith("-1280.jpg")
    data = json.loads(page.find("script", type="application/ld+json").string)
    assert data["image"]["url"] == og and data["image"]["width"] == 1280 and data["image"]["creditText"] == "记者 张三 摄"
    thumb = soup(out, "sections/yaowen/").select_one(".item.has-thumb .item-thumb")
    assert thumb["src"].endswith("-320.jpg") and thumb["alt"] == ""
    assert soup(out, "2022-11-04/ertiao/").find("meta", property="og:image") is None


def test_feed_carries_photos_with_absolute_urls(make_site) -> None:
    site = make_site(replica_site())
    _, out = build_ok(site)
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo
    entry = next(e for e in feed.entries if e.title.startswith("头条"))
    html = entry.content[0].value
    assert "https://news.example.com/media/" in html and "<epaper-" not in html


def test_photo_orientation_from_exif_is_applied(make_site) -> None:
    site = make_site({ED + "edition.yaml": "date: 2022-11-04\npages:\n  - {number: 1, section: yaowen}\n",
                      ED + "turned.jpg": image(1200, 800, orientation=6),
                      ED + "a.md": article("甲", page=1, image="turned.jpg")})
    _, out = build_ok(site)
    img = soup(out, "2022-11-04/a/").select_one(".lead-photo img")
    assert (img["width"], img["height"]) == ("800", "1200")  # upright: portrait, and no wider than itself
    assert [c.split()[1] for c in img["srcset"].split(",")] == ["640w", "800w"]
    with Image.open(out / img["src"].lstrip("/")) as made:
        assert made.size == (800, 1200) and not made.getexif()  # metadata (GPS…) is not published


# ---------------------------------------------------------------- validation


def test_every_picture_problem_is_reported_at_its_line(make_site) -> None:
    files = replica_site()
    files[ED + "edition.yaml"] = """\
date: 2022-11-04
pages:
  - {number: 1, name: 要闻, section: yaowen, scan: page-01.jpg, pdf: not-a.pdf}
  - number: 2
    section: zonghe
    scan: missing.jpg
  - {number: 3, section: zonghe, scan: text.jpg}
  - {number: 4, section: zonghe, scan: ../outside.jpg}
  - {number: 5, section: zonghe}
"""
    files[ED + "not-a.pdf"] = b"<html>not a pdf</html>"
    files[ED + "text.jpg"] = "这不是图片"
    files[ED + "cut.jpg"] = image(800, 600)[:400]
    files[ED + "fukan.md"] = article("副刊文章", page=3, image="cut.jpg")
    files[ED + "erban.md"] = article("二版文章", page=2, image="nowhere.jpg",
                                     body="第一段。\n\n![说明](gone.png)\n\n第二段。")
    files[ED + "outside.md"] = article("越界", page=1, area="[60, 10, 50, 20]")
    files[ED + "empty.md"] = article("无版面", page=5, area="[[0, 0, 10, 10], [5, -1, 3, 3]]")
    files[ED + "nan.md"] = article("非数", page=1, area="[.nan, 0, 10, 10]")
    site = make_site(files)
    errors = build_errors(site)
    expected = [
        f"{ED}edition.yaml:3: the PDF \"not-a.pdf\" ({ED}not-a.pdf) is not a PDF file (a PDF starts with %PDF-)",
        f"{ED}edition.yaml:6: the scan \"missing.jpg\" ({ED}missing.jpg) was not found",
        f"{ED}edition.yaml:7: the scan \"text.jpg\" ({ED}text.jpg) is not a JPEG or PNG image",
        f"{ED}edition.yaml:8: \"scan: ../outside.jpg\" must name a file in the edition's folder",
        f"{ED}erban.md:4: the lead photo \"nowhere.jpg\" ({ED}nowhere.jpg) was not found",
        f"{ED}erban.md:9: the image \"gone.png\" ({ED}gone.png) was not found",
        f"{ED}fukan.md:4: the lead photo \"cut.jpg\" ({ED}cut.jpg) is a damaged image",
        f"{ED}outside.md:4: \"area:\" box [60, 10, 50, 20] is not on the page: x + w is 110",
        f"{ED}empty.md:4: \"area:\" box [5, -1, 3, 3] is not on the page",
        f"{ED}empty.md:4: \"area:\" places the article on the scan of page 5, but that page has no \"scan:\"",
        f"{ED}nan.md:4: \"area:\" is [x, y, w, h] in percent of the page",
    ]
    for wanted in expected:
        assert any(e.startswith(wanted) for e in errors), (wanted, errors)
    assert len(errors) == len(expected), errors


def test_an_image_too_large_to_decode_safely_is_refused(make_site, monkeypatch) -> None:
    monkeypatch.setattr(epaper.images, "MAX_PIXELS", 1000 * 1399)
    site = make_site(replica_site())
    errors = build_errors(site)
    assert errors == [f"{ED}edition.yaml:3: the scan \"page-01.jpg\" ({ED}page-01.jpg) is too large an image "
                      "(more than 1 megapixels)",
                      f"{ED}edition.yaml:4: the scan \"page-02.png\" ({ED}page-02.png) is too large an image "
                      "(more than 1 megapixels)",
                      f"{ED}toutiao.md:6: the lead photo \"photo.jpg\" ({ED}photo.jpg) is too large an image "
                      "(more than 1 megapixels)",
                      f"{ED}toutiao.md:13: the image \"photo.jpg\" ({ED}photo.jpg) is too large an image "
                      "(more than 1 megapixels)"]


def test_overlapping_areas_of_two_articles_are_a_warning(make_site) -> None:
    files = replica_site()
    files[ED + "weitu.md"] = article("压线", page=1, area="[40, 30, 20, 10]")
    site = make_site(files)
    result, _ = build_ok(site)
    warnings = [str(w) for w in result.diagnostics.warnings]
    assert any(w.startswith(f"{ED}weitu.md:4: warning: \"area:\" box [40, 30, 20, 10] overlaps [4.5, 12, 91, 40.25] "
                            f"of {ED}toutiao.md") for w in warnings), warnings
    assert not any("ertiao.md" in w for w in warnings)  # its own two boxes only touch: no warning
    assert build_errors(site, strict=True)


def test_a_picture_error_fails_check_too_and_a_fix_builds(make_site) -> None:
    files = replica_site()
    files[ED + "page-01.jpg"] = b"GIF89a not really"
    site = make_site(files)
    with pytest.raises(BuildError):
        build(Options(site=site, out=site / "public"))
    write_files(site, {ED + "page-01.jpg": image(1000, 1400)})
    build_ok(site)


VALID = [image(60, 40), image(30, 50, fmt="PNG"), image(40, 40, orientation=8)]


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.binary(max_size=300),
    st.tuples(st.sampled_from(VALID), st.integers(0, 2000)).map(lambda t: t[0][:t[1]]),  # cut short
    st.tuples(st.sampled_from(VALID), st.integers(0, 2000), st.binary(min_size=1, max_size=8)).map(
        lambda t: t[0][:t[1]] + t[2] + t[0][t[1] + len(t[2]):]),  # bytes overwritten
))
def test_any_bytes_probe_as_a_usable_image_or_a_problem(tmp_path_factory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("probe") / "x.jpg"
    path.write_bytes(data)
    record = epaper.images.probe(str(path), "image")
    if record.problem:
        assert record.width == 0 and str(record.problem).startswith(("is not a JPEG or PNG", "is a damaged", "is too large"))
        return
    assert record.width > 0 and record.height > 0 and record.format in ("JPEG", "PNG")
    picture = epaper.images.picture("x.jpg", record, epaper.images.PHOTO_WIDTHS)
    for rendition in (*picture.renditions, picture.thumb):  # what probing accepts, making never refuses
        with Image.open(io.BytesIO(epaper.images.make(data, rendition))) as made:
            assert made.size == (rendition.width, rendition.height)


# ---------------------------------------------------------------- in a real browser


@pytest.fixture
def served(make_site) -> Iterator[str]:
    site = make_site(replica_site())
    _, out = build_ok(site)
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(out))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_in_chromium_click_an_area_to_read_and_turn_pages_with_keys(served: str, chromium_page: object,
                                                                    tmp_path: Path) -> None:
    from playwright.sync_api import Page, expect

    page: Page = chromium_page  # type: ignore[assignment]
    page.goto(served + "2022-11-04/01/")
    expect(page.locator(".scan-frame.is-zoomable")).to_be_visible()  # the zoomable page took the scan's place
    assert page.evaluate("(i => i.complete && i.naturalWidth > 0)(document.querySelector('img.scan-image'))")
    assert re.search(r"/media/\w+-(800|1000)\.jpg$", page.evaluate("document.querySelector('img.scan-image').currentSrc"))
    frame = page.locator(".scan-frame").bounding_box()
    spot = page.get_by_role("link", name="二条跨栏（续）")
    box = spot.bounding_box()
    assert frame and box
    assert abs((box["x"] - frame["x"]) / frame["width"] * 100 - 51.5) < 0.5  # where the area says
    assert abs((box["y"] - frame["y"]) / frame["height"] * 100 - 55) < 0.5
    assert abs(box["width"] / frame["width"] * 100 - 44) < 0.5
    spot.hover()
    assert "is-lit" in (page.locator(".page-articles [data-article=ertiao]").get_attribute("class") or "")
    page.screenshot(path=str(tmp_path / "replica.png"))
    # a click on the area of the lead article (away from the page-turn arrows) opens it
    lead = page.locator("a.hotspot[data-article=toutiao]").bounding_box()
    assert lead
    page.mouse.click(lead["x"] + lead["width"] / 2, lead["y"] + lead["height"] / 2)
    expect(page).to_have_url(served + "2022-11-04/toutiao/")
    expect(page.locator("h1.headline")).to_have_text("头条:全区优待证月底发放到位")
    page.go_back()
    page.wait_for_load_state()  # the page's script listens for the keys once it has run
    page.keyboard.press("ArrowRight")
    expect(page).to_have_url(served + "2022-11-04/02/")
    page.wait_for_load_state()
    page.keyboard.press("ArrowRight")
    expect(page).to_have_url(served + "2022-11-04/03/")
    page.wait_for_load_state()
    page.keyboard.press("ArrowLeft")
    expect(page).to_have_url(served + "2022-11-04/02/")


def test_a_static_file_may_not_overwrite_a_rendition(make_site) -> None:
    site = make_site(replica_site())
    _, out = build_ok(site)
    rendition = soup(out, "2022-11-04/01/").select_one("img.scan-image")["src"].lstrip("/")
    write_files(site, {f"static/{rendition}": b"not the scan"})
    errors = build_errors(site)
    assert errors == [f"static/{rendition}:1: would overwrite the page /{rendition} made from {ED}page-01.jpg"]


def test_in_chromium_a_swipe_turns_the_page(served: str, chromium: object) -> None:
    from playwright.sync_api import Browser, expect

    browser: Browser = chromium  # type: ignore[assignment]
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(served + "2022-11-04/02/")
        expect(page.locator("img.scan-image")).to_be_visible()
        swipe = """([fromX, toX]) => {
            const target = document.querySelector('.scan-frame') || document.querySelector('main h1');
            const touch = x => new Touch({identifier: 1, target, clientX: x, clientY: 300});
            target.dispatchEvent(new TouchEvent('touchstart', {touches: [touch(fromX)], changedTouches: [touch(fromX)], bubbles: true}));
            target.dispatchEvent(new TouchEvent('touchend', {touches: [], changedTouches: [touch(toX)], bubbles: true}));
        }"""
        page.evaluate(swipe, [300, 280])  # too short: a tap or a scroll, not a swipe
        page.wait_for_timeout(300)
        assert page.url == served + "2022-11-04/02/"
        page.evaluate(swipe, [320, 60])  # right to left: the next page
        expect(page).to_have_url(served + "2022-11-04/03/")
        expect(page.locator("h1.page-title")).to_contain_text("第3版")
        page.wait_for_load_state("load")  # its deferred script listens for swipes by then (a CI run swiped before)
        page.evaluate(swipe, [60, 320])  # left to right on a page without a scan: back
        expect(page).to_have_url(served + "2022-11-04/02/")
    finally:
        context.close()


def test_images_in_subfolders_with_encoded_names_and_inline_and_remote_images(make_site) -> None:
    site = make_site({ED + "edition.yaml": "date: 2022-11-04\npages:\n  - {number: 1, section: yaowen}\n",
                      ED + "imgs/现场 1.png": image(300, 200, fmt="PNG"),
                      ED + "a.md": article("甲", page=1, body="![现场](imgs/现场%201.png)\n\n"
                                           "文中![小图](imgs/现场%201.png)配图,![远程](https://example.org/x.jpg)。")})
    _, out = build_ok(site)
    body = soup(out, "2022-11-04/a/").select_one(".article-body")
    figure = body.select_one("figure.photo img")
    assert (figure["width"], figure["height"]) == ("300", "200") and figure["srcset"].endswith(" 300w")
    inline = body.select("p img")
    assert inline[0]["src"] == figure["src"] and inline[0].find_parent("figure") is None
    assert inline[1]["src"] == "https://example.org/x.jpg"  # not ours: left as written
