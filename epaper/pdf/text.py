"""What is printed on a page PDF, as geometry: its text lines (characters with their boxes,
from PDFium's text layer), the rules and frames drawn on it, and its pictures.

Coordinates are PDF points from the page's top left corner (y grows downwards, as on the
scan and in `area:`), so a box converts to percent by dividing by the page's size."""
from __future__ import annotations

import ctypes
import unicodedata
from dataclasses import dataclass, field
from types import MappingProxyType

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from epaper import messages as M
from epaper.errors import Text
from epaper.pdf.render import _LOCK, _why

# Chinese PDFs' text layers often map a glyph to a Kangxi radical or a CJK radical supplement
# code point instead of the ideograph readers type and search for. NFKC maps the Kangxi block
# (to traditional forms); the supplement block has no mapping, so it is listed here. Only these
# two blocks are touched, never full-width punctuation.
_SUPPLEMENT = MappingProxyType({pair[0]: pair[1] for pair in ["⺁厂", "⺅亻", "⺆冂", "⺇几", "⺉刂", "⺊卜", "⺌小", "⺎兀", "⺒巳", "⺓幺", "⺔彑", "⺕彐", "⺖忄", "⺘扌", "⺙攵", "⺛旡", "⺜日", "⺝月", "⺞歺", "⺟母", "⺠民", "⺡氵", "⺣灬", "⺤爫", "⺥爫", "⺦丬", "⺨犭", "⺩王", "⺫罒", "⺬示", "⺭礻", "⺮竹", "⺯糸", "⺰纟", "⺲罒", "⺴罒", "⺶羊", "⺷羊", "⺹耂", "⺻聿", "⺽臼", "⺾艹", "⺿艹", "⻀艹", "⻁虍", "⻂衤", "⻃覀", "⻄西", "⻅见", "⻆角", "⻇角", "⻈讠", "⻉贝", "⻋车", "⻌辶", "⻍辶", "⻎辶", "⻏阝", "⻐钅", "⻑長", "⻓长", "⻔门", "⻖阝", "⻗雨", "⻘青", "⻙韦", "⻚页", "⻛风", "⻜飞", "⻝食", "⻟飠", "⻠饣", "⻡首", "⻢马", "⻣骨", "⻤鬼", "⻥鱼", "⻦鸟", "⻧卤", "⻨麦", "⻩黄", "⻪黾", "⻬齐", "⻮齿", "⻰龙", "⻱龜", "⻳龟"]})  # noqa: E501 (a table)
# NFKC turns Kangxi radicals into traditional characters; a simplified paper wants these instead.
_SIMPLIFIED = MappingProxyType(dict(zip("戶門長車見貝馬魚鳥麥黃齊齒龍龜韋頁風飛鹵黽", "户门长车见贝马鱼鸟麦黄齐齿龙龟韦页风飞卤黾", strict=False)))  # noqa: E501 (a table)
_TRADITIONAL = MappingProxyType({simple: full for full, simple in _SIMPLIFIED.items()})


def normalize_radicals(text: str, simplified: bool = True) -> str:
    """Kangxi radicals (U+2F00–2FDF) and CJK radical supplements (U+2E80–2EFF) as the ideographs
    they stand for: ⽇→日, ⻓→长, ⺠→民, ⼾→户 (戶 in a traditional-Chinese paper)."""
    if not any("\u2e80" <= c <= "\u2fdf" for c in text):
        return text
    out = []
    for char in text:
        if "\u2f00" <= char <= "\u2fdf":
            char = unicodedata.normalize("NFKC", char)
        elif "\u2e80" <= char <= "\u2eff":
            char = _SUPPLEMENT.get(char, char)
        else:
            out.append(char)
            continue
        out.append(_SIMPLIFIED.get(char, char) if simplified else _TRADITIONAL.get(char, char))
    return "".join(out)


