"""An article's QR code (微信扫一扫) as inline SVG, made at build time: no script, no request to
a QR service, readable by a phone camera from the screen.

The code itself comes from zxing-cpp (its writer is libzint, in C), which encodes and scores the
eight masks in about 0.2 ms, where pure-Python segno took 1.2 ms with one fixed mask. Five
sixths of that is libzint scoring the masks, one module at a time: this module asks zxing-cpp
for the code with the first mask only (0.03 ms), makes the other seven from it, and scores all
eight by the standard's four penalty rules as libzint does, a whole symbol at a time in Python's
big integers (0.05 ms). The mask chosen is libzint's, and so is the code, module for module
(tests/test_reader_tools.py checks both over varied texts). Then it draws the modules as one SVG path."""
from __future__ import annotations

import functools
import re
from types import MappingProxyType
from typing import Any, cast

import zxingcpp
from markupsafe import Markup, escape

SCALE = 4   # pixels a module: phone cameras read it from a screen
BORDER = 4  # the standard's quiet zone, in modules
_ROW_END = b"\xfe"  # between two rows' runs (svg_path)
_RUNS_AND_ROWS = re.compile(rb"([\xfe\xff]+)")  # dark runs apart, the light runs and rows' ends kept
_MOST_MODULES = 177  # a row of the largest QR code (version 40)
_RUN_TEXT = MappingProxyType({  # a run of modules -> its path text
    run * length: f"{command}{length}{end}"
    for run, command, end in ((b"\x00", "h", ""), (b"\xff", "m", " 0")) for length in range(1, _MOST_MODULES + 1)})
# A run or a row's end -> its text: a plain dict's lookup (half a MappingProxyType's), no one else's to change.
_RUN_NAME = {**_RUN_TEXT, _ROW_END: "\n"}.__getitem__


def _encoded(text: str, mask: int, **version: int) -> tuple[int, bytes]:
    """zxing-cpp's code for `text` with this mask (and `version=N`, else the smallest that holds
    it): its size, its modules row by row, a byte each."""
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M", data_mask=mask, **version)
    image = code.to_image(scale=1, add_quiet_zones=False)
    return image.shape[0], bytes(memoryview(cast(Any, image)))  # its pixels (the stubs omit the buffer)


GUARD = 4  # light modules around a symbol in its bits: the quiet zone the finder-like rule looks into
_DARK_BITS = bytes.maketrans(b"\x00\xff", b"10")


