#!/usr/bin/env python3
"""Draw plainly synthetic page images for the sample editions, so a new user sees the print
replica working: a masthead, then each article of the page as a block (title, then its text
in columns), labelled 示例版面 (synthetic) — these are not scans of the real paper.

For every edition under content/ (or the folders given), it writes page-NN.jpg beside
edition.yaml, adds `scan: page-NN.jpg` to the page's entry there, and writes `area:` into
each article's front matter so the areas match the blocks drawn. Running it again gives the
same files byte for byte.

Uses Noto CJK (Debian's fonts-noto-cjk) when it is installed; without it, the titles are drawn
with Pillow's default font in ASCII (the slug) and the text as grey placeholder lines.

    python tools/make_sample_scans.py [--site DIR] [--no-cjk-font] [EDITION_FOLDER ...]
"""
from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from epaper.content.article import split_front_matter  # noqa: E402
from epaper.content.yamlutil import load_yaml  # noqa: E402

WIDTH, HEIGHT = 1000, 1440  # the proportions of a broadsheet page (对开)
MARGIN = 40
GAP = 18
QUALITY = 70
FONTS = Path("/usr/share/fonts/opentype/noto")
SC = 2  # the Simplified Chinese face in Noto CJK's collections
INK, GREY, RED, PAPER = (30, 30, 30), (150, 150, 150), (180, 30, 30), (250, 248, 240)
NO_LINE_START = "，。、；：？！）」』”’》〉,.;:?!)%"  # punctuation never begins a line: it hangs
LABEL = "示例版面 · 合成图,非报纸原版"
LABEL_ASCII = "SAMPLE PAGE - synthetic, not a scan"


@dataclass
class Story:
    path: Path
    slug: str
    title: str
    kicker: str
    byline: str
    paragraphs: list[str]
    order: tuple


class Fonts:
    """Noto CJK when present (basic layout: the same pixels on every machine), else Pillow's own."""

    def __init__(self, cjk: bool) -> None:
        self.cjk = cjk and (FONTS / "NotoSerifCJK-Regular.ttc").exists()

    def get(self, size: int, bold: bool = False, serif: bool = True) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        if self.cjk:
            name = f"Noto{'Serif' if serif else 'Sans'}CJK-{'Bold' if bold else 'Regular'}.ttc"
            return ImageFont.truetype(str(FONTS / name), size, index=SC, layout_engine=ImageFont.Layout.BASIC)
        return ImageFont.load_default(size)


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
    order = (meta.get("order") is None, meta.get("order") or 0, path.name)
    byline = meta.get("byline") or " ".join(meta.get("authors") or [])
    story = Story(path, str(meta.get("slug") or path.stem), str(meta.get("title")), str(meta.get("kicker") or ""),
                  str(byline), [p for p in paragraphs if p], order)
    return int(meta["page"]), story


def wrap(text: str, font, width: float, indent: str = "") -> list[str]:
    """Lines of at most `width` pixels, broken between any two characters (as Chinese is set)."""
    lines, line = [], indent
    for char in text:
        if font.getlength(line + char) > width and line.strip() and char not in NO_LINE_START:
            lines.append(line)
            line = ""
        line += char
    if line.strip():
        lines.append(line)
    return lines


def draw_masthead(draw: ImageDraw.ImageDraw, fonts: Fonts, title: str, date: str, number: str,
                  page: dict, first: bool) -> int:
    """The head of the page; returns where the stories start."""
    label = f"第{page['number']}版 {page.get('name') or ''}".strip() if fonts.cjk else f"Page {page['number']}"
    if first:
        name_font = fonts.get(96, bold=True)
        name = title if fonts.cjk else "SAMPLE DAILY"
        draw.text((MARGIN, MARGIN - 10), name, font=name_font, fill=RED)
        small = fonts.get(20, serif=False)
        draw.text((WIDTH - MARGIN, MARGIN + 20), date, font=small, fill=INK, anchor="ra")
        if number:
            draw.text((WIDTH - MARGIN, MARGIN + 50), number, font=small, fill=INK, anchor="ra")
        draw.text((WIDTH - MARGIN, MARGIN + 80), label, font=small, fill=INK, anchor="ra")
        bottom = MARGIN + 140
        draw.line((MARGIN, bottom, WIDTH - MARGIN, bottom), fill=INK, width=4)
        draw.line((MARGIN, bottom + 7, WIDTH - MARGIN, bottom + 7), fill=INK, width=1)
        return bottom + 24
    small = fonts.get(22, bold=True, serif=False)
    draw.text((MARGIN, MARGIN), label, font=small, fill=RED)
    draw.text((WIDTH - MARGIN, MARGIN), f"{title if fonts.cjk else 'SAMPLE DAILY'}  {date}",
              font=fonts.get(18, serif=False), fill=INK, anchor="ra")
    bottom = MARGIN + 40
    draw.line((MARGIN, bottom, WIDTH - MARGIN, bottom), fill=INK, width=3)
    return bottom + 20


