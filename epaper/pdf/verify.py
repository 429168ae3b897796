"""`check` reads the page PDFs the areas sit on: an article whose page's PDF does not print its
title, or whose area covers another article's text, gets a warning (a reader tapping there
opens the wrong article). What a page gave is kept in .epaper-cache/pdf-check.json under the
hash of the PDF and of the page's articles, so a second check reads no PDF."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from epaper import messages as M
from epaper.content.fields import media_path
from epaper.content.load import LoadedSite
from epaper.errors import Diagnostics, Text
from epaper.model import Area, Article, Edition, Page
from epaper.pdf.areas import article_texts
from epaper.pdf.place import Wanted, place
from epaper.pdf.text import Box, PageText, PdfProblem, letters, read_page

CACHE_NAME = "pdf-check.json"
FORMAT = 2  # 2: warnings kept as message ids and arguments (Text.plain), not as English text
COVERED = 10  # letters of another article inside an area before it counts as covering it


def check_areas(loaded: LoadedSite, path: Path, diags: Diagnostics) -> None:
    """Warnings for the areas of every page with a usable PDF; `path` keeps them by the PDF's
    and its articles' hashes, so a check reads only the PDFs that changed."""
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    kept: dict[str, list] = {}
    simplified = loaded.config.news_language != "zh-tw"
    for edition in loaded.editions:
        for page in edition.pages:
            articles = sorted((a for a in edition.articles if a.page_number == page.number), key=lambda a: a.source)
            rel = media_path(edition.folder, page.pdf) if page.pdf else None
            record = loaded.media.get(f"pdf:{rel}") if rel else None
            if rel is None or not articles or not any(a.areas for a in articles) or record is None or record.problem \
                    or record.unrenderable:
                continue
            key = hashlib.sha256(json.dumps([FORMAT, record.sha, simplified] + [[a.source, a.digest] for a in articles])
                                 .encode()).hexdigest()
            if key not in known:
                known[key] = _page_warnings(loaded.root, edition, page, rel, articles, simplified)
            kept[key] = known[key]
            for source, line, plain in kept[key]:
                diags.warning(source, line, Text.from_plain(plain))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{CACHE_NAME}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass  # a cache that cannot be written only costs time


def _page_warnings(site: Path, edition: Edition, page: Page, rel: str, articles: list[Article],
                   simplified: bool) -> list[list]:
    try:
        text: PageText = read_page((site / rel).read_bytes(), simplified)
    except (OSError, PdfProblem):
        return []  # the build reports an unusable PDF
    if not text.lines:
        return []  # no text layer: nothing to compare with
    printed = "".join(letters(line.text) for line in text.lines)
    placed = place(text, [Wanted(a.source, a.title, article_texts(site, a), [a.kicker, a.title, a.subtitle])
                          for a in articles], simplified)
    warnings: list[list] = []
    for article in articles:
        if not article.areas:
            continue
        title = letters(article.title)
        if title and title not in printed:
            warnings.append([article.source, article.line("area"),
                             M.AREA_TITLE_NOT_ON_PDF(number=page.number, pdf=page.pdf, title=article.title).plain()])
            continue
        for box in article.areas:
            for other in articles:
                if other is article:
                    continue
                inside = sum(len(letters(line.text)) for line in placed[other.source].lines
                             if _within(line.box, box, text))
                if inside >= COVERED:
                    warnings.append([article.source, box.line or article.line("area"),
                                     M.AREA_COVERS_OTHER(box=f"[{box.x:g}, {box.y:g}, {box.w:g}, {box.h:g}]",
                                                         other=other.source, title=other.title, number=page.number,
                                                         pdf=page.pdf).plain()])
    return warnings


def _within(line_box: Box, area: Area, text: PageText) -> bool:
    """The middle of a printed line is inside an area box (in percent)."""
    x = (line_box.left + line_box.right) / 2 / text.width * 100
    y = (line_box.top + line_box.bottom) / 2 / text.height * 100
    return area.x < x < area.x + area.w and area.y < y < area.y + area.h
