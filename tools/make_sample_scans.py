#!/usr/bin/env python3
"""Print plainly synthetic page PDFs for the sample editions, as a layout system would export
them: so the sample shows the replica made the way a newsroom makes it, from page PDFs with a
real (selectable) Chinese text layer. These are not the real paper's pages: each page says
示例版面 (synthetic) in its header strip, its folio and the panel filling its unused space.

For every edition under content/ (or the folders given), it writes page-NN.pdf beside
edition.yaml and names it as the page's `pdf:` there (taking out a `scan:` of the tool's own
page-NN.jpg, and that file: the page image now comes from the PDF). Each page holds its
articles in order: kicker, title, subtitle, byline, then the body in up to five columns (a
short one narrower), the dateline 本报讯 opening it and the writer in brackets closing it;
notes and corrections in a frame, other articles between rules. It writes no `area:`: run
`python build.py areas` afterwards, as for any edition's PDFs.

The lines are broken here, with Noto CJK's own advance widths (Pillow), and each is set at
its place: the layout is known without a browser (`layout_edition`, used by the tests).
Chromium (Debian's, through Playwright) prints the pages; the PDFs' dates are fixed to the
edition's, so running the tool again gives the same bytes. Needs fonts-noto-cjk and chromium.

    python tools/make_sample_scans.py [--site DIR] [EDITION_FOLDER ...]
"""
from __future__ import annotations

import argparse
import datetime as dt
import html
import math
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from epaper.content.article import split_front_matter  # noqa: E402
from epaper.content.yamlutil import load_yaml  # noqa: E402

W, H = 297.0, 420.0  # mm: an A3 page, the proportions of a broadsheet (对开)
MARGIN = 12.0
COLUMNS = 5
GUTTER = 4.0  # mm between columns
COLUMN = (W - 2 * MARGIN - (COLUMNS - 1) * GUTTER) / COLUMNS  # mm: the page's column, a story's measure
GAP = 7.0  # mm between two articles: a rule runs along its middle
PAD = 3.0  # mm inside a frame
LEADING = 1.6  # body line height in ems
BODY_SIZES = (4.0, 3.8, 3.6, 3.4, 3.2, 3.0, 2.8)  # mm: the largest that fits the page is used
FONTS = Path("/usr/share/fonts/opentype/noto")
SC = 2  # the Simplified Chinese face in Noto CJK's collections
RED = "#b11"
NO_LINE_START = "，。、；：？！）」』”’》〉,.;:?!)%"  # punctuation never begins a line: it hangs
WEEKDAYS = "一二三四五六日"
LABEL = "示例版面 · 合成版面，非报纸原版"
FRAMED = ("note", "correction")  # types printed in a frame: 编者按, 更正启事


@dataclass
class Story:
    path: Path
    title: str
    kicker: str
    subtitle: str
    byline: str
    dateline: str
    type: str
    paragraphs: list[str]
    order: tuple[bool, int, str]


@dataclass
class Piece:
    """One thing set on the page, in mm from its top left: a line of text, a rule or a frame."""

    kind: str  # text | rule | frame | panel
    x: float
    y: float
    w: float
    h: float
    text: str = ""
    size: float = 0.0
    face: str = "serif"  # serif | sans
    bold: bool = False
    align: str = "left"  # left | center | right | justify
    colour: str = "#111"
    lead: int = 0  # characters at the line's start set in bold (the dateline)


@dataclass
class PageLayout:
    """A page as laid out: what is set on it, and where each article's block is (mm)."""

    number: int
    pieces: list[Piece] = field(default_factory=list)
    boxes: dict[Path, tuple[float, float, float, float]] = field(default_factory=dict)
    ruled: float = 0.0  # the middle of the rule under the masthead or header strip


def read_story(path: Path) -> tuple[int, Story] | None:
    front, body, _, problem = split_front_matter(path.read_text(encoding="utf-8"))
    if problem or front is None:
        return None
    meta, _ = load_yaml(front)
    if not isinstance(meta, dict) or "page" not in meta or meta.get("draft"):
        return None
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", body)
    text = re.sub(r"[*_`#>]", "", text)
    paragraphs = [re.sub(r"\s*\n\s*", "", p).strip() for p in text.split("\n\n")]
    authors = meta.get("authors") or []
    byline = meta.get("byline") or " ".join([authors] if isinstance(authors, str) else authors)
    order = (meta.get("order") is None, meta.get("order") or 0, path.name)
    story = Story(path, str(meta.get("title")), str(meta.get("kicker") or ""), str(meta.get("subtitle") or ""),
                  str(byline), str(meta.get("dateline") or ""), str(meta.get("type") or "article"),
                  [p for p in paragraphs if p], order)
    return int(meta["page"]), story


