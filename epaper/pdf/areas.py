"""`epaper areas`: write `area:` for every article that has none, from its page's PDF.

Every article of a page takes part in reading the page (those that have an area too, so
their text is known to be theirs), but only articles without `area:` are written to, one
key added and nothing else changed. One line is printed per article considered."""
from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass
from gettext import NullTranslations
from pathlib import Path
from typing import TextIO

from epaper import messages as M
from epaper.content.article import split_front_matter
from epaper.content.fields import media_path
from epaper.content.load import load_site
from epaper.errors import Diagnostics, UsageError
from epaper.model import Article, Edition, Page
from epaper.pdf.frontmatter import NotWritten, area_text, write_key
from epaper.pdf.place import Placement, Wanted, markdown_text, percent, place
from epaper.pdf.text import PageText, PdfProblem, read_page


@dataclass
class Tally:
    placed: int = 0
    missing: int = 0
    kept: int = 0  # already had area:
    no_pdf: int = 0


def article_texts(site: Path, article: Article) -> list[str]:
    """What of the article is printed: its head, byline, dateline and body, photo caption and credit."""
    body = ""
    try:
        text = (site / article.source).read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
        _, body, _, _ = split_front_matter(text)
    except (OSError, UnicodeDecodeError):
        pass
    names = " ".join(a for a in article.authors if a not in article.byline)  # printed once
    return [article.kicker, article.title, article.subtitle, article.byline, names,
            article.dateline + "\n" + markdown_text(body), article.caption, article.credit]


def run(site: Path, date: dt.date | None = None, out: TextIO | None = None,
        err: TextIO | None = None, translations: NullTranslations | None = None) -> int:
    """Place the articles of every edition (or of DATE's); 1 when the site has content errors.
    The report goes to `out` (standard output), the site's errors to `err` (standard error)."""
    out, err = out or sys.stdout, err or sys.stderr
    diags = Diagnostics()
    loaded = load_site(site, diags)
    for diagnostic in diags.errors:
        print(diagnostic.shown(translations), file=err)
    if loaded is None:
        return 1
    editions = sorted((e for e in loaded.editions if date is None or e.date == date), key=lambda e: e.date)
    if date is not None and not editions:
        raise UsageError(M.NO_EDITION_IN(date=str(date), folder=str(site / "content")))
    simplified = loaded.config.news_language != "zh-tw"
    tally = Tally()
    for edition in editions:
        _edition(site, edition, simplified, tally, lambda line: print(line, file=out))
    print(M.PLACED(placed=tally.placed, missing=tally.missing, kept=tally.kept, no_pdf=tally.no_pdf)
          .render(translations), file=out)
    return 1 if diags.has_errors() else 0


def _edition(site: Path, edition: Edition, simplified: bool, tally: Tally, say: Callable[[str], None]) -> None:
    pages = {p.number: p for p in edition.pages}
    todo: dict[int, list[Article]] = {}
    for article in sorted(edition.articles, key=lambda a: (a.page_number, a.sort_key())):
        page = pages.get(article.page_number)
        if article.areas:
            tally.kept += 1
        elif page is None:
            continue  # the build reports the page that does not exist
        elif not page.pdf:
            tally.no_pdf += 1
            say(f"{article.source}: skipped: page {page.number} has no \"pdf:\" in {edition.source}")
        else:
            todo.setdefault(page.number, []).append(article)
    for number, articles in todo.items():
        page = pages[number]
        neighbours = [a for a in edition.articles if a.page_number == number and a.areas]
        _page(site, edition, page, articles, neighbours, simplified, tally, say)


def _page(site: Path, edition: Edition, page: Page, articles: list[Article], neighbours: list[Article],
          simplified: bool, tally: Tally, say: Callable[[str], None]) -> None:
    rel = media_path(edition.folder, page.pdf) or page.pdf
    where = f'page {page.number}\'s PDF "{page.pdf}" ({rel})'

    def missing(article: Article, why: str) -> None:
        tally.missing += 1
        say(f"{article.source}: not found: {why}")

    try:
        text: PageText = read_page((site / rel).read_bytes(), simplified)
    except OSError as exc:
        for article in articles:
            missing(article, f"{where} cannot be read: {exc.strerror or exc}")
        return
    except PdfProblem as exc:
        for article in articles:
            missing(article, f"{where} {exc}")
        return
    if not text.lines:
        for article in articles:
            missing(article, f"{where} has no text layer (a scanned image only): draw its area by hand")
        return
    wanted = [Wanted(a.source, a.title, article_texts(site, a), [a.kicker, a.title, a.subtitle])
              for a in articles + neighbours]
    placements = place(text, wanted, simplified)
    for article in articles:
        found: Placement = placements[article.source]
        if not found.found:
            share = round(found.confidence * 100)
            title = "its title is there" if found.title_found else "its title is not"
            missing(article, f"only {share}% of its text is on {where} and {title}; is it printed on another page?"
                    if share else f"none of its text is on {where}; is it printed on another page?")
            continue
        boxes = [percent(box, text) for box in found.boxes]
        value = area_text(boxes)
        try:
            write_key(site / article.source, "area", value)
        except NotWritten as exc:
            missing(article, f"placed at {value} but not written: the file {exc}")
            continue
        except OSError as exc:
            missing(article, f"placed at {value} but the file cannot be written: {exc.strerror or exc}")
            continue
        tally.placed += 1
        blocks = f" in {len(boxes)} blocks" if len(boxes) > 1 else ""
        say(f"{article.source}: placed on page {page.number}{blocks}: area: {value} "
            f"(confidence {found.confidence:.2f})")
