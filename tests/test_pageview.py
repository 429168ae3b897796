"""The printed page as one screen, as built: the zoom level made at build time (from the scan,
never beyond its pixels, or drawn from the PDF), the strip of page thumbnails, turning past an
edition's last page, and a layout's optional partial (the calendar's slot). The browser side is
in test_pageview_browser.py."""
from __future__ import annotations

import importlib.util
import io
from pathlib import Path

from pdfgen.simple import pages_pdf
from PIL import Image

import epaper.images
from conftest import REPO, article, build_ok, soup, write_files

ED = "content/2022/2022-11-04/"
ED5 = "content/2022/2022-11-05/"
EDITION_YAML = """\
date: 2022-11-04
pages:
  - {number: 1, name: 要闻, section: yaowen, scan: page-01.jpg}
  - {number: 2, name: 综合, section: zonghe, scan: page-02.jpg}
  - {number: 3, name: 副刊, section: zonghe, pdf: page-03.pdf}
"""
NEXT_YAML = """\
date: 2022-11-05
pages:
  - {number: 1, name: 要闻, section: yaowen, pdf: page-01.pdf}
  - {number: 2, name: 综合, section: zonghe}
"""


def jpeg(width: int, height: int, shade: int = 200) -> bytes:
    picture = Image.new("RGB", (width, height), (shade, shade, shade))
    picture.paste((20, 20, 20), (0, 0, width // 4, height // 10))
    out = io.BytesIO()
    picture.save(out, "JPEG")
    return out.getvalue()


def site_files() -> dict[str, str | bytes]:
    return {
        ED + "edition.yaml": EDITION_YAML,
        ED + "page-01.jpg": jpeg(1000, 1400),  # narrower than the widest width: no zoom level
        ED + "page-02.jpg": jpeg(3600, 5000),  # a 300 dpi scan: a 3200 px zoom level
        ED + "page-03.pdf": pages_pdf(1),  # a PDF is drawn at any width
        ED + "toutiao.md": article("头条", page=1, area="[5, 10, 90, 40]"),
        ED + "erban.md": article("二版文章", page=2, area="[10, 10, 80, 30]"),
        ED + "sanban.md": article("三版文章", page=3, area="[0, 0, 50, 50]"),
    }


def levels(out: Path, url: str) -> list[tuple[int, int]]:
    frame = soup(out, url).select_one(".pv-frame")
    assert frame is not None
    sizes = [tuple(int(v) for v in level.split("x")) for level in frame["data-levels"].split()]
    for (width, height), src in zip(sizes, frame["data-urls"].split(), strict=True):
        with Image.open(out / src.lstrip("/")) as made:
            assert made.size == (width, height)
    return sizes  # type: ignore[return-value]


def test_zoom_level_is_made_at_build_time_from_the_scan_or_the_pdf_and_kept_out_of_srcset(make_site) -> None:
    site = make_site(site_files())
    _, out = build_ok(site)
    assert levels(out, "2022-11-04/01/") == [(800, 1120), (1000, 1400)]  # never beyond the scan's pixels
    assert levels(out, "2022-11-04/02/") == [(800, 1111), (1600, 2222), (3200, 4444)]
    assert levels(out, "2022-11-04/03/") == [(800, 1132), (1240, 1754), (3200, 4526)]  # A4 drawn sharper
    page = soup(out, "2022-11-04/02/")
    assert "3200w" not in page.select_one("img.scan-image")["srcset"]  # the unzoomed page never loads it
    assert page.select_one("a.full-size")["href"].endswith("-3200.jpg")  # 查看大图: the sharpest


def test_zoom_level_is_made_once_and_cached_by_the_sources_hash(make_site, monkeypatch, tmp_path: Path) -> None:
    site = make_site(site_files())
    made: list[str] = []
    real = epaper.images.make

    def counting(data: bytes, rendition):  # type: ignore[no-untyped-def]
        made.append(rendition.path)
        return real(data, rendition)

    monkeypatch.setattr(epaper.images, "make", counting)
    build_ok(site)
    assert sum(path.endswith("-3200.jpg") for path in made) == 2
    made.clear()
    build_ok(site, out=tmp_path / "elsewhere")
    assert made == []


def test_the_strip_shows_every_pages_thumbnail_and_a_new_scan_updates_the_other_pages(make_site) -> None:
    site = make_site(site_files())
    _, out = build_ok(site)
    strip = soup(out, "2022-11-04/01/").select(".pv-strip li a")
    assert [a["href"] for a in strip] == ["/2022-11-04/01/", "/2022-11-04/02/", "/2022-11-04/03/"]
    assert [a.get("aria-current") for a in strip] == ["page", None, None]
    assert all(a.select_one("img") is not None for a in strip)
    write_files(site, {ED + "page-02.jpg": jpeg(3600, 5000, shade=120)})  # page 2 scanned again
    build_ok(site)
    thumb = soup(out, "2022-11-04/02/").select_one(".pv-strip a[aria-current] img")["src"]
    assert soup(out, "2022-11-04/01/").select(".pv-strip li img")[1]["src"] == thumb


def test_turning_past_the_last_page_opens_the_next_editions_first_page_once_it_exists(make_site) -> None:
    site = make_site(site_files())
    _, out = build_ok(site)
    last = soup(out, "2022-11-04/03/")
    assert last.find("link", rel="next") is None and last.select_one("a.pv-turn-next") is None
    write_files(site, {ED5 + "edition.yaml": NEXT_YAML, ED5 + "page-01.pdf": pages_pdf(1),
                       ED5 + "yaowen.md": article("次日头条", page=1)})
    build_ok(site)  # incremental: the page before the new edition learns where it turns to
    last = soup(out, "2022-11-04/03/")
    assert last.find("link", rel="next")["href"] == "/2022-11-05/01/"
    turn = last.select_one("a.pv-turn-next")
    assert turn["href"] == "/2022-11-05/01/"
    assert turn["aria-label"] == "下一期：2022年11月5日 第1版"
    first = soup(out, "2022-11-05/01/")
    assert first.find("link", rel="prev")["href"] == "/2022-11-04/03/"
    assert first.select_one("a.pv-turn-prev")["aria-label"] == "上一期：2022年11月4日 第3版"
    inside = soup(out, "2022-11-04/02/").select_one("a.pv-turn-next")
    assert (inside["href"], inside["aria-label"]) == ("/2022-11-04/03/", "下一版：第3版")
    # the list at the foot of the page still names only this edition's pages
    assert soup(out, "2022-11-04/03/").select_one(".neighbours a[rel=next]") is None


def test_a_layout_may_include_a_partial_that_does_not_exist_yet_and_adding_it_re_renders(make_site) -> None:
    files = site_files()
    files["layouts/404.html"] = '{% include "partials/not-yet.html" ignore missing %}<p>404</p>'
    site = make_site(files)
    _, out = build_ok(site)
    assert (out / "404.html").read_text(encoding="utf-8") == "<p>404</p>"
    write_files(site, {"layouts/partials/not-yet.html": "<p>here now</p>"})
    result, _ = build_ok(site)
    assert (out / "404.html").read_text(encoding="utf-8") == "<p>here now</p><p>404</p>"


def test_the_vendored_viewer_is_the_pinned_version_with_its_licence_and_no_source_map() -> None:
    spec = importlib.util.spec_from_file_location("vendor", REPO / "scripts/vendor_openseadragon.py")
    assert spec and spec.loader
    vendor = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(vendor)
    script = (vendor.TARGET / "openseadragon.min.js").read_bytes()
    assert script.startswith(f"//! openseadragon {vendor.VERSION}\n".encode())
    assert b"sourceMappingURL" not in script.splitlines()[-1]  # the map is not published
    assert b"Redistribution and use in source and binary forms" in (vendor.TARGET / "LICENSE.txt").read_bytes()
    assert vendor.without_source_map(b"a();\n//# sourceMappingURL=x.map\n") == b"a();\n"
