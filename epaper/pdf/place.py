"""Where an article is printed on its page PDF, found from its own text.

Each text line of the page goes to the one article whose text contains it (compared on
letters and digits only: spacing and punctuation differ between a file and its print).
A line too short to tell, or found in two articles, goes with the neighbour lines above,
below or beside it. An article's lines that lie together form a block; blocks are joined
by a picture between them (a photo between a byline and its caption), and a block grows
to the rules and frames printed around it, unless that would take in another's text. An
article printed in separate blocks (a jump) gets one box per block."""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from typing import Any

from epaper.pdf.text import Box, Line, PageText, letters, normalize_radicals

STRONG = 5  # letters: a line this long found in a single article belongs to it
SNAP = 16.0  # points (about 5.6 mm): how far a block may grow to reach a rule or frame
FOUND = 0.5  # the share of an article's text that must be on the page for it to be placed


@dataclass
class Wanted:
    """An article to find: its file and the texts printed of it."""

    key: str
    title: str
    texts: list[str]  # kicker, title, subtitle, byline, dateline and body, caption, credit…
    heads: list[str] = field(default_factory=list)  # kicker, title, subtitle: printed in bigger type


@dataclass
class Placement:
    """What was found of one article on the page."""

    key: str
    boxes: list[Box] = field(default_factory=list)  # points, reading order; empty when not found
    confidence: float = 0.0  # the share of its text found on the page, 0–1
    title_found: bool = False
    lines: list[Line] = field(default_factory=list, repr=False)

    @property
    def found(self) -> bool:
        return bool(self.boxes)


def markdown_text(body: str) -> str:
    """The words of a Markdown body as printed: images' captions kept, links' targets,
    footnote marks and HTML tags left out."""
    body = re.sub(r"<!--.*?-->", "", body, flags=re.S)
    body = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", body)
    body = re.sub(r"\[\^[^\]]+\]:?", "", body)
    body = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", body)
    return re.sub(r"<[^>]+>", "", body)


def _matches(key: str, text: str, pieces: list[str]) -> tuple[bool, bool]:
    """(found, surely): is the line's key in the article's text, whole, or as two pieces of it
    (a brief's last line: the end of its body, then the writer in brackets)."""
    if key in text:
        return True, len(key) >= STRONG
    for cut in range(4, len(key) - 3):
        if key[:cut] in text and key[cut:] in text:
            return True, len(key) >= 2 * STRONG
    for cut in range(1, len(key)):
        if any(p.endswith(key[:cut]) for p in pieces) and any(p.startswith(key[cut:]) for p in pieces):
            return True, len(key) >= 2 * STRONG
    return False, False


