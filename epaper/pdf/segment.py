"""A page PDF cut into its articles, for `import pdf`, with nothing known beforehand.

The page's furniture goes first: the masthead and header strip above the first rule across
the page, the folio below the last one. Headlines are lines in bigger type than the body;
each headline's article is the space below it up to the next rule, frame edge or headline,
and right to the next rule, frame or headline of the same row (a headline inside a frame
takes the frame). A frame without body text is an advertisement; a short heading in a
shaded box (简讯) is a column's label, and the items under it are briefs. Each article's
lines are then read as kicker, title, subtitle, byline, photo caption and credit, body
paragraphs (a new one at each indented line; a line end inside one is no break), dateline
(本报讯 …) and a brief's writer in brackets at its end."""
from __future__ import annotations

import datetime as dt
import re
import statistics
from dataclasses import dataclass, field
from typing import Any

from epaper.pdf.place import _snap, percent
from epaper.pdf.text import Box, Line, PageText, letters

HEAD = 1.2  # a headline is printed at least this much bigger than the body
DATELINE = re.compile(r"^(本报讯|本报[^\s，,。]{1,8}电|新华社[^\s，,。]{1,12}电)"
                      r"(?:[（(][^）)]{1,20}[）)])?\s*")
ROLE = r"(?:本报|本刊|新华社)?(?:特约|见习|首席)?(?:记者|通讯员|评论员)"
BYLINE = re.compile(rf"^(?:{ROLE}(?:\s*[\u4e00-\u9fff·]{{1,5}}(?:[\s、]+[\u4e00-\u9fff·]{{1,5}})*)?\s*)+$")  # noqa: E501 - roles, names (cut at the line end too)
CREDIT = re.compile(r"\s*((?:(?:本报|新华社)?(?:特约|见习|首席)?(?:记者|通讯员)\s*)?[^\s，。,]{2,12}\s*摄)\s*$")
BRACKETED = re.compile(r"[（(]((?:(?:本报)?(?:记者|通讯员)\s*)?[\u4e00-\u9fff·]{2,4}(?:\s+[\u4e00-\u9fff·]{2,4})*)[）)]$")  # noqa: E501 (a pattern reads best whole)
# the corrected article's title quoted as printed: 《…》, or “…” / 「…」 / "…" as many notices do
CORRECTS = re.compile(r"(\d{1,2})月(\d{1,2})日(?:出版的)?《[^》]+》(?:第)?(\d{1,2})版(?:刊发的|刊登的|的)?"
                      r"(?:《([^》]+)》|“([^”]+)”|「([^」]+)」|\"([^\"]+)\")")
CORRECTION = re.compile(r"^(?:更正|勘误)(?:启事|声明|说明|与说明)?$")
SIGNED = re.compile(r"编辑部|本报|报社")
DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")


@dataclass
class Found:
    """An article found on the page: its fields as printed, its box, its reading order."""

    title: str
    box: list[float] = field(default_factory=list)  # [x, y, w, h] in percent
    kicker: str = ""
    subtitle: str = ""
    byline: str = ""
    authors: list[str] = field(default_factory=list)
    dateline: str = ""
    body: list[str] = field(default_factory=list)
    caption: str = ""
    credit: str = ""
    type: str = "article"
    corrects: dict[str, Any] | None = None
    order: int = 0


@dataclass
class Skipped:
    """A part of the page that is not an article."""

    kind: str  # masthead, header, folio, advertisement, label, text
    box: list[float]
    text: str


@dataclass
class Region:
    head: list[Line]  # the headline's lines
    box: Box  # where its article may lie
    lines: list[Line] = field(default_factory=list)
    frame: Box | None = None
    label: Line | None = None  # the column label above it (简讯)


def _inside(line: Line, box: Box, slack: float = 1.0) -> bool:
    middle_x = (line.box.left + line.box.right) / 2
    middle_y = (line.box.top + line.box.bottom) / 2
    return box.left - slack <= middle_x <= box.right + slack and box.top - slack <= middle_y <= box.bottom + slack