@dataclass
class Box:
    """A rectangle in points from the page's top left corner."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def union(self, other: Box) -> Box:
        return Box(min(self.left, other.left), min(self.top, other.top),
                   max(self.right, other.right), max(self.bottom, other.bottom))

    def gap(self, other: Box) -> float:
        """The distance between the two rectangles (0 when they touch or overlap)."""
        dx = max(0.0, max(self.left, other.left) - min(self.right, other.right))
        dy = max(0.0, max(self.top, other.top) - min(self.bottom, other.bottom))
        return max(dx, dy)

    def overlap_x(self, other: Box) -> float:
        return max(0.0, min(self.right, other.right) - max(self.left, other.left))

    def overlap_y(self, other: Box) -> float:
        return max(0.0, min(self.bottom, other.bottom) - max(self.top, other.top))

    def area(self) -> float:
        return max(0.0, self.width) * max(0.0, self.height)


@dataclass
class Line:
    """A run of characters printed on one line, left to right."""

    text: str
    box: Box
    chars: list[Box] = field(default_factory=list, repr=False)

    @property
    def size(self) -> float:
        """The line's pitch: its type size and a third (the line's box height). Every distance
        in placing and reading a page is a multiple of it, so they hold at any size and scale."""
        return self.box.height


@dataclass
class PageText:
    """Everything `areas` needs of a page: its size, lines, rules and frames, pictures."""

    width: float
    height: float
    lines: list[Line]
    horizontal: list[tuple[float, float, float]]  # rules: (y, left, right)
    vertical: list[tuple[float, float, float]]  # rules: (x, top, bottom)
    frames: list[Box]  # boxes drawn around something (stroked) or shaded behind it (filled)
    pictures: list[Box]
    pages: int = 1


class PdfProblem(Exception):
    """The PDF cannot be read: the message says why, as the build would."""

    def __init__(self, text: Text) -> None:
        super().__init__(str(text))
        self.text = text


RULE = 3.0  # points: a path thinner than this is a rule; thicker ones are boxes whose edges count


def read_page(data: bytes, simplified: bool = True) -> PageText:
    """The first page's text lines, rules, frames and pictures."""
    with _LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise PdfProblem(_why(exc, data)) from None
        try:
            if len(document) == 0:
                raise PdfProblem(M.PDF_NO_PAGES())
            page = document[0]
            width, height = page.get_size()
            lines = _lines(page, height, simplified)
            horizontal, vertical, frames, pictures = _drawing(page, height)
            return PageText(width, height, lines, horizontal, vertical, frames, pictures, len(document))
        finally:
            document.close()


def _lines(page: pdfium.PdfPage, height: float, simplified: bool) -> list[Line]:
    """Characters in the text layer's order, cut into lines where the baseline moves or the
    next character is far away (another column)."""
    textpage = page.get_textpage()
    lines: list[Line] = []
    current: list[tuple[str, Box, bool]] = []  # character, box, a space before it
    spaced = False

    def close() -> None:
        if current:
            box = current[0][1]
            text = current[0][0]
            for (_, before, _), (char, b, space) in zip(current, current[1:], strict=False):
                box = box.union(b)
                # a space the text layer has, or a gap a space wide (the text layer may omit it)
                text += (" " if space or b.left - before.right >= 0.18 * b.height else "") + char
            lines.append(Line(normalize_radicals(text, simplified), box, [b for _, b, _ in current]))
            current.clear()

    origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
    matrix = raw.FS_MATRIX()
    try:
        for index in range(textpage.count_chars()):
            code = raw.FPDFText_GetUnicode(textpage.raw, index)
            char = chr(code) if 0 < code < 0x110000 else ""
            if not char or char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs"):
                spaced = spaced or bool(current)
                continue
            # Across: the glyph's box. Up and down: from the baseline and the type size, the same
            # for every character of a line (a glyph's own box makes 一 a sliver).
            left, _, right, _ = textpage.get_charbox(index, loose=True)
            size = raw.FPDFText_GetFontSize(textpage.raw, index)  # in text space: scaled by the matrix
            if raw.FPDFText_GetMatrix(textpage.raw, index, matrix):
                size *= abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
            size *= 4 / 3  # a line's pitch: its type and a third of that, the leading of body text
            raw.FPDFText_GetCharOrigin(textpage.raw, index, origin_x, origin_y)
            if size <= 0:
                continue
            baseline = height - origin_y.value
            box = Box(left, baseline - 0.88 * size, max(right, left + 0.05 * size), baseline + 0.12 * size)
            if current:
                last = current[-1][1]
                size = max(last.height, box.height)
                middle = (box.top + box.bottom) / 2
                if not (last.top <= middle <= last.bottom) or box.left < last.left - 0.5 * size\
                        or box.left - last.right > 1.2 * size:
                    close()
            current.append((char, box, spaced and bool(current)))
            spaced = False
        close()
    finally:
        textpage.close()
    return _joined_pieces(lines)


