"""Synthetic newspaper pages as PDFs, with the truth about every article on them.

A seed decides everything: the number of columns (3 to 6), how the page is cut into
bands and cells, whether articles sit in frames or between rules, which cell holds the
photo story, the 简讯 column of briefs, the boxed 更正启事, the advertisement, and the
text (phrases of the seed edition's text shuffled, so no two articles share a line).
The page is laid out as HTML in millimetres and printed to PDF by Chromium (Debian's,
driven by Playwright): the PDF embeds Noto CJK and has a real text layer, as a layout
system's export does. Each article's body is cut by the browser to fill its box exactly,
and the text actually printed is what the truth records.

The truth box of an article is the cell it was given: the frame when it has one, else
the rectangle its text fills between the rules. Tests keep seeds they were tuned on apart
from seeds they were not (see HELD_OUT)."""
from __future__ import annotations

import base64
import html
import io
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

SEED_TEXT = Path(__file__).parent / "corpus.txt"  # the seed edition's text (docs: shared seeds)
W, H = 297.0, 420.0  # mm: an A3 page, the proportions of a broadsheet
MARGIN = 12.0
GUTTERS = (3.0, 4.0, 5.0)  # mm between columns: each page draws one
BODY_FONTS = (3.2, 3.4, 3.6)  # mm, about 9 to 10 pt: each page draws one
LINE = 1.45
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞斌宇浩凯健俊帆帅旭宁亮晨辰"
KICKERS = ["聚焦高质量发展", "学习贯彻党的二十大精神", "一线见闻", "奋进新征程", "民生实事", "乡村振兴进行时"]
WEEKDAYS = "一二三四五六日"


@dataclass
class TruthArticle:
    """One article as printed: its fields and its box in percent of the page [x, y, w, h]."""

    type: str  # article | brief | correction
    title: str
    box: tuple[float, float, float, float]
    kicker: str = ""
    subtitle: str = ""
    byline: str = ""  # as printed: 本报记者 张三 通讯员 李四, or the name of a brief's brackets
    authors: list[str] = field(default_factory=list)
    dateline: str = ""  # 本报讯, printed at the start of the first paragraph
    body: list[str] = field(default_factory=list)  # paragraphs as printed, the dateline taken out
    caption: str = ""
    credit: str = ""
    corrects: dict[str, Any] | None = None  # a correction's {date, page, title}
    order: int = 0  # reading order on the page


@dataclass
class TruthPage:
    """A generated page: the PDF's bytes, its articles, and the parts that are not articles."""

    seed: int
    number: int
    columns: int
    style: str  # "frames" or "rules"
    pdf: bytes = b""
    articles: list[TruthArticle] = field(default_factory=list)
    others: list[tuple[str, tuple[float, float, float, float]]] = field(default_factory=list)  # masthead, ad…