def _encloses(outer: Box, inner: Box, slack: float = 2.0) -> bool:
    return (outer.left - slack <= inner.left and outer.top - slack <= inner.top
            and inner.right <= outer.right + slack and inner.bottom <= outer.bottom + slack)


def _joined(lines: list[Line]) -> str:
    return _tidy("".join(line.text for line in lines))


def _tidy(text: str) -> str:
    """Spaces only between two Latin letters or digits: Chinese is set without them."""
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r" (?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) ", "", text)


def segment(page: PageText, edition_date: dt.date | None = None) -> tuple[list[Found], list[Skipped]]:
    """The articles of the page in reading order, and what was skipped."""
    skipped: list[Skipped] = []
    lines = list(page.lines)
    if not lines:
        return [], []
    sizes = [ln.size for ln in lines if len(letters(ln.text)) >= 5]
    body = statistics.median(sizes) if sizes else statistics.median(ln.size for ln in lines)

    def skip(kind: str, group: list[Line]) -> None:
        if group:
            box = group[0].box
            for line in group[1:]:
                box = box.union(line.box)
            skipped.append(Skipped(kind, percent(box, page), " ".join(ln.text for ln in group)))

    # the furniture: above the first rule across the page, below the last one
    across = [(y, ln, r) for y, ln, r in page.horizontal if r - ln >= 0.7 * page.width]
    top_rules = [y for y, _, _ in across if y <= 0.2 * page.height]
    bottom_rules = [y for y, _, _ in across if y >= 0.85 * page.height]
    top = min(top_rules) if top_rules else 0.04 * page.height
    bottom = max(bottom_rules) if bottom_rules else 0.96 * page.height
    head_lines = [ln for ln in lines if ln.box.bottom <= top + 1]
    foot_lines = [ln for ln in lines if ln.box.top >= bottom - 1]
    if head_lines:
        big = [ln for ln in head_lines if ln.size >= 2.5 * body]
        skip("masthead" if big else "header", head_lines)
    skip("folio", foot_lines)
    content = [ln for ln in lines if ln not in head_lines and ln not in foot_lines]

    # advertisements: frames with no body text in them; labels: a short heading alone in a box
    frames = [f for f in page.frames if f.top >= top - 1 and f.bottom <= bottom + 1]
    labels: list[Line] = []
    for frame in sorted(frames, key=lambda f: f.area()):
        inside = [ln for ln in content if _inside(ln, frame)]
        if not inside:
            continue
        if len(inside) == 1 and len(letters(inside[0].text)) <= 4 and inside[0].size >= 1.1 * body:
            labels.append(Line(inside[0].text, frame))  # the box it heads, not its few characters
            skip("label", inside)
            content = [ln for ln in content if ln is not inside[0]]
        elif not any(abs(ln.size - body) <= 0.1 * body and len(letters(ln.text)) >= 8 for ln in inside)\
                and frame.area() >= (8 * body) ** 2:
            skip("advertisement", inside)
            content = [ln for ln in content if ln not in inside]
    frames = [f for f in frames if not any(label.box is f for label in labels)]

    # headlines: bigger than the body, a title printed over two lines is one
    heads: list[list[Line]] = []
    for line in sorted((ln for ln in content if ln.size >= HEAD * body), key=lambda ln: (ln.box.top, ln.box.left)):
        for group in heads:
            last = group[-1]
            if abs(last.size - line.size) < 0.1 * line.size\
                    and -0.3 * line.size <= line.box.top - last.box.bottom <= 0.6 * line.size\
                    and abs(last.box.left - line.box.left) <= line.size:
                group.append(line)
                break
        else:
            heads.append([line])
    # each headline's columns: between the rules or frames left and right of it (a headline may
    # be centred over its columns)
    spans = [_span(group, heads, frames, content, page) for group in heads]
    # a kicker sits just above its headline, over its columns, in type no bigger than the body's
    # or a little, on a line or three that start their column (nothing printed right above them)
    taken = {id(ln) for group in heads for ln in group}
    kickers: dict[int, list[Line]] = {}
    for index, group in enumerate(heads):
        kicker = _kicker(group[0], spans[index], content, taken, frames, page, body)
        if kicker:
            kickers[index] = kicker
            taken.update(id(ln) for ln in kicker)
    tops = [kickers[i][0].box.top if i in kickers else group[0].box.top for i, group in enumerate(heads)]
    regions = [_region(group, spans[i], heads, tops, frames, labels, page, bottom, body)
               for i, group in enumerate(heads)]
    for index, region in enumerate(regions):
        region.lines.extend(kickers.get(index, []))

    # every other line to the region holding it whose headline is nearest above it
    for line in content:
        if id(line) in taken:
            continue
        holders = [r for r in regions if _inside(line, r.box) and r.head[0].box.top <= line.box.top + 1]
        if holders:
            # the headline nearest above it; of two in one row, the one nearer across
            lowest = max(r.head[0].box.top for r in holders)
            row = [r for r in holders if r.head[0].box.top >= lowest - 2 * body]
            min(row, key=lambda r: (max(0.0, r.head[0].box.left - line.box.right, line.box.left - r.head[0].box.right),
                                    -r.head[0].box.top)).lines.append(line)
        else:
            skip("text", [line])

    found = [f for f in (_read(region, page, regions, body, edition_date) for region in regions) if f]
    found.sort(key=lambda f: (round(f.box[1] / 3), f.box[0]))
    for order, article in enumerate(found, start=1):
        article.order = order
    return found, skipped