def _joined_pieces(lines: list[Line]) -> list[Line]:
    """Pieces of one printed line that the text layer gives apart (a layout program may write
    a line's words or glyphs as separate objects, in any order), joined left to right: same
    baseline and size, at most half a pitch apart, and not across a gutter (a gap no line above
    or below runs across)."""
    def gutter(left: Line, right: Line) -> bool:
        """No line just above or below runs across the gap: it is a column's gutter."""
        middle = (left.box.right + right.box.left) / 2
        return not any(ln is not left and ln is not right and ln.box.left < middle < ln.box.right
                       and abs(ln.box.top - left.box.top) <= 2.5 * left.size
                       and abs(ln.size - left.size) <= 0.1 * left.size for ln in lines)  # text of its kind

    joined: list[tuple[int, Line]] = []  # (where its first piece came in the text layer, line)
    for order, line in sorted(enumerate(lines), key=lambda item: item[1].box.left):
        base = line.box.bottom - 0.12 * line.size
        for index, (first, other) in enumerate(joined):
            gap = line.box.left - other.box.right
            if abs(other.box.bottom - 0.12 * other.size - base) <= 0.15 * line.size\
                    and abs(other.size - line.size) <= 0.1 * line.size and -0.3 * line.size <= gap <= 0.5 * line.size\
                    and not gutter(other, line):
                text = other.text + (" " if gap >= 0.18 * line.size else "") + line.text
                joined[index] = (first, Line(text, other.box.union(line.box), other.chars + line.chars))
                break
        else:
            joined.append((order, line))
    return [line for _, line in sorted(joined, key=lambda item: item[0])]


def _drawing(page: pdfium.PdfPage, height: float) -> tuple[list, list, list[Box], list[Box]]:
    horizontal: list[tuple[float, float, float]] = []
    vertical: list[tuple[float, float, float]] = []
    frames: list[Box] = []
    pictures: list[Box] = []
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_IMAGE], max_depth=8):
        left, bottom, right, top = obj.get_bounds()
        box = Box(left, height - top, right, height - bottom)
        if obj.type == raw.FPDF_PAGEOBJ_IMAGE:
            if box.width > 20 and box.height > 20:
                pictures.append(box)
            continue
        fill, stroke = ctypes.c_int(), ctypes.c_int()
        raw.FPDFPath_GetDrawMode(obj.raw, fill, stroke)
        if box.height <= RULE and box.width > 3 * RULE:
            horizontal.append(((box.top + box.bottom) / 2, box.left, box.right))
        elif box.width <= RULE and box.height > 3 * RULE:
            vertical.append(((box.left + box.right) / 2, box.top, box.bottom))
        elif box.width > 3 * RULE and box.height > 3 * RULE and (stroke.value or fill.value):
            frames.append(box)
    return horizontal, vertical, _frames_of_rules(horizontal, vertical) + frames, pictures


def _frames_of_rules(horizontal: list[tuple[float, float, float]],
                     vertical: list[tuple[float, float, float]]) -> list[Box]:
    """Frames drawn as four separate rules (as some layout programs export a box's border)."""
    found = []
    ends = 2 * RULE
    for top, left, right in horizontal:
        for bottom, left2, right2 in horizontal:
            if bottom <= top + 3 * RULE or abs(left - left2) > ends or abs(right - right2) > ends:
                continue
            sides = [x for x, t, b in vertical if abs(t - top) <= ends and abs(b - bottom) <= ends]
            if any(abs(x - left) <= ends for x in sides) and any(abs(x - right) <= ends for x in sides):
                found.append(Box(left, top, right, bottom))
    return found


def letters(text: str) -> str:
    """Only what matching should compare: letters and digits (CJK included), no spaces or
    punctuation, which differ between an article's file and its printed page."""
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN")