def draw_label(draw: ImageDraw.ImageDraw, fonts: Fonts) -> int:
    """The synthetic label at the foot of the page; returns where the stories must end."""
    text = LABEL if fonts.cjk else LABEL_ASCII
    font = fonts.get(20, bold=True, serif=False)
    top = HEIGHT - MARGIN - 36
    width = font.getlength(text) + 32
    draw.rectangle((MARGIN, top, MARGIN + width, top + 36), outline=RED, width=3)
    draw.text((MARGIN + 16, top + 18), text, font=font, fill=RED, anchor="lm")
    draw.text((WIDTH - MARGIN, top + 18), "tools/make_sample_scans.py", font=fonts.get(14, serif=False),
              fill=GREY, anchor="rm")
    return top - 16


def story_layout(story: Story, fonts: Fonts, width: int, size: int) -> tuple[int, list]:
    """(height, drawing steps) of one story set in `width` pixels with body text of `size`."""
    steps: list = []
    y = 0
    columns = 3 if width > 600 else 2
    if story.kicker:
        font = fonts.get(round(size * 1.1))
        steps.append(("text", 0, y, story.kicker, font, GREY))
        y += round(size * 1.8)
    title_font = fonts.get(round(size * 2.1), bold=True, serif=False)
    title = story.title if fonts.cjk else story.slug
    for line in wrap(title, title_font, width):
        steps.append(("text", 0, y, line, title_font, INK))
        y += round(size * 2.9)
    if story.byline:
        font = fonts.get(round(size * 0.95), serif=False)
        steps.append(("text", 0, y, story.byline if fonts.cjk else "by the desk", font, GREY))
        y += round(size * 1.8)
    y += 6
    steps.append(("rule", 0, y, width, None, GREY))
    y += 12
    body_font = fonts.get(size)
    column_width = (width - GAP * (columns - 1)) / columns
    lines: list[str] = []
    for paragraph in story.paragraphs:
        lines.extend(wrap(paragraph, body_font, column_width, indent="  " if not fonts.cjk else "\u3000\u3000"))
    leading = round(size * 1.55)
    per_column = -(-len(lines) // columns) if lines else 0
    for index, line in enumerate(lines):
        column, row = divmod(index, per_column)
        x = round(column * (column_width + GAP))
        if fonts.cjk:
            steps.append(("text", x, y + row * leading, line, body_font, INK))
        else:  # placeholders: the text's shape without its glyphs
            length = min(column_width, body_font.getlength(line))
            steps.append(("bar", x, y + row * leading + leading // 4, round(length), leading // 2, GREY))
    return y + per_column * leading, steps


def layout_page(stories: list[Story], fonts: Fonts, top: int, bottom: int) -> tuple[int, list[tuple[Story, int, int]]]:
    """The largest body size at which the stories, stacked full width, fit between top and bottom."""
    width = WIDTH - 2 * MARGIN
    for size in range(22, 9, -1):
        placed, y = [], top
        for story in stories:
            height, _ = story_layout(story, fonts, width, size)
            placed.append((story, y, height))
            y += height + 2 * GAP
        if y - 2 * GAP <= bottom:
            return size, placed
    return 10, placed


def percent(value: float, whole: int) -> float:
    return round(value / whole * 100, 2)


def draw_page(edition: dict, page: dict, stories: list[Story], fonts: Fonts, title: str) -> tuple[Image.Image, dict]:
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    date = str(edition["date"])
    number = f"第{edition['number']}期" if edition.get("number") and fonts.cjk else ""
    top = draw_masthead(draw, fonts, title, date, number, page, first=page["number"] == 1)
    bottom = draw_label(draw, fonts)
    areas: dict = {}
    if not stories:
        draw.text((WIDTH // 2, (top + bottom) // 2), "本版暂无文章" if fonts.cjk else "(no articles)",
                  font=fonts.get(28), fill=GREY, anchor="mm")
        return image, areas
    size, placed = layout_page(stories, fonts, top, bottom)
    spare = (bottom - (placed[-1][1] + placed[-1][2])) // max(1, len(placed))
    width = WIDTH - 2 * MARGIN
    for index, (story, y, height) in enumerate(placed):
        y += index * spare
        _, steps = story_layout(story, fonts, width, size)
        for kind, x, dy, what, font, colour in steps:
            if kind == "text":
                draw.text((MARGIN + x, y + dy), what, font=font, fill=colour)
            elif kind == "rule":
                draw.line((MARGIN, y + dy, MARGIN + what, y + dy), fill=colour, width=1)
            else:
                draw.rectangle((MARGIN + x, y + dy, MARGIN + x + what, y + dy + font), fill=colour)
        if index + 1 < len(placed):
            line_y = y + height + GAP + spare // 2
            draw.line((MARGIN, line_y, WIDTH - MARGIN, line_y), fill=INK, width=2)
        pad = 6
        areas[story.path] = [percent(MARGIN - pad, WIDTH), percent(y - pad, HEIGHT),
                             percent(width + 2 * pad, WIDTH), percent(height + 2 * pad, HEIGHT)]
    return image, areas


def set_front_matter_key(path: Path, key: str, value: str) -> None:
    """Write `key: value` into the article's front matter, replacing an existing line."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    end = next(i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "..."))
    for i in range(1, end):
        if lines[i].startswith(f"{key}:"):
            lines[i] = f"{key}: {value}"
            break
    else:
        lines.insert(end, f"{key}: {value}")
    path.write_text("\n".join(lines), encoding="utf-8")


def set_page_key(edition_yaml: Path, number: int, key: str, name: str) -> None:
    """Add or replace `key: name` in the flow-style entry {number: N, …} of edition.yaml."""
    lines = edition_yaml.read_text(encoding="utf-8").split("\n")
    entry = re.compile(rf"^\s*-\s*\{{.*\bnumber:\s*{number}\b.*\}}\s*$")
    for i, line in enumerate(lines):
        if entry.match(line):
            line = re.sub(rf",\s*{key}:\s*[^,}}]+", "", line)
            lines[i] = re.sub(r"\s*\}\s*$", f", {key}: {name}}}", line)
            break
    else:
        raise SystemExit(f"{edition_yaml}: no entry {{number: {number}, …}} on one line to add {key}: to")
    edition_yaml.write_text("\n".join(lines), encoding="utf-8")


def make_edition(folder: Path, fonts: Fonts, title: str) -> list[Path]:
    edition_yaml = folder / "edition.yaml"
    edition, _ = load_yaml(edition_yaml.read_text(encoding="utf-8"))
    pages: dict[int, list[Story]] = {}
    for path in sorted(folder.glob("*.md")):
        found = read_story(path)
        if found:
            pages.setdefault(found[0], []).append(found[1])
    written = []
    for page in edition["pages"]:
        stories = sorted(pages.get(page["number"], []), key=lambda s: s.order)
        image, areas = draw_page(edition, page, stories, fonts, title)
        name = f"page-{page['number']:02d}.jpg"
        image.save(folder / name, "JPEG", quality=QUALITY, optimize=True)
        set_page_key(edition_yaml, page["number"], "scan", name)
        if page["number"] == 1:  # the front page also as a PDF, to show the download
            pdf = f"page-{page['number']:02d}.pdf"
            moment = dt.datetime.combine(edition["date"], dt.time()).timetuple()  # fixed: the same bytes on every run
            image.save(folder / pdf, "PDF", resolution=100.0, quality=QUALITY, creationDate=moment, modDate=moment,
                       title=f"{title} {edition['date']} 第1版 (示例版面, synthetic)")
            set_page_key(edition_yaml, page["number"], "pdf", pdf)
            written.append(folder / pdf)
        for path, box in areas.items():
            set_front_matter_key(path, "area", "[" + ", ".join(f"{v:g}" for v in box) + "]")
        written.append(folder / name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT)
    parser.add_argument("--no-cjk-font", action="store_true", help="draw with Pillow's default font and placeholders")
    parser.add_argument("editions", nargs="*", type=Path, help="edition folders (default: every one under content/)")
    args = parser.parse_args(argv)
    fonts = Fonts(cjk=not args.no_cjk_font)
    config, _ = load_yaml((args.site / "config.yaml").read_text(encoding="utf-8"))
    folders = args.editions or sorted(p.parent for p in (args.site / "content").rglob("edition.yaml"))
    for folder in folders:
        for path in make_edition(folder, fonts, str(config.get("title") or "")):
            print(f"wrote {path}")
    if not fonts.cjk:
        print("note: no CJK font used (install fonts-noto-cjk for text instead of placeholders)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
