"""The PDF is the scan: a page with `pdf:` and no `scan:` shows its PDF's first page, rendered
by PDFium at build time into the same widths, thumbnail and cache as a scan."""
from __future__ import annotations

import io
from pathlib import Path

from pdfgen.simple import damaged_pdf, empty_pdf, encrypted_pdf, pages_pdf
from PIL import Image

import epaper.pdf.render
from conftest import article, build_errors, build_ok, soup
from epaper.build import Options, build

ED = "content/2022/2022-11-04/"
EDITION_YAML = """\
date: 2022-11-04
pages:
  - {number: 1, name: 要闻, section: yaowen, pdf: page-01.pdf}
  - {number: 2, name: 综合, section: zonghe}
"""


def pdf_site(edition: str = EDITION_YAML, pdf: bytes | None = None, **extra: bytes | str) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        ED + "edition.yaml": edition,
        ED + "page-01.pdf": pdf if pdf is not None else pages_pdf(1),
        ED + "toutiao.md": article("头条", page=1, order=1, area="[0, 0, 50, 50]"),
        ED + "erban.md": article("二版文章", page=2),
    }
    files.update(extra)
    return files


def pixel(path: Path, x: float, y: float) -> tuple[int, int, int]:
    """The colour at (x, y) in fractions of the image's width and height."""
    with Image.open(path) as opened:
        rgb = opened.convert("RGB")
        return rgb.getpixel((int(x * (rgb.width - 1)), int(y * (rgb.height - 1))))


def dark(color: tuple[int, int, int]) -> bool:
    return max(color) < 60


def test_pdf_without_scan_becomes_the_page_image(make_site) -> None:
    site = make_site(pdf_site())
    _, out = build_ok(site)
    page = soup(out, "2022-11-04/01/")
    img = page.select_one("img.scan-image")
    assert img is not None
    # A4 at 150 dpi is 1240 × 1754: the widths a scan gets, capped at the page image's own
    candidates = [part.strip().split() for part in img["srcset"].split(",")]
    assert [w for _, w in candidates] == ["800w", "1240w"]
    for url, width in candidates:
        with Image.open(out / url.lstrip("/")) as made:
            assert made.format == "JPEG" and made.size == (int(width[:-1]), round(1754 * int(width[:-1]) / 1240))
        rendition = out / url.lstrip("/")
        assert dark(pixel(rendition, 0.1, 0.1)) and pixel(rendition, 0.9, 0.9) == (255, 255, 255)
    # the area is a hotspot on it, the PDF is still offered, the edition shows the thumbnail
    assert [a["href"] for a in page.select(".scan-frame a.hotspot")] == ["/2022-11-04/toutiao/"]
    assert page.select_one("a.pdf-download")["href"] == "/2022-11-04/01/2022-11-04-01.pdf"
    thumbs = soup(out, "2022-11-04/").select(".page-thumbs img, img[width='320']")
    assert thumbs and dark(pixel(out / thumbs[0]["src"].lstrip("/"), 0.1, 0.1))


def test_page_images_are_rendered_once_and_cached(make_site, monkeypatch, tmp_path: Path) -> None:
    rendered: list[tuple[int, int]] = []
    real = epaper.pdf.render.render

    def counting(data: bytes, width: int, height: int) -> Image.Image:
        rendered.append((width, height))
        return real(data, width, height)

    monkeypatch.setattr(epaper.pdf.render, "render", counting)
    site = make_site(pdf_site())
    build_ok(site)
    assert sorted(w for w, _ in rendered) == [320, 800, 1240, 3200]  # thumbnail, two widths, the zoom level
    rendered.clear()
    (site / ED / "toutiao.md").write_text(article("头条改", page=1, order=1, area="[0, 0, 50, 50]"), encoding="utf-8")
    result, _ = build_ok(site)
    assert result.rendered and rendered == []  # the pages changed, the page image did not
    build_ok(site, out=tmp_path / "elsewhere")
    assert rendered == []  # another output folder: from the cache, keyed by the PDF's content
    (site / ED / "page-01.pdf").write_bytes(pages_pdf(1, colors=((200, 30, 30),)))
    _, out = build_ok(site)
    assert len(rendered) == 4  # a new PDF: drawn again (thumbnail, two widths, the zoom level)
    src = soup(out, "2022-11-04/01/").select_one("img.scan-image")["src"]
    assert pixel(out / src.lstrip("/"), 0.1, 0.1)[0] > 150


