"""The whole edition as one PDF: the pages' PDFs joined in page order, linked from the edition
page with its size, and joined once (a second build takes it from the cache)."""
from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pypdf
import pytest

from conftest import CONFIG, article, build_ok, soup
from epaper.build import Options, build
from epaper.errors import BuildError
from epaper.pdf import join

ED = "content/2022/2022-11-04/"
EDITION = """\
date: 2022-11-04
number: 11234
pages:
  - {number: 1, name: 要闻, section: yaowen, pdf: p1.pdf}
  - {number: 2, name: 综合, section: zonghe, pdf: p2.pdf}
"""


def pdf(*texts: str) -> bytes:
    """A PDF with one page per text, each page's text readable back."""
    writer = pypdf.PdfWriter()
    for text in texts:
        page = writer.add_blank_page(200, 200)
        font = pypdf.generic.DictionaryObject({
            pypdf.generic.NameObject("/Type"): pypdf.generic.NameObject("/Font"),
            pypdf.generic.NameObject("/Subtype"): pypdf.generic.NameObject("/Type1"),
            pypdf.generic.NameObject("/BaseFont"): pypdf.generic.NameObject("/Helvetica")})
        page[pypdf.generic.NameObject("/Resources")] = pypdf.generic.DictionaryObject({
            pypdf.generic.NameObject("/Font"): pypdf.generic.DictionaryObject({
                pypdf.generic.NameObject("/F1"): writer._add_object(font)})})
        stream = pypdf.generic.StreamObject()
        stream.set_data(f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode())
        page[pypdf.generic.NameObject("/Contents")] = writer._add_object(stream)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def texts(data: bytes) -> list[str]:
    return [p.extract_text().strip() for p in pypdf.PdfReader(BytesIO(data)).pages]


def site_files() -> dict[str, str | bytes]:
    return {
        ED + "edition.yaml": EDITION,
        ED + "p1.pdf": pdf("page one"),
        ED + "p2.pdf": pdf("page two a", "page two b"),  # a page PDF of two pages: both are joined
        ED + "a.md": article("头版文章", page=1),
    }


def test_edition_pdf_joins_every_page_pdf_in_order_and_is_linked_with_its_size(make_site) -> None:
    _, out = build_ok(make_site(site_files(), config=CONFIG))
    joined = (out / "2022-11-04/2022-11-04.pdf").read_bytes()
    pages = [(out / f"2022-11-04/0{n}/2022-11-04-0{n}.pdf").read_bytes() for n in (1, 2)]
    assert texts(joined) == [t for p in pages for t in texts(p)] == ["page one", "page two a", "page two b"]
    for url in ("", "2022-11-04/"):
        link = soup(out, url).select_one("a.edition-pdf")
        assert link["href"] == "/2022-11-04/2022-11-04.pdf"
        assert link.select_one(".size").get_text() == f"（{max(1, round(len(joined) / 1024))} KB）"  # a Chinese site: full-width
        assert [a["href"] for a in soup(out, url).select(".page-pdfs a")] == [
            "/2022-11-04/01/2022-11-04-01.pdf", "/2022-11-04/02/2022-11-04-02.pdf"]


def test_a_second_build_joins_nothing_and_a_replaced_page_joins_again(make_site, monkeypatch) -> None:
    site = make_site(site_files(), config=CONFIG)
    build_ok(site)
    first = (site / "public/2022-11-04/2022-11-04.pdf").read_bytes()
    calls: list[list[str]] = []
    real = join.join

    def counted(sources: list[str], root: Path, shas: list[str]) -> bytes:
        calls.append(sources)
        return real(sources, root, shas)

    monkeypatch.setattr(join, "join", counted)
    build_ok(site, out=site / "elsewhere")  # a fresh output: the joined PDF comes from the cache
    assert calls == []
    assert (site / "elsewhere/2022-11-04/2022-11-04.pdf").read_bytes() == first
    (site / ED / "p1.pdf").write_bytes(pdf("page one, corrected"))
    build_ok(site)
    assert len(calls) == 1
    assert texts((site / "public/2022-11-04/2022-11-04.pdf").read_bytes())[0] == "page one, corrected"


def test_an_edition_with_a_page_without_pdf_gets_no_edition_pdf(make_site) -> None:
    files = site_files()
    files[ED + "edition.yaml"] = EDITION + "  - {number: 3, name: 经济, section: yaowen}\n"
    _, out = build_ok(make_site(files, config=CONFIG))
    assert not (out / "2022-11-04/2022-11-04.pdf").exists()
    page = soup(out, "2022-11-04/")
    assert page.select_one("a.edition-pdf") is None
    assert len(page.select(".page-pdfs a")) == 2  # the pages' own PDFs are still offered


def test_a_damaged_cached_edition_pdf_is_never_published_and_the_next_build_joins_it_again(make_site) -> None:
    site = make_site(site_files(), config=CONFIG)
    _, out = build_ok(site)
    good = (out / "2022-11-04/2022-11-04.pdf").read_bytes()
    [kept] = (site / ".epaper-cache/editions").glob("*.pdf")
    kept.write_bytes(b"%PDF-damaged")
    with pytest.raises(BuildError):
        build(Options(site=site, out=site / "other"))
    _, other = build_ok(site, out=site / "other")
    assert (other / "2022-11-04/2022-11-04.pdf").read_bytes() == good