def _span(group: list[Line], heads: list[list[Line]], frames: list[Box], content: list[Line],
          page: PageText) -> tuple[float, float]:
    """Left and right of the columns under a headline: the nearest rule or frame edge on each
    side in its row, else the next headline of the row on the right, else the text's margins."""
    title = group[0].box
    for line in group[1:]:
        title = title.union(line.box)
    row = [x for x, t, b in page.vertical if t <= title.bottom and b >= title.top]
    beside = [f for f in frames if f.top <= title.bottom and f.bottom >= title.top and not _encloses(f, title)]
    lefts = [x for x in row if x <= title.left + 1] + [f.right for f in beside if f.right <= title.left + 1]
    lefts.append(min(ln.box.left for ln in content) - 1)
    rights = [x for x in row if x >= title.right - 1] + [f.left for f in beside if f.left >= title.right - 1]
    rights += [g[0].box.left for g in heads if g is not group and g[0].box.left > title.left + title.height
               and g[0].box.top <= title.bottom and g[0].box.bottom >= title.top]
    rights.append(max(ln.box.right for ln in content) + 1)
    return max(lefts), min(rights)


def _parted(upper: Box, lower: Box, frames: list[Box], page: PageText) -> bool:
    """A rule or a frame's edge runs between the two."""
    if any(_encloses(f, lower) != _encloses(f, upper) for f in frames):
        return True
    return any(upper.bottom - 1 <= y <= lower.top + 1 and min(r, upper.right) - max(ln, upper.left) > 0
               for y, ln, r in page.horizontal)


