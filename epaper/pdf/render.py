"""A page PDF as the page's scan: opened, checked and rasterised with PDFium (pypdfium2),
the engine of Chrome's PDF viewer, so the image is what a reader's viewer would show.

The build treats a rendered page like a scanned one: the same widths, thumbnail and
rendition cache (keyed by the PDF's content hash and this recipe), so a PDF is rendered
once per width, ever."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from epaper import messages as M
from epaper.errors import Text

RENDER_DPI = 150  # the nominal size of a page image: 2000-odd pixels across a broadsheet page
MAX_SIDE = 12000  # pixels: beyond this a PDF's page box is a mistake, not a page

# PDFium is not thread-safe; builds are single-threaded or forked, but serve's watcher is not.
_LOCK = threading.Lock()


@dataclass(frozen=True)
class PdfInfo:
    """What opening a PDF found: its page count and first page's size, or why it is unusable."""

    pages: int = 0
    width: int = 0  # the first page's image at RENDER_DPI, in pixels (rotation applied)
    height: int = 0
    problem: str | Text = ""  # empty when it can be drawn


def inspect(data: bytes) -> PdfInfo:
    """Open the PDF and render its first page small: damage shows here, not halfway through a build."""
    with _LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            return PdfInfo(problem=_why(exc, data))
        try:
            count = len(document)
            if count == 0:
                return PdfInfo(problem=M.PDF_NO_PAGES())
            page = document[0]
            width_pt, height_pt = page.get_size()
            if page.get_rotation() % 180:
                width_pt, height_pt = height_pt, width_pt
            if width_pt <= 0 or height_pt <= 0:
                return PdfInfo(count, problem=M.PDF_NO_SIZE())
            width, height = (max(1, round(v * RENDER_DPI / 72)) for v in (width_pt, height_pt))
            if max(width, height) > MAX_SIDE:
                return PdfInfo(count, problem=M.PDF_TOO_LARGE(width=f"{width_pt / 72 * 25.4:.0f}",
                                                              height=f"{height_pt / 72 * 25.4:.0f}"))
            page.render(scale=64 / max(width_pt, height_pt))  # a thumbnail: fails if the page cannot be drawn
            return PdfInfo(count, width, height)
        except pdfium.PdfiumError as exc:
            return PdfInfo(problem=_why(exc, data))
        finally:
            document.close()


def _why(exc: pdfium.PdfiumError, data: bytes) -> Text:
    """PDFium's error as an editor's reason. PDFium keeps its last error code across calls and
    sets none for a document without pages, so the code is believed only when the bytes agree."""
    code = getattr(exc, "err_code", None)
    encrypted = b"/Encrypt" in data
    if encrypted and code == pdfium.raw.FPDF_ERR_PASSWORD:
        return M.PDF_PASSWORD()
    if encrypted and code == pdfium.raw.FPDF_ERR_SECURITY:
        return M.PDF_ENCRYPTION()
    if b"/ObjStm" not in data and not re.search(rb"/Type\s*/Page(?![A-Za-z])", data):
        return M.PDF_NO_PAGES()
    return M.PDF_DAMAGED()


def render(data: bytes, width: int, height: int) -> Image.Image:
    """The first page as an RGB image of exactly width × height pixels, on white paper."""
    with _LOCK:
        document = pdfium.PdfDocument(data)
        try:
            page = document[0]
            width_pt, height_pt = page.get_size()
            if page.get_rotation() % 180:
                width_pt, height_pt = height_pt, width_pt
            scale = max(width / width_pt, height / height_pt)
            bitmap = page.render(scale=scale, fill_color=(255, 255, 255, 255), may_draw_forms=True)
            image = bitmap.to_pil().convert("RGB")
        finally:
            document.close()
    if image.size != (width, height):
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    return image


@lru_cache(maxsize=1)
def recipe() -> str:
    """How page images are rendered: this file and PDFium's version (a new PDFium draws anew)."""
    return Path(__file__).read_text(encoding="utf-8") + str(pdfium.version.PDFIUM_INFO)