class _Symbol:
    """What scoring a size of symbol (a QR version) needs, made once: where its modules are in an
    integer's bits, and how each mask's symbol differs from the first mask's. That difference
    (the data modules the masks flip, the format information naming the mask) depends on the
    version and error correction level alone, never on the text."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.stride = stride = size + GUARD  # a row's bits, then GUARD bits of no module
        self.cells = sum(((1 << size) - 1) << ((row + GUARD) * stride) for row in range(size))
        self.outside = ((1 << (size + 2 * GUARD) * stride) - 1) ^ self.cells  # light for the finder-like rule
        self.pairs = sum(((1 << (size - 1)) - 1) << ((row + GUARD) * stride) for row in range(size))  # a neighbour
        self.columns = sum(((1 << size) - 1) << ((row + GUARD) * stride) for row in range(size - 1))  # one below
        version = (size - 17) // 4
        first = _encoded("0", 0, version=version)[1]  # any text will do: the differences are the version's
        others = [_encoded("0", mask, version=version)[1] for mask in range(8)]
        self.flips = [self.bits(first) ^ self.bits(other) for other in others]  # in the scored bits
        self.flipped = [int.from_bytes(first) ^ int.from_bytes(other) for other in others]  # in the bytes

    def bits(self, modules: bytes) -> int:
        """The dark modules as bits: row r, column c at bit (r + GUARD) * stride + c."""
        size, dark = self.size, modules.translate(_DARK_BITS)
        rows = [dark[row * size:(row + 1) * size] for row in range(size)]
        return int(b"0000".join(rows)[::-1], 2) << (GUARD * self.stride)

    def penalty(self, dark: int) -> int:
        """ISO/IEC 18004's mask penalty, as libzint counts it: runs of five or more modules of one
        colour in a row or column (3, plus one for each module past five), 2x2 blocks of one colour
        (3 each), the finder-like 1:1:3:1:1 with four light modules before or after it, outside the
        symbol counting as light (40 each), and the dark share's distance from half (10 a 5%)."""
        stride, count = self.stride, int.bit_count
        light = self.cells ^ dark
        across = ~(dark ^ (dark >> 1)) & self.pairs  # a module the same colour as the one to its right
        down = ~(dark ^ (dark >> stride)) & self.columns  # ... as the one below it
        score = 3 * count(across & (across >> stride) & down)  # 2x2 blocks
        for same, step in ((across, 1), (down, stride)):
            twice = same & (same >> step)
            runs = twice & (twice >> 2 * step)  # five modules of one colour from here
            score += count(runs) + 2 * count(runs & ~(runs << step))  # and the first five of each run
        blank = light | self.outside
        for step in (1, stride):
            finder = (dark & (light >> step) & (dark >> 2 * step) & (dark >> 3 * step) & (dark >> 4 * step)
                      & (light >> 5 * step) & (dark >> 6 * step))
            if finder:
                two = blank & (blank << step)
                four = two & (two << 2 * step)  # four light modules up to here
                score += 40 * count(finder & ((four << step) | (four >> 10 * step)))
        modules = self.size * self.size
        return score + 10 * (abs(20 * count(dark) - 10 * modules) // modules)


@functools.cache  # one a version: 40 at most
def _symbol(size: int) -> _Symbol:
    return _Symbol(size)


def qr_modules(text: str) -> list[bytes]:
    """The code's rows of modules, one byte each: 0 dark, 255 light (no quiet zone). The mask
    with the lowest penalty, the first of them on a tie."""
    size, first = _encoded(text, 0)
    symbol = _symbol(size)
    bits = symbol.bits(first)
    penalties = [symbol.penalty(bits ^ flips) for flips in symbol.flips]
    mask = penalties.index(min(penalties))
    data = (int.from_bytes(first) ^ symbol.flipped[mask]).to_bytes(size * size) if mask else first
    return [data[row * size:(row + 1) * size] for row in range(size)]


def svg_path(rows: list[bytes], border: int = BORDER) -> str:
    """Each row's runs of dark modules as horizontal strokes along the row's middle, moving
    relatively from the end of the last run (the shortest path text for a QR code). The rows'
    runs, dark and light, are cut apart and named by C code (one split of the rows joined, and a
    table), not one by one in Python: 0.06 ms a code against 0.09 ms a row at a time, and 0.2 ms
    a run at a time."""
    drawn = [(number, row, runs) for number, row in enumerate(rows) if (runs := row.strip(b"\xff"))]
    if not drawn:
        return ""
    # Each row from its first dark module to its last, the rows apart by a byte of no module.
    named = "".join(map(_RUN_NAME, _RUNS_AND_ROWS.split(_ROW_END.join([r for _, _, r in drawn]))))
    parts: list[str] = []
    x = y = -1  # the pen's place, in modules (the strokes are drawn at y + 0.5); -1: not down yet
    for (number, row, runs), text in zip(drawn, named.split("\n"), strict=True):
        start, top = row.index(0) + border, number + border
        parts.append(f"M{start} {top}.5" if y < 0 else f"m{start - x} {top - y}")
        parts.append(text)
        x, y = start + len(runs), top
    return "".join(parts)


def qr_svg(text: str, label: str) -> Markup:
    """`text` as a QR code in inline SVG, role="img" with `label` for screen readers."""
    rows = qr_modules(text)
    size = len(rows) + 2 * BORDER
    pixels = size * SCALE
    return Markup(
        f'<svg role="img" aria-label="{escape(label)}" width="{pixels}" height="{pixels}" class="qr-code">'
        f'<g transform="scale({SCALE})"><path fill="#fff" d="M0 0h{size}v{size}h-{size}z"/>'
        f'<path stroke="#000" d="{svg_path(rows)}"/></g></svg>')