def _kicker(title: Line, span: tuple[float, float], content: list[Line], taken: set[int], frames: list[Box],
            page: PageText, body: float) -> list[Line]:
    left, right = span
    above = [ln for ln in content if id(ln) not in taken and ln.box.top < title.box.top
             and -0.3 * body <= title.box.top - ln.box.bottom <= 0.8 * body
             and left - 1 <= ln.box.left and ln.box.right <= right + 1 and ln.size < title.size
             and not re.search(r"[。！？）)”]$", ln.text) and not _parted(ln.box, title.box, frames, page)]
    if not above:
        return []
    kicker = [max(above, key=lambda ln: ln.box.bottom)]
    while True:  # a kicker too long for its column goes on over two lines
        higher = [ln for ln in content if id(ln) not in taken and ln not in kicker
                  and -0.3 * ln.size <= kicker[0].box.top - ln.box.bottom <= 0.5 * ln.size
                  and ln.box.overlap_x(kicker[0].box) > 0 and abs(ln.size - kicker[0].size) < 0.05 * ln.size
                  and not _parted(ln.box, kicker[0].box, frames, page)]
        if not higher:
            break
        kicker.insert(0, max(higher, key=lambda ln: ln.box.bottom))
        if len(kicker) > 3:
            return []  # the end of a paragraph, not a kicker
    start = kicker[0].box
    if any(ln is not kicker[0] and 0 <= start.top - ln.box.bottom <= 0.8 * body and ln.box.overlap_x(start) > 0
           and not _parted(ln.box, start, frames, page) for ln in content):
        return []  # something printed right above it: it goes on from there
    return kicker


def _region(group: list[Line], span: tuple[float, float], heads: list[list[Line]], tops: list[float],
            frames: list[Box], labels: list[Line], page: PageText, bottom: float, body: float) -> Region:
    """Where the article under this headline may lie."""
    title = group[0].box
    for line in group[1:]:
        title = title.union(line.box)
    around = [f for f in frames if _encloses(f, title)]
    if around:
        frame = min(around, key=lambda f: f.area())
        heads_inside = [g for g in heads if _encloses(frame, g[0].box)]
        if len(heads_inside) == 1:
            return Region(group, frame, frame=frame)
    left, right = span
    width = right - left
    bottoms = [y for y, ln, r in page.horizontal if y >= title.bottom and min(r, right) - max(ln, left) >= 0.5 * width]
    bottoms += [f.top for f in frames
                if f.top >= title.bottom - 1 and min(f.right, right) - max(f.left, left) >= 0.3 * width]
    bottoms += [label.box.top for label in labels if label.box.top >= title.bottom
                and min(label.box.right, right) - max(label.box.left, left) > 0]
    for g, head_top in zip(heads, tops, strict=False):
        head = g[0].box
        if g is not group and head.top >= title.bottom - 1\
                and min(head.right, right) - max(head.left, left) >= 0.3 * min(width, head.width):
            bottoms.append(head_top - 1)  # the next headline (and its kicker) below
    bottoms.append(bottom)
    region = Region(group, Box(left, title.top, right, min(bottoms)))
    column = [label for label in labels if label.box.bottom <= title.top
              and min(label.box.right, right) - max(label.box.left, left) >= 0.5 * width
              and title.top < _column_end(label, heads, frames, page, bottom)]
    region.label = max(column, key=lambda ln: ln.box.bottom) if column else None
    return region


def _column_end(label: Line, heads: list[list[Line]], frames: list[Box], page: PageText, bottom: float) -> float:
    """Where the column a label heads ends: at a rule or frame across it, or at a headline
    bigger than its items' (the next article of the page)."""
    box = label.box
    ends = [y for y, ln, r in page.horizontal
            if y > box.bottom + 1 and min(r, box.right) - max(ln, box.left) >= 0.5 * box.width]
    ends += [f.top for f in frames if f.top > box.bottom + 1 and min(f.right, box.right) - max(f.left, box.left) > 0]
    below = sorted((g[0] for g in heads if g[0].box.top >= box.bottom and box.left - 2 <= g[0].box.left <= box.right),
                   key=lambda ln: ln.box.top)
    if below:
        ends += [ln.box.top for ln in below if ln.size > 1.25 * below[0].size]
    return min(ends + [bottom])


