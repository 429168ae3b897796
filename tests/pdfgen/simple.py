"""Small real PDFs for the build's tests, made with PDFium itself: plain pages with a coloured
block on each (something to see when rendered), and broken ones the build must refuse."""
from __future__ import annotations

import io

import pypdfium2 as pdfium
import pypdfium2.raw as raw

A4 = (595.0, 842.0)  # points


def pages_pdf(count: int = 1, size: tuple[float, float] = A4,
              colors: tuple[tuple[int, int, int], ...] = ((20, 20, 20), (200, 30, 30), (30, 30, 200))) -> bytes:
    """`count` pages; page i has a block of colors[i] over its top left quarter."""
    document = pdfium.PdfDocument.new()
    width, height = size
    for index in range(count):
        page = document.new_page(width, height)
        rect = raw.FPDFPageObj_CreateNewRect(0, height / 2, width / 2, height / 2)
        r, g, b = colors[index % len(colors)]
        raw.FPDFPageObj_SetFillColor(rect, r, g, b, 255)
        raw.FPDFPath_SetDrawMode(rect, raw.FPDF_FILLMODE_ALTERNATE, False)
        raw.FPDFPage_InsertObject(page.raw, rect)
        page.gen_content()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def empty_pdf() -> bytes:
    """A well-formed PDF whose page tree holds no page."""
    return _write([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])


def damaged_pdf() -> bytes:
    """A real page PDF cut short with its object headers garbled: nothing PDFium can repair."""
    data = pages_pdf(1)
    return data[: len(data) * 2 // 3].replace(b" obj", b" ojb").replace(b"xref", b"xerf")


def encrypted_pdf() -> bytes:
    """A PDF with the standard security handler whose user password is not empty: no viewer
    opens it without the password. Written by hand (the password check fails on purpose:
    its /U entry matches no password)."""
    return _write([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <" + b"41" * 32 + b"> /U <" + b"42" * 32 + b"> /P -4 >>",
    ], b" /Encrypt 4 0 R /ID [<%s> <%s>]" % (b"00" * 16, b"00" * 16))


def _write(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF file of these objects (numbered from 1, the first the catalog), with its xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref))
    return out.getvalue()