def place(page: PageText, wanted: list[Wanted], simplified: bool = True) -> dict[str, Placement]:
    """Every wanted article's placement on this page."""
    fulls = {w.key: letters(normalize_radicals("\n".join(w.texts), simplified)) for w in wanted}
    titles = {w.key: letters(normalize_radicals(w.title, simplified)) for w in wanted}
    pieces = {w.key: [letters(normalize_radicals(t, simplified)) for t in w.texts] for w in wanted}
    fields = {w.key: {p for p in pieces[w.key] if len(p) <= 60} for w in wanted}
    heads = {w.key: [letters(normalize_radicals(t, simplified)) for t in w.heads] for w in wanted}
    keys = [letters(line.text) for line in page.lines]
    sizes = [ln.size for ln, k in zip(page.lines, keys, strict=False) if len(k) >= STRONG]
    body = statistics.median(sizes) if sizes else 10.0
    owner: list[str | None] = [None] * len(page.lines)
    candidates: list[list[str]] = []
    for index, key in enumerate(keys):
        found = []
        sure = []
        for w in wanted:
            hit, surely = _matches(key, fulls[w.key], pieces[w.key]) if key else (False, False)
            if hit:
                found.append(w.key)
                if surely:
                    sure.append(w.key)
        if not key:  # punctuation alone (a line's overflow, "。"): its neighbours' line
            found = [w.key for w in wanted]
        candidates.append(found)
        whole = [k for k in found if key in fields[k]]  # a short title or kicker, printed alone
        if len(found) == 1 and sure:
            owner[index] = found[0]
        elif len(whole) == 1 and len(key) >= 2 and (
                len(found) == 1 or abs(page.lines[index].size - body) > 0.04 * body):
            owner[index] = whole[0]  # (in body type, a line that is also in another's body waits for its neighbours)
        elif len(key) >= 2 and page.lines[index].size >= 1.15 * body:  # a headline printed over two lines
            head = [k for k in found if any(key in h for h in heads[k])]
            if len(head) == 1:
                owner[index] = head[0]
    _by_neighbours(page.lines, owner, candidates)
    placements = {}
    for w in wanted:
        mine = [i for i, o in enumerate(owner) if o == w.key]
        placement = Placement(w.key, lines=[page.lines[i] for i in mine])
        joined = "".join(keys[i] for i in mine)
        placement.title_found = bool(titles[w.key]) and titles[w.key] in joined
        total = len(fulls[w.key]) or 1
        placement.confidence = min(1.0, len(_covered(fulls[w.key], [keys[i] for i in mine])) / total)
        placements[w.key] = placement
    blocks = _blocks(page, owner, body)
    for w in wanted:
        placement = placements[w.key]
        if placement.confidence < FOUND and not (placement.title_found and placement.confidence >= 0.2):
            continue
        printed = blocks.get(w.key, [])
        if not printed:
            continue
        full = fulls[w.key]
        biggest = max(len(text) for _, text in printed)
        kept: list[Box] = []
        seen: set[int] = set()
        title = titles[w.key]
        for box, text in sorted(printed, key=lambda block: -len(block[1])):
            spots = _covered(full, text.split("\n"))
            if len(text) < max(1, min(40, 0.15 * biggest)) and not (title and title in text.replace("\n", "")):
                continue  # a stray line or two (but never the headline)
            if kept and len(spots - seen) < 0.5 * len(spots):
                continue  # prints what a bigger block prints: another article sharing its phrases
            kept.append(box)
            seen |= spots
        others = [line.box for i, line in enumerate(page.lines) if owner[i] != w.key and keys[i]]
        snapped = [_snap(box, page, others) for box in kept]
        placement.boxes = sorted(_merge(snapped), key=lambda b: (round(b.top / body), b.left))
    return placements


def _covered(full: str, keys: list[str]) -> set[int]:
    """The positions of the article's text that these lines print."""
    spots: set[int] = set()
    for key in keys:
        at = full.find(key) if key else -1
        if at < 0 and key:  # a line across two fields: piece by piece, longest first
            start = 0
            while start < len(key):
                end = len(key)
                while end - start > 1 and key[start:end] not in full:
                    end -= 1
                if end - start > 1:
                    found = full.find(key[start:end])
                    spots.update(range(found, found + end - start))
                start = end
        while at >= 0:
            spots.update(range(at, at + len(key)))
            at = full.find(key, at + 1)
    return spots


def _merge(boxes: list[Box]) -> list[Box]:
    """Blocks that overlap once grown (two blocks inside one frame: a notice and its signature)
    are one."""
    boxes = list(boxes)
    merged = True
    while merged:
        merged = False
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                if boxes[i].overlap_x(boxes[j]) > 0.5 and boxes[i].overlap_y(boxes[j]) > 0.5:
                    boxes[i] = boxes[i].union(boxes.pop(j))
                    merged = True
                    break
            if merged:
                break
    return boxes


def _neighbours(lines: list[Line]) -> list[list[int]]:
    """For each line, the lines just above, below or beside it in the same column."""
    near: list[list[int]] = [[] for _ in lines]
    order = sorted(range(len(lines)), key=lambda i: lines[i].box.top)
    for a_pos, a in enumerate(order):
        box_a = lines[a].box
        for b in order[a_pos + 1:]:
            box_b = lines[b].box
            if box_b.top - box_a.bottom > 0.8 * lines[a].size:
                break  # sorted by top: the rest are further down
            size = min(lines[a].size, lines[b].size)  # a masthead's size does not reach the text below
            if box_b.top - box_a.bottom > 0.8 * size:
                continue
            stacked = box_a.overlap_x(box_b) >= 0.5 * min(box_a.width, box_b.width)\
                or abs(box_a.left - box_b.left) <= 2.5 * size  # a paragraph's short last line, the next indented
            beside = box_a.overlap_y(box_b) >= 0.5 * min(box_a.height, box_b.height)\
                and box_a.gap(box_b) <= 0.5 * size  # pieces of one line; a column's gutter is wider
            if stacked or beside:
                near[a].append(b)
                near[b].append(a)
    return near