def _read(region: Region, page: PageText, regions: list[Region], body: float,
          edition_date: dt.date | None) -> Found | None:
    """The fields of one article from its lines."""
    title_size = region.head[0].size
    found = Found(_joined(region.head))
    rest = sorted(region.lines, key=lambda ln: (ln.box.top, ln.box.left))
    head_top = region.head[0].box.top
    kicker = [ln for ln in rest if ln.box.bottom <= head_top + 1]
    if kicker:
        found.kicker = _joined(kicker)
        rest = [ln for ln in rest if ln not in kicker]
    below_title = max(ln.box.bottom for ln in region.head)
    # subtitle and byline: right under the headline
    while rest and rest[0].box.top - below_title <= 1.2 * body:
        line = rest[0]
        text = _tidy(line.text)
        if not found.subtitle and not found.byline and (text.startswith(("——", "—")) or
                                                         (1.05 * body <= line.size < title_size)):
            found.subtitle = text
        elif not found.byline and BYLINE.match(text) and len(letters(text)) <= 30:
            found.byline = re.sub(r"\s+", " ", line.text).strip()
            more = rest[1] if len(rest) > 1 else None  # a byline too long for its column goes on
            if more is not None and abs(more.size - line.size) < 0.02 * line.size\
                    and abs(more.size - body) > 0.04 * body and more.box.top - line.box.bottom <= 0.5 * body:
                found.byline = _wrapped([found.byline, re.sub(r"\s+", " ", more.text).strip()])
                rest.pop(1)
        else:
            break
        below_title = line.box.bottom
        rest.pop(0)
    # photos: a caption line right under each picture
    pictures = [p for p in page.pictures if _encloses(region.box, p, slack=4)]
    for picture in pictures:
        under = [ln for ln in rest if 0 <= ln.box.top - picture.bottom <= 0.8 * body
                 and ln.box.left >= picture.left - 2 and ln.box.right <= picture.right + 2]
        while under:  # a caption too long for one line goes on, in its own type
            following = [ln for ln in rest if ln not in under and abs(ln.size - under[-1].size) < 0.02 * ln.size
                    and abs(ln.size - body) > 0.04 * body
                    and -0.3 * body <= ln.box.top - under[-1].box.bottom <= 0.5 * body]
            if not following:
                break
            under.append(min(following, key=lambda ln: ln.box.top))
        if under:
            text = _wrapped([re.sub(r"\s+", " ", ln.text).strip() for ln in under])
            credit = CREDIT.search(text)
            if credit and not found.credit:
                found.credit = re.sub(r"\s+", " ", credit.group(1)).strip()
                text = text[:credit.start()]
            found.caption = found.caption or _tidy(text)
            rest = [ln for ln in rest if ln not in under]
    # what is signed at the end, right-aligned, of a notice
    if rest:
        margin = min(ln.box.left for ln in rest)
        edge = max(ln.box.right for ln in rest)
        signature: list[Line] = []  # short lines set flush right, after the text
        while rest and rest[-1].box.left > margin + 1.5 * body and rest[-1].box.right >= edge - body\
                and rest[-1].box.width <= 0.75 * (edge - margin) and len(letters(rest[-1].text)) <= 14:
            signature.insert(0, rest.pop())
        for line in signature:
            text = _tidy(line.text)
            if SIGNED.search(text) and not found.byline and not DATE.match(text):
                found.byline = text
            else:
                rest.append(line)  # a date stays as printed, after the text
    found.body = _paragraphs(rest, body)
    if found.body:
        dateline = DATELINE.match(found.body[0])
        if dateline:
            found.dateline = dateline.group(1)
            found.body[0] = found.body[0][dateline.end():].lstrip("　 ")
        bracket = BRACKETED.search(found.body[-1])
        if bracket and not found.byline:
            found.byline = re.sub(r"\s+", " ", bracket.group(1)).strip()
            found.body[-1] = found.body[-1][:bracket.start()].rstrip()
        found.body = [p for p in found.body if p]
    found.authors = _authors(found.byline)
    if CORRECTION.match(found.title):
        found.type = "correction"
        found.corrects = _corrects("".join(found.body), edition_date)
    elif region.label is not None:
        found.type = "brief"
    box = region.head[0].box
    for line in region.head + region.lines:
        box = box.union(line.box)
    for picture in pictures:
        box = box.union(picture)
    if region.frame is not None:
        box = box.union(region.frame)
    else:
        others = [ln.box for r in regions if r is not region for ln in r.head + r.lines]
        box = _snap(box, page, others)
    found.box = percent(box, page)
    if not found.body and not found.caption:
        return None  # a headline with nothing under it is not an article
    return found