def test_scan_wins_over_the_pdf(make_site) -> None:
    image = io.BytesIO()
    Image.new("RGB", (1000, 1400), (30, 200, 30)).save(image, "JPEG")
    edition = EDITION_YAML.replace("pdf: page-01.pdf", "scan: page-01.jpg, pdf: page-01.pdf")
    site = make_site(pdf_site(edition, **{ED + "page-01.jpg": image.getvalue()}))
    _, out = build_ok(site)
    img = soup(out, "2022-11-04/01/").select_one("img.scan-image")
    assert (img["width"], img["height"]) == ("1000", "1400")
    assert pixel(out / img["src"].lstrip("/"), 0.9, 0.9)[1] > 150  # the green scan, not the PDF


def test_unusable_pdfs_are_errors_naming_the_page(make_site) -> None:
    edition = """\
date: 2022-11-04
pages:
  - {number: 1, name: 要闻, section: yaowen, pdf: damaged.pdf}
  - {number: 2, name: 综合, section: zonghe,
     pdf: locked.pdf}
  - {number: 3, name: 三版, section: zonghe, pdf: empty.pdf}
  - {number: 4, name: 四版, section: zonghe, scan: four.jpg, pdf: damaged.pdf}
"""
    image = io.BytesIO()
    Image.new("RGB", (100, 140)).save(image, "JPEG")
    site = make_site({
        ED + "edition.yaml": edition, ED + "damaged.pdf": damaged_pdf(), ED + "locked.pdf": encrypted_pdf(),
        ED + "empty.pdf": empty_pdf(), ED + "four.jpg": image.getvalue(),
        ED + "a.md": article("一", page=1), ED + "b.md": article("二", page=2), ED + "c.md": article("三", page=3),
    })
    errors = build_errors(site)
    assert errors == [
        f'{ED}edition.yaml:3: page 1: the PDF "damaged.pdf" ({ED}damaged.pdf) is damaged: PDFium cannot open it '
        '(an interrupted export or copy?): export or copy it again; with no "scan:", its first page would be '
        "the page image",
        f'{ED}edition.yaml:5: page 2: the PDF "locked.pdf" ({ED}locked.pdf) is password-protected (encrypted): '
        'export the page again without a password; with no "scan:", its first page would be the page image',
        f'{ED}edition.yaml:6: page 3: the PDF "empty.pdf" ({ED}empty.pdf) has no pages; with no "scan:", its '
        "first page would be the page image",
    ]  # page 4 has its scan: its PDF is only offered for download, as before


def test_multi_page_pdf_uses_its_first_page_and_warns(make_site) -> None:
    site = make_site(pdf_site(pdf=pages_pdf(3)))
    result, out = build_ok(site)
    assert [str(w) for w in result.diagnostics.warnings] == [
        f'{ED}edition.yaml:3: warning: page 1: the PDF "page-01.pdf" ({ED}page-01.pdf) has 3 pages: the page '
        "image is drawn from the first; export each printed page as its own PDF"]
    src = soup(out, "2022-11-04/01/").select_one("img.scan-image")["src"]
    assert dark(pixel(out / src.lstrip("/"), 0.1, 0.1))  # page 1's black block, not page 2's red one
    try:
        build(Options(site=site, out=site / "public", strict=True))
    except Exception as exc:  # noqa: BLE001 - --strict turns the warning into a failure
        assert "has 3 pages" in str(exc)
    else:
        raise AssertionError("--strict accepted the warning")


def test_error_guide_and_readme_cover_the_pdf_messages() -> None:
    from conftest import REPO
    guide = (REPO / "docs/errors.md").read_text(encoding="utf-8")
    for fragment in ["is damaged: PDFium cannot open it", "is password-protected (encrypted)", "has no pages",
                     "has a first page too large", "the page image is drawn from the first",
                     '(nor a "pdf:" to draw one from)', "placed on page N", "none of its text is on page N",
                     "has no text layer (a scanned image only)", "but not written", 'has no "pdf:" in edition.yaml',
                     "there is no edition of", "nothing was written", "already in the edition",
                     "skipped the masthead", "does not print its title", "covers text of"]:
        assert fragment in guide, fragment
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "`areas [--site DIR]" in readme and "`import pdf --date" in readme