def _by_neighbours(lines: list[Line], owner: list[str | None], candidates: list[list[str]]) -> None:
    """Give each undecided line to the article of its decided neighbours, when it could be theirs."""
    near = _neighbours(lines)
    for _ in range(8):
        changed = False
        for index, found in enumerate(candidates):
            if owner[index] is not None or not found:
                continue
            votes: dict[str, int] = {}
            for other in near[index]:
                # a big line (a masthead) is not a small one's continuation
                neighbour = owner[other]
                if neighbour is not None and neighbour in found and lines[index].size <= 1.5 * lines[other].size:
                    votes[neighbour] = votes.get(neighbour, 0) + 1
            if votes:
                best = max(sorted(votes), key=lambda k: votes[k])
                owner[index] = best
                changed = True
        if not changed:
            break
    # a line in none of the texts (edited since it was printed) between two lines of one article,
    # above and below it in its column, is that article's
    def end(index: int, down: bool) -> str | None:
        """Whose line ends the run of unmatched lines from here, upwards or downwards."""
        seen = {index}
        while True:
            box = lines[index].box
            steps = [o for o in near[index] if o not in seen and
                     (lines[o].box.top >= box.bottom - 0.5 * lines[o].size if down
                      else lines[o].box.bottom <= box.top + 0.5 * lines[o].size)]
            if not steps:
                return None
            index = min(steps, key=lambda o: abs(lines[o].box.top - box.top))
            if owner[index] is not None or candidates[index]:
                return owner[index]
            seen.add(index)

    runs = [i for i, found in enumerate(candidates) if owner[i] is None and not found]
    decided = {i: end(i, False) for i in runs}
    for index in runs:
        above = decided[index]
        if above is not None and above == end(index, True):
            owner[index] = above
    _lone_column_heads(lines, owner, candidates, near)


def _lone_column_heads(lines: list[Line], owner: list[str | None], candidates: list[list[str]],
                       near: list[list[int]]) -> None:
    """A line alone at the top of a column (an article's last words carried into the next
    column) has no neighbour above or below: it goes on from the head of the column to its
    left, across the gutter, when its text could be that article's."""
    for index, line in enumerate(lines):
        if owner[index] is not None or not candidates[index] or near[index]:
            continue
        size = line.size
        left_of = [o for o, other in enumerate(lines) if o != index and owner[o] is not None
                   and abs(other.box.top - line.box.top) <= 0.6 * size
                   and 0 <= line.box.left - other.box.right <= 3 * size and abs(other.size - size) <= 0.1 * size]
        if not left_of:
            continue
        previous = max(left_of, key=lambda o: lines[o].box.right)
        if owner[previous] in candidates[index]:
            owner[index] = owner[previous]