@lru_cache(maxsize=8)
def _font(face: str, bold: bool) -> ImageFont.FreeTypeFont:
    """Noto CJK at 1000 px: widths in thousandths of an em, the advances Chromium sets them with."""
    name = f"Noto{'Serif' if face == 'serif' else 'Sans'}CJK-{'Bold' if bold else 'Regular'}.ttc"
    if not (FONTS / name).exists():
        raise SystemExit(f"{FONTS / name} is missing: apt-get install fonts-noto-cjk")
    return ImageFont.truetype(str(FONTS / name), 1000, index=SC, layout_engine=ImageFont.Layout.BASIC)


def width(text: str, size: float, face: str = "serif", bold: bool = False) -> float:
    """The text's width in mm at `size` mm."""
    return _font(face, bold).getlength(text) / 1000 * size


def wrap(text: str, size: float, room: float, face: str = "serif", bold: bool = False) -> list[str]:
    """Lines of at most `room` mm, broken between any two characters (as Chinese is set) but
    not inside a number or a Latin word; punctuation that may not begin a line hangs at the end
    of the one before."""
    lines, line = [], ""
    for token in re.findall(r"[0-9A-Za-z.%]+|.", text):
        if width(line + token, size, face, bold) > room + 0.01 and line.strip() and token[0] not in NO_LINE_START:
            lines.append(line)
            line = ""
        line += token
    if line.strip():
        lines.append(line)
    return lines


def body_lines(paragraphs: list[str], dateline: str, size: float, column: float) -> list[tuple[str, bool, int]]:
    """The body's lines in a column of `column` mm: (text, ends its paragraph, bold characters at its start)."""
    lines = []
    for index, paragraph in enumerate(paragraphs):
        wrapped = wrap("\u3000\u3000" + paragraph, size, column)
        for at, line in enumerate(wrapped):
            bold = len(dateline) + 2 if index == 0 and at == 0 and dateline else 0
            lines.append((line, at + 1 == len(wrapped), bold))
    return lines


def printed_body(story: Story) -> tuple[list[str], list[str]]:
    """The body's paragraphs as printed (the dateline opening the first, a brief's writer in
    brackets closing the last), and the lines set at the right below them (a correction's
    signature and date)."""
    paragraphs = list(story.paragraphs)
    tail: list[str] = []
    if story.type == "correction":
        if paragraphs and re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", paragraphs[-1]):
            tail = [paragraphs.pop()]
        tail[:0] = [story.byline] if story.byline else []
    elif story.byline and story.dateline and paragraphs:
        paragraphs[-1] += f"（{story.byline}）"
    if story.dateline and paragraphs:
        paragraphs[0] = f"{story.dateline}　{paragraphs[0]}"
    return paragraphs, tail


def story_pieces(story: Story, x: float, y: float, span: int, size: float, lead_title: bool) -> list[Piece]:
    """The story set from (x, y) over `span` columns of the page (inside its frame, if it has
    one): its pieces, the last one lowest."""
    framed = story.type in FRAMED
    across = span * COLUMN + (span - 1) * GUTTER - (2 * PAD if framed else 0)
    x, y = (x + PAD, y + PAD) if framed else (x, y)
    out: list[Piece] = []
    if story.kicker:
        for line in wrap(story.kicker, 4.2, across, "sans"):
            out.append(Piece("text", x, y, across, 4.2 * 1.4, line, 4.2, "sans", align="center"))
            y += 4.2 * 1.4
    title_size = 9.0 if lead_title else 7.0
    if story.type in FRAMED:
        title_size = 6.0
    for line in wrap(story.title, title_size, across, "sans", True):
        out.append(Piece("text", x, y, across, title_size * 1.3, line, title_size, "sans", True, "center"))
        y += title_size * 1.3
    if story.subtitle:
        for line in wrap(story.subtitle, 4.6, across, "sans"):
            out.append(Piece("text", x, y, across, 4.6 * 1.4, line, 4.6, "sans", align="center"))
            y += 4.6 * 1.4
    signed = bool(story.byline) and not story.dateline and story.type != "correction"
    if signed:
        y += 1.0
        out.append(Piece("text", x, y, across, 3.8 * 1.5, story.byline, 3.8, "sans", align="center"))
        y += 3.8 * 1.5
    y += 2.5
    paragraphs, tail = printed_body(story)
    column = (across - (span - 1) * GUTTER) / span
    lines = body_lines(paragraphs, story.dateline, size, column)
    columns = span
    leading = size * LEADING
    per_column = max(1, math.ceil(len(lines) / columns))
    for index, (line, last, bold) in enumerate(lines):
        col, row = divmod(index, per_column)
        out.append(Piece("text", x + col * (column + GUTTER), y + row * leading, column, leading, line, size,
                         align="left" if last else "justify", lead=bold))
    y += per_column * leading
    for line in tail:
        out.append(Piece("text", x, y, across, leading, line, size, align="right"))
        y += leading
    return out