def pct(x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
    return (round(x / W * 100, 3), round(y / H * 100, 3), round(w / W * 100, 3), round(h / H * 100, 3))


class Phrases:
    """Text made of the corpus's phrases (cut at its punctuation) in a shuffled order: reads like
    the paper, and two articles almost never share ten characters in a row."""

    def __init__(self, rng: random.Random) -> None:
        text = SEED_TEXT.read_text(encoding="utf-8")
        pieces = re.split(r"(?<=[，。；！？、,;])", re.sub(r"\s+", "", text))
        self.pool = [p for p in pieces if 3 <= len(p) <= 40]
        self.rng = rng
        self.order = list(range(len(self.pool)))
        rng.shuffle(self.order)
        self.at = 0
        self.titles: list[str] = []

    def take(self, chars: int) -> str:
        out = ""
        while len(out) < chars:
            if self.at >= len(self.order):
                self.rng.shuffle(self.order)
                self.at = 0
            out += self.pool[self.order[self.at]]
            self.at += 1
        return out

    def paragraphs(self, chars: int) -> list[str]:
        paragraphs, left = [], chars
        while left > 0:
            size = self.rng.randint(60, 220)
            paragraph = self.take(min(size, left) or 1)
            paragraph = paragraph.rstrip("，、；") + ("" if paragraph.endswith("。") else "。")
            paragraphs.append(paragraph)
            left -= len(paragraph)
        return paragraphs

    def title(self, at_most: int) -> str:
        """A headline: a phrase or two without their punctuation, at most `at_most` characters,
        not part of another headline of the page (a real page does not print one twice)."""
        for _ in range(200):
            words = re.sub(r"[，。；！？、“”：:,（）()《》\d]", "", self.take(self.rng.randint(8, 20)))
            words = words[: self.rng.randint(max(6, at_most // 2), max(7, at_most))]
            if len(words) >= 6 and not any(words in t or t in words or words[:4] == t[:4] for t in self.titles):
                self.titles.append(words)
                return words
        return "新闻标题" + str(self.rng.randint(10, 99))


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _photo(rng: random.Random, width: int, height: int) -> str:
    """A PNG data URL: coloured shapes, something a photo's place can be seen by."""
    image = Image.new("RGB", (width, height), tuple(rng.randint(60, 200) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randint(0, width), rng.randint(0, height)
        draw.ellipse((x, y, x + rng.randint(10, width // 2), y + rng.randint(10, height // 2)),
                     fill=tuple(rng.randint(0, 255) for _ in range(3)))
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


@dataclass
class Cell:
    x: float
    y: float
    w: float
    h: float
    span: int  # columns


def _bands(rng: random.Random, top: float, bottom: float, columns: int, colw: float,
           GUTTER: float) -> list[list[Cell]]:  # noqa: N803 - the page's gutter
    """The content area cut into bands, each band into cells of whole columns."""
    height = bottom - top
    count = rng.randint(2, 4) if height > 250 else rng.randint(2, 3)
    cuts = sorted(rng.uniform(0.2, 0.8) * height for _ in range(count - 1))
    edges = [0.0]
    for cut in cuts:
        if cut - edges[-1] >= 55 and height - cut >= 55:
            edges.append(cut)
    edges.append(height)
    bands = []
    for start, end in zip(edges, edges[1:], strict=False):
        spans, left = [], columns
        while left:
            span = rng.randint(1, min(3, left))
            spans.append(span)
            left -= span
        rng.shuffle(spans)
        cells, column = [], 0
        y0 = top + start + (GUTTER / 2 if start else 0)
        y1 = top + end - (GUTTER / 2 if end < height else 0)
        for span in spans:
            x = MARGIN + column * (colw + GUTTER)
            cells.append(Cell(x, y0, span * colw + (span - 1) * GUTTER, y1 - y0, span))
            column += span
        bands.append(cells)
    return bands


CSS = """
@page { size: %(W)smm %(H)smm; margin: 0 }
* { box-sizing: border-box; margin: 0; padding: 0 }
html, body { width: %(W)smm; height: %(H)smm; }
body { position: relative; font-family: "Noto Serif CJK SC"; color: #111; font-size: %(F)smm;
       line-height: %(L)s; font-kerning: none; }
.abs { position: absolute; overflow: hidden }
.flow { display: flex; flex-direction: column }
.rule { position: absolute; background: #222 }
.frame { border: 0.35mm solid #222 }
.kicker { font-family: "Noto Sans CJK SC"; font-size: 3.6mm; line-height: 1.4 }
.title { font-family: "Noto Sans CJK SC"; font-weight: bold; line-height: 1.25; margin: 0.6mm 0 }
.subtitle { font-family: "Noto Sans CJK SC"; font-size: 3.8mm; line-height: 1.4; margin-bottom: 1mm }
.byline { font-family: "Noto Sans CJK SC"; font-size: 3.2mm; line-height: 1.5; margin-bottom: 1mm }
.body { overflow: hidden; flex: 1 1 0; min-height: 0; column-fill: auto; column-gap: %(G)smm; text-align: justify }
.centred { text-align: center }
.body p { text-indent: 2em; line-break: anywhere }
.photo img { display: block; width: 100%% }
.caption { font-family: "Noto Sans CJK SC"; font-size: 3mm; line-height: 1.4; margin: 1mm 0 }
.ad { border: 1.2mm solid #a22; text-align: center; font-family: "Noto Sans CJK SC"; color: #a22 }
.label { font-family: "Noto Sans CJK SC"; font-weight: bold; background: #ddd; text-align: center;
         font-size: 4.5mm; line-height: 1.5 }
"""

FIT = """
(items) => {
  const out = [];
  for (const item of items) {
    const el = document.getElementById(item.id);
    const room = el.clientHeight, across = el.clientWidth;
    const fill = (n) => {
      let left = n, parts = [];
      for (const p of item.paragraphs) {
        if (left <= 0) break;
        parts.push(p.slice(0, left)); left -= p.length;
      }
      if (parts.length) {
        let last = parts[parts.length - 1];
        if (!/[。！？]$/.test(last)) last = last.replace(/[，、；“”：]$/, '') + '。';
        parts[parts.length - 1] = last + (item.suffix || '');
        parts[0] = (item.lead || '') + parts[0];
      }
      el.innerHTML = parts.map(p => '<p>' + p.replace(/&/g, '&amp;').replace(/</g, '&lt;') + '</p>').join('');
      return parts;
    };
    const fits = () => el.scrollHeight <= room + 1 && el.scrollWidth <= across + 1;
    const total = item.paragraphs.reduce((a, p) => a + p.length, 0);
    let lo = 1, hi = total;
    while (lo < hi) { const mid = Math.ceil((lo + hi) / 2); fill(mid); if (fits()) lo = mid; else hi = mid - 1; }
    for (let n = lo + 1; n <= Math.min(total, lo + 60); n++) { fill(n); if (fits()) lo = n; }  // not quite monotonic
    const parts = fill(lo);
    out.push({id: item.id, paragraphs: parts, fits: fits()});
  }
  return out;
}
"""


class PageMaker:
    """Lays out one page from a seed; `html()` is the page, `truth` what is on it."""

    def __init__(self, seed: int, number: int = 1, date: str = "2022-11-04") -> None:
        self.rng = random.Random(seed)
        self.text = Phrases(random.Random(seed * 7919 + 1))
        self.number = number
        self.date = date
        self.columns = self.rng.randint(3, 6)
        self.style = self.rng.choice(["frames", "rules"])
        self.gutter = self.rng.choice(GUTTERS)
        self.font = self.rng.choice(BODY_FONTS)
        self.centred = self.rng.random() < 0.4  # this page centres its multi-column headlines
        self.truth = TruthPage(seed, number, self.columns, self.style)
        self.parts: list[str] = []
        self.fits: list[dict[str, Any]] = []  # bodies the browser cuts to fit
        self.pending: dict[str, TruthArticle] = {}
        self.ids = 0

    def _id(self) -> str:
        self.ids += 1
        return f"b{self.ids}"

    def box(self, x: float, y: float, w: float, h: float, inner: str, cls: str = "", style: str = "") -> None:
        self.parts.append(f'<div class="abs {cls}" style="left:{x:.2f}mm;top:{y:.2f}mm;width:{w:.2f}mm;'
                          f'height:{h:.2f}mm;{style}">{inner}</div>')

    def rule(self, x: float, y: float, w: float, h: float) -> None:
        self.parts.append(f'<div class="rule" style="left:{x:.2f}mm;top:{y:.2f}mm;width:{w:.2f}mm;height:{h:.2f}mm">'
                          "</div>")

    def printed_date(self) -> str:
        year, month, day = (int(v) for v in self.date.split("-"))
        return f"{year}年{month}月{day}日"

    def furniture(self) -> tuple[float, float]:
        """Header strip, masthead on page 1, folio; returns the content area's top and bottom."""
        year, month, day = (int(v) for v in self.date.split("-"))
        import datetime as dt
        weekday = WEEKDAYS[dt.date(year, month, day).weekday()]
        editor = _name(self.rng)
        top = 8.0
        if self.number == 1:
            self.box(MARGIN, 8, 150, 30, '<div style="font-family:\'Noto Sans CJK SC\';font-weight:bold;'
                     'font-size:24mm;line-height:1.2;color:#b11">金坛日报</div>')
            info = (f"{year}年{month}月{day}日 星期{weekday}<br>第11234期<br>今日{self.rng.choice([8, 12, 16])}版"
                    f"<br>责任编辑：{editor}")
            self.box(W - MARGIN - 70, 10, 70, 28, f'<div style="text-align:right;font-size:3.6mm">{info}</div>')
            self.truth.others.append(("masthead", pct(MARGIN, 8, W - 2 * MARGIN, 30)))
            self.rule(MARGIN, 40, W - 2 * MARGIN, 0.8)
            top = 44.0
        else:
            strip = (f'<span>{year}年{month}月{day}日 星期{weekday}</span>'
                     f'<span style="position:absolute;left:40%">第{self.number}版 · 综合</span>'
                     f'<span style="position:absolute;right:0">责任编辑：{editor}</span>')
            self.box(MARGIN, 8, W - 2 * MARGIN, 6, f'<div style="font-size:3.4mm;position:relative">{strip}</div>')
            self.truth.others.append(("header", pct(MARGIN, 8, W - 2 * MARGIN, 6)))
            self.rule(MARGIN, 15, W - 2 * MARGIN, 0.5)
            top = 19.0
        self.rule(MARGIN, H - 15, W - 2 * MARGIN, 0.4)
        folio = (f'<span>金坛日报</span><span style="position:absolute;right:0">'
                 f'{month}月{day}日 第{self.number}版</span>')
        self.box(MARGIN, H - 13.5, W - 2 * MARGIN, 5, f'<div style="font-size:3mm;position:relative">{folio}</div>')
        self.truth.others.append(("folio", pct(MARGIN, H - 13.5, W - 2 * MARGIN, 5)))
        return top, H - 18.0

    def make(self) -> str:
        top, bottom = self.furniture()
        colw = (W - 2 * MARGIN - (self.columns - 1) * self.gutter) / self.columns
        bands = _bands(self.rng, top, bottom, self.columns, colw, self.gutter)
        cells = [c for band in bands for c in band]
        big = sorted(cells, key=lambda c: -c.w * c.h)
        roles: dict[int, str] = {}
        narrow = [c for c in cells if c.span == 1 and c.h >= 80 and id(c) != id(big[0])]
        if narrow and self.rng.random() < 0.8:
            roles[id(self.rng.choice(narrow))] = "briefs"
        free = [c for c in cells if id(c) not in roles and c.h >= 50 and c.w >= 2 * colw and id(c) != id(big[0])]
        if free and self.rng.random() < 0.6:
            roles[id(self.rng.choice(free))] = "ad"
        photo = [c for c in cells if id(c) not in roles and c.h >= 90]
        if photo and self.rng.random() < 0.8:
            roles[id(self.rng.choice(photo))] = "photo"
        tall = [c for c in cells if id(c) not in roles and c.h >= 110]
        if tall and self.rng.random() < 0.6:
            roles[id(self.rng.choice(tall))] = "correction"
        for band_index, band in enumerate(bands):
            for index, cell in enumerate(band):
                role = roles.get(id(cell), "story")
                first = len(self.truth.articles)
                # between rules, an article's printed box reaches the rules around it
                ruled = self.style == "rules"
                reach = (self.gutter / 2 if ruled and index else 0.0, self.gutter / 2 if ruled and band_index else 0.0,
                         self.gutter / 2 if ruled and index + 1 < len(band) else 0.0,
                         self.gutter / 2 if ruled and band_index + 1 < len(bands) else 0.0)
                if role == "briefs":
                    self.briefs(cell)
                elif role == "ad":
                    self.ad(cell)
                elif role == "correction":
                    below = min(cell.h * 0.35, 50.0)
                    self.story(Cell(cell.x, cell.y, cell.w, cell.h - below - self.gutter, cell.span))
                    self.correction(Cell(cell.x, cell.y + cell.h - below, cell.w, below, cell.span))
                else:
                    self.story(cell, photo=role == "photo")
                for truth in self.truth.articles[first:]:
                    if truth.type == "correction":
                        continue  # in its frame
                    x, y, w, h = (v / 100 * side for v, side in zip(truth.box, (W, H, W, H), strict=False))
                    top = reach[1] if abs(y - cell.y) < 0.01 else 0.0
                    bottom = reach[3] if abs(y + h - cell.y - cell.h) < 0.01 else 0.0
                    truth.box = pct(x - reach[0], y - top, w + reach[0] + reach[2], h + top + bottom)
                if self.style == "rules" and index + 1 < len(band):
                    self.rule(cell.x + cell.w + self.gutter / 2 - 0.15, cell.y, 0.3, cell.h)
            if self.style == "rules" and band_index + 1 < len(bands):
                y = band[0].y + band[0].h + self.gutter / 2 - 0.2
                self.rule(MARGIN, y, W - 2 * MARGIN, 0.4)
        css = CSS % {"W": W, "H": H, "F": self.font, "L": LINE, "G": self.gutter}
        return f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><style>{css}</style><body>' \
               + "".join(self.parts) + "</body></html>"

    def _article(self, truth: TruthArticle, body_id: str, paragraphs: list[str], lead: str = "",
                 suffix: str = "") -> None:
        truth.order = len(self.truth.articles) + 1
        self.truth.articles.append(truth)
        self.pending[body_id] = truth
        self.fits.append({"id": body_id, "paragraphs": paragraphs, "lead": lead, "suffix": suffix})

    def story(self, cell: Cell, photo: bool = False) -> None:
        framed = self.style == "frames"
        pad = 2.0 if framed else 0.0
        inner_w = cell.w - 2 * pad
        title_size = min(9.0, max(5.5, inner_w / 14))
        truth = TruthArticle("article", self.text.title(int(inner_w / title_size) - 1), pct(cell.x, cell.y, cell.w, cell.h))
        head = ""
        used = 0.0
        if self.rng.random() < 0.45:
            truth.kicker = self.rng.choice(KICKERS)
            head += f'<div class="kicker">{truth.kicker}</div>'
            used += 3.6 * 1.4
        centre = " centred" if self.centred and cell.span > 1 else ""
        head += f'<div class="title{centre}" style="font-size:{title_size:.2f}mm">{html.escape(truth.title)}</div>'
        used += title_size * 1.25 * (2 if len(truth.title) * title_size > inner_w else 1) + 1.2
        if self.rng.random() < 0.4:
            truth.subtitle = "——" + self.text.title(int(inner_w / 3.8) - 4)
            head += f'<div class="subtitle{centre}">{html.escape(truth.subtitle)}</div>'
            used += 3.8 * 1.4 * (2 if len(truth.subtitle) * 3.8 > inner_w else 1) + 1
        if self.rng.random() < 0.7:
            truth.authors = [_name(self.rng)]
            truth.byline = f"本报记者 {truth.authors[0]}"
            if self.rng.random() < 0.4:
                truth.authors.append(_name(self.rng))
                truth.byline += f" 通讯员 {truth.authors[1]}"
            head += f'<div class="byline">{truth.byline}</div>'
            used += 3.2 * 1.5 + 1
        if photo:
            height = min(cell.h * 0.4, inner_w * 0.62)
            truth.caption = self.text.title(int(inner_w / 3) - 8)
            truth.credit = f"记者 {_name(self.rng)} 摄"
            image = _photo(self.rng, 240, int(240 * height / inner_w))
            head += (f'<div class="photo"><img src="{image}" style="height:{height:.2f}mm"></div>'
                     f'<div class="caption">{html.escape(truth.caption)}　{truth.credit}</div>')
            used += height + 3 * 1.4 * (2 if (len(truth.caption) + 8) * 3 > inner_w else 1) + 2
        if self.rng.random() < 0.6:
            truth.dateline = "本报讯"
        body_id = self._id()
        body_h = cell.h - 2 * pad - used - 1.5  # an estimate, for the text to supply: the browser cuts it
        head += f'<div class="body" id="{body_id}" style="column-count:{cell.span}"></div>'
        self.box(cell.x, cell.y, cell.w, cell.h, head, "flow frame" if framed else "flow", f"padding:{pad}mm")
        self._article(truth, body_id, self.text.paragraphs(int(cell.span * body_h * inner_w / 9)),
                      lead=truth.dateline + ("　" if truth.dateline else ""))

    def briefs(self, cell: Cell) -> None:
        """A 简讯 column: a label, then short items, each its own article with the writer in brackets."""
        label = 7.0
        self.box(cell.x, cell.y, cell.w, label, '<div class="label">简　讯</div>')
        self.truth.others.append(("label", pct(cell.x, cell.y, cell.w, label)))
        count = self.rng.randint(3, 4)
        y = cell.y + label + 2
        room = (cell.y + cell.h - y - (count - 1) * 3) / count
        title, line = 4.4 * 1.25 + 1.2, self.font * LINE
        each = title + max(1, int((room - title) / line)) * line + 0.3  # whole lines: no blank below
        for _ in range(count):
            truth = TruthArticle("brief", self.text.title(int(cell.w / 4.4) - 1), pct(cell.x, y, cell.w, each))
            truth.dateline = "本报讯"
            name = _name(self.rng)
            truth.byline, truth.authors = name, [name]
            body_id = self._id()
            inner = (f'<div class="title" style="font-size:4.4mm">{html.escape(truth.title)}</div>'
                     f'<div class="body" id="{body_id}"></div>')
            self.box(cell.x, y, cell.w, each, inner, "flow")
            self._article(truth, body_id, self.text.paragraphs(int(each * cell.w / 9)), lead="本报讯　",
                          suffix=f"（{name}）")
            y += each + 3

    def correction(self, cell: Cell) -> None:
        """A boxed 更正启事 pointing at an article of an earlier edition."""
        pad = 2.5
        wrong_title = self.text.title(12)
        truth = TruthArticle("correction", "更正启事", pct(cell.x, cell.y, cell.w, cell.h), byline="本报编辑部")
        truth.corrects = {"date": "2022-11-03", "page": 3, "title": wrong_title}
        body_id = self._id()
        text = (f"11月3日《金坛日报》3版《{wrong_title}》一文中，“{self.text.title(8)}”应为“{self.text.title(8)}”，"
                "特此更正，并向读者致歉。")
        inner = ('<div class="title" style="font-size:5mm;text-align:center">更正启事</div>'
                 f'<div class="body" id="{body_id}" style="column-count:{cell.span}"></div>'
                 f'<div style="text-align:right">本报编辑部<br>{self.printed_date()}</div>')
        self.box(cell.x, cell.y, cell.w, cell.h, inner, "flow frame", f"padding:{pad}mm")
        self._article(truth, body_id, [text])

    def ad(self, cell: Cell) -> None:
        shop = self.rng.choice(["金坛百货商场", "华罗庚大酒店", "茅山旅游度假区", "长荡湖水产市场"])
        inner = (f'<div style="font-size:{min(12, cell.w / 9):.1f}mm;font-weight:bold;margin-top:8mm">{shop}</div>'
                 f'<div style="font-size:6mm;margin-top:4mm">开业大酬宾 全场八折</div>'
                 f'<div style="font-size:4mm;margin-top:4mm">订购热线：0519-8{self.rng.randint(1000000, 9999999)}</div>')
        self.box(cell.x, cell.y, cell.w, cell.h, inner, "ad")
        self.truth.others.append(("ad", pct(cell.x, cell.y, cell.w, cell.h)))


# What some layout programs' PDFs put in the text layer for these characters (the glyph is the
# same): Kangxi radicals and CJK radical supplements.
RADICALS = {"日": "⽇", "长": "⻓", "民": "⺠", "户": "⼾"}


def _radicals(text: str, back: bool = False) -> str:
    table = {v: k for k, v in RADICALS.items()} if back else RADICALS
    return "".join(table.get(c, c) for c in text)


def make_page(browser: Any, seed: int, number: int = 1, date: str = "2022-11-04",
              radicals: bool = False) -> TruthPage:
    """Lay out the page of this seed, print it to PDF with `browser` (a Playwright Chromium).
    With `radicals`, 日长民户 are printed as the radical code points of RADICALS (the truth keeps
    the characters readers expect)."""
    maker = PageMaker(seed, number, date)
    document = maker.make()
    fits = maker.fits
    if radicals:
        document = _radicals(document)
        fits = [dict(f, paragraphs=[_radicals(p) for p in f["paragraphs"]], lead=_radicals(f["lead"]),
                     suffix=_radicals(f["suffix"])) for f in fits]
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(document)
        page.evaluate("document.fonts.ready")
        for result in page.evaluate(FIT, fits):
            truth = maker.pending[result["id"]]
            paragraphs = [_radicals(p, back=True) for p in result["paragraphs"]]
            lead = next(f["lead"] for f in maker.fits if f["id"] == result["id"])
            suffix = next(f["suffix"] for f in maker.fits if f["id"] == result["id"])
            if lead:
                paragraphs[0] = paragraphs[0][len(lead):]
            if suffix:
                paragraphs[-1] = paragraphs[-1][: -len(suffix)]
            truth.body = paragraphs
            if truth.type == "correction":  # signed and dated below the notice
                truth.body.append(maker.printed_date())
        maker.truth.pdf = page.pdf(width=f"{W}mm", height=f"{H}mm", print_background=True,
                                   margin={"top": "0", "right": "0", "bottom": "0", "left": "0"})
    finally:
        context.close()
    return maker.truth


def truth_json(page: TruthPage) -> str:
    """The truth as JSON (for looking at a generated page by hand)."""
    return json.dumps({"seed": page.seed, "columns": page.columns, "style": page.style,
                       "articles": [a.__dict__ for a in page.articles], "others": page.others},
                      ensure_ascii=False, indent=1)


def stored_page(request: Any, seed: int, number: int = 1, radicals: bool = False) -> TruthPage:
    """make_page, kept in pytest's cache folder (.pytest_cache) under a hash of this generator's
    code, its corpus and the arguments: a second test run prints no page again, and starts no
    browser if it needs none. Without pytest's cache, the page is made every time."""
    import hashlib
    import pickle
    key = hashlib.sha256(Path(__file__).read_bytes() + SEED_TEXT.read_bytes()
                         + f"{seed} {number} {radicals}".encode()).hexdigest()[:32]
    cache = getattr(request.config, "cache", None)
    path = cache.mkdir("epaper-pdfgen") / f"{key}.pickle" if cache is not None else None
    if path is not None and path.is_file():
        try:
            return pickle.loads(path.read_bytes())  # noqa: S301 - written by this function, in this checkout
        except Exception:  # noqa: BLE001 - a damaged cache entry is made again
            pass
    page = make_page(request.getfixturevalue("chromium"), seed, number, radicals=radicals)
    if path is not None:
        path.write_bytes(pickle.dumps(page))
    return page