def _blocks(page: PageText, owner: list[str | None], body: float) -> dict[str, list[tuple[Box, str]]]:
    """Each article's blocks (box, its lines' letters, a line a line): its lines joined when near each other, and
    through a picture that lies between blocks of one article only."""
    reach = 1.6 * body
    nodes: list[tuple[str, Box, str]] = [(o, ln.box, letters(ln.text))
                                         for o, ln in zip(owner, page.lines, strict=False) if o]
    parent = list(range(len(nodes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(nodes)):
        for j in range(i + 1, len(nodes)):
            a, b = nodes[i][1], nodes[j][1]
            down = max(0.0, max(a.top, b.top) - min(a.bottom, b.bottom))
            across = max(0.0, max(a.left, b.left) - min(a.right, b.right))
            # near, or right under it a little aside (a centred headline over a byline at the left)
            if nodes[i][0] == nodes[j][0] and (a.gap(b) <= reach or (down <= reach and across <= 8 * reach)):
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(nodes)):
        groups.setdefault(find(i), []).append(i)
    blocks: dict[str, list[list]] = {}
    for members in groups.values():
        box = nodes[members[0]][1]
        for m in members[1:]:
            box = box.union(nodes[m][1])
        blocks.setdefault(nodes[members[0]][0], []).append([box, "\n".join(nodes[m][2] for m in members)])
    for picture in page.pictures:  # a photo goes to the article printed above and below it
        scores: dict[str, int] = {}
        near: list[tuple[str, list]] = []
        for key, found in blocks.items():
            for block in found:
                if block[0].gap(picture) > reach:
                    continue
                if block[0].overlap_x(picture) >= 0.3 * min(block[0].width, picture.width):
                    scores[key] = scores.get(key, 0) + 2
                elif block[0].overlap_y(picture) >= 0.3 * min(block[0].height, picture.height):
                    scores[key] = scores.get(key, 0) + 1
                else:
                    continue
                near.append((key, block))
        ranked = sorted(scores.values(), reverse=True)
        if not ranked or (len(ranked) > 1 and ranked[0] == ranked[1]):
            continue
        key = max(scores, key=lambda k: scores[k])
        merged_box, merged_text = picture, ""
        for owner_key, block in near:
            if owner_key == key:
                merged_box, merged_text = merged_box.union(block[0]), (merged_text + "\n" + block[1]).strip("\n")
        merged: list[Any] = [merged_box, merged_text]
        blocks[key] = [b for b in blocks[key] if all(b is not n for _, n in near)] + [merged]
    return {key: [(b[0], b[1]) for b in found] for key, found in blocks.items()}


def _snap(box: Box, page: PageText, others: list[Box]) -> Box:
    """The block grown to the frame around it (the smallest one holding no other text), else
    to the nearest rule on each side within SNAP points, when that takes in no other text."""

    def clear(candidate: Box) -> bool:
        return all(candidate.overlap_x(o) <= 0.5 or candidate.overlap_y(o) <= 0.5 for o in others)

    slack = 2.0
    around = [f for f in page.frames if f.left - slack <= box.left and f.top - slack <= box.top
              and box.right <= f.right + slack and box.bottom <= f.bottom + slack and clear(f)]
    if around:
        frame = min(around, key=lambda f: f.area())
        return Box(min(frame.left, box.left), min(frame.top, box.top),
                   max(frame.right, box.right), max(frame.bottom, box.bottom))
    grown = Box(box.left, box.top, box.right, box.bottom)
    tall, wide = box.height, box.width
    lefts = [x for x, top, bottom in page.vertical if box.left - SNAP <= x <= box.left + 1
             and min(bottom, box.bottom) - max(top, box.top) >= 0.5 * tall]
    rights = [x for x, top, bottom in page.vertical if box.right - 1 <= x <= box.right + SNAP
              and min(bottom, box.bottom) - max(top, box.top) >= 0.5 * tall]
    tops = [y for y, left, right in page.horizontal if box.top - SNAP <= y <= box.top + 1
            and min(right, box.right) - max(left, box.left) >= 0.5 * wide]
    bottoms = [y for y, left, right in page.horizontal if box.bottom - 1 <= y <= box.bottom + SNAP
               and min(right, box.right) - max(left, box.left) >= 0.5 * wide]
    for x in sorted(lefts, reverse=True):
        if clear(Box(x, box.top, box.left, box.bottom)):
            grown.left = min(grown.left, x)
            break
    for x in sorted(rights):
        if clear(Box(box.right, box.top, x, box.bottom)):
            grown.right = max(grown.right, x)
            break
    for y in sorted(tops, reverse=True):
        if clear(Box(grown.left, y, grown.right, box.top)):
            grown.top = min(grown.top, y)
            break
    for y in sorted(bottoms):
        if clear(Box(grown.left, box.bottom, grown.right, y)):
            grown.bottom = max(grown.bottom, y)
            break
    return grown


def percent(box: Box, page: PageText) -> list[float]:
    """[x, y, w, h] in percent of the page, two decimals, inside the page."""
    left = min(max(box.left / page.width * 100, 0.0), 100.0)
    top = min(max(box.top / page.height * 100, 0.0), 100.0)
    right = min(max(box.right / page.width * 100, 0.0), 100.0)
    bottom = min(max(box.bottom / page.height * 100, 0.0), 100.0)
    x, y = round(left, 2), round(top, 2)
    return [x, y, round(max(0.01, round(right, 2) - x), 2), round(max(0.01, round(bottom, 2) - y), 2)]