def story_span(story: Story, size: float) -> int:
    """How many of the page's columns the story takes: as many as give each three lines of its
    body at least, and the last two (no line alone at a column's head); a short text is set
    narrower, as a paper sets it, not in long lines."""
    inner = COLUMN - (2 * PAD if story.type in FRAMED else 0)
    lines = len(body_lines(printed_body(story)[0], story.dateline, size, inner))
    for span in range(COLUMNS, 1, -1):
        if lines >= 3 * span and lines - math.ceil(lines / span) * (span - 1) >= 2:
            return span
    return 2


def story_height(story: Story, size: float, lead_title: bool) -> float:
    pieces = story_pieces(story, 0, 0, story_span(story, size), size, lead_title)
    return max(p.y + p.h for p in pieces) + (PAD if story.type in FRAMED else 0)


def printed_date(date: dt.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日 星期{WEEKDAYS[date.weekday()]}"


def furniture(layout: PageLayout, paper: str, edition: dict[str, Any], page: dict[str, Any], count: int) -> float:
    """Masthead (page 1) or header strip, and the folio; returns where the articles start."""
    date: dt.date = edition["date"]
    name = f"第{page['number']}版 · {page.get('name') or ''}".rstrip(" ·")
    add = layout.pieces.append
    if page["number"] == 1:
        add(Piece("text", MARGIN, 8, 150, 30, paper, 24, "sans", True, colour=RED))
        info = [printed_date(date), f"第{edition['number']}期" if edition.get("number") else "",
                f"今日{count}版", name, "示例版面"]
        for index, line in enumerate(i for i in info if i):
            add(Piece("text", W - MARGIN - 80, 9 + index * 5.6, 80, 5.6, line, 3.6, "sans", align="right"))
        add(Piece("rule", MARGIN, 40, W - 2 * MARGIN, 0.8))
        top = 45.0
        layout.ruled = 40.4
    else:
        add(Piece("text", MARGIN, 8, 90, 6, printed_date(date), 3.4, "sans"))
        add(Piece("text", W / 2 - 45, 8, 90, 6, name, 3.8, "sans", True, "center", RED))
        add(Piece("text", W - MARGIN - 90, 8, 90, 6, f"{paper} · 示例版面", 3.4, "sans", align="right"))
        add(Piece("rule", MARGIN, 15, W - 2 * MARGIN, 0.5))
        top = 20.0
        layout.ruled = 15.25
    add(Piece("rule", MARGIN, H - 15, W - 2 * MARGIN, 0.4))
    add(Piece("text", MARGIN, H - 13.5, 60, 5, paper, 3, "sans"))
    add(Piece("text", W / 2 - 80, H - 13.5, 160, 5, f"{LABEL} · tools/make_sample_scans.py", 3, "sans",
              align="center", colour="#777"))
    add(Piece("text", W - MARGIN - 60, H - 13.5, 60, 5, f"{date.month}月{date.day}日 第{page['number']}版", 3, "sans",
              align="right"))
    return top


def layout_page(paper: str, edition: dict[str, Any], page: dict[str, Any], stories: list[Story],
                count: int) -> PageLayout:
    """The page: the articles stacked across it in order, at the largest body size that fits."""
    layout = PageLayout(page["number"])
    top = furniture(layout, paper, edition, page, count)
    bottom = H - 19.0
    first = next((i for i, s in enumerate(stories) if s.type not in FRAMED), -1)
    lead = [page["number"] == 1 and i == first for i in range(len(stories))]  # page 1's lead: a bigger title
    for size in BODY_SIZES:
        heights = [story_height(s, size, t) for s, t in zip(stories, lead, strict=True)]
        if sum(heights) + GAP * max(0, len(stories) - 1) <= bottom - top:
            break
    else:
        raise SystemExit(f"page {page['number']} of {edition['date']}: its articles do not fit on it "
                         f"even at {BODY_SIZES[-1]} mm: move one to another page")
    y = top
    for index, (story, lead_title) in enumerate(zip(stories, lead, strict=True)):
        framed = story.type in FRAMED
        across = W - 2 * MARGIN
        span = story_span(story, size)
        height = story_height(story, size, lead_title)
        layout.pieces += story_pieces(story, MARGIN, y, span, size, lead_title)
        if framed:
            layout.boxes[story.path] = (MARGIN, y, span * COLUMN + (span - 1) * GUTTER, height)
            layout.pieces.append(Piece("frame", *layout.boxes[story.path]))
        else:  # between rules: the block reaches the rules around it
            above = GAP / 2 if index and stories[index - 1].type not in FRAMED else 0.0
            above = y - layout.ruled if not index else above  # the first reaches the header's rule
            below = GAP / 2 if index + 1 < len(stories) and stories[index + 1].type not in FRAMED else 0.0
            block = span * COLUMN + (span - 1) * GUTTER
            layout.boxes[story.path] = (MARGIN, y - above, block, height + above + below)
        y += height
        if index + 1 < len(stories):
            if not framed and stories[index + 1].type not in FRAMED:
                layout.pieces.append(Piece("rule", MARGIN, y + GAP / 2 - 0.2, across, 0.4))
            y += GAP
    if bottom - y >= 30:  # the space the sample has no articles for says so
        panel_top = y + GAP if stories else top
        layout.pieces.append(Piece("panel", MARGIN, panel_top, W - 2 * MARGIN, bottom - panel_top))
        middle = (panel_top + bottom) / 2
        layout.pieces.append(Piece("text", MARGIN, middle - 9, W - 2 * MARGIN, 12, "示例版面", 9, "sans", True,
                                   "center", "#999"))
        # larger than body type: `import pdf` reads a frame without body text as no article (an advertisement)
        why = "合成版面：本版只排出示例收入的文章，其余位置留空"
        layout.pieces.append(Piece("text", MARGIN, middle + 4, W - 2 * MARGIN, 2.1 * size, why, 1.5 * size, "sans",
                                   align="center", colour="#999"))
    return layout


def layout_edition(folder: Path, paper: str) -> list[PageLayout]:
    """Every page of the edition in `folder`, laid out from its articles (no browser needed)."""
    edition, _ = load_yaml((folder / "edition.yaml").read_text(encoding="utf-8"))
    pages: dict[int, list[Story]] = {}
    for path in sorted(folder.glob("*.md")):
        found = read_story(path)
        if found:
            pages.setdefault(found[0], []).append(found[1])
    count = len(edition["pages"])
    return [layout_page(paper, edition, page, sorted(pages.get(page["number"], []), key=lambda s: s.order), count)
            for page in edition["pages"]]


def percent_box(box: tuple[float, float, float, float]) -> list[float]:
    """A box in mm as `area:` gives it: percent of the page's width and height."""
    x, y, w, h = box
    return [round(x / W * 100, 2), round(y / H * 100, 2), round(w / W * 100, 2), round(h / H * 100, 2)]


CSS = f"""
@page {{ size: {W}mm {H}mm; margin: 0 }}
* {{ box-sizing: border-box; margin: 0; padding: 0 }}
html, body {{ width: {W}mm; height: {H}mm; background: #fff }}
body {{ position: relative; color: #111; font-kerning: none; text-spacing-trim: space-all;
        font-variant-east-asian: normal; -webkit-print-color-adjust: exact }}
div {{ position: absolute; white-space: pre; overflow: visible }}
.serif {{ font-family: "Noto Serif CJK SC" }}
.sans {{ font-family: "Noto Sans CJK SC" }}
.justify {{ text-align: justify; text-align-last: justify; text-justify: inter-character }}
.rule {{ background: #222 }}
.frame {{ border: 0.35mm solid #222 }}
.panel {{ border: 0.3mm dashed #bbb; background: #f4f4f4 }}
"""


def page_html(layout: PageLayout) -> str:
    """The page as HTML in millimetres, every piece where the layout put it."""
    parts = []
    for p in layout.pieces:
        place = f"left:{p.x:.3f}mm;top:{p.y:.3f}mm;width:{p.w:.3f}mm;height:{p.h:.3f}mm"
        if p.kind != "text":
            parts.append(f'<div class="{p.kind}" style="{place}"></div>')
            continue
        text = html.escape(p.text)
        if p.lead:
            text = f"<b>{html.escape(p.text[:p.lead])}</b>{html.escape(p.text[p.lead:])}"
        weight = "font-weight:bold;" if p.bold else ""
        parts.append(f'<div class="{p.face} {p.align}" style="{place};font-size:{p.size:.3f}mm;'
                     f'line-height:{p.h:.3f}mm;text-align:{p.align};color:{p.colour};{weight}">{text}</div>')
    return (f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><style>{CSS}</style><body>'
            + "".join(parts) + "</body></html>")


def fixed_dates(pdf: bytes, date: dt.date) -> bytes:
    """Chromium stamps the moment of printing; the edition's date instead, digit for digit (the
    byte offsets of the PDF's cross-reference table stay right), so a run gives the same bytes."""
    stamp = f"{date:%Y%m%d}000000".encode()
    return re.sub(rb"(/(?:CreationDate|ModDate) *\(D:)\d{14}", lambda m: m.group(1) + stamp, pdf)


def print_pdfs(documents: list[str]) -> list[bytes]:
    """Each HTML page printed to a one-page PDF by Debian's Chromium."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise SystemExit("playwright is missing: pip install -e '.[test]'") from None
    executable = "/usr/bin/chromium"
    if not Path(executable).exists():
        raise SystemExit(f"{executable} is missing: apt-get install chromium fonts-noto-cjk")
    out = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                                   "--disable-component-update", "--no-first-run"])
        try:
            page = browser.new_page()
            for document in documents:
                page.set_content(document)
                page.evaluate("document.fonts.ready")
                out.append(page.pdf(width=f"{W}mm", height=f"{H}mm", print_background=True,
                                    margin={"top": "0", "right": "0", "bottom": "0", "left": "0"}))
        finally:
            browser.close()
    return out


def set_page_key(edition_yaml: Path, number: int, key: str, name: str | None) -> None:
    """Add, replace or (name None) take out `key: name` in the flow-style entry {number: N, …}."""
    lines = edition_yaml.read_text(encoding="utf-8").split("\n")
    entry = re.compile(rf"^\s*-\s*\{{.*\bnumber:\s*{number}\b.*\}}\s*$")
    for i, line in enumerate(lines):
        if entry.match(line):
            line = re.sub(rf",\s*{key}:\s*[^,}}]+", "", line)
            lines[i] = line if name is None else re.sub(r"\s*\}\s*$", f", {key}: {name}}}", line)
            break
    else:
        raise SystemExit(f"{edition_yaml}: no entry {{number: {number}, …}} on one line to set {key}: in")
    edition_yaml.write_text("\n".join(lines), encoding="utf-8")


def make_edition(folder: Path, paper: str) -> list[Path]:
    edition_yaml = folder / "edition.yaml"
    edition, _ = load_yaml(edition_yaml.read_text(encoding="utf-8"))
    layouts = layout_edition(folder, paper)
    pdfs = print_pdfs([page_html(layout) for layout in layouts])
    written = []
    for page, data in zip(edition["pages"], pdfs, strict=True):
        number = page["number"]
        name = f"page-{number:02d}.pdf"
        (folder / name).write_bytes(fixed_dates(data, edition["date"]))
        scan = f"page-{number:02d}.jpg"
        if page.get("scan") == scan:  # the tool's former drawing: the PDF is the page image now
            set_page_key(edition_yaml, number, "scan", None)
            (folder / scan).unlink(missing_ok=True)
        set_page_key(edition_yaml, number, "pdf", name)
        written.append(folder / name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT)
    parser.add_argument("editions", nargs="*", type=Path, help="edition folders (default: every one under content/)")
    args = parser.parse_args(argv)
    config, _ = load_yaml((args.site / "config.yaml").read_text(encoding="utf-8"))
    folders = args.editions or sorted(p.parent for p in (args.site / "content").rglob("edition.yaml"))
    for folder in folders:
        for path in make_edition(folder, str(config.get("title") or "")):
            print(f"wrote {path}")
    print("next: python build.py areas (places the articles that have no area: on these PDFs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