def _wrapped(parts: list[str]) -> str:
    """A byline or caption printed over several lines: the space a line end took comes back
    between a role and a name and before 摄; a name cut at the line end is joined."""
    text = parts[0]
    for part in parts[1:]:
        space = re.search(r"(记者|通讯员|摄影|编辑|作者)$", text) or part.startswith("摄")
        text += (" " if space else "") + part
    return text


def _paragraphs(lines: list[Line], body: float) -> list[str]:
    """Body lines in reading order (column by column, left to right), cut into paragraphs at
    indented lines; lines within a paragraph join as the build joins them (_join)."""
    columns: list[list[Line]] = []
    spans: list[Box] = []
    for line in sorted(lines, key=lambda ln: (-ln.box.width, ln.box.top)):  # full lines first
        for column, span in zip(columns, spans, strict=False):
            if line.box.left <= span.right - body / 2 and line.box.right >= span.left + body / 2:
                column.append(line)
                break
        else:
            columns.append([line])
            spans.append(line.box)
    paragraphs: list[str] = []
    for column in sorted(columns, key=lambda c: min(ln.box.left for ln in c)):
        column.sort(key=lambda ln: ln.box.top)
        left = min(ln.box.left for ln in column)
        for _index, line in enumerate(column):
            indented = line.box.left >= left + 1.2 * line.size
            if indented or not paragraphs:
                paragraphs.append(line.text)
            else:
                paragraphs[-1] = _join(paragraphs[-1], line.text)
    return [_tidy(p) for p in paragraphs if _tidy(p)]


def _join(text: str, more: str) -> str:
    """Two lines of one paragraph, as the build joins them: Chinese without a space, Latin words
    with one; a word hyphenated at the line end is whole again (a number cut is joined too)."""
    text, more = text.rstrip(), more.lstrip()
    if re.search(r"[A-Za-z]-$", text) and re.match(r"[a-z]", more):
        return text[:-1] + more
    if re.search(r"\d[.,:]$", text) and re.match(r"\d", more):
        return text + more  # 89. / 67%: a number cut at its point
    if (re.search(r"[A-Za-z,.;:!?)]$", text) and re.match(r"[A-Za-z0-9(]", more))\
            or (re.search(r"[0-9]$", text) and re.match(r"[A-Za-z]", more)):
        return f"{text} {more}"  # (digits cut at a line end join: 1936 / 5万元)
    return text + more


def _authors(byline: str) -> list[str]:
    """The names in a byline: 本报记者 张三 通讯员 李四 -> [张三, 李四]; 姚珏 -> [姚珏]."""
    words = [w for w in re.split(r"[\s　、,，]+", byline) if w]
    names = [re.sub(r"^(?:本报|本刊)?(?:特约|见习|首席)?(?:记者|通讯员|评论员)", "", w) for w in words]
    return [n for n in names if re.fullmatch(r"[\u4e00-\u9fff·]{2,5}", n) and not SIGNED.search(n)]


def _corrects(text: str, edition_date: dt.date | None) -> dict[str, Any] | None:
    """What a notice corrects: 11月3日《金坛日报》3版《标题》 -> {date, page, title}."""
    match = CORRECTS.search(text)
    if not match:
        return None
    month, day, page = int(match.group(1)), int(match.group(2)), int(match.group(3))
    title = next(quoted for quoted in match.groups()[3:] if quoted)
    year = edition_date.year if edition_date else dt.date.today().year
    if edition_date and (month, day) > (edition_date.month, edition_date.day):
        year -= 1  # a December article corrected in January
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    return {"date": date.isoformat(), "page": page, "title": title}
